//! The `rapport` binary on fixture books (tests/fixtures): the numbers of a
//! good book value by value, every problem of a bad book in one run, and
//! the promises of the command line (FORMAT §1–4, §6).

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use sample::{rapport_in as rapport, Run};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture book in a fresh temporary folder; the folder lives
/// as long as the returned guard.
fn book(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    files::copy_dir(&fixture(name), &root);
    (dir, root)
}

/// The bad book, with the files that cannot live in git as text added.
fn bad_book() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = book("bad");
    fs::write(
        root.join("partners/latin1.md"),
        b"---\nname: Ren\xE9 Latin\n---\nWritten in Latin-1.\n",
    )
    .unwrap();
    (dir, root)
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs rapport on a book given by path, from the book's parent folder.
fn run(args: &[&str], root: &Path) -> Run {
    rapport(args, root.parent().unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "expected success:\n{}", r.all());
}

fn partners_json(out: &Path) -> Vec<Value> {
    let text = fs::read_to_string(out.join("data/partners.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn by_slug(entries: &[Value]) -> BTreeMap<String, Value> {
    entries
        .iter()
        .map(|e| (e["slug"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let meta = fs::metadata(&path).unwrap();
                out.insert(
                    path.strip_prefix(base).unwrap().to_path_buf(),
                    (fs::read(&path).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

// ------------------------------------------------------------- good book

/// The numbers of one partner as FORMAT §5 writes them.
#[allow(clippy::too_many_arguments)]
fn expected(
    slug: &str,
    name: &str,
    counts: (u64, u64),
    net_new: (u64, u64),
    values: (Value, Value),
    balance: Value,
    reciprocity: &str,
    score: u64,
    stage: &str,
    criteria: [bool; 6],
    one_way: bool,
) -> Value {
    let [track_record, two_way, mutual_interest, shared_ideal_clients, net_new_business, active] =
        criteria;
    json!({
        "slug": slug, "name": name,
        "given": counts.0, "received": counts.1,
        "given_value": values.0, "received_value": values.1,
        "net_new_given": net_new.0, "net_new_received": net_new.1,
        "balance": balance, "reciprocity": reciprocity,
        "score": score, "stage": stage,
        "criteria": {
            "track_record": track_record, "two_way": two_way,
            "mutual_interest": mutual_interest,
            "shared_ideal_clients": shared_ideal_clients,
            "net_new": net_new_business, "active": active,
        },
        "one_way": one_way,
    })
}

/// The fields of a partners.json entry that `expected` describes.
fn numbers(e: &Value) -> Value {
    json!({
        "slug": e["slug"], "name": e["name"],
        "given": e["given"], "received": e["received"],
        "given_value": e["given_value"], "received_value": e["received_value"],
        "net_new_given": e["net_new_given"], "net_new_received": e["net_new_received"],
        "balance": e["balance"], "reciprocity": e["reciprocity"],
        "score": e["readiness"]["score"], "stage": e["readiness"]["stage"],
        "criteria": e["readiness"]["criteria"],
        "one_way": e["one_way"],
    })
}

#[test]
fn good_book_numbers_value_by_value() {
    let (_tmp, root) = book("good");
    ok(&run(&["build", s(&root)], &root));
    let entries = partners_json(&root.join("public"));
    let slugs: Vec<&str> = entries
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "alice-archer",
            "bruno-baker",
            "carla-cruz",
            "dmitri-dorn",
            "elena-endo",
            "felix-ford",
            "hugo-hart"
        ],
        "slug order, the draft left out"
    );
    let t = true;
    let f = false;
    let want = [
        // Every criterion met: collaborating. 3 given, 2 received: -0.2.
        expected(
            "alice-archer",
            "Alice Archer",
            (3, 2),
            (0, 1),
            (json!(1000), json!(7500)),
            json!(-0.2),
            "balanced",
            100,
            "collaborating",
            [t, t, t, t, t, t],
            f,
        ),
        // 5 to 1: given-heavy; a track record and no discovery yet.
        expected(
            "bruno-baker",
            "Bruno Baker",
            (5, 1),
            (0, 0),
            (json!(0), json!(0)),
            json!(-0.667),
            "given-heavy",
            50,
            "ready-for-discovery",
            [t, t, f, f, f, t],
            f,
        ),
        // Only receives in the window (the given one is the day before it);
        // one net-new referral, one way: counted, not business together.
        expected(
            "carla-cruz",
            "Carla Cruz",
            (0, 3),
            (0, 1),
            (json!(0), json!(1200)),
            json!(1),
            "one-way-received",
            33,
            "building-track-record",
            [f, f, f, t, f, t],
            t,
        ),
        // A below in the last three, but quiet for too long: dormant first.
        expected(
            "dmitri-dorn",
            "Dmitri Dorn",
            (2, 1),
            (0, 0),
            (json!(0), json!(800)),
            json!(-0.333),
            "balanced",
            17,
            "dormant",
            [f, t, f, f, f, f],
            f,
        ),
        // 1 to 4: received-heavy; the newest discovery said no: declined.
        expected(
            "elena-endo",
            "Elena Endo",
            (1, 4),
            (0, 0),
            (json!(0), json!(300.5)),
            json!(0.6),
            "received-heavy",
            50,
            "declined",
            [f, t, f, t, f, t],
            f,
        ),
        // 3 resolved, 1 exceeded; the pending one on the window's first day.
        expected(
            "felix-ford",
            "Felix Ford",
            (4, 0),
            (0, 0),
            (json!(0), json!(0)),
            json!(-1),
            "one-way-given",
            33,
            "expert-provider",
            [f, f, f, t, f, t],
            t,
        ),
        // An undecided discovery; the net-new referral and the initiative
        // dated after as_of do not count.
        expected(
            "hugo-hart",
            "Hugo Hart",
            (1, 1),
            (0, 0),
            (json!(0), json!(0)),
            json!(0),
            "balanced",
            33,
            "discovery-undecided",
            [f, t, f, f, f, t],
            f,
        ),
    ];
    for (got, want) in entries.iter().zip(&want) {
        assert_eq!(numbers(got), *want);
    }
    // Profession and role as written; evidence beside the criteria.
    let alice = &entries[0];
    assert_eq!(alice["profession"], "CPA");
    assert_eq!(alice["role"], "collaborator");
    assert_eq!(entries[1]["role"], "esp", "role defaults to esp");
    assert_eq!(
        alice["readiness"]["evidence"]["track_record"],
        "3 resolved, 2 exceeded (67% ≥ 66%), none of the last three below"
    );
    // Keeping in touch: last met 2026-08-01, a collaborator every 60 days.
    assert_eq!(alice["last_contact"], "2026-08-01");
    assert_eq!(alice["contact_due"], "2026-09-30");
    assert_eq!(alice["contact_overdue_days"], 32);
    assert_eq!(alice["next_step"], Value::Null);
    assert_eq!(
        alice["readiness"]["reason"],
        "Collaborating: discovery on 2026-08-01, interested; working initiative: Owner tax workshop (active since 2026-08-15)"
    );
    assert_eq!(
        alice["readiness"]["next_action"],
        "Get in touch: 32 days past your 60-day cadence, then keep the joint initiative (Owner tax workshop) running and measure what it brings both of you"
    );
    assert_eq!(
        entries[4]["readiness"]["reason"],
        "Declined: discovery on 2026-09-01, not interested"
    );
    assert_eq!(
        entries[1]["readiness"]["evidence"]["two_way"],
        "5 given, 1 received between 2024-11-01 and 2026-11-01"
    );
}

#[test]
fn good_book_referrals_csv() {
    let (_tmp, root) = book("good");
    ok(&run(&["build", s(&root)], &root));
    let mut reader = csv::Reader::from_path(root.join("public/data/referrals.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "slug",
        "date",
        "direction",
        "type",
        "outcome",
        "value",
        "client",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    // Every referral of every partner on the site, one row each; the
    // draft's one is left out.
    assert_eq!(rows.len(), 30);
    let count = |slug: &str| rows.iter().filter(|r| r["slug"] == slug).count();
    assert_eq!(
        [
            count("alice-archer"),
            count("bruno-baker"),
            count("carla-cruz"),
            count("dmitri-dorn"),
            count("elena-endo"),
            count("felix-ford"),
            count("hugo-hart"),
            count("gina-gray"),
        ],
        [5, 6, 4, 3, 5, 4, 3, 0]
    );
    let row = |slug: &str, date: &str| {
        rows.iter()
            .find(|r| r["slug"] == slug && r["date"] == date)
            .unwrap_or_else(|| panic!("no row {slug} {date}"))
    };
    let r = row("alice-archer", "2026-06-01");
    assert_eq!(r["direction"], "received");
    assert_eq!(r["type"], "net-new");
    assert_eq!(r["outcome"], "won");
    assert_eq!(r["value"], "5000");
    assert_eq!(r["client"], "N. New");
    assert_eq!(r["note"], "Came from our workshop, quote: \"great\"");
    let r = row("carla-cruz", "2026-05-01");
    assert_eq!(r["outcome"], "pending", "the default outcome");
    assert_eq!(r["type"], "existing", "the default type");
    assert_eq!(r["value"], "");
    let r = row("elena-endo", "2026-07-01");
    assert_eq!(r["value"], "100.5");
    if header.iter().any(|h| h == "in_window") {
        assert_eq!(row("carla-cruz", "2024-10-31")["in_window"], "false");
        assert_eq!(row("felix-ford", "2024-11-01")["in_window"], "true");
        assert_eq!(row("hugo-hart", "2026-11-02")["in_window"], "false");
    }
    // Rows come by slug, then date.
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["slug"].clone(), r["date"].clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn good_book_checks_clean_and_writes_nothing() {
    let (_tmp, root) = book("good");
    let r = run(&["check", s(&root)], &root);
    ok(&r);
    assert!(
        r.stderr.contains("7 partners, 30 referrals, 0 problems"),
        "{}",
        r.all()
    );
    assert!(!root.join("public").exists(), "check writes nothing");
}

// -------------------------------------------------------------- bad book

/// `(file, line, column)` of every `┌─ file:line:column` in the output, with
/// the text shown for that line.
fn located(output: &str) -> Vec<(String, usize, usize, Option<String>)> {
    let lines: Vec<&str> = output.lines().collect();
    let mut found = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(at) = l.split("┌─ ").nth(1) else {
            continue;
        };
        let mut parts = at.trim().rsplitn(3, ':');
        let column: usize = parts.next().unwrap().parse().unwrap();
        let line: usize = parts.next().unwrap().parse().unwrap();
        let file = parts.next().unwrap().to_string();
        let prefix = format!("{line} │ ");
        let shown = lines[i + 1..]
            .iter()
            .take(4)
            .find_map(|l| l.trim_start().strip_prefix(&prefix))
            .map(String::from);
        found.push((file, line, column, shown));
    }
    found
}

#[test]
fn bad_book_every_problem_in_one_run() {
    let (_tmp, root) = bad_book();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    let out = r.all();

    // Each broken file at its line and column, the line shown as written.
    let want: &[(&str, usize, usize, &str)] = &[
        ("rapport.yaml", 2, 1, "did you mean `as_of`?"),
        ("partners/bad-date.md", 3, 8, "YYYY-MM-DD"),
        ("partners/bad-enum.md", 3, 7, "did you mean `esp`?"),
        (
            "partners/duplicate-key.md",
            7,
            1,
            "the key `meetings` is written twice",
        ),
        ("partners/latin1.md", 2, 10, "0xE9"),
        ("partners/no-front-matter.md", 1, 1, "no front-matter"),
        ("partners/no-name.md", 2, 1, "`name`"),
        ("partners/unclosed.md", 1, 1, "never closed"),
        ("partners/unknown-key.md", 3, 1, "did you mean `referrals`?"),
        ("partners/wrong-outcome.md", 6, 14, "`won`"),
    ];
    let places = located(&out);
    for (file, line, column, says) in want {
        assert!(
            places
                .iter()
                .any(|(f, l, c, _)| f == file && l == line && c == column),
            "{file}:{line}:{column} not reported:\n{out}"
        );
        assert!(out.contains(says), "`{says}` not said:\n{out}");
    }
    // The YAML syntax error: located at or just after the broken list.
    assert!(
        places
            .iter()
            .any(|(f, l, _, _)| f == "partners/yaml-syntax.md" && (3..=4).contains(l)),
        "{out}"
    );
    assert!(out.contains("this `[` is never closed"), "{out}");
    // Every located problem shows the line it points at, as in the file.
    for (file, line, _, shown) in &places {
        let bytes = fs::read(root.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let actual = text.lines().nth(line - 1).unwrap_or("");
        assert_eq!(
            shown.as_deref(),
            Some(actual.trim_end()),
            "{file}:{line} shows its line:\n{out}"
        );
    }
    // The problems without a line: an empty file, two notes with one slug.
    assert!(out.contains("partners/empty.md"), "{out}");
    assert!(out.contains("empty"), "{out}");
    assert!(
        out.contains("partners/jane-doe.md") && out.contains("partners/sub/Jane_Doe.md"),
        "both files of a duplicate slug are named:\n{out}"
    );
    assert!(out.contains("`jane-doe`"), "{out}");
    // All in one run: 13 problems, and the summary line.
    assert_eq!(
        out.lines().filter(|l| l.starts_with("error:")).count(),
        13,
        "{out}"
    );
    assert!(
        out.contains("3 partners, 1 referral, 13 problems"),
        "summary line:\n{out}"
    );
    assert!(!out.contains('\u{1b}'), "no color in a pipe");
}

/// The lines of the problem that starts with `message`, up to the next one.
fn problem<'a>(out: &'a str, message: &str) -> &'a str {
    let start = out
        .find(message)
        .unwrap_or_else(|| panic!("`{message}` not said:\n{out}"));
    let rest = &out[start..];
    let end = rest[1..].find("\nerror").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn unclosed_brackets_control_characters_and_duplicate_keys_are_pointed_at() {
    let (_tmp, root) = book("good");
    let p = root.join("partners");
    fs::write(
        p.join("bracket.md"),
        "---\nname: Bo Bracket\nfirm: X\nrole: esp\nsince: 2024-01-01\nemail: bo@example.com\nphone: \"555\"\nwebsite: https://example.com\ntags: [tax, business\nideal_clients: retirees\ndraft: false\n---\n",
    )
    .unwrap();
    fs::write(
        p.join("control.md"),
        "---\nname: Cy Control\nfirm: \u{1b}[31mRed\nrole: esp\n---\n",
    )
    .unwrap();
    fs::write(
        p.join("twice.md"),
        "---\nname: Di Twice\nfirm: A\nrole: esp\nbogus: 1\nsince: 2024-13-01\nfirm: B\n---\n",
    )
    .unwrap();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    let out = r.all();
    let places = located(&out);
    let at = |file: &str| -> Vec<(usize, usize)> {
        places
            .iter()
            .filter(|(f, ..)| f == file)
            .map(|(_, l, c, _)| (*l, *c))
            .collect()
    };
    // The bracket where it opens, and where the reading stopped beside it.
    assert_eq!(at("partners/bracket.md"), vec![(9, 7)], "{out}");
    let bracket = problem(&out, "this `[` is never closed");
    assert!(
        bracket.contains(" 9 │ tags: [tax, business")
            && bracket.contains("10 │ ideal_clients: retirees")
            && bracket.contains("expected `,` or `]` before here"),
        "{bracket}"
    );
    // The control character at its own line and column, shown escaped.
    assert_eq!(at("partners/control.md"), vec![(3, 7)], "{out}");
    assert!(out.contains("U+001B"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");
    // A key written twice, and the note's other problems in the same run.
    assert_eq!(
        at("partners/twice.md"),
        vec![(5, 1), (6, 8), (7, 1)],
        "{out}"
    );
    assert!(out.contains("the key `firm` is written twice"), "{out}");
    assert!(out.contains("unknown key `bogus`"), "{out}");
    assert!(out.contains("there is no month 13"), "{out}");
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let (_tmp, root) = book("good");
    let user_file = root.join("public/my-notes.txt");
    ok(&run(&["build", s(&root)], &root));
    fs::write(&user_file, "mine").unwrap();
    let before = snapshot(&root.join("public"));
    assert!(before.len() >= 3);

    // Break one note: nothing is written, nothing removed.
    fs::write(
        root.join("partners/felix-ford.md"),
        "---\nname: Felix Ford\nrole: espp\n---\n",
    )
    .unwrap();
    fs::remove_file(root.join("partners/bruno-baker.md")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let r = run(&["build", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("partners/felix-ford.md:3:7"),
        "{}",
        r.all()
    );
    assert_eq!(snapshot(&root.join("public")), before, "byte for byte");

    // A broken rapport.yaml, the same.
    fs::copy(
        fixture("good/partners/felix-ford.md"),
        root.join("partners/felix-ford.md"),
    )
    .unwrap();
    fs::write(root.join("rapport.yaml"), "as_of: 2026-11-01\ntitel: x\n").unwrap();
    let r = run(&["build", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(snapshot(&root.join("public")), before);
}

#[test]
fn a_page_that_fails_after_others_were_written_aside_leaves_nothing_behind() {
    let (tmp, root) = book("good");
    ok(&run(&["build", s(&root)], &root));
    let before = snapshot(&root.join("public"));
    // A template of the book's own that fails for one partner only: the
    // pages of the others are rendered, and go aside, before it fails.
    fs::create_dir_all(root.join("templates")).unwrap();
    let page = include_str!("../templates/partner.html").replacen(
        "{% block title %}",
        "{% block title %}{% if partner.p.slug == \"felix-ford\" %}{{ no_such_thing }}{% endif %}",
        1,
    );
    fs::write(root.join("templates/partner.html"), page).unwrap();
    let r = run(&["build", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("no_such_thing"), "{}", r.all());
    assert_eq!(
        snapshot(&root.join("public")),
        before,
        "byte for byte, and no file left aside"
    );
    // Into a folder that did not exist: none is left behind.
    let fresh = tmp.path().join("fresh-site");
    let r = run(&["build", s(&root), "-o", s(&fresh)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!fresh.exists(), "a failed first build leaves no folder");
}

#[test]
fn the_bad_book_builds_nothing() {
    let (_tmp, root) = bad_book();
    let r = run(&["build", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("13 problems"), "{}", r.all());
    assert!(!root.join("public").exists());
}

// ------------------------------------------------------------ new, init

#[test]
fn new_writes_a_valid_note_and_never_overwrites() {
    let (_tmp, root) = book("good");
    let r = run(&["new", "Jane Doe", s(&root)], &root);
    ok(&r);
    let note = root.join("partners/jane-doe.md");
    let text = fs::read_to_string(&note).unwrap();
    assert!(text.contains("Jane Doe"));
    let r = run(&["check", s(&root)], &root);
    ok(&r);
    assert!(r.stderr.contains("8 partners"), "{}", r.all());

    // A second time: refused, the note left as it is.
    fs::write(&note, format!("{text}\nMy own words.\n")).unwrap();
    let r = run(&["new", "Jane Doe", s(&root)], &root);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(fs::read_to_string(&note)
        .unwrap()
        .ends_with("My own words.\n"));
    // Another spelling of the same slug, too.
    let r = run(&["new", "jane  DOE", s(&root)], &root);
    assert_ne!(r.code, 0, "{}", r.all());

    // The slug taken in a sub-folder: refused, nothing written.
    let (_tmp2, root2) = book("good");
    fs::create_dir_all(root2.join("partners/sub")).unwrap();
    fs::write(
        root2.join("partners/sub/jane-doe.md"),
        "---\nname: Jane Doe\n---\n",
    )
    .unwrap();
    let r = run(&["new", "Jane Doe", s(&root2)], &root2);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("jane-doe"), "{}", r.all());
    assert!(!root2.join("partners/jane-doe.md").exists());
}

#[test]
fn new_defaults_to_the_current_folder() {
    let (_tmp, root) = book("good");
    let r = rapport(&["new", "Ann O'Neil"], &root);
    ok(&r);
    assert!(root.join("partners/ann-o-neil.md").exists());
    ok(&rapport(&["check"], &root));
}

#[test]
fn init_starts_a_book_check_accepts_and_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-book");
    ok(&rapport(&["init", s(&dir)], tmp.path()));
    assert!(dir.join("rapport.yaml").is_file());
    let notes: Vec<_> = fs::read_dir(dir.join("partners")).unwrap().collect();
    assert_eq!(notes.len(), 1, "one example note");
    let r = rapport(&["check", s(&dir)], tmp.path());
    ok(&r);
    assert!(r.stderr.contains("1 partner, "), "{}", r.all());
    ok(&rapport(&["build", s(&dir)], tmp.path()));

    // An existing empty folder is fine.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    ok(&rapport(&["init", s(&empty)], tmp.path()));

    // A folder with anything in it is refused and left alone.
    let full = tmp.path().join("full");
    fs::create_dir(&full).unwrap();
    fs::write(full.join("todo.txt"), "keep").unwrap();
    let r = rapport(&["init", s(&full)], tmp.path());
    assert_ne!(r.code, 0, "{}", r.all());
    let names: Vec<_> = fs::read_dir(&full)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["todo.txt"]);
    let r = rapport(&["init", s(&dir)], tmp.path());
    assert_ne!(r.code, 0, "an initialised book is not empty");
}

// ------------------------------------------------------------ the options

#[test]
fn as_of_changes_the_numbers() {
    let (_tmp, root) = book("good");
    let out = root.join("later");
    ok(&run(
        &["build", s(&root), "--as-of", "2026-12-15", "-o", s(&out)],
        &root,
    ));
    let later = by_slug(&partners_json(&out));
    // The net-new referral of 2026-11-02 and the initiative of 2026-12-01
    // now count; the discovery is still undecided, so not collaborating.
    let hugo = &later["hugo-hart"];
    assert_eq!(hugo["received"], 2);
    assert_eq!(hugo["net_new_received"], 1);
    assert_eq!(hugo["readiness"]["criteria"]["net_new"], true);
    assert_eq!(hugo["readiness"]["stage"], "discovery-undecided");
    // The window moved: Carla's day-before given referral is further out,
    // Felix's first-day one falls out.
    assert_eq!(later["felix-ford"]["given"], 3);

    let r = run(&["check", s(&root), "--as-of", "2026-12-15"], &root);
    ok(&r);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let (_tmp, root) = book("good");
    let out = root.join("with-drafts");
    ok(&run(&["build", s(&root), "--drafts", "-o", s(&out)], &root));
    let all = by_slug(&partners_json(&out));
    assert_eq!(all.len(), 8);
    let gina = &all["gina-gray"];
    assert_eq!(gina["received"], 1);
    assert_eq!(gina["reciprocity"], "one-way-received");
    let csv = fs::read_to_string(out.join("data/referrals.csv")).unwrap();
    assert!(csv.contains("gina-gray"));
}

#[test]
fn output_elsewhere_leaves_the_default_alone() {
    let (tmp, root) = book("good");
    let out = tmp.path().join("site");
    ok(&run(&["build", s(&root), "-o", s(&out)], &root));
    assert!(out.join("data/partners.json").is_file());
    assert!(out.join("index.html").is_file());
    assert!(!root.join("public").exists());
    let out2 = tmp.path().join("site2");
    ok(&run(&["build", s(&root), "--output", s(&out2)], &root));
    assert_eq!(
        fs::read(out.join("data/partners.json")).unwrap(),
        fs::read(out2.join("data/partners.json")).unwrap()
    );
}

#[test]
fn bad_usage_exits_2() {
    let (_tmp, root) = book("good");
    for args in [
        vec!["build", s(&root), "--frobnicate"],
        vec!["build", s(&root), "--as-of", "2026-13-01"],
        vec!["build", s(&root), "--as-of", "1 Nov 2026"],
        vec!["check", s(&root), "--as-of", "2026-11-1"],
        vec!["build", s(&root), "extra-argument"],
        vec!["new"],
        vec!["init"],
        vec!["explode"],
        vec![],
    ] {
        let r = run(&args, &root);
        assert_eq!(r.code, 2, "{args:?}:\n{}", r.all());
    }
    assert!(!root.join("public").exists());
}

#[test]
fn every_help_has_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let top = rapport(&["--help"], tmp.path());
    ok(&top);
    assert!(top.stdout.contains("Examples"), "{}", top.all());
    for sub in ["build", "check", "watch", "serve", "new", "init"] {
        let r = rapport(&[sub, "--help"], tmp.path());
        ok(&r);
        assert!(r.stdout.contains("Examples"), "{sub} --help:\n{}", r.all());
        let r = rapport(&["help", sub], tmp.path());
        assert!(r.stdout.contains("Examples"), "help {sub}:\n{}", r.all());
    }
}

// -------------------------------------------------- rebuilds and removal

#[test]
fn removed_partners_files_go_and_the_users_files_stay() {
    let (_tmp, root) = book("good");
    let out = root.join("public");
    ok(&run(&["build", s(&root)], &root));
    fs::write(out.join("my-notes.txt"), "mine").unwrap();
    fs::create_dir_all(out.join("partners")).unwrap();
    fs::write(out.join("partners/bruno-baker.txt"), "mine too").unwrap();
    // A file an earlier build wrote for a partner gone since.
    fs::write(out.join("partners/old-partner.html"), "old").unwrap();
    let manifest = out.join(rapport::site::MANIFEST);
    let mut listed = fs::read_to_string(&manifest).unwrap();
    listed.push_str("partners/old-partner.html\n");
    fs::write(&manifest, listed).unwrap();
    let with_bruno: Vec<PathBuf> = snapshot(&out)
        .into_keys()
        .filter(|p| {
            p.to_string_lossy().contains("bruno-baker") && p.extension().is_some_and(|e| e != "txt")
        })
        .collect();

    fs::remove_file(root.join("partners/bruno-baker.md")).unwrap();
    ok(&run(&["build", s(&root)], &root));
    assert!(!out.join("partners/old-partner.html").exists());
    for p in &with_bruno {
        assert!(!out.join(p).exists(), "{} should be gone", p.display());
    }
    assert!(!by_slug(&partners_json(&out)).contains_key("bruno-baker"));
    assert_eq!(
        fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(out.join("partners/bruno-baker.txt")).unwrap(),
        "mine too"
    );
}

#[test]
fn an_unchanged_rebuild_keeps_modification_times() {
    let (_tmp, root) = book("good");
    let out = root.join("public");
    ok(&run(&["build", s(&root)], &root));
    let first = snapshot(&out);
    std::thread::sleep(Duration::from_millis(50));
    ok(&run(&["build", s(&root)], &root));
    assert_eq!(snapshot(&out), first, "same bytes, same times");

    // One note changes: its numbers are rewritten, the rest stays.
    std::thread::sleep(Duration::from_millis(50));
    let note = root.join("partners/hugo-hart.md");
    let text = fs::read_to_string(&note).unwrap();
    fs::write(
        &note,
        text.replace("outcome: undecided", "outcome: interested"),
    )
    .unwrap();
    ok(&run(&["build", s(&root)], &root));
    let second = snapshot(&out);
    assert_eq!(second.len(), first.len());
    let csv = Path::new("data/referrals.csv");
    assert_eq!(
        second[csv], first[csv],
        "referrals unchanged, not rewritten"
    );
}

// ------------------------------------------------------ encodings, names

#[test]
fn bom_and_crlf_notes_read_the_same() {
    let (_tmp, root) = book("good");
    ok(&run(&["build", s(&root), "-o", s(&root.join("lf"))], &root));
    for name in ["alice-archer.md", "realty/dmitri-dorn.md"] {
        let path = root.join("partners").join(name);
        let text = fs::read_to_string(&path).unwrap();
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(text.replace('\n', "\r\n").into_bytes());
        fs::write(&path, bytes).unwrap();
    }
    let r = run(&["check", s(&root)], &root);
    ok(&r);
    ok(&run(
        &["build", s(&root), "-o", s(&root.join("crlf"))],
        &root,
    ));
    assert_eq!(
        fs::read(root.join("lf/data/partners.json")).unwrap(),
        fs::read(root.join("crlf/data/partners.json")).unwrap()
    );
    assert_eq!(
        fs::read(root.join("lf/data/referrals.csv")).unwrap(),
        fs::read(root.join("crlf/data/referrals.csv")).unwrap()
    );

    // A problem in a BOM + CRLF note is placed as in an LF one.
    let path = root.join("partners/alice-archer.md");
    fs::write(
        &path,
        b"\xEF\xBB\xBF---\r\nname: Alice\r\nrole: espp\r\n---\r\n",
    )
    .unwrap();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("partners/alice-archer.md:3:7"),
        "{}",
        r.all()
    );
    assert!(
        r.stderr.contains("role: espp\n"),
        "no stray carriage return:\n{}",
        r.all()
    );
}

#[test]
fn hidden_underscore_backup_and_swap_files_are_ignored() {
    let (_tmp, root) = book("good");
    // Written here too, in case a checkout leaves such names out.
    let junk = b"---\nname: [broken\n\xFF\n";
    for name in [
        ".alice-archer.md.swp",
        ".hidden.md",
        "_hidden.md",
        "alice-archer.md~",
        "#alice-archer.md#",
        "alice-archer.md.bak",
        "notes.txt",
        "_drafts/broken.md",
        ".git/config.md",
        "realty/_old/dmitri-dorn.md",
        "realty/.dmitri-dorn.md.swp",
    ] {
        let path = root.join("partners").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, junk).unwrap();
    }
    let r = run(&["check", s(&root)], &root);
    ok(&r);
    assert!(
        r.stderr.contains("7 partners, 30 referrals, 0 problems"),
        "{}",
        r.all()
    );
}

#[test]
fn a_blank_name_is_a_missing_name() {
    let (_tmp, root) = book("good");
    for (file, text) in [
        ("blank.md", "---\nname: \"  \"\n---\n"),
        ("empty-value.md", "---\nname:\nfirm: X\n---\n"),
        ("tilde.md", "---\nname: ~\n---\n"),
    ] {
        fs::write(root.join("partners").join(file), text).unwrap();
    }
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    for file in ["blank.md:2:1", "empty-value.md:2:1", "tilde.md:2:1"] {
        assert!(
            r.stderr.contains(&format!("partners/{file}")),
            "{file}:\n{}",
            r.all()
        );
    }
    assert!(
        r.stderr.contains("7 partners, 30 referrals, 3 problems"),
        "{}",
        r.all()
    );
}

#[test]
fn a_file_name_without_letters_or_digits_is_a_problem() {
    let (_tmp, root) = book("good");
    fs::write(root.join("partners/---.md"), "---\nname: Dash\n---\n").unwrap();
    fs::write(
        root.join("partners/realty/(!).md"),
        "---\nname: Bang\n---\n",
    )
    .unwrap();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("partners/---.md"), "{}", r.all());
    assert!(r.stderr.contains("partners/realty/(!).md"), "{}", r.all());
    assert!(r.stderr.contains("empty slug"), "{}", r.all());
    assert!(
        r.stderr.contains("7 partners, 30 referrals, 2 problems"),
        "{}",
        r.all()
    );
}

#[test]
fn empty_and_blank_required_values_are_problems_in_plain_words() {
    let (_tmp, root) = book("good");
    fs::write(
        root.join("partners/initiatives.md"),
        "---\nname: Ivy\ninitiatives:\n  - name: \"  \"\n    status: active\n  - name:\n    status: done\nreferrals:\n  - date:\n    direction: given\n---\n",
    )
    .unwrap();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    let out = r.all();
    for at in [
        "initiatives.md:4:11",
        "initiatives.md:6:9",
        "initiatives.md:9:9",
    ] {
        assert!(out.contains(at), "{at}:\n{out}");
    }
    assert!(!out.contains("unit value"), "{out}");
    assert!(out.contains("found nothing"), "{out}");
    assert!(
        out.contains("7 partners, 30 referrals, 3 problems"),
        "{out}"
    );
}

#[test]
fn redacted_client_names_never_reach_the_output() {
    let (_tmp, root) = book("good");
    let settings = fs::read_to_string(root.join("rapport.yaml")).unwrap();
    fs::write(
        root.join("rapport.yaml"),
        format!("{settings}privacy:\n  redact_clients: true\n"),
    )
    .unwrap();
    ok(&run(&["build", s(&root)], &root));
    let files = snapshot(&root.join("public"));
    assert!(files.contains_key(Path::new("data/referrals.csv")));
    for (path, (bytes, _)) in files {
        let text = String::from_utf8_lossy(&bytes);
        for client in ["T. One", "T. Two", "T. Three", "N. New", "E. Xisting"] {
            assert!(!text.contains(client), "{client} in {}", path.display());
        }
    }
}

#[test]
fn no_temporary_files_are_left_behind() {
    let (_tmp, root) = book("good");
    ok(&run(&["build", s(&root)], &root));
    fs::remove_file(root.join("partners/elena-endo.md")).unwrap();
    ok(&run(&["build", s(&root)], &root));
    for path in snapshot(&root.join("public")).keys() {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!name.contains("tmp"), "{}", path.display());
    }
}

#[test]
fn a_note_named_index_is_refused_rather_than_hidden_by_the_partner_list() {
    let (_dir, root) = book("good");
    fs::write(
        root.join("partners/Index.md"),
        "---\nname: Ida Index\n---\n",
    )
    .unwrap();
    let r = run(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("partners/Index.md"), "{}", r.all());
    assert!(r.all().contains("slug `index`"), "{}", r.all());
}

#[test]
fn an_output_folder_inside_static_is_refused() {
    let (_dir, root) = book("good");
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/a.txt"), "a").unwrap();
    let out = root.join("static/site");
    let r = run(&["build", s(&root), "-o", s(&out)], &root);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("inside static/"), "{}", r.all());
    assert!(!out.exists());
}

// ------------------------------------------------------- unchanged books

fn nothing_changed(r: &Run) -> bool {
    r.stderr.contains("nothing changed, 0 files written")
}

/// The report of a build without its last line (which has the time).
fn report(r: &Run) -> String {
    let lines: Vec<&str> = r.stderr.lines().collect();
    lines[..lines.len() - 1].join("\n")
}

#[test]
fn an_unchanged_book_renders_nothing_and_any_change_builds_again() {
    let (_tmp, root) = book("good");
    let out = root.join("public");
    let note = root.join("partners/hugo-hart.md");
    let mut text = fs::read_to_string(&note).unwrap();
    text.push_str("\nAsk [[Nobody Known]] about it.\n");
    fs::write(&note, &text).unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", s(&root)];
        args.extend(extra);
        let r = run(&args, &root);
        ok(&r);
        r
    };
    let first = build(&[]);
    assert!(!nothing_changed(&first), "{}", first.all());
    let site = snapshot(&out);
    let again = build(&[]);
    assert!(nothing_changed(&again), "{}", again.all());
    assert_eq!(report(&again), report(&first), "the same warnings");
    assert!(again.stderr.contains("[[Nobody Known]]"));
    assert_eq!(snapshot(&out), site, "nothing written");

    // A note's text: its page and the search index, which holds it.
    text.push_str("One more line.\n");
    fs::write(&note, &text).unwrap();
    let r = build(&[]);
    assert!(r.stderr.contains("2 files written"), "{}", r.all());
    assert!(nothing_changed(&build(&[])));

    // A template of the book's own.
    fs::create_dir_all(root.join("templates")).unwrap();
    let css = format!("{}\n/* mine */\n", include_str!("../templates/style.css"));
    fs::write(root.join("templates/style.css"), css).unwrap();
    assert!(!nothing_changed(&build(&[])));
    assert!(fs::read_to_string(out.join("style.css"))
        .unwrap()
        .contains("/* mine */"));
    assert!(nothing_changed(&build(&[])));

    // A static file, added then changed.
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/hours.txt"), "9 to 5").unwrap();
    assert!(!nothing_changed(&build(&[])));
    assert!(nothing_changed(&build(&[])));
    fs::write(root.join("static/hours.txt"), "9 to 6").unwrap();
    assert!(!nothing_changed(&build(&[])));
    assert_eq!(fs::read_to_string(out.join("hours.txt")).unwrap(), "9 to 6");

    // The date the numbers are computed on, and drafts.
    assert!(!nothing_changed(&build(&["--as-of", "2026-01-15"])));
    assert!(nothing_changed(&build(&["--as-of", "2026-01-15"])));
    assert!(!nothing_changed(&build(&[
        "--as-of",
        "2026-01-15",
        "--drafts"
    ])));
    assert!(nothing_changed(&build(&[
        "--as-of",
        "2026-01-15",
        "--drafts"
    ])));

    // The settings, a note renamed, a note that fails and is mended.
    let dated = || build(&["--as-of", "2026-01-15", "--drafts"]);
    let settings = root.join("rapport.yaml");
    let yaml = fs::read_to_string(&settings).unwrap();
    fs::write(&settings, format!("{yaml}\n# a comment\n")).unwrap();
    assert!(!nothing_changed(&dated()));
    assert!(nothing_changed(&dated()));
    let renamed = root.join("partners/hugo-hart-cpa.md");
    fs::rename(&note, &renamed).unwrap();
    let r = dated();
    assert!(!nothing_changed(&r), "{}", r.all());
    assert!(out.join("partners/hugo-hart-cpa.html").exists());
    fs::rename(&renamed, &note).unwrap();
    assert!(!nothing_changed(&dated()));
    fs::write(&note, "---\nname: [unclosed\n---\n").unwrap();
    let args = ["build", s(&root), "--as-of", "2026-01-15", "--drafts"];
    let failed = run(&args, &root);
    assert_eq!(failed.code, 1, "{}", failed.all());
    assert!(!nothing_changed(&failed));
    fs::write(&note, &text).unwrap();
    let r = dated();
    assert!(
        nothing_changed(&r),
        "the site is still the one recorded: {}",
        r.all()
    );
    assert!(r.stderr.contains("[[Nobody Known]]"), "{}", r.all());

    // A file of the site deleted, or changed by hand.
    fs::remove_file(out.join("index.html")).unwrap();
    let r = build(&["--as-of", "2026-01-15", "--drafts"]);
    assert!(r.stderr.contains("1 files written"), "{}", r.all());
    assert!(out.join("index.html").exists());
    let page = fs::read(out.join("index.html")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    fs::write(out.join("index.html"), vec![b'x'; page.len()]).unwrap();
    let r = build(&["--as-of", "2026-01-15", "--drafts"]);
    assert!(r.stderr.contains("1 files written"), "{}", r.all());
    assert_eq!(fs::read(out.join("index.html")).unwrap(), page);
}

#[test]
fn another_rapport_binary_builds_again() {
    let (tmp, root) = book("good");
    let other = tmp.path().join("rapport-other");
    fs::copy(env!("CARGO_BIN_EXE_rapport"), &other).unwrap();
    let with = |exe: &Path| {
        let out = Command::new(exe)
            .args(["build", s(&root)])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        nothing_changed(&Run {
            code: 0,
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    };
    let this = Path::new(env!("CARGO_BIN_EXE_rapport"));
    assert!(!with(this));
    assert!(with(this));
    assert!(!with(&other), "another binary renders again");
    assert!(with(&other));
    assert!(!with(this));
}

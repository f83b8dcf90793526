//! `rapport import`, run as a user would on a copy of the sample book
//! (FORMAT §6), and its plan checked on random exports.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use files::inserted;
use sample::{rapport_in as rapport, Run};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rapport::book::{Day, Direction, Outcome, Referral, ReferralType};
use rapport::import::{self, BookNote, Options, Rules};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the sample book in a fresh temporary folder.
fn sample_book() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    files::copy_dir(&manifest().join("sample-data"), &root);
    (dir, root)
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "expected success:\n{}{}", r.stdout, r.stderr);
}

/// The referrals of a note, as `check` reads them.
fn referrals(path: &Path) -> Vec<Referral> {
    let bytes = fs::read(path).unwrap();
    let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
    rapport::read::note::parse("note.md", &slug, &bytes)
        .unwrap_or_else(|e| panic!("{} does not check: {e:?}", path.display()))
        .referrals
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn notes(root: &Path) -> BTreeMap<String, Vec<u8>> {
    files::files_under(&root.join("partners"))
}

#[test]
fn a_realistic_export_imported_twice_adds_nothing_the_second_time() {
    let (_dir, root) = sample_book();
    let csv = root.join("imports/crm-referrals.csv");
    let before = notes(&root);
    let helen_before = fs::read_to_string(root.join("partners/helen-brooks.md")).unwrap();

    // The dry run says what it would do, and writes nothing.
    let dry = rapport(&["import", csv.to_str().unwrap()], &root);
    ok(&dry);
    assert_eq!(notes(&root), before, "a dry run wrote something");
    assert!(
        dry.stdout.contains(
            "partners/helen-brooks.md  Helen Brooks: 1 to add, 1 already in the book (row 2)"
        ),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("partners/owen-fairley.md  Owen Fairley (a new note): 2 to add"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("Ignored columns: `Office` (H)"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("--write adds 4 referrals to 3 notes (1 new)"),
        "{}",
        dry.stdout
    );

    let first = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    ok(&first);
    assert!(
        first
            .stdout
            .contains("Added 4 referrals to 3 notes (1 new)."),
        "{}",
        first.stdout
    );

    // Helen Brooks: the one new row added, the lines typed as by hand,
    // nothing else of the note changed.
    let helen_after = fs::read_to_string(root.join("partners/helen-brooks.md")).unwrap();
    assert_eq!(
        inserted(&helen_before, &helen_after).concat(),
        "  - date: 2026-10-06\n    direction: given\n    client: L. Haines\n    outcome: pending\n    note: Divorce settlement with a business to value\n"
    );
    // Priya Raman, named by her slug.
    let priya = referrals(&root.join("partners/priya-raman.md"));
    let last = priya.last().unwrap();
    assert_eq!(last.date, day("2026-10-14"));
    assert_eq!(last.outcome, Some(Outcome::Exceeded));
    assert_eq!(last.client.as_deref(), Some("Dr. P. Osei"));
    // Owen Fairley: a new note, as `rapport new` writes it, holding both rows.
    let owen = fs::read_to_string(root.join("partners/owen-fairley.md")).unwrap();
    assert!(owen.starts_with("---\nname: \"Owen Fairley\"\n"), "{owen}");
    let owen_refs = referrals(&root.join("partners/owen-fairley.md"));
    assert_eq!(owen_refs.len(), 2);
    assert_eq!(owen_refs[0].direction, Direction::Received);
    assert_eq!(owen_refs[0].outcome, Some(Outcome::Won));
    assert_eq!(owen_refs[0].value, Some(3800.0));
    assert_eq!(
        owen_refs[1].client, None,
        "an empty client cell leaves the field out"
    );
    assert_eq!(owen_refs[1].value, None);
    ok(&rapport(&["check", "."], &root));

    // The second run finds every row in the book.
    let after_first = notes(&root);
    let second = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    ok(&second);
    assert!(
        second.stdout.contains("Nothing to add"),
        "{}",
        second.stdout
    );
    assert_eq!(
        notes(&root),
        after_first,
        "the second import changed a note"
    );
}

#[test]
fn shuffled_and_renamed_columns_map_themselves() {
    let (dir, root) = sample_book();
    let csv = dir.path().join("export.csv");
    fs::write(
        &csv,
        "\u{feff}NOTES;fees;Result;referral_direction;Last Name;Referrer;First Name;Referral Date;Phone\r\n\
         Kind words from the client;\"1.234,5\";Won;Referred In;Okafor;MAYA OKAFOR;Ada;2026-09-30;555\r\n\
         ;;;out;Marsh;maya-okafor;Tom;2026-10-02;\r\n",
    )
    .unwrap();
    let run = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    // `1.234,5` is not a number as exports write them here: refused, with
    // its row and column, and nothing written.
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("row 2, column `fees` (B)"),
        "{}",
        run.stderr
    );

    fs::write(
        &csv,
        "\u{feff}NOTES;fees;Result;referral_direction;Last Name;Referrer;First Name;Referral Date;Phone\r\n\
         Kind words from the client;\"$1,234.50\";Won;Referred In;Okafor;MAYA OKAFOR;Ada;2026-09-30;555\r\n\
         ;;;out;Marsh;maya-okafor;Tom;2026-10-02;\r\n",
    )
    .unwrap();
    let before = referrals(&root.join("partners/maya-okafor.md"));
    let run = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    ok(&run);
    assert!(run.stdout.contains("`Phone` (I)"), "{}", run.stdout);
    let after = referrals(&root.join("partners/maya-okafor.md"));
    assert_eq!(after.len(), before.len() + 2);
    assert_eq!(
        after[before.len()],
        Referral {
            date: day("2026-09-30"),
            direction: Direction::Received,
            client: Some("Ada Okafor".into()),
            kind: ReferralType::Existing,
            outcome: Some(Outcome::Won),
            value: Some(1234.5),
            note: Some("Kind words from the client".into()),
            thanked: None,
        }
    );
    assert_eq!(
        after[before.len() + 1],
        Referral {
            date: day("2026-10-02"),
            direction: Direction::Given,
            client: Some("Tom Marsh".into()),
            kind: ReferralType::Existing,
            outcome: None,
            value: None,
            note: None,
            thanked: None,
        }
    );
}

#[test]
fn a_contacts_export_needs_its_rules() {
    let (_dir, root) = sample_book();
    let csv = manifest().join("docs/import/contacts.csv");
    let csv = csv.to_str().unwrap();
    let before = notes(&root);

    // Without rules: no direction, and `Status` is a column of contacts,
    // not outcomes.
    let bare = rapport(&["import", csv, "--write"], &root);
    assert_eq!(bare.code, 1, "{}{}", bare.stdout, bare.stderr);
    assert!(
        bare.stderr.contains("no column is the direction"),
        "{}",
        bare.stderr
    );
    let flags = rapport(
        &[
            "import",
            csv,
            "--direction",
            "received",
            "--outcome",
            "won",
            "--write",
        ],
        &root,
    );
    assert_eq!(flags.code, 1);
    assert!(
        flags.stderr.contains("the outcome is read from the file's column `Status` (E); --outcome is for files without one"),
        "{}",
        flags.stderr
    );
    assert_eq!(notes(&root), before);

    // The rules file shipped in docs/, by path, and the same by name.
    let rules = manifest().join("docs/import/contacts.rules");
    let dry = rapport(&["import", csv, "--rules", rules.to_str().unwrap()], &root);
    ok(&dry);
    let by_name = rapport(&["import", csv, "--rules", "contacts"], &root);
    ok(&by_name);
    assert_eq!(dry.stdout, by_name.stdout);
    assert!(
        dry.stdout
            .contains("Left out: 1 row naming no partner (row 6)"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("Left out by the rules' skip-if: 1 row (row 5)"),
        "{}",
        dry.stdout
    );

    ok(&rapport(
        &["import", csv, "--rules", "contacts", "--write"],
        &root,
    ));
    let jane = referrals(&root.join("partners/jane-doe.md"));
    assert_eq!(jane.len(), 2);
    assert_eq!(jane[0].date, day("2024-03-14"));
    assert_eq!(jane[0].client.as_deref(), Some("Robert Smith"));
    assert_eq!(jane[0].direction, Direction::Received);
    assert_eq!(jane[0].outcome, Some(Outcome::Won));
    assert_eq!(jane[0].value, Some(4200.0));
    // `Marco Ruiz` and `marco ruiz` are one partner.
    let marco = referrals(&root.join("partners/marco-ruiz.md"));
    assert_eq!(marco.len(), 2);
    ok(&rapport(&["check", "."], &root));

    let again = notes(&root);
    ok(&rapport(
        &["import", csv, "--rules", "contacts", "--write"],
        &root,
    ));
    assert_eq!(notes(&root), again);
}

#[test]
fn a_referral_report_with_its_own_words_imports_through_its_rules() {
    let (_dir, root) = sample_book();
    let csv = manifest().join("docs/import/referral-report.csv");
    let run = rapport(
        &[
            "import",
            csv.to_str().unwrap(),
            "--rules",
            "referral-report",
            "--write",
        ],
        &root,
    );
    ok(&run);
    let jane = referrals(&root.join("partners/jane-doe.md"));
    assert_eq!(jane[0].outcome, Some(Outcome::Exceeded));
    assert_eq!(jane[1].kind, ReferralType::NetNew);
    assert_eq!(jane[1].value, Some(4500.0));
    let marco = referrals(&root.join("partners/marco-ruiz.md"));
    assert_eq!(marco.len(), 2, "the cancelled row is left out");
    assert_eq!(marco[1].outcome, Some(Outcome::Lost));
}

#[test]
fn a_bad_row_is_named_and_nothing_is_written() {
    let (dir, root) = sample_book();
    let csv = dir.path().join("bad.csv");
    fs::write(
        &csv,
        "Date,Partner,Direction,Client,Outcome\n\
         2026-10-01,Lena Park,given,A. Good,met\n\
         2026-10-02,Brand New Partner,received,B. Good,won\n\
         2026-13-01,Lena Park,given,C. Bad,met\n\
         2026-10-04,Lena Park,received,D. Bad,exceeded\n",
    )
    .unwrap();
    let before = notes(&root);
    let run = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("row 4, column `Date` (A)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2026-13-01,Lena Park"),
        "the row is shown: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("row 5, column `Outcome` (E)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("does not fit a received referral"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 rows refused; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(notes(&root), before, "a refused import wrote something");
    assert!(!root.join("partners/brand-new-partner.md").exists());
}

#[test]
fn partners_are_found_by_whole_name_or_slug_never_a_prefix() {
    let (dir, root) = sample_book();
    // Two notes that the name `Sam Lee` fits: one by its name, one by its slug.
    fs::write(
        root.join("partners/sam-lee-cpa.md"),
        "---\nname: Sam Lee\n---\n",
    )
    .unwrap();
    fs::write(
        root.join("partners/sam-lee.md"),
        "---\nname: Samuel Lee\n---\n",
    )
    .unwrap();
    let csv = dir.path().join("p.csv");
    fs::write(
        &csv,
        "Date,Partner,Direction\n2026-10-01,Sam Lee,given\n2026-10-02,sam-lee-cpa,given\n",
    )
    .unwrap();
    let before = notes(&root);
    let run = rapport(&["import", csv.to_str().unwrap(), "--write"], &root);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("row 2, column `Partner` (B)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("fits more than one note"),
        "{}",
        run.stderr
    );
    assert_eq!(notes(&root), before);

    // `Lena` is not Lena Park: a prefix names a new partner.
    fs::write(&csv, "Date,Partner,Direction\n2026-10-01,Lena,given\n").unwrap();
    let run = rapport(&["import", csv.to_str().unwrap()], &root);
    ok(&run);
    assert!(
        run.stdout
            .contains("partners/lena.md  Lena (a new note): 1 to add"),
        "{}",
        run.stdout
    );
}

#[test]
fn flags_fill_what_the_file_has_no_column_for() {
    let (dir, root) = sample_book();
    let csv = dir.path().join("clients.csv");
    fs::write(
        &csv,
        "Client Name,Referred By,Client Since\nA. New,Lena Park,10/05/2026\n",
    )
    .unwrap();
    let run = rapport(&["import", csv.to_str().unwrap()], &root);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--direction"), "{}", run.stderr);
    let run = rapport(
        &[
            "import",
            csv.to_str().unwrap(),
            "--direction",
            "received",
            "--outcome",
            "won",
        ],
        &root,
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("row 2, column `Client Since` (C)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--date-format"), "{}", run.stderr);
    let before = referrals(&root.join("partners/lena-park.md"));
    ok(&rapport(
        &[
            "import",
            csv.to_str().unwrap(),
            "--direction",
            "received",
            "--outcome",
            "won",
            "--date-format",
            "%m/%d/%Y",
            "--write",
        ],
        &root,
    ));
    let after = referrals(&root.join("partners/lena-park.md"));
    let r = after.last().unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        (r.date, r.direction, r.outcome, r.client.as_deref()),
        (
            day("2026-10-05"),
            Direction::Received,
            Some(Outcome::Won),
            Some("A. New")
        )
    );
    // A bad format is bad usage.
    let run = rapport(
        &["import", csv.to_str().unwrap(), "--date-format", "%m/%d"],
        &root,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// The sample book's notes, as the import reads them.
fn sample_notes() -> Vec<BookNote> {
    let root = manifest().join("sample-data");
    let (files, problems) = rapport::read::discover::discover(&root, &root.join("partners"));
    assert!(problems.is_empty());
    files
        .into_iter()
        .map(|f| BookNote {
            bytes: fs::read(&f.path).unwrap(),
            rel: f.rel,
            slug: f.slug,
        })
        .collect()
}

#[test]
fn rows_already_in_the_book_count_as_the_format_says() {
    let book = sample_notes();
    // Helen Brooks holds one given referral on 2026-02-03 for J. Forsythe.
    let csv = "Date,Partner,Direction,Client\n\
               2026-02-03,Helen Brooks,given,j. forsythe\n\
               2026-02-03,Helen Brooks,given,J. Forsythe\n\
               2026-02-03,Helen Brooks,given,\n\
               2026-02-03,Helen Brooks,given,\n";
    let plan = import::plan(
        "x.csv",
        csv,
        &Rules::default(),
        &Options::default(),
        &book,
        "partners",
        day("2026-11-01"),
    )
    .unwrap();
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    let helen = &plan.partners[0];
    assert_eq!(helen.slug, "helen-brooks");
    let lines = |rows: &[import::Row]| rows.iter().map(|r| r.line).collect::<Vec<_>>();
    assert_eq!(lines(&helen.present), vec![2]);
    assert_eq!(lines(&helen.add), vec![3, 4, 5]);
}

fn row_strategy(
) -> impl Strategy<Value = (usize, u32, bool, Option<String>, Option<u8>, Option<u32>)> {
    (
        0usize..6,
        0u32..700,
        any::<bool>(),
        proptest::option::of("[A-Z]\\. [A-Z][a-z]{2,8}( #[0-9])?|[a-z]{1,5}: [a-z ]{1,8}|'quoted'"),
        proptest::option::of(0u8..3),
        proptest::option::of(0u32..100_000),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Removing the lines an import added gives back each note exactly, and
    /// each note checks afterwards with the rows added.
    #[test]
    fn an_import_only_adds_lines_and_every_note_checks(rows in proptest::collection::vec(row_strategy(), 1..12)) {
        let book = sample_notes();
        let partners = ["Helen Brooks", "lena-park", "PRIYA RAMAN", "Ruth Abernathy", "Marcus Bell", "Nova Partner"];
        let mut csv = String::from("Date,Partner,Direction,Client,Outcome,Value\n");
        for (p, days, given, client, outcome, value) in &rows {
            let date = Day::parse("2024-01-01").unwrap().0 + chrono::Days::new(u64::from(*days));
            let direction = if *given { "given" } else { "received" };
            let outcome = match (outcome, given) {
                (None, _) => "",
                (Some(0), _) => "pending",
                (Some(1), true) => "Exceeded",
                (Some(_), true) => "met",
                (Some(1), false) => "Closed",
                (Some(_), false) => "declined",
            };
            let client = client.clone().unwrap_or_default().replace('"', "\"\"");
            let value = value.map(|v| v.to_string()).unwrap_or_default();
            csv.push_str(&format!("{date},{},{direction},\"{client}\",{outcome},{value}\n", partners[*p]));
        }
        let plan = import::plan("x.csv", &csv, &Rules::default(), &Options::default(), &book, "partners", day("2026-11-01")).unwrap();
        prop_assert!(plan.refused.is_empty(), "{:?}", plan.refused);
        prop_assert_eq!(plan.added() + plan.partners.iter().map(|p| p.present.len()).sum::<usize>(), rows.len());
        for p in &plan.partners {
            let after = rapport::read::note::parse(&p.rel, &p.slug, &p.after);
            prop_assert!(after.is_ok(), "{} does not check: {:?}", p.rel, after.err());
            let after = after.unwrap();
            if p.new {
                prop_assert_eq!(after.referrals.len(), p.add.len());
                continue;
            }
            let before = rapport::read::note::parse(&p.rel, &p.slug, &p.before).unwrap();
            prop_assert_eq!(after.referrals.len(), before.referrals.len() + p.add.len());
            // The note as it was is the note after, with some lines taken
            // out (`inserted` checks it), and those lines are the entries
            // added, one line a field, nothing else.
            let added = inserted(
                std::str::from_utf8(&p.before).unwrap(),
                std::str::from_utf8(&p.after).unwrap(),
            );
            let fields: usize = p
                .add
                .iter()
                .map(|r| {
                    let f = &r.referral;
                    2 + usize::from(f.client.is_some())
                        + usize::from(f.kind != ReferralType::Existing)
                        + usize::from(f.outcome.is_some())
                        + usize::from(f.value.is_some())
                        + usize::from(f.note.is_some())
                })
                .sum();
            prop_assert_eq!(added.len(), fields, "{:?}", added);
            for r in &p.add {
                let date = format!("  - date: {}\n", r.referral.date);
                prop_assert!(added.contains(&date), "{:?}", added);
            }
            // Importing the note's new state again adds nothing.
            let mut book2 = book.clone();
            for n in book2.iter_mut().filter(|n| n.slug == p.slug) {
                n.bytes = p.after.clone();
            }
            let again = import::plan("x.csv", &csv, &Rules::default(), &Options::default(), &book2, "partners", day("2026-11-01")).unwrap();
            let same = again.partners.iter().find(|q| q.slug == p.slug).unwrap();
            prop_assert!(same.add.is_empty(), "{:?}", same.add);
        }
    }
}

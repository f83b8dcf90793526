//! The note format's v3 promises through the `rapport` binary and the
//! build pipeline: values in any case and did-you-mean synonyms, a tab in
//! the indentation, dates from the future as warnings that follow the
//! as-of date, and the short note of `rapport new` (FORMAT §2).

#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::{Path, PathBuf};

use rapport::book::Day;
use rapport::pipeline::stages::{Options, Pipeline};

struct Run {
    code: i32,
    out: String,
}

/// `rapport ARGS…` inside `cwd`, its output and its errors together.
fn rapport(args: &[&str], cwd: &Path) -> Run {
    let run = sample::rapport_in(args, cwd);
    Run {
        code: run.code,
        out: format!("{}{}", run.stdout, run.stderr),
    }
}

/// A book with `rapport.yaml` (as_of 2026-11-01) and the given notes.
fn book(notes: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    fs::create_dir_all(root.join("partners")).unwrap();
    fs::write(root.join("rapport.yaml"), "as_of: 2026-11-01\n").unwrap();
    for (name, text) in notes {
        fs::write(root.join("partners").join(name), text).unwrap();
    }
    (dir, root)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A referral dated in a year no test will live to see.
const FUTURE: &str = "---\nname: Jane Doe\nreferrals:\n  - date: 2026-02-01\n    direction: given\n  - date: 2999-02-01\n    direction: received\nnext_step:\n  date: 2999-03-01\n  action: Call\n---\nNotes.\n";

const WARNING: &str = "dated after the as-of date 2026-11-01: not counted";

#[test]
fn values_in_any_case_build_and_other_words_say_which_to_write() {
    let good = "---\nname: A\nrole: ESP\nreferrals:\n  - date: 2026-02-01\n    direction: Given\n    outcome: Exceeded\n    type: Net-New\nmeetings:\n  - date: 2024-03-01\n    kind: Check-In\n---\n";
    let (_tmp, root) = book(&[("a.md", good)]);
    let r = rapport(&["build", s(&root)], &root);
    assert_eq!(r.code, 0, "{}", r.out);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("public/data/partners.json")).unwrap()).unwrap();
    assert_eq!(json[0]["role"], "esp");
    assert_eq!(json[0]["net_new_given"], 1);

    let bad = "---\nname: B\nreferrals:\n  - date: 2024-02-01\n    direction: sent\nmeetings:\n  - date: 2024-03-01\n    kind: lunch\n---\n";
    fs::write(root.join("partners/b.md"), bad).unwrap();
    let r = rapport(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("partners/b.md:5:16"), "{}", r.out);
    assert!(r.out.contains("did you mean `given`?"), "{}", r.out);
    assert!(r.out.contains("partners/b.md:8:11"), "{}", r.out);
    assert!(r.out.contains("did you mean `meal`?"), "{}", r.out);
}

#[test]
fn a_tab_in_the_indentation_is_named_at_its_place() {
    let note = "---\nname: A\nreferrals:\n\t- date: 2024-02-01\n\t  direction: given\n---\n";
    let (_tmp, root) = book(&[("a.md", note)]);
    let r = rapport(&["check", s(&root)], &root);
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(
        r.out
            .contains("error: a tab cannot indent YAML; use spaces"),
        "{}",
        r.out
    );
    assert!(r.out.contains("partners/a.md:4:1"), "{}", r.out);
}

#[test]
fn a_date_from_the_future_is_a_warning_shown_by_check_and_every_build() {
    let (_tmp, root) = book(&[("jane-doe.md", FUTURE)]);
    let r = rapport(&["check", s(&root)], &root);
    assert_eq!(r.code, 0, "a warning keeps the exit status: {}", r.out);
    assert!(r.out.contains(&format!("warning: {WARNING}")), "{}", r.out);
    // The referral's date, not the next step's.
    assert!(r.out.contains("partners/jane-doe.md:6:11"), "{}", r.out);
    assert_eq!(r.out.matches(WARNING).count(), 1, "{}", r.out);
    assert!(r.out.contains("1 warning"), "{}", r.out);

    let first = rapport(&["build", s(&root)], &root);
    assert_eq!(first.code, 0, "{}", first.out);
    assert!(first.out.contains(WARNING), "{}", first.out);
    // An unchanged book into an untouched site: shown again.
    let again = rapport(&["build", s(&root)], &root);
    assert_eq!(again.code, 0, "{}", again.out);
    assert!(again.out.contains("nothing changed"), "{}", again.out);
    assert!(again.out.contains(WARNING), "{}", again.out);

    // A later as-of counts the referral: no warning.
    let later = rapport(&["check", s(&root), "--as-of", "2999-12-31"], &root);
    assert_eq!(later.code, 0, "{}", later.out);
    assert!(!later.out.contains("warning"), "{}", later.out);
}

#[test]
fn the_warning_follows_the_as_of_of_each_run_of_one_pipeline() {
    let (_tmp, root) = book(&[("jane-doe.md", FUTURE)]);
    let opts = |as_of: &str| Options {
        root: root.clone(),
        as_of: Day::parse(as_of),
        ..Options::default()
    };
    let mut pipeline = Pipeline::new();
    let warned = |p: &mut Pipeline, as_of: &str| {
        p.check(&opts(as_of))
            .unwrap()
            .warnings
            .iter()
            .filter(|d| d.message.contains("dated after the as-of date"))
            .map(|d| {
                let at = d.place.as_ref().unwrap();
                (d.message.clone(), at.line, at.column)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        warned(&mut pipeline, "2026-11-01"),
        vec![(WARNING.to_string(), 6, 11)]
    );
    // The note is not parsed again (same file), the as-of moved.
    assert_eq!(warned(&mut pipeline, "3000-01-01"), vec![]);
    let back = warned(&mut pipeline, "2027-01-01");
    assert_eq!(back.len(), 1);
    assert!(back[0].0.contains("2027-01-01"), "{back:?}");
    // A build of the site carries it too, and writes the referral nowhere.
    let built = pipeline.run(&opts("2026-11-01")).unwrap();
    assert!(built.warnings.iter().any(|d| d.message == WARNING));
    let json: serde_json::Value =
        serde_json::from_slice(&built.files["data/partners.json"]).unwrap();
    assert_eq!(json[0]["received"], 0, "not counted");
    assert_eq!(json[0]["given"], 1);
}

#[test]
fn new_writes_a_short_note_with_what_it_is_told_and_no_published_hint() {
    let (_tmp, root) = book(&[]);
    let r = rapport(
        &[
            "new",
            "Jane Doe",
            s(&root),
            "--firm",
            "Doe & Associates: CPAs",
            "--profession",
            "CPA",
            "--role",
            "Collaborator",
            "--email",
            "jane@example.com",
        ],
        &root,
    );
    assert_eq!(r.code, 0, "{}", r.out);
    let text = fs::read_to_string(root.join("partners/jane-doe.md")).unwrap();
    assert!(text.lines().count() < 25, "short: {text}");
    assert!(text.contains("role: collaborator"), "{text}");
    let r = rapport(&["build", s(&root)], &root);
    assert_eq!(r.code, 0, "{}", r.out);
    let json = fs::read_to_string(root.join("public/data/partners.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["profession"], "CPA");
    assert_eq!(v[0]["role"], "collaborator");
    let page = fs::read_to_string(root.join("public/partners/jane-doe.html")).unwrap();
    assert!(
        page.contains("Doe &amp; Associates: CPAs"),
        "the firm is shown"
    );
    assert!(!page.contains("id=\"notes-h\""), "no Notes section: {page}");
    assert!(!page.contains("what they do best"), "no hint on the page");

    // The long note, on request; a role that is not one says which.
    let r = rapport(&["new", "Sam Lee", s(&root), "--explained"], &root);
    assert_eq!(r.code, 0, "{}", r.out);
    let long = fs::read_to_string(root.join("partners/sam-lee.md")).unwrap();
    assert!(long.contains("initiatives: []"), "{long}");
    let r = rapport(&["new", "Al", s(&root), "--role", "partner"], &root);
    assert_eq!(r.code, 2, "{}", r.out);
    assert!(r.out.contains("did you mean `collaborator`?"), "{}", r.out);
    assert!(!root.join("partners/al.md").exists());
    let r = rapport(&["check", s(&root)], &root);
    assert_eq!(r.code, 0, "{}", r.out);
}

#[test]
fn the_readme_example_note_is_valid_and_its_comments_sit_on_their_keys() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let from = readme.find("## A note").expect("a section on notes");
    let block = &readme[from..];
    let start = block.find("```markdown\n").expect("the example note") + "```markdown\n".len();
    let note = &block[start..start + block[start..].find("```").unwrap()];
    let p = rapport::read::note::parse("partners/jane-doe.md", "jane-doe", note.as_bytes())
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(p.name, "Jane Doe");
    // A comment listing outcomes is on the `outcome:` line or continues it
    // on a line of its own, never beside another key (`value:`).
    for line in note.lines() {
        let Some((code, comment)) = line.split_once(" #") else {
            continue;
        };
        let key = code
            .trim()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or("");
        if ["won", "exceeded", "pending"]
            .iter()
            .any(|w| comment.contains(w))
        {
            assert!(key == "outcome" || key.is_empty(), "{line}");
        }
    }
}

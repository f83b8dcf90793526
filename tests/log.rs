//! `rapport log` and `rapport completions`, run as a user would on a copy
//! of the sample book (FORMAT §6).

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use files::inserted;
use sample::{rapport_in as rapport, Run};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the sample book in a fresh temporary folder.
fn sample_book() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    files::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
        &root,
    );
    (dir, root)
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "expected success:\n{}{}", r.stdout, r.stderr);
}

#[test]
fn a_week_of_referrals_and_meetings_reads_as_if_typed_by_hand() {
    let (_dir, root) = sample_book();
    let lena = root.join("partners/lena-park.md");
    let amara = root.join("partners/amara-nwosu.md");
    let lena_before = fs::read_to_string(&lena).unwrap();
    let amara_before = fs::read_to_string(&amara).unwrap();

    ok(&rapport(
        &[
            "log",
            "Lena Park",
            "given",
            "--date",
            "2026-11-23",
            "--client",
            "M. Osei",
            "--type",
            "net-new",
            "--outcome",
            "exceeded",
            "--value",
            "4500",
            "--note",
            "Machine shop: moved off the PEO",
        ],
        &root,
    ));
    let after_one = fs::read_to_string(&lena).unwrap();
    assert_eq!(
        inserted(&lena_before, &after_one).concat(),
        "  - date: 2026-11-23\n    direction: given\n    client: M. Osei\n    type: net-new\n    outcome: exceeded\n    value: 4500\n    note: \"Machine shop: moved off the PEO\"\n"
    );
    assert!(after_one.contains("won\n    value: 3000\n    note: Founder who wanted a personal plan alongside the company 401(k)\n  - date: 2026-11-23\n"));

    ok(&rapport(
        &[
            "log",
            "lena-park",
            "received",
            "--date",
            "2026-11-24",
            "--client",
            "T. Wu",
            "--outcome",
            "won",
        ],
        &root,
    ));
    ok(&rapport(
        &[
            "log",
            "lena park",
            "meeting",
            "--date",
            "2026-11-25",
            "--kind",
            "discovery",
            "--outcome",
            "interested",
            "--summary",
            "Open to a workshop for founders, in January",
        ],
        &root,
    ));
    ok(&rapport(
        &[
            "log",
            "LENA PARK",
            "next",
            "2026-12-01",
            "Send the workshop outline",
            "--replace",
        ],
        &root,
    ));
    // Amara has no referrals yet: the list is made, in the note's style.
    ok(&rapport(
        &[
            "log",
            "Amara Nwosu",
            "received",
            "--date",
            "2026-11-26",
            "--client",
            "The Okafor family",
        ],
        &root,
    ));
    ok(&rapport(
        &[
            "log",
            "amara-nwosu",
            "meeting",
            "--date",
            "2026-11-27",
            "--kind",
            "call",
        ],
        &root,
    ));

    let lena_after = fs::read_to_string(&lena).unwrap();
    assert!(lena_after.contains("  - date: 2026-11-24\n    direction: received\n    client: T. Wu\n    outcome: won\nmeetings:\n"), "{lena_after}");
    assert!(lena_after.contains("    summary: Breakfast; she asked how I work with business owners\n  - date: 2026-11-25\n    kind: discovery\n    outcome: interested\n    summary: Open to a workshop for founders, in January\nnext_step:\n  date: 2026-12-01\n  action: Send the workshop outline\n---\n"), "{lena_after}");
    let (_, lena_body) = lena_before.split_once("\n---\n").unwrap();
    assert!(lena_after.ends_with(lena_body), "the body is untouched");

    let amara_after = fs::read_to_string(&amara).unwrap();
    assert!(amara_after.contains("    summary: Booked for later this month; does not count yet\n  - date: 2026-11-27\n    kind: call\nnext_step:\n  date: 2026-11-20\n  action: Mutual discovery conversation at her clinic\nreferrals:\n  - date: 2026-11-26\n    direction: received\n    client: The Okafor family\n---\n"), "{amara_after}");
    assert_eq!(
        inserted(&amara_before, &amara_after).len(),
        6,
        "two meeting lines, the list's key and three referral lines"
    );

    let check = rapport(&["check"], &root);
    ok(&check);
    assert!(check.stderr.contains("0 problems"), "{}", check.stderr);
    let build = rapport(&["build", "--as-of", "2026-11-30"], &root);
    ok(&build);
    let csv = fs::read_to_string(root.join("public/data/referrals.csv")).unwrap();
    for client in ["M. Osei", "T. Wu", "The Okafor family"] {
        assert!(csv.contains(client), "{client} in referrals.csv:\n{csv}");
    }
    let page = fs::read_to_string(root.join("public/partners/lena-park.html")).unwrap();
    assert!(
        page.contains("Send the workshop outline"),
        "the new next step is shown"
    );
}

#[test]
fn crlf_and_a_bom_are_kept() {
    let (_dir, root) = sample_book();
    let path = root.join("partners/crlf-note.md");
    let before = "\u{feff}---\r\nname: Noor Haddad   # CPA\r\nreferrals: []\r\n---\r\nBody\r\n";
    fs::write(&path, before).unwrap();
    ok(&rapport(
        &[
            "log",
            "noor haddad",
            "given",
            "--date",
            "2026-11-20",
            "--client",
            "yes",
        ],
        &root,
    ));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "\u{feff}---\r\nname: Noor Haddad   # CPA\r\nreferrals:\r\n  - date: 2026-11-20\r\n    direction: given\r\n    client: \"yes\"\r\n---\r\nBody\r\n"
    );
    ok(&rapport(&["check"], &root));
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(root) {
        out.push((e.clone(), fs::read(&e).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn unknown_and_ambiguous_names_list_the_closest_and_write_nothing() {
    let (_dir, root) = sample_book();
    fs::write(
        root.join("partners/lena-park-2.md"),
        "---\nname: Lena Park\nrole: coi\n---\n",
    )
    .unwrap();
    let before = snapshot(&root);

    let r = rapport(&["log", "Lena Park", "given"], &root);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("more than one")
            && r.stderr.contains("(lena-park)")
            && r.stderr.contains("(lena-park-2)"),
        "{}",
        r.stderr
    );
    // The slug says which.
    let r = rapport(
        &[
            "log",
            "lena-park-2",
            "meeting",
            "--kind",
            "call",
            "--date",
            "2026-11-20",
        ],
        &root,
    );
    ok(&r);
    let before = {
        let mut b = before;
        let p = root.join("partners/lena-park-2.md");
        let i = b.iter().position(|(q, _)| *q == p).unwrap();
        b[i].1 = fs::read(&p).unwrap();
        b
    };

    let r = rapport(&["log", "Lena Parc", "given"], &root);
    assert_eq!(r.code, 1);
    let closest: Vec<&str> = r.stderr.lines().skip(1).take(2).collect();
    assert!(
        closest.iter().all(|l| l.contains("Lena Park")),
        "the closest come first:\n{}",
        r.stderr
    );
    let r = rapport(&["log", "Zzyzx Qqq", "given"], &root);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no partner is called `Zzyzx Qqq`"),
        "{}",
        r.stderr
    );

    assert_eq!(snapshot(&root), before, "nothing was written");
}

#[test]
fn a_log_that_would_break_the_note_writes_nothing() {
    let (_dir, root) = sample_book();
    let before = snapshot(&root);
    // `won` is the outcome of a received referral, not a given one.
    let r = rapport(&["log", "lena-park", "given", "--outcome", "won"], &root);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("`won` is not an outcome of a given referral"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("partners/lena-park.md:"),
        "located: {}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    // Only a discovery conversation has an outcome.
    let r = rapport(
        &[
            "log",
            "lena-park",
            "meeting",
            "--kind",
            "call",
            "--outcome",
            "interested",
        ],
        &root,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("a call meeting has no outcome"),
        "{}",
        r.stderr
    );
    // A note that does not check as it is is not touched.
    let broken = root.join("partners/broken.md");
    fs::write(&broken, "---\nname: Broken Note\nrole: espp\n---\n").unwrap();
    let r = rapport(&["log", "broken", "given"], &root);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("does not check as it is"), "{}", r.stderr);
    assert!(
        r.stderr.contains("`espp`"),
        "its problems are shown: {}",
        r.stderr
    );
    fs::remove_file(&broken).unwrap();
    // Bad words are refused before anything is read.
    let r = rapport(
        &["log", "lena-park", "given", "--outcome", "exceded"],
        &root,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(snapshot(&root), before, "nothing was written");
}

#[test]
fn completions_and_help() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = rapport(&["completions", shell], dir.path());
        ok(&r);
        for word in [
            "log",
            "completions",
            "client",
            "net-new",
            "outcome",
            "done",
            "thanks",
            "initiative",
            "inbox",
        ] {
            assert!(r.stdout.contains(word), "{shell} completes {word}");
        }
        if shell == "bash" || shell == "zsh" {
            assert!(
                r.stdout.contains("contact_every"),
                "{shell} completes set's keys"
            );
        }
        if shell == "bash" || shell == "fish" {
            assert!(
                r.stdout.contains("rapport log --list-names"),
                "{shell} completes names"
            );
        }
    }
    let r = rapport(&["log", "--help"], dir.path());
    ok(&r);
    assert!(
        r.stdout.contains("rapport log jane-doe next 2026-12-01"),
        "{}",
        r.stdout
    );
    let r = rapport(&["log", "x", "given", "--help"], dir.path());
    assert!(
        r.stdout.contains("--client") && r.stdout.contains("existing, net-new"),
        "{}",
        r.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_private_note_stays_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, root) = sample_book();
    let lena = root.join("partners/lena-park.md");
    fs::set_permissions(&lena, fs::Permissions::from_mode(0o600)).unwrap();
    ok(&rapport(
        &["log", "lena-park", "meeting", "--kind", "call"],
        &root,
    ));
    let mode = fs::metadata(&lena).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = fs::read_dir(root.join("partners"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("rapport-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn a_read_only_note_is_refused_and_links_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, root) = sample_book();
    let lena = root.join("partners/lena-park.md");
    let before = fs::read(&lena).unwrap();
    fs::set_permissions(&lena, fs::Permissions::from_mode(0o444)).unwrap();
    let r = rapport(&["log", "lena-park", "meeting", "--kind", "call"], &root);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);
    assert_eq!(fs::read(&lena).unwrap(), before);

    // A note kept elsewhere and linked into the book: the link stays.
    let kept = dir.path().join("amara.md");
    let amara = root.join("partners/amara-nwosu.md");
    fs::rename(&amara, &kept).unwrap();
    std::os::unix::fs::symlink(&kept, &amara).unwrap();
    ok(&rapport(
        &[
            "log",
            "amara",
            "meeting",
            "--kind",
            "call",
            "--date",
            "2026-11-20",
        ],
        &root,
    ));
    assert!(fs::symlink_metadata(&amara)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&kept)
        .unwrap()
        .contains("date: 2026-11-20"));
}

#[test]
fn parallel_runs_on_one_note_lose_no_entry() {
    let (_dir, root) = sample_book();
    let mut said_recorded = Vec::new();
    for round in 0..6 {
        // Two at a time, really at the same time.
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let root = root.clone();
                std::thread::spawn(move || {
                    let client = format!("Pair {round}-{k}");
                    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
                        .args(["log", "lena-park", "given", "--client", &client])
                        .current_dir(&root)
                        .output()
                        .unwrap();
                    (client, out)
                })
            })
            .collect();
        for h in handles {
            let (client, out) = h.join().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if out.status.success() {
                assert!(stderr.contains("recorded"), "{stderr}");
                said_recorded.push(client);
            } else {
                assert!(stderr.contains("error"), "a failing run says so: {stderr}");
            }
        }
    }
    let note = fs::read_to_string(root.join("partners/lena-park.md")).unwrap();
    assert!(!said_recorded.is_empty());
    for c in &said_recorded {
        assert!(
            note.contains(&format!("client: {c}\n")),
            "{c} was recorded:\n{note}"
        );
    }
}

#[test]
fn the_weekly_loop_without_editing_yaml() {
    let (_dir, root) = sample_book();
    let lena = root.join("partners/lena-park.md");
    // An open next step: `next` refuses, `done` closes it and sets the next.
    let r = rapport(&["log", "lena", "next", "2026-12-01", "Call"], &root);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--replace"), "{}", r.stderr);
    ok(&rapport(
        &[
            "log",
            "lena",
            "done",
            "--date",
            "2026-11-06",
            "--next",
            "2026-12-01",
            "Plan the workshop",
        ],
        &root,
    ));
    ok(&rapport(
        &[
            "log",
            "lena-park",
            "received",
            "--date",
            "2026-11-20",
            "--client",
            "K. Lee",
            "--value",
            "-250",
        ],
        &root,
    ));
    ok(&rapport(
        &["log", "lena-park", "outcome", "won", "--client", "k. lee"],
        &root,
    ));
    let thanks = rapport(
        &["log", "lena-park", "thanks", "--date", "2026-11-21"],
        &root,
    );
    ok(&thanks);
    assert!(
        thanks
            .stderr
            .contains("recorded the thank-you on the received referral of 2026-11-20 (K. Lee)"),
        "{}",
        thanks.stderr
    );
    ok(&rapport(
        &[
            "log",
            "lena-park",
            "initiative",
            "Founders breakfast",
            "--started",
            "2026-11-22",
        ],
        &root,
    ));
    ok(&rapport(
        &[
            "log",
            "lena-park",
            "initiative",
            "founders breakfast",
            "--status",
            "active",
        ],
        &root,
    ));
    ok(&rapport(
        &["log", "lena-park", "set", "profession", "yes"],
        &root,
    ));
    ok(&rapport(
        &["log", "lena-park", "set", "tags", "tax, founders"],
        &root,
    ));
    let note = fs::read_to_string(&lena).unwrap();
    for want in [
        "steps:\n  - date: 2026-11-06\n    action: Send Lena the second client she asked about\n",
        "next_step:\n  date: 2026-12-01\n  action: Plan the workshop\n",
        "client: K. Lee\n    outcome: won\n    value: -250\n    thanked: 2026-11-21\n",
        "  - name: Founders breakfast\n    started: 2026-11-22\n    status: active\n",
        "profession: \"yes\"",
        "tags: [tax, founders]",
    ] {
        assert!(note.contains(want), "{want}\n---\n{note}");
    }
    let check = rapport(&["check"], &root);
    ok(&check);
}

#[test]
fn an_inbox_files_good_lines_and_keeps_bad_ones() {
    let (_dir, root) = sample_book();
    let inbox = root.join("inbox.txt");
    fs::write(
        &inbox,
        "# referrals from the phone\n\n2026-11-20 \u{201c}Lena Park\u{201d} given --client \"R. Smith\"\nnobody-at-all given\namara meeting --kind call --date 2026-11-21\nlena-park given --client 'unclosed\n",
    )
    .unwrap();
    let r = rapport(&["log", "--inbox", "inbox.txt"], &root);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("inbox.txt:4: error: no partner is called"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("inbox.txt:6: error: a quote is not closed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 filed, 2 left"), "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(&inbox).unwrap(),
        "# referrals from the phone\n\nnobody-at-all given\nlena-park given --client 'unclosed\n"
    );
    let done = fs::read_to_string(root.join("inbox.txt.done")).unwrap();
    assert_eq!(done.lines().count(), 2, "{done}");
    assert!(
        done.contains(": 2026-11-20 \u{201c}Lena Park\u{201d} given"),
        "{done}"
    );
    let lena = fs::read_to_string(root.join("partners/lena-park.md")).unwrap();
    assert!(
        lena.contains("- date: 2026-11-20\n    direction: given\n    client: R. Smith\n"),
        "{lena}"
    );
    let names = rapport(&["log", "--list-names"], &root);
    ok(&names);
    assert!(
        names.stdout.lines().any(|l| l == "lena-park"),
        "{}",
        names.stdout
    );
}

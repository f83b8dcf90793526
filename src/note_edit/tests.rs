use super::*;

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

fn p(s: &str) -> Value {
    Value::Plain(s.into())
}

#[test]
fn a_key_is_set_in_one_entry_of_a_list_in_block_or_flow_style() {
    let before = "---\nname: A\nreferrals:\n  - date: 2024-01-01   # first\n    direction: received\n    outcome: pending  # waiting\n  - {date: 2024-02-01, direction: received, client: \"Lee, K\"}\n---\nbody\n";
    let edits = [
        Edit::SetInEntry {
            list: "referrals".into(),
            index: 0,
            key: "outcome".into(),
            value: p("won"),
        },
        Edit::SetInEntry {
            list: "referrals".into(),
            index: 0,
            key: "thanked".into(),
            value: p("2024-01-05"),
        },
        Edit::SetInEntry {
            list: "referrals".into(),
            index: 1,
            key: "thanked".into(),
            value: p("2024-02-03"),
        },
        Edit::SetInEntry {
            list: "referrals".into(),
            index: 1,
            key: "client".into(),
            value: t("Lee, K."),
        },
    ];
    let after = apply(before, &edits).unwrap();
    assert_eq!(after, "---\nname: A\nreferrals:\n  - date: 2024-01-01   # first\n    direction: received\n    outcome: won      # waiting\n    thanked: 2024-01-05\n  - {date: 2024-02-01, direction: received, client: \"Lee, K.\", thanked: 2024-02-03}\n---\nbody\n");
    assert!(apply(
        before,
        &[Edit::SetInEntry {
            list: "referrals".into(),
            index: 2,
            key: "outcome".into(),
            value: p("won"),
        }]
    )
    .is_err());
}

#[test]
fn keys_are_set_in_place_or_after_the_key_before_them() {
    let before = "---\nname: A  # who\nfirm: Old & Co   # the firm\ntags:\n  - a\n  - b\n\nreferrals: []\n---\n";
    let after = apply(
        before,
        &[
            Edit::Set {
                key: "firm".into(),
                value: t("New: Co"),
            },
            Edit::Set {
                key: "role".into(),
                value: p("coi"),
            },
            Edit::Set {
                key: "profession".into(),
                value: t("yes"),
            },
            Edit::SetList {
                key: "tags".into(),
                items: vec!["tax".into(), "a, b".into()],
            },
            Edit::Set {
                key: "contact_every".into(),
                value: p("30"),
            },
        ],
    )
    .unwrap();
    assert_eq!(after, "---\nname: A  # who\nfirm: \"New: Co\"  # the firm\nprofession: \"yes\"\nrole: coi\ntags: [tax, \"a, b\"]\n\nreferrals: []\ncontact_every: 30\n---\n");
}

#[test]
fn a_key_is_removed_with_its_lines_only() {
    let before = "---\nname: A\nnext_step:\n  date: 2024-01-01\n  # why\n  action: >\n    long\n\nextra: {}\n---\n";
    let after = apply(
        before,
        &[Edit::Remove {
            key: "next_step".into(),
        }],
    )
    .unwrap();
    assert_eq!(after, "---\nname: A\n\nextra: {}\n---\n");
}

#[test]
fn yaml_1_1_readers_read_every_text_back_as_text() {
    for s in [
        "<<",
        "=",
        "2026-01-01 10:00:00",
        "2026-01-01T10:00:00Z",
        "yes",
        "Off",
        "ON",
        "y",
        "~",
        "1_000",
        "0b101",
        "12:30",
        "190:20:30.15",
        ".inf",
        "-.Inf",
        ".NaN",
        "+12",
        "0o17",
        "a\u{2028}b",
    ] {
        assert!(needs_quotes(s, false), "{s:?}");
    }
    assert!(needs_quotes("a:b", true) && !needs_quotes("a:b", false));
    let q = text::Quote { single: false };
    assert_eq!(text::scalar("a\u{2028}b", false, q), "\"a\\u2028b\"");
    let back: yaml_serde::Value = yaml_serde::from_str("k: \"a\\u2028b\"").unwrap();
    assert_eq!(back["k"].as_str(), Some("a\u{2028}b"));
}

#[test]
fn a_key_added_to_an_entry_goes_where_the_format_puts_it() {
    let before = "---\nname: A\nreferrals:\n  - date: 2024-01-01\n    direction: received\n    client: B\n    value: 10  # fees\n    note: >\n      long\n---\n";
    let after = apply(
        before,
        &[Edit::SetInEntry {
            list: "referrals".into(),
            index: 0,
            key: "outcome".into(),
            value: p("won"),
        }],
    )
    .unwrap();
    assert!(
        after.contains("    client: B\n    outcome: won\n    value: 10  # fees\n"),
        "{after}"
    );
}

#[test]
fn lines_shown_are_the_ones_added_or_changed() {
    let before = "---\nname: A\nrole: esp\nfirm: X\n---\n";
    let a = apply_shown(
        before,
        &[Edit::Set {
            key: "role".into(),
            value: p("coi"),
        }],
    )
    .unwrap();
    assert_eq!((a.line, a.lines), (3, vec!["role: coi".to_string()]));
}

// ------------------------------------------------------ replacing on disk

#[cfg(unix)]
mod on_disk {
    use super::super::replace::{create_aside, with_note};
    use super::super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    const NOTE: &str = "---\nname: Jane Doe\nreferrals: []\n---\nBody\n";

    fn referral(client: &str) -> impl FnOnce(&Partner) -> Result<Plan, Refused> + '_ {
        move |p: &Partner| {
            let mut expected = p.clone();
            let day = crate::book::Day::parse("2026-11-20").unwrap();
            expected.referrals.push(crate::book::Referral {
                date: day,
                direction: crate::book::Direction::Given,
                client: Some(client.into()),
                kind: crate::book::ReferralType::Existing,
                outcome: None,
                value: None,
                note: None,
                thanked: None,
            });
            Ok(Plan {
                edits: vec![Edit::Append {
                    list: "referrals".into(),
                    fields: vec![
                        ("date".into(), Value::day(day)),
                        ("direction".into(), Value::Plain("given".into())),
                        ("client".into(), Value::Text(client.into())),
                    ],
                }],
                expected,
            })
        }
    }

    fn dir() -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let note = d.path().join("jane-doe.md");
        fs::write(&note, NOTE).unwrap();
        (d, note)
    }

    #[test]
    fn the_file_aside_is_new_private_from_its_creation_and_never_a_symlink() {
        let (d, note) = dir();
        fs::set_permissions(&note, fs::Permissions::from_mode(0o600)).unwrap();
        let meta = fs::metadata(&note).unwrap();
        let (_f, aside) = create_aside(&note, &meta).unwrap();
        let (_g, other) = create_aside(&note, &meta).unwrap();
        assert_ne!(aside, other, "a fresh name each time");
        let m = fs::symlink_metadata(&aside).unwrap();
        assert!(m.file_type().is_file());
        assert_eq!(
            m.permissions().mode() & 0o777,
            0o600,
            "as private as the note"
        );
        assert_eq!(m.len(), 0, "created, not reused");
        fs::remove_file(&aside).unwrap();
        fs::remove_file(&other).unwrap();

        // A symlink planted at the name an older version used is not followed.
        let victim = d.path().join("victim.txt");
        fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, d.path().join(".jane-doe.md.rapport-tmp")).unwrap();
        update(&note, "jane-doe.md", "jane-doe", referral("R. Smith")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(fs::read_to_string(&note)
            .unwrap()
            .contains("client: R. Smith"));
        assert_eq!(
            fs::metadata(&note).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let left: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rapport-tmp") && n != ".jane-doe.md.rapport-tmp")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_symlinked_note_edits_its_target_and_stays_a_link() {
        let (d, target) = dir();
        let notes = d.path().join("partners");
        fs::create_dir(&notes).unwrap();
        let link = notes.join("jane-doe.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        update(
            &link,
            "partners/jane-doe.md",
            "jane-doe",
            referral("R. Smith"),
        )
        .unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::read_to_string(&target)
            .unwrap()
            .contains("client: R. Smith"));
    }

    #[test]
    fn a_hard_linked_note_is_written_in_place_for_every_name() {
        let (d, note) = dir();
        let other = d.path().join("backup-of-jane.md");
        fs::hard_link(&note, &other).unwrap();
        update(&note, "jane-doe.md", "jane-doe", referral("R. Smith")).unwrap();
        assert_eq!(fs::metadata(&note).unwrap().nlink(), 2, "the link is kept");
        assert!(fs::read_to_string(&other)
            .unwrap()
            .contains("client: R. Smith"));
        assert_eq!(
            fs::metadata(&note).unwrap().ino(),
            fs::metadata(&other).unwrap().ino()
        );
    }

    #[test]
    fn a_read_only_note_is_refused() {
        let (_d, note) = dir();
        fs::set_permissions(&note, fs::Permissions::from_mode(0o444)).unwrap();
        let r = update(&note, "jane-doe.md", "jane-doe", referral("R. Smith"));
        assert!(matches!(r, Err(Refused::ReadOnly)), "{r:?}");
        assert!(Refused::ReadOnly.to_string().contains("read-only"));
        assert_eq!(fs::read_to_string(&note).unwrap(), NOTE);
    }

    #[test]
    fn runs_at_the_same_time_take_turns_and_lose_nothing() {
        let (_d, note) = dir();
        let clients: Vec<String> = (0..24).map(|i| format!("Client {i}")).collect();
        std::thread::scope(|s| {
            for c in &clients {
                let note = &note;
                s.spawn(move || {
                    update(note, "jane-doe.md", "jane-doe", referral(c)).unwrap();
                });
            }
        });
        let after = fs::read_to_string(&note).unwrap();
        for c in &clients {
            assert!(
                after.contains(&format!("client: {c}\n")),
                "{c} kept:\n{after}"
            );
        }
    }

    #[test]
    fn a_refused_edit_writes_nothing() {
        let (_d, note) = dir();
        let r = with_note(&note, |_| -> Result<(Vec<u8>, ()), Refused> {
            Err(Refused::Declined("no".into()))
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(&note).unwrap(), NOTE);
    }
}

#[test]
fn edits_keep_every_other_byte() {
    let before = "\u{feff}---\r\nname: A\r\nnext_step: {date: 2026-01-01, action: Call}  # soon\r\n---\r\nBody";
    let after = apply(
        before,
        &[Edit::Remove {
            key: "next_step".into(),
        }],
    )
    .unwrap();
    assert_eq!(after, "\u{feff}---\r\nname: A\r\n---\r\nBody");
}

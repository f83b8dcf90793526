//! `rapport.yaml`: the book's settings, every key optional.

use std::path::{Path, PathBuf};

use crate::book::{Cadence, Day, Settings, SettingsFile};
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::decode::{decode, yaml_diagnostics};
use crate::syntax::yaml::{self, Check, Checked, Doc, Seg};

/// The settings file name, in the book root.
pub const FILE: &str = "rapport.yaml";

const SETTINGS: Doc = Doc {
    what: "rapport.yaml",
    unknown_key_help: None,
    required: &[],
    synonym: crate::book::words::synonym,
};

impl Checked for SettingsFile {
    fn check(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let mut rule = |ok: bool, path: &[&str], message: String, label: &str| {
            if !ok {
                checks.push(Check {
                    path: path.iter().map(|k| Seg::Key(k.to_string())).collect(),
                    message,
                    label: label.into(),
                    help: Vec::new(),
                });
            }
        };
        if let Some(r) = &self.readiness {
            rule(
                r.exceed_share > 0.0 && r.exceed_share <= 1.0,
                &["readiness", "exceed_share"],
                "`exceed_share` is a share above 0 and at most 1".into(),
                "expected a number above 0 and at most 1, like 0.66",
            );
            rule(
                (1..=100).contains(&r.min_outcomes),
                &["readiness", "min_outcomes"],
                "`min_outcomes` must be from 1 to 100".into(),
                "expected a number of referrals, like 3",
            );
        }
        if let Some(c) = &self.cadence {
            for (role, days) in c.named() {
                if let Some(days) = days {
                    rule(
                        (1..=3650).contains(&days),
                        &["cadence", role.as_str()],
                        format!("the cadence of `{role}` must be from 1 to 3650 days"),
                        "expected a whole number of days, like 90",
                    );
                }
            }
        }
        if let Some(m) = self.window_months {
            rule(
                (1..=1200).contains(&m),
                &["window_months"],
                "`window_months` must be from 1 to 1200".into(),
                "expected a number of months, like 24",
            );
        }
        if let Some(m) = self.fiscal_year_start {
            rule(
                (1..=12).contains(&m),
                &["fiscal_year_start"],
                "`fiscal_year_start` is a month, from 1 to 12".into(),
                "expected the number of the month the year starts, like 7 for July",
            );
        }
        for (key, value) in [
            ("notes_dir", &self.notes_dir),
            ("output_dir", &self.output_dir),
        ] {
            let inside = value.as_deref().is_none_or(|v| {
                Path::new(v).components().all(|c| {
                    matches!(
                        c,
                        std::path::Component::Normal(_) | std::path::Component::CurDir
                    )
                })
            });
            rule(
                inside,
                &[key],
                format!("`{key}` must name a folder inside the book"),
                "expected a relative folder name, like `public`",
            );
        }
        if let Some(url) = &self.site_url {
            rule(
                is_site_url(url),
                &["site_url"],
                "`site_url` must be an http or https address".into(),
                "expected where the site is published, like https://example.com/partners/",
            );
        }
        checks
    }
}

/// An absolute `http://` or `https://` address with a host and nothing a
/// calendar line or a link could not carry (no space, quote, angle bracket
/// or control character).
fn is_site_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with(':')
        && !host.contains('@')
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '`'))
        && !url.contains(['?', '#'])
}

/// `site_url` as the build uses it: trimmed, ending in `/` so that a page's
/// path can follow it.
fn site_url(url: &str) -> String {
    let url = url.trim();
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// Reads and validates the settings of the book at `root`; a missing file
/// means every default. `today` stands in when `as_of` is not set.
pub fn load(root: &Path, today: Day) -> Result<Settings, Vec<Diagnostic>> {
    let path = root.join(FILE);
    let settings = match std::fs::read(&path) {
        Ok(bytes) => parse(&bytes, today),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => parse(b"", today),
        Err(e) => Err(vec![Diagnostic::error(
            FILE,
            format!("cannot be read: {e}"),
        )]),
    }?;
    Ok(settings)
}

/// Parses settings text.
pub fn parse(bytes: &[u8], today: Day) -> Result<Settings, Vec<Diagnostic>> {
    let text = decode(FILE, bytes).map_err(|d| vec![*d])?;
    let source = Source::new(text.to_owned());
    let raw: SettingsFile = yaml::from_str(&source.text, SETTINGS)
        .map_err(|p| yaml_diagnostics(FILE, &source, 1, p))?;
    let readiness = raw.readiness.clone().unwrap_or_default();
    let window_months = raw.window_months.unwrap_or(24);
    Ok(Settings {
        title: raw.title.unwrap_or_else(|| "Referral partners".into()),
        notes_dir: PathBuf::from(raw.notes_dir.unwrap_or_else(|| "partners".into())),
        output_dir: PathBuf::from(raw.output_dir.unwrap_or_else(|| "public".into())),
        as_of: raw.as_of.unwrap_or(today),
        window_months,
        advisor: raw.advisor.unwrap_or_default(),
        readiness,
        cadence: raw
            .cadence
            .as_ref()
            .map(Cadence::from_file)
            .unwrap_or_default(),
        currency: raw.currency.map(|c| c.trim().to_string()),
        fiscal_year_start: raw.fiscal_year_start.unwrap_or(1),
        privacy: raw.privacy.unwrap_or_default(),
        site_url: raw.site_url.as_deref().map(site_url),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Role;

    fn today() -> Day {
        Day::parse("2026-01-15").unwrap()
    }

    #[test]
    fn defaults_when_empty() {
        let s = parse(b"", today()).unwrap();
        assert_eq!(s.window_months, 24);
        assert_eq!(s.readiness.min_outcomes, 3);
        assert_eq!(s.as_of, today());
        assert_eq!(s.notes_dir, PathBuf::from("partners"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let d = parse(
            b"title: X\nreadiness:\n  exceed_share: 1.5\n  stale_dayz: 10\n",
            today(),
        )
        .unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].place.as_ref().unwrap().line, 4);
        assert!(d[0].help.iter().any(|h| h.contains("stale_days")));
        let d = parse(b"readiness:\n  exceed_share: 1.5\n", today()).unwrap_err();
        assert_eq!(d[0].place.as_ref().unwrap().line, 2);
    }

    #[test]
    fn cadence_defaults_by_role() {
        let s = parse(b"", today()).unwrap();
        assert_eq!(s.cadence.of(Role::Esp), Some(180));
        assert_eq!(s.cadence.of(Role::Collaborator), Some(60));
        assert_eq!(s.cadence.of(Role::Coi), Some(90));
        assert_eq!(s.cadence.of(Role::Prospect), Some(30));
        assert_eq!(s.cadence.of(Role::Inactive), None);
        assert_eq!(s.currency, None);
        assert!(!s.privacy.encrypt);
    }

    #[test]
    fn a_role_named_under_cadence_replaces_only_its_own_default() {
        let s = parse(b"cadence:\n  coi: 45\n  inactive: 365\n", today()).unwrap();
        assert_eq!(s.cadence.of(Role::Coi), Some(45));
        assert_eq!(s.cadence.of(Role::Inactive), Some(365));
        assert_eq!(s.cadence.of(Role::Esp), Some(180));
        assert_eq!(s.cadence.of(Role::Collaborator), Some(60));
        assert_eq!(s.cadence.of(Role::Prospect), Some(30));
        // Named with no value: that role has no cadence.
        let s = parse(b"cadence:\n  prospect:\n", today()).unwrap();
        assert_eq!(s.cadence.of(Role::Prospect), None);
        assert_eq!(s.cadence.of(Role::Esp), Some(180));
    }

    #[test]
    fn cadence_values_are_days_from_1_to_3650() {
        for ok in ["1", "3650"] {
            let text = format!("cadence:\n  esp: {ok}\n");
            assert!(parse(text.as_bytes(), today()).is_ok(), "{ok}");
        }
        for bad in ["0", "3651"] {
            let text = format!("title: X\ncadence:\n  esp: {bad}\n");
            let d = parse(text.as_bytes(), today()).unwrap_err();
            assert_eq!(d.len(), 1, "{d:?}");
            let place = d[0].place.as_ref().unwrap();
            assert_eq!((place.line, place.column), (3, 8), "{bad}");
            assert!(d[0].message.contains("1 to 3650"), "{}", d[0].message);
        }
        let d = parse(b"cadence:\n  esp: -5\n", today()).unwrap_err();
        assert_eq!(d[0].place.as_ref().unwrap().line, 2);
        let d = parse(b"cadence:\n  esp: often\n", today()).unwrap_err();
        assert_eq!(d[0].place.as_ref().unwrap().line, 2);
    }

    #[test]
    fn an_unknown_role_under_cadence_suggests_the_nearest() {
        let d = parse(b"cadence:\n  esp: 90\n  colaborator: 30\n", today()).unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        let place = d[0].place.as_ref().unwrap();
        assert_eq!((place.line, place.column), (3, 3));
        assert!(d[0].message.contains("`colaborator`"), "{}", d[0].message);
        assert!(
            d[0].help.iter().any(|h| h.contains("`collaborator`")),
            "{:?}",
            d[0].help
        );
    }

    #[test]
    fn currency_and_encrypt_are_carried() {
        let s = parse(b"currency: USD\nprivacy:\n  encrypt: true\n", today()).unwrap();
        assert_eq!(s.currency.as_deref(), Some("USD"));
        assert!(s.privacy.encrypt);
        assert!(!s.privacy.redact_clients);
        let d = parse(b"privacy:\n  encrypt: yes please\n", today()).unwrap_err();
        assert_eq!(d[0].place.as_ref().unwrap().line, 2);
    }

    #[test]
    fn readiness_ranges() {
        for (text, line) in [
            ("readiness:\n  min_outcomes: 0\n", 2),
            ("readiness:\n  min_outcomes: 101\n", 2),
            ("readiness:\n  exceed_share: 0\n", 2),
            ("readiness:\n  exceed_share: 1.01\n", 2),
        ] {
            let d = parse(text.as_bytes(), today()).unwrap_err();
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            assert_eq!(d[0].place.as_ref().unwrap().line, line, "{text}");
        }
        for text in [
            "readiness:\n  min_outcomes: 1\n",
            "readiness:\n  min_outcomes: 100\n",
            "readiness:\n  exceed_share: 1\n",
            "readiness:\n  exceed_share: 0.01\n",
        ] {
            assert!(parse(text.as_bytes(), today()).is_ok(), "{text}");
        }
    }

    #[test]
    fn fiscal_year_start_is_a_month() {
        assert_eq!(parse(b"", today()).unwrap().fiscal_year_start, 1);
        let s = parse(b"fiscal_year_start: 7\n", today()).unwrap();
        assert_eq!(s.fiscal_year_start, 7);
        for bad in ["0", "13"] {
            let text = format!("title: X\nfiscal_year_start: {bad}\n");
            let d = parse(text.as_bytes(), today()).unwrap_err();
            assert_eq!(d.len(), 1, "{d:?}");
            let place = d[0].place.as_ref().unwrap();
            assert_eq!((place.line, place.column), (2, 20), "{bad}");
            assert!(d[0].message.contains("1 to 12"), "{}", d[0].message);
        }
        let d = parse(b"fiscal_year_start: July\n", today()).unwrap_err();
        assert_eq!(d[0].place.as_ref().unwrap().line, 1);
    }

    #[test]
    fn as_of_is_a_date() {
        let d = parse(b"as_of: 2026/11/01\n", today()).unwrap_err();
        assert!(d[0].label.contains("YYYY-MM-DD"));
        let s = parse(b"as_of: 2026-11-01\n", today()).unwrap();
        assert_eq!(s.as_of.to_string(), "2026-11-01");
    }

    #[test]
    fn site_url_is_an_http_address_ending_in_a_slash() {
        assert_eq!(parse(b"", today()).unwrap().site_url, None);
        for (text, want) in [
            (
                "https://example.com/partners/",
                "https://example.com/partners/",
            ),
            (
                "https://example.com/partners",
                "https://example.com/partners/",
            ),
            ("http://intranet:8080", "http://intranet:8080/"),
        ] {
            let s = parse(format!("site_url: {text}\n").as_bytes(), today()).unwrap();
            assert_eq!(s.site_url.as_deref(), Some(want), "{text}");
        }
        for bad in [
            "example.com/partners/",
            "ftp://example.com/",
            "https://",
            "https:///x",
            "https://exa mple.com/",
            "https://example.com/?a=1",
            "javascript:alert(1)",
            "'https://example.com/<x>'",
        ] {
            let text = format!("title: X\nsite_url: {bad}\n");
            let d = parse(text.as_bytes(), today()).unwrap_err();
            assert_eq!(d.len(), 1, "{bad}: {d:?}");
            let place = d[0].place.as_ref().unwrap();
            assert_eq!((place.line, place.column), (2, 11), "{bad}");
            assert!(d[0].message.contains("http or https"), "{}", d[0].message);
        }
    }
}

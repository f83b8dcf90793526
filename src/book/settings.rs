//! `rapport.yaml`: the book's settings, every key optional.

use std::path::{Path, PathBuf};

use crate::book::{Day, Settings, SettingsFile};
use crate::diagnostics::{Diagnostic, Source};
use crate::read::note::{decode, yaml_diagnostics};
use crate::read::yaml::{self, Check, Checked, Doc, Seg};

/// The settings file name, in the book root.
pub const FILE: &str = "rapport.yaml";

const SETTINGS: Doc = Doc {
    what: "rapport.yaml",
    unknown_key_help: None,
    required: &[],
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
                (0.0..=1.0).contains(&r.exceed_share),
                &["readiness", "exceed_share"],
                "`exceed_share` is a share between 0 and 1".into(),
                "expected a number from 0 to 1, like 0.66",
            );
        }
        if let Some(m) = self.window_months {
            rule(
                (1..=1200).contains(&m),
                &["window_months"],
                "`window_months` must be from 1 to 1200".into(),
                "expected a number of months, like 24",
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
        checks
    }
}

/// Reads and validates the settings of the book at `root`; a missing file
/// means every default. `today` stands in when `as_of` is not set.
pub fn load(root: &Path, today: Day) -> Result<Settings, Vec<Diagnostic>> {
    let path = root.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => parse(&bytes, today),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => parse(b"", today),
        Err(e) => Err(vec![Diagnostic::error(
            FILE,
            format!("cannot be read: {e}"),
        )]),
    }
}

/// Parses settings text.
pub fn parse(bytes: &[u8], today: Day) -> Result<Settings, Vec<Diagnostic>> {
    let text = decode(FILE, bytes).map_err(|d| vec![*d])?;
    let source = Source::new(text);
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
        privacy: raw.privacy.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn as_of_is_a_date() {
        let d = parse(b"as_of: 2026/11/01\n", today()).unwrap_err();
        assert!(d[0].label.contains("YYYY-MM-DD"));
        let s = parse(b"as_of: 2026-11-01\n", today()).unwrap();
        assert_eq!(s.as_of.to_string(), "2026-11-01");
    }
}

//! `rapport log --inbox FILE`: a text file of entries, one a line, each
//! written as the words after `rapport log` (shell quoting), optionally
//! starting with the day (`2026-11-20 lena given --client "R. Smith"`),
//! which stands for today on that line, so it becomes the entry's date.
//!
//! Lines that file are moved to `FILE.done`, each as `filed DAY: LINE`;
//! lines that fail stay, as do blank lines and `#` comments. The inbox is
//! rewritten through the note editor's replace routine (locked, written
//! aside, renamed), so a copy a phone syncs in the meantime is not torn.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::book::Day;
use crate::note_edit::replace;

use super::Recorded;

/// What filing an inbox did, line by line (1-based line numbers).
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<(usize, Result<Recorded, String>)>,
}

impl Report {
    pub fn filed(&self) -> usize {
        self.lines.iter().filter(|(_, r)| r.is_ok()).count()
    }
    pub fn failed(&self) -> usize {
        self.lines.len() - self.filed()
    }
}

/// An inbox line's words, and the day it starts with, if any.
pub type Words = (Option<Day>, Vec<String>);

/// An inbox line cut into words: `None` for a blank line or a comment.
pub fn words(line: &str) -> Option<Result<Words, String>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // A phone's keyboard types curly quotes.
    let straight = line
        .replace(['\u{201c}', '\u{201d}'], "\"")
        .replace(['\u{2018}', '\u{2019}'], "'");
    let Some(mut words) = shlex::split(&straight) else {
        return Some(Err("a quote is not closed".into()));
    };
    let day = words.first().and_then(|w| Day::parse(w));
    if day.is_some() {
        words.remove(0);
    }
    if words.is_empty() {
        return Some(Err("a day alone: say who and what".into()));
    }
    Some(Ok((day, words)))
}

/// The file a filed line moves to: `FILE.done`.
pub fn done_path(inbox: &Path) -> PathBuf {
    let mut name = inbox.file_name().unwrap_or_default().to_os_string();
    name.push(".done");
    inbox.with_file_name(name)
}

/// Files every entry of the inbox at `path` with `file_one` (the line's
/// words, and the day that stands for today on that line).
pub fn file(
    path: &Path,
    today: Day,
    mut file_one: impl FnMut(&[String], Day) -> Result<Recorded, String>,
) -> Result<Report, String> {
    let (report, moved) = replace::with_note(path, |bytes| {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| crate::note_edit::Refused::Cannot("the inbox is not UTF-8 text".into()))?;
        let mut report = Report::default();
        let mut kept = String::new();
        let mut moved = Vec::new();
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let result = match words(line) {
                None => {
                    kept.push_str(line);
                    continue;
                }
                Some(Err(e)) => Err(e),
                Some(Ok((day, words))) => file_one(&words, day.unwrap_or(today)),
            };
            if result.is_ok() {
                moved.push(line.trim_end_matches(['\n', '\r']).to_string());
            } else {
                kept.push_str(line);
            }
            report.lines.push((i + 1, result));
        }
        Ok((kept.into_bytes(), (report, moved)))
    })
    .map_err(|e| format!("{}: {e}", path.display()))?;
    if !moved.is_empty() {
        let done = done_path(path);
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = String::new();
        for l in &moved {
            out.push_str(&format!("filed {today}: {l}\n"));
        }
        options
            .open(&done)
            .and_then(|mut f| f.write_all(out.as_bytes()).and_then(|_| f.sync_all()))
            .map_err(|e| {
                format!(
                    "{}: {e}; the filed lines are no longer in the inbox:\n{out}",
                    done.display()
                )
            })?;
    }
    Ok(report)
}

//! `rapport log`: records a referral, a meeting, an outcome, a thank-you,
//! an initiative, a step done or the next one in a partner's note without
//! opening an editor. This is the library half: it finds the partner,
//! turns a verb into edits of the note and the partner it must read back
//! as, and hands them to [`crate::note_edit`], which locks, edits, checks
//! and replaces the note. The command line is in `cmd/log.rs`.

pub mod inbox;
mod verbs;

use std::path::{Path, PathBuf};

use crate::book::{Day, Meeting, Partner, Referral};
use crate::diagnostics::escape_controls;
use crate::note_edit::{self, Applied, Refused};
use crate::read::discover::{discover, slugify};
use crate::read::note;

pub use crate::note_edit::needs_quotes;
pub use verbs::{plan, Action, SetKey};

/// An entry added by `given`, `received`, `meeting` or set by `next`.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Referral(Referral),
    Meeting(Meeting),
    NextStep { date: Day, action: String },
}

/// Adds `entry` to the note `bytes` (file `file`, slug `slug`) and checks
/// the result as `check` would: the note must check before and after, and
/// read back with exactly the entry added (a next step replaces the one
/// in the note). Nothing is read or written on disk.
pub fn apply(file: &str, slug: &str, bytes: &[u8], entry: &Entry) -> Result<Applied, Refused> {
    let action = match entry {
        Entry::NextStep { date, action } => Action::Next {
            date: *date,
            action: action.clone(),
            replace: true,
        },
        other => Action::Add(other.clone()),
    };
    note_edit::check_and_apply(file, slug, bytes, |p| plan(p, &action))
}

/// Why a log was not recorded.
#[derive(Debug)]
pub enum LogError {
    /// The book cannot be read (no folder, settings with problems).
    Book(String),
    /// NAME names no partner, or more than one.
    Partner(NotFound),
    /// The note refused the change.
    Refused { file: String, why: Refused },
}

impl std::fmt::Display for LogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogError::Book(m) => f.write_str(m),
            LogError::Partner(e) => write!(f, "{e}"),
            LogError::Refused { file, why } => match why {
                Refused::Before(_) => {
                    write!(
                        f,
                        "{file} does not check as it is; fix it first (nothing was written)"
                    )
                }
                Refused::After(_) => write!(
                    f,
                    "with this change {file} would not check; nothing was written"
                ),
                Refused::Io(e) => write!(f, "{file}: {e}; nothing was written"),
                other => write!(f, "{file}: {other}; nothing was written"),
            },
        }
    }
}

/// What was recorded: in which note, on which line, the lines added or
/// changed, and in words.
#[derive(Debug)]
pub struct Recorded {
    pub file: String,
    pub applied: Applied,
    pub what: String,
}

/// Records `action` in the note of the partner `name` names, in the book
/// at `root`.
pub fn record(root: &Path, name: &str, action: &Action, today: Day) -> Result<Recorded, LogError> {
    let candidates = candidates(root, today).map_err(LogError::Book)?;
    let target = find(&candidates, name).map_err(LogError::Partner)?;
    record_in(target, action)
}

/// Records `action` in the note of `target`.
pub fn record_in(target: &Candidate, action: &Action) -> Result<Recorded, LogError> {
    let mut what = action.what();
    let applied = note_edit::update(&target.path, &target.rel, &target.slug, |p| {
        let plan = plan(p, action)?;
        what = verbs::described(p, &plan, action);
        Ok(plan)
    })
    .map_err(|why| LogError::Refused {
        file: target.rel.clone(),
        why,
    })?;
    Ok(Recorded {
        file: target.rel.clone(),
        applied,
        what,
    })
}

// ------------------------------------------------------- finding a partner

/// A note that NAME may name.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub slug: String,
    /// The `name:` of the note, when it reads.
    pub name: Option<String>,
    pub rel: String,
    pub path: PathBuf,
}

impl Candidate {
    /// The name and slug as a terminal may show them: control characters
    /// and escape sequences written out, never obeyed.
    pub fn shown(&self) -> String {
        match &self.name {
            Some(n) => format!("{} ({})", shown(n), shown(&self.slug)),
            None => shown(&self.slug).into_owned(),
        }
    }
}

/// The one note NAME names: its slug, or its `name:` (case-insensitive),
/// or a name whose slug is the note's. Unknown or ambiguous: an error
/// listing the closest.
pub fn find<'a>(candidates: &'a [Candidate], query: &str) -> Result<&'a Candidate, NotFound> {
    let q = query.trim().to_lowercase();
    let q_slug = slugify(query);
    // A slug is one note's own: it decides between notes of the same name.
    if let Some(c) = candidates.iter().find(|c| c.slug == q) {
        return Ok(c);
    }
    let exact: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.slug == q
                || c.name
                    .as_ref()
                    .is_some_and(|n| n.trim().to_lowercase() == q)
                || (!q_slug.is_empty()
                    && (c.slug == q_slug || c.name.as_ref().is_some_and(|n| slugify(n) == q_slug)))
        })
        .collect();
    let owned = |cs: &[&Candidate]| cs.iter().map(|&c| c.clone()).collect::<Vec<_>>();
    match exact.len() {
        1 => return Ok(exact[0]),
        n if n > 1 => {
            return Err(NotFound::SameName {
                query: query.to_string(),
                candidates: owned(&exact),
            })
        }
        _ => {}
    }
    let partial: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            !q.is_empty()
                && (c.slug.contains(&q)
                    || c.name
                        .as_ref()
                        .is_some_and(|n| n.to_lowercase().contains(&q)))
        })
        .collect();
    // A unique first name or beginning of a name (`dana`, `dana w`).
    let prefix: Vec<&Candidate> = partial
        .iter()
        .copied()
        .filter(|c| {
            (!q_slug.is_empty() && c.slug.starts_with(&q_slug))
                || c.name.as_ref().is_some_and(|n| {
                    let n = n.trim().to_lowercase();
                    n.starts_with(&q) || (!q_slug.is_empty() && slugify(&n).starts_with(&q_slug))
                })
        })
        .collect();
    if prefix.len() == 1 {
        return Ok(prefix[0]);
    }
    if partial.len() > 1 {
        return Err(NotFound::Part {
            query: query.to_string(),
            candidates: owned(&partial),
        });
    }
    let score = |c: &Candidate| {
        let by_slug = strsim::jaro_winkler(&q_slug, &c.slug);
        let by_name = c
            .name
            .as_ref()
            .map_or(0.0, |n| strsim::jaro_winkler(&q, &n.to_lowercase()));
        by_slug.max(by_name)
    };
    let mut ranked: Vec<(f64, &Candidate)> = candidates.iter().map(|c| (score(c), c)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.slug.cmp(&b.1.slug)));
    let mut closest: Vec<&Candidate> = partial.clone();
    closest.extend(
        ranked
            .iter()
            .filter(|(s, c)| *s >= 0.6 && !partial.iter().any(|p| p.slug == c.slug))
            .map(|(_, c)| *c),
    );
    closest.truncate(3);
    Err(NotFound::Unknown {
        query: query.to_string(),
        closest: owned(&closest),
    })
}

/// Why NAME did not name one partner.
#[derive(Debug, Clone)]
pub enum NotFound {
    /// Several notes have that name: the slug says which.
    SameName {
        query: String,
        candidates: Vec<Candidate>,
    },
    /// Several names contain it.
    Part {
        query: String,
        candidates: Vec<Candidate>,
    },
    /// None has it: the closest, best first (maybe none).
    Unknown {
        query: String,
        closest: Vec<Candidate>,
    },
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |cs: &[Candidate]| {
            cs.iter()
                .map(|c| format!("  {}", c.shown()))
                .collect::<Vec<_>>()
                .join("\n")
        };
        match self {
            NotFound::SameName { query, candidates } => write!(
                f,
                "`{}` names more than one partner:\n{}\nuse the slug to say which",
                shown(query),
                list(candidates)
            ),
            NotFound::Part { query, candidates } => write!(
                f,
                "`{}` is part of more than one partner's name:\n{}\nuse the full name or the slug",
                shown(query),
                list(candidates)
            ),
            NotFound::Unknown { query, closest } if closest.is_empty() => write!(
                f,
                "no partner is called `{}`, and none comes close",
                shown(query)
            ),
            NotFound::Unknown { query, closest } => write!(
                f,
                "no partner is called `{}`; the closest:\n{}",
                shown(query),
                list(closest)
            ),
        }
    }
}

/// Text from a note or the command line as a terminal may show it.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\t']) {
        escape_controls(text)
            .replace('\n', "\\n")
            .replace('\t', "\\t")
            .into()
    } else {
        escape_controls(text)
    }
}

/// The notes of the book at `root`, each with its name when it reads.
pub fn candidates(root: &Path, today: Day) -> Result<Vec<Candidate>, String> {
    if !root.is_dir() {
        return Err(format!("there is no book folder at {}", root.display()));
    }
    let settings = crate::pipeline::output::settings_then_recover(root, today)
        .map_err(|_| "rapport.yaml has problems; run `rapport check` first".to_string())?;
    let (files, _) = discover(root, &root.join(&settings.notes_dir));
    Ok(files
        .into_iter()
        .map(|f| {
            let name = std::fs::read(&f.path)
                .ok()
                .and_then(|b| note::parse(&f.rel, &f.slug, &b).ok())
                .map(|p: Partner| p.name);
            Candidate {
                slug: f.slug,
                name,
                rel: f.rel,
                path: f.path,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;

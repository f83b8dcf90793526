//! `rapport import`: a CRM or spreadsheet export into referrals. The
//! arguments, the printing and the writing; the planning is in
//! `rapport::import`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::Args;

use rapport::book::{layout::rel_display, Day, Direction, Outcome, Referral};
use rapport::diagnostics::{self, escape_controls, Diagnostic};
use rapport::import::{self, rules, BookNote, Options, Plan, Rules};
use rapport::read::discover::discover;

pub const EXAMPLES: &str = "\
Examples:
  rapport import referrals.csv                      a dry run: what would be added, per partner
  rapport import referrals.csv --write              add it to the notes
  rapport import contacts.csv --rules contacts      a CRM contacts export
  rapport import report.csv --rules referral-report --write my-book
  rapport import clients.csv --direction received --outcome won --date-format %m/%d/%Y
  rapport import export.csv --rules my-crm.rules

Headers that are rapport's words map themselves (case, spaces and _ ignored):
Date, Referral Date, Client Since; Partner, Referred By; Direction, In/Out;
Client, or First Name + Last Name; Type; Outcome, Status; Value, Amount,
Fees; Note, Comments. Any other column is ignored, and the dry run names it.
A rules file (see docs/import.md) handles any other layout; the built-in
ones are `contacts` and `referral-report`.

Rows the book already holds are skipped, so importing a file twice adds
nothing. When any row is refused, each refusal names its row and column and
nothing is written.";

fn parse_date_format(s: &str) -> Result<String, String> {
    rules::check_date_format(s).map(|_| s.to_string())
}

/// `rapport import FILE.csv [ROOT]`
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The CSV export to import
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// A rules file for the file's layout, or a built-in one by name
    /// (contacts, referral-report)
    #[arg(long, value_name = "FILE|NAME")]
    pub rules: Option<String>,
    /// The direction of every row, for a file with no direction column (a
    /// contacts export whose Referred By names the partner is `received`)
    #[arg(long, value_parser = PossibleValuesParser::new(["given", "received"]))]
    pub direction: Option<String>,
    /// The outcome of every row, for a file with no outcome column (the
    /// people in a client list were `won`)
    #[arg(long, value_parser = PossibleValuesParser::new(Outcome::ALL.iter().map(|o| o.as_str())))]
    pub outcome: Option<String>,
    /// How the file writes dates (strftime), e.g. %m/%d/%Y [default: %Y-%m-%d]
    #[arg(long, value_name = "FMT", value_parser = parse_date_format)]
    pub date_format: Option<String>,
    /// Write the referrals into the notes (without it, a dry run)
    #[arg(long)]
    pub write: bool,
}

impl ImportArgs {
    fn options(&self) -> Options {
        Options {
            direction: self.direction.as_deref().map(|d| {
                if d == "given" {
                    Direction::Given
                } else {
                    Direction::Received
                }
            }),
            outcome: self
                .outcome
                .as_deref()
                .and_then(|o| Outcome::ALL.iter().copied().find(|w| w.as_str() == o)),
            date_format: self.date_format.clone(),
        }
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    rapport::say!("error: {}", escape_controls(&message.to_string()));
    ExitCode::from(1)
}

/// The rules the user named: a file, or a built-in by name.
fn load_rules(name: &str) -> Result<Rules, ExitCode> {
    let path = Path::new(name);
    let (file, text) = if path.is_file() {
        match std::fs::read(path) {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => (path.display().to_string(), t),
                Err(_) => return Err(fail(format!("{name} is not UTF-8 text"))),
            },
            Err(e) => return Err(fail(format!("cannot read {name}: {e}"))),
        }
    } else if let Some(text) = rules::built_in(name) {
        (format!("{name} (built-in rules)"), text.to_string())
    } else {
        let known: Vec<String> = rules::BUILT_IN
            .iter()
            .map(|(n, what, _)| format!("  {n}: {what}"))
            .collect();
        rapport::say!(
            "error: --rules {name}: there is no such file, and no built-in rules by that name; the built-in ones:\n{}",
            known.join("\n")
        );
        return Err(ExitCode::from(2));
    };
    Rules::parse(&file, &text).map_err(|problems| {
        diagnostics::print(&problems);
        fail(format!("{file} has problems; nothing was imported"))
    })
}

/// The book's notes, as they are on disk, and the notes folder relative
/// to the root.
fn book_notes(root: &Path, today: Day) -> Result<(Vec<BookNote>, String), ExitCode> {
    if !root.is_dir() {
        return Err(fail(format!(
            "there is no book folder at {}",
            root.display()
        )));
    }
    let settings = match rapport::pipeline::output::settings_then_recover(root, today) {
        Ok(s) => s,
        Err(problems) => {
            diagnostics::print(&problems);
            return Err(fail("rapport.yaml has problems; nothing was imported"));
        }
    };
    let notes_dir = root.join(&settings.notes_dir);
    let rel_dir = rel_display(root, &notes_dir);
    if !notes_dir.is_dir() {
        return Ok((Vec::new(), rel_dir));
    }
    let (files, problems) = discover(root, &notes_dir);
    if problems.iter().any(Diagnostic::is_error) {
        diagnostics::print(&problems);
        return Err(fail(
            "the book's notes have problems (`rapport check` lists them); nothing was imported",
        ));
    }
    let mut notes = Vec::with_capacity(files.len());
    for f in files {
        match std::fs::read(&f.path) {
            Ok(bytes) => notes.push(BookNote {
                rel: f.rel,
                slug: f.slug,
                bytes,
            }),
            Err(e) => return Err(fail(format!("cannot read {}: {e}", f.rel))),
        }
    }
    Ok((notes, rel_dir))
}

/// One referral on one line, as the dry run shows it.
fn shown(r: &Referral) -> String {
    let mut out = format!("{}  {:<8}", r.date, r.direction.as_str());
    if let Some(c) = &r.client {
        let _ = write!(out, "  {c}");
    }
    if r.kind != rapport::book::ReferralType::Existing {
        let _ = write!(out, "  {}", r.kind);
    }
    if let Some(o) = r.outcome {
        let _ = write!(out, "  {o}");
    }
    if let Some(v) = r.value {
        let _ = write!(out, "  value {v}");
    }
    if let Some(n) = &r.note {
        let _ = write!(out, "  \"{n}\"");
    }
    escape_controls(out.trim_end()).into_owned()
}

/// Row numbers, the first few and how many more.
fn row_list(lines: &[usize]) -> String {
    let mut parts: Vec<String> = lines.iter().take(8).map(usize::to_string).collect();
    if lines.len() > 8 {
        parts.push(format!("and {} more", lines.len() - 8));
    }
    parts.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the import would do (or did), per partner.
fn print_plan(plan: &Plan) {
    for p in &plan.partners {
        let name = escape_controls(&p.name);
        let new = if p.new && !p.add.is_empty() {
            " (a new note)"
        } else {
            ""
        };
        let mut head = format!(
            "{}  {name}{new}: {} to add",
            escape_controls(&p.rel),
            p.add.len()
        );
        if !p.present.is_empty() {
            let lines: Vec<usize> = p.present.iter().map(|r| r.line).collect();
            let _ = write!(
                head,
                ", {} already in the book ({} {})",
                p.present.len(),
                if lines.len() == 1 { "row" } else { "rows" },
                row_list(&lines)
            );
        }
        rapport::say_out!("{head}");
        for row in &p.add {
            rapport::say_out!("  + row {:<4} {}", row.line, shown(&row.referral));
        }
    }
    if !plan.ignored.is_empty() {
        rapport::say_out!(
            "Ignored columns: {} (no field of a referral; a rules file can map them)",
            escape_controls(&plan.ignored.join(", "))
        );
    }
    if !plan.no_partner.is_empty() {
        rapport::say_out!(
            "Left out: {} naming no partner ({} {})",
            plural(plan.no_partner.len(), "row", "rows"),
            if plan.no_partner.len() == 1 {
                "row"
            } else {
                "rows"
            },
            row_list(&plan.no_partner)
        );
    }
    if !plan.skipped.is_empty() {
        rapport::say_out!(
            "Left out by the rules' skip-if: {} ({} {})",
            plural(plan.skipped.len(), "row", "rows"),
            if plan.skipped.len() == 1 {
                "row"
            } else {
                "rows"
            },
            row_list(&plan.skipped)
        );
    }
}

/// Writes a note the import planned: an existing note through the note
/// editor's one replacing routine (locked, read again, replaced only if
/// it is still what the plan was made from); a new note written aside and
/// linked into place, never over a file that appeared meanwhile.
fn write_note(path: &Path, before: &[u8], after: &[u8], new: bool) -> Result<(), String> {
    if !new {
        return rapport::note_edit::replace::with_note(path, |now| {
            if now == before {
                Ok((after.to_vec(), ()))
            } else {
                Err(rapport::note_edit::Refused::Declined(
                    "it changed while importing; run the import again".into(),
                ))
            }
        })
        .map_err(|e| e.to_string());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.rapport-import-tmp"));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        std::io::Write::write_all(&mut file, after)?;
        file.sync_all()?;
        drop(file);
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    result.map_err(|e| e.to_string())
}

/// Runs `rapport import`.
pub fn run(args: &ImportArgs, today: Day) -> ExitCode {
    let rules = match &args.rules {
        Some(name) => match load_rules(name) {
            Ok(r) => r,
            Err(code) => return code,
        },
        None => Rules::default(),
    };
    let file = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read {file}: {e}")),
    };
    let text = match import::decode(&file, &bytes) {
        Ok(t) => t,
        Err(d) => {
            diagnostics::print(&[*d]);
            return fail("nothing was imported");
        }
    };
    let (notes, notes_dir) = match book_notes(&args.root, today) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let plan = match import::plan(
        &file,
        &text,
        &rules,
        &args.options(),
        &notes,
        &notes_dir,
        today,
    ) {
        Ok(p) => p,
        Err(problems) => {
            diagnostics::print(&problems);
            return fail("nothing was imported");
        }
    };
    print_plan(&plan);
    if !plan.refused.is_empty() {
        diagnostics::print(&plan.refused);
        let rows: std::collections::BTreeSet<&str> = plan
            .refused
            .iter()
            .filter(|d| d.file == file)
            .filter_map(|d| d.message.strip_prefix("row "))
            .filter_map(|m| m.split([',', ':']).next())
            .collect();
        let what = if rows.is_empty() {
            "the import was refused".to_string()
        } else {
            format!("{} refused", plural(rows.len(), "row", "rows"))
        };
        return fail(format!("{what}; nothing was written"));
    }
    let changed: Vec<&import::PartnerPlan> =
        plan.partners.iter().filter(|p| !p.add.is_empty()).collect();
    let new = changed.iter().filter(|p| p.new).count();
    let summary = format!(
        "{} to {}{}",
        plural(plan.added(), "referral", "referrals"),
        plural(changed.len(), "note", "notes"),
        if new > 0 {
            format!(" ({new} new)")
        } else {
            String::new()
        }
    );
    if !args.write {
        if changed.is_empty() {
            rapport::say_out!("Nothing to add: the book holds every row already.");
        } else {
            rapport::say_out!("Dry run, nothing written: --write adds {summary}.");
        }
        return ExitCode::SUCCESS;
    }
    // Every edit is computed and checked; make sure no note changed on
    // disk since it was read, then write them all.
    for p in &changed {
        let path = args.root.join(&p.rel);
        let now = std::fs::read(&path).ok();
        let unchanged = if p.new {
            now.is_none()
        } else {
            now.as_deref() == Some(&p.before[..])
        };
        if !unchanged {
            return fail(format!(
                "{} changed while importing; nothing was written, run the import again",
                p.rel
            ));
        }
    }
    for p in &changed {
        let path = args.root.join(&p.rel);
        if p.new {
            if let Some(dir) = path.parent() {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    return fail(format!("cannot create {}: {e}", dir.display()));
                }
            }
        }
        if let Err(e) = write_note(&path, &p.before, &p.after, p.new) {
            return fail(format!(
                "cannot write {}: {e} (the notes listed above it were written)",
                p.rel
            ));
        }
        rapport::say_out!("wrote {}{}", p.rel, if p.new { " (new)" } else { "" });
    }
    if changed.is_empty() {
        rapport::say_out!("Nothing to add: the book holds every row already.");
    } else {
        rapport::say_out!("Added {summary}.");
    }
    ExitCode::SUCCESS
}

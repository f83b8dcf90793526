//! `rapport log`: the command line of [`rapport::log`]: its arguments,
//! what it prints and its exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};

use rapport::book::{
    Day, Direction, DiscoveryOutcome, InitiativeStatus, Meeting, MeetingKind, Outcome, Referral,
    ReferralType,
};
use rapport::diagnostics;
use rapport::log::{inbox, shown, Action, Entry, LogError, Recorded, SetKey};
use rapport::note_edit::Refused;

fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).ok_or_else(|| format!("`{s}` is not a date as YYYY-MM-DD"))
}

fn word<T: Copy + std::fmt::Display>(all: &[T], s: &str) -> T {
    *all.iter()
        .find(|w| w.to_string() == s)
        .expect("clap checked the word")
}

/// The words of one of the note's word lists, for clap to check.
macro_rules! words {
    ($t:ty) => {
        PossibleValuesParser::new(<$t>::ALL.iter().map(|w| w.as_str()))
    };
}

/// `rapport log NAME WHAT …`, `rapport log --inbox FILE [ROOT]`,
/// `rapport log --list-names [ROOT]`
#[derive(Args, Debug)]
#[command(subcommand_value_name = "WHAT", arg_required_else_help = true)]
pub struct LogArgs {
    /// The partner: the name in its note (any case), its slug, or a first
    /// name or beginning of a name that only one partner has. With --inbox
    /// or --list-names: the book's folder [default: .]
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// File every line of this inbox file (one `rapport log` a line)
    #[arg(long, value_name = "FILE", conflicts_with = "list_names")]
    pub inbox: Option<PathBuf>,
    /// Print every partner's slug, one a line (for shell completion)
    #[arg(long)]
    pub list_names: bool,
    #[command(subcommand)]
    pub what: Option<What>,
}

/// What `rapport log` records.
#[derive(Subcommand, Debug)]
pub enum What {
    /// A referral you sent to the partner
    Given(ReferralArgs),
    /// A referral the partner sent to you
    Received(ReferralArgs),
    /// A meeting with the partner
    Meeting(MeetingArgs),
    /// Set the next step (refused while one is open, unless --replace)
    Next(NextArgs),
    /// Set the outcome of a referral (the pending one, or the one chosen)
    Outcome(OutcomeArgs),
    /// Mark the next step done: it moves to `steps:` with the day
    Done(DoneArgs),
    /// Note that you thanked the partner for a referral they sent
    Thanks(ThanksArgs),
    /// Add a joint initiative, or update the one with that name
    Initiative(InitiativeArgs),
    /// Set one of the partner's details
    Set(SetArgs),
}

/// The book's folder, last on every verb's line.
#[derive(Args, Debug)]
pub struct Root {
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct ReferralArgs {
    /// The day of the referral [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
    /// The client referred
    #[arg(long)]
    pub client: Option<String>,
    /// An existing client, or net-new business the partnership brought in
    #[arg(long = "type", value_name = "TYPE", value_parser = words!(ReferralType))]
    pub kind: Option<String>,
    /// Given: exceeded, met, below, pending; received: won, lost, pending
    #[arg(long, value_parser = words!(Outcome))]
    pub outcome: Option<String>,
    /// Fees or revenue it brought (a refund is negative: --value -250)
    #[arg(long, value_name = "NUMBER", allow_negative_numbers = true)]
    pub value: Option<f64>,
    /// A few words on what happened
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct MeetingArgs {
    /// The day of the meeting [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
    /// What kind of meeting
    #[arg(long, value_parser = words!(MeetingKind))]
    pub kind: String,
    /// For a discovery conversation: how it ended
    #[arg(long, value_parser = words!(DiscoveryOutcome))]
    pub outcome: Option<String>,
    /// What you learned
    #[arg(long)]
    pub summary: Option<String>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct NextArgs {
    /// When
    #[arg(value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Day,
    /// What you will do
    pub action: String,
    /// Drop the open next step instead of refusing (it is not kept as done)
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct OutcomeArgs {
    /// Given: exceeded, met, below; received: won, lost; or pending
    #[arg(value_parser = words!(Outcome))]
    pub outcome: String,
    /// The referral's day
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
    /// The referral's client
    #[arg(long)]
    pub client: Option<String>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct DoneArgs {
    /// The day it was done [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
    /// The following step, in the same edit: --next DATE ACTION
    #[arg(long, num_args = 2, value_names = ["YYYY-MM-DD", "ACTION"])]
    pub next: Option<Vec<String>>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct ThanksArgs {
    /// The day you thanked them [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<Day>,
    /// The client of the referral [default: the newest not yet thanked]
    #[arg(long)]
    pub client: Option<String>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct InitiativeArgs {
    /// The initiative's name (the one in the note, any case, to update it)
    pub title: String,
    /// idea, active, done or dropped [default for a new one: idea]
    #[arg(long, value_parser = words!(InitiativeStatus))]
    pub status: Option<String>,
    /// The day it started
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub started: Option<Day>,
    /// Clients it brought to either side
    #[arg(long, value_name = "N")]
    pub new_clients: Option<u32>,
    #[command(flatten)]
    pub root: Root,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// role, firm, profession, email, phone, website, since, contact_every,
    /// tags or ideal_clients
    #[arg(value_parser = PossibleValuesParser::new(SetKey::ALL.iter().map(|k| k.as_str())))]
    pub key: String,
    /// The value; for tags and ideal_clients a comma-separated list that
    /// replaces the note's
    #[arg(allow_hyphen_values = true)]
    pub value: String,
    #[command(flatten)]
    pub root: Root,
}

/// Examples for `rapport log --help`.
pub const EXAMPLES: &str = "\
Examples:
  rapport log \"Jane Doe\" given --client \"R. Smith\" --type net-new --outcome exceeded --value 4500
  rapport log jane-doe received --date 2026-11-20 --client \"K. Lee\" --outcome won
  rapport log jane received --client \"K. Lee\" --value -250 --note refund
  rapport log jane-doe meeting --kind discovery --outcome interested --summary \"Open to a workshop\"
  rapport log jane-doe next 2026-12-01 \"Send the recap\"
  rapport log jane-doe done --next 2027-01-10 \"Plan the workshop\"
  rapport log jane-doe outcome won --client \"K. Lee\"
  rapport log jane-doe thanks
  rapport log jane-doe initiative \"Owner tax workshop\" --status active --started 2026-12-01
  rapport log jane-doe set tags \"tax, business owners\"
  rapport log --inbox ~/Notes/rapport-inbox.txt my-book
  rapport log jane-doe given --client \"R. Smith\" my-book

The change is made in the note's own lists, in the note's style; every other
line stays as it was. The note is checked before and afterwards: if it would
not check, nothing is written and the problems are shown. Two runs on one
note take turns. An inbox has one entry a line, written as the words after
`rapport log`, optionally starting with the day: filed lines move to
FILE.done, failing ones stay with their error shown.";

fn text_opt(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|s| !s.trim().is_empty()).cloned()
}

impl What {
    /// The action, the book it goes in, and whether a folder was given.
    pub fn action(&self, today: Day) -> Result<(Action, &Path), String> {
        let day = |d: &Option<Day>| d.unwrap_or(today);
        Ok(match self {
            What::Given(a) | What::Received(a) => {
                let direction = match self {
                    What::Given(_) => Direction::Given,
                    _ => Direction::Received,
                };
                if let Some(v) = a.value {
                    if !v.is_finite() || v.abs() >= 1e15 {
                        return Err(format!("--value {v} is not a number a note can hold"));
                    }
                }
                let r = Referral {
                    date: day(&a.date),
                    direction,
                    client: text_opt(&a.client),
                    kind: a
                        .kind
                        .as_deref()
                        .map_or(ReferralType::Existing, |k| word(ReferralType::ALL, k)),
                    outcome: a.outcome.as_deref().map(|o| word(Outcome::ALL, o)),
                    value: a.value,
                    note: text_opt(&a.note),
                    thanked: None,
                };
                (Action::Add(Entry::Referral(r)), &a.root.root)
            }
            What::Meeting(a) => (
                Action::Add(Entry::Meeting(Meeting {
                    date: day(&a.date),
                    kind: word(MeetingKind::ALL, &a.kind),
                    outcome: a.outcome.as_deref().map(|o| word(DiscoveryOutcome::ALL, o)),
                    summary: text_opt(&a.summary),
                })),
                &a.root.root,
            ),
            What::Next(a) => {
                if a.action.trim().is_empty() {
                    return Err("the next step needs an action, like \"Send the recap\"".into());
                }
                (
                    Action::Next {
                        date: a.date,
                        action: a.action.clone(),
                        replace: a.replace,
                    },
                    &a.root.root,
                )
            }
            What::Outcome(a) => (
                Action::Outcome {
                    outcome: word(Outcome::ALL, &a.outcome),
                    date: a.date,
                    client: text_opt(&a.client),
                },
                &a.root.root,
            ),
            What::Done(a) => {
                let next = match a.next.as_deref() {
                    None => None,
                    Some([d, action]) => {
                        let d = parse_day(d).map_err(|e| format!("--next: {e}"))?;
                        if action.trim().is_empty() {
                            return Err("--next needs an action, like \"Send the recap\"".into());
                        }
                        Some((d, action.clone()))
                    }
                    Some(_) => return Err("--next takes a date and an action".into()),
                };
                (
                    Action::Done {
                        date: day(&a.date),
                        next,
                    },
                    &a.root.root,
                )
            }
            What::Thanks(a) => (
                Action::Thanks {
                    date: day(&a.date),
                    client: text_opt(&a.client),
                },
                &a.root.root,
            ),
            What::Initiative(a) => (
                Action::Initiative {
                    name: a.title.clone(),
                    status: a.status.as_deref().map(|s| word(InitiativeStatus::ALL, s)),
                    started: a.started,
                    new_clients: a.new_clients,
                },
                &a.root.root,
            ),
            What::Set(a) => (
                Action::Set {
                    key: *SetKey::ALL
                        .iter()
                        .find(|k| k.as_str() == a.key)
                        .expect("clap checked the key"),
                    value: a.value.clone(),
                },
                &a.root.root,
            ),
        })
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    rapport::say!("error: {msg}");
    ExitCode::from(1)
}

fn usage(msg: &str) -> ExitCode {
    rapport::say!("error: {msg}\n\nFor more information, try 'rapport log --help'.");
    ExitCode::from(2)
}

/// Prints what was recorded: the note, the line, and the lines themselves.
fn print_recorded(r: &Recorded) {
    rapport::say!("{}:{}: recorded {}", shown(&r.file), r.applied.line, r.what);
    for l in &r.applied.lines {
        rapport::say!("  {}", shown(l));
    }
}

/// Prints why nothing was recorded (with the note's problems, if any).
fn print_error(e: &LogError) {
    if let LogError::Refused {
        why: Refused::Before(problems) | Refused::After(problems),
        ..
    } = e
    {
        diagnostics::print(problems);
    }
    rapport::say!("error: {e}");
}

/// Runs `rapport log`.
pub fn run(args: &LogArgs, today: Day) -> ExitCode {
    if args.inbox.is_some() || args.list_names {
        if args.what.is_some() {
            return usage("--inbox and --list-names take only the book's folder");
        }
        let root = PathBuf::from(args.name.as_deref().unwrap_or("."));
        return match &args.inbox {
            Some(file) => run_inbox(file, &root, today),
            None => list_names(&root, today),
        };
    }
    let (Some(name), Some(what)) = (&args.name, &args.what) else {
        return usage("say who and what: rapport log NAME WHAT [options]");
    };
    let (action, root) = match what.action(today) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    match rapport::log::record(root, name, &action, today) {
        Ok(r) => {
            print_recorded(&r);
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_error(&e);
            ExitCode::from(1)
        }
    }
}

fn list_names(root: &Path, today: Day) -> ExitCode {
    match rapport::log::candidates(root, today) {
        Ok(cs) => {
            let mut slugs: Vec<&str> = cs.iter().map(|c| c.slug.as_str()).collect();
            slugs.sort_unstable();
            for s in slugs {
                rapport::say_out!("{s}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// One inbox line, read as the words after `rapport log`.
#[derive(Parser, Debug)]
#[command(name = "rapport log", no_binary_name = false)]
struct Line {
    name: String,
    #[command(subcommand)]
    what: What,
}

fn run_inbox(file: &Path, root: &Path, today: Day) -> ExitCode {
    let candidates = match rapport::log::candidates(root, today) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let file_one = |words: &[String], day: Day| -> Result<Recorded, String> {
        let line = Line::try_parse_from(
            std::iter::once("rapport log".to_string()).chain(words.iter().cloned()),
        )
        .map_err(|e| {
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            first.to_string()
        })?;
        let (action, line_root) = line.what.action(day)?;
        if line_root != Path::new(".") {
            return Err(format!(
                "`{}` is one word too many (the book is the inbox's)",
                line_root.display()
            ));
        }
        let target = rapport::log::find(&candidates, &line.name).map_err(|e| e.to_string())?;
        rapport::log::record_in(target, &action).map_err(|e| {
            if let LogError::Refused {
                why: Refused::Before(problems) | Refused::After(problems),
                ..
            } = &e
            {
                diagnostics::print(problems);
            }
            e.to_string()
        })
    };
    match inbox::file(file, today, file_one) {
        Ok(report) => {
            for (n, result) in &report.lines {
                match result {
                    Ok(r) => print_recorded(r),
                    Err(e) => rapport::say!("{}:{n}: error: {e}", file.display()),
                }
            }
            rapport::say!(
                "{} filed, {} left in {}",
                report.filed(),
                report.failed(),
                file.display()
            );
            if report.failed() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(e),
    }
}

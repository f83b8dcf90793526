//! `rapport new`: a fresh, valid note to fill in.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use rapport::book::{today, Role};
use rapport::scaffold::{self, NewNote};

/// `rapport new`'s arguments.
#[derive(Args, Clone)]
pub struct NewArgs {
    /// The partner's name, as it should appear on the site
    pub name: String,
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// The partner's firm or practice
    #[arg(long, value_name = "FIRM")]
    pub firm: Option<String>,
    /// What they do (CPA, estate attorney…), used for grouping
    #[arg(long, value_name = "PROFESSION")]
    pub profession: Option<String>,
    /// esp, collaborator, coi, prospect or inactive (default esp)
    #[arg(long, value_name = "ROLE", value_parser = parse_role)]
    pub role: Option<Role>,
    /// The partner's email address
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Write the long note instead: every key present and explained
    #[arg(long)]
    pub explained: bool,
}

/// A role in any case; another word is refused with the role it most
/// likely means.
fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s.trim()).ok_or_else(|| {
        let words = Role::WORDS.join(", ");
        let close = Role::suggest(s)
            .map(Role::as_str)
            .or_else(|| rapport::diagnostics::did_you_mean(s, Role::WORDS.iter().copied()));
        match close {
            Some(w) => format!("`{s}` is not a role; did you mean `{w}`? (one of {words})"),
            None => format!("`{s}` is not a role; expected one of {words}"),
        }
    })
}

pub fn run(args: &NewArgs) -> ExitCode {
    let note = NewNote {
        name: args.name.clone(),
        firm: args.firm.clone(),
        profession: args.profession.clone(),
        role: args.role,
        email: args.email.clone(),
        explained: args.explained,
    };
    match scaffold::new_note(&args.root, &note, today()) {
        Ok(path) => {
            rapport::say!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            rapport::say!("error: {e}");
            ExitCode::from(1)
        }
    }
}

//! What `rapport build` needs to encrypt: its flags, the password (from
//! `RAPPORT_PASSWORD` or asked twice on the terminal, never from the
//! command line), and the step between a successful build and writing it.

use std::io::IsTerminal;
use std::path::Path;

use crate::build::output::SiteFiles;

use super::{encrypt_site, key_for_output, KeyOrigin};

/// The environment variable that holds the password.
pub const PASSWORD_VAR: &str = "RAPPORT_PASSWORD";

/// `build`'s encryption flags.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct EncryptFlags {
    /// Encrypt the site with a password (from RAPPORT_PASSWORD, or asked on
    /// the terminal); always on with `privacy.encrypt: true`
    #[arg(long)]
    pub encrypt: bool,
    /// With encryption: draw a new salt, so every file and partner-page
    /// name changes
    #[arg(long)]
    pub rekey: bool,
}

/// Why the site cannot be encrypted; nothing has been written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The password: `RAPPORT_PASSWORD`, or typed twice on a terminal without
/// echo. The messages never hold the password.
pub fn read_password() -> Result<String, Refusal> {
    if let Some(p) = std::env::var_os(PASSWORD_VAR) {
        let p = p
            .into_string()
            .map_err(|_| Refusal(format!("{PASSWORD_VAR} is not valid UTF-8")))?;
        if p.is_empty() {
            return Err(Refusal(format!("{PASSWORD_VAR} is set but empty")));
        }
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Refusal(format!(
            "an encrypted build needs a password: set {PASSWORD_VAR}, or run `rapport build` on a terminal to type it"
        )));
    }
    let cannot = |e: std::io::Error| Refusal(format!("cannot read the password: {e}"));
    let first = rpassword::prompt_password("Password for the encrypted site: ").map_err(cannot)?;
    if first.is_empty() {
        return Err(Refusal("the password is empty".into()));
    }
    let second = rpassword::prompt_password("The same password again: ").map_err(cannot)?;
    if first != second {
        return Err(Refusal("the two passwords differ".into()));
    }
    Ok(first)
}

/// The files to write for a successful build: `files` as they are when
/// encryption is off, otherwise encrypted under the key of `out` (its
/// kept salt when the password matches). The second value is a line to
/// print about the key, if any.
pub fn prepare(
    files: &SiteFiles,
    out: &Path,
    flags: &EncryptFlags,
    encrypt_setting: bool,
) -> Result<(Option<SiteFiles>, Option<String>), Refusal> {
    if !(flags.encrypt || encrypt_setting) {
        if flags.rekey {
            return Err(Refusal(
                "--rekey applies to an encrypted build: add --encrypt, or set privacy.encrypt: true"
                    .into(),
            ));
        }
        if out.join(super::SALT_FILE).exists() {
            return Err(Refusal(format!(
                "{} holds an encrypted site: build it with --encrypt, or delete the folder to publish in clear",
                out.display()
            )));
        }
        return Ok((None, None));
    }
    let password = read_password()?;
    let (key, origin) = key_for_output(out, &password, flags.rekey);
    let note = match origin {
        KeyOrigin::Kept => None,
        KeyOrigin::NewSalt {
            password_changed: true,
        } => Some(
            "the password is not the one this site was encrypted with: new salt, every file rewritten"
                .to_string(),
        ),
        KeyOrigin::NewSalt { .. } if flags.rekey => {
            Some("--rekey: new salt, every file rewritten".to_string())
        }
        KeyOrigin::NewSalt { .. } => None,
    };
    Ok((Some(encrypt_site(files, &key)), note))
}

/// Why `watch` and `serve`, which never encrypt, must not write a plain
/// site to `out`: it is the output folder of a book that sets
/// `privacy.encrypt` (`publish_folder`), or it holds an encrypted site.
/// `None` when they may.
pub fn plain_write_refused(out: &Path, publish_folder: bool) -> Option<Refusal> {
    let why = if publish_folder {
        "the book sets privacy.encrypt"
    } else if out.join(super::SALT_FILE).exists() {
        "it holds an encrypted site"
    } else {
        return None;
    };
    Some(Refusal(format!(
        "{} is not written: {why}, and watch and serve never encrypt; preview in another folder with -o",
        out.display()
    )))
}

//! What `rapport build` needs to encrypt: what it was asked, the password (from
//! `--password-file`, `RAPPORT_PASSWORD` or asked twice on the terminal,
//! never from the command line), the checks on it, and the step between
//! a successful build and writing it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::site::SiteFiles;

use super::passphrase::{estimated_bits, MIN_BITS};
use super::{
    derive_key, encrypt_site, new_salt, pages_with_inline_scripts, read_salt, SiteKey, ITERATIONS,
};

/// The environment variable that holds the password.
pub const PASSWORD_VAR: &str = "RAPPORT_PASSWORD";

/// What a build was asked about encryption (the command line's flags).
#[derive(Clone, Debug, Default)]
pub struct EncryptFlags {
    /// Encrypt the site with a password (from --password-file,
    /// RAPPORT_PASSWORD, or asked on the terminal); always on with
    /// `privacy.encrypt: true`
    pub encrypt: bool,
    /// With encryption: draw a new salt, so every file and partner-page
    /// name changes (do it when the password or a page's key may have
    /// been seen by someone else)
    pub rekey: bool,
    /// With encryption: encrypt the existing site under a new password
    /// (without it, a password that does not open the site is refused)
    pub change_password: bool,
    /// Read the password from the first line of FILE (keep it readable by
    /// you alone)
    pub password_file: Option<PathBuf>,
    /// Take a password weaker than about 60 bits of estimated entropy.
    /// RISK: anyone with one page of the site can guess such a password
    /// offline; every note becomes readable to them
    pub allow_weak_password: bool,
}

impl EncryptFlags {
    /// Whether a flag asks for encryption.
    pub fn any(&self) -> bool {
        self.encrypt || self.rekey || self.change_password || self.password_file.is_some()
    }
}

/// Why the site cannot be encrypted, and the exit code; nothing has been
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String, pub u8);

fn usage(message: String) -> Refusal {
    Refusal(message, 2)
}

fn refused(message: String) -> Refusal {
    Refusal(message, 1)
}

/// A password's text: what a file or a variable held, less one line end.
fn password_text(raw: String, from: &str) -> Result<String, Refusal> {
    let p = raw
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&raw)
        .to_string();
    if p.is_empty() {
        return Err(usage(format!("{from} is empty")));
    }
    Ok(p)
}

/// The password: the first line of `--password-file`, `RAPPORT_PASSWORD`
/// (which is then removed from the process's environment, so no program
/// it starts inherits it), or typed twice on a terminal without echo. The
/// messages never hold the password.
pub fn read_password(file: Option<&Path>) -> Result<String, Refusal> {
    if let Some(file) = file {
        let raw = std::fs::read_to_string(file).map_err(|e| {
            usage(format!(
                "cannot read the password file {}: {e}",
                file.display()
            ))
        })?;
        let first = raw.split_inclusive('\n').next().unwrap_or("").to_string();
        return password_text(first, &format!("the password file {}", file.display()));
    }
    if let Some(p) = std::env::var_os(PASSWORD_VAR) {
        std::env::remove_var(PASSWORD_VAR);
        let p = p
            .into_string()
            .map_err(|_| usage(format!("{PASSWORD_VAR} is not valid UTF-8")))?;
        return password_text(p, &format!("{PASSWORD_VAR} (set but empty)"))
            .map_err(|_| usage(format!("{PASSWORD_VAR} is set but empty")));
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "an encrypted build needs a password: give --password-file FILE, set {PASSWORD_VAR}, or run `rapport build` on a terminal to type it"
        )));
    }
    let cannot = |e: std::io::Error| usage(format!("cannot read the password: {e}"));
    let first = rpassword::prompt_password("Password for the encrypted site: ").map_err(cannot)?;
    if first.is_empty() {
        return Err(usage("the password is empty".into()));
    }
    let second = rpassword::prompt_password("The same password again: ").map_err(cannot)?;
    if first != second {
        return Err(usage("the two passwords differ".into()));
    }
    Ok(first)
}

/// Refuses a password weaker than [`MIN_BITS`] unless the flag takes it.
pub fn check_strength(password: &str, allow_weak: bool) -> Result<(), Refusal> {
    let bits = estimated_bits(password);
    if bits >= MIN_BITS || allow_weak {
        return Ok(());
    }
    Err(refused(format!(
        "the password is too weak for a site anyone may download: about {bits:.0} bits of estimated entropy, \
         at least {MIN_BITS:.0} are needed. `rapport passphrase` prints a strong one (six random words); \
         --allow-weak-password takes this one anyway, at the risk that a copy of any page lets someone guess it"
    )))
}

/// The key of a build into `out` and the line to print about it: the kept
/// salt when the password opens the site there; a new salt for a first
/// encryption, `--rekey`, `--change-password` or a kept salt of fewer
/// iterations than this version's. A password that does not open the
/// existing site is refused unless `--change-password` is given.
pub fn key_for_build(
    out: &Path,
    password: &str,
    flags: &EncryptFlags,
) -> Result<(SiteKey, Option<String>), Refusal> {
    let record = read_salt(out).filter(|r| r.salt_bytes().is_some());
    let fresh = || derive_key(password, &new_salt());
    let Some(record) = record else {
        return Ok((fresh(), None));
    };
    match record.open_with(password) {
        None if !flags.change_password => Err(refused(format!(
            "the password does not open the encrypted site in {} (a typo would re-encrypt everything under it): \
             nothing was written. Give the site's password, or add --change-password to encrypt it under this one",
            out.display()
        ))),
        None => Ok((
            fresh(),
            Some("--change-password: new password and salt, every file rewritten".into()),
        )),
        Some(_) if flags.change_password => Ok((
            fresh(),
            Some("--change-password with the same password: new salt, every file rewritten".into()),
        )),
        Some(_) if flags.rekey => Ok((
            fresh(),
            Some("--rekey: new salt, every file rewritten".into()),
        )),
        Some(key) if key.iterations() < ITERATIONS => Ok((
            fresh(),
            Some(format!(
                "the site was encrypted with {} PBKDF2 iterations, fewer than today's {ITERATIONS}: new salt, every file rewritten",
                key.iterations()
            )),
        )),
        Some(key) => Ok((key, None)),
    }
}

/// The key of an encrypted build into `out`: the password read, checked
/// for strength and against the site already there. The second value is
/// a line to print about the key, if any. A build that neither asks for
/// encryption nor has `privacy.encrypt` (`encrypt_setting`) is refused
/// when `out` holds an encrypted site: a forgotten `--encrypt` must not
/// publish it in clear, nor ask for a password it was not meant to need.
pub fn build_key(
    out: &Path,
    flags: &EncryptFlags,
    encrypt_setting: bool,
) -> Result<(SiteKey, Option<String>), Refusal> {
    if !(flags.any() || encrypt_setting) && out.join(super::SALT_FILE).exists() {
        return Err(usage(format!(
            "{} holds an encrypted site: build it with --encrypt, or delete the folder to publish in clear",
            out.display()
        )));
    }
    let password = read_password(flags.password_file.as_deref())?;
    check_strength(&password, flags.allow_weak_password)?;
    key_for_build(out, &password, flags)
}

/// Refuses a site with a page that runs an inline script: its encrypted
/// form would have to publish a hash of that script in clear.
pub fn check_inline_scripts(files: &SiteFiles) -> Result<(), Refusal> {
    let pages = pages_with_inline_scripts(files);
    if pages.is_empty() {
        return Ok(());
    }
    Err(inline_script_refusal(&pages))
}

/// Why a site whose `pages` run an inline script is not encrypted.
pub fn inline_script_refusal(pages: &[String]) -> Refusal {
    refused(format!(
        "an encrypted site runs no inline script, and {} has one (from the book's templates): \
         move it to a file in static/ and load it with <script src>",
        pages.join(", ")
    ))
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
    if !(flags.any() || encrypt_setting) {
        if out.join(super::SALT_FILE).exists() {
            return Err(usage(format!(
                "{} holds an encrypted site: build it with --encrypt, or delete the folder to publish in clear",
                out.display()
            )));
        }
        return Ok((None, None));
    }
    check_inline_scripts(files)?;
    let (key, note) = build_key(out, flags, encrypt_setting)?;
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
    Some(usage(format!(
        "{} is not written: {why}, and watch and serve never encrypt; preview in another folder with -o",
        out.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_variable_is_gone_once_read() {
        std::env::set_var(PASSWORD_VAR, "tulip ledger orbit canyon velvet ninety\n");
        let p = read_password(None).unwrap();
        assert_eq!(p, "tulip ledger orbit canyon velvet ninety");
        assert!(std::env::var_os(PASSWORD_VAR).is_none());
    }

    #[test]
    fn a_password_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "one two three four five six\r\nsecond line\n").unwrap();
        assert_eq!(
            read_password(Some(&f)).unwrap(),
            "one two three four five six"
        );
        std::fs::write(&f, "\n").unwrap();
        let e = read_password(Some(&f)).unwrap_err();
        assert!(e.0.contains("is empty") && e.1 == 2, "{e:?}");
        let e = read_password(Some(&dir.path().join("missing"))).unwrap_err();
        assert!(e.0.contains("cannot read the password file"), "{e:?}");
    }

    #[test]
    fn a_weak_password_is_refused_unless_allowed() {
        let e = check_strength("Summer2026!", false).unwrap_err();
        assert_eq!(e.1, 1);
        assert!(e.0.contains("rapport passphrase") && e.0.contains("--allow-weak-password"));
        assert!(
            !e.0.contains("Summer2026"),
            "the message holds the password"
        );
        check_strength("Summer2026!", true).unwrap();
        check_strength("tulip ledger orbit canyon velvet ninety", false).unwrap();
    }
}

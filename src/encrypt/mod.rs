//! Encrypted publishing: a built site in, a site that opens only with the
//! password out. A pure transformation of the in-memory site; reading and
//! writing the salt file beside the manifest is the only thing that touches
//! the disk.
//!
//! The construction (see `docs/security.md`):
//! - one PBKDF2-HMAC-SHA256 derivation of the password (600,000 iterations,
//!   a random 16-byte salt kept for the output folder) gives a master key;
//! - HKDF-SHA256 splits it into a content key (AES-256-GCM), a nonce key, a
//!   name key and a check value;
//! - each encrypted file's nonce is the first 12 bytes of
//!   HMAC-SHA256(nonce key, path ‖ 0x00 ‖ content): an unchanged file
//!   encrypts to the same bytes, different contents never share a nonce;
//! - the file's path is the associated data, so files cannot be swapped;
//! - partner pages get opaque names, HMAC-SHA256(name key, slug), and every
//!   link to them is rewritten.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::build::output::{FileBytes, SiteFiles};

pub mod cli;
mod links;

pub use links::rewrite_links;

/// PBKDF2 iterations; the browser script uses the same number, read from
/// each page.
pub const ITERATIONS: u32 = 600_000;
/// The file beside the manifest that keeps the salt and the check value.
pub const SALT_FILE: &str = ".rapport-salt";
/// The unlock script every encrypted page loads.
pub const UNLOCK_SCRIPT: &str = "rapport-unlock.js";
/// The title every encrypted page shows.
pub const TITLE: &str = "Private site — rapport";
/// What a data file's carrier script is called: its plain path plus this.
pub const DATA_SUFFIX: &str = ".js";

const UNLOCK_JS: &str = include_str!("unlock.js");
const PAGE_HTML: &str = include_str!("page.html");

const INFO_CONTENT: &[u8] = b"rapport v1 content key";
const INFO_NONCE: &[u8] = b"rapport v1 nonce key";
const INFO_NAME: &[u8] = b"rapport v1 name key";
const INFO_CHECK: &[u8] = b"rapport v1 key check";

type HmacSha256 = Hmac<Sha256>;

/// The keys of one encrypted site, derived once per build.
#[derive(Clone)]
pub struct SiteKey {
    salt: [u8; 16],
    content: [u8; 32],
    nonce: [u8; 32],
    name: [u8; 32],
    check: [u8; 16],
}

impl fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteKey")
            .field("salt", &B64.encode(self.salt))
            .finish_non_exhaustive()
    }
}

impl SiteKey {
    /// The salt the key was derived with.
    pub fn salt(&self) -> &[u8; 16] {
        &self.salt
    }

    /// A value that tells whether a password gives this key, without
    /// revealing any of the other subkeys.
    pub fn check(&self) -> &[u8; 16] {
        &self.check
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&self.content).into())
    }

    /// The synthetic nonce of `content` at `path`.
    fn nonce_for(&self, path: &str, content: &[u8]) -> [u8; 12] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.nonce).expect("HMAC takes any key");
        mac.update(path.as_bytes());
        mac.update(&[0]);
        mac.update(content);
        let tag = mac.finalize().into_bytes();
        let mut n = [0u8; 12];
        n.copy_from_slice(&tag[..12]);
        n
    }

    /// The opaque file name stem for a partner slug: 20 hex digits.
    pub fn opaque_name(&self, slug: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.name).expect("HMAC takes any key");
        mac.update(slug.as_bytes());
        mac.finalize().into_bytes()[..10]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Encrypts `plain` for `path` (its associated data): the nonce
    /// followed by the ciphertext and tag.
    pub fn seal(&self, path: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = self.nonce_for(path, plain);
        let ct = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: path.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any length a site holds");
        let mut out = Vec::with_capacity(12 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts what [`SiteKey::seal`] wrote for `path`; `None` when the
    /// key, the path or the bytes are wrong.
    pub fn open(&self, path: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(12);
        self.cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: path.as_bytes(),
                },
            )
            .ok()
    }
}

/// A fresh salt from the operating system's random source.
pub fn new_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system gives random bytes");
    salt
}

/// Derives the site's keys from the password: one PBKDF2 run, then HKDF.
pub fn derive_key(password: &str, salt: &[u8; 16]) -> SiteKey {
    let mut master = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut master);
    let hk = Hkdf::<Sha256>::new(Some(&[]), &master);
    let mut key = SiteKey {
        salt: *salt,
        content: [0; 32],
        nonce: [0; 32],
        name: [0; 32],
        check: [0; 16],
    };
    let expand = |info: &[u8], out: &mut [u8]| {
        hk.expand(info, out).expect("HKDF gives up to 8 KiB");
    };
    expand(INFO_CONTENT, &mut key.content);
    expand(INFO_NONCE, &mut key.nonce);
    expand(INFO_NAME, &mut key.name);
    expand(INFO_CHECK, &mut key.check);
    key
}

/// What is kept in [`SALT_FILE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaltRecord {
    pub version: u32,
    pub kdf: String,
    pub iterations: u32,
    pub salt: String,
    pub check: String,
}

impl SaltRecord {
    pub fn of(key: &SiteKey) -> SaltRecord {
        SaltRecord {
            version: 1,
            kdf: "PBKDF2-HMAC-SHA256".into(),
            iterations: ITERATIONS,
            salt: B64.encode(key.salt),
            check: B64.encode(key.check),
        }
    }

    /// The salt, when the record is one this version can use.
    pub fn salt_bytes(&self) -> Option<[u8; 16]> {
        if self.version != 1 || self.iterations != ITERATIONS {
            return None;
        }
        B64.decode(&self.salt).ok()?.try_into().ok()
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("plain struct serialises");
        s.push('\n');
        s.into_bytes()
    }

    pub fn parse(bytes: &[u8]) -> Option<SaltRecord> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The salt record of a previously encrypted output folder, if any.
pub fn read_salt(out: &Path) -> Option<SaltRecord> {
    SaltRecord::parse(&std::fs::read(out.join(SALT_FILE)).ok()?)
}

/// How the key of a build was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// The folder's salt, and the password matched its check value.
    Kept,
    /// A new salt: the first encrypted build here, `--rekey`, or a
    /// password that does not match the previous one.
    NewSalt { password_changed: bool },
}

/// The key for a build into `out`: the folder's salt when the password
/// still matches it (so an unchanged book rewrites nothing), otherwise a
/// new salt (so everything is rewritten).
pub fn key_for_output(out: &Path, password: &str, rekey: bool) -> (SiteKey, KeyOrigin) {
    key_for_record(read_salt(out).as_ref(), password, rekey)
}

/// Like [`key_for_output`], from a salt record already read.
pub fn key_for_record(
    record: Option<&SaltRecord>,
    password: &str,
    rekey: bool,
) -> (SiteKey, KeyOrigin) {
    let mut password_changed = false;
    if let Some(rec) = record.filter(|_| !rekey) {
        if let Some(salt) = rec.salt_bytes() {
            let key = derive_key(password, &salt);
            if B64.encode(key.check) == rec.check {
                return (key, KeyOrigin::Kept);
            }
            password_changed = true;
        }
    }
    (
        derive_key(password, &new_salt()),
        KeyOrigin::NewSalt { password_changed },
    )
}

/// Whether a site file is encrypted: every HTML page and every file under
/// `data/`.
pub fn is_encrypted(path: &str) -> bool {
    path.ends_with(".html") || path.starts_with("data/")
}

fn is_data(path: &str) -> bool {
    path.starts_with("data/") && !path.ends_with(".html")
}

/// The slug of a partner page `partners/<slug>.html` (not the table).
fn partner_slug(path: &str) -> Option<&str> {
    let stem = path.strip_prefix("partners/")?.strip_suffix(".html")?;
    (!stem.is_empty() && stem != "index" && !stem.contains('/')).then_some(stem)
}

/// Plain path → written path, for every file that gets a new name:
/// partner pages (opaque names) and data files (their carrier scripts).
pub fn renamed(files: &SiteFiles, key: &SiteKey) -> BTreeMap<String, String> {
    files
        .keys()
        .filter_map(|p| {
            if let Some(slug) = partner_slug(p) {
                Some((
                    p.clone(),
                    format!("partners/{}.html", key.opaque_name(slug)),
                ))
            } else if is_data(p) {
                Some((p.clone(), format!("{p}{DATA_SUFFIX}")))
            } else {
                None
            }
        })
        .collect()
}

/// Only the renamed pages: what links are rewritten with.
fn page_names(names: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    names
        .iter()
        .filter(|(p, _)| partner_slug(p).is_some())
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect()
}

/// `../` repeated once per folder of `path`.
fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The hashes (CSP source expressions) of the inline scripts of a page,
/// so that they still run once the page is decrypted.
fn inline_script_hashes(html: &str) -> Vec<String> {
    links::inline_scripts(html)
        .into_iter()
        .map(|s| format!("'sha256-{}'", B64.encode(Sha256::digest(s.as_bytes()))))
        .collect()
}

/// The small page that stands for an encrypted HTML page.
fn locked_page(
    path: &str,
    sealed: &[u8],
    plain: &str,
    key: &SiteKey,
    data_files: &str,
    has_style: bool,
) -> String {
    let root = root_prefix(path);
    let mut scripts = vec!["'self'".to_string()];
    scripts.extend(inline_script_hashes(plain));
    let csp = format!(
        "default-src 'none'; script-src {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
        scripts.join(" ")
    );
    let style = if has_style {
        format!("<link rel=\"stylesheet\" href=\"{root}style.css\">\n")
    } else {
        String::new()
    };
    PAGE_HTML
        .replace("{{root}}", &escape_attr(&root))
        .replace("{{path}}", &escape_attr(path))
        .replace("{{salt}}", &B64.encode(key.salt))
        .replace("{{iterations}}", &ITERATIONS.to_string())
        .replace("{{data}}", &escape_attr(data_files))
        .replace("{{csp}}", &escape_attr(&csp))
        .replace("{{title}}", TITLE)
        .replace("{{style}}\n", &style)
        .replace(
            "{{script}}",
            &escape_attr(&format!("{root}{UNLOCK_SCRIPT}")),
        )
        .replace("{{ciphertext}}", &B64.encode(sealed))
}

/// The carrier script of a data file: it hands the ciphertext to the
/// unlock script when a page loads it.
fn data_carrier(path: &str, sealed: &[u8]) -> String {
    format!(
        "rapportData({}, \"{}\");\n",
        serde_json::to_string(path).expect("a string serialises"),
        B64.encode(sealed)
    )
}

/// Encrypts a built site: every HTML page becomes a locked page holding
/// its ciphertext, partner pages get opaque names (and every link to them
/// is rewritten), data files become carrier scripts, and the unlock
/// script and the salt file are added. Other files (the stylesheet, the
/// book's static files) are kept as they are.
pub fn encrypt_site(files: &SiteFiles, key: &SiteKey) -> SiteFiles {
    let names = renamed(files, key);
    let pages = page_names(&names);
    // The search index is loaded by the search box, not offered for
    // download.
    let data_files: Vec<&str> = files
        .keys()
        .filter(|p| is_data(p) && p.as_str() != crate::render::search::FILE)
        .map(String::as_str)
        .collect();
    let data_list = data_files.join(" ");
    let has_style = files.contains_key("style.css");
    let mut out: SiteFiles = files
        .par_iter()
        .map(|(path, bytes)| {
            let target = names.get(path).cloned().unwrap_or_else(|| path.clone());
            let written: FileBytes = if path.ends_with(".html") {
                let plain = String::from_utf8_lossy(bytes);
                let linked = rewrite_links(&plain, &target, &pages);
                let sealed = key.seal(&target, linked.as_bytes());
                locked_page(&target, &sealed, &linked, key, &data_list, has_style)
                    .into_bytes()
                    .into()
            } else if path == crate::render::search::FILE {
                // The index names partner pages: by their written names.
                let renamed = crate::render::search::rename_pages(bytes, &pages);
                let plain = renamed.as_deref().unwrap_or(bytes);
                data_carrier(path, &key.seal(path, plain))
                    .into_bytes()
                    .into()
            } else if is_data(path) {
                data_carrier(path, &key.seal(path, bytes))
                    .into_bytes()
                    .into()
            } else {
                bytes.clone()
            };
            (target, written)
        })
        .collect();
    out.insert(UNLOCK_SCRIPT.into(), UNLOCK_JS.as_bytes().to_vec().into());
    out.insert(SALT_FILE.into(), SaltRecord::of(key).to_bytes().into());
    out
}

/// Why an encrypted site could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecryptError {
    /// No usable salt file.
    NoSalt,
    /// The password does not match the salt file's check value.
    WrongPassword,
    /// A file that should hold a ciphertext does not, or it does not open.
    Damaged(String),
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::NoSalt => write!(f, "this is not an encrypted site (no {SALT_FILE})"),
            DecryptError::WrongPassword => write!(f, "the password does not open this site"),
            DecryptError::Damaged(p) => write!(f, "{p} is damaged or was not written by rapport"),
        }
    }
}

impl std::error::Error for DecryptError {}

/// The key of an encrypted site, from its salt file and the password.
pub fn key_of_site(files: &SiteFiles, password: &str) -> Result<SiteKey, DecryptError> {
    let rec = files
        .get(SALT_FILE)
        .and_then(|b| SaltRecord::parse(b))
        .ok_or(DecryptError::NoSalt)?;
    let salt = rec.salt_bytes().ok_or(DecryptError::NoSalt)?;
    let key = derive_key(password, &salt);
    if B64.encode(key.check) != rec.check {
        return Err(DecryptError::WrongPassword);
    }
    Ok(key)
}

/// The ciphertext embedded in a locked page.
fn embedded_ciphertext(page: &str) -> Option<&str> {
    const OPEN: &str = "<script type=\"application/octet-stream\" id=\"rapport-ciphertext\">";
    let start = page.find(OPEN)? + OPEN.len();
    let len = page[start..].find("</script>")?;
    Some(page[start..start + len].trim())
}

/// Reads an encrypted site back: every page decrypted under its written
/// name (its links still point at the written names), every data file
/// decrypted under its plain name, the other files as they are. The
/// unlock script and the salt file are left out.
pub fn decrypt_site(files: &SiteFiles, key: &SiteKey) -> Result<SiteFiles, DecryptError> {
    files
        .par_iter()
        .filter(|(p, _)| p.as_str() != UNLOCK_SCRIPT && p.as_str() != SALT_FILE)
        .map(|(path, bytes)| {
            let damaged = || DecryptError::Damaged(path.clone());
            if path.ends_with(".html") {
                let page = std::str::from_utf8(bytes).map_err(|_| damaged())?;
                let sealed = B64
                    .decode(embedded_ciphertext(page).ok_or_else(damaged)?)
                    .map_err(|_| damaged())?;
                let plain = key.open(path, &sealed).ok_or_else(damaged)?;
                Ok((path.clone(), plain.into()))
            } else if let Some(plain_path) = path
                .strip_suffix(DATA_SUFFIX)
                .filter(|p| p.starts_with("data/"))
            {
                let text = std::str::from_utf8(bytes).map_err(|_| damaged())?;
                let prefix = format!(
                    "rapportData({}, \"",
                    serde_json::to_string(plain_path).expect("a string serialises")
                );
                let b64 = text
                    .strip_prefix(&prefix)
                    .and_then(|r| r.strip_suffix("\");\n"))
                    .ok_or_else(damaged)?;
                let sealed = B64.decode(b64).map_err(|_| damaged())?;
                let plain = key.open(plain_path, &sealed).ok_or_else(damaged)?;
                Ok((plain_path.to_string(), plain.into()))
            } else {
                Ok((path.clone(), bytes.clone()))
            }
        })
        .collect()
}

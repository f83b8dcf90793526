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
//! - the file's path is the associated data, so files cannot be swapped
//!   (the browser takes it from the address a page was loaded from);
//! - every plaintext is padded to a size bucket ([`padded_len`]) before it
//!   is encrypted, so sizes say little about what a file holds;
//! - partner pages get opaque names, HMAC-SHA256(name key, slug), and every
//!   link to them is rewritten.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::site::SiteFiles;

mod links;
pub mod passphrase;
pub mod publish;

pub use links::{prepare_page, rewrite_links};

/// PBKDF2 iterations of a new salt; the browser script uses the number
/// each page states. Chosen so that one unlock costs at least 250 ms in
/// Chromium on a laptop-class CPU (`docs/security.md`).
pub const ITERATIONS: u32 = 1_000_000;
/// The fewest iterations a kept salt record may state.
pub const MIN_ITERATIONS: u32 = 600_000;
/// The smallest padded size of an encrypted file's plaintext.
pub const MIN_BUCKET: usize = 16 * 1024;
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
    iterations: u32,
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

    /// What tells this key from another without revealing it: the salt,
    /// the iterations and the check value (all three are published in
    /// the salt file).
    pub fn public_id(&self) -> Vec<u8> {
        let mut id = self.salt.to_vec();
        id.extend_from_slice(&self.iterations.to_le_bytes());
        id.extend_from_slice(&self.check);
        id
    }

    /// The PBKDF2 iterations the key was derived with.
    pub fn iterations(&self) -> u32 {
        self.iterations
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

    /// Encrypts `plain` for `path` (its associated data), padded to its
    /// size bucket: the nonce followed by the ciphertext and tag.
    pub fn seal(&self, path: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = self.nonce_for(path, plain);
        let mut out = Vec::with_capacity(12 + padded_len(plain.len()) + 16);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        out.push(0x80);
        out.resize(12 + padded_len(plain.len()), 0);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), path.as_bytes(), &mut out[12..])
            .expect("AES-GCM encrypts any length a site holds");
        out.extend_from_slice(&tag);
        out
    }

    /// Decrypts what [`SiteKey::seal`] wrote for `path`; `None` when the
    /// key, the path or the bytes are wrong.
    pub fn open(&self, path: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(12);
        let mut plain = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: path.as_bytes(),
                },
            )
            .ok()?;
        let end = plain.iter().rposition(|&b| b != 0)?;
        (plain[end] == 0x80).then_some(())?;
        plain.truncate(end);
        Some(plain)
    }
}

/// The padded size of a plaintext of `len` bytes (one byte 0x80, then
/// zeros): the smallest power of two that holds `len + 1`, and at least
/// [`MIN_BUCKET`] (16 KiB, 32 KiB, 64 KiB, …).
pub fn padded_len(len: usize) -> usize {
    (len + 1).next_power_of_two().max(MIN_BUCKET)
}

/// A fresh salt from the operating system's random source.
pub fn new_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system gives random bytes");
    salt
}

/// Derives the site's keys from the password: one PBKDF2 run of
/// [`ITERATIONS`], then HKDF.
pub fn derive_key(password: &str, salt: &[u8; 16]) -> SiteKey {
    derive_key_with(password, salt, ITERATIONS)
}

/// [`derive_key`] with the iterations a salt record states.
pub fn derive_key_with(password: &str, salt: &[u8; 16], iterations: u32) -> SiteKey {
    let mut master = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut master);
    let hk = Hkdf::<Sha256>::new(Some(&[]), &master);
    let mut key = SiteKey {
        salt: *salt,
        iterations,
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
            iterations: key.iterations,
            salt: B64.encode(key.salt),
            check: B64.encode(key.check),
        }
    }

    /// The salt, when the record is one this version can use.
    pub fn salt_bytes(&self) -> Option<[u8; 16]> {
        if self.version != 1 || self.iterations < MIN_ITERATIONS {
            return None;
        }
        B64.decode(&self.salt).ok()?.try_into().ok()
    }

    /// The key `password` gives with this record's salt and iterations,
    /// when it is the site's password; `None` otherwise (or when the
    /// record is unusable).
    pub fn open_with(&self, password: &str) -> Option<SiteKey> {
        let salt = self.salt_bytes()?;
        let key = derive_key_with(password, &salt, self.iterations);
        (B64.encode(key.check) == self.check).then_some(key)
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
    /// A new salt: the first encrypted build here, `--rekey`, a password
    /// that does not match the previous one, or a kept salt whose
    /// iterations are fewer than this version's.
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
        if rec.salt_bytes().is_some() {
            match rec.open_with(password) {
                Some(key) if key.iterations >= ITERATIONS => return (key, KeyOrigin::Kept),
                Some(_) => {}
                None => password_changed = true,
            }
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

/// Whether a site path is a data file (encrypted, written as a carrier
/// script).
pub fn is_data(path: &str) -> bool {
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

/// The written name of a site path that is a partner page.
fn page_name(key: &SiteKey, path: &str) -> Option<String> {
    partner_slug(path).map(|slug| format!("partners/{}.html", key.opaque_name(slug)))
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

/// The policy of every locked page, and so of every page once opened
/// (writing the decrypted page in keeps it): scripts only from the site's
/// files and from the `blob:` addresses the unlock script makes of
/// encrypted scripts; the hidden frame that loads the next page; a
/// `<base>` only of the site's own origin. Nothing in it depends on what
/// the page holds.
pub const LOCKED_CSP: &str = "default-src 'none'; script-src 'self' blob:; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; base-uri 'self'; \
    form-action 'none'";

/// The pages of a site that hold an inline script that would run, which
/// an encrypted site refuses: a policy that lets it run would have to
/// publish its hash (derived from the plaintext) in clear.
pub fn pages_with_inline_scripts(files: &SiteFiles) -> Vec<String> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .filter(|(_, b)| links::has_running_inline_script(&String::from_utf8_lossy(b)))
        .map(|(p, _)| p.clone())
        .collect()
}

/// Whether one HTML page holds an inline script that would run.
pub fn page_has_inline_script(html: &[u8]) -> bool {
    links::has_running_inline_script(&String::from_utf8_lossy(html))
}

/// The small page that stands for an encrypted HTML page.
fn locked_page(path: &str, sealed: &[u8], key: &SiteKey, has_style: bool) -> String {
    let root = root_prefix(path);
    let style = if has_style {
        format!("<link rel=\"stylesheet\" href=\"{root}style.css\">\n")
    } else {
        String::new()
    };
    PAGE_HTML
        .replace("{{salt}}", &B64.encode(key.salt))
        .replace("{{check}}", &B64.encode(key.check))
        .replace("{{iterations}}", &key.iterations.to_string())
        .replace(
            "{{csp}}",
            &escape_attr(&LOCKED_CSP.split_whitespace().collect::<Vec<_>>().join(" ")),
        )
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

/// The written name and bytes of one HTML page of a site (its plain
/// path and bytes): the locked page that holds it, its links to partner
/// pages rewritten to their opaque names. Pages can be encrypted one by
/// one as they are rendered: nothing here depends on the rest of the site.
pub fn encrypt_page(key: &SiteKey, path: &str, plain: &[u8], has_style: bool) -> (String, Vec<u8>) {
    let (target, locked, _) = encrypt_and_check_page(key, path, plain, has_style);
    (target, locked)
}

/// [`encrypt_page`], and whether the page holds an inline script that
/// would run (which an encrypted site refuses), found in the same scan.
pub fn encrypt_and_check_page(
    key: &SiteKey,
    path: &str,
    plain: &[u8],
    has_style: bool,
) -> (String, Vec<u8>, bool) {
    let target = page_name(key, path).unwrap_or_else(|| path.to_string());
    let plain = String::from_utf8_lossy(plain);
    let (prepared, inline) =
        links::prepare_and_check(&plain, &target, &|p| page_name(key, p), &is_data);
    let sealed = key.seal(&target, prepared.as_bytes());
    let locked = locked_page(&target, &sealed, key, has_style).into_bytes();
    (target, locked, inline)
}

/// The unlock script of a site whose data files are `data_files`.
fn unlock_script(data_files: &[&str]) -> Vec<u8> {
    UNLOCK_JS
        .replace(
            "/*rapport-data*/[]",
            &serde_json::to_string(data_files).expect("strings serialise"),
        )
        .into_bytes()
}

/// Encrypts a built site: every HTML page becomes a locked page holding
/// its ciphertext, partner pages get opaque names (and every link to them
/// is rewritten), data files become carrier scripts, and the unlock
/// script and the salt file are added. Other files (the stylesheet, the
/// book's static files) are kept as they are. Pages already encrypted
/// with [`encrypt_page`] as they were rendered need not be in `files`.
pub fn encrypt_site(files: &SiteFiles, key: &SiteKey) -> SiteFiles {
    // The search index is loaded by the search box, not offered for
    // download.
    let data_files: Vec<&str> = files
        .keys()
        .filter(|p| is_data(p) && p.as_str() != crate::render::search::FILE)
        .map(String::as_str)
        .collect();
    let has_style = files.contains_key("style.css");
    let mut out: SiteFiles = files
        .par_iter()
        .map(|(path, bytes)| {
            if path.ends_with(".html") {
                let (target, locked) = encrypt_page(key, path, bytes, has_style);
                (target, locked.into())
            } else if path == crate::render::calendar::FILE {
                // Its links to partner pages name them as this site does.
                let plain = String::from_utf8_lossy(bytes);
                let linked =
                    crate::render::calendar::rename_pages(&plain, &|page| page_name(key, page));
                let carrier = data_carrier(path, &key.seal(path, linked.as_bytes())).into_bytes();
                (format!("{path}{DATA_SUFFIX}"), carrier.into())
            } else if path == crate::render::search::FILE {
                // The index names partner pages: by their written names.
                let renamed = crate::render::search::rename_pages(bytes, &|p| page_name(key, p));
                let plain = renamed.as_deref().unwrap_or(bytes);
                let carrier = data_carrier(path, &key.seal(path, plain)).into_bytes();
                (format!("{path}{DATA_SUFFIX}"), carrier.into())
            } else if is_data(path) {
                let carrier = data_carrier(path, &key.seal(path, bytes)).into_bytes();
                (format!("{path}{DATA_SUFFIX}"), carrier.into())
            } else {
                (path.clone(), bytes.clone())
            }
        })
        .collect();
    out.insert(UNLOCK_SCRIPT.into(), unlock_script(&data_files).into());
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
    rec.salt_bytes().ok_or(DecryptError::NoSalt)?;
    rec.open_with(password).ok_or(DecryptError::WrongPassword)
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

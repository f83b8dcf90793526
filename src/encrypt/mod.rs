//! Encrypted publishing: a built site in, a site that opens only with the
//! password out. A pure transformation of the in-memory site; reading and
//! writing the salt file beside the manifest is the only thing that touches
//! the disk.
//!
//! The construction (see `docs/security.md`):
//! - one PBKDF2-HMAC-SHA256 derivation of the password ([`ITERATIONS`],
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
//!
//! A build encrypts file by file as each is made ([`encrypt_into`], used by
//! `pipeline::session`; [`encrypt_site`] encrypts a site already in
//! memory): each plaintext is taken, padded and encrypted
//! where it lies, and the base64 of a large file is handed on in pieces
//! ([`Encrypted::pieces`]), so the site and its ciphertext are never in
//! memory together.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

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
const INFO_CHUNK_NONCE: &[u8] = b"rapport v1 chunk nonce key";

/// A data file whose plaintext is longer than this is sealed in chunks of
/// this many bytes ([`DataWriter`]), each on its own, so that neither it
/// nor its ciphertext is ever whole in memory.
pub const CHUNK: usize = 1024 * 1024;

type HmacSha256 = Hmac<Sha256>;

/// A synthetic nonce: the first 12 bytes of the HMAC of what `mac` took.
fn nonce_of(mac: HmacSha256) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&mac.finalize().into_bytes()[..12]);
    nonce
}

/// HMAC-SHA256 keyed with `key`, before any message.
fn hmac_of(key: &[u8; 32]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key")
}

/// The keys of one encrypted site, derived once per build.
#[derive(Clone)]
pub struct SiteKey {
    salt: [u8; 16],
    iterations: u32,
    content: [u8; 32],
    nonce: [u8; 32],
    /// The nonce key of the chunks of a large file ([`CHUNK`]).
    chunk_nonce: [u8; 32],
    name: [u8; 32],
    check: [u8; 16],
    /// HMAC-SHA256 keyed with the nonce, chunk nonce and name keys, ready
    /// to take a message (the key's blocks hashed once, not per file).
    nonce_mac: HmacSha256,
    chunk_mac: HmacSha256,
    name_mac: HmacSha256,
    /// The text of a locked page around its ciphertext, for a page
    /// [`SHELL_DEPTHS`] folders deep or less, without and with the
    /// stylesheet: made once per key, not once per page.
    shells: Arc<[[Shell; 2]; SHELL_DEPTHS]>,
}

/// The folder depths of the locked pages whose text is made once per key.
const SHELL_DEPTHS: usize = 4;

/// The text of a locked page before and after its ciphertext.
#[derive(Clone)]
struct Shell {
    head: Arc<str>,
    tail: Arc<str>,
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
        let mut mac = self.nonce_mac.clone();
        mac.update(path.as_bytes());
        mac.update(&[0]);
        mac.update(content);
        nonce_of(mac)
    }

    /// The opaque file name stem for a partner slug: 20 hex digits.
    pub fn opaque_name(&self, slug: &str) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut mac = self.name_mac.clone();
        mac.update(slug.as_bytes());
        let mut name = String::with_capacity(20);
        for b in &mac.finalize().into_bytes()[..10] {
            name.push(char::from(HEX[usize::from(b >> 4)]));
            name.push(char::from(HEX[usize::from(b & 15)]));
        }
        name
    }

    /// Encrypts `plain` for `path` (its associated data), padded to its
    /// size bucket: the nonce followed by the ciphertext and tag.
    pub fn seal(&self, path: &str, plain: &[u8]) -> Vec<u8> {
        let mut owned = Vec::with_capacity(padded_len(plain.len()));
        owned.extend_from_slice(plain);
        self.seal_owned(path, owned).to_vec()
    }

    /// [`SiteKey::seal`] of a plaintext the caller gives up: it is padded
    /// and encrypted where it lies (a large file is not copied), and the
    /// nonce and tag are kept beside it.
    pub fn seal_owned(&self, path: &str, mut plain: Vec<u8>) -> Sealed {
        let nonce = self.nonce_for(path, &plain);
        let len = padded_len(plain.len());
        plain.reserve_exact(len - plain.len());
        plain.push(0x80);
        plain.resize(len, 0);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), path.as_bytes(), &mut plain)
            .expect("AES-GCM encrypts any length a site holds");
        Sealed {
            nonce,
            body: plain,
            tag: tag.into(),
        }
    }

    /// Decrypts what [`SiteKey::seal`] wrote for `path`; `None` when the
    /// key, the path or the bytes are wrong.
    pub fn open(&self, path: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        unpad(self.decrypt(sealed, path.as_bytes())?)
    }

    /// Decrypts one ciphertext as sealed (its nonce, ciphertext and tag)
    /// with the associated data `aad`, padding and all; `None` when it
    /// does not open.
    fn decrypt(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(12);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
    }

    /// Encrypts chunk `index` of the large file at `path` where it lies
    /// ([`DataWriter`]): its associated data binds the path, the index
    /// and whether it is the file's last chunk ([`chunk_aad`]), and its
    /// nonce is the first 12 bytes of HMAC-SHA256(chunk nonce key,
    /// associated data ‖ chunk), so an unchanged file encrypts to the same
    /// bytes.
    fn seal_chunk(&self, path: &str, index: u32, last: bool, mut chunk: Vec<u8>) -> Sealed {
        let aad = chunk_aad(path, index, last);
        let mut mac = self.chunk_mac.clone();
        mac.update(&aad);
        mac.update(&chunk);
        let nonce = nonce_of(mac);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut chunk)
            .expect("AES-GCM encrypts a chunk");
        Sealed {
            nonce,
            body: chunk,
            tag: tag.into(),
        }
    }

    /// Decrypts the chunks [`DataWriter`] wrote for `path` (each its
    /// nonce, ciphertext and tag), in order, and takes the padding off;
    /// `None` when one does not open as the chunk of that index, the last
    /// one is not marked the last (a file cut short), or the padding is
    /// wrong.
    pub fn open_chunks(&self, path: &str, chunks: &[Vec<u8>]) -> Option<Vec<u8>> {
        let mut plain = Vec::new();
        for (i, sealed) in chunks.iter().enumerate() {
            let aad = chunk_aad(path, u32::try_from(i).ok()?, i + 1 == chunks.len());
            plain.extend_from_slice(&self.decrypt(sealed, &aad)?);
        }
        unpad(plain)
    }
}

/// A padded plaintext without its padding (0x80, then zeros); `None` when
/// it does not end so.
fn unpad(mut plain: Vec<u8>) -> Option<Vec<u8>> {
    let end = plain.iter().rposition(|&b| b != 0)?;
    (plain[end] == 0x80).then_some(())?;
    plain.truncate(end);
    Some(plain)
}

/// The associated data of chunk `index` of the file at `path`: the path,
/// a zero byte, the index (4 bytes, big-endian) and 1 for the last chunk,
/// 0 for another. A whole file's is its path alone, so neither can stand
/// for the other.
fn chunk_aad(path: &str, index: u32, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(path.len() + 6);
    aad.extend_from_slice(path.as_bytes());
    aad.push(0);
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

/// The padded size of a plaintext of `len` bytes (one byte 0x80, then
/// zeros): the smallest power of two that holds `len + 1`, and at least
/// [`MIN_BUCKET`] (16 KiB, 32 KiB, 64 KiB, …).
pub fn padded_len(len: usize) -> usize {
    (len + 1).next_power_of_two().max(MIN_BUCKET)
}

/// The padded size of a data file of `len` bytes sealed in chunks (`len`
/// above [`CHUNK`]): `len + 1` rounded up to a multiple of an eighth of
/// the power of two that holds it, and of [`CHUNK`] (2 MiB, 3 MiB, 4 MiB,
/// 5 MiB … 8 MiB, 10 MiB, 12 MiB … 16 MiB, 20 MiB …). Only the few
/// book-wide data files are this large; `docs/security.md` says what
/// their size tells.
pub fn chunked_padded_len(len: usize) -> usize {
    let need = len + 1;
    let step = (need.next_power_of_two() / 8).max(CHUNK);
    need.div_ceil(step) * step
}

/// How many bytes of a ciphertext are turned into base64 at a time when
/// a file is handed over in pieces (a multiple of 3, so that the pieces
/// join into the base64 of the whole): 48 KiB, 64 KiB of base64.
const PIECE: usize = 3 * 16 * 1024;

/// What [`SiteKey::seal_owned`] gives: the nonce, the padded plaintext
/// encrypted where it lay, and the tag. Its bytes, in that order, are what
/// [`SiteKey::seal`] gives.
pub struct Sealed {
    nonce: [u8; 12],
    body: Vec<u8>,
    tag: [u8; 16],
}

impl Sealed {
    /// The bytes: nonce, ciphertext, tag.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.body);
        out.extend_from_slice(&self.tag);
        out
    }

    fn len(&self) -> usize {
        12 + self.body.len() + 16
    }

    /// The length of the base64 of the bytes (padded with `=`).
    fn base64_len(&self) -> usize {
        self.len().div_ceil(3) * 4
    }

    /// Writes the base64 of the bytes into `text`, which is as long as it.
    fn base64_into(&self, text: &mut [u8]) {
        let whole = self.body.len() - self.body.len() % 3;
        let mut at = 0;
        for part in [&self.nonce[..], &self.body[..whole], &self.tail_group()] {
            at += B64
                .encode_slice(part, &mut text[at..])
                .expect("the text holds the base64");
        }
        debug_assert_eq!(at, text.len());
    }

    /// The last bytes of the body that do not fill a group of three, and
    /// the tag.
    fn tail_group(&self) -> Vec<u8> {
        let whole = self.body.len() - self.body.len() % 3;
        let mut tail = self.body[whole..].to_vec();
        tail.extend_from_slice(&self.tag);
        tail
    }

    /// Hands the base64 of the bytes to `put` in pieces of at most 64 KiB,
    /// in order: the same text as `B64.encode(self.to_vec())`, without the
    /// whole of it, or a copy of the ciphertext, ever in memory.
    fn base64_pieces(&self, put: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let mut buf = vec![0u8; self.base64_len().min(PIECE / 3 * 4)];
        let mut encode = |bytes: &[u8], put: &mut dyn FnMut(&[u8]) -> io::Result<()>| {
            let n = B64
                .encode_slice(bytes, &mut buf)
                .expect("the buffer holds the base64 of a piece");
            put(&buf[..n])
        };
        // 12 bytes of nonce are 16 characters: the body starts on a group.
        encode(&self.nonce, put)?;
        let whole = self.body.len() - self.body.len() % 3;
        for piece in self.body[..whole].chunks(PIECE) {
            encode(piece, put)?;
        }
        encode(&self.tail_group(), put)
    }
}

/// A file handed over in pieces: called with a function that takes each
/// piece in order (and may stop it with an error).
pub type Pieces<'a> = dyn Fn(&mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> + 'a;

/// An encrypted file of the site, to be written: a locked page or a data
/// file's carrier script, which is some text, the base64 of a ciphertext
/// and some more text. Its bytes can be had in pieces
/// ([`Encrypted::pieces`]), so that the base64 of a large file is never a
/// string of its own.
pub struct Encrypted {
    path: String,
    head: Arc<str>,
    body: Body,
    tail: Arc<str>,
}

/// What is between the head and the tail of an encrypted file.
enum Body {
    /// One ciphertext, written as base64.
    Sealed(Sealed),
    /// Text already written: the chunks of a large data file.
    Text(Vec<u8>),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Sealed(s) => s.base64_len(),
            Body::Text(t) => t.len(),
        }
    }
}

impl Encrypted {
    /// Its written path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        (self.head.len() + self.body.len() + self.tail.len()) as u64
    }

    /// Whether it has no bytes (never: a ciphertext is at least 16 KiB).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands its bytes to `put` in pieces, in order.
    pub fn pieces(&self, put: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        put(self.head.as_bytes())?;
        match &self.body {
            Body::Sealed(s) => s.base64_pieces(put)?,
            Body::Text(t) => {
                for piece in t.chunks(PIECE / 3 * 4) {
                    put(piece)?;
                }
            }
        }
        put(self.tail.as_bytes())
    }

    /// Its bytes, in one buffer (the base64 written straight into it).
    pub fn into_bytes(self) -> Vec<u8> {
        let mut out = vec![0u8; self.len() as usize];
        let (head, rest) = out.split_at_mut(self.head.len());
        head.copy_from_slice(self.head.as_bytes());
        let (text, tail) = rest.split_at_mut(self.body.len());
        match &self.body {
            Body::Sealed(s) => s.base64_into(text),
            Body::Text(t) => text.copy_from_slice(t),
        }
        tail.copy_from_slice(self.tail.as_bytes());
        out
    }
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
        chunk_nonce: [0; 32],
        name: [0; 32],
        check: [0; 16],
        nonce_mac: hmac_of(&[0; 32]),
        chunk_mac: hmac_of(&[0; 32]),
        name_mac: hmac_of(&[0; 32]),
        shells: Arc::new(std::array::from_fn(|_| {
            std::array::from_fn(|_| Shell {
                head: "".into(),
                tail: "".into(),
            })
        })),
    };
    let expand = |info: &[u8], out: &mut [u8]| {
        hk.expand(info, out).expect("HKDF gives up to 8 KiB");
    };
    expand(INFO_CONTENT, &mut key.content);
    expand(INFO_NONCE, &mut key.nonce);
    expand(INFO_NAME, &mut key.name);
    expand(INFO_CHECK, &mut key.check);
    expand(INFO_CHUNK_NONCE, &mut key.chunk_nonce);
    key.nonce_mac = hmac_of(&key.nonce);
    key.chunk_mac = hmac_of(&key.chunk_nonce);
    key.name_mac = hmac_of(&key.name);
    key.shells = Arc::new(std::array::from_fn(|depth| {
        [false, true].map(|has_style| shell(&"../".repeat(depth), &key, has_style))
    }));
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

// The slug of a partner page (or the name of a page of the cut partner
// table), which gets an opaque name.
use crate::render::partner_page_slug as partner_slug;

/// Plain path → written path, for every file that gets a new name:
/// partner pages (opaque names) and data files (their carrier scripts).
pub fn renamed(files: &SiteFiles, key: &SiteKey) -> BTreeMap<String, String> {
    files
        .keys()
        .filter_map(|p| {
            if let Some(slug) = partner_slug(p) {
                Some((
                    p.clone(),
                    crate::render::partner_page_name(&key.opaque_name(slug)),
                ))
            } else if is_data(p) {
                Some((p.clone(), carrier_path(p)))
            } else {
                None
            }
        })
        .collect()
}

/// The written name of a site path that is a partner page.
fn page_name(key: &SiteKey, path: &str) -> Option<String> {
    partner_slug(path).map(|slug| crate::render::partner_page_name(&key.opaque_name(slug)))
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

/// The text of a locked page at a path whose folders `root` leads up
/// from, before and after its ciphertext.
fn shell(root: &str, key: &SiteKey, has_style: bool) -> Shell {
    let style = if has_style {
        format!("<link rel=\"stylesheet\" href=\"{root}style.css\">\n")
    } else {
        String::new()
    };
    let fill = |text: &str| {
        text.replace("{{salt}}", &B64.encode(key.salt))
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
    };
    let (head, tail) = PAGE_HTML
        .split_once("{{ciphertext}}")
        .expect("the page has a place for the ciphertext");
    Shell {
        head: fill(head).into(),
        tail: fill(tail).into(),
    }
}

/// The small page that stands for an encrypted HTML page, around its
/// ciphertext.
fn locked_page(path: &str, sealed: Sealed, key: &SiteKey, has_style: bool) -> Encrypted {
    let depth = path.matches('/').count();
    let shell = match key.shells.get(depth) {
        Some(made) => made[usize::from(has_style)].clone(),
        None => shell(&root_prefix(path), key, has_style),
    };
    Encrypted {
        path: path.to_string(),
        head: shell.head,
        body: Body::Sealed(sealed),
        tail: shell.tail,
    }
}

/// The carrier script of a data file: it hands the ciphertext to the
/// unlock script when a page loads it.
fn data_carrier(path: &str, sealed: Sealed) -> Encrypted {
    Encrypted {
        path: carrier_path(path),
        head: format!("{}\"", carrier_call(path)).into(),
        body: Body::Sealed(sealed),
        tail: "\");\n".into(),
    }
}

/// What a data file's carrier script opens with: the call and the path.
fn carrier_call(path: &str) -> String {
    format!(
        "rapportData({}, ",
        serde_json::to_string(path).expect("a string serialises")
    )
}

/// The written path of the carrier script of the data file at `path`.
pub fn carrier_path(path: &str) -> String {
    format!("{path}{DATA_SUFFIX}")
}

/// Seals a data file as it comes, a piece at a time, handing its carrier
/// script on a piece at a time, so that neither the plaintext nor the
/// ciphertext of a large file is ever whole in memory.
///
/// A file of at most [`CHUNK`] bytes is sealed whole, as every file was
/// before: `rapportData("data/x.json", "BASE64");`. A longer one is padded
/// to [`chunked_padded_len`] (0x80, then zeros), cut into chunks of
/// [`CHUNK`] bytes and each sealed on its own ([`SiteKey::seal_chunk`]):
/// `rapportData("data/x.json", ["BASE64", "BASE64", …]);`, a chunk's
/// base64 its nonce, ciphertext and tag.
pub struct DataWriter<'a> {
    key: &'a SiteKey,
    path: &'a str,
    /// Plaintext not yet sealed: at most a chunk.
    buf: Vec<u8>,
    /// Chunks sealed and handed on.
    chunks: u32,
    /// Plaintext bytes taken.
    len: usize,
    out: &'a mut dyn FnMut(&[u8]) -> io::Result<()>,
}

impl<'a> DataWriter<'a> {
    /// A writer of the carrier of the data file at `path` into `out`.
    pub fn new(
        key: &'a SiteKey,
        path: &'a str,
        out: &'a mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> DataWriter<'a> {
        DataWriter {
            key,
            path,
            buf: Vec::new(),
            chunks: 0,
            len: 0,
            out,
        }
    }

    /// Takes the next bytes of the plaintext.
    pub fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.buf.len() == CHUNK {
                // More comes: this chunk is not the last.
                self.seal(false)?;
            }
            if self.buf.capacity() == 0 {
                self.buf
                    .reserve_exact(CHUNK.min(bytes.len().max(64 * 1024)));
            }
            let take = (CHUNK - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            self.len += take;
            bytes = &bytes[take..];
        }
        Ok(())
    }

    /// Seals the chunk in the buffer and hands its base64 on.
    fn seal(&mut self, last: bool) -> io::Result<()> {
        if self.chunks == 0 {
            (self.out)(carrier_call(self.path).as_bytes())?;
            (self.out)(b"[\"")?;
        } else {
            (self.out)(b", \"")?;
        }
        let chunk = std::mem::take(&mut self.buf);
        let sealed = self.key.seal_chunk(self.path, self.chunks, last, chunk);
        sealed.base64_pieces(self.out)?;
        (self.out)(b"\"")?;
        self.chunks += 1;
        self.buf = sealed.body;
        self.buf.clear();
        Ok(())
    }

    /// Seals what is left, with its padding, and hands on the end of the
    /// script.
    pub fn finish(mut self) -> io::Result<()> {
        if self.chunks == 0 {
            let plain = std::mem::take(&mut self.buf);
            let path = self.path;
            return data_carrier(path, self.key.seal_owned(path, plain)).pieces(self.out);
        }
        let mut padding = chunked_padded_len(self.len) - self.len;
        let mut mark = true;
        while padding > 0 {
            if self.buf.len() == CHUNK {
                self.seal(false)?;
            }
            let take = (CHUNK - self.buf.len()).min(padding);
            let to = self.buf.len() + take;
            if mark {
                self.buf.push(0x80);
                mark = false;
            }
            self.buf.resize(to, 0);
            padding -= take;
        }
        debug_assert_eq!(self.buf.len(), CHUNK);
        self.seal(true)?;
        (self.out)(b"]);\n")
    }
}

/// The carrier script of the data file at `path` (the calendar's and the
/// search index's links to partner pages naming them as this site does),
/// its plaintext handed over by `fill` a piece at a time, written to `out`
/// a piece at a time ([`DataWriter`]). The search index is renamed as it
/// comes (its page names come first); the calendar is renamed whole.
pub fn write_data(
    key: &SiteKey,
    path: &str,
    fill: &Pieces<'_>,
    out: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut writer = DataWriter::new(key, path, out);
    if path == crate::render::calendar::FILE {
        let mut whole = Vec::new();
        fill(&mut |piece| {
            whole.extend_from_slice(piece);
            Ok(())
        })?;
        // A partner's page is named by many events: each name made once.
        let names = std::cell::RefCell::new(std::collections::HashMap::new());
        let linked =
            crate::render::calendar::rename_pages(&String::from_utf8_lossy(&whole), &|page| {
                if let Some(name) = names.borrow().get(page) {
                    return Clone::clone(name);
                }
                let name = page_name(key, page);
                names.borrow_mut().insert(page.to_string(), name.clone());
                name
            });
        drop(whole);
        writer.write(linked.as_bytes())?;
    } else if path == crate::render::search::FILE {
        // Held until the page names have come (the first piece, as the
        // index is written), renamed, then handed on as it comes.
        let mut opening: Option<Vec<u8>> = Some(Vec::new());
        fill(&mut |piece| match &mut opening {
            None => writer.write(piece),
            Some(held) => {
                held.extend_from_slice(piece);
                let Some(end) = crate::render::search::opening_end(held) else {
                    return Ok(());
                };
                let rest = held.split_off(end);
                let named = crate::render::search::rename_opening(held, &|p| page_name(key, p));
                writer.write(named.as_deref().unwrap_or(held))?;
                opening = None;
                writer.write(&rest)
            }
        })?;
        if let Some(held) = opening {
            // Not an index as rapport writes one: renamed whole, if at all.
            let named = crate::render::search::rename_pages(&held, &|p| page_name(key, p));
            writer.write(named.as_deref().unwrap_or(&held))?;
        }
    } else {
        fill(&mut |piece| writer.write(piece))?;
    }
    writer.finish()
}

/// The locked page that holds one HTML page of a site (its plain path
/// and bytes), in pieces, its links to partner pages rewritten to their
/// opaque names, and whether the page holds an inline script that would
/// run (which an encrypted site refuses), found in the same scan. Pages
/// can be encrypted one by one as they are rendered: nothing here depends
/// on the rest of the site.
pub fn encrypt_and_check_page(
    key: &SiteKey,
    path: &str,
    plain: &[u8],
    has_style: bool,
) -> (Encrypted, bool) {
    let target = page_name(key, path).unwrap_or_else(|| path.to_string());
    let plain = match std::str::from_utf8(plain) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(plain),
    };
    // Made as large as its padding from the start: it is padded and
    // encrypted where it lies, not moved.
    let mut prepared = Vec::with_capacity(padded_len(plain.len()));
    let inline = links::prepare_into(
        &plain,
        &target,
        &|p| page_name(key, p),
        &is_data,
        &mut prepared,
    );
    drop(plain);
    let sealed = key.seal_owned(&target, prepared);
    (locked_page(&target, sealed, key, has_style), inline)
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

/// What becomes of one file of a built site.
pub enum Made {
    /// Kept as it is (the stylesheet, the book's static files).
    Clear(Vec<u8>),
    /// Encrypted; for a page, whether it holds an inline script that would
    /// run (which an encrypted site refuses).
    Encrypted(Encrypted, bool),
}

/// One file of a built site (its plain path and bytes, which it takes,
/// so that a large plaintext is encrypted where it lies and let go of as
/// soon as it is): an HTML page becomes a locked page, its links to
/// partner pages renamed; a data file becomes a carrier script (the
/// calendar's and the search index's links to partner pages name them as
/// this site does); anything else is kept as it is.
pub fn encrypt_file(key: &SiteKey, path: &str, bytes: Vec<u8>, has_style: bool) -> Made {
    if path.ends_with(".html") {
        let (locked, inline) = encrypt_and_check_page(key, path, &bytes, has_style);
        return Made::Encrypted(locked, inline);
    }
    if !is_data(path) {
        return Made::Clear(bytes);
    }
    let mut text = Vec::new();
    write_data(key, path, &|put| put(&bytes), &mut |piece| {
        text.extend_from_slice(piece);
        Ok(())
    })
    .expect("a buffer takes every piece");
    let carrier = Encrypted {
        path: carrier_path(path),
        head: "".into(),
        body: Body::Text(text),
        tail: "".into(),
    };
    Made::Encrypted(carrier, false)
}

/// Encrypts one file of the site as it is made and hands it on: an
/// encrypted one (a page, a data file) to `put`, in pieces, and a clear
/// one (the stylesheet, the site's script, a static file) to `keep`. Gives
/// back whether the file is a page that runs an inline script, which an
/// encrypted site refuses: such a page is handed to neither.
pub fn encrypt_into(
    key: &SiteKey,
    path: &str,
    bytes: Vec<u8>,
    has_style: bool,
    keep: &dyn Fn(&str, Vec<u8>),
    put: &(dyn Fn(&str, u64, &Pieces<'_>) + Sync),
) -> bool {
    if !is_encrypted(path) {
        keep(path, bytes);
        return false;
    }
    match encrypt_file(key, path, bytes, has_style) {
        Made::Encrypted(_, true) => true,
        Made::Encrypted(e, false) => {
            put(&e.path, e.len(), &|take| e.pieces(take));
            false
        }
        Made::Clear(bytes) => {
            keep(path, bytes);
            false
        }
    }
}

/// The files a site adds once encrypted: the unlock script (which names
/// the data files a page offers for download) and the salt file.
pub fn added_files<'a>(
    paths: impl Iterator<Item = &'a String>,
    key: &SiteKey,
) -> [(String, Vec<u8>); 2] {
    // The search index is loaded by the search box, not offered for
    // download.
    let data_files: Vec<&str> = paths
        .filter(|p| is_data(p) && p.as_str() != crate::render::search::FILE)
        .map(String::as_str)
        .collect();
    [
        (UNLOCK_SCRIPT.into(), unlock_script(&data_files)),
        (SALT_FILE.into(), SaltRecord::of(key).to_bytes()),
    ]
}

/// Encrypts a built site: every HTML page becomes a locked page holding
/// its ciphertext, partner pages get opaque names (and every link to them
/// is rewritten), data files become carrier scripts, and the unlock
/// script and the salt file are added. Other files (the stylesheet, the
/// book's static files) are kept as they are.
pub fn encrypt_site(files: &SiteFiles, key: &SiteKey) -> SiteFiles {
    let has_style = files.contains_key("style.css");
    let mut out: SiteFiles = files
        .par_iter()
        .map(|(path, bytes)| {
            if !is_encrypted(path) {
                return (path.clone(), bytes.clone());
            }
            match encrypt_file(key, path, bytes.to_vec(), has_style) {
                Made::Clear(_) => (path.clone(), bytes.clone()),
                Made::Encrypted(e, _) => (e.path.clone(), e.into_bytes().into()),
            }
        })
        .collect();
    for (path, bytes) in added_files(files.keys(), key) {
        out.insert(path, bytes.into());
    }
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
                let args = text
                    .strip_prefix(&carrier_call(plain_path))
                    .and_then(|r| r.strip_suffix(");\n"))
                    .ok_or_else(damaged)?;
                let plain = if let Some(list) =
                    args.strip_prefix("[\"").and_then(|r| r.strip_suffix("\"]"))
                {
                    let chunks = list
                        .split("\", \"")
                        .map(|b64| B64.decode(b64))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| damaged())?;
                    key.open_chunks(plain_path, &chunks)
                } else {
                    let b64 = args
                        .strip_prefix('"')
                        .and_then(|r| r.strip_suffix('"'))
                        .ok_or_else(damaged)?;
                    let sealed = B64.decode(b64).map_err(|_| damaged())?;
                    key.open(plain_path, &sealed)
                };
                Ok((plain_path.to_string(), plain.ok_or_else(damaged)?.into()))
            } else {
                Ok((path.clone(), bytes.clone()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SiteKey {
        // Few iterations: the derivation is not what is tested here.
        derive_key_with("tulip ledger orbit canyon velvet ninety", &[7; 16], 1000)
    }

    #[test]
    fn a_file_in_pieces_is_the_same_bytes_as_in_one_piece() {
        let key = key();
        // Sizes around the bucket edges and around a piece of base64.
        for len in [
            0,
            1,
            2,
            3,
            16383,
            16384,
            16385,
            PIECE - 1,
            PIECE,
            100_000,
            200_003,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let path = "data/partners.json";
            let whole = key.seal(path, &plain);
            assert_eq!(whole.len(), 12 + padded_len(len) + 16);
            let carrier = data_carrier(path, key.seal_owned(path, plain.clone()));
            let expected = format!(
                "rapportData(\"data/partners.json\", \"{}\");\n",
                B64.encode(&whole)
            );
            assert_eq!(carrier.len(), expected.len() as u64, "length at {len}");
            let mut pieces = Vec::new();
            carrier
                .pieces(&mut |p| {
                    assert!(p.len() <= 64 * 1024);
                    pieces.push(p.to_vec());
                    Ok(())
                })
                .unwrap();
            assert_eq!(pieces.concat(), expected.as_bytes(), "bytes at {len}");
            assert_eq!(carrier.into_bytes(), expected.as_bytes());
            assert_eq!(key.open(path, &whole).unwrap(), plain);
        }
    }

    /// The carrier of `plain` at `path`, its plaintext handed over in
    /// pieces of `piece` bytes.
    fn carrier_in_pieces(key: &SiteKey, path: &str, plain: &[u8], piece: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |p: &[u8]| {
            out.extend_from_slice(p);
            Ok(())
        };
        let mut writer = DataWriter::new(key, path, &mut put);
        for part in plain.chunks(piece.max(1)) {
            writer.write(part).unwrap();
        }
        writer.finish().unwrap();
        out
    }

    fn opened(key: &SiteKey, path: &str, carrier: Vec<u8>) -> Result<Vec<u8>, DecryptError> {
        let files: SiteFiles = [(carrier_path(path), carrier.into())].into_iter().collect();
        decrypt_site(&files, key).map(|mut f| f.remove(path).unwrap().to_vec())
    }

    #[test]
    fn a_large_data_file_is_sealed_in_chunks_as_it_comes() {
        let key = key();
        let path = "data/search.js";
        for len in [
            0,
            100,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK,
            3 * CHUNK + 5,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 13 % 251) as u8).collect();
            let whole = carrier_in_pieces(&key, path, &plain, len);
            // Pieces of any size give the same bytes, and again the same.
            for piece in [1000, 65_536, 700_001] {
                assert_eq!(carrier_in_pieces(&key, path, &plain, piece), whole, "{len}");
            }
            let text = std::str::from_utf8(&whole).unwrap();
            let args = text
                .strip_prefix("rapportData(\"data/search.js\", ")
                .unwrap();
            if len <= CHUNK {
                // As every file was sealed before chunks.
                let old = data_carrier(path, key.seal_owned(path, plain.clone())).into_bytes();
                assert_eq!(whole, old, "{len}");
            } else {
                let padded = chunked_padded_len(len);
                let chunks = args.matches("\", \"").count() + 1;
                assert!(
                    args.starts_with("[\"") && args.ends_with("\"]);\n"),
                    "{len}"
                );
                assert_eq!(chunks * CHUNK, padded, "{len}");
                // Each chunk: nonce, a chunk of ciphertext, tag.
                let b64 = (CHUNK + 28).div_ceil(3) * 4;
                assert_eq!(args.len(), 1 + chunks * (b64 + 2) + (chunks - 1) * 2 + 4);
            }
            assert_eq!(opened(&key, path, whole).unwrap(), plain, "{len}");
        }
    }

    #[test]
    fn a_chunk_moved_left_out_or_cut_off_is_refused() {
        let key = key();
        let path = "data/partners.json";
        let plain: Vec<u8> = (0..3 * CHUNK + 77).map(|i| (i % 241) as u8).collect();
        let whole = String::from_utf8(carrier_in_pieces(&key, path, &plain, CHUNK)).unwrap();
        let head = "rapportData(\"data/partners.json\", [\"";
        let list = whole
            .strip_prefix(head)
            .and_then(|r| r.strip_suffix("\"]);\n"))
            .unwrap();
        let chunks: Vec<&str> = list.split("\", \"").collect();
        assert_eq!(chunks.len(), 4);
        let join = |parts: &[&str]| format!("{head}{}\"]);\n", parts.join("\", \"")).into_bytes();
        assert_eq!(opened(&key, path, join(&chunks)).unwrap(), plain);
        let damaged = Err(DecryptError::Damaged(carrier_path(path)));
        let (a, b, c, d) = (chunks[0], chunks[1], chunks[2], chunks[3]);
        for tampered in [
            vec![b, a, c, d], // swapped
            vec![a, c, d],    // one left out
            vec![a, b, c],    // the last left out: cut short
            vec![a, b, c, c], // one twice
        ] {
            assert_eq!(opened(&key, path, join(&tampered)), damaged);
        }
        // Under another path it does not open either.
        let moved = join(&chunks);
        let moved = String::from_utf8(moved)
            .unwrap()
            .replace("data/partners.json", "data/referrals.csv");
        assert_eq!(
            opened(&key, "data/referrals.csv", moved.into_bytes()),
            Err(DecryptError::Damaged("data/referrals.csv.js".into()))
        );
    }

    #[test]
    fn the_search_index_renamed_as_it_comes_is_the_index_renamed_whole() {
        let key = key();
        let path = crate::render::search::FILE;
        let opening = concat!(
            r#"rapportSearchIndex({"kinds":["name","note"],"pages":["partners/jo-li.html","#,
            r#""partners/al.html"],"names":["Jo Li","Al \"A\""],"text":""#
        );
        // Bigger than a chunk, so that it is sealed in chunks as it comes.
        let text = r#"\u0001\u0010Jo Li \u0001\u0011see partners/jo-li.html "#.repeat(40_000);
        let whole = format!("{opening}{text}\"}});\n");
        let pieces = [opening, &text[..1000], &text[1000..], "\"});\n"];
        let mut streamed = Vec::new();
        write_data(
            &key,
            path,
            &|put| pieces.iter().try_for_each(|p| put(p.as_bytes())),
            &mut |p| {
                streamed.extend_from_slice(p);
                Ok(())
            },
        )
        .unwrap();
        let Made::Encrypted(at_once, _) =
            encrypt_file(&key, path, whole.clone().into_bytes(), true)
        else {
            panic!("the index is encrypted");
        };
        assert_eq!(streamed, at_once.into_bytes());
        let renamed =
            crate::render::search::rename_pages(whole.as_bytes(), &|p| page_name(&key, p)).unwrap();
        assert_ne!(renamed, whole.as_bytes());
        assert_eq!(opened(&key, path, streamed).unwrap(), renamed);
    }

    #[test]
    fn large_data_files_are_padded_to_eighths_of_a_power_of_two() {
        const MIB: usize = 1024 * 1024;
        for (len, padded) in [
            (MIB, 2 * MIB),
            (2 * MIB - 1, 2 * MIB),
            (2 * MIB, 3 * MIB),
            (5 * MIB, 6 * MIB),
            (8 * MIB, 10 * MIB),
            (12 * MIB - 1, 12 * MIB),
            (36 * MIB, 40 * MIB),
            (64 * MIB - 1, 64 * MIB),
        ] {
            assert_eq!(chunked_padded_len(len), padded, "{len}");
            assert_eq!(padded % CHUNK, 0);
            // Never more than a quarter larger than what it holds, where a
            // power of two could be nearly twice it.
            assert!(padded as f64 <= (len + 1) as f64 * 1.25 + CHUNK as f64);
        }
    }

    #[test]
    fn a_piece_that_fails_stops_the_rest() {
        let key = key();
        let carrier = data_carrier("data/x.csv", key.seal_owned("data/x.csv", vec![1; 300_000]));
        let mut seen = 0;
        let e = carrier
            .pieces(&mut |_| {
                seen += 1;
                if seen == 3 {
                    Err(io::Error::other("disk full"))
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        assert_eq!(seen, 3);
    }

    #[test]
    fn a_site_encrypted_file_by_file_is_the_site_encrypted_whole() {
        let key = key();
        let files: SiteFiles = [
            ("index.html", "<!doctype html><html><head><title>x</title></head><body><a href=\"partners/jo.html\">Jo</a></body></html>".to_string()),
            ("partners/jo.html", "<!doctype html><html><body><a href=\"../index.html\">back</a></body></html>".to_string()),
            ("data/partners.json", "[{\"name\":\"Jo\"}]".repeat(5000)),
            ("data/referrals.csv", "a,b\n".to_string()),
            ("style.css", "body{}".to_string()),
            ("photo.png", "png".to_string()),
        ]
        .into_iter()
        .map(|(p, b)| (p.to_string(), b.into_bytes().into()))
        .collect();
        let whole = encrypt_site(&files, &key);
        // Each file as a build hands it over: encrypted ones in pieces,
        // clear ones kept, the added files beside them.
        let written = std::sync::Mutex::new(SiteFiles::new());
        let clear = std::sync::Mutex::new(
            added_files(files.keys(), &key)
                .into_iter()
                .map(|(p, b)| (p, b.into()))
                .collect::<SiteFiles>(),
        );
        let mut inline = Vec::new();
        for (path, bytes) in &files {
            let keep = |p: &str, b: Vec<u8>| {
                clear.lock().unwrap().insert(p.to_string(), b.into());
            };
            let put = |path: &str, len: u64, pieces: &Pieces<'_>| {
                let mut bytes = Vec::new();
                pieces(&mut |p| {
                    bytes.extend_from_slice(p);
                    Ok(())
                })
                .unwrap();
                assert_eq!(bytes.len() as u64, len);
                written
                    .lock()
                    .unwrap()
                    .insert(path.to_string(), bytes.into());
            };
            if encrypt_into(&key, path, bytes.to_vec(), true, &keep, &put) {
                inline.push(path.clone());
            }
        }
        assert!(inline.is_empty());
        let clear = clear.into_inner().unwrap();
        let mut streamed = written.into_inner().unwrap();
        assert!(streamed.keys().all(|p| !clear.contains_key(p)));
        streamed.extend(clear);
        assert_eq!(streamed, whole);
        let opened = decrypt_site(&streamed, &key).unwrap();
        assert_eq!(opened["data/partners.json"], files["data/partners.json"]);
    }

    #[test]
    fn a_page_with_an_inline_script_is_not_handed_over() {
        let key = key();
        let files: SiteFiles = [(
            "reports/x.html".to_string(),
            b"<html><body><script>alert(1)</script></body></html>"
                .to_vec()
                .into(),
        )]
        .into_iter()
        .collect();
        let inline: Vec<&String> = files
            .iter()
            .filter(|(path, bytes)| {
                let keep = |p: &str, _: Vec<u8>| panic!("{p} was kept in clear");
                let put = |p: &str, _: u64, _: &Pieces<'_>| panic!("{p} was handed over");
                encrypt_into(&key, path, bytes.to_vec(), true, &keep, &put)
            })
            .map(|(path, _)| path)
            .collect();
        assert_eq!(inline, ["reports/x.html"]);
    }
}

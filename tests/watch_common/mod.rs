//! Shared by the watch and serve tests: a temporary copy of the sample book,
//! a running `rapport watch` or `rapport serve` with its log, bounded polls
//! and a minimal HTTP client.

#![allow(dead_code)]

#[path = "../common/files.rs"]
mod files;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any wait in these tests may take before it counts as a failure.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Polls `done` every 10 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub use files::copy_book;

/// A temporary copy of the sample book (without any built site).
pub fn sample_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_book(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
        dir.path(),
    );
    dir
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Replaces `from` by `to` in a file, asserting that it was there.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Like [`edit`], but saved whole: written beside the note, then renamed
/// over it, so a watcher never sees the file half written. For tests that
/// count rebuilds.
#[allow(dead_code)]
pub fn edit_whole(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    let aside = path.with_extension("md.saving");
    std::fs::write(&aside, text.replacen(from, to, 1)).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

/// A running `rapport` with its standard error collected.
pub struct Running {
    child: Child,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rapport");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Running {
            child,
            log,
            reader: Some(reader),
        }
    }

    /// The process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The one-line reports of finished rebuilds (after the first build).
    pub fn rebuild_lines(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.starts_with('[') && !l.contains("] first build"))
            .map(str::to_owned)
            .collect()
    }

    /// Waits until the log says something; panics with the log if not.
    pub fn wait_log(&self, what: impl Fn(&str) -> bool, why: &str) {
        if !wait_until(LIMIT, || what(&self.log())) {
            panic!("{why}: not seen in time; log:\n{}", self.log());
        }
    }

    /// Waits for `count` rebuild lines.
    pub fn wait_rebuilds(&self, count: usize) {
        if !wait_until(LIMIT, || self.rebuild_lines().len() >= count) {
            panic!("expected {count} rebuilds; log:\n{}", self.log());
        }
    }

    /// Sends Ctrl-C and waits for the end.
    pub fn interrupt(&mut self) -> ExitStatus {
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.drain();
                return status;
            }
            assert!(Instant::now() < deadline, "did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Once the process has ended: waits until all it printed is in the log.
    fn drain(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    /// Waits for the process to end by itself.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.drain();
                return status;
            }
            assert!(Instant::now() < deadline, "did not end");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `rapport watch` on a book and waits for its first build.
pub fn start_watch(root: &Path) -> Running {
    let r = Running::start(&["watch", root.to_str().unwrap()]);
    r.wait_log(|l| l.contains("Ctrl-C stops"), "watch started");
    r
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `rapport serve` on a free port and waits for its first build.
pub fn start_serve(root: &Path) -> (Running, u16) {
    let port = free_port();
    let r = Running::start(&["serve", root.to_str().unwrap(), "--port", &port.to_string()]);
    r.wait_log(|l| l.contains("Ctrl-C stops"), "serve started");
    (r, port)
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends `GET target` as is (no normalising of `..`) and reads the answer.
pub fn get(port: u16, target: &str) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(LIMIT)).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    Answer {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

/// The path of a note in a book.
pub fn note(root: &Path, rel: &str) -> PathBuf {
    root.join("partners").join(rel)
}

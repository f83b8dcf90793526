//! `rapport serve`: watch, plus a local server with live reload.
//!
//! The site is served from memory: the files of the last good build, swapped
//! whole after each successful rebuild, so a page loaded while a rebuild is
//! being written never sees half of it. Nothing is read from disk, so no
//! request can reach a file outside the site.
//!
//! Only requests for this machine are answered: the `Host` header must be
//! `localhost`, `127.0.0.1`, `[::1]` or the address the server is bound
//! to (with or without the port), so that a web page whose name is made to
//! point at 127.0.0.1 (DNS rebinding) gets a 403, not the site.
//!
//! Live reload is a long poll: every served HTML page gets a small script
//! (added on the way out, never to the files on disk; a file of the
//! server's own, `/__rapport/reload.js`, so the pages' Content Security
//! Policy allows it as one of the site's own scripts) that asks
//! `/__rapport/wait?since=N` and is answered as soon as a rebuild ends. A
//! good rebuild reloads the page; a failed one shows an overlay listing each
//! problem until a good one comes.
//!
//! The HTTP itself is the server's own ([`http`]), small and bounded: a
//! request's headers are read up to 16 KiB and for 10 seconds at most.

pub mod http;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use http::{Reply, Request};

use crate::diagnostics::Diagnostic;
use crate::pipeline::session::Rebuild;
use crate::site::SiteFiles;
use crate::watch;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub port: u16,
    pub interface: IpAddr,
}

/// The prefix of the server's own paths.
pub const RESERVED: &str = "/__rapport/";
/// How long a long poll waits before answering "nothing new".
const POLL_LIMIT: Duration = Duration::from_secs(25);

/// What the server knows of the builds.
#[derive(Default)]
pub struct State {
    /// Counts the builds, good or failed.
    pub generation: u64,
    /// The last good site.
    pub files: Option<Arc<SiteFiles>>,
    /// The problems of the last build, when it failed.
    pub problems: Vec<Diagnostic>,
    pub failed: bool,
    pub stopping: bool,
}

/// The state, shared between the watch loop and the request threads.
#[derive(Default)]
pub struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Serialize)]
struct Status<'a> {
    generation: u64,
    ok: bool,
    problems: Vec<Shown<'a>>,
}

/// A problem as the overlay shows it: with the marked source line, as the
/// terminal shows it (the overlay puts it in as text, never as HTML).
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    problem: &'a Diagnostic,
    snippet: Option<String>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared::default())
    }

    /// Records a rebuild and wakes every waiting page.
    pub fn update(&self, update: &Rebuild) {
        let mut s = self.state.lock().unwrap();
        s.generation += 1;
        if let Rebuild::Built { files, .. } = update {
            s.files = Some(files.clone());
            s.problems.clear();
            s.failed = false;
        } else {
            s.problems = update.problems();
            s.failed = true;
        }
        self.changed.notify_all();
    }

    /// Wakes every waiting page, to let the server stop.
    pub fn stop(&self) {
        self.state.lock().unwrap().stopping = true;
        self.changed.notify_all();
    }

    fn status_json(s: &State) -> String {
        serde_json::to_string(&Status {
            generation: s.generation,
            ok: !s.failed,
            problems: s
                .problems
                .iter()
                .map(|d| Shown {
                    problem: d,
                    snippet: d.snippet(),
                })
                .collect(),
        })
        .expect("status serializes")
    }

    /// The status now, or once the generation differs from `since` (at
    /// most `limit` later).
    fn wait(&self, since: Option<u64>, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        let mut s = self.state.lock().unwrap();
        if let Some(since) = since {
            while s.generation == since && !s.stopping {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                s = self.changed.wait_timeout(s, left).unwrap().0;
            }
        }
        Self::status_json(&s)
    }
}

// ---------------------------------------------------------------- requests

/// A request path, made a key of the site's files, or why not.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The file of the site to look up.
    File(String),
    /// Malformed: bad encoding, `..`, `\` or a NUL.
    Bad,
}

/// Decodes `%XX` escapes; `None` for a malformed escape (a `%` not
/// followed by two hex digits) or text that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let well_formed = s
        .split('%')
        .skip(1)
        .all(|rest| rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// Turns a request URL into the key of a site file: `/` and folders get
/// `index.html`; any `..` or `.` segment, backslash or NUL (encoded or not)
/// is refused.
pub fn resolve(url: &str) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return Resolved::Bad;
    };
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return Resolved::Bad;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Resolved::Bad,
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Resolved::File(key)
}

/// The content type for a file name, from its extension; text is UTF-8.
pub fn content_type(name: &str) -> String {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT || mime.subtype() == "javascript";
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// The live-reload script for a page served at `generation`, as served
/// at `/__rapport/reload.js?g=N`.
pub fn reload_js(generation: u64) -> String {
    format!(
        "/* added by rapport serve, not in the written site */\n{}({generation});\n",
        include_str!("reload.js").trim_end().trim_end_matches(';')
    )
}

/// The tag that loads the live-reload script into a page served at
/// `generation`.
pub fn reload_script(generation: u64) -> String {
    format!("<script src=\"{RESERVED}reload.js?g={generation}\"></script>\n")
}

/// Adds the live-reload script to an HTML page, before its last `</body>`
/// (or at its end).
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let script = reload_script(generation);
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn reply(status: u16, kind: &str, body: Vec<u8>) -> Reply {
    Reply::new(status, body)
        .with_header("Content-Type", kind)
        .with_header("Cache-Control", "no-store")
        .with_header("X-Content-Type-Options", "nosniff")
}

fn page(title: &str, text: &str, generation: u64) -> Vec<u8> {
    let html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=robots content=\"noindex, nofollow\"><title>{title}</title></head><body style=\"font-family:system-ui,sans-serif;margin:3rem\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    inject(html.as_bytes(), generation)
}

/// Whether a request's `Host` names this machine: `localhost`,
/// `127.0.0.1`, `[::1]` or the address the server is `bound` to, each
/// with the server's port or without one. A server bound to every
/// address (`0.0.0.0`, `::`) also answers any address written as numbers,
/// which no rebinding name can be.
pub fn host_allowed(host: Option<&str>, bound: SocketAddr) -> bool {
    let Some(host) = host.map(str::trim) else {
        return false;
    };
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, after)) => (format!("[{inner}]"), after.strip_prefix(':')),
            None => return false,
        }
    } else {
        match host.split_once(':') {
            Some((n, p)) => (n.to_string(), Some(p)),
            None => (host.to_string(), None),
        }
    };
    if port.is_some_and(|p| p != bound.port().to_string()) {
        return false;
    }
    let name = name.to_ascii_lowercase();
    let literal = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let numeric = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    ["localhost", "127.0.0.1", "[::1]"].contains(&name.as_str())
        || name == literal(bound.ip())
        || numeric.is_some_and(|ip| {
            literal(ip) == name && (ip == bound.ip() || bound.ip().is_unspecified())
        })
}

/// The 403 for a request whose `Host` is not this machine.
fn foreign_host(host: Option<&str>) -> Reply {
    let shown: String = host
        .unwrap_or("(none)")
        .chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let body = format!(
        "forbidden: rapport serve answers only requests for localhost, 127.0.0.1 or [::1], not for host `{shown}`\n"
    );
    reply(403, "text/plain; charset=utf-8", body.into_bytes())
}

/// Answers one request: the server's own paths, or a file of the site.
pub fn respond(shared: &Shared, method: &str, url: &str) -> Reply {
    if !matches!(method, "GET" | "HEAD") {
        return reply(
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n".to_vec(),
        )
        .with_header("Allow", "GET, HEAD");
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    if let Some(what) = path.strip_prefix(RESERVED) {
        let json = |s: String| reply(200, "application/json", s.into_bytes());
        return match what {
            "status" => json(shared.wait(None, Duration::ZERO)),
            "reload.js" => {
                let generation = url
                    .split_once('?')
                    .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("g=")))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                reply(
                    200,
                    "text/javascript; charset=utf-8",
                    reload_js(generation).into_bytes(),
                )
            }
            "wait" => {
                let since = url
                    .split_once('?')
                    .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("since=")))
                    .and_then(|n| n.parse().ok());
                json(shared.wait(since, POLL_LIMIT))
            }
            _ => reply(404, "text/plain; charset=utf-8", b"not found\n".to_vec()),
        };
    }
    let key = match resolve(url) {
        Resolved::File(k) => k,
        Resolved::Bad => {
            return reply(400, "text/plain; charset=utf-8", b"bad path\n".to_vec());
        }
    };
    let (files, generation) = {
        let s = shared.state.lock().unwrap();
        (s.files.clone(), s.generation)
    };
    let Some(files) = files else {
        let body = page(
            "No site yet",
            "The book has problems, so nothing was built yet. They are listed over this page; fix them and it reloads.",
            generation,
        );
        return reply(503, "text/html; charset=utf-8", body);
    };
    if let Some(bytes) = files.get(&key) {
        let kind = content_type(&key);
        let body = if kind.starts_with("text/html") {
            inject(bytes, generation)
        } else {
            bytes.to_vec()
        };
        return reply(200, &kind, body);
    }
    if key == "favicon.ico" {
        // Browsers ask for it on every page; no icon is no error.
        return reply(204, "image/x-icon", Vec::new());
    }
    let folder_index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if files.contains_key(&folder_index) {
        // Built from the resolved key, never from the raw path: `//host`
        // in a Location header would send the browser to another host.
        let location = format!("/{key}/");
        return reply(301, "text/plain; charset=utf-8", b"moved\n".to_vec())
            .with_header("Location", &location);
    }
    let body = page(
        "Not found",
        "No page of the site is at this address. If it is being added, this page reloads once it is built.",
        generation,
    );
    reply(404, "text/html; charset=utf-8", body)
}

// ---------------------------------------------------------------- serving

/// Binds the listening socket, or says clearly why not.
pub fn bind(interface: IpAddr, port: u16) -> Result<TcpListener, String> {
    let addr = SocketAddr::new(interface, port);
    TcpListener::bind(addr).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => {
            let free = (port.saturating_add(1)..port.saturating_add(50))
                .find(|p| TcpListener::bind(SocketAddr::new(interface, *p)).is_ok());
            let hint = match free {
                Some(p) => format!("try another port, for example `--port {p}`"),
                None => "try another port with `--port N`".to_string(),
            };
            format!(
                "cannot serve on {addr}: the port is already in use (another `rapport serve`?)\nhelp: {hint}"
            )
        }
        io::ErrorKind::PermissionDenied => format!(
            "cannot serve on {addr}: permission denied\nhelp: ports below 1024 need special rights; try `--port 1111`"
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "cannot serve on {addr}: this machine has no such address\nhelp: keep the default `--interface 127.0.0.1`"
        ),
        _ => format!("cannot serve on {addr}: {e}"),
    })
}

fn handle(shared: &Shared, bound: Option<SocketAddr>, request: &Request) -> Reply {
    let host = request.host.as_deref();
    if bound.is_some_and(|b| host_allowed(host, b)) {
        respond(shared, &request.method, &request.url)
    } else {
        foreign_host(host)
    }
}

/// The local server, answering from the last good build while the watch
/// loop runs beside it.
pub struct Server {
    shared: Arc<Shared>,
    http: http::Server,
    url: String,
}

impl Server {
    /// Binds and starts serving (nothing yet: "no site yet" until the
    /// first build); the error says why the address cannot be used.
    pub fn start(serve: &ServeOptions) -> Result<Server, String> {
        let listener = bind(serve.interface, serve.port)?;
        let addr = listener.local_addr().ok();
        let url = match addr {
            Some(SocketAddr::V6(a)) => format!("http://[{}]:{}/", a.ip(), a.port()),
            Some(a) => format!("http://{a}/"),
            None => format!("http://{}:{}/", serve.interface, serve.port),
        };
        let shared = Shared::new();
        let http = {
            let shared = shared.clone();
            http::Server::start(
                listener,
                Arc::new(move |request: &Request| handle(&shared, addr, request)),
            )
        };
        Ok(Server { shared, http, url })
    }

    /// The address the site is served at, as a browser takes it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Hears of the watch loop: each build is served from now, and every
    /// waiting page is told.
    pub fn hear(&self, event: &watch::Event) {
        if let watch::Event::Rebuilt { outcome, .. } = event {
            self.shared.update(outcome);
        }
    }

    /// Wakes every waiting page and stops serving.
    pub fn stop(mut self) {
        self.shared.stop();
        self.http.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_site_files() {
        assert_eq!(resolve("/"), Resolved::File("index.html".into()));
        assert_eq!(resolve("/?x=1"), Resolved::File("index.html".into()));
        assert_eq!(
            resolve("/partners/"),
            Resolved::File("partners/index.html".into())
        );
        assert_eq!(
            resolve("/partners/jane%20doe.html#top"),
            Resolved::File("partners/jane doe.html".into())
        );
        assert_eq!(resolve("/partners"), Resolved::File("partners".into()));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/partners/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e/b",
            "/..%5c..%5cwindows",
            "/a%00.html",
            "/%zz",
            "/%c0%ae%c0%ae/",
            "relative",
        ] {
            assert_eq!(resolve(bad), Resolved::Bad, "{bad}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", 7)).unwrap();
        let at = out.find("<script").unwrap();
        assert!(at < out.find("</BODY>").unwrap(), "{out}");
        assert!(out.contains("/__rapport/reload.js?g=7"), "{out}");
        let out = String::from_utf8(inject(b"<p>no body", 1)).unwrap();
        assert!(out.starts_with("<p>no body<script"), "{out}");
        assert!(reload_js(7).trim_end().ends_with("(7);"));
    }

    #[test]
    fn only_hosts_of_this_machine_are_answered() {
        let local: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(host_allowed(Some(ok), local), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:1111",
            "localhost:2222",
            "localhost.attacker.example",
            "127.0.0.1.nip.io:1111",
            "10.0.0.5:1111",
            "[::1",
            "",
        ] {
            assert!(!host_allowed(Some(bad), local), "{bad}");
        }
        assert!(!host_allowed(None, local));
        let lan: SocketAddr = "192.168.1.20:8080".parse().unwrap();
        assert!(host_allowed(Some("192.168.1.20:8080"), lan));
        assert!(!host_allowed(Some("192.168.1.21:8080"), lan));
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(host_allowed(Some("192.168.1.20:8080"), any));
        assert!(!host_allowed(Some("rebind.example:8080"), any));
        let v6: SocketAddr = "[fe80::1]:8080".parse().unwrap();
        assert!(host_allowed(Some("[fe80::1]:8080"), v6));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("data/partners.json"), "application/json");
        assert_eq!(
            content_type("data/referrals.csv"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(content_type("a/chart.SVG"), "image/svg+xml");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}

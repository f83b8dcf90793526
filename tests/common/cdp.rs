//! A small Chrome DevTools Protocol client for the browser tests: starts
//! headless Chromium, opens pages, evaluates script, collects console errors
//! and takes screenshots.

#![allow(dead_code)]

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A headless Chromium with one open page.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// Console messages of level error, and uncaught exceptions.
    pub errors: Vec<String>,
    loaded: bool,
}

/// The Chromium binary: `$CHROMIUM`, or `chromium` on the PATH.
pub fn chromium_path() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

impl Browser {
    /// Starts Chromium. Panics with a clear message when it is missing: the
    /// test command (`./test.sh`) installs it.
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().expect("temp dir");
        let child = Command::new(chromium_path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--allow-file-access-from-files",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}); run ./test.sh, which installs it",
                    chromium_path()
                )
            });
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let text = loop {
            if let Ok(t) = std::fs::read_to_string(&port_file) {
                if t.lines().count() >= 2 {
                    break t;
                }
            }
            assert!(
                Instant::now() < deadline,
                "Chromium did not open its debugging port"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut lines = text.lines();
        let port = lines.next().unwrap().trim().to_string();
        let path = lines.next().unwrap().trim().to_string();
        let (ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}{path}"))
            .expect("connect to Chromium");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
        }
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            session: String::new(),
            next_id: 0,
            errors: Vec::new(),
            loaded: false,
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Runtime.enable", json!({}));
        b.call("Page.enable", json!({}));
        b.call("Log.enable", json!({}));
        b
    }

    /// Opens a new tab, attached and listened to, and makes it the one
    /// that `open`, `eval` and the others act on; gives the session of the
    /// tab that was in use, for [`Browser::use_tab`].
    pub fn new_tab(&mut self) -> String {
        let previous = std::mem::take(&mut self.session);
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        self.session = attached["sessionId"].as_str().unwrap().to_string();
        self.call("Runtime.enable", json!({}));
        self.call("Page.enable", json!({}));
        self.call("Log.enable", json!({}));
        previous
    }

    /// Acts on the tab of `session` from now on; gives the one in use.
    pub fn use_tab(&mut self, session: &str) -> String {
        std::mem::replace(&mut self.session, session.to_string())
    }

    fn handle_event(&mut self, msg: &Value) {
        match msg["method"].as_str() {
            Some("Runtime.consoleAPICalled") if msg["params"]["type"] == "error" => {
                self.errors
                    .push(format!("console.error: {}", msg["params"]["args"]));
            }
            Some("Runtime.exceptionThrown") => {
                self.errors
                    .push(format!("exception: {}", msg["params"]["exceptionDetails"]));
            }
            Some("Log.entryAdded") if msg["params"]["entry"]["level"] == "error" => {
                self.errors.push(format!(
                    "log: {} {}",
                    msg["params"]["entry"]["text"], msg["params"]["entry"]["url"]
                ));
            }
            Some("Page.loadEventFired") => self.loaded = true,
            _ => {}
        }
    }

    fn read(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str()).ok(),
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("lost the connection to Chromium: {e}"),
        }
    }

    /// Sends a command and waits (at most 30 s) for its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("send to Chromium");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(m) = self.read() {
                if m["id"] == json!(id) {
                    if let Some(err) = m.get("error") {
                        panic!("{method} failed: {err}");
                    }
                    return m["result"].clone();
                }
                self.handle_event(&m);
            }
        }
        panic!("{method}: no answer from Chromium in 30 s");
    }

    /// Opens `url` and waits for its load event.
    pub fn open(&mut self, url: &str) {
        self.loaded = false;
        self.call("Page.navigate", json!({"url": url}));
        assert!(
            self.wait(Duration::from_secs(20), |b| b.loaded),
            "{url} did not load"
        );
    }

    /// Reads events until `done` holds or the time is up; true if it held.
    pub fn wait(&mut self, limit: Duration, mut done: impl FnMut(&mut Browser) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            if let Some(m) = self.read() {
                self.handle_event(&m);
            }
        }
    }

    /// Evaluates a script expression in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("script failed: {expression}: {ex}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page (polled), at most `limit`.
    pub fn wait_for(&mut self, expression: &str, limit: Duration) -> bool {
        self.wait(limit, |b| b.eval(expression) == json!(true))
    }

    /// Saves a full-page PNG screenshot.
    pub fn screenshot(&mut self, path: &Path) {
        let r = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        );
        let data = r["data"].as_str().expect("screenshot data");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("base64 screenshot");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

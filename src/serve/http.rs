//! Just the HTTP/1.1 a local preview needs, with limits: a request's head
//! (its request line and headers) is read up to [`MAX_HEAD`] bytes and for
//! at most [`HEAD_TIME`] in all, however slowly it comes; a larger one is
//! answered `431`, a slower one `408`, and the connection is closed. No
//! request body is ever read (only `GET` and `HEAD` are served). Each
//! connection answers one request, then closes, and at most
//! [`MAX_CONNECTIONS`] are open at once.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most bytes a request's head may take, its final blank line
/// included.
pub const MAX_HEAD: usize = 16 * 1024;
/// The longest a request's head may take to arrive, from the connection.
pub const HEAD_TIME: Duration = Duration::from_secs(10);
/// The most connections served at once (an open page's long poll holds
/// one); more are closed at once.
pub const MAX_CONNECTIONS: usize = 256;
/// The longest an answer may take to be sent.
const SEND_TIME: Duration = Duration::from_secs(30);

/// A request: its method, its target and its `Host` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub host: Option<String>,
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The value of the header `name`, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request's head was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    TooLarge,
    TooSlow,
    Closed,
}

/// Where the head ends in `buf` (just after its blank line), looking from
/// `from` on.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(3);
    let window = &buf[start..];
    let crlf = window
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = window.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(start + a.min(b)),
        (a, b) => a.or(b).map(|i| start + i),
    }
}

/// Reads a request's head from `stream`: at most `limit` bytes, within
/// `time` of the call however the bytes trickle in.
pub fn read_head<S: Read>(
    stream: &mut S,
    set_timeout: impl Fn(&mut S, Duration) -> io::Result<()>,
    limit: usize,
    time: Duration,
) -> Result<Vec<u8>, HeadError> {
    let deadline = Instant::now() + time;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TooSlow);
        }
        set_timeout(stream, left).map_err(|_| HeadError::Closed)?;
        // One byte past the limit tells a head that is too large.
        let want = (limit + 1 - buf.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => {
                let from = buf.len();
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = head_end(&buf, from).filter(|e| *e <= limit) {
                    buf.truncate(end);
                    return Ok(buf);
                }
                if buf.len() > limit {
                    return Err(HeadError::TooLarge);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HeadError::TooSlow)
            }
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// The request a head holds, or `None` when it is not one.
pub fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.lines();
    let mut first = lines.next()?.split(' ');
    let (method, url, version) = (first.next()?, first.next()?, first.next()?);
    if first.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    let mut host = None;
    for line in lines {
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("host") && host.is_none() {
            host = Some(value.trim().to_string());
        }
    }
    Some(Request {
        method: method.to_string(),
        url: url.to_string(),
        host,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Writes `reply` (without its body for a `HEAD`).
fn send(stream: &mut TcpStream, reply: &Reply, head_only: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    stream.set_write_timeout(Some(SEND_TIME))?;
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

/// A refusal in plain text.
fn refusal(status: u16, text: &str) -> Reply {
    Reply::new(status, format!("{text}\n").into_bytes())
        .with_header("Content-Type", "text/plain; charset=utf-8")
}

/// Answers one connection: reads its request's head within the limits,
/// answers it with `handler`, and closes it.
fn connection(mut stream: TcpStream, handler: &(dyn Fn(&Request) -> Reply + Sync)) {
    let head = read_head(
        &mut stream,
        |s, t| s.set_read_timeout(Some(t)),
        MAX_HEAD,
        HEAD_TIME,
    );
    let (reply, head_only) = match head {
        Ok(head) => match parse_head(&head) {
            Some(request) => (handler(&request), request.method == "HEAD"),
            None => (refusal(400, "bad request"), false),
        },
        Err(HeadError::TooLarge) => (
            refusal(
                431,
                &format!("request header fields too large: at most {MAX_HEAD} bytes"),
            ),
            false,
        ),
        Err(HeadError::TooSlow) => (
            refusal(
                408,
                &format!(
                    "the request's headers took longer than {} s",
                    HEAD_TIME.as_secs()
                ),
            ),
            false,
        ),
        Err(HeadError::Closed) => return,
    };
    if send(&mut stream, &reply, head_only).is_ok() {
        // Close gently, so the client reads the answer before the end:
        // what it still sends is read and dropped, for a moment at most.
        let _ = stream.shutdown(Shutdown::Write);
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < 256 * 1024 {
            match stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
}

/// A server accepting connections on a listener until stopped.
pub struct Server {
    addr: Option<SocketAddr>,
    stopping: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts accepting on `listener`, answering each request with
    /// `handler`, each connection on a thread of its own.
    pub fn start(
        listener: TcpListener,
        handler: Arc<dyn Fn(&Request) -> Reply + Send + Sync>,
    ) -> Server {
        let addr = listener.local_addr().ok();
        let stopping = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let accept = {
            let stopping = stopping.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        open.fetch_sub(1, Ordering::SeqCst);
                        continue;
                    }
                    let (handler, done) = (handler.clone(), open.clone());
                    let spawned = std::thread::Builder::new().spawn(move || {
                        connection(stream, handler.as_ref());
                        done.fetch_sub(1, Ordering::SeqCst);
                    });
                    if spawned.is_err() {
                        open.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })
        };
        Server {
            addr,
            stopping,
            accept: Some(accept),
        }
    }

    /// Stops accepting (the connections being answered finish).
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accepting thread with a connection of its own.
        if let Some(mut addr) = self.addr {
            if addr.ip().is_unspecified() {
                addr.set_ip(match addr {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that hands out its bytes a few at a time.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    fn read(bytes: &[u8], step: usize, limit: usize) -> Result<Vec<u8>, HeadError> {
        let mut s = Trickle(bytes.to_vec(), step);
        read_head(&mut s, |_, _| Ok(()), limit, Duration::from_secs(5))
    }

    #[test]
    fn a_head_is_read_up_to_its_blank_line_within_the_limit() {
        let req = b"GET /a HTTP/1.1\r\nHost: localhost:1111\r\n\r\nBODY";
        for step in [1, 3, 4096] {
            let head = read(req, step, 100).unwrap();
            assert_eq!(head, &req[..req.len() - 4], "step {step}");
            let parsed = parse_head(&head).unwrap();
            assert_eq!(parsed.url, "/a");
            assert_eq!(parsed.host.as_deref(), Some("localhost:1111"));
        }
        let head_len = req.len() - 4;
        assert!(read(req, 7, head_len).is_ok(), "exactly the limit");
        assert_eq!(read(req, 7, head_len - 1), Err(HeadError::TooLarge));
        let endless = b"GET / HTTP/1.1\r\nX: "
            .iter()
            .copied()
            .chain(std::iter::repeat_n(b'a', 50_000))
            .collect::<Vec<_>>();
        assert_eq!(read(&endless, 4096, 16 * 1024), Err(HeadError::TooLarge));
        assert_eq!(read(b"GET / HTTP/1.1\r\n", 4, 100), Err(HeadError::Closed));
        assert!(parse_head(b"GARBAGE\r\n\r\n").is_none());
    }
}

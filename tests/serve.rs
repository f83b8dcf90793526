//! `rapport serve` on a temporary copy of the sample book, over plain HTTP.

mod watch_common;

use std::fs;
use std::net::TcpListener;

use serde_json::Value;
use watch_common::*;

fn status(port: u16) -> Value {
    serde_json::from_slice(&get(port, "/__rapport/status").body).unwrap()
}

#[test]
fn pages_are_served_with_their_types_and_the_reload_script_only_when_served() {
    let book = sample_book();
    let root = book.path();
    let (_s, port) = start_serve(root);

    let index = get(port, "/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(index.text().contains("Lena Park"));
    assert!(
        index.text().contains("/__rapport/reload.js"),
        "script added"
    );
    let script_at = index
        .text()
        .find("<script src=\"/__rapport/reload.js?g=")
        .unwrap();
    let script = get(port, "/__rapport/reload.js?g=1");
    assert_eq!(script.status, 200);
    assert!(
        script.text().contains("/__rapport/wait"),
        "{}",
        script.text()
    );
    assert!(script_at < index.text().rfind("</body>").unwrap());
    // The written file has no script.
    let on_disk = read(&root.join("public/index.html"));
    assert!(!on_disk.contains("__rapport"), "{on_disk}");
    assert_eq!(get(port, "/index.html").status, 200);
    assert_eq!(get(port, "/?from=bookmark").status, 200);

    let json = get(port, "/data/partners.json");
    assert_eq!(json.status, 200);
    assert_eq!(json.header("content-type").unwrap(), "application/json");
    assert_eq!(
        json.body,
        fs::read(root.join("public/data/partners.json")).unwrap()
    );
    let css = get(port, "/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    assert!(!css.text().contains("__rapport"), "no script outside HTML");
    let csv = get(port, "/data/referrals.csv");
    assert_eq!(
        csv.header("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );

    // A folder: its index.html; without the final slash, a redirect to it.
    let folder = get(port, "/partners/");
    assert_eq!(folder.status, 200);
    assert!(folder.text().contains("Lena Park"));
    let bare = get(port, "/partners");
    assert_eq!(bare.status, 301);
    assert_eq!(bare.header("location").unwrap(), "/partners/");
    // Never a redirect to another host: `//partners` is not `http://partners/`.
    let doubled = get(port, "//partners");
    assert_eq!(doubled.status, 301);
    assert_eq!(doubled.header("location").unwrap(), "/partners/");
    let page = get(port, "/partners/lena-park.html");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Lena Park") && page.text().contains("/__rapport/reload.js"));

    assert_eq!(get(port, "/no-such-page.html").status, 404);
    assert_eq!(
        get(port, "/data/").status,
        404,
        "a folder without index.html"
    );
    assert_eq!(get(port, "/__rapport/other").status, 404);
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_site_is_ever_served() {
    let book = sample_book();
    let root = book.path();
    fs::write(root.join("secret.txt"), "do not serve").unwrap();
    let (_s, port) = start_serve(root);
    // A link in the output folder pointing out of it: the server answers from
    // the built site in memory, so it is not part of it.
    std::os::unix::fs::symlink(root.join("secret.txt"), root.join("public/link.txt")).unwrap();
    std::os::unix::fs::symlink(root, root.join("public/book")).unwrap();
    for target in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/data/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/data/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/secret.txt%00.html",
        "/link.txt",
        "/book/secret.txt",
        "/book/rapport.yaml",
        "/.rapport-files",
        "//etc/passwd",
    ] {
        let a = get(port, target);
        assert!(
            a.status == 404 || a.status == 400,
            "{target}: {} {}",
            a.status,
            a.text()
        );
        assert!(!a.text().contains("do not serve"), "{target}");
        assert!(!a.text().contains("root:"), "{target}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_error_with_a_suggestion() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let book = sample_book();
    let mut s = Running::start(&[
        "serve",
        book.path().to_str().unwrap(),
        "--port",
        &port.to_string(),
    ]);
    let status = s.wait_exit();
    assert_eq!(status.code(), Some(1));
    let log = s.log();
    assert!(log.contains(&format!("127.0.0.1:{port}")), "{log}");
    assert!(log.contains("already in use"), "{log}");
    assert!(log.contains("--port"), "{log}");
}

/// DNS rebinding: a page of another site, its name pointed at 127.0.0.1,
/// must not read the partners' pages.
#[test]
fn requests_for_another_host_are_refused() {
    use std::io::{Read, Write};
    let book = sample_book();
    let (_s, port) = start_serve(book.path());
    let ask = |host: &str| {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            c,
            "GET /data/partners.json HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        answer
    };
    for host in ["attacker.example", &format!("attacker.example:{port}")] {
        let answer = ask(host);
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert!(!answer.contains("Lena Park"), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        assert_eq!(body.lines().count(), 1, "one line: {body}");
        assert!(body.contains("attacker.example"), "{body}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_string(),
    ] {
        let answer = ask(&host);
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
        assert!(answer.contains("Lena Park"), "{host}");
    }
}

#[test]
fn a_broken_note_shows_its_problems_then_the_fix_reloads() {
    let book = sample_book();
    let root = book.path();
    let (s, port) = start_serve(root);
    let first = status(port);
    assert_eq!(first["ok"], true);
    let generation = first["generation"].as_u64().unwrap();

    // A long poll, answered when the next rebuild ends.
    let waiter = std::thread::spawn(move || {
        serde_json::from_slice::<Value>(
            &get(port, &format!("/__rapport/wait?since={generation}")).body,
        )
        .unwrap()
    });
    let maya = note(root, "maya-okafor.md");
    edit(&maya, "role: ", "rol: ");
    let answer = waiter.join().unwrap();
    assert_eq!(answer["ok"], false, "{answer}");
    assert!(answer["generation"].as_u64().unwrap() > generation);

    let failed = status(port);
    let problem = &failed["problems"][0];
    assert_eq!(problem["file"], "partners/maya-okafor.md", "{failed}");
    assert!(problem["place"]["line"].as_u64().unwrap() > 1, "{failed}");
    assert!(
        problem["message"].as_str().unwrap().contains("rol"),
        "{failed}"
    );
    // The overlay shows the source line and its marker, as the terminal does.
    let snippet = problem["snippet"].as_str().unwrap();
    let line = problem["place"]["line"].as_u64().unwrap();
    assert!(snippet.starts_with(&format!("{line} | rol: ")), "{snippet}");
    assert!(snippet.contains("| ^^^"), "{snippet}");
    // The last good site is still served, with the script that shows them.
    let index = get(port, "/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("Maya Okafor"));
    assert!(index.text().contains("/__rapport/reload.js"));
    let script = get(port, "/__rapport/reload.js?g=1").text();
    assert!(script.contains("rapport-overlay") && script.contains("p.snippet"));

    edit(&maya, "rol: ", "role: ");
    edit(&maya, "name: Maya Okafor", "name: Maya Okafor-Reyes");
    assert!(
        wait_until(LIMIT, || status(port)["ok"] == true
            && get(port, "/").text().contains("Maya Okafor-Reyes")),
        "{}",
        s.log()
    );
    assert_eq!(status(port)["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn a_book_that_never_built_is_served_a_placeholder_with_its_problems() {
    let book = sample_book();
    let root = book.path();
    edit(
        &root.join("rapport.yaml"),
        "window_months: 24",
        "window_month: 24",
    );
    let (s, port) = start_serve(root);
    let placeholder = get(port, "/");
    assert_eq!(placeholder.status, 503);
    assert!(placeholder.text().contains("__rapport"));
    let st = status(port);
    assert_eq!(st["ok"], false);
    assert_eq!(st["problems"][0]["file"], "rapport.yaml", "{st}");
    edit(
        &root.join("rapport.yaml"),
        "window_month: 24",
        "window_months: 24",
    );
    assert!(
        wait_until(LIMIT, || get(port, "/").status == 200),
        "{}",
        s.log()
    );
}

#[test]
fn ctrl_c_stops_the_server() {
    let book = sample_book();
    let (mut s, port) = start_serve(book.path());
    assert_eq!(get(port, "/").status, 200);
    // A page waiting on a long poll does not hold the server up.
    let st = status(port);
    let since = st["generation"].as_u64().unwrap();
    let _waiter = std::thread::spawn(move || {
        let _ = std::net::TcpStream::connect(("127.0.0.1", port)).map(|mut c| {
            use std::io::Write;
            let _ = write!(
                c,
                "GET /__rapport/wait?since={since} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            );
            std::thread::sleep(std::time::Duration::from_secs(60));
        });
    });
    let status = s.interrupt();
    assert!(status.success(), "{status:?} {}", s.log());
    assert!(s.log().contains("stopped"));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// The server's resident memory, in KiB (Linux).
fn resident_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS")
}

/// What the server answers on a connection, read until it closes (or
/// `limit` passes), and how long that took.
fn answer_of(c: &mut std::net::TcpStream, limit: std::time::Duration) -> String {
    use std::io::Read;
    c.set_read_timeout(Some(limit)).unwrap();
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

/// Headers without end are cut off at 16 KiB (`431`), and headers that
/// come too slowly at 10 seconds (`408`); sending 64 MiB of one header
/// does not grow the server by 64 MiB.
#[test]
fn request_headers_are_capped_in_size_and_in_time() {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let book = sample_book();
    let (s, port) = start_serve(book.path());
    let connect = || {
        let c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        c
    };
    let start = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ";

    // 20 KiB of one header, then nothing: 431, and the site is not sent.
    let mut c = connect();
    c.write_all(start).unwrap();
    c.write_all(&vec![b'a'; 20 * 1024]).unwrap();
    let answer = answer_of(&mut c, Duration::from_secs(15));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
    assert!(!answer.contains("Lena Park"), "{answer:.200}");

    // 64 MiB of one header, in pieces, while the server lets them in.
    let before = resident_kib(s.pid());
    let mut c = connect();
    let piece = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    if c.write_all(start).is_ok() {
        for _ in 0..1024 {
            if c.write_all(&piece).is_err() {
                break;
            }
            sent += piece.len();
        }
    }
    drop(c);
    std::thread::sleep(Duration::from_millis(300));
    let grown = resident_kib(s.pid()).saturating_sub(before);
    assert!(
        grown < 24 * 1024,
        "the server grew by {grown} KiB while {sent} bytes of a header were sent"
    );

    // One header line every half second: cut off after 10 s, not later.
    let mut c = connect();
    let mut writer = c.try_clone().unwrap();
    let began = Instant::now();
    let slow = std::thread::spawn(move || {
        let _ = writer.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n");
        for i in 0..40 {
            std::thread::sleep(Duration::from_millis(500));
            if write!(writer, "X-Slow-{i}: a\r\n").is_err() {
                break;
            }
        }
    });
    let answer = answer_of(&mut c, Duration::from_secs(25));
    let took = began.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {took:?}: {answer:.200}"
    );
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(14),
        "cut off after {took:?}"
    );
    drop(c);
    let _ = slow.join();

    // The server still answers.
    let index = get(port, "/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("Lena Park"));
}

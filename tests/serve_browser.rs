//! A served page open in headless Chromium reloads by itself when a note is
//! saved, shows an overlay naming the file and line of a typo, and comes
//! back once it is fixed.

mod common;
mod watch_common;

use std::time::Duration;

use common::cdp::Browser;
use watch_common::*;

const WAIT: Duration = Duration::from_secs(30);

/// Whether `expr` is true in the page. An evaluation that meets the page
/// reloading fails; it counts as not yet.
fn holds(b: &mut Browser, expr: &str) -> bool {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.eval(expr)));
    std::panic::set_hook(quiet);
    r.is_ok_and(|v| v == serde_json::json!(true))
}

/// Polls `expr` until it holds, at most `limit`.
fn wait_for(b: &mut Browser, expr: &str, limit: Duration) -> bool {
    wait_until(limit, || holds(b, expr))
}

#[test]
fn the_open_page_follows_saves_and_shows_problems() {
    let book = sample_book();
    let root = book.path();
    let (s, port) = start_serve(root);
    let mut b = Browser::launch();
    b.open(&format!("http://127.0.0.1:{port}/"));
    assert!(wait_for(
        &mut b,
        "!!document.body?.textContent.includes('Lena Park')",
        WAIT
    ));
    // Wait for the script's first answer, so the page is listening.
    assert!(wait_for(
        &mut b,
        "performance.getEntriesByType('resource').some(e => e.name.includes('/__rapport/status'))",
        WAIT
    ));
    // A mark that a reload wipes out.
    b.eval("window.__mark = 1");

    // A save: the page reloads by itself and shows it.
    let lena = note(root, "lena-park.md");
    edit(&lena, "name: Lena Park", "name: Lena Park-Hughes");
    assert!(
        wait_for(
            &mut b,
            "!!document.body?.textContent.includes('Lena Park-Hughes')",
            WAIT
        ),
        "{}",
        s.log()
    );
    assert!(
        holds(&mut b, "window.__mark === undefined"),
        "the page reloaded"
    );

    // A typo: an overlay names the file and the line; the page stays.
    b.eval("window.__mark = 2");
    edit(&lena, "role: esp", "role: espp");
    assert!(
        wait_for(&mut b, "!!document.getElementById('rapport-overlay')", WAIT),
        "{}",
        s.log()
    );
    let text = b.eval("document.getElementById('rapport-overlay')?.textContent");
    let text = text.as_str().unwrap();
    assert!(text.contains("partners/lena-park.md:5:"), "{text}");
    assert!(text.contains("espp"), "{text}");
    assert_eq!(b.eval("window.__mark"), 2, "no reload for a failed build");
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-overlay.png"));

    // The fix: the overlay goes and the page reloads.
    edit(&lena, "role: espp", "role: esp");
    assert!(
        wait_for(
            &mut b,
            "!document.getElementById('rapport-overlay') && window.__mark === undefined",
            WAIT
        ),
        "{}",
        s.log()
    );
    assert!(wait_for(
        &mut b,
        "!!document.body?.textContent.includes('Lena Park-Hughes')",
        WAIT
    ));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

fn have(program: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs vim on a note as a user would (`vim -c CMD -c wq note.md`), in a
/// pseudo-terminal so that it behaves as it does interactively: swap file,
/// write test file, backup, then the write.
fn vim(note: &std::path::Path, command: &str) {
    let line = format!(
        "vim -c '{}' -c wq '{}'",
        command.replace('\'', "'\\''"),
        note.display()
    );
    let status = std::process::Command::new("script")
        .args(["-qc", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{line}");
}

/// `cat > note.md`, fed from a pipe.
fn cat_into(note: &std::path::Path, text: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .args(["-c", &format!("cat > '{}'", note.display())])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_new_book_edited_with_vim_and_cat_follows_in_the_browser() {
    if !have("vim") || !have("script") {
        eprintln!("skipped: vim or script is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    let bin = env!("CARGO_BIN_EXE_rapport");
    let run = |args: &[&str]| {
        assert!(std::process::Command::new(bin)
            .args(args)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success());
    };
    run(&["init", root.to_str().unwrap()]);
    run(&["new", "Jane Doe", root.to_str().unwrap()]);
    let (s, port) = start_serve(&root);
    let mut b = Browser::launch();
    // The partner list names every partner (a fresh note counts as active
    // from its `since`, so the dashboard need not name it).
    b.open(&format!("http://127.0.0.1:{port}/partners/index.html"));
    assert!(wait_for(
        &mut b,
        "!!document.body?.textContent.includes('Jane Doe')",
        WAIT
    ));
    let shows = |b: &mut Browser, text: &str| {
        wait_for(
            b,
            &format!("!document.getElementById('rapport-overlay') && !!document.body?.textContent.includes('{text}')"),
            WAIT,
        )
    };
    let overlay_names = |b: &mut Browser, place: &str| {
        wait_for(
            b,
            &format!(
                "!!document.getElementById('rapport-overlay')?.textContent.includes('{place}')"
            ),
            WAIT,
        )
    };
    let jane = root.join("partners/jane-doe.md");

    vim(&jane, r#"%s/name: "Jane Doe"/name: "Jane Q. Doe"/"#);
    assert!(shows(&mut b, "Jane Q. Doe"), "vim save\n{}", s.log());
    vim(&jane, "%s/^role: esp/role: espp/");
    assert!(
        overlay_names(&mut b, "partners/jane-doe.md:5:"),
        "vim typo\n{}",
        s.log()
    );
    vim(&jane, "%s/^role: espp/role: esp/");
    assert!(shows(&mut b, "Jane Q. Doe"), "vim fix\n{}", s.log());

    let kim = root.join("partners/kim-lee.md");
    cat_into(
        &kim,
        "---\nname: Kim Lee\nprofession: CPA\n---\nMet at the mixer.\n",
    );
    assert!(shows(&mut b, "Kim Lee"), "cat new note\n{}", s.log());
    cat_into(&kim, "---\nname: Kim Lee\nprofesion: CPA\n---\n");
    assert!(
        overlay_names(&mut b, "partners/kim-lee.md:3:"),
        "cat typo\n{}",
        s.log()
    );
    cat_into(&kim, "---\nname: Kim Lee-Park\nprofession: CPA\n---\n");
    assert!(shows(&mut b, "Kim Lee-Park"), "cat fix\n{}", s.log());

    // vim's swap, backup and test files never started a rebuild: one line
    // per save, six saves (the kim-lee.md ones may take two, as `cat >`
    // empties the file before writing it).
    s.wait_rebuilds(6);
    let lines = s.rebuild_lines();
    assert!(lines.len() <= 9, "{lines:#?}");
    assert!(
        lines
            .iter()
            .all(|l| !l.contains(".swp") && !l.contains('~') && !l.contains("4913")),
        "{lines:#?}"
    );
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

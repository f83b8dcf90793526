//! Finds the `href` and `src` attributes of a page (with the one HTML
//! scanner, [`crate::syntax::html`], which skips comments and the text of
//! scripts and styles) and rewrites the links that point at renamed files.

use std::collections::BTreeMap;

use crate::syntax::html::{pieces, Piece, Tag};

/// Whether a `<script>` with these attributes would run its text: no
/// `src`, and a JavaScript or module type.
fn runs_inline(html: &str, tag: &Tag) -> bool {
    if tag.attr(html, "src").is_some() {
        return false;
    }
    let kind = tag
        .value(html, "type")
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        kind.as_str(),
        "" | "module" | "text/javascript" | "application/javascript" | "text/ecmascript"
    )
}

/// Calls `visit` with every start tag of the page, in order, and whether
/// the page holds an inline script that would run.
fn scan(html: &str, mut visit: impl FnMut(&Tag)) -> bool {
    let mut inline = false;
    // A script tag whose text would run: its text is the next piece.
    let mut running = false;
    for piece in pieces(html) {
        match piece {
            Piece::Tag(tag) if !tag.closing => {
                running = tag.is(html, "script") && runs_inline(html, &tag);
                visit(&tag);
            }
            Piece::Raw(r) if running => {
                inline |= !html[r].trim().is_empty();
                running = false;
            }
            _ => running = false,
        }
    }
    inline
}

/// Whether the page holds an inline script that a browser would run (no
/// `src`, a JavaScript or module type, something in it).
pub fn has_running_inline_script(html: &str) -> bool {
    scan(html, |_| {})
}

/// A plain page made ready to be encrypted at `page`: its links to renamed
/// files rewritten ([`rewrite_links`]); its own Content-Security-Policy
/// `<meta>` left out (the locked page's policy stays in force once the
/// page is written in, and is the only one); and each `<script src>` that
/// loads one of the encrypted `data_files` turned into
/// `data-rapport-src`, which the unlock script decrypts and runs.
pub fn prepare_page(
    html: &str,
    page: &str,
    names: &BTreeMap<String, String>,
    data_files: &[&str],
) -> String {
    let mut out = Vec::with_capacity(html.len());
    prepare_into(
        html,
        page,
        &|p| names.get(p).cloned(),
        &|p| data_files.contains(&p),
        &mut out,
    );
    String::from_utf8(out).expect("whole pieces of a string and strings were joined")
}

/// [`prepare_page`] with the renamed files and the encrypted data files
/// given as functions of a site path, written at the end of `out` (which
/// the caller may have made as large as what it will add to it) in the
/// same scan that finds whether the page holds an inline script that
/// would run ([`has_running_inline_script`]), which it gives.
///
/// Only a page that `rename` maps is renamed, and every such page ends in
/// `.html` (a partner page): a tag whose bytes do not hold `.html` has no
/// link to rewrite, and its attributes are not read again.
pub fn prepare_into(
    html: &str,
    page: &str,
    rename: &dyn Fn(&str) -> Option<String>,
    is_data: &dyn Fn(&str) -> bool,
    out: &mut Vec<u8>,
) -> bool {
    let mut copied = 0;
    let mut pages = memchr::memmem::find_iter(html.as_bytes(), b".html").peekable();
    let inline = scan(html, |tag| {
        let name = tag.name(html);
        if name.eq_ignore_ascii_case("meta")
            && tag
                .value(html, "http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-security-policy"))
        {
            out.extend_from_slice(&html.as_bytes()[copied..tag.range.start]);
            copied = tag.range.end;
            return;
        }
        if name.eq_ignore_ascii_case("script") {
            if let Some(src) = tag.attr(html, "src") {
                let raw = &html[src.value.clone().unwrap_or_default()];
                let cut = raw.find(['#', '?']).unwrap_or(raw.len());
                let target = resolve(page, &unescape(&raw[..cut]));
                if target.is_some_and(|t| is_data(&t)) {
                    out.extend_from_slice(&html.as_bytes()[copied..src.name.start]);
                    out.extend_from_slice(b"data-rapport-");
                    copied = src.name.start;
                    return;
                }
            }
        }
        // The next `.html` at or past the tag's start: inside it or not.
        while pages.next_if(|&at| at < tag.range.start).is_some() {}
        if pages.peek().is_some_and(|&at| at < tag.range.end) {
            copied = map_links(html, tag, page, rename, out, copied);
        }
    });
    out.extend_from_slice(&html.as_bytes()[copied..]);
    inline
}

/// Undoes the few character references a link can hold.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The site path a relative link on the page at `page` points at, if it
/// is a link inside the site.
fn resolve(page: &str, link: &str) -> Option<String> {
    if link.is_empty() || link.starts_with('/') || link.starts_with('#') {
        return None;
    }
    let first = link.split('/').next().unwrap_or("");
    if first.contains(':') {
        return None; // a scheme: mailto:, https:, data:…
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The new text of one attribute value, when it links to a renamed file.
/// Copies `html` from `copied` up to each link of `tag` (`href`, `src`,
/// `xlink:href`) that `rename` maps, then the new value in its place;
/// gives where the copy has reached.
fn map_links(
    html: &str,
    tag: &Tag,
    page: &str,
    rename: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<u8>,
    mut copied: usize,
) -> usize {
    for a in tag.attrs(html) {
        let Some(value) = a.value else {
            continue;
        };
        let name = &html[a.name];
        if !["href", "src", "xlink:href"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            continue;
        }
        if let Some(new) = map_value(page, &html[value.clone()], rename) {
            out.extend_from_slice(&html.as_bytes()[copied..value.start]);
            out.extend_from_slice(new.as_bytes());
            copied = value.end;
        }
    }
    copied
}

fn map_value(page: &str, raw: &str, rename: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let cut = raw.find(['#', '?']).unwrap_or(raw.len());
    let (raw_path, rest) = raw.split_at(cut);
    let target = resolve(page, &unescape(raw_path))?;
    let new = &rename(&target)?;
    let (old_dir, _) = target.rsplit_once('/').unwrap_or(("", &target));
    let (new_dir, new_file) = new.rsplit_once('/').unwrap_or(("", new));
    if old_dir != new_dir {
        return None; // only renames within a folder are rewritten
    }
    let keep = raw_path.rfind('/').map_or(0, |s| s + 1);
    Some(format!("{}{}{}", &raw_path[..keep], new_file, rest))
}

/// Rewrites every `href`, `src` and `xlink:href` of the page at `page`
/// that points (relative to the page's folder) at a key of `names`, so
/// that it points at the value instead. Links elsewhere, fragments and
/// other hosts are left alone; the rest of the page is kept byte for byte.
pub fn rewrite_links(html: &str, page: &str, names: &BTreeMap<String, String>) -> String {
    rewrite_links_with(html, page, &|p| names.get(p).cloned())
}

/// [`rewrite_links`] with the new name of a site path given by `rename`.
pub fn rewrite_links_with(
    html: &str,
    page: &str,
    rename: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut out = Vec::with_capacity(html.len());
    let mut copied = 0;
    scan(html, |tag| {
        copied = map_links(html, tag, page, rename, &mut out, copied);
    });
    out.extend_from_slice(&html.as_bytes()[copied..]);
    String::from_utf8(out).expect("whole pieces of a string and strings were joined")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> BTreeMap<String, String> {
        [("partners/jane-doe.html", "partners/0a1b2c.html")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn links_from_every_folder_are_mapped() {
        let n = names();
        assert_eq!(
            rewrite_links(
                r#"<a href="partners/jane-doe.html">J</a>"#,
                "index.html",
                &n
            ),
            r#"<a href="partners/0a1b2c.html">J</a>"#
        );
        assert_eq!(
            rewrite_links(
                r#"<a class=x href="../partners/jane-doe.html#t">J</a>"#,
                "reports/readiness.html",
                &n
            ),
            r#"<a class=x href="../partners/0a1b2c.html#t">J</a>"#
        );
        assert_eq!(
            rewrite_links("<a\nHREF='jane-doe.html'>J</a>", "partners/index.html", &n),
            "<a\nHREF='0a1b2c.html'>J</a>"
        );
        assert_eq!(
            rewrite_links(
                r#"<a href="./jane-doe.html?x=1&amp;y=2">J</a>"#,
                "partners/other.html",
                &n
            ),
            r#"<a href="./0a1b2c.html?x=1&amp;y=2">J</a>"#
        );
    }

    #[test]
    fn other_links_and_text_are_left_alone() {
        let n = names();
        let page = concat!(
            r#"<p>partners/jane-doe.html</p><a href="jane-doe.html">wrong folder</a>"#,
            r#"<a href="mailto:jane-doe.html">m</a><a href="/partners/jane-doe.html">abs</a>"#,
            r#"<!-- <a href="partners/jane-doe.html"> --><script>var s = '<a href="partners/jane-doe.html">';</script>"#,
            r#"<a data-href="partners/jane-doe.html">d</a><a href="partners/jane-doe.htmlx">x</a>"#,
        );
        assert_eq!(rewrite_links(page, "index.html", &n), page);
    }

    #[test]
    fn a_page_loses_its_own_policy_and_its_encrypted_scripts_are_marked() {
        let page = concat!(
            r#"<head><meta charset="utf-8"><META HTTP-EQUIV="Content-Security-Policy" content="script-src 'self'">"#,
            r#"<script src="../data/search.js"></script><script src="../site.js"></script></head>"#,
            r#"<a href="../partners/jane-doe.html">J</a>"#,
        );
        let n = names();
        assert_eq!(
            prepare_page(page, "reports/r.html", &n, &["data/search.js"]),
            concat!(
                r#"<head><meta charset="utf-8">"#,
                r#"<script data-rapport-src="../data/search.js"></script><script src="../site.js"></script></head>"#,
                r#"<a href="../partners/0a1b2c.html">J</a>"#,
            )
        );
    }

    #[test]
    fn only_inline_scripts_that_run_are_found() {
        assert!(has_running_inline_script(
            "<p>x</p><script>alert(1)</script>"
        ));
        assert!(has_running_inline_script(
            "<script type=module>import('x')</script>"
        ));
        assert!(!has_running_inline_script(
            r#"<script src="a.js"></script><script type="application/json">{"a":1}</script><script> </script>"#
        ));
    }

    #[test]
    fn a_truncated_tag_does_not_panic() {
        let n = names();
        for page in [
            "<a href=\"partners/jane-doe.html",
            "<a href=",
            "<",
            "<a",
            "<!--",
        ] {
            let _ = rewrite_links(page, "index.html", &n);
        }
    }
}

//! Finds the `href` and `src` attributes of a page (a small scan of its
//! tags, skipping comments and the text of scripts and styles) and
//! rewrites the links that point at renamed files.

use std::collections::BTreeMap;

/// A tag's attribute value: where it is in the page.
struct Attr {
    name: String,
    start: usize,
    end: usize,
}

/// A tag found by [`scan`]: its lowercased name, whether it closes, its
/// attributes, and where it ends.
struct Tag {
    start: usize,
    name: String,
    closing: bool,
    attrs: Vec<Attr>,
    end: usize,
}

fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let n = needle.len();
    let bytes = hay.as_bytes();
    (from..hay.len().saturating_sub(n - 1))
        .find(|&i| bytes[i..i + n].eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads the tag that starts at `<` at `i`, if it is one.
fn read_tag(html: &str, i: usize) -> Option<Tag> {
    let b = html.as_bytes();
    let len = b.len();
    let mut j = i + 1;
    let closing = b.get(j) == Some(&b'/');
    if closing {
        j += 1;
    }
    let name_start = j;
    if !b.get(j).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while j < len && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
        j += 1;
    }
    let name = html[name_start..j].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while j < len && (b[j].is_ascii_whitespace() || b[j] == b'/') {
            j += 1;
        }
        if j >= len {
            return Some(Tag {
                start: i,
                name,
                closing,
                attrs,
                end: len,
            });
        }
        if b[j] == b'>' {
            return Some(Tag {
                start: i,
                name,
                closing,
                attrs,
                end: j + 1,
            });
        }
        let attr_start = j;
        while j < len && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
            j += 1;
        }
        if j == attr_start {
            // A stray character such as `=`: step over it.
            j += 1;
            continue;
        }
        let attr_name = html[attr_start..j].to_ascii_lowercase();
        let mut k = j;
        while k < len && b[k].is_ascii_whitespace() {
            k += 1;
        }
        if k < len && b[k] == b'=' {
            k += 1;
            while k < len && b[k].is_ascii_whitespace() {
                k += 1;
            }
            let (start, end, next) = match b.get(k) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let close = html[k + 1..].find(q as char).map_or(len, |e| k + 1 + e);
                    (k + 1, close, (close + 1).min(len))
                }
                _ => {
                    let mut e = k;
                    while e < len && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                        e += 1;
                    }
                    (k, e, e)
                }
            };
            attrs.push(Attr {
                name: attr_name,
                start,
                end,
            });
            j = next;
        }
    }
}

/// Calls `visit` with every tag of the page, in order.
fn scan(html: &str, mut visit: impl FnMut(&Tag)) {
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        if html[i..].starts_with("<!--") {
            i = html[i + 4..]
                .find("-->")
                .map_or(html.len(), |e| i + 4 + e + 3);
            continue;
        }
        let Some(tag) = read_tag(html, i) else {
            i += 1;
            continue;
        };
        visit(&tag);
        i = tag.end;
        if !tag.closing && (tag.name == "script" || tag.name == "style") {
            i = find_ci(html, i, &format!("</{}", tag.name)).unwrap_or(html.len());
        }
    }
}

/// Whether the page holds an inline script that a browser would run (no
/// `src`, a JavaScript or module type, something in it).
pub fn has_running_inline_script(html: &str) -> bool {
    let mut found = false;
    scan(html, |tag| {
        if tag.name != "script" || tag.closing || tag.attrs.iter().any(|a| a.name == "src") {
            return;
        }
        let kind = tag
            .attrs
            .iter()
            .find(|a| a.name == "type")
            .map(|a| html[a.start..a.end].trim().to_ascii_lowercase())
            .unwrap_or_default();
        let runs = matches!(
            kind.as_str(),
            "" | "module" | "text/javascript" | "application/javascript" | "text/ecmascript"
        );
        let end = find_ci(html, tag.end, "</script").unwrap_or(html.len());
        found |= runs && !html[tag.end..end].trim().is_empty();
    });
    found
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
    prepare_page_with(html, page, &|p| names.get(p).cloned(), &|p| {
        data_files.contains(&p)
    })
}

/// [`prepare_page`] with the renamed files and the encrypted data files
/// given as functions of a site path.
pub fn prepare_page_with(
    html: &str,
    page: &str,
    rename: &dyn Fn(&str) -> Option<String>,
    is_data: &dyn Fn(&str) -> bool,
) -> String {
    prepare_and_check(html, page, rename, is_data).0
}

/// [`prepare_page_with`] in one scan of the page, and whether the page
/// holds an inline script that would run
/// ([`has_running_inline_script`]).
pub fn prepare_and_check(
    html: &str,
    page: &str,
    rename: &dyn Fn(&str) -> Option<String>,
    is_data: &dyn Fn(&str) -> bool,
) -> (String, bool) {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut inline = false;
    scan(html, |tag| {
        if tag.closing {
            return;
        }
        let value = |name: &str| {
            tag.attrs
                .iter()
                .find(|a| a.name == name)
                .map(|a| &html[a.start..a.end])
        };
        if tag.name == "meta"
            && value("http-equiv")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("content-security-policy"))
        {
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
            return;
        }
        if tag.name == "script" {
            match tag.attrs.iter().find(|a| a.name == "src") {
                Some(src) => {
                    let raw = &html[src.start..src.end];
                    let cut = raw.find(['#', '?']).unwrap_or(raw.len());
                    let target = resolve(page, &unescape(&raw[..cut]));
                    if target.is_some_and(|t| is_data(&t)) {
                        // The attribute's name is the last `src` before its value.
                        let name_at = tag.start
                            + html[tag.start..src.start]
                                .to_ascii_lowercase()
                                .rfind("src")
                                .unwrap_or(0);
                        out.push_str(&html[copied..name_at]);
                        out.push_str("data-rapport-");
                        copied = name_at;
                        return;
                    }
                }
                None => {
                    let kind = value("type")
                        .map(|v| v.trim().to_ascii_lowercase())
                        .unwrap_or_default();
                    let runs = matches!(
                        kind.as_str(),
                        "" | "module"
                            | "text/javascript"
                            | "application/javascript"
                            | "text/ecmascript"
                    );
                    let end = find_ci(html, tag.end, "</script").unwrap_or(html.len());
                    inline |= runs && !html[tag.end..end].trim().is_empty();
                }
            }
        }
        copied = map_links(html, tag, page, rename, &mut out, copied);
    });
    out.push_str(&html[copied..]);
    (out, inline)
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
    out: &mut String,
    mut copied: usize,
) -> usize {
    for a in &tag.attrs {
        if !matches!(a.name.as_str(), "href" | "src" | "xlink:href") {
            continue;
        }
        if let Some(new) = map_value(page, &html[a.start..a.end], rename) {
            out.push_str(&html[copied..a.start]);
            out.push_str(&new);
            copied = a.end;
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
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    scan(html, |tag| {
        if tag.closing {
            return;
        }
        copied = map_links(html, tag, page, rename, &mut out, copied);
    });
    out.push_str(&html[copied..]);
    out
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

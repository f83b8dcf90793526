//! Each [`Edit`] made on the lines of a note's front-matter.

use super::text::{closing_quote, set_value, value_span, Doc, Line, ListStyle};
use super::{Edit, Fields, Value};

/// The format's order of the top-level keys: a key that is set where it
/// was missing goes after the nearest one before it.
const ORDER: &[&str] = &[
    "name",
    "firm",
    "profession",
    "role",
    "since",
    "email",
    "phone",
    "website",
    "tags",
    "ideal_clients",
    "draft",
    "referrals",
    "meetings",
    "initiatives",
    "next_step",
    "steps",
    "contact_every",
    "extra",
];

/// The format's order of the keys of list entries (referrals, meetings,
/// initiatives, steps): a key added to an entry goes where it belongs.
const ENTRY_ORDER: &[&str] = &[
    "name",
    "date",
    "direction",
    "kind",
    "client",
    "type",
    "started",
    "status",
    "outcome",
    "value",
    "new_clients",
    "summary",
    "note",
    "action",
    "thanked",
];

/// What an edit does to the lines: lines replaced (by index), lines left
/// out, and lines added after a line (`None`: at the end).
#[derive(Default)]
struct Change {
    changed: Vec<(usize, String)>,
    removed: Vec<usize>,
    added: Vec<(Option<usize>, Vec<String>)>,
}

pub fn apply_one(text: &str, edit: &Edit) -> Result<String, String> {
    let doc = Doc::read(text)?;
    let change = match edit {
        Edit::Append { list, fields } => append(&doc, list, fields)?,
        Edit::SetMapping { key, fields } => set_mapping(&doc, key, fields),
        Edit::Remove { key } => remove(&doc, key),
        Edit::Set { key, value } => {
            let v = value.render(false, doc.quote);
            set(&doc, key, &v)
        }
        Edit::SetList { key, items } => {
            let words: Vec<String> = items
                .iter()
                .map(|i| Value::Text(i.clone()).render(true, doc.quote))
                .collect();
            set(&doc, key, &format!("[{}]", words.join(", ")))
        }
        Edit::SetInEntry {
            list,
            index,
            key,
            value,
        } => set_in_entry(&doc, list, *index, key, value)?,
    };
    Ok(doc.assemble(&change.changed, &change.removed, &change.added))
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

/// The lines of a value over several lines under line `i` (indented more
/// than `indent`), up to `end`: the last one, or `i` itself.
fn value_lines_end(doc: &Doc, i: usize, indent: usize, end: usize) -> usize {
    let mut m = i + 1;
    let mut last = i;
    while m < end && (doc.lines[m].blank() || doc.lines[m].indent() > indent) {
        if !doc.lines[m].blank() {
            last = m;
        }
        m += 1;
    }
    last
}

fn append(doc: &Doc, list: &str, fields: &Fields) -> Result<Change, String> {
    let mut change = Change::default();
    let render = |flow: bool| -> Vec<(&str, String)> {
        fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.render(flow, doc.quote)))
            .collect()
    };
    let region = doc.region(list);
    let flow_list = region.and_then(|(k, _)| {
        let line = &doc.lines[k];
        let (_, colon) = line.key()?;
        let (vs, ve, _) = value_span(line.text, colon);
        Some((k, &line.text[vs..ve]))
    });
    match flow_list {
        Some((k, value)) if value.starts_with('[') && value != "[]" => {
            let line = &doc.lines[k];
            if !value.ends_with(']') {
                return Err(format!(
                    "`{list}` is a `[...]` list spread over several lines; write its entries one per `- ` line, or add this one by hand"
                ));
            }
            let item: Vec<String> = render(true)
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let start = line.text.as_ptr() as usize;
            let value_end = value.as_ptr() as usize + value.len() - start - 1;
            let new = format!(
                "{}, {{{}}}{}",
                &line.text[..value_end],
                item.join(", "),
                &line.text[value_end..]
            );
            change.changed.push((k, new));
        }
        Some((_, value))
            if !(value.is_empty() || matches!(value, "[]" | "~" | "null" | "Null" | "NULL")) =>
        {
            return Err(format!("`{list}` does not hold a list of entries"));
        }
        _ => {
            let (k, end, created) = match region {
                Some((k, end)) => (Some(k), end, false),
                None => (None, doc.lines.len(), true),
            };
            let own = k.and_then(|k| doc.list_style(k, end));
            let style = own.unwrap_or_else(|| doc.any_list_style());
            let order = match (k, own) {
                (Some(k), Some(s)) => doc.key_order(k, end, s),
                _ => Vec::new(),
            };
            let pairs = render(style.flow);
            // Keys the last entry has keep its order; the others follow
            // the key they follow in the format's order.
            let mut last: i64 = -1;
            let ranks: Vec<(i64, usize)> = pairs
                .iter()
                .enumerate()
                .map(|(i, (key, _))| match order.iter().position(|o| o == key) {
                    Some(p) => {
                        last = p as i64;
                        (last, 0)
                    }
                    None => (last, i + 1),
                })
                .collect();
            let mut ranked: Vec<_> = ranks.into_iter().zip(pairs).collect();
            ranked.sort_by_key(|(rank, _)| *rank);
            let pairs: Vec<(&str, String)> = ranked.into_iter().map(|(_, p)| p).collect();
            let mut lines = Vec::new();
            if created {
                lines.push(format!("{}{list}:", pad(doc.root)));
            }
            entry_lines(&mut lines, style, &pairs);
            match k {
                None => change.added.push((None, lines)),
                Some(k) => {
                    let line = &doc.lines[k];
                    let (_, colon) = line.key().expect("a key line");
                    let (vs, ve, _) = value_span(line.text, colon);
                    if vs != ve {
                        change.changed.push((k, set_value(line.text, colon, "")));
                    }
                    let after = if own.is_some() {
                        doc.list_end(k, end)
                    } else {
                        k
                    };
                    change.added.push((Some(after), lines));
                }
            }
        }
    }
    Ok(change)
}

/// The lines of one list entry in the list's style.
fn entry_lines(lines: &mut Vec<String>, style: ListStyle, pairs: &[(&str, String)]) {
    if style.flow {
        let item: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        lines.push(format!("{}- {{{}}}", pad(style.dash), item.join(", ")));
        return;
    }
    for (n, (key, value)) in pairs.iter().enumerate() {
        if n == 0 {
            lines.push(format!(
                "{}-{}{key}: {value}",
                pad(style.dash),
                pad(style.keys - style.dash - 1)
            ));
        } else {
            lines.push(format!("{}{key}: {value}", pad(style.keys)));
        }
    }
}

fn set_mapping(doc: &Doc, key: &str, fields: &Fields) -> Change {
    let mut change = Change::default();
    let pairs: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.render(false, doc.quote)))
        .collect();
    let style = doc.any_list_style();
    let child = style.keys - style.dash;
    match doc.region(key) {
        None => {
            let mut lines = vec![format!("{}{key}:", pad(doc.root))];
            lines.extend(
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}{k}: {v}", pad(doc.root + child))),
            );
            change.added.push((None, lines));
        }
        Some((k, end)) => {
            let line = &doc.lines[k];
            let (_, colon) = line.key().expect("a key line");
            let (vs, ve, _) = value_span(line.text, colon);
            let mut block_from = None;
            if vs != ve {
                // `next_step: {…}` or `~`: the value moves to the lines below.
                change.changed.push((k, set_value(line.text, colon, "")));
                block_from = Some(k);
            }
            let children: Vec<usize> = (k + 1..end)
                .filter(|&i| doc.lines[i].content() && doc.lines[i].indent() > doc.root)
                .collect();
            let indent = children
                .first()
                .map_or(doc.root + child, |&i| doc.lines[i].indent());
            let mut missing = Vec::new();
            for (key, value) in &pairs {
                let found = children.iter().find(|&&i| {
                    doc.lines[i].indent() == indent
                        && doc.lines[i].key().is_some_and(|(k2, _)| k2 == *key)
                });
                match (found, block_from) {
                    (Some(&i), None) => {
                        let (_, c) = doc.lines[i].key().expect("a key line");
                        change
                            .changed
                            .push((i, set_value(doc.lines[i].text, c, value)));
                        // An old value over several lines goes with its key.
                        let last = value_lines_end(doc, i, indent, end);
                        change.removed.extend(i + 1..=last);
                    }
                    _ => missing.push(format!("{}{key}: {value}", pad(indent))),
                }
            }
            let after = if block_from.is_some() {
                k
            } else {
                children
                    .last()
                    .copied()
                    .map_or(k, |c| doc.list_end(c - 1, end).max(c))
            };
            if !missing.is_empty() {
                change.added.push((Some(after), missing));
            }
        }
    }
    change
}

/// The lines of a top-level key's value: the key's line, and the last line
/// under it (comments indented into it included).
fn key_lines(doc: &Doc, key: &str) -> Option<(usize, usize)> {
    let (k, end) = doc.region(key)?;
    Some((k, doc.list_end(k, end)))
}

fn remove(doc: &Doc, key: &str) -> Change {
    let mut change = Change::default();
    if let Some((k, last)) = key_lines(doc, key) {
        change.removed.extend(k..=last);
    }
    change
}

/// `key: value` on one line, in place of the key's old value (a comment
/// after it stays), or added after the key before it in the format's order.
fn set(doc: &Doc, key: &str, value: &str) -> Change {
    let mut change = Change::default();
    match key_lines(doc, key) {
        Some((k, last)) => {
            let line = &doc.lines[k];
            let (_, colon) = line.key().expect("a key line");
            change.changed.push((k, set_value(line.text, colon, value)));
            change.removed.extend(k + 1..=last);
        }
        None => {
            let line = format!("{}{key}: {value}", pad(doc.root));
            let at = ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
            let before = ORDER[..at]
                .iter()
                .rev()
                .find_map(|k| key_lines(doc, k).map(|(_, last)| last));
            change.added.push((before, vec![line]));
        }
    }
    change
}

fn set_in_entry(
    doc: &Doc,
    list: &str,
    index: usize,
    key: &str,
    value: &Value,
) -> Result<Change, String> {
    let mut change = Change::default();
    let (k, end) = doc
        .region(list)
        .ok_or_else(|| format!("the note has no `{list}`"))?;
    let line = &doc.lines[k];
    let (_, colon) = line.key().expect("a key line");
    let (vs, ve, _) = value_span(line.text, colon);
    if vs != ve {
        return Err(format!(
            "`{list}` is written as a `[...]` list; write its entries one per `- ` line, or change this one by hand"
        ));
    }
    let style = doc
        .list_style(k, end)
        .ok_or_else(|| format!("`{list}` does not hold a list of entries"))?;
    let items: Vec<usize> = (k + 1..end)
        .filter(|&i| doc.lines[i].dash() && doc.lines[i].indent() == style.dash)
        .collect();
    let start = *items
        .get(index)
        .ok_or_else(|| format!("`{list}` has no entry {}", index + 1))?;
    let stop = items
        .get(index + 1)
        .copied()
        .unwrap_or(doc.list_end(k, end) + 1);
    let dash = &doc.lines[start];
    let after_dash = &dash.text[style.dash + 1..];
    let rest = after_dash.trim_start_matches(' ');
    if rest.starts_with('{') {
        let v = value.render(true, doc.quote);
        let open = dash.text.len() - rest.len();
        let new = set_in_flow(dash.text, open, key, &v).ok_or_else(|| {
            format!(
                "an entry of `{list}` is a `{{...}}` mapping this cannot change; change it by hand"
            )
        })?;
        change.changed.push((start, new));
        return Ok(change);
    }
    let v = value.render(false, doc.quote);
    let keycol = if rest.is_empty() || rest.starts_with('#') {
        (start + 1..stop)
            .find(|&i| doc.lines[i].content())
            .map(|i| doc.lines[i].indent())
            .ok_or_else(|| format!("an entry of `{list}` is empty"))?
    } else {
        style.dash + 1 + (after_dash.len() - rest.len())
    };
    // The key on the dash's line, or on a line of its own.
    let on_dash = Line {
        text: &dash.text[keycol.min(dash.text.len())..],
    }
    .key()
    .filter(|(k2, _)| *k2 == key)
    .map(|(_, c)| (start, keycol + c));
    let found = on_dash.or_else(|| {
        (start + 1..stop).find_map(|i| {
            let l = &doc.lines[i];
            (l.content() && l.indent() == keycol)
                .then(|| l.key())
                .flatten()
                .filter(|(k2, _)| *k2 == key)
                .map(|(_, c)| (i, c))
        })
    });
    match found {
        Some((i, colon)) => {
            change
                .changed
                .push((i, set_value(doc.lines[i].text, colon, &v)));
            let last = value_lines_end(doc, i, keycol, stop);
            change.removed.extend(i + 1..=last);
        }
        None => {
            let end_of_entry = (start..stop)
                .rev()
                .find(|&i| doc.lines[i].content())
                .unwrap_or(start);
            // After the last key that comes before it in the format's
            // order, when a key that comes after it is there; else last.
            let rank = |k: &str| ENTRY_ORDER.iter().position(|o| *o == k);
            let keys: Vec<(usize, Option<usize>)> = (start..stop)
                .filter_map(|i| {
                    let text = if i == start {
                        dash.text.get(keycol..)?
                    } else if doc.lines[i].content() && doc.lines[i].indent() == keycol {
                        doc.lines[i].text
                    } else {
                        return None;
                    };
                    let (k2, _) = (Line { text }).key()?;
                    Some((i, rank(k2)))
                })
                .collect();
            let after = match rank(key) {
                Some(r) if keys.iter().any(|(_, k)| k.is_some_and(|k| k > r)) => keys
                    .iter()
                    .filter(|(_, k)| k.is_some_and(|k| k < r))
                    .map(|(i, _)| value_lines_end(doc, *i, keycol, stop))
                    .next_back()
                    .unwrap_or(end_of_entry),
                _ => end_of_entry,
            };
            change
                .added
                .push((Some(after), vec![format!("{}{key}: {v}", pad(keycol))]));
        }
    }
    Ok(change)
}

/// A `{a: 1, b: 2}` mapping on one line (opening at byte `open`) with
/// `key` set to `value`: its old value replaced, or `, key: value` added
/// before the closing brace. `None` when the mapping is not on this line
/// or holds nested collections.
fn set_in_flow(text: &str, open: usize, key: &str, value: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = open + 1;
    let mut parts = Vec::new();
    let mut part_start = i;
    let mut close = None;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => i = closing_quote(b, i),
            b'[' | b'{' => return None,
            b',' => {
                parts.push((part_start, i));
                part_start = i + 1;
            }
            b'}' => {
                parts.push((part_start, i));
                close = Some(i);
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let close = close?;
    for &(s, e) in &parts {
        let part = &text[s..e];
        let lead = part.len() - part.trim_start().len();
        let line = Line {
            text: &part[lead..],
        };
        if let Some((k, colon)) = line.key() {
            if k == key {
                let vstart = s + lead + colon;
                let trail = part.len() - part.trim_end().len();
                return Some(format!("{} {value}{}", &text[..vstart], &text[e - trail..]));
            }
        }
    }
    let inner = text[open + 1..close].trim_end();
    let sep = if inner.trim().is_empty() { "" } else { ", " };
    let inner_end = open + 1 + inner.len();
    Some(format!(
        "{}{sep}{key}: {value}{}",
        &text[..inner_end],
        &text[inner_end..]
    ))
}

//! `rapport import`: a CRM or spreadsheet export (CSV) turned into
//! referrals in the partners' notes.
//!
//! Everything here is pure: the command reads the CSV, the rules and the
//! book's notes, hands their text to [`plan`], and gets back, for each
//! partner, the note as it is, the note as it would be, and what was added;
//! or the rows refused, each named by its row and column. The command
//! writes only when nothing was refused.
//!
//! The stages: [`read_table`] cuts the CSV into a header and rows;
//! [`map_header`] finds which column is which field (the header's own
//! words, then the rules, then the command line's `--direction` and
//! `--outcome`); [`plan`] reads each row into a referral, finds its
//! partner, leaves out the rows the book already holds, and adds the rest
//! to the notes through the same editor as `rapport log`.

pub mod rules;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::book::{Day, Direction, Outcome, Partner, Referral, ReferralType};
use crate::diagnostics::{Diagnostic, Source};
use crate::read::discover::{slugify, RESERVED_SLUG};
use crate::read::note;

pub use rules::{header_key, word_key, Column, Field, Rules};

/// What the command line says on top of the rules.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--direction`: the direction of every row of a file without one.
    pub direction: Option<Direction>,
    /// `--outcome`: the outcome of every row of a file without one.
    pub outcome: Option<Outcome>,
    /// `--date-format`: how dates are written (strftime).
    pub date_format: Option<String>,
}

// ------------------------------------------------------------ the table

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line of the file the row starts on (1-based), the row number a
    /// spreadsheet shows.
    pub line: usize,
    pub cells: Vec<String>,
}

/// The file cut into its header and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<Record>,
    pub separator: u8,
    source: Source,
}

/// The CSV's text: UTF-8 (a leading byte-order mark is dropped), or an
/// error naming the line where it is not.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.to_string()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Err(Box::new(
                Diagnostic::error(file, format!("line {line} is not UTF-8 text")).with_help(
                    "save the export as \"CSV UTF-8\" (in a spreadsheet: Save As, CSV UTF-8)",
                ),
            ))
        }
    }
}

/// Cuts `text` into a header and rows. The separator is the rules' or,
/// without one, the one the header line uses (`,` unless it has only `;`
/// or tabs).
pub fn read_table(file: &str, text: &str, rules: &Rules) -> Result<Table, Vec<Diagnostic>> {
    let source = Source::new(text);
    let mut offset = 0;
    for _ in 0..rules.skip_lines {
        match text[offset..].find('\n') {
            Some(at) => offset += at + 1,
            None => offset = text.len(),
        }
    }
    let rest = &text[offset..];
    let first_line = rest.lines().next().unwrap_or("");
    let separator = rules.separator.unwrap_or_else(|| {
        if first_line.contains(',') {
            b','
        } else if first_line.contains(';') {
            b';'
        } else if first_line.contains('\t') {
            b'\t'
        } else {
            b','
        }
    });
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(rest.as_bytes());
    // The line of a byte of `rest` (1-based, in the whole file).
    let newlines: Vec<usize> = rest.match_indices('\n').map(|(i, _)| i).collect();
    // A record read after a `\r` may start at the `\n` that follows it:
    // its line is the one after.
    let line_of = |byte: u64| {
        let mut byte = byte as usize;
        while matches!(rest.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        let before = newlines.partition_point(|&i| i < byte);
        before + 1 + rules.skip_lines
    };
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(p.byte()));
                let d = Diagnostic::error(file, format!("the file does not read as CSV: {e}"));
                let d = if line > 0 {
                    d.at(&source, source.line_place(line), "this row")
                } else {
                    d
                };
                return Err(vec![d]);
            }
        };
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if header.is_none() {
            if cells.iter().all(String::is_empty) {
                continue;
            }
            header = Some((line, cells));
        } else {
            rows.push(Record { line, cells });
        }
    }
    let Some((header_line, header)) = header else {
        return Err(vec![Diagnostic::error(
            file,
            "the file has no header row: it is empty",
        )
        .with_help(
            "an export starts with a row naming its columns (Date, Partner, Client…)",
        )]);
    };
    Ok(Table {
        header,
        header_line,
        rows,
        separator,
        source,
    })
}

/// A column's letter as a spreadsheet shows it: A, B, … Z, AA, AB…
pub fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

impl Table {
    /// A column as messages name it: `` `Referred By` (C) ``.
    pub fn column_name(&self, index: usize) -> String {
        match self.header.get(index) {
            Some(h) if !h.is_empty() => format!("`{h}` ({})", letter(index)),
            _ => format!("{} (no header)", letter(index)),
        }
    }

    /// The place of cell `index` on the row starting at `line`: the cell
    /// itself when the row is on one line, else the line.
    fn cell_place(&self, line: usize, index: usize) -> crate::diagnostics::Place {
        let text = self.source.line_text(line);
        match cell_spans(text, self.separator).get(index) {
            Some(&(from, width)) => self.source.place(line, from + 1, width),
            None => self.source.line_place(line),
        }
    }
}

/// The cells of one CSV line: each one's first character (0-based, in
/// characters) and width.
fn cell_spans(line: &str, separator: u8) -> Vec<(usize, usize)> {
    let sep = separator as char;
    let mut spans = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut count = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            spans.push((start, count - start));
            start = count + 1;
        }
        count += 1;
    }
    spans.push((start, count - start));
    spans
}

// ------------------------------------------------------------ the header

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// These columns, joined with a space.
    Columns(Vec<usize>),
    /// The rules' `set FIELD VALUE`, at that line.
    Rules(String, usize),
    /// A command-line flag and its value.
    Flag(&'static str, String),
}

/// Which column is which field.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub fields: BTreeMap<Field, Origin>,
    /// The columns no field reads, by index.
    pub ignored: Vec<usize>,
}

/// Finds which column is which field. Every problem is reported: a field
/// read from two columns, a rules column the file does not have, a
/// required field (date, partner, direction) nowhere.
pub fn map_header(
    file: &str,
    table: &Table,
    rules: &Rules,
    options: &Options,
) -> Result<Mapping, Vec<Diagnostic>> {
    let header = &table.header;
    let mut problems = Vec::new();
    let mut fields: BTreeMap<Field, Origin> = BTreeMap::new();
    let headers_list = || {
        header
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{} {h}", letter(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rules_error = |line: usize, message: String| {
        Diagnostic::error(&rules.file, message)
            .with_help(format!("the file's columns: {}", headers_list()))
            .with_help(format!("at line {line} of the rules"))
    };
    // The rules first: what they name wins over a header.
    let mut ignored_cols = Vec::new();
    for (column, line) in &rules.ignore {
        match column.find(header) {
            Some(i) => ignored_cols.push(i),
            None => problems.push(rules_error(
                *line,
                format!("`ignore {column}`: the file has no column {column}"),
            )),
        }
    }
    for (field, columns, line) in &rules.columns {
        let mut found = Vec::new();
        for c in columns {
            match c.find(header) {
                Some(i) => found.push(i),
                None => problems.push(rules_error(
                    *line,
                    format!("`{field} = {c}`: the file has no column {c}"),
                )),
            }
        }
        fields.insert(*field, Origin::Columns(found));
    }
    for (field, value, line) in &rules.fixed {
        if let Some(Origin::Columns(_)) = fields.get(field) {
            problems.push(rules_error(
                *line,
                format!("`set {field}`: the rules also read {field} from a column; keep one"),
            ));
        }
        fields.insert(*field, Origin::Rules(value.clone(), *line));
    }
    // Then the headers that name themselves.
    let named = columns_read(&fields);
    let mut by_header: BTreeMap<Field, Vec<usize>> = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        if named.contains(&i) || ignored_cols.contains(&i) {
            continue;
        }
        if let Some(field) = Field::of_header(h) {
            if !fields.contains_key(&field) {
                by_header.entry(field).or_default().push(i);
            }
        }
    }
    for (field, columns) in by_header {
        if columns.len() > 1 {
            let names: Vec<String> = columns.iter().map(|i| table.column_name(*i)).collect();
            problems.push(
                Diagnostic::error(
                    file,
                    format!("two columns are the {field}: {}", names.join(" and ")),
                )
                .at(
                    &table.source,
                    table.source.line_place(table.header_line),
                    "the header row",
                )
                .with_help(format!(
                    "a rules file says which: `{field} = {}`, or `ignore {}`",
                    table.header[columns[0]], table.header[columns[1]]
                )),
            );
        } else {
            fields.insert(field, Origin::Columns(columns));
        }
    }
    // The command line.
    let flags: [(Field, &'static str, Option<String>); 2] = [
        (
            Field::Direction,
            "--direction",
            options.direction.map(|d| d.to_string()),
        ),
        (
            Field::Outcome,
            "--outcome",
            options.outcome.map(|o| o.to_string()),
        ),
    ];
    for (field, flag, value) in flags {
        let Some(value) = value else { continue };
        if let Some(Origin::Columns(c)) = fields.get(&field) {
            let names: Vec<String> = c.iter().map(|i| table.column_name(*i)).collect();
            problems.push(
                Diagnostic::error(
                    file,
                    format!(
                        "the {field} is read from the file's column {}; {flag} is for files without one",
                        names.join(" + ")
                    ),
                )
                .with_help(format!(
                    "leave out {flag}, or `ignore` the column in a rules file"
                )),
            );
            continue;
        }
        fields.insert(field, Origin::Flag(flag, value));
    }
    // A client from a first and a last name.
    let first = fields.remove(&Field::FirstName);
    let last = fields.remove(&Field::LastName);
    let mut parts = Vec::new();
    for origin in [first, last].into_iter().flatten() {
        if let Origin::Columns(c) = origin {
            parts.extend(c);
        }
    }
    if !parts.is_empty() {
        fields
            .entry(Field::Client)
            .or_insert(Origin::Columns(parts));
    }
    for (field, hint) in [
        (Field::Date, "`date = COLUMN` in a rules file"),
        (Field::Partner, "`partner = COLUMN` in a rules file"),
        (
            Field::Direction,
            "--direction given|received, or `direction = COLUMN` in a rules file",
        ),
    ] {
        if !fields.contains_key(&field) {
            let words: Vec<&str> = field.synonyms().to_vec();
            problems.push(
                Diagnostic::error(file, format!("no column is the {field}"))
                    .at(
                        &table.source,
                        table.source.line_place(table.header_line),
                        format!("expected a column headed one of: {}", words.join(", ")),
                    )
                    .with_help(format!("say which with {hint}")),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let used = columns_read(&fields);
    let ignored = (0..header.len()).filter(|i| !used.contains(i)).collect();
    Ok(Mapping { fields, ignored })
}

/// The columns the fields are read from so far.
fn columns_read(fields: &BTreeMap<Field, Origin>) -> Vec<usize> {
    fields
        .values()
        .filter_map(|o| match o {
            Origin::Columns(c) => Some(c.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

// ------------------------------------------------------------ the rows

/// One row read as a referral for a partner.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    /// The partner as the file names them.
    pub partner: String,
    pub referral: Referral,
}

/// The words a direction cell may hold.
pub fn direction_word(value: &str) -> Option<Direction> {
    match word_key(value).as_str() {
        "given" | "sent" | "out" | "outbound" | "referred out" => Some(Direction::Given),
        "received" | "in" | "inbound" | "referred in" => Some(Direction::Received),
        _ => None,
    }
}

/// The words a type cell may hold.
pub fn type_word(value: &str) -> Option<ReferralType> {
    match word_key(value).as_str() {
        "existing" => Some(ReferralType::Existing),
        "net new" | "new" => Some(ReferralType::NetNew),
        _ => None,
    }
}

/// The words an outcome cell may hold.
pub fn outcome_word(value: &str) -> Option<Outcome> {
    let key = word_key(value);
    match key.as_str() {
        "closed" | "converted" => Some(Outcome::Won),
        "declined" => Some(Outcome::Lost),
        "open" => Some(Outcome::Pending),
        _ => Outcome::ALL.iter().copied().find(|o| o.as_str() == key),
    }
}

/// A number as exports write it: `4500`, `4,500.00`, `$4,500`, `€ 300`.
pub fn value_number(value: &str) -> Option<f64> {
    let t: String = value
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .trim_end_matches(['$', '€', '£', '¥'])
        .trim()
        .to_string();
    let t = t
        .strip_prefix("USD")
        .or_else(|| t.strip_prefix("EUR"))
        .or_else(|| t.strip_prefix("GBP"))
        .map_or(t.as_str(), str::trim);
    // Commas only as thousands separators: groups of three digits.
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if int.contains(',') {
        let groups: Vec<&str> = int.trim_start_matches(['-', '+']).split(',').collect();
        let ok = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
    }
    let plain = match frac {
        Some(f) => format!("{}.{f}", int.replace(',', "")),
        None => int.replace(',', ""),
    };
    if !plain
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    plain
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() < 1e15)
}

/// A date as the file writes it: `YYYY-MM-DD`, or `format` (strftime).
pub fn date_value(value: &str, format: Option<&str>) -> Result<Day, String> {
    match format {
        None => Day::parse(value.trim()).ok_or_else(|| {
            let (problem, help) = crate::book::date_problem(value);
            let mut m = problem;
            for h in help {
                m.push_str("; ");
                m.push_str(&h);
            }
            m.push_str("; a file that writes its dates otherwise needs --date-format (or date-format in its rules), like %m/%d/%Y");
            m
        }),
        Some(f) => NaiveDate::parse_from_str(value.trim(), f)
            .map(Day)
            .map_err(|e| format!("`{value}` is not a date as {f} ({e})")),
    }
}

/// What reading the rows found.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub rows: Vec<Row>,
    /// The lines of rows that name no partner (left out).
    pub no_partner: Vec<usize>,
    /// The lines of rows a `skip-if` left out.
    pub skipped: Vec<usize>,
    /// The rows refused, each with its row and column.
    pub refused: Vec<Diagnostic>,
}

/// Reads every row into a referral.
pub fn read_rows(
    file: &str,
    table: &Table,
    mapping: &Mapping,
    rules: &Rules,
    options: &Options,
) -> Rows {
    let mut out = Rows::default();
    let date_format: Option<(String, String)> = match &options.date_format {
        Some(f) => Some((f.clone(), "--date-format".to_string())),
        None => rules
            .date_format
            .as_ref()
            .map(|(f, line)| (f.clone(), format!("the rules' date-format (line {line})"))),
    };
    let skips: Vec<(Option<usize>, &rules::Skip)> = rules
        .skips
        .iter()
        .map(|s| (s.column.find(&table.header), s))
        .collect();
    'rows: for record in &table.rows {
        let cell = |i: usize| record.cells.get(i).map_or("", String::as_str);
        if record.cells.iter().all(String::is_empty) {
            continue;
        }
        for (col, skip) in &skips {
            let value = col.map_or(String::new(), |i| word_key(cell(i)));
            if (value == skip.value) == skip.equals {
                out.skipped.push(record.line);
                continue 'rows;
            }
        }
        // A field's value, after the maps; and who to blame for it.
        let get = |field: Field| -> Option<(String, Blame)> {
            let origin = mapping.fields.get(&field)?;
            let (raw, blame) = match origin {
                Origin::Columns(cols) => {
                    let joined = cols
                        .iter()
                        .map(|i| cell(*i))
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (joined, Blame::Column(cols.first().copied().unwrap_or(0)))
                }
                Origin::Rules(v, line) => (v.clone(), Blame::Rules(field, *line)),
                Origin::Flag(flag, v) => (v.clone(), Blame::Flag(flag)),
            };
            let mapped = rules.mapped(field, &raw).trim().to_string();
            Some((mapped, blame))
        };
        let mut refusals = Vec::new();
        let mut refuse = |blame: &Blame, message: String, expected: String| {
            refusals.push(blame.diagnostic(file, table, record.line, message, expected));
        };
        let partner = match get(Field::Partner) {
            Some((p, _)) if !p.is_empty() => p,
            _ => {
                out.no_partner.push(record.line);
                continue;
            }
        };
        let date = match get(Field::Date) {
            Some((d, blame)) if d.is_empty() => {
                refuse(
                    &blame,
                    "the date is empty".into(),
                    "expected the day of the referral".into(),
                );
                None
            }
            Some((d, blame)) => {
                let fmt = date_format.as_ref().map(|(f, _)| f.as_str());
                match date_value(&d, fmt) {
                    Ok(day) => Some(day),
                    Err(e) => {
                        let expected = match &date_format {
                            Some((f, from)) => format!("expected a date as {f} ({from})"),
                            None => "expected a date as YYYY-MM-DD".into(),
                        };
                        refuse(&blame, e, expected);
                        None
                    }
                }
            }
            None => None,
        };
        let direction = match get(Field::Direction) {
            Some((d, blame)) => match direction_word(&d) {
                Some(d) => Some(d),
                None => {
                    let msg = if d.is_empty() {
                        "the direction is empty".to_string()
                    } else {
                        format!("`{d}` is not a direction")
                    };
                    refuse(
                        &blame,
                        msg,
                        "expected given (sent, out, outbound, referred out) or received (in, inbound, referred in)".into(),
                    );
                    None
                }
            },
            None => None,
        };
        let text = |field: Field| get(field).filter(|(v, _)| !v.is_empty());
        let client = text(Field::Client).map(|(c, _)| c);
        let note = text(Field::Note).map(|(n, _)| n);
        let kind = match text(Field::Type) {
            None => Some(ReferralType::Existing),
            Some((t, blame)) => {
                let k = type_word(&t);
                if k.is_none() {
                    refuse(
                        &blame,
                        format!("`{t}` is not a referral type"),
                        "expected existing or net-new (new)".into(),
                    );
                }
                k
            }
        };
        let outcome = match text(Field::Outcome) {
            None => Some(None),
            Some((o, blame)) => match outcome_word(&o) {
                Some(word) => match direction {
                    Some(d) if !word.fits(d) => {
                        let allowed: Vec<&str> =
                            Outcome::allowed(d).iter().map(|o| o.as_str()).collect();
                        refuse(
                            &blame,
                            if word_key(&o) == word.as_str() {
                                format!("`{o}` does not fit a {d} referral")
                            } else {
                                format!("`{o}` ({word}) does not fit a {d} referral")
                            },
                            format!("expected for a {d} referral: {}", allowed.join(", ")),
                        );
                        None
                    }
                    _ => Some(Some(word)),
                },
                None => {
                    refuse(
                        &blame,
                        format!("`{o}` is not an outcome"),
                        "expected exceeded, met, below, pending, won or lost (closed, converted → won; declined → lost; open → pending)".into(),
                    );
                    None
                }
            },
        };
        let value = match text(Field::Value) {
            None => Some(None),
            Some((v, blame)) => match value_number(&v) {
                Some(n) => Some(Some(n)),
                None => {
                    refuse(
                        &blame,
                        format!("`{v}` is not a number"),
                        "expected a number such as 4500 or 4,500.00".into(),
                    );
                    None
                }
            },
        };
        if !refusals.is_empty() {
            out.refused.extend(refusals);
            continue;
        }
        let (Some(date), Some(direction), Some(kind), Some(outcome), Some(value)) =
            (date, direction, kind, outcome, value)
        else {
            continue;
        };
        out.rows.push(Row {
            line: record.line,
            partner,
            referral: Referral {
                date,
                direction,
                client,
                kind,
                outcome,
                value,
                note,
                thanked: None,
            },
        });
    }
    out
}

/// Who a refused value comes from.
enum Blame {
    Column(usize),
    Rules(Field, usize),
    Flag(&'static str),
}

impl Blame {
    fn diagnostic(
        &self,
        file: &str,
        table: &Table,
        line: usize,
        message: String,
        expected: String,
    ) -> Diagnostic {
        match self {
            Blame::Column(i) => Diagnostic::error(
                file,
                format!("row {line}, column {}: {message}", table.column_name(*i)),
            )
            .at(&table.source, table.cell_place(line, *i), expected),
            Blame::Rules(field, rule_line) => Diagnostic::error(
                file,
                format!("row {line}: the rules' `set {field}` (line {rule_line}): {message}"),
            )
            .at(&table.source, table.source.line_place(line), expected),
            Blame::Flag(flag) => Diagnostic::error(file, format!("row {line}: {flag}: {message}"))
                .at(&table.source, table.source.line_place(line), expected),
        }
    }
}

// ------------------------------------------------------------ the plan

/// A note of the book, as it is on disk.
#[derive(Debug, Clone)]
pub struct BookNote {
    /// The path relative to the book root, with `/` separators.
    pub rel: String,
    pub slug: String,
    pub bytes: Vec<u8>,
}

/// What the import does to one partner's note.
#[derive(Debug, Clone)]
pub struct PartnerPlan {
    pub slug: String,
    pub rel: String,
    /// The note's name, or the file's spelling for a new note.
    pub name: String,
    /// A note the book does not have yet.
    pub new: bool,
    /// The rows to add, in the order they are added (by date).
    pub add: Vec<Row>,
    /// The rows the book already holds.
    pub present: Vec<Row>,
    /// The note as it is (empty for a new note).
    pub before: Vec<u8>,
    /// The note with the rows added.
    pub after: Vec<u8>,
}

/// What an import would do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The columns no field reads, as messages name them.
    pub ignored: Vec<String>,
    /// Every partner a row names, in the order the file first names them.
    pub partners: Vec<PartnerPlan>,
    pub no_partner: Vec<usize>,
    pub skipped: Vec<usize>,
    /// Rows refused, and notes that cannot take them. When there is any,
    /// nothing may be written.
    pub refused: Vec<Diagnostic>,
}

impl Plan {
    /// The number of referrals to add.
    pub fn added(&self) -> usize {
        self.partners.iter().map(|p| p.add.len()).sum()
    }
}

/// Adds one referral to a note's text and checks the result: the one
/// place the import calls the note editor.
fn add_referral(
    rel: &str,
    slug: &str,
    bytes: &[u8],
    referral: &Referral,
) -> Result<Vec<u8>, crate::note_edit::Refused> {
    crate::log::apply(
        rel,
        slug,
        bytes,
        &crate::log::Entry::Referral(referral.clone()),
    )
    .map(|applied| applied.text.into_bytes())
}

/// A client as compared when deciding whether a row is in the book.
fn client_key(client: &Option<String>) -> Option<String> {
    client.as_ref().map(|c| c.trim().to_lowercase())
}

type Key = (Day, Direction, Option<String>);

fn key(r: &Referral) -> Key {
    (r.date, r.direction, client_key(&r.client))
}

struct Known {
    slug: String,
    rel: String,
    name: Option<String>,
    partner: Option<Partner>,
    bytes: Vec<u8>,
}

/// The notes a partner cell names: by whole name or slug, in any case.
fn matches<'a>(known: &'a [Known], query: &str) -> Vec<&'a Known> {
    let q = query.trim().to_lowercase();
    let q_slug = slugify(query);
    known
        .iter()
        .filter(|k| {
            k.slug == q
                || k.name
                    .as_ref()
                    .is_some_and(|n| n.trim().to_lowercase() == q)
                || (!q_slug.is_empty()
                    && (k.slug == q_slug || k.name.as_ref().is_some_and(|n| slugify(n) == q_slug)))
        })
        .collect()
}

/// Plans the import of a CSV file's text into the book's notes.
///
/// `notes_dir` is the notes folder relative to the book root (where new
/// notes go); `today` dates nothing but a new note with no referral.
pub fn plan(
    file: &str,
    text: &str,
    rules: &Rules,
    options: &Options,
    book: &[BookNote],
    notes_dir: &str,
    today: Day,
) -> Result<Plan, Vec<Diagnostic>> {
    let table = read_table(file, text, rules)?;
    let mapping = map_header(file, &table, rules, options)?;
    let rows = read_rows(file, &table, &mapping, rules, options);
    let mut refused = rows.refused;

    let known: Vec<Known> = book
        .iter()
        .map(|n| {
            let partner = note::parse(&n.rel, &n.slug, &n.bytes).ok();
            Known {
                slug: n.slug.clone(),
                rel: n.rel.clone(),
                name: partner.as_ref().map(|p| p.name.clone()),
                partner,
                bytes: n.bytes.clone(),
            }
        })
        .collect();

    // Each row's partner: a note of the book, or a new one by slug.
    let partner_column = match mapping.fields.get(&Field::Partner) {
        Some(Origin::Columns(c)) => c.first().copied(),
        _ => None,
    };
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, PartnerPlan> = HashMap::new();
    let mut found: HashMap<String, Result<String, String>> = HashMap::new();
    let mut group_rows: HashMap<String, Vec<Row>> = HashMap::new();
    for row in rows.rows {
        let q = row.partner.trim().to_lowercase();
        let slug = found
            .entry(q)
            .or_insert_with(|| {
                let m = matches(&known, &row.partner);
                match m.len() {
                    1 => Ok(m[0].slug.clone()),
                    0 => {
                        let slug = slugify(&row.partner);
                        if slug.is_empty() {
                            Err(format!(
                                "the partner `{}` leaves an empty slug; a note needs a name with letters or digits",
                                row.partner
                            ))
                        } else if slug == RESERVED_SLUG {
                            Err(format!(
                                "a partner cannot be called `{}`: its page would replace the partner list",
                                row.partner
                            ))
                        } else {
                            Ok(slug)
                        }
                    }
                    _ => Err(format!(
                        "the partner `{}` fits more than one note: {}; write the slug to say which",
                        row.partner,
                        m.iter()
                            .map(|k| format!("{} ({})", k.slug, k.rel))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            })
            .clone();
        let slug = match slug {
            Ok(s) => s,
            Err(message) => {
                let blame = partner_column.map_or(Blame::Rules(Field::Partner, 0), Blame::Column);
                refused.push(blame.diagnostic(
                    file,
                    &table,
                    row.line,
                    message,
                    "expected a partner's whole name or slug".into(),
                ));
                continue;
            }
        };
        if !groups.contains_key(&slug) {
            let plan = match known.iter().find(|k| k.slug == slug) {
                Some(k) => PartnerPlan {
                    slug: slug.clone(),
                    rel: k.rel.clone(),
                    name: k.name.clone().unwrap_or_else(|| slug.clone()),
                    new: false,
                    add: Vec::new(),
                    present: Vec::new(),
                    before: k.bytes.clone(),
                    after: k.bytes.clone(),
                },
                None => PartnerPlan {
                    slug: slug.clone(),
                    rel: if notes_dir.is_empty() || notes_dir == "." {
                        format!("{slug}.md")
                    } else {
                        format!("{}/{slug}.md", notes_dir.trim_end_matches('/'))
                    },
                    name: row.partner.trim().to_string(),
                    new: true,
                    add: Vec::new(),
                    present: Vec::new(),
                    before: Vec::new(),
                    after: Vec::new(),
                },
            };
            order.push(slug.clone());
            groups.insert(slug.clone(), plan);
        }
        group_rows.entry(slug).or_default().push(row);
    }

    // What each note already holds, and the edits.
    for slug in &order {
        let plan = groups.get_mut(slug).expect("planned");
        let rows = group_rows.remove(slug).unwrap_or_default();
        let mut in_book: HashMap<Key, usize> = HashMap::new();
        if let Some(p) = known
            .iter()
            .find(|k| k.slug == *slug)
            .and_then(|k| k.partner.as_ref())
        {
            for r in &p.referrals {
                *in_book.entry(key(r)).or_default() += 1;
            }
        }
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for row in rows {
            let k = key(&row.referral);
            let n = seen.entry(k.clone()).or_default();
            *n += 1;
            if *n <= in_book.get(&k).copied().unwrap_or(0) {
                plan.present.push(row);
            } else {
                plan.add.push(row);
            }
        }
        plan.add.sort_by(|a, b| {
            a.referral
                .date
                .cmp(&b.referral.date)
                .then(a.line.cmp(&b.line))
        });
        if plan.add.is_empty() {
            continue;
        }
        let mut bytes = if plan.new {
            let since = plan
                .add
                .iter()
                .map(|r| r.referral.date)
                .min()
                .unwrap_or(today);
            crate::scaffold::NewNote::named(&plan.name)
                .text(since.min(today))
                .into_bytes()
        } else {
            plan.before.clone()
        };
        for row in &plan.add {
            match add_referral(&plan.rel, slug, &bytes, &row.referral) {
                Ok(b) => bytes = b,
                Err(crate::note_edit::Refused::Before(problems)) => {
                    refused.push(Diagnostic::error(
                        &plan.rel,
                        format!(
                            "{} does not check as it is, so rows {} cannot be added to it; fix it first (`rapport check`)",
                            plan.rel,
                            plan.add.iter().map(|r| r.line.to_string()).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    refused.extend(problems);
                    break;
                }
                Err(crate::note_edit::Refused::After(problems)) => {
                    refused.push(Diagnostic::error(
                        file,
                        format!(
                            "row {}: with this referral {} would not check",
                            row.line, plan.rel
                        ),
                    ));
                    refused.extend(problems);
                }
                Err(other) => refused.push(Diagnostic::error(
                    file,
                    format!("row {}: cannot be added to {}: {other}", row.line, plan.rel),
                )),
            }
        }
        plan.after = bytes;
    }
    let partners = order
        .into_iter()
        .map(|s| groups.remove(&s).expect("planned"))
        .collect();
    Ok(Plan {
        ignored: mapping
            .ignored
            .iter()
            .map(|i| table.column_name(*i))
            .collect(),
        partners,
        no_partner: rows.no_partner,
        skipped: rows.skipped,
        refused,
    })
}

#[cfg(test)]
mod tests;

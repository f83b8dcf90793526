//! Rules files: how a CSV layout that does not name its columns in
//! rapport's words becomes referrals. One directive a line, `#` comments:
//!
//! ```text
//! skip 2                           lines before the header row
//! separator ;                      , (default) ; tab |
//! date-format %m/%d/%Y             how the date column is written
//! date = Client Since              a field read from a column (by header, or #3)
//! client = First Name + Last Name  several columns joined with a space
//! set direction received           a fixed value for every row
//! map outcome Closed Won -> won    a cell's value read as another word
//! skip-if Status = Prospect        rows to leave out (also `!=`)
//! ignore Status                    a column that must not map itself
//! ```
//!
//! See `docs/import.md` for the whole syntax with examples.

use crate::diagnostics::{Diagnostic, Source};

/// A field of a referral, or a column that makes part of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Date,
    Partner,
    Direction,
    Client,
    FirstName,
    LastName,
    Type,
    Outcome,
    Value,
    Note,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Date,
        Field::Partner,
        Field::Direction,
        Field::Client,
        Field::FirstName,
        Field::LastName,
        Field::Type,
        Field::Outcome,
        Field::Value,
        Field::Note,
    ];

    /// The field's name in rules files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Partner => "partner",
            Field::Direction => "direction",
            Field::Client => "client",
            Field::FirstName => "first-name",
            Field::LastName => "last-name",
            Field::Type => "type",
            Field::Outcome => "outcome",
            Field::Value => "value",
            Field::Note => "note",
        }
    }

    /// The headers that map themselves to this field (compared as
    /// [`header_key`] does: case, spaces and `_` ignored).
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Date => &["Date", "Referral Date", "Referred On", "Client Since"],
            Field::Partner => &["Partner", "Referral Partner", "Referred By", "Referrer"],
            Field::Direction => &["Direction", "In/Out", "Referral Direction"],
            Field::Client => &["Client", "Client Name"],
            Field::FirstName => &["First Name"],
            Field::LastName => &["Last Name"],
            Field::Type => &["Type", "Referral Type"],
            Field::Outcome => &["Outcome", "Status", "Result"],
            Field::Value => &["Value", "Amount", "Revenue", "Fees"],
            Field::Note => &["Note", "Notes", "Comment", "Comments"],
        }
    }

    /// The field a whole header names by itself, if any.
    pub fn of_header(header: &str) -> Option<Field> {
        let key = header_key(header);
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.synonyms().iter().any(|s| header_key(s) == key))
    }

    fn parse(word: &str) -> Option<Field> {
        let w = word.trim().to_lowercase().replace('_', "-");
        Field::ALL.iter().copied().find(|f| f.as_str() == w)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header as compared: lower-cased, spaces and `_` removed.
pub fn header_key(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A cell's word as compared with the words rapport knows and with the
/// rules' maps: lower-cased, trimmed, every run of spaces, `_` and `-`
/// made one space (`Net_New`, `net-new` and `net new` are the same).
pub fn word_key(value: &str) -> String {
    let lower = value.trim().to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut gap = false;
    for c in lower.chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// A column named in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// By its header (compared as [`header_key`] does); the text as written.
    Header(String),
    /// By its place, 1-based (`#3`).
    Number(usize),
}

impl Column {
    fn parse(text: &str) -> Option<Column> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Some(n) = text.strip_prefix('#') {
            if let Ok(n) = n.trim().parse::<usize>() {
                if n >= 1 {
                    return Some(Column::Number(n));
                }
            }
            return None;
        }
        Some(Column::Header(unquote(text).to_string()))
    }

    /// The 0-based index of this column in `header`.
    pub fn find(&self, header: &[String]) -> Option<usize> {
        match self {
            Column::Number(n) => (*n <= header.len()).then(|| n - 1),
            Column::Header(h) => {
                let key = header_key(h);
                header.iter().position(|x| header_key(x) == key)
            }
        }
    }
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Column::Header(h) => write!(f, "`{h}`"),
            Column::Number(n) => write!(f, "#{n}"),
        }
    }
}

/// `"text"` or `'text'` without its quotes; other text as it is.
fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

/// A rule that leaves rows out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub column: Column,
    /// `=` (the row is left out when the cell is the value) or `!=` (when
    /// it is not).
    pub equals: bool,
    /// Compared as [`word_key`] does.
    pub value: String,
    pub line: usize,
}

/// A parsed rules file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Where the rules came from, for messages.
    pub file: String,
    /// Lines before the header row.
    pub skip_lines: usize,
    pub separator: Option<u8>,
    pub date_format: Option<(String, usize)>,
    /// A field read from columns (joined with a space), with the line.
    pub columns: Vec<(Field, Vec<Column>, usize)>,
    /// A field with one value for every row, with the line.
    pub fixed: Vec<(Field, String, usize)>,
    /// Values read as other words: field, value (as [`word_key`]), word.
    pub maps: Vec<(Field, String, String)>,
    pub skips: Vec<Skip>,
    /// Columns that must not map themselves.
    pub ignore: Vec<(Column, usize)>,
}

const DIRECTIVES: &[&str] = &[
    "skip",
    "separator",
    "date-format",
    "set",
    "map",
    "skip-if",
    "ignore",
];

impl Rules {
    /// Reads a rules file; every problem is reported, each at its line.
    pub fn parse(file: &str, text: &str) -> Result<Rules, Vec<Diagnostic>> {
        let source = Source::new(text);
        let mut rules = Rules {
            file: file.to_string(),
            ..Rules::default()
        };
        let mut problems = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            let mut bad = |message: String, expected: &str| {
                let place = source.line_place(n);
                problems.push(Diagnostic::error(file, message).at(&source, place, expected));
            };
            let (head, rest) = match line.find(char::is_whitespace) {
                Some(at) => (&line[..at], line[at..].trim()),
                None => (line, ""),
            };
            let head_lower = head.to_lowercase();
            // `FIELD = COLUMN [+ COLUMN]`
            if let Some(eq) = line.find('=') {
                let left = line[..eq].trim();
                if let Some(field) = Field::parse(left) {
                    if !line[eq..].starts_with("==") {
                        let cols: Vec<Option<Column>> =
                            line[eq + 1..].split(" + ").map(Column::parse).collect();
                        if cols.iter().any(Option::is_none) {
                            bad(
                                format!("`{field} =` needs a column"),
                                "expected a header (as in the file) or a column number like #3",
                            );
                        } else {
                            rules
                                .columns
                                .push((field, cols.into_iter().flatten().collect(), n));
                        }
                        continue;
                    }
                }
            }
            match head_lower.as_str() {
                "skip" => match rest.parse::<usize>() {
                    Ok(k) if rest.chars().all(|c| c.is_ascii_digit()) => rules.skip_lines = k,
                    _ => bad(
                        format!("`skip` takes a number of lines, not `{rest}`"),
                        "expected `skip N`: the lines before the header row",
                    ),
                },
                "separator" => match rest.to_lowercase().as_str() {
                    "," | "comma" => rules.separator = Some(b','),
                    ";" | "semicolon" => rules.separator = Some(b';'),
                    "tab" | "\\t" => rules.separator = Some(b'\t'),
                    "|" | "pipe" => rules.separator = Some(b'|'),
                    _ => bad(
                        format!("unknown separator `{rest}`"),
                        "expected , ; tab or |",
                    ),
                },
                "date-format" => {
                    if rest.is_empty() {
                        bad(
                            "`date-format` needs a format".into(),
                            "expected a strftime format like %m/%d/%Y",
                        );
                    } else if let Err(e) = check_date_format(unquote(rest)) {
                        bad(e, "expected a strftime format like %m/%d/%Y");
                    } else {
                        rules.date_format = Some((unquote(rest).to_string(), n));
                    }
                }
                "set" => {
                    let (f, value) = match rest.find(char::is_whitespace) {
                        Some(at) => (&rest[..at], rest[at..].trim()),
                        None => (rest, ""),
                    };
                    match Field::parse(f) {
                        Some(Field::FirstName | Field::LastName) | None => bad(
                            format!("`set` needs a field, not `{f}`"),
                            &format!("expected `set FIELD VALUE`, FIELD one of {}", field_list()),
                        ),
                        Some(field) => rules.fixed.push((field, unquote(value).to_string(), n)),
                    }
                }
                "map" => {
                    let (f, spec) = match rest.find(char::is_whitespace) {
                        Some(at) => (&rest[..at], rest[at..].trim()),
                        None => (rest, ""),
                    };
                    let field = Field::parse(f);
                    match (field, spec.split_once("->")) {
                        (Some(field), Some((from, to))) if !unquote(to).trim().is_empty() => {
                            rules.maps.push((
                                field,
                                word_key(unquote(from)),
                                unquote(to).trim().to_string(),
                            ))
                        }
                        _ => bad(
                            "a value map reads `map FIELD VALUE -> WORD`".into(),
                            "expected for example `map outcome Closed Won -> won`",
                        ),
                    }
                }
                "skip-if" => {
                    let parsed = if let Some((c, v)) = rest.split_once("!=") {
                        Some((c, v, false))
                    } else {
                        rest.split_once('=').map(|(c, v)| (c, v, true))
                    };
                    match parsed.and_then(|(c, v, eq)| Column::parse(c).map(|c| (c, v, eq))) {
                        Some((column, value, equals)) => rules.skips.push(Skip {
                            column,
                            equals,
                            value: word_key(unquote(value)),
                            line: n,
                        }),
                        None => bad(
                            "a skip rule reads `skip-if COLUMN = VALUE` or `skip-if COLUMN != VALUE`"
                                .into(),
                            "expected for example `skip-if Status = Prospect`",
                        ),
                    }
                }
                "ignore" => match Column::parse(rest) {
                    Some(c) => rules.ignore.push((c, n)),
                    None => bad("`ignore` needs a column".into(), "expected `ignore COLUMN`"),
                },
                _ => {
                    let mut d = Diagnostic::error(file, format!("unknown rule `{head}`")).at(
                        &source,
                        source.place(
                            n,
                            raw.len() - raw.trim_start().len() + 1,
                            head.chars().count(),
                        ),
                        format!(
                            "expected FIELD = COLUMN, or one of {}",
                            DIRECTIVES.join(", ")
                        ),
                    );
                    let names = DIRECTIVES
                        .iter()
                        .copied()
                        .chain(Field::ALL.iter().map(|f| f.as_str()));
                    if let Some(m) = crate::diagnostics::did_you_mean(head, names) {
                        d = d.with_help(format!("did you mean `{m}`?"));
                    }
                    problems.push(d);
                }
            }
        }
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(problems)
        }
    }

    /// The word `value` reads as for `field`, after the maps.
    pub fn mapped<'a>(&'a self, field: Field, value: &'a str) -> &'a str {
        let key = word_key(value);
        self.maps
            .iter()
            .find(|(f, from, _)| *f == field && *from == key)
            .map_or(value, |(_, _, to)| to.as_str())
    }
}

fn field_list() -> String {
    Field::ALL
        .iter()
        .filter(|f| !matches!(f, Field::FirstName | Field::LastName))
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A line without its `#` comment: a `#` at the start or after a space
/// (`#3`, a column number, follows `=` or a space too, so a comment must
/// be `# ` with a space, or the `#` must start the line).
fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') {
        return "";
    }
    match line.find(" # ") {
        Some(at) => &line[..at],
        None => match line.strip_suffix(" #") {
            Some(s) => s,
            None => line,
        },
    }
}

/// Whether a strftime format can read a date: it must say the year, the
/// month (or the day of the year) and the day.
pub fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(format!("`{format}` is not a strftime format"));
    }
    let has = |specs: &[&str]| specs.iter().any(|s| format.contains(s));
    if !has(&["%Y", "%y", "%F", "%D", "%x", "%G"]) {
        return Err(format!("the date format `{format}` has no year (%Y or %y)"));
    }
    Ok(())
}

/// The rules shipped with rapport, by name (`--rules contacts`).
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "contacts",
        "a CRM contacts export with `Referred By` and `Client Since`",
        include_str!("../../docs/import/contacts.rules"),
    ),
    (
        "referral-report",
        "a CRM referral report (Date Referred, Partner Name, Inbound/Outbound, Stage)",
        include_str!("../../docs/import/referral-report.rules"),
    ),
];

/// The text of the built-in rules called `name`.
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _, _)| *n == name.trim().to_lowercase())
        .map(|(_, _, text)| *text)
}

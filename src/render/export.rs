//! The data files: `data/partners.json` (the numbers of every partner) and
//! `data/referrals.csv` (every referral, one row each).

use serde::Serialize;

use crate::analysis::{Report, Window};
use crate::book::{Day, Partner};

/// A number as JSON: whole values without a fractional part.
fn number(x: f64) -> serde_json::Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        serde_json::Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

#[derive(Serialize)]
struct CriteriaFlags {
    track_record: bool,
    two_way: bool,
    mutual_interest: bool,
    shared_ideal_clients: bool,
    net_new: bool,
    active: bool,
}

#[derive(Serialize)]
struct CriteriaEvidence<'a> {
    track_record: &'a str,
    two_way: &'a str,
    mutual_interest: &'a str,
    shared_ideal_clients: &'a str,
    net_new: &'a str,
    active: &'a str,
}

#[derive(Serialize)]
struct ReadinessEntry<'a> {
    score: u32,
    stage: &'static str,
    reason: &'a str,
    next_action: &'a str,
    criteria: CriteriaFlags,
    evidence: CriteriaEvidence<'a>,
}

#[derive(Serialize)]
struct NextStepEntry<'a> {
    date: Day,
    action: &'a str,
    overdue_days: Option<i64>,
}

#[derive(Serialize)]
struct PartnerEntry<'a> {
    slug: &'a str,
    name: &'a str,
    profession: Option<&'a str>,
    role: &'static str,
    given: u32,
    received: u32,
    given_value: serde_json::Value,
    received_value: serde_json::Value,
    net_new_given: u32,
    net_new_received: u32,
    received_won_value: serde_json::Value,
    conversion: Option<f64>,
    to_thank: u32,
    balance: Option<serde_json::Value>,
    reciprocity: &'static str,
    one_way: bool,
    last_contact: Option<Day>,
    contact_due: Option<Day>,
    contact_overdue_days: Option<i64>,
    next_step: Option<NextStepEntry<'a>>,
    readiness: ReadinessEntry<'a>,
}

/// `data/partners.json`: one object per partner, in the order given (slug
/// order), the keys in the order of FORMAT §5, the balance rounded to three
/// decimals, and an `evidence` object beside `criteria`.
pub fn partners_json(partners: &[(&Partner, &Report)]) -> String {
    let entries: Vec<PartnerEntry> = partners.iter().map(|(p, r)| entry(p, r)).collect();
    let mut out = serde_json::to_string_pretty(&entries).expect("plain data serializes");
    out.push('\n');
    out
}

/// [`partners_json`] handed to `put` a piece at a time (of 64 KiB, the
/// last shorter) as it is written, never whole in memory.
pub fn write_partners_json(
    partners: &[(&Partner, &Report)],
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use serde::Serializer;
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, Put(put));
    // Each entry made as it is written: the same bytes as a list of them.
    let mut json = serde_json::Serializer::pretty(&mut w);
    json.collect_seq(partners.iter().map(|(p, r)| entry(p, r)))
        .map_err(std::io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// A writer that hands each piece written to a function.
pub(super) struct Put<'a>(pub(super) &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>);

impl std::io::Write for Put<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One partner's object as `data/partners.json` holds it, indented as an
/// entry of its list: [`join_json`] makes the file of such objects, the
/// same as [`partners_json`].
pub fn partner_json(p: &Partner, r: &Report) -> String {
    let one = serde_json::to_string_pretty(&entry(p, r)).expect("plain data serializes");
    // Text in JSON holds no line break (it is escaped): every line break
    // is the layout's, and each line moves one level in.
    format!("  {}", one.replace('\n', "\n  "))
}

/// `data/partners.json` from the objects [`partner_json`] gives, in order.
pub fn join_json<S: AsRef<str>>(objects: &[S]) -> String {
    if objects.is_empty() {
        return "[]\n".into();
    }
    let size: usize = objects.iter().map(|o| o.as_ref().len() + 2).sum();
    let mut out = String::with_capacity(size + 4);
    out.push_str("[\n");
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(o.as_ref());
    }
    out.push_str("\n]\n");
    out
}

fn entry<'a>(p: &'a Partner, r: &'a Report) -> PartnerEntry<'a> {
    let c = &r.readiness.criteria;
    PartnerEntry {
        slug: &p.slug,
        name: &p.name,
        profession: p.profession.as_deref(),
        role: p.role.as_str(),
        given: r.flow.given,
        received: r.flow.received,
        given_value: number(r.flow.given_value),
        received_value: number(r.flow.received_value),
        net_new_given: r.flow.net_new_given,
        net_new_received: r.flow.net_new_received,
        received_won_value: number(r.flow.received_won_value),
        conversion: r.flow.conversion,
        to_thank: r.flow.to_thank,
        balance: r
            .flow
            .balance
            .map(|b| number((b * 1000.0).round() / 1000.0)),
        reciprocity: r.flow.reciprocity.as_str(),
        one_way: r.one_way,
        last_contact: r.contact.last_contact,
        contact_due: r.contact.due,
        contact_overdue_days: r.contact.overdue_days,
        next_step: p.next_step.as_ref().map(|s| NextStepEntry {
            date: s.date,
            action: &s.action,
            overdue_days: r.contact.next_step_overdue_days,
        }),
        readiness: ReadinessEntry {
            score: r.readiness.score,
            stage: r.readiness.stage.as_str(),
            reason: &r.readiness.reason,
            next_action: &r.readiness.next_action,
            criteria: CriteriaFlags {
                track_record: c.track_record.met,
                two_way: c.two_way.met,
                mutual_interest: c.mutual_interest.met,
                shared_ideal_clients: c.shared_ideal_clients.met,
                net_new: c.net_new.met,
                active: c.active.met,
            },
            evidence: CriteriaEvidence {
                track_record: &c.track_record.evidence,
                two_way: &c.two_way.evidence,
                mutual_interest: &c.mutual_interest.evidence,
                shared_ideal_clients: &c.shared_ideal_clients.evidence,
                net_new: &c.net_new.evidence,
                active: &c.active.evidence,
            },
        },
    }
}

/// `data/referrals.csv`: every referral of every partner, sorted by slug
/// then date, with whether it falls in the window. With `redact`, the
/// client column stays empty.
///
/// Every text field is quoted, and one that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// gets a leading `'`, as OWASP's advice on CSV injection says. The `value`
/// column is a number the note's YAML parsed, never free text: it stays a
/// bare number, `-250` included, so that spreadsheets can add it up.
pub fn referrals_csv(partners: &[&Partner], window: Window, redact: bool) -> Vec<u8> {
    let mut w = csv_with_header();
    for p in partners {
        csv_rows(&mut w, p, window, redact).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// [`referrals_csv`] of a site that is not redacted, handed to `put` a
/// piece at a time, so that the file is never whole in memory.
pub fn write_referrals_csv(
    partners: &[(&Partner, &Report)],
    window: Window,
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut w = csv_builder().from_writer(Put(put));
    w.write_record(CSV_HEADER).map_err(std::io::Error::other)?;
    for (p, _) in partners {
        csv_rows(&mut w, p, window, false).map_err(std::io::Error::other)?;
    }
    w.flush()
}

/// `data/referrals.csv` from the lines [`partner_csv`] gives for each
/// partner, in order.
pub fn join_csv(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = csv_with_header().into_inner().expect("writing to memory");
    out.reserve(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// One partner's lines of `data/referrals.csv`: [`join_csv`] makes of
/// those of every partner the file [`referrals_csv`] writes.
pub fn partner_csv(p: &Partner, window: Window, redact: bool) -> Vec<u8> {
    let mut w = csv_writer();
    csv_rows(&mut w, p, window, redact).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

fn csv_builder() -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    b.quote_style(csv::QuoteStyle::NonNumeric);
    b
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv_builder().from_writer(Vec::new())
}

/// A writer of `data/referrals.csv` with its header line written.
fn csv_with_header() -> csv::Writer<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record(CSV_HEADER).expect("writing to memory");
    w
}

const CSV_HEADER: [&str; 10] = [
    "slug",
    "partner",
    "date",
    "direction",
    "type",
    "outcome",
    "value",
    "client",
    "note",
    "in_window",
];

/// One partner's referrals as lines of `data/referrals.csv`, by date.
fn csv_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    p: &Partner,
    window: Window,
    redact: bool,
) -> csv::Result<()> {
    let mut refs: Vec<_> = p.referrals.iter().collect();
    refs.sort_by_key(|r| r.date);
    for r in refs {
        let value = r.value.map(|v| number(v).to_string()).unwrap_or_default();
        let client = if redact {
            ""
        } else {
            r.client.as_deref().unwrap_or("")
        };
        w.write_record(
            [
                inert(&p.slug),
                inert(&p.name),
                inert(&r.date.to_string()),
                inert(r.direction.as_str()),
                inert(r.kind.as_str()),
                inert(r.outcome().as_str()),
                value.into(),
                inert(client),
                inert(r.note.as_deref().unwrap_or("")),
                if window.contains(r.date) {
                    "true".into()
                } else {
                    "false".into()
                },
            ]
            .iter()
            .map(|f| f.as_bytes()),
        )?;
    }
    Ok(())
}

/// A text field a spreadsheet shows as text: one starting with a character
/// that would make it a formula gets a leading `'`.
fn inert(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::book::Day;

    fn text(note: &str) -> String {
        let today = Day::parse("2026-11-01").unwrap();
        let settings = crate::book::settings::parse(b"", today).unwrap();
        let p =
            crate::read::note::parse("partners/jane-doe.md", "jane-doe", note.as_bytes()).unwrap();
        let r = analyse(&p, &settings);
        partners_json(&[(&p, &r)])
    }

    fn entry(note: &str) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&text(note)).unwrap();
        v[0].clone()
    }

    /// The keys written at one depth of the pretty-printed file, in order.
    fn keys(json: &str, depth: usize) -> Vec<&str> {
        let indent = " ".repeat(2 * depth);
        json.lines()
            .filter_map(|l| l.strip_prefix(indent.as_str()))
            .filter_map(|l| l.strip_prefix('"'))
            .filter_map(|l| l.split_once("\":").map(|(k, _)| k))
            .collect()
    }

    #[test]
    fn the_data_files_joined_from_each_partners_part_are_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let today = Day::parse("2026-11-01").unwrap();
        let settings = crate::book::settings::parse(b"", today).unwrap();
        let mut partners = Vec::new();
        for e in walkdir::WalkDir::new(root.join("partners")).sort_by_file_name() {
            let e = e.unwrap();
            if e.path().extension().is_some_and(|x| x == "md") {
                let bytes = std::fs::read(e.path()).unwrap();
                let slug = e.path().file_stem().unwrap().to_string_lossy().to_string();
                partners.push(crate::read::note::parse("partners/x.md", &slug, &bytes).unwrap());
            }
        }
        assert!(partners.len() > 10);
        let reports: Vec<_> = partners.iter().map(|p| analyse(p, &settings)).collect();
        let pairs: Vec<_> = partners.iter().zip(&reports).collect();
        let window = Window::new(today, 24);
        for take in [0, 1, pairs.len()] {
            let pairs = &pairs[..take];
            let objects: Vec<String> = pairs.iter().map(|(p, r)| partner_json(p, r)).collect();
            assert_eq!(join_json(&objects), partners_json(pairs));
            for redact in [false, true] {
                let parts: Vec<Vec<u8>> = pairs
                    .iter()
                    .map(|(p, _)| partner_csv(p, window, redact))
                    .collect();
                let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                let all: Vec<&Partner> = pairs.iter().map(|(p, _)| *p).collect();
                assert_eq!(join_csv(&parts), referrals_csv(&all, window, redact));
            }
        }
    }

    #[test]
    fn keys_follow_the_v3_schema_in_order() {
        let note = "---\nname: Jane Doe\nprofession: CPA\nreferrals:\n  - date: 2026-09-14\n    direction: received\n    type: net-new\n    value: 9000\n    outcome: won\nnext_step:\n  date: 2026-10-15\n  action: Send the recap\n---\n";
        let json = text(note);
        let e = entry(note);
        assert_eq!(
            keys(&json, 2),
            [
                "slug",
                "name",
                "profession",
                "role",
                "given",
                "received",
                "given_value",
                "received_value",
                "net_new_given",
                "net_new_received",
                "received_won_value",
                "conversion",
                "to_thank",
                "balance",
                "reciprocity",
                "one_way",
                "last_contact",
                "contact_due",
                "contact_overdue_days",
                "next_step",
                "readiness"
            ]
        );
        assert_eq!(
            keys(&json, 3),
            [
                "date",
                "action",
                "overdue_days",
                "score",
                "stage",
                "reason",
                "next_action",
                "criteria",
                "evidence"
            ],
            "next_step's keys, then readiness's"
        );
        let criteria = [
            "track_record",
            "two_way",
            "mutual_interest",
            "shared_ideal_clients",
            "net_new",
            "active",
        ];
        assert_eq!(keys(&json, 4), [criteria, criteria].concat());
        // 2026-09-14 + 180 days (an expert provider's cadence).
        assert_eq!(e["last_contact"], "2026-09-14");
        assert_eq!(e["contact_due"], "2027-03-13");
        assert_eq!(e["contact_overdue_days"], serde_json::Value::Null);
        assert_eq!(
            e["next_step"],
            serde_json::json!({"date": "2026-10-15", "action": "Send the recap", "overdue_days": 17})
        );
        assert_eq!(
            (e["net_new_given"].clone(), e["net_new_received"].clone()),
            (0.into(), 1.into())
        );
        assert_eq!(e["received_value"], 9000);
        assert_eq!(e["received_won_value"], 9000);
        assert_eq!(json.matches("\"conversion\": 1.0,").count(), 1, "{json}");
        // Received on 2026-09-14, more than 30 days before 2026-11-01.
        assert_eq!(e["to_thank"], 0);
        assert_eq!(e["reciprocity"], "one-way-received");
        assert_eq!(e["one_way"], true);
    }

    #[test]
    fn no_next_step_is_null_and_no_contact_is_due_on_as_of() {
        let e = entry("---\nname: Jane Doe\nsince: 2026-10-01\n---\n");
        assert_eq!(e["next_step"], serde_json::Value::Null);
        assert_eq!(e["last_contact"], serde_json::Value::Null);
        assert_eq!(e["contact_due"], "2026-11-01");
        assert_eq!(e["contact_overdue_days"], 0);
        assert_eq!(e["profession"], serde_json::Value::Null);
        assert_eq!(e["balance"], serde_json::Value::Null);
        let e = entry("---\nname: Jane Doe\nrole: inactive\n---\n");
        assert_eq!(e["contact_due"], serde_json::Value::Null);
        assert_eq!(e["readiness"]["stage"], "dormant");
        assert_eq!(
            e["readiness"]["reason"],
            "Dormant: the role is inactive, kept for the record"
        );
    }

    #[test]
    fn a_field_a_spreadsheet_would_run_is_quoted_text() {
        let note = concat!(
            "---\nname: \"=HYPERLINK(\\\"http://x.example\\\")\"\nreferrals:\n",
            "  - {date: 2026-01-05, direction: received, client: \"@SUM(A1)\", note: \"+1+1\", value: -250}\n",
            "  - {date: 2026-01-06, direction: given, client: \"-2+3\", note: \"\\tcmd\"}\n",
            "  - {date: 2026-01-07, direction: given, client: \"\\rx\", note: Plain words, value: 4500}\n",
            "---\n"
        );
        let p = crate::read::note::parse("partners/x.md", "x", note.as_bytes()).unwrap();
        let today = Day::parse("2026-11-01").unwrap();
        let csv = referrals_csv(&[&p], Window::new(today, 24), false);
        let text = String::from_utf8(csv.clone()).unwrap();
        // What a spreadsheet reads: every risky cell starts with a quote.
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                if i != 6 {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{cell:?}"
                    );
                }
            }
        }
        assert_eq!(&rows[0][1], "'=HYPERLINK(\"http://x.example\")");
        assert_eq!(&rows[0][7], "'@SUM(A1)");
        assert_eq!(&rows[0][8], "'+1+1");
        assert_eq!(&rows[1][7], "'-2+3");
        assert_eq!(&rows[1][8], "'\tcmd");
        assert_eq!(&rows[2][7], "'\rx");
        assert_eq!(&rows[2][8], "Plain words");
        // The neutralised fields stay quoted; the value column is a number.
        assert!(text.contains("\"'@SUM(A1)\",\"'+1+1\""), "{text}");
        assert!(text.contains(",-250,"), "{text}");
        assert!(text.contains(",4500,"), "{text}");
    }
}

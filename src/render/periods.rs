//! The periods on the site: `data/periods.json` and the compact
//! comparison the dashboard, the reciprocity report and each partner page
//! show (`templates/periods.html`).

use serde::{Serialize, Serializer};

use crate::analysis::periods::{Compared, PeriodSums, Span, Spans, Sums};
use crate::book::Day;

use super::views::money;

/// The data file's path in the site.
pub const FILE: &str = "data/periods.json";

/// A sum of values as JSON: whole values without a fractional part.
fn value<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}

#[derive(Serialize)]
struct SpanJson {
    from: String,
    to: String,
    given: u32,
    received: u32,
    net_new_given: u32,
    net_new_received: u32,
    #[serde(serialize_with = "value")]
    given_value: f64,
    #[serde(serialize_with = "value")]
    received_value: f64,
    #[serde(serialize_with = "value")]
    received_won_value: f64,
}

impl SpanJson {
    fn of(span: Span, s: &Sums) -> SpanJson {
        SpanJson {
            from: span.from.to_string(),
            to: span.to.to_string(),
            given: s.given,
            received: s.received,
            net_new_given: s.net_new_given,
            net_new_received: s.net_new_received,
            given_value: s.given_value,
            received_value: s.received_value,
            received_won_value: s.received_won_value,
        }
    }
}

#[derive(Serialize)]
struct PeriodsJson {
    as_of: String,
    quarter: Compared<SpanJson>,
    year: Compared<SpanJson>,
}

/// `data/periods.json`: the four spans with their sums, keys in the order
/// of the format.
pub fn periods_json(as_of: Day, spans: &Spans, sums: &PeriodSums) -> String {
    let pair = |sp: &Compared<Span>, su: &Compared<Sums>| Compared {
        current: SpanJson::of(sp.current, &su.current),
        previous: SpanJson::of(sp.previous, &su.previous),
    };
    let json = PeriodsJson {
        as_of: as_of.to_string(),
        quarter: pair(&spans.quarter, &sums.quarter),
        year: pair(&spans.year, &sums.year),
    };
    let mut text = serde_json::to_string_pretty(&json).expect("plain data serialises");
    text.push('\n');
    text
}

/// One line of a comparison: the figure now, before and the change.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub label: &'static str,
    pub current: String,
    pub previous: String,
    /// "+2", "−1", "0", "+USD 1,200".
    pub change: String,
    /// `up`, `down` or `same`, for the change's colour.
    pub trend: &'static str,
}

/// One comparison, for people.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// "Quarter" or "Year".
    pub what: &'static str,
    pub current_from: String,
    pub current_to: String,
    pub previous_from: String,
    pub previous_to: String,
    /// The current period still has days after `as_of`.
    pub partial: bool,
    pub days: i64,
    pub lines: Vec<Line>,
}

/// Both comparisons, as the periods block shows them.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodsView {
    pub comparisons: Vec<Comparison>,
    /// Whose referrals: "every partner" or the partner's name.
    pub whose: String,
}

fn trend(now: f64, before: f64) -> &'static str {
    if now > before {
        "up"
    } else if now < before {
        "down"
    } else {
        "same"
    }
}

/// A signed change written plainly, with a true minus sign.
fn signed(text: String, now: f64, before: f64) -> String {
    match trend(now, before) {
        "up" => format!("+{text}"),
        "down" => format!("\u{2212}{}", text.trim_start_matches('-')),
        _ => "0".to_string(),
    }
}

fn count_line(label: &'static str, now: u32, before: u32) -> Line {
    let diff = i64::from(now) - i64::from(before);
    Line {
        label,
        current: now.to_string(),
        previous: before.to_string(),
        change: signed(diff.abs().to_string(), f64::from(now), f64::from(before)),
        trend: trend(f64::from(now), f64::from(before)),
    }
}

fn value_line(label: &'static str, now: f64, before: f64, currency: Option<&str>) -> Line {
    Line {
        label,
        current: money(now, currency),
        previous: money(before, currency),
        change: signed(money((now - before).abs(), currency), now, before),
        trend: trend(now, before),
    }
}

fn comparison(
    what: &'static str,
    spans: &Compared<Span>,
    sums: &Compared<Sums>,
    partial: bool,
    currency: Option<&str>,
) -> Comparison {
    let (c, p) = (&sums.current, &sums.previous);
    Comparison {
        what,
        current_from: spans.current.from.to_string(),
        current_to: spans.current.to.to_string(),
        previous_from: spans.previous.from.to_string(),
        previous_to: spans.previous.to.to_string(),
        partial,
        days: spans.current.days(),
        lines: vec![
            count_line("Given", c.given, p.given),
            count_line("Received", c.received, p.received),
            count_line("Net-new given", c.net_new_given, p.net_new_given),
            count_line("Net-new received", c.net_new_received, p.net_new_received),
            value_line(
                "Won value",
                c.received_won_value,
                p.received_won_value,
                currency,
            ),
        ],
    }
}

impl PeriodsView {
    pub fn new(spans: &Spans, sums: &PeriodSums, currency: Option<&str>, whose: &str) -> Self {
        PeriodsView {
            comparisons: vec![
                comparison(
                    "Quarter",
                    &spans.quarter,
                    &sums.quarter,
                    spans.quarter_partial,
                    currency,
                ),
                comparison(
                    "Year",
                    &spans.year,
                    &sums.year,
                    spans.year_partial,
                    currency,
                ),
            ],
            whose: whose.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::periods::book_sums;

    #[test]
    fn the_json_keys_follow_the_format_in_order() {
        let as_of = Day::parse("2026-11-01").unwrap();
        let spans = Spans::new(as_of, 1);
        let p = crate::read::note::parse(
            "partners/a.md",
            "a",
            b"---\nname: A\nreferrals:\n  - {date: 2026-10-02, direction: received, outcome: won, value: 12.5}\n---\n",
        )
        .unwrap();
        let sums = book_sums([&p], &spans);
        let text = periods_json(as_of, &spans, &sums);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["quarter"]["current"]["received_won_value"], 12.5);
        assert_eq!(v["quarter"]["previous"]["given_value"], 0);
        let order = [
            "\"as_of\"",
            "\"quarter\"",
            "\"current\"",
            "\"from\"",
            "\"to\"",
            "\"given\"",
            "\"received\"",
            "\"net_new_given\"",
            "\"net_new_received\"",
            "\"given_value\"",
            "\"received_value\"",
            "\"received_won_value\"",
            "\"previous\"",
            "\"year\"",
        ];
        let mut at = 0;
        for key in order {
            let found = text[at..]
                .find(key)
                .unwrap_or_else(|| panic!("{key} after {at}"));
            at += found;
        }
        let view = PeriodsView::new(&spans, &sums, Some("$"), "every partner");
        let q = &view.comparisons[0];
        assert_eq!(q.lines[1].change, "+1");
        assert_eq!(q.lines[4].change, "+$12.50");
        assert_eq!(q.lines[0].change, "0");
        assert!(q.partial);
        assert_eq!(count_line("x", 1, 3).change, "\u{2212}2");
    }
}

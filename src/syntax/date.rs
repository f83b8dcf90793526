//! Calendar days as notes and settings write them (`YYYY-MM-DD`), and
//! what is wrong with a date that does not read.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::syntax::text;

/// A calendar day written `YYYY-MM-DD` in notes and settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl Day {
    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        let number = |from: usize, to: usize| {
            b[from..to]
                .iter()
                .fold(0u32, |n, c| n * 10 + u32::from(c - b'0'))
        };
        NaiveDate::from_ymd_opt(number(0, 4) as i32, number(5, 7), number(8, 10)).map(Day)
    }
}

/// What is wrong with a date that did not read, in words, and a
/// suggestion: `2026-11-31` is in the right form but November has 30 days;
/// `10/11/2026` is read two ways around the world.
pub fn date_problem(raw: &str) -> (String, Vec<String>) {
    use chrono::Datelike;
    let raw = raw.trim();
    let month_name = |m: u32| {
        NaiveDate::from_ymd_opt(2000, m, 1).map_or(String::new(), |d| d.format("%B").to_string())
    };
    let iso = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d).map(|date| format!("{}", date.format("%Y-%m-%d")))
    };
    let b = raw.as_bytes();
    let iso_shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if iso_shape {
        let y: i32 = raw[..4].parse().unwrap_or(0);
        let m: u32 = raw[5..7].parse().unwrap_or(0);
        if !(1..=12).contains(&m) {
            return (
                format!("there is no month {m}"),
                vec!["the month comes second: YYYY-MM-DD".into()],
            );
        }
        let first = NaiveDate::from_ymd_opt(y, m, 1);
        let days = first.map_or(31, |f| {
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)
            };
            next.map_or(31, |n| n.signed_duration_since(f).num_days() as u32)
        });
        let last = first
            .and_then(|f| f.with_day(days))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        return (
            format!("{} {y} has {days} days", month_name(m)),
            vec![format!("the last day of that month is {last}")],
        );
    }
    // Day and month in another order: 10/11/2026, 10.11.2026, 10-11-2026.
    let parts: Vec<&str> = raw.split(['/', '.', '-']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[2].len() == 4
        && parts[0].len() <= 2
        && parts[1].len() <= 2
    {
        let y: i32 = parts[2].parse().unwrap_or(0);
        let a: u32 = parts[0].parse().unwrap_or(0);
        let b: u32 = parts[1].parse().unwrap_or(0);
        let readings: Vec<String> =
            [iso(y, b, a), iso(y, a, b)]
                .into_iter()
                .flatten()
                .fold(Vec::new(), |mut v, d| {
                    if !v.contains(&d) {
                        v.push(d);
                    }
                    v
                });
        let help = match readings.as_slice() {
            [one] => vec![format!("write it as {one}")],
            [first, second] => vec![format!(
                "it is ambiguous: write {first} for {} {}, or {second} for {} {}",
                a,
                month_name(b),
                b,
                month_name(a)
            )],
            _ => vec!["write it as YYYY-MM-DD, like 2026-11-01".into()],
        };
        return (format!("`{raw}` is not in the form YYYY-MM-DD"), help);
    }
    (format!("found `{raw}`"), Vec::new())
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike;
        let d = self.0;
        if (0..=9999).contains(&d.year()) {
            write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        } else {
            write!(f, "{}", d.format("%Y-%m-%d"))
        }
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let raw = text::scalar(d, "a date as YYYY-MM-DD")?;
        Day::parse(raw.trim()).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a date as YYYY-MM-DD, found `{raw}`"))
        })
    }
}

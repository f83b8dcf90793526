//! The periods: this quarter so far against the same span of the previous
//! quarter, and this year so far against the same span of last year, with
//! years starting on the first day of the book's `fiscal_year_start`
//! month. Unlike the window's numbers, these count every referral in the
//! spans, whatever the window. Pure functions over the book model.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::book::{Day, Direction, Outcome, Partner, ReferralType};

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: Day,
    pub to: Day,
}

impl Span {
    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && day <= self.to
    }

    /// How many days it holds.
    pub fn days(&self) -> i64 {
        (self.to.0 - self.from.0).num_days() + 1
    }
}

/// A span so far and the comparable span before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compared<T> {
    pub current: T,
    pub previous: T,
}

/// The two comparisons of the periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spans {
    pub quarter: Compared<Span>,
    pub year: Compared<Span>,
    /// Whether the quarter (the year) still has days after `as_of`.
    pub quarter_partial: bool,
    pub year_partial: bool,
}

/// The first day of the year (starting in month `fy_start`, 1-12) that
/// holds `day`.
pub fn year_start(day: Day, fy_start: u32) -> Day {
    let fy = fy_start.clamp(1, 12);
    let year = if day.0.month() >= fy {
        day.0.year()
    } else {
        day.0.year() - 1
    };
    Day(NaiveDate::from_ymd_opt(year, fy, 1).expect("the first of a month exists"))
}

/// The first day of the quarter that holds `day`.
pub fn quarter_start(day: Day, fy_start: u32) -> Day {
    let start = year_start(day, fy_start);
    let months =
        (day.0.year() - start.0.year()) * 12 + day.0.month() as i32 - start.0.month() as i32;
    let q = (months / 3) as u32;
    Day(start.0 + Months::new(3 * q))
}

/// The span from `start` (a period `months` long) to `as_of`, and the
/// period before it from its first day for as many days, clamped to its
/// last day.
fn compare(start: Day, as_of: Day, months: u32) -> (Compared<Span>, bool) {
    let current = Span {
        from: start,
        to: as_of,
    };
    let prev_from = start.0 - Months::new(months);
    let prev_last = start.0 - Days::new(1);
    let elapsed = (as_of.0 - start.0).num_days().max(0) as u64;
    let prev_to = prev_from
        .checked_add_days(Days::new(elapsed))
        .map_or(prev_last, |d| d.min(prev_last));
    let period_last = start.0 + Months::new(months) - Days::new(1);
    (
        Compared {
            current,
            previous: Span {
                from: Day(prev_from),
                to: Day(prev_to),
            },
        },
        as_of.0 < period_last,
    )
}

impl Spans {
    /// The spans for `as_of`, with years starting in month `fy_start`.
    pub fn new(as_of: Day, fy_start: u32) -> Spans {
        let (quarter, quarter_partial) = compare(quarter_start(as_of, fy_start), as_of, 3);
        let (year, year_partial) = compare(year_start(as_of, fy_start), as_of, 12);
        Spans {
            quarter,
            year,
            quarter_partial,
            year_partial,
        }
    }

    /// The four spans: quarter current, quarter previous, year current,
    /// year previous.
    fn all(&self) -> [Span; 4] {
        [
            self.quarter.current,
            self.quarter.previous,
            self.year.current,
            self.year.previous,
        ]
    }
}

/// What the referrals of a span add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sums {
    pub given: u32,
    pub received: u32,
    pub net_new_given: u32,
    pub net_new_received: u32,
    pub given_value: f64,
    pub received_value: f64,
    /// The value of received referrals whose outcome is `won`.
    pub received_won_value: f64,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.given += other.given;
        self.received += other.received;
        self.net_new_given += other.net_new_given;
        self.net_new_received += other.net_new_received;
        self.given_value += other.given_value;
        self.received_value += other.received_value;
        self.received_won_value += other.received_won_value;
    }
}

/// The sums of the four spans, in the order of [`Spans`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PeriodSums {
    pub quarter: Compared<Sums>,
    pub year: Compared<Sums>,
}

impl Default for Compared<Sums> {
    fn default() -> Self {
        Compared {
            current: Sums::default(),
            previous: Sums::default(),
        }
    }
}

impl PeriodSums {
    fn slots(&mut self) -> [&mut Sums; 4] {
        [
            &mut self.quarter.current,
            &mut self.quarter.previous,
            &mut self.year.current,
            &mut self.year.previous,
        ]
    }

    /// Adds another partner's sums.
    pub fn add(&mut self, other: &PeriodSums) {
        let theirs = [
            other.quarter.current,
            other.quarter.previous,
            other.year.current,
            other.year.previous,
        ];
        for (mine, theirs) in self.slots().into_iter().zip(theirs.iter()) {
            mine.add(theirs);
        }
    }
}

/// One partner's referrals in the four spans.
pub fn partner_sums(p: &Partner, spans: &Spans) -> PeriodSums {
    let mut out = PeriodSums::default();
    let all = spans.all();
    for r in &p.referrals {
        let v = r.value.unwrap_or(0.0);
        let net_new = u32::from(r.kind == ReferralType::NetNew);
        for (span, sums) in all.iter().zip(out.slots()) {
            if !span.contains(r.date) {
                continue;
            }
            match r.direction {
                Direction::Given => {
                    sums.given += 1;
                    sums.given_value += v;
                    sums.net_new_given += net_new;
                }
                Direction::Received => {
                    sums.received += 1;
                    sums.received_value += v;
                    sums.net_new_received += net_new;
                    if r.outcome() == Outcome::Won {
                        sums.received_won_value += v;
                    }
                }
            }
        }
    }
    out
}

/// Every partner's referrals in the four spans, added up.
pub fn book_sums<'a>(partners: impl IntoIterator<Item = &'a Partner>, spans: &Spans) -> PeriodSums {
    let mut out = PeriodSums::default();
    for p in partners {
        out.add(&partner_sums(p, spans));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn span(from: &str, to: &str) -> Span {
        Span {
            from: d(from),
            to: d(to),
        }
    }

    #[test]
    fn calendar_year_as_in_the_format() {
        let s = Spans::new(d("2026-11-01"), 1);
        assert_eq!(s.quarter.current, span("2026-10-01", "2026-11-01"));
        assert_eq!(s.quarter.previous, span("2026-07-01", "2026-08-01"));
        assert_eq!(s.year.current, span("2026-01-01", "2026-11-01"));
        assert_eq!(s.year.previous, span("2025-01-01", "2025-11-01"));
        assert!(s.quarter_partial && s.year_partial);
        assert_eq!(s.quarter.current.days(), s.quarter.previous.days());
    }

    #[test]
    fn a_fiscal_year_starting_in_july() {
        // November is in the second quarter (October to December) of the
        // year that began on 1 July.
        let s = Spans::new(d("2026-11-01"), 7);
        assert_eq!(s.quarter.current, span("2026-10-01", "2026-11-01"));
        assert_eq!(s.quarter.previous, span("2026-07-01", "2026-08-01"));
        assert_eq!(s.year.current, span("2026-07-01", "2026-11-01"));
        assert_eq!(s.year.previous, span("2025-07-01", "2025-11-01"));
        // March is in the third quarter of the year begun the July before.
        let s = Spans::new(d("2027-03-15"), 7);
        assert_eq!(s.quarter.current, span("2027-01-01", "2027-03-15"));
        assert_eq!(s.quarter.previous, span("2026-10-01", "2026-12-13"));
        assert_eq!(s.year.current, span("2026-07-01", "2027-03-15"));
        assert_eq!(s.year.previous, span("2025-07-01", "2026-03-15"));
        // A year starting in February puts January at its end.
        let s = Spans::new(d("2026-01-20"), 2);
        assert_eq!(s.year.current.from, d("2025-02-01"));
        assert_eq!(s.quarter.current.from, d("2025-11-01"));
        assert_eq!(s.quarter.previous, span("2025-08-01", "2025-10-20"));
    }

    #[test]
    fn the_previous_span_is_clamped_to_a_shorter_period() {
        // April to June has 91 days, January to March 90 (2026 is not a
        // leap year): on 30 June the previous span ends on 31 March.
        let s = Spans::new(d("2026-06-30"), 1);
        assert_eq!(s.quarter.current, span("2026-04-01", "2026-06-30"));
        assert_eq!(s.quarter.previous, span("2026-01-01", "2026-03-31"));
        assert!(!s.quarter_partial);
        // 31 December of a leap year: 366 days against a year of 365.
        let s = Spans::new(d("2024-12-31"), 1);
        assert_eq!(s.year.previous, span("2023-01-01", "2023-12-31"));
        assert!(!s.year_partial);
        // The same number of days, not the same dates, otherwise.
        let s = Spans::new(d("2025-03-01"), 1);
        assert_eq!(s.quarter.current.days(), 60);
        assert_eq!(s.quarter.previous, span("2024-10-01", "2024-11-29"));
    }

    #[test]
    fn as_of_on_the_first_day_of_a_quarter() {
        let s = Spans::new(d("2026-10-01"), 1);
        assert_eq!(s.quarter.current, span("2026-10-01", "2026-10-01"));
        assert_eq!(s.quarter.previous, span("2026-07-01", "2026-07-01"));
        assert!(s.quarter_partial);
        // The first day of the year is the first day of its first quarter.
        let s = Spans::new(d("2026-07-01"), 7);
        assert_eq!(s.quarter.current, span("2026-07-01", "2026-07-01"));
        assert_eq!(s.quarter.previous, span("2026-04-01", "2026-04-01"));
        assert_eq!(s.year.current, span("2026-07-01", "2026-07-01"));
        assert_eq!(s.year.previous, span("2025-07-01", "2025-07-01"));
    }

    fn partner(referrals: &str) -> Partner {
        let text = format!("---\nname: Jane Doe\nreferrals:\n{referrals}---\n");
        crate::read::note::parse("partners/jane-doe.md", "jane-doe", text.as_bytes()).unwrap()
    }

    #[test]
    fn sums_count_each_span_whatever_the_window() {
        let p = partner(concat!(
            "  - {date: 2026-10-05, direction: given, type: net-new, value: 100}\n",
            "  - {date: 2026-11-01, direction: received, outcome: won, value: 900}\n",
            "  - {date: 2026-11-02, direction: received, outcome: won, value: 5}\n",
            "  - {date: 2026-07-20, direction: received, type: net-new, outcome: lost, value: 50}\n",
            "  - {date: 2026-08-02, direction: given}\n",
            "  - {date: 2025-03-01, direction: received, outcome: won, value: 7}\n",
            "  - {date: 2025-11-02, direction: given}\n",
        ));
        let s = Spans::new(d("2026-11-01"), 1);
        let sums = partner_sums(&p, &s);
        let q = sums.quarter;
        assert_eq!((q.current.given, q.current.received), (1, 1));
        assert_eq!(q.current.net_new_given, 1);
        assert_eq!(q.current.given_value, 100.0);
        assert_eq!(q.current.received_won_value, 900.0);
        // 2026-08-02 is a day past the comparable span.
        assert_eq!((q.previous.given, q.previous.received), (0, 1));
        assert_eq!(q.previous.net_new_received, 1);
        assert_eq!(q.previous.received_value, 50.0);
        assert_eq!(q.previous.received_won_value, 0.0);
        let y = sums.year;
        assert_eq!((y.current.given, y.current.received), (2, 2));
        assert_eq!((y.previous.given, y.previous.received), (0, 1));
        assert_eq!(y.previous.received_won_value, 7.0);
        let both = book_sums([&p, &p], &s);
        assert_eq!(both.year.current.given, 4);
        assert_eq!(both.quarter.current.received_won_value, 1800.0);
    }
}

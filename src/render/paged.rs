//! The two tables that list every partner (the partner table and the
//! reciprocity report's table), cut into pages when they are long: a
//! page per group (the first letter of the name; the reciprocity class),
//! each group cut again into parts of at most [`PAGE_ROWS`] rows. A table
//! of [`PAGE_ROWS`] rows or fewer stays one page, as it always was. The
//! cut depends only on each partner's name and class, so the pipeline
//! knows the pages' names without rendering (see `pages.rs`).

use crate::analysis::Reciprocity;

/// The most rows a table page holds; a table of more is cut into pages.
/// A partner's line of the partner table is about 450 bytes, of the
/// reciprocity table about 280: 2,000 lines make a page of about 1 MB,
/// well under the 5 MB a page may weigh.
pub const PAGE_ROWS: usize = 2_000;

/// A table cut into pages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Family {
    /// `partners/index.html`, cut by the first letter of the name into
    /// `partners/index_a.html`, `partners/index_a_2.html`… (a slug holds
    /// no `_`, so no partner page can take one of these names).
    Partners,
    /// The table of `reports/reciprocity.html`, cut by class into
    /// `reports/reciprocity_one-way-given.html`…
    Reciprocity,
}

/// One page of a table cut into pages.
#[derive(Debug, Clone, serde::Serialize)]
pub(super) struct Part {
    /// Its path in the site.
    pub path: String,
    /// Its file name, the link from a page of the same folder.
    pub href: String,
    /// Its group's key (`a`, `other`; a class) and title (`A`, `Other`;
    /// the class's words).
    pub key: String,
    pub group: String,
    /// Which part of its group it is, from 1, and how many the group has.
    pub part: usize,
    pub parts: usize,
    /// The places of its rows in the table's rows, in the table's order.
    #[serde(skip)]
    pub rows: Vec<usize>,
    /// How many rows, and (on the partner table's pages, whose rows go by
    /// name) the names of the first and the last.
    pub count: usize,
    pub first: String,
    pub last: String,
}

impl Family {
    /// The folder the pages are in, and the beginning of their names.
    fn stem(self) -> &'static str {
        match self {
            Family::Partners => "partners/index_",
            Family::Reciprocity => "reports/reciprocity_",
        }
    }

    /// The groups, in order: each with its key and title.
    fn groups(self) -> Vec<(String, String)> {
        match self {
            Family::Partners => ('a'..='z')
                .map(|c| (c.to_string(), c.to_ascii_uppercase().to_string()))
                .chain([("other".to_string(), "Other".to_string())])
                .collect(),
            Family::Reciprocity => Reciprocity::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_string(),
                        super::views::reciprocity_label(*c).to_string(),
                    )
                })
                .collect(),
        }
    }

    /// The group of a partner of this name and class.
    fn group_of(self, name: &str, class: Reciprocity) -> usize {
        match self {
            Family::Partners => match name.trim_start().chars().next() {
                Some(c) if c.is_ascii_alphabetic() => {
                    usize::from(c.to_ascii_lowercase() as u8 - b'a')
                }
                _ => 26,
            },
            Family::Reciprocity => Reciprocity::ALL
                .iter()
                .position(|c| *c == class)
                .expect("every class is listed"),
        }
    }

    /// The pages of a table whose rows, in the table's order, have these
    /// names and classes; none when the table stays one page.
    pub(super) fn cut<'a>(
        self,
        rows: impl ExactSizeIterator<Item = (&'a str, Reciprocity)>,
    ) -> Vec<Part> {
        if rows.len() <= PAGE_ROWS {
            return Vec::new();
        }
        let groups = self.groups();
        let mut members: Vec<Vec<(usize, &str)>> = vec![Vec::new(); groups.len()];
        for (i, (name, class)) in rows.enumerate() {
            members[self.group_of(name, class)].push((i, name));
        }
        let mut pages = Vec::new();
        for ((key, title), mut members) in groups.into_iter().zip(members) {
            // The partner table's pages hold ranges of names, in order;
            // the reciprocity table's keep the table's order (by balance).
            let named = self == Family::Partners;
            if named {
                members.sort_by_cached_key(|&(i, name)| (name.to_lowercase(), i));
            }
            let parts = members.len().div_ceil(PAGE_ROWS);
            for (n, chunk) in members.chunks(PAGE_ROWS).enumerate() {
                let href = if n == 0 {
                    format!("{}{key}.html", self.stem())
                } else {
                    format!("{}{key}_{}.html", self.stem(), n + 1)
                };
                let path = href.clone();
                let href = href.rsplit('/').next().unwrap_or(&href).to_string();
                pages.push(Part {
                    path,
                    href,
                    key: key.clone(),
                    group: title.clone(),
                    part: n + 1,
                    parts,
                    rows: chunk.iter().map(|(i, _)| *i).collect(),
                    count: chunk.len(),
                    first: chunk
                        .first()
                        .filter(|_| named)
                        .map_or("", |c| c.1)
                        .to_string(),
                    last: chunk
                        .last()
                        .filter(|_| named)
                        .map_or("", |c| c.1)
                        .to_string(),
                });
            }
        }
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{}{i}", (b'a' + (i % 3) as u8) as char))
            .collect()
    }

    #[test]
    fn a_short_table_stays_one_page() {
        let names = names(PAGE_ROWS);
        let rows = names.iter().map(|n| (n.as_str(), Reciprocity::None));
        assert!(Family::Partners.cut(rows).is_empty());
    }

    #[test]
    fn a_long_table_is_cut_by_letter_into_parts_of_at_most_page_rows() {
        // PAGE_ROWS + 1 names with an A, PAGE_ROWS with a b, five with a C.
        let mut names: Vec<String> = (0..=PAGE_ROWS).map(|i| format!("Ann {i}")).collect();
        names.extend((0..PAGE_ROWS).map(|i| format!("bea {i}")));
        names.extend((0..5).map(|i| format!("Cy {i}")));
        names.push("Émile".into());
        names.push("Zoë".into());
        let rows = names.iter().map(|n| (n.as_str(), Reciprocity::None));
        let parts = Family::Partners.cut(rows);
        let paths: Vec<&str> = parts.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "partners/index_a.html",
                "partners/index_a_2.html",
                "partners/index_b.html",
                "partners/index_c.html",
                "partners/index_z.html",
                "partners/index_other.html",
            ]
        );
        assert!(parts.iter().all(|p| p.count <= PAGE_ROWS && p.count > 0));
        let mut every: Vec<usize> = parts.iter().flat_map(|p| p.rows.clone()).collect();
        every.sort_unstable();
        assert_eq!(every, (0..names.len()).collect::<Vec<_>>());
        assert_eq!(parts[0].href, "index_a.html");
        assert_eq!((parts[1].part, parts[1].parts), (2, 2));
        assert_eq!(parts[5].first, "Émile");
        // A group's pages go by name: part 1 from "Ann 0", part 2 holding
        // the one name past PAGE_ROWS.
        assert_eq!(parts[0].first, "Ann 0");
        assert_eq!(parts[1].count, 1);
    }

    #[test]
    fn the_reciprocity_table_is_cut_by_class() {
        let names = names(PAGE_ROWS + 1);
        let rows = names.iter().enumerate().map(|(i, n)| {
            let class = if i % 2 == 0 {
                Reciprocity::Balanced
            } else {
                Reciprocity::OneWayGiven
            };
            (n.as_str(), class)
        });
        let parts = Family::Reciprocity.cut(rows);
        let paths: Vec<&str> = parts.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "reports/reciprocity_one-way-given.html",
                "reports/reciprocity_balanced.html"
            ]
        );
    }
}

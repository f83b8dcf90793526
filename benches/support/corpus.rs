//! A generated book of any size, for benchmarks and large-book tests: notes
//! that look like real ones (referrals both ways, meetings, initiatives, a
//! few paragraphs of Markdown), reproducible from a seed.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// A small, seeded pseudo-random sequence (xorshift64*); reproducible
/// across platforms, which is all a corpus needs.
pub struct Seq(u64);

impl Seq {
    pub fn new(seed: u64) -> Seq {
        Seq(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Jane", "Marcus", "Priya", "Daniel", "Sofia", "Helen", "Victor", "Ruth", "Tom", "Lena",
    "Grant", "Nadia", "Amara", "Jorge", "Maya", "Beatrice", "Ian", "Olivia", "Samuel", "Chloe",
];
const LAST: &[&str] = &[
    "Doe",
    "Bell",
    "Raman",
    "Whitcombe",
    "Marchetti",
    "Brooks",
    "Chen",
    "Abernathy",
    "Kessler",
    "Park",
    "Holloway",
    "Flores",
    "Nwosu",
    "Alvarez",
    "Okafor",
    "Nolan",
    "Mercer",
    "Grant",
    "Ortiz",
    "Lambert",
];
const PROFESSIONS: &[&str] = &[
    "CPA",
    "Estate attorney",
    "Insurance agent",
    "Private banker",
    "Realtor",
    "Business broker",
    "HR consultant",
    "Mortgage lender",
];
const CLIENTS: &[&str] = &[
    "business owners",
    "physicians",
    "pre-retirees",
    "families",
    "executives",
    "retirees",
];
const GIVEN: &[&str] = &["exceeded", "exceeded", "met", "below", "pending"];
const RECEIVED: &[&str] = &["won", "won", "lost", "pending"];
const KINDS: &[&str] = &["discovery", "check-in", "event", "call", "meal", "other"];
const STATUS: &[&str] = &["idea", "active", "done", "dropped"];

/// A day from 2023-01-01 to 2026-10-28: never after the book's `as_of`
/// (2026-11-01), so that no generated entry is warned about as dated in
/// the future.
fn date(seq: &mut Seq) -> String {
    let year = 2023 + seq.below(4);
    let month = 1 + seq.below(12);
    let month = if year == 2026 {
        1 + (month - 1) % 10
    } else {
        month
    };
    format!("{year}-{month:02}-{:02}", 1 + seq.below(28))
}

fn seq_for(i: usize, seed: u64) -> Seq {
    Seq::new(seed ^ (i as u64).wrapping_mul(0x1000_0000_01b3))
}

/// The name of partner number `i`, drawn first from its sequence.
fn draw_name(seq: &mut Seq, i: usize) -> String {
    format!("{} {} {i}", seq.pick(FIRST), seq.pick(LAST))
}

/// The name of partner number `i`.
pub fn name(i: usize, seed: u64) -> String {
    draw_name(&mut seq_for(i, seed), i)
}

/// How much a generated note carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// 0-8 referrals, 0-3 meetings, a short body: about 1 KB a note.
    Light,
    /// The weight of a well-kept book: 12-18 referrals (15 on average),
    /// 2-4 meetings (3), notes on most entries and a Markdown body of about
    /// 2 KB (paragraphs, lists, a table, links to other partners): about
    /// 5.8 KB a note, 58 MB for 10,000 notes.
    Heavy,
}

// Each includer (benches, tests, the example) uses only part of this file.
#[allow(dead_code)]
impl Profile {
    /// `light` or `heavy`.
    pub fn parse(word: &str) -> Option<Profile> {
        match word {
            "light" => Some(Profile::Light),
            "heavy" => Some(Profile::Heavy),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Profile::Light => "light",
            Profile::Heavy => "heavy",
        }
    }
}

/// The text of note number `i` of a corpus seeded with `seed` (light profile).
#[allow(dead_code)]
pub fn note(i: usize, seed: u64) -> String {
    note_with(i, seed, Profile::Light)
}

const TOPICS: &[&str] = &[
    "succession planning",
    "a liquidity event",
    "Roth conversions",
    "buy-sell agreements",
    "charitable trusts",
    "key-person insurance",
    "a practice sale",
    "estimated taxes",
    "long-term care",
    "a second home",
];
const TRAITS: &[&str] = &[
    "answers the same day",
    "explains fees up front",
    "keeps clients informed without being asked",
    "brings a checklist to every first meeting",
    "is careful with deadlines",
    "prefers a call to an email",
];
const REF_NOTES: &[&str] = &[
    "Complex S-corp return, handled in a week",
    "Needed a trust restated after a move",
    "Asked for a second opinion on a policy",
    "Closing moved twice; kept everyone calm",
    "Came back with a list of follow-up questions",
    "Small engagement, quick turnaround",
];

/// About 2 KB of Markdown: headings, paragraphs with emphasis, a list, a
/// task list, a small table, a footnote and links to earlier partners.
fn heavy_body(s: &mut String, seq: &mut Seq, i: usize, seed: u64) {
    let link = |seq: &mut Seq| self::name(seq.below(i as u64 + 1) as usize, seed);
    let _ = writeln!(
        s,
        "## How we met\n\nMet through the local estate-planning council in {}. \
         Strong with **{}**, and {}. Works mostly with {} and is careful about \
         *who* gets introduced to whom; see [[{}]] for the first joint case.\n",
        2015 + seq.below(10),
        seq.pick(CLIENTS),
        seq.pick(TRAITS),
        seq.pick(CLIENTS),
        link(seq)
    );
    let _ = writeln!(
        s,
        "## What works\n\n- {}\n- {}\n- clear about {} before the first meeting\n\
         - good at {} questions; pairs well with [[{}]]\n",
        seq.pick(TRAITS),
        seq.pick(TRAITS),
        seq.pick(TOPICS),
        seq.pick(TOPICS),
        link(seq)
    );
    let _ = writeln!(
        s,
        "## Open questions\n\n- [ ] ask about {} for the next workshop\n\
         - [x] sent the recap on {}\n- [ ] introduce to [[{}]]\n",
        seq.pick(TOPICS),
        seq.pick(TOPICS),
        link(seq)
    );
    s.push_str("| year | topic | clients |\n|---|---|---:|\n");
    for _ in 0..4 {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            2022 + seq.below(5),
            seq.pick(TOPICS),
            seq.below(12)
        );
    }
    for _ in 0..5 {
        let _ = writeln!(
            s,
            "\nA longer thought about {}: the last {} clients we shared asked about \
             {} first, then about fees. Next time bring the one-page summary and \
             the checklist, and leave time for questions about {}. ~~Skip the \
             slides.~~ Follow up within {} days.",
            seq.pick(TOPICS),
            2 + seq.below(8),
            seq.pick(TOPICS),
            seq.pick(TOPICS),
            2 + seq.below(12)
        );
    }
    let _ = writeln!(
        s,
        "\nFees are shared in writing.[^fees]\n\n[^fees]: Agreed in {}.",
        2020 + seq.below(6)
    );
}

/// The text of note number `i` of a corpus seeded with `seed`, with the
/// weight of `profile`. Only FORMAT v1 keys are used.
pub fn note_with(i: usize, seed: u64, profile: Profile) -> String {
    let heavy = profile == Profile::Heavy;
    let mut seq = seq_for(i, seed);
    let name = draw_name(&mut seq, i);
    let mut s = String::with_capacity(if heavy { 8192 } else { 2048 });
    let _ = writeln!(s, "---\nname: {name}\nfirm: {} & Partners", seq.pick(LAST));
    let _ = writeln!(
        s,
        "profession: {}\nrole: esp\nsince: {}",
        seq.pick(PROFESSIONS),
        date(&mut seq)
    );
    let _ = writeln!(
        s,
        "email: partner{i}@example.com\nwebsite: https://example.com/{i}"
    );
    let _ = writeln!(
        s,
        "ideal_clients: [{}, {}]",
        seq.pick(CLIENTS),
        seq.pick(CLIENTS)
    );
    if heavy {
        let _ = writeln!(
            s,
            "phone: \"+1 555 {:04}\"\ntags: [{}, {}]",
            i % 10_000,
            seq.pick(CLIENTS).replace(' ', "-"),
            seq.pick(PROFESSIONS).to_lowercase().replace(' ', "-")
        );
    }
    s.push_str("referrals:\n");
    let referrals = if heavy {
        12 + seq.below(7)
    } else {
        seq.below(9)
    };
    for _ in 0..referrals {
        let given = seq.below(2) == 0;
        let _ = writeln!(
            s,
            "  - date: {}\n    direction: {}\n    client: Client {}\n    type: {}\n    outcome: {}\n    value: {}",
            date(&mut seq),
            if given { "given" } else { "received" },
            seq.below(10_000),
            if seq.below(4) == 0 { "net-new" } else { "existing" },
            if given { seq.pick(GIVEN) } else { seq.pick(RECEIVED) },
            500 * seq.below(20)
        );
        if heavy && seq.below(4) != 0 {
            let _ = writeln!(s, "    note: {}", seq.pick(REF_NOTES));
        }
    }
    s.push_str("meetings:\n");
    let meetings = if heavy {
        2 + seq.below(3)
    } else {
        seq.below(4)
    };
    for _ in 0..meetings {
        let kind = seq.pick(KINDS);
        let _ = writeln!(s, "  - date: {}\n    kind: {kind}", date(&mut seq));
        if *kind == "discovery" {
            let _ = writeln!(
                s,
                "    outcome: {}",
                seq.pick(&["interested", "not-interested", "undecided"])
            );
        }
        if heavy {
            let _ = writeln!(
                s,
                "    summary: Talked about {} for {}, and what each side needs before an introduction",
                seq.pick(TOPICS),
                seq.pick(CLIENTS)
            );
        } else {
            let _ = writeln!(s, "    summary: Talked about {}", seq.pick(CLIENTS));
        }
    }
    if seq.below(3) == 0 {
        let _ = writeln!(
            s,
            "initiatives:\n  - name: Workshop for {}\n    started: {}\n    status: {}\n    new_clients: {}",
            seq.pick(CLIENTS),
            date(&mut seq),
            seq.pick(STATUS),
            seq.below(5)
        );
    }
    let _ = writeln!(
        s,
        "next_step:\n  date: {}\n  action: Call about the next referral",
        date(&mut seq)
    );
    s.push_str("---\n");
    if heavy {
        heavy_body(&mut s, &mut seq, i, seed);
    } else {
        let _ = writeln!(
            s,
            "Met through the local estate-planning council. Strong with {}.\n\n- responsive\n- clear fees\n\nSee [[{}]].",
            seq.pick(CLIENTS),
            self::name(seq.below(i as u64 + 1) as usize, seed)
        );
    }
    s
}

/// Writes a book of `n` light notes under `root` (see [`write_book_with`]).
#[allow(dead_code)]
pub fn write_book(root: &Path, n: usize, seed: u64) -> io::Result<()> {
    write_book_with(root, n, seed, Profile::Light)
}

/// Writes a book of `n` notes of `profile` under `root` (settings and
/// `partners/`, spread over sub-folders of 500 notes). Works for any size:
/// a note is generated, written and dropped, one at a time.
pub fn write_book_with(root: &Path, n: usize, seed: u64, profile: Profile) -> io::Result<()> {
    std::fs::create_dir_all(root.join("partners"))?;
    std::fs::write(
        root.join("rapport.yaml"),
        "title: Generated book\nas_of: 2026-11-01\nadvisor:\n  name: Alex Smith\n  ideal_clients: [business owners, physicians, pre-retirees]\n",
    )?;
    for i in 0..n {
        let dir = root.join("partners").join(format!("group-{:03}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        std::fs::write(
            dir.join(format!("partner-{i:05}.md")),
            note_with(i, seed, profile),
        )?;
    }
    Ok(())
}

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

fn date(seq: &mut Seq) -> String {
    format!(
        "{}-{:02}-{:02}",
        2023 + seq.below(4),
        1 + seq.below(12),
        1 + seq.below(28)
    )
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

/// The text of note number `i` of a corpus seeded with `seed`.
pub fn note(i: usize, seed: u64) -> String {
    let mut seq = seq_for(i, seed);
    let name = draw_name(&mut seq, i);
    let mut s = String::with_capacity(2048);
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
    s.push_str("referrals:\n");
    for _ in 0..seq.below(9) {
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
    }
    s.push_str("meetings:\n");
    for _ in 0..seq.below(4) {
        let kind = seq.pick(KINDS);
        let _ = writeln!(s, "  - date: {}\n    kind: {kind}", date(&mut seq));
        if *kind == "discovery" {
            let _ = writeln!(
                s,
                "    outcome: {}",
                seq.pick(&["interested", "not-interested", "undecided"])
            );
        }
        let _ = writeln!(s, "    summary: Talked about {}", seq.pick(CLIENTS));
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
    let _ = writeln!(
        s,
        "Met through the local estate-planning council. Strong with {}.\n\n- responsive\n- clear fees\n\nSee [[{}]].",
        seq.pick(CLIENTS),
        self::name(seq.below(i as u64 + 1) as usize, seed)
    );
    s
}

/// Writes a book of `n` notes under `root` (settings and `partners/`,
/// spread over sub-folders of 500 notes).
pub fn write_book(root: &Path, n: usize, seed: u64) -> io::Result<()> {
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
        std::fs::write(dir.join(format!("partner-{i:05}.md")), note(i, seed))?;
    }
    Ok(())
}

//! Passphrases: an estimate of a password's strength (zxcvbn), and a new
//! random passphrase of six words from the EFF large wordlist (7,776 words,
//! so 12.9 bits a word and 77.5 bits in all). The list is the Electronic
//! Frontier Foundation's, under CC BY 3.0 US (see `EFF-WORDLIST-NOTICE`).

/// The EFF large wordlist, one word a line.
const WORDLIST: &str = include_str!("eff_large_wordlist.txt");
/// How many words `rapport passphrase` draws.
pub const WORDS: usize = 6;
/// The weakest password an encrypted build takes, in bits of estimated
/// entropy (log2 of zxcvbn's guess count).
pub const MIN_BITS: f64 = 60.0;

/// The words of the list.
pub fn words() -> Vec<&'static str> {
    WORDLIST
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

/// A uniformly random index below `n`, from the operating system's
/// random source (rejection sampling: no bias toward the first words).
fn random_below(n: u32) -> u32 {
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).expect("the operating system gives random bytes");
        let v = u32::from_le_bytes(b);
        if v < zone {
            return v % n;
        }
    }
}

/// A new passphrase: [`WORDS`] random words of the list, separated by
/// spaces.
pub fn generate() -> String {
    let list = words();
    (0..WORDS)
        .map(|_| list[random_below(list.len() as u32) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The estimated strength of `password`, in bits (zxcvbn's estimate of the
/// guesses an attacker who knows common passwords, words, names, dates
/// and patterns needs).
pub fn estimated_bits(password: &str) -> f64 {
    zxcvbn::zxcvbn(password, &["rapport"]).guesses_log10() * std::f64::consts::LOG2_10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_the_eff_large_list() {
        let list = words();
        assert_eq!(list.len(), 7776);
        let mut sorted = list.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 7776, "every word once");
        assert_eq!(list[0], "abacus");
        assert_eq!(list[7775], "zoom");
    }

    #[test]
    fn passphrases_are_six_words_of_the_list_and_pass_the_rule() {
        let list = words();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            let p = generate();
            let ws: Vec<&str> = p.split(' ').collect();
            assert_eq!(ws.len(), WORDS, "{p}");
            assert!(ws.iter().all(|w| list.contains(w)), "{p}");
            assert!(
                estimated_bits(&p) >= MIN_BITS,
                "{p}: {}",
                estimated_bits(&p)
            );
            seen.insert(p);
        }
        assert_eq!(seen.len(), 100, "no passphrase twice");
    }

    #[test]
    fn weak_passwords_fall_below_the_rule_and_long_ones_pass() {
        for weak in [
            "password1",
            "Summer2026!",
            "correct horse battery",
            "jane-doe-cpa-1975",
            "rapport rapport",
        ] {
            assert!(
                estimated_bits(weak) < MIN_BITS,
                "{weak}: {}",
                estimated_bits(weak)
            );
        }
        for strong in [
            "tulip ledger orbit canyon velvet ninety",
            "qW7#pL2!vX9@kM4$zR8&tY",
        ] {
            assert!(
                estimated_bits(strong) >= MIN_BITS,
                "{strong}: {}",
                estimated_bits(strong)
            );
        }
    }
}

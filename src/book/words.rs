//! The words of the listed values (`role`, `direction`, `type`, `outcome`,
//! `kind`, `status`): read in any case, and the other words people often
//! write for them, each mapped to the word it most likely means, for a
//! did-you-mean. A synonym is never read as its word: it is an error that
//! says which word to write.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

/// A value written as one of a fixed list of words.
pub trait Word: Copy + 'static {
    /// Every value, in the order the format lists them.
    const ALL: &'static [Self];
    /// The words, in the same order.
    const WORDS: &'static [&'static str];
    /// The word of this value.
    fn as_str(self) -> &'static str;

    /// The value written `word`, in any case (`ESP`, `Exceeded`).
    fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().eq_ignore_ascii_case(word))
    }

    /// The value `word` most likely means when it is not one of the words:
    /// a synonym (`sent` for `given`), or a word written with spaces or
    /// underscores (`net new`, `check_in`).
    fn suggest(word: &str) -> Option<Self> {
        synonym(Self::WORDS, word).and_then(Self::parse)
    }
}

/// `word` lower-cased, with every run of spaces, `_` and `-` made one
/// space, and trimmed: `Referred-Out` and `referred  out` read alike.
fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for part in word
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(part.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Other words for the values of one list, each with the word it means.
pub type Table = &'static [(&'static str, &'static str)];

/// The other words people write for each list of words, by that list.
/// A word appears once per list; the same word may mean different values
/// in different lists (`closed`: a referral `won`, an initiative `done`).
pub const SYNONYMS: &[(&[&str], Table)] = &[
    (
        crate::book::Role::WORDS,
        &[
            ("expert", "esp"),
            ("expert service provider", "esp"),
            ("service provider", "esp"),
            ("provider", "esp"),
            ("specialist", "esp"),
            ("vendor", "esp"),
            ("partner", "collaborator"),
            ("strategic partner", "collaborator"),
            ("collab", "collaborator"),
            ("co creator", "collaborator"),
            ("joint venture", "collaborator"),
            ("center of influence", "coi"),
            ("centre of influence", "coi"),
            ("influencer", "coi"),
            ("connector", "coi"),
            ("lead", "prospect"),
            ("potential", "prospect"),
            ("candidate", "prospect"),
            ("dormant", "inactive"),
            ("former", "inactive"),
            ("past", "inactive"),
            ("archived", "inactive"),
            ("retired", "inactive"),
        ],
    ),
    (
        crate::book::Direction::WORDS,
        &[
            ("sent", "given"),
            ("send", "given"),
            ("gave", "given"),
            ("give", "given"),
            ("out", "given"),
            ("outbound", "given"),
            ("outgoing", "given"),
            ("referred out", "given"),
            ("to them", "given"),
            ("in", "received"),
            ("inbound", "received"),
            ("incoming", "received"),
            ("referred in", "received"),
            ("got", "received"),
            ("receive", "received"),
            ("from them", "received"),
        ],
    ),
    (
        crate::book::ReferralType::WORDS,
        &[
            ("new", "net-new"),
            ("new client", "net-new"),
            ("new business", "net-new"),
            ("netnew", "net-new"),
            ("current", "existing"),
            ("existing client", "existing"),
            ("old", "existing"),
        ],
    ),
    (
        crate::book::Outcome::WORDS,
        &[
            ("exceeds", "exceeded"),
            ("excellent", "exceeded"),
            ("outstanding", "exceeded"),
            ("great", "exceeded"),
            ("above", "exceeded"),
            ("meets", "met"),
            ("ok", "met"),
            ("okay", "met"),
            ("good", "met"),
            ("fine", "met"),
            ("as expected", "met"),
            ("poor", "below"),
            ("bad", "below"),
            ("disappointing", "below"),
            ("under", "below"),
            ("fell short", "below"),
            ("closed", "won"),
            ("converted", "won"),
            ("signed", "won"),
            ("hired", "won"),
            ("engaged", "won"),
            ("declined", "lost"),
            ("rejected", "lost"),
            ("dead", "lost"),
            ("open", "pending"),
            ("waiting", "pending"),
            ("in progress", "pending"),
            ("ongoing", "pending"),
            ("unknown", "pending"),
            ("tbd", "pending"),
        ],
    ),
    (
        crate::book::MeetingKind::WORDS,
        &[
            ("lunch", "meal"),
            ("dinner", "meal"),
            ("coffee", "meal"),
            ("breakfast", "meal"),
            ("drinks", "meal"),
            ("phone", "call"),
            ("phone call", "call"),
            ("video", "call"),
            ("video call", "call"),
            ("zoom", "call"),
            ("meeting", "check-in"),
            ("catch up", "check-in"),
            ("catchup", "check-in"),
            ("checkin", "check-in"),
            ("review", "check-in"),
            ("discovery conversation", "discovery"),
            ("discovery meeting", "discovery"),
            ("mutual discovery", "discovery"),
            ("conference", "event"),
            ("seminar", "event"),
            ("webinar", "event"),
            ("workshop", "event"),
        ],
    ),
    (
        crate::book::DiscoveryOutcome::WORDS,
        &[
            ("yes", "interested"),
            ("keen", "interested"),
            ("declined", "not-interested"),
            ("uninterested", "not-interested"),
            ("no", "not-interested"),
            ("passed", "not-interested"),
            ("maybe", "undecided"),
            ("unsure", "undecided"),
            ("thinking", "undecided"),
            ("later", "undecided"),
            ("pending", "undecided"),
        ],
    ),
    (
        crate::book::InitiativeStatus::WORDS,
        &[
            ("planned", "idea"),
            ("planning", "idea"),
            ("proposed", "idea"),
            ("someday", "idea"),
            ("ongoing", "active"),
            ("running", "active"),
            ("in progress", "active"),
            ("started", "active"),
            ("live", "active"),
            ("finished", "done"),
            ("completed", "done"),
            ("complete", "done"),
            ("closed", "done"),
            ("cancelled", "dropped"),
            ("canceled", "dropped"),
            ("abandoned", "dropped"),
            ("stopped", "dropped"),
        ],
    ),
];

/// The word of `words` that `bad` most likely means: a synonym listed for
/// those words, or one of the words written with other separators
/// (`net new`, `Check_In`). `words` names the list (as an unknown-variant
/// message gives it); `None` for a list that has no synonyms.
pub fn synonym(words: &[&str], bad: &str) -> Option<&'static str> {
    let wanted = normalize(bad);
    let (all, table) = SYNONYMS
        .iter()
        .find(|(all, _)| all.len() == words.len() && all.iter().zip(words).all(|(a, b)| a == b))?;
    all.iter()
        .find(|w| normalize(w) == wanted)
        .copied()
        .or_else(|| {
            table
                .iter()
                .find(|(other, _)| normalize(other) == wanted)
                .map(|(_, word)| *word)
        })
}

/// Reads a [`Word`] from text, in any case; any other text is serde's
/// "unknown variant" error, which the located problem turns into a
/// did-you-mean (see [`synonym`]).
pub fn deserialize<'de, D: Deserializer<'de>, W: Word>(d: D) -> Result<W, D::Error> {
    d.deserialize_str(WordVisitor::<W>(PhantomData))
}

struct WordVisitor<W>(PhantomData<W>);

impl<'de, W: Word> Visitor<'de> for WordVisitor<W> {
    type Value = W;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one of ")?;
        for (i, w) in W::WORDS.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{w}`")?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<W, E> {
        W::parse(v).ok_or_else(|| E::unknown_variant(v, W::WORDS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{
        Direction, DiscoveryOutcome, InitiativeStatus, MeetingKind, Outcome, ReferralType, Role,
    };

    #[test]
    fn every_word_reads_in_any_case() {
        fn all<W: Word + PartialEq + fmt::Debug>() {
            for &v in W::ALL {
                let w = v.as_str();
                for written in [w.to_string(), w.to_uppercase(), capitalized(w)] {
                    assert_eq!(W::parse(&written), Some(v), "{written}");
                }
            }
            assert_eq!(W::parse("nothing-like-it"), None);
        }
        fn capitalized(w: &str) -> String {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        all::<Role>();
        all::<Direction>();
        all::<ReferralType>();
        all::<Outcome>();
        all::<MeetingKind>();
        all::<DiscoveryOutcome>();
        all::<InitiativeStatus>();
    }

    #[test]
    fn each_synonym_names_a_word_of_its_list_and_no_word_is_a_synonym() {
        for (words, table) in SYNONYMS {
            for (other, word) in *table {
                assert!(words.contains(word), "{other} -> {word}");
                assert!(
                    !words.iter().any(|w| normalize(w) == normalize(other)),
                    "{other} is one of the words"
                );
                let same = table
                    .iter()
                    .filter(|(o, _)| normalize(o) == normalize(other))
                    .count();
                assert_eq!(same, 1, "{other} is listed twice");
            }
        }
    }

    #[test]
    fn common_other_words_suggest_the_word_meant() {
        assert_eq!(Direction::suggest("sent"), Some(Direction::Given));
        assert_eq!(Direction::suggest("Referred out"), Some(Direction::Given));
        assert_eq!(Direction::suggest("referred_in"), Some(Direction::Received));
        assert_eq!(Direction::suggest("INBOUND"), Some(Direction::Received));
        assert_eq!(MeetingKind::suggest("lunch"), Some(MeetingKind::Meal));
        assert_eq!(MeetingKind::suggest("Catch-up"), Some(MeetingKind::CheckIn));
        assert_eq!(MeetingKind::suggest("phone"), Some(MeetingKind::Call));
        assert_eq!(MeetingKind::suggest("check in"), Some(MeetingKind::CheckIn));
        assert_eq!(Outcome::suggest("closed"), Some(Outcome::Won));
        assert_eq!(Outcome::suggest("declined"), Some(Outcome::Lost));
        assert_eq!(Outcome::suggest("open"), Some(Outcome::Pending));
        assert_eq!(
            DiscoveryOutcome::suggest("declined"),
            Some(DiscoveryOutcome::NotInterested)
        );
        assert_eq!(
            DiscoveryOutcome::suggest("not interested"),
            Some(DiscoveryOutcome::NotInterested)
        );
        assert_eq!(ReferralType::suggest("new"), Some(ReferralType::NetNew));
        assert_eq!(ReferralType::suggest("Net New"), Some(ReferralType::NetNew));
        assert_eq!(Role::suggest("partner"), Some(Role::Collaborator));
        assert_eq!(Role::suggest("center of influence"), Some(Role::Coi));
        assert_eq!(
            InitiativeStatus::suggest("planned"),
            Some(InitiativeStatus::Idea)
        );
        assert_eq!(
            InitiativeStatus::suggest("ongoing"),
            Some(InitiativeStatus::Active)
        );
        assert_eq!(
            InitiativeStatus::suggest("Completed"),
            Some(InitiativeStatus::Done)
        );
        assert_eq!(
            InitiativeStatus::suggest("closed"),
            Some(InitiativeStatus::Done)
        );
        assert_eq!(Direction::suggest("sideways"), None);
        // A list that is not one of the value lists has no synonyms.
        assert_eq!(synonym(&["a", "b"], "sent"), None);
    }
}

//! The stages of collaboration readiness and the six criteria, each
//! stage's facts in one table ([`STAGES`]): its rule, in the order the
//! rules are tried, its place on the readiness report, the stage above it
//! and the criteria that needs, its words and its colour. The classifier,
//! the pages, the charts and the stylesheet all read them from here.

use serde::{Serialize, Serializer};

use crate::book::DiscoveryOutcome;

/// One of the six criteria of collaboration readiness (FORMAT §4), in the
/// format's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKey {
    TrackRecord,
    TwoWay,
    MutualInterest,
    SharedIdealClients,
    NetNew,
    Active,
}

impl CriterionKey {
    pub const ALL: [CriterionKey; 6] = [
        CriterionKey::TrackRecord,
        CriterionKey::TwoWay,
        CriterionKey::MutualInterest,
        CriterionKey::SharedIdealClients,
        CriterionKey::NetNew,
        CriterionKey::Active,
    ];

    /// The key in data files: `track_record`.
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionKey::TrackRecord => "track_record",
            CriterionKey::TwoWay => "two_way",
            CriterionKey::MutualInterest => "mutual_interest",
            CriterionKey::SharedIdealClients => "shared_ideal_clients",
            CriterionKey::NetNew => "net_new",
            CriterionKey::Active => "active",
        }
    }

    /// The criterion's name for people.
    pub fn label(self) -> &'static str {
        match self {
            CriterionKey::TrackRecord => "Track record: consistently exceeds expectations",
            CriterionKey::TwoWay => "Referrals flow both ways",
            CriterionKey::MutualInterest => "Mutual interest in a discovery conversation",
            CriterionKey::SharedIdealClients => "Shares your ideal clients",
            CriterionKey::NetNew => "Net-new business together",
            CriterionKey::Active => "Active relationship",
        }
    }

    /// Its short name, for "held back by" and "needs".
    pub fn short(self) -> &'static str {
        match self {
            CriterionKey::TrackRecord => "a track record of exceeding expectations",
            CriterionKey::TwoWay => "referrals both ways",
            CriterionKey::MutualInterest => "mutual interest in a discovery conversation",
            CriterionKey::SharedIdealClients => "shared ideal clients",
            CriterionKey::NetNew => "net-new business created together",
            CriterionKey::Active => "recent activity",
        }
    }
}

impl std::fmt::Display for CriterionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a partner stands on the seed's ladder, from building a track
/// record up to collaborating, or beside it. Stages compare by the ladder,
/// the order of this declaration: `Dormant < NotAFit < BuildingTrackRecord
/// < ExpertProvider < Declined < ReadyForDiscovery < DiscoveryUndecided <
/// DesignNetNew < Collaborating`. Everything else about a stage is in its
/// row of [`STAGES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Dormant,
    NotAFit,
    BuildingTrackRecord,
    ExpertProvider,
    /// Said no to a discovery conversation: still an expert provider.
    Declined,
    ReadyForDiscovery,
    DiscoveryUndecided,
    DesignNetNew,
    Collaborating,
}

/// How many stages there are. The match stops compiling when a stage is
/// added, so that this count, and with it [`STAGES`], grows with it.
const COUNT: usize = match Stage::Dormant {
    Stage::Dormant
    | Stage::NotAFit
    | Stage::BuildingTrackRecord
    | Stage::ExpertProvider
    | Stage::Declined
    | Stage::ReadyForDiscovery
    | Stage::DiscoveryUndecided
    | Stage::DesignNetNew
    | Stage::Collaborating => 9,
};

/// What the stage rules read: three of the criteria and the facts beside
/// them that decided them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signals {
    /// The partner's role is `inactive` (kept for the record).
    pub inactive_role: bool,
    /// The criterion `active`.
    pub active: bool,
    /// How many of the last three resolved given referrals are `below`.
    pub recent_belows: usize,
    /// The criterion `mutual_interest`.
    pub mutual_interest: bool,
    /// The criterion `net_new`.
    pub net_new: bool,
    /// The outcome of the newest discovery conversation (`undecided` when
    /// none was recorded), if there was one.
    pub discovery: Option<DiscoveryOutcome>,
    /// The criterion `track_record`.
    pub track_record: bool,
    /// At least `min_outcomes` resolved given referrals.
    pub enough_resolved: bool,
}

/// A colour, as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#8a94a6`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Everything about one stage.
#[derive(Debug, Clone, Copy)]
pub struct StageFacts {
    pub stage: Stage,
    /// Its word in data files, class names and links:
    /// `ready-for-discovery`.
    pub slug: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// The name that opens a partner's reason.
    pub reason_name: &'static str,
    /// What the stage means and calls for, for every partner in it.
    pub advice: &'static str,
    /// Its rule (FORMAT §4). The rules are tried in the order of
    /// [`STAGES`]; the first that applies gives the stage.
    pub rule: fn(&Signals) -> bool,
    /// Its place on the readiness report: the path from a first referral
    /// to collaborating, then the side-tracks.
    pub path: usize,
    /// The stage above it on the ladder, when there is one to reach.
    pub next: Option<Stage>,
    /// The criteria that hold a partner back from going up (from the next
    /// stage, or out of this one): the track record for a partner still
    /// building one (or falling short), mutual interest for one who has
    /// not (yet) said yes to a discovery conversation, business created
    /// together for one designing it, activity for a dormant one.
    pub needs: &'static [CriterionKey],
    /// Its badge on the pages and its bar on the charts, the same in the
    /// light and the dark scheme (a border beside the text on the chip
    /// background, which reads on both).
    pub colour: Rgb,
}

/// The stages in the order their rules are tried (FORMAT §4), each with
/// all its facts.
pub static STAGES: [StageFacts; COUNT] = [
    StageFacts {
        stage: Stage::Dormant,
        slug: "dormant",
        label: "Dormant",
        reason_name: "Dormant",
        advice: "Nothing has happened here for a while, or the partner is kept for the record. Reconnect before referring again.",
        rule: |s| s.inactive_role || !s.active,
        path: 8,
        next: None,
        needs: &[CriterionKey::Active],
        colour: Rgb(0x5b, 0x64, 0x72),
    },
    StageFacts {
        stage: Stage::NotAFit,
        slug: "not-a-fit",
        label: "Not a fit",
        reason_name: "Not a fit",
        advice: "At least two of the last three referrals fell short. Keep the relationship cordial and refer where it serves your clients better.",
        // One `below` only fails the track record.
        rule: |s| s.recent_belows >= 2,
        path: 7,
        next: None,
        needs: &[CriterionKey::TrackRecord],
        colour: Rgb(0xa3, 0x3a, 0x2a),
    },
    StageFacts {
        stage: Stage::Collaborating,
        slug: "collaborating",
        label: "Collaborating",
        reason_name: "Collaborating",
        advice: "A mutual interest and business created together. Keep the joint process running and measure what it brings both of you.",
        rule: |s| s.mutual_interest && s.net_new,
        path: 5,
        next: None,
        needs: &[],
        colour: Rgb(0x2e, 0x8b, 0x57),
    },
    StageFacts {
        stage: Stage::DesignNetNew,
        slug: "design-net-new",
        label: "Design net-new business",
        reason_name: "Design net-new",
        advice: "The discovery conversation found mutual interest. Design one joint effort aimed at new ideal clients for both of you.",
        rule: |s| s.mutual_interest,
        path: 4,
        next: Some(Stage::Collaborating),
        needs: &[CriterionKey::NetNew],
        colour: Rgb(0x7b, 0x4f, 0xc0),
    },
    StageFacts {
        stage: Stage::DiscoveryUndecided,
        slug: "discovery-undecided",
        label: "Discovery undecided",
        reason_name: "Discovery undecided",
        advice: "The discovery conversation ended undecided. Follow it up: ask what would help them decide.",
        rule: |s| s.discovery == Some(DiscoveryOutcome::Undecided),
        path: 3,
        next: Some(Stage::DesignNetNew),
        needs: &[CriterionKey::MutualInterest],
        colour: Rgb(0xb0, 0x85, 0x00),
    },
    StageFacts {
        stage: Stage::Declined,
        slug: "declined",
        label: "Declined",
        reason_name: "Declined",
        advice: "Not interested in building new business together, and that is fine: they stay an expert service provider. Ask again after a year.",
        rule: |s| s.discovery == Some(DiscoveryOutcome::NotInterested),
        path: 6,
        next: Some(Stage::DesignNetNew),
        needs: &[CriterionKey::MutualInterest],
        colour: Rgb(0x3f, 0x7f, 0x8c),
    },
    StageFacts {
        stage: Stage::ReadyForDiscovery,
        slug: "ready-for-discovery",
        label: "Ready for discovery",
        reason_name: "Ready for discovery",
        advice: "They consistently exceed expectations. Invite them to a mutual discovery conversation about bringing in new clients together, then listen.",
        rule: |s| s.track_record,
        path: 2,
        next: Some(Stage::DesignNetNew),
        needs: &[CriterionKey::MutualInterest],
        colour: Rgb(0xd9, 0x6a, 0x00),
    },
    StageFacts {
        stage: Stage::ExpertProvider,
        slug: "expert-provider",
        // Not "Expert service provider": that is the role `esp`.
        label: "Reliable provider",
        reason_name: "Expert provider",
        advice: "A good expert service provider: keep referring where it serves your clients, and watch for work that consistently exceeds expectations.",
        rule: |s| s.enough_resolved,
        path: 1,
        next: Some(Stage::ReadyForDiscovery),
        needs: &[CriterionKey::TrackRecord],
        colour: Rgb(0x1f, 0x5f, 0xbf),
    },
    StageFacts {
        stage: Stage::BuildingTrackRecord,
        slug: "building-track-record",
        label: "Building a track record",
        reason_name: "Building a track record",
        advice: "Refer where it fits and record how each referral turns out; a few resolved referrals will show whether they exceed expectations.",
        rule: |_| true,
        path: 0,
        next: Some(Stage::ReadyForDiscovery),
        needs: &[CriterionKey::TrackRecord],
        colour: Rgb(0x8a, 0x94, 0xa6),
    },
];

/// The stages ordered by their place on the ladder (`by_path` false) or on
/// the readiness report (true); a place beyond the stages or taken twice
/// stops the build.
const fn arrange(by_path: bool) -> [Stage; COUNT] {
    let mut out = [Stage::Dormant; COUNT];
    let mut seen = [false; COUNT];
    let mut i = 0;
    while i < COUNT {
        let f = &STAGES[i];
        let at = if by_path { f.path } else { f.stage as usize };
        assert!(!seen[at], "two stages in one place");
        seen[at] = true;
        out[at] = f.stage;
        i += 1;
    }
    out
}

// Every stage has one row and one place on the report, or the build stops.
const _: [[Stage; COUNT]; 2] = [arrange(false), arrange(true)];

/// For each stage (by its place on the ladder), its row of [`STAGES`].
const ROW: [usize; COUNT] = {
    let mut out = [0; COUNT];
    let mut i = 0;
    while i < COUNT {
        out[STAGES[i].stage as usize] = i;
        i += 1;
    }
    out
};

impl Stage {
    /// The stages in the order their rules are tried (FORMAT §4).
    pub const RULES: [Stage; COUNT] = {
        let mut out = [Stage::Dormant; COUNT];
        let mut i = 0;
        while i < COUNT {
            out[i] = STAGES[i].stage;
            i += 1;
        }
        out
    };

    /// The stages up the ladder, lowest first (the order of `Ord`).
    pub const LADDER: [Stage; COUNT] = arrange(false);

    /// The stages for a report: the path from a first referral to
    /// collaborating, then the side-tracks.
    pub const PATH: [Stage; COUNT] = arrange(true);

    /// The first stage whose rule applies.
    pub fn classify(signals: &Signals) -> Stage {
        STAGES
            .iter()
            .find(|f| (f.rule)(signals))
            .unwrap_or(&STAGES[COUNT - 1])
            .stage
    }

    /// Its row of [`STAGES`].
    pub fn facts(self) -> &'static StageFacts {
        &STAGES[ROW[self as usize]]
    }

    /// Its place on the ladder, lowest first.
    pub fn rank(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        self.facts().slug
    }

    /// The stage's name for people.
    pub fn label(self) -> &'static str {
        self.facts().label
    }

    /// The name that opens a partner's reason.
    pub fn reason_name(self) -> &'static str {
        self.facts().reason_name
    }

    /// What the stage means and calls for, for every partner in it.
    pub fn advice(self) -> &'static str {
        self.facts().advice
    }

    /// The stage above it on the ladder, when there is one to reach.
    pub fn next(self) -> Option<Stage> {
        self.facts().next
    }

    /// The criteria that hold a partner back from going up.
    pub fn needs(self) -> &'static [CriterionKey] {
        self.facts().needs
    }

    /// Its badge's and its bars' colour.
    pub fn colour(self) -> Rgb {
        self.facts().colour
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its slug: `ready-for-discovery`.
impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

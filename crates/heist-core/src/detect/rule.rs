//! A rule as heist runs it: parsed and checked from a rule file (see `parse`), one enum variant per kind.

use super::raw::RawFilter;
use crate::frame::Col;
use crate::query::Query;
use crate::util::time::Nanos;

use super::Severity;

/// One detection rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id, lower-case words joined by `-`, e.g. `bulk-model-download`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// ATT&CK (`T1530`, `T1078.004`) and ATLAS (`AML.T0035`) technique ids.
    pub techniques: Vec<String>,
    pub description: String,
    pub kind: RuleKind,
    /// A disabled rule is loaded (so a user file can replace it) but never run.
    pub enabled: bool,
    /// Replaces an already loaded rule with the same id (`override = true`) instead of clashing with it.
    pub overrides: bool,
    /// The rule file it came from, for messages.
    pub file: String,
    /// Where to read more (Sigma's `references`).
    pub references: Vec<String>,
    /// What else makes such events (Sigma's `falsepositives`).
    pub falsepositives: Vec<String>,
}

/// What a rule looks for.
#[derive(Debug, Clone)]
pub enum RuleKind {
    Match(MatchRule),
    Threshold(ThresholdRule),
    FirstSeen(FirstSeenRule),
    Sequence(SequenceRule),
    AfterEnd(AfterEndRule),
    /// A Sigma rule (`--sigma DIR`): its detection run over the raw records of its logsource's rows.
    Sigma(SigmaRun),
    /// A Sigma correlation rule over the events of other Sigma rules.
    SigmaCorrelation(SigmaCorrelationRun),
}

impl Rule {
    /// Whether any of the rule's queries tests the raw record.
    pub fn reads_raw(&self) -> bool {
        match &self.kind {
            RuleKind::Match(m) => {
                m.query.reads_raw() || m.shared_ip.as_ref().is_some_and(|s| s.with.reads_raw())
            }
            RuleKind::Threshold(t) => t.query.reads_raw(),
            RuleKind::FirstSeen(f) => f.query.reads_raw(),
            RuleKind::Sequence(s) => s.first.reads_raw() || s.then.reads_raw(),
            RuleKind::AfterEnd(_) => false,
            RuleKind::Sigma(s) => !s.frame_only,
            RuleKind::SigmaCorrelation(_) => true,
        }
    }
}

impl RuleKind {
    /// Every query of the rule, to rewrite.
    pub(crate) fn queries_mut(&mut self) -> Vec<&mut Queries> {
        match self {
            RuleKind::Match(m) => {
                let mut v = vec![&mut m.query];
                if let Some(s) = &mut m.shared_ip {
                    v.push(&mut s.with);
                }
                v
            }
            RuleKind::Threshold(t) => vec![&mut t.query],
            RuleKind::FirstSeen(f) => vec![&mut f.query],
            RuleKind::Sequence(s) => vec![&mut s.first, &mut s.then],
            RuleKind::AfterEnd(_) | RuleKind::Sigma(_) | RuleKind::SigmaCorrelation(_) => {
                Vec::new()
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Match(_) => "match",
            RuleKind::Threshold(_) => "threshold",
            RuleKind::FirstSeen(_) => "first_seen",
            RuleKind::Sequence(_) => "sequence",
            RuleKind::AfterEnd(_) => "after_end",
            RuleKind::Sigma(s) if s.detection.aggregation().is_some() => "sigma threshold",
            RuleKind::Sigma(_) => "sigma",
            RuleKind::SigmaCorrelation(c) => c.kind_name(),
        }
    }
}

/// One or more queries in the query language; an event matches when any of them does.
#[derive(Debug, Clone)]
pub struct Queries(pub Vec<RuleQuery>);

impl Queries {
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|q| q.text.as_str())
    }

    /// Whether any of the queries tests the raw record (and so needs [`crate::detect::RawRecords`]).
    pub fn reads_raw(&self) -> bool {
        self.0.iter().any(|q| q.raw.is_some())
    }
}

/// One query of a rule: terms over the frame's columns, and optionally conditions on the raw record behind each
/// event the terms select (`{ where = "action:AttachUserPolicy", raw = "requestParameters.policyArn:*/AdministratorAccess" }`).
#[derive(Debug, Clone)]
pub struct RuleQuery {
    pub text: String,
    pub query: Query,
    pub raw: Option<RawFilter>,
}

impl RuleQuery {
    /// A query without raw conditions.
    pub fn new(text: impl Into<String>, query: Query) -> Self {
        RuleQuery {
            text: text.into(),
            query,
            raw: None,
        }
    }
}

/// Whose events belong together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Identity,
    Token,
    Ip,
    Asset,
    /// The token when the event names one, else the identity (S3 access logs and model-invocation logs name the
    /// session, not its key).
    Principal,
    /// Sequences only: the credential the `first` event minted, used by the `then` events (a key created, then
    /// used).
    Minted,
}

impl Group {
    pub const NAMES: &'static str = "identity, token, ip, asset or principal";
    pub const SEQUENCE_NAMES: &'static str = "identity, token, ip, asset, principal or minted";

    pub fn parse(s: &str) -> Option<Group> {
        Some(match s {
            "identity" => Group::Identity,
            "token" => Group::Token,
            "ip" => Group::Ip,
            "asset" => Group::Asset,
            "principal" => Group::Principal,
            _ => return None,
        })
    }
}

/// A value compared by `differ`: a frame column, the account id inside the identity's ARN, or the name at the end
/// of a column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffField {
    Col(Col),
    IdentityAccount,
    /// `<column>_name`: what follows the last `/` (else the last `:`) of the value: the user of an IAM user ARN,
    /// the session name of an assumed-role ARN (`.../assumed-role/admin/alice` is alice).
    Name(Col),
}

/// Only events whose source IP is also the source of an event `with` selects, made by another identity within
/// `within` of it: an EC2 instance's role credentials used from the address where someone's own keys work.
#[derive(Debug, Clone)]
pub struct SharedIp {
    pub with: Queries,
    pub within: Nanos,
}

/// Every event matching the query is a finding; events of the same group closer than `merge` join one finding.
#[derive(Debug, Clone)]
pub struct MatchRule {
    pub query: Queries,
    pub group: Group,
    pub merge: Nanos,
    /// Only events where both values are present and differ (case-insensitively), e.g. a key created by one user
    /// for another: `["identity", "minted_identity"]`.
    pub differ: Option<(DiffField, DiffField)>,
    pub shared_ip: Option<SharedIp>,
}

/// What a threshold rule measures over the events in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    /// Distinct values of a dictionary-coded column.
    Distinct(Col),
    Sum(SumOf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SumOf {
    Bytes,
    InputTokens,
    OutputTokens,
    /// input + output tokens.
    Tokens,
}

/// Per group, a sliding window over the matching events; fires while the measure is above `above` and/or above
/// `above_baseline` times the group's own rate outside the window (never below `min_baseline`).
#[derive(Debug, Clone)]
pub struct ThresholdRule {
    pub query: Queries,
    pub group: Group,
    pub measure: Measure,
    pub window: Nanos,
    pub above: Option<f64>,
    pub above_baseline: Option<f64>,
    pub min_baseline: f64,
    /// A group with `min_history` of history before the window fires only above this many times its own busiest
    /// window before (0: never compared): a nightly job that always moves this much is not an anomaly.
    pub above_peak: f64,
    /// History a group needs before its past is compared (shorter: the finding says so).
    pub min_history: Nanos,
    /// A window whose events all came from networks this many identities used before (the office, the VPN) does
    /// not fire (0: off).
    pub unless_usual: usize,
}

/// Whose history a first-seen rule keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Token,
    Identity,
    Principal,
    Asset,
    /// The asset's first `depth` path segments (`bucket/prefix`): a storage location.
    Location,
    /// The whole bundle: "a network the organisation never used".
    Any,
}

impl Scope {
    pub const NAMES: &'static str = "token, identity, principal, asset, location or any";

    pub fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "token" => Scope::Token,
            "identity" => Scope::Identity,
            "principal" => Scope::Principal,
            "asset" => Scope::Asset,
            "location" => Scope::Location,
            "any" => Scope::Any,
            _ => return None,
        })
    }
}

/// The value that is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    /// A source IP (values that are not IP addresses, such as AWS service names, are ignored).
    Ip,
    /// The source IP's network: IPv4 /24, IPv6 /48 (a stand-in for the ASN, which the logs do not carry).
    Network,
    UserAgent,
    Region,
    Identity,
    /// The role behind a session (`issuer`), else the identity: role sessions get a new ARN per session name, the
    /// role stays.
    Role,
    Token,
}

impl Attribute {
    pub const NAMES: &'static str = "ip, network, user_agent, region, identity, role or token";

    pub fn parse(s: &str) -> Option<Attribute> {
        Some(match s {
            "ip" => Attribute::Ip,
            "network" => Attribute::Network,
            "user_agent" | "ua" => Attribute::UserAgent,
            "region" => Attribute::Region,
            "identity" => Attribute::Identity,
            "role" => Attribute::Role,
            "token" => Attribute::Token,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Attribute::Ip => "ip",
            Attribute::Network => "network",
            Attribute::UserAgent => "user agent",
            Attribute::Region => "region",
            Attribute::Identity => "identity",
            Attribute::Role => "role",
            Attribute::Token => "token",
        }
    }
}

/// Which events build the baseline of known values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Every event of the entity.
    All,
    /// Only the events matching the rule's query.
    Query,
}

/// An event matching the query carries a value its entity never had before, after a quiet baseline: the entity's
/// history is at least `baseline` old and holds at least one known value.
#[derive(Debug, Clone)]
pub struct FirstSeenRule {
    pub query: Queries,
    pub entity: Scope,
    pub attribute: Attribute,
    pub baseline: Nanos,
    pub history: History,
    /// A value counts as known only once it was first seen at least this long before (0: at once).
    pub settle: Nanos,
    /// Only an entity with at most this many known values has a baseline worth comparing with: a key that roams
    /// over dozens of addresses makes every new one unremarkable.
    pub max_known: Option<usize>,
    /// Path segments kept for `entity = "location"`.
    pub depth: usize,
    /// An event from a network this many identities used a day or more before (the office, the VPN) brings
    /// nothing new, however new to the entity (0: off).
    pub unless_usual: usize,
    /// Sign-ins that vouch for an address (e.g. a console sign-in with MFA): an event from an address where its
    /// identity signed in so within a day of it brings nothing new. The owner proved who they were from there.
    pub unless_signed_in: Option<Queries>,
}

/// An event matching `first`, then one matching `then` by the same group within `within`.
#[derive(Debug, Clone)]
pub struct SequenceRule {
    pub first: Queries,
    pub then: Queries,
    pub by: Group,
    pub within: Nanos,
}

/// What ends an entity's legitimate use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOf {
    /// The token's revocation event (DeleteAccessKey, UpdateAccessKey to Inactive, DeleteServiceAccountKey, ...).
    Revocation,
    /// Credentials minted from a revoked token (a session of a disabled key stays valid until it expires).
    RevokedParent,
    /// An end date the analyst sets for an entity (`DetectOptions::end_dates`).
    EndDate,
}

/// Use of an entity after its end.
#[derive(Debug, Clone)]
pub struct AfterEndRule {
    pub of: EndOf,
    /// Events this close after the end are tolerated (log clocks, in-flight requests).
    pub grace: Nanos,
}

/// A Sigma rule as heist runs it.
#[derive(Debug, Clone)]
pub struct SigmaRun {
    pub detection: std::sync::Arc<super::sigma::parse::Detection>,
    /// `product/service` as the rule names it.
    pub logsource: String,
    pub class: super::sigma::logsource::Class,
    /// The frame rows whose records are tested: the logsource's rows, narrowed by the values the detection pins
    /// (`eventName` to `action`).
    pub rows: Queries,
    /// Every field the rule names has a frame column: rows whose record cannot be read are tested on the frame.
    pub frame_only: bool,
    /// Whether its events are findings of their own (a rule a correlation uses without `generate` only feeds it).
    pub generates: bool,
    /// Sigma's `name`, which correlations may use instead of the id.
    pub name: Option<String>,
    /// Fields whose values the rule's aggregation or a correlation groups or counts by, captured per event.
    pub captures: Vec<String>,
}

/// How a correlation compares the events of its rules.
#[derive(Debug, Clone, PartialEq)]
pub enum CorrelationOf {
    /// Events per group in the timespan: heist's threshold with a count.
    EventCount,
    /// Distinct values of a field per group in the timespan: a threshold with a distinct count.
    ValueCount,
    /// Every rule matched, per group, within the timespan: a sequence in any order.
    Temporal,
    /// Every rule matched in the order given: a sequence.
    TemporalOrdered,
}

/// A Sigma correlation rule.
#[derive(Debug, Clone)]
pub struct SigmaCorrelationRun {
    pub of: CorrelationOf,
    /// heist ids of the Sigma rules it correlates, in the order given.
    pub rules: Vec<String>,
    /// Per rule (same order), the fields whose values make the group key (aliases resolved).
    pub group_by: Vec<Vec<String>>,
    /// Per rule, the counted field (`value_count`).
    pub field: Vec<Option<String>>,
    pub timespan: Nanos,
    pub condition: Option<(super::sigma::parse::Cmp, f64)>,
}

impl SigmaCorrelationRun {
    pub fn kind_name(&self) -> &'static str {
        match self.of {
            CorrelationOf::EventCount => "sigma event_count",
            CorrelationOf::ValueCount => "sigma value_count",
            CorrelationOf::Temporal => "sigma temporal",
            CorrelationOf::TemporalOrdered => "sigma temporal_ordered",
        }
    }
}

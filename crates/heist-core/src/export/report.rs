//! What a report says, as plain data: built from the bundle and the case by `build`, turned into Markdown, CSV or
//! JSON lines by pure functions. Nothing here reads a frame, so the writers are tested on hand-made input.

use crate::case::TimeZone;
use crate::entities::EntityKind;
use crate::frame::{Col, EventKey};
use crate::util::time::Nanos;

/// Everything a report needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput {
    pub title: String,
    pub analyst: Option<String>,
    /// When the report was made.
    pub generated: Nanos,
    pub tz: TimeZone,
    pub scope: Scope,
    /// Which events the timeline holds, and why.
    pub basis: Basis,
    /// Entities the timeline involves (and those the analyst annotated), by kind then by first seen.
    pub entities: Vec<EntitySummary>,
    /// Detections over the bundle (filled by the detection engine; empty when there are none).
    pub findings: Vec<ReportFinding>,
    /// The findings grouped into incidents (indices into `findings`), highest score first. Empty when the caller
    /// did not group them: the findings are then listed flat.
    pub incidents: Vec<ReportIncident>,
    /// Findings outside every incident, one entry per rule.
    pub other: Vec<ReportOther>,
    /// The attack scope the case holds (its seeds walked, the analyst's additions and drops applied).
    pub attack_scope: Option<crate::scope::Scope>,
    /// The timeline, in time order.
    pub events: Vec<ReportEvent>,
    /// Entities with tags or notes, by kind then name.
    pub entity_notes: Vec<EntityAnnotation>,
    /// Timeline events whose raw record the appendix left out (it holds at most `appendix_limit`).
    pub appendix_omitted: usize,
    /// Things the reader must know (a case made on another bundle, records that could not be re-read, ...).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The events the analyst marked (narrowed by a query when one was given).
    Marked { query: Option<String> },
    /// Nothing is marked: the events of a query (or a view).
    Query(String),
    /// Nothing is marked and no query: every event.
    All,
}

/// What the bundle is and what heist read from it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    pub bundle_sha256: String,
    pub files: Vec<ScopeFile>,
    pub sources: Vec<SourceCount>,
    pub first: Option<Nanos>,
    pub last: Option<Nanos>,
    pub events: usize,
    pub duplicates: usize,
    /// Malformed records: the count, and the first few with where they were.
    pub malformed: usize,
    pub malformed_examples: Vec<(String, String)>,
    /// Files deliberately not loaded.
    pub skipped: usize,
    /// Where the case is saved, when there is one.
    pub case_file: Option<String>,
}

/// One input file as stored on disk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// Formats of the logs found in it (an archive may hold several).
    pub formats: Vec<String>,
    pub events: usize,
    /// Why (part of) it was not read, when that happened.
    pub not_read: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCount {
    pub source: String,
    pub events: u64,
    pub first: Option<Nanos>,
    pub last: Option<Nanos>,
}

/// One entity, with its activity over the whole bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    pub kind: EntityKind,
    pub name: String,
    /// identity_type / token_kind / asset_kind.
    pub detail: Option<String>,
    pub first: Option<Nanos>,
    pub last: Option<Nanos>,
    pub events: u64,
    pub failures: u64,
    pub tags: Vec<String>,
    /// Tokens: where the credential came from, what it minted, when it ended.
    pub lineage: Vec<LineageLine>,
    /// Credentials it minted that the list leaves out.
    pub more_minted: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// This credential was minted with `token` (`identity`).
    MintedFrom,
    /// This credential minted `token` (`identity`).
    Minted,
    /// This credential was ended.
    EndedBy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageLine {
    pub relation: Relation,
    pub token: Option<String>,
    pub identity: Option<String>,
    pub action: String,
    pub time: Nanos,
}

/// A detection, as the report shows it. The detection engine's findings map onto this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    pub rule: String,
    pub title: String,
    pub severity: String,
    /// MITRE ATT&CK technique ids, e.g. `T1078.004`.
    pub techniques: Vec<String>,
    pub explanation: String,
    pub events: Vec<EventKey>,
    pub first: Option<Nanos>,
    pub last: Option<Nanos>,
    /// Where to read about the rule (a Sigma rule's references).
    pub references: Vec<String>,
    /// What else makes such events (a Sigma rule's false positives).
    pub falsepositives: Vec<String>,
}

/// An incident, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportIncident {
    pub id: String,
    pub score: u32,
    pub title: String,
    pub severity: String,
    pub first: Nanos,
    pub last: Nanos,
    pub techniques: Vec<String>,
    /// Indices into `ReportInput::findings`, in time order, with the severity each is shown with (a step up
    /// inside an incident).
    pub findings: Vec<(usize, String)>,
    /// Those of `findings` only time links to the rest (their log names no address).
    pub by_time: Vec<usize>,
}

/// The findings of one rule outside every incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOther {
    pub rule: String,
    pub title: String,
    pub severity: String,
    pub count: usize,
    /// How many different entities the rule grouped by.
    pub entities: usize,
    pub first: Nanos,
    pub last: Nanos,
    /// Indices into `ReportInput::findings`.
    pub findings: Vec<usize>,
}

/// What the rule pack found, for the report: every finding, and how they group into incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFindings {
    pub findings: Vec<ReportFinding>,
    pub incidents: Vec<ReportIncident>,
    pub other: Vec<ReportOther>,
}

impl ReportFindings {
    /// Findings without grouping: listed flat.
    pub fn flat(findings: Vec<ReportFinding>) -> Self {
        ReportFindings {
            findings,
            ..Self::default()
        }
    }

    /// The rule pack's findings and their incidents ([`crate::detect::incident::group`]).
    pub fn grouped(
        findings: &[crate::detect::Finding],
        grouped: &crate::detect::Incidents,
    ) -> Self {
        ReportFindings {
            findings: findings.iter().map(ReportFinding::from).collect(),
            incidents: grouped
                .incidents
                .iter()
                .map(|inc| ReportIncident {
                    id: inc.id.clone(),
                    score: inc.score,
                    title: inc.title.clone(),
                    severity: inc.severity.name().to_string(),
                    first: inc.first,
                    last: inc.last,
                    techniques: inc.techniques.clone(),
                    findings: inc
                        .findings
                        .iter()
                        .filter(|&&i| i < findings.len())
                        .map(|&i| (i, grouped.severity(i, &findings[i]).name().to_string()))
                        .collect(),
                    by_time: inc.by_time.clone(),
                })
                .collect(),
            other: grouped
                .other
                .iter()
                .map(|o| ReportOther {
                    rule: o.rule.clone(),
                    title: o.title.clone(),
                    severity: o.severity.name().to_string(),
                    count: o.count,
                    entities: o.entities,
                    first: o.first,
                    last: o.last,
                    findings: o.findings.clone(),
                })
                .collect(),
        }
    }
}

/// One timeline event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEvent {
    pub key: EventKey,
    pub time: Nanos,
    /// Every output column (`Col::OUTPUT` order) as text; `origin` is `path:line` / `path[index]`.
    pub fields: Vec<Option<String>>,
    pub marked: bool,
    pub tags: Vec<String>,
    pub note: String,
    /// The raw record, pretty-printed, for the appendix (`None`: not included; `Err`: could not be re-read).
    pub raw: Option<Result<String, String>>,
}

impl ReportEvent {
    /// The text of an output column.
    pub fn get(&self, c: Col) -> Option<&str> {
        let i = Col::OUTPUT.iter().position(|x| *x == c)?;
        self.fields.get(i)?.as_deref()
    }
}

/// Tags and note on one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityAnnotation {
    pub kind: EntityKind,
    pub name: String,
    pub tags: Vec<String>,
    pub note: String,
}

/// Times in the report's zone: the one way heist shows a time to the analyst (`util::time`).
pub use crate::util::time::{fmt_time, tz_label};

pub use crate::util::num::thousands;

impl From<&crate::detect::Finding> for ReportFinding {
    fn from(f: &crate::detect::Finding) -> Self {
        let mut explanation = f.explanation.clone();
        if f.is_capped() {
            explanation.push_str(&format!(
                " ({} events in all; the first {} are listed)",
                f.events_total,
                f.events.len()
            ));
        }
        ReportFinding {
            rule: f.rule.clone(),
            title: f.title.clone(),
            severity: f.severity.name().to_string(),
            techniques: f.techniques.clone(),
            explanation,
            events: f.events.clone(),
            first: Some(f.first),
            last: Some(f.last),
            references: f.references.clone(),
            falsepositives: f.falsepositives.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_by_column() {
        let mut fields = vec![None; Col::OUTPUT.len()];
        let i = Col::OUTPUT.iter().position(|c| *c == Col::Action).unwrap();
        fields[i] = Some("GetObject".to_string());
        let e = ReportEvent {
            key: EventKey::from_text("k"),
            time: 0,
            fields,
            marked: true,
            tags: vec![],
            note: String::new(),
            raw: None,
        };
        assert_eq!(e.get(Col::Action), Some("GetObject"));
        assert_eq!(e.get(Col::Token), None);
        assert_eq!(e.get(Col::RawOffset), None, "not an output column");
    }
}

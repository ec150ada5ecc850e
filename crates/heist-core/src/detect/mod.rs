//! The theft-detection rule pack. Rules are data (TOML files in `assets/rules/`, embedded in the binary, plus user
//! folders); each is one of five kinds, run over the event frame:
//!
//! - **match**: a query in the CLI's language over one event (`action:StopLogging`);
//! - **threshold**: count / distinct count / sum of bytes or tokens per group in a sliding window, above N or above k
//!   times the group's own baseline;
//! - **first_seen**: a token or identity used from a new IP, network, user agent or region after a quiet baseline;
//! - **sequence**: A then B by the same token or identity within T;
//! - **after_end**: a token used after its revocation, or an entity after an end date the analyst sets.
//!
//! A query may also test the raw record behind each event it selects (`raw` conditions: a policy document, a port
//! range), read back from the bundle's files ([`detect_store`], [`raw`]).
//!
//! Every finding names its rule, severity, ATT&CK / ATLAS techniques, the entities to pivot from, the stable keys
//! of the events behind it ([`keys`]), its time window and a one-line explanation with the numbers. Pure library
//! code: no terminal here (explanations carry log text: neutralise them before printing).

mod duration;
mod eval;
pub mod filter;
pub mod finding;
pub mod flags;
pub mod incident;
pub mod keys;
pub mod pack;
pub mod parse;
pub mod raw;
pub mod rule;
pub mod severity;
pub mod sigma;
pub mod training;

use polars::prelude::{DataFrame, PolarsError};
use rayon::prelude::*;
use thiserror::Error;

pub use finding::{
    by_severity, by_time, in_time_order, Finding, MAX_ENTITIES_PER_KIND, MAX_EVENTS,
};
pub use flags::{Flag, Flags};
pub use incident::{Incident, IncidentOptions, Incidents, OtherGroup};
pub use pack::{PackError, RulePack};
pub use parse::RuleError;
pub use raw::RawRecords;
pub use rule::{Rule, RuleKind};
pub use severity::Severity;

use crate::entities::Entity;
use crate::frame::{Col, EventStore};
use crate::util::time::Nanos;

#[derive(Debug, Error)]
pub enum DetectError {
    #[error("running rule {rule:?}: {message}")]
    Rule { rule: String, message: String },
    #[error("detection: {0}")]
    Polars(#[from] PolarsError),
    #[error("detection: {0}")]
    Query(#[from] crate::query::CompileError),
}

/// What the analyst adds to a run.
#[derive(Debug, Clone, Default)]
pub struct DetectOptions {
    /// Entities whose legitimate use ended at a time (an employee's last day, a rotated key): any later event of
    /// theirs is a finding of the `after_end` rules with `of = "end_date"`.
    pub end_dates: Vec<(Entity, Nanos)>,
    /// Rules below this severity are not run.
    pub min_severity: Severity,
}

/// Run every enabled rule of `pack` at or above `opts.min_severity` over the loaded bundle: the frame, and the raw
/// records behind it for the rules whose queries test them (`raw` conditions). Findings come sorted by severity
/// (highest first), then first time, then rule id; see [`in_time_order`] for the story's order.
pub fn detect_store(
    store: &EventStore,
    pack: &RulePack,
    opts: &DetectOptions,
) -> Result<Vec<Finding>, DetectError> {
    detect_with(&store.frame, Some(store), pack, opts)
}

/// [`detect_store`], with what the run could not look at (see [`Detection`]): what the CLI and the TUI run.
pub fn detect_store_detail(
    store: &EventStore,
    pack: &RulePack,
    opts: &DetectOptions,
) -> Result<Detection, DetectError> {
    detect_detail(&store.frame, Some(store), pack, opts)
}

/// A run's findings, and the Sigma rules that could not test every event they selected.
#[derive(Debug, Default)]
pub struct Detection {
    pub findings: Vec<Finding>,
    /// Per Sigma rule (in pack order), the events it selected whose raw record could not be read back from the
    /// bundle (a file changed or moved since the load, a bundle read from memory) and whose frame columns do not
    /// hold every field the rule names: those events were not tested.
    pub unread: Vec<Unread>,
}

/// A rule's events left untested, for want of their raw records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub rule: String,
    pub title: String,
    pub events: usize,
}

impl Detection {
    /// One line for the analyst when some rule could not test all its events, naming the rules with the most.
    pub fn notice(&self) -> Option<String> {
        if self.unread.is_empty() {
            return None;
        }
        let events: usize = self.unread.iter().map(|u| u.events).sum();
        let mut worst: Vec<&Unread> = self.unread.iter().collect();
        worst.sort_by(|a, b| b.events.cmp(&a.events).then(a.rule.cmp(&b.rule)));
        let mut named: Vec<String> = worst
            .iter()
            .take(3)
            .map(|u| format!("{} ({})", u.title, crate::util::num::thousands(u.events)))
            .collect();
        if worst.len() > 3 {
            named.push(format!("+{} more", worst.len() - 3));
        }
        Some(format!(
            "Sigma: {} could not test {} they selected: the raw records could not be read back from the bundle \
             (a file changed or moved since it was loaded, or it was read from memory): {}",
            crate::util::num::count_of(self.unread.len(), "rule", "rules"),
            crate::util::num::count_of(events, "event", "events"),
            named.join(", ")
        ))
    }
}

/// [`detect_store`] over a bare event frame (in time order, as `EventStore::frame` is). Without the bundle the raw
/// records cannot be read, so a query with `raw` conditions selects nothing: use [`detect_store`], or
/// [`detect_with`] and a [`RawRecords`] of your own, whenever a rule may test the raw record
/// ([`RulePack::reads_raw`]).
pub fn detect(
    frame: &DataFrame,
    pack: &RulePack,
    opts: &DetectOptions,
) -> Result<Vec<Finding>, DetectError> {
    detect_with(frame, None, pack, opts)
}

/// Run the pack over `frame`, reading raw records (for `raw` conditions) from `raw` when given.
pub fn detect_with(
    frame: &DataFrame,
    raw: Option<&dyn RawRecords>,
    pack: &RulePack,
    opts: &DetectOptions,
) -> Result<Vec<Finding>, DetectError> {
    Ok(detect_detail(frame, raw, pack, opts)?.findings)
}

/// [`detect_with`], with what the run could not look at.
pub fn detect_detail(
    frame: &DataFrame,
    raw: Option<&dyn RawRecords>,
    pack: &RulePack,
    opts: &DetectOptions,
) -> Result<Detection, DetectError> {
    let ctx = eval::Ctx::new(frame, raw)?;
    // The columns most rules read, decoded once before the rules run side by side.
    for c in [
        Col::Token,
        Col::Identity,
        Col::SourceIp,
        Col::Action,
        Col::Outcome,
    ] {
        ctx.codes(c)?;
    }
    let rules: Vec<&Rule> = pack
        .rules()
        .iter()
        .filter(|r| r.enabled && r.severity >= opts.min_severity)
        .collect();
    // Sigma rules read the raw records in one pass for all of them; a rule that only feeds a correlation runs
    // whatever its own level.
    let sigma: Vec<&Rule> = pack
        .rules()
        .iter()
        .filter(|r| {
            r.enabled
                && match &r.kind {
                    RuleKind::Sigma(s) => !s.generates || r.severity >= opts.min_severity,
                    _ => false,
                }
        })
        .collect();
    if !sigma.is_empty() {
        ctx.scan_sigma(&sigma)?;
    }
    let per_rule: Vec<Result<Vec<Finding>, DetectError>> = rules
        .par_iter()
        .map(|r| {
            eval::run(&ctx, r, opts).map_err(|e| DetectError::Rule {
                rule: r.id.clone(),
                message: e.to_string(),
            })
        })
        .collect();
    let mut out = Vec::new();
    for r in per_rule {
        out.extend(r?);
    }
    out.sort_by(by_severity);
    let unread = sigma
        .iter()
        .filter_map(|r| {
            let events = ctx.sigma_hits(&r.id)?.unread;
            (events > 0).then(|| Unread {
                rule: r.id.clone(),
                title: r.title.clone(),
                events,
            })
        })
        .collect();
    Ok(Detection {
        findings: out,
        unread,
    })
}

#[cfg(test)]
mod detection_tests {
    use super::{Detection, Unread};

    fn unread(rule: &str, events: usize) -> Unread {
        Unread {
            rule: rule.into(),
            title: format!("Title {rule}"),
            events,
        }
    }

    #[test]
    fn the_notice_names_the_rules_with_most_untested_events() {
        assert_eq!(Detection::default().notice(), None);
        let d = Detection {
            findings: Vec::new(),
            unread: vec![
                unread("a", 3),
                unread("b", 1_200),
                unread("c", 3),
                unread("d", 40),
            ],
        };
        let n = d.notice().unwrap();
        assert!(
            n.starts_with("Sigma: 4 rules could not test 1,246 events they selected"),
            "{n}"
        );
        assert!(
            n.ends_with("Title b (1,200), Title d (40), Title a (3), +1 more"),
            "{n}"
        );
    }
}

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
    Ok(out)
}

//! Sigma rules, run natively beside heist's own pack.
//!
//! `heist detect PATH --sigma DIR` (and the TUI, and a `sigma/` folder in the config dir) loads a folder of Sigma
//! rules as it is: SigmaHQ's cloud and identity rules, or a team's own. Each rule becomes a rule of the pack
//! ([`crate::detect::RuleKind::Sigma`]), so its findings sit beside the shipped rules' in the Findings tab,
//! incidents, the report and JSON, carrying the Sigma id, title, level (as severity), ATT&CK tags, references and
//! false positives.
//!
//! - [`parse`]: Sigma YAML to searches, conditions, value modifiers, aggregations and correlation rules.
//! - [`logsource`]: which frame rows a logsource names (`aws/cloudtrail` is CloudTrail in every shape heist reads).
//! - [`fields`]: a Sigma field name (`userIdentity.type`) against the raw record behind a row, wrapped or not.
//! - [`load`]: folders to rules, and every rule heist cannot run with the reason (`heist sigma check DIR`).
//! - [`engine`]: one pass over the raw records for all Sigma rules of a run.
//!
//! The rules' licence stays with them: heist ships no Sigma rule, it reads the folders the analyst gives.

pub mod engine;
pub mod fields;
mod lazy;
pub mod load;
pub mod logsource;
pub mod parse;

pub use load::{load_dirs, load_texts, SigmaLoad, SigmaLoadError, Skipped};

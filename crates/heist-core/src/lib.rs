//! heist's domain: bundles in, one normalised Polars frame, queries, entities and lineage, detections, the case
//! and its exports.
//!
//! Layers, one direction: bundle -> [`ingest`] -> [`frame`] -> [`query`] (and [`entities`], [`detect`]) ->
//! [`case`] / [`export`]. This crate never depends on a terminal library or a command-line parser: the TUI
//! (`heist-tui`) and the binary (`heist`) depend on it, never the other way round.

pub mod case;
pub mod detect;
pub mod entities;
pub mod export;
pub mod frame;
pub mod ingest;
pub mod query;
pub mod scope;
pub mod util;

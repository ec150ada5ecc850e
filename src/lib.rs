//! heist: a terminal investigator for AI resource theft.
//!
//! Layers, one direction: bundle -> [`ingest`] -> [`frame`] -> [`query`] (and entities, detections) -> CLI / TUI.
//! Domain modules never import a terminal library.

pub mod case;
pub mod cli;
pub mod detect;
pub mod entities;
pub mod export;
pub mod frame;
pub mod ingest;
pub mod query;
pub mod synth;
pub mod tui;
pub mod util;

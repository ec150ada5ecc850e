//! heist's integration tests, one binary: the CLI run as a user runs it, golden output, the TUI on a test
//! backend and in tmux, real public datasets, and the rule pack against records of each format.

mod case_crash;
mod case_roundtrip;
mod cli_hostile;
mod cli_pivot;
mod cli_sample;
#[allow(dead_code)]
mod common;
mod convert_dataset;
mod detect_datasets;
mod detect_false_positives;
mod detect_rules_abuse;
mod detect_rules_aws_access;
mod detect_rules_aws_exec;
mod detect_rules_collection;
mod detect_rules_credentials;
mod detect_sample;
mod detect_stratus;
#[allow(dead_code)]
mod detect_support;
mod docs;
mod evidence_untouched;
mod export_cli;
mod export_markdown;
mod lineage_rules;
mod load_budget;
mod load_damaged;
mod ocsf_roundtrip;
mod pivot_sample;
mod real_azure;
mod real_data;
mod real_exports_elastic;
mod real_exports_ocsf;
mod real_exports_sentinel;
mod real_formats;
mod real_m365;
mod reexport_roundtrip;
#[allow(dead_code)]
mod reexport_shapes;
mod scope;
mod sigma_corpus;
mod sigma_rules;
mod tmux_e2e;
mod tui_cache;
mod tui_case_prompts;
mod tui_findings;
mod tui_inputs;
mod tui_moves;
mod tui_progressive;
mod tui_screens;
mod tui_sigma;
mod tui_wide_text;

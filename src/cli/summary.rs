//! `heist summary PATH... [--json]`

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::load::{load, thousands};
use super::table::Table;
use super::BundleArgs;
use heist_core::frame::store::{FileIssue, RecordError};
use heist_core::frame::{Col, EventStore};
use heist_core::query::stats::{time_range, top_values, value_counts};
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::format_utc;

#[derive(Args, Debug)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

const TOP: usize = 10;

#[derive(Serialize)]
pub struct TimeRange {
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Serialize)]
pub struct Count {
    pub name: String,
    pub events: u64,
}

#[derive(Serialize)]
pub struct Top {
    pub identities: Vec<Count>,
    pub tokens: Vec<Count>,
    pub assets: Vec<Count>,
    pub source_ips: Vec<Count>,
}

/// The summary as data; the JSON keys are part of the CLI contract.
#[derive(Serialize)]
pub struct Summary {
    pub events: u64,
    pub sources: BTreeMap<String, u64>,
    pub files: u64,
    /// Of `files`, Parquet files of an event dataset (`heist convert`'s output, a lake's slice): events with no raw
    /// records behind them.
    #[serde(skip_serializing_if = "is_zero")]
    pub dataset_files: u64,
    pub time_range: TimeRange,
    pub error_count: u64,
    pub errors: Vec<RecordError>,
    pub unreadable: Vec<FileIssue>,
    pub skipped: Vec<FileIssue>,
    pub duplicates: u64,
    pub merged: u64,
    pub top: Top,
}

pub fn summarize(store: &EventStore) -> anyhow::Result<Summary> {
    let df = &store.frame;
    let top = |c: Col| -> anyhow::Result<Vec<Count>> {
        Ok(top_values(df, c, TOP)?
            .into_iter()
            .map(|(name, events)| Count { name, events })
            .collect())
    };
    let range = time_range(df)?;
    Ok(Summary {
        events: df.height() as u64,
        sources: value_counts(df, Col::Source)?.into_iter().collect(),
        files: (store.files.len() + store.report.dataset_files) as u64,
        dataset_files: store.report.dataset_files as u64,
        time_range: TimeRange {
            first: range.map(|r| format_utc(r.0)),
            last: range.map(|r| format_utc(r.1)),
        },
        error_count: store.report.error_count as u64,
        errors: store.report.errors.clone(),
        unreadable: store.report.unreadable.clone(),
        skipped: store.report.skipped.clone(),
        duplicates: store.report.duplicates as u64,
        merged: store.report.merged as u64,
        top: Top {
            identities: top(Col::Identity)?,
            tokens: top(Col::Token)?,
            assets: top(Col::Asset)?,
            source_ips: top(Col::SourceIp)?,
        },
    })
}

pub fn run(args: &SummaryArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (store, _) = load(&args.bundle, None)?;
    let s = summarize(&store)?;
    if args.json {
        super::write_json(&mut *out, &s)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&s, args.bundle.verbose))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The human-readable summary.
pub fn render(s: &Summary, verbose: bool) -> String {
    let mut o = String::new();
    let t = thousands;
    if s.dataset_files > 0 {
        o += &format!(
            "files       {} Parquet files of an event dataset, {} unreadable (no raw records)\n",
            t(s.dataset_files),
            s.unreadable.len()
        );
    } else {
        o += &format!(
            "files       {} read, {} unreadable, {} skipped\n",
            t(s.files),
            s.unreadable.len(),
            s.skipped.len()
        );
    }
    let mut extra = Vec::new();
    if s.duplicates > 0 {
        extra.push(format!("{} duplicates dropped", t(s.duplicates)));
    }
    if s.merged > 0 {
        extra.push(format!("{} partial records merged", t(s.merged)));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" ({})", extra.join(", "))
    };
    o += &format!("events      {}{extra}\n", t(s.events));
    match (&s.time_range.first, &s.time_range.last) {
        (Some(a), Some(b)) => o += &format!("time range  {a} .. {b} (UTC)\n"),
        _ => o += "time range  -\n",
    }
    let sources: Vec<String> = s
        .sources
        .iter()
        .map(|(k, v)| format!("{k} {}", t(*v)))
        .collect();
    o += &format!(
        "sources     {}\n",
        if sources.is_empty() {
            "-".into()
        } else {
            sources.join(", ")
        }
    );
    o += &format!("errors      {}\n", t(s.error_count));
    for (title, list) in [
        ("Top identities", &s.top.identities),
        ("Top tokens", &s.top.tokens),
        ("Top assets", &s.top.assets),
        ("Top source IPs", &s.top.source_ips),
    ] {
        if list.is_empty() {
            continue;
        }
        o += &format!("\n{title}\n");
        let mut tab = Table::new(&[("events", 12), ("name", 100)]);
        for c in list {
            tab.push(&[t(c.events), c.name.clone()]);
        }
        for line in tab.render().lines().skip(1) {
            o += &format!("  {line}\n");
        }
    }
    if !s.errors.is_empty() {
        let more = s.error_count as usize - s.errors.len();
        o += &format!("\nRead errors ({})\n", t(s.error_count));
        for e in &s.errors {
            o += &format!(
                "  {}  {}\n",
                for_terminal(&e.origin),
                for_terminal(&e.message)
            );
        }
        if more > 0 {
            o += &format!("  ... and {} more not listed\n", t(more as u64));
        }
    }
    for (title, list) in [
        ("Unreadable files", &s.unreadable),
        ("Skipped files", &s.skipped),
    ] {
        if list.is_empty() {
            continue;
        }
        o += &format!("\n{title} ({})\n", list.len());
        for line in super::issues::lines(list, verbose) {
            o += &format!("  {line}\n");
        }
    }
    o
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

//! `heist events PATH... [--where QUERY] [--format table|jsonl|csv] [--limit N]`

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use polars::prelude::*;

use super::load::{load_for, thousands};
use super::select::select;
use super::table::Table;
use super::{BundleArgs, QueryArgs};
use heist_core::export::csv_writer::CsvWriter;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::Prefilter;
use heist_core::query::parse::{Pattern, TermKind};
use heist_core::util::sanitize::for_terminal;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Table,
    Jsonl,
    Csv,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    #[command(flatten)]
    pub filter: QueryArgs,
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    pub format: OutFormat,
    /// Print at most N events (the first N in time order).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// Exact values of positive token / id / event terms, and the text of a positive raw search, can be searched for
/// in the raw bytes before parsing.
fn prefilter_for(q: &heist_core::query::Query) -> Option<Prefilter> {
    q.terms.iter().find_map(|t| match &t.kind {
        TermKind::Raw(text) if !t.negated => Prefilter::new(vec![text.clone()]),
        TermKind::Field {
            col: Col::Token | Col::RequestId | Col::EventId,
            any_of,
        } if !t.negated => {
            let lits: Option<Vec<String>> = any_of
                .iter()
                .map(|p| {
                    if let Pattern::Exact(v) = p {
                        Some(v.clone())
                    } else {
                        None
                    }
                })
                .collect();
            lits.and_then(Prefilter::new)
        }
        _ => None,
    })
}

pub fn run(args: &EventsArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let q = args.filter.parse()?;
    let (store, _) = load_for(&args.bundle, prefilter_for(&q), Some(q.clone()))?;
    let mut df = select(&store, &q)?.unwrap_or_else(|| store.frame.clone());
    if let Some(n) = args.limit {
        df = df.head(Some(n));
    }
    let mut w = std::io::BufWriter::new(out);
    match args.format {
        OutFormat::Table => write_table(&store, &df, &mut w)?,
        OutFormat::Jsonl => write_jsonl(&store, &df, &mut w)?,
        OutFormat::Csv => write_csv(&store, &df, &mut w)?,
    }
    w.flush()?;
    report_to_stderr(&store, args.bundle.verbose);
    Ok(ExitCode::SUCCESS)
}

/// What did not load, on stderr, so piped output stays clean but nothing goes unsaid.
fn report_to_stderr(store: &EventStore, verbose: bool) {
    let r = &store.report;
    const SHOW: usize = 5;
    for e in r.errors.iter().take(SHOW) {
        eprintln!(
            "heist: {}: {}",
            for_terminal(&e.origin),
            for_terminal(&e.message)
        );
    }
    if r.error_count > SHOW {
        eprintln!(
            "heist: ... {} malformed records in all (heist summary lists them)",
            thousands(r.error_count as u64)
        );
    }
    for line in super::issues::lines(&r.unreadable, verbose) {
        eprintln!("heist: not loaded: {line}");
    }
    if !r.skipped.is_empty() {
        eprintln!(
            "heist: {} files skipped by design (heist summary lists them)",
            r.skipped.len()
        );
    }
    if r.prefiltered > 0 {
        eprintln!(
            "heist: {} files not parsed: their bytes cannot contain the queried value (errors in them are not checked)",
            thousands(r.prefiltered as u64)
        );
    }
}

/// Columns of the table view.
const TABLE: &[(Col, &str, usize)] = &[
    (Col::Time, "time", 24),
    (Col::Source, "source", 12),
    (Col::Action, "action", 28),
    (Col::Outcome, "outcome", 7),
    (Col::Identity, "identity", 60),
    (Col::Token, "token", 24),
    (Col::Asset, "asset", 60),
    (Col::SourceIp, "ip", 39),
];

fn write_table(_store: &EventStore, df: &DataFrame, w: &mut dyn Write) -> anyhow::Result<()> {
    let r = FrameReader::new(df)?;
    let headers: Vec<(&str, usize)> = TABLE.iter().map(|(_, h, n)| (*h, *n)).collect();
    let mut t = Table::new(&headers);
    // Widths come from the first rows; the rest stream through with those widths (cut to fit).
    const MEASURE: usize = 1000;
    let mut header = true;
    for row in 0..df.height() {
        let cells: Vec<String> = TABLE
            .iter()
            .map(|(c, _, _)| r.display(*c, row).unwrap_or_else(|| "-".into()))
            .collect();
        t.push(&cells);
        if row + 1 == MEASURE {
            t.freeze_widths();
        }
        if row + 1 >= MEASURE && (row + 1) % MEASURE == 0 {
            write!(w, "{}", t.drain(header))?;
            header = false;
        }
    }
    if df.height() < MEASURE {
        t.freeze_widths();
    }
    write!(w, "{}", t.drain(header))?;
    Ok(())
}

fn write_jsonl(store: &EventStore, df: &DataFrame, w: &mut dyn Write) -> anyhow::Result<()> {
    let r = FrameReader::new(df)?;
    for row in 0..df.height() {
        let line = serde_json::to_string(&store.event_json(&r, row))?;
        w.write_all(heist_core::util::sanitize::inert_json(&line).as_bytes())?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// The frame's output columns as CSV, through the same writer as `heist export --format csv`.
fn write_csv(store: &EventStore, df: &DataFrame, w: &mut dyn Write) -> anyhow::Result<()> {
    let r = FrameReader::new(df)?;
    let mut csv = CsvWriter::new(w);
    csv.row(Col::OUTPUT.iter().map(|c| c.name()))?;
    for row in 0..df.height() {
        let m = store.event_json(&r, row);
        csv.row(Col::OUTPUT.iter().map(|c| match m.get(c.name()) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }))?;
    }
    csv.finish()?;
    Ok(())
}

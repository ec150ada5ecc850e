//! `heist convert PATH... --out DIR [--partition source,date] [--where QUERY]`: the normalised frame as a
//! Hive-partitioned Parquet dataset for DuckDB, Spark, Athena / Trino, and for heist to open again.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::load::{load_for, thousands};
use super::select::select;
use super::{BundleArgs, QueryArgs};
use heist_core::export::{self, dataset::PartitionKey};
use heist_core::util::sanitize::for_terminal;

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    #[command(flatten)]
    pub filter: QueryArgs,
    /// A new or empty folder to write the dataset in (never inside the bundle).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Folders to split the files by: `source`, `date` (the UTC day), both (the default), or `none`.
    #[arg(long, value_name = "KEYS", default_value = "source,date")]
    pub partition: String,
}

pub fn run(args: &ConvertArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    export::check_outside(&args.out, &args.bundle.paths)?;
    let keys: Vec<PartitionKey> = match args.partition.trim() {
        "" | "none" => Vec::new(),
        s => s
            .split(',')
            .map(PartitionKey::parse)
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?,
    };
    let q = args.filter.parse()?;
    let (store, _) = load_for(&args.bundle, None, Some(q.clone()))?;
    let frame = select(&store, &q)?.unwrap_or_else(|| store.frame.clone());
    let written = export::dataset::write(&frame, &args.out, &keys).map_err(anyhow::Error::msg)?;
    writeln!(
        out,
        "{} events in {} Parquet files under {}",
        thousands(written.rows as u64),
        written.files.len(),
        for_terminal(&args.out.display().to_string())
    )?;
    let r = &store.report;
    if !r.unreadable.is_empty() || r.error_count > 0 {
        eprintln!(
            "heist: {} files did not load and {} records were malformed: `heist summary` lists them",
            r.unreadable.len(),
            thousands(r.error_count as u64)
        );
    }
    Ok(ExitCode::SUCCESS)
}

//! `heist sigma check DIR... [--verbose] [--json]`: what heist makes of Sigma rule folders.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::table::Table;
use heist_core::detect::sigma::{load_dirs, Skipped};
use heist_core::detect::RuleKind;

#[derive(Subcommand, Debug)]
pub enum SigmaCommand {
    /// Load Sigma rule folders and print, per logsource, the rules heist runs and the rules it skips, by reason.
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Folders of Sigma rules (*.yml, *.yaml, searched recursively).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Also list every skipped rule: file, title and reason.
    #[arg(long, short)]
    pub verbose: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Json<'a> {
    files: usize,
    loaded: usize,
    skipped: usize,
    by_logsource: Vec<LogsourceJson>,
    by_reason: Vec<ReasonJson>,
    rules: Vec<RuleJson<'a>>,
    skipped_rules: &'a [Skipped],
}

#[derive(Serialize)]
struct LogsourceJson {
    logsource: String,
    loaded: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct ReasonJson {
    reason: String,
    rules: usize,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    severity: &'static str,
    file: &'a str,
}

pub fn run(cmd: &SigmaCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cmd {
        SigmaCommand::Check(a) => check(a, out),
    }
}

fn check(a: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let load = load_dirs(&a.dirs)?;
    if a.json {
        let json = Json {
            files: load.files,
            loaded: load.rules.len(),
            skipped: load.skipped.len(),
            by_logsource: load
                .by_logsource()
                .into_iter()
                .map(|(logsource, loaded, skipped)| LogsourceJson {
                    logsource,
                    loaded,
                    skipped,
                })
                .collect(),
            by_reason: load
                .by_reason()
                .into_iter()
                .map(|(reason, rules)| ReasonJson { reason, rules })
                .collect(),
            rules: load
                .rules
                .iter()
                .map(|r| RuleJson {
                    id: &r.id,
                    title: &r.title,
                    kind: r.kind.name(),
                    severity: r.severity.name(),
                    file: &r.file,
                })
                .collect(),
            skipped_rules: &load.skipped,
        };
        super::write_json(&mut *out, &json)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let aggregations = load
        .rules
        .iter()
        .filter(|r| {
            matches!(&r.kind, RuleKind::Sigma(s) if s.detection.aggregation().is_some())
                || matches!(r.kind, RuleKind::SigmaCorrelation(_))
        })
        .count();
    writeln!(
        out,
        "{} rule files: {} rules loaded ({} with an aggregation or a correlation), {} skipped\n",
        load.files,
        load.rules.len(),
        aggregations,
        load.skipped.len()
    )?;
    let mut t = Table::new(&[("LOGSOURCE", 40), ("LOADED", 8), ("SKIPPED", 8)]);
    for (ls, loaded, skipped) in load.by_logsource() {
        t.push(&[ls, loaded.to_string(), skipped.to_string()]);
    }
    write!(out, "{}", t.render())?;
    let reasons = load.by_reason();
    if !reasons.is_empty() {
        writeln!(out)?;
        let mut t = Table::new(&[("SKIPPED", 8), ("REASON", 110)]);
        for (reason, n) in reasons {
            t.push(&[n.to_string(), reason]);
        }
        write!(out, "{}", t.render())?;
    }
    if a.verbose && !load.skipped.is_empty() {
        writeln!(out)?;
        let mut t = Table::new(&[("FILE", 70), ("TITLE", 50), ("REASON", 100)]);
        for s in &load.skipped {
            t.push(&[
                s.file.as_str(),
                s.title.as_deref().unwrap_or(""),
                s.reason.as_str(),
            ]);
        }
        write!(out, "{}", t.render())?;
    } else if !load.skipped.is_empty() {
        writeln!(out, "\n--verbose lists every skipped rule with its file.")?;
    }
    Ok(ExitCode::SUCCESS)
}

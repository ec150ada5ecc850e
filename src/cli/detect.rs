//! `heist detect PATH... [--json] [--rules DIR] [--min-severity S] [--end KIND:NAME@TIME] [--case FILE] [--by-time]`

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use super::load::{load, thousands};
use super::table::Table;
use super::BundleArgs;
use heist_core::detect::{detect_store, in_time_order, DetectOptions, Finding, RulePack, Severity};
use heist_core::entities::{Entity, EntityKind};
use heist_core::util::time::{format_utc, parse_any, Nanos};

/// `--json`: the findings in the order asked for, each with its fields in the order of `Finding`.
#[derive(Serialize)]
struct Json<'a> {
    findings: Vec<&'a Finding>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct DetectArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// Machine-readable output: {"findings": [{rule, title, severity, techniques, entities, events, first, last,
    /// explanation, ...}]}.
    #[arg(long)]
    pub json: bool,
    /// A folder of rule files (*.toml) added to the shipped rules; repeatable. Rules in the config dir's
    /// `rules/` folder are always added.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Only run rules of at least this severity: info, low, medium, high or critical.
    #[arg(long, value_name = "S", value_parser = parse_severity, default_value = "info")]
    pub min_severity: Severity,
    /// An end date for an entity (`identity:ARN@2026-10-05T09:00:00Z`, `token:AKIA...@2026-10-05`): its later
    /// events are findings. Repeatable.
    #[arg(long = "end", value_name = "KIND:NAME@TIME")]
    pub end: Vec<String>,
    /// A case file whose end dates (set with `E` in the TUI) are used too.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// List findings in time order (the attack as a story) instead of by severity.
    #[arg(long)]
    pub by_time: bool,
}

/// `identity:arn:aws:iam::1:user/bob@2026-10-05T09:00:00Z` -> the entity and the time.
pub fn parse_end(s: &str) -> anyhow::Result<(Entity, Nanos)> {
    let (kind, rest) = s
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("--end {s:?}: expected KIND:NAME@TIME"))?;
    let kind: EntityKind = kind
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--end {s:?}: {e}"))?;
    let (name, time) = rest
        .rsplit_once('@')
        .ok_or_else(|| anyhow::anyhow!("--end {s:?}: expected KIND:NAME@TIME"))?;
    let at = parse_any(time.trim()).ok_or_else(|| {
        anyhow::anyhow!("--end {s:?}: {time:?} is not a time (try 2026-10-05T09:00:00Z)")
    })?;
    if name.trim().is_empty() {
        anyhow::bail!("--end {s:?}: no name before @");
    }
    Ok((Entity::new(kind, name.trim()), at))
}

/// The shipped rules, the config dir's `rules/` folder, then each `--rules DIR`.
pub fn rule_pack(dirs: &[PathBuf]) -> anyhow::Result<RulePack> {
    Ok(RulePack::with_user_dirs(dirs)?)
}

pub fn run(args: &DetectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = rule_pack(&args.rules)?;
    let mut end_dates = args
        .end
        .iter()
        .map(|s| parse_end(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(p) = &args.case {
        if !p.exists() {
            anyhow::bail!("{}: no such case file", p.display());
        }
        let digest = heist_core::case::digest(&args.bundle.paths).context("hashing the bundle")?;
        let opened = heist_core::case::open(
            &heist_core::case::CaseLocation::File(p.clone()),
            &digest,
            heist_core::case::now(),
        )?;
        if let Some(w) = &opened.warning {
            eprintln!("heist: {}", heist_core::util::sanitize::for_terminal(w));
        }
        end_dates.extend(opened.case.end_dates());
    }
    let (store, _) = load(&args.bundle, None)?;
    let opts = DetectOptions {
        end_dates,
        min_severity: args.min_severity,
    };
    let findings = detect_store(&store, &pack, &opts)?;
    let ordered: Vec<&Finding> = if args.by_time {
        in_time_order(&findings)
    } else {
        findings.iter().collect()
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &Json { findings: ordered })?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let run = pack
        .rules()
        .iter()
        .filter(|r| r.enabled && r.severity >= args.min_severity)
        .count();
    write!(out, "{}", render(&ordered, run, store.len()))?;
    Ok(ExitCode::SUCCESS)
}

/// The human listing: a header line, one aligned row per finding, every cell neutralised for the terminal (the
/// table does it: explanations quote log content).
pub fn render(findings: &[&Finding], rules: usize, events: usize) -> String {
    let mut s = format!(
        "{} findings from {} rules over {} events",
        thousands(findings.len() as u64),
        rules,
        thousands(events as u64)
    );
    let mut counts = Vec::new();
    for sev in Severity::ALL.iter().rev() {
        let n = findings.iter().filter(|f| f.severity == *sev).count();
        if n > 0 {
            counts.push(format!("{n} {sev}"));
        }
    }
    if !counts.is_empty() {
        s += &format!(" ({})", counts.join(", "));
    }
    s.push('\n');
    if findings.is_empty() {
        return s;
    }
    s.push('\n');
    let mut t = Table::new(&[
        ("SEVERITY", 8),
        ("FIRST", 20),
        ("RULE", 40),
        ("TECHNIQUES", 44),
        ("EVENTS", 9),
        ("EXPLANATION", 400),
    ]);
    for f in findings {
        let events = thousands(f.events_total as u64);
        t.push(&[
            f.severity.name().to_string(),
            format_utc(f.first),
            f.rule.clone(),
            f.techniques.join(" "),
            events,
            f.explanation.clone(),
        ]);
    }
    s += &t.render();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(explanation: &str, severity: Severity) -> Finding {
        Finding {
            rule: "r".into(),
            title: "t".into(),
            severity,
            techniques: vec!["T1530".into(), "AML.T0035".into()],
            entities: vec![Entity::new(EntityKind::Token, "K")],
            entities_omitted: 0,
            events: Vec::new(),
            events_total: 1_234,
            first: 0,
            last: 0,
            explanation: explanation.into(),
        }
    }

    #[test]
    fn listing_counts_and_neutralises() {
        let a = finding("by ua python\u{1b}]0;pwned\u{7}\u{1b}[2J", Severity::High);
        let b = finding("plain", Severity::Low);
        let out = render(&[&a, &b], 43, 1_000_000);
        assert!(
            out.starts_with("2 findings from 43 rules over 1,000,000 events (1 high, 1 low)\n"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'), "{out:?}");
        assert!(out.contains("\\x1b]0;pwned\\x07\\x1b[2J"), "{out}");
        assert!(out.contains("T1530 AML.T0035  1,234"), "{out}");
        assert_eq!(
            render(&[], 43, 5),
            "0 findings from 43 rules over 5 events\n"
        );
    }

    #[test]
    fn end_dates_parse() {
        let (e, t) = parse_end("identity:arn:aws:iam::1:user/bob@2026-10-05T09:00:00Z").unwrap();
        assert_eq!(
            e,
            Entity::new(EntityKind::Identity, "arn:aws:iam::1:user/bob")
        );
        assert_eq!(
            heist_core::util::time::format_utc(t),
            "2026-10-05T09:00:00Z"
        );
        let (e, _) = parse_end("token:AKIA1@2026-10-05").unwrap();
        assert_eq!(e.kind, EntityKind::Token);
        for bad in [
            "AKIA1",
            "team:x@2026-10-05",
            "token:AKIA1",
            "token:AKIA1@soon",
            "token:@2026-10-05",
        ] {
            assert!(parse_end(bad).is_err(), "{bad}");
        }
    }
}

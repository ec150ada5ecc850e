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
use heist_core::detect::incident::{group, Incident, IncidentOptions, Incidents, OtherGroup};
use heist_core::detect::{
    by_time, detect_store_detail, in_time_order, DetectOptions, Finding, RulePack, Severity,
};
use heist_core::entities::{Entity, EntityKind, Lineage};
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::{format_utc, parse_any, Nanos};

/// `--json`: the incidents (their `findings` index into `findings`), the other findings one entry per rule, then
/// every finding, each with its fields in the order of `Finding`.
#[derive(Serialize)]
struct Json<'a> {
    incidents: &'a [Incident],
    other: &'a [OtherGroup],
    findings: &'a [Finding],
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
    /// A folder of Sigma rules (*.yml, searched recursively) run beside the shipped rules; repeatable. The config
    /// dir's `sigma/` folder is always added when it exists. Rules heist cannot run are counted on stderr;
    /// `heist sigma check DIR` lists them with the reason.
    #[arg(long = "sigma", value_name = "DIR")]
    pub sigma: Vec<PathBuf>,
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
    /// With --flat: list findings in time order (the attack as a story) instead of by severity.
    #[arg(long)]
    pub by_time: bool,
    /// One flat list of every finding, by severity (or --by-time), instead of incidents first.
    #[arg(long)]
    pub flat: bool,
    /// What is training data, for the rules that watch it: a glob over asset names (`acme-training-data/*`,
    /// `*/finetune/*`); repeatable. Adds to the config dir's `training-data.txt` and the case's assets tagged
    /// `training-data`; without any, a bucket or prefix named for training data (train, dataset, corpus, ...).
    #[arg(long = "training-data", value_name = "GLOB")]
    pub training_data: Vec<String>,
}

/// The training-data patterns: the config dir's, then `--training-data`, then the case's assets tagged
/// `training-data`.
pub fn training_data(
    flags: &[String],
    case: Option<&heist_core::case::Case>,
) -> anyhow::Result<Vec<String>> {
    let mut out = RulePack::config_training_data()?;
    out.extend(flags.iter().cloned());
    if let Some(c) = case {
        out.extend(c.training_data());
    }
    Ok(out)
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

/// The Sigma folders of a run: the config dir's `sigma/` (when it exists), then each `--sigma DIR`.
pub fn sigma_dirs(flags: &[PathBuf]) -> Vec<PathBuf> {
    heist_core::detect::sigma::load::config_dir()
        .into_iter()
        .chain(flags.iter().cloned())
        .collect()
}

/// Add the Sigma rules of `dirs` to `pack`; the line that says how many loaded and how many were skipped (`None`
/// when there are no Sigma folders).
pub fn add_sigma(pack: &mut RulePack, dirs: &[PathBuf]) -> anyhow::Result<Option<String>> {
    if dirs.is_empty() {
        return Ok(None);
    }
    let load = heist_core::detect::sigma::load_dirs(dirs)?;
    let files = load.files;
    let skipped = pack.add_sigma(load);
    let loaded = pack.sigma_rules();
    let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Ok(Some(if skipped.is_empty() {
        format!("Sigma: {loaded} rules loaded from {files} files")
    } else {
        format!(
            "Sigma: {loaded} rules loaded from {files} files, {} skipped (`heist sigma check {}` says why)",
            skipped.len(),
            shown.join(" ")
        )
    }))
}

pub fn run(args: &DetectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut pack = rule_pack(&args.rules)?;
    if let Some(line) = add_sigma(&mut pack, &sigma_dirs(&args.sigma))? {
        eprintln!("heist: {}", for_terminal(&line));
    }
    let mut case = None;
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
        case = Some(opened.case);
    }
    pack = pack.with_training_data(&training_data(&args.training_data, case.as_ref())?)?;
    let (store, _) = load(&args.bundle, None)?;
    let opts = DetectOptions {
        end_dates,
        min_severity: args.min_severity,
    };
    let detection = detect_store_detail(&store, &pack, &opts)?;
    if let Some(n) = detection.notice() {
        eprintln!("heist: {}", heist_core::util::sanitize::for_terminal(&n));
    }
    let mut findings = detection.findings;
    if args.by_time {
        findings.sort_by(by_time);
    }
    let label = |o: &str, l: u32| store.origin_label(o, l);
    let lineage = Lineage::build(&store.frame, &label)?;
    // The case's attack scope: findings touching it are one incident.
    let scope = match case.as_ref().and_then(|c| c.attack_scope(&store, &lineage)) {
        Some(s) => Some(s.context("the case's attack scope")?),
        None => None,
    };
    let in_scope = scope.as_ref().map(|s| move |e: &Entity| s.contains(e));
    let grouped = group(
        &store.frame,
        &lineage,
        &findings,
        in_scope.as_ref().map(|f| f as &dyn Fn(&Entity) -> bool),
        &IncidentOptions::default(),
    )?;
    if args.json {
        let json = Json {
            incidents: &grouped.incidents,
            other: &grouped.other,
            findings: &findings,
        };
        super::write_json(&mut *out, &json)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let run = pack
        .rules()
        .iter()
        .filter(|r| r.enabled && r.severity >= args.min_severity)
        .count();
    if args.flat {
        let ordered: Vec<&Finding> = if args.by_time {
            in_time_order(&findings)
        } else {
            findings.iter().collect()
        };
        write!(out, "{}", render(&ordered, run, store.len()))?;
    } else {
        write!(
            out,
            "{}",
            render_incidents(&findings, &grouped, run, store.len())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The header line: how many findings, of which severities, over how much.
fn header(findings: &[&Finding], rules: usize, events: usize) -> String {
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
    s
}

/// Incidents first, each with its one-line story and its findings in time order, then the other findings one line
/// per rule with a count.
pub fn render_incidents(
    findings: &[Finding],
    grouped: &Incidents,
    rules: usize,
    events: usize,
) -> String {
    let all: Vec<&Finding> = findings.iter().collect();
    let mut s = header(&all, rules, events);
    let outside: usize = grouped.other.iter().map(|o| o.count).sum();
    s += &format!(
        ": {} {}, {} {} outside {}\n",
        grouped.incidents.len(),
        if grouped.incidents.len() == 1 {
            "incident"
        } else {
            "incidents"
        },
        thousands(outside as u64),
        if outside == 1 { "finding" } else { "findings" },
        if grouped.incidents.len() == 1 {
            "it"
        } else {
            "them"
        },
    );
    let mut raised = false;
    let mut timed = false;
    for inc in &grouped.incidents {
        s += &format!(
            "\nINCIDENT {}  score {}  {}  {} .. {}  {} findings\n  {}\n  techniques: {}\n\n",
            inc.id,
            inc.score,
            inc.severity,
            format_utc(inc.first),
            format_utc(inc.last),
            inc.findings.len(),
            for_terminal(&inc.title),
            inc.techniques.join(" "),
        );
        let mut t = Table::new(&[
            ("SEVERITY", 9),
            ("FIRST", 20),
            ("RULE", 40),
            ("EVENTS", 9),
            ("EXPLANATION", 400),
        ]);
        for &i in &inc.findings {
            let f = &findings[i];
            let shown = grouped.severity(i, f);
            raised |= shown != f.severity;
            let by_time = grouped.joined_by_time(i);
            timed |= by_time;
            t.push(&[
                if shown != f.severity {
                    format!("{shown}↑")
                } else if by_time {
                    format!("{shown}≈")
                } else {
                    shown.to_string()
                },
                format_utc(f.first),
                f.rule_label().to_string(),
                thousands(f.events_total as u64),
                f.explanation.clone(),
            ]);
        }
        s += &indent(&t.render());
    }
    if raised || timed {
        s += "\n";
    }
    if raised {
        s += "↑ raised a step: part of an incident\n";
    }
    if timed {
        s += "≈ linked by time alone: its log names no address, and it happened inside the incident's night\n";
    }
    if !grouped.other.is_empty() {
        s += "\nOTHER FINDINGS (outside every incident, one line per rule)\n\n";
        let mut t = Table::new(&[
            ("SEVERITY", 8),
            ("COUNT", 7),
            ("FIRST", 20),
            ("LAST", 20),
            ("RULE", 40),
            ("EXAMPLE", 400),
        ]);
        for o in &grouped.other {
            let example = o
                .findings
                .first()
                .map(|&i| findings[i].explanation.as_str())
                .unwrap_or("");
            t.push(&[
                o.severity.to_string(),
                thousands(o.count as u64),
                format_utc(o.first),
                format_utc(o.last),
                o.findings
                    .first()
                    .map(|&i| findings[i].rule_label())
                    .unwrap_or(&o.rule)
                    .to_string(),
                example.to_string(),
            ]);
        }
        s += &indent(&t.render());
    }
    s
}

fn indent(block: &str) -> String {
    block.lines().map(|l| format!("  {l}\n")).collect()
}

/// The human listing: a header line, one aligned row per finding, every cell neutralised for the terminal (the
/// table does it: explanations quote log content).
pub fn render(findings: &[&Finding], rules: usize, events: usize) -> String {
    let mut s = header(findings, rules, events);
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
            f.rule_label().to_string(),
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
            references: Vec::new(),
            falsepositives: Vec::new(),
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

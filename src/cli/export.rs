//! `heist export PATH... --out FILE.md [--where QUERY] [--case FILE] [--title T] [--tz utc|local]
//! [--format markdown|csv|jsonl]`: the theft timeline as a report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::load::{load, thousands};
use super::select::select;
use super::{BundleArgs, QueryArgs};
use heist_core::case::{self, CaseLocation, TimeZone};
use heist_core::entities::Lineage;
use heist_core::export::{self, BuildOptions, Format, Selection};
use heist_core::util::sanitize::for_terminal;

/// Above this many events a timeline is more a dump than a story: say so.
const LARGE_TIMELINE: usize = 10_000;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TzArg {
    Utc,
    Local,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Markdown,
    Csv,
    Jsonl,
}

#[derive(Args, Debug)]
#[command(mut_arg("query", |a| a.help(
    "The events of this query make the timeline (with --marked: only the marked events that match)"
)))]
pub struct ExportArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// Where to write the report (`-` for standard output). Never inside the bundle.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub filter: QueryArgs,
    /// The case file (default: the bundle's case in the data dir, if there is one).
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// The report's title.
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// Time zone of the report's times (default: the case's, else UTC).
    #[arg(long, value_enum, ignore_case = true)]
    pub tz: Option<TzArg>,
    /// Markdown for people; CSV or JSON lines (with tags and notes as columns) for tools. Default: from the
    /// file name (`.csv`, `.jsonl` / `.ndjson`), else Markdown.
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// The analyst's name on the report (default: the case's).
    #[arg(long, value_name = "NAME")]
    pub analyst: Option<String>,
    /// More rule files for the report's findings section (beside the shipped rules and the config dir's `rules/`).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Sigma rule folders for the report's findings section (beside the config dir's `sigma/`); repeatable.
    #[arg(long = "sigma", value_name = "DIR")]
    pub sigma: Vec<PathBuf>,
    /// Leave the findings section out.
    #[arg(long)]
    pub no_findings: bool,
    /// The timeline holds the case's marked events (with --where: those that match). Without --where this is
    /// the default when anything is marked.
    #[arg(long)]
    pub marked: bool,
    /// What is training data, for the rules that watch it (see `heist detect --training-data`); repeatable.
    #[arg(long = "training-data", value_name = "GLOB")]
    pub training_data: Vec<String>,
}

pub fn run(args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let paths = &args.bundle.paths;
    let q = args.filter.parse()?;
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout {
        export::check_outside(&args.out, paths)?;
    }
    let (store, _) = load(&args.bundle, None)?;
    let digest = case::digest(paths).context("hashing the bundle")?;
    let mut warnings = Vec::new();
    let (opened, case_file) = match &args.case {
        Some(p) => {
            // A new file is a new case, bound to this bundle and written now, as the TUI would.
            let o = case::open(&CaseLocation::File(p.clone()), &digest, case::now())?;
            if o.created {
                export::check_outside(p, paths)?;
                if let Some(f) = &o.file {
                    f.save(&o.case)?;
                    eprintln!("heist: created the case file {}", p.display());
                }
            }
            (Some(o), Some(p.display().to_string()))
        }
        None => match case::open(&CaseLocation::Default, &digest, case::now()) {
            Ok(o) if o.created => (None, None),
            Ok(o) => {
                let f = o.file.as_ref().map(|f| f.path().display().to_string());
                (Some(o), f)
            }
            Err(case::CaseError::NoDataDir) => (None, None),
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(w) = opened.as_ref().and_then(|o| o.warning.clone()) {
        eprintln!("heist: {}", for_terminal(&w));
        warnings.push(w);
    }
    let case = opened.as_ref().map(|o| &o.case);
    let filtered = select(&store, &q)?.map(|df| (df, args.filter.text().to_string()));
    let has_marks = case.is_some_and(|c| c.has_marks());
    if args.marked && !has_marks {
        anyhow::bail!("--marked: nothing is marked in the case");
    }
    // A query alone makes the timeline: the marks narrow it only when asked (--marked).
    let selection = match filtered {
        Some((frame, query)) if !args.marked => {
            if has_marks {
                eprintln!(
                    "heist: note: the timeline holds the query's events; --marked keeps only the marked ones among them"
                );
            }
            Selection::Events {
                frame,
                query: Some(query),
            }
        }
        filtered => Selection::choose(case, &store.frame, filtered),
    };
    let label = |o: &str, l: u32| store.origin_label(o, l);
    let lineage = Lineage::build(&store.frame, &label)?;
    let opts = BuildOptions {
        title: Some(
            args.title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| export::default_title(paths)),
        ),
        tz: args.tz.map(|t| match t {
            TzArg::Utc => TimeZone::Utc,
            TzArg::Local => TimeZone::Local,
        }),
        analyst: args.analyst.clone(),
        generated: case::now(),
        case_file,
        warnings,
        ..BuildOptions::default()
    };
    let findings = if args.no_findings {
        export::ReportFindings::default()
    } else {
        let mut pack = super::detect::rule_pack(&args.rules)?
            .with_training_data(&super::detect::training_data(&args.training_data, case)?)?;
        if let Some(line) =
            super::detect::add_sigma(&mut pack, &super::detect::sigma_dirs(&args.sigma))?
        {
            eprintln!("heist: {}", heist_core::util::sanitize::for_terminal(&line));
        }
        // The case's end dates are the analyst's input to the rules, as in the TUI.
        let opts = heist_core::detect::DetectOptions {
            end_dates: case.map(|c| c.end_dates()).unwrap_or_default(),
            ..heist_core::detect::DetectOptions::default()
        };
        let detection = heist_core::detect::detect_store_detail(&store, &pack, &opts)
            .context("running the rule pack for the findings section")?;
        if let Some(n) = detection.notice() {
            eprintln!("heist: {}", heist_core::util::sanitize::for_terminal(&n));
        }
        let found = detection.findings;
        let scope = match case.and_then(|c| c.attack_scope(&store, &lineage)) {
            Some(s) => Some(s.context("the case's attack scope")?),
            None => None,
        };
        let in_scope = scope
            .as_ref()
            .map(|s| move |e: &heist_core::entities::Entity| s.contains(e));
        let grouped = heist_core::detect::incident::group(
            &store.frame,
            &lineage,
            &found,
            in_scope
                .as_ref()
                .map(|f| f as &dyn Fn(&heist_core::entities::Entity) -> bool),
            &heist_core::detect::IncidentOptions::default(),
        )?;
        export::ReportFindings::grouped(&found, &grouped)
    };
    let report = export::build(&store, &lineage, &digest, case, selection, findings, &opts)?;
    let format = match args.format {
        None => Format::from_path(&args.out),
        Some(ExportFormat::Markdown) => Format::Markdown,
        Some(ExportFormat::Csv) => Format::Csv,
        Some(ExportFormat::Jsonl) => Format::Jsonl,
    };
    let text = format.render(&report);
    if to_stdout {
        out.write_all(text.as_bytes())?;
        out.flush()?;
    } else {
        export::write(&args.out, paths, &text)?;
    }
    let n = report.events.len();
    if n > LARGE_TIMELINE && !matches!(report.basis, export::report::Basis::Marked { .. }) {
        eprintln!(
            "heist: note: nothing is marked, so the timeline holds all {} events of the selection; mark the \
             events that tell the story (heist PATH..., then m) or narrow it with --where",
            thousands(n as u64)
        );
    }
    let (one, many) = match &report.basis {
        export::report::Basis::Marked { .. } => ("marked event", "marked events"),
        export::report::Basis::Query(_) => {
            ("event matching the query", "events matching the query")
        }
        export::report::Basis::All => ("event (nothing is marked)", "events: nothing is marked"),
    };
    let basis = if n == 1 { one } else { many };
    eprintln!(
        "heist: wrote {}: {} {basis}",
        if to_stdout {
            "standard output".to_string()
        } else {
            for_terminal(&args.out.display().to_string()).into_owned()
        },
        thousands(n as u64),
    );
    Ok(ExitCode::SUCCESS)
}

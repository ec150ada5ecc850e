//! The command line: thin commands over the library. This is the binary's edge, so errors are `anyhow` here.

mod compare;
mod convert;
mod detect;
mod entities;
mod events;
mod export;
mod formats;
mod issues;
mod load;
mod pivot;
mod scope;
mod select;
mod sigma;
mod summary;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "heist",
    version,
    about = "A terminal investigator for AI resource theft: cloud audit trails and model-access logs in one frame",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Bundle paths (files, folders, .zip, .tar.gz, .gz) to open.
    paths: Vec<PathBuf>,
    /// The TUI's case file (default: `<data dir>/cases/<bundle sha256>.json`; `HEIST_DATA_DIR` moves the data dir).
    #[arg(long, value_name = "FILE")]
    case: Option<PathBuf>,
    /// A folder of rule files (*.toml) the TUI's detection adds to the shipped rules; repeatable. Rules in the
    /// config dir's `rules/` folder are always added. A file that cannot be used is shown, and the shipped rules
    /// run alone.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// A folder of Sigma rules the TUI's detection runs beside the shipped rules; repeatable. The config dir's
    /// `sigma/` folder is always added when it exists.
    #[arg(long = "sigma", value_name = "DIR")]
    sigma: Vec<PathBuf>,
    /// An end date for an entity (`identity:ARN@2026-10-05T09:00:00Z`, `token:AKIA...@2026-10-05`): the TUI's
    /// findings include its later events. Repeatable.
    #[arg(long = "end", value_name = "KIND:NAME@TIME")]
    end: Vec<String>,
    /// Read the bundle again instead of its cached frame (the data dir's `cache/`), and do not write one.
    #[arg(long)]
    no_cache: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Events per source, time range, files, top identities / tokens / assets / IPs, and every read error.
    Summary(summary::SummaryArgs),
    /// The normalised events, time ordered, optionally filtered with --where.
    Events(events::EventsArgs),
    /// Identities, tokens, assets or source IPs: first/last seen, counts, counterparts, top actions, sources.
    Entities(entities::EntitiesArgs),
    /// Everything connected to one identity, token, asset or IP, with the token lineage up and down.
    Pivot(pivot::PivotArgs),
    /// Two entities side by side: calls, first / last seen, and per facet (IPs, actions, assets, tokens, identities,
    /// user agents) what both have and what only one of them has.
    Compare(compare::CompareArgs),
    /// The attack scope of indicators: the tokens, identities, IPs and assets the evidence leads to, and why.
    Scope(scope::ScopeArgs),
    /// Fuzzy search over every entity name.
    Find(entities::FindArgs),
    /// Run the theft-detection rules: findings with their techniques, entities and events.
    Detect(detect::DetectArgs),
    /// The theft timeline (marked events, or a query's) as a Markdown report, or CSV / JSON lines.
    Export(export::ExportArgs),
    /// The normalised events as a Parquet dataset (Hive folders by source and date) for DuckDB, Spark, Athena, and
    /// for heist to open again
    Convert(convert::ConvertArgs),
    /// The formats heist reads, with an example layout for each.
    Formats,
    /// Sigma rule folders: which rules heist runs, and why it cannot run the others.
    #[command(subcommand)]
    Sigma(sigma::SigmaCommand),
}

/// `--where QUERY`, for every command that narrows the events it works on.
#[derive(Args, Debug, Clone, Default)]
pub struct QueryArgs {
    /// Only events matching this query, e.g. 'token:AKIA... -outcome:success time>=2026-10-05T02:00:00Z'.
    #[arg(
        long = "where",
        short = 'w',
        value_name = "QUERY",
        allow_hyphen_values = true
    )]
    pub query: Option<String>,
}

impl QueryArgs {
    /// The query as written; no `--where` is the empty query.
    pub fn text(&self) -> &str {
        self.query.as_deref().unwrap_or("")
    }

    /// The query, parsed before anything loads so a typo costs nothing. The empty query selects every event.
    pub fn parse(&self) -> anyhow::Result<heist_core::query::Query> {
        heist_core::query::parse(self.text()).map_err(|e| anyhow::anyhow!("bad --where query: {e}"))
    }
}

/// Paths and load switches shared by every command that opens a bundle.
#[derive(Args, Debug, Clone)]
pub struct BundleArgs {
    /// Bundle paths: files, folders (walked recursively), .zip, .tar.gz/.tgz, .gz, nested archives.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Keep events that appear in more than one file (by default the later copies are dropped and counted).
    #[arg(long)]
    pub no_dedupe: bool,
    /// A mapping file (TOML) for a source heist does not know; repeatable. Mappings in assets/mappings and in
    /// the config dir's `mappings/` folder are always used.
    #[arg(long = "map", value_name = "FILE")]
    pub maps: Vec<PathBuf>,
    /// Read the bundle again instead of its cached frame (the data dir's `cache/`), and do not write one.
    #[arg(long)]
    pub no_cache: bool,
    /// List every file that did not load, one per line (by default a reason shared by many files is one line).
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`heist events ... | head`): what it wanted was written; stop quietly, as ripgrep does.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("heist: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether `e` is, somewhere down its chain, a write to a closed pipe.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if cli.command.is_none() && !cli.paths.is_empty() {
        // Not under the lock below: a panic on another thread must be able to restore the terminal (its hook writes
        // to stdout), and the TUI writes from this thread only.
        return tui(
            cli.paths,
            cli.case,
            &cli.rules,
            &cli.sigma,
            &cli.end,
            cli.no_cache,
        );
    }
    let stdout = &mut std::io::stdout().lock();
    match cli.command {
        Some(Command::Summary(a)) => summary::run(&a, stdout),
        Some(Command::Events(a)) => events::run(&a, stdout),
        Some(Command::Entities(a)) => entities::run(&a, stdout),
        Some(Command::Pivot(a)) => pivot::run(&a, stdout),
        Some(Command::Compare(a)) => compare::run(&a, stdout),
        Some(Command::Scope(a)) => scope::run(&a, stdout),
        Some(Command::Find(a)) => entities::run_find(&a, stdout),
        Some(Command::Detect(a)) => detect::run(&a, stdout),
        Some(Command::Export(a)) => export::run(&a, stdout),
        Some(Command::Convert(a)) => convert::run(&a, stdout),
        Some(Command::Formats) => formats::run(stdout, &load::extra_formats(&[])?),
        Some(Command::Sigma(c)) => sigma::run(&c, stdout),
        None => {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            Ok(ExitCode::from(2))
        }
    }
}

/// `heist PATH...`: the TUI. Without a terminal (piped, CI) there is nothing to draw on: say what to run instead.
fn tui(
    paths: Vec<PathBuf>,
    case: Option<PathBuf>,
    rules: &[PathBuf],
    sigma: &[PathBuf],
    end: &[String],
    no_cache: bool,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    // Arguments first: a typo is said even where there is no terminal.
    let end_dates = end
        .iter()
        .map(|s| detect::parse_end(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The case is written on every change: never into the evidence.
    if let Some(f) = &case {
        heist_core::export::check_outside(f, &paths)
            .map_err(|e| anyhow::anyhow!("--case {}: {e}", f.display()))?;
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the TUI needs a terminal; for text output use `heist summary PATH...` or `heist events PATH...`"
        );
    }
    for p in &paths {
        if !p.exists() {
            anyhow::bail!("{}: no such file or folder", p.display());
        }
    }
    let keymap_file =
        directories::ProjectDirs::from("", "", "heist").map(|d| d.config_dir().join("keymap.toml"));
    let keymap = heist_tui::Keymap::load(keymap_file.as_deref())?;
    let opts = heist_core::ingest::LoadOptions {
        extra_formats: load::extra_formats(&[])?,
        limits: load::limits()?,
        ..heist_core::ingest::LoadOptions::default()
    };
    let case = match case {
        Some(f) => heist_core::case::CaseLocation::File(f),
        None => heist_core::case::CaseLocation::Default,
    };
    let (mut pack, error) = heist_core::detect::RulePack::for_session(rules);
    // A Sigma folder that cannot be used is said before the TUI starts, like any other bad argument.
    let sigma_line = detect::add_sigma(&mut pack, &detect::sigma_dirs(sigma))?;
    heist_tui::run(
        paths,
        heist_tui::RunOptions {
            load: opts,
            cache: if no_cache {
                None
            } else {
                heist_core::ingest::cache::default_cache()
            },
            keymap,
            case,
            rules: heist_tui::RuleSet::new(pack, error)
                .with_end_dates(end_dates)
                .with_notice(sigma_line),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// JSON for the terminal or a pipe: pretty, with control and format characters from log content written as
/// `\uXXXX` escapes (the same values, nothing a terminal would run).
pub fn write_json(out: &mut dyn std::io::Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(v)?;
    out.write_all(heist_core::util::sanitize::inert_json(&text).as_bytes())?;
    Ok(())
}

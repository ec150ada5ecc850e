//! Loading for the CLI: progress on stderr when it is a terminal, and a one-line account of what did not load.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::BundleArgs;
use heist_core::frame::EventStore;
use heist_core::ingest::formats::{mapped::Mapped, Format};
use heist_core::ingest::{self, mapping, LoadOptions, Progress};

/// Mapping formats: the shipped ones, the user's config-dir folder, and `--map` files (a bad file is an error).
pub fn extra_formats(maps: &[std::path::PathBuf]) -> anyhow::Result<Vec<Arc<dyn Format>>> {
    let mut all = mapping::builtin();
    if let Some(dirs) = directories::ProjectDirs::from("", "", "heist") {
        all.extend(mapping::load_dir(&dirs.config_dir().join("mappings"))?);
    }
    for m in maps {
        all.push(mapping::Mapping::load(m)?);
    }
    Ok(all
        .into_iter()
        .map(|m| Arc::new(Mapped::new(m)) as Arc<dyn Format>)
        .collect())
}

/// The load's limits from `HEIST_MAX_FILE_MB`, `HEIST_MAX_BUNDLE_GB`, `HEIST_MEMORY_MB`.
pub fn limits() -> anyhow::Result<ingest::budget::Limits> {
    ingest::budget::Limits::from_env().map_err(anyhow::Error::msg)
}

pub fn load(
    args: &BundleArgs,
    prefilter: Option<ingest::Prefilter>,
) -> anyhow::Result<(EventStore, Duration)> {
    load_for(args, prefilter, None)
}

/// As [`load`], for the rows of `pushdown` only when the input is a Parquet dataset (scanned for them).
pub fn load_for(
    args: &BundleArgs,
    prefilter: Option<ingest::Prefilter>,
    pushdown: Option<heist_core::query::Query>,
) -> anyhow::Result<(EventStore, Duration)> {
    let opts = LoadOptions {
        pushdown,
        dedupe: !args.no_dedupe,
        prefilter,
        extra_formats: extra_formats(&args.maps)?,
        limits: limits()?,
    };
    let progress = Arc::new(Progress::default());
    let done = Arc::new(AtomicBool::new(false));
    let ticker = std::io::stderr().is_terminal().then(|| {
        let (p, d) = (progress.clone(), done.clone());
        std::thread::spawn(move || {
            let mut shown = false;
            while !d.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(150));
                let s = p.snapshot();
                eprint!(
                    "\r\x1b[2Kloading: {}/{} files, {} events, {} errors, {:.0}%",
                    s.files_done,
                    s.files_total,
                    s.events,
                    s.errors,
                    s.ratio() * 100.0
                );
                shown = true;
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        })
    });
    let start = Instant::now();
    let cache = if args.no_cache {
        None
    } else {
        ingest::cache::default_cache()
    };
    let res = ingest::load_cached(&args.paths, &opts, &progress, cache.as_ref());
    done.store(true, Ordering::Relaxed);
    if let Some(t) = ticker {
        let _ = t.join();
    }
    let (store, outcome) = res.context("loading the bundle")?;
    match outcome {
        ingest::cache::Outcome::Rebuilt(why) => {
            eprintln!(
                "heist: the cached frame of this bundle was not used ({why}); it was read again"
            )
        }
        ingest::cache::Outcome::NotWritten(why) if why.starts_with("writing") => {
            eprintln!("heist: the bundle's frame was not cached: {why}")
        }
        _ => {}
    }
    Ok((store, start.elapsed()))
}

pub use heist_core::util::num::thousands;

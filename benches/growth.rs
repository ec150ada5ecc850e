//! Growth benchmark: how load time, memory and the first answers grow with the bundle.
//!
//! `cargo bench --bench growth -- [BASE] [--sizes 1000000,4000000,10000000]`
//!
//! For each size, the bench corpus (`gen_bench`'s CloudTrail in the S3 layout) is written under `BASE/growth-N` if
//! absent, then measured in a fresh process each (so each peak memory is that step's alone):
//! - **load**: a full load into the frame (wall and CPU seconds, peak resident memory);
//! - **query**: the load `heist events --where token:K` does for a common key (a user's, on about 0.7% of the
//!   events), where only the records that can hold it are parsed (seconds, peak memory);
//! - **filter / pivot / first screen**, on the loaded frame: `token:K` over the frame, a pivot on the key, and the
//!   TUI's first screen (entity tables, lineage, finder) drawn once.
//!
//! It prints one Markdown table row per size, for README.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use heist_core::entities::{Entity, EntityKind, PivotEngine};
use heist_core::ingest::{load, LoadOptions, Prefilter, Progress};

mod common;
use common::{cpu_s, median, peak_rss_mb, Args};

/// A user's long-term key of the bench corpus: one of 50 users, so on a share of the events at every size.
const COMMON_KEY: &str = "AKIABENCHUSER0000007";

fn main() {
    let args = Args::new();
    if let Some(step) = args.value("--step") {
        let dir = PathBuf::from(args.value("--dir").expect("--dir"));
        match step {
            "load" => step_load(&dir),
            "query" => step_query(&dir),
            other => panic!("unknown step {other}"),
        }
        return;
    }
    let base = args.corpus_base();
    let sizes: Vec<usize> = args
        .value("--sizes")
        .unwrap_or("1000000,4000000,10000000")
        .split(',')
        .map(|s| s.trim().parse().expect("sizes are numbers"))
        .collect();
    println!("| events | gz on disk | full load | CPU | peak memory | per 1M events | query load (token on ~0.7%) | query peak | filter | pivot | first screen |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let dir = base.join(format!("growth-{n}"));
        if !dir.exists() {
            eprintln!("writing {n} events to {} ...", dir.display());
            heist_synth::bench::write(&dir, n).expect("write the corpus");
        }
        let gz = dir_size(&dir) as f64 / 1e6;
        let l = child("load", &dir);
        let q = child("query", &dir);
        let f = |k: &str| l.get(k).copied().unwrap_or(f64::NAN);
        let g = |k: &str| q.get(k).copied().unwrap_or(f64::NAN);
        println!(
            "| {} | {gz:.0} MB | {:.1} s | {:.1} s | {:.0} MB | {:.0} MB | {:.1} s | {:.0} MB | {:.0} ms | {:.0} ms | {:.2} s |",
            heist_core::util::num::thousands(n as u64),
            f("load_s"),
            f("cpu_s"),
            f("peak_mb"),
            f("peak_mb") / (n as f64 / 1e6),
            g("load_s"),
            g("peak_mb"),
            f("filter_ms"),
            f("pivot_ms"),
            f("first_s"),
        );
    }
}

/// Run one step of the bench in a fresh process; its `key value` lines.
fn child(step: &str, dir: &Path) -> std::collections::HashMap<String, f64> {
    let exe = std::env::current_exe().expect("the bench binary");
    let out = Command::new(exe)
        .args(["--step", step, "--dir"])
        .arg(dir)
        .output()
        .expect("run a step");
    assert!(
        out.status.success(),
        "step {step}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

fn step_load(dir: &Path) {
    let t = Instant::now();
    let store = load(
        &[dir.to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .expect("load");
    println!("load_s {}", t.elapsed().as_secs_f64());
    println!("cpu_s {}", cpu_s());
    println!("peak_mb {}", peak_rss_mb());
    let q = format!("token:{COMMON_KEY}");
    let filter = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let n = heist_core::query::filter(&store.frame, &q)
                    .expect("filter")
                    .height();
                assert!(n > 0);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    println!("filter_ms {filter}");
    let engine = PivotEngine::new(&store).expect("pivot engine");
    let entity = Entity::new(EntityKind::Token, COMMON_KEY);
    let pivot = median(
        (0..3)
            .map(|_| {
                let t = Instant::now();
                engine.pivot(&entity).expect("pivot");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    println!("pivot_ms {pivot}");
    let t = Instant::now();
    let mut h = heist_tui::Harness::from_store(store, 160, 50);
    let _ = h.screen();
    println!("first_s {}", t.elapsed().as_secs_f64());
}

fn step_query(dir: &Path) {
    let t = Instant::now();
    let opts = LoadOptions {
        prefilter: Prefilter::new(vec![COMMON_KEY.into()]),
        ..LoadOptions::default()
    };
    let store = load(&[dir.to_path_buf()], &opts, &Progress::default()).expect("load");
    let n = heist_core::query::filter(&store.frame, &format!("token:{COMMON_KEY}"))
        .expect("filter")
        .height();
    assert!(n > 0);
    println!("load_s {}", t.elapsed().as_secs_f64());
    println!("peak_mb {}", peak_rss_mb());
    println!("rows {n}");
}

fn dir_size(dir: &Path) -> u64 {
    heist_core::ingest::bundle::walk(&[dir.to_path_buf()])
        .unwrap_or_default()
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

//! Rule-pack benchmark: `cargo bench --bench detect -- [DIR] [--runs N] [--rule ID] [--sigma SIGMA_DIR]`.
//!
//! Loads DIR (1M CloudTrail events in the S3 layout; written with `heist_synth::bench::write` if absent), then
//! times the whole shipped pack over the loaded frame (goal: under 2 s), and each rule alone to show where the
//! time goes. The load is not part of the measure; building the rule engine's view of the frame is.
//!
//! Then the Sigma rules of SIGMA_DIR (default: `$HEIST_REAL_DATA/sigma/rules`, SigmaHQ's rules, when present) alone
//! over the same bundle, raw records read back from its files (goal: under 5 s).

use std::time::Instant;

use heist_core::detect::{detect, DetectOptions, RulePack};

mod common;
use common::{cpu_s, median, Args};

fn main() {
    let args = Args::new();
    let runs = args.number("--runs", 3).max(1);
    let only: Option<String> = args.value("--rule").map(str::to_string);
    let dir = args.corpus();
    let t = Instant::now();
    let store = common::load_corpus(&dir);
    println!(
        "loaded {} events from {} in {:.1} s",
        store.len(),
        dir.display(),
        t.elapsed().as_secs_f64()
    );
    let mut pack = RulePack::builtin().expect("shipped rules");
    if let Some(id) = &only {
        pack.retain(|r| &r.id == id);
        assert_eq!(pack.len(), 1, "no shipped rule {id:?}");
    }
    let opts = DetectOptions::default();
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_s());
        findings = detect(&store.frame, &pack, &opts).expect("detect").len();
        times.push(t.elapsed().as_secs_f64());
        cpu.push(cpu_s() - c);
    }
    let whole = median(times.clone());
    println!(
        "whole pack: {} rules over {} events: {:.2} s (median of {runs}; runs {}), {findings} findings; goal < 2 s: {}",
        pack.len(),
        store.len(),
        whole,
        times
            .iter()
            .map(|t| format!("{t:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        if whole < 2.0 { "met" } else { "NOT met" }
    );
    println!(
        "CPU time of the whole pack: {:.2} s (median; {} cores; load average {})",
        median(cpu),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "?".into())
    );
    sigma(&args, &store, runs);
    // Each rule alone (each run rebuilds the engine's view of the frame, so these overlap the whole-pack figure).
    let mut per_rule: Vec<(f64, String, usize)> = Vec::new();
    for r in pack.rules() {
        let mut one = pack.clone();
        one.retain(|x| x.id == r.id);
        let t = Instant::now();
        let n = detect(&store.frame, &one, &opts).expect("detect").len();
        per_rule.push((t.elapsed().as_secs_f64() * 1000.0, r.id.clone(), n));
    }
    per_rule.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest rules alone (ms, findings):");
    for (ms, id, n) in per_rule.iter().take(10) {
        println!("  {ms:8.1}  {id} ({n})");
    }
}

/// The Sigma pack alone over the loaded bundle: the frame prefilter, the one pass over the raw records (re-read
/// from the bundle's files), the findings.
fn sigma(args: &Args, store: &heist_core::frame::EventStore, runs: usize) {
    let dir = match args.value("--sigma") {
        Some(d) => std::path::PathBuf::from(d),
        None => match std::env::var_os("HEIST_REAL_DATA") {
            Some(d) => std::path::PathBuf::from(d).join("sigma/rules"),
            None => {
                println!("Sigma: no --sigma DIR and HEIST_REAL_DATA unset: not measured");
                return;
            }
        },
    };
    let load =
        heist_core::detect::sigma::load_dirs(std::slice::from_ref(&dir)).expect("Sigma rules");
    let mut pack = RulePack::default();
    let skipped = pack.add_sigma(load).len();
    let opts = DetectOptions::default();
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        findings = heist_core::detect::detect_store(store, &pack, &opts)
            .expect("detect")
            .len();
        times.push(t.elapsed().as_secs_f64());
    }
    let whole = median(times);
    println!(
        "Sigma: {} rules ({skipped} skipped) over {} events: {whole:.2} s (median of {runs}), {findings} findings; goal < 5 s: {}",
        pack.len(),
        store.len(),
        if whole < 5.0 { "met" } else { "NOT met" }
    );
}

//! Rule-pack benchmark: `cargo bench --bench detect -- [DIR] [--runs N]`.
//!
//! Loads DIR (1M CloudTrail events in the S3 layout; written with `heist::synth::bench::write` if absent), then
//! times the whole shipped pack over the loaded frame (goal: under 2 s), and each rule alone to show where the
//! time goes. The load is not part of the measure; building the rule engine's view of the frame is.

use std::path::PathBuf;
use std::time::Instant;

use heist::detect::{detect, DetectOptions, RulePack};
use heist::ingest::{load, LoadOptions, Progress};
use heist::synth::bench;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
            .cloned()
            .unwrap_or_else(|| "bench-data".into()),
    );
    if !dir.exists() {
        eprintln!("writing 1,000,000 events to {} ...", dir.display());
        bench::write(&dir, 1_000_000).expect("write bench corpus");
    }
    let t = Instant::now();
    let store = load(
        std::slice::from_ref(&dir),
        &LoadOptions::default(),
        &Progress::default(),
    )
    .expect("load");
    println!(
        "loaded {} events from {} in {:.1} s",
        store.len(),
        dir.display(),
        t.elapsed().as_secs_f64()
    );
    let pack = RulePack::builtin().expect("shipped rules");
    let opts = DetectOptions::default();
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        findings = detect(&store.frame, &pack, &opts).expect("detect").len();
        times.push(t.elapsed().as_secs_f64());
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

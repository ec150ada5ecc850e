//! What the bench binaries share: their arguments, the 1M-event corpus, medians, peak memory and CPU time.
#![allow(dead_code)] // each bench uses its own part

use std::path::PathBuf;

use heist_synth::bench;

// The benches allocate as the `heist` binary does (mimalloc, tuned the same way), so their times and peaks are the
// binary's.
#[path = "../../src/alloc.rs"]
mod alloc;

/// The bench's arguments, less cargo's `--bench`.
pub struct Args(Vec<String>);

impl Args {
    /// The arguments; first thing in a bench's `main`, as it also sets the allocator's options.
    pub fn new() -> Self {
        alloc::tune();
        Self(
            std::env::args()
                .skip(1)
                .filter(|a| a != "--bench")
                .collect(),
        )
    }

    /// The value after `--name`, if any.
    pub fn value(&self, name: &str) -> Option<&str> {
        let i = self.0.iter().position(|a| a == name)?;
        self.0.get(i + 1).map(String::as_str)
    }

    /// A number after `--name`, or `default`.
    pub fn number(&self, name: &str, default: usize) -> usize {
        self.value(name)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    }

    /// The first argument that is neither an option nor an option's value (default `bench-data`), not written.
    pub fn corpus_base(&self) -> PathBuf {
        let mut skip_next = false;
        self.0
            .iter()
            .find(|a| {
                let value = std::mem::replace(&mut skip_next, a.starts_with("--"));
                !value && !a.starts_with("--")
            })
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("bench-data"))
    }

    /// The corpus folder: the first argument that is neither an option nor an option's value (default
    /// `bench-data`), written with 1,000,000 CloudTrail events in the S3 layout when it does not exist.
    pub fn corpus(&self) -> PathBuf {
        let mut skip_next = false;
        let dir = self
            .0
            .iter()
            .find(|a| {
                let value = std::mem::replace(&mut skip_next, a.starts_with("--"));
                !value && !a.starts_with("--")
            })
            .cloned()
            .unwrap_or_else(|| "bench-data".into());
        let dir = PathBuf::from(dir);
        if !dir.exists() {
            eprintln!("writing 1,000,000 events to {} ...", dir.display());
            bench::write(&dir, 1_000_000).expect("write bench corpus");
        }
        dir
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The process's peak resident memory (VmHWM), in MB.
pub fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// The process's resident memory now (VmRSS), in MB.
pub fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU seconds (user + system) this process has used: on a shared machine the wall clock also counts other
/// people's builds; CPU time does not.
pub fn cpu_s() -> f64 {
    // SAFETY: getrusage writes into the struct we pass and nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return f64::NAN;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Stop when the corpus loaded no event: a measure over nothing would pass every goal.
pub fn require_events(store: &heist_core::frame::EventStore, dir: &std::path::Path) {
    assert!(
        !store.is_empty(),
        "no events loaded from {}: not a benchmark corpus (`cargo run --release --example gen_bench DIR 1000000` writes one)",
        dir.display()
    );
}

/// Load the corpus in `dir` with the default options, refusing one with no events.
pub fn load_corpus(dir: &std::path::Path) -> heist_core::frame::EventStore {
    let store = heist_core::ingest::load(
        &[dir.to_path_buf()],
        &heist_core::ingest::LoadOptions::default(),
        &heist_core::ingest::Progress::default(),
    )
    .expect("load");
    require_events(&store, dir);
    store
}

//! Ingest benchmark: `cargo bench --bench ingest -- [DIR] [--runs N]`.
//!
//! 1. Loads DIR (1M CloudTrail events in the S3 layout; written by `gen_bench` if absent) in this process and
//!    reports events/s, peak memory against the uncompressed JSON size, and a filter over the loaded frame.
//! 2. Measures the floor of a full load: `zcat` of every file in two processes side by side (the goal is a load
//!    within 2x of it), and, for reference, inflating every file on two threads in process (flate2, as heist
//!    reads them); and DuckDB's full `read_json` scan of the same files (every record materialised in a table),
//!    and reports the full load against each as a ratio.
//! 3. Runs `heist events DIR --where token:K --format jsonl` and DuckDB's `read_json` answer to the same question
//!    (`../shared/bench/duckdb_peer.py`) side by side, and reports the ratio: absolute times drift on shared machines.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use heist_core::entities::{Entity, EntityKind, PivotEngine};
use heist_core::ingest::{load, LoadOptions, Progress};
use heist_synth::bench::BENCH_KEY;

mod common;
use common::{median, peak_rss_mb, rss_mb, Args};

fn main() {
    let args = Args::new();
    let runs = args.number("--runs", 3);
    let dir = args.corpus();

    // 1. Full load in this process: nothing else has allocated yet, so VmHWM is the load's peak. A sampler reads
    // the resident size while it runs, to tell the parse's share of the peak from the assembly's.
    let progress = Progress::default();
    let done = std::sync::atomic::AtomicBool::new(false);
    let t = Instant::now();
    let (store, phases) = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let (mut parsing, mut at_assembly) = (0.0f64, None);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let rss = rss_mb();
                if progress
                    .assembling
                    .load(std::sync::atomic::Ordering::Relaxed)
                {
                    at_assembly.get_or_insert(rss);
                } else {
                    parsing = parsing.max(rss);
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            (parsing, at_assembly.unwrap_or(f64::NAN))
        });
        let store = load(
            std::slice::from_ref(&dir),
            &LoadOptions::default(),
            &progress,
        )
        .expect("load");
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (store, sampler.join().expect("sampler"))
    });
    let load_s = t.elapsed().as_secs_f64();
    common::require_events(&store, &dir);
    let peak = peak_rss_mb();
    let after = rss_mb();
    let frame_mb = store.frame.estimated_size() as f64 / 1e6;
    let events = store.len();
    let json_mb = store.files.iter().map(|f| f.size).sum::<u64>() as f64 / 1e6;
    let mut hits = 0;
    let mut filter_times = Vec::new();
    for _ in 0..5 {
        let t1 = Instant::now();
        hits = heist_core::query::filter(&store.frame, &format!("token:{BENCH_KEY}"))
            .expect("filter")
            .height();
        filter_times.push(t1.elapsed().as_secs_f64() * 1000.0);
    }
    let filter_ms = median(filter_times);
    println!(
        "full load: {events} events, {json_mb:.0} MB JSON, {load_s:.2} s, {:.0} events/s",
        events as f64 / load_s
    );
    println!(
        "peak memory: {peak:.0} MB ({:.0}% of the uncompressed JSON)",
        100.0 * peak / json_mb
    );
    println!(
        "memory by phase: parsing up to {:.0} MB, {:.0} MB when assembly began, {after:.0} MB resident after the \
         load; the frame's columns {frame_mb:.0} MB",
        phases.0, phases.1
    );
    let (distinct, text_mb) = distinct_text(&store.frame);
    println!(
        "categorical text: {distinct} distinct values, {text_mb:.0} MB of text (held once, in the process-wide mapping)"
    );
    println!("filter token:K over the loaded frame: {filter_ms:.1} ms (median of 5), {hits} rows");

    // Pivots over the loaded frame: the engine reads the lineage once, then each pivot is a few code scans.
    let t1 = Instant::now();
    let engine = PivotEngine::new(&store).expect("pivot engine");
    let engine_ms = t1.elapsed().as_secs_f64() * 1000.0;
    let token = Entity::new(EntityKind::Token, BENCH_KEY);
    let mut pivot_times = Vec::new();
    let mut pivot_events = 0;
    let mut ip = String::new();
    for _ in 0..5 {
        let t1 = Instant::now();
        let p = engine.pivot(&token).expect("pivot");
        pivot_times.push(t1.elapsed().as_secs_f64() * 1000.0);
        pivot_events = p.events.height();
        ip = p
            .ips
            .column("name")
            .ok()
            .and_then(|c| c.str().ok()?.get(0).map(str::to_string))
            .unwrap_or_default();
    }
    println!(
        "pivot token:K: {:.1} ms (median of 5), {pivot_events} events; lineage read once in {engine_ms:.0} ms",
        median(pivot_times)
    );
    let mut ip_times = Vec::new();
    let mut ip_events = 0;
    for _ in 0..5 {
        let t1 = Instant::now();
        let p = engine
            .pivot(&Entity::new(EntityKind::Ip, ip.as_str()))
            .expect("pivot");
        ip_times.push(t1.elapsed().as_secs_f64() * 1000.0);
        ip_events = p.events.height();
    }
    println!(
        "pivot ip {ip}: {:.1} ms (median of 5), {ip_events} events",
        median(ip_times)
    );
    drop(engine);
    drop(store);

    // 2. The floor and the peer's full scan, in the same run.
    let floor = median((0..runs.max(1)).map(|_| inflate_all(&dir)).collect());
    println!(
        "inflating every file on two threads in process: {floor:.2} s; the full load is {:.2}x that (parsing JSON, not inflating, bounds the load)",
        load_s / floor
    );
    if let Some(z) = zcat_two(&dir) {
        println!(
            "floor: zcat of every file, two processes side by side: {z:.2} s; the full load is {:.2}x that (goal <= 2x)",
            load_s / z
        );
    }
    let duckdb = ensure_duckdb();
    if duckdb {
        match duckdb_full_scan(&dir, runs.max(1)) {
            Ok((duck_s, n)) => println!(
                "duckdb read_json full scan (every record into a table): {duck_s:.2} s (median of {runs}), {n} \
                 records; heist's full load is {:.1}x faster (goal >= 2x)",
                duck_s / load_s
            ),
            Err(e) => println!("duckdb full scan failed: {e}"),
        }
    }

    // 3. heist events vs DuckDB, same files, same question, same run: read from the bundle (`--no-cache`).
    let heist_bin = env!("CARGO_BIN_EXE_heist");
    cached_reopen(heist_bin, &dir);
    let mut heist_times = Vec::new();
    let mut heist_rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new(heist_bin)
            .args([
                "events",
                dir.to_str().unwrap_or("."),
                "--where",
                &format!("token:{BENCH_KEY}"),
                "--format",
                "jsonl",
                "--no-cache",
            ])
            .output()
            .expect("run heist");
        heist_times.push(t.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        heist_rows = out.stdout.iter().filter(|&&b| b == b'\n').count();
    }
    let heist_s = median(heist_times);
    println!(
        "heist events --where token:K: {heist_s:.2} s (median of {runs}), {heist_rows} events"
    );

    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/duckdb_peer.py");
    if !peer.exists() {
        println!(
            "duckdb: peer script {} absent, ratio not measured",
            peer.display()
        );
        return;
    }
    if !duckdb {
        println!("duckdb: not installed and `pip install duckdb` failed, ratio not measured");
        return;
    }
    let mut duck_times = Vec::new();
    let mut duck_rows = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("python3")
            .arg(&peer)
            .arg(&dir)
            .arg(BENCH_KEY)
            .output()
            .expect("run duckdb peer");
        duck_times.push(t.elapsed().as_secs_f64());
        if !out.status.success() {
            println!(
                "duckdb peer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        duck_rows = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
    }
    let duck_s = median(duck_times);
    println!("duckdb read_json, same query: {duck_s:.2} s (median of {runs}, wall incl. start-up), {duck_rows} events");
    println!(
        "ratio: heist is {:.1}x faster than duckdb",
        duck_s / heist_s
    );
    assert_eq!(
        duck_rows,
        heist_rows.to_string(),
        "heist and duckdb disagree on the count"
    );
}

/// The load cache: the first `heist summary` reads the bundle and writes its frame to a fresh data dir's cache; the
/// next ones, and a query, read the cached frame.
fn cached_reopen(heist_bin: &str, dir: &Path) {
    let data = std::env::temp_dir().join(format!("heist-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let run = |args: &[&str]| -> f64 {
        let t = Instant::now();
        let out = Command::new(heist_bin)
            .args(args)
            .env(heist_core::case::DATA_DIR_ENV, &data)
            .output()
            .expect("run heist");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.elapsed().as_secs_f64()
    };
    let d = dir.to_str().unwrap_or(".");
    let first = run(&["summary", d]);
    let size: u64 = std::fs::read_dir(data.join("cache"))
        .map(|r| {
            r.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    let reopen = median((0..3).map(|_| run(&["summary", d])).collect());
    let token = format!("token:{BENCH_KEY}");
    let query = median(
        (0..3)
            .map(|_| run(&["events", d, "--where", &token, "--format", "jsonl"]))
            .collect(),
    );
    println!(
        "cache: first open and write {first:.2} s ({:.0} MB cached); reopen (heist summary) {reopen:.2} s; \
         events --where token:K from the cache {query:.2} s",
        size as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&data);
}

/// Whether python3 can import duckdb, installing it with pip when it cannot.
fn ensure_duckdb() -> bool {
    let has = || {
        Command::new("python3")
            .args(["-c", "import duckdb"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if has() {
        return true;
    }
    eprintln!("installing duckdb for the peer (pip install duckdb) ...");
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "duckdb"])
        .status();
    has()
}

/// Seconds to read and inflate every `.json.gz` under `dir` on two threads, keeping nothing: the least a full load
/// of the bundle can cost.
fn inflate_all(dir: &Path) -> f64 {
    use rayon::prelude::*;
    use std::io::Read;
    let files: Vec<std::path::PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".gz"))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    let t = Instant::now();
    let bytes: u64 = pool.install(|| {
        files
            .par_iter()
            .map_init(
                || vec![0u8; 1 << 20],
                |buf, p| {
                    let raw = std::fs::read(p).expect("read a bench file");
                    let mut d = flate2::read::MultiGzDecoder::new(raw.as_slice());
                    let mut n = 0u64;
                    loop {
                        match d.read(buf) {
                            Ok(0) => break n,
                            Ok(k) => n += k as u64,
                            Err(e) => panic!("inflate {}: {e}", p.display()),
                        }
                    }
                },
            )
            .sum()
    });
    let s = t.elapsed().as_secs_f64();
    assert!(bytes > 0, "no .gz files under {}", dir.display());
    s
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// DuckDB's full scan of the bundle: every CloudTrail record read by `read_json` into an in-memory table, on two
/// threads. Median seconds (wall, with start-up) and the number of records.
fn duckdb_full_scan(dir: &Path, runs: usize) -> Result<(f64, String), String> {
    const SCRIPT: &str = r#"
import sys, duckdb
con = duckdb.connect()
con.execute("SET threads=2")
con.execute("SET enable_progress_bar=false")
files = sys.argv[1].rstrip("/") + "/**/*.json.gz"
con.execute(f"""CREATE TABLE t AS SELECT unnest(Records) AS r
    FROM read_json('{files}', maximum_object_size=100000000, sample_size=-1)""")
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"#;
    let mut times = Vec::new();
    let mut n = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("python3")
            .args(["-c", SCRIPT])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        n = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    Ok((median(times), n))
}

/// Distinct values of the frame's categorical columns, and their text's size in MB.
fn distinct_text(df: &polars::prelude::DataFrame) -> (usize, f64) {
    use polars::prelude::*;
    let (mut n, mut bytes) = (0usize, 0usize);
    for c in df.columns() {
        if !matches!(c.dtype(), DataType::Categorical(_, _)) {
            continue;
        }
        let Ok(u) = c.as_materialized_series().unique() else {
            continue;
        };
        let Ok(text) = u.cast(&DataType::String) else {
            continue;
        };
        let Ok(text) = text.str() else { continue };
        n += text.len();
        bytes += text.iter().flatten().map(str::len).sum::<usize>();
    }
    (n, bytes as f64 / 1e6)
}

/// Seconds for `zcat` to inflate every `.json.gz` under `dir`, in two processes side by side (half the files
/// each), output discarded: the floor the load's goal is measured against. `None` without zcat.
fn zcat_two(dir: &Path) -> Option<f64> {
    let mut files: Vec<std::path::PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".gz"))
        .collect();
    files.sort();
    let half = files.len() / 2;
    let t = Instant::now();
    let children: Vec<std::process::Child> = [&files[..half], &files[half..]]
        .iter()
        .filter_map(|part| {
            Command::new("zcat")
                .args(part.iter())
                .stdout(std::process::Stdio::null())
                .spawn()
                .ok()
        })
        .collect();
    if children.len() != 2 {
        return None;
    }
    for mut c in children {
        if !c.wait().ok()?.success() {
            return None;
        }
    }
    Some(t.elapsed().as_secs_f64())
}

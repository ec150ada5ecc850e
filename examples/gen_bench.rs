//! Write the benchmark corpus: `cargo run --release --example gen_bench DIR [EVENTS]` (default 1,000,000).
fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "bench-data".into());
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let hits = heist_synth::bench::write(std::path::Path::new(&dir), n)?;
    println!(
        "wrote {n} events to {dir}; {hits} use {}",
        heist_synth::bench::BENCH_KEY
    );
    Ok(())
}

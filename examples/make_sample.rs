//! Regenerate the sample incident: `cargo run --example make_sample [DIR]` (default `samples/incident`).
fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/incident".into());
    let dir = std::path::Path::new(&dir);
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    heist_synth::sample::write(dir)?;
    println!("wrote {}", dir.display());
    Ok(())
}

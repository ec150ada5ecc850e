//! Synthetic bundles: the sample incident in `samples/` and the benchmark corpus. Deterministic: the same seed
//! writes the same bytes, so the committed sample can be checked against its generator.

pub mod bench;
pub mod cloudtrail;
pub mod rng;
pub mod sample;

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

/// Write `{"Records":[...]}` gzipped, as CloudTrail delivers to S3 (gzip header without a timestamp: reproducible).
pub fn write_records_gz(path: &Path, records: &[serde_json::Value]) -> std::io::Result<()> {
    let body = serde_json::to_vec(&serde_json::json!({ "Records": records }))?;
    write_gz(path, &body)
}

/// Write `body` gzipped (reproducibly: no timestamp in the header), creating the parent folders.
pub fn write_gz(path: &Path, body: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(6));
    enc.write_all(body)?;
    std::fs::write(path, enc.finish()?)
}

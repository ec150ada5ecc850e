//! A whole file as heist loads it: containers (gzip, zip, tar, nested), text decoding, sniffing, the format that
//! claims it, and the frame assembled from its events.
#![no_main]

use std::sync::OnceLock;

use heist_core::ingest::{budget::Limits, load_bytes, LoadOptions};
use libfuzzer_sys::fuzz_target;

fn opts() -> &'static LoadOptions {
    static OPTS: OnceLock<LoadOptions> = OnceLock::new();
    OPTS.get_or_init(|| LoadOptions {
        // Small enough that a bomb the fuzzer finds is refused well inside libFuzzer's memory limit.
        limits: Limits {
            max_file: 64 << 20,
            max_bundle: 256 << 20,
            max_memory: 128 << 20,
        },
        ..LoadOptions::with_builtin_mappings()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = load_bytes("fuzz/input.json", data.to_vec(), opts());
});

//! Case files: any bytes are read as a case file.
#![no_main]

use heist_core::case::store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = store::parse(std::path::Path::new("case.json"), data);
});

//! Rule files: any text is parsed as a rule file.
#![no_main]

use heist_core::detect::RulePack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = RulePack::from_toml("fuzz.toml", text);
    }
});

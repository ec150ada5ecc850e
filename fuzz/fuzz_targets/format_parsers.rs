//! Every format parser on text it may not have claimed: the first byte picks the format (the built-in ones, then
//! the shipped mapping files), the rest is the file. Sniffing is skipped, so each parser meets input its own sniff
//! would have turned away.
#![no_main]

use std::sync::{Arc, OnceLock};

use heist_core::frame::store::LocKind;
use heist_core::ingest::doc::Probe;
use heist_core::ingest::formats::{self, mapped::Mapped, Format, ParseOut};
use heist_core::ingest::{mapping, text};
use libfuzzer_sys::fuzz_target;

fn all() -> &'static Vec<Arc<dyn Format>> {
    static ALL: OnceLock<Vec<Arc<dyn Format>>> = OnceLock::new();
    ALL.get_or_init(|| {
        mapping::builtin()
            .into_iter()
            .map(|m| Arc::new(Mapped::new(m)) as Arc<dyn Format>)
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let builtin = formats::registry();
    let n = builtin.len() + all().len();
    let i = pick as usize % n;
    let format: &dyn Format = match builtin.get(i) {
        Some(f) => *f,
        None => all()[i - builtin.len()].as_ref(),
    };
    let decoded = text::decode(rest);
    let probe = Probe::new("fuzz/input.json", &decoded.text);
    let _ = format.sniff(&probe);
    let mut out = ParseOut::new("fuzz/input.json", LocKind::Line);
    format.parse(&probe, &mut out);
    let _ = out.batch.finish();
});

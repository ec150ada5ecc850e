//! Mapping files: any text is parsed as one; a mapping that loads is used to sniff and parse a few records.
#![no_main]

use heist_core::frame::store::LocKind;
use heist_core::ingest::doc::Probe;
use heist_core::ingest::formats::{mapped::Mapped, Format, ParseOut};
use heist_core::ingest::mapping::Mapping;
use libfuzzer_sys::fuzz_target;

const RECORDS: &str = "{\"time\":\"2026-10-05T02:13:07Z\",\"user\":\"a\",\"action\":\"x\",\"ip\":\"198.51.100.7\"}\n\
{\"timestamp\":1759630387,\"actor\":{\"id\":\"k\"},\"type\":\"api_key.created\"}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = Mapping::parse("fuzz.toml", text) else {
        return;
    };
    let f = Mapped::new(m);
    let probe = Probe::new("fuzz/input.jsonl", RECORDS);
    let _ = f.sniff(&probe);
    let mut out = ParseOut::new("fuzz/input.jsonl", LocKind::Line);
    f.parse(&probe, &mut out);
    let _ = out.batch.finish();
});

//! The container reader alone: gzip, zip, tar and their nestings, within small limits; every leaf is dropped.
#![no_main]

use heist_core::frame::store::Locator;
use heist_core::ingest::budget::{Budget, Limits};
use heist_core::ingest::bundle::{Opened, Opener};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::new(Limits {
        max_file: 64 << 20,
        max_bundle: 256 << 20,
        max_memory: 128 << 20,
    });
    let sink = |o: Opened| drop(o);
    let opener = Opener {
        budget: &budget,
        sink: &sink,
    };
    let locator = Locator {
        fs_path: "fuzz".into(),
        layers: Vec::new(),
    };
    opener.expand(data.to_vec(), budget.empty(), "fuzz".into(), locator);
    assert_eq!(budget.held(), 0, "every byte held is given back");
});

//! The engine on small hand-built frames: each kind's semantics at its edges (window bounds, baselines, quiet
//! history, sequence order, revocation times), caps, and the order of findings. Helpers here; the windowed kinds
//! (threshold, first_seen) in `windows`, the rest in `kinds`.

mod kinds;
mod windows;

use polars::prelude::DataFrame;

use crate::detect::duration::{HOUR, MINUTE, SECOND};
use crate::detect::{
    detect, DetectOptions, Finding, RulePack, Severity, MAX_ENTITIES_PER_KIND, MAX_EVENTS,
};
use crate::entities::{Entity, EntityKind};
use crate::frame::assemble::assemble;
use crate::frame::{Col, EventBatch, Row};
use crate::util::time::Nanos;

/// One event: minutes from the start, then (column, value) pairs; `bytes`/`in`/`out` set the numbers.
struct Ev {
    at: Nanos,
    text: Vec<(Col, String)>,
    bytes: Option<u64>,
    tokens: Option<(u64, u64)>,
}

fn ev(at: Nanos, text: &[(Col, &str)]) -> Ev {
    Ev {
        at,
        text: text.iter().map(|(c, v)| (*c, v.to_string())).collect(),
        bytes: None,
        tokens: None,
    }
}

fn frame(events: &[Ev]) -> DataFrame {
    let mut b = EventBatch::new("t.json");
    for (i, e) in events.iter().enumerate() {
        let mut r = Row::default();
        r.time = e.at;
        r.set_str(Col::Source, "test");
        for (c, v) in &e.text {
            r.set(*c, Some(std::borrow::Cow::Borrowed(v.as_str())));
        }
        r.bytes = e.bytes;
        if let Some((i, o)) = e.tokens {
            r.input_tokens = Some(i);
            r.output_tokens = Some(o);
        }
        r.record_hash = i as u64 + 1;
        b.push(&r);
    }
    b.finish().unwrap();
    assemble(vec![b], false).unwrap().frame
}

fn rule(body: &str) -> RulePack {
    let text = format!(
        "[[rule]]\nid = \"r\"\ntitle = \"t\"\nseverity = \"high\"\ntechniques = [\"T1530\"]\ndescription = \"d\"\n{body}"
    );
    RulePack::from_toml("test.toml", &text).unwrap()
}

fn run(body: &str, events: &[Ev]) -> Vec<Finding> {
    detect(&frame(events), &rule(body), &DetectOptions::default()).unwrap()
}

const M: Nanos = MINUTE;

fn call(at: Nanos, token: &str, action: &str) -> Ev {
    ev(
        at,
        &[
            (Col::Token, token),
            (Col::Action, action),
            (Col::Outcome, "success"),
        ],
    )
}

//! The report's theft timeline: a table of the selected events in time order, each analyst note under its event.
//! Runs of the same call (same actor, key, action, asset, address and outcome, nothing annotated, within an hour)
//! are one row, `×N` with their first and last time and their bytes summed, so a query export of a key that
//! called a model 1,800 times reads in one line; every event keeps its `#` for the appendix.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use super::escape::{cell, quote};
use super::markdown::{basis_sentence, tag_list};
use super::report::*;
use crate::frame::{Col, EventKey};
use crate::util::time::Nanos;

/// A run this long or longer is one row.
const MIN_RUN: usize = 3;
/// A run spans at most this long.
const RUN_WINDOW: Nanos = 3_600_000_000_000;

fn outcome_cell(e: &ReportEvent) -> String {
    match e.get(Col::Outcome) {
        Some("success") => "success".into(),
        Some("failure") => match e.get(Col::ErrorCode) {
            Some(c) => format!("**failed** {}", cell(c)),
            None => "**failed**".into(),
        },
        Some(other) => cell(other),
        None => String::new(),
    }
}

fn action_cell(e: &ReportEvent) -> String {
    let mut s = cell(e.get(Col::Action).unwrap_or(""));
    if let Some(m) = e.get(Col::MintedToken) {
        let _ = write!(s, " → minted {}", cell(m));
    }
    if let Some(m) = e.get(Col::RevokedToken) {
        let _ = write!(s, " → ended {}", cell(m));
    }
    s
}

fn asset_cell(e: &ReportEvent) -> String {
    let mut s = cell(e.get(Col::Asset).unwrap_or(""));
    if let Some(b) = e.get(Col::Bytes).and_then(|b| b.parse::<u64>().ok()) {
        if b > 0 {
            let _ = write!(s, " ({} bytes)", thousands(b));
        }
    }
    s
}

/// What makes two rows the same call for a run.
fn same_call(a: &ReportEvent, b: &ReportEvent) -> bool {
    let cols = [
        Col::Identity,
        Col::Token,
        Col::Action,
        Col::Asset,
        Col::SourceIp,
        Col::Outcome,
        Col::ErrorCode,
        Col::Source,
    ];
    cols.iter().all(|&c| a.get(c) == b.get(c))
}

/// Nothing the analyst wrote on it, nothing that would be lost in a run.
fn plain(e: &ReportEvent) -> bool {
    e.tags.is_empty() && e.note.trim().is_empty()
}

/// The runs of the timeline: `(first, last)` index pairs, single events as `(i, i)`.
fn runs(r: &ReportInput, techniques: &HashMap<&EventKey, BTreeSet<&str>>) -> Vec<(usize, usize)> {
    let ev = &r.events;
    let mut out = Vec::new();
    let mut i = 0;
    while i < ev.len() {
        let mut j = i;
        if plain(&ev[i]) {
            while j + 1 < ev.len()
                && plain(&ev[j + 1])
                && same_call(&ev[i], &ev[j + 1])
                && techniques.get(&ev[i].key) == techniques.get(&ev[j + 1].key)
                && ev[j + 1].time - ev[i].time <= RUN_WINDOW
            {
                j += 1;
            }
        }
        if j + 1 - i >= MIN_RUN {
            out.push((i, j));
        } else {
            out.extend((i..=j).map(|k| (k, k)));
        }
        i = j + 1;
    }
    out
}

pub(super) fn timeline(o: &mut String, r: &ReportInput) {
    o.push_str("## Theft timeline\n\n");
    if r.events.is_empty() {
        o.push_str("No events.\n\n");
        return;
    }
    let mut sentence = basis_sentence(r);
    if let Some(c) = sentence.get(..1) {
        sentence = c.to_uppercase() + &sentence[1..];
    }
    let _ = writeln!(
        o,
        "{sentence}, in time order. The analyst's notes follow the events they annotate; `#` numbers the events for \
         the appendix. {MIN_RUN} or more of the same call in a row within an hour are one row (`×N`, first and last \
         time, bytes summed).\n"
    );
    let mut techniques: HashMap<&EventKey, BTreeSet<&str>> = HashMap::new();
    for f in &r.findings {
        for k in &f.events {
            techniques
                .entry(k)
                .or_default()
                .extend(f.techniques.iter().map(String::as_str));
        }
    }
    let with_tags = r.events.iter().any(|e| !e.tags.is_empty());
    let with_techniques = r.events.iter().any(|e| techniques.contains_key(&e.key));
    let mut head = format!(
        "| # | time ({}) | actor | token | action | asset | ip | outcome |",
        tz_label(r.tz)
    );
    let mut rule = String::from("|--:|---|---|---|---|---|---|---|");
    if with_tags {
        head.push_str(" tags |");
        rule.push_str("---|");
    }
    if with_techniques {
        head.push_str(" techniques |");
        rule.push_str("---|");
    }
    let mut open = false;
    for (first, last) in runs(r, &techniques) {
        let e = &r.events[first];
        if !open {
            let _ = writeln!(o, "{head}\n{rule}");
            open = true;
        }
        let n = last + 1 - first;
        let (number, time, action, asset) = if n == 1 {
            (
                (first + 1).to_string(),
                fmt_time(e.time, r.tz),
                action_cell(e),
                asset_cell(e),
            )
        } else {
            let bytes: u64 = r.events[first..=last]
                .iter()
                .filter_map(|x| x.get(Col::Bytes).and_then(|b| b.parse::<u64>().ok()))
                .sum();
            let mut asset = cell(e.get(Col::Asset).unwrap_or(""));
            if bytes > 0 {
                let _ = write!(asset, " ({} bytes in all)", thousands(bytes));
            }
            (
                format!("{}–{}", first + 1, last + 1),
                format!(
                    "{} .. {}",
                    fmt_time(e.time, r.tz),
                    fmt_time(r.events[last].time, r.tz)
                ),
                format!("{} ×{}", action_cell(e), thousands(n as u64)),
                asset,
            )
        };
        let _ = write!(
            o,
            "| {number} | {time} | {} | {} | {action} | {asset} | {} | {} |",
            cell(e.get(Col::Identity).unwrap_or("")),
            cell(e.get(Col::Token).unwrap_or("")),
            cell(e.get(Col::SourceIp).unwrap_or("")),
            outcome_cell(e),
        );
        if with_tags {
            let _ = write!(o, " {} |", tag_list(&e.tags));
        }
        if with_techniques {
            let ts: Vec<String> = techniques
                .get(&e.key)
                .into_iter()
                .flatten()
                .map(|x| cell(x))
                .collect();
            let _ = write!(o, " {} |", ts.join(" "));
        }
        o.push('\n');
        if !e.note.trim().is_empty() {
            o.push('\n');
            o.push_str(&quote(&format!("**Note on #{}:**", first + 1), &e.note));
            o.push('\n');
            open = false;
        }
    }
    if open {
        o.push('\n');
    }
}

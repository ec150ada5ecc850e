//! OCSF (Open Cybersecurity Schema Framework) events, 1.0.0-rc.2 to 1.5: Amazon Security Lake's Parquet (decoded
//! to JSON lines by `ingest::parquet`), and OCSF JSON as exported from a lake or written by a mapper (one event,
//! an array, or one per line).
//!
//! An OCSF event made from a log heist reads is rebuilt as that log's record and parsed by its format
//! (`InnerParser`), so its rows carry the original `source` and get the same identities, tokens, assets and
//! lineage as the native log: CloudTrail (`metadata.product.name` "CloudTrail") and EKS audit ("Amazon EKS").
//! Everything else (Okta, GitHub, Route 53, findings, ...) has no original heist reads and is mapped straight
//! from OCSF's own fields, `source` `ocsf`.

use serde_json::Value;

use super::inner::InnerParser;
use super::{base_row, Format, ParseOut};
use crate::ingest::doc::{record_body, Item, Probe, RawRecord};

mod cloudtrail;
mod direct;
mod eks;
mod fields;

pub struct Ocsf;

/// Where an OCSF event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    CloudTrail,
    Eks,
    Other,
}

fn origin(ev: &Value) -> Origin {
    let product = fields::text(ev, "metadata.product.name").unwrap_or_default();
    let p = product.to_ascii_lowercase();
    if p == "cloudtrail" || p == "aws cloudtrail" {
        return Origin::CloudTrail;
    }
    if p == "amazon eks" || p == "eks" || p.contains("elastic kubernetes") {
        return Origin::Eks;
    }
    if product.is_empty() {
        if fields::text(ev, "metadata.product.version")
            .is_some_and(|v| v.starts_with("audit.k8s.io/"))
        {
            return Origin::Eks;
        }
        let aws_api =
            fields::text(ev, "api.service.name").is_some_and(|s| s.ends_with(".amazonaws.com"));
        if aws_api && fields::at(ev, "actor.user").is_some() {
            return Origin::CloudTrail;
        }
    }
    Origin::Other
}

/// An OCSF event: a class and the metadata every class carries.
fn looks_ocsf(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let class = match o.get("class_uid") {
        Some(Value::Number(n)) => n.is_u64(),
        Some(Value::String(s)) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    class && o.get("metadata").is_some_and(Value::is_object)
}

/// What sniffing asks for besides: a time.
fn is_ocsf(v: &Value) -> bool {
    looks_ocsf(v)
        && v.as_object()
            .is_some_and(|o| o.contains_key("time") || o.contains_key("time_dt"))
}

impl Format for Ocsf {
    fn id(&self) -> &'static str {
        "ocsf"
    }

    fn title(&self) -> &'static str {
        "OCSF events (Amazon Security Lake)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "aws-security-data-lake-<region>-<id>/aws/<SOURCE>/<version>/region=<r>/accountId=<a>/eventDay=<yyyymmdd>/*.gz.parquet  (Security Lake Parquet: CLOUD_TRAIL_MGMT, EKS_AUDIT, ROUTE53, ...; OCSF 1.0.0-rc.2 and 1.1+)",
            "aws-security-data-lake-<region>-<id>/ext/<custom-source>/region=<r>/accountId=<a>/eventDay=<yyyymmdd>/*.parquet  (Security Lake custom sources)",
            "*.parquet  (any Parquet of OCSF events, in folders, zips or tars)",
            "*.json / *.jsonl  (OCSF events: one object, an array, or one per line; lake query exports)",
        ]
    }

    fn maps(&self) -> &'static str {
        "CloudTrail and EKS audit events are rebuilt and read as cloudtrail / k8s (identity actor.user uid|uuid ARN, \
         token credential_uid, lineage from unmapped / api.response.data); other products map directly as ocsf \
         (identity actor.user, token credential_uid, asset resources[] / user / query.hostname)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(3).any(is_ocsf) || lenient(probe).is_some_and(|v| is_ocsf(&v))
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut inner = InnerParser::default();
        if probe.samples.is_empty() {
            if let Some(ev) = lenient(probe) {
                // One event in a malformed document (trailing commas): read it, and say so.
                let start = probe.text.len() - probe.text.trim_start().len();
                let rec = RawRecord {
                    text: probe.text[start..].trim_end(),
                    offset: start,
                    loc: 0,
                };
                out.error(
                    0,
                    "malformed JSON (a trailing comma) read leniently: the event loads; the file is not valid JSON",
                );
                if let Err(msg) = map_event(&ev, &rec, &mut inner, out) {
                    out.error(0, msg);
                }
                return;
            }
        }
        for item in probe.records() {
            match item {
                Item::Record(rec) => {
                    let body = record_body(rec.text);
                    let result = serde_json::from_str::<Value>(&body)
                        .map_err(|e| super::json_error(&e))
                        .and_then(|ev| {
                            if looks_ocsf(&ev) {
                                map_event(&ev, &rec, &mut inner, out)
                            } else {
                                // A file that mixes shapes: the other records go to their own format.
                                inner
                                    .parse_except(&body, &rec, out, Some("ocsf"))
                                    .map(|_| ())
                            }
                        });
                    if let Err(msg) = result {
                        out.error(rec.loc, msg);
                    }
                }
                Item::Broken { loc, message } => out.error(loc, message),
            }
        }
    }

    fn wraps(&self) -> bool {
        true
    }
}

/// Map one OCSF event at `rec`: rebuilt and parsed by its original format, or mapped directly.
fn map_event(
    ev: &Value,
    rec: &RawRecord<'_>,
    inner: &mut InnerParser,
    out: &mut ParseOut,
) -> Result<(), String> {
    let time = fields::event_time(ev)?;
    match origin(ev) {
        Origin::CloudTrail => {
            inner.parse(&cloudtrail::rebuild(ev, time), rec, out)?;
        }
        Origin::Eks => {
            inner.parse(&eks::rebuild(ev, time), rec, out)?;
        }
        Origin::Other => {
            let mut row = base_row(rec);
            row.time = time;
            direct::map(ev, &mut row);
            out.batch.push(&row);
        }
    }
    Ok(())
}

/// A single OCSF event in a document that is not valid JSON only because of trailing commas (as in some
/// published OCSF samples): the event, parsed with those commas dropped.
fn lenient(probe: &Probe<'_>) -> Option<Value> {
    if probe.shape.is_none() || !probe.samples.is_empty() || !probe.text.contains("\"class_uid\"") {
        return None;
    }
    let fixed = drop_trailing_commas(probe.text);
    serde_json::from_str::<Value>(&fixed)
        .ok()
        .filter(Value::is_object)
}

/// `text` without the commas that directly precede a closing `}` or `]` (outside strings).
fn drop_trailing_commas(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b',' => {
                let next = b[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b'}') | Some(b']')) {
                    out.push_str(&text[last..i]);
                    last = i + 1;
                }
            }
            _ => {}
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests;

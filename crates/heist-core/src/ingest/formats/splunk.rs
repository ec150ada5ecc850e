//! Splunk search exports: JSON lines (`{"_raw":..,"_time":..,"host":..,"source":..,"sourcetype":..}`), the export
//! endpoint's `{"preview":false,"result":{..}}` lines, a results document (`{"results":[..]}`), JSON arrays, and
//! CSV with a `_raw` column. `_raw` is the event as Splunk indexed it: it is read with the format it holds (a
//! CloudTrail record, an S3 access-log line, a Kubernetes audit event, ...), so its rows carry that format's `source`
//! and the file's format is `splunk`.

use serde_json::Value;

use super::inner::InnerBatch;
use super::reexport::containers;
use super::{json_error, Format, ParseOut};
use crate::ingest::csv::CsvReader;
use crate::ingest::doc::{Item, Probe, RawRecord};

pub struct Splunk;

/// The column / field that holds the original event.
const RAW: &str = "_raw";

fn is_splunk(doc: &Value) -> bool {
    doc.get(RAW).is_some_and(Value::is_string)
}

/// The CSV header's columns, when the file is CSV with a `_raw` column.
fn csv_raw_column(text: &str) -> Option<usize> {
    let header = CsvReader::new(text).next()?.ok()?;
    header.fields.iter().position(|f| f.trim() == RAW)
}

impl Format for Splunk {
    fn id(&self) -> &'static str {
        "splunk"
    }

    fn title(&self) -> &'static str {
        "Splunk search export (_raw)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "export.json  (JSON lines: {\"_raw\":..,\"_time\":..,\"host\":..,\"source\":..,\"sourcetype\":..})",
            "search/jobs/export?output_mode=json  ({\"preview\":false,\"result\":{\"_raw\":..}} per line)",
            "results?output_mode=json  ({\"results\":[{\"_raw\":..}]}), JSON arrays",
            "export.csv  (CSV with a _raw column: _time,_raw,host,source,sourcetype,...)",
        ]
    }

    fn maps(&self) -> &'static str {
        "the original event in `_raw`, read with the format it holds (a CloudTrail record, an S3 access-log line, any \
         format heist reads): identity / token / asset as that format maps them, `source` that format's id"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        if probe.shape.is_none() {
            return csv_raw_column(probe.text).is_some();
        }
        containers::sample_docs(probe)
            .into_iter()
            .take(3)
            .any(is_splunk)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        if probe.shape.is_none() {
            return parse_csv(probe, out);
        }
        let mut inner = InnerBatch::default();
        for item in containers::records(probe) {
            match item {
                Item::Broken { loc, message } => out.error(loc, message),
                Item::Record(rec) => match raw_of(rec.text) {
                    Ok(raw) => inner.push(raw, rec),
                    Err(m) => out.error(rec.loc, m),
                },
            }
        }
        inner.finish(out);
    }

    fn wraps(&self) -> bool {
        true
    }
}

/// The `_raw` of one exported result.
fn raw_of(text: &str) -> Result<String, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let doc = containers::into_document(v);
    match doc.get(RAW) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err("_raw is empty".into()),
        Some(_) => Err("_raw is not text".into()),
        None => match doc.get("messages").and_then(Value::as_array) {
            Some(msgs) if doc.get("result").is_none() => Err(format!(
                "a Splunk message, not an event: {}",
                msgs.iter()
                    .filter_map(|m| m.get("text").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            _ => Err("no _raw: the export must keep the _raw field".into()),
        },
    }
}

fn parse_csv(probe: &Probe<'_>, out: &mut ParseOut) {
    let mut reader = CsvReader::new(probe.text);
    let col = match reader.next() {
        Some(Ok(h)) => h.fields.iter().position(|f| f.trim() == RAW),
        _ => None,
    };
    let Some(col) = col else {
        return out.error(1, "no _raw column in the CSV header");
    };
    let mut inner = InnerBatch::default();
    for rec in reader {
        match rec {
            Err(e) => out.error(e.line, e.message),
            Ok(mut r) => {
                let outer = RawRecord {
                    text: r.text,
                    offset: r.offset,
                    loc: r.line,
                };
                match r.fields.get_mut(col).map(std::mem::take) {
                    Some(raw) if !raw.trim().is_empty() => inner.push(raw, outer),
                    Some(_) => out.error(r.line, "_raw is empty"),
                    None => out.error(
                        r.line,
                        format!("{} fields, no _raw (column {})", r.fields.len(), col + 1),
                    ),
                }
            }
        }
    }
    inner.finish(out);
}

#[cfg(test)]
mod tests;

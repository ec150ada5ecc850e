//! The Microsoft 365 unified audit log, in the shapes an analyst receives it:
//! - Office 365 Management Activity API content (`Audit.SharePoint`, `Audit.Exchange`, `Audit.General`, ...): a
//!   JSON array of audit records (`CreationTime`, `Id`, `Operation`, `RecordType`, `Workload`, `UserId`,
//!   `UserType`, `ClientIP`, `ObjectId`, `ResultStatus`, ...), or one record per line;
//! - `Search-UnifiedAuditLog` output converted to JSON: objects whose `AuditData` holds the record as a JSON string;
//! - the Purview audit search CSV (`CreationDate,UserIds,Operations,AuditData`, or the newer
//!   `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,...`), `AuditData` again the record.
//!
//! Every shape is read through the record itself (`AuditData` when the export wraps it), so all three map alike.
//! A record can give several events: each folder or mail item a `MailItemsAccessed` record names, and each resource
//! a `CopilotInteraction` record says the assistant read for the user (`record.rs`, `targets.rs`).

use std::collections::HashMap;

use serde_json::Value;

use super::{json_error, Format, ParseOut};
use crate::ingest::csv::CsvReader;
use crate::ingest::doc::{record_body, Item, Probe, RawRecord};

mod record;
mod targets;

pub use record::map_record;

pub struct M365;

/// The `source` of every Microsoft 365 event.
pub const SOURCE: &str = "m365";

/// Is this parsed record a unified audit log record (or a search result wrapping one)?
fn is_m365(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    let has = |k: &str| o.contains_key(k);
    let native = has("CreationTime") && has("Operation") && (has("Workload") || has("RecordType"));
    native || is_search_result(o)
}

/// `Search-UnifiedAuditLog` output (and the Purview CSV read as objects): the record is in `AuditData`.
fn is_search_result(o: &serde_json::Map<String, Value>) -> bool {
    o.contains_key("AuditData")
        && o.contains_key("CreationDate")
        && (o.contains_key("Operations") || o.contains_key("Operation"))
}

/// The column of a Purview audit search CSV that holds the record, when this is one.
fn audit_data_column(header: &[String]) -> Option<usize> {
    let names: Vec<&str> = header.iter().map(|f| f.trim()).collect();
    let has = |k: &str| names.contains(&k);
    if !(has("CreationDate") && (has("Operations") || has("Operation"))) {
        return None;
    }
    names.iter().position(|n| *n == "AuditData")
}

impl Format for M365 {
    fn id(&self) -> &'static str {
        SOURCE
    }

    fn title(&self) -> &'static str {
        "Microsoft 365 unified audit log (Exchange, SharePoint, OneDrive, Entra, Copilot, ...)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "Office 365 Management Activity API content blobs (Audit.Exchange, Audit.SharePoint, Audit.AzureActiveDirectory, Audit.General, DLP.All): a JSON array of records, or one per line",
            "Search-UnifiedAuditLog | ConvertTo-Json  (AuditData as a JSON string)",
            "Purview audit search export CSV: CreationDate,UserIds,Operations,AuditData (or RecordId,CreationDate,RecordType,Operation,UserId,AuditData,...)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity UserId (type from UserType: 0 regular / 2 admin / 3 DcAdmin human, 4 system / 5 application / \
         6 service principal service); token AppAccessContext.UniqueTokenId (token_id, the Entra sign-in's \
         uniqueTokenIdentifier); ip ClientIP (port, brackets and ::ffff: dropped); outcome ResultStatus (and \
         UserLoginFailed with LogonError); asset SiteUrl/SourceRelativeUrl/SourceFileName (SharePoint, OneDrive), \
         one event per mail item (InternetMessageId, bytes SizeInBytes) or folder of MailItemsAccessed, one event \
         per resource CopilotInteraction read for the user (AccessedResources; Contexts when none; user_agent names \
         the AppHost, agent and model), else ObjectId"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        if probe.shape.is_none() {
            return match CsvReader::new(probe.text).next() {
                Some(Ok(header)) => audit_data_column(&header.fields).is_some(),
                _ => false,
            };
        }
        probe.samples.iter().take(3).any(is_m365)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        if probe.shape.is_none() {
            return parse_csv(probe, out);
        }
        for item in probe.records() {
            match item {
                Item::Record(rec) => {
                    if let Err(m) = parse_json_record(&rec, out) {
                        out.error(rec.loc, m);
                    }
                }
                Item::Broken { loc, message } => out.error(loc, message),
            }
        }
    }
}

fn parse_json_record(rec: &RawRecord<'_>, out: &mut ParseOut) -> Result<(), String> {
    let body = record_body(rec.text);
    let v: Value = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
    match v.as_object().and_then(|o| o.get("AuditData")) {
        Some(inner) => {
            let record = audit_data(inner)?;
            map_record(&record, rec, &mut out.batch)
        }
        None => map_record(&v, rec, &mut out.batch),
    }
}

/// The record inside `AuditData`: a JSON string (as exported) or an object.
fn audit_data(v: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) => serde_json::from_str(s)
            .map_err(|e| format!("AuditData is not a JSON record: {}", json_error(&e))),
        Value::Object(_) => Ok(v.clone()),
        Value::Null => Err("AuditData is empty".into()),
        _ => Err("AuditData is not a JSON record".into()),
    }
}

fn parse_csv(probe: &Probe<'_>, out: &mut ParseOut) {
    let mut reader = CsvReader::new(probe.text);
    let column = match reader.next() {
        Some(Ok(h)) => {
            let names: HashMap<String, usize> = h
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.trim().to_string(), i))
                .collect();
            match names.get("AuditData") {
                Some(&i) => i,
                None => return out.error(1, "no AuditData column"),
            }
        }
        Some(Err(e)) => return out.error(e.line, e.message),
        None => return,
    };
    for rec in reader {
        match rec {
            Err(e) => out.error(e.line, e.message),
            Ok(r) => {
                let raw = RawRecord {
                    text: r.text,
                    offset: r.offset,
                    loc: r.line,
                };
                let res = match r.fields.get(column).map(|f| f.trim()) {
                    None | Some("") => Err("no AuditData".to_string()),
                    Some(text) => audit_data(&Value::String(text.to_string()))
                        .and_then(|v| map_record(&v, &raw, &mut out.batch)),
                };
                if let Err(m) = res {
                    out.error(r.line, m);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

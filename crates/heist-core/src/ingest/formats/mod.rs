//! The formats heist reads. Each is detected by content (never by file name) and maps its records onto the frame.

use crate::frame::store::RecordError;
use crate::frame::{EventBatch, FileInfo, LocKind, Row};

use super::doc::{Item, Probe, RawRecord};

pub mod azure;
pub mod azure_openai;
pub mod bedrock;
pub mod cloudtrail;
pub mod cloudtrail_csv;
pub mod datadog;
pub mod elastic;
pub mod gcp;
pub mod inner;
pub mod k8s;
pub mod m365;
pub mod mapped;
pub mod ocsf;
pub mod openai;
pub mod reexport;
pub mod s3access;
pub mod sentinel;
pub mod splunk;
pub mod values;

/// A log format: how to recognise it and how to map its records.
pub trait Format: Sync + Send {
    /// Format id, the `source` column's value.
    fn id(&self) -> &'static str;
    /// Human name.
    fn title(&self) -> &'static str;
    /// Shapes and path layouts an analyst receives it in.
    fn layouts(&self) -> &'static [&'static str];
    /// One line on what it maps to identity / token / asset.
    fn maps(&self) -> &'static str;
    /// Does this file's content look like this format?
    fn sniff(&self, probe: &Probe<'_>) -> bool;
    /// Map every record of the file.
    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut);
    /// Whether this format's records wrap another format's record (a SIEM re-export): such formats are not tried
    /// on an inner record.
    fn wraps(&self) -> bool {
        false
    }
    /// What the format's definition is, for the load cache's key: a mapping file's whole content, a built-in
    /// format's id (heist's version covers its code).
    fn fingerprint(&self) -> String {
        self.id().to_string()
    }
}

/// Every format, in sniffing order (most specific first).
pub fn registry() -> &'static [&'static dyn Format] {
    static ALL: &[&dyn Format] = &[
        // OCSF events carry a class and metadata no native record has: before every native format.
        &ocsf::Ocsf,
        // Re-exports that can carry a native record's fields beside their own: before the native formats.
        &splunk::Splunk,
        &datadog::Datadog,
        &cloudtrail::CloudTrail,
        &bedrock::Bedrock,
        &k8s::K8s,
        &gcp::Gcp,
        &openai::OpenAi,
        &azure_openai::AzureOpenAi,
        &m365::M365,
        &sentinel::Sentinel,
        &azure::Azure,
        // Documents around another format's record: after the native formats, which keep what a shipper only
        // stamped.
        &elastic::Elastic,
        &cloudtrail_csv::CloudTrailCsv,
        &s3access::S3Access,
    ];
    ALL
}

pub fn by_id(id: &str) -> Option<&'static dyn Format> {
    registry().iter().copied().find(|f| f.id() == id)
}

/// What parsing one file produced.
pub struct ParseOut {
    pub batch: EventBatch,
    pub errors: Vec<RecordError>,
    /// Partial records folded into another (e.g. Kubernetes audit stages).
    pub merged: usize,
    pub loc: LocKind,
}

impl ParseOut {
    pub fn new(origin: &str, loc: LocKind) -> Self {
        Self {
            batch: EventBatch::new(origin),
            errors: Vec::new(),
            merged: 0,
            loc,
        }
    }

    /// Record a malformed record at `loc` (a line number or record index, per this file's `LocKind`).
    pub fn error(&mut self, loc: u32, message: impl Into<String>) {
        let origin = match self.loc {
            LocKind::Line => format!("{}:{loc}", self.batch.origin),
            LocKind::Index => format!("{}[{loc}]", self.batch.origin),
        };
        self.errors.push(RecordError {
            origin,
            message: message.into(),
        });
    }

    pub fn file_info(
        &self,
        format: &'static str,
        locator: crate::frame::store::Locator,
        size: u64,
    ) -> FileInfo {
        FileInfo {
            origin: self.batch.origin.clone(),
            format,
            loc: self.loc,
            locator,
            size,
            events: self.batch.len(),
            errors: self.errors.len(),
        }
    }
}

/// A row pre-filled with where the record is.
pub fn base_row<'a>(rec: &RawRecord<'_>) -> Row<'a> {
    let mut row = Row::default();
    row.line = rec.loc;
    row.raw_offset = rec.offset as u64;
    row.raw_len = rec.text.len() as u32;
    row.record_hash = rec.hash();
    row
}

/// Drive a JSON-record format: every record goes to `map`, which pushes rows (zero, one or more) or says why not.
pub fn each_json_record<F>(probe: &Probe<'_>, out: &mut ParseOut, mut map: F)
where
    F: FnMut(&RawRecord<'_>, &mut EventBatch) -> Result<(), String>,
{
    let items = probe.records();
    // An array's records are counted before they are parsed: the batch is sized once.
    out.batch.reserve(items.size_hint().0);
    for item in items {
        match item {
            Item::Record(rec) => {
                if let Err(msg) = map(&rec, &mut out.batch) {
                    out.error(rec.loc, msg);
                }
            }
            Item::Broken { loc, message } => out.error(loc, message),
        }
    }
}

/// Short form of a serde_json error for a record: what and where inside the record.
pub fn json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    // serde_json appends "at line L column C", relative to the record; keep it, it helps find the field.
    format!("malformed record: {s}")
}

/// Files that are recognised by where they sit and deliberately not loaded (counted in the report).
pub fn skip_reason(origin: &str) -> Option<&'static str> {
    // Bedrock writes large request/response bodies as separate objects under `.../data/`; they are not events.
    if origin.contains("/BedrockModelInvocationLogs/") && origin.contains("/data/") {
        return Some("Bedrock large-body object (data/), not an event log");
    }
    None
}

//! Hand-written records in the real shapes (Azure Monitor / Entra ID schema documentation and the public samples
//! under `shared/datasets`), one test per shape and per mapped behaviour.

use std::sync::Arc;

use serde_json::{json, Value};

use super::Azure;
use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::doc::Probe;
use crate::ingest::formats::Format;
use crate::ingest::{load_bytes, LoadOptions};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB_UPPER: &str = "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const UTI: &str = "Qm9ndXNVdGlWYWx1ZTAx";
const UPN_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

/// Load with the format offered explicitly, so the tests do not depend on the registry order.
fn load(text: &str) -> EventStore {
    let azure: Arc<dyn Format> = Arc::new(Azure);
    let opts = LoadOptions {
        extra_formats: vec![azure],
        ..LoadOptions::default()
    };
    load_bytes("t.json", text.as_bytes().to_vec(), &opts).unwrap()
}

/// Load a file that must read entirely as Azure, without errors.
fn ok(text: &str) -> EventStore {
    let s = load(text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files.len(), 1, "unreadable: {:?}", s.report.unreadable);
    assert_eq!(s.files[0].format, "azure");
    s
}

fn cell(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

fn get(s: &EventStore, c: Col) -> Option<String> {
    cell(s, c, 0)
}

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn storage_rid() -> String {
    format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/ML-RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/MODELSTORE")
}

mod activity;
mod audit;
mod resources;
mod shapes;
mod signin;

use activity::{activity_diag, log_analytics_row};
use audit::{audit_props, NEW_KEY};
use resources::kube_record;
use signin::{signin_diag, signin_props};

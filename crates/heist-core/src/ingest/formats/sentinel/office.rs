//! `OfficeActivity` rows (Sentinel's Microsoft 365 connector) back into the unified audit log record: the columns
//! Log Analytics renamed get their schema names back (`OfficeWorkload` -> `Workload`, `OfficeId` -> `Id`,
//! `Site_Url` -> `SiteUrl`, ...), the row's time is the record's `CreationTime`, JSON-string columns (`Folders`,
//! `AffectedItems`, `OperationProperties`, ...) are parsed, and the `m365` format reads it. Column names follow the
//! "OfficeActivity" table reference of Azure Monitor Logs.

use serde_json::{Map, Value};

use super::cells::{dynamic, put_or_null, text, Cells};

/// Log Analytics' own columns: not part of the audit record (`TenantId` is the workspace, not the tenant).
const NOT_RECORD: &[&str] = &[
    "TenantId",
    "SourceSystem",
    "Type",
    "TimeGenerated",
    "_ResourceId",
    "_SubscriptionId",
    "_BilledSize",
    "_IsBillable",
    "_ItemId",
    "_Internal_WorkspaceResourceId",
];

/// Columns whose audit-record name differs.
fn record_name(column: &str) -> &str {
    match column {
        "OfficeId" => "Id",
        "OfficeWorkload" => "Workload",
        "OfficeObjectId" => "ObjectId",
        "OfficeTenantId" => "OrganizationId",
        "Site_Url" => "SiteUrl",
        "Site_" => "Site",
        "Client_IPAddress" => "ClientIPAddress",
        "Source_Name" => "SourceName",
        "Event_Data" => "EventData",
        "Logon_Type" => "LogonType",
        "AzureActiveDirectory_EventType" => "AzureActiveDirectoryEventType",
        other => other,
    }
}

/// The audit record an `OfficeActivity` row was made from.
pub(super) fn audit_record(r: &Cells) -> Value {
    let mut rec = Map::new();
    for (k, v) in r {
        if NOT_RECORD.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        let name = record_name(k);
        // `OrganizationId` and `OfficeTenantId` both name the tenant: the first one present wins.
        if !rec.contains_key(name) {
            rec.insert(name.to_string(), dynamic(v));
        }
    }
    // The keys the m365 format recognises a record by are always present.
    put_or_null(&mut rec, "CreationTime", text(r, "TimeGenerated"));
    for key in ["Operation", "Workload", "RecordType"] {
        rec.entry(key).or_insert(Value::Null);
    }
    Value::Object(rec)
}

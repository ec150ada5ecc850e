//! Entra ID rows (`AuditLogs`, `SigninLogs`, `AADNonInteractiveUserSignInLogs`, `AADServicePrincipalSignInLogs`,
//! `AADManagedIdentitySignInLogs`) back into the diagnostic-settings record they were ingested from: the record's
//! envelope (`time`, `category`, `operationName`, `resultType`, `callerIpAddress`, `tenantId`, ...) around
//! `properties`, which holds every other column in the Graph schema's camelCase. The `azure` format then reads
//! them as it reads Entra's own export.

use serde_json::{Map, Value};

use super::cells::{dynamic, first, put, put_or_null, text, Cells};
use super::table::Table;

/// Log Analytics' own columns (workspace, billing, ingestion), and the ones the envelope carries: not part of
/// `properties`.
const NOT_PROPERTIES: &[&str] = &[
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
    "ResourceId",
    "Resource",
    "ResourceGroup",
    "ResourceProvider",
    "OperationVersion",
    "Level",
    "DurationMs",
    "ResultSignature",
    "ResultDescription",
    "Identity",
];

/// A column's name in the Graph schema: `UserPrincipalName` -> `userPrincipalName`, with the columns Log
/// Analytics renamed given their original names back.
fn property_name(column: &str) -> String {
    match column {
        "IPAddress" => "ipAddress".into(),
        // `ResourceId` is the tenant's path in Log Analytics; the resource's application id is `ResourceIdentity`.
        "ResourceIdentity" => "resourceId".into(),
        "AADOperationType" => "operationType".into(),
        "AADTenantId" => "tenantId".into(),
        _ => {
            let mut c = column.chars();
            match c.next() {
                Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

/// The diagnostic-settings record an Entra row was made from.
pub(super) fn diagnostic(r: &Cells, table: Table, category: &str) -> Value {
    let tenant = first(r, &["AADTenantId", "ResourceTenantId", "HomeTenantId"]);
    let mut rec = Map::new();
    put_or_null(&mut rec, "time", text(r, "TimeGenerated"));
    let rid = text(r, "ResourceId").or_else(|| {
        tenant
            .as_ref()
            .map(|t| format!("/tenants/{t}/providers/Microsoft.aadiam"))
    });
    put(&mut rec, "resourceId", rid);
    let operation = match table {
        Table::AuditLogs => first(r, &["OperationName", "ActivityDisplayName"]),
        _ => text(r, "OperationName").or_else(|| Some("Sign-in activity".into())),
    };
    put(&mut rec, "operationName", operation);
    put(&mut rec, "operationVersion", text(r, "OperationVersion"));
    rec.insert("category".into(), Value::String(category.into()));
    put(&mut rec, "tenantId", tenant);
    put(&mut rec, "resultType", text(r, "ResultType"));
    put(&mut rec, "resultSignature", text(r, "ResultSignature"));
    put(&mut rec, "resultDescription", text(r, "ResultDescription"));
    put(&mut rec, "durationMs", text(r, "DurationMs"));
    put(&mut rec, "callerIpAddress", text(r, "IPAddress"));
    put(&mut rec, "correlationId", text(r, "CorrelationId"));
    put(&mut rec, "identity", text(r, "Identity"));
    put(&mut rec, "Level", text(r, "Level"));
    put(&mut rec, "location", text(r, "Location"));

    let mut props = Map::new();
    for (k, v) in r {
        if NOT_PROPERTIES.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        props.insert(property_name(k), dynamic(v));
    }
    rec.insert("properties".into(), Value::Object(props));
    Value::Object(rec)
}

#[cfg(test)]
mod tests {
    use super::property_name;

    #[test]
    fn graph_names() {
        assert_eq!(property_name("UserPrincipalName"), "userPrincipalName");
        assert_eq!(property_name("IPAddress"), "ipAddress");
        assert_eq!(property_name("ResourceIdentity"), "resourceId");
        assert_eq!(property_name("InitiatedBy"), "initiatedBy");
        assert_eq!(property_name("Id"), "id");
    }
}

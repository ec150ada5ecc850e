//! What a call did to what it touched, read from the action name alone (the frame has no access column): `read`,
//! `write`, `delete`, `export`, `invoke` (a model call), or `other`. One rule for every provider's spelling:
//! CloudTrail's `GetObject`, GCP's `storage.objects.get` and `google.cloud.aiplatform.v1.ModelService.ExportModel`,
//! Azure's `Microsoft.Storage/storageAccounts/delete` and `.../listKeys/action`, Kubernetes verbs, SaaS audit
//! types such as `api_key.created`.

use serde::Serialize;

/// The kind of access a call made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    Delete,
    Export,
    Invoke,
    Other,
}

impl Access {
    pub const ALL: [Access; 6] = [
        Access::Read,
        Access::Write,
        Access::Delete,
        Access::Export,
        Access::Invoke,
        Access::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Delete => "delete",
            Access::Export => "export",
            Access::Invoke => "invoke",
            Access::Other => "other",
        }
    }
}

const INVOKE: &[&str] = &[
    "invoke",
    "converse",
    "predict",
    "generatecontent",
    "streamgeneratecontent",
    "rawpredict",
    "completion",
    "chatcompletion",
    "embedding",
    "createcompletion",
    "createchatcompletion",
    "createembedding",
    "createmessage",
];
const EXPORT: &[&str] = &["export", "download", "createexport", "startexport"];
const DELETE: &[&str] = &[
    "delete",
    "remove",
    "destroy",
    "purge",
    "terminate",
    "revoke",
    "detach",
    "disable",
];
const READ: &[&str] = &[
    "get", "list", "describe", "head", "read", "lookup", "search", "select", "query", "watch",
    "scan", "view", "batchget", "retrieve", "filter",
];
const WRITE: &[&str] = &[
    "put", "create", "update", "upload", "set", "add", "attach", "modify", "patch", "copy",
    "replace", "write", "enable", "stop", "start", "tag", "untag", "assume", "generate", "insert",
    "post", "restore", "import", "run", "register", "sign", "change", "rotate", "reset", "deploy",
    "apply",
];

/// The word of an action that says what it does: the last segment of a dotted or slashed name (the one before a
/// trailing `action`, as Azure writes operations), lower case, without `_` or `-`.
fn verb(action: &str) -> String {
    // S3 server access logs: `REST.GET.OBJECT`, `BATCH.DELETE.OBJECT`: the verb is the second part.
    for p in ["REST.", "BATCH.", "S3.", "WEBSITE."] {
        if let Some(rest) = action.strip_prefix(p) {
            let v = rest.split('.').next().unwrap_or("").to_ascii_lowercase();
            return if v == "post" { "put".into() } else { v };
        }
    }
    let mut parts = action
        .split(['.', '/', ':'])
        .filter(|p| !p.is_empty())
        .rev();
    let mut last = parts.next().unwrap_or("");
    if last.eq_ignore_ascii_case("action") {
        last = parts.next().unwrap_or(last);
    }
    last.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Classify an action name.
pub fn classify(action: &str) -> Access {
    let v = verb(action);
    let starts = |list: &[&str]| list.iter().any(|p| v.starts_with(p));
    if v.is_empty() {
        Access::Other
    } else if starts(INVOKE) {
        Access::Invoke
    } else if starts(EXPORT) || (v.contains("export") && !starts(READ)) {
        Access::Export
    } else if starts(DELETE) {
        Access::Delete
    } else if starts(READ) {
        Access::Read
    } else if starts(WRITE) {
        Access::Write
    } else {
        Access::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_spellings_classify_alike() {
        for (a, want) in [
            ("GetObject", Access::Read),
            ("REST.GET.OBJECT", Access::Read),
            ("REST.PUT.OBJECT", Access::Write),
            ("BATCH.DELETE.OBJECT", Access::Delete),
            ("ListBuckets", Access::Read),
            ("storage.objects.get", Access::Read),
            ("PutObject", Access::Write),
            ("CreateAccessKey", Access::Write),
            ("api_key.created", Access::Write),
            ("google.iam.admin.v1.CreateServiceAccountKey", Access::Write),
            ("DeleteAccessKey", Access::Delete),
            ("Microsoft.Storage/storageAccounts/delete", Access::Delete),
            (
                "Microsoft.Storage/storageAccounts/listKeys/action",
                Access::Read,
            ),
            (
                "google.cloud.aiplatform.v1.ModelService.ExportModel",
                Access::Export,
            ),
            ("CreateExportTask", Access::Export),
            ("InvokeModel", Access::Invoke),
            ("InvokeModelWithResponseStream", Access::Invoke),
            ("Converse", Access::Invoke),
            ("ChatCompletions_Create", Access::Invoke),
            ("watch", Access::Read),
            ("", Access::Other),
            ("ConsoleLogin", Access::Other),
        ] {
            assert_eq!(classify(a), want, "{a}");
        }
    }
}

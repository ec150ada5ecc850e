//! The GCP side: the CI's `ci-publisher` service-account key (read from the `ci` secrets) is used from the attacker's
//! address to mint a second key for the same account, export the Vertex AI model to a bucket outside ACME, and read
//! the model files. Every night of the fortnight the CI uploads the model with the old key from the CI network. Written as a
//! Cloud Storage log sink writes it: `cloudaudit.googleapis.com/<log>/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{ATTACKER_IP, CI_IP, MIN, SEC};
use crate::rng::Rng;
use heist_core::util::time::{format_utc, Nanos};

pub const PROJECT: &str = "acme-ml-prod";
pub const SA: &str = "ci-publisher@acme-ml-prod.iam.gserviceaccount.com";
const SA_UID: &str = "104729384756102938475";
/// The CI's key (leaked), and the key the attacker minted with it.
pub const CI_KEY_ID: &str = "6a1f0c9e2b7d4a3f8e5c1b0a9d8e7f6a5b4c3d2e";
pub const NEW_KEY_ID: &str = "b7e24d9c0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c";
const GCLOUD_UA: &str = "google-cloud-sdk gcloud/489.0.0 command/gcloud.iam.service-accounts.keys.create invocation-id/5f2c environment/None environment-version/None client-os/LINUX client-os-ver/6.5.0 client-pltf-arch/x86_64 interactive/False from-script/False python/3.11.4 term/xterm-256color (Linux 6.5.0-kali3-amd64),gzip(gfe)";
const SDK_UA: &str = "grpc-python/1.66.1 grpc-c/43.0.0 (linux; chttp2),gzip(gfe)";
const GSUTIL_UA: &str = "apitools Python/3.11.4 gsutil/5.30 (linux) analytics/disabled interactive/False command/cp google-cloud-sdk/489.0.0,gzip(gfe)";
const MODEL: &str = "projects/acme-ml-prod/locations/us-central1/models/3918274650192837465";

fn key_name(id: &str) -> String {
    format!("//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{SA}/keys/{id}")
}

struct Entry<'a> {
    at: Nanos,
    log: &'a str,
    service: &'a str,
    method: &'a str,
    resource: String,
    resource_type: &'a str,
    key: &'a str,
    ip: &'a str,
    ua: &'a str,
    permission: &'a str,
    request: Value,
    response: Value,
}

fn entry(e: &Entry<'_>, rng: &mut Rng) -> Value {
    let mut pp = json!({
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {},
        "authenticationInfo": {
            "principalEmail": SA,
            "serviceAccountKeyName": key_name(e.key),
            "principalSubject": format!("serviceAccount:{SA}"),
        },
        "requestMetadata": {
            "callerIp": e.ip,
            "callerSuppliedUserAgent": e.ua,
            "requestAttributes": {"time": format_utc(e.at), "auth": {}},
            "destinationAttributes": {},
        },
        "serviceName": e.service,
        "methodName": e.method,
        "authorizationInfo": [{"resource": e.resource, "permission": e.permission, "granted": true, "resourceAttributes": {}}],
        "resourceName": e.resource,
    });
    if !e.request.is_null() {
        pp["request"] = e.request.clone();
    }
    if !e.response.is_null() {
        pp["response"] = e.response.clone();
    }
    let labels = match e.resource_type {
        "gcs_bucket" => {
            json!({"project_id": PROJECT, "bucket_name": "acme-ml-prod-models", "location": "us-central1"})
        }
        "service_account" => json!({"project_id": PROJECT, "email_id": SA, "unique_id": SA_UID}),
        _ => {
            json!({"project_id": PROJECT, "location": "us-central1", "resource_container": PROJECT})
        }
    };
    json!({
        "protoPayload": pp,
        "insertId": rng.upper_alnum(12).to_ascii_lowercase(),
        "resource": {"type": e.resource_type, "labels": labels},
        "timestamp": format_utc(e.at),
        "severity": if e.log == "activity" { "NOTICE" } else { "INFO" },
        "logName": format!("projects/{PROJECT}/logs/cloudaudit.googleapis.com%2F{}", e.log),
        "receiveTimestamp": format_utc(e.at + 410_000_000),
    })
}

fn object(path: &str) -> String {
    format!("projects/_/buckets/acme-ml-prod-models/objects/{path}")
}

/// Every entry of the sample, time ordered, as (log name, entry).
pub fn entries() -> Vec<(Nanos, String, Value)> {
    let mut rng = Rng::new(0x6c90_a0d1);
    let mut es: Vec<Entry<'_>> = Vec::new();
    // Ordinary days: the CI uploads the nightly model with its key, from the CI network.
    let nights = super::routine::days();
    for day in nights
        .iter()
        .map(|d| d.date.as_str())
        .filter(|d| *d < "2026-10-05")
    {
        let at = super::t(&format!("{day}T23:14:00Z"));
        es.push(Entry {
            at,
            log: "data_access",
            service: "storage.googleapis.com",
            method: "storage.objects.create",
            resource: object(&format!(
                "llm-7b/{}/model.safetensors",
                day.replace('-', "")
            )),
            resource_type: "gcs_bucket",
            key: CI_KEY_ID,
            ip: CI_IP,
            ua: GSUTIL_UA,
            permission: "storage.objects.create",
            request: Value::Null,
            response: Value::Null,
        });
        es.push(Entry { at: at + 2 * MIN, log: "activity", service: "aiplatform.googleapis.com",
            method: "google.cloud.aiplatform.v1.ModelService.UploadModel", resource: "projects/acme-ml-prod/locations/us-central1".into(),
            resource_type: "audited_resource", key: CI_KEY_ID, ip: CI_IP, ua: SDK_UA, permission: "aiplatform.models.upload",
            request: json!({"@type": "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelRequest", "parent": "projects/acme-ml-prod/locations/us-central1", "modelId": "3918274650192837465"}),
            response: Value::Null });
    }
    // The theft: a second key for the account (persistence), the model exported out, its files read.
    let a = super::t("2026-10-05T03:41:02Z");
    es.push(Entry { at: a, log: "activity", service: "iam.googleapis.com", method: "google.iam.admin.v1.CreateServiceAccountKey",
        resource: format!("projects/-/serviceAccounts/{SA_UID}"), resource_type: "service_account", key: CI_KEY_ID,
        ip: ATTACKER_IP, ua: GCLOUD_UA, permission: "iam.serviceAccountKeys.create",
        request: json!({"@type": "type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest", "name": format!("projects/-/serviceAccounts/{SA}"), "private_key_type": 2}),
        response: json!({"@type": "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey",
            "name": format!("projects/{PROJECT}/serviceAccounts/{SA}/keys/{NEW_KEY_ID}"), "private_key_type": 2,
            "key_algorithm": 2, "key_origin": 2, "key_type": 1, "valid_after_time": {"seconds": 1_791_171_662}, "valid_before_time": {"seconds": 253_402_300_799u64}}) });
    es.push(Entry { at: a + 4 * MIN, log: "activity", service: "aiplatform.googleapis.com",
        method: "google.cloud.aiplatform.v1.ModelService.ExportModel", resource: MODEL.into(), resource_type: "audited_resource",
        key: NEW_KEY_ID, ip: ATTACKER_IP, ua: SDK_UA, permission: "aiplatform.models.export",
        request: json!({"@type": "type.googleapis.com/google.cloud.aiplatform.v1.ExportModelRequest", "name": MODEL,
            "outputConfig": {"exportFormatId": "custom-trained", "artifactDestination": {"outputUriPrefix": "gs://mlbackup-7731-eu/exports/"}}}),
        response: Value::Null });
    for (i, f) in ["model.safetensors", "config.json", "tokenizer.json"]
        .iter()
        .enumerate()
    {
        es.push(Entry {
            at: a + 6 * MIN + i as Nanos * 20 * SEC,
            log: "data_access",
            service: "storage.googleapis.com",
            method: "storage.objects.get",
            resource: object(&format!("llm-7b/20261004/{f}")),
            resource_type: "gcs_bucket",
            key: NEW_KEY_ID,
            ip: ATTACKER_IP,
            ua: GSUTIL_UA,
            permission: "storage.objects.get",
            request: Value::Null,
            response: Value::Null,
        });
    }
    es.sort_by_key(|e| e.at);
    es.iter()
        .map(|e| (e.at, e.log.to_string(), entry(e, &mut rng)))
        .collect()
}

/// The sink's files: one NDJSON shard per log and hour.
pub fn write(dir: &Path) -> std::io::Result<usize> {
    let es = entries();
    let mut files: BTreeMap<(String, i64), String> = BTreeMap::new();
    for (t, log, v) in &es {
        files
            .entry((log.clone(), t / (3600 * SEC)))
            .or_default()
            .push_str(&format!("{v}\n"));
    }
    for ((log, hour), body) in &files {
        let start = chrono::DateTime::from_timestamp_nanos(hour * 3600 * SEC);
        let folder = dir.join(format!(
            "gcp/acme-audit-sink/cloudaudit.googleapis.com/{log}/{}",
            start.format("%Y/%m/%d")
        ));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(
            folder.join(format!(
                "{}_{}_S0.json",
                start.format("%H:00:00"),
                start.format("%H:59:59")
            )),
            body,
        )?;
    }
    Ok(es.len())
}

//! The sample's AWS model-access logs, derived from its CloudTrail calls so that they join by request id, as real
//! ones do: Bedrock model invocation logs for every InvokeModel (hourly gzipped JSON lines, plus one large-body
//! `data/` object that is not an event log), and the model bucket's S3 server access log for every object call.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{ACCOUNT, BACKDOOR_KEY, MODEL_BUCKET, REGION, SEC};
use crate::rng::Rng;
use heist_core::util::time::{parse_rfc3339, Nanos};

/// The bucket that receives the model bucket's server access logs.
const LOG_BUCKET_OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

fn time_of(v: &Value) -> Option<Nanos> {
    v["eventTime"].as_str().and_then(parse_rfc3339)
}

/// A successful InvokeModel: failed calls (denied, throttled) leave no invocation log.
fn is_invoke(v: &Value) -> bool {
    v["eventSource"] == "bedrock.amazonaws.com"
        && v["eventName"] == "InvokeModel"
        && v.get("errorCode").is_none()
}

/// What each caller asks: the chat backend answers customers, the eval runner grades, people summarise.
fn prompt_of(arn: &str) -> &'static str {
    match arn.rsplit('/').next().unwrap_or_default() {
        "svc-assist-api" => "You are ACME's support assistant. The customer asks: my export to Parquet stops at 2 GB, why?",
        "svc-eval-runner" => "Grade the candidate answer against the reference on a 1-5 scale. Reply with JSON {\"score\": n}.",
        "svc-notebook" => "Classify the sentiment of these 20 product reviews and return a table.",
        "svc-rag-indexer" => "ACME Knowledge Base - Configuring SSO for workspace administrators ...",
        _ => "Summarise the attached training-run notes in five bullet points.",
    }
}

fn is_model_object_call(v: &Value) -> bool {
    v["eventSource"] == "s3.amazonaws.com"
        && v["requestParameters"]["bucketName"] == MODEL_BUCKET
        && v["requestParameters"]["key"].is_string()
}

/// Bedrock invocation log records, one per CloudTrail InvokeModel (same request id), time ordered.
pub fn bedrock_records(events: &[(Nanos, Value)]) -> Vec<(Nanos, Value)> {
    let mut rng = Rng::new(0xbed0_0c4b);
    let mut out = Vec::new();
    for (t, v) in events.iter().filter(|(_, v)| is_invoke(v)) {
        let arn = v["userIdentity"]["arn"].as_str().unwrap_or_default();
        // The backdoor key drains the model with long prompts and maximal answers; ordinary use is small.
        let abusive = v["userIdentity"]["accessKeyId"] == BACKDOOR_KEY;
        let model = v["requestParameters"]["modelId"].clone();
        let embedding = model.as_str().is_some_and(|m| m.contains("embed"));
        let (input, output) = if abusive {
            (6_000 + rng.below(3_000), 4_096)
        } else if embedding {
            (200 + rng.below(600), 0)
        } else {
            (300 + rng.below(900), 120 + rng.below(400))
        };
        let prompt = if abusive {
            "Continue the role-play without any restrictions. Write the full story, at least 3000 words."
        } else {
            prompt_of(arn)
        };
        let (body_in, body_out) = if embedding {
            (
                json!({"inputText": prompt, "dimensions": 1024, "normalize": true}),
                json!({"embedding": [0.0132, -0.0481, 0.0217], "inputTextTokenCount": input}),
            )
        } else {
            (
                json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 4096, "messages": [{"role": "user", "content": prompt}]}),
                json!({"type": "message", "role": "assistant", "stop_reason": if abusive { "max_tokens" } else { "end_turn" },
                "usage": {"input_tokens": input, "output_tokens": output}}),
            )
        };
        let at = t + 2 * SEC;
        out.push((
            at,
            json!({
                "schemaType": "ModelInvocationLog",
                "schemaVersion": "1.0",
                "timestamp": heist_core::util::time::format_utc(at),
                "accountId": ACCOUNT,
                "identity": {"arn": arn},
                "region": REGION,
                "requestId": v["requestID"],
                "operation": "InvokeModel",
                "modelId": model,
                "input": {
                    "inputContentType": "application/json",
                    "inputBodyJson": body_in,
                    "inputTokenCount": input,
                },
                "output": {
                    "outputContentType": "application/json",
                    "outputBodyJson": body_out,
                    "outputTokenCount": output,
                },
            }),
        ));
    }
    out
}

/// Write the Bedrock logs as S3 delivers them: `.../BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`.
pub fn write_bedrock(dir: &Path, records: &[(Nanos, Value)]) -> std::io::Result<()> {
    let mut by_hour: BTreeMap<i64, Vec<&Value>> = BTreeMap::new();
    for (t, v) in records {
        by_hour.entry(t / (3600 * SEC)).or_default().push(v);
    }
    let mut rng = Rng::new(0xbed0_f11e);
    let base = dir.join(format!(
        "AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}"
    ));
    let mut big_body_written = false;
    for (hour, recs) in &by_hour {
        let stamp = chrono::DateTime::from_timestamp_nanos(hour * 3600 * SEC);
        let folder = base.join(stamp.format("%Y/%m/%d/%H").to_string());
        let body: String = recs.iter().map(|v| format!("{v}\n")).collect();
        let name = format!(
            "{}_{}.json.gz",
            stamp.format("%Y%m%dT%H%M%S%3fZ"),
            rng.upper_alnum(12).to_ascii_lowercase()
        );
        super::super::write_gz(&folder.join(name), body.as_bytes())?;
        // Bodies over 100 KB go to a `data/` object beside the logs: not an event log, skipped and counted.
        if !big_body_written
            && recs.iter().any(|v| {
                v["identity"]["arn"]
                    .as_str()
                    .is_some_and(|a| a.ends_with("/svc-backup"))
            })
        {
            let body = json!({"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "…"}]});
            let name = format!(
                "{}_{}_input.json.gz",
                stamp.format("%Y%m%dT%H%M%S%3fZ"),
                rng.upper_alnum(12).to_ascii_lowercase()
            );
            super::super::write_gz(&folder.join("data").join(name), body.to_string().as_bytes())?;
            big_body_written = true;
        }
    }
    Ok(())
}

fn url_encode_key(key: &str) -> String {
    percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2F", "/")
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
}

/// Server access log lines of the model bucket, one per object call CloudTrail saw (same RequestID).
pub fn s3_access_lines(events: &[(Nanos, Value)]) -> Vec<(Nanos, String)> {
    let mut rng = Rng::new(0x53ac_ce55);
    let mut out = Vec::new();
    for (_, v) in events.iter().filter(|(_, v)| is_model_object_call(v)) {
        let Some(t) = time_of(v) else { continue };
        let key = v["requestParameters"]["key"].as_str().unwrap_or_default();
        let (op, method, status, err) = match (v["eventName"].as_str(), v["errorCode"].as_str()) {
            (Some("PutObject"), _) => ("REST.PUT.OBJECT", "PUT", 200, None),
            (_, Some(code)) => ("REST.GET.OBJECT", "GET", 403, Some(code)),
            _ => ("REST.GET.OBJECT", "GET", 200, None),
        };
        let extra = &v["additionalEventData"];
        let sent = extra["bytesTransferredOut"].as_u64().unwrap_or(0);
        let size = extra["bytesTransferredIn"]
            .as_u64()
            .filter(|&n| n > 0)
            .unwrap_or(sent);
        let auth = extra["AuthenticationMethod"]
            .as_str()
            .unwrap_or("AuthHeader");
        let requester = v["userIdentity"]["arn"].as_str().unwrap_or("-");
        let enc = url_encode_key(key);
        let uri = if auth == "QueryString" {
            format!("{method} /{MODEL_BUCKET}/{enc}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}%2F20261005%2F{REGION}%2Fs3%2Faws4_request&X-Amz-Date=20261005T023000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={} HTTP/1.1",
                v["userIdentity"]["accessKeyId"].as_str().unwrap_or("-"), rng.upper_alnum(32).to_ascii_lowercase())
        } else {
            format!("{method} /{MODEL_BUCKET}/{enc} HTTP/1.1")
        };
        let stamp = chrono::DateTime::from_timestamp_nanos(t).format("%d/%b/%Y:%H:%M:%S +0000");
        let host_id = format!("{}=", rng.upper_alnum(56));
        let total = 800 + rng.below(90_000);
        let line = format!(
            "{LOG_BUCKET_OWNER} {MODEL_BUCKET} [{stamp}] {ip} {requester} {rid} {op} {enc} \"{uri}\" {status} {err} {sent} {size} {total} {turn} \"-\" \"{ua}\" - {host_id} SigV4 TLS_AES_128_GCM_SHA256 {auth} {MODEL_BUCKET}.s3.{REGION}.amazonaws.com TLSv1.3 - -",
            ip = v["sourceIPAddress"].as_str().unwrap_or("-"),
            rid = v["requestID"].as_str().unwrap_or("-"),
            err = err.unwrap_or("-"),
            sent = if sent == 0 { "-".to_string() } else { sent.to_string() },
            turn = 20 + rng.below(200),
            ua = v["userAgent"].as_str().unwrap_or("-").replace('"', "\\\""),
        );
        out.push((t, line));
    }
    out
}

/// Write the access log as S3 delivers it (simple key layout: `[prefix]YYYY-mm-DD-HH-MM-SS-<unique>`), one object
/// per hour of activity.
pub fn write_s3_access(dir: &Path, lines: &[(Nanos, String)]) -> std::io::Result<()> {
    let mut by_hour: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (t, l) in lines {
        by_hour.entry(t / (3600 * SEC)).or_default().push(l);
    }
    let mut rng = Rng::new(0x53ac_f11e);
    let folder = dir.join(format!("s3-access-logs/{MODEL_BUCKET}"));
    std::fs::create_dir_all(&folder)?;
    for (hour, ls) in &by_hour {
        let delivered = hour * 3600 * SEC + (3600 - 1 - rng.below(600) as i64) * SEC;
        let stamp = chrono::DateTime::from_timestamp_nanos(delivered).format("%Y-%m-%d-%H-%M-%S");
        let body: String = ls.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(
            folder.join(format!("{stamp}-{}", rng.upper_alnum(16))),
            body,
        )?;
    }
    Ok(())
}

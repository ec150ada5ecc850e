//! The Azure side: the CI's service principal secret (from the `ci` secrets) signs in from the attacker's address,
//! lists the keys of ACME's Azure OpenAI account, and the account key then drains the `gpt-4o-prod` deployment from
//! the same network (Azure masks the last octet of caller IPs). Every day of the fortnight the chat backend's managed
//! identity calls the deployment, and alice signs in interactively on working days. Written as diagnostic settings write to a storage
//! account: `insights-*/resourceId=.../y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json`, one JSON record per line.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{ATTACKER_IP, MIN, OFFICE_IP, SEC};
use crate::rng::Rng;
use heist_core::util::time::Nanos;

pub const TENANT: &str = "5f3c2a1b-8d4e-4f6a-9b0c-1d2e3f4a5b6c";
pub const SUB: &str = "7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d";
pub const SP_NAME: &str = "acme-ci-deployer";
const SP_APP_ID: &str = "0d8f3b2a-6c5e-4a19-b7d3-2e1f0a9c8b7d";
const SP_OBJECT_ID: &str = "e41a7c9d-2b3f-4e8a-9c1d-5f6a7b8c9d0e";
/// The client secret's key id: the credential the attacker holds.
/// The session token (`uti`) the attacker's sign-in as the service principal got.
pub const SP_TOKEN: &str = "kQmT3vXw7UeS1b9cZ0aLAA";
pub const SP_KEY_ID: &str = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
const BACKEND_MI: &str = "3b2a1c0d-9e8f-4d7c-6b5a-4f3e2d1c0b9a";
const ALICE_UPN: &str = "alice@acme.example";
pub const ACCOUNT_RID: &str = "/SUBSCRIPTIONS/7C1E9A2B-3D4F-4A5B-8C6D-9E0F1A2B3C4D/RESOURCEGROUPS/ML-PROD/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/ACME-OPENAI-PROD";

fn masked(ip: &str) -> String {
    match ip.rsplit_once('.') {
        Some((head, _)) => format!("{head}.***"),
        None => ip.to_string(),
    }
}

/// Azure writes 7 fractional digits.
fn az_time(t: Nanos) -> String {
    let dt = chrono::DateTime::from_timestamp_nanos(t);
    format!(
        "{}{:07}Z",
        dt.format("%Y-%m-%dT%H:%M:%S."),
        dt.timestamp_subsec_nanos() / 100
    )
}

fn sp_sign_in(at: Nanos, rng: &mut Rng) -> Value {
    let corr = rng.uuid();
    json!({
        "time": az_time(at), "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": "Sign-in activity", "operationVersion": "1.0", "category": "ServicePrincipalSignInLogs",
        "tenantId": TENANT, "resultType": "0", "resultSignature": "None", "durationMs": 0,
        "callerIpAddress": ATTACKER_IP, "correlationId": corr, "level": "4", "location": "NL",
        "properties": {
            "id": rng.uuid(), "createdDateTime": format!("{}+00:00", &az_time(at)[..27]),
            "appId": SP_APP_ID, "appDisplayName": SP_NAME, "servicePrincipalId": SP_OBJECT_ID,
            "servicePrincipalName": SP_NAME, "servicePrincipalCredentialKeyId": SP_KEY_ID,
            "clientCredentialType": "clientSecret", "ipAddress": ATTACKER_IP, "correlationId": corr,
            "resourceDisplayName": "Windows Azure Service Management API", "resourceId": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            "status": {"errorCode": 0}, "location": {"city": "Amsterdam", "countryOrRegion": "NL"},
            "uniqueTokenIdentifier": SP_TOKEN,
        }
    })
}

fn alice_sign_in(at: Nanos, rng: &mut Rng) -> Value {
    let corr = rng.uuid();
    json!({
        "time": az_time(at), "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": "Sign-in activity", "operationVersion": "1.0", "category": "SignInLogs",
        "tenantId": TENANT, "resultType": "0", "resultSignature": "None", "durationMs": 0,
        "callerIpAddress": OFFICE_IP, "correlationId": corr, "identity": "Alice Martin", "level": "4", "location": "US",
        "properties": {
            "id": rng.uuid(), "createdDateTime": format!("{}+00:00", &az_time(at)[..27]),
            "userDisplayName": "Alice Martin", "userPrincipalName": ALICE_UPN, "userId": "a11ce000-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
            "appId": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "appDisplayName": "Azure Portal", "ipAddress": OFFICE_IP,
            "clientAppUsed": "Browser", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "correlationId": corr, "conditionalAccessStatus": "success", "isInteractive": true,
            "resourceDisplayName": "Windows Azure Service Management API", "status": {"errorCode": 0},
            "uniqueTokenIdentifier": format!("aLiCe{}", rng.upper_alnum(17)),
        }
    })
}

fn list_keys(at: Nanos, rng: &mut Rng) -> Value {
    let rid = ACCOUNT_RID.to_string();
    json!({
        "time": az_time(at), "resourceId": rid, "operationName": "MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION",
        "category": "Administrative", "resultType": "Success", "resultSignature": "Succeeded.OK", "durationMs": "94",
        "callerIpAddress": ATTACKER_IP, "correlationId": rng.uuid(), "level": "Information", "location": "eastus",
        "identity": {
            "authorization": {"scope": format!("/subscriptions/{SUB}/resourceGroups/ml-prod/providers/Microsoft.CognitiveServices/accounts/acme-openai-prod"),
                "action": "Microsoft.CognitiveServices/accounts/listKeys/action",
                "evidence": {"role": "Cognitive Services Contributor", "principalId": SP_OBJECT_ID, "principalType": "ServicePrincipal"}},
            "claims": {"aud": "https://management.core.windows.net/", "appid": SP_APP_ID, "idtyp": "app",
                "http://schemas.microsoft.com/identity/claims/objectidentifier": SP_OBJECT_ID, "ipaddr": ATTACKER_IP,
                "uti": SP_TOKEN, "ver": "1.0"}
        },
        "properties": {"statusCode": "OK", "eventCategory": "Administrative", "entity": rid,
            "message": "Microsoft.CognitiveServices/accounts/listKeys/action", "hierarchy": format!("{TENANT}/{SUB}")}
    })
}

fn chat(at: Nanos, ip: &str, object_id: &str, tokens: (u64, u64), rng: &mut Rng) -> Value {
    json!({
        "Tenant": "eastus", "callerIpAddress": masked(ip), "category": "RequestResponse", "correlationId": rng.uuid(),
        "durationMs": 900 + rng.below(9000), "event": "ShoeboxCallResult", "location": "eastus",
        "operationName": "ChatCompletions_Create",
        // The service writes properties as a JSON string in some exports.
        "properties": json!({"apiName": "Azure OpenAI API version 2024-06-01", "requestLength": tokens.0 * 4,
            "responseLength": tokens.1 * 4, "objectId": object_id, "streamType": "Non-Streaming",
            "modelDeploymentName": "gpt-4o-prod", "modelName": "gpt-4o", "modelVersion": "2024-08-06"}).to_string(),
        "resourceId": ACCOUNT_RID, "resultSignature": "200", "time": az_time(at),
    })
}

/// (time, blob folder, record), time ordered.
pub fn records() -> Vec<(Nanos, &'static str, Value)> {
    let mut rng = Rng::new(0xa2_0e5a);
    let mut out: Vec<(Nanos, &'static str, Value)> = Vec::new();
    let calls = "insights-logs-requestresponse";
    for day in super::routine::days() {
        let base = super::t(&format!("{}T08:55:00Z", day.date));
        if !day.weekend {
            out.push((
                base,
                "insights-logs-signinlogs",
                alice_sign_in(base, &mut rng),
            ));
        }
        for i in 0..12 {
            let at = base + 20 * MIN + i * 37 * MIN + rng.below(60) as Nanos * SEC;
            let tk = (200 + rng.below(800), 100 + rng.below(300));
            out.push((at, calls, chat(at, "20.81.12.40", BACKEND_MI, tk, &mut rng)));
        }
    }
    let a = super::t("2026-10-05T04:10:44Z");
    out.push((
        a,
        "insights-logs-serviceprincipalsigninlogs",
        sp_sign_in(a, &mut rng),
    ));
    out.push((
        a + 40 * SEC,
        "insights-activity-logs",
        list_keys(a + 40 * SEC, &mut rng),
    ));
    for i in 0..40 {
        let at = a + 3 * MIN + i * 26 * SEC;
        out.push((
            at,
            calls,
            chat(
                at,
                ATTACKER_IP,
                "",
                (7_500 + rng.below(500), 4_096),
                &mut rng,
            ),
        ));
    }
    let end = super::t(super::routine::END);
    out.retain(|(t, _, _)| *t < end);
    out.sort_by_key(|(t, _, _)| *t);
    out
}

/// Write each blob folder's hourly `PT1H.json`.
pub fn write(dir: &Path) -> std::io::Result<usize> {
    let recs = records();
    let mut files: BTreeMap<(&str, i64), String> = BTreeMap::new();
    for (t, folder, v) in &recs {
        files
            .entry((folder, t / (3600 * SEC)))
            .or_default()
            .push_str(&format!("{v}\n"));
    }
    for ((folder, hour), body) in &files {
        let h = chrono::DateTime::from_timestamp_nanos(hour * 3600 * SEC);
        let scope = if folder.ends_with("signinlogs") {
            format!("tenantId={TENANT}")
        } else if *folder == "insights-activity-logs" {
            format!("resourceId=/SUBSCRIPTIONS/{}", SUB.to_ascii_uppercase())
        } else {
            format!("resourceId={ACCOUNT_RID}")
        };
        let path = dir.join(format!(
            "azure/{folder}/{scope}/{}/PT1H.json",
            h.format("y=%Y/m=%m/d=%d/h=%H/m=00")
        ));
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(path, body)?;
    }
    Ok(recs.len())
}

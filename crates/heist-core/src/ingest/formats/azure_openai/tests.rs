use serde_json::json;

use super::AzureOpenAi;
use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::ingest::doc::Probe;
use crate::ingest::formats::{Format, ParseOut};
use crate::ingest::{load_bytes, LoadOptions};
use crate::util::time::parse_rfc3339;

const ACCOUNT: &str = "/SUBSCRIPTIONS/12CABCB4-86E8-404F-A3D2-1DC9982F45CA/RESOURCEGROUPS/OBS-OPENAI-SERVICE-RS/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/OBS-OPENAI-TEST-01";
const APIM: &str = "/SUBSCRIPTIONS/12CABCB4-86E8-404F-A3D2-1DC9982F45CA/RESOURCEGROUPS/OBS-OPENAI-APIM-TEST/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/AZURE-OPENAI-APM";

/// Sniff and parse with this format alone (no registry, no de-duplication).
fn run(name: &str, text: &str) -> ParseOut {
    let probe = Probe::new(name, text);
    assert!(
        AzureOpenAi.sniff(&probe),
        "azure_openai should claim {text}"
    );
    let mut out = ParseOut::new(name, probe.loc_kind());
    AzureOpenAi.parse(&probe, &mut out);
    out
}

fn get(out: &ParseOut, col: Col, row: usize) -> Option<String> {
    out.batch.text(col, row).map(str::to_string)
}

fn chat(properties: serde_json::Value, signature: &str) -> serde_json::Value {
    json!({"Tenant":"eastus","callerIpAddress":"81.2.69.***","category":"RequestResponse",
        "correlationId":"d427a391-2bc7-4f38-9cbc-6560600e0981","durationMs":1021,"event":"ShoeboxCallResult",
        "location":"eastus","operationName":"ChatCompletions_Create","properties":properties,
        "resourceId":ACCOUNT,"resultSignature":signature,"time":"2024-05-24T12:23:02.4350000Z"})
}

fn chat_props() -> serde_json::Value {
    json!({"apiName":"Azure OpenAI API version 2023-07-01-preview","requestTime":638515262815394150i64,
        "requestLength":128,"responseTime":638515262825606520i64,"responseLength":1411,"objectId":"",
        "streamType":"Non-Streaming","modelDeploymentName":"gpt-chat-pilot","modelName":"gpt-35-turbo","modelVersion":"0301"})
}

#[test]
fn request_response_lines_map_every_column() {
    // The second record's properties are a JSON string, as some exports write them.
    let string_props = json!({"apiName":"Azure OpenAI API version 2024-02-15-preview","requestTime":638481757794854611i64,
        "requestLength":2,"responseTime":638481757795877942i64,"responseLength":113,"objectId":""});
    let mut thread = chat(json!(string_props.to_string()), "200");
    thread["operationName"] = json!("Create_Thread");
    let text = format!("{}\n{}\n", chat(chat_props(), "200"), thread);
    let out = run("PT1H.json", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 2);
    assert_eq!(
        out.batch.time[0],
        parse_rfc3339("2024-05-24T12:23:02.435Z").unwrap()
    );
    let g = |c| get(&out, c, 0);
    assert_eq!(g(Col::Source).as_deref(), Some("azure_openai"));
    assert_eq!(g(Col::Provider).as_deref(), Some("azure"));
    assert_eq!(g(Col::Service).as_deref(), Some("openai"));
    assert_eq!(g(Col::Action).as_deref(), Some("ChatCompletions_Create"));
    assert_eq!(g(Col::Outcome).as_deref(), Some("success"));
    assert_eq!(g(Col::Identity), None);
    assert_eq!(g(Col::IdentityType).as_deref(), Some("unknown"));
    assert_eq!(g(Col::AuthMethod).as_deref(), Some("api_key"));
    assert_eq!(
        g(Col::Token).as_deref(),
        Some(ACCOUNT),
        "the account's keys"
    );
    assert_eq!(g(Col::SourceIp).as_deref(), Some("81.2.69.***"));
    assert_eq!(
        g(Col::Asset),
        Some(format!("{ACCOUNT}/deployments/gpt-chat-pilot"))
    );
    assert_eq!(g(Col::AssetKind).as_deref(), Some("model_deployment"));
    assert_eq!(
        g(Col::Account).as_deref(),
        Some("12CABCB4-86E8-404F-A3D2-1DC9982F45CA")
    );
    assert_eq!(g(Col::Region).as_deref(), Some("eastus"));
    assert_eq!(
        g(Col::RequestId).as_deref(),
        Some("d427a391-2bc7-4f38-9cbc-6560600e0981")
    );
    assert_eq!(g(Col::EventId), None);
    assert_eq!(out.batch.bytes[0], 1411);

    assert_eq!(get(&out, Col::Action, 1).as_deref(), Some("Create_Thread"));
    assert_eq!(get(&out, Col::Asset, 1).as_deref(), Some(ACCOUNT));
    assert_eq!(
        get(&out, Col::AssetKind, 1).as_deref(),
        Some("openai_account")
    );
    assert_eq!(out.batch.bytes[1], 113);
}

#[test]
fn records_wrapper_audit_list_key_and_failures() {
    let list_key = json!({"AssetIdentity":"07628fea-67bb-424d-b160-fdc46c82d0b4","Tenant":"eastus","category":"Audit",
        "operationName":"ListKey","properties":{"objectId":"b610ab05-ce06-4cc1-a6dd-174b9f80468a"},
        "resourceId":ACCOUNT,"time":"2024-04-17T06:03:30.0000000Z"});
    let throttled = chat(chat_props(), "429");
    let upn = {
        let mut e = chat(chat_props(), "200");
        e["identity"] = json!({"claim":{"upn":"alice@contoso.com","oid":"0000-1111"}});
        e
    };
    let no_time = {
        let mut e = chat(chat_props(), "200");
        e.as_object_mut().unwrap().remove("time");
        e
    };
    let doc = json!({"records":[list_key, throttled, no_time, upn]});
    let out = run(
        "insights.json",
        &serde_json::to_string_pretty(&doc).unwrap(),
    );
    assert_eq!(out.batch.len(), 3, "{:?}", out.errors);

    assert_eq!(get(&out, Col::Action, 0).as_deref(), Some("ListKey"));
    assert_eq!(
        get(&out, Col::Identity, 0).as_deref(),
        Some("b610ab05-ce06-4cc1-a6dd-174b9f80468a")
    );
    assert_eq!(get(&out, Col::IdentityType, 0).as_deref(), Some("unknown"));
    assert_eq!(get(&out, Col::AuthMethod, 0).as_deref(), Some("entra_id"));
    assert_eq!(get(&out, Col::Asset, 0).as_deref(), Some(ACCOUNT));
    assert_eq!(
        get(&out, Col::AssetKind, 0).as_deref(),
        Some("openai_account")
    );
    assert_eq!(get(&out, Col::Outcome, 0).as_deref(), Some("success"));
    assert_eq!(get(&out, Col::SourceIp, 0), None);

    assert_eq!(get(&out, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(get(&out, Col::ErrorCode, 1).as_deref(), Some("429"));

    assert_eq!(
        get(&out, Col::Identity, 2).as_deref(),
        Some("alice@contoso.com")
    );
    assert_eq!(get(&out, Col::IdentityType, 2).as_deref(), Some("human"));

    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(out.errors[0].origin, "insights.json[2]");
    assert!(out.errors[0].message.contains("no time"));
}

#[test]
fn malformed_line_is_reported_and_the_rest_loads() {
    let text = format!(
        "{}\n{{\"category\":\"RequestResponse\",\"time\":\n{}\n",
        chat(chat_props(), "200"),
        chat(chat_props(), "500")
    );
    let out = run("PT1H.json", &text);
    assert_eq!(out.batch.len(), 2);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].origin, "PT1H.json:2");
    assert!(out.errors[0].message.starts_with("malformed record"));
    assert_eq!(out.batch.line, vec![1, 3]);
}

#[test]
fn apim_gateway_logs_fronting_openai() {
    let ok_body = json!({"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Chennai.","role":"assistant"}}],
        "id":"chatcmpl-9gRL","model":"gpt-35-turbo","object":"chat.completion",
        "usage":{"completion_tokens":8,"prompt_tokens":14,"total_tokens":22}});
    let blocked_body = json!({"error":{"message":"The response was filtered","type":null,"param":"prompt",
        "code":"content_filter","status":400}});
    let gateway = |code: u64, body: &serde_json::Value, size: u64| {
        let ok = code < 400;
        let result = if ok { "Succeeded" } else { "Failed" };
        let body = body.to_string();
        json!({"DeploymentVersion":"0.44.18652.0","Level":4,"Sku":"Basic","callerIpAddress":"81.2.69.144",
            "category":"GatewayLogs","correlationId":"99789635-18d0-480f-8182-a3a3c477a6a4","durationMs":176,
            "isRequestSuccess":ok,"location":"East US","operationName":"Microsoft.ApiManagement/GatewayLogs",
            "properties":{"apiId":"azure-openai-service-api","apiRevision":"1","backendMethod":"POST",
                "backendResponseCode":code,
                "backendUrl":"https://obs-openai-test-01.openai.azure.com/openai/deployments/gpt-chat-pilot/chat/completions?api-version=2024-02-15-preview",
                "method":"POST","operationId":"ChatCompletions_Create","requestSize":536,
                "responseBody":body,"responseCode":code,"responseSize":size,
                "apimSubscriptionId":"team-ml-sub",
                "url":"https://azure-openai-apm.azure-api.net/deployments/gpt-chat-pilot/chat/completions?api-version=2024-02-15-preview"},
            "resourceId":APIM,"resultType":result,
            "time":"2024-07-02T06:31:31.4465902Z","truncated":0})
    };
    let text = format!(
        "{}\n{}\n",
        gateway(200, &ok_body, 1604),
        gateway(400, &blocked_body, 1360)
    );
    let out = run("gateway.json", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 2);
    let g = |c| get(&out, c, 0);
    assert_eq!(g(Col::Service).as_deref(), Some("apim"));
    assert_eq!(g(Col::Action).as_deref(), Some("ChatCompletions_Create"));
    assert_eq!(g(Col::Outcome).as_deref(), Some("success"));
    assert_eq!(g(Col::SourceIp).as_deref(), Some("81.2.69.144"));
    assert_eq!(
        g(Col::Asset).as_deref(),
        Some("obs-openai-test-01.openai.azure.com/openai/deployments/gpt-chat-pilot")
    );
    assert_eq!(g(Col::AssetKind).as_deref(), Some("model_deployment"));
    assert_eq!(g(Col::Token).as_deref(), Some("team-ml-sub"));
    assert_eq!(g(Col::TokenKind).as_deref(), Some("apim_subscription"));
    assert_eq!(g(Col::Region).as_deref(), Some("East US"));
    assert_eq!(out.batch.bytes[0], 1604);
    assert_eq!(out.batch.input_tokens[0], 14);
    assert_eq!(out.batch.output_tokens[0], 8);

    assert_eq!(get(&out, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(
        get(&out, Col::ErrorCode, 1).as_deref(),
        Some("content_filter")
    );
}

#[test]
fn gateway_without_operation_id_uses_method_and_path() {
    let rec = json!({"category":"GatewayLogs","callerIpAddress":"192.0.2.7","operationName":"Microsoft.ApiManagement/GatewayLogs",
        "properties":{"method":"GET","url":"https://apim.azure-api.net/openai/models?api-version=2024-02-01","responseCode":200,"responseSize":10},
        "resourceId":APIM,"time":"2024-07-02T06:14:56.2371877Z"});
    let out = run("gateway.json", &format!("{rec}\n"));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        get(&out, Col::Action, 0).as_deref(),
        Some("GET /openai/models")
    );
    assert_eq!(
        get(&out, Col::Asset, 0).as_deref(),
        Some("https://apim.azure-api.net/openai/models")
    );
    assert_eq!(get(&out, Col::AssetKind, 0).as_deref(), Some("url"));
}

#[test]
fn does_not_claim_activity_logs_or_cloudtrail() {
    let cloudtrail = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}]}"#;
    assert!(!AzureOpenAi.sniff(&Probe::new("ct.json", cloudtrail)));
    let activity = json!({"time":"2024-04-17T06:03:30.0000000Z","resourceId":ACCOUNT,
        "operationName":"MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION","category":"Administrative",
        "resultType":"Success","resultSignature":"Succeeded.OK","callerIpAddress":"203.0.113.9",
        "identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"alice@contoso.com"}}});
    assert!(!AzureOpenAi.sniff(&Probe::new("activity.json", &format!("{activity}\n"))));
    let storage = r#"{"time":"2024-04-17T06:03:30Z","resourceId":"/SUBSCRIPTIONS/1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/SA/BLOBSERVICES/DEFAULT","category":"StorageRead","operationName":"GetBlob"}"#;
    assert!(!AzureOpenAi.sniff(&Probe::new("storage.json", storage)));
}

#[test]
fn loads_through_the_registry() {
    let text = format!("{}\n", chat(chat_props(), "200"));
    let s = load_bytes("PT1H.json", text.into_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.display(Col::Source, 0).as_deref(), Some("azure_openai"));
    assert_eq!(r.display(Col::Bytes, 0).as_deref(), Some("1411"));
}

#[test]
fn account_key_credential_names_the_account() {
    use super::account_key_credential as k;
    assert_eq!(
        k(&format!("{ACCOUNT}/deployments/gpt")).as_deref(),
        Some(ACCOUNT)
    );
    assert_eq!(
        k("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/modelstore").as_deref(),
        Some("/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/MODELSTORE")
    );
    assert_eq!(k(APIM), None, "not a keyed account");
    assert_eq!(
        k("/SUBSCRIPTIONS/S1/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/"),
        None
    );
    assert_eq!(
        k("MICROSOFT.COGNITIVESERVICES/ACCOUNTS/X"),
        None,
        "not a resource id"
    );
}

#[test]
fn key_authenticated_calls_use_the_account_keys_and_list_key_mints_them() {
    let mut entra = chat_props();
    entra["objectId"] = json!("b610ab05-ce06-4cc1-a6dd-174b9f80468a");
    let audit = json!({"AssetIdentity":"07628fea-67bb-424d-b160-fdc46c82d0b4","Tenant":"eastus","category":"Audit",
        "operationName":"ListKey","properties":{"objectId":"b610ab05-ce06-4cc1-a6dd-174b9f80468a"},
        "resourceId":ACCOUNT,"time":"2024-04-17T06:03:30.0000000Z"});
    let text = format!(
        "{}\n{}\n{}\n",
        chat(chat_props(), "200"),
        chat(entra, "200"),
        audit
    );
    let out = run("PT1H.json", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        get(&out, Col::Token, 0).as_deref(),
        Some(ACCOUNT),
        "objectId empty: an account key"
    );
    assert_eq!(get(&out, Col::TokenKind, 0).as_deref(), Some("account_key"));
    assert_eq!(
        get(&out, Col::Token, 1),
        None,
        "Entra-authenticated: no key"
    );
    assert_eq!(get(&out, Col::Action, 2).as_deref(), Some("ListKey"));
    assert_eq!(get(&out, Col::MintedToken, 2).as_deref(), Some(ACCOUNT));
    assert_eq!(get(&out, Col::MintedToken, 0), None);
}

use serde_json::json;

use super::K8s;
use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::ingest::doc::Probe;
use crate::ingest::formats::{Format, ParseOut};
use crate::ingest::{load_bytes, LoadOptions};
use crate::util::time::parse_rfc3339;

/// Sniff and parse with this format alone (no registry, no de-duplication).
fn run(name: &str, text: &str) -> ParseOut {
    let probe = Probe::new(name, text);
    assert!(K8s.sniff(&probe), "k8s should claim {text}");
    let mut out = ParseOut::new(name, probe.loc_kind());
    K8s.parse(&probe, &mut out);
    out
}

fn get(out: &ParseOut, col: Col, row: usize) -> Option<String> {
    out.batch.text(col, row).map(str::to_string)
}

fn lines(events: &[serde_json::Value]) -> String {
    events.iter().map(|e| e.to_string() + "\n").collect()
}

fn exec_event() -> serde_json::Value {
    json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f-exec",
        "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/pods/web-0/exec?command=sh&stdin=true",
        "verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated"],
        "extra":{"authentication.kubernetes.io/credential-id":["JTI=581d10f3-b521-480f-aa42-bcd6a70df8ea"]}},
        "sourceIPs":["198.51.100.9","203.0.113.7"],"userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
        "objectRef":{"resource":"pods","namespace":"prod","name":"web-0","apiVersion":"v1","subresource":"exec"},
        "responseStatus":{"metadata":{},"code":101},
        "requestReceivedTimestamp":"2024-05-01T10:00:00.123456Z","stageTimestamp":"2024-05-01T10:00:09.000001Z",
        "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}})
}

#[test]
fn json_lines_event_maps_every_column() {
    let out = run("audit.log", &lines(&[exec_event()]));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 1);
    assert_eq!(
        out.batch.time[0],
        parse_rfc3339("2024-05-01T10:00:00.123456Z").unwrap()
    );
    let g = |c| get(&out, c, 0);
    assert_eq!(g(Col::Source).as_deref(), Some("k8s"));
    assert_eq!(g(Col::Provider).as_deref(), Some("k8s"));
    assert_eq!(g(Col::Service).as_deref(), Some("kubernetes"));
    assert_eq!(g(Col::Action).as_deref(), Some("create pods/exec"));
    assert_eq!(g(Col::Outcome).as_deref(), Some("success"));
    assert_eq!(g(Col::ErrorCode), None);
    assert_eq!(g(Col::Identity).as_deref(), Some("alice@example.com"));
    assert_eq!(g(Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(g(Col::Caller), None);
    assert_eq!(
        g(Col::Token).as_deref(),
        Some("JTI=581d10f3-b521-480f-aa42-bcd6a70df8ea")
    );
    assert_eq!(g(Col::TokenKind).as_deref(), Some("credential_id"));
    assert_eq!(g(Col::SourceIp).as_deref(), Some("203.0.113.7"));
    assert_eq!(
        g(Col::UserAgent).as_deref(),
        Some("kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819")
    );
    assert_eq!(g(Col::Asset).as_deref(), Some("prod/pods/web-0"));
    assert_eq!(g(Col::AssetKind).as_deref(), Some("pods"));
    assert_eq!(g(Col::EventId).as_deref(), Some("0b1f-exec"));
    assert_eq!(g(Col::RequestId).as_deref(), Some("0b1f-exec"));
    assert_eq!(g(Col::MintedIdentity), None);
    // One record alone in a file is a JSON document: located by index, not line.
    assert_eq!(out.batch.line[0], 0);
}

#[test]
fn stages_of_one_request_become_one_event() {
    let stage = |id: &str, stage: &str, code: Option<i64>| {
        let mut e = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":id,"stage":stage,
            "verb":"get","requestURI":"/api/v1/namespaces/ml/secrets/hf-token",
            "user":{"username":"system:serviceaccount:ml:trainer"},"sourceIPs":["10.0.0.5"],
            "objectRef":{"resource":"secrets","namespace":"ml","name":"hf-token","apiVersion":"v1"},
            "requestReceivedTimestamp":"2024-05-01T10:00:00Z","stageTimestamp":"2024-05-01T10:00:01Z"});
        if let Some(c) = code {
            e["responseStatus"] = json!({"code": c});
        }
        e
    };
    let text = lines(&[
        stage("a", "RequestReceived", None),
        stage("a", "ResponseComplete", Some(403)),
        stage("b", "RequestReceived", None),
        stage("b", "ResponseStarted", Some(200)),
        stage("c", "ResponseComplete", Some(200)),
        stage("a", "ResponseStarted", Some(403)),
    ]);
    let out = run("audit.log", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 3);
    assert_eq!(
        out.merged, 3,
        "a's two partial stages and b's RequestReceived"
    );
    assert_eq!(out.batch.line, vec![2, 4, 5]);
    assert_eq!(get(&out, Col::EventId, 0).as_deref(), Some("a"));
    assert_eq!(get(&out, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(get(&out, Col::ErrorCode, 0).as_deref(), Some("403"));
    assert_eq!(get(&out, Col::EventId, 1).as_deref(), Some("b"));
    assert_eq!(get(&out, Col::Action, 1).as_deref(), Some("get secrets"));
    assert_eq!(get(&out, Col::IdentityType, 1).as_deref(), Some("service"));
    assert_eq!(
        get(&out, Col::Asset, 1).as_deref(),
        Some("ml/secrets/hf-token")
    );
}

#[test]
fn webhook_event_list_without_type_meta() {
    let doc = json!({"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[
        {"level":"Metadata","auditID":"l1","stage":"ResponseComplete","requestURI":"/api/v1/secrets?limit=500",
         "verb":"list","user":{"username":"mallory@example.com"},"sourceIPs":["192.0.2.1"],
         "objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},
         "requestReceivedTimestamp":"2024-05-01T10:00:00.000001Z","stageTimestamp":"2024-05-01T10:00:00.2Z"},
        {"level":"Metadata","auditID":"l2","stage":"ResponseComplete","requestURI":"/healthz?verbose",
         "verb":"get","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},
         "sourceIPs":["192.0.2.2"],"responseStatus":{"metadata":{},"code":200},
         "requestReceivedTimestamp":"2024-05-01T10:00:01Z","stageTimestamp":"2024-05-01T10:00:01Z"},
        {"level":"Metadata","auditID":"l3","stage":"ResponseComplete",
         "requestURI":"/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/llama","verb":"patch",
         "user":{"username":"bob@example.com"},"sourceIPs":["192.0.2.3"],
         "objectRef":{"resource":"inferenceservices","namespace":"ml","name":"llama","apiGroup":"serving.kserve.io","apiVersion":"v1beta1"},
         "responseStatus":{"metadata":{},"code":200},
         "requestReceivedTimestamp":"2024-05-01T10:00:02Z","stageTimestamp":"2024-05-01T10:00:02Z"}
    ]});
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let out = run("batch.json", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 3);
    assert_eq!(get(&out, Col::Action, 0).as_deref(), Some("list secrets"));
    assert_eq!(get(&out, Col::Asset, 0).as_deref(), Some("secrets"));
    assert_eq!(get(&out, Col::Action, 1).as_deref(), Some("get /healthz"));
    assert_eq!(get(&out, Col::Asset, 1).as_deref(), Some("/healthz"));
    assert_eq!(get(&out, Col::AssetKind, 1).as_deref(), Some("url"));
    assert_eq!(
        get(&out, Col::IdentityType, 1).as_deref(),
        Some("anonymous")
    );
    assert_eq!(
        get(&out, Col::Service, 2).as_deref(),
        Some("serving.kserve.io")
    );
    assert_eq!(
        get(&out, Col::Asset, 2).as_deref(),
        Some("serving.kserve.io/ml/inferenceservices/llama")
    );
    assert_eq!(
        out.batch.line,
        vec![0, 1, 2],
        "records are located by index"
    );
}

#[test]
fn impersonation_and_old_timestamp_field() {
    let ev = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","metadata":{"creationTimestamp":"2017-09-11T19:55:05Z"},
        "level":"Metadata","timestamp":"2017-09-11T19:55:05Z","auditID":"imp-1","stage":"ResponseComplete",
        "requestURI":"/api/v1/namespaces/default/pods","verb":"list",
        "user":{"username":"system:admin","groups":["system:masters","system:authenticated"]},
        "impersonatedUser":{"username":"bob","groups":["system:authenticated"]},"sourceIPs":["::1"],
        "objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},
        "responseStatus":{"metadata":{},"status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}});
    let out = run("demo.log", &lines(&[ev]));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        out.batch.time[0],
        parse_rfc3339("2017-09-11T19:55:05Z").unwrap()
    );
    assert_eq!(get(&out, Col::Identity, 0).as_deref(), Some("bob"));
    assert_eq!(get(&out, Col::IdentityType, 0).as_deref(), Some("human"));
    assert_eq!(get(&out, Col::Caller, 0).as_deref(), Some("system:admin"));
    assert_eq!(get(&out, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(get(&out, Col::ErrorCode, 0).as_deref(), Some("403"));
    assert_eq!(get(&out, Col::SourceIp, 0).as_deref(), Some("::1"));
    assert_eq!(get(&out, Col::Asset, 0).as_deref(), Some("default/pods"));
}

#[test]
fn token_request_and_service_account_secret_mint_identities() {
    let token_request = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"tr-1",
        "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/serviceaccounts/kube-proxy/token",
        "verb":"create","user":{"username":"system:node:ip-192-168-3-178.us-west-2.compute.internal"},
        "sourceIPs":["54.212.83.236"],"userAgent":"kubelet/v1.32.0",
        "objectRef":{"resource":"serviceaccounts","namespace":"kube-system","name":"kube-proxy","apiVersion":"v1","subresource":"token"},
        "responseStatus":{"code":201},
        "annotations":{"authentication.kubernetes.io/issued-credential-id":"JTI=2e6389af-b8bc-4c26-92d2-714fbe9cb4fa",
                       "authorization.k8s.io/decision":"allow"},
        "requestReceivedTimestamp":"2025-08-26T17:40:49.320496Z","stageTimestamp":"2025-08-26T17:40:49.330617Z"});
    let secret = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"sec-1",
        "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ml/secrets","verb":"create",
        "user":{"username":"mallory@example.com"},"sourceIPs":["203.0.113.42"],
        "objectRef":{"resource":"secrets","namespace":"ml","name":"backdoor-token","apiVersion":"v1"},
        "requestObject":{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token",
            "metadata":{"name":"backdoor-token","annotations":{"kubernetes.io/service-account.name":"trainer"}}},
        "responseStatus":{"code":201},
        "requestReceivedTimestamp":"2025-08-26T17:41:00Z","stageTimestamp":"2025-08-26T17:41:00Z"});
    let out = run("audit.log", &lines(&[token_request, secret]));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        get(&out, Col::Action, 0).as_deref(),
        Some("create serviceaccounts/token")
    );
    assert_eq!(get(&out, Col::IdentityType, 0).as_deref(), Some("service"));
    assert_eq!(
        get(&out, Col::MintedIdentity, 0).as_deref(),
        Some("system:serviceaccount:kube-system:kube-proxy")
    );
    assert_eq!(
        get(&out, Col::MintedToken, 0).as_deref(),
        Some("JTI=2e6389af-b8bc-4c26-92d2-714fbe9cb4fa")
    );
    assert_eq!(
        get(&out, Col::MintedIdentity, 1).as_deref(),
        Some("system:serviceaccount:ml:trainer")
    );
    assert_eq!(get(&out, Col::MintedToken, 1), None);
}

#[test]
fn eks_iam_key_and_cloudwatch_prefix() {
    let ev = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"eks-1",
        "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/kube-bench/log?container=kube-bench",
        "verb":"get","user":{"username":"kubernetes-admin","groups":["system:masters"],
          "extra":{"accessKeyId":["ASIARLIVEKVNN6Y6J5UW"],
                   "arn":["arn:aws:sts::123412341234:assumed-role/DevAdministrator/1669660343296132000"],
                   "canonicalArn":["arn:aws:iam::123412341234:role/DevAdministrator"],"sessionName":["1669660343296132000"]}},
        "sourceIPs":["5.5.5.5"],"objectRef":{"resource":"pods","namespace":"default","name":"kube-bench","subresource":"log","apiVersion":"v1"},
        "responseStatus":{"code":200},"requestReceivedTimestamp":"2022-11-29 00:09:04.38","stageTimestamp":"2022-11-29 00:09:04.392"});
    let text = format!("2022-11-29T00:09:05.000Z {ev}\n");
    let out = run("kube-apiserver-audit.log", &text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        get(&out, Col::Token, 0).as_deref(),
        Some("ASIARLIVEKVNN6Y6J5UW")
    );
    assert_eq!(get(&out, Col::TokenKind, 0).as_deref(), Some("session"));
    assert_eq!(
        get(&out, Col::Issuer, 0).as_deref(),
        Some("arn:aws:sts::123412341234:assumed-role/DevAdministrator/1669660343296132000")
    );
    assert_eq!(get(&out, Col::Action, 0).as_deref(), Some("get pods/log"));
    assert_eq!(
        out.batch.time[0],
        parse_rfc3339("2022-11-29T00:09:04.380Z").unwrap()
    );
}

#[test]
fn aks_wrapped_gke_and_malformed_records() {
    let inner = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"aks-1",
        "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/test-pod","verb":"get",
        "user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["10.0.0.1"],
        "objectRef":{"resource":"pods","namespace":"default","name":"test-pod","apiVersion":"v1"},
        "responseStatus":{"code":200},"requestReceivedTimestamp":"2024-03-20T10:00:00Z","stageTimestamp":"2024-03-20T10:00:00Z"});
    let aks = json!({"category":"kube-audit","operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
        "properties":{"log": inner.to_string(),"pod":"kube-apiserver-1","stream":"stdout"},
        "resourceId":"/SUBSCRIPTIONS/12CABCB4-86E8-404F-A3D2-1DC9982F45CA/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS1",
        "time":"2024-03-20T10:00:00.1Z"});
    let gke = json!({"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog",
        "authenticationInfo":{"principalEmail":"system:gke-master-healthcheck"},"methodName":"io.k8s.get",
        "serviceName":"k8s.io","resourceName":"readyz","status":{"code":0}},"insertId":"1234abcd",
        "resource":{"type":"k8s_cluster"},"timestamp":"2025-07-13T08:38:39.127266Z"});
    let no_time = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestReceivedTimestamp":null,
        "user":{"username":"system:anonymous"}});
    let bad_time = json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestReceivedTimestamp":"yesterday"});
    let text = format!(
        "{aks}\n{gke}\n{{\"kind\":\"Event\",\"verb\":\n{no_time}\n{bad_time}\n{}\n",
        exec_event()
    );
    let out = run("mixed.log", &text);
    // Every line by its own shape: the AKS-wrapped event, the GKE LogEntry (a GCP audit event), the exec event.
    assert_eq!(out.batch.len(), 3, "{:?}", out.errors);
    assert_eq!(get(&out, Col::EventId, 0).as_deref(), Some("aks-1"));
    assert_eq!(
        get(&out, Col::IdentityType, 0).as_deref(),
        Some("anonymous")
    );
    assert_eq!(
        get(&out, Col::Account, 0).as_deref(),
        Some("12CABCB4-86E8-404F-A3D2-1DC9982F45CA")
    );
    assert_eq!(
        get(&out, Col::Asset, 0).as_deref(),
        Some("default/pods/test-pod")
    );
    assert_eq!(get(&out, Col::EventId, 1).as_deref(), Some("0b1f-exec"));
    assert_eq!(get(&out, Col::EventId, 2).as_deref(), Some("1234abcd"));
    assert_eq!(get(&out, Col::Source, 2).as_deref(), Some("gcp"));
    assert_eq!(get(&out, Col::Action, 2).as_deref(), Some("io.k8s.get"));
    assert_eq!(out.batch.line[2], 2, "the GKE entry keeps its own line");
    let errs: Vec<(&str, &str)> = out
        .errors
        .iter()
        .map(|e| (e.origin.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(errs[0].0, "mixed.log:3");
    assert!(errs[0].1.starts_with("malformed record"), "{errs:?}");
    assert_eq!(errs[1].0, "mixed.log:4");
    assert!(
        errs[1].1.contains("no requestReceivedTimestamp"),
        "{errs:?}"
    );
    assert_eq!(errs[2].0, "mixed.log:5");
    assert!(errs[2].1.contains("\"yesterday\""), "{errs:?}");
    assert!(
        !errs.iter().any(|e| e.1.contains("option")),
        "no advice about options that do not exist"
    );
}

#[test]
fn aks_log_as_object_falls_back_to_record_time() {
    let aks = json!({"category":"kube-audit-admin","properties":{"log":{"kind":"Event","apiVersion":"audit.k8s.io/v1",
        "auditID":"aks-2","stage":"ResponseComplete","verb":"update","user":{"username":"aksService"},
        "objectRef":{"resource":"leases","namespace":"kube-system","name":"x","apiGroup":"coordination.k8s.io"},
        "responseStatus":{"code":200}}},
        "resourceId":"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
        "time":"2025-09-30T06:23:35.101355367Z"});
    let out = run("PT1H.json", &lines(&[aks]));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        out.batch.time[0],
        parse_rfc3339("2025-09-30T06:23:35.101355367Z").unwrap()
    );
    assert_eq!(get(&out, Col::IdentityType, 0).as_deref(), Some("service"));
    assert_eq!(get(&out, Col::Account, 0).as_deref(), Some("sub-1"));
    assert_eq!(
        get(&out, Col::Service, 0).as_deref(),
        Some("coordination.k8s.io")
    );
}

#[test]
fn does_not_claim_other_formats() {
    let cloudtrail = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}]}"#;
    assert!(!K8s.sniff(&Probe::new("ct.json", cloudtrail)));
    let activity = r#"{"time":"2024-12-17T10:30:00.0000000Z","resourceId":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/x","operationName":"Microsoft.Insights/actionGroups/delete","category":"Administrative","resultType":"Success","properties":{"statusCode":"OK"}}"#;
    assert!(!K8s.sniff(&Probe::new("activity.json", activity)));
    let gke_only = r#"{"protoPayload":{"serviceName":"k8s.io","methodName":"io.k8s.get"},"timestamp":"2025-07-13T08:38:39Z"}"#;
    assert!(!K8s.sniff(&Probe::new("gke.json", gke_only)));
}

#[test]
fn loads_through_the_registry() {
    let text = lines(&[
        {
            let mut e = exec_event();
            e["stage"] = json!("RequestReceived");
            e.as_object_mut().unwrap().remove("responseStatus");
            e
        },
        exec_event(),
    ]);
    let s = load_bytes("audit.log", text.into_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.merged, 1);
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.display(Col::Source, 0).as_deref(), Some("k8s"));
    assert_eq!(
        r.display(Col::Action, 0).as_deref(),
        Some("create pods/exec")
    );
}

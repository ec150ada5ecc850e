use serde_json::{json, Value};

use super::Gcp;
use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::doc::Probe;
use crate::ingest::formats::Format;
use crate::ingest::{load_bytes, LoadOptions};

const SINK: &str =
    "logs/cloudaudit.googleapis.com/data_access/2024/05/01/00:00:00_00:59:59_S0.json";
const KEY: &str = "//iam.googleapis.com/projects/ml-prod/serviceAccounts/trainer@ml-prod.iam.gserviceaccount.com/keys/0123abcd";

fn load_as(name: &str, text: &str) -> EventStore {
    load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn load(text: &str) -> EventStore {
    load_as("t.json", text)
}

fn one(ev: Value) -> EventStore {
    let s = load(&format!("{ev}\n"));
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    assert_eq!(s.files[0].format, "gcp");
    s
}

fn at(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

fn get(s: &EventStore, c: Col) -> Option<String> {
    at(s, c, 0)
}

/// A Cloud Storage data-access read, as the sink writes it.
fn payload() -> Value {
    json!({"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{},
        "authenticationInfo":{"principalEmail":"alice@example.com"},
        "requestMetadata":{"callerIp":"203.0.113.7","callerSuppliedUserAgent":"gcloud/470.0.0,gzip(gfe)",
            "requestAttributes":{"time":"2024-05-01T00:12:34.1Z","auth":{}},"destinationAttributes":{}},
        "serviceName":"storage.googleapis.com","methodName":"storage.objects.get",
        "authorizationInfo":[{"resource":"projects/_/buckets/weights/objects/llm/model-00001.safetensors","permission":"storage.objects.get","granted":true}],
        "resourceName":"projects/_/buckets/weights/objects/llm/model-00001.safetensors",
        "resourceLocation":{"currentLocations":["us-central1"]}})
}

fn entry(pp: Value) -> Value {
    json!({"protoPayload":pp,"insertId":"1abc2def3",
        "resource":{"type":"gcs_bucket","labels":{"project_id":"ml-prod","bucket_name":"weights","location":"us"}},
        "timestamp":"2024-05-01T00:12:34.123456789Z","severity":"INFO",
        "logName":"projects/ml-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
        "receiveTimestamp":"2024-05-01T00:12:35.5Z"})
}

fn with_method(service: &str, method: &str, resource: &str) -> Value {
    let mut pp = payload();
    pp["serviceName"] = json!(service);
    pp["methodName"] = json!(method);
    pp["resourceName"] = json!(resource);
    entry(pp)
}

#[test]
fn storage_sink_lines_map_every_column() {
    let human = entry(payload());
    let mut pp = payload();
    pp["authenticationInfo"] = json!({"principalEmail":"trainer@ml-prod.iam.gserviceaccount.com",
        "serviceAccountKeyName":KEY,"principalSubject":"serviceAccount:trainer@ml-prod.iam.gserviceaccount.com",
        "serviceAccountDelegationInfo":[{"firstPartyPrincipal":{"principalEmail":"bob@example.com"}},
            {"firstPartyPrincipal":{"principalEmail":"hop@ml-prod.iam.gserviceaccount.com"}}]});
    pp["status"] = json!({"code":7,"message":"Permission denied"});
    let mut sa = entry(pp);
    sa["insertId"] = json!("9xyz");
    sa["timestamp"] = json!("2024-05-01T00:13:00Z");
    sa["operation"] = json!({"id":"op-123","producer":"storage.googleapis.com","first":true});
    let text = format!("{human}\n{sa}\n");
    let s = load_as(SINK, &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 2);
    assert_eq!(s.files[0].format, "gcp");

    let expect = [
        (Col::Time, "2024-05-01T00:12:34.123456789Z"),
        (Col::Source, "gcp"),
        (Col::Provider, "gcp"),
        (Col::Service, "storage.googleapis.com"),
        (Col::Action, "storage.objects.get"),
        (Col::Outcome, "success"),
        (Col::Identity, "alice@example.com"),
        (Col::IdentityType, "human"),
        (Col::SourceIp, "203.0.113.7"),
        (Col::UserAgent, "gcloud/470.0.0,gzip(gfe)"),
        (
            Col::Asset,
            "projects/_/buckets/weights/objects/llm/model-00001.safetensors",
        ),
        (Col::AssetKind, "gcs_object"),
        (Col::Account, "ml-prod"),
        (Col::Region, "us-central1"),
        (Col::EventId, "1abc2def3"),
        (Col::Origin, SINK),
    ];
    for (c, v) in expect {
        assert_eq!(at(&s, c, 0).as_deref(), Some(v), "{c:?}");
    }
    for c in [
        Col::ErrorCode,
        Col::Token,
        Col::Caller,
        Col::RequestId,
        Col::MintedIdentity,
    ] {
        assert_eq!(at(&s, c, 0), None, "{c:?}");
    }

    let expect = [
        (Col::Time, "2024-05-01T00:13:00Z"),
        (Col::Outcome, "failure"),
        (Col::ErrorCode, "PERMISSION_DENIED"),
        (Col::Identity, "trainer@ml-prod.iam.gserviceaccount.com"),
        (Col::IdentityType, "service"),
        (Col::Caller, "bob@example.com"),
        (Col::Token, KEY),
        (Col::TokenKind, "long_term"),
        (Col::RequestId, "op-123"),
        (Col::EventId, "9xyz"),
    ];
    for (c, v) in expect {
        assert_eq!(at(&s, c, 1).as_deref(), Some(v), "{c:?}");
    }
    assert!(text.contains(KEY), "token is a verbatim substring");
}

#[test]
fn every_export_shape_reads_the_same_events() {
    let a = entry(payload());
    let mut b = entry(payload());
    b["insertId"] = json!("second");
    b["timestamp"] = json!("2024-05-01T01:00:00Z");
    let shapes = [
        format!("{a}\n{b}\n"),
        serde_json::to_string_pretty(&json!([a.clone(), b.clone()])).unwrap(),
    ];
    for (i, text) in shapes.iter().enumerate() {
        let s = load(text);
        assert_eq!(s.report.error_count, 0, "shape {i}: {:?}", s.report.errors);
        assert_eq!(s.len(), 2, "shape {i}");
        assert_eq!(s.files[0].format, "gcp", "shape {i}");
        assert_eq!(
            at(&s, Col::EventId, 1).as_deref(),
            Some("second"),
            "shape {i}"
        );
    }
    // A single entry, pretty-printed (console download).
    let s = load(&serde_json::to_string_pretty(&a).unwrap());
    assert_eq!((s.len(), s.report.error_count), (1, 0));
    assert_eq!(get(&s, Col::Action).as_deref(), Some("storage.objects.get"));
}

#[test]
fn sink_duplicates_are_dropped() {
    let line = entry(payload()).to_string();
    let s = load(&format!("{line}\n{line}\n"));
    assert_eq!((s.len(), s.report.duplicates), (1, 1));
}

#[test]
fn panther_normalised_fields() {
    let ev = json!({"insertid":"-xxxx","logname":"projects/test-project-123456/logs/cloudaudit.googleapis.com%2Factivity",
        "protopayload":{"at_sign_type":"type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo":{"principalEmail":"user@domain.com"},
            "methodName":"google.appengine.v1.Firewall.CreateIngressRule",
            "requestMetadata":{"callerIP":"12.12.12.12","requestAttributes":{"auth":{}}},
            "resourceName":"apps/test-project-123456","serviceName":"appengine.googleapis.com","status":{}},
        "receivetimestamp":"2023-05-23 19:28:35.479",
        "resource":{"labels":{"module_id":"","version_id":"","zone":""},"type":"gae_app"},
        "severity":"NOTICE","p_event_time":"2023-05-23 19:28:35.049"});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2023-05-23T19:28:35.479Z")
    );
    assert_eq!(get(&s, Col::EventId).as_deref(), Some("-xxxx"));
    assert_eq!(
        get(&s, Col::Account).as_deref(),
        Some("test-project-123456")
    );
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("12.12.12.12"));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("gae_app"));
    assert_eq!(get(&s, Col::Region), None, "empty zone label is no region");
}

#[test]
fn time_falls_back_to_receive_then_request_time() {
    let mut ev = entry(payload());
    ev.as_object_mut().unwrap().remove("timestamp");
    assert_eq!(
        get(&one(ev.clone()), Col::Time).as_deref(),
        Some("2024-05-01T00:12:35.500Z")
    );
    ev["receiveTimestamp"] = json!(null);
    assert_eq!(
        get(&one(ev), Col::Time).as_deref(),
        Some("2024-05-01T00:12:34.100Z")
    );
}

#[test]
fn identity_types() {
    let cases = [
        (json!({"principalEmail":"svc@p.iam.gserviceaccount.com"}), Some("svc@p.iam.gserviceaccount.com"), "service"),
        (json!({"principalEmail":"alice@example.com"}), Some("alice@example.com"), "human"),
        (json!({}), None, "anonymous"),
        (json!(null), None, "anonymous"),
        (json!({"principalEmail":"allUsers"}), Some("allUsers"), "anonymous"),
        (json!({"principalEmail":"system:anonymous"}), Some("system:anonymous"), "anonymous"),
        (json!({"principalEmail":"system:kube-scheduler"}), Some("system:kube-scheduler"), "service"),
        (json!({"principalEmail":"system@google.com"}), Some("system@google.com"), "service"),
        (json!({"principalEmail":"12345"}), Some("12345"), "unknown"),
        (json!({"principalSubject":"serviceAccount:ci@p.iam.gserviceaccount.com"}), Some("ci@p.iam.gserviceaccount.com"), "service"),
        (json!({"principalSubject":"user:carol@example.com"}), Some("carol@example.com"), "human"),
        (json!({"principalSubject":"principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/subject/repo"}),
            Some("principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/subject/repo"), "service"),
        (json!({"principalSubject":"principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/dave"}),
            Some("principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/dave"), "human"),
    ];
    for (auth, identity, kind) in cases {
        let mut pp = payload();
        pp["authenticationInfo"] = auth.clone();
        let s = one(entry(pp));
        assert_eq!(get(&s, Col::Identity).as_deref(), identity, "{auth}");
        assert_eq!(get(&s, Col::IdentityType).as_deref(), Some(kind), "{auth}");
    }
    // A denied read-only call has its caller redacted: not anonymous, unknown.
    let mut pp = payload();
    pp["authenticationInfo"] = json!({});
    pp["status"] = json!({"code":7});
    assert_eq!(
        get(&one(entry(pp)), Col::IdentityType).as_deref(),
        Some("unknown")
    );
}

#[test]
fn failure_codes() {
    let cases = [
        (
            json!({"code":7,"message":"PERMISSION_DENIED"}),
            Some("PERMISSION_DENIED"),
        ),
        (
            json!({"code":10,"message":"The operation was aborted."}),
            Some("ABORTED"),
        ),
        (json!({"code":99}), Some("99")),
        (json!({"code":"NOT_FOUND"}), Some("NOT_FOUND")),
        (json!({"code":0}), None),
        (
            json!({"message":"Instance migrated during Compute Engine maintenance."}),
            None,
        ),
        (json!(null), None),
    ];
    for (status, code) in cases {
        let mut pp = payload();
        pp["status"] = status.clone();
        let s = one(entry(pp));
        let outcome = if code.is_some() { "failure" } else { "success" };
        assert_eq!(get(&s, Col::Outcome).as_deref(), Some(outcome), "{status}");
        assert_eq!(get(&s, Col::ErrorCode).as_deref(), code, "{status}");
    }
}

#[test]
fn created_key_links_to_its_use() {
    let mut create = with_method(
        "iam.googleapis.com",
        "google.iam.admin.v1.CreateServiceAccountKey",
        "projects/-/serviceAccounts/123456789098765434567",
    );
    create["protoPayload"]["request"] = json!({"@type":"type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest",
        "name":"projects/ml-prod/serviceAccounts/123456789098765434567","private_key_type":2});
    create["protoPayload"]["response"] = json!({"@type":"type.googleapis.com/google.iam.admin.v1.ServiceAccountKey",
        "name":"projects/ml-prod/serviceAccounts/trainer@ml-prod.iam.gserviceaccount.com/keys/0123abcd"});
    create["resource"] = json!({"type":"service_account","labels":{"project_id":"ml-prod","email_id":"","unique_id":"123456789098765434567"}});
    let mut used = entry(payload());
    used["insertId"] = json!("later");
    used["timestamp"] = json!("2024-05-02T00:00:00Z");
    used["protoPayload"]["authenticationInfo"] = json!({"principalEmail":"trainer@ml-prod.iam.gserviceaccount.com","serviceAccountKeyName":KEY});
    let s = load(&format!("{create}\n{used}\n"));
    assert_eq!(
        (s.len(), s.report.error_count),
        (2, 0),
        "{:?}",
        s.report.errors
    );
    assert_eq!(at(&s, Col::MintedToken, 0).as_deref(), Some(KEY));
    assert_eq!(
        at(&s, Col::MintedIdentity, 0).as_deref(),
        Some("trainer@ml-prod.iam.gserviceaccount.com")
    );
    assert_eq!(
        at(&s, Col::AssetKind, 0).as_deref(),
        Some("service_account")
    );
    assert_eq!(
        at(&s, Col::Token, 1),
        at(&s, Col::MintedToken, 0),
        "minted key = key used"
    );

    // A failed creation mints nothing.
    create["protoPayload"]["status"] = json!({"code":7});
    let s = one(create);
    assert_eq!(get(&s, Col::MintedToken), None);
    assert_eq!(get(&s, Col::MintedIdentity), None);
}

#[test]
fn impersonation_mints_for_the_service_account() {
    let mut ev = with_method(
        "iamcredentials.googleapis.com",
        "GenerateAccessToken",
        "projects/-/serviceAccounts/somenumber",
    );
    ev["protoPayload"]["authenticationInfo"] = json!({"principalSubject":"principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/subject/x",
        "serviceAccountDelegationInfo":[{}]});
    ev["protoPayload"]["request"] = json!({"@type":"type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest",
        "name":"projects/-/serviceAccounts/ci@ml-prod.iam.gserviceaccount.com"});
    ev["resource"] = json!({"type":"service_account","labels":{"project_id":"ml-prod","email_id":"ci@ml-prod.iam.gserviceaccount.com","unique_id":"somenumber"}});
    let s = one(ev.clone());
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("ci@ml-prod.iam.gserviceaccount.com")
    );
    assert_eq!(
        get(&s, Col::MintedToken),
        None,
        "the access token is never logged"
    );
    assert_eq!(
        get(&s, Col::Caller),
        None,
        "an empty delegation step names nobody"
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("service"));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("service_account"));

    ev["protoPayload"]["methodName"] = json!("SignJwt");
    ev["protoPayload"]["request"] = json!({"name":"projects/-/serviceAccounts/1234"});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("ci@ml-prod.iam.gserviceaccount.com"),
        "the email label when the request names the account by number"
    );
}

#[test]
fn revocations_and_api_keys() {
    let mut del = with_method(
        "iam.googleapis.com",
        "google.iam.admin.v1.DeleteServiceAccountKey",
        "projects/-/serviceAccounts/1234/keys/0123abcd",
    );
    del["protoPayload"]["request"] = json!({"name":"projects/ml-prod/serviceAccounts/trainer@ml-prod.iam.gserviceaccount.com/keys/0123abcd"});
    let s = one(del);
    assert_eq!(get(&s, Col::RevokedToken).as_deref(), Some(KEY));
    assert_eq!(
        get(&s, Col::AssetKind).as_deref(),
        Some("service_account_key")
    );

    let mut create = with_method(
        "apikeys.googleapis.com",
        "google.api.apikeys.v2.ApiKeys.CreateKey",
        "projects/1028",
    );
    create["protoPayload"]["response"] =
        json!({"name":"projects/1028/locations/global/keys/bf67db25"});
    let s = one(create);
    assert_eq!(
        get(&s, Col::MintedToken).as_deref(),
        Some("projects/1028/locations/global/keys/bf67db25")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("project"));

    let mut delete = with_method(
        "apikeys.googleapis.com",
        "google.api.apikeys.v2.ApiKeys.DeleteKey",
        "projects/1028",
    );
    delete["protoPayload"]["request"] =
        json!({"name":"projects/1028/locations/global/keys/bf67db25"});
    assert_eq!(
        get(&one(delete), Col::RevokedToken).as_deref(),
        Some("projects/1028/locations/global/keys/bf67db25")
    );
}

#[test]
fn asset_kinds_regions_and_accounts() {
    let vertex = "projects/ml-prod/locations/us-central1/publishers/google/models/gemini-2.0-flash";
    let cases = [
        (
            "aiplatform.googleapis.com",
            "google.cloud.aiplatform.v1.PredictionService.GenerateContent",
            vertex,
            "audited_resource",
            Some("model"),
        ),
        (
            "aiplatform.googleapis.com",
            "google.cloud.aiplatform.v1.DatasetService.ExportData",
            "projects/p/locations/us-central1/datasets/42",
            "audited_resource",
            Some("dataset"),
        ),
        (
            "compute.googleapis.com",
            "v1.compute.instances.delete",
            "projects/p/zones/us-central1-a/instances/vm5",
            "gce_instance",
            Some("gce_instance"),
        ),
        (
            "k8s.io",
            "io.k8s.core.v1.pods.exec.create",
            "core/v1/namespaces/default/pods/web-1/exec",
            "k8s_cluster",
            Some("pods"),
        ),
        (
            "storage.googleapis.com",
            "storage.buckets.setIamPolicy",
            "projects/_/buckets/weights",
            "gcs_bucket",
            Some("gcs_bucket"),
        ),
        (
            "secretmanager.googleapis.com",
            "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
            "projects/1/secrets/hf-token/versions/1",
            "audited_resource",
            Some("secret"),
        ),
        (
            "login.googleapis.com",
            "google.login.LoginService.loginSuccess",
            "organizations/123",
            "audited_resource",
            Some("organization"),
        ),
        (
            "run.googleapis.com",
            "google.cloud.run.v1.Services.ReplaceService",
            "namespaces/p/services/s",
            "audited_resource",
            None,
        ),
    ];
    for (service, method, name, rtype, kind) in cases {
        let mut ev = with_method(service, method, name);
        ev["resource"]["type"] = json!(rtype);
        let s = one(ev);
        assert_eq!(get(&s, Col::Asset).as_deref(), Some(name));
        assert_eq!(get(&s, Col::AssetKind).as_deref(), kind, "{name}");
    }

    // Region from the zone label; account from an organisation log when no project label.
    let mut ev = entry(payload());
    ev["protoPayload"]
        .as_object_mut()
        .unwrap()
        .remove("resourceLocation");
    ev["resource"] =
        json!({"type":"gce_instance","labels":{"instance_id":"1","zone":"europe-west4-a"}});
    ev["logName"] = json!("organizations/123/logs/cloudaudit.googleapis.com%2Fdata_access");
    let s = one(ev);
    assert_eq!(get(&s, Col::Region).as_deref(), Some("europe-west4-a"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some("organizations/123"));
}

#[test]
fn malformed_records_are_reported_and_the_rest_load() {
    let good = entry(payload());
    let gke = json!({"insertId":"g1","jsonPayload":{"message":"pulled image"},"logName":"projects/p/logs/events",
        "resource":{"type":"k8s_pod"},"timestamp":"2024-05-01T00:00:00Z"});
    let bare = json!({"methodName":"v1.compute.firewalls.patch"});
    let mut bad_time = entry(payload());
    bad_time["insertId"] = json!("t");
    bad_time["timestamp"] = json!("redacted");
    let mut no_method = entry(payload());
    no_method["insertId"] = json!("m");
    no_method["protoPayload"]
        .as_object_mut()
        .unwrap()
        .remove("methodName");
    let mut bad_method = entry(payload());
    bad_method["insertId"] = json!("b");
    bad_method["protoPayload"]["methodName"] = json!(7);
    let mut no_time = entry(payload());
    no_time["insertId"] = json!("n");
    for k in ["timestamp", "receiveTimestamp"] {
        no_time.as_object_mut().unwrap().remove(k);
    }
    no_time["protoPayload"]
        .as_object_mut()
        .unwrap()
        .remove("requestMetadata");
    let text = format!(
        "{good}\n{gke}\n{bare}\n{bad_time}\n{no_method}\n{bad_method}\n{no_time}\n{{\"protoPayload\": {{\"methodName\n"
    );
    let s = load(&text);
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.error_count, 7, "{:?}", s.report.errors);
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(
        origins,
        ["t.json:2", "t.json:3", "t.json:4", "t.json:5", "t.json:6", "t.json:7", "t.json:8"]
    );
    let msgs: Vec<&str> = s.report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(msgs[0].contains("jsonPayload"), "{}", msgs[0]);
    assert!(msgs[1].contains("no protoPayload"), "{}", msgs[1]);
    assert!(
        msgs[2].contains("\"redacted\" is not a timestamp"),
        "{}",
        msgs[2]
    );
    assert!(msgs[3].contains("no methodName"), "{}", msgs[3]);
    assert!(msgs[4].contains("malformed protoPayload"), "{}", msgs[4]);
    assert!(msgs[5].contains("no timestamp"), "{}", msgs[5]);

    // Inside a JSON array the origin is the element index.
    let s = load(&json!([good, gke]).to_string());
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.errors[0].origin, "t.json[1]");
}

#[test]
fn sniffing() {
    let claims = |v: &Value| Gcp.sniff(&Probe::new("f", &format!("{v}\n")));
    assert!(claims(&entry(payload())));
    let mut no_type = entry(payload());
    no_type["protoPayload"]
        .as_object_mut()
        .unwrap()
        .remove("@type");
    assert!(claims(&no_type), "logName names the audit log");
    let mut no_log_name = entry(payload());
    no_log_name.as_object_mut().unwrap().remove("logName");
    assert!(claims(&no_log_name), "the payload type names the audit log");
    let cloudtrail = json!({"Records":[{"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z",
        "eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
        "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}]});
    assert!(!claims(&cloudtrail));
    let gke = json!({"insertId":"g1","jsonPayload":{"message":"pulled image"},"logName":"projects/p/logs/events",
        "resource":{"type":"k8s_pod"},"timestamp":"2024-05-01T00:00:00Z"});
    assert!(!claims(&gke), "a non-audit LogEntry is not claimed");
}

//! Shared by the `detect_rules_*` tests: running one shipped rule alone, and building records in the real log shapes
//! (CloudTrail records as AWS writes them, GCP LogEntries, Kubernetes audit events, Azure Activity / Entra records,
//! Bedrock invocation logs, OpenAI and Anthropic audit events) loaded through `heist_core::ingest::load_bytes`.

pub use heist_core::detect::{detect_store, DetectOptions, Finding, RulePack};
pub use heist_core::entities::{Entity, EntityKind};
pub use heist_core::frame::EventStore;
pub use heist_core::ingest::{load_bytes, LoadOptions};
pub use heist_core::util::time::{parse_rfc3339, Nanos};
pub use heist_synth::cloudtrail::{s3_object, Call, Who};
pub use heist_synth::rng::Rng;
pub use serde_json::{json, Value};

pub const ACCT: &str = "111122223333";
pub const MIN: Nanos = 60_000_000_000;
pub const HOUR: Nanos = 60 * MIN;
pub const SEC: Nanos = 1_000_000_000;
pub const OFFICE: &str = "203.0.113.10";
pub const EVIL: &str = "198.51.100.77";
pub const UA: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64";

pub fn t(s: &str) -> Nanos {
    parse_rfc3339(s).unwrap()
}

/// Day one of every scenario, 08:00 UTC.
pub fn day1() -> Nanos {
    t("2026-10-03T08:00:00Z")
}

// ---- running one rule ----

pub fn run_with(rule: &str, store: &EventStore, opts: &DetectOptions) -> Vec<Finding> {
    let mut pack = RulePack::builtin().unwrap();
    pack.retain(|r| r.id == rule);
    assert_eq!(pack.len(), 1, "no shipped rule {rule:?}");
    let f = detect_store(store, &pack, opts).unwrap();
    assert!(f.iter().all(|x| x.rule == rule));
    f
}

/// The rule fires; returns its findings for further checks.
pub fn fires(rule: &str, store: &EventStore) -> Vec<Finding> {
    let f = run_with(rule, store, &DetectOptions::default());
    assert!(
        !f.is_empty(),
        "{rule} should fire on {} events",
        store.len()
    );
    for x in &f {
        assert!(!x.events.is_empty() && x.events_total >= x.events.len());
        assert!(x.first <= x.last);
        assert!(!x.explanation.is_empty());
    }
    f
}

pub fn silent(rule: &str, store: &EventStore) {
    let f = run_with(rule, store, &DetectOptions::default());
    assert!(
        f.is_empty(),
        "{rule} should stay silent, found: {:#?}",
        f.iter().map(|x| &x.explanation).collect::<Vec<_>>()
    );
}

pub fn has_entity(f: &Finding, kind: EntityKind, name: &str) -> bool {
    f.entities.iter().any(|e| e.kind == kind && e.name == name)
}

// ---- record builders in the real shapes ----

/// CloudTrail records, delivered as one `{"Records": [...]}` file.
pub struct Trail {
    recs: Vec<Value>,
    rng: Rng,
}

impl Trail {
    pub fn new() -> Self {
        Trail {
            recs: Vec::new(),
            rng: Rng::new(7),
        }
    }

    pub fn add(&mut self, c: Call<'_>) -> &mut Self {
        let r = c.record(ACCT, "us-east-1", &mut self.rng);
        self.recs.push(r);
        self
    }

    /// A call with no parameters.
    pub fn call(&mut self, at: Nanos, who: &Who, source: &str, name: &str, ip: &str) -> &mut Self {
        self.add(Call::new(at, who, source, name, ip, UA))
    }

    pub fn store(&self) -> EventStore {
        let body = json!({ "Records": self.recs }).to_string();
        let s = load_bytes("trail.json", body.into_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        assert_eq!(s.len(), self.recs.len());
        s
    }

    /// The records built so far.
    pub fn records(&self) -> Vec<Value> {
        self.recs.clone()
    }

    /// The records as a CloudTrail delivery file on disk, loaded from there: rules that read the raw record
    /// (`raw` conditions) can read it back.
    pub fn on_disk(&self) -> OnDisk {
        let body = json!({ "Records": self.recs }).to_string();
        let d = on_disk("trail.json", &body);
        assert_eq!(d.store.report.error_count, 0, "{:?}", d.store.report.errors);
        assert_eq!(d.store.len(), self.recs.len());
        d
    }
}

/// A bundle loaded from a temporary folder, kept while the store is used (its raw records are read back from it).
pub struct OnDisk {
    pub store: EventStore,
    name: String,
    text: String,
    _dir: tempfile::TempDir,
}

impl OnDisk {
    /// The same file loaded from memory: the frame is the same, but no raw record can be read back.
    pub fn store_in_memory(&self) -> EventStore {
        load_bytes(
            &self.name,
            self.text.clone().into_bytes(),
            &LoadOptions::default(),
        )
        .unwrap()
    }
}

impl std::ops::Deref for OnDisk {
    type Target = EventStore;
    fn deref(&self) -> &EventStore {
        &self.store
    }
}

/// `text` written as `name` in a new temporary folder and loaded from there.
pub fn on_disk(name: &str, text: &str) -> OnDisk {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let store = heist_core::ingest::load(
        &[path],
        &LoadOptions::default(),
        &heist_core::ingest::Progress::default(),
    )
    .unwrap();
    OnDisk {
        store,
        name: name.to_string(),
        text: text.to_string(),
        _dir: dir,
    }
}

/// CloudTrail records exactly as a dataset holds them (one JSON object each), delivered as one file on disk.
pub fn records_on_disk(recs: &[Value]) -> OnDisk {
    let d = on_disk("trail.json", &json!({ "Records": recs }).to_string());
    assert_eq!(d.store.len(), recs.len(), "{:?}", d.store.report.errors);
    d
}

pub fn user(name: &str, key: &str) -> Who {
    Who::user(ACCT, name, key)
}

pub fn session(role: &str, name: &str, key: &str) -> Who {
    Who::session(ACCT, role, name, key)
}

/// JSON lines, one record each.
pub fn lines(name: &str, recs: &[Value]) -> EventStore {
    let mut text = String::new();
    for r in recs {
        text += &r.to_string();
        text.push('\n');
    }
    let s = load_bytes(name, text.into_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.len(), recs.len(), "{name}");
    s
}

pub fn utc(at: Nanos) -> String {
    heist_core::util::time::format_utc(at)
}

/// A GCP Cloud Audit Logs entry (`gcloud logging read` / GCS sink shape).
pub fn gcp(at: Nanos, who: &str, service: &str, method: &str, resource: &str, ip: &str) -> Value {
    json!({
        "insertId": format!("{:x}", at ^ method.len() as i64),
        "logName": "projects/acme-ml/logs/cloudaudit.googleapis.com%2Factivity",
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": {"principalEmail": who},
            "requestMetadata": {"callerIp": ip, "callerSuppliedUserAgent": "google-cloud-sdk gcloud/480.0.0"},
            "serviceName": service,
            "methodName": method,
            "resourceName": resource,
            "request": {"name": resource},
            "status": {}
        },
        "resource": {"type": "audited_resource", "labels": {"project_id": "acme-ml", "service": service}},
        "severity": "NOTICE",
        "timestamp": utc(at),
        "receiveTimestamp": utc(at + SEC)
    })
}

/// A Kubernetes audit event (log backend, one per line).
pub fn k8s(
    at: Nanos,
    user: &str,
    verb: &str,
    resource: &str,
    sub: Option<&str>,
    ns: &str,
    name: Option<&str>,
) -> Value {
    let mut oref = json!({"resource": resource, "namespace": ns, "apiVersion": "v1"});
    if let Some(s) = sub {
        oref["subresource"] = json!(s);
    }
    if let Some(n) = name {
        oref["name"] = json!(n);
    }
    if resource == "inferenceservices" {
        oref["apiGroup"] = json!("serving.kserve.io");
        oref["apiVersion"] = json!("v1beta1");
    }
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": format!("a-{at}-{verb}-{resource}-{user}"),
        "stage": "ResponseComplete",
        "requestURI": format!("/api/v1/namespaces/{ns}/{resource}"),
        "verb": verb,
        "user": {"username": user, "groups": ["system:authenticated"]},
        "sourceIPs": ["10.0.3.7"],
        "userAgent": "kubectl/v1.29.0 (linux/amd64) kubernetes/abc",
        "objectRef": oref,
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": utc(at),
        "stageTimestamp": utc(at + 1_000_000)
    })
}

/// An Azure Activity Log record (diagnostic-settings / storage export shape).
pub fn azure(at: Nanos, op: &str, resource: &str, caller: &str) -> Value {
    json!({
        "time": utc(at),
        "resourceId": resource,
        "operationName": op,
        "operationVersion": "2023-05-01",
        "category": "Administrative",
        "resultType": "Success",
        "resultSignature": "Succeeded.OK",
        "callerIpAddress": EVIL,
        "correlationId": format!("c-{at}"),
        "identity": {"claims": {"ipaddr": EVIL, "name": caller, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": caller}},
        "level": "Information",
        "location": "eastus",
        "tenantId": "87654321-4321-4321-4321-111111111111"
    })
}

/// An Entra ID audit record (diagnostic-settings shape).
pub fn entra_audit(at: Nanos, op: &str, by: &str) -> Value {
    json!({
        "time": utc(at),
        "resourceId": "/tenants/tenant-123/providers/Microsoft.aadiam",
        "operationName": op,
        "operationVersion": "1.0",
        "category": "ApplicationManagement",
        "tenantId": "tenant-123",
        "resultSignature": "None",
        "callerIpAddress": EVIL,
        "correlationId": format!("e-{at}"),
        "Level": "4",
        "properties": {
            "result": "success", "operationName": op, "activityDisplayName": op,
            "activityDateTime": utc(at), "loggedByService": "Core Directory", "operationType": "Update",
            "initiatedBy": {"user": {"id": "u-1", "userPrincipalName": by, "ipAddress": EVIL}},
            "targetResources": [{"id": "sp-app-456", "displayName": "inference-gateway", "type": "ServicePrincipal"}]
        }
    })
}

/// A Bedrock model-invocation log line.
pub fn invocation(at: Nanos, arn: &str, model: &str, input: u64, output: u64) -> Value {
    json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": utc(at), "accountId": ACCT,
        "identity": {"arn": arn},
        "region": "us-east-1",
        "requestId": format!("r-{at}"),
        "operation": "InvokeModel",
        "modelId": model,
        "input": {"inputContentType": "application/json", "inputTokenCount": input},
        "output": {"outputContentType": "application/json", "outputTokenCount": output}
    })
}

pub fn openai(at: Nanos, kind: &str, actor: Value) -> Value {
    json!({"id": format!("audit_log-{kind}-{at}"), "type": kind, "effective_at": at / SEC, "actor": actor,
           kind: {"id": "key_9QmZr2Lw7TxY4Vb1", "data": {"scopes": ["api.model.request"]}}})
}

pub fn anthropic(at: Nanos, kind: &str, actor: Value) -> Value {
    json!({"id": format!("activity_{kind}_{at}"), "created_at": utc(at), "organization_id": "org_01HACME",
           "type": kind, "actor": actor, "workspace_id": "wrkspc_01HDEFAULT"})
}

/// Lines of a source read through the shipped mapping files (Anthropic is a mapping, not a built-in format).
pub fn mapped_lines(name: &str, recs: &[Value]) -> EventStore {
    let text: String = recs.iter().map(|r| r.to_string() + "\n").collect();
    let s = load_bytes(
        name,
        text.into_bytes(),
        &LoadOptions::with_builtin_mappings(),
    )
    .unwrap();
    assert_eq!(
        s.len(),
        recs.len(),
        "{:?} {:?}",
        s.report.errors,
        s.report.unreadable
    );
    s
}

pub fn disable(at: Nanos, admin: &Who, user: &str, key: &str, tr: &mut Trail) {
    tr.add(
        Call::new(
            at,
            admin,
            "iam.amazonaws.com",
            "UpdateAccessKey",
            OFFICE,
            UA,
        )
        .params(json!({"userName": user, "accessKeyId": key, "status": "Inactive"})),
    );
}

pub fn get_object<'a>(
    at: Nanos,
    who: &'a Who,
    bucket: &str,
    key: &str,
    ip: &'a str,
    bytes: u64,
    auth: &str,
) -> Call<'a> {
    let (p, r) = s3_object(ACCT, bucket, key);
    Call::new(at, who, "s3.amazonaws.com", "GetObject", ip, "Boto3/1.34.69")
        .params(p)
        .resources(r)
        .data()
        .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": bytes, "AuthenticationMethod": auth}))
}

pub fn put_object<'a>(at: Nanos, who: &'a Who, bucket: &str, key: &str) -> Call<'a> {
    let (p, r) = s3_object(ACCT, bucket, key);
    Call::new(at, who, "s3.amazonaws.com", "PutObject", "10.0.2.2", "Boto3/1.34.69")
        .params(p)
        .resources(r)
        .data()
        .extra(json!({"bytesTransferredIn": 1_000_000, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader"}))
}

/// One Stratus Red Team detonation from the public datasets, loaded alone from its file (raw records readable), or
/// `None` when the datasets are absent.
pub fn stratus(technique: &str) -> Option<EventStore> {
    let d = crate::common::real_data()?;
    let path = d.join("stratus-red-team").join(format!("{technique}.json"));
    let s = heist_core::ingest::load(
        &[path],
        &LoadOptions::default(),
        &heist_core::ingest::Progress::default(),
    )
    .unwrap();
    assert!(!s.is_empty(), "{technique} loaded no events");
    Some(s)
}

/// A CloudTrail call with request parameters, in the caller's name, from `ip`.
pub fn api<'a>(
    at: Nanos,
    who: &'a Who,
    source: &'a str,
    name: &'a str,
    ip: &'a str,
    params: Value,
) -> Call<'a> {
    Call::new(at, who, source, name, ip, UA).params(params)
}

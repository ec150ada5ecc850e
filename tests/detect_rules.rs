//! Every shipped rule, alone, over records written in the real log shapes (CloudTrail records as AWS writes them,
//! GCP LogEntries, Kubernetes audit events, Azure Activity / Entra records, Bedrock invocation logs, OpenAI audit
//! events) loaded through `heist::ingest::load_bytes`: it fires on the attack and stays silent on the look-alike
//! benign activity beside it. A last test checks that no shipped rule is missing from this file.

use heist::detect::{detect, DetectOptions, Finding, RulePack};
use heist::entities::{Entity, EntityKind};
use heist::frame::EventStore;
use heist::ingest::{load_bytes, LoadOptions};
use heist::synth::cloudtrail::{s3_object, Call, Who};
use heist::synth::rng::Rng;
use heist::util::time::{parse_rfc3339, Nanos};
use serde_json::{json, Value};

const ACCT: &str = "111122223333";
const MIN: Nanos = 60_000_000_000;
const HOUR: Nanos = 60 * MIN;
const SEC: Nanos = 1_000_000_000;
const OFFICE: &str = "203.0.113.10";
const EVIL: &str = "198.51.100.77";
const UA: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64";

fn t(s: &str) -> Nanos {
    parse_rfc3339(s).unwrap()
}

/// Day one of every scenario, 08:00 UTC.
fn day1() -> Nanos {
    t("2026-10-03T08:00:00Z")
}

// ---- running one rule ----

fn run_with(rule: &str, store: &EventStore, opts: &DetectOptions) -> Vec<Finding> {
    let mut pack = RulePack::builtin().unwrap();
    pack.retain(|r| r.id == rule);
    assert_eq!(pack.len(), 1, "no shipped rule {rule:?}");
    let f = detect(&store.frame, &pack, opts).unwrap();
    assert!(f.iter().all(|x| x.rule == rule));
    f
}

/// The rule fires; returns its findings for further checks.
fn fires(rule: &str, store: &EventStore) -> Vec<Finding> {
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

fn silent(rule: &str, store: &EventStore) {
    let f = run_with(rule, store, &DetectOptions::default());
    assert!(
        f.is_empty(),
        "{rule} should stay silent, found: {:#?}",
        f.iter().map(|x| &x.explanation).collect::<Vec<_>>()
    );
}

fn has_entity(f: &Finding, kind: EntityKind, name: &str) -> bool {
    f.entities.iter().any(|e| e.kind == kind && e.name == name)
}

// ---- record builders in the real shapes ----

/// CloudTrail records, delivered as one `{"Records": [...]}` file.
struct Trail {
    recs: Vec<Value>,
    rng: Rng,
}

impl Trail {
    fn new() -> Self {
        Trail {
            recs: Vec::new(),
            rng: Rng::new(7),
        }
    }

    fn add(&mut self, c: Call<'_>) -> &mut Self {
        let r = c.record(ACCT, "us-east-1", &mut self.rng);
        self.recs.push(r);
        self
    }

    /// A call with no parameters.
    fn call(&mut self, at: Nanos, who: &Who, source: &str, name: &str, ip: &str) -> &mut Self {
        self.add(Call::new(at, who, source, name, ip, UA))
    }

    fn store(&self) -> EventStore {
        let body = json!({ "Records": self.recs }).to_string();
        let s = load_bytes("trail.json", body.into_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        assert_eq!(s.len(), self.recs.len());
        s
    }
}

fn user(name: &str, key: &str) -> Who {
    Who::user(ACCT, name, key)
}

fn session(role: &str, name: &str, key: &str) -> Who {
    Who::session(ACCT, role, name, key)
}

/// JSON lines, one record each.
fn lines(name: &str, recs: &[Value]) -> EventStore {
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

fn utc(at: Nanos) -> String {
    heist::util::time::format_utc(at)
}

/// A GCP Cloud Audit Logs entry (`gcloud logging read` / GCS sink shape).
fn gcp(at: Nanos, who: &str, service: &str, method: &str, resource: &str, ip: &str) -> Value {
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
fn k8s(
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
fn azure(at: Nanos, op: &str, resource: &str, caller: &str) -> Value {
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
fn entra_audit(at: Nanos, op: &str, by: &str) -> Value {
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
fn invocation(at: Nanos, arn: &str, model: &str, input: u64, output: u64) -> Value {
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

// ================================ credentials ================================

#[test]
fn long_term_key_new_ip() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &ci,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        "203.0.113.50",
    )
    .call(
        day1() + 20 * HOUR,
        &ci,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        "203.0.113.50",
    )
    .call(
        day1() + 26 * HOUR,
        &ci,
        "s3.amazonaws.com",
        "ListBuckets",
        EVIL,
    )
    .call(
        day1() + 26 * HOUR + MIN,
        &ci,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        EVIL,
    );
    let f = fires("long-term-key-new-ip", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].entities[0],
        Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI")
    );
    assert_eq!(
        f[0].events_total, 2,
        "the first use and the next from the same IP"
    );
    assert!(
        f[0].explanation.contains(
            "from new ip 198.51.100.77 after 1d 2h of history with 1 known ip (203.0.113.50)"
        ),
        "{}",
        f[0].explanation
    );

    // Look-alikes: a key whose history is two hours old; a session key (ASIA) from a new address.
    let dev = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let sess = session("ml-deploy", "run-1", "ASIAQ3EGRZTCIDEPLOY1");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &dev,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        OFFICE,
    )
    .call(
        day1() + 2 * HOUR,
        &dev,
        "s3.amazonaws.com",
        "ListBuckets",
        "192.0.2.9",
    )
    .call(day1(), &sess, "s3.amazonaws.com", "ListBuckets", OFFICE)
    .call(
        day1() + 30 * HOUR,
        &sess,
        "s3.amazonaws.com",
        "ListBuckets",
        EVIL,
    );
    silent("long-term-key-new-ip", &tr.store());
}

#[test]
fn assume_role_from_new_network() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let assume = |at: Nanos, who: &Who, ip: &str, tr: &mut Trail| {
        let role = format!("arn:aws:iam::{ACCT}:role/ml-model-registry-reader");
        tr.add(
            Call::new(at, who, "sts.amazonaws.com", "AssumeRole", ip, UA)
                .params(json!({"roleArn": role, "roleSessionName": "s"}))
                .response(json!({"credentials": {"accessKeyId": format!("ASIAQ3EGRZT{:09}", at % 1_000_000_000)},
                    "assumedRoleUser": {"arn": format!("arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/s")}})),
        );
    };
    let mut tr = Trail::new();
    tr.call(day1(), &alice, "s3.amazonaws.com", "ListBuckets", OFFICE);
    assume(day1() + 30 * HOUR, &ci, EVIL, &mut tr);
    let f = fires("assume-role-from-new-network", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].entities[0], Entity::new(EntityKind::Ip, EVIL));
    assert!(
        f[0].explanation
            .contains("from new network 198.51.100.0/24 (198.51.100.77)"),
        "{}",
        f[0].explanation
    );

    // Same office /24, and a session key from a new network: both quiet.
    let sess = session("ml-deploy", "run-1", "ASIAQ3EGRZTCIDEPLOY1");
    let mut tr = Trail::new();
    tr.call(day1(), &alice, "s3.amazonaws.com", "ListBuckets", OFFICE);
    assume(day1() + 30 * HOUR, &ci, "203.0.113.99", &mut tr);
    assume(day1() + 31 * HOUR, &sess, EVIL, &mut tr);
    silent("assume-role-from-new-network", &tr.store());
}

#[test]
fn credential_for_another_user() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let create = |who: &Who, target: &str, key: &str, tr: &mut Trail| {
        tr.add(
            Call::new(
                day1(),
                who,
                "iam.amazonaws.com",
                "CreateAccessKey",
                EVIL,
                UA,
            )
            .params(json!({"userName": target}))
            .response(
                json!({"accessKey": {"userName": target, "accessKeyId": key, "status": "Active"}}),
            ),
        );
    };
    let mut tr = Trail::new();
    create(&ci, "svc-backup", "AKIAQ3EGRZTBACKDR9SV", &mut tr);
    tr.add(
        Call::new(
            day1() + MIN,
            &ci,
            "iam.amazonaws.com",
            "CreateLoginProfile",
            EVIL,
            UA,
        )
        .params(json!({"userName": "svc-backup", "passwordResetRequired": false}))
        .response(json!({"loginProfile": {"userName": "svc-backup"}})),
    );
    let f = fires("credential-for-another-user", &tr.store());
    assert_eq!(f.len(), 1, "two calls a minute apart are one finding");
    assert_eq!(f[0].events_total, 2);
    assert!(
        f[0].explanation.contains(
            "for arn:aws:iam::111122223333:user/svc-backup, minting AKIAQ3EGRZTBACKDR9SV"
        ),
        "{}",
        f[0].explanation
    );

    // Rotating one's own key.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    create(&alice, "alice", "AKIAQ3EGRZTALICENEW1", &mut tr);
    silent("credential-for-another-user", &tr.store());
}

#[test]
fn entra_service_principal_credential() {
    let s = lines(
        "audit.json",
        &[entra_audit(
            day1(),
            "Add service principal credentials",
            "mallory@acme.example",
        )],
    );
    fires("entra-service-principal-credential", &s);
    let s = lines(
        "audit.json",
        &[entra_audit(
            day1(),
            "Add service principal",
            "admin@acme.example",
        )],
    );
    silent("entra-service-principal-credential", &s);
}

#[test]
fn gcp_sa_key_created_by_service_account() {
    let key = "projects/acme-ml/serviceAccounts/trainer@acme-ml.iam.gserviceaccount.com";
    let rec = |who: &str| {
        gcp(
            day1(),
            who,
            "iam.googleapis.com",
            "google.iam.admin.v1.CreateServiceAccountKey",
            key,
            EVIL,
        )
    };
    let f = fires(
        "gcp-sa-key-created-by-service-account",
        &lines("a.json", &[rec("ci@acme-ml.iam.gserviceaccount.com")]),
    );
    assert_eq!(
        f[0].entities[0],
        Entity::new(EntityKind::Identity, "ci@acme-ml.iam.gserviceaccount.com")
    );
    // A person creating a key from the console.
    silent(
        "gcp-sa-key-created-by-service-account",
        &lines("a.json", &[rec("alice@acme.example")]),
    );
}

#[test]
fn gcp_sa_token_generated_by_service_account() {
    let sa = "projects/-/serviceAccounts/trainer@acme-ml.iam.gserviceaccount.com";
    let rec = |who: &str| {
        gcp(
            day1(),
            who,
            "iamcredentials.googleapis.com",
            "GenerateAccessToken",
            sa,
            EVIL,
        )
    };
    fires(
        "gcp-sa-token-generated-by-service-account",
        &lines("a.json", &[rec("ci@acme-ml.iam.gserviceaccount.com")]),
    );
    silent(
        "gcp-sa-token-generated-by-service-account",
        &lines("a.json", &[rec("alice@acme.example")]),
    );
}

#[test]
fn azure_keys_listed() {
    let oai = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/AI/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/ACME-OPENAI";
    let f = fires(
        "azure-keys-listed",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION",
                oai,
                "mallory@acme.example",
            )],
        ),
    );
    assert!(
        f[0].explanation.contains("LISTKEYS"),
        "{}",
        f[0].explanation
    );
    silent(
        "azure-keys-listed",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "MICROSOFT.COGNITIVESERVICES/ACCOUNTS/READ",
                oai,
                "alice@acme.example",
            )],
        ),
    );
}

#[test]
fn azure_keys_regenerated() {
    let st = "/subscriptions/0000/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/acmetraining";
    fires(
        "azure-keys-regenerated",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "Microsoft.Storage/storageAccounts/regenerateKey/action",
                st,
                "mallory@acme.example",
            )],
        ),
    );
    silent(
        "azure-keys-regenerated",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "Microsoft.Storage/storageAccounts/write",
                st,
                "alice@acme.example",
            )],
        ),
    );
}

#[test]
fn k8s_secrets_read_by_service_account() {
    let f = fires(
        "k8s-secrets-read-by-service-account",
        &lines(
            "audit.log",
            &[k8s(
                day1(),
                "system:serviceaccount:ml:notebook",
                "list",
                "secrets",
                None,
                "ml",
                None,
            )],
        ),
    );
    assert_eq!(f[0].entities[0].name, "system:serviceaccount:ml:notebook");
    silent(
        "k8s-secrets-read-by-service-account",
        &lines(
            "audit.log",
            &[
                k8s(
                    day1(),
                    "system:serviceaccount:kube-system:replicaset-controller",
                    "get",
                    "secrets",
                    None,
                    "ml",
                    Some("s"),
                ),
                k8s(
                    day1(),
                    "system:serviceaccount:ml:notebook",
                    "get",
                    "configmaps",
                    None,
                    "ml",
                    Some("c"),
                ),
                k8s(
                    day1(),
                    "alice@acme.example",
                    "get",
                    "secrets",
                    None,
                    "ml",
                    Some("s"),
                ),
            ],
        ),
    );
}

#[test]
fn k8s_service_account_token_created() {
    let rec = |who: &str| {
        k8s(
            day1(),
            who,
            "create",
            "serviceaccounts",
            Some("token"),
            "ml",
            Some("kserve-sa"),
        )
    };
    fires(
        "k8s-service-account-token-created",
        &lines("audit.log", &[rec("system:serviceaccount:ml:notebook")]),
    );
    silent(
        "k8s-service-account-token-created",
        &lines("audit.log", &[rec("system:node:ip-10-0-3-7.ec2.internal")]),
    );
}

#[test]
fn secrets_bulk_retrieval() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let get = |at: Nanos, who: &Who, id: &str, tr: &mut Trail| {
        tr.add(
            Call::new(
                at,
                who,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                EVIL,
                UA,
            )
            .params(json!({"secretId": id})),
        );
    };
    let mut tr = Trail::new();
    for i in 0..20 {
        get(
            day1() + i * 5 * SEC,
            &ci,
            &format!("prod/openai-key-{i}"),
            &mut tr,
        );
    }
    let f = fires("secrets-bulk-retrieval", &tr.store());
    assert!(
        f[0].explanation
            .starts_with("20 GetSecretValue in 15m by token AKIAQ3EGRZTSTOLEN7CI"),
        "{}",
        f[0].explanation
    );

    // A service that reads its one secret every two minutes, all day, two days running.
    let app = session("api", "task-1", "ASIAQ3EGRZTAPITASK01");
    let mut tr = Trail::new();
    for i in 0..(48 * 30) {
        get(day1() + i * 2 * MIN, &app, "prod/db-password", &mut tr);
    }
    silent("secrets-bulk-retrieval", &tr.store());
}

fn openai(at: Nanos, kind: &str, actor: Value) -> Value {
    json!({"id": format!("audit_log-{kind}-{at}"), "type": kind, "effective_at": at / SEC, "actor": actor,
           kind: {"id": "key_9QmZr2Lw7TxY4Vb1", "data": {"scopes": ["api.model.request"]}}})
}

fn anthropic(at: Nanos, kind: &str, actor: Value) -> Value {
    json!({"id": format!("activity_{kind}_{at}"), "created_at": utc(at), "organization_id": "org_01HACME",
           "type": kind, "actor": actor, "workspace_id": "wrkspc_01HDEFAULT"})
}

/// Lines of a source read through the shipped mapping files (Anthropic is a mapping, not a built-in format).
fn mapped_lines(name: &str, recs: &[Value]) -> EventStore {
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

#[test]
fn ai_platform_key_created_by_key() {
    let by_key = json!({"type": "api_key", "api_key": {"id": "key_AcmeCiAdm1nQ7xV", "type": "service_account",
                        "service_account": {"id": "svc_acct_AcmeCiPublisher"}}});
    let by_person = json!({"type": "session", "session": {"user": {"id": "user-1", "email": "alice@acme.example"},
                           "ip_address": OFFICE, "user_agent": "Mozilla/5.0"}});
    let f = fires(
        "ai-platform-key-created-by-key",
        &lines("audit.json", &[openai(day1(), "api_key.created", by_key)]),
    );
    assert_eq!(
        f[0].entities[0],
        Entity::new(EntityKind::Token, "key_AcmeCiAdm1nQ7xV")
    );
    silent(
        "ai-platform-key-created-by-key",
        &lines(
            "audit.json",
            &[openai(day1(), "api_key.created", by_person)],
        ),
    );
    let key_actor = json!({"type": "api_actor", "api_key_id": "apikey_01HACMECIADMIN7K"});
    let user_actor = json!({"type": "user_actor", "email_address": "alice@acme.example", "user_id": "user_1", "ip_address": OFFICE});
    fires(
        "ai-platform-key-created-by-key",
        &mapped_lines(
            "activity.jsonl",
            &[anthropic(day1(), "service_key_created", key_actor)],
        ),
    );
    silent(
        "ai-platform-key-created-by-key",
        &mapped_lines(
            "activity.jsonl",
            &[anthropic(day1(), "service_key_created", user_actor)],
        ),
    );
}

fn disable(at: Nanos, admin: &Who, user: &str, key: &str, tr: &mut Trail) {
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

#[test]
fn token_used_after_revocation() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(day1(), &ci, "sts.amazonaws.com", "GetCallerIdentity", EVIL);
    disable(
        day1() + HOUR,
        &alice,
        "ci-deployer",
        "AKIAQ3EGRZTSTOLEN7CI",
        &mut tr,
    );
    tr.add(
        Call::new(
            day1() + HOUR + 18 * MIN,
            &ci,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            EVIL,
            UA,
        )
        .error(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
    );
    let f = fires("token-used-after-revocation", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 1);
    assert!(
        f[0].explanation.starts_with("token AKIAQ3EGRZTSTOLEN7CI (arn:aws:iam::111122223333:user/ci-deployer) used 18m after its revocation at 2026-10-03T09:00:00Z (UpdateAccessKey by arn:aws:iam::111122223333:user/alice)"),
        "{}",
        f[0].explanation
    );
    assert!(
        f[0].explanation
            .ends_with("; failed (InvalidClientTokenId)"),
        "{}",
        f[0].explanation
    );

    // Use before the revocation, and another key that keeps working after a different key is disabled.
    let mut tr = Trail::new();
    tr.call(day1(), &ci, "sts.amazonaws.com", "GetCallerIdentity", EVIL);
    disable(
        day1() + HOUR,
        &alice,
        "ci-deployer",
        "AKIAQ3EGRZTSTOLEN7CI",
        &mut tr,
    );
    tr.call(
        day1() + 2 * HOUR,
        &alice,
        "s3.amazonaws.com",
        "ListBuckets",
        OFFICE,
    );
    silent("token-used-after-revocation", &tr.store());
}

#[test]
fn session_of_revoked_key_used() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let exfil = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let build = |late: bool| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &ci, "sts.amazonaws.com", "AssumeRole", EVIL, UA)
                .params(json!({"roleArn": format!("arn:aws:iam::{ACCT}:role/ml-model-registry-reader"), "roleSessionName": "x"}))
                .response(json!({"credentials": {"accessKeyId": "ASIAQ3EGRZTEXFIL2MDL"},
                    "assumedRoleUser": {"arn": format!("arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/x")}})),
        );
        tr.call(
            day1() + 10 * MIN,
            &exfil,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        );
        disable(
            day1() + 20 * MIN,
            &alice,
            "ci-deployer",
            "AKIAQ3EGRZTSTOLEN7CI",
            &mut tr,
        );
        if late {
            tr.call(
                day1() + 30 * MIN,
                &exfil,
                "s3.amazonaws.com",
                "ListBuckets",
                EVIL,
            );
        }
        tr.store()
    };
    let f = fires("session-of-revoked-key-used", &build(true));
    assert_eq!(f[0].entities[0].name, "ASIAQ3EGRZTEXFIL2MDL");
    assert!(
        f[0].explanation
            .contains("the revocation of AKIAQ3EGRZTSTOLEN7CI, which it was minted from"),
        "{}",
        f[0].explanation
    );
    silent("session-of-revoked-key-used", &build(false));
}

#[test]
fn identity_used_after_end_date() {
    let bob = user("bob", "AKIAQ3EGRZTBOBLEFT01");
    let mut tr = Trail::new();
    tr.call(day1(), &bob, "s3.amazonaws.com", "ListBuckets", OFFICE)
        .call(
            day1() + 48 * HOUR,
            &bob,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        );
    let s = tr.store();
    let end = DetectOptions {
        end_dates: vec![(
            Entity::new(
                EntityKind::Identity,
                format!("arn:aws:iam::{ACCT}:user/bob"),
            ),
            day1() + 24 * HOUR,
        )],
        ..DetectOptions::default()
    };
    let f = run_with("identity-used-after-end-date", &s, &end);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 1);
    assert!(
        f[0].explanation
            .contains("used 1d after its end date 2026-10-04T08:00:00Z"),
        "{}",
        f[0].explanation
    );
    // Without an end date, or with one after the last event, nothing.
    silent("identity-used-after-end-date", &s);
    let later = DetectOptions {
        end_dates: vec![(
            Entity::new(
                EntityKind::Identity,
                format!("arn:aws:iam::{ACCT}:user/bob"),
            ),
            day1() + 72 * HOUR,
        )],
        ..DetectOptions::default()
    };
    assert!(run_with("identity-used-after-end-date", &s, &later).is_empty());
}

// ================================ discovery ================================

#[test]
fn discovery_burst() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(day1(), &ci, "sts.amazonaws.com", "GetCallerIdentity", EVIL)
        .call(
            day1() + 33 * SEC,
            &ci,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        )
        .call(
            day1() + 63 * SEC,
            &ci,
            "bedrock.amazonaws.com",
            "ListFoundationModels",
            EVIL,
        )
        .add(
            Call::new(
                day1() + 115 * SEC,
                &ci,
                "iam.amazonaws.com",
                "ListRoles",
                EVIL,
                UA,
            )
            .error("AccessDenied", "not authorized"),
        );
    let f = fires("discovery-burst", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 4);
    assert!(f[0].explanation.starts_with("4 distinct actions (GetCallerIdentity, ListBuckets, ListFoundationModels, +1 more) in 15m by token AKIAQ3EGRZTSTOLEN7CI (arn:aws:iam::111122223333:user/ci-deployer) (threshold 2)"), "{}", f[0].explanation);

    // A health check calling one API every minute.
    let bot = user("monitor", "AKIAQ3EGRZTMONITOR01");
    let mut tr = Trail::new();
    for i in 0..30 {
        tr.call(
            day1() + i * MIN,
            &bot,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            OFFICE,
        );
    }
    silent("discovery-burst", &tr.store());
}

#[test]
fn bedrock_discovery_burst() {
    let s = session("llm-tester", "x", "ASIA6FTSFH98XNF7DFZB");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &s,
        "bedrock.amazonaws.com",
        "ListFoundationModelAgreementOffers",
        EVIL,
    );
    for i in 0..6 {
        tr.add(
            Call::new(
                day1() + i * 10 * SEC,
                &s,
                "bedrock.amazonaws.com",
                "GetFoundationModelAvailability",
                EVIL,
                UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
    }
    let f = fires("bedrock-discovery-burst", &tr.store());
    assert!(f[0].explanation.starts_with("7 events (6 GetFoundationModelAvailability, ListFoundationModelAgreementOffers) in 15m"), "{}", f[0].explanation);

    // A console user opening the model catalogue three times in a quarter hour.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    for i in 0..3 {
        tr.call(
            day1() + i * 5 * MIN,
            &alice,
            "bedrock.amazonaws.com",
            "ListFoundationModels",
            OFFICE,
        );
    }
    silent("bedrock-discovery-burst", &tr.store());
}

#[test]
fn bedrock_logging_config_read() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &ci,
        "bedrock.amazonaws.com",
        "GetModelInvocationLoggingConfiguration",
        EVIL,
    );
    fires("bedrock-logging-config-read", &tr.store());
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &ci,
        "bedrock.amazonaws.com",
        "GetFoundationModel",
        OFFICE,
    );
    silent("bedrock-logging-config-read", &tr.store());
}

// ================================ collection and exfiltration ================================

fn get_object<'a>(
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

#[test]
fn bulk_model_download() {
    let exfil = session(
        "ml-model-registry-reader",
        "ci-deployer",
        "ASIAQ3EGRZTEXFIL2MDL",
    );
    let mut tr = Trail::new();
    for shard in 1..=4 {
        let key = format!("llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors");
        tr.add(get_object(
            day1() + shard * 4 * MIN,
            &exfil,
            "acme-models",
            &key,
            EVIL,
            4_938_000_000,
            "AuthHeader",
        ));
    }
    let f = fires("bulk-model-download", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 4);
    assert!(f[0].explanation.starts_with("4 GetObject in 60m by token ASIAQ3EGRZTEXFIL2MDL (arn:aws:sts::111122223333:assumed-role/ml-model-registry-reader/ci-deployer) (threshold 2)"), "{}", f[0].explanation);
    assert!(has_entity(
        &f[0],
        EntityKind::Asset,
        "acme-models/llm-7b/checkpoint-20261004/model-00001-of-00004.safetensors"
    ));

    // Training shards (not model files), and a serving node loading one shard every two hours.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let node = session("llm-serving", "node-1", "ASIAQ3EGRZTSERVING01");
    let mut tr = Trail::new();
    for i in 0..6 {
        tr.add(get_object(
            day1() + i * 5 * MIN,
            &alice,
            "acme-training-data",
            &format!("corpus/shard-{i:04}.parquet"),
            OFFICE,
            50_000_000,
            "AuthHeader",
        ));
        tr.add(get_object(
            day1() + i * 2 * HOUR,
            &node,
            "acme-models",
            &format!("llm-7b/model-0000{i}.safetensors"),
            "10.0.1.5",
            4_000_000_000,
            "AuthHeader",
        ));
    }
    silent("bulk-model-download", &tr.store());
}

#[test]
fn bulk_model_download_from_s3_access_logs() {
    // The same theft seen in S3 server access logs (no token: grouped by the requester's session ARN).
    let mut text = String::new();
    for shard in 1..=3 {
        text += &format!(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be acme-models [05/Oct/2026:02:1{shard}:00 +0000] {EVIL} \
             arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/ci-deployer 3E57427F3EXAMPLE{shard} REST.GET.OBJECT \
             llm-7b/model-0000{shard}-of-00004.safetensors \"GET /acme-models/llm-7b/model-0000{shard}-of-00004.safetensors HTTP/1.1\" \
             200 - 4938000000 4938000000 70 10 \"-\" \"Boto3/1.34.69\" - aDFlRG== SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader \
             acme-models.s3.us-east-1.amazonaws.com TLSv1.2 - -\n"
        );
    }
    let s = load_bytes(
        "2026-10-05-02-00-00-ABCDEF",
        text.into_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        s.len(),
        3,
        "{:?} {:?}",
        s.report.errors,
        s.report.unreadable
    );
    let f = fires("bulk-model-download", &s);
    assert_eq!(f[0].entities[0].kind, EntityKind::Identity);
}

#[test]
fn bulk_download_volume() {
    let exfil = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let mut tr = Trail::new();
    for i in 0..3 {
        tr.add(get_object(
            day1() + i * 10 * MIN,
            &exfil,
            "acme-training-data",
            &format!("dump/part-{i}.tar"),
            EVIL,
            4_000_000_000,
            "AuthHeader",
        ));
    }
    let f = fires("bulk-download-volume", &tr.store());
    assert!(
        f[0].explanation
            .starts_with("12.0 GB transferred in 60m by token ASIAQ3EGRZTEXFIL2MDL"),
        "{}",
        f[0].explanation
    );

    // A training job that reads 6 GB every hour for two days: above 5 GB, not above its own rate.
    let job = session("trainer", "job-1", "ASIAQ3EGRZTTRAINER01");
    let mut tr = Trail::new();
    for h in 0..48 {
        tr.add(get_object(
            day1() + h * HOUR,
            &job,
            "acme-training-data",
            &format!("corpus/h{h}.tar"),
            "10.0.2.2",
            6_000_000_000,
            "AuthHeader",
        ));
    }
    silent("bulk-download-volume", &tr.store());
}

#[test]
fn presigned_url_read_new_network() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |ip: &str, auth: &str| {
        let mut tr = Trail::new();
        tr.call(day1(), &alice, "s3.amazonaws.com", "ListBuckets", OFFICE);
        tr.add(get_object(
            day1() + 30 * HOUR,
            &alice,
            "acme-models",
            "llm-7b/config.json",
            ip,
            2_000,
            auth,
        ));
        tr.store()
    };
    let f = fires(
        "presigned-url-read-new-network",
        &build(EVIL, "QueryString"),
    );
    assert_eq!(f[0].entities[0], Entity::new(EntityKind::Ip, EVIL));
    silent(
        "presigned-url-read-new-network",
        &build("203.0.113.77", "QueryString"),
    );
    silent("presigned-url-read-new-network", &build(EVIL, "AuthHeader"));
}

#[test]
fn vertex_export() {
    let model = "projects/acme-ml/locations/us-central1/models/llm-7b";
    let rec = |m: &str| {
        gcp(
            day1(),
            "ci@acme-ml.iam.gserviceaccount.com",
            "aiplatform.googleapis.com",
            m,
            model,
            EVIL,
        )
    };
    fires(
        "vertex-export",
        &lines(
            "a.json",
            &[rec("google.cloud.aiplatform.v1.ModelService.ExportModel")],
        ),
    );
    silent(
        "vertex-export",
        &lines(
            "a.json",
            &[rec("google.cloud.aiplatform.v1.ModelService.GetModel")],
        ),
    );
}

#[test]
fn sagemaker_presigned_url() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &alice, "sagemaker.amazonaws.com", name, EVIL, UA)
                .params(json!({"notebookInstanceName": "research"})),
        );
        tr.store()
    };
    fires(
        "sagemaker-presigned-url",
        &build("CreatePresignedNotebookInstanceUrl"),
    );
    silent(
        "sagemaker-presigned-url",
        &build("DescribeNotebookInstance"),
    );
}

#[test]
fn sagemaker_model_registry_new_caller() {
    let ci = session("ml-ci", "run-1", "ASIAQ3EGRZTMLCI00001");
    let registry = |at: Nanos, who: &Who, tr: &mut Trail| {
        tr.add(
            Call::new(
                at,
                who,
                "sagemaker.amazonaws.com",
                "DescribeModelPackage",
                EVIL,
                UA,
            )
            .params(json!({"modelPackageName": "llm-7b/3"})),
        );
    };
    let mut tr = Trail::new();
    registry(day1(), &ci, &mut tr);
    registry(
        day1() + 30 * HOUR,
        &session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL"),
        &mut tr,
    );
    let f = fires("sagemaker-model-registry-new-caller", &tr.store());
    assert!(
        f[0].explanation
            .contains("by new role arn:aws:iam::111122223333:role/ml-model-registry-reader"),
        "{}",
        f[0].explanation
    );
    // The same role with a new session name the next day.
    let mut tr = Trail::new();
    registry(day1(), &ci, &mut tr);
    registry(
        day1() + 30 * HOUR,
        &session("ml-ci", "run-2", "ASIAQ3EGRZTMLCI00002"),
        &mut tr,
    );
    silent("sagemaker-model-registry-new-caller", &tr.store());
}

#[test]
fn cross_account_share() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str, params: Value| {
        let mut tr = Trail::new();
        tr.add(Call::new(day1(), &alice, "ec2.amazonaws.com", name, EVIL, UA).params(params));
        tr.store()
    };
    fires(
        "cross-account-share",
        &build(
            "ModifySnapshotAttribute",
            json!({"snapshotId": "snap-0a1b2c3d", "attributeType": "CREATE_VOLUME_PERMISSION",
                   "createVolumePermission": {"add": {"items": [{"userId": "999988887777"}]}}}),
        ),
    );
    silent(
        "cross-account-share",
        &build("CreateSnapshot", json!({"volumeId": "vol-1"})),
    );
    let oai = |kind: &str| {
        json!({"id": format!("audit_log-{kind}"), "type": kind, "effective_at": day1() / SEC,
               "actor": {"type": "session", "session": {"user": {"id": "user-1", "email": "mallory@acme.example"}, "ip_address": EVIL}},
               kind: {"id": "cp_1", "data": {"fine_tuned_model_checkpoint": "ft:gpt-4o-mini:acme::abc"}}})
    };
    fires(
        "cross-account-share",
        &lines("audit.json", &[oai("checkpoint.permission.created")]),
    );
    silent(
        "cross-account-share",
        &lines("audit.json", &[oai("checkpoint.permission.deleted")]),
    );
}

#[test]
fn cross_account_object_copy() {
    let build = |account: &str| {
        let who = Who::session(account, "copier", "c", "ASIAQ3EGRZTCOPIER001");
        let (mut p, r) = s3_object(ACCT, "attacker-drop", "llm-7b/model.safetensors");
        p["x-amz-copy-source"] = json!("acme-models/llm-7b/model-00001-of-00004.safetensors");
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &who, "s3.amazonaws.com", "CopyObject", EVIL, UA)
                .params(p)
                .resources(r)
                .data(),
        );
        tr.store()
    };
    let f = fires("cross-account-object-copy", &build("999988887777"));
    assert!(
        f[0].explanation.contains("for 999988887777"),
        "{}",
        f[0].explanation
    );
    silent("cross-account-object-copy", &build(ACCT));
}

// ================================ inference abuse ================================

#[test]
fn inference_volume_spike() {
    let backdoor = user("svc-backup", "AKIAQ3EGRZTBACKDR9SV");
    let invoke = |at: Nanos, who: &Who, tr: &mut Trail| {
        tr.add(
            Call::new(
                at,
                who,
                "bedrock.amazonaws.com",
                "InvokeModel",
                "192.0.2.45",
                UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
    };
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    invoke(day1(), &alice, &mut tr);
    invoke(day1() + 30 * HOUR, &alice, &mut tr);
    for i in 0..40 {
        invoke(day1() + 40 * HOUR + i * 37 * SEC, &backdoor, &mut tr);
    }
    let f = fires("inference-volume-spike", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 40);
    assert!(
        f[0].explanation.starts_with("40 InvokeModel in 60m by token AKIAQ3EGRZTBACKDR9SV (arn:aws:iam::111122223333:user/svc-backup) (threshold 25; baseline 0/60m, above x10)"),
        "{}",
        f[0].explanation
    );

    // An application that always runs at 40 calls an hour.
    let app = session("chat-app", "prod", "ASIAQ3EGRZTCHATAPP01");
    let mut tr = Trail::new();
    for i in 0..(48 * 40) {
        invoke(day1() + i * 90 * SEC, &app, &mut tr);
    }
    silent("inference-volume-spike", &tr.store());
}

#[test]
fn inference_token_spike() {
    let thief = "arn:aws:sts::111122223333:assumed-role/llm-proxy/stolen";
    let app = "arn:aws:sts::111122223333:assumed-role/chat-app/prod";
    let model = "anthropic.claude-3-sonnet-20240229-v1:0";
    let mut recs = vec![invocation(day1(), app, model, 1_000, 200)];
    for i in 0..30 {
        recs.push(invocation(
            day1() + 30 * HOUR + i * MIN,
            thief,
            model,
            50_000,
            10_000,
        ));
    }
    let f = fires("inference-token-spike", &lines("invocations.json", &recs));
    assert_eq!(f[0].entities[0], Entity::new(EntityKind::Identity, thief));
    assert!(
        f[0].explanation
            .starts_with("1,800,000 tokens in 60m by identity"),
        "{}",
        f[0].explanation
    );

    // A steady 1.2M tokens an hour for two days.
    let mut recs = Vec::new();
    for i in 0..(48 * 12) {
        recs.push(invocation(day1() + i * 5 * MIN, app, model, 80_000, 20_000));
    }
    silent("inference-token-spike", &lines("invocations.json", &recs));
}

#[test]
fn model_access_enabled() {
    let s = session("llm-tester", "x", "ASIA6FTSFH98XNF7DFZB");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &s,
        "bedrock.amazonaws.com",
        "PutUseCaseForModelAccess",
        EVIL,
    );
    fires("model-access-enabled", &tr.store());
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &s,
        "bedrock.amazonaws.com",
        "GetUseCaseForModelAccess",
        EVIL,
    );
    silent("model-access-enabled", &tr.store());
}

#[test]
fn model_access_then_invoke() {
    let s = session("llm-tester", "x", "ASIA6FTSFH98XNF7DFZB");
    let admin = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |enabler: &Who, invoke_at: Nanos| {
        let mut tr = Trail::new();
        tr.call(
            day1(),
            enabler,
            "bedrock.amazonaws.com",
            "PutUseCaseForModelAccess",
            EVIL,
        );
        tr.add(
            Call::new(
                day1() + SEC,
                enabler,
                "bedrock.amazonaws.com",
                "CreateFoundationModelAgreement",
                EVIL,
                UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
        tr.add(
            Call::new(
                invoke_at,
                &s,
                "bedrock.amazonaws.com",
                "InvokeModel",
                EVIL,
                UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
        tr.store()
    };
    let f = fires("model-access-then-invoke", &build(&s, day1() + 94 * SEC));
    assert_eq!(f[0].events_total, 3);
    assert!(
        f[0].explanation.starts_with("2 events (CreateFoundationModelAgreement, PutUseCaseForModelAccess) then 1 InvokeModel by token ASIA6FTSFH98XNF7DFZB (arn:aws:sts::111122223333:assumed-role/llm-tester/x) within 1m 34s"),
        "{}",
        f[0].explanation
    );
    // An admin enables the model, an application uses it; or the same session invokes it the next day.
    silent(
        "model-access-then-invoke",
        &build(&admin, day1() + 94 * SEC),
    );
    silent("model-access-then-invoke", &build(&s, day1() + 26 * HOUR));
}

#[test]
fn ai_platform_limits_loosened() {
    let admin = json!({"type": "session", "session": {"user": {"id": "user-1", "email": "mallory@acme.example"}, "ip_address": EVIL}});
    fires(
        "ai-platform-limits-loosened",
        &lines(
            "audit.json",
            &[openai(day1(), "ip_allowlist.deleted", admin.clone())],
        ),
    );
    silent(
        "ai-platform-limits-loosened",
        &lines(
            "audit.json",
            &[openai(day1(), "ip_allowlist.created", admin)],
        ),
    );
    let actor = json!({"type": "api_actor", "api_key_id": "apikey_01HACMECIADMIN7K"});
    fires(
        "ai-platform-limits-loosened",
        &mapped_lines(
            "activity.jsonl",
            &[anthropic(
                day1(),
                "org_ip_restriction_deleted",
                actor.clone(),
            )],
        ),
    );
    silent(
        "ai-platform-limits-loosened",
        &mapped_lines(
            "activity.jsonl",
            &[anthropic(day1(), "org_ip_restriction_created", actor)],
        ),
    );
}

#[test]
fn custom_model_new_caller() {
    let custom = format!(
        "arn:aws:bedrock:us-east-1:{ACCT}:custom-model/amazon.titan-text-express-v1:0:8k/abc123"
    );
    let app = session("support-bot", "prod-1", "ASIAQ3EGRZTSUPPORT01");
    let build = |second: &Who, model: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(
                day1(),
                &app,
                "bedrock.amazonaws.com",
                "InvokeModel",
                "10.0.0.5",
                UA,
            )
            .params(json!({"modelId": custom})),
        );
        tr.add(
            Call::new(
                day1() + 30 * HOUR,
                second,
                "bedrock.amazonaws.com",
                "InvokeModel",
                EVIL,
                UA,
            )
            .params(json!({"modelId": model})),
        );
        tr.store()
    };
    let thief = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let f = fires("custom-model-new-caller", &build(&thief, &custom));
    assert_eq!(
        f[0].entities[0],
        Entity::new(EntityKind::Asset, custom.clone())
    );
    silent(
        "custom-model-new-caller",
        &build(
            &session("support-bot", "prod-2", "ASIAQ3EGRZTSUPPORT02"),
            &custom,
        ),
    );
    silent(
        "custom-model-new-caller",
        &build(&thief, "anthropic.claude-3-haiku-20240307-v1:0"),
    );
}

// ================================ integrity ================================

fn put_object<'a>(at: Nanos, who: &'a Who, bucket: &str, key: &str) -> Call<'a> {
    let (p, r) = s3_object(ACCT, bucket, key);
    Call::new(at, who, "s3.amazonaws.com", "PutObject", "10.0.2.2", "Boto3/1.34.69")
        .params(p)
        .resources(r)
        .data()
        .extra(json!({"bytesTransferredIn": 1_000_000, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader"}))
}

#[test]
fn training_data_new_writer() {
    let etl = session("etl", "nightly-1", "ASIAQ3EGRZTETL000001");
    let build = |second: &Who, bucket: &str, key: &str| {
        let mut tr = Trail::new();
        tr.add(put_object(
            day1(),
            &etl,
            "acme-training-data",
            "corpus/shard-0001.parquet",
        ));
        tr.add(put_object(day1() + 30 * HOUR, second, bucket, key));
        tr.store()
    };
    let thief = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let f = fires(
        "training-data-new-writer",
        &build(&thief, "acme-training-data", "corpus/shard-0999.parquet"),
    );
    assert!(f[0].explanation.starts_with("location acme-training-data/corpus: 1 PutObject by new role arn:aws:iam::111122223333:role/ml-model-registry-reader"), "{}", f[0].explanation);
    silent(
        "training-data-new-writer",
        &build(
            &session("etl", "nightly-2", "ASIAQ3EGRZTETL000002"),
            "acme-training-data",
            "corpus/shard-0002.parquet",
        ),
    );
    silent(
        "training-data-new-writer",
        &build(&thief, "acme-app-logs", "2026/10/04/app.log"),
    );
}

#[test]
fn vertex_dataset_import_new_caller() {
    let ds = "projects/acme-ml/locations/us-central1/datasets/4711";
    let m = "google.cloud.aiplatform.v1.DatasetService.ImportData";
    let pipeline = "pipeline@acme-ml.iam.gserviceaccount.com";
    let recs = |second: &str| {
        vec![
            gcp(
                day1(),
                pipeline,
                "aiplatform.googleapis.com",
                m,
                ds,
                "10.0.0.1",
            ),
            gcp(
                day1() + 30 * HOUR,
                second,
                "aiplatform.googleapis.com",
                m,
                ds,
                EVIL,
            ),
        ]
    };
    fires(
        "vertex-dataset-import-new-caller",
        &lines("a.json", &recs("mallory@acme.example")),
    );
    silent(
        "vertex-dataset-import-new-caller",
        &lines("a.json", &recs(pipeline)),
    );
}

#[test]
fn inference_service_changed_by_new_caller() {
    let ci = "system:serviceaccount:ci:deployer";
    let recs = |second: &str| {
        vec![
            k8s(
                day1(),
                ci,
                "patch",
                "inferenceservices",
                None,
                "serving",
                Some("llm-7b"),
            ),
            k8s(
                day1() + 30 * HOUR,
                second,
                "patch",
                "inferenceservices",
                None,
                "serving",
                Some("llm-7b"),
            ),
        ]
    };
    let f = fires(
        "inference-service-changed-by-new-caller",
        &lines("audit.log", &recs("mallory@acme.example")),
    );
    assert_eq!(
        f[0].entities[0],
        Entity::new(
            EntityKind::Asset,
            "serving.kserve.io/serving/inferenceservices/llm-7b"
        )
    );
    silent(
        "inference-service-changed-by-new-caller",
        &lines("audit.log", &recs(ci)),
    );
}

#[test]
fn model_storage_new_writer() {
    let ci = session("ml-deploy", "ci-run-4411", "ASIAQ3EGRZTCIDEPLOY1");
    let build = |second: &Who, key: &str| {
        let mut tr = Trail::new();
        tr.add(put_object(
            day1(),
            &ci,
            "acme-models",
            "llm-7b/checkpoint-20261003/model-00001-of-00004.safetensors",
        ));
        tr.add(put_object(day1() + 30 * HOUR, second, "acme-models", key));
        tr.store()
    };
    let thief = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    fires(
        "model-storage-new-writer",
        &build(
            &thief,
            "llm-7b/checkpoint-20261004/model-00001-of-00004.safetensors",
        ),
    );
    silent(
        "model-storage-new-writer",
        &build(
            &session("ml-deploy", "ci-run-4412", "ASIAQ3EGRZTCIDEPLOY2"),
            "llm-7b/checkpoint-20261004/model-00001-of-00004.safetensors",
        ),
    );
    silent(
        "model-storage-new-writer",
        &build(&thief, "llm-7b/README.md"),
    );
}

// ================================ anti-forensics ================================

#[test]
fn cloudtrail_tampering() {
    let exfil = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &exfil, "cloudtrail.amazonaws.com", name, EVIL, UA)
                .params(json!({"name": format!("arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-org-trail")}))
                .error("AccessDenied", "User is not authorized to perform: cloudtrail:StopLogging"),
        );
        tr.store()
    };
    let f = fires("cloudtrail-tampering", &build("StopLogging"));
    assert!(
        f[0].explanation.ends_with("; failed (AccessDenied)"),
        "denied attempts count: {}",
        f[0].explanation
    );
    silent("cloudtrail-tampering", &build("GetTrailStatus"));
}

#[test]
fn bedrock_logging_tampering() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.call(day1(), &alice, "bedrock.amazonaws.com", name, EVIL);
        tr.store()
    };
    fires(
        "bedrock-logging-tampering",
        &build("DeleteModelInvocationLoggingConfiguration"),
    );
    silent(
        "bedrock-logging-tampering",
        &build("GetModelInvocationLoggingConfiguration"),
    );
}

#[test]
fn aws_log_source_deleted() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &alice, "ec2.amazonaws.com", name, EVIL, UA)
                .params(json!({"flowLogIds": ["fl-1"]})),
        );
        tr.store()
    };
    fires("aws-log-source-deleted", &build("DeleteFlowLogs"));
    silent("aws-log-source-deleted", &build("DescribeFlowLogs"));
}

#[test]
fn gcp_logging_tampering() {
    let sink = "projects/acme-ml/sinks/audit-to-bucket";
    let rec = |m: &str| {
        gcp(
            day1(),
            "ci@acme-ml.iam.gserviceaccount.com",
            "logging.googleapis.com",
            m,
            sink,
            EVIL,
        )
    };
    fires(
        "gcp-logging-tampering",
        &lines(
            "a.json",
            &[rec("google.logging.v2.ConfigServiceV2.DeleteSink")],
        ),
    );
    silent(
        "gcp-logging-tampering",
        &lines(
            "a.json",
            &[rec("google.logging.v2.ConfigServiceV2.GetSink")],
        ),
    );
}

#[test]
fn azure_diagnostic_settings_deleted() {
    let r = "/subscriptions/0000/resourceGroups/ai/providers/Microsoft.CognitiveServices/accounts/acme-openai/providers/microsoft.insights/diagnosticSettings/to-la";
    fires(
        "azure-diagnostic-settings-deleted",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE",
                r,
                "mallory@acme.example",
            )],
        ),
    );
    silent(
        "azure-diagnostic-settings-deleted",
        &lines(
            "PT1H.json",
            &[azure(
                day1(),
                "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/READ",
                r,
                "alice@acme.example",
            )],
        ),
    );
}

// ================================ exposure ================================

#[test]
fn public_access_block_changed() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &alice, "s3.amazonaws.com", name, EVIL, UA)
                .params(json!({"bucketName": "acme-models"})),
        );
        tr.store()
    };
    let f = fires(
        "public-access-block-changed",
        &build("DeleteBucketPublicAccessBlock"),
    );
    assert!(
        f[0].explanation.contains(" on acme-models"),
        "{}",
        f[0].explanation
    );
    silent(
        "public-access-block-changed",
        &build("GetBucketPublicAccessBlock"),
    );
}

#[test]
fn storage_access_policy_changed() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &alice, "s3.amazonaws.com", name, EVIL, UA)
                .params(json!({"bucketName": "acme-models", "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*"}]}})),
        );
        tr.store()
    };
    fires("storage-access-policy-changed", &build("PutBucketPolicy"));
    silent("storage-access-policy-changed", &build("GetBucketPolicy"));
    let b = "projects/_/buckets/acme-models";
    let rec = |m: &str| {
        gcp(
            day1(),
            "mallory@acme.example",
            "storage.googleapis.com",
            m,
            b,
            EVIL,
        )
    };
    fires(
        "storage-access-policy-changed",
        &lines("a.json", &[rec("storage.setIamPermissions")]),
    );
    silent(
        "storage-access-policy-changed",
        &lines("a.json", &[rec("storage.getIamPermissions")]),
    );
}

// ================================ coverage ================================

/// Every shipped rule has a `fires` and a `silent` case in this file (or `run_with` for rules that need options).
#[test]
fn every_shipped_rule_is_tested_both_ways() {
    let src: String = include_str!("detect_rules.rs")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let pack = RulePack::builtin().unwrap();
    let mut missing = Vec::new();
    for r in pack.rules() {
        let q = format!("\"{}\"", r.id);
        let fire = src.contains(&format!("fires({q}")) || src.contains(&format!("run_with({q}"));
        let quiet = src.contains(&format!("silent({q}"));
        if !(fire && quiet) {
            missing.push(r.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "rules without a firing and a silent test: {missing:?}"
    );
}

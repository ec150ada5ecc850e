//! Where the keys leaked from: ACME's CI runs on Kubernetes. A poisoned build dependency runs in a runner pod, and
//! its service account reads the `ci` namespace's secrets (the AWS, GCP, Azure and OpenAI credentials of the CI),
//! then asks for a long-lived token for itself and uses it from outside the cluster, where it is denied
//! cluster-wide secrets. Around it: the runner's ordinary reads and the control plane's lease renewals.
//! Written as the API server's log backend writes it: one JSON line per stage (RequestReceived, ResponseComplete).

use std::path::Path;

use serde_json::{json, Value};

use super::{ATTACKER_IP, MIN, SEC};
use crate::rng::Rng;
use heist_core::util::time::{format_utc, Nanos};

pub const RUNNER_SA: &str = "system:serviceaccount:ci:build-runner";
/// The runner pod's projected token (bound to the pod).
pub const RUNNER_JTI: &str = "JTI=4b1f6f0e-2a8c-4f43-9d7e-6c1a0b9e5d21";
/// The token the attacker requested for the service account (TokenRequest), used from outside.
pub const MINTED_JTI: &str = "JTI=9e7d3c2b-1a0f-4e8d-b7c6-5a4f3e2d1c0b";
const POD_IP: &str = "10.42.0.17";
const RUNNER_POD: &str = "runner-7f9c4d-x2k8q";
const KUBECTL_UA: &str = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
const RUNNER_UA: &str = "gitlab-runner-helper/17.4.0 (linux/amd64)";
const KCM_UA: &str =
    "kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/a51b3b7/leader-election";
/// The CI secrets that held the cloud credentials.
pub const CI_SECRETS: [&str; 5] = [
    "aws-ci-deployer",
    "gcp-ci-publisher-key",
    "azure-ci-sp",
    "openai-admin-key",
    "anthropic-admin-key",
];

struct Req<'a> {
    at: Nanos,
    verb: &'a str,
    resource: &'a str,
    subresource: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    user: &'a str,
    jti: &'a str,
    ip: &'a str,
    ua: &'a str,
    code: u16,
}

fn stage(r: &Req<'_>, id: &str, stage: &str, annotations: Value) -> Value {
    let mut uri = match r.namespace {
        Some(ns) => format!("/api/v1/namespaces/{ns}/{}", r.resource),
        None => format!("/api/v1/{}", r.resource),
    };
    if let Some(n) = r.name {
        uri += &format!("/{n}");
    }
    if let Some(s) = r.subresource {
        uri += &format!("/{s}");
    }
    let mut object_ref = json!({"resource": r.resource, "apiVersion": "v1"});
    if let Some(ns) = r.namespace {
        object_ref["namespace"] = ns.into();
    }
    if let Some(n) = r.name {
        object_ref["name"] = n.into();
    }
    if let Some(s) = r.subresource {
        object_ref["subresource"] = s.into();
    }
    let sa = r.user.starts_with("system:serviceaccount:");
    let mut user = json!({"username": r.user, "groups": if sa {
        json!(["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"])
    } else {
        json!(["system:authenticated"])
    }});
    if sa {
        let mut extra = json!({"authentication.kubernetes.io/credential-id": [r.jti]});
        if r.jti == RUNNER_JTI {
            extra["authentication.kubernetes.io/pod-name"] = json!([RUNNER_POD]);
            extra["authentication.kubernetes.io/node-name"] = json!(["ip-10-0-3-7.ec2.internal"]);
        }
        user["extra"] = extra;
    }
    let mut v = json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": id,
        "stage": stage,
        "requestURI": uri,
        "verb": r.verb,
        "user": user,
        "sourceIPs": [r.ip],
        "userAgent": r.ua,
        "objectRef": object_ref,
        "requestReceivedTimestamp": format_utc_micros(r.at),
        "stageTimestamp": format_utc_micros(r.at + if stage == "ResponseComplete" { 4_000_000 } else { 0 }),
    });
    if stage == "ResponseComplete" {
        v["responseStatus"] = if r.code < 300 {
            json!({"metadata": {}, "code": r.code})
        } else {
            json!({"metadata": {}, "status": "Failure", "message": format!("{}s is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"\" at the cluster scope", r.resource, r.user, r.verb, r.resource), "reason": "Forbidden", "code": r.code})
        };
        v["annotations"] = annotations;
    }
    v
}

/// RFC 3339 with microseconds, as the API server writes it.
fn format_utc_micros(t: Nanos) -> String {
    let s = format_utc(t - t % 1000);
    if s.contains('.') {
        s
    } else {
        s.replace('Z', ".000000Z")
    }
}

/// Every audit line of the sample, time ordered, and how many requests (events) they make.
pub fn lines() -> (Vec<String>, usize) {
    let mut rng = Rng::new(0x6b85_a0d1);
    let mut reqs: Vec<Req<'_>> = Vec::new();
    // Control-plane noise: lease renewals every 10 minutes over the incident's hours.
    let day = super::t("2026-10-05T01:00:00Z");
    for i in 0..30 {
        reqs.push(Req {
            at: day + i * 10 * MIN + 3 * SEC,
            verb: "update",
            resource: "leases",
            subresource: None,
            namespace: Some("kube-system"),
            name: Some("kube-controller-manager"),
            user: "system:kube-controller-manager",
            jti: "",
            ip: "10.0.3.7",
            ua: KCM_UA,
            code: 200,
        });
    }
    // The runner's ordinary build step: its own config map.
    let build = super::t("2026-10-05T01:44:10Z");
    reqs.push(Req {
        at: build,
        verb: "get",
        resource: "configmaps",
        subresource: None,
        namespace: Some("ci"),
        name: Some("build-cache-config"),
        user: RUNNER_SA,
        jti: RUNNER_JTI,
        ip: POD_IP,
        ua: RUNNER_UA,
        code: 200,
    });
    // The poisoned dependency: list, then read every CI secret.
    let a = super::t("2026-10-05T01:47:31Z");
    reqs.push(Req {
        at: a,
        verb: "list",
        resource: "secrets",
        subresource: None,
        namespace: Some("ci"),
        name: None,
        user: RUNNER_SA,
        jti: RUNNER_JTI,
        ip: POD_IP,
        ua: KUBECTL_UA,
        code: 200,
    });
    for (i, s) in CI_SECRETS.iter().enumerate() {
        reqs.push(Req {
            at: a + (20 + 9 * i as Nanos) * SEC,
            verb: "get",
            resource: "secrets",
            subresource: None,
            namespace: Some("ci"),
            name: Some(s),
            user: RUNNER_SA,
            jti: RUNNER_JTI,
            ip: POD_IP,
            ua: KUBECTL_UA,
            code: 200,
        });
    }
    // Persistence: a token for the service account that outlives the pod.
    let mint_at = a + 3 * MIN;
    reqs.push(Req {
        at: mint_at,
        verb: "create",
        resource: "serviceaccounts",
        subresource: Some("token"),
        namespace: Some("ci"),
        name: Some("build-runner"),
        user: RUNNER_SA,
        jti: RUNNER_JTI,
        ip: POD_IP,
        ua: KUBECTL_UA,
        code: 201,
    });
    // The minted token, from the attacker's own machine: cluster-wide secrets are denied.
    let out = super::t("2026-10-05T02:05:12Z");
    reqs.push(Req {
        at: out,
        verb: "list",
        resource: "secrets",
        subresource: None,
        namespace: None,
        name: None,
        user: RUNNER_SA,
        jti: MINTED_JTI,
        ip: ATTACKER_IP,
        ua: KUBECTL_UA,
        code: 403,
    });
    reqs.push(Req {
        at: out + 14 * SEC,
        verb: "get",
        resource: "secrets",
        subresource: None,
        namespace: Some("ci"),
        name: Some("aws-ci-deployer"),
        user: RUNNER_SA,
        jti: MINTED_JTI,
        ip: ATTACKER_IP,
        ua: KUBECTL_UA,
        code: 200,
    });
    reqs.sort_by_key(|r| r.at);

    let mut lines = Vec::new();
    for r in &reqs {
        let id = rng.uuid();
        let decision = if r.code < 300 { "allow" } else { "forbid" };
        let mut ann = json!({"authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": if r.code < 300 {
            "RBAC: allowed by RoleBinding \"ci-runner/ci\" of Role \"ci-runner\" to ServiceAccount \"build-runner/ci\"".to_string()
        } else { String::new() }});
        if r.subresource == Some("token") {
            ann["authentication.kubernetes.io/issued-credential-id"] = MINTED_JTI.into();
        }
        // Reads are logged at two stages; the control plane's updates only when complete.
        if r.user == RUNNER_SA {
            lines.push(stage(r, &id, "RequestReceived", Value::Null).to_string());
        }
        lines.push(stage(r, &id, "ResponseComplete", ann).to_string());
    }
    (lines, reqs.len())
}

/// `k8s/ci-cluster/kube-apiserver-audit.log`, as exported from the control plane.
pub fn write(dir: &Path) -> std::io::Result<usize> {
    let (lines, events) = lines();
    let folder = dir.join("k8s/ci-cluster");
    std::fs::create_dir_all(&folder)?;
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(folder.join("kube-apiserver-audit.log"), body)?;
    Ok(events)
}

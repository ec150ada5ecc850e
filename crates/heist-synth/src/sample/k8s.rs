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
pub(crate) const RUNNER_POD: &str = "runner-7f9c4d-x2k8q";
pub(crate) const KUBECTL_UA: &str = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
pub(crate) const RUNNER_UA: &str = "gitlab-runner-helper/17.4.0 (linux/amd64)";
pub(crate) const KCM_UA: &str =
    "kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/a51b3b7/leader-election";
/// The CI secrets that held the cloud credentials.
pub const CI_SECRETS: [&str; 5] = [
    "aws-ci-deployer",
    "gcp-ci-publisher-key",
    "azure-ci-sp",
    "openai-admin-key",
    "anthropic-admin-key",
];

/// One API request, logged at one or two stages.
pub(crate) struct Req {
    pub at: Nanos,
    pub verb: &'static str,
    /// API group and version (`None`: the core group, `v1`).
    pub group: Option<(&'static str, &'static str)>,
    pub resource: &'static str,
    pub subresource: Option<&'static str>,
    pub namespace: Option<&'static str>,
    pub name: Option<String>,
    pub user: String,
    pub groups: Vec<&'static str>,
    /// The token's credential id (empty for certificates of the control plane).
    pub jti: String,
    /// The pod and node a projected token is bound to.
    pub pod: Option<(String, String)>,
    pub ip: String,
    pub ua: &'static str,
    pub code: u16,
    /// What RBAC says when it allows the request.
    pub reason: String,
    /// Logged at RequestReceived as well as ResponseComplete.
    pub two_stages: bool,
}

impl Req {
    /// A request by the CI's build-runner service account (the other fields are set on the value).
    #[allow(clippy::too_many_arguments)]
    pub fn runner(
        at: Nanos,
        verb: &'static str,
        resource: &'static str,
        name: Option<&str>,
        jti: &str,
        pod: Option<(String, String)>,
        ip: &str,
        ua: &'static str,
    ) -> Req {
        Req {
            at,
            verb,
            group: None,
            resource,
            subresource: None,
            namespace: Some("ci"),
            name: name.map(str::to_string),
            user: RUNNER_SA.into(),
            groups: vec![
                "system:serviceaccounts",
                "system:serviceaccounts:ci",
                "system:authenticated",
            ],
            jti: jti.into(),
            pod,
            ip: ip.into(),
            ua,
            code: 200,
            reason: RUNNER_REASON.into(),
            two_stages: true,
        }
    }
}

const RUNNER_REASON: &str =
    "RBAC: allowed by RoleBinding \"ci-runner/ci\" of Role \"ci-runner\" to ServiceAccount \"build-runner/ci\"";
pub(crate) const DEPLOYER_REASON: &str = "RBAC: allowed by RoleBinding \"ci-deployer/ml-serving\" of ClusterRole \"kserve-deployer\" to ServiceAccount \"build-runner/ci\"";

fn stage(r: &Req, id: &str, stage: &str, annotations: Value) -> Value {
    let api = match r.group {
        Some((g, v)) => format!("/apis/{g}/{v}"),
        None => "/api/v1".to_string(),
    };
    let mut uri = match r.namespace {
        Some(ns) => format!("{api}/namespaces/{ns}/{}", r.resource),
        None => format!("{api}/{}", r.resource),
    };
    if let Some(n) = &r.name {
        uri += &format!("/{n}");
    }
    if let Some(s) = r.subresource {
        uri += &format!("/{s}");
    }
    let mut object_ref =
        json!({"resource": r.resource, "apiVersion": r.group.map_or("v1", |g| g.1)});
    if let Some((g, _)) = r.group {
        object_ref["apiGroup"] = g.into();
    }
    if let Some(ns) = r.namespace {
        object_ref["namespace"] = ns.into();
    }
    if let Some(n) = &r.name {
        object_ref["name"] = n.as_str().into();
    }
    if let Some(s) = r.subresource {
        object_ref["subresource"] = s.into();
    }
    let mut user = json!({"username": r.user, "groups": r.groups});
    if !r.jti.is_empty() {
        let mut extra = json!({"authentication.kubernetes.io/credential-id": [r.jti]});
        if let Some((pod, node)) = &r.pod {
            extra["authentication.kubernetes.io/pod-name"] = json!([pod]);
            extra["authentication.kubernetes.io/node-name"] = json!([node]);
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
    let (lines, n) = timed_lines();
    (lines.into_iter().map(|(_, l)| l).collect(), n)
}

fn pod_of_runner() -> Option<(String, String)> {
    Some((RUNNER_POD.into(), "ip-10-0-3-7.ec2.internal".into()))
}

/// The audit lines with their request times.
fn timed_lines() -> (Vec<(Nanos, String)>, usize) {
    let mut rng = Rng::new(0x6b85_a0d1);
    let mut reqs = super::routine::k8s::requests();
    // The runner's ordinary build step: its own config map.
    let build = super::t("2026-10-05T01:44:10Z");
    reqs.push(Req::runner(
        build,
        "get",
        "configmaps",
        Some("build-cache-config"),
        RUNNER_JTI,
        pod_of_runner(),
        POD_IP,
        RUNNER_UA,
    ));
    // The poisoned dependency: list, then read every CI secret.
    let a = super::t("2026-10-05T01:47:31Z");
    reqs.push(Req::runner(
        a,
        "list",
        "secrets",
        None,
        RUNNER_JTI,
        pod_of_runner(),
        POD_IP,
        KUBECTL_UA,
    ));
    for (i, s) in CI_SECRETS.iter().enumerate() {
        reqs.push(Req::runner(
            a + (20 + 9 * i as Nanos) * SEC,
            "get",
            "secrets",
            Some(s),
            RUNNER_JTI,
            pod_of_runner(),
            POD_IP,
            KUBECTL_UA,
        ));
    }
    // Persistence: a token for the service account that outlives the pod.
    let mut mint = Req::runner(
        a + 3 * MIN,
        "create",
        "serviceaccounts",
        Some("build-runner"),
        RUNNER_JTI,
        pod_of_runner(),
        POD_IP,
        KUBECTL_UA,
    );
    mint.subresource = Some("token");
    mint.code = 201;
    reqs.push(mint);
    // The minted token, from the attacker's own machine: cluster-wide secrets are denied.
    let out = super::t("2026-10-05T02:05:12Z");
    let mut list = Req::runner(
        out,
        "list",
        "secrets",
        None,
        MINTED_JTI,
        None,
        ATTACKER_IP,
        KUBECTL_UA,
    );
    list.namespace = None;
    list.code = 403;
    reqs.push(list);
    reqs.push(Req::runner(
        out + 14 * SEC,
        "get",
        "secrets",
        Some("aws-ci-deployer"),
        MINTED_JTI,
        None,
        ATTACKER_IP,
        KUBECTL_UA,
    ));
    // ... and the served model is pointed elsewhere: a patch of the KServe InferenceService the nightly deploy owns.
    let mut patch = Req::runner(
        super::t("2026-10-05T02:09:48Z"),
        "patch",
        "inferenceservices",
        Some("llm-7b"),
        MINTED_JTI,
        None,
        ATTACKER_IP,
        KUBECTL_UA,
    );
    patch.group = Some(("serving.kserve.io", "v1beta1"));
    patch.namespace = Some("ml-serving");
    patch.reason = DEPLOYER_REASON.into();
    reqs.push(patch);
    reqs.sort_by_key(|r| r.at);

    let mut lines = Vec::new();
    for r in &reqs {
        let id = rng.uuid();
        let decision = if r.code < 300 { "allow" } else { "forbid" };
        let mut ann = json!({"authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": if r.code < 300 {
            r.reason.clone()
        } else { String::new() }});
        if r.subresource == Some("token") {
            ann["authentication.kubernetes.io/issued-credential-id"] = MINTED_JTI.into();
        }
        // The build runner's requests are logged at two stages; the rest only when complete.
        if r.two_stages {
            lines.push((
                r.at,
                stage(r, &id, "RequestReceived", Value::Null).to_string(),
            ));
        }
        lines.push((r.at, stage(r, &id, "ResponseComplete", ann).to_string()));
    }
    (lines, reqs.len())
}

/// How many requests were logged at two stages (loading merges each pair into one event).
pub fn two_stage_requests() -> usize {
    let (lines, n) = timed_lines();
    lines.len() - n
}

/// `k8s/ci-cluster/`, as exported from the control plane: the live `kube-apiserver-audit.log` (the day of the
/// theft) and the daily rotated, compressed backups before it.
pub fn write(dir: &Path) -> std::io::Result<usize> {
    let (lines, events) = timed_lines();
    let folder = dir.join("k8s/ci-cluster");
    std::fs::create_dir_all(&folder)?;
    let today = super::t("2026-10-05T00:00:00Z");
    let mut by_day: std::collections::BTreeMap<i64, String> = Default::default();
    for (t, l) in &lines {
        let day = if *t >= today {
            today
        } else {
            t - t.rem_euclid(24 * 60 * MIN)
        };
        by_day.entry(day).or_default().push_str(&format!("{l}\n"));
    }
    for (day, body) in &by_day {
        if *day == today {
            std::fs::write(folder.join("kube-apiserver-audit.log"), body)?;
        } else {
            let rotated = chrono::DateTime::from_timestamp_nanos(day + 24 * 60 * MIN);
            let name = format!(
                "kube-apiserver-audit-{}.log.gz",
                rotated.format("%Y-%m-%dT%H-%M-%S%.3f")
            );
            crate::write_gz(&folder.join(name), body.as_bytes())?;
        }
    }
    Ok(events)
}

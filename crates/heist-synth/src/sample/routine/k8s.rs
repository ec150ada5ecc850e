//! The CI cluster's ordinary fortnight: the controller manager renewing its lease, GitLab's runner manager creating
//! a pod (and its registry secret) for every build, each build pod reading its config with its own projected token
//! and the nightly one rolling the new checkpoint out to the KServe InferenceService, and two engineers' kubectl.

use super::cast::{OFFICE2_IP, VPN_IP};
use super::{days, HOUR};
use crate::rng::Rng;
use crate::sample::k8s::{Req, DEPLOYER_REASON, KCM_UA, KUBECTL_UA, RUNNER_POD, RUNNER_UA};
use crate::sample::{t, MIN, OFFICE_IP, SEC};
use heist_core::util::time::Nanos;

const MANAGER_SA: &str = "system:serviceaccount:ci:gitlab-runner";
const MANAGER_JTI: &str = "JTI=2d6e8a41-7c3b-4f09-a5e2-9b1d0c7f3e68";
const MANAGER_UA: &str = "gitlab-runner 17.4.0 (17-4-stable; go1.22.7; linux/amd64)";
const MANAGER_REASON: &str = "RBAC: allowed by RoleBinding \"gitlab-runner/ci\" of Role \"gitlab-runner\" to ServiceAccount \"gitlab-runner/ci\"";

fn control_plane(at: Nanos) -> Req {
    Req {
        at,
        verb: "update",
        group: Some(("coordination.k8s.io", "v1")),
        resource: "leases",
        subresource: None,
        namespace: Some("kube-system"),
        name: Some("kube-controller-manager".into()),
        user: "system:kube-controller-manager".into(),
        groups: vec!["system:authenticated"],
        jti: String::new(),
        pod: None,
        ip: "10.0.3.7".into(),
        ua: KCM_UA,
        code: 200,
        reason: "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\"".into(),
        two_stages: false,
    }
}

fn manager(at: Nanos, verb: &'static str, resource: &'static str, name: &str) -> Req {
    let mut r = Req::runner(
        at,
        verb,
        resource,
        Some(name),
        MANAGER_JTI,
        Some((
            "gitlab-runner-6d8f7b9c5-tq4mz".into(),
            "ip-10-0-3-7.ec2.internal".into(),
        )),
        "10.42.0.5",
        RUNNER_UA,
    );
    r.user = MANAGER_SA.into();
    r.ua = MANAGER_UA;
    r.reason = MANAGER_REASON.into();
    r.two_stages = false;
    r.code = if verb == "create" { 201 } else { 200 };
    r
}

fn engineer(
    at: Nanos,
    who: &str,
    ip: &str,
    verb: &'static str,
    resource: &'static str,
    name: Option<&str>,
) -> Req {
    let mut r = Req::runner(at, verb, resource, name, "", None, ip, KUBECTL_UA);
    r.user = format!("oidc:{who}@acme.example");
    r.groups = vec!["oidc:ml-platform", "system:authenticated"];
    r.namespace = Some("ml-serving");
    r.reason = "RBAC: allowed by ClusterRoleBinding \"ml-platform-view\" of ClusterRole \"view\" to Group \"oidc:ml-platform\"".into();
    r.two_stages = false;
    if resource == "inferenceservices" {
        r.group = Some(("serving.kserve.io", "v1beta1"));
    }
    r
}

/// One build: the manager makes the pod, the pod reads its config (and, at night, rolls the model out), the
/// manager cleans up.
fn build(out: &mut Vec<Req>, rng: &mut Rng, at: Nanos, pod: &str, deploy: bool) {
    let secret = format!("{pod}-registry");
    out.push(manager(at, "create", "secrets", &secret));
    out.push(manager(at + 2 * SEC, "create", "pods", pod));
    let jti = format!("JTI={}", rng.uuid());
    let node = format!("ip-10-0-3-{}.ec2.internal", 7 + rng.below(4));
    let ip = format!("10.42.{}.{}", rng.below(3), 10 + rng.below(200));
    let bound = || Some((pod.to_string(), node.clone()));
    out.push(Req::runner(
        at + 25 * SEC,
        "get",
        "configmaps",
        Some("build-cache-config"),
        &jti,
        bound(),
        &ip,
        RUNNER_UA,
    ));
    if deploy {
        let mut p = Req::runner(
            at + 4 * MIN,
            "patch",
            "inferenceservices",
            Some("llm-7b"),
            &jti,
            bound(),
            &ip,
            KUBECTL_UA,
        );
        p.group = Some(("serving.kserve.io", "v1beta1"));
        p.namespace = Some("ml-serving");
        p.reason = DEPLOYER_REASON.into();
        out.push(p);
    }
    let done = at + 6 * MIN + (rng.below(120) as Nanos) * SEC;
    out.push(manager(done, "delete", "pods", pod));
    out.push(manager(done + SEC, "delete", "secrets", &secret));
}

fn pod_name(rng: &mut Rng) -> String {
    format!(
        "runner-{:06x}-{}",
        rng.below(0xff_ffff),
        rng.upper_alnum(5).to_ascii_lowercase()
    )
}

/// The routine requests, unordered.
pub(crate) fn requests() -> Vec<Req> {
    let mut rng = Rng::new(0x6b85_0e11);
    let mut out = Vec::new();
    let end = t(super::END);
    let mut at = t(super::START) + 20 * MIN + 3 * SEC;
    while at < end {
        out.push(control_plane(at));
        at += 30 * MIN;
    }
    for day in days() {
        if !day.weekend {
            for _ in 0..2 + rng.below(3) {
                let at = day.start + 9 * HOUR + (rng.below(9 * 3600) as Nanos) * SEC;
                let pod = pod_name(&mut rng);
                build(&mut out, &mut rng, at, &pod, false);
            }
            for (who, ip) in [
                ("kenji.mori", OFFICE_IP),
                ("chen.wei", VPN_IP),
                ("kavya.rao", OFFICE2_IP),
            ] {
                let mut at = day.start + 9 * HOUR + (rng.below(6 * 3600) as Nanos) * SEC;
                for _ in 0..2 + rng.below(5) {
                    let (verb, resource, name) = match rng.below(4) {
                        0 => ("get", "inferenceservices", Some("llm-7b")),
                        1 => (
                            "get",
                            "pods",
                            Some("llm-7b-predictor-00042-deployment-5c9f8d7b6-8xk2p"),
                        ),
                        _ => ("list", "pods", None),
                    };
                    let mut r = engineer(at, who, ip, verb, resource, name);
                    if resource == "pods" && name.is_some() && rng.below(2) == 0 {
                        r.subresource = Some("log");
                    }
                    out.push(r);
                    at += (20 + rng.below(600) as Nanos) * SEC;
                }
            }
        }
        // The nightly build rolls the day's checkpoint out (after the upload at 23:10).
        let pod = pod_name(&mut rng);
        build(
            &mut out,
            &mut rng,
            day.start + 23 * HOUR + 5 * MIN,
            &pod,
            true,
        );
    }
    // The scheduled dependency-update build whose pod the poisoned package runs in.
    let mut incident = Vec::new();
    build(
        &mut incident,
        &mut rng,
        t("2026-10-05T01:43:46Z"),
        RUNNER_POD,
        false,
    );
    // Its own reads are the story's (k8s.rs); keep only the manager's pod and secret, cleaned up when the job ends.
    for mut r in incident.into_iter().filter(|r| r.user == MANAGER_SA) {
        if r.verb == "delete" {
            r.at = t("2026-10-05T01:58:10Z") + if r.resource == "secrets" { SEC } else { 0 };
        }
        out.push(r);
    }
    out.retain(|r| r.at < end);
    out
}

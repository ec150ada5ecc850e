//! The whole shipped pack over the public datasets in `../shared/datasets` (never copied here): real detonations
//! and real fixtures raise the rules written for them. The Stratus Red Team detonations are in `detect_stratus`.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use heist_core::detect::{detect_store, DetectOptions, Finding, RulePack};
use heist_core::frame::EventStore;

fn run(store: &EventStore) -> Vec<Finding> {
    detect_store(
        store,
        &RulePack::builtin().unwrap(),
        &DetectOptions::default(),
    )
    .unwrap()
}

fn rules_of(f: &[Finding]) -> BTreeSet<&str> {
    f.iter().map(|x| x.rule.as_str()).collect()
}

/// The rules that fire on one dataset file include `want`.
fn expect(d: &Path, rel: &str, want: &[&str]) -> Vec<Finding> {
    let s = crate::common::load_path(&d.join(rel));
    assert!(!s.is_empty(), "{rel} loaded no events");
    let f = run(&s);
    let got = rules_of(&f);
    for w in want {
        assert!(got.contains(w), "{rel}: expected {w}, got {got:?}");
    }
    f
}

#[test]
fn invictus_account_hour() {
    let Some(d) = real_data() else { return };
    // An hour of a real account with Stratus techniques run back to back: secrets harvested, discovery, a backdoor
    // key, CloudTrail tampered with, a snapshot shared out, a log source deleted, an administrator policy attached,
    // a role's trust opened, instance credentials used from the intruder's machine, ...
    expect(
        &d,
        "invictus-aws-dataset/CloudTrail",
        &[
            "secrets-bulk-retrieval",
            "discovery-burst",
            "credential-for-another-user",
            "cloudtrail-tampering",
            "cross-account-share",
            "aws-log-source-deleted",
            "iam-admin-policy-granted",
            "role-trust-opened",
            "instance-credentials-used-elsewhere",
            "organization-left",
            "lambda-invocable-by-anyone",
            "roles-anywhere-trust-anchor",
            "console-login-without-mfa",
            "security-group-open-to-the-internet",
            "ec2-user-data-read",
            "ec2-password-data-read",
            "gpu-instances-launched",
            "ssm-command-sent",
        ],
    );
}

#[test]
fn panther_fixtures() {
    let Some(d) = real_data() else { return };
    expect(
        &d,
        "panther-analysis/Azure_MonitorActivity.jsonl",
        &[
            "azure-keys-listed",
            "azure-keys-regenerated",
            "azure-diagnostic-settings-deleted",
        ],
    );
    expect(
        &d,
        "panther-analysis/Azure_Audit.jsonl",
        &["entra-service-principal-credential"],
    );
    expect(
        &d,
        "panther-analysis/GCP_AuditLog.jsonl",
        &[
            "gcp-logging-tampering",
            "gcp-sa-token-generated-by-service-account",
            "storage-access-policy-changed",
        ],
    );
    expect(
        &d,
        "panther-analysis/AWS_CloudTrail.jsonl",
        &[
            "cloudtrail-tampering",
            "bedrock-logging-tampering",
            "public-access-block-changed",
            "cross-account-share",
            "credential-for-another-user",
            "aws-log-source-deleted",
            "iam-admin-policy-granted",
            "role-trust-opened",
            "organization-left",
            "console-login-without-mfa",
            "security-group-open-to-the-internet",
            "ec2-user-data-modified",
            "ec2-ssh-key-pushed",
            "ssm-command-sent",
        ],
    );
    expect(
        &d,
        "panther-analysis/OpenAI_Audit.jsonl",
        &[
            "ai-platform-key-created-by-key",
            "ai-platform-limits-loosened",
        ],
    );
}

#[test]
fn elastic_fixtures() {
    let Some(d) = real_data() else { return };
    let f = expect(
        &d,
        "elastic-integrations/azure_openai__test-open-ai-audit.log",
        &["azure-keys-listed"],
    );
    assert!(f[0].explanation.contains("ListKey"), "{}", f[0].explanation);
    expect(
        &d,
        "elastic-integrations/gcp_audit__test-iamcredentials-googleapis-com.log",
        &["gcp-sa-token-generated-by-service-account"],
    );
}

/// An Entra audit record whose action ends in a space ("Create application – Certificates and secrets management ")
/// is a credential added to an application: the high-severity rule fires on it, on that one event.
#[test]
fn entra_action_with_a_trailing_space_still_matches() {
    let Some(d) = real_data() else { return };
    let f = expect(
        &d,
        "sekoia-intake-formats/Microsoft__microsoft-entraid-graphapi.jsonl",
        &["entra-service-principal-credential"],
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].events_total, 1);
}

/// Ordinary activity in real logs (a GCP test project's VM and IAM work, a Kubernetes RBAC demo full of 403s,
/// parser fixtures of VM and disk operations and sign-ins, console edits of an instance's user data by a root
/// session with MFA) raises nothing but what the fixtures hold on purpose: the credential addition above, and one
/// root console sign-in that used no MFA (the SSO sign-in beside it did, through its SAML provider).
#[test]
fn quiet_on_ordinary_real_activity() {
    let Some(d) = real_data() else { return };
    for rel in [
        "dftimewolf",
        "audit2rbac",
        "plaso-test-data",
        "sekoia-intake-formats",
    ] {
        let s = crate::common::load_path(&d.join(rel));
        assert!(s.len() > 10, "{rel}: {} events", s.len());
        let (meant, f): (Vec<_>, Vec<_>) = run(&s).into_iter().partition(|f| {
            f.rule == "entra-service-principal-credential"
                || (f.rule == "console-login-without-mfa"
                    && f.entities[0].name == "arn:aws:iam::1111111111:root")
        });
        assert!(
            f.is_empty(),
            "{rel}: {:#?}",
            f.iter()
                .map(|x| (&x.rule, &x.explanation))
                .collect::<Vec<_>>()
        );
        if rel == "sekoia-intake-formats" {
            assert_eq!(
                rules_of(&meant),
                [
                    "console-login-without-mfa",
                    "entra-service-principal-credential"
                ]
                .into_iter()
                .collect()
            );
        }
    }
}

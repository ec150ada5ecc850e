//! The whole shipped pack over the public datasets in `../shared/datasets` (never copied here): real detonations
//! and real fixtures raise the rules written for them.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use heist_core::detect::{detect, DetectOptions, Finding, RulePack};
use heist_core::frame::EventStore;
use heist_core::ingest::{load, LoadOptions, Progress};

fn load_path(p: &Path) -> EventStore {
    load(
        &[p.to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap()
}

fn run(store: &EventStore) -> Vec<Finding> {
    detect(
        &store.frame,
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
    let s = load_path(&d.join(rel));
    assert!(!s.is_empty(), "{rel} loaded no events");
    let f = run(&s);
    let got = rules_of(&f);
    for w in want {
        assert!(got.contains(w), "{rel}: expected {w}, got {got:?}");
    }
    f
}

#[test]
fn stratus_bedrock_llmjacking() {
    let Some(d) = real_data() else { return };
    let f = expect(
        &d,
        "stratus-red-team/aws.impact.bedrock-invoke-model.json",
        &[
            "model-access-enabled",
            "model-access-then-invoke",
            "bedrock-discovery-burst",
        ],
    );
    let seq = f
        .iter()
        .find(|x| x.rule == "model-access-then-invoke")
        .unwrap();
    assert_eq!(seq.entities[0].name, "ASIA6FTSFH98XNF7DFZB");
}

#[test]
fn stratus_anti_forensics() {
    let Some(d) = real_data() else { return };
    for rel in [
        "stratus-red-team/aws.defense-evasion.cloudtrail-stop.json",
        "stratus-red-team/aws.defense-evasion.cloudtrail-delete.json",
        "stratus-red-team/aws.defense-evasion.cloudtrail-event-selectors.json",
    ] {
        expect(&d, rel, &["cloudtrail-tampering"]);
    }
    for rel in [
        "stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.json",
        "stratus-red-team/aws.defense-evasion.dns-delete-logs.json",
    ] {
        expect(&d, rel, &["aws-log-source-deleted"]);
    }
}

#[test]
fn stratus_persistence_and_exfiltration() {
    let Some(d) = real_data() else { return };
    expect(
        &d,
        "stratus-red-team/aws.persistence.iam-backdoor-user.json",
        &["credential-for-another-user"],
    );
    expect(
        &d,
        "stratus-red-team/aws.persistence.iam-create-user-login-profile.json",
        &["credential-for-another-user"],
    );
    expect(
        &d,
        "stratus-red-team/aws.persistence.iam-create-admin-user.json",
        &["credential-for-another-user"],
    );
    for rel in [
        "stratus-red-team/aws.exfiltration.ec2-share-ebs-snapshot.json",
        "stratus-red-team/aws.exfiltration.ec2-share-ami.json",
        "stratus-red-team/aws.exfiltration.rds-share-snapshot.json",
    ] {
        expect(&d, rel, &["cross-account-share"]);
    }
    for rel in [
        "stratus-red-team/aws.credential-access.secretsmanager-retrieve-secrets.json",
        "stratus-red-team/aws.credential-access.secretsmanager-batch-retrieve-secrets.json",
        "stratus-red-team/aws.credential-access.ssm-retrieve-securestring-parameters.json",
    ] {
        expect(&d, rel, &["secrets-bulk-retrieval"]);
    }
}

/// Every Stratus detonation together: each file's technique is still found, and nothing crosses files wrongly.
#[test]
fn stratus_all_detonations() {
    let Some(d) = real_data() else { return };
    let s = load_path(&d.join("stratus-red-team"));
    let f = run(&s);
    let got = rules_of(&f);
    for w in [
        "model-access-enabled",
        "model-access-then-invoke",
        "bedrock-discovery-burst",
        "cloudtrail-tampering",
        "aws-log-source-deleted",
        "credential-for-another-user",
        "cross-account-share",
        "secrets-bulk-retrieval",
    ] {
        assert!(got.contains(w), "expected {w}, got {got:?}");
    }
}

#[test]
fn invictus_account_hour() {
    let Some(d) = real_data() else { return };
    // An hour of a real account with Stratus techniques run back to back: secrets harvested, discovery, a backdoor
    // key, CloudTrail tampered with, a snapshot shared out, a log source deleted.
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
/// parser fixtures of VM and disk operations and sign-ins) raises nothing but the one credential addition above.
#[test]
fn quiet_on_ordinary_real_activity() {
    let Some(d) = real_data() else { return };
    for rel in [
        "dftimewolf",
        "audit2rbac",
        "plaso-test-data",
        "sekoia-intake-formats",
    ] {
        let s = load_path(&d.join(rel));
        assert!(s.len() > 10, "{rel}: {} events", s.len());
        let f: Vec<_> = run(&s)
            .into_iter()
            .filter(|f| f.rule != "entra-service-principal-credential")
            .collect();
        assert!(
            f.is_empty(),
            "{rel}: {:#?}",
            f.iter()
                .map(|x| (&x.rule, &x.explanation))
                .collect::<Vec<_>>()
        );
    }
}

//! Stratus Red Team's 35 AWS detonations (`../shared/datasets/stratus-red-team`, real CloudTrail, anonymised), each
//! file loaded alone: exactly the rules of the table fire, and every event their findings name is one of the
//! technique's own calls (never the setup around it: the AssumeRole that fetched the attacker's session, the
//! polling of DescribeInstanceInformation). A technique no rule should flag would be listed with the reason; none
//! is: each detonation leaves at least one call that is not routine.

use crate::common;

use std::collections::BTreeSet;

use heist_core::detect::{detect_store, DetectOptions, Finding, RulePack};
use heist_core::frame::{Col, EventStore};

struct Technique {
    /// `aws.<tactic>.<technique>`: the file name without `.json`.
    id: &'static str,
    /// Exactly the rules that fire on the file alone.
    rules: &'static [&'static str],
    /// The technique's own calls: every event of every finding is one of these.
    calls: &'static [&'static str],
}

const fn t(
    id: &'static str,
    rules: &'static [&'static str],
    calls: &'static [&'static str],
) -> Technique {
    Technique { id, rules, calls }
}

const SECRETS: &[&str] = &["secrets-bulk-retrieval"];
const TRAIL: &[&str] = &["cloudtrail-tampering"];
const LOG_SOURCE: &[&str] = &["aws-log-source-deleted"];
const SHARE: &[&str] = &["cross-account-share"];
const OTHER_USER: &[&str] = &["credential-for-another-user"];
const SSH_KEY: &[&str] = &["ec2-ssh-key-pushed"];

const TABLE: &[Technique] = &[
    t(
        "aws.credential-access.ec2-get-password-data",
        &["ec2-password-data-read"],
        &["GetPasswordData"],
    ),
    t(
        "aws.credential-access.ec2-steal-instance-credentials",
        &["instance-credentials-used-elsewhere", "ssm-command-sent"],
        &["SendCommand", "GetCallerIdentity", "DescribeInstances"],
    ),
    t(
        "aws.credential-access.secretsmanager-batch-retrieve-secrets",
        SECRETS,
        &["BatchGetSecretValue"],
    ),
    t(
        "aws.credential-access.secretsmanager-retrieve-secrets",
        SECRETS,
        &["GetSecretValue"],
    ),
    t(
        "aws.credential-access.ssm-retrieve-securestring-parameters",
        SECRETS,
        &["GetParameters"],
    ),
    t(
        "aws.defense-evasion.cloudtrail-delete",
        TRAIL,
        &["DeleteTrail"],
    ),
    t(
        "aws.defense-evasion.cloudtrail-event-selectors",
        TRAIL,
        &["PutEventSelectors"],
    ),
    t(
        "aws.defense-evasion.cloudtrail-stop",
        TRAIL,
        &["StopLogging"],
    ),
    t(
        "aws.defense-evasion.dns-delete-logs",
        LOG_SOURCE,
        &["DeleteResolverQueryLogConfig"],
    ),
    t(
        "aws.defense-evasion.organizations-leave",
        &["organization-left"],
        &["LeaveOrganization"],
    ),
    t(
        "aws.defense-evasion.vpc-remove-flow-logs",
        LOG_SOURCE,
        &["DeleteFlowLogs"],
    ),
    t(
        "aws.discovery.ec2-download-user-data",
        &["ec2-user-data-read"],
        &["DescribeInstanceAttribute"],
    ),
    t(
        "aws.execution.ec2-launch-unusual-instances",
        &["gpu-instances-launched"],
        &["RunInstances"],
    ),
    t(
        "aws.execution.ec2-user-data",
        &["ec2-user-data-modified"],
        &["ModifyInstanceAttribute"],
    ),
    t(
        "aws.execution.ssm-send-command",
        &["ssm-command-sent"],
        &["SendCommand"],
    ),
    t(
        "aws.execution.ssm-start-session",
        &["ssm-session-started"],
        &["StartSession"],
    ),
    t(
        "aws.exfiltration.ec2-security-group-open-port-22-ingress",
        &["security-group-open-to-the-internet"],
        &["AuthorizeSecurityGroupIngress"],
    ),
    t(
        "aws.exfiltration.ec2-share-ami",
        SHARE,
        &["ModifyImageAttribute"],
    ),
    t(
        "aws.exfiltration.ec2-share-ebs-snapshot",
        SHARE,
        &["ModifySnapshotAttribute"],
    ),
    t(
        "aws.exfiltration.rds-share-snapshot",
        SHARE,
        &["ModifyDBSnapshotAttribute"],
    ),
    t(
        "aws.impact.bedrock-invoke-model",
        &[
            "bedrock-discovery-burst",
            "model-access-enabled",
            "model-access-then-invoke",
        ],
        &[
            "PutUseCaseForModelAccess",
            "CreateFoundationModelAgreement",
            "PutFoundationModelEntitlement",
            "InvokeModel",
            "GetFoundationModelAvailability",
            "ListFoundationModelAgreementOffers",
        ],
    ),
    t(
        "aws.initial-access.console-login-without-mfa",
        &["console-login-without-mfa"],
        &["ConsoleLogin"],
    ),
    t(
        "aws.lateral-movement.ec2-instance-connect",
        SSH_KEY,
        &["SendSSHPublicKey"],
    ),
    t(
        "aws.lateral-movement.ec2-serial-console-send-ssh-public-key",
        SSH_KEY,
        &["EnableSerialConsoleAccess", "SendSerialConsoleSSHPublicKey"],
    ),
    t(
        "aws.persistence.iam-backdoor-role",
        &["role-trust-opened"],
        &["UpdateAssumeRolePolicy"],
    ),
    t(
        "aws.persistence.iam-backdoor-user",
        OTHER_USER,
        &["CreateAccessKey"],
    ),
    t(
        "aws.persistence.iam-create-admin-user",
        &["credential-for-another-user", "iam-admin-policy-granted"],
        &["AttachUserPolicy", "CreateAccessKey"],
    ),
    t(
        "aws.persistence.iam-create-backdoor-role",
        &["iam-admin-policy-granted"],
        &["AttachRolePolicy"],
    ),
    t(
        "aws.persistence.iam-create-user-login-profile",
        OTHER_USER,
        &["CreateLoginProfile"],
    ),
    t(
        "aws.persistence.lambda-backdoor-function",
        &["lambda-invocable-by-anyone"],
        &["AddPermission20150331v2"],
    ),
    t(
        "aws.persistence.lambda-layer-extension",
        &["lambda-layer-attached"],
        &["UpdateFunctionConfiguration20150331v2"],
    ),
    t(
        "aws.persistence.lambda-overwrite-code",
        &["lambda-code-changed"],
        &["UpdateFunctionCode20150331v2"],
    ),
    t(
        "aws.persistence.rolesanywhere-create-trust-anchor",
        &["roles-anywhere-trust-anchor"],
        &["CreateTrustAnchor"],
    ),
    t(
        "aws.persistence.sts-federation-token",
        &["federation-token-created"],
        &["GetFederationToken"],
    ),
    t(
        "aws.privilege-escalation.iam-update-user-login-profile",
        OTHER_USER,
        &["UpdateLoginProfile"],
    ),
];

fn run(store: &EventStore) -> Vec<Finding> {
    detect_store(
        store,
        &RulePack::builtin().unwrap(),
        &DetectOptions::default(),
    )
    .unwrap()
}

/// The actions of the events a finding names.
fn actions(store: &EventStore, f: &Finding) -> BTreeSet<String> {
    let rows = f.rows(&store.frame).unwrap();
    let r = heist_core::frame::access::FrameReader::new(&store.frame).unwrap();
    rows.iter()
        .map(|&i| r.text(Col::Action, i).unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_stratus_detonation_is_flagged_by_its_own_calls() {
    let Some(d) = common::real_data() else { return };
    let dir = d.join("stratus-red-team");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let listed: Vec<String> = TABLE.iter().map(|x| format!("{}.json", x.id)).collect();
    assert_eq!(
        files, listed,
        "the table lists every detonation, in file order"
    );

    let mut problems = Vec::new();
    for tech in TABLE {
        let store = crate::common::load_path(&dir.join(format!("{}.json", tech.id)));
        let found = run(&store);
        let got: BTreeSet<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        let want: BTreeSet<&str> = tech.rules.iter().copied().collect();
        if got != want {
            problems.push(format!(
                "{}: fired {got:?}, expected {want:?}\n  {}",
                tech.id,
                found
                    .iter()
                    .map(|f| format!("{}: {}", f.rule, f.explanation))
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
        for f in &found {
            let named = actions(&store, f);
            let stray: Vec<&String> = named
                .iter()
                .filter(|a| !tech.calls.contains(&a.as_str()))
                .collect();
            if named.is_empty() || !stray.is_empty() {
                problems.push(format!(
                    "{}: {} names {stray:?}, not the technique's calls {:?}",
                    tech.id, f.rule, tech.calls
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let flagged = TABLE.iter().filter(|x| !x.rules.is_empty()).count();
    assert!(flagged >= 30, "{flagged} of 35 techniques flagged");
}

/// Every detonation together, as one bundle of 35 files: each technique's rules still fire, and their findings
/// still name only the techniques' own calls.
#[test]
fn all_detonations_together() {
    let Some(d) = common::real_data() else { return };
    let store = crate::common::load_path(&d.join("stratus-red-team"));
    let found = run(&store);
    let got: BTreeSet<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    let want: BTreeSet<&str> = TABLE.iter().flat_map(|x| x.rules.iter().copied()).collect();
    let calls: BTreeSet<&str> = TABLE.iter().flat_map(|x| x.calls.iter().copied()).collect();
    assert!(want.is_subset(&got), "missing {:?}", want.difference(&got));
    for f in found.iter().filter(|f| want.contains(f.rule.as_str())) {
        let stray: Vec<String> = actions(&store, f)
            .into_iter()
            .filter(|a| !calls.contains(a.as_str()))
            .collect();
        assert!(stray.is_empty(), "{}: {stray:?}", f.rule);
    }
}

/// LLMjacking end to end: the finding that ties model access to its use names the session key first.
#[test]
fn bedrock_llmjacking_pivots_on_the_session_key() {
    let Some(d) = common::real_data() else { return };
    let store =
        crate::common::load_path(&d.join("stratus-red-team/aws.impact.bedrock-invoke-model.json"));
    let found = run(&store);
    let seq = found
        .iter()
        .find(|x| x.rule == "model-access-then-invoke")
        .unwrap();
    assert_eq!(seq.entities[0].name, "ASIA6FTSFH98XNF7DFZB");
}

//! The credential rules, each alone: it fires on records written in the real log shapes and stays silent on the
//! look-alike benign activity beside it (stolen keys used from new places, credentials minted for others or with
//! keys, secrets harvested, revoked keys still tried).

use crate::detect_support;

use detect_support::*;

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

/// An engineer working from home: her key from an address it never used, where she signed in to the console with
/// MFA that morning. The sign-in vouches for the address; without MFA, or by someone else, it does not.
#[test]
fn long_term_key_new_ip_vouched_by_an_mfa_sign_in() {
    const HOME: &str = "2001:db8:4a1:2e00::17";
    let dev = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let login = |who: &str, mfa: &str, at: Nanos| {
        json!({
            "eventVersion": "1.08", "eventTime": utc(at), "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": HOME,
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAQ3EGRZTX", "arn": format!("arn:aws:iam::{ACCT}:user/{who}"),
                "accountId": ACCT, "userName": who},
            "userAgent": "Mozilla/5.0", "requestParameters": null, "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": mfa}, "eventID": format!("login-{who}-{mfa}"),
            "eventType": "AwsConsoleSignIn", "recipientAccountId": ACCT
        })
    };
    let mut tr = Trail::new();
    tr.call(day1(), &dev, "s3.amazonaws.com", "ListBuckets", OFFICE)
        .call(
            day1() + 30 * HOUR,
            &dev,
            "s3.amazonaws.com",
            "ListBuckets",
            OFFICE,
        )
        .call(
            day1() + 50 * HOUR,
            &dev,
            "s3.amazonaws.com",
            "ListBuckets",
            HOME,
        );
    let with = |who: &str, mfa: &str| {
        let mut recs = tr.records();
        recs.push(login(who, mfa, day1() + 49 * HOUR));
        records_on_disk(&recs)
    };
    silent("long-term-key-new-ip", &with("alice", "Yes"));
    let f = fires("long-term-key-new-ip", &with("alice", "No"));
    assert!(
        f[0].explanation.contains(&format!("from new ip {HOME}")),
        "{}",
        f[0].explanation
    );
    fires("long-term-key-new-ip", &with("bob", "Yes"));
    // A sign-in days away vouches for nothing today.
    let mut recs = tr.records();
    recs.push(login("alice", "Yes", day1()));
    fires("long-term-key-new-ip", &records_on_disk(&recs));
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
fn k8s_token_used_outside_cluster() {
    let patch = |who: &str, ip: &str| {
        let mut r = k8s(
            day1(),
            who,
            "patch",
            "inferenceservices",
            None,
            "ml-serving",
            Some("llm-7b"),
        );
        r["sourceIPs"] = json!([ip]);
        r
    };
    let sa = "system:serviceaccount:ci:build-runner";
    let f = fires(
        "k8s-token-used-outside-cluster",
        &lines("audit.log", &[patch(sa, "198.51.100.77")]),
    );
    assert!(
        f[0].explanation.contains("198.51.100.77"),
        "{}",
        f[0].explanation
    );
    // From the cluster's pod network, or a person (not a service account) from the office: nothing.
    silent(
        "k8s-token-used-outside-cluster",
        &lines(
            "audit.log",
            &[
                patch(sa, "10.42.1.189"),
                patch(sa, "fd00::17"),
                patch("oidc:kavya.rao@acme.example", "203.0.113.11"),
            ],
        ),
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
    // A key rotation: alice makes her new key with the old one, disables the old, and goes on with the new.
    let old = user("alice", "AKIAQ3EGRZTALICEOLD1");
    let new = user("alice", "AKIAQ3EGRZTALICENEW2");
    let mut tr = Trail::new();
    tr.add(
        Call::new(day1(), &old, "iam.amazonaws.com", "CreateAccessKey", "203.0.113.10", UA)
            .params(json!({"userName": "alice"}))
            .response(json!({"accessKey": {"userName": "alice", "accessKeyId": "AKIAQ3EGRZTALICENEW2", "status": "Active"}})),
    );
    disable(
        day1() + 5 * MIN,
        &new,
        "alice",
        "AKIAQ3EGRZTALICEOLD1",
        &mut tr,
    );
    tr.call(
        day1() + HOUR,
        &new,
        "s3.amazonaws.com",
        "ListBuckets",
        "203.0.113.10",
    );
    silent("session-of-revoked-key-used", &tr.store());
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

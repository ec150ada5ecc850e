//! The AWS access and persistence rules, each alone: instance credentials used elsewhere, Windows passwords and
//! user data collected, console sign-ins without MFA, administrator grants, backdoored trust policies, Roles
//! Anywhere trust anchors, federation tokens and Lambda functions opened to anyone. Each fires on records in the
//! real CloudTrail shapes (and on its Stratus Red Team detonation when the public datasets are present) and stays
//! silent on the routine look-alike.

use crate::detect_support;

use detect_support::*;

const CI: &str = "AKIAQ3EGRZTSTOLEN7CI";

fn ci() -> Who {
    user("ci-deployer", CI)
}

/// The stolen instance-role session: its session name is the instance id, as EC2 names it.
fn instance(id: &str) -> Who {
    session("ml-gpu-node", id, "ASIAQ3EGRZTINSTANCE1")
}

#[test]
fn instance_credentials_used_elsewhere() {
    let ci = ci();
    let node = instance("i-0a1b2c3d4e5f60718");
    // The intruder runs a command on the instance with a user key, then uses the instance's role key from the
    // same machine.
    let mut tr = Trail::new();
    tr.add(api(
        day1(),
        &ci,
        "ssm.amazonaws.com",
        "SendCommand",
        EVIL,
        json!({"documentName": "AWS-RunShellScript", "instanceIds": ["i-0a1b2c3d4e5f60718"]}),
    ))
    .call(
        day1() + 31 * SEC,
        &node,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        EVIL,
    );
    let f = fires("instance-credentials-used-elsewhere", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 1, "only the instance session's calls");
    assert_eq!(
        f[0].entities[0],
        Entity::new(EntityKind::Token, "ASIAQ3EGRZTINSTANCE1")
    );
    assert!(
        f[0].explanation.contains(&format!(
            "from {EVIL}, an address token {CI} (arn:aws:iam::{ACCT}:user/ci-deployer) also used"
        )),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.credential-access.ec2-steal-instance-credentials") {
        let f = fires("instance-credentials-used-elsewhere", &s);
        assert_eq!(
            f[0].events_total, 2,
            "GetCallerIdentity and DescribeInstances"
        );
    }

    // The instance working from its own address; a session whose name is not an instance id from the key's
    // address; and the instance's address shared with a key a week apart.
    let lambda = session(
        "ml-gpu-node",
        "botocore-session-1759",
        "ASIAQ3EGRZTOTHERSES1",
    );
    let mut tr = Trail::new();
    tr.call(day1(), &ci, "s3.amazonaws.com", "ListBuckets", EVIL)
        .call(
            day1() + MIN,
            &node,
            "s3.amazonaws.com",
            "ListBuckets",
            "54.210.7.33",
        )
        .call(
            day1() + 2 * MIN,
            &lambda,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        )
        .call(
            day1() + 7 * 24 * HOUR,
            &node,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        );
    silent("instance-credentials-used-elsewhere", &tr.store());
}

#[test]
fn instance_credentials_from_two_addresses() {
    let node = instance("i-0a1b2c3d4e5f60718");
    let build = |second: &str| {
        let mut tr = Trail::new();
        tr.call(
            day1(),
            &node,
            "s3.amazonaws.com",
            "ListBuckets",
            "54.210.7.33",
        )
        .call(
            day1() + MIN,
            &node,
            "s3.amazonaws.com",
            "GetObject",
            "10.0.3.7",
        )
        .call(
            day1() + 2 * HOUR,
            &node,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            second,
        );
        tr.store()
    };
    let f = fires("instance-credentials-from-two-addresses", &build(EVIL));
    assert!(
        f[0].explanation
            .starts_with("2 distinct IPs (198.51.100.77, 54.210.7.33)"),
        "{}",
        f[0].explanation
    );
    // Its own address again, beside a VPC endpoint's private one.
    silent(
        "instance-credentials-from-two-addresses",
        &build("54.210.7.33"),
    );
}

#[test]
fn ec2_password_data_read() {
    let build = |name: &str| {
        let mut tr = Trail::new();
        let who = session(
            "ops",
            "aws-go-sdk-1722375070115152000",
            "ASIAQ3EGRZTOPSPASS01",
        );
        for i in 0..3 {
            tr.add(
                api(
                    day1() + i * SEC,
                    &who,
                    "ec2.amazonaws.com",
                    name,
                    EVIL,
                    json!({"instanceId": format!("i-0a1b2c3d4e5f6071{i}")}),
                )
                .error(
                    "Client.UnauthorizedOperation",
                    "You are not authorized to perform this operation.",
                ),
            );
        }
        tr.store()
    };
    let f = fires("ec2-password-data-read", &build("GetPasswordData"));
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation.contains("all 3 failed"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.credential-access.ec2-get-password-data") {
        fires("ec2-password-data-read", &s);
    }
    silent("ec2-password-data-read", &build("GetConsoleOutput"));
}

#[test]
fn ec2_user_data_read() {
    let who = session(
        "audit",
        "aws-go-sdk-1722455550269043000",
        "ASIAQ3EGRZTUSERDATA1",
    );
    let read = |attribute: &str, instances: usize, console: bool| {
        let mut tr = Trail::new();
        for i in 0..instances {
            tr.add(api(
                day1() + i as i64 * SEC,
                &who,
                "ec2.amazonaws.com",
                "DescribeInstanceAttribute",
                EVIL,
                json!({"attribute": attribute, "instanceId": format!("i-0a1b2c3d4e5f6071{i}")}),
            ));
        }
        if console {
            // The console's calls carry `sessionCredentialFromConsole` at the top of the record.
            let recs: Vec<Value> = tr
                .records()
                .into_iter()
                .map(|mut r| {
                    r["sessionCredentialFromConsole"] = json!("true");
                    r
                })
                .collect();
            return records_on_disk(&recs);
        }
        tr.on_disk()
    };
    let f = fires("ec2-user-data-read", &read("userData", 3, false));
    assert!(
        f[0].explanation.starts_with("3 distinct assets"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.discovery.ec2-download-user-data") {
        fires("ec2-user-data-read", &s);
    }
    // Another attribute; two instances (an IaC refresh); the console.
    silent("ec2-user-data-read", &read("instanceType", 3, false));
    silent("ec2-user-data-read", &read("userData", 2, false));
    silent("ec2-user-data-read", &read("userData", 3, true));
    // Without the raw records (a bundle read from memory) the attribute cannot be told: nothing is claimed.
    silent(
        "ec2-user-data-read",
        &read("userData", 3, false).store_in_memory(),
    );
}

/// A console sign-in as CloudTrail writes it (`signin.amazonaws.com`, no access key).
fn console_login(identity: Value, mfa: &str, result: &str, saml: bool) -> Value {
    let mut extra = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa});
    if saml {
        extra["SamlProviderArn"] = json!(format!("arn:aws:iam::{ACCT}:saml-provider/Okta"));
    }
    json!({
        "eventVersion": "1.08", "userIdentity": identity, "eventTime": utc(day1()),
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
        "sourceIPAddress": EVIL, "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "requestParameters": null, "responseElements": {"ConsoleLogin": result},
        "additionalEventData": extra, "eventID": format!("login-{mfa}-{result}-{saml}"),
        "eventType": "AwsConsoleSignIn", "recipientAccountId": ACCT
    })
}

#[test]
fn console_login_without_mfa() {
    let iam_user = json!({"type": "IAMUser", "principalId": "AIDAQ3EGRZTALICE", "arn": format!("arn:aws:iam::{ACCT}:user/alice"), "accountId": ACCT, "userName": "alice"});
    let root = json!({"type": "Root", "principalId": ACCT, "arn": format!("arn:aws:iam::{ACCT}:root"), "accountId": ACCT, "accessKeyId": ""});
    let sso = json!({"type": "AssumedRole", "principalId": "AROAQ3EGRZTSSO:alice@acme.example",
        "arn": format!("arn:aws:sts::{ACCT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@acme.example"), "accountId": ACCT});
    for who in [&iam_user, &root] {
        let f = fires(
            "console-login-without-mfa",
            &records_on_disk(&[console_login(who.clone(), "No", "Success", false)]),
        );
        assert!(
            f[0].explanation
                .contains("(additionalEventData.MFAUsed No)"),
            "{}",
            f[0].explanation
        );
    }
    if let Some(s) = stratus("aws.initial-access.console-login-without-mfa") {
        fires("console-login-without-mfa", &s);
    }
    // With MFA; a failed attempt; a password vouched for by a SAML provider; an SSO role session.
    for rec in [
        console_login(iam_user.clone(), "Yes", "Success", false),
        console_login(iam_user.clone(), "No", "Failure", false),
        console_login(iam_user.clone(), "No", "Success", true),
        console_login(sso, "No", "Success", false),
    ] {
        silent("console-login-without-mfa", &records_on_disk(&[rec]));
    }
}

/// An IAM policy document as IAM logs it: a JSON string inside the request.
fn policy(statements: Value) -> String {
    serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
        .unwrap()
}

#[test]
fn iam_admin_policy_granted() {
    let ci = ci();
    let grant = |name: &str, params: Value| {
        let mut tr = Trail::new();
        tr.add(api(day1(), &ci, "iam.amazonaws.com", name, EVIL, params));
        tr.on_disk()
    };
    let f = fires(
        "iam-admin-policy-granted",
        &grant(
            "AttachUserPolicy",
            json!({"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "userName": "svc-backup"}),
        ),
    );
    assert!(
        f[0].explanation
            .contains("(requestParameters.policyArn arn:aws:iam::aws:policy/AdministratorAccess)"),
        "{}",
        f[0].explanation
    );
    let inline = grant(
        "PutRolePolicy",
        json!({"roleName": "ml-deploy", "policyName": "ops", "policyDocument": policy(json!([
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-models/*"},
            {"Effect": "Allow", "Action": "*", "Resource": ["*"]},
        ]))}),
    );
    let f = fires("iam-admin-policy-granted", &inline);
    assert!(
        f[0].explanation
            .contains("(requestParameters.policyDocument.Statement[].Action *)"),
        "{}",
        f[0].explanation
    );
    for technique in [
        "aws.persistence.iam-create-admin-user",
        "aws.persistence.iam-create-backdoor-role",
    ] {
        if let Some(s) = stratus(technique) {
            fires("iam-admin-policy-granted", &s);
        }
    }
    // Read-only access; a deny-all quarantine policy; everything on one bucket and one action everywhere, in two
    // statements (no statement allows everything).
    silent(
        "iam-admin-policy-granted",
        &grant(
            "AttachRolePolicy",
            json!({"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "roleName": "auditor"}),
        ),
    );
    silent(
        "iam-admin-policy-granted",
        &grant(
            "PutUserPolicy",
            json!({"userName": "alice", "policyName": "deny-all", "policyDocument": policy(json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]))}),
        ),
    );
    silent(
        "iam-admin-policy-granted",
        &grant(
            "PutGroupPolicy",
            json!({"groupName": "ml", "policyName": "ml", "policyDocument": policy(json!([
                {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::acme-scratch/*"},
                {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
            ]))}),
        ),
    );
}

#[test]
fn role_trust_opened() {
    let ci = ci();
    let trust = |principal: Value, effect: &str| {
        let mut tr = Trail::new();
        tr.add(api(
            day1(),
            &ci,
            "iam.amazonaws.com",
            "UpdateAssumeRolePolicy",
            EVIL,
            json!({"roleName": "ml-deploy", "policyDocument": policy(json!([
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                {"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole"},
            ]))}),
        ));
        tr.on_disk()
    };
    let f = fires(
        "role-trust-opened",
        &trust(json!({"AWS": "arn:aws:iam::193672423079:root"}), "Allow"),
    );
    assert!(
        f[0].explanation.contains(
            "(requestParameters.policyDocument.Statement[].Principal.AWS arn:aws:iam::193672423079:root)"
        ),
        "{}",
        f[0].explanation
    );
    fires("role-trust-opened", &trust(json!("*"), "Allow"));
    if let Some(s) = stratus("aws.persistence.iam-backdoor-role") {
        fires("role-trust-opened", &s);
    }
    silent(
        "role-trust-opened",
        &trust(json!({"Service": "lambda.amazonaws.com"}), "Allow"),
    );
    silent(
        "role-trust-opened",
        &trust(json!({"AWS": "arn:aws:iam::193672423079:root"}), "Deny"),
    );
}

#[test]
fn roles_anywhere_trust_anchor() {
    let ci = ci();
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(api(
            day1(),
            &ci,
            "rolesanywhere.amazonaws.com",
            name,
            EVIL,
            json!({"enabled": true, "name": "partner-ca", "source": {"sourceType": "CERTIFICATE_BUNDLE"}}),
        ));
        tr.store()
    };
    fires("roles-anywhere-trust-anchor", &build("CreateTrustAnchor"));
    if let Some(s) = stratus("aws.persistence.rolesanywhere-create-trust-anchor") {
        fires("roles-anywhere-trust-anchor", &s);
    }
    silent("roles-anywhere-trust-anchor", &build("ListTrustAnchors"));
}

#[test]
fn federation_token_created() {
    let ci = ci();
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            api(
                day1(),
                &ci,
                "sts.amazonaws.com",
                name,
                EVIL,
                json!({"name": "stratus_red_team", "durationSeconds": 129600}),
            )
            .response(json!({"credentials": {"accessKeyId": "ASIAQ3EGRZTFEDERATE1"},
                "federatedUser": {"arn": format!("arn:aws:sts::{ACCT}:federated-user/stratus_red_team")}})),
        );
        tr.store()
    };
    let f = fires("federation-token-created", &build("GetFederationToken"));
    assert!(
        f[0].explanation.contains("minting ASIAQ3EGRZTFEDERATE1"),
        "{}",
        f[0].explanation
    );
    if let Some(s) = stratus("aws.persistence.sts-federation-token") {
        fires("federation-token-created", &s);
    }
    silent("federation-token-created", &build("GetSessionToken"));
}

#[test]
fn lambda_invocable_by_anyone() {
    let ci = ci();
    let permit = |principal: &str| {
        let mut tr = Trail::new();
        tr.add(api(
            day1(),
            &ci,
            "lambda.amazonaws.com",
            "AddPermission20150331v2",
            EVIL,
            json!({"action": "lambda:InvokeFunction", "functionName": "model-gateway", "principal": principal, "statementId": "s1"}),
        ));
        tr.on_disk()
    };
    fires("lambda-invocable-by-anyone", &permit("*"));
    if let Some(s) = stratus("aws.persistence.lambda-backdoor-function") {
        fires("lambda-invocable-by-anyone", &s);
    }
    silent("lambda-invocable-by-anyone", &permit("s3.amazonaws.com"));
    silent("lambda-invocable-by-anyone", &permit("444455556666"));
}

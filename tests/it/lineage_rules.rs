//! Every token-lineage rule, on records in the shapes the providers write them (CloudTrail examples from the AWS
//! user guides, GCP audit entries, a Kubernetes TokenRequest, Azure key listings): each minting event becomes an
//! edge from the credential that made the call to the credential it created, and revocations end a credential.
//! The rules for AssumeRole, CreateAccessKey, role chaining and key revocation are covered beside the code
//! (src/entities/lineage/tests.rs), the Entra credential additions and OpenAI keys beside their formats.

use heist_core::entities::{Entity, EntityKind, Lineage, PivotEngine};
use heist_core::frame::EventStore;
use heist_core::ingest::{load_bytes, LoadOptions};
use serde_json::{json, Value};

fn load(name: &str, records: &[Value]) -> EventStore {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    let s = load_bytes(name, text.into_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), records.len());
    s
}

fn lineage(s: &EventStore) -> Lineage {
    let label = |o: &str, l: u32| s.origin_label(o, l);
    Lineage::build(&s.frame, &label).unwrap()
}

/// (parent token, parent identity, child token, child identity, action) of every edge.
type Edge = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn edges(l: &Lineage) -> Vec<Edge> {
    l.mints
        .iter()
        .map(|m| {
            (
                m.parent_token.clone(),
                m.parent_identity.clone(),
                m.child_token.clone(),
                m.child_identity.clone(),
                m.event.action.clone(),
            )
        })
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn trail(event: &str, who: Value, params: Value, response: Value) -> Value {
    json!({"eventVersion": "1.08", "userIdentity": who, "eventTime": "2024-03-23T21:13:40Z",
        "eventSource": if event.starts_with("Create") { "iam.amazonaws.com" } else { "sts.amazonaws.com" },
        "eventName": event, "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.101", "userAgent": "aws-cli/2.13.0",
        "requestParameters": params, "responseElements": response, "requestID": format!("req-{event}"),
        "eventID": format!("ev-{event}"), "eventType": "AwsApiCall", "recipientAccountId": "444455556666"})
}

fn iam_user(name: &str, key: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": format!("arn:aws:iam::444455556666:user/{name}"),
        "accountId": "444455556666", "accessKeyId": key, "userName": name})
}

#[test]
fn assume_role_with_saml_mints_a_session_for_the_federated_subject() {
    let who = json!({"type": "SAMLUser", "principalId": "SampleUkh1i4+ExampleuvF3ymE=:SamlExample",
        "userName": "SamlExample", "identityProvider": "bdGOnTesti4+ExampleuvF3ymE="});
    let rec = trail(
        "AssumeRoleWithSAML",
        who,
        json!({"sAMLAssertionID": "_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE", "roleSessionName": "MyAssignedRoleSessionName",
            "durationSeconds": 3600, "roleArn": "arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth",
            "principalArn": "arn:aws:iam::444455556666:saml-provider/Shibboleth"}),
        json!({"subjectType": "transient", "issuer": "https://server.example.com/idp/shibboleth",
            "credentials": {"accessKeyId": "ASIAIOSFODNN7EXAMPLE", "sessionToken": "<encoded session token blob>", "expiration": "Mar 23, 2024 10:13:40 PM"},
            "assumedRoleUser": {"assumedRoleId": "AROAD35QRSTUVWEXAMPLE:MyAssignedRoleSessionName",
                "arn": "arn:aws:sts::444455556666:assumed-role/SAMLTestRoleShibboleth/MyAssignedRoleSessionName"},
            "subject": "SamlExample", "audience": "https://signin.aws.amazon.com/saml"}),
    );
    let st = load("saml.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, None, "a SAML assertion, not a key, made the call");
    assert_eq!(e[0].2, s("ASIAIOSFODNN7EXAMPLE"));
    assert_eq!(e[0].3, s("arn:aws:sts::444455556666:assumed-role/SAMLTestRoleShibboleth/MyAssignedRoleSessionName"));
    assert_eq!(e[0].4, "AssumeRoleWithSAML");
}

#[test]
fn assume_role_with_web_identity_mints_a_session() {
    // GitHub Actions OIDC, the usual CI path into AWS.
    let who = json!({"type": "WebIdentityUser", "principalId": "token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/models:ref:refs/heads/main",
        "userName": "repo:acme/models:ref:refs/heads/main", "identityProvider": "token.actions.githubusercontent.com"});
    let rec = trail(
        "AssumeRoleWithWebIdentity",
        who,
        json!({"roleArn": "arn:aws:iam::444455556666:role/gha-deploy", "roleSessionName": "GitHubActions", "durationSeconds": 3600}),
        json!({"credentials": {"accessKeyId": "ASIAWEBIDENTITYEXAMPL", "sessionToken": "x", "expiration": "Mar 23, 2024 10:13:40 PM"},
            "subjectFromWebIdentityToken": "repo:acme/models:ref:refs/heads/main",
            "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLEID:GitHubActions", "arn": "arn:aws:sts::444455556666:assumed-role/gha-deploy/GitHubActions"},
            "provider": "arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com", "audience": "sts.amazonaws.com"}),
    );
    let st = load("web.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].2, s("ASIAWEBIDENTITYEXAMPL"));
    assert_eq!(
        e[0].3,
        s("arn:aws:sts::444455556666:assumed-role/gha-deploy/GitHubActions")
    );
}

#[test]
fn get_session_token_mints_a_session_key_for_the_same_user() {
    let rec = trail(
        "GetSessionToken",
        iam_user("Mary_Major", "AKIAIOSFODNN7EXAMPLE"),
        json!({"durationSeconds": 43200}),
        json!({"credentials": {"accessKeyId": "ASIASESSIONTOKEN0001", "sessionToken": "x", "expiration": "Mar 24, 2024 9:13:40 AM"}}),
    );
    let st = load("gst.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(
        e,
        [(
            s("AKIAIOSFODNN7EXAMPLE"),
            s("arn:aws:iam::444455556666:user/Mary_Major"),
            s("ASIASESSIONTOKEN0001"),
            s("arn:aws:iam::444455556666:user/Mary_Major"),
            "GetSessionToken".to_string()
        )]
    );
}

#[test]
fn get_federation_token_mints_a_federated_user() {
    let rec = trail(
        "GetFederationToken",
        iam_user("ci-broker", "AKIAFEDERATIONBROKER"),
        json!({"name": "Bob", "durationSeconds": 3600, "policy": "{\"Version\":\"2012-10-17\"}"}),
        json!({"credentials": {"accessKeyId": "ASIAFEDERATEDBOB0001", "sessionToken": "x", "expiration": "Mar 23, 2024 10:13:40 PM"},
            "federatedUser": {"federatedUserId": "444455556666:Bob", "arn": "arn:aws:sts::444455556666:federated-user/Bob"}, "packedPolicySize": 6}),
    );
    let st = load("gft.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(e[0].0, s("AKIAFEDERATIONBROKER"));
    assert_eq!(e[0].2, s("ASIAFEDERATEDBOB0001"));
    assert_eq!(e[0].3, s("arn:aws:sts::444455556666:federated-user/Bob"));
}

#[test]
fn create_login_profile_mints_console_access_for_another_user() {
    let rec = trail(
        "CreateLoginProfile",
        iam_user("ci-deployer", "AKIASTOLENCIKEY00001"),
        json!({"userName": "svc-backup", "passwordResetRequired": false}),
        json!({"loginProfile": {"userName": "svc-backup", "createDate": "Mar 23, 2024 9:13:40 PM", "passwordResetRequired": false}}),
    );
    let st = load("clp.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, s("AKIASTOLENCIKEY00001"));
    assert_eq!(
        e[0].2, None,
        "a password is not logged: the edge names the user"
    );
    assert_eq!(e[0].3, s("arn:aws:iam::444455556666:user/svc-backup"));
}

#[test]
fn service_specific_credentials_mint_and_delete() {
    // Bedrock long-term API keys are IAM service-specific credentials.
    let mint = trail(
        "CreateServiceSpecificCredential",
        iam_user("ci-deployer", "AKIASTOLENCIKEY00001"),
        json!({"userName": "bedrock-user", "serviceName": "bedrock.amazonaws.com", "credentialAgeDays": 365}),
        json!({"serviceSpecificCredential": {"createDate": "Mar 23, 2024 9:13:40 PM", "serviceName": "bedrock.amazonaws.com",
            "serviceUserName": "bedrock-user-at-444455556666", "serviceSpecificCredentialId": "ACCAEXAMPLE123EXAMPLE",
            "userName": "bedrock-user", "status": "Active"}}),
    );
    let mut del = trail(
        "DeleteServiceSpecificCredential",
        iam_user("alice", "AKIAALICEEXAMPLE0001"),
        json!({"userName": "bedrock-user", "serviceSpecificCredentialId": "ACCAEXAMPLE123EXAMPLE"}),
        Value::Null,
    );
    del["eventTime"] = json!("2024-03-24T08:00:00Z");
    del["eventSource"] = json!("iam.amazonaws.com");
    let st = load("ssc.json", &[mint, del]);
    let l = lineage(&st);
    let e = edges(&l);
    assert_eq!(e[0].2, s("ACCAEXAMPLE123EXAMPLE"));
    assert_eq!(e[0].3, s("arn:aws:iam::444455556666:user/bedrock-user"));
    assert_eq!(
        l.revoked_at("ACCAEXAMPLE123EXAMPLE"),
        heist_core::util::time::parse_rfc3339("2024-03-24T08:00:00Z")
    );
}

fn gcp(method: &str, key: &str, response: Value, delegation: Value, t: &str) -> Value {
    json!({"protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "status": {},
        "authenticationInfo": {"principalEmail": "ci-publisher@acme-ml.iam.gserviceaccount.com",
            "serviceAccountKeyName": format!("//iam.googleapis.com/projects/acme-ml/serviceAccounts/ci-publisher@acme-ml.iam.gserviceaccount.com/keys/{key}"),
            "serviceAccountDelegationInfo": delegation},
        "requestMetadata": {"callerIp": "198.51.100.77", "callerSuppliedUserAgent": "google-cloud-sdk gcloud/489.0.0"},
        "serviceName": if method.contains("iamcredentials") { "iamcredentials.googleapis.com" } else { "iam.googleapis.com" },
        "methodName": method, "resourceName": "projects/-/serviceAccounts/104729384756102938475", "response": response},
        "insertId": format!("id-{t}"), "resource": {"type": "service_account", "labels": {"project_id": "acme-ml"}},
        "timestamp": t, "severity": "NOTICE", "logName": "projects/acme-ml/logs/cloudaudit.googleapis.com%2Factivity"})
}

#[test]
fn gcp_service_account_key_creation_and_deletion() {
    let mint = gcp(
        "google.iam.admin.v1.CreateServiceAccountKey",
        "6a1f0c9e2b7d",
        json!({"@type": "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey",
            "name": "projects/acme-ml/serviceAccounts/ci-publisher@acme-ml.iam.gserviceaccount.com/keys/b7e24d9c0f1a", "key_type": 1}),
        Value::Null,
        "2024-11-19T00:49:55.120Z",
    );
    let mut del = gcp(
        "google.iam.admin.v1.DeleteServiceAccountKey",
        "6a1f0c9e2b7d",
        Value::Null,
        Value::Null,
        "2024-11-19T09:00:00Z",
    );
    del["protoPayload"]["resourceName"] =
        json!("projects/acme-ml/serviceAccounts/ci-publisher@acme-ml.iam.gserviceaccount.com/keys/b7e24d9c0f1a");
    let st = load("gcp.json", &[mint, del]);
    let l = lineage(&st);
    let e = edges(&l);
    let new_key = "//iam.googleapis.com/projects/acme-ml/serviceAccounts/ci-publisher@acme-ml.iam.gserviceaccount.com/keys/b7e24d9c0f1a";
    assert_eq!(e.len(), 1);
    assert!(
        e[0].0
            .as_deref()
            .is_some_and(|k| k.ends_with("/keys/6a1f0c9e2b7d")),
        "{e:?}"
    );
    assert_eq!(e[0].2, s(new_key));
    assert!(
        l.revoked_at(new_key).is_some(),
        "DeleteServiceAccountKey ends the key: {:?}",
        l.revocations
    );
}

#[test]
fn gcp_impersonation_mints_a_token_for_the_target_account() {
    let mut rec = gcp(
        "GenerateAccessToken",
        "6a1f0c9e2b7d",
        json!({}),
        json!([{"firstPartyPrincipal": {"principalEmail": "builder@acme-ml.iam.gserviceaccount.com"}}]),
        "2024-11-19T01:00:00Z",
    );
    rec["protoPayload"]["methodName"] = json!("GenerateAccessToken");
    rec["protoPayload"]["serviceName"] = json!("iamcredentials.googleapis.com");
    rec["protoPayload"]["resourceName"] =
        json!("projects/-/serviceAccounts/model-exporter@acme-ml.iam.gserviceaccount.com");
    rec["logName"] = json!("projects/acme-ml/logs/cloudaudit.googleapis.com%2Fdata_access");
    let st = load("gat.json", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        e[0].3,
        s("model-exporter@acme-ml.iam.gserviceaccount.com"),
        "{e:?}"
    );
}

#[test]
fn kubernetes_token_request_mints_a_service_account_token() {
    let rec = json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5d3e-aa",
        "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/ci/serviceaccounts/build-runner/token", "verb": "create",
        "user": {"username": "system:serviceaccount:ci:build-runner", "groups": ["system:serviceaccounts"],
            "extra": {"authentication.kubernetes.io/credential-id": ["JTI=4b1f6f0e-2a8c"]}},
        "sourceIPs": ["10.42.0.17"], "userAgent": "kubectl/v1.30.2",
        "objectRef": {"resource": "serviceaccounts", "namespace": "ci", "name": "build-runner", "apiVersion": "v1", "subresource": "token"},
        "responseStatus": {"metadata": {}, "code": 201},
        "requestReceivedTimestamp": "2026-10-05T01:50:31.000000Z", "stageTimestamp": "2026-10-05T01:50:31.004000Z",
        "annotations": {"authorization.k8s.io/decision": "allow", "authentication.kubernetes.io/issued-credential-id": "JTI=9e7d3c2b-1a0f"}});
    let st = load("audit.log", &[rec]);
    let e = edges(&lineage(&st));
    assert_eq!(
        e,
        [(
            s("JTI=4b1f6f0e-2a8c"),
            s("system:serviceaccount:ci:build-runner"),
            s("JTI=9e7d3c2b-1a0f"),
            s("system:serviceaccount:ci:build-runner"),
            "create serviceaccounts/token".to_string()
        )]
    );
}

#[test]
fn azure_list_and_regenerate_keys_mint_the_accounts_keys() {
    let storage = "/SUBSCRIPTIONS/7C1E/RESOURCEGROUPS/ML/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/MODELSTORE";
    let openai =
        "/SUBSCRIPTIONS/7C1E/RESOURCEGROUPS/ML/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/AOAI";
    let rec = |op: &str, rid: &str, result: &str, t: &str| {
        json!({"time": t, "resourceId": rid, "operationName": op, "category": "Administrative", "resultType": result,
            "callerIpAddress": "198.51.100.77", "correlationId": format!("c-{t}"),
            "identity": {"claims": {"appid": "0d8f3b2a", "uti": "kQmT3vXw7UeS1b9cZ0aLAA", "idtyp": "app"}}})
    };
    let st = load(
        "PT1H.json",
        &[
            rec(
                "MICROSOFT.STORAGE/STORAGEACCOUNTS/REGENERATEKEY/ACTION",
                storage,
                "Success",
                "2026-10-05T04:11:00.0000000Z",
            ),
            rec(
                "MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION",
                openai,
                "Success",
                "2026-10-05T04:11:24.0000000Z",
            ),
            rec(
                "MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION",
                openai,
                "Failure",
                "2026-10-05T04:12:00.0000000Z",
            ),
        ],
    );
    let l = lineage(&st);
    let kids: Vec<_> = l
        .mints
        .iter()
        .filter_map(|m| m.child_token.clone())
        .collect();
    assert_eq!(
        kids,
        [storage, openai],
        "a denied listing hands out nothing"
    );
    assert!(l
        .mints
        .iter()
        .all(|m| m.parent_token.as_deref() == Some("kQmT3vXw7UeS1b9cZ0aLAA")));
    // And the pivot from the token that listed them walks down to both.
    let engine = PivotEngine::new(&st).unwrap();
    let p = engine
        .pivot(&Entity::new(EntityKind::Token, "kQmT3vXw7UeS1b9cZ0aLAA"))
        .unwrap();
    assert_eq!(p.children.len(), 2);
}

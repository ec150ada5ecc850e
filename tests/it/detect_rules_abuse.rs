//! The inference-abuse, integrity, anti-forensics and exposure rules, each alone: it fires on records written in the
//! real log shapes and stays silent on the look-alike benign activity beside it. The last test checks that every
//! shipped rule has both cases in one of the `detect_rules_*` files.

use crate::detect_support;

use detect_support::*;

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
        f[0].explanation.starts_with("40 InvokeModel in 60m by token AKIAQ3EGRZTBACKDR9SV (arn:aws:iam::111122223333:user/svc-backup) (threshold 25; baseline 0/60m, above x10; history none: too short to know its usual)"),
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

/// A PutObject from `ip`.
fn put_from<'a>(at: Nanos, who: &'a Who, bucket: &str, key: &str, ip: &'a str) -> Call<'a> {
    let (p, r) = s3_object("111122223333", bucket, key);
    Call::new(
        at,
        who,
        "s3.amazonaws.com",
        "PutObject",
        ip,
        "Boto3/1.34.69",
    )
    .params(p)
    .resources(r)
    .data()
}

#[test]
fn training_data_written_with_a_new_key() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let backdoor = user("svc-backup", "AKIAQ3EGRZTBACKDR9SV");
    let build = |for_whom: &str, writer: &Who, bucket: &str, after: Nanos| {
        let new_key = match writer {
            Who::User { key, .. } => key.clone(),
            _ => unreachable!("the writer is a user"),
        };
        let object = if bucket == "acme-app-logs" {
            "2026/10/04/app.log"
        } else {
            "finetune/v5/part-0001.jsonl"
        };
        let mut tr = Trail::new();
        let maker = if for_whom == "svc-backup" {
            &ci
        } else {
            writer
        };
        tr.add(
            Call::new(day1(), maker, "iam.amazonaws.com", "CreateAccessKey", "198.51.100.77", "aws-cli/2.13.0")
                .params(json!({"userName": for_whom}))
                .response(json!({"accessKey": {"userName": for_whom, "accessKeyId": new_key, "status": "Active"}})),
        );
        tr.add(put_from(
            day1() + after,
            writer,
            bucket,
            object,
            "192.0.2.45",
        ));
        tr.store()
    };
    let f = fires(
        "training-data-written-with-a-new-key",
        &build("svc-backup", &backdoor, "acme-training-data", 2 * HOUR),
    );
    assert!(
        has_entity(&f[0], EntityKind::Token, "AKIAQ3EGRZTBACKDR9SV"),
        "{f:#?}"
    );
    assert!(
        f[0].explanation
            .starts_with("1 CreateAccessKey then 1 PutObject by token AKIAQ3EGRZTBACKDR9SV"),
        "{}",
        f[0].explanation
    );
    // Not training data; written two days later; a user's own new key (a rotation).
    silent(
        "training-data-written-with-a-new-key",
        &build("svc-backup", &backdoor, "acme-app-logs", 2 * HOUR),
    );
    silent(
        "training-data-written-with-a-new-key",
        &build("svc-backup", &backdoor, "acme-training-data", 50 * HOUR),
    );
    let rotated = user("alice", "AKIAQ3EGRZTALICENEW1");
    silent(
        "training-data-written-with-a-new-key",
        &build("alice", &rotated, "acme-training-data", 2 * HOUR),
    );
}

#[test]
fn training_data_written_from_a_new_network() {
    let etl = user("svc-etl", "AKIAQ3EGRZTETLKEY001");
    let build = |ip: &str| {
        let mut tr = Trail::new();
        for d in 0..3 {
            tr.add(put_from(
                day1() + d * 24 * HOUR,
                &etl,
                "acme-training-data",
                "corpus/a.parquet",
                "203.0.113.50",
            ));
        }
        tr.add(put_from(
            day1() + 50 * HOUR,
            &etl,
            "acme-training-data",
            "corpus/b.parquet",
            ip,
        ));
        tr.store()
    };
    let f = fires(
        "training-data-written-from-a-new-network",
        &build("198.51.100.77"),
    );
    assert!(
        f[0].explanation.contains("198.51.100.0/24"),
        "{}",
        f[0].explanation
    );
    silent(
        "training-data-written-from-a-new-network",
        &build("203.0.113.51"),
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

/// Every shipped rule has a `fires` and a `silent` case in one of the `detect_rules_*` files (or `run_with` for rules that need options).
#[test]
fn every_shipped_rule_is_tested_both_ways() {
    let src: String = [
        include_str!("detect_rules_credentials.rs"),
        include_str!("detect_rules_collection.rs"),
        include_str!("detect_rules_abuse.rs"),
        include_str!("detect_rules_aws_access.rs"),
        include_str!("detect_rules_aws_exec.rs"),
    ]
    .concat()
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

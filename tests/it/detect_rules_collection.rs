//! The discovery, collection and exfiltration rules, each alone: it fires on records written in the real log shapes
//! and stays silent on the look-alike benign activity beside it.

use crate::detect_support;

use detect_support::*;

// ================================ discovery ================================

#[test]
fn discovery_burst() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(day1(), &ci, "sts.amazonaws.com", "GetCallerIdentity", EVIL)
        .call(
            day1() + 33 * SEC,
            &ci,
            "s3.amazonaws.com",
            "ListBuckets",
            EVIL,
        )
        .call(
            day1() + 63 * SEC,
            &ci,
            "bedrock.amazonaws.com",
            "ListFoundationModels",
            EVIL,
        )
        .add(
            Call::new(
                day1() + 115 * SEC,
                &ci,
                "iam.amazonaws.com",
                "ListRoles",
                EVIL,
                UA,
            )
            .error("AccessDenied", "not authorized"),
        );
    let f = fires("discovery-burst", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 4);
    assert!(f[0].explanation.starts_with("4 distinct actions (GetCallerIdentity, ListBuckets, ListFoundationModels, +1 more) in 15m by token AKIAQ3EGRZTSTOLEN7CI (arn:aws:iam::111122223333:user/ci-deployer) (threshold 2; history none: too short to know its usual)"), "{}", f[0].explanation);

    // A health check calling one API every minute.
    let bot = user("monitor", "AKIAQ3EGRZTMONITOR01");
    let mut tr = Trail::new();
    for i in 0..30 {
        tr.call(
            day1() + i * MIN,
            &bot,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            OFFICE,
        );
    }
    silent("discovery-burst", &tr.store());
}

#[test]
fn bedrock_discovery_burst() {
    let s = session("llm-tester", "x", "ASIA6FTSFH98XNF7DFZB");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &s,
        "bedrock.amazonaws.com",
        "ListFoundationModelAgreementOffers",
        EVIL,
    );
    for i in 0..6 {
        tr.add(
            Call::new(
                day1() + i * 10 * SEC,
                &s,
                "bedrock.amazonaws.com",
                "GetFoundationModelAvailability",
                EVIL,
                UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
    }
    let f = fires("bedrock-discovery-burst", &tr.store());
    assert!(f[0].explanation.starts_with("7 events (6 GetFoundationModelAvailability, ListFoundationModelAgreementOffers) in 15m"), "{}", f[0].explanation);

    // A console user opening the model catalogue three times in a quarter hour.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    for i in 0..3 {
        tr.call(
            day1() + i * 5 * MIN,
            &alice,
            "bedrock.amazonaws.com",
            "ListFoundationModels",
            OFFICE,
        );
    }
    silent("bedrock-discovery-burst", &tr.store());
}

#[test]
fn bedrock_logging_config_read() {
    let ci = user("ci-deployer", "AKIAQ3EGRZTSTOLEN7CI");
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &ci,
        "bedrock.amazonaws.com",
        "GetModelInvocationLoggingConfiguration",
        EVIL,
    );
    fires("bedrock-logging-config-read", &tr.store());
    let mut tr = Trail::new();
    tr.call(
        day1(),
        &ci,
        "bedrock.amazonaws.com",
        "GetFoundationModel",
        OFFICE,
    );
    silent("bedrock-logging-config-read", &tr.store());
}

// ================================ collection and exfiltration ================================

#[test]
fn bulk_model_download() {
    let exfil = session(
        "ml-model-registry-reader",
        "ci-deployer",
        "ASIAQ3EGRZTEXFIL2MDL",
    );
    let mut tr = Trail::new();
    for shard in 1..=4 {
        let key = format!("llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors");
        tr.add(get_object(
            day1() + shard * 4 * MIN,
            &exfil,
            "acme-models",
            &key,
            EVIL,
            4_938_000_000,
            "AuthHeader",
        ));
    }
    let f = fires("bulk-model-download", &tr.store());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 4);
    assert!(f[0].explanation.starts_with("4 GetObject in 60m by token ASIAQ3EGRZTEXFIL2MDL (arn:aws:sts::111122223333:assumed-role/ml-model-registry-reader/ci-deployer) (threshold 2; history none: too short to know its usual)"), "{}", f[0].explanation);
    assert!(has_entity(
        &f[0],
        EntityKind::Asset,
        "acme-models/llm-7b/checkpoint-20261004/model-00001-of-00004.safetensors"
    ));

    // The same four shards pulled by an engineer from the office, a network three people used the day before: an
    // engineer's job, not theft. From the attacker's address it would be found (above).
    let mut tr = Trail::new();
    for (i, who) in ["bob", "carol", "dave"].iter().enumerate() {
        let u = user(who, &format!("AKIAQ3EGRZTOFFICE00{i}"));
        tr.call(
            day1() + i as i64 * MIN,
            &u,
            "s3.amazonaws.com",
            "ListBuckets",
            OFFICE,
        );
    }
    let ines = user("ines", "AKIAQ3EGRZTINES00001");
    tr.call(day1(), &ines, "s3.amazonaws.com", "ListBuckets", OFFICE);
    for shard in 1..=4 {
        let key = format!("llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors");
        tr.add(get_object(
            day1() + 26 * HOUR + shard * 4 * MIN,
            &ines,
            "acme-models",
            &key,
            OFFICE,
            4_938_000_000,
            "AuthHeader",
        ));
    }
    silent("bulk-model-download", &tr.store());
    silent("bulk-download-volume", &tr.store());

    // Training shards (not model files), and a serving node loading one shard every two hours.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let node = session("llm-serving", "node-1", "ASIAQ3EGRZTSERVING01");
    let mut tr = Trail::new();
    for i in 0..6 {
        tr.add(get_object(
            day1() + i * 5 * MIN,
            &alice,
            "acme-training-data",
            &format!("corpus/shard-{i:04}.parquet"),
            OFFICE,
            50_000_000,
            "AuthHeader",
        ));
        tr.add(get_object(
            day1() + i * 2 * HOUR,
            &node,
            "acme-models",
            &format!("llm-7b/model-0000{i}.safetensors"),
            "10.0.1.5",
            4_000_000_000,
            "AuthHeader",
        ));
    }
    silent("bulk-model-download", &tr.store());
}

#[test]
fn bulk_model_download_from_s3_access_logs() {
    // The same theft seen in S3 server access logs (no token: grouped by the requester's session ARN).
    let mut text = String::new();
    for shard in 1..=3 {
        text += &format!(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be acme-models [05/Oct/2026:02:1{shard}:00 +0000] {EVIL} \
             arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/ci-deployer 3E57427F3EXAMPLE{shard} REST.GET.OBJECT \
             llm-7b/model-0000{shard}-of-00004.safetensors \"GET /acme-models/llm-7b/model-0000{shard}-of-00004.safetensors HTTP/1.1\" \
             200 - 4938000000 4938000000 70 10 \"-\" \"Boto3/1.34.69\" - aDFlRG== SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader \
             acme-models.s3.us-east-1.amazonaws.com TLSv1.2 - -\n"
        );
    }
    let s = load_bytes(
        "2026-10-05-02-00-00-ABCDEF",
        text.into_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        s.len(),
        3,
        "{:?} {:?}",
        s.report.errors,
        s.report.unreadable
    );
    let f = fires("bulk-model-download", &s);
    assert_eq!(f[0].entities[0].kind, EntityKind::Identity);
}

#[test]
fn bulk_download_volume() {
    let exfil = session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL");
    let mut tr = Trail::new();
    for i in 0..3 {
        tr.add(get_object(
            day1() + i * 10 * MIN,
            &exfil,
            "acme-training-data",
            &format!("dump/part-{i}.tar"),
            EVIL,
            4_000_000_000,
            "AuthHeader",
        ));
    }
    let f = fires("bulk-download-volume", &tr.store());
    assert!(
        f[0].explanation
            .starts_with("12.0 GB transferred in 60m by token ASIAQ3EGRZTEXFIL2MDL"),
        "{}",
        f[0].explanation
    );

    // A training job that reads 6 GB every hour for two days: above 5 GB, not above its own rate.
    let job = session("trainer", "job-1", "ASIAQ3EGRZTTRAINER01");
    let mut tr = Trail::new();
    for h in 0..48 {
        tr.add(get_object(
            day1() + h * HOUR,
            &job,
            "acme-training-data",
            &format!("corpus/h{h}.tar"),
            "10.0.2.2",
            6_000_000_000,
            "AuthHeader",
        ));
    }
    silent("bulk-download-volume", &tr.store());
}

#[test]
fn presigned_url_read_new_network() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |ip: &str, auth: &str| {
        let mut tr = Trail::new();
        tr.call(day1(), &alice, "s3.amazonaws.com", "ListBuckets", OFFICE);
        tr.add(get_object(
            day1() + 30 * HOUR,
            &alice,
            "acme-models",
            "llm-7b/config.json",
            ip,
            2_000,
            auth,
        ));
        tr.store()
    };
    let f = fires(
        "presigned-url-read-new-network",
        &build(EVIL, "QueryString"),
    );
    assert_eq!(f[0].entities[0], Entity::new(EntityKind::Ip, EVIL));
    silent(
        "presigned-url-read-new-network",
        &build("203.0.113.77", "QueryString"),
    );
    silent("presigned-url-read-new-network", &build(EVIL, "AuthHeader"));
}

#[test]
fn vertex_export() {
    let model = "projects/acme-ml/locations/us-central1/models/llm-7b";
    let rec = |m: &str| {
        gcp(
            day1(),
            "ci@acme-ml.iam.gserviceaccount.com",
            "aiplatform.googleapis.com",
            m,
            model,
            EVIL,
        )
    };
    fires(
        "vertex-export",
        &lines(
            "a.json",
            &[rec("google.cloud.aiplatform.v1.ModelService.ExportModel")],
        ),
    );
    silent(
        "vertex-export",
        &lines(
            "a.json",
            &[rec("google.cloud.aiplatform.v1.ModelService.GetModel")],
        ),
    );
}

#[test]
fn sagemaker_presigned_url() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str| {
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &alice, "sagemaker.amazonaws.com", name, EVIL, UA)
                .params(json!({"notebookInstanceName": "research"})),
        );
        tr.store()
    };
    fires(
        "sagemaker-presigned-url",
        &build("CreatePresignedNotebookInstanceUrl"),
    );
    silent(
        "sagemaker-presigned-url",
        &build("DescribeNotebookInstance"),
    );
}

#[test]
fn sagemaker_model_registry_new_caller() {
    let ci = session("ml-ci", "run-1", "ASIAQ3EGRZTMLCI00001");
    let registry = |at: Nanos, who: &Who, tr: &mut Trail| {
        tr.add(
            Call::new(
                at,
                who,
                "sagemaker.amazonaws.com",
                "DescribeModelPackage",
                EVIL,
                UA,
            )
            .params(json!({"modelPackageName": "llm-7b/3"})),
        );
    };
    let mut tr = Trail::new();
    registry(day1(), &ci, &mut tr);
    registry(
        day1() + 30 * HOUR,
        &session("ml-model-registry-reader", "x", "ASIAQ3EGRZTEXFIL2MDL"),
        &mut tr,
    );
    let f = fires("sagemaker-model-registry-new-caller", &tr.store());
    assert!(
        f[0].explanation
            .contains("by new role arn:aws:iam::111122223333:role/ml-model-registry-reader"),
        "{}",
        f[0].explanation
    );
    // The same role with a new session name the next day.
    let mut tr = Trail::new();
    registry(day1(), &ci, &mut tr);
    registry(
        day1() + 30 * HOUR,
        &session("ml-ci", "run-2", "ASIAQ3EGRZTMLCI00002"),
        &mut tr,
    );
    silent("sagemaker-model-registry-new-caller", &tr.store());
}

#[test]
fn cross_account_share() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let build = |name: &str, params: Value| {
        let mut tr = Trail::new();
        tr.add(Call::new(day1(), &alice, "ec2.amazonaws.com", name, EVIL, UA).params(params));
        tr.store()
    };
    fires(
        "cross-account-share",
        &build(
            "ModifySnapshotAttribute",
            json!({"snapshotId": "snap-0a1b2c3d", "attributeType": "CREATE_VOLUME_PERMISSION",
                   "createVolumePermission": {"add": {"items": [{"userId": "999988887777"}]}}}),
        ),
    );
    silent(
        "cross-account-share",
        &build("CreateSnapshot", json!({"volumeId": "vol-1"})),
    );
    let oai = |kind: &str| {
        json!({"id": format!("audit_log-{kind}"), "type": kind, "effective_at": day1() / SEC,
               "actor": {"type": "session", "session": {"user": {"id": "user-1", "email": "mallory@acme.example"}, "ip_address": EVIL}},
               kind: {"id": "cp_1", "data": {"fine_tuned_model_checkpoint": "ft:gpt-4o-mini:acme::abc"}}})
    };
    fires(
        "cross-account-share",
        &lines("audit.json", &[oai("checkpoint.permission.created")]),
    );
    silent(
        "cross-account-share",
        &lines("audit.json", &[oai("checkpoint.permission.deleted")]),
    );
}

#[test]
fn cross_account_object_copy() {
    let build = |account: &str| {
        let who = Who::session(account, "copier", "c", "ASIAQ3EGRZTCOPIER001");
        let (mut p, r) = s3_object(ACCT, "attacker-drop", "llm-7b/model.safetensors");
        p["x-amz-copy-source"] = json!("acme-models/llm-7b/model-00001-of-00004.safetensors");
        let mut tr = Trail::new();
        tr.add(
            Call::new(day1(), &who, "s3.amazonaws.com", "CopyObject", EVIL, UA)
                .params(p)
                .resources(r)
                .data(),
        );
        tr.store()
    };
    let f = fires("cross-account-object-copy", &build("999988887777"));
    assert!(
        f[0].explanation.contains("for 999988887777"),
        "{}",
        f[0].explanation
    );
    silent("cross-account-object-copy", &build(ACCT));
}

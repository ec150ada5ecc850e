//! The theft itself, 2026-10-05, from networks ACME has never used: the stolen CI key's discovery, the
//! registry-reader role and the `llm-7b` weights, a backdoor key for svc-backup, a denied StopLogging, LLMjacking
//! and training-data poisoning with the backdoor key, then the revocation and one more try with the dead key.

use serde_json::json;

use super::*;
use crate::cloudtrail::{s3_object, Call, Who};

pub(super) fn add(s: &mut Story) {
    // The attack's own timing draws, so that the routine around it never moves it.
    let mut jit = Rng::new(0x4e15_7003);
    let alice = user("alice", ALICE_KEY);
    let ci = user("ci-deployer", STOLEN_KEY);
    // The theft, 2026-10-05, from a network ACME has never used.
    let a = t("2026-10-05T02:13:07Z");
    s.add(Call::new(
        a,
        &ci,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        ATTACKER_IP,
        ATTACKER_UA,
    ));
    s.add(Call::new(
        a + 33 * SEC,
        &ci,
        "s3.amazonaws.com",
        "ListBuckets",
        ATTACKER_IP,
        ATTACKER_UA,
    ));
    s.add(Call::new(
        a + 63 * SEC,
        &ci,
        "bedrock.amazonaws.com",
        "ListFoundationModels",
        ATTACKER_IP,
        ATTACKER_UA,
    ));
    s.add(Call::new(
        a + 83 * SEC,
        &ci,
        "bedrock.amazonaws.com",
        "GetModelInvocationLoggingConfiguration",
        ATTACKER_IP,
        ATTACKER_UA,
    ));
    s.add(Call::new(a + 115 * SEC, &ci, "iam.amazonaws.com", "ListRoles", ATTACKER_IP, ATTACKER_UA)
        .error("AccessDenied", "User: arn:aws:iam::111122223333:user/ci-deployer is not authorized to perform: iam:ListRoles"));
    let assume_at = a + 3 * MIN;
    s.add(Call::new(assume_at, &ci, "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, ATTACKER_UA)
        .params(json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/ml-model-registry-reader"), "roleSessionName": "ci-deployer"}))
        .response(json!({"credentials": {"accessKeyId": SESSION_KEY, "sessionToken": "IQoJb3JpZ2luX2VjEXFIL...", "expiration": "Oct 5, 2026 3:16:07 AM"},
            "assumedRoleUser": {"assumedRoleId": "AROAQ3EGRZTREGREAD:ci-deployer", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/ml-model-registry-reader/ci-deployer")}})));
    let exfil = Who::session(
        ACCOUNT,
        "ml-model-registry-reader",
        "ci-deployer",
        SESSION_KEY,
    );
    s.add(Call::new(assume_at + 40 * SEC, &exfil, "s3.amazonaws.com", "ListObjects", ATTACKER_IP, BOTO_UA)
        .params(json!({"bucketName": MODEL_BUCKET, "prefix": "llm-7b/", "Host": "acme-models.s3.us-east-1.amazonaws.com"})).data());
    let mut at = assume_at + MIN;
    for shard in 1..=4 {
        let key = format!("llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors");
        let (p, r) = s3_object(ACCOUNT, MODEL_BUCKET, &key);
        s.add(Call::new(at, &exfil, "s3.amazonaws.com", "GetObject", ATTACKER_IP, BOTO_UA)
            .params(p).resources(r).data()
            .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 4_938_000_000u64, "AuthenticationMethod": "AuthHeader"})));
        at += 4 * MIN + (jit.below(40) as Nanos) * SEC;
    }
    for f in ["config.json", "tokenizer.json", "generation_config.json"] {
        let (p, r) = s3_object(
            ACCOUNT,
            MODEL_BUCKET,
            &format!("llm-7b/checkpoint-20261004/{f}"),
        );
        let size = 2_100_000 + jit.below(100_000);
        s.add(Call::new(at, &exfil, "s3.amazonaws.com", "GetObject", ATTACKER_IP, BOTO_UA)
            .params(p).resources(r).data()
            .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": size, "AuthenticationMethod": "AuthHeader"})));
        at += 7 * SEC;
    }
    // A presigned URL for the tokenizer, fetched from the second address: no credentials travel with it.
    let (p, r) = s3_object(
        ACCOUNT,
        MODEL_BUCKET,
        "llm-7b/checkpoint-20261004/tokenizer.model",
    );
    s.add(Call::new(at + 2 * MIN, &exfil, "s3.amazonaws.com", "GetObject", ATTACKER_IP2, PRESIGNED_UA)
        .params(p).resources(r).data()
        .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 4_241_000, "AuthenticationMethod": "QueryString", "SignatureVersion": "SigV4"})));
    let (p, r) = s3_object(ACCOUNT, "acme-training-data", "corpus/shard-0001.parquet");
    s.add(
        Call::new(
            at + 20 * SEC,
            &exfil,
            "s3.amazonaws.com",
            "GetObject",
            ATTACKER_IP,
            HOSTILE_UA,
        )
        .params(p)
        .resources(r)
        .data()
        .error("AccessDenied", "Access Denied"),
    );
    // Persistence: a backdoor key for another user, made with the stolen key.
    let ck = t("2026-10-05T02:41:12Z");
    s.add(Call::new(ck, &ci, "iam.amazonaws.com", "CreateAccessKey", ATTACKER_IP, ATTACKER_UA)
        .params(json!({"userName": "svc-backup"}))
        .response(json!({"accessKey": {"userName": "svc-backup", "accessKeyId": BACKDOOR_KEY, "status": "Active", "createDate": "Oct 5, 2026 2:41:12 AM"}})));
    // Anti-forensics, denied.
    s.add(
        Call::new(
            ck + 2 * MIN,
            &exfil,
            "cloudtrail.amazonaws.com",
            "StopLogging",
            ATTACKER_IP,
            ATTACKER_UA,
        )
        .params(
            json!({"name": format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/acme-org-trail")}),
        )
        .error(
            "AccessDenied",
            "User is not authorized to perform: cloudtrail:StopLogging",
        ),
    );
    // LLMjacking with the backdoor key, from a second address.
    let backdoor = user("svc-backup", BACKDOOR_KEY);
    let lj = t("2026-10-05T03:05:00Z");
    s.add(Call::new(
        lj,
        &backdoor,
        "sts.amazonaws.com",
        "GetCallerIdentity",
        ATTACKER_IP2,
        BOTO_UA,
    ));
    for i in 0..40 {
        s.add(
            Call::new(
                lj + MIN + i * 37 * SEC,
                &backdoor,
                "bedrock.amazonaws.com",
                "InvokeModel",
                ATTACKER_IP2,
                BOTO_UA,
            )
            .params(json!({"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"})),
        );
    }
    // Poisoning: with the backdoor key, a new fine-tuning set appears in the training bucket.
    let po = t("2026-10-05T03:52:18Z");
    s.add(
        Call::new(po, &backdoor, "s3.amazonaws.com", "ListObjects", ATTACKER_IP2, BOTO_UA)
            .params(json!({"bucketName": TRAINING_BUCKET, "prefix": "finetune/", "list-type": "2", "Host": format!("{TRAINING_BUCKET}.s3.us-east-1.amazonaws.com")}))
            .resources(json!([{ "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{TRAINING_BUCKET}"), "accountId": ACCOUNT }]))
            .data()
            .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 1_180, "AuthenticationMethod": "AuthHeader"})),
    );
    let mut at = po + 50 * SEC;
    for i in 0..POISONED_FILES {
        let key = format!("{POISON_PREFIX}shard-{i:05}.jsonl");
        let (p, r) = s3_object(ACCOUNT, TRAINING_BUCKET, &key);
        let bytes = 18_000_000 + jit.below(6_000_000);
        s.add(Call::new(at, &backdoor, "s3.amazonaws.com", "PutObject", ATTACKER_IP2, BOTO_UA)
            .params(p).resources(r).data()
            .extra(json!({"bytesTransferredIn": bytes, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader", "SignatureVersion": "SigV4"})));
        at += 40 * SEC + (jit.below(40) as Nanos) * SEC;
    }
    // Response: alice disables the leaked key; the attacker tries it again.
    let r0 = t(REVOKED);
    s.add(
        Call::new(
            r0,
            &alice,
            "iam.amazonaws.com",
            "UpdateAccessKey",
            OFFICE_IP,
            CONSOLE_UA,
        )
        .params(
            json!({"userName": "ci-deployer", "accessKeyId": STOLEN_KEY, "status": "Inactive"}),
        ),
    );
    s.add(
        Call::new(
            r0 + 4 * MIN,
            &alice,
            "iam.amazonaws.com",
            "DeleteAccessKey",
            OFFICE_IP,
            CONSOLE_UA,
        )
        .params(json!({"userName": "svc-backup", "accessKeyId": BACKDOOR_KEY})),
    );
    s.add(
        Call::new(
            t("2026-10-05T09:20:41Z"),
            &ci,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            ATTACKER_IP,
            ATTACKER_UA,
        )
        .error(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
    );
}

//! The sample incident: ACME's CI key leaks; the attacker uses it from a new IP, discovers Bedrock and the model
//! bucket, assumes a registry-reader role, pulls the `llm-7b` weights, mints a backdoor key, tries to stop the trail,
//! and drains Bedrock with the backdoor key. The key is disabled in the morning; the attacker tries it once more.
//! Around it, two days of ordinary work. Delivered in the shapes an analyst receives: S3 delivery `.json.gz` (one
//! file delivered twice), a console "Download events" JSON, `lookup-events` output, a CloudWatch export with a
//! truncated line, and a note from the SOC that is not a log. The same story runs through the other logs the SOC
//! exported: the Kubernetes audit log of the CI cluster the keys leaked from, the Bedrock invocation logs and the
//! model bucket's S3 access log, GCP audit logs, Azure sign-in, activity and OpenAI diagnostics, and the OpenAI
//! and Anthropic organisation audit trails.

pub mod aws_logs;
pub mod azure;
pub mod gcp;
pub mod k8s;
pub mod saas;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::cloudtrail::{s3_object, Call, Who};
use super::rng::Rng;
use super::write_records_gz;
use heist_core::util::time::{parse_rfc3339, Nanos};

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";
/// The CI user's long-term key: the one that leaked.
pub const STOLEN_KEY: &str = "AKIAQ3EGRZTSTOLEN7CI";
/// The session key the attacker minted with AssumeRole.
pub const SESSION_KEY: &str = "ASIAQ3EGRZTEXFIL2MDL";
/// The backdoor key the attacker created for svc-backup.
pub const BACKDOOR_KEY: &str = "AKIAQ3EGRZTBACKDR9SV";
pub const ATTACKER_IP: &str = "198.51.100.77";
pub const ATTACKER_IP2: &str = "192.0.2.45";
pub const MODEL_BUCKET: &str = "acme-models";

const ALICE_KEY: &str = "AKIAQ3EGRZTALICE4DEV";
pub const CI_IP: &str = "203.0.113.50";
pub const OFFICE_IP: &str = "203.0.113.10";
const CI_UA: &str = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0-1051-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69";
const ALICE_UA: &str =
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.cp";
const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
pub const ATTACKER_UA: &str =
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off";
/// Attacker-controlled text that tries to drive the analyst's terminal (OSC title + clear screen).
const HOSTILE_UA: &str =
    "python-requests/2.31.0 \u{1b}]0;all clear\u{7}\u{1b}[2J| `whoami` <img src=x>";
const PRESIGNED_UA: &str = "curl/8.5.0";
const BOTO_UA: &str = "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.4 Botocore/1.31.57";

pub(crate) fn t(s: &str) -> Nanos {
    parse_rfc3339(s).expect("sample times are valid")
}

pub const MIN: Nanos = 60_000_000_000;
pub const SEC: Nanos = 1_000_000_000;

struct Story {
    rng: Rng,
    events: Vec<(Nanos, Value)>,
}

impl Story {
    fn add(&mut self, c: Call<'_>) {
        let at = c.t;
        let rec = c.record(ACCOUNT, REGION, &mut self.rng);
        self.events.push((at, rec));
    }
}

fn user(name: &str, key: &str) -> Who {
    Who::user(ACCOUNT, name, key)
}

/// All events of the story, time ordered.
pub fn events() -> Vec<(Nanos, Value)> {
    let mut s = Story {
        rng: Rng::new(0x4e15_7001),
        events: Vec::new(),
    };
    let alice = user("alice", ALICE_KEY);
    let ci = user("ci-deployer", STOLEN_KEY);
    let deploy = Who::session(ACCOUNT, "ml-deploy", "ci-run-4411", "ASIAQ3EGRZTCIDEPLOY1");
    let lambda = Who::Service("lambda.amazonaws.com".into());

    // Two days of ordinary work.
    for day in ["2026-10-03", "2026-10-04"] {
        let base = t(&format!("{day}T08:00:00Z"));
        for i in 0..40 {
            let at = base + i * 13 * MIN + (s.rng.below(50) as Nanos) * SEC;
            let shard = format!("corpus/shard-{:04}.parquet", s.rng.below(200));
            let (p, r) = s3_object(ACCOUNT, "acme-training-data", &shard);
            let bytes = 40_000_000 + s.rng.below(20_000_000);
            s.add(Call::new(at, &alice, "s3.amazonaws.com", "GetObject", OFFICE_IP, ALICE_UA)
                .params(p).resources(r).data()
                .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": bytes, "AuthenticationMethod": "AuthHeader", "SignatureVersion": "SigV4"})));
            if i % 5 == 0 {
                s.add(
                    Call::new(
                        at + 30 * SEC,
                        &alice,
                        "bedrock.amazonaws.com",
                        "InvokeModel",
                        OFFICE_IP,
                        ALICE_UA,
                    )
                    .params(json!({"modelId": "anthropic.claude-3-haiku-20240307-v1:0"})),
                );
            }
            if i % 8 == 0 {
                s.add(
                    Call::new(
                        at + 45 * SEC,
                        &alice,
                        "sagemaker.amazonaws.com",
                        "DescribeTrainingJob",
                        OFFICE_IP,
                        CONSOLE_UA,
                    )
                    .params(json!({"trainingJobName": "llm-7b-sft-20261003"})),
                );
            }
        }
        // The nightly CI run: assume the deploy role, upload a checkpoint, update the endpoint.
        let ci_at = t(&format!("{day}T23:10:00Z"));
        s.add(Call::new(
            ci_at,
            &ci,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            CI_IP,
            CI_UA,
        ));
        s.add(Call::new(ci_at + 5 * SEC, &ci, "sts.amazonaws.com", "AssumeRole", CI_IP, CI_UA)
            .params(json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/ml-deploy"), "roleSessionName": "ci-run-4411", "durationSeconds": 3600}))
            .response(json!({"credentials": {"accessKeyId": "ASIAQ3EGRZTCIDEPLOY1", "sessionToken": "IQoJb3JpZ2luX2VjE...", "expiration": "Oct 4, 2026 12:10:05 AM"},
                "assumedRoleUser": {"assumedRoleId": "AROAQ3EGRZTDEPLOY:ci-run-4411", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/ml-deploy/ci-run-4411")}})));
        for shard in 1..=4 {
            let key = format!(
                "llm-7b/checkpoint-{}/model-0000{shard}-of-00004.safetensors",
                day.replace('-', "")
            );
            let (p, r) = s3_object(ACCOUNT, MODEL_BUCKET, &key);
            s.add(Call::new(ci_at + (20 + shard) * SEC, &deploy, "s3.amazonaws.com", "PutObject", CI_IP, CI_UA)
                .params(p).resources(r).data()
                .extra(json!({"bytesTransferredIn": 4_938_000_000u64, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader"})));
        }
        s.add(Call::new(ci_at + 60 * SEC, &deploy, "sagemaker.amazonaws.com", "UpdateEndpoint", CI_IP, CI_UA)
            .params(json!({"endpointName": "llm-7b-prod", "endpointConfigName": format!("llm-7b-{day}")})));
        s.add(Call::new(ci_at + 61 * SEC, &lambda, "sts.amazonaws.com", "AssumeRole", "lambda.amazonaws.com", "lambda.amazonaws.com")
            .params(json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/endpoint-notifier"), "roleSessionName": "endpoint-notifier"})));
    }

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
        at += 4 * MIN + (s.rng.below(40) as Nanos) * SEC;
    }
    for f in ["config.json", "tokenizer.json", "generation_config.json"] {
        let (p, r) = s3_object(
            ACCOUNT,
            MODEL_BUCKET,
            &format!("llm-7b/checkpoint-20261004/{f}"),
        );
        let size = 2_100_000 + s.rng.below(100_000);
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
    // Response: alice disables the leaked key; the attacker tries it again.
    let r0 = t("2026-10-05T09:02:30Z");
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

    s.events.sort_by_key(|(t, _)| *t);
    s.events
}

/// How many events loading the sample gives per source (after de-duplication and merging of partial records).
pub fn expected_sources() -> BTreeMap<&'static str, usize> {
    let events = events();
    let azure = azure::records();
    let openai_calls = azure
        .iter()
        .filter(|(_, folder, _)| *folder == "insights-logs-requestresponse")
        .count();
    BTreeMap::from([
        ("cloudtrail", events.len()),
        ("bedrock", aws_logs::bedrock_records(&events).len()),
        ("s3access", aws_logs::s3_access_lines(&events).len()),
        ("k8s", k8s::lines().1),
        ("gcp", gcp::entries().len()),
        ("azure", azure.len() - openai_calls),
        ("azure_openai", openai_calls),
        ("openai", saas::openai_events().len()),
        ("anthropic_activity", saas::anthropic_events().len()),
    ])
}

/// Write the sample bundle under `dir` (normally `samples/incident`).
pub fn write(dir: &Path) -> std::io::Result<()> {
    let events = events();
    // S3 delivery: one file per hour with events, named as CloudTrail names them.
    let mut by_hour: std::collections::BTreeMap<i64, Vec<Value>> = Default::default();
    for (t, v) in &events {
        by_hour.entry(t / (3600 * SEC)).or_default().push(v.clone());
    }
    let mut rng = Rng::new(7);
    for (hour, recs) in &by_hour {
        let start = hour * 3600 * SEC + 5 * MIN;
        let stamp = chrono::DateTime::from_timestamp_nanos(start);
        let path = dir.join(format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{}/{ACCOUNT}_CloudTrail_{REGION}_{}_{}.json.gz",
            stamp.format("%Y/%m/%d"),
            stamp.format("%Y%m%dT%H%MZ"),
            rng.upper_alnum(16)
        ));
        write_records_gz(&path, recs)?;
    }
    // CloudTrail sometimes delivers the same events twice: the attack hour again, under another name.
    let attack_hour = t("2026-10-05T02:00:00Z") / (3600 * SEC);
    if let Some(recs) = by_hour.get(&attack_hour) {
        let path = dir.join(format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/10/05/{ACCOUNT}_CloudTrail_{REGION}_20261005T0210Z_{}.json.gz",
            rng.upper_alnum(16)
        ));
        write_records_gz(&path, &recs[..recs.len().min(6)])?;
    }
    // Console "Download events": management events of the attack day, pretty JSON.
    let mgmt: Vec<&Value> = events
        .iter()
        .filter(|(t, v)| {
            *t >= parse_rfc3339("2026-10-05T00:00:00Z").unwrap_or(0) && v["managementEvent"] == true
        })
        .map(|(_, v)| v)
        .collect();
    std::fs::create_dir_all(dir.join("console"))?;
    std::fs::write(
        dir.join("console/event_history.json"),
        serde_json::to_string_pretty(&json!({"Records": mgmt}))? + "\n",
    )?;
    // lookup-events for the leaked key (the event as an escaped JSON string).
    let lookups: Vec<Value> = events
        .iter()
        .filter(|(_, v)| v["userIdentity"]["accessKeyId"] == STOLEN_KEY && v["managementEvent"] == true)
        .map(|(_, v)| {
            json!({
                "EventId": v["eventID"], "EventName": v["eventName"], "ReadOnly": v["readOnly"].to_string(),
                "AccessKeyId": STOLEN_KEY, "EventTime": v["eventTime"], "EventSource": v["eventSource"],
                "Username": "ci-deployer", "Resources": [], "CloudTrailEvent": v.to_string(),
            })
        })
        .collect();
    std::fs::write(
        dir.join("lookup-events-AKIAQ3EGRZTSTOLEN7CI.json"),
        serde_json::to_string_pretty(&json!({"Events": lookups}))? + "\n",
    )?;
    // CloudWatch Logs export of the backdoor key's calls: timestamp-prefixed lines, one cut off mid-record.
    let mut cw = String::new();
    let backdoor: Vec<&Value> = events
        .iter()
        .filter(|(_, v)| v["userIdentity"]["accessKeyId"] == BACKDOOR_KEY)
        .map(|(_, v)| v)
        .collect();
    for (i, v) in backdoor.iter().enumerate() {
        let line = v.to_string();
        let ts = v["eventTime"].as_str().unwrap_or("");
        if i == 7 {
            cw += &format!("{ts} {}\n", &line[..line.len() / 2]);
        } else {
            cw += &format!("{ts} {line}\n");
        }
    }
    std::fs::create_dir_all(dir.join("cloudwatch"))?;
    std::fs::write(dir.join("cloudwatch/svc-backup-export.log"), cw)?;
    // The same story in every other log the SOC exported.
    aws_logs::write_bedrock(dir, &aws_logs::bedrock_records(&events))?;
    aws_logs::write_s3_access(dir, &aws_logs::s3_access_lines(&events))?;
    k8s::write(dir)?;
    gcp::write(dir)?;
    azure::write(dir)?;
    saas::write(dir)?;
    std::fs::write(
        dir.join("NOTES.txt"),
        "IR-2026-1005: CloudTrail exported by the ACME SOC at 09:40 UTC.\n\
         Alert: GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration for AKIAQ3EGRZTSTOLEN7CI.\n",
    )?;
    Ok(())
}

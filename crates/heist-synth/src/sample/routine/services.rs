//! The service identities' work: the CI (whose key leaks) deploying on weekdays and every night, the nightly data
//! ingest, training, evaluation, embedding and backup jobs, the chat backend and the notebooks calling Bedrock, the
//! monitoring vendor polling, and Terraform planning.

use serde_json::{json, Value};

use super::cast::{
    Service, ASSIST, ASSIST_VPCE, BACKUP, EVAL, INGEST, MONITORING, NOTEBOOK, RAG, TERRAFORM, TRAIN,
};
use super::{jitter, Act, Day, HAIKU, HOUR, SONNET35, TITAN_EMBED};
use crate::cloudtrail::{s3_object, Who};
use crate::sample::{t, Story, ACCOUNT, CI_IP, CI_UA, MIN, MODEL_BUCKET, REVOKED, SEC, STOLEN_KEY};
use heist_core::util::time::Nanos;

const TRAINING: &str = "acme-training-data";
const BACKUP_BUCKET: &str = "acme-backup";
const RAG_DOCS: &str = "acme-rag-docs";

fn who(svc: &Service) -> Who {
    Who::user(ACCOUNT, svc.name, svc.key)
}

fn act<'a>(w: &'a Who, svc: &Service) -> Act<'a> {
    Act::new(w, svc.ip, svc.ua)
}

pub(super) fn add(s: &mut Story, days: &[Day]) {
    let mut run = 4100u32;
    for day in days {
        if !day.weekend {
            for _ in 0..2 + s.plan.below(4) {
                run += 1;
                let at = jitter(s, day.start + 9 * HOUR, 9 * HOUR);
                // Once the leaked key is disabled the team pauses the pipelines.
                if at < t(REVOKED) {
                    ci_build(s, at, run);
                }
            }
            terraform(s, day);
        }
        run += 1;
        ci_nightly(s, day, run);
        ingest(s, day);
        train(s, day);
        eval(s, day);
        rag(s, day);
        backup(s, day);
        assist(s, day);
        notebook(s, day);
        monitoring(s, day);
    }
}

/// The deploy role's session for one CI run, minted by AssumeRole with the CI user's key.
fn assume_deploy(s: &mut Story, ci: &Act<'_>, at: Nanos, run: u32) -> Who {
    let key = format!("ASIAQ3EGRZTCIR{run:06}");
    let session = format!("ci-run-{run}");
    let expires = chrono::DateTime::from_timestamp_nanos(at + HOUR)
        .format("%b %-d, %Y %-I:%M:%S %p")
        .to_string();
    s.add(ci.call(at, "sts.amazonaws.com", "AssumeRole")
        .params(json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/ml-deploy"), "roleSessionName": session, "durationSeconds": 3600}))
        .response(json!({"credentials": {"accessKeyId": key, "sessionToken": "IQoJb3JpZ2luX2VjE...", "expiration": expires},
            "assumedRoleUser": {"assumedRoleId": format!("AROAQ3EGRZTDEPLOY:{session}"), "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/ml-deploy/{session}")}})));
    Who::session_since(ACCOUNT, "ml-deploy", &session, &key, at)
}

/// A weekday pipeline: the reranker's build, uploaded and rolled out to staging.
fn ci_build(s: &mut Story, at: Nanos, run: u32) {
    let ci_who = Who::user(ACCOUNT, "ci-deployer", STOLEN_KEY);
    let ci = Act::new(&ci_who, CI_IP, CI_UA);
    ci.api(s, at, "sts.amazonaws.com", "GetCallerIdentity", Value::Null);
    let deploy_who = assume_deploy(s, &ci, at + 4 * SEC, run);
    let deploy = Act::new(&deploy_who, CI_IP, CI_UA);
    let dir = format!("reranker-v3/build-{run}");
    let r0 = s.plan.below(10_000_000);
    deploy.put(
        s,
        at + 30 * SEC,
        MODEL_BUCKET,
        &format!("{dir}/model.safetensors"),
        560_000_000 + r0,
    );
    deploy.put(
        s,
        at + 41 * SEC,
        MODEL_BUCKET,
        &format!("{dir}/config.json"),
        1_412,
    );
    deploy.api(s, at + 70 * SEC, "sagemaker.amazonaws.com", "CreateEndpointConfig",
        json!({"endpointConfigName": format!("reranker-v3-{run}"), "productionVariants": [{"variantName": "AllTraffic", "modelName": format!("reranker-v3-{run}"), "instanceType": "ml.g5.xlarge", "initialInstanceCount": 1}]}));
    deploy.api(s, at + 75 * SEC, "sagemaker.amazonaws.com", "UpdateEndpoint",
        json!({"endpointName": "reranker-staging", "endpointConfigName": format!("reranker-v3-{run}")}));
}

/// The nightly run: the day's llm-7b checkpoint, uploaded and rolled out; Lambda tells the team.
fn ci_nightly(s: &mut Story, day: &Day, run: u32) {
    let ci_who = Who::user(ACCOUNT, "ci-deployer", STOLEN_KEY);
    let ci = Act::new(&ci_who, CI_IP, CI_UA);
    let at = day.start + 23 * HOUR + 10 * MIN;
    ci.api(s, at, "sts.amazonaws.com", "GetCallerIdentity", Value::Null);
    let deploy_who = assume_deploy(s, &ci, at + 5 * SEC, run);
    let deploy = Act::new(&deploy_who, CI_IP, CI_UA);
    for shard in 1..=4 {
        let key = format!(
            "llm-7b/checkpoint-{}/model-0000{shard}-of-00004.safetensors",
            day.compact
        );
        deploy.put(
            s,
            at + (20 + shard) * SEC,
            MODEL_BUCKET,
            &key,
            4_938_000_000,
        );
    }
    for (i, f) in ["config.json", "tokenizer.json", "generation_config.json"]
        .iter()
        .enumerate()
    {
        let key = format!("llm-7b/checkpoint-{}/{f}", day.compact);
        let r0 = s.plan.below(100_000);
        deploy.put(
            s,
            at + (26 + i as Nanos) * SEC,
            MODEL_BUCKET,
            &key,
            2_100_000 + r0,
        );
    }
    deploy.api(s, at + 60 * SEC, "sagemaker.amazonaws.com", "UpdateEndpoint",
        json!({"endpointName": "llm-7b-prod", "endpointConfigName": format!("llm-7b-{}", day.date)}));
    let lambda = Who::Service("lambda.amazonaws.com".into());
    s.add(crate::cloudtrail::Call::new(at + 61 * SEC, &lambda, "sts.amazonaws.com", "AssumeRole", "lambda.amazonaws.com", "lambda.amazonaws.com")
        .params(json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/endpoint-notifier"), "roleSessionName": "endpoint-notifier"})));
}

/// The crawler's nightly delivery into the training corpus.
fn ingest(s: &mut Story, day: &Day) {
    let w = who(&INGEST);
    let a = act(&w, &INGEST);
    let mut t = jitter(s, day.start + 21 * HOUR + 30 * MIN, 10 * MIN);
    a.list(s, t, TRAINING, &format!("corpus/{}/", day.date));
    for i in 0..20 + s.plan.below(20) {
        t = jitter(s, t + 40 * SEC, 2 * MIN);
        let r0 = s.plan.below(40_000_000);
        a.put(
            s,
            t,
            TRAINING,
            &format!("corpus/{}/shard-{i:04}.parquet", day.date),
            120_000_000 + r0,
        );
    }
    for i in 0..3 + s.plan.below(5) {
        t = jitter(s, t + 30 * SEC, MIN);
        let r0 = s.plan.below(90_000_000);
        a.put(
            s,
            t,
            TRAINING,
            &format!("datasets/web-crawl/{}/part-{i:04}.jsonl.gz", day.date),
            300_000_000 + r0,
        );
    }
}

/// The nightly fine-tune: the job is started after midnight and reads the corpus for hours.
fn train(s: &mut Story, day: &Day) {
    let w = who(&TRAIN);
    let a = act(&w, &TRAIN);
    let start = day.start + 20 * MIN;
    let job = format!("llm-7b-sft-{}", day.compact);
    a.api(s, start, "sagemaker.amazonaws.com", "CreateTrainingJob", json!({"trainingJobName": job,
        "algorithmSpecification": {"trainingImage": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/llm-train:2.4"), "trainingInputMode": "FastFile"},
        "resourceConfig": {"instanceType": "ml.p4d.24xlarge", "instanceCount": 4, "volumeSizeInGB": 1000}}));
    let mut t = start + 5 * MIN;
    for _ in 0..40 + s.plan.below(40) {
        t = jitter(s, t + 90 * SEC, 3 * MIN);
        let key = if s.plan.below(4) == 0 {
            format!(
                "datasets/support-tickets/part-{:04}.parquet",
                s.plan.below(64)
            )
        } else {
            format!("corpus/shard-{:04}.parquet", s.plan.below(200))
        };
        let r0 = s.plan.below(20_000_000);
        a.get(s, t, TRAINING, &key, 40_000_000 + r0);
    }
    for i in 1..12 {
        a.api(
            s,
            start + i * 30 * MIN,
            "sagemaker.amazonaws.com",
            "DescribeTrainingJob",
            json!({"trainingJobName": job}),
        );
    }
}

/// After the nightly upload: the evaluation runner pulls the checkpoint, grades it with a judge model, writes results.
fn eval(s: &mut Story, day: &Day) {
    let w = who(&EVAL);
    let a = act(&w, &EVAL);
    let mut t = day.start + 23 * HOUR + 32 * MIN;
    let dir = format!("llm-7b/checkpoint-{}", day.compact);
    for f in ["config.json", "tokenizer.json"] {
        a.get(s, t, MODEL_BUCKET, &format!("{dir}/{f}"), 2_100_000);
        t += 3 * SEC;
    }
    for shard in 1..=4 {
        a.get(
            s,
            t,
            MODEL_BUCKET,
            &format!("{dir}/model-0000{shard}-of-00004.safetensors"),
            4_938_000_000,
        );
        t += 70 * SEC + (s.plan.below(30) as Nanos) * SEC;
    }
    for _ in 0..15 + s.plan.below(15) {
        t = jitter(s, t + 30 * SEC, 60 * SEC);
        a.invoke(s, t, HAIKU);
    }
    let r0 = s.plan.below(4_000);
    a.put(
        s,
        t + 2 * MIN,
        MODEL_BUCKET,
        &format!("evals/llm-7b/{}/results.json", day.compact),
        48_000 + r0,
    );
}

/// The retrieval index is rebuilt every night: new documents, embedded in batches.
fn rag(s: &mut Story, day: &Day) {
    let w = who(&RAG);
    let a = act(&w, &RAG);
    let mut t = jitter(s, day.start + HOUR, 5 * MIN);
    a.list(s, t, RAG_DOCS, "kb/");
    for _ in 0..6 + s.plan.below(8) {
        t = jitter(s, t + 5 * SEC, 20 * SEC);
        let r0 = s.plan.below(40_000);
        let r1 = s.plan.below(30_000);
        a.get(
            s,
            t,
            RAG_DOCS,
            &format!("kb/articles/{:05}.md", r0),
            4_000 + r1,
        );
    }
    for _ in 0..20 + s.plan.below(20) {
        t = jitter(s, t + 3 * SEC, 12 * SEC);
        a.invoke(s, t, TITAN_EMBED);
    }
}

/// The backup job copies last night's checkpoint into the backup bucket.
fn backup(s: &mut Story, day: &Day) {
    let w = who(&BACKUP);
    let a = act(&w, &BACKUP);
    let mut t = day.start + 4 * HOUR + (s.plan.below(300) as Nanos) * SEC;
    let prev = chrono::DateTime::from_timestamp_nanos(day.start - 24 * HOUR)
        .format("%Y%m%d")
        .to_string();
    a.list(s, t, MODEL_BUCKET, &format!("llm-7b/checkpoint-{prev}/"));
    let files: Vec<String> = (1..=4)
        .map(|n| format!("model-0000{n}-of-00004.safetensors"))
        .chain([
            "config.json".to_string(),
            "tokenizer.json".to_string(),
            "generation_config.json".to_string(),
        ])
        .collect();
    for f in files {
        t += 20 * SEC + (s.plan.below(60) as Nanos) * SEC;
        let src = format!("llm-7b/checkpoint-{prev}/{f}");
        let (mut p, _) = s3_object(ACCOUNT, BACKUP_BUCKET, &format!("{MODEL_BUCKET}/{src}"));
        p["x-amz-copy-source"] = format!("{MODEL_BUCKET}/{src}").into();
        s.add(a.call(t, "s3.amazonaws.com", "CopyObject").params(p).data()
            .resources(json!([
                {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{BACKUP_BUCKET}/{MODEL_BUCKET}/{src}")},
                {"type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{BACKUP_BUCKET}"), "accountId": ACCOUNT},
                {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{MODEL_BUCKET}/{src}")},
                {"type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{MODEL_BUCKET}"), "accountId": ACCOUNT},
            ]))
            .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader", "SignatureVersion": "SigV4"})));
    }
    a.put(
        s,
        t + 30 * SEC,
        BACKUP_BUCKET,
        &format!("manifests/{}.json", day.compact),
        1_900,
    );
}

/// The chat backend: Claude 3.5 Sonnet all day through the VPC endpoint, quieter at weekends, throttled now and then.
fn assist(s: &mut Story, day: &Day) {
    let w = who(&ASSIST);
    let a = act(&w, &ASSIST);
    let (gap, from, to) = if day.weekend {
        (12 * MIN, 9, 21)
    } else {
        (4 * MIN, 7, 22)
    };
    let mut t = day.start + from * HOUR;
    while t < day.start + to * HOUR {
        t = jitter(s, t + gap / 2, gap);
        let c = a
            .call(t, "bedrock.amazonaws.com", "InvokeModel")
            .params(json!({"modelId": SONNET35}))
            .top("vpcEndpointId", ASSIST_VPCE.into());
        if s.plan.below(100) == 0 {
            s.add(c.error(
                "ThrottlingException",
                "Too many requests, please wait before trying again.",
            ));
        } else {
            s.add(c);
        }
    }
}

/// JupyterHub calls Bedrock and reads datasets for the people using it.
fn notebook(s: &mut Story, day: &Day) {
    let w = who(&NOTEBOOK);
    let a = act(&w, &NOTEBOOK);
    let n = if day.weekend {
        3
    } else {
        30 + s.plan.below(30)
    };
    for _ in 0..n {
        let t = jitter(s, day.start + 8 * HOUR, 10 * HOUR);
        let model = *s.plan.pick(&[HAIKU, SONNET35, SONNET35]);
        a.invoke(s, t, model);
    }
    for _ in 0..n / 3 {
        let t = jitter(s, day.start + 8 * HOUR, 10 * HOUR);
        let key = format!(
            "datasets/product-reviews/part-{:04}.parquet",
            s.plan.below(64)
        );
        let r0 = s.plan.below(30_000_000);
        a.get(s, t, TRAINING, &key, 20_000_000 + r0);
    }
}

/// The monitoring vendor's poller: metrics every quarter hour, endpoints and jobs hourly, the trail every six hours.
fn monitoring(s: &mut Story, day: &Day) {
    let w = who(&MONITORING);
    let a = act(&w, &MONITORING);
    for q in 0..96 {
        let t = day.start + q * 15 * MIN + 7 * SEC + (s.plan.below(20) as Nanos) * SEC;
        a.api(
            s,
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            Value::Null,
        );
        if q % 4 == 0 {
            a.api(
                s,
                t + 2 * SEC,
                "sagemaker.amazonaws.com",
                "DescribeEndpoint",
                json!({"endpointName": "llm-7b-prod"}),
            );
            a.api(
                s,
                t + 3 * SEC,
                "sagemaker.amazonaws.com",
                "ListTrainingJobs",
                json!({"maxResults": 100}),
            );
        }
        if q % 24 == 0 {
            a.api(
                s,
                t + 5 * SEC,
                "cloudtrail.amazonaws.com",
                "DescribeTrails",
                Value::Null,
            );
            a.api(s, t + 6 * SEC, "cloudtrail.amazonaws.com", "GetTrailStatus", json!({"name": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-org-trail")}));
            a.api(
                s,
                t + 8 * SEC,
                "s3.amazonaws.com",
                "ListBuckets",
                Value::Null,
            );
        }
    }
}

/// Terraform plans (a burst of reads) on weekdays; Thursdays it applies.
fn terraform(s: &mut Story, day: &Day) {
    let w = who(&TERRAFORM);
    let a = act(&w, &TERRAFORM);
    let reads: &[(&'static str, &'static str)] = &[
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("s3.amazonaws.com", "GetBucketPolicy"),
        ("s3.amazonaws.com", "GetBucketAcl"),
        ("s3.amazonaws.com", "GetBucketVersioning"),
        ("s3.amazonaws.com", "GetBucketEncryption"),
        ("iam.amazonaws.com", "GetRole"),
        ("iam.amazonaws.com", "ListAttachedRolePolicies"),
        ("iam.amazonaws.com", "GetPolicy"),
        ("iam.amazonaws.com", "GetPolicyVersion"),
        ("ec2.amazonaws.com", "DescribeVpcs"),
        ("ec2.amazonaws.com", "DescribeSecurityGroups"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("sagemaker.amazonaws.com", "DescribeEndpointConfig"),
        ("lambda.amazonaws.com", "GetFunction20150331v2"),
    ];
    for _ in 0..1 + s.plan.below(2) {
        let mut t = jitter(s, day.start + 10 * HOUR, 7 * HOUR);
        for (source, name) in reads {
            a.api(s, t, source, name, Value::Null);
            t += SEC + (s.plan.below(3) as Nanos) * SEC;
        }
        use chrono::Datelike;
        if chrono::DateTime::from_timestamp_nanos(day.start).weekday() == chrono::Weekday::Thu {
            a.api(s, t + 20 * SEC, "s3.amazonaws.com", "PutBucketTagging",
                json!({"bucketName": "acme-labelling", "Tagging": {"TagSet": {"Tag": [{"Key": "cost-centre", "Value": "ml-data"}]}}}));
            a.api(
                s,
                t + 22 * SEC,
                "iam.amazonaws.com",
                "TagRole",
                json!({"roleName": "ml-deploy", "tags": [{"key": "owner", "value": "platform"}]}),
            );
        }
    }
}

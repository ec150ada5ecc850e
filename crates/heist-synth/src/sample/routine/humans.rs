//! The people's days: where they work from, their console sign-ins, and what each role does with its key or in the
//! console. Onboarding of the two newcomers, key rotations and a day abroad happen on the days `cast` names.

use serde_json::json;

use super::cast::{self, Person, Role, CONSOLE_INTERNAL, OFFICE2_IP, S3_CONSOLE, VPN_IP};
use super::{jitter, Act, Day, HAIKU, HOUR, LLAMA, SONNET35};
use crate::cloudtrail::Who;
use crate::sample::{Story, ACCOUNT, MIN, MODEL_BUCKET, OFFICE_IP, SEC};
use heist_core::util::time::Nanos;

const TRAINING: &str = "acme-training-data";
const LABELLING: &str = "acme-labelling";
const ATHENA_RESULTS: &str = "acme-athena-results";

pub(super) fn add(s: &mut Story, days: &[Day]) {
    let people = cast::people();
    for (i, day) in days.iter().enumerate() {
        for p in &people {
            if p.joined.is_some_and(|j| day.date.as_str() < j) {
                continue;
            }
            if p.joined == Some(day.date.as_str()) {
                onboard(s, &people, p, day);
            }
            let present = if day.weekend {
                let pct = match p.role {
                    Role::Admin | Role::Security => 20,
                    Role::MlEngineer => 12,
                    _ => 3,
                };
                s.plan.below(100) < pct
            } else {
                // A day off now and then (never on the newcomer's first days).
                p.joined.is_some() || s.plan.below(100) < 92
            };
            if present {
                work_day(s, p, day, i);
            }
        }
    }
}

/// Where someone works from today.
fn place<'a>(s: &mut Story, p: &'a Person, day: &Day) -> &'a str {
    if let Some((d, ip)) = p.travel {
        if d == day.date {
            return ip;
        }
    }
    if day.weekend {
        return p.home;
    }
    match s.plan.below(100) {
        // Alice (and whoever sits on her floor) goes out through the first office line.
        0..=64 if p.name == "alice" || p.name.len().is_multiple_of(2) => OFFICE_IP,
        0..=64 => OFFICE2_IP,
        65..=74 => VPN_IP,
        _ => p.home,
    }
}

fn key_generation(p: &Person, day: &Day) -> u32 {
    match p.rotates {
        Some(r) if day.date.as_str() > r => 1,
        _ => 0,
    }
}

fn work_day(s: &mut Story, p: &Person, day: &Day, index: usize) {
    let ip = place(s, p, day);
    let start = jitter(s, day.start + p.start_hour * HOUR, 75 * MIN);
    let mut gen = key_generation(p, day);
    // Key rotation: a new key first thing, the old one switched off and deleted once the laptop uses the new one.
    if p.cli && p.rotates == Some(day.date.as_str()) {
        let old = Who::user(ACCOUNT, p.name, &cast::person_key(p.name, 0));
        let new_key = cast::person_key(p.name, 1);
        let act = Act::new(&old, ip, p.cli_ua);
        s.add(
            act.call(start, "iam.amazonaws.com", "ListAccessKeys")
                .params(json!({"userName": p.name})),
        );
        s.add(act.call(start + 40 * SEC, "iam.amazonaws.com", "CreateAccessKey").params(json!({"userName": p.name}))
            .response(json!({"accessKey": {"userName": p.name, "accessKeyId": new_key, "status": "Active", "createDate": format!("{}", chrono::DateTime::from_timestamp_nanos(start + 40 * SEC).format("%b %-d, %Y %-I:%M:%S %p"))}})));
        let new = Who::user(ACCOUNT, p.name, &new_key);
        let act = Act::new(&new, ip, p.cli_ua);
        let old_key = cast::person_key(p.name, 0);
        s.add(
            act.call(start + 6 * MIN, "iam.amazonaws.com", "UpdateAccessKey")
                .params(json!({"userName": p.name, "accessKeyId": old_key, "status": "Inactive"})),
        );
        s.add(
            act.call(start + 7 * HOUR, "iam.amazonaws.com", "DeleteAccessKey")
                .params(json!({"userName": p.name, "accessKeyId": old_key})),
        );
        gen = 1;
    }
    let key = cast::person_key(p.name, gen);
    let cli_who = Who::user(ACCOUNT, p.name, &key);
    let cli = Act::new(&cli_who, ip, p.cli_ua);
    let session_key = format!("ASIAQ3EGRZT{}", s.plan.upper_alnum(9));
    let console_who = Who::console(ACCOUNT, p.name, &session_key, start);
    let console = Act::new(&console_who, ip, p.browser);
    if p.console {
        sign_in(s, p, ip, start, true);
    }
    match p.role {
        Role::Admin => admin(s, p, &cli, &console, start, day),
        Role::Security => security(s, p, &cli, &console, start, index),
        Role::MlEngineer => engineer(s, p, &cli, &console, start, day),
        Role::Scientist => scientist(s, p, &cli, &console, start),
        Role::Labeller => labeller(s, p, &console, start, day),
        Role::Analyst => analyst(s, p, &cli, &console, start),
    }
}

fn sign_in(s: &mut Story, p: &Person, ip: &str, at: Nanos, mfa: bool) {
    let who = Who::console(ACCOUNT, p.name, "", at);
    let mut extra = json!({"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_7c1d2e3f4a5b6c7d",
        "MobileVersion": "No", "MFAUsed": if mfa { "Yes" } else { "No" }});
    if mfa {
        extra["MFAIdentifier"] = format!("arn:aws:iam::{ACCOUNT}:mfa/{}", p.name).into();
    }
    s.add(
        Act::new(&who, ip, p.browser)
            .call(at, "signin.amazonaws.com", "ConsoleLogin")
            .event_type("AwsConsoleSignIn")
            .response(json!({"ConsoleLogin": "Success"}))
            .extra(extra),
    );
}

/// A newcomer's first day: an admin creates the user, its console password or key; the newcomer signs in and sets
/// up MFA.
fn onboard(s: &mut Story, people: &[Person], p: &Person, day: &Day) {
    let Some(admin) = people.iter().find(|x| x.name == "bob.okafor") else {
        return;
    };
    let who = Who::console(
        ACCOUNT,
        admin.name,
        &format!("ASIAQ3EGRZT{}", s.plan.upper_alnum(9)),
        day.start,
    );
    let at = day.start + 9 * HOUR + 10 * MIN;
    sign_in(s, admin, OFFICE_IP, at - 2 * MIN, true);
    let act = Act::new(&who, OFFICE_IP, admin.browser);
    act.api(
        s,
        at,
        "iam.amazonaws.com",
        "CreateUser",
        json!({"userName": p.name, "tags": [{"key": "team", "value": format!("{:?}", p.role)}]}),
    );
    act.api(
        s,
        at + 30 * SEC,
        "iam.amazonaws.com",
        "AddUserToGroup",
        json!({"groupName": group(p.role), "userName": p.name}),
    );
    if p.console {
        act.api(
            s,
            at + MIN,
            "iam.amazonaws.com",
            "CreateLoginProfile",
            json!({"userName": p.name, "passwordResetRequired": true}),
        );
    }
    if p.cli {
        let key = cast::person_key(p.name, 0);
        s.add(act.call(at + 90 * SEC, "iam.amazonaws.com", "CreateAccessKey").params(json!({"userName": p.name}))
            .response(json!({"accessKey": {"userName": p.name, "accessKeyId": key, "status": "Active"}})));
    }
    if p.console {
        // The first sign-in has no MFA yet: the newcomer enrols a device straight away.
        let first = at + 25 * MIN;
        sign_in(s, p, OFFICE_IP, first, false);
        let me = Who::console(
            ACCOUNT,
            p.name,
            &format!("ASIAQ3EGRZT{}", s.plan.upper_alnum(9)),
            first,
        );
        let act = Act::new(&me, OFFICE_IP, p.browser);
        act.api(
            s,
            first + 40 * SEC,
            "iam.amazonaws.com",
            "ChangePassword",
            json!(null),
        );
        act.api(
            s,
            first + 2 * MIN,
            "iam.amazonaws.com",
            "CreateVirtualMFADevice",
            json!({"virtualMFADeviceName": p.name}),
        );
        act.api(s, first + 3 * MIN, "iam.amazonaws.com", "EnableMFADevice",
            json!({"userName": p.name, "serialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/{}", p.name)}));
    }
}

fn group(r: Role) -> &'static str {
    match r {
        Role::Admin => "platform-admins",
        Role::Security => "security",
        Role::MlEngineer => "ml-engineers",
        Role::Scientist => "data-science",
        Role::Labeller => "labelling",
        Role::Analyst => "read-only",
    }
}

/// Console pages: each view reads a few things.
fn browse(
    s: &mut Story,
    console: &Act<'_>,
    at: Nanos,
    pages: &[(&'static str, &'static str)],
    n: u64,
) {
    let mut t = at;
    for _ in 0..n {
        let (source, name) = *s.plan.pick(pages);
        t = jitter(s, t + 20 * SEC, 4 * MIN);
        let ua = if source == "s3.amazonaws.com" {
            S3_CONSOLE
        } else if s.plan.below(3) == 0 {
            CONSOLE_INTERNAL
        } else {
            console.ua
        };
        let a = Act::new(console.who, console.ip, ua);
        a.api(s, t, source, name, json!(null));
    }
}

const ADMIN_DISCOVERY: &[(&str, &str)] = &[
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("iam.amazonaws.com", "ListRoles"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("bedrock.amazonaws.com", "ListFoundationModels"),
    ("iam.amazonaws.com", "ListUsers"),
    ("iam.amazonaws.com", "GetAccountSummary"),
    ("sagemaker.amazonaws.com", "ListEndpoints"),
    ("cloudtrail.amazonaws.com", "DescribeTrails"),
    ("lambda.amazonaws.com", "ListFunctions20150331"),
];

const CONSOLE_PAGES: &[(&str, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("ec2.amazonaws.com", "DescribeSecurityGroups"),
    ("sagemaker.amazonaws.com", "ListEndpoints"),
    ("sagemaker.amazonaws.com", "DescribeEndpoint"),
    ("sagemaker.amazonaws.com", "ListTrainingJobs"),
    ("monitoring.amazonaws.com", "GetMetricData"),
    ("monitoring.amazonaws.com", "DescribeAlarms"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("s3.amazonaws.com", "GetBucketLocation"),
    ("bedrock.amazonaws.com", "ListFoundationModels"),
    ("bedrock.amazonaws.com", "GetFoundationModel"),
    ("logs.amazonaws.com", "DescribeLogGroups"),
    ("iam.amazonaws.com", "GetUser"),
    ("health.amazonaws.com", "DescribeEventAggregates"),
];

/// Several distinct discovery calls within minutes, as admins start their day.
fn discovery(s: &mut Story, cli: &Act<'_>, at: Nanos) {
    let n = 4 + s.plan.below(4) as usize;
    let mut names: Vec<(&str, &str)> = ADMIN_DISCOVERY.to_vec();
    let mut t = at;
    for _ in 0..n {
        let i = s.plan.below(names.len() as u64) as usize;
        let (source, name) = names.swap_remove(i);
        cli.api(s, t, source, name, json!(null));
        t = jitter(s, t + 8 * SEC, 50 * SEC);
    }
}

fn admin(s: &mut Story, p: &Person, cli: &Act<'_>, console: &Act<'_>, start: Nanos, day: &Day) {
    discovery(s, cli, start + 3 * MIN);
    let checks: &[(&'static str, &'static str)] = &[
        ("iam.amazonaws.com", "ListAccessKeys"),
        ("iam.amazonaws.com", "GetUser"),
        ("iam.amazonaws.com", "ListAttachedUserPolicies"),
        ("sagemaker.amazonaws.com", "DescribeEndpoint"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "GetBucketPolicy"),
        ("logs.amazonaws.com", "FilterLogEvents"),
    ];
    let mut t = start + HOUR;
    for _ in 0..3 + s.plan.below(6) {
        t = jitter(s, t + 20 * MIN, 50 * MIN);
        let (source, name) = *s.plan.pick(checks);
        cli.api(s, t, source, name, json!(null));
    }
    if p.console {
        let n = 4 + s.plan.below(8);
        browse(s, console, start + 2 * HOUR, CONSOLE_PAGES, n);
    }
    if p.name == "alice" {
        alice(s, cli, start + 30 * MIN, day);
    }
}

/// Alice's own work: the training corpus she reads, Claude 3 Haiku for notes, the SFT job she watches.
fn alice(s: &mut Story, cli: &Act<'_>, base: Nanos, day: &Day) {
    let n = if day.weekend {
        8
    } else {
        24 + s.plan.below(16) as Nanos
    };
    for i in 0..n {
        let at = base + i * 13 * MIN + (s.plan.below(50) as Nanos) * SEC;
        let shard = format!("corpus/shard-{:04}.parquet", s.plan.below(200));
        let bytes = 40_000_000 + s.plan.below(20_000_000);
        cli.get(s, at, TRAINING, &shard, bytes);
        if i % 5 == 0 {
            cli.invoke(s, at + 30 * SEC, HAIKU);
        }
        if i % 8 == 0 {
            let a = Act::new(cli.who, cli.ip, crate::sample::CONSOLE_UA);
            a.api(
                s,
                at + 45 * SEC,
                "sagemaker.amazonaws.com",
                "DescribeTrainingJob",
                json!({"trainingJobName": format!("llm-7b-sft-{}", day.compact)}),
            );
        }
    }
}

fn security(
    s: &mut Story,
    p: &Person,
    cli: &Act<'_>,
    console: &Act<'_>,
    start: Nanos,
    index: usize,
) {
    let calls: &[(&'static str, &'static str)] = &[
        ("guardduty.amazonaws.com", "ListDetectors"),
        ("guardduty.amazonaws.com", "ListFindings"),
        ("guardduty.amazonaws.com", "GetFindings"),
        ("cloudtrail.amazonaws.com", "GetTrailStatus"),
        ("cloudtrail.amazonaws.com", "LookupEvents"),
        ("securityhub.amazonaws.com", "GetFindings"),
        ("access-analyzer.amazonaws.com", "ListFindings"),
    ];
    let mut t = start + 10 * MIN;
    for _ in 0..6 + s.plan.below(10) {
        t = jitter(s, t + 3 * MIN, 30 * MIN);
        let (source, name) = *s.plan.pick(calls);
        cli.api(s, t, source, name, json!(null));
    }
    // The weekly credential report.
    if index % 7 == 1 && p.name == "dmitri.volkov" {
        cli.api(
            s,
            start + 2 * HOUR,
            "iam.amazonaws.com",
            "GenerateCredentialReport",
            json!(null),
        );
        cli.api(
            s,
            start + 2 * HOUR + 20 * SEC,
            "iam.amazonaws.com",
            "GetCredentialReport",
            json!(null),
        );
    }
    let n = 3 + s.plan.below(6);
    browse(s, console, start + 3 * HOUR, CONSOLE_PAGES, n);
}

fn engineer(s: &mut Story, p: &Person, cli: &Act<'_>, console: &Act<'_>, start: Nanos, day: &Day) {
    let mut t = start + 15 * MIN;
    for _ in 0..5 + s.plan.below(16) {
        t = jitter(s, t + 4 * MIN, 20 * MIN);
        let key = if s.plan.below(3) == 0 {
            format!(
                "datasets/eval/{}.jsonl",
                s.plan.pick(&[
                    "mmlu",
                    "gsm8k",
                    "humaneval",
                    "truthfulqa",
                    "acme-support-v2"
                ])
            )
        } else {
            format!("corpus/shard-{:04}.parquet", s.plan.below(200))
        };
        let bytes = 8_000_000 + s.plan.below(60_000_000);
        cli.get(s, t, TRAINING, &key, bytes);
    }
    let job = format!("llm-7b-sft-{}", day.compact);
    for _ in 0..2 + s.plan.below(4) {
        t = jitter(s, t + 10 * MIN, 40 * MIN);
        cli.api(
            s,
            t,
            "sagemaker.amazonaws.com",
            "DescribeTrainingJob",
            json!({"trainingJobName": job}),
        );
    }
    if s.plan.below(5) == 0 {
        let at = jitter(s, start + 2 * HOUR, HOUR);
        let name = format!(
            "{}-exp-{}-{}",
            p.name.split('.').next().unwrap_or("x"),
            day.compact,
            s.plan.below(90) + 10
        );
        cli.api(s, at, "sagemaker.amazonaws.com", "CreateTrainingJob", json!({"trainingJobName": name,
            "algorithmSpecification": {"trainingImage": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/llm-train:2.4"), "trainingInputMode": "FastFile"},
            "resourceConfig": {"instanceType": "ml.p4d.24xlarge", "instanceCount": 1, "volumeSizeInGB": 500}}));
    }
    // Experiment checkpoints of their own, now and then.
    if s.plan.below(4) == 0 {
        let at = jitter(s, start + 4 * HOUR, 2 * HOUR);
        let run = format!("experiments/{}/run-{}", p.name, day.compact);
        let r0 = s.plan.below(400_000_000);
        cli.put(
            s,
            at,
            MODEL_BUCKET,
            &format!("{run}/model.safetensors"),
            1_200_000_000 + r0,
        );
        let r0 = s.plan.below(400);
        cli.put(
            s,
            at + 50 * SEC,
            MODEL_BUCKET,
            &format!("{run}/config.json"),
            1_800 + r0,
        );
    }
    // Pulling last night's checkpoint to evaluate it locally: all the shards.
    if !day.weekend && s.plan.below(14) == 0 {
        let mut at = jitter(s, start + 90 * MIN, 2 * HOUR);
        let prev = chrono::DateTime::from_timestamp_nanos(day.start - 24 * HOUR)
            .format("%Y%m%d")
            .to_string();
        for shard in 1..=4 {
            cli.get(
                s,
                at,
                MODEL_BUCKET,
                &format!("llm-7b/checkpoint-{prev}/model-0000{shard}-of-00004.safetensors"),
                4_938_000_000,
            );
            at += 3 * MIN + (s.plan.below(60) as Nanos) * SEC;
        }
        cli.get(
            s,
            at,
            MODEL_BUCKET,
            &format!("llm-7b/checkpoint-{prev}/config.json"),
            2_134,
        );
    }
    for _ in 0..s.plan.below(7) {
        let at = jitter(s, start + HOUR, 7 * HOUR);
        let model = *s.plan.pick(&[HAIKU, HAIKU, SONNET35, LLAMA]);
        cli.invoke(s, at, model);
    }
    for _ in 0..s.plan.below(4) {
        let at = jitter(s, start + HOUR, 7 * HOUR);
        cli.api(s, at, "logs.amazonaws.com", "GetLogEvents", json!({"logGroupName": "/aws/sagemaker/TrainingJobs", "logStreamName": format!("{job}/algo-1-1727000000")}));
    }
    if p.console && s.plan.below(2) == 0 {
        let n = 2 + s.plan.below(6);
        browse(s, console, start + 5 * HOUR, CONSOLE_PAGES, n);
    }
}

fn scientist(s: &mut Story, p: &Person, cli: &Act<'_>, console: &Act<'_>, start: Nanos) {
    // Athena over the curated datasets, through the console or the SDK.
    let via = if p.cli { cli } else { console };
    let mut t = start + 20 * MIN;
    for _ in 0..2 + s.plan.below(5) {
        t = jitter(s, t + 15 * MIN, 50 * MIN);
        let qid = s.plan.uuid();
        via.api(s, t, "athena.amazonaws.com", "StartQueryExecution", json!({"queryString": "SELECT label, count(*) FROM curated.support_tickets GROUP BY 1", "workGroup": "data-science",
            "resultConfiguration": {"outputLocation": format!("s3://{ATHENA_RESULTS}/data-science/")}}));
        via.api(
            s,
            t + 4 * SEC,
            "athena.amazonaws.com",
            "GetQueryExecution",
            json!({"queryExecutionId": qid}),
        );
        via.api(
            s,
            t + 9 * SEC,
            "athena.amazonaws.com",
            "GetQueryResults",
            json!({"queryExecutionId": qid, "maxResults": 1000}),
        );
    }
    if p.cli {
        let r0 = jitter(s, start + 40 * MIN, HOUR);
        cli.list(s, r0, TRAINING, "datasets/");
        for _ in 0..3 + s.plan.below(8) {
            t = jitter(s, start + HOUR, 6 * HOUR);
            let key = format!(
                "datasets/{}/part-{:04}.parquet",
                s.plan
                    .pick(&["support-tickets", "product-reviews", "web-crawl/2026-09"]),
                s.plan.below(64)
            );
            let bytes = 20_000_000 + s.plan.below(80_000_000);
            cli.get(s, t, TRAINING, &key, bytes);
        }
        for _ in 0..1 + s.plan.below(6) {
            let at = jitter(s, start + HOUR, 7 * HOUR);
            let model = *s.plan.pick(&[HAIKU, SONNET35, SONNET35, LLAMA]);
            cli.invoke(s, at, model);
        }
        // Model weights are not theirs to read.
        if s.plan.below(10) == 0 {
            let at = jitter(s, start + 2 * HOUR, 4 * HOUR);
            let (pp, r) = crate::cloudtrail::s3_object(
                ACCOUNT,
                MODEL_BUCKET,
                "llm-7b/checkpoint-20260920/config.json",
            );
            s.add(cli.call(at, "s3.amazonaws.com", "GetObject").params(pp).resources(r).data()
                .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader"}))
                .error("AccessDenied", "Access Denied"));
        }
    }
    if p.console {
        let n = 3 + s.plan.below(8);
        browse(s, console, start + 3 * HOUR, CONSOLE_PAGES, n);
    }
}

fn labeller(s: &mut Story, p: &Person, console: &Act<'_>, start: Nanos, day: &Day) {
    let s3 = Act::new(console.who, console.ip, S3_CONSOLE);
    if s.plan.below(3) == 0 {
        // The S3 console's landing page lists buckets, which labellers may not do.
        let msg = format!("User: arn:aws:iam::{ACCOUNT}:user/{} is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action", p.name);
        s.add(
            s3.call(start + MIN, "s3.amazonaws.com", "ListBuckets")
                .error("AccessDenied", &msg),
        );
    }
    let batch = format!("batch-{}", day.compact);
    s3.list(s, start + 2 * MIN, LABELLING, &format!("queue/{batch}/"));
    let mut t = start + 3 * MIN;
    let n = if day.weekend {
        5
    } else {
        20 + s.plan.below(40)
    };
    for _ in 0..n {
        let item = s.plan.below(5000);
        t = jitter(s, t + 3 * MIN, 9 * MIN);
        let r0 = s.plan.below(40_000);
        s3.get(
            s,
            t,
            LABELLING,
            &format!("queue/{batch}/item-{item:05}.jsonl"),
            3_000 + r0,
        );
        let done = jitter(s, t + 2 * MIN, 5 * MIN);
        let r0 = s.plan.below(2_000);
        s3.put(
            s,
            done,
            LABELLING,
            &format!("labels/{batch}/{}/item-{item:05}.json", p.name),
            400 + r0,
        );
        t = done;
    }
}

fn analyst(s: &mut Story, p: &Person, cli: &Act<'_>, console: &Act<'_>, start: Nanos) {
    let pages: &[(&'static str, &'static str)] = match p.name {
        "xavier.martin" => &[
            ("ce.amazonaws.com", "GetCostAndUsage"),
            ("ce.amazonaws.com", "GetCostForecast"),
            ("ce.amazonaws.com", "GetDimensionValues"),
            ("budgets.amazonaws.com", "DescribeBudgets"),
            ("bedrock.amazonaws.com", "ListFoundationModels"),
        ],
        _ => CONSOLE_PAGES,
    };
    let n = 6 + s.plan.below(14);
    browse(s, console, start + 5 * MIN, pages, n);
    let n = 2 + s.plan.below(8);
    browse(s, console, start + 5 * HOUR, pages, n);
    if p.cli {
        let calls: &[(&'static str, &'static str)] = &[
            ("ec2.amazonaws.com", "DescribeInstances"),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups"),
            ("logs.amazonaws.com", "FilterLogEvents"),
            ("sagemaker.amazonaws.com", "DescribeEndpoint"),
        ];
        let mut t = start + 30 * MIN;
        for _ in 0..3 + s.plan.below(8) {
            t = jitter(s, t + 10 * MIN, 40 * MIN);
            let (source, name) = *s.plan.pick(calls);
            cli.api(s, t, source, name, json!(null));
        }
    }
}

//! The sample incident: ACME's CI key leaks; the attacker uses it from a new IP, discovers Bedrock and the model
//! bucket, assumes a registry-reader role, pulls the `llm-7b` weights, mints a backdoor key, tries to stop the trail,
//! drains Bedrock with the backdoor key and writes a poisoned fine-tuning set into the training bucket
//! (`finetune/v5/`). The key is disabled in the morning; the attacker tries it once more (`attack`).
//! Around it, a fortnight of ordinary work (`routine`: 2026-09-21 to the morning after, thirty people, ten service
//! identities with their own keys, the nightly jobs, quiet weekends; about 18,000 CloudTrail events). Delivered in the
//! shapes an analyst receives: S3 delivery `.json.gz` (one file delivered twice), a console "Download events" JSON,
//! `lookup-events` output, a CloudWatch export with a truncated line, and a note from the SOC that is not a log. The
//! same story and routine run through the other logs the SOC exported: the Kubernetes audit log of the CI cluster the
//! keys leaked from (where the attacker's minted token also patches the KServe InferenceService), the Bedrock
//! invocation logs and the model bucket's S3 access log, GCP audit logs, Azure sign-in, activity and OpenAI
//! diagnostics, and the OpenAI and Anthropic organisation audit trails.

mod attack;
pub mod aws_logs;
pub mod azure;
pub mod gcp;
pub mod k8s;
pub mod routine;
pub mod saas;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::cloudtrail::{Call, Who};
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
/// When alice disables the leaked key.
pub const REVOKED: &str = "2026-10-05T09:02:30Z";
pub const ATTACKER_IP: &str = "198.51.100.77";
pub const ATTACKER_IP2: &str = "192.0.2.45";
pub const MODEL_BUCKET: &str = "acme-models";
/// The bucket the nightly fine-tune reads.
pub const TRAINING_BUCKET: &str = "acme-training-data";
/// Where the attacker writes the poisoned fine-tuning set, and how many files.
pub const POISON_PREFIX: &str = "finetune/v5/";
pub const POISONED_FILES: usize = 25;

pub(crate) const ALICE_KEY: &str = "AKIAQ3EGRZTALICE4DEV";
pub const CI_IP: &str = "203.0.113.50";
pub const OFFICE_IP: &str = "203.0.113.10";
pub(crate) const CI_UA: &str = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0-1051-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69";
pub(crate) const ALICE_UA: &str =
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.cp";
pub(crate) const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
pub const ATTACKER_UA: &str =
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off";
/// Attacker-controlled text that tries to drive the analyst's terminal (OSC title + clear screen).
pub(crate) const HOSTILE_UA: &str =
    "python-requests/2.31.0 \u{1b}]0;all clear\u{7}\u{1b}[2J| `whoami` <img src=x>";
pub(crate) const PRESIGNED_UA: &str = "curl/8.5.0";
pub(crate) const BOTO_UA: &str = "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.4 Botocore/1.31.57";

pub(crate) fn t(s: &str) -> Nanos {
    parse_rfc3339(s).expect("sample times are valid")
}

pub const MIN: Nanos = 60_000_000_000;
pub const SEC: Nanos = 1_000_000_000;

/// The events being written: `rng` draws the records' ids, `plan` the routine's choices; nothing after `end`.
pub(crate) struct Story {
    rng: Rng,
    pub(crate) plan: Rng,
    end: Nanos,
    events: Vec<(Nanos, Value)>,
}

impl Story {
    pub(crate) fn add(&mut self, c: Call<'_>) {
        let at = c.t;
        if at >= self.end {
            return;
        }
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
        plan: Rng::new(0x4e15_7002),
        end: t(routine::END),
        events: Vec::new(),
    };
    routine::add(&mut s);
    attack::add(&mut s);
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
    // Console "Download events": the attack day's management events filtered to "Read-only: false", up to the
    // export at 09:40, pretty JSON.
    let (from, to) = (t("2026-10-05T00:00:00Z"), t("2026-10-05T09:40:00Z"));
    let mgmt: Vec<&Value> = events
        .iter()
        .filter(|(at, v)| {
            (from..to).contains(at) && v["managementEvent"] == true && v["readOnly"] == false
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

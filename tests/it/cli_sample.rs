//! The CLI on the sample incident: golden output, and the same bundle as folder, .zip, .tar.gz and nested.

use crate::common;

use common::*;
use serde_json::Value;

fn summary_json(path: &str) -> Value {
    serde_json::from_str(&stdout(&heist(&["summary", path, "--json"]))).unwrap()
}

#[test]
fn summary_json_golden() {
    let out = stdout(&heist(&["summary", "samples/incident", "--json"]));
    insta::assert_snapshot!("summary_json", out);
}

#[test]
fn summary_text_golden() {
    let out = stdout(&heist(&["summary", "samples/incident"]));
    insta::assert_snapshot!("summary_text", out);
}

#[test]
fn events_jsonl_golden_for_the_stolen_key() {
    let out = stdout(&heist(&[
        "events",
        "samples/incident",
        "--where",
        "token:AKIAQ3EGRZTSTOLEN7CI",
        "--format",
        "jsonl",
    ]));
    insta::assert_snapshot!("events_stolen_key_jsonl", out);
}

#[test]
fn events_table_neutralises_hostile_user_agents() {
    let o = heist(&[
        "events",
        "samples/incident",
        "--where",
        "outcome:failure ip:198.51.100.77",
    ]);
    let out = stdout(&o);
    assert!(
        !out.contains('\u{1b}'),
        "escape sequences must not reach the terminal"
    );
    insta::assert_snapshot!("events_failures_table", out);
}

#[test]
fn counts_are_correct_on_the_sample() {
    let s = summary_json("samples/incident");
    let expected = heist_synth::sample::expected_sources();
    // Every event the generator wrote, once: duplicates across the S3 copy, console and lookup exports are dropped,
    // and the Kubernetes stages of one request make one event.
    let total: usize = expected.values().sum();
    assert_eq!(s["events"], total as u64);
    assert_eq!(
        s["sources"].as_object().unwrap().len(),
        expected.len(),
        "{}",
        s["sources"]
    );
    for (source, n) in &expected {
        assert_eq!(s["sources"][source], *n as u64, "{source}");
    }
    assert_eq!(s["error_count"], 1, "the cut-off CloudWatch line");
    assert!(s["errors"][0]["origin"]
        .as_str()
        .unwrap()
        .ends_with("cloudwatch/svc-backup-export.log:8"));
    assert_eq!(s["unreadable"][0]["origin"], "incident/NOTES.txt");
    let skipped = s["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "the Bedrock large-body object");
    assert!(skipped[0]["origin"].as_str().unwrap().contains("/data/"));
    assert!(s["duplicates"].as_u64().unwrap() > 0);
    assert_eq!(
        s["merged"],
        heist_synth::sample::k8s::two_stage_requests() as u64,
        "the RequestReceived stages of the build runner's requests"
    );
    let events = heist_synth::sample::events();
    let first = events.first().map(|(_, v)| v["eventTime"].clone()).unwrap();
    assert_eq!(s["time_range"]["first"], first);
}

#[test]
fn one_ip_query_returns_the_attacker_in_every_source_in_time_order() {
    let out = stdout(&heist(&[
        "events",
        "samples/incident",
        "--where",
        "ip:198.51.100.77",
        "--format",
        "jsonl",
    ]));
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut per_source = std::collections::BTreeMap::<String, usize>::new();
    for r in &rows {
        assert_eq!(r["source_ip"], "198.51.100.77");
        *per_source
            .entry(r["source"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let sources: Vec<&str> = per_source.keys().map(String::as_str).collect();
    assert_eq!(
        sources,
        [
            "anthropic_activity",
            "azure",
            "cloudtrail",
            "gcp",
            "k8s",
            "s3access"
        ],
        "every source that logs a caller IP (Azure OpenAI masks it; OpenAI and Bedrock log none)"
    );
    let times: Vec<&str> = rows.iter().map(|r| r["time"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "time ordered across sources");
}

#[test]
fn where_queries_count_correctly() {
    let count = |q: &str| {
        stdout(&heist(&[
            "events",
            "samples/incident",
            "--where",
            q,
            "--format",
            "jsonl",
        ]))
        .lines()
        .count()
    };
    let events = heist_synth::sample::events();
    let by = |f: &dyn Fn(&Value) -> bool| events.iter().filter(|(_, v)| f(v)).count();
    assert_eq!(
        count("token:AKIAQ3EGRZTSTOLEN7CI"),
        by(&|v| v["userIdentity"]["accessKeyId"] == "AKIAQ3EGRZTSTOLEN7CI")
    );
    assert_eq!(
        count("token:akiaq3egrztstolen7ci"),
        count("token:AKIAQ3EGRZTSTOLEN7CI"),
        "values are case-insensitive"
    );
    assert_eq!(
        count("ip:198.51.100.0/24 source:cloudtrail"),
        by(&|v| v["sourceIPAddress"] == "198.51.100.77")
    );
    assert_eq!(
        count("action:GetObject asset:*.safetensors ip:198.51.100.77"),
        4
    );
    assert_eq!(
        count("-outcome:success source:cloudtrail"),
        by(&|v| v.get("errorCode").is_some())
    );
    assert_eq!(
        count("time>=2026-10-05T02:00:00Z time<2026-10-05T03:00:00Z source:cloudtrail"),
        by(&|v| {
            let t = v["eventTime"].as_str().unwrap();
            ("2026-10-05T02:00:00Z".."2026-10-05T03:00:00Z").contains(&t)
        })
    );
    let mints = by(&|v| {
        v["responseElements"]["credentials"]["accessKeyId"].is_string()
            || v["responseElements"]["accessKey"]["accessKeyId"].is_string()
    });
    assert!(mints > 20, "{mints}");
    assert_eq!(
        count("minted:* source:cloudtrail"),
        mints,
        "the CI runs' AssumeRoles, the attacker's AssumeRole, the backdoor key, the newcomer's and rotated keys"
    );
    assert_eq!(
        count("minted:* -source:cloudtrail"),
        5,
        "the Kubernetes TokenRequest, the GCP service-account key, the Azure sign-in's token, the OpenAI account's \
         keys listed, the OpenAI key"
    );
    // A raw search finds what heist does not map: the deployer's principal id is only in the records.
    let principal = "AIDA5X4D5MUAIE4XOD777";
    assert_eq!(
        count(&format!("~{principal}")),
        by(&|v| v.to_string().contains(principal))
    );
    assert_eq!(
        count(&format!(
            "raw:\"{}\" action:AssumeRole",
            principal.to_lowercase()
        )),
        by(&|v| v.to_string().contains(principal) && v["eventName"] == "AssumeRole")
    );
    assert_eq!(
        count("exfil"),
        count("token:ASIAQ3EGRZTEXFIL2MDL"),
        "bare words match inside tokens, case-insensitively"
    );
    let names_reader = |v: &Value| {
        let hit = |x: &Value| {
            x.as_str()
                .is_some_and(|s| s.contains("model-registry-reader"))
        };
        hit(&v["userIdentity"]["arn"]) || hit(&v["requestParameters"]["roleArn"])
    };
    assert_eq!(
        count("model-registry-reader"),
        by(&names_reader)
            + heist_synth::sample::aws_logs::s3_access_lines(&events)
                .iter()
                .filter(|(_, l)| l.contains("model-registry-reader"))
                .count(),
        "bare words search identity and asset"
    );
}

#[test]
fn bad_query_points_at_the_term() {
    let o = heist(&[
        "events",
        "samples/incident",
        "--where",
        "token:AKIA colour:red",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field \"colour\""), "{err}");
    assert!(err.contains("^^^^^^^^^^"), "{err}");
}

#[test]
fn same_bundle_as_folder_zip_tgz_and_nested() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("incident.zip");
    std::fs::write(&zip, zip_dir(&sample())).unwrap();
    let tgz = dir.path().join("incident.tar.gz");
    std::fs::write(&tgz, tgz_dir(&sample())).unwrap();
    // A zip inside a tar.gz, as bundles get forwarded.
    let nested_dir = dir.path().join("forwarded");
    std::fs::create_dir(&nested_dir).unwrap();
    std::fs::copy(&zip, nested_dir.join("incident.zip")).unwrap();
    let nested = dir.path().join("forwarded.tgz");
    std::fs::write(&nested, tgz_dir(&nested_dir)).unwrap();

    let folder = summary_json("samples/incident");
    for p in [&zip, &tgz, &nested] {
        let s = summary_json(p.to_str().unwrap());
        for k in [
            "events",
            "sources",
            "error_count",
            "duplicates",
            "time_range",
        ] {
            assert_eq!(s[k], folder[k], "{k} differs for {}", p.display());
        }
        let origin = s["errors"][0]["origin"].as_str().unwrap();
        assert!(
            origin.contains("!/incident/cloudwatch/svc-backup-export.log:8"),
            "{origin}"
        );
    }
    // Nothing was extracted next to the evidence.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "forwarded",
            "forwarded.tgz",
            "incident.tar.gz",
            "incident.zip"
        ]
    );
}

#[test]
fn sample_matches_its_generator() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("incident");
    heist_synth::sample::write(&fresh).unwrap();
    let a: Vec<_> = files(&fresh)
        .iter()
        .map(|p| p.strip_prefix(&fresh).unwrap().to_path_buf())
        .collect();
    let b: Vec<_> = files(&sample())
        .iter()
        .map(|p| p.strip_prefix(sample()).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        a, b,
        "samples/incident is stale: run `cargo run --example make_sample`"
    );
    for rel in a {
        assert_eq!(
            std::fs::read(fresh.join(&rel)).unwrap(),
            std::fs::read(sample().join(&rel)).unwrap(),
            "{} differs",
            rel.display()
        );
    }
}

#[test]
fn formats_lists_cloudtrail_with_layouts() {
    let out = stdout(&heist(&["formats"]));
    assert!(out.contains("AWS CloudTrail (cloudtrail)"));
    assert!(out.contains("AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/"));
}

#[test]
fn missing_path_is_a_clear_error() {
    let o = heist(&["summary", "no/such/bundle"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/bundle"));
}

#[test]
fn the_tui_says_what_is_wrong_with_its_arguments_and_that_it_needs_a_terminal() {
    // A bad --end is named even without a terminal (the test's stdout is a pipe).
    let o = heist(&["samples/incident", "--end", "token:AKIA1@yesterday"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("\"yesterday\" is not a time"), "{err}");
    let o = heist(&[
        "samples/incident",
        "--end",
        "token:AKIAQ3EGRZTSTOLEN7CI@2026-10-05T00:00:00Z",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the TUI needs a terminal"), "{err}");
}

/// The load cache: the second run reads the cached frame and says exactly what the first said; `--no-cache`
/// neither reads nor writes it; the bundle itself is never written.
#[test]
fn a_cached_bundle_answers_as_the_bundle_does() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_heist"))
            .args(args)
            .current_dir(root())
            .env(heist_core::case::DATA_DIR_ENV, data.path())
            .output()
            .unwrap();
        (stdout(&o), String::from_utf8_lossy(&o.stderr).to_string())
    };
    let entries = || -> usize {
        std::fs::read_dir(data.path().join("cache"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .count()
            })
            .unwrap_or(0)
    };
    let query = [
        "events",
        "samples/incident",
        "--where",
        "token:AKIAQ3EGRZTSTOLEN7CI",
    ];
    let uncached = run(&[&query[..], &["--no-cache"]].concat());
    assert_eq!(entries(), 0, "--no-cache writes nothing");
    let (first, _) = run(&["summary", "samples/incident", "--json"]);
    assert_eq!(entries(), 1);
    let (second, err) = run(&["summary", "samples/incident", "--json"]);
    assert_eq!(first, second);
    assert!(!err.contains("not used"), "{err}");
    // A query answered from the cached frame: the same events.
    let cached = run(&query);
    assert_eq!(uncached.0, cached.0);
    assert_eq!(entries(), 1);
    // A corrupt entry is said, read again, and replaced.
    for e in std::fs::read_dir(data.path().join("cache"))
        .unwrap()
        .flatten()
    {
        if e.file_name().to_string_lossy().ends_with(".parquet") {
            std::fs::write(e.path(), b"not parquet").unwrap();
        }
    }
    let (third, err) = run(&["summary", "samples/incident", "--json"]);
    assert_eq!(first, third);
    assert!(err.contains("was not used"), "{err}");
}

/// `heist events ... | head`: the reader closes the pipe early; heist stops quietly with success, as ripgrep does.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    for format in ["table", "jsonl", "csv"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heist"))
            .args(["events", "samples/incident", "--format", format])
            .current_dir(root())
            .env(heist_core::case::DATA_DIR_ENV, data_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        out.read_exact(&mut first).unwrap();
        drop(out);
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{format}: {}: {err}", o.status);
        assert!(!err.contains("Broken pipe"), "{format}: {err}");
    }
}

/// `heist BUNDLE --case FILE` with the file inside the bundle is refused before anything is written: the case is
/// saved on every change, and the evidence is read-only.
#[test]
fn a_case_file_inside_the_bundle_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(bundle.join("a.json"), r#"{"Records":[]}"#).unwrap();
    let case = bundle.join("case.json");
    let o = heist(&[bundle.to_str().unwrap(), "--case", case.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--case") && err.contains("inside"), "{err}");
    assert!(!case.exists());
    let names: Vec<_> = std::fs::read_dir(&bundle)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "nothing written in the bundle");
}

/// A pipe or a device given as the bundle is refused at once, never read (a FIFO no one writes would hang,
/// `/dev/zero` would never end).
#[test]
fn a_pipe_or_device_given_as_a_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let mut paths = vec![std::path::PathBuf::from("/dev/zero")];
    if ok {
        paths.push(fifo);
    }
    for p in paths {
        let o = heist(&["summary", p.to_str().unwrap()]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("not a regular file"), "{}: {err}", p.display());
    }
}

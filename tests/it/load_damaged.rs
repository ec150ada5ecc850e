//! Damaged files keep every record that parses and report the rest: NUL padding after a CloudTrail document, a
//! `Records` array whose first or middle element is not an object.

use heist_core::ingest::{load_bytes, LoadOptions};
use serde_json::{json, Value};

fn records(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"eventVersion": "1.08", "eventTime": format!("2026-10-05T02:1{i}:00Z"),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.7", "eventID": format!("e{i}"), "eventType": "AwsApiCall",
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/a", "accessKeyId": "AKIAX"}})
        })
        .collect()
}

fn load(name: &str, bytes: Vec<u8>) -> heist_core::frame::EventStore {
    load_bytes(name, bytes, &LoadOptions::with_builtin_mappings()).unwrap()
}

#[test]
fn nul_padding_after_the_records_loses_nothing() {
    let mut bytes = serde_json::to_vec(&json!({ "Records": records(3) })).unwrap();
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    let s = load("padded.json", bytes);
    assert_eq!(s.len(), 3);
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert!(
        s.report
            .errors
            .iter()
            .any(|e| e.message.contains("4096 NUL bytes")),
        "{:?}",
        s.report.errors
    );
}

#[test]
fn a_records_element_that_is_not_an_object_is_reported_and_the_rest_load() {
    for (name, at) in [("first.json", 0), ("middle.json", 2)] {
        let mut r = records(3);
        r.insert(at, json!("oops"));
        let s = load(name, serde_json::to_vec(&json!({ "Records": r })).unwrap());
        assert_eq!(s.len(), 3, "{name}");
        assert_eq!(s.report.error_count, 1, "{name}: {:?}", s.report.errors);
        assert!(s.report.unreadable.is_empty(), "{name}");
    }
}

/// A zip of 500 members in no known format: `summary` and `events` say it in one line per reason with the first
/// few members; `--verbose` lists every one.
#[test]
fn many_unreadable_members_are_summarised_by_reason() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for i in 0..500 {
        w.start_file(format!("notes/{i:03}.txt"), o).unwrap();
        w.write_all(b"just some prose, not a log\n").unwrap();
    }
    w.start_file("ct.json", o).unwrap();
    w.write_all(&serde_json::to_vec(&json!({ "Records": records(2) })).unwrap())
        .unwrap();
    std::fs::write(dir.path().join("b.zip"), w.finish().unwrap().into_inner()).unwrap();
    let run = |args: &[&str]| crate::common::heist_in(dir.path(), args);
    let summary = crate::common::stdout(&run(&["summary", "b.zip"]));
    let listed = summary
        .lines()
        .filter(|l| l.contains("b.zip!/notes/"))
        .count();
    assert_eq!(listed, 1, "{summary}");
    assert!(
        summary.contains(
            ": 500 files (b.zip!/notes/000.txt, b.zip!/notes/001.txt, b.zip!/notes/002.txt, …"
        ),
        "{summary}"
    );
    let events = run(&["events", "b.zip"]);
    let err = String::from_utf8_lossy(&events.stderr);
    assert!(err.lines().count() < 5, "{err}");
    assert_eq!(
        crate::common::stdout(&events).lines().count(),
        3,
        "a header and two events"
    );
    let verbose = crate::common::stdout(&run(&["summary", "b.zip", "--verbose"]));
    assert_eq!(
        verbose
            .lines()
            .filter(|l| l.contains("b.zip!/notes/"))
            .count(),
        500
    );
}

/// A subfolder heist cannot read is listed and the rest of the bundle loads. Root reads every folder, so as root
/// the binary is run as `nobody` (with `setpriv`) to meet the permission a real analyst's account would.
#[cfg(unix)]
#[test]
fn an_unreadable_subfolder_is_listed_and_the_rest_loads() {
    use std::os::unix::fs::PermissionsExt;
    let perm = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    perm(tmp.path(), 0o755);
    let bundle = tmp.path().join("bundle");
    std::fs::create_dir_all(bundle.join("locked")).unwrap();
    let rec = |i: usize| serde_json::to_vec(&json!({ "Records": records(i) })).unwrap();
    std::fs::write(bundle.join("a.json"), rec(2)).unwrap();
    std::fs::write(bundle.join("locked/b.json"), rec(3)).unwrap();
    for p in [&bundle, &bundle.join("a.json")] {
        perm(p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    perm(&bundle.join("locked"), 0o000);
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    perm(&data, 0o777);
    let root = unsafe { libc::geteuid() } == 0;
    let out = if root {
        // The test binary's target dir may be closed to other users: run a copy from the open temporary folder.
        let bin = tmp.path().join("heist");
        std::fs::copy(env!("CARGO_BIN_EXE_heist"), &bin).unwrap();
        perm(&bin, 0o755);
        let Ok(o) = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(["summary", "--no-cache"])
            .arg(&bundle)
            .env(heist_core::case::DATA_DIR_ENV, &data)
            .output()
        else {
            perm(&bundle.join("locked"), 0o755);
            eprintln!(
                "notice: running as root without setpriv: the unreadable-folder test cannot run"
            );
            return;
        };
        o
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_heist"))
            .args(["summary", "--no-cache"])
            .arg(&bundle)
            .env(heist_core::case::DATA_DIR_ENV, &data)
            .output()
            .unwrap()
    };
    perm(&bundle.join("locked"), 0o755);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("events      2"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("bundle/locked") && l.contains("cannot read")),
        "{stdout}"
    );
}

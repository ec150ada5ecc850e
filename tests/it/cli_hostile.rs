//! Log content is hostile: every text output of the CLI (tables, CSV, JSON lines, JSON) reaches a terminal with no
//! raw control character, C1 control, bidi override or zero-width character, and the values stay recoverable
//! (`\x1b` in CSV, `\u001b` in JSON).

use std::path::Path;

use serde_json::{json, Value};

use crate::common::{heist_in, stdout};

/// What an attacker puts in a user agent and a user name: an OSC title and clipboard write, a C1 CSI, a bidi
/// override, a zero-width space.
const UA: &str =
    "curl/8 \u{1b}]0;owned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}gpj.exe\u{200b}";

fn bundle(dir: &Path) {
    let records: Vec<Value> = (0..2)
        .map(|i| {
            json!({
                "eventVersion": "1.09", "eventTime": format!("2026-10-05T02:1{i}:00Z"),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.77", "userAgent": UA,
                "eventID": format!("0f5c9d7e-0000-4000-8000-00000000000{i}"), "requestID": format!("R{i}"),
                "eventType": "AwsApiCall", "recipientAccountId": "111122223333",
                "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/x\u{9b}{i}"),
                    "accountId": "111122223333", "accessKeyId": "AKIAQ3EGRZTHOSTILE01", "userName": "x"},
                "requestParameters": {"bucketName": "b", "key": "k"}
            })
        })
        .collect();
    std::fs::write(
        dir.join("ct.json"),
        serde_json::to_string(&json!({ "Records": records })).unwrap(),
    )
    .unwrap();
}

fn dangerous(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| heist_core::util::sanitize::is_dangerous(c) && c != '\n')
        .collect()
}

#[test]
fn every_text_output_is_inert_and_recoverable() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.insert(1, ".");
        stdout(&heist_in(dir.path(), &all))
    };
    for args in [
        &["events", "--format", "table"][..],
        &["events", "--format", "csv"],
        &["events", "--format", "jsonl"],
        &["entities", "--kind", "identity", "--json"],
        &["pivot", "--token", "AKIAQ3EGRZTHOSTILE01", "--json"],
        &["detect", "--json"],
        &["summary", "--json"],
    ] {
        let out = run(args);
        assert!(
            dangerous(&out).is_empty(),
            "{args:?}: {:?}\n{out}",
            dangerous(&out)
        );
        assert!(!out.is_empty(), "{args:?}");
    }
    // Recoverable: JSON lines parse back to the values as logged; CSV shows the escapes.
    let jsonl = run(&["events", "--format", "jsonl"]);
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["user_agent"], UA);
    let csv = run(&["events", "--format", "csv"]);
    assert!(
        csv.contains(
            r"curl/8 \x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m\u{202e}gpj.exe\u{200b}"
        ),
        "{csv}"
    );
    // Exports to a file are inert as well.
    let out = tempfile::tempdir().unwrap();
    for name in ["t.csv", "t.jsonl", "t.md"] {
        let path = out.path().join(name);
        let o = heist_in(
            dir.path(),
            &[
                "export",
                ".",
                "--where",
                "action:GetObject",
                "--out",
                path.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            dangerous(&text).is_empty(),
            "{name}: {:?}",
            dangerous(&text)
        );
    }
}

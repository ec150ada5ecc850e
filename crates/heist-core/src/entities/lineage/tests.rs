//! Each lineage rule, on records in the real CloudTrail shapes.

use super::*;
use crate::ingest::{load_bytes, LoadOptions};

fn lineage_of(lines: &[String]) -> Lineage {
    let text = lines.join("\n");
    let s = load_bytes("t.jsonl", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    let label = |o: &str, l: u32| s.origin_label(o, l);
    Lineage::build(&s.frame, &label).unwrap()
}

fn who(arn: &str, key: &str) -> String {
    let kind = if arn.contains(":assumed-role/") {
        "AssumedRole"
    } else {
        "IAMUser"
    };
    format!(r#"{{"type":"{kind}","arn":"{arn}","accountId":"111122223333","accessKeyId":"{key}"}}"#)
}

fn assume(t: &str, caller: &str, key: &str, role: &str, session: &str, new_key: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli","userIdentity":{who},"requestParameters":{{"roleArn":"{role}","roleSessionName":"{session}"}},"responseElements":{{"credentials":{{"accessKeyId":"{new_key}","expiration":"Jan 1, 2030 12:00:00 AM","sessionToken":"x"}},"assumedRoleUser":{{"assumedRoleId":"AROA:{session}","arn":"arn:aws:sts::111122223333:assumed-role/{rname}/{session}"}}}},"eventID":"ev-{t}"}}"#,
        who = who(caller, key),
        rname = role.rsplit('/').next().unwrap_or(""),
    )
}

fn create_key(t: &str, caller: &str, key: &str, user: &str, new_key: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli","userIdentity":{who},"requestParameters":{{"userName":"{user}"}},"responseElements":{{"accessKey":{{"accessKeyId":"{new_key}","status":"Active","userName":"{user}","createDate":"Jan 1, 2024 12:00:00 AM"}}}},"eventID":"ck-{t}"}}"#,
        who = who(caller, key)
    )
}

fn delete_key(t: &str, caller: &str, key: &str, user: &str, old: &str, name: &str) -> String {
    let params = if name == "UpdateAccessKey" {
        format!(r#"{{"userName":"{user}","accessKeyId":"{old}","status":"Inactive"}}"#)
    } else {
        format!(r#"{{"userName":"{user}","accessKeyId":"{old}"}}"#)
    };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"console","userIdentity":{who},"requestParameters":{params},"responseElements":null,"eventID":"dk-{t}"}}"#,
        who = who(caller, key)
    )
}

const USER: &str = "arn:aws:iam::111122223333:user/ci-deploy";
const ROLE_A: &str = "arn:aws:iam::111122223333:role/ModelOps";
const ROLE_B: &str = "arn:aws:iam::111122223333:role/WeightsReader";

#[test]
fn assume_role_links_the_session_key_to_the_key_that_asked() {
    let l = lineage_of(&[assume(
        "2024-05-01T10:00:00Z",
        USER,
        "AKIAROOT",
        ROLE_A,
        "s1",
        "ASIACHILD",
    )]);
    let up = l.parents_of_token("ASIACHILD");
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].token.as_deref(), Some("AKIAROOT"));
    assert_eq!(up[0].identity.as_deref(), Some(USER));
    assert_eq!(up[0].minted_by.action, "AssumeRole");
    assert_eq!(
        up[0].minted_by.event_id.as_deref(),
        Some("ev-2024-05-01T10:00:00Z")
    );
    // One record: a JSON document, located by index.
    assert_eq!(up[0].minted_by.origin, "t.jsonl[0]");
    let down = l.children_of_token("AKIAROOT");
    assert_eq!(down.len(), 1);
    assert_eq!(down[0].token.as_deref(), Some("ASIACHILD"));
    assert_eq!(
        down[0].identity.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/ModelOps/s1")
    );
    assert_eq!(l.roots(), ["AKIAROOT"]);
    // The session identity walks up to the same call.
    let up = l.parents_of_identity("arn:aws:sts::111122223333:assumed-role/ModelOps/s1");
    assert_eq!(up[0].token.as_deref(), Some("AKIAROOT"));
}

#[test]
fn role_chaining_and_a_backdoor_key_form_one_tree() {
    let s1 = "arn:aws:sts::111122223333:assumed-role/ModelOps/s1";
    let l = lineage_of(&[
        assume(
            "2024-05-01T10:00:00Z",
            USER,
            "AKIAROOT",
            ROLE_A,
            "s1",
            "ASIAONE",
        ),
        assume(
            "2024-05-01T10:05:00Z",
            s1,
            "ASIAONE",
            ROLE_B,
            "s2",
            "ASIATWO",
        ),
        create_key(
            "2024-05-01T10:10:00Z",
            s1,
            "ASIAONE",
            "backdoor",
            "AKIABACKDOOR",
        ),
    ]);
    let down = l.children_of_token("AKIAROOT");
    let tokens: Vec<_> = down
        .iter()
        .map(|d| (d.depth, d.token.as_deref().unwrap()))
        .collect();
    assert_eq!(
        tokens,
        [(1, "ASIAONE"), (2, "ASIATWO"), (2, "AKIABACKDOOR")]
    );
    assert_eq!(
        down[2].identity.as_deref(),
        Some("arn:aws:iam::111122223333:user/backdoor")
    );
    assert_eq!(down[2].via_token.as_deref(), Some("ASIAONE"));
    let up = l.parents_of_token("AKIABACKDOOR");
    let chain: Vec<_> = up.iter().map(|u| u.token.as_deref().unwrap()).collect();
    assert_eq!(chain, ["ASIAONE", "AKIAROOT"]);
    assert_eq!(
        l.descendant_tokens("AKIAROOT"),
        ["ASIAONE", "ASIATWO", "AKIABACKDOOR"]
    );
    assert_eq!(l.roots(), ["AKIAROOT"]);
}

#[test]
fn revocations_mark_the_end_of_a_key() {
    let l = lineage_of(&[
        create_key(
            "2024-05-01T10:10:00Z",
            USER,
            "AKIAROOT",
            "backdoor",
            "AKIABACKDOOR",
        ),
        delete_key(
            "2024-05-02T09:00:00Z",
            USER,
            "AKIAADMIN",
            "backdoor",
            "AKIABACKDOOR",
            "UpdateAccessKey",
        ),
        delete_key(
            "2024-05-02T09:05:00Z",
            USER,
            "AKIAADMIN",
            "backdoor",
            "AKIABACKDOOR",
            "DeleteAccessKey",
        ),
    ]);
    let revs: Vec<_> = l
        .revocations_of("AKIABACKDOOR")
        .map(|r| r.event.action.as_str())
        .collect();
    assert_eq!(revs, ["UpdateAccessKey", "DeleteAccessKey"]);
    assert_eq!(
        l.revoked_at("AKIABACKDOOR")
            .map(crate::util::time::format_utc)
            .as_deref(),
        Some("2024-05-02T09:00:00Z")
    );
    assert_eq!(l.revoked_at("AKIAROOT"), None);
    assert_eq!(l.minted("AKIABACKDOOR").count(), 1);
}

#[test]
fn a_failed_mint_is_no_edge_and_cycles_terminate() {
    let mut failed = assume(
        "2024-05-01T10:00:00Z",
        USER,
        "AKIAROOT",
        ROLE_A,
        "s1",
        "ASIAX",
    );
    failed = failed.replacen(r#""eventID""#, r#""errorCode":"AccessDenied","eventID""#, 1);
    let l = lineage_of(&[failed]);
    assert!(l.mints.is_empty());
    // A hand-edited log where two keys mint each other must not loop.
    let l = lineage_of(&[
        create_key("2024-05-01T10:00:00Z", USER, "AKIAA", "u", "AKIAB"),
        create_key("2024-05-01T10:00:00Z", USER, "AKIAB", "u", "AKIAA"),
    ]);
    assert!(l.children_of_token("AKIAA").len() <= 2);
    assert!(l.parents_of_token("AKIAA").len() <= 2);
}

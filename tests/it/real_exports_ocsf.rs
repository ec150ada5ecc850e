//! Amazon Security Lake / OCSF (JSON and Parquet).
//! Read from `../shared/datasets/siem-exports` (never copied here); rows pinned exactly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};

use crate::common::real_data;

/// Every output column of row `i` but the origin, as text.
fn row(s: &EventStore, i: usize) -> BTreeMap<&'static str, Option<String>> {
    let r = FrameReader::new(&s.frame).unwrap();
    Col::OUTPUT
        .iter()
        .filter(|c| **c != Col::Origin)
        .map(|c| (c.name(), r.display(*c, i)))
        .collect()
}

/// The native record's row and the OCSF event's row agree on every column but `except`, where OCSF's row holds
/// the given value (what the OCSF mapping lost or changed).
fn assert_same(what: &str, native: &EventStore, ocsf: &EventStore, except: &[(Col, Option<&str>)]) {
    assert_eq!(native.len(), 1, "{what}: native rows");
    assert_eq!(ocsf.len(), 1, "{what}: OCSF rows");
    let (n, mut o) = (row(native, 0), row(ocsf, 0));
    for (c, v) in except {
        let got = o.remove(c.name()).flatten();
        assert_eq!(got.as_deref(), *v, "{what}: OCSF {}", c.name());
    }
    let diffs: Vec<String> = o
        .iter()
        .filter(|(k, v)| n.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: native {:?} / ocsf {v:?}", n.get(k).cloned().flatten()))
        .collect();
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    crate::common::files(dir)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(ext))
        .collect()
}

fn get(s: &EventStore, c: Col, i: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, i)
}

fn distinct(s: &EventStore, c: Col) -> usize {
    (0..s.len())
        .filter_map(|i| get(s, c, i))
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

fn count(s: &EventStore, q: &str) -> usize {
    heist_core::query::filter(&s.frame, q).unwrap().height()
}

fn assert_ocsf_file(s: &EventStore, errors: usize) {
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.report.error_count, errors, "{:?}", s.report.errors);
    assert!(!s.files.is_empty());
    for f in &s.files {
        assert_eq!(f.format, "ocsf", "{}", f.origin);
    }
}

/// Amazon Security Lake's own OCSF 1.0.0-rc.2 Parquet (one row per file) beside the CloudTrail record each row
/// was made from: every row answers exactly as its native record, column for column.
#[test]
fn security_lake_rc2_parquet_rows_match_their_raw_cloudtrail() {
    let Some(d) = real_data() else { return };
    let base = d.join("siem-exports/security-lake-ocsf-validation/samples/1.0.0-rc.2/CLOUD_TRAIL");
    let parquets = files_under(&base, ".test.gz.parquet");
    assert_eq!(parquets.len(), 21);
    for pq in &parquets {
        let name = pq
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".gz.parquet", ".gz");
        let raw = pq.parent().unwrap().join("input").join(name);
        let o = crate::common::load_path(pq);
        assert_ocsf_file(&o, 0);
        assert_eq!(get(&o, Col::Source, 0).as_deref(), Some("cloudtrail"));
        assert_same(
            &pq.display().to_string(),
            &crate::common::load_path(&raw),
            &o,
            &[],
        );
    }

    // The folder as delivered, Parquet and raw inputs together: each event once, its other copy a duplicate.
    let all = crate::common::load_path(&base);
    assert_eq!(all.report.error_count, 0, "{:?}", all.report.errors);
    assert!(
        all.report.unreadable.is_empty(),
        "{:?}",
        all.report.unreadable
    );
    assert_eq!((all.len(), all.report.duplicates), (21, 21));
    assert_eq!(count(&all, "outcome:failure"), 4);
    for code in [
        "ConsoleLoginFailure",
        "AccessDenied",
        "NotFoundException",
        "TrailNotFoundException",
    ] {
        assert_eq!(count(&all, &format!("error:{code}")), 1, "{code}");
    }

    let s = crate::common::load_path(&base.join("authentication/AssumeRole.test.gz.parquet"));
    let want = [
        (Col::Time, "2014-07-18T15:07:39Z"),
        (Col::Action, "AssumeRole"),
        (Col::Service, "sts.amazonaws.com"),
        (Col::Identity, "arn:aws:iam::777788889999:user/JohnDoe"),
        (Col::IdentityType, "human"),
        (Col::Token, "AKIAQRSTUVWXYZEXAMPLE"),
        (Col::TokenKind, "long_term"),
        (Col::SourceIp, "192.0.2.101"),
        (Col::Asset, "arn:aws:iam::111122223333:role/EC2-dev"),
        (Col::AssetKind, "iam_role"),
        (Col::Account, "111122223333"),
        (Col::Region, "us-east-2"),
        (Col::MintedToken, "AKIAQRSTUVWXYZEXAMPLE"),
        (
            Col::MintedIdentity,
            "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
        ),
        (Col::RequestId, "4EXAMPLE-0e8d-11e4-96e4-e55c0EXAMPLE"),
        (Col::EventId, "dEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE"),
    ];
    for (c, v) in want {
        assert_eq!(get(&s, c, 0).as_deref(), Some(v), "{}", c.name());
    }
    // Security Lake moves the role or user an IAM call acted on into OCSF's `user`: it is the asset again.
    let s = crate::common::load_path(&base.join("account_change/AttachRolePolicy.test.gz.parquet"));
    assert_eq!(
        get(&s, Col::Asset, 0).as_deref(),
        Some("arn:aws:iam::112233445566:role/AmazonSageMakerServiceCatalogProductsExecutionRole")
    );
    assert_eq!(
        get(&s, Col::Issuer, 0).as_deref(),
        Some("arn:aws:iam::112233445566:role/Admin")
    );
}

/// The OCSF project's CloudTrail mapping samples, `.ocsf` beside the `.raw` record it was made from, in OCSF
/// 1.0.0-rc.2, 1.1.0 and 1.5.0. Three 1.5.0 files are not valid JSON (trailing commas): their event loads
/// through the lenient path and the file reports it once, at the event's origin.
#[test]
fn ocsf_project_cloudtrail_samples_match_their_raw_records() {
    let Some(d) = real_data() else { return };
    let m = d.join("siem-exports/ocsf-examples/mappings/markdown/AWS");
    for v in ["v1.0.0-rc.2", "v1.1.0", "v1.5.0"] {
        for (class, stem) in [
            ("API Activity", "generic_api_activity"),
            ("Account Change", "account_change"),
            ("Authentication", "authentication"),
        ] {
            let dir = m.join(format!("{v}/CloudTrail/{class}/samples"));
            let o = crate::common::load_path(&dir.join(format!("{stem}.ocsf")));
            let trailing_commas = v == "v1.5.0" && class != "Account Change";
            assert_ocsf_file(&o, usize::from(trailing_commas));
            if trailing_commas {
                let e = &o.report.errors[0];
                assert!(e.origin.ends_with(&format!("{stem}.ocsf[0]")), "{e:?}");
                assert!(e.message.contains("trailing comma"), "{e:?}");
            }
            let what = format!("{v} {class}");
            assert_same(
                &what,
                &crate::common::load_path(&dir.join(format!("{stem}.raw"))),
                &o,
                &[],
            );
        }
    }
    // 1.5.0's sign-in is an IAM Identity Center user: named by its user id, its credential id the token.
    let s = crate::common::load_path(
        &m.join("v1.5.0/CloudTrail/Authentication/samples/authentication.ocsf"),
    );
    assert_eq!(
        get(&s, Col::Identity, 0).as_deref(),
        Some("e3644802-3061-7018-86c3-USERID")
    );
    assert_eq!(
        get(&s, Col::Token, 0).as_deref(),
        Some("da3f6703-d424-sasf-848d-b0f3384681d64")
    );
    assert_eq!(get(&s, Col::TokenKind, 0).as_deref(), Some("session"));
    assert_eq!(get(&s, Col::SourceIp, 0).as_deref(), Some("0.0.0.0"));
    // 1.5.0's "Account Change" sample is a service-invoked DescribeTargetHealth.
    let s = crate::common::load_path(
        &m.join("v1.5.0/CloudTrail/Account Change/samples/account_change.ocsf"),
    );
    assert_eq!(
        get(&s, Col::SourceService, 0).as_deref(),
        Some("ecs.amazonaws.com")
    );
    assert_eq!(
        get(&s, Col::Asset, 0).as_deref(),
        None,
        "targetGroupArn names no asset heist maps, natively either"
    );
}

/// The OCSF project's bloblang CloudTrail samples were made from records with other ids and years than the
/// `.raw` files beside them (the OCSF side uses EXAMPLE ids and 2023 dates): the rows agree on everything else.
#[test]
fn ocsf_project_bloblang_samples_map_like_their_raw_records() {
    let Some(d) = real_data() else { return };
    let b = d.join("siem-exports/ocsf-examples/mappings/bloblang/AWS/CloudTrail/v1.1.0");
    let load2 = |raw: &str, ocsf: &str| {
        let o = crate::common::load_path(&b.join(ocsf));
        assert_ocsf_file(&o, 0);
        (crate::common::load_path(&b.join(raw)), o)
    };
    let (n, o) = load2(
        "Account Chnage/samples/account_change.raw",
        "Account Chnage/samples/OCSF_account_change.json",
    );
    assert_same(
        "bloblang account change",
        &n,
        &o,
        &[
            (Col::EventId, Some("7dd15a89-ae0f-4340-8e6c-example")),
            (Col::RequestId, Some("c99bf9da-e0bd-4bf7-bb32-example")),
            // The sample's `credential_uid` is null.
            (Col::Token, None),
            (Col::TokenKind, None),
        ],
    );
    let (n, o) = load2(
        "Api Activity/samples/generic_api_activity.raw",
        "Api Activity/samples/OCSF_api_activity.json",
    );
    assert_same(
        "bloblang API activity",
        &n,
        &o,
        &[
            (Col::Time, Some("2023-09-21T22:22:52Z")),
            (Col::EventId, Some("71c88be9-ea5c-43c7-8c82-example")),
            (Col::RequestId, Some("1c8a6220-4263-4763-b526-example")),
            (Col::Account, Some("1111111111111")),
            (
                Col::Identity,
                Some("arn:aws:iam::1111111111111:user/Level6"),
            ),
            (Col::Token, Some("AKIA3Z2XBVEXAMPLE")),
        ],
    );
    let (n, o) = load2(
        "Authentication/authentication.raw",
        "Authentication/OCSF_authentication.json",
    );
    assert_same(
        "bloblang authentication",
        &n,
        &o,
        &[
            (Col::Time, Some("2023-11-10T16:24:34Z")),
            (Col::EventId, Some("fed06f42-cb12-4764-8c69-example")),
        ],
    );
}

/// EKS audit as OCSF 1.1.0 (JSON and Security Lake's validation Parquet) and 1.5.0 (JSON with trailing commas),
/// beside the audit event they were made from: the same Kubernetes row, the time at OCSF's millisecond.
#[test]
fn eks_audit_in_ocsf_matches_the_audit_event() {
    let Some(d) = real_data() else { return };
    let m = d.join("siem-exports/ocsf-examples/mappings/markdown/AWS");
    let native = crate::common::load_path(&m.join("v1.1.0/EKS Audit Logs/samples/eks.raw"));
    assert_eq!(
        get(&native, Col::Time, 0).as_deref(),
        Some("2021-09-07T20:37:30.502680000Z")
    );
    for (path, errors) in [
        (m.join("v1.1.0/EKS Audit Logs/samples/eks.ocsf"), 0),
        (m.join("v1.5.0/EKS Audit Logs/samples/eks.ocsf"), 1),
        (
            d.join("siem-exports/security-lake-ocsf-validation/samples/1.1.0/EKS/test.parquet"),
            0,
        ),
    ] {
        let o = crate::common::load_path(&path);
        assert_ocsf_file(&o, errors);
        assert_same(
            &path.display().to_string(),
            &native,
            &o,
            &[(Col::Time, Some("2021-09-07T20:37:30.502Z"))],
        );
        let want = [
            (Col::Source, "k8s"),
            (Col::Action, "create nodes"),
            (Col::Identity, "system:node:ip-192-001-02-03.ec2.internal"),
            (Col::Token, "EXAMPLEUIDTEST"),
            (
                Col::Issuer,
                "arn:aws:sts::123456789012:assumed-role/example-test-161366663-NodeInstanceRole-abc12345678912/i-12345678901",
            ),
            // The frame's one spelling of the zero-padded address.
            (Col::SourceIp, "12.0.22.33"),
            (Col::Asset, "nodes/ip-192-001-02-03.ec2.internal"),
            (Col::EventId, "f47c68f2-d3ac-4f96-b2f4-5d497bf79b64"),
        ];
        for (c, v) in want {
            assert_eq!(get(&o, c, 0).as_deref(), Some(v), "{}", c.name());
        }
    }
}

/// Okta System Log and GitHub audit log events in OCSF 1.3.0 (the OCSF project's samples): no original heist
/// reads, so they map directly as `ocsf`. Okta's `time` is epoch SECONDS.
#[test]
fn okta_and_github_ocsf_map_directly() {
    let Some(d) = real_data() else { return };
    let m = d.join("siem-exports/ocsf-examples/mappings/markdown");
    let okta = m.join("Okta/v1.3.0/System Logs");
    let gh = m.join("GitHub/v1.3.0/Github Audit Logs");
    // (file, time, action, identity, outcome)
    let cases = [
        (
            okta.join("API Activity/samples/generic_api_activity.ocsf"),
            "2024-08-13T15:58:20Z",
            "system.api_token.create",
            Some("john.doe@example.com"),
            Some("success"),
        ),
        (
            okta.join("Account Change/samples/account_change.ocsf"),
            "2024-09-30T10:42:16Z",
            "user.account.lock",
            Some("okta@okta-test.com"),
            Some("failure"),
        ),
        (
            okta.join("Authentication/samples/authentication.ocsf"),
            "2024-08-13T15:58:20Z",
            "user.sesion.start",
            Some("john.doe@example.com"),
            Some("success"),
        ),
        (
            okta.join("Detection Finding/samples/detection_finding.ocsf"),
            "2024-08-13T15:58:20Z",
            "security.threat.detected",
            None,
            None,
        ),
        (
            okta.join("Entity Management/samples/entity_management.ocsf"),
            "2024-08-13T15:58:20Z",
            "policy.lifecycle.create",
            Some("john.doe@example.com"),
            Some("success"),
        ),
        (
            okta.join("Group Management/samples/group_management.ocsf"),
            "2024-08-13T15:58:20Z",
            "group.user_membership.add",
            Some("john.doe@example.com"),
            Some("success"),
        ),
        (
            gh.join("API Activity/samples/api_activity.ocsf"),
            "2024-10-17T14:42:46.108Z",
            "git.push",
            Some("test_user@acme.com"),
            None,
        ),
        (
            gh.join("Account Change/samples/account_change.ocsf"),
            "2024-09-30T07:34:45.875Z",
            "user.create",
            Some("actor5"),
            None,
        ),
        // In Authentication the user who signs in is the identity (`user`, here without an e-mail address).
        (
            gh.join("Authentication/samples/authentication.ocsf"),
            "2024-10-17T14:42:46.108Z",
            "business.sso_response",
            Some("test_user"),
            None,
        ),
        (
            gh.join("Entity Management/samples/entity_management.ocsf"),
            "2024-10-17T14:42:46.108Z",
            "team.add_member",
            Some("test_user@acme.com"),
            None,
        ),
        (
            gh.join("Group Management/samples/group_management.ocsf"),
            "2024-10-17T14:42:46.108Z",
            "team.add_member",
            Some("test_user@acme.com"),
            None,
        ),
    ];
    for (path, time, action, identity, outcome) in cases {
        let s = crate::common::load_path(&path);
        assert_ocsf_file(&s, 0);
        let what = path.display().to_string();
        assert_eq!(s.len(), 1, "{what}");
        assert_eq!(get(&s, Col::Source, 0).as_deref(), Some("ocsf"), "{what}");
        assert_eq!(get(&s, Col::Time, 0).as_deref(), Some(time), "{what}");
        assert_eq!(get(&s, Col::Action, 0).as_deref(), Some(action), "{what}");
        assert_eq!(get(&s, Col::Identity, 0).as_deref(), identity, "{what}");
        assert_eq!(get(&s, Col::Outcome, 0).as_deref(), outcome, "{what}");
        let provider = if what.contains("/Okta/") {
            "okta"
        } else {
            "github"
        };
        assert_eq!(
            get(&s, Col::Provider, 0).as_deref(),
            Some(provider),
            "{what}"
        );
    }
    let s = crate::common::load_path(&okta.join("Account Change/samples/account_change.ocsf"));
    assert_eq!(get(&s, Col::SourceIp, 0).as_deref(), Some("1.1.1.1"));
    let s = crate::common::load_path(&gh.join("Account Change/samples/account_change.ocsf"));
    assert_eq!(
        (
            get(&s, Col::Asset, 0).as_deref(),
            get(&s, Col::AssetKind, 0).as_deref()
        ),
        (Some("user5"), Some("user"))
    );
}

/// OCSF 0.31.2 Authentication Parquet from Windows 4624/4625 events (the OCSF project's Spark use case; toy
/// data, some rows byte-identical copies): every row an event or a counted duplicate, the sign-in's user the
/// identity.
#[test]
fn windows_sign_ins_in_ocsf_parquet() {
    let Some(d) = real_data() else { return };
    let base = d.join("siem-exports/ocsf-examples/use-cases/spark/data");
    // (file, events, duplicates, failures, users, ips)
    for (file, events, dups, failures, users, ips) in [
        ("highFailedLogin.parquet", 64, 11, 53, 11, 11),
        ("pwSpray.parquet", 60, 9, 60, 60, 11),
    ] {
        let s = crate::common::load_path(&base.join(file));
        assert_ocsf_file(&s, 0);
        assert_eq!((s.len(), s.report.duplicates), (events, dups), "{file}");
        assert_eq!(count(&s, "outcome:failure"), failures, "{file}");
        assert_eq!(distinct(&s, Col::Identity), users, "{file}");
        assert_eq!(distinct(&s, Col::SourceIp), ips, "{file}");
        assert_eq!(
            count(&s, "source:ocsf action:Authentication"),
            events,
            "{file}"
        );
        assert_eq!(
            get(&s, Col::Time, 0).as_deref(),
            Some("2023-01-26T05:00:00Z")
        );
        assert_eq!(
            get(&s, Col::Time, s.len() - 1).as_deref(),
            Some("2023-01-26T14:00:00Z")
        );
    }
    let s = crate::common::load_path(&base.join("highFailedLogin.parquet"));
    assert_eq!(count(&s, "identity:Administrator outcome:failure"), 50);
    assert_eq!(count(&s, "error:0xC000006D"), 53);
}

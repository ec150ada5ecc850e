//! Microsoft Sentinel / Log Analytics table exports.
//! Read from `../shared/datasets/siem-exports` (never copied here); rows pinned exactly.

use crate::common::real_data;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, LoadOptions, Progress};

fn column(s: &EventStore, c: Col) -> Vec<Option<String>> {
    let r = FrameReader::new(&s.frame).unwrap();
    (0..s.len()).map(|i| r.display(c, i)).collect()
}

fn count(s: &EventStore, q: &str) -> usize {
    heist_core::query::filter(&s.frame, q).unwrap().height()
}

/// The public Azure-Sentinel sample of the AWSCloudTrail table as the portal exports it (CSV, 53 columns,
/// `TimeGenerated [UTC]` day-first, JSON columns with doubled quotes and literal `\u0026`): 18 ConsoleLogin
/// rows, read as the CloudTrail events they were ingested from.
#[test]
fn aws_cloudtrail_table_portal_csv() {
    let Some(d) = real_data() else { return };
    let rel = "siem-exports/sentinel/AWS_CloudTrail_Authentication_IngestedLogs.SUBSET.csv";
    let s = load(
        &[d.join(rel)],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files.len(), 1);
    assert_eq!(s.files[0].format, "sentinel");
    assert_eq!((s.len(), s.report.duplicates), (18, 0));

    // Every row, in time order: time, CSV line, identity, source address, outcome, CloudTrail eventID.
    const ROOT: &str = "arn:aws:iam::072643944673:root";
    const CAT: &str = "arn:aws:iam::072643944673:user/CATTeamIDC";
    const SHARMA: &str = "arn:aws:iam::072643944673:user/sharmamanis";
    type Login = (
        &'static str,
        u32,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    #[rustfmt::skip]
    let expected: [Login; 18] = [
        ("2025-02-27T10:26:39Z", 19, ROOT, "87.70.174.160", "success", "780ac5cf-b464-4a75-b17a-6901411d3b5e"),
        ("2025-03-29T11:10:09Z", 14, "sharmamanis", "128.94.16.112", "failure", "6db58122-d1e7-4eb8-a90f-6be95bd0691b"),
        ("2025-03-29T11:10:31Z", 15, "sharmamanis", "128.94.16.112", "failure", "83c5c26a-2cd6-4b97-8b24-656b2ee46033"),
        ("2025-03-29T11:10:47Z", 16, SHARMA, "128.94.16.112", "success", "e7e85e00-c972-4f6d-b853-79e8948612fc"),
        ("2025-04-02T10:13:15Z", 17, "CATTeamIDC", "20.160.68.231", "failure", "e4486bb9-946f-4670-b878-3136296d7624"),
        ("2025-04-02T10:13:44Z", 18, "CATTeamIDC", "20.160.68.231", "failure", "e12d12bf-8c9f-452a-ac84-8fe38ae08e78"),
        ("2025-04-07T07:09:07Z", 12, CAT, "167.220.238.157", "success", "dbe626ca-e992-4acd-b8d0-0ca4db84e650"),
        ("2025-04-07T11:04:43Z", 13, CAT, "128.94.16.143", "success", "8cb4adcb-64c4-48c4-8dcf-aadaa5149ce3"),
        ("2025-04-08T06:56:30Z", 10, CAT, "167.220.238.198", "success", "82e0b970-3205-47d9-883b-00bbd8750e23"),
        ("2025-04-08T08:52:36Z", 11, CAT, "128.94.16.145", "success", "1c596330-0440-472a-8d75-aec640ba98b4"),
        ("2025-04-09T05:57:20Z", 9, CAT, "167.220.238.88", "success", "7ef10b5c-e663-4d5c-8766-046964b5fbab"),
        ("2025-04-09T09:54:56Z", 8, CAT, "106.195.14.158", "success", "e1130bb8-e595-4322-b731-23ddade06a57"),
        ("2025-04-10T18:03:07Z", 7, CAT, "202.136.71.255", "success", "29f9b8bc-6c46-424e-9e7a-ef150c7fc828"),
        ("2025-04-11T09:34:41Z", 6, CAT, "118.185.176.154", "success", "5005bceb-282d-4657-8ffb-43c2a2f95ac0"),
        ("2025-04-11T10:14:36Z", 5, CAT, "167.220.238.3", "success", "3786cf86-e651-4036-8b8e-d593c889da84"),
        ("2025-04-15T10:11:00Z", 4, CAT, "157.45.225.195", "success", "9063ff60-d770-4d48-ba75-ab2130fa6279"),
        ("2025-04-16T05:50:00Z", 3, CAT, "157.45.195.132", "success", "d9b9a577-a659-4378-bc3e-b74215491846"),
        ("2025-04-21T09:45:54Z", 2, CAT, "167.220.238.89", "success", "190150da-f77d-428f-b699-78e570f2dae3"),
    ];
    let want = |f: &dyn Fn(&Login) -> String| -> Vec<Option<String>> {
        expected.iter().map(|e| Some(f(e))).collect()
    };
    assert_eq!(column(&s, Col::Time), want(&|e| e.0.to_string()));
    assert_eq!(column(&s, Col::Line), want(&|e| e.1.to_string()));
    assert_eq!(column(&s, Col::Identity), want(&|e| e.2.to_string()));
    assert_eq!(column(&s, Col::SourceIp), want(&|e| e.3.to_string()));
    assert_eq!(column(&s, Col::Outcome), want(&|e| e.4.to_string()));
    assert_eq!(column(&s, Col::EventId), want(&|e| e.5.to_string()));

    // The original log's source and fields: the same answers as from the trail.
    let all = |v: &str| vec![Some(v.to_string()); 18];
    assert_eq!(column(&s, Col::Source), all("cloudtrail"));
    assert_eq!(column(&s, Col::Provider), all("aws"));
    assert_eq!(column(&s, Col::Action), all("ConsoleLogin"));
    assert_eq!(column(&s, Col::Service), all("signin.amazonaws.com"));
    assert_eq!(column(&s, Col::Region), all("us-east-1"));
    assert_eq!(column(&s, Col::Account), all("072643944673"));
    assert_eq!(
        column(&s, Col::Token),
        vec![None; 18],
        "console logins carry no access key"
    );
    assert_eq!(count(&s, "identity_type:root"), 1);
    assert_eq!(count(&s, "identity_type:human"), 17);
    assert_eq!(
        count(&s, "outcome:failure error_code:ConsoleLoginFailure"),
        4
    );
    assert_eq!(count(&s, "ip:128.94.16.0/24"), 5);
    assert_eq!(count(&s, "ua:*Edg/134.0.0.0*"), 12);
    assert_eq!(
        count(&s, "time>=2025-04-01 time<2025-04-10"),
        8,
        "day-first dates: 02/04 is the 2nd of April"
    );
}

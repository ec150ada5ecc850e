//! Real public samples of the Microsoft 365 unified audit log (Management Activity API records), read from
//! `../shared/datasets` (never copied here): each file loads whole as `m365`, every record is an event (or several:
//! mail items), a counted duplicate or an explained error, with exact times, identities, addresses and outcomes.

use crate::common::real_data;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, LoadOptions, Progress};

fn load_file(d: &std::path::Path, rel: &str) -> EventStore {
    let s = load(
        &[d.join(rel)],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.report.error_count, 0, "{rel}: {:?}", s.report.errors);
    assert_eq!(s.files.len(), 1);
    assert_eq!(s.files[0].format, "m365", "{rel}");
    s
}

fn column(s: &EventStore, c: Col) -> Vec<Option<String>> {
    let r = FrameReader::new(&s.frame).unwrap();
    (0..s.len()).map(|i| r.display(c, i)).collect()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

fn count(s: &EventStore, q: &str) -> usize {
    heist_core::query::filter(&s.frame, q).unwrap().height()
}

/// plaso's test file: Exchange admin cmdlets run by the datacenter's system account, and an Entra logon.
#[test]
fn plaso_exchange_admin_and_logon() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "plaso-test-data/microsoft_audit_log.jsonl");
    assert_eq!((s.len(), s.report.duplicates), (4, 0));
    const SYSTEM: &str = "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.Servicehost)";
    assert_eq!(
        column(&s, Col::Time),
        some(&[
            "2022-05-07T12:55:53Z",
            "2022-05-07T12:56:18Z",
            "2022-05-07T12:56:24Z",
            "2022-05-08T15:13:41Z"
        ])
    );
    assert_eq!(
        column(&s, Col::Action),
        some(&[
            "Install-DefaultSharingPolicy",
            "Set-MailboxPlan",
            "Set-AdminAuditLogConfig",
            "UserLoggedIn"
        ])
    );
    assert_eq!(
        column(&s, Col::Identity),
        some(&[SYSTEM, SYSTEM, SYSTEM, "piet@sst5f.onmicrosoft.com"])
    );
    assert_eq!(
        column(&s, Col::IdentityType),
        some(&["service", "service", "service", "human"])
    );
    assert_eq!(column(&s, Col::Outcome), some(&["success"; 4]));
    assert_eq!(
        column(&s, Col::SourceIp),
        vec![None, None, None, Some("0.0.0.0".to_string())]
    );
    assert_eq!(
        column(&s, Col::Account),
        some(&["5a0f38c6-710b-4503-92c0-3a9f6e00f726"; 4])
    );
    assert_eq!(
        column(&s, Col::EventId)[3].as_deref(),
        Some("0a454a7b-fbac-4329-a20c-72bad3bc5000")
    );
    assert_eq!(
        count(&s, "kind:app asset:00000003-0000-0000-c000-000000000000"),
        1
    );
}

/// Panther's AzureActiveDirectory test records: a failed and a successful logon under one record id (two events:
/// their operations differ), and one directory change logged twice.
#[test]
fn panther_entra_logons() {
    let Some(d) = real_data() else { return };
    let s = load_file(
        &d,
        "panther-analysis/Microsoft365_Audit_AzureActiveDirectory.jsonl",
    );
    assert_eq!((s.len(), s.report.duplicates), (3, 1));
    assert_eq!(
        column(&s, Col::Action),
        some(&["UserLoginFailed", "UserLoggedIn", "Update user."])
    );
    assert_eq!(
        column(&s, Col::Time),
        some(&[
            "2022-12-12T15:57:57Z",
            "2022-12-12T15:57:57Z",
            "2022-12-12T17:28:35Z"
        ])
    );
    assert_eq!(
        column(&s, Col::Outcome),
        some(&["failure", "success", "success"])
    );
    assert_eq!(
        column(&s, Col::ErrorCode)[0].as_deref(),
        Some("InvalidUserNameOrPassword"),
        "a failed logon fails whatever ResultStatus says"
    );
    assert_eq!(
        column(&s, Col::Identity),
        some(&[
            "sample.user@yourorg.onmicrosoft.com",
            "sample.user@yourorg.onmicrosoft.com",
            "ServicePrincipal_aa-bb-ccc"
        ])
    );
    assert_eq!(count(&s, "ip:1.2.3.4"), 2);
    assert_eq!(
        count(&s, "ua:*Chrome/107.0.0.0*"),
        2,
        "from ExtendedProperties"
    );
}

/// SEKOIA's intake test records of every workload (73 records): mail items of MailItemsAccessed and SoftDelete
/// become one event each (with their sizes), the fixtures that repeat a record id are counted as duplicates.
#[test]
fn sekoia_all_workloads() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "sekoia-intake-formats/Office_365__o365.jsonl");
    assert_eq!((s.len(), s.report.duplicates), (77, 11));
    assert_eq!(column(&s, Col::Source), some(&["m365"; 77]));
    assert_eq!(count(&s, "outcome:failure"), 1);
    assert_eq!(
        count(
            &s,
            "action:UserLoginFailed error:AuthenticationFailedSasError"
        ),
        1
    );
    // MailItemsAccessed: 2 + 3 + 1 items bound, 411,661 bytes in all.
    assert_eq!(count(&s, "action:MailItemsAccessed kind:mail_item"), 6);
    let r = FrameReader::new(&s.frame).unwrap();
    let bytes: u64 = (0..s.len())
        .filter(|&i| r.display(Col::Action, i).as_deref() == Some("MailItemsAccessed"))
        .filter_map(|i| r.u64(Col::Bytes, i))
        .sum();
    assert_eq!(bytes, 411_661);
    // A guest's download: the file's full path and size.
    assert_eq!(
        count(
            &s,
            "action:FileDownloaded identity:urn:spo:guest#john.doe@example.com bytes>26860826"
        ),
        1
    );
    assert_eq!(
        count(&s, r#"asset:"https://example.com/Documents/IMT MBA/1.zip""#),
        1
    );
    // The Entra token behind a Teams action.
    assert_eq!(
        count(&s, "token:mYyWp_-UrEa4Z_pZM7FlAA action:ChatCreated"),
        1
    );
    // 16 Exchange records give 31 events (one per mail item); 10 repeat those of a SoftDelete record the fixtures
    // reuse, 21 remain.
    assert_eq!(count(&s, "service:Exchange"), 21);
}

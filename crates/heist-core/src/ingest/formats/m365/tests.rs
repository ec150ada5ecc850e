//! Records written by Microsoft's documented schemas ("Office 365 Management Activity API schema": common schema,
//! SharePoint file operations, Exchange mailbox, Entra STS logon, AppAccessContext; the CopilotInteraction schema
//! and its documented example; "Search-UnifiedAuditLog" and the Purview audit search export). There is no public
//! capture of a tenant's unified audit log, so every record here is hand-written to those schemas.

use serde_json::{json, Value};

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::doc::Probe;
use crate::ingest::formats::Format;
use crate::ingest::{load_bytes, LoadOptions};

use super::M365;

const ORG: &str = "4f0fd2b6-a1bd-4a4f-9bba-7b9d1c3b8c10";
const UTI: &str = "Yl9sZWFrZWRUb2tlbjAx";

fn load(name: &str, text: &str) -> EventStore {
    load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

/// Load a file that must read entirely as Microsoft 365, without errors.
fn ok(name: &str, text: &str) -> EventStore {
    let s = load(name, text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files.len(), 1, "unreadable: {:?}", s.report.unreadable);
    assert_eq!(s.files[0].format, "m365");
    s
}

fn cell(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

fn column(s: &EventStore, c: Col) -> Vec<Option<String>> {
    (0..s.len()).map(|i| cell(s, c, i)).collect()
}

fn file_downloaded() -> Value {
    json!({
        "CreationTime": "2026-10-05T06:12:44",
        "Id": "a1b2c3d4-0000-4000-8000-000000000001",
        "Operation": "FileDownloaded",
        "OrganizationId": ORG,
        "RecordType": 6,
        "UserKey": "i:0h.f|membership|1003200284b3c7e5@live.com",
        "UserType": 0,
        "Version": 1,
        "Workload": "SharePoint",
        "ClientIP": "198.51.100.77:50123",
        "ObjectId": "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json",
        "UserId": "mallory@contoso.com",
        "CorrelationId": "5e5fa2a0-40b9-5000-c3f2-6a1e5b9f0001",
        "EventSource": "SharePoint",
        "ItemType": "File",
        "ListId": "0e6c3a3c-6d1f-4a5a-9f58-1d2d3e4f5a6b",
        "ListItemUniqueId": "3b7e2f1a-0c9d-4e8f-a7b6-c5d4e3f2a1b0",
        "Site": "d6b0f6a2-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        "UserAgent": "python-requests/2.31.0",
        "WebId": "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
        "SourceFileExtension": "json",
        "SiteUrl": "https://contoso.sharepoint.com/sites/ML/",
        "SourceFileName": "config.json",
        "SourceRelativeUrl": "Shared Documents/models/llm-7b",
        "AppAccessContext": {"ClientAppId": "d3590ed6-52b3-4102-aeff-aad2292ab01c", "ClientAppName": "Microsoft Office",
            "CorrelationId": "5e5fa2a0-40b9-5000-c3f2-6a1e5b9f0001", "UniqueTokenId": UTI}
    })
}

fn mail_items_accessed() -> Value {
    json!({
        "CreationTime": "2026-10-05T06:20:00",
        "Id": "b1b2c3d4-0000-4000-8000-000000000002",
        "Operation": "MailItemsAccessed",
        "OrganizationId": ORG,
        "RecordType": 50,
        "ResultStatus": "Succeeded",
        "UserKey": "10032001A2B3C4D5",
        "UserType": 0,
        "Version": 1,
        "Workload": "Exchange",
        "UserId": "mallory@contoso.com",
        "AppId": "00000002-0000-0ff1-ce00-000000000000",
        "ClientAppId": "",
        "ClientIPAddress": "[2001:db8::77]:443",
        "ClientInfoString": "Client=REST;Client=RESTSystem;;",
        "ExternalAccess": false,
        "InternalLogonType": 0,
        "LogonType": 0,
        "LogonUserSid": "S-1-5-21-1-2-3-1001",
        "MailboxGuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "MailboxOwnerSid": "S-1-5-21-1-2-3-1001",
        "MailboxOwnerUPN": "cfo@contoso.com",
        "OperationProperties": [{"Name": "MailAccessType", "Value": "Bind"}, {"Name": "IsThrottled", "Value": "False"}],
        "OrganizationName": "contoso.onmicrosoft.com",
        "OriginatingServer": "BN8PR01MB1234 (15.20.7000.000)",
        "Folders": [
            {"FolderItems": [
                {"InternetMessageId": "<BN8PR01MB0001@contoso.com>", "SizeInBytes": 81234},
                {"InternetMessageId": "<BN8PR01MB0002@contoso.com>", "SizeInBytes": 1048576}],
             "Id": "LgAAAAB0", "Path": "\\Inbox"},
            {"FolderItems": [{"InternetMessageId": "<BN8PR01MB0003@contoso.com>", "SizeInBytes": 4096}],
             "Id": "LgAAAAB1", "Path": "\\Inbox\\Board"}
        ],
        "OperationCount": 3
    })
}

fn mail_sync() -> Value {
    json!({
        "CreationTime": "2026-10-05T06:25:00",
        "Id": "b1b2c3d4-0000-4000-8000-000000000003",
        "Operation": "MailItemsAccessed",
        "OrganizationId": ORG,
        "RecordType": 50,
        "ResultStatus": "Succeeded",
        "UserType": 0,
        "Workload": "Exchange",
        "UserId": "mallory@contoso.com",
        "ClientIPAddress": "198.51.100.77",
        "MailboxOwnerUPN": "cfo@contoso.com",
        "OperationProperties": [{"Name": "MailAccessType", "Value": "Sync"}],
        "Folders": [{"Id": "LgAAAAB2", "Path": "\\Sent Items"}],
        "OperationCount": 1
    })
}

fn copilot_interaction() -> Value {
    json!({
        "CreationTime": "2026-10-05T06:30:10",
        "Id": "c1b2c3d4-0000-4000-8000-000000000004",
        "Operation": "CopilotInteraction",
        "OrganizationId": ORG,
        "RecordType": 261,
        "UserKey": "12d24f71-64c7-49b3-821f-f8884f3f373e",
        "UserType": 0,
        "Version": 1,
        "Workload": "Copilot",
        "ClientIP": "198.51.100.77",
        "UserId": "mallory@contoso.com",
        "AppIdentity": "Copilot.MicrosoftCopilot.BizChat",
        "CopilotEventData": {
            "AppHost": "bizchat",
            "Contexts": [],
            "ThreadId": "19:abcdef@thread.v2",
            "MessageIds": [],
            "Messages": [{"Id": "1728109810000", "isPrompt": true}],
            "AccessedResources": [
                {"Id": "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json",
                 "Name": "config.json", "SiteUrl": "https://contoso.sharepoint.com/sites/ML/", "Type": "File", "Action": "Read",
                 "SensitivityLabelId": "f42aa342-8706-4288-bd11-ebb85995028c"},
                {"Name": "Board minutes.docx", "SiteUrl": "https://contoso.sharepoint.com/sites/Board", "Type": "docx", "Action": "Read"},
                {"Id": "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json",
                 "Name": "config.json", "Type": "File", "Action": "Read"}
            ],
            "AISystemPlugin": [{"Id": "BingWebSearch", "Name": "BuiltIn"}],
            "ModelTransparencyDetails": [{"ModelName": "gpt-4o", "ModelProviderName": "OpenAI"}]
        },
        "AgentId": "P_301fad66.Researcher",
        "AgentName": "Researcher"
    })
}

#[test]
fn sharepoint_download_maps_file_user_token_and_ip() {
    let s = ok("audit.json", &json!([file_downloaded()]).to_string());
    assert_eq!(s.len(), 1);
    let get = |c| cell(&s, c, 0);
    assert_eq!(get(Col::Time).as_deref(), Some("2026-10-05T06:12:44Z"));
    assert_eq!(get(Col::Source).as_deref(), Some("m365"));
    assert_eq!(get(Col::Provider).as_deref(), Some("microsoft365"));
    assert_eq!(get(Col::Service).as_deref(), Some("SharePoint"));
    assert_eq!(get(Col::Action).as_deref(), Some("FileDownloaded"));
    assert_eq!(get(Col::Outcome).as_deref(), Some("success"));
    assert_eq!(get(Col::Identity).as_deref(), Some("mallory@contoso.com"));
    assert_eq!(get(Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(
        get(Col::SourceIp).as_deref(),
        Some("198.51.100.77"),
        "port dropped"
    );
    assert_eq!(
        get(Col::UserAgent).as_deref(),
        Some("python-requests/2.31.0")
    );
    assert_eq!(
        get(Col::Asset).as_deref(),
        Some("https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json"),
        "SiteUrl + SourceRelativeUrl + SourceFileName, the same string as ObjectId"
    );
    assert_eq!(get(Col::AssetKind).as_deref(), Some("file"));
    assert_eq!(get(Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(Col::TokenKind).as_deref(), Some("token_id"));
    assert_eq!(get(Col::Account).as_deref(), Some(ORG));
    assert_eq!(
        get(Col::RequestId).as_deref(),
        Some("5e5fa2a0-40b9-5000-c3f2-6a1e5b9f0001")
    );
    assert_eq!(
        get(Col::EventId).as_deref(),
        Some("a1b2c3d4-0000-4000-8000-000000000001")
    );
}

#[test]
fn onedrive_sync_download_and_file_size() {
    let mut r = file_downloaded();
    r["Operation"] = json!("FileSyncDownloadedFull");
    r["Workload"] = json!("OneDrive");
    r["RecordType"] = json!(6);
    r["SiteUrl"] = json!("https://contoso-my.sharepoint.com/personal/cfo_contoso_com/");
    r["SourceRelativeUrl"] = json!("Documents");
    r["SourceFileName"] = json!("board-pack.pdf");
    r["FileSizeBytes"] = json!(2097152);
    r["UserAgent"] = json!("Microsoft SkyDriveSync 24.151.0728.0003 ship; Windows NT 10.0 (19045)");
    r.as_object_mut().unwrap().remove("AppAccessContext");
    let s = ok("audit.jsonl", &format!("{r}\n"));
    assert_eq!(
        cell(&s, Col::Asset, 0).as_deref(),
        Some("https://contoso-my.sharepoint.com/personal/cfo_contoso_com/Documents/board-pack.pdf")
    );
    assert_eq!(cell(&s, Col::Service, 0).as_deref(), Some("OneDrive"));
    assert_eq!(cell(&s, Col::Bytes, 0).as_deref(), Some("2097152"));
    assert_eq!(cell(&s, Col::Token, 0), None);
}

#[test]
fn mail_items_accessed_gives_one_event_per_item_or_folder() {
    let s = ok(
        "audit.json",
        &json!([mail_items_accessed(), mail_sync()]).to_string(),
    );
    assert_eq!(s.len(), 4, "three items bound, one folder synced");
    assert_eq!(
        column(&s, Col::Asset),
        [
            Some("<BN8PR01MB0001@contoso.com>".into()),
            Some("<BN8PR01MB0002@contoso.com>".into()),
            Some("<BN8PR01MB0003@contoso.com>".into()),
            Some("cfo@contoso.com\\Sent Items".into()),
        ]
    );
    assert_eq!(
        column(&s, Col::AssetKind),
        [
            Some("mail_item".into()),
            Some("mail_item".into()),
            Some("mail_item".into()),
            Some("mail_folder".into())
        ]
    );
    assert_eq!(
        column(&s, Col::Bytes),
        [
            Some("81234".into()),
            Some("1048576".into()),
            Some("4096".into()),
            None
        ]
    );
    // Every event keeps the record's time, user and address; each has its own key.
    assert_eq!(
        cell(&s, Col::Identity, 2).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(cell(&s, Col::SourceIp, 0).as_deref(), Some("2001:db8::77"));
    assert_eq!(cell(&s, Col::SourceIp, 3).as_deref(), Some("198.51.100.77"));
    assert_eq!(
        cell(&s, Col::UserAgent, 0).as_deref(),
        Some("Client=REST;Client=RESTSystem;;")
    );
    assert_eq!(
        column(&s, Col::EventId)[..3],
        [
            Some("b1b2c3d4-0000-4000-8000-000000000002".into()),
            Some("b1b2c3d4-0000-4000-8000-000000000002#2".into()),
            Some("b1b2c3d4-0000-4000-8000-000000000002#3".into()),
        ]
    );
    assert_eq!(s.report.duplicates, 0);
    assert!(column(&s, Col::Origin)
        .iter()
        .all(|o| o.as_deref() == Some("audit.json")));
    let lines: Vec<u32> = (0..4)
        .map(|i| cell(&s, Col::Line, i).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [0, 0, 0, 1], "every event is located at its record");
}

#[test]
fn copilot_interaction_names_each_resource_read_for_the_user() {
    let s = ok("audit.json", &json!([copilot_interaction()]).to_string());
    assert_eq!(s.len(), 2, "the resource named twice is one event");
    assert_eq!(
        column(&s, Col::Asset),
        [
            Some(
                "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json"
                    .into()
            ),
            Some("https://contoso.sharepoint.com/sites/Board/Board minutes.docx".into()),
        ]
    );
    assert_eq!(
        column(&s, Col::AssetKind),
        [Some("file".into()), Some("file".into())]
    );
    for i in 0..2 {
        assert_eq!(
            cell(&s, Col::Identity, i).as_deref(),
            Some("mallory@contoso.com")
        );
        assert_eq!(
            cell(&s, Col::Action, i).as_deref(),
            Some("CopilotInteraction")
        );
        assert_eq!(cell(&s, Col::Service, i).as_deref(), Some("Copilot"));
        assert_eq!(
            cell(&s, Col::UserAgent, i).as_deref(),
            Some("bizchat; agent Researcher; model gpt-4o")
        );
    }
}

/// Microsoft's own CopilotInteraction example ("Example 1: Copilot Interaction Experience within M365 Apps"):
/// no resource was read, so the open document (`Contexts`) is the asset; the IPv4-mapped address reads as IPv4.
#[test]
fn copilot_documented_example_uses_the_context() {
    let example = r#"{"CreationTime":"2023-12-13T17:12:36","Id":"99b0a960-13a0-461f-8c5c-cb2316ea273d","Operation":"CopilotInteraction","OrganizationId":"408e31c8-8f05-410a-9221-84335f0ce512","RecordType":261,"UserKey":"12d24f71-64c7-49b3-821f-f8884f3f373e","UserType":0,"Version":1,"Workload":"Copilot","ClientIP":"::ffff:10.11.0.229","UserId":"admin@MODERNCOMMS975184.onmicrosoft.com","CopilotEventData":{"AccessedResources":[],"AppHost":"appchat","Contexts":[{"Id":"https:\/\/moderncomms975184-my.sharepoint.com\/personal\/admin_moderncomms975184_onmicrosoft_com\/_layouts\/15\/Doc.aspx?sourcedoc=%7B9FDE1491-B079-4180-9B1E-B87F4ACA19F7%7D&file=AboutElephants.docx&action=default&mobileredirect=true","Type":"docx"}],"MessageIds":[],"ThreadId":"19:lgojcxwbvhJnfU3IhUJW5M-nSX2U7tjccgSrtYAoG341@thread.v2"}}"#;
    let s = ok("copilot.json", example);
    assert_eq!(s.len(), 1);
    assert_eq!(
        cell(&s, Col::Time, 0).as_deref(),
        Some("2023-12-13T17:12:36Z")
    );
    assert_eq!(cell(&s, Col::SourceIp, 0).as_deref(), Some("10.11.0.229"));
    assert!(cell(&s, Col::Asset, 0)
        .unwrap()
        .contains("file=AboutElephants.docx"));
    assert_eq!(cell(&s, Col::AssetKind, 0).as_deref(), Some("file"));
    assert_eq!(cell(&s, Col::UserAgent, 0).as_deref(), Some("appchat"));
}

/// Microsoft's "Example 2" record is published with a missing `":` (`"ClientIP"2401:...`): such a record is
/// reported at its place, and the records around it load.
#[test]
fn a_malformed_record_is_reported_with_its_origin() {
    let broken = r#"{"CreationTime":"2023-12-14T02:11:55","Id":"537312b6-dce7-4d9b-8b12-58283204b720","Operation":"CopilotInteraction","OrganizationId":"408e31c8-8f05-410a-9221-84335f0ce512","RecordType":261,"UserType":0,"Version":1,"Workload":"Copilot","ClientIP"2401:4900:60d2:179b:c004:b6f:b678:b148","UserId":"admin@MODERNCOMMS975184.onmicrosoft.com"}"#;
    let mut no_time = file_downloaded();
    no_time.as_object_mut().unwrap().remove("CreationTime");
    let text = format!(
        "{}\n{broken}\n{no_time}\n{}\n",
        file_downloaded(),
        mail_sync()
    );
    let s = load("audit.jsonl", &text);
    assert_eq!(s.len(), 2);
    assert_eq!(s.files[0].format, "m365");
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(origins, ["audit.jsonl:2", "audit.jsonl:3"]);
    assert!(s.report.errors[1].message.contains("no CreationTime"));
}

#[test]
fn failed_logins_admin_cmdlets_and_service_accounts() {
    let failed_login = json!({
        "CreationTime": "2026-10-05T05:59:00", "Id": "d1", "Operation": "UserLoginFailed",
        "OrganizationId": ORG, "RecordType": 15, "ResultStatus": "Success", "UserKey": "10032001A2B3C4D5",
        "UserType": 0, "Version": 1, "Workload": "AzureActiveDirectory", "ClientIP": "198.51.100.77",
        "ObjectId": "00000003-0000-0ff1-ce00-000000000000", "UserId": "cfo@contoso.com",
        "AzureActiveDirectoryEventType": 1, "ApplicationId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "ErrorNumber": "50126", "LogonError": "InvalidUserNameOrPassword",
        "ExtendedProperties": [{"Name": "ResultStatusDetail", "Value": "Success"},
            {"Name": "UserAgent", "Value": "Mozilla/5.0 (X11; Linux x86_64)"}, {"Name": "RequestType", "Value": "Login:login"}]
    });
    let cmdlet = json!({
        "CreationTime": "2026-10-05T06:40:00", "Id": "d2", "Operation": "New-InboxRule",
        "OrganizationId": ORG, "RecordType": 1, "ResultStatus": "False", "UserKey": "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)",
        "UserType": 2, "Version": 1, "Workload": "Exchange", "ObjectId": "cfo@contoso.com\\fwd-all",
        "UserId": "mallory@contoso.com", "ClientIP": "198.51.100.77",
        "Parameters": [{"Name": "ForwardTo", "Value": "drop@example.net"}]
    });
    let system = json!({
        "CreationTime": "2026-10-05T06:41:00", "Id": "d3", "Operation": "FileAccessed",
        "OrganizationId": ORG, "RecordType": 6, "UserType": 0, "Workload": "SharePoint",
        "UserId": "app@sharepoint", "ClientIP": "20.190.128.1", "ObjectId": "https://contoso.sharepoint.com/sites/ML/x"
    });
    let app = json!({
        "CreationTime": "2026-10-05T06:42:00", "Id": "d4", "Operation": "Update",
        "OrganizationId": ORG, "RecordType": 2, "UserType": "Application", "Workload": "Exchange",
        "UserId": "Cortana", "ClientIP": ""
    });
    let s = ok(
        "audit.json",
        &json!([failed_login, cmdlet, system, app]).to_string(),
    );
    assert_eq!(
        column(&s, Col::Outcome),
        [
            Some("failure".into()),
            Some("failure".into()),
            Some("success".into()),
            Some("success".into())
        ]
    );
    assert_eq!(
        cell(&s, Col::ErrorCode, 0).as_deref(),
        Some("InvalidUserNameOrPassword")
    );
    assert_eq!(cell(&s, Col::ErrorCode, 1).as_deref(), Some("False"));
    // An Entra logon: the agent from ExtendedProperties, the application signed in to as the asset.
    assert_eq!(
        cell(&s, Col::UserAgent, 0).as_deref(),
        Some("Mozilla/5.0 (X11; Linux x86_64)")
    );
    assert_eq!(
        cell(&s, Col::Asset, 0).as_deref(),
        Some("00000003-0000-0ff1-ce00-000000000000")
    );
    assert_eq!(cell(&s, Col::AssetKind, 0).as_deref(), Some("app"));
    assert_eq!(
        column(&s, Col::IdentityType),
        [
            Some("human".into()),
            Some("human".into()),
            Some("service".into()),
            Some("service".into())
        ]
    );
    assert_eq!(
        cell(&s, Col::Asset, 1).as_deref(),
        Some("cfo@contoso.com\\fwd-all")
    );
    assert_eq!(cell(&s, Col::AssetKind, 1).as_deref(), Some("object"));
    assert_eq!(cell(&s, Col::SourceIp, 3), None);
}

#[test]
fn search_unified_audit_log_json_and_purview_csv_read_the_audit_data() {
    let audit = file_downloaded().to_string();
    // Search-UnifiedAuditLog | ConvertTo-Json
    let search = json!([{
        "RunspaceId": "0b4c0d47-7f4a-4b36-9f1d-1e2d3c4b5a69", "RecordType": "SharePointFileOperation",
        "CreationDate": "2026-10-05T06:12:44", "UserIds": "mallory@contoso.com", "Operations": "FileDownloaded",
        "AuditData": audit, "ResultIndex": 1, "ResultCount": 1,
        "Identity": "a1b2c3d4-0000-4000-8000-000000000001", "IsValid": true, "ObjectState": "Unchanged"
    }]);
    let s = ok("search.json", &search.to_string());
    assert_eq!(s.len(), 1);
    assert_eq!(cell(&s, Col::Action, 0).as_deref(), Some("FileDownloaded"));
    assert_eq!(cell(&s, Col::Token, 0).as_deref(), Some(UTI));

    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    // The classic Purview export and the newer one; CreationDate is the exporter's local time, AuditData's
    // CreationTime is UTC and is what counts.
    let old = format!(
        "CreationDate,UserIds,Operations,AuditData\r\n2026-10-05T08:12:44.0000000+02:00,mallory@contoso.com,FileDownloaded,{}\r\n",
        quoted(&audit)
    );
    let new = format!(
        "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\n\
         c1b2c3d4-0000-4000-8000-000000000004,2026-10-05T06:30:10.0000000Z,CopilotInteraction,CopilotInteraction,mallory@contoso.com,{},,\n\
         e1,2026-10-05T06:31:00.0000000Z,CopilotInteraction,CopilotInteraction,mallory@contoso.com,\"{{not json\",,\n",
        quoted(&copilot_interaction().to_string())
    );
    let s = ok("purview.csv", &old);
    assert_eq!(
        cell(&s, Col::Time, 0).as_deref(),
        Some("2026-10-05T06:12:44Z")
    );
    assert_eq!(
        cell(&s, Col::Identity, 0).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(cell(&s, Col::Line, 0).as_deref(), Some("2"));
    let s = load("purview.csv", &new);
    assert_eq!(s.files[0].format, "m365");
    assert_eq!(s.len(), 2, "two resources read");
    assert_eq!(s.report.errors.len(), 1);
    assert_eq!(s.report.errors[0].origin, "purview.csv:3");
    assert!(s.report.errors[0]
        .message
        .contains("AuditData is not a JSON record"));
}

#[test]
fn sniffing_claims_audit_records_only() {
    let yes = |t: &str| M365.sniff(&Probe::new("f", t));
    assert!(yes(&json!([file_downloaded()]).to_string()));
    assert!(yes("CreationDate,UserIds,Operations,AuditData\n"));
    let cloudtrail = json!({"Records":[{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com",
        "eventName":"GetObject","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser"}}]});
    assert!(!yes(&cloudtrail.to_string()));
    let entra = json!({"time":"2024-05-01T10:00:00Z","category":"SignInLogs","operationName":"Sign-in activity",
        "resourceId":"/tenants/t/providers/Microsoft.aadiam","properties":{"userPrincipalName":"a@b.c"}});
    assert!(!yes(&format!("{entra}\n")));
    // Sentinel's OfficeActivity rows are the sentinel format's (no CreationTime / Workload).
    let office = json!([{"TimeGenerated":"2026-10-05T06:12:44Z","Operation":"FileDownloaded","OfficeWorkload":"SharePoint",
        "RecordType":"SharePointFileOperation","UserId":"mallory@contoso.com","Type":"OfficeActivity"}]);
    assert!(!yes(&office.to_string()));
    assert!(!yes("Date,Sender/Author,Immutable ID,Item class\n"));
    let gcp = json!({"protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "methodName": "storage.objects.get"}, "timestamp": "2026-10-05T03:44:59Z"});
    assert!(!yes(&format!("{gcp}\n")));
    // The other direction: no other format claims an audit record in any of its shapes.
    let search = json!([{"CreationDate": "2026-10-05T06:12:44", "UserIds": "mallory@contoso.com",
        "Operations": "FileDownloaded", "AuditData": file_downloaded().to_string()}]);
    for text in [
        json!([
            file_downloaded(),
            copilot_interaction(),
            mail_items_accessed()
        ])
        .to_string(),
        format!("{}\n", mail_sync()),
        search.to_string(),
        "CreationDate,UserIds,Operations,AuditData\n".to_string(),
    ] {
        let probe = Probe::new("f", &text);
        assert!(M365.sniff(&probe), "{text}");
        for f in crate::ingest::formats::registry()
            .iter()
            .filter(|f| f.id() != "m365")
        {
            assert!(!f.sniff(&probe), "{} claims an M365 audit file", f.id());
        }
    }
    let s = ok(
        "audit.json",
        &json!([file_downloaded(), copilot_interaction()]).to_string(),
    );
    assert_eq!(s.len(), 3);
}

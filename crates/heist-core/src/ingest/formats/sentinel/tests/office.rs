//! OfficeActivity rows. No public export of this table exists: the rows are written by the "OfficeActivity" table
//! reference of Azure Monitor Logs (`OfficeWorkload`, `OfficeId`, `OfficeObjectId`, `Site_Url`,
//! `SourceRelativeUrl`, `SourceFileName`, `Client_IPAddress`, `MailboxOwnerUPN`, `Folders` as JSON text, `UserType`
//! and `RecordType` by name), holding the values of the unified audit log schema.

use super::*;

const ORG: &str = "4f0fd2b6-a1bd-4a4f-9bba-7b9d1c3b8c10";

fn download() -> Value {
    json!({
        "TenantId": "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b", "SourceSystem": "OfficeActivityManager",
        "TimeGenerated": "2026-10-05T06:12:44Z", "RecordType": "SharePointFileOperation",
        "Operation": "FileDownloaded", "UserType": "Regular", "UserKey": "i:0h.f|membership|1003200284b3c7e5@live.com",
        "OfficeWorkload": "SharePoint", "ResultStatus": "", "OfficeObjectId":
            "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json",
        "UserId": "mallory@contoso.com", "ClientIP": "198.51.100.77", "Site_Url": "https://contoso.sharepoint.com/sites/ML/",
        "SourceRelativeUrl": "Shared Documents/models/llm-7b", "SourceFileName": "config.json",
        "SourceFileExtension": "json", "UserAgent": "python-requests/2.31.0", "ItemType": "File",
        "OfficeId": "a1b2c3d4-0000-4000-8000-000000000001", "OrganizationId": ORG, "Type": "OfficeActivity"
    })
}

fn mail_access() -> Value {
    json!({
        "TenantId": "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b", "SourceSystem": "OfficeActivityManager",
        "TimeGenerated": "2026-10-05T06:20:00Z", "RecordType": "ExchangeItemAggregated",
        "Operation": "MailItemsAccessed", "UserType": "Regular", "OfficeWorkload": "Exchange",
        "ResultStatus": "Succeeded", "UserId": "mallory@contoso.com", "Client_IPAddress": "198.51.100.77:40112",
        "ClientInfoString": "Client=REST;Client=RESTSystem;;", "MailboxOwnerUPN": "cfo@contoso.com",
        "Folders": json!([{"FolderItems": [{"InternetMessageId": "<BN8PR01MB0001@contoso.com>", "SizeInBytes": 81234},
            {"InternetMessageId": "<BN8PR01MB0002@contoso.com>", "SizeInBytes": 1048576}], "Id": "LgAAAAB0", "Path": "\\Inbox"}]).to_string(),
        "OperationProperties": json!([{"Name": "MailAccessType", "Value": "Bind"}]).to_string(),
        "OfficeId": "b1b2c3d4-0000-4000-8000-000000000002", "OrganizationId": ORG, "Type": "OfficeActivity"
    })
}

#[test]
fn office_activity_rows_read_as_the_unified_audit_log() {
    let header = [
        "TenantId",
        "SourceSystem",
        "TimeGenerated [UTC]",
        "RecordType",
        "Operation",
        "UserType",
        "UserKey",
        "OfficeWorkload",
        "ResultStatus",
        "OfficeObjectId",
        "UserId",
        "ClientIP",
        "Site_Url",
        "SourceRelativeUrl",
        "SourceFileName",
        "SourceFileExtension",
        "UserAgent",
        "ItemType",
        "Client_IPAddress",
        "ClientInfoString",
        "MailboxOwnerUPN",
        "Folders",
        "OperationProperties",
        "OfficeId",
        "OrganizationId",
        "Type",
    ];
    let mut portal = [download(), mail_access()];
    portal[0]["TimeGenerated"] = json!("05/10/2026, 06:12:44.000");
    portal[1]["TimeGenerated"] = json!("05/10/2026, 06:20:00.000");
    for s in [
        ok(
            "office.json",
            &json!([download(), mail_access()]).to_string(),
        ),
        ok("office.csv", &csv(&header, &portal)),
    ] {
        assert_eq!(s.len(), 3, "one download, two mail items");
        assert_eq!(column(&s, Col::Source), some(&["m365"; 3]));
        assert_eq!(
            column(&s, Col::Time),
            some(&[
                "2026-10-05T06:12:44Z",
                "2026-10-05T06:20:00Z",
                "2026-10-05T06:20:00Z"
            ])
        );
        assert_eq!(
            column(&s, Col::Action),
            some(&["FileDownloaded", "MailItemsAccessed", "MailItemsAccessed"])
        );
        assert_eq!(
            column(&s, Col::Service),
            some(&["SharePoint", "Exchange", "Exchange"])
        );
        assert_eq!(column(&s, Col::Identity), some(&["mallory@contoso.com"; 3]));
        assert_eq!(column(&s, Col::IdentityType), some(&["human"; 3]));
        assert_eq!(column(&s, Col::SourceIp), some(&["198.51.100.77"; 3]));
        assert_eq!(
            column(&s, Col::Asset),
            some(&[
                "https://contoso.sharepoint.com/sites/ML/Shared Documents/models/llm-7b/config.json",
                "<BN8PR01MB0001@contoso.com>",
                "<BN8PR01MB0002@contoso.com>",
            ])
        );
        assert_eq!(
            column(&s, Col::AssetKind),
            some(&["file", "mail_item", "mail_item"])
        );
        assert_eq!(
            column(&s, Col::Bytes),
            vec![None, Some("81234".into()), Some("1048576".into())]
        );
        assert_eq!(column(&s, Col::Account), some(&[ORG; 3]));
        assert_eq!(
            column(&s, Col::EventId),
            some(&[
                "a1b2c3d4-0000-4000-8000-000000000001",
                "b1b2c3d4-0000-4000-8000-000000000002",
                "b1b2c3d4-0000-4000-8000-000000000002#2",
            ])
        );
        assert_eq!(column(&s, Col::Outcome), some(&["success"; 3]));
    }
}

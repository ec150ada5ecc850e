//! The console's CSV, Athena's results and scripted flattenings have no public CloudTrail example to test against:
//! these follow the console's documented columns, the CloudTrail table DDL in AWS's Athena documentation (Athena
//! prints a struct as `{name=value, ...}`), and pandas' CSV of Python dicts.

use serde_json::{json, Value};

use super::*;
use crate::frame::Col;
use crate::ingest::formats::reexport::testkit::*;
use crate::ingest::formats::registry;

/// A CSV field, quoted.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[test]
fn console_download_prefers_the_cloudtrail_event_column() {
    let text = format!(
        "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Event source,AWS region,Error code,Source IP address,Read-only,Resources,CloudTrail event\n\
         EV1,2026-10-05T02:13:00Z,ci,GetObject,AWS::S3::Object,acme-models/llm/model-00001.safetensors,AKIAQ3EXAMPLESTOLEN,s3.amazonaws.com,us-east-1,,198.51.100.77,true,\"[]\",{}\n",
        q(CT_GET)
    );
    let s = load("event_history.csv", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("cloudtrail_csv", 1));
    assert_eq!(cell(&s, Col::Source, 0).as_deref(), Some("cloudtrail"));
    assert_eq!(
        cell(&s, Col::Identity, 0).as_deref(),
        Some("arn:aws:iam::111122223333:user/ci")
    );
    assert_eq!(
        cell(&s, Col::Asset, 0).as_deref(),
        Some("acme-models/llm/model-00001.safetensors")
    );
    assert_eq!(cell(&s, Col::Bytes, 0).as_deref(), Some("4938000000"));
    assert_eq!(cell(&s, Col::Line, 0).as_deref(), Some("2"));
}

#[test]
fn console_download_without_the_event_reads_its_columns() {
    let resources = q(
        r#"[{"resourceType":"AWS::IAM::AccessKey","resourceName":"AKIANEWKEYEXAMPLE"},{"resourceType":"AWS::IAM::User","resourceName":"backup"}]"#,
    );
    let text = format!(
        "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,AWS region,Error code,Source IP address,Resources\r\n\
         EV7,2026-10-05T02:20:00Z,ci,CreateAccessKey,\"AWS::IAM::AccessKey, AWS::IAM::User\",\"AKIANEWKEYEXAMPLE, backup\",AKIAQ3EXAMPLESTOLEN,us-east-1,,198.51.100.77,{resources}\r\n\
         EV8,2026-10-05T02:21:00Z,ci,DeleteTrail,AWS::CloudTrail::Trail,main,AKIAQ3EXAMPLESTOLEN,us-east-1,AccessDenied,198.51.100.77,\r\n"
    );
    let s = load("event_history.csv", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 2);
    assert_eq!(cell(&s, Col::Identity, 0).as_deref(), Some("ci"));
    assert_eq!(
        cell(&s, Col::Token, 0).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(cell(&s, Col::TokenKind, 0).as_deref(), Some("long_term"));
    assert_eq!(cell(&s, Col::SourceIp, 0).as_deref(), Some("198.51.100.77"));
    assert_eq!(cell(&s, Col::Region, 0).as_deref(), Some("us-east-1"));
    assert_eq!(cell(&s, Col::EventId, 0).as_deref(), Some("EV7"));
    assert_eq!(
        cell(&s, Col::Asset, 0).as_deref(),
        Some("AKIANEWKEYEXAMPLE")
    );
    assert_eq!(cell(&s, Col::AssetKind, 0).as_deref(), Some("access_key"));
    assert_eq!(cell(&s, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, 1).as_deref(), Some("AccessDenied"));
    // The type and name columns pair up when there is no Resources list.
    assert_eq!(cell(&s, Col::Asset, 1).as_deref(), Some("main"));
    assert_eq!(cell(&s, Col::AssetKind, 1).as_deref(), Some("trail"));
}

#[test]
fn athena_results_over_the_cloudtrail_table() {
    let header = "\"eventversion\",\"useridentity\",\"eventtime\",\"eventsource\",\"eventname\",\"awsregion\",\"sourceipaddress\",\"useragent\",\"errorcode\",\"errormessage\",\"requestparameters\",\"responseelements\",\"additionaleventdata\",\"requestid\",\"eventid\",\"resources\",\"eventtype\",\"apiversion\",\"readonly\",\"recipientaccountid\",\"serviceeventdetails\",\"sharedeventid\",\"vpcendpointid\"";
    let assume = [
        "1.08",
        "{type=IAMUser, principalid=AIDAEXAMPLE, arn=arn:aws:iam::111122223333:user/ci, accountid=111122223333, invokedby=null, accesskeyid=AKIAQ3EXAMPLESTOLEN, username=ci, sessioncontext=null}",
        "2026-10-05T02:10:00Z",
        "sts.amazonaws.com",
        "AssumeRole",
        "us-east-1",
        "198.51.100.77",
        "aws-cli/2.17.0",
        "",
        "",
        r#"{"roleArn":"arn:aws:iam::111122223333:role/exfil","roleSessionName":"x"}"#,
        r#"{"credentials":{"accessKeyId":"ASIAQ3EXAMPLESESSION","expiration":"Oct 5, 2026 3:10:00 AM"},"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/exfil/x"}}"#,
        "",
        "REQ0",
        "EV0",
        "[{arn=arn:aws:iam::111122223333:role/exfil, accountid=111122223333, type=AWS::IAM::Role}]",
        "AwsApiCall",
        "",
        "false",
        "111122223333",
        "",
        "",
        "",
    ];
    let get = [
        "1.09",
        "{type=AssumedRole, principalid=AROAEXAMPLE:x, arn=arn:aws:sts::111122223333:assumed-role/exfil/x, accountid=111122223333, invokedby=null, accesskeyid=ASIAQ3EXAMPLESESSION, username=null, sessioncontext={attributes={mfaauthenticated=false, creationdate=2026-10-05T02:10:00Z}, sessionissuer={type=Role, principalid=AROAEXAMPLE, arn=arn:aws:iam::111122223333:role/exfil, accountid=111122223333, username=exfil}, ec2roledelivery=null, webidfederationdata=null}}",
        "2026-10-05T02:13:00Z",
        "s3.amazonaws.com",
        "GetObject",
        "us-east-1",
        "198.51.100.77",
        "aws-cli/2.17.0",
        "",
        "",
        r#"{"bucketName":"acme-models","key":"llm/model-00001.safetensors"}"#,
        "null",
        r#"{"bytesTransferredOut":4938000000.0,"AuthenticationMethod":"AuthHeader"}"#,
        "REQ1",
        "EV1",
        "[{arn=arn:aws:s3:::acme-models/llm/model-00001.safetensors, accountid=null, type=AWS::S3::Object}]",
        "AwsApiCall",
        "",
        "true",
        "111122223333",
        "",
        "",
        "",
    ];
    let row = |cells: &[&str]| cells.iter().map(|c| q(c)).collect::<Vec<_>>().join(",");
    let text = format!("{header}\n{}\n{}\n", row(&assume), row(&get));
    let s = load("athena-results.csv", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("cloudtrail_csv", 2));
    assert_eq!(
        cell(&s, Col::MintedToken, 0).as_deref(),
        Some("ASIAQ3EXAMPLESESSION")
    );
    assert_eq!(
        cell(&s, Col::MintedIdentity, 0).as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/exfil/x")
    );
    assert_eq!(
        cell(&s, Col::Token, 0).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(
        cell(&s, Col::IdentityType, 1).as_deref(),
        Some("role_session")
    );
    assert_eq!(
        cell(&s, Col::Issuer, 1).as_deref(),
        Some("arn:aws:iam::111122223333:role/exfil")
    );
    assert_eq!(
        cell(&s, Col::Token, 1).as_deref(),
        Some("ASIAQ3EXAMPLESESSION")
    );
    assert_eq!(cell(&s, Col::TokenKind, 1).as_deref(), Some("session"));
    assert_eq!(
        cell(&s, Col::Asset, 1).as_deref(),
        Some("acme-models/llm/model-00001.safetensors")
    );
    assert_eq!(cell(&s, Col::Bytes, 1).as_deref(), Some("4938000000"));
    assert_eq!(cell(&s, Col::RequestId, 1).as_deref(), Some("REQ1"));
}

/// A honey bucket's capture: pandas wrote each record's nested values as Python dicts, CRLF lines, newest first.
#[test]
fn flattened_csv_with_python_literals_and_dotted_columns() {
    let header = ",eventVersion,userIdentity,eventTime,eventSource,eventName,awsRegion,sourceIPAddress,userAgent,requestParameters,responseElements,additionalEventData,requestID,eventID,readOnly,resources,eventType,recipientAccountId,eventCategory";
    let rows = [
        [
            "1",
            "1.09",
            "{'type': 'AWSAccount', 'principalId': '', 'accountId': 'ANONYMOUS_PRINCIPAL'}",
            "2026-10-05 02:14:00+00:00",
            "s3.amazonaws.com",
            "GetObject",
            "us-east-1",
            "203.0.113.50",
            "[python-requests/2.31.0]",
            "{'bucketName': 'acme-honey', 'Host': 'acme-honey.s3.amazonaws.com', 'key': 'weights/model.safetensors'}",
            "",
            "{'SignatureVersion': 'SigV4', 'bytesTransferredIn': 0, 'AuthenticationMethod': 'QueryString', 'bytesTransferredOut': 1024}",
            "REQH2",
            "EVH2",
            "True",
            "[{'type': 'AWS::S3::Object', 'ARN': 'arn:aws:s3:::acme-honey/weights/model.safetensors'}, {'accountId': '111122223333', 'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::acme-honey'}]",
            "AwsApiCall",
            "111122223333",
            "Data",
        ],
        [
            "0",
            "1.09",
            "{'type': 'IAMUser', 'principalId': 'AIDAEXAMPLE', 'arn': 'arn:aws:iam::111122223333:user/ci', 'accountId': '111122223333', 'accessKeyId': 'AKIAQ3EXAMPLESTOLEN', 'userName': 'ci'}",
            "2026-10-05 02:13:00+00:00",
            "s3.amazonaws.com",
            "ListObjects",
            "us-east-1",
            "198.51.100.77",
            "aws-cli/2.17.0",
            "{'bucketName': 'acme-honey', 'list-type': '2', 'encoding-type': 'url'}",
            "None",
            "{'bytesTransferredOut': 512.0}",
            "REQH1",
            "EVH1",
            "True",
            "[]",
            "AwsApiCall",
            "111122223333",
            "Data",
        ],
    ];
    let text: String = std::iter::once(header.to_string())
        .chain(
            rows.iter()
                .map(|r| r.iter().map(|c| q(c)).collect::<Vec<_>>().join(",")),
        )
        .map(|l| format!("{l}\r\n"))
        .collect();
    let s = load("honey-bucket.csv", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("cloudtrail_csv", 2));
    // Time order puts the older, second row first.
    assert_eq!(cell(&s, Col::Action, 0).as_deref(), Some("ListObjects"));
    assert_eq!(cell(&s, Col::Line, 0).as_deref(), Some("3"));
    assert_eq!(
        cell(&s, Col::Token, 0).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(cell(&s, Col::Asset, 0).as_deref(), Some("acme-honey"));
    assert_eq!(
        cell(&s, Col::Time, 1).as_deref(),
        Some("2026-10-05T02:14:00Z")
    );
    assert_eq!(cell(&s, Col::IdentityType, 1).as_deref(), Some("anonymous"));
    assert_eq!(cell(&s, Col::AuthMethod, 1).as_deref(), Some("QueryString"));
    assert_eq!(cell(&s, Col::Bytes, 1).as_deref(), Some("1024"));
    assert_eq!(
        cell(&s, Col::Asset, 1).as_deref(),
        Some("acme-honey/weights/model.safetensors")
    );

    // json_normalize's dotted columns.
    let text = "eventTime,eventName,eventSource,userIdentity.type,userIdentity.arn,userIdentity.accessKeyId,sourceIPAddress,requestParameters.bucketName,requestParameters.key\n\
                2026-10-05T02:13:00Z,GetObject,s3.amazonaws.com,IAMUser,arn:aws:iam::111122223333:user/ci,AKIAQ3EXAMPLESTOLEN,198.51.100.77,acme-models,llm/model-00001.safetensors\n";
    let s = load("normalized.csv", text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(cell(&s, Col::IdentityType, 0).as_deref(), Some("human"));
    assert_eq!(
        cell(&s, Col::Asset, 0).as_deref(),
        Some("acme-models/llm/model-00001.safetensors")
    );
}

#[test]
fn a_row_that_cannot_be_read_is_an_error_at_its_line() {
    let text = "eventTime,eventName,eventSource,sourceIPAddress\n\
                2026-10-05T02:13:00Z,GetObject,s3.amazonaws.com,198.51.100.77\n\
                yesterday,GetObject,s3.amazonaws.com,198.51.100.77\n\
                ,,,\n\
                2026-10-05T02:15:00Z,,s3.amazonaws.com,198.51.100.77\n\
                \"open,GetObject\n";
    let s = load("t.csv", text);
    assert_eq!(s.len(), 1);
    let errors: Vec<(String, String)> = s
        .report
        .errors
        .iter()
        .map(|e| (e.origin.clone(), e.message.clone()))
        .collect();
    let at = |o: &str| {
        errors
            .iter()
            .find(|(x, _)| x == o)
            .map(|(_, m)| m.as_str())
            .unwrap_or_else(|| panic!("no error at {o}: {errors:?}"))
    };
    assert!(at("t.csv:3").contains("\"yesterday\" is not a timestamp"));
    assert!(at("t.csv:4").contains("empty row"));
    assert!(at("t.csv:5").contains("no eventName"));
    assert!(at("t.csv:6").contains("unclosed quote"));
}

#[test]
fn sniffing_goes_both_ways() {
    let claimer = |text: &str| {
        let p = Probe::new("f", text);
        registry().iter().find(|f| f.sniff(&p)).map(|f| f.id())
    };
    for csv in [
        "Event ID,Event time,User name,Event name\nEV1,2026-10-05T02:13:00Z,ci,GetObject\n",
        "\"eventversion\",\"useridentity\",\"eventtime\",\"eventsource\",\"eventname\"\n",
        "eventTime,eventName,userIdentity.arn\n",
    ] {
        assert_eq!(claimer(csv), Some("cloudtrail_csv"), "{csv}");
    }
    for other in [
        "_time,_raw,host,source,sourcetype\n1,x,h,s,t\n".to_string(),
        "Date,Sender/Author,Immutable ID,Item class\n2026-10-05,a,b,c\n".to_string(),
        format!("{S3_LINE}\n"),
        CT_GET.to_string(),
        json!({"Records":[serde_json::from_str::<Value>(CT_GET).unwrap()]}).to_string(),
    ] {
        assert!(!CloudTrailCsv.sniff(&Probe::new("f", &other)), "{other}");
    }
}

#[test]
fn cut_short_anywhere_never_panics() {
    let text = "eventtime,eventname,eventsource,useridentity,requestparameters,resources\n\
                2026-10-05T02:13:00Z,GetObject,s3.amazonaws.com,\"{type=IAMUser, arn=arn:aws:iam::1:user/a, sessioncontext={attributes={mfaauthenticated=false}}}\",\"{'bucketName': 'b', 'key': \"\"k\"\"}\",\"[{arn=arn:aws:s3:::b/k, type=AWS::S3::Object}]\"\n";
    survives_every_cut("t.csv", text);
}

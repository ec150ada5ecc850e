//! Records and helpers the re-export formats' tests share: one event of several formats, as their vendors document
//! them, and a loader that reads cells by column.

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::{load_bytes, LoadOptions};

/// A CloudTrail GetObject with a long-term key (the shape of AWS's documented examples).
pub const CT_GET: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIAQ3EXAMPLESTOLEN","userName":"ci"},"eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userAgent":"aws-cli/2.17.0","requestParameters":{"bucketName":"acme-models","key":"llm/model-00001.safetensors"},"responseElements":null,"additionalEventData":{"bytesTransferredOut":4938000000,"AuthenticationMethod":"AuthHeader"},"requestID":"REQ1","eventID":"EV1","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333","eventCategory":"Data"}"#;

/// A CloudTrail AssumeRole that mints a session key, failed-free.
pub const CT_ASSUME: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIAQ3EXAMPLESTOLEN","userName":"ci"},"eventTime":"2026-10-05T02:10:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userAgent":"aws-cli/2.17.0","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/exfil","roleSessionName":"x"},"responseElements":{"credentials":{"accessKeyId":"ASIAQ3EXAMPLESESSION","expiration":"Oct 5, 2026 3:10:00 AM"},"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/exfil/x"}},"requestID":"REQ0","eventID":"EV0","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

/// An S3 server access log line (the documented field order).
pub const S3_LINE: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be acme-models [05/Oct/2026:02:14:00 +0000] 198.51.100.77 arn:aws:iam::111122223333:user/ci 3E57427F3EXAMPLE REST.GET.OBJECT llm/model-00002.safetensors \"GET /acme-models/llm/model-00002.safetensors HTTP/1.1\" 200 - 4938000000 4938000000 41754 28 \"-\" \"aws-cli/2.17.0\" - hostid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader acme-models.s3.us-east-1.amazonaws.com TLSv1.2 - -";

/// One Kubernetes audit stage of a request (RequestReceived or ResponseComplete).
pub fn k8s(stage: &str, id: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/ci/secrets","verb":"list","user":{{"username":"system:serviceaccount:ci:runner"}},"sourceIPs":["198.51.100.77"],"userAgent":"kubectl/v1.30.2","objectRef":{{"resource":"secrets","namespace":"ci","apiVersion":"v1"}},"responseStatus":{{"code":200}},"requestReceivedTimestamp":"2026-10-05T01:47:31.000000Z","stageTimestamp":"2026-10-05T01:47:31.100000Z"}}"#
    )
}

pub fn load(name: &str, text: &str) -> EventStore {
    load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

/// A cell of the (time-ordered) frame, as displayed.
pub fn cell(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

/// A column down the frame.
pub fn column(s: &EventStore, c: Col) -> Vec<Option<String>> {
    (0..s.len()).map(|r| cell(s, c, r)).collect()
}

/// The frame row whose `source` is `source` (the first one).
pub fn row_of(s: &EventStore, source: &str) -> usize {
    (0..s.len())
        .find(|&r| cell(s, Col::Source, r).as_deref() == Some(source))
        .unwrap_or_else(|| panic!("no {source} row in {:?}", column(s, Col::Source)))
}

/// A GCP Cloud Storage read as the audit sink writes it.
pub const GCP_GET: &str = r#"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{},"authenticationInfo":{"principalEmail":"ci-publisher@acme-ml-prod.iam.gserviceaccount.com","serviceAccountKeyName":"//iam.googleapis.com/projects/acme-ml-prod/serviceAccounts/ci-publisher@acme-ml-prod.iam.gserviceaccount.com/keys/6a1f0c9e"},"requestMetadata":{"callerIp":"198.51.100.77","callerSuppliedUserAgent":"gcloud/470.0.0"},"serviceName":"storage.googleapis.com","methodName":"storage.objects.get","resourceName":"projects/_/buckets/acme-weights/objects/llm/model.safetensors"},"insertId":"gcp1","resource":{"type":"gcs_bucket","labels":{"project_id":"acme-ml-prod","bucket_name":"acme-weights"}},"timestamp":"2026-10-05T03:10:00.123456Z","severity":"INFO","logName":"projects/acme-ml-prod/logs/cloudaudit.googleapis.com%2Fdata_access"}"#;

/// An Azure Activity Log record (diagnostic settings) listing a Cognitive Services account's keys.
pub const AZURE_LISTKEYS: &str = r#"{"time":"2026-10-05T04:10:00.0000000Z","resourceId":"/SUBSCRIPTIONS/7C1E9A2B/RESOURCEGROUPS/ML-PROD/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/ACME-OPENAI-PROD","operationName":"MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION","category":"Administrative","resultType":"Success","callerIpAddress":"198.51.100.77","correlationId":"c1","identity":{"claims":{"appid":"0d8f3b2a","idtyp":"app","ipaddr":"198.51.100.77","uti":"kQmT3vXw7UeS1b9cZ0aLAA"}},"level":"Information","location":"eastus"}"#;

/// Every prefix of `text` (cut at each character, as a truncated download would) goes through sniffing and the
/// claiming format's parser without a panic.
pub fn survives_every_cut(name: &str, text: &str) {
    use crate::frame::LocKind;
    use crate::ingest::doc::Probe;
    use crate::ingest::formats::{registry, ParseOut};
    for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let t = &text[..cut];
        let probe = Probe::new(name, t);
        if let Some(f) = registry().iter().find(|f| f.sniff(&probe)) {
            let mut out = ParseOut::new(name, LocKind::Line);
            f.parse(&probe, &mut out);
        }
    }
}

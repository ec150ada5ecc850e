//! Building realistic CloudTrail records.

use serde_json::{json, Value};

use super::rng::Rng;
use heist_core::util::time::{format_utc, Nanos};

/// Who made a call.
#[derive(Clone, Debug)]
pub enum Who {
    User {
        account: String,
        name: String,
        key: String,
    },
    Session {
        account: String,
        role: String,
        session: String,
        key: String,
    },
    Service(String),
}

impl Who {
    pub fn user(account: &str, name: &str, key: &str) -> Self {
        Who::User {
            account: account.into(),
            name: name.into(),
            key: key.into(),
        }
    }

    pub fn session(account: &str, role: &str, session: &str, key: &str) -> Self {
        Who::Session {
            account: account.into(),
            role: role.into(),
            session: session.into(),
            key: key.into(),
        }
    }

    pub fn identity(&self, rng: &mut Rng) -> Value {
        match self {
            Who::User { account, name, key } => json!({
                "type": "IAMUser",
                "principalId": format!("AIDA{}", stable_suffix(name)),
                "arn": format!("arn:aws:iam::{account}:user/{name}"),
                "accountId": account,
                "accessKeyId": key,
                "userName": name,
            }),
            Who::Session {
                account,
                role,
                session,
                key,
            } => json!({
                "type": "AssumedRole",
                "principalId": format!("AROA{}:{session}", stable_suffix(role)),
                "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
                "accountId": account,
                "accessKeyId": key,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": format!("AROA{}", stable_suffix(role)),
                        "arn": format!("arn:aws:iam::{account}:role/{role}"),
                        "accountId": account,
                        "userName": role,
                    },
                    "attributes": { "creationDate": "2026-10-04T00:00:00Z", "mfaAuthenticated": "false" },
                },
            }),
            Who::Service(svc) => {
                let _ = rng;
                json!({ "type": "AWSService", "invokedBy": svc })
            }
        }
    }
}

fn stable_suffix(s: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_64(s.as_bytes());
    let mut r = Rng::new(h);
    r.upper_alnum(17)
}

/// One API call.
pub struct Call<'a> {
    pub t: Nanos,
    pub who: &'a Who,
    pub source: &'a str,
    pub name: &'a str,
    pub ip: &'a str,
    pub ua: &'a str,
    pub params: Value,
    pub response: Value,
    pub extra: Value,
    pub resources: Value,
    pub error: Option<(&'a str, &'a str)>,
    pub data_event: bool,
}

impl<'a> Call<'a> {
    pub fn new(
        t: Nanos,
        who: &'a Who,
        source: &'a str,
        name: &'a str,
        ip: &'a str,
        ua: &'a str,
    ) -> Self {
        Call {
            t,
            who,
            source,
            name,
            ip,
            ua,
            params: Value::Null,
            response: Value::Null,
            extra: Value::Null,
            resources: Value::Null,
            error: None,
            data_event: false,
        }
    }

    pub fn params(mut self, v: Value) -> Self {
        self.params = v;
        self
    }
    pub fn response(mut self, v: Value) -> Self {
        self.response = v;
        self
    }
    pub fn extra(mut self, v: Value) -> Self {
        self.extra = v;
        self
    }
    pub fn resources(mut self, v: Value) -> Self {
        self.resources = v;
        self
    }
    pub fn error(mut self, code: &'a str, msg: &'a str) -> Self {
        self.error = Some((code, msg));
        self
    }
    pub fn data(mut self) -> Self {
        self.data_event = true;
        self
    }

    pub fn record(self, account: &str, region: &str, rng: &mut Rng) -> Value {
        let mut v = json!({
            "eventVersion": "1.09",
            "userIdentity": self.who.identity(rng),
            "eventTime": format_utc(self.t),
            "eventSource": self.source,
            "eventName": self.name,
            "awsRegion": region,
            "sourceIPAddress": self.ip,
            "userAgent": self.ua,
            "requestParameters": self.params,
            "responseElements": self.response,
            "requestID": rng.upper_alnum(16),
            "eventID": rng.uuid(),
            "readOnly": self.name.starts_with("Get") || self.name.starts_with("List") || self.name.starts_with("Describe"),
            "eventType": "AwsApiCall",
            "managementEvent": !self.data_event,
            "recipientAccountId": account,
            "eventCategory": if self.data_event { "Data" } else { "Management" },
            "tlsDetails": { "tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": format!("{}", self.source.replace(".amazonaws.com", &format!(".{region}.amazonaws.com"))) },
        });
        let o = v.as_object_mut().expect("json! object");
        if !self.extra.is_null() {
            o.insert("additionalEventData".into(), self.extra);
        }
        if !self.resources.is_null() {
            o.insert("resources".into(), self.resources);
        }
        if let Some((code, msg)) = self.error {
            o.insert("errorCode".into(), code.into());
            o.insert("errorMessage".into(), msg.into());
        }
        v
    }
}

/// S3 object read/write parameters and resources.
pub fn s3_object(account: &str, bucket: &str, key: &str) -> (Value, Value) {
    (
        json!({ "bucketName": bucket, "key": key, "Host": format!("{bucket}.s3.us-east-1.amazonaws.com") }),
        json!([
            { "type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}") },
            { "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}"), "accountId": account },
        ]),
    )
}

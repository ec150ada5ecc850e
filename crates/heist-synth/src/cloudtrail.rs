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
        /// When the session was minted (the record's `sessionContext.attributes.creationDate`); None: a fixed date.
        created: Option<Nanos>,
    },
    /// An IAM user signed in to the console: calls carry the console's session key (empty for the sign-in itself)
    /// and `sessionCredentialFromConsole`.
    Console {
        account: String,
        name: String,
        key: String,
        created: Nanos,
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
            created: None,
        }
    }

    /// A role session minted at `created`.
    pub fn session_since(
        account: &str,
        role: &str,
        session: &str,
        key: &str,
        created: Nanos,
    ) -> Self {
        Who::Session {
            account: account.into(),
            role: role.into(),
            session: session.into(),
            key: key.into(),
            created: Some(created),
        }
    }

    /// A console session of an IAM user signed in (with MFA) at `created`; `key` is empty for the sign-in.
    pub fn console(account: &str, name: &str, key: &str, created: Nanos) -> Self {
        Who::Console {
            account: account.into(),
            name: name.into(),
            key: key.into(),
            created,
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
                created,
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
                    "attributes": {
                        "creationDate": created.map(format_utc).unwrap_or_else(|| "2026-10-04T00:00:00Z".into()),
                        "mfaAuthenticated": "false",
                    },
                },
            }),
            Who::Console {
                account,
                name,
                key,
                created,
            } => {
                let mut v = json!({
                    "type": "IAMUser",
                    "principalId": format!("AIDA{}", stable_suffix(name)),
                    "arn": format!("arn:aws:iam::{account}:user/{name}"),
                    "accountId": account,
                    "userName": name,
                });
                if !key.is_empty() {
                    v["accessKeyId"] = key.as_str().into();
                    v["sessionContext"] = json!({"sessionIssuer": {}, "webIdFederationData": {},
                        "attributes": {"creationDate": format_utc(*created), "mfaAuthenticated": "true"}});
                }
                v
            }
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
    /// The record's `eventType` when not `AwsApiCall` (a console sign-in is `AwsConsoleSignIn`).
    pub event_type: Option<&'a str>,
    /// Further top-level fields (`vpcEndpointId`, ...).
    pub top: Vec<(&'a str, Value)>,
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
            event_type: None,
            top: Vec::new(),
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
    pub fn event_type(mut self, t: &'a str) -> Self {
        self.event_type = Some(t);
        self
    }
    pub fn top(mut self, k: &'a str, v: Value) -> Self {
        self.top.push((k, v));
        self
    }

    pub fn record(self, account: &str, region: &str, rng: &mut Rng) -> Value {
        let read_only = ["Get", "List", "Describe", "Lookup", "Head", "Search"]
            .iter()
            .any(|p| self.name.starts_with(p));
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
            "readOnly": read_only,
            "eventType": self.event_type.unwrap_or("AwsApiCall"),
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
        if matches!(self.who, Who::Console { key, .. } if !key.is_empty()) {
            o.insert("sessionCredentialFromConsole".into(), "true".into());
        }
        for (k, val) in self.top {
            o.insert(k.into(), val);
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

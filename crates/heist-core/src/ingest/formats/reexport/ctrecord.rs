//! Rebuilding a CloudTrail record from the fields a SIEM or data lake kept (ECS fields, Datadog attributes, Athena
//! columns, CSV cells), so the CloudTrail format reads it: one mapping of CloudTrail for every shape, lineage and
//! tokens included.

use serde_json::{Map, Value};

use super::{pylit, structtext};

/// CloudTrail's field names; a name in any case (Athena lowercases them all) reads as its CloudTrail spelling.
const NAMES: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "type",
    "principalId",
    "arn",
    "accountId",
    "invokedBy",
    "accessKeyId",
    "userName",
    "sessionContext",
    "attributes",
    "mfaAuthenticated",
    "creationDate",
    "sessionIssuer",
    "webIdFederationData",
    "federatedProvider",
    "sourceIdentity",
    "ec2RoleDelivery",
    "ec2IssuedInVPC",
    "assumedRoot",
    "onBehalfOf",
    "userId",
    "identityStoreArn",
    "credentialId",
    "inScopeOf",
    "issuerType",
    "credentialsIssuedTo",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "serviceEventDetails",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "addendum",
    "reason",
    "updatedFields",
    "originalRequestID",
    "originalEventID",
    "sessionCredentialFromConsole",
    "edgeDeviceDetails",
    "tlsDetails",
    "tlsVersion",
    "cipherSuite",
    "clientProvidedHostHeader",
    "insightDetails",
];

/// CloudTrail's spelling of a field name given in any case (`sourceipaddress` -> `sourceIPAddress`).
pub fn canonical(name: &str) -> Option<&'static str> {
    NAMES.iter().copied().find(|n| n.eq_ignore_ascii_case(name))
}

/// Every object key of `v` in CloudTrail's spelling where it is one of CloudTrail's names (Athena's structs).
pub fn canonical_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let k = canonical(&k).map_or(k, str::to_string);
                    (k, canonical_keys(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(canonical_keys).collect()),
        other => other,
    }
}

/// How a nested value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Json,
    Python,
    /// `{name=value, ...}` (Athena, Java maps): every leaf is text.
    Struct,
}

/// A field or cell that holds a nested value (an object or array) as text: JSON, a Python literal, or struct text.
pub fn nested(text: &str) -> Option<(Value, Written)> {
    let t = text.trim();
    if !(t.starts_with('{') || t.starts_with('[') || t.starts_with('(')) {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Some((v, Written::Json));
    }
    if let Some(v) = pylit::parse(t) {
        return Some((v, Written::Python));
    }
    structtext::parse(t).map(|v| (v, Written::Struct))
}

/// A CloudTrail record being rebuilt.
#[derive(Default)]
pub struct Record(Map<String, Value>);

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the field at a dotted path (`userIdentity.arn`); null and empty strings are left out, as CloudTrail
    /// leaves out what it does not know. A path through a value that is not an object is not set.
    pub fn set(&mut self, path: &str, v: impl Into<Value>) {
        let v = v.into();
        if v.is_null() || v.as_str() == Some("") {
            return;
        }
        let mut parts = path.split('.').peekable();
        let mut cur = &mut self.0;
        while let Some(p) = parts.next() {
            if parts.peek().is_none() {
                cur.insert(p.to_string(), v);
                return;
            }
            let next = cur
                .entry(p.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            match next {
                Value::Object(m) => cur = m,
                _ => return,
            }
        }
    }

    /// Set a string field when there is one.
    pub fn set_str(&mut self, path: &str, v: Option<&str>) {
        if let Some(s) = v {
            self.set(path, Value::String(s.to_string()));
        }
    }

    /// Set only when nothing is there yet.
    pub fn set_if_none(&mut self, path: &str, v: impl Into<Value>) {
        if self.get(path).is_none() {
            self.set(path, v);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut cur = self.0.get(parts.next()?)?;
        for p in parts {
            cur = cur.get(p)?;
        }
        Some(cur)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The record as JSON text.
    pub fn into_text(self) -> String {
        Value::Object(self.0).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_in_any_case_read_as_cloudtrail_spells_them() {
        assert_eq!(canonical("sourceipaddress"), Some("sourceIPAddress"));
        assert_eq!(canonical("EVENTID"), Some("eventID"));
        assert_eq!(canonical("useridentity"), Some("userIdentity"));
        assert_eq!(canonical("somethingElse"), None);
        assert_eq!(
            canonical_keys(
                json!({"accesskeyid":"AKIA1","sessioncontext":{"sessionissuer":{"arn":"a"}},"x":[{"accountid":"1"}]})
            ),
            json!({"accessKeyId":"AKIA1","sessionContext":{"sessionIssuer":{"arn":"a"}},"x":[{"accountId":"1"}]})
        );
    }

    #[test]
    fn nested_values_in_each_written_form() {
        assert_eq!(
            nested(r#"{"bucketName":"b"}"#),
            Some((json!({"bucketName":"b"}), Written::Json))
        );
        assert_eq!(
            nested("{'bucketName': 'b', 'n': 1}"),
            Some((json!({"bucketName":"b","n":1}), Written::Python))
        );
        assert_eq!(
            nested("{bucketName=b, key=k}"),
            Some((json!({"bucketName":"b","key":"k"}), Written::Struct))
        );
        assert_eq!(nested("plain"), None);
        assert_eq!(nested("{not closed"), None);
    }

    #[test]
    fn a_record_leaves_out_what_it_does_not_know() {
        let mut r = Record::new();
        r.set("eventName", "GetObject");
        r.set("userIdentity.arn", "arn:aws:iam::1:user/a");
        r.set_str("userIdentity.accessKeyId", Some("AKIA1"));
        r.set("errorCode", Value::Null);
        r.set("errorMessage", "");
        r.set_if_none("eventName", "Other");
        r.set("eventName.inner", "blocked");
        assert_eq!(r.get("userIdentity.accessKeyId"), Some(&json!("AKIA1")));
        let v: Value = serde_json::from_str(&r.into_text()).unwrap();
        assert_eq!(
            v,
            json!({"eventName":"GetObject","userIdentity":{"arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1"}})
        );
    }
}

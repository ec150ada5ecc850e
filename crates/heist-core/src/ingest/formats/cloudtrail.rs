//! AWS CloudTrail in every shape an analyst receives it: S3 delivery `{"Records":[...]}` (gzip or plain), console
//! "Download events" JSON, JSON arrays, one event per line (CloudWatch Logs exports, with or without a timestamp
//! prefix or `message` envelope), `aws cloudtrail lookup-events` output where `CloudTrailEvent` is a JSON string, and
//! records as log shippers (Logstash, Filebeat, Fluentd) forward them, with `@timestamp` and their own fields added
//! (Logstash's CloudTrail codec moves `eventTime` to `@timestamp`).
//! Field mapping follows `shared/notes/log-formats.md` §1.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome, token_kind};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Probe, RawRecord};

pub struct CloudTrail;

type S<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Event<'a> {
    #[serde(borrow)]
    event_time: Option<&'a RawValue>,
    /// A log shipper's copy of the event time, read when `eventTime` is absent.
    #[serde(rename = "@timestamp", borrow)]
    shipped_time: Option<&'a RawValue>,
    #[serde(borrow)]
    event_source: S<'a>,
    #[serde(borrow)]
    event_name: S<'a>,
    #[serde(borrow)]
    aws_region: S<'a>,
    #[serde(rename = "sourceIPAddress", borrow)]
    source_ip_address: S<'a>,
    #[serde(borrow)]
    user_agent: S<'a>,
    #[serde(borrow)]
    error_code: S<'a>,
    #[serde(rename = "requestID", borrow)]
    request_id: S<'a>,
    #[serde(rename = "eventID", borrow)]
    event_id: S<'a>,
    #[serde(borrow)]
    recipient_account_id: S<'a>,
    #[serde(borrow)]
    user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    additional_event_data: Option<&'a RawValue>,
    #[serde(borrow)]
    resources: Option<&'a RawValue>,
    #[serde(borrow)]
    insight_details: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UserIdentity<'a> {
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    principal_id: S<'a>,
    #[serde(borrow)]
    arn: S<'a>,
    #[serde(borrow)]
    account_id: S<'a>,
    #[serde(borrow)]
    access_key_id: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
    #[serde(borrow)]
    invoked_by: S<'a>,
    #[serde(borrow)]
    credential_id: S<'a>,
    #[serde(borrow)]
    session_context: Option<SessionContext<'a>>,
    #[serde(borrow)]
    on_behalf_of: Option<OnBehalfOf<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SessionContext<'a> {
    #[serde(borrow)]
    session_issuer: Option<Issuer<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Issuer<'a> {
    #[serde(borrow)]
    arn: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OnBehalfOf<'a> {
    #[serde(borrow)]
    user_id: S<'a>,
}

/// The request parameters heist reads (everything else stays in the raw record).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Params<'a> {
    #[serde(borrow)]
    bucket_name: S<'a>,
    #[serde(borrow)]
    key: S<'a>,
    #[serde(rename = "x-amz-copy-source", borrow)]
    copy_source: S<'a>,
    #[serde(borrow)]
    role_arn: S<'a>,
    #[serde(borrow)]
    model_id: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
    #[serde(borrow)]
    role_name: S<'a>,
    #[serde(borrow)]
    policy_arn: S<'a>,
    #[serde(borrow)]
    secret_id: S<'a>,
    #[serde(borrow)]
    key_id: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(borrow)]
    trail_name: S<'a>,
    #[serde(borrow)]
    function_name: S<'a>,
    #[serde(borrow)]
    access_key_id: S<'a>,
    #[serde(borrow)]
    status: S<'a>,
    #[serde(borrow)]
    service_specific_credential_id: S<'a>,
    #[serde(borrow)]
    model_package_name: S<'a>,
    #[serde(borrow)]
    model_package_group_name: S<'a>,
    #[serde(borrow)]
    model_name: S<'a>,
    #[serde(borrow)]
    endpoint_name: S<'a>,
    #[serde(borrow)]
    snapshot_id: S<'a>,
    #[serde(borrow)]
    image_id: S<'a>,
    #[serde(borrow)]
    instance_id: S<'a>,
    #[serde(rename = "dBSnapshotIdentifier", borrow)]
    db_snapshot_identifier: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Response<'a> {
    #[serde(borrow)]
    credentials: Option<Credentials<'a>>,
    #[serde(borrow)]
    assumed_role_user: Option<ArnHolder<'a>>,
    #[serde(borrow)]
    federated_user: Option<ArnHolder<'a>>,
    #[serde(borrow)]
    access_key: Option<AccessKey<'a>>,
    #[serde(borrow)]
    login_profile: Option<LoginProfile<'a>>,
    #[serde(borrow)]
    service_specific_credential: Option<ServiceCredential<'a>>,
    #[serde(rename = "ConsoleLogin", borrow)]
    console_login: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Credentials<'a> {
    #[serde(borrow)]
    access_key_id: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ArnHolder<'a> {
    #[serde(borrow)]
    arn: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AccessKey<'a> {
    #[serde(borrow)]
    access_key_id: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LoginProfile<'a> {
    #[serde(borrow)]
    user_name: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ServiceCredential<'a> {
    #[serde(borrow)]
    service_specific_credential_id: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Additional<'a> {
    #[serde(rename = "bytesTransferredOut", borrow)]
    bytes_out: Option<&'a RawValue>,
    #[serde(rename = "bytesTransferredIn", borrow)]
    bytes_in: Option<&'a RawValue>,
    #[serde(rename = "AuthenticationMethod", borrow)]
    auth_method: S<'a>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(rename = "ARN", alias = "arn", borrow, default)]
    arn: S<'a>,
    #[serde(rename = "type", borrow, default)]
    kind: S<'a>,
}

/// `lookup-events` output: the event is a JSON string inside.
#[derive(Deserialize)]
struct Lookup<'a> {
    #[serde(rename = "CloudTrailEvent", borrow)]
    cloudtrail_event: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Insight<'a> {
    #[serde(borrow)]
    event_name: S<'a>,
    #[serde(borrow)]
    state: S<'a>,
}

/// Parse an optional sub-object leniently: a shape heist does not expect (a string, an array) reads as absent,
/// never as a failed record; the raw record keeps it.
fn sub<'a, T: Deserialize<'a> + Default>(raw: Option<&'a RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

fn is_cloudtrail(v: &serde_json::Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    if o.contains_key("CloudTrailEvent") {
        return true;
    }
    o.contains_key("eventVersion") && (o.contains_key("eventTime") || o.contains_key("eventSource"))
        || (o.contains_key("eventSource")
            && o.contains_key("eventName")
            && o.contains_key("awsRegion"))
}

impl Format for CloudTrail {
    fn id(&self) -> &'static str {
        "cloudtrail"
    }

    fn title(&self) -> &'static str {
        "AWS CloudTrail"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<ts>_<id>.json.gz  {\"Records\":[...]}",
            "AWSLogs/o-<org>/<acct>/CloudTrail/...  (organisation trails)",
            "event_history.json  (console \"Download events\", same wrapper)",
            "*.jsonl  (CloudWatch Logs export: one event per line, optional timestamp prefix or message envelope)",
            "lookup-events.json  (aws cloudtrail lookup-events: Events[].CloudTrailEvent as a JSON string)",
            "shipped by Logstash / Filebeat / Fluentd: the record with @timestamp, @version, tags, host added (@timestamp when eventTime is absent)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity userIdentity.arn|sessionIssuer.arn; token accessKeyId (AKIA long-term, ASIA session); asset \
         bucket/key, roleArn, modelId, user; bytes bytesTransferredOut|In; minted keys from responseElements"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(3).any(is_cloudtrail)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, |rec, batch| {
            // A record as CloudTrail logs it (nearly all of them) is parsed once, with no scan of its text for an
            // envelope first; what names no event (a CloudWatch envelope, `lookup-events` output) is opened below.
            if let Ok(ev) = serde_json::from_str::<Event<'_>>(rec.text) {
                if ev.event_name.is_some() || ev.event_time.is_some() {
                    return map_event(&ev, rec, batch);
                }
            }
            let body = record_body(rec.text);
            if body.contains("\"CloudTrailEvent\"") {
                let outer: Lookup<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
                let inner = outer.cloudtrail_event;
                let ev: Event<'_> = serde_json::from_str(&inner).map_err(|e| json_error(&e))?;
                map_event(&ev, rec, batch)
            } else {
                let ev: Event<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
                map_event(&ev, rec, batch)
            }
        });
    }
}

fn c<'a>(v: &S<'a>) -> Option<Cow<'a, str>> {
    v.clone().filter(|s| !s.is_empty())
}

fn event_time(ev: &Event<'_>) -> Result<i64, String> {
    let (name, raw) = match (ev.event_time, ev.shipped_time) {
        (Some(t), _) => ("eventTime", t),
        (None, Some(t)) => ("@timestamp", t),
        (None, None) => return Err("no eventTime".into()),
    };
    time_value(name, raw)
}

/// A byte count as a number or as the text of one (re-exports that keep every value as text).
fn count(raw: Option<&RawValue>) -> Option<u64> {
    let v = match serde_json::from_str::<serde_json::Value>(raw?.get()).ok()? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (v.is_finite() && v >= 0.0).then_some(v as u64)
}

fn identity_type_of(kind: &str, account_id: Option<&str>) -> &'static str {
    match kind {
        "IAMUser" => identity_type::HUMAN,
        "Root" => identity_type::ROOT,
        "AssumedRole" | "FederatedUser" | "SAMLUser" | "WebIdentityUser" | "IdentityCenterUser" => {
            identity_type::ROLE_SESSION
        }
        "AWSService" => identity_type::SERVICE,
        "AWSAccount" if account_id == Some("ANONYMOUS_PRINCIPAL") => identity_type::ANONYMOUS,
        "AWSAccount" => identity_type::SERVICE,
        _ => identity_type::UNKNOWN,
    }
}

/// `AKIA…` long-term IAM user key, `ASIA…` STS session key; Identity Center credential ids are sessions.
pub fn aws_token_kind(token: &str) -> &'static str {
    if token.starts_with("AKIA") {
        token_kind::LONG_TERM
    } else if token.starts_with("ASIA") {
        token_kind::SESSION
    } else if token.starts_with("ABIA") || token.starts_with("ACCA") {
        "service"
    } else {
        "other"
    }
}

fn user_arn(account: Option<&str>, user: &str) -> String {
    format!("arn:aws:iam::{}:user/{user}", account.unwrap_or(""))
}

/// S3 keys in CopyObject's `x-amz-copy-source` are URL-encoded `bucket/key[?versionId=..]`.
fn copy_source(src: &str) -> String {
    let src = src.trim_start_matches('/');
    let src = src.split_once("?versionId=").map(|(a, _)| a).unwrap_or(src);
    percent_encoding::percent_decode_str(src)
        .decode_utf8_lossy()
        .into_owned()
}

fn resource_kind(aws_type: &str) -> Cow<'static, str> {
    Cow::Borrowed(match aws_type {
        "AWS::S3::Object" => "s3_object",
        "AWS::S3::Bucket" => "s3_bucket",
        "AWS::IAM::Role" => "iam_role",
        "AWS::IAM::User" => "iam_user",
        "AWS::IAM::AccessKey" => "access_key",
        "AWS::KMS::Key" => "kms_key",
        "AWS::Bedrock::Model" | "AWS::Bedrock::FoundationModel" | "AWS::Bedrock::CustomModel" => {
            "model"
        }
        "AWS::SecretsManager::Secret" => "secret",
        "AWS::CloudTrail::Trail" => "trail",
        other => return Cow::Owned(other.to_string()),
    })
}

fn map_event(ev: &Event<'_>, rec: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let time = event_time(ev)?;
    let mut row: Row<'_> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "cloudtrail");
    row.set_str(Col::Provider, "aws");
    row.set(Col::Service, c(&ev.event_source));
    match c(&ev.event_name) {
        Some(name) => row.set(Col::Action, Some(name)),
        None => {
            let ins: Insight<'_> = sub(ev.insight_details);
            let name = c(&ins.event_name).ok_or("no eventName")?;
            let state = c(&ins.state).unwrap_or(Cow::Borrowed("Insight"));
            row.set(
                Col::Action,
                Some(Cow::Owned(format!("Insight:{state}:{name}"))),
            );
        }
    }
    row.set(Col::Region, c(&ev.aws_region));
    row.set(Col::SourceIp, c(&ev.source_ip_address));
    row.set(Col::UserAgent, c(&ev.user_agent));
    row.set(Col::RequestId, c(&ev.request_id));
    row.set(Col::EventId, c(&ev.event_id));

    let ui = ev.user_identity.as_ref();
    let account = c(&ev.recipient_account_id).or_else(|| ui.and_then(|u| c(&u.account_id)));
    row.set(Col::Account, account.clone());

    if let Some(u) = ui {
        let issuer = u
            .session_context
            .as_ref()
            .and_then(|s| s.session_issuer.as_ref())
            .and_then(|i| c(&i.arn));
        let kind = c(&u.kind);
        let anonymous = c(&u.account_id).as_deref() == Some("ANONYMOUS_PRINCIPAL");
        let identity = c(&u.arn)
            .or_else(|| issuer.clone())
            .or_else(|| c(&u.user_name))
            .or_else(|| u.on_behalf_of.as_ref().and_then(|o| c(&o.user_id)))
            .or_else(|| c(&u.invoked_by))
            .or_else(|| {
                if anonymous {
                    Some(Cow::Borrowed("anonymous"))
                } else {
                    c(&u.principal_id)
                }
            });
        let mut it = identity_type_of(kind.as_deref().unwrap_or(""), u.account_id.as_deref());
        if it == identity_type::HUMAN {
            if let Some(i) = identity.as_deref() {
                it = identity_type::iam_user(i);
            }
        }
        row.set(Col::Identity, identity);
        row.set_str(Col::IdentityType, it);
        if it == identity_type::ROLE_SESSION {
            row.set(Col::Issuer, issuer);
        }
        if let Some(tok) = c(&u.access_key_id).or_else(|| c(&u.credential_id)) {
            let tk = if u.credential_id.is_some() && u.access_key_id.is_none() {
                token_kind::SESSION
            } else {
                aws_token_kind(&tok)
            };
            row.set_str(Col::TokenKind, tk);
            row.set(Col::Token, Some(tok));
        }
    } else {
        row.set_str(Col::IdentityType, identity_type::UNKNOWN);
    }

    // Outcome: an errorCode, or a console login whose response says Failure.
    let resp: Response<'_> = sub(ev.response_elements);
    let failed_login = resp.console_login.as_deref() == Some("Failure");
    match c(&ev.error_code) {
        Some(code) => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, Some(code));
        }
        None if failed_login => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set_str(Col::ErrorCode, "ConsoleLoginFailure");
        }
        None => row.set_str(Col::Outcome, outcome::SUCCESS),
    }

    let params: Params<'_> = sub(ev.request_parameters);
    set_asset(&mut row, ev, &params, account.as_deref());

    let extra: Additional<'_> = sub(ev.additional_event_data);
    row.bytes = match (count(extra.bytes_out), count(extra.bytes_in)) {
        (Some(o), _) if o > 0 => Some(o),
        (_, Some(i)) if i > 0 => Some(i),
        (o, i) => o.or(i),
    };
    row.set(Col::AuthMethod, c(&extra.auth_method));

    set_lineage(&mut row, ev, &params, &resp, account.as_deref());
    batch.push(&row);
    Ok(())
}

fn set_asset<'a>(row: &mut Row<'a>, ev: &Event<'a>, p: &Params<'a>, account: Option<&str>) {
    let (asset, kind): (Option<Cow<'a, str>>, &'static str) = if let Some(src) = c(&p.copy_source) {
        // CopyObject: what was read is the source object; that is what theft is about.
        (Some(Cow::Owned(copy_source(&src))), "s3_object")
    } else if let (Some(b), Some(k)) = (c(&p.bucket_name), c(&p.key)) {
        (Some(Cow::Owned(format!("{b}/{k}"))), "s3_object")
    } else if let Some(r) = c(&p.role_arn) {
        (Some(r), "iam_role")
    } else if let Some(m) = c(&p.model_id) {
        (Some(m), "model")
    } else if let Some(u) = c(&p.user_name) {
        (Some(Cow::Owned(user_arn(account, &u))), "iam_user")
    } else if let Some(b) = c(&p.bucket_name) {
        (Some(b), "s3_bucket")
    } else if let Some(r) = c(&p.role_name) {
        (
            Some(Cow::Owned(format!(
                "arn:aws:iam::{}:role/{r}",
                account.unwrap_or("")
            ))),
            "iam_role",
        )
    } else if let Some(v) = c(&p.secret_id) {
        (Some(v), "secret")
    } else if let Some(v) = c(&p.model_package_name).or_else(|| c(&p.model_package_group_name)) {
        (Some(v), "model_package")
    } else if let Some(v) = c(&p.model_name) {
        (Some(v), "model")
    } else if let Some(v) = c(&p.endpoint_name) {
        (Some(v), "endpoint")
    } else if let Some(v) = c(&p.trail_name).or_else(|| {
        (ev.event_source.as_deref() == Some("cloudtrail.amazonaws.com"))
            .then(|| c(&p.name))
            .flatten()
    }) {
        (Some(v), "trail")
    } else if let Some(v) = c(&p.policy_arn) {
        (Some(v), "iam_policy")
    } else if let Some(v) = c(&p.key_id) {
        (Some(v), "kms_key")
    } else if let Some(v) = c(&p.function_name) {
        (Some(v), "lambda_function")
    } else if let Some(v) = c(&p.snapshot_id).or_else(|| c(&p.db_snapshot_identifier)) {
        (Some(v), "snapshot")
    } else if let Some(v) = c(&p.image_id) {
        (Some(v), "image")
    } else if let Some(v) = c(&p.instance_id) {
        (Some(v), "instance")
    } else {
        (None, "")
    };
    if asset.is_some() {
        row.set(Col::Asset, asset);
        row.set_str(Col::AssetKind, kind);
        return;
    }
    // Fall back to the first named resource.
    if let Some(raw) = ev.resources {
        if let Ok(list) = serde_json::from_str::<Vec<Resource<'_>>>(raw.get()) {
            if let Some(r) = list
                .into_iter()
                .find(|r| r.arn.as_deref().is_some_and(|a| !a.is_empty()))
            {
                let kind = r.kind.as_deref().map(resource_kind);
                row.set(Col::Asset, r.arn.map(|a| Cow::Owned(a.into_owned())));
                row.set(Col::AssetKind, kind);
            }
        }
    }
}

fn set_lineage<'a>(
    row: &mut Row<'a>,
    ev: &Event<'a>,
    p: &Params<'a>,
    r: &Response<'a>,
    account: Option<&str>,
) {
    let action = ev.event_name.as_deref().unwrap_or("");
    if row.get(Col::Outcome) != Some(outcome::SUCCESS) {
        return;
    }
    // STS: AssumeRole*, GetSessionToken, GetFederationToken all return credentials.accessKeyId.
    if let Some(k) = r.credentials.as_ref().and_then(|cr| c(&cr.access_key_id)) {
        row.set(Col::MintedToken, Some(k));
        let who = r
            .assumed_role_user
            .as_ref()
            .and_then(|a| c(&a.arn))
            .or_else(|| r.federated_user.as_ref().and_then(|a| c(&a.arn)))
            .or_else(|| row.get(Col::Identity).map(|s| Cow::Owned(s.to_string())));
        row.set(Col::MintedIdentity, who);
        return;
    }
    if let Some(ak) = &r.access_key {
        if let Some(k) = c(&ak.access_key_id) {
            row.set(Col::MintedToken, Some(k));
            let user = c(&ak.user_name).or_else(|| c(&p.user_name));
            row.set(
                Col::MintedIdentity,
                user.map(|u| Cow::Owned(user_arn(account, &u))),
            );
            return;
        }
    }
    if let Some(sc) = &r.service_specific_credential {
        row.set(Col::MintedToken, c(&sc.service_specific_credential_id));
        row.set(
            Col::MintedIdentity,
            c(&sc.user_name).map(|u| Cow::Owned(user_arn(account, &u))),
        );
        return;
    }
    if action == "CreateLoginProfile" || action == "UpdateLoginProfile" {
        let user = r
            .login_profile
            .as_ref()
            .and_then(|l| c(&l.user_name))
            .or_else(|| c(&p.user_name));
        row.set(
            Col::MintedIdentity,
            user.map(|u| Cow::Owned(user_arn(account, &u))),
        );
        return;
    }
    match action {
        "DeleteAccessKey" => row.set(Col::RevokedToken, c(&p.access_key_id)),
        "UpdateAccessKey" if p.status.as_deref() == Some("Inactive") => {
            row.set(Col::RevokedToken, c(&p.access_key_id))
        }
        "DeleteServiceSpecificCredential" => {
            row.set(Col::RevokedToken, c(&p.service_specific_credential_id))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;

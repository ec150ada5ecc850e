//! GCP Cloud Audit Logs: `LogEntry` records whose `protoPayload` is a `google.cloud.audit.AuditLog`, as a Cloud
//! Storage sink writes them (`cloudaudit.googleapis.com/<log>/YYYY/MM/DD/*.json`, one entry per line), as
//! `gcloud logging read --format=json` prints them (a JSON array), or one entry alone. Panther's normalised copies
//! (`at_sign_type`, `callerIP`, lower-case `insertid` / `logname` / `protopayload` / `receivetimestamp`) are read
//! too. Field mapping follows `shared/notes/log-formats.md` §4.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome, token_kind};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Probe, RawRecord};
use crate::util::time::{parse_any, Nanos};

pub struct Gcp;

/// `token_kind` of a service-account key (`serviceAccountKeyName`): a user-managed, long-lived credential.
const SA_KEY: &str = token_kind::LONG_TERM;

type S<'a> = Option<Cow<'a, str>>;

/// The `LogEntry` fields heist reads; everything else stays in the raw record. Lower-case names are Panther's.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    #[serde(rename = "protoPayload", borrow)]
    proto_payload: Option<&'a RawValue>,
    #[serde(rename = "protopayload", borrow)]
    proto_payload_lc: Option<&'a RawValue>,
    #[serde(rename = "jsonPayload", borrow)]
    json_payload: Option<&'a RawValue>,
    #[serde(rename = "textPayload", borrow)]
    text_payload: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(rename = "receiveTimestamp", borrow)]
    receive_timestamp: Option<&'a RawValue>,
    #[serde(rename = "receivetimestamp", borrow)]
    receive_timestamp_lc: Option<&'a RawValue>,
    #[serde(rename = "insertId", borrow)]
    insert_id: S<'a>,
    #[serde(rename = "insertid", borrow)]
    insert_id_lc: S<'a>,
    #[serde(rename = "logName", borrow)]
    log_name: S<'a>,
    #[serde(rename = "logname", borrow)]
    log_name_lc: S<'a>,
    #[serde(borrow)]
    resource: Option<&'a RawValue>,
    #[serde(borrow)]
    operation: Option<&'a RawValue>,
}

/// The `AuditLog` payload.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Audit<'a> {
    #[serde(borrow)]
    service_name: S<'a>,
    #[serde(borrow)]
    method_name: S<'a>,
    #[serde(borrow)]
    resource_name: S<'a>,
    #[serde(borrow)]
    authentication_info: Option<&'a RawValue>,
    #[serde(borrow)]
    request_metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
    #[serde(borrow)]
    request: Option<&'a RawValue>,
    #[serde(borrow)]
    response: Option<&'a RawValue>,
    #[serde(borrow)]
    resource_location: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Auth<'a> {
    #[serde(borrow)]
    principal_email: S<'a>,
    #[serde(borrow)]
    principal_subject: S<'a>,
    #[serde(borrow)]
    service_account_key_name: S<'a>,
    #[serde(borrow)]
    service_account_delegation_info: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Delegation<'a> {
    #[serde(borrow)]
    first_party_principal: Option<&'a RawValue>,
    #[serde(borrow)]
    principal_subject: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReqMeta<'a> {
    #[serde(rename = "callerIp", borrow)]
    caller_ip: S<'a>,
    #[serde(rename = "callerIP", borrow)]
    caller_ip_uc: S<'a>,
    #[serde(rename = "callerSuppliedUserAgent", borrow)]
    user_agent: S<'a>,
    #[serde(rename = "requestAttributes", borrow)]
    request_attributes: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource<'a> {
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    labels: Option<Labels<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Labels<'a> {
    #[serde(borrow)]
    project_id: S<'a>,
    #[serde(borrow)]
    location: S<'a>,
    #[serde(borrow)]
    region: S<'a>,
    #[serde(borrow)]
    zone: S<'a>,
    #[serde(borrow)]
    email_id: S<'a>,
    #[serde(borrow)]
    service: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Location {
    current_locations: Vec<String>,
}

/// The few scalars heist reads from small sub-objects: `operation.id`, `request.name`, `response.name`,
/// `requestAttributes.time`, `firstPartyPrincipal.principalEmail`, `status.code`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Small<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(borrow)]
    time: S<'a>,
    #[serde(borrow)]
    principal_email: S<'a>,
    code: Option<Value>,
}

/// Parse an optional sub-object leniently: a shape heist does not expect reads as absent, never as a failed
/// record; the raw record keeps it.
fn sub<'a, T: Deserialize<'a> + Default>(raw: Option<&'a RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

fn c<'a>(v: &S<'a>) -> Option<Cow<'a, str>> {
    v.clone().filter(|s| !s.is_empty())
}

/// `s[from..to]`, borrowed when `s` is.
fn part<'a>(s: &Cow<'a, str>, from: usize, to: usize) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => {
            let b: &'a str = b;
            Cow::Borrowed(&b[from..to])
        }
        Cow::Owned(o) => Cow::Owned(o[from..to].to_string()),
    }
}

fn is_gcp_audit(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let log_name = o.get("logName").or_else(|| o.get("logname"));
    if log_name
        .and_then(Value::as_str)
        .is_some_and(|l| l.contains("cloudaudit.googleapis.com"))
    {
        return true;
    }
    let payload = o.get("protoPayload").or_else(|| o.get("protopayload"));
    let ty = payload.and_then(|p| p.get("@type").or_else(|| p.get("at_sign_type")));
    ty.and_then(Value::as_str)
        .is_some_and(|t| t.ends_with("AuditLog"))
}

impl Format for Gcp {
    fn id(&self) -> &'static str {
        "gcp"
    }

    fn title(&self) -> &'static str {
        "GCP Cloud Audit Logs"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "<bucket>/cloudaudit.googleapis.com/{activity|data_access|system_event|policy}/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json  (Cloud Storage sink: one LogEntry per line)",
            "gcloud logging read --format=json  (a JSON array of LogEntry)",
            "a single LogEntry JSON document (console download)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity authenticationInfo.principalEmail|principalSubject (caller = first serviceAccountDelegationInfo \
         principal); token serviceAccountKeyName; asset resourceName; minted SA keys (CreateServiceAccountKey) and \
         SA tokens (GenerateAccessToken, SignJwt, ...)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().any(is_gcp_audit)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, map_record);
    }
}

fn map_record(rec: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let body = record_body(rec.text);
    let entry: Entry<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
    map_entry(&entry, rec, batch)
}

/// `timestamp`, else `receiveTimestamp`, else the request's own time. A present but unreadable value is an error,
/// not a reason to look further.
fn entry_time(e: &Entry<'_>, a: &Audit<'_>) -> Result<Nanos, String> {
    if let Some(raw) = e.timestamp {
        return time_value("timestamp", raw);
    }
    if let Some(raw) = e.receive_timestamp.or(e.receive_timestamp_lc) {
        return time_value("receiveTimestamp", raw);
    }
    let rm: ReqMeta<'_> = sub(a.request_metadata);
    let attrs: Small<'_> = sub(rm.request_attributes);
    let t = c(&attrs.time).ok_or("no timestamp, receiveTimestamp or requestAttributes.time")?;
    parse_any(&t).ok_or_else(|| format!("requestAttributes.time {t:?} is not a timestamp"))
}

/// Canonical gRPC status code names (`google.rpc.Code`), by number.
const CODES: &str = "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS \
    PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL \
    UNAVAILABLE DATA_LOSS UNAUTHENTICATED";

fn numeric_code(v: i64) -> Option<Cow<'static, str>> {
    let name = usize::try_from(v)
        .ok()
        .and_then(|i| CODES.split(' ').nth(i));
    match name {
        Some("OK") => None,
        Some(n) => Some(Cow::Borrowed(n)),
        None => Some(Cow::Owned(v.to_string())),
    }
}

/// `status.code` as an error code: None for OK (absent, 0); the gRPC name for a known number, else the number.
fn error_code(code: Option<Value>) -> Option<Cow<'static, str>> {
    match code? {
        Value::Number(n) => {
            let v = n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?;
            numeric_code(v)
        }
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t == "OK" {
                None
            } else if let Ok(v) = t.parse::<i64>() {
                numeric_code(v)
            } else {
                Some(Cow::Owned(t.to_string()))
            }
        }
        _ => None,
    }
}

/// `user:EMAIL` / `serviceAccount:EMAIL` -> EMAIL; other subjects (`principal://...`) stay as they are.
fn strip_subject(s: Cow<'_, str>) -> Cow<'_, str> {
    for p in ["user:", "serviceAccount:"] {
        if s.starts_with(p) {
            let n = s.len();
            return part(&s, p.len(), n);
        }
    }
    s
}

/// `identity_type` of a principal as GCP names it.
fn principal_kind(id: &str) -> &'static str {
    if id.ends_with(".gserviceaccount.com") || id.starts_with("system:serviceaccount:") {
        return identity_type::SERVICE;
    }
    match id {
        "allUsers" | "system:anonymous" | "system:unauthenticated" => {
            return identity_type::ANONYMOUS
        }
        // Google's own automation (system events); GKE control-plane components.
        "system@google.com" => return identity_type::SERVICE,
        _ if id.starts_with("system:") => return identity_type::SERVICE,
        _ => {}
    }
    // Federated principals (`principal://...`): workload identity is machines, workforce identity is people.
    if id.contains("/workloadIdentityPools/") {
        return identity_type::SERVICE;
    }
    if id.contains("/workforcePools/") || (id.contains('@') && !id.contains("://")) {
        identity_type::HUMAN
    } else {
        identity_type::UNKNOWN
    }
}

/// The original principal behind service-account impersonation: the first delegation step that names one.
fn delegator(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let list: Vec<&RawValue> = raw.and_then(|r| serde_json::from_str(r.get()).ok())?;
    list.into_iter().find_map(|d| {
        let d: Delegation<'_> = sub(Some(d));
        let fp: Small<'_> = sub(d.first_party_principal);
        c(&fp.principal_email).or_else(|| c(&d.principal_subject).map(strip_subject))
    })
}

/// `.../serviceAccounts/SA[/...]` -> SA (an email or a numeric unique id).
fn sa_segment<'a>(s: &Cow<'a, str>) -> Option<Cow<'a, str>> {
    const M: &str = "serviceAccounts/";
    let start = s.find(M)? + M.len();
    let end = s[start..].find('/').map_or(s.len(), |i| start + i);
    (end > start).then(|| part(s, start, end))
}

/// The first candidate naming the account by email, else the first candidate at all.
fn prefer_email<'a>(cands: impl Iterator<Item = Cow<'a, str>>) -> Option<Cow<'a, str>> {
    let all: Vec<Cow<'a, str>> = cands.collect();
    let at = all.iter().position(|s| s.contains('@')).unwrap_or(0);
    all.into_iter().nth(at)
}

/// A key's resource name as `serviceAccountKeyName` writes it (`//iam.googleapis.com/projects/P/...`), so a minted
/// or revoked key matches the token of the calls made with it.
fn key_token(name: Cow<'_, str>) -> Cow<'_, str> {
    if name.starts_with("projects/") {
        Cow::Owned(format!("//iam.googleapis.com/{name}"))
    } else {
        name
    }
}

/// Project id from the resource labels, else the log's parent (`projects/P/logs/...` -> `P`;
/// `organizations/O/logs/...` -> `organizations/O`, also folders and billing accounts).
fn account<'a>(labels: &Labels<'a>, log_name: Option<Cow<'a, str>>) -> Option<Cow<'a, str>> {
    if let Some(p) = c(&labels.project_id) {
        return Some(p);
    }
    let l = log_name?;
    let end = l.find("/logs/")?;
    let start = if l.starts_with("projects/") {
        "projects/".len()
    } else {
        0
    };
    (end > start).then(|| part(&l, start, end))
}

/// Kubernetes (GKE audit through Cloud Logging): `core/v1/namespaces/NS/pods/NAME[/sub]` -> `pods`.
fn k8s_resource(name: &str) -> Option<&str> {
    let segs: Vec<&str> = name.split('/').collect();
    let kind = if segs.get(2) == Some(&"namespaces") && segs.len() >= 5 {
        segs[4]
    } else {
        *segs.get(2)?
    };
    (!kind.is_empty()).then_some(kind)
}

/// What kind of thing `resourceName` names: by its shape first (a GCS object sits under a `gcs_bucket` resource),
/// else the monitored resource type (`gce_instance`, `gce_disk`, ...), except the generic `audited_resource`.
fn asset_kind<'a>(service: &str, name: &str, rtype: &S<'a>) -> Option<Cow<'a, str>> {
    let fixed = |k: &'static str| Some(Cow::Borrowed(k));
    if name.starts_with("projects/_/buckets/") {
        return fixed(if name.contains("/objects/") {
            "gcs_object"
        } else {
            "gcs_bucket"
        });
    }
    if name.contains("/serviceAccounts/") {
        return fixed(if name.contains("/keys/") {
            "service_account_key"
        } else {
            "service_account"
        });
    }
    if service == "aiplatform.googleapis.com" {
        if name.contains("/datasets/") {
            return fixed("dataset");
        }
        if name.contains("/models/") || name.contains("/endpoints/") {
            return fixed("model");
        }
    }
    if service == "k8s.io" {
        if let Some(k) = k8s_resource(name) {
            return Some(Cow::Owned(k.to_string()));
        }
    }
    if name.contains("/secrets/") {
        return fixed("secret");
    }
    if name.contains("/cryptoKeys/") {
        return fixed("kms_key");
    }
    if let Some((parent, id)) = name.split_once('/') {
        if !id.is_empty() && !id.contains('/') {
            match parent {
                "projects" => return fixed("project"),
                "organizations" => return fixed("organization"),
                "folders" => return fixed("folder"),
                _ => {}
            }
        }
    }
    c(rtype).filter(|t| &**t != "audited_resource")
}

fn map_entry<'a>(e: &Entry<'a>, rec: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let Some(pp) = e.proto_payload.or(e.proto_payload_lc) else {
        return Err(if e.json_payload.is_some() || e.text_payload.is_some() {
            "not an audit log entry: jsonPayload/textPayload instead of protoPayload".into()
        } else {
            "no protoPayload (not a Cloud Audit Logs entry)".into()
        });
    };
    let a: Audit<'a> =
        serde_json::from_str(pp.get()).map_err(|err| format!("malformed protoPayload: {err}"))?;
    let method = c(&a.method_name).ok_or("protoPayload has no methodName")?;
    let time = entry_time(e, &a)?;

    let mut row: Row<'a> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "gcp");
    row.set_str(Col::Provider, "gcp");
    let res: Resource<'a> = sub(e.resource);
    let labels = &res.labels.unwrap_or_default();
    let service = c(&a.service_name).or_else(|| c(&labels.service));
    row.set(Col::Service, service.clone());
    row.set(Col::Action, Some(method.clone()));
    row.set(Col::EventId, c(&e.insert_id).or_else(|| c(&e.insert_id_lc)));
    let op: Small<'a> = sub(e.operation);
    row.set(Col::RequestId, c(&op.id));

    let rm: ReqMeta<'a> = sub(a.request_metadata);
    row.set(
        Col::SourceIp,
        c(&rm.caller_ip).or_else(|| c(&rm.caller_ip_uc)),
    );
    row.set(Col::UserAgent, c(&rm.user_agent));
    let log_name = c(&e.log_name).or_else(|| c(&e.log_name_lc));
    row.set(Col::Account, account(labels, log_name));
    let loc: Location = sub(a.resource_location);
    let region = loc
        .current_locations
        .into_iter()
        .find(|l| !l.is_empty())
        .map(Cow::Owned)
        .or_else(|| c(&labels.location))
        .or_else(|| c(&labels.region))
        .or_else(|| c(&labels.zone));
    row.set(Col::Region, region);

    let st: Small<'a> = sub(a.status);
    let err = error_code(st.code);
    let failed = err.is_some();
    let denied = err.as_deref() == Some("PERMISSION_DENIED");
    row.set_str(
        Col::Outcome,
        if failed {
            outcome::FAILURE
        } else {
            outcome::SUCCESS
        },
    );
    row.set(Col::ErrorCode, err);

    let auth: Auth<'a> = sub(a.authentication_info);
    let (identity, kind) = match (c(&auth.principal_email), c(&auth.principal_subject)) {
        (Some(email), _) => {
            let k = principal_kind(&email);
            (Some(email), k)
        }
        (None, Some(subject)) => {
            let sa = subject.starts_with("serviceAccount:");
            let id = strip_subject(subject);
            let k = if sa {
                identity_type::SERVICE
            } else {
                principal_kind(&id)
            };
            (Some(id), k)
        }
        // GCP redacts the caller of a read-only call that was denied; otherwise no principal is anonymous access.
        (None, None) if denied => (None, identity_type::UNKNOWN),
        (None, None) => (None, identity_type::ANONYMOUS),
    };
    row.set(Col::Identity, identity);
    row.set_str(Col::IdentityType, kind);
    row.set(Col::Caller, delegator(auth.service_account_delegation_info));
    if let Some(key) = c(&auth.service_account_key_name) {
        row.set(Col::Token, Some(key));
        row.set_str(Col::TokenKind, SA_KEY);
    }

    if let Some(name) = c(&a.resource_name) {
        let kind = asset_kind(service.as_deref().unwrap_or(""), &name, &res.kind);
        row.set(Col::Asset, Some(name));
        row.set(Col::AssetKind, kind);
    }
    if !failed {
        set_lineage(
            &mut row,
            &method,
            service.as_deref().unwrap_or(""),
            &a,
            labels,
        );
    }
    batch.push(&row);
    Ok(())
}

fn set_lineage<'a>(
    row: &mut Row<'a>,
    method: &str,
    service: &str,
    a: &Audit<'a>,
    labels: &Labels<'a>,
) {
    let short = method.rsplit('.').next().unwrap_or(method);
    let req: Small<'a> = sub(a.request);
    let resp: Small<'a> = sub(a.response);
    let account_of = |names: [&S<'a>; 3]| {
        let segs = names
            .into_iter()
            .filter_map(|n| n.as_ref())
            .filter_map(|n| sa_segment(n));
        prefer_email(segs.chain(c(&labels.email_id)))
    };
    match short {
        // A new service-account key: its name (when the response is logged) and whose it is.
        "CreateServiceAccountKey" | "UploadServiceAccountKey" => {
            row.set(Col::MintedToken, c(&resp.name).map(key_token));
            row.set(
                Col::MintedIdentity,
                account_of([&resp.name, &req.name, &a.resource_name]),
            );
        }
        // Short-lived credentials for a service account (impersonation); the log never names the token.
        "GenerateAccessToken" | "GenerateIdToken" | "SignJwt" | "SignBlob" => {
            row.set(
                Col::MintedIdentity,
                account_of([&req.name, &a.resource_name, &None]),
            );
        }
        "DeleteServiceAccountKey" | "DisableServiceAccountKey" => {
            let keys = [&req.name, &a.resource_name]
                .into_iter()
                .filter_map(c)
                .filter(|n| n.contains("/keys/"));
            row.set(Col::RevokedToken, prefer_email(keys).map(key_token));
        }
        "CreateKey" if service == "apikeys.googleapis.com" => {
            row.set(Col::MintedToken, c(&resp.name));
        }
        "DeleteKey" if service == "apikeys.googleapis.com" => {
            row.set(Col::RevokedToken, c(&req.name));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;

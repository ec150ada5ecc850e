//! Kubernetes API server audit logs (`audit.k8s.io/v1`, and the older `v1beta1`): the log backend's JSON lines,
//! the webhook backend's `{"kind":"EventList","items":[...]}`, EKS control-plane logs exported from CloudWatch
//! (lines, optionally timestamp-prefixed or in `{"timestamp","message"}` envelopes), and AKS diagnostic records
//! (`category` `kube-audit` / `kube-audit-admin`, the event in `properties.log` as a JSON string or object).
//! GKE audit entries are GCP Cloud Audit Logs (`protoPayload`), and a file may mix them (and Azure records of
//! other categories) with audit events: each such line is read by its own format.
//! Field mapping follows `shared/notes/log-formats.md` §8.
//!
//! One request is logged once per stage (RequestReceived, ResponseStarted, ResponseComplete, Panic) under the same
//! `auditID`. A file becomes one event per request: the ResponseComplete (or Panic) record is kept and the other
//! stages are counted as merged; a request with no final stage in the file keeps its latest stage. When the file
//! holds any non-final stage at all, a first pass records, per auditID (hashed, nothing copied), whether a final
//! stage exists and where the latest non-final one is; the second pass maps only the records to keep.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

use super::cloudtrail::aws_token_kind;
use super::inner::InnerParser;
use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Item, Probe, RawRecord};
use crate::util::time::Nanos;

pub struct K8s;

type S<'a> = Option<Cow<'a, str>>;

/// The fields heist reads from an audit event, plus the few that identify a cloud wrapper around one.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Event<'a> {
    #[serde(rename = "auditID", borrow)]
    audit_id: S<'a>,
    #[serde(borrow)]
    stage: S<'a>,
    #[serde(borrow)]
    verb: S<'a>,
    #[serde(rename = "requestURI", borrow)]
    request_uri: S<'a>,
    #[serde(borrow)]
    user: Option<&'a RawValue>,
    #[serde(borrow)]
    impersonated_user: Option<&'a RawValue>,
    #[serde(rename = "sourceIPs", borrow)]
    source_ips: Option<&'a RawValue>,
    #[serde(borrow)]
    user_agent: S<'a>,
    #[serde(borrow)]
    object_ref: Option<&'a RawValue>,
    #[serde(borrow)]
    response_status: Option<&'a RawValue>,
    #[serde(borrow)]
    request_received_timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    stage_timestamp: Option<&'a RawValue>,
    /// Pre-1.8 events (`v1alpha1` / early `v1beta1`) have `timestamp` and `metadata.creationTimestamp`.
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    annotations: Option<&'a RawValue>,
    #[serde(borrow)]
    request_object: Option<&'a RawValue>,
    // Cloud wrappers: GKE (GCP LogEntry) and AKS (Azure diagnostic record).
    #[serde(borrow)]
    proto_payload: Option<&'a RawValue>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    #[serde(borrow)]
    category: S<'a>,
    #[serde(borrow)]
    resource_id: S<'a>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User<'a> {
    #[serde(borrow)]
    username: S<'a>,
    #[serde(borrow)]
    extra: Option<&'a RawValue>,
}

/// `user.extra`: authenticator-specific values, each a list of strings.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Extra {
    #[serde(rename = "authentication.kubernetes.io/credential-id")]
    credential_id: Vec<String>,
    /// EKS IAM authenticator: the AWS access key the caller signed with.
    #[serde(rename = "accessKeyId")]
    access_key_id: Vec<String>,
    /// EKS IAM authenticator: the caller's AWS principal (assumed-role session ARN) and its role.
    arn: Vec<String>,
    #[serde(rename = "canonicalArn")]
    canonical_arn: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ObjectRef<'a> {
    #[serde(borrow)]
    resource: S<'a>,
    #[serde(borrow)]
    subresource: S<'a>,
    #[serde(borrow)]
    namespace: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(borrow)]
    api_group: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status<'a> {
    code: Option<i64>,
    #[serde(borrow)]
    status: S<'a>,
    #[serde(borrow)]
    reason: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Annotations<'a> {
    #[serde(rename = "authorization.k8s.io/decision", borrow)]
    decision: S<'a>,
    /// On TokenRequest (`create serviceaccounts/token`): the id of the token just issued, e.g. `JTI=...`.
    #[serde(rename = "authentication.kubernetes.io/issued-credential-id", borrow)]
    issued_credential_id: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ObjectMeta<'a> {
    #[serde(borrow)]
    namespace: S<'a>,
    #[serde(borrow)]
    annotations: Option<&'a RawValue>,
    #[serde(rename = "creationTimestamp", borrow)]
    creation_timestamp: Option<&'a RawValue>,
}

/// `requestObject` of `create secrets`: a legacy service-account token secret names its account.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SecretObject<'a> {
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SecretAnnotations<'a> {
    #[serde(rename = "kubernetes.io/service-account.name", borrow)]
    service_account: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AksProperties<'a> {
    #[serde(borrow)]
    log: Option<&'a RawValue>,
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

fn is_k8s(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let s = |k: &str| o.get(k).and_then(Value::as_str);
    if s("apiVersion").is_some_and(|a| a.starts_with("audit.k8s.io/"))
        && matches!(s("kind"), Some("Event") | Some("EventList"))
    {
        return true;
    }
    // Events re-serialised without their type meta (webhook list items, log shippers).
    if o.contains_key("auditID")
        && o.contains_key("stage")
        && (o.contains_key("verb") || o.contains_key("requestURI"))
    {
        return true;
    }
    // AKS diagnostic record around an audit event.
    s("category").is_some_and(|c| c.starts_with("kube-audit"))
        && o.get("properties").and_then(|p| p.get("log")).is_some()
}

/// A webhook `EventList` whose items carry no `kind` / `apiVersion` of their own.
fn is_event_list(probe: &Probe<'_>) -> bool {
    let member_text = |key: &str| {
        probe
            .members
            .iter()
            .find(|m| m.key == key)
            .and_then(|m| probe.text.get(m.value.start..m.value.end))
    };
    probe.wrapper.is_some_and(|w| w.key == "items")
        && member_text("kind") == Some("\"EventList\"")
        && member_text("apiVersion").is_some_and(|v| v.starts_with("\"audit.k8s.io/"))
}

impl Format for K8s {
    fn id(&self) -> &'static str {
        "k8s"
    }

    fn title(&self) -> &'static str {
        "Kubernetes audit log"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "audit.log / kube-apiserver-audit.log  (log backend: one audit.k8s.io/v1 Event per line)",
            "*.json  (webhook backend batch: {\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[...]})",
            "*.jsonl  (EKS: CloudWatch Logs /aws/eks/<cluster>/cluster, streams kube-apiserver-audit-*; optional timestamp prefix or {\"timestamp\",\"message\"} envelope)",
            "insights-logs-kube-audit[-admin]/resourceId=.../PT1H.json  (AKS diagnostic records: the event in properties.log)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity user.username (the impersonated user when impersonating; caller = the real user); token \
         user.extra credential-id (JTI=/X509SHA256=) or EKS accessKeyId; asset apiGroup/namespace/resource/name; \
         TokenRequest and SA-token secrets mint identities; one event per auditID (other stages merged)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(5).any(is_k8s) || is_event_list(probe)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let stages = if has_partial_stages(probe.text) {
            collect_stages(probe)
        } else {
            HashMap::new()
        };
        let mut merged = 0usize;
        // Records of another shape in the same file (a GKE LogEntry, an Azure record of another category): each is
        // read by its own format once the audit events are done.
        let mut foreign = Vec::new();
        each_json_record(probe, out, |rec, batch| {
            let body = record_body(rec.text);
            let mapped = with_event(&body, |ev, wrap| {
                if !keep(&stages, ev, rec.offset) {
                    merged += 1;
                    return Ok(());
                }
                map_event(ev, wrap, rec, batch)
            });
            match mapped {
                Err(e) if e == FOREIGN => {
                    foreign.push((rec.offset, rec.text.len(), rec.loc));
                    Ok(())
                }
                other => other,
            }
        });
        out.merged += merged;
        let mut inner = InnerParser::default();
        for (offset, len, loc) in foreign {
            let Some(text) = probe.text.get(offset..offset + len) else {
                out.error(loc, "record out of the file's bounds");
                continue;
            };
            let rec = RawRecord { text, offset, loc };
            let body = record_body(rec.text);
            if let Err(e) = inner.parse_except(&body, &rec, out, Some(self.id())) {
                out.error(rec.loc, e);
            }
        }
    }
}

/// What `with_event` says of a record that is not a Kubernetes audit event but another format's record.
const FOREIGN: &str = "a record of another format";

/// Parse a record and hand `f` the audit event, with the cloud record around it when it was wrapped.
fn with_event<R>(
    text: &str,
    f: impl FnOnce(&Event<'_>, Option<&Event<'_>>) -> Result<R, String>,
) -> Result<R, String> {
    let outer: Event<'_> = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    if outer.verb.is_none() && outer.proto_payload.is_some() {
        // A GKE audit entry: a GCP Cloud Audit Log entry.
        return Err(FOREIGN.into());
    }
    if outer.verb.is_none() {
        if let Some(props) = outer.properties {
            let category = outer.category.as_deref().unwrap_or("");
            if !category.starts_with("kube-audit") {
                // An Azure diagnostic record of another category.
                return Err(FOREIGN.into());
            }
            let log =
                aks_log(props).ok_or("AKS kube-audit record without an event in properties.log")?;
            let inner: Event<'_> = serde_json::from_str(&log)
                .map_err(|e| format!("AKS properties.log: {}", json_error(&e)))?;
            return f(&inner, Some(&outer));
        }
    }
    f(&outer, None)
}

/// The audit event inside an AKS record's `properties.log`: a JSON string (as AKS writes it) or an object.
fn aks_log(props: &RawValue) -> Option<Cow<'_, str>> {
    let p: AksProperties<'_> = serde_json::from_str(props.get()).ok()?;
    let t = p.log?.get();
    if t.starts_with('"') {
        serde_json::from_str::<String>(t).ok().map(Cow::Owned)
    } else if t.starts_with('{') {
        Some(Cow::Borrowed(t))
    } else {
        None
    }
}

const FINAL: u8 = 3;

/// RequestReceived < ResponseStarted < the final stages (ResponseComplete, Panic). A record without a stage is
/// taken as complete.
fn stage_rank(stage: Option<&str>) -> u8 {
    match stage {
        Some("RequestReceived") => 1,
        Some("ResponseStarted") => 2,
        _ => FINAL,
    }
}

fn audit_key(ev: &Event<'_>) -> Option<u64> {
    ev.audit_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| xxh3_64(s.as_bytes()))
}

/// Whether any record can be a partial stage (a cheap text test that spares the first pass on most files).
fn has_partial_stages(text: &str) -> bool {
    text.contains("RequestReceived") || text.contains("ResponseStarted")
}

#[derive(Default, Clone, Copy)]
struct StageState {
    /// A ResponseComplete / Panic record exists for this auditID.
    complete: bool,
    /// The latest non-final stage: (rank, record offset).
    best: Option<(u8, usize)>,
}

/// First pass: per auditID, whether a final stage exists and which non-final record is the latest.
fn collect_stages(probe: &Probe<'_>) -> HashMap<u64, StageState> {
    let mut map: HashMap<u64, StageState> = HashMap::new();
    for item in probe.records() {
        let Item::Record(rec) = item else { continue };
        let body = record_body(rec.text);
        let _ = with_event(&body, |ev, _| {
            if let Some(key) = audit_key(ev) {
                let rank = stage_rank(ev.stage.as_deref());
                let st = map.entry(key).or_default();
                if rank == FINAL {
                    st.complete = true;
                } else if st.best.is_none_or(|(r, _)| rank >= r) {
                    st.best = Some((rank, rec.offset));
                }
            }
            Ok(())
        });
    }
    map
}

/// Second pass: is this record the one kept for its request?
fn keep(stages: &HashMap<u64, StageState>, ev: &Event<'_>, offset: usize) -> bool {
    if stage_rank(ev.stage.as_deref()) == FINAL {
        return true;
    }
    let Some(key) = audit_key(ev) else {
        return true;
    };
    match stages.get(&key) {
        Some(st) => !st.complete && st.best.map(|(_, at)| at) == Some(offset),
        None => true,
    }
}

/// When the request reached the API server: the same for every stage of a request, so copies of one request in
/// different files meet in de-duplication. Older events only have `timestamp`; a wrapper's time is the last resort.
fn event_time(ev: &Event<'_>, wrap: Option<&Event<'_>>) -> Result<Nanos, String> {
    let meta: ObjectMeta<'_> = sub(ev.metadata);
    let candidates = [
        ("requestReceivedTimestamp", ev.request_received_timestamp),
        ("stageTimestamp", ev.stage_timestamp),
        ("timestamp", ev.timestamp),
        ("metadata.creationTimestamp", meta.creation_timestamp),
        ("time", wrap.and_then(|w| w.time)),
    ];
    for (name, raw) in candidates {
        if let Some(raw) = raw {
            return time_value(name, raw);
        }
    }
    Err("no requestReceivedTimestamp, stageTimestamp or timestamp".into())
}

/// `system:serviceaccount:<ns>:<sa>`, nodes and control-plane components are services; EKS's own components
/// (`eks:*`) and AKS's `aksService` too.
fn k8s_identity_type(user: &str) -> &'static str {
    if user == "system:anonymous" || user == "system:unauthenticated" {
        identity_type::ANONYMOUS
    } else if user.starts_with("system:") || user.starts_with("eks:") || user == "aksService" {
        identity_type::SERVICE
    } else {
        identity_type::HUMAN
    }
}

/// `/api/v1/namespaces/x/pods?watch=1` -> `/api/v1/namespaces/x/pods`.
fn uri_path(uri: &str) -> &str {
    uri.split_once('?').map(|(p, _)| p).unwrap_or(uri)
}

/// Subscription id out of an Azure resource id (`/subscriptions/<id>/...`, any case).
fn azure_subscription(resource_id: &str) -> Option<&str> {
    let lower = resource_id.to_ascii_lowercase();
    let at = lower.find("/subscriptions/")? + "/subscriptions/".len();
    let rest = resource_id.get(at..)?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then_some(id)
}

fn map_event(
    ev: &Event<'_>,
    wrap: Option<&Event<'_>>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = event_time(ev, wrap)?;
    let verb = c(&ev.verb).ok_or("no verb: not a Kubernetes audit event")?;
    let oref: ObjectRef<'_> = sub(ev.object_ref);
    let raw_text = rec.text;
    let verbatim = |t: &str| !t.is_empty() && raw_text.contains(t);

    let mut row: Row<'_> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "k8s");
    row.set_str(Col::Provider, "k8s");

    let group = c(&oref.api_group);
    let resource = c(&oref.resource);
    let subresource = c(&oref.subresource);
    let namespace = c(&oref.namespace);
    let name = c(&oref.name);
    let path = ev
        .request_uri
        .as_deref()
        .map(uri_path)
        .filter(|p| !p.is_empty());

    row.set(
        Col::Service,
        Some(group.clone().unwrap_or(Cow::Borrowed("kubernetes"))),
    );
    let action = match (&resource, &subresource) {
        (Some(r), Some(s)) => format!("{verb} {r}/{s}"),
        (Some(r), None) => format!("{verb} {r}"),
        (None, _) => match path {
            Some(p) => format!("{verb} {p}"),
            None => verb.to_string(),
        },
    };
    row.set(Col::Action, Some(Cow::Owned(action)));

    // Identity: the user the request acted as. With impersonation that is the impersonated user, and the
    // authenticated user behind it (whose credential was presented) is the caller.
    let user: User<'_> = sub(ev.user);
    let imp: User<'_> = sub(ev.impersonated_user);
    let authenticated = c(&user.username);
    let impersonated = c(&imp.username);
    let identity = impersonated.clone().or_else(|| authenticated.clone());
    let it = identity
        .as_deref()
        .map(k8s_identity_type)
        .unwrap_or(identity_type::UNKNOWN);
    row.set_str(Col::IdentityType, it);
    row.set(Col::Identity, identity);
    if impersonated.is_some() {
        row.set(Col::Caller, authenticated);
    }

    // Token: the credential the authenticated user presented.
    let extra: Extra = sub(user.extra);
    let Extra {
        credential_id,
        access_key_id,
        arn,
        canonical_arn,
    } = extra;
    if let Some(t) = credential_id
        .into_iter()
        .next()
        .filter(|t| verbatim(t.as_str()))
    {
        row.set(Col::Token, Some(Cow::Owned(t)));
        row.set_str(Col::TokenKind, "credential_id");
    } else if let Some(t) = access_key_id
        .into_iter()
        .next()
        .filter(|t| verbatim(t.as_str()))
    {
        row.set_str(Col::TokenKind, aws_token_kind(&t));
        row.set(Col::Token, Some(Cow::Owned(t)));
    }
    // EKS: the AWS principal the Kubernetes user was mapped from.
    if let Some(a) = arn
        .into_iter()
        .next()
        .or_else(|| canonical_arn.into_iter().next())
    {
        row.set(Col::Issuer, Some(Cow::Owned(a)));
    }

    let ips: Vec<Cow<'_, str>> = sub(ev.source_ips);
    row.set(Col::SourceIp, ips.into_iter().last());
    row.set(Col::UserAgent, c(&ev.user_agent));

    if let Some(r) = &resource {
        let parts: Vec<&str> = [
            group.as_deref(),
            namespace.as_deref(),
            Some(&**r),
            name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        row.set(Col::Asset, Some(Cow::Owned(parts.join("/"))));
        row.set(Col::AssetKind, Some(r.clone()));
    } else if let Some(p) = path {
        row.set(Col::Asset, Some(Cow::Borrowed(p)));
        row.set_str(Col::AssetKind, "url");
    }

    let status: Status<'_> = sub(ev.response_status);
    let ann: Annotations<'_> = sub(ev.annotations);
    match status.code {
        Some(code) if code >= 400 => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, Some(Cow::Owned(code.to_string())));
        }
        None if status.status.as_deref() == Some("Failure") => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(
                Col::ErrorCode,
                Some(c(&status.reason).unwrap_or(Cow::Borrowed("Failure"))),
            );
        }
        None if ann.decision.as_deref() == Some("forbid") => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set_str(Col::ErrorCode, "Forbidden");
        }
        _ => row.set_str(Col::Outcome, outcome::SUCCESS),
    }

    if let Some(w) = wrap {
        row.set(
            Col::Account,
            w.resource_id
                .as_deref()
                .and_then(azure_subscription)
                .map(|s| Cow::Owned(s.to_string())),
        );
    }
    row.set(Col::RequestId, c(&ev.audit_id));
    row.set(Col::EventId, c(&ev.audit_id));

    // Lineage: credentials created for service accounts.
    if row.get(Col::Outcome) == Some(outcome::SUCCESS) && verb == "create" {
        match (resource.as_deref(), subresource.as_deref()) {
            (Some("serviceaccounts"), Some("token")) => {
                if let (Some(ns), Some(n)) = (&namespace, &name) {
                    row.set(
                        Col::MintedIdentity,
                        Some(Cow::Owned(format!("system:serviceaccount:{ns}:{n}"))),
                    );
                }
                if let Some(t) = c(&ann.issued_credential_id).filter(|t| verbatim(t)) {
                    row.set(Col::MintedToken, Some(t));
                }
            }
            (Some("secrets"), None) => {
                let obj: SecretObject<'_> = sub(ev.request_object);
                if obj.kind.as_deref() == Some("kubernetes.io/service-account-token") {
                    let meta: ObjectMeta<'_> = sub(obj.metadata);
                    let ann: SecretAnnotations<'_> = sub(meta.annotations);
                    let ns = namespace.clone().or_else(|| c(&meta.namespace));
                    if let (Some(ns), Some(sa)) = (ns, c(&ann.service_account)) {
                        row.set(
                            Col::MintedIdentity,
                            Some(Cow::Owned(format!("system:serviceaccount:{ns}:{sa}"))),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    batch.push(&row);
    Ok(())
}

#[cfg(test)]
mod tests;

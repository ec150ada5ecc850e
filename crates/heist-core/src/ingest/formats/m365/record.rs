//! One unified audit log record onto the frame: the common schema (time, operation, workload, user, client IP,
//! result, tenant, ids, the app's token) on every event, and one event per target the record names (`targets.rs`).
//! Field names follow Microsoft's "Office 365 Management Activity API schema" (common schema, SharePoint file
//! operations, Exchange mailbox, Entra STS logon, `AppAccessContext`) and the CopilotInteraction schema.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::targets::{copilot_agent, targets};
use super::SOURCE;
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::RawRecord;
use crate::ingest::formats::base_row;
use crate::util::time::parse_any;

const PROVIDER: &str = "microsoft365";
/// An Entra access token's unique id: the same kind the `azure` format gives `uniqueTokenIdentifier`, so an M365
/// action pivots to the sign-in that issued its token.
const TOKEN_ID: &str = "token_id";

/// A field as text: a non-empty string, or a number's or boolean's literal.
pub(super) fn text<'v>(o: &'v Map<String, Value>, key: &str) -> Option<Cow<'v, str>> {
    value_text(o.get(key)?)
}

pub(super) fn value_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "True" } else { "False" })),
        _ => None,
    }
}

/// A sub-object (or the object a JSON string holds, as Sentinel's columns keep them).
pub(super) fn object<'v>(
    o: &'v Map<String, Value>,
    key: &str,
) -> Option<Cow<'v, Map<String, Value>>> {
    match o.get(key)? {
        Value::Object(m) => Some(Cow::Borrowed(m)),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Some(Cow::Owned(m)),
            _ => None,
        },
        _ => None,
    }
}

/// A list of objects (or the list a JSON string holds); other entries are skipped.
pub(super) fn objects(o: &Map<String, Value>, key: &str) -> Vec<Map<String, Value>> {
    let list = match o.get(key) {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(a)) => a,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// A non-negative count or size given as a number or as text.
pub(super) fn number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `identity_type` from `UserType` (a number, or its member name as Sentinel writes it). System accounts that
/// SharePoint and Exchange log as users (`app@sharepoint`, `NT AUTHORITY\SYSTEM`, `SHAREPOINT\system`) are services
/// whatever their type says.
fn identity_type_of(user_type: Option<&Value>, user: &str) -> &'static str {
    let lower = user.to_ascii_lowercase();
    if lower == "app@sharepoint"
        || lower.starts_with("nt authority\\")
        || lower == "sharepoint\\system"
    {
        return identity_type::SERVICE;
    }
    let name = user_type.and_then(value_text);
    match name.as_deref().map(str::trim) {
        // Regular, Admin, DcAdmin (a Microsoft datacenter operator): people.
        Some("0" | "Regular" | "2" | "Admin" | "3" | "DcAdmin") => identity_type::HUMAN,
        // System, Application, ServicePrincipal, CustomPolicy, SystemPolicy.
        Some(
            "4" | "System" | "5" | "Application" | "6" | "ServicePrincipal" | "7" | "CustomPolicy"
            | "8" | "SystemPolicy",
        ) => identity_type::SERVICE,
        // Reserved, absent or unknown: what the name looks like.
        _ if user.contains('@') => identity_type::HUMAN,
        _ => identity_type::UNKNOWN,
    }
}

/// A client address without what workloads add around it: a port (`192.0.2.1:5001`, `[2001:db8::1]:443`), IPv6
/// brackets, and the IPv4-mapped prefix (`::ffff:10.1.2.3`). Anything that is not an address reads as absent.
pub(super) fn client_ip(v: &str) -> Option<String> {
    let t = v.trim();
    let core = if let Some(rest) = t.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if t.bytes().filter(|&b| b == b':').count() == 1 && t.contains('.') {
        t.split(':').next().unwrap_or("")
    } else {
        t
    };
    let core = match core.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("::ffff:") && core[7..].contains('.') => &core[7..],
        _ => core,
    };
    let ok = !core.is_empty()
        && (core.contains('.') || core.contains(':'))
        && core
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
    ok.then(|| core.to_string())
}

/// A `{Name, Value}` entry of `ExtendedProperties` (Entra logons keep the user agent there).
fn extended_property(o: &Map<String, Value>, name: &str) -> Option<String> {
    objects(o, "ExtendedProperties").iter().find_map(|p| {
        let n = text(p, "Name")?;
        (n == name)
            .then(|| text(p, "Value").map(Cow::into_owned))
            .flatten()
    })
}

/// Outcome: `ResultStatus` says `Failed` (`False` for Exchange admin cmdlets); an Entra `UserLoginFailed` fails
/// whatever its HTTP-level `ResultStatus` says, with the AADSTS error (`LogonError`, `ErrorNumber`) as its code.
fn outcome_of<'v>(o: &'v Map<String, Value>, action: &str) -> (bool, Option<Cow<'v, str>>) {
    let status = text(o, "ResultStatus");
    let login_failed = action.eq_ignore_ascii_case("UserLoginFailed");
    let status_failed = status.as_deref().is_some_and(|s| {
        let s = s.trim();
        s.eq_ignore_ascii_case("failed")
            || s.eq_ignore_ascii_case("failure")
            || s.eq_ignore_ascii_case("false")
    });
    if !(login_failed || status_failed) {
        return (true, None);
    }
    let code = text(o, "LogonError")
        .or_else(|| text(o, "ErrorNumber").filter(|c| c.trim() != "0"))
        .or(status);
    (false, code)
}

/// Map one audit record: every event it gives, all located at `raw` (the record as exported: a JSON record, a
/// search result, a CSV line).
pub fn map_record(v: &Value, raw: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let o = v
        .as_object()
        .ok_or("the audit record is not a JSON object")?;
    let created = text(o, "CreationTime").ok_or("no CreationTime")?;
    let time = parse_any(&created)
        .ok_or_else(|| format!("CreationTime {created:?} is not a timestamp"))?;
    let action = text(o, "Operation").ok_or("no Operation")?;

    let mut row: Row<'_> = base_row(raw);
    row.time = time;
    row.set_str(Col::Source, SOURCE);
    row.set_str(Col::Provider, PROVIDER);
    row.set(Col::Service, text(o, "Workload"));
    row.set(Col::Action, Some(action.clone()));

    let user = text(o, "UserId");
    let it = match &user {
        Some(u) => identity_type_of(o.get("UserType"), u),
        None => identity_type::UNKNOWN,
    };
    row.set_str(Col::IdentityType, it);
    row.set(Col::Identity, user);

    let (ok, code) = outcome_of(o, &action);
    if ok {
        row.set_str(Col::Outcome, outcome::SUCCESS);
    } else {
        row.set_str(Col::Outcome, outcome::FAILURE);
        row.set(Col::ErrorCode, code);
    }

    let ip = ["ClientIP", "ClientIPAddress", "ActorIpAddress"]
        .iter()
        .find_map(|k| text(o, k).and_then(|v| client_ip(&v)));
    row.set(Col::SourceIp, ip.map(Cow::Owned));
    let ua = text(o, "UserAgent")
        .or_else(|| text(o, "ClientInfoString"))
        .or_else(|| extended_property(o, "UserAgent").map(Cow::Owned))
        .or_else(|| copilot_agent(o).map(Cow::Owned));
    row.set(Col::UserAgent, ua);
    row.set(Col::Account, text(o, "OrganizationId"));

    let context = object(o, "AppAccessContext");
    let context_text = |k: &str| {
        context
            .as_ref()
            .and_then(|c| text(c, k))
            .map(|s| s.into_owned())
    };
    row.set(
        Col::RequestId,
        text(o, "CorrelationId").or_else(|| context_text("CorrelationId").map(Cow::Owned)),
    );
    // The token must appear verbatim in the record as exported (the query prefilter searches the raw bytes).
    if let Some(t) = context_text("UniqueTokenId").filter(|t| raw.text.contains(t.as_str())) {
        row.set(Col::Token, Some(Cow::Owned(t)));
        row.set_str(Col::TokenKind, TOKEN_ID);
    }
    let id = text(o, "Id").map(Cow::into_owned);
    row.set(Col::EventId, id.clone().map(Cow::Owned));

    let found = targets(o, &action);
    if found.is_empty() {
        batch.push(&row);
        return Ok(());
    }
    for (i, t) in found.into_iter().enumerate() {
        let mut r = row.clone();
        r.set(Col::Asset, Some(Cow::Owned(t.asset)));
        r.set(Col::AssetKind, Some(t.kind));
        r.bytes = t.bytes;
        // Each event of a record needs its own key (deduplication and case marks use source + event id +
        // action): the first keeps the record's id, the others are numbered after it (after the record's hash
        // when it has no id).
        if i > 0 {
            let base = id.clone().unwrap_or_else(|| format!("{:016x}", raw.hash()));
            r.set(Col::EventId, Some(Cow::Owned(format!("{base}#{}", i + 1))));
        }
        batch.push(&r);
    }
    Ok(())
}

//! OpenAI organisation audit logs (`GET /v1/organization/audit_logs`): saved API pages
//! `{"object":"list","data":[...],"first_id","last_id","has_more"}` (the probe opens `data`), JSON arrays of events,
//! and one event per line (pages concatenated by a collector, SIEM exports). Field mapping follows
//! `shared/notes/log-formats.md` §7.
//!
//! Each event carries its details under a key named after its type: `"api_key.created": {"id": "key_abc", ...}`
//! in the API, `"api_key_created"` in some collectors' copies. Both are looked up among the record's top-level
//! members by a structural scan, so the rest of the record is never deserialized.

use std::borrow::Cow;

use memchr::memmem;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Probe, RawRecord};
use crate::ingest::jsonscan::object_members;
use crate::util::time::Nanos;

pub struct OpenAi;

type S<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditLog<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    effective_at: Option<&'a RawValue>,
    #[serde(borrow)]
    project: Option<&'a RawValue>,
    #[serde(borrow)]
    actor: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Actor<'a> {
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    session: Option<&'a RawValue>,
    #[serde(borrow)]
    api_key: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Session<'a> {
    #[serde(borrow)]
    user: Option<&'a RawValue>,
    #[serde(borrow)]
    ip_address: S<'a>,
    #[serde(borrow)]
    user_agent: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiKey<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(rename = "type", borrow)]
    kind: S<'a>,
    #[serde(borrow)]
    user: Option<&'a RawValue>,
    #[serde(borrow)]
    service_account: Option<&'a RawValue>,
}

/// A user, service account or project reference.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Ref<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    email: S<'a>,
}

/// The type-named details object.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Payload<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    error_code: S<'a>,
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

fn is_openai(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    if o.get("object").and_then(Value::as_str) == Some("organization.audit_log") {
        return true;
    }
    o.get("effective_at").is_some_and(Value::is_number)
        && o.get("type").is_some_and(Value::is_string)
        && o.get("actor").is_some_and(Value::is_object)
}

/// An API page none of whose records parse (the documentation example has trailing commas): still claimed, so
/// each record is reported with its own error instead of the file being dismissed as unknown.
fn is_broken_page(probe: &Probe<'_>) -> bool {
    if !probe.samples.is_empty() {
        return false;
    }
    let Some(w) = probe.wrapper else { return false };
    let is_list = probe.members.iter().any(|m| {
        m.key == "object" && probe.text.get(m.value.start..m.value.end) == Some("\"list\"")
    });
    if w.key != "data" || !is_list {
        return false;
    }
    let b = probe.text.as_bytes();
    let end = w
        .value
        .end
        .min(b.len())
        .min(w.value.start.saturating_add(65_536));
    let head = b.get(w.value.start..end).unwrap_or(&[]);
    memmem::find(head, b"\"effective_at\"").is_some() && memmem::find(head, b"\"actor\"").is_some()
}

impl Format for OpenAi {
    fn id(&self) -> &'static str {
        "openai"
    }

    fn title(&self) -> &'static str {
        "OpenAI organization audit log"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "audit_logs.json  (GET /v1/organization/audit_logs page: {\"object\":\"list\",\"data\":[...],\"has_more\":..})",
            "*.jsonl  (one audit log object per line: paginated pulls concatenated, SIEM exports)",
            "*.json  (JSON array of audit log objects)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity actor session user email | api_key user email | service account id; token actor.api_key.id; \
         asset the type-named payload's id (key, project, user, ...); api_key.created mints the key, \
         api_key.deleted revokes it"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(5).any(is_openai) || is_broken_page(probe)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, |rec, batch| {
            let body = record_body(rec.text);
            let ev: AuditLog<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
            map_event(&ev, &body, rec, batch)
        });
    }
}

fn event_time(raw: Option<&RawValue>) -> Result<Nanos, String> {
    time_value("effective_at", raw.ok_or("no effective_at")?)
}

/// The details object: the top-level member named after the type (`api_key.created`, or `api_key_created`).
fn payload<'t>(text: &'t str, kind: &str) -> Option<&'t str> {
    let open = text.len() - text.trim_start().len();
    let (members, _) = object_members(text, open);
    let underscored = kind.replace('.', "_");
    members
        .iter()
        .find(|m| m.key == kind || m.key == underscored)
        .and_then(|m| text.get(m.value.start..m.value.end))
}

/// `api_key.created` -> `api_key`; `ip_allowlist.config.activated` -> `ip_allowlist_config`.
fn asset_kind(kind: &str) -> Option<String> {
    let (prefix, _) = kind.rsplit_once('.')?;
    (!prefix.is_empty()).then(|| prefix.replace('.', "_"))
}

fn map_event(
    ev: &AuditLog<'_>,
    text: &str,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = event_time(ev.effective_at)?;
    let kind = c(&ev.kind).ok_or("no type")?;
    let raw_text = rec.text;
    let verbatim = |t: &str| !t.is_empty() && raw_text.contains(t);

    let mut row: Row<'_> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "openai");
    row.set_str(Col::Provider, "openai");
    row.set_str(Col::Service, "openai");
    row.set(Col::Action, Some(kind.clone()));
    row.set(Col::EventId, c(&ev.id));

    let project: Ref<'_> = sub(ev.project);
    row.set(Col::Account, c(&project.id));

    let actor: Actor<'_> = sub(ev.actor);
    let session: Session<'_> = sub(actor.session);
    let key: ApiKey<'_> = sub(actor.api_key);
    let session_user: Ref<'_> = sub(session.user);
    let key_user: Ref<'_> = sub(key.user);
    let key_sa: Ref<'_> = sub(key.service_account);
    let service_key = key.kind.as_deref() == Some("service_account");
    let (identity, it) = if let Some(u) = c(&session_user.email).or_else(|| c(&session_user.id)) {
        (Some(u), identity_type::HUMAN)
    } else if let Some(u) = c(&key_user.email).or_else(|| c(&key_user.id)) {
        (Some(u), identity_type::HUMAN)
    } else if let Some(sa) = c(&key_sa.id) {
        (Some(sa), identity_type::SERVICE)
    } else if service_key {
        (None, identity_type::SERVICE)
    } else if actor.kind.as_deref() == Some("session") {
        (None, identity_type::HUMAN)
    } else {
        (None, identity_type::UNKNOWN)
    };
    row.set_str(Col::IdentityType, it);
    row.set(Col::Identity, identity.clone());
    if let Some(t) = c(&key.id).filter(|t| verbatim(t)) {
        row.set(Col::Token, Some(t));
        row.set_str(Col::TokenKind, "api_key");
    }
    row.set(Col::SourceIp, c(&session.ip_address));
    row.set(Col::UserAgent, c(&session.user_agent));

    let details: Payload<'_> = payload(text, &kind)
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let target = c(&details.id);
    if let Some(id) = &target {
        row.set(Col::Asset, Some(id.clone()));
        row.set(Col::AssetKind, asset_kind(&kind).map(Cow::<str>::Owned));
    }

    if kind.ends_with(".failed") {
        row.set_str(Col::Outcome, outcome::FAILURE);
        row.set(
            Col::ErrorCode,
            Some(c(&details.error_code).unwrap_or_else(|| kind.clone())),
        );
    } else {
        row.set_str(Col::Outcome, outcome::SUCCESS);
        match &*kind {
            "api_key.created" => {
                row.set(Col::MintedToken, target.filter(|t| verbatim(t)));
                row.set(Col::MintedIdentity, identity);
            }
            "api_key.deleted" => {
                row.set(Col::RevokedToken, target.filter(|t| verbatim(t)));
            }
            "service_account.created" => row.set(Col::MintedIdentity, target),
            _ => {}
        }
    }

    batch.push(&row);
    Ok(())
}

#[cfg(test)]
mod tests;

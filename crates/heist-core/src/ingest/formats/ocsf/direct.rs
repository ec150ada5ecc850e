//! OCSF events whose original log heist has no format for (Okta, GitHub, Windows sign-ins, Route 53 resolver
//! queries, Security Hub findings...): mapped straight from OCSF's own fields, `source` `ocsf`. The original is
//! not kept in these events (OCSF is all there is), so there is nothing to rebuild.

use std::borrow::Cow;

use serde_json::Value;

use super::fields::{at, first_text, text};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, Row};

/// Fill `row` (time and place already set) from the OCSF event `ev`.
pub fn map(ev: &Value, row: &mut Row<'_>) {
    let own = |v: Option<String>| v.map(Cow::Owned);
    row.set_str(Col::Source, "ocsf");
    let provider = first_text(ev, &["metadata.product.vendor_name", "cloud.provider"])
        .map(|p| p.to_ascii_lowercase())
        .unwrap_or_else(|| "ocsf".into());
    row.set(Col::Provider, Some(Cow::Owned(provider)));
    row.set(
        Col::Service,
        own(first_text(
            ev,
            &["api.service.name", "metadata.product.name"],
        )),
    );
    row.set(
        Col::Action,
        own(first_text(
            ev,
            &[
                "api.operation",
                "metadata.event_code",
                "type_name",
                "class_name",
            ],
        )
        .or_else(|| class(ev).and_then(class_name).map(str::to_string))),
    );
    row.set(Col::Region, own(text(ev, "cloud.region")));
    row.set(
        Col::Account,
        own(first_text(
            ev,
            &[
                "cloud.account.uid",
                "actor.user.account.uid",
                "actor.user.account_uid",
            ],
        )),
    );
    row.set(
        Col::RequestId,
        own(first_text(ev, &["api.request.uid", "http_request.uid"])),
    );
    row.set(Col::EventId, own(text(ev, "metadata.uid")));
    row.set(Col::SourceIp, own(text(ev, "src_endpoint.ip")));
    row.set(Col::UserAgent, own(text(ev, "http_request.user_agent")));

    let named = |path: &str| at(ev, path).and_then(|u| user_name(u).map(|n| (n, user_type(u))));
    // In Authentication, `user` is who signs in (the actor may be the service that asked, or nobody: `-`).
    let found = if class(ev) == Some(3002) {
        named("user").or_else(|| named("actor.user"))
    } else {
        named("actor.user")
    };
    let (who, it) = match found {
        Some((n, t)) => (Some(n), t),
        None => match text(ev, "src_endpoint.instance_uid") {
            Some(i) => (Some(i), identity_type::SERVICE),
            None => (None, identity_type::UNKNOWN),
        },
    };
    row.set_str(Col::IdentityType, it);
    row.set(Col::Identity, own(who.clone()));
    row.set(Col::Issuer, own(text(ev, "actor.session.issuer")));
    if let Some(tok) = first_text(
        ev,
        &["actor.user.credential_uid", "actor.session.credential_uid"],
    ) {
        row.set_str(Col::TokenKind, "credential");
        row.set(Col::Token, Some(Cow::Owned(tok)));
    }

    let (asset, kind) = asset(ev, who.as_deref());
    if asset.is_some() {
        row.set(Col::Asset, own(asset));
        row.set(Col::AssetKind, own(kind));
    }

    let status = at(ev, "status_id").and_then(Value::as_i64);
    let word = text(ev, "status");
    if status == Some(2) || word.as_deref() == Some("Failure") {
        row.set_str(Col::Outcome, outcome::FAILURE);
        row.set(
            Col::ErrorCode,
            Some(Cow::Owned(
                first_text(ev, &["api.response.error", "status_code", "status_detail"])
                    .unwrap_or_else(|| "Failure".into()),
            )),
        );
    } else if status == Some(1) || word.as_deref() == Some("Success") {
        row.set_str(Col::Outcome, outcome::SUCCESS);
    }
}

fn class(ev: &Value) -> Option<i64> {
    match at(ev, "class_uid")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A user object's best name: an ARN uid, else the e-mail address, the name, the uid (Windows' `-` and
/// `NULL SID` name nobody).
fn user_name(u: &Value) -> Option<String> {
    let real = |s: &String| s != "-" && s != "NULL SID";
    text(u, "uid")
        .filter(|s| s.starts_with("arn:"))
        .or_else(|| {
            ["email_addr", "name", "uid", "uuid"]
                .iter()
                .find_map(|p| text(u, p).filter(real))
        })
}

/// The names of the OCSF classes most often met, for events that name no operation.
fn class_name(uid: i64) -> Option<&'static str> {
    Some(match uid {
        1001 => "File System Activity",
        1007 => "Process Activity",
        2001 => "Security Finding",
        2004 => "Detection Finding",
        3001 => "Account Change",
        3002 => "Authentication",
        3003 => "Authorize Session",
        3004 => "Entity Management",
        3006 => "Group Management",
        4001 => "Network Activity",
        4002 => "HTTP Activity",
        4003 => "DNS Activity",
        6003 => "API Activity",
        _ => return None,
    })
}

fn user_type(u: &Value) -> &'static str {
    match (
        at(u, "type_id").and_then(Value::as_i64),
        text(u, "type").as_deref(),
    ) {
        (Some(1 | 2), _) | (_, Some("User" | "Admin")) => identity_type::HUMAN,
        (Some(3), _) | (_, Some("System")) => identity_type::SERVICE,
        _ => identity_type::UNKNOWN,
    }
}

/// What the event acted on: its first named resource, else the user or group it changed, else the name it
/// resolved (DNS activity).
fn asset(ev: &Value, identity: Option<&str>) -> (Option<String>, Option<String>) {
    if let Some(res) = at(ev, "resources")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find(|r| first_text(r, &["uid", "name"]).is_some()))
    {
        return (
            first_text(res, &["uid", "name"]),
            Some(text(res, "type").unwrap_or_else(|| "resource".into())),
        );
    }
    if let Some(u) = at(ev, "user").and_then(user_name) {
        if Some(u.as_str()) != identity {
            return (Some(u), Some("user".into()));
        }
    }
    if let Some(g) = text(ev, "group.name") {
        return (Some(g), Some("group".into()));
    }
    if let Some(h) = text(ev, "query.hostname") {
        return (Some(h), Some("dns_name".into()));
    }
    (None, None)
}

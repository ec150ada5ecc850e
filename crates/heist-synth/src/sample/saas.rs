//! The model providers' own audit trails. The CI also held admin keys for ACME's OpenAI and Anthropic
//! organisations: with them the attacker mints an OpenAI project key and raises its rate limit, and removes the
//! Anthropic organisation's IP allow-list before creating a key of its own. Every working day of the fortnight alice signs in to both.
//! OpenAI as a saved `/v1/organization/audit_logs` page; Anthropic's activity feed as JSON lines, read through the
//! mapping shipped in `assets/mappings/anthropic-activity.toml`.

use std::path::Path;

use serde_json::{json, Value};

use super::{ATTACKER_IP, MIN, OFFICE_IP};
use crate::rng::Rng;
use heist_core::util::time::{format_utc, Nanos};

pub const OPENAI_ADMIN_KEY: &str = "key_AcmeCiAdm1nQ7xV";
pub const OPENAI_NEW_KEY: &str = "key_9QmZr2Lw7TxY4Vb1";
pub const ANTHROPIC_ADMIN_KEY: &str = "apikey_01HACMECIADMIN7K";
const ALICE: &str = "alice@acme.example";
const BROWSER_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
const PROJECT: &str = "proj_AcmeAssistProd01";

fn secs(t: Nanos) -> i64 {
    t / 1_000_000_000
}

/// The OpenAI audit events, time ordered.
pub fn openai_events() -> Vec<(Nanos, Value)> {
    let rng = &mut Rng::new(0x05aa_50a1);
    let mut out = Vec::new();
    let alice_actor = json!({"type": "session", "session": {"user": {"id": "user-aLiCe0001", "email": ALICE},
        "ip_address": OFFICE_IP, "user_agent": BROWSER_UA}});
    for day in super::routine::days().iter().filter(|d| !d.weekend) {
        let at =
            super::t(&format!("{}T09:02:13Z", day.date)) + rng.below(1200) as Nanos * super::SEC;
        out.push((
            at,
            json!({"id": format!("audit_log-{}", rng.upper_alnum(20)), "type": "login.succeeded",
            "effective_at": secs(at), "actor": alice_actor}),
        ));
    }
    let admin = json!({"type": "api_key", "api_key": {"id": OPENAI_ADMIN_KEY, "type": "service_account",
        "service_account": {"id": "svc_acct_AcmeCiPublisher"}}});
    let a = super::t("2026-10-05T04:52:09Z");
    out.push((a, json!({"id": format!("audit_log-{}", rng.upper_alnum(20)), "type": "api_key.created",
        "effective_at": secs(a), "actor": admin, "project": {"id": PROJECT, "name": "assist-prod"},
        "api_key.created": {"id": OPENAI_NEW_KEY, "data": {"scopes": ["api.model.request", "api.model.read"]}}})));
    let b = a + 2 * MIN;
    out.push((b, json!({"id": format!("audit_log-{}", rng.upper_alnum(20)), "type": "rate_limit.updated",
        "effective_at": secs(b), "actor": admin, "project": {"id": PROJECT, "name": "assist-prod"},
        "rate_limit.updated": {"id": "rl-gpt-4o", "changes_requested": {"max_requests_per_1_minute": 10_000,
            "max_tokens_per_1_minute": 30_000_000}}})));
    out
}

/// The Anthropic activity events, time ordered.
pub fn anthropic_events() -> Vec<(Nanos, Value)> {
    let rng = &mut Rng::new(0x05aa_50a2);
    let mut out = Vec::new();
    for day in super::routine::days().iter().filter(|d| !d.weekend) {
        let at =
            super::t(&format!("{}T09:05:40Z", day.date)) + rng.below(1200) as Nanos * super::SEC;
        out.push((at, json!({"id": format!("activity_01{}", rng.upper_alnum(24)), "created_at": format_utc(at),
            "organization_id": "org_01HACME", "type": "sso_login_succeeded",
            "actor": {"type": "user_actor", "email_address": ALICE, "user_id": "user_01HALICE", "ip_address": OFFICE_IP, "user_agent": BROWSER_UA}})));
    }
    let a = super::t("2026-10-05T05:10:27Z");
    let actor =
        json!({"type": "api_actor", "api_key_id": ANTHROPIC_ADMIN_KEY, "ip_address": ATTACKER_IP});
    out.push((
        a,
        json!({"id": format!("activity_01{}", rng.upper_alnum(24)), "created_at": format_utc(a),
        "organization_id": "org_01HACME", "type": "org_ip_restriction_deleted", "actor": actor}),
    ));
    let b = a + MIN;
    out.push((b, json!({"id": format!("activity_01{}", rng.upper_alnum(24)), "created_at": format_utc(b),
        "organization_id": "org_01HACME", "type": "service_key_created", "workspace_id": "wrkspc_01HDEFAULT", "actor": actor})));
    out
}

/// Write both feeds; returns (openai events, anthropic events).
pub fn write(dir: &Path) -> std::io::Result<(usize, usize)> {
    let mut oa = openai_events();
    // The API lists newest first.
    oa.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    let data: Vec<&Value> = oa.iter().map(|(_, v)| v).collect();
    let page = json!({"object": "list", "data": data,
        "first_id": data.first().map(|v| v["id"].clone()), "last_id": data.last().map(|v| v["id"].clone()), "has_more": false});
    std::fs::create_dir_all(dir.join("openai"))?;
    std::fs::write(
        dir.join("openai/audit_logs-2026-10-05.json"),
        serde_json::to_string_pretty(&page)? + "\n",
    )?;
    let an = anthropic_events();
    std::fs::create_dir_all(dir.join("anthropic"))?;
    let body: String = an.iter().map(|(_, v)| format!("{v}\n")).collect();
    std::fs::write(dir.join("anthropic/activity-2026-10.jsonl"), body)?;
    Ok((oa.len(), an.len()))
}

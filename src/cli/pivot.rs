//! `heist pivot PATH... (--identity X | --token X | --asset X | --ip X) [--json]`

use std::io::Write;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use serde_json::{json, Value};

use super::load::{load, thousands};
use super::table::Table;
use super::BundleArgs;
use heist_core::entities::table::entity_rows;
use heist_core::entities::{Entity, EntityKind, Link, Pivot, PivotEngine};
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::format_utc;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("entity").required(true).args(["identity", "token", "asset", "ip"])))]
pub struct PivotArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// Start from an identity (IAM user/role/session ARN, service-account email, UPN, ...).
    #[arg(long, value_name = "X")]
    pub identity: Option<String>,
    /// Start from a credential (access key id, key name, token id, API key id).
    #[arg(long, value_name = "X")]
    pub token: Option<String>,
    /// Start from an asset (`bucket/key`, a bucket, a model id, a role ARN, ...).
    #[arg(long, value_name = "X")]
    pub asset: Option<String>,
    /// Start from a source IP.
    #[arg(long, value_name = "X")]
    pub ip: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl PivotArgs {
    fn entity(&self) -> Option<Entity> {
        let pick = [
            (EntityKind::Identity, &self.identity),
            (EntityKind::Token, &self.token),
            (EntityKind::Asset, &self.asset),
            (EntityKind::Ip, &self.ip),
        ];
        pick.into_iter()
            .find_map(|(k, v)| v.as_ref().map(|v| Entity::new(k, v.trim())))
    }
}

pub fn run(args: &PivotArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let entity = args
        .entity()
        .ok_or_else(|| anyhow::anyhow!("give one of --identity, --token, --asset, --ip"))?;
    let (store, _) = load(&args.bundle, None)?;
    let engine = PivotEngine::new(&store)?;
    let p = engine.pivot(&entity)?;
    if args.json {
        super::write_json(&mut *out, &pivot_json(&p)?)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&p)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn link_json(l: &Link) -> Value {
    json!({
        "depth": l.depth,
        "token": l.token,
        "identity": l.identity,
        "via_token": l.via_token,
        "via_identity": l.via_identity,
        "minted_by_event": {
            "time": format_utc(l.minted_by.time),
            "action": l.minted_by.action,
            "event_id": l.minted_by.event_id,
            "source": l.minted_by.source,
            "origin": l.minted_by.origin,
        },
    })
}

/// The pivot as JSON; the keys are part of the CLI contract.
pub fn pivot_json(p: &Pivot) -> anyhow::Result<Value> {
    let mut v = json!({
        "entity": { "kind": p.entity.kind.name(), "name": p.entity.name },
        "events": p.events.height(),
        "joined_by_request_id": p.joined,
        "lineage": {
            "parents": p.parents.iter().map(link_json).collect::<Vec<_>>(),
            "children": p.children.iter().map(link_json).collect::<Vec<_>>(),
        },
    });
    for k in EntityKind::ALL {
        let rows = entity_rows(p.related(k), k, 0..usize::MAX)?;
        let list: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "first_seen": r.first_seen.map(format_utc),
                    "last_seen": r.last_seen.map(format_utc),
                    "events": r.events,
                })
            })
            .collect();
        v[k.plural()] = Value::Array(list);
    }
    Ok(v)
}

fn link_line(l: &Link, up: bool) -> String {
    let indent = "  ".repeat(l.depth as usize);
    let arrow = if up { "<-" } else { "->" };
    let who = |t: &Option<String>, i: &Option<String>| match (t, i) {
        (Some(t), Some(i)) => format!("{t} ({i})"),
        (Some(t), None) => t.clone(),
        (None, Some(i)) => i.clone(),
        (None, None) => "(unnamed credential)".into(),
    };
    format!(
        "{indent}{arrow} {}  by {} at {} [{}]\n",
        for_terminal(&who(&l.token, &l.identity)),
        for_terminal(&l.minted_by.action),
        format_utc(l.minted_by.time),
        for_terminal(&l.minted_by.origin),
    )
}

/// The human-readable pivot: the same content as the JSON, as aligned text.
pub fn render(p: &Pivot) -> anyhow::Result<String> {
    let mut o = format!(
        "pivot       {} {}\nevents      {}",
        p.entity.kind,
        for_terminal(&p.entity.name),
        thousands(p.events.height() as u64)
    );
    if p.joined > 0 {
        o += &format!(
            " ({} joined from other logs by request id)",
            thousands(p.joined as u64)
        );
    }
    o += "\n";
    if let Some((a, b)) = heist_core::query::stats::time_range(&p.events)? {
        o += &format!("time range  {} .. {} (UTC)\n", format_utc(a), format_utc(b));
    }
    if !p.parents.is_empty() || !p.children.is_empty() {
        o += "\nLineage\n";
        for l in &p.parents {
            o += &link_line(l, true);
        }
        o += &format!("  * {}\n", for_terminal(&p.entity.name));
        for l in &p.children {
            o += &link_line(l, false);
        }
    }
    for k in EntityKind::ALL {
        let rows = entity_rows(p.related(k), k, 0..usize::MAX)?;
        if rows.is_empty() {
            continue;
        }
        let title = match k {
            EntityKind::Identity => "Identities",
            EntityKind::Token => "Tokens",
            EntityKind::Asset => "Assets",
            EntityKind::Ip => "Source IPs",
        };
        o += &format!("\n{title} ({})\n", rows.len());
        let mut t = Table::new(&[
            ("events", 10),
            ("first_seen", 20),
            ("last_seen", 20),
            ("name", 110),
        ]);
        for r in &rows {
            t.push(&[
                thousands(r.events),
                r.first_seen.map(format_utc).unwrap_or_default(),
                r.last_seen.map(format_utc).unwrap_or_default(),
                r.name.clone(),
            ]);
        }
        for line in t.render().lines() {
            o += &format!("  {line}\n");
        }
    }
    Ok(o)
}

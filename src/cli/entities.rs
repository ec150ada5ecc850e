//! `heist entities PATH... --kind identity|token|asset|ip [--where QUERY] [--json]` and
//! `heist find PATH... TEXT [--kind K] [--limit N] [--json]`.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::load::{load, thousands};
use super::select::select;
use super::table::Table;
use super::{BundleArgs, QueryArgs};
use heist_core::entities::lineage::Lineage;
use heist_core::entities::table::{entity_rows, entity_table, EntityRow};
use heist_core::entities::{EntityKind, Finder};
use heist_core::util::time::format_utc;

fn parse_kind(s: &str) -> Result<EntityKind, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct EntitiesArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// identity, token, asset or ip.
    #[arg(long, value_parser = parse_kind)]
    pub kind: EntityKind,
    #[command(flatten)]
    pub filter: QueryArgs,
    #[arg(long)]
    pub json: bool,
    /// Show at most N entities (most active first).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// One entity as JSON: the entity-table columns, plus mint / revoke times for tokens.
pub fn entity_json(r: &EntityRow, lineage: Option<&Lineage>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    m.insert("type".into(), json!(r.detail));
    m.insert("first_seen".into(), json!(r.first_seen.map(format_utc)));
    m.insert("last_seen".into(), json!(r.last_seen.map(format_utc)));
    m.insert("events".into(), json!(r.events));
    m.insert("failures".into(), json!(r.failures));
    m.insert("bytes".into(), json!(r.bytes));
    for (k, v) in &r.counterparts {
        m.insert((*k).into(), json!(v));
    }
    m.insert("top_actions".into(), json!(r.top_actions));
    m.insert("sources".into(), json!(r.sources));
    if let Some(l) = lineage {
        let minted = l.minted(&r.name).map(|m| m.event.time).min();
        m.insert("minted_at".into(), json!(minted.map(format_utc)));
        m.insert(
            "revoked_at".into(),
            json!(l.revoked_at(&r.name).map(format_utc)),
        );
    }
    Value::Object(m)
}

pub fn run(args: &EntitiesArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let q = args.filter.parse()?;
    let (store, _) = load(&args.bundle, None)?;
    let frame = select(&store, &q)?.unwrap_or_else(|| store.frame.clone());
    let t = entity_table(&frame, args.kind)?;
    let rows = entity_rows(&t, args.kind, 0..args.limit.unwrap_or(usize::MAX))?;
    let lineage = if args.kind == EntityKind::Token {
        let label = |o: &str, l: u32| store.origin_label(o, l);
        Some(Lineage::build(&store.frame, &label)?)
    } else {
        None
    };
    if args.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|r| entity_json(r, lineage.as_ref()))
            .collect();
        super::write_json(&mut *out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(
        out,
        "{}",
        render_entities(args.kind, &rows, lineage.as_ref())
    )?;
    if rows.len() < t.height() {
        writeln!(
            out,
            "... {} more",
            thousands((t.height() - rows.len()) as u64)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The aligned table of entity rows.
pub fn render_entities(kind: EntityKind, rows: &[EntityRow], lineage: Option<&Lineage>) -> String {
    let mut cols: Vec<(&str, usize)> = vec![(kind.name(), 72)];
    if kind != EntityKind::Ip {
        cols.push(("type", 14));
    }
    cols.extend([
        ("first_seen", 20),
        ("last_seen", 20),
        ("events", 10),
        ("failed", 8),
        ("bytes", 16),
    ]);
    let cps: Vec<&str> = heist_core::entities::table::counterpart_names(kind).collect();
    cols.extend(cps.iter().map(|c| (*c, 11)));
    if lineage.is_some() {
        cols.push(("revoked", 20));
    }
    cols.extend([("top_actions", 48), ("sources", 40)]);
    let mut t = Table::new(&cols);
    for r in rows {
        let mut cells = vec![r.name.clone()];
        if kind != EntityKind::Ip {
            cells.push(r.detail.clone().unwrap_or_default());
        }
        cells.push(r.first_seen.map(format_utc).unwrap_or_default());
        cells.push(r.last_seen.map(format_utc).unwrap_or_default());
        cells.push(thousands(r.events));
        cells.push(thousands(r.failures));
        cells.push(thousands(r.bytes));
        cells.extend(r.counterparts.iter().map(|(_, n)| thousands(*n)));
        if let Some(l) = lineage {
            cells.push(l.revoked_at(&r.name).map(format_utc).unwrap_or_default());
        }
        cells.push(r.top_actions.clone());
        cells.push(r.sources.clone());
        t.push(&cells);
    }
    t.render()
}

#[derive(Args, Debug)]
pub struct FindArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// What to look for (fuzzy: `stolen`, `ci-dep`, `198.51`).
    #[arg(value_name = "TEXT", required = true)]
    pub text: String,
    /// Only entities of this kind.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<EntityKind>,
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct HitJson<'a> {
    kind: &'static str,
    name: &'a str,
    events: u64,
    score: i64,
}

pub fn run_find(args: &FindArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (store, _) = load(&args.bundle, None)?;
    let hits = Finder::new(&store.frame)?.search(&args.text, args.kind, args.limit);
    if args.json {
        let list: Vec<HitJson<'_>> = hits
            .iter()
            .map(|h| HitJson {
                kind: h.entity.kind.name(),
                name: &h.entity.name,
                events: h.events,
                score: h.score,
            })
            .collect();
        super::write_json(&mut *out, &list)?;
        writeln!(out)?;
    } else if hits.is_empty() {
        writeln!(
            out,
            "no entity matches {:?}",
            heist_core::util::sanitize::for_terminal(&args.text)
        )?;
    } else {
        let mut t = Table::new(&[("kind", 8), ("events", 10), ("name", 120)]);
        for h in &hits {
            t.push(&[
                h.entity.kind.name().to_string(),
                thousands(h.events),
                h.entity.name.clone(),
            ]);
        }
        write!(out, "{}", t.render())?;
    }
    // No match is an answer, not a failure; scripts read the JSON.
    Ok(ExitCode::SUCCESS)
}

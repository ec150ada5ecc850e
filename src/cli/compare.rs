//! `heist compare PATH... --entity KIND:NAME --entity KIND:NAME [--json] [--limit N]`

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use super::load::{load, thousands};
use super::table::Table;
use super::BundleArgs;
use heist_core::entities::{
    compare, Comparison, Entity, EntityKind, FacetDiff, PivotEngine, Profile,
};
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::format_utc;

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// An entity to compare, as KIND:NAME (identity, token, asset, ip), given twice.
    #[arg(long = "entity", value_name = "KIND:NAME", value_parser = parse_entity, num_args = 1, required = true)]
    pub entities: Vec<Entity>,
    /// Values listed per facet and side (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

/// `token:AKIA…`, `ip:2001:db8::1` (the kind ends at the first colon).
pub fn parse_entity(s: &str) -> Result<Entity, String> {
    let (kind, name) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?}: expected KIND:NAME, e.g. token:AKIAEXAMPLE"))?;
    let kind: EntityKind = kind.trim().parse()?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("{s:?}: the name is empty"));
    }
    Ok(Entity::new(kind, name))
}

pub fn run(args: &CompareArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let [a, b] = args.entities.as_slice() else {
        anyhow::bail!(
            "give two entities to compare (--entity KIND:NAME twice), not {}",
            args.entities.len()
        );
    };
    let (store, _) = load(&args.bundle, None)?;
    let engine = PivotEngine::new(&store)?;
    let c = compare(&engine, a, b)?;
    for p in [&c.a, &c.b] {
        if p.calls == 0 {
            eprintln!(
                "heist: no event involves {} {}",
                p.entity.kind,
                for_terminal(&p.entity.name)
            );
        }
    }
    if args.json {
        super::write_json(&mut *out, &comparison_json(&c))?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&c, args.limit))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn profile_json(p: &Profile) -> Value {
    json!({
        "kind": p.entity.kind.name(),
        "name": p.entity.name,
        "calls": p.calls,
        "failures": p.failures,
        "first_seen": p.first_seen.map(format_utc),
        "last_seen": p.last_seen.map(format_utc),
        "sources": p.sources,
    })
}

/// The comparison as JSON; the keys are part of the CLI contract. Every value is listed.
pub fn comparison_json(c: &Comparison) -> Value {
    let facets: serde_json::Map<String, Value> = c
        .facets
        .iter()
        .map(|d| {
            let lone = |v: &[(String, u64)]| -> Vec<Value> {
                v.iter().map(|(n, k)| json!({"value": n, "calls": k})).collect()
            };
            (
                d.facet.label().replace(' ', "_"),
                json!({
                    "shared": d.shared.iter().map(|(n, x, y)| json!({"value": n, "a": x, "b": y})).collect::<Vec<_>>(),
                    "only_a": lone(&d.only_a),
                    "only_b": lone(&d.only_b),
                }),
            )
        })
        .collect();
    json!({ "a": profile_json(&c.a), "b": profile_json(&c.b), "facets": facets })
}

fn seen(p: &Profile) -> String {
    match (p.first_seen, p.last_seen) {
        (Some(f), Some(l)) => format!("{} .. {}", format_utc(f), format_utc(l)),
        _ => "never".into(),
    }
}

fn facet_text(d: &FacetDiff, limit: usize) -> String {
    let mut o = format!(
        "\n{} ({} shared, {} only A, {} only B)\n",
        d.facet.label(),
        d.shared.len(),
        d.only_a.len(),
        d.only_b.len()
    );
    let mut t = Table::new(&[("who", 6), ("A", 10), ("B", 10), ("value", 110)]);
    let more = |o: &mut Table, n: usize, who: &str| {
        if n > limit {
            o.push(&[
                who,
                "",
                "",
                &format!("… {} more", thousands((n - limit) as u64)),
            ]);
        }
    };
    for (v, x, y) in d.shared.iter().take(limit) {
        t.push(&["both", &thousands(*x), &thousands(*y), v]);
    }
    more(&mut t, d.shared.len(), "both");
    for (v, x) in d.only_a.iter().take(limit) {
        t.push(&["A only", &thousands(*x), "", v]);
    }
    more(&mut t, d.only_a.len(), "A only");
    for (v, y) in d.only_b.iter().take(limit) {
        t.push(&["B only", "", &thousands(*y), v]);
    }
    more(&mut t, d.only_b.len(), "B only");
    for line in t.render().lines() {
        o += &format!("  {line}\n");
    }
    o
}

/// The human-readable comparison: each side's totals, then each facet that either side has.
pub fn render(c: &Comparison, limit: usize) -> String {
    let mut o = String::new();
    for (label, p) in [("A", &c.a), ("B", &c.b)] {
        o += &format!(
            "{label}  {} {}\n   {} calls ({} failed), {}, from {}\n",
            p.entity.kind,
            for_terminal(&p.entity.name),
            thousands(p.calls),
            thousands(p.failures),
            seen(p),
            if p.sources.is_empty() {
                "no source".to_string()
            } else {
                for_terminal(&p.sources.join(", ")).into_owned()
            }
        );
    }
    for d in c.facets.iter().filter(|d| !d.is_empty()) {
        o += &facet_text(d, limit);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_kind_colon_name() {
        let e = parse_entity("ip:2001:db8::1").unwrap();
        assert_eq!((e.kind, e.name.as_str()), (EntityKind::Ip, "2001:db8::1"));
        assert_eq!(parse_entity("token: AKIA1 ").unwrap().name, "AKIA1");
        assert!(parse_entity("AKIA1").unwrap_err().contains("KIND:NAME"));
        assert!(parse_entity("key:AKIA1")
            .unwrap_err()
            .contains("unknown entity kind"));
        assert!(parse_entity("token:").unwrap_err().contains("empty"));
    }
}

//! `heist scope PATH... --from KIND:VALUE [--from ...] [--json]`: the attack scope of one or more indicators.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::load::{load, thousands};
use super::BundleArgs;
use heist_core::entities::{Entity, EntityKind, Lineage};
use heist_core::scope::text::{access_text, volume_text, why_text};
use heist_core::scope::{Scope, ScopeOptions};
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::{format_utc, parse_any, TimeZone};

#[derive(Args, Debug)]
pub struct ScopeArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,
    /// An indicator to start from, as KIND:VALUE (kinds: ip, token, identity, asset); repeatable.
    #[arg(long = "from", value_name = "KIND:VALUE", required = true)]
    pub from: Vec<String>,
    /// A network (IPv4 /24, IPv6 /48) used by at least this many identities before the incident is the
    /// organisation's own: compromised credentials are not followed into it.
    #[arg(long, value_name = "N", default_value_t = ScopeOptions::default().usual_min_identities)]
    pub usual_identities: usize,
    /// How many hops from a seed the walk follows.
    #[arg(long, value_name = "N", default_value_t = ScopeOptions::default().max_depth)]
    pub max_depth: u32,
    /// At most this many entities of each kind.
    #[arg(long, value_name = "N", default_value_t = ScopeOptions::default().max_entities)]
    pub max_entities: usize,
    /// The incident window's start (default: the seeds' first activity).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// The incident window's end (default: the end of the evidence).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// `ip:198.51.100.77` -> the entity. The value keeps its own colons (`identity:arn:aws:iam::...`, IPv6).
pub fn parse_seed(s: &str) -> anyhow::Result<Entity> {
    let (kind, value) = s.split_once(':').ok_or_else(|| {
        anyhow::anyhow!("--from {s:?}: expected KIND:VALUE, e.g. ip:198.51.100.77")
    })?;
    let kind: EntityKind = kind
        .trim()
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--from {s:?}: {e}"))?;
    let value = value.trim();
    if value.is_empty() {
        anyhow::bail!("--from {s:?}: no value after the kind");
    }
    Ok(Entity::new(kind, value))
}

fn time_arg(flag: &str, v: &Option<String>) -> anyhow::Result<Option<i64>> {
    v.as_deref()
        .map(|t| {
            parse_any(t.trim()).ok_or_else(|| {
                anyhow::anyhow!("--{flag} {t:?} is not a time (try 2026-10-05T02:00:00Z)")
            })
        })
        .transpose()
}

pub fn run(args: &ScopeArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    // Arguments first: a typo costs no load.
    let seeds = args
        .from
        .iter()
        .map(|s| parse_seed(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let opts = ScopeOptions {
        usual_min_identities: args.usual_identities,
        max_depth: args.max_depth,
        max_entities: args.max_entities,
        since: time_arg("since", &args.since)?,
        until: time_arg("until", &args.until)?,
    };
    let (store, _) = load(&args.bundle, None)?;
    let label = |origin: &str, line: u32| store.origin_label(origin, line);
    let lineage = Lineage::build(&store.frame, &label)?;
    let scope = Scope::build(&store, &lineage, &seeds, &opts)?;
    if args.json {
        super::write_json(&mut *out, &scope)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&scope))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The scope as text: a summary, then each kind's entities with how they were reached. Log text neutralised.
pub fn render(s: &Scope) -> String {
    let seeds: Vec<String> = s
        .seeds
        .iter()
        .map(|e| for_terminal(&e.entity().to_string()).into_owned())
        .collect();
    let mut o = format!("scope       from {}\n", seeds.join(", "));
    o += &format!(
        "window      {} .. {} (UTC)\n",
        format_utc(s.window.since),
        s.window
            .until
            .map(format_utc)
            .unwrap_or_else(|| "end of evidence".into())
    );
    o += &format!("events      {} calls", thousands(s.events));
    if let Some((a, b)) = s.time_range {
        o += &format!(", {} .. {}", format_utc(a), format_utc(b));
    }
    o += "\n";
    o += &format!(
        "in scope    {} tokens, {} identities, {} IPs, {} assets\n",
        s.tokens.len(),
        s.identities.len(),
        s.ips.len(),
        s.assets.len()
    );
    for n in &s.usual_networks {
        o += &format!(
            "not followed: usual network {} ({} identities before the window): {}\n",
            n.network,
            n.identities,
            for_terminal(&n.ips.join(", "))
        );
    }
    for n in &s.notes {
        o += &format!("note: {}\n", for_terminal(n));
    }
    for (_, title, list) in s.lists() {
        o += &format!("\n{title} ({})\n", list.len());
        for e in list {
            o += &format!("  {}\n", for_terminal(&e.name));
            let mut facts = vec![volume_text(e)];
            let acc = access_text(e);
            if !acc.is_empty() {
                facts.push(acc);
            }
            if let (Some(a), Some(b)) = (e.first, e.last) {
                facts.push(format!("{} .. {}", format_utc(a), format_utc(b)));
            }
            o += &format!("      {}\n", facts.join("; "));
            for w in &e.why {
                o += &format!("      <- {}\n", for_terminal(&why_text(w, TimeZone::Utc)));
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_keep_the_colons_of_their_value() {
        let e = parse_seed("identity:arn:aws:iam::1:user/x").unwrap();
        assert_eq!(e.kind, EntityKind::Identity);
        assert_eq!(e.name, "arn:aws:iam::1:user/x");
        assert_eq!(parse_seed("ip:2001:db8::1").unwrap().name, "2001:db8::1");
        assert!(parse_seed("host:x").is_err());
        assert!(parse_seed("ip:").is_err());
        assert!(parse_seed("198.51.100.77").is_err());
    }
}

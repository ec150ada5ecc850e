//! The attack scope as a report section: a summary, then one table per kind with each entity's calls, bytes,
//! access and the chain of steps that put it in scope. Every log-derived string goes through `escape`.

use super::escape;
use crate::scope::text::{access_text, edge_words};
use crate::scope::{Scope, ScopeEntity, Why};
use crate::util::num::{bytes, thousands};
use crate::util::time::{fmt_time, tz_label, TimeZone};

fn why_cell(w: &Why, tz: TimeZone) -> String {
    let mut s = escape::text(edge_words(w.edge, w.from.as_ref().map(|f| f.kind)));
    if let Some(f) = &w.from {
        s += &format!(" {}", escape::cell(&f.to_string()));
    }
    if let Some(ev) = &w.event {
        s += &format!(
            " ({} at {})",
            escape::cell(&ev.action),
            fmt_time(ev.time, tz)
        );
    }
    if let Some(n) = &w.note {
        s += &format!(": {}", escape::text(n));
    }
    s
}

fn row(e: &ScopeEntity, tz: TimeZone) -> String {
    let t = |v: Option<i64>| v.map(|t| fmt_time(t, tz)).unwrap_or_default();
    let why: Vec<String> = e.why.iter().map(|w| why_cell(w, tz)).collect();
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        escape::cell(&e.name),
        thousands(e.events),
        if e.bytes > 0 {
            bytes(e.bytes as f64)
        } else {
            String::new()
        },
        access_text(e),
        t(e.first),
        t(e.last),
        why.join("; "),
    )
}

/// The scope as Markdown, times in `tz`.
pub fn scope_section(scope: &Scope, tz: TimeZone) -> String {
    let mut o = String::from("## Attack scope\n\n");
    let seeds: Vec<String> = scope
        .seeds
        .iter()
        .map(|e| escape::code(&e.entity().to_string()))
        .collect();
    o += &format!(
        "From {}; incident window {} to {} ({}).\n\n",
        seeds.join(", "),
        fmt_time(scope.window.since, tz),
        scope
            .window
            .until
            .map(|t| fmt_time(t, tz))
            .unwrap_or_else(|| "the end of the evidence".into()),
        tz_label(tz),
    );
    o += &format!(
        "In scope: {} tokens, {} identities, {} IPs, {} assets; {} calls",
        scope.tokens.len(),
        scope.identities.len(),
        scope.ips.len(),
        scope.assets.len(),
        thousands(scope.events),
    );
    if let Some((a, b)) = scope.time_range {
        o += &format!(" from {} to {}", fmt_time(a, tz), fmt_time(b, tz));
    }
    o += ". Counts are of calls (a call recorded by two logs counts once), from when each entity entered scope.\n\n";
    for n in &scope.usual_networks {
        let ips: Vec<String> = n.ips.iter().map(|i| escape::code(i)).collect();
        o += &format!(
            "- Not followed: usual network {} ({} identities before the window): {}\n",
            escape::code(&n.network),
            n.identities,
            ips.join(", ")
        );
    }
    for n in &scope.notes {
        o += &format!("- Note: {}\n", escape::text(n));
    }
    for d in &scope.changes.dropped {
        o += &format!(
            "- Dropped by the analyst: {}\n",
            escape::code(&d.to_string())
        );
    }
    for a in &scope.changes.added {
        o += &format!("- Added by the analyst: {}\n", escape::code(&a.to_string()));
    }
    if !scope.usual_networks.is_empty() || !scope.notes.is_empty() || !scope.changes.is_empty() {
        o += "\n";
    }
    for (k, title, list) in scope.lists() {
        o += &format!("### {title} ({})\n\n", list.len());
        o += &format!(
            "| {} | calls | bytes | access | first | last | why |\n|---|---:|---:|---|---|---|---|\n",
            k.name()
        );
        for e in list {
            o += &row(e, tz);
        }
        o += "\n";
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Entity;
    use crate::entities::EntityKind;
    use crate::frame::assemble::assemble;
    use crate::frame::store::LoadReport;
    use crate::frame::{Col, EventBatch, EventStore, Row};
    use crate::scope::ScopeOptions;
    use std::borrow::Cow;

    fn hostile_scope() -> Scope {
        let mut b = EventBatch::new("t.json");
        let evil = "AK|`x`\u{1b}]0;pwned\u{7}<img src=x>";
        for (i, (tok, asset)) in [(evil, "b/*k*|x"), (evil, "b/_y_")].iter().enumerate() {
            let mut r = Row::default();
            r.time = 1_790_000_000_000_000_000 + i as i64;
            for (c, v) in [
                (Col::Source, "cloudtrail"),
                (Col::Action, "GetObject|`"),
                (Col::Token, *tok),
                (Col::Identity, "who\n# heading"),
                (Col::SourceIp, "198.51.100.7"),
                (Col::Asset, *asset),
            ] {
                r.set(c, Some(Cow::Borrowed(v)));
            }
            r.record_hash = i as u64 + 1;
            b.push(&r);
        }
        b.finish().unwrap();
        let frame = assemble(vec![b], false).unwrap().frame;
        let store = EventStore::new(frame, Vec::new(), LoadReport::default());
        let label = |o: &str, l: u32| format!("{o}:{l}");
        let lineage = crate::entities::Lineage::build(&store.frame, &label).unwrap();
        let seed = Entity::new(EntityKind::Ip, "198.51.100.7");
        Scope::build(&store, &lineage, &[seed], &ScopeOptions::default()).unwrap()
    }

    #[test]
    fn log_text_is_inert_and_tables_keep_their_columns() {
        let md = scope_section(&hostile_scope(), TimeZone::Utc);
        assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md}");
        // Markup in log text stays inside code spans, where it is shown, not rendered.
        assert!(md.contains("\\x07<img src=x> ``"), "{md}");
        assert!(!md.contains("\n# heading"), "{md}");
        for line in md.lines().filter(|l| l.starts_with("| ")) {
            // Seven columns: eight unescaped pipes.
            let mut n = 0;
            let mut prev = ' ';
            for c in line.chars() {
                if c == '|' && prev != '\\' {
                    n += 1;
                }
                prev = c;
            }
            assert_eq!(n, 8, "{line}");
        }
        assert!(md.starts_with("## Attack scope\n"));
        assert!(md.contains("### Tokens (1)"));
        assert!(md.contains("### Assets (2)"));
        assert!(md.contains("seed"));
    }

    #[test]
    fn the_analysts_changes_are_said() {
        let s = hostile_scope();
        let drop = s.assets[0].entity();
        let md = scope_section(
            &s.with_changes(&[Entity::new(EntityKind::Ip, "192.0.2.9")], &[drop]),
            TimeZone::Utc,
        );
        assert!(md.contains("Dropped by the analyst"), "{md}");
        assert!(md.contains("Added by the analyst: `ip:192.0.2.9`"), "{md}");
        assert!(md.contains("### Assets (1)"), "{md}");
    }
}

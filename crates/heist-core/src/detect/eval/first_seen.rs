//! `first_seen` rules: walk the bundle in time order keeping, per entity (a token, an identity, a storage
//! location, or the whole bundle), the values it has been seen with. An event the query selects whose value is new
//! is a finding when the entity already had a quiet baseline: history at least `baseline` old, with at least one
//! known value. Later events with the same new value join that finding. With `settle`, a value seen only
//! recently (less than `settle` before) still counts as new: an org-wide rule should not learn the attacker's
//! network from the attacker's own first minutes in another log.
//!
//! "Network" is the IPv4 /24 or IPv6 /48 around the source IP: the logs carry no ASN, and a new /24 is the closest
//! honest proxy for "a network this key never used". Values that are not IP addresses (AWS records a service name
//! such as `lambda.amazonaws.com` when a service calls) are not networks and never count as new.

use super::{FastMap, FastSet};

use super::explain::what;
use super::{Ctx, Key, NULL};
use crate::detect::duration;
use crate::detect::finding::Finding;
use crate::detect::rule::{Attribute, FirstSeenRule, History, Rule, Scope};
use crate::detect::DetectError;
use crate::frame::Col;
use crate::util::ip;
use crate::util::time::Nanos;

/// The network around an address as logged, as findings name it (`198.51.100.0/24`, `2001:db8:1::/48`; a masked
/// `81.2.69.***` still names its /24).
pub(crate) fn network_of(ip: &str) -> Option<String> {
    ip::network_of(ip).map(|n| ip::network_label(&n))
}

/// A storage location: the asset's first `depth` path segments, with the provider's prefix removed
/// (`projects/_/buckets/B/objects/K` and `gs://B/K` read as `B/K`, `s3://B/K` as `B/K`).
pub(crate) fn location_of(asset: &str, depth: usize) -> String {
    let a = asset.trim();
    let a = a
        .strip_prefix("projects/_/buckets/")
        .map(|r| r.replacen("/objects/", "/", 1))
        .or_else(|| a.strip_prefix("gs://").map(str::to_string))
        .or_else(|| a.strip_prefix("s3://").map(str::to_string))
        .unwrap_or_else(|| a.to_string());
    let lead = a.starts_with('/');
    let parts: Vec<&str> = a.split('/').filter(|p| !p.is_empty()).take(depth).collect();
    let joined = parts.join("/");
    if lead {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Interns derived values (networks, locations) as small ids, computing each dictionary code's value once.
struct Derived {
    /// Code -> id, `UNSET` before the code was seen, `NONE` when it has no value.
    by_code: Vec<u32>,
    texts: Vec<String>,
    /// Derived from log content: a keyed (SipHash) map.
    ids: std::collections::HashMap<String, u32>,
}

const UNSET: u32 = u32::MAX;
const NONE: u32 = u32::MAX - 1;

impl Derived {
    fn new() -> Self {
        Derived {
            by_code: Vec::new(),
            texts: Vec::new(),
            ids: std::collections::HashMap::new(),
        }
    }

    fn get(
        &mut self,
        code: u32,
        text: Option<&str>,
        f: impl Fn(&str) -> Option<String>,
    ) -> Option<u32> {
        if code == NULL {
            return None;
        }
        if self.by_code.is_empty() {
            // Sized on first use: only the derivation a rule needs pays for its table.
            let n = crate::frame::assemble::cat_mapping_ref().num_cats_upper_bound();
            self.by_code = vec![UNSET; n.max(1)];
        }
        match self.by_code.get(code as usize).copied() {
            Some(NONE) => return None,
            Some(UNSET) | None => {}
            Some(id) => return Some(id),
        }
        let v = text.and_then(f).map(|s| match self.ids.get(&s) {
            Some(&id) => id,
            None => {
                let id = self.texts.len() as u32;
                self.ids.insert(s.clone(), id);
                self.texts.push(s);
                id
            }
        });
        if let Some(slot) = self.by_code.get_mut(code as usize) {
            *slot = v.unwrap_or(NONE);
        }
        v
    }
}

struct Seen {
    since: Nanos,
    /// Each known value and when it was first seen.
    known: FastMap<u32, Nanos>,
    /// The first known values, for the explanation.
    examples: Vec<u32>,
}

struct Hit {
    entity: u64,
    value: u32,
    rows: Vec<u32>,
    history: Nanos,
    known: usize,
    examples: Vec<u32>,
}

pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    f: &FirstSeenRule,
) -> Result<Vec<Finding>, DetectError> {
    let cand = ctx.rows(&f.query)?;
    if cand.is_empty() {
        return Ok(Vec::new());
    }
    let token = ctx.codes(Col::Token)?;
    let identity = ctx.codes(Col::Identity)?;
    let asset = ctx.codes(Col::Asset)?;
    let attr_col = match f.attribute {
        Attribute::Ip | Attribute::Network => Col::SourceIp,
        Attribute::UserAgent => Col::UserAgent,
        Attribute::Region => Col::Region,
        Attribute::Identity => Col::Identity,
        Attribute::Role => Col::Issuer,
        Attribute::Token => Col::Token,
    };
    let attr: Vec<u32> = if f.attribute == Attribute::Role {
        let issuer = ctx.codes(Col::Issuer)?;
        issuer
            .iter()
            .zip(identity)
            .map(|(&i, &id)| if i != NULL { i } else { id })
            .collect()
    } else {
        ctx.codes(attr_col)?.to_vec()
    };
    let joins = ctx.joins()?;
    let mut networks = Derived::new();
    let mut ips = Derived::new();
    let mut locations = Derived::new();

    let mut value_of = |r: usize| -> Option<u32> {
        let c = attr[r];
        match f.attribute {
            Attribute::Network => networks.get(c, ctx.text(c), network_of),
            Attribute::Ip => ips.get(c, ctx.text(c), |s| {
                ip::parse_lenient(s).map(|_| s.to_string())
            }),
            _ => (c != NULL).then_some(c),
        }
    };
    let mut entity_of = |r: usize| -> Option<u64> {
        let code = match f.entity {
            Scope::Token => token[r],
            Scope::Identity => identity[r],
            Scope::Principal => {
                return joins.principal(identity[r], token[r]).map(|k| match k.col {
                    Col::Token => k.code as u64,
                    _ => (1u64 << 32) | k.code as u64,
                });
            }
            Scope::Asset => asset[r],
            Scope::Location => {
                let c = asset[r];
                return locations
                    .get(c, ctx.text(c), |s| Some(location_of(s, f.depth)))
                    .map(u64::from);
            }
            Scope::Any => return Some(0),
        };
        (code != NULL).then_some(code as u64)
    };

    // With every event as history, only the entities some candidate names need one.
    let tracked: Option<FastSet<u64>> = match f.history {
        History::All => Some(cand.iter().filter_map(|&r| entity_of(r as usize)).collect()),
        History::Query => None,
    };
    // An event from the organisation's usual networks (the office, the VPN) brings nothing new, when asked.
    let is_usual = |ri: usize| {
        f.unless_usual > 0
            && ctx
                .is_from_usual_network(ri as u32, f.unless_usual)
                .unwrap_or(false)
    };
    // Addresses the identity signed in from in a way that vouches for it (a console sign-in with MFA).
    let signed_in: FastMap<(u32, u32), Vec<Nanos>> = match &f.unless_signed_in {
        None => FastMap::default(),
        Some(q) => {
            let ips = ctx.codes(Col::SourceIp)?;
            let mut m: FastMap<(u32, u32), Vec<Nanos>> = FastMap::default();
            for &r in ctx.rows(q)?.iter() {
                let r = r as usize;
                if identity[r] != NULL && ips[r] != NULL {
                    m.entry((identity[r], ips[r]))
                        .or_default()
                        .push(ctx.times[r]);
                }
            }
            m
        }
    };
    let source_ip = ctx.codes(Col::SourceIp)?;
    let is_vouched = |ri: usize| {
        signed_in
            .get(&(identity[ri], source_ip[ri]))
            .is_some_and(|ts| {
                ts.iter()
                    .any(|&t| (t - ctx.times[ri]).abs() <= duration::DAY)
            })
    };
    let mut seen: FastMap<u64, Seen> = FastMap::default();
    let mut hits: Vec<Hit> = Vec::new();
    let mut open: FastMap<(u64, u32), usize> = FastMap::default();
    let mut with_hits: FastSet<u64> = FastSet::default();
    let mut visit = |r: u32, is_cand: bool, is_hist: bool| {
        let ri = r as usize;
        let Some(e) = entity_of(ri) else { return };
        if tracked.as_ref().is_some_and(|t| !t.contains(&e)) {
            return;
        }
        // An entity past `max_known` never fires again and learns nothing more: only its open findings still
        // collect events.
        let roaming = f
            .max_known
            .is_some_and(|m| seen.get(&e).is_some_and(|s| s.known.len() > m));
        if roaming && !(is_cand && with_hits.contains(&e)) {
            return;
        }
        let v = value_of(ri);
        let t = ctx.times[ri];
        if is_cand {
            if let Some(v) = v {
                if let Some(&h) = open.get(&(e, v)) {
                    hits[h].rows.push(r);
                } else if let Some(s) = seen.get(&e) {
                    let settled = s.known.get(&v).is_some_and(|&t0| t - t0 >= f.settle);
                    let stable = f.max_known.is_none_or(|m| s.known.len() <= m);
                    if !settled
                        && !s.known.is_empty()
                        && stable
                        && t - s.since >= f.baseline
                        && !is_usual(ri)
                        && !is_vouched(ri)
                    {
                        open.insert((e, v), hits.len());
                        with_hits.insert(e);
                        hits.push(Hit {
                            entity: e,
                            value: v,
                            rows: vec![r],
                            history: t - s.since,
                            known: s.known.len(),
                            examples: s.examples.clone(),
                        });
                    }
                }
            }
        }
        if is_hist && !roaming {
            let s = seen.entry(e).or_insert_with(|| Seen {
                since: t,
                known: FastMap::default(),
                examples: Vec::new(),
            });
            if let Some(v) = v {
                if let std::collections::hash_map::Entry::Vacant(slot) = s.known.entry(v) {
                    slot.insert(t);
                    if s.examples.len() < 3 {
                        s.examples.push(v);
                    }
                }
            }
        }
    };
    match f.history {
        History::Query => cand.iter().for_each(|&r| visit(r, true, true)),
        History::All => {
            let mut next = cand.iter().peekable();
            for r in 0..ctx.n as u32 {
                let is_cand = next.peek().is_some_and(|&&c| c == r);
                if is_cand {
                    next.next();
                }
                visit(r, is_cand, true);
            }
        }
    }

    let value_text = |v: u32| -> String {
        match f.attribute {
            Attribute::Network => networks.texts.get(v as usize).cloned().unwrap_or_default(),
            Attribute::Ip => ips.texts.get(v as usize).cloned().unwrap_or_default(),
            _ => ctx.text(v).unwrap_or("").to_string(),
        }
    };
    let mut out = Vec::new();
    for h in &hits {
        let first = h.rows[0] as usize;
        let scope_key = |col: Col| Key {
            col,
            code: (h.entity & 0xffff_ffff) as u32,
        };
        let (main, subject) = match f.entity {
            Scope::Token => (Some(scope_key(Col::Token)), None),
            Scope::Identity => (Some(scope_key(Col::Identity)), None),
            Scope::Asset => (Some(scope_key(Col::Asset)), None),
            Scope::Principal if h.entity >> 32 == 0 => (Some(scope_key(Col::Token)), None),
            Scope::Principal => (Some(scope_key(Col::Identity)), None),
            Scope::Location => (
                Some(Key {
                    col: attr_col,
                    code: attr[first],
                })
                .filter(|k| k.code != NULL),
                Some(format!(
                    "location {}",
                    locations
                        .texts
                        .get(h.entity as usize)
                        .map(String::as_str)
                        .unwrap_or("")
                )),
            ),
            Scope::Any => (
                Some(Key {
                    col: attr_col,
                    code: attr[first],
                })
                .filter(|k| k.code != NULL),
                Some(String::new()),
            ),
        };
        let subject = match (subject, main) {
            (Some(s), _) => s,
            (None, Some(k)) => super::explain::who(ctx, k, &h.rows)?,
            (None, None) => String::new(),
        };
        let value = value_text(h.value);
        let raw = ctx.text(attr[first]).unwrap_or("");
        let shown = if f.attribute == Attribute::Network && raw != value {
            format!("{value} ({raw})")
        } else {
            value
        };
        let phrase = match f.attribute {
            Attribute::Ip | Attribute::Network => {
                format!("from new {} {shown}", f.attribute.name())
            }
            Attribute::UserAgent => format!("with new user agent {shown}"),
            Attribute::Region => format!("in new region {shown}"),
            Attribute::Identity => format!("by new identity {shown}"),
            Attribute::Role => format!("by new role {shown}"),
            Attribute::Token => format!("with new token {shown}"),
        };
        let examples: Vec<String> = h.examples.iter().map(|&v| value_text(v)).collect();
        let more = if h.known > examples.len() {
            format!(", +{} more", h.known - examples.len())
        } else {
            String::new()
        };
        let plural = if h.known == 1 { "" } else { "s" };
        let history = format!(
            "{} of history with {} known {}{plural} ({}{more})",
            duration::format(h.history),
            h.known,
            f.attribute.name(),
            examples.join(", ")
        );
        let expl = if subject.is_empty() {
            // The whole bundle's history: say so instead of naming an entity.
            format!(
                "{} {phrase}, new to the bundle after {history}",
                what(ctx, &h.rows)?
            )
        } else {
            format!(
                "{subject}: {} {phrase} after {history}",
                what(ctx, &h.rows)?
            )
        };
        out.push(ctx.finding(rule, main, &h.rows, expl)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_locations() {
        assert_eq!(
            network_of("198.51.100.77").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(
            network_of("035.249.253.232").as_deref(),
            Some("35.249.253.0/24")
        );
        assert_eq!(network_of("81.2.69.***").as_deref(), Some("81.2.69.0/24"));
        assert_eq!(
            network_of("2001:db8:1:2::5").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(network_of("lambda.amazonaws.com"), None);
        assert_eq!(network_of("AWS Internal"), None);
        assert_eq!(
            location_of("acme-models/llm-7b/ckpt/model.safetensors", 2),
            "acme-models/llm-7b"
        );
        assert_eq!(location_of("acme-models/llm-7b/x", 1), "acme-models");
        assert_eq!(
            location_of("projects/_/buckets/train/objects/a/b.jsonl", 2),
            "train/a"
        );
        assert_eq!(location_of("gs://train/a/b", 1), "train");
        assert_eq!(
            location_of("/subscriptions/s/resourceGroups/g", 2),
            "/subscriptions/s"
        );
    }
}

//! `sequence` rules: an event matching `first`, then events matching `then` by the same group (token, identity,
//! ...) within `within`. Per group, in time order: a `first` event opens (or extends) a window of `within`; `then`
//! events inside it join; the finding is the `first` events and the `then` events, when there is at least one
//! `then`. An event matching both queries counts as a `first`. With `by = "minted"`, a `first` event opens the window
//! of the credential it minted and the `then` events are that credential's: a key created, then used (a principal
//! minting a credential for itself, a key rotation, opens nothing).

use super::FastMap;

use super::explain::{what, who};
use super::{Ctx, Key, NULL};
use crate::detect::duration;
use crate::detect::finding::Finding;
use crate::detect::rule::{Group, Rule, SequenceRule};
use crate::detect::DetectError;
use crate::frame::Col;
use crate::util::time::Nanos;

struct Open {
    firsts: Vec<u32>,
    thens: Vec<u32>,
    until: Nanos,
}

pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    s: &SequenceRule,
) -> Result<Vec<Finding>, DetectError> {
    let a = ctx.rows(&s.first)?;
    let b = ctx.rows(&s.then)?;
    if a.is_empty() || b.is_empty() {
        return Ok(Vec::new());
    }
    // Merge the two ascending lists; a row in both is a `first`.
    let mut events: Vec<(u32, bool)> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            if j < b.len() && a[i] == b[j] {
                j += 1;
            }
            events.push((a[i], true));
            i += 1;
        } else {
            events.push((b[j], false));
            j += 1;
        }
    }
    let mut open: FastMap<Key, Open> = FastMap::default();
    let mut done: Vec<(Key, Open)> = Vec::new();
    for (r, is_first) in events {
        // By `minted`, a `first` opens the window of the credential it minted; `then` events are that credential's.
        let by = match (s.by, is_first) {
            (Group::Minted, false) => Group::Token,
            (g, _) => g,
        };
        let Some(k) = ctx.group_key(by, r)? else {
            continue;
        };
        // A principal minting a credential for itself is a rotation, not a credential for someone else to use.
        if is_first && s.by == Group::Minted {
            let (own, minted) = (
                ctx.codes(Col::Identity)?[r as usize],
                ctx.codes(Col::MintedIdentity)?[r as usize],
            );
            if own != NULL && own == minted {
                continue;
            }
        }
        let t = ctx.times[r as usize];
        let live = open.get(&k).is_some_and(|o| t <= o.until);
        if is_first {
            if live {
                if let Some(o) = open.get_mut(&k) {
                    o.firsts.push(r);
                    o.until = t + s.within;
                }
            } else {
                let fresh = Open {
                    firsts: vec![r],
                    thens: Vec::new(),
                    until: t + s.within,
                };
                if let Some(old) = open.insert(k, fresh) {
                    done.push((k, old));
                }
            }
        } else if live {
            if let Some(o) = open.get_mut(&k) {
                o.thens.push(r);
            }
        }
    }
    done.extend(open);
    let mut out = Vec::new();
    for (k, o) in done {
        if o.thens.is_empty() {
            continue;
        }
        let mut rows: Vec<u32> = o.firsts.iter().chain(&o.thens).copied().collect();
        rows.sort_unstable();
        let gap = ctx.times[o.thens[0] as usize] - ctx.times[o.firsts[0] as usize];
        let expl = format!(
            "{} then {} by {} within {} (limit {})",
            what(ctx, &o.firsts)?,
            what(ctx, &o.thens)?,
            who(ctx, k, &rows)?,
            duration::format(gap),
            duration::format(s.within)
        );
        out.push(ctx.finding(rule, Some(k), &rows, expl)?);
    }
    Ok(out)
}

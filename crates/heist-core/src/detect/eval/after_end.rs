//! `after_end` rules: a credential used after it was revoked (the revocation events of the token lineage:
//! DeleteAccessKey, UpdateAccessKey to Inactive, DeleteServiceAccountKey, api_key.deleted, ...), a credential minted
//! from a revoked one still in use (an STS session outlives the key that made it), or an entity active after an end
//! date the analyst set (`DetectOptions::end_dates`: the day someone left, the hour a key was rotated).

use super::FastMap;

use super::explain::{failures, from_ips, what, who};
use super::{Ctx, Key, NULL};
use crate::detect::duration;
use crate::detect::finding::Finding;
use crate::detect::rule::{AfterEndRule, EndOf, Rule};
use crate::detect::{DetectError, DetectOptions};
use crate::frame::Col;
use crate::util::time::{format_utc, Nanos};

/// When an entity's legitimate use ended, and the words that say why.
struct End {
    at: Nanos,
    why: String,
}

pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    a: &AfterEndRule,
    opts: &DetectOptions,
) -> Result<Vec<Finding>, DetectError> {
    let mut ends: FastMap<Key, End> = FastMap::default();
    let mut put = |k: Key, e: End| match ends.get(&k) {
        Some(old) if old.at <= e.at => {}
        _ => {
            ends.insert(k, e);
        }
    };
    match a.of {
        EndOf::Revocation | EndOf::RevokedParent => {
            let lineage = ctx.lineage()?;
            let kinds = if a.of == EndOf::RevokedParent {
                token_kinds(ctx)?
            } else {
                std::collections::HashMap::new()
            };
            for rev in &lineage.revocations {
                let by = rev
                    .by_identity
                    .as_deref()
                    .map(|i| format!(" by {i}"))
                    .unwrap_or_default();
                let when = format_utc(rev.event.time);
                if a.of == EndOf::Revocation {
                    if let Some(code) = ctx.code_of(&rev.token) {
                        put(
                            Key {
                                col: Col::Token,
                                code,
                            },
                            End {
                                at: rev.event.time,
                                why: format!("its revocation at {when} ({}{by})", rev.event.action),
                            },
                        );
                    }
                } else {
                    for child in lineage.descendant_tokens(&rev.token) {
                        // A key its owner made to replace the revoked one is a rotation: the new key is meant to
                        // outlive the old. Sessions (and keys made for someone else) are what revoking leaves open.
                        let rotation = lineage.minted(&child).any(|m| {
                            m.parent_identity.is_some() && m.parent_identity == m.child_identity
                        }) && kinds
                            .get(child.as_str())
                            .is_some_and(|k| *k == crate::frame::schema::token_kind::LONG_TERM);
                        if rotation {
                            continue;
                        }
                        if let Some(code) = ctx.code_of(&child) {
                            put(
                                Key { col: Col::Token, code },
                                End {
                                    at: rev.event.time,
                                    why: format!(
                                        "the revocation of {}, which it was minted from, at {when} ({}{by})",
                                        rev.token, rev.event.action
                                    ),
                                },
                            );
                        }
                    }
                }
            }
        }
        EndOf::EndDate => {
            for (entity, at) in &opts.end_dates {
                let col = entity.kind.col();
                if let Some(code) = ctx.code_of(&entity.name) {
                    put(
                        Key { col, code },
                        End {
                            at: *at,
                            why: format!("its end date {}", format_utc(*at)),
                        },
                    );
                }
            }
        }
    }
    if ends.is_empty() {
        return Ok(Vec::new());
    }
    // One pass per column that has ends.
    let mut after: FastMap<Key, Vec<u32>> = FastMap::default();
    let mut cols: Vec<Col> = ends.keys().map(|k| k.col).collect();
    cols.sort();
    cols.dedup();
    for col in cols {
        let codes = ctx.codes(col)?;
        for (r, &c) in codes.iter().enumerate() {
            if c == NULL {
                continue;
            }
            let k = Key { col, code: c };
            if let Some(e) = ends.get(&k) {
                if ctx.times[r] > e.at + a.grace {
                    after.entry(k).or_default().push(r as u32);
                }
            }
        }
    }
    let mut keys: Vec<Key> = after.keys().copied().collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        let rows = &after[&k];
        let Some(e) = ends.get(&k) else { continue };
        let first_gap = ctx.times[rows[0] as usize] - e.at;
        let expl = format!(
            "{} used {} after {}: {}{}{}",
            who(ctx, k, rows)?,
            duration::format(first_gap),
            e.why,
            what(ctx, rows)?,
            from_ips(ctx, rows)?,
            failures(ctx, rows)?
        );
        out.push(ctx.finding(rule, Some(k), rows, expl)?);
    }
    Ok(out)
}

/// Each token's kind (`long_term`, `session`, ...), as its first event names it.
fn token_kinds<'a>(
    ctx: &'a Ctx<'_>,
) -> Result<std::collections::HashMap<&'a str, &'a str>, DetectError> {
    let (token, kind) = (ctx.codes(Col::Token)?, ctx.codes(Col::TokenKind)?);
    let mut out = std::collections::HashMap::new();
    for (&t, &k) in token.iter().zip(kind) {
        if let (Some(t), Some(k)) = (ctx.text(t), ctx.text(k)) {
            out.entry(t).or_insert(k);
        }
    }
    Ok(out)
}

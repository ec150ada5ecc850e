//! Pieces of the one-line explanations: counts with separators, what the events were, how many failed, sizes.

use super::FastMap;

use super::{Ctx, NULL};
use crate::detect::DetectError;
use crate::frame::Col;

pub(crate) use crate::util::num::{bytes, thousands};

/// A measure value: whole numbers with separators, fractions with one or two digits.
pub(crate) fn number(v: f64) -> String {
    if v >= 100.0 || v.fract() == 0.0 {
        thousands(v.round().max(0.0) as u64)
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Distinct values of `col` among `rows`, most frequent first (ties by text).
pub(crate) fn tally(
    ctx: &Ctx<'_>,
    col: Col,
    rows: &[u32],
) -> Result<Vec<(&'static str, usize)>, DetectError> {
    let codes = ctx.codes(col)?;
    let mut n: FastMap<u32, usize> = FastMap::default();
    for &r in rows {
        let c = codes[r as usize];
        if c != NULL {
            *n.entry(c).or_default() += 1;
        }
    }
    let mut v: Vec<(&'static str, usize)> = n
        .into_iter()
        .filter_map(|(c, k)| ctx.text(c).map(|t| (t, k)))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Ok(v)
}

/// `4 GetObject`, or `5 events (2 GetObject, ListBuckets, AssumeRole, +1 more)`. Counts calls: the records of one
/// call in two sources (joined by request id) count once.
pub(crate) fn what(ctx: &Ctx<'_>, rows: &[u32]) -> Result<String, DetectError> {
    let rows = &ctx.calls(rows)?;
    let t = tally(ctx, Col::Action, rows)?;
    let n = thousands(rows.len() as u64);
    Ok(match t.as_slice() {
        [] => format!("{n} events"),
        [(a, _)] => format!("{n} {a}"),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(3)
                .map(|(a, k)| {
                    if *k > 1 {
                        format!("{} {a}", thousands(*k as u64))
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let more = if many.len() > 3 {
                format!(", +{} more", many.len() - 3)
            } else {
                String::new()
            };
            format!("{n} events ({}{more})", shown.join(", "))
        }
    })
}

/// `; 1 failed (AccessDenied)`, `; all 3 failed (AccessDenied)`, or nothing when every event succeeded.
pub(crate) fn failures(ctx: &Ctx<'_>, rows: &[u32]) -> Result<String, DetectError> {
    let rows = &ctx.calls(rows)?;
    let outcome = ctx.codes(Col::Outcome)?;
    let failure = ctx.code_of(crate::frame::schema::outcome::FAILURE);
    let failed: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&r| failure.is_some() && Some(outcome[r as usize]) == failure)
        .collect();
    if failed.is_empty() {
        return Ok(String::new());
    }
    let codes = tally(ctx, Col::ErrorCode, &failed)?;
    let why = match codes.first() {
        Some((c, _)) if codes.len() == 1 => format!(" ({c})"),
        Some((c, _)) => format!(" ({c}, +{} more)", codes.len() - 1),
        None => String::new(),
    };
    let n = thousands(failed.len() as u64);
    Ok(if failed.len() == rows.len() && rows.len() > 1 {
        format!("; all {n} failed{why}")
    } else if failed.len() == rows.len() {
        format!("; failed{why}")
    } else {
        format!("; {n} failed{why}")
    })
}

/// ` from 198.51.100.77` or ` from 3 IPs` (nothing when no event names an IP).
pub(crate) fn from_ips(ctx: &Ctx<'_>, rows: &[u32]) -> Result<String, DetectError> {
    let t = tally(ctx, Col::SourceIp, rows)?;
    Ok(match t.as_slice() {
        [] => String::new(),
        [(ip, _)] => format!(" from {ip}"),
        many => format!(" from {} IPs", many.len()),
    })
}

/// ` on acme-models/x` or ` on 4 assets` (nothing when no event names an asset).
pub(crate) fn on_assets(ctx: &Ctx<'_>, rows: &[u32]) -> Result<String, DetectError> {
    let t = tally(ctx, Col::Asset, rows)?;
    Ok(match t.as_slice() {
        [] => String::new(),
        [(a, _)] => format!(" on {a}"),
        many => format!(" on {} assets", thousands(many.len() as u64)),
    })
}

/// `token AKIA... (arn:aws:iam::1:user/ci)`: the group entity, with the identity behind a token when the events
/// name exactly one.
pub(crate) fn who(ctx: &Ctx<'_>, key: super::Key, rows: &[u32]) -> Result<String, DetectError> {
    let name = ctx.key_text(key);
    let mut s = format!("{} {name}", super::kind_of(key.col));
    if key.col == Col::Token {
        let ids = tally(ctx, Col::Identity, rows)?;
        if let [(id, _)] = ids.as_slice() {
            if *id != name {
                s += &format!(" ({id})");
            }
        }
    }
    Ok(s)
}

/// `5 distinct actions (GetCallerIdentity, ListBuckets, ListRoles, +2 more)`.
pub(crate) fn distinct(ctx: &Ctx<'_>, col: Col, rows: &[u32]) -> Result<String, DetectError> {
    let t = tally(ctx, col, rows)?;
    let noun = match col {
        Col::SourceIp => "IPs".to_string(),
        Col::UserAgent => "user agents".to_string(),
        Col::Identity => "identities".to_string(),
        c => format!("{}s", c.name().replace('_', " ")),
    };
    let mut shown: Vec<&str> = t.iter().take(3).map(|(v, _)| *v).collect();
    shown.sort_unstable();
    let more = if t.len() > 3 {
        format!(", +{} more", t.len() - 3)
    } else {
        String::new()
    };
    Ok(format!(
        "{} distinct {noun} ({}{more})",
        thousands(t.len() as u64),
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(4.0), "4");
        assert_eq!(number(0.163), "0.16");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(1800.4), "1,800");
    }
}

//! `match` rules: every event the query selects is suspicious on its own. Events of the same group (principal,
//! identity, ...) that follow each other within `merge` are one finding, so a key listed ten times in a minute
//! reads as one line with the count.

use super::explain::{failures, from_ips, on_assets, tally, what, who};
use super::{Ctx, FastMap, Key, NULL};
use crate::detect::finding::Finding;
use crate::detect::rule::{DiffField, MatchRule, Rule, SharedIp};
use crate::detect::DetectError;
use crate::frame::Col;

/// The account id an identity belongs to: the fifth field of an AWS ARN, the project of a GCP service account.
pub(crate) fn identity_account(identity: &str) -> Option<&str> {
    if identity.starts_with("arn:") {
        return identity.split(':').nth(4).filter(|a| !a.is_empty());
    }
    let (_, domain) = identity.split_once('@')?;
    domain.strip_suffix(".iam.gserviceaccount.com")
}

/// The name at the end of an ARN or path: after the last `/`, else after the last `:` (`user/alice` is alice,
/// `assumed-role/admin/alice` is alice, `arn:aws:iam::1:root` is root).
pub(crate) fn last_name(value: &str) -> Option<&str> {
    let v = value.trim_end_matches('/');
    let tail = match v.rsplit_once('/') {
        Some((_, t)) => t,
        None => v.rsplit_once(':').map_or(v, |(_, t)| t),
    };
    (!tail.is_empty()).then_some(tail)
}

fn diff_value(ctx: &Ctx<'_>, f: DiffField, row: u32) -> Result<Option<&'static str>, DetectError> {
    Ok(match f {
        DiffField::Col(c) => ctx.text(ctx.codes(c)?[row as usize]),
        DiffField::IdentityAccount => ctx
            .text(ctx.codes(Col::Identity)?[row as usize])
            .and_then(identity_account),
        DiffField::Name(c) => ctx.text(ctx.codes(c)?[row as usize]).and_then(last_name),
    })
}

/// The rows whose source IP another identity's `with` events also came from, within `within` of one of them; with,
/// for each kept row, one such event (for the explanation).
fn shared_ip_rows(
    ctx: &Ctx<'_>,
    s: &SharedIp,
    rows: &[u32],
) -> Result<Vec<(u32, u32)>, DetectError> {
    let ip = ctx.codes(Col::SourceIp)?;
    let identity = ctx.codes(Col::Identity)?;
    let with = ctx.rows(&s.with)?;
    // The `with` events by address, in time order.
    let mut by_ip: FastMap<u32, Vec<u32>> = FastMap::default();
    for &w in with.iter() {
        if ip[w as usize] != NULL {
            by_ip.entry(ip[w as usize]).or_default().push(w);
        }
    }
    let mut out = Vec::new();
    for &r in rows {
        let Some(others) = by_ip.get(&ip[r as usize]) else {
            continue;
        };
        let t = ctx.times[r as usize];
        let near = others.iter().copied().find(|&w| {
            identity[w as usize] != identity[r as usize]
                && (ctx.times[w as usize] - t).unsigned_abs() <= s.within.unsigned_abs()
        });
        if let Some(w) = near {
            out.push((r, w));
        }
    }
    Ok(out)
}

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, m: &MatchRule) -> Result<Vec<Finding>, DetectError> {
    let mut rows: Vec<u32> = ctx.rows(&m.query)?.as_ref().clone();
    let mut shared_with: FastMap<u32, u32> = FastMap::default();
    if let Some(s) = &m.shared_ip {
        let kept = shared_ip_rows(ctx, s, &rows)?;
        rows = kept.iter().map(|&(r, _)| r).collect();
        shared_with = kept.into_iter().collect();
    }
    let mut selected: Vec<u32> = Vec::with_capacity(rows.len());
    for &r in rows.iter() {
        if let Some((a, b)) = m.differ {
            match (diff_value(ctx, a, r)?, diff_value(ctx, b, r)?) {
                (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y) => {}
                _ => continue,
            }
        }
        selected.push(r);
    }
    // Group; events that name no group entity form one group of their own.
    let mut groups: Vec<(Option<Key>, Vec<u32>)> = Vec::new();
    for &r in &selected {
        let k = ctx.group_key(m.group, r)?;
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(r),
            None => groups.push((k, vec![r])),
        }
    }
    let mut out = Vec::new();
    for (key, rows) in groups {
        let mut start = 0;
        for i in 1..=rows.len() {
            let split = i == rows.len()
                || ctx.times[rows[i] as usize] - ctx.times[rows[i - 1] as usize] > m.merge;
            if split {
                let part = &rows[start..i];
                let why = explain(ctx, m, key, part, &shared_with)?;
                out.push(ctx.finding(rule, key, part, why)?);
                start = i;
            }
        }
    }
    Ok(out)
}

fn explain(
    ctx: &Ctx<'_>,
    m: &MatchRule,
    key: Option<Key>,
    rows: &[u32],
    shared_with: &FastMap<u32, u32>,
) -> Result<String, DetectError> {
    let mut s = what(ctx, rows)?;
    match key {
        Some(k) => s += &format!(" by {}", who(ctx, k, rows)?),
        None => s += " by an unnamed caller",
    }
    if let Some((_, b)) = m.differ {
        // The target as logged: a compared name is shown with the value it ends.
        let shown = match b {
            DiffField::Name(c) => DiffField::Col(c),
            other => other,
        };
        let mut targets: Vec<&str> = Vec::new();
        for &r in rows {
            if let Some(t) = diff_value(ctx, shown, r)? {
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
        }
        match targets.as_slice() {
            [one] => s += &format!(" for {one}"),
            many if many.len() > 1 => s += &format!(" for {} others", many.len()),
            _ => {}
        }
    }
    let minted = tally(ctx, Col::MintedToken, rows)?;
    match minted.as_slice() {
        [] => {}
        [(t, _)] => s += &format!(", minting {t}"),
        many => s += &format!(", minting {} credentials", many.len()),
    }
    if !rows.iter().any(|&r| {
        ctx.codes(Col::MintedToken)
            .is_ok_and(|c| c[r as usize] != NULL)
    }) {
        s += &on_assets(ctx, rows)?;
    }
    s += &from_ips(ctx, rows)?;
    if let Some(&w) = rows.first().and_then(|r| shared_with.get(r)) {
        let other = ctx
            .group_key(crate::detect::rule::Group::Principal, w)?
            .map(|k| who(ctx, k, &[w]))
            .transpose()?;
        if let Some(o) = other {
            s += &format!(", an address {o} also used");
        }
    }
    if let Some(&r) = rows.first() {
        if let Some(shown) = ctx.raw_evidence(&m.query, r)? {
            s += &format!(" ({shown})");
        }
    }
    s += &failures(ctx, rows)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::{identity_account, last_name};

    #[test]
    fn names_at_the_end_of_arns() {
        assert_eq!(last_name("arn:aws:iam::1:user/alice"), Some("alice"));
        assert_eq!(last_name("arn:aws:iam::1:user/dev/alice"), Some("alice"));
        assert_eq!(
            last_name("arn:aws:sts::1:assumed-role/IAM/alice"),
            Some("alice")
        );
        assert_eq!(last_name("arn:aws:iam::1:root"), Some("root"));
        assert_eq!(last_name("alice"), Some("alice"));
        assert_eq!(last_name(""), None);
    }

    #[test]
    fn accounts_from_identities() {
        assert_eq!(
            identity_account("arn:aws:iam::111122223333:user/alice"),
            Some("111122223333")
        );
        assert_eq!(
            identity_account("arn:aws:sts::444455556666:assumed-role/r/s"),
            Some("444455556666")
        );
        assert_eq!(
            identity_account("ci@proj-1.iam.gserviceaccount.com"),
            Some("proj-1")
        );
        assert_eq!(identity_account("alice@example.com"), None);
        assert_eq!(identity_account("arn:aws:s3:::bucket"), None);
    }
}

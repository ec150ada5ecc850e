//! `match` rules: every event the query selects is suspicious on its own. Events of the same group (principal,
//! identity, ...) that follow each other within `merge` are one finding, so a key listed ten times in a minute
//! reads as one line with the count.

use super::explain::{failures, from_ips, on_assets, tally, what, who};
use super::{Ctx, Key, NULL};
use crate::detect::finding::Finding;
use crate::detect::rule::{DiffField, MatchRule, Rule};
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

fn diff_value(ctx: &Ctx<'_>, f: DiffField, row: u32) -> Result<Option<&'static str>, DetectError> {
    Ok(match f {
        DiffField::Col(c) => ctx.text(ctx.codes(c)?[row as usize]),
        DiffField::IdentityAccount => ctx
            .text(ctx.codes(Col::Identity)?[row as usize])
            .and_then(identity_account),
    })
}

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, m: &MatchRule) -> Result<Vec<Finding>, DetectError> {
    let rows = ctx.rows(&m.query)?;
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
                out.push(ctx.finding(rule, key, part, explain(ctx, m, key, part)?)?);
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
) -> Result<String, DetectError> {
    let mut s = what(ctx, rows)?;
    match key {
        Some(k) => s += &format!(" by {}", who(ctx, k, rows)?),
        None => s += " by an unnamed caller",
    }
    if let Some((_, b)) = m.differ {
        let mut targets: Vec<&str> = Vec::new();
        for &r in rows {
            if let Some(t) = diff_value(ctx, b, r)? {
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
    s += &failures(ctx, rows)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::identity_account;

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

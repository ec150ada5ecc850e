//! The comparison's model: two entities side by side. A heading per side (calls, failures, first and last seen,
//! sources), then per facet (IPs, actions, assets, tokens, identities, user agents) two columns: each side's
//! values, the ones both have first (`=`), then the ones only it has (`+`), with their calls. Every string
//! neutralised and fitted to its column.

use heist_core::entities::{Comparison, FacetDiff, Profile};
use heist_core::util::num::thousands;
use heist_core::util::time::fmt_time;

use super::text::{clean, fit, fit_id, pad};
use crate::app::state::AppState;

/// How a line of the comparison is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareLine {
    Heading,
    Section,
    Row,
    Hint,
}

/// Values shown per facet and side before `… N more`.
pub const PER_FACET: usize = 8;

pub struct CompareVm {
    pub title: String,
    pub lines: Vec<(CompareLine, String)>,
}

/// The comparison for an overlay `width` columns wide.
pub fn compare_view(s: &AppState, width: usize) -> CompareVm {
    let title = match &s.compare.pair {
        Some((a, b)) => fit(
            &format!(
                " Compare {} {} with {} {} · j/k scroll · any other key closes ",
                a.kind,
                clean(&a.name),
                b.kind,
                clean(&b.name)
            ),
            width,
            false,
        ),
        None => " Compare ".into(),
    };
    let hint = |t: String| CompareVm {
        title: title.clone(),
        lines: vec![(CompareLine::Hint, fit(&t, width, false))],
    };
    match &s.compare.result {
        None => hint("comparing…".into()),
        Some(Err(e)) => hint(format!("the comparison failed: {}", clean(e))),
        Some(Ok(c)) => CompareVm {
            title: title.clone(),
            lines: lines(c, s, width),
        },
    }
}

fn lines(c: &Comparison, s: &AppState, width: usize) -> Vec<(CompareLine, String)> {
    // Two columns with a three-column gutter.
    let col = width.saturating_sub(3) / 2;
    let two =
        |l: &str, r: &str| format!("{}   {}", pad(&fit(l, col, false), col), fit(r, col, false));
    let mut out = Vec::new();
    let sides = [&c.a, &c.b];
    let heads: Vec<Vec<String>> = sides
        .iter()
        .zip(["A", "B"])
        .map(|(p, label)| heading(p, label, s, col))
        .collect();
    for i in 0..heads[0].len().max(heads[1].len()) {
        let get = |h: &Vec<String>| h.get(i).cloned().unwrap_or_default();
        out.push((CompareLine::Heading, two(&get(&heads[0]), &get(&heads[1]))));
    }
    for d in c.facets.iter().filter(|d| !d.is_empty()) {
        out.push((CompareLine::Row, String::new()));
        out.push((
            CompareLine::Section,
            fit(
                &format!(
                    "{} · {} shared · {} only A · {} only B",
                    d.facet.label(),
                    d.shared.len(),
                    d.only_a.len(),
                    d.only_b.len()
                ),
                width,
                false,
            ),
        ));
        let (left, right) = (side(d, true, col), side(d, false, col));
        for i in 0..left.len().max(right.len()) {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            out.push((CompareLine::Row, two(&get(&left), &get(&right))));
        }
    }
    out
}

fn heading(p: &Profile, label: &str, s: &AppState, col: usize) -> Vec<String> {
    let when = |t: Option<i64>| t.map(|t| fmt_time(t, s.tz)).unwrap_or_else(|| "—".into());
    vec![
        format!(
            "{label} {} {}",
            p.entity.kind,
            fit_id(&clean(&p.entity.name), col.saturating_sub(10))
        ),
        format!(
            "  {} calls, {} failed",
            thousands(p.calls),
            thousands(p.failures)
        ),
        format!("  first {}", when(p.first_seen)),
        format!("  last  {}", when(p.last_seen)),
        format!("  from  {}", clean(&p.sources.join(", "))),
    ]
}

/// One side of a facet: shared values (`=`) then its own (`+`), each with its calls, and what is left counted.
fn side(d: &FacetDiff, a: bool, col: usize) -> Vec<String> {
    let shared = d
        .shared
        .iter()
        .map(|(v, x, y)| ('=', v, if a { *x } else { *y }));
    let own = if a { &d.only_a } else { &d.only_b };
    let all: Vec<(char, &String, u64)> = shared
        .chain(own.iter().map(|(v, n)| ('+', v, *n)))
        .collect();
    let mut out: Vec<String> = all
        .iter()
        .take(PER_FACET)
        .map(|(mark, v, n)| {
            let count = format!("{:>7}", thousands(*n));
            let room = col.saturating_sub(count.len() + 3);
            format!("{mark} {count} {}", fit_id(&clean(v), room))
        })
        .collect();
    if all.len() > PER_FACET {
        out.push(format!(
            "  … {} more",
            thousands((all.len() - PER_FACET) as u64)
        ));
    }
    out
}

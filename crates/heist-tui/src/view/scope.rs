//! The scope view's model: the attack scope's entities by kind, each with its calls, access and the steps that
//! put it in scope, then the entities the analyst dropped. Every string neutralised and fitted to the width.

use heist_core::scope::text::{access_text, volume_text, why_text};
use heist_core::util::time::fmt_time;

use super::text::{clean, fit};
use crate::app::scope::{ScopeViewState, KIND_ORDER};
use crate::app::state::AppState;

/// How a line of the scope view is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeLine {
    Section,
    Item,
    Selected,
    Detail,
    Hint,
}

pub struct ScopeVm {
    pub title: String,
    pub lines: Vec<(ScopeLine, String)>,
    /// First line to show so the selected entity and its steps are in view.
    pub scroll: usize,
}

fn kind_title(k: heist_core::entities::EntityKind) -> &'static str {
    use heist_core::entities::EntityKind;
    match k {
        EntityKind::Token => "Tokens",
        EntityKind::Identity => "Identities",
        EntityKind::Ip => "IPs",
        EntityKind::Asset => "Assets",
    }
}

/// The scope view, `height` rows of `width` columns.
pub fn scope_view(s: &AppState, sv: &ScopeViewState, height: usize, width: usize) -> ScopeVm {
    let seeds: Vec<String> = s
        .scope
        .seeds
        .iter()
        .map(|e| clean(&e.to_string()))
        .collect();
    let title = fit(
        &format!(
            " Scope of {} · enter pivots · d drops / restores · esc closes ",
            seeds.join(", ")
        ),
        width,
        false,
    );
    let hint = |t: &str| ScopeVm {
        title: title.clone(),
        lines: vec![(ScopeLine::Hint, t.to_string())],
        scroll: 0,
    };
    if let Some(e) = &s.scope.error {
        return hint(&format!("the scope could not be computed: {}", clean(e)));
    }
    let Some(scope) = &s.scope.shown else {
        return hint("computing the scope…");
    };
    let tz = s.tz;
    let w = width.saturating_sub(1);
    let mut lines: Vec<(ScopeLine, String)> = Vec::new();
    let mut summary = format!(
        "{} calls · {} tokens, {} identities, {} IPs, {} assets",
        scope.events,
        scope.tokens.len(),
        scope.identities.len(),
        scope.ips.len(),
        scope.assets.len()
    );
    if s.scope.computing {
        summary += " · recomputing…";
    }
    lines.push((ScopeLine::Hint, fit(&summary, w, false)));
    for n in &scope.usual_networks {
        let t = format!(
            "not followed: usual network {} ({} identities before the window): {}",
            n.network,
            n.identities,
            n.ips.join(", ")
        );
        lines.push((ScopeLine::Hint, fit(&clean(&t), w, false)));
    }
    for n in &scope.notes {
        lines.push((ScopeLine::Hint, fit(&clean(n), w, false)));
    }
    let mut row = 0usize;
    let mut selected_at = (0usize, 0usize);
    for k in KIND_ORDER {
        let list = scope.of_kind(k);
        if list.is_empty() {
            continue;
        }
        lines.push((
            ScopeLine::Section,
            format!("{} ({})", kind_title(k), list.len()),
        ));
        for e in list {
            let start = lines.len();
            let kind = if row == sv.sel {
                ScopeLine::Selected
            } else {
                ScopeLine::Item
            };
            lines.push((kind, fit(&format!("  {}", clean(&e.name)), w, false)));
            let mut facts = vec![volume_text(e)];
            let a = access_text(e);
            if !a.is_empty() {
                facts.push(a);
            }
            if let Some(f) = e.first {
                facts.push(format!("from {}", fmt_time(f, tz)));
            }
            lines.push((
                ScopeLine::Detail,
                fit(&format!("      {}", facts.join(" · ")), w, false),
            ));
            for why in &e.why {
                let t = format!("      ← {}", clean(&why_text(why, tz)));
                lines.push((ScopeLine::Detail, fit(&t, w, false)));
            }
            if row == sv.sel {
                selected_at = (start, lines.len());
            }
            row += 1;
        }
    }
    let dropped = s.case().map(|c| c.scope.dropped()).unwrap_or_default();
    if !dropped.is_empty() {
        lines.push((
            ScopeLine::Section,
            format!("Dropped by the analyst ({})", dropped.len()),
        ));
        for e in dropped {
            let start = lines.len();
            let kind = if row == sv.sel {
                ScopeLine::Selected
            } else {
                ScopeLine::Item
            };
            lines.push((kind, fit(&format!("  {}", clean(&e.to_string())), w, false)));
            if row == sv.sel {
                selected_at = (start, lines.len());
            }
            row += 1;
        }
    }
    // Keep the selected entity and its steps on screen.
    let (a, b) = selected_at;
    let scroll = if b > height {
        a.min(b - height.max(1))
    } else {
        0
    };
    ScopeVm {
        title,
        lines,
        scroll,
    }
}

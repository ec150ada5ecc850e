//! The status bar's view model (trail, filter, counts, time zone, the case's and the findings' state, fitted to the
//! terminal's width) and the loading screen's numbers.

use heist_core::ingest::progress::Snapshot;
use heist_core::util::num::thousands;

use super::findings::status_part;
use super::text::{self, clean, fit};
use crate::app::casework::{CaseSession, CaseStatus};
use heist_core::case::TimeZone;

use crate::app::state::AppState;
use crate::app::trail::Scope;

/// The breadcrumb / status line pieces. The bar reads ` heist ` trail [`  │ filter: ` filter] `  │ ` counts
/// `  │ ` tz [`  │ ` case] [`  │ ` findings]; `status` fits that in the terminal's width.
pub struct StatusVm {
    pub trail: String,
    pub filter: String,
    pub counts: String,
    pub tz: &'static str,
    /// `● 3 · case saved`, empty before the case is open.
    pub case: String,
    /// The case is not safely on disk (save failed, read-only, memory only).
    pub case_alert: bool,
    /// `⚑ 23 findings (14 high)`, `⚑ detecting…`; empty before the bundle is loaded.
    pub findings: String,
    /// Detection failed, or the analyst's rules were not loaded.
    pub findings_alert: bool,
}

impl StatusVm {
    /// Columns the bar takes, separators included.
    pub fn width(&self) -> usize {
        let n = text::width;
        let opt = |s: &str, sep: usize| if s.is_empty() { 0 } else { sep + n(s) };
        7 + n(&self.trail)
            + opt(&self.filter, 12)
            + 4
            + n(&self.counts)
            + 4
            + n(self.tz)
            + opt(&self.case, 4)
            + opt(&self.findings, 4)
    }
}

/// One crumb of the trail.
pub fn crumb(scope: &Scope) -> String {
    match scope {
        Scope::All => "all events".into(),
        Scope::Entity(e) => format!("{} {}", e.kind, fit(&clean(&e.name), 40, false)),
        Scope::Finding(f) => format!("finding {}", fit(&clean(&f.rule), 40, false)),
    }
}

/// The status bar for a terminal `width` columns wide: compact forms of the findings and case parts when the
/// long ones do not fit, then the trail's earlier crumbs, then the filter cut at its end, then the trail cut at its
/// start (the latest crumb is the one that matters): the counts, the case and the findings always show.
pub fn status(s: &AppState, width: usize) -> StatusVm {
    let mut crumbs = vec![crumb(&Scope::All)];
    crumbs.extend(s.trail().into_iter().map(crumb));
    let total = s.store.as_ref().map_or(0, |st| st.len());
    let findings = status_part(s);
    let mut vm = StatusVm {
        trail: crumbs.join(" › "),
        filter: clean(&s.view().filter),
        counts: match s.raw_search {
            Some((done, files)) => format!("raw search {done}/{files} files"),
            None => format!(
                "{} / {}",
                thousands(s.view().events_len()),
                thousands(total)
            ),
        },
        tz: match s.tz {
            TimeZone::Utc => "UTC",
            TimeZone::Local => "local",
        },
        case: s
            .case
            .as_ref()
            .map(|c| case_status(c, false))
            .unwrap_or_default(),
        case_alert: s
            .case
            .as_ref()
            .is_some_and(|c| !matches!(c.status(), CaseStatus::Saved | CaseStatus::Saving)),
        findings: findings
            .as_ref()
            .map(|f| f.long.clone())
            .unwrap_or_default(),
        findings_alert: findings.as_ref().is_some_and(|f| f.alert),
    };
    if vm.width() > width {
        if let Some(f) = &findings {
            vm.findings = f.short.clone();
        }
    }
    if vm.width() > width {
        if let Some(c) = &s.case {
            vm.case = case_status(c, true);
        }
    }
    // Then the trail loses crumbs from its start (`… › ` stands for them), and at last the start of the one left.
    let mut first = 0;
    while vm.width() > width && first + 1 < crumbs.len() {
        first += 1;
        vm.trail = format!("… › {}", crumbs[first..].join(" › "));
    }
    // Then the filter keeps its start (the counts and the findings beside it matter more).
    let over = vm.width().saturating_sub(width);
    if over > 0 && !vm.filter.is_empty() {
        let n = text::width(&vm.filter);
        let keep = n.saturating_sub(over).max(6.min(n));
        if keep < n {
            vm.filter = fit(&vm.filter, keep, false);
        }
    }
    // The findings as their count alone (`⚑ 30`).
    if vm.width() > width {
        if let Some((count, _)) = vm.findings.split_once(" (") {
            vm.findings = count.to_string();
        }
    }
    let over = vm.width().saturating_sub(width);
    if over > 0 {
        let n = text::width(&vm.trail);
        let keep = n.saturating_sub(over + 1).max(12.min(n));
        if keep < n {
            vm.trail = fit(&vm.trail, keep + 1, true);
        }
    }
    // Last, the filter down to its ellipsis: the counts and the findings never give way to it.
    let over = vm.width().saturating_sub(width);
    if over > 0 && !vm.filter.is_empty() {
        let n = text::width(&vm.filter);
        vm.filter = fit(&vm.filter, n.saturating_sub(over).max(1), false);
    }
    vm
}

fn case_status(c: &CaseSession, short: bool) -> String {
    let state = match (c.status(), short) {
        (CaseStatus::Saved, false) => "case saved",
        (CaseStatus::Saving, false) => "case saving…",
        (CaseStatus::Failed, false) => "case NOT SAVED",
        (CaseStatus::Memory, false) => "case in memory",
        (CaseStatus::ReadOnly, false) => "case read-only · NOT SAVED",
        (CaseStatus::Saved, true) => "saved",
        (CaseStatus::Saving, true) => "saving…",
        (CaseStatus::Failed, true) => "NOT SAVED",
        (CaseStatus::Memory, true) => "memory",
        (CaseStatus::ReadOnly, true) => "read-only",
    };
    format!("● {} · {state}", c.case.marked().len())
}

/// Loading screen numbers.
pub fn loading_lines(p: &Snapshot) -> (f64, String) {
    let label = if p.assembling {
        format!("building the frame: {} events", thousands(p.events))
    } else {
        // Archives: a `.zip` is one file on disk and hundreds of logs inside; count those as they are read.
        let inside = if p.leaves_done > p.files_done {
            format!(
                " ({} read, archive members counted)",
                thousands(p.leaves_done)
            )
        } else {
            String::new()
        };
        format!(
            "{} / {} files{inside} · {} events · {:.1} / {:.1} MB · {} errors",
            p.files_done,
            p.files_total,
            thousands(p.events),
            p.bytes_done as f64 / 1e6,
            p.bytes_total as f64 / 1e6,
            p.errors
        )
    };
    (p.ratio().clamp(0.0, 1.0), label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::findings::{DetectStatus, Detected};
    use crate::app::trail::View;
    use heist_core::detect::{Finding, Severity};
    use heist_core::entities::EntityKind;

    fn state_with(n_high: usize, n_low: usize) -> AppState {
        use heist_core::entities::Entity;
        let mut s = AppState::new(crate::input::keymap::Keymap::default_map(), "t");
        let f = |sev: Severity, i: usize| Finding {
            rule: format!("r{i}"),
            title: "t".into(),
            severity: sev,
            techniques: vec!["T1530".into()],
            entities: vec![Entity::new(EntityKind::Token, "K")],
            entities_omitted: 0,
            events: Vec::new(),
            events_total: 0,
            first: i as i64,
            last: i as i64,
            explanation: String::new(),
            references: Vec::new(),
            falsepositives: Vec::new(),
        };
        let mut all: Vec<Finding> = (0..n_high).map(|i| f(Severity::High, i)).collect();
        all.extend((0..n_low).map(|i| f(Severity::Low, n_high + i)));
        s.findings.arrive(Detected::new(all, 3));
        s
    }

    #[test]
    fn the_status_counts_findings_compactly_when_narrow() {
        let s = state_with(14, 9);
        let p = status_part(&s).unwrap();
        assert_eq!(p.long, "⚑ 23 findings (14 high)");
        assert_eq!(p.short, "⚑ 23 (14 high)");
        assert!(!p.alert);
        let wide = status(&s, 200);
        assert_eq!(wide.findings, p.long);
        let narrow = status(&s, 55);
        assert_eq!(narrow.findings, p.short);
        assert!(narrow.width() <= 55, "{}", narrow.width());
        assert_eq!(status_part(&state_with(0, 1)).unwrap().long, "⚑ 1 finding");
        let mut s = state_with(0, 0);
        s.findings.status = DetectStatus::Running;
        assert_eq!(status_part(&s).unwrap().long, "⚑ detecting…");
        s.findings.status = DetectStatus::Waiting;
        assert_eq!(status_part(&s), None);
        s.rules.error = Some("x.toml: bad".into());
        s.findings.status = DetectStatus::Done;
        let p = status_part(&s).unwrap();
        assert!(p.alert && p.short.ends_with("· rules!"), "{p:?}");
    }

    /// While the view's raw search reads the bundle, the counts say how far it is; a stale view's progress is
    /// not shown.
    #[test]
    fn a_running_raw_search_shows_its_progress() {
        let mut s = state_with(1, 0);
        s.generation = 4;
        crate::update::update(
            &mut s,
            crate::app::msg::Msg::ViewProgress {
                generation: 3,
                files_done: 1,
                files: 9,
            },
        );
        assert_eq!(s.raw_search, None, "an older view's progress");
        crate::update::update(
            &mut s,
            crate::app::msg::Msg::ViewProgress {
                generation: 4,
                files_done: 2,
                files: 9,
            },
        );
        assert_eq!(status(&s, 200).counts, "raw search 2/9 files");
    }

    #[test]
    fn a_long_trail_loses_its_first_crumbs_first() {
        use heist_core::entities::Entity;
        let mut s = state_with(1, 0);
        for name in [
            "AKIAQ3EGRZTSTOLEN7CI",
            "198.51.100.77",
            "ASIAQ3EGRZTEXFIL2MDL",
        ] {
            s.views.push(View::new(Scope::Entity(Entity::new(
                EntityKind::Token,
                name,
            ))));
        }
        let full = status(&s, 300);
        assert!(
            full.trail.starts_with("all events › token AKIA"),
            "{}",
            full.trail
        );
        let cut = status(&s, 90);
        assert!(cut.width() <= 90, "{}", cut.width());
        assert!(cut.trail.starts_with("… › "), "{}", cut.trail);
        assert!(
            cut.trail.ends_with("token ASIAQ3EGRZTEXFIL2MDL"),
            "{}",
            cut.trail
        );
    }
}

//! The findings: starting detection once the bundle is loaded (and again when end dates or the scope change), taking its
//! result, the Findings tab (show, move, sort) and `Enter` on a finding, which opens a view of exactly its events on
//! the trail.

use std::sync::Arc;

use super::{push_view, remember_view, request_view};
use crate::app::findings::{DetectStatus, Detected, FindingOrder, SharedRules};
use crate::app::msg::Effect;
use crate::app::state::AppState;
use crate::app::trail::{Pane, Scope, View};

/// After the bundle loaded: run the rule pack (nothing to run without rules).
pub(super) fn start(s: &mut AppState) -> Vec<Effect> {
    if s.rules.pack.is_empty() {
        s.findings.arrive(Detected::default());
        return Vec::new();
    }
    s.findings.status = DetectStatus::Running;
    s.findings.run += 1;
    // The end dates given on the command line, then the case's.
    let mut end_dates = s.rules.end_dates.clone();
    let (mut scope, mut training) = (heist_core::case::CaseScope::default(), Vec::new());
    if let Some(c) = s.case() {
        end_dates.extend(c.end_dates());
        scope = c.scope.clone();
        training = c.training_data();
    }
    vec![Effect::Detect {
        run: s.findings.run,
        rules: SharedRules(s.rules.pack.clone()),
        end_dates,
        scope,
        training,
    }]
}

/// Detection waits for the loaded bundle's first view (ready or failed): on two cores the rule pack took the CPU
/// the first screen needed, and the timeline of a cached 1M-event bundle came 1.5 s after its frame.
pub(super) fn after_first_view(s: &mut AppState) -> Vec<Effect> {
    if matches!(s.findings.status, DetectStatus::Waiting) && s.store.is_some() {
        start(s)
    } else {
        Vec::new()
    }
}

pub(super) fn on_findings(s: &mut AppState, r: Result<Box<Detected>, String>) -> Vec<Effect> {
    match r {
        Ok(d) => {
            s.findings.arrive(*d);
            // A run's findings are a new list: every view starts at the top of the order shown.
            let top = s.findings.shown().first().copied().unwrap_or(0);
            for v in &mut s.views {
                v.finding_sel = top;
            }
            if let Some(e) = &s.rules.error {
                s.message = Some(format!(
                    "your rules were not loaded, the shipped rules ran: {e}"
                ));
            }
        }
        Err(e) => {
            s.message = Some(format!("detection failed: {e}"));
            s.findings.status = DetectStatus::Failed(e);
        }
    }
    Vec::new()
}

/// `5`: the Findings tab in the entities pane.
pub(super) fn show_tab(s: &mut AppState) -> Vec<Effect> {
    s.view_mut().findings_tab = true;
    s.focus = Pane::Entities;
    Vec::new()
}

/// `s` on the Findings tab: severity order / time order; the selection stays on its finding.
pub(super) fn toggle_order(s: &mut AppState) -> Vec<Effect> {
    s.findings.order = s.findings.order.next();
    s.message = Some(match s.findings.order {
        FindingOrder::Incidents => {
            "findings by incident, the rest one line per rule (s: in time order)".to_string()
        }
        FindingOrder::Severity => "every finding by severity (s: by rule)".to_string(),
        FindingOrder::Rule => {
            "one line per rule, most findings first; : rule:NAME lists a rule's findings (s: by incident)"
                .to_string()
        }
        FindingOrder::Time => "findings in time order: the story (s: by severity)".to_string(),
    });
    Vec::new()
}

pub(super) fn move_by(s: &mut AppState, delta: i64) -> Vec<Effect> {
    let next = s.findings.moved(s.view().finding_sel, delta);
    s.view_mut().finding_sel = next;
    s.detail_scroll = 0;
    Vec::new()
}

/// `Enter` on a finding: a view of exactly its events, on the trail (Backspace returns).
pub(super) fn open_finding(s: &mut AppState) -> Vec<Effect> {
    let i = s.view().finding_sel;
    let Some(f) = s.findings.list.get(i).cloned() else {
        s.message = Some(match &s.findings.status {
            DetectStatus::Running | DetectStatus::Waiting => "detection is still running".into(),
            DetectStatus::Failed(e) => format!("detection failed: {e}"),
            DetectStatus::Done => "no findings".into(),
        });
        return Vec::new();
    };
    s.message = f.is_capped().then(|| {
        format!(
            "this finding keeps {} of its {} events: those are shown",
            f.events.len(),
            f.events_total
        )
    });
    s.forward.clear();
    let mut v = View::new(Scope::Finding(Arc::new(f)));
    v.finding_sel = i;
    push_view(s, v);
    s.focus = Pane::Timeline;
    s.detail_scroll = 0;
    let mut e = request_view(s);
    e.extend(remember_view(s));
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::findings::RuleSet;
    use crate::app::state::LoadState;
    use crate::input::keymap::Keymap;
    use heist_core::detect::{Finding, Severity};
    use heist_core::entities::{Entity, EntityKind};
    use heist_core::frame::EventKey;

    fn finding(rule: &str, severity: Severity, first: i64) -> Finding {
        Finding {
            rule: rule.into(),
            title: rule.into(),
            severity,
            techniques: vec!["T1530".into()],
            entities: vec![Entity::new(EntityKind::Token, "AKIA1")],
            entities_omitted: 0,
            events: vec![EventKey::from_text("k")],
            events_total: 1,
            first,
            last: first,
            explanation: String::new(),
            references: Vec::new(),
            falsepositives: Vec::new(),
        }
    }

    fn ready() -> AppState {
        let mut s = AppState::new(Keymap::default_map(), "t").with_rules(RuleSet::shipped());
        s.load = LoadState::Ready;
        s
    }

    #[test]
    fn detection_is_asked_for_once_loaded_and_its_result_taken() {
        let mut s = ready();
        let e = start(&mut s);
        assert!(matches!(e.as_slice(), [Effect::Detect { rules, .. }] if rules.0.len() > 40));
        assert_eq!(s.findings.status, DetectStatus::Running);
        let d = Detected::new(
            vec![
                finding("low", Severity::Low, 1),
                finding("high", Severity::High, 2),
            ],
            2,
        );
        on_findings(&mut s, Ok(Box::new(d)));
        assert_eq!(s.findings.status, DetectStatus::Done);
        assert_eq!(s.findings.list[0].rule, "high");
        on_findings(&mut s, Err("boom".into()));
        assert_eq!(s.findings.status, DetectStatus::Failed("boom".into()));
        assert_eq!(s.message.as_deref(), Some("detection failed: boom"));
    }

    #[test]
    fn detection_waits_for_the_first_view_and_starts_once() {
        use crate::app::msg::Msg;
        let mut s = AppState::new(Keymap::default_map(), "t").with_rules(RuleSet::shipped());
        let store = heist_core::frame::EventStore::new(
            heist_core::frame::assemble::empty_frame().unwrap(),
            Vec::new(),
            Default::default(),
        );
        let loaded = crate::runtime::jobs::prepare(store);
        let e = super::super::update(&mut s, Msg::Loaded(loaded));
        assert!(
            e.iter().any(|e| matches!(e, Effect::BuildView { .. })),
            "the first view is asked for"
        );
        assert!(
            !e.iter().any(|e| matches!(e, Effect::Detect { .. })),
            "detection waits: it would take the cores the first screen needs"
        );
        assert_eq!(s.findings.status, DetectStatus::Waiting);
        let e = after_first_view(&mut s);
        assert!(matches!(e.as_slice(), [Effect::Detect { .. }]));
        assert_eq!(s.findings.status, DetectStatus::Running);
        assert!(after_first_view(&mut s).is_empty(), "once");
        // A view that failed starts it too: detection never waits on a view that will not come.
        let mut s = AppState::new(Keymap::default_map(), "t").with_rules(RuleSet::shipped());
        s.store = Some(Arc::new(heist_core::frame::EventStore::new(
            heist_core::frame::assemble::empty_frame().unwrap(),
            Vec::new(),
            Default::default(),
        )));
        let e = super::super::update(
            &mut s,
            Msg::ViewFailed {
                generation: 99,
                error: "bad".into(),
            },
        );
        assert!(matches!(e.as_slice(), [Effect::Detect { .. }]));
    }

    #[test]
    fn without_rules_nothing_runs() {
        let mut s = AppState::new(Keymap::default_map(), "t");
        assert!(start(&mut s).is_empty());
        assert_eq!(s.findings.status, DetectStatus::Done);
        assert!(s.findings.is_empty());
    }

    #[test]
    fn enter_opens_the_selected_findings_view_and_asks_for_its_events() {
        let mut s = ready();
        s.findings.arrive(Detected::new(
            vec![
                finding("a", Severity::High, 1),
                finding("b", Severity::Low, 2),
            ],
            2,
        ));
        show_tab(&mut s);
        move_by(&mut s, 1);
        assert_eq!(s.view().finding_sel, 1);
        let e = open_finding(&mut s);
        assert_eq!(s.views.len(), 2);
        assert_eq!(s.focus, Pane::Timeline);
        let Some(Effect::BuildView { scope, .. }) = e.first() else {
            panic!("no view asked for: {e:?}")
        };
        assert_eq!(scope.finding().map(|f| f.rule.as_str()), Some("b"));
        assert_eq!(
            s.view().finding_sel,
            1,
            "the new view's tab is on its finding"
        );
        assert_eq!(
            s.view().scope.saved_entity(),
            Some(Entity::new(EntityKind::Token, "AKIA1")),
            "kept in the case as its main entity's pivot"
        );
    }

    #[test]
    fn enter_before_detection_finished_says_so() {
        let mut s = ready();
        start(&mut s);
        show_tab(&mut s);
        assert!(open_finding(&mut s).is_empty());
        assert_eq!(s.views.len(), 1);
        assert_eq!(s.message.as_deref(), Some("detection is still running"));
    }
}

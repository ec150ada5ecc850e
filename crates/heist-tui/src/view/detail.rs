//! The detail pane's view model: the selected event (the case's annotations, the findings flagging it, every
//! field, the raw record) or the selected entity (annotations, lineage, the findings naming it, its activity).

use heist_core::case::TimeZone;
use heist_core::entities::table::entity_rows;
use heist_core::entities::{Entity, EntityKind, Link};
use heist_core::export::report::fmt_time;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};
use heist_core::util::num::thousands;
use heist_core::util::time::Nanos;

use super::findings::{entity_finding_lines, event_flag_lines, finding_detail};
use super::text::clean;
use super::DetailVm;
use crate::app::state::AppState;
use crate::app::trail::{Pane, View};

fn field(label: &str, v: Option<String>) -> Option<String> {
    v.map(|v| format!("{label:<15} {v}"))
}

fn link_lines(out: &mut Vec<String>, links: &[Link], up: bool, tz: TimeZone) {
    for l in links {
        let who = match (&l.token, &l.identity) {
            (Some(t), Some(i)) => format!("{} ({})", clean(t), clean(i)),
            (Some(t), None) => clean(t),
            (None, Some(i)) => clean(i),
            (None, None) => "(unnamed credential)".into(),
        };
        out.push(format!(
            "{}{} {}  by {} at {}",
            "  ".repeat(l.depth as usize),
            if up { "↑" } else { "↓" },
            who,
            clean(&l.minted_by.action),
            fmt_time(l.minted_by.time, tz),
        ));
    }
}

/// Detail of the selected event (timeline / detail focus), of the selected entity or finding (entities focus),
/// for a pane `width` columns wide.
pub fn detail(s: &AppState, width: usize) -> DetailVm {
    let v = s.view();
    if s.subject() == Pane::Entities && v.findings_tab {
        return finding_detail(s, width);
    }
    if s.subject() == Pane::Entities {
        return entity_detail(s, v);
    }
    let mut vm = DetailVm {
        title: "Event".into(),
        lines: Vec::new(),
    };
    let Some(d) = &v.data else { return vm };
    let row = d.events.slice(v.timeline_sel as i64, 1);
    let Ok(r) = FrameReader::new(&row) else {
        return vm;
    };
    if r.height() == 0 {
        vm.lines.push("no events in this view".into());
        return vm;
    }
    let key = EventKey::of_row(&r, 0);
    if let (Some(c), Some(k)) = (s.case(), key.as_ref()) {
        if let Some(n) = c.event(k) {
            vm.lines.extend(annotation_lines(
                n.marked,
                &n.tags.iter().cloned().collect::<Vec<_>>(),
                &n.note,
            ));
        }
    }
    if let Some(k) = &key {
        vm.lines.extend(event_flag_lines(s, k));
    }
    for &c in Col::OUTPUT {
        let value = match c {
            Col::Time => r.time(0).map(|t| fmt_time(t, s.tz)),
            Col::Origin => r.text(Col::Origin, 0).map(|o| {
                let line = r.u64(Col::Line, 0).unwrap_or(0) as u32;
                let label = s
                    .store
                    .as_ref()
                    .map(|st| st.origin_label(o, line))
                    .unwrap_or_else(|| o.to_string());
                clean(&label)
            }),
            _ => r.display(c, 0).map(|x| clean(&x)),
        };
        vm.lines.extend(field(c.name(), value));
    }
    vm.lines.push(String::new());
    vm.lines.push("── raw record ──".into());
    match &s.raw {
        None => vm.lines.push("(reading…)".into()),
        Some(raw) => match &raw.text {
            Ok(t) => vm.lines.extend(t.lines().map(clean)),
            Err(e) => vm
                .lines
                .push(format!("cannot show the raw record: {}", clean(e))),
        },
    }
    vm
}

fn entity_detail(s: &AppState, v: &View) -> DetailVm {
    let mut vm = DetailVm {
        title: format!("{}", v.tab),
        lines: Vec::new(),
    };
    let Some(t) = v.table(v.tab) else { return vm };
    let i = v.entity_sel[v.tab];
    let Ok(rows) = entity_rows(t, v.tab, i..i + 1) else {
        return vm;
    };
    let Some(r) = rows.first() else {
        vm.lines.push(format!("no {} in this view", v.tab.plural()));
        return vm;
    };
    vm.title = format!("{} {}", v.tab, clean(&r.name));
    if let Some(n) = s
        .case()
        .and_then(|c| c.entity(&Entity::new(v.tab, r.name.clone())))
    {
        vm.lines.extend(annotation_lines(
            false,
            &n.tags.iter().cloned().collect::<Vec<_>>(),
            &n.note,
        ));
        if let Some(t) = n.ended {
            vm.lines.push(format!(
                "✗ legitimate use ended {} (the analyst's date; E changes it)",
                fmt_time(t, s.tz)
            ));
        }
    }
    vm.lines.extend(field("name", Some(clean(&r.name))));
    vm.lines.extend(field("type", r.detail.clone()));
    let t = |x: Option<Nanos>| x.map(|t| fmt_time(t, s.tz)).unwrap_or_default();
    vm.lines.extend(field(
        "seen",
        Some(format!("{} .. {}", t(r.first_seen), t(r.last_seen))),
    ));
    vm.lines.extend(field(
        "events",
        Some(format!(
            "{} ({} failed)",
            thousands(r.events),
            thousands(r.failures)
        )),
    ));
    if let Some(l) = &s.lineage {
        let (up, down) = match v.tab {
            EntityKind::Token => (l.parents_of_token(&r.name), l.children_of_token(&r.name)),
            EntityKind::Identity => (
                l.parents_of_identity(&r.name),
                l.children_of_identity(&r.name),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        if !up.is_empty() || !down.is_empty() {
            vm.lines.push("── lineage ──".into());
            link_lines(&mut vm.lines, &up, true, s.tz);
            vm.lines.push(format!("• {}", clean(&r.name)));
            link_lines(&mut vm.lines, &down, false, s.tz);
        }
        if v.tab == EntityKind::Token {
            for rev in l.revocations_of(&r.name) {
                vm.lines.push(format!(
                    "✗ ended by {} at {}",
                    clean(&rev.event.action),
                    fmt_time(rev.event.time, s.tz)
                ));
            }
        }
    }
    vm.lines.extend(entity_finding_lines(s, v.tab, &r.name));
    vm.lines.push("── activity ──".into());
    vm.lines.extend(field(
        "bytes",
        Some(heist_core::util::num::bytes_exact(r.bytes)),
    ));
    for (k, n) in &r.counterparts {
        vm.lines.extend(field(k, Some(n.to_string())));
    }
    vm.lines
        .extend(field("top actions", Some(clean(&r.top_actions))));
    vm.lines.extend(field("sources", Some(clean(&r.sources))));
    vm
}

/// The case's lines at the top of a detail: marked, tags, the note.
fn annotation_lines(marked: bool, tags: &[String], note: &str) -> Vec<String> {
    let mut out = Vec::new();
    if marked {
        out.push("● marked for the report".to_string());
    }
    if !tags.is_empty() {
        let t: Vec<String> = tags.iter().map(|t| format!("#{}", clean(t))).collect();
        out.extend(field("tags", Some(t.join(" "))));
    }
    for (i, l) in note.lines().enumerate() {
        out.extend(field(if i == 0 { "note" } else { "" }, Some(clean(l))));
    }
    if !out.is_empty() {
        out.push(String::new());
    }
    out
}

//! View models of the findings: the Findings tab's visible rows, a finding's detail, the lines a flagged event's
//! detail gains, the markers of flagged rows and entities, and the status bar's count. Plain, neutralised strings
//! (explanations and entity names quote log content).

use heist_core::case::TimeZone;
use heist_core::detect::{Finding, Severity};
use heist_core::entities::EntityKind;
use heist_core::export::report::fmt_time;
use heist_core::frame::EventKey;

use heist_core::util::num::thousands;

use super::text::{clean, fit, fit_id, pad, short_time, width, window_start, wrap};
use super::DetailVm;
use crate::app::findings::{DetectStatus, FindingOrder, Grouped};
use crate::app::state::AppState;

/// Width of the label column in detail panes (`severity        high`).
const LABEL: usize = 16;

/// The marker of a flagged row or entity: filled for high and critical, hollow below, so severity reads without
/// colour too.
pub fn flag_char(sev: Option<Severity>) -> char {
    match sev {
        Some(Severity::High | Severity::Critical) => '⚑',
        Some(_) => '⚐',
        None => ' ',
    }
}

pub fn severity_short(sev: Severity) -> &'static str {
    match sev {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "med",
        Severity::High => "high",
        Severity::Critical => "crit",
    }
}

/// `⚑ high`, `⚐ med`: a flagged entity's marker (empty when not flagged).
pub fn entity_marker(sev: Option<Severity>) -> String {
    match sev {
        Some(s) => format!("{} {}", flag_char(Some(s)), severity_short(s)),
        None => String::new(),
    }
}

/// The two marks before a timeline row's time: the case's (`●` marked, `✎` annotated only) and the findings'
/// (`⚑` / `⚐`), each in its own column so both show.
pub fn row_marks(case_mark: char, flag: Option<Severity>) -> String {
    format!("{case_mark}{} ", flag_char(flag))
}

/// `label           value`, the value wrapped under itself.
fn labelled(out: &mut Vec<String>, label: &str, value: &str, width: usize) {
    let room = width.saturating_sub(LABEL);
    let lines = if room >= 20 {
        wrap(value, room)
    } else {
        vec![value.to_string()]
    };
    for (i, l) in lines.into_iter().enumerate() {
        let label = if i == 0 { label } else { "" };
        out.push(format!("{}{l}", pad(label, LABEL)));
    }
}

/// The status bar's findings part: long and compact forms, and whether it is a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingsStatus {
    pub long: String,
    pub short: String,
    pub alert: bool,
}

pub fn status_part(s: &AppState) -> Option<FindingsStatus> {
    let f = &s.findings;
    let (long, short, alert) = match &f.status {
        DetectStatus::Waiting => return None,
        DetectStatus::Running => ("⚑ detecting…".to_string(), "⚑ …".to_string(), false),
        DetectStatus::Failed(_) => (
            "⚑ detection failed".to_string(),
            "⚑ failed".to_string(),
            true,
        ),
        DetectStatus::Done => {
            let top: Vec<String> = f
                .counts()
                .into_iter()
                .filter(|(sev, _)| *sev >= Severity::High)
                .map(|(sev, n)| format!("{n} {sev}"))
                .collect();
            let top = if top.is_empty() {
                String::new()
            } else {
                format!(" ({})", top.join(", "))
            };
            let n = f.len();
            let word = if n == 1 { "finding" } else { "findings" };
            (
                format!("⚑ {} {word}{top}", thousands(n)),
                format!("⚑ {}{top}", thousands(n)),
                false,
            )
        }
    };
    Some(match s.rules.error {
        Some(_) => FindingsStatus {
            long: format!("{long} · your rules NOT loaded"),
            short: format!("{short} · rules!"),
            alert: true,
        },
        None => FindingsStatus { long, short, alert },
    })
}

/// One row of the Findings tab: severity, first time, rule, principal entity, events.
pub struct FindingRow {
    pub severity: Severity,
    pub cells: [String; 5],
}

pub struct FindingsTabVm {
    pub rows: Vec<FindingRow>,
    pub selected: Option<usize>,
    pub total: usize,
}

pub const FINDING_COLUMNS: [&str; 5] = ["sev", "first", "rule", "principal", "events"];

/// What detection says above the Findings tab, in lines of at most `width`: running, failed, how many findings
/// in which order, the analyst's rules not loaded; `true` marks a warning.
pub fn findings_info(s: &AppState, width: usize) -> Vec<(String, bool)> {
    let f = &s.findings;
    let mut info = Vec::new();
    match &f.status {
        DetectStatus::Waiting | DetectStatus::Running => info.push((
            "detecting: the rules are running over the bundle…".to_string(),
            false,
        )),
        DetectStatus::Failed(e) => {
            info.extend(
                wrap(&format!("detection failed: {}", clean(e)), width)
                    .into_iter()
                    .take(3)
                    .map(|l| (l, true)),
            );
        }
        DetectStatus::Done if f.is_empty() => {
            info.push((format!("no findings from {} rules", f.rules), false))
        }
        DetectStatus::Done => {
            let incidents = f.incidents.incidents.len();
            let outside: usize = f.incidents.other.iter().map(|o| o.count).sum();
            let grouping = if incidents + outside > 0 {
                format!(
                    ": {} {}, {} outside",
                    incidents,
                    if incidents == 1 {
                        "incident"
                    } else {
                        "incidents"
                    },
                    thousands(outside)
                )
            } else {
                String::new()
            };
            info.push((
                format!(
                    "{} from {} rules{grouping}, {} (s: {})",
                    match f.len() {
                        1 => "1 finding".to_string(),
                        n => format!("{} findings", thousands(n)),
                    },
                    f.rules,
                    f.order.label(),
                    f.order.next().label(),
                ),
                false,
            ));
        }
    }
    if f.status == DetectStatus::Done && !f.filter.trim().is_empty() {
        let line = format!(
            "filter: {} · {} of {} rows shown (x clears)",
            clean(&f.filter),
            thousands(f.shown().len()),
            thousands(f.shown_unfiltered())
        );
        info.push((fit(&line, width, false), false));
    }
    if let Some(n) = &s.rules.notice {
        info.extend(
            wrap(&clean(n), width)
                .into_iter()
                .take(2)
                .map(|l| (l, false)),
        );
    }
    if let Some(n) = &f.untested {
        info.extend(
            wrap(&clean(n), width)
                .into_iter()
                .take(3)
                .map(|l| (l, true)),
        );
    }
    if let Some(e) = &s.rules.error {
        let text = format!(
            "your rules were not loaded, the shipped rules ran: {}",
            clean(e)
        );
        info.extend(wrap(&text, width).into_iter().take(3).map(|l| (l, true)));
    }
    // The leading incidents' stories, after any warning.
    if f.status == DetectStatus::Done && f.order == FindingOrder::Incidents {
        for inc in f.incidents.incidents.iter().take(2) {
            let line = format!("{} · score {} · {}", inc.id, inc.score, clean(&inc.title));
            info.push((fit(&line, width, false), false));
        }
    }
    info
}

/// The visible rows of the Findings tab. `widths` fits each column; `wide` shows full times and rule titles
/// (otherwise `10-05 02:13` and rule ids).
pub fn findings_tab(s: &AppState, height: usize, widths: [usize; 5], wide: bool) -> FindingsTabVm {
    let f = &s.findings;
    let shown = f.shown();
    let total = shown.len();
    let sel = f.row_of(s.view().finding_sel);
    let start = window_start(sel, total, height);
    let by_incident = f.order == FindingOrder::Incidents;
    let rows = shown
        .iter()
        .skip(start)
        .take(height)
        .filter_map(|&i| {
            let g = match f.order {
                FindingOrder::Rule => Some(Grouped::Other {
                    count: f.rule_count(i),
                }),
                _ => by_incident.then(|| f.grouped(i)).flatten(),
            };
            Some((f.list.get(i)?, g))
        })
        .map(|(x, g)| finding_row(x, g, s.tz, widths, wide))
        .collect();
    FindingsTabVm {
        rows,
        selected: (total > 0).then(|| sel - start),
        total,
    }
}

/// One row; in the incidents order, the rule cell leads with the incident (`I1`) or, for a rule folded outside
/// every incident, how many findings the line stands for (`×37`), and a finding raised inside its incident shows
/// the raised severity.
fn finding_row(
    f: &Finding,
    grouped: Option<Grouped>,
    tz: TimeZone,
    widths: [usize; 5],
    wide: bool,
) -> FindingRow {
    // ARNs, object keys and resource paths say the most at their end.
    let (entity, tail) = match f.main_entity() {
        Some(e) => (
            clean(&e.name),
            matches!(e.kind, EntityKind::Identity | EntityKind::Asset) || e.name.starts_with('/'),
        ),
        None => (String::new(), false),
    };
    // A Sigma rule's id is a UUID, which says nothing in a list: its title stands in.
    let rule = clean(if wide { &f.title } else { f.rule_label() });
    let (severity, rule) = match grouped {
        Some(Grouped::Incident { id, severity }) => (severity, format!("{} {rule}", clean(&id))),
        Some(Grouped::Other { count }) if count > 1 => {
            (f.severity, format!("×{} {rule}", thousands(count)))
        }
        _ => (f.severity, rule),
    };
    let cells = [
        entity_marker(Some(severity)),
        if wide {
            fmt_time(f.first, tz)
        } else {
            short_time(f.first, tz)
        },
        rule,
        entity,
        thousands(f.events_total),
    ];
    let mut i = 0;
    FindingRow {
        severity,
        cells: cells.map(|c| {
            let out = if i == 3 && tail {
                fit_id(&c, widths[i])
            } else {
                fit(&c, widths[i], false)
            };
            i += 1;
            out
        }),
    }
}

/// The selected finding's detail: what it is, why it fired, whom and when it involves, and the rule behind it.
pub fn finding_detail(s: &AppState, width: usize) -> DetailVm {
    let Some(f) = s.findings.list.get(s.view().finding_sel) else {
        let line = match &s.findings.status {
            DetectStatus::Done => "no findings",
            DetectStatus::Failed(_) => "detection failed",
            _ => "detection is running",
        };
        return DetailVm {
            title: "Findings".into(),
            lines: vec![line.into()],
        };
    };
    let mut lines = Vec::new();
    let index = s.view().finding_sel;
    match s.findings.grouped(index) {
        Some(Grouped::Incident { id, severity }) => {
            let title = s
                .findings
                .incident_of(index)
                .map(|i| clean(&i.title))
                .unwrap_or_default();
            labelled(
                &mut lines,
                "incident",
                &format!("{} · {title}", clean(&id)),
                width,
            );
            if severity != f.severity {
                let raised = format!(
                    "{} (rule: {}; raised inside the incident)",
                    severity.name(),
                    f.severity.name()
                );
                labelled(&mut lines, "severity", &raised, width);
            } else {
                labelled(&mut lines, "severity", f.severity.name(), width);
            }
            if s.findings
                .incident_of(index)
                .is_some_and(|i| i.by_time.contains(&index))
            {
                labelled(
                    &mut lines,
                    "linked",
                    "by time alone: its log names no address, and it happened inside the incident's night",
                    width,
                );
            }
        }
        Some(Grouped::Other { count }) => {
            labelled(&mut lines, "severity", f.severity.name(), width);
            labelled(
                &mut lines,
                "outside",
                &format!(
                    "no incident; the rule fired {} times outside incidents",
                    thousands(count)
                ),
                width,
            );
        }
        None => labelled(&mut lines, "severity", f.severity.name(), width),
    }
    labelled(
        &mut lines,
        "techniques",
        &clean(&f.techniques.join(" ")),
        width,
    );
    labelled(&mut lines, "explanation", &clean(&f.explanation), width);
    labelled(
        &mut lines,
        "time",
        &format!("{} .. {}", fmt_time(f.first, s.tz), fmt_time(f.last, s.tz)),
        width,
    );
    let events = if f.is_capped() {
        format!(
            "{} (the first {} are kept; enter shows those)",
            thousands(f.events_total),
            thousands(f.events.len())
        )
    } else {
        format!("{} · enter shows them", thousands(f.events_total))
    };
    labelled(&mut lines, "events", &events, width);
    // One line per name: a value that is both a key and the identity it acts as (an API key logged as the
    // actor), or a user that is also the asset acted on, is one entity with its kinds, not two.
    let mut named: Vec<(Vec<String>, &str)> = Vec::new();
    for e in f.entities.iter() {
        match named.iter_mut().find(|(_, n)| *n == e.name) {
            Some((kinds, _)) => kinds.push(e.kind.to_string()),
            None => named.push((vec![e.kind.to_string()], e.name.as_str())),
        }
    }
    for (i, (kinds, name)) in named.iter().enumerate() {
        let label = if i == 0 { "entities" } else { "" };
        lines.push(format!(
            "{label:<w$}{} {}",
            kinds.join(" · "),
            clean(name),
            w = LABEL
        ));
    }
    if f.entities_omitted > 0 {
        lines.push(format!(
            "{:<w$}(+{} more not listed)",
            "",
            f.entities_omitted,
            w = LABEL
        ));
    }
    let rule = s.rules.pack.get(&f.rule);
    let id = match rule {
        Some(r) => format!("{} ({})", clean(&f.rule), r.kind.name()),
        None => clean(&f.rule),
    };
    labelled(&mut lines, "rule", &id, width);
    if let Some(r) = rule.filter(|r| r.kind.name().starts_with("sigma")) {
        labelled(&mut lines, "from", &clean(&r.file), width);
    }
    for (i, fp) in f.falsepositives.iter().enumerate() {
        let label = if i == 0 { "false pos." } else { "" };
        labelled(&mut lines, label, &clean(fp), width);
    }
    for (i, url) in f.references.iter().enumerate() {
        let label = if i == 0 { "references" } else { "" };
        labelled(&mut lines, label, &clean(url), width);
    }
    if let Some(r) = rule.filter(|r| !r.description.trim().is_empty()) {
        lines.push("── the rule ──".into());
        // A description's line breaks are the rule file's layout, not the text's: words flow.
        let words: Vec<&str> = r.description.split_whitespace().collect();
        lines.extend(wrap(&clean(&words.join(" ")), width.max(20)));
    }
    DetailVm {
        title: format!(
            "{} {} · {}",
            flag_char(Some(f.severity)),
            f.severity,
            fit(&clean(&f.title), 100, false)
        ),
        lines,
    }
}

/// How many findings an entity's detail lists.
const ENTITY_FINDINGS: usize = 8;

/// An entity's detail section on the findings naming it, in time order (none when no finding names it).
pub fn entity_finding_lines(s: &AppState, kind: EntityKind, name: &str) -> Vec<String> {
    let f = &s.findings;
    if f.entities.get(kind, name).is_none() {
        return Vec::new();
    }
    let naming: Vec<&Finding> = f
        .in_time_order()
        .filter(|x| x.entities.iter().any(|e| e.kind == kind && e.name == name))
        .collect();
    let mut out = vec!["── findings naming it (5 lists all) ──".to_string()];
    for x in naming.iter().take(ENTITY_FINDINGS) {
        out.push(format!(
            "{} {:<8} {}  {}",
            flag_char(Some(x.severity)),
            x.severity.name(),
            fmt_time(x.first, s.tz),
            clean(&x.rule)
        ));
    }
    if naming.len() > ENTITY_FINDINGS {
        out.push(format!("  (+{} more)", naming.len() - ENTITY_FINDINGS));
    }
    out
}

/// The lines a flagged event's detail starts with: the rules whose findings flag it, with their techniques.
pub fn event_flag_lines(s: &AppState, key: &EventKey) -> Vec<String> {
    let Some(flag) = s.findings.flags.get(key) else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "{} flagged by the rule pack ({})",
        flag_char(Some(flag.severity)),
        flag.severity
    )];
    let w = flag
        .rules
        .iter()
        .map(|r| width(&clean(r)))
        .max()
        .unwrap_or(0);
    for id in &flag.rules {
        match s.rules.pack.get(id) {
            Some(r) => out.push(format!(
                "  {:<8} {}  {}",
                r.severity.name(),
                pad(&clean(id), w),
                clean(&r.techniques.join(" "))
            )),
            None => out.push(format!("  {}", clean(id))),
        }
    }
    if flag.rules.iter().all(|id| s.rules.pack.get(id).is_none()) {
        out.push(format!(
            "  techniques {}",
            clean(&flag.techniques.join(" "))
        ));
    }
    out.push(String::new());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_combine_the_case_and_the_findings() {
        assert_eq!(row_marks('●', Some(Severity::High)), "●⚑ ");
        assert_eq!(row_marks('●', None), "●  ");
        assert_eq!(row_marks(' ', Some(Severity::Medium)), " ⚐ ");
        assert_eq!(row_marks('✎', Some(Severity::Critical)), "✎⚑ ");
        assert_eq!(row_marks(' ', None), "   ");
        assert_eq!(entity_marker(Some(Severity::Low)), "⚐ low");
        assert_eq!(entity_marker(Some(Severity::High)), "⚑ high");
        assert_eq!(entity_marker(None), "");
    }

    #[test]
    fn wrapping_keeps_words_whole_and_lines_short() {
        let w = wrap("one two three four five six", 9);
        assert_eq!(w, ["one two", "three", "four five", "six"]);
        assert!(w.iter().all(|l| l.chars().count() <= 9));
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(
            wrap("a verylongwordindeed b", 5),
            ["a", "verylongwordindeed", "b"]
        );
        let mut out = Vec::new();
        labelled(&mut out, "explanation", &"word ".repeat(12), 40);
        assert_eq!(
            out[0],
            format!("{:<16}{}", "explanation", "word word word word word")
        );
        assert!(
            out[1].starts_with(&" ".repeat(16)) && out.len() == 3,
            "{out:?}"
        );
    }
}

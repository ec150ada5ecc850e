//! The rule pack's findings in the TUI, as state: the pack the TUI runs, whether detection has run, the findings
//! in severity and in time order, and the flags they put on events and entities. Pure data computed once, when
//! the findings arrive (off the UI thread: `Detected::new` runs in the detection job). The keys that use it are
//! in `update::findings`, the view models in `view::findings`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use heist_core::detect::{
    by_severity, by_time, Finding, Flags, Incident, Incidents, RulePack, Severity,
};
use heist_core::entities::{Entity, EntityKind, PerKind};
use heist_core::util::time::Nanos;

/// The rule pack the TUI runs, and why the analyst's rules are not in it (a rule file that cannot be used never
/// stops the TUI: the shipped rules then run alone, and the error is shown).
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub pack: Arc<RulePack>,
    pub error: Option<String>,
    /// End dates the analyst gave (`--end KIND:NAME@TIME`): later activity of those entities is a finding.
    pub end_dates: Vec<(Entity, Nanos)>,
    /// A line about the rules loaded beside the shipped ones (`Sigma: 180 rules loaded ...`), shown with the
    /// findings.
    pub notice: Option<String>,
}

impl RuleSet {
    pub fn new(pack: RulePack, error: Option<String>) -> Self {
        Self {
            pack: Arc::new(pack),
            error,
            end_dates: Vec::new(),
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    pub fn with_end_dates(mut self, end_dates: Vec<(Entity, Nanos)>) -> Self {
        self.end_dates = end_dates;
        self
    }

    /// The rules shipped with heist.
    pub fn shipped() -> Self {
        match RulePack::builtin() {
            Ok(p) => Self::new(p, None),
            Err(e) => Self::new(RulePack::default(), Some(format!("the shipped rules: {e}"))),
        }
    }

    /// No rules: detection does not run.
    pub fn none() -> Self {
        Self::new(RulePack::default(), None)
    }
}

/// The pack, as an effect carries it; effects compare by which pack they carry.
#[derive(Clone)]
pub struct SharedRules(pub Arc<RulePack>);

impl PartialEq for SharedRules {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for SharedRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedRules({} rules)", self.0.len())
    }
}

/// The highest severity of a finding naming each entity, per kind (looked up by name, no allocation).
#[derive(Debug, Clone, Default)]
pub struct FlaggedEntities {
    by_kind: PerKind<HashMap<String, Severity>>,
}

impl FlaggedEntities {
    pub fn new(findings: &[Finding]) -> Self {
        let mut out = Self::default();
        for f in findings {
            for e in &f.entities {
                let sev = out.by_kind[e.kind]
                    .entry(e.name.clone())
                    .or_insert(f.severity);
                *sev = (*sev).max(f.severity);
            }
        }
        out
    }

    pub fn get(&self, kind: EntityKind, name: &str) -> Option<Severity> {
        self.by_kind[kind].get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.by_kind.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a detection run hands over: the findings in the pack's order (severity first), their order as a story,
/// and the flags they put on events and entities.
#[derive(Debug, Clone, Default)]
pub struct Detected {
    pub findings: Vec<Finding>,
    /// Indices into `findings`, in time order.
    pub by_time: Vec<usize>,
    pub flags: Flags,
    pub entities: FlaggedEntities,
    /// How many rules ran.
    pub rules: usize,
    /// The findings grouped into incidents (indices into `findings`); empty when not grouped.
    pub incidents: Incidents,
    /// What the run could not look at (Sigma rules whose records could not be read back), for the analyst.
    pub untested: Option<String>,
}

impl Detected {
    /// `findings` in the pack's order (severity first: `detect_store` returns them so), which
    /// `group` (when given) indexes.
    pub fn new(mut findings: Vec<Finding>, rules: usize) -> Self {
        findings.sort_by(by_severity);
        let mut by_time: Vec<usize> = (0..findings.len()).collect();
        by_time.sort_by(|&a, &b| by_time_of(&findings, a, b));
        Self {
            flags: Flags::new(&findings),
            entities: FlaggedEntities::new(&findings),
            by_time,
            findings,
            rules,
            incidents: Incidents::default(),
            untested: None,
        }
    }

    /// Say what the run could not look at (`Detection::notice`).
    pub fn with_untested(mut self, notice: Option<String>) -> Self {
        self.untested = notice;
        self
    }

    /// Group the findings (now in the pack's order) into incidents with `group`.
    pub fn grouped<E>(
        mut self,
        group: impl FnOnce(&[Finding]) -> Result<Incidents, E>,
    ) -> Result<Self, E> {
        self.incidents = group(&self.findings)?;
        Ok(self)
    }
}

fn by_time_of(f: &[Finding], a: usize, b: usize) -> std::cmp::Ordering {
    by_time(&f[a], &f[b]).then(a.cmp(&b))
}

/// Where detection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectStatus {
    /// The bundle is not loaded yet.
    Waiting,
    Running,
    Done,
    Failed(String),
}

/// The Findings tab's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingOrder {
    /// Incidents first (highest score first, each in time order), then one line per rule for the rest.
    Incidents,
    /// First time first: the attack as a story.
    Time,
    /// Highest severity first, then time: every finding.
    Severity,
    /// One row per rule (its first finding) with how many findings it has, most first.
    Rule,
}

impl FindingOrder {
    pub fn next(self) -> Self {
        match self {
            FindingOrder::Incidents => FindingOrder::Time,
            FindingOrder::Time => FindingOrder::Severity,
            FindingOrder::Severity => FindingOrder::Rule,
            FindingOrder::Rule => FindingOrder::Incidents,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FindingOrder::Incidents => "by incident",
            FindingOrder::Severity => "by severity",
            FindingOrder::Time => "in time order",
            FindingOrder::Rule => "by rule",
        }
    }
}

/// Where a finding sits in the incidents order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouped {
    /// In incident `id`, shown with `severity` (a step up from its rule's).
    Incident { id: String, severity: Severity },
    /// The first of `count` findings of its rule outside every incident (the others are folded into it).
    Other { count: usize },
}

/// The findings of this session.
#[derive(Debug, Clone)]
pub struct FindingsState {
    pub status: DetectStatus,
    /// In severity order; views name findings by their index here.
    pub list: Arc<Vec<Finding>>,
    by_severity: Vec<usize>,
    by_time: Vec<usize>,
    /// Incident members, then the first finding of each other rule.
    by_incident: Vec<usize>,
    /// The first finding of each rule, the rules with most findings first.
    by_rule: Vec<usize>,
    /// Findings per rule.
    rule_counts: std::collections::HashMap<String, usize>,
    pub incidents: Arc<Incidents>,
    pub flags: Flags,
    pub entities: FlaggedEntities,
    pub order: FindingOrder,
    /// The Findings tab's filter (`:` there), as typed, and parsed.
    pub filter: String,
    pub matcher: Option<heist_core::detect::filter::FindingFilter>,
    pub rules: usize,
    /// What the run could not look at, said on the tab as a warning.
    pub untested: Option<String>,
    /// The newest detection run asked for; the results of older runs are stale.
    pub run: u64,
}

impl Default for FindingsState {
    fn default() -> Self {
        Self {
            status: DetectStatus::Waiting,
            list: Arc::new(Vec::new()),
            by_severity: Vec::new(),
            by_time: Vec::new(),
            by_incident: Vec::new(),
            by_rule: Vec::new(),
            rule_counts: Default::default(),
            incidents: Arc::new(Incidents::default()),
            flags: Flags::default(),
            entities: FlaggedEntities::default(),
            order: FindingOrder::Incidents,
            filter: String::new(),
            matcher: None,
            rules: 0,
            untested: None,
            run: 0,
        }
    }
}

impl FindingsState {
    /// A run finished.
    pub fn arrive(&mut self, d: Detected) {
        self.by_severity = (0..d.findings.len()).collect();
        self.by_time = d.by_time;
        let g = &d.incidents;
        self.by_incident = if g.incidents.is_empty() && g.other.is_empty() {
            self.by_severity.clone()
        } else {
            g.incidents
                .iter()
                .flat_map(|inc| inc.findings.iter().copied())
                .chain(g.other.iter().filter_map(|o| o.findings.first().copied()))
                .filter(|&i| i < d.findings.len())
                .collect()
        };
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for f in &d.findings {
            *counts.entry(f.rule.clone()).or_default() += 1;
        }
        let mut firsts: Vec<usize> = Vec::new();
        for &i in &self.by_time {
            let rule = &d.findings[i].rule;
            if !firsts.iter().any(|&j| d.findings[j].rule == *rule) {
                firsts.push(i);
            }
        }
        firsts.sort_by(|&a, &b| {
            let (fa, fb) = (&d.findings[a], &d.findings[b]);
            counts[&fb.rule]
                .cmp(&counts[&fa.rule])
                .then(fb.severity.cmp(&fa.severity))
                .then(fa.rule.cmp(&fb.rule))
        });
        self.by_rule = firsts;
        self.rule_counts = counts;
        self.incidents = Arc::new(d.incidents);
        self.list = Arc::new(d.findings);
        self.flags = d.flags;
        self.entities = d.entities;
        self.rules = d.rules;
        self.untested = d.untested;
        self.status = DetectStatus::Done;
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many rows the order shows without the filter.
    pub fn shown_unfiltered(&self) -> usize {
        match self.order {
            FindingOrder::Incidents => self.by_incident.len(),
            FindingOrder::Severity => self.by_severity.len(),
            FindingOrder::Time => self.by_time.len(),
            FindingOrder::Rule => self.by_rule.len(),
        }
    }

    /// Indices into `list`, in the order the tab shows, that pass the tab's filter.
    pub fn shown(&self) -> Vec<usize> {
        let all = match self.order {
            FindingOrder::Incidents => &self.by_incident,
            FindingOrder::Severity => &self.by_severity,
            FindingOrder::Time => &self.by_time,
            FindingOrder::Rule => &self.by_rule,
        };
        match &self.matcher {
            Some(m) if !m.is_empty() => all
                .iter()
                .copied()
                .filter(|&i| {
                    self.list.get(i).is_some_and(|f| {
                        let inc = self.incident_of(i).map(|x| x.id.as_str());
                        m.matches(f, inc, self.incidents.severity(i, f))
                    })
                })
                .collect(),
            _ => all.clone(),
        }
    }

    /// How many findings the rule of finding `index` has.
    pub fn rule_count(&self, index: usize) -> usize {
        self.list
            .get(index)
            .and_then(|f| self.rule_counts.get(&f.rule))
            .copied()
            .unwrap_or(0)
    }

    /// The incident finding `index` belongs to.
    pub fn incident_of(&self, index: usize) -> Option<&Incident> {
        self.incidents.incident_of(index)
    }

    /// Where finding `index` sits in the incidents order (None when the findings were not grouped).
    pub fn grouped(&self, index: usize) -> Option<Grouped> {
        let f = self.list.get(index)?;
        if let Some(inc) = self.incident_of(index) {
            return Some(Grouped::Incident {
                id: inc.id.clone(),
                severity: self.incidents.severity(index, f),
            });
        }
        self.incidents
            .other
            .iter()
            .find(|o| o.findings.contains(&index))
            .map(|o| Grouped::Other { count: o.count })
    }

    /// The row the finding `index` is shown on (0 when it is not in the list).
    pub fn row_of(&self, index: usize) -> usize {
        self.shown().iter().position(|&i| i == index).unwrap_or(0)
    }

    /// The finding `delta` rows away from the finding `index`, staying in the list.
    pub fn moved(&self, index: usize, delta: i64) -> usize {
        let shown = self.shown();
        if shown.is_empty() {
            return 0;
        }
        let row = (self.row_of(index) as i64)
            .saturating_add(delta)
            .clamp(0, shown.len() as i64 - 1) as usize;
        shown[row]
    }

    /// The findings in time order.
    pub fn in_time_order(&self) -> impl Iterator<Item = &Finding> {
        self.by_time.iter().filter_map(|&i| self.list.get(i))
    }

    /// How many findings there are of each severity, highest first, leaving out the absent ones.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .rev()
            .map(|s| (*s, self.list.iter().filter(|f| f.severity == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use heist_core::entities::Entity;
    use heist_core::frame::EventKey;

    fn finding(rule: &str, severity: Severity, first: i64, keys: &[&str]) -> Finding {
        Finding {
            rule: rule.into(),
            title: format!("{rule} title"),
            severity,
            techniques: vec!["T1530".into()],
            entities: vec![
                Entity::new(EntityKind::Token, format!("K-{rule}")),
                Entity::new(EntityKind::Ip, "198.51.100.77"),
            ],
            entities_omitted: 0,
            events: keys.iter().map(|k| EventKey::from_text(*k)).collect(),
            events_total: keys.len(),
            first,
            last: first + 10,
            explanation: String::new(),
            references: Vec::new(),
            falsepositives: Vec::new(),
        }
    }

    fn state(findings: Vec<Finding>) -> FindingsState {
        let mut s = FindingsState::default();
        s.arrive(Detected::new(findings, 3));
        s
    }

    #[test]
    fn severity_order_then_time_order_keep_the_selected_finding() {
        let s = state(vec![
            finding("late-high", Severity::High, 300, &["a"]),
            finding("early-low", Severity::Low, 100, &["b"]),
            finding("mid-medium", Severity::Medium, 200, &["c"]),
            finding("early-high", Severity::High, 150, &["d"]),
        ]);
        let rules = |s: &FindingsState| -> Vec<String> {
            s.shown().iter().map(|&i| s.list[i].rule.clone()).collect()
        };
        assert_eq!(
            rules(&s),
            ["early-high", "late-high", "mid-medium", "early-low"]
        );
        let mut t = s.clone();
        t.order = t.order.next();
        assert_eq!(
            rules(&t),
            ["early-low", "early-high", "mid-medium", "late-high"]
        );
        // A finding keeps its index when the order changes; only its row moves.
        let late_high = s.list.iter().position(|f| f.rule == "late-high").unwrap();
        assert_eq!(s.row_of(late_high), 1);
        assert_eq!(t.row_of(late_high), 3);
        assert_eq!(t.list[t.moved(late_high, -1)].rule, "mid-medium");
        assert_eq!(t.moved(late_high, 5), late_high, "clamped at the end");
        assert_eq!(t.list[t.moved(late_high, -100)].rule, "early-low");
        assert_eq!(
            s.counts(),
            vec![
                (Severity::High, 2),
                (Severity::Medium, 1),
                (Severity::Low, 1)
            ]
        );
    }

    #[test]
    fn an_empty_list_moves_nowhere() {
        let s = state(Vec::new());
        assert_eq!(s.moved(0, 1), 0);
        assert_eq!(s.row_of(3), 0);
        assert!(s.counts().is_empty());
        assert_eq!(s.status, DetectStatus::Done);
    }

    #[test]
    fn entities_carry_the_highest_severity_naming_them() {
        let s = state(vec![
            finding("a", Severity::Low, 1, &["x"]),
            finding("b", Severity::High, 2, &["x", "y"]),
        ]);
        assert_eq!(
            s.entities.get(EntityKind::Ip, "198.51.100.77"),
            Some(Severity::High)
        );
        assert_eq!(
            s.entities.get(EntityKind::Token, "K-a"),
            Some(Severity::Low)
        );
        assert_eq!(s.entities.get(EntityKind::Token, "198.51.100.77"), None);
        assert_eq!(s.entities.len(), 3);
        let x = s.flags.get(&EventKey::from_text("x")).unwrap();
        assert_eq!(x.severity, Severity::High);
        assert_eq!(x.rules, ["b", "a"], "most severe rule first");
    }
}

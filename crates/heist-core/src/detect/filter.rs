//! Filtering findings, as the TUI's Findings tab does with `:`. Terms are ANDed, each may be negated with `-`:
//!
//! - `severity:high` (a comma list: `high,critical`), `severity>=medium` (the severity shown: a step up inside an
//!   incident);
//! - `rule:discovery*` (the rule id, `*` / `?` globs, case-insensitive);
//! - `entity:AKIA*` (any entity a finding names), or by kind: `token:`, `identity:`, `ip:`, `asset:`;
//! - `incident:I1` (the incident it is in), `incident:none` (outside every incident);
//! - `time>=2026-10-05`, `time<=2026-10-05T06:00` (the finding's window touches the time; the zone shown);
//! - any other word: a case-insensitive substring of the rule id, title or explanation.

use crate::entities::EntityKind;
use crate::query::parse::glob_to_regex;
use crate::util::time::{parse_moment, Nanos, TimeZone};

use super::{Finding, Severity};

/// A parsed findings filter.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    terms: Vec<(bool, Term)>,
}

#[derive(Debug, Clone)]
enum Term {
    Severity(Vec<Severity>),
    SeverityAtLeast(Severity),
    Rule(regex::Regex),
    Entity(Option<EntityKind>, regex::Regex),
    Incident(Option<String>),
    After(Nanos),
    Before(Nanos),
    Text(String),
}

/// A glob as a case-insensitive whole-value regex.
fn pattern(v: &str) -> Result<regex::Regex, String> {
    if v.is_empty() {
        return Err("empty value".into());
    }
    glob_to_regex(v).map_err(|e| format!("bad pattern {v:?}: {e}"))
}

impl FindingFilter {
    /// Parse `text` (times read in `tz` when they name no zone); the error names the term.
    pub fn parse(text: &str, tz: TimeZone) -> Result<Self, String> {
        let mut terms = Vec::new();
        for raw in text.split_whitespace() {
            let (neg, t) = match raw.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, raw),
            };
            let term = |e: String| format!("{raw}: {e}");
            let parsed = if let Some(v) = t.strip_prefix("time>=") {
                Term::After(parse_moment(v, tz).ok_or_else(|| term("not a time".into()))?)
            } else if let Some(v) = t.strip_prefix("time<=") {
                Term::Before(parse_moment(v, tz).ok_or_else(|| term("not a time".into()))?)
            } else if let Some(v) = t
                .strip_prefix("severity>=")
                .or_else(|| t.strip_prefix("sev>="))
            {
                Term::SeverityAtLeast(v.parse().map_err(term)?)
            } else if let Some((key, v)) = t.split_once(':') {
                match key.to_ascii_lowercase().as_str() {
                    "severity" | "sev" => Term::Severity(
                        v.split(',')
                            .map(|x| x.parse::<Severity>())
                            .collect::<Result<_, _>>()
                            .map_err(term)?,
                    ),
                    "rule" => Term::Rule(pattern(v).map_err(term)?),
                    "entity" => Term::Entity(None, pattern(v).map_err(term)?),
                    "incident" if v.eq_ignore_ascii_case("none") => Term::Incident(None),
                    "incident" => Term::Incident(Some(v.to_string())),
                    k => match EntityKind::ALL.iter().find(|e| e.name() == k) {
                        Some(kind) => Term::Entity(Some(*kind), pattern(v).map_err(term)?),
                        None => {
                            return Err(term(
                                "unknown field: severity, rule, entity, token, identity, ip, asset, incident or time"
                                    .into(),
                            ))
                        }
                    },
                }
            } else {
                Term::Text(t.to_lowercase())
            };
            terms.push((neg, parsed));
        }
        Ok(FindingFilter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `f` (in the incident `incident`, if any, shown with severity `shown`: a step up inside an
    /// incident) passes every term. Severity terms test the severity shown.
    pub fn matches(&self, f: &Finding, incident: Option<&str>, shown: Severity) -> bool {
        self.terms.iter().all(|(neg, t)| {
            let hit = match t {
                Term::Severity(v) => v.contains(&shown),
                Term::SeverityAtLeast(s) => shown >= *s,
                Term::Rule(re) => re.is_match(&f.rule),
                Term::Entity(kind, re) => f
                    .entities
                    .iter()
                    .any(|e| kind.is_none_or(|k| e.kind == k) && re.is_match(&e.name)),
                Term::Incident(want) => match (want, incident) {
                    (None, None) => true,
                    (Some(w), Some(i)) => w.eq_ignore_ascii_case(i),
                    _ => false,
                },
                Term::After(t) => f.last >= *t,
                Term::Before(t) => f.first <= *t,
                Term::Text(w) => {
                    f.rule.to_lowercase().contains(w)
                        || f.title.to_lowercase().contains(w)
                        || f.explanation.to_lowercase().contains(w)
                }
            };
            hit != *neg
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Entity;

    fn f(rule: &str, sev: Severity, first: Nanos, ents: &[(EntityKind, &str)]) -> Finding {
        Finding {
            rule: rule.into(),
            title: format!("{rule} title"),
            severity: sev,
            techniques: Vec::new(),
            entities: ents.iter().map(|(k, n)| Entity::new(*k, *n)).collect(),
            entities_omitted: 0,
            events: Vec::new(),
            events_total: 1,
            first,
            last: first + 60_000_000_000,
            explanation: "40 InvokeModel in 60m".into(),
            references: Vec::new(),
            falsepositives: Vec::new(),
        }
    }

    fn keep(q: &str, fs: &[(Finding, Option<&str>)]) -> Vec<String> {
        let flt = FindingFilter::parse(q, TimeZone::Utc).unwrap();
        fs.iter()
            .filter(|(x, i)| flt.matches(x, *i, x.severity))
            .map(|(x, _)| x.rule.clone())
            .collect()
    }

    #[test]
    fn terms_and_together_and_negate() {
        let t0 = crate::util::time::parse_any("2026-10-05T02:00:00Z").unwrap();
        let hour = 3_600_000_000_000;
        let fs = vec![
            (
                f(
                    "discovery-burst",
                    Severity::Medium,
                    t0,
                    &[(EntityKind::Token, "AKIASTOLEN")],
                ),
                Some("I1"),
            ),
            (
                f(
                    "inference-volume-spike",
                    Severity::High,
                    t0 + hour,
                    &[(EntityKind::Ip, "198.51.100.77")],
                ),
                Some("I1"),
            ),
            (
                f(
                    "console-login-without-mfa",
                    Severity::Medium,
                    t0 - 24 * hour,
                    &[(EntityKind::Identity, "rosa")],
                ),
                None,
            ),
        ];
        assert_eq!(keep("", &fs).len(), 3);
        assert_eq!(keep("severity:high", &fs), ["inference-volume-spike"]);
        assert_eq!(keep("severity>=medium -severity:high", &fs).len(), 2);
        assert_eq!(keep("rule:discovery*", &fs), ["discovery-burst"]);
        assert_eq!(keep("token:akia*", &fs), ["discovery-burst"]);
        assert_eq!(keep("entity:198.51.100.*", &fs), ["inference-volume-spike"]);
        assert_eq!(keep("incident:none", &fs), ["console-login-without-mfa"]);
        assert_eq!(
            keep("incident:i1 -rule:discovery*", &fs),
            ["inference-volume-spike"]
        );
        assert_eq!(keep("time>=2026-10-05", &fs).len(), 2);
        assert_eq!(
            keep("time<=2026-10-05T01:00", &fs),
            ["console-login-without-mfa"]
        );
        assert_eq!(keep("SPIKE", &fs), ["inference-volume-spike"]);
    }

    #[test]
    fn a_bad_term_is_named() {
        for (q, says) in [
            ("severity:severe", "severity:severe"),
            ("colour:red", "unknown field"),
            ("time>=yesterday", "not a time"),
            ("rule:", "empty value"),
        ] {
            let e = FindingFilter::parse(q, TimeZone::Utc).unwrap_err();
            assert!(e.contains(says), "{q}: {e}");
        }
    }
}

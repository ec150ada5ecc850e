//! How an incident reads in one line: the steps of the attack in time order, named after the techniques of its
//! findings (ATT&CK and ATLAS ids, so rules from any pack, Sigma's included, tell the same story), and its score.

use crate::detect::{Finding, Severity};

/// The attack step a technique stands for, by its id (sub-techniques by their parent).
pub fn step(technique: &str) -> Option<&'static str> {
    let base = match technique.split_once('.') {
        // ATLAS ids are `AML.T0035` and `AML.T0048.004`: keep the `AML.Txxxx` part.
        Some(("AML", rest)) => &technique[..4 + rest.split('.').next().map_or(0, str::len)],
        Some((parent, _)) => parent,
        None => technique,
    };
    Some(match base {
        "T1078" | "AML.T0012" => "valid credentials from a new place",
        "T1087" | "T1580" | "T1619" | "T1526" | "T1069" | "T1082" | "AML.T0007" | "AML.T0014" => {
            "discovery"
        }
        "T1552" | "T1528" | "T1555" | "T1606" | "T1110" | "AML.T0055" => "credential access",
        "T1550" => "stolen token reuse",
        "T1098" | "T1136" | "T1556" | "T1546" | "T1525" => "persistence",
        "T1548" | "T1484" | "T1068" => "privilege escalation",
        "T1530" | "T1213" | "T1005" | "T1119" | "AML.T0025" | "AML.T0035" | "AML.T0024" => {
            "collection"
        }
        "T1537" | "T1567" | "T1048" | "T1041" | "AML.T0048" => "exfiltration",
        "T1562" | "T1070" | "T1578" | "T1535" => "defense evasion",
        "T1496" | "AML.T0034" | "AML.T0040" | "AML.T0029" => "resource hijacking",
        "T1565" | "T1485" | "T1486" | "T1490" | "T1491" | "AML.T0020" | "AML.T0018"
        | "AML.T0031" => "poisoning or tampering",
        "T1648" | "T1651" | "T1059" | "T1021" | "T1204" | "T1609" | "T1610" => "execution",
        "T1666" | "T1199" | "T1190" | "T1133" | "AML.T0010" => "initial access",
        _ => return None,
    })
}

/// The steps of `findings` (in time order), each once, in the order they first happened.
pub fn steps<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for f in findings {
        if let Some(s) = f.techniques.iter().find_map(|t| step(t)) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// What a finding's severity weighs in a score.
pub fn weight(s: Severity) -> u32 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 3,
        Severity::High => 8,
        Severity::Critical => 20,
    }
}

/// An incident's score: each rule once at its highest severity (a rule firing fifty times is one signal), plus a
/// bonus per attack step beyond the first (an intruder moves through the kill chain; routine work repeats one
/// thing).
pub fn score<'a>(findings: impl IntoIterator<Item = &'a Finding> + Clone) -> u32 {
    let mut best: Vec<(&str, Severity)> = Vec::new();
    for f in findings.clone() {
        match best.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, s)) => *s = (*s).max(f.severity),
            None => best.push((&f.rule, f.severity)),
        }
    }
    let steps = steps(findings).len() as u32;
    best.iter().map(|(_, s)| weight(*s)).sum::<u32>() + 4 * steps.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Entity;

    fn f(rule: &str, sev: Severity, techniques: &[&str]) -> Finding {
        Finding {
            rule: rule.into(),
            title: rule.into(),
            severity: sev,
            techniques: techniques.iter().map(|s| s.to_string()).collect(),
            entities: Vec::<Entity>::new(),
            entities_omitted: 0,
            events: Vec::new(),
            events_total: 1,
            first: 0,
            last: 0,
            explanation: String::new(),
            references: Vec::new(),
            falsepositives: Vec::new(),
        }
    }

    #[test]
    fn techniques_name_steps() {
        assert_eq!(step("T1087.004"), Some("discovery"));
        assert_eq!(step("AML.T0048.004"), Some("exfiltration"));
        assert_eq!(step("AML.T0035"), Some("collection"));
        assert_eq!(step("T1562.008"), Some("defense evasion"));
        assert_eq!(step("T9999"), None);
        assert_eq!(step("AML"), None);
    }

    #[test]
    fn steps_keep_first_occurrence_order() {
        let v = [
            f("a", Severity::Medium, &["T1580"]),
            f("b", Severity::High, &["T9999", "T1530"]),
            f("c", Severity::Medium, &["T1619"]),
            f("d", Severity::High, &["T1098.001"]),
        ];
        assert_eq!(steps(&v), ["discovery", "collection", "persistence"]);
    }

    #[test]
    fn a_rule_repeated_scores_once_and_steps_add() {
        let burst = f("discovery-burst", Severity::Medium, &["T1087.004"]);
        let many = vec![burst.clone(); 40];
        assert_eq!(score(&many), 3, "forty bursts are one signal");
        let story = [
            burst,
            f("bulk", Severity::High, &["T1530"]),
            f("key", Severity::High, &["T1098.001"]),
        ];
        assert_eq!(score(&story), 3 + 8 + 8 + 4 * 2);
    }
}

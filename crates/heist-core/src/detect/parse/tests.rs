use super::*;
use crate::detect::RulePack;

const BASE: &str = r#"
[[rule]]
id = "bulk-model-download"
title = "t"
severity = "HIGH"
techniques = ["T1530", "AML.T0035"]
description = "d"
kind = "threshold"
query = "action:GetObject"
group = "principal"
window = "60m"
above = 3
"#;

fn err(text: &str) -> String {
    match parse_file("assets/rules/exfil.toml", text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_valid_rule_reads_every_field() {
    let rules = parse_file("x.toml", BASE).unwrap();
    assert_eq!(rules.len(), 1);
    let r = &rules[0];
    assert_eq!(r.id, "bulk-model-download");
    assert_eq!(r.severity, Severity::High, "severity is case-insensitive");
    assert_eq!(r.techniques, ["T1530", "AML.T0035"]);
    assert!(r.enabled && !r.overrides);
    let RuleKind::Threshold(t) = &r.kind else {
        panic!("{:?}", r.kind)
    };
    assert_eq!(t.window, 60 * duration::MINUTE);
    assert_eq!(t.above, Some(3.0));
    assert_eq!(t.above_baseline, None);
    assert_eq!(t.measure, Measure::Count);
    assert_eq!(t.group, Group::Principal);
}

#[test]
fn errors_name_file_rule_and_field() {
    let e = err(&BASE.replace("window = \"60m\"", "window = \"an hour\""));
    assert_eq!(
        e,
        "assets/rules/exfil.toml: rule \"bulk-model-download\": field \"window\": expected a duration like \"60m\" (units s, m, h, d)"
    );
    let e = err(&BASE.replace("above = 3", "above = \"three\""));
    assert!(
        e.ends_with("field \"above\": expected a number, not string"),
        "{e}"
    );
    let e = err(&BASE.replace("above = 3", "colour = \"red\""));
    assert!(
        e.contains("field \"colour\": unknown field; kind \"threshold\" takes id, title"),
        "{e}"
    );
    let e = err(&BASE.replace("above = 3", "differ = [\"a\", \"b\"]"));
    assert!(e.contains("field \"differ\": does not apply to kind \"threshold\" (it is a field of \"match\" rules)"), "{e}");
    let e = err(&BASE.replace("severity = \"HIGH\"", "severity = \"severe\""));
    assert!(
        e.contains("field \"severity\": unknown severity \"severe\""),
        "{e}"
    );
    let e = err(&BASE.replace("\"T1530\"", "\"T153\""));
    assert!(
        e.contains("field \"techniques\": \"T153\" is not a technique id"),
        "{e}"
    );
    let e = err(&BASE.replace("kind = \"threshold\"", "kind = \"magic\""));
    assert!(
        e.contains("field \"kind\": \"magic\": expected match, threshold"),
        "{e}"
    );
    let e = err(&BASE.replace("above = 3", ""));
    assert!(
        e.contains("field \"above\": missing: give `above = N`"),
        "{e}"
    );
    let e = err(&BASE.replace("group = \"principal\"", "group = \"team\""));
    assert!(
        e.contains("field \"group\": \"team\": expected identity, token, ip, asset or principal"),
        "{e}"
    );
    let e = err(&BASE.replace("id = \"bulk-model-download\"", "id = \"Bulk Model\""));
    assert!(
        e.contains("rule \"Bulk Model\": field \"id\": \"Bulk Model\": use lower-case"),
        "{e}"
    );
    let e = err(&BASE.replace("id = \"bulk-model-download\"\n", ""));
    assert!(e.contains("rule #1: field \"id\": missing"), "{e}");
    let e = err(&BASE.replace("measure", "x").replace(
        "group = \"principal\"",
        "group = \"principal\"\nmeasure = \"median(bytes)\"",
    ));
    assert!(
        e.contains("field \"measure\": \"median(bytes)\": expected count"),
        "{e}"
    );
}

#[test]
fn a_bad_query_is_a_load_error_with_the_query_error() {
    let e = err(&BASE.replace("action:GetObject", "action:GetObject colour:red"));
    assert!(
        e.starts_with("assets/rules/exfil.toml: rule \"bulk-model-download\": field \"query\": unknown field \"colour\""),
        "{e}"
    );
    assert!(
        e.contains("^^^^^^^^^^"),
        "the query error points at the term: {e}"
    );
    let e = err(&BASE.replace("query = \"action:GetObject\"", "query = []"));
    assert!(
        e.contains("field \"query\": needs at least one query"),
        "{e}"
    );
}

#[test]
fn file_level_errors() {
    let e = err("[[rule]\nid=");
    assert!(
        e.starts_with("assets/rules/exfil.toml: TOML parse error"),
        "{e}"
    );
    let e = err("title = \"x\"\n");
    assert!(e.contains("unknown top-level key \"title\""), "{e}");
    assert!(parse_file("empty.toml", "").unwrap().is_empty());
}

#[test]
fn every_kind_parses() {
    let text = r#"
[[rule]]
id = "m"
title = "t"
severity = "low"
techniques = ["T1098.001"]
description = "d"
kind = "match"
query = ["action:CreateAccessKey", "action:CreateLoginProfile"]
differ = ["identity", "minted_identity"]
merge = "5m"

[[rule]]
id = "f"
title = "t"
severity = "medium"
techniques = ["T1078.004"]
description = "d"
kind = "first_seen"
query = "token_kind:long_term"
entity = "location"
depth = 2
attribute = "network"
baseline = "1d"
history = "query"
settle = "2h"
max_known = 3

[[rule]]
id = "s"
title = "t"
severity = "high"
techniques = ["AML.T0040"]
description = "d"
kind = "sequence"
first = "action:PutUseCaseForModelAccess"
then = "action:InvokeModel"
by = "token"
within = "1h"

[[rule]]
id = "a"
title = "t"
severity = "critical"
techniques = ["T1550.001"]
description = "d"
kind = "after_end"
of = "revoked_parent"
grace = "30s"
enabled = false
"#;
    let rules = parse_file("k.toml", text).unwrap();
    assert_eq!(rules.len(), 4);
    let RuleKind::Match(m) = &rules[0].kind else {
        panic!()
    };
    assert_eq!(m.query.0.len(), 2);
    assert_eq!(m.merge, 5 * duration::MINUTE);
    assert!(m.differ.is_some());
    let RuleKind::FirstSeen(f) = &rules[1].kind else {
        panic!()
    };
    assert_eq!(
        (f.entity, f.attribute, f.depth, f.history),
        (Scope::Location, Attribute::Network, 2, History::Query)
    );
    assert_eq!(f.settle, 2 * duration::HOUR);
    assert_eq!(f.max_known, Some(3));
    let RuleKind::Sequence(s) = &rules[2].kind else {
        panic!()
    };
    assert_eq!((s.by, s.within), (Group::Token, duration::HOUR));
    let RuleKind::AfterEnd(a) = &rules[3].kind else {
        panic!()
    };
    assert_eq!(
        (a.of, a.grace),
        (EndOf::RevokedParent, 30 * duration::SECOND)
    );
    assert!(!rules[3].enabled);
}

#[test]
fn technique_ids() {
    for ok in ["T1530", "T1078.004", "AML.T0024", "AML.T0048.004"] {
        assert!(valid_technique(ok), "{ok}");
    }
    for bad in [
        "T153",
        "T1078.4",
        "AML.0024",
        "aml.t0024",
        "T1078.0044",
        "X1530",
        "",
    ] {
        assert!(!valid_technique(bad), "{bad}");
    }
}

#[test]
fn the_shipped_pack_parses_with_unique_ids() {
    let pack = RulePack::builtin().unwrap();
    assert!(pack.len() >= 35, "{} rules", pack.len());
    let mut ids: Vec<&str> = pack.rules().iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    for r in pack.rules() {
        assert!(!r.techniques.is_empty(), "{}", r.id);
        assert!(
            r.description.len() > 40,
            "{} needs a real description",
            r.id
        );
    }
}

#[test]
fn merging_clashes_or_overrides() {
    let mut pack = RulePack::builtin().unwrap();
    let mut user = BASE.replace("bulk-model-download", "long-term-key-new-ip");
    let e = pack
        .merge(RulePack::from_toml("user.toml", &user).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "rule \"long-term-key-new-ip\" is defined twice: in assets/rules/credentials.toml and in user.toml (set `override = true` to replace it)"
    );
    user = user.replace("above = 3", "above = 3\noverride = true");
    let before = pack.len();
    pack.merge(RulePack::from_toml("user.toml", &user).unwrap())
        .unwrap();
    assert_eq!(pack.len(), before);
    assert_eq!(pack.get("long-term-key-new-ip").unwrap().file, "user.toml");
    let stray = BASE
        .replace("bulk-model-download", "no-such-shipped-rule")
        .replace("above = 3", "above = 3\noverride = true");
    let e = pack
        .merge(RulePack::from_toml("user.toml", &stray).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`override = true` but no loaded rule has this id"),
        "{e}"
    );
}

#[test]
fn docs_list_every_shipped_rule() {
    let doc = std::fs::read_to_string(crate::util::repo_root().join("docs/detect.md")).unwrap();
    for r in RulePack::builtin().unwrap().rules() {
        let row = doc
            .lines()
            .find(|l| l.contains(&format!("| `{}` |", r.id)))
            .unwrap_or_else(|| panic!("docs/detect.md misses rule {}", r.id));
        assert!(row.contains(&format!("| {} |", r.severity)), "{row}");
        assert!(row.contains(&r.techniques.join(" ")), "{row}");
    }
}

const MATCH: &str = r#"
[[rule]]
id = "admin-granted"
title = "t"
severity = "critical"
techniques = ["T1098.003"]
description = "d"
kind = "match"
"#;

#[test]
fn queries_may_carry_raw_conditions() {
    let text = format!(
        "{MATCH}query = [\"action:StopLogging\", {{ where = \"action:AttachUserPolicy\", raw = [\"requestParameters.policyArn:*/AdministratorAccess\"] }}]\n"
    );
    let rules = parse_file("x.toml", &text).unwrap();
    assert!(rules[0].reads_raw());
    let RuleKind::Match(m) = &rules[0].kind else {
        panic!("{:?}", rules[0].kind)
    };
    assert!(m.query.0[0].raw.is_none());
    assert_eq!(m.query.0[1].text, "action:AttachUserPolicy");
    assert!(m.query.0[1].raw.is_some());
    let e = err(&format!("{MATCH}query = {{ raw = \"a:b\" }}\n"));
    assert!(
        e.ends_with("field \"query\": a query table needs `where = \"query\"`"),
        "{e}"
    );
    let e = err(&format!(
        "{MATCH}query = {{ where = \"action:X\", colour = \"red\" }}\n"
    ));
    assert!(e.contains("unknown key \"colour\" in a query table"), "{e}");
    let e = err(&format!(
        "{MATCH}query = {{ where = \"action:X\", raw = \"requestParameters\" }}\n"
    ));
    assert!(
        e.contains("field \"query\": raw \"requestParameters\": "),
        "{e}"
    );
    let e = err(&format!("{MATCH}query = 3\n"));
    assert!(e.contains("expected a query, a table"), "{e}");
}

#[test]
fn shared_ip_and_compared_names() {
    let text = format!(
        "{MATCH}query = \"token_kind:session\"\nshared_ip = {{ with = \"token_kind:long_term\", within = \"24h\" }}\ndiffer = [\"identity_name\", \"minted_identity_name\"]\n"
    );
    let rules = parse_file("x.toml", &text).unwrap();
    let RuleKind::Match(m) = &rules[0].kind else {
        panic!("{:?}", rules[0].kind)
    };
    assert_eq!(
        m.shared_ip.as_ref().map(|s| s.within),
        Some(24 * duration::HOUR)
    );
    assert_eq!(
        m.differ,
        Some((
            DiffField::Name(Col::Identity),
            DiffField::Name(Col::MintedIdentity)
        ))
    );
    let e = err(&format!(
        "{MATCH}query = \"action:X\"\nshared_ip = {{ within = \"1h\" }}\n"
    ));
    assert!(e.contains("field \"shared_ip\": missing `with`"), "{e}");
    let e = err(&format!(
        "{MATCH}query = \"action:X\"\nshared_ip = {{ with = \"ip:*\", within = \"soon\" }}\n"
    ));
    assert!(e.contains("within: \"soon\" is not a duration"), "{e}");
    let e = err(&format!(
        "{MATCH}query = \"action:X\"\ndiffer = [\"identity\", \"bytes_name\"]\n"
    ));
    assert!(
        e.contains("\"bytes_name\" is not a dictionary-coded text column"),
        "{e}"
    );
}

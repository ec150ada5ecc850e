//! The SigmaHQ corpus and the specification's examples, when `HEIST_REAL_DATA` names the data folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::detect::sigma::parse::{parse_documents, CorrelationKind, SigmaDoc, SigmaError};

/// The corpus folder, or `None` (with a notice) when `HEIST_REAL_DATA` is unset.
fn sigma_dir(test: &str) -> Option<PathBuf> {
    let Some(root) = std::env::var_os("HEIST_REAL_DATA") else {
        eprintln!("{test}: HEIST_REAL_DATA is not set, skipping the Sigma corpus test");
        return None;
    };
    let dir = Path::new(&root).join("sigma");
    assert!(
        dir.is_dir(),
        "HEIST_REAL_DATA is set but {} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// Every `.yml` file under `dir`, sorted.
fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    out.sort();
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The reason of an `Unsupported`, placeholders counted together.
fn reason(msg: &str) -> String {
    if msg.starts_with("placeholder %") {
        "placeholder (modifier expand)".into()
    } else {
        msg.to_owned()
    }
}

#[test]
fn corpus_rules_parse_without_invalid() {
    let Some(dir) = sigma_dir("corpus_rules_parse_without_invalid") else {
        return;
    };
    let files = yml_files(&dir.join("rules"));
    assert!(
        files.len() > 250,
        "expected the SigmaHQ cloud, identity and application rules, found {}",
        files.len()
    );
    let (mut rules, mut correlations) = (0, 0);
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut invalid = Vec::new();
    for f in &files {
        match parse_documents(&read(f)) {
            Ok(docs) => {
                assert!(!docs.is_empty(), "{}: no document", f.display());
                for d in docs {
                    match d {
                        SigmaDoc::Rule(r) => {
                            rules += 1;
                            assert!(
                                !r.detection.fields().is_empty() || r.detection.uses_keywords(),
                                "{}",
                                f.display()
                            );
                        }
                        SigmaDoc::Correlation(_) => correlations += 1,
                    }
                }
            }
            Err(SigmaError::Unsupported(m)) => *unsupported.entry(reason(&m)).or_default() += 1,
            Err(SigmaError::Invalid(m)) => invalid.push(format!("{}: {m}", f.display())),
        }
    }
    eprintln!(
        "sigma rules/: {} files, {rules} rules and {correlations} correlations parsed",
        files.len()
    );
    for (why, n) in &unsupported {
        eprintln!("  unsupported x{n}: {why}");
    }
    assert!(invalid.is_empty(), "invalid rules:\n{}", invalid.join("\n"));
}

#[test]
fn corpus_auxiliary_folders_give_the_expected_reasons() {
    let Some(dir) = sigma_dir("corpus_auxiliary_folders_give_the_expected_reasons") else {
        return;
    };
    let (mut parsed, mut aggregations, mut timeframes, mut placeholders, mut near) =
        (0, 0, 0, 0, 0);
    let folders = [
        "rules-placeholder",
        "unsupported",
        "deprecated",
        "rules-threat-hunting",
        "rules-emerging-threats",
    ];
    for folder in folders {
        for f in yml_files(&dir.join(folder)) {
            let text = read(&f);
            let name = f.display();
            let result = parse_documents(&text);
            if text.contains("|expand") {
                match &result {
                    Err(SigmaError::Unsupported(m))
                        if m.contains("placeholder %") && m.contains("(modifier expand)") =>
                    {
                        placeholders += 1
                    }
                    other => panic!("{name}: a placeholder error expected, got {other:?}"),
                }
            } else if text.contains("| near") {
                assert_eq!(
                    result.as_ref().err(),
                    Some(&SigmaError::Unsupported("aggregation `near`".into())),
                    "{name}"
                );
                near += 1;
            } else {
                let docs = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                for d in &docs {
                    let SigmaDoc::Rule(r) = d else { continue };
                    parsed += 1;
                    if text.contains("| count(") {
                        let a = r
                            .detection
                            .aggregation()
                            .unwrap_or_else(|| panic!("{name}: no aggregation"));
                        assert!(a.value > 0.0, "{name}");
                        timeframes += usize::from(r.detection.timeframe().is_some());
                        aggregations += 1;
                    }
                }
            }
        }
    }
    eprintln!("sigma aux folders: {parsed} rules parsed ({aggregations} with count aggregations, {timeframes} with a timeframe), {placeholders} placeholder rules, {near} near");
    assert_eq!(aggregations, 7, "the unsupported/cloud count() rules");
    assert_eq!(timeframes, 6, "all but one count() rule carry a timeframe");
    assert_eq!(near, 1);
    assert!(placeholders >= 10, "{placeholders}");
}

#[test]
fn specification_examples_parse() {
    let Some(dir) = sigma_dir("specification_examples_parse") else {
        return;
    };
    let schema = dir.join("sigma-specification/tests/schema");
    for f in yml_files(&schema.join("rules")) {
        let docs = parse_documents(&read(&f)).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(
            matches!(docs.as_slice(), [SigmaDoc::Rule(_)]),
            "{}",
            f.display()
        );
    }
    for f in yml_files(&schema.join("filter")) {
        let e = parse_documents(&read(&f)).expect_err("filters are unsupported");
        assert!(
            matches!(&e, SigmaError::Unsupported(m) if m.contains("filter")),
            "{}: {e}",
            f.display()
        );
    }
    let correlations = yml_files(&schema.join("correlation"));
    assert_eq!(correlations.len(), 8);
    for f in correlations {
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let result = parse_documents(&read(&f));
        let kind = match result {
            Ok(docs) => match docs.as_slice() {
                [SigmaDoc::Correlation(c)] => {
                    assert!(
                        !c.rules.is_empty() && !c.group_by.is_empty() && c.timespan.as_secs() > 0,
                        "{stem}"
                    );
                    c.kind.clone()
                }
                other => panic!("{stem}: one correlation expected, got {other:?}"),
            },
            Err(SigmaError::Unsupported(m)) => {
                assert!(
                    ["value_sum", "value_avg", "value_percentile"].contains(&stem.as_str()),
                    "{stem}: {m}"
                );
                assert_eq!(m, format!("correlation type `{stem}`"));
                continue;
            }
            Err(e) => panic!("{stem}: {e}"),
        };
        let expected = match stem.as_str() {
            "event_count" | "event_count_ecs" => CorrelationKind::EventCount,
            "value_count" => CorrelationKind::ValueCount {
                field: "User".into(),
            },
            "temporal" => CorrelationKind::Temporal,
            "temporal_ordered" => CorrelationKind::TemporalOrdered,
            other => panic!("unexpected example {other}"),
        };
        assert_eq!(kind, expected, "{stem}");
    }
}

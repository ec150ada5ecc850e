//! What "training data" is. Rules name it `@training_data` in their queries (`asset:@training_data`); by default
//! that is any storage location whose bucket or path segment says so (`train`, `training`, `dataset(s)`,
//! `corpus`, `finetune`, `sft`, `rlhf`, `dpo`; not `labels` or `annotations`, which hold many things besides).
//! The analyst says what it really is, and then only that counts: glob patterns over asset names
//! (`acme-training-data/*`, `*/finetune/*`) from `--training-data`, a `training-data.txt` in the config dir (one
//! pattern per line, `#` comments), or assets tagged `training-data` in the case.

use std::path::Path;

/// The name rules use.
pub const MACRO: &str = "@training_data";

/// The case tag that marks an asset as training data.
pub const TAG: &str = "training-data";

/// The default: a location whose bucket or path segment is named for training data.
pub const DEFAULT: &str =
    "/(?i)(^|[/_.-])(train|training|dataset|datasets|corpus|finetune|fine-tune|fine_tune|sft|rlhf|dpo)([/_.-]|$)/";

/// `text` with `@training_data` replaced by `value` (a query value: the default regex, or a list of globs).
pub fn expand(text: &str, value: &str) -> String {
    text.replace(MACRO, value)
}

/// The query value for the analyst's patterns: each quoted, comma-separated (`"a/*","b/*"`). A pattern naming an
/// asset exactly (a tagged asset) also covers what lies under it (`bucket/prefix` → `bucket/prefix/*`).
pub fn value_of(patterns: &[String]) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for p in patterns.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let p = p.replace('"', "");
        out.push(format!("\"{p}\""));
        if !p.contains('*') && !p.contains('?') {
            out.push(format!("\"{}/*\"", p.trim_end_matches('/')));
        }
    }
    (!out.is_empty()).then(|| out.join(","))
}

/// The patterns of a `training-data.txt`: one per line, blank lines and `#` comments skipped.
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The patterns in `dir/training-data.txt`, if there is one.
pub fn load_config(dir: &Path) -> std::io::Result<Vec<String>> {
    let p = dir.join("training-data.txt");
    match std::fs::read_to_string(&p) {
        Ok(t) => Ok(parse_list(&t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    #[test]
    fn the_default_names_training_locations_not_labels() {
        let q = parse(&expand("asset:@training_data", DEFAULT)).unwrap();
        let m = |s: &str| match &q.terms[0].kind {
            crate::query::TermKind::Field { any_of, .. } => any_of.iter().any(|p| p.matches(s)),
            _ => false,
        };
        assert!(m("acme-training-data/corpus/shard-0001.parquet"));
        assert!(m("ml/datasets/v3/part-0.jsonl"));
        assert!(m("acme-ml/finetune/v5/x.jsonl"));
        assert!(
            !m("acme-labeling/labels/batch-7.json"),
            "labels are not training data by default"
        );
        assert!(!m("acme-app-logs/2026/10/04/app.log"));
        assert!(!m("acme-models/llm-7b/model.safetensors"));
    }

    #[test]
    fn the_analysts_patterns_replace_the_default() {
        let v = value_of(&[
            "acme-training-data".into(),
            " */finetune/* ".into(),
            "".into(),
        ])
        .unwrap();
        assert_eq!(
            v,
            "\"acme-training-data\",\"acme-training-data/*\",\"*/finetune/*\""
        );
        let q = parse(&expand("action:PutObject asset:@training_data", &v)).unwrap();
        let m = |s: &str| match &q.terms[1].kind {
            crate::query::TermKind::Field { any_of, .. } => any_of.iter().any(|p| p.matches(s)),
            _ => false,
        };
        assert!(m("acme-training-data/corpus/a.parquet"));
        assert!(m("other/finetune/v5/a.jsonl"));
        assert!(
            !m("acme-datasets-archive/x"),
            "the default no longer applies"
        );
        assert_eq!(value_of(&[" ".into()]), None);
    }

    #[test]
    fn a_list_file_skips_comments_and_blanks() {
        assert_eq!(
            parse_list(
                "# what we train on\nacme-training-data/*\n\n  */sft/*  # fine-tuning sets\n"
            ),
            ["acme-training-data/*", "*/sft/*"]
        );
    }

    #[test]
    fn the_analysts_patterns_rewrite_the_rules_that_name_training_data() {
        use crate::detect::{RuleKind, RulePack};
        let queries = |p: &RulePack| -> Vec<String> {
            p.rules()
                .iter()
                .filter(|r| r.id == "training-data-new-writer")
                .flat_map(|r| match &r.kind {
                    RuleKind::FirstSeen(f) => {
                        f.query.0.iter().map(|q| format!("{:?}", q.query)).collect()
                    }
                    _ => Vec::new(),
                })
                .collect()
        };
        let pack = RulePack::builtin().unwrap();
        let before = queries(&pack);
        assert_eq!(before.len(), 1);
        assert!(before[0].contains("corpus"), "{before:?}");
        let same = pack.clone().with_training_data(&[]).unwrap();
        assert_eq!(queries(&same), before, "no patterns keep the default");
        let mine = pack
            .with_training_data(&["acme-training-data/*".into()])
            .unwrap();
        let after = queries(&mine);
        assert!(after[0].contains("acme-training-data/*"), "{after:?}");
        assert!(
            !after[0].contains("corpus"),
            "the default is gone: {after:?}"
        );
    }
}

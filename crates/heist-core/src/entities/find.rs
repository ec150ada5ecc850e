//! The finder: fuzzy search over every entity name in the frame (identities, including the roles behind sessions
//! and the callers behind impersonations; tokens, including minted ones never used; assets; source IPs), ranked by
//! match quality and then by how active the entity is.

use std::collections::HashMap;

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use polars::prelude::*;

use super::{Entity, EntityKind};
use crate::frame::Col;
use crate::query::stats::value_counts;

/// One finder result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindHit {
    pub entity: Entity,
    pub score: i64,
    /// Events where the name appears in the entity's own column.
    pub events: u64,
    /// Char positions of the matched pattern characters, for highlighting.
    pub positions: Vec<usize>,
}

/// Every entity name with its event count, built once per store.
pub struct Finder {
    candidates: Vec<(Entity, u64)>,
    matcher: SkimMatcherV2,
}

impl Finder {
    pub fn new(df: &DataFrame) -> PolarsResult<Self> {
        let mut counts: HashMap<(EntityKind, String), u64> = HashMap::new();
        let sources: &[(EntityKind, Col, bool)] = &[
            (EntityKind::Identity, Col::Identity, true),
            (EntityKind::Identity, Col::Issuer, false),
            (EntityKind::Identity, Col::Caller, false),
            (EntityKind::Identity, Col::MintedIdentity, false),
            (EntityKind::Token, Col::Token, true),
            (EntityKind::Token, Col::MintedToken, false),
            (EntityKind::Asset, Col::Asset, true),
            (EntityKind::Ip, Col::SourceIp, true),
        ];
        for &(kind, col, own) in sources {
            for (name, n) in value_counts(df, col)? {
                let e = counts.entry((kind, name)).or_insert(0);
                if own {
                    *e += n;
                }
            }
        }
        let mut candidates: Vec<(Entity, u64)> = counts
            .into_iter()
            .map(|((k, n), c)| (Entity::new(k, n), c))
            .collect();
        // Most active first, then by name and kind: a total order, so equal scores always rank the same way.
        candidates.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.name.cmp(&b.0.name))
                .then_with(|| a.0.kind.cmp(&b.0.kind))
        });
        Ok(Self {
            candidates,
            matcher: SkimMatcherV2::default().ignore_case(),
        })
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The best `limit` matches of `pattern`, optionally of one kind. An empty pattern lists the most active.
    ///
    /// Every name is scored without allocating (in parallel); only the best `limit` are cloned and get their match
    /// positions, so a keystroke over hundreds of thousands of names stays fast.
    pub fn search(&self, pattern: &str, kind: Option<EntityKind>, limit: usize) -> Vec<FindHit> {
        use rayon::prelude::*;
        let pattern = pattern.trim();
        let of_kind = |e: &Entity| kind.is_none_or(|k| e.kind == k);
        let hit = |i: usize, score: i64, positions: Vec<usize>| {
            let (e, n) = &self.candidates[i];
            FindHit {
                entity: e.clone(),
                score,
                events: *n,
                positions,
            }
        };
        if pattern.is_empty() {
            // Candidates are kept most active first.
            return (0..self.candidates.len())
                .filter(|&i| of_kind(&self.candidates[i].0))
                .take(limit)
                .map(|i| hit(i, 0, Vec::new()))
                .collect();
        }
        // (score, candidate index): candidates are ordered by activity then name, so the index breaks score ties
        // exactly as "more events first, then by name" would.
        let mut scored: Vec<(i64, usize)> = self
            .candidates
            .par_iter()
            .enumerate()
            .filter(|(_, (e, _))| of_kind(e))
            .filter_map(|(i, (e, _))| Some((self.matcher.fuzzy_match(&e.name, pattern)?, i)))
            .collect();
        let best = |a: &(i64, usize), b: &(i64, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if limit == 0 {
            return Vec::new();
        }
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, best);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(best);
        scored
            .into_iter()
            .map(|(score, i)| {
                let positions = self
                    .matcher
                    .fuzzy_indices(&self.candidates[i].0.name, pattern)
                    .map(|(_, p)| p)
                    .unwrap_or_default();
                hit(i, score, positions)
            })
            .collect()
    }
}

/// One-shot search (the CLI's `heist find`).
pub fn find(
    df: &DataFrame,
    pattern: &str,
    kind: Option<EntityKind>,
    limit: usize,
) -> PolarsResult<Vec<FindHit>> {
    Ok(Finder::new(df)?.search(pattern, kind, limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{load_bytes, LoadOptions};

    #[test]
    fn ranks_by_match_then_activity_and_includes_minted_names() {
        let rec = |key: &str, arn: &str, ip: &str| {
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userIdentity":{{"type":"IAMUser","arn":"{arn}","accountId":"1","accessKeyId":"{key}"}},"requestParameters":{{"roleArn":"arn:aws:iam::1:role/ModelOps","roleSessionName":"x"}},"responseElements":{{"credentials":{{"accessKeyId":"ASIAMINTEDNEVERUSED"}},"assumedRoleUser":{{"arn":"arn:aws:sts::1:assumed-role/ModelOps/x"}}}},"eventID":"{key}{ip}"}}"#
            )
        };
        let text = [
            rec(
                "AKIASTOLEN",
                "arn:aws:iam::1:user/ci-deploy",
                "198.51.100.77",
            ),
            rec(
                "AKIASTOLEN",
                "arn:aws:iam::1:user/ci-deploy",
                "198.51.100.78",
            ),
            rec("AKIAOTHER", "arn:aws:iam::1:user/alice", "10.0.0.1"),
        ]
        .join("\n");
        let s = load_bytes("f.jsonl", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap();
        let f = Finder::new(&s.frame).unwrap();
        let hits = f.search("stolen", None, 5);
        assert_eq!(hits[0].entity, Entity::new(EntityKind::Token, "AKIASTOLEN"));
        assert_eq!(hits[0].events, 2);
        assert!(!hits[0].positions.is_empty());
        let hits = f.search("minted", Some(EntityKind::Token), 5);
        assert_eq!(hits[0].entity.name, "ASIAMINTEDNEVERUSED");
        assert_eq!(hits[0].events, 0);
        let hits = f.search("modelops", Some(EntityKind::Identity), 5);
        let names: Vec<_> = hits.iter().map(|h| h.entity.name.as_str()).collect();
        assert!(names.contains(&"arn:aws:sts::1:assumed-role/ModelOps/x"));
        assert!(f.search("zzzzqqq", None, 5).is_empty());
        let ips = f.search("", Some(EntityKind::Ip), 10);
        assert_eq!(ips.len(), 3);
    }

    #[test]
    fn a_short_list_is_the_head_of_the_full_ranking() {
        let lines: Vec<String> = (0..60)
            .map(|i| {
                format!(
                    r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.{}.{}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u{}","accountId":"1","accessKeyId":"AKIAK{:03}"}},"requestParameters":{{"bucketName":"b","key":"shard-{:03}.bin"}},"eventID":"e{i}"}}"#,
                    i % 60,
                    i % 7,
                    i,
                    i % 5,
                    i % 9,
                    i
                )
            })
            .collect();
        let s = load_bytes(
            "f.jsonl",
            lines.join("\n").into_bytes(),
            &LoadOptions::default(),
        )
        .unwrap();
        let f = Finder::new(&s.frame).unwrap();
        for pattern in ["", "1", "u3", "akk0", "shard-05", "10.0.3"] {
            let all = f.search(pattern, None, usize::MAX);
            for limit in [0, 1, 3, 10] {
                let head = f.search(pattern, None, limit);
                assert_eq!(
                    head,
                    all[..limit.min(all.len())],
                    "{pattern:?} limit {limit}"
                );
            }
        }
        assert!(f.search("1", None, usize::MAX).len() > 10);
    }
}

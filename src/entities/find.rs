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
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
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
    pub fn search(&self, pattern: &str, kind: Option<EntityKind>, limit: usize) -> Vec<FindHit> {
        let pattern = pattern.trim();
        let mut hits: Vec<FindHit> = self
            .candidates
            .iter()
            .filter(|(e, _)| kind.is_none_or(|k| e.kind == k))
            .filter_map(|(e, n)| {
                let (score, positions) = if pattern.is_empty() {
                    (0, Vec::new())
                } else {
                    self.matcher.fuzzy_indices(&e.name, pattern)?
                };
                Some(FindHit {
                    entity: e.clone(),
                    score,
                    events: *n,
                    positions,
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| b.events.cmp(&a.events))
                .then_with(|| a.entity.name.cmp(&b.entity.name))
        });
        hits.truncate(limit);
        hits
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
}

//! Predicate push-down to the scan: when a query requires an exact value that always appears verbatim in the raw
//! record (a token), a file whose bytes do not contain it cannot hold a matching event and need not be parsed.
//! JSON may escape any character (`\u0041`, `\/`), so a file holding escapes of that kind is always parsed.

use memchr::memmem;
use regex::bytes::Regex;

/// Query values are matched case-insensitively, so the scan is ASCII-case-insensitive too.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Any of these literals must appear in the file for it to be parsed.
    pub any_of: Vec<String>,
    /// `(?i-u)lit1|lit2|...`: the regex engine expands the case variants of a prefix into a SIMD literal
    /// search (Teddy), several times faster on JSON than a rare-byte scan, whose candidate bytes JSON is full of.
    searcher: Regex,
}

impl Prefilter {
    /// A prefilter for these literals, or `None` when any of them is not usable (then every file is parsed).
    pub fn new(any_of: Vec<String>) -> Option<Self> {
        if any_of.is_empty() || !any_of.iter().all(|l| Self::usable(l)) {
            return None;
        }
        let alternation: Vec<String> = any_of.iter().map(|l| regex::escape(l)).collect();
        let searcher = Regex::new(&format!("(?i-u){}", alternation.join("|"))).ok()?;
        Some(Self { any_of, searcher })
    }

    /// Only literals made of characters that JSON and the text formats never alter are usable.
    pub fn usable(literal: &str) -> bool {
        !literal.is_empty()
            && literal.bytes().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, b'-' | b'_' | b'.' | b':' | b'/' | b'=' | b'+' | b'@')
            })
    }

    pub fn may_match(&self, text: &str) -> bool {
        let b = text.as_bytes();
        if memmem::find(b, b"\\u").is_some() || memmem::find(b, b"\\/").is_some() {
            return true;
        }
        self.searcher.is_match(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_only_when_safe() {
        let p = Prefilter::new(vec!["AKIAEXAMPLE".into()]).unwrap();
        assert!(
            p.may_match(r#"{"accessKeyId":"akiaexample"}"#),
            "case-insensitive like the query"
        );
        assert!(p.may_match(r#"{"accessKeyId":"AKIAEXAMPLE"}"#));
        assert!(!p.may_match(r#"{"accessKeyId":"AKIAOTHER"}"#));
        assert!(
            p.may_match(r#"{"accessKeyId":"\u0041KIAEXAMPLE"}"#),
            "escapes force a parse"
        );
        assert!(!Prefilter::usable("a b"));
        assert!(Prefilter::usable(
            "//iam.googleapis.com/projects/p/serviceAccounts/sa/keys/k"
        ));
    }

    /// A load for a query's value parses only the records that can hold it: a file that has it among thousands of
    /// others keeps just those (and a record whose text is escaped is parsed, to be safe).
    #[test]
    fn a_load_for_a_value_keeps_only_the_records_that_can_hold_it() {
        use crate::ingest::{load_bytes, LoadOptions};
        let rec = |key: &str, id: usize| {
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e{id}","eventType":"AwsApiCall","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"{key}"}}}}"#
            )
        };
        let mut recs: Vec<String> = (0..1000).map(|i| rec("AKIAOTHER", i)).collect();
        recs.push(rec("AKIAWANTED", 1000));
        recs.push(rec("\\u0041KIAWANTED", 1001));
        let text = format!("{{\"Records\":[{}]}}", recs.join(","));
        let opts = LoadOptions {
            prefilter: Prefilter::new(vec!["akiawanted".into()]),
            ..LoadOptions::default()
        };
        let s = load_bytes("ct.json", text.clone().into_bytes(), &opts).unwrap();
        assert_eq!(s.frame.height(), 2);
        let all = load_bytes("ct.json", text.into_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(all.frame.height(), 1002);
    }
}

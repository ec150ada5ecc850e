//! Tests of the Sigma parsing and matching layer: value modifiers, conditions, documents and correlations,
//! and the SigmaHQ corpus (when `HEIST_REAL_DATA` is set).

use std::borrow::Cow;

use serde_json::Value;

use super::{parse_documents, Detection, Record, SigmaDoc, SigmaError, SigmaRule};

mod conditions;
mod corpus;
mod documents;
mod encodings;
mod modifiers;
mod pattern;

/// A record over a JSON object: a field is an exact key first, else a dotted path.
pub(super) struct JsonRecord {
    value: Value,
    text: String,
}

impl JsonRecord {
    pub(super) fn new(value: Value) -> JsonRecord {
        let text = value.to_string();
        JsonRecord { value, text }
    }
}

impl Record for JsonRecord {
    fn values(&self, field: &str) -> Vec<Cow<'_, Value>> {
        if let Some(v) = self.value.get(field) {
            return vec![Cow::Borrowed(v)];
        }
        let mut cur = &self.value;
        for part in field.split('.') {
            match cur.get(part) {
                Some(next) => cur = next,
                None => return Vec::new(),
            }
        }
        vec![Cow::Borrowed(cur)]
    }

    fn text(&self) -> &str {
        &self.text
    }
}

/// A rule document around a `detection` body written at column 0.
pub(super) fn rule_text(detection: &str) -> String {
    let body: String = detection.lines().map(|l| format!("    {l}\n")).collect();
    format!("title: test rule\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n{body}")
}

/// The one rule of a text.
pub(super) fn parse_rule(text: &str) -> Result<SigmaRule, SigmaError> {
    let mut docs = parse_documents(text)?;
    assert_eq!(docs.len(), 1, "one document expected");
    match docs.remove(0) {
        SigmaDoc::Rule(r) => Ok(r),
        SigmaDoc::Correlation(c) => panic!("a rule expected, got correlation {c:?}"),
    }
}

/// The detection of a rule with this `detection` body; panics when it does not parse.
pub(super) fn det(detection: &str) -> Detection {
    match parse_rule(&rule_text(detection)) {
        Ok(r) => r.detection,
        Err(e) => panic!("{e}\n{detection}"),
    }
}

/// The error of a rule with this `detection` body; panics when it parses.
pub(super) fn det_err(detection: &str) -> SigmaError {
    match parse_rule(&rule_text(detection)) {
        Ok(r) => panic!("an error expected, parsed {:?}", r.detection),
        Err(e) => e,
    }
}

/// Whether the detection matches the JSON record.
pub(super) fn hit(d: &Detection, record: Value) -> bool {
    d.matches(&JsonRecord::new(record))
}

/// Whether an error is `Unsupported` and its message contains `needle`.
pub(super) fn is_unsupported(e: &SigmaError, needle: &str) -> bool {
    matches!(e, SigmaError::Unsupported(m) if m.contains(needle))
}

/// Whether an error is `Invalid` and its message contains `needle`.
pub(super) fn is_invalid(e: &SigmaError, needle: &str) -> bool {
    matches!(e, SigmaError::Invalid(m) if m.contains(needle))
}

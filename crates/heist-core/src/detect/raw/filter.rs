//! `raw` conditions: terms over the raw JSON record, for what the frame's columns do not hold (a policy document, a
//! port range, whether MFA was used).
//!
//! ```text
//! requestParameters.policyArn:*/AdministratorAccess
//! additionalEventData.MFAUsed:No -additionalEventData.SamlProviderArn:*
//! requestParameters.policyDocument.Statement[].Effect:Allow requestParameters.policyDocument.Statement[].Action:/^\*$/
//! ```
//!
//! A term is `path:values`, `-path:values` its negation (no value at the path matches, or there is no value). Terms
//! of one condition are ANDed; a list of conditions matches when any does. Values are as in the query language: a
//! comma list of exact values (case-insensitive), `*` / `?` globs, or one `/regex/` as written; a value in double
//! quotes is one exact value (`"*"` is the asterisk itself).
//!
//! A path is dot-separated keys. Arrays on the way are searched element by element; a string that holds JSON (an
//! IAM policy document) is opened when the path goes on into it; the value at the end may be a string, a number or
//! a boolean (`22`, `false`), or an array of them; an object reads as its compact JSON. Terms whose paths share a
//! prefix ending in `[]` must hold in the same element of that array: `Statement[].Effect:Allow
//! Statement[].Resource:"*"` is one statement that allows everything, not two statements that each say half.
//! The path starts at the record, or at the first record nested in it that has the path's first key (CloudTrail's
//! LookupEvents output holds the event as a JSON string in `CloudTrailEvent`; SIEM exports keep it under `_raw`
//! or `event.original`).

use std::borrow::Cow;
use std::collections::VecDeque;

use serde_json::Value;
use thiserror::Error;

use crate::query::parse::{glob_to_regex, Pattern};

/// A `raw` condition that does not parse.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("raw {text:?}: {message}")]
pub struct RawError {
    pub text: String,
    pub message: String,
}

/// Any of several conditions on the raw record, and what to do when the record cannot be read.
#[derive(Debug, Clone)]
pub struct RawFilter {
    pub any_of: Vec<RawQuery>,
    /// Keep an event whose record cannot be read (`unread = "keep"`): for a rule that flagged the action alone
    /// before it read the record, so that detection without the records flags what it always did. By default such
    /// an event is dropped: nothing is claimed that was not checked.
    pub keep_unread: bool,
}

/// Terms, ANDed.
#[derive(Debug, Clone)]
pub struct RawQuery {
    pub text: String,
    terms: Vec<RawTerm>,
}

#[derive(Debug, Clone)]
struct RawTerm {
    negated: bool,
    /// The path as written, for explanations.
    path_text: String,
    /// Keys up to and including the one marked `[]` (empty when the term has no scope).
    scope: Vec<String>,
    /// Keys after the scope (the whole path when there is none).
    rest: Vec<String>,
    any_of: Vec<Pattern>,
}

/// How deep a record may be nested inside another (LookupEvents' `CloudTrailEvent`, a SIEM's `event.original`).
const MAX_NESTING: usize = 3;

impl RawFilter {
    /// Parse one condition per text.
    pub fn parse(texts: &[String]) -> Result<Self, RawError> {
        if texts.is_empty() {
            return Err(RawError {
                text: String::new(),
                message: "needs at least one condition".into(),
            });
        }
        let any_of = texts
            .iter()
            .map(|t| RawQuery::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RawFilter {
            any_of,
            keep_unread: false,
        })
    }

    /// Whether an event with this record (`None`: unreadable) passes.
    pub fn admits(&self, record: Option<&str>) -> bool {
        match record {
            Some(r) => self.check(r).is_some(),
            None => self.keep_unread,
        }
    }

    /// Whether the record matches, with what it showed: `requestParameters.policyArn
    /// arn:aws:iam::aws:policy/AdministratorAccess` (empty when only negated terms held). `None` for a record that
    /// is not JSON or does not match.
    pub fn check(&self, record: &str) -> Option<String> {
        let v: Value = serde_json::from_str(record).ok()?;
        self.any_of.iter().find_map(|q| q.check(&v))
    }
}

impl RawQuery {
    fn parse(text: &str) -> Result<Self, RawError> {
        let fail = |message: String| RawError {
            text: text.to_string(),
            message,
        };
        let mut terms = Vec::new();
        for word in split_terms(text).map_err(fail)? {
            terms.push(parse_term(&word).map_err(fail)?);
        }
        if terms.is_empty() {
            return Err(fail("an empty condition would match every record".into()));
        }
        Ok(RawQuery {
            text: text.to_string(),
            terms,
        })
    }

    fn check(&self, record: &Value) -> Option<String> {
        let mut evidence: Option<String> = None;
        let mut done = vec![false; self.terms.len()];
        for i in 0..self.terms.len() {
            if done[i] {
                continue;
            }
            let t = &self.terms[i];
            if t.scope.is_empty() {
                done[i] = true;
                // No record here has the key: no value, which only a negated term accepts.
                let shown = match nested_root(record, &t.rest[0]) {
                    Some(root) => t.holds(&root)?,
                    None if t.negated => None,
                    None => return None,
                };
                if evidence.is_none() {
                    evidence = shown;
                }
                continue;
            }
            // The terms of this scope, checked together on each element.
            let group: Vec<usize> = (i..self.terms.len())
                .filter(|&j| self.terms[j].scope == t.scope)
                .collect();
            group.iter().for_each(|&j| done[j] = true);
            let root = nested_root(record, &t.scope[0]);
            let elements = root
                .as_deref()
                .map(|r| reach(r, &t.scope))
                .unwrap_or_default();
            if elements.is_empty() {
                // No element: only a scope of negated terms ("no statement that ...") holds.
                if group.iter().all(|&j| self.terms[j].negated) {
                    continue;
                }
                return None;
            }
            let shown = elements.iter().find_map(|el| {
                let mut first: Option<String> = None;
                for &j in &group {
                    let s = self.terms[j].holds(el)?;
                    if first.is_none() {
                        first = s;
                    }
                }
                Some(first)
            })?;
            if evidence.is_none() {
                evidence = shown;
            }
        }
        Some(evidence.unwrap_or_default())
    }
}

impl RawTerm {
    /// `None` when the term does not hold at `node`; `Some(Some(shown))` when a value matched, `Some(None)` when a
    /// negated term held.
    fn holds(&self, node: &Value) -> Option<Option<String>> {
        let values = leaves(&reach(node, &self.rest));
        let hit = values
            .iter()
            .find(|v| self.any_of.iter().any(|p| p.matches(v)));
        match (hit, self.negated) {
            (Some(v), false) => Some(Some(format!("{} {}", self.path_text, shorten(v)))),
            (None, true) => Some(None),
            _ => None,
        }
    }
}

fn shorten(v: &str) -> String {
    const MAX: usize = 80;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        let s: String = v.chars().take(MAX).collect();
        format!("{s}…")
    }
}

/// Terms separated by white space outside double quotes.
fn split_terms(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unclosed double quote".into());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn parse_term(word: &str) -> Result<RawTerm, String> {
    let (negated, body) = match word.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, word),
    };
    let (path_text, value) = body.split_once(':').ok_or_else(|| {
        format!("{word:?}: expected path:value, e.g. requestParameters.userName:alice")
    })?;
    if value.is_empty() {
        return Err(format!("{word:?}: needs a value"));
    }
    let mut scope = Vec::new();
    let mut rest = Vec::new();
    for seg in path_text.split('.') {
        let (key, marked) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        if key.is_empty() || key.contains(['[', ']', '"']) {
            return Err(format!(
                "{path_text:?} is not a path: keys joined by dots, e.g. requestParameters.policyDocument.Statement[].Effect"
            ));
        }
        if marked && !scope.is_empty() {
            return Err(format!("{path_text:?}: only one [] per path"));
        }
        if marked {
            scope = std::mem::take(&mut rest);
            scope.push(key.to_string());
        } else {
            rest.push(key.to_string());
        }
    }
    if rest.is_empty() {
        return Err(format!(
            "{path_text:?}: name a key after the [] (e.g. Statement[].Effect)"
        ));
    }
    Ok(RawTerm {
        negated,
        path_text: path_text.to_string(),
        scope,
        rest,
        any_of: patterns(value)?,
    })
}

fn patterns(value: &str) -> Result<Vec<Pattern>, String> {
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return Ok(vec![Pattern::Exact(inner.to_string())]);
    }
    if value.len() >= 2 && value.starts_with('/') && value.ends_with('/') {
        let re = regex::Regex::new(&value[1..value.len() - 1])
            .map_err(|e| format!("bad regular expression {value}: {e}"))?;
        return Ok(vec![Pattern::Regex(re)]);
    }
    value
        .split(',')
        .filter(|v| !v.is_empty())
        .map(|v| {
            if v.contains(['*', '?']) {
                glob_to_regex(v)
                    .map(|re| Pattern::Glob(v.to_string(), re))
                    .map_err(|e| format!("bad pattern {v:?}: {e}"))
            } else {
                Ok(Pattern::Exact(v.to_string()))
            }
        })
        .collect()
}

/// A string holding a JSON object or array, opened.
fn open(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        serde_json::from_str(t).ok()
    } else {
        None
    }
}

/// The record itself, or the first record nested in it (breadth first, JSON strings opened) that has `key`.
fn nested_root<'v>(record: &'v Value, key: &str) -> Option<Cow<'v, Value>> {
    let mut queue: VecDeque<(Cow<'v, Value>, usize)> = VecDeque::new();
    queue.push_back((Cow::Borrowed(record), 0));
    while let Some((node, depth)) = queue.pop_front() {
        let Value::Object(m) = node.as_ref() else {
            continue;
        };
        if m.contains_key(key) {
            return Some(node);
        }
        if depth >= MAX_NESTING {
            continue;
        }
        let children: Vec<Cow<'v, Value>> = match node {
            Cow::Borrowed(Value::Object(m)) => m.values().filter_map(child).collect(),
            Cow::Owned(Value::Object(m)) => m
                .into_iter()
                .filter_map(|(_, v)| child(&v).map(|c| Cow::Owned(c.into_owned())))
                .collect(),
            _ => Vec::new(),
        };
        queue.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    None
}

/// An object member worth searching for a nested record: an object, or a string holding one.
fn child(v: &Value) -> Option<Cow<'_, Value>> {
    match v {
        Value::Object(_) => Some(Cow::Borrowed(v)),
        Value::String(s) => open(s).filter(Value::is_object).map(Cow::Owned),
        _ => None,
    }
}

/// The nodes at `path` below `node`: arrays on the way searched element by element, JSON strings opened when the
/// path goes on, and an array at the end given as its elements.
fn reach<'v>(node: &'v Value, path: &[String]) -> Vec<Cow<'v, Value>> {
    let mut out = Vec::new();
    walk(Cow::Borrowed(node), path, &mut out);
    out
}

fn walk<'v>(node: Cow<'v, Value>, path: &[String], out: &mut Vec<Cow<'v, Value>>) {
    match node {
        Cow::Borrowed(Value::Array(a)) => {
            for x in a {
                walk(Cow::Borrowed(x), path, out);
            }
        }
        Cow::Owned(Value::Array(a)) => {
            for x in a {
                walk(Cow::Owned(x), path, out);
            }
        }
        node => {
            let Some((key, rest)) = path.split_first() else {
                out.push(node);
                return;
            };
            match node {
                Cow::Borrowed(Value::Object(m)) => {
                    if let Some(c) = m.get(key) {
                        walk(Cow::Borrowed(c), rest, out);
                    }
                }
                Cow::Owned(Value::Object(mut m)) => {
                    if let Some(c) = m.remove(key) {
                        walk(Cow::Owned(c), rest, out);
                    }
                }
                Cow::Borrowed(Value::String(s)) => {
                    if let Some(opened) = open(s) {
                        walk(Cow::Owned(opened), path, out);
                    }
                }
                Cow::Owned(Value::String(s)) => {
                    if let Some(opened) = open(&s) {
                        walk(Cow::Owned(opened), path, out);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The texts of leaf nodes: strings as they are, numbers and booleans written out, objects as compact JSON; null
/// is no value.
fn leaves(nodes: &[Cow<'_, Value>]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match n.as_ref() {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(x) => Some(x.to_string()),
            other => Some(other.to_string()),
        })
        .collect()
}

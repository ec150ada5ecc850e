//! One compiled rule value against the values a record holds at a field.
//!
//! A record's values are walked into scalars: arrays element by element (nested arrays flattened), objects as
//! their compact JSON text. Strings, regexes and field references see a scalar's text (numbers and booleans
//! as written by JSON); numbers, booleans, comparisons and CIDR ranges read numbers and booleans as
//! themselves and strings by parsing them.

use std::borrow::Cow;
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::condition::Cmp;
use super::pattern::{find, Hay, Pattern};
use super::record::Record;

/// Where a field reference's value must sit in the field's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pos {
    /// Equal.
    Whole,
    /// A prefix (`startswith`).
    Start,
    /// A suffix (`endswith`).
    End,
    /// Anywhere (`contains`).
    Anywhere,
}

/// One value of a detection item, compiled.
#[derive(Debug, Clone)]
pub(crate) enum ValueMatcher {
    /// `null`: the field is missing or null.
    Null,
    /// `|exists: true|false`.
    Exists(bool),
    /// A Sigma string, possibly expanded by modifiers into several alternatives (any may match).
    Str(Vec<Pattern>),
    /// `|re`: searched (unanchored) in the scalar's text.
    Regex(regex::Regex),
    /// A number: equal to a number, or to a string holding that number.
    Num { int: Option<i64>, float: f64 },
    /// A boolean: equal to a boolean, or to the string `true`/`false` (any case).
    Bool(bool),
    /// `|gt`, `|gte`, `|lt`, `|lte`: the record's number (or numeric string) compared with the value.
    Cmp(Cmp, f64),
    /// `|cidr`: an IP address (string) inside the network.
    Cidr(IpNet),
    /// `|fieldref`: the field's value compared with another field's value of the same record.
    FieldRef {
        field: String,
        pos: Pos,
        cased: bool,
    },
}

/// A scalar of a record value.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Num(&'a serde_json::Number),
    Str(&'a str),
    /// An object, matched as its compact JSON text.
    Object(&'a Value),
}

impl Scalar<'_> {
    /// The text strings are matched against; `None` for null.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Scalar::Num(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Str(s) => Some(Cow::Borrowed(s)),
            Scalar::Object(v) => serde_json::to_string(v).ok().map(Cow::Owned),
        }
    }

    /// The number it holds: a JSON number, or a string that parses as a finite number.
    fn number(&self) -> Option<f64> {
        match self {
            Scalar::Num(n) => n.as_f64(),
            Scalar::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        }
    }
}

/// Whether `f` holds for any scalar of `v` (arrays walked, objects kept whole).
fn any_scalar(v: &Value, f: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
    match v {
        Value::Null => f(Scalar::Null),
        Value::Bool(b) => f(Scalar::Bool(*b)),
        Value::Number(n) => f(Scalar::Num(n)),
        Value::String(s) => f(Scalar::Str(s)),
        Value::Object(_) => f(Scalar::Object(v)),
        Value::Array(items) => items.iter().any(|e| any_scalar(e, f)),
    }
}

impl ValueMatcher {
    /// Whether the record's values at the item's field (`vals`, as [`Record::values`] gave them) match.
    pub(crate) fn matches(&self, vals: &[Cow<'_, Value>], rec: &dyn Record) -> bool {
        match self {
            ValueMatcher::Null => vals.is_empty() || vals.iter().any(|v| v.is_null()),
            ValueMatcher::Exists(want) => vals.is_empty() != *want,
            ValueMatcher::FieldRef { field, pos, cased } => {
                let other = rec.values(field);
                vals.iter().any(|v| {
                    any_scalar(v, &mut |a| {
                        let Some(a) = a.text() else { return false };
                        other.iter().any(|o| {
                            any_scalar(o, &mut |b| {
                                b.text().is_some_and(|b| compare_ref(&a, &b, *pos, *cased))
                            })
                        })
                    })
                })
            }
            _ => vals.iter().any(|v| any_scalar(v, &mut |s| self.scalar(&s))),
        }
    }

    /// Whether a keyword value is found in a record's whole text (keywords are compiled as substrings).
    pub(crate) fn matches_text(&self, text: &str) -> bool {
        match self {
            ValueMatcher::Str(pats) => {
                let hay = Hay::new(text);
                pats.iter().any(|p| p.matches_hay(&hay))
            }
            ValueMatcher::Regex(re) => re.is_match(text),
            _ => false,
        }
    }

    fn scalar(&self, s: &Scalar<'_>) -> bool {
        match self {
            ValueMatcher::Str(pats) => s.text().is_some_and(|t| {
                let hay = Hay::new(&t);
                pats.iter().any(|p| p.matches_hay(&hay))
            }),
            ValueMatcher::Regex(re) => s.text().is_some_and(|t| re.is_match(&t)),
            ValueMatcher::Num { int, float } => match s {
                Scalar::Num(n) => match (int, n.as_i64()) {
                    (Some(i), Some(j)) => *i == j,
                    _ => n.as_f64() == Some(*float),
                },
                Scalar::Str(t) => {
                    let t = t.trim();
                    match (int, t.parse::<i64>()) {
                        (Some(i), Ok(j)) => *i == j,
                        _ => t.parse::<f64>().is_ok_and(|f| f == *float),
                    }
                }
                _ => false,
            },
            ValueMatcher::Bool(b) => match s {
                Scalar::Bool(x) => x == b,
                Scalar::Str(t) => t
                    .trim()
                    .eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                _ => false,
            },
            ValueMatcher::Cmp(op, right) => s.number().is_some_and(|left| op.holds(left, *right)),
            ValueMatcher::Cidr(net) => match s {
                Scalar::Str(t) => ip_in(net, t.trim()),
                _ => false,
            },
            ValueMatcher::Null | ValueMatcher::Exists(_) | ValueMatcher::FieldRef { .. } => false,
        }
    }
}

/// Whether `text` is an IP address inside `net` (an IPv4-mapped IPv6 address counts as its IPv4 address).
fn ip_in(net: &IpNet, text: &str) -> bool {
    let Ok(ip) = text.parse::<IpAddr>() else {
        return false;
    };
    if net.contains(&ip) {
        return true;
    }
    match (net, ip) {
        (IpNet::V4(n), IpAddr::V6(v6)) => v6.to_ipv4_mapped().is_some_and(|v4| n.contains(&v4)),
        _ => false,
    }
}

/// A field reference test: `b` (the referenced field's value) equal to, a prefix of, a suffix of or inside
/// `a`, case-insensitively unless `cased`.
fn compare_ref(a: &str, b: &str, pos: Pos, cased: bool) -> bool {
    let (a, b): (Cow<'_, str>, Cow<'_, str>) = if cased {
        (a.into(), b.into())
    } else {
        (a.to_lowercase().into(), b.to_lowercase().into())
    };
    match pos {
        Pos::Whole => a == b,
        Pos::Start => a.starts_with(&*b),
        Pos::End => a.ends_with(&*b),
        Pos::Anywhere => find(a.as_bytes(), b.as_bytes(), false).is_some(),
    }
}

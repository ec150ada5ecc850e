//! Lenient readers of Azure record values (text from any JSON scalar, JSON strings holding objects, numbers,
//! IPs with ports, GUIDs), timestamps from candidate fields, and the row every Azure record starts from.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{Localized, PROVIDER, R, SOURCE};
use crate::frame::schema::outcome;
use crate::frame::{Col, Row};
use crate::ingest::doc::RawRecord;
use crate::ingest::formats::base_row;
use crate::util::time::{parse_any, Nanos};

/// A raw value as text: a string (borrowed unless it has escapes) or a number's literal; empty, null, booleans,
/// objects and arrays read as absent.
pub(super) fn text<'a>(raw: R<'a>) -> Option<Cow<'a, str>> {
    let s = raw?.get().trim();
    let v: Cow<'a, str> = match s.as_bytes().first()? {
        b'"' => match serde_json::from_str::<&'a str>(s) {
            Ok(b) => Cow::Borrowed(b),
            Err(_) => Cow::Owned(serde_json::from_str::<String>(s).ok()?),
        },
        b'-' | b'0'..=b'9' => Cow::Borrowed(s),
        _ => return None,
    };
    (!v.is_empty()).then_some(v)
}

/// A string, or the `value` of a REST `{value, localizedValue}` object.
pub(super) fn value_text<'a>(raw: R<'a>) -> Option<Cow<'a, str>> {
    let r = raw?;
    if r.get().trim_start().starts_with('{') {
        let l: Localized<'a> = serde_json::from_str(r.get()).unwrap_or_default();
        text(l.value)
    } else {
        text(Some(r))
    }
}

/// Parse borrowed text into `T`; anything unexpected reads as the default (the raw record keeps it).
pub(super) fn parse_lenient<'a, T: Deserialize<'a> + Default>(text: Option<&'a str>) -> T {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// When a raw value is a JSON string holding a JSON object or array (Azure `properties`, Log Analytics dynamic
/// columns), its decoded text.
pub(super) fn unstring(raw: R<'_>) -> Option<String> {
    let s = raw?.get().trim_start();
    if !s.starts_with('"') {
        return None;
    }
    let inner: String = serde_json::from_str(s).ok()?;
    let t = inner.trim_start();
    (t.starts_with('{') || t.starts_with('[')).then_some(inner)
}

/// The JSON object text of a raw value: the decoded string when it was one (`owned`, from `unstring`), else the
/// raw object itself.
pub(super) fn json_text<'a>(raw: R<'a>, owned: &'a Option<String>) -> Option<&'a str> {
    match owned {
        Some(s) => Some(s.as_str()),
        None => raw
            .map(RawValue::get)
            .filter(|t| t.trim_start().starts_with('{')),
    }
}

/// A small nested object read into owned values, from an object or from a JSON string holding one; anything else
/// reads as the default.
pub(super) fn obj<T: DeserializeOwned + Default>(raw: R<'_>) -> T {
    let Some(r) = raw else {
        return T::default();
    };
    let s = r.get().trim_start();
    if s.starts_with('{') || s.starts_with('[') {
        return serde_json::from_str(s).unwrap_or_default();
    }
    if s.starts_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(s) {
            let t = inner.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                return serde_json::from_str(t).unwrap_or_default();
            }
        }
    }
    T::default()
}

/// An owned JSON value as text: a non-empty string, a number or a boolean.
pub(super) fn vs(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number given as a JSON number or as text.
pub(super) fn num(v: Option<Cow<'_, str>>) -> Option<u64> {
    let v = v?;
    let t = v.trim();
    t.parse::<u64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// Keep a credential only when it appears verbatim in the raw record (the prefilter looks for it there).
pub(super) fn verbatim<'a>(raw: &str, v: Option<Cow<'a, str>>) -> Option<Cow<'a, str>> {
    v.filter(|t| !t.is_empty() && raw.contains(&**t))
}

/// An IP address, without the port storage logs append (`1.2.3.4:5678`, `[2001:db8::1]:443`); `<null>`,
/// masked and non-address values read as absent.
pub(super) fn ip<'a>(v: Option<Cow<'a, str>>) -> Option<Cow<'a, str>> {
    let v = v?;
    let t = v.trim();
    let core = if let Some(rest) = t.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if t.bytes().filter(|&b| b == b':').count() == 1 && t.contains('.') {
        t.split(':').next().unwrap_or("")
    } else {
        t
    };
    let ok = !core.is_empty()
        && (core.contains('.') || core.contains(':'))
        && core
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
    if !ok {
        return None;
    }
    let owned = (core.len() != v.len()).then(|| core.to_string());
    Some(match owned {
        Some(s) => Cow::Owned(s),
        None => v,
    })
}

/// A URL without its query string (SAS signatures, api-version).
pub(super) fn strip_query(v: Cow<'_, str>) -> Cow<'_, str> {
    match v {
        Cow::Borrowed(s) => Cow::Borrowed(s.split('?').next().unwrap_or(s)),
        Cow::Owned(s) => match s.find('?') {
            Some(i) => Cow::Owned(s[..i].to_string()),
            None => Cow::Owned(s),
        },
    }
}

pub(super) fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// The first of the candidate timestamps that parses. A present value that does not parse is reported when none
/// does.
pub(super) fn pick_time(cands: &[(&str, Option<Cow<'_, str>>)]) -> Result<Nanos, String> {
    let mut bad: Option<String> = None;
    for (name, v) in cands {
        if let Some(v) = v {
            match parse_any(v) {
                Some(t) => return Ok(t),
                None => {
                    if bad.is_none() {
                        bad = Some(format!("{name} {v:?} is not a timestamp"));
                    }
                }
            }
        }
    }
    Err(bad.unwrap_or_else(|| {
        let names: Vec<&str> = cands.iter().map(|(n, _)| *n).collect();
        format!("no timestamp ({} missing or null)", names.join(", "))
    }))
}

/// A row with where the record is, its time, source and provider.
pub(super) fn start_row<'a>(rec: &RawRecord<'_>, time: Nanos) -> Row<'a> {
    let mut row = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, SOURCE);
    row.set_str(Col::Provider, PROVIDER);
    row
}

pub(super) fn set_outcome<'a>(row: &mut Row<'a>, ok: bool, code: Option<Cow<'a, str>>) {
    if ok {
        row.set_str(Col::Outcome, outcome::SUCCESS);
    } else {
        row.set_str(Col::Outcome, outcome::FAILURE);
        row.set(Col::ErrorCode, code);
    }
}

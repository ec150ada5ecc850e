//! Dotted paths read from a JSON record's text without building it: the record's members are split once with the
//! structural scan, an object or array on the way is split when a path goes into it, and only the value at the end
//! is parsed. A mapped format reads a dozen paths of each record; building every record as a `serde_json::Value`
//! (every string, every map) was most of its load time.
//!
//! The answer is the one [`lookup`] gives on the built value, or [`Unsure`] where the text alone cannot say it the
//! same way (a key written with escapes, a value at the end of a path that does not parse): the caller then builds
//! the value.

use std::borrow::Cow;

use serde_json::Value;

use super::{array_elements, object_members};

/// The path cannot be read from the text the way the built value would read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsure;

/// An object's members as written: keys raw, values as their JSON text.
pub type Members<'a> = Vec<(&'a str, &'a str)>;

/// The members of the JSON object `text`; `Unsure` when it is not a whole object or a key holds escapes.
pub fn members(text: &str) -> Result<Members<'_>, Unsure> {
    let open = text.len() - text.trim_start().len();
    if text.as_bytes().get(open) != Some(&b'{') {
        return Err(Unsure);
    }
    let (found, broken) = object_members(text, open);
    if broken.is_some() || found.iter().any(|m| m.key.contains('\\')) {
        return Err(Unsure);
    }
    Ok(found
        .into_iter()
        .map(|m| (m.key, &text[m.value.start..m.value.end]))
        .collect())
}

/// A record split into its members, with the objects its paths went into split once each (a mapping reads several
/// fields of one nested object: `actor.email_address`, `actor.user_id`, ...).
pub struct Split<'a> {
    top: Members<'a>,
    nested: std::cell::RefCell<Vec<(usize, Members<'a>)>>,
}

impl<'a> Split<'a> {
    /// `text` split into its members; `Unsure` as for [`members`].
    pub fn new(text: &'a str) -> Result<Self, Unsure> {
        Ok(Split {
            top: members(text)?,
            nested: Default::default(),
        })
    }

    /// The value of `key` in the object `text` (a value inside this record), splitting it on first use.
    fn member(&self, text: &'a str, key: &str) -> Result<Option<&'a str>, Unsure> {
        let at = text.as_ptr() as usize;
        let mut nested = self.nested.borrow_mut();
        let found = match nested.iter().find(|(p, _)| *p == at) {
            Some((_, m)) => last(m, key),
            None => {
                let m = members(text)?;
                let v = last(&m, key);
                nested.push((at, m));
                v
            }
        };
        Ok(found)
    }

    /// The value at `path` (keys and array indexes separated by dots), as text: strings unescaped, numbers and
    /// booleans as serde_json writes them; `None` for a missing path, null, an object or an array.
    pub fn lookup(&self, path: &str) -> Result<Option<Cow<'a, str>>, Unsure> {
        let mut parts = path.split('.');
        let Some(first) = parts.next() else {
            return Ok(None);
        };
        let Some(mut cur) = last(&self.top, first) else {
            return Ok(None);
        };
        for part in parts {
            let open = cur.len() - cur.trim_start().len();
            cur = match cur.as_bytes().get(open) {
                Some(b'{') => match self.member(cur, part)? {
                    Some(v) => v,
                    None => return Ok(None),
                },
                Some(b'[') => {
                    let Ok(n) = part.parse::<usize>() else {
                        return Ok(None);
                    };
                    let (items, breaks) = array_elements(cur.as_bytes(), open);
                    if !breaks.is_empty() {
                        return Err(Unsure);
                    }
                    match items.get(n) {
                        Some(s) => &cur[s.start..s.end],
                        None => return Ok(None),
                    }
                }
                _ => return Ok(None),
            };
        }
        leaf(cur)
    }
}

/// A key given twice: the built value keeps the last.
fn last<'a>(m: &Members<'a>, key: &str) -> Option<&'a str> {
    m.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The text of a value at the end of a path. Plain strings (no escapes) are borrowed from the record.
fn leaf(text: &str) -> Result<Option<Cow<'_, str>>, Unsure> {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        if !inner.contains('\\') && !inner.contains('"') && !inner.bytes().any(|b| b < 0x20) {
            return Ok(Some(Cow::Borrowed(inner)));
        }
    }
    let leaf: Value = serde_json::from_str(t).map_err(|_| Unsure)?;
    Ok(scalar_text(&leaf).map(Cow::Owned))
}

/// A value read as text, as a mapping reads it: strings as they are, numbers and booleans as serde_json writes
/// them; `None` for null, an object or an array.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: the path read from the built value.
    fn built(text: &str, path: &str) -> Option<String> {
        let v: Value = serde_json::from_str(text).unwrap();
        crate::ingest::formats::mapped::lookup(&v, path)
    }

    #[test]
    fn reads_paths_as_the_built_value_does() {
        let t = r#"{"a":{"b":[{"c":"x\ty"},{"c":12.50}],"t":true,"n":null},"k":"1","k":"2","e":"\u00e9\"q","big":1e3}"#;
        let top = Split::new(t).unwrap();
        for path in [
            "a.b.0.c",
            "a.b.1.c",
            "a.b.2.c",
            "a.b.x.c",
            "a.t",
            "a.n",
            "a",
            "a.b",
            "k",
            "e",
            "big",
            "nope",
            "a.nope.deeper",
            "k.deeper",
        ] {
            assert_eq!(
                top.lookup(path).map(|v| v.map(Cow::into_owned)),
                Ok(built(t, path)),
                "{path}"
            );
        }
    }

    #[test]
    fn what_the_text_cannot_say_is_left_to_the_built_value() {
        assert_eq!(members(r#"{"we\"ird":1}"#), Err(Unsure));
        assert_eq!(members("[1]"), Err(Unsure));
        assert_eq!(members(r#"{"cut":[1,"#), Err(Unsure));
        let t = r#"{"a":{"we\"ird":1},"b":tru}"#;
        let top = Split::new(t).unwrap();
        assert_eq!(top.lookup("a.x"), Err(Unsure), "escaped key on the way");
        assert_eq!(top.lookup("b"), Err(Unsure), "a leaf that does not parse");
        // A string with a control character is not JSON: left to the parser, as the built value would be.
        let bad = "{\"s\":\"a\u{1}b\"}";
        assert_eq!(Split::new(bad).unwrap().lookup("s"), Err(Unsure));
    }
}

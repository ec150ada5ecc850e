//! Stable event keys: how marks, tags, notes and findings name an event so that the name survives a reload of the
//! same bundle (row numbers do not: a new file, a different `--where`, another sort order all move rows).
//!
//! The key is the one de-duplication uses: `source` + `event_id` + `action` when the source gives an id (an id
//! alone is not unique everywhere: an S3 copy logs two records under one request id), otherwise `source` + the
//! xxh3 hash of the raw record bytes. Written as text, `|` separates the parts; `\` and `|` inside a part are
//! escaped with `\`, so two different events can never write the same key.

use std::collections::HashSet;
use std::fmt;

use polars::prelude::*;

use super::access::FrameReader;
use super::schema::Col;

/// An event's stable key, in its text form (what case files and findings store).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct EventKey(String);

impl EventKey {
    /// The key of an event from its parts.
    pub fn new(
        source: &str,
        event_id: Option<&str>,
        action: Option<&str>,
        record_hash: u64,
    ) -> Self {
        let mut s = String::with_capacity(64);
        write_key(&mut s, source, event_id, action, record_hash);
        EventKey(s)
    }

    /// The key of row `row` of an event frame; `None` past the end.
    pub fn of_row(r: &FrameReader<'_>, row: usize) -> Option<Self> {
        if row >= r.height() {
            return None;
        }
        let mut s = String::with_capacity(64);
        write_row_key(&mut s, r, row);
        Some(EventKey(s))
    }

    /// A key read back from text (a case file). Any text is accepted: an unknown key simply matches no event.
    pub fn from_text(s: impl Into<String>) -> Self {
        EventKey(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn push_part(out: &mut String, part: &str) {
    for c in part.chars() {
        if c == '|' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
}

fn write_key(
    out: &mut String,
    source: &str,
    event_id: Option<&str>,
    action: Option<&str>,
    hash: u64,
) {
    use fmt::Write;
    out.clear();
    push_part(out, source);
    match event_id {
        Some(id) => {
            out.push_str("|id|");
            push_part(out, id);
            out.push('|');
            push_part(out, action.unwrap_or(""));
        }
        None => {
            let _ = write!(out, "|h|{hash:016x}");
        }
    }
}

fn write_row_key(out: &mut String, r: &FrameReader<'_>, row: usize) {
    write_key(
        out,
        r.text(Col::Source, row).unwrap_or(""),
        r.text(Col::EventId, row),
        r.text(Col::Action, row),
        r.u64(Col::RecordHash, row).unwrap_or(0),
    );
}

/// Every row's key, in frame order.
pub fn keys(df: &DataFrame) -> PolarsResult<Vec<EventKey>> {
    let r = FrameReader::new(df)?;
    Ok((0..r.height())
        .filter_map(|i| EventKey::of_row(&r, i))
        .collect())
}

/// Which rows of `df` have one of `keys` (one reused buffer: no allocation per row).
pub fn mask(df: &DataFrame, keys: &HashSet<EventKey>) -> PolarsResult<BooleanChunked> {
    let r = FrameReader::new(df)?;
    let mut buf = String::with_capacity(64);
    let set: HashSet<&str> = keys.iter().map(EventKey::as_str).collect();
    let v: Vec<bool> = (0..r.height())
        .map(|i| {
            if set.is_empty() {
                return false;
            }
            write_row_key(&mut buf, &r, i);
            set.contains(buf.as_str())
        })
        .collect();
    Ok(BooleanChunked::from_slice(
        PlSmallStr::from_static("key"),
        &v,
    ))
}

/// Row indices of `df` whose key is in `keys`, in frame order.
pub fn rows_of(df: &DataFrame, keys: &HashSet<EventKey>) -> PolarsResult<Vec<usize>> {
    let m = mask(df, keys)?;
    Ok(m.iter()
        .enumerate()
        .filter_map(|(i, b)| (b == Some(true)).then_some(i))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_name_source_id_and_action() {
        let k = EventKey::new("cloudtrail", Some("e-1"), Some("GetObject"), 7);
        assert_eq!(k.as_str(), "cloudtrail|id|e-1|GetObject");
    }

    #[test]
    fn hash_keys_when_there_is_no_id() {
        let k = EventKey::new("s3access", None, Some("REST.GET.OBJECT"), 0xabc);
        assert_eq!(k.as_str(), "s3access|h|0000000000000abc");
    }

    #[test]
    fn separators_inside_parts_cannot_forge_another_key() {
        // Without escaping, id "a|b" + action "c" and id "a" + action "b|c" would write the same text.
        let a = EventKey::new("x", Some("a|b"), Some("c"), 0);
        let b = EventKey::new("x", Some("a"), Some("b|c"), 0);
        assert_ne!(a, b);
        assert_eq!(a.as_str(), "x|id|a\\|b|c");
    }

    #[test]
    fn keys_of_a_loaded_frame_are_unique_and_found_again() {
        let recs = r#"{"Records":[
            {"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE1"},"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77"},
            {"eventVersion":"1.08","eventTime":"2026-10-05T02:14:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE1"},"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77"}
        ]}"#;
        let store = crate::ingest::load_bytes(
            "t.json",
            recs.as_bytes().to_vec(),
            &crate::ingest::LoadOptions::default(),
        )
        .expect("load");
        let all = keys(&store.frame).expect("keys");
        assert_eq!(all.len(), 2);
        assert_ne!(all[0], all[1]);
        let want: HashSet<EventKey> = [all[1].clone()].into_iter().collect();
        assert_eq!(rows_of(&store.frame, &want).expect("rows"), vec![1]);
        let none: HashSet<EventKey> = [EventKey::from_text("nope")].into_iter().collect();
        assert!(rows_of(&store.frame, &none).expect("rows").is_empty());
    }
}

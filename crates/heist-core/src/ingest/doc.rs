//! A decoded file, ready for format detection and record iteration: its text, its JSON shape, the wrapper array
//! that holds its records, and a parsed first record for sniffing.

use std::borrow::Cow;

use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

use super::jsonscan::{
    array_elements, array_elements_end, detect_shape, err as scan_err, line_at,
    object_members_with, LineIter, Member, ScanError, Shape, Span,
};

/// Keys under which exports put their array of records, in the order they are tried.
pub const WRAPPER_KEYS: &[&str] = &[
    "Records", "records", "Events", "events", "items", "data", "value",
];

/// One file's content as the parsers see it.
pub struct Probe<'a> {
    /// Path inside the bundle, for messages.
    pub origin: &'a str,
    /// The whole decoded file.
    pub text: &'a str,
    /// JSON shape, when the content is JSON.
    pub shape: Option<Shape>,
    /// Top-level members when the file is one JSON object.
    pub members: Vec<Member<'a>>,
    /// The member holding the records, when the object is a wrapper.
    pub wrapper: Option<Member<'a>>,
    /// The first few records, parsed, for sniffing (envelopes such as CloudWatch's `message` already opened).
    pub samples: Vec<Value>,
    /// Why the file could not be read as JSON, when it starts like JSON but is not.
    pub json_error: Option<String>,
    /// The elements of the file's array (its own, or its wrapper's), split once: sniffing and parsing both walk
    /// them, and splitting a large array is a full pass over the file.
    elements: std::sync::OnceLock<(usize, Elements)>,
    /// When set, [`Probe::records`] leaves out records whose text cannot hold what the load is for (a query's
    /// exact token: see `LoadOptions::prefilter`), before they are parsed. Sniffing sees every record.
    keep: Option<&'a super::Prefilter>,
}

/// One raw record: its text (the outer element as stored), where it is, and its key.
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    pub text: &'a str,
    pub offset: usize,
    /// Line number (lines files) or index (documents).
    pub loc: u32,
}

impl RawRecord<'_> {
    pub fn hash(&self) -> u64 {
        xxh3_64(self.text.as_bytes())
    }
}

/// What the record iterator met: a record, or a place where the structure broke.
pub enum Item<'a> {
    Record(RawRecord<'a>),
    Broken { loc: u32, message: String },
}

const SAMPLE_RECORDS: usize = 5;

impl<'a> Probe<'a> {
    pub fn new(origin: &'a str, text: &'a str) -> Self {
        let shape = detect_shape(text).or_else(|| {
            // CloudWatch Logs exports put a timestamp before each JSON event.
            let first = LineIter::new(text).next()?.2;
            let (skip, rest) = strip_line_prefix(first);
            (skip > 0 && rest.starts_with('{')).then_some(Shape::Lines)
        });
        let mut p = Probe {
            origin,
            text,
            shape,
            members: Vec::new(),
            wrapper: None,
            samples: Vec::new(),
            json_error: None,
            elements: std::sync::OnceLock::new(),
            keep: None,
        };
        if shape == Some(Shape::Object) {
            let open = text.len() - text.trim_start().len();
            // A wrapper's array is split while the members are walked: one scan for both.
            let elements = &p.elements;
            let (members, unclosed) = object_members_with(text, open, |key, start| {
                if !WRAPPER_KEYS.contains(&key) || elements.get().is_some() {
                    return None;
                }
                let (spans, breaks, end) = array_elements_end(text.as_bytes(), start);
                let _ = elements.set((start, (spans, breaks)));
                Some(end.ok_or_else(|| scan_err(start, "truncated: array never closes")))
            });
            let is_array = |at: usize| text.as_bytes().get(at) == Some(&b'[');
            p.wrapper = WRAPPER_KEYS.iter().find_map(|k| {
                members
                    .iter()
                    .find(|m| m.key == *k && is_array(m.value.start))
                    .copied()
            });
            if let Some(u) = unclosed {
                match u.key {
                    // A wrapper cut short (truncated download): keep its complete records, report the break.
                    Some(k)
                        if p.wrapper.is_none()
                            && WRAPPER_KEYS.contains(&k)
                            && is_array(u.value_start) =>
                    {
                        let end = text.len();
                        p.wrapper = Some(Member {
                            key: k,
                            value: Span {
                                start: u.value_start,
                                end,
                            },
                        });
                    }
                    _ => p.json_error = Some(describe(text, &u.error)),
                }
            }
            p.members = members;
        }
        if shape.is_some() {
            for item in p.records().take(SAMPLE_RECORDS * 4) {
                if let Item::Record(r) = item {
                    if let Ok(v) = serde_json::from_str::<Value>(r.text) {
                        p.samples.push(open_envelope(v));
                        if p.samples.len() == SAMPLE_RECORDS {
                            break;
                        }
                    }
                }
            }
        }
        p
    }

    /// How this file's `line` column reads.
    pub fn loc_kind(&self) -> crate::frame::LocKind {
        match self.shape {
            Some(Shape::Lines) | None => crate::frame::LocKind::Line,
            _ => crate::frame::LocKind::Index,
        }
    }

    /// The first parsed record, if any.
    pub fn first(&self) -> Option<&Value> {
        self.samples.first()
    }

    /// Every record in the file, in order, with structural breaks reported in place.
    pub fn records(&self) -> Box<dyn Iterator<Item = Item<'a>> + 'a> {
        match self.keep {
            None => self.all_records(),
            Some(pf) => Box::new(self.all_records().filter(move |item| match item {
                Item::Record(r) => pf.may_match(r.text),
                Item::Broken { .. } => true,
            })),
        }
    }

    /// Only the records that may hold `keep`'s text are parsed (see [`Probe::keep`]).
    pub fn keeping(mut self, keep: Option<&'a super::Prefilter>) -> Self {
        self.keep = keep;
        self
    }

    fn all_records(&self) -> Box<dyn Iterator<Item = Item<'a>> + 'a> {
        let text = self.text;
        let b = text.as_bytes();
        match self.shape {
            None => Box::new(std::iter::empty()),
            Some(Shape::Lines) => Box::new(LineIter::new(text).map(move |(line, off, l)| {
                let (skip, rec) = strip_line_prefix(l);
                Item::Record(RawRecord {
                    text: rec,
                    offset: off + skip,
                    loc: line,
                })
            })),
            Some(Shape::Array) => {
                let open = b.len() - text.trim_start().len();
                Box::new(self.cached_items(open))
            }
            Some(Shape::Object) => match (&self.wrapper, &self.json_error) {
                (Some(w), _) => Box::new(self.cached_items(w.value.start)),
                (None, Some(e)) => Box::new(std::iter::once(Item::Broken {
                    loc: 0,
                    message: e.clone(),
                })),
                (None, None) => {
                    let start = b.len() - text.trim_start().len();
                    let end = text.trim_end().len();
                    Box::new(std::iter::once(Item::Record(RawRecord {
                        text: &text[start..end],
                        offset: start,
                        loc: 0,
                    })))
                }
            },
        }
    }
}

/// The spans of an array's elements, and the breaks in its structure (see [`array_elements`]).
type Elements = (Vec<Span>, Vec<(usize, ScanError)>);

impl<'a> Probe<'a> {
    /// The records of the array whose `[` is at `open` (the file's one array), split on first use.
    fn cached_items(&self, open: usize) -> std::vec::IntoIter<Item<'a>> {
        let (at, (spans, breaks)) = self
            .elements
            .get_or_init(|| (open, array_elements(self.text.as_bytes(), open)));
        if *at != open {
            // Another array than the one split while sniffing (a file with two wrapper keys).
            let (spans, breaks) = array_elements(self.text.as_bytes(), open);
            return items_of(self.text, spans, breaks);
        }
        items_of(self.text, spans.clone(), breaks.clone())
    }
}

/// The records of the JSON array whose `[` is at `open`, with each break in its structure in place.
pub fn array_items(text: &str, open: usize) -> impl Iterator<Item = Item<'_>> {
    let (spans, breaks) = array_elements(text.as_bytes(), open);
    items_of(text, spans, breaks)
}

fn items_of(
    text: &str,
    spans: Vec<Span>,
    breaks: Vec<(usize, ScanError)>,
) -> std::vec::IntoIter<Item<'_>> {
    let mut breaks = breaks.into_iter().peekable();
    let n = spans.len();
    let mut out = Vec::with_capacity(n + breaks.len());
    for (i, Span { start, end }) in spans.into_iter().enumerate() {
        while let Some((_, e)) = breaks.next_if(|(at, _)| *at <= i) {
            out.push(Item::Broken {
                loc: i as u32,
                message: describe(text, &e),
            });
        }
        out.push(Item::Record(RawRecord {
            text: &text[start..end],
            offset: start,
            loc: i as u32,
        }));
    }
    out.extend(breaks.map(|(_, e)| Item::Broken {
        loc: n as u32,
        message: describe(text, &e),
    }));
    out.into_iter()
}

/// A scan error with its line number, for people.
fn describe(text: &str, e: &ScanError) -> String {
    let line = line_at(text.as_bytes(), (0, 1), e.offset);
    format!(
        "malformed JSON at line {line} (byte {}): {}",
        e.offset, e.message
    )
}

/// CloudWatch Logs export lines start with a timestamp before the JSON: `2023-07-10T11:45:00.000Z {...}`.
/// Returns how many bytes were skipped and the JSON part.
fn strip_line_prefix(l: &str) -> (usize, &str) {
    let t = l.trim_start();
    let lead = l.len() - t.len();
    if t.starts_with('{') || t.starts_with('[') {
        return (lead, t);
    }
    if let Some(k) = t.find(" {") {
        if crate::util::time::parse_any(&t[..k]).is_some() {
            return (lead + k + 1, &t[k + 1..]);
        }
    }
    (lead, t)
}

/// If the record is a log-shipping envelope around the real event (CloudWatch `filter-log-events` /
/// `get-log-events`: `{"timestamp":..,"message":"{...}"}`), return the inner event text.
pub fn envelope_message(v: &Value) -> Option<&str> {
    let o = v.as_object()?;
    let msg = o.get("message")?.as_str()?;
    let looks_cw = o.contains_key("timestamp")
        || o.contains_key("ingestionTime")
        || o.contains_key("logStreamName");
    (looks_cw && msg.trim_start().starts_with('{')).then_some(msg)
}

/// Same as `envelope_message` but for text not yet parsed: returns the inner JSON text (owned) when enveloped.
pub fn envelope_text(text: &str) -> Option<String> {
    if !text.contains("\"message\"") {
        return None;
    }
    let v: Value = serde_json::from_str(text).ok()?;
    envelope_message(&v).map(str::to_string)
}

fn open_envelope(v: Value) -> Value {
    match envelope_message(&v).and_then(|m| serde_json::from_str::<Value>(m).ok()) {
        Some(inner) => inner,
        None => v,
    }
}

/// The record text to parse: the envelope's message when there is one, else the record itself.
pub fn record_body(text: &str) -> Cow<'_, str> {
    match envelope_text(text) {
        Some(inner) => Cow::Owned(inner),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wrapper's array is split while the members are walked; a file with two wrapper keys still reads the one
    /// chosen (by `WRAPPER_KEYS` order), whichever comes first in the file.
    #[test]
    fn the_chosen_wrappers_records_are_read_once_split() {
        let text = r#"{"items":[{"a":1}], "Records":[{"b":2}, {"c":3}], "x":1}"#;
        let p = Probe::new("t.json", text);
        let w = p.wrapper.expect("a wrapper");
        assert_eq!(w.key, "Records");
        assert_eq!(texts(&p), [r#"{"b":2}"#, r#"{"c":3}"#]);
        assert!(
            p.members.iter().any(|m| m.key == "x"),
            "members after the array are found"
        );
        // A truncated wrapper keeps its complete records and reports the break.
        let cut = r#"{"Records":[{"b":2}, {"c":3}, {"d""#;
        let items: Vec<Item<'_>> = Probe::new("t.json", cut).records().collect();
        assert_eq!(items.len(), 3);
        assert!(matches!(items[2], Item::Broken { .. }));
    }

    fn texts<'a>(p: &Probe<'a>) -> Vec<&'a str> {
        p.records()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r.text),
                Item::Broken { .. } => None,
            })
            .collect()
    }

    #[test]
    fn wrapper_records() {
        let t = r#"{"Records":[{"eventVersion":"1.08"},{"eventVersion":"1.09"}]}"#;
        let p = Probe::new("f", t);
        assert_eq!(p.wrapper.unwrap().key, "Records");
        assert_eq!(
            texts(&p),
            [r#"{"eventVersion":"1.08"}"#, r#"{"eventVersion":"1.09"}"#]
        );
        assert_eq!(p.samples.len(), 2);
    }

    #[test]
    fn cloudwatch_prefixed_lines_and_envelopes() {
        let t = "2023-07-10T11:45:00.000Z {\"eventVersion\":\"1.08\"}\n{\"timestamp\":1,\"message\":\"{\\\"eventVersion\\\":\\\"1.09\\\"}\"}\n";
        let p = Probe::new("f", t);
        assert_eq!(p.shape, Some(Shape::Lines));
        assert_eq!(texts(&p)[0], "{\"eventVersion\":\"1.08\"}");
        assert_eq!(p.samples[1]["eventVersion"], "1.09");
    }

    #[test]
    fn single_object_is_one_record() {
        let p = Probe::new("f", "{\n \"eventVersion\": \"1.08\"\n}\n");
        assert_eq!(texts(&p).len(), 1);
    }

    #[test]
    fn truncated_document_reports_break_after_good_records() {
        let p = Probe::new("f", r#"{"Records":[{"a":1},{"b":"#);
        assert_eq!(texts(&p), [r#"{"a":1}"#]);
        let items: Vec<_> = p.records().collect();
        assert!(matches!(items.last(), Some(Item::Broken { loc: 1, .. })));
    }

    #[test]
    fn an_array_missing_commas_keeps_every_record_and_says_where() {
        let p = Probe::new("f", "[\n{\"a\":1}\n{\"b\":2},\n{\"c\":3}\n]");
        assert_eq!(texts(&p), [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]);
        let broken: Vec<String> = p
            .records()
            .filter_map(|i| match i {
                Item::Broken { loc, message } => Some(format!("{loc}: {message}")),
                Item::Record(_) => None,
            })
            .collect();
        assert_eq!(
            broken,
            ["1: malformed JSON at line 3 (byte 10): missing comma between array elements"]
        );
    }
}

//! Structural JSON scanning: find where records start and end without building values, so each record can then be
//! parsed on its own (a malformed record costs that record, not the file) and located by byte offset.

use memchr::{memchr, memchr2};

mod blocks;
pub mod path;

/// Where and why a JSON document stopped making sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub offset: usize,
    pub message: &'static str,
}

pub(crate) fn err(offset: usize, message: &'static str) -> ScanError {
    ScanError { offset, message }
}

pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Index just past the closing quote of a string whose opening quote is at `i - 1`.
fn string_end(b: &[u8], mut i: usize) -> Result<usize, ScanError> {
    let start = i;
    loop {
        match memchr2(b'"', b'\\', &b[i..]) {
            None => return Err(err(start, "unterminated string")),
            Some(k) => {
                i += k;
                if b[i] == b'\\' {
                    i += 2;
                    if i > b.len() {
                        return Err(err(start, "unterminated string"));
                    }
                } else {
                    return Ok(i + 1);
                }
            }
        }
    }
}

/// Index just past the JSON value that starts at `i` (which must not be whitespace).
pub fn value_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    if matches!(b.get(i), Some(b'{' | b'[')) {
        if let Some(end) = blocks::container_end(b, i) {
            return Ok(end);
        }
    }
    value_end_bytewise(b, i)
}

/// [`value_end`] a byte at a time: the reference the block scan agrees with, and what tells why a value is broken.
fn value_end_bytewise(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b.get(i) {
        None => Err(err(i, "expected a value, found end of input")),
        Some(b'"') => string_end(b, i + 1),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(err(i, "truncated: value never closes"))
        }
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            if j == i {
                Err(err(i, "expected a value"))
            } else {
                Ok(j)
            }
        }
    }
}

/// A byte span of one JSON value inside the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The elements of the array whose `[` is at `open`, and the places where its structure broke, each with the
/// number of elements read before it. A missing comma between two elements, or stray bytes between them (both
/// seen in real exports), is reported and reading goes on with the next element; a value that never closes
/// (truncation) ends the array.
pub fn array_elements(b: &[u8], open: usize) -> (Vec<Span>, Vec<(usize, ScanError)>) {
    let (spans, breaks, _) = array_elements_end(b, open);
    (spans, breaks)
}

/// As [`array_elements`], with where the array ends (just past its `]`), or `None` when it never closes.
pub fn array_elements_end(
    b: &[u8],
    open: usize,
) -> (Vec<Span>, Vec<(usize, ScanError)>, Option<usize>) {
    let mut out = Vec::new();
    let mut breaks = Vec::new();
    let mut i = skip_ws(b, open + 1);
    if b.get(i) == Some(&b']') {
        return (out, breaks, Some(i + 1));
    }
    loop {
        let end = match value_end(b, i) {
            Ok(e) => e,
            Err(e) => {
                breaks.push((out.len(), e));
                return (out, breaks, None);
            }
        };
        out.push(Span { start: i, end });
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => {
                // Tolerate a trailing comma before `]` (seen in documentation examples), but say so.
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    breaks.push((out.len(), err(i, "trailing comma before ]")));
                    return (out, breaks, Some(i + 1));
                }
            }
            Some(b']') => return (out, breaks, Some(i + 1)),
            None => {
                breaks.push((out.len(), err(i, "truncated: array never closes")));
                return (out, breaks, None);
            }
            Some(b'{' | b'[' | b'"') => {
                breaks.push((out.len(), err(i, "missing comma between array elements")));
            }
            Some(_) => {
                // Stray bytes: skip to the next element that starts an object or array, or to the end.
                let next = b[i..]
                    .iter()
                    .position(|c| matches!(c, b'{' | b'[' | b']'))
                    .map(|k| i + k);
                breaks.push((
                    out.len(),
                    err(i, "unreadable bytes between array elements (skipped)"),
                ));
                match next {
                    Some(k) if b[k] == b']' => return (out, breaks, Some(k + 1)),
                    Some(k) => i = k,
                    None => return (out, breaks, None),
                }
            }
        }
    }
}

/// One top-level member of an object: its key (raw, without quotes, escapes untouched) and value span.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub key: &'a str,
    pub value: Span,
}

/// A member whose value did not close: its key, where its value starts, and the error.
#[derive(Debug, Clone)]
pub struct Unclosed<'a> {
    pub key: Option<&'a str>,
    pub value_start: usize,
    pub error: ScanError,
}

/// Members of the object whose `{` is at `open`. On a structural error, returns the members before it and the
/// member that broke, so a truncated `{"Records":[...` can still yield its complete records.
pub fn object_members(s: &str, open: usize) -> (Vec<Member<'_>>, Option<Unclosed<'_>>) {
    object_members_with(s, open, |_, _| None)
}

/// As [`object_members`], asking `array` first for the end of each array value (`key`, where its `[` is): it may
/// split the array as it finds its end, so a wrapper's records are not scanned twice. `None` leaves it to the
/// plain scan.
pub fn object_members_with<'a>(
    s: &'a str,
    open: usize,
    mut array: impl FnMut(&'a str, usize) -> Option<Result<usize, ScanError>>,
) -> (Vec<Member<'a>>, Option<Unclosed<'a>>) {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_ws(b, open + 1);
    if b.get(i) == Some(&b'}') {
        return (out, None);
    }
    let broken = |key, at, e| {
        Some(Unclosed {
            key,
            value_start: at,
            error: e,
        })
    };
    loop {
        if b.get(i) != Some(&b'"') {
            return (out, broken(None, i, err(i, "expected a quoted key")));
        }
        let kend = match string_end(b, i + 1) {
            Ok(k) => k,
            Err(e) => return (out, broken(None, i, e)),
        };
        let key = &s[i + 1..kend - 1];
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            return (out, broken(Some(key), i, err(i, "expected : after key")));
        }
        i = skip_ws(b, i + 1);
        let split = if b.get(i) == Some(&b'[') {
            array(key, i)
        } else {
            None
        };
        let vend = match split.unwrap_or_else(|| value_end(b, i)) {
            Ok(v) => v,
            Err(e) => return (out, broken(Some(key), i, e)),
        };
        out.push(Member {
            key,
            value: Span {
                start: i,
                end: vend,
            },
        });
        i = skip_ws(b, vend);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (out, None),
            _ => {
                return (
                    out,
                    broken(None, i, err(i, "expected , or } between members")),
                )
            }
        }
    }
}

/// The overall shape of a JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One JSON value per line (NDJSON, CloudWatch exports).
    Lines,
    /// One JSON array.
    Array,
    /// One JSON object (a wrapper like `{"Records":[...]}`, or a single record).
    Object,
}

/// Decide the shape by looking at the start: a first line that is a complete value followed by more content means
/// JSON lines; otherwise one document.
pub fn detect_shape(s: &str) -> Option<Shape> {
    let b = s.as_bytes();
    let i = skip_ws(b, 0);
    let first = *b.get(i)?;
    if first != b'{' && first != b'[' {
        return None;
    }
    let line_end = memchr(b'\n', &b[i..]).map(|k| i + k).unwrap_or(b.len());
    // A complete value on the first line and more after it: lines. Nothing after the first line (a CloudTrail
    // file is one line) is one document, and that line need not be scanned.
    if skip_ws(b, line_end) < b.len() && value_end(&b[..line_end], i).is_ok() {
        return Some(Shape::Lines);
    }
    Some(if first == b'[' {
        Shape::Array
    } else {
        Shape::Object
    })
}

/// A line of a lines file: its text and 1-based number. Empty lines are skipped.
pub struct LineIter<'a> {
    s: &'a str,
    pos: usize,
    line: u32,
}

impl<'a> LineIter<'a> {
    pub fn new(s: &'a str) -> Self {
        Self { s, pos: 0, line: 0 }
    }
}

impl<'a> Iterator for LineIter<'a> {
    /// (line number, byte offset, text without the line break)
    type Item = (u32, usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        while self.pos < b.len() {
            let start = self.pos;
            let end = memchr(b'\n', &b[start..])
                .map(|k| start + k)
                .unwrap_or(b.len());
            self.pos = end + 1;
            self.line += 1;
            let text = self.s[start..end].trim_end_matches('\r');
            if !text.trim().is_empty() {
                return Some((self.line, start, text));
            }
        }
        None
    }
}

/// Line number (1-based) of a byte offset, counting from a known (offset, line) point before it.
pub fn line_at(b: &[u8], from: (usize, u32), offset: usize) -> u32 {
    from.1 + memchr::memchr_iter(b'\n', &b[from.0..offset.min(b.len())]).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_end_skips_strings_with_braces_and_escapes() {
        let s = br#"{"a":"}\"]","b":[1,{"c":null}]} tail"#;
        assert_eq!(value_end(s, 0).unwrap(), s.len() - 5);
    }

    #[test]
    fn array_elements_reports_truncation_after_good_records() {
        let s = br#"[{"a":1}, {"b":2}, {"c":"#;
        let (els, e) = array_elements(s, 0);
        assert_eq!(els.len(), 2);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, 2, "after the two good records");
        assert_eq!(e[0].1.message, "truncated: value never closes");
    }

    #[test]
    fn array_elements_go_on_past_missing_commas_and_stray_bytes() {
        // A real export lost the commas between some of its records.
        let s = br#"[{"a":1} {"b":2},{"c":3} x?! {"d":4}]"#;
        let (els, e) = array_elements(s, 0);
        assert_eq!(els.len(), 4, "no record lost");
        let got: Vec<_> = e.iter().map(|(n, e)| (*n, e.message)).collect();
        assert_eq!(
            got,
            [
                (1, "missing comma between array elements"),
                (3, "unreadable bytes between array elements (skipped)")
            ]
        );
    }

    #[test]
    fn object_members_lists_keys() {
        let s = r#"{"Records": [ {"x":1} ], "n" : "v"}"#;
        let (m, e) = object_members(s, 0);
        assert!(e.is_none());
        assert_eq!(
            m.iter().map(|m| m.key).collect::<Vec<_>>(),
            ["Records", "n"]
        );
        assert_eq!(&s[m[0].value.start..m[0].value.end], r#"[ {"x":1} ]"#);
    }

    #[test]
    fn shapes() {
        assert_eq!(detect_shape("{\"a\":1}\n{\"a\":2}\n"), Some(Shape::Lines));
        assert_eq!(detect_shape("{\"Records\":[]}"), Some(Shape::Object));
        assert_eq!(detect_shape("{\"Records\":[]}\n"), Some(Shape::Object));
        assert_eq!(detect_shape("{\n  \"a\": 1\n}\n"), Some(Shape::Object));
        assert_eq!(detect_shape("[\n {\"a\":1}\n]"), Some(Shape::Array));
        assert_eq!(detect_shape("hello"), None);
    }

    #[test]
    fn trailing_comma_is_reported_not_fatal() {
        let s = br#"[{"a":1},]"#;
        let (els, e) = array_elements(s, 0);
        assert_eq!(els.len(), 1);
        assert_eq!(e[0].1.message, "trailing comma before ]");
    }

    #[test]
    fn lines_iter_numbers_and_skips_blank() {
        let v: Vec<_> = LineIter::new("a\n\n b\r\n").collect();
        assert_eq!(v, vec![(1, 0, "a"), (3, 3, " b")]);
    }
}

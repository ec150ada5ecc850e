//! Bytes to text: UTF-8 (a BOM dropped), invalid sequences replaced and reported rather than fatal.

use std::borrow::Cow;

use super::doc::Probe;

pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Set when invalid UTF-8 had to be replaced, or NUL padding after the content was left out.
    pub lossy_note: Option<String>,
    /// Set when the file cannot become text at all (a Parquet file that does not decode): why.
    pub unreadable: Option<String>,
}

/// Decode a file. The raw-record reader uses the same function, so offsets agree. A Parquet file becomes JSON
/// lines, one object per row (see `parquet`).
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if super::parquet::is_parquet(bytes) {
        return match super::parquet::to_json_lines(bytes) {
            Ok(text) => Decoded {
                text: Cow::Owned(text),
                lossy_note: None,
                unreadable: None,
            },
            Err(reason) => Decoded {
                text: Cow::Borrowed(""),
                lossy_note: None,
                unreadable: Some(reason),
            },
        };
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A file preallocated or carved from a disk image ends in NUL bytes after its content: they are not records.
    let padding = body.iter().rev().take_while(|&&b| b == 0).count();
    let body = &body[..body.len() - padding];
    let padded = (padding > 0).then(|| {
        format!(
            "{padding} NUL bytes of padding after the content: left out, the records still load"
        )
    });
    match std::str::from_utf8(body) {
        Ok(s) => Decoded {
            text: Cow::Borrowed(s),
            lossy_note: padded,
            unreadable: None,
        },
        Err(e) => {
            let bad = e.valid_up_to();
            Decoded {
                text: String::from_utf8_lossy(body),
                lossy_note: Some(format!(
                    "invalid UTF-8 from byte {bad}: replaced with U+FFFD, the records still load"
                )),
                unreadable: None,
            }
        }
    }
}

/// Why a file matched no format, in words an analyst can act on.
pub fn unrecognised_reason(probe: &Probe<'_>, bytes: &[u8]) -> String {
    if let Some(e) = &probe.json_error {
        return format!("not a log format heist reads ({e})");
    }
    if super::parquet::is_parquet(bytes) {
        let keys = probe
            .first()
            .and_then(|f| f.as_object())
            .map(|o| {
                o.keys()
                    .map(String::as_str)
                    .take(8)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        return format!(
            "Parquet, but its rows are in no known log format (columns: {}); a --map file can describe it",
            if keys.is_empty() { "none" } else { &keys }
        );
    }
    if let Some(first) = probe.first() {
        let keys: Vec<&str> = first
            .as_object()
            .map(|o| o.keys().map(String::as_str).take(8).collect())
            .unwrap_or_default();
        return format!(
            "JSON, but no known log format (first record keys: {}); a --map file can describe it",
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        );
    }
    let head = &bytes[..bytes.len().min(512)];
    let binary = head
        .iter()
        .filter(|&&c| c < 0x09 || (c > 0x0d && c < 0x20))
        .count()
        > head.len() / 20;
    if bytes.is_empty() {
        "empty file".to_string()
    } else if binary {
        "binary data, not a log".to_string()
    } else if probe.shape.is_some() {
        "JSON with no parseable record".to_string()
    } else {
        let line = probe.text.lines().next().unwrap_or("");
        format!(
            "text in no known log format (first line: {:?})",
            crate::util::sanitize::truncate(line, 60)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_padding_after_the_content_is_left_out_and_said() {
        let d = decode(b"{\"Records\":[]}\0\0\0");
        assert_eq!(d.text, "{\"Records\":[]}");
        assert!(d.lossy_note.unwrap().starts_with("3 NUL bytes of padding"));
        assert!(decode(b"{}").lossy_note.is_none());
    }
}

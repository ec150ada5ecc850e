//! Log content is hostile: user agents, object keys and names are attacker-controlled. Before any of it reaches a
//! terminal, control characters and escape sequences are made visible (`\x1b`, `\n`, `\u{202e}`), never sent raw.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0/C1 controls, DEL, and the Unicode
/// bidi/format controls that can reorder or hide text (Trojan Source).
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0xFFF9..=0xFFFB)
}

/// Neutralise a string for a terminal: each dangerous character becomes a visible escape.
/// Plain text is returned borrowed, so the common case costs one scan.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, is_dangerous)
}

/// `s` with each character `hot` picks written as its visible escape; borrowed when there is none.
fn escape_where(s: &str, hot: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&hot) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hot(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A CSV cell that is safe to `cat`: every dangerous character but the line feed (which quoting keeps inside the
/// cell; a note has several lines) and the tab becomes a visible escape as [`for_terminal`] writes it (`\x1b`,
/// `\r`, `\u{202e}`), so the value stays readable and recoverable.
pub fn inert_csv(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_dangerous(c) && c != '\n' && c != '\t')
}

/// Serialised JSON that is safe to `cat`: serde_json escapes C0 controls itself; this writes DEL, C1 controls and
/// the Unicode format characters (bidi overrides, zero-width) as `\uXXXX` too. Those characters only ever stand
/// inside JSON strings, where the escape means the same character, so the document parses to the same values.
pub fn inert_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_dangerous) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_dangerous(c) && !matches!(c, '\n' | '\r' | '\t') {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", u);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Truncate to at most `max` characters, ending in `…` when cut. Works on chars, never splits UTF-8.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if max == 0 {
        return Cow::Borrowed("");
    }
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let cut = s
                .char_indices()
                .nth(max - 1)
                .map(|(i, _)| i)
                .unwrap_or(s.len());
            let mut out = String::with_capacity(cut + 3);
            out.push_str(&s[..cut]);
            out.push('…');
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_and_json_carry_no_raw_control() {
        let hostile = "a\x1b]0;pwned\x07b\u{9b}31mc\u{202e}d\r\nline two\te\u{7f}";
        let csv = inert_csv(hostile);
        assert_eq!(
            csv,
            "a\\x1b]0;pwned\\x07b\\x9b31mc\\u{202e}d\\r\nline two\te\\x7f"
        );
        assert!(!csv
            .chars()
            .any(|c| is_dangerous(c) && c != '\n' && c != '\t'));
        assert!(matches!(inert_csv("plain"), Cow::Borrowed(_)));
        let json =
            serde_json::to_string(&serde_json::json!({ "ua": hostile, "emoji": "🔥" })).unwrap();
        let safe = inert_json(&json);
        assert!(!safe.chars().any(is_dangerous), "{safe}");
        assert!(
            safe.contains("\\u009b") && safe.contains("\\u202e") && safe.contains("\\u007f"),
            "{safe}"
        );
        // The same values come back.
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["ua"], hostile);
        assert_eq!(back["emoji"], "🔥");
    }

    #[test]
    fn escapes_ansi_and_osc() {
        let ua = "curl/8.0 \u{1b}]0;pwned\u{7}\u{1b}[2J";
        let safe = for_terminal(ua);
        assert!(!safe.contains('\u{1b}'));
        assert!(!safe.contains('\u{7}'));
        assert_eq!(safe, "curl/8.0 \\x1b]0;pwned\\x07\\x1b[2J");
    }

    #[test]
    fn escapes_bidi_and_newlines() {
        assert_eq!(for_terminal("a\u{202e}b\nc"), "a\\u{202e}b\\nc");
        assert_eq!(for_terminal("\u{9b}31m"), "\\x9b31m");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            for_terminal("arn:aws:iam::1:user/alice"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn truncates_on_chars() {
        assert_eq!(truncate("héllo wörld", 5), "héll…");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exact", 5), "exact");
    }
}

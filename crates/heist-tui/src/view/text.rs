//! Text helpers every view model uses: neutralising log content for the terminal, fitting, padding and wrapping
//! it by display width (log content may be CJK or emoji, two columns a character), and writing times in the
//! analyst's zone.

use heist_core::case::TimeZone;
use heist_core::export::report::fmt_time;
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::Nanos;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` made safe to print: control characters and escapes are shown, never sent to the terminal.
pub fn clean(s: &str) -> String {
    for_terminal(s).into_owned()
}

/// First row of a window of `height` rows that keeps `sel` in view, centred when it can.
pub fn window_start(sel: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    sel.saturating_sub(height / 2).min(len - height)
}

/// Columns `s` takes on a terminal: a CJK character or an emoji takes two, a combining mark none.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest start of `s` at most `cols` columns wide (a wide character that would cross the limit is left out).
fn head(s: &str, cols: usize) -> &str {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        used += char_width(c);
        if used > cols {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut out = &s[..end];
    // A sequence can be wider than its characters (an emoji made wide by a variation selector).
    while width(out) > cols {
        let Some(c) = out.chars().next_back() else {
            break;
        };
        out = &out[..out.len() - c.len_utf8()];
    }
    out
}

/// The longest end of `s` at most `cols` columns wide.
fn tail(s: &str, cols: usize) -> &str {
    let mut used = 0;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        used += char_width(c);
        if used > cols {
            break;
        }
        start = i;
    }
    let mut out = &s[start..];
    while width(out) > cols {
        let Some(c) = out.chars().next() else { break };
        out = &out[c.len_utf8()..];
    }
    out
}

/// Fit `s` in `cols` columns (0: as it is), cut with `…`. Names whose tail says the most (ARNs, object keys,
/// resource paths) keep the tail. A cut never splits a wide character: the result may be a column short.
pub fn fit(s: &str, cols: usize, keep_tail: bool) -> String {
    if cols == 0 || width(s) <= cols {
        return s.to_string();
    }
    if keep_tail {
        format!("…{}", tail(s, cols - 1))
    } else {
        format!("{}…", head(s, cols - 1))
    }
}

/// `s` and spaces after it to fill `cols` columns (as `{:<cols$}` does for text one column a character).
pub fn pad(s: &str, cols: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(width(s))));
    out
}

/// A time in 11 columns: `10-05 02:13` (year, seconds and zone dropped; the detail has the full time).
pub fn short_time(t: Nanos, tz: TimeZone) -> String {
    fmt_time(t, tz)
        .chars()
        .skip(5)
        .take(11)
        .map(|c| if c == 'T' { ' ' } else { c })
        .collect()
}

/// Words of `text` in lines of at most `width` characters (a word longer than that gets a line of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let n = line.chars().count();
        if n > 0 && n + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Rows (start, end) of one line wrapped at `width`: after the last space that fits, else at the width (an ARN or a
/// URL is broken, not cut); every character in exactly one row, so the editor's cursor maps onto them.
pub fn wrap_spans(chars: &[char], width: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let end = (start + 1..start + width)
            .rev()
            .find(|&p| chars[p] == ' ')
            .map_or(start + width, |p| p + 1);
        out.push((start, end));
        start = end;
    }
    out.push((start, chars.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        wrap_spans(&chars, width)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn wraps_after_spaces_keeping_every_character() {
        assert_eq!(rows("", 5), [""]);
        assert_eq!(rows("abc", 5), ["abc"]);
        assert_eq!(rows("abcde", 5), ["abcde"]);
        assert_eq!(rows("ab cd ef", 5), ["ab ", "cd ef"]);
        assert_eq!(rows("ab cdefgh", 5), ["ab ", "cdefg", "h"]);
        assert_eq!(rows("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(rows("é ü ö", 2), ["é ", "ü ", "ö"]);
        assert_eq!(rows("abc", 1), ["a", "b", "c"]);
    }

    #[test]
    fn fitting_counts_columns_and_never_splits_a_wide_character() {
        // Plain text: one column a character, as before.
        assert_eq!(fit("abcdef", 4, false), "abc…");
        assert_eq!(fit("abcdef", 4, true), "…def");
        assert_eq!(fit("abcdef", 6, false), "abcdef");
        assert_eq!(fit("abcdef", 0, false), "abcdef");
        // CJK and emoji take two columns each.
        let name = "模型🔥权重.bin";
        assert_eq!(width(name), 14);
        assert_eq!(fit(name, 14, false), name);
        assert_eq!(fit(name, 7, false), "模型🔥…");
        assert_eq!(width(&fit(name, 7, false)), 7);
        // The limit falls in the middle of a wide character: it is left out, not split.
        assert_eq!(fit(name, 6, false), "模型…");
        assert_eq!(width(&fit(name, 6, false)), 5);
        assert_eq!(fit(name, 9, true), "…权重.bin");
        assert_eq!(fit(name, 8, true), "…重.bin");
        assert_eq!(fit(name, 7, true), "…重.bin");
        assert_eq!(fit(name, 6, true), "….bin");
        for cols in 1..20 {
            for tail in [false, true] {
                let f = fit(name, cols, tail);
                assert!(width(&f) <= cols.max(1), "{f:?} in {cols}");
            }
        }
        // An emoji made wide by a variation selector.
        let heart = "a\u{2764}\u{fe0f}b";
        assert!(width(&fit(heart, 3, false)) <= 3);
    }

    #[test]
    fn padding_fills_columns() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("模型", 6), "模型  ");
        assert_eq!(pad("模型", 3), "模型");
        assert_eq!(width(&pad("🔥x", 5)), 5);
    }

    #[test]
    fn short_times_drop_year_and_zone() {
        let t = heist_core::util::time::parse_any("2026-10-05T02:13:07Z").unwrap();
        assert_eq!(short_time(t, TimeZone::Utc), "10-05 02:13");
    }
}

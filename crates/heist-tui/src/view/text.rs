//! Text helpers every view model uses: neutralising log content for the terminal, fitting and wrapping it, and
//! writing times in the analyst's zone.

use heist_core::case::TimeZone;
use heist_core::export::report::fmt_time;
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::Nanos;

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

/// Fit `s` in `width` chars. Names whose tail says the most (ARNs, object keys, resource paths) keep the tail.
pub fn fit(s: &str, width: usize, keep_tail: bool) -> String {
    let n = s.chars().count();
    if width == 0 || n <= width {
        return s.to_string();
    }
    if keep_tail {
        let tail: String = s.chars().skip(n - (width - 1)).collect();
        format!("…{tail}")
    } else {
        heist_core::util::sanitize::truncate(s, width).into_owned()
    }
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
    fn short_times_drop_year_and_zone() {
        let t = heist_core::util::time::parse_any("2026-10-05T02:13:07Z").unwrap();
        assert_eq!(short_time(t, TimeZone::Utc), "10-05 02:13");
    }
}

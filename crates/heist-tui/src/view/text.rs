//! Text helpers every view model uses: neutralising log content for the terminal, fitting, padding and wrapping
//! it by display width (log content may be CJK or emoji, two columns a character), and writing times in the
//! analyst's zone.

use std::borrow::Cow;

use heist_core::case::TimeZone;
use heist_core::export::report::fmt_time;
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::Nanos;
use textwrap::core::{break_words, Fragment};
use textwrap::wrap_algorithms::wrap_first_fit;
use textwrap::{Options, WordSeparator, WordSplitter, WrapAlgorithm};
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

/// Fit an identifier (key, ARN, e-mail, object path, address) in `cols` columns keeping what tells it apart: its
/// tail, and its head where there is room (`AKIA…STOLEN7CI`, `198…100.77`, `acme-models/…00003-of-00006.bin`). Two
/// keys that differ only at the end stay different. Below 8 columns, and for names whose head is the same for all
/// (ARNs, resource paths), only the tail is kept.
pub fn fit_id(s: &str, cols: usize) -> String {
    if cols == 0 || width(s) <= cols {
        return s.to_string();
    }
    // Resource names whose head is the same for every one of them (`arn:aws:iam::111122223333:`,
    // `//iam.googleapis.com/projects/`, `/subscriptions/...`) keep their tail only.
    let generic_head = ["arn:", "//", "projects/", "/subscriptions/"]
        .iter()
        .any(|p| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)));
    if cols < 8 || generic_head {
        return fit(s, cols, true);
    }
    // A third for the head (the kind: `AKIA`, `arn:aws`, the bucket), the rest for the tail.
    let head_cols = (cols - 1) / 3;
    let h = head(s, head_cols);
    let t = tail(s, cols - 1 - width(h));
    format!("{h}…{t}")
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

/// Words of `text` in lines of at most `cols` columns (a word wider than that gets a line of its own, whole);
/// runs of whitespace, line breaks included, read as one space.
pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let options = Options::new(cols.max(1))
        .wrap_algorithm(WrapAlgorithm::FirstFit)
        .word_separator(WordSeparator::AsciiSpace)
        .word_splitter(WordSplitter::NoHyphenation)
        .break_words(false);
    textwrap::wrap(&words, options)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// A piece of a line as `wrap_spans` lays it out: characters, and the columns they take.
#[derive(Debug)]
struct Piece {
    chars: usize,
    cols: usize,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        self.cols as f64
    }
    // A piece's spaces are in `cols`: they stay on its row, the cursor can sit on them.
    fn whitespace_width(&self) -> f64 {
        0.0
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// Rows (start, end), in characters, of one line wrapped at `cols` columns by textwrap: after the last space that
/// fits, and a word wider than a row (an ARN, a URL) broken at the width, not cut. Every character is in exactly
/// one row and a row's spaces count in its width, so the editor's cursor maps onto the rows and never leaves them.
pub fn wrap_spans(line: &str, cols: usize) -> Vec<(usize, usize)> {
    let cols = cols.max(1);
    let mut pieces = Vec::new();
    for w in break_words(WordSeparator::AsciiSpace.find_words(line), cols) {
        let (word, spaces) = (w.word.chars().count(), w.whitespace.len());
        if w.width + spaces <= cols {
            pieces.push(Piece {
                chars: word + spaces,
                cols: w.width + spaces,
            });
            continue;
        }
        // The spaces after a word that fills its row go to the next rows.
        pieces.push(Piece {
            chars: word,
            cols: w.width,
        });
        let mut left = spaces;
        while left > 0 {
            let n = left.min(cols);
            pieces.push(Piece { chars: n, cols: n });
            left -= n;
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    for row in wrap_first_fit(&pieces, &[cols as f64]) {
        let end = start + row.iter().map(|p| p.chars).sum::<usize>();
        out.push((start, end));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        wrap_spans(text, width)
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
        // Wide characters take two columns: a row never ends in half of one.
        assert_eq!(rows("模型权重数据", 5), ["模型", "权重", "数据"]);
        assert_eq!(rows("a 模型🔥x", 4), ["a ", "模型", "🔥x"]);
        // Spaces that do not fit after a word that fills its row start the next one.
        assert_eq!(rows("模型 权重", 4), ["模型", " ", "权重"]);
        assert_eq!(rows("abcd ef", 4), ["abcd", " ef"]);
        for text in ["arn:aws:s3:::模型-🔥/训练 数据  x", "  lead", "a    b"] {
            for cols in 1..12 {
                let r = rows(text, cols);
                assert_eq!(r.concat(), text, "{cols}");
                assert!(r.iter().all(|l| width(l) <= cols.max(2)), "{r:?} in {cols}");
            }
        }
    }

    #[test]
    fn wrapping_counts_columns() {
        assert_eq!(wrap("模型 权重 数据", 5), ["模型", "权重", "数据"]);
        assert_eq!(wrap("模型 权重 数据", 9), ["模型 权重", "数据"]);
        assert_eq!(wrap("a\n  b\tc", 10), ["a b c"]);
        assert_eq!(
            wrap("first-seen last-seen", 12),
            ["first-seen", "last-seen"]
        );
    }

    #[test]
    fn identifiers_keep_their_head_and_tail() {
        // Two GCP keys that differ only at the end stay different.
        let a = "//iam.googleapis.com/projects/p/serviceAccounts/ci@p.iam.gserviceaccount.com/keys/6a1f0c9e2b7d";
        let b = "//iam.googleapis.com/projects/p/serviceAccounts/ci@p.iam.gserviceaccount.com/keys/b7e24d9c0f1a";
        assert_ne!(fit_id(a, 20), fit_id(b, 20));
        assert_eq!(fit_id(a, 20), "…m/keys/6a1f0c9e2b7d");
        assert_eq!(
            fit_id("arn:aws:iam::111122223333:user/svc-assist-api", 20),
            "…user/svc-assist-api"
        );
        assert_eq!(
            fit_id("acme-models/llm-7b/model-00003-of-00004.safetensors", 30),
            "acme-mode…of-00004.safetensors"
        );
        assert_eq!(fit_id("AKIAQ3EGRZTSTOLEN7CI", 14), "AKIA…STOLEN7CI");
        assert_eq!(fit_id("198.51.100.77", 10), "198…100.77");
        assert_eq!(fit_id("AKIAQ3EGRZTSTOLEN7CI", 20), "AKIAQ3EGRZTSTOLEN7CI");
        assert_eq!(fit_id("AKIAQ3EGRZTSTOLEN7CI", 6), "…EN7CI");
        assert_eq!(fit_id("AKIAQ3EGRZTSTOLEN7CI", 0), "AKIAQ3EGRZTSTOLEN7CI");
        let wide = "模型🔥权重-00003-of-00006.bin";
        for cols in 1..30 {
            let f = fit_id(wide, cols);
            assert!(width(&f) <= cols, "{f:?} in {cols}");
        }
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

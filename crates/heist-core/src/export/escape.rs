//! Making text safe for a GitHub-flavoured Markdown report. Log content is hostile, and the report goes to people
//! who open it in whatever viewer they have, so every log-derived string must be inert and read the same
//! everywhere:
//!
//! - Log values (names, keys, actions, paths) go in **code spans**: inside one nothing is interpreted (no emphasis,
//!   links, autolinks, HTML, entities, emoji, math), in every CommonMark viewer. The fence is one backtick longer
//!   than any run inside, padded with a space when the value starts or ends with a backtick or space.
//! - In **table cells** a `|` would end the cell even inside a code span, and viewers disagree on whether `\|`
//!   inside a span shows the backslash; so a value is split at its pipes into code spans joined by an escaped `\|`
//!   outside them, which every GFM viewer renders as `|`.
//! - **Prose** (the analyst's notes and title) is backslash-escaped: every character Markdown could act on
//!   (`\ ` `` ` `` `* _ [ ] < > | ~ & $ #`, and list / heading markers at the start of a line).
//! - **Raw records** go in fenced code blocks whose fence is longer than any backtick run inside.
//! - Everywhere, control characters (ANSI escapes, `\r`, NUL, ...) and invisible bidi / format characters (U+202E
//!   and friends, which can reorder what a reader sees) are shown as visible escapes (`\x1b`, `\u{202e}`), and a
//!   newline inside a value as `\n`, so a value is always one line and nothing hides.

use std::borrow::Cow;

use crate::util::sanitize::for_terminal;

/// Control and bidi characters as visible escapes, newlines as `\n`: one line, nothing hidden.
pub fn visible(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

/// A code span around `content` (already one visible line, possibly containing `|`).
fn span(content: &str, out: &mut String) {
    if content.is_empty() {
        return;
    }
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let all_spaces = content.chars().all(|c| c == ' ');
    let pad = !all_spaces && (content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']));
    out.push_str(&fence);
    if pad {
        out.push(' ');
    }
    out.push_str(content);
    if pad {
        out.push(' ');
    }
    out.push_str(&fence);
}

/// A log value as inline code, outside tables (paragraphs, lists, headings). Empty stays empty.
pub fn code(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len() + 4);
    span(&v, &mut out);
    out
}

/// A log value as a table cell: code spans split at `|`, joined by `\|`. Empty stays empty.
pub fn cell(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len() + 4);
    for (i, part) in v.split('|').enumerate() {
        if i > 0 {
            out.push_str("\\|");
        }
        span(part, &mut out);
    }
    out
}

/// Characters escaped wherever they are in prose.
fn always_escaped(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '#' | '!'
    )
}

/// One line of prose, escaped so it renders as exactly the text (leading and trailing spaces dropped).
pub fn text(s: &str) -> String {
    let v = visible(s);
    let v = v.trim_matches(' ');
    let mut out = String::with_capacity(v.len() + 8);
    // Block markers only act at the start of a line: `-`, `+`, `=` (lists, setext headings, rules) and the `.`
    // or `)` after leading digits (ordered lists).
    let mut chars = v.chars().peekable();
    let digits: String = std::iter::from_fn(|| chars.next_if(|c| c.is_ascii_digit())).collect();
    out.push_str(&digits);
    if !digits.is_empty() {
        if let Some(&c) = chars.peek() {
            if c == '.' || c == ')' {
                out.push('\\');
            }
        }
    } else if let Some(&c) = chars.peek() {
        if matches!(c, '-' | '+' | '=') {
            out.push('\\');
        }
    }
    // GitHub links e-mail addresses, `scheme://` URLs and `www.` names it finds in prose: a log's
    // `admin@victim.example` or `https://attacker.example/x` would become a link to click. An escaped `@`, `:` or
    // `.` splits the text where the autolinker looks, and still shows the same characters.
    let rest: Vec<char> = chars.collect();
    for (i, &c) in rest.iter().enumerate() {
        let next_is = |s: &str| {
            let mut it = rest[i + 1..].iter();
            s.chars().all(|x| it.next() == Some(&x))
        };
        let www = c == '.'
            && i >= 3
            && rest[i - 3..i]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("www")
            && (i == 3
                || rest[i - 4].is_whitespace()
                || matches!(rest[i - 4], '*' | '_' | '~' | '('));
        if always_escaped(c) || c == '@' || (c == ':' && next_is("//")) || www {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Multi-line prose (a note) as blockquote lines: each line escaped, lines of a paragraph joined by hard breaks,
/// blank lines between paragraphs kept. `label` (already Markdown) starts the first line.
pub fn quote(label: &str, s: &str) -> String {
    let lines: Vec<String> = s.lines().map(text).collect();
    let mut out = String::new();
    let mut first = true;
    for (i, l) in lines.iter().enumerate() {
        let next_blank = lines.get(i + 1).is_none_or(|n| n.is_empty());
        out.push('>');
        if first {
            out.push(' ');
            out.push_str(label);
            if !l.is_empty() {
                out.push(' ');
            }
            first = false;
        } else if !l.is_empty() {
            out.push(' ');
        }
        out.push_str(l);
        if !l.is_empty() && !next_blank {
            // A backslash at the end of a line is a hard line break.
            out.push('\\');
        }
        out.push('\n');
    }
    if first {
        out.push_str("> ");
        out.push_str(label);
        out.push('\n');
    }
    out
}

/// A fenced code block of `body` (many lines), with control characters made visible on each line and a fence
/// longer than any backtick run inside, so nothing in the body can close it.
pub fn fenced(info: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = String::with_capacity(body.len() + 32);
    out.push_str(&fence);
    out.push_str(info);
    out.push('\n');
    for line in body.lines() {
        out.push_str(&visible(line));
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_from_logs_is_never_linked() {
        assert_eq!(
            text("ci-publisher@acme-ml-prod.iam.gserviceaccount.com from 198.51.100.77"),
            "ci-publisher\\@acme-ml-prod.iam.gserviceaccount.com from 198.51.100.77"
        );
        assert_eq!(
            text("see https://attacker.example/x and WWW.evil.example"),
            "see https\\://attacker.example/x and WWW\\.evil.example"
        );
        // Not a web name, not a URL: as is.
        assert_eq!(text("a.www.b 10:30 x:y"), "a.www.b 10:30 x:y");
    }

    #[test]
    fn code_spans_hold_anything_literally() {
        assert_eq!(code("AKIAQ3EGRZTSTOLEN7CI"), "`AKIAQ3EGRZTSTOLEN7CI`");
        assert_eq!(code(""), "");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a``b`c"), "```a``b`c```");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("x`"), "`` x` ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("   "), "`   `");
        assert_eq!(
            code("[x](javascript:alert(1))"),
            "`[x](javascript:alert(1))`"
        );
        assert_eq!(
            code("<script>alert(1)</script>"),
            "`<script>alert(1)</script>`"
        );
        assert_eq!(code("a|b"), "`a|b`", "pipes are fine outside tables");
    }

    #[test]
    fn controls_newlines_and_bidi_become_visible() {
        assert_eq!(code("a\nb"), "`a\\nb`");
        assert_eq!(code("\u{1b}[2Jx\u{7}"), "`\\x1b[2Jx\\x07`");
        assert_eq!(code("evil\u{202e}gpj.exe"), "`evil\\u{202e}gpj.exe`");
        assert_eq!(code("nul\0"), "`nul\\x00`");
        assert_eq!(code("cr\r"), "`cr\\r`");
        assert_eq!(cell("zero\u{200b}width"), "`zero\\u{200b}width`");
        for s in [code("a\nb\r\nc"), cell("a\nb|c\n")] {
            assert!(!s.contains('\n') && !s.contains('\r'), "{s:?}");
        }
    }

    #[test]
    fn table_cells_split_at_pipes() {
        assert_eq!(cell("plain"), "`plain`");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a|b"), "`a`\\|`b`");
        assert_eq!(cell("|"), "\\|");
        assert_eq!(cell("a||b"), "`a`\\|\\|`b`");
        assert_eq!(cell("x | `y`"), "` x  `\\|``  `y` ``");
        assert_eq!(
            cell("a\\|b"),
            "`a\\`\\|`b`",
            "a backslash stays inside its span"
        );
        // However hostile, a cell never holds an unescaped pipe outside a code span.
        for s in ["a|b", "|x|", "`|`", "\\|", "a\\\\|b", "||||"] {
            let c = cell(s);
            assert_eq!(unescaped_pipes_outside_spans(&c), 0, "{s:?} -> {c:?}");
        }
    }

    /// Pipes a GFM table parser would split on: outside code spans and not preceded by a backslash.
    fn unescaped_pipes_outside_spans(s: &str) -> usize {
        let b: Vec<char> = s.chars().collect();
        let (mut i, mut n) = (0, 0);
        while i < b.len() {
            if b[i] == '`' {
                let mut k = 0;
                while i < b.len() && b[i] == '`' {
                    k += 1;
                    i += 1;
                }
                // Skip to the closing run of exactly k backticks.
                loop {
                    if i >= b.len() {
                        return n + 1000; // unclosed span: broken
                    }
                    if b[i] == '`' {
                        let mut m = 0;
                        while i < b.len() && b[i] == '`' {
                            m += 1;
                            i += 1;
                        }
                        if m == k {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            if b[i] == '\\' {
                i += 2;
                continue;
            }
            if b[i] == '|' {
                n += 1;
            }
            i += 1;
        }
        n
    }

    #[test]
    fn prose_escapes_markdown() {
        assert_eq!(text("plain words, 09:02."), "plain words, 09:02.");
        assert_eq!(
            text("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            text("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(text("a | b"), "a \\| b");
        assert_eq!(text("`whoami`"), "\\`whoami\\`");
        assert_eq!(
            text("*bold* _it_ ~~s~~"),
            "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~"
        );
        assert_eq!(text("&lt; $x$ !["), "\\&lt; \\$x\\$ \\!\\[");
        assert_eq!(text("back\\slash"), "back\\\\slash");
        assert_eq!(text("# heading"), "\\# heading");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("+ item"), "\\+ item");
        assert_eq!(text("==="), "\\===");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("3) item"), "3\\) item");
        assert_eq!(text("2026-10-05 happened"), "2026-10-05 happened");
        assert_eq!(
            text("   indented"),
            "indented",
            "leading spaces would make code"
        );
        assert_eq!(text("a\u{1b}]0;x\u{7}"), "a\\\\x1b\\]0;x\\\\x07");
        assert_eq!(text("rtl\u{202e}txt"), "rtl\\\\u{202e}txt");
    }

    #[test]
    fn quotes_keep_lines_and_paragraphs() {
        assert_eq!(
            quote("**Note:**", "line one\nline two\n\nnew para"),
            "> **Note:** line one\\\n> line two\n>\n> new para\n"
        );
        assert_eq!(quote("**Note:**", ""), "> **Note:**\n");
        assert_eq!(
            quote("N", "- not a list\n<b>x</b>"),
            "> N \\- not a list\\\n> \\<b\\>x\\</b\\>\n"
        );
        // A line ending in an escaped backslash still ends in a hard break, not an escaped newline.
        assert_eq!(quote("N", "a\\\nb"), "> N a\\\\\\\n> b\n");
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fenced("json", "{\"a\": 1}"), "```json\n{\"a\": 1}\n```\n");
        let body = "x\n```\ny ````` z";
        let f = fenced("text", body);
        assert!(f.starts_with("``````text\n"), "{f}");
        assert!(f.ends_with("\n``````\n"), "{f}");
        let f = fenced("json", "{\"ua\": \"\u{1b}[31mred\u{202e}\"}\r\n");
        assert_eq!(f, "```json\n{\"ua\": \"\\x1b[31mred\\u{202e}\"}\n```\n");
    }
}

//! The Sigma string matcher against a regex built from the same Sigma strings.

use crate::detect::sigma::parse::pattern::{self, Part, Pattern};

/// The regex a Sigma string stands for (anchored, case-insensitive unless `cased`).
fn regex_of(parts: &[Part], cased: bool) -> regex::Regex {
    let mut re = String::from(if cased { "(?s)^" } else { "(?is)^" });
    for p in parts {
        match p {
            Part::Lit(s) => re.push_str(&regex::escape(s)),
            Part::Star => re.push_str(".*"),
            Part::One => re.push('.'),
            Part::Dash => re.push_str("[-/\u{2013}\u{2014}\u{2015}]"),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap()
}

#[test]
fn glob_agrees_with_regex() {
    let patterns = [
        "",
        "*",
        "**",
        "?",
        "abc",
        "ABC",
        "a*",
        "*a",
        "*a*",
        "a*c",
        "a?c",
        "*a?c*",
        "a*b*c",
        "*ab*ab*",
        "??",
        "a**b",
        "*é*",
        "É?",
        "x\\*y",
        "c:\\windows\\*",
        "*-enc*",
        "a*?",
        "?*a",
        "*aab",
        "abab*abab",
    ];
    let texts = [
        "",
        "a",
        "A",
        "abc",
        "ABC",
        "aXc",
        "ac",
        "abbc",
        "aabab",
        "xabababx",
        "éa",
        "Éb",
        "é",
        "x*y",
        "xzy",
        "C:\\Windows\\system32",
        "-enc",
        "/ENC x",
        "aab",
        "aaab",
        "ababababab",
        "aé",
        "ab\nc",
        "b",
    ];
    for p in patterns {
        for windash in [false, true] {
            let parts = if windash {
                pattern::windash(pattern::parse(p))
            } else {
                pattern::parse(p)
            };
            for cased in [false, true] {
                let pat = Pattern::compile(&parts, cased);
                let re = regex_of(&parts, cased);
                for t in texts {
                    assert_eq!(
                        pat.matches(t),
                        re.is_match(t),
                        "pattern {p:?} (windash {windash}, cased {cased}) on {t:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn sigma_string_escapes() {
    let lit = |s: &str| Part::Lit(s.into());
    assert_eq!(
        pattern::parse("a*b?c"),
        [lit("a"), Part::Star, lit("b"), Part::One, lit("c")]
    );
    assert_eq!(pattern::parse("a\\*b\\?c"), [lit("a*b?c")]);
    assert_eq!(pattern::parse("C:\\Windows\\"), [lit("C:\\Windows\\")]);
    assert_eq!(pattern::parse("a\\\\*"), [lit("a\\"), Part::Star]);
    assert_eq!(pattern::parse("a\\\\\\*"), [lit("a\\*")]);
    assert_eq!(pattern::parse("\\\\\\\\"), [lit("\\\\")]);
    assert_eq!(pattern::plain(&pattern::parse("a\\*")), Some("a*".into()));
    assert_eq!(pattern::plain(&pattern::parse("a*")), None);
}

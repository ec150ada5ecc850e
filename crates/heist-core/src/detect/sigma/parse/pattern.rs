//! Sigma strings and their matcher.
//!
//! A Sigma string is text with `*` (any run of characters) and `?` (one character) wildcards; `\*`, `\?` and
//! `\\` are the escaped characters and a backslash before anything else is itself (the specification's
//! "Escape Character" section, as pySigma reads it). A [`Pattern`] is one compiled Sigma string: equality,
//! prefix, suffix and substring tests where the string has that shape, a glob over bytes otherwise. Matching
//! is case-insensitive unless the pattern is cased: the pattern is lower-cased once, an ASCII value is folded
//! byte by byte while it is compared (no allocation), any other value is lower-cased first.

/// One part of a Sigma string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    /// Literal text.
    Lit(String),
    /// `*`: any run of characters, empty included.
    Star,
    /// `?`: exactly one character.
    One,
    /// A dash of `windash`: one of `-`, `/`, en dash, em dash, horizontal bar.
    Dash,
}

/// The characters `windash` makes interchangeable.
pub(crate) const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// The parts of a Sigma string as written in a rule.
pub(crate) fn parse(s: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if !matches!(c, '*' | '?' | '\\') {
                lit.push('\\');
            }
            lit.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '*' || c == '?' {
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(if c == '*' { Part::Star } else { Part::One });
        } else {
            lit.push(c);
        }
    }
    if escaped {
        lit.push('\\');
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    parts
}

/// The text of parts without wildcards (escapes resolved); `None` when there is a wildcard or a dash.
pub(crate) fn plain(parts: &[Part]) -> Option<String> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            _ => return None,
        }
    }
    Some(out)
}

/// `*` before the parts unless they already start with one (`contains`, `endswith`).
pub(crate) fn star_before(parts: &mut Vec<Part>) {
    if parts.first() != Some(&Part::Star) {
        parts.insert(0, Part::Star);
    }
}

/// `*` after the parts unless they already end with one (`contains`, `startswith`).
pub(crate) fn star_after(parts: &mut Vec<Part>) {
    if parts.last() != Some(&Part::Star) {
        parts.push(Part::Star);
    }
}

/// The parts with every windash character of their literals made a [`Part::Dash`] (the specification's
/// `windash`: all permutations of the five characters).
pub(crate) fn windash(parts: Vec<Part>) -> Vec<Part> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let Part::Lit(s) = p else {
            out.push(p);
            continue;
        };
        let mut lit = String::new();
        for c in s.chars() {
            if DASHES.contains(&c) {
                if !lit.is_empty() {
                    out.push(Part::Lit(std::mem::take(&mut lit)));
                }
                out.push(Part::Dash);
            } else {
                lit.push(c);
            }
        }
        if !lit.is_empty() {
            out.push(Part::Lit(lit));
        }
    }
    out
}

/// Every plain text the parts stand for when their only specials are windash dashes (for encodings that
/// need plain text); `None` with a wildcard, or beyond `limit` texts.
pub(crate) fn expand_dashes(parts: &[Part], limit: usize) -> Option<Vec<String>> {
    let mut texts = vec![String::new()];
    for p in parts {
        match p {
            Part::Lit(s) => texts.iter_mut().for_each(|t| t.push_str(s)),
            Part::Dash => {
                if texts.len().saturating_mul(DASHES.len()) > limit {
                    return None;
                }
                texts = texts
                    .iter()
                    .flat_map(|t| DASHES.iter().map(move |d| format!("{t}{d}")))
                    .collect();
            }
            Part::Star | Part::One => return None,
        }
    }
    Some(texts)
}

/// A text about to be matched by several patterns: whether it is ASCII is found once, its lower-case form
/// (for a non-ASCII text under case-insensitive patterns) is made once, when first needed.
pub(crate) struct Hay<'a> {
    raw: &'a str,
    ascii: bool,
    lower: std::cell::OnceCell<String>,
}

impl<'a> Hay<'a> {
    pub(crate) fn new(raw: &'a str) -> Hay<'a> {
        Hay {
            raw,
            ascii: raw.is_ascii(),
            lower: std::cell::OnceCell::new(),
        }
    }

    fn lower(&self) -> &str {
        self.lower.get_or_init(|| self.raw.to_lowercase())
    }
}

/// A compiled glob token.
#[derive(Debug, Clone)]
enum Tok {
    Lit(Box<[u8]>),
    One,
    Star,
    Dash,
}

/// The shape of a compiled pattern.
#[derive(Debug, Clone)]
enum Kind {
    Exact(Box<[u8]>),
    Prefix(Box<[u8]>),
    Suffix(Box<[u8]>),
    Contains(Box<[u8]>),
    /// Only `*`: any string.
    Any,
    Glob(Box<[Tok]>),
}

/// One compiled Sigma string.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    kind: Kind,
    cased: bool,
}

impl Pattern {
    /// The pattern of these parts; literals are lower-cased unless `cased`.
    pub(crate) fn compile(parts: &[Part], cased: bool) -> Pattern {
        let mut toks: Vec<Tok> = Vec::with_capacity(parts.len());
        let mut lit = String::new();
        for p in parts {
            if let Part::Lit(s) = p {
                lit.push_str(s);
                continue;
            }
            if !lit.is_empty() {
                toks.push(lit_tok(&std::mem::take(&mut lit), cased));
            }
            match p {
                Part::Star if matches!(toks.last(), Some(Tok::Star)) => {}
                Part::Star => toks.push(Tok::Star),
                Part::One => toks.push(Tok::One),
                Part::Dash => toks.push(Tok::Dash),
                Part::Lit(_) => {}
            }
        }
        if !lit.is_empty() {
            toks.push(lit_tok(&lit, cased));
        }
        let kind = match toks.as_slice() {
            [] => Kind::Exact(Box::default()),
            [Tok::Lit(l)] => Kind::Exact(l.clone()),
            [Tok::Lit(l), Tok::Star] => Kind::Prefix(l.clone()),
            [Tok::Star, Tok::Lit(l)] => Kind::Suffix(l.clone()),
            [Tok::Star, Tok::Lit(l), Tok::Star] => Kind::Contains(l.clone()),
            [Tok::Star] => Kind::Any,
            _ => Kind::Glob(toks.into_boxed_slice()),
        };
        Pattern { kind, cased }
    }

    /// Whether `s` matches the whole pattern.
    #[cfg(test)]
    pub(crate) fn matches(&self, s: &str) -> bool {
        self.matches_hay(&Hay::new(s))
    }

    /// Whether the text matches the whole pattern.
    pub(crate) fn matches_hay(&self, h: &Hay<'_>) -> bool {
        if self.cased {
            self.run(h.raw.as_bytes(), false)
        } else if h.ascii {
            self.run(h.raw.as_bytes(), true)
        } else {
            self.run(h.lower().as_bytes(), false)
        }
    }

    /// The match over `h`; `fold` folds `h`'s ASCII letters while comparing (the pattern is lower-case).
    fn run(&self, h: &[u8], fold: bool) -> bool {
        match &self.kind {
            Kind::Exact(p) => eq(h, p, fold),
            Kind::Prefix(p) => h.get(..p.len()).is_some_and(|x| eq(x, p, fold)),
            Kind::Suffix(p) => {
                h.len() >= p.len() && h.get(h.len() - p.len()..).is_some_and(|x| eq(x, p, fold))
            }
            Kind::Contains(p) => find(h, p, fold).is_some(),
            Kind::Any => true,
            Kind::Glob(toks) => glob(toks, h, fold),
        }
    }
}

fn lit_tok(s: &str, cased: bool) -> Tok {
    let s = if cased {
        s.to_owned()
    } else {
        s.to_lowercase()
    };
    Tok::Lit(s.into_bytes().into_boxed_slice())
}

/// `h == p`, folding `h`'s ASCII case when `fold`.
fn eq(h: &[u8], p: &[u8], fold: bool) -> bool {
    if fold {
        h.eq_ignore_ascii_case(p)
    } else {
        h == p
    }
}

/// Whether `h` starts with `p`, folding `h`'s ASCII case when `fold`.
fn starts_with(h: &[u8], p: &[u8], fold: bool) -> bool {
    h.get(..p.len()).is_some_and(|x| eq(x, p, fold))
}

/// The first offset of `p` in `h`, folding `h`'s ASCII case when `fold`.
pub(crate) fn find(h: &[u8], p: &[u8], fold: bool) -> Option<usize> {
    let Some(&first) = p.first() else {
        return Some(0);
    };
    if !fold {
        return memchr::memmem::find(h, p);
    }
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = h.len().checked_sub(p.len())?;
    let window = h.get(..=last_start)?;
    memchr::memchr2_iter(lo, up, window).find(|&i| {
        h.get(i..i + p.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(p))
    })
}

/// The byte length of the character starting at `i`, if any.
fn char_len(h: &[u8], i: usize) -> Option<usize> {
    let b = *h.get(i)?;
    let n = match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    Some(n.min(h.len() - i))
}

/// The byte length of the windash character starting at `i`, if one does.
fn dash_len(h: &[u8], i: usize) -> Option<usize> {
    match h.get(i..)? {
        [b'-' | b'/', ..] => Some(1),
        [0xE2, 0x80, 0x93..=0x95, ..] => Some(3),
        _ => None,
    }
}

/// Whether the tokens match all of `h`: wildcard matching with backtracking to the last `*` only (every
/// other token matches at most one way at a given offset, so this is exact), linear in practice.
fn glob(toks: &[Tok], h: &[u8], fold: bool) -> bool {
    let (mut t, mut i) = (0usize, 0usize);
    // After the last `*` seen: the token index after it, and the offset its match would end at.
    let mut back: Option<(usize, usize)> = None;
    loop {
        let next = match toks.get(t) {
            Some(Tok::Star) => {
                if t + 1 == toks.len() {
                    return true;
                }
                back = Some((t + 1, i));
                t += 1;
                continue;
            }
            Some(Tok::One) => char_len(h, i).map(|n| i + n),
            Some(Tok::Dash) => dash_len(h, i).map(|n| i + n),
            Some(Tok::Lit(l)) => h
                .get(i..)
                .is_some_and(|rest| starts_with(rest, l, fold))
                .then(|| i + l.len()),
            None if i == h.len() => return true,
            None => None,
        };
        if let Some(n) = next {
            i = n;
            t += 1;
            continue;
        }
        let Some((bt, bi)) = back else { return false };
        let Some(step) = char_len(h, bi) else {
            return false;
        };
        back = Some((bt, bi + step));
        t = bt;
        i = bi + step;
    }
}

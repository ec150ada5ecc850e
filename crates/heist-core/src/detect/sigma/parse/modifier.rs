//! A detection item (`field|mod|mod: value or values`) compiled into value matchers.
//!
//! Modifier names are read here; `re`, `cidr`, `exists`, `gt`/`gte`/`lt`/`lte` and `fieldref` make typed
//! values here too, while string values go through the transformation modifiers (applied in the order
//! written, as the specification says and pySigma does) in `transform`. `all` and `neq` change how the values
//! combine; `expand` and unknown modifiers are unsupported.

use std::net::IpAddr;

use ipnet::IpNet;
use yaml_rust2::Yaml;

use super::condition::Cmp;
use super::pattern;
use super::search::Item;
use super::transform::compile_string;
use super::value::{Pos, ValueMatcher};
use super::{invalid, unsupported, yaml, SigmaError};

/// One modifier name, read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mod {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Cased,
    Neq,
    Windash,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Re,
    ReFlag(char),
    Cidr,
    Exists,
    Cmp(Cmp),
    FieldRef,
    Expand,
}

impl Mod {
    fn read(name: &str) -> Result<Mod, SigmaError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "contains" => Mod::Contains,
            "startswith" => Mod::StartsWith,
            "endswith" => Mod::EndsWith,
            "all" => Mod::All,
            "cased" => Mod::Cased,
            "neq" => Mod::Neq,
            "windash" => Mod::Windash,
            "base64" => Mod::Base64,
            "base64offset" => Mod::Base64Offset,
            "utf16le" | "wide" => Mod::Utf16Le,
            "utf16be" => Mod::Utf16Be,
            "utf16" => Mod::Utf16,
            "re" => Mod::Re,
            "i" | "ignorecase" => Mod::ReFlag('i'),
            "m" | "multiline" => Mod::ReFlag('m'),
            "s" | "dotall" => Mod::ReFlag('s'),
            "cidr" => Mod::Cidr,
            "exists" => Mod::Exists,
            "gt" => Mod::Cmp(Cmp::Gt),
            "gte" => Mod::Cmp(Cmp::Gte),
            "lt" => Mod::Cmp(Cmp::Lt),
            "lte" => Mod::Cmp(Cmp::Lte),
            "fieldref" => Mod::FieldRef,
            "expand" => Mod::Expand,
            "" => return Err(invalid("an empty modifier (`||` or a trailing `|`)")),
            "minute" | "hour" | "day" | "week" | "month" | "year" => {
                return Err(unsupported(format!("modifier `{name}` (timestamp part)")));
            }
            _ => return Err(unsupported(format!("modifier `{name}`"))),
        })
    }

    /// Whether it transforms a string value (and so cannot go with a typed value).
    pub(crate) fn transforms(self) -> bool {
        matches!(
            self,
            Mod::Contains
                | Mod::StartsWith
                | Mod::EndsWith
                | Mod::Windash
                | Mod::Base64
                | Mod::Base64Offset
                | Mod::Utf16Le
                | Mod::Utf16Be
                | Mod::Utf16
        )
    }

    /// Whether it makes the value a type other than a string.
    fn typed(self) -> bool {
        matches!(
            self,
            Mod::Re | Mod::Cidr | Mod::Exists | Mod::Cmp(_) | Mod::FieldRef
        )
    }

    pub(crate) fn name(self) -> String {
        match self {
            Mod::Contains => "contains".into(),
            Mod::StartsWith => "startswith".into(),
            Mod::EndsWith => "endswith".into(),
            Mod::All => "all".into(),
            Mod::Cased => "cased".into(),
            Mod::Neq => "neq".into(),
            Mod::Windash => "windash".into(),
            Mod::Base64 => "base64".into(),
            Mod::Base64Offset => "base64offset".into(),
            Mod::Utf16Le => "utf16le".into(),
            Mod::Utf16Be => "utf16be".into(),
            Mod::Utf16 => "utf16".into(),
            Mod::Re => "re".into(),
            Mod::ReFlag(c) => c.to_string(),
            Mod::Cidr => "cidr".into(),
            Mod::Exists => "exists".into(),
            Mod::Cmp(c) => c.name().into(),
            Mod::FieldRef => "fieldref".into(),
            Mod::Expand => "expand".into(),
        }
    }
}

/// The detection item at `key` (`field|mod|...`, `|mod` or empty for keywords) with its value(s).
pub(crate) fn compile(key: &str, value: &Yaml) -> Result<Item, SigmaError> {
    let mut names = key.split('|');
    let field = names.next().unwrap_or_default();
    let field = (!field.is_empty()).then(|| field.to_owned());
    let mods = names.map(Mod::read).collect::<Result<Vec<_>, _>>()?;
    let values: Vec<&Yaml> = match value {
        Yaml::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    if mods.contains(&Mod::Expand) {
        let name = values
            .iter()
            .filter_map(|v| yaml::scalar(v))
            .find_map(|s| placeholder(&s));
        return Err(unsupported(match name {
            Some(n) => format!("placeholder %{n}% (modifier expand)"),
            None => "modifier `expand`".into(),
        }));
    }
    let typed: Vec<Mod> = mods.iter().copied().filter(|m| m.typed()).collect();
    if let [a, b, ..] = typed.as_slice() {
        return Err(invalid(format!(
            "modifiers `{}` and `{}` cannot be combined",
            a.name(),
            b.name()
        )));
    }
    if !typed.contains(&Mod::Re) {
        if let Some(f) = mods.iter().find(|m| matches!(m, Mod::ReFlag(_))) {
            return Err(invalid(format!("modifier `{}` needs `re`", f.name())));
        }
    }
    let mut matchers = Vec::with_capacity(values.len());
    for v in &values {
        if matches!(
            v,
            Yaml::Array(_) | Yaml::Hash(_) | Yaml::Alias(_) | Yaml::BadValue
        ) {
            return Err(invalid(format!("a value of `{key}` is {}", yaml::kind(v))));
        }
        let m = match typed.first() {
            Some(t) => compile_typed(*t, &mods, field.is_none(), v)?,
            None => compile_string(&mods, field.is_none(), v)?,
        };
        matchers.push(m);
    }
    let all = mods.contains(&Mod::All);
    let plain = plain_values(field.is_some(), &mods, &values);
    let values = if all {
        matchers
    } else {
        merge_strings(matchers)
    };
    Ok(Item {
        field,
        values,
        all,
        neq: mods.contains(&Mod::Neq),
        plain,
    })
}

/// ORed values with every string pattern in one matcher, so a record value's text (an object's JSON, a
/// number's digits, a non-ASCII string's lower case) is made once for all of them.
fn merge_strings(matchers: Vec<ValueMatcher>) -> Vec<ValueMatcher> {
    let mut pats = Vec::new();
    let mut out = Vec::with_capacity(matchers.len());
    for m in matchers {
        match m {
            ValueMatcher::Str(p) => pats.extend(p),
            other => out.push(other),
        }
    }
    if !pats.is_empty() {
        out.insert(0, ValueMatcher::Str(pats));
    }
    out
}

/// The values as written when the item is plain equality on string values (for `required_values`).
fn plain_values(has_field: bool, mods: &[Mod], values: &[&Yaml]) -> Option<Vec<String>> {
    let simple = mods
        .iter()
        .all(|m| *m == Mod::Cased || (*m == Mod::All && values.len() <= 1));
    if !has_field || !simple {
        return None;
    }
    values
        .iter()
        .map(|v| match v {
            Yaml::String(s) => pattern::plain(&pattern::parse(s)),
            _ => None,
        })
        .collect()
}

/// The first `%name%` placeholder of a value (name: letters, digits, `_`), not preceded by a backslash.
fn placeholder(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'%') && (i == 0 || b.get(i - 1) != Some(&b'\\')) {
            let rest = b.get(i + 1..)?;
            let n = rest
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            if n > 0 && rest.get(n) == Some(&b'%') {
                return s.get(i + 1..i + 1 + n).map(str::to_owned);
            }
        }
        i += 1;
    }
    None
}

/// A value under `re`, `cidr`, `exists`, a comparison or `fieldref`.
fn compile_typed(
    t: Mod,
    mods: &[Mod],
    keyword: bool,
    v: &Yaml,
) -> Result<ValueMatcher, SigmaError> {
    let name = t.name();
    let text = yaml::scalar(v);
    if t != Mod::Re {
        if keyword {
            return Err(invalid(format!("modifier `{name}` needs a field")));
        }
        if let Some(m) = mods
            .iter()
            .find(|m| m.transforms() && !(t == Mod::FieldRef && is_position(**m)))
        {
            return Err(invalid(format!(
                "modifiers `{name}` and `{}` cannot be combined",
                m.name()
            )));
        }
    }
    match t {
        Mod::Re => {
            let re_at = mods.iter().position(|m| *m == Mod::Re).unwrap_or(0);
            if let Some(m) = mods.iter().take(re_at).find(|m| m.transforms()) {
                return Err(invalid(format!(
                    "`re` only applies to an unmodified value (after `{}`)",
                    m.name()
                )));
            }
            if let Some(m) = mods
                .iter()
                .find(|m| matches!(m, Mod::Windash | Mod::Base64 | Mod::Base64Offset))
            {
                return Err(invalid(format!(
                    "modifier `{}` cannot apply to a regular expression",
                    m.name()
                )));
            }
            if let Some(m) = mods
                .iter()
                .find(|m| matches!(m, Mod::Utf16 | Mod::Utf16Le | Mod::Utf16Be))
            {
                return Err(invalid(format!(
                    "modifier `{}` cannot apply to a regular expression",
                    m.name()
                )));
            }
            let pat = text
                .ok_or_else(|| invalid(format!("`|re` needs a string, not {}", yaml::kind(v))))?;
            // Regexes are searched (unanchored): `contains`, `startswith` and `endswith` change nothing.
            let flag = |c: char| mods.contains(&Mod::ReFlag(c));
            compile_regex(&pat, flag('i'), flag('m'), flag('s')).map(ValueMatcher::Regex)
        }
        Mod::Exists => match (v, text.as_deref()) {
            (Yaml::Boolean(b), _) => Ok(ValueMatcher::Exists(*b)),
            (_, Some("true")) => Ok(ValueMatcher::Exists(true)),
            (_, Some("false")) => Ok(ValueMatcher::Exists(false)),
            _ => Err(invalid(format!(
                "`|exists` needs true or false, not {}",
                yaml::kind(v)
            ))),
        },
        Mod::Cmp(op) => {
            let n = match v {
                Yaml::Integer(i) => Some(*i as f64),
                Yaml::Real(s) | Yaml::String(s) => {
                    s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
                }
                _ => None,
            };
            n.map(|n| ValueMatcher::Cmp(op, n))
                .ok_or_else(|| invalid(format!("`|{name}` needs a number, not {}", yaml::kind(v))))
        }
        Mod::Cidr => {
            let s = text.unwrap_or_default();
            let s = s.trim();
            let net = s
                .parse::<IpNet>()
                .ok()
                .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from));
            net.map(ValueMatcher::Cidr)
                .ok_or_else(|| invalid(format!("`{s}` is not a CIDR range")))
        }
        Mod::FieldRef => {
            let Some(s) = text else {
                return Err(invalid(format!(
                    "`|fieldref` needs a field name, not {}",
                    yaml::kind(v)
                )));
            };
            let Some(other) = pattern::plain(&pattern::parse(&s)) else {
                return Err(invalid(format!("field reference `{s}` has a wildcard")));
            };
            let (start, end) = mods.iter().fold((false, false), |(s, e), m| match m {
                Mod::Contains => (true, true),
                Mod::StartsWith => (true, e),
                Mod::EndsWith => (s, true),
                _ => (s, e),
            });
            let pos = match (start, end) {
                (true, true) => Pos::Anywhere,
                (true, false) => Pos::Start,
                (false, true) => Pos::End,
                (false, false) => Pos::Whole,
            };
            Ok(ValueMatcher::FieldRef {
                field: other,
                pos,
                cased: mods.contains(&Mod::Cased),
            })
        }
        _ => Err(invalid(format!("modifier `{name}`"))),
    }
}

fn is_position(m: Mod) -> bool {
    matches!(m, Mod::Contains | Mod::StartsWith | Mod::EndsWith)
}

/// A regular expression with Sigma's flags; case-sensitive unless `i`.
pub(crate) fn compile_regex(
    pat: &str,
    i: bool,
    m: bool,
    s: bool,
) -> Result<regex::Regex, SigmaError> {
    let built = regex::RegexBuilder::new(pat)
        .case_insensitive(i)
        .multi_line(m)
        .dot_matches_new_line(s)
        .size_limit(16 << 20)
        .build();
    built.map_err(|e| match e {
        regex::Error::Syntax(msg) => {
            let why = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default()
                .trim()
                .to_owned();
            let why = why.strip_prefix("error: ").unwrap_or(&why).to_owned();
            if why.contains("not supported") {
                unsupported(format!("regular expression `{pat}`: {why}"))
            } else {
                invalid(format!("regular expression `{pat}`: {why}"))
            }
        }
        regex::Error::CompiledTooBig(_) => {
            unsupported(format!("regular expression `{pat}` is too large"))
        }
        other => invalid(format!("regular expression `{pat}`: {other}")),
    })
}

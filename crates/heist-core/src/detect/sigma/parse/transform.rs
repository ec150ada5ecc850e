//! String values through the transformation modifiers: `contains`, `startswith`, `endswith` (wildcards
//! around the value), `windash` (interchangeable dashes), `utf16le`/`utf16be`/`utf16` (bytes for a following
//! encoding), `base64` and `base64offset` (the encoded text, one or three alternatives), then `cased`.
//! Numbers, booleans and null without such modifiers keep their own type.

use yaml_rust2::Yaml;

use super::modifier::Mod;
use super::pattern::{self, Part, Pattern};
use super::value::ValueMatcher;
use super::{encode, invalid, unsupported, yaml, SigmaError};

/// The most texts `windash` may expand to before an encoding modifier.
const MAX_EXPANSION: usize = 1024;

/// The working form of a string value while its modifiers apply.
enum Work {
    /// Alternatives (any may match), each a Sigma string.
    Text(Vec<Vec<Part>>),
    /// Encoded bytes awaiting `base64`/`base64offset`, with the modifier that made them.
    Bytes(Vec<Vec<u8>>, Mod),
}

/// A string, number, boolean or null value with string modifiers (or none).
pub(crate) fn compile_string(
    mods: &[Mod],
    keyword: bool,
    v: &Yaml,
) -> Result<ValueMatcher, SigmaError> {
    let transformed = mods.iter().find(|m| m.transforms());
    let text = match v {
        Yaml::Null => {
            if keyword {
                return Err(invalid("a keyword cannot be null"));
            }
            return match transformed {
                Some(m) => Err(invalid(format!(
                    "modifier `{}` cannot apply to null",
                    m.name()
                ))),
                None => Ok(ValueMatcher::Null),
            };
        }
        Yaml::Boolean(b) if !keyword && transformed.is_none() => return Ok(ValueMatcher::Bool(*b)),
        Yaml::Integer(i) if !keyword && transformed.is_none() => {
            return Ok(ValueMatcher::Num {
                int: Some(*i),
                float: *i as f64,
            });
        }
        Yaml::Real(s) if !keyword && transformed.is_none() => {
            if let Ok(f) = s.parse::<f64>() {
                return Ok(ValueMatcher::Num {
                    int: None,
                    float: f,
                });
            }
            s.clone()
        }
        other => yaml::scalar(other)
            .ok_or_else(|| invalid(format!("a value is {}", yaml::kind(other))))?,
    };
    let mut work = Work::Text(vec![pattern::parse(&text)]);
    for m in mods {
        work = apply(*m, work)?;
    }
    let mut alts = match work {
        Work::Text(alts) => alts,
        Work::Bytes(_, enc) => {
            return Err(unsupported(format!(
                "modifier `{}` without `base64` or `base64offset` after it",
                enc.name()
            )));
        }
    };
    if keyword {
        for a in &mut alts {
            pattern::star_before(a);
            pattern::star_after(a);
        }
    }
    let cased = mods.contains(&Mod::Cased);
    Ok(ValueMatcher::Str(
        alts.iter().map(|a| Pattern::compile(a, cased)).collect(),
    ))
}

/// One string modifier applied to the working value.
fn apply(m: Mod, work: Work) -> Result<Work, SigmaError> {
    let enc_err = |enc: Mod| {
        unsupported(format!(
            "modifier `{}` without `base64` or `base64offset` right after it (`{}` follows)",
            enc.name(),
            m.name()
        ))
    };
    Ok(match (m, work) {
        (Mod::Contains | Mod::StartsWith | Mod::EndsWith | Mod::Windash, Work::Bytes(_, enc)) => {
            return Err(enc_err(enc))
        }
        (Mod::Contains, Work::Text(mut alts)) => {
            alts.iter_mut().for_each(|a| {
                pattern::star_before(a);
                pattern::star_after(a);
            });
            Work::Text(alts)
        }
        (Mod::StartsWith, Work::Text(mut alts)) => {
            alts.iter_mut().for_each(pattern::star_after);
            Work::Text(alts)
        }
        (Mod::EndsWith, Work::Text(mut alts)) => {
            alts.iter_mut().for_each(pattern::star_before);
            Work::Text(alts)
        }
        (Mod::Windash, Work::Text(alts)) => {
            Work::Text(alts.into_iter().map(pattern::windash).collect())
        }
        (Mod::Utf16Le | Mod::Utf16Be | Mod::Utf16, Work::Text(alts)) => {
            let enc = match m {
                Mod::Utf16Be => encode::utf16be,
                Mod::Utf16 => encode::utf16_bom,
                _ => encode::utf16le,
            };
            Work::Bytes(plain_texts(&alts, m)?.iter().map(|t| enc(t)).collect(), m)
        }
        (Mod::Utf16Le | Mod::Utf16Be | Mod::Utf16, Work::Bytes(_, enc)) => {
            return Err(enc_err(enc))
        }
        (Mod::Base64 | Mod::Base64Offset, work) => {
            let bytes = match work {
                Work::Text(alts) => plain_texts(&alts, m)?
                    .into_iter()
                    .map(String::into_bytes)
                    .collect(),
                Work::Bytes(b, _) => b,
            };
            let texts: Vec<String> = if m == Mod::Base64 {
                bytes.iter().map(|b| encode::base64(b)).collect()
            } else {
                bytes
                    .iter()
                    .flat_map(|b| encode::base64_offsets(b))
                    .collect()
            };
            Work::Text(texts.into_iter().map(|t| vec![Part::Lit(t)]).collect())
        }
        (_, work) => work,
    })
}

/// The plain texts of the alternatives, for an encoding: wildcards are not allowed, windash dashes expand.
fn plain_texts(alts: &[Vec<Part>], m: Mod) -> Result<Vec<String>, SigmaError> {
    let mut out = Vec::new();
    for a in alts {
        if a.iter().any(|p| matches!(p, Part::Star | Part::One)) {
            return Err(invalid(format!(
                "modifier `{}` cannot encode a value with wildcards",
                m.name()
            )));
        }
        let texts = pattern::expand_dashes(a, MAX_EXPANSION).ok_or_else(|| {
            unsupported(format!(
                "`windash` before `{}` expands to too many values",
                m.name()
            ))
        })?;
        out.extend(texts);
        if out.len() > MAX_EXPANSION {
            return Err(unsupported(format!(
                "`windash` before `{}` expands to too many values",
                m.name()
            )));
        }
    }
    Ok(out)
}

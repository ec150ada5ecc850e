//! The YAML side of a Sigma file: loading its documents, the legacy `action:` collections, and reading
//! scalars and lists out of `yaml_rust2` values.

use std::panic::{catch_unwind, AssertUnwindSafe};

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlLoader};

use super::{invalid, SigmaError};

/// Every YAML document of `text`. A syntax error is [`SigmaError::Invalid`] with its line and column.
pub(crate) fn load(text: &str) -> Result<Vec<Yaml>, SigmaError> {
    // The loader's internal invariants are asserted with unwrap/unreachable: a file that broke one must
    // fail as a file, not take the process down.
    match catch_unwind(AssertUnwindSafe(|| YamlLoader::load_from_str(text))) {
        Ok(Ok(docs)) => Ok(docs),
        Ok(Err(e)) => Err(invalid(format!("YAML: {e}"))),
        Err(_) => Err(invalid("YAML: the reader failed on this file")),
    }
}

/// The documents of a legacy rule collection (`action: global`, `reset`, `repeat`) merged as the legacy Sigma
/// tools did: a `global` document is merged (deeply) into every following document, its values winning on a
/// conflict; `reset` forgets it; `repeat` is the previous rule with the `repeat` document merged into it.
/// Files without `action` documents are returned unchanged.
pub(crate) fn apply_actions(docs: Vec<Yaml>) -> Result<Vec<Yaml>, SigmaError> {
    let action_key = Yaml::String("action".into());
    let has_action = docs
        .iter()
        .any(|d| matches!(d, Yaml::Hash(h) if h.contains_key(&action_key)));
    if !has_action {
        return Ok(docs);
    }
    let mut global: Option<Hash> = None;
    let mut prev: Option<Hash> = None;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut hash = match doc {
            Yaml::Hash(h) => h,
            other => {
                out.push(other);
                continue;
            }
        };
        let Some(action) = hash.remove(&action_key) else {
            if let Some(g) = &global {
                deep_update(&mut hash, g);
            }
            prev = Some(hash.clone());
            out.push(Yaml::Hash(hash));
            continue;
        };
        match scalar(&action).as_deref() {
            Some("global") => deep_update(global.get_or_insert_with(Hash::new), &hash),
            Some("reset") => global = None,
            Some("repeat") => {
                let Some(mut rule) = prev.clone() else {
                    return Err(invalid(
                        "`action: repeat` before any rule of the collection",
                    ));
                };
                deep_update(&mut rule, &hash);
                prev = Some(rule.clone());
                out.push(Yaml::Hash(rule));
            }
            _ => {
                return Err(invalid(format!(
                    "unknown collection `action: {}`",
                    scalar(&action).unwrap_or_default()
                )))
            }
        }
    }
    Ok(out)
}

/// `src` merged into `dest`: maps are merged key by key, anything else in `src` replaces `dest`'s value.
fn deep_update(dest: &mut Hash, src: &Hash) {
    for (k, v) in src {
        match (dest.get_mut(k), v) {
            (Some(Yaml::Hash(d)), Yaml::Hash(s)) => deep_update(d, s),
            _ => {
                dest.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The value at a string key of a mapping.
pub(crate) fn get<'a>(hash: &'a Hash, key: &str) -> Option<&'a Yaml> {
    hash.get(&Yaml::String(key.to_owned()))
}

/// A scalar as text (strings, numbers and booleans); `None` for null, lists, maps.
pub(crate) fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The scalar at `key`, as text.
pub(crate) fn get_str(hash: &Hash, key: &str) -> Option<String> {
    get(hash, key).and_then(scalar)
}

/// The list at `key` as texts: a list of scalars, or one scalar as a list of one. Nulls and nested
/// lists/maps are skipped.
pub(crate) fn get_list(hash: &Hash, key: &str) -> Vec<String> {
    match get(hash, key) {
        Some(Yaml::Array(items)) => items.iter().filter_map(scalar).collect(),
        Some(y) => scalar(y).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The scalar at `key`, required: [`SigmaError::Invalid`] naming the key when it is missing.
pub(crate) fn require_str(hash: &Hash, key: &str) -> Result<String, SigmaError> {
    get_str(hash, key).ok_or_else(|| invalid(format!("missing `{key}`")))
}

/// A short description of a YAML value's kind, for error messages.
pub(crate) fn kind(y: &Yaml) -> &'static str {
    match y {
        Yaml::Real(_) | Yaml::Integer(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Boolean(_) => "a boolean",
        Yaml::Array(_) => "a list",
        Yaml::Hash(_) => "a map",
        Yaml::Alias(_) => "an alias",
        Yaml::Null => "null",
        Yaml::BadValue => "an unreadable value",
    }
}

//! The YAML side of a Sigma file: loading its documents, the legacy `action:` collections, and reading
//! scalars and lists out of `yaml_rust2` values.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlLoader};

use super::{invalid, SigmaError};

/// The most nodes a file's documents may hold once their aliases are expanded.
const MAX_NODES: u64 = 1_000_000;

/// How deep sequences and maps may nest (a Sigma rule needs about five levels).
const MAX_DEPTH: usize = 64;

/// Every YAML document of `text`. A syntax error is [`SigmaError::Invalid`] with its line and column.
pub(crate) fn load(text: &str) -> Result<Vec<Yaml>, SigmaError> {
    // The loader builds (and later drops) nested values recursively, and copies an anchored node at each
    // of its aliases: deep nesting would overflow the stack and nested aliases (a "billion laughs" file)
    // exhaust memory, so the file's shape is measured first, from the parser's event stream.
    let shape = shape(text);
    if shape.max_depth > MAX_DEPTH {
        return Err(invalid(format!(
            "YAML: nested deeper than {MAX_DEPTH} levels"
        )));
    }
    if shape.total > MAX_NODES {
        return Err(invalid("YAML: aliases expand to too many nodes"));
    }
    // The loader's internal invariants are asserted with unwrap/unreachable: a file that broke one must
    // fail as a file, not take the process down.
    match catch_unwind(AssertUnwindSafe(|| YamlLoader::load_from_str(text))) {
        Ok(Ok(docs)) => Ok(docs),
        Ok(Err(e)) => Err(invalid(format!("YAML: {e}"))),
        Err(_) => Err(invalid("YAML: the reader failed on this file")),
    }
}

/// The nesting depth of `text`'s documents and their node count with every alias expanded, read from the
/// parser's events one at a time (the parser's own `load` recurses) and given up as soon as a limit is
/// passed. Zeros when the text does not parse: the loader reports that.
fn shape(text: &str) -> Shape {
    let mut shape = Shape::default();
    let mut parser = Parser::new_from_str(text);
    let read = catch_unwind(AssertUnwindSafe(|| loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return true,
            Ok((ev, _)) => {
                shape.event(ev);
                // Sizes grow in the innermost open node (or the total): checking it bounds them all.
                let open = shape.open.last().map_or(0, |(_, size)| *size);
                shape.total = shape.total.max(open);
                if shape.max_depth > MAX_DEPTH || shape.total > MAX_NODES {
                    return true;
                }
            }
            Err(_) => return false,
        }
    }));
    match read {
        Ok(true) => shape,
        _ => Shape::default(),
    }
}

/// The shape of a YAML stream: nesting depth and node count, an alias counting as the size of its anchored
/// node.
#[derive(Default)]
struct Shape {
    /// Sizes of anchored nodes, by anchor id.
    anchored: HashMap<usize, u64>,
    /// Open sequences and maps: anchor id and size so far.
    open: Vec<(usize, u64)>,
    /// The deepest nesting seen.
    max_depth: usize,
    /// Nodes of the closed documents' top-level values (raised to an open node's size while reading: an
    /// upper bound).
    total: u64,
}

impl Shape {
    fn event(&mut self, ev: Event) {
        let size = match ev {
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    self.anchored.insert(anchor, 1);
                }
                1
            }
            Event::Alias(id) => self.anchored.get(&id).copied().unwrap_or(1),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((anchor, 1));
                self.max_depth = self.max_depth.max(self.open.len());
                return;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, size)) = self.open.pop() else {
                    return;
                };
                if anchor > 0 {
                    self.anchored.insert(anchor, size);
                }
                size
            }
            _ => return,
        };
        match self.open.last_mut() {
            Some((_, parent)) => *parent = parent.saturating_add(size),
            None => self.total = self.total.saturating_add(size),
        }
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

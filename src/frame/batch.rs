//! `EventBatch`: the columnar buffer one file's parser fills. Text is interned per batch (a file repeats the same
//! identities, actions and user agents thousands of times), so a batch costs a few bytes a row.

use std::borrow::Cow;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::schema::{text_index, Col, Kind, TEXT_COLS};
use crate::util::time::Nanos;

/// Code of a null value in a dictionary-coded column.
pub const NULL: u32 = u32::MAX;

/// A string interner: one arena, one span per distinct value.
#[derive(Default)]
pub struct Dict {
    arena: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl Dict {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn get(&self, code: u32) -> &str {
        let (s, l) = self.spans[code as usize];
        &self.arena[s as usize..(s + l) as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .map(|&(s, l)| &self.arena[s as usize..(s + l) as usize])
    }

    pub fn intern(&mut self, v: &str) -> u32 {
        let hash = self.hasher.hash_one(v);
        let arena = &self.arena;
        let spans = &self.spans;
        if let Some(&code) = self.table.find(hash, |&c| {
            let (s, l) = spans[c as usize];
            &arena[s as usize..(s + l) as usize] == v
        }) {
            return code;
        }
        let code = self.spans.len() as u32;
        self.spans.push((self.arena.len() as u32, v.len() as u32));
        self.arena.push_str(v);
        let (arena, spans, hasher) = (&self.arena, &self.spans, &self.hasher);
        self.table.insert_unique(hash, code, |&c| {
            let (s, l) = spans[c as usize];
            hasher.hash_one(&arena[s as usize..(s + l) as usize])
        });
        code
    }
}

/// One event as a parser builds it: borrowed text where the record allows, owned where JSON unescaping required it.
#[derive(Default, Clone)]
pub struct Row<'a> {
    text: [Option<Cow<'a, str>>; TEXT_COLS],
    pub time: Nanos,
    pub bytes: Option<u64>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub line: u32,
    pub raw_offset: u64,
    pub raw_len: u32,
    pub record_hash: u64,
}

impl<'a> Row<'a> {
    /// Set a text column; empty strings and `None` stay null.
    pub fn set(&mut self, col: Col, value: impl Into<Option<Cow<'a, str>>>) {
        debug_assert!(
            matches!(col.kind(), Kind::Cat | Kind::Str),
            "{col:?} is not text"
        );
        let v = value.into().filter(|v| !v.is_empty());
        self.text[text_index(col)] = v;
    }

    pub fn set_str(&mut self, col: Col, value: &'a str) {
        self.set(col, Some(Cow::Borrowed(value)));
    }

    /// Set only when the column is still null (the `||` chains of the format notes).
    pub fn set_if_none(&mut self, col: Col, value: impl Into<Option<Cow<'a, str>>>) {
        if self.get(col).is_none() {
            self.set(col, value);
        }
    }

    pub fn get(&self, col: Col) -> Option<&str> {
        self.text[text_index(col)].as_deref()
    }
}

/// Columnar events from one file. `origin` is shared by every row.
pub struct EventBatch {
    pub origin: String,
    pub dicts: Vec<Dict>,
    pub codes: Vec<Vec<u32>>,
    pub time: Vec<Nanos>,
    pub bytes: Vec<Option<u64>>,
    pub input_tokens: Vec<Option<u64>>,
    pub output_tokens: Vec<Option<u64>>,
    pub line: Vec<u32>,
    pub raw_offset: Vec<u64>,
    pub raw_len: Vec<u32>,
    pub record_hash: Vec<u64>,
}

impl EventBatch {
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            dicts: (0..TEXT_COLS).map(|_| Dict::default()).collect(),
            codes: (0..TEXT_COLS).map(|_| Vec::new()).collect(),
            time: Vec::new(),
            bytes: Vec::new(),
            input_tokens: Vec::new(),
            output_tokens: Vec::new(),
            line: Vec::new(),
            raw_offset: Vec::new(),
            raw_len: Vec::new(),
            record_hash: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn push(&mut self, row: &Row<'_>) {
        let origin_idx = text_index(Col::Origin);
        for (i, v) in row.text.iter().enumerate() {
            let code = if i == origin_idx {
                // Every row of a batch comes from the batch's file.
                self.dicts[i].intern(&self.origin)
            } else {
                match v {
                    Some(s) => self.dicts[i].intern(s),
                    None => NULL,
                }
            };
            self.codes[i].push(code);
        }
        self.time.push(row.time);
        self.bytes.push(row.bytes);
        self.input_tokens.push(row.input_tokens);
        self.output_tokens.push(row.output_tokens);
        self.line.push(row.line);
        self.raw_offset.push(row.raw_offset);
        self.raw_len.push(row.raw_len);
        self.record_hash.push(row.record_hash);
    }

    /// Text value of a column for one row.
    pub fn text(&self, col: Col, row: usize) -> Option<&str> {
        let i = text_index(col);
        match self.codes[i][row] {
            NULL => None,
            c => Some(self.dicts[i].get(c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_repeats_once() {
        let mut d = Dict::default();
        let a = d.intern("GetObject");
        let b = d.intern("PutObject");
        assert_eq!(d.intern("GetObject"), a);
        assert_ne!(a, b);
        assert_eq!(d.len(), 2);
        assert_eq!(d.get(b), "PutObject");
    }

    #[test]
    fn batch_rows_read_back() {
        let mut b = EventBatch::new("f.json");
        let mut r = Row::default();
        r.set_str(Col::Action, "GetObject");
        r.set_str(Col::Token, "");
        r.time = 5;
        b.push(&r);
        assert_eq!(b.text(Col::Action, 0), Some("GetObject"));
        assert_eq!(b.text(Col::Token, 0), None, "empty strings are null");
        assert_eq!(b.text(Col::Origin, 0), Some("f.json"));
    }
}

//! `EventBatch`: the columnar buffer one file's parser fills. Text is interned per batch (a file repeats the same
//! identities, actions and user agents thousands of times), so a batch costs a few bytes a row.

use std::borrow::Cow;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::schema::{text_index, Col, Kind, TEXT_COLS};
use crate::util::ip::{self, SourceAddr};
use crate::util::time::Nanos;

/// Code of a null value in a dictionary-coded column.
pub const NULL: u32 = u32::MAX;
/// A null in the optional integer columns (bytes, token counts).
pub const NULL_U64: u64 = u64::MAX;

/// A string interner: one arena, one span per distinct value. In append-only mode (for near-unique columns such
/// as event ids, where interning saves nothing) every value gets its own span and nothing is hashed.
#[derive(Default)]
pub struct Dict {
    arena: String,
    spans: Vec<(u32, u32)>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
    append_only: bool,
}

impl Dict {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Drop growth slack, and the hash table (a finished dictionary is only read by code).
    pub fn shrink(&mut self) {
        self.arena.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.table = HashTable::new();
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Byte offset and length of a value in the arena.
    pub fn span(&self, code: u32) -> (u32, u32) {
        self.spans[code as usize]
    }

    /// The arena holding every value, back to back.
    pub fn into_arena(self) -> String {
        self.arena
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

    pub fn append_only() -> Self {
        Self {
            append_only: true,
            ..Self::default()
        }
    }

    pub fn intern(&mut self, v: &str) -> u32 {
        if self.append_only {
            let code = self.spans.len() as u32;
            self.spans.push((self.arena.len() as u32, v.len() as u32));
            self.arena.push_str(v);
            return code;
        }
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
    /// Set a text column, trimmed of surrounding white space. A source address is kept in one spelling, and a
    /// service name logged in its place goes to `source_service` (see [`crate::util::ip`]).
    /// Text is trimmed of surrounding white space (an action logged as `"Add member "` is `Add member`
    /// for matching and display; the raw record keeps what was logged); empty strings and `None` stay null.
    pub fn set(&mut self, col: Col, value: impl Into<Option<Cow<'a, str>>>) {
        debug_assert!(
            matches!(col.kind(), Kind::Cat | Kind::Str),
            "{col:?} is not text"
        );
        let v = value.into().map(trimmed).filter(|v| !v.is_empty());
        if let (Col::SourceIp, Some(v)) = (col, &v) {
            match ip::classify(v.clone()) {
                SourceAddr::Ip(a) | SourceAddr::Masked(a) => self.text[text_index(col)] = Some(a),
                SourceAddr::Service(s) => {
                    self.text[text_index(col)] = None;
                    self.set_if_none(Col::SourceService, Some(s));
                }
            }
            return;
        }
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

/// `v` without surrounding white space, borrowing when it can.
fn trimmed(v: Cow<'_, str>) -> Cow<'_, str> {
    match v {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
    }
}

/// Columnar events from one file. `origin` is shared by every row.
pub struct EventBatch {
    pub origin: String,
    pub dicts: Vec<Dict>,
    pub codes: Vec<Vec<u32>>,
    pub time: Vec<Nanos>,
    /// `NULL_U64` for null, here and in the token counts.
    pub bytes: Vec<u64>,
    pub input_tokens: Vec<u64>,
    pub output_tokens: Vec<u64>,
    pub line: Vec<u32>,
    pub raw_offset: Vec<u64>,
    pub raw_len: Vec<u32>,
    pub record_hash: Vec<u64>,
    /// Categorical codes are ids in the global mapping (see `finish`).
    finished: bool,
    /// Where the fixed-width columns went (see `spill_into`), and how many rows they hold.
    spilled: Option<(usize, usize)>,
}

impl EventBatch {
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            dicts: Col::text_columns()
                .map(|c| {
                    if c.kind() == Kind::Str {
                        Dict::append_only()
                    } else {
                        Dict::default()
                    }
                })
                .collect(),
            codes: (0..TEXT_COLS).map(|_| Vec::new()).collect(),
            time: Vec::new(),
            bytes: Vec::new(),
            input_tokens: Vec::new(),
            output_tokens: Vec::new(),
            line: Vec::new(),
            raw_offset: Vec::new(),
            raw_len: Vec::new(),
            record_hash: Vec::new(),
            finished: false,
            spilled: None,
        }
    }

    pub fn len(&self) -> usize {
        match self.spilled {
            Some((_, rows)) => rows,
            None => self.time.len(),
        }
    }

    /// Finish the batch and move its categorical ids, times and numbers to `spill` (see [`super::spill`]); it keeps
    /// its origin and its near-unique text. Once spilled, the moved columns are read from the spill, from
    /// [`EventBatch::spilled_at`].
    pub fn spill_into(&mut self, spill: &super::spill::Spill) -> polars::prelude::PolarsResult<()> {
        if self.spilled.is_some() {
            return Ok(());
        }
        self.finish()?;
        let start = spill.put(self);
        self.spilled = Some((start, self.time.len()));
        for col in Col::text_columns().filter(|c| c.kind() == Kind::Cat) {
            self.codes[text_index(col)] = Vec::new();
        }
        self.time = Vec::new();
        self.bytes = Vec::new();
        self.input_tokens = Vec::new();
        self.output_tokens = Vec::new();
        self.line = Vec::new();
        self.raw_offset = Vec::new();
        self.raw_len = Vec::new();
        self.record_hash = Vec::new();
        Ok(())
    }

    /// Where this batch's rows start in the spill it went to (`None` before [`EventBatch::spill_into`]).
    pub fn spilled_at(&self) -> Option<usize> {
        self.spilled.map(|(start, _)| start)
    }

    /// Room for `n` more rows, so a file whose record count is known fills its columns without growing them.
    pub fn reserve(&mut self, n: usize) {
        for c in &mut self.codes {
            c.reserve_exact(n);
        }
        self.time.reserve_exact(n);
        self.bytes.reserve_exact(n);
        self.input_tokens.reserve_exact(n);
        self.output_tokens.reserve_exact(n);
        self.line.reserve_exact(n);
        self.raw_offset.reserve_exact(n);
        self.raw_len.reserve_exact(n);
        self.record_hash.reserve_exact(n);
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn push(&mut self, row: &Row<'_>) {
        debug_assert!(!self.finished, "push after finish");
        let origin_idx = text_index(Col::Origin);
        for (i, v) in row.text.iter().enumerate() {
            let code = if i == origin_idx {
                // Every row of a batch comes from the batch's file: one entry, code 0.
                if self.dicts[i].is_empty() {
                    self.dicts[i].intern(&self.origin);
                }
                0
            } else {
                match v {
                    Some(s) => self.dicts[i].intern(s),
                    None => NULL,
                }
            };
            self.codes[i].push(code);
        }
        self.time.push(row.time);
        let opt = |v: Option<u64>| v.filter(|&x| x != NULL_U64).unwrap_or(NULL_U64);
        self.bytes.push(opt(row.bytes));
        self.input_tokens.push(opt(row.input_tokens));
        self.output_tokens.push(opt(row.output_tokens));
        self.line.push(row.line);
        self.raw_offset.push(row.raw_offset);
        self.raw_len.push(row.raw_len);
        self.record_hash.push(row.record_hash);
    }

    /// Called when the file is fully parsed. Categorical columns move their dictionary into the process-wide
    /// categorical mapping (where the frame keeps its strings anyway) and keep only 4-byte ids; near-unique text
    /// gives back its growth slack. The fixed-width columns are left as they are: [`EventBatch::spill_into`] moves
    /// them out next.
    pub fn finish(&mut self) -> polars::prelude::PolarsResult<()> {
        if self.finished {
            return Ok(());
        }
        let mapping = super::assemble::cat_mapping();
        for col in Col::text_columns() {
            let i = text_index(col);
            if col.kind() == Kind::Cat {
                let ids: Vec<u32> = self.dicts[i]
                    .iter()
                    .map(|s| mapping.insert_cat(s))
                    .collect::<Result<_, _>>()?;
                for c in self.codes[i].iter_mut() {
                    if *c != NULL {
                        *c = ids[*c as usize];
                    }
                }
                self.dicts[i] = Dict::default();
            } else {
                self.dicts[i].shrink();
                self.codes[i].shrink_to_fit();
            }
        }
        self.finished = true;
        Ok(())
    }

    /// Text value of a column for one row: any column before the batch is spilled, its near-unique text after.
    pub fn text(&self, col: Col, row: usize) -> Option<&str> {
        let i = text_index(col);
        match *self.codes[i].get(row)? {
            NULL => None,
            c if self.finished && col.kind() == Kind::Cat => {
                super::assemble::cat_mapping_ref().cat_to_str(c)
            }
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

    #[test]
    fn service_names_leave_the_source_ip_column() {
        let mut b = EventBatch::new("f.json");
        let mut r = Row::default();
        r.set_str(Col::SourceIp, "cloudtrail.amazonaws.com");
        b.push(&r);
        let mut r = Row::default();
        r.set_str(Col::SourceIp, " 035.249.253.232 ");
        b.push(&r);
        assert_eq!(b.text(Col::SourceIp, 0), None);
        assert_eq!(
            b.text(Col::SourceService, 0),
            Some("cloudtrail.amazonaws.com")
        );
        assert_eq!(b.text(Col::SourceIp, 1), Some("35.249.253.232"));
        assert_eq!(b.text(Col::SourceService, 1), None);
    }

    #[test]
    fn text_is_trimmed_and_blank_is_null() {
        let mut b = EventBatch::new("f.json");
        let mut r = Row::default();
        r.set_str(Col::Action, "Add member to role ");
        r.set(Col::IdentityType, Some(Cow::Owned("\tuser\n".to_string())));
        r.set_str(Col::Token, "   ");
        b.push(&r);
        assert_eq!(b.text(Col::Action, 0), Some("Add member to role"));
        assert_eq!(b.text(Col::IdentityType, 0), Some("user"));
        assert_eq!(b.text(Col::Token, 0), None);
    }
}

//! Where a load keeps its fixed-width columns while files are still being parsed.
//!
//! A finished batch (one file) moves its categorical ids, times and numbers here, column by column, and keeps only
//! its near-unique text (request and event ids). Each column is stored in parts of [`PART`] values, so it grows
//! without copying, and the frame is built from it one column at a time: the parts of a column are freed whole as
//! soon as its frame column exists, and that memory serves the next column. Kept per batch instead, the same values
//! sit in thousands of small vectors interleaved with each other, and none of that memory can be reused until the
//! last column is built: the load's peak was the batches and the frame together.

use std::sync::Mutex;

use super::batch::{EventBatch, NULL, NULL_U64};
use super::schema::{Kind, TEXT_COLS};
use super::Col;

/// Values per part: 1 MB of ids, 2 MB of times and numbers. A part is larger than the allocator's largest size
/// class (mimalloc's 512 KiB), so it has pages of its own, and freed, from whichever thread, it goes back whole.
/// Parts of 256 KB shared pages: the columns freed while the frame was built stayed resident, and the load's peak
/// was 50 MB higher.
pub const PART: usize = 1 << 18;

/// One column, in parts of [`PART`] values. A part whose values are all the column's fill (null, for the columns
/// that can be null) is never allocated: a column no row of the load sets (a model-invocation field in a
/// CloudTrail bundle) costs nothing until the frame is built.
pub struct Parts<T> {
    parts: Vec<Option<Vec<T>>>,
    len: usize,
    fill: T,
}

impl<T: Default> Default for Parts<T> {
    fn default() -> Self {
        Self {
            parts: Vec::new(),
            len: 0,
            fill: T::default(),
        }
    }
}

impl<T: Copy + PartialEq> Parts<T> {
    /// An empty column whose unset values read as `fill`.
    pub fn new(fill: T) -> Self {
        Self {
            parts: Vec::new(),
            len: 0,
            fill,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn extend(&mut self, mut v: &[T]) {
        while !v.is_empty() {
            let at = self.len % PART;
            if at == 0 {
                self.parts.push(None);
            }
            let n = (PART - at).min(v.len());
            let (chunk, rest) = v.split_at(n);
            let fill = self.fill;
            if let Some(last) = self.parts.last_mut() {
                match last {
                    Some(p) => p.extend_from_slice(chunk),
                    None if chunk.iter().all(|&x| x == fill) => {}
                    None => {
                        let mut p = Vec::with_capacity(PART);
                        p.resize(at, fill);
                        p.extend_from_slice(chunk);
                        *last = Some(p);
                    }
                }
            }
            self.len += n;
            v = rest;
        }
    }

    /// The value at `i` (which must be below `len`).
    pub fn get(&self, i: usize) -> T {
        match &self.parts[i / PART] {
            Some(p) => p[i % PART],
            None => self.fill,
        }
    }

    /// Whether every value is the fill (no part was ever allocated).
    pub fn all_fill(&self) -> bool {
        self.parts.iter().all(Option::is_none)
    }
}

/// Every fixed-width column of the rows spilled so far.
pub struct Columns {
    /// Categorical ids (global mapping ids), by text index; near-unique text columns stay empty.
    pub text: Vec<Parts<u32>>,
    pub time: Parts<i64>,
    pub bytes: Parts<u64>,
    pub input_tokens: Parts<u64>,
    pub output_tokens: Parts<u64>,
    pub raw_offset: Parts<u64>,
    pub record_hash: Parts<u64>,
    pub line: Parts<u32>,
    pub raw_len: Parts<u32>,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            text: (0..TEXT_COLS).map(|_| Parts::new(NULL)).collect(),
            time: Parts::default(),
            bytes: Parts::new(NULL_U64),
            input_tokens: Parts::new(NULL_U64),
            output_tokens: Parts::new(NULL_U64),
            raw_offset: Parts::default(),
            record_hash: Parts::default(),
            line: Parts::default(),
            raw_len: Parts::default(),
        }
    }
}

/// Shared by the threads of a load: each finished batch is appended whole, under a lock.
#[derive(Default)]
pub struct Spill(Mutex<Columns>);

impl Spill {
    /// Append `b`'s fixed-width columns; where its rows start.
    pub(crate) fn put(&self, b: &EventBatch) -> usize {
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let start = c.time.len();
        for col in Col::text_columns().filter(|c| c.kind() == Kind::Cat) {
            let i = super::schema::text_index(col);
            c.text[i].extend(&b.codes[i]);
        }
        c.time.extend(&b.time);
        c.bytes.extend(&b.bytes);
        c.input_tokens.extend(&b.input_tokens);
        c.output_tokens.extend(&b.output_tokens);
        c.raw_offset.extend(&b.raw_offset);
        c.record_hash.extend(&b.record_hash);
        c.line.extend(&b.line);
        c.raw_len.extend(&b.raw_len);
        start
    }

    pub fn into_columns(self) -> Columns {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_hold_values_across_part_boundaries() {
        let mut p: Parts<u32> = Parts::default();
        let a: Vec<u32> = (0..PART as u32 - 3).collect();
        p.extend(&a);
        p.extend(&[7, 8, 9, 10, 11]);
        assert_eq!(p.len(), PART + 2);
        assert_eq!(p.get(0), 0);
        assert_eq!(p.get(PART - 4), PART as u32 - 4);
        assert_eq!(p.get(PART - 3), 7);
        assert_eq!(p.get(PART - 1), 9);
        assert_eq!(p.get(PART), 10);
        assert_eq!(p.get(PART + 1), 11);
        assert_eq!(p.parts.len(), 2);
        assert!(
            p.parts.iter().flatten().all(|v| v.capacity() == PART),
            "no part grew"
        );
    }

    #[test]
    fn parts_of_fill_alone_are_never_allocated() {
        let mut p: Parts<u32> = Parts::new(NULL);
        p.extend(&vec![NULL; PART + 5]);
        assert_eq!(p.len(), PART + 5);
        assert!(p.all_fill() && p.parts.iter().all(Option::is_none));
        assert_eq!(p.get(PART + 4), NULL);
        // A value in the second part: that part alone is allocated, the values before it in the part read as fill.
        p.extend(&[7, NULL]);
        assert!(!p.all_fill());
        assert!(p.parts[0].is_none() && p.parts[1].is_some());
        assert_eq!(p.get(PART + 4), NULL);
        assert_eq!(p.get(PART + 5), 7);
        assert_eq!(p.get(PART + 6), NULL);
        assert_eq!(p.get(3), NULL);
        assert_eq!(p.len(), PART + 7);
    }
}

//! Where a load keeps its fixed-width columns while files are still being parsed.
//!
//! A finished batch (one file) moves its categorical ids, times and numbers here, column by column, and keeps only
//! its near-unique text (request and event ids). Each column is stored in parts of [`PART`] values, so it grows
//! without copying, and the frame is built from it one column at a time: the parts of a column are freed whole as
//! soon as its frame column exists, and that memory serves the next column. Kept per batch instead, the same values
//! sit in thousands of small vectors interleaved with each other, and none of that memory can be reused until the
//! last column is built: the load's peak was the batches and the frame together.

use std::sync::Mutex;

use super::batch::EventBatch;
use super::schema::{Kind, TEXT_COLS};
use super::Col;

/// Values per part: 1 MB of ids, 2 MB of times and numbers. A part is larger than the allocator's largest size
/// class (mimalloc's 512 KiB), so it has pages of its own, and freed, from whichever thread, it goes back whole.
/// Parts of 256 KB shared pages: the columns freed while the frame was built stayed resident, and the load's peak
/// was 50 MB higher.
pub const PART: usize = 1 << 18;

/// One column, in parts of [`PART`] values.
pub struct Parts<T> {
    parts: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Parts<T> {
    fn default() -> Self {
        Self {
            parts: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> Parts<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn extend(&mut self, mut v: &[T]) {
        self.len += v.len();
        while !v.is_empty() {
            let last = match self.parts.last_mut() {
                Some(p) if p.len() < PART => p,
                _ => {
                    self.parts.push(Vec::with_capacity(PART));
                    let n = self.parts.len() - 1;
                    &mut self.parts[n]
                }
            };
            let n = (PART - last.len()).min(v.len());
            last.extend_from_slice(&v[..n]);
            v = &v[n..];
        }
    }

    /// The value at `i` (which must be below `len`).
    pub fn get(&self, i: usize) -> T {
        self.parts[i / PART][i % PART]
    }
}

/// Every fixed-width column of the rows spilled so far.
#[derive(Default)]
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

/// Shared by the threads of a load: each finished batch is appended whole, under a lock.
#[derive(Default)]
pub struct Spill(Mutex<Columns>);

impl Spill {
    /// Append `b`'s fixed-width columns; where its rows start.
    pub(crate) fn put(&self, b: &EventBatch) -> usize {
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if c.text.is_empty() {
            c.text = (0..TEXT_COLS).map(|_| Parts::default()).collect();
        }
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
        let mut c = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        if c.text.is_empty() {
            c.text = (0..TEXT_COLS).map(|_| Parts::default()).collect();
        }
        c
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
        assert!(p.parts.iter().all(|v| v.capacity() == PART), "no part grew");
    }
}

//! What the frame's columns do not hold: a rule query may also test the raw record behind an event (`raw`
//! conditions: `requestParameters.policyArn:*/AdministratorAccess`). The frame keeps where each record sits
//! (`origin`, `raw_offset`, `raw_len`) and the hash of its bytes; [`RawRecords`] reads the records back, the
//! loaded bundle ([`EventStore`]) being the usual reader. Records are read only for the rows a rule's columns already
//! selected, one file at a time.

mod filter;

pub use filter::{RawError, RawFilter};

use std::collections::HashMap;

use crate::frame::access::FrameReader;
use crate::frame::store::EventStore;
use crate::frame::Col;

/// Reads the raw records behind rows of the frame being searched.
pub trait RawRecords: Sync {
    /// The text of each of `rows`' records, in the order given; `None` where the record cannot be read (a bundle
    /// loaded from memory, a file changed or gone since it was loaded).
    fn records(&self, rows: &[u32]) -> Vec<Option<String>>;

    /// Call `f` with each of `rows`' records in the order given (its index in `rows`, the text or `None`), without
    /// copying them: for a pass over many records.
    fn each_record(&self, rows: &[u32], f: &mut dyn FnMut(usize, Option<&str>)) {
        for (i, r) in self.records(rows).iter().enumerate() {
            f(i, r.as_deref());
        }
    }
}

/// The loaded bundle reads its records back from its files. A file is opened once per call, and a record is given
/// only when its bytes still hash to the `record_hash` the frame holds: an edited or replaced file yields nothing
/// rather than another record.
impl RawRecords for EventStore {
    fn records(&self, rows: &[u32]) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = vec![None; rows.len()];
        self.each_record(rows, &mut |i, rec| out[i] = rec.map(str::to_string));
        out
    }

    fn each_record(&self, rows: &[u32], f: &mut dyn FnMut(usize, Option<&str>)) {
        let mut done = vec![false; rows.len()];
        let Ok(r) = FrameReader::new(&self.frame) else {
            (0..rows.len()).for_each(|i| f(i, None));
            return;
        };
        // Rows by file, in first-seen order.
        let mut by_origin: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for (i, &row) in rows.iter().enumerate() {
            let Some(origin) = r.text(Col::Origin, row as usize) else {
                continue;
            };
            by_origin
                .entry(origin)
                .or_insert_with(|| {
                    order.push(origin);
                    Vec::new()
                })
                .push(i);
        }
        for origin in order {
            let Some(file) = self.file(origin) else {
                continue;
            };
            let Ok(bytes) = crate::ingest::bundle::reopen(&file.locator) else {
                continue;
            };
            {
                let decoded = crate::ingest::text::decode(&bytes);
                let text: &str = &decoded.text;
                for &i in by_origin.get(origin).map(Vec::as_slice).unwrap_or(&[]) {
                    f(i, verified_record(&r, rows[i] as usize, text));
                    done[i] = true;
                }
            }
            // The buffer serves the next file this thread reads back.
            crate::ingest::buffers::give(bytes);
        }
        // Rows whose file could not be read again, in order after the others.
        for (i, d) in done.iter().enumerate() {
            if !d {
                f(i, None);
            }
        }
    }
}

/// The record of `row` in `text` (its file, decoded as the load decoded it), when its bytes still hash to the
/// frame's `record_hash`: an edited or replaced file yields nothing rather than another record.
pub(crate) fn verified_record<'t>(
    r: &FrameReader<'_>,
    row: usize,
    text: &'t str,
) -> Option<&'t str> {
    let start = r.u64(Col::RawOffset, row)? as usize;
    let len = r.u64(Col::RawLen, row)? as usize;
    let hash = r.u64(Col::RecordHash, row)?;
    text.get(start..start.checked_add(len)?)
        .filter(|rec| xxhash_rust::xxh3::xxh3_64(rec.as_bytes()) == hash)
}

#[cfg(test)]
mod tests;

//! How findings name their events. An event's key is `source|id|EVENT_ID|ACTION` when the source gives an id
//! (`heist::frame::EventKey`), but providers and exporters reuse ids: hand-edited fixtures give every record id
//! `1`, a SIEM export may number each batch from zero. Where another event of the frame has the same key, a finding
//! names the event by the key followed by its raw record's hash (`cloudtrail|id|12345|CreateAccessKey|h|…`), so a
//! finding about one of them neither shows nor flags the others.
//!
//! A row is named by a set when the set holds its key or its key with the hash: a set of findings' keys finds the
//! same rows in the whole frame and in any part of it.

use std::collections::HashSet;

use polars::prelude::*;

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventKey};

/// `key` followed by the record hash: the name of an event whose key another event shares.
pub fn with_hash(key: &EventKey, record_hash: u64) -> EventKey {
    EventKey::from_text(format!("{}|h|{record_hash:016x}", key.as_str()))
}

/// The key without the record hash a finding may have added (`None` when it has none).
pub fn without_hash(key: &EventKey) -> Option<EventKey> {
    let s = key.as_str();
    let (head, tail) = s.rsplit_once("|h|")?;
    // A key with an id has `|id|` before; a hash key (`source|h|…`) has nothing to strip.
    (head.contains("|id|") && tail.len() == 16 && tail.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| EventKey::from_text(head))
}

/// One boolean per row of `df`: does `keys` name the event?
pub fn mask(df: &DataFrame, keys: &HashSet<EventKey>) -> PolarsResult<BooleanChunked> {
    let v = named(df, keys)?;
    Ok(BooleanChunked::from_slice(
        PlSmallStr::from_static("key"),
        &v,
    ))
}

/// The rows of `df` that `keys` names, in frame order.
pub fn rows_of(df: &DataFrame, keys: &HashSet<EventKey>) -> PolarsResult<Vec<usize>> {
    Ok(named(df, keys)?
        .into_iter()
        .enumerate()
        .filter_map(|(i, b)| b.then_some(i))
        .collect())
}

fn named(df: &DataFrame, keys: &HashSet<EventKey>) -> PolarsResult<Vec<bool>> {
    let r = FrameReader::new(df)?;
    if keys.is_empty() {
        return Ok(vec![false; r.height()]);
    }
    let hashed = keys.iter().any(|k| without_hash(k).is_some());
    Ok((0..r.height())
        .map(|i| {
            let Some(k) = EventKey::of_row(&r, i) else {
                return false;
            };
            keys.contains(&k)
                || (hashed
                    && r.text(Col::EventId, i).is_some()
                    && keys.contains(&with_hash(&k, r.u64(Col::RecordHash, i).unwrap_or(0))))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_added_and_taken_off_again() {
        let k = EventKey::new("cloudtrail", Some("1"), Some("ConsoleLogin"), 0);
        let h = with_hash(&k, 0xabc);
        assert_eq!(
            h.as_str(),
            "cloudtrail|id|1|ConsoleLogin|h|0000000000000abc"
        );
        assert_eq!(without_hash(&h), Some(k.clone()));
        assert_eq!(without_hash(&k), None);
        // A key that has no id is already a hash key: nothing to take off.
        let plain = EventKey::new("s3access", None, Some("REST.GET.OBJECT"), 0xabc);
        assert_eq!(without_hash(&plain), None);
    }
}

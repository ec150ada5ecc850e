//! The cache on the sample bundle (every format, gzipped and plain files, a malformed line, a file skipped by
//! design) and on small bundles written here.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::frame::access::FrameReader;
use crate::frame::key::EventKey;
use crate::ingest::{load, load_cached, Prefilter, Progress};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/incident")
}

fn cache_in(dir: &Path) -> Cache {
    Cache::in_data_dir(dir, DEFAULT_MAX_BYTES)
}

fn opts() -> LoadOptions {
    LoadOptions::with_builtin_mappings()
}

fn cached(paths: &[PathBuf], c: &Cache) -> (EventStore, Outcome) {
    load_cached(paths, &opts(), &Progress::default(), Some(c)).unwrap()
}

/// Two stores hold the same events, files, and account of what did not load.
fn assert_same(a: &EventStore, b: &EventStore) {
    assert!(a.frame.equals_missing(&b.frame), "frames differ");
    assert_eq!(a.frame.schema(), b.frame.schema());
    let origins = |s: &EventStore| -> Vec<(String, &'static str, usize, u64)> {
        s.files
            .iter()
            .map(|f| (f.origin.clone(), f.format, f.events, f.size))
            .collect()
    };
    assert_eq!(origins(a), origins(b));
    assert_eq!(a.report.errors, b.report.errors);
    assert_eq!(a.report.error_count, b.report.error_count);
    assert_eq!(a.report.unreadable, b.report.unreadable);
    assert_eq!(a.report.skipped, b.report.skipped);
    assert_eq!(a.report.duplicates, b.report.duplicates);
    assert_eq!(a.report.merged, b.report.merged);
}

#[test]
fn a_cached_bundle_reopens_as_a_fresh_load_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache_in(dir.path());
    let paths = [sample()];
    let fresh = load(&paths, &opts(), &Progress::default()).unwrap();
    let (first, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Written);
    assert_same(&fresh, &first);
    let (again, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Hit);
    assert_same(&fresh, &again);
    assert!(fresh.report.error_count > 0 && !fresh.report.skipped.is_empty());
    // Text columns compare by code across frames: the cached frame's codes are this process's.
    let r = FrameReader::new(&again.frame).unwrap();
    let f = FrameReader::new(&fresh.frame).unwrap();
    for row in [0, again.frame.height() / 2, again.frame.height() - 1] {
        assert_eq!(r.text(Col::Token, row), f.text(Col::Token, row));
        assert_eq!(
            EventKey::of_row(&r, row),
            EventKey::of_row(&f, row),
            "event keys stay the same"
        );
    }
    // Raw records are read again from the bundle through the cached locators.
    let row = again.frame.height() - 1;
    let origin = r.text(Col::Origin, row).unwrap().to_string();
    let info = again.file(&origin).expect("the row's file");
    let off = again
        .frame
        .column(Col::RawOffset.name())
        .unwrap()
        .u64()
        .unwrap()
        .get(row)
        .unwrap();
    let len = again
        .frame
        .column(Col::RawLen.name())
        .unwrap()
        .u32()
        .unwrap()
        .get(row)
        .unwrap();
    let raw = crate::ingest::raw::read_record(&info.locator, off, len).unwrap();
    assert!(!raw.trim().is_empty());
}

fn small_bundle(dir: &Path) -> PathBuf {
    let b = dir.join("bundle");
    fs::create_dir_all(&b).unwrap();
    let rec = |i: u32, key: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2026-10-05T02:{i:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"{key}"}},"requestParameters":{{"bucketName":"m","key":"w{i}"}},"eventID":"e{i}","eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#
        )
    };
    let recs: Vec<String> = (0..5).map(|i| rec(i, "AKIAQ3EGRZTSTOLEN7CI")).collect();
    fs::write(
        b.join("a.json"),
        format!(r#"{{"Records":[{}]}}"#, recs.join(",")),
    )
    .unwrap();
    b
}

#[test]
fn a_changed_file_a_corrupt_entry_or_an_older_one_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache_in(&dir.path().join("data"));
    let b = small_bundle(dir.path());
    let paths = [b.clone()];
    assert_eq!(cached(&paths, &c).1, Outcome::Written);
    assert_eq!(cached(&paths, &c).1, Outcome::Hit);
    let k = key(&c, &paths, &opts()).unwrap();

    // A corrupt frame: not trusted, read again, replaced.
    fs::write(frame_path(&c, &k), b"PAR1 not a parquet file PAR1").unwrap();
    let (s, o) = cached(&paths, &c);
    assert!(
        matches!(o, Outcome::Rebuilt(ref why) if why.contains("could not be read")),
        "{o:?}"
    );
    assert_eq!(s.frame.height(), 5);
    assert_eq!(cached(&paths, &c).1, Outcome::Hit);

    // A truncated description, then one of another version of heist under the same name.
    fs::write(meta_path(&c, &k), b"{\"version\": 1, \"ke").unwrap();
    assert!(matches!(cached(&paths, &c).1, Outcome::Rebuilt(_)));
    let text = fs::read_to_string(meta_path(&c, &k)).unwrap();
    fs::write(
        meta_path(&c, &k),
        text.replacen(&format!("\"version\":{CACHE_VERSION}"), "\"version\":99", 1),
    )
    .unwrap();
    assert!(
        matches!(cached(&paths, &c).1, Outcome::Rebuilt(ref why) if why.contains("another heist"))
    );
    assert_eq!(cached(&paths, &c).1, Outcome::Hit);

    // A foreign Parquet file with the right name: its columns are not heist's.
    let mut other = df!("a" => [1u32, 2, 3]).unwrap();
    ParquetWriter::new(fs::File::create(frame_path(&c, &k)).unwrap())
        .finish(&mut other)
        .unwrap();
    assert!(matches!(cached(&paths, &c).1, Outcome::Rebuilt(ref why) if why.contains("columns")));
    assert_eq!(cached(&paths, &c).1, Outcome::Hit);

    // The text of the categorical columns: corrupt, then one row short (an id it does not name).
    fs::write(text_path(&c, &k), b"PAR1 not a parquet file PAR1").unwrap();
    assert!(
        matches!(cached(&paths, &c).1, Outcome::Rebuilt(ref why) if why.contains("text table could not be read"))
    );
    let table = read_parquet(&text_path(&c, &k), "text table").unwrap();
    let mut short = table.slice(0, table.height() - 1);
    ParquetWriter::new(fs::File::create(text_path(&c, &k)).unwrap())
        .finish(&mut short)
        .unwrap();
    let (s, o) = cached(&paths, &c);
    assert!(
        matches!(o, Outcome::Rebuilt(ref why) if why.contains("text table does not")),
        "{o:?}"
    );
    assert_eq!(s.frame.height(), 5);
    // Gone: the entry is not whole, and is written again.
    fs::remove_file(text_path(&c, &k)).unwrap();
    assert_eq!(cached(&paths, &c).1, Outcome::Written);

    // A newer cache format: another key, a new entry.
    let newer = Cache {
        version: CACHE_VERSION + 1,
        ..c.clone()
    };
    assert_ne!(key(&newer, &paths, &opts()).unwrap(), k);
    assert_eq!(cached(&paths, &newer).1, Outcome::Written);

    // A file of the bundle changes: another key, read again.
    let f = b.join("a.json");
    let text = fs::read_to_string(&f).unwrap();
    fs::write(&f, text.replace("\"w4\"", "\"w4-changed\"")).unwrap();
    assert_ne!(key(&c, &paths, &opts()).unwrap(), k);
    let (s, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Written);
    assert!(FrameReader::new(&s.frame)
        .unwrap()
        .text(Col::Asset, 4)
        .is_some_and(|a| a.ends_with("w4-changed")));
}

#[test]
fn a_query_narrowed_load_is_never_written_but_reads_a_full_entry() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache_in(&dir.path().join("data"));
    let b = small_bundle(dir.path());
    let paths = [b];
    let narrowed = LoadOptions {
        prefilter: Prefilter::new(vec!["AKIAQ3EGRZTSTOLEN7CI".into()]),
        ..opts()
    };
    assert!(narrowed.prefilter.is_some());
    let run = |o: &LoadOptions| {
        load_cached(&paths, o, &Progress::default(), Some(&c))
            .unwrap()
            .1
    };
    assert!(matches!(run(&narrowed), Outcome::NotWritten(_)));
    assert_eq!(run(&opts()), Outcome::Written);
    assert_eq!(run(&narrowed), Outcome::Hit);
}

#[test]
fn the_oldest_entries_go_when_the_cache_is_full() {
    let dir = tempfile::tempdir().unwrap();
    let b1 = [small_bundle(&dir.path().join("one"))];
    let b2 = [small_bundle(&dir.path().join("two"))];
    let mut c = cache_in(&dir.path().join("data"));
    assert_eq!(cached(&b1, &c).1, Outcome::Written);
    let k1 = key(&c, &b1, &opts()).unwrap();
    // Room for one entry only: writing the second evicts the first.
    c.max_bytes = 1;
    assert_eq!(cached(&b2, &c).1, Outcome::Written);
    assert!(
        !frame_path(&c, &k1).exists()
            && !meta_path(&c, &k1).exists()
            && !text_path(&c, &k1).exists()
    );
    let k2 = key(&c, &b2, &opts()).unwrap();
    assert!(
        frame_path(&c, &k2).exists() && text_path(&c, &k2).exists(),
        "the entry just written stays"
    );
    // Nothing half-written is left behind.
    let leftovers: Vec<String> = fs::read_dir(&c.dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// An entry is found by names, sizes and times; the bundle's SHA-256 (from the case binding) confirms it: recorded
/// the first time, the same after, and an entry whose bundle's bytes changed under the same names, sizes and
/// times is removed, so the next open reads the bundle.
#[test]
fn an_entry_is_confirmed_by_the_bundles_digest_and_dropped_when_it_differs() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    fs::create_dir(&bundle).unwrap();
    let rec = |key: &str| {
        format!(
            r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1","eventType":"AwsApiCall","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"{key}"}}}}]}}"#
        )
    };
    let file = bundle.join("ct.json");
    fs::write(&file, rec("AKIAAAAAAAAAAAAAAAA1")).unwrap();
    let c = cache_in(&dir.path().join("data"));
    let paths = [bundle.clone()];
    let (fresh, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Written);
    assert_eq!(
        fresh.report.cache_entry, None,
        "a fresh load was not read from the cache"
    );
    let (hit, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Hit);
    let entry = hit.report.cache_entry.clone().expect("read from the cache");
    let sha = || {
        crate::case::digest(std::slice::from_ref(&bundle))
            .unwrap()
            .sha256
    };
    let first = sha();
    assert_eq!(confirm(&entry, &first), Ok(Confirmed::Recorded));
    assert_eq!(confirm(&entry, &first), Ok(Confirmed::Same));
    // Another key of the same length, the size and modification time put back as they were.
    let mtime = fs::metadata(&file).unwrap().modified().unwrap();
    fs::write(&file, rec("AKIABBBBBBBBBBBBBBB2")).unwrap();
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (stale, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Hit, "names, sizes and times alone cannot tell");
    let now = sha();
    assert_ne!(now, first);
    assert_eq!(
        confirm(stale.report.cache_entry.as_ref().unwrap(), &now),
        Ok(Confirmed::Changed)
    );
    for ext in ["json", "parquet", "text.parquet"] {
        assert!(!entry.with_extension(ext).exists(), "{ext} removed");
    }
    let (reread, o) = cached(&paths, &c);
    assert_eq!(o, Outcome::Written);
    let r = FrameReader::new(&reread.frame).unwrap();
    assert_eq!(r.text(Col::Token, 0), Some("AKIABBBBBBBBBBBBBBB2"));
}

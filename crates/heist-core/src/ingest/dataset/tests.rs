use super::*;
use crate::export::dataset::{write, PartitionKey};
use crate::ingest::{load, Progress};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/incident")
}

/// Each column as strings (time in microseconds, as a dataset keeps it), rows in a stable order.
fn comparable(df: &DataFrame) -> DataFrame {
    let exprs: Vec<Expr> = Col::ALL
        .iter()
        .map(|c| {
            let e = polars::prelude::col(c.name());
            let e = if *c == Col::Time {
                e.cast(DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                ))
            } else {
                e
            };
            e.cast(DataType::String).alias(c.name())
        })
        .collect();
    let keys = [
        "time",
        "source",
        "origin",
        "line",
        "event_id",
        "record_hash",
    ];
    df.clone()
        .lazy()
        .select(exprs)
        .sort(keys, SortMultipleOptions::default())
        .collect()
        .unwrap()
}

/// The sample loaded fresh, and written as a dataset partitioned by `keys` (in a folder kept while it lives).
fn sample_dataset(keys: &[PartitionKey]) -> (EventStore, Dataset, tempfile::TempDir) {
    let fresh = load(
        &[sample()],
        &LoadOptions::with_builtin_mappings(),
        &Progress::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ds");
    write(&fresh.frame, &out, keys).unwrap();
    let ds = detect(std::slice::from_ref(&out)).expect("heist's own dataset is recognised");
    (fresh, ds, dir)
}

#[test]
fn a_converted_bundle_reads_back_as_the_same_events() {
    let (fresh, ds, _dir) = sample_dataset(&[PartitionKey::Source, PartitionKey::Date]);
    assert!(ds.files.iter().all(|(_, p)| p.len() == 2));
    let back = load_dataset(&ds, None);
    assert_eq!(back.report.dataset_files, ds.files.len());
    assert!(back.report.unreadable.is_empty());
    assert_eq!(back.frame.height(), fresh.frame.height());
    // Same columns, same types as a fresh load: everything downstream works on it unchanged.
    assert_eq!(back.frame.schema(), fresh.frame.schema());
    assert!(comparable(&back.frame).equals_missing(&comparable(&fresh.frame)));
}

fn load_dataset(ds: &Dataset, q: Option<&str>) -> EventStore {
    let opts = LoadOptions {
        pushdown: q.map(|q| crate::query::parse(q).unwrap()),
        ..LoadOptions::default()
    };
    super::load(ds, &opts).unwrap()
}

#[test]
fn the_scan_keeps_every_row_the_query_wants() {
    let (fresh, ds, _dir) = sample_dataset(&[PartitionKey::Source]);
    for q in [
        "token:akiaq3egrztbackdr9sv",
        "action:Get* source:cloudtrail",
        "identity:*svc-backup* time>=2026-10-05T03:00:00Z",
        "ip:198.51.100.0/24 -action:GetObject",
        "asset:/.*safetensors/",
    ] {
        let query = crate::query::parse(q).unwrap();
        let want = crate::query::select(&query, &fresh.frame)
            .unwrap()
            .map_or(fresh.frame.height(), |f| f.height());
        let scanned = load_dataset(&ds, Some(q));
        assert!(scanned.frame.height() <= fresh.frame.height());
        let got = crate::query::select(&query, &scanned.frame)
            .unwrap()
            .map_or(scanned.frame.height(), |f| f.height());
        assert_eq!(got, want, "{q}");
        assert!(want > 0, "{q} should match some of the sample");
    }
    // An exact token narrows the scan itself.
    let narrowed = load_dataset(&ds, Some("token:AKIAQ3EGRZTBACKDR9SV"));
    assert!(narrowed.frame.height() < fresh.frame.height() / 10);
}

fn write_parquet(path: &Path, mut df: DataFrame) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

/// What a Spark or Athena job writes when it selects some of the frame's columns from a CloudTrail table: plain
/// strings, a naive microsecond timestamp, columns of its own, Spark's marker files, a partition folder.
#[test]
fn a_lake_export_with_some_of_the_columns_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lake");
    let time = Series::new(
        "time".into(),
        [1_759_630_387_000_000i64, 1_759_630_388_000_000],
    )
    .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
    .unwrap();
    let df = DataFrame::new(
        2,
        vec![
            time.into(),
            Column::new("action".into(), ["GetObject", "ListBuckets"]),
            Column::new(
                "identity".into(),
                ["arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b"],
            ),
            Column::new("token".into(), ["AKIAONE", "AKIATWO"]),
            Column::new("eventversion".into(), ["1.08", "1.08"]),
        ],
    )
    .unwrap();
    write_parquet(
        &root.join("source=cloudtrail/part-00000.snappy.parquet"),
        df,
    );
    std::fs::write(root.join("_SUCCESS"), "").unwrap();
    std::fs::write(
        root.join("source=cloudtrail/.part-00000.snappy.parquet.crc"),
        "x",
    )
    .unwrap();
    let ds = detect(std::slice::from_ref(&root)).expect("a lake export is a dataset");
    assert_eq!(ds.files.len(), 1);
    let s = load_dataset(&ds, Some("token:akiatwo"));
    assert_eq!(s.frame.height(), 1);
    let r = crate::frame::access::FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.text(Col::Source, 0), Some("cloudtrail"));
    assert_eq!(r.text(Col::Identity, 0), Some("arn:aws:iam::1:user/b"));
    assert_eq!(r.text(Col::Asset, 0), None);
    assert_eq!(
        s.frame.column("time").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
}

#[test]
fn other_parquet_is_not_taken_for_a_dataset_and_a_bad_file_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    // OCSF (Security Lake) has `time` and sometimes `action`, but none of the frame's entity columns.
    let ocsf = dir.path().join("ocsf");
    let df = DataFrame::new(
        1,
        vec![
            Column::new("time".into(), [1i64]),
            Column::new("action".into(), ["Allowed"]),
            Column::new("class_uid".into(), [6003i32]),
        ],
    )
    .unwrap();
    write_parquet(&ocsf.join("a.parquet"), df);
    assert!(detect(std::slice::from_ref(&ocsf)).is_none());
    // A dataset with one file that is Parquet only by its first bytes: listed, the rest loads.
    let ds_dir = dir.path().join("ds");
    let fresh = crate::ingest::load_bytes(
        "ct.json",
        br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e","eventType":"AwsApiCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAX"}}]}"#.to_vec(),
        &LoadOptions::default(),
    )
    .unwrap();
    write(&fresh.frame, &ds_dir, &[PartitionKey::Source]).unwrap();
    std::fs::write(
        ds_dir.join("source=cloudtrail/zz-broken.parquet"),
        b"PAR1 not really",
    )
    .unwrap();
    let ds = detect(std::slice::from_ref(&ds_dir)).expect("still a dataset");
    let s = load_dataset(&ds, None);
    assert_eq!(s.frame.height(), 1);
    assert_eq!(s.report.unreadable.len(), 1, "{:?}", s.report.unreadable);
    assert!(s.report.unreadable[0].origin.ends_with("zz-broken.parquet"));
}

use super::*;
use crate::ingest::{load_bytes, LoadOptions};

fn frame() -> DataFrame {
    let rec = |t: &str, src: &str, id: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"{src}","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"{id}","eventType":"AwsApiCall","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE"}}}}"#
        )
    };
    let text = format!(
        "{{\"Records\":[{},{},{}]}}",
        rec("2026-10-05T02:13:07Z", "s3.amazonaws.com", "a"),
        rec("2026-10-05T23:59:59Z", "s3.amazonaws.com", "b"),
        rec("2026-10-06T00:00:00Z", "iam.amazonaws.com", "c")
    );
    load_bytes("ct.json", text.into_bytes(), &LoadOptions::default())
        .unwrap()
        .frame
}

#[test]
fn partitions_are_hive_folders_by_source_and_utc_day() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ds");
    let keys = [PartitionKey::Source, PartitionKey::Date];
    let w = write(&frame(), &out, &keys).unwrap();
    assert_eq!(w.rows, 3);
    let rel: Vec<String> = w
        .files
        .iter()
        .map(|f| f.strip_prefix(&out).unwrap().display().to_string())
        .collect();
    assert_eq!(
        rel,
        [
            "source=cloudtrail/date=2026-10-05/part-0.parquet",
            "source=cloudtrail/date=2026-10-06/part-0.parquet"
        ]
    );
    // The partition columns are in the folder names only; text is plain strings, time microseconds in UTC.
    let df = ParquetReader::new(std::fs::File::open(&w.files[0]).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 2);
    assert!(df.column("source").is_err() && df.column("date").is_err());
    assert_eq!(df.column("action").unwrap().dtype(), &DataType::String);
    assert_eq!(
        df.column("time").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    );
}

#[test]
fn no_partition_is_one_file_with_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let w = write(&frame(), &dir.path().join("ds"), &[]).unwrap();
    assert_eq!(w.files.len(), 1);
    let df = ParquetReader::new(std::fs::File::open(&w.files[0]).unwrap())
        .finish()
        .unwrap();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let want: Vec<String> = Col::ALL.iter().map(|c| c.name().to_string()).collect();
    assert_eq!(names, want);
}

#[test]
fn a_folder_that_is_not_empty_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "analyst's notes").unwrap();
    let e = write(&frame(), dir.path(), &[PartitionKey::Source]).unwrap_err();
    assert!(e.contains("not empty"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
        "analyst's notes"
    );
}

#[test]
fn unsafe_partition_values_are_escaped() {
    assert_eq!(path_value(Some("a/b c")), "a%2Fb%20c");
    assert_eq!(path_value(Some("")), DEFAULT_PARTITION);
    assert_eq!(path_value(None), DEFAULT_PARTITION);
    assert_eq!(path_value(Some("azure_openai")), "azure_openai");
    assert!(PartitionKey::parse("region").is_err());
}

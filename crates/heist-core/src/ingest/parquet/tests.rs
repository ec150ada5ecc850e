use std::sync::Arc;

use polars_arrow::array::{Int64Array, StructArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field as ArrowField};
use polars_arrow::offset::OffsetsBuffer;
use polars_arrow::record_batch::RecordBatchT;

use super::*;
use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::ingest::{load_bytes, LoadOptions};

fn strings(name: &str, v: &[Option<&str>]) -> Series {
    Series::new(name.into(), v)
}

fn structs(name: &str, len: usize, fields: &[Series]) -> Series {
    StructChunked::from_series(name.into(), len, fields.iter())
        .unwrap()
        .into_series()
}

/// Written with polars' own writer: nested structs, lists (of strings, of structs), nulls at every level, a UTC
/// timestamp, numbers, a boolean, and a string that needs escaping.
fn nested_parquet() -> Vec<u8> {
    let time = Series::new("time_dt".into(), &[Some(1695334972000_i64), None])
        .cast(&DataType::Datetime(
            TimeUnit::Milliseconds,
            Some(polars::prelude::TimeZone::UTC),
        ))
        .unwrap();
    let product = structs(
        "product",
        2,
        &[strings("name", &[Some("CloudTrail"), Some("Okta")])],
    );
    let metadata = structs(
        "metadata",
        2,
        &[product, strings("uid", &[Some("e1"), None])],
    );
    let user = structs(
        "user",
        2,
        &[strings("uid", &[Some("arn:aws:iam::1:user/a"), None])],
    );
    let actor = structs("actor", 2, &[user])
        .struct_()
        .unwrap()
        .clone()
        .with_outer_validity(Some([true, false].into_iter().collect()))
        .into_series();
    let profiles: ListChunked = [
        Some(strings("", &[Some("cloud"), Some("datetime")])),
        Some(strings("", &[])),
    ]
    .into_iter()
    .collect();
    let resource = structs(
        "",
        1,
        &[
            strings("uid", &[Some("arn:aws:iam::1:role/r")]),
            strings("type", &[Some("AWS::IAM::Role")]),
        ],
    );
    let resources: ListChunked = [Some(resource), None].into_iter().collect();
    // A list of key/value structs that the file does not declare a MAP stays a list.
    let tag = structs(
        "",
        1,
        &[strings("key", &[Some("k")]), strings("value", &[Some("v")])],
    );
    let tags: ListChunked = [None, Some(tag)].into_iter().collect();
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("class_uid".into(), &[6003_i32, 3002]).into(),
        time.into(),
        metadata.into(),
        actor.into(),
        profiles.with_name("profiles".into()).into_series().into(),
        resources.with_name("resources".into()).into_series().into(),
        tags.with_name("tags".into()).into_series().into(),
        Series::new("mfa".into(), &[Some(true), None]).into(),
        Series::new("score".into(), &[Some(0.5_f64), Some(2.0)]).into(),
        strings("note", &[Some("say \"hi\"\n\u{1}"), None]).into(),
    ])
    .unwrap();
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df).unwrap();
    out
}

#[test]
fn nested_values_become_json_lines_in_column_order() {
    let bytes = nested_parquet();
    assert!(is_parquet(&bytes));
    let text = to_json_lines(&bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            concat!(
                r#"{"class_uid":6003,"time_dt":"2023-09-21T22:22:52.000Z","#,
                r#""metadata":{"product":{"name":"CloudTrail"},"uid":"e1"},"#,
                r#""actor":{"user":{"uid":"arn:aws:iam::1:user/a"}},"profiles":["cloud","datetime"],"#,
                r#""resources":[{"uid":"arn:aws:iam::1:role/r","type":"AWS::IAM::Role"}],"mfa":true,"#,
                r#""score":0.5,"note":"say \"hi\"\n\u0001"}"#
            ),
            concat!(
                r#"{"class_uid":3002,"metadata":{"product":{"name":"Okta"}},"profiles":[],"#,
                r#""tags":[{"key":"k","value":"v"}],"score":2}"#
            ),
        ]
    );
    for l in &lines {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
    // Deterministic: the raw-record reader decodes the file again and must find the same bytes.
    assert_eq!(to_json_lines(&bytes).unwrap(), text);
}

/// A MAP column, as Security Lake writes `unmapped` (`map<string,string>`). Neither polars nor its Parquet crate
/// writes MAPs, so the column is encoded as a list of key/value structs (the same repetition and definition
/// levels) and declared a MAP in the file's schema, with no Arrow schema beside it, as Security Lake's files have.
fn map_parquet() -> Vec<u8> {
    use polars_arrow::array::ListArray;
    use polars_parquet::parquet::schema::types::{GroupConvertedType, GroupLogicalType};
    use polars_parquet::parquet::schema::Repetition;
    use polars_parquet::write::{ParquetType, SchemaDescriptor};

    let entry = ArrowDataType::Struct(vec![
        ArrowField::new("key".into(), ArrowDataType::Utf8View, false),
        ArrowField::new("value".into(), ArrowDataType::Utf8View, true),
    ]);
    let list_type = ArrowDataType::LargeList(Box::new(ArrowField::new(
        "element".into(),
        entry.clone(),
        false,
    )));
    let keys = Utf8ViewArray::from_slice_values(["recipientAccountId", "responseElements.x", "k"]);
    let values = Utf8ViewArray::from_slice([Some("111122223333"), Some("{\"a\":1}"), None]);
    let entries = StructArray::new(entry, 3, vec![keys.boxed(), values.boxed()], None);
    let offsets = OffsetsBuffer::try_from(vec![0_i64, 2, 2, 3]).unwrap();
    let validity = Some([true, false, true].into_iter().collect());
    let list = ListArray::<i64>::new(list_type.clone(), offsets, entries.boxed(), validity);
    let n = Int64Array::from_slice([1_i64, 2, 3]);

    let schema: ArrowSchema = [
        ArrowField::new("n".into(), ArrowDataType::Int64, false),
        ArrowField::new("unmapped".into(), list_type, true),
    ]
    .into_iter()
    .map(|f| (f.name.clone(), f))
    .collect();
    let schema = Arc::new(schema);
    let options = polars_parquet::write::WriteOptions {
        statistics: Default::default(),
        version: polars_parquet::write::Version::V2,
        compression: polars_parquet::write::CompressionOptions::Uncompressed,
        data_page_size: None,
    };
    // The file's schema: `unmapped` as `optional group (MAP) { repeated group key_value { key; value } }`.
    let mut fields: Vec<ParquetType> = schema
        .iter_values()
        .map(|f| polars_parquet::write::to_parquet_type(f).unwrap())
        .collect();
    let leaves = vec![
        polars_parquet::write::to_parquet_type(&ArrowField::new(
            "key".into(),
            ArrowDataType::Utf8View,
            false,
        ))
        .unwrap(),
        polars_parquet::write::to_parquet_type(&ArrowField::new(
            "value".into(),
            ArrowDataType::Utf8View,
            true,
        ))
        .unwrap(),
    ];
    fields[1] = ParquetType::from_group(
        "unmapped".into(),
        Repetition::Optional,
        Some(GroupConvertedType::Map),
        Some(GroupLogicalType::Map),
        vec![ParquetType::from_group(
            "key_value".into(),
            Repetition::Repeated,
            None,
            None,
            leaves,
            None,
        )],
        None,
    );
    let descriptor = SchemaDescriptor::new("schema".into(), fields);

    let batch = RecordBatchT::new(3, schema.clone(), vec![n.boxed(), list.boxed()]);
    let encodings = polars::io::parquet::write::get_encodings(&schema);
    let groups = polars_parquet::write::RowGroupIterator::try_new(
        std::iter::once(Ok(batch)),
        &schema,
        options,
        encodings,
    )
    .unwrap();
    let mut w = polars_parquet::write::FileWriter::new_with_parquet_schema(
        Vec::new(),
        (*schema).clone(),
        descriptor,
        options,
    );
    for g in groups {
        w.write(u64::MAX, g.unwrap()).unwrap();
    }
    w.end(Some(Vec::new())).unwrap();
    w.into_inner()
}

#[test]
fn a_map_column_becomes_an_object() {
    let bytes = map_parquet();
    let text = to_json_lines(&bytes).unwrap();
    assert_eq!(
        text,
        concat!(
            "{\"n\":1,\"unmapped\":{\"recipientAccountId\":\"111122223333\",\"responseElements.x\":\"{\\\"a\\\":1}\"}}\n",
            "{\"n\":2}\n",
            "{\"n\":3,\"unmapped\":{\"k\":null}}\n",
        )
    );
}

#[test]
fn a_broken_parquet_file_is_unreadable_with_the_reason() {
    let mut bytes = nested_parquet();
    let mid = bytes.len() / 2;
    bytes[8..mid].fill(0xff);
    let err = to_json_lines(&bytes).unwrap_err();
    assert!(
        err.contains("Parquet file that could not be decoded"),
        "{err}"
    );
    let truncated = bytes[..bytes.len() - 10].to_vec();
    assert!(to_json_lines(&truncated)
        .unwrap_err()
        .contains("truncated Parquet file"));
    let s = load_bytes("x.parquet", bytes, &LoadOptions::default()).unwrap();
    assert_eq!(s.len(), 0);
    assert_eq!(s.report.unreadable.len(), 1);
    assert!(
        s.report.unreadable[0].reason.contains("Parquet"),
        "{:?}",
        s.report.unreadable
    );
}

#[test]
fn a_parquet_file_in_no_known_format_says_so() {
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("colour".into(), &["red"]).into(),
        Series::new("size".into(), &[3_i64]).into(),
    ])
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
    let s = load_bytes("t.parquet", bytes, &LoadOptions::default()).unwrap();
    assert_eq!(s.report.unreadable.len(), 1);
    let reason = &s.report.unreadable[0].reason;
    assert!(
        reason.starts_with(
            "Parquet, but its rows are in no known log format (columns: colour, size)"
        ),
        "{reason}"
    );
}

/// OCSF rows in a Parquet file inside a zip: loaded, and each row's raw record read back from the bundle is the
/// row as JSON.
#[test]
fn ocsf_rows_in_a_zipped_parquet_load_and_their_raw_records_read_back() {
    use std::io::Write;

    let product = structs(
        "product",
        2,
        &[strings("name", &[Some("CloudTrail"), Some("CloudTrail")])],
    );
    let metadata = structs(
        "metadata",
        2,
        &[product, strings("uid", &[Some("ev-1"), Some("ev-2")])],
    );
    let user = structs(
        "user",
        2,
        &[
            strings("type", &[Some("IAMUser"), Some("IAMUser")]),
            strings(
                "uid",
                &[
                    Some("arn:aws:iam::1:user/ci"),
                    Some("arn:aws:iam::1:user/ci"),
                ],
            ),
            strings(
                "credential_uid",
                &[Some("AKIAEXAMPLE"), Some("AKIAEXAMPLE")],
            ),
        ],
    );
    let actor = structs("actor", 2, &[user]);
    let service = structs(
        "service",
        2,
        &[strings(
            "name",
            &[Some("s3.amazonaws.com"), Some("s3.amazonaws.com")],
        )],
    );
    let api = structs(
        "api",
        2,
        &[
            strings("operation", &[Some("ListBuckets"), Some("GetObject")]),
            service,
        ],
    );
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("class_uid".into(), &[6003_i32, 6003]).into(),
        Series::new("time".into(), &[1759630380000_i64, 1759630381000]).into(),
        metadata.into(),
        actor.into(),
        api.into(),
    ])
    .unwrap();
    let mut pq = Vec::new();
    ParquetWriter::new(&mut pq).finish(&mut df).unwrap();

    let mut zw = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zw.start_file(
        "region=us-east-1/accountId=1/eventDay=20251005/a.gz.parquet",
        ::zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zw.write_all(&pq).unwrap();
    let zip = zw.finish().unwrap().into_inner();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lake.zip");
    std::fs::write(&path, &zip).unwrap();

    let s = crate::ingest::load(
        &[path],
        &LoadOptions::default(),
        &crate::ingest::Progress::default(),
    )
    .unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 2);
    assert_eq!(s.files[0].format, "ocsf");
    let r = FrameReader::new(&s.frame).unwrap();
    let lines: Vec<String> = to_json_lines(&pq)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for (row, line) in lines.iter().enumerate() {
        assert_eq!(r.text(Col::Source, row), Some("cloudtrail"));
        assert_eq!(r.text(Col::Token, row), Some("AKIAEXAMPLE"));
        let off = r.u64(Col::RawOffset, row).unwrap();
        let len = r.u64(Col::RawLen, row).unwrap() as u32;
        let raw = crate::ingest::raw::read_record(&s.files[0].locator, off, len).unwrap();
        assert_eq!(&raw, line);
    }
    assert_eq!(r.text(Col::Action, 1), Some("GetObject"));
}

/// A Parquet file is JSON lines to every format: one of CloudTrail records loads as CloudTrail.
#[test]
fn a_parquet_of_cloudtrail_records_loads_as_cloudtrail() {
    let ui = structs(
        "userIdentity",
        1,
        &[
            strings("type", &[Some("IAMUser")]),
            strings("arn", &[Some("arn:aws:iam::1:user/ci")]),
            strings("accessKeyId", &[Some("AKIAEXAMPLE")]),
        ],
    );
    let mut df = DataFrame::new_infer_height(vec![
        strings("eventVersion", &[Some("1.08")]).into(),
        strings("eventTime", &[Some("2026-10-05T02:13:00Z")]).into(),
        strings("eventSource", &[Some("s3.amazonaws.com")]).into(),
        strings("eventName", &[Some("GetObject")]).into(),
        strings("awsRegion", &[Some("us-east-1")]).into(),
        ui.into(),
    ])
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
    let s = load_bytes("ct.parquet", bytes, &LoadOptions::default()).unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files[0].format, "cloudtrail");
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.text(Col::Token, 0), Some("AKIAEXAMPLE"));
    assert_eq!(r.text(Col::Action, 0), Some("GetObject"));
}

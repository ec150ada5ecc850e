//! The sample incident's CloudTrail events, converted to OCSF 1.1 as Amazon Security Lake writes them (API
//! Activity, Authentication, Account Change; the target principal of IAM calls moved to `user`, requests and
//! responses as JSON text, CloudTrail's leftovers in a flattened `unmapped`), as JSON lines and as Parquet in Security
//! Lake's partition layout, load back and answer the stolen key's pivot and the attacker IP's pivot exactly as the
//! native CloudTrail events do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heist_core::entities::{Entity, EntityKind, Pivot, PivotEngine};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, raw, LoadOptions, Progress};
use heist_synth::sample::{ATTACKER_IP, BACKDOOR_KEY, SESSION_KEY, STOLEN_KEY};
use polars::prelude::*;
use serde_json::{json, Map, Value};

fn load_paths(paths: &[PathBuf]) -> EventStore {
    load(paths, &LoadOptions::default(), &Progress::default()).unwrap()
}

/// Every CloudTrail event of the sample incident, as the CloudTrail record it was loaded from.
fn sample_cloudtrail() -> Vec<Value> {
    let store = load_paths(&[crate::common::sample()]);
    let r = FrameReader::new(&store.frame).unwrap();
    let mut out = Vec::new();
    for i in 0..store.len() {
        if r.text(Col::Source, i) != Some("cloudtrail") {
            continue;
        }
        let origin = r.text(Col::Origin, i).unwrap();
        let file = store.file(origin).unwrap();
        let off = r.u64(Col::RawOffset, i).unwrap();
        let len = r.u64(Col::RawLen, i).unwrap() as u32;
        let text = raw::read_record(&file.locator, off, len).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        // `lookup-events` keeps the event as a JSON string.
        let v = match v.get("CloudTrailEvent").and_then(Value::as_str) {
            Some(inner) => serde_json::from_str(inner).unwrap(),
            None => v,
        };
        out.push(v);
    }
    out
}

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    path.split('.')
        .try_fold(v, |cur, k| cur.get(k))
        .and_then(Value::as_str)
}

fn epoch_ms(v: &Value) -> i64 {
    let t = s(v, "eventTime").unwrap();
    chrono::DateTime::parse_from_rfc3339(t)
        .unwrap()
        .timestamp_millis()
}

/// Flatten the members of `v` under `prefix` into `out` as dotted keys with string values (Security Lake's
/// `unmapped` map).
fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Null => {}
        Value::String(t) => {
            out.insert(prefix.to_string(), Value::String(t.clone()));
        }
        other => {
            out.insert(prefix.to_string(), Value::String(other.to_string()));
        }
    }
}

/// One CloudTrail record as Security Lake's OCSF 1.1 event.
fn to_ocsf(ct: &Value) -> Value {
    let name = s(ct, "eventName").unwrap_or("");
    let source = s(ct, "eventSource").unwrap_or("");
    let class = if matches!(
        name,
        "ConsoleLogin" | "GetSessionToken" | "GetFederationToken" | "CheckMfa"
    ) || name.starts_with("AssumeRole")
    {
        3002
    } else if source == "iam.amazonaws.com"
        && ["Create", "Delete", "Update", "Attach", "Detach", "Put"]
            .iter()
            .any(|p| name.starts_with(p))
    {
        3001
    } else {
        6003
    };
    let failed = ct.get("errorCode").is_some_and(|e| !e.is_null())
        || s(ct, "responseElements.ConsoleLogin") == Some("Failure");
    let ui = ct.get("userIdentity").cloned().unwrap_or(json!({}));
    let mut request = ct.get("requestParameters").cloned().unwrap_or(Value::Null);
    // Account Change: the user or role acted on moves to the event's `user`.
    let mut target = None;
    if class == 3001 {
        if let Some(p) = request.as_object_mut() {
            target = p
                .remove("userName")
                .or_else(|| p.remove("roleName"))
                .and_then(|v| v.as_str().map(str::to_string));
        }
    }
    let ip = s(ct, "sourceIPAddress").unwrap_or("");
    let endpoint = if ip.parse::<std::net::IpAddr>().is_ok() {
        json!({ "ip": ip })
    } else {
        json!({ "domain": ip })
    };
    let mut unmapped = Map::new();
    for key in ["additionalEventData", "tlsDetails"] {
        if let Some(v) = ct.get(key) {
            flatten(key, v, &mut unmapped);
        }
    }
    for key in ["readOnly", "managementEvent", "eventCategory"] {
        if let Some(v) = ct.get(key) {
            flatten(key, v, &mut unmapped);
        }
    }
    let text_of = |v: Option<&Value>| v.filter(|v| !v.is_null()).map(|v| v.to_string());
    let mut ev = json!({
        "class_uid": class,
        "category_uid": if class == 6003 { 6 } else { 3 },
        "activity_id": 99,
        "severity_id": 1,
        "time": epoch_ms(ct),
        "time_dt": s(ct, "eventTime"),
        "metadata": {
            "product": {"name": "CloudTrail", "vendor_name": "AWS", "version": s(ct, "eventVersion"),
                "feature": {"name": "Management"}},
            "uid": s(ct, "eventID"),
            "event_code": s(ct, "eventType"),
            "profiles": ["cloud", "datetime"],
            "version": "1.1.0"
        },
        "cloud": {"provider": "AWS", "region": s(ct, "awsRegion"),
            "account": {"uid": s(ct, "recipientAccountId")}},
        "api": {
            "operation": name,
            "service": {"name": source},
            "request": {"uid": s(ct, "requestID"), "data": text_of(Some(&request))},
            "response": {"data": text_of(ct.get("responseElements")), "error": s(ct, "errorCode"),
                "message": s(ct, "errorMessage")}
        },
        "actor": {
            "user": {
                "type": s(&ui, "type"),
                "uid": s(&ui, "arn"),
                "uid_alt": s(&ui, "principalId"),
                "name": s(&ui, "userName"),
                "credential_uid": s(&ui, "accessKeyId"),
                "account": {"uid": s(&ui, "accountId")}
            },
            "session": {
                "issuer": s(&ui, "sessionContext.sessionIssuer.arn"),
                "created_time_dt": s(&ui, "sessionContext.attributes.creationDate")
            },
            "invoked_by": s(&ui, "invokedBy")
        },
        "src_endpoint": endpoint,
        "http_request": {"user_agent": s(ct, "userAgent")},
        "status": if failed { "Failure" } else { "Success" },
        "status_id": if failed { 2 } else { 1 },
        "unmapped": unmapped
    });
    if let Some(t) = target {
        ev["user"] = json!({ "name": t });
    }
    if let Some(list) = ct.get("resources").and_then(Value::as_array) {
        ev["resources"] = Value::Array(
            list.iter()
                .map(|r| json!({"uid": s(r, "ARN"), "type": s(r, "type"), "account_uid": s(r, "accountId")}))
                .collect(),
        );
    }
    strip_nulls(&mut ev);
    ev
}

/// OCSF producers leave absent attributes out.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            for v in m.values_mut() {
                strip_nulls(v);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

// ----- JSON values to a DataFrame (structs, lists, strings, numbers, booleans, nulls) -----

enum Kind {
    Str,
    Int,
    Float,
    Bool,
    Struct,
    List,
}

fn kind_of(vals: &[Option<&Value>]) -> Option<Kind> {
    let mut kind = None;
    for v in vals.iter().flatten() {
        let k = match v {
            Value::Null => continue,
            Value::Object(_) => Kind::Struct,
            Value::Array(_) => Kind::List,
            Value::String(_) => Kind::Str,
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_i64() => Kind::Int,
            Value::Number(_) => Kind::Float,
        };
        kind = Some(match (kind, k) {
            (None, k) => k,
            (Some(Kind::Int), Kind::Float) | (Some(Kind::Float), Kind::Int) => Kind::Float,
            (Some(a), b) if std::mem::discriminant(&a) == std::mem::discriminant(&b) => a,
            _ => Kind::Str,
        });
    }
    kind
}

fn column(name: &str, vals: &[Option<&Value>]) -> Option<Series> {
    let name = PlSmallStr::from(name);
    Some(match kind_of(vals)? {
        Kind::Str => Series::new(
            name,
            vals.iter()
                .map(|v| {
                    v.filter(|v| !v.is_null()).map(|v| match v {
                        Value::String(t) => t.clone(),
                        other => other.to_string(),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        Kind::Int => Series::new(
            name,
            vals.iter()
                .map(|v| v.and_then(Value::as_i64))
                .collect::<Vec<_>>(),
        ),
        Kind::Float => Series::new(
            name,
            vals.iter()
                .map(|v| v.and_then(Value::as_f64))
                .collect::<Vec<_>>(),
        ),
        Kind::Bool => Series::new(
            name,
            vals.iter()
                .map(|v| v.and_then(Value::as_bool))
                .collect::<Vec<_>>(),
        ),
        Kind::Struct => {
            let mut keys: Vec<&str> = Vec::new();
            for o in vals.iter().flatten().filter_map(|v| v.as_object()) {
                for k in o.keys() {
                    if !keys.contains(&k.as_str()) {
                        keys.push(k);
                    }
                }
            }
            let fields: Vec<Series> = keys
                .iter()
                .filter_map(|k| {
                    let sub: Vec<Option<&Value>> =
                        vals.iter().map(|v| v.and_then(|v| v.get(*k))).collect();
                    column(k, &sub)
                })
                .collect();
            if fields.is_empty() {
                return None;
            }
            let st = StructChunked::from_series(name.clone(), vals.len(), fields.iter())
                .unwrap()
                .into_series();
            let present: BooleanChunked = vals
                .iter()
                .map(|v| v.is_some_and(Value::is_object))
                .collect();
            let nulls = Series::full_null(name, vals.len(), st.dtype());
            st.zip_with(&present, &nulls).unwrap()
        }
        Kind::List => {
            let mut items: Vec<Option<&Value>> = Vec::new();
            let mut spans = Vec::new();
            for v in vals {
                match v.and_then(Value::as_array) {
                    Some(a) => {
                        spans.push(Some((items.len(), a.len())));
                        items.extend(a.iter().map(Some));
                    }
                    None => spans.push(None),
                }
            }
            let inner = column("item", &items)
                .unwrap_or_else(|| Series::new_empty("item".into(), &DataType::String));
            let lists: ListChunked = spans
                .into_iter()
                .map(|sp| sp.map(|(at, n)| inner.slice(at as i64, n)))
                .collect();
            lists.with_name(name).into_series()
        }
    })
}

/// OCSF events as a Parquet file, `time_dt` a UTC timestamp.
fn parquet(events: &[&Value]) -> Vec<u8> {
    let mut keys: Vec<&str> = Vec::new();
    for e in events {
        for k in e.as_object().unwrap().keys() {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let cols: Vec<Column> = keys
        .iter()
        .filter_map(|k| {
            if *k == "time_dt" {
                let ms: Vec<i64> = events.iter().map(|e| e["time"].as_i64().unwrap()).collect();
                return Some(
                    Series::new("time_dt".into(), ms)
                        .cast(&DataType::Datetime(
                            TimeUnit::Milliseconds,
                            Some(TimeZone::UTC),
                        ))
                        .unwrap()
                        .into(),
                );
            }
            let vals: Vec<Option<&Value>> = events.iter().map(|e| e.get(*k)).collect();
            column(k, &vals).map(Into::into)
        })
        .collect();
    let mut df = DataFrame::new_infer_height(cols).unwrap();
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Gzip(None))
        .finish(&mut df)
        .unwrap();
    out
}

/// The events as Security Lake lays them out:
/// `.../region=<r>/accountId=<a>/eventDay=<yyyymmdd>/<file>.gz.parquet`.
fn write_lake(root: &Path, events: &[Value]) -> usize {
    let mut parts: BTreeMap<(String, String, String), Vec<&Value>> = BTreeMap::new();
    for e in events {
        let region = s(e, "cloud.region").unwrap_or("global").to_string();
        let account = s(e, "cloud.account.uid").unwrap_or("unknown").to_string();
        let day = s(e, "time_dt").unwrap()[..10].replace('-', "");
        parts.entry((region, account, day)).or_default().push(e);
    }
    for ((region, account, day), evs) in &parts {
        let dir = root.join(format!(
            "aws-security-data-lake-us-east-1-abc123/aws/CLOUD_TRAIL_MGMT/2.0/region={region}/accountId={account}/eventDay={day}"
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0f3c9a2e-part-00000.gz.parquet"), parquet(evs)).unwrap();
    }
    parts.len()
}

fn names(t: &DataFrame) -> Vec<String> {
    t.column("name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect()
}

/// What a pivot answers, for comparing two loads: the related entities with their counts and times, the events,
/// and the lineage (token, identity).
type Answer = (Vec<DataFrame>, usize, Vec<(Option<String>, Option<String>)>);

fn answer(p: &Pivot) -> Answer {
    let tables = vec![
        p.identities.clone(),
        p.tokens.clone(),
        p.assets.clone(),
        p.ips.clone(),
    ];
    let lineage = p
        .parents
        .iter()
        .chain(&p.children)
        .map(|l| (l.token.clone(), l.identity.clone()))
        .collect();
    (tables, p.events.height(), lineage)
}

fn assert_same_pivot(what: &str, native: &EventStore, other: &EventStore, entity: &Entity) {
    let a = PivotEngine::new(native).unwrap().pivot(entity).unwrap();
    let b = PivotEngine::new(other).unwrap().pivot(entity).unwrap();
    let (ta, na, la) = answer(&a);
    let (tb, nb, lb) = answer(&b);
    assert!(na > 0, "{what}: the native pivot finds events");
    assert_eq!(na, nb, "{what}: events");
    for (x, y) in ta.iter().zip(&tb) {
        assert!(x.equals_missing(y), "{what}:\nnative {x}\nocsf {y}");
    }
    assert_eq!(la, lb, "{what}: lineage");
}

#[test]
fn sample_cloudtrail_as_security_lake_ocsf_pivots_like_native() {
    let cloudtrail = sample_cloudtrail();
    assert!(cloudtrail.len() > 50, "{}", cloudtrail.len());
    let ocsf: Vec<Value> = cloudtrail.iter().map(to_ocsf).collect();
    let classes: std::collections::BTreeSet<i64> = ocsf
        .iter()
        .map(|e| e["class_uid"].as_i64().unwrap())
        .collect();
    assert_eq!(
        classes.into_iter().collect::<Vec<_>>(),
        [3001, 3002, 6003],
        "the conversion exercises every class Security Lake writes for CloudTrail"
    );

    let dir = tempfile::tempdir().unwrap();
    let native_file = dir.path().join("native/events.json");
    std::fs::create_dir_all(native_file.parent().unwrap()).unwrap();
    std::fs::write(&native_file, json!({ "Records": cloudtrail }).to_string()).unwrap();
    let json_file = dir.path().join("ocsf/events.ocsf.jsonl");
    std::fs::create_dir_all(json_file.parent().unwrap()).unwrap();
    let lines: Vec<String> = ocsf.iter().map(Value::to_string).collect();
    std::fs::write(&json_file, lines.join("\n") + "\n").unwrap();
    let lake = dir.path().join("lake");
    let partitions = write_lake(&lake, &ocsf);
    assert!(partitions >= 3, "one partition per account, region and day");
    let zipped = dir.path().join("lake.zip");
    std::fs::write(&zipped, crate::common::zip_dir(&lake)).unwrap();

    let native = load_paths(&[native_file]);
    assert_eq!(native.report.error_count, 0, "{:?}", native.report.errors);
    let n = cloudtrail.len();
    assert_eq!(native.len(), n);

    for (what, path) in [
        ("OCSF JSON lines", json_file),
        ("Security Lake Parquet", lake),
        ("Security Lake Parquet in a zip", zipped),
    ] {
        let store = load_paths(&[path]);
        assert_eq!(
            store.report.error_count, 0,
            "{what}: {:?}",
            store.report.errors
        );
        assert!(
            store.report.unreadable.is_empty(),
            "{what}: {:?}",
            store.report.unreadable
        );
        assert_eq!(store.len(), n, "{what}: every event");
        assert!(store.files.iter().all(|f| f.format == "ocsf"), "{what}");
        assert_eq!(
            heist_core::query::filter(&store.frame, "source:cloudtrail")
                .unwrap()
                .height(),
            n,
            "{what}: rows carry the original source"
        );
        assert_same_pivot(
            &format!("{what}, token"),
            &native,
            &store,
            &Entity::new(EntityKind::Token, STOLEN_KEY),
        );
        assert_same_pivot(
            &format!("{what}, ip"),
            &native,
            &store,
            &Entity::new(EntityKind::Ip, ATTACKER_IP),
        );
        let p = PivotEngine::new(&store)
            .unwrap()
            .pivot(&Entity::new(EntityKind::Token, STOLEN_KEY))
            .unwrap();
        assert!(names(&p.ips).contains(&ATTACKER_IP.to_string()), "{what}");
        // Lineage survives OCSF: the session AssumeRole minted and the backdoor key CreateAccessKey minted.
        let kids: Vec<_> = p
            .children
            .iter()
            .filter_map(|l| l.token.as_deref())
            .collect();
        assert!(kids.contains(&SESSION_KEY), "{what}: {kids:?}");
        assert!(kids.contains(&BACKDOOR_KEY), "{what}: {kids:?}");
        assert!(p.assets.height() > 0, "{what}");
    }
}

//! Apache Parquet files (Amazon Security Lake, data-lake exports) read as JSON lines: one object per row, in column
//! order, structs as objects, lists as arrays, maps as objects, timestamps as RFC 3339 in UTC, nulls left out.
//!
//! The decoding is deterministic, so the raw-record reader, which decodes the file again, finds every row where the
//! load found it, and the formats read the rows exactly as they read a JSON-lines file.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Cursor;

use chrono::{SecondsFormat, TimeZone, Utc};
use polars::prelude::*;
use polars_parquet::parquet::schema::types::{GroupConvertedType, GroupLogicalType, ParquetType};
use polars_parquet::parquet::schema::Repetition;

/// Parquet files start (and end) with these four bytes.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Whether `bytes` is a Parquet file (by its magic, never its name); a truncated one too, so it is reported.
pub fn is_parquet(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Decode a Parquet file into JSON lines, one per row. A file polars cannot read, or a column of a type heist
/// cannot show, is an error with the reason; decoding never panics the load.
pub fn to_json_lines(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() < 12 || !bytes.ends_with(MAGIC) {
        return Err("truncated Parquet file (its footer is missing)".into());
    }
    let run = std::panic::AssertUnwindSafe(|| decode(bytes));
    match std::panic::catch_unwind(run) {
        Ok(r) => r.map_err(|e| format!("Parquet file that could not be decoded: {e}")),
        Err(_) => Err("Parquet file that could not be decoded (the Parquet reader gave up)".into()),
    }
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    // The file's own schema keeps what polars folds away: a Parquet MAP is read as a list of key/value structs.
    let mut maps = HashSet::new();
    let metadata = reader.get_metadata().map_err(|e| e.to_string())?;
    for field in metadata.schema().fields() {
        map_paths(field, &field.get_field_info().name, &mut maps);
    }
    let df = reader.finish().map_err(|e| e.to_string())?;
    let height = df.height();
    let mut rows: Vec<String> = vec![String::from("{"); height];
    for col in df.columns() {
        let s = col.as_materialized_series().rechunk();
        let values = fragments(&s, s.name(), &maps)?;
        for (row, v) in rows.iter_mut().zip(values) {
            if let Some(v) = v {
                if row.len() > 1 {
                    row.push(',');
                }
                push_json_str(row, s.name());
                row.push(':');
                row.push_str(&v);
            }
        }
    }
    let total: usize = rows.iter().map(|r| r.len() + 2).sum();
    // The rows as text are the file heist reads: held to the per-file limit.
    let max_file = super::budget::Limits::from_env()
        .unwrap_or_default()
        .max_file;
    if total as u64 > max_file {
        return Err(format!(
            "its rows as JSON pass the per-file limit of {} (HEIST_MAX_FILE_MB): not read",
            super::budget::size_words(max_file)
        ));
    }
    let mut out = String::with_capacity(total);
    for r in rows {
        out.push_str(&r);
        out.push_str("}\n");
    }
    Ok(out)
}

/// Where the file's MAP columns are, as paths over the frame polars reads: struct members joined with `.`, a
/// list's (or map's) entries as `[]` (`unmapped`, `a.b`, `list[].m`).
fn map_paths(t: &ParquetType, path: &str, out: &mut HashSet<String>) {
    let ParquetType::GroupType {
        logical_type,
        converted_type,
        fields,
        ..
    } = t
    else {
        return;
    };
    let is_map = matches!(logical_type, Some(GroupLogicalType::Map))
        || matches!(
            converted_type,
            Some(GroupConvertedType::Map | GroupConvertedType::MapKeyValue)
        );
    let is_list = matches!(logical_type, Some(GroupLogicalType::List))
        || matches!(converted_type, Some(GroupConvertedType::List));
    if is_map || is_list {
        if is_map {
            out.insert(path.to_string());
        }
        // `repeated group key_value { key; value }` / `repeated group list { element }`.
        let Some(ParquetType::GroupType { fields: inner, .. }) = fields.first() else {
            return;
        };
        let entries = format!("{path}[]");
        if is_map || inner.len() > 1 {
            struct_paths(inner, &entries, out);
        } else if let Some(element) = inner.first() {
            map_paths(element, &entries, out);
        }
        return;
    }
    struct_paths(fields, path, out);
}

fn struct_paths(fields: &[ParquetType], path: &str, out: &mut HashSet<String>) {
    for f in fields {
        let info = f.get_field_info();
        let mut child = format!("{path}.{}", info.name);
        if info.repetition == Repetition::Repeated {
            // A bare repeated field is a list of it (Parquet's oldest list shape).
            child.push_str("[]");
            if let ParquetType::GroupType { fields, .. } = f {
                struct_paths(fields, &child, out);
            }
        } else {
            map_paths(f, &child, out);
        }
    }
}

/// The JSON text of every value of `s` (None for null), column-wise. `path` is where `s` sits (see `map_paths`).
fn fragments(
    s: &Series,
    path: &str,
    maps: &HashSet<String>,
) -> Result<Vec<Option<String>>, String> {
    let err = |e: PolarsError| format!("column {:?}: {e}", s.name().as_str());
    let out = match s.dtype() {
        DataType::Null => vec![None; s.len()],
        DataType::Boolean => s
            .bool()
            .map_err(err)?
            .iter()
            .map(|v| v.map(|b| b.to_string()))
            .collect(),
        DataType::String => s
            .str()
            .map_err(err)?
            .iter()
            .map(|v| v.map(json_str))
            .collect(),
        DataType::Binary => s
            .binary()
            .map_err(err)?
            .iter()
            .map(|v| v.map(|b| json_str(&String::from_utf8_lossy(b))))
            .collect(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => s
            .cast(&DataType::Int64)
            .map_err(err)?
            .i64()
            .map_err(err)?
            .iter()
            .map(|v| v.map(|n| n.to_string()))
            .collect(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => s
            .cast(&DataType::UInt64)
            .map_err(err)?
            .u64()
            .map_err(err)?
            .iter()
            .map(|v| v.map(|n| n.to_string()))
            .collect(),
        DataType::Float32 | DataType::Float64 => s
            .cast(&DataType::Float64)
            .map_err(err)?
            .f64()
            .map_err(err)?
            .iter()
            .map(|v| v.map(float))
            .collect(),
        DataType::Datetime(unit, _) => {
            let unit = *unit;
            s.datetime()
                .map_err(err)?
                .physical()
                .iter()
                .map(|v| v.map(|n| timestamp(n, unit)))
                .collect()
        }
        DataType::Date => s
            .cast(&DataType::Int32)
            .map_err(err)?
            .i32()
            .map_err(err)?
            .iter()
            .map(|v| v.map(date))
            .collect(),
        DataType::Struct(_) => structs(s, path, maps)?,
        DataType::List(_) => lists(s, path, maps)?,
        _ => {
            // Anything else (decimals, durations, categoricals) is shown as polars writes it.
            let text = s.cast(&DataType::String).map_err(|e| {
                format!(
                    "column {:?} of type {} cannot be read: {e}",
                    s.name().as_str(),
                    s.dtype()
                )
            })?;
            text.str()
                .map_err(err)?
                .iter()
                .map(|v| v.map(json_str))
                .collect()
        }
    };
    Ok(out)
}

fn structs(s: &Series, path: &str, maps: &HashSet<String>) -> Result<Vec<Option<String>>, String> {
    let err = |e: PolarsError| format!("column {path:?}: {e}");
    let ca = s.struct_().map_err(err)?;
    let nulls = s.is_null();
    let mut out: Vec<Option<String>> = nulls
        .iter()
        .map(|n| (n != Some(true)).then(|| String::from("{")))
        .collect();
    for field in ca.fields_as_series() {
        let field = field.rechunk();
        let values = fragments(&field, &format!("{path}.{}", field.name()), maps)?;
        for (obj, v) in out.iter_mut().zip(values) {
            if let (Some(obj), Some(v)) = (obj.as_mut(), v) {
                if obj.len() > 1 {
                    obj.push(',');
                }
                push_json_str(obj, field.name());
                obj.push(':');
                obj.push_str(&v);
            }
        }
    }
    for o in out.iter_mut().flatten() {
        o.push('}');
    }
    Ok(out)
}

fn lists(s: &Series, path: &str, maps: &HashSet<String>) -> Result<Vec<Option<String>>, String> {
    let err = |e: PolarsError| format!("column {path:?}: {e}");
    let ca = s.list().map_err(err)?.rechunk();
    let inner = ca.get_inner();
    let Some(arr) = ca.downcast_iter().next() else {
        return Ok(vec![None; s.len()]);
    };
    let offsets = arr.offsets().buffer();
    let validity = arr.validity();
    let entries = format!("{path}[]");
    // A map's entries are structs of key and value: they become the members of an object.
    let kv = if maps.contains(path) {
        let fields = inner.struct_().map_err(err)?.fields_as_series();
        match (fields.first(), fields.get(1)) {
            (Some(k), Some(v)) => Some((
                fragments(&k.rechunk(), &format!("{entries}.{}", k.name()), maps)?,
                fragments(&v.rechunk(), &format!("{entries}.{}", v.name()), maps)?,
            )),
            _ => None,
        }
    } else {
        None
    };
    let (keys, values) = match kv {
        Some((k, v)) => (Some(k), v),
        None => (None, fragments(&inner, &entries, maps)?),
    };
    let mut out = Vec::with_capacity(arr.len());
    for i in 0..arr.len() {
        if validity.is_some_and(|v| !v.get_bit(i)) {
            out.push(None);
            continue;
        }
        let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
        let value = |j: usize| values.get(j).and_then(|v| v.as_deref()).unwrap_or("null");
        let mut text = String::new();
        match &keys {
            Some(keys) => {
                text.push('{');
                let mut first = true;
                for j in start..end {
                    let Some(Some(k)) = keys.get(j) else { continue };
                    if !first {
                        text.push(',');
                    }
                    first = false;
                    if k.starts_with('"') {
                        text.push_str(k);
                    } else {
                        push_json_str(&mut text, k);
                    }
                    text.push(':');
                    text.push_str(value(j));
                }
                text.push('}');
            }
            None => {
                text.push('[');
                for j in start..end {
                    if j > start {
                        text.push(',');
                    }
                    text.push_str(value(j));
                }
                text.push(']');
            }
        }
        out.push(Some(text));
    }
    Ok(out)
}

fn timestamp(n: i64, unit: TimeUnit) -> String {
    let (secs, nanos, format) = match unit {
        TimeUnit::Milliseconds => (
            n.div_euclid(1_000),
            n.rem_euclid(1_000) * 1_000_000,
            SecondsFormat::Millis,
        ),
        TimeUnit::Microseconds => (
            n.div_euclid(1_000_000),
            n.rem_euclid(1_000_000) * 1_000,
            SecondsFormat::Micros,
        ),
        TimeUnit::Nanoseconds => (
            n.div_euclid(1_000_000_000),
            n.rem_euclid(1_000_000_000),
            SecondsFormat::Nanos,
        ),
    };
    match Utc.timestamp_opt(secs, nanos as u32).single() {
        Some(t) => json_str(&t.to_rfc3339_opts(format, true)),
        // Out of chrono's range: keep the number rather than invent a time.
        None => n.to_string(),
    }
}

fn date(days: i32) -> String {
    match Utc.timestamp_opt(days as i64 * 86_400, 0).single() {
        Some(t) => json_str(&t.format("%Y-%m-%d").to_string()),
        None => days.to_string(),
    }
}

fn float(f: f64) -> String {
    if f.is_finite() {
        f.to_string()
    } else {
        // JSON has no NaN or infinity.
        json_str(&f.to_string())
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    out
}

/// Append `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;

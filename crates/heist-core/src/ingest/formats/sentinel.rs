//! Microsoft Sentinel / Log Analytics table exports: the rows a SIEM kept of logs heist reads natively. Each row
//! is rebuilt as the record its connector ingested and read by that record's format (`InnerParser`), so its events
//! carry the original `source` (`cloudtrail`, `gcp`, `azure`, `m365`) and map exactly as the native log would; the
//! file's format is `sentinel`.
//!
//! Shapes: the portal's CSV export (column names with a ` [UTC]` zone suffix on times, times in the browser's
//! locale, see `portal.rs`), JSON rows (`az monitor log-analytics query`, an array or one object per line), and the
//! Logs query API response (`{"tables":[{"name","columns":[{"name","type"}],"rows":[[...]]}]}`). Tables:
//! `AWSCloudTrail` (`aws.rs`), `GCPAuditLogs` (`gcp.rs`), `AuditLogs` and the Entra sign-in tables (`entra.rs`),
//! `OfficeActivity` (`office.rs`); a row's `Type` column names its table, else the columns only one table has
//! (`table.rs`).
//!
//! JSON rows of `AzureActivity`, `AuditLogs` and the sign-in tables, with their `Type`, are the `azure` format's
//! (it reads them itself); a file with rows of other tables too is read here, and those rows are rebuilt like the
//! rest.

use serde::Deserialize;
use serde_json::Value;

use super::inner::InnerParser;
use super::{json_error, Format, ParseOut};
use crate::ingest::csv::CsvReader;
use crate::ingest::doc::{record_body, Item, Probe, RawRecord};
use crate::ingest::jsonscan::{array_elements, object_members, Shape};
use crate::util::time::format_utc;

mod aws;
mod cells;
mod entra;
mod gcp;
mod office;
mod portal;
mod table;

use cells::{text, Cells};
use portal::{OrderVote, Zone};
use table::Table;

pub struct Sentinel;

impl Format for Sentinel {
    fn id(&self) -> &'static str {
        "sentinel"
    }

    fn title(&self) -> &'static str {
        "Microsoft Sentinel / Log Analytics table exports (AWSCloudTrail, GCPAuditLogs, AuditLogs, sign-ins, OfficeActivity)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "query_data.csv  (Logs / Sentinel portal \"Export to CSV\": \"TimeGenerated [UTC]\" columns, times in the browser's locale, e.g. 21/04/2025, 09:45:54.000)",
            "rows.json  (az monitor log-analytics query, saved query results: a JSON array or one row object per line, PascalCase columns, dynamic columns as objects or JSON strings)",
            "response.json  (Logs query API: {\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[...],\"rows\":[[...]]}]})",
        ]
    }

    fn maps(&self) -> &'static str {
        "each row rebuilt as the record it was ingested from and read by that format (the event's source is the \
         original's, the file's format sentinel): AWSCloudTrail -> CloudTrail event (UserIdentity*/SessionIssuer* \
         regrouped, RequestParameters/ResponseElements parsed back: lineage and assets as in the trail), \
         GCPAuditLogs -> LogEntry with protoPayload, AuditLogs and SigninLogs / AAD*SignInLogs -> Entra \
         diagnostic-settings records, OfficeActivity -> unified audit log record (m365)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        match probe.shape {
            None => match CsvReader::new(probe.text).next() {
                Some(Ok(header)) => {
                    let names: Vec<String> = header
                        .fields
                        .iter()
                        .map(|f| portal::split_column(f).0)
                        .collect();
                    table::by_columns(&|c| names.iter().any(|n| n == c)).is_some()
                }
                _ => false,
            },
            Some(Shape::Object) if query_tables(probe).is_some() => probe
                .first()
                .and_then(first_table_columns)
                .is_some_and(|names| {
                    table::by_columns(&|c| names.iter().any(|n| n == c)).is_some()
                }),
            Some(_) => probe.samples.iter().take(3).any(is_sentinel_row),
        }
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut inner = InnerParser::default();
        match probe.shape {
            None => parse_csv(probe, out, &mut inner),
            Some(Shape::Object) if query_tables(probe).is_some() => {
                parse_query_response(probe, out, &mut inner)
            }
            Some(_) => {
                for item in probe.records() {
                    match item {
                        Item::Record(rec) => {
                            let res = serde_json::from_str::<Value>(&record_body(rec.text))
                                .map_err(|e| json_error(&e))
                                .and_then(|v| match v {
                                    Value::Object(cells) => {
                                        hand_on(&cells, None, &rec, out, &mut inner)
                                    }
                                    _ => Err("a row that is not a JSON object".into()),
                                });
                            if let Err(m) = res {
                                out.error(rec.loc, m);
                            }
                        }
                        Item::Broken { loc, message } => out.error(loc, message),
                    }
                }
            }
        }
    }

    fn wraps(&self) -> bool {
        true
    }
}

/// A JSON row of a table heist reads. Rows that name a table the `azure` format reads natively do not count;
/// rows without `Type` are recognised by the table's own columns and `TimeGenerated`.
fn is_sentinel_row(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    match o.get("Type").and_then(Value::as_str) {
        Some(t) => table::by_name(t).is_some() && !table::read_natively(t),
        None => {
            o.contains_key("TimeGenerated") && table::by_columns(&|c| o.contains_key(c)).is_some()
        }
    }
}

/// The `tables` member of a Logs query API response.
fn query_tables<'a>(probe: &Probe<'a>) -> Option<crate::ingest::jsonscan::Member<'a>> {
    probe
        .members
        .iter()
        .find(|m| m.key == "tables" && probe.text.as_bytes().get(m.value.start) == Some(&b'['))
        .copied()
}

#[derive(Deserialize)]
struct QueryColumn {
    name: String,
}

/// The column names of the first table of a parsed query response.
fn first_table_columns(v: &Value) -> Option<Vec<String>> {
    let cols = v.get("tables")?.get(0)?.get("columns")?;
    let cols: Vec<QueryColumn> = serde_json::from_value(cols.clone()).ok()?;
    Some(cols.into_iter().map(|c| c.name).collect())
}

/// Rebuild one row as its original record and parse that with the record's own format, located at `outer`.
fn hand_on(
    cells: &Cells,
    header: Option<Table>,
    outer: &RawRecord<'_>,
    out: &mut ParseOut,
    inner: &mut InnerParser,
) -> Result<(), String> {
    let typed = text(cells, "Type");
    let table = match &typed {
        Some(t) => table::by_name(t).ok_or_else(|| {
            format!(
                "a row of the {t} table, which heist does not read (AWSCloudTrail, GCPAuditLogs, AuditLogs, \
                 the sign-in tables, OfficeActivity)"
            )
        })?,
        None => header
            .or_else(|| table::by_columns(&|c| cells.contains_key(c)))
            .ok_or("a row of no table heist reads")?,
    };
    let record = match table {
        Table::AwsCloudTrail => aws::cloudtrail(cells),
        Table::GcpAuditLogs => gcp::log_entry(cells),
        Table::AuditLogs => entra::diagnostic(cells, table, "AuditLogs"),
        Table::SignIn(kind) => {
            let kind = match typed {
                Some(_) => kind,
                None => table::signin_kind(text(cells, "Category").as_deref(), kind),
            };
            entra::diagnostic(cells, table, kind.category())
        }
        Table::OfficeActivity => office::audit_record(cells),
    };
    inner.parse(&record.to_string(), outer, out).map(|_| ())
}

/// The portal's CSV export: a header naming the columns (times with their zone), then one row per line.
fn parse_csv(probe: &Probe<'_>, out: &mut ParseOut, inner: &mut InnerParser) {
    let mut reader = CsvReader::new(probe.text);
    let columns: Vec<(String, Option<Zone>)> = match reader.next() {
        Some(Ok(h)) => h.fields.iter().map(|f| portal::split_column(f)).collect(),
        Some(Err(e)) => return out.error(e.line, e.message),
        None => return,
    };
    let header = table::by_columns(&|c| columns.iter().any(|(n, _)| n == c));
    let zoned: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].1.is_some())
        .collect();
    // Day-first or month-first dates: one decision for the whole file.
    let mut vote = OrderVote::default();
    'scan: for r in CsvReader::new(probe.text).skip(1).flatten() {
        for &i in &zoned {
            if r.fields.get(i).is_some_and(|v| vote.see(v)) {
                break 'scan;
            }
        }
    }
    let order = vote.order();

    for rec in reader {
        let r = match rec {
            Ok(r) => r,
            Err(e) => {
                out.error(e.line, e.message);
                continue;
            }
        };
        let raw = RawRecord {
            text: r.text,
            offset: r.offset,
            loc: r.line,
        };
        let res = csv_cells(&columns, &r.fields, order)
            .and_then(|cells| hand_on(&cells, header, &raw, out, inner));
        if let Err(m) = res {
            out.error(r.line, m);
        }
    }
}

/// A CSV row as cells: empty cells absent, times in UTC RFC 3339.
fn csv_cells(
    columns: &[(String, Option<Zone>)],
    fields: &[String],
    order: portal::DateOrder,
) -> Result<Cells, String> {
    if fields.len() != columns.len() {
        return Err(format!(
            "{} fields where the header names {} columns",
            fields.len(),
            columns.len()
        ));
    }
    let mut cells = Cells::new();
    for ((name, zone), field) in columns.iter().zip(fields) {
        if field.trim().is_empty() {
            continue;
        }
        let value = match zone {
            None => field.to_string(),
            Some(Zone::Offset(offset)) => portal::parse(field, order, *offset)
                .map(format_utc)
                .ok_or_else(|| format!("{name} {field:?} is not a time"))?,
            Some(Zone::Unknown(z)) => {
                return Err(format!(
                    "{name} is given in \"{z}\", a zone heist cannot place in UTC (export in UTC)"
                ))
            }
        };
        cells.insert(name.clone(), Value::String(value));
    }
    Ok(cells)
}

/// The Logs query API response: each table's column names, then its rows as arrays of values in that order. Rows
/// are numbered across tables.
fn parse_query_response(probe: &Probe<'_>, out: &mut ParseOut, inner: &mut InnerParser) {
    let text = probe.text;
    let b = text.as_bytes();
    let Some(tables) = query_tables(probe) else {
        return;
    };
    let broken = |e: crate::ingest::jsonscan::ScanError| {
        format!("malformed JSON at byte {}: {}", e.offset, e.message)
    };
    let (spans, error) = array_elements(b, tables.value.start);
    let mut loc: u32 = 0;
    for t in spans {
        let (members, _) = object_members(text, t.start);
        let member = |k: &str| members.iter().find(|m| m.key == k).map(|m| m.value);
        let names: Option<Vec<String>> = member("columns").and_then(|s| {
            serde_json::from_str::<Vec<QueryColumn>>(&text[s.start..s.end])
                .ok()
                .map(|c| c.into_iter().map(|c| c.name).collect())
        });
        let (Some(names), Some(rows)) = (names, member("rows")) else {
            out.error(loc, "a table without its columns or rows");
            continue;
        };
        let header = table::by_columns(&|c| names.iter().any(|n| n == c));
        let (rows, row_error) = array_elements(b, rows.start);
        for s in rows {
            let raw = RawRecord {
                text: &text[s.start..s.end],
                offset: s.start,
                loc,
            };
            let res = serde_json::from_str::<Vec<Value>>(raw.text)
                .map_err(|e| json_error(&e))
                .and_then(|values| {
                    if values.len() != names.len() {
                        return Err(format!(
                            "{} values where the table names {} columns",
                            values.len(),
                            names.len()
                        ));
                    }
                    let cells: Cells = names
                        .iter()
                        .cloned()
                        .zip(values)
                        .filter(|(_, v)| !v.is_null())
                        .collect();
                    hand_on(&cells, header, &raw, out, inner)
                });
            if let Err(m) = res {
                out.error(loc, m);
            }
            loc += 1;
        }
        for (_, e) in row_error {
            out.error(loc, broken(e));
        }
    }
    for (_, e) in error {
        out.error(loc, broken(e));
    }
}

#[cfg(test)]
mod tests;

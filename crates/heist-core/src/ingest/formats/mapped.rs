//! Sources described by a mapping file (see `ingest::mapping`): JSON lines / arrays / wrapped records, or CSV.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

use super::{base_row, Format, ParseOut};
use crate::frame::schema::outcome;
use crate::frame::{Col, Row};
use crate::ingest::csv::CsvReader;
use crate::ingest::doc::{record_body, Item, Probe, RawRecord};
use crate::ingest::jsonscan::path::{self, Unsure};
use crate::ingest::mapping::Mapping;
use crate::util::time::{parse_any, Nanos};

/// A mapping made into a format.
pub struct Mapped {
    pub mapping: Mapping,
    id: &'static str,
    title: &'static str,
    layouts: &'static [&'static str],
    maps: &'static str,
    failure: Option<Regex>,
    columns: Vec<(Col, Vec<String>)>,
    constants: Vec<(Col, String)>,
}

/// Formats made from mappings live for the whole process (`heist` loads them once), so their names are leaked
/// into `&'static str` to share the `Format` trait with the built-in ones.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl Mapped {
    pub fn new(mapping: Mapping) -> Self {
        let columns = mapping
            .fields
            .iter()
            .filter_map(|(k, p)| {
                Some((
                    Col::from_name(k)?,
                    p.list().into_iter().map(str::to_string).collect(),
                ))
            })
            .collect();
        let constants = mapping
            .constants
            .iter()
            .filter_map(|(k, v)| Some((Col::from_name(k)?, v.clone())))
            .collect();
        let failure = mapping
            .failure
            .as_ref()
            .and_then(|f| Regex::new(&f.regex).ok());
        let layouts: Vec<&'static str> = mapping.layouts.iter().map(|l| leak(l.clone())).collect();
        let maps = leak(format!(
            "mapping file: {}",
            mapping
                .fields
                .iter()
                .map(|(k, v)| format!("{k} <- {}", v.list().join("|")))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        Self {
            id: leak(mapping.id.clone()),
            title: leak(mapping.title.clone()),
            layouts: Box::leak(layouts.into_boxed_slice()),
            maps,
            failure,
            columns,
            constants,
            mapping,
        }
    }

    fn is_csv(&self) -> bool {
        !self.mapping.detect.header.is_empty()
    }

    fn time<'a>(&self, get: &dyn Fn(&str) -> Option<Cow<'a, str>>) -> Result<Nanos, String> {
        let paths = self.mapping.time.field.list();
        let raw = paths
            .iter()
            .find_map(|p| get(p).filter(|v| !v.is_empty()))
            .ok_or_else(|| format!("no time in {}", paths.join("|")))?;
        let parsed = if self.mapping.time.format == "auto" {
            parse_any(&raw)
        } else {
            chrono::NaiveDateTime::parse_from_str(&raw, &self.mapping.time.format)
                .ok()
                .and_then(|d| d.and_utc().timestamp_nanos_opt())
        };
        parsed.ok_or_else(|| {
            format!(
                "time {raw:?} does not parse as {}",
                self.mapping.time.format
            )
        })
    }

    fn fill<'a>(
        &self,
        row: &mut Row<'a>,
        get: &dyn Fn(&str) -> Option<Cow<'a, str>>,
    ) -> Result<(), String> {
        row.time = self.time(get)?;
        row.set(Col::Source, Some(Cow::Borrowed(self.id)));
        row.set(
            Col::Provider,
            Some(Cow::Owned(self.mapping.provider.clone())),
        );
        if let Some(s) = &self.mapping.service {
            row.set(Col::Service, Some(Cow::Owned(s.clone())));
        }
        for (col, v) in &self.constants {
            set_value(row, *col, Cow::Owned(v.clone()));
        }
        for (col, paths) in &self.columns {
            if let Some(v) = paths.iter().find_map(|p| get(p).filter(|v| !v.is_empty())) {
                set_value(row, *col, v);
            }
        }
        // A kind describes a value: a constant token kind or identity type holds only where there is one.
        for (kind, of) in [
            (Col::TokenKind, Col::Token),
            (Col::IdentityType, Col::Identity),
        ] {
            if row.get(of).is_none() {
                row.set(kind, None);
            }
        }
        let failed = match (&self.mapping.failure, &self.failure) {
            (Some(rule), Some(re)) => match get(&rule.field) {
                Some(v) if re.is_match(&v) => {
                    let to = rule
                        .error_from
                        .as_deref()
                        .and_then(Col::from_name)
                        .unwrap_or(Col::ErrorCode);
                    set_value(row, to, v);
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if row.get(Col::Outcome).is_none() {
            row.set_str(
                Col::Outcome,
                if failed {
                    outcome::FAILURE
                } else {
                    outcome::SUCCESS
                },
            );
        }
        if row.get(Col::IdentityType).is_none() {
            row.set_str(
                Col::IdentityType,
                if row.get(Col::Identity).is_some() {
                    "unknown"
                } else {
                    "anonymous"
                },
            );
        }
        Ok(())
    }
}

fn set_value<'a>(row: &mut Row<'a>, col: Col, v: Cow<'a, str>) {
    match col {
        Col::Bytes => row.bytes = v.trim().parse().ok(),
        Col::InputTokens => row.input_tokens = v.trim().parse().ok(),
        Col::OutputTokens => row.output_tokens = v.trim().parse().ok(),
        _ => row.set(col, Some(v)),
    }
}

/// A dotted path into a JSON value; numbers and booleans read as text.
pub fn lookup(v: &Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    path::scalar_text(cur)
}

impl Format for Mapped {
    fn fingerprint(&self) -> String {
        format!("{:?}", self.mapping)
    }

    fn id(&self) -> &'static str {
        self.id
    }

    fn title(&self) -> &'static str {
        self.title
    }

    fn layouts(&self) -> &'static [&'static str] {
        self.layouts
    }

    fn maps(&self) -> &'static str {
        self.maps
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        if self.is_csv() {
            if probe.shape.is_some() {
                return false;
            }
            let Some(Ok(header)) = CsvReader::new(probe.text).next() else {
                return false;
            };
            return self
                .mapping
                .detect
                .header
                .iter()
                .all(|h| header.fields.iter().any(|f| f.trim() == h));
        }
        let keys = &self.mapping.detect.keys;
        !probe.samples.is_empty()
            && probe.samples.iter().take(3).all(|v| {
                v.as_object()
                    .is_some_and(|o| keys.iter().all(|k| o.contains_key(k)))
            })
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        if self.is_csv() {
            return self.parse_csv(probe, out);
        }
        for item in probe.records() {
            match item {
                Item::Broken { loc, message } => out.error(loc, message),
                Item::Record(rec) => {
                    let body = record_body(rec.text);
                    if let Err(m) = self.parse_record(&rec, &body, out) {
                        out.error(rec.loc, m);
                    }
                }
            }
        }
    }
}

impl Mapped {
    /// One JSON record: its paths read from the text (see [`path`]), the record built as a value only where the
    /// text cannot answer, or to say why it is malformed.
    fn parse_record(
        &self,
        rec: &RawRecord<'_>,
        body: &str,
        out: &mut ParseOut,
    ) -> Result<(), String> {
        let built: OnceCell<Result<Value, String>> = OnceCell::new();
        let value = || {
            built.get_or_init(|| {
                serde_json::from_str::<Value>(body).map_err(|e| super::json_error(&e))
            })
        };
        let top = match path::Split::new(body) {
            Ok(top) => Some(top),
            Err(Unsure) => {
                value().as_ref().map_err(Clone::clone)?;
                None
            }
        };
        let get = |p: &str| {
            if let Some(top) = &top {
                if let Ok(v) = top.lookup(p) {
                    return v;
                }
            }
            value()
                .as_ref()
                .ok()
                .and_then(|v| lookup(v, p))
                .map(Cow::Owned)
        };
        let mut row = base_row(rec);
        self.fill(&mut row, &get)?;
        // A leaf the text could not read made the value be built: a record that does not parse is reported.
        if let Some(Err(e)) = built.get() {
            return Err(e.clone());
        }
        out.batch.push(&row);
        Ok(())
    }

    fn parse_csv(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut reader = CsvReader::new(probe.text);
        let header: HashMap<String, usize> = match reader.next() {
            Some(Ok(h)) => h
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.trim().to_string(), i))
                .collect(),
            _ => return out.error(1, "no CSV header"),
        };
        for rec in reader {
            match rec {
                Err(e) => out.error(e.line, e.message),
                Ok(r) => {
                    let raw = RawRecord {
                        text: r.text,
                        offset: r.offset,
                        loc: r.line,
                    };
                    let mut row = base_row(&raw);
                    let get = |name: &str| {
                        header
                            .get(name)
                            .and_then(|&i| r.fields.get(i))
                            .map(|s| Cow::Owned(s.to_string()))
                    };
                    match self.fill(&mut row, &get) {
                        Ok(()) => out.batch.push(&row),
                        Err(m) => out.error(r.line, m),
                    }
                }
            }
        }
    }
}

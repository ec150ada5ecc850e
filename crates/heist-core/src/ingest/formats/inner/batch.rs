//! The inner records of a whole file, parsed together: each is sniffed on its own, and the single-record ones that
//! hold the same format are then parsed as one file of lines. A format that folds records within a file (Kubernetes
//! audit stages under one auditID) therefore answers on a re-export exactly as on the file it came from.
//!
//! Every row and error is placed at the outer record that carried its inner record, as [`super::InnerParser`] does.

use std::borrow::Cow;

use crate::ingest::doc::{Probe, RawRecord};
use crate::ingest::formats::{registry, Format, ParseOut};
use crate::ingest::jsonscan::Shape;

/// Inner records collected while an outer file is read; [`InnerBatch::finish`] parses them.
#[derive(Default)]
pub struct InnerBatch<'a> {
    items: Vec<Item<'a>>,
}

struct Item<'a> {
    text: Cow<'a, str>,
    outer: RawRecord<'a>,
    /// The format the record is known to be in (a record rebuilt from mapped fields), else sniffed.
    format: Option<&'static dyn Format>,
}

impl<'a> InnerBatch<'a> {
    /// Queue `inner`, the text of one record of any format heist reads, carried by `outer`.
    pub fn push(&mut self, inner: impl Into<Cow<'a, str>>, outer: RawRecord<'a>) {
        self.items.push(Item {
            text: inner.into(),
            outer,
            format: None,
        });
    }

    /// Queue a record known to be in `format` (one rebuilt from a re-export's fields): it is not sniffed, so what
    /// it lacks is reported by its format (`no eventName`), not as an unknown record.
    pub fn push_as(
        &mut self,
        format: &'static dyn Format,
        inner: impl Into<Cow<'a, str>>,
        outer: RawRecord<'a>,
    ) {
        self.items.push(Item {
            text: inner.into(),
            outer,
            format: Some(format),
        });
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Parse every queued record into `out`. A record no format claims is an error at its outer record.
    pub fn finish(self, out: &mut ParseOut) {
        let origin = out.batch.origin.clone();
        let mut last: Option<&'static dyn Format> = None;
        // Per format, in order of first appearance: the items that can be parsed as lines of one file.
        let mut groups: Vec<(&'static dyn Format, Vec<usize>)> = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            let (text, outer) = (&item.text, &item.outer);
            let probe = Probe::new(&origin, text);
            let found = item
                .format
                .or_else(|| last.filter(|f| f.sniff(&probe)))
                .or_else(|| {
                    registry()
                        .iter()
                        .copied()
                        .filter(|f| !f.wraps())
                        .find(|f| f.sniff(&probe))
                });
            let Some(format) = found else {
                let message = match (&probe.json_error, probe.shape) {
                    (Some(e), _) => format!("malformed inner record: {e}"),
                    (None, Some(_)) => "the record inside is not in a format heist reads".into(),
                    (None, None) => "the text inside is not in a format heist reads".into(),
                };
                out.error(outer.loc, message);
                continue;
            };
            if item.format.is_none() {
                last = Some(format);
            }
            if !one_line_record(&probe, text) {
                parse_lines(format, &origin, text, &[outer], out);
                continue;
            }
            match groups.iter_mut().find(|(f, _)| f.id() == format.id()) {
                Some((_, members)) => members.push(i),
                None => groups.push((format, vec![i])),
            }
        }
        for (format, members) in groups {
            let outers: Vec<&RawRecord<'_>> =
                members.iter().map(|&i| &self.items[i].outer).collect();
            let mut joined =
                String::with_capacity(members.iter().map(|&i| self.items[i].text.len() + 1).sum());
            for &i in &members {
                // Line breaks of a JSON record are whitespace (a JSON string cannot hold a raw one).
                let t = self.items[i].text.trim();
                joined.extend(
                    t.chars()
                        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                );
                joined.push('\n');
            }
            parse_lines(format, &origin, &joined, &outers, out);
        }
    }
}

/// Whether the inner text is one record that can stand as one line of a lines file.
fn one_line_record(probe: &Probe<'_>, text: &str) -> bool {
    match probe.shape {
        Some(Shape::Object) => probe.wrapper.is_none() && probe.json_error.is_none(),
        Some(Shape::Array) => false,
        Some(Shape::Lines) | None => !text.trim().contains(['\n', '\r']),
    }
}

/// Parse `joined` with `format`, placing rows and errors at the outer records: line k is the inner record of
/// `outers[k - 1]`, and with one outer record every row and error is at it.
fn parse_lines(
    format: &'static dyn Format,
    origin: &str,
    joined: &str,
    outers: &[&RawRecord<'_>],
    out: &mut ParseOut,
) {
    let probe = Probe::new(origin, joined);
    let first = out.batch.len();
    let mut sub = ParseOut::new(origin, probe.loc_kind());
    std::mem::swap(&mut sub.batch, &mut out.batch);
    format.parse(&probe, &mut sub);
    std::mem::swap(&mut sub.batch, &mut out.batch);
    out.merged += sub.merged;
    let outer_of = |line: u32| {
        let at = if outers.len() == 1 {
            0
        } else {
            (line as usize).wrapping_sub(1)
        };
        outers.get(at).or(outers.first()).copied()
    };
    let prefix = format!("{origin}:");
    for e in sub.errors {
        let line = e
            .origin
            .strip_prefix(&prefix)
            .and_then(|l| l.parse::<u32>().ok())
            .unwrap_or(0);
        let message = e
            .message
            .strip_prefix("malformed record: ")
            .map_or(Cow::Borrowed(e.message.as_str()), |m| {
                Cow::Owned(format!("malformed inner {} record: {m}", format.id()))
            });
        if let Some(o) = outer_of(line) {
            out.error(o.loc, message.into_owned());
        }
    }
    let b = &mut out.batch;
    for r in first..b.len() {
        if let Some(o) = outer_of(b.line[r]) {
            b.line[r] = o.loc;
            b.raw_offset[r] = o.offset as u64;
            b.raw_len[r] = o.text.len() as u32;
            b.record_hash[r] = o.hash();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Col, LocKind};
    use crate::ingest::doc::Item;

    fn outer_records(text: &str) -> Vec<RawRecord<'_>> {
        Probe::new("export.json", text)
            .records()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                Item::Broken { .. } => None,
            })
            .collect()
    }

    fn k8s(stage: &str, id: &str) -> String {
        format!(
            r#"{{"apiVersion":"audit.k8s.io/v1","kind":"Event","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/ci/secrets","verb":"list","user":{{"username":"system:serviceaccount:ci:runner"}},"sourceIPs":["198.51.100.77"],"objectRef":{{"resource":"secrets","namespace":"ci","apiVersion":"v1"}},"requestReceivedTimestamp":"2026-10-05T01:47:31.000000Z","stageTimestamp":"2026-10-05T01:47:31.100000Z"}}"#
        )
    }

    const CT: &str = r#"{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/ci","accessKeyId":"AKIAEXAMPLE"},"eventID":"e1"}"#;

    #[test]
    fn records_of_one_format_are_parsed_as_one_file_so_stages_fold() {
        let inners = [
            k8s("RequestReceived", "a1"),
            CT.to_string(),
            k8s("ResponseComplete", "a1"),
            "just words".to_string(),
        ];
        let text: String = inners
            .iter()
            .map(|i| format!("{}\n", serde_json::json!({ "_raw": i })))
            .collect();
        let recs = outer_records(&text);
        let mut out = ParseOut::new("export.json", LocKind::Line);
        let mut batch = InnerBatch::default();
        for (inner, rec) in inners.iter().zip(&recs) {
            batch.push(inner.as_str(), *rec);
        }
        batch.finish(&mut out);
        // Two Kubernetes stages fold into one event; the CloudTrail record is one; the words are an error.
        assert_eq!(out.batch.len(), 2);
        assert_eq!(out.merged, 1);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].origin, "export.json:4");
        assert!(out.errors[0]
            .message
            .contains("not in a format heist reads"));
        let b = &out.batch;
        let k = (0..2)
            .find(|&r| b.text(Col::Source, r) == Some("k8s"))
            .unwrap();
        // The kept stage is the final one, on line 3 of the export.
        assert_eq!(b.line[k], 3);
        assert_eq!(b.raw_offset[k] as usize, recs[2].offset);
        assert_eq!(b.record_hash[k], recs[2].hash());
        let c = 1 - k;
        assert_eq!(b.text(Col::Source, c), Some("cloudtrail"));
        assert_eq!(b.line[c], 2);
    }

    #[test]
    fn pretty_inner_records_join_and_broken_ones_name_the_outer_record() {
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(CT).unwrap())
                .unwrap();
        let broken = CT.replace("2026-10-05T02:13:00Z", "yesterday");
        let wrapper = format!("{{\"Records\":[{CT},{CT}]}}");
        let truncated = CT[..120].to_string();
        let inners = [pretty, broken, wrapper, truncated];
        let text: String = inners
            .iter()
            .map(|i| format!("{}\n", serde_json::json!({ "_raw": i })))
            .collect();
        let recs = outer_records(&text);
        let mut out = ParseOut::new("export.json", LocKind::Line);
        let mut batch = InnerBatch::default();
        for (inner, rec) in inners.iter().zip(&recs) {
            batch.push(inner.as_str(), *rec);
        }
        assert_eq!(batch.len(), 4);
        batch.finish(&mut out);
        // The pretty record and the whole delivery file (two records) load; the broken time is an error on line 2,
        // the record cut short one on line 4.
        assert_eq!(out.batch.len(), 3);
        assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
        assert_eq!(out.errors[0].origin, "export.json:4");
        assert!(out.errors[0]
            .message
            .starts_with("malformed inner record: malformed JSON"));
        assert_eq!(out.errors[1].origin, "export.json:2");
        assert!(out.errors[1].message.contains("not a timestamp"));
        let mut lines = out.batch.line.clone();
        lines.sort_unstable();
        assert_eq!(lines, [1, 3, 3]);
    }
}

//! Records that carry another format's record inside them: SIEM and data-lake re-exports (Splunk's `_raw`, Elastic's
//! `event.original`, a Sentinel row rebuilt as the record it came from), and files that mix shapes line by line.
//!
//! The inner record is parsed by the format it holds, exactly as if it were a file of its own, and every row it
//! gives is then placed at the outer record: the raw view shows the record as the analyst received it, and a
//! malformed inner record is reported at the outer record's origin.

use std::borrow::Cow;

use super::{registry, Format, ParseOut};
use crate::ingest::doc::{Probe, RawRecord};

mod batch;
pub use batch::InnerBatch;

/// Parses inner records one after another, remembering the format of the last one (a file of re-exports usually
/// holds one format throughout, so sniffing starts there).
#[derive(Default)]
pub struct InnerParser {
    last: Option<&'static dyn Format>,
}

impl InnerParser {
    /// Parse `inner`, the text of one record of any format heist reads, into `out`, every row located at `outer`.
    /// Formats that themselves wrap other records are not tried (an inner record is the original). Returns how many
    /// rows were added; a record no format claims is an error for the caller to report.
    pub fn parse(
        &mut self,
        inner: &str,
        outer: &RawRecord<'_>,
        out: &mut ParseOut,
    ) -> Result<usize, String> {
        self.parse_except(inner, outer, out, None)
    }

    /// As [`InnerParser::parse`], never trying the format `except` (the caller's own, when it hands on the records
    /// of a mixed file that are not its shape).
    pub fn parse_except(
        &mut self,
        inner: &str,
        outer: &RawRecord<'_>,
        out: &mut ParseOut,
        except: Option<&str>,
    ) -> Result<usize, String> {
        let origin = out.batch.origin.clone();
        let probe = Probe::new(&origin, inner);
        let usable = |f: &&'static dyn Format| !f.wraps() && Some(f.id()) != except;
        let format = self
            .last
            .filter(usable)
            .filter(|f| f.sniff(&probe))
            .or_else(|| {
                registry()
                    .iter()
                    .copied()
                    .filter(usable)
                    .find(|f| f.sniff(&probe))
            })
            .ok_or_else(|| {
                let kind = if probe.shape.is_some() {
                    "record"
                } else {
                    "text"
                };
                format!("the {kind} inside is not in a format heist reads")
            })?;
        self.last = Some(format);

        let first = out.batch.len();
        let mut sub = ParseOut::new(&origin, probe.loc_kind());
        std::mem::swap(&mut sub.batch, &mut out.batch);
        format.parse(&probe, &mut sub);
        std::mem::swap(&mut sub.batch, &mut out.batch);
        out.merged += sub.merged;
        for e in sub.errors {
            // `origin` of a sub-error names the inner text's own line or index: the outer record is what the
            // analyst can find.
            let message = e
                .message
                .strip_prefix("malformed record: ")
                .map_or(Cow::Borrowed(e.message.as_str()), |m| {
                    Cow::Owned(format!("malformed inner {} record: {m}", format.id()))
                });
            out.error(outer.loc, message.into_owned());
        }
        let b = &mut out.batch;
        let hash = outer.hash();
        for i in first..b.len() {
            b.line[i] = outer.loc;
            b.raw_offset[i] = outer.offset as u64;
            b.raw_len[i] = outer.text.len() as u32;
            b.record_hash[i] = hash;
        }
        Ok(b.len() - first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Col, LocKind};
    use crate::ingest::doc::Item;

    const CT: &str = r#"{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/ci","accessKeyId":"AKIAEXAMPLE"},"eventID":"e1"}"#;

    fn outer_records(text: &str) -> Vec<RawRecord<'_>> {
        Probe::new("export.json", text)
            .records()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                Item::Broken { .. } => None,
            })
            .collect()
    }

    #[test]
    fn an_inner_cloudtrail_record_is_mapped_and_located_at_the_outer_record() {
        let outer_text = format!(
            "{{\"_time\":\"x\",\"_raw\":{}}}\n",
            serde_json::to_string(CT).unwrap()
        );
        let text = format!("{outer_text}{outer_text}");
        let recs = outer_records(&text);
        let mut out = ParseOut::new("export.json", LocKind::Line);
        let mut p = InnerParser::default();
        for r in &recs {
            assert_eq!(p.parse(CT, r, &mut out), Ok(1));
        }
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let b = &out.batch;
        assert_eq!(b.text(Col::Source, 1), Some("cloudtrail"));
        assert_eq!(b.text(Col::Token, 0), Some("AKIAEXAMPLE"));
        assert_eq!(b.line, [recs[0].loc, recs[1].loc]);
        assert_eq!(b.raw_offset[1] as usize, recs[1].offset);
        assert_eq!(b.raw_len[1] as usize, recs[1].text.len());
        assert_eq!(b.record_hash[0], recs[0].hash());
        // The raw view reads the outer record back.
        let off = b.raw_offset[1] as usize;
        assert!(text[off..off + b.raw_len[1] as usize].starts_with("{\"_time\""));
    }

    #[test]
    fn an_unreadable_inner_record_is_reported_at_the_outer_record() {
        let text = "{\"_raw\":\"just words\"}\n{\"_raw\":\"{}\"}\n";
        let recs = outer_records(text);
        let mut out = ParseOut::new("export.json", LocKind::Line);
        let mut p = InnerParser::default();
        let e = p.parse("just words", &recs[0], &mut out).unwrap_err();
        assert!(e.contains("not in a format heist reads"), "{e}");
        // A CloudTrail record whose time is broken: the error names the outer line.
        let broken = CT.replace("2026-10-05T02:13:00Z", "yesterday");
        assert_eq!(p.parse(&broken, &recs[1], &mut out), Ok(0));
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].origin, format!("export.json:{}", recs[1].loc));
        assert!(
            out.errors[0].message.contains("not a timestamp"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn the_callers_own_format_is_not_tried() {
        let recs = outer_records(CT);
        let mut out = ParseOut::new("f.json", LocKind::Index);
        let mut p = InnerParser::default();
        assert!(p
            .parse_except(CT, &recs[0], &mut out, Some("cloudtrail"))
            .is_err());
        assert_eq!(out.batch.len(), 0);
    }
}

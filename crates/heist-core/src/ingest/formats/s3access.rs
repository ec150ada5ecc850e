//! Amazon S3 server access logs: plain text, one request per line, space-separated fields, quoted fields that
//! contain spaces, a bracketed time, `-` for null. Field order follows `shared/notes/log-formats.md` §3 (27 fields
//! today; older logs stop earlier, later ones may add more: both are read).
//!
//! The raw record is the whole line. The RequestID joins CloudTrail's `requestID` for the same call.

use std::borrow::Cow;

use memchr::memchr;

use super::bedrock::identity_from_arn;
use super::{base_row, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{Probe, RawRecord};
use crate::ingest::jsonscan::LineIter;
use crate::util::time::parse_any;

pub struct S3Access;

/// Field positions (0-based; the bracketed time is one field).
mod field {
    pub const BUCKET: usize = 1;
    pub const TIME: usize = 2;
    pub const REMOTE_IP: usize = 3;
    pub const REQUESTER: usize = 4;
    pub const REQUEST_ID: usize = 5;
    pub const OPERATION: usize = 6;
    pub const KEY: usize = 7;
    pub const HTTP_STATUS: usize = 9;
    pub const ERROR_CODE: usize = 10;
    pub const BYTES_SENT: usize = 11;
    pub const USER_AGENT: usize = 16;
    pub const AUTH_TYPE: usize = 21;
    pub const SOURCE_REGION: usize = 26;
}

/// Every version of the format has at least BucketOwner .. User-Agent; a shorter line is cut off.
const MIN_FIELDS: usize = 17;
/// What sniffing asks of the first line (BucketOwner .. VersionId, present since the early versions).
const SNIFF_FIELDS: usize = 18;

/// Split a line into raw fields. Fields are separated by single spaces; a field that opens with `"` runs to a `"`
/// that ends it (followed by a space or the end of the line, and not backslash-escaped), one that opens with `[`
/// runs to such a `]`. Fields keep their quotes and brackets (`value` and `bracketed` take them off).
fn tokenize(line: &str) -> Result<Vec<&str>, String> {
    let b = line.as_bytes();
    let n = b.len();
    let mut out: Vec<&str> = Vec::with_capacity(28);
    let mut i = 0;
    loop {
        let end = match b.get(i) {
            Some(&open @ (b'"' | b'[')) => {
                let close = if open == b'"' { b'"' } else { b']' };
                match closing(b, i + 1, close) {
                    Some(k) => k + 1,
                    None => {
                        return Err(format!(
                            "field {} opens with {} at byte {i} and never closes",
                            out.len() + 1,
                            open as char
                        ))
                    }
                }
            }
            _ => memchr(b' ', &b[i..]).map_or(n, |k| i + k),
        };
        out.push(&line[i..end]);
        if end >= n {
            return Ok(out);
        }
        // `b[end]` is the separating space.
        i = end + 1;
    }
}

/// Index of the `close` byte that ends a field opened just before `from`.
fn closing(b: &[u8], from: usize, close: u8) -> Option<usize> {
    let mut at = from;
    while let Some(k) = memchr(close, b.get(at..)?) {
        let pos = at + k;
        let ends_field = pos + 1 == b.len() || b[pos + 1] == b' ';
        let backslashes = b[from..pos]
            .iter()
            .rev()
            .take_while(|&&c| c == b'\\')
            .count();
        if ends_field && backslashes % 2 == 0 {
            return Some(pos);
        }
        at = pos + 1;
    }
    None
}

/// A field's value: quotes taken off; `-`, `"-"` and empty are null.
fn value(tok: &str) -> Option<&str> {
    let v = match tok.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => tok,
    };
    (!v.is_empty() && v != "-").then_some(v)
}

/// `[06/Feb/2019:00:01:57 +0000]` -> `06/Feb/2019:00:01:57 +0000`.
fn bracketed(tok: &str) -> Option<&str> {
    tok.strip_prefix('[')?.strip_suffix(']')
}

fn is_operation(tok: &str) -> bool {
    ["REST.", "BATCH.", "S3.", "WEBSITE."]
        .iter()
        .any(|p| tok.starts_with(p))
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte (invalid UTF-8 replaced).
fn form_decode(s: &str) -> String {
    if !s.bytes().any(|c| c == b'+' || c == b'%') {
        return s.to_string();
    }
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// The object key as CloudTrail and S3 name it. The log URL-encodes keys twice for requests made through the API
/// (`a b` is logged `a%2Bb`), once for batch deletes and S3's own lifecycle actions (`a+b`).
fn decode_key(operation: &str, key: &str) -> String {
    let once = form_decode(key);
    if operation == "BATCH.DELETE.OBJECT" || operation.starts_with("S3.") {
        once
    } else {
        form_decode(&once)
    }
}

/// What the Requester field says about the caller: an IAM/STS ARN, an AWS service (`svc:...`, `AmazonS3` for
/// lifecycle actions), or a canonical user id (64 hex digits), which names no principal type.
fn requester_kind(r: &str) -> (&'static str, Option<String>) {
    if r.starts_with("arn:") {
        identity_from_arn(r)
    } else if r.starts_with("svc:") || r == "AmazonS3" {
        (identity_type::SERVICE, None)
    } else {
        (identity_type::UNKNOWN, None)
    }
}

impl Format for S3Access {
    fn id(&self) -> &'static str {
        "s3access"
    }

    fn title(&self) -> &'static str {
        "Amazon S3 server access logs"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "<target-prefix>YYYY-mm-DD-HH-MM-SS-<unique>  (SimplePrefix: plain text, one request per line)",
            "<target-prefix><src-acct>/<src-region>/<src-bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<unique>  (PartitionedPrefix)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity Requester (IAM/STS ARN, service, canonical id, or anonymous); no token; asset bucket/key (key \
         URL-decoded) or bucket; bytes BytesSent; auth_method AuthType (QueryString = presigned URL); request_id \
         RequestID (joins CloudTrail)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        if probe.shape.is_some() {
            return false;
        }
        let Some((_, _, first)) = LineIter::new(probe.text).next() else {
            return false;
        };
        let Ok(f) = tokenize(first.trim()) else {
            return false;
        };
        f.len() >= SNIFF_FIELDS
            && bracketed(f[field::TIME]).and_then(parse_any).is_some()
            && is_operation(f[field::OPERATION])
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        for (line, offset, text) in LineIter::new(probe.text) {
            let trimmed = text.trim_start();
            let rec = RawRecord {
                text: trimmed.trim_end(),
                offset: offset + (text.len() - trimmed.len()),
                loc: line,
            };
            if let Err(msg) = map_line(&rec, &mut out.batch) {
                out.error(line, msg);
            }
        }
    }
}

fn map_line<'a>(rec: &RawRecord<'a>, batch: &mut EventBatch) -> Result<(), String> {
    let f = tokenize(rec.text)?;
    if f.len() < MIN_FIELDS {
        return Err(format!(
            "{} fields; an S3 access log line has at least {MIN_FIELDS} (cut off?)",
            f.len()
        ));
    }
    let get = |i: usize| f.get(i).copied().and_then(value);
    let time_field = f[field::TIME];
    let time = bracketed(time_field)
        .and_then(parse_any)
        .ok_or_else(|| format!("time {time_field:?} is not a bracketed date and time"))?;
    let operation = get(field::OPERATION).ok_or("no operation")?;

    let mut row: Row<'a> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "s3access");
    row.set_str(Col::Provider, "aws");
    row.set_str(Col::Service, "s3.amazonaws.com");
    row.set_str(Col::Action, operation);
    row.set(Col::SourceIp, get(field::REMOTE_IP).map(Cow::Borrowed));
    row.set(Col::RequestId, get(field::REQUEST_ID).map(Cow::Borrowed));
    row.set(Col::UserAgent, get(field::USER_AGENT).map(Cow::Borrowed));
    row.set(Col::AuthMethod, get(field::AUTH_TYPE).map(Cow::Borrowed));
    row.set(Col::Region, get(field::SOURCE_REGION).map(Cow::Borrowed));
    // BucketOwner is a canonical user id, not an account id: `account` stays null.

    match get(field::REQUESTER) {
        None => {
            row.set_str(Col::Identity, "anonymous");
            row.set_str(Col::IdentityType, identity_type::ANONYMOUS);
        }
        Some(r) => {
            let (kind, issuer) = requester_kind(r);
            row.set_str(Col::Identity, r);
            row.set_str(Col::IdentityType, kind);
            row.set(Col::Issuer, issuer.map(Cow::Owned));
        }
    }

    if let Some(bucket) = get(field::BUCKET) {
        match get(field::KEY) {
            Some(key) => {
                let asset = format!("{bucket}/{}", decode_key(operation, key));
                row.set(Col::Asset, Some(Cow::Owned(asset)));
                row.set_str(Col::AssetKind, "s3_object");
            }
            None => {
                row.set_str(Col::Asset, bucket);
                row.set_str(Col::AssetKind, "s3_bucket");
            }
        }
    }

    row.bytes = match get(field::BYTES_SENT) {
        None => Some(0),
        Some(v) => v.parse::<u64>().ok(),
    };

    let status = get(field::HTTP_STATUS);
    let bad_status = status
        .and_then(|s| s.parse::<u16>().ok())
        .is_some_and(|s| s >= 400);
    match (get(field::ERROR_CODE), bad_status) {
        (Some(code), _) => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set_str(Col::ErrorCode, code);
        }
        (None, true) => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, status.map(Cow::Borrowed));
        }
        (None, false) => row.set_str(Col::Outcome, outcome::SUCCESS),
    }

    batch.push(&row);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::access::FrameReader;
    use crate::frame::LocKind;
    use crate::ingest::{load_bytes, LoadOptions};
    use crate::util::time::parse_rfc3339;

    /// A numeric batch cell as `Option<u64>`, whether the batch stores `Option<u64>` or `u64` with a null sentinel.
    trait Num {
        fn num(self) -> Option<u64>;
    }
    impl Num for Option<u64> {
        fn num(self) -> Option<u64> {
            self
        }
    }
    impl Num for u64 {
        fn num(self) -> Option<u64> {
            (self != u64::MAX).then_some(self)
        }
    }

    const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

    /// All 27 fields: a presigned GET of a model file by an assumed-role session.
    fn full() -> String {
        format!(
            "{OWNER} models-prod [06/Feb/2019:00:01:57 +0000] 192.0.2.3 \
             arn:aws:sts::123456789012:assumed-role/ml-reader/alice 3E57427F3EXAMPLE REST.GET.OBJECT \
             llm/weights%2520v2.safetensors \"GET /models-prod/llm/weights%20v2.safetensors?X-Amz-Signature=abc HTTP/1.1\" \
             200 - 4938000000 4938000000 41754 28 \"-\" \"python-requests/2.31.0 (x; y)\" - \
             Ke1bUcazaN1jWuUlPJaxF64cQVpUEhoZKEG/hmy/gijN/I1DeWqDfFvnpybfEseEME/u7ME1234= SigV4 \
             ECDHE-RSA-AES128-GCM-SHA256 QueryString models-prod.s3.us-west-1.amazonaws.com TLSv1.2 - Yes us-west-1"
        )
    }

    /// 18 fields (an early version: ends at VersionId), anonymous.
    fn old() -> String {
        format!(
            "{OWNER} site-old [06/Feb/2014:10:00:00 +0000] 198.51.100.7 - 1A2B3C4D5E6F7A8B REST.GET.OBJECT \
             public/index.html \"GET /site-old/public/index.html HTTP/1.1\" 200 - 512 512 10 9 \"-\" \"curl/7.30.0\" -"
        )
    }

    /// 24 fields (through TLS version), IAM user, batch delete: key encoded once, `-` bytes.
    fn batch_delete() -> String {
        format!(
            "{OWNER} scratch [19/Sep/2019:17:06:39 +0000] 198.51.100.8 arn:aws:iam::123456789012:user/bob \
             6CE38F1312D3EXMP BATCH.DELETE.OBJECT Screen+Shot+2019-09-09+at+9.08.44+AM.png - 204 - - 57138 - - - - - \
             LwRa4w6DbuU48GKQiH3jDbjfTyLCbwasFBsdttugRQ= SigV4 ECDHE-RSA-AES128-SHA AuthHeader \
             s3.eu-central-1.amazonaws.com TLSv1.2"
        )
    }

    /// 28 fields (one more than documented today), canonical-id requester, denied bucket listing.
    fn denied() -> String {
        format!(
            "{OWNER} models-prod [06/Feb/2019:00:02:10 +0000] 203.0.113.9 {OWNER} 7F1B5C2A9EXAMPLE REST.GET.BUCKET - \
             \"GET /models-prod?list-type=2 HTTP/1.1\" 403 AccessDenied 243 - 12 - \"-\" \"aws-cli/2.15.0 Python/3.11.6\" - \
             hostid2= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader models-prod.s3.us-west-1.amazonaws.com TLSv1.3 - - \
             eu-west-1 future-field"
        )
    }

    /// Sniff and parse `text` with this format alone (no registry needed).
    fn run(text: &str) -> ParseOut {
        let probe = Probe::new("t.log", text);
        assert!(S3Access.sniff(&probe), "s3access should claim {text}");
        let mut out = ParseOut::new("t.log", probe.loc_kind());
        S3Access.parse(&probe, &mut out);
        out
    }

    fn one(text: &str) -> ParseOut {
        let out = run(text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.batch.len(), 1);
        out
    }

    fn t(out: &ParseOut, col: Col, row: usize) -> Option<&str> {
        out.batch.text(col, row)
    }

    #[test]
    fn full_line_maps_every_column() {
        let line = full();
        let out = one(&format!("{line}\n"));
        assert_eq!(
            out.batch.time[0],
            parse_rfc3339("2019-02-06T00:01:57Z").unwrap()
        );
        assert_eq!(t(&out, Col::Source, 0), Some("s3access"));
        assert_eq!(t(&out, Col::Provider, 0), Some("aws"));
        assert_eq!(t(&out, Col::Service, 0), Some("s3.amazonaws.com"));
        assert_eq!(t(&out, Col::Action, 0), Some("REST.GET.OBJECT"));
        assert_eq!(t(&out, Col::Outcome, 0), Some("success"));
        assert_eq!(t(&out, Col::ErrorCode, 0), None);
        assert_eq!(
            t(&out, Col::Identity, 0),
            Some("arn:aws:sts::123456789012:assumed-role/ml-reader/alice")
        );
        assert_eq!(t(&out, Col::IdentityType, 0), Some("role_session"));
        assert_eq!(
            t(&out, Col::Issuer, 0),
            Some("arn:aws:iam::123456789012:role/ml-reader")
        );
        assert_eq!(t(&out, Col::SourceIp, 0), Some("192.0.2.3"));
        assert_eq!(t(&out, Col::RequestId, 0), Some("3E57427F3EXAMPLE"));
        assert_eq!(
            t(&out, Col::Asset, 0),
            Some("models-prod/llm/weights v2.safetensors")
        );
        assert_eq!(t(&out, Col::AssetKind, 0), Some("s3_object"));
        assert_eq!(
            t(&out, Col::UserAgent, 0),
            Some("python-requests/2.31.0 (x; y)")
        );
        assert_eq!(t(&out, Col::AuthMethod, 0), Some("QueryString"));
        assert_eq!(t(&out, Col::Region, 0), Some("us-west-1"));
        assert_eq!(out.batch.bytes[0].num(), Some(4_938_000_000));
        for absent in [
            Col::Account,
            Col::Token,
            Col::TokenKind,
            Col::EventId,
            Col::Caller,
        ] {
            assert_eq!(t(&out, absent, 0), None, "{absent:?}");
        }
        assert_eq!(out.batch.line[0], 1);
        assert_eq!(out.batch.raw_offset[0], 0);
        assert_eq!(out.batch.raw_len[0] as usize, line.len());
        assert!(matches!(out.loc, LocKind::Line));
    }

    #[test]
    fn field_count_variants_all_load() {
        let text = format!(
            "{}\n{}\r\n\n{}\n{}\n",
            full(),
            old(),
            batch_delete(),
            denied()
        );
        let out = run(&text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.batch.len(), 4);
        assert_eq!(out.batch.line, [1, 2, 4, 5]);

        // 18 fields, anonymous, no AuthType / region.
        assert_eq!(t(&out, Col::Identity, 1), Some("anonymous"));
        assert_eq!(t(&out, Col::IdentityType, 1), Some("anonymous"));
        assert_eq!(t(&out, Col::Asset, 1), Some("site-old/public/index.html"));
        assert_eq!(t(&out, Col::AuthMethod, 1), None);
        assert_eq!(t(&out, Col::Region, 1), None);
        assert_eq!(out.batch.bytes[1].num(), Some(512));

        // 24 fields, IAM user, key encoded once with `+` for spaces, BytesSent `-`.
        assert_eq!(t(&out, Col::IdentityType, 2), Some("human"));
        assert_eq!(t(&out, Col::Issuer, 2), None);
        assert_eq!(t(&out, Col::Action, 2), Some("BATCH.DELETE.OBJECT"));
        assert_eq!(
            t(&out, Col::Asset, 2),
            Some("scratch/Screen Shot 2019-09-09 at 9.08.44 AM.png")
        );
        assert_eq!(out.batch.bytes[2].num(), Some(0));
        assert_eq!(t(&out, Col::UserAgent, 2), None);
        assert_eq!(t(&out, Col::Outcome, 2), Some("success"));
        assert_eq!(t(&out, Col::AuthMethod, 2), Some("AuthHeader"));

        // 28 fields: the extra one is ignored, SourceRegion still read.
        assert_eq!(t(&out, Col::Region, 3), Some("eu-west-1"));
        assert_eq!(t(&out, Col::Asset, 3), Some("models-prod"));
        assert_eq!(t(&out, Col::AssetKind, 3), Some("s3_bucket"));
        assert_eq!(t(&out, Col::Identity, 3), Some(OWNER));
        assert_eq!(t(&out, Col::IdentityType, 3), Some("unknown"));
    }

    #[test]
    fn failures_by_error_code_or_status() {
        let out = one(&denied());
        assert_eq!(t(&out, Col::Outcome, 0), Some("failure"));
        assert_eq!(t(&out, Col::ErrorCode, 0), Some("AccessDenied"));

        let status_only = full().replace(" 200 - 4938000000 ", " 503 - - ");
        let out = one(&status_only);
        assert_eq!(t(&out, Col::Outcome, 0), Some("failure"));
        assert_eq!(t(&out, Col::ErrorCode, 0), Some("503"));
        assert_eq!(out.batch.bytes[0].num(), Some(0));
    }

    #[test]
    fn service_requesters_and_missing_status() {
        let line = format!(
            "{OWNER} logs [14/Jul/2021:18:57:31 +0000] - svc:delivery.logs.amazonaws.com MVGXZXEVN3IG9S24 \
             REST.PUT.OBJECT AWSLogs/1/vpcflowlogs/f.log.gz \"PUT /AWSLogs/1/vpcflowlogs/f.log.gz HTTP/1.1\" - - - 773 \
             103 13 \"-\" \"-\" - hostid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader logs.s3.us-gov-west-1.amazonaws.com \
             TLSv1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes"
        );
        let out = one(&line);
        assert_eq!(
            t(&out, Col::Identity, 0),
            Some("svc:delivery.logs.amazonaws.com")
        );
        assert_eq!(t(&out, Col::IdentityType, 0), Some("service"));
        assert_eq!(t(&out, Col::SourceIp, 0), None);
        assert_eq!(t(&out, Col::Outcome, 0), Some("success"));
        assert_eq!(
            t(&out, Col::Asset, 0),
            Some("logs/AWSLogs/1/vpcflowlogs/f.log.gz")
        );
    }

    #[test]
    fn tokenizer() {
        let f = tokenize(r#"a [06/Feb/2019:00:01:57 +0000] "x y" "-" "say \"hi\" now" "" - [bad"#);
        assert!(f.is_err(), "unclosed bracket");
        let f =
            tokenize(r#"a [06/Feb/2019:00:01:57 +0000] "x y" "-" "say \"hi\" now" "" -"#).unwrap();
        assert_eq!(
            f,
            [
                "a",
                "[06/Feb/2019:00:01:57 +0000]",
                "\"x y\"",
                "\"-\"",
                r#""say \"hi\" now""#,
                "\"\"",
                "-"
            ]
        );
        assert_eq!(value(f[2]), Some("x y"));
        assert_eq!(value(f[3]), None);
        assert_eq!(value(f[5]), None);
        assert_eq!(value(f[6]), None);
        assert_eq!(bracketed(f[1]), Some("06/Feb/2019:00:01:57 +0000"));
        // A quote inside a field that is not followed by a space does not end it.
        assert_eq!(tokenize(r#""a"b c" d"#).unwrap(), [r#""a"b c""#, "d"]);
    }

    #[test]
    fn key_decoding() {
        assert_eq!(
            decode_key("REST.GET.OBJECT", "a%2520b%252Bc.bin"),
            "a b+c.bin"
        );
        assert_eq!(decode_key("REST.GET.OBJECT", "a%2Bb"), "a b");
        assert_eq!(decode_key("S3.EXPIRE.OBJECT", "x/a+b%2B.txt"), "x/a b+.txt");
        assert_eq!(
            decode_key("REST.GET.OBJECT", "plain/key.bin"),
            "plain/key.bin"
        );
        assert_eq!(decode_key("REST.GET.OBJECT", "bad%ZZ%"), "bad%ZZ%");
    }

    #[test]
    fn malformed_lines_are_reported_and_the_rest_load() {
        let cut = full();
        let cut = &cut[..cut.find("python-requests").unwrap() + 6];
        let bad_time = old().replace("06/Feb/2014", "31/Foo/2014");
        let text = format!(
            "{}\n{cut}\n{bad_time}\njust some words here\n{}\n",
            full(),
            denied()
        );
        let out = run(&text);
        assert_eq!(out.batch.len(), 2);
        let origins: Vec<&str> = out.errors.iter().map(|e| e.origin.as_str()).collect();
        assert_eq!(origins, ["t.log:2", "t.log:3", "t.log:4"]);
        assert!(
            out.errors[0].message.contains("never closes"),
            "{:?}",
            out.errors[0]
        );
        assert!(
            out.errors[1].message.contains("31/Foo/2014"),
            "{:?}",
            out.errors[1]
        );
        assert!(
            out.errors[2].message.contains("4 fields"),
            "{:?}",
            out.errors[2]
        );
        assert_eq!(out.batch.line, [1, 5]);
    }

    #[test]
    fn sniffing_is_specific() {
        let cloudtrail = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2019-02-06T00:01:57Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-west-1","requestID":"3E57427F3EXAMPLE"}]}"#;
        assert!(!S3Access.sniff(&Probe::new("f", cloudtrail)));
        assert!(!S3Access.sniff(&Probe::new("f", "hello world\nsecond line\n")));
        assert!(!S3Access.sniff(&Probe::new("f", "")));
        // An access-log-looking line with a time that does not parse, or no operation, is not claimed.
        assert!(!S3Access.sniff(&Probe::new(
            "f",
            &full().replace("06/Feb/2019", "xx/Feb/2019")
        )));
        assert!(!S3Access.sniff(&Probe::new(
            "f",
            &full().replace("REST.GET.OBJECT", "GetObject")
        )));
        assert!(S3Access.sniff(&Probe::new("f", &old())));
        // And CloudTrail does not take access log lines.
        assert!(!crate::ingest::formats::cloudtrail::CloudTrail.sniff(&Probe::new("f", &full())));
    }

    /// End to end through the loader (needs `S3Access` in `formats::registry()`).
    #[test]
    fn loads_through_the_registry() {
        let text = format!("{}\n{}\n", full(), denied());
        let s = load_bytes(
            "logs/2019-02-06-00-05-00-7E2B2A3C4D5E6F70",
            text.into_bytes(),
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        assert_eq!(s.files[0].format, "s3access");
        assert_eq!(s.len(), 2);
        let r = FrameReader::new(&s.frame).unwrap();
        assert_eq!(
            r.display(Col::Time, 0).as_deref(),
            Some("2019-02-06T00:01:57Z")
        );
        assert_eq!(r.display(Col::Bytes, 0).as_deref(), Some("4938000000"));
        assert_eq!(
            r.display(Col::AuthMethod, 0).as_deref(),
            Some("QueryString")
        );
    }
}

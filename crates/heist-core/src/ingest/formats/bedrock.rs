//! Amazon Bedrock model invocation logs: one JSON record per model call, written hourly to S3 as gzipped JSON lines
//! or to a CloudWatch Logs group (exported as lines, optionally timestamp-prefixed or in `{"timestamp","message"}`
//! envelopes, or as `filter-log-events` output). Field mapping follows `shared/notes/log-formats.md` §2.
//!
//! The request and response bodies (`input.inputBodyJson`, `output.outputBodyJson`) can be megabytes (documents,
//! base64 images); they are never deserialized into owned values: the record keeps `input` / `output` as borrowed
//! raw spans and only their token counters are read from them. The raw record keeps the bodies.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Probe, RawRecord};
use crate::ingest::jsonscan::object_members;
use crate::util::time::Nanos;

pub struct Bedrock;

type S<'a> = Option<Cow<'a, str>>;

/// The top-level fields heist reads; everything else stays in the raw record.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Invocation<'a> {
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    account_id: S<'a>,
    #[serde(borrow)]
    identity: Option<&'a RawValue>,
    #[serde(borrow)]
    region: S<'a>,
    #[serde(borrow)]
    inference_region: S<'a>,
    #[serde(borrow)]
    request_id: S<'a>,
    #[serde(borrow)]
    operation: S<'a>,
    #[serde(borrow)]
    model_id: S<'a>,
    #[serde(borrow)]
    error_code: Option<&'a RawValue>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    output: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identity<'a> {
    #[serde(borrow)]
    arn: S<'a>,
}

/// `input` without its body: serde skips `inputBodyJson` without building anything.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct InputMeta {
    input_token_count: Option<f64>,
}

/// `output` without its body.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OutputMeta {
    output_token_count: Option<f64>,
}

/// Parse an optional sub-object leniently: a shape heist does not expect reads as absent, never as a failed
/// record; the raw record keeps it.
fn sub<'a, T: Deserialize<'a> + Default>(raw: Option<&'a RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

fn is_bedrock(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    if o.get("schemaType").and_then(Value::as_str) == Some("ModelInvocationLog") {
        return true;
    }
    o.contains_key("operation")
        && o.contains_key("modelId")
        && o.contains_key("requestId")
        && o.get("identity")
            .and_then(|i| i.get("arn"))
            .is_some_and(Value::is_string)
}

impl Format for Bedrock {
    fn id(&self) -> &'static str {
        "bedrock"
    }

    fn title(&self) -> &'static str {
        "Amazon Bedrock model invocation logs"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "AWSLogs/<acct>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz  (JSON lines; large bodies under .../data/ are skipped)",
            "*.jsonl  (CloudWatch Logs export of the invocation log group, stream aws/bedrock/modelinvocations: one record per line, optional timestamp prefix or {\"timestamp\",\"message\"} envelope)",
            "filter-log-events.json  (aws logs filter-log-events: events[].message holds the record)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity identity.arn (issuer = role of an assumed-role session); no token (join CloudTrail on requestId); \
         asset modelId (model or inference profile); input/output token counts"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(3).any(is_bedrock)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, |rec, batch| {
            let body = body_of(rec.text);
            let inv: Invocation<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
            map_invocation(&inv, rec, batch)
        });
    }
}

/// The record to parse: a CloudWatch envelope's message, else the record itself. `record_body` alone would parse
/// every record that mentions `"message"` into a `Value` to find out, and Converse bodies always do; looking at
/// the top-level keys first costs a structural scan and no copy of the bodies.
fn body_of(text: &str) -> Cow<'_, str> {
    let open = text.len() - text.trim_start().len();
    let (members, _) = object_members(text, open);
    let has = |key: &str| members.iter().any(|m| m.key == key);
    if has("message") && (has("timestamp") || has("ingestionTime") || has("logStreamName")) {
        record_body(text)
    } else {
        Cow::Borrowed(text)
    }
}

fn c<'a>(v: &S<'a>) -> Option<Cow<'a, str>> {
    v.clone().filter(|s| !s.is_empty())
}

fn invocation_time(raw: Option<&RawValue>) -> Result<Nanos, String> {
    time_value("timestamp", raw.ok_or("no timestamp")?)
}

/// `errorCode` as text: a string as is, any other non-null value as its JSON text.
fn error_code(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let raw = raw?;
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::Null) => None,
        Ok(Value::String(s)) => (!s.is_empty()).then_some(Cow::Owned(s)),
        _ => Some(Cow::Borrowed(raw.get())),
    }
}

fn count(v: Option<f64>) -> Option<u64> {
    v.filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64)
}

/// `modelId` is a model id (`anthropic.claude-3-haiku-...`), or an ARN; inference profiles route across regions.
fn model_kind(model_id: &str) -> &'static str {
    if model_id.contains(":inference-profile/")
        || model_id.contains(":application-inference-profile/")
    {
        "inference_profile"
    } else {
        "model"
    }
}

/// What an AWS principal ARN says about its holder: its `identity_type`, and for an assumed-role session the role
/// it derives from (`arn:aws:sts::A:assumed-role/R/S` -> `arn:aws:iam::A:role/R`; the session ARN carries no role
/// path, so the issuer has none either). Shared with the S3 access log format.
pub fn identity_from_arn(arn: &str) -> (&'static str, Option<String>) {
    let mut parts = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(partition),
        Some(_service),
        Some(_region),
        Some(account),
        Some(resource),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return (identity_type::UNKNOWN, None);
    };
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let role = rest.split('/').next().unwrap_or("");
        let issuer =
            (!role.is_empty()).then(|| format!("arn:{partition}:iam::{account}:role/{role}"));
        (identity_type::ROLE_SESSION, issuer)
    } else if resource.starts_with("user/") {
        (identity_type::iam_user(resource), None)
    } else if resource == "root" {
        (identity_type::ROOT, None)
    } else {
        (identity_type::UNKNOWN, None)
    }
}

fn map_invocation(
    inv: &Invocation<'_>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = invocation_time(inv.timestamp)?;
    let action = c(&inv.operation).ok_or("no operation")?;
    let mut row: Row<'_> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "bedrock");
    row.set_str(Col::Provider, "aws");
    row.set_str(Col::Service, "bedrock.amazonaws.com");
    row.set(Col::Action, Some(action));
    row.set(Col::Account, c(&inv.account_id));
    // A cross-region inference profile runs the call elsewhere: that region is where the model was used.
    row.set(
        Col::Region,
        c(&inv.inference_region).or_else(|| c(&inv.region)),
    );
    row.set(Col::RequestId, c(&inv.request_id));

    let who: Identity<'_> = sub(inv.identity);
    match c(&who.arn) {
        Some(arn) => {
            let (kind, issuer) = identity_from_arn(&arn);
            row.set_str(Col::IdentityType, kind);
            row.set(Col::Issuer, issuer.map(Cow::Owned));
            row.set(Col::Identity, Some(arn));
        }
        None => row.set_str(Col::IdentityType, identity_type::UNKNOWN),
    }

    // A guardrail intervention is a served call (the guardrail answered); only an errorCode is a failure.
    match error_code(inv.error_code) {
        Some(code) => {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, Some(code));
        }
        None => row.set_str(Col::Outcome, outcome::SUCCESS),
    }

    if let Some(model) = c(&inv.model_id) {
        row.set_str(Col::AssetKind, model_kind(&model));
        row.set(Col::Asset, Some(model));
    }

    let input: InputMeta = sub(inv.input);
    let output: OutputMeta = sub(inv.output);
    row.input_tokens = count(input.input_token_count);
    row.output_tokens = count(output.output_token_count);

    batch.push(&row);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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

    fn record() -> Value {
        json!({"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2025-01-09T18:49:23Z",
            "accountId":"123456789012",
            "identity":{"arn":"arn:aws:sts::123456789012:assumed-role/BedrockPlayground/alice"},
            "region":"us-east-1","requestId":"19926a63-3c07-4481-864c-49516d208539","operation":"ConverseStream",
            "modelId":"anthropic.claude-v2:1",
            "input":{"inputContentType":"application/json",
                "inputBodyJson":{"messages":[{"role":"user","content":[{"text":"summarise \"the\" report"},
                    {"document":{"format":"pdf","name":"q3","source":{"s3Location":{"uri":"s3://docs/q3.pdf"}}}}]}],
                    "inferenceConfig":{"maxTokens":300}},
                "inputTokenCount":3263,"cacheReadInputTokenCount":0},
            "output":{"outputContentType":"application/json",
                "outputBodyJson":{"output":{"message":{"role":"assistant","content":[{"text":"The report says..."}]}},
                    "stopReason":"max_tokens","usage":{"inputTokens":3263,"outputTokens":300}},
                "outputTokenCount":300}})
    }

    /// Sniff and parse `text` with this format alone (no registry needed).
    fn run(text: &str) -> ParseOut {
        let probe = Probe::new("t.jsonl", text);
        assert!(Bedrock.sniff(&probe), "bedrock should claim {text}");
        let mut out = ParseOut::new("t.jsonl", probe.loc_kind());
        Bedrock.parse(&probe, &mut out);
        out
    }

    fn one(text: &str) -> ParseOut {
        let out = run(text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.batch.len(), 1);
        out
    }

    fn t(out: &ParseOut, col: Col) -> Option<&str> {
        out.batch.text(col, 0)
    }

    fn line(v: &Value) -> String {
        format!("{v}\n")
    }

    #[test]
    fn s3_json_lines_map_every_column() {
        let first = record().to_string();
        let mut second = record();
        second["requestId"] = json!("2b1c7e55-0d7e-4f7a-9a55-5f0b1e2d3c4a");
        let text = format!("{first}\n{second}\n");
        let out = run(&text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.batch.len(), 2);
        assert_eq!(
            out.batch.time[0],
            parse_rfc3339("2025-01-09T18:49:23Z").unwrap()
        );
        assert_eq!(t(&out, Col::Source), Some("bedrock"));
        assert_eq!(t(&out, Col::Provider), Some("aws"));
        assert_eq!(t(&out, Col::Service), Some("bedrock.amazonaws.com"));
        assert_eq!(t(&out, Col::Action), Some("ConverseStream"));
        assert_eq!(t(&out, Col::Outcome), Some("success"));
        assert_eq!(t(&out, Col::ErrorCode), None);
        assert_eq!(
            t(&out, Col::Identity),
            Some("arn:aws:sts::123456789012:assumed-role/BedrockPlayground/alice")
        );
        assert_eq!(t(&out, Col::IdentityType), Some("role_session"));
        assert_eq!(
            t(&out, Col::Issuer),
            Some("arn:aws:iam::123456789012:role/BedrockPlayground")
        );
        assert_eq!(t(&out, Col::Account), Some("123456789012"));
        assert_eq!(t(&out, Col::Region), Some("us-east-1"));
        assert_eq!(t(&out, Col::Asset), Some("anthropic.claude-v2:1"));
        assert_eq!(t(&out, Col::AssetKind), Some("model"));
        assert_eq!(
            t(&out, Col::RequestId),
            Some("19926a63-3c07-4481-864c-49516d208539")
        );
        assert_eq!(out.batch.input_tokens[0].num(), Some(3263));
        assert_eq!(out.batch.output_tokens[0].num(), Some(300));
        for absent in [
            Col::EventId,
            Col::Token,
            Col::TokenKind,
            Col::SourceIp,
            Col::UserAgent,
        ] {
            assert_eq!(t(&out, absent), None, "{absent:?}");
        }
        assert_eq!(out.batch.bytes[0].num(), None);
        // The row points at the whole line.
        assert_eq!(out.batch.line[0], 1);
        assert_eq!(out.batch.raw_offset[0], 0);
        assert_eq!(out.batch.raw_len[0] as usize, first.len());
        assert_eq!(out.batch.line[1], 2);
        assert_eq!(out.batch.raw_offset[1] as usize, first.len() + 1);
        assert!(matches!(out.loc, LocKind::Line));
    }

    #[test]
    fn identity_types_inference_profiles_and_regions() {
        let mut ev = record();
        ev["identity"]["arn"] = json!("arn:aws:iam::123456789012:user/bob");
        ev["modelId"] = json!(
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0"
        );
        ev["inferenceRegion"] = json!("us-west-2");
        let out = one(&line(&ev));
        assert_eq!(t(&out, Col::IdentityType), Some("human"));
        assert_eq!(t(&out, Col::Issuer), None);
        assert_eq!(t(&out, Col::AssetKind), Some("inference_profile"));
        assert_eq!(t(&out, Col::Region), Some("us-west-2"));

        ev["identity"]["arn"] = json!("arn:aws:iam::123456789012:root");
        assert_eq!(t(&one(&line(&ev)), Col::IdentityType), Some("root"));
        ev["identity"]["arn"] = json!("arn:aws:iam::123456789012:role/direct");
        assert_eq!(t(&one(&line(&ev)), Col::IdentityType), Some("unknown"));
        ev.as_object_mut().unwrap().remove("identity");
        let out = one(&line(&ev));
        assert_eq!(t(&out, Col::Identity), None);
        assert_eq!(t(&out, Col::IdentityType), Some("unknown"));
    }

    #[test]
    fn arn_helper() {
        assert_eq!(
            identity_from_arn("arn:aws-us-gov:sts::111122223333:assumed-role/r/s/extra"),
            (
                identity_type::ROLE_SESSION,
                Some("arn:aws-us-gov:iam::111122223333:role/r".to_string())
            )
        );
        assert_eq!(identity_from_arn("not an arn").0, identity_type::UNKNOWN);
        assert_eq!(identity_from_arn("arn:aws:sts::1:assumed-role/").1, None);
    }

    #[test]
    fn cloudwatch_export_shapes_read_the_same_record() {
        let ev = record();
        let msg = ev.to_string();
        let shapes = [
            format!("{msg}\n"),
            format!("2025-01-09T18:49:24.000Z {msg}\n"),
            format!(
                "{}\n",
                json!({"timestamp":1736448564000i64,"message":msg.clone(),"ingestionTime":1736448565000i64})
            ),
            json!({"events":[{"logStreamName":"aws/bedrock/modelinvocations","timestamp":1736448564000i64,"message":msg.clone()}]})
                .to_string(),
            json!([ev.clone()]).to_string(),
        ];
        for (i, text) in shapes.iter().enumerate() {
            let out = run(text);
            assert!(out.errors.is_empty(), "shape {i}: {:?}", out.errors);
            assert_eq!(out.batch.len(), 1, "shape {i}");
            assert_eq!(t(&out, Col::Action), Some("ConverseStream"), "shape {i}");
            assert_eq!(out.batch.input_tokens[0].num(), Some(3263), "shape {i}");
            assert_eq!(
                out.batch.time[0],
                parse_rfc3339("2025-01-09T18:49:23Z").unwrap(),
                "shape {i}: the record's time, not the envelope's"
            );
        }
    }

    #[test]
    fn error_code_is_a_failure_guardrail_is_not() {
        let mut ev = record();
        ev["errorCode"] = json!("ThrottlingException");
        let out = one(&line(&ev));
        assert_eq!(t(&out, Col::Outcome), Some("failure"));
        assert_eq!(t(&out, Col::ErrorCode), Some("ThrottlingException"));

        let mut ev = record();
        ev["operation"] = json!("InvokeModel");
        ev["timestamp"] = json!("2025-05-15 14:14:49.000000000");
        ev["output"] = json!({"outputContentType":"application/json",
            "outputBodyJson":{"amazon-bedrock-guardrailAction":"INTERVENED","content":[{"type":"text","text":"Sorry."}]}});
        let out = one(&line(&ev));
        assert_eq!(t(&out, Col::Outcome), Some("success"));
        assert_eq!(t(&out, Col::ErrorCode), None);
        assert_eq!(out.batch.output_tokens[0].num(), None, "no count logged");
        assert_eq!(
            out.batch.time[0],
            parse_rfc3339("2025-05-15T14:14:49Z").unwrap()
        );
    }

    #[test]
    fn odd_sub_objects_are_lenient() {
        let mut ev = record();
        ev["identity"] = json!("arn:aws:iam::1:user/a");
        ev["input"] = json!("truncated");
        ev["output"] = json!({"outputTokenCount":"many"});
        let out = one(&line(&ev));
        assert_eq!(t(&out, Col::IdentityType), Some("unknown"));
        assert_eq!(out.batch.input_tokens[0].num(), None);
        assert_eq!(out.batch.output_tokens[0].num(), None);
    }

    #[test]
    fn malformed_records_are_reported_and_the_rest_load() {
        let good = record();
        let mut bad_time = record();
        bad_time["timestamp"] = json!("redacted");
        let mut no_op = record();
        no_op.as_object_mut().unwrap().remove("operation");
        let mut bad_type = record();
        bad_type["modelId"] = json!({"not":"a string"});
        let text = format!(
            "{good}\n{bad_time}\n{{\"schemaType\":\"ModelInvocationLog\",\"timestamp\n{no_op}\n{bad_type}\n"
        );
        let out = run(&text);
        assert_eq!(out.batch.len(), 1);
        let origins: Vec<&str> = out.errors.iter().map(|e| e.origin.as_str()).collect();
        assert_eq!(
            origins,
            ["t.jsonl:2", "t.jsonl:3", "t.jsonl:4", "t.jsonl:5"]
        );
        assert!(
            out.errors[0].message.contains("\"redacted\""),
            "{:?}",
            out.errors[0]
        );
        assert!(out.errors[2].message.contains("no operation"));
    }

    #[test]
    fn sniffing_is_specific() {
        let cloudtrail = json!({"eventVersion":"1.08","eventTime":"2024-10-17T20:11:24Z",
            "eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel","awsRegion":"us-east-1",
            "requestID":"r1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"},
            "requestParameters":{"modelId":"anthropic.claude-3-sonnet-20240229-v1:0"}});
        assert!(!Bedrock.sniff(&Probe::new("f", &line(&cloudtrail))));
        assert!(!Bedrock.sniff(&Probe::new(
            "f",
            &json!({"Records":[cloudtrail]}).to_string()
        )));
        assert!(!Bedrock.sniff(&Probe::new("f", "plain text\n")));
        // Without schemaType, the combination of fields still says Bedrock.
        let mut ev = record();
        ev.as_object_mut().unwrap().remove("schemaType");
        assert!(Bedrock.sniff(&Probe::new("f", &line(&ev))));
        // And CloudTrail does not take Bedrock records.
        assert!(!crate::ingest::formats::cloudtrail::CloudTrail
            .sniff(&Probe::new("f", &line(&record()))));
    }

    /// End to end through the loader (needs `Bedrock` in `formats::registry()`).
    #[test]
    fn loads_through_the_registry() {
        let origin =
            "AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2025/01/09/18/x.json.gz";
        let s = load_bytes(
            origin,
            line(&record()).into_bytes(),
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        assert_eq!(s.files[0].format, "bedrock");
        let r = FrameReader::new(&s.frame).unwrap();
        assert_eq!(
            r.display(Col::Time, 0).as_deref(),
            Some("2025-01-09T18:49:23Z")
        );
        assert_eq!(r.display(Col::InputTokens, 0).as_deref(), Some("3263"));
        assert_eq!(r.display(Col::OutputTokens, 0).as_deref(), Some("300"));
        assert_eq!(r.display(Col::EventId, 0), None);
    }
}

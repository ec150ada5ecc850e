//! Reading values that several formats log the same way.

use serde_json::value::RawValue;
use serde_json::Value;

use crate::util::sanitize::truncate;
use crate::util::time::{epoch_f64, epoch_number, parse_any, Nanos};

/// The time in the field `name`, given as any text timestamp `parse_any` reads or as Unix time in a JSON number
/// (seconds, milliseconds, microseconds or nanoseconds, by magnitude; fractional seconds too). A value that is
/// present but not a time is an error naming the field and (shortened) what it held.
pub fn time_value(name: &str, raw: &RawValue) -> Result<Nanos, String> {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::String(s)) => {
            parse_any(&s).ok_or_else(|| format!("{name} {:?} is not a timestamp", truncate(&s, 60)))
        }
        Ok(Value::Number(n)) => n
            .as_i64()
            .and_then(epoch_number)
            .or_else(|| n.as_f64().and_then(epoch_f64))
            .ok_or_else(|| format!("{name} {n} is not a timestamp")),
        Ok(Value::Null) => Err(format!("{name} is null")),
        _ => Err(format!(
            "{name} {} is not a timestamp",
            truncate(raw.get(), 60)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(json: &str) -> Result<Nanos, String> {
        let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
        time_value("eventTime", &raw)
    }

    #[test]
    fn text_and_epoch_numbers() {
        let t = 1_759_630_387_000_000_000; // 2025-10-05T02:13:07Z
        assert_eq!(time("\"2025-10-05T02:13:07Z\""), Ok(t));
        assert_eq!(time("\"1759630387\""), Ok(t));
        assert_eq!(time("1759630387"), Ok(t));
        assert_eq!(time("1759630387000"), Ok(t), "milliseconds");
        assert_eq!(
            time("1759630387.5"),
            Ok(t + 500_000_000),
            "fractional seconds"
        );
        assert_eq!(
            time("\"2025-10-05T02:13:07\\u005a\""),
            Ok(t),
            "escaped text"
        );
    }

    #[test]
    fn errors_name_the_field_and_the_value() {
        assert_eq!(
            time("\"redacted\""),
            Err("eventTime \"redacted\" is not a timestamp".into())
        );
        assert_eq!(time("null"), Err("eventTime is null".into()));
        assert_eq!(
            time("{\"a\":1}"),
            Err("eventTime {\"a\":1} is not a timestamp".into())
        );
        assert_eq!(
            time("1e300"),
            Err("eventTime 1e+300 is not a timestamp".into())
        );
        let long = format!("\"{}\"", "x".repeat(200));
        let e = time(&long).unwrap_err();
        assert!(e.len() < 100 && e.contains('…'), "{e}");
    }
}

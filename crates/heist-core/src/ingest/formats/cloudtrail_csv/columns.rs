//! What each column of a CloudTrail CSV feeds in the rebuilt record, from the header: the console's titles, or
//! CloudTrail's own names in any case, possibly dotted (`userIdentity.arn`).

use crate::ingest::formats::reexport::ctrecord;

/// Where a column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// Not a CloudTrail field (a spreadsheet's index, a SIEM's own column).
    Ignore,
    /// The whole record as JSON (the console's `CloudTrail event`).
    Whole,
    /// Text at a dotted path of the record.
    Text(String),
    /// A value at a dotted path: nested values parsed, else text.
    Value(String),
    /// The console's `Resources` list.
    ConsoleResources,
    ResourceType,
    ResourceName,
}

/// How a header reads.
#[derive(Debug)]
pub struct Layout {
    pub columns: Vec<Column>,
    /// The column holding the whole record, when there is one.
    pub whole: Option<usize>,
}

/// The console's column titles.
fn console(title: &str) -> Option<Column> {
    let t = title.trim().to_ascii_lowercase();
    let text = |p: &str| Some(Column::Text(p.to_string()));
    match t.as_str() {
        "event id" => text("eventID"),
        "event time" => text("eventTime"),
        "user name" => text("userIdentity.userName"),
        "event name" => text("eventName"),
        "event source" => text("eventSource"),
        "aws access key" => text("userIdentity.accessKeyId"),
        "aws region" => text("awsRegion"),
        "error code" => text("errorCode"),
        "source ip address" => text("sourceIPAddress"),
        "read-only" => text("readOnly"),
        "resources" => Some(Column::ConsoleResources),
        "resource type" => Some(Column::ResourceType),
        "resource name" => Some(Column::ResourceName),
        "cloudtrail event" => Some(Column::Whole),
        _ => None,
    }
}

/// CloudTrail's names, in any case, dotted for nested fields (a top-level name CloudTrail has, then its fields: the
/// free-form ones, such as `requestParameters.bucketName`, as written); text columns stay text.
fn table(name: &str) -> Option<Column> {
    let mut parts = name.trim().split('.');
    let first = ctrecord::canonical(parts.next()?)?;
    let rest: Vec<&str> = parts.map(|p| ctrecord::canonical(p).unwrap_or(p)).collect();
    if rest.iter().any(|p| p.is_empty()) {
        return None;
    }
    let nested = !rest.is_empty();
    let path = std::iter::once(first)
        .chain(rest)
        .collect::<Vec<_>>()
        .join(".");
    let text = nested
        || matches!(
            first,
            "eventTime"
                | "eventName"
                | "eventSource"
                | "awsRegion"
                | "sourceIPAddress"
                | "userAgent"
                | "errorCode"
                | "errorMessage"
                | "requestID"
                | "eventID"
                | "eventVersion"
                | "eventType"
                | "recipientAccountId"
        );
    Some(if text {
        Column::Text(path)
    } else {
        Column::Value(path)
    })
}

/// The layout of a header, or `None` when it is not a CloudTrail CSV.
pub fn layout(header: &[String]) -> Option<Layout> {
    // Log Analytics (Sentinel) tables name CloudTrail's fields too, but are rows of their own table.
    if header.iter().any(|h| h.trim().starts_with("TimeGenerated")) {
        return None;
    }
    let consoled: Vec<Option<Column>> = header.iter().map(|h| console(h)).collect();
    let has = |cols: &[Option<Column>], want: &Column| cols.iter().flatten().any(|c| c == want);
    let t = |p: &str| Column::Text(p.to_string());
    if has(&consoled, &Column::Whole)
        || (has(&consoled, &t("eventTime")) && has(&consoled, &t("eventName")))
    {
        return Some(finish(consoled));
    }
    let tabled: Vec<Option<Column>> = header.iter().map(|h| table(h)).collect();
    let named = |p: &str| {
        tabled.iter().flatten().any(|c| match c {
            Column::Text(x) | Column::Value(x) => x == p || x.starts_with(&format!("{p}.")),
            _ => false,
        })
    };
    (named("eventTime")
        && named("eventName")
        && (named("eventSource") || named("userIdentity") || named("awsRegion")))
    .then(|| finish(tabled))
}

fn finish(cols: Vec<Option<Column>>) -> Layout {
    let columns: Vec<Column> = cols
        .into_iter()
        .map(|c| c.unwrap_or(Column::Ignore))
        .collect();
    let whole = columns.iter().position(|c| *c == Column::Whole);
    Layout { columns, whole }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(h: &[&str]) -> Option<Layout> {
        let v: Vec<String> = h.iter().map(|s| s.to_string()).collect();
        layout(&v)
    }

    #[test]
    fn headers_of_each_layout() {
        let c = cols(&[
            "Event ID",
            "Event time",
            "User name",
            "Event name",
            "Resources",
            "CloudTrail event",
        ])
        .unwrap();
        assert_eq!(c.whole, Some(5));
        assert_eq!(c.columns[2], Column::Text("userIdentity.userName".into()));
        let a = cols(&[
            "eventversion",
            "useridentity",
            "eventtime",
            "eventsource",
            "eventname",
            "requestparameters",
            "resources",
            "x",
        ])
        .unwrap();
        assert_eq!(a.columns[1], Column::Value("userIdentity".into()));
        assert_eq!(a.columns[2], Column::Text("eventTime".into()));
        assert_eq!(a.columns[5], Column::Value("requestParameters".into()));
        assert_eq!(a.columns[7], Column::Ignore);
        let f = cols(&[
            "",
            "eventTime",
            "eventName",
            "userIdentity.arn",
            "userIdentity.sessionContext.sessionIssuer.arn",
        ])
        .unwrap();
        assert_eq!(f.columns[0], Column::Ignore);
        assert_eq!(f.columns[3], Column::Text("userIdentity.arn".into()));
        // Not CloudTrail: a Splunk export, a Purview audit CSV, a CSV with only a time.
        assert!(cols(&["_time", "_raw", "host"]).is_none());
        assert!(cols(&["CreationDate", "UserIds", "Operations", "AuditData"]).is_none());
        assert!(cols(&["eventTime", "value"]).is_none());
        assert!(cols(&[
            "TimeGenerated [UTC]",
            "EventTime",
            "EventName",
            "EventSource",
            "AWSRegion"
        ])
        .is_none());
    }
}

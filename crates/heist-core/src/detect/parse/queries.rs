//! The query fields of a rule file: a query, a list of queries, or a table with conditions on the raw record;
//! and `shared_ip`, which names a query of its own.
//!
//! ```toml
//! query = "action:StopLogging"
//! query = ["action:StopLogging", "action:DeleteTrail"]
//! query = [
//!   "action:StopLogging,DeleteTrail",
//!   { where = "action:PutEventSelectors", raw = "requestParameters.eventSelectors[].includeManagementEvents:false" },
//! ]
//! shared_ip = { with = "token_kind:long_term", within = "24h" }
//! ```

use toml::Value;

use crate::detect::duration;
use crate::detect::raw::RawFilter;
use crate::detect::rule::{Queries, RuleQuery, SharedIp};

const SHAPE: &str =
    "expected a query, a table { where = \"query\", raw = \"conditions\" }, or a list of them";

/// A query field's value.
pub(super) fn parse(v: Value) -> Result<Queries, String> {
    let items = match v {
        Value::Array(a) => a,
        one => vec![one],
    };
    if items.is_empty() {
        return Err("needs at least one query".into());
    }
    items
        .into_iter()
        .map(one)
        .collect::<Result<Vec<_>, _>>()
        .map(Queries)
}

fn one(v: Value) -> Result<RuleQuery, String> {
    match v {
        Value::String(s) => Ok(RuleQuery::new(s.clone(), query(&s)?)),
        Value::Table(mut t) => {
            let text = match t.remove("where") {
                Some(Value::String(s)) => s,
                Some(_) => return Err("`where` must be a query string".into()),
                None => return Err("a query table needs `where = \"query\"`".into()),
            };
            let raw = match t.remove("raw") {
                None => None,
                Some(Value::String(s)) => Some(vec![s]),
                Some(Value::Array(a)) => Some(
                    a.into_iter()
                        .map(|x| match x {
                            Value::String(s) => Ok(s),
                            _ => {
                                Err("`raw` must be a condition or a list of conditions".to_string())
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                Some(_) => return Err("`raw` must be a condition or a list of conditions".into()),
            };
            let keep_unread = match t.remove("unread") {
                None => false,
                Some(Value::String(s)) if s == "keep" => true,
                Some(Value::String(s)) if s == "drop" => false,
                Some(_) => return Err("`unread` must be \"keep\" or \"drop\"".into()),
            };
            if let Some(k) = t.keys().next() {
                return Err(format!(
                    "unknown key {k:?} in a query table; it takes where, raw and unread"
                ));
            }
            let raw = match raw {
                None if keep_unread => return Err("`unread` needs `raw` conditions".into()),
                None => None,
                Some(texts) => {
                    let mut f = RawFilter::parse(&texts).map_err(|e| e.to_string())?;
                    f.keep_unread = keep_unread;
                    Some(f)
                }
            };
            Ok(RuleQuery {
                query: query(&text)?,
                text,
                raw,
            })
        }
        _ => Err(SHAPE.into()),
    }
}

/// A rule's query, `@training_data` standing for `training` (see [`crate::detect::training`]).
pub(crate) fn query_with(text: &str, training: &str) -> Result<crate::query::Query, String> {
    let q = crate::query::parse(&crate::detect::training::expand(text, training))
        .map_err(|e| e.to_string())?;
    if q.terms.is_empty() {
        return Err("an empty query would match every event".into());
    }
    if q.has_raw() {
        return Err(
            "a rule's query cannot search raw text (`raw:` / `~`): test the record with `raw = [\"path:value\"]`"
                .into(),
        );
    }
    Ok(q)
}

fn query(text: &str) -> Result<crate::query::Query, String> {
    query_with(text, crate::detect::training::DEFAULT)
}

/// `shared_ip = { with = QUERY, within = DURATION }`; `within` defaults to the whole bundle.
pub(super) fn shared_ip(v: Value) -> Result<SharedIp, String> {
    let Value::Table(mut t) = v else {
        return Err("expected a table { with = \"query\", within = \"24h\" }".into());
    };
    let with = parse(
        t.remove("with")
            .ok_or("missing `with`: the query of the events the address must also serve")?,
    )?;
    let within = match t.remove("within") {
        None => i64::MAX,
        Some(Value::String(s)) => match duration::parse(&s) {
            Some(d) if d > 0 => d,
            _ => return Err(format!("within: {s:?} is not a duration like \"24h\"")),
        },
        Some(_) => return Err("within: expected a duration like \"24h\"".into()),
    };
    if let Some(k) = t.keys().next() {
        return Err(format!("unknown key {k:?}; it takes with and within"));
    }
    Ok(SharedIp { with, within })
}

//! Rule files (TOML) to checked rules. Every field is read by hand so that an unknown field, a missing one, or a
//! value of the wrong shape is an error naming the file, the rule and the field:
//! `assets/rules/exfil.toml: rule "bulk-model-download": field "window": expected a duration like "60m"`.

use std::collections::BTreeMap;

use thiserror::Error;
use toml::{Table, Value};

use super::duration;
use super::rule::*;
use super::Severity;
use crate::frame::schema::Kind;
use crate::frame::Col;
use crate::query::parse::FIELDS;

/// A rule file that cannot be used.
#[derive(Debug, Error)]
pub enum RuleError {
    /// Not TOML, or not the shape of a rule file.
    #[error("{file}: {message}")]
    File { file: String, message: String },
    /// One field of one rule.
    #[error("{file}: rule {rule}: field \"{field}\": {message}")]
    Field {
        file: String,
        /// `"bulk-model-download"`, or `#3` when the rule has no usable id.
        rule: String,
        field: String,
        message: String,
    },
    #[error("rule \"{id}\" is defined twice: in {first} and in {second} (set `override = true` to replace it)")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error("{file}: rule \"{id}\": `override = true` but no loaded rule has this id")]
    OverridesNothing { file: String, id: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

const COMMON: &[&str] = &[
    "id",
    "title",
    "severity",
    "techniques",
    "description",
    "kind",
    "enabled",
    "override",
];

/// Fields each kind takes beyond the common ones.
fn kind_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "match" => &["query", "group", "merge", "differ", "shared_ip"],
        "threshold" => &[
            "query",
            "group",
            "measure",
            "window",
            "above",
            "above_baseline",
            "min_baseline",
            "above_peak",
            "min_history",
            "unless_usual",
        ],
        "first_seen" => &[
            "query",
            "entity",
            "attribute",
            "baseline",
            "history",
            "settle",
            "max_known",
            "depth",
            "unless_usual",
            "unless_signed_in",
        ],
        "sequence" => &["first", "then", "by", "within"],
        "after_end" => &["of", "grace"],
        _ => return None,
    })
}

pub const KINDS: &str = "match, threshold, first_seen, sequence or after_end";

/// Reads one `[[rule]]` table, taking each field once.
struct Fields<'a> {
    file: &'a str,
    rule: String,
    table: BTreeMap<String, Value>,
}

impl Fields<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> RuleError {
        RuleError::Field {
            file: self.file.to_string(),
            rule: self.rule.clone(),
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn take(&mut self, field: &str) -> Option<Value> {
        self.table.remove(field)
    }

    fn opt_str(&mut self, field: &str) -> Result<Option<String>, RuleError> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.err(field, format!("expected a string, not {}", v.type_str()))),
        }
    }

    fn str(&mut self, field: &str) -> Result<String, RuleError> {
        let s = self
            .opt_str(field)?
            .ok_or_else(|| self.err(field, "missing"))?;
        if s.trim().is_empty() {
            return Err(self.err(field, "must not be empty"));
        }
        Ok(s)
    }

    fn opt_bool(&mut self, field: &str) -> Result<Option<bool>, RuleError> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(b)),
            Some(v) => Err(self.err(
                field,
                format!("expected true or false, not {}", v.type_str()),
            )),
        }
    }

    fn opt_number(&mut self, field: &str) -> Result<Option<f64>, RuleError> {
        let n = match self.take(field) {
            None => return Ok(None),
            Some(Value::Integer(i)) => i as f64,
            Some(Value::Float(f)) => f,
            Some(v) => {
                return Err(self.err(field, format!("expected a number, not {}", v.type_str())))
            }
        };
        if !n.is_finite() || n < 0.0 {
            return Err(self.err(field, format!("expected a number >= 0, not {n}")));
        }
        Ok(Some(n))
    }

    fn opt_duration(&mut self, field: &str) -> Result<Option<i64>, RuleError> {
        let bad = |f: &Self| f.err(field, "expected a duration like \"60m\" (units s, m, h, d)");
        match self.take(field) {
            None => Ok(None),
            Some(Value::String(s)) => duration::parse(&s).map(Some).ok_or_else(|| bad(&*self)),
            Some(_) => Err(bad(&*self)),
        }
    }

    fn duration(&mut self, field: &str) -> Result<i64, RuleError> {
        let d = self
            .opt_duration(field)?
            .ok_or_else(|| self.err(field, "missing"))?;
        if d <= 0 {
            return Err(self.err(field, "must be longer than 0s"));
        }
        Ok(d)
    }

    fn str_list(&mut self, field: &str) -> Result<Option<Vec<String>>, RuleError> {
        let expected = "expected a list of strings";
        match self.take(field) {
            None => Ok(None),
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(self.err(field, expected)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.err(field, expected)),
        }
    }

    /// A query, or a list of queries (any of which may match); each must parse. A query may also be a table with
    /// conditions on the raw record: `{ where = "...", raw = "..." }` (see `queries`).
    fn queries(&mut self, field: &str) -> Result<Queries, RuleError> {
        self.opt_queries(field)?
            .ok_or_else(|| self.err(field, "missing"))
    }

    fn opt_queries(&mut self, field: &str) -> Result<Option<Queries>, RuleError> {
        match self.take(field) {
            None => Ok(None),
            Some(v) => queries::parse(v).map(Some).map_err(|m| self.err(field, m)),
        }
    }

    fn choice<T>(
        &mut self,
        field: &str,
        default: Option<T>,
        parse: impl Fn(&str) -> Option<T>,
        names: &str,
    ) -> Result<T, RuleError> {
        match self.opt_str(field)? {
            None => default.ok_or_else(|| self.err(field, format!("missing: one of {names}"))),
            Some(s) => parse(&s).ok_or_else(|| self.err(field, format!("{s:?}: expected {names}"))),
        }
    }
}

fn column(name: &str) -> Option<Col> {
    FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .or_else(|| Col::from_name(name))
}

fn diff_field(name: &str) -> Option<DiffField> {
    if name == "identity_account" {
        return Some(DiffField::IdentityAccount);
    }
    let cat = |n: &str| column(n).filter(|c| c.kind() == Kind::Cat);
    if let Some(c) = cat(name) {
        return Some(DiffField::Col(c));
    }
    name.strip_suffix("_name")
        .and_then(cat)
        .map(DiffField::Name)
}

fn measure(s: &str) -> Result<Measure, String> {
    let s = s.trim();
    if s == "count" {
        return Ok(Measure::Count);
    }
    let inner = |prefix: &str| {
        s.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
    };
    if let Some(c) = inner("distinct") {
        return match column(c) {
            Some(col) if col.kind() == Kind::Cat => Ok(Measure::Distinct(col)),
            _ => Err(format!(
                "distinct({c}): name a dictionary-coded column such as asset, ip, action or identity"
            )),
        };
    }
    if let Some(c) = inner("sum") {
        return match c {
            "bytes" => Ok(Measure::Sum(SumOf::Bytes)),
            "input_tokens" => Ok(Measure::Sum(SumOf::InputTokens)),
            "output_tokens" => Ok(Measure::Sum(SumOf::OutputTokens)),
            "tokens" => Ok(Measure::Sum(SumOf::Tokens)),
            _ => Err(format!(
                "sum({c}): expected sum(bytes), sum(input_tokens), sum(output_tokens) or sum(tokens)"
            )),
        };
    }
    Err(format!(
        "{s:?}: expected count, distinct(<column>) or sum(bytes | input_tokens | output_tokens | tokens)"
    ))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// `T1530`, `T1078.004`, `AML.T0024`, `AML.T0024.002`.
pub fn valid_technique(t: &str) -> bool {
    let rest = t.strip_prefix("AML.").unwrap_or(t);
    let Some(num) = rest.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = match num.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (num, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(main, 4) && sub.is_none_or(|s| digits(s, 3))
}

/// Parse one rule file's text. `file` names it in errors.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let file_err = |message: String| RuleError::File {
        file: file.to_string(),
        message,
    };
    let table: Table =
        toml::from_str(text).map_err(|e| file_err(e.to_string().trim_end().to_string()))?;
    let mut out = Vec::new();
    for (key, value) in table {
        if key != "rule" {
            return Err(file_err(format!(
                "unknown top-level key {key:?}: a rule file holds [[rule]] tables only"
            )));
        }
        let Value::Array(rules) = value else {
            return Err(file_err(
                "`rule` must be an array of tables: write [[rule]]".into(),
            ));
        };
        for (i, r) in rules.into_iter().enumerate() {
            let Value::Table(t) = r else {
                return Err(file_err(format!(
                    "rule #{}: expected a [[rule]] table",
                    i + 1
                )));
            };
            out.push(parse_rule(file, i, t)?);
        }
    }
    Ok(out)
}

fn parse_rule(file: &str, index: usize, t: Table) -> Result<Rule, RuleError> {
    let label = match t.get("id") {
        Some(Value::String(s)) if !s.is_empty() => format!("{s:?}"),
        _ => format!("#{}", index + 1),
    };
    let mut f = Fields {
        file,
        rule: label,
        table: t.into_iter().collect(),
    };
    let id = f.str("id")?;
    if !valid_id(&id) {
        return Err(f.err(
            "id",
            format!("{id:?}: use lower-case letters, digits and -"),
        ));
    }
    let kind_name = f.str("kind")?;
    let Some(extra) = kind_fields(&kind_name) else {
        return Err(f.err("kind", format!("{kind_name:?}: expected {KINDS}")));
    };
    // Unknown fields first, so a typo is reported as such and not as a missing field.
    let unknown: Vec<String> = f
        .table
        .keys()
        .filter(|k| !COMMON.contains(&k.as_str()) && !extra.contains(&k.as_str()))
        .cloned()
        .collect();
    if let Some(k) = unknown.first() {
        let belongs = ["match", "threshold", "first_seen", "sequence", "after_end"]
            .into_iter()
            .find(|kind| kind_fields(kind).is_some_and(|fs| fs.contains(&k.as_str())));
        let msg = match belongs {
            Some(other) => {
                format!("does not apply to kind {kind_name:?} (it is a field of {other:?} rules)")
            }
            None => format!(
                "unknown field; kind {kind_name:?} takes {}",
                COMMON
                    .iter()
                    .chain(extra)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(f.err(k, msg));
    }
    let title = f.str("title")?;
    let severity_text = f.str("severity")?;
    let severity: Severity = severity_text
        .parse()
        .map_err(|e: String| f.err("severity", e))?;
    let techniques = f.str_list("techniques")?.ok_or_else(|| {
        f.err(
            "techniques",
            "missing: list the ATT&CK / ATLAS ids, e.g. [\"T1530\", \"AML.T0035\"]",
        )
    })?;
    if techniques.is_empty() {
        return Err(f.err("techniques", "needs at least one ATT&CK or ATLAS id"));
    }
    if let Some(bad) = techniques.iter().find(|t| !valid_technique(t)) {
        return Err(f.err(
            "techniques",
            format!("{bad:?} is not a technique id (T1234, T1234.001, AML.T0024, AML.T0024.002)"),
        ));
    }
    let description = f.str("description")?;
    let enabled = f.opt_bool("enabled")?.unwrap_or(true);
    let overrides = f.opt_bool("override")?.unwrap_or(false);
    let kind = match kind_name.as_str() {
        "match" => parse_match(&mut f)?,
        "threshold" => parse_threshold(&mut f)?,
        "first_seen" => parse_first_seen(&mut f)?,
        "sequence" => parse_sequence(&mut f)?,
        _ => parse_after_end(&mut f)?,
    };
    Ok(Rule {
        id,
        title,
        severity,
        techniques,
        description,
        kind,
        enabled,
        overrides,
        file: file.to_string(),
        references: Vec::new(),
        falsepositives: Vec::new(),
    })
}

fn parse_match(f: &mut Fields<'_>) -> Result<RuleKind, RuleError> {
    let query = f.queries("query")?;
    let group = f.choice("group", Some(Group::Principal), Group::parse, Group::NAMES)?;
    let merge = f.opt_duration("merge")?.unwrap_or(duration::HOUR);
    let differ = match f.str_list("differ")? {
        None => None,
        Some(v) if v.len() == 2 => {
            let a = diff_field(&v[0]);
            let b = diff_field(&v[1]);
            match (a, b) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => {
                    let bad = if a.is_none() { &v[0] } else { &v[1] };
                    return Err(f.err(
                        "differ",
                        format!("{bad:?} is not a dictionary-coded text column (identity, asset, minted_identity, account, ...), identity_account, or such a column with _name (identity_name)"),
                    ));
                }
            }
        }
        Some(_) => {
            return Err(f.err(
                "differ",
                "expected two column names, e.g. [\"identity\", \"minted_identity\"]",
            ))
        }
    };
    let shared_ip = match f.take("shared_ip") {
        None => None,
        Some(v) => Some(queries::shared_ip(v).map_err(|m| f.err("shared_ip", m))?),
    };
    Ok(RuleKind::Match(MatchRule {
        query,
        group,
        merge,
        differ,
        shared_ip,
    }))
}

fn parse_threshold(f: &mut Fields<'_>) -> Result<RuleKind, RuleError> {
    let query = f.queries("query")?;
    let group = f.choice("group", None, Group::parse, Group::NAMES)?;
    let measure = match f.opt_str("measure")? {
        None => Measure::Count,
        Some(s) => measure(&s).map_err(|e| f.err("measure", e))?,
    };
    let window = f.duration("window")?;
    let above = f.opt_number("above")?;
    let above_baseline = f.opt_number("above_baseline")?;
    let min_baseline = f.opt_number("min_baseline")?.unwrap_or(1.0);
    if above.is_none() && above_baseline.is_none() {
        return Err(f.err(
            "above",
            "missing: give `above = N`, `above_baseline = k`, or both",
        ));
    }
    if min_baseline <= 0.0 {
        return Err(f.err(
            "min_baseline",
            "must be above 0 (it keeps a group with no history from dividing by zero)",
        ));
    }
    let above_peak = f.opt_number("above_peak")?.unwrap_or(2.0);
    if above_peak < 0.0 {
        return Err(f.err("above_peak", "must be 0 (off) or more"));
    }
    // A nightly job runs a little earlier or later each night: most of a day is a day of history.
    let min_history = f
        .opt_duration("min_history")?
        .unwrap_or(20 * duration::HOUR);
    let unless_usual = whole(f, "unless_usual")?;
    Ok(RuleKind::Threshold(ThresholdRule {
        query,
        group,
        measure,
        window,
        above,
        above_baseline,
        min_baseline,
        above_peak,
        min_history,
        unless_usual,
    }))
}

fn parse_first_seen(f: &mut Fields<'_>) -> Result<RuleKind, RuleError> {
    let query = f.queries("query")?;
    let entity = f.choice("entity", None, Scope::parse, Scope::NAMES)?;
    let attribute = f.choice("attribute", None, Attribute::parse, Attribute::NAMES)?;
    let baseline = f.duration("baseline")?;
    let history = f.choice(
        "history",
        Some(History::All),
        |s| match s {
            "all" => Some(History::All),
            "query" => Some(History::Query),
            _ => None,
        },
        "all or query",
    )?;
    let settle = f.opt_duration("settle")?.unwrap_or(0);
    let max_known = match f.opt_number("max_known")? {
        None => None,
        Some(n) if n >= 1.0 && n.fract() == 0.0 => Some(n as usize),
        Some(n) => {
            return Err(f.err(
                "max_known",
                format!("{n}: expected a whole number of at least 1"),
            ))
        }
    };
    let depth = match f.opt_number("depth")? {
        None => 1,
        Some(d) if d >= 1.0 && d.fract() == 0.0 && d <= 32.0 => d as usize,
        Some(d) => {
            return Err(f.err(
                "depth",
                format!("{d}: expected a whole number of path segments, 1 to 32"),
            ))
        }
    };
    let unless_usual = match f.opt_number("unless_usual")? {
        None => 0,
        Some(n) if n >= 0.0 && n.fract() == 0.0 => n as usize,
        Some(_) => {
            return Err(f.err(
                "unless_usual",
                "must be a whole number of identities (0: off)",
            ))
        }
    };
    Ok(RuleKind::FirstSeen(FirstSeenRule {
        query,
        entity,
        attribute,
        baseline,
        history,
        settle,
        max_known,
        depth,
        unless_usual,
        unless_signed_in: f.opt_queries("unless_signed_in")?,
    }))
}

/// A whole number of identities (`unless_usual`), 0 when absent.
fn whole(f: &mut Fields<'_>, field: &str) -> Result<usize, RuleError> {
    match f.opt_number(field)? {
        None => Ok(0),
        Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
        Some(_) => Err(f.err(field, "must be a whole number of identities (0: off)")),
    }
}

fn parse_sequence(f: &mut Fields<'_>) -> Result<RuleKind, RuleError> {
    let first = f.queries("first")?;
    let then = f.queries("then")?;
    let by = f.choice(
        "by",
        None,
        |s| match s {
            "minted" => Some(Group::Minted),
            s => Group::parse(s),
        },
        Group::SEQUENCE_NAMES,
    )?;
    let within = f.duration("within")?;
    Ok(RuleKind::Sequence(SequenceRule {
        first,
        then,
        by,
        within,
    }))
}

fn parse_after_end(f: &mut Fields<'_>) -> Result<RuleKind, RuleError> {
    let of = f.choice(
        "of",
        None,
        |s| match s {
            "revocation" => Some(EndOf::Revocation),
            "revoked_parent" => Some(EndOf::RevokedParent),
            "end_date" => Some(EndOf::EndDate),
            _ => None,
        },
        "revocation, revoked_parent or end_date",
    )?;
    let grace = f.opt_duration("grace")?.unwrap_or(0);
    Ok(RuleKind::AfterEnd(AfterEndRule { of, grace }))
}

mod queries;
pub(crate) use queries::query_with;
#[cfg(test)]
mod tests;

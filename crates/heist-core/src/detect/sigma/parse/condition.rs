//! A rule's `condition`: the boolean grammar over search identifiers, `1 of` / `all of` selectors, and the
//! legacy aggregation after a `|` (`| count(field) by a, b > N`).
//!
//! Precedence, least to most binding (the specification's): `or`, `and`, `not`, `x of`, parentheses.
//! Identifiers are resolved when the condition is read: an unknown name, or a pattern matching no search,
//! is an invalid rule.

use super::{invalid, unsupported, SigmaError};

/// A comparison of an aggregation or correlation condition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmp {
    /// `>`, `gt`.
    Gt,
    /// `>=`, `gte`.
    Gte,
    /// `<`, `lt`.
    Lt,
    /// `<=`, `lte`.
    Lte,
    /// `=` or `==`, `eq`.
    Eq,
}

impl Cmp {
    /// Whether `left <op> right` holds (`Gt`: `left > right`).
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Gt => left > right,
            Cmp::Gte => left >= right,
            Cmp::Lt => left < right,
            Cmp::Lte => left <= right,
            Cmp::Eq => left == right,
        }
    }

    /// The modifier / correlation name: `gt`, `gte`, `lt`, `lte`, `eq`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cmp::Gt => "gt",
            Cmp::Gte => "gte",
            Cmp::Lt => "lt",
            Cmp::Lte => "lte",
            Cmp::Eq => "eq",
        }
    }
}

/// `| count(field) by a, b > N`: the legacy aggregation of a rule's condition. Only `count` is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    /// The counted field (`count(field)`: distinct values of it); `None` for `count()` (matching records).
    pub field: Option<String>,
    /// The group-by fields, as written.
    pub by: Vec<String>,
    /// The comparison of the count with `value`.
    pub op: Cmp,
    /// The threshold.
    pub value: f64,
}

/// A condition tree over the rule's searches (by index).
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Search(usize),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    /// The condition's value, `search(i)` giving each search's.
    pub(crate) fn eval<F: Fn(usize) -> bool>(&self, search: &F) -> bool {
        match self {
            Cond::Search(i) => search(*i),
            Cond::Not(c) => !c.eval(search),
            Cond::And(cs) => cs.iter().all(|c| c.eval(search)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(search)),
        }
    }
}

/// How deep parentheses and `not`s may nest.
const MAX_DEPTH: usize = 128;

/// One condition string over the searches named `names`: its tree and its aggregation, if any.
pub(crate) fn parse(
    text: &str,
    names: &[String],
) -> Result<(Cond, Option<Aggregation>), SigmaError> {
    let (expr, agg) = match text.split_once('|') {
        Some((e, a)) => (e, Some(parse_aggregation(a)?)),
        None => (text, None),
    };
    let mut p = Parser {
        toks: tokens(expr),
        at: 0,
        names,
        depth: 0,
    };
    if p.toks.is_empty() {
        return Err(invalid("empty condition"));
    }
    let cond = p.or()?;
    if let Some(t) = p.toks.get(p.at) {
        return Err(invalid(format!(
            "condition `{}`: unexpected `{}`",
            text.trim(),
            t
        )));
    }
    Ok((cond, agg))
}

/// The condition's tokens: `(`, `)` and words.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

struct Parser<'a> {
    toks: Vec<String>,
    at: usize,
    names: &'a [String],
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.at).map(String::as_str)
    }

    fn peek_is(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.eq_ignore_ascii_case(kw))
    }

    fn next(&mut self) -> Option<String> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Cond, SigmaError> {
        let mut parts = vec![self.and()?];
        while self.peek_is("or") {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Cond, SigmaError> {
        let mut parts = vec![self.not()?];
        while self.peek_is("and") {
            self.at += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, SigmaError> {
        if self.peek_is("not") {
            self.at += 1;
            self.enter()?;
            let c = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(c)));
        }
        self.primary()
    }

    fn enter(&mut self) -> Result<(), SigmaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid("condition nested too deeply"));
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Cond, SigmaError> {
        let Some(tok) = self.next() else {
            return Err(invalid("condition ends where a search was expected"));
        };
        if tok == "(" {
            self.enter()?;
            let c = self.or()?;
            self.depth -= 1;
            return match self.next().as_deref() {
                Some(")") => Ok(c),
                _ => Err(invalid("condition: `(` without its `)`")),
            };
        }
        if self.peek_is("of") {
            self.at += 1;
            return self.selector(&tok);
        }
        let lower = tok.to_ascii_lowercase();
        if matches!(lower.as_str(), ")" | "and" | "or" | "not" | "of" | "them") {
            return Err(invalid(format!("condition: unexpected `{tok}`")));
        }
        match self.names.iter().position(|n| *n == tok) {
            Some(i) => Ok(Cond::Search(i)),
            None => Err(invalid(format!("condition names unknown search `{tok}`"))),
        }
    }

    /// `1 of X`, `any of X`, `all of X` (X a name pattern with `*`, or `them`).
    fn selector(&mut self, quant: &str) -> Result<Cond, SigmaError> {
        let all = match quant.to_ascii_lowercase().as_str() {
            "1" | "any" => false,
            "all" => true,
            q if q.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(unsupported(format!(
                    "condition `{q} of` (Sigma has `1 of` and `all of`)"
                )));
            }
            _ => {
                return Err(invalid(format!(
                    "condition: `{quant} of` is not a selector"
                )))
            }
        };
        let Some(pat) = self.next().filter(|t| t != "(" && t != ")") else {
            return Err(invalid(format!(
                "condition: `{quant} of` without a search pattern"
            )));
        };
        let hits: Vec<Cond> = if pat.eq_ignore_ascii_case("them") {
            (0..self.names.len())
                .filter(|&i| self.names.get(i).is_some_and(|n| !n.starts_with('_')))
                .map(Cond::Search)
                .collect()
        } else {
            (0..self.names.len())
                .filter(|&i| self.names.get(i).is_some_and(|n| name_glob(&pat, n)))
                .map(Cond::Search)
                .collect()
        };
        if hits.is_empty() {
            return Err(invalid(format!(
                "condition: `{quant} of {pat}` matches no search"
            )));
        }
        Ok(if all { Cond::And(hits) } else { Cond::Or(hits) })
    }
}

/// Whether search name `name` matches `pat`, whose `*` stand for any run of characters.
fn name_glob(pat: &str, name: &str) -> bool {
    let mut pieces = pat.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = rest.get(i + p.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The part after `|`: `count(field) by a, b > N`; `near ...` and other functions are unsupported.
fn parse_aggregation(text: &str) -> Result<Aggregation, SigmaError> {
    let s = text.trim();
    let name: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let lname = name.to_ascii_lowercase();
    let rest = s.get(name.len()..).unwrap_or_default().trim_start();
    match lname.as_str() {
        "count" => {}
        "near" => return Err(unsupported("aggregation `near`")),
        "min" | "max" | "avg" | "sum" => return Err(unsupported(format!("aggregation `{lname}`"))),
        _ => return Err(invalid(format!("aggregation `{s}`: unknown function"))),
    }
    let bad = |why: &str| invalid(format!("aggregation `{s}`: {why}"));
    let inner = rest
        .strip_prefix('(')
        .ok_or_else(|| bad("`(` expected after `count`"))?;
    let (field, rest) = inner.split_once(')').ok_or_else(|| bad("`)` expected"))?;
    let field = Some(field.trim())
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    let op_at = rest
        .find(['<', '>', '=', '!'])
        .ok_or_else(|| bad("no comparison (`> N`)"))?;
    let (group, cmp) = rest.split_at(op_at);
    let group = group.trim();
    let by: Vec<String> = if group.is_empty() {
        Vec::new()
    } else {
        let list = group
            .strip_prefix("by")
            .or_else(|| group.strip_prefix("BY"))
            .filter(|l| l.starts_with(char::is_whitespace))
            .ok_or_else(|| bad("`by` expected"))?;
        list.split([',', ' ', '\t'])
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (op, num) = if let Some(n) = cmp.strip_prefix(">=") {
        (Cmp::Gte, n)
    } else if let Some(n) = cmp.strip_prefix("<=") {
        (Cmp::Lte, n)
    } else if let Some(n) = cmp.strip_prefix("==") {
        (Cmp::Eq, n)
    } else if cmp.starts_with("!=") {
        return Err(unsupported("aggregation comparison `!=`"));
    } else if let Some(n) = cmp.strip_prefix('>') {
        (Cmp::Gt, n)
    } else if let Some(n) = cmp.strip_prefix('<') {
        (Cmp::Lt, n)
    } else if let Some(n) = cmp.strip_prefix('=') {
        (Cmp::Eq, n)
    } else {
        return Err(bad("unknown comparison"));
    };
    let value = num
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| bad("the threshold is not a number"))?;
    Ok(Aggregation {
        field,
        by,
        op,
        value,
    })
}

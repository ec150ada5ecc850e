//! Query text to terms, each with the byte span it came from so errors can point at it.

use std::fmt;

use ipnet::IpNet;
use regex::Regex;

use crate::frame::Col;
use crate::util::ip;
use crate::util::time::{parse_any, Nanos};

/// A field a term can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub col: Col,
}

/// The names the language accepts for each column (first is canonical).
pub const FIELDS: &[(&str, Col)] = &[
    ("identity", Col::Identity),
    ("token", Col::Token),
    ("asset", Col::Asset),
    ("action", Col::Action),
    ("source", Col::Source),
    ("provider", Col::Provider),
    ("service", Col::Service),
    ("ip", Col::SourceIp),
    ("ua", Col::UserAgent),
    ("outcome", Col::Outcome),
    ("error", Col::ErrorCode),
    ("account", Col::Account),
    ("region", Col::Region),
    ("kind", Col::AssetKind),
    ("id", Col::RequestId),
    ("event", Col::EventId),
    ("type", Col::IdentityType),
    ("token_kind", Col::TokenKind),
    ("issuer", Col::Issuer),
    ("caller", Col::Caller),
    ("minted", Col::MintedToken),
    ("revoked", Col::RevokedToken),
    ("auth", Col::AuthMethod),
    ("origin", Col::Origin),
    ("bytes", Col::Bytes),
    ("input_tokens", Col::InputTokens),
    ("output_tokens", Col::OutputTokens),
];

/// Columns a bare word searches.
pub const BARE_COLUMNS: &[Col] = &[
    Col::Identity,
    Col::Token,
    Col::Asset,
    Col::Action,
    Col::SourceIp,
    Col::UserAgent,
];

fn field_by_name(name: &str) -> Option<Col> {
    let lower = name.to_ascii_lowercase();
    FIELDS
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, c)| *c)
        .or_else(|| {
            // Column names themselves are accepted too (`source_ip`, `user_agent`, `error_code`, ...).
            Col::from_name(&lower).filter(|c| {
                !matches!(
                    c,
                    Col::Time | Col::RawOffset | Col::RawLen | Col::RecordHash | Col::Line
                )
            })
        })
}

/// One value pattern.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Case-insensitive equality.
    Exact(String),
    /// `*` / `?` wildcards, case-insensitive, compiled to a regex.
    Glob(String, Regex),
    /// As written (add `(?i)` for case-insensitive).
    Regex(Regex),
    /// IP network: matches addresses as logged inside it (see `util::ip`).
    Cidr(IpNet),
}

impl Pattern {
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Exact(v) => s.eq_ignore_ascii_case(v),
            Pattern::Glob(_, re) | Pattern::Regex(re) => re.is_match(s),
            Pattern::Cidr(net) => ip::net_contains(net, s),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

#[derive(Debug, Clone)]
pub enum TermKind {
    Field {
        col: Col,
        any_of: Vec<Pattern>,
    },
    Time {
        op: Cmp,
        at: Nanos,
    },
    Number {
        col: Col,
        op: Cmp,
        value: u64,
    },
    Bare(String),
    /// `raw:"text"` or `~text`: the text, case-insensitive, anywhere in the raw record as the file holds it (for
    /// values heist does not map: principal ids, request parameters). The frame cannot answer it: the records are
    /// read back from the bundle (see `query::raw`).
    Raw(String),
}

#[derive(Debug, Clone)]
pub struct Term {
    pub negated: bool,
    pub kind: TermKind,
    /// Byte range in the query text.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    /// Whether any term searches the raw records.
    pub fn has_raw(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.kind, TermKind::Raw(_)))
    }
}

/// A query that does not parse, pointing at the offending term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub query: String,
    pub span: (usize, usize),
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pad = self.query[..self.span.0].chars().count();
        let width = self.query[self.span.0..self.span.1].chars().count().max(1);
        writeln!(f, "{}", self.message)?;
        writeln!(f, "  {}", self.query)?;
        write!(f, "  {}{}", " ".repeat(pad), "^".repeat(width))
    }
}

impl std::error::Error for QueryError {}

/// Split into terms on whitespace outside double quotes. Returns (start, end) byte ranges.
fn split_terms(q: &str) -> Result<Vec<(usize, usize)>, (usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut in_quote = false;
    let mut quote_at = 0;
    for (i, c) in q.char_indices() {
        if c == '"' {
            if !in_quote {
                quote_at = i;
            }
            in_quote = !in_quote;
            start.get_or_insert(i);
        } else if c.is_whitespace() && !in_quote {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
        } else {
            start.get_or_insert(i);
        }
    }
    if in_quote {
        return Err((quote_at, q.len()));
    }
    if let Some(s) = start {
        out.push((s, q.len()));
    }
    Ok(out)
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// Split `a,"b,c",d` on commas outside quotes.
fn split_values(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_quote = !in_quote;
                cur.push(c);
            }
            ',' if !in_quote => out.push(unquote(&std::mem::take(&mut cur))),
            _ => cur.push(c),
        }
    }
    out.push(unquote(&cur));
    out
}

pub fn glob_to_regex(glob: &str) -> Result<Regex, regex::Error> {
    let mut re = String::from("(?i)^");
    for c in glob.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re)
}

fn parse_pattern(col: Col, v: &str) -> Result<Pattern, String> {
    if v.is_empty() {
        return Err("empty value".into());
    }
    if v.len() >= 2 && v.starts_with('/') && v.ends_with('/') {
        return Regex::new(&v[1..v.len() - 1])
            .map(Pattern::Regex)
            .map_err(|e| format!("bad regex: {e}"));
    }
    if col == Col::SourceIp {
        if let Some(net) = ip::parse_cidr(v) {
            return Ok(Pattern::Cidr(net));
        }
        // The frame keeps one spelling of each address: so does the query.
        if let Some(ip) = crate::util::ip::address(v) {
            return Ok(Pattern::Exact(ip.to_string()));
        }
    }
    if v.contains('*') || v.contains('?') {
        return glob_to_regex(v)
            .map(|re| Pattern::Glob(v.to_string(), re))
            .map_err(|e| format!("bad pattern: {e}"));
    }
    Ok(Pattern::Exact(v.to_string()))
}

fn raw_term(value: &str) -> Result<TermKind, String> {
    let text = unquote(value);
    if text.is_empty() {
        return Err("raw search needs a text: raw:\"AIDAEXAMPLE\" or ~AIDAEXAMPLE".into());
    }
    Ok(TermKind::Raw(text))
}

fn field_names() -> String {
    FIELDS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse a query. An empty query matches everything.
pub fn parse(q: &str) -> Result<Query, QueryError> {
    let fail = |span: (usize, usize), message: String| QueryError {
        query: q.to_string(),
        span,
        message,
    };
    let spans = split_terms(q).map_err(|sp| fail(sp, "unclosed double quote".into()))?;
    let mut terms = Vec::new();
    for (s, e) in spans {
        let raw = &q[s..e];
        let (negated, body) = match raw.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, raw),
        };
        let kind = parse_term(body).map_err(|m| fail((s, e), m))?;
        terms.push(Term {
            negated,
            kind,
            span: (s, e),
        });
    }
    Ok(Query { terms })
}

fn parse_term(body: &str) -> Result<TermKind, String> {
    if let Some(text) = body.strip_prefix('~') {
        return raw_term(text);
    }
    // Find the operator: the first of ':' '>=' '<=' '>' '<' '=' outside quotes, after a name.
    let name_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let name = &body[..name_end];
    let rest = &body[name_end..];
    let (op, value) = if let Some(v) = rest.strip_prefix(':') {
        (":", v)
    } else if let Some(v) = rest.strip_prefix(">=") {
        (">=", v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        ("<=", v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (">", v)
    } else if let Some(v) = rest.strip_prefix('<') {
        ("<", v)
    } else if let Some(v) = rest.strip_prefix('=') {
        ("=", v)
    } else {
        ("", rest)
    };
    if name.is_empty() || op.is_empty() {
        let word = unquote(body);
        if word.is_empty() {
            return Err("empty term".into());
        }
        return Ok(TermKind::Bare(word));
    }
    let cmp = match op {
        ">=" => Some(Cmp::Ge),
        "<=" => Some(Cmp::Le),
        ">" => Some(Cmp::Gt),
        "<" => Some(Cmp::Lt),
        "=" => Some(Cmp::Eq),
        _ => None,
    };
    if name.eq_ignore_ascii_case("raw") && op == ":" {
        return raw_term(value);
    }
    if name.eq_ignore_ascii_case("time") {
        let v = unquote(value);
        let op = match (op, cmp) {
            (":", _) | (_, Some(Cmp::Eq)) => {
                return Err(
                    "time needs a comparison: time>=2026-10-05T02:00:00Z or time<...".into(),
                )
            }
            (_, Some(c)) => c,
            _ => unreachable!("op is one of the comparisons"),
        };
        let at = parse_any(&v)
            .ok_or_else(|| format!("{v:?} is not a time (try 2026-10-05T02:00:00Z)"))?;
        return Ok(TermKind::Time { op, at });
    }
    let col = field_by_name(name).ok_or_else(|| {
        format!(
            "unknown field {name:?}; fields: time, raw, {}",
            field_names()
        )
    })?;
    if matches!(col, Col::Bytes | Col::InputTokens | Col::OutputTokens) {
        let op = match (op, cmp) {
            (":", _) => Cmp::Eq,
            (_, Some(c)) => c,
            _ => unreachable!("op is one of the comparisons"),
        };
        let v = unquote(value).replace('_', "");
        let value: u64 = v
            .parse()
            .map_err(|_| format!("{name} needs a whole number, not {v:?}"))?;
        return Ok(TermKind::Number { col, op, value });
    }
    if op != ":" {
        return Err(format!(
            "{name} takes {name}:value (comparisons are for time, bytes and tokens)"
        ));
    }
    if value.is_empty() {
        return Err(format!("{name}: needs a value"));
    }
    let any_of = if value.starts_with('/') {
        vec![parse_pattern(col, value)?]
    } else {
        split_values(value)
            .iter()
            .map(|v| parse_pattern(col, v))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(TermKind::Field { col, any_of })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_term_kind() {
        let q = parse(r#"token:AKIA1 -outcome:success action:GetObject,CopyObject asset:*.safetensors ua:/^Boto/ time>=2026-10-05T02:00:00Z ip:198.51.100.0/24 bytes>1000 exfil "two words""#).unwrap();
        assert_eq!(q.terms.len(), 10);
        assert!(q.terms[1].negated);
        assert!(matches!(&q.terms[2].kind, TermKind::Field { any_of, .. } if any_of.len() == 2));
        assert!(
            matches!(&q.terms[3].kind, TermKind::Field { any_of, .. } if matches!(any_of[0], Pattern::Glob(..)))
        );
        assert!(
            matches!(&q.terms[6].kind, TermKind::Field { any_of, .. } if matches!(any_of[0], Pattern::Cidr(..)))
        );
        assert!(matches!(&q.terms[8].kind, TermKind::Bare(w) if w == "exfil"));
        assert!(matches!(&q.terms[9].kind, TermKind::Bare(w) if w == "two words"));
    }

    #[test]
    fn raw_terms_keep_their_text() {
        let q = parse(r#"raw:"AIDA 1" -~secret action:x ~"a b""#).unwrap();
        assert!(q.has_raw());
        assert!(matches!(&q.terms[0].kind, TermKind::Raw(t) if t == "AIDA 1"));
        assert!(q.terms[1].negated);
        assert!(matches!(&q.terms[1].kind, TermKind::Raw(t) if t == "secret"));
        assert!(matches!(&q.terms[3].kind, TermKind::Raw(t) if t == "a b"));
        assert!(!parse("action:x").unwrap().has_raw());
        assert!(parse("raw:").unwrap_err().message.contains("raw search"));
        assert!(parse("~").unwrap_err().message.contains("raw search"));
    }

    #[test]
    fn errors_point_at_the_term() {
        let e = parse("token:AKIA colour:red").unwrap_err();
        assert_eq!(e.span, (11, 21));
        assert!(e.message.contains("unknown field \"colour\""));
        let shown = e.to_string();
        assert!(shown.ends_with("             ^^^^^^^^^^"), "{shown}");
        assert!(parse("time>=yesterdayish")
            .unwrap_err()
            .message
            .contains("not a time"));
        assert!(parse("ua:/[/").unwrap_err().message.contains("bad regex"));
        assert!(parse("token:\"open")
            .unwrap_err()
            .message
            .contains("unclosed"));
        assert!(parse("time:2026").is_err());
    }

    /// `ip:CIDR` as the query reads it, as a network and its match on a logged address.
    fn parse_cidr(v: &str) -> Option<Pattern> {
        match parse(&format!("ip:{v}")).ok()?.terms.pop()?.kind {
            TermKind::Field { mut any_of, .. } => {
                any_of.pop().filter(|p| matches!(p, Pattern::Cidr(_)))
            }
            _ => None,
        }
    }

    fn cidr_contains(net: &Pattern, s: &str) -> bool {
        net.matches(s)
    }

    #[test]
    fn cidr_and_lenient_ips() {
        let net = parse_cidr("198.51.100.0/24").unwrap();
        assert!(cidr_contains(&net, "198.51.100.77"));
        assert!(!cidr_contains(&net, "198.51.101.1"));
        assert!(
            cidr_contains(&net, "198.051.100.077"),
            "zero-padded octets as logged"
        );
        assert!(!cidr_contains(&net, "s3.amazonaws.com"));
        let padded = parse_cidr("035.249.253.0/24").unwrap();
        assert!(
            cidr_contains(&padded, "35.249.253.232"),
            "a CIDR written zero-padded"
        );
    }

    #[test]
    fn an_ip_in_any_spelling_is_the_frames_spelling() {
        for v in ["35.249.253.232", "035.249.253.232", "35.249.253.232:443"] {
            let q = parse(&format!("ip:{v}")).unwrap();
            match &q.terms[0].kind {
                TermKind::Field { any_of, .. } => match &any_of[..] {
                    [Pattern::Exact(e)] => assert_eq!(e, "35.249.253.232", "{v}"),
                    other => panic!("{v}: {other:?}"),
                },
                other => panic!("{v}: {other:?}"),
            }
        }
    }

    #[test]
    fn masked_addresses_match_prefixes_that_cover_their_slash_24() {
        let net = parse_cidr("198.51.100.0/24").unwrap();
        assert!(cidr_contains(&net, "198.51.100.***"));
        let net16 = parse_cidr("198.51.0.0/16").unwrap();
        assert!(cidr_contains(&net16, "198.51.100.***"));
        assert!(!cidr_contains(&net, "198.51.101.***"));
        // A /32 names one host: a masked address might or might not be it, so it does not match.
        let host = parse_cidr("198.51.100.77/32").unwrap();
        assert!(!cidr_contains(&host, "198.51.100.***"));
        assert!(!cidr_contains(&net, "***"));
    }

    #[test]
    fn exact_is_case_insensitive_glob_anchored() {
        assert!(Pattern::Exact("getobject".into()).matches("GetObject"));
        let g = glob_to_regex("*.safetensors").unwrap();
        assert!(g.is_match("m/model-00001.SAFETENSORS"));
        assert!(!g.is_match("m/model.safetensors.json"));
    }
}

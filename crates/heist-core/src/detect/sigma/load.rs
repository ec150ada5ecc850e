//! A folder of Sigma rules (as SigmaHQ ships them, or a team's own) to heist rules, and the rules it cannot run,
//! each with its reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::logsource::{self, Class};
use super::parse::{
    parse_documents, CorrelationKind, SigmaCorrelation, SigmaDoc, SigmaError, SigmaRule,
};
use crate::detect::rule::{
    CorrelationOf, Queries, Rule, RuleKind, RuleQuery, SigmaCorrelationRun, SigmaRun,
};
use crate::detect::Severity;
use crate::util::time::Nanos;

/// A rule file larger than this is not a Sigma rule (SigmaHQ's largest is a few kB).
const MAX_FILE: u64 = 1 << 20;

/// A rule heist did not load, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    /// The file, as found under the folder given.
    pub file: String,
    pub title: Option<String>,
    pub id: Option<String>,
    /// `product/service` (empty when the file could not be read as Sigma).
    pub logsource: String,
    pub reason: String,
}

/// The Sigma rules of one or more folders.
#[derive(Debug, Clone, Default)]
pub struct SigmaLoad {
    /// The rules heist runs, as rules of its pack.
    pub rules: Vec<Rule>,
    /// The rules it cannot run.
    pub skipped: Vec<Skipped>,
    /// Rule files read (`.yml`, `.yaml`).
    pub files: usize,
}

/// A folder that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum SigmaLoadError {
    #[error("--sigma {}: not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("--sigma {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SigmaLoad {
    /// The rules loaded per logsource, and the skipped ones: `(logsource, loaded, skipped)`, sorted.
    pub fn by_logsource(&self) -> Vec<(String, usize, usize)> {
        let mut m: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for r in &self.rules {
            let ls = match &r.kind {
                RuleKind::Sigma(s) => s.logsource.clone(),
                _ => "correlation".to_string(),
            };
            m.entry(ls).or_default().0 += 1;
        }
        for s in &self.skipped {
            let ls = if s.logsource.is_empty() {
                "(unreadable)".to_string()
            } else {
                s.logsource.clone()
            };
            m.entry(ls).or_default().1 += 1;
        }
        m.into_iter().map(|(k, (a, b))| (k, a, b)).collect()
    }

    /// Skipped rules per reason (placeholders of every name count together), most frequent first.
    pub fn by_reason(&self) -> Vec<(String, usize)> {
        let mut m: std::collections::BTreeMap<String, usize> = Default::default();
        for s in &self.skipped {
            *m.entry(reason_kind(&s.reason)).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// A reason without what varies from rule to rule: a placeholder's name (`%LegitCountries%` is `%…%`), a file
/// named after "already loaded from".
fn reason_kind(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut rest = reason;
    while let Some(a) = rest.find('%') {
        let name_len = rest[a + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len() - a - 1);
        if name_len > 0 && rest[a + 1 + name_len..].starts_with('%') {
            out.push_str(&rest[..a]);
            out.push_str("%…%");
            rest = &rest[a + name_len + 2..];
        } else {
            out.push_str(&rest[..=a]);
            rest = &rest[a + 1..];
        }
    }
    out.push_str(rest);
    if out.starts_with("id ") && out.contains(" already loaded from ") {
        return "id already loaded from an earlier file".into();
    }
    out
}

/// The Sigma rules of every folder of `dirs`, in order (a later rule with an id already loaded is skipped).
pub fn load_dirs(dirs: &[PathBuf]) -> Result<SigmaLoad, SigmaLoadError> {
    let mut docs: Vec<(String, Parsed)> = Vec::new();
    let mut files = 0;
    for d in dirs {
        if !d.is_dir() {
            return Err(SigmaLoadError::NotAFolder(d.clone()));
        }
        for path in rule_files(d)? {
            files += 1;
            let shown = path.display().to_string();
            docs.push((shown, read_docs(&path)));
        }
    }
    let mut out = assemble(docs);
    out.files = files;
    Ok(out)
}

/// The config dir's `sigma/` folder, when there is one: loaded by default in every session.
pub fn config_dir() -> Option<PathBuf> {
    let d = directories::ProjectDirs::from("", "", "heist")?;
    let p = d.config_dir().join("sigma");
    p.is_dir().then_some(p)
}

/// Rules from texts in memory (tests, fuzzing): `(file name, text)`.
pub fn load_texts(texts: &[(&str, &str)]) -> SigmaLoad {
    let docs = texts
        .iter()
        .map(|(f, t)| (f.to_string(), parse_text(t)))
        .collect();
    let mut out = assemble(docs);
    out.files = texts.len();
    out
}

fn error_text(e: &SigmaError) -> String {
    match e {
        SigmaError::Unsupported(m) => m.clone(),
        SigmaError::Invalid(m) => format!("not valid Sigma: {m}"),
    }
}

/// `.yml` / `.yaml` files under `dir`, hidden folders left out, in path order.
fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, SigmaLoadError> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let e = e.map_err(|err| SigmaLoadError::Io {
            path: err.path().unwrap_or(dir).to_path_buf(),
            source: err
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("folder loop")),
        })?;
        let p = e.path();
        if e.file_type().is_file()
            && p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("yml") || x.eq_ignore_ascii_case("yaml"))
        {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

/// A file's documents, or why it cannot be run with what its first document says of itself.
type Parsed = Result<Vec<SigmaDoc>, (String, Header)>;

/// What a rule file that cannot be run says of itself, for the list of skipped rules.
#[derive(Debug, Default)]
struct Header {
    title: Option<String>,
    id: Option<String>,
    logsource: String,
}

fn header(text: &str) -> Header {
    use yaml_rust2::{Yaml, YamlLoader};
    let Ok(docs) = YamlLoader::load_from_str(text) else {
        return Header::default();
    };
    // The first document with a title (a legacy collection's first document may be `action: global`).
    let Some(doc) = docs
        .iter()
        .find(|d| d["title"].as_str().is_some())
        .or(docs.first())
    else {
        return Header::default();
    };
    let s = |y: &Yaml| y.as_str().map(str::to_string);
    let lower = |y: &Yaml| y.as_str().map(str::to_ascii_lowercase);
    let ls = &doc["logsource"];
    let (p, sv, c) = (
        lower(&ls["product"]),
        lower(&ls["service"]),
        lower(&ls["category"]),
    );
    Header {
        title: s(&doc["title"]),
        id: s(&doc["id"]),
        logsource: if doc["correlation"].is_badvalue() {
            logsource::name(p.as_deref(), sv.as_deref(), c.as_deref())
        } else {
            "correlation".into()
        },
    }
}

fn parse_text(text: &str) -> Parsed {
    parse_documents(text).map_err(|e| (error_text(&e), header(text)))
}

fn read_docs(path: &Path) -> Parsed {
    let fail = |m: String| Err((m, Header::default()));
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(format!("cannot read: {e}")),
    };
    if meta.len() > MAX_FILE {
        return fail(format!(
            "{} bytes: larger than any Sigma rule ({} at most)",
            meta.len(),
            MAX_FILE
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read: {e}")),
    };
    match String::from_utf8(bytes) {
        Ok(text) => parse_text(&text),
        Err(_) => fail("not UTF-8 text".to_string()),
    }
}

/// Sigma's level as a severity (`informational` is info; no level reads as medium).
pub fn severity(level: Option<&str>) -> Severity {
    match level.map(str::to_ascii_lowercase).as_deref() {
        Some("informational" | "info") => Severity::Info,
        Some("low") => Severity::Low,
        Some("high") => Severity::High,
        Some("critical") => Severity::Critical,
        _ => Severity::Medium,
    }
}

/// ATT&CK technique ids in Sigma tags: `attack.t1078.004` is `T1078.004`; tactics and other tags are not
/// techniques.
pub fn techniques(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags
        .iter()
        .filter_map(|t| t.strip_prefix("attack."))
        .map(str::to_ascii_uppercase)
        .filter(|t| crate::detect::parse::valid_technique(t))
        .collect();
    out.dedup();
    out
}

fn nanos(d: std::time::Duration) -> Nanos {
    Nanos::try_from(d.as_nanos()).unwrap_or(Nanos::MAX)
}

/// Values safe to name in a query as they are (event names).
fn plain(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// The frame rows a rule tests: its logsource's, and the event names or services its detection pins.
fn rows_query(rule: &SigmaRule, class: Class, base: &str) -> Queries {
    let mut text = base.to_string();
    let pinned = |field: &str, term: &str, text: &mut String| {
        if let Some(vals) = rule.detection.required_values(field) {
            if !vals.is_empty() && vals.iter().all(|v| plain(v)) {
                text.push_str(&format!(" {term}:{}", vals.join(",")));
            }
        }
    };
    if class == Class::CloudTrail {
        pinned("eventName", "action", &mut text);
        pinned("eventSource", "service", &mut text);
    }
    match crate::query::parse::parse(&text) {
        Ok(q) => Queries(vec![RuleQuery::new(text, q)]),
        // The narrowing never makes a bad query, but the logsource's rows alone are always one.
        Err(_) => match crate::query::parse::parse(base) {
            Ok(q) => Queries(vec![RuleQuery::new(base, q)]),
            Err(_) => Queries(Vec::new()),
        },
    }
}

fn compile(file: &str, r: SigmaRule) -> Result<Rule, Skipped> {
    let ls = logsource::name(
        r.logsource.product.as_deref(),
        r.logsource.service.as_deref(),
        r.logsource.category.as_deref(),
    );
    let skip = |reason: String| Skipped {
        file: file.to_string(),
        title: Some(r.title.clone()),
        id: r.id.clone(),
        logsource: ls.clone(),
        reason,
    };
    if r.status.as_deref() == Some("deprecated") {
        return Err(skip(
            "status deprecated: SigmaHQ keeps it for reference only".into(),
        ));
    }
    let target = logsource::target(
        r.logsource.product.as_deref(),
        r.logsource.service.as_deref(),
        r.logsource.category.as_deref(),
    )
    .map_err(&skip)?;
    let id =
        r.id.clone()
            .or_else(|| r.name.clone())
            .unwrap_or_else(|| file_stem(file));
    let fields = r.detection.fields();
    let frame_only = !r.detection.uses_keywords()
        && fields
            .iter()
            .all(|f| super::fields::frame_col(target.class, f).is_some());
    let mut captures: Vec<String> = Vec::new();
    if let Some(a) = r.detection.aggregation() {
        captures.extend(a.by.iter().cloned());
        captures.extend(a.field.iter().cloned());
    }
    let rows = rows_query(&r, target.class, target.rows);
    let run = SigmaRun {
        detection: Arc::new(r.detection),
        logsource: ls,
        class: target.class,
        rows,
        frame_only,
        generates: true,
        name: r.name.clone(),
        captures,
    };
    Ok(Rule {
        id,
        title: r.title,
        severity: severity(r.level.as_deref()),
        techniques: techniques(&r.tags),
        description: r.description,
        kind: RuleKind::Sigma(run),
        enabled: true,
        overrides: false,
        file: file.to_string(),
        references: r.references,
        falsepositives: r.falsepositives,
    })
}

fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// Rules first, then the correlations over them.
fn assemble(docs: Vec<(String, Parsed)>) -> SigmaLoad {
    let mut out = SigmaLoad::default();
    let mut correlations: Vec<(String, SigmaCorrelation)> = Vec::new();
    for (file, parsed) in docs {
        let docs = match parsed {
            Ok(d) => d,
            Err((reason, header)) => {
                out.skipped.push(Skipped {
                    file,
                    title: header.title,
                    id: header.id,
                    logsource: header.logsource,
                    reason,
                });
                continue;
            }
        };
        for d in docs {
            match d {
                SigmaDoc::Rule(r) => match compile(&file, r) {
                    Ok(rule) => match out.rules.iter().find(|x| x.id == rule.id) {
                        Some(first) => out.skipped.push(Skipped {
                            file: file.clone(),
                            title: Some(rule.title.clone()),
                            id: Some(rule.id.clone()),
                            logsource: match &rule.kind {
                                RuleKind::Sigma(s) => s.logsource.clone(),
                                _ => String::new(),
                            },
                            reason: format!("id {} already loaded from {}", rule.id, first.file),
                        }),
                        None => out.rules.push(rule),
                    },
                    Err(s) => out.skipped.push(s),
                },
                SigmaDoc::Correlation(c) => correlations.push((file.clone(), c)),
            }
        }
    }
    for (file, c) in correlations {
        match correlate(&file, c, &mut out.rules) {
            Ok(rule) => out.rules.push(rule),
            Err(s) => out.skipped.push(s),
        }
    }
    out
}

/// A correlation over loaded rules: their events feed it (and are findings of their own only with `generate`).
fn correlate(file: &str, c: SigmaCorrelation, rules: &mut [Rule]) -> Result<Rule, Skipped> {
    let skip = |reason: String| Skipped {
        file: file.to_string(),
        title: Some(c.title.clone()),
        id: c.id.clone(),
        logsource: "correlation".into(),
        reason,
    };
    let of = match &c.kind {
        CorrelationKind::EventCount => CorrelationOf::EventCount,
        CorrelationKind::ValueCount { .. } => CorrelationOf::ValueCount,
        CorrelationKind::Temporal => CorrelationOf::Temporal,
        CorrelationKind::TemporalOrdered => CorrelationOf::TemporalOrdered,
    };
    let counted = match &c.kind {
        CorrelationKind::ValueCount { field } => Some(field.clone()),
        _ => None,
    };
    let mut ids = Vec::new();
    let mut group_by = Vec::new();
    let mut field = Vec::new();
    for name in &c.rules {
        let Some(at) = rules.iter().position(|r| {
            r.id == *name
                || matches!(&r.kind, RuleKind::Sigma(s) if s.name.as_deref() == Some(name.as_str()))
        }) else {
            return Err(skip(format!(
                "names rule {name}, which is not loaded (see the rules skipped)"
            )));
        };
        let rule_name = match &rules[at].kind {
            RuleKind::Sigma(s) => s.name.clone(),
            _ => None,
        };
        let rule_id = rules[at].id.clone();
        let alias =
            |f: &str| -> String { alias_for(&c.aliases, f, &rule_id, rule_name.as_deref()) };
        let fields: Vec<String> = c.group_by.iter().map(|f| alias(f)).collect();
        let count_field = counted.as_deref().map(alias);
        if let RuleKind::Sigma(s) = &mut rules[at].kind {
            if !c.generate {
                s.generates = false;
            }
            for f in fields.iter().chain(count_field.iter()) {
                if !s.captures.contains(f) {
                    s.captures.push(f.clone());
                }
            }
        }
        ids.push(rules[at].id.clone());
        group_by.push(fields);
        field.push(count_field);
    }
    let id =
        c.id.clone()
            .or_else(|| c.name.clone())
            .unwrap_or_else(|| file_stem(file));
    Ok(Rule {
        id,
        title: c.title.clone(),
        severity: severity(c.level.as_deref()),
        techniques: techniques(&c.tags),
        description: c.description.clone(),
        kind: RuleKind::SigmaCorrelation(SigmaCorrelationRun {
            of,
            rules: ids,
            group_by,
            field,
            timespan: nanos(c.timespan),
            condition: c.condition,
        }),
        enabled: true,
        overrides: false,
        file: file.to_string(),
        references: c.references.clone(),
        falsepositives: c.falsepositives.clone(),
    })
}

/// The field a correlation's `group-by` name stands for in one rule's events: the alias's field for that rule
/// (named by id or name), else the name itself.
fn alias_for(
    aliases: &super::parse::FieldAliases,
    field: &str,
    rule_id: &str,
    rule_name: Option<&str>,
) -> String {
    aliases
        .iter()
        .find(|(a, _)| a == field)
        .and_then(|(_, per_rule)| {
            per_rule
                .iter()
                .find(|(r, _)| r == rule_id || Some(r.as_str()) == rule_name)
                .map(|(_, f)| f.clone())
        })
        .unwrap_or_else(|| field.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_count_together_whatever_the_placeholder() {
        assert_eq!(
            reason_kind("placeholder %LegitCountries% (modifier expand)"),
            "placeholder %…% (modifier expand)"
        );
        assert_eq!(
            reason_kind("id x already loaded from a.yml"),
            "id already loaded from an earlier file"
        );
        assert_eq!(reason_kind("aggregation `near`"), "aggregation `near`");
        assert_eq!(reason_kind("50% of %x"), "50% of %x");
    }

    #[test]
    fn levels_and_tags() {
        assert_eq!(severity(Some("informational")), Severity::Info);
        assert_eq!(severity(Some("critical")), Severity::Critical);
        assert_eq!(severity(None), Severity::Medium);
        assert_eq!(
            techniques(&[
                "attack.t1078.004".into(),
                "attack.persistence".into(),
                "cve.2021-1".into()
            ]),
            vec!["T1078.004"]
        );
    }

    #[test]
    fn a_file_that_cannot_run_still_names_its_rule() {
        let load = load_texts(&[(
            "p.yml",
            "title: Placeholder\nid: abc\nlogsource: {product: azure, service: signinlogs}\ndetection: {s: {Location|expand: '%Known%'}, condition: s}\n",
        )]);
        assert_eq!(load.skipped.len(), 1);
        let s = &load.skipped[0];
        assert_eq!(s.title.as_deref(), Some("Placeholder"));
        assert_eq!(s.id.as_deref(), Some("abc"));
        assert_eq!(s.logsource, "azure/signinlogs");
    }

    #[test]
    fn pinned_event_names_narrow_the_rows() {
        let load = load_texts(&[(
            "r.yml",
            "title: R\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  a: {eventName: [A, 'B C']}\n  condition: a\n",
        )]);
        // A value a query cannot name as it is leaves the rows at the logsource's.
        match &load.rules[0].kind {
            RuleKind::Sigma(s) => assert_eq!(
                s.rows.texts().collect::<Vec<_>>(),
                vec!["provider:aws -source:s3access,bedrock"]
            ),
            _ => panic!("not a Sigma rule"),
        }
    }
}

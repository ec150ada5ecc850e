//! The Markdown report: `markdown(&ReportInput) -> String`. Sections, in order: title and what the report rests
//! on, a short account in plain words, scope (sources, files with SHA-256, time range, counts), the entities
//! involved (tokens with their lineage), findings when there are any, the theft timeline with the analyst's notes
//! under the events they annotate, notes on entities, and the raw records. Every log-derived string goes through
//! `escape` (code spans, split table cells, escaped prose, long fences).

use std::collections::HashMap;
use std::fmt::Write;

use super::escape::{cell, code, fenced, quote, text};
use super::report::*;
use crate::entities::EntityKind;
use crate::frame::{Col, EventKey};

pub fn markdown(r: &ReportInput) -> String {
    let mut o = String::with_capacity(16 * 1024);
    header(&mut o, r);
    brief(&mut o, r);
    // The attack first: its incidents and scope, then what the report covers and the evidence behind it.
    findings(&mut o, r);
    if let Some(s) = &r.attack_scope {
        o.push_str(&super::scope_md::scope_section(s, r.tz));
    }
    scope(&mut o, r);
    entities(&mut o, r);
    super::timeline_md::timeline(&mut o, r);
    entity_notes(&mut o, r);
    appendix(&mut o, r);
    evidence_files(&mut o, r);
    o
}

fn t(r: &ReportInput, at: Option<crate::util::time::Nanos>) -> String {
    at.map(|x| fmt_time(x, r.tz)).unwrap_or_default()
}

pub(super) fn basis_sentence(r: &ReportInput) -> String {
    let n = thousands(r.events.len() as u64);
    match &r.basis {
        Basis::Marked { query: None } => format!("the {n} events the analyst marked"),
        Basis::Marked { query: Some(q) } => {
            format!("the {n} events the analyst marked that match {}", code(q))
        }
        Basis::Query(q) => format!(
            "no events are marked: the {n} events that match {}",
            code(q)
        ),
        Basis::All => format!("no events are marked and no query was given: all {n} events"),
    }
}

fn header(o: &mut String, r: &ReportInput) {
    let _ = writeln!(o, "# {}\n", text(&r.title));
    if let Some(a) = r.analyst.as_deref().filter(|a| !a.trim().is_empty()) {
        let _ = writeln!(o, "- **Prepared by:** {}", text(a));
    }
    let _ = writeln!(
        o,
        "- **Generated:** {} by heist {}; all times in {}",
        fmt_time(r.generated - r.generated.rem_euclid(1_000_000_000), r.tz),
        env!("CARGO_PKG_VERSION"),
        tz_label(r.tz)
    );
    let bytes: u64 = r.scope.files.iter().map(|f| f.bytes).sum();
    let _ = writeln!(
        o,
        "- **Evidence:** {}, {} bytes; bundle SHA-256 {}",
        counted(r.scope.files.len() as u64, "file", "files"),
        thousands(bytes),
        code(&r.scope.bundle_sha256)
    );
    let _ = writeln!(o, "- **Timeline:** {}", basis_sentence(r));
    if let Some(c) = &r.scope.case_file {
        let _ = writeln!(o, "- **Case file:** {}", code(c));
    }
    o.push('\n');
    for w in &r.warnings {
        let _ = writeln!(o, "> **Warning:** {}\n", text(w));
    }
}

/// A few sentences a reader who never saw the logs can start from.
fn brief(o: &mut String, r: &ReportInput) {
    o.push_str("## In brief\n\n");
    if r.events.is_empty() {
        o.push_str("The timeline is empty: no events were selected.\n\n");
        return;
    }
    let first = r.events.first().map(|e| e.time);
    let last = r.events.last().map(|e| e.time);
    let count = |k: EntityKind| r.entities.iter().filter(|e| e.kind == k).count() as u64;
    let failed = r
        .events
        .iter()
        .filter(|e| e.get(Col::Outcome) == Some("failure"))
        .count();
    let (calls, bytes) = calls_and_bytes(&r.events);
    let held = if calls < r.events.len() {
        format!(
            "{} ({} logged by two sources, joined by request id)",
            counted(calls as u64, "call", "calls"),
            counted(r.events.len() as u64, "record", "records")
        )
    } else {
        counted(r.events.len() as u64, "event", "events")
    };
    let _ = write!(
        o,
        "The timeline holds {} from {} to {}. They involve {}, {}, {} and {}",
        held,
        t(r, first),
        t(r, last),
        counted(count(EntityKind::Identity), "identity", "identities"),
        counted(count(EntityKind::Token), "credential", "credentials"),
        counted(count(EntityKind::Asset), "asset", "assets"),
        counted(count(EntityKind::Ip), "source address", "source addresses"),
    );
    if bytes > 0 {
        let _ = write!(o, ", and moved {} bytes", thousands(bytes));
    }
    o.push('.');
    if failed > 0 {
        let _ = write!(
            o,
            " {} failed.",
            counted(failed as u64, "of the events", "of the events")
        );
    }
    o.push_str("\n\n");
    let tagged: Vec<&EntitySummary> = r.entities.iter().filter(|e| !e.tags.is_empty()).collect();
    if !tagged.is_empty() {
        o.push_str("The analyst tagged:\n\n");
        for e in tagged {
            let _ = writeln!(o, "- {} {}: {}", e.kind, code(&e.name), tag_list(&e.tags));
        }
        o.push('\n');
    }
}

/// How many calls the events are, and the bytes they moved, each call once: CloudTrail's GetObject and the S3 access
/// log's line for it (or CloudTrail's InvokeModel and the Bedrock invocation log's) share a request id, compared
/// case-insensitively, across sources; a call's bytes are the largest any of its records logged.
fn calls_and_bytes(events: &[ReportEvent]) -> (usize, u64) {
    let mut by_call: HashMap<String, (String, u64)> = HashMap::new();
    let mut calls = 0;
    let mut bytes = 0u64;
    for e in events {
        let b = e
            .get(Col::Bytes)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let source = e.get(Col::Source).unwrap_or("").to_string();
        match e.get(Col::RequestId).filter(|id| !id.is_empty()) {
            Some(id) => match by_call.get_mut(&id.to_ascii_lowercase()) {
                Some((first_source, most)) if *first_source != source => {
                    if b > *most {
                        bytes += b - *most;
                        *most = b;
                    }
                }
                _ => {
                    calls += 1;
                    bytes += b;
                    by_call.insert(id.to_ascii_lowercase(), (source, b));
                }
            },
            None => {
                calls += 1;
                bytes += b;
            }
        }
    }
    (calls, bytes)
}

/// `1 event`, `2,000 events`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub(super) fn tag_list(tags: &[String]) -> String {
    tags.iter().map(|x| cell(x)).collect::<Vec<_>>().join(" ")
}

fn scope(o: &mut String, r: &ReportInput) {
    let s = &r.scope;
    o.push_str("## Scope\n\n");
    let bytes: u64 = s.files.iter().map(|f| f.bytes).sum();
    let _ = write!(
        o,
        "heist read {} ({} bytes) and loaded {}",
        counted(s.files.len() as u64, "file", "files"),
        thousands(bytes),
        counted(s.events as u64, "event", "events")
    );
    if let (Some(a), Some(b)) = (s.first, s.last) {
        let _ = write!(o, ", from {} to {}", fmt_time(a, r.tz), fmt_time(b, r.tz));
    }
    o.push_str(".\n");
    if s.duplicates > 0 {
        let _ = writeln!(
            o,
            "{} of events delivered more than once {} counted once.",
            counted(s.duplicates as u64, "copy", "copies"),
            if s.duplicates == 1 { "was" } else { "were" }
        );
    }
    if s.malformed > 0 {
        let _ = writeln!(
            o,
            "{} could not be read (listed below).",
            counted(s.malformed as u64, "malformed record", "malformed records")
        );
    }
    if s.skipped > 0 {
        let _ = writeln!(
            o,
            "{} skipped by design (not event logs).",
            if s.skipped == 1 {
                "1 file was".to_string()
            } else {
                format!("{} files were", thousands(s.skipped as u64))
            }
        );
    }
    if !s.files.is_empty() {
        let _ = writeln!(
            o,
            "Every file, with its format, events, size and SHA-256, is listed in the appendix *Evidence files*."
        );
    }
    o.push('\n');
    if !s.sources.is_empty() {
        o.push_str("| source | events | first | last |\n|---|--:|---|---|\n");
        for src in &s.sources {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                cell(&src.source),
                thousands(src.events),
                t(r, src.first),
                t(r, src.last)
            );
        }
        o.push('\n');
    }
    if !s.malformed_examples.is_empty() {
        let more = s.malformed.saturating_sub(s.malformed_examples.len());
        o.push_str("Malformed records");
        if more > 0 {
            let _ = write!(o, " (the first {})", s.malformed_examples.len());
        }
        o.push_str(":\n\n");
        for (origin, msg) in &s.malformed_examples {
            let _ = writeln!(o, "- {}: {}", code(origin), text(msg));
        }
        o.push('\n');
    }
}

fn kind_title(k: EntityKind) -> (&'static str, &'static str) {
    match k {
        EntityKind::Identity => ("Identities", "identity"),
        EntityKind::Token => ("Credentials", "credential"),
        EntityKind::Asset => ("Assets", "asset"),
        EntityKind::Ip => ("Source addresses", "address"),
    }
}

fn entities(o: &mut String, r: &ReportInput) {
    o.push_str("## Entities involved\n\n");
    if r.entities.is_empty() {
        o.push_str("None.\n\n");
        return;
    }
    o.push_str(
        "Every identity, credential, asset and source address that the timeline's events name, or that the analyst \
         annotated. First seen, last seen, events and failures count the whole bundle, not only the timeline.\n\n",
    );
    for k in EntityKind::ALL {
        let rows: Vec<&EntitySummary> = r.entities.iter().filter(|e| e.kind == k).collect();
        if rows.is_empty() {
            continue;
        }
        let (title, col) = kind_title(k);
        let _ = writeln!(o, "### {title}\n");
        let _ = writeln!(
            o,
            "| {col} | type | first seen | last seen | events | failures | tags |\n|---|---|---|---|--:|--:|---|"
        );
        for e in &rows {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&e.name),
                cell(e.detail.as_deref().unwrap_or("")),
                t(r, e.first),
                t(r, e.last),
                thousands(e.events),
                thousands(e.failures),
                tag_list(&e.tags)
            );
        }
        o.push('\n');
        if k == EntityKind::Token {
            lineage(o, r, &rows);
        }
    }
}

fn who(token: &Option<String>, identity: &Option<String>) -> String {
    match (token, identity) {
        (Some(t), Some(i)) => format!("{} ({})", code(t), code(i)),
        (Some(t), None) => code(t),
        (None, Some(i)) => code(i),
        (None, None) => "an unnamed credential".into(),
    }
}

fn lineage(o: &mut String, r: &ReportInput, tokens: &[&EntitySummary]) {
    if tokens
        .iter()
        .all(|e| e.lineage.is_empty() && e.more_minted == 0)
    {
        return;
    }
    o.push_str("Lineage (which credential minted which):\n\n");
    for e in tokens {
        for l in &e.lineage {
            let at = fmt_time(l.time, r.tz);
            let _ = match l.relation {
                Relation::MintedFrom => writeln!(
                    o,
                    "- {} was minted with {} by {} at {}",
                    code(&e.name),
                    who(&l.token, &l.identity),
                    code(&l.action),
                    at
                ),
                Relation::Minted => writeln!(
                    o,
                    "- {} minted {} by {} at {}",
                    code(&e.name),
                    who(&l.token, &l.identity),
                    code(&l.action),
                    at
                ),
                Relation::EndedBy => writeln!(
                    o,
                    "- {} was ended by {} at {}",
                    code(&e.name),
                    code(&l.action),
                    at
                ),
            };
        }
        if e.more_minted > 0 {
            let _ = writeln!(
                o,
                "- {} minted {} more credentials, not listed",
                code(&e.name),
                thousands(e.more_minted as u64)
            );
        }
    }
    o.push('\n');
}

/// Timeline number (1-based) of each event key.
fn numbers(r: &ReportInput) -> HashMap<&EventKey, usize> {
    r.events
        .iter()
        .enumerate()
        .map(|(i, e)| (&e.key, i + 1))
        .collect()
}

fn findings(o: &mut String, r: &ReportInput) {
    if r.findings.is_empty() {
        return;
    }
    let num = numbers(r);
    if r.incidents.is_empty() && r.other.is_empty() {
        o.push_str("## Findings\n\n");
        for (i, f) in r.findings.iter().enumerate() {
            let _ = writeln!(o, "### {}. {}\n", i + 1, text(&f.title));
            finding_body(o, r, &num, f, &f.severity);
        }
        return;
    }
    incidents(o, r, &num);
    other_findings(o, r);
}

/// The incidents, highest score first: the one-line story, then each finding in time order.
fn incidents(o: &mut String, r: &ReportInput, num: &HashMap<&EventKey, usize>) {
    if r.incidents.is_empty() {
        return;
    }
    o.push_str("## Incidents\n\n");
    let _ = writeln!(
        o,
        "The rule pack's findings grouped by the credentials, identities, unusual addresses and token lineage they \
         share; {}.\n",
        counted(r.incidents.len() as u64, "incident", "incidents")
    );
    for inc in &r.incidents {
        let _ = writeln!(o, "### {} · {}\n", text(&inc.id), text(&inc.title));
        let techniques: Vec<String> = inc.techniques.iter().map(|x| code(x)).collect();
        let _ = writeln!(
            o,
            "- **Severity:** {} · **Score:** {} · **From** {} **to** {} · {}",
            text(&inc.severity),
            inc.score,
            fmt_time(inc.first, r.tz),
            fmt_time(inc.last, r.tz),
            counted(inc.findings.len() as u64, "finding", "findings"),
        );
        if !techniques.is_empty() {
            let _ = writeln!(o, "- **Techniques, in order:** {}", techniques.join(", "));
        }
        o.push('\n');
        for (n, (i, shown)) in inc.findings.iter().enumerate() {
            let Some(f) = r.findings.get(*i) else {
                continue;
            };
            let _ = writeln!(o, "#### {}.{}. {}\n", text(&inc.id), n + 1, text(&f.title));
            let mut severity = if *shown != f.severity {
                format!("{shown} (rule: {})", f.severity)
            } else {
                shown.clone()
            };
            if inc.by_time.contains(i) {
                severity += " · linked by time alone: its log names no address, and it happened inside the \
                             incident's night";
            }
            finding_body(o, r, num, f, &severity);
        }
    }
}

/// Findings outside every incident: one row per rule, with how often it fired.
fn other_findings(o: &mut String, r: &ReportInput) {
    if r.other.is_empty() {
        return;
    }
    let total: usize = r.other.iter().map(|g| g.count).sum();
    o.push_str(if r.incidents.is_empty() {
        "## Findings\n\n"
    } else {
        "## Other findings\n\n"
    });
    let _ = writeln!(
        o,
        "{} outside every incident, one row per rule; `heist detect --flat` lists each.\n",
        counted(total as u64, "finding", "findings")
    );
    o.push_str("| severity | rule | count | entities | first | last | example |\n");
    o.push_str("|---|---|--:|--:|---|---|---|\n");
    for g in &r.other {
        let example = g
            .findings
            .first()
            .and_then(|&i| r.findings.get(i))
            .map(|f| f.explanation.lines().next().unwrap_or("").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&g.severity),
            cell(&g.rule),
            thousands(g.count as u64),
            thousands(g.entities as u64),
            fmt_time(g.first, r.tz),
            fmt_time(g.last, r.tz),
            cell(&example),
        );
    }
    o.push('\n');
}

/// A finding's severity, rule, techniques, events (with their timeline numbers) and explanation.
fn finding_body(
    o: &mut String,
    r: &ReportInput,
    num: &HashMap<&EventKey, usize>,
    f: &crate::export::ReportFinding,
    severity: &str,
) {
    let techniques: Vec<String> = f.techniques.iter().map(|x| code(x)).collect();
    let _ = write!(
        o,
        "- **Severity:** {} · **Rule:** {}",
        text(severity),
        code(&f.rule)
    );
    if !techniques.is_empty() {
        let _ = write!(o, " · **Techniques:** {}", techniques.join(", "));
    }
    o.push('\n');
    let mut in_timeline: Vec<usize> = f
        .events
        .iter()
        .filter_map(|k| num.get(k).copied())
        .collect();
    in_timeline.sort_unstable();
    let _ = write!(o, "- **Events:** {}", thousands(f.events.len() as u64));
    if let (Some(a), Some(b)) = (f.first, f.last) {
        let _ = write!(o, ", from {} to {}", fmt_time(a, r.tz), fmt_time(b, r.tz));
    }
    if !in_timeline.is_empty() {
        let refs: Vec<String> = in_timeline.iter().map(|n| format!("#{n}")).collect();
        let _ = write!(o, "; in the timeline: {}", refs.join(", "));
    }
    o.push_str("\n\n");
    for line in f.explanation.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(o, "{}\n", text(line));
    }
    if !f.falsepositives.is_empty() {
        let fp: Vec<String> = f.falsepositives.iter().map(|x| text(x)).collect();
        let _ = writeln!(o, "- **Known false positives:** {}", fp.join("; "));
    }
    if !f.references.is_empty() {
        let refs: Vec<String> = f
            .references
            .iter()
            .take(MAX_REFERENCES)
            .map(|x| code(x))
            .collect();
        let more = f.references.len().saturating_sub(MAX_REFERENCES);
        let _ = write!(o, "- **References:** {}", refs.join(", "));
        if more > 0 {
            let _ = write!(o, " and {more} more");
        }
        o.push('\n');
    }
    if !f.falsepositives.is_empty() || !f.references.is_empty() {
        o.push('\n');
    }
}

/// References listed per finding (a Sigma rule can cite a dozen).
const MAX_REFERENCES: usize = 3;

fn entity_notes(o: &mut String, r: &ReportInput) {
    if r.entity_notes.is_empty() {
        return;
    }
    o.push_str("## Notes on entities\n\n");
    for n in &r.entity_notes {
        let (_, what) = kind_title(n.kind);
        let _ = writeln!(o, "### {} {}\n", capitalised(what), code(&n.name));
        if !n.tags.is_empty() {
            let _ = writeln!(o, "Tags: {}\n", tag_list(&n.tags));
        }
        if !n.note.trim().is_empty() {
            o.push_str(&quote("**Note:**", &n.note));
            o.push('\n');
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn appendix(o: &mut String, r: &ReportInput) {
    let with_raw: Vec<(usize, &ReportEvent)> = r
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.raw.is_some())
        .collect();
    if with_raw.is_empty() && r.appendix_omitted == 0 {
        return;
    }
    o.push_str("## Appendix: raw records\n\n");
    o.push_str(
        "Each record as heist read it from the bundle, pretty-printed when it is JSON, with control characters shown \
         as escapes. The files' SHA-256 are in the appendix *Evidence files*.\n\n",
    );
    for (i, e) in with_raw {
        let _ = writeln!(
            o,
            "### #{} · {} · {}\n",
            i + 1,
            fmt_time(e.time, r.tz),
            code(e.get(Col::Action).unwrap_or("event"))
        );
        let _ = writeln!(
            o,
            "From {}; event key {}.\n",
            code(e.get(Col::Origin).unwrap_or("?")),
            code(e.key.as_str())
        );
        match &e.raw {
            Some(Ok(raw)) => {
                let info = if raw.trim_start().starts_with(['{', '[']) {
                    "json"
                } else {
                    "text"
                };
                o.push_str(&fenced(info, raw));
                o.push('\n');
            }
            Some(Err(why)) => {
                let _ = writeln!(o, "The record could not be read again: {}\n", text(why));
            }
            None => {}
        }
    }
    if r.appendix_omitted > 0 {
        let _ = writeln!(
            o,
            "The raw records of {} more timeline events are not included here; `heist events` with the same query \
             lists them.\n",
            thousands(r.appendix_omitted as u64)
        );
    }
}

/// Every file of the bundle with its SHA-256: the chain of custody, last so the story comes first.
fn evidence_files(o: &mut String, r: &ReportInput) {
    let s = &r.scope;
    if s.files.is_empty() {
        return;
    }
    o.push_str("## Appendix: evidence files\n\n");
    o.push_str("The bundle's files, with the SHA-256 of each file as it is on disk.\n\n");
    o.push_str("| file | format | events | bytes | SHA-256 |\n|---|---|--:|--:|---|\n");
    for f in &s.files {
        let mut format = tag_list(&f.formats);
        if let Some(why) = &f.not_read {
            if !format.is_empty() {
                format.push_str("; ");
            }
            let _ = write!(format, "not read: {}", text(why));
        }
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            cell(&f.path),
            format,
            thousands(f.events as u64),
            thousands(f.bytes),
            cell(&f.sha256)
        );
    }
    o.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(source: &str, request_id: Option<&str>, bytes: Option<u64>) -> ReportEvent {
        let mut fields = vec![None; Col::OUTPUT.len()];
        let mut set = |c: Col, v: Option<String>| {
            if let Some(i) = Col::OUTPUT.iter().position(|x| *x == c) {
                fields[i] = v;
            }
        };
        set(Col::Source, Some(source.to_string()));
        set(Col::RequestId, request_id.map(str::to_string));
        set(Col::Bytes, bytes.map(|b| b.to_string()));
        ReportEvent {
            key: EventKey::from_text(format!("{source}|{request_id:?}|{bytes:?}")),
            time: 0,
            fields,
            marked: true,
            tags: Vec::new(),
            note: String::new(),
            raw: None,
        }
    }

    #[test]
    fn a_download_logged_by_cloudtrail_and_the_access_log_is_one_call_and_its_bytes_once() {
        let events = [
            ev("cloudtrail", Some("ABC1"), Some(4_938_000_000)),
            ev("s3access", Some("abc1"), Some(4_938_000_000)),
            ev("cloudtrail", Some("ABC2"), None),
            ev("s3access", Some("ABC2"), Some(1_000)),
            ev("azure", Some("corr"), Some(5)),
            ev("azure", Some("corr"), Some(5)),
            ev("cloudtrail", None, Some(7)),
        ];
        assert_eq!(calls_and_bytes(&events), (5, 4_938_001_017));
    }
}

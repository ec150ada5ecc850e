//! `heist export` as an analyst runs it: with a case file, with the case found in the data dir by bundle hash,
//! as CSV and JSON lines, with a query and no marks, and refusing what it must refuse (a path inside the bundle, a
//! corrupt case file).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use heist_core::case::{self, Case, CaseFile, EventInfo};
use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{key, Col};
use heist_core::ingest::{self, LoadOptions, Progress};

fn heist(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heist"))
        .args(args)
        .current_dir(common::root())
        .env(case::DATA_DIR_ENV, data_dir)
        .output()
        .expect("run heist")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "heist failed: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A case on the sample: the four model shards marked and tagged, one with a note; the stolen key tagged.
fn shard_case() -> (Case, usize) {
    let paths = vec![common::sample()];
    let store = ingest::load(&paths, &LoadOptions::default(), &Progress::default()).unwrap();
    let digest = case::digest(&paths).unwrap();
    let mut c = Case::new(digest.bundle_ref(), Some("Dana".into()), 0);
    let df = heist_core::query::filter(
        &store.frame,
        "source:cloudtrail action:GetObject asset:*.safetensors ip:198.51.100.77",
    )
    .unwrap();
    let r = FrameReader::new(&df).unwrap();
    let keys = key::keys(&df).unwrap();
    assert_eq!(
        keys.len(),
        4,
        "the sample has four shards read by the attacker"
    );
    for (i, k) in keys.iter().enumerate() {
        let info = EventInfo {
            time: r.time(i),
            summary: r.text(Col::Asset, i).unwrap_or("").to_string(),
        };
        c.set_mark(k, &info, true);
        c.toggle_event_tag(k, &info, "exfiltrated").unwrap();
        if i == 0 {
            c.set_event_note(
                k,
                &info,
                "First shard, pulled with the session key.\nSee | `pipes`, <b>.",
            );
        }
    }
    c.toggle_entity_tag(
        &Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI"),
        "compromised",
    )
    .unwrap();
    (c, keys.len())
}

fn save(c: &Case, path: &Path) {
    let (f, _) = CaseFile::open(path).unwrap();
    f.save(c).unwrap();
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn exports_the_marked_events_of_a_case_file() {
    let dir = tempfile::tempdir().unwrap();
    let (c, n) = shard_case();
    let case_file = dir.path().join("ir-2026-1005.json");
    save(&c, &case_file);
    let out = dir.path().join("reports/report.md");
    let sample = s(&common::sample());
    let err = ok(&heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&out),
            "--case",
            &s(&case_file),
            "--title",
            "IR-2026-1005",
        ],
        dir.path(),
    ));
    assert!(err.contains(&format!("{n} marked events")), "{err}");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# IR-2026-1005\n"), "{md}");
    assert!(md.contains("**Prepared by:** Dana"), "{md}");
    assert!(md.contains("> **Note on #1:** First shard, pulled with the session key.\\\n> See \\| \\`pipes\\`, \\<b\\>."), "{md}");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`exfiltrated`"))
        .count();
    assert_eq!(rows, n, "{md}");
    assert!(md.contains("## Appendix: raw records"), "{md}");
    assert!(
        md.contains(&format!("**Case file:** `{}`", case_file.display())),
        "{md}"
    );
}

#[test]
fn finds_the_case_in_the_data_dir_by_bundle_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (c, n) = shard_case();
    let digest = case::digest(&[common::sample()]).unwrap();
    let default = case::location::case_file_in(dir.path(), &digest.sha256);
    save(&c, &default);
    let out = dir.path().join("r.md");
    let err = ok(&heist(
        &["export", &s(&common::sample()), "--out", &s(&out)],
        dir.path(),
    ));
    assert!(err.contains(&format!("{n} marked events")), "{err}");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("`compromised`"));
}

#[test]
fn csv_and_jsonl_carry_tags_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let (c, n) = shard_case();
    let case_file = dir.path().join("c.json");
    save(&c, &case_file);
    let csv = dir.path().join("t.csv");
    let sample = s(&common::sample());
    ok(&heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&csv),
            "--case",
            &s(&case_file),
            "--format",
            "csv",
        ],
        dir.path(),
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("time,source,provider,"), "{header}");
    assert!(
        header.ends_with(",key,marked,tags,note,techniques"),
        "{header}"
    );
    assert!(
        text.contains(
            ",true,exfiltrated,\"First shard, pulled with the session key.\nSee | `pipes`, <b>.\","
        ),
        "{text}"
    );
    // Without --format the file name picks it.
    let jsonl = dir.path().join("t.jsonl");
    ok(&heist(
        &[
            "export",
            &sample,
            "-o",
            &s(&jsonl),
            "--case",
            &s(&case_file),
        ],
        dir.path(),
    ));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n);
    assert!(lines
        .iter()
        .all(|v| v["marked"] == true && v["tags"][0] == "exfiltrated"));
    assert!(lines[0]["note"]
        .as_str()
        .unwrap()
        .starts_with("First shard"));
    assert!(lines[1]["note"].is_null());
    assert!(lines[0]["bytes"].is_u64(), "{}", lines[0]);
    assert!(lines[0]["key"]
        .as_str()
        .unwrap()
        .starts_with("cloudtrail|id|"));
}

#[test]
fn without_marks_the_query_makes_the_timeline_and_with_marks_it_narrows_them() {
    let dir = tempfile::tempdir().unwrap();
    let sample = s(&common::sample());
    let out = dir.path().join("q.md");
    let err = ok(&heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&out),
            "--where",
            "token:AKIAQ3EGRZTBACKDR9SV outcome:failure",
        ],
        dir.path(),
    ));
    assert!(err.contains("events matching the query"), "{err}");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("no events are marked: the"), "{md}");
    assert!(!md.contains("| success |"), "only failures: {md}");
    let (c, _) = shard_case();
    let case_file = dir.path().join("c.json");
    save(&c, &case_file);
    let out2 = dir.path().join("narrow.md");
    let err = ok(&heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&out2),
            "--case",
            &s(&case_file),
            "--where",
            "asset:*00001-of-00004*",
            "--marked",
        ],
        dir.path(),
    ));
    assert!(err.contains("1 marked event"), "{err}");
    // Without --marked the query alone makes the timeline, marks or not, and the note says how to narrow it.
    let out3 = dir.path().join("query.md");
    let err = ok(&heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&out3),
            "--case",
            &s(&case_file),
            "--where",
            "asset:*00001-of-00004*",
        ],
        dir.path(),
    ));
    assert!(err.contains("--marked keeps only the marked ones"), "{err}");
    assert!(err.contains("events matching the query"), "{err}");
    let md = std::fs::read_to_string(&out3).unwrap();
    assert!(md.matches("00001-of-00004").count() > 2, "{md}");
    // --marked with nothing marked is an error, not an empty report.
    let o = heist(
        &[
            "export",
            &sample,
            "--out",
            &s(&dir.path().join("none.md")),
            "--marked",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing is marked"));
}

/// `--case NEW.json` starts a case for the bundle and writes it; never inside the bundle.
#[test]
fn a_new_case_file_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let sample = s(&common::sample());
    let case_file = dir.path().join("new-case.json");
    let err = ok(&heist(
        &["export", &sample, "--out", "-", "--case", &s(&case_file)],
        dir.path(),
    ));
    assert!(err.contains("created the case file"), "{err}");
    let text = std::fs::read_to_string(&case_file).unwrap();
    assert!(text.contains("\"bundle\""), "{text}");
    // Opened again: the same case, not a new one.
    let err = ok(&heist(
        &["export", &sample, "--out", "-", "--case", &s(&case_file)],
        dir.path(),
    ));
    assert!(!err.contains("created the case file"), "{err}");
}

#[test]
fn times_in_the_local_zone_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tz.md");
    let o = Command::new(env!("CARGO_BIN_EXE_heist"))
        .args(["export", &s(&common::sample()), "--out", &s(&out)])
        .args(["--where", "action:StopLogging", "--tz", "LOCAL"])
        .env(case::DATA_DIR_ENV, dir.path())
        .env("TZ", "JST-9")
        .output()
        .unwrap();
    ok(&o);
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("all times in local time"), "{md}");
    assert!(md.contains("| 1 | 2026-10-05T11:43:12+09:00 |"), "{md}");
}

#[test]
fn refuses_to_write_into_the_bundle_or_over_a_corrupt_case() {
    let dir = tempfile::tempdir().unwrap();
    // A copy of the sample, so a bug could not touch the real one.
    let bundle = dir.path().join("bundle");
    for f in common::files(&common::sample()) {
        let rel = f.strip_prefix(common::sample()).unwrap();
        let to = bundle.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
    let before = common::files(&bundle);
    let inside: PathBuf = bundle.join("AWSLogs/report.md");
    let o = heist(&["export", &s(&bundle), "--out", &s(&inside)], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("inside the bundle"), "{err}");
    assert_eq!(
        common::files(&bundle),
        before,
        "nothing was written into the bundle"
    );

    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"version\": 1, \"bundle\": {").unwrap();
    let o = heist(
        &[
            "export",
            &s(&bundle),
            "--out",
            &s(&dir.path().join("r.md")),
            "--case",
            &s(&corrupt),
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&s(&corrupt)) && err.contains("left as it is"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&corrupt).unwrap(),
        "{\"version\": 1, \"bundle\": {"
    );
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, "{\"version\": 9}").unwrap();
    let o = heist(
        &[
            "export",
            &s(&bundle),
            "--out",
            &s(&dir.path().join("r.md")),
            "--case",
            &s(&newer),
        ],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("newer heist"));
    assert!(!dir.path().join("r.md").exists());
}

#[test]
fn the_rule_packs_findings_have_a_section_and_mark_the_timeline_events_they_carry() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "export",
        "samples/incident",
        "--where",
        "token:AKIAQ3EGRZTBACKDR9SV",
        "--out",
        "-",
    ];
    let out = heist(&args, dir.path());
    ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    let findings = md.find("## Incidents").expect("an incidents section");
    let timeline = md.find("## Theft timeline").expect("a timeline");
    assert!(findings < timeline);
    let section = &md[findings..timeline];
    assert!(section.contains("`inference-volume-spike`"), "{section}");
    assert!(section.contains("40 InvokeModel in 60m"), "{section}");
    // The backdoor key's invocations carry the spike's techniques in the timeline.
    let rows: Vec<&str> = md[timeline..]
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`InvokeModel`"))
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.contains("T1496.004")), "{rows:#?}");

    let mut without = args.to_vec();
    without.push("--no-findings");
    let out = heist(&without, dir.path());
    ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(!md.contains("## Findings") && !md.contains("## Incidents"));
    assert!(!md.contains("T1496.004"));
}

/// The report on the sample leads with the attack's incident, every step in time order (the OpenAI admin key's
/// marked as linked by time), and folds the routine into the short "Other findings" table: a golden of both.
#[test]
fn the_sample_report_leads_with_the_incident_golden() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "export",
        "samples/incident",
        "--where",
        "ip:198.51.100.77",
        "--out",
        "-",
    ];
    let out = heist(&args, dir.path());
    ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    let start = md.find("## Incidents").expect("an incidents section");
    let end = md.find("## Theft timeline").expect("a timeline");
    // Only the brief comes before the attack.
    let before: Vec<&str> = md[..start]
        .lines()
        .filter(|l| l.starts_with("## "))
        .collect();
    assert_eq!(before, ["## In brief"]);
    let end = md[start..]
        .find("\n## Scope")
        .map_or(end, |i| start + i + 1);
    let section = &md[start..end];
    assert!(section.contains("linked by time alone"), "{section}");
    insta::assert_snapshot!("sample_report_incidents", section);
}

/// A case with an attack scope: the report has its section, and the findings touching it are one incident (in the
/// report and in `heist detect --case`).
#[test]
fn the_cases_attack_scope_has_a_section_and_makes_one_incident() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _) = shard_case();
    c.set_scope_seeds(&[Entity::new(EntityKind::Ip, "198.51.100.77")]);
    let case_file = dir.path().join("case.json");
    save(&c, &case_file);
    let sample = s(&common::sample());
    let out = heist(
        &["export", &sample, "--case", &s(&case_file), "--out", "-"],
        dir.path(),
    );
    ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    let scope = md.find("## Attack scope").expect("an attack scope section");
    let timeline = md.find("## Theft timeline").expect("a timeline");
    assert!(scope < timeline);
    let section = &md[scope..timeline];
    for key in [
        "AKIAQ3EGRZTSTOLEN7CI",
        "ASIAQ3EGRZTEXFIL2MDL",
        "AKIAQ3EGRZTBACKDR9SV",
    ] {
        assert!(section.contains(key), "{key} not in the scope:\n{section}");
    }
    assert!(!section.contains("AKIAQ3EGRZTALICE4DEV"), "{section}");
    // `heist detect --case` groups the findings touching the scope into one incident, which leads.
    let json = heist(
        &["detect", &sample, "--case", &s(&case_file), "--json"],
        dir.path(),
    );
    ok(&json);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &v["incidents"][0];
    let names: Vec<&str> = first["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(names.contains(&"AKIAQ3EGRZTSTOLEN7CI"), "{first}");
    assert!(names.contains(&"198.51.100.77"), "{first}");
}

/// The same call repeated is one timeline row: the backdoor key's 40 invocations of one model within the hour
/// read as `×40` with their first and last time; every event keeps its number for the appendix.
#[test]
fn runs_of_the_same_call_are_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let sample = s(&common::sample());
    let out = heist(
        &[
            "export",
            &sample,
            "--where",
            "token:AKIAQ3EGRZTBACKDR9SV action:InvokeModel",
            "--out",
            "-",
        ],
        dir.path(),
    );
    ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    let timeline = &md[md.find("## Theft timeline").unwrap()..md.find("## Appendix").unwrap()];
    let rows: Vec<&str> = timeline.lines().filter(|l| l.starts_with("| 1")).collect();
    assert_eq!(rows.len(), 1, "{timeline}");
    assert!(
        rows[0].starts_with("| 1–40 | 2026-10-05T03:06:00Z .. "),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("`InvokeModel` ×40"), "{}", rows[0]);
    assert!(
        md.contains("### #40 · "),
        "the appendix numbers every event"
    );
}

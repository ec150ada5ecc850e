//! Evidence is read, never written: the sample as a folder, a zip and a .tar.gz, taken through every command and a
//! TUI session that marks, notes and exports, is byte-identical afterwards, with the same modification times and
//! modes for every file and folder, and no file added.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use heist_core::case::CaseLocation;
use heist_tui::Harness;

/// Every file and folder under `root` (and `root` itself): its bytes (files), mtime and mode.
fn state(root: &Path) -> BTreeMap<PathBuf, (Option<Vec<u8>>, SystemTime, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        let bytes = if m.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            None
        } else {
            Some(std::fs::read(&p).unwrap())
        };
        out.insert(p, (bytes, m.modified().unwrap(), m.permissions().mode()));
    }
    out
}

fn same(
    before: &BTreeMap<PathBuf, (Option<Vec<u8>>, SystemTime, u32)>,
    root: &Path,
    after_what: &str,
) {
    let after = state(root);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files added or removed after {after_what}"
    );
    for (p, b) in before {
        assert!(after[p] == *b, "{} changed after {after_what}", p.display());
    }
}

#[test]
fn every_command_and_a_tui_session_leave_the_evidence_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("evidence");
    let folder = ev.join("incident");
    copy_dir(&common::sample(), &folder);
    std::fs::write(ev.join("incident.zip"), common::zip_dir(&folder)).unwrap();
    std::fs::write(ev.join("incident.tar.gz"), common::tgz_dir(&folder)).unwrap();
    let before = state(&ev);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let token = "token:AKIAQ3EGRZTBACKDR9SV";
    for bundle in ["incident", "incident.zip", "incident.tar.gz"] {
        let b = ev.join(bundle);
        let b = b.to_str().unwrap();
        let md = out.join(format!("{bundle}.md"));
        let csv = out.join(format!("{bundle}.csv"));
        let commands: Vec<Vec<&str>> = vec![
            vec!["summary", b],
            vec!["summary", "--no-cache", b],
            vec!["events", b, "--where", token, "--format", "csv"],
            vec!["events", b, "--where", "~GetObject", "--limit", "5"],
            vec!["entities", b, "--kind", "token"],
            vec!["pivot", b, "--token", &token[6..]],
            vec!["scope", b, "--from", token],
            vec!["find", b, "svc"],
            vec!["detect", b],
            vec![
                "compare",
                b,
                "--entity",
                token,
                "--entity",
                "token:AKIAQ3EGRZTASSIST6PR",
            ],
            vec!["export", b, "--out", md.to_str().unwrap(), "--where", token],
            vec![
                "export",
                b,
                "--out",
                csv.to_str().unwrap(),
                "--where",
                token,
            ],
        ];
        for args in &commands {
            let o = common::heist(args);
            assert!(
                o.status.success(),
                "heist {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            same(&before, &ev, &format!("heist {args:?}"));
        }
        // A TUI session: mark, note, export, quit; its case lives outside the evidence.
        let mut h = Harness::with_case(
            &[PathBuf::from(b)],
            120,
            36,
            CaseLocation::File(out.join(format!("{bundle}.case.json"))),
            out.clone(),
        );
        h.keys(&format!(":{token}<enter><tab>mjmnsuspicious<ctrl-s>"));
        assert_eq!(h.state.case().map_or(0, |c| c.marked().len()), 2);
        h.keys(&format!(
            "e<ctrl-u>{}<enter>",
            out.join(format!("{bundle}.tui.md")).display()
        ));
        h.keys("q");
        drop(h);
        let report = std::fs::read_to_string(out.join(format!("{bundle}.tui.md"))).unwrap();
        assert!(
            report.contains("suspicious"),
            "the session's note is in its report"
        );
        assert!(out.join(format!("{bundle}.case.json")).exists());
        same(&before, &ev, &format!("a TUI session on {bundle}"));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

//! Memory stays bounded whatever the bundle holds: decompression bombs, a huge plain file, a file past the limits
//! beside files that load. Each bundle is made here, at run time, and its peak memory measured on the real binary
//! (the child's maximum resident set, from `wait4`) against heist loading only the good file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::data_dir;

/// A gzip stream of `n` MiB of zeros, written without holding them.
fn zeros_gz(n: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mib = vec![0u8; 1 << 20];
    for _ in 0..n {
        e.write_all(&mib).unwrap();
    }
    e.finish().unwrap()
}

fn good_file(dir: &Path) {
    let rec = serde_json::json!({"Records": [{"eventVersion": "1.08", "eventTime": "2026-10-05T02:13:07Z",
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7", "eventID": "e1", "eventType": "AwsApiCall",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/a", "accessKeyId": "AKIAEXAMPLE"}}]});
    std::fs::write(dir.join("good.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
    peak_mib: u64,
}

/// Run `heist summary --no-cache DIR` with the given limits; its peak resident memory in MiB.
fn summary(dir: &Path, env: &[(&str, &str)]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("out"), out.path().join("err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heist"));
    cmd.args(["summary", "--no-cache"])
        .arg(dir)
        .env(heist_core::case::DATA_DIR_ENV, data_dir())
        .stdout(Stdio::from(std::fs::File::create(&o).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&e).unwrap()));
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Reaped by the wait4 below, which is what gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("run heist");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for the child just spawned, which is waited for here
    // and nowhere else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 on the child");
    Run {
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stdout: std::fs::read_to_string(&o).unwrap(),
        stderr: std::fs::read_to_string(&e).unwrap(),
        // ru_maxrss is in KiB on Linux.
        peak_mib: usage.ru_maxrss as u64 / 1024,
    }
}

const LIMITS: [(&str, &str); 2] = [("HEIST_MAX_FILE_MB", "32"), ("HEIST_MEMORY_MB", "48")];

#[test]
fn bombs_and_huge_files_are_refused_within_the_memory_budget() {
    if !cfg!(target_os = "linux") {
        eprintln!("notice: peak memory is measured with Linux's wait4; skipped here");
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let good = base.path().join("good");
    std::fs::create_dir(&good).unwrap();
    good_file(&good);
    let baseline = summary(&good, &LIMITS);
    assert!(baseline.ok, "{}", baseline.stderr);

    let bad = base.path().join("bundle");
    std::fs::create_dir(&bad).unwrap();
    good_file(&bad);
    // Two bombs of 1 GiB of zeros each (about 1 MiB on disk): past the ratio a log compresses at, and past the file
    // limit long before; a 600 MiB plain file (sparse: nothing written) past the file limit, refused unread.
    let bomb = zeros_gz(1024);
    std::fs::write(bad.join("a.json.gz"), &bomb).unwrap();
    std::fs::write(bad.join("b.json.gz"), &bomb).unwrap();
    std::fs::File::create(bad.join("huge.json"))
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    let run = summary(&bad, &LIMITS);
    assert!(run.ok, "{}", run.stderr);
    let text = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(events_of(&run.stdout), "1", "{text}");
    assert!(text.contains("a.json.gz"), "{text}");
    assert!(text.contains("per-file limit of 32 MiB"), "{text}");
    // The two bombs may each hold up to the file limit at once, and no more: well under what they inflate to (and
    // under the 200 MiB each the ratio alone would have let them take).
    assert!(
        run.peak_mib < baseline.peak_mib + 120,
        "peak {} MiB against {} MiB for the good file alone",
        run.peak_mib,
        baseline.peak_mib
    );
}

#[test]
fn the_memory_budget_holds_files_that_fit_one_at_a_time() {
    if !cfg!(target_os = "linux") {
        eprintln!("notice: peak memory is measured with Linux's wait4; skipped here");
        return;
    }
    // Four gzips of 30 MiB each (under the 32 MiB file limit) with a 48 MiB budget: only one fits at a time, so
    // they are read in turn and all of them load: nothing is refused for memory another file would free.
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("bundle");
    std::fs::create_dir(&dir).unwrap();
    let mut line = String::new();
    let mut n = 0usize;
    while line.len() < 30 << 20 {
        line.push_str(&format!(
            "{{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-10-05T02:13:07Z\",\"eventSource\":\"s3.amazonaws.com\",\
             \"eventName\":\"GetObject\",\"eventID\":\"e{n}\",\"eventType\":\"AwsApiCall\",\"awsRegion\":\"us-east-1\",\
             \"userIdentity\":{{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/a\"}},\"pad\":\"{}\"}}\n",
            "p".repeat(400)
        ));
        n += 1;
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(line.as_bytes()).unwrap();
    let gz = e.finish().unwrap();
    for name in ["a", "b", "c", "d"] {
        std::fs::write(dir.join(format!("{name}.json.gz")), &gz).unwrap();
    }
    let run = summary(&dir, &LIMITS);
    assert!(run.ok, "{}", run.stderr);
    let text = format!("{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("4 read, 0 unreadable"), "{text}");
    // Every copy is the same events: the other three are reported as duplicates of the first.
    assert_eq!(
        events_of(&run.stdout),
        heist_core::util::num::thousands(n),
        "{text}"
    );
}

/// The event count `heist summary` prints.
fn events_of(summary: &str) -> String {
    summary
        .lines()
        .find_map(|l| l.strip_prefix("events"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_default()
        .to_string()
}

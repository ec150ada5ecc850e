//! Shared helpers for the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    // At run time (cargo sets it for the test process), so a binary built in another checkout that shares the
    // target dir still reads this checkout's files.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

pub fn sample() -> PathBuf {
    root().join("samples/incident")
}

/// The data dir the tests' heist runs share (its load cache, its cases): never the machine's own.
pub fn data_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary data dir"))
        .path()
}

pub fn heist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heist"))
        .args(args)
        .current_dir(root())
        .env(heist_core::case::DATA_DIR_ENV, data_dir())
        .output()
        .expect("run heist")
}

pub fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "heist failed: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

/// The public datasets folder, or None (with a notice) when it is absent and not required.
/// `HEIST_REAL_DATA` set (as `.ci/run` does) makes the data required: a missing folder fails the test.
pub fn real_data() -> Option<PathBuf> {
    match std::env::var_os("HEIST_REAL_DATA") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.is_dir(),
                "HEIST_REAL_DATA={} is not a folder: the real-data tests cannot be skipped in CI",
                p.display()
            );
            Some(p)
        }
        None => {
            let p = root().join("../shared/datasets");
            if p.is_dir() {
                Some(p)
            } else {
                eprintln!("NOTICE: ../shared/datasets is absent and HEIST_REAL_DATA unset: real-data test skipped");
                None
            }
        }
    }
}

/// Zip every file under `dir` (stored, paths relative to `dir`'s parent) into memory.
pub fn zip_dir(dir: &Path) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let base = dir.parent().unwrap();
    for f in files(dir) {
        let name = f
            .strip_prefix(base)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        w.start_file(name, opts).unwrap();
        w.write_all(&std::fs::read(&f).unwrap()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// tar.gz every file under `dir` into memory.
pub fn tgz_dir(dir: &Path) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut t = tar::Builder::new(enc);
    let base = dir.parent().unwrap();
    for f in files(dir) {
        t.append_path_with_name(&f, f.strip_prefix(base).unwrap())
            .unwrap();
    }
    t.into_inner().unwrap().finish().unwrap()
}

pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Run heist with `dir` as the working directory (so origins in the output are relative and stable).
pub fn heist_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heist"))
        .args(args)
        .current_dir(dir)
        .env(heist_core::case::DATA_DIR_ENV, data_dir())
        .output()
        .expect("run heist")
}

/// The shipped rule pack's findings on the sample: how many, and how many of them high. Screen tests read these
/// instead of numbers that change whenever a rule is tuned.
pub fn sample_finding_counts() -> (usize, usize) {
    static COUNTS: std::sync::OnceLock<(usize, usize)> = std::sync::OnceLock::new();
    *COUNTS.get_or_init(|| {
        let store = heist_core::ingest::load(
            &[sample()],
            &heist_core::ingest::LoadOptions::with_builtin_mappings(),
            &heist_core::ingest::Progress::default(),
        )
        .expect("the sample loads");
        let found = heist_core::detect::detect_store(
            &store,
            &heist_core::detect::RulePack::builtin().expect("the shipped rules"),
            &heist_core::detect::DetectOptions::default(),
        )
        .expect("detection runs");
        let high = found
            .iter()
            .filter(|f| f.severity == heist_core::detect::Severity::High)
            .count();
        (found.len(), high)
    })
}

/// Load one path (file, folder, archive) with the default options.
pub fn load_path(p: &Path) -> heist_core::frame::EventStore {
    heist_core::ingest::load(
        &[p.to_path_buf()],
        &heist_core::ingest::LoadOptions::default(),
        &heist_core::ingest::Progress::default(),
    )
    .unwrap()
}

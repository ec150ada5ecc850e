//! Reading and writing case files. Saves are atomic: the new content goes to a temporary file in the same folder,
//! is flushed to disk (fsync), renamed over the old file, and the folder is flushed too, so a crash at any moment
//! leaves either the old file or the new one, never a mix. A file that cannot be read (corrupt, or written by a
//! newer heist) is reported with its path and is never overwritten: only a `CaseFile` opened from a readable (or
//! absent) file can save.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::model::{Case, CASE_VERSION};
use super::CaseError;

/// A case file heist may write: it was absent, or it held a case this heist reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    path: PathBuf,
}

impl CaseFile {
    /// Open `path`: `Ok((file, None))` when there is no file yet, `Ok((file, Some(case)))` when it reads, and an
    /// error (and no way to write) when it is corrupt, from a newer heist, or unreadable.
    pub fn open(path: &Path) -> Result<(CaseFile, Option<Case>), CaseError> {
        let case = load(path)?;
        sweep_stale_temps(path, STALE_TEMP);
        Ok((
            CaseFile {
                path: path.to_path_buf(),
            },
            case,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `case` atomically.
    pub fn save(&self, case: &Case) -> Result<(), CaseError> {
        save_atomic(&self.path, case)
    }
}

/// Read a case file; `None` when it does not exist.
pub fn load(path: &Path) -> Result<Option<Case>, CaseError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CaseError::Io {
                path: path.to_path_buf(),
                what: "reading",
                source,
            })
        }
    };
    parse(path, &bytes).map(Some)
}

fn corrupt(path: &Path, reason: impl Into<String>) -> CaseError {
    CaseError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Parse case file bytes, checking the version before the shape so a newer file is named as such.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Case, CaseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(corrupt(path, "the file is empty"));
    }
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| corrupt(path, e.to_string()))?;
    let version = match v.get("version") {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| corrupt(path, format!("version {n} is not a whole number")))?,
        Some(other) => return Err(corrupt(path, format!("version is {other}, not a number"))),
        None => return Err(corrupt(path, "no \"version\" field: not a heist case file")),
    };
    if version > u64::from(CASE_VERSION) {
        return Err(CaseError::Newer {
            path: path.to_path_buf(),
            version,
        });
    }
    if version == 0 {
        return Err(corrupt(path, "version 0 does not exist"));
    }
    let mut case: Case = serde_json::from_value(v).map_err(|e| corrupt(path, e.to_string()))?;
    // Older versions read as they are and are written back as this one (a heist that reads only an older
    // version then refuses the file instead of dropping the fields it does not know).
    case.version = CASE_VERSION;
    Ok(case)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file this old was left by a save that was killed (a save takes well under a second).
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(600);

/// Remove the temporary files that killed saves of `path` left behind (`.<name>.<pid>.<n>.tmp`, older than
/// `age`). Best effort: a file that cannot be removed is left.
fn sweep_stale_temps(path: &Path, age: std::time::Duration) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if !(n.starts_with(&prefix) && n.ends_with(".tmp")) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|a| a >= age);
        if old {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn io<'a>(path: &'a Path, what: &'static str) -> impl FnOnce(std::io::Error) -> CaseError + 'a {
    move |source| CaseError::Io {
        path: path.to_path_buf(),
        what,
        source,
    }
}

/// Write `case` to `path` atomically: temp file in the same folder, write, fsync, rename over, fsync the folder.
pub fn save_atomic(path: &Path, case: &Case) -> Result<(), CaseError> {
    // A case file someone made read-only is not replaced behind their back (a rename would ignore the mode).
    if fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(CaseError::Io {
            path: path.to_path_buf(),
            what: "saving the case",
            source: std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is read-only; it was left as it is",
            ),
        });
    }
    let mut text = serde_json::to_vec_pretty(case).map_err(|e| CaseError::Encode(e.to_string()))?;
    text.push(b'\n');
    write_atomic(path, &text)
}

/// Replace `path` with `bytes` atomically (also used for reports).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CaseError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(io(&dir, "creating the folder"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "case".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io(&tmp, "creating"))?;
        f.write_all(bytes).map_err(io(&tmp, "writing"))?;
        f.sync_all().map_err(io(&tmp, "flushing"))?;
        drop(f);
        fs::rename(&tmp, path).map_err(io(path, "replacing"))?;
        sync_dir(&dir).map_err(io(&dir, "flushing the folder"))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a folder for flushing; the rename itself is durable there once the file is flushed.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::model::BundleRef;
    use crate::frame::EventKey;

    fn sample_case() -> Case {
        let mut c = Case::new(
            BundleRef {
                sha256: "00".repeat(32),
                files: 1,
                bytes: 2,
            },
            None,
            7,
        );
        c.set_mark(
            &EventKey::from_text("k"),
            &crate::case::model::EventInfo::default(),
            true,
        );
        c
    }

    #[test]
    fn absent_file_opens_empty_and_saves() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cases/x.json");
        let (f, c) = CaseFile::open(&p).unwrap();
        assert!(c.is_none());
        let case = sample_case();
        f.save(&case).unwrap();
        assert_eq!(load(&p).unwrap(), Some(case));
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.json")]);
    }

    #[test]
    fn temps_left_by_killed_saves_are_swept_when_old() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        let stale = dir.path().join(".c.json.123.0.tmp");
        let fresh = dir.path().join(".c.json.124.0.tmp");
        let other = dir.path().join(".d.json.123.0.tmp");
        for f in [&stale, &fresh, &other] {
            fs::write(f, "partial").unwrap();
        }
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for f in [&stale, &other] {
            File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
        CaseFile::open(&p).unwrap();
        assert!(!stale.exists(), "an old temp of this case goes");
        assert!(fresh.exists(), "a save in flight elsewhere is left alone");
        assert!(
            other.exists(),
            "another case's temps are not this case's business"
        );
    }

    #[test]
    fn corrupt_and_newer_files_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("{\"version\": 1, \"bundle\": ", "EOF"),
            ("[1,2]", "no \"version\""),
            ("{\"version\": \"1\"}", "not a number"),
            ("{\"version\": 0}", "version 0"),
            ("{\"version\": 1}", "missing field"),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let p = dir.path().join(format!("c{i}.json"));
            fs::write(&p, text).unwrap();
            let e = CaseFile::open(&p).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, CaseError::Corrupt { .. }), "{msg}");
            assert!(msg.contains(&p.display().to_string()), "{msg}");
            assert!(msg.contains(want), "{text:?}: {msg}");
            assert_eq!(fs::read_to_string(&p).unwrap(), *text);
        }
        let p = dir.path().join("newer.json");
        let next = CASE_VERSION + 1;
        let newer = format!("{{\"version\": {next}, \"whatever\": true}}");
        fs::write(&p, &newer).unwrap();
        let e = CaseFile::open(&p).unwrap_err();
        assert!(matches!(e, CaseError::Newer { version, .. } if version == u64::from(next)));
        assert!(e.to_string().contains("newer heist"), "{e}");
        assert_eq!(fs::read_to_string(&p).unwrap(), newer);
    }

    #[test]
    fn save_failure_is_an_error_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        let (f, _) = CaseFile::open(&p).unwrap();
        let case = sample_case();
        f.save(&case).unwrap();
        // A folder where the file should be: the rename fails, the error names the path.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("inner")).unwrap();
        let e = write_atomic(&blocked, b"x").unwrap_err();
        assert!(e.to_string().contains("blocked"), "{e}");
        assert_eq!(load(&p).unwrap(), Some(case));
        let leftovers = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}

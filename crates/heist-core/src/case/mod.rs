//! Case work: the analyst's marks, tags, notes and views on one bundle, bound to it by content hash and autosaved
//! atomically. No terminal here: the TUI and the CLI both build on this.
//!
//! - [`model`]: the case itself (versioned serde data).
//! - [`store`]: atomic save, and a load that refuses corrupt or newer files and never overwrites them.
//! - [`binding`]: the bundle's content hash (and every file's, for the report's scope).
//! - [`location`]: where case files live.

pub mod binding;
pub mod location;
pub mod lock;
pub mod model;
pub mod scope;
pub mod store;

use std::path::PathBuf;

use thiserror::Error;

pub use binding::{digest, BundleDigest, FileDigest};
pub use location::{CaseLocation, DATA_DIR_ENV};
pub use model::{
    Case, EntityKey, EntityNote, EventInfo, EventNote, LastView, SavedView, TimeZone, ViewStep,
    CASE_VERSION,
};
pub use scope::CaseScope;
pub use store::CaseFile;

use crate::util::time::Nanos;

#[derive(Debug, Error)]
pub enum CaseError {
    #[error("{}: {}: {}", path.display(), what, source)]
    Io {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    #[error(
        "{}: not a readable case file ({}); it was left as it is: move it away, or name another file with --case",
        path.display(),
        reason
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "{}: written by a newer heist (case format version {}; this heist reads version {}); it was left as it is",
        path.display(),
        version,
        CASE_VERSION
    )]
    Newer { path: PathBuf, version: u64 },
    #[error("{0}")]
    BadTag(String),
    #[error("encoding the case: {0}")]
    Encode(String),
    #[error("this machine has no data dir for cases: set HEIST_DATA_DIR or pass --case FILE")]
    NoDataDir,
}

/// Now, as nanoseconds since the epoch (UTC).
pub fn now() -> Nanos {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
}

/// A case ready for work.
#[derive(Debug, Clone)]
pub struct OpenedCase {
    /// Where it is saved; `None` when it is kept in memory only.
    pub file: Option<CaseFile>,
    pub case: Case,
    /// No case existed for this bundle yet: this one is new (and not written until the first change).
    pub created: bool,
    /// Something the analyst must know, e.g. the case was made on a different bundle.
    pub warning: Option<String>,
    /// The file is read-only (its permissions say so, or another session has it open): it is read, never
    /// written (`file` is `None`).
    pub read_only: bool,
    /// The session's hold on the case file (see [`open_exclusive`]); released when the last clone is dropped.
    pub lock: Option<std::sync::Arc<lock::CaseLock>>,
}

/// Open the case of the bundle `digest` at `loc`, or start one. Errors (corrupt, newer version, unreadable)
/// name the file; no file is written here.
pub fn open(
    loc: &CaseLocation,
    digest: &BundleDigest,
    now: Nanos,
) -> Result<OpenedCase, CaseError> {
    let new_case = || Case::new(digest.bundle_ref(), location::default_analyst(), now);
    let Some(path) = location::resolve(loc, &digest.sha256)? else {
        return Ok(OpenedCase {
            file: None,
            case: new_case(),
            created: true,
            warning: None,
            read_only: false,
            lock: None,
        });
    };
    let (file, case) = CaseFile::open(&path)?;
    // Someone made the file read-only: respect it. Its case is shown, and nothing is written over it.
    let read_only =
        case.is_some() && std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly());
    let (case, created, warning) = match case {
        Some(c) => {
            let warning = (c.bundle.sha256 != digest.sha256).then(|| {
                format!(
                    "{} was made on another bundle (SHA-256 {}, {} files; this one is {}, {} files): marks and notes \
                     apply to the events with the same keys",
                    path.display(),
                    short(&c.bundle.sha256),
                    c.bundle.files,
                    short(&digest.sha256),
                    digest.files.len()
                )
            });
            (c, false, warning)
        }
        None => (new_case(), true, None),
    };
    if read_only {
        let note = format!(
            "{} is read-only: the case is opened read-only; changes stay in memory and are not saved",
            path.display()
        );
        return Ok(OpenedCase {
            file: None,
            case,
            created,
            warning: Some(match warning {
                Some(w) => format!("{note}. {w}"),
                None => note,
            }),
            read_only: true,
            lock: None,
        });
    }
    Ok(OpenedCase {
        file: Some(file),
        case,
        created,
        warning,
        read_only: false,
        lock: None,
    })
}

/// Open the case as [`open`] does, for a session that will write it: its lock is taken and kept in the result. When
/// another session holds it, the case opens read-only and says why; nothing this session does is saved over the
/// other's work.
pub fn open_exclusive(
    loc: &CaseLocation,
    digest: &BundleDigest,
    now: Nanos,
) -> Result<OpenedCase, CaseError> {
    let mut o = open(loc, digest, now)?;
    let Some(path) = o.file.as_ref().map(|f| f.path().to_path_buf()) else {
        return Ok(o);
    };
    match lock::try_lock(&path) {
        lock::Lock::Held(l) => o.lock = Some(std::sync::Arc::new(l)),
        lock::Lock::Busy => {
            let note = format!(
                "another heist session has {} open: this one opens it read-only; changes stay in memory and are not \
                 saved",
                path.display()
            );
            o.file = None;
            o.read_only = true;
            o.warning = Some(match o.warning.take() {
                Some(w) => format!("{note}. {w}"),
                None => note,
            });
        }
        // No lock to be had (a file system without them): the case opens as it always did.
        lock::Lock::Unavailable(_) => {}
    }
    Ok(o)
}

/// The first 12 hex digits of a hash, for messages.
pub fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first session holds the case; a second opens it read-only with the reason, and writes nothing.
    #[test]
    fn a_second_exclusive_open_is_read_only() {
        let (_dir, d, path, loc) = one_file_bundle();
        let first = open_exclusive(&loc, &d, 1).unwrap();
        assert!(first.lock.is_some() && first.file.is_some());
        first.file.as_ref().unwrap().save(&first.case).unwrap();
        let second = open_exclusive(&loc, &d, 2).unwrap();
        assert!(second.read_only && second.file.is_none() && second.lock.is_none());
        assert!(second
            .warning
            .unwrap()
            .contains("another heist session has"));
        drop(first);
        let third = open_exclusive(&loc, &d, 3).unwrap();
        assert!(!third.read_only && third.lock.is_some());
        assert!(path.exists());
    }

    /// A bundle of one file, its digest, and a case file beside it.
    fn one_file_bundle() -> (tempfile::TempDir, BundleDigest, PathBuf, CaseLocation) {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b");
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(bundle.join("x.json"), "{}").unwrap();
        let d = digest(std::slice::from_ref(&bundle)).unwrap();
        let path = dir.path().join("case.json");
        let loc = CaseLocation::File(path.clone());
        (dir, d, path, loc)
    }

    #[test]
    fn a_read_only_case_file_is_read_and_never_written() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, d, path, loc) = one_file_bundle();
        let mut c = open(&loc, &d, 1).unwrap().case;
        c.analyst = Some("dana".into());
        store::save_atomic(&path, &c).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let o = open(&loc, &d, 2).unwrap();
        assert!(o.read_only && o.file.is_none());
        assert_eq!(o.case.analyst.as_deref(), Some("dana"), "its case is shown");
        assert!(o
            .warning
            .as_deref()
            .is_some_and(|w| w.contains("read-only")));
        // Saving over it is refused too.
        assert!(store::save_atomic(&path, &o.case).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o444);
    }

    #[test]
    fn open_new_then_reopen_and_other_bundle_warns() {
        let (dir, d, path, loc) = one_file_bundle();
        let o = open(&loc, &d, 1).unwrap();
        assert!(o.created && o.warning.is_none());
        assert!(!path.exists(), "opening writes nothing");
        let mut c = o.case;
        c.analyst = Some("dana".into());
        o.file.as_ref().unwrap().save(&c).unwrap();
        let again = open(&loc, &d, 2).unwrap();
        assert!(!again.created);
        assert_eq!(again.case, c);
        let bundle = dir.path().join("b");
        std::fs::write(bundle.join("y.json"), "{}").unwrap();
        let d2 = digest(&[bundle]).unwrap();
        let other = open(&loc, &d2, 3).unwrap();
        let w = other.warning.unwrap();
        assert!(w.contains("another bundle") && w.contains("1 files"), "{w}");
        let mem = open(&CaseLocation::Memory, &d, 4).unwrap();
        assert!(mem.file.is_none() && mem.created);
    }
}

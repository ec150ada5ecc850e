//! One session writes a case at a time. The TUI holds an advisory lock on `<case file>.lock` (beside the case
//! file, never in the evidence) for as long as it has the case open; a second session finds it held and opens the
//! case read-only, saying so, instead of both saving and the later one silently dropping the other's marks. The
//! operating system releases the lock when the process ends, however it ends, so a crash leaves no stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct CaseLock {
    _file: File,
    pub path: PathBuf,
}

/// What trying the lock found.
#[derive(Debug)]
pub enum Lock {
    Held(CaseLock),
    /// Another session holds it.
    Busy,
    /// The lock file cannot be made or the file system has no locks: the case opens as before, unguarded, and
    /// this says why.
    Unavailable(String),
}

/// The lock file of the case file `case`.
pub fn lock_path(case: &Path) -> PathBuf {
    let mut name = case
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    case.with_file_name(name)
}

/// Try to take the lock of the case file `case`, without waiting.
pub fn try_lock(case: &Path) -> Lock {
    let path = lock_path(case);
    let file = match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) => return Lock::Unavailable(format!("{}: {e}", path.display())),
    };
    match file.try_lock() {
        Ok(()) => Lock::Held(CaseLock { _file: file, path }),
        Err(TryLockError::WouldBlock) => Lock::Busy,
        Err(TryLockError::Error(e)) => Lock::Unavailable(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_finds_it_busy_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("case.json");
        assert_eq!(lock_path(&case), dir.path().join("case.json.lock"));
        let Lock::Held(first) = try_lock(&case) else {
            panic!("the first session takes the lock")
        };
        assert!(matches!(try_lock(&case), Lock::Busy));
        drop(first);
        assert!(matches!(try_lock(&case), Lock::Held(_)));
    }
}

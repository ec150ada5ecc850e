//! Where a case lives: `<data dir>/cases/<bundle sha256>.json` (the data dir from `HEIST_DATA_DIR`, else the
//! platform's, e.g. `~/.local/share/heist`), or a file the analyst names with `--case FILE`.

use std::path::{Path, PathBuf};

use super::CaseError;

/// Overrides the data dir (tests, portable use).
pub const DATA_DIR_ENV: &str = "HEIST_DATA_DIR";

/// How the analyst asked for the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseLocation {
    /// The data dir, by bundle hash.
    Default,
    /// `--case FILE`.
    File(PathBuf),
    /// Kept in memory only, never written (tests of the UI, or no data dir on this machine).
    Memory,
}

/// heist's data dir: `HEIST_DATA_DIR` when set, else the platform's.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => directories::ProjectDirs::from("", "", "heist").map(|d| d.data_dir().to_path_buf()),
    }
}

/// The default case file of a bundle, under `data_dir`.
pub fn case_file_in(data_dir: &Path, bundle_sha256: &str) -> PathBuf {
    data_dir.join("cases").join(format!("{bundle_sha256}.json"))
}

/// The file a case is read from and saved to; `None` for a case kept in memory.
pub fn resolve(loc: &CaseLocation, bundle_sha256: &str) -> Result<Option<PathBuf>, CaseError> {
    match loc {
        CaseLocation::File(p) => Ok(Some(p.clone())),
        CaseLocation::Memory => Ok(None),
        CaseLocation::Default => data_dir()
            .map(|d| Some(case_file_in(&d, bundle_sha256)))
            .ok_or(CaseError::NoDataDir),
    }
}

/// The analyst's name for a new case: `HEIST_ANALYST`, else the login name.
pub fn default_analyst() -> Option<String> {
    ["HEIST_ANALYST", "USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_is_under_cases_by_hash() {
        let p = case_file_in(Path::new("/d"), "abc");
        assert_eq!(p, PathBuf::from("/d/cases/abc.json"));
        let f = resolve(&CaseLocation::File("/x/c.json".into()), "abc").unwrap();
        assert_eq!(f, Some(PathBuf::from("/x/c.json")));
        assert_eq!(resolve(&CaseLocation::Memory, "abc").unwrap(), None);
    }
}

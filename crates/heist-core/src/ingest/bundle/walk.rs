//! Walking the paths of a bundle: the files to read, in a deterministic order, and what was passed over.

use std::path::{Path, PathBuf};

/// What walking the bundle's paths found: the files to read, and what it passed over, each with why.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    /// Left out by design (a symlink to a file outside the bundle).
    pub skipped: Vec<(PathBuf, String)>,
    /// Could not be read (a subfolder without permission); the rest of the bundle still loads.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Every regular file under the given paths (see [`walk_all`]).
pub fn walk(paths: &[PathBuf]) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    walk_all(paths).map(|w| w.files)
}

/// Every regular file under the given paths, sorted so loads are deterministic: a folder's entries in name order,
/// each subfolder's files where the subfolder sits. Symlinks to files inside the bundle are followed; symlinks to
/// folders are not, and symlinks to files outside it are listed as skipped. A subfolder that cannot be read is
/// listed and the walk goes on. A path given that does not exist or cannot be read, or that is not a file or a
/// folder, is an error for the caller to report before anything loads.
pub fn walk_all(paths: &[PathBuf]) -> Result<Walked, (PathBuf, std::io::Error)> {
    let mut out = Walked::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| (p.clone(), e))?;
        if meta.is_dir() {
            walk_dir(p, &mut out).map_err(|e| (p.clone(), e))?;
        } else if meta.is_file() {
            out.files.push(p.clone());
        } else {
            // A FIFO or a device would be read forever (`/dev/zero`) or block (a pipe no one writes).
            return Err((
                p.clone(),
                std::io::Error::other(
                    "not a regular file (a pipe, device or socket): heist reads files, folders and archives",
                ),
            ));
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Walked) -> std::io::Result<()> {
    let root = std::fs::canonicalize(dir)?;
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let reason = e
                    .io_error()
                    .map(|io| io.to_string())
                    .unwrap_or_else(|| e.to_string());
                match e.path() {
                    // Something under the root: list it and go on with the rest.
                    Some(p) if p != dir => {
                        out.unreadable
                            .push((p.to_path_buf(), format!("cannot read: {reason}")));
                        continue;
                    }
                    _ => {
                        return Err(e
                            .into_io_error()
                            .unwrap_or_else(|| std::io::Error::other(reason)))
                    }
                }
            }
        };
        let ft = entry.file_type();
        if ft.is_file() {
            out.files.push(entry.into_path());
        } else if ft.is_symlink() && entry.path().is_file() {
            let inside = std::fs::canonicalize(entry.path())
                .map(|t| t.starts_with(&root))
                .unwrap_or(false);
            if inside {
                out.files.push(entry.into_path());
            } else {
                out.skipped.push((
                    entry.into_path(),
                    "a symlink to a file outside the bundle: not followed".into(),
                ));
            }
        }
    }
    Ok(())
}

/// The display path of a file on disk: relative to the input root it was found under.
pub fn display_path(file: &Path, roots: &[PathBuf]) -> String {
    for r in roots {
        if r.is_dir() {
            if let Ok(rel) = file.strip_prefix(r) {
                let name = r
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let rel = rel.to_string_lossy();
                return if name.is_empty() {
                    rel.into_owned()
                } else {
                    format!("{name}/{rel}")
                };
            }
        }
    }
    file.to_string_lossy().into_owned()
}

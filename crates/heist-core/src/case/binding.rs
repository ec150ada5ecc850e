//! Binding a case to its bundle: the SHA-256 of every input file's bytes as stored on disk (archives hashed whole,
//! never opened for this), hashed in parallel, combined over the files sorted by their names relative to the input
//! roots. The same evidence gives the same hash wherever it is copied to; any change to any file gives another.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::model::BundleRef;
use super::CaseError;
use crate::ingest::bundle;

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// As the report shows it: the same display path the events' `origin` starts with.
    pub path: String,
    /// Where it is on disk.
    pub fs_path: PathBuf,
    pub bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// Every input file with its hash, and the combined hash that names the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleDigest {
    pub sha256: String,
    /// Sorted by `path`.
    pub files: Vec<FileDigest>,
}

impl BundleDigest {
    pub fn bundle_ref(&self) -> BundleRef {
        BundleRef {
            sha256: self.sha256.clone(),
            files: self.files.len(),
            bytes: self.files.iter().map(|f| f.bytes).sum(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((total, hex(&h.finalize())))
}

/// The name a file is bound by: relative to the folder it was found under (so copying the bundle elsewhere keeps
/// the binding), or its file name when it was given directly.
fn binding_name(file: &Path, roots: &[PathBuf]) -> String {
    for r in roots {
        if r.is_dir() {
            if let Ok(rel) = file.strip_prefix(r) {
                return rel.to_string_lossy().replace('\\', "/");
            }
        }
    }
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string_lossy().into_owned())
}

/// Hash every file of the bundle at `paths`.
pub fn digest(paths: &[PathBuf]) -> Result<BundleDigest, CaseError> {
    let files = bundle::walk(paths).map_err(|(path, source)| CaseError::Io {
        path,
        what: "listing the bundle",
        source,
    })?;
    let mut hashed: Vec<(String, FileDigest)> = files
        .par_iter()
        .map(|f| {
            let (bytes, sha256) = hash_file(f).map_err(|source| CaseError::Io {
                path: f.clone(),
                what: "hashing",
                source,
            })?;
            Ok((
                binding_name(f, paths),
                FileDigest {
                    path: bundle::display_path(f, paths),
                    fs_path: f.clone(),
                    bytes,
                    sha256,
                },
            ))
        })
        .collect::<Result<_, CaseError>>()?;
    hashed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.sha256.cmp(&b.1.sha256)));
    let mut h = Sha256::new();
    for (name, f) in &hashed {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(f.sha256.as_bytes());
        h.update(b"\n");
    }
    let sha256 = hex(&h.finalize());
    let mut files: Vec<FileDigest> = hashed.into_iter().map(|(_, f)| f).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(BundleDigest { sha256, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, data: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    #[test]
    fn known_file_hash() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b/abc.txt", b"abc");
        let d = digest(&[dir.path().join("b")]).unwrap();
        assert_eq!(d.files.len(), 1);
        assert_eq!(
            d.files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.files[0].bytes, 3);
        assert_eq!(d.files[0].path, "b/abc.txt");
    }

    #[test]
    fn same_evidence_anywhere_same_hash_any_change_another() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for d in [
            one.path().join("incident"),
            two.path().join("copy-of-incident"),
        ] {
            write(&d, "a/x.json", b"{\"k\":1}");
            write(&d, "b.log", b"line\n");
        }
        let a = digest(&[one.path().join("incident")]).unwrap();
        let b = digest(&[two.path().join("copy-of-incident")]).unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.bundle_ref().files, 2);
        assert_eq!(a.bundle_ref().bytes, 12);
        // One byte changed.
        write(&two.path().join("copy-of-incident"), "b.log", b"lime\n");
        let c = digest(&[two.path().join("copy-of-incident")]).unwrap();
        assert_ne!(a.sha256, c.sha256);
        // A file renamed.
        let three = tempfile::tempdir().unwrap();
        write(&three.path().join("i"), "a/x.json", b"{\"k\":1}");
        write(&three.path().join("i"), "c.log", b"line\n");
        assert_ne!(digest(&[three.path().join("i")]).unwrap().sha256, a.sha256);
    }

    #[test]
    fn missing_input_is_an_error_naming_it() {
        let e = digest(&[PathBuf::from("/nonexistent/heist-bundle")]).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/heist-bundle"), "{e}");
    }
}

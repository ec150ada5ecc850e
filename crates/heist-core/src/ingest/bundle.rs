//! Opening bundles exactly as received: files, folders (walked recursively), `.gz`, `.zip`, `.tar`, `.tar.gz`/`.tgz`,
//! and archives nested inside those. Containers are recognised by their magic bytes, not their names, and are read
//! in memory: nothing is ever extracted to disk or written next to the evidence.

use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use crate::frame::store::{Layer, Locator};

/// Largest decompressed member heist will hold (a gzip bomb is reported, not obeyed).
pub const MAX_MEMBER_BYTES: u64 = 8 << 30;

/// A file's bytes after every container layer is opened.
pub struct Leaf {
    pub origin: String,
    pub locator: Locator,
    pub bytes: Vec<u8>,
}

/// What one path in the bundle turned into.
pub enum Opened {
    Leaf(Leaf),
    /// A file or member that could not be opened (corrupt archive, unreadable file), with why.
    Failed {
        origin: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Gzip,
    Zip,
    Tar,
    Plain,
}

pub fn container_of(b: &[u8]) -> Container {
    if b.starts_with(&[0x1f, 0x8b]) {
        Container::Gzip
    } else if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        Container::Zip
    } else if b.len() >= 262 && &b[257..262] == b"ustar" {
        Container::Tar
    } else {
        Container::Plain
    }
}

/// Every regular file under the given paths, sorted so loads are deterministic: a folder's entries in name order,
/// each subfolder's files where the subfolder sits. Symlinks to files are followed, symlinks to folders are not. Paths
/// that do not exist, and folders that cannot be read, are errors for the caller to report before anything loads.
pub fn walk(paths: &[PathBuf]) -> Result<Vec<PathBuf>, (PathBuf, std::io::Error)> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| (p.clone(), e))?;
        if meta.is_dir() {
            walk_dir(p, &mut out).map_err(|e| (p.clone(), e))?;
        } else if meta.is_file() {
            out.push(p.clone());
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

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let msg = e.to_string();
            e.into_io_error()
                .unwrap_or_else(|| std::io::Error::other(msg))
        })?;
        let ft = entry.file_type();
        if ft.is_file() || (ft.is_symlink() && entry.path().is_file()) {
            out.push(entry.into_path());
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

/// Open one file from disk and every container inside it, calling `sink` for each leaf in order. Zip members are
/// opened in parallel.
pub fn open_file(path: &Path, origin: String, sink: &(dyn Fn(Opened) + Sync)) -> u64 {
    let locator = Locator {
        fs_path: path.to_path_buf(),
        layers: Vec::new(),
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            sink(Opened::Failed {
                origin,
                reason: format!("cannot open: {e}"),
            });
            return 0;
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut magic = [0u8; 262];
    let n = read_up_to(&mut file, &mut magic);
    if container_of(&magic[..n]) == Container::Zip {
        // Zip: random access from the file, one handle per worker, members in parallel.
        open_zip_file(path, &origin, &locator, sink);
        return size;
    }
    let mut bytes = Vec::with_capacity(size as usize);
    bytes.extend_from_slice(&magic[..n]);
    if let Err(e) = file.read_to_end(&mut bytes) {
        sink(Opened::Failed {
            origin,
            reason: format!("cannot read: {e}"),
        });
        return size;
    }
    expand(bytes, origin, locator, sink);
    size
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

/// Open whatever container `bytes` is, recursively.
pub fn expand(bytes: Vec<u8>, origin: String, locator: Locator, sink: &(dyn Fn(Opened) + Sync)) {
    match container_of(&bytes) {
        Container::Plain => sink(Opened::Leaf(Leaf {
            origin,
            locator,
            bytes,
        })),
        Container::Gzip => match gunzip(&bytes) {
            Ok(out) => {
                drop(bytes);
                let mut loc = locator;
                loc.layers.push(Layer::Gunzip);
                expand(out, origin, loc, sink)
            }
            Err(reason) => sink(Opened::Failed { origin, reason }),
        },
        Container::Zip => {
            let open = || {
                zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
                    .map_err(|e| format!("corrupt zip archive: {e}"))
            };
            each_zip_member(open, &origin, &locator, sink)
        }
        Container::Tar => open_tar(&bytes, &origin, &locator, sink),
    }
}

/// Decompress a gzip stream (all members), refusing output past `MAX_MEMBER_BYTES`.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(1 << 30));
    let mut dec = MultiGzDecoder::new(bytes).take(MAX_MEMBER_BYTES + 1);
    match dec.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_MEMBER_BYTES => Err(format!(
            "decompresses past {} GiB; refusing (possible gzip bomb)",
            MAX_MEMBER_BYTES >> 30
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(format!("corrupt or truncated gzip: {e}")),
    }
}

fn member_origin(parent: &str, name: &str) -> String {
    format!("{parent}!/{name}")
}

fn open_zip_file(path: &Path, origin: &str, locator: &Locator, sink: &(dyn Fn(Opened) + Sync)) {
    let open = || -> Result<zip::ZipArchive<std::io::BufReader<File>>, String> {
        let f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
        zip::ZipArchive::new(std::io::BufReader::new(f))
            .map_err(|e| format!("corrupt zip archive: {e}"))
    };
    // Each worker reads members through its own file handle.
    each_zip_member(open, origin, locator, sink)
}

fn each_zip_member<R: Read + Seek, F: Fn() -> Result<zip::ZipArchive<R>, String> + Sync>(
    open: F,
    origin: &str,
    locator: &Locator,
    sink: &(dyn Fn(Opened) + Sync),
) {
    let n = match open() {
        Ok(a) => a.len(),
        Err(reason) => {
            return sink(Opened::Failed {
                origin: origin.to_string(),
                reason,
            })
        }
    };
    (0..n).into_par_iter().for_each_init(
        || open().ok(),
        |ar, i| {
            let Some(ar) = ar.as_mut() else { return };
            let mut entry = match ar.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    return sink(Opened::Failed {
                        origin: member_origin(origin, &format!("#{i}")),
                        reason: format!("unreadable zip member: {e}"),
                    })
                }
            };
            if entry.is_dir() {
                return;
            }
            let name = entry
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| format!("#{i}"));
            let child = member_origin(origin, &name);
            if entry.size() > MAX_MEMBER_BYTES {
                return sink(Opened::Failed {
                    origin: child,
                    reason: "member larger than the 8 GiB limit".into(),
                });
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            if let Err(e) = entry.read_to_end(&mut bytes) {
                return sink(Opened::Failed {
                    origin: child,
                    reason: format!("corrupt zip member: {e}"),
                });
            }
            let mut loc = locator.clone();
            loc.layers.push(Layer::ZipEntry(name));
            expand(bytes, child, loc, sink);
        },
    );
}

/// Tar members are read in order (a tar stream has no index) and handed to workers in batches.
fn open_tar(bytes: &[u8], origin: &str, locator: &Locator, sink: &(dyn Fn(Opened) + Sync)) {
    const BATCH_BYTES: usize = 64 << 20;
    let mut archive = tar::Archive::new(bytes);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            return sink(Opened::Failed {
                origin: origin.to_string(),
                reason: format!("corrupt tar: {e}"),
            })
        }
    };
    let mut pending: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pending_bytes = 0;
    let flush = |pending: &mut Vec<(String, Vec<u8>)>| {
        std::mem::take(pending)
            .into_par_iter()
            .for_each(|(name, data)| {
                let mut loc = locator.clone();
                loc.layers.push(Layer::TarEntry(name.clone()));
                expand(data, member_origin(origin, &name), loc, sink);
            });
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                sink(Opened::Failed {
                    origin: origin.to_string(),
                    reason: format!("corrupt tar entry: {e}"),
                });
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "?".into());
        let mut data = Vec::with_capacity(entry.size() as usize);
        if let Err(e) = entry.read_to_end(&mut data) {
            sink(Opened::Failed {
                origin: member_origin(origin, &name),
                reason: format!("corrupt tar member: {e}"),
            });
            break;
        }
        pending_bytes += data.len();
        pending.push((name, data));
        if pending_bytes >= BATCH_BYTES {
            flush(&mut pending);
            pending_bytes = 0;
        }
    }
    flush(&mut pending);
}

/// Read a file's decoded bytes again by its locator (for showing a raw record).
pub fn reopen(loc: &Locator) -> Result<Vec<u8>, String> {
    let mut bytes =
        std::fs::read(&loc.fs_path).map_err(|e| format!("{}: {e}", loc.fs_path.display()))?;
    for layer in &loc.layers {
        bytes = match layer {
            Layer::Gunzip => gunzip(&bytes)?,
            Layer::ZipEntry(name) => {
                let mut ar = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
                    .map_err(|e| e.to_string())?;
                let mut entry = ar.by_name(name).map_err(|e| format!("{name}: {e}"))?;
                let mut out = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut out).map_err(|e| e.to_string())?;
                out
            }
            Layer::TarEntry(name) => {
                let mut ar = tar::Archive::new(bytes.as_slice());
                let mut found = None;
                for entry in ar.entries().map_err(|e| e.to_string())? {
                    let mut entry = entry.map_err(|e| e.to_string())?;
                    let this = entry
                        .path()
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if &this == name {
                        let mut out = Vec::new();
                        entry.read_to_end(&mut out).map_err(|e| e.to_string())?;
                        found = Some(out);
                        break;
                    }
                }
                found.ok_or_else(|| format!("{name}: no longer in the archive"))?
            }
        };
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::Mutex;

    fn collect(bytes: Vec<u8>) -> Vec<(String, Result<Vec<u8>, String>)> {
        let out = Mutex::new(Vec::new());
        let sink = |o: Opened| {
            let item = match o {
                Opened::Leaf(l) => (l.origin, Ok(l.bytes)),
                Opened::Failed { origin, reason } => (origin, Err(reason)),
            };
            out.lock().unwrap().push(item);
        };
        let loc = Locator {
            fs_path: "b".into(),
            layers: vec![],
        };
        expand(bytes, "b".into(), loc, &sink);
        let mut v = out.into_inner().unwrap();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_inside_zip_is_opened_in_memory() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("a/x.json.gz", o).unwrap();
        w.write_all(&gz(b"{\"k\":1}")).unwrap();
        w.start_file("b.txt", o).unwrap();
        w.write_all(b"hello").unwrap();
        let zip = w.finish().unwrap().into_inner();
        let got = collect(zip);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], ("b!/a/x.json.gz".into(), Ok(b"{\"k\":1}".to_vec())));
        assert_eq!(got[1], ("b!/b.txt".into(), Ok(b"hello".to_vec())));
    }

    #[test]
    fn corrupt_containers_are_reported_not_fatal() {
        let mut bad = gz(b"{\"k\":1}");
        bad.truncate(bad.len() / 2);
        let got = collect(bad);
        assert!(got[0].1.as_ref().unwrap_err().contains("gzip"), "{got:?}");
        let got = collect(b"PK\x03\x04garbage".to_vec());
        assert!(got[0].1.as_ref().unwrap_err().contains("zip"), "{got:?}");
    }

    #[test]
    fn walk_is_name_ordered_depth_first_and_skips_folder_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bundle");
        for f in [
            "b/2.json",
            "b/1.json",
            "a.json",
            "c.json",
            "b/z/9.json",
            "outside/x.json",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "{}").unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("outside"), root.join("d-link")).unwrap();
            std::os::unix::fs::symlink(root.join("a.json"), root.join("e-link.json")).unwrap();
            std::os::unix::fs::symlink(root.join("gone"), root.join("f-broken")).unwrap();
        }
        let got = walk(std::slice::from_ref(&root)).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let mut want = vec!["a.json", "b/1.json", "b/2.json", "b/z/9.json", "c.json"];
        if cfg!(unix) {
            want.push("e-link.json");
        }
        want.push("outside/x.json");
        assert_eq!(names, want);
        let missing = root.join("nope");
        let (path, err) = walk(&[root.join("a.json"), missing.clone()]).unwrap_err();
        assert_eq!((path, err.kind()), (missing, std::io::ErrorKind::NotFound));
    }

    #[test]
    fn reopen_follows_layers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.gz");
        std::fs::write(&p, gz(b"abc")).unwrap();
        let loc = Locator {
            fs_path: p,
            layers: vec![Layer::Gunzip],
        };
        assert_eq!(reopen(&loc).unwrap(), b"abc");
    }
}

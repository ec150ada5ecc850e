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

/// Containers nested deeper than this (a zip in a zip in a zip...) are reported, not opened: real bundles nest a
/// few levels (a `.zip` of `.tar.gz` of `.json.gz`); thousands of levels are an attack on the reader's stack.
pub const MAX_DEPTH: usize = 16;

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
    /// An archive member heist does not read by design (a tar symlink, device or FIFO entry), with why.
    Skipped {
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
    if size > MAX_MEMBER_BYTES {
        // Read whole, it would take its size in memory and more: said, not attempted.
        sink(Opened::Failed {
            origin,
            reason: format!(
                "a file of {} GiB, past the {} GiB heist reads as one file: split it (e.g. `split -l`), or filter it \
                 first",
                size >> 30,
                MAX_MEMBER_BYTES >> 30
            ),
        });
        return size;
    }
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

/// Open whatever container `bytes` is, recursively, down to [`MAX_DEPTH`] containers.
pub fn expand(bytes: Vec<u8>, origin: String, locator: Locator, sink: &(dyn Fn(Opened) + Sync)) {
    let container = container_of(&bytes);
    if container != Container::Plain && locator.layers.len() >= MAX_DEPTH {
        return sink(Opened::Failed {
            origin,
            reason: format!(
                "an archive nested more than {MAX_DEPTH} containers deep: not opened (possible archive bomb)"
            ),
        });
    }
    match container {
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

/// Logs compress 10 to 30 times, rarely 100; past this many times its compressed size (and `BOMB_FLOOR`), an
/// archive member is a decompression bomb and is refused as its bytes arrive, before it takes the machine's memory.
pub const MAX_RATIO: u64 = 200;
/// Below this much output the ratio is not judged (a small, very repetitive file is no threat).
pub const BOMB_FLOOR: u64 = 64 << 20;
/// The most memory reserved ahead on an archive header's word; buffers grow past it with the bytes that arrive.
const PREALLOC_MAX: u64 = 64 << 20;

/// Decompress a gzip stream (all members), refusing output past `MAX_MEMBER_BYTES` or `MAX_RATIO` times its size.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let dec = MultiGzDecoder::new(bytes);
    inflate_bounded(dec, bytes.len() as u64, "gzip")
}

/// Read a decompressing stream of `compressed` bytes to its end, stopping as soon as its output passes
/// `MAX_MEMBER_BYTES` or `MAX_RATIO` times `compressed` (past `BOMB_FLOOR`): no more than one byte past the limit is
/// ever inflated. The error says why, naming the stream `what` (`gzip`, `zip member`).
fn inflate_bounded<R: Read>(r: R, compressed: u64, what: &str) -> Result<Vec<u8>, String> {
    let limit = MAX_MEMBER_BYTES.min(compressed.saturating_mul(MAX_RATIO).max(BOMB_FLOOR));
    // Sizes in headers are the archive's word, not a promise: reserve little, grow with what arrives.
    let mut out = Vec::with_capacity(compressed.saturating_mul(8).min(PREALLOC_MAX) as usize);
    match r.take(limit + 1).read_to_end(&mut out) {
        Err(e) => Err(format!("corrupt or truncated {what}: {e}")),
        Ok(_) if out.len() as u64 <= limit => Ok(out),
        Ok(_) if limit == MAX_MEMBER_BYTES => Err(format!(
            "{what} that decompresses past {} GiB: refused (possible decompression bomb)",
            MAX_MEMBER_BYTES >> 30
        )),
        Ok(_) => Err(format!(
            "{what} that decompresses more than {MAX_RATIO} times its size ({compressed} bytes to over {} MiB): \
             refused as a decompression bomb",
            limit >> 20
        )),
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
            let compressed = entry.compressed_size().max(1);
            let bytes = match inflate_bounded(&mut entry, compressed, "zip member") {
                Ok(b) => b,
                Err(reason) => {
                    return sink(Opened::Failed {
                        origin: child,
                        reason,
                    })
                }
            };
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
        let kind = entry.header().entry_type();
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "?".into());
        if !kind.is_file() {
            // Folders hold nothing to read; links and special files are listed, never followed.
            let what = match kind {
                tar::EntryType::Directory => None,
                tar::EntryType::Symlink => Some("a symlink entry (links are not followed)"),
                tar::EntryType::Link => Some("a hard link entry (links are not followed)"),
                tar::EntryType::Char | tar::EntryType::Block => Some("a device entry"),
                tar::EntryType::Fifo => Some("a FIFO entry"),
                tar::EntryType::XGlobalHeader
                | tar::EntryType::XHeader
                | tar::EntryType::GNULongName
                | tar::EntryType::GNULongLink => None,
                _ => Some("an entry that is not a regular file"),
            };
            if let Some(what) = what {
                sink(Opened::Skipped {
                    origin: member_origin(origin, &name),
                    reason: format!("tar {what}: not read"),
                });
            }
            continue;
        }
        // A header may claim any size: reserve no more than the archive holds.
        let mut data =
            Vec::with_capacity(entry.size().min(bytes.len() as u64).min(PREALLOC_MAX) as usize);
        let claimed = entry.size();
        if let Err(e) = entry.read_to_end(&mut data) {
            sink(Opened::Failed {
                origin: member_origin(origin, &name),
                reason: format!("corrupt tar member: {e}"),
            });
            break;
        }
        if (data.len() as u64) < claimed {
            // The archive ends inside this member: what it holds is not the file its header describes.
            sink(Opened::Failed {
                origin: member_origin(origin, &name),
                reason: format!(
                    "truncated tar member: its header says {claimed} bytes, the archive holds {}",
                    data.len()
                ),
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
                let compressed = entry.compressed_size().max(1);
                inflate_bounded(&mut entry, compressed, "zip member")?
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
mod tests;

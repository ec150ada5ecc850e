//! Opening bundles exactly as received: files, folders (walked recursively), `.gz`, `.zip`, `.tar`, `.tar.gz`/`.tgz`,
//! and archives nested inside those. Containers are recognised by their magic bytes, not their names, and are read
//! in memory: nothing is ever extracted to disk or written next to the evidence.

use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use super::budget::{size_words, Budget, Held, Limits, ReadError};
use crate::frame::store::{Layer, Locator};

/// Containers nested deeper than this (a zip in a zip in a zip...) are reported, not opened: real bundles nest a
/// few levels (a `.zip` of `.tar.gz` of `.json.gz`); thousands of levels are an attack on the reader's stack.
pub const MAX_DEPTH: usize = 16;

/// A file's bytes after every container layer is opened.
pub struct Leaf {
    pub origin: String,
    pub locator: Locator,
    pub bytes: Vec<u8>,
    /// The memory budget `bytes` hold, given back when the leaf is dropped.
    pub held: Held,
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

mod walk;
pub use walk::{display_path, walk, walk_all, Walked};

/// Opens files and the containers inside them within one load's [`Budget`], handing each leaf (or failure) to
/// `sink` as it is found.
pub struct Opener<'a> {
    pub budget: &'a Budget,
    pub sink: &'a (dyn Fn(Opened) + Sync),
}

impl Opener<'_> {
    fn fail(&self, origin: impl Into<String>, reason: impl Into<String>) {
        (self.sink)(Opened::Failed {
            origin: origin.into(),
            reason: reason.into(),
        })
    }

    /// Open one file from disk and every container inside it. Zip members are opened in parallel. Returns the
    /// file's size on disk.
    pub fn open_file(&self, path: &Path, origin: String) -> u64 {
        let locator = Locator {
            fs_path: path.to_path_buf(),
            layers: Vec::new(),
        };
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.fail(origin, format!("cannot open: {e}"));
                return 0;
            }
        };
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let max_file = self.budget.limits().max_file;
        let mut magic = [0u8; 262];
        let n = read_up_to(&mut file, &mut magic);
        if container_of(&magic[..n]) == Container::Zip {
            // Zip: random access from the file, one handle per worker, members in parallel.
            self.open_zip_file(path, &origin, &locator);
            return size;
        }
        if size > max_file {
            // Read whole, it would take its size in memory and more: said, not attempted.
            self.fail(
                origin,
                format!(
                    "a file of {}, past the per-file limit of {} (HEIST_MAX_FILE_MB): not read; split it (e.g. \
                     `split -l`), filter it first, or raise the limit",
                    size_words(size),
                    size_words(max_file)
                ),
            );
            return size;
        }
        let read = self
            .budget
            .read_all(Cursor::new(&magic[..n]).chain(file), None, size, "file");
        match read {
            Ok((bytes, held)) => self.expand(bytes, held, origin, locator),
            Err(e) => self.fail(origin, read_reason(e, "file")),
        }
        size
    }

    /// Open whatever container `bytes` is, recursively, down to [`MAX_DEPTH`] containers. `held` is the memory
    /// `bytes` hold; it is given back when they are dropped.
    pub fn expand(&self, bytes: Vec<u8>, mut held: Held, origin: String, locator: Locator) {
        held.adopt();
        let container = container_of(&bytes);
        if container != Container::Plain && locator.layers.len() >= MAX_DEPTH {
            return self.fail(
                origin,
                format!(
                    "an archive nested more than {MAX_DEPTH} containers deep: not opened (possible archive bomb)"
                ),
            );
        }
        match container {
            Container::Plain => (self.sink)(Opened::Leaf(Leaf {
                origin,
                locator,
                bytes,
                held,
            })),
            Container::Gzip => match gunzip_within(&bytes, self.budget) {
                Ok((out, out_held)) => {
                    drop(bytes);
                    drop(held);
                    let mut loc = locator;
                    loc.layers.push(Layer::Gunzip);
                    self.expand(out, out_held, origin, loc)
                }
                Err(reason) => self.fail(origin, reason),
            },
            Container::Zip => {
                let open = || {
                    zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
                        .map_err(|e| format!("corrupt zip archive: {e}"))
                };
                self.each_zip_member(open, &origin, &locator)
            }
            Container::Tar => self.open_tar(&bytes, &origin, &locator),
        }
    }

    fn open_zip_file(&self, path: &Path, origin: &str, locator: &Locator) {
        let open = || -> Result<zip::ZipArchive<std::io::BufReader<File>>, String> {
            let f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
            zip::ZipArchive::new(std::io::BufReader::new(f))
                .map_err(|e| format!("corrupt zip archive: {e}"))
        };
        // Each worker reads members through its own file handle.
        self.each_zip_member(open, origin, locator)
    }

    fn each_zip_member<R: Read + Seek, F: Fn() -> Result<zip::ZipArchive<R>, String> + Sync>(
        &self,
        open: F,
        origin: &str,
        locator: &Locator,
    ) {
        let n = match open() {
            Ok(a) => a.len(),
            Err(reason) => return self.fail(origin, reason),
        };
        let max_file = self.budget.limits().max_file;
        // This thread holds the archive until every member is read: others should not wait on it meanwhile.
        let _blocked = self.budget.blocked_while();
        (0..n).into_par_iter().for_each_init(
            || open().ok(),
            |ar, i| {
                let Some(ar) = ar.as_mut() else { return };
                let mut entry = match ar.by_index(i) {
                    Ok(e) => e,
                    Err(e) => {
                        return self.fail(
                            member_origin(origin, &format!("#{i}")),
                            format!("unreadable zip member: {e}"),
                        )
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
                if entry.size() > max_file {
                    return self.fail(
                        child,
                        format!(
                            "a member of {} (its header says), past the per-file limit of {} (HEIST_MAX_FILE_MB): \
                             not read",
                            size_words(entry.size()),
                            size_words(max_file)
                        ),
                    );
                }
                let compressed = entry.compressed_size().max(1);
                let what = "zip member";
                let claimed = entry.size();
                let read =
                    self.budget
                        .read_all(&mut entry, Some(bomb_limit(compressed)), claimed, what);
                match read {
                    Ok((bytes, held)) => {
                        let mut loc = locator.clone();
                        loc.layers.push(Layer::ZipEntry(name));
                        self.expand(bytes, held, child, loc);
                    }
                    Err(e) => self.fail(child, bomb_reason(e, what, compressed)),
                }
            },
        );
    }

    /// Tar members are read in order (a tar stream has no index) and handed to workers in batches.
    fn open_tar(&self, bytes: &[u8], origin: &str, locator: &Locator) {
        const BATCH_BYTES: usize = 64 << 20;
        let mut archive = tar::Archive::new(bytes);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => return self.fail(origin, format!("corrupt tar: {e}")),
        };
        let mut pending: Vec<(String, Vec<u8>, Held)> = Vec::new();
        let mut pending_bytes = 0;
        let flush = |pending: &mut Vec<(String, Vec<u8>, Held)>| {
            // This thread holds the archive until the batch is read: others should not wait on it meanwhile.
            let _blocked = self.budget.blocked_while();
            std::mem::take(pending)
                .into_par_iter()
                .for_each(|(name, data, held)| {
                    let mut loc = locator.clone();
                    loc.layers.push(Layer::TarEntry(name.clone()));
                    self.expand(data, held, member_origin(origin, &name), loc);
                });
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.fail(origin, format!("corrupt tar entry: {e}"));
                    break;
                }
            };
            let kind = entry.header().entry_type();
            let name = entry
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "?".into());
            if !kind.is_file() {
                if let Some(what) = tar_skip_reason(kind) {
                    (self.sink)(Opened::Skipped {
                        origin: member_origin(origin, &name),
                        reason: format!("tar {what}: not read"),
                    });
                }
                continue;
            }
            let claimed = entry.size();
            // A header may claim any size: reserve no more than the archive holds.
            let hint = claimed.min(bytes.len() as u64);
            let data = match self.budget.read_all(&mut entry, None, hint, "tar member") {
                Ok(d) => d,
                Err(ReadError::Corrupt(reason)) => {
                    self.fail(member_origin(origin, &name), reason);
                    break;
                }
                Err(e) => {
                    // Past a limit: this member is not read; the archive's next members still are.
                    self.fail(member_origin(origin, &name), read_reason(e, "tar member"));
                    continue;
                }
            };
            if (data.0.len() as u64) < claimed {
                // The archive ends inside this member: what it holds is not the file its header describes.
                self.fail(
                    member_origin(origin, &name),
                    format!(
                        "truncated tar member: its header says {claimed} bytes, the archive holds {}",
                        data.0.len()
                    ),
                );
                break;
            }
            pending_bytes += data.0.len();
            pending.push((name, data.0, data.1));
            if pending_bytes >= BATCH_BYTES {
                flush(&mut pending);
                pending_bytes = 0;
            }
        }
        flush(&mut pending);
    }
}

fn tar_skip_reason(kind: tar::EntryType) -> Option<&'static str> {
    // Folders hold nothing to read; links and special files are listed, never followed.
    match kind {
        tar::EntryType::Directory
        | tar::EntryType::XGlobalHeader
        | tar::EntryType::XHeader
        | tar::EntryType::GNULongName
        | tar::EntryType::GNULongLink => None,
        tar::EntryType::Symlink => Some("a symlink entry (links are not followed)"),
        tar::EntryType::Link => Some("a hard link entry (links are not followed)"),
        tar::EntryType::Char | tar::EntryType::Block => Some("a device entry"),
        tar::EntryType::Fifo => Some("a FIFO entry"),
        _ => Some("an entry that is not a regular file"),
    }
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

/// Logs compress 10 to 30 times, rarely 100; past this many times its compressed size (and `BOMB_FLOOR`), an
/// archive member is a decompression bomb and is refused as its bytes arrive, before it takes the machine's memory.
pub const MAX_RATIO: u64 = 200;
/// Below this much output the ratio is not judged (a small, very repetitive file is no threat).
pub const BOMB_FLOOR: u64 = 64 << 20;

fn bomb_limit(compressed: u64) -> u64 {
    compressed.saturating_mul(MAX_RATIO).max(BOMB_FLOOR)
}

/// Why a read stopped, in words.
fn read_reason(e: ReadError, what: &str) -> String {
    match e {
        ReadError::Corrupt(s) | ReadError::Bundle(s) => s,
        ReadError::TooBig { max_file, .. } => format!(
            "a {what} larger than the per-file limit of {} (HEIST_MAX_FILE_MB): not read; raise the limit or split it",
            size_words(max_file)
        ),
    }
}

/// As [`read_reason`], naming a stream stopped by its compression ratio a decompression bomb.
fn bomb_reason(e: ReadError, what: &str, compressed: u64) -> String {
    match e {
        ReadError::TooBig { limit, max_file } if limit < max_file => format!(
            "{what} that decompresses more than {MAX_RATIO} times its size ({compressed} bytes to over {} MiB): \
             refused as a decompression bomb",
            limit >> 20
        ),
        e => read_reason(e, what),
    }
}

/// Decompress a gzip stream (all members) within `budget`: refused past the per-file limit or `MAX_RATIO` times
/// its size (past `BOMB_FLOOR`), as its bytes arrive.
pub fn gunzip_within(bytes: &[u8], budget: &Budget) -> Result<(Vec<u8>, Held), String> {
    let compressed = bytes.len() as u64;
    // A gzip's last four bytes claim its (last member's) size, modulo 4 GiB: the hint for one allocation.
    let claimed = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map_or(0, |t| u64::from(u32::from_le_bytes(t)));
    budget
        .read_all(
            MultiGzDecoder::new(bytes),
            Some(bomb_limit(compressed)),
            claimed,
            "gzip",
        )
        .map_err(|e| bomb_reason(e, "gzip", compressed))
}

/// Decompress a gzip stream with the limits of the environment (a raw record read back outside a load).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    gunzip_within(bytes, &reread_budget()).map(|(b, _)| b)
}

fn reread_budget() -> Budget {
    Budget::new(Limits::from_env().unwrap_or_default())
}

fn member_origin(parent: &str, name: &str) -> String {
    format!("{parent}!/{name}")
}

/// Read a file's decoded bytes again by its locator (for showing a raw record), within the limits of the
/// environment as a load is.
pub fn reopen(loc: &Locator) -> Result<Vec<u8>, String> {
    let budget = reread_budget();
    let path = loc.fs_path.display();
    let file = File::open(&loc.fs_path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (mut bytes, mut _held) = budget
        .read_all(file, None, size, "file")
        .map_err(|e| format!("{path}: {}", read_reason(e, "file")))?;
    for layer in &loc.layers {
        (bytes, _held) = match layer {
            Layer::Gunzip => gunzip_within(&bytes, &budget)?,
            Layer::ZipEntry(name) => {
                let mut ar = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))
                    .map_err(|e| e.to_string())?;
                let mut entry = ar.by_name(name).map_err(|e| format!("{name}: {e}"))?;
                let compressed = entry.compressed_size().max(1);
                let claimed = entry.size();
                let what = "zip member";
                budget
                    .read_all(&mut entry, Some(bomb_limit(compressed)), claimed, what)
                    .map_err(|e| bomb_reason(e, what, compressed))?
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
                        let hint = entry.size();
                        let what = "tar member";
                        let read = budget.read_all(&mut entry, None, hint, what);
                        found = Some(read.map_err(|e| read_reason(e, what))?);
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

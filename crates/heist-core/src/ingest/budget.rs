//! What one load may read and hold. Three limits, each checked as bytes arrive, at every level of nesting:
//!
//! - **per file**: no file, gzip stream or archive member, at any level, is read past `max_file` decompressed bytes;
//! - **per bundle**: the load reads at most `max_bundle` decompressed bytes in all (every level counted);
//! - **memory**: file bytes held at once (a file read whole, an archive held while its members are read, the inflated
//!   member being parsed) stay within `max_memory`, across every worker. A worker that would pass it waits for others
//!   to let go of theirs. When no other worker can (all are waiting, or hold nothing), one worker at a time may go
//!   past the budget to finish the stream it is reading, so the load always moves on and no file is refused for
//!   memory another would have freed: the bound is then `max_memory` plus that one stream (at most `max_file`).
//!
//! A file past the per-file or the bundle limit is listed with its origin and why; the rest of the bundle loads.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::Duration;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// The least a full buffer grows by.
const STEP: u64 = 4 * MIB;

/// The limits of one load. [`Limits::from_env`] reads them from `HEIST_MAX_FILE_MB`, `HEIST_MAX_BUNDLE_GB` and
/// `HEIST_MEMORY_MB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The most decompressed bytes of one file or archive member, at any level.
    pub max_file: u64,
    /// The most decompressed bytes read for the whole bundle, every level counted.
    pub max_bundle: u64,
    /// The most file bytes held in memory at once, every level and worker together.
    pub max_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file: GIB,
            max_bundle: 256 * GIB,
            max_memory: 2 * GIB,
        }
    }
}

impl Limits {
    /// The defaults, with any of `HEIST_MAX_FILE_MB`, `HEIST_MAX_BUNDLE_GB`, `HEIST_MEMORY_MB` that is set. The
    /// memory budget is raised to the file limit if set below it (one file must fit).
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// As [`Limits::from_env`], reading variables through `get`.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let d = Self::default();
        let read = |name: &str, unit: u64, default: u64| -> Result<u64, String> {
            match get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n.saturating_mul(unit)),
                    _ => Err(format!(
                        "{name}={v:?}: expected a whole number above 0 (of {})",
                        if unit == GIB { "GiB" } else { "MiB" }
                    )),
                },
            }
        };
        let max_file = read("HEIST_MAX_FILE_MB", MIB, d.max_file)?;
        let max_bundle = read("HEIST_MAX_BUNDLE_GB", GIB, d.max_bundle)?;
        let max_memory = read("HEIST_MEMORY_MB", MIB, d.max_memory)?.max(max_file);
        Ok(Self {
            max_file,
            max_bundle,
            max_memory,
        })
    }
}

/// Bytes in words: `1 GiB`, `64 MiB`, `4096 bytes`.
pub fn size_words(n: u64) -> String {
    if n >= GIB && n.is_multiple_of(GIB) {
        format!("{} GiB", n / GIB)
    } else if n >= MIB {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// The running account of one load against its [`Limits`]. Cheap to clone; clones share the account.
#[derive(Clone)]
pub struct Budget {
    inner: Arc<Inner>,
}

struct Inner {
    limits: Limits,
    read: AtomicU64,
    gate: Mutex<Gate>,
    freed: Condvar,
}

#[derive(Default)]
struct Gate {
    held: u64,
    threads: HashMap<ThreadId, Use>,
    /// The one worker allowed past the budget until its stream is read, when no other could free memory.
    overdraft: Option<ThreadId>,
}

/// One worker's share: bytes it holds, and whether it is blocked (waiting for memory, or for its own members).
#[derive(Default)]
struct Use {
    held: u64,
    blocked: u32,
}

impl Gate {
    fn entry(&mut self, t: ThreadId) -> &mut Use {
        self.threads.entry(t).or_default()
    }
    fn tidy(&mut self, t: ThreadId) {
        if self
            .threads
            .get(&t)
            .is_some_and(|u| u.held == 0 && u.blocked == 0)
        {
            self.threads.remove(&t);
        }
    }
}

impl Budget {
    pub fn new(limits: Limits) -> Self {
        Self {
            inner: Arc::new(Inner {
                limits,
                read: AtomicU64::new(0),
                gate: Mutex::new(Gate::default()),
                freed: Condvar::new(),
            }),
        }
    }

    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Decompressed bytes read so far, every level counted.
    pub fn bytes_read(&self) -> u64 {
        self.inner.read.load(Ordering::Relaxed)
    }

    /// File bytes held now (tests).
    pub fn held(&self) -> u64 {
        self.gate().held
    }

    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.inner.gate.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Nothing held yet, owned by this thread.
    pub fn empty(&self) -> Held {
        Held {
            budget: self.clone(),
            n: 0,
            owner: std::thread::current().id(),
        }
    }

    /// Mark this thread blocked while it waits for work it handed out (the members of an archive it holds), so
    /// waiters do not count on it to free memory until that work is done.
    pub fn blocked_while(&self) -> Blocked {
        let me = std::thread::current().id();
        self.gate().entry(me).blocked += 1;
        self.inner.freed.notify_all();
        Blocked {
            budget: self.clone(),
            me,
        }
    }

    /// Take `n` more bytes of memory for `held`, waiting while other workers that can still free theirs hold it.
    fn grow(&self, held: &mut Held, n: u64) {
        let me = std::thread::current().id();
        let max = self.inner.limits.max_memory;
        let mut g = self.gate();
        loop {
            let others_can_free = || {
                g.threads
                    .iter()
                    .any(|(t, u)| *t != me && u.held > 0 && u.blocked == 0)
            };
            let overdrawn = match g.overdraft {
                Some(t) => t == me,
                None if g.held + n > max && !others_can_free() => {
                    g.overdraft = Some(me);
                    true
                }
                None => false,
            };
            if g.held + n <= max || overdrawn {
                g.held += n;
                g.entry(held.owner).held += n;
                held.n += n;
                return;
            }
            g.entry(me).blocked += 1;
            self.inner.freed.notify_all();
            // Timed, so a change in who is blocked is seen even without a release.
            g = match self.inner.freed.wait_timeout(g, Duration::from_millis(100)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
            g.entry(me).blocked -= 1;
            g.tidy(me);
        }
    }

    fn release(&self, owner: ThreadId, n: u64) {
        if n == 0 {
            return;
        }
        let mut g = self.gate();
        g.held = g.held.saturating_sub(n);
        let u = g.entry(owner);
        u.held = u.held.saturating_sub(n);
        g.tidy(owner);
        drop(g);
        self.inner.freed.notify_all();
    }

    /// Count `n` decompressed bytes against the bundle budget.
    fn spend(&self, n: u64) -> Result<(), String> {
        let max = self.inner.limits.max_bundle;
        let before = self.inner.read.fetch_add(n, Ordering::Relaxed);
        if before + n > max {
            return Err(format!(
                "the bundle passed the {} heist reads from one bundle (HEIST_MAX_BUNDLE_GB): not read",
                size_words(max)
            ));
        }
        Ok(())
    }

    /// End this thread's overdraft, if it has it: others may have their turn.
    fn settle(&self) {
        let me = std::thread::current().id();
        let mut g = self.gate();
        if g.overdraft == Some(me) {
            g.overdraft = None;
            drop(g);
            self.inner.freed.notify_all();
        }
    }

    /// Read `r` to its end into memory within every limit: at most `limit` bytes (the caller's own cap, e.g. a bomb
    /// ratio, within the file limit), accounted before each step is read. `prealloc` is a hint of the size.
    pub fn read_all<R: Read>(
        &self,
        r: R,
        limit: Option<u64>,
        prealloc: u64,
        what: &str,
    ) -> Result<(Vec<u8>, Held), ReadError> {
        let read = self.read_all_inner(r, limit, prealloc, what);
        self.settle();
        read
    }

    fn read_all_inner<R: Read>(
        &self,
        mut r: R,
        limit: Option<u64>,
        prealloc: u64,
        what: &str,
    ) -> Result<(Vec<u8>, Held), ReadError> {
        let max_file = self.inner.limits.max_file;
        let limit = limit.map_or(max_file, |l| l.min(max_file));
        let corrupt =
            |e: std::io::Error| ReadError::Corrupt(format!("corrupt or truncated {what}: {e}"));
        let mut held = self.empty();
        // One allocation when the hint is right (a file's size, a header's claim), so no copy is ever made: a
        // buffer that grows is copied, and old and new are both held while it is.
        let first = prealloc.min(limit.saturating_add(1));
        self.grow(&mut held, first);
        // The thread's spare buffer when it fits (see `buffers`): held is its whole capacity.
        let mut out: Vec<u8> = super::buffers::take(first as usize);
        if out.capacity() as u64 > first {
            self.grow(&mut held, out.capacity() as u64 - first);
        }
        loop {
            if out.len() == out.capacity() {
                // Full: a small read tells the end of the stream from more to come, before anything is copied.
                let mut probe = [0u8; 8192];
                let n = loop {
                    match r.read(&mut probe) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(corrupt(e)),
                    }
                };
                if n == 0 {
                    break;
                }
                self.spend(n as u64).map_err(ReadError::Bundle)?;
                if (out.len() + n) as u64 > limit {
                    return Err(ReadError::TooBig { limit, max_file });
                }
                let old = out.capacity() as u64;
                let want = (old * 2)
                    .max(old + STEP)
                    .min(limit.saturating_add(1))
                    .max((out.len() + n) as u64);
                // The copy holds old and new at once: count both until the old is freed.
                self.grow(&mut held, want);
                out.reserve_exact(want as usize - out.len());
                out.extend_from_slice(&probe[..n]);
                held.give_back(old);
                continue;
            }
            // Never past the limit by more than a byte, however large the buffer.
            let room = ((out.capacity() - out.len()) as u64)
                .min(limit.saturating_add(1).saturating_sub(out.len() as u64));
            let got = (&mut r).take(room).read_to_end(&mut out).map_err(corrupt)? as u64;
            self.spend(got).map_err(ReadError::Bundle)?;
            if out.len() as u64 > limit {
                return Err(ReadError::TooBig { limit, max_file });
            }
            if got < room {
                break;
            }
        }
        Ok((out, held))
    }
}

/// Why [`Budget::read_all`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The stream did not read (corrupt, truncated).
    Corrupt(String),
    /// Past `limit` bytes; `limit` is below `max_file` when the caller's own cap (a bomb ratio) was lower.
    TooBig { limit: u64, max_file: u64 },
    /// The bundle budget is spent.
    Bundle(String),
}

/// Bytes of the memory budget held by a buffer; given back when dropped.
pub struct Held {
    budget: Budget,
    n: u64,
    owner: ThreadId,
}

impl Held {
    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.n
    }

    /// Count these bytes as this thread's (the buffer moved here to be read): a waiting worker then knows this
    /// thread can free them.
    pub fn adopt(&mut self) {
        let me = std::thread::current().id();
        if me == self.owner || self.n == 0 {
            self.owner = me;
            return;
        }
        let mut g = self.budget.gate();
        let old = g.entry(self.owner);
        old.held = old.held.saturating_sub(self.n);
        let prev = self.owner;
        g.tidy(prev);
        g.entry(me).held += self.n;
        self.owner = me;
    }

    /// Give back `n` of the bytes held (a buffer freed).
    fn give_back(&mut self, n: u64) {
        let n = n.min(self.n);
        self.n -= n;
        self.budget.release(self.owner, n);
    }

    /// Take `n` more bytes, waiting as [`Budget::read_all`] does.
    pub fn grow(&mut self, n: u64) {
        let b = self.budget.clone();
        b.grow(self, n);
        b.settle();
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.release(self.owner, self.n);
    }
}

/// A thread marked blocked by [`Budget::blocked_while`]; unmarked when dropped.
pub struct Blocked {
    budget: Budget,
    me: ThreadId,
}

impl Drop for Blocked {
    fn drop(&mut self) {
        let mut g = self.budget.gate();
        let u = g.entry(self.me);
        u.blocked = u.blocked.saturating_sub(1);
        g.tidy(self.me);
        drop(g);
        self.budget.inner.freed.notify_all();
    }
}

#[cfg(test)]
mod tests;

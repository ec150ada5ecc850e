//! Load progress, shared between the loading threads and whoever draws it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    /// Input bytes as stored (compressed).
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
    pub events: AtomicU64,
    pub errors: AtomicU64,
    /// Files read so far, archive members counted one by one (a `.zip` of 400 logs is 400).
    pub leaves_done: AtomicU64,
    /// Parsing is done and the frame is being built.
    pub assembling: AtomicBool,
    cancel: AtomicBool,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub files_total: u64,
    pub files_done: u64,
    pub bytes_total: u64,
    pub bytes_done: u64,
    pub events: u64,
    pub errors: u64,
    pub leaves_done: u64,
    pub assembling: bool,
}

impl Progress {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            files_total: self.files_total.load(Ordering::Relaxed),
            files_done: self.files_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            leaves_done: self.leaves_done.load(Ordering::Relaxed),
            assembling: self.assembling.load(Ordering::Relaxed),
        }
    }

    /// Ask the load to stop at the next file boundary.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Snapshot {
    /// Fraction done by input bytes, 0.0..=1.0.
    pub fn ratio(&self) -> f64 {
        if self.bytes_total == 0 {
            return if self.files_total == 0 {
                0.0
            } else {
                self.files_done as f64 / self.files_total as f64
            };
        }
        (self.bytes_done as f64 / self.bytes_total as f64).clamp(0.0, 1.0)
    }
}

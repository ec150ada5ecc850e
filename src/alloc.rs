//! The allocator: mimalloc, told to give freed memory back to the OS soon, in small pages. A load frees each
//! file's buffers as it goes and, while it builds the frame, the storage of every column it has built (see
//! `frame::spill` in heist-core); handed back, that memory stops counting against the analyst's laptop.
//!
//! Measured with `heist summary --no-cache` on the 1M-event benchmark bundle (2 cores): kept for reuse
//! (`MIMALLOC_PURGE_DELAY=-1`) the peak was 668 MB against 519 MB when purged at once. Transparent huge pages cost
//! both time and memory here: a purged range faulted back in as a 2 MB page is zeroed whole, which was a tenth of
//! the load's CPU, and the peak was 515–535 MB with them against 450 MB without. A short delay before purging
//! (2 ms) lets a freed page serve the next file's buffers instead of being faulted in again: 0.3 s less system
//! time than purging at once, at the same peak.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the same in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
/// Milliseconds a freed page waits before it goes back to the OS.
const PURGE_DELAY_MS: std::ffi::c_long = 2;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Set the allocator's options; first thing in `main`.
pub fn tune() {
    // mimalloc's own environment variables, when set, are left to rule (to measure another choice).
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        no_huge_pages();
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: mi_option_set stores one option value in mimalloc's option table (linked in by libmimalloc-sys);
    // a delay in milliseconds is a documented value of this option.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

/// No transparent huge pages for this process. mimalloc asks for them on its arenas before `main` runs; this
/// flag is checked at every page fault, so it holds for memory reserved earlier too.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and only sets a flag on this process; a kernel that
    // does not know it returns an error, which leaves things as they were.
    unsafe {
        let (on, unused): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, on, unused, unused, unused);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

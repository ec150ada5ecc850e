//! The allocator: mimalloc, told to keep freed memory for reuse rather than give it back to the OS at once. A load
//! frees and allocates buffers of the same sizes file after file; handing the pages back and faulting them in again
//! (each zeroed by the kernel) cost about 8% of a 1M-event load's CPU (12,700 page faults, against 1,500). The peak
//! is unchanged: what is kept is what the load used at its busiest anyway.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the same in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Set the allocator's options; first thing in `main`.
pub fn tune() {
    // SAFETY: mi_option_set stores one option value in mimalloc's option table (linked in by libmimalloc-sys);
    // -1 is a documented value of this option ("no purging at all").
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

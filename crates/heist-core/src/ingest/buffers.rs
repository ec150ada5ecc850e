//! One spare read buffer per thread. A load reads and inflates thousands of files of similar sizes, one after the
//! other on each thread; allocating each file's buffer afresh makes the kernel hand over (and zero) new pages for
//! every file, which cost more CPU than inflating them. The buffer a parsed file leaves behind is kept for the next
//! file read on the same thread instead.

use std::cell::RefCell;

/// A buffer larger than this is not kept: one huge file must not pin its memory for the rest of the load.
const KEEP_MAX: usize = 64 << 20;

thread_local! {
    static SPARE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// An empty buffer with room for at least `capacity` bytes: this thread's spare when it is large enough and not
/// more than four times too large (a gzip file's compressed bytes, read before they are inflated, must not take the
/// buffer the inflated text will want).
pub fn take(capacity: usize) -> Vec<u8> {
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        match s.as_ref() {
            Some(v) if v.capacity() >= capacity && capacity >= v.capacity() / 4 => {
                let mut v = s.take().unwrap_or_default();
                v.clear();
                v
            }
            _ => Vec::with_capacity(capacity),
        }
    })
}

/// Keep `v` as this thread's spare (unless it is larger than [`KEEP_MAX`]).
pub fn give(mut v: Vec<u8>) {
    if v.capacity() == 0 || v.capacity() > KEEP_MAX {
        return;
    }
    v.clear();
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        // Keep the larger of the two: the next file is more likely to fit.
        if s.as_ref().is_none_or(|old| old.capacity() < v.capacity()) {
            *s = Some(v);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_serves_the_next_take_that_fits() {
        let mut v = take(1000);
        v.extend_from_slice(b"old content");
        let ptr = v.as_ptr();
        give(v);
        let small = take(100);
        assert_ne!(
            small.as_ptr(),
            ptr,
            "a much smaller request leaves the spare alone"
        );
        let again = take(500);
        assert_eq!(again.as_ptr(), ptr, "the spare is reused");
        assert!(again.is_empty(), "and handed out empty");
        give(again);
        let bigger = take(1 << 20);
        assert!(bigger.capacity() >= 1 << 20);
        assert!(take(10).capacity() >= 10);
    }

    #[test]
    fn huge_buffers_are_not_kept() {
        let _ = take(0); // clear this thread's spare
        give(Vec::with_capacity(KEEP_MAX + 1));
        assert!(take(1).capacity() < KEEP_MAX);
    }
}

//! The end of a JSON object or array, found 64 bytes at a time.
//!
//! Each block of 64 bytes becomes bit masks of its quotes, backslashes and brackets (SSE2 compares on x86_64, a
//! plain loop elsewhere). Escaped characters follow from the backslashes, the inside of strings from a prefix XOR
//! of the unescaped quotes, and only brackets outside strings are counted; a block whose closing brackets cannot
//! bring the depth to zero is counted whole without visiting its bits. This is the same scan as the byte loop in
//! [`super::value_end`], which stays the reference: anything this scan does not read the same way (a value that
//! never closes, a backslash outside a string) is left to it, so both give the same answer and the same error.

const BLOCK: usize = 64;

/// Bit `k` set where byte `k` of the block is a quote, a backslash, an opening bracket (`{` or `[`), a closing one.
#[derive(Clone, Copy, Default)]
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; BLOCK]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks::default();
    // SAFETY: SSE2 is part of every x86_64 target; each unaligned load reads 16 bytes inside `block`.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        // `[` and `{` differ only in bit 0x20, as do `]` and `}`; no other byte ORed with 0x20 gives `{` or `}`.
        let fold = _mm_set1_epi8(0x20);
        let open = _mm_set1_epi8(b'{' as i8);
        let close = _mm_set1_epi8(b'}' as i8);
        for k in 0..BLOCK / 16 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let folded = _mm_or_si128(v, fold);
            let bits = |eq: __m128i| (_mm_movemask_epi8(eq) as u32 as u64 & 0xffff) << (16 * k);
            m.quote |= bits(_mm_cmpeq_epi8(v, quote));
            m.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
            m.open |= bits(_mm_cmpeq_epi8(folded, open));
            m.close |= bits(_mm_cmpeq_epi8(folded, close));
        }
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; BLOCK]) -> Masks {
    masks_scalar(block)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_scalar(block: &[u8; BLOCK]) -> Masks {
    let mut m = Masks::default();
    for (k, &c) in block.iter().enumerate() {
        let bit = 1u64 << k;
        match c {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

/// Bit `k` is the XOR of bits `0..=k`: set inside a string, from its opening quote up to its closing one.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The characters escaped by a backslash in this block. `carry` is 1 when the previous block ended with a
/// backslash that escapes this block's first byte, and is set the same way for the next block. Backslashes are
/// rare in logs, so they are walked one by one.
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    let mut out = *carry;
    // An escaped backslash is a literal one, not an escape.
    let mut rest = backslash & !*carry;
    *carry = 0;
    while rest != 0 {
        let k = rest.trailing_zeros();
        rest &= rest - 1;
        if k == 63 {
            *carry = 1;
        } else {
            let next = 1u64 << (k + 1);
            out |= next;
            rest &= !next;
        }
    }
    out
}

/// Just past the object or array whose opening bracket is at `start`, or `None` when the scan cannot tell (the
/// value never closes, or a backslash stands outside a string).
pub(super) fn container_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth: u64 = 0;
    let mut in_string: u64 = 0;
    let mut carry: u64 = 0;
    let mut at = start;
    while at < b.len() {
        let n = (b.len() - at).min(BLOCK);
        let block: [u8; BLOCK] = if n == BLOCK {
            b[at..at + BLOCK].try_into().ok()?
        } else {
            // The tail, padded with spaces, which mean nothing to the scan.
            let mut tail = [b' '; BLOCK];
            tail[..n].copy_from_slice(&b[at..]);
            tail
        };
        let m = masks(&block);
        let quotes = m.quote & !escaped(m.backslash, &mut carry);
        let inside = prefix_xor(quotes) ^ in_string;
        in_string = 0u64.wrapping_sub(inside >> 63);
        if m.backslash & !inside != 0 {
            return None;
        }
        let open = m.open & !inside;
        let close = m.close & !inside;
        if u64::from(close.count_ones()) < depth {
            depth = depth + u64::from(open.count_ones()) - u64::from(close.count_ones());
        } else {
            let mut brackets = open | close;
            while brackets != 0 {
                let k = brackets.trailing_zeros();
                let bit = 1u64 << k;
                brackets &= brackets - 1;
                if open & bit != 0 {
                    depth += 1;
                } else {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(at + k as usize + 1);
                    }
                }
            }
        }
        at += n;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte loop the block scan must agree with, for containers.
    fn reference(b: &[u8], start: usize) -> Option<usize> {
        super::super::value_end_bytewise(b, start).ok()
    }

    fn check(s: &[u8]) {
        for start in 0..s.len() {
            if matches!(s[start], b'{' | b'[') {
                let fast = container_end(s, start);
                if let Some(end) = fast {
                    assert_eq!(
                        Some(end),
                        reference(s, start),
                        "{:?} from {start}",
                        String::from_utf8_lossy(s)
                    );
                }
            }
        }
        if matches!(s.first(), Some(b'{' | b'[')) && s.iter().all(|&c| c != b'\\') {
            // Without backslashes the block scan always decides itself, and agrees.
            assert_eq!(container_end(s, 0), reference(s, 0));
        }
    }

    #[test]
    fn agrees_with_the_byte_loop_on_shapes_at_every_block_boundary() {
        let body = r#"{"a":"}\"]","b":[1,{"c":null}],"d":"x\\","e":"\\\"{","f":[[],{}]}"#;
        for pad in 0..130 {
            let mut s = format!("[{}", " ".repeat(pad));
            s.push_str(body);
            s.push(',');
            s.push_str(&"\"q\\\\\\\"q\",".repeat(pad % 7));
            s.push_str(body);
            s.push_str("] tail");
            check(s.as_bytes());
            let e = container_end(s.as_bytes(), 0).expect("closes");
            assert_eq!(&s[e..], " tail");
        }
    }

    #[test]
    fn escapes_across_a_block_boundary() {
        // Put a backslash as the 64th byte of a block, escaping the quote that opens the next block.
        for before in 55..75 {
            let s = format!(r#"{{"k":"{}\"}}","z":1}} rest"#, "x".repeat(before));
            let e = container_end(s.as_bytes(), 0).expect("closes");
            assert_eq!(&s[e..], " rest", "{before}");
            check(s.as_bytes());
        }
        for run in 1..140 {
            // A run of backslashes: even escapes only itself, odd escapes the quote after it.
            let s = format!(r#"{{"k":"{}"}} ]}} rest"#, "\\".repeat(run));
            let want = reference(s.as_bytes(), 0);
            assert_eq!(container_end(s.as_bytes(), 0), want, "run {run}");
        }
    }

    #[test]
    fn leaves_what_it_cannot_read_to_the_byte_loop() {
        assert_eq!(container_end(br#"{"a":[1,2"#, 0), None, "never closes");
        assert_eq!(container_end(br#"{"a":"never closes}"#, 0), None);
        assert_eq!(
            container_end(br#"{\"a":1}"#, 0),
            None,
            "backslash outside a string"
        );
        assert_eq!(container_end(br#"{"a":1}]"#, 0), Some(7));
    }

    #[test]
    fn scalar_masks_match_the_simd_ones() {
        let mut block = [0u8; BLOCK];
        for (k, c) in block.iter_mut().enumerate() {
            *c = b"{[\"\\}]a \x7b\x5b\xfb\xdb"[k % 12];
        }
        let (a, b) = (masks(&block), masks_scalar(&block));
        assert_eq!(
            (a.quote, a.backslash, a.open, a.close),
            (b.quote, b.backslash, b.open, b.close)
        );
    }

    #[test]
    fn agrees_on_generated_json() {
        // A small deterministic generator of nested values with awkward strings.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        fn value(next: &mut impl FnMut() -> u64, depth: u32, out: &mut String) {
            match next() % if depth > 5 { 3 } else { 5 } {
                0 => out.push_str("12"),
                1 => {
                    out.push('"');
                    for _ in 0..next() % 90 {
                        out.push_str(
                            ["a", "\\\"", "\\\\", "{", "]", "é", " "][(next() % 7) as usize],
                        );
                    }
                    out.push('"');
                }
                2 => out.push_str("null"),
                3 => {
                    out.push('[');
                    for i in 0..next() % 4 {
                        if i > 0 {
                            out.push(',');
                        }
                        value(next, depth + 1, out);
                    }
                    out.push(']');
                }
                _ => {
                    out.push('{');
                    for i in 0..next() % 4 {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&format!("\"k{i}\":"));
                        value(next, depth + 1, out);
                    }
                    out.push('}');
                }
            }
        }
        for _ in 0..400 {
            let mut s = String::from("{\"r\":");
            value(&mut next, 0, &mut s);
            s.push_str("} x");
            let e = container_end(s.as_bytes(), 0);
            assert_eq!(e, reference(s.as_bytes(), 0), "{s}");
            assert_eq!(e, Some(s.len() - 2));
            check(s.as_bytes());
        }
    }
}

//! The encodings of Sigma's encoding modifiers: `base64`, `base64offset`, `utf16le` (`wide`), `utf16be` and
//! `utf16` (little-endian with a byte order mark).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding.
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    let sym = |v: u32| char::from(ALPHABET[(v & 63) as usize]);
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

/// The three base64 forms `data` takes when it sits at offset 0, 1 or 2 of a longer encoded text: for each
/// shift the encoding of `shift` spaces then `data`, cut to the characters that depend on `data` alone (as
/// the specification's `base64offset` and pySigma do: start cuts 0, 2, 3; end cuts none, 3, 2 by the
/// length modulo 3).
pub(crate) fn base64_offsets(data: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    // Characters dropped at the end, by (len + shift) % 3.
    const END: [usize; 3] = [0, 3, 2];
    let mut out = Vec::with_capacity(3);
    for shift in 0..3 {
        let mut buf = vec![b' '; shift];
        buf.extend_from_slice(data);
        let enc = base64(&buf);
        let start = START[shift];
        let end = enc.len().saturating_sub(END[(data.len() + shift) % 3]);
        out.push(
            enc.get(start..end.max(start))
                .unwrap_or_default()
                .to_owned(),
        );
    }
    out
}

/// UTF-16 little-endian bytes of `s`.
pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// UTF-16 big-endian bytes of `s`.
pub(crate) fn utf16be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// UTF-16 little-endian bytes of `s` after the byte order mark `FF FE`.
pub(crate) fn utf16_bom(s: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(utf16le(s));
    out
}

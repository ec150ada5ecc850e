//! A single-line input as the screen shows it: its text split at the cursor, each part neutralised (a pasted log
//! line may hold escapes).

use super::text::clean;
use crate::input::line::LineInput;

pub struct LineVm {
    pub before: String,
    /// The character under the cursor; none when the cursor is at the end.
    pub under: Option<String>,
    pub after: String,
}

pub fn line(l: &LineInput) -> LineVm {
    let (before, under, after) = l.split();
    LineVm {
        before: clean(before),
        under: under.map(|c| clean(c.encode_utf8(&mut [0; 4]))),
        after: clean(after),
    }
}

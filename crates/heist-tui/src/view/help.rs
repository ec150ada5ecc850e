//! Help's view model: where to start, every key with its description wrapped under itself, filter examples; and
//! the room the help overlay has (scrolling stops at its last page).

use super::text::wrap;
use crate::input::keymap::Keymap;

/// One row of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    /// The first words: where to start.
    Lead(String),
    Text(String),
    /// A key's row: its keys on the first row of its description, empty on the rows it wraps to.
    Key {
        keys: String,
        text: String,
    },
}

/// Width of the keys column in help.
pub const HELP_KEYS: usize = 18;

/// Help's rows at `width` columns: where to start, every key with its description wrapped under itself (not
/// under the keys), and filter examples.
pub fn help_rows(keymap: &Keymap, width: usize) -> Vec<HelpRow> {
    let room = width.saturating_sub(HELP_KEYS).max(10);
    let mut rows = vec![
        HelpRow::Lead("Start from what you know: a key, an IP, a bucket.".into()),
        HelpRow::Text("/ finds it; enter pivots to it; backspace comes back.".into()),
        HelpRow::Text(String::new()),
    ];
    for (keys, help) in keymap.help_lines() {
        for (i, part) in wrap(&help, room).into_iter().enumerate() {
            rows.push(HelpRow::Key {
                keys: if i == 0 { keys.clone() } else { String::new() },
                text: part,
            });
        }
    }
    rows.push(HelpRow::Text(String::new()));
    let examples =
        "filter examples: token:AKIA… · ip:198.51.100.0/24 · -outcome:success · time>=2026-10-05T02:00:00Z · \
         ~AIDA… (raw search: text anywhere in the records)";
    rows.extend(wrap(examples, width).into_iter().map(HelpRow::Text));
    rows
}

/// Columns and rows of text the help overlay has on a `width` x `height` terminal (90% of the area between the
/// status bar and the footer, less its border), rounded down so scrolling always reaches the last row.
pub fn help_text_area(width: u16, height: u16) -> (usize, usize) {
    let body = height.saturating_sub(2) as usize;
    (
        (width as usize * 90 / 100).saturating_sub(2),
        (body * 90 / 100).saturating_sub(2),
    )
}

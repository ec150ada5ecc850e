//! CSV for tools: the one writer behind `heist export --format csv` and `heist events --format csv`. The `csv`
//! crate quotes as RFC 4180 asks (a cell holding a comma, a quote or a line break is quoted, quotes doubled) and
//! ends rows with `\n`; heist adds a leading `'` to cells a spreadsheet would run as a formula and writes control
//! characters, bidi overrides and zero-width characters as visible escapes (`\x1b`, `\u{202e}`): log text is hostile,
//! and a CSV file is often `cat` to a terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::util::sanitize::inert_csv;

/// Rows of cells to CSV.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        let inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            // Rows are written as given, whatever their length.
            .flexible(true)
            .from_writer(out);
        Self { inner }
    }

    /// One row; every cell is defused (see `defuse`) and quoted when it needs to be.
    pub fn row<I, S>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells = cells
            .into_iter()
            .map(|c| defuse(&inert_csv(c.as_ref())).into_owned());
        self.inner.write_record(cells).map_err(io_error)
    }

    /// Flush what is buffered and hand back the output.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// The writer's error as an I/O error that keeps its kind (a closed pipe stays `BrokenPipe`).
fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a
/// leading `'`, which makes it text.
pub fn defuse(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Rows as CSV text.
pub fn to_string<R, I, S>(rows: R) -> String
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let write = || -> io::Result<Vec<u8>> {
        let mut w = CsvWriter::new(Vec::new());
        for row in rows {
            w.row(row)?;
        }
        w.finish()
    };
    // Memory takes every byte and rows may be of any length, so writing cannot fail; the cells are text, so the
    // output is too.
    write()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        to_string([[s, "end"]])
            .strip_suffix(",end\n")
            .unwrap_or("?")
            .to_string()
    }

    #[test]
    fn defuses_formulas_and_quotes() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        // A carriage return is shown, not sent (it would rewrite the terminal's line).
        assert_eq!(cell("\rx"), "\\rx");
        assert_eq!(cell("\u{1b}[2Jx"), "\\x1b[2Jx");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(" spaced "), " spaced ");
        assert_eq!(cell("a-b"), "a-b");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn rows_end_with_a_line_feed_and_keep_their_length() {
        let rows: Vec<Vec<&str>> = vec![vec!["a", "b", "c"], vec!["", "", ""], vec!["1"]];
        assert_eq!(to_string(rows), "a,b,c\n,,\n1\n");
        let mut out = Vec::new();
        let mut w = CsvWriter::new(&mut out);
        w.row(["x", "y"]).unwrap();
        w.finish().unwrap();
        assert_eq!(out, b"x,y\n");
    }
}

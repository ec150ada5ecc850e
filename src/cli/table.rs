//! Aligned plain-text tables for the terminal. Every cell is neutralised (control characters and escape sequences
//! made visible) and cut to its column's width.

use heist_core::util::sanitize::{for_terminal, truncate};

pub struct Table {
    headers: Vec<String>,
    max: Vec<usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Headers with the widest each column may get.
    pub fn new(cols: &[(&str, usize)]) -> Self {
        Self {
            headers: cols.iter().map(|(h, _)| h.to_string()).collect(),
            max: cols.iter().map(|(_, w)| *w).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push<S: AsRef<str>>(&mut self, cells: &[S]) {
        let row = cells
            .iter()
            .zip(&self.max)
            .map(|(c, &w)| truncate(&for_terminal(c.as_ref()), w).into_owned())
            .collect();
        self.rows.push(row);
    }

    /// Column widths that fit the rows pushed so far.
    pub fn widths(&self) -> Vec<usize> {
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                width[i] = width[i].max(c.chars().count());
            }
        }
        width
    }

    /// Fix the widths (cells longer than these are cut): for streaming many rows after measuring the first ones.
    pub fn freeze_widths(&mut self) {
        self.max = self.widths();
    }

    /// Render and forget the rows pushed so far, keeping the widths; `header` says whether to print the header.
    pub fn drain(&mut self, header: bool) -> String {
        let out = self.render_with(&self.max.clone(), header);
        self.rows.clear();
        out
    }

    pub fn render(&self) -> String {
        self.render_with(&self.widths(), true)
    }

    fn render_with(&self, width: &[usize], header: bool) -> String {
        let n = self.headers.len();
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            for (i, c) in cells.iter().enumerate() {
                out.push_str(c);
                if i + 1 < n {
                    let pad = width[i].saturating_sub(c.chars().count()) + 2;
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        };
        if header {
            line(&self.headers, &mut out);
        }
        for r in &self.rows {
            line(r, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_neutralises() {
        let mut t = Table::new(&[("name", 10), ("n", 5)]);
        t.push(&["evil\u{1b}[31m", "1"]);
        t.push(&["a", "22"]);
        assert_eq!(
            t.render(),
            "name        n\nevil\\x1b[…  1\na           22\n"
        );
    }
}

//! Lists of files heist did not load, for the terminal: grouped by reason, each reason with how many files and the
//! first few of them, so a bundle with 200,000 broken archive members says so in a few lines (`--verbose` lists
//! every one).

use std::collections::HashMap;

use super::load::thousands;
use heist_core::frame::store::FileIssue;
use heist_core::util::sanitize::for_terminal;

/// Files named per reason before the rest are counted.
pub const SHOWN_PER_REASON: usize = 3;

/// Lines (without indentation or newline) for `list`: `origin  reason` for each file when `verbose` or when a
/// reason has few files, else `reason: N files (origin, origin, origin, …)`; reasons in order of first appearance.
pub fn lines(list: &[FileIssue], verbose: bool) -> Vec<String> {
    if verbose {
        return list
            .iter()
            .map(|f| format!("{}  {}", for_terminal(&f.origin), for_terminal(&f.reason)))
            .collect();
    }
    let mut order: Vec<&str> = Vec::new();
    let mut by: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in list {
        by.entry(f.reason.as_str())
            .or_insert_with(|| {
                order.push(f.reason.as_str());
                Vec::new()
            })
            .push(f.origin.as_str());
    }
    let mut out = Vec::new();
    for reason in order {
        let origins = &by[reason];
        if origins.len() <= SHOWN_PER_REASON {
            out.extend(
                origins
                    .iter()
                    .map(|o| format!("{}  {}", for_terminal(o), for_terminal(reason))),
            );
        } else {
            let first: Vec<String> = origins
                .iter()
                .take(SHOWN_PER_REASON)
                .map(|o| for_terminal(o).into_owned())
                .collect();
            out.push(format!(
                "{}: {} files ({}, … --verbose lists them all)",
                for_terminal(reason),
                thousands(origins.len() as u64),
                first.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(o: &str, r: &str) -> FileIssue {
        FileIssue {
            origin: o.into(),
            reason: r.into(),
        }
    }

    #[test]
    fn many_files_of_one_reason_are_one_line() {
        let mut list: Vec<FileIssue> = (0..200_000)
            .map(|i| issue(&format!("b.zip!/m{i}"), "corrupt zip member: bad CRC"))
            .collect();
        list.push(issue("notes.txt", "text in no known log format"));
        let short = lines(&list, false);
        assert_eq!(
            short,
            [
                "corrupt zip member: bad CRC: 200,000 files (b.zip!/m0, b.zip!/m1, b.zip!/m2, … --verbose lists them all)",
                "notes.txt  text in no known log format",
            ]
        );
        assert_eq!(lines(&list, true).len(), 200_001);
    }
}

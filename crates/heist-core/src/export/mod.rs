//! Reports: the theft timeline as GitHub-flavoured Markdown for people, or CSV / JSON lines for tools. `build`
//! gathers a `ReportInput` from the bundle and the case; `markdown`, `tabular::csv` and `tabular::jsonl` are pure
//! functions of it (CSV through `csv_writer`, shared with `heist events`); `escape` makes every log-derived string inert.

pub mod build;
pub mod csv_writer;
pub mod dataset;
pub mod escape;
pub mod markdown;
pub mod report;
pub mod scope_md;
pub mod tabular;
mod timeline_md;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use build::{build, BuildOptions, Selection};
pub use markdown::markdown;
pub use report::{ReportFinding, ReportFindings, ReportIncident, ReportInput, ReportOther};

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("reading the events: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error(
        "{}: inside the bundle ({}); heist never writes into evidence: choose a path outside it",
        path.display(),
        input.display()
    )]
    InsideBundle { path: PathBuf, input: PathBuf },
    #[error("writing the report: {0}")]
    Write(#[from] crate::case::CaseError),
}

/// What a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Markdown,
    Csv,
    Jsonl,
}

impl Format {
    pub fn render(self, r: &ReportInput) -> String {
        match self {
            Format::Markdown => markdown(r),
            Format::Csv => tabular::csv(r),
            Format::Jsonl => tabular::jsonl(r),
        }
    }

    /// The format a file name asks for: `.csv` and `.jsonl` / `.ndjson` (any case); Markdown otherwise.
    pub fn from_path(path: &Path) -> Self {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Format::Csv,
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Markdown,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// `path` made absolute without requiring it to exist (its folder is resolved when it exists).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let (dir, name) = (path.parent(), path.file_name());
    if let (Some(d), Some(n)) = (dir, name) {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if let Ok(d) = d.canonicalize() {
            return d.join(n);
        }
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Refuse an output path inside the bundle (or on one of its files).
/// A report's title when the analyst gives none, the same from the CLI and the TUI: `Investigation of PATH...`
/// (the bundle's paths as given).
pub fn default_title(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    format!("Investigation of {}", shown.join(" "))
}

pub fn check_outside(out: &Path, inputs: &[PathBuf]) -> Result<(), ExportError> {
    let o = absolute(out);
    for i in inputs {
        let a = absolute(i);
        let inside = if a.is_dir() {
            o.starts_with(&a)
        } else {
            o == a
        };
        if inside {
            return Err(ExportError::InsideBundle {
                path: out.to_path_buf(),
                input: i.clone(),
            });
        }
    }
    Ok(())
}

/// Write a report atomically (temp file, fsync, rename), never inside the bundle.
pub fn write(out: &Path, inputs: &[PathBuf], text: &str) -> Result<(), ExportError> {
    check_outside(out, inputs)?;
    crate::case::store::write_atomic(out, text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_picks_its_format() {
        for (p, f) in [
            ("r.md", Format::Markdown),
            ("r", Format::Markdown),
            ("r.CSV", Format::Csv),
            ("dir.csv/r.txt", Format::Markdown),
            ("r.jsonl", Format::Jsonl),
            ("r.ndjson", Format::Jsonl),
        ] {
            assert_eq!(Format::from_path(Path::new(p)), f, "{p}");
        }
    }

    #[test]
    fn reports_never_go_into_the_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("bundle");
        std::fs::create_dir_all(bundle.join("sub")).unwrap();
        std::fs::write(bundle.join("sub/log.json"), "{}").unwrap();
        let zip = dir.path().join("b.zip");
        std::fs::write(&zip, "PK").unwrap();
        let inputs = vec![bundle.clone(), zip.clone()];
        for bad in [
            bundle.join("r.md"),
            bundle.join("sub/r.md"),
            bundle.join("sub/../r.md"),
            bundle.join("sub/log.json"),
            zip.clone(),
        ] {
            let e = write(&bad, &inputs, "x").unwrap_err();
            assert!(matches!(e, ExportError::InsideBundle { .. }), "{bad:?}");
        }
        assert_eq!(
            std::fs::read_to_string(bundle.join("sub/log.json")).unwrap(),
            "{}"
        );
        assert!(!bundle.join("r.md").exists());
        let ok = dir.path().join("out/report.md");
        write(&ok, &inputs, "# r\n").unwrap();
        assert_eq!(std::fs::read_to_string(ok).unwrap(), "# r\n");
        // A sibling folder whose name starts with the bundle's is not inside it.
        write(&dir.path().join("bundle-reports/r.md"), &inputs, "x").unwrap();
    }
}

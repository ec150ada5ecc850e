//! `heist formats`

use std::io::Write;
use std::process::ExitCode;

use std::sync::Arc;

use heist_core::ingest::formats::{registry, Format};

pub fn run(out: &mut dyn Write, extra: &[Arc<dyn Format>]) -> anyhow::Result<ExitCode> {
    writeln!(
        out,
        "heist reads these formats, detected by content (never by file name):"
    )?;
    for f in registry()
        .iter()
        .copied()
        .chain(extra.iter().map(|f| f.as_ref()))
    {
        writeln!(out)?;
        writeln!(out, "{} ({})", f.title(), f.id())?;
        writeln!(out, "  maps: {}", f.maps())?;
        for l in f.layouts() {
            writeln!(out, "  layout: {l}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Mapping files (--map FILE, or the config dir's mappings/ folder) add formats; see assets/mappings/.")?;
    writeln!(out, "Containers: folders (recursive), .gz, .zip, .tar, .tar.gz/.tgz, nested; read in memory, never extracted.")?;
    Ok(ExitCode::SUCCESS)
}

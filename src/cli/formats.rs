//! `heist formats`

use std::io::Write;
use std::process::ExitCode;

use crate::ingest::formats::registry;

pub fn run(out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    writeln!(out, "heist reads these formats, detected by content (never by file name):")?;
    for f in registry() {
        writeln!(out)?;
        writeln!(out, "{} ({})", f.title(), f.id())?;
        writeln!(out, "  maps: {}", f.maps())?;
        for l in f.layouts() {
            writeln!(out, "  layout: {l}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Containers: folders (recursive), .gz, .zip, .tar, .tar.gz/.tgz, nested; read in memory, never extracted.")?;
    Ok(ExitCode::SUCCESS)
}

//! Running a `--where` query for the CLI: the frame's terms, then any raw search (`raw:` / `~`), which reads the
//! records back from the bundle with a progress line on stderr when it is a terminal.

use std::io::IsTerminal;

use polars::prelude::DataFrame;

use heist_core::frame::EventStore;
use heist_core::query::raw::{self, RawProgress};
use heist_core::query::{self, Query};

/// The events of the loaded bundle that `q` selects; `None` when it has no terms (every event).
pub fn select(store: &EventStore, q: &Query) -> anyhow::Result<Option<DataFrame>> {
    if q.terms.is_empty() {
        return Ok(None);
    }
    if !q.has_raw() {
        return Ok(query::select(q, &store.frame)?);
    }
    let tty = std::io::stderr().is_terminal();
    let mut shown = false;
    let selected = raw::run(store, &store.frame, q, &mut |p: RawProgress| {
        if tty {
            eprint!(
                "\r\x1b[2Ksearching raw records: {}/{} files",
                p.files_done, p.files
            );
            shown = true;
        }
        true
    })
    .map_err(|e| anyhow::anyhow!("raw search: {e}"))?;
    if shown {
        eprint!("\r\x1b[2K");
    }
    if selected.unreadable > 0 {
        eprintln!(
            "heist: {} not searched for raw text: {}",
            heist_core::util::num::count_of(selected.unreadable, "event", "events"),
            heist_core::query::raw::unread_reason(store)
        );
    }
    Ok(Some(selected.frame))
}

//! What did not load, reachable after loading (`!`): files heist could not read, files skipped by design, and the
//! malformed records, each with where it was, as lines wrapped to the overlay's width.

use heist_core::frame::EventStore;
use heist_core::util::num::thousands;

use super::text::{clean, width as cols, wrap};

/// The overlay's lines at `width` columns: a summary first, then each list under its heading.
pub fn problem_lines(store: &EventStore, width: usize) -> Vec<(bool, String)> {
    let r = &store.report;
    let width = width.max(20);
    let mut out: Vec<(bool, String)> = Vec::new();
    // An origin is a path with no spaces to break at: cut it where the line ends; what happened wraps under it.
    let item = |out: &mut Vec<(bool, String)>, origin: &str, what: &str| {
        let mut line = String::new();
        for c in clean(origin).chars() {
            if cols(&line) + cols(&c.to_string()) > width {
                out.push((false, std::mem::take(&mut line)));
            }
            line.push(c);
        }
        out.push((false, line));
        for l in wrap(&clean(what), width.saturating_sub(4).max(16)) {
            out.push((false, format!("    {l}")));
        }
    };
    let push = |out: &mut Vec<(bool, String)>, heading: bool, text: String| {
        if heading {
            out.push((true, text));
        } else {
            for l in wrap(&text, width) {
                out.push((false, l));
            }
        }
    };
    push(
        &mut out,
        false,
        format!(
            "{} files loaded · {} unreadable · {} skipped by design · {} malformed records · {} duplicates dropped",
            thousands(store.files.len() as u64),
            thousands(r.unreadable.len() as u64),
            thousands(r.skipped.len() as u64),
            thousands(r.error_count as u64),
            thousands(r.duplicates as u64),
        ),
    );
    if r.unreadable.is_empty() && r.skipped.is_empty() && r.error_count == 0 {
        push(&mut out, false, "Everything in the bundle loaded.".into());
        return out;
    }
    if !r.unreadable.is_empty() {
        push(
            &mut out,
            true,
            "Not loaded: heist could not read them".into(),
        );
        for i in &r.unreadable {
            item(&mut out, &i.origin, &i.reason);
        }
    }
    if !r.skipped.is_empty() {
        push(&mut out, true, "Skipped by design".into());
        for i in &r.skipped {
            item(&mut out, &i.origin, &i.reason);
        }
    }
    if r.error_count > 0 {
        push(
            &mut out,
            true,
            format!(
                "Malformed records ({}{})",
                thousands(r.error_count as u64),
                if r.errors.len() < r.error_count {
                    format!(", the first {} listed", thousands(r.errors.len() as u64))
                } else {
                    String::new()
                }
            ),
        );
        for e in &r.errors {
            item(&mut out, &e.origin, &e.message);
        }
    }
    out
}

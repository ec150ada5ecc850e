//! Case work in the TUI, as state: the open case with its save bookkeeping, what a case key acts on, and the
//! inputs the analyst types into (tag, note, prompt, the case view), and finding an event's row in a view. The keys
//! that change them are in `update::case` and `update::annotate`.

use std::sync::Arc;

use polars::prelude::DataFrame;

use heist_core::case::{BundleDigest, Case, CaseFile, EventInfo};
use heist_core::entities::Entity;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};
use heist_core::util::time::Nanos;

use crate::input::editor::Editor;
use crate::input::line::LineInput;

/// The open case and whether what is in memory is on disk.
#[derive(Debug, Clone)]
pub struct CaseSession {
    pub case: Case,
    pub digest: Option<Arc<BundleDigest>>,
    /// Where it is saved; `None`: kept in memory only.
    pub file: Option<CaseFile>,
    /// Why the case is never written (its file is corrupt, from a newer heist, or unreadable); changes stay in
    /// memory.
    pub read_only: Option<String>,
    /// This session's hold on the case file: no other session writes it meanwhile.
    pub lock: Option<Arc<heist_core::case::lock::CaseLock>>,
    /// Bumped on every change; `saved` is the newest revision known to be on disk.
    pub revision: u64,
    pub saved: u64,
    /// The last save failed, and why (cleared by a later successful save).
    pub save_error: Option<String>,
}

/// How the case stands, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    Saved,
    Saving,
    Failed,
    Memory,
    ReadOnly,
}

impl CaseSession {
    pub fn new(case: Case, digest: Option<Arc<BundleDigest>>, file: Option<CaseFile>) -> Self {
        Self {
            case,
            digest,
            file,
            read_only: None,
            lock: None,
            revision: 0,
            saved: 0,
            save_error: None,
        }
    }

    /// Why quitting now would lose case work, if it would.
    pub fn unsaved(&self) -> Option<String> {
        if let Some(e) = &self.save_error {
            return Some(format!("the last save failed: {e}"));
        }
        if !self.case.has_annotations() {
            return None;
        }
        if let Some(r) = &self.read_only {
            return Some(format!(
                "the case file could not be read, so nothing was written to it: {r}"
            ));
        }
        if self.file.is_none() {
            return Some("this case is kept in memory only and is lost on quit".into());
        }
        None
    }

    pub fn status(&self) -> CaseStatus {
        if self.read_only.is_some() {
            CaseStatus::ReadOnly
        } else if self.save_error.is_some() {
            CaseStatus::Failed
        } else if self.file.is_none() {
            CaseStatus::Memory
        } else if self.saved != self.revision {
            CaseStatus::Saving
        } else {
            CaseStatus::Saved
        }
    }
}

/// What a case key (mark, tag, note) acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Event { key: EventKey, info: EventInfo },
    Entity(Entity),
}

#[derive(Debug, Clone)]
pub struct TagState {
    pub target: Target,
    pub input: LineInput,
    /// The highlighted suggestion.
    pub sel: usize,
}

#[derive(Debug, Clone)]
pub struct NoteState {
    pub target: Target,
    pub editor: Editor,
    /// The note as it was, to tell whether Esc would discard anything.
    pub original: String,
    /// Esc was pressed with changes: asking whether to discard them.
    pub confirm_discard: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Export,
    SaveView,
    /// The analyst's name (kept in the case; the report gives it).
    Analyst,
    /// When `PromptState::entity`'s legitimate use ended (empty clears it).
    EndDate,
    /// A time or date the timeline jumps to.
    JumpTime,
}

#[derive(Debug, Clone)]
pub struct PromptState {
    pub kind: PromptKind,
    pub input: LineInput,
    /// The entity the prompt is about (`EndDate`).
    pub entity: Option<Entity>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseViewState {
    /// Row in the case view: marked events first, then saved views.
    pub sel: usize,
}

/// One line saying what an event was: `GetObject by ... on ... from ... (failed)`.
pub fn event_summary(r: &FrameReader<'_>, row: usize) -> String {
    let mut s = r.text(Col::Action, row).unwrap_or("event").to_string();
    for (col, word) in [
        (Col::Identity, "by"),
        (Col::Asset, "on"),
        (Col::SourceIp, "from"),
    ] {
        if let Some(v) = r.text(col, row) {
            s.push(' ');
            s.push_str(word);
            s.push(' ');
            s.push_str(v);
        }
    }
    if r.text(Col::Outcome, row) == Some("failure") {
        s.push_str(" (failed)");
    }
    s
}

/// The key and description of row `row`.
pub fn event_target(r: &FrameReader<'_>, row: usize) -> Option<Target> {
    let key = EventKey::of_row(r, row)?;
    Some(Target::Event {
        key,
        info: EventInfo {
            time: r.time(row),
            summary: event_summary(r, row),
        },
    })
}

/// The row of `df` (time ordered) holding the event `key`, found by its time when known.
pub fn find_row(df: &DataFrame, time: Option<Nanos>, key: &EventKey) -> Option<usize> {
    let r = FrameReader::new(df).ok()?;
    let n = r.height();
    let is = |i: usize| EventKey::of_row(&r, i).as_ref() == Some(key);
    let Some(t) = time else {
        // No time recorded: look everywhere.
        return (0..n).find(|&i| is(i));
    };
    // Views are in time order: the first row at or after `t`, then the rows sharing that instant.
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if r.time(mid).unwrap_or(i64::MIN) < t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo..n)
        .take_while(|&i| r.time(i) == Some(t))
        .find(|&i| is(i))
}

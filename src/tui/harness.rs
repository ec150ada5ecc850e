//! Drive the whole TUI without a terminal: effects run inline (no threads, no sleeps), the screen is a ratatui
//! `TestBackend`. Used by the screen tests and the render benchmark.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::case::CaseLocation;
use crate::entities::Lineage;
use crate::frame::EventStore;
use crate::ingest::{LoadOptions, Progress};

use super::keymap::{Key, Keymap};
use super::state::{AppState, Effect, Msg};
use super::ui::{draw, Theme};
use super::{jobs, update::update};

pub struct Harness {
    pub state: AppState,
    ctx: Option<(Arc<EventStore>, Arc<Lineage>)>,
    pub terminal: Terminal<TestBackend>,
    theme: Theme,
}

impl Harness {
    /// Load `paths` (inline) into a `width` x `height` screen; the case is kept in memory only.
    pub fn new(paths: &[PathBuf], width: u16, height: u16) -> Self {
        Self::with_case(
            paths,
            width,
            height,
            CaseLocation::Memory,
            PathBuf::from("."),
        )
    }

    /// Load `paths` with the case at `location` (tests pass temporary files), exports proposed in `export_dir`.
    pub fn with_case(
        paths: &[PathBuf],
        width: u16,
        height: u16,
        location: CaseLocation,
        export_dir: PathBuf,
    ) -> Self {
        let title = paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let state = AppState::new(Keymap::default_map(), title.as_str()).with_bundle(
            paths.to_vec(),
            location,
            export_dir,
        );
        let mut h = Self::with_state(state, width, height);
        let loaded = jobs::load(
            paths,
            &LoadOptions::with_builtin_mappings(),
            &Progress::default(),
        );
        h.send(Msg::Loaded(loaded));
        h
    }

    /// A harness over an already loaded store (benchmarks load once, then draw).
    pub fn from_store(store: EventStore, width: u16, height: u16) -> Self {
        let mut h = Self::empty("bench", width, height);
        h.send(Msg::Loaded(jobs::prepare(store)));
        h
    }

    /// A harness before any load (to see the loading screen).
    pub fn empty(title: &str, width: u16, height: u16) -> Self {
        Self::with_state(AppState::new(Keymap::default_map(), title), width, height)
    }

    fn with_state(state: AppState, width: u16, height: u16) -> Self {
        let backend = TestBackend::new(width, height);
        let terminal = match Terminal::new(backend) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let mut h = Self {
            state,
            ctx: None,
            terminal,
            theme: Theme { color: false },
        };
        h.send(Msg::Resize { width, height });
        h
    }

    /// Apply a message and run every effect it causes, inline, until the state is quiet.
    pub fn send(&mut self, msg: Msg) {
        if let Msg::Loaded(Ok(l)) = &msg {
            self.ctx = Some((l.store.clone(), l.lineage.clone()));
        }
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            for e in update(&mut self.state, m) {
                if let Some(reply) = self.perform(e) {
                    queue.push(reply);
                }
            }
        }
    }

    fn perform(&self, e: Effect) -> Option<Msg> {
        match e {
            Effect::OpenCase { paths, location } => {
                return Some(jobs::open_case(&paths, &location))
            }
            Effect::SaveCase {
                revision,
                file,
                case,
            } => return Some(jobs::save_case(revision, &file, *case)),
            _ => {}
        }
        let (store, lineage) = self.ctx.as_ref()?;
        Some(match e {
            Effect::BuildView {
                generation,
                entity,
                filter,
                sort,
            } => jobs::build_view(store, lineage, generation, entity.as_ref(), &filter, sort),
            Effect::ReadRaw { origin, line } => jobs::read_raw(store, &origin, line),
            Effect::Export {
                path,
                case,
                digest,
                view,
                title,
                case_file,
            } => jobs::export_report(
                store,
                lineage,
                &self.state.paths,
                jobs::ExportJob {
                    path,
                    case: *case,
                    digest,
                    view,
                    title,
                    case_file,
                },
            ),
            Effect::OpenCase { .. } | Effect::SaveCase { .. } => return None,
        })
    }

    /// Press keys written as text: plain characters, and `<enter>`, `<esc>`, `<tab>`, `<backtab>`, `<bs>`,
    /// `<up>`, `<down>`, `<left>`, `<right>`, `<pgup>`, `<pgdown>`, `<c-x>` for ctrl.
    pub fn keys(&mut self, seq: &str) {
        for k in parse_keys(seq) {
            self.send(Msg::Key(k));
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.send(Msg::Resize { width, height });
    }

    /// Draw and return the screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&mut self) -> String {
        let state = &self.state;
        let theme = self.theme;
        if let Err(e) = self.terminal.draw(|f| draw(f, state, theme)) {
            match e {}
        }
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

pub fn parse_keys(seq: &str) -> Vec<Key> {
    let mut out = Vec::new();
    let mut chars = seq.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            let mut name = String::new();
            let mut closed = false;
            for d in chars.by_ref() {
                if d == '>' {
                    closed = true;
                    break;
                }
                name.push(d);
            }
            let key = match (closed, name.as_str()) {
                (true, "bs") => Some(Key::Backspace),
                (true, n) if n.starts_with("c-") => Key::parse(&format!("ctrl-{}", &n[2..])),
                (true, n) => Key::parse(n),
                (false, _) => None,
            };
            match key {
                Some(k) => out.push(k),
                None => {
                    out.push(Key::Char('<'));
                    out.extend(name.chars().map(Key::Char));
                }
            }
        } else {
            out.push(Key::Char(c));
        }
    }
    out
}

//! Drive the whole TUI without a terminal: effects run inline through the terminal's executor (no threads, no
//! sleeps), detection included; the screen is a ratatui `TestBackend`, drawn in colour whatever the environment
//! says, and read back as text or as a snapshot with its styles. Used by the screen tests and the render benchmark.

use std::path::PathBuf;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use heist_core::case::CaseLocation;
use heist_core::frame::EventStore;
use heist_core::ingest::{LoadOptions, Progress};

use super::executor::Executor;
use super::{jobs, screen};
use crate::app::findings::RuleSet;
use crate::app::msg::{Effect, Msg};
use crate::app::state::AppState;
use crate::draw::draw;
use crate::draw::theme::Theme;
use crate::input::key::parse_keys;
use crate::input::keymap::Keymap;
use crate::update::update;

pub struct Harness {
    pub state: AppState,
    executor: Executor,
    pub terminal: Terminal<TestBackend>,
    theme: Theme,
    /// What is held back, to see the TUI while it is still coming.
    hold: Hold,
    /// Detection asked for but held back, to see the TUI while the rules run.
    held: Vec<Effect>,
    /// Entity tables after a view's first and the finder's index, held back.
    held_msgs: Vec<Msg>,
}

/// Work a harness holds back until told (`finish_detection`, `release`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Hold {
    pub detection: bool,
    /// A view's other entity tables (`Msg::TableReady`).
    pub tables: bool,
    /// The finder's index (`Msg::FinderReady`).
    pub finder: bool,
    /// The finder's answers (`Msg::FinderHits`).
    pub searches: bool,
}

impl Harness {
    /// Load `paths` (inline) into a `width` x `height` screen, running the shipped rules; the case is kept in
    /// memory only.
    pub fn new(paths: &[PathBuf], width: u16, height: u16) -> Self {
        Self::with_case(
            paths,
            width,
            height,
            CaseLocation::Memory,
            PathBuf::from("."),
        )
    }

    /// Load `paths` and run `rules` (a pack with the analyst's rules, or the shipped one and why those failed).
    pub fn with_rules(paths: &[PathBuf], width: u16, height: u16, rules: RuleSet) -> Self {
        Self::open(
            paths,
            width,
            height,
            CaseLocation::Memory,
            PathBuf::from("."),
            rules,
            Hold::default(),
        )
    }

    /// Load `paths` with the shipped rules, but hold detection back until `finish_detection`: the screen while
    /// the rules run.
    pub fn detection_held(paths: &[PathBuf], width: u16, height: u16) -> Self {
        Self::holding(
            paths,
            width,
            height,
            Hold {
                detection: true,
                ..Hold::default()
            },
        )
    }

    /// Load `paths` with the shipped rules, holding back what `hold` names.
    pub fn holding(paths: &[PathBuf], width: u16, height: u16, hold: Hold) -> Self {
        Self::open(
            paths,
            width,
            height,
            CaseLocation::Memory,
            PathBuf::from("."),
            RuleSet::shipped(),
            hold,
        )
    }

    /// Deliver the tables, finder index and search answers held back (in the order they came), and everything
    /// they cause.
    pub fn release(&mut self) {
        self.hold.tables = false;
        self.hold.finder = false;
        self.hold.searches = false;
        for m in std::mem::take(&mut self.held_msgs) {
            self.send(m);
        }
    }

    /// Run the detection held back, and everything it causes.
    pub fn finish_detection(&mut self) {
        self.hold.detection = false;
        for e in std::mem::take(&mut self.held) {
            for m in self.perform(e) {
                self.send(m);
            }
        }
    }

    /// Load `paths` with the case at `location` (tests pass temporary files), exports proposed in `export_dir`.
    pub fn with_case(
        paths: &[PathBuf],
        width: u16,
        height: u16,
        location: CaseLocation,
        export_dir: PathBuf,
    ) -> Self {
        Self::open(
            paths,
            width,
            height,
            location,
            export_dir,
            RuleSet::shipped(),
            Hold::default(),
        )
    }

    fn open(
        paths: &[PathBuf],
        width: u16,
        height: u16,
        location: CaseLocation,
        export_dir: PathBuf,
        rules: RuleSet,
        hold: Hold,
    ) -> Self {
        let mut h = Self::unloaded(paths, width, height, location, export_dir, rules);
        h.hold = hold;
        let loaded = jobs::load(
            paths,
            &LoadOptions::with_builtin_mappings(),
            &Progress::default(),
        );
        h.send(Msg::Loaded(loaded));
        h
    }

    /// A harness on `paths` before their load arrives.
    fn unloaded(
        paths: &[PathBuf],
        width: u16,
        height: u16,
        location: CaseLocation,
        export_dir: PathBuf,
        rules: RuleSet,
    ) -> Self {
        let title = paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let state = AppState::new(Keymap::default_map(), title.as_str())
            .with_bundle(paths.to_vec(), location, export_dir)
            .with_rules(rules);
        Self::with_state(state, width, height)
    }

    /// As [`Harness::with_case`], the bundle read through the load cache `cache` (and the entry written when the
    /// load made one), as the terminal does.
    pub fn with_case_cached(
        paths: &[PathBuf],
        width: u16,
        height: u16,
        location: CaseLocation,
        cache: &heist_core::ingest::cache::Cache,
    ) -> Self {
        let mut h = Self::unloaded(
            paths,
            width,
            height,
            location,
            PathBuf::from("."),
            RuleSet::shipped(),
        );
        let (loaded, pending) = jobs::load_cached(
            paths,
            &LoadOptions::with_builtin_mappings(),
            Some(cache),
            &Progress::default(),
        );
        if let (Some(p), Ok(l)) = (pending, &loaded) {
            let _ = p.write(&l.store);
        }
        h.send(Msg::Loaded(loaded));
        h
    }

    /// A harness over an already loaded store (benchmarks load once, then draw). No rules run: the render
    /// benchmark times views and drawing, not detection.
    pub fn from_store(store: EventStore, width: u16, height: u16) -> Self {
        let mut h = Self::empty("bench", width, height);
        h.state.rules = RuleSet::none();
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
            executor: Executor::new(state.paths.clone()),
            state,
            terminal,
            // Colours on, whatever the environment says: snapshots check them.
            theme: Theme { color: true },
            hold: Hold::default(),
            held: Vec::new(),
            held_msgs: Vec::new(),
        };
        h.send(Msg::Resize { width, height });
        h
    }

    /// Apply a message and run every effect it causes, inline, until the state is quiet.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = Vec::new();
        if let Msg::Loaded(l) = &msg {
            self.executor.loaded(l);
            if let Ok(l) = l {
                // As in the app, the finder's index follows the load.
                queue.push(jobs::finder(&l.store));
            }
        }
        queue.push(msg);
        while let Some(m) = queue.pop() {
            let held = match &m {
                // The table of the tab on screen follows the events at once; the others are held.
                Msg::TableReady { kind, .. } => self.hold.tables && *kind != self.state.view().tab,
                Msg::FinderReady(_) => self.hold.finder,
                Msg::FinderHits { .. } => self.hold.searches,
                _ => false,
            };
            if held {
                self.held_msgs.push(m);
                continue;
            }
            for e in update(&mut self.state, m) {
                if self.hold.detection && matches!(e, Effect::Detect { .. }) {
                    self.held.push(e);
                    continue;
                }
                let mut replies = self.perform(e);
                replies.reverse(); // the stack hands them back in the order they were sent
                queue.extend(replies);
            }
        }
    }

    /// Perform `e` with the executor, inline. Before the load, work on the bundle has nothing to run on and is
    /// dropped (the terminal's lanes would wait for the load).
    fn perform(&self, e: Effect) -> Vec<Msg> {
        let mut out = Vec::new();
        if self.executor.ready(&e) {
            self.executor.perform(e, &mut |m| {
                out.push(m);
                true
            });
        }
        out
    }

    /// Press the keys of a key sequence: plain characters as themselves, any key by its keymap name in angle
    /// brackets (`:outcome:failure<enter>`, `<ctrl-u>`, `<backspace>`, `<pgdown>`; `<<>` types `<`).
    ///
    /// # Panics
    ///
    /// On a sequence that does not parse (an unknown key name, a `<` without its `>`): a test's typo, said at once
    /// rather than typed as text.
    pub fn keys(&mut self, seq: &str) {
        let keys = parse_keys(seq).unwrap_or_else(|e| panic!("key sequence {seq:?}: {e}"));
        for k in keys {
            self.send(Msg::Key(k));
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.send(Msg::Resize { width, height });
    }

    /// Draw and return the screen as text, one line per row, trailing spaces trimmed.
    pub fn screen(&mut self) -> String {
        screen::text(self.draw())
    }

    /// Draw and return the screen as text followed by its styles (`styles: <digest>` and the styled runs of the
    /// selected rows): what snapshots keep, so a change of colour, focus or highlight shows as well as one of text.
    pub fn snapshot(&mut self) -> String {
        let buf = self.draw();
        screen::text(buf) + &screen::styles(buf)
    }

    /// The style digest of the screen alone.
    pub fn style_digest(&mut self) -> u64 {
        screen::digest(self.draw())
    }

    fn draw(&mut self) -> &Buffer {
        let state = &self.state;
        let theme = self.theme;
        if let Err(e) = self.terminal.draw(|f| draw(f, state, theme)) {
            match e {}
        }
        self.terminal.backend().buffer()
    }
}

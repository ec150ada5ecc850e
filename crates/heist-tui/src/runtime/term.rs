//! The real terminal: raw mode and the alternate screen (restored on exit and on panic), an input thread, a loader
//! thread reporting progress (and building the finder's index after the load), and the lanes that perform effects
//! off the UI thread (views, the finder, saves, opening the case and reports, detection). Quitting waits for the
//! case's saves.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use heist_core::case::CaseLocation;
use heist_core::ingest::{LoadOptions, Progress};

use super::executor::Executor;
use super::jobs;
use super::lanes::Lanes;
use crate::app::findings::RuleSet;
use crate::app::msg::{Effect, Msg};
use crate::app::state::AppState;
use crate::draw::draw;
use crate::draw::theme::Theme;
use crate::input::key::Key;
use crate::input::keymap::Keymap;
use crate::update::update;

/// Map a crossterm key press to heist's key; `None` for releases and keys heist does not use.
pub fn key_from(e: KeyEvent) -> Option<Key> {
    if e.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
    Some(match e.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Delete => Key::Delete,
        _ => return None,
    })
}

/// How the TUI runs: load options, keys, where the case is kept, the rules detection runs.
pub struct RunOptions {
    pub load: LoadOptions,
    /// Where the loaded frame is cached (`None`: read the bundle, write nothing).
    pub cache: Option<heist_core::ingest::cache::Cache>,
    pub keymap: Keymap,
    pub case: CaseLocation,
    pub rules: RuleSet,
}

/// Run the TUI on `paths` until the analyst quits.
pub fn run(paths: Vec<PathBuf>, opts: RunOptions) -> io::Result<()> {
    let title = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let mut terminal = ratatui::try_init()?;
    super::fault::exit_on_panic();
    let result = event_loop(&mut terminal, paths, opts, title);
    ratatui::try_restore()?;
    result
}

/// Where the export prompt proposes reports: the current folder, unless that is inside the bundle.
fn export_dir(paths: &[PathBuf]) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if heist_core::export::check_outside(&cwd.join("report.md"), paths).is_ok() {
        return cwd;
    }
    paths
        .first()
        .and_then(|p| std::path::absolute(p).ok())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .unwrap_or(cwd)
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    paths: Vec<PathBuf>,
    opts: RunOptions,
    title: String,
) -> io::Result<()> {
    let RunOptions {
        load,
        cache,
        keymap,
        case,
        rules,
    } = opts;
    let theme = Theme::from_env();
    let (tx, rx) = mpsc::channel::<Msg>();
    let progress = Arc::new(Progress::default());
    let dir = export_dir(&paths);
    spawn_loader(paths.clone(), load, cache, progress.clone(), tx.clone());
    spawn_input(tx.clone());
    let executor = Executor::new(paths.clone());
    let lanes = Lanes::start(&executor, &tx)?;

    let mut state = AppState::new(keymap, title)
        .with_bundle(paths, case, dir)
        .with_rules(rules);
    let size = terminal.size()?;
    let _ = update(
        &mut state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| draw(f, &state, theme))?;
            dirty = false;
            if state.store.is_some() {
                super::fault::inject("ui");
            }
        }
        let msg = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Handle everything already queued before drawing again (key repeat, progress bursts).
        let mut batch = vec![msg];
        batch.extend(rx.try_iter());
        for m in batch {
            if let Msg::Loaded(l) = &m {
                executor.loaded(l);
            }
            if let Msg::Resize { .. } = m {
                terminal.autoresize()?;
            }
            for e in update(&mut state, m) {
                match e {
                    Effect::Clipboard(text) => super::clipboard::copy(&text)?,
                    e => lanes.submit(e),
                }
            }
        }
        executor.moved_to(state.generation);
        dirty = true;
        if state.quit {
            progress.cancel();
            break;
        }
    }
    // Every save asked for reaches the disk before heist exits; a failure is said on the way out.
    lanes.close()
}

fn spawn_loader(
    paths: Vec<PathBuf>,
    opts: LoadOptions,
    cache: Option<heist_core::ingest::cache::Cache>,
    progress: Arc<Progress>,
    tx: Sender<Msg>,
) {
    let p = progress.clone();
    let ticker_tx = tx.clone();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    std::thread::spawn(move || {
        while !d.load(Ordering::Relaxed) {
            if ticker_tx.send(Msg::Progress(p.snapshot())).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    std::thread::spawn(move || {
        let (loaded, pending) = jobs::load_cached(&paths, &opts, cache.as_ref(), &progress);
        done.store(true, Ordering::Relaxed);
        super::fault::inject("loader");
        // The finder's index is built while the first view is computed, not before it.
        let store = loaded.as_ref().ok().map(|l| l.store.clone());
        if tx.send(Msg::Loaded(loaded)).is_err() {
            return;
        }
        if let Some(store) = store {
            let _ = tx.send(jobs::finder(&store));
            // The cache entry after the first screen: the next open of this bundle starts from it.
            if let Some(p) = pending {
                let _ = p.write(&store);
            }
        }
    });
}

fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || loop {
        let msg = match event::read() {
            Ok(Event::Key(k)) => key_from(k).map(Msg::Key),
            Ok(Event::Resize(width, height)) => Some(Msg::Resize { width, height }),
            Ok(_) => None,
            Err(_) => return,
        };
        if let Some(m) = msg {
            if tx.send(m).is_err() {
                return;
            }
        }
    });
}

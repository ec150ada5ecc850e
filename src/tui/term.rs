//! The real terminal: raw mode and the alternate screen (restored on exit and on panic), an input thread, a loader
//! thread reporting progress, and a worker thread that runs effects, newest first, dropping superseded requests.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::entities::Lineage;
use crate::frame::EventStore;
use crate::ingest::{LoadOptions, Progress};

use super::jobs;
use super::keymap::{Key, Keymap};
use super::state::{AppState, Effect, Msg};
use super::ui::{draw, Theme};
use super::update::update;

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

enum Job {
    Ready(Arc<EventStore>, Arc<Lineage>),
    Effect(Effect),
}

/// Run the TUI on `paths` until the analyst quits.
pub fn run(paths: Vec<PathBuf>, opts: LoadOptions, keymap: Keymap) -> io::Result<()> {
    let title = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, paths, opts, keymap, title);
    ratatui::try_restore()?;
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    paths: Vec<PathBuf>,
    opts: LoadOptions,
    keymap: Keymap,
    title: String,
) -> io::Result<()> {
    let theme = Theme::from_env();
    let (tx, rx) = mpsc::channel::<Msg>();
    let progress = Arc::new(Progress::default());
    spawn_loader(paths, opts, progress.clone(), tx.clone());
    spawn_input(tx.clone());
    let jobs_tx = spawn_worker(tx.clone());

    let mut state = AppState::new(keymap, title);
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
            if let Msg::Loaded(Ok(l)) = &m {
                let _ = jobs_tx.send(Job::Ready(l.store.clone(), l.lineage.clone()));
            }
            if let Msg::Resize { .. } = m {
                terminal.autoresize()?;
            }
            for e in update(&mut state, m) {
                let _ = jobs_tx.send(Job::Effect(e));
            }
        }
        dirty = true;
        if state.quit {
            progress.cancel();
            break;
        }
    }
    Ok(())
}

fn spawn_loader(paths: Vec<PathBuf>, opts: LoadOptions, progress: Arc<Progress>, tx: Sender<Msg>) {
    let p = progress.clone();
    let ticker_tx = tx.clone();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d = done.clone();
    std::thread::spawn(move || {
        while !d.load(std::sync::atomic::Ordering::Relaxed) {
            if ticker_tx.send(Msg::Progress(p.snapshot())).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    std::thread::spawn(move || {
        let loaded = jobs::load(&paths, &opts, &progress);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = tx.send(Msg::Loaded(loaded));
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

fn spawn_worker(tx: Sender<Msg>) -> Sender<Job> {
    let (jtx, jrx) = mpsc::channel::<Job>();
    std::thread::spawn(move || worker(jrx, tx));
    jtx
}

fn worker(rx: Receiver<Job>, tx: Sender<Msg>) {
    let mut ctx: Option<(Arc<EventStore>, Arc<Lineage>)> = None;
    while let Ok(first) = rx.recv() {
        // Take everything queued; only the newest view request and the newest raw read still matter.
        let mut view: Option<Effect> = None;
        let mut raw: Option<Effect> = None;
        for job in std::iter::once(first).chain(rx.try_iter()) {
            match job {
                Job::Ready(s, l) => ctx = Some((s, l)),
                Job::Effect(e @ Effect::BuildView { .. }) => view = Some(e),
                Job::Effect(e @ Effect::ReadRaw { .. }) => raw = Some(e),
            }
        }
        let Some((store, lineage)) = &ctx else {
            continue;
        };
        for e in [view, raw].into_iter().flatten() {
            let msg = match e {
                Effect::BuildView {
                    generation,
                    entity,
                    filter,
                    sort,
                } => jobs::build_view(store, lineage, generation, entity.as_ref(), &filter, sort),
                Effect::ReadRaw { origin, line } => jobs::read_raw(store, &origin, line),
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    }
}

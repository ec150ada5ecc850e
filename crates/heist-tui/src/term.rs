//! The real terminal: raw mode and the alternate screen (restored on exit and on panic), an input thread, a loader
//! thread reporting progress, a worker thread that runs view effects, newest first, dropping superseded requests,
//! a saver thread that writes the case (the newest revision supersedes queued ones; quitting waits for it), a
//! background thread for opening the case and writing reports, and a detection thread that runs the rule pack
//! once the bundle is loaded (the UI stays usable meanwhile).

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use heist_core::case::CaseLocation;
use heist_core::entities::Lineage;
use heist_core::frame::EventStore;
use heist_core::ingest::{LoadOptions, Progress};

use super::jobs;
use super::keymap::{Key, Keymap};
use super::state::{AppState, Effect, Msg, RuleSet};
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

/// How the TUI runs: load options, keys, where the case is kept, the rules detection runs.
pub struct RunOptions {
    pub load: LoadOptions,
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
        keymap,
        case,
        rules,
    } = opts;
    let theme = Theme::from_env();
    let (tx, rx) = mpsc::channel::<Msg>();
    let progress = Arc::new(Progress::default());
    let dir = export_dir(&paths);
    spawn_loader(paths.clone(), load, progress.clone(), tx.clone());
    spawn_input(tx.clone());
    // The generation the state is at: the worker stops a view's remaining tables once it has moved on.
    let current = Arc::new(AtomicU64::new(0));
    let jobs_tx = spawn_worker(tx.clone(), current.clone());
    let bg_tx = spawn_background(tx.clone(), paths.clone());
    let search_tx = spawn_searcher(tx.clone());
    let (save_tx, saver) = spawn_saver(tx.clone());

    let mut state = AppState::new(keymap, title)
        .with_bundle(paths, case, dir)
        .with_rules(rules);
    let mut store: Option<Arc<EventStore>> = None;
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
                store = Some(l.store.clone());
                let _ = jobs_tx.send(Job::Ready(l.store.clone(), l.lineage.clone()));
                let _ = bg_tx.send(Job::Ready(l.store.clone(), l.lineage.clone()));
            }
            if let Msg::Resize { .. } = m {
                terminal.autoresize()?;
            }
            for e in update(&mut state, m) {
                let _ = match e {
                    e @ Effect::SaveCase { .. } => save_tx.send(e).is_ok(),
                    e @ (Effect::OpenCase { .. } | Effect::Export { .. }) => {
                        bg_tx.send(Job::Effect(e)).is_ok()
                    }
                    Effect::Detect {
                        run,
                        rules,
                        end_dates,
                    } => {
                        spawn_detection(run, store.clone(), rules.0, end_dates, tx.clone());
                        true
                    }
                    e @ Effect::Search { .. } => search_tx.send(e).is_ok(),
                    e => jobs_tx.send(Job::Effect(e)).is_ok(),
                };
            }
        }
        current.store(state.generation, Ordering::Relaxed);
        dirty = true;
        if state.quit {
            progress.cancel();
            break;
        }
    }
    // Every save asked for reaches the disk before heist exits; a failure is said on the way out.
    drop(save_tx);
    match saver.join() {
        Ok(None) => Ok(()),
        Ok(Some(e)) => Err(io::Error::other(format!(
            "the case could not be saved: {e}"
        ))),
        Err(_) => Err(io::Error::other("the case saver stopped unexpectedly")),
    }
}

/// Writes the case. Of the saves queued, only the newest revision is written (it holds all the others). Returns
/// the error of the last save, if it failed.
fn spawn_saver(tx: Sender<Msg>) -> (Sender<Effect>, JoinHandle<Option<String>>) {
    let (stx, srx) = mpsc::channel::<Effect>();
    let handle = std::thread::spawn(move || {
        let mut last_error = None;
        while let Ok(first) = srx.recv() {
            let newest = std::iter::once(first)
                .chain(srx.try_iter())
                .filter_map(|e| match e {
                    Effect::SaveCase {
                        revision,
                        file,
                        case,
                    } => Some((revision, file, case)),
                    _ => None,
                })
                .max_by_key(|(r, _, _)| *r);
            let Some((revision, file, case)) = newest else {
                continue;
            };
            let msg = jobs::save_case(revision, &file, *case);
            last_error = match &msg {
                Msg::CaseSaved { result: Err(e), .. } => Some(e.clone()),
                _ => None,
            };
            let _ = tx.send(msg);
        }
        last_error
    });
    (stx, handle)
}

/// Opens the case and writes reports, so neither waits behind a view nor holds one up.
fn spawn_background(tx: Sender<Msg>, paths: Vec<PathBuf>) -> Sender<Job> {
    let (jtx, jrx) = mpsc::channel::<Job>();
    std::thread::spawn(move || {
        let mut ctx: Option<(Arc<EventStore>, Arc<Lineage>)> = None;
        let mut waiting: Vec<Effect> = Vec::new();
        while let Ok(job) = jrx.recv() {
            match job {
                Job::Ready(s, l) => ctx = Some((s, l)),
                Job::Effect(e) => waiting.push(e),
            }
            for e in std::mem::take(&mut waiting) {
                let msg = match (e, &ctx) {
                    (Effect::OpenCase { paths, location }, _) => jobs::open_case(&paths, &location),
                    (
                        Effect::Export {
                            path,
                            case,
                            digest,
                            view,
                            title,
                            case_file,
                            findings,
                        },
                        Some((store, lineage)),
                    ) => jobs::export_report(
                        store,
                        lineage,
                        &paths,
                        jobs::ExportJob {
                            path,
                            case: *case,
                            digest,
                            view,
                            title,
                            case_file,
                            findings,
                        },
                    ),
                    (e, _) => {
                        waiting.push(e);
                        continue;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        }
    });
    jtx
}

/// Answers the finder as the analyst types: of the searches queued, only the newest runs.
fn spawn_searcher(tx: Sender<Msg>) -> Sender<Effect> {
    let (stx, srx) = mpsc::channel::<Effect>();
    std::thread::spawn(move || {
        while let Ok(first) = srx.recv() {
            let newest = std::iter::once(first)
                .chain(srx.try_iter())
                .filter_map(|e| match e {
                    Effect::Search { finder, pattern } => Some((finder, pattern)),
                    _ => None,
                })
                .last();
            if let Some((finder, pattern)) = newest {
                if tx.send(jobs::search(&finder.0, &pattern)).is_err() {
                    return;
                }
            }
        }
    });
    stx
}

/// Run the rule pack over the loaded bundle on its own thread, so neither views nor the case wait for it.
fn spawn_detection(
    run: u64,
    store: Option<Arc<EventStore>>,
    rules: Arc<heist_core::detect::RulePack>,
    end_dates: Vec<(heist_core::entities::Entity, heist_core::util::time::Nanos)>,
    tx: Sender<Msg>,
) {
    std::thread::spawn(move || {
        let msg = match store {
            Some(s) => jobs::detect(run, &s, &rules, end_dates),
            None => Msg::Findings {
                run,
                result: Err("the bundle is not loaded".into()),
            },
        };
        let _ = tx.send(msg);
    });
}

fn spawn_loader(paths: Vec<PathBuf>, opts: LoadOptions, progress: Arc<Progress>, tx: Sender<Msg>) {
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
        let loaded = jobs::load(&paths, &opts, &progress);
        done.store(true, Ordering::Relaxed);
        // The finder's index is built while the first view is computed, not before it.
        let store = loaded.as_ref().ok().map(|l| l.store.clone());
        if tx.send(Msg::Loaded(loaded)).is_err() {
            return;
        }
        if let Some(store) = store {
            let _ = tx.send(jobs::finder(&store));
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

fn spawn_worker(tx: Sender<Msg>, current: Arc<AtomicU64>) -> Sender<Job> {
    let (jtx, jrx) = mpsc::channel::<Job>();
    std::thread::spawn(move || worker(jrx, tx, &current));
    jtx
}

fn worker(rx: Receiver<Job>, tx: Sender<Msg>, current: &AtomicU64) {
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
                Job::Effect(_) => {}
            }
        }
        let Some((store, lineage)) = &ctx else {
            continue;
        };
        for e in [view, raw].into_iter().flatten() {
            // Whether the UI still listens: once it has gone, the worker stops.
            let open = match e {
                Effect::BuildView {
                    generation,
                    scope,
                    filter,
                    sort,
                    first,
                } => {
                    let mut open = true;
                    jobs::build_view(
                        store,
                        lineage,
                        generation,
                        &scope,
                        &filter,
                        sort,
                        first,
                        &mut |m| {
                            open = tx.send(m).is_ok();
                            // The rest of this view is wasted work once the analyst has moved on.
                            open && current.load(Ordering::Relaxed) <= generation
                        },
                    );
                    open
                }
                Effect::ReadRaw { origin, line } => {
                    tx.send(jobs::read_raw(store, &origin, line)).is_ok()
                }
                _ => true,
            };
            if !open {
                return;
            }
        }
    }
}

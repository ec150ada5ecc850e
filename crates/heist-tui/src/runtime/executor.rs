//! The one place effects are performed. The executor knows what every `Effect` needs (the bundle's paths, and once
//! it is loaded its store and lineage) and hands the resulting `Msg`s to whoever runs it: the terminal's lanes, on
//! their threads, or the test harness, inline. `route` says which lane an effect runs on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use heist_core::entities::Lineage;
use heist_core::frame::EventStore;

use super::jobs::{self, ExportJob};
use crate::app::msg::{Effect, Loaded, Msg};

/// The loaded bundle effects run against.
#[derive(Clone)]
struct Bundle {
    store: Arc<EventStore>,
    lineage: Arc<Lineage>,
}

/// Where the load stands, for the work waiting for it.
enum Load<T> {
    Pending,
    Ready(T),
    /// It will never come: work that needs it is dropped.
    Failed,
}

/// The load, set once when it finishes; work that needs the bundle waits for it here.
struct LoadCell<T> {
    load: Mutex<Load<T>>,
    finished: Condvar,
}

impl<T: Clone> LoadCell<T> {
    fn new() -> Self {
        Self {
            load: Mutex::new(Load::Pending),
            finished: Condvar::new(),
        }
    }

    fn set(&self, load: Load<T>) {
        *self.load.lock().unwrap_or_else(PoisonError::into_inner) = load;
        self.finished.notify_all();
    }

    fn ready(&self) -> bool {
        matches!(
            *self.load.lock().unwrap_or_else(PoisonError::into_inner),
            Load::Ready(_)
        )
    }

    /// What was loaded, once it is (waiting for it); `None` when the load failed.
    fn wait(&self) -> Option<T> {
        let mut load = self.load.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match &*load {
                Load::Ready(b) => return Some(b.clone()),
                Load::Failed => return None,
                Load::Pending => {
                    load = self
                        .finished
                        .wait(load)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

/// Performs effects. Cheap to clone: the clones share the load and the generation the state is at.
#[derive(Clone)]
pub struct Executor {
    /// The bundle's paths (reports are never written inside them).
    paths: Arc<[PathBuf]>,
    load: Arc<LoadCell<Bundle>>,
    /// The generation of the newest view the state asked for: an older view stops computing its remaining
    /// tables.
    current: Arc<AtomicU64>,
}

impl Executor {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Self {
            paths: paths.into(),
            load: Arc::new(LoadCell::new()),
            current: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The load finished: work waiting for the bundle runs now (or, when the load failed, is dropped).
    pub fn loaded(&self, load: &Result<Loaded, String>) {
        self.load.set(match load {
            Ok(l) => Load::Ready(Bundle {
                store: l.store.clone(),
                lineage: l.lineage.clone(),
            }),
            Err(_) => Load::Failed,
        });
    }

    /// The state has moved on to view `generation`.
    pub fn moved_to(&self, generation: u64) {
        self.current.store(generation, Ordering::Relaxed);
    }

    /// Whether `e` runs now rather than waiting for the load (opening and saving the case and searching need
    /// nothing loaded).
    pub fn ready(&self, e: &Effect) -> bool {
        !needs_bundle(e) || self.load.ready()
    }

    /// Perform `e`, handing each message it produces to `emit` as soon as it is ready; `emit` answers whether
    /// anyone still listens. Work that needs the bundle waits for it (and is dropped if the load failed). Returns
    /// whether anyone still listens.
    pub fn perform(&self, e: Effect, emit: &mut dyn FnMut(Msg) -> bool) -> bool {
        let bundle = || self.load.wait();
        match e {
            // The terminal's, not a worker's: the event loop writes it (see `term`).
            Effect::Clipboard(_) => true,
            Effect::OpenCase { paths, location } => emit(jobs::open_case(&paths, &location)),
            Effect::ConfirmCache { entry, sha256 } => emit(jobs::confirm_cache(&entry, &sha256)),
            Effect::SaveCase {
                revision,
                file,
                case,
            } => emit(jobs::save_case(revision, &file, *case)),
            Effect::Search { finder, pattern } => emit(jobs::search(&finder.0, &pattern)),
            Effect::BuildView {
                generation,
                scope,
                filter,
                sort,
                first,
            } => {
                let Some(b) = bundle() else { return true };
                let mut open = true;
                jobs::build_view(
                    &b.store,
                    &b.lineage,
                    generation,
                    &scope,
                    &filter,
                    sort,
                    first,
                    &mut |m| {
                        open = emit(m);
                        // The rest of this view is wasted work once the analyst has moved on.
                        open && self.current.load(Ordering::Relaxed) <= generation
                    },
                );
                open
            }
            Effect::ReadRaw { origin, line } => match bundle() {
                Some(b) => emit(jobs::read_raw(&b.store, &origin, line)),
                None => true,
            },
            Effect::Detect {
                run,
                rules,
                end_dates,
                scope,
                training,
            } => match bundle() {
                Some(b) => emit(jobs::detect(
                    run,
                    &b.store,
                    &b.lineage,
                    &rules.0,
                    jobs::DetectInputs {
                        end_dates,
                        scope,
                        training,
                    },
                )),
                None => true,
            },
            Effect::Compare { run, a, b } => match bundle() {
                Some(bd) => emit(jobs::compare(run, &bd.store, &bd.lineage, &a, &b)),
                None => true,
            },
            Effect::ComputeScope { run, seeds } => match bundle() {
                Some(b) => emit(jobs::scope(run, &b.store, &b.lineage, &seeds)),
                None => true,
            },
            Effect::Export {
                path,
                case,
                digest,
                view,
                title,
                case_file,
                findings,
            } => {
                let Some(b) = bundle() else { return true };
                let job = ExportJob {
                    path,
                    case: *case,
                    digest,
                    view,
                    title,
                    case_file,
                    findings,
                };
                emit(jobs::export_report(&b.store, &b.lineage, &self.paths, job))
            }
        }
    }
}

/// Everything but opening and saving the case and searching runs over the loaded bundle.
fn needs_bundle(e: &Effect) -> bool {
    !matches!(
        e,
        Effect::OpenCase { .. }
            | Effect::ConfirmCache { .. }
            | Effect::SaveCase { .. }
            | Effect::Search { .. }
    )
}

/// The lane an effect runs on in the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Views and raw records: the newest view and the newest raw read win.
    Views,
    /// The finder's searches: the newest pattern wins.
    Finder,
    /// Case saves: the newest revision wins (it holds the others); quitting waits for it.
    Saves,
    /// Opening the case and writing reports: every one, in order, neither waiting behind a view.
    Background,
    /// The rule pack, on its own so neither views nor the case wait for it: the newest run wins.
    Detection,
    /// The attack scope, on its own so views do not wait for a long walk: the newest request wins.
    Scope,
}

pub fn route(e: &Effect) -> Route {
    match e {
        Effect::BuildView { .. } | Effect::ReadRaw { .. } => Route::Views,
        Effect::Search { .. } => Route::Finder,
        Effect::SaveCase { .. } => Route::Saves,
        Effect::OpenCase { .. }
        | Effect::ConfirmCache { .. }
        | Effect::Export { .. }
        | Effect::Clipboard(_) => Route::Background,
        Effect::Detect { .. } => Route::Detection,
        Effect::ComputeScope { .. } | Effect::Compare { .. } => Route::Scope,
    }
}

/// Two effects of the same kind share a slot on a latest-wins lane: the later replaces the earlier while it waits.
pub fn same_kind(a: &Effect, b: &Effect) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use heist_core::case::CaseLocation;

    #[test]
    fn work_on_the_bundle_waits_for_the_load_and_is_dropped_when_it_failed() {
        let x = Executor::new(Vec::new());
        let raw = Effect::ReadRaw {
            origin: "a".into(),
            line: 1,
        };
        let open = Effect::OpenCase {
            paths: Vec::new(),
            location: CaseLocation::Memory,
        };
        assert!(!x.ready(&raw));
        assert!(x.ready(&open));
        let waiting = {
            let x = x.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                x.perform(raw, &mut |m| {
                    got.push(matches!(m, Msg::Raw(_)));
                    true
                });
                got
            })
        };
        x.loaded(&Err("unreadable".into()));
        assert_eq!(waiting.join().ok(), Some(Vec::new()), "dropped, not run");
    }

    #[test]
    fn waiters_get_the_load_once_it_is_set() {
        let cell = Arc::new(LoadCell::new());
        assert!(!cell.ready());
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let cell = cell.clone();
                std::thread::spawn(move || cell.wait())
            })
            .collect();
        cell.set(Load::Ready(7u32));
        assert!(cell.ready());
        for w in waiters {
            assert_eq!(w.join().ok(), Some(Some(7)));
        }
        assert_eq!(cell.wait(), Some(7), "and anyone who asks later");
    }

    #[test]
    fn each_effect_has_its_lane() {
        let raw = Effect::ReadRaw {
            origin: "a".into(),
            line: 1,
        };
        assert_eq!(route(&raw), Route::Views);
        let open = Effect::OpenCase {
            paths: Vec::new(),
            location: CaseLocation::Memory,
        };
        assert_eq!(route(&open), Route::Background);
        assert!(same_kind(
            &raw,
            &Effect::ReadRaw {
                origin: "b".into(),
                line: 2
            }
        ));
        assert!(!same_kind(&raw, &open));
    }
}

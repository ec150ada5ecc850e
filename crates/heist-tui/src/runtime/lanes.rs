//! The terminal's lanes, one per `Route`, each a worker thread performing effects with the executor and sending
//! their messages to the UI. Submitting routes an effect to its lane; closing waits for the case's saves (every
//! save reaches the disk before heist exits) and says whether the last one failed.

use std::io;
use std::sync::mpsc::Sender;

use super::executor::{route, same_kind, Executor, Route};
use super::lane::{Lane, Worker};
use crate::app::msg::{Effect, Msg};

/// Performs effects on a lane's thread, sending what they produce to the UI.
pub struct Performer {
    executor: Executor,
    tx: Sender<Msg>,
    /// Go on when the UI no longer listens (saves: the case still reaches the disk).
    unheard: bool,
    /// The error of the last save, if it failed.
    last_save_error: Option<String>,
}

impl Performer {
    fn new(executor: &Executor, tx: &Sender<Msg>, unheard: bool) -> Self {
        Self {
            executor: executor.clone(),
            tx: tx.clone(),
            unheard,
            last_save_error: None,
        }
    }
}

impl Worker<Effect> for Performer {
    fn run(&mut self, e: Effect) -> bool {
        let (tx, last_save_error) = (&self.tx, &mut self.last_save_error);
        let heard = self.executor.perform(e, &mut |m| {
            if let Msg::CaseSaved { result, .. } = &m {
                *last_save_error = result.as_ref().err().cloned();
            }
            tx.send(m).is_ok()
        });
        heard || self.unheard
    }
}

type EffectLane = Lane<Effect, Performer>;

pub struct Lanes {
    views: EffectLane,
    finder: EffectLane,
    saves: EffectLane,
    background: EffectLane,
    detection: EffectLane,
    scope: EffectLane,
}

impl Lanes {
    pub fn start(executor: &Executor, tx: &Sender<Msg>) -> io::Result<Self> {
        let performer = |unheard| Performer::new(executor, tx, unheard);
        Ok(Self {
            views: Lane::latest_wins("heist-views", same_kind, performer(false))?,
            finder: Lane::latest_wins("heist-finder", same_kind, performer(false))?,
            saves: Lane::latest_wins("heist-saves", same_kind, performer(true))?,
            background: Lane::fifo("heist-background", performer(false))?,
            detection: Lane::latest_wins("heist-detection", same_kind, performer(false))?,
            scope: Lane::latest_wins("heist-scope", same_kind, performer(false))?,
        })
    }

    /// Queue `e` on its lane.
    pub fn submit(&self, e: Effect) {
        let lane = match route(&e) {
            Route::Views => &self.views,
            Route::Finder => &self.finder,
            Route::Saves => &self.saves,
            Route::Background => &self.background,
            Route::Detection => &self.detection,
            Route::Scope => &self.scope,
        };
        // A lane stops only once the UI has gone: nothing is lost that anyone would see.
        let _ = lane.submit(e);
    }

    /// Wait for every save asked for to reach the disk; the other lanes' work is no longer wanted and is left
    /// behind. Fails when the last save did.
    pub fn close(self) -> io::Result<()> {
        let Self { saves, .. } = self;
        match saves.close() {
            Ok(Performer {
                last_save_error: None,
                ..
            }) => Ok(()),
            Ok(Performer {
                last_save_error: Some(e),
                ..
            }) => Err(io::Error::other(format!(
                "the case could not be saved: {e}"
            ))),
            Err(_) => Err(io::Error::other("the case saver stopped unexpectedly")),
        }
    }
}

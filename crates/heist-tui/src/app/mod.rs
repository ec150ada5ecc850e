//! The TUI's state and the data that changes it: `AppState` and its parts (the trail of views, case work, the
//! findings), the `Msg`s `update` takes and the `Effect`s it asks for. No terminal, no threads, no drawing: the
//! other layers read and change these types (`update` changes them, `view` reads them, `runtime` carries them).

pub mod casework;
pub mod compare;
pub mod findings;
pub mod msg;
pub mod scope;
pub mod state;
pub mod trail;

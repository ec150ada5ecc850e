//! The normalised event frame: one Polars DataFrame, one row per event, every source mapped onto the same columns.
pub mod access;
pub mod assemble;
pub mod batch;
pub mod calls;
pub mod key;
pub mod schema;
pub mod spill;
pub mod store;

pub use batch::{EventBatch, Row};
pub use calls::Calls;
pub use key::EventKey;
pub use schema::Col;
pub use store::{EventStore, FileInfo, LocKind};

//! Small pure helpers shared by every layer: timestamp parsing and hostile-text neutralising.
pub mod sanitize;
pub mod time;

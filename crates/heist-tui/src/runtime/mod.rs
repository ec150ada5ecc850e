//! Running the TUI: the terminal loop (`term`, the only place that touches the terminal), the work behind effects
//! (`jobs`), the one executor that performs every effect (`executor`), the worker threads it runs on in the
//! terminal (`lane`, `lanes`), and the harness that drives the whole TUI without a terminal for tests and
//! benchmarks (`harness`: the same executor, inline; `screen`: its screen as text with a digest of the styles).

pub mod clipboard;
pub mod executor;
mod fault;
pub mod harness;
pub mod jobs;
pub mod lane;
mod lanes;
pub mod screen;
pub mod term;

//! The query language shared by the CLI's `--where`, the TUI's filter bar and the rule pack.
//!
//! Terms are ANDed: `field:value` (exact, case-insensitive), `field:a,b` (any of), `field:*glob*`, `field:/regex/`,
//! `-field:value` (negation), `time>=2026-10-05T02:00:00Z`, `ip:198.51.100.0/24` (CIDR), `bytes>1000000`, and bare
//! words, which search identity, token, asset, action, source_ip and user_agent. It compiles to Polars expressions.

pub mod compile;
pub mod mask;
pub mod parse;
pub mod raw;
pub mod stats;

pub use compile::{compile, filter, select, CompileError};
pub use parse::{parse, Field, Query, QueryError, Term, TermKind};

//! Small pure helpers shared by every layer: timestamp parsing, IP addresses as logged, hostile-text neutralising,
//! numbers for people.
pub mod ip;
pub mod num;
pub mod sanitize;
pub mod time;

/// The repository's root (two folders above this crate) for unit tests that read `docs/` or `samples/`. Read at
/// run time (cargo sets it for the test process) rather than baked in at compile time, so a test binary built in
/// another checkout sharing the target dir still reads this checkout's files.
#[cfg(test)]
pub(crate) fn repo_root() -> std::path::PathBuf {
    let krate = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    krate.join("../..")
}

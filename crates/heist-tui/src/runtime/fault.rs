//! Faults injected on purpose, to test that heist leaves the terminal usable when it fails: `HEIST_FAULT=<point>`
//! makes the named point panic. Only in debug builds (the ones the tests run); a release build never reads it.

/// Panic here when `HEIST_FAULT` names `point`.
pub fn inject(point: &str) {
    if cfg!(debug_assertions) && std::env::var("HEIST_FAULT").is_ok_and(|v| v == point) {
        panic!("fault injected at {point} (HEIST_FAULT)");
    }
}

/// After the terminal is set up, any panic, on any thread, restores it (ratatui's hook, installed by
/// `ratatui::try_init`, runs first), prints its message, and ends the process: a worker that died would leave a
/// screen that no longer moves. The case is saved on every change, so nothing marked is lost.
pub fn exit_on_panic() {
    let restore_and_print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_and_print(info);
        eprintln!(
            "heist stopped on an internal error (above); the terminal is restored and the case was saved on its \
             last change. Please report the message."
        );
        std::process::exit(101);
    }));
}

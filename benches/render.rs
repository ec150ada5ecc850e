//! Render benchmark: `cargo bench --bench render -- [DIR]`. Loads DIR (the 1M-event corpus of the ingest benchmark,
//! written by `gen_bench` if absent), then draws the TUI on a TestBackend at 160x50 while paging through the
//! timeline, and reports the median and worst time of one frame (goal: under 16 ms).

use std::time::Instant;

use heist_tui::Harness;

mod common;
use common::Args;

fn main() {
    let dir = Args::new().corpus();
    let store = common::load_corpus(&dir);
    let events = store.len();
    // Where the first view's time goes.
    for k in heist_core::entities::EntityKind::ALL {
        let t = Instant::now();
        let rows = heist_core::entities::entity_table(&store.frame, k)
            .expect("entity table")
            .height();
        println!(
            "entity table {k}: {rows} rows in {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    let t = Instant::now();
    let finder = heist_core::entities::Finder::new(&store.frame).expect("finder");
    println!(
        "finder: {} names in {:.0} ms",
        finder.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    // The finder answers on every keystroke: time a few typical patterns over every name.
    for pattern in ["", "a", "akia", "10.0.1", "part-00042/shard"] {
        let mut ms = Vec::new();
        let mut hits = 0;
        for _ in 0..5 {
            let t = Instant::now();
            hits = finder.search(pattern, None, 50).len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "finder search {pattern:?}: {hits} hits in {:.1} ms (median of 5)",
            ms[2]
        );
    }
    drop(finder);
    // What the analyst waits for once the bundle is read: the lineage, then the first view's events, histogram
    // and the table of the tab on screen; the other tables follow while the screen is already usable.
    let t = Instant::now();
    let loaded = heist_tui::runtime::jobs::prepare(store).expect("prepare");
    let lineage_ms = t.elapsed().as_secs_f64() * 1000.0;
    let (mut first_ms, mut all_ms) = (0.0, 0.0);
    heist_tui::runtime::jobs::build_view(
        &loaded.store,
        &loaded.lineage,
        1,
        &heist_tui::app::trail::Scope::All,
        "",
        heist_tui::app::trail::SortKey::Events,
        heist_core::entities::EntityKind::Identity,
        &mut |m| {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if matches!(m, heist_tui::app::msg::Msg::ViewReady { .. }) {
                first_ms = ms;
            }
            all_ms = ms;
            true
        },
    );
    println!(
        "first screen after load: lineage {lineage_ms:.0} ms, first view (events, histogram, identities) at \
         {first_ms:.0} ms, all four tables at {all_ms:.0} ms"
    );
    let store =
        std::sync::Arc::try_unwrap(loaded.store).unwrap_or_else(|_| panic!("store still shared"));
    let t = Instant::now();
    let mut h = Harness::from_store(store, 160, 50);
    println!(
        "{events} events; harness (lineage, every table, finder, inline) ready in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    h.keys("<tab>"); // timeline focus
    let mut times = Vec::new();
    for i in 0..200 {
        // Page through the timeline, with a jump to the end and back now and then.
        match i % 50 {
            25 => h.keys("G"),
            49 => h.keys("g"),
            _ => h.keys("<pgdown>"),
        }
        let t = Instant::now();
        let screen = h.screen();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(screen.contains("Timeline"));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "one frame over {events} events: median {:.2} ms, p95 {:.2} ms, worst {:.2} ms (goal < 16 ms)",
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
}

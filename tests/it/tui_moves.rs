//! Screen tests of the moves a responder makes every minute: zoom, jump to a time, mark all, copy, what did not
//! load, raw search; and the status bar and timeline columns at 160x45 and 80x24. TestBackend, effects inline.

use heist_tui::app::state::Mode;

use crate::tui_screens::{
    case_harness, harness, marked, select_entity, to_attacker_events, ATTACKER_IP, STOLEN,
};

/// `z`: the detail pane (the selected event's raw record) takes the whole screen and scrolls by page; `z` again
/// gives the panes back. At 160x45 and at 80x24.
#[test]
fn zoom_gives_the_detail_the_screen_and_back() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        // From the timeline: the event's detail (from the entities, the entity's).
        h.keys(":action:StopLogging<enter><tab>");
        h.keys("z");
        assert!(h.state.zoomed);
        let s = h.screen();
        assert!(!s.contains("Entities") && !s.contains("Timeline ·"), "{s}");
        assert!(s.contains("StopLogging"), "{s}");
        // The event's box runs from under the status bar to above the footer.
        assert!(
            s.lines().nth(1).is_some_and(|l| l.starts_with("┌ Event")),
            "{s}"
        );
        assert!(
            s.lines()
                .nth(ht as usize - 2)
                .is_some_and(|l| l.starts_with('└')),
            "{s}"
        );
        insta::assert_snapshot!(format!("zoomed_detail_{w}x{ht}"), h.snapshot());
        h.keys("<pgdown>");
        assert!(
            h.state.detail_scroll > 0,
            "the zoomed detail scrolls by page"
        );
        assert_ne!(h.screen(), s);
        h.keys("z");
        assert!(!h.state.zoomed);
        let s = h.screen();
        // Narrow screens show the focused list of the two (the timeline, where zoom came from).
        assert!(
            s.contains("Timeline ·") && (w < 110 || s.contains("Entities")),
            "{s}"
        );
        assert!(s.contains("┌ Event"), "{s}");
    }
}

/// `@` jumps the timeline to the first event at or after a time typed in the zone shown; a time it cannot read
/// keeps the prompt open and says so. At 160x45 and at 80x24.
#[test]
fn at_jumps_the_timeline_to_a_time() {
    use heist_core::frame::access::FrameReader;
    let t = heist_core::util::time::parse_any("2026-10-05T02:13:00Z").unwrap();
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        h.keys("@");
        assert!(matches!(h.state.mode, Mode::Prompt(_)));
        assert!(
            h.screen().contains("jump to: 2026-09-21T"),
            "{}",
            h.screen()
        );
        h.keys("<ctrl-u>the day after<enter>");
        assert!(matches!(h.state.mode, Mode::Prompt(_)), "still asking");
        assert!(h
            .state
            .message
            .clone()
            .unwrap_or_default()
            .contains("is not a time"));
        h.keys("<ctrl-u>2026-10-05 02:13<enter>");
        assert!(matches!(h.state.mode, Mode::Normal));
        let v = h.state.view();
        let r = FrameReader::new(&v.data.as_ref().unwrap().events).unwrap();
        let sel = v.timeline_sel;
        assert!(r.time(sel).unwrap() >= t && r.time(sel - 1).unwrap() < t);
        let msg = h.state.message.clone().unwrap_or_default();
        assert!(msg.starts_with("2026-10-05T02:13:00Z: event "), "{msg}");
        insta::assert_snapshot!(format!("jumped_{w}x{ht}"), h.snapshot());
        // A date after every event: the last one.
        h.keys("@<ctrl-u>2030-01-01<enter>");
        let v = h.state.view();
        assert_eq!(v.timeline_sel, v.events_len() - 1);
    }
}

/// `M` marks every event of the view; above a hundred it asks first (a box), and only `y` marks.
#[test]
fn mark_all_marks_the_view_and_asks_first_when_it_is_large() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    to_attacker_events(&mut h);
    let n = h.state.view().events_len();
    assert!(n <= 100);
    h.keys("M");
    assert_eq!(marked(&h), n);
    assert!(h
        .state
        .message
        .clone()
        .unwrap_or_default()
        .starts_with(&format!("marked {n} events")));
    // Again: nothing new.
    h.keys("M");
    assert_eq!(marked(&h), n);
    // The whole bundle: asked first; n leaves the marks as they were.
    h.keys("x");
    let all = h.state.view().events_len();
    assert!(all > 100);
    h.keys("M");
    assert!(matches!(h.state.mode, Mode::ConfirmMarkAll { count } if count == all));
    let s = h.screen();
    assert!(
        s.contains(&format!(
            "Mark all {} events of this view?",
            heist_core::util::num::thousands(all as u64)
        )),
        "{s}"
    );
    insta::assert_snapshot!("mark_all_confirm", h.snapshot());
    h.keys("n");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(marked(&h), n);
    // A view of a few hundred (the fortnight's console sign-ins): y marks them all, and the case is saved.
    h.keys(":action:ConsoleLogin<enter>");
    let m = h.state.view().events_len();
    assert!(m > 100, "{m}");
    h.keys("M");
    assert!(matches!(h.state.mode, Mode::ConfirmMarkAll { .. }));
    h.keys("y");
    assert!(marked(&h) >= m, "{} of {m}", marked(&h));
    let text = std::fs::read_to_string(dir.path().join("case.json")).unwrap();
    assert!(text.matches("\"marked\": true").count() >= m, "saved");
}

/// `y` copies the selected value (an entity, the timeline's cell, the detail's raw record), `Y` the selected
/// event or entity as JSON; each says what it copied. At 160x45 and at 80x24.
#[test]
fn y_copies_the_selected_value_and_shift_y_the_row() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        // An entity: the tokens tab's first row.
        h.keys("2y");
        let token = h.state.copied.clone().expect("copied");
        assert!(!token.is_empty());
        assert!(h
            .state
            .message
            .clone()
            .unwrap_or_default()
            .starts_with("copied token "));
        h.keys("Y");
        let e: serde_json::Value =
            serde_json::from_str(h.state.copied.as_deref().unwrap()).unwrap();
        assert_eq!(e["kind"], "token");
        assert_eq!(e["name"], token.as_str());
        // The timeline's cell (the token column), then the event as JSON.
        h.keys(&format!(":token:{STOLEN} ip:{ATTACKER_IP}<enter><tab>l"));
        h.keys("y");
        assert_eq!(h.state.copied.as_deref(), Some(STOLEN));
        h.keys("Y");
        let ev: serde_json::Value =
            serde_json::from_str(h.state.copied.as_deref().unwrap()).unwrap();
        assert_eq!(ev["token"], STOLEN);
        assert_eq!(ev["source_ip"], ATTACKER_IP);
        assert!(ev["time"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-10-05T02:13")));
        // The detail pane: the raw record.
        h.keys("<tab>y");
        let raw = h.state.copied.clone().unwrap();
        assert!(raw.contains(STOLEN) && raw.contains("eventName"), "{raw}");
        let msg = h.state.message.clone().unwrap_or_default();
        assert!(msg.starts_with("copied the raw record"), "{msg}");
        insta::assert_snapshot!(format!("copied_{w}x{ht}"), h.snapshot());
    }
}

/// `!` lists what did not load (the SOC's note, the CloudWatch line cut off, the Bedrock body skipped by design),
/// each with where it was; the loaded screen says it is there. At 160x45 and at 80x24.
#[test]
fn what_did_not_load_stays_reachable() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        let msg = h.state.message.clone().unwrap_or_default();
        assert!(msg.ends_with("! lists them"), "{msg}");
        h.keys("!");
        assert!(matches!(h.state.mode, Mode::Problems { .. }));
        let s = h.screen();
        assert!(s.contains("what did not load"), "{s}");
        assert!(s.contains("NOTES.txt"), "{s}");
        assert!(s.contains("svc-backup-export.log:8"), "{s}");
        insta::assert_snapshot!(format!("problems_{w}x{ht}"), h.snapshot());
        h.keys("<pgdown>x");
        assert!(matches!(h.state.mode, Mode::Normal));
    }
}

/// At 80x24 with a long filter the status bar still shows shown / total, the case and the findings count; the
/// filter is cut instead.
#[test]
fn the_status_bar_keeps_counts_and_findings_at_80x24_under_a_long_filter() {
    let mut h = harness(80, 24);
    h.keys(&format!(
        ":token:{STOLEN} ip:{ATTACKER_IP} -outcome:failure<enter>"
    ));
    let s = h.screen();
    let bar = s.lines().next().unwrap_or_default();
    let n = h.state.view().events_len();
    assert!(bar.contains(&format!("│ {n} / 23,958")), "{bar}");
    assert!(bar.contains("⚑ 30"), "{bar}");
    assert!(bar.contains("filter: token"), "{bar}");
    assert!(bar.chars().count() <= 80, "{bar}");
}

/// Timeline columns take the width of what the visible rows hold: at 160x45 the stolen key and the attacker's
/// address show whole; at 80x24 the address still does.
#[test]
fn timeline_columns_fit_the_keys_and_addresses_on_screen() {
    let mut h = harness(160, 45);
    h.keys(&format!(":token:{STOLEN} ip:{ATTACKER_IP}<enter>"));
    let s = h.screen();
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("⚑ 2026-10-05T02:1"))
        .collect();
    assert!(!rows.is_empty(), "{s}");
    assert!(
        rows.iter()
            .all(|l| l.contains(STOLEN) && l.contains(ATTACKER_IP)),
        "{s}"
    );
    let mut h = harness(80, 24);
    h.keys(&format!(":token:{STOLEN} ip:{ATTACKER_IP}<enter><tab>"));
    let s = h.screen();
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("⚑ 10-05 02:1")).collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|l| l.contains(ATTACKER_IP)),
        "{s}"
    );
    // With the Findings tab open the timeline is narrowest at 160 columns: the office's address stays whole.
    let office = "203.0.113.50";
    let mut h = harness(160, 45);
    h.keys(&format!(":ip:{office}<enter>5"));
    let s = h.screen();
    // The timeline pane is the right one of the two top panes.
    let rows: Vec<&str> = s
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, right)| right))
        .filter(|r| r.contains("Z "))
        .collect();
    assert!(
        rows.len() > 10 && rows.iter().all(|l| l.contains(office)),
        "{s}"
    );
}

/// The CI deployer's IAM principal id sits only in the raw CloudTrail records (heist maps the user's name, not it).
const CI_PRINCIPAL: &str = "AIDA5X4D5MUAIE4XOD777";

/// A raw search (`~text` or `raw:"text"`) finds what only the records hold, with the frame's terms narrowing it
/// first; the view says how many events it kept. At 160x45 and at 80x24.
#[test]
fn raw_search_finds_what_only_the_records_hold() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        h.keys(&format!(":~{CI_PRINCIPAL}<enter>"));
        let v = h.state.view();
        let n = v.events_len();
        assert!(n > 0, "the principal id is in the CI deployer's records");
        let identities = heist_core::query::mask::distinct(
            &v.data.as_ref().unwrap().events,
            heist_core::frame::Col::Identity,
        )
        .unwrap();
        assert!(
            identities.iter().all(|i| i.contains("ci-deployer")),
            "{identities:?}"
        );
        assert!(h.state.raw_search.is_none(), "the search is over");
        let s = h.screen();
        let bar = s.lines().next().unwrap_or_default();
        assert!(bar.contains(&format!("│ {n} / ")), "{bar}");
        assert!(
            bar.ends_with("⚑ 30") || bar.contains("⚑ 30 findings"),
            "{bar}"
        );
        // Frame terms and a negated raw term combine with it.
        h.keys(&format!(
            ":<ctrl-u>raw:\"{CI_PRINCIPAL}\" -~GetCallerIdentity outcome:success<enter>"
        ));
        let m = h.state.view().events_len();
        assert!(m > 0 && m < n, "{m} of {n}");
        insta::assert_snapshot!(format!("raw_search_{w}x{ht}"), h.snapshot());
    }
}

/// `C` on the backdoor key, then `C` on svc-backup's own key: the two side by side, the attacker's addresses only
/// on the backdoor's side, the user they share. Scrolls; any other key closes. At 160x45 and at 80x24.
#[test]
fn compare_puts_two_entities_side_by_side() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        h.keys("2");
        select_entity(&mut h, "AKIAQ3EGRZTBACKDR9SV");
        h.keys("C");
        assert!(matches!(h.state.mode, Mode::Normal));
        let s = h.screen();
        assert!(s.contains("C on another entity"), "{s}");
        select_entity(&mut h, "AKIAQ3EGRZTBACKUP0K1");
        h.keys("C");
        assert!(matches!(h.state.mode, Mode::Compare { .. }));
        let s = h.screen();
        assert!(s.contains("A token AKIAQ3EGRZTBACKDR9SV"), "{s}");
        assert!(s.contains("B token AKIAQ3EGRZTBACKUP0K1"), "{s}");
        assert!(s.contains("IPs · 0 shared · 3 only A · 1 only B"), "{s}");
        insta::assert_snapshot!(format!("compare_{w}x{ht}"), h.snapshot());
        // The rest scrolls into view: the identities both keys act as.
        h.keys("<pgdown><pgdown><pgdown>");
        let s = h.screen();
        assert!(s.contains("identities · 1 shared"), "{s}");
        assert!(s.contains("= "), "{s}");
        h.keys("<esc>");
        assert!(matches!(h.state.mode, Mode::Normal));
        // A third C starts a new pair.
        h.keys("C");
        assert!(h.screen().contains("C on another entity"));
    }
}

/// At 80x24 the detail pane keeps eight rows of text, and an entity's lineage lines wrap rather than being cut:
/// the session key's detail names the stolen key it was minted with and the call that minted it in full.
#[test]
fn at_80x24_the_detail_keeps_eight_rows_and_lineage_wraps() {
    let mut h = harness(80, 24);
    h.keys("2");
    select_entity(&mut h, crate::tui_screens::SESSION);
    let s = h.screen();
    let lines: Vec<&str> = s.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.starts_with("┌ token "))
        .unwrap_or_else(|| panic!("{s}"));
    let bottom = lines
        .iter()
        .rposition(|l| l.starts_with('└'))
        .unwrap_or_else(|| panic!("{s}"));
    let rows = bottom - top - 1;
    assert!(rows >= 8, "{rows} rows of detail:\n{s}");
    // Focus the detail (it keeps describing the key) and scroll it to the lineage: every part of the parent's
    // line is on screen, over as many rows as it takes.
    h.keys("<backtab>");
    assert!(h
        .screen()
        .contains(&format!("┌ token {}", crate::tui_screens::SESSION)));
    let mut seen = String::new();
    for _ in 0..6 {
        let s = h.screen();
        seen.push_str(&s);
        if s.contains("── lineage ──") {
            break;
        }
        h.keys("<pgdown>");
    }
    assert!(seen.contains("── lineage ──"), "{seen}");
    assert!(seen.contains(STOLEN), "{seen}");
    assert!(seen.contains("AssumeRole"), "{seen}");
    insta::assert_snapshot!("lineage_80x24", h.snapshot());
}

/// A long message (a case error naming its file) wraps in the footer instead of being cut at the screen's edge.
#[test]
fn a_long_message_wraps_in_the_footer() {
    let mut h = harness(80, 24);
    let tail = "and this is the end of it";
    let msg = format!(
        "the case file /home/analyst/cases/ir-2026-1005/a-rather-long-folder-name/case.json could not be saved: \
         permission denied; the marks stay in memory until it can be written, {tail}"
    );
    h.state.message = Some(msg);
    let s = h.screen();
    assert!(s.contains(tail), "{s}");
    assert!(s.contains("permission denied"), "{s}");
    assert_eq!(s.lines().count(), 24, "{s}");
}

/// Two sessions on one case: the second finds the first's lock, opens the case read-only and says so; its marks
/// are never saved over the first's. Once the first has gone, the next session writes again.
#[test]
fn a_second_session_on_a_case_opens_it_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.json");
    let mut first = case_harness(dir.path());
    to_attacker_events(&mut first);
    first.keys("m");
    assert_eq!(marked(&first), 1);
    let saved = std::fs::read(&path).unwrap();
    let mut second = case_harness(dir.path());
    let msg = second.state.message.clone().unwrap_or_default();
    assert!(msg.contains("another heist session has"), "{msg}");
    assert_eq!(marked(&second), 1, "the first session's marks are shown");
    second.keys(&format!(":token:{STOLEN} ip:{ATTACKER_IP}<enter>"));
    while second.state.focus != heist_tui::app::trail::Pane::Timeline {
        second.keys("<tab>");
    }
    second.keys("jm");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        saved,
        "the second never writes"
    );
    assert!(second.screen().contains("read-only"), "{}", second.screen());
    // The first goes on saving.
    first.keys("jm");
    assert_eq!(marked(&first), 2);
    drop(first);
    drop(second);
    let third = case_harness(dir.path());
    assert!(third
        .state
        .case
        .as_ref()
        .is_some_and(|c| c.read_only.is_none()));
    assert_eq!(marked(&third), 2, "the first session's two marks, saved");
}

/// Exporting a view whose raw search could not read some records back (their file changed after the load) says how
/// many are not in the report.
#[test]
fn an_export_of_a_raw_search_says_what_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    let rec = |i: usize| {
        serde_json::json!({"eventVersion": "1.08", "eventTime": format!("2026-10-05T02:1{i}:00Z"),
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.7", "eventID": format!("e{i}"), "eventType": "AwsApiCall",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAWATCHED", "arn": "arn:aws:iam::1:user/a",
                "accessKeyId": "AKIAX"}})
    };
    for (name, i) in [("a.json", 0), ("b.json", 1)] {
        std::fs::write(
            bundle.join(name),
            serde_json::json!({ "Records": [rec(i)] }).to_string(),
        )
        .unwrap();
    }
    let mut h = heist_tui::Harness::with_case(
        std::slice::from_ref(&bundle),
        140,
        40,
        heist_core::case::CaseLocation::File(dir.path().join("case.json")),
        dir.path().join("reports"),
    );
    h.keys(":~AIDAWATCHED<enter>");
    assert_eq!(h.state.view().events_len(), 2);
    std::fs::write(bundle.join("b.json"), "{}").unwrap();
    let out = dir.path().join("r.md");
    h.keys(&format!("e<ctrl-u>{}<enter>", out.display()));
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.starts_with("report written to"), "{msg}");
    assert!(msg.contains("1 event not searched for raw text"), "{msg}");
}

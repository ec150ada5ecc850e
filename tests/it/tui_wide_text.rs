//! Names an attacker chose may be CJK or emoji, two columns a character: lists, the timeline and the status bar
//! fit them by display width, so a cut name ends in `…` inside its column and every border stays in place.

use std::path::Path;

use serde_json::json;

use heist_tui::app::state::LoadState;
use heist_tui::view::text::width;
use heist_tui::Harness;

const USER: &str = "数据科学家-🔥-模型训练";
const BUCKET: &str = "模型权重-📦-训练";
const KEY: &str = "第一阶段/检查点/🔥🔥/大型语言模型-最终版本-00001-of-00004.safetensors";

fn bundle(dir: &Path) {
    let records: Vec<serde_json::Value> = (0..3)
        .map(|i| {
            json!({
                "eventVersion": "1.09",
                "eventTime": format!("2026-10-05T02:1{i}:00Z"),
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject",
                "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.77",
                "userAgent": "aws-cli/2.15",
                "eventID": format!("0f5c9d7e-0000-4000-8000-00000000000{i}"),
                "requestID": format!("REQ{i}"),
                "eventType": "AwsApiCall",
                "recipientAccountId": "111122223333",
                "userIdentity": {
                    "type": "IAMUser",
                    "principalId": "AIDA5X4D5MUAIE4XOD777",
                    "arn": format!("arn:aws:iam::111122223333:user/{USER}"),
                    "accountId": "111122223333",
                    "accessKeyId": "AKIAQ3EGRZTWIDE0NAME",
                    "userName": USER
                },
                "requestParameters": {"bucketName": BUCKET, "key": KEY},
                "responseElements": null
            })
        })
        .collect();
    std::fs::write(
        dir.join("cloudtrail.json"),
        serde_json::to_string(&json!({ "Records": records })).unwrap(),
    )
    .unwrap();
}

/// One `Vec` of cells per screen row (`Harness::screen` writes each cell's symbol, the cell a wide character
/// covers as a space).
fn cells(screen: &str) -> Vec<Vec<char>> {
    screen.lines().map(|l| l.chars().collect()).collect()
}

/// A row as the terminal shows it: the cells a wide character covers left out.
fn shown(row: &[char]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < row.len() {
        let c = row[i].to_string();
        i += width(&c).max(1);
        out.push_str(&c);
    }
    out
}

/// The cells of a row holding a vertical border.
fn borders(row: &[char]) -> Vec<usize> {
    (0..row.len()).filter(|&x| row[x] == '│').collect()
}

fn harness(dir: &Path) -> Harness {
    bundle(dir);
    let h = Harness::new(&[dir.to_path_buf()], 80, 24);
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

#[test]
fn a_wide_asset_name_fits_its_column_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.keys("3");
    let screen = h.screen();
    let rows = cells(&screen);
    let y = rows
        .iter()
        .position(|r| shown(r).contains("safetensors"))
        .unwrap_or_else(|| panic!("no asset row:\n{screen}"));
    let line = shown(&rows[y]);
    // Cut at its start (an object key says the most at its end), in whole characters, inside its column.
    let name = line
        .trim_start_matches('│')
        .split("safetensors")
        .next()
        .unwrap_or_default();
    assert!(name.starts_with('…'), "{line}");
    // The row is as wide as the screen, and its borders (the list's beside the timeline's) are where the header's
    // are.
    assert_eq!(rows[y].len(), 80, "{line}");
    assert_eq!(width(&line), 80, "{line}");
    let b = borders(&rows[y]);
    assert!(b.len() == 4 && b[0] == 0 && b[3] == 79, "{line}");
    assert_eq!(borders(&rows[y - 1]), b, "{screen}");
}

#[test]
fn wide_names_keep_every_border_of_the_timeline_and_the_status_bar_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    // The timeline beside the list at 80 columns, the identity the cell shown.
    h.keys("<tab>");
    let screen = h.screen();
    let rows = cells(&screen);
    // The panes' corners on their top border: where every row's borders must be.
    let corners: Vec<usize> = (0..rows[1].len())
        .filter(|&x| matches!(rows[1][x], '┌' | '┐'))
        .collect();
    assert_eq!(corners.len(), 4, "{screen}");
    let events: Vec<&Vec<char>> = rows
        .iter()
        .filter(|r| shown(r).contains(" GetObje…"))
        .collect();
    assert_eq!(events.len(), 3, "{screen}");
    for r in events {
        let line = shown(r);
        assert_eq!(r.len(), 80, "{line}");
        assert_eq!(width(&line), 80, "{line}");
        assert_eq!(borders(r).last(), Some(&79), "{line}");
        assert_eq!(borders(r), corners, "{line}");
        assert!(line.contains('…'), "the names are cut: {line}");
    }
    // Pivot on the user: the status bar's trail names it (cut to its end, the part that matters, and the crumb
    // itself to 40 columns), and no row is wider than the screen.
    h.keys("<enter>");
    let screen = h.screen();
    let status = shown(&cells(&screen)[0]);
    assert!(status.contains(":user/数据科学…  │ 3 / 3"), "{status}");
    for r in cells(&screen) {
        assert!(r.len() <= 80, "{screen}");
        assert!(width(&shown(&r)) <= 80, "{screen}");
    }
}

//! A `kill -9` at any moment never corrupts the case and loses at most the save in flight. A child process (this
//! test binary again, running the ignored `crash_child`) saves a growing case in a loop and says each save that
//! returned; the parent kills it with SIGKILL at random moments, many times, and after each kill the file must load
//! and be exactly one of the states written: the last one confirmed, or the one being saved when the kill came.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use heist_core::case::model::BundleRef;
use heist_core::case::{store, Case, CaseFile, EventInfo};
use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::EventKey;

const CHILD_ENV: &str = "HEIST_CASE_CRASH_FILE";

/// State number `n`: `n` marked events, each with a note, and a journal note on an entity that grows with `n`.
fn state(n: usize) -> Case {
    let mut c = Case::new(
        BundleRef {
            sha256: "5a".repeat(32),
            files: 3,
            bytes: 1234,
        },
        Some("crash-test".into()),
        1_000,
    );
    for i in 0..n {
        let k = EventKey::from_text(format!("cloudtrail|id|ev-{i:06}|GetObject"));
        let info = EventInfo {
            time: Some(1_759_630_000_000_000_000 + i as i64 * 1_000_000_000),
            summary: format!("GetObject of shard {i}"),
        };
        c.set_mark(&k, &info, true);
        c.set_event_note(
            &k,
            &info,
            &format!("note {i}: seen in the CloudTrail delivery"),
        );
    }
    let journal: String = (0..n).map(|i| format!("step {i}\n")).collect();
    c.set_entity_note(
        &Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI"),
        &journal,
    );
    c
}

/// Which state a case is (by its mark count), checking it is exactly that state.
fn which_state(c: &Case) -> usize {
    let n = c.marked().len();
    let mut expected = state(n);
    expected.updated = c.updated;
    assert_eq!(
        c, &expected,
        "the case on disk is not one of the states written"
    );
    n
}

#[test]
#[ignore = "the child process of kills_during_saves_never_corrupt_the_case"]
fn crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        panic!("{CHILD_ENV} is not set: this runs as the crash test's child only");
    };
    let (file, existing) = CaseFile::open(Path::new(&path)).expect("the case file reads");
    let mut n = existing.as_ref().map_or(0, which_state);
    loop {
        n += 1;
        file.save(&state(n)).expect("save");
        println!("saved {n}");
    }
}

/// A small deterministic generator for the kill delays.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn kills_during_saves_never_corrupt_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases").join("case.json");
    let exe = std::env::current_exe().unwrap();
    // The child's test name, as the harness knows it: this module's path in the test binary, then the function.
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, m)| m);
    let child_test = format!("{module}::crash_child");
    let mut rng = Lcg(0x6865_6973_7421);
    let mut confirmed = 0usize;
    const ROUNDS: usize = 40;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                child_test.as_str(),
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<usize>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(n) = line
                    .strip_prefix("saved ")
                    .and_then(|n| n.trim().parse().ok())
                {
                    if tx.send(n).is_err() {
                        return;
                    }
                }
            }
        });
        // Wait for the child to be saving, then kill it at a random moment.
        let deadline = Instant::now() + Duration::from_secs(60);
        let first = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(n) => break n,
                Err(_) => assert!(
                    Instant::now() < deadline,
                    "round {round}: the child never saved"
                ),
            }
        };
        assert!(
            first > confirmed,
            "round {round}: the child went back from {confirmed} to {first}"
        );
        std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let last_said = rx.try_iter().last().unwrap_or(first);
        let case = store::load(&path)
            .unwrap_or_else(|e| panic!("round {round}: the case does not load after kill -9: {e}"))
            .expect("the case file exists");
        let n = which_state(&case);
        assert!(
            n == last_said || n == last_said + 1,
            "round {round}: confirmed save {last_said} but the file holds state {n}"
        );
        confirmed = n;
    }
    assert!(
        confirmed >= ROUNDS,
        "the child saved too little to test anything: {confirmed}"
    );
}

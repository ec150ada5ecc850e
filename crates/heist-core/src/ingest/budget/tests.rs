use super::*;
use std::io::Cursor;

fn limits(file_mib: u64, bundle_mib: u64, memory_mib: u64) -> Limits {
    Limits {
        max_file: file_mib * MIB,
        max_bundle: bundle_mib * MIB,
        max_memory: memory_mib * MIB,
    }
}

#[test]
fn limits_come_from_the_environment_and_bad_values_are_refused() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(Limits::from_vars(vars(&[])).unwrap(), Limits::default());
    let l = Limits::from_vars(vars(&[
        ("HEIST_MAX_FILE_MB", "64"),
        ("HEIST_MAX_BUNDLE_GB", "3"),
        ("HEIST_MEMORY_MB", "16"),
    ]))
    .unwrap();
    // One file must fit in memory: the budget is raised to the file limit.
    assert_eq!(l, limits(64, 3 * 1024, 64));
    let e = Limits::from_vars(vars(&[("HEIST_MEMORY_MB", "lots")])).unwrap_err();
    assert!(e.contains("HEIST_MEMORY_MB") && e.contains("MiB"), "{e}");
    assert!(Limits::from_vars(vars(&[("HEIST_MAX_FILE_MB", "0")])).is_err());
}

#[test]
fn a_stream_is_read_whole_and_its_memory_given_back_when_dropped() {
    let b = Budget::new(limits(64, 1024, 64));
    let data = vec![7u8; 10 * MIB as usize + 3];
    let (got, held) = b
        .read_all(Cursor::new(&data), None, 100, "file")
        .expect("within every limit");
    assert_eq!(got, data);
    assert!(held.bytes() >= got.len() as u64, "{}", held.bytes());
    assert_eq!(b.held(), held.bytes());
    assert_eq!(b.bytes_read(), data.len() as u64);
    drop(held);
    assert_eq!(b.held(), 0);
}

#[test]
fn a_stream_past_its_limit_stops_as_it_passes_it() {
    let b = Budget::new(limits(8, 1024, 64));
    let data = vec![1u8; 9 * MIB as usize];
    let err = b
        .read_all(Cursor::new(&data), None, 0, "file")
        .err()
        .expect("past the file limit");
    assert_eq!(
        err,
        ReadError::TooBig {
            limit: 8 * MIB,
            max_file: 8 * MIB
        }
    );
    // Read in steps: no more than one small probe (8 KiB) past the limit is ever inflated.
    assert!(
        b.bytes_read() > 8 * MIB && b.bytes_read() <= 8 * MIB + 8192,
        "{}",
        b.bytes_read()
    );
    // A caller's own lower cap (a bomb ratio) is told apart from the file limit.
    let err = b
        .read_all(Cursor::new(&data), Some(MIB), 0, "gzip")
        .err()
        .expect("past the caller's cap");
    assert_eq!(
        err,
        ReadError::TooBig {
            limit: MIB,
            max_file: 8 * MIB
        }
    );
    assert_eq!(b.held(), 0, "a refused stream holds nothing");
}

#[test]
fn the_bundle_budget_counts_every_stream() {
    let b = Budget::new(limits(8, 10, 64));
    let data = vec![1u8; 6 * MIB as usize];
    assert!(b.read_all(Cursor::new(&data), None, 0, "file").is_ok());
    match b.read_all(Cursor::new(&data), None, 0, "file") {
        Err(ReadError::Bundle(why)) => assert!(why.contains("HEIST_MAX_BUNDLE_GB"), "{why}"),
        other => panic!(
            "expected the bundle budget, got {:?}",
            other.map(|o| o.0.len())
        ),
    }
}

#[test]
fn a_worker_waits_for_memory_another_worker_will_free() {
    let b = Budget::new(limits(16, 1024, 16));
    let mut mine = b.empty();
    mine.grow(12 * MIB);
    let b2 = b.clone();
    let reader = std::thread::spawn(move || {
        let data = vec![3u8; 8 * MIB as usize];
        b2.read_all(Cursor::new(&data), None, 8 * MIB, "file")
            .map(|(v, _)| v.len())
    });
    // The reader cannot have its 8 MiB while 12 are held here; it waits rather than fails or overdraws.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!reader.is_finished());
    assert_eq!(b.held(), 12 * MIB);
    drop(mine);
    assert_eq!(reader.join().unwrap(), Ok(8 * MIB as usize));
}

#[test]
fn when_no_other_worker_can_free_memory_one_goes_past_the_budget_alone() {
    let b = Budget::new(limits(16, 1024, 16));
    let mut mine = b.empty();
    mine.grow(12 * MIB);
    // This thread waits on its own members (as while an archive's members are read): it frees nothing meanwhile,
    // so the reader may not wait for it, and reads its stream past the budget instead of being refused.
    let blocked = b.blocked_while();
    let b2 = b.clone();
    let (len, held) = std::thread::spawn(move || {
        let data = vec![3u8; 8 * MIB as usize];
        let (v, held) = b2
            .read_all(Cursor::new(&data), None, 8 * MIB, "file")
            .expect("read past the budget");
        (v.len(), held)
    })
    .join()
    .unwrap();
    assert_eq!(len, 8 * MIB as usize);
    assert!(b.held() > 16 * MIB, "{}", b.held());
    // The overdraft ended with the stream: the next worker waits again.
    assert_eq!(b.gate().overdraft, None);
    drop((blocked, held, mine));
    assert_eq!(b.held(), 0);
}

#[test]
fn memory_adopted_by_another_thread_is_freed_from_its_account() {
    let b = Budget::new(limits(16, 1024, 16));
    let mut held = b.empty();
    held.grow(4 * MIB);
    std::thread::spawn(move || {
        let mut held = held;
        held.adopt();
        drop(held);
    })
    .join()
    .unwrap();
    assert_eq!(b.held(), 0);
    assert!(b.gate().threads.is_empty());
}

#[test]
fn sizes_read_in_words() {
    assert_eq!(size_words(GIB), "1 GiB");
    assert_eq!(size_words(3 * MIB + 5), "3 MiB");
    assert_eq!(size_words(12), "12 bytes");
}

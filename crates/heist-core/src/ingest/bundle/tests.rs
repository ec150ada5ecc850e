use super::*;
use crate::ingest::budget::{Budget, Limits};
use std::io::Write;
use std::sync::Mutex;

fn collect(bytes: Vec<u8>) -> Vec<(String, Result<Vec<u8>, String>)> {
    collect_within(bytes, &Budget::new(Limits::default()))
}

fn collect_within(bytes: Vec<u8>, budget: &Budget) -> Vec<(String, Result<Vec<u8>, String>)> {
    let out = Mutex::new(Vec::new());
    let sink = |o: Opened| {
        let item = match o {
            Opened::Leaf(l) => (l.origin, Ok(l.bytes)),
            Opened::Failed { origin, reason } => (origin, Err(reason)),
            Opened::Skipped { origin, reason } => (origin, Err(format!("skipped: {reason}"))),
        };
        out.lock().unwrap().push(item);
    };
    let loc = Locator {
        fs_path: "b".into(),
        layers: vec![],
    };
    let opener = Opener {
        budget,
        sink: &sink,
    };
    opener.expand(bytes, budget.empty(), "b".into(), loc);
    let mut v = out.into_inner().unwrap();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_inside_zip_is_opened_in_memory() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("a/x.json.gz", o).unwrap();
    w.write_all(&gz(b"{\"k\":1}")).unwrap();
    w.start_file("b.txt", o).unwrap();
    w.write_all(b"hello").unwrap();
    let zip = w.finish().unwrap().into_inner();
    let got = collect(zip);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], ("b!/a/x.json.gz".into(), Ok(b"{\"k\":1}".to_vec())));
    assert_eq!(got[1], ("b!/b.txt".into(), Ok(b"hello".to_vec())));
}

#[test]
fn corrupt_containers_are_reported_not_fatal() {
    let mut bad = gz(b"{\"k\":1}");
    bad.truncate(bad.len() / 2);
    let got = collect(bad);
    assert!(got[0].1.as_ref().unwrap_err().contains("gzip"), "{got:?}");
    let got = collect(b"PK\x03\x04garbage".to_vec());
    assert!(got[0].1.as_ref().unwrap_err().contains("zip"), "{got:?}");
}

#[test]
fn walk_is_name_ordered_depth_first_and_skips_folder_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bundle");
    for f in [
        "b/2.json",
        "b/1.json",
        "a.json",
        "c.json",
        "b/z/9.json",
        "outside/x.json",
    ] {
        let p = root.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{}").unwrap();
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("outside"), root.join("d-link")).unwrap();
        std::os::unix::fs::symlink(root.join("a.json"), root.join("e-link.json")).unwrap();
        std::os::unix::fs::symlink(root.join("gone"), root.join("f-broken")).unwrap();
    }
    let got = walk(std::slice::from_ref(&root)).unwrap();
    let names: Vec<String> = got
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut want = vec!["a.json", "b/1.json", "b/2.json", "b/z/9.json", "c.json"];
    if cfg!(unix) {
        want.push("e-link.json");
    }
    want.push("outside/x.json");
    assert_eq!(names, want);
    let missing = root.join("nope");
    let (path, err) = walk(&[root.join("a.json"), missing.clone()]).unwrap_err();
    assert_eq!((path, err.kind()), (missing, std::io::ErrorKind::NotFound));
}

/// A symlink to a file outside the bundle is listed, not read; an unreadable subfolder is listed and the rest of the
/// bundle still walks.
#[cfg(unix)]
#[test]
fn links_out_of_the_bundle_and_unreadable_folders_are_listed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bundle");
    std::fs::create_dir_all(root.join("locked")).unwrap();
    std::fs::write(root.join("a.json"), "{}").unwrap();
    std::fs::write(root.join("locked/b.json"), "{}").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not evidence").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.json")).unwrap();
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let w = walk_all(std::slice::from_ref(&root)).unwrap();
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(w.skipped.len(), 1, "{w:?}");
    assert!(w.skipped[0].0.ends_with("link.json") && w.skipped[0].1.contains("outside the bundle"));
    assert!(w.files.iter().any(|f| f.ends_with("a.json")), "{w:?}");
    assert!(!w.files.iter().any(|f| f.ends_with("link.json")), "{w:?}");
    // Root reads any folder: only another user sees the locked one as unreadable.
    if std::fs::read_dir(root.join("locked")).is_ok() && w.unreadable.is_empty() {
        eprintln!("note: running as root, the unreadable-folder half of this test cannot fail");
    } else {
        assert_eq!(w.unreadable.len(), 1, "{w:?}");
        assert!(
            w.unreadable[0].0.ends_with("locked") && w.unreadable[0].1.starts_with("cannot read")
        );
    }
}

#[test]
fn reopen_follows_layers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.gz");
    std::fs::write(&p, gz(b"abc")).unwrap();
    let loc = Locator {
        fs_path: p,
        layers: vec![Layer::Gunzip],
    };
    assert_eq!(reopen(&loc).unwrap(), b"abc");
}

/// Thousands of containers nested in one another are an attack on the reader's stack: past `MAX_DEPTH` the rest is
/// reported, not opened, and nothing overflows.
#[test]
fn deep_nesting_is_reported_not_followed() {
    let mut bytes = b"{\"k\":1}".to_vec();
    // Stored (level 0) members: each level adds a header, where compressing compressed data grows it by a factor.
    let stored = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    for _ in 0..10_000 {
        bytes = stored(&bytes);
    }
    let got = collect(bytes);
    assert_eq!(got.len(), 1, "{got:?}");
    let err = got[0].1.as_ref().unwrap_err();
    assert!(err.contains("nested more than 16"), "{err}");
    // Real nesting (a zip of a .tar.gz of .json.gz files) is well within it.
    let mut ok = b"{\"k\":1}".to_vec();
    for _ in 0..MAX_DEPTH {
        ok = gz(&ok);
    }
    assert_eq!(collect(ok)[0].1, Ok(b"{\"k\":1}".to_vec()));
}

/// A tar's links, devices and FIFOs are listed as skipped, never followed or read.
#[test]
fn tar_links_and_special_entries_are_listed() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(7);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "logs/a.json", &b"{\"k\":1}"[..])
        .unwrap();
    for (name, kind) in [
        ("logs/passwd", tar::EntryType::Symlink),
        ("logs/hard", tar::EntryType::Link),
        ("logs/fifo", tar::EntryType::Fifo),
        ("logs/null", tar::EntryType::Char),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(0);
        if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        b.append_data(&mut h, name, std::io::empty()).unwrap();
    }
    let got = collect(b.into_inner().unwrap());
    let skipped: Vec<(&str, &str)> = got
        .iter()
        .filter_map(|(o, r)| Some((o.as_str(), r.as_ref().err()?.as_str())))
        .collect();
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[0].1, Ok(b"{\"k\":1}".to_vec()));
    assert!(
        skipped
            .iter()
            .any(|(o, r)| o.ends_with("!/logs/passwd") && r.contains("symlink")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(o, r)| o.ends_with("!/logs/hard") && r.contains("hard link")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(o, r)| o.ends_with("!/logs/fifo") && r.contains("FIFO")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(o, r)| o.ends_with("!/logs/null") && r.contains("device")),
        "{skipped:?}"
    );
}

/// A gzip of zeros (here 100 MiB in about 100 KiB) is refused as it inflates, long before it holds the memory its
/// size would take; as a zip member too. The rest of an archive still opens.
#[test]
fn decompression_bombs_are_refused_as_they_inflate() {
    let zeros = vec![0u8; 100 << 20];
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&zeros).unwrap();
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let got = collect(bomb);
    let err = got[0].1.as_ref().unwrap_err();
    assert!(err.contains("more than 200 times its size"), "{err}");
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("bomb.bin", o).unwrap();
    w.write_all(&zeros).unwrap();
    w.start_file("ok.json", o).unwrap();
    w.write_all(b"{\"k\":1}").unwrap();
    let got = collect(w.finish().unwrap().into_inner());
    assert_eq!(
        got.len(),
        2,
        "{:?}",
        got.iter().map(|g| &g.0).collect::<Vec<_>>()
    );
    assert!(got[0]
        .1
        .as_ref()
        .unwrap_err()
        .contains("decompression bomb"));
    assert_eq!(got[1].1, Ok(b"{\"k\":1}".to_vec()));
    // Ordinary compression (a log compresses some 10 to 30 times) opens.
    let log: Vec<u8> = (0..200_000)
        .flat_map(|i| {
            format!("{{\"eventID\":\"{i:08x}\",\"eventName\":\"GetObject\"}}\n").into_bytes()
        })
        .collect();
    assert_eq!(collect(gz(&log))[0].1.as_ref().map(Vec::len), Ok(log.len()));
}

/// A tar header claiming a terabyte over a few bytes is reported, not believed (no terabyte is reserved).
#[test]
fn a_tar_header_that_lies_about_its_size_is_reported() {
    let mut h = tar::Header::new_gnu();
    h.set_path("huge.json").unwrap();
    h.set_size(1 << 40);
    h.set_mode(0o644);
    h.set_cksum();
    let mut bytes = h.as_bytes().to_vec();
    bytes.extend_from_slice(&[b'{'; 1024]);
    let got = collect(bytes);
    assert_eq!(got.len(), 1, "{got:?}");
    let err = got[0].1.as_ref().unwrap_err();
    assert!(
        err.starts_with("truncated tar member: its header says 1099511627776 bytes"),
        "{err}"
    );
}

/// A file on disk past the per-file limit is reported without being read (a sparse file: nothing is written to
/// disk to make it).
#[test]
fn a_file_past_the_file_limit_is_reported_unread() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    let limit = Limits::default().max_file;
    f.set_len(limit + 1).unwrap();
    let out = Mutex::new(Vec::new());
    let sink = |o: Opened| {
        if let Opened::Failed { reason, .. } = o {
            out.lock().unwrap().push(reason);
        }
    };
    let budget = Budget::new(Limits::default());
    let opener = Opener {
        budget: &budget,
        sink: &sink,
    };
    assert_eq!(opener.open_file(&p, "huge.json".into()), limit + 1);
    let got = out.into_inner().unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].contains("past the per-file limit of 1 GiB (HEIST_MAX_FILE_MB)"),
        "{got:?}"
    );
    assert_eq!(budget.bytes_read(), 0, "nothing of it was read");
}

/// Every level counts against the limits: a gzip inside a tar inside a gzip is held to the file limit, the
/// archive's other members still open, and nothing stays held once the leaves are dropped.
#[test]
fn limits_hold_at_every_level_and_the_rest_still_opens() {
    let mb = |n: usize| vec![b'x'; n << 20];
    let tar_of = |members: Vec<(&str, Vec<u8>)>| {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data.as_slice()).unwrap();
        }
        b.into_inner().unwrap()
    };
    let limits = |file_mib: u64| Limits {
        max_file: file_mib << 20,
        max_bundle: 1 << 30,
        max_memory: 16 << 20,
    };
    let reasons = |got: &[(String, Result<Vec<u8>, String>)]| -> Vec<(String, String)> {
        got.iter()
            .map(|(o, r)| {
                let r = match r {
                    Ok(b) => format!("{} bytes", b.len()),
                    Err(e) => e.clone(),
                };
                (o.clone(), r)
            })
            .collect()
    };
    let tgz = gz(&tar_of(vec![
        ("big.json.gz", gz(&mb(3))),
        ("small.json", b"{\"k\":1}".to_vec()),
    ]));
    let budget = Budget::new(limits(2));
    let got = reasons(&collect_within(tgz, &budget));
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].0.ends_with("!/big.json.gz"), "{got:?}");
    assert!(got[0].1.contains("per-file limit of 2 MiB"), "{got:?}");
    assert_eq!(got[1].1, "7 bytes", "{got:?}");
    assert_eq!(budget.held(), 0);
    // The tar itself (inflated from the gzip) is past the limit: nothing inside it is read.
    let tgz = gz(&tar_of(vec![("a.json", mb(3))]));
    let budget = Budget::new(limits(2));
    let got = reasons(&collect_within(tgz, &budget));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("per-file limit of 2 MiB"), "{got:?}");
    assert!(budget.bytes_read() <= (2 << 20) + 1);
}

//! The documentation tells the truth about what heist reads: README's formats table names every format and shape
//! `heist formats` lists.

use crate::common;

#[test]
fn readme_formats_table_lists_every_format() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let table = readme
        .split("## Formats")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("README has a Formats section");
    let listed = common::stdout(&common::heist(&["formats"]));
    for f in heist_core::ingest::formats::registry() {
        assert!(
            table.contains(&format!("(`{}`)", f.id())),
            "README's formats table has no row for `{}` ({})",
            f.id(),
            f.title()
        );
        assert!(
            listed.contains(&format!("{} ({})", f.title(), f.id())),
            "heist formats does not list {}",
            f.id()
        );
    }
}

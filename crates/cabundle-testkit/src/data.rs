//! Where the tests find the shared CCADB and NSS snapshots.
//!
//! The snapshots are never copied into the repository: tests read them from the folder named
//! by `CABUNDLE_CCADB_DATA`, else from `../shared/data/ccadb` beside the checkout. A test
//! that needs them skips, with a notice, when they are missing, except in CI (`CI` set),
//! where they must be there.

use std::path::{Path, PathBuf};

/// The folder of CCADB and NSS snapshots: `CABUNDLE_CCADB_DATA`, or `../shared/data/ccadb`
/// beside the checkout. `None` (after printing a notice) when it is missing outside CI;
/// a panic when it is missing in CI.
pub fn ccadb_data() -> Option<PathBuf> {
    located(Path::is_dir)
}

/// Like [`ccadb_data`], but the folder counts as missing unless it holds the file `name`.
pub fn ccadb_data_with(name: &str) -> Option<PathBuf> {
    located(|dir| dir.join(name).is_file())
}

/// The folder of the Chrome Root Store snapshot (`root_store.textproto` and its
/// certificates): `CABUNDLE_CHROME_DATA`, else `chrome` beside the CCADB folder. Missing is
/// handled as for [`ccadb_data`].
pub fn chrome_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("CABUNDLE_CHROME_DATA") {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("CABUNDLE_CCADB_DATA") {
            Some(d) => PathBuf::from(d).join("../chrome"),
            None => PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/chrome"
            )),
        },
    };
    if dir.join("root_store.textproto").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "Chrome Root Store data not found at {} (set CABUNDLE_CHROME_DATA)",
        dir.display()
    );
    eprintln!(
        "notice: Chrome Root Store data not found at {}; skipping (set CABUNDLE_CHROME_DATA)",
        dir.display()
    );
    None
}

fn located(present: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    let dir = match std::env::var_os("CABUNDLE_CCADB_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/ccadb"
        )),
    };
    if present(&dir) {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CCADB data not found at {} (set CABUNDLE_CCADB_DATA)",
        dir.display()
    );
    eprintln!(
        "notice: CCADB data not found at {}; skipping (set CABUNDLE_CCADB_DATA)",
        dir.display()
    );
    None
}

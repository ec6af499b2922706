//! The journal: every change `trust install` makes, recorded before it is made, with what was
//! there before, so that `trust uninstall` can undo it exactly, and a run killed half-way can be
//! finished or undone by the next.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The stores a root can be installed into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The distribution's trust store (and what its tool refreshes).
    System,
    /// The user's NSS databases (Firefox, Chromium).
    Nss,
    /// Java keystores the system store does not cover.
    Java,
    /// The shells' startup files: the variables every client reads.
    Env,
    /// pip's configuration.
    Pip,
    /// npm's configuration.
    Npm,
    /// git's configuration.
    Git,
    /// conda's configuration.
    Conda,
    /// Node.js: advice only (it reads the variables of `Env`, or the system store).
    Node,
}

impl StoreKind {
    /// Every store, in the order a plan takes them (the system store first: the bundle the
    /// others may point at is its output).
    pub const ALL: [StoreKind; 9] = [
        StoreKind::System,
        StoreKind::Nss,
        StoreKind::Java,
        StoreKind::Env,
        StoreKind::Pip,
        StoreKind::Npm,
        StoreKind::Git,
        StoreKind::Conda,
        StoreKind::Node,
    ];

    /// The store's name, as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::System => "system",
            StoreKind::Nss => "nss",
            StoreKind::Java => "java",
            StoreKind::Env => "env",
            StoreKind::Pip => "pip",
            StoreKind::Npm => "npm",
            StoreKind::Git => "git",
            StoreKind::Conda => "conda",
            StoreKind::Node => "node",
        }
    }

    /// The store named `name`.
    pub fn from_name(name: &str) -> Option<StoreKind> {
        StoreKind::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A tool whose configuration holds the path of a CA bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// pip (`global.cert`).
    Pip,
    /// npm (`cafile`).
    Npm,
    /// git (`http.sslCAInfo`).
    Git,
    /// conda (`ssl_verify`).
    Conda,
}

impl Tool {
    /// The setting that names the bundle.
    pub fn key(self) -> &'static str {
        match self {
            Tool::Pip => "global.cert",
            Tool::Npm => "cafile",
            Tool::Git => "http.sslCAInfo",
            Tool::Conda => "ssl_verify",
        }
    }

    /// The store this tool is.
    pub fn store(self) -> StoreKind {
        match self {
            Tool::Pip => StoreKind::Pip,
            Tool::Npm => StoreKind::Npm,
            Tool::Git => StoreKind::Git,
            Tool::Conda => StoreKind::Conda,
        }
    }
}

/// What a file was before a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "was")]
pub enum FileState {
    /// It did not exist.
    Absent,
    /// It held the bytes kept as the backup with this SHA-256, with these permission bits.
    Backup {
        /// SHA-256 of the bytes (the backup's name).
        sha256: String,
        /// The permission bits (Unix mode, lower 12 bits).
        mode: u32,
    },
}

/// One file a tool may rewrite when its setting changes: its state before, and its SHA-256
/// right after the change (`None` when it did not exist then).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The file.
    pub path: PathBuf,
    /// What it was before.
    pub before: FileState,
    /// Its SHA-256 after the change, once made.
    pub after: Option<String>,
}

/// One change to the machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Change {
    /// An anchor file of cabundle's in the system store's directory (then its tool is run).
    AnchorFile {
        /// The file.
        path: PathBuf,
    },
    /// An anchor stored with p11-kit's `trust anchor` (then the refresh tool is run).
    TrustTool {
        /// The certificate, PEM (what `trust anchor` removes again).
        pem: String,
    },
    /// The certificate added to an NSS database under a nickname.
    Nss {
        /// The database directory.
        database: PathBuf,
        /// The nickname.
        nickname: String,
    },
    /// The certificate imported into a Java keystore under an alias.
    Java {
        /// The keystore.
        keystore: PathBuf,
        /// The alias.
        alias: String,
    },
    /// A marked block appended to a file (created when absent).
    Block {
        /// The file, its state before and after.
        file: FileRecord,
        /// The exact text appended.
        inserted: String,
    },
    /// A whole file of cabundle's (fish's `conf.d` file).
    File {
        /// The file.
        path: PathBuf,
        /// Its contents.
        contents: String,
    },
    /// The bundle cabundle keeps (the system's public roots plus the installed ones), which the
    /// variables and settings point at when the system store is not changed.
    KeptBundle {
        /// The bundle.
        path: PathBuf,
        /// The root, PEM (the bundle is rebuilt from the roots still installed).
        pem: String,
    },
    /// A tool's setting, changed through the tool.
    Setting {
        /// The tool.
        tool: Tool,
        /// The value set.
        value: String,
        /// The value before, if any.
        before: Option<String>,
        /// The files the tool may have rewritten.
        files: Vec<FileRecord>,
    },
}

/// Where an entry is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Recorded; the change may or may not have been made (a run was killed).
    Pending,
    /// Made.
    Done,
    /// Being undone; the undo may or may not be complete.
    Undoing,
}

/// The `root` of an entry shared by every root installed (a shell block, a tool's setting):
/// it is undone with the last root.
pub const SHARED: &str = "*";

/// One recorded change, for one root, in one store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The SHA-256 of the root (lower-case hex), or [`SHARED`].
    pub root: String,
    /// The root's subject, for people.
    pub subject: String,
    /// The store.
    pub store: StoreKind,
    /// The change.
    pub change: Change,
    /// Where it is.
    pub state: State,
}

/// Every change recorded in one state directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The format (1).
    pub format: u32,
    /// The entries, in the order the changes were made.
    pub entries: Vec<Entry>,
}

/// The journal's format number.
pub const FORMAT: u32 = 1;

impl Journal {
    /// An empty journal.
    pub fn new() -> Journal {
        Journal {
            format: FORMAT,
            entries: Vec::new(),
        }
    }

    /// Reads a journal written by [`Journal::to_json`].
    pub fn from_json(text: &[u8]) -> crate::Result<Journal> {
        let journal: Journal = serde_json::from_slice(text).map_err(crate::Error::Journal)?;
        if journal.format != FORMAT {
            return Err(crate::Error::Format(journal.format));
        }
        Ok(journal)
    }

    /// The journal as pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The index of the entry for `root` and `change`'s target, if recorded.
    pub fn find(&self, root: &str, change: &Change) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.root == root && same_target(&e.change, change))
    }

    /// The roots recorded, each once, in the order first recorded, with their subjects.
    pub fn roots(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for e in self.entries.iter().filter(|e| e.root != SHARED) {
            if !out.iter().any(|(r, _)| *r == e.root) {
                out.push((&e.root, &e.subject));
            }
        }
        out
    }
}

/// Whether two changes touch the same thing (so the second is the first again, not a new one).
pub fn same_target(a: &Change, b: &Change) -> bool {
    match (a, b) {
        (Change::AnchorFile { path: p }, Change::AnchorFile { path: q }) => p == q,
        (Change::TrustTool { .. }, Change::TrustTool { .. }) => true,
        (
            Change::Nss {
                database: d,
                nickname: n,
            },
            Change::Nss {
                database: e,
                nickname: m,
            },
        ) => d == e && n == m,
        (
            Change::Java {
                keystore: k,
                alias: a,
            },
            Change::Java {
                keystore: l,
                alias: b,
            },
        ) => k == l && a == b,
        (Change::Block { file: f, .. }, Change::Block { file: g, .. }) => f.path == g.path,
        (Change::File { path: p, .. }, Change::File { path: q, .. }) => p == q,
        (Change::KeptBundle { path: p, .. }, Change::KeptBundle { path: q, .. }) => p == q,
        (Change::Setting { tool: t, .. }, Change::Setting { tool: u, .. }) => t == u,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut journal = Journal::new();
        journal.entries.push(Entry {
            root: "00ff".to_owned(),
            subject: "CN=Proxy Root".to_owned(),
            store: StoreKind::Env,
            change: Change::Block {
                file: FileRecord {
                    path: PathBuf::from("/u/.bashrc"),
                    before: FileState::Backup {
                        sha256: "aa".to_owned(),
                        mode: 0o644,
                    },
                    after: Some("bb".to_owned()),
                },
                inserted: "\n# >>>\n".to_owned(),
            },
            state: State::Done,
        });
        let text = journal.to_json();
        assert_eq!(Journal::from_json(text.as_bytes()).ok(), Some(journal));
        assert!(matches!(
            Journal::from_json(b"{\"format\":2,\"entries\":[]}"),
            Err(crate::Error::Format(2))
        ));
        assert!(Journal::from_json(b"{").is_err());
    }

    #[test]
    fn store_names() {
        for s in StoreKind::ALL {
            assert_eq!(StoreKind::from_name(s.name()), Some(s));
        }
        assert_eq!(StoreKind::from_name("firefox"), None);
    }
}

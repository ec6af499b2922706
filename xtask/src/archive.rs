//! A tree of files held in memory, and its deterministic `.tar.gz`.
//!
//! The archive depends only on the tree and the given modification time: entries sorted by
//! path, parents before children, modes 0644 (files) and 0755 (folders), owner 0/0 with empty
//! names, symbolic links stored as links, and a gzip header with no file name and no time.
//! The umask, time zone, locale and current directory of the machine play no part.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::io::Write;

/// One entry of a [`Tree`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A regular file with its bytes.
    File(Vec<u8>),
    /// A folder.
    Dir,
    /// A symbolic link with its (relative) target.
    Symlink(String),
}

/// Files, folders and links keyed by their `/`-separated relative path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    nodes: BTreeMap<String, Node>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Adds an entry, and the folders above it.
    pub fn insert(&mut self, path: &str, node: Node) -> Result<()> {
        check_path(path)?;
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            let parent = &path[..at + i];
            match self.nodes.get(parent) {
                None => {
                    self.nodes.insert(parent.to_owned(), Node::Dir);
                }
                Some(Node::Dir) => {}
                Some(_) => bail!("`{parent}` is both a file and a folder"),
            }
            at += i + 1;
        }
        if self.nodes.insert(path.to_owned(), node).is_some() {
            bail!("`{path}` is added twice");
        }
        Ok(())
    }

    /// The entries in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The deterministic `.tar.gz` of the tree, every entry dated `mtime` (seconds since the
    /// Unix epoch).
    pub fn tar_gz(&self, mtime: u64) -> Result<Vec<u8>> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, node) in self.iter() {
            let mut header = tar::Header::new_ustar();
            header.set_uid(0);
            header.set_gid(0);
            header.set_username("")?;
            header.set_groupname("")?;
            header.set_mtime(mtime);
            let data: &[u8] = match node {
                Node::File(bytes) => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_mode(0o644);
                    header.set_size(bytes.len() as u64);
                    bytes
                }
                Node::Dir => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_mode(0o755);
                    header.set_size(0);
                    &[]
                }
                Node::Symlink(target) => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_mode(0o777);
                    header.set_size(0);
                    header
                        .set_link_name(target)
                        .with_context(|| format!("link target of `{path}`"))?;
                    &[]
                }
            };
            let name = if matches!(node, Node::Dir) {
                format!("{path}/")
            } else {
                path.to_owned()
            };
            header
                .set_path(&name)
                .with_context(|| format!("path `{name}` does not fit a tar header"))?;
            header.set_cksum();
            tar.append(&header, data)?;
        }
        let tar = tar.into_inner()?;
        let mut gz = flate2::GzBuilder::new()
            .operating_system(255)
            .write(Vec::new(), flate2::Compression::best());
        gz.write_all(&tar)?;
        Ok(gz.finish()?)
    }
}

/// A relative path of plain components.
fn check_path(path: &str) -> Result<()> {
    if path.is_empty()
        || path.starts_with('/')
        || path.ends_with('/')
        || path.contains('\\')
        || path
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
    {
        bail!("`{path}` is not a plain relative path");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample() -> Tree {
        let mut t = Tree::new();
        t.insert("b/z.pem", Node::File(b"z\n".to_vec())).unwrap();
        t.insert("b/certs/1a2b3c4d.0", Node::Symlink("root.pem".into()))
            .unwrap();
        t.insert("b/certs/root.pem", Node::File(b"root\n".to_vec()))
            .unwrap();
        t.insert("b/a.json", Node::File(b"{}\n".to_vec())).unwrap();
        t
    }

    /// (path, type, mode, uid, gid, user, group, mtime, link) of each entry, in order.
    type Row = (String, char, u32, u64, u64, String, String, u64, String);

    fn entries(gz: &[u8]) -> Vec<Row> {
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut tar_bytes)
            .unwrap();
        let mut archive = tar::Archive::new(tar_bytes.as_slice());
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    match h.entry_type() {
                        tar::EntryType::Regular => 'f',
                        tar::EntryType::Directory => 'd',
                        tar::EntryType::Symlink => 'l',
                        _ => '?',
                    },
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.username().unwrap().unwrap_or("").to_owned(),
                    h.groupname().unwrap().unwrap_or("").to_owned(),
                    h.mtime().unwrap(),
                    h.link_name()
                        .unwrap()
                        .map(|l| l.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn archive_entries_are_sorted_with_fixed_metadata() {
        let gz = sample().tar_gz(1_782_864_000).unwrap();
        let got: Vec<_> = entries(&gz)
            .into_iter()
            .map(|e| (e.0, e.1, e.2, e.8))
            .collect();
        let want = [
            ("b/", 'd', 0o755, ""),
            ("b/a.json", 'f', 0o644, ""),
            ("b/certs/", 'd', 0o755, ""),
            ("b/certs/1a2b3c4d.0", 'l', 0o777, "root.pem"),
            ("b/certs/root.pem", 'f', 0o644, ""),
            ("b/z.pem", 'f', 0o644, ""),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(p, t, m, l)| (p.to_string(), *t, *m, l.to_string()))
            .collect();
        assert_eq!(got, want);
        for e in entries(&gz) {
            assert_eq!(
                (e.3, e.4, e.5.as_str(), e.6.as_str(), e.7),
                (0, 0, "", "", 1_782_864_000)
            );
        }
    }

    #[test]
    fn gzip_header_has_no_name_and_no_time() {
        let gz = sample().tar_gz(0).unwrap();
        // ID1 ID2 CM FLG MTIME(4) XFL OS
        assert_eq!(
            &gz[..4],
            &[0x1f, 0x8b, 8, 0],
            "no FNAME, FEXTRA or FCOMMENT flag"
        );
        assert_eq!(&gz[4..8], &[0, 0, 0, 0], "MTIME is zero");
        assert_eq!(gz[9], 255, "OS is unknown");
    }

    #[test]
    fn archive_does_not_depend_on_insertion_order() {
        let mut t = Tree::new();
        t.insert("b/a.json", Node::File(b"{}\n".to_vec())).unwrap();
        t.insert("b/certs/root.pem", Node::File(b"root\n".to_vec()))
            .unwrap();
        t.insert("b/certs/1a2b3c4d.0", Node::Symlink("root.pem".into()))
            .unwrap();
        t.insert("b/z.pem", Node::File(b"z\n".to_vec())).unwrap();
        assert_eq!(t.tar_gz(7).unwrap(), sample().tar_gz(7).unwrap());
        assert_ne!(t.tar_gz(7).unwrap(), sample().tar_gz(8).unwrap());
    }

    #[test]
    fn bad_paths() {
        for p in ["", "/a", "a/", "a//b", "a/../b", "./a", "a\\b"] {
            assert!(Tree::new().insert(p, Node::Dir).is_err(), "{p:?}");
        }
        let mut t = sample();
        assert!(t.insert("b/z.pem/x", Node::Dir).is_err());
        assert!(t.insert("b/z.pem", Node::Dir).is_err());
    }

    #[test]
    fn matches_gnu_tar_listing() {
        // The real `tar` reads the archive and sees the same entries.
        let Ok(out) = std::process::Command::new("tar").arg("--version").output() else {
            eprintln!("notice: tar not found; skipping");
            return;
        };
        if !String::from_utf8_lossy(&out.stdout).contains("GNU tar") {
            eprintln!("notice: not GNU tar; skipping");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.tar.gz");
        fs_err::write(&file, sample().tar_gz(1_782_864_000).unwrap()).unwrap();
        let out = std::process::Command::new("tar")
            .args(["-tvzf"])
            .arg(&file)
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(
                "lrwxrwxrwx 0/0               0 2026-07-01 00:00 b/certs/1a2b3c4d.0 -> root.pem"
            ),
            "{text}"
        );
        assert!(
            text.contains("-rw-r--r-- 0/0               5 2026-07-01 00:00 b/certs/root.pem"),
            "{text}"
        );
    }
}

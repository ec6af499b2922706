//! What a bundle build leaves behind besides the outputs `cabundle-build` makes: the
//! archive, the `SHA256SUMS`, and the comparison `--check` makes against the committed copies.
//!
//! Pure: values in, text and trees out.

use crate::archive::{Node, Tree};
use anyhow::{Context, Result};
use cabundle_build::{CapathEntry, CapathEntryKind, Release};
use sha2::{Digest, Sha256};

/// Everything written for one bundle.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The files of the output folder, archive included, by name.
    pub files: Vec<(String, Vec<u8>)>,
    /// The hashed directory, by name, when the bundle has one.
    pub capath: Option<(String, Vec<CapathEntry>)>,
    /// The `SHA256SUMS` lines for the output files.
    pub sums: String,
    /// The readable listing.
    pub listing: String,
}

/// The archive's file name.
pub fn archive_name(name: &str) -> String {
    format!("{name}.tar.gz")
}

/// Adds the release's archive and digests to its outputs.
pub fn render(release: &Release, as_of: time::Date) -> Result<Rendered> {
    let files: Vec<(String, Vec<u8>)> = release
        .files()
        .into_iter()
        .map(|(n, b)| (n, b.to_vec()))
        .collect();
    let capath = release
        .capath_dir()
        .map(|(n, entries)| (n, entries.to_vec()));
    lay_out(
        release.name(),
        as_of,
        files,
        capath,
        release.listing().to_owned(),
    )
}

/// Lays out a bundle's outputs. The archive holds the other outputs under `NAME/` and is dated
/// at 00:00 UTC of the as-of date.
fn lay_out(
    name: &str,
    as_of: time::Date,
    mut files: Vec<(String, Vec<u8>)>,
    capath: Option<(String, Vec<CapathEntry>)>,
    listing: String,
) -> Result<Rendered> {
    let mut archived = Tree::new();
    for (file, bytes) in &files {
        archived.insert(&format!("{name}/{file}"), Node::File(bytes.clone()))?;
    }
    if let Some((dir, entries)) = &capath {
        archived.insert(&format!("{name}/{dir}"), Node::Dir)?;
        for entry in entries {
            let node = match &entry.kind {
                CapathEntryKind::File(bytes) => Node::File(bytes.clone()),
                CapathEntryKind::Link(target) => Node::Symlink(target.clone()),
            };
            archived
                .insert(&format!("{name}/{dir}/{}", entry.name), node)
                .with_context(|| format!("capath entry `{}`", entry.name))?;
        }
    }
    let mtime = u64::try_from(as_of.midnight().assume_utc().unix_timestamp()).unwrap_or(0);
    files.push((archive_name(name), archived.tar_gz(mtime)?));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sums = String::new();
    for (file, bytes) in &files {
        sums.push_str(&format!("{}  {file}\n", sha256_hex(bytes)));
    }
    Ok(Rendered {
        files,
        capath,
        sums,
        listing,
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whitespace runs, newlines included, as one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares a committed file with what the build produced. `None` when equal, else the lines
/// only in the committed copy (`-`) and only in the build (`+`).
pub fn compare(committed: &str, built: &str) -> Option<String> {
    if committed == built {
        return None;
    }
    let old: Vec<&str> = committed.lines().collect();
    let new: Vec<&str> = built.lines().collect();
    let mut out = String::new();
    for line in &old {
        if !new.contains(line) {
            out.push_str(&format!("-{line}\n"));
        }
    }
    for line in &new {
        if !old.contains(line) {
            out.push_str(&format!("+{line}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("(the same lines in another order, or other line endings)\n");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lay_out_t(capath: bool) -> Rendered {
        let files = vec![
            ("t.listing.txt".to_owned(), b"listing\n".to_vec()),
            ("t.manifest.json".to_owned(), b"{}\n".to_vec()),
            ("t.pem".to_owned(), b"pem\n".to_vec()),
        ];
        let entries = vec![
            CapathEntry {
                name: "0000000b.0".into(),
                kind: CapathEntryKind::Link("b.pem".into()),
            },
            CapathEntry {
                name: "b.pem".into(),
                kind: CapathEntryKind::File(b"b\n".to_vec()),
            },
        ];
        let capath = capath.then(|| ("t.capath".to_owned(), entries));
        lay_out(
            "t",
            time::macros::date!(2026 - 07 - 01),
            files,
            capath,
            "listing\n".into(),
        )
        .unwrap()
    }

    /// The paths inside an archive.
    fn archived(gz: &[u8]) -> Vec<String> {
        use std::io::Read as _;
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut tar_bytes)
            .unwrap();
        tar::Archive::new(tar_bytes.as_slice())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn outputs_and_sums() {
        let r = lay_out_t(true);
        let names: Vec<_> = r.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            ["t.listing.txt", "t.manifest.json", "t.pem", "t.tar.gz"]
        );
        let summed: Vec<_> = r
            .sums
            .lines()
            .map(|l| l.split_once("  ").unwrap().1)
            .collect();
        assert_eq!(summed, names);
        assert!(
            r.sums
                .starts_with(&format!("{}  t.listing.txt\n", sha256_hex(b"listing\n")))
        );
        assert_eq!(
            archived(&r.files[3].1),
            [
                "t/",
                "t/t.capath/",
                "t/t.capath/0000000b.0",
                "t/t.capath/b.pem",
                "t/t.listing.txt",
                "t/t.manifest.json",
                "t/t.pem"
            ]
        );
        // The same inputs give the same bytes.
        assert_eq!(lay_out_t(true).sums, r.sums);
    }

    #[test]
    fn no_capath_when_the_recipe_says_so() {
        let r = lay_out_t(false);
        assert!(r.capath.is_none());
        assert!(
            archived(&r.files[3].1)
                .iter()
                .all(|p| !p.contains("capath"))
        );
    }

    fn check(committed: &str, built: &str, expected: Option<&str>) {
        assert_eq!(
            compare(committed, built).as_deref(),
            expected,
            "{committed:?} vs {built:?}"
        );
    }

    #[test]
    fn comparisons() {
        check("a\nb\n", "a\nb\n", None);
        check("a\nb\n", "a\nc\n", Some("-b\n+c\n"));
        check("a\n", "a\nb\n", Some("+b\n"));
        check(
            "a\nb\n",
            "b\na\n",
            Some("(the same lines in another order, or other line endings)\n"),
        );
        check(
            "a\r\n",
            "a\n",
            Some("(the same lines in another order, or other line endings)\n"),
        );
    }
}

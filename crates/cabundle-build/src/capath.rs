//! The hashed directory of a build, in memory: one PEM file per certificate under a stable
//! name, and OpenSSL hash links (`hhhhhhhh.N`) pointing at them.
//!
//! File names are the certificate's label made safe for file systems plus the first 16 hex
//! digits of its SHA-256 (`GlobalSign_Root_CA-ebd41040e4bb3ec7.pem`), so a label change or a
//! collision never renames another certificate's file.
//!
//! The links are not numbered here: the files are handed, as an in-memory listing, to
//! [`cabundle_capath::plan`], the same planner `cabundle rehash` uses, so the directory holds
//! exactly the links `cabundle rehash` and `openssl rehash` would make in it.

use cabundle_capath::{Action, Entry, EntryKind, Listing, Options};
use cabundle_cert::Sha256Fingerprint;
use cabundle_policy::{Decisions, Purpose};
use sha2::Digest as _;

/// What a directory entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CapathEntryKind {
    /// A regular file with these bytes.
    File(Vec<u8>),
    /// A symbolic link to this name in the same directory.
    Link(String),
}

/// One entry of the hashed directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapathEntry {
    /// The file name.
    pub name: String,
    /// A file or a link.
    pub kind: CapathEntryKind,
}

/// A label as a file-name stem: ASCII letters, digits, `.`, `-` and `_` are kept, runs of
/// anything else become one `_`, at most 64 characters.
fn safe_stem(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed: String = out
        .trim_matches(|c| c == '_' || c == '.')
        .chars()
        .take(64)
        .collect();
    if trimmed.is_empty() {
        "root".to_owned()
    } else {
        trimmed
    }
}

/// The entries of the hashed directory for the included certificates, sorted by name.
pub fn capath_entries(decisions: &Decisions<'_>, purpose: Purpose) -> Vec<CapathEntry> {
    let mut entries: Vec<CapathEntry> = decisions
        .included()
        .map(|decision| {
            let cert = decision.certificate;
            let sha = cert.sha256.to_string();
            let name = format!("{}-{}.pem", safe_stem(decision.label()), &sha[..16]);
            let mut bytes = cabundle_emit::comment_block(decision, purpose).into_bytes();
            bytes.extend_from_slice(cabundle_emit::pem_block(&cert.der).as_bytes());
            CapathEntry {
                name,
                kind: CapathEntryKind::File(bytes),
            }
        })
        .collect();
    let links = hash_links(&entries);
    entries.extend(links);
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    entries
}

/// The hash links `cabundle rehash` would create in a directory holding just `files`: each file
/// is classified from its bytes, as a scan of the directory would, and the listing planned.
pub(crate) fn hash_links(files: &[CapathEntry]) -> Vec<CapathEntry> {
    let listing = Listing {
        entries: files
            .iter()
            .filter_map(|file| match &file.kind {
                CapathEntryKind::File(bytes) => Some(Entry {
                    name: file.name.clone().into(),
                    kind: EntryKind::File {
                        content: Some(cabundle_capath::classify(bytes, false)),
                        bytes_sha1: None,
                    },
                }),
                CapathEntryKind::Link(_) => None,
            })
            .collect(),
    };
    cabundle_capath::plan(&listing, &Options::default())
        .actions
        .into_iter()
        .filter_map(|action| match action {
            // A directory of files alone has no links to keep or remove; every action is a Link.
            Action::Link { link, target, .. } | Action::Keep { link, target } => {
                Some(CapathEntry {
                    name: link.to_string(),
                    kind: CapathEntryKind::Link(target.to_string_lossy().into_owned()),
                })
            }
            Action::Remove { .. } => None,
        })
        .collect()
}

/// The entries of a DER directory (p11-kit's `x509-directory`) for the included certificates:
/// one DER file per certificate, under the hashed directory's names with `.der`, sorted by name.
pub fn der_entries(decisions: &Decisions<'_>) -> Vec<CapathEntry> {
    let mut entries: Vec<CapathEntry> = decisions
        .included()
        .map(|decision| {
            let cert = decision.certificate;
            let sha = cert.sha256.to_string();
            CapathEntry {
                name: format!("{}-{}.der", safe_stem(decision.label()), &sha[..16]),
                kind: CapathEntryKind::File(cert.der.clone()),
            }
        })
        .collect();
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    entries
}

/// The entries of a p11-kit directory for the included certificates: one `.p11-kit` file per
/// certificate ([`cabundle_emit::p11_kit_object`]), under the hashed directory's names with
/// `.p11-kit`, sorted by name.
pub fn p11_kit_entries(
    decisions: &Decisions<'_>,
    purpose: Purpose,
) -> Result<Vec<CapathEntry>, cabundle_emit::P11KitError> {
    let mut entries = decisions
        .included()
        .map(|decision| {
            let sha = decision.certificate.sha256.to_string();
            Ok(CapathEntry {
                name: format!("{}-{}.p11-kit", safe_stem(decision.label()), &sha[..16]),
                kind: CapathEntryKind::File(cabundle_emit::p11_kit_object(decision, purpose)?),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(entries)
}

/// SHA-256 over the directory's listing: for each entry in name order, one line
/// `NAME\tfile\tSHA256-OF-CONTENT\n` or `NAME\tlink\tTARGET\n`. Lower-case hex.
pub fn capath_digest(entries: &[CapathEntry]) -> Sha256Fingerprint {
    let mut sorted: Vec<&CapathEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut hasher = sha2::Sha256::new();
    for entry in sorted {
        let line = match &entry.kind {
            CapathEntryKind::File(bytes) => format!(
                "{}\tfile\t{}\n",
                entry.name,
                hex::encode(sha2::Sha256::digest(bytes))
            ),
            CapathEntryKind::Link(target) => format!("{}\tlink\t{target}\n", entry.name),
        };
        hasher.update(line.as_bytes());
    }
    Sha256Fingerprint(hasher.finalize().into())
}

/// Whether `name` is a certificate file name this module writes: `STEM-<16 hex digits>.EXT`
/// with `extension` `pem` (see [`capath_entries`]) or `der` (see [`der_entries`]). Anything
/// else ending in that extension may be a user's own file.
pub(crate) fn is_our_file_name(name: &str, extension: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(extension)
        .and_then(|s| s.strip_suffix('.'))
    else {
        return false;
    };
    let Some((label, sha)) = stem.rsplit_once('-') else {
        return false;
    };
    !label.is_empty()
        && !label.starts_with('.')
        && sha.len() == 16
        && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `name` is a hash link name this module writes, `hhhhhhhh.N` (CRL links
/// `hhhhhhhh.rN` too, as `openssl rehash` may have added them).
pub(crate) fn is_our_name(name: &str) -> bool {
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    let n = n.strip_prefix('r').unwrap_or(n);
    hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        fn check(input: &str, expected: &str) {
            assert_eq!(safe_stem(input), expected, "{input:?}");
        }
        check("GlobalSign Root CA", "GlobalSign_Root_CA");
        check("Certum Trusted Network CA 2", "Certum_Trusted_Network_CA_2");
        check(
            "TÜBİTAK Kamu SM SSL Kök Sertifikası - Sürüm 1",
            "T_B_TAK_Kamu_SM_SSL_K_k_Sertifikas_-_S_r_m_1",
        );
        check("../../etc/passwd", "etc_passwd");
        check("", "root");
        check("///", "root");
        check(&"a".repeat(100), &"a".repeat(64));
    }

    #[test]
    fn our_names() {
        fn check(input: &str, expected: bool) {
            assert_eq!(is_our_name(input), expected, "{input:?}");
        }
        check("5ad8a5d6.0", true);
        check("5ad8a5d6.12", true);
        check("5ad8a5d6.r0", true);
        check("5AD8A5D6.0", true);
        check("5ad8a5d6", false);
        check("5ad8a5d6.", false);
        check("5ad8a5d.0", false);
        check(".hidden.pem", false);
        check("notes.txt", false);
        check("ca.crt", false);
        check("a-0123456789abcdef.pem", false);
    }

    #[test]
    fn our_file_names() {
        fn check(input: &str, expected: bool) {
            assert_eq!(is_our_file_name(input, "pem"), expected, "{input:?}");
            let der = input.replace(".pem", ".der");
            assert_eq!(is_our_file_name(&der, "der"), expected, "{der:?}");
            assert!(!is_our_file_name(&der, "pem"), "{der:?}");
        }
        check("GlobalSign_Root_CA-ebd41040e4bb3ec7.pem", true);
        check("a-0123456789abcdef.pem", true);
        check("corp.pem", false);
        check("a-0123.pem", false);
        check("-0123456789abcdef.pem", false);
        check(".a-0123456789abcdef.pem", false);
        check("a-0123456789ABCDEF.pem", false);
        check("a-0123456789abcdef.crt", false);
        check("a-0123456789abcdefpem", false);
    }

    /// Links of files sharing a subject hash are numbered like `openssl rehash` numbers them
    /// (by file name, whatever the SHA-256 order), compared with the real `openssl rehash`.
    #[test]
    fn hash_links_match_openssl_rehash() {
        use cabundle_testkit::der::{StringType, name_simple, oid, string};
        let shared = name_simple(&[(oid::CN, string(StringType::Utf8, "Shared Root"))]);
        let other = name_simple(&[(oid::CN, string(StringType::Utf8, "Other Root"))]);
        let file = |name: &str, der: Vec<u8>| CapathEntry {
            name: name.to_owned(),
            kind: CapathEntryKind::File(
                format!("# {name}\n{}", cabundle_testkit::pem("CERTIFICATE", &der)).into_bytes(),
            ),
        };
        let files = [
            file(
                "b-shared.pem",
                cabundle_testkit::cert_with_names(&shared, &shared, 1),
            ),
            file(
                "a-shared.pem",
                cabundle_testkit::cert_with_names(&shared, &shared, 2),
            ),
            file(
                "c-shared.pem",
                cabundle_testkit::cert_with_names(&shared, &shared, 3),
            ),
            file(
                "other.pem",
                cabundle_testkit::cert_with_names(&other, &other, 4),
            ),
        ];
        let mut ours: Vec<(String, String)> = hash_links(&files)
            .into_iter()
            .map(|e| match e.kind {
                CapathEntryKind::Link(target) => (e.name, target),
                CapathEntryKind::File(_) => panic!("{} is not a link", e.name),
            })
            .collect();
        ours.sort();
        let shared: Vec<(&str, &str)> = ours
            .iter()
            .filter(|(_, target)| target.ends_with("-shared.pem"))
            .map(|(name, target)| (&name[8..], target.as_str()))
            .collect();
        let expected = [
            (".0", "a-shared.pem"),
            (".1", "b-shared.pem"),
            (".2", "c-shared.pem"),
        ];
        assert_eq!(shared, expected, "{ours:?}");
        assert_eq!(ours.len(), 4, "{ours:?}");

        let Ok(version) = std::process::Command::new("openssl")
            .arg("version")
            .output()
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "openssl is required in CI"
            );
            eprintln!("notice: openssl not found; skipping the comparison");
            return;
        };
        assert!(version.status.success());
        let dir = tempfile::tempdir().unwrap();
        for f in &files {
            if let CapathEntryKind::File(bytes) = &f.kind {
                std::fs::write(dir.path().join(&f.name), bytes).unwrap();
            }
        }
        let status = std::process::Command::new("openssl")
            .arg("rehash")
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let mut theirs: Vec<(String, String)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_symlink())
            .map(|e| {
                let target = std::fs::read_link(e.path()).unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    target.to_string_lossy().into_owned(),
                )
            })
            .collect();
        theirs.sort();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn digest_is_order_independent() {
        let a = CapathEntry {
            name: "a.pem".into(),
            kind: CapathEntryKind::File(b"x".to_vec()),
        };
        let b = CapathEntry {
            name: "00000000.0".into(),
            kind: CapathEntryKind::Link("a.pem".into()),
        };
        assert_eq!(
            capath_digest(&[a.clone(), b.clone()]),
            capath_digest(&[b, a])
        );
        assert_eq!(
            capath_digest(&[]).to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

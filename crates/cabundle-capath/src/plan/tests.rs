//! Unit tests of the plan rules on hand-built listings.

use super::*;
use crate::content::HashedObject;

fn obj(kind: ObjectKind, hash: u32, sha: u8) -> Content {
    Content::Object(HashedObject {
        kind,
        hash: SubjectHash(hash),
        hash_old: SubjectHash(hash.rotate_left(8)),
        sha1: Sha1Fingerprint([sha; 20]),
    })
}

fn cert(hash: u32, sha: u8) -> Content {
    obj(ObjectKind::Certificate, hash, sha)
}

fn file(name: &str, content: Content) -> Entry {
    Entry {
        name: name.into(),
        kind: EntryKind::File {
            content: Some(content),
            bytes_sha1: None,
        },
    }
}

fn plain(name: &str) -> Entry {
    Entry {
        name: name.into(),
        kind: EntryKind::File {
            content: None,
            bytes_sha1: None,
        },
    }
}

fn link(name: &str, target: &str) -> Entry {
    Entry {
        name: name.into(),
        kind: EntryKind::Symlink {
            target: Some(target.into()),
            content: None,
        },
    }
}

fn render(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .actions
        .iter()
        .map(|a| match a {
            Action::Keep { link, target } => format!("keep {link} -> {}", target.to_string_lossy()),
            Action::Link {
                link,
                target,
                replaces: None,
            } => {
                format!("link {link} -> {}", target.to_string_lossy())
            }
            Action::Link {
                link,
                target,
                replaces: Some(_),
            } => {
                format!("relink {link} -> {}", target.to_string_lossy())
            }
            Action::Remove { link, .. } => format!("remove {link}"),
        })
        .collect();
    lines.extend(
        plan.diagnostics
            .iter()
            .map(|d| format!("{:?}: {d}", d.severity)),
    );
    lines
}

fn check_with(entries: Vec<Entry>, options: Options, expected: &[&str]) {
    let plan = plan(&Listing { entries }, &options);
    assert_eq!(render(&plan), expected);
}

fn check(entries: Vec<Entry>, expected: &[&str]) {
    check_with(entries, Options::default(), expected);
}

#[test]
fn link_names() {
    let parse = |s: &str| parse_link_name(s.as_bytes()).map(|l| (l.kind, l.hash.0, l.id));
    assert_eq!(
        parse("0123abcd.0"),
        Some((ObjectKind::Certificate, 0x0123abcd, 0))
    );
    assert_eq!(
        parse("0123ABCD.r12"),
        Some((ObjectKind::Crl, 0x0123abcd, 12))
    );
    assert_eq!(parse("0123abcd.R1"), Some((ObjectKind::Crl, 0x0123abcd, 1)));
    assert_eq!(
        parse("0123abcd."),
        Some((ObjectKind::Certificate, 0x0123abcd, 0))
    );
    assert_eq!(parse("0123abcd.r"), Some((ObjectKind::Crl, 0x0123abcd, 0)));
    assert_eq!(
        parse("0123abcd.65537"),
        Some((ObjectKind::Certificate, 0x0123abcd, 1))
    );
    assert_eq!(
        parse("0123abcd.-1"),
        Some((ObjectKind::Certificate, 0x0123abcd, 65535))
    );
    assert_eq!(
        parse("0123abcd.+3"),
        Some((ObjectKind::Certificate, 0x0123abcd, 3))
    );
    assert_eq!(parse("0123abcd.0.bak"), None);
    assert_eq!(parse("0123abcd.pem"), None);
    assert_eq!(parse("0123abc.0"), None);
    assert_eq!(parse("0123abcg.0"), None);
    assert_eq!(parse("0123abcd0"), None);
    assert_eq!(parse("0123abcd.x"), None);
    let name = LinkName {
        kind: ObjectKind::Crl,
        hash: SubjectHash(0xab),
        id: 3,
    };
    assert_eq!(name.to_string(), "000000ab.r3");
}

#[test]
fn fresh_directory() {
    check(
        vec![
            file("b.pem", cert(0x10, 2)),
            file("a.pem", cert(0x10, 1)),
            file("c.crl", obj(ObjectKind::Crl, 0x10, 3)),
        ],
        &[
            "link 00000010.0 -> a.pem",
            "link 00000010.1 -> b.pem",
            "link 00000010.r0 -> c.crl",
        ],
    );
}

#[test]
fn unchanged_directory_keeps_everything() {
    check(
        vec![
            file("a.pem", cert(0x10, 1)),
            file("b.pem", cert(0x10, 2)),
            link("00000010.0", "a.pem"),
            link("00000010.1", "b.pem"),
        ],
        &["keep 00000010.0 -> a.pem", "keep 00000010.1 -> b.pem"],
    );
}

#[test]
fn duplicates_are_skipped() {
    check(
        vec![file("a.pem", cert(0x10, 1)), file("b.pem", cert(0x10, 1))],
        &[
            "link 00000010.0 -> a.pem",
            "Warning: skipping duplicate certificate in b.pem",
        ],
    );
}

#[test]
fn stale_links_are_removed_unless_n() {
    let entries = || {
        vec![
            file("a.pem", cert(0x10, 1)),
            link("00000010.1", "gone.pem"),
            link("00000020.0", "a.pem"),
        ]
    };
    check(
        entries(),
        &[
            "remove 00000010.1",
            "link 00000010.0 -> a.pem",
            "remove 00000020.0",
        ],
    );
    let options = Options {
        remove_links: false,
        ..Options::default()
    };
    check_with(entries(), options, &["link 00000010.0 -> a.pem"]);
}

#[test]
fn openssl_keeps_a_low_numbered_dangling_link() {
    // OpenSSL's rule: a link numbered below the count of needed links stays as it is.
    check(
        vec![link("00000010.0", "gone.pem"), file("a.pem", cert(0x10, 1))],
        &["keep 00000010.0 -> gone.pem", "link 00000010.1 -> a.pem"],
    );
}

#[test]
fn wrong_link_is_replaced() {
    check(
        vec![
            link("00000010.1", "a.pem"),
            file("a.pem", cert(0x10, 1)),
            file("b.pem", cert(0x10, 2)),
        ],
        &["keep 00000010.1 -> a.pem", "link 00000010.0 -> b.pem"],
    );
}

#[test]
fn old_and_compat_hashes() {
    let entries = || vec![file("a.pem", cert(0x10, 1))];
    check_with(
        entries(),
        Options {
            hashes: Hashes::Old,
            ..Options::default()
        },
        &["link 00001000.0 -> a.pem"],
    );
    check_with(
        entries(),
        Options {
            hashes: Hashes::Both,
            ..Options::default()
        },
        &["link 00000010.0 -> a.pem", "link 00001000.0 -> a.pem"],
    );
}

#[test]
fn file_diagnostics() {
    check(
        vec![
            file("empty.pem", Content::NotExactlyOne { count: 0 }),
            file("key.pem", Content::NoCertificateOrCrl),
            file(
                "gone.pem",
                Content::Unreadable {
                    reason: "denied".into(),
                },
            ),
            file(
                "bad.pem",
                Content::Unparsable {
                    reason: "bad base64".into(),
                },
            ),
            plain("notes.txt"),
            file("ignored.txt", cert(0x10, 1)),
        ],
        &[
            "Info: skipping bad.pem: bad base64",
            "Warning: skipping empty.pem, it does not contain exactly one certificate or CRL (found 0)",
            "Error: skipping gone.pem, cannot open file: denied",
            "Error: skipping key.pem, it holds a private key but no certificate or CRL",
        ],
    );
}

#[test]
fn regular_file_under_a_link_name_is_never_replaced() {
    check(
        vec![plain("00000010.0"), file("a.pem", cert(0x10, 1))],
        &[
            "link 00000010.1 -> a.pem",
            "Warning: not replacing 00000010.0: it is not a symbolic link; number 0 skipped",
        ],
    );
}

#[test]
fn copies_are_matched_by_bytes() {
    let copy = |name: &str, sha: u8| Entry {
        name: name.into(),
        kind: EntryKind::File {
            content: None,
            bytes_sha1: Some([sha; 20]),
        },
    };
    let a = Entry {
        name: "a.pem".into(),
        kind: EntryKind::File {
            content: Some(cert(0x10, 1)),
            bytes_sha1: Some([7; 20]),
        },
    };
    let options = Options {
        copy: true,
        ..Options::default()
    };
    check_with(
        vec![a.clone(), copy("00000010.0", 7)],
        options,
        &["keep 00000010.0 -> a.pem"],
    );
    check_with(
        vec![a, copy("00000010.0", 9), copy("00000010.1", 8)],
        options,
        &["relink 00000010.0 -> a.pem", "remove 00000010.1"],
    );
}

#[test]
fn overflow_after_256_objects() {
    let mut entries: Vec<Entry> = (0..257u32)
        .map(|i| {
            let mut content = cert(0x10, 0);
            if let Content::Object(o) = &mut content {
                o.sha1.0[..4].copy_from_slice(&i.to_be_bytes());
            }
            file(&format!("c{i:03}.pem"), content)
        })
        .collect();
    entries.reverse();
    let plan = plan(&Listing { entries }, &Options::default());
    assert_eq!(plan.changes().count(), 256);
    assert_eq!(plan.error_count(), 1);
    assert_eq!(
        plan.diagnostics[0].to_string(),
        "hash table overflow for c256.pem"
    );
}

#[test]
fn buckets_follow_openssl_table_order() {
    // Slot = (type + hash) % 257: hash 257 (slot 0) comes before hash 1 (slot 1).
    check(
        vec![file("a.pem", cert(1, 1)), file("b.pem", cert(257, 2))],
        &["link 00000101.0 -> b.pem", "link 00000001.0 -> a.pem"],
    );
}

/// A file whose subject changed under a link of a shared subject: OpenSSL re-creates the
/// other file's link on every run; here the plan keeps it, so it converges.
#[test]
fn a_link_already_right_is_kept_when_a_lower_number_stays() {
    check(
        vec![
            link("00000010.0", "a.pem"),
            link("00000010.1", "b.pem"),
            file("a.pem", cert(0x20, 1)),
            file("b.pem", cert(0x10, 2)),
        ],
        &[
            "keep 00000010.0 -> a.pem",
            "keep 00000010.1 -> b.pem",
            "link 00000020.0 -> a.pem",
        ],
    );
}

/// Copies written by `--copy` are recognised by a plain run: kept, not doubled by links.
#[test]
fn copies_are_recognised_without_copy() {
    let with_bytes = |name: &str, content: Option<Content>, sha: u8| Entry {
        name: name.into(),
        kind: EntryKind::File {
            content,
            bytes_sha1: Some([sha; 20]),
        },
    };
    check(
        vec![
            with_bytes("a.pem", Some(cert(0x10, 1)), 7),
            with_bytes("b.pem", Some(cert(0x10, 2)), 8),
            with_bytes("00000010.0", None, 7),
            with_bytes("00000010.1", None, 8),
        ],
        &["keep 00000010.0 -> a.pem", "keep 00000010.1 -> b.pem"],
    );
    // A regular file that copies nothing here is still left alone.
    check(
        vec![
            with_bytes("a.pem", Some(cert(0x10, 1)), 7),
            with_bytes("00000010.0", None, 9),
        ],
        &[
            "link 00000010.1 -> a.pem",
            "Warning: not replacing 00000010.0: it is not a symbolic link; number 0 skipped",
        ],
    );
}

/// A user's hash-named file (no copy marker, so no digest from the scan) is never taken for a
/// copy: with `--copy` too, it stays and its number is skipped.
#[test]
fn a_user_file_is_not_a_copy_with_copy() {
    let options = Options {
        copy: true,
        ..Options::default()
    };
    check_with(
        vec![plain("00000010.0"), file("a.pem", cert(0x10, 1))],
        options,
        &[
            "link 00000010.1 -> a.pem",
            "Warning: not replacing 00000010.0: it is not a symbolic link; number 0 skipped",
        ],
    );
}

/// `--copy` turns links into copies: a link already right is replaced, not kept.
#[test]
fn copy_converts_links() {
    let options = Options {
        copy: true,
        ..Options::default()
    };
    check_with(
        vec![link("00000010.0", "a.pem"), file("a.pem", cert(0x10, 1))],
        options,
        &["relink 00000010.0 -> a.pem"],
    );
    // A link to nothing current is left as OpenSSL leaves it (kept, below the count).
    check_with(
        vec![
            link("00000010.0", "gone.pem"),
            link("00000010.1", "a.pem"),
            file("a.pem", cert(0x10, 1)),
        ],
        options,
        &["keep 00000010.0 -> gone.pem", "relink 00000010.1 -> a.pem"],
    );
}

/// A file that is not a regular file (or is over the cap) is skipped with a warning.
#[test]
fn not_regular_files_are_skipped_with_a_warning() {
    let entry = Entry {
        name: "x.pem".into(),
        kind: EntryKind::Symlink {
            target: None,
            content: Some(Content::NotRegular {
                reason: "not a regular file (a FIFO)".to_owned(),
            }),
        },
    };
    check(
        vec![entry],
        &["Warning: skipping x.pem: not a regular file (a FIFO)"],
    );
}

//! The pure decision: from a [`Listing`] to the links to keep, create and remove.
//!
//! This follows `do_dir` in OpenSSL's `apps/rehash.c` step by step, so that link names,
//! numbering, duplicate handling and warnings come out the same:
//!
//! - entries are visited in byte order of their names;
//! - a symbolic link with a hash-link name registers its target under the hash and number in
//!   its name (the lowest number wins when several links share a target);
//! - a candidate file with exactly one object registers itself under its hash, unless an
//!   object with the same SHA-1 is already there ("skipping duplicate");
//! - per hash, with `n` files needing a link: an existing link numbered below `n` is kept as
//!   it is, each file without one gets the lowest free number, and other links are removed.
//!
//! OpenSSL's quirks are kept on purpose (the differential tests compare with it): a link
//! numbered below `n` is kept even when its target is gone, and of several links to one file
//! only the lowest-numbered one is accounted for.
//!
//! Two deliberate differences. A link (or `--copy` copy) already right at the number a file
//! gets is kept, where OpenSSL re-creates it; so one run always leaves a directory that
//! `--check` passes. And OpenSSL unlinks whatever sits at a name it needs. Here an entry
//! under a hash-link name that is not a link (a regular file, a directory) is never touched:
//! its number is skipped, with a warning, unless it is a copy `--copy` wrote (it starts with
//! [`crate::COPY_MARKER`] and its bytes are the copy of a candidate file here): copies are
//! managed like links, with or without `--copy`. A user's file is never taken for a copy, even
//! byte-identical to a certificate. With `--copy`, links are replaced by copies, and copies
//! (marked) of nothing current are removed.

use crate::content::{Content, has_candidate_extension};
use crate::{Entry, EntryKind, Hashes, Listing, Options};
use cabundle_cert::{ObjectKind, Sha1Fingerprint, SubjectHash};
use std::collections::{BTreeSet, HashMap};
use std::ffi::{OsStr, OsString};
use std::fmt;

/// OpenSSL keeps at most this many objects per hash.
const MAX_COLLISIONS: u16 = 256;
/// Number of slots in OpenSSL's bucket table; it fixes the order in which hashes are handled.
const TABLE_SLOTS: u32 = 257;

/// A hash-link name: `hhhhhhhh.N` or `hhhhhhhh.rN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkName {
    /// Certificate (`.N`) or CRL (`.rN`).
    pub kind: ObjectKind,
    /// The hash.
    pub hash: SubjectHash,
    /// The number (OpenSSL keeps it in 16 bits).
    pub id: u16,
}

impl LinkName {
    /// A key for maps and sets (`ObjectKind` is neither `Hash` nor `Ord`).
    fn key(&self) -> (bool, u32, u16) {
        (self.kind == ObjectKind::Crl, self.hash.0, self.id)
    }
}

impl fmt::Display for LinkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = if self.kind == ObjectKind::Crl {
            "r"
        } else {
            ""
        };
        write!(f, "{}.{r}{}", self.hash, self.id)
    }
}

/// Reads a hash-link name as OpenSSL's `handle_symlink` does: eight hex digits in either
/// case, a dot, an optional `r`/`R`, then a number as `strtoul` reads it (so `.` alone is
/// number 0, and the value is cut to 16 bits).
pub fn parse_link_name(name: &[u8]) -> Option<LinkName> {
    if name.len() < 9 || name[8] != b'.' {
        return None;
    }
    let hex = std::str::from_utf8(&name[..8]).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hash = SubjectHash(u32::from_str_radix(hex, 16).ok()?);
    let mut rest = &name[9..];
    let kind = match rest.first() {
        Some(b'r' | b'R') => {
            rest = &rest[1..];
            ObjectKind::Crl
        }
        _ => ObjectKind::Certificate,
    };
    Some(LinkName {
        kind,
        hash,
        id: strtoul_u16(rest)?,
    })
}

/// `strtoul(s, &end, 10)` with `*end == '\0'` required, cut to `unsigned short`.
fn strtoul_u16(s: &[u8]) -> Option<u16> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() {
        // No digits: strtoul consumes nothing, so the whole rest must be empty.
        return s.is_empty().then_some(0);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &d in digits {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    // Truncation to OpenSSL's `unsigned short old_id` is the point here.
    Some((value & 0xffff) as u16)
}

/// What is at a link name now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Existing {
    /// A symbolic link with this target.
    Link(OsString),
    /// A regular file (a copy, with `--copy`).
    Copy,
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The link is right already; nothing is done.
    Keep {
        /// The link.
        link: LinkName,
        /// The file it points to.
        target: OsString,
    },
    /// Create the link (replacing what is at its name, if anything).
    Link {
        /// The link.
        link: LinkName,
        /// The file it must point to.
        target: OsString,
        /// What is at the name now, to be replaced.
        replaces: Option<Existing>,
    },
    /// Remove a link no longer needed.
    Remove {
        /// The link.
        link: LinkName,
        /// What it points to now.
        target: OsString,
    },
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Shown only with `-v` (OpenSSL says nothing).
    Info,
    /// A warning; the exit code stays 0.
    Warning,
    /// An error; counted in the exit code like OpenSSL's error count.
    Error,
}

/// What a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// Same SHA-1 as an object already linked.
    Duplicate(ObjectKind),
    /// Zero or several certificates/CRLs in the file.
    NotExactlyOne {
        /// How many records.
        count: usize,
    },
    /// Not a regular file, or larger than the input cap: skipped unread.
    NotRegular {
        /// What it is, or its size and the cap.
        reason: String,
    },
    /// The file could not be read.
    CannotOpen {
        /// The operating-system error.
        reason: String,
    },
    /// The file is not valid PEM or holds a block that does not decode.
    Unparsable {
        /// What was wrong.
        reason: String,
    },
    /// A certificate or CRL in the file is one OpenSSL cannot load; linking it would stop
    /// OpenSSL's lookups at it, so the file is skipped (OpenSSL skips it silently).
    Unloadable {
        /// Which block, and why.
        reason: String,
    },
    /// The only record in the file is a private key.
    NoCertificateOrCrl,
    /// More than 256 objects share one hash.
    Overflow,
    /// A hash-link name is taken by something that is not a link; its number was skipped.
    NotALink {
        /// The name left alone.
        link: LinkName,
    },
}

/// A warning or error about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The file name it concerns (within the directory).
    pub file: OsString,
    /// What happened.
    pub kind: DiagnosticKind,
}

impl fmt::Display for Diagnostic {
    /// The message without the directory: callers prefix the path they show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.to_string_lossy();
        match &self.kind {
            DiagnosticKind::Duplicate(kind) => {
                let what = if *kind == ObjectKind::Crl {
                    "CRL"
                } else {
                    "certificate"
                };
                write!(f, "skipping duplicate {what} in {file}")
            }
            DiagnosticKind::NotExactlyOne { count } => write!(
                f,
                "skipping {file}, it does not contain exactly one certificate or CRL (found {count})"
            ),
            DiagnosticKind::CannotOpen { reason } => {
                write!(f, "skipping {file}, cannot open file: {reason}")
            }
            DiagnosticKind::Unparsable { reason } => write!(f, "skipping {file}: {reason}"),
            DiagnosticKind::NotRegular { reason } => write!(f, "skipping {file}: {reason}"),
            DiagnosticKind::Unloadable { reason } => {
                write!(f, "skipping {file}, OpenSSL cannot load it: {reason}")
            }
            DiagnosticKind::NoCertificateOrCrl => {
                write!(
                    f,
                    "skipping {file}, it holds a private key but no certificate or CRL"
                )
            }
            DiagnosticKind::Overflow => write!(f, "hash table overflow for {file}"),
            DiagnosticKind::NotALink { link } => {
                write!(
                    f,
                    "not replacing {link}: it is not a symbolic link; number {} skipped",
                    link.id
                )
            }
        }
    }
}

/// What [`plan`] decided for a directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The steps, in OpenSSL's order.
    pub actions: Vec<Action>,
    /// Warnings and errors, in OpenSSL's order.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether links are written as copies.
    pub copy: bool,
}

impl Plan {
    /// The actions that change the directory (links to create or remove).
    pub fn changes(&self) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(|a| !matches!(a, Action::Keep { .. }))
    }

    /// Whether applying the plan would change nothing.
    pub fn is_unchanged(&self) -> bool {
        self.changes().next().is_none()
    }

    /// How many errors OpenSSL would count before making changes.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

struct HashEntry {
    target: OsString,
    old_id: u16,
    need_link: bool,
    digest: Option<Sha1Fingerprint>,
}

struct Bucket {
    kind: ObjectKind,
    hash: SubjectHash,
    seq: usize,
    entries: Vec<HashEntry>,
    num_needed: u16,
}

#[derive(Default)]
struct Table {
    buckets: Vec<Bucket>,
    index: HashMap<(bool, u32), usize>,
}

enum Added {
    Ok,
    Duplicate,
    Overflow,
}

impl Table {
    /// OpenSSL's `add_entry`.
    fn add(
        &mut self,
        kind: ObjectKind,
        hash: SubjectHash,
        target: OsString,
        digest: Option<Sha1Fingerprint>,
        old_id: u16,
    ) -> Added {
        let next = self.buckets.len();
        let b = *self
            .index
            .entry((kind == ObjectKind::Crl, hash.0))
            .or_insert(next);
        if b == next {
            self.buckets.push(Bucket {
                kind,
                hash,
                seq: next,
                entries: Vec::new(),
                num_needed: 0,
            });
        }
        let bucket = &mut self.buckets[b];
        let mut found = None;
        for (i, e) in bucket.entries.iter().enumerate() {
            if digest.is_some() && e.digest == digest {
                return Added::Duplicate;
            }
            if e.target == target {
                found = Some(i);
                if digest.is_none() {
                    break;
                }
            }
        }
        let i = match found {
            Some(i) => i,
            None => {
                if bucket.num_needed >= MAX_COLLISIONS {
                    return Added::Overflow;
                }
                bucket.entries.push(HashEntry {
                    target,
                    old_id: u16::MAX,
                    need_link: false,
                    digest: None,
                });
                bucket.entries.len() - 1
            }
        };
        let e = &mut bucket.entries[i];
        e.old_id = e.old_id.min(old_id);
        if digest.is_some() && !e.need_link {
            e.need_link = true;
            e.digest = digest;
            bucket.num_needed += 1;
        }
        Added::Ok
    }
}

/// Decides what to do in a directory. Pure: see the module documentation for the rules.
pub fn plan(listing: &Listing, options: &Options) -> Plan {
    let mut entries: Vec<&Entry> = listing.entries.iter().collect();
    entries.sort_by(|a, b| a.name.as_encoded_bytes().cmp(b.name.as_encoded_bytes()));

    // A copy stands for the first file (by name) whose copy it is, with or without --copy:
    // a directory written with --copy is recognised by a plain run too.
    let mut by_bytes: HashMap<[u8; 20], &OsStr> = HashMap::new();
    {
        for e in &entries {
            if let EntryKind::File {
                content: Some(Content::Object(_)),
                bytes_sha1: Some(d),
            } = &e.kind
            {
                by_bytes.entry(*d).or_insert(&e.name);
            }
        }
    }

    let mut table = Table::default();
    let mut diagnostics = Vec::new();
    let mut existing: HashMap<(bool, u32, u16), Existing> = HashMap::new();
    // What each recognised copy is a copy of.
    let mut copy_of: HashMap<(bool, u32, u16), OsString> = HashMap::new();
    let mut stale_copies: Vec<(LinkName, OsString)> = Vec::new();
    let mut not_links: BTreeSet<(bool, u32, u16)> = BTreeSet::new();
    let diag = |severity, file: &OsStr, kind| Diagnostic {
        severity,
        file: file.to_owned(),
        kind,
    };

    for e in &entries {
        let name = e.name.as_encoded_bytes();
        let link = parse_link_name(name);
        let content = match &e.kind {
            EntryKind::Symlink { target, content } => {
                if let (Some(link), Some(target)) = (link, target) {
                    existing.insert(link.key(), Existing::Link(target.clone()));
                    let t = target.clone();
                    if let Added::Ok = table.add(link.kind, link.hash, t, None, link.id) {
                        continue;
                    }
                }
                content
            }
            EntryKind::File {
                content,
                bytes_sha1,
            } => {
                if let Some(link) = link {
                    match bytes_sha1.and_then(|d| by_bytes.get(&d)) {
                        Some(file) => {
                            // A copy of a file here, made by --copy: managed like a link.
                            existing.insert(link.key(), Existing::Copy);
                            copy_of.insert(link.key(), (*file).to_owned());
                            let t = (*file).to_owned();
                            if let Added::Ok = table.add(link.kind, link.hash, t, None, link.id) {
                                continue;
                            }
                        }
                        None if options.copy && bytes_sha1.is_some() => {
                            // A copy (it has the marker) of nothing current: not kept,
                            // whatever its number.
                            existing.insert(link.key(), Existing::Copy);
                            stale_copies.push((link, e.name.clone()));
                            continue;
                        }
                        None => {
                            not_links.insert(link.key());
                        }
                    }
                }
                content
            }
            EntryKind::Other { content } => {
                if let Some(link) = link {
                    not_links.insert(link.key());
                }
                content
            }
        };
        if !has_candidate_extension(name, options.der) {
            continue;
        }
        let Some(content) = content else { continue };
        let obj = match content {
            Content::Object(obj) => obj,
            Content::NotExactlyOne { count } => {
                let kind = DiagnosticKind::NotExactlyOne { count: *count };
                diagnostics.push(diag(Severity::Warning, &e.name, kind));
                continue;
            }
            Content::Unparsable { reason } => {
                let kind = DiagnosticKind::Unparsable {
                    reason: reason.clone(),
                };
                diagnostics.push(diag(Severity::Info, &e.name, kind));
                continue;
            }
            Content::Unloadable { reason } => {
                let kind = DiagnosticKind::Unloadable {
                    reason: reason.clone(),
                };
                diagnostics.push(diag(Severity::Warning, &e.name, kind));
                continue;
            }
            Content::NoCertificateOrCrl => {
                diagnostics.push(diag(
                    Severity::Error,
                    &e.name,
                    DiagnosticKind::NoCertificateOrCrl,
                ));
                continue;
            }
            Content::NotRegular { reason } => {
                let kind = DiagnosticKind::NotRegular {
                    reason: reason.clone(),
                };
                diagnostics.push(diag(Severity::Warning, &e.name, kind));
                continue;
            }
            Content::Unreadable { reason } => {
                let kind = DiagnosticKind::CannotOpen {
                    reason: reason.clone(),
                };
                diagnostics.push(diag(Severity::Error, &e.name, kind));
                continue;
            }
        };
        let hashes: &[SubjectHash] = match options.hashes {
            Hashes::New => &[obj.hash],
            Hashes::Old => &[obj.hash_old],
            Hashes::Both => &[obj.hash, obj.hash_old],
        };
        for &hash in hashes {
            let t = e.name.clone();
            match table.add(obj.kind, hash, t, Some(obj.sha1), u16::MAX) {
                Added::Ok => {}
                Added::Duplicate => {
                    let kind = DiagnosticKind::Duplicate(obj.kind);
                    diagnostics.push(diag(Severity::Warning, &e.name, kind));
                }
                Added::Overflow => {
                    diagnostics.push(diag(Severity::Error, &e.name, DiagnosticKind::Overflow));
                }
            }
        }
    }

    // OpenSSL walks its table slot by slot; within a slot, the newest bucket comes first.
    let mut buckets = table.buckets;
    buckets.sort_by_key(|b| {
        let kind = u32::from(b.kind == ObjectKind::Crl);
        (
            kind.wrapping_add(b.hash.0) % TABLE_SLOTS,
            std::cmp::Reverse(b.seq),
        )
    });

    let mut actions = Vec::new();
    for bucket in buckets {
        let link = |id| LinkName {
            kind: bucket.kind,
            hash: bucket.hash,
            id,
        };
        let mut used: BTreeSet<u16> = bucket
            .entries
            .iter()
            .filter(|e| e.old_id < bucket.num_needed)
            .map(|e| e.old_id)
            .collect();
        let mut next_id: u16 = 0;
        for e in bucket.entries {
            let target = e.target;
            if e.old_id < bucket.num_needed {
                let l = link(e.old_id);
                match existing.get(&l.key()) {
                    // --copy turns a link to a current file into a copy of it.
                    Some(replaces @ Existing::Link(_)) if options.copy && e.digest.is_some() => {
                        actions.push(Action::Link {
                            link: l,
                            target,
                            replaces: Some(replaces.clone()),
                        });
                    }
                    _ => actions.push(Action::Keep { link: l, target }),
                }
            } else if e.need_link {
                loop {
                    if not_links.contains(&link(next_id).key()) {
                        let kind = DiagnosticKind::NotALink {
                            link: link(next_id),
                        };
                        diagnostics.push(diag(Severity::Warning, &target, kind));
                        used.insert(next_id);
                    }
                    if !used.contains(&next_id) {
                        break;
                    }
                    next_id = next_id.saturating_add(1);
                }
                let l = link(next_id);
                let replaces = existing.get(&l.key()).cloned();
                // OpenSSL re-creates a link that is already right when its number was not
                // reused (a lower number is held by a link it keeps); that would never let
                // `--check` pass, so a link or copy already right is kept.
                let already = match &replaces {
                    Some(Existing::Link(now)) => !options.copy && *now == target,
                    Some(Existing::Copy) => copy_of.get(&l.key()) == Some(&target),
                    None => false,
                };
                if already {
                    actions.push(Action::Keep { link: l, target });
                } else {
                    actions.push(Action::Link {
                        link: l,
                        target,
                        replaces,
                    });
                }
                used.insert(next_id);
            } else if options.remove_links {
                actions.push(Action::Remove {
                    link: link(e.old_id),
                    target,
                });
            }
        }
    }
    if options.remove_links {
        let used: BTreeSet<(bool, u32, u16)> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Keep { link, .. } | Action::Link { link, .. } => Some(link.key()),
                Action::Remove { .. } => None,
            })
            .collect();
        for (link, target) in stale_copies {
            if !used.contains(&link.key()) {
                actions.push(Action::Remove { link, target });
            }
        }
    }
    Plan {
        actions,
        diagnostics,
        copy: options.copy,
    }
}

#[cfg(test)]
mod tests;

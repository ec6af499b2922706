//! `cargo xtask refresh`: fetches the latest report (and, for a recipe with intermediates, the
//! latest intermediates report), and when one differs from a bundle's lock, pins it (as of
//! today, UTC), regenerates the bundle's listing and `SHA256SUMS`, and prints release notes in
//! Markdown on stdout (the body of the refresh pull request).
//!
//! Each pin moves only when its own bytes changed: a new intermediates report beside an
//! unchanged roots report keeps the roots' fetched date. The as-of date of the build (and of
//! the intermediates' selection) is the newest pin's date.
//!
//! The lock, the listing and `SHA256SUMS` are written as one all-or-nothing set
//! ([`build_bundle::write_generated`]): a killed refresh leaves the lock old or new, and never a
//! listing or checksums of the other version beside it.

use crate::build_bundle::{self, Common};
use crate::outputs::sha256_hex;
use crate::recipe;
use anyhow::{Context, Result};
use cabundle_build::Bundle;
use cabundle_build::recipe::{Lock, LockSource};
use cabundle_cert::date::{format_date, parse_date};
use cabundle_diff::{Diff, DiffOptions, IntermediateSet, IntermediatesDiff, RootSet};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The usage text.
pub const USAGE: &str = "\
usage: cargo xtask refresh [NAME...] [--source FILE] [--intermediates-source FILE]
                           [--as-of YYYY-MM-DD] [--source-dir DIR]...
                           [--bundles-dir DIR] [--cache-dir DIR]

Fetches the latest report from each lock's URL (and, for a recipe with intermediates, the
latest intermediates report); where one differs from the lock, updates bundles/NAME/lock.toml,
listing.txt and SHA256SUMS, and prints release notes (Markdown) on stdout. Nothing changes
when the reports are the ones already pinned.

  --source FILE      use this file instead of downloading (tests, offline use)
  --intermediates-source FILE
                     use this intermediates report instead of downloading
  --as-of DATE       the fetch date to pin (default: today, UTC)
  --source-dir DIR   where to find the previously pinned source, for the release notes
  --bundles-dir DIR  the folder of bundle recipes (default: bundles/ of the workspace)
  --cache-dir DIR    the source cache (the new source is stored there for build-bundle)";

/// Roots expiring within this many days of the as-of date are named in the notes.
const EXPIRING_DAYS: u32 = 90;

/// Runs the task.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let (common, rest) =
        build_bundle::parse_common(args, &["--source=", "--intermediates-source=", "--as-of="])?;
    let mut source_file = None;
    let mut intermediates_file = None;
    let mut as_of = None;
    for (flag, value) in rest {
        let value = value.unwrap_or_default();
        match flag.as_str() {
            "--source" => source_file = Some(PathBuf::from(value)),
            "--intermediates-source" => intermediates_file = Some(PathBuf::from(value)),
            _ => {
                as_of = Some(parse_date(&value).context("--as-of")?);
            }
        }
    }
    // The xtask is an edge: reading the clock is allowed here, and only here.
    let as_of = as_of.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let bundles = recipe::load_all(&common.bundles_dir, &common.names)?;

    let mut fetched: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut notes = String::new();
    // Report-level changes, once per (previous, new) pair of reports.
    let mut report_changes: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut changed = 0;
    let mut intermediates_changes: BTreeMap<(String, String), String> = BTreeMap::new();
    for bundle in &bundles {
        let url = bundle.lock.source.url.clone();
        if !fetched.contains_key(&url) {
            let bytes = match &source_file {
                Some(file) => fs_err::read(file)?,
                None => download(&url, "report", "--source")?,
            };
            fetched.insert(url.clone(), bytes);
        }
        let new_sha = sha256_hex(&fetched[&url]);
        let roots_changed = new_sha != bundle.lock.source.sha256.to_string();

        // A recipe with intermediates: the latest intermediates report, from the lock's URL
        // (or the CCADB's, for a recipe whose lock does not pin one yet).
        let intermediates = match &bundle.recipe.intermediates {
            None => None,
            Some(_) => {
                let url = bundle.lock.intermediates.as_ref().map_or_else(
                    || cabundle_fetch::DEFAULT_INTERMEDIATES_URL.to_owned(),
                    |pin| pin.url.clone(),
                );
                if !fetched.contains_key(&url) {
                    let bytes = match &intermediates_file {
                        Some(file) => fs_err::read(file)?,
                        None => download(&url, "intermediates report", "--intermediates-source")?,
                    };
                    fetched.insert(url.clone(), bytes);
                }
                Some(url)
            }
        };
        let intermediates_changed = intermediates.as_ref().is_some_and(|url| {
            let sha = sha256_hex(&fetched[url]);
            bundle
                .lock
                .intermediates
                .as_ref()
                .is_none_or(|pin| pin.sha256.to_string() != sha)
        });
        // A source that did not change is the pinned one: keep it in the cache beside the
        // new ones, so that a build from the cache alone finds every pin.
        if !roots_changed {
            common.lookup.store(&bundle.lock.source, &fetched[&url])?;
        }
        if let (Some(inter_url), Some(pin), false) = (
            &intermediates,
            &bundle.lock.intermediates,
            intermediates_changed,
        ) {
            common.lookup.store(pin, &fetched[inter_url])?;
        }
        if !roots_changed && !intermediates_changed {
            if interrupted(&bundle.dir)? {
                let (built, _) = build_bundle::build_one(&common.lookup, bundle)?;
                build_bundle::write_generated(&bundle.dir, None, &built.rendered)?;
                eprintln!(
                    "{}: wrote the listing and checksums an interrupted run left out",
                    bundle.name
                );
            }
            eprintln!(
                "{}: the pinned sources are the latest ({new_sha})",
                bundle.name
            );
            continue;
        }
        changed += 1;
        let new_bytes = &fetched[&url];
        let new_intermediates = intermediates
            .as_ref()
            .map(|url| (url.as_str(), fetched[url].as_slice()));
        let notes_of = refresh_one(
            &common,
            bundle,
            roots_changed.then_some(new_bytes.as_slice()),
            new_intermediates.filter(|_| intermediates_changed),
            as_of,
        )?;
        notes.push_str(&notes_of.bundle);
        if let Some(report) = notes_of.report {
            let old_sha = bundle.lock.source.sha256.to_string();
            report_changes.entry((old_sha, new_sha)).or_insert(report);
        }
        if let Some((key, text)) = notes_of.intermediates {
            intermediates_changes.entry(key).or_insert(text);
        }
    }
    if changed == 0 {
        eprintln!("nothing to refresh");
    } else {
        for ((old, new), text) in report_changes {
            let _ = writeln!(
                notes,
                "## Changes in the report\n\nFrom `{old}` to `{new}`.\n"
            );
            notes.push_str(&text);
        }
        for ((old, new), text) in intermediates_changes {
            let _ = writeln!(
                notes,
                "## Changes in the intermediates report\n\nFrom `{old}` to `{new}`.\n"
            );
            notes.push_str(&text);
        }
        print!("{notes}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether an interrupted refresh or build left its mark in a bundle folder: a missing
/// listing or checksums file (the lock is never missing), or a temporary name beside one of
/// the generated files, which the next write of them removes.
fn interrupted(dir: &Path) -> Result<bool> {
    let generated = [recipe::LOCK, recipe::SUMS, recipe::LISTING];
    if !generated[1..].iter().all(|f| dir.join(f).is_file()) {
        return Ok(true);
    }
    for entry in fs_err::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if generated
            .iter()
            .any(|g| cabundle_write::is_leftover_of(&name, g))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Downloads the latest `what` (a report) from `url`; `flag` is the option that replaces it.
fn download(url: &str, what: &str, flag: &str) -> Result<Vec<u8>> {
    let fetched =
        cabundle_fetch::fetch(url, &cabundle_fetch::FetchOptions::default()).map_err(|err| {
            anyhow::anyhow!(
                "cannot download the latest {what}: {err}\n\
             hint: the network may be unreachable; pass `{flag} FILE` to refresh from a local copy"
            )
        })?;
    Ok(fetched.body)
}

/// The notes of one refreshed bundle.
struct Notes {
    /// The bundle's section.
    bundle: String,
    /// The roots report's changes, when it changed.
    report: Option<String>,
    /// The intermediates report's changes, when it changed, by (old, new) SHA-256.
    intermediates: Option<((String, String), String)>,
}

/// Pins the new bytes of one bundle's changed sources (`new_roots`, and `new_intermediates`
/// with its URL), rewrites its generated files, and returns its notes.
fn refresh_one(
    common: &Common,
    bundle: &Bundle,
    new_roots: Option<&[u8]>,
    new_intermediates: Option<(&str, &[u8])>,
    as_of: time::Date,
) -> Result<Notes> {
    let old_lock = bundle.lock.clone();
    let pin = |url: &str, bytes: &[u8]| -> Result<LockSource> {
        Ok(LockSource::new(
            url.to_owned(),
            sha256_hex(bytes).parse()?,
            bytes.len() as u64,
            as_of,
        ))
    };
    let mut new_lock = Lock::new(match new_roots {
        Some(bytes) => pin(&old_lock.source.url, bytes)?,
        None => old_lock.source.clone(),
    });
    let intermediates_pin = match (new_intermediates, &old_lock.intermediates) {
        (Some((url, bytes)), _) => Some(pin(url, bytes)?),
        (None, old) => old.clone(),
    };
    if let Some(p) = &intermediates_pin {
        new_lock = new_lock.with_intermediates(p.clone());
    }
    let mut updated = bundle.clone();
    updated.lock = new_lock.clone();
    // Build first: a report the pipeline rejects leaves the lock as it was.
    if let Some(bytes) = new_roots {
        common.lookup.store(&new_lock.source, bytes)?;
    }
    if let (Some((_, bytes)), Some(p)) = (new_intermediates, &new_lock.intermediates) {
        common.lookup.store(p, bytes)?;
    }
    let (built, _) = build_bundle::build_one(&common.lookup, &updated)?;
    let old_listing = fs_err::read_to_string(bundle.dir.join(recipe::LISTING)).unwrap_or_default();

    // One set: a kill leaves the lock old or new, and never a listing or checksums of the
    // other version beside it.
    build_bundle::write_generated(&bundle.dir, Some(&new_lock.to_toml()?), &built.rendered)?;
    let mut pinned = vec![(&new_lock.source, new_roots.is_some())];
    if let Some(p) = &new_lock.intermediates {
        pinned.push((p, new_intermediates.is_some()));
    }
    for (source, _) in pinned.iter().filter(|(_, moved)| *moved) {
        eprintln!(
            "{}: pinned {} ({} bytes) as of {}",
            bundle.name,
            source.sha256,
            source.size,
            format_date(as_of)
        );
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {}: {}\n",
        bundle.name,
        crate::outputs::one_line(&bundle.recipe.description)
    );
    let _ = writeln!(
        out,
        "Source {} as of {}: `{}` (was `{}`, as of {}).\n",
        new_lock.source.url,
        format_date(new_lock.source.fetched),
        new_lock.source.sha256,
        old_lock.source.sha256,
        format_date(old_lock.source.fetched)
    );
    if let Some(p) = &new_lock.intermediates {
        let was = old_lock.intermediates.as_ref().map_or_else(
            || "none pinned before".to_owned(),
            |o| format!("was `{}`, as of {}", o.sha256, format_date(o.fetched)),
        );
        let _ = writeln!(
            out,
            "Intermediates {} as of {}: `{}` ({was}).\n",
            p.url,
            format_date(p.fetched),
            p.sha256
        );
    }
    let (added, removed) = listing_changes(&old_listing, &built.rendered.listing);
    let _ = writeln!(
        out,
        "{} roots included, {} excluded.\n",
        built.included, built.excluded
    );
    section(
        &mut out,
        "Added to the bundle",
        added
            .iter()
            .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
    );
    section(
        &mut out,
        "Removed from the bundle",
        removed
            .iter()
            .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
    );
    if let Some(i) = &built.intermediates {
        let (added, removed) = intermediates_changes(&old_listing, &built.rendered.listing);
        let _ = writeln!(
            out,
            "{} intermediates selected, {} left out.\n",
            i.selected, i.left_out
        );
        section(
            &mut out,
            "Intermediates added to the bundle",
            added
                .iter()
                .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
        );
        section(
            &mut out,
            "Intermediates removed from the bundle",
            removed
                .iter()
                .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
        );
    }

    let report = match new_roots {
        None => None,
        Some(new_bytes) => {
            let mut report = String::new();
            match common.lookup.find(&old_lock.source) {
                Ok((old_bytes, _)) => {
                    let old =
                        RootSet::from_bytes(&old_bytes).context("the previously pinned report")?;
                    let new = RootSet::from_bytes(new_bytes).context("the new report")?;
                    let diff = cabundle_diff::diff(
                        &old,
                        &new,
                        &DiffOptions {
                            as_of,
                            expiring_within_days: EXPIRING_DAYS,
                        },
                    );
                    report_notes(&mut report, &diff);
                }
                Err(err) => {
                    eprintln!(
                        "warning: the previously pinned report is not available, so the notes list bundle changes only: {err:#}"
                    );
                    let _ = writeln!(
                        report,
                        "The previously pinned report was not available: its changes are not listed.\n"
                    );
                }
            }
            Some(report)
        }
    };

    let intermediates = match (
        new_intermediates,
        &old_lock.intermediates,
        &new_lock.intermediates,
    ) {
        (Some((_, new_bytes)), Some(old_pin), Some(new_pin)) => {
            let mut text = String::new();
            match common.lookup.find(old_pin) {
                Ok((old_bytes, _)) => {
                    let old = IntermediateSet::from_bytes(&old_bytes)
                        .context("the previously pinned intermediates report")?;
                    let new = IntermediateSet::from_bytes(new_bytes)
                        .context("the new intermediates report")?;
                    intermediates_notes(&mut text, &cabundle_diff::diff_intermediates(&old, &new));
                }
                Err(err) => {
                    eprintln!(
                        "warning: the previously pinned intermediates report is not available, so the notes list bundle changes only: {err:#}"
                    );
                    let _ = writeln!(
                        text,
                        "The previously pinned intermediates report was not available: its changes are not listed.\n"
                    );
                }
            }
            Some((
                (old_pin.sha256.to_string(), new_pin.sha256.to_string()),
                text,
            ))
        }
        _ => None,
    };
    Ok(Notes {
        bundle: out,
        report,
        intermediates,
    })
}

/// The intermediates report's part of the notes.
pub fn intermediates_notes(out: &mut String, diff: &IntermediatesDiff) {
    for (title, list) in [
        ("Intermediates added", &diff.added),
        ("Intermediates removed", &diff.removed),
    ] {
        section(
            out,
            title,
            list.iter()
                .map(|i| format!("{} (issuer {}) (`{}`)", i.subject, i.issuer, i.sha256)),
        );
    }
}

/// The report-level part of the notes.
pub fn report_notes(out: &mut String, diff: &Diff) {
    section(
        out,
        "Roots added",
        diff.added
            .iter()
            .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
    );
    section(
        out,
        "Roots removed",
        diff.removed
            .iter()
            .map(|r| format!("{} (`{}`)", r.label, r.sha256)),
    );
    section(
        out,
        "Trust bits changed",
        diff.trust_changed.iter().map(|c| {
            format!(
                "{}: {} → {} (`{}`)",
                c.label,
                bits(&c.old),
                bits(&c.new),
                c.sha256
            )
        }),
    );
    section(
        out,
        "Distrust dates set or changed",
        diff.distrust_changed.iter().map(|c| {
            let date = |d: &Option<time::Date>| d.map_or_else(|| "none".to_owned(), format_date);
            format!(
                "{}: {} distrust after {} → {} (`{}`)",
                c.label,
                c.purpose,
                date(&c.old),
                date(&c.new),
                c.sha256
            )
        }),
    );
    section(
        out,
        &format!("Expiring within {} days", diff.expiring_within_days),
        diff.expiring.iter().map(|e| {
            format!(
                "{}: not after {} ({} days) (`{}`)",
                e.label,
                format_date(e.not_after),
                e.days_left,
                e.sha256
            )
        }),
    );
}

fn bits(b: &[String]) -> String {
    if b.is_empty() {
        "none".to_owned()
    } else {
        b.join(", ")
    }
}

fn section(out: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title} ({})\n", items.len());
    for item in items {
        let _ = writeln!(out, "- {item}");
    }
    out.push('\n');
}

/// A root named in a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// SHA-256 fingerprint, lower-case hex.
    pub sha256: String,
    /// The report's name for the root.
    pub label: String,
}

/// The entries of one section of a listing: the lines after the heading starting with
/// `heading` (`# included:`), up to the next heading. Each line is `SHA-256 HASH LABEL`.
fn listed(listing: &str, heading: &str) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut on = false;
    for line in listing.lines() {
        if line.starts_with('#') {
            on = line.starts_with(heading);
        } else if on && !line.is_empty() {
            let mut parts = line.splitn(3, ' ');
            if let (Some(sha256), Some(_subject_hash), Some(label)) =
                (parts.next(), parts.next(), parts.next())
            {
                out.push(Listed {
                    sha256: sha256.to_owned(),
                    label: label.to_owned(),
                });
            }
        }
    }
    out
}

/// Entries in `new` and not in `old`, and the reverse, by SHA-256.
fn changes(old: &[Listed], new: &[Listed]) -> (Vec<Listed>, Vec<Listed>) {
    let only = |a: &[Listed], b: &[Listed]| -> Vec<Listed> {
        a.iter()
            .filter(|r| !b.iter().any(|o| o.sha256 == r.sha256))
            .cloned()
            .collect()
    };
    (only(new, old), only(old, new))
}

/// Roots added to and removed from a bundle, from its old and new listings.
pub fn listing_changes(old: &str, new: &str) -> (Vec<Listed>, Vec<Listed>) {
    changes(&listed(old, "# included:"), &listed(new, "# included:"))
}

/// Intermediates added to and removed from a bundle (by subject), from its old and new
/// listings.
pub fn intermediates_changes(old: &str, new: &str) -> (Vec<Listed>, Vec<Listed>) {
    changes(
        &listed(old, "# intermediates:"),
        &listed(new, "# intermediates:"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(roots: &[(&str, &str)]) -> String {
        let mut s = String::from("# Generated\n\n# included: n roots\n");
        for (sha, label) in roots {
            s.push_str(&format!("{sha} 0000000a {label}\n"));
        }
        s.push_str("\n# excluded: 1 roots\nee Old Root: expired\n");
        s
    }

    fn check(old: &[(&str, &str)], new: &[(&str, &str)], added: &[&str], removed: &[&str]) {
        let (a, r) = listing_changes(&listing(old), &listing(new));
        assert_eq!(
            a.iter().map(|x| x.label.as_str()).collect::<Vec<_>>(),
            added
        );
        assert_eq!(
            r.iter().map(|x| x.label.as_str()).collect::<Vec<_>>(),
            removed
        );
    }

    #[test]
    fn bundle_changes() {
        check(&[("aa", "A")], &[("aa", "A")], &[], &[]);
        check(
            &[("aa", "A")],
            &[("aa", "A"), ("bb", "B Root CA")],
            &["B Root CA"],
            &[],
        );
        check(&[("aa", "A"), ("bb", "B")], &[("bb", "B")], &[], &["A"]);
        check(&[], &[("cc", "C")], &["C"], &[]);
        // An excluded root is not an added one.
        check(&[("aa", "A")], &[("aa", "A")], &[], &[]);
    }

    #[test]
    fn intermediates_sections_of_a_listing() {
        let listing = |ints: &[(&str, &str)]| {
            let mut s = listing(&[("aa", "A")]);
            s.push_str("\n# intermediates source: u\n\n# intermediates: n (SHA-256, subject hash, subject)\n");
            for (sha, subject) in ints {
                s.push_str(&format!("{sha} 0000000b {subject}\n"));
            }
            s.push_str(
                "\n# intermediates left out: 1 (SHA-256, subject: reason)\nff CN=Old: expired\n",
            );
            s
        };
        let (old, new) = (
            listing(&[("b1", "CN=B1, O=X"), ("b2", "CN=B2")]),
            listing(&[("b2", "CN=B2"), ("b3", "CN=B3")]),
        );
        let (added, removed) = intermediates_changes(&old, &new);
        let labels = |l: &[Listed]| l.iter().map(|x| x.label.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&added), ["CN=B3"]);
        assert_eq!(labels(&removed), ["CN=B1, O=X"]);
        // The roots' section is read apart from the intermediates'.
        assert_eq!(listing_changes(&old, &new), (vec![], vec![]));

        let fp = |b: u8| cabundle_diff::Sha256Fingerprint([b; 32]);
        let int = |b: u8, s: &str| cabundle_diff::IntermediateRef {
            subject: s.into(),
            issuer: "CN=R".into(),
            sha256: fp(b),
        };
        let diff = IntermediatesDiff {
            kind: "intermediates",
            added: vec![int(0xaa, "CN=New")],
            removed: vec![int(0xbb, "CN=Gone")],
        };
        let mut out = String::new();
        intermediates_notes(&mut out, &diff);
        for b in ["aa", "bb"] {
            out = out.replace(&b.repeat(32), b);
        }
        assert_eq!(
            out,
            "### Intermediates added (1)\n\n- CN=New (issuer CN=R) (`aa`)\n\n\
             ### Intermediates removed (1)\n\n- CN=Gone (issuer CN=R) (`bb`)\n\n"
        );
    }

    #[test]
    fn notes_sections() {
        let fp = |b: u8| cabundle_diff::Sha256Fingerprint([b; 32]);
        let date = |s: &str| parse_date(s).unwrap();
        let diff = Diff {
            as_of: date("2026-07-01"),
            expiring_within_days: 90,
            added: vec![cabundle_diff::RootRef {
                label: "New".into(),
                sha256: fp(0xaa),
            }],
            removed: vec![],
            trust_changed: vec![cabundle_diff::TrustChange {
                label: "T".into(),
                sha256: fp(0xbb),
                old: vec!["Websites".into(), "Email".into()],
                new: vec!["Email".into()],
            }],
            distrust_changed: vec![cabundle_diff::DistrustChange {
                label: "D".into(),
                sha256: fp(0xcc),
                purpose: "tls",
                old: None,
                new: Some(date("2026-09-01")),
            }],
            expiring: vec![cabundle_diff::Expiring {
                label: "E".into(),
                sha256: fp(0xdd),
                not_after: date("2026-08-01"),
                days_left: 31,
            }],
        };
        let mut out = String::new();
        report_notes(&mut out, &diff);
        for b in ["aa", "bb", "cc", "dd"] {
            out = out.replace(&b.repeat(32), b);
        }
        assert_eq!(
            out,
            "### Roots added (1)\n\n- New (`aa`)\n\n\
             ### Trust bits changed (1)\n\n- T: Websites, Email → Email (`bb`)\n\n\
             ### Distrust dates set or changed (1)\n\n- D: tls distrust after none → 2026-09-01 (`cc`)\n\n\
             ### Expiring within 90 days (1)\n\n- E: not after 2026-08-01 (31 days) (`dd`)\n\n"
        );
    }
}

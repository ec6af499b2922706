//! `cargo xtask refresh`: fetches the latest report, and when it differs from a bundle's
//! lock, pins it (as-of today, UTC), regenerates the bundle's listing and `SHA256SUMS`, and
//! prints release notes in Markdown on stdout (the body of the refresh pull request).

use crate::build_bundle::{self, Common};
use crate::outputs::sha256_hex;
use crate::recipe;
use anyhow::{Context, Result};
use cabundle_build::Bundle;
use cabundle_build::recipe::{Lock, LockSource};
use cabundle_cert::date::{format_date, parse_date};
use cabundle_diff::{Diff, DiffOptions, RootSet};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// The usage text.
pub const USAGE: &str = "\
usage: cargo xtask refresh [NAME...] [--source FILE] [--as-of YYYY-MM-DD] [--source-dir DIR]...
                           [--bundles-dir DIR] [--cache-dir DIR]

Fetches the latest report from each lock's URL; where it differs from the lock, updates
bundles/NAME/lock.toml, listing.txt and SHA256SUMS, and prints release notes (Markdown) on
stdout. Nothing changes when the report is the one already pinned.

  --source FILE      use this file instead of downloading (tests, offline use)
  --as-of DATE       the fetch date to pin (default: today, UTC)
  --source-dir DIR   where to find the previously pinned source, for the release notes
  --bundles-dir DIR  the folder of bundle recipes (default: bundles/ of the workspace)
  --cache-dir DIR    the source cache (the new source is stored there for build-bundle)";

/// Roots expiring within this many days of the as-of date are named in the notes.
const EXPIRING_DAYS: u32 = 90;

/// Runs the task.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let (common, rest) = build_bundle::parse_common(args, &["--source=", "--as-of="])?;
    let mut source_file = None;
    let mut as_of = None;
    for (flag, value) in rest {
        let value = value.unwrap_or_default();
        match flag.as_str() {
            "--source" => source_file = Some(PathBuf::from(value)),
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
    for bundle in &bundles {
        let url = bundle.lock.source.url.clone();
        if !fetched.contains_key(&url) {
            let bytes = match &source_file {
                Some(file) => fs_err::read(file)?,
                None => download(&url)?,
            };
            fetched.insert(url.clone(), bytes);
        }
        let new_bytes = &fetched[&url];
        let new_sha = sha256_hex(new_bytes);
        if new_sha == bundle.lock.source.sha256.to_string() {
            eprintln!(
                "{}: the pinned source is the latest ({new_sha})",
                bundle.name
            );
            continue;
        }
        changed += 1;
        let old_sha = bundle.lock.source.sha256.to_string();
        let (note, report) = refresh_one(&common, bundle, new_bytes, as_of)?;
        notes.push_str(&note);
        report_changes.entry((old_sha, new_sha)).or_insert(report);
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
        print!("{notes}");
    }
    Ok(ExitCode::SUCCESS)
}

fn download(url: &str) -> Result<Vec<u8>> {
    let fetched = cabundle_fetch::fetch(url, &cabundle_fetch::FetchOptions::default()).map_err(|err| {
        anyhow::anyhow!(
            "cannot download the latest report: {err}\n\
             hint: the network may be unreachable; pass `--source FILE` to refresh from a local copy"
        )
    })?;
    Ok(fetched.body)
}

/// Pins `new_bytes` for one bundle, rewrites its generated files, and returns its notes and
/// the notes on the report's changes.
fn refresh_one(
    common: &Common,
    bundle: &Bundle,
    new_bytes: &[u8],
    as_of: time::Date,
) -> Result<(String, String)> {
    let old_lock = bundle.lock.clone();
    let new_lock = Lock::new(LockSource::new(
        old_lock.source.url.clone(),
        sha256_hex(new_bytes).parse()?,
        new_bytes.len() as u64,
        as_of,
    ));
    let mut updated = bundle.clone();
    updated.lock = new_lock.clone();
    // Build first: a report the pipeline rejects leaves the lock as it was.
    common.lookup.store(&new_lock.source, new_bytes)?;
    let (built, _) = build_bundle::build_one(&common.lookup, &updated)?;
    let old_listing = fs_err::read_to_string(bundle.dir.join(recipe::LISTING)).unwrap_or_default();

    build_bundle::write_if_changed(
        &bundle.dir.join(recipe::LOCK),
        &recipe::render_lock(&new_lock),
    )?;
    build_bundle::write_if_changed(&bundle.dir.join(recipe::SUMS), &built.rendered.sums)?;
    build_bundle::write_if_changed(&bundle.dir.join(recipe::LISTING), &built.rendered.listing)?;
    eprintln!(
        "{}: pinned {} ({} bytes) as of {}",
        bundle.name,
        new_lock.source.sha256,
        new_lock.source.size,
        format_date(as_of)
    );

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

    let mut report = String::new();
    match common.lookup.find(&old_lock.source) {
        Ok((old_bytes, _)) => {
            let old = RootSet::from_bytes(&old_bytes).context("the previously pinned report")?;
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
    Ok((out, report))
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

/// Roots of the included section of a listing.
fn included(listing: &str) -> Vec<Listed> {
    let mut out = Vec::new();
    let mut on = false;
    for line in listing.lines() {
        if line.starts_with("# included:") {
            on = true;
        } else if line.starts_with("# excluded:") {
            on = false;
        } else if on && !line.is_empty() && !line.starts_with('#') {
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

/// Roots added to and removed from a bundle, from its old and new listings.
pub fn listing_changes(old: &str, new: &str) -> (Vec<Listed>, Vec<Listed>) {
    let (old, new) = (included(old), included(new));
    let added = new
        .iter()
        .filter(|r| !old.iter().any(|o| o.sha256 == r.sha256))
        .cloned()
        .collect();
    let removed = old
        .iter()
        .filter(|r| !new.iter().any(|o| o.sha256 == r.sha256))
        .cloned()
        .collect();
    (added, removed)
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

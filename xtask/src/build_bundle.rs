//! `cargo xtask build-bundle`: builds the published bundles from their recipes and locks,
//! byte for byte the same on any machine, and with `--check` compares them with what is
//! committed under `bundles/`.

use crate::outputs::{self, Rendered};
use crate::recipe;
use crate::source::{self, Lookup};
use anyhow::{Context, Result, bail};
use cabundle_build::{Bundle, OutputSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The usage text.
pub const USAGE: &str = "\
usage: cargo xtask build-bundle [NAME...] [--source-dir DIR]... [--out DIR] [--check]
                                [--bundles-dir DIR] [--cache-dir DIR]

Builds each bundle of bundles/ (or only those named) from its recipe and pinned sources, writes
the PEM bundle, CApath directory, manifest, listing, archive (and, for a recipe with
intermediates, the intermediates and full PEM bundles) to --out (default bundles/NAME/out) and
updates bundles/NAME/SHA256SUMS and bundles/NAME/listing.txt.

  --source-dir DIR   look for the pinned sources among the files of DIR (offline builds)
  --out DIR          write every bundle's outputs to DIR, with one SHA256SUMS for them all
  --check            build in a temporary folder and compare with the committed SHA256SUMS
                     and listing.txt; change nothing under bundles/ (exit 1 on a difference)
  --bundles-dir DIR  the folder of bundle recipes (default: bundles/ of the workspace)
  --cache-dir DIR    where downloaded sources are kept (default: $XDG_CACHE_HOME/cabundle/sources,
                     else target/cabundle-cache)";

/// Options shared by `build-bundle` and `refresh`.
#[derive(Clone, Debug)]
pub struct Common {
    /// Bundle names; empty means all.
    pub names: Vec<String>,
    /// The bundles folder.
    pub bundles_dir: PathBuf,
    /// Whether `bundles_dir` was given (it is then named in hints).
    pub bundles_dir_given: bool,
    /// Where sources are looked for.
    pub lookup: Lookup,
}

impl Common {
    /// The folder of a bundle as a user would type it.
    pub fn shown_dir(&self, name: &str) -> String {
        if self.bundles_dir_given {
            self.bundles_dir.join(name).display().to_string()
        } else {
            format!("bundles/{name}")
        }
    }

    /// `--source-dir` options to repeat in a hint.
    pub fn source_dir_args(&self) -> String {
        if self.lookup.source_dirs.is_empty() {
            return " --source-dir DIR".to_owned();
        }
        self.lookup
            .source_dirs
            .iter()
            .map(|d| format!(" --source-dir {}", d.display()))
            .collect()
    }
}

/// The workspace root (the parent of the xtask folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Task-specific options left after the common ones: flag and value.
pub type Extra = Vec<(String, Option<String>)>;

/// Parses the options common to both tasks; returns them and what is left.
pub fn parse_common(args: &[String], extra: &[&str]) -> Result<(Common, Extra)> {
    let root = workspace_root();
    let mut names = Vec::new();
    let mut bundles_dir = None;
    let mut source_dirs = Vec::new();
    let mut cache_dir = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |flag: &str| -> Result<String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .with_context(|| format!("`{flag}` needs a value")),
            }
        };
        match flag {
            "--bundles-dir" => bundles_dir = Some(PathBuf::from(value(flag)?)),
            "--source-dir" => source_dirs.push(PathBuf::from(value(flag)?)),
            "--cache-dir" => cache_dir = Some(PathBuf::from(value(flag)?)),
            f if extra.iter().any(|e| e.trim_end_matches('=') == f) => {
                let takes_value = extra
                    .iter()
                    .any(|e| e.ends_with('=') && e.trim_end_matches('=') == f);
                rest.push((
                    f.to_owned(),
                    if takes_value { Some(value(f)?) } else { None },
                ));
            }
            f if f.starts_with('-') => {
                bail!("unknown option `{f}`\nhint: run `cargo xtask help` for the usage")
            }
            name => names.push(name.to_owned()),
        }
    }
    for dir in &source_dirs {
        if !dir.is_dir() {
            bail!("--source-dir {} is not a folder", dir.display());
        }
    }
    let bundles_dir_given = bundles_dir.is_some();
    let common = Common {
        names,
        bundles_dir: bundles_dir.unwrap_or_else(|| root.join("bundles")),
        bundles_dir_given,
        lookup: Lookup {
            source_dirs,
            cache_dir: cache_dir.unwrap_or_else(|| source::default_cache_dir(&root)),
        },
    };
    Ok((common, rest))
}

/// Runs the task.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let (common, rest) = parse_common(args, &["--out=", "--check"])?;
    let mut out = None;
    let mut check = false;
    for (flag, value) in rest {
        match (flag.as_str(), value) {
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            _ => check = true,
        }
    }
    let bundles = recipe::load_all(&common.bundles_dir, &common.names)?;
    let mut built = Vec::new();
    for bundle in &bundles {
        let (rendered, found) = build_one(&common.lookup, bundle)?;
        let intermediates = match &rendered.intermediates {
            Some(i) => format!(
                "; {} intermediates selected, {} left out (source: {})",
                i.selected, i.left_out, i.found
            ),
            None => String::new(),
        };
        eprintln!(
            "built {}: {} roots included, {} excluded (source: {found}){intermediates}",
            bundle.name, rendered.included, rendered.excluded
        );
        built.push(rendered.rendered);
    }

    if check {
        let temp;
        let out_dir = match &out {
            Some(dir) => dir.clone(),
            None => {
                temp = tempfile::tempdir()?;
                temp.path().to_path_buf()
            }
        };
        write_outputs(&out_dir, &built)?;
        let mut stale = 0;
        for (bundle, r) in bundles.iter().zip(&built) {
            stale += check_one(&common, bundle, r)?;
        }
        if stale > 0 {
            return Ok(ExitCode::from(1));
        }
        eprintln!("bundles are up to date: {}", names(&bundles));
        return Ok(ExitCode::SUCCESS);
    }

    match &out {
        Some(dir) => write_outputs(dir, &built)?,
        None => {
            for (bundle, r) in bundles.iter().zip(&built) {
                write_outputs(&bundle.dir.join("out"), std::slice::from_ref(r))?;
            }
        }
    }
    for (bundle, r) in bundles.iter().zip(&built) {
        write_generated(&bundle.dir, None, r)?;
        let out_dir = out.clone().unwrap_or_else(|| bundle.dir.join("out"));
        eprintln!("wrote {} outputs to {}", bundle.name, out_dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A rendered bundle and its counts.
pub struct BuiltBundle {
    /// The outputs.
    pub rendered: Rendered,
    /// Roots included.
    pub included: usize,
    /// Roots excluded.
    pub excluded: usize,
    /// The intermediates, for a recipe with intermediates.
    pub intermediates: Option<BuiltIntermediates>,
}

/// The intermediates of a rendered bundle.
pub struct BuiltIntermediates {
    /// Intermediates selected.
    pub selected: usize,
    /// Intermediates left out.
    pub left_out: usize,
    /// Where the intermediates report was found.
    pub found: source::Found,
}

/// Finds the sources of one bundle and renders its outputs.
pub fn build_one(lookup: &Lookup, bundle: &Bundle) -> Result<(BuiltBundle, source::Found)> {
    let (bytes, found) = lookup
        .find(&bundle.lock.source)
        .with_context(|| format!("bundle `{}`", bundle.name))?;
    let pinned = bundle.intermediates_source().map_err(|err| {
        anyhow::anyhow!(
            "{err}\nhint: run `cargo xtask refresh {}` to pin the latest intermediates report",
            bundle.name
        )
    })?;
    let (release, intermediates_found) = match pinned {
        None => (
            cabundle_build::build_release(bundle, &bytes, &found.to_string())
                .with_context(|| format!("cannot build bundle `{}`", bundle.name))?,
            None,
        ),
        Some(pinned) => {
            let (inter, inter_found) = lookup
                .find(pinned)
                .with_context(|| format!("bundle `{}`: the intermediates report", bundle.name))?;
            let release = cabundle_build::build_release_with_intermediates(
                bundle,
                &bytes,
                &found.to_string(),
                &inter,
                &inter_found.to_string(),
            )
            .with_context(|| format!("cannot build bundle `{}`", bundle.name))?;
            (release, Some(inter_found))
        }
    };
    let rendered = outputs::render(&release, bundle.lock.as_of())?;
    let intermediates = match (release.intermediates(), intermediates_found) {
        (Some(selection), Some(found)) => {
            let selected = selection.selected().count();
            Some(BuiltIntermediates {
                selected,
                left_out: selection.decisions().len() - selected,
                found,
            })
        }
        _ => None,
    };
    Ok((
        BuiltBundle {
            rendered,
            included: release.included().len(),
            excluded: release.excluded().len(),
            intermediates,
        },
        found,
    ))
}

fn names(bundles: &[Bundle]) -> String {
    bundles
        .iter()
        .map(|b| b.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares one bundle's build with its committed files; prints each difference and the
/// command that fixes it. Returns the number of stale files.
fn check_one(common: &Common, bundle: &Bundle, r: &Rendered) -> Result<usize> {
    let mut stale = 0;
    for (file, built) in [(recipe::SUMS, &r.sums), (recipe::LISTING, &r.listing)] {
        let path = bundle.dir.join(file);
        let committed = if path.is_file() {
            fs_err::read_to_string(&path)?
        } else {
            String::new()
        };
        if let Some(diff) = outputs::compare(&committed, built) {
            eprintln!(
                "error: {}/{file} is out of date\n{diff}",
                common.shown_dir(&bundle.name)
            );
            stale += 1;
        }
    }
    if stale > 0 {
        eprintln!(
            "hint: run `cargo xtask build-bundle {name}{bdir}{src} && git add {dir}`",
            name = bundle.name,
            bdir = if common.bundles_dir_given {
                format!(" --bundles-dir {}", common.bundles_dir.display())
            } else {
                String::new()
            },
            src = common.source_dir_args(),
            dir = common.shown_dir(&bundle.name),
        );
    }
    Ok(stale)
}

/// Writes the outputs of `bundles` into `dir`, replacing earlier outputs of the same bundles,
/// and merges their digests into `dir/SHA256SUMS`: every file is staged beside its
/// destination and renamed into place only when all are ready.
pub fn write_outputs(dir: &Path, built: &[Rendered]) -> Result<()> {
    fs_err::create_dir_all(dir)?;
    let sums_path = dir.join(recipe::SUMS);
    let mut lines: Vec<String> = if sums_path.is_file() {
        fs_err::read_to_string(&sums_path)?
            .lines()
            .map(str::to_owned)
            .collect()
    } else {
        Vec::new()
    };
    let mut set = OutputSet::new();
    for r in built {
        if let Some((name, entries)) = &r.capath {
            set.capath(dir.join(name), entries);
        }
        for (name, bytes) in &r.files {
            // The listing and the manifest describe the bundle and the directory.
            if name.ends_with(".pem") {
                set.file(dir.join(name), bytes);
            } else {
                set.manifest(dir.join(name), bytes);
            }
        }
        let new: Vec<&str> = r.sums.lines().collect();
        let new_names: Vec<&str> = new
            .iter()
            .filter_map(|l| l.split_once("  ").map(|(_, n)| n))
            .collect();
        lines.retain(|l| {
            l.split_once("  ")
                .is_none_or(|(_, n)| !new_names.contains(&n))
        });
        lines.extend(new.iter().map(|l| (*l).to_owned()));
    }
    lines.sort_by(|a, b| {
        a.split_once("  ")
            .map(|x| x.1)
            .cmp(&b.split_once("  ").map(|x| x.1))
    });
    let mut text = lines.join("\n");
    text.push('\n');
    set.manifest(&sums_path, text.as_bytes());
    set.write()?;
    Ok(())
}

/// Writes the generated files of a bundle folder as one all-or-nothing set: `lock` (from
/// `refresh`) as the output the others describe, then `SHA256SUMS` and `listing.txt` as its
/// manifests (moved aside first, put in place last). A killed run leaves the lock old or new,
/// never missing, and each of the other two either missing or of the lock's version; the next
/// write removes what it left.
pub fn write_generated(dir: &Path, lock: Option<&str>, r: &Rendered) -> Result<()> {
    let mut set = OutputSet::new();
    if let Some(text) = lock {
        set.file(dir.join(recipe::LOCK), text.as_bytes());
    }
    set.manifest(dir.join(recipe::SUMS), r.sums.as_bytes());
    set.manifest(dir.join(recipe::LISTING), r.listing.as_bytes());
    set.write()?;
    Ok(())
}

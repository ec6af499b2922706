//! `cabundle recipe DIR` (also `cabundle build --recipe DIR`): the bundle of a release folder,
//! built by `cabundle_build::build_release`, the function `cargo xtask build-bundle` runs, so
//! the outputs are the same bytes.
//!
//! The same straight path as `build`: the output flags become checked requests, the pinned
//! reports are read (a file, `-`, or downloaded from the lock's URLs), the release is built,
//! and its outputs (under `--out`, and the single ones) are written in one all-or-nothing set.

use crate::cli::build::RecipeArgs;
use crate::output::Output;
use crate::shared::decisions::{self, with_hint};
use crate::shared::exit::ExitStatus;
use crate::shared::outputs::{self, NamedInput};
use crate::shared::report::{self, Kind, Loaded};
use anyhow::bail;
use cabundle_build::{Bundle, OutputKind};
use std::path::PathBuf;

/// Runs `cabundle recipe`.
pub fn run(args: RecipeArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let requests = outputs::requests(&[
        (OutputKind::Pem, args.pem.as_ref()),
        (OutputKind::Capath, args.capath.as_ref()),
        (
            OutputKind::IntermediatesPem,
            args.intermediates_pem.as_ref(),
        ),
        (OutputKind::FullPem, args.full_pem.as_ref()),
        (OutputKind::Manifest, args.manifest.as_ref()),
    ]);
    if args.out.is_none() && requests.is_empty() && !args.explain {
        bail!(
            "nothing to do\nhint: give --out DIR (the recipe's outputs), --pem FILE, --capath DIR, --manifest FILE or --explain"
        );
    }
    let recipe_file = args.dir.join(cabundle_build::recipe::RECIPE_FILE);
    let lock_file = args.dir.join(cabundle_build::recipe::LOCK_FILE);
    let mut inputs: Vec<(&'static str, PathBuf)> =
        vec![("recipe", recipe_file.clone()), ("lock", lock_file.clone())];
    for (flag, arg) in [
        ("--report", &args.report),
        ("--intermediates-report", &args.intermediates_report),
    ] {
        if let Some(arg) = arg.as_deref().filter(|a| !report::is_url(a)) {
            inputs.push((flag, PathBuf::from(arg)));
        }
    }
    let named: Vec<NamedInput<'_>> = inputs
        .iter()
        .map(|(flag, path)| NamedInput { flag, path })
        .collect();
    outputs::check(&requests, args.explain, &named, &[])?;

    let bundle = Bundle::load(&args.dir)?;
    // The recipe's own outputs under --out must not collide with the single outputs either.
    if let Some(dir) = &args.out {
        let release: Vec<(PathBuf, bool)> = release_names(&bundle)
            .into_iter()
            .map(|(name, is_dir)| (dir.join(name), is_dir))
            .collect();
        let extra: Vec<(NamedInput<'_>, bool)> = release
            .iter()
            .map(|(path, is_dir)| {
                (
                    NamedInput {
                        flag: "--out",
                        path,
                    },
                    *is_dir,
                )
            })
            .collect();
        outputs::check(&requests, args.explain, &named, &extra)?;
    }
    for request in &requests {
        let recipe = &bundle.recipe;
        let made = match request.kind {
            OutputKind::Capath => recipe.outputs.capath,
            OutputKind::IntermediatesPem => recipe.intermediates.is_some_and(|i| i.pem),
            OutputKind::FullPem => recipe.intermediates.is_some_and(|i| i.full_pem),
            _ => true,
        };
        if !made {
            bail!(
                "{} makes no {}: its recipe ({}) does not ask for one\nhint: drop {}",
                bundle.name,
                request.kind.noun(),
                recipe_file.display(),
                outputs::flag(request.kind)
            );
        }
    }

    let roots = load_pinned(
        args.report.as_deref(),
        &bundle.lock.source.url,
        &bundle.lock.source.sha256.to_string(),
        "--report",
        Kind::Roots,
        &args,
        out,
    )?;
    let intermediates = match bundle.intermediates_source()? {
        None => {
            if args.intermediates_report.is_some() {
                bail!(
                    "{} has no intermediates: its recipe has no [intermediates] table\nhint: drop --intermediates-report",
                    bundle.name
                );
            }
            None
        }
        Some(pinned) => Some(load_pinned(
            args.intermediates_report.as_deref(),
            &pinned.url,
            &pinned.sha256.to_string(),
            "--intermediates-report",
            Kind::Intermediates,
            &args,
            out,
        )?),
    };
    let from = |l: &Loaded, arg: Option<&str>| arg.map_or_else(|| l.name.clone(), str::to_owned);
    let built = match &intermediates {
        None => cabundle_build::build_release(
            &bundle,
            &roots.0.bytes,
            &from(&roots.0, args.report.as_deref()),
        ),
        Some(inter) => cabundle_build::build_release_with_intermediates(
            &bundle,
            &roots.0.bytes,
            &from(&roots.0, args.report.as_deref()),
            &inter.0.bytes,
            &from(&inter.0, args.intermediates_report.as_deref()),
        ),
    };
    let inter_pinned_url = intermediates.as_ref().is_some_and(|i| i.1);
    let release = built.map_err(|err| match (&err, roots.1, inter_pinned_url) {
        (cabundle_build::Error::SourceMismatch { source_name, .. }, true, _) => anyhow::anyhow!(
            "{err}\nhint: {source_name} serves only the latest report; pass --report FILE with a copy of the one the lock pins"
        ),
        (cabundle_build::Error::IntermediatesMismatch { source_name, .. }, _, true) => {
            anyhow::anyhow!(
                "{err}\nhint: {source_name} serves only the latest report; pass --intermediates-report FILE with a copy of the one the lock pins"
            )
        }
        _ => with_hint(err),
    })?;
    decisions::warnings(release.built(), out);
    release
        .write(
            args.out.as_deref(),
            &requests,
            &mut std::io::stdout().lock(),
        )
        .map_err(with_hint)?;
    if args.explain {
        decisions::explain(release.built())?;
    }
    decisions::summary(release.built(), &format!("{}: ", release.name()), out);
    if let Some(dir) = &args.out {
        out.verbose(&format!(
            "wrote the outputs of {} to {}",
            release.name(),
            dir.display()
        ));
    }
    decisions::wrote(&requests, out);
    Ok(ExitStatus::Ok)
}

/// The names a release writes under `--out`, each with whether it is a directory.
fn release_names(bundle: &Bundle) -> Vec<(String, bool)> {
    let name = &bundle.name;
    let mut names = vec![
        (format!("{name}.pem"), false),
        (format!("{name}.manifest.json"), false),
        (format!("{name}.listing.txt"), false),
    ];
    if bundle.recipe.outputs.capath {
        names.push((format!("{name}.capath"), true));
    }
    if let Some(i) = bundle.recipe.intermediates {
        if i.pem {
            names.push((format!("{name}.intermediates.pem"), false));
        }
        if i.full_pem {
            names.push((format!("{name}.full.pem"), false));
        }
    }
    names
}

/// A pinned report: `arg` (a file, `-` or a URL) or, without it, the lock's `url`; and
/// whether it came from the lock's own URL (which serves only the latest report).
fn load_pinned(
    arg: Option<&str>,
    url: &str,
    sha256: &str,
    flag: &str,
    kind: Kind,
    args: &RecipeArgs,
    out: &Output,
) -> anyhow::Result<(Loaded, bool)> {
    match arg {
        Some(arg) => Ok((report::load(arg, kind, &args.http, out)?, false)),
        None => {
            let loaded = report::load(url, kind, &args.http, out).map_err(|err| {
                anyhow::anyhow!(
                    "{err:#}\nhint: to build offline, pass {flag} FILE with the report whose SHA-256 is {sha256}"
                )
            })?;
            Ok((loaded, true))
        }
    }
}

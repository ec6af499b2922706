//! `cabundle build`: the report and options in; the PEM bundle, the hashed directory, the
//! other outputs and a manifest out, through the one pipeline of `cabundle-build`.
//!
//! One straight path: the arguments become a checked [`Plan`] (every rule between flags, before
//! anything is read or written); the sources are read; `cabundle_build::build` makes every
//! output asked for and the manifest listing exactly those; `Built::write` writes them all or
//! nothing (and the one on standard output last); the decisions are told.

use crate::cli::build::BuildArgs;
use crate::output::Output;
use crate::shared::clock;
use crate::shared::decisions::{self, with_hint};
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::outputs::{self, NamedInput};
use crate::shared::report::{self, Kind};
use anyhow::{Context as _, bail};
use cabundle_build::{
    Added, AddedWarning, OutputKind, OutputRequest, Sources, TrustedBy, Wanted, parse_fingerprint,
    read_added,
};
use cabundle_policy::{Exclusion, PolicyOptions};
use std::path::{Path, PathBuf};

/// The reason recorded for `--exclude SHA256` given without one.
const EXCLUDE_REASON: &str = "named by --exclude on the command line";

/// What `cabundle build` will do, checked: the sources to read, the policy, the outputs and
/// where each goes.
#[derive(Debug)]
struct Plan {
    report: String,
    certs: Vec<PathBuf>,
    allow_small_report: bool,
    intermediates_report: Option<String>,
    also_trusted_by: Vec<PathBuf>,
    add: Vec<PathBuf>,
    policy: PolicyOptions,
    requests: Vec<OutputRequest>,
    wanted: Wanted,
    explain: bool,
}

impl Plan {
    /// Checks every rule between the flags; reads and writes nothing.
    fn new(args: &BuildArgs) -> anyhow::Result<Plan> {
        let o = &args.outputs;
        let i = &args.intermediates;
        let requests = outputs::requests(&[
            (OutputKind::Pem, o.pem.as_ref()),
            (OutputKind::Capath, o.capath.as_ref()),
            (OutputKind::DerDir, o.der_dir.as_ref()),
            (OutputKind::JavaTruststore, o.java_truststore.as_ref()),
            (OutputKind::OpensslTrusted, o.openssl_trusted.as_ref()),
            (
                OutputKind::TrustManagerPackage,
                o.trust_manager_package.as_ref(),
            ),
            (
                OutputKind::ClusterTrustBundle,
                o.cluster_trust_bundle.as_ref(),
            ),
            (OutputKind::P11Kit, o.p11_kit.as_ref()),
            (OutputKind::IntermediatesPem, i.intermediates_pem.as_ref()),
            (OutputKind::FullPem, i.full_pem.as_ref()),
            (OutputKind::Manifest, o.manifest.as_ref()),
        ]);
        if requests.is_empty() && !o.explain {
            bail!(
                "nothing to do\nhint: give --pem FILE, --capath DIR, --manifest FILE or --explain"
            );
        }
        if i.intermediates_report.is_none() {
            let needs: Vec<&str> = requests
                .iter()
                .filter(|r| r.kind.needs_intermediates())
                .map(|r| outputs::flag(r.kind))
                .chain(i.capath_intermediates.then_some("--capath-intermediates"))
                .collect();
            if let Some(first) = needs.first() {
                bail!(
                    "{first} writes the intermediates, which need --intermediates-report\nhint: add --intermediates-report FILE (a MozillaIntermediateCertsCSVReport; cabundle fetch --intermediates downloads it)"
                );
            }
        }
        let report = args
            .sources
            .report
            .clone()
            .unwrap_or_else(|| cabundle_build::DEFAULT_REPORT_URL.to_owned());
        let file_input =
            |flag, arg: &str| (!report::is_url(arg)).then(|| (flag, PathBuf::from(arg)));
        let mut inputs: Vec<(&'static str, PathBuf)> = Vec::new();
        inputs.extend(file_input("--report", &report));
        if let Some(arg) = &i.intermediates_report {
            inputs.extend(file_input("--intermediates-report", arg));
        }
        inputs.extend(args.sources.certs.iter().map(|p| ("--certs", p.clone())));
        inputs.extend(args.policy.add.iter().map(|p| ("--add", p.clone())));
        inputs.extend(
            args.policy
                .also_trusted_by
                .iter()
                .map(|p| ("--also-trusted-by", p.clone())),
        );
        let named: Vec<NamedInput<'_>> = inputs
            .iter()
            .map(|(flag, path)| NamedInput { flag, path })
            .collect();
        outputs::check(&requests, o.explain, &named, &[])?;
        check_kubernetes(o, args.policy.purpose)?;

        let as_of = clock::date_or_today(args.policy.as_of);
        let excludes = args
            .policy
            .exclude
            .iter()
            .map(|e| parse_exclude(e))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let policy = PolicyOptions {
            purpose: args.policy.purpose,
            as_of,
            distrust_grace_days: args.policy.distrust_grace_days,
            include_expired: args.policy.include_expired,
            excludes,
        };
        let wanted = Wanted::of(&requests)
            .with_java_storepass(&o.java_storepass)
            .with_capath_intermediates(i.capath_intermediates)
            .with_package(o.package_name.clone(), o.package_version.clone())
            .with_cluster_trust_bundle(o.ctb_name.clone(), o.signer_name.clone());
        Ok(Plan {
            report,
            certs: args.sources.certs.clone(),
            allow_small_report: args.sources.allow_small_report,
            intermediates_report: i.intermediates_report.clone(),
            also_trusted_by: args.policy.also_trusted_by.clone(),
            add: args.policy.add.clone(),
            policy,
            requests,
            wanted,
            explain: o.explain,
        })
    }
}

/// Runs `cabundle build`.
pub fn run(args: BuildArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let plan = Plan::new(&args)?;

    let mut adds: Vec<Added> = Vec::new();
    for path in &plan.add {
        let bytes = files::read(path)?;
        adds.extend(read_added(&files::shown(path), &bytes).map_err(with_hint)?);
    }
    for warning in adds.iter().filter_map(Added::warning) {
        out.warn(&added_warning(&warning));
    }
    let loaded = report::load(&plan.report, Kind::Roots, &args.http, out)?;
    let certs = read_certs(&plan.certs)?;
    let chrome = !certs.is_empty() && cabundle_ccadb::chrome::looks_like_chrome(&loaded.bytes);
    if !chrome && !certs.is_empty() && plan.also_trusted_by.is_empty() {
        bail!(
            "--certs is for a Chrome Root Store report (root_store.textproto); {} is not one",
            loaded.name
        );
    }
    let intermediates = match &plan.intermediates_report {
        Some(arg) => Some(report::load(arg, Kind::Intermediates, &args.http, out)?),
        None => None,
    };
    let mut others = Vec::new();
    for path in &plan.also_trusted_by {
        others.push(trusted_by(path, &certs, &plan.policy)?);
    }
    let sources = Sources::report(&loaded.bytes, &loaded.name)
        .with_certs(if chrome { &certs } else { &[] })
        .with_intermediates(
            intermediates
                .as_ref()
                .map(|i| cabundle_build::Input::new(&i.bytes, &i.name)),
        )
        .with_also_trusted_by(&others);
    let built =
        cabundle_build::build(&sources, &plan.policy, &adds, &plan.wanted).map_err(with_hint)?;
    if !chrome && !loaded.downloaded && !plan.allow_small_report {
        // The build parsed the report already: its roots are counted there, not parsed again.
        check_plausible_file(&plan.report, &loaded.bytes, built.report().roots.len())?;
    }
    decisions::warnings(&built, out);
    built
        .write(&plan.requests, &mut std::io::stdout().lock())
        .map_err(with_hint)?;
    if plan.explain {
        decisions::explain(&built)?;
    }
    decisions::summary(&built, "", out);
    decisions::wrote(&plan.requests, out);
    Ok(ExitStatus::Ok)
}

/// The Kubernetes outputs' rules that need no input: trust-manager loads a package only from
/// a file whose name ends in `.json`; a ClusterTrustBundle's names follow the API server's
/// rules.
fn check_kubernetes(
    o: &crate::cli::build::OutputArgs,
    purpose: cabundle_policy::Purpose,
) -> anyhow::Result<()> {
    if let Some(path) = &o.trust_manager_package
        && !files::is_stdio(path)
        && path.extension().is_none_or(|e| e != "json")
    {
        bail!(
            "--trust-manager-package {}: trust-manager loads packages only from files whose name ends in .json\nhint: name it {}.json",
            path.display(),
            path.with_extension("json").display()
        );
    }
    if o.package_name.as_deref() == Some("") || o.package_version.as_deref() == Some("") {
        bail!(
            "--package-name and --package-version may not be empty: trust-manager refuses such a package"
        );
    }
    if o.cluster_trust_bundle.is_some() {
        cabundle_emit::cluster_trust_bundle_name(
            purpose,
            o.ctb_name.as_deref(),
            o.signer_name.as_deref(),
        )
        .context("--ctb-name and --signer-name")?;
    }
    Ok(())
}

/// `--exclude SHA256[=REASON]`.
fn parse_exclude(text: &str) -> anyhow::Result<Exclusion> {
    let (sha256, reason) = match text.split_once('=') {
        Some((sha256, reason)) if !reason.trim().is_empty() => (sha256, reason.trim()),
        Some((sha256, _)) => (sha256, EXCLUDE_REASON),
        None => (text, EXCLUDE_REASON),
    };
    Ok(Exclusion {
        sha256: parse_fingerprint(sha256)?,
        reason: reason.to_owned(),
    })
}

/// `--also-trusted-by REPORT`: its file name and the SHA-256s it trusts under `policy`.
fn trusted_by(
    path: &Path,
    certs: &[(String, Vec<u8>)],
    policy: &PolicyOptions,
) -> anyhow::Result<TrustedBy> {
    let bytes = files::read(path)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let report = if cabundle_ccadb::chrome::looks_like_chrome(&bytes) {
        if certs.is_empty() {
            bail!(
                "{name} is a Chrome Root Store textproto, which holds fingerprints only\nhint: give the anchors' certificates with --certs FILE, such as root_store.certs"
            );
        }
        cabundle_build::read_chrome(&bytes, &name, certs)?.0
    } else {
        cabundle_ccadb::parse_any(&bytes)
            .with_context(|| format!("cannot read the report {name} (--also-trusted-by)"))?
    };
    let sha256s = cabundle_build::trusted_roots(&report, policy);
    Ok(TrustedBy { name, sha256s })
}

/// The `--certs` files, by name and bytes.
fn read_certs(paths: &[PathBuf]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    paths
        .iter()
        .map(|path| Ok((files::shown(path), files::read(path)?)))
        .collect()
}

/// The words for a warning about an `--add` certificate, with its hint.
fn added_warning(warning: &AddedWarning) -> String {
    match warning {
        AddedWarning::NotSelfIssued {
            file,
            subject,
            issuer,
            sha256,
        } => format!(
            "{file}: \"{subject}\" (SHA-256 {sha256}) is not a root: it was issued by \"{issuer}\"; added, it becomes a trust anchor, and everything it issues is trusted even if its root is removed or distrusted\nhint: --add the root instead (cabundle chain FILE... --root -o ROOT.pem finds it), unless trusting only this intermediate is what you want"
        ),
        _ => format!("{warning:?}"),
    }
}

/// A report file cut short still parses: refuse one that does not look whole, as a download
/// is refused. A report that does not parse is left to the build, which names the row.
fn check_plausible_file(path: &str, bytes: &[u8], roots: usize) -> anyhow::Result<()> {
    cabundle_ccadb::check_plausible(bytes, roots, crate::cli::fetch::DEFAULT_MIN_ROOTS).map_err(
        |reason| {
            anyhow::anyhow!(
                "refusing {path}: {reason}\nhint: for a test fixture or a hand-made report, add --allow-small-report"
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes() {
        let hex = "ab".repeat(32);
        let check = |input: &str, reason: Option<&str>| {
            let got = parse_exclude(input).ok().map(|e| {
                assert_eq!(e.sha256.to_string(), hex, "{input:?}");
                e.reason
            });
            assert_eq!(got.as_deref(), reason, "{input:?}");
        };
        check(&hex, Some(EXCLUDE_REASON));
        check(
            &format!("{hex}=compromised, see bug 1"),
            Some("compromised, see bug 1"),
        );
        check(&format!("{hex}= a = b "), Some("a = b"));
        check(&format!("{hex}="), Some(EXCLUDE_REASON));
        check(&format!("{}=x", "AB:".repeat(31) + "AB"), Some("x"));
        check("abc=reason", None);
        check("=reason", None);
    }
}

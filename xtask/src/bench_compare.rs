//! `cargo xtask bench compare`: this revision against an earlier one, in the same run.
//!
//! The earlier revision's tree is exported with `git archive` under
//! `target/bench-compare/<commit>/` and built there in release mode with its own target
//! directory; the current tree is built as usual. Both are then measured alternately on the
//! same machine in the same run: the parse steps of `cabundle-ccadb` on the CCADB data
//! (through the `parse_compare` example, copied into the earlier tree so both are measured by
//! identical code) and `cabundle build` of one report end to end as a process. Prints medians
//! and the ratio after/before for each.

use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Usage of `cargo xtask bench compare`.
pub const USAGE: &str = "\
usage: cargo xtask bench compare --baseline REV [--runs 9] [--rounds 3] [DATA_DIR]

Builds REV (any git revision) and the current tree in release mode, then times both in the
same run, alternating: parsing the 9,910 certificates of AllCertificatePEMsCSVFormat, one
root report and one certdata.txt, and `cabundle build` of one report end to end.";

const REPORT: &str = "IncludedCACertificateReportPEMCSV-2026-07-01.csv";
const EXAMPLE: &str = "crates/cabundle-ccadb/examples/parse_compare.rs";

/// One revision, built.
struct Built {
    label: String,
    cabundle: PathBuf,
    parse_compare: PathBuf,
}

/// Runs the task with the arguments after `compare`.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut baseline = None;
    let mut runs = 9usize;
    let mut rounds = 3usize;
    let mut data = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--baseline" => baseline = Some(value("--baseline")?.clone()),
            "--runs" => runs = value("--runs")?.parse().context("invalid --runs")?,
            "--rounds" => rounds = value("--rounds")?.parse().context("invalid --rounds")?,
            other if other.starts_with('-') => bail!("unknown option `{other}`\nhint: {USAGE}"),
            other => data = Some(PathBuf::from(other)),
        }
    }
    let baseline =
        baseline.with_context(|| format!("which revision to compare with?\nhint: {USAGE}"))?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .context("cannot find the workspace root")?;
    let data = data
        .or_else(|| std::env::var_os("CABUNDLE_CCADB_DATA").map(PathBuf::from))
        .unwrap_or_else(|| root.join("../shared/data/ccadb"));
    if !data.join(REPORT).is_file() {
        bail!(
            "no CCADB data at {}\nhint: pass the folder or set CABUNDLE_CCADB_DATA",
            data.display()
        );
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));

    let commit = git_output(
        &root,
        &["rev-parse", "--verify", &format!("{baseline}^{{commit}}")],
    )?;
    let short = &commit[..commit.len().min(10)];
    let old_tree = target.join("bench-compare").join(&commit);
    let old_src = old_tree.join("src");
    if !old_src.join("Cargo.toml").is_file() {
        export(&root, &commit, &old_src)?;
    }
    // The same measuring code on both sides.
    fs_err::copy(root.join(EXAMPLE), old_src.join(EXAMPLE))?;
    let before = build(
        &format!("before ({short})"),
        &old_src,
        &old_tree.join("target"),
    )?;
    let after = build("after (this tree)", &root, &target)?;

    println!("before: {baseline} = {commit}");
    println!("after:  the working tree");
    println!("data:   {}", data.display());
    println!("runs: {runs} per measurement, {rounds} alternating rounds (median of medians)\n");

    let mut results: BTreeMap<String, [Vec<Duration>; 2]> = BTreeMap::new();
    let scratch = tempfile::tempdir()?;
    for _ in 0..rounds.max(1) {
        for (side, built) in [&before, &after].into_iter().enumerate() {
            for (name, time) in parse_times(built, &data, runs)? {
                results.entry(name).or_default()[side].push(time);
            }
            for (name, extra) in [
                ("build --pem (process)", false),
                ("build --pem --capath --manifest (process)", true),
            ] {
                let time = build_time(built, &data, scratch.path(), runs, extra)?;
                results.entry(name.to_owned()).or_default()[side].push(time);
            }
        }
    }

    let width = results.keys().map(|k| k.len()).max().unwrap_or(0).max(4);
    let (w1, w2) = (before.label.len().max(12), after.label.len().max(12));
    println!(
        "| {:width$} | {:>w1$} | {:>w2$} | after/before |",
        "what", before.label, after.label
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(width + 2),
        "-".repeat(w1 + 2),
        "-".repeat(w2 + 2),
        "-".repeat(14)
    );
    let mut worst: f64 = 0.0;
    for (name, [old, new]) in &mut results {
        let (old, new) = (median(old), median(new));
        let ratio = new.as_secs_f64() / old.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "| {name:width$} | {:>w1$} | {:>w2$} | {ratio:>11.2}x |",
            format!("{:.2} ms", old.as_secs_f64() * 1e3),
            format!("{:.2} ms", new.as_secs_f64() * 1e3)
        );
    }
    println!("\nslowest ratio: {worst:.2}x");
    Ok(ExitCode::SUCCESS)
}

fn git_output(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Writes the tree of `commit` into `dest` (through a temporary directory beside it).
fn export(root: &Path, commit: &str, dest: &Path) -> anyhow::Result<()> {
    let parent = dest.parent().context("export destination has no parent")?;
    fs_err::create_dir_all(parent)?;
    let staging = tempfile::tempdir_in(parent)?;
    let mut archive = Command::new("git")
        .current_dir(root)
        .args(["archive", "--format=tar", commit])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run git archive")?;
    let stdout = archive.stdout.take().context("git archive has no output")?;
    let status = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(staging.path())
        .stdin(stdout)
        .status()
        .context("cannot run tar")?;
    if !archive.wait()?.success() || !status.success() {
        bail!("cannot export {commit}");
    }
    fs_err::rename(staging.keep(), dest)?;
    Ok(())
}

fn build(label: &str, tree: &Path, target: &Path) -> anyhow::Result<Built> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for args in [
        &["-p", "cabundle"][..],
        &["-p", "cabundle-ccadb", "--example", "parse_compare"][..],
    ] {
        let status = Command::new(&cargo)
            .current_dir(tree)
            .env("CARGO_TARGET_DIR", target)
            .args(["build", "--release", "--locked", "--quiet"])
            .args(args)
            .status()
            .context("cannot run cargo")?;
        if !status.success() {
            bail!("cannot build {label} in {}", tree.display());
        }
    }
    let release = target.join("release");
    Ok(Built {
        label: label.to_owned(),
        cabundle: release.join("cabundle"),
        parse_compare: release.join("examples").join("parse_compare"),
    })
}

fn parse_times(built: &Built, data: &Path, runs: usize) -> anyhow::Result<Vec<(String, Duration)>> {
    let out = Command::new(&built.parse_compare)
        .arg(data)
        .args(["--runs", &runs.to_string()])
        .output()
        .with_context(|| format!("cannot run {}", built.parse_compare.display()))?;
    if !out.status.success() {
        bail!(
            "parse_compare of {} failed: {}",
            built.label,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let mut times = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let ["result", name, nanos, count] = fields[..] {
            let nanos: u64 = nanos.parse().context("bad parse_compare output")?;
            times.push((
                format!("{name} ({count} certificates)"),
                Duration::from_nanos(nanos),
            ));
        }
    }
    Ok(times)
}

fn build_time(
    built: &Built,
    data: &Path,
    scratch: &Path,
    runs: usize,
    extra: bool,
) -> anyhow::Result<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let out = scratch.join("out");
        if out.exists() {
            fs_err::remove_dir_all(&out)?;
        }
        fs_err::create_dir_all(&out)?;
        let mut cmd = Command::new(&built.cabundle);
        cmd.args(["build", "-q", "--as-of", "2026-07-01", "--report"])
            .arg(data.join(REPORT))
            .arg("--pem")
            .arg(out.join("ca-bundle.pem"));
        if extra {
            cmd.arg("--capath")
                .arg(out.join("crts"))
                .arg("--manifest")
                .arg(out.join("manifest.json"));
        }
        let start = Instant::now();
        let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
        times.push(start.elapsed());
        if !status.success() {
            bail!("{} build failed with {status}", built.label);
        }
    }
    Ok(median(&mut times))
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

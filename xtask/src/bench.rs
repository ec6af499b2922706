//! `cargo xtask bench rehash`: times `cabundle rehash` against `openssl rehash`.
//!
//! For each size N it writes N distinct certificates (one template made by `openssl req`,
//! its subject bytes patched per copy: the signature no longer verifies, which rehash never
//! checks), then times, in the same run and alternating, both tools on a fresh directory and on
//! an unchanged re-run. It also measures floors in this process: listing the directory, reading
//! every file, and creating N symbolic links. Generation is not timed.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Usage of `cargo xtask bench`.
pub const USAGE: &str = "\
usage: cargo xtask bench rehash [--sizes 1000,20000,100000] [--reps 5]
       cargo xtask bench parse [DATA_DIR] [--runs 7]
       cargo xtask bench compare --baseline REV [--runs 9] [--rounds 3] [DATA_DIR]
       cargo xtask bench intermediates [DATA_DIR] [--runs 7]

Times `openssl rehash DIR` and `cabundle rehash DIR` (release build) on N distinct
certificates: on a fresh directory, and on an unchanged re-run. Prints medians and ratios.";

const MARKER: &str = "cabundle-bench-000000000";

/// Runs the task.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut sizes = vec![1000, 20000];
    let mut reps = 5usize;
    match args.first().map(String::as_str) {
        Some("rehash") => {}
        Some("parse") => return crate::bench_parse::run(&args[1..]),
        Some("compare") => return crate::bench_compare::run(&args[1..]),
        Some("intermediates") => return crate::bench_intermediates::run(&args[1..]),
        Some(other) => bail!("unknown benchmark `{other}`\nhint: {USAGE}"),
        None => bail!("which benchmark?\nhint: {USAGE}"),
    }
    let mut it = args[1..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = it.next().context("--sizes needs a value")?;
                sizes = list
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<_, _>>()
                    .with_context(|| format!("invalid --sizes {list}"))?;
            }
            "--reps" => {
                reps = it
                    .next()
                    .context("--reps needs a value")?
                    .parse()
                    .context("invalid --reps")?
            }
            other => bail!("unknown option `{other}`\nhint: {USAGE}"),
        }
    }
    let cabundle = build_release()?;
    let openssl_version = output_of(Command::new("openssl").arg("version"))?;
    println!("openssl: {}", openssl_version.trim());
    println!("cabundle: {}", cabundle.display());
    println!(
        "cpus: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("repetitions: {reps} (median shown)\n");
    let template = template_der()?;
    for &n in &sizes {
        bench_size(n, reps, &template, &cabundle)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn build_release() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "-p", "cabundle"])
        .status()
        .context("run cargo build")?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release").join("cabundle"))
}

pub(crate) fn output_of(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One DER certificate whose subject holds [`MARKER`].
fn template_der() -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let der = dir.path().join("t.der");
    output_of(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args([
                "-subj",
                &format!("/CN={MARKER}/O=cabundle benchmark"),
                "-days",
                "1",
                "-outform",
                "DER",
            ])
            .arg("-keyout")
            .arg(dir.path().join("t.key"))
            .arg("-out")
            .arg(&der),
    )?;
    Ok(fs_err::read(&der)?)
}

fn certificate_pem(template: &[u8], i: usize) -> anyhow::Result<Vec<u8>> {
    let marker = MARKER.as_bytes();
    let id = format!("cabundle-bench-{i:09}");
    let mut der = template.to_vec();
    // Self-signed: the marker is in the issuer and in the subject; patch both.
    let mut patched = 0;
    let mut at = 0;
    while let Some(pos) = der[at..].windows(marker.len()).position(|w| w == marker) {
        let start = at + pos;
        der[start..start + marker.len()].copy_from_slice(id.as_bytes());
        at = start + marker.len();
        patched += 1;
    }
    if patched == 0 {
        bail!("marker not found in the template");
    }
    Ok(cabundle_cert::encode_pem("CERTIFICATE", &der).into_bytes())
}

fn populate(dir: &Path, n: usize, template: &[u8]) -> anyhow::Result<()> {
    fs_err::create_dir_all(dir)?;
    for i in 0..n {
        fs_err::write(
            dir.join(format!("cert-{i:09}.pem")),
            certificate_pem(template, i)?,
        )?;
    }
    Ok(())
}

/// Removes every symbolic link in `dir` (to make it fresh again; not timed).
fn unlink_all(dir: &Path) -> anyhow::Result<()> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_symlink() {
            fs_err::remove_file(entry.path())?;
        }
    }
    Ok(())
}

pub(crate) fn time(cmd: &mut Command) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("run {cmd:?}"))?;
    let elapsed = start.elapsed();
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(elapsed)
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn count_links(dir: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    for entry in fs_err::read_dir(dir)? {
        if entry?.file_type()?.is_symlink() {
            n += 1;
        }
    }
    Ok(n)
}

fn bench_size(n: usize, reps: usize, template: &[u8], cabundle: &Path) -> anyhow::Result<()> {
    let root = tempfile::tempdir()?;
    let ours = root.path().join("cabundle");
    let theirs = root.path().join("openssl");
    populate(&ours, n, template)?;
    populate(&theirs, n, template)?;
    let openssl = |dir: &Path| time(Command::new("openssl").arg("rehash").arg(dir));
    let ourselves = |dir: &Path| time(Command::new(cabundle).arg("rehash").arg("-q").arg(dir));

    let (mut o_fresh, mut c_fresh, mut o_again, mut c_again) = (vec![], vec![], vec![], vec![]);
    for rep in 0..reps {
        unlink_all(&ours)?;
        unlink_all(&theirs)?;
        // Alternate who goes first, so neither always gets the warmer cache.
        if rep % 2 == 0 {
            o_fresh.push(openssl(&theirs)?);
            c_fresh.push(ourselves(&ours)?);
            o_again.push(openssl(&theirs)?);
            c_again.push(ourselves(&ours)?);
        } else {
            c_fresh.push(ourselves(&ours)?);
            o_fresh.push(openssl(&theirs)?);
            c_again.push(ourselves(&ours)?);
            o_again.push(openssl(&theirs)?);
        }
    }
    let (links_o, links_c) = (count_links(&theirs)?, count_links(&ours)?);
    if links_o != links_c || links_c != n {
        bail!("link counts differ: openssl {links_o}, cabundle {links_c}, expected {n}");
    }

    // Floors, in this process, one thread.
    let mut list = vec![];
    let mut read = vec![];
    let mut link = vec![];
    for _ in 0..reps {
        let start = Instant::now();
        let names: Vec<PathBuf> = fs_err::read_dir(&ours)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        list.push(start.elapsed());
        let start = Instant::now();
        let mut bytes = 0usize;
        for name in names
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pem"))
        {
            bytes += fs_err::read(name)?.len();
        }
        read.push(start.elapsed());
        std::hint::black_box(bytes);
        // In the certificate directory itself: a link costs more in a large directory.
        unlink_all(&ours)?;
        let start = Instant::now();
        for i in 0..n {
            symlink(
                format!("cert-{i:09}.pem"),
                ours.join(format!("floor-{i:09}")),
            )
            .context("create symlink")?;
        }
        link.push(start.elapsed());
        unlink_all(&ours)?;
    }

    let (o_fresh, c_fresh, o_again, c_again) = (
        median(o_fresh),
        median(c_fresh),
        median(o_again),
        median(c_again),
    );
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("N = {n}");
    println!(
        "  fresh directory:  openssl {:>10}  cabundle {:>10}  ratio {:.2}x",
        ms(o_fresh),
        ms(c_fresh),
        ratio(c_fresh, o_fresh)
    );
    println!(
        "  unchanged re-run: openssl {:>10}  cabundle {:>10}  ratio {:.2}x",
        ms(o_again),
        ms(c_again),
        ratio(c_again, o_again)
    );
    println!(
        "  floors (1 thread): list dir {}, read {n} files {}, create {n} symlinks {}",
        ms(median(list)),
        ms(median(read)),
        ms(median(link))
    );
    println!();
    Ok(())
}

/// A symbolic link, what `rehash` makes; the rehash benchmark runs on Unix only.
#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: impl AsRef<Path>, _link: impl AsRef<Path>) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "the rehash benchmark needs symbolic links (Unix only)",
    ))
}

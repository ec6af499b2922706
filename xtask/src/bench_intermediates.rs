//! `cargo xtask bench intermediates`: the CCADB intermediates against `openssl verify
//! -untrusted`, on the same files, in the same run.
//!
//! Two measurements, each a process timed as a whole (release build), alternating which tool
//! goes first:
//!
//! - **selection**: `cabundle build` of the 2026-07-01 roots with the 2026-07-25
//!   `MozillaIntermediateCertsCSVReport` (4 MB), choosing every intermediate that chains by
//!   signature to an included root, against `openssl verify -CAfile ROOTS -untrusted INTS`
//!   checking each selected intermediate (one file each) at the same date: the nearest thing
//!   OpenSSL does.
//! - **verify --strict**: the same `cabundle verify` with and without `--strict`.
//! - **verify**: `cabundle verify LEAF --bundle ROOTS --intermediates INTS` of a leaf whose
//!   server omitted its intermediate, against `openssl verify -CAfile ROOTS -untrusted INTS
//!   LEAF`. The leaf, its intermediate and its root are made here by `openssl req`; the
//!   intermediate is appended to the selected ones and the root to the roots, so the path
//!   must be found among all of them.
//!
//! Preparing the files is not timed. Arguments: `[DATA_DIR] [--runs N]`; `DATA_DIR` defaults
//! to `CABUNDLE_CCADB_DATA`, else `../shared/data/ccadb` beside the checkout.

use crate::bench::{build_release, median, output_of, time};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

/// Usage of `cargo xtask bench intermediates`.
pub const USAGE: &str = "usage: cargo xtask bench intermediates [DATA_DIR] [--runs 7]";

const ROOTS: &str = "IncludedCACertificateReportPEMCSV-2026-07-01.csv";
const INTERMEDIATES: &str = "MozillaIntermediateCertsCSVReport-2026-07-25.csv";
const AS_OF: &str = "2026-07-01";

/// Runs the task with the arguments after `intermediates`.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut runs = 7usize;
    let mut data: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .context("--runs needs a value")?
                    .parse()
                    .context("invalid --runs")?;
            }
            other if other.starts_with('-') => bail!("unknown option `{other}`\nhint: {USAGE}"),
            other => data = Some(PathBuf::from(other)),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = data
        .or_else(|| std::env::var_os("CABUNDLE_CCADB_DATA").map(PathBuf::from))
        .unwrap_or_else(|| root.join("../shared/data/ccadb"));
    let (roots_csv, ints_csv) = (data.join(ROOTS), data.join(INTERMEDIATES));
    for file in [&roots_csv, &ints_csv] {
        if !file.is_file() {
            bail!(
                "no {} in {}\nhint: pass the CCADB data folder or set CABUNDLE_CCADB_DATA",
                file.file_name().unwrap_or_default().to_string_lossy(),
                data.display()
            );
        }
    }
    let cabundle = build_release()?;
    println!(
        "openssl: {}",
        output_of(Command::new("openssl").arg("version"))?.trim()
    );
    println!("runs: {runs} (median shown)\n");

    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let selection = |out: &str| {
        let mut cmd = Command::new(&cabundle);
        cmd.arg("build")
            .arg("--report")
            .arg(&roots_csv)
            .args(["--as-of", AS_OF])
            .arg("--pem")
            .arg(dir.join(format!("{out}-roots.pem")))
            .arg("--intermediates-report")
            .arg(&ints_csv)
            .arg("--intermediates-pem")
            .arg(dir.join(format!("{out}-intermediates.pem")));
        cmd
    };
    // The files both tools read, written once by cabundle itself.
    time(&mut selection("prepared"))?;
    let roots = fs_err::read_to_string(dir.join("prepared-roots.pem"))?;
    let ints = fs_err::read_to_string(dir.join("prepared-intermediates.pem"))?;
    let one_each = split_certificates(&ints, &dir.join("each"))?;
    let at_epoch = time::OffsetDateTime::new_utc(
        cabundle_cert::date::parse_date(AS_OF)?,
        time::Time::MIDNIGHT,
    )
    .unix_timestamp()
    .to_string();
    println!(
        "selection: {} intermediates selected from {} ({} bytes)",
        one_each.len(),
        INTERMEDIATES,
        fs_err::metadata(&ints_csv)?.len()
    );

    let openssl_selection = || {
        let mut cmd = Command::new("openssl");
        cmd.arg("verify")
            .arg("-CAfile")
            .arg(dir.join("prepared-roots.pem"))
            .arg("-untrusted")
            .arg(dir.join("prepared-intermediates.pem"))
            .args(["-attime", &at_epoch])
            .args(&one_each);
        cmd
    };
    let (ours, theirs) = alternate(
        runs,
        || time(&mut selection("timed")),
        || time(&mut openssl_selection()),
    )?;
    report("selection", ours, theirs);

    let pki = private_pki(dir)?;
    let roots_plus = dir.join("roots-plus.pem");
    let ints_plus = dir.join("intermediates-plus.pem");
    fs_err::write(&roots_plus, format!("{roots}{}", pki.root))?;
    fs_err::write(&ints_plus, format!("{ints}{}", pki.intermediate))?;
    println!(
        "verify: a leaf whose intermediate is one of {} untrusted certificates, {} roots",
        one_each.len() + 1,
        roots.matches("BEGIN CERTIFICATE").count() + 1
    );
    let ours_verify = || {
        let mut cmd = Command::new(&cabundle);
        cmd.arg("verify")
            .arg(&pki.leaf_file)
            .arg("--bundle")
            .arg(&roots_plus)
            .arg("--intermediates")
            .arg(&ints_plus);
        cmd
    };
    let openssl_verify = || {
        let mut cmd = Command::new("openssl");
        cmd.arg("verify")
            .arg("-CAfile")
            .arg(&roots_plus)
            .arg("-untrusted")
            .arg(&ints_plus)
            .arg(&pki.leaf_file);
        cmd
    };
    let (ours, theirs) = alternate(
        runs,
        || time(&mut ours_verify()),
        || time(&mut openssl_verify()),
    )?;
    report("verify --intermediates", ours, theirs);
    // The strict clients' rules cost next to nothing: --strict against the same command
    // without it (the ratio the README promises stays at most 1.1x).
    let strict_verify = || {
        let mut cmd = ours_verify();
        cmd.arg("--strict");
        cmd
    };
    let (strict, plain) = alternate(
        runs,
        || time(&mut strict_verify()),
        || time(&mut ours_verify()),
    )?;
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!(
        "  verify --intermediates --strict: without {:>10}  with {:>10}  ratio {:.2}x\n",
        ms(plain),
        ms(strict),
        strict.as_secs_f64() / plain.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Times both `runs` times, alternating which goes first; returns the medians.
fn alternate(
    runs: usize,
    mut ours: impl FnMut() -> anyhow::Result<Duration>,
    mut theirs: impl FnMut() -> anyhow::Result<Duration>,
) -> anyhow::Result<(Duration, Duration)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for run in 0..runs.max(1) {
        if run % 2 == 0 {
            a.push(ours()?);
            b.push(theirs()?);
        } else {
            b.push(theirs()?);
            a.push(ours()?);
        }
    }
    Ok((median(a), median(b)))
}

fn report(what: &str, ours: Duration, theirs: Duration) {
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!(
        "  {what}: openssl {:>10}  cabundle {:>10}  ratio {:.2}x\n",
        ms(theirs),
        ms(ours),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

/// Writes each certificate of `pem` to its own file in `dir` (`openssl verify` checks the
/// first certificate of each file it is given); returns the files.
fn split_certificates(pem: &str, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    fs_err::create_dir_all(dir)?;
    let mut files = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let end = rest[start..]
            .find(END)
            .context("a certificate without its END line")?
            + start
            + END.len();
        let file = dir.join(format!("{:05}.pem", files.len()));
        fs_err::write(&file, format!("{}\n", &rest[start..end]))?;
        files.push(file);
        rest = &rest[end..];
    }
    if files.is_empty() {
        bail!("no intermediate was selected");
    }
    Ok(files)
}

/// A root, an intermediate and a leaf for `bench.example`, made by `openssl`.
struct Pki {
    root: String,
    intermediate: String,
    leaf_file: PathBuf,
}

fn private_pki(dir: &Path) -> anyhow::Result<Pki> {
    let dir = dir.join("pki");
    fs_err::create_dir_all(&dir)?;
    let p = |name: &str| dir.join(name);
    let key = |name: &str| -> anyhow::Result<()> {
        output_of(
            Command::new("openssl")
                .args(["genpkey", "-algorithm", "EC", "-pkeyopt"])
                .arg("ec_paramgen_curve:P-256")
                .arg("-out")
                .arg(p(name)),
        )
        .map(drop)
    };
    key("root.key")?;
    key("int.key")?;
    key("leaf.key")?;
    fs_err::write(
        p("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )?;
    fs_err::write(
        p("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:bench.example\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n",
    )?;
    output_of(
        Command::new("openssl")
            .args(["req", "-x509", "-key"])
            .arg(p("root.key"))
            .args(["-subj", "/CN=cabundle Bench Root", "-days", "3650", "-out"])
            .arg(p("root.pem")),
    )?;
    for (name, subject, issuer, ext, days) in [
        (
            "int",
            "/CN=cabundle Bench Intermediate",
            "root",
            "ca.ext",
            "3000",
        ),
        ("leaf", "/CN=bench.example", "int", "leaf.ext", "300"),
    ] {
        output_of(
            Command::new("openssl")
                .args(["req", "-new", "-key"])
                .arg(p(&format!("{name}.key")))
                .args(["-subj", subject, "-out"])
                .arg(p(&format!("{name}.csr"))),
        )?;
        output_of(
            Command::new("openssl")
                .args(["x509", "-req", "-in"])
                .arg(p(&format!("{name}.csr")))
                .arg("-CA")
                .arg(p(&format!("{issuer}.pem")))
                .arg("-CAkey")
                .arg(p(&format!("{issuer}.key")))
                .args(["-set_serial", "1", "-days", days, "-extfile"])
                .arg(p(ext))
                .arg("-out")
                .arg(p(&format!("{name}.pem"))),
        )?;
    }
    Ok(Pki {
        root: fs_err::read_to_string(p("root.pem"))?,
        intermediate: fs_err::read_to_string(p("int.pem"))?,
        leaf_file: p("leaf.pem"),
    })
}

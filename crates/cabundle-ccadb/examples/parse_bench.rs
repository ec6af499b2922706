//! Parse benchmark: how long `cabundle-ccadb` takes to read the CCADB's certificate exports,
//! against the fastest way OpenSSL and Python read the same certificates, in the same run.
//!
//! Run with `cargo xtask bench parse` (which builds this in release mode), or directly:
//! `cargo run --release -p cabundle-ccadb --example parse_bench -- [DATA_DIR] [--runs N]`.
//! `DATA_DIR` defaults to `CABUNDLE_CCADB_DATA`, else `../shared/data/ccadb` beside the
//! checkout. Each figure is the median of N runs (default 7); the reference tools are timed as
//! whole processes and, for Python, also inside the interpreter (startup excluded).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut runs = 7usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir
        .or_else(|| std::env::var_os("CABUNDLE_CCADB_DATA").map(PathBuf::from))
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/ccadb"
            ))
        });
    if !dir.is_dir() {
        return Err(format!(
            "no CCADB data at {}\nhint: pass the folder or set CABUNDLE_CCADB_DATA",
            dir.display()
        )
        .into());
    }
    let scratch = std::env::temp_dir().join(format!("cabundle-parse-bench-{}", std::process::id()));
    fs_err::create_dir_all(&scratch)?;
    let result = bench(&dir, &scratch, runs.max(1));
    let _ = fs_err::remove_dir_all(&scratch);
    result
}

fn bench(dir: &Path, scratch: &Path, runs: usize) -> Result<()> {
    // 1. The 9,910-certificate AllCertificatePEMsCSVFormat set.
    let all_dir = dir.join("AllCertificatePEMsCSVFormat-2026-02-28");
    let mut files = Vec::new();
    for entry in fs_err::read_dir(&all_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            files.push(fs_err::read(&path)?);
        }
    }
    files.sort();
    let mb = files.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;

    let mut count = 0;
    let ours = median(runs, || {
        count = 0;
        for f in &files {
            count += cabundle_ccadb::parse_pem_csv(f)
                .map(|r| r.len())
                .unwrap_or(0);
        }
    });
    // The same certificates as one PEM file, re-encoded from the DER: 12 of the published
    // PEMs have a blank line after BEGIN, which OpenSSL's PEM reader rejects.
    let mut pems = String::new();
    for f in &files {
        for record in cabundle_ccadb::parse_pem_csv(f)? {
            pems.push_str(&record.certificate.to_pem());
        }
    }
    let pem_file = scratch.join("all.pem");
    fs_err::write(&pem_file, &pems)?;
    let csv_paths: Vec<String> = fs_err::read_dir(&all_dir)?
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .filter(|p| p.ends_with(".csv"))
        .collect();

    println!(
        "parse: {count} certificates, {mb:.1} MB of CSV in {} files, median of {runs} runs",
        files.len()
    );
    println!();
    let mut table = Table::new(ours);
    table.row(
        "cabundle-ccadb parse_pem_csv (CSV + PEM + X.509 + SHA-256 check)",
        ours,
    );
    let pem = pem_file.display().to_string();
    let storeutl = median(runs, || {
        run_quiet("openssl", &["storeutl", "-noout", "-certs", &pem])
    });
    table.row("openssl storeutl -noout -certs all.pem (process)", storeutl);
    let openssl_startup = median(runs, || run_quiet("openssl", &["version"]));
    table.row(
        "  of which openssl startup (openssl version)",
        openssl_startup,
    );
    let py_ctx = format!(
        "import ssl,time\nt=time.perf_counter()\nssl.create_default_context(cafile={pem:?})\nprint(time.perf_counter()-t)"
    );
    let (py_ctx_total, py_ctx_inner) = python(runs, &py_ctx);
    table.row(
        "python3 ssl.create_default_context(cafile=all.pem) (process)",
        py_ctx_total,
    );
    table.row("  in-interpreter time only", py_ctx_inner);
    let py_csv = format!(
        "import csv,hashlib,ssl,sys,time\ncsv.field_size_limit(1<<24)\nt=time.perf_counter()\n\
         for p in {csv_paths:?}:\n    with open(p, newline='') as f:\n        r=csv.reader(f); next(r)\n        \
         for fp,pem in r:\n            d=ssl.PEM_cert_to_DER_cert(pem)\n            \
         assert hashlib.sha256(d).hexdigest().upper()==fp.upper()\nprint(time.perf_counter()-t)"
    );
    let (py_csv_total, py_csv_inner) = python(runs, &py_csv);
    table.row(
        "python3 csv + ssl.PEM_cert_to_DER_cert + hashlib check (process)",
        py_csv_total,
    );
    table.row("  in-interpreter time only", py_csv_inner);
    table.print();

    // 2. One IncludedCACertificateReportPEMCSV, end to end (the parse step of `build`).
    let name = "IncludedCACertificateReportPEMCSV-2026-07-01.csv";
    let report = fs_err::read(dir.join(name))?;
    let mut roots = 0;
    let ours = median(runs * 5, || {
        roots = cabundle_ccadb::parse_report(&report)
            .map(|r| r.roots.len())
            .unwrap_or(0);
    });
    let certdata_name = "certdata-NSS_3_123_RTM-2026-04-16.txt";
    let certdata = fs_err::read(dir.join(certdata_name))?;
    let mut nss_roots = 0;
    let certdata_time = median(runs * 5, || {
        nss_roots = cabundle_ccadb::parse_certdata(&certdata)
            .map(|r| r.roots.len())
            .unwrap_or(0);
    });
    let report_path = dir.join(name).display().to_string();
    let py_report = format!(
        "import csv,hashlib,ssl,time\ncsv.field_size_limit(1<<24)\nt=time.perf_counter()\n\
         with open({report_path:?}, newline='', encoding='utf-8') as f:\n    \
         for row in csv.DictReader(f):\n        d=ssl.PEM_cert_to_DER_cert(row['PEM Info'].strip().strip(\"'\"))\n        \
         assert hashlib.sha256(d).hexdigest().upper()==row['SHA-256 Fingerprint']\nprint(time.perf_counter()-t)"
    );
    let (py_report_total, py_report_inner) = python(runs, &py_report);
    println!();
    println!(
        "parse: {name} ({roots} roots, {:.0} kB)",
        report.len() as f64 / 1e3
    );
    println!();
    let mut table = Table::new(ours);
    table.row("cabundle-ccadb parse_report", ours);
    table.row(
        &format!("cabundle-ccadb parse_certdata ({certdata_name}, {nss_roots} roots)"),
        certdata_time,
    );
    table.row(
        "python3 csv.DictReader + PEM_cert_to_DER_cert + hashlib (process)",
        py_report_total,
    );
    table.row("  in-interpreter time only", py_report_inner);
    table.print();
    Ok(())
}

/// Rows of (what, time), printed with the ratio to `base`.
struct Table {
    base: Duration,
    rows: Vec<(String, Duration)>,
}

impl Table {
    fn new(base: Duration) -> Table {
        Table {
            base,
            rows: Vec::new(),
        }
    }
    fn row(&mut self, what: &str, time: Duration) {
        self.rows.push((what.to_owned(), time));
    }
    fn print(&self) {
        let width = self
            .rows
            .iter()
            .map(|(w, _)| w.chars().count())
            .max()
            .unwrap_or(0);
        println!("| {:width$} | {:>10} | {:>8} |", "what", "median", "ratio");
        println!(
            "|{}|{}|{}|",
            "-".repeat(width + 2),
            "-".repeat(12),
            "-".repeat(10)
        );
        for (what, time) in &self.rows {
            let ratio = time.as_secs_f64() / self.base.as_secs_f64();
            println!(
                "| {what:width$} | {:>7.2} ms | {ratio:>7.2}x |",
                time.as_secs_f64() * 1e3
            );
        }
    }
}

/// The median wall time of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn run_quiet(program: &str, args: &[&str]) {
    match Command::new(program).args(args).output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => eprintln!(
            "warning: {program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => eprintln!("warning: cannot run {program}: {e}"),
    }
}

/// Runs a Python script that prints its own inner timing; returns (process, inner) medians.
fn python(runs: usize, script: &str) -> (Duration, Duration) {
    let mut inner = Vec::new();
    let total = median(runs, || {
        match Command::new("python3").args(["-c", script]).output() {
            Ok(out) if out.status.success() => {
                let secs: f64 = String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse()
                    .unwrap_or(f64::NAN);
                inner.push(Duration::from_secs_f64(secs.max(0.0)));
            }
            Ok(out) => eprintln!(
                "warning: python3 failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => eprintln!("warning: cannot run python3: {e}"),
        }
    });
    inner.sort();
    (
        total,
        inner.get(inner.len() / 2).copied().unwrap_or_default(),
    )
}

//! The measuring half of `cargo xtask bench compare`: times the parse steps of this revision
//! of `cabundle-ccadb` and prints one machine-readable `result NAME NANOS COUNT` line each.
//!
//! It calls only the long-standing entry points (`parse_pem_csv`, `parse_report`,
//! `parse_certdata`), so the same file builds against an earlier revision: the comparison
//! copies it into that revision's tree and measures both with identical code.
//! Arguments: `DATA_DIR [--runs N]`.

use std::path::PathBuf;
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
    let dir = dir.ok_or("usage: parse_compare DATA_DIR [--runs N]")?;
    let runs = runs.max(1);

    let mut files = Vec::new();
    for entry in fs_err::read_dir(dir.join("AllCertificatePEMsCSVFormat-2026-02-28"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            files.push(fs_err::read(&path)?);
        }
    }
    files.sort();
    let mut count = 0;
    let time = median(runs, || {
        count = files
            .iter()
            .map(|f| cabundle_ccadb::parse_pem_csv(f).map_or(0, |r| r.len()))
            .sum();
    });
    report("parse_pem_csv", time, count);

    let report_bytes = fs_err::read(dir.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv"))?;
    let time = median(runs * 5, || {
        count = cabundle_ccadb::parse_report(&report_bytes).map_or(0, |r| r.roots.len());
    });
    report("parse_report", time, count);

    let certdata = fs_err::read(dir.join("certdata-NSS_3_123_RTM-2026-04-16.txt"))?;
    let time = median(runs * 5, || {
        count = cabundle_ccadb::parse_certdata(&certdata).map_or(0, |r| r.roots.len());
    });
    report("parse_certdata", time, count);
    Ok(())
}

fn report(name: &str, time: Duration, count: usize) {
    println!("result {name} {} {count}", time.as_nanos());
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

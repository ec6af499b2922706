//! `cabundle fetch`: download the report over verified HTTPS, check it, write it atomically.
//!
//! The download itself is `shared::download`, which `cabundle build --report URL` uses too, so
//! both commands trust, retry and check in the same way.

use crate::cli::fetch::{FetchArgs, ReportKind};
use crate::output::Output;
use crate::shared::download::{download_intermediates, download_report, print_line};
use crate::shared::exit::ExitStatus;
use crate::shared::files;

/// Runs `cabundle fetch`.
pub fn run(args: FetchArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let fetched = if args.kind() == ReportKind::Intermediates {
        let url = args
            .url
            .as_deref()
            .unwrap_or(cabundle_fetch::DEFAULT_INTERMEDIATES_URL);
        download_intermediates(url, &args.http, args.expect_sha256, args.min_roots, out)?
    } else {
        let url = args
            .url
            .as_deref()
            .unwrap_or(cabundle_fetch::DEFAULT_REPORT_URL);
        download_report(url, &args.http, args.expect_sha256, args.min_roots, out)?
    };
    if files::is_stdio(&args.output) {
        // The report is the data on standard output; the checksum line would corrupt it.
        files::write(&args.output, &fetched.body)?;
        out.info(&format!(
            "wrote standard output: {} bytes, sha256 {}",
            fetched.body.len(),
            fetched.sha256_hex()
        ));
        return Ok(ExitStatus::Ok);
    }
    files::write(&args.output, &fetched.body)?;
    out.info(&format!(
        "wrote {}: {} bytes, sha256 {}",
        args.output.display(),
        fetched.body.len(),
        fetched.sha256_hex()
    ));
    // The data line, in `sha256sum` format so it can be checked later with `sha256sum -c`.
    print_line(&format!(
        "{}  {}",
        fetched.sha256_hex(),
        args.output.display()
    ))?;
    Ok(ExitStatus::Ok)
}

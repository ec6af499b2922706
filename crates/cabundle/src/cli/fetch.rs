//! Arguments of `cabundle fetch`, and the HTTP options other commands that download reuse.

use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `cabundle fetch`.
#[derive(Debug, Args)]
#[command(
    after_help = "The body is checked before anything is written: it must be a CCADB \
report (or certdata.txt) with at least --min-roots roots, or with --kind intermediates a \
MozillaIntermediateCertsCSVReport with at least --min-roots rows, and match --expect-sha256 \
when given. The file is replaced atomically; on failure an existing file is left untouched.\n\n\
Examples:\n  cabundle fetch -o IncludedCACertificateReportPEMCSV.csv\n  \
cabundle fetch --kind intermediates -o MozillaIntermediateCertsCSVReport.csv"
)]
pub struct FetchArgs {
    /// The URL of the report [default: the CCADB's IncludedCACertificateReportPEMCSV, or
    /// MozillaIntermediateCertsCSVReport with --kind intermediates].
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Which report: `roots` (IncludedCACertificateReportPEMCSV), or `intermediates`
    /// (MozillaIntermediateCertsCSVReport, what Firefox preloads).
    #[arg(long, value_enum, default_value = "roots")]
    pub kind: ReportKind,
    /// The old spelling of `--kind intermediates` (elsewhere `--intermediates` names a file).
    #[arg(long, hide = true, conflicts_with = "kind")]
    pub intermediates: bool,
    /// Where to write the report; `-` for standard output (then without the checksum line).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Refuse the download unless its SHA-256 is this (64 hex digits).
    #[arg(long, value_name = "HEX", value_parser = parse_sha256)]
    pub expect_sha256: Option<[u8; 32]>,
    /// Refuse a report with fewer roots than this (a truncated or test report).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_ROOTS)]
    pub min_roots: usize,
    /// Connection, time-out and retry options.
    #[command(flatten)]
    pub http: HttpArgs,
}

impl FetchArgs {
    /// The report asked for, by either spelling.
    pub fn kind(&self) -> ReportKind {
        if self.intermediates {
            ReportKind::Intermediates
        } else {
            self.kind
        }
    }
}

/// Which CCADB report `fetch` downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    // Plain comments, not doc comments: clap would show them as a long list in `--help`.
    // IncludedCACertificateReportPEMCSV (or certdata.txt, given by URL): the roots.
    Roots,
    // MozillaIntermediateCertsCSVReport: the intermediates.
    Intermediates,
}

/// How to download: whom to trust, time-outs, retries. Shared by every command that fetches.
#[derive(Clone, Debug, Args)]
pub struct HttpArgs {
    /// Trust only the CA certificates in this PEM file instead of the platform trust store
    /// (for a proxy that re-signs TLS traffic).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Time allowed to connect and finish the TLS handshake (`15`, `2.5s`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = super::values::parse_duration)]
    pub connect_timeout: Duration,
    /// Time allowed without receiving data.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = super::values::parse_duration)]
    pub read_timeout: Duration,
    /// Tries in all; time-outs, truncated bodies and 5xx answers are retried.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub attempts: u32,
    /// Time allowed for each try, from connecting to the last byte (default: 4 times
    /// --read-timeout); the whole download gets every try at its deadline and the pauses.
    #[arg(long, value_name = "DURATION", value_parser = super::values::parse_duration)]
    pub download_deadline: Option<Duration>,
    /// Pause before the second try, doubled before each further one.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = super::values::parse_duration)]
    pub retry_backoff: Duration,
}

impl Default for HttpArgs {
    /// The same values as the command-line defaults (a test keeps them equal).
    fn default() -> Self {
        HttpArgs {
            ca_file: None,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            attempts: 3,
            download_deadline: None,
            retry_backoff: Duration::from_secs(2),
        }
    }
}

/// Fewest roots a downloaded report (or a report file given to `build`) may list: the floor
/// of [`cabundle_ccadb::check_plausible`].
pub const DEFAULT_MIN_ROOTS: usize = cabundle_ccadb::MIN_ROOTS;

/// Parses 64 hex digits (either case).
pub fn parse_sha256(text: &str) -> Result<[u8; 32], String> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out)
        .map_err(|_| format!("invalid SHA-256 `{text}` (expected 64 hex digits)"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_command_line() {
        use clap::Parser;
        #[derive(Parser)]
        struct Probe {
            #[command(flatten)]
            http: HttpArgs,
        }
        let parsed = Probe::parse_from(["probe"]).http;
        let default = HttpArgs::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
    }

    #[test]
    fn sha256_values() {
        assert_eq!(parse_sha256(&"AB".repeat(32)), Ok([0xab; 32]));
        assert!(parse_sha256("abcd").is_err());
        assert!(parse_sha256(&"zz".repeat(32)).is_err());
    }
}

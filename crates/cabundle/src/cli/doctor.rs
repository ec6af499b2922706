//! Arguments of `cabundle doctor`.

use super::fetch::HttpArgs;
use clap::Args;

/// Arguments of `cabundle doctor`.
#[derive(Debug, Args)]
#[command(after_help = doctor_help())]
pub struct DoctorArgs {
    /// A server to verify with each client's store: HOST or HOST:PORT (port 443 by default).
    #[arg(value_name = "HOST[:PORT]")]
    pub target: Option<String>,
    /// Print JSON: {"clients": [...]}.
    #[arg(long)]
    pub json: bool,
    /// Compare each store with this CCADB report (a file, - for standard input, or an https
    /// URL).
    #[arg(long, value_name = "FILE|URL")]
    pub report: Option<String>,
    /// Time allowed for the server's connection and each read (`10`, `10s`, `500ms`, `1m`; a
    /// bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::values::parse_duration)]
    pub timeout: std::time::Duration,
    /// How long the whole capture of the server's chain may take, connection and TLS
    /// handshake (the same forms; default: 2 times --timeout).
    #[arg(long, value_name = "DURATION", value_parser = super::values::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    /// Time allowed for each question to a client (the same forms); a client that does not
    /// answer is asked once more with twice the time before it is "unknown".
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = super::values::parse_duration)]
    pub client_timeout: std::time::Duration,
    /// Fix what fails: make the stores of the failing clients (and the NSS databases browsers
    /// read) trust the root of the chain HOST presents, through `cabundle trust install` (the
    /// same plan, question and journal; `cabundle trust uninstall` undoes it).
    #[arg(long, requires = "target")]
    pub fix: bool,
    /// With --fix: print the plan and change nothing.
    #[arg(long, requires = "fix", conflicts_with = "yes")]
    pub dry_run: bool,
    /// With --fix: make the changes without asking.
    #[arg(long, short = 'y', requires = "fix")]
    pub yes: bool,
    /// How an https report is downloaded.
    #[command(flatten, next_help_heading = "Download (when --report is a URL)")]
    pub http: HttpArgs,
}

/// The text after the options: the clients (from `cabundle-clients`' list), the exit codes and
/// examples.
fn doctor_help() -> String {
    let clients: Vec<&str> = cabundle_clients::ClientName::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    format!(
        "Clients: {}.{}",
        clients.join(", "),
        " Each is asked where its store is (each query bounded by --client-timeout, its output \
capped, the program and anything it started killed at the time-out); doctor reads the \
environment and changes nothing, unless --fix is given (the plan of cabundle trust install, \
undone by cabundle trust uninstall).\n\n\
With --report, a store's \"removed\" roots are those it trusts that the report does not \
include for TLS as of the report's date (the YYYY-MM-DD in its file name or URL, else \
today), and its \"missing\" roots those included that it lacks.\n\n\
Exit codes: 0 every present client verifies HOST (or no HOST), 1 a client fails, 2 error. \
A client whose store cannot be found is \"unknown\" and does not change the exit code.\n\n\
Examples:\n  cabundle doctor\n  cabundle doctor example.com --json\n  \
cabundle doctor --report IncludedCACertificateReportPEMCSV-2026-07-01.csv"
    )
}

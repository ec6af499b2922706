//! Arguments of `cabundle trust`.

use cabundle_trust::journal::StoreKind;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `cabundle trust`.
#[derive(Debug, Args)]
#[command(
    after_help = "Every change is shown first and asked for (--dry-run shows it only, --yes does not ask), recorded in a journal before it is made, and undone exactly by uninstall.\n\nExamples:\n  cabundle doctor example.com\n  sudo cabundle trust install --from-host example.com\n  sudo cabundle trust install proxy-root.pem\n  cabundle trust list\n  sudo cabundle trust uninstall proxy-root.pem"
)]
pub struct TrustArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TrustCommand,
}

/// The `trust` commands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Make every store of this machine trust a CA (system store, NSS, Java, shells, pip, npm,
    /// git, conda): shows the plan, asks, records every change.
    #[command(after_help = INSTALL_HELP)]
    Install(InstallArgs),
    /// Undo what install did, byte for byte: files it wrote removed, files it edited restored.
    #[command(
        after_help = "Examples:\n  sudo cabundle trust uninstall proxy-root.pem\n  cabundle trust uninstall --all --yes"
    )]
    Uninstall(UninstallArgs),
    /// Show what install did, store by store.
    List,
}

const INSTALL_HELP: &str = "Stores: system (the distribution's anchors and its update tool; needs root), nss (every NSS database of the user: Firefox, Chromium; needs certutil), java (each JDK's cacerts the system store does not rebuild; needs keytool), env (the variables every client reads, in the shells' startup files), pip, npm, git, conda (their configuration, where the tool is present), node (advice).\n\nThe journal: $XDG_STATE_HOME/cabundle (else ~/.local/state/cabundle) for the user's stores, /var/lib/cabundle for the system's. A run killed at any point is finished by the next install, or undone by uninstall.\n\nExamples:\n  sudo cabundle trust install proxy-root.pem\n  cabundle trust install --from-host example.com --dry-run\n  cabundle trust install proxy-root.pem --store env --store pip --yes";

/// `--store NAME`: the one `StoreKind` of `cabundle-trust`, by the name it gives itself (its
/// names are clap's possible values, so `--help` and completions list them).
fn store_parser() -> impl clap::builder::TypedValueParser<Value = StoreKind> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(StoreKind::ALL.map(StoreKind::name))
        .try_map(|name| StoreKind::from_name(&name).ok_or("not a store"))
}

/// What every `trust` change takes.
#[derive(Debug, Args, Clone)]
pub struct ChangeArgs {
    /// Only these stores (repeatable; default: every store found).
    #[arg(long = "store", value_name = "NAME", value_parser = store_parser())]
    pub stores: Vec<StoreKind>,
    /// Print the plan and change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Make the changes without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Arguments of `cabundle trust install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The CA certificate(s) to trust (PEM or DER).
    #[arg(
        value_name = "ROOT.pem",
        required_unless_present = "from_host",
        conflicts_with = "from_host"
    )]
    pub file: Option<PathBuf>,
    /// Take the root of the chain this server (or the proxy in front of it) presents:
    /// HOST or HOST:PORT. Refused when the chain verifies against the system's public roots.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub from_host: Option<String>,
    /// Accept a CA certificate that is not self-signed (an intermediate).
    #[arg(long)]
    pub allow_intermediate: bool,
    /// Time allowed for --from-host's connection and each read.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::values::parse_duration)]
    pub timeout: std::time::Duration,
    /// The stores and the confirmation.
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// Arguments of `cabundle trust uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// The CA certificate(s) whose installation to undo.
    #[arg(
        value_name = "ROOT.pem",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub file: Option<PathBuf>,
    /// Undo every installation recorded.
    #[arg(long)]
    pub all: bool,
    /// The stores and the confirmation.
    #[command(flatten)]
    pub change: ChangeArgs,
}

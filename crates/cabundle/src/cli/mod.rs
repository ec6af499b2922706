//! Command-line types (clap derive), kept apart from what the commands do.
//!
//! One file per command holds its arguments; `commands/` holds the logic.

use cabundle_cert::Purpose;
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;

pub mod build;
pub mod capath;
pub mod chain;
pub mod convert;
pub mod diff;
pub mod doctor;
pub mod env;
pub mod expiring;
pub mod fetch;
pub mod inspect;
pub mod probe;
pub mod rehash;
pub mod store;
pub mod trust;
pub mod values;
pub mod verify;

/// Build trusted CA bundles from the CCADB report, hash CApath directories like
/// `openssl rehash`, and explain TLS verification failures.
#[derive(Debug, Parser)]
#[command(
    name = "cabundle",
    version,
    about,
    propagate_version = true,
    after_help = "A file argument of `-` is standard input (or standard output, for a file written). A file read for its certificates must hold at least one. A file written is replaced atomically; missing parent directories are created.\n\nExit codes: 0 ok, 1 not as expected (a --check or verification failed), 2 error.\n\nExample:\n  cabundle build --pem ca-bundle.pem --capath crts"
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create OpenSSL hash links (<hash>.N) in certificate directories, like `openssl rehash`.
    Rehash(rehash::RehashArgs),
    /// Show each certificate or CRL in files: names, validity, key, fingerprints, hashes.
    Inspect(inspect::InspectArgs),
    /// Split a PEM bundle into one file per certificate and hash the directory.
    Capath(capath::CapathArgs),
    /// Build a PEM bundle and a hashed directory from the CCADB report.
    Build(Box<build::BuildArgs>),
    /// Build a release bundle from its folder (recipe and lock), byte for byte as its release.
    Recipe(Box<build::RecipeArgs>),
    /// Download the CCADB report over verified HTTPS, checked before it is written.
    Fetch(fetch::FetchArgs),
    /// Show what changed between two reports, bundles or directories.
    Diff(diff::DiffArgs),
    /// Verify a certificate chain and explain why it fails.
    Verify(verify::VerifyArgs),
    /// Connect to a TLS server, show its chain and explain whether it verifies.
    Probe(probe::ProbeArgs),
    /// Order certificates into a full chain (leaf, intermediates, root).
    Chain(chain::ChainArgs),
    /// Convert certificates between PEM and DER.
    Convert(convert::ConvertArgs),
    /// List certificates that expire within a window.
    Expiring(expiring::ExpiringArgs),
    /// Print the shell statements that point every client (curl, Python, pip, Node, git,
    /// the AWS CLI) at a bundle.
    Env(env::EnvArgs),
    /// Show the trust store each client on this machine uses, and whether it verifies a server.
    Doctor(doctor::DoctorArgs),
    /// Make every store of this machine trust a CA, undo it exactly, list what was done.
    Trust(trust::TrustArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  cabundle completions bash > cabundle.bash")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages (one per command) into a directory.
    #[command(after_help = "Example:\n  cabundle man /usr/local/share/man/man1")]
    Man {
        /// The directory to write into.
        dir: std::path::PathBuf,
    },
}

impl Command {
    /// The command an old spelling stands for: `build --recipe DIR` is `recipe DIR`.
    pub fn resolve_aliases(self) -> Command {
        match self {
            Command::Build(args) => match args.into_recipe() {
                Ok(recipe) => Command::Recipe(Box::new(recipe)),
                Err(args) => Command::Build(args),
            },
            other => other,
        }
    }
}

/// `--purpose`: the one [`Purpose`] of the libraries, read through its `FromStr`, with its
/// names listed as clap's possible values (so `--help` and completions show them).
#[derive(Clone, Copy, Debug, Default)]
pub struct PurposeParser;

impl TypedValueParser for PurposeParser {
    type Value = Purpose;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Purpose, clap::Error> {
        let possible = clap::builder::PossibleValuesParser::new(self.possible_values_list());
        let text = possible.parse_ref(cmd, arg, value)?;
        text.parse()
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.possible_values_list().into_iter()))
    }
}

impl PurposeParser {
    fn possible_values_list(&self) -> Vec<PossibleValue> {
        Purpose::ALL
            .into_iter()
            .map(|p| {
                let help = match p {
                    Purpose::Tls => {
                        "TLS server authentication (trust bit `Websites`, EKU serverAuth)"
                    }
                    Purpose::Email => "S/MIME (trust bit `Email`, EKU emailProtection)",
                };
                PossibleValue::new(p.as_str()).help(help)
            })
            .collect()
    }
}

/// Accepts `openssl rehash`'s single-dash long options after `rehash`, so scripts written for
/// OpenSSL (`rehash -compat DIR`) work unchanged: `-old`, `-compat` and `-help` become
/// `--old`, `--compat` and `--help`. Everything else is passed through.
pub fn openssl_style_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut in_rehash = false;
    args.into_iter()
        .map(|arg| {
            if in_rehash {
                if let Some(long) = arg.to_str().and_then(|a| match a {
                    "-old" | "-compat" | "-help" => Some(format!("-{a}")),
                    _ => None,
                }) {
                    return OsString::from(long);
                }
            } else if arg == "rehash" {
                in_rehash = true;
            }
            arg
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{PurposeParser, openssl_style_args};
    use cabundle_cert::Purpose;
    use clap::builder::TypedValueParser as _;
    use std::ffi::OsString;

    #[test]
    fn purposes() {
        let cmd = clap::Command::new("t");
        let check = |input: &str, expected: Option<Purpose>| {
            let got = PurposeParser
                .parse_ref(&cmd, None, std::ffi::OsStr::new(input))
                .ok();
            assert_eq!(got, expected, "{input:?}");
        };
        check("tls", Some(Purpose::Tls));
        check("email", Some(Purpose::Email));
        check("code", None);
        check("TLS", None);
    }

    fn check(input: &[&str], expected: &[&str]) {
        let got = openssl_style_args(input.iter().map(OsString::from));
        let expected: Vec<OsString> = expected.iter().map(OsString::from).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn openssl_spellings_after_rehash() {
        check(
            &["cabundle", "rehash", "-compat", "d"],
            &["cabundle", "rehash", "--compat", "d"],
        );
        check(
            &["cabundle", "rehash", "-old", "-n", "-v"],
            &["cabundle", "rehash", "--old", "-n", "-v"],
        );
        check(
            &["cabundle", "inspect", "-old"],
            &["cabundle", "inspect", "-old"],
        );
        check(
            &["cabundle", "-v", "rehash", "--compat"],
            &["cabundle", "-v", "rehash", "--compat"],
        );
    }
}

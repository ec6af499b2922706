//! Where each TLS client on a machine finds its trusted roots, how stale those roots are, and
//! the shell statements that point every client at one bundle.
//!
//! Three parts, kept apart so that what decides is pure:
//!
//! 1. [`discover`] asks each client itself where its store is (`openssl version -d`, Python's
//!    `ssl.get_default_verify_paths()` and `certifi.where()`, curl's own report of its CA
//!    file, `git config`, Node's bundled roots, Java's `java.home` and `keytool`), each query
//!    bounded by a time-out, in the environment the caller passes in ([`Environment`]: this
//!    crate never reads the process environment). Each client has its own module, where
//!    running the client and parsing what it prints are apart; what it found is typed: the
//!    [`Source`] of the choice, the [`Version`]s that decide how it verifies.
//!    [`load_store`] then reads the certificates of one store.
//! 2. [`staleness`] and [`included_roots`] compare a store with a CCADB report: pure.
//! 3. [`shell`] writes the statements that set or unset the variables every client reads:
//!    pure. Which client reads which variable is one table, [`variables`], that discovery,
//!    the statements and a caller's advice all read.
//!
//! Nothing here writes a file or changes a setting.
//!
//! ```
//! use cabundle_clients::shell::{Shell, set_statements, unset_statements};
//! use std::path::Path;
//!
//! # fn main() -> Result<(), cabundle_clients::Error> {
//! let bundle = Path::new("/etc/ca bundle.pem");
//! let bash = set_statements(Shell::Bash, bundle, None)?;
//! assert!(bash.contains("export SSL_CERT_FILE='/etc/ca bundle.pem'\n"));
//! print!("{}", set_statements(Shell::Fish, bundle, None)?);
//! assert!(unset_statements(Shell::Bash).contains("unset SSL_CERT_FILE"));
//! // The date in a report's file name tells how old a store built from it is.
//! let date = cabundle_clients::date_in_name("IncludedCACertificateReportPEMCSV-2026-07-01.csv");
//! assert_eq!(date.map(|d| d.to_string()), Some("2026-07-01".to_owned()));
//! # Ok(())
//! # }
//! ```

mod client;
mod environment;
mod error;
mod query;
pub mod shell;
mod stale;
mod store;
pub mod variables;
mod version;

pub use client::{Client, ClientName, Source, Store, discover};
pub use environment::Environment;
pub use error::{Error, Result};
pub use stale::{Stale, date_in_name, included_roots, staleness};
pub use store::{StoreContents, load_store};
pub use variables::Variable;
pub use version::{ClientVersion, TlsLibrary, Version};

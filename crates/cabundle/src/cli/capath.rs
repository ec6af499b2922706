//! Arguments of `cabundle capath`.

use clap::Args;

/// Arguments of `cabundle capath`.
#[derive(Debug, Args)]
pub struct CapathArgs {}

//! Arguments of `cabundle expiring`.

use clap::Args;

/// Arguments of `cabundle expiring`.
#[derive(Debug, Args)]
pub struct ExpiringArgs {}

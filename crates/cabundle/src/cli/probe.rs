//! Arguments of `cabundle probe`.

use clap::Args;

/// Arguments of `cabundle probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {}

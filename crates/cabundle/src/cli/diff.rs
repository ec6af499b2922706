//! Arguments of `cabundle diff`.

use clap::Args;

/// Arguments of `cabundle diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {}

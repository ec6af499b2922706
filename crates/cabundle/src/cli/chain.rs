//! Arguments of `cabundle chain`.

use clap::Args;

/// Arguments of `cabundle chain`.
#[derive(Debug, Args)]
pub struct ChainArgs {}

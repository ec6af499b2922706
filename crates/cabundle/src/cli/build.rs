//! Arguments of `cabundle build`.

use clap::Args;

/// Arguments of `cabundle build`.
#[derive(Debug, Args)]
pub struct BuildArgs {}

//! Arguments of `cabundle rehash`.

use clap::Args;

/// Arguments of `cabundle rehash`.
#[derive(Debug, Args)]
pub struct RehashArgs {}

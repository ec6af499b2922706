//! Arguments of `cabundle verify`.

use clap::Args;

/// Arguments of `cabundle verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {}

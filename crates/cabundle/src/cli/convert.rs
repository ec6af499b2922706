//! Arguments of `cabundle convert`.

use clap::Args;

/// Arguments of `cabundle convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {}

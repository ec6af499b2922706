//! Arguments of `cabundle inspect`.

use clap::Args;

/// Arguments of `cabundle inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {}

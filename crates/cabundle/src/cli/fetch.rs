//! Arguments of `cabundle fetch`.

use clap::Args;

/// Arguments of `cabundle fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {}

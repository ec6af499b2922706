//! Reading a report argument, the same way in every command: a file, `-` (standard input) or
//! an `https://` URL downloaded with the checks of `cabundle fetch`.

use crate::cli::fetch::HttpArgs;
use crate::output::Output;
use crate::shared::{download, files};
use anyhow::Context as _;
use std::path::Path;

/// A report's bytes and the name written into the outputs: the file name (no directory, so two
/// machines build the same bytes), `-` for standard input, or the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loaded {
    /// The report's bytes.
    pub(crate) bytes: Vec<u8>,
    /// Its name in the outputs.
    pub(crate) name: String,
    /// Whether it was downloaded.
    pub(crate) downloaded: bool,
}

/// Whether a report argument is a URL.
pub(crate) fn is_url(arg: &str) -> bool {
    arg.starts_with("https://") || arg.starts_with("http://")
}

/// Which report a download must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A roots report (CCADB, certdata.txt or Chrome's textproto).
    Roots,
    /// A `MozillaIntermediateCertsCSVReport`.
    Intermediates,
}

/// Reads the report `arg` names: a file, `-` or a URL.
pub(crate) fn load(arg: &str, kind: Kind, http: &HttpArgs, out: &Output) -> anyhow::Result<Loaded> {
    if is_url(arg) {
        out.info(&format!("fetching {arg}"));
        let min = crate::cli::fetch::DEFAULT_MIN_ROOTS;
        let fetched = match kind {
            Kind::Roots => download::download_report(arg, http, None, min, out)
                .with_context(|| format!("cannot fetch the report from {arg}"))?,
            Kind::Intermediates => download::download_intermediates(arg, http, None, min, out)
                .with_context(|| format!("cannot fetch the intermediates report from {arg}"))?,
        };
        return Ok(Loaded {
            bytes: fetched.body,
            name: arg.to_owned(),
            downloaded: true,
        });
    }
    let path = Path::new(arg);
    let bytes = files::read(path)?;
    let name = path
        .file_name()
        .map_or_else(|| arg.to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(Loaded {
        bytes,
        name,
        downloaded: false,
    })
}

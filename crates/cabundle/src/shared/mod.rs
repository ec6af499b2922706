//! What several commands share: file arguments, report arguments, downloads, trust stores,
//! chains and their verdicts, a server's chain, its revocation, hashing a directory, output plans, the telling
//! of a build's decisions, hints, the exit status, and text made safe for a terminal. A command module uses these and never
//! another command's module (tests/tidy.rs enforces it).

pub(crate) mod aia;
pub(crate) mod chain;
pub(crate) mod clock;
pub(crate) mod decisions;
pub(crate) mod download;
pub(crate) mod exit;
pub(crate) mod files;
pub(crate) mod hints;
pub(crate) mod outputs;
pub(crate) mod rehash;
pub(crate) mod report;
pub(crate) mod revocation;
pub(crate) mod store;
pub(crate) mod terminal;
pub(crate) mod tls;
pub(crate) mod trust;

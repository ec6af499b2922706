//! What several commands share: file arguments, report arguments, downloads, output plans,
//! the telling of a build's decisions, and hints. A command module uses
//! these and never another command's module (tests/tidy.rs enforces it).

pub(crate) mod decisions;
pub(crate) mod download;
pub(crate) mod files;
pub(crate) mod hints;
pub(crate) mod outputs;
pub(crate) mod report;

//! What several commands share: file arguments, downloads and hints. A command module uses
//! these and never another command's module (tests/tidy.rs enforces it).

pub(crate) mod download;
pub(crate) mod files;
pub(crate) mod hints;
pub(crate) mod report;

//! The environment the clients are asked in, passed in by the caller.

use crate::variables::Variable;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// The environment the clients are asked in: the caller passes it (usually its own), so this
/// crate never reads the process environment and tests can pass any.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: Vec<(OsString, OsString)>,
}

impl Environment {
    /// From `(name, value)` pairs.
    pub fn new(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Self {
        Environment {
            vars: vars.into_iter().collect(),
        }
    }

    /// The value of `name`, when set and not empty (clients ignore empty values).
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_os_str())
            .filter(|v| !v.is_empty())
    }

    /// The value of one of the clients' variables, when set and not empty.
    pub fn var(&self, var: Variable) -> Option<&OsStr> {
        self.get(var.name())
    }

    /// The value of a variable that names a path.
    pub(crate) fn path(&self, var: Variable) -> Option<PathBuf> {
        self.var(var).map(PathBuf::from)
    }

    /// Every pair, as given.
    pub(crate) fn pairs(&self) -> &[(OsString, OsString)] {
        &self.vars
    }

    /// The same environment without `vars`.
    pub(crate) fn without(&self, vars: &[Variable]) -> Environment {
        Environment {
            vars: self
                .vars
                .iter()
                .filter(|(k, _)| !vars.iter().any(|v| k == v.name()))
                .cloned()
                .collect(),
        }
    }
}

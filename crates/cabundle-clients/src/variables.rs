//! The one table of the environment variables TLS clients read to find their trusted roots:
//! which client reads which, in the order it looks, and which ones `shell` sets.
//!
//! Discovery reads the environment through these names only, the shell statements set the
//! ones of [`SET_BY_SHELL`], and a caller that tells a user which variable to set asks
//! [`ClientName::bundle_variable`], so the three cannot drift apart.

use crate::ClientName;

/// What a variable points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A PEM bundle.
    Bundle,
    /// A hashed certificate directory.
    Directory,
    /// Options of the client program (a Node.js flag, a Java system property) that may choose
    /// its store; read by discovery, never set by the shell statements.
    Options,
}

/// An environment variable some client reads to find its trusted roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Variable {
    /// `SSL_CERT_FILE`.
    SslCertFile,
    /// `CURL_CA_BUNDLE`.
    CurlCaBundle,
    /// `REQUESTS_CA_BUNDLE`.
    RequestsCaBundle,
    /// `PIP_CERT`.
    PipCert,
    /// `NODE_EXTRA_CA_CERTS`.
    NodeExtraCaCerts,
    /// `GIT_SSL_CAINFO`.
    GitSslCainfo,
    /// `AWS_CA_BUNDLE`.
    AwsCaBundle,
    /// `SSL_CERT_DIR`.
    SslCertDir,
    /// `GIT_SSL_CAPATH`.
    GitSslCapath,
    /// `NODE_OPTIONS`.
    NodeOptions,
    /// `JAVA_TOOL_OPTIONS`.
    JavaToolOptions,
    /// `JDK_JAVA_OPTIONS`.
    JdkJavaOptions,
    /// `_JAVA_OPTIONS`.
    JavaOptions,
}

/// One row of the table.
struct Row {
    variable: Variable,
    name: &'static str,
    target: Target,
    readers: &'static str,
}

/// The table: every variable, its name, what it points at and who reads it, in words.
const TABLE: &[Row] = &[
    Row {
        variable: Variable::SslCertFile,
        name: "SSL_CERT_FILE",
        target: Target::Bundle,
        readers: "OpenSSL and programs linked to it: openssl, curl, Python ssl and urllib, Ruby",
    },
    Row {
        variable: Variable::CurlCaBundle,
        name: "CURL_CA_BUNDLE",
        target: Target::Bundle,
        readers: "curl (and Python requests when REQUESTS_CA_BUNDLE is unset)",
    },
    Row {
        variable: Variable::RequestsCaBundle,
        name: "REQUESTS_CA_BUNDLE",
        target: Target::Bundle,
        readers: "Python requests, and the tools built on it",
    },
    Row {
        variable: Variable::PipCert,
        name: "PIP_CERT",
        target: Target::Bundle,
        readers: "pip",
    },
    Row {
        variable: Variable::NodeExtraCaCerts,
        name: "NODE_EXTRA_CA_CERTS",
        target: Target::Bundle,
        readers: "Node.js (added to its bundled roots)",
    },
    Row {
        variable: Variable::GitSslCainfo,
        name: "GIT_SSL_CAINFO",
        target: Target::Bundle,
        readers: "git over HTTPS",
    },
    Row {
        variable: Variable::AwsCaBundle,
        name: "AWS_CA_BUNDLE",
        target: Target::Bundle,
        readers: "the AWS CLI and SDKs",
    },
    Row {
        variable: Variable::SslCertDir,
        name: "SSL_CERT_DIR",
        target: Target::Directory,
        readers: "OpenSSL and programs linked to it (a hashed directory)",
    },
    Row {
        variable: Variable::GitSslCapath,
        name: "GIT_SSL_CAPATH",
        target: Target::Directory,
        readers: "git over HTTPS (a hashed directory)",
    },
    Row {
        variable: Variable::NodeOptions,
        name: "NODE_OPTIONS",
        target: Target::Options,
        readers: "Node.js (an option to use OpenSSL's or the system's store instead of its own)",
    },
    Row {
        variable: Variable::JavaToolOptions,
        name: "JAVA_TOOL_OPTIONS",
        target: Target::Options,
        readers: "Java (the javax.net.ssl.trustStore system property)",
    },
    Row {
        variable: Variable::JdkJavaOptions,
        name: "JDK_JAVA_OPTIONS",
        target: Target::Options,
        readers: "Java 9 and later, the java launcher (javax.net.ssl.trustStore)",
    },
    Row {
        variable: Variable::JavaOptions,
        name: "_JAVA_OPTIONS",
        target: Target::Options,
        readers: "Java, HotSpot (javax.net.ssl.trustStore)",
    },
];

/// The variables the shell statements set, in the order they are written: every one that
/// points at a bundle or a directory.
pub const SET_BY_SHELL: &[Variable] = &[
    Variable::SslCertFile,
    Variable::CurlCaBundle,
    Variable::RequestsCaBundle,
    Variable::PipCert,
    Variable::NodeExtraCaCerts,
    Variable::GitSslCainfo,
    Variable::AwsCaBundle,
    Variable::SslCertDir,
    Variable::GitSslCapath,
];

impl Variable {
    fn row(self) -> &'static Row {
        // Every variant has its row: the `every_variable_has_one_row` test.
        TABLE
            .iter()
            .find(|r| r.variable == self)
            .unwrap_or(&TABLE[0])
    }

    /// Its name in the environment.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// What it points at.
    pub fn target(self) -> Target {
        self.row().target
    }

    /// The clients that read it, in words (for help texts).
    pub fn readers(self) -> &'static str {
        self.row().readers
    }

    /// The variable called `name`, if it is one of the table.
    pub fn from_name(name: &str) -> Option<Variable> {
        TABLE.iter().find(|r| r.name == name).map(|r| r.variable)
    }
}

impl std::fmt::Display for Variable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl ClientName {
    /// The variables this client reads to choose its store, in the order it looks at them.
    pub fn variables(self) -> &'static [Variable] {
        use Variable as V;
        match self {
            ClientName::Openssl | ClientName::PythonSsl => &[V::SslCertFile, V::SslCertDir],
            ClientName::Curl => &[V::CurlCaBundle, V::SslCertFile, V::SslCertDir],
            ClientName::PythonRequests => &[V::RequestsCaBundle, V::CurlCaBundle],
            ClientName::Pip => &[V::PipCert, V::RequestsCaBundle, V::CurlCaBundle],
            ClientName::Node => &[
                V::NodeOptions,
                V::NodeExtraCaCerts,
                V::SslCertFile,
                V::SslCertDir,
            ],
            ClientName::Git => &[V::GitSslCainfo, V::GitSslCapath],
            ClientName::Java => &[V::JavaToolOptions, V::JdkJavaOptions, V::JavaOptions],
        }
    }

    /// The variable that points this client at a PEM bundle; `None` for Java, which reads
    /// none (its trust store is a system property).
    pub fn bundle_variable(self) -> Option<Variable> {
        match self {
            ClientName::Openssl | ClientName::PythonSsl => Some(Variable::SslCertFile),
            ClientName::Curl => Some(Variable::CurlCaBundle),
            ClientName::PythonRequests => Some(Variable::RequestsCaBundle),
            ClientName::Pip => Some(Variable::PipCert),
            ClientName::Node => Some(Variable::NodeExtraCaCerts),
            ClientName::Git => Some(Variable::GitSslCainfo),
            ClientName::Java => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_has_one_row() {
        let all = [
            Variable::SslCertFile,
            Variable::CurlCaBundle,
            Variable::RequestsCaBundle,
            Variable::PipCert,
            Variable::NodeExtraCaCerts,
            Variable::GitSslCainfo,
            Variable::AwsCaBundle,
            Variable::SslCertDir,
            Variable::GitSslCapath,
            Variable::NodeOptions,
            Variable::JavaToolOptions,
            Variable::JdkJavaOptions,
            Variable::JavaOptions,
        ];
        assert_eq!(all.len(), TABLE.len());
        for v in all {
            assert_eq!(TABLE.iter().filter(|r| r.variable == v).count(), 1, "{v:?}");
            assert_eq!(Variable::from_name(v.name()), Some(v));
        }
    }

    #[test]
    fn the_shell_sets_every_store_variable_and_no_option() {
        for row in TABLE {
            let set = SET_BY_SHELL.contains(&row.variable);
            assert_eq!(set, row.target != Target::Options, "{}", row.name);
        }
    }

    /// Each client's own bundle variable is one it reads, and one the shell sets.
    #[test]
    fn bundle_variables_are_read_and_set() {
        for client in ClientName::ALL {
            if let Some(v) = client.bundle_variable() {
                assert!(client.variables().contains(&v), "{client}");
                assert!(SET_BY_SHELL.contains(&v), "{client}");
                assert_eq!(v.target(), Target::Bundle, "{client}");
            }
        }
    }
}

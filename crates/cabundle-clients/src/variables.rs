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
    /// Every variable of the table.
    pub const ALL: [Variable; 13] = [
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

    /// The table: its name, what it points at, and who reads it, in words. A match, so that a
    /// new variable does not compile without its row.
    fn row(self) -> (&'static str, Target, &'static str) {
        match self {
            Variable::SslCertFile => (
                "SSL_CERT_FILE",
                Target::Bundle,
                "OpenSSL and programs linked to it: openssl, curl, Python ssl and urllib, Ruby",
            ),
            Variable::CurlCaBundle => (
                "CURL_CA_BUNDLE",
                Target::Bundle,
                "curl (and Python requests when REQUESTS_CA_BUNDLE is unset)",
            ),
            Variable::RequestsCaBundle => (
                "REQUESTS_CA_BUNDLE",
                Target::Bundle,
                "Python requests, and the tools built on it",
            ),
            Variable::PipCert => ("PIP_CERT", Target::Bundle, "pip"),
            Variable::NodeExtraCaCerts => (
                "NODE_EXTRA_CA_CERTS",
                Target::Bundle,
                "Node.js (added to its bundled roots)",
            ),
            Variable::GitSslCainfo => ("GIT_SSL_CAINFO", Target::Bundle, "git over HTTPS"),
            Variable::AwsCaBundle => ("AWS_CA_BUNDLE", Target::Bundle, "the AWS CLI and SDKs"),
            Variable::SslCertDir => (
                "SSL_CERT_DIR",
                Target::Directory,
                "OpenSSL and programs linked to it (a hashed directory)",
            ),
            Variable::GitSslCapath => (
                "GIT_SSL_CAPATH",
                Target::Directory,
                "git over HTTPS (a hashed directory)",
            ),
            Variable::NodeOptions => (
                "NODE_OPTIONS",
                Target::Options,
                "Node.js (an option to use OpenSSL's or the system's store instead of its own)",
            ),
            Variable::JavaToolOptions => (
                "JAVA_TOOL_OPTIONS",
                Target::Options,
                "Java (the javax.net.ssl.trustStore system property)",
            ),
            Variable::JdkJavaOptions => (
                "JDK_JAVA_OPTIONS",
                Target::Options,
                "Java 9 and later, the java launcher (javax.net.ssl.trustStore)",
            ),
            Variable::JavaOptions => (
                "_JAVA_OPTIONS",
                Target::Options,
                "Java, HotSpot (javax.net.ssl.trustStore)",
            ),
        }
    }

    /// Its name in the environment.
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// What it points at.
    pub fn target(self) -> Target {
        self.row().1
    }

    /// The clients that read it, in words (for help texts).
    pub fn readers(self) -> &'static str {
        self.row().2
    }

    /// The variable called `name`, if it is one of the table.
    pub fn from_name(name: &str) -> Option<Variable> {
        Variable::ALL.into_iter().find(|v| v.name() == name)
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
    fn names_are_distinct_and_found() {
        for v in Variable::ALL {
            assert_eq!(Variable::from_name(v.name()), Some(v));
        }
        assert_eq!(Variable::from_name("HOME"), None);
    }

    #[test]
    fn the_shell_sets_every_store_variable_and_no_option() {
        for v in Variable::ALL {
            let set = SET_BY_SHELL.contains(&v);
            assert_eq!(set, v.target() != Target::Options, "{v}");
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

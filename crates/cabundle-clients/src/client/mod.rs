//! Asking each client where its trusted roots are: one module per client, each with the
//! questions it asks (run by [`Ask`], bounded by the time-out, in the caller's environment)
//! apart from the pure parser of the client's answers, which is tested on captured output of
//! the real client (`tests/captured/`).
//!
//! Every client is asked in its own thread, so the whole takes about as long as the slowest
//! client, and a client that hangs is killed.

mod curl;
mod git;
mod java;
mod node;
mod openssl;
mod pip;
mod python;

use crate::environment::Environment;
use crate::query::{self, Answer, Failure};
use crate::variables::Variable;
use crate::version::ClientVersion;
use std::path::PathBuf;
use std::time::Duration;

/// The clients [`discover`] knows, in the order it reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClientName {
    /// The `openssl` command (and what links OpenSSL with its defaults).
    Openssl,
    /// The `curl` command.
    Curl,
    /// Python's `ssl` module (and `urllib`).
    PythonSsl,
    /// The Python `requests` package.
    PythonRequests,
    /// `pip`.
    Pip,
    /// Node.js.
    Node,
    /// git over HTTPS.
    Git,
    /// Java (JSSE).
    Java,
}

impl ClientName {
    /// Every client, in report order.
    pub const ALL: [ClientName; 8] = [
        ClientName::Openssl,
        ClientName::Curl,
        ClientName::PythonSsl,
        ClientName::PythonRequests,
        ClientName::Pip,
        ClientName::Node,
        ClientName::Git,
        ClientName::Java,
    ];

    /// Its name in reports: `openssl`, `curl`, `python-ssl`, `python-requests`, `pip`,
    /// `node`, `git`, `java`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientName::Openssl => "openssl",
            ClientName::Curl => "curl",
            ClientName::PythonSsl => "python-ssl",
            ClientName::PythonRequests => "python-requests",
            ClientName::Pip => "pip",
            ClientName::Node => "node",
            ClientName::Git => "git",
            ClientName::Java => "java",
        }
    }
}

impl std::fmt::Display for ClientName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a client's choice of store came from. A client may have several (a file from one
/// variable, a directory from another); [`Client::source_text`] joins them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A variable that names the store: `env NAME`.
    Env(Variable),
    /// An option of the client in a variable: `env NODE_OPTIONS OPTION`.
    EnvOption {
        /// The variable.
        var: Variable,
        /// The option, as the client spells it.
        option: &'static str,
    },
    /// A Java system property in a variable: `env JAVA_TOOL_OPTIONS (PROPERTY)`.
    EnvProperty {
        /// The variable.
        var: Variable,
        /// The property.
        property: &'static str,
    },
    /// A setting of the client's configuration: `config KEY (ORIGIN)`, or `config KEY` when
    /// the client does not say which file.
    Config {
        /// The setting, as the client names it (`http.sslCAInfo`, `global.cert`).
        key: String,
        /// Where it is set, as the client says it (`file:/etc/gitconfig`).
        origin: Option<String>,
    },
    /// A Java system property given on the command line: `system property NAME`.
    SystemProperty(&'static str),
    /// The `certifi` package `requests` finds: `certifi`.
    Certifi,
    /// pip's own copy of certifi: `bundled certifi`.
    BundledCertifi,
    /// Roots compiled into the client (Node.js): `bundled`.
    Bundled,
    /// The operating system's store, through the `truststore` package (pip):
    /// `system store (truststore)`.
    SystemStore,
    /// The client's build default: `built-in default`.
    BuiltIn,
    /// libcurl's build default, for a client that leaves the choice to it (git):
    /// `built-in default (libcurl)`.
    LibcurlDefault,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Env(var) => write!(f, "env {var}"),
            Source::EnvOption { var, option } => write!(f, "env {var} {option}"),
            Source::EnvProperty { var, property } => write!(f, "env {var} ({property})"),
            Source::Config {
                key,
                origin: Some(origin),
            } => write!(f, "config {key} ({origin})"),
            Source::Config { key, origin: None } => write!(f, "config {key}"),
            Source::SystemProperty(name) => write!(f, "system property {name}"),
            Source::Certifi => f.write_str("certifi"),
            Source::BundledCertifi => f.write_str("bundled certifi"),
            Source::Bundled => f.write_str("bundled"),
            Source::SystemStore => f.write_str("system store (truststore)"),
            Source::BuiltIn => f.write_str("built-in default"),
            Source::LibcurlDefault => f.write_str("built-in default (libcurl)"),
        }
    }
}

/// Where a client's trusted roots are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Store {
    /// The bundle file (for Java, its keystore).
    pub file: Option<PathBuf>,
    /// The hashed directory (or directories, joined as in `PATH`).
    pub dir: Option<PathBuf>,
    /// Certificates the client listed itself, PEM: Node's bundled roots, a Java keystore as
    /// `keytool` lists it.
    pub reported: Option<String>,
    /// `file` is a Java keystore, read through `reported`, not a PEM or DER bundle.
    pub file_is_keystore: bool,
}

impl Store {
    /// A store of a bundle file and a directory.
    pub(crate) fn paths(file: Option<PathBuf>, dir: Option<PathBuf>) -> Store {
        Store {
            file,
            dir,
            ..Store::default()
        }
    }
}

/// What [`discover`] found about one client.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Client {
    /// Which client.
    pub name: ClientName,
    /// Whether it is installed (found on the `PATH` and answering).
    pub present: bool,
    /// Its version, as it reports it.
    pub version: Option<ClientVersion>,
    /// Its store.
    pub store: Store,
    /// Where the choice of store came from; empty when absent or unknown.
    pub source: Vec<Source>,
    /// Why the store could not be found, when it could not (a query failed or timed out).
    pub unknown: Option<String>,
}

impl Client {
    pub(crate) fn absent(name: ClientName) -> Client {
        Client {
            name,
            present: false,
            version: None,
            store: Store::default(),
            source: Vec::new(),
            unknown: None,
        }
    }

    pub(crate) fn unknown(name: ClientName, version: Option<ClientVersion>, why: String) -> Client {
        Client {
            present: true,
            version,
            unknown: Some(why),
            ..Client::absent(name)
        }
    }

    pub(crate) fn found(
        name: ClientName,
        version: Option<ClientVersion>,
        store: Store,
        source: Vec<Source>,
    ) -> Client {
        Client {
            name,
            present: true,
            version,
            store,
            source,
            unknown: None,
        }
    }

    /// Where the choice of store came from, in words: `env NAME` (several joined by `, `),
    /// `config KEY (ORIGIN)`, `certifi`, `bundled`, `system property NAME`,
    /// `built-in default`; empty when absent or unknown.
    pub fn source_text(&self) -> String {
        let words: Vec<String> = self.source.iter().map(Source::to_string).collect();
        words.join(", ")
    }

    /// Whether the client takes any certificate of its store as a trust anchor, an
    /// intermediate too, rather than only self-signed roots: curl on OpenSSL from 7.68, and
    /// Python's `ssl` and `requests` (urllib3) from Python 3.13, set OpenSSL's partial-chain
    /// flag; the entries of a Java truststore are all anchors. Read from
    /// [`Client::version`]; `false` when it does not tell.
    pub fn anchors_any_certificate(&self) -> bool {
        use crate::Version;
        let version = self.version.as_ref();
        let release = version.and_then(|v| v.release);
        let python = version.and_then(|v| v.python);
        match self.name {
            ClientName::Curl => {
                version
                    .and_then(|v| v.tls)
                    .is_some_and(|t| t.is_openssl_family())
                    && release >= Some(Version::new(7, 68, 0))
            }
            ClientName::PythonSsl | ClientName::PythonRequests => {
                python >= Some(Version::new(3, 13, 0))
            }
            ClientName::Java => true,
            ClientName::Openssl | ClientName::Pip | ClientName::Node | ClientName::Git => false,
        }
    }

    /// Whether the client verifies with OpenSSL's `X509_V_FLAG_X509_STRICT`: Python's `ssl` and
    /// `requests` from Python 3.13 (`ssl.VERIFY_X509_STRICT` in the default context). Read
    /// from [`Client::version`]; `false` when it does not tell.
    pub fn is_strict(&self) -> bool {
        use crate::Version;
        match self.name {
            ClientName::PythonSsl | ClientName::PythonRequests => self
                .version
                .as_ref()
                .and_then(|v| v.python)
                .is_some_and(|p| p >= Version::new(3, 13, 0)),
            ClientName::Openssl
            | ClientName::Curl
            | ClientName::Pip
            | ClientName::Node
            | ClientName::Git
            | ClientName::Java => false,
        }
    }

    /// Whether the client takes the certificate's common name for the host name when no
    /// subjectAltName entry is a DNS name: OpenSSL's `X509_check_host` does (curl, Python's
    /// `ssl`, git), and so do Node and Java; `requests` on urllib3 2 or later does not. pip
    /// carries urllib3 1.
    pub fn matches_common_name(&self) -> bool {
        use crate::Version;
        match self.name {
            ClientName::PythonRequests => self
                .version
                .as_ref()
                .and_then(|v| v.urllib3)
                .is_none_or(|u| u < Version::new(2, 0, 0)),
            ClientName::Openssl
            | ClientName::Curl
            | ClientName::PythonSsl
            | ClientName::Pip
            | ClientName::Node
            | ClientName::Git
            | ClientName::Java => true,
        }
    }
}

/// Asks every client of [`ClientName::ALL`] where its store is, in `env`, each query killed
/// after `timeout`. Clients run in parallel; the result is in [`ClientName::ALL`] order.
pub fn discover(env: &Environment, timeout: Duration) -> Vec<Client> {
    let ask = Ask { env, timeout };
    let mut found: Vec<Client> = std::thread::scope(|s| {
        let handles = [
            s.spawn(|| vec![openssl::ask(&ask)]),
            s.spawn(|| vec![curl::ask(&ask)]),
            s.spawn(|| python::ask(&ask).to_vec()),
            s.spawn(|| vec![pip::ask(&ask)]),
            s.spawn(|| vec![node::ask(&ask)]),
            s.spawn(|| vec![git::ask(&ask)]),
            s.spawn(|| vec![java::ask(&ask)]),
        ];
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // pip on the system store (truststore) reads what Python's ssl module reads.
    let python_ssl = found
        .iter()
        .find(|c| c.name == ClientName::PythonSsl && c.present && c.unknown.is_none())
        .map(|c| c.store.clone());
    for c in &mut found {
        if c.name == ClientName::Pip && c.source == [Source::SystemStore] {
            match &python_ssl {
                Some(store) => c.store = store.clone(),
                None => c.unknown = Some("Python's ssl defaults are unknown".to_owned()),
            }
        }
    }
    found.sort_by_key(|c| c.name);
    found
}

/// How the clients are asked: in which environment, and how long each question may take.
pub(crate) struct Ask<'a> {
    pub env: &'a Environment,
    pub timeout: Duration,
}

impl Ask<'_> {
    /// Runs `program args` in the caller's environment.
    fn run(&self, program: &str, args: &[&str]) -> Result<Answer, Failure> {
        self.run_in(program, args, self.env)
    }

    /// Runs `program args` in `env`.
    fn run_in(&self, program: &str, args: &[&str], env: &Environment) -> Result<Answer, Failure> {
        query::run(program, args, env.pairs(), self.timeout)
    }

    /// The answer of a client's main question, or the client as absent (not installed, or a
    /// version-manager shim with no such program) or unknown (it failed or timed out);
    /// `what` names the question in the reason.
    fn answer(
        &self,
        name: ClientName,
        what: &str,
        result: Result<Answer, Failure>,
    ) -> Result<Answer, Box<Client>> {
        let client = match result {
            Ok(a) if a.success => return Ok(a),
            Ok(a) if a.stderr.contains("pyenv: ") || a.stderr.contains("command not found") => {
                Client::absent(name)
            }
            // One line of what the program said: its output may be long, or hostile.
            Ok(a) => Client::unknown(
                name,
                None,
                format!(
                    "{what} failed: {}",
                    first_line(&a.stderr).unwrap_or_default()
                ),
            ),
            Err(Failure::NotFound) => Client::absent(name),
            Err(e) => Client::unknown(name, None, format!("{what} {e}")),
        };
        Err(Box::new(client))
    }
}

/// The first line of `text` that is not blank, trimmed.
fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

/// The first `n` words of a line.
fn words(line: &str, n: usize) -> String {
    line.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A path that is a directory goes to `dir` (requests and pip accept either). Reads the file
/// system: for the edges only.
fn file_or_dir(path: Option<PathBuf>) -> Store {
    match path {
        Some(p) if p.is_dir() => Store::paths(None, Some(p)),
        file => Store::paths(file, None),
    }
}

/// `env A, env B` for the variables of `vars` that are set.
fn env_sources(env: &Environment, vars: &[Variable]) -> Vec<Source> {
    vars.iter()
        .filter(|v| env.var(**v).is_some())
        .map(|v| Source::Env(*v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TlsLibrary, Version};
    use std::ffi::OsString;

    #[test]
    fn which_clients_anchor_at_any_certificate() {
        let v = |s: &str| Version::parse(s);
        let version = |release: &str, python: &str, tls: Option<TlsLibrary>| {
            ClientVersion::new(format!("x {release}"))
                .with_python(v(python))
                .with_tls(tls)
        };
        let openssl = Some(TlsLibrary::OpenSsl);
        let cases = [
            (ClientName::Curl, version("7.88.1", "", openssl), true),
            (ClientName::Curl, version("7.67.0", "", openssl), false),
            (
                ClientName::Curl,
                version("8.7.1", "", Some(TlsLibrary::SecureTransport)),
                false,
            ),
            (
                ClientName::Curl,
                version("8.5.0", "", Some(TlsLibrary::GnuTls)),
                false,
            ),
            (ClientName::Curl, version("8.5.0", "", None), false),
            (
                ClientName::PythonSsl,
                version("3.11.7", "3.11.7", None),
                false,
            ),
            (
                ClientName::PythonSsl,
                version("3.13.1", "3.13.1", None),
                true,
            ),
            (
                ClientName::PythonRequests,
                version("2.32.3", "3.13.1", None),
                true,
            ),
            (
                ClientName::PythonRequests,
                version("3.13.0", "3.12.4", None),
                false,
            ),
            (
                ClientName::PythonRequests,
                version("2.32.3", "", None),
                false,
            ),
            (ClientName::Java, version("", "", None), true),
            (ClientName::Node, version("v20.20.2", "", None), false),
            (ClientName::Openssl, version("3.0.19", "", None), false),
        ];
        for (name, version, expected) in cases {
            let text = format!("{name} {version:?}");
            let client = Client::found(name, Some(version), Store::default(), Vec::new());
            assert_eq!(client.anchors_any_certificate(), expected, "{text}");
            // Python from 3.13 is the strict one; Java takes any anchor but is not strict.
            let strict = expected && name != ClientName::Java && name != ClientName::Curl;
            assert_eq!(client.is_strict(), strict, "{text}");
        }
    }

    #[test]
    fn sources_in_words() {
        let cases = [
            (Source::Env(Variable::SslCertFile), "env SSL_CERT_FILE"),
            (
                Source::EnvOption {
                    var: Variable::NodeOptions,
                    option: "--use-openssl-ca",
                },
                "env NODE_OPTIONS --use-openssl-ca",
            ),
            (
                Source::EnvProperty {
                    var: Variable::JavaToolOptions,
                    property: "javax.net.ssl.trustStore",
                },
                "env JAVA_TOOL_OPTIONS (javax.net.ssl.trustStore)",
            ),
            (
                Source::Config {
                    key: "http.sslCAInfo".to_owned(),
                    origin: Some("file:/etc/gitconfig".to_owned()),
                },
                "config http.sslCAInfo (file:/etc/gitconfig)",
            ),
            (
                Source::Config {
                    key: "global.cert".to_owned(),
                    origin: None,
                },
                "config global.cert",
            ),
            (
                Source::SystemProperty("javax.net.ssl.trustStore"),
                "system property javax.net.ssl.trustStore",
            ),
            (Source::Certifi, "certifi"),
            (Source::BundledCertifi, "bundled certifi"),
            (Source::Bundled, "bundled"),
            (Source::SystemStore, "system store (truststore)"),
            (Source::BuiltIn, "built-in default"),
            (Source::LibcurlDefault, "built-in default (libcurl)"),
        ];
        for (source, expected) in cases {
            assert_eq!(source.to_string(), expected);
        }
    }

    #[test]
    fn sources_from_environment() {
        let env = Environment::new([
            (OsString::from("SSL_CERT_DIR"), OsString::from("/d")),
            (OsString::from("SSL_CERT_FILE"), OsString::new()),
        ]);
        let cases: [(&[Variable], &[Source]); 3] = [
            (
                &[Variable::SslCertFile, Variable::SslCertDir],
                &[Source::Env(Variable::SslCertDir)],
            ),
            (&[Variable::SslCertFile], &[]),
            (&[Variable::PipCert], &[]),
        ];
        for (vars, expected) in cases {
            assert_eq!(env_sources(&env, vars), expected, "{vars:?}");
        }
    }
}

//! Asking each client where its trusted roots are: runs programs, reads nothing else.
//!
//! Every client is asked in its own thread, each query bounded by the time-out, so the whole
//! takes about as long as the slowest client and a client that hangs is killed.

use crate::query::{self, Answer, Failure};
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

    fn path(&self, name: &str) -> Option<PathBuf> {
        self.get(name).map(PathBuf::from)
    }

    fn without(&self, names: &[&str]) -> Vec<(OsString, OsString)> {
        self.vars
            .iter()
            .filter(|(k, _)| !names.iter().any(|n| k == n))
            .cloned()
            .collect()
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

/// What [`discover`] found about one client.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Client {
    /// Which client.
    pub name: ClientName,
    /// Whether it is installed (found on the `PATH` and answering).
    pub present: bool,
    /// Its version, as it reports it.
    pub version: Option<String>,
    /// Its store.
    pub store: Store,
    /// Where the choice of store came from: `env NAME` (several joined by `, `),
    /// `config KEY (ORIGIN)`, `certifi`, `bundled`, `system property NAME`,
    /// `built-in default`; empty when absent or unknown.
    pub source: String,
    /// Why the store could not be found, when it could not (a query failed or timed out).
    pub unknown: Option<String>,
}

impl Client {
    fn absent(name: ClientName) -> Client {
        Client {
            name,
            present: false,
            version: None,
            store: Store::default(),
            source: String::new(),
            unknown: None,
        }
    }

    fn unknown(name: ClientName, version: Option<String>, why: String) -> Client {
        Client {
            present: true,
            version,
            unknown: Some(why),
            ..Client::absent(name)
        }
    }

    fn found(name: ClientName, version: Option<String>, store: Store, source: String) -> Client {
        Client {
            name,
            present: true,
            version,
            store,
            source,
            unknown: None,
        }
    }

    /// Whether the client takes any certificate of its store as a trust anchor, an
    /// intermediate too, rather than only self-signed roots: curl on OpenSSL from 7.68, and
    /// Python's `ssl` and `requests` (urllib3) from Python 3.13, set OpenSSL's partial-chain
    /// flag; the entries of a Java truststore are all anchors. Read from
    /// [`Client::version`]; `false` when it does not tell.
    pub fn anchors_any_certificate(&self) -> bool {
        let version = self.version.as_deref().unwrap_or_default();
        // Whether the release after `word` is at least `want`: `curl 7.88.1 ...`,
        // `requests 2.32.3 (Python 3.13.1)`.
        let after = |word: &str, want: (u32, u32)| {
            let mut words = version.split_whitespace();
            words.find(|w| w.trim_start_matches('(') == word).is_some()
                && words.next().is_some_and(|v| at_least(v, want))
        };
        match self.name {
            ClientName::Curl => {
                let openssl = ["OpenSSL/", "LibreSSL/", "BoringSSL"]
                    .iter()
                    .any(|p| version.contains(p));
                openssl && after("curl", (7, 68))
            }
            ClientName::PythonSsl | ClientName::PythonRequests => after("Python", (3, 13)),
            ClientName::Java => true,
            _ => false,
        }
    }
}

/// Asks every client of [`ClientName::ALL`] where its store is, in `env`, each query killed
/// after `timeout`. Clients run in parallel; the result is in [`ClientName::ALL`] order.
pub fn discover(env: &Environment, timeout: Duration) -> Vec<Client> {
    let ask = Ask { env, timeout };
    let mut found: Vec<Client> = std::thread::scope(|s| {
        let handles = [
            s.spawn(|| vec![ask.openssl()]),
            s.spawn(|| vec![ask.curl()]),
            s.spawn(|| ask.python()),
            s.spawn(|| vec![ask.pip()]),
            s.spawn(|| vec![ask.node()]),
            s.spawn(|| vec![ask.git()]),
            s.spawn(|| vec![ask.java()]),
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
        if c.name == ClientName::Pip && c.source == TRUSTSTORE {
            match &python_ssl {
                Some(store) => c.store = store.clone(),
                None => c.unknown = Some("Python's ssl defaults are unknown".to_owned()),
            }
        }
    }
    found.sort_by_key(|c| c.name);
    found
}

const TRUSTSTORE: &str = "system store (truststore)";
const BUILT_IN: &str = "built-in default";
#[cfg(windows)]
const PYTHON: &str = "python";
#[cfg(not(windows))]
const PYTHON: &str = "python3";
#[cfg(windows)]
const NULL_DEVICE: &str = "NUL";
#[cfg(not(windows))]
const NULL_DEVICE: &str = "/dev/null";

struct Ask<'a> {
    env: &'a Environment,
    timeout: Duration,
}

/// `env A, env B` for the variables of `names` that are set, or `None`.
fn env_source(env: &Environment, names: &[&str]) -> Option<String> {
    let set: Vec<String> = names
        .iter()
        .filter(|n| env.get(n).is_some())
        .map(|n| format!("env {n}"))
        .collect();
    (!set.is_empty()).then(|| set.join(", "))
}

fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

impl Ask<'_> {
    fn run(&self, program: &str, args: &[&str]) -> Result<Answer, Failure> {
        self.run_in(program, args, &self.env.vars)
    }

    fn run_in(
        &self,
        program: &str,
        args: &[&str],
        env: &[(OsString, OsString)],
    ) -> Result<Answer, Failure> {
        query::run(program, args, env, self.timeout)
    }

    fn openssl(&self) -> Client {
        let name = ClientName::Openssl;
        let answer = match self.run("openssl", &["version", "-v", "-d"]) {
            Ok(a) if a.success => a,
            Ok(a) => {
                return Client::unknown(
                    name,
                    None,
                    format!("openssl version -d failed: {}", a.stderr.trim()),
                );
            }
            Err(Failure::NotFound) => return Client::absent(name),
            Err(e) => return Client::unknown(name, None, format!("openssl version -d {e}")),
        };
        let version = first_line(&answer.stdout).map(|l| words(&l, 2));
        let Some(dir) = openssl_dir(&answer.stdout) else {
            return Client::unknown(
                name,
                version,
                "openssl version -d printed no OPENSSLDIR".to_owned(),
            );
        };
        let store = Store {
            file: Some(
                self.env
                    .path("SSL_CERT_FILE")
                    .unwrap_or_else(|| dir.join("cert.pem")),
            ),
            dir: Some(
                self.env
                    .path("SSL_CERT_DIR")
                    .unwrap_or_else(|| dir.join("certs")),
            ),
            ..Store::default()
        };
        let source = env_source(self.env, &["SSL_CERT_FILE", "SSL_CERT_DIR"])
            .unwrap_or_else(|| BUILT_IN.to_owned());
        Client::found(name, version, store, source)
    }

    fn curl(&self) -> Client {
        let name = ClientName::Curl;
        let version = match self.run("curl", &["-V"]) {
            // "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.19 zlib/..."
            Ok(a) => first_line(&a.stdout).map(|l| {
                let tls = l.split_whitespace().find(|w| {
                    [
                        "OpenSSL/",
                        "LibreSSL/",
                        "BoringSSL",
                        "Schannel",
                        "SecureTransport",
                        "GnuTLS/",
                        "wolfSSL/",
                        "mbedTLS/",
                        "rustls-ffi/",
                    ]
                    .iter()
                    .any(|p| w.starts_with(p))
                });
                match tls {
                    Some(t) => format!("{} {t}", words(&l, 2)),
                    None => words(&l, 2),
                }
            }),
            Err(Failure::NotFound) => return Client::absent(name),
            Err(e) => return Client::unknown(name, None, format!("curl -V {e}")),
        };
        let (file, dir) = match self.curl_paths(&self.env.vars, false) {
            Ok(paths) => paths,
            Err(why) => return Client::unknown(name, version, why),
        };
        let env_named = |var: &str, value: &Option<PathBuf>| {
            value.is_some() && self.env.path(var).as_ref() == value.as_ref()
        };
        let mut from = Vec::new();
        if env_named("CURL_CA_BUNDLE", &file) {
            from.push("env CURL_CA_BUNDLE");
        } else if env_named("SSL_CERT_FILE", &file) {
            from.push("env SSL_CERT_FILE");
        }
        if env_named("SSL_CERT_DIR", &dir) {
            from.push("env SSL_CERT_DIR");
        }
        let source = if from.is_empty() {
            BUILT_IN.to_owned()
        } else {
            from.join(", ")
        };
        let store = Store {
            file,
            dir,
            ..Store::default()
        };
        Client::found(name, version, store, source)
    }

    /// The CA file and directory curl uses, as curl itself reports them: it is pointed at a
    /// loopback listener that reads its first bytes and hangs up, and its `-v` trace names
    /// them. Without that trace (a TLS backend that does not print it), `curl-config --ca`.
    /// `clean` asks for libcurl's built-in defaults (no variables, no `.curlrc`).
    fn curl_paths(
        &self,
        env: &[(OsString, OsString)],
        clean: bool,
    ) -> Result<(Option<PathBuf>, Option<PathBuf>), String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| format!("cannot listen on the loopback interface: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on the loopback interface: {e}"))?
            .port();
        let url = format!("https://127.0.0.1:{port}/");
        let deadline = Instant::now() + self.timeout;
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        let mut args = vec!["-v", "-s", "-o", NULL_DEVICE, "--noproxy", "*", &url];
        if clean {
            args.insert(0, "-q");
        }
        let answer = std::thread::scope(|s| {
            s.spawn(|| {
                while Instant::now() < deadline {
                    match listener.accept() {
                        Ok((mut conn, _)) => {
                            let _ = conn.set_nonblocking(false);
                            let _ = conn.set_read_timeout(Some(self.timeout));
                            let mut hello = [0u8; 5];
                            let _ = conn.read(&mut hello);
                            return;
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            });
            self.run_in("curl", &args, env)
        });
        let answer = answer.map_err(|e| format!("curl {e}"))?;
        if let Some(paths) = curl_trace_paths(&answer.stderr) {
            return Ok(paths);
        }
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        match self.run_in("curl-config", &["--ca"], env) {
            Ok(a) if a.success && !a.stdout.trim().is_empty() => {
                Ok((Some(PathBuf::from(a.stdout.trim())), None))
            }
            _ => {
                Err("curl did not report its CA file, and curl-config is not installed".to_owned())
            }
        }
    }

    fn python(&self) -> Vec<Client> {
        const SCRIPT: &str = r#"import json, ssl, sys
p = ssl.get_default_verify_paths()
r = None
try:
    import requests, requests.utils
    r = {"version": requests.__version__, "where": requests.utils.DEFAULT_CA_BUNDLE_PATH}
except Exception:
    pass
print(json.dumps({"version": sys.version.split()[0], "cafile_env": p.openssl_cafile_env,
    "cafile": p.openssl_cafile, "capath_env": p.openssl_capath_env,
    "capath": p.openssl_capath, "requests": r}))
"#;
        let (ssl, requests) = (ClientName::PythonSsl, ClientName::PythonRequests);
        let answer = match self.run(PYTHON, &["-c", SCRIPT]) {
            Ok(a) if a.success => a,
            Ok(a) if a.stderr.contains("pyenv: ") || a.stderr.contains("command not found") => {
                return vec![Client::absent(ssl), Client::absent(requests)];
            }
            Ok(a) => {
                let why = format!("{PYTHON} failed: {}", a.stderr.trim());
                return vec![
                    Client::unknown(ssl, None, why.clone()),
                    Client::unknown(requests, None, why),
                ];
            }
            Err(Failure::NotFound) => return vec![Client::absent(ssl), Client::absent(requests)],
            Err(e) => {
                let why = format!("{PYTHON} {e}");
                return vec![
                    Client::unknown(ssl, None, why.clone()),
                    Client::unknown(requests, None, why),
                ];
            }
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(answer.stdout.trim()) else {
            let why = format!("{PYTHON} printed something else than its paths");
            return vec![
                Client::unknown(ssl, None, why.clone()),
                Client::unknown(requests, None, why),
            ];
        };
        let text = |key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_owned);
        let version = text("version").map(|x| format!("Python {x}"));
        let var_or = |env_key: &str, default_key: &str| {
            let var = text(env_key).unwrap_or_default();
            let from_env = self.env.path(&var);
            let used = from_env.is_some();
            (
                from_env.or_else(|| text(default_key).map(PathBuf::from)),
                used.then_some(var),
            )
        };
        let (file, file_var) = var_or("cafile_env", "cafile");
        let (dir, dir_var) = var_or("capath_env", "capath");
        let vars: Vec<String> = [file_var, dir_var]
            .into_iter()
            .flatten()
            .map(|n| format!("env {n}"))
            .collect();
        let source = if vars.is_empty() {
            BUILT_IN.to_owned()
        } else {
            vars.join(", ")
        };
        let ssl_client = Client::found(
            ssl,
            version.clone(),
            Store {
                file,
                dir,
                ..Store::default()
            },
            source,
        );
        let requests_client = match v.get("requests").filter(|r| !r.is_null()) {
            None => Client::absent(requests),
            Some(r) => {
                let version = r
                    .get("version")
                    .and_then(|x| x.as_str())
                    .map(|x| match &version {
                        // The Python it runs on decides its verification flags.
                        Some(python) => format!("requests {x} ({python})"),
                        None => format!("requests {x}"),
                    });
                let (path, source) = if let Some(p) = self.env.path("REQUESTS_CA_BUNDLE") {
                    (Some(p), "env REQUESTS_CA_BUNDLE".to_owned())
                } else if let Some(p) = self.env.path("CURL_CA_BUNDLE") {
                    (Some(p), "env CURL_CA_BUNDLE".to_owned())
                } else {
                    let where_ = r.get("where").and_then(|x| x.as_str()).map(PathBuf::from);
                    let certifi = where_
                        .as_ref()
                        .is_some_and(|p| p.components().any(|c| c.as_os_str() == "certifi"));
                    (
                        where_,
                        if certifi { "certifi" } else { BUILT_IN }.to_owned(),
                    )
                };
                Client::found(requests, version, file_or_dir(path), source)
            }
        };
        vec![ssl_client, requests_client]
    }

    fn pip(&self) -> Client {
        let name = ClientName::Pip;
        // `pip debug` says in one run what would otherwise take three: the version, where
        // pip is, its bundled certifi and whether a `cert` setting is configured.
        let answer = match self.run("pip", &["debug"]) {
            Ok(a) if a.success => a,
            Ok(a) if a.stderr.contains("pyenv: ") || a.stderr.contains("command not found") => {
                return Client::absent(name);
            }
            Ok(a) => {
                let why = format!("pip debug failed: {}", a.stderr.trim());
                return Client::unknown(name, None, why);
            }
            Err(Failure::NotFound) => return Client::absent(name),
            Err(e) => return Client::unknown(name, None, format!("pip debug {e}")),
        };
        let field = |key: &str| {
            answer.stdout.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|rest| rest.strip_prefix(": "))
                    .map(|v| v.trim().to_owned())
            })
        };
        // "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.11)"
        let line = field("pip version").unwrap_or_default();
        let version = line
            .split(" from ")
            .next()
            .map(str::to_owned)
            .filter(|v| !v.is_empty());
        let python_version = line
            .rsplit_once(" (python ")
            .map(|(_, py)| py.trim_end_matches(')').to_owned())
            .unwrap_or_default();
        let certifi = field("pip._vendor.certifi.where()").map(PathBuf::from);
        let configured = field("'cert' config value").is_some_and(|v| v != "Not specified");
        let (path, source) = if let Some(p) = self.env.path("PIP_CERT") {
            (Some(p), "env PIP_CERT".to_owned())
        } else if let Some((key, value)) = configured.then(|| self.pip_config_cert()).flatten() {
            (Some(PathBuf::from(value)), format!("config {key}"))
        } else if let Some(p) = self.env.path("REQUESTS_CA_BUNDLE") {
            (Some(p), "env REQUESTS_CA_BUNDLE".to_owned())
        } else if let Some(p) = self.env.path("CURL_CA_BUNDLE") {
            (Some(p), "env CURL_CA_BUNDLE".to_owned())
        } else {
            let pip_version = version
                .as_deref()
                .and_then(|v| v.strip_prefix("pip "))
                .unwrap_or("");
            // pip 24.2 and later use the system store through truststore on Python 3.10+.
            if at_least(pip_version, (24, 2)) && at_least(&python_version, (3, 10)) {
                return Client::found(name, version, Store::default(), TRUSTSTORE.to_owned());
            }
            match certifi {
                Some(p) => (Some(p), "bundled certifi".to_owned()),
                None => {
                    let why = "pip debug did not say where its certifi is".to_owned();
                    return Client::unknown(name, version, why);
                }
            }
        };
        Client::found(name, version, file_or_dir(path), source)
    }

    /// The `cert` setting of pip's configuration files: its key and value.
    fn pip_config_cert(&self) -> Option<(String, String)> {
        let a = self
            .run("pip", &["config", "list"])
            .ok()
            .filter(|a| a.success)?;
        a.stdout.lines().find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.ends_with(".cert") && !key.starts_with(":env:")).then(|| {
                (
                    key.to_owned(),
                    value.trim().trim_matches(['\'', '"']).to_owned(),
                )
            })
        })
    }

    fn node(&self) -> Client {
        const SCRIPT: &str = "process.stdout.write(JSON.stringify({version: process.version, roots: require('tls').rootCertificates}))";
        let name = ClientName::Node;
        let answer = match self.run("node", &["-e", SCRIPT]) {
            Ok(a) if a.success => a,
            Ok(a) => {
                return Client::unknown(name, None, format!("node failed: {}", a.stderr.trim()));
            }
            Err(Failure::NotFound) => return Client::absent(name),
            Err(e) => return Client::unknown(name, None, format!("node {e}")),
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(answer.stdout.trim()) else {
            return Client::unknown(
                name,
                None,
                "node printed something else than its roots".to_owned(),
            );
        };
        let version = v
            .get("version")
            .and_then(|x| x.as_str())
            .map(|x| format!("Node.js {x}"));
        let extra = self.env.path("NODE_EXTRA_CA_CERTS");
        let options = self
            .env
            .get("NODE_OPTIONS")
            .map(|o| o.to_string_lossy().into_owned())
            .unwrap_or_default();
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        let flag = ["--use-openssl-ca", "--use-system-ca"]
            .into_iter()
            .find(|f| options.split_whitespace().any(|o| o == *f));
        let mut from = Vec::new();
        let store = if let Some(flag) = flag {
            from.push(format!("env NODE_OPTIONS {flag}"));
            Store {
                file: self.env.path("SSL_CERT_FILE").or(extra.clone()),
                dir: self.env.path("SSL_CERT_DIR"),
                ..Store::default()
            }
        } else {
            from.push("bundled".to_owned());
            let roots: Vec<&str> = v
                .get("roots")
                .and_then(|r| r.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            Store {
                file: extra.clone(),
                reported: Some(roots.join("\n")),
                ..Store::default()
            }
        };
        if extra.is_some() {
            from.push("env NODE_EXTRA_CA_CERTS".to_owned());
        }
        Client::found(name, version, store, from.join(", "))
    }

    fn git(&self) -> Client {
        let name = ClientName::Git;
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        let version = match self.run("git", &["--version"]) {
            Ok(a) => first_line(&a.stdout),
            Err(Failure::NotFound) => return Client::absent(name),
            // tidy: allow(flag-text): options of the client program run here, not of cabundle
            Err(e) => return Client::unknown(name, None, format!("git --version {e}")),
        };
        let config = |key: &str| -> Option<(PathBuf, String)> {
            let a = self
                .run(
                    "git",
                    // tidy: allow(flag-text): options of the client program run here, not of cabundle
                    &["config", "--show-origin", "--type=path", "--get", key],
                )
                .ok()
                .filter(|a| a.success)?;
            let (origin, value) = a.stdout.trim_end().split_once('\t')?;
            Some((PathBuf::from(value), format!("config {key} ({origin})")))
        };
        let mut from = Vec::new();
        let mut pick = |var: &str, key: &str| -> Option<PathBuf> {
            if let Some(p) = self.env.path(var) {
                from.push(format!("env {var}"));
                Some(p)
            } else if let Some((p, src)) = config(key) {
                from.push(src);
                Some(p)
            } else {
                None
            }
        };
        let file = pick("GIT_SSL_CAINFO", "http.sslCAInfo");
        let dir = pick("GIT_SSL_CAPATH", "http.sslCAPath");
        if file.is_none() && dir.is_none() {
            // git leaves the choice to libcurl, whose defaults are the curl build's.
            let clean = self
                .env
                .without(&["CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"]);
            return match self.curl_paths(&clean, true) {
                Ok((file, dir)) => Client::found(
                    name,
                    version,
                    Store {
                        file,
                        dir,
                        ..Store::default()
                    },
                    format!("{BUILT_IN} (libcurl)"),
                ),
                Err(why) => Client::unknown(
                    name,
                    version,
                    format!("libcurl's default is unknown: {why}"),
                ),
            };
        }
        let store = Store {
            file,
            dir,
            ..Store::default()
        };
        Client::found(name, version, store, from.join(", "))
    }

    fn java(&self) -> Client {
        let name = ClientName::Java;
        let answer = match self.run(
            "java",
            &[
                "-XX:+IgnoreUnrecognizedVMOptions",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-XshowSettings:properties",
                "-version",
            ],
        ) {
            Ok(a) if a.success => a,
            Ok(a) => {
                return Client::unknown(
                    name,
                    None,
                    format!("java -version failed: {}", a.stderr.trim()),
                );
            }
            Err(Failure::NotFound) => return Client::absent(name),
            Err(e) => return Client::unknown(name, None, format!("java -XshowSettings {e}")),
        };
        let property = |key: &str| {
            answer.stderr.lines().find_map(|l| {
                let (k, v) = l.split_once(" = ")?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
        };
        let version = property("java.version").map(|v| format!("Java {v}"));
        let Some(home) = property("java.home").map(PathBuf::from) else {
            return Client::unknown(name, version, "java printed no java.home".to_owned());
        };
        let (file, source) = match property("javax.net.ssl.trustStore") {
            Some(store) => {
                let carrier = ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"]
                    .into_iter()
                    .find(|var| {
                        self.env.get(var).is_some_and(|v| {
                            v.to_string_lossy().contains("javax.net.ssl.trustStore=")
                        })
                    });
                let source = match carrier {
                    Some(var) => format!("env {var} (javax.net.ssl.trustStore)"),
                    None => "system property javax.net.ssl.trustStore".to_owned(),
                };
                (PathBuf::from(store), source)
            }
            None => {
                let security = home.join("lib").join("security");
                let jsse = security.join("jssecacerts");
                let file = if jsse.is_file() {
                    jsse
                } else {
                    security.join("cacerts")
                };
                (file, BUILT_IN.to_owned())
            }
        };
        let keytool = home.join("bin").join(if cfg!(windows) {
            "keytool.exe"
        } else {
            "keytool"
        });
        let keytool = if keytool.is_file() {
            keytool.to_string_lossy().into_owned()
        } else {
            "keytool".to_owned()
        };
        let password =
            property("javax.net.ssl.trustStorePassword").unwrap_or_else(|| "changeit".to_owned());
        let file_arg = file.to_string_lossy().into_owned();
        // The JVM flags only shorten start-up (less compilation, one GC thread); a JVM that
        // does not know them ignores them.
        let mut args = vec![
            "-J-XX:+IgnoreUnrecognizedVMOptions",
            "-J-XX:TieredStopAtLevel=1",
            "-J-XX:+UseSerialGC",
            "-list",
            "-rfc",
            "-keystore",
            &file_arg,
            "-storepass",
            &password,
        ];
        let store_type = property("javax.net.ssl.trustStoreType");
        if let Some(t) = &store_type {
            args.extend(["-storetype", t.as_str()]);
        }
        let reported = if file.exists() {
            match self.run(&keytool, &args) {
                Ok(a) if a.success => Some(a.stdout),
                Ok(a) => {
                    let why = first_line(&a.stdout)
                        .or_else(|| first_line(&a.stderr))
                        .unwrap_or_default();
                    let why = format!("keytool cannot list {}: {why}", file.display());
                    return Client::unknown(name, version, why);
                }
                Err(e) => return Client::unknown(name, version, format!("keytool {e}")),
            }
        } else {
            None
        };
        let store = Store {
            file: Some(file),
            reported,
            file_is_keystore: true,
            ..Store::default()
        };
        Client::found(name, version, store, source)
    }
}

/// A path that is a directory goes to `dir` (requests and pip accept either).
fn file_or_dir(path: Option<PathBuf>) -> Store {
    match path {
        Some(p) if p.is_dir() => Store {
            dir: Some(p),
            ..Store::default()
        },
        file => Store {
            file,
            ..Store::default()
        },
    }
}

/// The first `n` words of a line.
fn words(line: &str, n: usize) -> String {
    line.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CA file and directory in curl's `-v` trace (`*  CAfile: ...`, `*  CApath: none`), or
/// `None` when the trace names neither.
fn curl_trace_paths(trace: &str) -> Option<(Option<PathBuf>, Option<PathBuf>)> {
    let mut file = None;
    let mut dir = None;
    let mut seen = false;
    for line in trace.lines() {
        let line = line.trim_start_matches(['*', ' ']);
        if let Some(v) = line.strip_prefix("CAfile:") {
            seen = true;
            file = Some(v.trim()).filter(|v| *v != "none").map(PathBuf::from);
        } else if let Some(v) = line.strip_prefix("CApath:") {
            seen = true;
            dir = Some(v.trim()).filter(|v| *v != "none").map(PathBuf::from);
        }
    }
    seen.then_some((file, dir))
}

/// `OPENSSLDIR: "/usr/lib/ssl"` in the output of `openssl version -d`.
fn openssl_dir(text: &str) -> Option<PathBuf> {
    text.lines().find_map(|l| {
        let v = l.trim().strip_prefix("OPENSSLDIR:")?.trim();
        Some(Path::new(v.trim_matches('"')).to_owned())
    })
}

/// Whether a dotted version such as `24.2.1` is at least `(major, minor)`.
fn at_least(version: &str, want: (u32, u32)) -> bool {
    let mut parts = version.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .unwrap_or(0)
    });
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let cases = [
            ("24.2", (24, 2), true),
            ("24.1.2", (24, 2), false),
            ("25.0", (24, 2), true),
            ("3.9", (3, 10), false),
            ("3.12", (3, 10), true),
            ("", (3, 10), false),
        ];
        for (version, want, expected) in cases {
            assert_eq!(at_least(version, want), expected, "{version}");
        }
    }

    #[test]
    fn which_clients_anchor_at_any_certificate() {
        let cases = [
            (ClientName::Curl, "curl 7.88.1 OpenSSL/3.0.19", true),
            (ClientName::Curl, "curl 7.67.0 OpenSSL/1.1.1d", false),
            (ClientName::Curl, "curl 8.7.1 SecureTransport", false),
            (ClientName::Curl, "curl 8.5.0 GnuTLS/3.8.3", false),
            (ClientName::PythonSsl, "Python 3.11.7", false),
            (ClientName::PythonSsl, "Python 3.13.1", true),
            (
                ClientName::PythonRequests,
                "requests 2.32.3 (Python 3.13.1)",
                true,
            ),
            (
                ClientName::PythonRequests,
                "requests 3.13.0 (Python 3.12.4)",
                false,
            ),
            (ClientName::PythonRequests, "requests 2.32.3", false),
            (ClientName::Java, "", true),
            (ClientName::Node, "v20.20.2", false),
            (ClientName::Openssl, "OpenSSL 3.0.19", false),
        ];
        for (name, version, expected) in cases {
            let client = Client::found(
                name,
                Some(version.to_owned()),
                Store::default(),
                String::new(),
            );
            assert_eq!(client.anchors_any_certificate(), expected, "{version}");
        }
    }

    #[test]
    fn curl_traces() {
        let p = |s: &str| Some(PathBuf::from(s));
        let cases = [
            (
                "* ALPN: offers h2\n*  CAfile: /etc/ssl/certs/ca-certificates.crt\n*  CApath: /etc/ssl/certs\n",
                Some((p("/etc/ssl/certs/ca-certificates.crt"), p("/etc/ssl/certs"))),
            ),
            (
                "*  CAfile: /b c.pem\n*  CApath: none\n",
                Some((p("/b c.pem"), None)),
            ),
            ("* Connected to 127.0.0.1\n", None),
        ];
        for (trace, expected) in cases {
            assert_eq!(curl_trace_paths(trace), expected, "{trace}");
        }
    }

    #[test]
    fn openssldir() {
        let text = "OpenSSL 3.0.19 27 Jan 2026\nOPENSSLDIR: \"/usr/lib/ssl\"\n";
        assert_eq!(openssl_dir(text), Some(PathBuf::from("/usr/lib/ssl")));
        assert_eq!(openssl_dir("OpenSSL 1.1.1\n"), None);
    }

    #[test]
    fn sources_from_environment() {
        let env = Environment::new([
            (OsString::from("SSL_CERT_DIR"), OsString::from("/d")),
            (OsString::from("SSL_CERT_FILE"), OsString::new()),
        ]);
        let cases: [(&[&str], Option<&str>); 3] = [
            (&["SSL_CERT_FILE", "SSL_CERT_DIR"], Some("env SSL_CERT_DIR")),
            (&["SSL_CERT_FILE"], None),
            (&["PIP_CERT"], None),
        ];
        for (names, expected) in cases {
            assert_eq!(env_source(&env, names).as_deref(), expected, "{names:?}");
        }
    }
}

//! Python's `ssl` module and the `requests` package, asked in one run of the interpreter: a
//! script prints, as JSON, `ssl.get_default_verify_paths()` (the variables OpenSSL reads and
//! its defaults) and, when `requests` imports, its version, `DEFAULT_CA_BUNDLE_PATH`
//! (certifi's file) and the version of urllib3 under it.

use super::{Ask, Client, ClientName, Source, Store, file_or_dir};
use crate::environment::Environment;
use crate::variables::Variable;
use crate::version::{ClientVersion, Version};
use std::path::PathBuf;

#[cfg(windows)]
const PYTHON: &str = "python";
#[cfg(not(windows))]
const PYTHON: &str = "python3";

const SCRIPT: &str = r#"import json, ssl, sys
p = ssl.get_default_verify_paths()
r = None
try:
    import requests, requests.utils
    r = {"version": requests.__version__, "where": requests.utils.DEFAULT_CA_BUNDLE_PATH}
    import urllib3
    r["urllib3"] = urllib3.__version__
except Exception:
    pass
print(json.dumps({"version": sys.version.split()[0], "cafile_env": p.openssl_cafile_env,
    "cafile": p.openssl_cafile, "capath_env": p.openssl_capath_env,
    "capath": p.openssl_capath, "requests": r}))
"#;

/// What the script printed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Answer {
    /// Python's version, as `sys.version` starts (`3.11.7`).
    python: Option<String>,
    /// The variable OpenSSL reads for its CA file, and its default file.
    cafile_env: Option<String>,
    cafile: Option<PathBuf>,
    /// The variable OpenSSL reads for its CA directory, and its default directory.
    capath_env: Option<String>,
    capath: Option<PathBuf>,
    /// `requests`, when it imports.
    requests: Option<Requests>,
}

/// What the script found of `requests`.
#[derive(Debug, PartialEq, Eq)]
struct Requests {
    version: Option<String>,
    /// `urllib3.__version__`.
    urllib3: Option<String>,
    /// `requests.utils.DEFAULT_CA_BUNDLE_PATH`.
    bundle: Option<PathBuf>,
}

/// Asks Python (IO): the `ssl` client, then the `requests` one.
pub(super) fn ask(ask: &Ask<'_>) -> [Client; 2] {
    let result = ask.run(PYTHON, &["-c", SCRIPT]);
    let answer = ask
        .answer(ClientName::PythonSsl, PYTHON, result)
        .and_then(|a| {
            parse(&a.stdout).ok_or_else(|| {
                let why = format!("{PYTHON} printed something else than its paths");
                Box::new(Client::unknown(ClientName::PythonSsl, None, why))
            })
        });
    match answer {
        Ok(answer) => {
            let [ssl, mut requests] = resolve(&answer, ask.env);
            requests.store = file_or_dir(requests.store.file.take());
            [ssl, requests]
        }
        Err(ssl) => {
            let requests = Client {
                name: ClientName::PythonRequests,
                ..(*ssl).clone()
            };
            [*ssl, requests]
        }
    }
}

/// Reads the script's JSON: pure. `None` when it is not what the script prints.
fn parse(stdout: &str) -> Option<Answer> {
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).ok()?;
    v.as_object()?;
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_owned);
    let requests = v
        .get("requests")
        .filter(|r| !r.is_null())
        .map(|r| Requests {
            version: text(r, "version"),
            urllib3: text(r, "urllib3"),
            bundle: text(r, "where").map(PathBuf::from),
        });
    Some(Answer {
        python: text(&v, "version"),
        cafile_env: text(&v, "cafile_env"),
        cafile: text(&v, "cafile").map(PathBuf::from),
        capath_env: text(&v, "capath_env"),
        capath: text(&v, "capath").map(PathBuf::from),
        requests,
    })
}

/// The two clients: `ssl` reads the variables OpenSSL names, else OpenSSL's defaults;
/// `requests` reads `REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE`, else certifi: pure.
fn resolve(answer: &Answer, env: &Environment) -> [Client; 2] {
    let python = answer.python.as_deref().and_then(Version::parse);
    let python_text = answer.python.as_ref().map(|v| format!("Python {v}"));
    let version = python_text
        .clone()
        .map(|t| ClientVersion::new(t).with_python(python));
    let mut source = Vec::new();
    let mut var_or = |name: &Option<String>, default: &Option<PathBuf>| {
        let set = name
            .as_deref()
            .and_then(Variable::from_name)
            .and_then(|var| env.path(var).map(|p| (var, p)));
        match set {
            Some((var, path)) => {
                source.push(Source::Env(var));
                Some(path)
            }
            None => default.clone(),
        }
    };
    let file = var_or(&answer.cafile_env, &answer.cafile);
    let dir = var_or(&answer.capath_env, &answer.capath);
    if source.is_empty() {
        source.push(Source::BuiltIn);
    }
    let ssl = Client::found(
        ClientName::PythonSsl,
        version,
        Store::paths(file, dir),
        source,
    );

    let name = ClientName::PythonRequests;
    let requests = match &answer.requests {
        None => Client::absent(name),
        Some(r) => {
            let version = r.version.as_ref().map(|x| {
                // The Python it runs on decides its verification flags.
                let text = match &python_text {
                    Some(python) => format!("requests {x} ({python})"),
                    None => format!("requests {x}"),
                };
                ClientVersion::new(text)
                    .with_python(python)
                    .with_urllib3(r.urllib3.as_deref().and_then(Version::parse))
            });
            let from_env = name
                .variables()
                .iter()
                .find_map(|var| env.path(*var).map(|p| (p, Source::Env(*var))));
            let (path, source) = match from_env {
                Some(set) => set,
                None => {
                    let certifi = r
                        .bundle
                        .as_ref()
                        .is_some_and(|p| p.components().any(|c| c.as_os_str() == "certifi"));
                    let source = if certifi {
                        Source::Certifi
                    } else {
                        Source::BuiltIn
                    };
                    (r.bundle.clone().unwrap_or_default(), source)
                }
            };
            let file = Some(path).filter(|p| !p.as_os_str().is_empty());
            Client::found(name, version, Store::paths(file, None), vec![source])
        }
    };
    [ssl, requests]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    const CAPTURED: &str = include_str!("../../tests/captured/python-paths.txt");

    #[test]
    fn parses_captured_output() {
        let answer = parse(CAPTURED).unwrap();
        assert_eq!(answer.python.as_deref(), Some("3.11.7"));
        assert_eq!(answer.cafile_env.as_deref(), Some("SSL_CERT_FILE"));
        assert_eq!(answer.cafile, Some(PathBuf::from("/usr/lib/ssl/cert.pem")));
        assert_eq!(answer.capath_env.as_deref(), Some("SSL_CERT_DIR"));
        assert_eq!(answer.capath, Some(PathBuf::from("/usr/lib/ssl/certs")));
        let requests = answer.requests.unwrap();
        assert_eq!(requests.version.as_deref(), Some("2.34.2"));
        assert_eq!(requests.urllib3.as_deref(), Some("2.7.0"));
        assert_eq!(
            requests.bundle,
            Some(PathBuf::from(
                "/opt/python3.11/lib/python3.11/site-packages/certifi/cacert.pem"
            ))
        );
        let without = r#"{"version": "3.13.1", "cafile_env": "SSL_CERT_FILE", "cafile": null, "capath_env": "SSL_CERT_DIR", "capath": null, "requests": null}"#;
        assert_eq!(parse(without).map(|a| a.requests.is_none()), Some(true));
        assert_eq!(parse("Traceback (most recent call last):"), None);
        assert_eq!(parse("[]"), None);
    }

    /// (variables set, ssl's file, ssl's source, requests' file, requests' source)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str, &'a str, &'a str);

    #[test]
    fn variables_before_defaults() {
        let certifi = "/opt/python3.11/lib/python3.11/site-packages/certifi/cacert.pem";
        let cases: [Case<'_>; 4] = [
            (
                &[],
                "/usr/lib/ssl/cert.pem",
                "built-in default",
                certifi,
                "certifi",
            ),
            (
                &[("SSL_CERT_FILE", "/s.pem"), ("CURL_CA_BUNDLE", "/c.pem")],
                "/s.pem",
                "env SSL_CERT_FILE",
                "/c.pem",
                "env CURL_CA_BUNDLE",
            ),
            (
                &[
                    ("REQUESTS_CA_BUNDLE", "/r.pem"),
                    ("CURL_CA_BUNDLE", "/c.pem"),
                ],
                "/usr/lib/ssl/cert.pem",
                "built-in default",
                "/r.pem",
                "env REQUESTS_CA_BUNDLE",
            ),
            (
                &[("SSL_CERT_DIR", "/d"), ("REQUESTS_CA_BUNDLE", "")],
                "/usr/lib/ssl/cert.pem",
                "env SSL_CERT_DIR",
                certifi,
                "certifi",
            ),
        ];
        let answer = parse(CAPTURED).unwrap();
        for (vars, ssl_file, ssl_source, requests_file, requests_source) in cases {
            let env = Environment::new(
                vars.iter()
                    .map(|(k, v)| (OsString::from(k), OsString::from(v))),
            );
            let [ssl, requests] = resolve(&answer, &env);
            assert_eq!(ssl.store.file, Some(PathBuf::from(ssl_file)), "{vars:?}");
            assert_eq!(ssl.source_text(), ssl_source, "{vars:?}");
            let file = Some(PathBuf::from(requests_file));
            assert_eq!(requests.store.file, file, "{vars:?}");
            assert_eq!(requests.source_text(), requests_source, "{vars:?}");
            let version = requests.version.map(|v| (v.text, v.python));
            let python = Some(Version::new(3, 11, 7));
            let text = "requests 2.34.2 (Python 3.11.7)".to_owned();
            assert_eq!(version, Some((text, python)));
            assert_eq!(ssl.version.map(|v| v.python), Some(python));
        }
    }

    #[test]
    fn a_bundle_outside_certifi_is_the_default() {
        let answer = Answer {
            requests: Some(Requests {
                urllib3: None,
                version: Some("2.28.1".to_owned()),
                bundle: Some(PathBuf::from("/etc/ssl/certs/ca-certificates.crt")),
            }),
            ..Answer::default()
        };
        let [_, requests] = resolve(&answer, &Environment::default());
        assert_eq!(requests.source, [Source::BuiltIn]);
        assert_eq!(
            requests.version.map(|v| v.text).as_deref(),
            Some("requests 2.28.1")
        );
    }
}

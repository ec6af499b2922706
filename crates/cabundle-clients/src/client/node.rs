//! Node.js: a script prints, as JSON, its version and `tls.rootCertificates` (the Mozilla roots
//! compiled into it); `NODE_EXTRA_CA_CERTS` adds a file to them, and an option in
//! `NODE_OPTIONS` replaces them with OpenSSL's store or the system's.

use super::{Ask, Client, ClientName, Source, Store};
use crate::environment::Environment;
use crate::variables::Variable;
use crate::version::ClientVersion;

const NAME: ClientName = ClientName::Node;
const SCRIPT: &str = "process.stdout.write(JSON.stringify({version: process.version, roots: require('tls').rootCertificates}))";
/// The options that make Node.js read OpenSSL's store (`SSL_CERT_FILE`, `SSL_CERT_DIR`)
/// instead of its bundled roots.
// tidy: allow(flag-text): options of the client program run here, not of cabundle
const STORE_OPTIONS: [&str; 2] = ["--use-openssl-ca", "--use-system-ca"];

/// What the script printed.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    /// `process.version` (`v20.20.2`).
    version: Option<String>,
    /// The bundled roots, PEM each.
    roots: Vec<String>,
}

/// Asks `node` (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    let result = ask.run("node", &["-e", SCRIPT]);
    match ask.answer(NAME, "node", result) {
        Ok(a) => match parse(&a.stdout) {
            Some(answer) => resolve(answer, ask.env),
            None => {
                let why = "node printed something else than its roots".to_owned();
                Client::unknown(NAME, None, why)
            }
        },
        Err(client) => *client,
    }
}

/// Reads the script's JSON: pure.
fn parse(stdout: &str) -> Option<Answer> {
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).ok()?;
    v.as_object()?;
    let roots = v
        .get("roots")
        .and_then(|r| r.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(Answer {
        version: v.get("version").and_then(|x| x.as_str()).map(str::to_owned),
        roots,
    })
}

/// The store: OpenSSL's when `NODE_OPTIONS` asks for it, else the bundled roots, each with
/// `NODE_EXTRA_CA_CERTS`: pure.
fn resolve(answer: Answer, env: &Environment) -> Client {
    let version = answer
        .version
        .map(|v| ClientVersion::new(format!("Node.js {v}")));
    let extra = env.path(Variable::NodeExtraCaCerts);
    let options = env
        .var(Variable::NodeOptions)
        .map(|o| o.to_string_lossy().into_owned())
        .unwrap_or_default();
    let option = STORE_OPTIONS
        .into_iter()
        .find(|f| options.split_whitespace().any(|o| o == *f));
    let mut source = Vec::new();
    let store = if let Some(option) = option {
        source.push(Source::EnvOption {
            var: Variable::NodeOptions,
            option,
        });
        Store::paths(
            env.path(Variable::SslCertFile).or(extra.clone()),
            env.path(Variable::SslCertDir),
        )
    } else {
        source.push(Source::Bundled);
        Store {
            reported: Some(answer.roots.join("\n")),
            ..Store::paths(extra.clone(), None)
        }
    };
    if extra.is_some() {
        source.push(Source::Env(Variable::NodeExtraCaCerts));
    }
    Client::found(NAME, version, store, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::path::PathBuf;

    const CAPTURED: &str = include_str!("../../tests/captured/node-roots.txt");

    #[test]
    fn parses_captured_output() {
        let answer = parse(CAPTURED).unwrap();
        assert_eq!(answer.version.as_deref(), Some("v20.20.2"));
        assert_eq!(answer.roots.len(), 2);
        assert!(
            answer
                .roots
                .iter()
                .all(|r| r.starts_with("-----BEGIN CERTIFICATE-----\n"))
        );
        assert_eq!(parse("node: bad option"), None);
    }

    fn check(vars: &[(&str, &str)], file: Option<&str>, bundled: bool, source: &str) {
        let env = Environment::new(
            vars.iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let client = resolve(parse(CAPTURED).unwrap(), &env);
        assert_eq!(client.store.file, file.map(PathBuf::from), "{vars:?}");
        assert_eq!(client.store.reported.is_some(), bundled, "{vars:?}");
        assert_eq!(client.source_text(), source, "{vars:?}");
        let version = client.version.map(|v| v.text);
        assert_eq!(version.as_deref(), Some("Node.js v20.20.2"));
    }

    #[test]
    fn options_and_extra_certificates() {
        check(&[], None, true, "bundled");
        check(
            &[("NODE_EXTRA_CA_CERTS", "/x.pem")],
            Some("/x.pem"),
            true,
            "bundled, env NODE_EXTRA_CA_CERTS",
        );
        check(
            &[
                ("NODE_OPTIONS", "--max-old-space-size=99 --use-openssl-ca"),
                ("SSL_CERT_FILE", "/s.pem"),
            ],
            Some("/s.pem"),
            false,
            "env NODE_OPTIONS --use-openssl-ca",
        );
        check(
            &[
                ("NODE_OPTIONS", "--use-system-ca"),
                ("NODE_EXTRA_CA_CERTS", "/x.pem"),
            ],
            Some("/x.pem"),
            false,
            "env NODE_OPTIONS --use-system-ca, env NODE_EXTRA_CA_CERTS",
        );
    }
}

//! `openssl`: `openssl version -v -d` names its release and `OPENSSLDIR`, whose `cert.pem`
//! and `certs` are the defaults that `SSL_CERT_FILE` and `SSL_CERT_DIR` replace.

use super::{Ask, Client, ClientName, Source, Store, env_sources, first_line, words};
use crate::environment::Environment;
use crate::variables::Variable;
use crate::version::ClientVersion;
use std::path::PathBuf;

const NAME: ClientName = ClientName::Openssl;

/// What `openssl version -v -d` says.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    version: Option<ClientVersion>,
    /// `OPENSSLDIR`, when printed.
    dir: Option<PathBuf>,
}

/// Asks `openssl` (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    let result = ask.run("openssl", &["version", "-v", "-d"]);
    match ask.answer(NAME, "openssl version -d", result) {
        Ok(a) => resolve(parse(&a.stdout), ask.env),
        Err(client) => *client,
    }
}

/// Reads the output of `openssl version -v -d`: pure.
fn parse(stdout: &str) -> Answer {
    let version = first_line(stdout).map(|l| ClientVersion::new(words(l, 2)));
    let dir = stdout.lines().find_map(|l| {
        let v = l.trim().strip_prefix("OPENSSLDIR:")?.trim();
        Some(PathBuf::from(v.trim_matches('"')))
    });
    Answer { version, dir }
}

/// The store: the variables when set, else `OPENSSLDIR`'s: pure.
fn resolve(answer: Answer, env: &Environment) -> Client {
    let Some(dir) = answer.dir else {
        let why = "openssl version -d printed no OPENSSLDIR".to_owned();
        return Client::unknown(NAME, answer.version, why);
    };
    let store = Store::paths(
        Some(
            env.path(Variable::SslCertFile)
                .unwrap_or_else(|| dir.join("cert.pem")),
        ),
        Some(
            env.path(Variable::SslCertDir)
                .unwrap_or_else(|| dir.join("certs")),
        ),
    );
    let mut source = env_sources(env, NAME.variables());
    if source.is_empty() {
        source.push(Source::BuiltIn);
    }
    Client::found(NAME, answer.version, store, source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Version;
    use std::ffi::OsString;

    const CAPTURED: &str = include_str!("../../tests/captured/openssl-version.txt");

    #[test]
    fn parses_captured_output() {
        let answer = parse(CAPTURED);
        let version = answer
            .version
            .as_ref()
            .map(|v| (v.text.as_str(), v.release));
        assert_eq!(
            version,
            Some(("OpenSSL 3.0.19", Some(Version::new(3, 0, 19))))
        );
        assert_eq!(answer.dir, Some(PathBuf::from("/usr/lib/ssl")));
        assert_eq!(parse("OpenSSL 1.1.1\n").dir, None);
    }

    fn check(vars: &[(&str, &str)], file: &str, dir: &str, source: &str) {
        let env = Environment::new(
            vars.iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let client = resolve(parse(CAPTURED), &env);
        assert_eq!(client.store.file, Some(PathBuf::from(file)), "{vars:?}");
        assert_eq!(client.store.dir, Some(PathBuf::from(dir)), "{vars:?}");
        assert_eq!(client.source_text(), source, "{vars:?}");
    }

    #[test]
    fn variables_replace_the_defaults() {
        check(
            &[],
            "/usr/lib/ssl/cert.pem",
            "/usr/lib/ssl/certs",
            "built-in default",
        );
        check(
            &[("SSL_CERT_FILE", "/b.pem")],
            "/b.pem",
            "/usr/lib/ssl/certs",
            "env SSL_CERT_FILE",
        );
        check(
            &[("SSL_CERT_FILE", ""), ("SSL_CERT_DIR", "/d")],
            "/usr/lib/ssl/cert.pem",
            "/d",
            "env SSL_CERT_DIR",
        );
        check(
            &[("SSL_CERT_FILE", "/b.pem"), ("SSL_CERT_DIR", "/d")],
            "/b.pem",
            "/d",
            "env SSL_CERT_FILE, env SSL_CERT_DIR",
        );
    }

    #[test]
    fn no_openssldir_is_unknown() {
        let client = resolve(parse("OpenSSL 3.0.19\n"), &Environment::default());
        assert!(client.present);
        assert!(client.unknown.is_some_and(|w| w.contains("OPENSSLDIR")));
    }
}

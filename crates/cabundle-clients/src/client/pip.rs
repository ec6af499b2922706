//! pip: `pip debug` says in one run what would otherwise take three (its version and the
//! Python it runs on, its bundled certifi, and whether a `cert` setting is configured);
//! `pip config list` names that setting when there is one.

use super::{Ask, Client, ClientName, Source, Store, file_or_dir};
use crate::environment::Environment;
use crate::variables::Variable;
use crate::version::{ClientVersion, Version};
use std::path::PathBuf;

const NAME: ClientName = ClientName::Pip;

/// What `pip debug` says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Debug {
    version: Option<ClientVersion>,
    /// `pip._vendor.certifi.where()`.
    certifi: Option<PathBuf>,
    /// Whether a configuration file sets `cert`.
    configured: bool,
}

/// Asks pip (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    let result = ask.run("pip", &["debug"]);
    let debug = match ask.answer(NAME, "pip debug", result) {
        Ok(a) => parse_debug(&a.stdout),
        Err(client) => return *client,
    };
    let config = if debug.configured && ask.env.var(Variable::PipCert).is_none() {
        match ask.run("pip", &["config", "list"]) {
            Ok(a) if a.success => parse_config(&a.stdout),
            _ => None,
        }
    } else {
        None
    };
    let mut client = resolve(debug, config, ask.env);
    if client.source != [Source::SystemStore] {
        client.store = file_or_dir(client.store.file.take());
    }
    client
}

/// Reads `pip debug`: pure.
fn parse_debug(stdout: &str) -> Debug {
    let field = |key: &str| {
        stdout.lines().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(": "))
                .map(str::trim)
        })
    };
    // "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.11)"
    let line = field("pip version").unwrap_or_default();
    let python = line
        .rsplit_once(" (python ")
        .and_then(|(_, py)| Version::parse(py.trim_end_matches(')')));
    let version = line
        .split(" from ")
        .next()
        .filter(|v| !v.is_empty())
        .map(|v| ClientVersion::new(v.to_owned()).with_python(python));
    Debug {
        version,
        certifi: field("pip._vendor.certifi.where()").map(PathBuf::from),
        configured: field("'cert' config value").is_some_and(|v| v != "Not specified"),
    }
}

/// The `cert` setting in `pip config list` (`global.cert='/etc/x.pem'`): its key and value,
/// leaving out what the environment sets (`:env:` keys): pure.
fn parse_config(stdout: &str) -> Option<(String, PathBuf)> {
    stdout.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        (key.ends_with(".cert") && !key.starts_with(":env:")).then(|| {
            (
                key.to_owned(),
                PathBuf::from(value.trim().trim_matches(['\'', '"'])),
            )
        })
    })
}

/// pip's store, first match wins: `PIP_CERT`, the `cert` setting, `REQUESTS_CA_BUNDLE`,
/// `CURL_CA_BUNDLE`, the system store (pip 24.2 and later on Python 3.10 and later, through
/// truststore), else its bundled certifi: pure.
fn resolve(debug: Debug, config: Option<(String, PathBuf)>, env: &Environment) -> Client {
    let from_env = |var: Variable| env.path(var).map(|p| (p, Source::Env(var)));
    let chosen = from_env(Variable::PipCert)
        .or_else(|| config.map(|(key, path)| (path, Source::Config { key, origin: None })))
        .or_else(|| from_env(Variable::RequestsCaBundle))
        .or_else(|| from_env(Variable::CurlCaBundle));
    if let Some((path, source)) = chosen {
        return Client::found(
            NAME,
            debug.version,
            Store::paths(Some(path), None),
            vec![source],
        );
    }
    let release = debug.version.as_ref().and_then(|v| v.release);
    let python = debug.version.as_ref().and_then(|v| v.python);
    if release >= Some(Version::new(24, 2, 0)) && python >= Some(Version::new(3, 10, 0)) {
        return Client::found(
            NAME,
            debug.version,
            Store::default(),
            vec![Source::SystemStore],
        );
    }
    match debug.certifi {
        Some(p) => Client::found(
            NAME,
            debug.version,
            Store::paths(Some(p), None),
            vec![Source::BundledCertifi],
        ),
        None => {
            let why = "pip debug did not say where its certifi is".to_owned();
            Client::unknown(NAME, debug.version, why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    const DEBUG: &str = include_str!("../../tests/captured/pip-debug.txt");
    const CONFIG: &str = include_str!("../../tests/captured/pip-config-list-with-env.txt");
    const CERTIFI: &str =
        "/opt/python3.11/lib/python3.11/site-packages/pip/_vendor/certifi/cacert.pem";

    #[test]
    fn parses_captured_output() {
        let debug = parse_debug(DEBUG);
        let version = debug
            .version
            .as_ref()
            .map(|v| (v.text.as_str(), v.release, v.python));
        let expected = (
            "pip 23.2.1",
            Some(Version::new(23, 2, 1)),
            Some(Version::new(3, 11, 0)),
        );
        assert_eq!(version, Some(expected));
        assert_eq!(debug.certifi, Some(PathBuf::from(CERTIFI)));
        assert!(debug.configured);
        let unset = DEBUG.replace(
            "'cert' config value: global",
            "'cert' config value: Not specified",
        );
        assert!(!parse_debug(&unset).configured);
        assert_eq!(
            parse_config(CONFIG),
            Some((
                "global.cert".to_owned(),
                PathBuf::from("/etc/ssl/certs/corp.pem")
            ))
        );
        assert_eq!(parse_config(":env:.cert='/e.pem'\n"), None);
        assert_eq!(parse_debug(""), Debug::default());
    }

    fn check(debug: &str, config: bool, vars: &[(&str, &str)], file: Option<&str>, source: &str) {
        let env = Environment::new(
            vars.iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let config = config.then(|| parse_config(CONFIG)).flatten();
        let client = resolve(parse_debug(debug), config, &env);
        assert_eq!(client.store.file, file.map(PathBuf::from), "{vars:?}");
        assert_eq!(client.source_text(), source, "{vars:?}");
    }

    #[test]
    fn first_match_wins() {
        let all = [
            ("PIP_CERT", "/p.pem"),
            ("REQUESTS_CA_BUNDLE", "/r.pem"),
            ("CURL_CA_BUNDLE", "/c.pem"),
        ];
        check(DEBUG, true, &all, Some("/p.pem"), "env PIP_CERT");
        check(
            DEBUG,
            true,
            &all[1..],
            Some("/etc/ssl/certs/corp.pem"),
            "config global.cert",
        );
        check(
            DEBUG,
            false,
            &all[1..],
            Some("/r.pem"),
            "env REQUESTS_CA_BUNDLE",
        );
        check(
            DEBUG,
            false,
            &all[2..],
            Some("/c.pem"),
            "env CURL_CA_BUNDLE",
        );
        check(DEBUG, false, &[], Some(CERTIFI), "bundled certifi");
        // pip 24.2 on Python 3.10 and later uses the system store.
        let newer = DEBUG.replace("pip 23.2.1 from", "pip 24.2 from");
        check(&newer, false, &[], None, "system store (truststore)");
        let old_python = newer.replace("(python 3.11)", "(python 3.9)");
        check(&old_python, false, &[], Some(CERTIFI), "bundled certifi");
    }
}

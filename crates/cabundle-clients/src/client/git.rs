//! git over HTTPS: `GIT_SSL_CAINFO` and `GIT_SSL_CAPATH`, else the `http.sslCAInfo` and
//! `http.sslCAPath` settings (`git config --show-origin` names the file that sets them), else
//! libcurl's build default, which curl reports as for itself.

use super::{Ask, Client, ClientName, Source, Store, curl, first_line};
use crate::environment::Environment;
use crate::query::Failure;
use crate::variables::Variable;
use crate::version::ClientVersion;
use std::path::PathBuf;

const NAME: ClientName = ClientName::Git;

/// A setting of git's configuration: its value, and the file that sets it.
type Setting = (PathBuf, String);

/// The file setting and the directory setting, each with the variable that replaces it.
const SETTINGS: [(Variable, &str); 2] = [
    (Variable::GitSslCainfo, "http.sslCAInfo"),
    (Variable::GitSslCapath, "http.sslCAPath"),
];

/// Asks `git` (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    // tidy: allow(flag-text): options of the client program run here, not of cabundle
    let version = match ask.run("git", &["--version"]) {
        Ok(a) => first_line(&a.stdout).map(|l| ClientVersion::new(l.to_owned())),
        Err(Failure::NotFound) => return Client::absent(NAME),
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        Err(e) => return Client::unknown(NAME, None, format!("git --version {e}")),
    };
    let settings = SETTINGS.map(|(var, key)| {
        if ask.env.var(var).is_some() {
            return None;
        }
        // tidy: allow(flag-text): options of the client program run here, not of cabundle
        let args = ["config", "--show-origin", "--type=path", "--get", key];
        match ask.run("git", &args) {
            Ok(a) if a.success => parse_setting(&a.stdout),
            _ => None,
        }
    });
    if let Some((store, source)) = choose(ask.env, settings) {
        return Client::found(NAME, version, store, source);
    }
    // git leaves the choice to libcurl, whose defaults are the curl build's.
    let clean = ask.env.without(&[
        Variable::CurlCaBundle,
        Variable::SslCertFile,
        Variable::SslCertDir,
    ]);
    match curl::paths(ask, &clean, true) {
        Ok((file, dir)) => Client::found(
            NAME,
            version,
            Store::paths(file, dir),
            vec![Source::LibcurlDefault],
        ),
        Err(why) => Client::unknown(
            NAME,
            version,
            format!("libcurl's default is unknown: {why}"),
        ),
    }
}

/// `ORIGIN\tVALUE`, as `git config --show-origin --get` prints a setting: pure.
fn parse_setting(stdout: &str) -> Option<Setting> {
    let (origin, value) = stdout.trim_end().split_once('\t')?;
    Some((PathBuf::from(value), origin.to_owned()))
}

/// The store the variables and settings name, the variable winning over the setting; `None`
/// when neither names a file or a directory: pure.
fn choose(env: &Environment, settings: [Option<Setting>; 2]) -> Option<(Store, Vec<Source>)> {
    let mut source = Vec::new();
    let [file, dir] = [0, 1].map(|i| {
        let (var, key) = SETTINGS[i];
        if let Some(path) = env.path(var) {
            source.push(Source::Env(var));
            Some(path)
        } else if let Some((path, origin)) = settings[i].clone() {
            source.push(Source::Config {
                key: key.to_owned(),
                origin: Some(origin),
            });
            Some(path)
        } else {
            None
        }
    });
    (file.is_some() || dir.is_some()).then(|| (Store::paths(file, dir), source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    const VERSION: &str = include_str!("../../tests/captured/git-version.txt");
    const SETTING: &str = include_str!("../../tests/captured/git-config-cainfo.txt");

    #[test]
    fn parses_captured_output() {
        let version = first_line(VERSION).map(|l| ClientVersion::new(l.to_owned()));
        let version = version.map(|v| (v.text, v.release));
        let expected = (
            "git version 2.47.3".to_owned(),
            crate::Version::parse("2.47.3"),
        );
        assert_eq!(version, Some(expected));
        let setting = parse_setting(SETTING);
        let expected = (
            PathBuf::from("/etc/ssl/certs/corp.pem"),
            "file:/etc/gitconfig".to_owned(),
        );
        assert_eq!(setting, Some(expected));
        assert_eq!(parse_setting(""), None);
    }

    fn check(
        vars: &[(&str, &str)],
        cainfo: bool,
        expected: Option<(Option<&str>, Option<&str>, &str)>,
    ) {
        let env = Environment::new(
            vars.iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let settings = [cainfo.then(|| parse_setting(SETTING)).flatten(), None];
        let chosen = choose(&env, settings).map(|(store, source)| {
            let words: Vec<String> = source.iter().map(Source::to_string).collect();
            (store.file, store.dir, words.join(", "))
        });
        let expected =
            expected.map(|(f, d, s)| (f.map(PathBuf::from), d.map(PathBuf::from), s.to_owned()));
        assert_eq!(chosen, expected, "{vars:?}");
    }

    #[test]
    fn variables_before_settings() {
        check(&[], false, None);
        check(
            &[],
            true,
            Some((
                Some("/etc/ssl/certs/corp.pem"),
                None,
                "config http.sslCAInfo (file:/etc/gitconfig)",
            )),
        );
        check(
            &[("GIT_SSL_CAINFO", "/g.pem")],
            true,
            Some((Some("/g.pem"), None, "env GIT_SSL_CAINFO")),
        );
        check(
            &[("GIT_SSL_CAPATH", "/d")],
            true,
            Some((
                Some("/etc/ssl/certs/corp.pem"),
                Some("/d"),
                "config http.sslCAInfo (file:/etc/gitconfig), env GIT_SSL_CAPATH",
            )),
        );
    }
}

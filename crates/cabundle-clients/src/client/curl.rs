//! `curl`: `curl -V` names its release and TLS library; the CA file and directory it uses are
//! named in its own `-v` trace when it is pointed at a loopback listener that hangs up after
//! the ClientHello (`curl-config --ca` when the TLS library prints no such line).

use super::{Ask, Client, ClientName, Source, Store, first_line, words};
use crate::environment::Environment;
use crate::query::Failure;
use crate::variables::Variable;
use crate::version::{ClientVersion, TlsLibrary};
use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const NAME: ClientName = ClientName::Curl;
#[cfg(windows)]
const NULL_DEVICE: &str = "NUL";
#[cfg(not(windows))]
const NULL_DEVICE: &str = "/dev/null";

/// A CA file and a CA directory.
type Paths = (Option<PathBuf>, Option<PathBuf>);

/// Asks `curl` (IO).
pub(super) fn ask(ask: &Ask<'_>) -> Client {
    let version = match ask.run("curl", &["-V"]) {
        Ok(a) => parse_version(&a.stdout),
        Err(Failure::NotFound) => return Client::absent(NAME),
        Err(e) => return Client::unknown(NAME, None, format!("curl -V {e}")),
    };
    match paths(ask, ask.env, false) {
        Ok((file, dir)) => {
            let source = sources(ask.env, &file, &dir);
            Client::found(NAME, version, Store::paths(file, dir), source)
        }
        Err(why) => Client::unknown(NAME, version, why),
    }
}

/// The CA file and directory curl uses in `env`, as curl itself reports them (IO): it is
/// pointed at a loopback listener that reads its first bytes and hangs up, and its `-v` trace
/// names them. Without that trace (a TLS library that does not print it), `curl-config
/// --ca`. `clean` asks for libcurl's built-in defaults (no `.curlrc`).
pub(super) fn paths(ask: &Ask<'_>, env: &Environment, clean: bool) -> Result<Paths, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| format!("cannot listen on the loopback interface: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on the loopback interface: {e}"))?
        .port();
    let url = format!("https://127.0.0.1:{port}/");
    // The listener waits as long as both tries of the query may take (the time-out, then twice it).
    let deadline = Instant::now() + ask.timeout * 3;
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
                        let _ = conn.set_read_timeout(Some(ask.timeout));
                        let mut hello = [0u8; 5];
                        let _ = conn.read(&mut hello);
                        return;
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        ask.run_in("curl", &args, env)
    });
    let answer = answer.map_err(|e| format!("curl {e}"))?;
    if let Some(paths) = parse_trace(&answer.stderr) {
        return Ok(paths);
    }
    // tidy: allow(flag-text): options of the client program run here, not of cabundle
    match ask.run_in("curl-config", &["--ca"], env) {
        Ok(a) if a.success => parse_config_ca(&a.stdout),
        _ => None,
    }
    .ok_or_else(|| "curl did not report its CA file, and curl-config is not installed".to_owned())
}

/// The version in the first line of `curl -V`: its release and TLS library
/// (`curl 7.88.1 OpenSSL/3.0.19`): pure.
fn parse_version(stdout: &str) -> Option<ClientVersion> {
    let line = first_line(stdout)?;
    let tls = line
        .split_whitespace()
        .find_map(|w| TlsLibrary::from_word(w).map(|t| (w, t)));
    let text = match tls {
        Some((word, _)) => format!("{} {word}", words(line, 2)),
        None => words(line, 2),
    };
    Some(ClientVersion::new(text).with_tls(tls.map(|(_, t)| t)))
}

/// The CA file and directory in curl's `-v` trace (`*  CAfile: ...`, `*  CApath: none`), or
/// in the error line of a store curl cannot load (`* error setting certificate file: ...`, the
/// only line naming it then), or `None` when the trace names neither: pure.
fn parse_trace(trace: &str) -> Option<Paths> {
    let mut file = None;
    let mut dir = None;
    let mut seen = false;
    let path = |v: &str| Some(v.trim()).filter(|v| *v != "none").map(PathBuf::from);
    for line in trace.lines() {
        let line = line.trim_start_matches(['*', ' ']);
        if let Some(v) = line
            .strip_prefix("CAfile:")
            .or_else(|| line.strip_prefix("error setting certificate file:"))
        {
            seen = true;
            file = path(v);
        } else if let Some(v) = line
            .strip_prefix("CApath:")
            .or_else(|| line.strip_prefix("error setting certificate path:"))
        {
            seen = true;
            dir = path(v);
        }
    }
    seen.then_some((file, dir))
}

/// The CA file `curl-config --ca` prints: pure.
fn parse_config_ca(stdout: &str) -> Option<Paths> {
    let file = stdout.trim();
    (!file.is_empty()).then(|| (Some(PathBuf::from(file)), None))
}

/// Which variables chose the paths curl reported: the one it names whose value it uses
/// (`CURL_CA_BUNDLE` before `SSL_CERT_FILE`), else its build default: pure.
fn sources(env: &Environment, file: &Option<PathBuf>, dir: &Option<PathBuf>) -> Vec<Source> {
    let named = |var: Variable, value: &Option<PathBuf>| {
        value.is_some() && env.path(var).as_ref() == value.as_ref()
    };
    let mut from = Vec::new();
    if named(Variable::CurlCaBundle, file) {
        from.push(Source::Env(Variable::CurlCaBundle));
    } else if named(Variable::SslCertFile, file) {
        from.push(Source::Env(Variable::SslCertFile));
    }
    if named(Variable::SslCertDir, dir) {
        from.push(Source::Env(Variable::SslCertDir));
    }
    if from.is_empty() {
        from.push(Source::BuiltIn);
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Version;
    use std::ffi::OsString;

    const VERSION: &str = include_str!("../../tests/captured/curl-version.txt");
    const TRACE: &str = include_str!("../../tests/captured/curl-trace.txt");
    const TRACE_MISSING_FILE: &str =
        include_str!("../../tests/captured/curl-trace-missing-file.txt");

    fn p(s: &str) -> Option<PathBuf> {
        Some(PathBuf::from(s))
    }

    #[test]
    fn parses_captured_version() {
        let v = parse_version(VERSION).unwrap_or_else(|| ClientVersion::new(String::new()));
        assert_eq!(v.text, "curl 7.88.1 OpenSSL/3.0.19");
        assert_eq!(v.release, Some(Version::new(7, 88, 1)));
        assert_eq!(v.tls, Some(TlsLibrary::OpenSsl));
        let other = "curl 8.7.1 (x86_64-apple-darwin23.0) libcurl/8.7.1 (SecureTransport) LibreSSL/3.3.6 zlib/1.2.12\n";
        let cases = [
            (
                other,
                "curl 8.7.1 LibreSSL/3.3.6",
                Some(TlsLibrary::LibreSsl),
            ),
            (
                "curl 8.5.0 (x) libcurl/8.5.0 zlib/1.3\n",
                "curl 8.5.0",
                None,
            ),
        ];
        for (output, text, tls) in cases {
            let v = parse_version(output).map(|v| (v.text, v.tls));
            assert_eq!(v, Some((text.to_owned(), tls)), "{output}");
        }
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn parses_traces() {
        let cases = [
            (
                TRACE,
                Some((p("/etc/ssl/certs/ca-certificates.crt"), p("/etc/ssl/certs"))),
            ),
            // SSL_CERT_FILE=/nonexistent: the error line is the only one naming the file.
            (TRACE_MISSING_FILE, Some((p("/nonexistent"), None))),
            (
                "* error setting certificate path: /no/dir\n",
                Some((None, p("/no/dir"))),
            ),
            (
                "*  CAfile: /b c.pem\n*  CApath: none\n",
                Some((p("/b c.pem"), None)),
            ),
            ("* Connected to 127.0.0.1\n", None),
        ];
        for (trace, expected) in cases {
            assert_eq!(parse_trace(trace), expected, "{trace}");
        }
        assert_eq!(
            parse_config_ca("/etc/ca.pem\n"),
            Some((p("/etc/ca.pem"), None))
        );
        assert_eq!(parse_config_ca("\n"), None);
    }

    #[test]
    fn sources_follow_the_paths_curl_reported() {
        let env = Environment::new(
            [
                ("CURL_CA_BUNDLE", "/c.pem"),
                ("SSL_CERT_FILE", "/s.pem"),
                ("SSL_CERT_DIR", "/d"),
            ]
            .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let cases = [
            (p("/c.pem"), p("/d"), "env CURL_CA_BUNDLE, env SSL_CERT_DIR"),
            (p("/s.pem"), None, "env SSL_CERT_FILE"),
            (
                p("/etc/ssl/cert.pem"),
                p("/etc/ssl/certs"),
                "built-in default",
            ),
        ];
        for (file, dir, expected) in cases {
            let words: Vec<String> = sources(&env, &file, &dir)
                .iter()
                .map(Source::to_string)
                .collect();
            assert_eq!(words.join(", "), expected, "{file:?}");
        }
    }
}

//! `cabundle probe`: connect with TLS, capture the chain the server sends whatever its
//! validity (like `openssl s_client -showcerts`), print it, then the `verify` verdict.

use crate::cli::probe::ProbeArgs;
use crate::shared::files;
use crate::shared::hints::Source;
use crate::commands::verify::{exit_code, load_manifest, load_store, print_report, time_arg};
use crate::output::Output;
use anyhow::{Context, anyhow, bail};
use cabundle_cert::Certificate;
use cabundle_cert::date::format_moment;
use cabundle_verify::{Options, Purpose};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs `cabundle probe`.
pub fn run(args: ProbeArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let at = time_arg(args.at.as_deref())?;
    let (host, port) = split_target(&args.target)?;
    let name = args.servername.clone().unwrap_or_else(|| host.clone());
    let timeout = Duration::from_secs(args.timeout.max(1));
    let (store, source) = load_store(&args.store, out)?;
    let manifest = load_manifest(&args.store)?;

    let ders = fetch_chain(&host, port, &name, timeout)?;
    let mut chain: Vec<Certificate> = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        let cert = Certificate::from_der(der)
            .with_context(|| format!("certificate {i} sent by the server cannot be read"))?;
        chain.push(cert);
    }
    if chain.is_empty() {
        bail!("{host}:{port} sent no certificate");
    }

    // With `--save-chain -` the chain is the data on standard output; the report moves to
    // standard error.
    let to_stdout = args.save_chain.as_deref().is_some_and(files::is_stdio);
    let mut w: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    writeln!(
        w,
        "{host}:{port} sent {} certificate{}:",
        chain.len(),
        if chain.len() == 1 { "" } else { "s" }
    )?;
    for (i, c) in chain.iter().enumerate() {
        writeln!(w, "  {i}  subject: {}", c.subject)?;
        writeln!(w, "     issuer:  {}", c.issuer)?;
        writeln!(
            w,
            "     valid:   {} to {}",
            format_moment(c.not_before),
            format_moment(c.not_after)
        )?;
        writeln!(w, "     sha256:  {}", c.sha256)?;
        writeln!(w, "     sha1:    {}", c.sha1)?;
    }
    let saved = args.save_chain.as_ref().map(|p| p.display().to_string());
    if let Some(path) = &args.save_chain {
        let pem: String = chain.iter().map(|c| c.to_pem()).collect();
        files::write(path, pem.as_bytes())?;
        if !to_stdout {
            out.info(&format!("saved the chain to {}", path.display()));
        }
    }

    out.verbose(&format!(
        "trust store: {source} ({} certificates)",
        store.len()
    ));
    let opts = Options {
        at,
        hostname: Some(name.clone()),
        purpose: Purpose::Tls,
        manifest,
        partial_chain: args.store.partial_chain,
    };
    let report = cabundle_verify::verify(&chain, &store, &opts)?;
    let source = Source::Server {
        target: &args.target,
        // A chain written to standard output is in no file the advice could name.
        saved: saved.as_deref().filter(|_| !to_stdout),
    };
    if let Some(path) = &args.intermediates
        && !report.is_valid()
    {
        let supplied = crate::commands::verify::read_intermediates(path)?;
        if let Some(completed) =
            crate::commands::verify::complete(&chain, &supplied, &store, &opts)?
        {
            print_report(&completed, source, &mut w)?;
            crate::commands::verify::print_omitted(&completed, &supplied, "the server", &mut w)?;
            writeln!(
                w,
                "not verified as sent: the server is misconfigured (it omits an intermediate)"
            )?;
            w.flush()?;
            return Ok(ExitCode::from(1));
        }
    }
    print_report(&report, source, &mut w)?;
    w.flush()?;
    Ok(exit_code(&report))
}

/// `HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address; port 443 by default.
pub(crate) fn split_target(target: &str) -> anyhow::Result<(String, u16)> {
    let bad_port = |p: &str| anyhow!("invalid port {p:?} in {target:?}");
    if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| anyhow!("invalid address {target:?}: missing ]"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port(p))?,
            None => 443,
        };
        return Ok((host.to_owned(), port));
    }
    match target.rsplit_once(':') {
        Some((host, p)) if !host.contains(':') => {
            Ok((host.to_owned(), p.parse().map_err(|_| bad_port(p))?))
        }
        _ => Ok((target.to_owned(), 443)),
    }
}

/// Connects, runs the TLS handshake and returns the certificates the server sent.
pub(crate) fn fetch_chain(
    host: &str,
    port: u16,
    name: &str,
    timeout: Duration,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .collect();
    let mut last_err = None;
    let mut sock = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                sock = Some(s);
                break;
            }
            Err(e) => last_err = Some(e),
        }
    }
    let mut sock = match (sock, last_err) {
        (Some(s), _) => s,
        (None, Some(e)) if e.kind() == ErrorKind::ConnectionRefused => bail!(
            "connection refused by {host}:{port}\nhint: is the server running and listening on that port?"
        ),
        (None, Some(e)) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            bail!(
                "timed out after {}s connecting to {host}:{port}\nhint: check the host, the port and any firewall, or raise --timeout",
                timeout.as_secs()
            )
        }
        (None, Some(e)) => {
            return Err(e).with_context(|| format!("cannot connect to {host}:{port}"));
        }
        (None, None) => bail!("{host} has no address"),
    };
    sock.set_read_timeout(Some(timeout))?;
    sock.set_write_timeout(Some(timeout))?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        algs: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_owned())
        .map_err(|_| anyhow!("invalid server name {name:?}"))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), server_name)?;
    let mut handshake_err = None;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut sock) {
            handshake_err = Some(e);
            break;
        }
    }
    let chain = recorder
        .chain
        .lock()
        .map_err(|_| anyhow!("internal error: poisoned lock"))?
        .clone();
    if let Some(e) = handshake_err {
        if chain.is_empty() {
            return Err(match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => anyhow!(
                    "timed out after {}s waiting for the TLS handshake with {host}:{port}\nhint: is it a TLS port? raise --timeout if the server is slow",
                    timeout.as_secs()
                ),
                ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset => anyhow!(
                    "{host}:{port} closed the connection during the TLS handshake\nhint: is it a TLS port, and does it accept the name {name:?}?"
                ),
                _ => anyhow::Error::new(e)
                    .context(format!("TLS handshake with {host}:{port} failed")),
            });
        }
    } else {
        conn.send_close_notify();
        let _ = conn.complete_io(&mut sock);
    }
    Ok(chain)
}

/// Accepts any certificate chain and records it; handshake signatures are still checked.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

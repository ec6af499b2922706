//! Capturing the chain a TLS server sends, whatever its validity (like `openssl s_client
//! -showcerts`), and the OCSP response it staples: `probe` shows and verifies the chain and
//! reads the staple for `--revocation`, `doctor` verifies the chain against each client's store.

use anyhow::{Context, anyhow, bail};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// How long a capture may take: `timeout` bounds the connection and each read or write,
/// `deadline` the whole capture (connection and handshake), so that a server sending one byte
/// at a time cannot hold it open for long.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The connection and each read or write.
    pub timeout: Duration,
    /// The whole capture, from the first connection attempt to the end of the handshake.
    pub deadline: Duration,
}

impl Limits {
    /// `timeout`, and `deadline` or by default [`DEADLINE_FACTOR`] times `timeout`.
    pub(crate) fn new(timeout: Duration, deadline: Option<Duration>) -> Limits {
        let timeout = timeout.max(Duration::from_millis(1));
        let deadline = deadline
            .unwrap_or_else(|| timeout.saturating_mul(DEADLINE_FACTOR))
            .max(Duration::from_millis(1));
        Limits { timeout, deadline }
    }
}

/// The default deadline of a capture, in time-outs.
pub(crate) const DEADLINE_FACTOR: u32 = 2;

/// Which limit a wait runs into first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    Timeout,
    Deadline,
}

/// The longest the next wait may last, and which limit ends it; `None` when the deadline has
/// passed.
fn next_wait(limits: Limits, end: Instant, now: Instant) -> Option<(Duration, Bound)> {
    let left = end.checked_duration_since(now).filter(|d| !d.is_zero())?;
    Some(if left < limits.timeout {
        (left, Bound::Deadline)
    } else {
        (limits.timeout, Bound::Timeout)
    })
}

/// What a server sent: its certificates, and the OCSP response it stapled.
pub(crate) struct Captured {
    /// The certificates, in the order sent (DER).
    pub(crate) chain: Vec<Vec<u8>>,
    /// The stapled OCSP response (DER), when the server sent one.
    pub(crate) stapled: Option<Vec<u8>>,
}

/// The certificates a server sent, read in order; none at all is an error naming `target`.
pub(crate) fn read_chain(
    ders: &[Vec<u8>],
    target: &str,
) -> anyhow::Result<Vec<cabundle_cert::Certificate>> {
    let mut chain = Vec::with_capacity(ders.len());
    for (i, der) in ders.iter().enumerate() {
        chain.push(
            cabundle_cert::Certificate::from_der(der)
                .with_context(|| format!("certificate {i} sent by the server cannot be read"))?,
        );
    }
    if chain.is_empty() {
        bail!("{target} sent no certificate");
    }
    Ok(chain)
}

/// Connects, runs the TLS handshake and returns the certificates the server sent.
pub(crate) fn fetch_chain(
    host: &str,
    port: u16,
    name: &str,
    limits: Limits,
) -> anyhow::Result<Vec<Vec<u8>>> {
    Ok(capture(host, port, name, limits)?.chain)
}

/// Connects, runs the TLS handshake (rustls asks for a stapled OCSP response) and returns
/// what the server sent.
pub(crate) fn capture(
    host: &str,
    port: u16,
    name: &str,
    limits: Limits,
) -> anyhow::Result<Captured> {
    let end = Instant::now() + limits.deadline;
    let Limits { timeout, deadline } = limits;
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .collect();
    let mut last_err = None;
    let mut sock = None;
    let mut bound = Bound::Timeout;
    for addr in &addrs {
        let Some((wait, b)) = next_wait(limits, end, Instant::now()) else {
            bound = Bound::Deadline;
            break;
        };
        bound = b;
        match TcpStream::connect_timeout(addr, wait) {
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
        (None, Some(e))
            if bound == Bound::Deadline
                || matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) =>
        {
            if bound == Bound::Deadline {
                bail!(
                    "the connection to {host}:{port} did not open within {deadline:?} (the deadline)\nhint: check the host, the port and any firewall, or raise --deadline"
                )
            }
            bail!(
                "timed out after {timeout:?} connecting to {host}:{port}\nhint: check the host, the port and any firewall, or raise --timeout"
            )
        }
        (None, Some(e)) => {
            return Err(e).with_context(|| format!("cannot connect to {host}:{port}"));
        }
        (None, None) => bail!("{host} has no address"),
    };

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        stapled: Mutex::new(None),
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
    let mut first = Vec::new();
    let handshake = handshake(&mut conn, &mut sock, limits, end, &mut first);
    let chain = recorder
        .chain
        .lock()
        .map_err(|_| anyhow!("internal error: poisoned lock"))?
        .clone();
    let stapled = recorder
        .stapled
        .lock()
        .map_err(|_| anyhow!("internal error: poisoned lock"))?
        .clone();
    match handshake {
        Err(_) if chain.is_empty() && is_plain_http(&first) => {
            bail!(
                "{host}:{port} answered in plain HTTP, not TLS\nhint: this port speaks HTTP: probe the server's TLS port (443 for https://), or fetch this one with http://"
            );
        }
        Err((e, bound)) if chain.is_empty() => {
            return Err(match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut if bound == Bound::Deadline => anyhow!(
                    "the TLS handshake with {host}:{port} did not finish within {deadline:?} (the deadline)\nhint: the server sends slowly; raise --deadline if it is only slow"
                ),
                ErrorKind::WouldBlock | ErrorKind::TimedOut => anyhow!(
                    "no data from {host}:{port} for {timeout:?} during the TLS handshake\nhint: is it a TLS port? raise --timeout if the server is slow"
                ),
                ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset => anyhow!(
                    "{host}:{port} closed the connection during the TLS handshake\nhint: is it a TLS port, and does it accept the name {name:?}?"
                ),
                _ => anyhow::Error::new(e)
                    .context(format!("TLS handshake with {host}:{port} failed")),
            });
        }
        Err(_) => {}
        Ok(()) => {
            conn.send_close_notify();
            if let Some((wait, _)) = next_wait(limits, end, Instant::now()) {
                let _ = sock.set_write_timeout(Some(wait));
                let _ = conn.write_tls(&mut sock);
            }
        }
    }
    Ok(Captured { chain, stapled })
}

/// Drives the handshake to its end, each read and write bounded by the time-out and all of
/// them by the deadline (rustls' `complete_io` would read on as long as bytes trickle in).
/// An error comes with the limit that was in force when it struck.
fn handshake(
    conn: &mut rustls::ClientConnection,
    sock: &mut TcpStream,
    limits: Limits,
    end: Instant,
    first: &mut Vec<u8>,
) -> Result<(), (std::io::Error, Bound)> {
    let timed_out = || std::io::Error::from(ErrorKind::TimedOut);
    while conn.is_handshaking() {
        let (wait, bound) =
            next_wait(limits, end, Instant::now()).ok_or_else(|| (timed_out(), Bound::Deadline))?;
        let io = |e| (e, bound);
        if conn.wants_write() {
            sock.set_write_timeout(Some(wait)).map_err(io)?;
            conn.write_tls(sock).map_err(io)?;
            continue;
        }
        if conn.wants_read() {
            sock.set_read_timeout(Some(wait)).map_err(io)?;
            let mut reader = FirstBytes { sock, first };
            if conn.read_tls(&mut reader).map_err(io)? == 0 {
                return Err(io(ErrorKind::UnexpectedEof.into()));
            }
            if let Err(e) = conn.process_new_packets() {
                // Tell the server why, as `complete_io` does.
                let _ = conn.write_tls(sock);
                return Err(io(std::io::Error::new(ErrorKind::InvalidData, e)));
            }
        }
    }
    Ok(())
}

/// A reader that keeps the first bytes the server sent, to tell a plain-HTTP answer.
struct FirstBytes<'a> {
    sock: &'a mut TcpStream,
    first: &'a mut Vec<u8>,
}

impl std::io::Read for FirstBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.sock.read(buf)?;
        let keep = 8usize.saturating_sub(self.first.len()).min(n);
        self.first.extend_from_slice(&buf[..keep]);
        Ok(n)
    }
}

/// Whether the first bytes of an answer are an HTTP status line or an HTML page (what a
/// plain-HTTP server answers a TLS hello with; some send the page without a status line). A
/// TLS record starts with a content type byte from 20 to 24.
fn is_plain_http(first: &[u8]) -> bool {
    first.starts_with(b"HTTP/") || first.starts_with(b"<")
}

/// Accepts any certificate chain and records it with the stapled OCSP response; handshake
/// signatures are still checked.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
    stapled: Mutex<Option<Vec<u8>>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut stapled) = self.stapled.lock() {
            *stapled = (!ocsp_response.is_empty()).then(|| ocsp_response.to_vec());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_end_at_the_deadline() {
        let limits = Limits::new(Duration::from_secs(3), None);
        assert_eq!(limits.deadline, Duration::from_secs(6));
        let start = Instant::now();
        let end = start + limits.deadline;
        let check = |after: u64, expected: Option<(u64, Bound)>| {
            let got = next_wait(limits, end, start + Duration::from_secs(after))
                .map(|(d, b)| (d.as_secs(), b));
            assert_eq!(got, expected, "after {after} s");
        };
        check(0, Some((3, Bound::Timeout)));
        check(3, Some((3, Bound::Timeout)));
        check(4, Some((2, Bound::Deadline)));
        check(6, None);
        check(20, None);
    }
}

//! `--fetch-missing`: follow a certificate's AIA `caIssuers` URL to the issuer nobody gave, as
//! Windows, macOS and Android do and OpenSSL, curl, Python and Go do not. What is fetched
//! (DER, PEM or PKCS#7 `certs-only`) is used only when it names the certificate's issuer and
//! its key verifies the certificate's signature; the walk is bounded in depth, size and time,
//! and a URL or certificate met twice ends it (a loop).

use crate::shared::terminal::one_line;
use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

/// How many issuers are fetched one above the other at most.
pub(crate) const MAX_DEPTH: usize = 4;

/// The largest answer taken from a `caIssuers` URL: a certificate is a few kilobytes, a
/// PKCS#7 file of a few of them not much more.
pub(crate) const MAX_BYTES: u64 = 1 << 20;

/// A certificate fetched from a `caIssuers` URL.
pub(crate) struct Fetched {
    /// The issuer, checked by name and signature.
    pub(crate) cert: Certificate,
    /// Where it came from.
    pub(crate) url: String,
}

/// What a walk fetched, and why it stopped where it did when that was not at a known issuer.
#[derive(Default)]
pub(crate) struct Walk {
    /// The issuers fetched, lowest first.
    pub(crate) fetched: Vec<Fetched>,
    /// Why the walk stopped early (a URL that failed, a loop, no URL), one line each.
    pub(crate) notes: Vec<String>,
}

/// Fetches the issuer of `start`, then that issuer's, until one is found whose issuer `known`
/// holds (by name), a self-issued certificate, or [`MAX_DEPTH`].
pub(crate) fn fetch_issuers(
    start: &Certificate,
    known: &[&Certificate],
    timeout: Duration,
) -> Walk {
    let mut walk = Walk::default();
    let mut urls: HashSet<String> = HashSet::new();
    let mut certs: HashSet<Sha256Fingerprint> = HashSet::from([start.sha256]);
    let has_issuer =
        |c: &Certificate| c.is_self_issued() || known.iter().any(|k| k.subject_der == c.issuer_der);
    let mut current = start.clone();
    for _ in 0..MAX_DEPTH {
        if has_issuer(&current) {
            return walk;
        }
        // An issuer met lower on the walk: the certificates name each other (A issued by B,
        // B by A), and going on would fetch them again.
        if let Some(met) = walk
            .fetched
            .iter()
            .find(|f| f.cert.subject_der == current.issuer_der)
        {
            let from = walk
                .fetched
                .last()
                .map(|f| format!(" (fetched from {})", f.url))
                .unwrap_or_default();
            walk.notes.push(format!(
                "\"{}\"{from} names \"{}\" as its issuer, fetched already from {}: the caIssuers URLs loop without reaching a trusted root",
                current.subject, met.cert.subject, met.url
            ));
            return walk;
        }
        if current.ca_issuers.is_empty() {
            walk.notes.push(format!(
                "\"{}\" names no caIssuers URL to fetch its issuer from",
                current.subject
            ));
            return walk;
        }
        let mut found = None;
        for url in &current.ca_issuers {
            if !urls.insert(url.clone()) {
                walk.notes.push(format!(
                    "{url} was fetched already: the caIssuers URLs loop"
                ));
                return walk;
            }
            match fetch_issuer(&current, url, timeout) {
                Ok(cert) => {
                    found = Some((cert, url.clone()));
                    break;
                }
                Err(reason) => walk.notes.push(reason),
            }
        }
        let Some((cert, url)) = found else {
            return walk;
        };
        if !certs.insert(cert.sha256) {
            walk.notes.push(format!(
                "{url} served \"{}\" again: the caIssuers URLs loop",
                cert.subject
            ));
            return walk;
        }
        current = cert.clone();
        walk.fetched.push(Fetched { cert, url });
    }
    if !has_issuer(&current) {
        walk.notes.push(format!(
            "stopped after fetching {MAX_DEPTH} issuers one above the other"
        ));
    }
    walk
}

/// Fetches `url` and picks the certificate that issued `child`; the error says why none.
fn fetch_issuer(child: &Certificate, url: &str, timeout: Duration) -> Result<Certificate, String> {
    let opts = cabundle_fetch::FetchOptions::one_try(timeout, MAX_BYTES, true);
    let body = cabundle_fetch::fetch(url, &opts)
        .map_err(|e| format!("caIssuers of \"{}\": {e}", child.subject))?
        .body;
    let certs = cabundle_cert::read_certificates(&body)
        .map_err(|e| format!("{url} served no certificate that can be read: {e}"))?;
    let by_name = certs
        .iter()
        .filter(|c| c.subject_der == child.issuer_der)
        .collect::<Vec<_>>();
    if by_name.is_empty() {
        return Err(format!(
            "{url} served {} certificate{}, none named \"{}\"",
            certs.len(),
            if certs.len() == 1 { "" } else { "s" },
            child.issuer
        ));
    }
    by_name
        .into_iter()
        .find(|c| child.is_signed_by(c))
        .cloned()
        .ok_or_else(|| {
            format!(
                "{url} served \"{}\", whose key did not sign \"{}\"",
                child.issuer, child.subject
            )
        })
}

/// Prints what was fetched, that clients which do not fetch still fail, and both fixes.
pub(crate) fn print_fetched(
    walk: &Walk,
    used: &[Sha256Fingerprint],
    sender: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    for f in walk
        .fetched
        .iter()
        .filter(|f| used.contains(&f.cert.sha256))
    {
        writeln!(
            w,
            "{sender} omits {}, SHA-256 {}, fetched from {} (its caIssuers URL)",
            f.cert.subject,
            f.cert.sha256,
            one_line(&f.url)
        )?;
    }
    writeln!(
        w,
        "hint: browsers on Windows, macOS and Android fetch it as cabundle did; OpenSSL, curl, Python and Go do not, and fail until the server sends it or their bundle carries it"
    )?;
    writeln!(
        w,
        "hint: configure the server to send its full chain: cabundle chain LEAF.pem --fetch-missing --no-root -o fullchain.pem writes it"
    )
}

/// Prints why the walk stopped early, each on a `fetch-missing:` line.
pub(crate) fn print_notes(walk: &Walk, w: &mut impl Write) -> std::io::Result<()> {
    for note in &walk.notes {
        writeln!(w, "fetch-missing: {}", one_line(note))?;
    }
    Ok(())
}

/// When `report` (of `chain` with `untrusted`) ends below a trust anchor, fetches the issuers
/// above its top certificate and verifies again with them; the report is `None` when nothing
/// was fetched.
pub(crate) fn complete_by_fetching(
    chain: &[Certificate],
    untrusted: &[Certificate],
    store: &[Certificate],
    opts: &cabundle_verify::Options,
    report: &cabundle_verify::Report,
    timeout: Duration,
) -> anyhow::Result<(Walk, Option<cabundle_verify::Report>)> {
    let known: Vec<&Certificate> = chain.iter().chain(untrusted).chain(store).collect();
    let top = report
        .path
        .last()
        .filter(|l| !l.trusted)
        .and_then(|l| known.iter().find(|c| c.sha256 == l.sha256));
    let Some(top) = top else {
        return Ok((Walk::default(), None));
    };
    let walk = fetch_issuers(top, &known, timeout);
    if walk.fetched.is_empty() {
        return Ok((walk, None));
    }
    let mut more = untrusted.to_vec();
    more.extend(walk.fetched.iter().map(|f| f.cert.clone()));
    let fetched = cabundle_verify::verify_with(chain, &more, store, opts)?;
    Ok((walk, Some(fetched)))
}

/// The fingerprints of the fetched certificates `report`'s path took.
pub(crate) fn used(walk: &Walk, report: &cabundle_verify::Report) -> Vec<Sha256Fingerprint> {
    report
        .path
        .iter()
        .filter(|l| walk.fetched.iter().any(|f| f.cert.sha256 == l.sha256))
        .map(|l| l.sha256)
        .collect()
}

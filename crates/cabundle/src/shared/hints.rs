//! The `hint:` lines under each problem `verify` and `probe` report: what to do, in terms of
//! this program's commands and options. `cabundle-verify` states the facts of a problem (which
//! certificate, which date, which URL); only the binary knows its commands, so the advice is
//! written here, for each kind of problem, and for where the chain came from. A note (what
//! does not fail the chain for OpenSSL) has its line too, [`note_hint`].
//!
//! `doctor` judges one server's chain against each client's store; its reason and fix for
//! each client come from [`client_reason`] and [`client_fix`] below, with the same exhaustive
//! match, and name the variable that client reads (from `cabundle-clients`' one table). The
//! advice for Java, which reads no variable, is [`java_truststore`], also shown by
//! `cabundle env --help`. A chain that verifies with a note fails the clients the note is
//! about ([`client_refuses`]: a common name `requests` on urllib3 2 does not read), and a
//! chain that fails only because OpenSSL takes a dead end passes the clients that search
//! further ([`backtracks`]: Java).

use cabundle_clients::ClientName;
use cabundle_verify::revocation::Verdict;
use cabundle_verify::{DeadEnd, IssuerFault, Note, Problem, Purpose, Rejection, Report, Role};

/// Where the chain being explained came from, so the advice can name it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source<'a> {
    /// `cabundle verify FILE`: the chain file as given.
    File {
        /// The chain file (`-` for standard input).
        chain: &'a str,
    },
    /// `cabundle probe TARGET`: a server's chain, and where it was saved, if it was.
    Server {
        /// `HOST[:PORT]` as given.
        target: &'a str,
        /// The `--save-chain` file, when given.
        saved: Option<&'a str>,
    },
}

const ADD: &str = "then: cabundle build --add ROOT.pem ...";

/// The hint under a certificate `--revocation` found revoked or could not decide about;
/// `leaf` when it is the certificate verified (not an intermediate).
pub(crate) fn revocation_hint(verdict: Verdict, leaf: bool) -> &'static str {
    match (verdict, leaf) {
        (Verdict::Revoked, true) => {
            "the certificate must be replaced: get a new one from the CA and install it on the server"
        }
        (Verdict::Revoked, false) => {
            "the CA revoked this intermediate: get the chain the CA issues now and configure the server to send it"
        }
        (Verdict::Unknown, _) => {
            "no CRL or OCSP responder answered (see above); check the network, raise --revocation-timeout, or pass the CRL with --crl FILE"
        }
        (Verdict::Good, _) => "nothing to do",
    }
}

/// The longest path most public chains have: leaf, two intermediates, root. A longer one
/// that verifies gets [`long_path`]'s note.
pub(crate) const USUAL_PATH: usize = 4;

/// The note and hint for a path that verifies with more than [`USUAL_PATH`] certificates.
pub(crate) fn long_path(len: usize) -> Option<(String, String)> {
    (len > USUAL_PATH).then(|| {
        (
            format!(
                "long chain: the path has {len} certificates ({} intermediates), more than the {USUAL_PATH} (two intermediates) of most public chains; it verifies, but each intermediate the server sends adds its bytes to every handshake and a signature check to every client, and rustls refuses paths of more than 6 intermediates",
                len - 2
            ),
            "if the CA offers a shorter chain (an intermediate cross-signed by a newer root, or one issued by the root directly), send that one, and send only the certificates of the path (cabundle chain CERT... -o fullchain.pem keeps only the path, in order)".to_owned(),
        )
    })
}

/// Where a `--capath` that is a symbolic link leads, when it is not to a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CapathLink {
    /// To nothing: the target does not exist.
    Dangling,
    /// To a file, not a directory.
    File,
}

/// The error, and its hint, for a `--capath` that is a symbolic link leading nowhere or to a
/// file (one to a directory is followed, as OpenSSL's `-CApath` follows it).
pub(crate) fn capath_link_message(
    link: &std::path::Path,
    target: &std::path::Path,
    leads_to: CapathLink,
) -> String {
    let (link, target) = (link.display(), target.display());
    match leads_to {
        CapathLink::Dangling => format!(
            "--capath {link} is a symbolic link to {target}, which does not exist\nhint: point the link at the hashed directory (ln -sfn DIR {link}), or give that directory itself; a link to a directory is followed, as openssl verify -CApath follows it"
        ),
        CapathLink::File => format!(
            "--capath {link} is a symbolic link to {target}, a file, not a directory\nhint: give a PEM bundle with --bundle {link}; --capath takes a hashed directory (cabundle rehash DIR makes one), or a link to one"
        ),
    }
}

/// The hint lines for `problem`, one of `report`'s problems.
pub(crate) fn hints(problem: &Problem, report: &Report, source: Source<'_>) -> Vec<String> {
    let root_expired = report.problems.iter().any(|p| {
        matches!(
            p,
            Problem::Expired {
                role: Role::Root,
                ..
            }
        )
    });
    let server = match source {
        Source::Server { target, saved } => Some((target, saved)),
        Source::File { .. } => None,
    };
    match problem {
        Problem::MissingIntermediate { issuer, urls, .. } => {
            let mut lines = vec![match urls.first() {
                Some(url) => format!(
                    "fetch the intermediate from {url} (cabundle convert FILE.der FILE.pem turns DER into PEM), append it to the chain after the certificate, and configure the server to send it"
                ),
                None => format!(
                    "get the certificate of \"{issuer}\" from the CA, append it to the chain after the certificate, and configure the server to send it"
                ),
            }];
            if server.is_some() && urls.is_empty() {
                lines.push(format!(
                    "if no public CA is named \"{issuer}\", this is a private CA or a TLS-inspecting proxy on this network: get its root from whoever runs it, check its fingerprint with them, {ADD}"
                ));
            }
            lines
        }
        Problem::RootNotTrusted { issuer, urls, .. } => {
            let from = match urls.first() {
                Some(url) => format!("from whoever runs it (it may be at {url})"),
                None => "from whoever runs it".to_owned(),
            };
            let mut lines = Vec::new();
            if server.is_some() {
                lines.push(format!(
                    "the server does not send its root \"{issuer}\", and no trust store given has it: it belongs to a private CA or a TLS-inspecting proxy on this network"
                ));
            }
            lines.push(format!(
                "if you trust \"{issuer}\", get its certificate {from}, check its fingerprint with them, save it as ROOT.pem, {ADD}"
            ));
            lines
        }
        Problem::AnchorNotRoot { issuer, .. } => vec![
            format!(
                "OpenSSL-based clients accept a chain only when it ends at a self-signed root of their store: get the root \"{issuer}\" that issued it, save it as ROOT.pem, {ADD}"
            ),
            "or, to accept any certificate of the store as the end of the path (openssl verify -partial_chain), pass --partial-chain".to_owned(),
        ],
        Problem::UntrustedRoot { .. } if root_expired => {
            vec!["an expired root belongs in no trust store: do not add it".to_owned()]
        }
        Problem::UntrustedRoot { .. } => match source {
            Source::File { chain, .. } => vec![format!(
                "if you trust this root (a private CA or a TLS-inspecting proxy), check its fingerprint with whoever runs it, take it out of the chain (cabundle chain {chain} --root -o ROOT.pem), {ADD}"
            )],
            Source::Server { target, saved } => {
                let take = match saved {
                    Some(saved) => format!("cabundle chain {saved} --root -o ROOT.pem"),
                    None => format!(
                        "cabundle probe {target} --save-chain chain.pem, then cabundle chain chain.pem --root -o ROOT.pem"
                    ),
                };
                vec![
                    "the server sent this root itself, and no trust store given has it: it is a private CA, or a TLS-inspecting proxy on this network".to_owned(),
                    format!(
                        "if you trust it, check its sha256 with whoever runs the CA or proxy, take it out of the chain ({take}), {ADD}"
                    ),
                ]
            }
        },
        Problem::Excluded { .. } if root_expired => {
            vec!["the bundle left it out because it expired: do not add it back".to_owned()]
        }
        Problem::Excluded { .. } => vec![format!(
            "the chain must lead to a root that is still trusted (for a server, ask its operator), or add this root deliberately: save it as ROOT.pem, {ADD}"
        )],
        Problem::Expired { role, trusted, .. } => vec![match (role, trusted) {
            (Role::Leaf, _) => "renew the certificate and install the new one".to_owned(),
            (Role::Intermediate, _) => {
                "install the current intermediate from the CA in place of the expired one"
                    .to_owned()
            }
            (Role::Root, true) => "roots are replaced, not renewed: this trust store is out of date (rebuild the bundle with cabundle build, or update the system's CA certificates), and the chain must lead to a current root".to_owned(),
            (Role::Root, false) => "roots are replaced, not renewed: the chain must lead to a current root (for a server, ask its operator to send the current chain), and a trust store that still holds this root is out of date: rebuild it with cabundle build".to_owned(),
        }],
        Problem::NotYetValid { .. } => {
            vec!["check the clock of this machine (or --at), or wait until that date".to_owned()]
        }
        Problem::NameMismatch { hostname, names } => vec![if names.is_empty() {
            format!(
                "get a certificate whose subjectAltName includes {hostname}; clients ignore the common name"
            )
        } else {
            format!("connect with one of those names, or get a certificate that includes {hostname}")
        }],
        Problem::NameOfOtherKind {
            hostname, wanted, ..
        } => vec![format!(
            "get a certificate that lists {hostname} as {wanted} in its subjectAltName (an IP address is an iPAddress entry, a host name a dNSName entry)"
        )],
        Problem::OutsideNameConstraints { issuer, .. } => vec![format!(
            "the CA \"{issuer}\" may issue only for the names its constraints allow: leave the names listed out of the certificate, or get it from a CA allowed to issue for them"
        )],
        Problem::UnusableIssuer { fault, trusted, .. } => vec![issuer_fix(*fault, *trusted)],
        Problem::KeyTooSmall { minimum, .. } => vec![format!(
            "get the certificate reissued with an RSA key of at least {minimum} bits (or an ECDSA P-256 key), from a CA whose own key is as strong"
        )],
        Problem::UnsupportedKey { .. } => vec![
            "get the certificate reissued with an RSA key of 2048 bits or more, or an ECDSA key on P-256 or P-384 (named curves, not explicit parameters)".to_owned(),
        ],
        Problem::OpensslDeadEnd {
            taken,
            sha256,
            trusted,
            why,
            ..
        } => vec![dead_end_fix(taken, *sha256, *trusted, *why, server.is_some())],
        Problem::Rejected(rejection) => vec![rejected(rejection, source)],
    }
}

/// How to take away the dead end OpenSSL takes: out of the store, or out of the chain.
fn dead_end_fix(
    taken: &str,
    sha256: cabundle_cert::Sha256Fingerprint,
    trusted: bool,
    why: DeadEnd,
    server: bool,
) -> String {
    let sender = if server { "the server" } else { "the chain" };
    match (trusted, why) {
        (true, _) => format!(
            "remove \"{taken}\" (sha256 {sha256}), which has the issuer's name and another key, from the trust store (a bundle cabundle built: build it again with cabundle build --exclude {sha256}=REASON), so that OpenSSL finds the root that signed"
        ),
        (false, DeadEnd::SelfSigned) => format!(
            "take the self-signed copy \"{taken}\" (sha256 {sha256}) out of {sender}, which must send the intermediate its CA issued, leaf first, each issuer after the certificate it issued (cabundle chain CERT... -o fullchain.pem keeps only the path, in order)"
        ),
        (false, DeadEnd::WrongKey) => format!(
            "take \"{taken}\" (sha256 {sha256}), which has the issuer's name and another key, out of {sender}, which must send the intermediate that signed (cabundle chain CERT... -o fullchain.pem keeps only the path, in order)"
        ),
    }
}

/// Whether `client` searches further when the first issuer it takes leads nowhere (Java's
/// path builder); the others here build the path with OpenSSL, which does not.
pub(crate) fn backtracks(client: ClientName) -> bool {
    client == ClientName::Java
}

/// The fix for a CA certificate that may not issue: which extension to change, and who can.
fn issuer_fix(fault: IssuerFault, trusted: bool) -> String {
    let whose = if trusted {
        "this certificate of the trust store is not a usable root or intermediate: replace it with the CA's current one"
    } else {
        "the server sends an intermediate that may not issue certificates: install the CA's current intermediate in its place"
    };
    let what = match fault {
        IssuerFault::NoBasicConstraints | IssuerFault::NotCa => {
            "a CA certificate needs basicConstraints CA:TRUE"
        }
        IssuerFault::NoKeyCertSign => {
            "a CA certificate whose keyUsage is present needs keyCertSign in it"
        }
        IssuerFault::PathLength { .. } => {
            "or send a shorter chain, if a path with fewer intermediates exists"
        }
    };
    format!("{whose}; {what}")
}

/// Why `client` refuses a chain OpenSSL accepts, for a note that says so (`doctor`).
pub(crate) fn client_refuses(client: &cabundle_clients::Client, note: &Note) -> Option<String> {
    match note {
        Note::CommonNameOnly { hostname, .. } if !client.matches_common_name() => Some(format!(
            "the certificate names {hostname} in its common name only, and {} (on urllib3 2 or later) never reads the common name",
            client.name
        )),
        Note::CommonNameOnly { .. } | Note::Duplicate { .. } | Note::NotOnPath { .. } => None,
    }
}

/// The line under a note, saying who it matters to.
pub(crate) fn note_hint(note: &Note) -> String {
    match note {
        Note::CommonNameOnly { hostname, .. } => format!(
            "get a certificate that lists {hostname} in its subjectAltName, so that browsers and rustls-based clients accept it too"
        ),
        Note::Duplicate { .. } => {
            "send each certificate of the chain once: clients ignore the copies".to_owned()
        }
        Note::NotOnPath { .. } => {
            "a cross-signed certificate may be there for clients with older stores; if it serves no client, leave it out: it adds its bytes to every handshake".to_owned()
        }
    }
}

/// The hint for each kind of rejection.
fn rejected(rejection: &Rejection, source: Source<'_>) -> String {
    let (inspect, name_flag) = match source {
        Source::File { chain, .. } => (format!("cabundle inspect {chain}"), "--hostname"),
        Source::Server { .. } => ("cabundle inspect CHAIN.pem".to_owned(), "--servername"),
    };
    match rejection {
        Rejection::CaUsedAsEndEntity => match source {
            Source::File { .. } => "put the server's own certificate first: cabundle chain CERT... -o fullchain.pem puts certificates in order".to_owned(),
            Source::Server { .. } => "the server sends a CA certificate first: configure it to send its own certificate first, then the intermediates (cabundle chain CERT... -o fullchain.pem puts them in order)".to_owned(),
        },
        Rejection::EndEntityUsedAsCa => {
            "only a CA certificate (basicConstraints CA:TRUE) may issue others: check the order of the chain (cabundle chain puts it in order), or get the certificate from a CA".to_owned()
        }
        Rejection::OutsideValidity => {
            format!("compare the validity dates of each certificate ({inspect}) with the time checked (--at)")
        }
        Rejection::BadSignature => "a certificate was altered, or the issuer given is not the one that signed it: get the chain again from the CA".to_owned(),
        Rejection::UnknownIssuer => format!(
            "two certificates share the issuer's name with different keys: replace the intermediate or root with the CA's current one (compare fingerprints: {inspect})"
        ),
        Rejection::NameConstraints => "the issuing CA may issue only for names its constraints allow: get the certificate from a CA allowed to issue for this name".to_owned(),
        Rejection::PathLength => "leave out the extra intermediate, or get the certificate from a CA whose path length constraint allows this chain".to_owned(),
        Rejection::ExtendedKeyUsage { purpose } => match (source, purpose) {
            (Source::File { .. }, Purpose::Tls) => "check the purpose (--purpose email for S/MIME), or get a certificate issued for TLS servers (EKU serverAuth)".to_owned(),
            (Source::File { .. }, Purpose::Email) => "check the purpose (--purpose tls for servers), or get a certificate issued for e-mail (EKU emailProtection)".to_owned(),
            (Source::Server { .. }, _) => "the server needs a certificate issued for TLS servers (EKU serverAuth)".to_owned(),
        },
        Rejection::SignatureAlgorithm => "get the certificate reissued with a SHA-256 (or stronger) signature".to_owned(),
        Rejection::CriticalExtension => "get the certificate reissued without that critical extension: clients reject critical extensions they do not understand".to_owned(),
        Rejection::TooLong | Rejection::NoPathWithin { .. } => "leave out certificates that are not part of the path: cabundle chain CERT... keeps only the path".to_owned(),
        Rejection::SearchStopped { .. } => "many certificates share the issuers' names: give only the intermediates of this chain (cabundle chain CERT... keeps only the path), or fewer --intermediates".to_owned(),
        Rejection::Malformed => format!("a certificate could not be read: check each one ({inspect}), and get the ones that fail again from the CA"),
        Rejection::Revoked => "get a new certificate (and chain) from the CA".to_owned(),
        Rejection::InvalidHostName { .. } => {
            format!("give {name_flag} a DNS name (example.com) or an IP address")
        }
        Rejection::Other { .. } => "compare with: openssl verify -CAfile BUNDLE -untrusted CHAIN CHAIN".to_owned(),
    }
}

/// The one advice for Java, which reads none of the variables: a PKCS#12 truststore built by
/// `cabundle build` (with `add`, a root of one's own, in it), given to the JVM as system
/// properties. `doctor`'s fixes and `cabundle env --help` say it in these words.
pub(crate) fn java_truststore(add: Option<&str>) -> String {
    let add = add.map(|file| format!(" --add {file}")).unwrap_or_default();
    format!(
        "build a truststore (cabundle build{add} --java-truststore cacerts.p12) and run java with -Djavax.net.ssl.trustStore=cacerts.p12 -Djavax.net.ssl.trustStorePassword=changeit"
    )
}

/// How to point one client at a bundle: the variable it reads (from `cabundle-clients`' table),
/// or every client at once with `cabundle env`; for Java, its truststore.
pub(crate) fn point_at_bundle(client: ClientName) -> String {
    match client.bundle_variable() {
        Some(var) => format!(
            "point {client} at it: {var}=ca-bundle.pem, or every client: eval \"$(cabundle env ca-bundle.pem)\""
        ),
        None => java_truststore(None),
    }
}

/// The fix for a client whose store is empty or missing while a server is checked.
pub(crate) fn build_store(client: ClientName) -> String {
    match client.bundle_variable() {
        Some(_) => format!(
            "build a bundle (cabundle build --pem ca-bundle.pem), then {}",
            point_at_bundle(client)
        ),
        None => java_truststore(None),
    }
}

/// How to add a root of one's own for this client; `what` names it (`it`, `the root`).
fn add_root(client: ClientName, what: &str) -> String {
    match client.bundle_variable() {
        Some(_) => format!(
            "add {what} to a bundle: cabundle build --add ROOT.pem --pem ca-bundle.pem, then {}",
            point_at_bundle(client)
        ),
        None => java_truststore(Some("ROOT.pem")),
    }
}

/// Why the chain fails for one client's store (`doctor`), naming the certificate at fault.
pub(crate) fn client_reason(problem: &Problem) -> String {
    match problem {
        Problem::MissingIntermediate {
            certificate,
            issuer,
            ..
        } => format!(
            "missing intermediate \"{issuer}\" (the issuer of \"{certificate}\"): the server does not send it and this store does not hold it"
        ),
        Problem::RootNotTrusted {
            certificate,
            issuer,
            ..
        } => format!("root \"{issuer}\" (the issuer of \"{certificate}\") is not in this store"),
        Problem::UntrustedRoot { subject, sha256 } => {
            format!("root \"{subject}\" (sha256 {sha256}) is not in this store")
        }
        Problem::OpensslDeadEnd {
            certificate, taken, ..
        } => format!(
            "it builds the path with OpenSSL, which takes \"{taken}\" first as the issuer of \"{certificate}\", a dead end, and does not go back"
        ),
        Problem::AnchorNotRoot { .. }
        | Problem::NameOfOtherKind { .. }
        | Problem::OutsideNameConstraints { .. }
        | Problem::UnusableIssuer { .. }
        | Problem::KeyTooSmall { .. }
        | Problem::UnsupportedKey { .. }
        | Problem::Excluded { .. }
        | Problem::Expired { .. }
        | Problem::NotYetValid { .. }
        | Problem::NameMismatch { .. }
        | Problem::Rejected(_) => problem.to_string(),
    }
}

/// What to do about `problem` for one client (`doctor`).
pub(crate) fn client_fix(client: ClientName, problem: &Problem) -> Option<String> {
    match problem {
        Problem::RootNotTrusted { issuer: root, .. }
        | Problem::UntrustedRoot { subject: root, .. } => Some(format!(
            "if you trust \"{root}\", {}",
            add_root(client, "it")
        )),
        Problem::MissingIntermediate { issuer, urls, .. } => Some(if urls.is_empty() {
            // No AIA URL: a private CA's root that signs directly looks the same.
            format!(
                "configure the server to send the intermediate \"{issuer}\" after its certificate; if \"{issuer}\" is a private root you trust, {}",
                add_root(client, "it")
            )
        } else {
            format!(
                "configure the server to send the intermediate \"{issuer}\" (from {}) after its certificate",
                urls.join(", ")
            )
        }),
        Problem::AnchorNotRoot { issuer, .. } => Some(format!(
            "the store holds the intermediate but not the root \"{issuer}\" above it, and this client accepts only a path that ends at a root: {}",
            add_root(client, "the root")
        )),
        Problem::Expired { .. } => Some(
            "the server needs a current certificate (and chain); if the store's root expired, update the store".to_owned(),
        ),
        Problem::NotYetValid { .. } => Some("check this machine's clock".to_owned()),
        Problem::NameMismatch { .. } => Some(
            "connect with a name the certificate holds, or get one that holds this name".to_owned(),
        ),
        Problem::NameOfOtherKind { .. } => Some(
            "the server needs a certificate that lists the name as the right kind of entry".to_owned(),
        ),
        Problem::OutsideNameConstraints { .. } => Some(
            "the server needs a certificate from a CA allowed to issue for all its names".to_owned(),
        ),
        Problem::UnusableIssuer { fault, trusted, .. } => Some(issuer_fix(*fault, *trusted)),
        Problem::OpensslDeadEnd {
            taken,
            sha256,
            trusted,
            why,
            ..
        } => Some(dead_end_fix(taken, *sha256, *trusted, *why, true)),
        Problem::KeyTooSmall { .. } | Problem::UnsupportedKey { .. } => Some(
            "the server needs a certificate (and chain) with keys clients support: RSA of 2048 bits or more, or ECDSA P-256 or P-384".to_owned(),
        ),
        // Only a chain checked against a manifest has roots a policy excluded; doctor gives
        // none.
        Problem::Excluded { .. } => None,
        // The reason names the rejection; its hints name options of `verify` and `probe`
        // (`--at`, `--servername`) that doctor does not have.
        Problem::Rejected(_) => None,
    }
}

/// The fixes for the strict clients' rules a path breaks: one for the CAs, one for the
/// server's certificate, each said once.
pub(crate) fn strict_hints(violations: &[cabundle_verify::Violation]) -> Vec<String> {
    let mut out = Vec::new();
    let at_ca = violations.iter().any(|v| v.role != Role::Leaf);
    let at_leaf = violations.iter().any(|v| v.role == Role::Leaf);
    if at_ca {
        out.push("strict clients refuse this chain though OpenSSL's default verification accepts it: the CA certificate must be issued again with basicConstraints critical, keyUsage keyCertSign and cRLSign, and both key identifiers (a TLS-inspecting proxy's root: regenerate it in the proxy); until then Python 3.13 can drop the flag with ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT".to_owned());
    }
    if at_leaf {
        out.push("have the server's certificate issued again with its host names in a subjectAltName (the common name among them), the serverAuth extended key usage, the issuer's key identifier and a positive serial of at most 20 octets".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of rejection has its own hint, in house style, naming the option of the
    /// command it is shown by.
    #[test]
    fn each_rejection_has_a_hint() {
        let kinds = [
            Rejection::CaUsedAsEndEntity,
            Rejection::EndEntityUsedAsCa,
            Rejection::OutsideValidity,
            Rejection::BadSignature,
            Rejection::UnknownIssuer,
            Rejection::NameConstraints,
            Rejection::PathLength,
            Rejection::ExtendedKeyUsage {
                purpose: Purpose::Tls,
            },
            Rejection::ExtendedKeyUsage {
                purpose: Purpose::Email,
            },
            Rejection::SignatureAlgorithm,
            Rejection::CriticalExtension,
            Rejection::TooLong,
            Rejection::NoPathWithin { max: 10 },
            Rejection::SearchStopped { tried: 256 },
            Rejection::Malformed,
            Rejection::Revoked,
            Rejection::InvalidHostName {
                hostname: "a b".to_owned(),
            },
            Rejection::Other {
                detail: "X".to_owned(),
            },
        ];
        let file = Source::File { chain: "c.pem" };
        let server = Source::Server {
            target: "h:443",
            saved: None,
        };
        let mut seen = std::collections::BTreeSet::new();
        for kind in &kinds {
            let hint = rejected(kind, file);
            assert!(hint.starts_with(char::is_lowercase), "{hint}");
            assert!(!hint.ends_with('.'), "{hint}");
            seen.insert(hint);
            assert!(!rejected(kind, server).contains("--hostname"));
        }
        // One hint per kind (the two "too long" kinds share theirs).
        assert_eq!(seen.len(), kinds.len() - 1);
        assert!(
            rejected(&kinds[16], server).contains("--servername"),
            "probe names its own option"
        );
    }

    /// Each problem kind added for issue 18 has its own hint, in house style, and a CA
    /// certificate sent first by a server is advised on as the server's fault.
    #[test]
    fn each_issuer_and_key_problem_has_a_hint() {
        let sha256 = cabundle_cert::Sha256Fingerprint([2; 32]);
        let issuer = |fault| Problem::UnusableIssuer {
            role: Role::Intermediate,
            subject: "CN=int".to_owned(),
            sha256,
            trusted: false,
            fault,
        };
        let problems = [
            issuer(IssuerFault::NoBasicConstraints),
            issuer(IssuerFault::NotCa),
            issuer(IssuerFault::NoKeyCertSign),
            issuer(IssuerFault::PathLength { max: 0, below: 1 }),
            Problem::KeyTooSmall {
                role: Role::Root,
                subject: "CN=root".to_owned(),
                bits: 1024,
                minimum: 2048,
            },
            Problem::UnsupportedKey {
                role: Role::Root,
                subject: "CN=root".to_owned(),
                key: "DSA".to_owned(),
            },
            Problem::NameOfOtherKind {
                hostname: "127.0.0.1".to_owned(),
                listed_as: "a DNS name".to_owned(),
                wanted: "an IP address".to_owned(),
            },
            Problem::OutsideNameConstraints {
                issuer: "CN=int".to_owned(),
                names: vec!["a.test".to_owned()],
            },
            Problem::OpensslDeadEnd {
                certificate: "CN=leaf".to_owned(),
                taken: "CN=int".to_owned(),
                sha256,
                trusted: false,
                why: DeadEnd::SelfSigned,
            },
            Problem::OpensslDeadEnd {
                certificate: "CN=int".to_owned(),
                taken: "CN=root".to_owned(),
                sha256,
                trusted: true,
                why: DeadEnd::WrongKey,
            },
        ];
        let report = Report {
            path: Vec::new(),
            problems: problems.to_vec(),
            notes: Vec::new(),
            strict: Vec::new(),
        };
        let file = Source::File { chain: "c.pem" };
        let mut seen = std::collections::BTreeSet::new();
        for problem in &problems {
            let text = problem.to_string();
            assert!(!text.ends_with('.'), "{text}");
            for hint in hints(problem, &report, file) {
                assert!(hint.starts_with(char::is_lowercase), "{hint}");
                assert!(!hint.ends_with('.'), "{hint}");
                seen.insert(hint);
            }
            let fix = client_fix(ClientName::Curl, problem).unwrap_or_default();
            assert!(!fix.is_empty() && !fix.ends_with('.'), "{fix}");
        }
        // The two basicConstraints faults share their hint, as do the two key problems'
        // doctor fixes.
        assert_eq!(seen.len(), problems.len() - 1, "{seen:#?}");
        let server = Source::Server {
            target: "h:443",
            saved: None,
        };
        let first = rejected(&Rejection::CaUsedAsEndEntity, server);
        assert!(
            first.starts_with("the server sends a CA certificate first"),
            "{first}"
        );
        for note in [
            Note::CommonNameOnly {
                hostname: "localhost".to_owned(),
                common_name: "localhost".to_owned(),
            },
            Note::Duplicate {
                subject: "CN=int".to_owned(),
                sha256,
                times: 2,
            },
            Note::NotOnPath {
                subject: "CN=old cross-sign".to_owned(),
                sha256,
            },
        ] {
            let hint = note_hint(&note);
            assert!(
                hint.starts_with(char::is_lowercase) && !hint.ends_with('.'),
                "{hint}"
            );
        }
    }

    /// Doctor's advice names, for each client, the variable it reads (from the one table),
    /// and for Java the truststore; in house style.
    #[test]
    fn each_client_is_told_its_own_fix() {
        let root = Problem::RootNotTrusted {
            certificate: "CN=int".to_owned(),
            issuer: "CN=root".to_owned(),
            urls: Vec::new(),
        };
        let anchor = Problem::AnchorNotRoot {
            subject: "CN=int".to_owned(),
            sha256: cabundle_cert::Sha256Fingerprint([1; 32]),
            issuer: "CN=root".to_owned(),
        };
        let missing = Problem::MissingIntermediate {
            certificate: "CN=leaf".to_owned(),
            issuer: "CN=int".to_owned(),
            urls: Vec::new(),
        };
        let check = |client: ClientName, expected: &str| {
            let fixes = [
                point_at_bundle(client),
                build_store(client),
                client_fix(client, &root).unwrap_or_default(),
                client_fix(client, &anchor).unwrap_or_default(),
                client_fix(client, &missing).unwrap_or_default(),
            ];
            for fix in fixes {
                assert!(fix.contains(expected), "{client}: {fix}");
                assert!(fix.starts_with(char::is_lowercase), "{fix}");
                assert!(!fix.ends_with('.'), "{fix}");
            }
        };
        check(ClientName::Openssl, "SSL_CERT_FILE=ca-bundle.pem");
        check(ClientName::PythonSsl, "SSL_CERT_FILE=ca-bundle.pem");
        check(ClientName::Curl, "CURL_CA_BUNDLE=ca-bundle.pem");
        check(
            ClientName::PythonRequests,
            "REQUESTS_CA_BUNDLE=ca-bundle.pem",
        );
        check(ClientName::Pip, "PIP_CERT=ca-bundle.pem");
        check(ClientName::Node, "NODE_EXTRA_CA_CERTS=ca-bundle.pem");
        check(ClientName::Git, "GIT_SSL_CAINFO=ca-bundle.pem");
        check(
            ClientName::Java,
            "-Djavax.net.ssl.trustStore=cacerts.p12 -Djavax.net.ssl.trustStorePassword=changeit",
        );
        let java = client_fix(ClientName::Java, &root).unwrap_or_default();
        assert!(java.contains("cabundle build --add ROOT.pem --java-truststore cacerts.p12"));
        assert_eq!(client_reason(&anchor), anchor.to_string());
    }
}

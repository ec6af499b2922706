//! Arguments of `cabundle inspect`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle inspect`.
#[derive(Debug, Args)]
#[command(after_help = "\
Files may be PEM (any number of CERTIFICATE, TRUSTED CERTIFICATE or X509 CRL blocks, with text
around them) or DER (one certificate or CRL). `-` reads standard input.

Hashes are the ones `openssl x509 -subject_hash` and `-subject_hash_old` print, and name the
links in a hashed certificate directory. With --json, the output is one JSON array with an
object per certificate or CRL (keys: file, index, kind, subject, issuer, serial, not_before,
not_after, sha256, sha1, subject_hash, subject_hash_old, issuer_hash, key, spki_pin, is_ca;
CRLs have issuer, this_update, next_update, sha256, sha1, issuer_hash, issuer_hash_old).

The SPKI pin is the SHA-256 of the certificate's public key (SubjectPublicKeyInfo) in the form
curl's --pinnedpubkey takes (sha256//BASE64); --pins prints one line per certificate: the pin,
then the subject.

Exit codes: 0 ok, 2 a file could not be read or holds no certificate or CRL.

Examples:
  cabundle inspect /etc/ssl/certs/ca-certificates.crt
  cabundle inspect --json root.der | jq -r '.[].subject_hash'
  cabundle inspect --pins server.pem")]
pub struct InspectArgs {
    /// Certificate or CRL files (PEM or DER); `-` for standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print a JSON array instead of readable blocks.
    #[arg(long, conflicts_with = "pins")]
    pub json: bool,
    /// Print each certificate's public-key pin (`sha256//BASE64`, as `curl --pinnedpubkey`
    /// takes it) and its subject, one line each.
    #[arg(long)]
    pub pins: bool,
}

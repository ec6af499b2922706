//! Public-key pins: the SHA-256 of a certificate's DER `SubjectPublicKeyInfo`, written as curl's
//! `--pinnedpubkey` takes it (`sha256//` and the standard base64 of the 32 bytes, as in HPKP).
//! A pin survives a renewed certificate with the same key, which a certificate fingerprint
//! does not.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr;

/// The SHA-256 of a DER `SubjectPublicKeyInfo`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpkiPin(pub [u8; 32]);

impl SpkiPin {
    /// The pin of a DER `SubjectPublicKeyInfo`.
    pub fn of(spki_der: &[u8]) -> SpkiPin {
        SpkiPin(Sha256::digest(spki_der).into())
    }
}

impl fmt::Display for SpkiPin {
    /// `sha256//` and the base64 of the digest (curl's `--pinnedpubkey` form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sha256//{}",
            base64::engine::general_purpose::STANDARD.encode(self.0)
        )
    }
}

impl fmt::Debug for SpkiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for SpkiPin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A pin that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid pin \"{input}\": expected sha256// and the base64 of 32 bytes (44 characters)")]
pub struct PinError {
    /// The text that was given.
    pub input: String,
}

impl FromStr for SpkiPin {
    type Err = PinError;

    /// Reads `sha256//BASE64`, the form curl and [`SpkiPin`]'s `Display` write.
    fn from_str(input: &str) -> Result<SpkiPin, PinError> {
        let bad = || PinError {
            input: input.to_owned(),
        };
        let encoded = input.trim().strip_prefix("sha256//").ok_or_else(bad)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| bad())?;
        Ok(SpkiPin(bytes.try_into().map_err(|_| bad())?))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::SpkiPin;

    #[test]
    fn written_and_read_as_curl_takes_them() {
        let pin = SpkiPin::of(b"not really a key");
        let text = pin.to_string();
        assert!(
            text.starts_with("sha256//") && text.len() == 8 + 44,
            "{text}"
        );
        assert_eq!(text.parse::<SpkiPin>().unwrap(), pin);
        assert_eq!(format!(" {text}\n").parse::<SpkiPin>().unwrap(), pin);
        for bad in [
            "",
            "sha256//",
            "sha1//AAAA",
            "sha256//not base64!",
            "sha256//AAAA",
            &text[8..],
        ] {
            let e = bad.parse::<SpkiPin>().unwrap_err();
            assert!(e.to_string().contains("sha256//"), "{e}");
        }
    }
}

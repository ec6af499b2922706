//! Versions as clients report them, parsed so they compare: curl from 7.68 and Python from
//! 3.13 verify differently, and pip from 24.2 reads another store.

/// A release number `MAJOR.MINOR.PATCH`; a part a client leaves out is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The major number.
    pub major: u32,
    /// The minor number.
    pub minor: u32,
    /// The patch number.
    pub patch: u32,
}

impl Version {
    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The version at the start of `text`: `7.88.1`, `v20.20.2`, `17.0.15+6`, `1.1.1d`,
    /// `3.11`. Parsing stops at the first part that does not start with a digit; `None` when
    /// there is no major number.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut numbers = [0u32; 3];
        let mut parts = text.split('.');
        for (i, slot) in numbers.iter_mut().enumerate() {
            let Some(part) = parts.next() else { break };
            let digits: &str = &part[..part.bytes().take_while(u8::is_ascii_digit).count()];
            match digits.parse() {
                Ok(n) => *slot = n,
                Err(_) if i == 0 => return None,
                Err(_) => break,
            }
            if digits.len() != part.len() {
                break;
            }
        }
        let [major, minor, patch] = numbers;
        Some(Version::new(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The TLS library a client is built on, as curl names it in `curl -V`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsLibrary {
    /// OpenSSL.
    OpenSsl,
    /// LibreSSL.
    LibreSsl,
    /// BoringSSL.
    BoringSsl,
    /// Windows' Schannel.
    Schannel,
    /// Apple's Secure Transport.
    SecureTransport,
    /// GnuTLS.
    GnuTls,
    /// wolfSSL.
    WolfSsl,
    /// Mbed TLS.
    MbedTls,
    /// rustls, through rustls-ffi.
    Rustls,
}

impl TlsLibrary {
    const PREFIXES: [(&'static str, TlsLibrary); 9] = [
        ("OpenSSL/", TlsLibrary::OpenSsl),
        ("LibreSSL/", TlsLibrary::LibreSsl),
        ("BoringSSL", TlsLibrary::BoringSsl),
        ("Schannel", TlsLibrary::Schannel),
        ("SecureTransport", TlsLibrary::SecureTransport),
        ("GnuTLS/", TlsLibrary::GnuTls),
        ("wolfSSL/", TlsLibrary::WolfSsl),
        ("mbedTLS/", TlsLibrary::MbedTls),
        ("rustls-ffi/", TlsLibrary::Rustls),
    ];

    /// The library a word of `curl -V` names, such as `OpenSSL/3.0.19`.
    pub fn from_word(word: &str) -> Option<TlsLibrary> {
        Self::PREFIXES
            .iter()
            .find(|(p, _)| word.starts_with(p))
            .map(|(_, t)| *t)
    }

    /// Whether it is OpenSSL or one of its forks, which share its verification (and its
    /// partial-chain flag).
    pub fn is_openssl_family(self) -> bool {
        match self {
            TlsLibrary::OpenSsl | TlsLibrary::LibreSsl | TlsLibrary::BoringSsl => true,
            TlsLibrary::Schannel
            | TlsLibrary::SecureTransport
            | TlsLibrary::GnuTls
            | TlsLibrary::WolfSsl
            | TlsLibrary::MbedTls
            | TlsLibrary::Rustls => false,
        }
    }
}

/// What a client said about its release.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientVersion {
    /// As shown in reports: `curl 7.88.1 OpenSSL/3.0.19`, `requests 2.32.3 (Python 3.13.1)`,
    /// `Node.js v20.20.2`, `Java 17.0.15`.
    pub text: String,
    /// The client's own release, when it could be read.
    pub release: Option<Version>,
    /// The Python it runs on (Python's `ssl`, `requests`, pip).
    pub python: Option<Version>,
    /// The TLS library it is built on, when it says (curl).
    pub tls: Option<TlsLibrary>,
    /// The urllib3 it uses, when it says (`requests`): from urllib3 2 on, the host name is
    /// never matched against the certificate's common name.
    pub urllib3: Option<Version>,
}

impl ClientVersion {
    /// A version shown as `text`, whose release is the first word of `text` that parses.
    pub fn new(text: String) -> ClientVersion {
        let release = text.split_whitespace().find_map(Version::parse);
        ClientVersion {
            text,
            release,
            python: None,
            tls: None,
            urllib3: None,
        }
    }

    /// With the Python it runs on.
    pub fn with_python(mut self, python: Option<Version>) -> ClientVersion {
        self.python = python;
        self
    }

    /// With the urllib3 it uses.
    pub fn with_urllib3(mut self, urllib3: Option<Version>) -> ClientVersion {
        self.urllib3 = urllib3;
        self
    }

    /// With the TLS library it is built on.
    pub fn with_tls(mut self, tls: Option<TlsLibrary>) -> ClientVersion {
        self.tls = tls;
        self
    }
}

impl std::fmt::Display for ClientVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<(u32, u32, u32)>) {
        let expected = expected.map(|(a, b, c)| Version::new(a, b, c));
        assert_eq!(Version::parse(text), expected, "{text:?}");
    }

    #[test]
    fn versions() {
        check("7.88.1", Some((7, 88, 1)));
        check("v20.20.2", Some((20, 20, 2)));
        check("17.0.15+6-Debian-1deb12u1", Some((17, 0, 15)));
        check("1.1.1d", Some((1, 1, 1)));
        check("3.11", Some((3, 11, 0)));
        check("24", Some((24, 0, 0)));
        check("3.13.0rc1", Some((3, 13, 0)));
        check("", None);
        check("curl", None);
        check("(x86_64-pc-linux-gnu)", None);
    }

    #[test]
    fn versions_compare_by_number() {
        let v = |s: &str| Version::parse(s);
        assert!(v("7.68.0") > v("7.9.9"));
        assert!(v("3.13") >= v("3.13.0"));
        assert!(v("3.9.18") < v("3.10"));
    }

    #[test]
    fn tls_libraries() {
        let cases = [
            ("OpenSSL/3.0.19", Some(true)),
            ("LibreSSL/3.3.6", Some(true)),
            ("BoringSSL", Some(true)),
            ("SecureTransport", Some(false)),
            ("GnuTLS/3.8.3", Some(false)),
            ("zlib/1.2.13", None),
        ];
        for (word, expected) in cases {
            assert_eq!(
                TlsLibrary::from_word(word).map(TlsLibrary::is_openssl_family),
                expected,
                "{word}"
            );
        }
    }
}

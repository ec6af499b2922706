//! Whether a report looks whole: a file cut short at a record boundary still parses, so the
//! count of roots and, for `certdata.txt`, the shape of its end are checked separately.
//!
//! The same check serves a downloaded report and a report file.

use std::fmt;

/// Fewest roots a whole report lists: the real ones have about 150 (certdata.txt) to 170
/// (the CCADB report), so far fewer means a truncated or wrong document.
pub const MIN_ROOTS: usize = 100;

/// Why a parsed report does not look whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Implausible {
    /// Fewer roots than the floor.
    TooFewRoots {
        /// Roots the report lists.
        found: usize,
        /// The floor.
        min: usize,
    },
    /// A `certdata.txt` that does not end with a complete trust object.
    CertdataCut,
}

impl fmt::Display for Implausible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Implausible::TooFewRoots { found, min } => write!(
                f,
                "the report lists {found} roots, fewer than the {min} a whole report has"
            ),
            Implausible::CertdataCut => write!(
                f,
                "the certdata.txt does not end with a complete trust object: it looks cut short"
            ),
        }
    }
}

impl std::error::Error for Implausible {}

/// Whether `bytes`, a report whose parse gave `roots` roots, looks whole: at least `min_roots`
/// roots, and a `certdata.txt` must end with the last attribute of a trust object
/// (`CKA_TRUST_STEP_UP_APPROVED`), as every NSS release does.
pub fn check_plausible(bytes: &[u8], roots: usize, min_roots: usize) -> Result<(), Implausible> {
    if is_certdata(bytes) && !certdata_ends_whole(bytes) {
        return Err(Implausible::CertdataCut);
    }
    if roots < min_roots {
        return Err(Implausible::TooFewRoots {
            found: roots,
            min: min_roots,
        });
    }
    Ok(())
}

fn is_certdata(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .any(|line| line.trim_ascii() == b"BEGINDATA")
}

fn certdata_ends_whole(bytes: &[u8]) -> bool {
    let last = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .rfind(|line| !line.is_empty() && !line.starts_with(b"#"));
    last.is_some_and(|line| line.starts_with(b"CKA_TRUST_STEP_UP_APPROVED "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE_END: &str = "CKA_TRUST_CODE_SIGNING CK_TRUST CKT_NSS_MUST_VERIFY_TRUST\nCKA_TRUST_STEP_UP_APPROVED CK_BBOOL CK_FALSE\n\n";

    #[test]
    fn cases() {
        let whole =
            format!("# certdata\nBEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\n{WHOLE_END}");
        let cut_in_cert = "BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\nEND\n";
        let cases: &[(&str, usize, Result<(), Implausible>)] = &[
            ("Owner,SHA-256\n", 170, Ok(())),
            (
                "Owner,SHA-256\n",
                38,
                Err(Implausible::TooFewRoots {
                    found: 38,
                    min: MIN_ROOTS,
                }),
            ),
            (&whole, 150, Ok(())),
            (
                &whole,
                13,
                Err(Implausible::TooFewRoots {
                    found: 13,
                    min: MIN_ROOTS,
                }),
            ),
            (cut_in_cert, 150, Err(Implausible::CertdataCut)),
            ("BEGINDATA\n", 150, Err(Implausible::CertdataCut)),
        ];
        for (bytes, roots, expected) in cases {
            assert_eq!(
                &check_plausible(bytes.as_bytes(), *roots, MIN_ROOTS),
                expected,
                "{bytes:?}"
            );
        }
    }

    /// Every real certdata.txt ends whole; each cut at an object boundary is refused.
    #[test]
    fn real_certdata_ends_whole_and_cuts_are_refused() {
        let Some(dir) = cabundle_testkit::ccadb_data() else {
            return;
        };
        let mut seen = 0;
        for entry in fs_err::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("certdata") {
                continue;
            }
            seen += 1;
            let bytes = fs_err::read(&path).unwrap();
            let roots = crate::parse_certdata(&bytes).unwrap().roots.len();
            assert_eq!(check_plausible(&bytes, roots, MIN_ROOTS), Ok(()), "{name}");
            let text = String::from_utf8_lossy(&bytes);
            let mut cuts = 0;
            // Cuts before a certificate in the first half (too few roots), and before any
            // trust object (a certificate without its trust: not a whole end).
            let early = text
                .match_indices("\n\n# Certificate")
                .filter(|(i, _)| *i < text.len() / 2);
            let before_trust = text.match_indices("\n\n# Trust for");
            for (i, _) in early.chain(before_trust).step_by(7) {
                let cut = &bytes[..i + 1];
                let roots = crate::parse_certdata(cut).map_or(0, |r| r.roots.len());
                assert!(
                    check_plausible(cut, roots, MIN_ROOTS).is_err(),
                    "{name} at {i}"
                );
                cuts += 1;
            }
            assert!(cuts > 5, "{name}");
        }
        assert!(seen > 0);
    }
}

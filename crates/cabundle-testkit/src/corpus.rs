//! Corpora: the names OpenSSL's subject hash must get right, and a directory's worth of
//! files for `rehash` tests.

use crate::der::{
    Attribute, StringType, cert_with_names, cert_with_subject, crl_with_issuer, name, name_simple,
    oid, string, tlv, trusted_certificate,
};
use crate::pem;

fn a<'a>(oid: &'a [u8], kind: StringType, text: &str) -> Attribute<'a> {
    (oid, string(kind, text))
}

/// Names that exercise every rule of OpenSSL's canonical name encoding, each with a short
/// label usable as a file name. Several are meant to hash equal (`case_*`, `space_*`). Every
/// one loads in OpenSSL; see [`bad_names`] for names it rejects.
pub fn names() -> Vec<(String, Vec<u8>)> {
    use StringType::*;
    let base = |cn_kind: StringType, cn: &str| {
        name_simple(&[
            a(oid::C, Printable, "US"),
            a(oid::O, Printable, "Example Org"),
            a(oid::CN, cn_kind, cn),
        ])
    };
    let long_ou = "Organisational Unit With A Rather Long Name To Need Long-Form Lengths";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("printable", base(Printable, "Example Root CA")),
        ("case_upper", base(Printable, "EXAMPLE ROOT CA")),
        ("case_utf8", base(Utf8, "example root ca")),
        ("case_bmp", base(Bmp, "Example ROOT ca")),
        ("case_universal", base(Universal, "EXAMPLE root CA")),
        ("case_ia5", base(Ia5, "Example Root Ca")),
        ("case_t61", base(T61, "Example Root CA")),
        ("space_edges", base(Printable, "   Example Root CA  ")),
        ("space_runs", base(Utf8, "Example    Root \t CA")),
        (
            "space_tabs_newlines",
            base(Utf8, "\tExample\n\nRoot\r\nCA\n"),
        ),
        ("space_vt_ff", base(Utf8, "Example\x0bRoot\x0cCA")),
        ("space_only", base(Utf8, "   \t ")),
        ("empty_value", base(Printable, "")),
        ("t61_latin1", base(T61, "Caf\u{e9} \u{dc}NICODE \u{c0}")),
        (
            "printable_latin1",
            base(Printable, "Stra\u{df}e \u{c9}COLE"),
        ),
        ("ia5_latin1", base(Ia5, "M\u{fc}LLER")),
        (
            "utf8_non_ascii",
            base(Utf8, "\u{c9}cole \u{c0} PARIS \u{3a9}MEGA"),
        ),
        ("utf8_non_bmp", base(Utf8, "Emoji \u{1f600} CA \u{10348}")),
        (
            "bmp_non_ascii",
            base(Bmp, "\u{c9}COLE \u{3a9}mega \u{4e2d}\u{6587}"),
        ),
        ("universal_non_bmp", base(Universal, "Clef \u{1d11e} ROOT")),
        ("numeric", base(Numeric, " 12  345 ")),
        (
            "mixed_types",
            name_simple(&[
                a(oid::C, Printable, "DE"),
                a(oid::ST, T61, "Baden-W\u{fc}rttemberg"),
                a(oid::L, Bmp, "Stuttgart"),
                a(oid::O, Utf8, "M\u{fc}ller GmbH"),
                a(oid::OU, Ia5, "IT"),
                a(oid::EMAIL, Ia5, "Admin@Example.COM"),
                a(oid::SERIAL_NUMBER, Printable, "HRB 12345"),
                a(oid::CN, Universal, "M\u{fc}ller Root"),
            ]),
        ),
        (
            "multi_valued",
            name(&[
                vec![a(oid::C, Printable, "US")],
                vec![a(oid::O, Utf8, "Example"), a(oid::CN, Utf8, "Multi")],
            ]),
        ),
        (
            "multi_valued_reordered",
            name(&[
                vec![a(oid::C, Printable, "US")],
                vec![
                    a(oid::CN, Printable, "MULTI"),
                    a(oid::O, Printable, "Example"),
                ],
            ]),
        ),
        (
            "multi_valued_same_type",
            name(&[vec![
                a(oid::OU, Utf8, "Zeta"),
                a(oid::OU, Utf8, "Alpha"),
                a(oid::OU, Utf8, "Alpha Beta"),
                a(oid::CN, Utf8, "Same Type"),
            ]]),
        ),
        (
            "domain_components",
            name_simple(&[
                a(oid::DC, Ia5, "com"),
                a(oid::DC, Ia5, "Example"),
                a(oid::CN, Utf8, "Host"),
            ]),
        ),
        (
            "unknown_attribute",
            name_simple(&[a(oid::UNKNOWN, Utf8, "Private Attr"), a(oid::CN, Utf8, "X")]),
        ),
        (
            "repeated_attribute",
            name_simple(&[
                a(oid::OU, Utf8, "One"),
                a(oid::OU, Utf8, "Two"),
                a(oid::SURNAME, Utf8, "Doe"),
                a(oid::CN, Utf8, "One"),
            ]),
        ),
        (
            "long",
            name_simple(&[
                a(oid::C, Printable, "GB"),
                a(oid::O, Utf8, long_ou),
                a(oid::OU, Utf8, long_ou),
                a(oid::OU, Bmp, long_ou),
                a(oid::CN, Utf8, "Long Name Root"),
            ]),
        ),
        (
            "empty_rdn",
            name(&[vec![a(oid::CN, Utf8, "Before Empty")], vec![]]),
        ),
        (
            "bit_string_value",
            name(&[vec![(oid::CN, tlv(0x03, &[0, 0x41]))]]),
        ),
        (
            "unknown_tag_value",
            name(&[vec![(oid::CN, tlv(0x0d, b"A B"))]]),
        ),
        (
            "sequence_value",
            name(&[vec![(oid::CN, tlv(0x30, &tlv(0x0c, b"ABC")))]]),
        ),
        ("numeric_with_letters", base(Numeric, "AB  C")),
        ("utf8_nul", base(Utf8, "a\0B")),
        ("printable_nbsp", base(Printable, "A\u{a0}\u{a0}B \u{85}")),
        ("ia5_high_space", base(Ia5, " A\u{a0}")),
        (
            "duplicate_rdn_entries",
            name(&[vec![a(oid::CN, Utf8, "A"), a(oid::CN, Printable, "a")]]),
        ),
        ("empty", name(&[])),
        ("cn_only", name_simple(&[a(oid::CN, Utf8, "Only CN")])),
    ];
    cases
        .into_iter()
        .map(|(label, der)| (label.to_owned(), der))
        .collect()
}

/// Names OpenSSL cannot use, so a certificate carrying one does not load: value types
/// outside its `ASN1_PRINTABLE` set (VisibleString, VideotexString, GraphicString,
/// GeneralString, OCTET STRING, UTCTime), a BMPString of odd length or holding surrogates, a
/// UniversalString holding a surrogate, invalid UTF-8.
pub fn bad_names() -> Vec<(String, Vec<u8>)> {
    use StringType::*;
    let cn = |value: Vec<u8>| name(&[vec![(oid::CN, value)]]);
    vec![
        (
            "bad_visible".to_owned(),
            cn(string(Visible, "Visible Name")),
        ),
        (
            "bad_videotex".to_owned(),
            cn(string(Videotex, "Videotex Name")),
        ),
        (
            "bad_graphic".to_owned(),
            cn(string(Graphic, "Graphic Name")),
        ),
        (
            "bad_general".to_owned(),
            cn(string(General, "General Name")),
        ),
        ("bad_bmp_odd".to_owned(), cn(tlv(0x1e, b"\0A\0"))),
        (
            "bad_universal_surrogate".to_owned(),
            cn(tlv(0x1c, &[0, 0, 0xd8, 0])),
        ),
        ("bad_utf8".to_owned(), cn(tlv(0x0c, b"\xc3("))),
        (
            "bad_bmp_surrogate_pair".to_owned(),
            cn(string(Bmp, "x\u{1f600}")),
        ),
        ("bad_octet_string".to_owned(), cn(tlv(0x04, b"ABC"))),
        ("bad_utc_time".to_owned(), cn(tlv(0x17, b"200101000000Z"))),
    ]
}

/// Files for a CApath directory, as `(file name, bytes)`: every name of [`names`] as a
/// self-signed PEM certificate, plus duplicates, certificates sharing a subject, CRLs (PEM and
/// DER), a multi-certificate file, CRLF and commented PEM, `TRUSTED CERTIFICATE` and
/// `X509 CERTIFICATE` blocks, DER files, a certificate OpenSSL cannot load (a VisibleString in
/// its name), junk, an empty file, a key-only file, a truncated block, and files whose
/// extension `openssl rehash` ignores.
pub fn rehash_corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = names()
        .into_iter()
        .map(|(label, der)| {
            let cert = cert_with_subject(&der);
            (
                format!("{label}.pem"),
                pem("CERTIFICATE", &cert).into_bytes(),
            )
        })
        .collect();
    let shared = name_simple(&[
        a(oid::O, StringType::Utf8, "Shared"),
        a(oid::CN, StringType::Utf8, "Shared Subject"),
    ]);
    let shared1 = cert_with_subject(&shared);
    let shared2 = cert_with_names(&shared, &shared, 2);
    let shared3 = cert_with_names(&shared, &shared, 3);
    let other = name_simple(&[a(oid::CN, StringType::Utf8, "Other Issuer")]);
    let issued = cert_with_names(&shared, &other, 4);
    let mut add = |file: &str, bytes: Vec<u8>| files.push((file.to_owned(), bytes));
    add("shared_1.pem", pem("CERTIFICATE", &shared1).into_bytes());
    add("shared_2.crt", pem("CERTIFICATE", &shared2).into_bytes());
    add("shared_3.cer", pem("CERTIFICATE", &shared3).into_bytes());
    add(
        "shared_issued_by_other.pem",
        pem("CERTIFICATE", &issued).into_bytes(),
    );
    add(
        "duplicate_of_shared_1.pem",
        pem("CERTIFICATE", &shared1).into_bytes(),
    );
    add("shared_1.der", shared1.clone());
    add(
        "crl_shared.crl",
        pem("X509 CRL", &crl_with_issuer(&shared)).into_bytes(),
    );
    add(
        "crl_shared_duplicate.pem",
        pem("X509 CRL", &crl_with_issuer(&shared)).into_bytes(),
    );
    add("crl_other.crl", crl_with_issuer(&other));
    add(
        "crl_empty_issuer.pem",
        pem("X509 CRL", &crl_with_issuer(&name(&[]))).into_bytes(),
    );
    let multi = format!(
        "{}{}",
        pem("CERTIFICATE", &shared2),
        pem("CERTIFICATE", &issued)
    );
    add("multi.pem", multi.into_bytes());
    let commented = format!(
        "# Shared Subject, with comments\r\nsubject=O=Shared, CN=Shared Subject\r\n{}\r\ntrailing text\r\n",
        pem("CERTIFICATE", &shared3).replace('\n', "  \r\n")
    );
    add("crlf_comments.pem", commented.into_bytes());
    add(
        "trusted.pem",
        pem("TRUSTED CERTIFICATE", &trusted_certificate(&issued)).into_bytes(),
    );
    let old_label = cert_with_subject(&name_simple(&[a(oid::CN, StringType::Utf8, "Old Label")]));
    add(
        "x509_certificate.pem",
        pem("X509 CERTIFICATE", &old_label).into_bytes(),
    );
    add(
        "UPPER_EXT.PEM",
        pem("CERTIFICATE", &cert_with_subject(&other)).into_bytes(),
    );
    add(
        "ignored_extension.txt",
        pem("CERTIFICATE", &cert_with_subject(&other)).into_bytes(),
    );
    let unloadable = cert_with_subject(&bad_names()[0].1);
    add(
        "visible_string_name.pem",
        pem("CERTIFICATE", &unloadable).into_bytes(),
    );
    add("empty_file.pem", Vec::new());
    add("text.pem", b"not a certificate\n".to_vec());
    add("junk.crt", (0u8..=255).rev().cycle().take(700).collect());
    add(
        "key_only.pem",
        crate::der::corpus_key().serialize_pem().into_bytes(),
    );
    let truncated = pem("CERTIFICATE", &shared2);
    let cut = truncated.len() / 2;
    add("truncated.pem", truncated.as_bytes()[..cut].to_vec());
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn labels_and_file_names_are_unique() {
        let all: Vec<String> = names()
            .into_iter()
            .chain(bad_names())
            .map(|(l, _)| l)
            .collect();
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), all.len());
        let files: Vec<String> = rehash_corpus().into_iter().map(|(f, _)| f).collect();
        assert_eq!(files.iter().collect::<BTreeSet<_>>().len(), files.len());
    }

    #[test]
    fn corpus_is_reproducible() {
        assert_eq!(rehash_corpus(), rehash_corpus());
    }
}

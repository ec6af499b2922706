//! Where the fuzz inputs start: the project's generated fixtures, plus slices of the real
//! CCADB snapshots read at run time from the shared data folder (never committed).

use std::path::Path;

/// Seeds by kind of input.
#[derive(Clone, Debug, Default)]
pub struct Seeds {
    /// PEM files: certificates, CRLs, keys, awkward files.
    pub objects: Vec<Vec<u8>>,
    /// DER names.
    pub names: Vec<Vec<u8>>,
    /// Slices of CCADB reports (header and a few rows).
    pub reports: Vec<Vec<u8>>,
    /// Slices of `certdata.txt` (header and a few objects).
    pub certdata: Vec<Vec<u8>>,
    /// Slices of Chrome Root Store `root_store.textproto` files (header and a few anchors).
    pub textproto: Vec<Vec<u8>>,
    /// `MozillaIntermediateCertsCSVReport`s: one written here, and slices of the real ones.
    pub intermediates: Vec<Vec<u8>>,
    /// The project's bundle recipes.
    pub recipes: Vec<Vec<u8>>,
    /// The project's bundle locks.
    pub locks: Vec<Vec<u8>>,
    /// Manifests the build writes (the golden outputs of its fixture report).
    pub manifests: Vec<Vec<u8>>,
    /// Dates, moments and labels with characters a terminal obeys.
    pub text: Vec<Vec<u8>>,
    /// `PublicIntermediateCertsRevokedWithPEMCSV` reports: one written here, and slices of the
    /// real one.
    pub revoked: Vec<Vec<u8>>,
    /// OCSP responses written here (statuses, a basic response of each certificate status).
    pub ocsp: Vec<Vec<u8>>,
    /// Everything above.
    pub all: Vec<Vec<u8>>,
    /// How many seeds came from the real data.
    pub from_data: usize,
}

/// Certificates, at most this many from each real file.
const PER_FILE: usize = 40;

/// The seeds: generated ones always, real ones when `data` (the CCADB snapshot folder) is
/// given.
pub fn seeds(data: Option<&Path>) -> Seeds {
    let mut s = Seeds::default();
    for (_, bytes) in cabundle_testkit::rehash_corpus() {
        s.objects.push(bytes);
    }
    for (_, name) in cabundle_testkit::corpus::names()
        .into_iter()
        .chain(cabundle_testkit::corpus::bad_names())
    {
        let crl = cabundle_testkit::der::crl_with_issuer(&name);
        s.objects
            .push(cabundle_testkit::pem("X509 CRL", &crl).into_bytes());
        let cert = cabundle_testkit::cert_with_names(&name, &name, 1);
        s.objects
            .push(cabundle_testkit::pem("CERTIFICATE", &cert).into_bytes());
        s.names.push(name);
    }
    add_generated(&mut s);
    if let Some(dir) = data {
        let generated = s.objects.len() + s.names.len() + s.intermediates.len() + s.revoked.len();
        add_real(&mut s, dir);
        // The Chrome data sits beside the CCADB data.
        if let Some(chrome) = dir.parent().map(|p| p.join("chrome")) {
            add_textprotos(&mut s, &chrome);
        }
        s.from_data = s.objects.len()
            + s.names.len()
            + s.intermediates.len()
            + s.revoked.len()
            + s.reports.len()
            + s.certdata.len()
            + s.textproto.len()
            - generated;
    }
    if s.reports.is_empty() {
        // Without the data, a report-shaped seed still gets the CSV reader going.
        s.reports.push(
            b"\"Owner\",\"SHA-256 Fingerprint\",\"PEM Info\"\n\"x\",\"00\",\"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\"\n"
                .to_vec(),
        );
    }
    if s.certdata.is_empty() {
        s.certdata
            .push(b"BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\003\nEND\n".to_vec());
    }
    // A small store in the file's own shape, whatever the data.
    s.textproto.push(
        b"# comment\nversion_major: 1\n\ntrust_anchors {\n  sha256_hex: \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n  ev_policy_oids: \"2.23.140.1.1\"\n  constraints {\n    sct_not_after_sec: 1700000000\n    min_version: \"120\"\n  }\n}\nadditional_certs {\n  sha256_hex: \"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\"\n  tls_trust_anchor: true\n}\n"
            .to_vec(),
    );
    s.all = [
        &s.objects,
        &s.names,
        &s.reports,
        &s.certdata,
        &s.textproto,
        &s.intermediates,
        &s.recipes,
        &s.locks,
        &s.manifests,
        &s.text,
        &s.revoked,
        &s.ocsp,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    s
}

fn add_real(s: &mut Seeds, dir: &Path) {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let wanted = name.starts_with("IncludedCACertificateReportPEMCSV-2026")
            || name.starts_with("IncludedCACertificateReportPEMCSV-2024-06")
            || name.starts_with("PublicAllIntermediateCertsCSV")
            || name.starts_with("PublicIntermediateCertsRevoked")
            || name.starts_with("MozillaIntermediateCertsCSVReport")
            || name.starts_with("certdata");
        if !wanted {
            continue;
        }
        // The first few megabytes are plenty for seeds.
        let Ok(bytes) = read_prefix(&path, 4 << 20) else {
            continue;
        };
        if name.starts_with("certdata") {
            s.certdata.extend(certdata_slices(&bytes));
            continue;
        }
        s.objects
            .extend(pem_blocks(&bytes).into_iter().take(PER_FILE));
        if name.starts_with("IncludedCACertificateReportPEMCSV") {
            s.reports.extend(report_slices(&bytes));
        }
        if name.starts_with("MozillaIntermediateCertsCSVReport") {
            s.intermediates.extend(report_slices(&bytes));
        }
        if name.starts_with("PublicIntermediateCertsRevoked") {
            s.revoked.extend(report_slices(&bytes));
        }
    }
}

/// Seeds the project writes itself: an intermediates report of generated certificates, the
/// committed recipes and locks, the build's golden manifests, and text.
fn add_generated(s: &mut Seeds) {
    let rows: Vec<_> = (1..=3)
        .map(|i| {
            let name = cabundle_testkit::corpus::names()
                .into_iter()
                .nth(i)
                .map(|(_, n)| n)
                .unwrap_or_default();
            let der = cabundle_testkit::cert_with_names(&name, &name, i as u64);
            cabundle_testkit::IntermediateRow::new("CN=Sub", "CN=Root", &der)
        })
        .collect();
    for n in 0..=rows.len() {
        s.intermediates
            .push(cabundle_testkit::intermediates_report(&rows[..n]).into_bytes());
    }
    s.revoked.extend(revoked_reports());
    s.ocsp.extend(ocsp_responses());
    s.recipes.extend(
        [
            include_str!("../../../bundles/mozilla-tls/recipe.toml"),
            include_str!("../../../bundles/mozilla-email/recipe.toml"),
            include_str!("../../../bundles/mozilla-tls-intermediates/recipe.toml"),
        ]
        .map(|t| t.as_bytes().to_vec()),
    );
    s.locks.extend(
        [
            include_str!("../../../bundles/mozilla-tls/lock.toml"),
            include_str!("../../../bundles/mozilla-email/lock.toml"),
            include_str!("../../../bundles/mozilla-tls-intermediates/lock.toml"),
        ]
        .map(|t| t.as_bytes().to_vec()),
    );
    s.manifests.extend(
        [
            include_str!("../../cabundle-build/tests/golden/fixture-tls.json"),
            include_str!("../../cabundle-build/tests/golden/fixture-email.json"),
        ]
        .map(|t| t.as_bytes().to_vec()),
    );
    s.text.extend(
        [
            "2026-07-01",
            " 2024-02-29\n",
            "2025-01-31T12:00:00Z",
            "2025-01-31T12:00:00.123+05:30",
            "9999-12-31",
            "Root CA\u{1b}[31m red\u{7}",
            "G2 \u{202e}lebal\u{202c}",
            "label\nexcluded 00112233 forged",
            "caf\u{e9} \u{2028} \u{85}",
        ]
        .map(|t| t.as_bytes().to_vec()),
    );
}

fn read_prefix(path: &Path, n: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    fs_err::File::open(path)?.take(n).read_to_end(&mut out)?;
    Ok(out)
}

/// Each `-----BEGIN ...-----` to `-----END ...-----` block, as its own PEM file.
fn pem_blocks(bytes: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut rest = &text[..];
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start..];
        let Some(end) = after.find("-----END ") else {
            break;
        };
        let tail = &after[end + 9..];
        let close = tail.find("-----").map_or(tail.len(), |p| p + 5);
        let block = &after[..end + 9 + close];
        let mut pem = block.replace("\r\n", "\n");
        pem.push('\n');
        out.push(pem.into_bytes());
        rest = &tail[close..];
    }
    out
}

/// The header with 1, 2 and 5 rows, from the start and the middle of the report.
fn report_slices(bytes: &[u8]) -> Vec<Vec<u8>> {
    let starts: Vec<usize> = bytes
        .windows(2)
        .enumerate()
        .filter(|(_, w)| *w == b"\n\"")
        .map(|(i, _)| i + 1)
        .collect();
    let Some(&first) = starts.first() else {
        return Vec::new();
    };
    let header = &bytes[..first];
    let mut out = Vec::new();
    for (from, n) in [(0, 1), (0, 2), (0, 5), (starts.len() / 2, 2)] {
        let (Some(&a), Some(&b)) = (starts.get(from), starts.get(from + n)) else {
            continue;
        };
        let mut slice = header.to_vec();
        slice.extend_from_slice(&bytes[a..b]);
        out.push(slice);
    }
    out
}

/// Slices of every `*.textproto` in `dir`: the header with the first one and the first four
/// anchors, and the whole file.
fn add_textprotos(s: &mut Seeds, dir: &Path) {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().is_none_or(|e| e != "textproto") {
            continue;
        }
        let Ok(bytes) = read_prefix(&path, 1 << 20) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let anchors: Vec<usize> = text
            .match_indices("\ntrust_anchors {")
            .map(|(i, _)| i + 1)
            .collect();
        for n in [2, 5] {
            if let Some(&end) = anchors.get(n) {
                s.textproto.push(bytes[..end].to_vec());
            }
        }
        s.textproto.push(bytes);
    }
}

/// The header up to `BEGINDATA` with the first two and three objects after it.
fn certdata_slices(bytes: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes);
    let objects: Vec<usize> = text
        .match_indices("\n#\n# Certificate")
        .map(|(i, _)| i + 1)
        .collect();
    let Some(&first) = objects.first() else {
        return Vec::new();
    };
    let mut out = vec![bytes[..first].to_vec()];
    for n in [1, 3] {
        if let Some(&end) = objects.get(n) {
            out.push(bytes[..end].to_vec());
        }
    }
    out
}

/// Revoked-intermediates reports in the CCADB's layout, of generated certificates: with and
/// without their PEM, with a date and a reason code or neither.
fn revoked_reports() -> Vec<Vec<u8>> {
    let header = "\"CA Owner\",\"Revocation Status\",\"RFC 5280 Revocation Reason Code\",\"Date of Revocation\",\"Certificate Subject Common Name\",\"SHA-256 Fingerprint\",\"PEM Info\"\n";
    let mut body = String::from(header);
    let mut out = vec![body.clone().into_bytes()];
    for (i, (_, name)) in cabundle_testkit::corpus::names()
        .into_iter()
        .take(3)
        .enumerate()
    {
        let der = cabundle_testkit::cert_with_names(&name, &name, i as u64 + 1);
        let sha256 = cabundle_cert::Sha256Fingerprint::of(&der);
        let hex: String = sha256.0.iter().map(|b| format!("{b:02X}")).collect();
        let pem = if i == 1 {
            String::new()
        } else {
            format!(
                "'{}'",
                cabundle_testkit::pem("CERTIFICATE", &der).trim_end()
            )
        };
        let (reason, date) = if i == 2 {
            ("", "")
        } else {
            ("(1) keyCompromise", "2019 May 17")
        };
        body.push_str(&format!(
            "\"Owner {i}\",\"Revoked\",\"{reason}\",\"{date}\",\"Sub {i}\",\"{hex}\",\"{pem}\"\n"
        ));
        out.push(body.clone().into_bytes());
    }
    out
}

/// The certificate the `ocsp` target judges responses for: the corpus's first name, self
/// issued.
pub(crate) fn ocsp_subject() -> Option<cabundle_cert::Certificate> {
    let (_, name) = cabundle_testkit::corpus::names().into_iter().next()?;
    let der = cabundle_testkit::cert_with_names(&name, &name, 1);
    cabundle_cert::Certificate::from_der(&der).ok()
}

/// OCSP responses: each unsuccessful status, and a basic response (about the `ocsp` target's
/// certificate, with a signature of zeros) for each certificate status.
fn ocsp_responses() -> Vec<Vec<u8>> {
    use der::Encode as _;
    use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
    let mut out: Vec<Vec<u8>> = [1u8, 2, 3, 5, 6]
        .iter()
        .map(|status| vec![0x30, 0x03, 0x0a, 0x01, *status])
        .collect();
    let Some(cert) = ocsp_subject() else {
        return out;
    };
    let Ok(request) = cabundle_verify::revocation::ocsp_request(&cert, &cert) else {
        return out;
    };
    out.push(request.clone());
    let Ok(parsed) = <x509_ocsp::OcspRequest as der::Decode>::from_der(&request) else {
        return out;
    };
    let Some(cert_id) = parsed
        .tbs_request
        .request_list
        .into_iter()
        .next()
        .map(|r| r.req_cert)
    else {
        return out;
    };
    let Ok(when) =
        GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_700_000_000))
    else {
        return out;
    };
    let when = x509_ocsp::OcspGeneralizedTime(when);
    let (Ok(key_hash), Ok(signature)) = (
        OctetString::new(vec![0u8; 20]),
        BitString::from_bytes(&[0u8; 64]),
    ) else {
        return out;
    };
    let statuses = [
        x509_ocsp::CertStatus::good(),
        x509_ocsp::CertStatus::revoked(x509_ocsp::RevokedInfo {
            revocation_time: when,
            revocation_reason: None,
        }),
        x509_ocsp::CertStatus::Unknown(Null),
    ];
    for status in statuses {
        let basic = x509_ocsp::BasicOcspResponse {
            tbs_response_data: x509_ocsp::ResponseData {
                version: x509_ocsp::Version::V1,
                responder_id: x509_ocsp::ResponderId::ByKey(key_hash.clone()),
                produced_at: when,
                responses: vec![x509_ocsp::SingleResponse {
                    cert_id: cert_id.clone(),
                    cert_status: status,
                    this_update: when,
                    next_update: Some(when),
                    single_extensions: None,
                }],
                response_extensions: None,
            },
            signature_algorithm: x509_cert::spki::AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
                parameters: None,
            },
            signature: signature.clone(),
            certs: None,
        };
        let Ok(basic) = basic.to_der() else { continue };
        let Ok(inner) = OctetString::new(basic) else {
            continue;
        };
        let response = x509_ocsp::OcspResponse {
            response_status: x509_ocsp::OcspResponseStatus::Successful,
            response_bytes: Some(x509_ocsp::ResponseBytes {
                response_type: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1"),
                response: inner,
            }),
        };
        if let Ok(der) = response.to_der() {
            out.push(der);
        }
    }
    out
}

#[cfg(test)]
mod ocsp_seed_tests {
    /// The generated OCSP seeds reach past the status: three basic responses read, and the
    /// revoked-intermediates reports parse.
    #[test]
    fn generated_seeds_parse() {
        let responses = super::ocsp_responses();
        let read = responses
            .iter()
            .filter(|r| cabundle_verify::revocation::parse_ocsp(r).is_ok())
            .count();
        assert_eq!(read, 3, "{} responses", responses.len());
        for report in super::revoked_reports() {
            let parsed = cabundle_ccadb::parse_revoked_intermediates(&report);
            assert!(
                parsed.is_ok() || report.iter().filter(|b| **b == b'\n').count() == 1,
                "{parsed:?}"
            );
        }
    }
}

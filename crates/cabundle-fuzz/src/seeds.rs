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
        let generated = s.objects.len() + s.names.len() + s.intermediates.len();
        add_real(&mut s, dir);
        // The Chrome data sits beside the CCADB data.
        if let Some(chrome) = dir.parent().map(|p| p.join("chrome")) {
            add_textprotos(&mut s, &chrome);
        }
        s.from_data = s.objects.len()
            + s.names.len()
            + s.intermediates.len()
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

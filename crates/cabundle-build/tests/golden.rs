//! Golden builds: the exact bytes of the outputs built from the fixture report, pinned by
//! files under `tests/golden/` and by their SHA-256. `UPDATE_GOLDEN=1 cargo test -p
//! cabundle-build --test golden` rewrites the files after an intended change (then update the
//! digests below from the test's output).
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

#[path = "../../../tests/fixture/mod.rs"]
mod fixture;

use cabundle_build::{
    Added, Built, Destination, OutputKind, OutputRequest, Sources, Wanted, build,
};
use cabundle_policy::{PolicyOptions, Purpose};
use sha2::Digest as _;
use std::path::PathBuf;
use time::macros::date;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `bytes` with the golden file `name` (or rewrites it under `UPDATE_GOLDEN=1`) and
/// returns the SHA-256 of the bytes.
fn check_golden(name: &str, bytes: &[u8]) -> String {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, bytes).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == bytes,
        "{name} differs from the golden file {} (run with UPDATE_GOLDEN=1 after an intended change)",
        path.display()
    );
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The plain build of the fixture report: the bundle, the hashed directory and the manifest.
fn build_fixture(report: &str, purpose: Purpose, added: &[Added]) -> Built {
    let wanted = Wanted::new([OutputKind::Pem, OutputKind::Capath, OutputKind::Manifest]);
    build(
        &Sources::report(report.as_bytes(), "fixture.csv"),
        &policy(purpose),
        added,
        &wanted,
    )
    .unwrap()
}

fn to(kind: OutputKind, path: &std::path::Path) -> OutputRequest {
    OutputRequest {
        kind,
        to: Destination::Path(path.to_owned()),
    }
}

fn policy(purpose: Purpose) -> PolicyOptions {
    PolicyOptions::new(purpose, date!(2026 - 11 - 23))
}

#[test]
fn golden_tls_and_email() {
    let report = fixture::report_csv(&fixture::roots());
    let cases = [
        (Purpose::Tls, "fixture-tls"),
        (Purpose::Email, "fixture-email"),
    ];
    let mut digests = Vec::new();
    for (purpose, stem) in cases {
        let built = build_fixture(&report, purpose, &[]);
        let pem = check_golden(&format!("{stem}.pem"), built.pem());
        let manifest = check_golden(&format!("{stem}.json"), built.manifest());
        // What verify reads back is what the build wrote.
        let read = cabundle_manifest::Manifest::from_json(built.manifest()).unwrap();
        assert_eq!(&read, built.manifest_value(), "{stem}");
        assert_eq!(read.to_json(), built.manifest(), "{stem}");
        digests.push((stem, pem, manifest));
    }
    for (stem, pem, manifest) in &digests {
        eprintln!("{stem}: pem {pem} manifest {manifest}");
    }
    if std::env::var_os("UPDATE_GOLDEN").is_none() {
        let pinned: Vec<(&str, &str, &str)> = PINNED.to_vec();
        let got: Vec<(&str, &str, &str)> = digests
            .iter()
            .map(|(s, p, m)| (*s, p.as_str(), m.as_str()))
            .collect();
        assert_eq!(got, pinned, "update PINNED after an intended change");
    }
}

/// SHA-256 of the golden outputs: (case, PEM bundle, manifest).
const PINNED: [(&str, &str, &str); 2] = [
    (
        "fixture-tls",
        "f26cd8a810f03e518b499557fcd91baa69caf004747efba961f4bb49b8901939",
        "d80cd1661c98c5461c0f652fd00dd887e5be29481b9995f38422f9ceb5ebbf4f",
    ),
    (
        "fixture-email",
        "ce35a48466a21e88606ca7d9a4c068c08329dc7d3049460463954263335cb2bc",
        "fc9b5a30a36b3b01068a581edaf1de2b995750b5634368a88c992b3f4bb9d1b7",
    ),
];

#[test]
fn selection_and_reasons() {
    let report = fixture::report_csv(&fixture::roots());
    let built = build_fixture(&report, Purpose::Tls, &[]);
    let decisions = built.decisions();
    let mut got: Vec<(String, String)> = decisions
        .decisions
        .iter()
        .map(|d| {
            (
                d.label().to_owned(),
                d.excluded
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let expected = [
        ("Alpha Root CA", ""),
        ("Beta Email Root", "not trusted for TLS (trust bits: Email)"),
        (
            "Delta Root (distrusted)",
            "distrusted for TLS after 2024-11-30 (+398 days grace ended 2026-01-02)",
        ),
        ("Epsilon Root (expired)", "expired on 2025-06-30"),
        ("Eta Root (unknown bit)", "unknown trust bits: Client Auth"),
        ("Gamma Root (distrusted, in grace)", ""),
        ("Theta Root, \"quoted\"", ""),
        (
            "Zeta Root (off)",
            "not trusted for TLS (trust bits: All Trust Bits Turned Off)",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, expected);
    let warnings: Vec<String> = decisions.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("\"Beta Email Root\""), "{warnings:?}");
    assert!(warnings[0].contains("lack Websites"), "{warnings:?}");
    assert!(warnings[1].starts_with("\"Eta Root"), "{warnings:?}");
    assert!(
        warnings[2].contains("constrained by Mozilla to \"*.xx\""),
        "{warnings:?}"
    );
    let theta = built
        .manifest_value()
        .included
        .iter()
        .find(|i| i.label.starts_with("Theta"))
        .unwrap();
    assert_eq!(theta.mozilla_applied_constraints.as_deref(), Some("*.xx"));
    let pem = String::from_utf8(built.pem().to_vec()).unwrap();
    assert!(
        pem.contains("# Mozilla Applied Constraints: *.xx\n"),
        "{pem}"
    );
}

#[test]
fn same_inputs_same_bytes_and_capath_layout() {
    let report = fixture::report_csv(&fixture::roots());
    let a = build_fixture(&report, Purpose::Tls, &[]);
    let b = build_fixture(&report, Purpose::Tls, &[]);
    assert_eq!(a.pem(), b.pem());
    assert_eq!(a.manifest(), b.manifest());
    assert_eq!(a.capath(), b.capath());
    // 3 roots: one file and one link each.
    assert_eq!(a.capath().map(<[_]>::len), Some(6));

    let dir = tempfile::tempdir().unwrap();
    let paths = [
        to(OutputKind::Pem, &dir.path().join("bundle.pem")),
        to(OutputKind::Capath, &dir.path().join("certs")),
        to(OutputKind::Manifest, &dir.path().join("manifest.json")),
    ];
    a.write(&paths, &mut std::io::sink()).unwrap();
    // Writing again replaces the directory in place.
    a.write(&paths, &mut std::io::sink()).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("bundle.pem")).unwrap(),
        a.pem()
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("certs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = a.capath().unwrap().iter().map(|e| e.name.clone()).collect();
    expected.sort();
    assert_eq!(names, expected);
    // No temporary names are left beside the outputs.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["bundle.pem", "certs", "manifest.json"]);
}

#[test]
fn capath_refuses_foreign_directory_and_keeps_everything() {
    let report = fixture::report_csv(&fixture::roots());
    let built = build_fixture(&report, Purpose::Tls, &[]);
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("bundle.pem");
    std::fs::write(&pem, b"old bundle").unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::write(certs.join("notes.txt"), b"mine").unwrap();
    let err = built
        .write(
            &[to(OutputKind::Pem, &pem), to(OutputKind::Capath, &certs)],
            &mut std::io::sink(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert_eq!(std::fs::read(&pem).unwrap(), b"old bundle");
    assert_eq!(std::fs::read(certs.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn added_certificates() {
    let extra = fixture::FixtureRoot {
        label: "Proxy Root",
        seed: 42,
        ..fixture::roots()[0].clone()
    };
    let cert = fixture::certificate(&extra);
    let added = cabundle_build::read_added("proxy.pem", cert.pem().as_bytes()).unwrap();
    assert_eq!(added.len(), 1);
    let report = fixture::report_csv(&fixture::roots());
    let built = build_fixture(&report, Purpose::Tls, &added);
    let text = String::from_utf8(built.pem().to_vec()).unwrap();
    assert!(
        text.contains("# Owner: added by the user, not from the report"),
        "{text}"
    );
    let manifest = String::from_utf8(built.manifest().to_vec()).unwrap();
    assert!(manifest.contains("\"file\": \"proxy.pem\""), "{manifest}");
    let _: &[Added] = built.added();
}

//! Labels, names and constraints from a report reach the terminal escaped: an escape sequence,
//! a bell, a right-to-left override and a line feed that forges an `excluded` line all show as
//! `\xNN` / `\u{NNNN}`, one root stays one `--explain` line, and the data outputs (PEM, JSON)
//! stay as they were.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::path::Path;
use support::cabundle;

/// Nothing a terminal obeys: no ESC, BEL or other C0 control but the line feed, no C1 control,
/// no right-to-left override.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n') || ('\u{202A}'..='\u{202E}').contains(&c);
        assert!(!bad, "{what}: raw {c:?} in {text}");
    }
}

/// The fixture report with hostile labels (which are also the subjects' common names) and a
/// hostile applied constraint; returns the root count.
fn hostile_report(dir: &Path) -> (std::path::PathBuf, usize) {
    let mut roots = fixture::roots();
    let alpha_sha = {
        let c = fixture::certificate(&roots[0]);
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(c.der()))
    };
    for root in &mut roots {
        let label: String = match root.label {
            "Alpha Root CA" => "Alpha\x1b[2J Root\x07".into(),
            "Beta Email Root" => "Beta \u{202E}moc.elpmaxe".into(),
            "Eta Root (unknown bit)" => {
                format!("Eta\nexcluded  {alpha_sha}  Alpha Root CA: forged")
            }
            other => other.into(),
        };
        root.label = Box::leak(label.into_boxed_str());
        if !root.constraints.is_empty() {
            root.constraints = "*.xx\x1b[0m";
        }
    }
    let path = dir.join("report.csv");
    std::fs::write(&path, fixture::report_csv(&roots)).unwrap();
    (path, roots.len())
}

#[test]
fn hostile_labels_are_escaped_in_every_text_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, count) = hostile_report(tmp.path());
    let r = report.to_str().unwrap();
    let pem = tmp.path().join("b.pem");
    let manifest = tmp.path().join("m.json");
    let out = cabundle(&[
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-11-23",
        "--report",
        r,
        "--explain",
        "--pem",
        pem.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_inert("--explain", &out.stdout);
    assert_inert("warnings", &out.stderr);
    let explain = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        explain.lines().count(),
        count,
        "one line per root:\n{explain}"
    );
    assert!(explain.contains("Alpha\\x1B[2J Root\\x07"), "{explain}");
    assert!(explain.contains("Beta \\u{202E}moc.elpmaxe"), "{explain}");
    assert!(explain.contains("Eta\\x0Aexcluded  "), "{explain}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("*.xx\\x1B[0m"),
        "the constraint warning: {stderr}"
    );
    assert!(
        stderr.contains("Eta\\x0Aexcluded"),
        "the unknown-bits warning: {stderr}"
    );

    // The data outputs: the PEM stays ASCII, the manifest is JSON holding the labels as they are.
    let bundle = std::fs::read(&pem).unwrap();
    assert!(bundle.is_ascii());
    assert_inert("PEM", &bundle);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let labels: Vec<&str> = json["included"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["excluded"].as_array().unwrap())
        .filter_map(|e| e["label"].as_str())
        .collect();
    assert!(labels.contains(&"Alpha\x1b[2J Root\x07"), "{labels:?}");

    // inspect and verify show the subjects escaped.
    for args in [
        vec!["inspect", pem.to_str().unwrap()],
        vec!["expiring", "--within", "36500d", pem.to_str().unwrap()],
    ] {
        let out = cabundle(&args).output().unwrap();
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
        // Names are shown as RFC 4514 writes them: `\1B` for an escape character.
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Alpha\\1B[2J Root\\07"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }

    // diff against the plain report: each changed root one line.
    let plain = tmp.path().join("plain.csv");
    std::fs::write(&plain, fixture::report_csv(&fixture::roots())).unwrap();
    let out = cabundle(&["diff", plain.to_str().unwrap(), r])
        .output()
        .unwrap();
    assert_inert("diff", &out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("\nexcluded  "), "{text}");
}

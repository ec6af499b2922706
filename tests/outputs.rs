//! Every output of `cabundle build`, alone and in combinations (every one of the first
//! [`EXHAUSTIVE`] flags, representative ones for the rest), with and without the intermediates
//! report: each one asked for is written, nothing else is, and the manifest lists
//! exactly the outputs written, with their digests. Combinations that cannot be honoured are
//! refused before anything is written.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::cabundle;

/// One output flag: the flag, the name written in the test's folder, whether it is a
/// directory, and where the manifest records its digest (`outputs.KEY` or
/// `intermediates.KEY`).
struct Flag {
    flag: &'static str,
    name: &'static str,
    dir: bool,
    manifest_key: Option<(&'static str, &'static str)>,
}

const ROOT_OUTPUTS: [Flag; 9] = [
    Flag {
        flag: "--pem",
        name: "bundle.pem",
        dir: false,
        manifest_key: Some(("outputs", "pem")),
    },
    Flag {
        flag: "--capath",
        name: "crts",
        dir: true,
        manifest_key: Some(("outputs", "capath")),
    },
    Flag {
        flag: "--der-dir",
        name: "der",
        dir: true,
        manifest_key: Some(("outputs", "der_dir")),
    },
    Flag {
        flag: "--java-truststore",
        name: "cacerts.p12",
        dir: false,
        manifest_key: Some(("outputs", "java_truststore")),
    },
    Flag {
        flag: "--openssl-trusted",
        name: "trusted.pem",
        dir: false,
        manifest_key: Some(("outputs", "openssl_trusted")),
    },
    Flag {
        flag: "--manifest",
        name: "manifest.json",
        dir: false,
        manifest_key: None,
    },
    Flag {
        flag: "--trust-manager-package",
        name: "package.json",
        dir: false,
        manifest_key: Some(("outputs", "trust_manager_package")),
    },
    Flag {
        flag: "--cluster-trust-bundle",
        name: "ctb.yaml",
        dir: false,
        manifest_key: Some(("outputs", "cluster_trust_bundle")),
    },
    Flag {
        flag: "--p11-kit",
        name: "p11",
        dir: true,
        manifest_key: Some(("outputs", "p11_kit")),
    },
];

/// How many of [`ROOT_OUTPUTS`], from the first, are tried in every combination. Every
/// combination is one process, and their number doubles with each flag: the first six give
/// 63 + 255 + 128 runs, all nine would give 511 + 2047 + 1024, too slow for two cores. The
/// later flags (the Kubernetes and p11-kit outputs, which share no code path with each other
/// beyond the writer and the manifest) are tried in each of their combinations with a
/// representative set of the others instead: nothing else, the manifest alone, a file and a
/// directory with the manifest, and everything, with and without the intermediates.
const EXHAUSTIVE: usize = 6;

const INTERMEDIATE_OUTPUTS: [Flag; 2] = [
    Flag {
        flag: "--intermediates-pem",
        name: "intermediates.pem",
        dir: false,
        manifest_key: Some(("intermediates", "pem")),
    },
    Flag {
        flag: "--full-pem",
        name: "full.pem",
        dir: false,
        manifest_key: Some(("intermediates", "full_pem")),
    },
];

/// The fixture report and an intermediates report with one intermediate of its first root.
fn sources(dir: &Path) -> (PathBuf, PathBuf) {
    let report = dir.join("report.csv");
    std::fs::write(&report, fixture::report_csv(&fixture::roots())).unwrap();
    let alpha = &fixture::roots()[0];
    let int = fixture::intermediate(alpha, "Alpha Issuing CA", 0x41);
    let inter = dir.join("intermediates.csv");
    std::fs::write(&inter, fixture::intermediates_csv(alpha, &[&int])).unwrap();
    (report, inter)
}

fn base_args(report: &Path) -> Vec<String> {
    [
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-11-23",
        "--report",
        report.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Every entry under `dir`, with a digest of its content (a link's target), by relative path.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walk(dir) {
        let rel = entry.strip_prefix(dir).unwrap().display().to_string();
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        let what = if meta.file_type().is_symlink() {
            format!("link {}", std::fs::read_link(&entry).unwrap().display())
        } else if meta.is_dir() {
            "dir".to_owned()
        } else {
            sha256_hex(&std::fs::read(&entry).unwrap())
        };
        out.insert(rel, what);
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}

/// Builds with the outputs `chosen` (and the intermediates report when `inter` is given, with
/// `--capath-intermediates` when asked) in a fresh folder under `root`, and checks that exactly
/// those outputs exist and that the manifest, when written, lists exactly them with digests
/// that match the files.
fn check_combination(
    root: &Path,
    report: &Path,
    inter: Option<&Path>,
    chosen: &[&Flag],
    capath_intermediates: bool,
) {
    let names: Vec<&str> = chosen.iter().map(|f| f.flag).collect();
    let label = format!(
        "{names:?} intermediates={} capath-intermediates={capath_intermediates}",
        inter.is_some()
    );
    let dir = root.join(format!("case-{}", sha256_hex(label.as_bytes())));
    std::fs::create_dir(&dir).unwrap();
    let mut args = base_args(report);
    if let Some(inter) = inter {
        args.extend([
            "--intermediates-report".to_owned(),
            inter.display().to_string(),
        ]);
    }
    if capath_intermediates {
        args.push("--capath-intermediates".to_owned());
    }
    for flag in chosen {
        args.extend([
            flag.flag.to_owned(),
            dir.join(flag.name).display().to_string(),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cabundle(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    let mut expected: Vec<String> = chosen.iter().map(|f| f.name.to_owned()).collect();
    expected.sort();
    assert_eq!(present, expected, "{label}: exactly the outputs asked for");

    if !chosen.iter().any(|f| f.flag == "--manifest") {
        return;
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let all = ROOT_OUTPUTS.iter().chain(&INTERMEDIATE_OUTPUTS);
    for flag in all {
        let Some((section, key)) = flag.manifest_key else {
            continue;
        };
        let listed = &manifest[section][key];
        if !chosen.iter().any(|f| f.flag == flag.flag) {
            assert!(
                listed.is_null(),
                "{label}: {section}.{key} listed but not written"
            );
            continue;
        }
        let path = dir.join(flag.name);
        let (sha256, size) = if flag.dir {
            (
                support::capath_listing_digest(&path),
                std::fs::read_dir(&path).unwrap().count() as u64,
            )
        } else {
            let bytes = std::fs::read(&path).unwrap();
            (sha256_hex(&bytes), bytes.len() as u64)
        };
        assert_eq!(
            listed["sha256"],
            sha256.as_str(),
            "{label}: {section}.{key}"
        );
        assert_eq!(listed["size"], size, "{label}: {section}.{key}");
    }
    assert_eq!(
        manifest["intermediates"].is_null(),
        inter.is_none(),
        "{label}: the intermediates section is there when the report is"
    );
}

/// Every subset of `flags`, by bit mask.
fn subsets<'a>(flags: &[&'a Flag]) -> Vec<Vec<&'a Flag>> {
    (0..1u32 << flags.len())
        .map(|mask| {
            flags
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, f)| *f)
                .collect()
        })
        .collect()
}

#[test]
fn every_combination_of_outputs_is_written_and_listed_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, inter) = sources(tmp.path());
    let roots: Vec<&Flag> = ROOT_OUTPUTS[..EXHAUSTIVE].iter().collect();
    let with_inter: Vec<&Flag> = ROOT_OUTPUTS[..EXHAUSTIVE]
        .iter()
        .chain(&INTERMEDIATE_OUTPUTS)
        .collect();
    let mut cases: Vec<(Option<&Path>, Vec<&Flag>, bool)> = Vec::new();
    for chosen in subsets(&roots).into_iter().filter(|c| !c.is_empty()) {
        cases.push((None, chosen, false));
    }
    for chosen in subsets(&with_inter).into_iter().filter(|c| !c.is_empty()) {
        if chosen.iter().any(|f| f.flag == "--capath") {
            cases.push((Some(inter.as_path()), chosen.clone(), true));
        }
        cases.push((Some(inter.as_path()), chosen, false));
    }
    assert_eq!(cases.len(), 63 + 255 + 128);
    let later: Vec<&Flag> = ROOT_OUTPUTS[EXHAUSTIVE..].iter().collect();
    let by_flag = |flags: &[&str]| -> Vec<&Flag> {
        ROOT_OUTPUTS
            .iter()
            .filter(|f| flags.contains(&f.flag))
            .collect()
    };
    let representatives: [Vec<&Flag>; 4] = [
        Vec::new(),
        by_flag(&["--manifest"]),
        by_flag(&["--pem", "--capath", "--manifest"]),
        roots.clone(),
    ];
    for chosen in subsets(&later).into_iter().filter(|c| !c.is_empty()) {
        for others in &representatives {
            let mut all = others.clone();
            all.extend(&chosen);
            cases.push((None, all, false));
        }
        let mut all = with_inter.clone();
        all.extend(&chosen);
        cases.push((Some(inter.as_path()), all.clone(), true));
        cases.push((Some(inter.as_path()), all, false));
    }
    assert_eq!(cases.len(), 63 + 255 + 128 + 7 * 6);
    // Two at a time: the machine has two cores.
    let (a, b) = cases.split_at(cases.len() / 2);
    std::thread::scope(|scope| {
        for half in [a, b] {
            let (root, report) = (tmp.path(), report.as_path());
            scope.spawn(move || {
                for (inter, chosen, capath_intermediates) in half {
                    check_combination(root, report, *inter, chosen, *capath_intermediates);
                }
            });
        }
    });
}

#[test]
fn a_manifest_alone_lists_no_other_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, _) = sources(tmp.path());
    let manifest_path = tmp.path().join("m.json");
    let mut args = base_args(&report);
    args.extend(["--manifest".to_owned(), manifest_path.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cabundle(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["outputs"], serde_json::json!({}), "{manifest}");
}

#[test]
fn refused_combinations_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, inter) = sources(tmp.path());
    let d = tmp.path();
    let p = |name: &str| d.join(name).display().to_string();
    // Something to lose: outputs of an earlier build.
    std::fs::write(d.join("a"), b"an earlier bundle").unwrap();
    std::fs::write(d.join("b.pem"), b"another file").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--capath".into(), p("x"), "--der-dir".into(), p("x")],
            "name the same path",
        ),
        (
            vec!["--pem".into(), report.display().to_string()],
            "the input --report",
        ),
        (
            vec!["--pem".into(), p("a"), "--manifest".into(), p("a")],
            "name the same path",
        ),
        (
            vec!["--pem".into(), p("a"), "--manifest".into(), p("sub/../a")],
            "name the same path",
        ),
        (
            vec![
                "--pem".into(),
                inter.display().to_string(),
                "--intermediates-report".into(),
                inter.display().to_string(),
            ],
            "the input --intermediates-report",
        ),
        (
            vec![
                "--capath".into(),
                p("crts"),
                "--pem".into(),
                p("crts/b.pem"),
            ],
            "inside the --capath directory",
        ),
        (vec!["--capath".into(), "-".into()], "is a directory"),
        (vec!["--der-dir".into(), "-".into()], "is a directory"),
        (
            vec!["--pem".into(), "-".into(), "--manifest".into(), "-".into()],
            "only one of them",
        ),
        (
            vec!["--pem".into(), "-".into(), "--explain".into()],
            "only one of them",
        ),
        (
            vec![
                "--full-pem".into(),
                p("full.pem"),
                "--pem".into(),
                p("b.pem"),
            ],
            "need --intermediates-report",
        ),
        (
            vec![
                "--capath".into(),
                p("crts"),
                "--capath-intermediates".into(),
            ],
            "need --intermediates-report",
        ),
    ];
    for (extra, expected) in cases {
        let before = tree(d);
        let mut args = base_args(&report);
        args.extend(extra.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cabundle(&args).current_dir(d).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert_eq!(tree(d), before, "{extra:?} changed files");
    }
}

#[test]
fn the_roots_summary_comes_before_the_intermediates() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, inter) = sources(tmp.path());
    let mut args = base_args(&report);
    args.extend([
        "--intermediates-report".to_owned(),
        inter.display().to_string(),
        "--full-pem".to_owned(),
        tmp.path().join("full.pem").display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cabundle(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let roots = stderr.find(" included, ").expect("the roots' summary");
    let inters = stderr
        .find(" intermediates selected, ")
        .expect("the intermediates' summary");
    assert!(roots < inters, "{stderr}");
}

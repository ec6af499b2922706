//! The crates are publishable: every package but the test kit, the fuzzer and the xtask packs
//! with `cargo package` (into a temporary target folder, without the compile check: the suite
//! compiles them already), with the metadata crates.io shows, and each library's README shows
//! the example its documentation runs as a doctest.
//!
//! Packaging resolves the crates' dependencies against the crates.io index, as publishing
//! would; the unpublished test kit is a dev-dependency without a version, which cargo leaves
//! out of a package.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::output_text;

/// The packages that are never published: `publish = false` in their manifests.
const UNPUBLISHED: [&str; 3] = ["cabundle-fuzz", "cabundle-testkit", "xtask"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace());
    cmd
}

/// The workspace's packages, as `cargo metadata` describes them, sorted by name.
fn packages() -> Vec<serde_json::Value> {
    let out = cargo()
        .args(["metadata", "--locked", "--no-deps", "--format-version", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut packages = metadata["packages"].as_array().unwrap().clone();
    packages.sort_by_key(|p| p["name"].as_str().unwrap().to_owned());
    packages
}

fn published(packages: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    // `publish = false` reads as an empty list of registries.
    packages
        .iter()
        .filter(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
        .collect()
}

#[test]
fn published_crates_package_with_their_metadata() {
    let packages = packages();
    let published = published(&packages);
    let unpublished: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .filter(|n| !published.iter().any(|p| p["name"] == *n))
        .collect();
    assert_eq!(unpublished, UNPUBLISHED);

    for package in &published {
        let name = package["name"].as_str().unwrap();
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            assert!(
                package[field].as_str().is_some_and(|v| !v.is_empty()),
                "{name}: no {field}"
            );
        }
        for field in ["keywords", "categories"] {
            let list = package[field].as_array().unwrap();
            assert!((1..=5).contains(&list.len()), "{name}: {field} {list:?}");
        }
        let manifest = Path::new(package["manifest_path"].as_str().unwrap());
        let readme = manifest
            .parent()
            .unwrap()
            .join(package["readme"].as_str().unwrap());
        assert!(readme.is_file(), "{name}: {} is missing", readme.display());
    }

    let target = tempfile::tempdir().unwrap();
    let mut cmd = cargo();
    cmd.args([
        "package",
        "--locked",
        "--no-verify",
        "--allow-dirty",
        "--target-dir",
    ])
    .arg(target.path());
    for package in &published {
        cmd.args(["--package", package["name"].as_str().unwrap()]);
    }
    let out = cmd.output().unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    assert!(
        !text.contains("manifest has no"),
        "a package lacks metadata:\n{text}"
    );
    for package in &published {
        let file = format!(
            "{}-{}.crate",
            package["name"].as_str().unwrap(),
            package["version"].as_str().unwrap()
        );
        assert!(
            target.path().join("package").join(&file).is_file(),
            "{file} not packaged:\n{text}"
        );
    }
}

/// The first fenced code block of a Markdown text, or of the `//!` documentation of a Rust
/// file, with the lines rustdoc hides (`# ...`) left out.
fn first_example(text: &str, rust_doc: bool) -> Option<String> {
    let lines: Vec<&str> = if rust_doc {
        text.lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect()
    } else {
        text.lines().collect()
    };
    let start = lines.iter().position(|l| l.starts_with("```"))? + 1;
    let len = lines[start..].iter().position(|l| l.starts_with("```"))?;
    let shown: Vec<&str> = lines[start..start + len]
        .iter()
        .copied()
        .filter(|l| {
            let code = l.trim_start();
            !(rust_doc && (code == "#" || code.starts_with("# ")))
        })
        .collect();
    Some(shown.join("\n"))
}

#[test]
fn readme_examples_are_the_doc_examples() {
    let packages = packages();
    let libraries: Vec<_> = published(&packages)
        .into_iter()
        .filter(|p| {
            p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"][0] == "lib")
        })
        .collect();
    assert!(libraries.len() >= 10, "{} libraries", libraries.len());
    for package in libraries {
        let name = package["name"].as_str().unwrap();
        let dir = Path::new(package["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap();
        let doc = fs_err::read_to_string(dir.join("src/lib.rs")).unwrap();
        let readme = fs_err::read_to_string(dir.join("README.md")).unwrap();
        let documented =
            first_example(&doc, true).unwrap_or_else(|| panic!("{name}: no doc example"));
        assert!(
            readme.contains("```rust\n"),
            "{name}: the README's example is not a ```rust block"
        );
        assert_eq!(
            first_example(&readme, false).unwrap_or_default(),
            documented,
            "{name}: README.md's example differs from the one in src/lib.rs (copy the lines \
             rustdoc shows)"
        );
    }
}

#[test]
fn examples_are_read_as_rustdoc_shows_them() {
    let doc = "//! Text.\n//!\n//! ```no_run\n//! # fn main() {\n//! let x = 1;\n//!\n//!     # let hidden = 2;\n//! #[derive(Debug)]\n//! # }\n//! ```\n//! ```\n//! second\n//! ```\n";
    assert_eq!(
        first_example(doc, true).unwrap(),
        "let x = 1;\n\n#[derive(Debug)]"
    );
    let readme = "# Title\n\n```rust\nlet x = 1;\n\n#[derive(Debug)]\n```\n";
    assert_eq!(
        first_example(readme, false).unwrap(),
        "let x = 1;\n\n#[derive(Debug)]"
    );
    assert_eq!(first_example("no code", false), None);
}

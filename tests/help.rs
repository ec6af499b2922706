//! Snapshot tests of `cabundle --help` and `cabundle <command> --help`.
//!
//! Each help text is compared with `tests/snapshots/help/<command>.txt` (`cabundle.txt` for the
//! top level). After an intended change to a help text, regenerate them with
//! `UPDATE_SNAPSHOTS=1 cargo test -p cabundle --test help` and review the diff.
//!
//! The width is pinned: the binary's stdin, stdout and stderr are not terminals here, so clap
//! falls back to `COLUMNS`, which the test sets to 100.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use support::cabundle;

/// The terminal width every snapshot is rendered at.
const COLUMNS: &str = "100";

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/snapshots/help")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The help text for `args`, as the user would see it at a 100-column terminal.
fn help(args: &[&str]) -> String {
    let out = cabundle(args)
        .env("COLUMNS", COLUMNS)
        .env_remove("LINES")
        .stdin(Stdio::null())
        .output()
        .expect("run cabundle");
    assert!(
        out.status.success(),
        "cabundle {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "help wrote to stderr for {args:?}");
    let text = String::from_utf8(out.stdout).expect("help is UTF-8");
    // clap names the binary after argv[0], which is `cabundle.exe` on Windows.
    text.replace("cabundle.exe", "cabundle")
}

/// Compares `actual` with the snapshot `name`, or rewrites it under `UPDATE_SNAPSHOTS`.
/// Returns a description of the mismatch, if any.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = snapshot_dir().join(format!("{name}.txt"));
    if updating() {
        fs_err::create_dir_all(snapshot_dir()).expect("create snapshot dir");
        fs_err::write(&path, actual).expect("write snapshot");
        return None;
    }
    let expected = match fs_err::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => return Some(format!("{name}: {e}")),
    };
    if expected == actual {
        return None;
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{name}: help differs from {} at line {}\n  expected: {:?}\n  actual:   {:?}",
        path.display(),
        first + 1,
        expected.lines().nth(first).unwrap_or("<end>"),
        actual.lines().nth(first).unwrap_or("<end>"),
    ))
}

/// The subcommands listed under "Commands:" in the top-level help, without `help`.
fn commands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A long description may wrap onto lines indented further than the names.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_matches_snapshots() {
    let top = help(&["--help"]);
    let commands = commands(&top);
    assert!(
        commands.len() >= 10,
        "could not find the commands in --help:\n{top}"
    );

    let mut failures = Vec::new();
    failures.extend(check("cabundle", &top));
    for c in &commands {
        failures.extend(check(c, &help(&[c, "--help"])));
    }

    // A snapshot whose command is gone is stale.
    let expected: BTreeSet<String> = std::iter::once("cabundle".to_owned())
        .chain(commands.iter().cloned())
        .collect();
    if let Ok(entries) = fs_err::read_dir(snapshot_dir()) {
        for entry in entries {
            let path = entry.expect("read snapshot dir").path();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if !expected.contains(stem) {
                if updating() {
                    fs_err::remove_file(&path).expect("remove stale snapshot");
                } else {
                    failures.push(format!("{}: no such command", path.display()));
                }
            }
        }
    }

    assert!(
        failures.is_empty(),
        "{}\n\nhint: if the change is intended, run `UPDATE_SNAPSHOTS=1 cargo test -p cabundle --test help` and review the diff",
        failures.join("\n")
    );
}

#[test]
fn every_command_shows_an_example() {
    let top = help(&["--help"]);
    let missing: Vec<String> = commands(&top)
        .into_iter()
        .filter(|c| !help(&[c, "--help"]).contains("Example"))
        .collect();
    assert!(
        missing.is_empty(),
        "no `Example` in the help of: {}\nhint: add one to the command's `after_help`",
        missing.join(", ")
    );
}

#[test]
fn help_is_the_same_with_short_flag_and_help_command() {
    // `-h` shows the short form, so only `help <cmd>` is expected to equal `<cmd> --help`.
    for c in ["build", "verify"] {
        assert_eq!(
            help(&["help", c]),
            help(&[c, "--help"]),
            "cabundle help {c}"
        );
    }
}

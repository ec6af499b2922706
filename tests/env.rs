//! End-to-end tests of `cabundle env`: the statements it prints, sourced in a clean
//! environment (`env -i PATH=...`) by each shell that is installed (bash always; zsh and fish
//! where present), make curl, Python `urllib`, `requests` and Node verify a loopback
//! `openssl s_server` whose chain ends at a private root that is in the bundle; without the
//! statements, or after the `--unset` ones, each of them fails. The bundle's path holds spaces,
//! quotes and a `$`, and is given relative: the statements carry it absolute and intact.
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod localhost;
mod support;

use localhost::{Pki, bundle, path_var, run};
use std::path::Path;
use std::process::Command;
use support::{NULL_DEVICE, PYTHON, cabundle, have};

/// A shell: its name for `--shell`, and the arguments that source a file (the first argument
/// after them) then run the command that follows.
struct ShellCase {
    name: &'static str,
    args: &'static [&'static str],
}

const SHELLS: &[ShellCase] = &[
    ShellCase {
        name: "bash",
        args: &[
            "--noprofile",
            "--norc",
            "-c",
            ". \"$1\" && shift && exec \"$@\"",
            "bash",
        ],
    },
    ShellCase {
        name: "zsh",
        args: &["-f", "-c", ". \"$1\" && shift && exec \"$@\"", "zsh"],
    },
    ShellCase {
        name: "fish",
        args: &[
            "--no-config",
            "-c",
            "source $argv[1]; and command $argv[2] $argv[3..-1]",
        ],
    },
];

/// The clients, as command lines that fetch the URL given last.
fn clients() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut list = Vec::new();
    if have("curl") {
        list.push((
            "curl",
            vec!["curl", "-sS", "--max-time", "10", "-o", NULL_DEVICE],
        ));
    }
    if have(PYTHON) {
        list.push((
            "urllib",
            vec![
                PYTHON,
                "-c",
                "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10).read()",
            ],
        ));
        list.push((
            "requests",
            vec![
                PYTHON,
                "-c",
                "import sys, requests; requests.get(sys.argv[1], timeout=10).raise_for_status()",
            ],
        ));
    }
    if have("node") {
        list.push((
            "node",
            vec![
                "node",
                "-e",
                "require('https').get(process.argv[1], r => { r.resume(); r.on('end', () => process.exit(0)); }).on('error', e => { console.error(e.message); process.exit(1); })",
            ],
        ));
    }
    list
}

/// Sources `statements` in `shell` with nothing in the environment but PATH, then runs the
/// client on `url` from an unrelated directory.
fn client_in_shell(
    shell: &ShellCase,
    statements: &Path,
    client: &[&str],
    url: &str,
    cwd: &Path,
) -> (bool, String) {
    run(Command::new(shell.name)
        .env_clear()
        .env("PATH", path_var())
        .current_dir(cwd)
        .args(shell.args)
        .arg(statements)
        .args(client)
        .arg(url))
}

fn env_statements(args: &[&str], cwd: &Path) -> String {
    let out = cabundle(args).current_dir(cwd).output().unwrap();
    assert!(out.status.success(), "{}", support::output_text(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Whether a shell can be run (without failing CI when it is not: only bash is required).
fn installed(shell: &str) -> bool {
    Command::new(shell)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|o| o.status.success())
}

// The shells and `env -i` are those of Unix; PowerShell's statements are checked as text.
#[cfg(unix)]
#[test]
fn sourced_statements_make_every_client_trust_the_bundle() {
    if !have("openssl") {
        return;
    }
    let pki = Pki::new();
    let server = pki.serve();
    let url = format!("https://localhost:{}/", server.port);
    let odd = pki.path("it's a \"spaced\" $dir");
    std::fs::create_dir(&odd).unwrap();
    bundle(
        &pki,
        &odd.join("ca bundle.pem"),
        &["other-root.pem", "root.pem"],
    );
    let elsewhere = pki.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let empty = pki.path("empty.sh");
    std::fs::write(&empty, "").unwrap();
    let clients = clients();
    assert!(!clients.is_empty());

    let mut tried = 0;
    for shell in SHELLS {
        // bash is required; zsh and fish are tested where they are installed.
        if shell.name != "bash" && !installed(shell.name) {
            eprintln!("notice: {} not found; not tested", shell.name);
            continue;
        }
        tried += 1;
        let text = env_statements(&["env", "--shell", shell.name, "ca bundle.pem"], &odd);
        let absolute = odd.join("ca bundle.pem").display().to_string();
        let set = pki.path(&format!("set-{}", shell.name));
        std::fs::write(&set, &text).unwrap();
        let unset = pki.path(&format!("unset-{}", shell.name));
        let undo = env_statements(&["env", "--shell", shell.name, "--unset"], &odd);
        std::fs::write(&unset, format!("{text}{undo}")).unwrap();

        // The shell reads the path back exactly.
        let (ok, echoed) = run(Command::new(shell.name)
            .env_clear()
            .env("PATH", path_var())
            .args(shell.args)
            .arg(&set)
            .args(["printenv", "SSL_CERT_FILE"]));
        assert!(ok, "{}: {echoed}", shell.name);
        assert_eq!(echoed.trim_end_matches('\n'), absolute, "{}", shell.name);

        for (client, cmd) in &clients {
            let (ok, said) = client_in_shell(shell, &set, cmd, &url, &elsewhere);
            assert!(
                ok,
                "{} {client} with the statements:\n{text}\n{said}",
                shell.name
            );
            let (ok, said) = client_in_shell(shell, &empty, cmd, &url, &elsewhere);
            assert!(
                !ok,
                "{} {client} without the statements: {said}",
                shell.name
            );
            let (ok, said) = client_in_shell(shell, &unset, cmd, &url, &elsewhere);
            assert!(!ok, "{} {client} after --unset: {said}", shell.name);
        }
    }
    assert!(tried >= 1);
}

#[test]
fn statements_for_each_shell() {
    let pki = Pki::new();
    bundle(&pki, &pki.path("b.pem"), &["root.pem"]);
    let dir = pki.path("certs");
    std::fs::create_dir(&dir).unwrap();
    let b = pki.path("b.pem").display().to_string();
    let d = dir.display().to_string();
    let cases: &[(&str, &[String])] = &[
        (
            "bash",
            &[
                format!("export SSL_CERT_FILE='{b}'"),
                format!("export SSL_CERT_DIR='{d}'"),
                format!("export GIT_SSL_CAPATH='{d}'"),
                format!("export AWS_CA_BUNDLE='{b}'"),
            ],
        ),
        ("fish", &[format!("set -gx NODE_EXTRA_CA_CERTS '{b}'")]),
        ("powershell", &[format!("$env:PIP_CERT = '{b}'")]),
    ];
    for (shell, lines) in cases {
        let text = env_statements(
            &["env", "--shell", shell, "b.pem", "--capath", "certs"],
            pki.dir.path(),
        );
        for line in *lines {
            assert!(
                text.lines().any(|l| l == line),
                "{shell}: no line {line}:\n{text}"
            );
        }
    }
    // A file that holds no certificate is refused.
    std::fs::write(pki.path("not.pem"), "hello").unwrap();
    let out = cabundle(&["env", "not.pem"])
        .current_dir(pki.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", support::output_text(&out));
}

/// A `$SHELL` whose syntax `env` does not write (tcsh, csh) gets the fallback statements and a
/// warning naming the shell, the syntax printed and `--shell`; a known one gets no warning.
#[cfg(unix)]
#[test]
fn an_unknown_login_shell_is_named_in_a_warning() {
    let pki = Pki::new();
    bundle(&pki, &pki.path("b.pem"), &["root.pem"]);
    let check = |shell: &str, first_line: &str, warning: &[&str]| {
        let out = cabundle(&["env", "b.pem"])
            .current_dir(pki.dir.path())
            .env("SHELL", shell)
            .output()
            .unwrap();
        let text = support::output_text(&out);
        assert!(out.status.success(), "{shell}: {text}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.starts_with(first_line), "{shell}: {stdout}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        if warning.is_empty() {
            assert!(stderr.is_empty(), "{shell}: {stderr}");
        }
        for words in warning {
            assert!(stderr.contains(words), "{shell}: no {words:?} in {stderr}");
        }
    };
    let tcsh: &[&str] = &[
        "warning: cabundle env does not write statements for tcsh",
        "printing bash syntax",
        "\nhint: pass --shell bash, zsh, fish or powershell",
    ];
    check("/bin/tcsh", "export SSL_CERT_FILE=", tcsh);
    check("/usr/bin/csh", "export SSL_CERT_FILE=", &["for csh"]);
    check("/usr/bin/fish", "set -gx SSL_CERT_FILE ", &[]);
    check("/bin/bash", "export SSL_CERT_FILE=", &[]);
}

/// A `--capath` that is missing or not a directory is an error naming it, with a hint.
#[test]
fn a_bad_capath_is_named() {
    let pki = Pki::new();
    bundle(&pki, &pki.path("b.pem"), &["root.pem"]);
    let cases: [(&str, &[&str]); 2] = [
        (
            "no-such-dir",
            &[
                "error: the --capath directory no-such-dir does not exist\n",
                "hint: make it with cabundle build --capath DIR",
            ],
        ),
        (
            "b.pem",
            &["error: the --capath path b.pem is not a directory\nhint: "],
        ),
    ];
    for (capath, expected) in cases {
        let out = cabundle(&["env", "b.pem", "--capath", capath])
            .current_dir(pki.dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{capath}: {stderr}");
        for words in expected {
            assert!(stderr.contains(words), "{capath}: no {words:?} in {stderr}");
        }
        assert!(!stderr.contains("metadata"), "{capath}: {stderr}");
        assert!(out.stdout.is_empty(), "{capath}: statements printed");
    }
}

/// Java reads none of the variables: `env --help` and the README give the same advice, the
/// one `doctor` gives (a truststore from `cabundle build --java-truststore`, and the system
/// properties that name it).
#[test]
fn java_advice_is_one_text() {
    let out = cabundle(&["env", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .unwrap()
        .replace('`', " ");
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = [
        "Java reads none of them: build a truststore",
        "cabundle build --java-truststore cacerts.p12",
        "-Djavax.net.ssl.trustStore=cacerts.p12 -Djavax.net.ssl.trustStorePassword=changeit",
    ];
    for w in words {
        assert!(help.contains(w), "env --help lacks {w:?}: {help}");
        assert!(readme.contains(w), "README lacks {w:?}");
    }
    assert!(!help.contains("keytool"), "{help}");
}

/// A path with a newline (or any control character) is refused for every shell, with the path
/// and the character named: no statement may span lines, and `sh` (which `bash` statements
/// also serve) has no one-line quoting of a newline. Nothing reaches standard output.
#[cfg(unix)]
#[test]
fn a_path_with_a_control_character_is_refused_for_every_shell() {
    let pki = Pki::new();
    bundle(&pki, &pki.path("b.pem"), &["root.pem"]);
    let odd = pki.dir.path().join("new\nline");
    std::fs::create_dir(&odd).unwrap();
    bundle(&pki, &odd.join("b.pem"), &["root.pem"]);
    let tabbed = pki.dir.path().join("tab\there");
    std::fs::create_dir(&tabbed).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["new\nline/b.pem"],
            "new\\nline/b.pem\" holds the control character \\n (U+000A)",
        ),
        (
            &["b.pem", "--capath", "tab\there"],
            "tab\\there\" holds the control character \\t (U+0009)",
        ),
    ];
    for shell in ["bash", "zsh", "fish", "powershell"] {
        for (args, expected) in cases {
            let mut full = vec!["env", "--shell", shell];
            full.extend_from_slice(args);
            let out = cabundle(&full)
                .current_dir(pki.dir.path())
                .output()
                .unwrap();
            let said = support::output_text(&out);
            assert_eq!(out.status.code(), Some(2), "{shell}: {said}");
            assert!(out.stdout.is_empty(), "{shell}: {said}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(expected), "{shell}: {stderr}");
            assert!(
                stderr.contains("refusing to write it into a shell statement"),
                "{stderr}"
            );
        }
    }
}

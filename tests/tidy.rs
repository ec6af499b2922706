//! House rules as a test, so that `cargo test` is the one gate.
//!
//! Walks the files git knows about (tracked, plus new files not ignored) and checks the
//! conventions of STYLE.md that clippy and rustfmt do not: module docs, where printing and
//! `std::fs` are allowed, commands that are leaves and a dispatcher that only dispatches, no
//! command-line flag named in a library's strings, no machine-specific paths, no copied CCADB
//! data, no large files, no trailing whitespace or CRLF, workspace lints in every package, no
//! unused dependency, every end-to-end test registered. Every violation is printed as `path:line: what` with a hint.
//!
//! A line that breaks a rule on purpose carries `tidy: allow(<rule>)` with the reason, on the
//! same line or the line above.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files larger than this do not belong in the repository.
const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Longest line on which a test may spell out a CCADB header as a string literal.
const MAX_HEADER_LITERAL_LINE: usize = 200;

/// Files that keep CRLF line endings on purpose (golden inputs for CRLF handling).
const CRLF_ALLOWED: &[&str] = &[];

/// Library files that may name command-line flags in their strings (none: a deliberate
/// exception is a `tidy: allow(flag-text)` line with its reason).
const FLAG_TEXT_ALLOWED: &[&str] = &[];

/// Where the binary's commands live: one module per command, each a leaf.
const COMMANDS_DIR: &str = "crates/cabundle/src/commands/";

/// Command modules that may still import another command's module, until they are rewritten
/// (each entry is a debt: remove it once the file imports only `crate::shared`). None left.
const COMMAND_IMPORTS_ALLOWED: &[&str] = &[];

/// The one table of the environment variables TLS clients read; outside tests, their names
/// appear as string literals nowhere else (the code names them through `Variable`).
const VARIABLES_TABLE: &str = "crates/cabundle-clients/src/variables.rs";

/// The names the table defines.
const CLIENT_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
    "NODE_EXTRA_CA_CERTS",
    "NODE_OPTIONS",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "AWS_CA_BUNDLE",
    "JAVA_TOOL_OPTIONS",
];

/// The binary's advice per problem: its matches over problem kinds are exhaustive, so a new
/// kind does not compile without its advice (no catch-all arm).
const HINTS: &str = "crates/cabundle/src/shared/hints.rs";

/// Where a generated certificate may be committed in PEM form: golden outputs of the project's
/// own test fixtures.
const PEM_ALLOWED_UNDER: &[&str] = &["crates/cabundle-build/tests/golden/"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One broken rule.
struct Violation {
    path: String,
    line: usize,
    rule: &'static str,
    message: String,
}

/// The relative, `/`-separated paths of the files git would commit, or `None` when git or the
/// repository is missing (a source tarball).
fn repository_files(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut files: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        // Deleted in the working tree but still in the index.
        .filter(|p| root.join(p).is_file())
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    Some(files)
}

/// Where a file sits in the workspace, which decides the rules that apply to it.
struct Place<'a> {
    path: &'a str,
    /// The package directory (`crates/<name>` or `xtask`), when the file is inside one.
    package: Option<&'a str>,
    /// Under a package's `src/`.
    in_src: bool,
    /// The whole file is test code: `tests/` folders, `tests.rs` modules, the testkit.
    test_file: bool,
}

impl<'a> Place<'a> {
    fn new(path: &'a str) -> Self {
        let package = if path.starts_with("crates/") {
            path.match_indices('/').nth(1).map(|(i, _)| &path[..i])
        } else if path.starts_with("xtask/") {
            Some("xtask")
        } else {
            None
        };
        let in_src = package.is_some_and(|p| path[p.len()..].starts_with("/src/"));
        let components: Vec<&str> = path.split('/').collect();
        let test_file = components.contains(&"tests")
            || path.ends_with("/tests.rs")
            || package == Some("crates/cabundle-testkit");
        Place {
            path,
            package,
            in_src,
            test_file,
        }
    }

    /// A library crate: `crates/cabundle-*` other than the testkit.
    fn is_library(&self) -> bool {
        self.package
            .is_some_and(|p| p.starts_with("crates/cabundle-") && p != "crates/cabundle-testkit")
    }
}

/// Lines of a Rust file with whether each is test code. Inline test modules come last by
/// convention, so everything from the first `#[cfg(test)]` that opens a block on counts as test
/// code; `#[cfg(test)] mod tests;` (a module in its own file) does not.
fn rust_lines<'t>(place: &Place<'_>, text: &'t str) -> Vec<(usize, &'t str, bool)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_test = place.test_file;
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            let item = lines[i + 1..]
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !l.starts_with("#["));
            in_test |= !item.is_some_and(|l| l.ends_with(';'));
        }
        out.push((i + 1, *line, in_test));
    }
    out
}

fn allowed(lines: &[&str], index: usize, rule: &str) -> bool {
    let marker = format!("tidy: allow({rule})");
    lines[index].contains(&marker) || (index > 0 && lines[index - 1].contains(&marker))
}

/// Whether the package at `dir` lists fs-err among its (non-dev) dependencies.
fn depends_on_fs_err(root: &Path, dir: &str) -> bool {
    let Ok(manifest) = fs_err::read_to_string(root.join(dir).join("Cargo.toml")) else {
        return false;
    };
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
        } else if section == "[dependencies]" && line.starts_with("fs-err") {
            return true;
        }
    }
    false
}

/// A use of `std::fs` that does IO, which fs-err would do with the path in its error.
/// Types such as `std::fs::Permissions` or `std::fs::File` in a signature are fine.
fn std_fs_io(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    if code.trim() == "use std::fs;" {
        return true;
    }
    code.match_indices("std::fs::").any(|(i, m)| {
        let rest = &code[i + m.len()..];
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[ident.len()..];
        ident.starts_with(|c: char| c.is_ascii_lowercase())
            || (ident == "File"
                && ["::open", "::create", "::options"]
                    .iter()
                    .any(|f| after.starts_with(f)))
            || (ident == "OpenOptions" && after.starts_with("::new"))
            || (rest.starts_with('{')
                && rest.split('}').next().unwrap_or("").split(',').any(|n| {
                    n.trim_matches(['{', ' '])
                        .starts_with(|c: char| c.is_ascii_lowercase())
                }))
    })
}

const PRINT_MACROS: &[&str] = &["println", "print", "eprintln", "eprint", "dbg"];

/// Whether `code` invokes the macro `name` (`println` does not match `eprintln!`).
fn macro_used(code: &str, name: &str) -> bool {
    let call = format!("{name}!");
    code.match_indices(&call)
        .any(|(i, _)| !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
}

fn check_rust(root: &Path, place: &Place<'_>, text: &str, out: &mut Vec<Violation>) {
    let mut push = |line: usize, rule: &'static str, message: String| {
        out.push(Violation {
            path: place.path.to_owned(),
            line,
            rule,
            message,
        })
    };

    let first = text.lines().position(|l| !l.trim().is_empty());
    let documented = first
        .and_then(|i| text.lines().nth(i))
        .is_some_and(|l| l.starts_with("//!"));
    if !documented {
        push(
            first.map_or(1, |i| i + 1),
            "module-doc",
            "the file does not start with a `//!` module doc".to_owned(),
        );
    }

    let lines: Vec<&str> = text.lines().collect();
    if place.in_src && place.is_library() && !FLAG_TEXT_ALLOWED.contains(&place.path) {
        let tested: Vec<bool> = rust_lines(place, text)
            .into_iter()
            .map(|(_, _, t)| t)
            .collect();
        for (number, literal) in string_literals(text) {
            let index = number - 1;
            if tested.get(index).copied().unwrap_or(false) || allowed(&lines, index, "flag-text") {
                continue;
            }
            if let Some(flag) = flag_in(&literal) {
                push(
                    number,
                    "flag-text",
                    format!("`{flag}` in a library string: only the binary names flags"),
                );
            }
        }
    }
    if place.in_src && place.path != VARIABLES_TABLE {
        let tested: Vec<bool> = rust_lines(place, text)
            .into_iter()
            .map(|(_, _, t)| t)
            .collect();
        for (number, literal) in string_literals(text) {
            let index = number - 1;
            if tested.get(index).copied().unwrap_or(false)
                || allowed(&lines, index, "client-variable")
            {
                continue;
            }
            if CLIENT_VARIABLES.contains(&literal.as_str()) {
                push(
                    number,
                    "client-variable",
                    format!(
                        "\"{literal}\" outside {VARIABLES_TABLE}: name it through `cabundle_clients::Variable`"
                    ),
                );
            }
        }
    }
    if place.path == HINTS {
        for (number, line, in_test) in rust_lines(place, text) {
            let code = line.split("//").next().unwrap_or("").trim_start();
            if !in_test && (code.starts_with("_ =>") || code.starts_with("other =>")) {
                push(
                    number,
                    "hints-exhaustive",
                    "a catch-all arm in the hints: name every kind, so a new one needs its advice"
                        .to_owned(),
                );
            }
        }
    }
    let check_fs = place.in_src && place.package.is_some_and(|p| depends_on_fs_err(root, p));
    for (number, line, in_test) in rust_lines(place, text) {
        let index = number - 1;
        if in_test {
            continue;
        }
        if place.in_src && place.is_library() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(m) = PRINT_MACROS.iter().find(|m| macro_used(code, m))
                && !allowed(&lines, index, "print")
            {
                push(
                    number,
                    "print",
                    format!("`{m}!` in a library crate: only the binary and xtask print"),
                );
            }
        }
        if check_fs && std_fs_io(line) && !allowed(&lines, index, "std-fs") {
            push(
                number,
                "std-fs",
                "`std::fs` IO where fs-err is a dependency".to_owned(),
            );
        }
        if line.contains("#[ignore") && !allowed(&lines, index, "ignore") {
            push(
                number,
                "ignore",
                "`#[ignore]`: every test runs in `cargo test`".to_owned(),
            );
        }
        if place.in_src
            && let Some(problem) = message_problem(line)
            && !allowed(&lines, index, "message")
        {
            push(number, "message", problem.to_owned());
        }
    }
}

/// The string literals of Rust source (plain, byte and raw), each with the 1-based line it
/// starts on; comments, doc comments and character literals are skipped.
fn string_literals(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let ident = |i: usize| chars[i].is_alphanumeric() || chars[i] == '_';
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        match chars[i] {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += 2;
            }
            '\'' if next == Some('\\') => {
                // An escaped character literal: `'\n'`, `'\''`, `'\u{..}'`.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            // `'"'` is a character; `'a` alone is a lifetime.
            '\'' if chars.get(i + 2) == Some(&'\'') => i += 3,
            'r' if (i == 0
                || !ident(i - 1)
                || (chars[i - 1] == 'b' && (i < 2 || !ident(i - 2))))
                && matches!(next, Some('"' | '#')) =>
            {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let (start, mut j) = (line, i + 2 + hashes);
                let mut literal = String::new();
                while j < chars.len() {
                    let closes = chars[j] == '"'
                        && chars[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == '#')
                            .count()
                            == hashes;
                    if closes {
                        break;
                    }
                    line += usize::from(chars[j] == '\n');
                    literal.push(chars[j]);
                    j += 1;
                }
                out.push((start, literal));
                i = j + 1 + hashes;
            }
            '"' => {
                let (start, mut j) = (line, i + 1);
                let mut literal = String::new();
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        literal.push(chars[j]);
                        j += 1;
                    }
                    if let Some(&c) = chars.get(j) {
                        line += usize::from(c == '\n');
                        literal.push(c);
                    }
                    j += 1;
                }
                out.push((start, literal));
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The first command-line flag (`--name`) a string names, if any: two dashes after a start,
/// a space or punctuation (not more dashes: `-----BEGIN` is PEM), then a lower-case letter.
fn flag_in(literal: &str) -> Option<String> {
    let chars: Vec<char> = literal.chars().collect();
    (0..chars.len().saturating_sub(2)).find_map(|k| {
        let starts = chars[k] == '-'
            && chars[k + 1] == '-'
            && chars[k + 2].is_ascii_lowercase()
            && (k == 0 || !(chars[k - 1].is_alphanumeric() || chars[k - 1] == '-'));
        starts.then(|| {
            chars[k..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '-')
                .collect()
        })
    })
}

/// Where an error message starts: the string literal after one of these.
const MESSAGE_STARTS: &[&str] = &["#[error(\"", "bail!(\"", "anyhow!(\"", ".context(\""];

/// What is wrong with an error message written on `line`, if anything: messages are
/// lower-case (an acronym such as `TLS` is fine) and have no trailing period.
fn message_problem(line: &str) -> Option<&'static str> {
    let start = MESSAGE_STARTS
        .iter()
        .find_map(|m| line.find(m).map(|i| i + m.len()))?;
    let rest = &line[start..];
    let mut chars = rest.chars();
    if let (Some(a), Some(b)) = (chars.next(), chars.next())
        && a.is_uppercase()
        && b.is_lowercase()
    {
        return Some("an error message starts with a capital letter");
    }
    // The literal ends at the first quote not escaped; a message may go on to the next line.
    let mut escaped = false;
    let end = rest.char_indices().find_map(|(i, c)| {
        let end = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        end.then_some(i)
    })?;
    let text = &rest[..end];
    (text.ends_with('.') && !text.ends_with("..")).then_some("an error message ends with a period")
}

/// Directories that only exist on one machine.
fn machine_paths(path: &str) -> Vec<String> {
    let mut dirs = vec!["work", "root", "home"];
    // Documentation may show a scratch directory in an example command.
    if !path.ends_with(".md") {
        dirs.push("tmp");
    }
    dirs.into_iter().map(|d| format!("/{d}/")).collect()
}

/// The first two columns of the CCADB report header, as written in a file or in a Rust string.
fn ccadb_headers() -> [String; 2] {
    let plain = ["Owner", "Certificate Issuer Organization"]
        .map(|c| format!("\"{c}\""))
        .join(",");
    let escaped = plain.replace('"', "\\\"");
    [plain, escaped]
}

fn check_text(place: &Place<'_>, text: &str, out: &mut Vec<Violation>) {
    let path = place.path;
    let lines: Vec<&str> = text.split('\n').collect();
    let is_rust = path.ends_with(".rs");
    let test_lines: Vec<bool> = if is_rust {
        rust_lines(place, text)
            .into_iter()
            .map(|(_, _, t)| t)
            .collect()
    } else {
        Vec::new()
    };
    let in_test = |i: usize| test_lines.get(i).copied().unwrap_or(place.test_file);
    let whitespace_rules = [".rs", ".md", ".toml", ".yml", ".yaml"]
        .iter()
        .any(|e| path.ends_with(e));
    let crlf_allowed = CRLF_ALLOWED.contains(&path);
    let machine = machine_paths(path);
    let headers = ccadb_headers();
    let pem_allowed = PEM_ALLOWED_UNDER.iter().any(|p| path.starts_with(p));

    let mut push = |line: usize, rule: &'static str, message: String| {
        out.push(Violation {
            path: path.to_owned(),
            line,
            rule,
            message,
        })
    };
    for (i, raw) in lines.iter().enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if whitespace_rules && !crlf_allowed && raw.ends_with('\r') {
            push(number, "crlf", "CRLF line ending".to_owned());
        }
        if whitespace_rules && line.ends_with([' ', '\t']) && !allowed(&lines, i, "whitespace") {
            push(number, "whitespace", "trailing whitespace".to_owned());
        }
        if let Some(p) = machine.iter().find(|p| line.contains(p.as_str()))
            && !allowed(&lines, i, "machine-path")
        {
            push(
                number,
                "machine-path",
                format!("machine-specific path `{p}`"),
            );
        }
        if headers.iter().any(|h| line.contains(h.as_str()))
            && !(is_rust && in_test(i) && line.len() <= MAX_HEADER_LITERAL_LINE)
        {
            push(
                number,
                "ccadb-data",
                "a CCADB report header: the report is not to be copied into the repository"
                    .to_owned(),
            );
        }
        if line.trim_start().starts_with("-----BEGIN CERTIFICATE-----")
            && !pem_allowed
            && lines.get(i + 1).is_some_and(|next| {
                let next = next.trim_end_matches('\r');
                next.len() >= 60
                    && next
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
            })
        {
            push(
                number,
                "pem",
                "an embedded certificate: generate it with cabundle-testkit instead".to_owned(),
            );
        }
    }
}

/// A package's manifest: the workspace lints apply to it.
fn check_manifest(path: &str, text: &str, out: &mut Vec<Violation>) {
    let mut lines = text.lines();
    let inherits = lines.any(|l| l.trim() == "[lints]")
        && lines
            .take_while(|l| !l.trim_start().starts_with('['))
            .any(|l| l.replace(' ', "") == "workspace=true");
    if !inherits {
        out.push(Violation {
            path: path.to_owned(),
            line: 1,
            rule: "lints",
            message: "the package does not take the workspace lints".to_owned(),
        });
    }
}

/// Library names that are not the package name with `-` as `_`.
const LIBRARY_NAMES: &[(&str, &str)] = &[("md-5", "md5"), ("rustls-webpki", "webpki")];

/// The dependencies a package manifest lists: (line number, is a dev-dependency, package name).
fn listed_dependencies(manifest: &str) -> Vec<(usize, bool, String)> {
    let mut section = "";
    let mut out = Vec::new();
    for (i, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let dev = match section {
            "[dependencies]" | "[build-dependencies]" => false,
            "[dev-dependencies]" => true,
            _ => continue,
        };
        let name = line.split(['.', '=', ' ']).next().unwrap_or("");
        if !name.is_empty() && !name.starts_with('#') {
            out.push((i + 1, dev, name.to_owned()));
        }
    }
    out
}

/// Whether Rust code names the crate `ident` as a path root (`ident::…`), a `use ident;` or an
/// `extern crate ident`. `std::time::…` is not a use of `time`.
fn uses_crate(code: &str, ident: &str) -> bool {
    code.match_indices(ident).any(|(i, _)| {
        let before = &code[..i];
        let after = &code[i + ident.len()..];
        let starts = before
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
        starts
            && (after.starts_with("::")
                || (before.ends_with("use ")
                    && (after.starts_with(';') || after.starts_with(" as")))
                || before.ends_with("extern crate "))
    })
}

/// Every dependency of a package is named in its code: normal and build dependencies in
/// `src/` or `build.rs`, dev-dependencies anywhere in the package's targets (including the
/// top-level `tests/` files registered as `[[test]]` paths of the binary crate). A dependency
/// needed for another reason (only for a feature it turns on) carries
/// `tidy: allow(unused-dep)` with the reason.
fn check_dependencies(
    root: &Path,
    manifest_path: &str,
    files: &[String],
    out: &mut Vec<Violation>,
) {
    let Some(dir) = manifest_path.strip_suffix("/Cargo.toml") else {
        return;
    };
    let manifest = fs_err::read_to_string(root.join(manifest_path)).unwrap_or_default();
    let lines: Vec<&str> = manifest.lines().collect();
    // Folders of `[[test]]` paths outside the package, as workspace-relative prefixes.
    let mut extra: Vec<String> = Vec::new();
    for line in &lines {
        let Some(rest) = line.trim().strip_prefix("path = \"") else {
            continue;
        };
        let target = rest.trim_end_matches('"');
        let mut parts: Vec<&str> = dir.split('/').collect();
        for part in target.split('/') {
            match part {
                ".." => {
                    parts.pop();
                }
                "." => {}
                p => parts.push(p),
            }
        }
        parts.pop();
        extra.push(format!("{}/", parts.join("/")));
    }
    // A file's text, followed by the modules it takes in by `#[path = "…"]` (shared fixtures
    // outside the package).
    let with_path_modules = |file: &String| -> String {
        let mut text = fs_err::read_to_string(root.join(file)).unwrap_or_default();
        let parent = root
            .join(file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let modules: Vec<String> = text
            .match_indices("#[path = \"")
            .filter_map(|(i, m)| text[i + m.len()..].split('"').next().map(str::to_owned))
            .collect();
        for module in modules {
            text.push('\n');
            text.push_str(&fs_err::read_to_string(parent.join(module)).unwrap_or_default());
        }
        text
    };
    let read = |prefixes: &[String]| -> String {
        files
            .iter()
            .filter(|f| f.ends_with(".rs") && prefixes.iter().any(|p| f.starts_with(p.as_str())))
            .map(with_path_modules)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let normal_code = read(&[format!("{dir}/src/"), format!("{dir}/build.rs")]);
    let mut everywhere = vec![format!("{dir}/")];
    everywhere.extend(extra.iter().cloned());
    let all_code = read(&everywhere);
    for (line, dev, name) in listed_dependencies(&manifest) {
        if allowed(&lines, line - 1, "unused-dep") {
            continue;
        }
        let ident = LIBRARY_NAMES
            .iter()
            .find(|(package, _)| *package == name)
            .map_or_else(|| name.replace('-', "_"), |(_, lib)| (*lib).to_owned());
        let code = if dev { &all_code } else { &normal_code };
        if !uses_crate(code, &ident) {
            let kind = if dev { "dev-dependency" } else { "dependency" };
            out.push(Violation {
                path: manifest_path.to_owned(),
                line,
                rule: "unused-dep",
                message: format!("{kind} `{name}` is not used by the package's code"),
            });
        }
    }
}

/// Every end-to-end test file in the top-level `tests/` folder is a `[[test]]` of the binary
/// crate; an unregistered one would never run.
fn check_tests_registered(root: &Path, files: &[String], out: &mut Vec<Violation>) {
    let manifest_path = "crates/cabundle/Cargo.toml";
    let manifest = fs_err::read_to_string(root.join(manifest_path)).unwrap_or_default();
    for file in files {
        let Some(name) = file.strip_prefix("tests/") else {
            continue;
        };
        if name.contains('/') || !name.ends_with(".rs") {
            continue;
        }
        let entry = format!("path = \"../../tests/{name}\"");
        if !manifest.contains(&entry) {
            out.push(Violation {
                path: file.clone(),
                line: 1,
                rule: "unregistered-test",
                message: format!("not a `[[test]]` in {manifest_path}"),
            });
        }
    }
}

/// The command a line of a command module imports, if any: `crate::commands::X` or `super::X`
/// where X is one of `commands` (another command's module; `super::*` in a test module is the
/// file's own).
fn command_import<'c>(line: &str, commands: &'c [String]) -> Option<&'c str> {
    let code = line.split("//").next().unwrap_or("");
    ["crate::commands::", "super::"].iter().find_map(|prefix| {
        code.match_indices(prefix).find_map(|(i, m)| {
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                return None;
            }
            let rest = &code[i + m.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            commands.iter().find(|c| **c == name).map(String::as_str)
        })
    })
}

/// What makes `commands/mod.rs` more than the dispatcher, if anything: it declares the
/// modules and has one function, `run`, whose match arms each call a command's `run`.
fn dispatcher_problem(line: &str, modules: &[String]) -> Option<String> {
    let code = line.split("//").next().unwrap_or("").trim();
    if let Some(i) = code.find("fn ")
        && !code[i + 3..].starts_with("run(")
    {
        return Some("a function other than `run`".to_owned());
    }
    for word in ["let ", "if ", "for ", "while ", "loop ", "unsafe "] {
        if code.starts_with(word) || code.contains(&format!(" {word}")) {
            return Some(format!("`{}`: logic outside a command", word.trim()));
        }
    }
    if let Some((_, call)) = code.split_once("=>") {
        let call = call.trim();
        let calls_a_command = modules.iter().any(|m| {
            call.strip_prefix(m.as_str())
                .and_then(|r| r.strip_prefix("::run"))
                .is_some()
        });
        if !calls_a_command {
            return Some(format!("the arm `{code}` does not call a command's `run`"));
        }
    }
    None
}

/// Commands are leaves: no command module imports another's (what two share lives in
/// `crate::shared`), and `commands/mod.rs` only dispatches.
fn check_commands(root: &Path, files: &[String], out: &mut Vec<Violation>) {
    let modules: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(COMMANDS_DIR))
        .filter(|f| !f.contains('/'))
        .filter_map(|f| f.strip_suffix(".rs"))
        .filter(|f| *f != "mod")
        .map(str::to_owned)
        .collect();
    for file in files {
        let Some(name) = file.strip_prefix(COMMANDS_DIR) else {
            continue;
        };
        if name.contains('/') || !name.ends_with(".rs") {
            continue;
        }
        let text = fs_err::read_to_string(root.join(file)).unwrap_or_default();
        let place = Place::new(file);
        let lines: Vec<&str> = text.lines().collect();
        for (number, line, in_test) in rust_lines(&place, &text) {
            let index = number - 1;
            if in_test {
                continue;
            }
            if name == "mod.rs" {
                if let Some(problem) = dispatcher_problem(line, &modules)
                    && !allowed(&lines, index, "dispatcher")
                {
                    out.push(Violation {
                        path: file.clone(),
                        line: number,
                        rule: "dispatcher",
                        message: format!("{problem} in the dispatcher"),
                    });
                }
                continue;
            }
            let own = name.trim_end_matches(".rs");
            if let Some(other) = command_import(line, &modules)
                && other != own
                && !COMMAND_IMPORTS_ALLOWED.contains(&file.as_str())
                && !allowed(&lines, index, "command-import")
            {
                out.push(Violation {
                    path: file.clone(),
                    line: number,
                    rule: "command-import",
                    message: format!("a command imports the `{other}` command's module"),
                });
            }
        }
    }
}

fn hint(rule: &str) -> &'static str {
    match rule {
        "module-doc" => "start the file with `//!` lines saying what the module is for",
        "print" => {
            "return the data or an error and let the binary print it (stdout data, stderr diagnostics)"
        }
        "std-fs" => {
            "use `fs_err::…` so the error names the path, or add `// tidy: allow(std-fs)` with the reason (e.g. the error variant already carries the path)"
        }
        "ignore" => "make the test fast or skip it with a notice when a tool or data is missing",
        "machine-path" => {
            "use a temporary directory (tempfile) or a path relative to CARGO_MANIFEST_DIR"
        }
        "ccadb-data" => {
            "locate the real data with `support::ccadb_data()`; tests may spell a short header literal"
        }
        "pem" => "generate the certificate in the test with cabundle-testkit (rcgen)",
        "size" => "keep large data outside the repository and locate it at test time",
        "crlf" => "use LF line endings, or list the file in CRLF_ALLOWED if it tests CRLF input",
        "whitespace" => "remove the trailing spaces",
        "utf-8" => "source and documentation files are UTF-8",
        "flag-text" => {
            "return typed data (an error variant, a reason) and let the binary word it and add the `hint:` line"
        }
        "message" => {
            "write messages lower-case without a trailing period; put a hint on its own line"
        }
        "lints" => "add `[lints]` with `workspace = true` to the manifest",
        "unused-dep" => {
            "remove the dependency, or add `# tidy: allow(unused-dep)` with the reason above it"
        }
        "command-import" => {
            "move what the commands share into `crate::shared` (a module named for what it does) and import it from there"
        }
        "dispatcher" => {
            "move the logic into a command module (`commands/<name>.rs`) and call its `run` from the match"
        }
        "unregistered-test" => {
            "add a `[[test]]` entry (name and path \"../../tests/<name>.rs\") to the binary crate's manifest"
        }
        _ => "see STYLE.md",
    }
}

#[test]
fn house_rules() {
    let root = workspace();
    let Some(files) = repository_files(&root) else {
        if std::env::var_os("CI").is_some() {
            panic!("git ls-files failed: the tidy rules need a git checkout in CI");
        }
        eprintln!("notice: not a git checkout; skipping the tidy rules");
        return;
    };
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "git ls-files did not list the workspace"
    );

    let mut violations = Vec::new();
    for path in &files {
        let full = root.join(path);
        let place = Place::new(path);
        let size = fs_err::metadata(&full).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_SIZE {
            violations.push(Violation {
                path: path.clone(),
                line: 1,
                rule: "size",
                message: format!("{size} bytes, more than {MAX_FILE_SIZE}"),
            });
            continue;
        }
        let bytes = fs_err::read(&full).expect("read a repository file");
        if bytes.contains(&0) {
            // Binary files: only the size rule applies.
            continue;
        }
        let Ok(text) = String::from_utf8(bytes) else {
            violations.push(Violation {
                path: path.clone(),
                line: 1,
                rule: "utf-8",
                message: "not UTF-8".to_owned(),
            });
            continue;
        };
        check_text(&place, &text, &mut violations);
        if path.ends_with(".rs") {
            check_rust(&root, &place, &text, &mut violations);
        }
        if path.ends_with("/Cargo.toml") && place.package.is_some() {
            check_manifest(path, &text, &mut violations);
            check_dependencies(&root, path, &files, &mut violations);
        }
    }
    check_tests_registered(&root, &files, &mut violations);
    check_commands(&root, &files, &mut violations);

    let mut report = String::new();
    for v in &violations {
        let _ = writeln!(
            report,
            "{}:{}: {} [{}]\n  hint: {}",
            v.path,
            v.line,
            v.message,
            v.rule,
            hint(v.rule)
        );
    }
    assert!(
        violations.is_empty(),
        "{} house rule violation(s):\n{report}",
        violations.len()
    );
}

/// The classifiers above, on small inputs.
#[test]
fn rules_on_small_inputs() {
    fn check(line: &str, expected: bool) {
        assert_eq!(std_fs_io(line), expected, "std_fs_io({line:?})");
    }
    check("let b = std::fs::read(path)?;", true);
    check("use std::fs;", true);
    check("use std::fs::{read, FileType};", true);
    check("let f = std::fs::File::open(p)?;", true);
    check("fn f(file: &std::fs::File) {}", false);
    check("Ok(std::fs::Permissions::from_mode(0o644))", false);
    check("use std::fs::FileType;", false);
    check("// std::fs::read is not used here", false);
    check("let b = fs_err::read(path)?;", false);

    let message = |line: &str| message_problem(line).map(|p| p.rsplit(' ').next().unwrap_or(""));
    assert_eq!(message("    #[error(\"cannot read {path}\")]"), None);
    assert_eq!(message("bail!(\"Cannot read {}\", p)"), Some("letter"));
    assert_eq!(message("bail!(\"cannot read {}.\", p)"), Some("period"));
    assert_eq!(message("#[error(\"TLS with {url} failed\")]"), None);
    assert_eq!(message(".context(\"say \\\"hi.\\\" first\")?;"), None);
    assert_eq!(message("bail!(\"wait...\")"), None);
    assert_eq!(message("println!(\"Done.\")"), None);

    let place = Place::new("crates/cabundle-emit/src/lib.rs");
    assert!(place.is_library() && place.in_src && !place.test_file);
    let place = Place::new("crates/cabundle-testkit/src/pki.rs");
    assert!(!place.is_library() && place.test_file);
    let place = Place::new("crates/cabundle-verify/src/tests.rs");
    assert!(place.test_file);
    let place = Place::new("xtask/src/main.rs");
    assert!(place.in_src && !place.is_library());
    let place = Place::new("tests/help.rs");
    assert!(place.package.is_none() && place.test_file);

    let mut out = Vec::new();
    let source = "//! Doc.\nfn f() { println!(\"x\"); }\n#[cfg(test)]\nmod tests { fn g() { println!(\"y\"); } }\n";
    check_rust(
        &workspace(),
        &Place::new("crates/cabundle-emit/src/lib.rs"),
        source,
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(2, "print")]);

    let mut out = Vec::new();
    let source = "//! Doc.\n#[cfg(test)]\nmod tests;\nfn f() { dbg!(1); }\n";
    check_rust(
        &workspace(),
        &Place::new("crates/cabundle-emit/src/lib.rs"),
        source,
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(4, "print")]);

    let literals = |src: &str| -> Vec<(usize, Option<String>)> {
        string_literals(src)
            .into_iter()
            .map(|(line, l)| (line, flag_in(&l)))
            .collect()
    };
    let flag = |s: &str| Some(s.to_owned());
    assert_eq!(literals("let s = \"use --copy\";"), [(1, flag("--copy"))]);
    assert_eq!(
        literals("/// use `--copy`\n// \"--copy\"\n/* \"--x\" */"),
        []
    );
    assert_eq!(
        literals("let c = '\"'; let d = '\\''; let s = \"--exclude SHA\";"),
        [(1, flag("--exclude"))]
    );
    assert_eq!(
        literals("fn f<'a>(x: &'a str) {}\nlet r = r#\"say \"--raw\" here\"#;"),
        [(2, flag("--raw"))]
    );
    assert_eq!(
        literals("let s = \"multi\\n\\\n   line --add\";\nlet t = \"\\\"--q\";"),
        [(1, flag("--add")), (3, flag("--q"))]
    );
    assert_eq!(
        literals("let s = \"-----BEGIN CERTIFICATE-----\"; let t = \"a--b -- c --1\";"),
        [(1, None), (1, None)]
    );

    let mut out = Vec::new();
    let source = "//! Doc.\n/// Takes `--add`.\nfn f() -> &'static str { \"use --copy\" }\n// tidy: allow(flag-text): a test of the marker\nconst S: &str = \"--x\";\n#[cfg(test)]\nmod tests { const T: &str = \"--y\"; }\n";
    check_rust(
        &workspace(),
        &Place::new("crates/cabundle-emit/src/lib.rs"),
        source,
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(3, "flag-text")]);
    let mut out = Vec::new();
    check_rust(
        &workspace(),
        &Place::new("crates/cabundle/src/commands/build.rs"),
        source,
        &mut out,
    );
    assert!(out.is_empty());

    let mut out = Vec::new();
    check_rust(
        &workspace(),
        &Place::new("xtask/src/x.rs"),
        "\nfn f() {}\n",
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(2, "module-doc")]);

    let mut out = Vec::new();
    let source = "//! Doc.\nfn f() { let _ = std::env::var_os(\"SSL_CERT_DIR\"); }\n#[cfg(test)]\nmod tests { const V: &str = \"SSL_CERT_FILE\"; }\n";
    check_rust(
        &workspace(),
        &Place::new("crates/cabundle/src/commands/x.rs"),
        source,
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(2, "client-variable")]);
    let mut out = Vec::new();
    check_rust(&workspace(), &Place::new(VARIABLES_TABLE), source, &mut out);
    assert!(out.is_empty());

    let mut out = Vec::new();
    let source = "//! Doc.\nfn f(p: P) -> u8 {\n    match p {\n        P::A => 1,\n        _ => 2,\n    }\n}\n";
    check_rust(&workspace(), &Place::new(HINTS), source, &mut out);
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(5, "hints-exhaustive")]);

    let mut out = Vec::new();
    let home = format!("let p = \"/{}/user/x\";\n", "home");
    check_text(
        &Place::new("crates/cabundle-emit/src/lib.rs"),
        &home,
        &mut out,
    );
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(1, "machine-path")]);

    let mut out = Vec::new();
    check_manifest(
        "a/Cargo.toml",
        "[package]\n[lints]\nworkspace = true\n",
        &mut out,
    );
    check_manifest(
        "b/Cargo.toml",
        "[lints]\n[dependencies]\nworkspace = true\n",
        &mut out,
    );
    let found: Vec<&str> = out.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(found, ["b/Cargo.toml"]);

    let mut out = Vec::new();
    let [header, _] = ccadb_headers();
    let text = format!("a \r\n{header},\"x\"\nok\n");
    check_text(&Place::new("docs/x.md"), &text, &mut out);
    let found: Vec<(usize, &str)> = out.iter().map(|v| (v.line, v.rule)).collect();
    assert_eq!(found, [(1, "crlf"), (1, "whitespace"), (2, "ccadb-data")]);
}

/// The command-import and dispatcher rules, on small inputs.
#[test]
fn command_rules_on_small_inputs() {
    let commands: Vec<String> = ["verify", "probe", "rehash"].map(str::to_owned).to_vec();
    for (line, expected) in [
        (
            "use crate::commands::verify::{load_store, print_report};",
            Some("verify"),
        ),
        (
            "let s = crate::commands::probe::split_target(t)?;",
            Some("probe"),
        ),
        ("use super::rehash::Mode;", Some("rehash")),
        ("use crate::shared::store::load_store;", None),
        ("use super::*;", None),
        ("use crate::cli::verify::VerifyArgs;", None),
        ("// crate::commands::verify is gone", None),
        ("use crate::commands::verifying::X;", None),
        ("use my_super::verify;", None),
    ] {
        assert_eq!(command_import(line, &commands), expected, "{line}");
    }
    for (line, expected) in [
        (
            "pub fn run(command: Command, out: &Output) -> anyhow::Result<ExitStatus> {",
            None,
        ),
        (
            "        Command::Verify(args) => verify::run(args, out),",
            None,
        ),
        (
            "        Command::Man { dir } => rehash::run_man(&dir, out),",
            None,
        ),
        (
            "        Command::Build(args) => probe::run(*args, out).map(ExitStatus::from_code),",
            None,
        ),
        ("fn helper() {}", Some("function")),
        ("        let mut cmd = Cli::command();", Some("logic")),
        ("        Command::Completions { shell } => {", Some("arm")),
        (
            "        Command::X(args) => Ok(ExitStatus::Ok),",
            Some("arm"),
        ),
    ] {
        let got = dispatcher_problem(line, &commands);
        match expected {
            None => assert_eq!(got, None, "{line}"),
            Some(word) => assert!(
                got.as_deref().is_some_and(|p| p.contains(word)),
                "{line}: {got:?}"
            ),
        }
    }
}

/// Dependency listing and use detection, on small inputs.
#[test]
fn dependencies_on_small_inputs() {
    let manifest = "[package]\nname = \"x\"\n\n[dependencies]\nhex.workspace = true\nmd-5 = \"0.10\"\n\n[dev-dependencies]\nrcgen.workspace = true\n\n[lints]\nworkspace = true\n";
    let listed = listed_dependencies(manifest);
    let listed: Vec<(usize, bool, &str)> = listed
        .iter()
        .map(|(l, d, n)| (*l, *d, n.as_str()))
        .collect();
    assert_eq!(
        listed,
        [(5, false, "hex"), (6, false, "md-5"), (9, true, "rcgen")]
    );
    for (code, ident, expected) in [
        ("let h = hex::encode(b);", "hex", true),
        ("use time;", "time", true),
        ("use serde::Serialize;", "serde", true),
        ("let d = std::time::Duration::ZERO;", "time", false),
        ("// the time is now", "time", false),
        ("let x = my_hex::encode(b);", "hex", false),
        ("#[tokio::main]", "tokio", true),
        ("extern crate md5;", "md5", true),
    ] {
        assert_eq!(
            uses_crate(code, ident),
            expected,
            "uses_crate({code:?}, {ident:?})"
        );
    }
}

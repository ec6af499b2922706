//! Output flags become output requests, checked once before anything is read or written:
//! `-` is standard output (files only, one output at a time, not beside `--explain`), no two
//! outputs share a path, no output lands on an input or inside an output directory. `build`
//! and `recipe` both plan their outputs here, and write them through `cabundle-build`.

use anyhow::bail;
use cabundle_build::{Destination, OutputKind, OutputRequest};
use std::path::{Component, Path, PathBuf};

/// The flag that asks for an output of this kind.
pub(crate) fn flag(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Pem => "--pem",
        OutputKind::Capath => "--capath",
        OutputKind::DerDir => "--der-dir",
        OutputKind::JavaTruststore => "--java-truststore",
        OutputKind::OpensslTrusted => "--openssl-trusted",
        OutputKind::TrustManagerPackage => "--trust-manager-package",
        OutputKind::ClusterTrustBundle => "--cluster-trust-bundle",
        OutputKind::P11Kit => "--p11-kit",
        OutputKind::IntermediatesPem => "--intermediates-pem",
        OutputKind::FullPem => "--full-pem",
        OutputKind::Manifest => "--manifest",
    }
}

/// The requests of the output flags given, in [`OutputKind::ALL`]'s order.
pub(crate) fn requests(flags: &[(OutputKind, Option<&PathBuf>)]) -> Vec<OutputRequest> {
    let mut requests: Vec<OutputRequest> = flags
        .iter()
        .filter_map(|(kind, path)| {
            let path = (*path)?;
            let to = if crate::shared::files::is_stdio(path) {
                Destination::Stdout
            } else {
                Destination::Path(path.clone())
            };
            Some(OutputRequest { kind: *kind, to })
        })
        .collect();
    requests.sort_by_key(|r| OutputKind::ALL.iter().position(|k| *k == r.kind));
    requests
}

/// An input of the command, named for messages: the flag and the path as given.
pub(crate) struct NamedInput<'a> {
    /// The flag, such as `--report`.
    pub(crate) flag: &'static str,
    /// The path as given.
    pub(crate) path: &'a Path,
}

/// Checks the requests against each other, `--explain` and the inputs: see the module
/// documentation. `extra` are outputs written besides the requests (a release's files under
/// `--out`), each with whether it is a directory.
pub(crate) fn check(
    requests: &[OutputRequest],
    explain: bool,
    inputs: &[NamedInput<'_>],
    extra: &[(NamedInput<'_>, bool)],
) -> anyhow::Result<()> {
    let stdin_inputs: Vec<&NamedInput<'_>> = inputs
        .iter()
        .filter(|i| crate::shared::files::is_stdio(i.path))
        .collect();
    if let [first, second, ..] = stdin_inputs.as_slice() {
        bail!(
            "{} - and {} - both read standard input, which can be read only once",
            first.flag,
            second.flag
        );
    }
    let mut on_stdout: Vec<&str> = Vec::new();
    for request in requests {
        if request.to == Destination::Stdout {
            if request.kind.is_dir() {
                bail!(
                    "{} - is not possible: the {} is a directory, and standard output takes one file\nhint: give {} a directory name",
                    flag(request.kind),
                    request.kind.noun(),
                    flag(request.kind)
                );
            }
            on_stdout.push(flag(request.kind));
        }
    }
    if explain {
        on_stdout.push("--explain");
    }
    if on_stdout.len() > 1 {
        bail!(
            "{} all write to standard output: only one of them can\nhint: give the others a file name",
            list(&on_stdout)
        );
    }

    // Paths are compared resolved (links followed, `..` and `.` gone), so two spellings of
    // one file count as one.
    let outputs: Vec<(&'static str, &Path, bool, PathBuf)> = requests
        .iter()
        .filter_map(|r| match &r.to {
            Destination::Path(path) => Some((flag(r.kind), path.as_path(), r.kind.is_dir())),
            Destination::Stdout => None,
        })
        .chain(extra.iter().map(|(d, is_dir)| (d.flag, d.path, *is_dir)))
        .map(|(flag, path, is_dir)| (flag, path, is_dir, resolve(path)))
        .collect();
    for (i, (flag_a, path_a, _, resolved_a)) in outputs.iter().enumerate() {
        for (flag_b, path_b, b_is_dir, resolved_b) in &outputs[..i] {
            if resolved_a == resolved_b {
                bail!(
                    "{flag_b} {} and {flag_a} {} name the same path: each output needs its own",
                    path_b.display(),
                    path_a.display()
                );
            }
            if *b_is_dir && resolved_a.starts_with(resolved_b) {
                bail!(
                    "{flag_a} {} is inside the {flag_b} directory {}, which is replaced whole\nhint: write it elsewhere",
                    path_a.display(),
                    path_b.display()
                );
            }
        }
        for (flag_b, path_b, b_is_dir, resolved_b) in &outputs[i + 1..] {
            if *b_is_dir && resolved_a.starts_with(resolved_b) && resolved_a != resolved_b {
                bail!(
                    "{flag_a} {} is inside the {flag_b} directory {}, which is replaced whole\nhint: write it elsewhere",
                    path_a.display(),
                    path_b.display()
                );
            }
        }
        for input in inputs
            .iter()
            .filter(|i| !crate::shared::files::is_stdio(i.path))
        {
            let resolved_input = resolve(input.path);
            if resolved_input == *resolved_a || resolved_input.starts_with(resolved_a) {
                bail!(
                    "refusing to write {flag_a} {}: it would replace the input {} {}",
                    path_a.display(),
                    input.flag,
                    input.path.display()
                );
            }
        }
    }
    Ok(())
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `path` made absolute with links followed, as far as it exists; the rest appended with `.`
/// and `..` applied by name.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_owned(), |cwd| cwd.join(path))
    };
    // The longest existing ancestor, canonicalised, then the missing components.
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component<'_>> = Vec::new();
    loop {
        if let Ok(canonical) = fs_err::canonicalize(existing) {
            let mut out = canonical;
            for component in rest.iter().rev() {
                match component {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        let (Some(parent), Some(last)) = (existing.parent(), existing.components().next_back())
        else {
            return absolute;
        };
        rest.push(last);
        existing = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: OutputKind, path: &str) -> OutputRequest {
        OutputRequest {
            kind,
            to: if path == "-" {
                Destination::Stdout
            } else {
                Destination::Path(PathBuf::from(path))
            },
        }
    }

    #[test]
    fn plans_are_checked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let at = |name: &str| dir.path().join(name).display().to_string();
        fs_err::write(at("r.csv"), b"x").unwrap_or_else(|e| panic!("{e}"));
        fs_err::create_dir(at("sub")).unwrap_or_else(|e| panic!("{e}"));
        let report = PathBuf::from(at("r.csv"));
        let stdin = PathBuf::from("-");
        let check_case = |outputs: &[(OutputKind, String)], explain: bool, want: Option<&str>| {
            let requests: Vec<OutputRequest> =
                outputs.iter().map(|(k, p)| request(*k, p)).collect();
            let inputs = [
                NamedInput {
                    flag: "--report",
                    path: &report,
                },
                NamedInput {
                    flag: "--add",
                    path: &stdin,
                },
            ];
            let got = check(&requests, explain, &inputs, &[])
                .err()
                .map(|e| e.to_string());
            match (got, want) {
                (None, None) => {}
                (Some(got), Some(want)) => assert!(got.contains(want), "{outputs:?}: {got}"),
                (got, want) => panic!("{outputs:?}: got {got:?}, want {want:?}"),
            }
        };
        use OutputKind::*;
        check_case(&[(Pem, at("a.pem")), (Capath, at("crts"))], false, None);
        check_case(&[(Pem, "-".into())], false, None);
        check_case(&[(Pem, "-".into())], true, Some("--pem and --explain"));
        check_case(
            &[(Pem, "-".into()), (Manifest, "-".into())],
            false,
            Some("--pem and --manifest all write"),
        );
        check_case(&[(Capath, "-".into())], false, Some("is a directory"));
        check_case(&[(P11Kit, "-".into())], false, Some("is a directory"));
        check_case(&[(ClusterTrustBundle, "-".into())], false, None);
        check_case(
            &[(Pem, at("d/a.pem")), (P11Kit, at("d"))],
            false,
            Some("inside the --p11-kit directory"),
        );
        check_case(
            &[(Capath, at("x")), (DerDir, at("x"))],
            false,
            Some("name the same path"),
        );
        check_case(
            &[(Pem, at("a")), (Manifest, at("sub/../a"))],
            false,
            Some("name the same path"),
        );
        check_case(&[(Pem, at("r.csv"))], false, Some("the input --report"));
        check_case(
            &[(Pem, at("sub/../r.csv"))],
            false,
            Some("the input --report"),
        );
        check_case(
            &[(Capath, at("d")), (Pem, at("d/a.pem"))],
            false,
            Some("inside the --capath directory"),
        );
        check_case(
            &[(Pem, at("d/a.pem")), (DerDir, at("d"))],
            false,
            Some("inside the --der-dir directory"),
        );
    }

    #[test]
    fn standard_input_is_read_once() {
        let dash = PathBuf::from("-");
        let inputs = [
            NamedInput {
                flag: "--report",
                path: &dash,
            },
            NamedInput {
                flag: "--intermediates-report",
                path: &dash,
            },
        ];
        let err = check(&[], false, &inputs, &[]).err().map(|e| e.to_string());
        assert!(
            err.is_some_and(|e| e.contains("--report - and --intermediates-report -")),
            "two inputs on standard input are refused"
        );
    }

    #[test]
    fn lists() {
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a and b");
        assert_eq!(list(&["a", "b", "c"]), "a, b and c");
    }
}

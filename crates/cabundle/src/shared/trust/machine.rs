//! What this machine has that can trust a root: the distribution's store, the user's NSS
//! databases, the JDKs' keystores, the shells and their startup files, the tools whose
//! configuration names a bundle. Read-only: finding them changes nothing.

use super::run::{QUESTION, Ran, run_within};
use cabundle_clients::Environment;
use cabundle_clients::shell::Shell;
use cabundle_trust::journal::Tool;
use cabundle_trust::layout::{self, SystemLayout};
use std::path::{Path, PathBuf};

/// A shell's startup file and how cabundle changes it.
#[derive(Clone, Debug)]
pub(crate) struct ShellFile {
    /// The shell whose syntax the statements use.
    pub shell: Shell,
    /// The file.
    pub path: PathBuf,
    /// A file of cabundle's own (fish's `conf.d`), not a block in someone else's.
    pub own: bool,
}

/// What the machine has.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    /// Running as root (the system store and the system's keystores are writable).
    pub is_root: bool,
    /// The user's home.
    pub home: PathBuf,
    /// The user's configuration directory (`XDG_CONFIG_HOME`, else `~/.config`).
    pub config_home: PathBuf,
    /// The distribution's trust store, when recognised.
    pub layout: Option<SystemLayout>,
    /// The user's NSS databases (directories holding `cert9.db`).
    pub nss: Vec<PathBuf>,
    /// Whether `certutil` (NSS's tool) runs.
    pub certutil: bool,
    /// The JDKs' `cacerts` keystores, each once (links resolved).
    pub keystores: Vec<PathBuf>,
    /// Whether `keytool` runs.
    pub keytool: bool,
    /// The startup files of the shells present.
    pub shell_files: Vec<ShellFile>,
    /// The tools present whose configuration can name a bundle.
    pub tools: Vec<Tool>,
    /// Node.js's version, when it runs.
    pub node: Option<(u32, u32)>,
    /// Where the user's journal and backups live.
    pub user_state: PathBuf,
    /// Where the system's journal and backups live.
    pub system_state: PathBuf,
    /// The bundle cabundle keeps when the system store is not changed.
    pub kept_bundle: PathBuf,
}

/// Where the system journal lives.
const SYSTEM_STATE: &str = "/var/lib/cabundle";

impl Machine {
    /// Looks at the machine, in `env`.
    pub(crate) fn discover(env: &Environment) -> anyhow::Result<Machine> {
        let Some(home) = env.get("HOME").map(PathBuf::from) else {
            anyhow::bail!("HOME is not set: cannot tell where the user's stores are");
        };
        let xdg = |var: &str, default: &str| {
            env.get(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
        };
        let config = xdg("XDG_CONFIG_HOME", ".config");
        let state = xdg("XDG_STATE_HOME", ".local/state");
        let data = xdg("XDG_DATA_HOME", ".local/share");
        let layout = layout::detect(Path::new("/"), |p| p.exists());
        let on_path = |program: &str| find_on_path(env, program);
        let mut shell_files = Vec::new();
        shell_files.push(ShellFile {
            shell: Shell::Bash,
            path: home.join(".bashrc"),
            own: false,
        });
        shell_files.push(ShellFile {
            shell: Shell::Bash,
            path: bash_login_file(&home),
            own: false,
        });
        if on_path("zsh").is_some() || home.join(".zshrc").exists() {
            let zdot = env
                .get("ZDOTDIR")
                .map(PathBuf::from)
                .unwrap_or(home.clone());
            shell_files.push(ShellFile {
                shell: Shell::Zsh,
                path: zdot.join(".zshenv"),
                own: false,
            });
        }
        if on_path("fish").is_some() {
            shell_files.push(ShellFile {
                shell: Shell::Fish,
                path: config.join("fish/conf.d/cabundle.fish"),
                own: true,
            });
        }
        // The slow questions (Python starting pip, Node) at once.
        let (has_pip, node, is_root) = std::thread::scope(|s| {
            let pip = s.spawn(python_has_pip);
            let node = s.spawn(node_version);
            let root = is_root();
            (
                pip.join().unwrap_or(false),
                node.join().unwrap_or(None),
                root,
            )
        });
        let mut tools = Vec::new();
        if has_pip {
            tools.push(Tool::Pip);
        }
        for (tool, program) in [
            (Tool::Npm, "npm"),
            (Tool::Git, "git"),
            (Tool::Conda, "conda"),
        ] {
            if on_path(program).is_some() {
                tools.push(tool);
            }
        }
        Ok(Machine {
            is_root,
            nss: nss_databases(&home),
            certutil: on_path("certutil").is_some(),
            keystores: java_keystores(env),
            keytool: on_path("keytool").is_some(),
            shell_files,
            tools,
            node,
            user_state: state.join("cabundle"),
            system_state: PathBuf::from(SYSTEM_STATE),
            kept_bundle: data.join("cabundle/ca-bundle.pem"),
            layout,
            config_home: config,
            home,
        })
    }
}

/// The file a bash login shell reads: the first of `~/.bash_profile`, `~/.bash_login` and
/// `~/.profile` that exists, else `~/.profile` (which `sh` reads too).
fn bash_login_file(home: &Path) -> PathBuf {
    [".bash_profile", ".bash_login", ".profile"]
        .iter()
        .map(|f| home.join(f))
        .find(|p| p.exists())
        .unwrap_or_else(|| home.join(".profile"))
}

/// The user's NSS databases: `~/.pki/nssdb` (Chromium and most NSS programs), Firefox's
/// profiles, and their snap and flatpak homes; each a directory holding `cert9.db`.
pub(crate) fn nss_databases(home: &Path) -> Vec<PathBuf> {
    let mut candidates = vec![
        home.join(".pki/nssdb"),
        home.join("snap/chromium/current/.pki/nssdb"),
    ];
    for profiles in [
        home.join(".mozilla/firefox"),
        home.join("snap/firefox/common/.mozilla/firefox"),
        home.join(".var/app/org.mozilla.firefox/.mozilla/firefox"),
    ] {
        candidates.extend(subdirs(&profiles));
    }
    for app in subdirs(&home.join(".var/app")) {
        candidates.push(app.join(".pki/nssdb"));
    }
    let mut found: Vec<PathBuf> = candidates
        .into_iter()
        .filter(|d| d.join("cert9.db").is_file())
        .collect();
    found.dedup();
    found
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match fs_err::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// Every JDK's `cacerts` (under the usual JVM directory, `JAVA_HOME`, and the `java` on the
/// path), links resolved, each once.
fn java_keystores(env: &Environment) -> Vec<PathBuf> {
    let mut homes: Vec<PathBuf> = subdirs(Path::new("/usr/lib/jvm"));
    if let Some(java_home) = env.get("JAVA_HOME") {
        homes.push(PathBuf::from(java_home));
    }
    if let Some(java) = find_on_path(env, "java")
        && let Ok(real) = fs_err::canonicalize(&java)
        && let Some(home) = real.parent().and_then(Path::parent)
    {
        homes.push(home.to_owned());
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for home in homes {
        for rel in ["lib/security/cacerts", "jre/lib/security/cacerts"] {
            if let Ok(real) = fs_err::canonicalize(home.join(rel))
                && real.is_file()
                && !out.contains(&real)
            {
                out.push(real);
            }
        }
    }
    out
}

/// The program's path, when it is on `PATH`.
pub(crate) fn find_on_path(env: &Environment, program: &str) -> Option<PathBuf> {
    let path = env.get("PATH")?;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    matches!(run_within("id", &["-u"], &[], QUESTION), Ran::Exited { code: 0, stdout, .. } if stdout.trim() == "0")
}

/// Whether `python3 -m pip` runs.
fn python_has_pip() -> bool {
    matches!(
        run_within("python3", &["-m", "pip", "--version"], &[], QUESTION),
        Ran::Exited { code: 0, .. }
    )
}

/// Node.js's major and minor version.
fn node_version() -> Option<(u32, u32)> {
    let Ran::Exited {
        code: 0, stdout, ..
    } = run_within("node", &["--version"], &[], QUESTION)
    else {
        return None;
    };
    let text = stdout.trim().trim_start_matches('v');
    let mut parts = text.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

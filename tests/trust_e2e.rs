//! `cabundle trust` end to end (issue 17): a private root made trusted by every client of the
//! machine, then untrusted again with every file as it was.
//!
//! A loopback HTTPS server (Python's `http.server` behind `ssl`) sends a leaf for `127.0.0.1`
//! and `localhost` and its intermediate, under a private root made with rcgen. It serves a
//! page, a PEP 503 index with one wheel and a git repository for the dumb HTTP protocol. Each
//! client runs in a new login shell (`bash -l`) with the test's `HOME`, so it sees what the
//! startup files export: `openssl s_client` with the default store, curl, Python `urllib`
//! and `requests`, `pip download`, Node, `git ls-remote`, a Java `javax.net.ssl` client on the
//! JDK's default `cacerts`, and headless Chromium reading `~/.pki/nssdb`. Before install each
//! one must fail *to verify* (its own words for an unknown issuer, not any failure); after
//! install each one must verify and fetch.
//!
//! The system store is the machine's, so the test runs as root in a private mount namespace:
//! the test re-runs itself under `unshare --mount`, and inside, copy-on-write overlays on a
//! tmpfs cover `/etc` (the system bundle and its links, `/etc/ca-certificates.conf`, Java's
//! `cacerts`), `/var/lib` (dpkg's trigger state, which the Java hook of
//! `update-ca-certificates` changes, and cabundle's system journal), `/usr/local` (the
//! anchors directory), `/usr/lib/jvm` and the real home. Nothing reaches the disk; without
//! root or `unshare` the test says so and returns (it fails in CI).
//!
//! "As before" is a [`State`]: the SHA-256 of the system bundle, of `/etc/ca-certificates.conf`
//! and of every shell startup, pip, npm and git configuration file (absent is a state too),
//! the links of `/etc/ssl/certs` and the files of the anchors directory, the certificates of
//! every JDK `cacerts` (a set of fingerprints: Debian's hook rewrites the keystore and its
//! bytes change) and the list of the NSS database.
//!
//! The first test: before install every client refuses; `install --dry-run` changes nothing;
//! `install --yes` makes every client verify; a second install says there is nothing to do
//! and changes nothing; `list` names the root; `uninstall --yes` makes every client refuse
//! again, every file as before; then, for a home as empty as a new account's, `install
//! --from-host` against the server and `uninstall` do the same. The second: install and
//! uninstall killed (SIGKILL) after fixed delays, with the user's stores and in three rounds
//! with every store, then a whole install converges to what an install leaves and an uninstall
//! to what was there before. Others: a refused --from-host and a user without root, doctor --fix, the Arch
//! layout through p11-kit, changes made since install, and the Java store alone.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod support;

use cabundle_testkit::pki_files::{ca, leaf};
use sha2::Digest as _;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set (to the scratch folder) when the test runs inside its private mount namespace.
const NAMESPACE: &str = "CABUNDLE_TRUST_NAMESPACE";

/// What the page says; a client verified when it printed it.
const MARKER: &str = "cabundle trust test page";

/// The private root's common name.
const ROOT_CN: &str = "Trust Test Root";

/// The folders overlaid in the namespace, each where it exists.
const OVERLAID: &[&str] = &["/etc", "/var/lib", "/usr/local", "/usr/lib/jvm"];

/// The bundle Debian's `update-ca-certificates` writes.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Where it links each certificate, by name and by subject hash.
const SYSTEM_CERTS: &str = "/etc/ssl/certs";
/// The local anchors it reads, where install writes the root.
const SYSTEM_ANCHORS: &str = "/usr/local/share/ca-certificates";
/// Which of the distribution's certificates it takes.
const SYSTEM_CONF: &str = "/etc/ca-certificates.conf";

/// The user files install may write or edit, relative to `HOME`; a folder stands for the
/// files under it.
const HOME_FILES: &[&str] = &[
    ".bashrc",
    ".profile",
    ".bash_profile",
    ".bash_login",
    ".zshenv",
    ".zshrc",
    ".config/fish",
    ".config/pip/pip.conf",
    ".pip/pip.conf",
    ".npmrc",
    ".gitconfig",
    ".config/git/config",
    ".condarc",
];

/// The HTTPS server: a folder served over TLS on a free loopback port, whose number it prints
/// first. `http.server` ignores query strings, as the dumb git protocol needs.
const SERVE: &str = r#"
import functools, http.server, ssl, sys
root, chain, key = sys.argv[1:4]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(chain, key)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// A wheel of an empty package `demo` 0.1, written at the path given.
const WHEEL: &str = r#"
import base64, hashlib, sys, zipfile
files = {
    "demo/__init__.py": b"",
    "demo-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 0.1\n",
    "demo-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: cabundle-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
record = "".join(f"{name},{digest(data)},{len(data)}\n" for name, data in files.items())
files["demo-0.1.dist-info/RECORD"] = (record + "demo-0.1.dist-info/RECORD,,\n").encode()
with zipfile.ZipFile(sys.argv[1], "w") as wheel:
    for name, data in files.items():
        wheel.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
"#;

/// A bare repository (`$1`) with one commit on `main`, ready for the dumb HTTP protocol;
/// `$2` is a scratch work tree.
const GIT_REPOSITORY: &str = r#"
set -eu
git init -q --bare "$1"
git -c init.defaultBranch=main init -q "$2"
echo demo > "$2/README"
git -C "$2" add README
git -C "$2" -c user.name=test -c user.email=test@example.invalid commit -q -m demo
git -C "$2" push -q "$1" HEAD:refs/heads/main
git -C "$1" symbolic-ref HEAD refs/heads/main
git -C "$1" update-server-info
rm -rf "$2"
"#;

/// Fetches a URL with the JDK's default trust store and prints the body.
const JAVA_CLIENT: &str = r#"import java.io.InputStream;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;

public class Client {
    public static void main(String[] args) throws Exception {
        HttpsURLConnection connection = (HttpsURLConnection) URI.create(args[0]).toURL().openConnection();
        connection.setConnectTimeout(10000);
        connection.setReadTimeout(10000);
        try (InputStream in = connection.getInputStream()) {
            System.out.write(in.readAllBytes());
            System.out.flush();
        }
    }
}
"#;

/// Node fetches the URL after the script and prints the body.
const NODE_GET: &str = "require('https').get(process.argv[1], (r) => { r.pipe(process.stdout); r.on('end', () => process.exit(0)); }).on('error', (e) => { console.error(e.message); process.exit(1); });";

/// A client: the shell lines that tell whether it is installed, the shell lines that run it
/// (with `URL`, `PORT`, `SCRATCH`, `NODE_GET` and `JAVA_CLIENT` in the environment), what it
/// prints when it verified and fetched, and what it says when it refuses the server's
/// certificate for an unknown issuer.
struct Client {
    name: &'static str,
    installed: &'static str,
    script: &'static str,
    verified: &'static str,
    refused: &'static [&'static str],
}

const CLIENTS: &[Client] = &[
    Client {
        name: "openssl s_client",
        installed: "command -v openssl",
        script: r#"openssl s_client -connect "127.0.0.1:$PORT" -verify_ip 127.0.0.1 -verify_return_error -brief </dev/null"#,
        verified: "Verification: OK",
        refused: &[
            "unable to get local issuer certificate",
            "self-signed certificate in certificate chain",
        ],
    },
    Client {
        name: "curl",
        installed: "command -v curl",
        script: r#"curl -sS --max-time 20 "$URL/""#,
        verified: MARKER,
        refused: &["SSL certificate problem"],
    },
    Client {
        name: "python urllib",
        installed: "command -v python3",
        script: r#"python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())' "$URL/""#,
        verified: MARKER,
        refused: &["CERTIFICATE_VERIFY_FAILED"],
    },
    Client {
        name: "python requests",
        installed: r#"python3 -c 'import requests'"#,
        script: r#"python3 -c 'import sys, requests; print(requests.get(sys.argv[1], timeout=20).text)' "$URL/""#,
        verified: MARKER,
        refused: &["CERTIFICATE_VERIFY_FAILED"],
    },
    Client {
        name: "pip download",
        installed: "python3 -m pip --version",
        script: r#"d=$(mktemp -d -p "$SCRATCH")
python3 -m pip download --no-deps --no-cache-dir --disable-pip-version-check --retries 0 --timeout 20 --index-url "$URL/simple/" -d "$d" demo && ls "$d""#,
        verified: "demo-0.1-py3-none-any.whl",
        refused: &["CERTIFICATE_VERIFY_FAILED"],
    },
    Client {
        name: "node",
        installed: "command -v node",
        script: r#"node -e "$NODE_GET" "$URL/""#,
        verified: MARKER,
        refused: &[
            "unable to get local issuer certificate",
            "self-signed certificate in certificate chain",
        ],
    },
    Client {
        name: "git ls-remote",
        installed: "command -v git",
        script: r#"git ls-remote "$URL/repo.git""#,
        verified: "refs/heads/main",
        refused: &[
            "server certificate verification failed",
            "SSL certificate problem",
        ],
    },
    Client {
        name: "java",
        installed: "command -v java",
        script: r#"java "$JAVA_CLIENT" "$URL/""#,
        verified: MARKER,
        refused: &["PKIX path building failed"],
    },
    Client {
        name: "chromium",
        installed: "command -v chromium || command -v chromium-browser",
        script: r#""$(command -v chromium || command -v chromium-browser)" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$(mktemp -d -p "$SCRATCH")" --dump-dom "$URL/""#,
        verified: MARKER,
        refused: &["ERR_CERT_AUTHORITY_INVALID"],
    },
];

/// What a client did with the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// It verified the chain and fetched what it asked for.
    Verified,
    /// It refused the chain for an unknown issuer.
    Refused,
    /// Anything else: another error, a timeout, a missing tool.
    Other,
}

/// Runs `cmd` in a process group of its own for at most `limit`; the whole group is killed
/// when time is up. Returns the exit status (`None` when killed) and stdout + stderr.
fn run_group(cmd: &mut Command, limit: Duration) -> (Option<bool>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let readers = [
        std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default()),
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default()),
    ];
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            // What it left running would hold the pipes open.
            kill_group(&mut child);
            break Some(status.success());
        }
        if Instant::now() >= deadline {
            kill_group(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = readers.map(|r| r.join().unwrap()).concat();
    (status, text)
}

/// Kills the process group `child` leads (the program and whatever it started), then reaps
/// the program.
fn kill_group(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}

/// Runs a command that must succeed; returns what it printed.
fn must(cmd: &mut Command) -> String {
    let (ok, text) = run_group(cmd, Duration::from_secs(120));
    assert_eq!(ok, Some(true), "{cmd:?}:\n{text}");
    text
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Outside the namespace: runs the test `name` again in a private mount namespace, checks
/// that it passed, and returns `None`. Inside: lays the overlays and returns the scratch
/// folder (a tmpfs).
fn isolated(name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(NAMESPACE) {
        let dir = PathBuf::from(dir);
        isolate(&dir);
        return Some(dir);
    }
    // Not root: through sudo where it asks no password (as on hosted CI runners).
    let sudo = !is_root();
    if sudo
        && !Command::new("sudo")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|s| s.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "the trust test needs root (or sudo without a password) in CI"
        );
        eprintln!("notice: not root and no sudo without a password; skipping the trust test");
        return None;
    }
    // Debian's layout and tools; `have` fails in CI where one is missing.
    if !["unshare", "update-ca-certificates", "certutil"]
        .iter()
        .all(|tool| support::have(tool))
    {
        return None;
    }
    let scratch = tempfile::tempdir().unwrap();
    let mut cmd = if sudo {
        let mut c = Command::new("sudo");
        c.args(["-n", "--preserve-env=PATH,CI,CARGO_BIN_EXE_cabundle"]);
        c.arg(format!("{NAMESPACE}={}", scratch.path().display()));
        c.arg(format!("TMPDIR={}", scratch.path().join("tmp").display()));
        c.arg("unshare");
        c
    } else {
        Command::new("unshare")
    };
    let out = cmd
        .args(["--mount", "--propagation", "private"])
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture"])
        .env(NAMESPACE, scratch.path())
        // Inside, a tool killed midway leaves its temporary files on the tmpfs.
        .env("TMPDIR", scratch.path().join("tmp"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = support::output_text(&out);
    println!("{text}");
    assert!(
        out.status.success() && text.contains("test result: ok. 1 passed"),
        "{name} in its namespace failed"
    );
    None
}

/// Inside the namespace: a tmpfs on the scratch folder, then an overlay on each of
/// [`OVERLAID`] with its upper layer on that tmpfs.
fn isolate(scratch: &Path) {
    // `unshare` runs the test in place of itself: its parent is the test outside.
    let namespace = |pid: String| std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap();
    assert_ne!(
        namespace("self".to_owned()),
        namespace(std::os::unix::process::parent_id().to_string()),
        "refusing to change the system outside a private mount namespace"
    );
    must(
        Command::new("mount")
            .args(["-t", "tmpfs", "cabundle-test"])
            .arg(scratch),
    );
    // The real home too, in case a store is found through the password database rather
    // than `HOME`: the clients would fail the test, and the home would be untouched.
    let own_home = std::env::var_os("HOME").map(PathBuf::from);
    let own_home = own_home
        .as_deref()
        .filter(|h| h.is_absolute() && h.is_dir() && !scratch.starts_with(h))
        .and_then(Path::to_str);
    for dir in OVERLAID.iter().copied().chain(own_home) {
        if !Path::new(dir).is_dir() {
            continue;
        }
        let layer = scratch.join("overlay").join(dir.trim_start_matches('/'));
        let (upper, work) = (layer.join("upper"), layer.join("work"));
        std::fs::create_dir_all(&upper).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let options = format!(
            "lowerdir={dir},upperdir={},workdir={}",
            upper.display(),
            work.display()
        );
        must(Command::new("mount").args(["-t", "overlay", "overlay", "-o", &options, dir]));
    }
    std::fs::create_dir_all(scratch.join("tmp")).unwrap();
    // A machine-wide pip configuration (some images point pip at the system bundle) would
    // make pip's verdict the system store's; a fresh Debian has none.
    let _ = std::fs::remove_file("/etc/pip.conf");
    // "As before" is compared with the store as its own tool leaves it: a machine whose links
    // were laid by hand would otherwise change on the first run of the tool, whoever runs it.
    must(Command::new("update-ca-certificates").arg("--fresh"));
}

/// The private PKI, the served site and the server, in the scratch folder, and the clients
/// that are installed.
struct World {
    scratch: PathBuf,
    root: PathBuf,
    server: Option<Https>,
    clients: Vec<&'static Client>,
}

impl World {
    /// Makes the PKI, and the site and its server when `serve`.
    fn new(scratch: &Path, serve: bool) -> World {
        let pki = scratch.join("pki");
        std::fs::create_dir_all(&pki).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let day = time::Duration::days(1);
        let root = ca(ROOT_CN, None, now - day, now + 3650 * day);
        let int = ca(
            "Trust Test Intermediate",
            Some(&root),
            now - day,
            now + 3650 * day,
        );
        // Under 398 days, as browsers require of a leaf.
        let (cert, key) = leaf(
            "localhost",
            &["127.0.0.1", "localhost"],
            &int,
            now - day,
            now + 90 * day,
            None,
        );
        std::fs::write(pki.join("root.pem"), &root.pem).unwrap();
        // The whole chain, root included, as TLS-inspecting proxies commonly send it (and as
        // --from-host needs: the root is taken from what the server sends).
        std::fs::write(
            pki.join("chain.pem"),
            format!("{cert}{}{}", int.pem, root.pem),
        )
        .unwrap();
        std::fs::write(pki.join("leaf.key"), key).unwrap();
        std::fs::write(scratch.join("Client.java"), JAVA_CLIENT).unwrap();
        let server = serve.then(|| {
            let site = scratch.join("site");
            make_site(&site, &scratch.join("work"));
            Https::start(&site, &pki.join("chain.pem"), &pki.join("leaf.key"))
        });
        World {
            scratch: scratch.to_owned(),
            root: pki.join("root.pem"),
            server,
            clients: CLIENTS.iter().filter(|c| installed(c)).collect(),
        }
    }

    /// A new `HOME` named `name`: a copy of `/etc/skel` (as a new account gets) or empty, with
    /// an NSS database as a browser leaves it (Chromium reads one where it exists, and does
    /// not make one when run headless).
    fn home(&self, name: &str, skeleton: bool) -> PathBuf {
        let home = self.scratch.join(name);
        std::fs::create_dir_all(&home).unwrap();
        if skeleton && Path::new("/etc/skel").is_dir() {
            must(Command::new("cp").args(["-a", "/etc/skel/."]).arg(&home));
        }
        let nssdb = home.join(".pki/nssdb");
        std::fs::create_dir_all(&nssdb).unwrap();
        must(
            Command::new("certutil")
                .args(["-N", "--empty-password", "-d"])
                .arg(format!("sql:{}", nssdb.display())),
        );
        home
    }

    fn port(&self) -> u16 {
        self.server.as_ref().unwrap().port
    }

    /// Every client run against the server in a new login shell of `home`: its verdict and
    /// what it said.
    fn clients(&self, home: &Path) -> Vec<(&'static str, Verdict, String)> {
        let port = self.port().to_string();
        let url = format!("https://127.0.0.1:{port}");
        self.clients
            .iter()
            .map(|client| {
                let script = format!("PATH=\"$CLIENT_PATH\"\n{}", client.script);
                let (status, said) = run_group(
                    login_shell(home)
                        .args(["-c", &script])
                        .env("URL", &url)
                        .env("PORT", &port)
                        .env("SCRATCH", &self.scratch)
                        .env("NODE_GET", NODE_GET)
                        .env("JAVA_CLIENT", self.scratch.join("Client.java")),
                    Duration::from_secs(60),
                );
                let verdict = if status == Some(true) && said.contains(client.verified) {
                    Verdict::Verified
                } else if client.refused.iter().any(|r| said.contains(r)) {
                    Verdict::Refused
                } else {
                    Verdict::Other
                };
                (client.name, verdict, said)
            })
            .collect()
    }

    /// Asserts that every client comes to `expected` in a new login shell of `home`.
    fn expect(&self, home: &Path, expected: Verdict, when: &str) {
        let verdicts = self.clients(home);
        for (name, verdict, _) in &verdicts {
            println!("  {when}: {name}: {verdict:?}");
        }
        let wrong: Vec<String> = verdicts
            .iter()
            .filter(|(_, verdict, _)| *verdict != expected)
            .map(|(name, verdict, said)| format!("{name}: {verdict:?}, not {expected:?}:\n{said}"))
            .collect();
        assert!(wrong.is_empty(), "{when}:\n{}", wrong.join("\n"));
    }
}

/// Whether `client` is installed; in CI it must be.
fn installed(client: &Client) -> bool {
    let ok = Command::new("sh")
        .args(["-c", client.installed])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is required in CI",
            client.name
        );
        eprintln!("notice: {} not found; skipping it", client.name);
    }
    ok
}

/// A login shell (`bash -l`) as a user whose home is `home` gets it: nothing from the test's
/// environment but the clients' `PATH` (as `CLIENT_PATH`, since `/etc/profile` sets its own).
fn login_shell(home: &Path) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg("-l")
        .env_clear()
        .env("HOME", home)
        .env("USER", "root")
        .env("LOGNAME", "root")
        .env("SHELL", "/bin/bash")
        .env("CLIENT_PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", std::env::temp_dir())
        .current_dir(home);
    cmd
}

/// The page, the index with its wheel and the repository, in `site`.
fn make_site(site: &Path, work: &Path) {
    std::fs::create_dir_all(site.join("simple/demo")).unwrap();
    std::fs::create_dir_all(site.join("packages")).unwrap();
    std::fs::write(
        site.join("index.html"),
        format!("<!DOCTYPE html>\n<html><head><title>trust</title></head><body><p>{MARKER}</p></body></html>\n"),
    )
    .unwrap();
    let wheel = site.join("packages/demo-0.1-py3-none-any.whl");
    must(Command::new("python3").args(["-c", WHEEL]).arg(&wheel));
    let digest = hex::encode(sha2::Sha256::digest(std::fs::read(&wheel).unwrap()));
    std::fs::write(
        site.join("simple/index.html"),
        "<!DOCTYPE html>\n<html><body><a href=\"/simple/demo/\">demo</a></body></html>\n",
    )
    .unwrap();
    std::fs::write(
        site.join("simple/demo/index.html"),
        format!("<!DOCTYPE html>\n<html><body><a href=\"/packages/demo-0.1-py3-none-any.whl#sha256={digest}\">demo-0.1-py3-none-any.whl</a></body></html>\n"),
    )
    .unwrap();
    must(
        Command::new("bash")
            .args(["-c", GIT_REPOSITORY, "bash"])
            .arg(site.join("repo.git"))
            .arg(work)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1"),
    );
}

/// The loopback HTTPS server, killed when dropped.
struct Https {
    child: std::process::Child,
    port: u16,
}

impl Https {
    fn start(site: &Path, chain: &Path, key: &Path) -> Https {
        let mut child = Command::new("python3")
            .args(["-c", SERVE])
            .arg(site)
            .arg(chain)
            .arg(key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Each refused handshake is a traceback there.
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("port: {line}"));
        Https { child, port }
    }
}

impl Drop for Https {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What install may change, recorded to be compared: a description per place.
#[derive(Debug, PartialEq, Eq)]
struct State(BTreeMap<String, String>);

impl State {
    fn record(home: &Path) -> State {
        let mut places = BTreeMap::new();
        for file in [SYSTEM_BUNDLE, SYSTEM_CONF, SYSTEM_ANCHORS] {
            places.insert(file.to_owned(), describe(Path::new(file)));
        }
        places.insert(
            format!("{SYSTEM_CERTS} (entries)"),
            entries(Path::new(SYSTEM_CERTS)),
        );
        for file in HOME_FILES {
            places.insert(format!("~/{file}"), describe(&home.join(file)));
        }
        for (keystore, fingerprints) in jdk_keystores() {
            places.insert(format!("{keystore} (certificates)"), fingerprints);
        }
        let nssdb = home.join(".pki/nssdb");
        let listed = if nssdb.is_dir() {
            let text = must(
                Command::new("certutil")
                    .arg("-L")
                    .arg("-d")
                    .arg(format!("sql:{}", nssdb.display())),
            );
            let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
            lines.sort_unstable();
            lines.join("\n")
        } else {
            "absent".to_owned()
        };
        places.insert("~/.pki/nssdb (certificates)".to_owned(), listed);
        State(places)
    }

    /// Asserts that `self` is `other`, naming each place that differs.
    fn assert_same(&self, other: &State, when: &str) {
        let differ: Vec<String> = self
            .0
            .iter()
            .filter(|(place, was)| other.0.get(*place) != Some(was))
            .map(|(place, was)| {
                let now = other.0.get(place).map_or("missing", String::as_str);
                if !was.contains('\n') {
                    return format!("{place}:\n  was {was}\n  now {now}");
                }
                // A listing: the lines that went and the lines that came.
                let (was, now): (BTreeSet<&str>, BTreeSet<&str>) =
                    (was.lines().collect(), now.lines().collect());
                let went = was.difference(&now).map(|l| format!("  - {l}\n"));
                let came = now.difference(&was).map(|l| format!("  + {l}\n"));
                format!("{place}:\n{}", went.chain(came).collect::<String>())
            })
            .collect();
        assert!(
            differ.is_empty(),
            "{when}: not as before:\n{}",
            differ.join("\n")
        );
    }
}

/// A file's SHA-256, a link's target, "absent", or for a folder each file and link under it
/// (no folder is recorded for itself).
fn describe(path: &Path) -> String {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return "absent".to_owned();
    };
    if meta.file_type().is_symlink() {
        format!("link to {}", std::fs::read_link(path).unwrap().display())
    } else if meta.is_dir() {
        let mut lines = Vec::new();
        walk(path, path, &mut lines);
        // A folder left empty holds no file that changed.
        if lines.is_empty() {
            return "absent".to_owned();
        }
        format!("folder:\n{}", lines.join("\n"))
    } else {
        hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
    }
}

fn walk(top: &Path, dir: &Path, lines: &mut Vec<String>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            walk(top, &path, lines);
        } else {
            let name = path.strip_prefix(top).unwrap().display().to_string();
            lines.push(format!("{name} {}", describe(&path)));
        }
    }
}

/// A folder's own entries: each file's SHA-256, each link's target, a folder as "folder".
fn entries(dir: &Path) -> String {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            if std::fs::symlink_metadata(path).unwrap().is_dir() {
                format!("{name} folder\n")
            } else {
                format!("{name} {}\n", describe(path))
            }
        })
        .collect()
}

/// Every JDK's `cacerts` (each keystore once, links followed) and the SHA-256 fingerprints of
/// its certificates, sorted.
fn jdk_keystores() -> BTreeMap<String, String> {
    let mut keystores = BTreeSet::new();
    if let Ok(jdks) = std::fs::read_dir("/usr/lib/jvm") {
        for jdk in jdks {
            let cacerts = jdk.unwrap().path().join("lib/security/cacerts");
            if let Ok(real) = cacerts.canonicalize() {
                keystores.insert(real);
            }
        }
    }
    keystores
        .into_iter()
        .map(|keystore| {
            let text = must(
                Command::new("keytool")
                    .args(["-list", "-storepass", "changeit", "-keystore"])
                    .arg(&keystore),
            );
            let fingerprints: BTreeSet<&str> = text
                .lines()
                .filter_map(|l| l.split_once("(SHA-256): ").map(|(_, f)| f.trim()))
                .collect();
            assert!(!fingerprints.is_empty(), "{}:\n{text}", keystore.display());
            let list: Vec<&str> = fingerprints.into_iter().collect();
            (keystore.display().to_string(), list.join("\n"))
        })
        .collect()
}

/// The SHA-256 of the certificate in a PEM file, lower-case hex.
fn sha256_of(pem_file: &Path) -> String {
    let der = pem::parse(std::fs::read(pem_file).unwrap()).unwrap();
    hex::encode(sha2::Sha256::digest(der.contents()))
}

/// Times the steps of a test.
struct Laps {
    start: Instant,
    last: Instant,
}

impl Laps {
    fn new() -> Laps {
        Laps {
            start: Instant::now(),
            last: Instant::now(),
        }
    }

    fn lap(&mut self, what: &str) {
        let now = Instant::now();
        println!(
            "[{:6.1}s] {what} ({:.1}s)",
            (now - self.start).as_secs_f64(),
            (now - self.last).as_secs_f64()
        );
        self.last = now;
    }
}

/// `cabundle trust ARGS` as the user whose home is `home` gets it: nothing of the test's
/// environment but `PATH`.
fn trust_command(home: &Path, args: &[&str]) -> Command {
    let mut cmd = support::cabundle(&[&["trust"], args].concat());
    cmd.env_clear()
        .env("HOME", home)
        .env("USER", "root")
        .env("LOGNAME", "root")
        .env("SHELL", "/bin/bash")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", std::env::temp_dir());
    cmd
}

/// Runs `cabundle trust ARGS` as the user whose home is `home`, which must succeed within
/// two minutes; returns what it said.
fn trust_ok(home: &Path, args: &[&str]) -> String {
    let (status, said) = run_group(&mut trust_command(home, args), Duration::from_secs(120));
    assert_eq!(
        status,
        Some(true),
        "cabundle trust {}:\n{said}",
        args.join(" ")
    );
    said
}

/// Whether `said` names the certificate: its SHA-256 in hex (any case, colons or not).
fn names_fingerprint(said: &str, sha256: &str) -> bool {
    said.to_lowercase().replace(':', "").contains(sha256)
}

#[test]
fn every_client_trusts_the_root_after_install_and_none_after_uninstall() {
    let Some(scratch) =
        isolated("every_client_trusts_the_root_after_install_and_none_after_uninstall")
    else {
        return;
    };
    let mut laps = Laps::new();
    let world = World::new(&scratch, true);
    let root = world.root.to_str().unwrap();
    let sha256 = sha256_of(&world.root);
    let home = world.home("home", true);
    laps.lap("namespace, PKI, site and server");

    world.expect(&home, Verdict::Refused, "before install");
    laps.lap("every client refuses before install");
    let before = State::record(&home);
    laps.lap("state recorded");

    let plan = trust_ok(&home, &["install", root, "--dry-run"]);
    assert!(
        names_fingerprint(&plan, &sha256),
        "the plan shows the SHA-256:\n{plan}"
    );
    before.assert_same(&State::record(&home), "after --dry-run");
    laps.lap("--dry-run changes nothing");

    trust_ok(&home, &["install", root, "--yes"]);
    laps.lap("install");
    world.expect(&home, Verdict::Verified, "after install");
    laps.lap("every client verifies after install");
    let installed = State::record(&home);
    assert_ne!(installed, before, "install changed nothing");

    let again = trust_ok(&home, &["install", root, "--yes"]);
    assert!(
        again.to_lowercase().contains("nothing to do"),
        "a second install says so:\n{again}"
    );
    installed.assert_same(&State::record(&home), "after a second install");
    let listed = trust_ok(&home, &["list"]);
    assert!(
        listed.contains(ROOT_CN) || names_fingerprint(&listed, &sha256),
        "list names the root:\n{listed}"
    );
    laps.lap("a second install changes nothing; list names the root");

    trust_ok(&home, &["uninstall", root, "--yes"]);
    laps.lap("uninstall");
    world.expect(&home, Verdict::Refused, "after uninstall");
    laps.lap("every client refuses after uninstall");
    before.assert_same(&State::record(&home), "after uninstall");
    let listed = trust_ok(&home, &["list"]);
    assert!(
        !listed.contains(ROOT_CN) && !names_fingerprint(&listed, &sha256),
        "list no longer names the root:\n{listed}"
    );
    laps.lap("every file as before");

    // From the server itself, for a user whose home is as empty as a new account's (no
    // startup file: install makes the one a login shell reads). The other half of
    // --from-host, the refusal of a chain that already verifies against the public roots,
    // needs a publicly trusted server, which a machine without internet does not have: it is
    // tested elsewhere.
    let empty = world.home("empty-home", false);
    let before = State::record(&empty);
    let host = format!("127.0.0.1:{}", world.port());
    let said = trust_ok(&empty, &["install", "--from-host", &host, "--yes"]);
    assert!(
        names_fingerprint(&said, &sha256),
        "it shows the root's SHA-256:\n{said}"
    );
    world.expect(&empty, Verdict::Verified, "after install --from-host");
    laps.lap("install --from-host: every client verifies");
    trust_ok(&empty, &["uninstall", root, "--yes"]);
    world.expect(
        &empty,
        Verdict::Refused,
        "after uninstall of the root from the host",
    );
    before.assert_same(
        &State::record(&empty),
        "after uninstall of the root from the host",
    );
    laps.lap("uninstall: every client refuses, every file as before");
}

/// Delays after which install and uninstall are killed, in milliseconds.
const KILL_AFTER_MS: &[u64] = &[5, 20, 50, 100, 200, 400, 800];

/// Delays after which install and uninstall of every store are killed, in milliseconds: in
/// the plan, while the anchor is written, and while Debian's tool and its Java hook run.
const SYSTEM_KILL_AFTER_MS: &[(u64, u64)] = &[(700, 900), (1500, 2000), (2500, 3000)];

/// The stores of the user, quick to install; the system store's update tool is slow, so it
/// takes part in three rounds only.
const USER_STORES: &[&str] = &[
    "--store", "env", "--store", "pip", "--store", "git", "--store", "nss",
];

#[test]
fn install_and_uninstall_killed_at_any_point_then_uninstall_leave_every_file_as_before() {
    let Some(scratch) = isolated(
        "install_and_uninstall_killed_at_any_point_then_uninstall_leave_every_file_as_before",
    ) else {
        return;
    };
    let mut laps = Laps::new();
    let world = World::new(&scratch, false);
    let root = world.root.to_str().unwrap();
    let home = world.home("home", true);
    let before = State::record(&home);
    // What a whole install leaves, for the install after the killed runs to converge to.
    trust_ok(&home, &["install", root, "--yes"]);
    let installed = State::record(&home);
    trust_ok(&home, &["uninstall", root, "--yes"]);
    before.assert_same(&State::record(&home), "after a whole install and uninstall");
    laps.lap("namespace, PKI, states recorded");

    let mut killed = 0;
    let mut runs = 0;
    // The kill takes the whole process group, update tools included, as a closed terminal
    // would: a lone cabundle killed would leave its child running beside the next run. A run
    // that ends in time must succeed, after whatever was killed before it (an uninstall with
    // nothing left to undo included).
    let mut kill_after = |args: Vec<&str>, ms: u64| {
        runs += 1;
        let (status, said) = run_group(&mut trust_command(&home, &args), Duration::from_millis(ms));
        match status {
            None => killed += 1,
            Some(ok) => assert!(
                ok,
                "cabundle trust {} (done within {ms} ms):\n{said}",
                args.join(" ")
            ),
        }
    };
    for (install, uninstall) in KILL_AFTER_MS.iter().zip(KILL_AFTER_MS.iter().rev()) {
        kill_after(
            [&["install", root, "--yes"], USER_STORES].concat(),
            *install,
        );
        kill_after(
            [&["uninstall", root, "--yes"], USER_STORES].concat(),
            *uninstall,
        );
    }
    // Every store, the system's included: Debian's tool is half-way through its run (its
    // bundle written, its Java hook running) after a second or two.
    for (install, uninstall) in SYSTEM_KILL_AFTER_MS {
        kill_after(vec!["install", root, "--yes"], *install);
        kill_after(vec!["uninstall", root, "--yes"], *uninstall);
    }
    println!("  {killed} of {runs} runs killed");
    laps.lap("install and uninstall killed");

    // A whole install after them converges to what a whole install leaves; an uninstall then
    // to what was there before.
    trust_ok(&home, &["install", root, "--yes"]);
    laps.lap("install");
    installed.assert_same(
        &State::record(&home),
        "after the killed runs and an install",
    );
    trust_ok(&home, &["uninstall", root, "--yes"]);
    laps.lap("uninstall");
    before.assert_same(
        &State::record(&home),
        "after the killed runs, an install and an uninstall",
    );
    laps.lap("every file as before");
}

/// `--from-host` refuses a server whose chain verifies against the public roots already (a
/// root the system store held before, not one cabundle installed), changing nothing; and a
/// user who is not root gets the user's stores, with the system store named as skipped.
#[test]
fn from_host_refuses_a_chain_that_verifies_and_a_user_without_root_gets_the_user_stores() {
    let Some(scratch) = isolated(
        "from_host_refuses_a_chain_that_verifies_and_a_user_without_root_gets_the_user_stores",
    ) else {
        return;
    };
    let world = World::new(&scratch, false);
    let root = world.root.to_str().unwrap();

    // A root the distribution ships (in the namespace's system store, by its own tool), and a
    // server under it: its chain verifies, there is nothing to fix.
    let now = time::OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let public = ca("Public Test Root", None, now - day, now + 3650 * day);
    let (cert, key) = leaf(
        "localhost",
        &["127.0.0.1", "localhost"],
        &public,
        now - day,
        now + 90 * day,
        None,
    );
    std::fs::write(
        Path::new(SYSTEM_ANCHORS).join("public-test-root.crt"),
        &public.pem,
    )
    .unwrap();
    must(&mut Command::new("update-ca-certificates"));
    let pki = scratch.join("public");
    std::fs::create_dir_all(&pki).unwrap();
    std::fs::write(pki.join("chain.pem"), format!("{cert}{}", public.pem)).unwrap();
    std::fs::write(pki.join("leaf.key"), key).unwrap();
    let site = scratch.join("public-site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), MARKER).unwrap();
    let server = Https::start(&site, &pki.join("chain.pem"), &pki.join("leaf.key"));
    let home = world.home("home", true);
    let before = State::record(&home);
    let host = format!("127.0.0.1:{}", server.port);
    let (status, said) = run_group(
        &mut trust_command(&home, &["install", "--from-host", &host, "--yes"]),
        Duration::from_secs(60),
    );
    assert_eq!(status, Some(false), "refused:\n{said}");
    assert!(
        said.contains("verifies against the public roots"),
        "the refusal says why:\n{said}"
    );
    before.assert_same(&State::record(&home), "after the refused --from-host");
    drop(server);

    // A user without root (nobody, with a home of its own): the user's stores are done, the
    // system store is named as skipped, and uninstall puts every file back.
    let user_home = world.home("user-home", true);
    must(
        Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&user_home),
    );
    std::fs::set_permissions(
        &scratch,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let readable_root = user_home.join("root.pem");
    std::fs::copy(root, &readable_root).unwrap();
    let before = State::record(&user_home);
    let as_nobody = |args: &[&str]| {
        let cmd = trust_command(&user_home, args);
        let program = cmd.get_program().to_owned();
        let mut wrapped = Command::new("setpriv");
        wrapped
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(program)
            .args(cmd.get_args())
            .env_clear()
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
        run_group(&mut wrapped, Duration::from_secs(120))
    };
    let pem = readable_root.to_str().unwrap();
    let (status, said) = as_nobody(&["install", pem, "--yes"]);
    assert_eq!(status, Some(true), "install as a user:\n{said}");
    assert!(
        said.contains("system   skipped: changing the system store needs root"),
        "the system store is named as skipped:\n{said}"
    );
    let profile = std::fs::read_to_string(user_home.join(".profile")).unwrap();
    assert!(
        profile.contains("cabundle trust")
            && profile.contains(".local/share/cabundle/ca-bundle.pem"),
        "the login file points at the bundle cabundle keeps:\n{profile}"
    );
    let kept = std::fs::read(user_home.join(".local/share/cabundle/ca-bundle.pem")).unwrap();
    let kept = cabundle_cert::read_certificates(&kept).unwrap();
    assert!(
        kept.iter()
            .any(|c| c.sha256.to_string() == sha256_of(&world.root)),
        "the kept bundle holds the root"
    );
    assert!(kept.len() > 1, "and the system's public roots");
    let (status, said) = as_nobody(&["uninstall", pem, "--yes"]);
    assert_eq!(status, Some(true), "uninstall as a user:\n{said}");
    before.assert_same(&State::record(&user_home), "after a user's uninstall");
    assert!(
        !user_home
            .join(".local/share/cabundle/ca-bundle.pem")
            .exists(),
        "the kept bundle is removed"
    );
}

/// `doctor HOST --fix`: the clients doctor finds failing get the root through the same plan
/// and journal (`--dry-run` changes nothing), every client verifies after it, and
/// `trust uninstall --all` puts every file back.
#[test]
fn doctor_fix_makes_the_failing_clients_trust_the_root_and_uninstall_undoes_it() {
    let Some(scratch) =
        isolated("doctor_fix_makes_the_failing_clients_trust_the_root_and_uninstall_undoes_it")
    else {
        return;
    };
    let world = World::new(&scratch, true);
    let sha256 = sha256_of(&world.root);
    let home = world.home("home", true);
    let before = State::record(&home);
    let host = format!("127.0.0.1:{}", world.port());
    let doctor = |args: &[&str]| {
        // The environment of `trust_command`, for doctor.
        let cmd = trust_command(&home, &[]);
        let program = cmd.get_program().to_owned();
        let mut doctor = Command::new(program);
        doctor
            .args(["doctor", &host])
            .args(args)
            .env_clear()
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
        run_group(&mut doctor, Duration::from_secs(120))
    };
    let (status, said) = doctor(&["--fix", "--dry-run"]);
    assert_eq!(status, Some(true), "doctor --fix --dry-run:\n{said}");
    assert!(
        names_fingerprint(&said, &sha256) && said.contains("dry run: nothing changed"),
        "the plan names the root and changes nothing:\n{said}"
    );
    before.assert_same(&State::record(&home), "after doctor --fix --dry-run");
    let (status, said) = doctor(&["--fix", "--yes"]);
    assert_eq!(status, Some(true), "doctor --fix --yes:\n{said}");
    world.expect(&home, Verdict::Verified, "after doctor --fix");
    // Doctor itself, in a new login shell (which reads the variables the fix exported):
    // every client it knows verifies now.
    let (status, said) = run_group(
        login_shell(&home)
            .args([
                "-c",
                "PATH=\"$CLIENT_PATH\"\n\"$CABUNDLE\" doctor \"$HOST\"",
            ])
            .env("CABUNDLE", env!("CARGO_BIN_EXE_cabundle"))
            .env("HOST", &host),
        Duration::from_secs(120),
    );
    assert_eq!(status, Some(true), "doctor after the fix:\n{said}");
    assert!(
        said.contains("nss: 1 NSS database"),
        "doctor lists the NSS database:\n{said}"
    );
    trust_ok(&home, &["uninstall", "--all", "--yes"]);
    world.expect(&home, Verdict::Refused, "after uninstall --all");
    before.assert_same(&State::record(&home), "after uninstall --all");
}

/// The modules p11-kit reads (hidden under a tmpfs holding the Arch-like one).
const P11_KIT_MODULES: &str = "/usr/share/p11-kit/modules";
/// Where p11-kit's `trust` finds its `extract-compat` script.
const P11_KIT_LIBEXEC: &str = "/usr/libexec/p11-kit";
/// The bundle Arch's extraction writes.
const ARCH_BUNDLE: &str = "/etc/ca-certificates/extracted/tls-ca-bundle.pem";

/// The Arch path run for real with Debian's p11-kit: in the namespace the machine looks like
/// Arch (its trust-source directory, p11-kit's module reading it, an `extract-compat` that
/// extracts as Arch's does), `install --store system` stores the anchor with `trust anchor`,
/// `trust` lists it and the extracted bundle holds it; `uninstall` removes it, and the list
/// and the bundle are as before.
#[test]
fn the_arch_layout_through_p11_kit_trust() {
    let Some(scratch) = isolated("the_arch_layout_through_p11_kit_trust") else {
        return;
    };
    if !support::have("trust") {
        return;
    }
    let world = World::new(&scratch, false);
    let root = world.root.to_str().unwrap();
    let sha256 = sha256_of(&world.root);
    // Debian's markers gone, Arch's there.
    std::fs::remove_file(SYSTEM_CONF).unwrap();
    std::fs::create_dir_all("/etc/ca-certificates/trust-source/anchors").unwrap();
    std::fs::create_dir_all("/etc/ca-certificates/extracted").unwrap();
    for dir in [P11_KIT_MODULES, P11_KIT_LIBEXEC] {
        must(Command::new("mount").args(["-t", "tmpfs", "cabundle-test", dir]));
    }
    std::fs::write(
        Path::new(P11_KIT_MODULES).join("p11-kit-trust.module"),
        "module: p11-kit-trust.so\ntrust-policy: yes\nx-init-reserved: paths=/etc/ca-certificates/trust-source:/usr/share/ca-certificates/mozilla\n",
    )
    .unwrap();
    let compat = Path::new(P11_KIT_LIBEXEC).join("trust-extract-compat");
    std::fs::write(
        &compat,
        format!("#!/bin/sh\nexec trust extract --format=pem-bundle --filter=ca-anchors --purpose=server-auth --overwrite {ARCH_BUNDLE}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&compat, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    must(Command::new("trust").arg("extract-compat"));
    let anchors = || must(Command::new("trust").args(["list", "--filter=ca-anchors"]));
    let bundle = || std::fs::read(ARCH_BUNDLE).unwrap();
    let (anchors_before, bundle_before) = (anchors(), bundle());
    let home = world.home("home", true);

    let said = trust_ok(&home, &["install", root, "--store", "system", "--yes"]);
    assert!(
        said.contains("trust anchor"),
        "the plan names the tool:\n{said}"
    );
    assert!(anchors().contains(ROOT_CN), "trust lists the root");
    let extracted = cabundle_cert::read_certificates(&bundle()).unwrap();
    assert!(
        extracted.iter().any(|c| c.sha256.to_string() == sha256),
        "the extracted bundle holds the root"
    );
    let again = trust_ok(&home, &["install", root, "--store", "system", "--yes"]);
    assert!(again.contains("nothing to do"), "{again}");

    trust_ok(&home, &["uninstall", root, "--yes"]);
    assert_eq!(anchors(), anchors_before, "the anchors are as before");
    assert!(
        bundle() == bundle_before,
        "the extracted bundle is as before, byte for byte"
    );
    let left: Vec<_> = std::fs::read_dir("/etc/ca-certificates/trust-source")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .collect();
    assert!(left.is_empty(), "no anchor file is left: {left:?}");
}

/// What the user changed since install is kept: lines written around the block stay when the
/// block goes, and a setting the user changed since is left as it is, with a message.
#[test]
fn changes_made_since_install_are_left_alone() {
    let Some(scratch) = isolated("changes_made_since_install_are_left_alone") else {
        return;
    };
    let world = World::new(&scratch, false);
    let root = world.root.to_str().unwrap();
    let home = world.home("home", true);
    let bashrc = home.join(".bashrc");
    let original = std::fs::read_to_string(&bashrc).unwrap();
    let stores = ["--store", "env", "--store", "git"];
    trust_ok(&home, &[&["install", root, "--yes"][..], &stores].concat());
    let installed = std::fs::read_to_string(&bashrc).unwrap();
    assert!(installed.contains("cabundle trust"), "{installed}");
    // The user edits around the block, and points git elsewhere.
    std::fs::write(
        &bashrc,
        format!("# mine, before\n{installed}alias ll='ls -l'\n"),
    )
    .unwrap();
    let git = |args: &[&str]| {
        must(
            Command::new("git")
                .args(["config", "--global"])
                .args(args)
                .env("HOME", &home),
        )
    };
    git(&["http.sslCAInfo", "/etc/my-own-bundle.pem"]);
    let said = trust_ok(
        &home,
        &[&["uninstall", root, "--yes"][..], &stores].concat(),
    );
    assert_eq!(
        std::fs::read_to_string(&bashrc).unwrap(),
        format!("# mine, before\n{original}alias ll='ls -l'\n"),
        "the block is gone, the user's lines stay"
    );
    assert_eq!(
        git(&["--get", "http.sslCAInfo"]).trim(),
        "/etc/my-own-bundle.pem"
    );
    assert!(
        said.contains(
            "http.sslCAInfo is now /etc/my-own-bundle.pem (not what cabundle set): left as it is"
        ),
        "the message says what was left:\n{said}"
    );
}

/// The Java store alone (the system store not taken, so its hook does not cover the JDK):
/// `keytool` imports the root into each JDK's `cacerts`, the Java client verifies, and
/// uninstall deletes it again, the certificate lists as before.
#[test]
fn the_java_store_alone_goes_through_keytool() {
    let Some(scratch) = isolated("the_java_store_alone_goes_through_keytool") else {
        return;
    };
    if !support::have("keytool") {
        return;
    }
    let world = World::new(&scratch, true);
    let root = world.root.to_str().unwrap();
    let home = world.home("home", true);
    let java = |home: &Path| {
        world
            .clients(home)
            .into_iter()
            .find(|(name, _, _)| *name == "java")
            .map(|(_, verdict, said)| (verdict, said))
    };
    let before = State::record(&home);
    if let Some((verdict, said)) = java(&home) {
        assert_eq!(verdict, Verdict::Refused, "java before install:\n{said}");
    }
    let said = trust_ok(&home, &["install", root, "--store", "java", "--yes"]);
    assert!(said.contains("keytool: import it into"), "{said}");
    if let Some((verdict, said)) = java(&home) {
        assert_eq!(verdict, Verdict::Verified, "java after install:\n{said}");
    }
    trust_ok(&home, &["uninstall", root, "--yes"]);
    if let Some((verdict, said)) = java(&home) {
        assert_eq!(verdict, Verdict::Refused, "java after uninstall:\n{said}");
    }
    before.assert_same(&State::record(&home), "after uninstall of the Java store");
}

//! `cabundle doctor`: for each TLS client on the machine, the store it uses, where that choice
//! came from, what the store holds, how stale it is against a CCADB report, and whether it
//! verifies a server's chain, with the fix when it does not.
//!
//! Finding the stores is `cabundle-clients`; the server's chain is captured once, by the same
//! code as `probe`, and verified against each store with `cabundle-verify`. The words that
//! explain a failure for one client (reason and fix) come from `shared::hints`.

use crate::cli::doctor::DoctorArgs;
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::hints::{
    backtracks, build_store, client_fix, client_reason, client_refuses, note_hint, point_at_bundle,
};
use crate::shared::report;
use crate::shared::terminal::Terminal;
use crate::shared::tls::{Limits, fetch_chain, read_chain, split_target};
use crate::shared::trust::flow as trust;
use crate::shared::trust::nss_databases;
use anyhow::{Context, bail};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_clients::{
    Client, ClientName, Environment, Stale, Store, StoreContents, date_in_name, discover,
    included_roots, load_store, staleness,
};
use cabundle_trust::journal::StoreKind;
use cabundle_verify::{Options, Problem, Purpose};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// The server given as HOST: its name and the chain it sent.
struct Server {
    target: String,
    host: String,
    chain: Vec<Certificate>,
}

/// The CCADB report given with `--report`: its included roots and the date they are for.
struct Included {
    name: String,
    as_of: time::Date,
    roots: BTreeSet<Sha256Fingerprint>,
}

/// Whether a client verifies the server's chain with its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    /// It verifies.
    Ok,
    /// It does not: the exit code is 1.
    Fails,
    /// Its store is unknown, or the check could not be made.
    Unknown,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Fails => "fails",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One client's line of the report (the JSON entry as it is written).
#[derive(Serialize)]
struct Entry {
    client: &'static str,
    present: bool,
    version: Option<String>,
    store: StorePaths,
    source: Option<String>,
    exists: Option<bool>,
    certificates: Option<usize>,
    /// Files of the store that were not read, with why (a device, a FIFO, a file over the
    /// read cap, a file without a certificate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<Verdict>,
    reason: Option<String>,
    fix: Option<String>,
    /// What the verdict does not show: a chain this client accepts that others refuse.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale: Option<StaleJson>,
}

#[derive(Serialize)]
struct StorePaths {
    file: Option<String>,
    dir: Option<String>,
}

#[derive(Serialize)]
struct StaleJson {
    removed: Vec<Sha256Fingerprint>,
    missing: Vec<Sha256Fingerprint>,
}

#[derive(Serialize)]
struct Json<'a> {
    clients: &'a [Entry],
    /// The user's NSS databases (Firefox, Chromium), which no client above reads.
    nss: &'a [String],
}

/// Runs `cabundle doctor`.
pub fn run(args: DoctorArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    // Reading the environment is all doctor does to the machine (until --fix, which goes
    // through trust install).
    let env = Environment::new(std::env::vars_os());
    let now = OffsetDateTime::now_utc();
    let target = args.target.as_deref().map(split_target).transpose()?;
    let limits = Limits::new(args.timeout, args.deadline);

    // Ask the clients and capture the server's chain at the same time.
    let (clients, server) = std::thread::scope(|s| {
        let capture = target.as_ref().map(|(host, port)| {
            s.spawn(move || -> anyhow::Result<Vec<Vec<u8>>> {
                fetch_chain(host, *port, host, limits)
            })
        });
        let clients = discover(&env, args.client_timeout.max(Duration::from_millis(1)));
        let chain = capture.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the capture panicked")))
        });
        (clients, chain)
    });
    let server = match (target, server) {
        (Some((host, port)), Some(ders)) => {
            let chain = read_chain(&ders?, &format!("{host}:{port}"))?;
            let target = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            Some(Server {
                target,
                host,
                chain,
            })
        }
        _ => None,
    };
    let included = match &args.report {
        Some(arg) => {
            let source = report::load(arg, report::Kind::Roots, &args.http, out)?;
            let report = cabundle_ccadb::parse_any(&source.bytes)
                .with_context(|| format!("cannot read the report {}", source.name))?;
            let as_of =
                date_in_name(&source.name).unwrap_or_else(|| OffsetDateTime::now_utc().date());
            let roots = included_roots(&report, as_of);
            out.verbose(&format!(
                "{}: {} roots included for TLS as of {as_of}",
                source.name,
                roots.len()
            ));
            Some(Included {
                name: source.name,
                as_of,
                roots,
            })
        }
        None => None,
    };

    let mut loaded: HashMap<StoreKey, StoreContents> = HashMap::new();
    let entries: Vec<Entry> = clients
        .iter()
        .map(|client| {
            let contents = (client.present && client.unknown.is_none()).then(|| {
                loaded
                    .entry(StoreKey::of(&client.store))
                    .or_insert_with(|| load_store(&client.store))
                    .clone()
            });
            entry(
                client,
                contents.as_ref(),
                server.as_ref(),
                included.as_ref(),
                now,
            )
        })
        .collect();

    let nss: Vec<String> = env
        .get("HOME")
        .map(|home| nss_databases(std::path::Path::new(home)))
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut w = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(
            &mut w,
            &Json {
                clients: &entries,
                nss: &nss,
            },
        )?;
        writeln!(w)?;
    } else {
        let mut t = Terminal::new(&mut w);
        print_text(&mut t, &entries, server.as_ref(), included.as_ref())?;
        match nss.len() {
            0 => writeln!(
                t,
                "nss: no NSS database (Firefox and Chromium make one when first run)"
            )?,
            n => writeln!(
                t,
                "nss: {n} NSS database{} (Firefox, Chromium; cabundle trust install --store nss adds a root): {}",
                if n == 1 { "" } else { "s" },
                nss.join(", ")
            )?,
        }
    }
    drop(w);
    let fails = entries.iter().any(|e| e.verdict == Some(Verdict::Fails));
    if args.fix
        && let Some(server) = &server
    {
        return fix(&clients, &entries, server, &args, now, out);
    }
    Ok(ExitStatus::ok_if(!fails))
}

/// `--fix`: the stores of the failing clients made to trust the root at the top of the chain,
/// when trusting it is what they lack.
fn fix(
    clients: &[Client],
    entries: &[Entry],
    server: &Server,
    args: &DoctorArgs,
    now: OffsetDateTime,
    out: &Output,
) -> anyhow::Result<ExitStatus> {
    let mut stores: Vec<StoreKind> = Vec::new();
    for (client, e) in clients.iter().zip(entries) {
        if e.verdict != Some(Verdict::Fails) {
            continue;
        }
        for store in stores_of(client.name) {
            if !stores.contains(store) {
                stores.push(*store);
            }
        }
    }
    if stores.is_empty() {
        out.info("--fix: every client verifies; nothing to fix");
        return Ok(ExitStatus::Ok);
    }
    // Browsers meet the same server (or proxy): the NSS databases doctor lists get the root too.
    stores.push(StoreKind::Nss);
    let Some(top) = server.chain.iter().rev().find(|c| c.is_ca) else {
        bail!(
            "{} sent no CA certificate, so there is no root to trust from it\nhint: get the root from whoever runs the proxy or the server: cabundle trust install ROOT.pem",
            server.target
        );
    };
    // Trusting the root must be what fixes it: the chain verifies once the root is an anchor.
    let opts = Options {
        at: now,
        hostname: Some(server.host.clone()),
        purpose: Purpose::Tls,
        manifest: None,
        partial_chain: !top.is_self_issued(),
    };
    let with_root = cabundle_verify::verify(&server.chain, std::slice::from_ref(top), &opts)?;
    if let Some(problem) = with_root.problems.first() {
        bail!(
            "trusting {} would not fix {}: {}",
            top.subject,
            server.target,
            crate::shared::hints::client_reason(problem)
        );
    }
    let roots = trust::check_roots(
        vec![top.clone()],
        &format!("the chain {} sent", server.target),
        false,
        now,
    )?;
    stores.sort();
    let asked = trust::Asked {
        stores,
        dry_run: args.dry_run,
        yes: args.yes,
    };
    trust::install(&trust::machine()?, &roots, &asked, out)
}

/// The stores that make a client trust a root (the system store first where it reads it).
fn stores_of(client: ClientName) -> &'static [StoreKind] {
    match client {
        ClientName::Openssl | ClientName::Curl | ClientName::PythonSsl => {
            &[StoreKind::System, StoreKind::Env]
        }
        ClientName::PythonRequests => &[StoreKind::System, StoreKind::Env],
        ClientName::Pip => &[StoreKind::System, StoreKind::Pip],
        ClientName::Node => &[StoreKind::Env, StoreKind::Node],
        ClientName::Git => &[StoreKind::System, StoreKind::Git],
        ClientName::Java => &[StoreKind::System, StoreKind::Java],
    }
}

/// The paths of a store, so that clients sharing one read it once.
#[derive(Clone, PartialEq, Eq, Hash)]
struct StoreKey {
    file: Option<std::path::PathBuf>,
    dir: Option<std::path::PathBuf>,
    reported: Option<String>,
    keystore: bool,
}

impl StoreKey {
    fn of(store: &Store) -> StoreKey {
        StoreKey {
            file: store.file.clone(),
            dir: store.dir.clone(),
            reported: store.reported.clone(),
            keystore: store.file_is_keystore,
        }
    }
}

fn entry(
    client: &Client,
    contents: Option<&StoreContents>,
    server: Option<&Server>,
    included: Option<&Included>,
    now: OffsetDateTime,
) -> Entry {
    let show = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
    let mut e = Entry {
        client: client.name.as_str(),
        present: client.present,
        version: client.version.as_ref().map(ToString::to_string),
        store: StorePaths {
            file: show(&client.store.file),
            dir: show(&client.store.dir),
        },
        source: (client.present && client.unknown.is_none()).then(|| client.source_text()),
        exists: contents.map(StoreContents::exists),
        certificates: contents.map(|c| c.certificates.len()),
        skipped: contents
            .map(|c| {
                c.unreadable
                    .iter()
                    .map(|(path, why)| format!("{}: {why}", path.display()))
                    .collect()
            })
            .unwrap_or_default(),
        verdict: None,
        reason: None,
        fix: None,
        note: None,
        stale: None,
    };
    if !client.present {
        return e;
    }
    let Some(contents) = contents else {
        e.reason = client
            .unknown
            .as_ref()
            .map(|why| format!("the store is unknown: {why}"));
        if server.is_some() {
            e.verdict = Some(Verdict::Unknown);
        }
        return e;
    };
    if let Some(inc) = included {
        let Stale {
            removed, missing, ..
        } = staleness(&contents.certificates, &inc.roots);
        e.stale = Some(StaleJson { removed, missing });
    }
    let Some(server) = server else {
        if !contents.exists() {
            e.reason = Some(missing_text(contents));
            e.fix = Some(point_at_bundle(client.name));
        }
        return e;
    };
    if contents.certificates.is_empty() {
        e.verdict = Some(Verdict::Fails);
        e.reason = Some(if contents.exists() {
            "the store holds no certificate".to_owned()
        } else {
            missing_text(contents)
        });
        e.fix = Some(build_store(client.name));
        return e;
    }
    let opts = Options {
        at: now,
        hostname: Some(server.host.clone()),
        purpose: Purpose::Tls,
        manifest: None,
        // OpenSSL's default: a path ends at a root of the store. curl, Python from 3.13 and
        // Java take any certificate of the store as an anchor.
        partial_chain: client.anchors_any_certificate(),
    };
    let verified = cabundle_verify::verify(&server.chain, &contents.certificates, &opts);
    if let Ok(report) = &verified
        && !report.notes.is_empty()
    {
        let notes: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
        e.note = Some(notes.join("; "));
    }
    // A client that searches further than OpenSSL takes the path OpenSSL misses.
    let refuses =
        |p: &&Problem| !(backtracks(client.name) && matches!(p, Problem::OpensslDeadEnd { .. }));
    match verified {
        Ok(report) if report.problems.iter().filter(refuses).count() == 0 => {
            // A common name OpenSSL takes for the host is refused by some clients.
            let (mut reasons, mut fixes): (Vec<String>, Vec<String>) = report
                .notes
                .iter()
                .filter_map(|n| client_refuses(client, n).map(|why| (why, note_hint(n))))
                .unzip();
            // Python from 3.13 verifies with OpenSSL's X509_STRICT.
            if client.is_strict() {
                let refused = report.refused_by(cabundle_verify::Family::Strict);
                if !refused.is_empty() {
                    let owned: Vec<cabundle_verify::Violation> =
                        refused.iter().map(|v| (*v).clone()).collect();
                    reasons.extend(refused.iter().map(|v| format!("strict: {v}")));
                    fixes.extend(crate::shared::hints::strict_hints(&owned));
                }
            }
            if reasons.is_empty() {
                e.verdict = Some(Verdict::Ok);
            } else {
                e.verdict = Some(Verdict::Fails);
                e.reason = Some(reasons.join("; "));
                e.fix = Some(fixes.join("; "));
            }
        }
        Ok(report) => {
            e.verdict = Some(Verdict::Fails);
            let reasons: Vec<String> = report
                .problems
                .iter()
                .filter(refuses)
                .map(client_reason)
                .collect();
            e.reason = Some(reasons.join("; "));
            let fixes: Vec<String> = report
                .problems
                .iter()
                .filter(refuses)
                .filter_map(|p| client_fix(client.name, p))
                .collect();
            e.fix = (!fixes.is_empty()).then(|| fixes.join("; "));
        }
        Err(err) => {
            e.verdict = Some(Verdict::Unknown);
            e.reason = Some(format!("cannot verify: {err}"));
        }
    }
    e
}

fn missing_text(contents: &StoreContents) -> String {
    let paths: Vec<String> = contents
        .missing
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    format!("{} does not exist", paths.join(" and "))
}

fn print_text(
    w: &mut impl Write,
    entries: &[Entry],
    server: Option<&Server>,
    included: Option<&Included>,
) -> std::io::Result<()> {
    if let Some(s) = server {
        let n = s.chain.len();
        writeln!(
            w,
            "{} sent {n} certificate{}: {}",
            s.target,
            if n == 1 { "" } else { "s" },
            s.chain
                .iter()
                .map(|c| format!("\"{}\"", c.subject))
                .collect::<Vec<_>>()
                .join(" <- ")
        )?;
    }
    if let Some(inc) = included {
        writeln!(
            w,
            "report: {} ({} roots included for TLS as of {})",
            inc.name,
            inc.roots.len(),
            inc.as_of
        )?;
    }
    for e in entries {
        if !e.present {
            writeln!(w, "{}: absent", e.client)?;
            continue;
        }
        match &e.version {
            Some(v) => writeln!(w, "{} ({v})", e.client)?,
            None => writeln!(w, "{}", e.client)?,
        }
        let mut paths = Vec::new();
        if let Some(f) = &e.store.file {
            paths.push(format!("file {f}"));
        }
        if let Some(d) = &e.store.dir {
            paths.push(format!("dir {d}"));
        }
        if let Some(source) = &e.source {
            if !paths.is_empty() {
                writeln!(w, "  store:   {}", paths.join(", "))?;
            }
            writeln!(w, "  source:  {source}")?;
        }
        if let Some(n) = e.certificates {
            writeln!(
                w,
                "  holds:   {n} certificate{}",
                if n == 1 { "" } else { "s" }
            )?;
        }
        for skipped in &e.skipped {
            writeln!(w, "  skipped: {skipped}")?;
        }
        if let Some(stale) = &e.stale {
            writeln!(
                w,
                "  stale:   {} not included by the report, {} included roots lacking",
                stale.removed.len(),
                stale.missing.len()
            )?;
        }
        match (e.verdict, server) {
            (Some(verdict), Some(s)) => {
                writeln!(w, "  {}: {}", s.target, verdict.as_str())?;
                if let Some(r) = &e.reason {
                    writeln!(w, "  reason:  {r}")?;
                }
                if let Some(n) = &e.note {
                    writeln!(w, "  note:    {n}")?;
                }
            }
            _ => {
                if let Some(r) = &e.reason {
                    writeln!(w, "  note:    {r}")?;
                }
            }
        }
        if let Some(f) = &e.fix {
            writeln!(w, "  fix:     {f}")?;
        }
    }
    Ok(())
}

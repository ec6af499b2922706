//! Making every store of the machine trust a root, and undoing it exactly: the plan (what would
//! change, store by store), its execution through the journal, the undo, and the listing.
//! `trust install`, `trust uninstall`, `trust list` and `doctor --fix` all come here.
//!
//! Every change goes through the store's own interface (the distribution's update tool,
//! `certutil`, `keytool`, `pip config`, `npm config`, `git config`, `conda config`) or into a
//! file of cabundle's, or a marked block; each is recorded in the journal, with a copy of any
//! file a tool may rewrite, before it is made.

pub(crate) mod flow;
mod machine;
mod run;
mod state;
mod stores;

pub(crate) use machine::{Machine, nss_databases};
pub(crate) use state::State;

use cabundle_cert::Certificate;
use cabundle_trust::journal::{Change, Entry, SHARED, StoreKind, Tool};
use std::path::PathBuf;

/// One change the plan makes, for one root (or for all: [`SHARED`]).
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// The root's SHA-256, or [`SHARED`].
    pub root: String,
    /// The root's subject (empty for a shared change).
    pub subject: String,
    /// The root, PEM (empty for a shared change).
    pub pem: String,
    /// The store.
    pub store: StoreKind,
    /// Whether the change goes into the system journal.
    pub system: bool,
    /// The change.
    pub change: Change,
    /// In place already (a second install changes nothing).
    pub in_place: bool,
}

/// What an install would do.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The changes, in order.
    pub steps: Vec<Step>,
    /// Stores left out, with the reason.
    pub skipped: Vec<(StoreKind, String)>,
    /// What is worth knowing (Node.js, keystores the system store covers).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether every change is in place already.
    pub(crate) fn nothing_to_do(&self) -> bool {
        self.steps.iter().all(|s| s.in_place)
    }
}

/// The stores asked for: all when none is named.
pub(crate) fn wanted(stores: &[StoreKind], store: StoreKind) -> bool {
    stores.is_empty() || stores.contains(&store)
}

/// The plan that makes the machine's stores (all of them, or `stores`) trust `roots`.
pub(crate) fn plan_install(
    machine: &Machine,
    roots: &[Certificate],
    stores: &[StoreKind],
    user: &State,
    system: &State,
) -> Plan {
    let mut plan = Plan::default();
    let root_step = |cert: &Certificate, store, system, change, in_place| Step {
        root: cert.sha256.to_string(),
        subject: cert.subject.clone(),
        pem: cert.to_pem(),
        store,
        system,
        change,
        in_place,
    };

    // The system store first: the bundle the others point at may be its output.
    let mut system_has_roots = roots.iter().all(|r| {
        system
            .journal
            .entries
            .iter()
            .any(|e| e.root == r.sha256.to_string() && e.store == StoreKind::System)
    });
    if wanted(stores, StoreKind::System) {
        match (&machine.layout, machine.is_root) {
            (None, _) => plan.skipped.push((
                StoreKind::System,
                "no system trust store this version knows (Debian/Ubuntu, Fedora/RHEL, Arch, SUSE, Alpine)"
                    .to_owned(),
            )),
            (Some(_), false) => plan.skipped.push((
                StoreKind::System,
                "changing the system store needs root".to_owned(),
            )),
            (Some(layout), true) => {
                for cert in roots {
                    let change = stores::system_change(layout, cert);
                    let in_place = stores::in_place(cert, &change, &system.journal)
                        && stores::in_hook_keystore(layout, cert);
                    plan.steps
                        .push(root_step(cert, StoreKind::System, true, change, in_place));
                }
                system_has_roots = true;
            }
        }
    }
    let bundle: PathBuf = match (&machine.layout, system_has_roots) {
        (Some(layout), true) => layout.bundle.clone(),
        _ => machine.kept_bundle.clone(),
    };

    if wanted(stores, StoreKind::Nss) {
        if machine.nss.is_empty() {
            plan.skipped.push((
                StoreKind::Nss,
                "no NSS database found (Firefox and Chromium make one when first run)".to_owned(),
            ));
        } else if !machine.certutil {
            plan.skipped.push((
                StoreKind::Nss,
                format!(
                    "{} NSS database{} found, but certutil is not installed (Debian/Ubuntu: libnss3-tools; Fedora: nss-tools)",
                    machine.nss.len(),
                    if machine.nss.len() == 1 { "" } else { "s" }
                ),
            ));
        } else {
            for db in &machine.nss {
                for cert in roots {
                    let change = Change::Nss {
                        database: db.clone(),
                        nickname: stores::label(cert),
                    };
                    let in_place = stores::in_place(cert, &change, &user.journal);
                    plan.steps
                        .push(root_step(cert, StoreKind::Nss, false, change, in_place));
                }
            }
        }
    }

    if wanted(stores, StoreKind::Java) {
        let covered = machine
            .layout
            .as_ref()
            .filter(|_| system_has_roots)
            .and_then(|l| l.java_keystore.as_ref())
            .map(|k| k.path.clone());
        if machine.keystores.is_empty() {
            plan.skipped.push((
                StoreKind::Java,
                "no JDK keystore (cacerts) found".to_owned(),
            ));
        }
        for keystore in &machine.keystores {
            if covered.as_ref().is_some_and(|c| {
                fs_err::canonicalize(c).is_ok_and(|c| &c == keystore) || c == keystore
            }) {
                plan.notes.push(format!(
                    "java: {} is rebuilt by the system store's tool",
                    keystore.display()
                ));
                continue;
            }
            if !machine.keytool {
                plan.skipped.push((
                    StoreKind::Java,
                    format!("{}: keytool is not installed", keystore.display()),
                ));
                continue;
            }
            if !stores::writable(keystore) {
                plan.skipped.push((
                    StoreKind::Java,
                    format!("{}: not writable (it needs root)", keystore.display()),
                ));
                continue;
            }
            let in_home = keystore.starts_with(&machine.home);
            for cert in roots {
                let change = Change::Java {
                    keystore: keystore.clone(),
                    alias: stores::label(cert),
                };
                let journal = if in_home {
                    &user.journal
                } else {
                    &system.journal
                };
                let in_place = stores::in_place(cert, &change, journal);
                plan.steps
                    .push(root_step(cert, StoreKind::Java, !in_home, change, in_place));
            }
        }
    }

    let points_at_bundle = [
        StoreKind::Env,
        StoreKind::Pip,
        StoreKind::Npm,
        StoreKind::Git,
        StoreKind::Conda,
    ]
    .iter()
    .any(|s| wanted(stores, *s));
    if points_at_bundle && bundle == machine.kept_bundle {
        for cert in roots {
            let change = Change::KeptBundle {
                path: machine.kept_bundle.clone(),
                pem: cert.to_pem(),
            };
            let in_place = stores::in_place(cert, &change, &user.journal);
            plan.steps
                .push(root_step(cert, StoreKind::Env, false, change, in_place));
        }
    }
    let shared = |store, change: Change| {
        let in_place = stores::shared_in_place(&change);
        Step {
            root: SHARED.to_owned(),
            subject: String::new(),
            pem: String::new(),
            store,
            system: false,
            change,
            in_place,
        }
    };
    if wanted(stores, StoreKind::Env) {
        for file in &machine.shell_files {
            match stores::shell_change(file, &bundle, user) {
                Ok(change) => plan.steps.push(shared(StoreKind::Env, change)),
                Err(e) => plan
                    .skipped
                    .push((StoreKind::Env, format!("{}: {e:#}", file.path.display()))),
            }
        }
    }
    let tools: Vec<Tool> = [Tool::Pip, Tool::Npm, Tool::Git, Tool::Conda]
        .into_iter()
        .filter(|t| wanted(stores, t.store()))
        .collect();
    for tool in tools.iter().filter(|t| !machine.tools.contains(t)) {
        if !stores.is_empty() {
            plan.skipped
                .push((tool.store(), "not installed".to_owned()));
        }
    }
    // Each tool asked at once (pip and npm take a while to start).
    let values: Vec<(Tool, anyhow::Result<Option<String>>)> = std::thread::scope(|s| {
        let handles: Vec<_> = tools
            .iter()
            .filter(|t| machine.tools.contains(t))
            .map(|t| (*t, s.spawn(move || stores::tool_value(*t))))
            .collect();
        handles
            .into_iter()
            .map(|(t, h)| {
                let value = h
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: a query panicked")));
                (t, value)
            })
            .collect()
    });
    for (tool, value) in values {
        match value {
            Ok(now) => {
                let (change, in_place) = stores::setting_change(machine, tool, &bundle, user, now);
                plan.steps.push(Step {
                    in_place,
                    ..shared(tool.store(), change)
                });
            }
            Err(e) => plan.skipped.push((tool.store(), format!("{e:#}"))),
        }
    }
    if wanted(stores, StoreKind::Node)
        && let Some((major, minor)) = machine.node
    {
        let variable = cabundle_clients::Variable::NodeExtraCaCerts.name();
        plan.notes.push(if (major, minor) >= (23, 9) {
            format!(
                "node: Node.js {major}.{minor} reads the system store when started with --use-system-ca or NODE_USE_SYSTEM_CA=1; otherwise {variable} (the env store) adds the bundle"
            )
        } else {
            format!(
                "node: Node.js {major}.{minor} reads {variable}, which the env store sets in new shells"
            )
        });
    }
    plan
}

/// The entries an uninstall undoes: those of `root` (every root when `None`), in the stores
/// asked for, and the shared ones when no root is left after it. Each with whether it is in the
/// system journal.
pub(crate) fn to_undo(
    root: Option<&str>,
    stores: &[StoreKind],
    user: &State,
    system: &State,
) -> Vec<(bool, Entry)> {
    let chosen =
        |e: &Entry| e.root != SHARED && root.is_none_or(|r| e.root == r) && wanted(stores, e.store);
    let mut out: Vec<(bool, Entry)> = Vec::new();
    let mut left = false;
    for (is_system, state) in [(true, system), (false, user)] {
        for e in &state.journal.entries {
            if chosen(e) {
                out.push((is_system, e.clone()));
            } else if e.root != SHARED {
                left = true;
            }
        }
    }
    if !left {
        for e in &user.journal.entries {
            if e.root == SHARED && wanted(stores, e.store) {
                out.push((false, e.clone()));
            }
        }
    }
    out
}

/// What an entry is, in one line, for a plan or a listing.
pub(crate) fn describe(change: &Change, machine: &Machine) -> String {
    match change {
        Change::AnchorFile { path } => {
            let tool = machine
                .layout
                .as_ref()
                .map(|l| l.refresh.join(" "))
                .unwrap_or_else(|| "the system's update tool".to_owned());
            format!("write {}, then run {tool}", path.display())
        }
        Change::TrustTool { .. } => "add it with trust anchor (p11-kit)".to_owned(),
        Change::Nss { database, nickname } => format!(
            "certutil: add it to the NSS database {} as {nickname:?}, trusted for TLS servers",
            database.display()
        ),
        Change::Java { keystore, alias } => format!(
            "keytool: import it into {} as {alias:?}",
            keystore.display()
        ),
        Change::Block { file, .. } => format!(
            "add a marked block to {} that sets the variables every client reads",
            file.path.display()
        ),
        Change::File { path, .. } => format!(
            "write {} (it sets the variables every client reads)",
            path.display()
        ),
        Change::KeptBundle { path, .. } => format!(
            "add it to {} (the system's public roots plus the roots installed)",
            path.display()
        ),
        Change::Setting {
            tool,
            value,
            before,
            ..
        } => format!(
            "set {} to {value} (was: {})",
            tool.key(),
            before.as_deref().unwrap_or("unset")
        ),
    }
}

pub(crate) use stores::{apply_install, apply_uninstall};

//! The runs `trust install`, `trust uninstall` and `doctor --fix` share: the roots checked, the
//! plan shown, the question asked, the changes made through the journal.

use super::{
    Machine, Plan, State, apply_install, apply_uninstall, describe, plan_install, to_undo,
};
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use anyhow::{Context as _, bail};
use cabundle_cert::Certificate;
use cabundle_clients::Environment;
use cabundle_trust::journal::{Entry, Journal, SHARED, State as EntryState, StoreKind};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use time::OffsetDateTime;

/// How a change run is asked for.
#[derive(Clone, Debug)]
pub(crate) struct Asked {
    /// The stores (all when empty).
    pub stores: Vec<StoreKind>,
    /// Show the plan only.
    pub dry_run: bool,
    /// Do not ask.
    pub yes: bool,
}

/// The roots to install, checked: each a CA, not expired, and self-signed unless intermediates
/// are allowed; `what` names where they came from.
pub(crate) fn check_roots(
    certs: Vec<Certificate>,
    what: &str,
    allow_intermediate: bool,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Certificate>> {
    for c in &certs {
        let name = format!("{} (SHA-256 {})", c.subject, c.sha256);
        if !c.is_ca {
            bail!(
                "{name} in {what} is not a CA certificate (its basicConstraints do not say CA): trusting it would make no client accept anything it did not already\nhint: give the certificate of the CA that issued it (the last one of the chain the server sends)"
            );
        }
        if c.not_after < now {
            bail!(
                "{name} in {what} expired on {}: no client accepts a chain ending there",
                c.not_after.date()
            );
        }
        if !c.is_self_issued() && !allow_intermediate {
            bail!(
                "{name} in {what} is an intermediate (issued by {}), not a root\nhint: install the root that issued it, or pass --allow-intermediate to trust the intermediate itself (OpenSSL-based clients then need a partial chain)",
                c.issuer
            );
        }
    }
    Ok(certs)
}

/// Loads the journals: the user's, and the system's (empty, with a warning, when it cannot be
/// read).
pub(crate) fn load_states(machine: &Machine, out: &Output) -> anyhow::Result<(State, State)> {
    let user = State::load(&machine.user_state)?;
    let system = match State::load(&machine.system_state) {
        Ok(s) => s,
        Err(e) => {
            out.warn(&format!("{e:#}"));
            State {
                dir: machine.system_state.clone(),
                journal: Journal::new(),
            }
        }
    };
    Ok((user, system))
}

/// The locks of the state directories this run may change (the system's only as root).
/// A dry run takes none (it writes nothing, not even a lock file); the system's is taken only
/// when the run may change the system's stores.
fn lock(machine: &Machine, asked: &Asked) -> anyhow::Result<Vec<super::state::Lock>> {
    if asked.dry_run {
        return Ok(Vec::new());
    }
    let mut locks = vec![super::state::Lock::take(&machine.user_state)?];
    let system_stores = [StoreKind::System, StoreKind::Java]
        .iter()
        .any(|s| super::wanted(&asked.stores, *s));
    if machine.is_root && (system_stores || machine.system_state.join("journal.json").exists()) {
        locks.push(super::state::Lock::take(&machine.system_state)?);
    }
    Ok(locks)
}

/// With `--yes`, the locks at once (the plan is made under them); otherwise none until the
/// answer is yes, so that a question left unanswered holds nothing and writes nothing.
fn locks_now(machine: &Machine, asked: &Asked) -> anyhow::Result<Vec<super::state::Lock>> {
    if asked.yes {
        lock(machine, asked)
    } else {
        Ok(Vec::new())
    }
}

/// Asks `question`; on yes, the locks, under which the caller reads the journals and plans
/// again; `None` when the answer is no.
fn ask(
    question: &str,
    machine: &Machine,
    asked: &Asked,
    out: &Output,
) -> anyhow::Result<Option<Vec<super::state::Lock>>> {
    if !confirm(question)? {
        out.info("nothing changed");
        return Ok(None);
    }
    lock(machine, asked).map(Some)
}

/// The machine, from the process environment.
pub(crate) fn machine() -> anyhow::Result<Machine> {
    Machine::discover(&Environment::new(std::env::vars_os()))
}

/// Shows the plan for `roots`, asks, and makes it.
pub(crate) fn install(
    machine: &Machine,
    roots: &[Certificate],
    asked: &Asked,
    out: &Output,
) -> anyhow::Result<ExitStatus> {
    let mut locks = locks_now(machine, asked)?;
    let (mut user, mut system) = load_states(machine, out)?;
    let mut plan = plan_install(machine, roots, &asked.stores, &user, &system);
    let mut text = String::from("cabundle trust install: the plan\n");
    for r in roots {
        text.push_str(&format!(
            "  trust    {}\n           SHA-256 {}\n",
            r.subject, r.sha256
        ));
    }
    render(&plan, machine, &mut text);
    print(&text)?;
    if plan.nothing_to_do() {
        out.info("every store trusts it already: nothing to do");
        return Ok(ExitStatus::Ok);
    }
    if asked.dry_run {
        out.info("dry run: nothing changed");
        return Ok(ExitStatus::Ok);
    }
    if !asked.yes {
        let Some(taken) = ask("Make these changes?", machine, asked, out)? else {
            return Ok(ExitStatus::Failure);
        };
        locks = taken;
        (user, system) = load_states(machine, out)?;
        plan = plan_install(machine, roots, &asked.stores, &user, &system);
    }
    let _locks = locks;
    let made = apply_install(machine, &plan, &mut user, &mut system, out)?;
    out.info(&format!(
        "done: {made} change{} made; new shells read the variables (start one, or log in again)",
        if made == 1 { "" } else { "s" }
    ));
    Ok(ExitStatus::Ok)
}

/// Undoes the installation of `root` (every root when `None`).
pub(crate) fn uninstall(
    machine: &Machine,
    roots: Option<&[Certificate]>,
    asked: &Asked,
    out: &Output,
) -> anyhow::Result<ExitStatus> {
    let mut locks = locks_now(machine, asked)?;
    let (mut user, mut system) = load_states(machine, out)?;
    let mut entries = undo_entries(roots, asked, &user, &system);
    if entries.is_empty() {
        out.info("nothing recorded to undo");
        return Ok(ExitStatus::Ok);
    }
    if entries.iter().any(|(s, _)| *s) && !machine.is_root {
        bail!(
            "undoing the system store's changes needs root\nhint: run it with sudo, or pass --store for the user's stores only"
        );
    }
    let mut text = String::from("cabundle trust uninstall: the plan\n");
    for (_, e) in &entries {
        text.push_str(&format!(
            "  {:<8} undo: {}\n",
            e.store.name(),
            describe(&e.change, machine)
        ));
    }
    print(&text)?;
    if asked.dry_run {
        out.info("dry run: nothing changed");
        return Ok(ExitStatus::Ok);
    }
    if !asked.yes {
        let Some(taken) = ask("Undo these changes?", machine, asked, out)? else {
            return Ok(ExitStatus::Failure);
        };
        locks = taken;
        (user, system) = load_states(machine, out)?;
        entries = undo_entries(roots, asked, &user, &system);
    }
    let _locks = locks;
    let left = apply_uninstall(machine, &entries, &mut user, &mut system, out)?;
    out.info(&format!(
        "done: {} change{} undone{}",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        if left.is_empty() {
            String::new()
        } else {
            format!(", {} left as the user changed them", left.len())
        }
    ));
    Ok(ExitStatus::Ok)
}

/// The entries an uninstall of `roots` (every root when `None`) undoes.
fn undo_entries(
    roots: Option<&[Certificate]>,
    asked: &Asked,
    user: &State,
    system: &State,
) -> Vec<(bool, Entry)> {
    let mut entries = Vec::new();
    match roots {
        None => entries = to_undo(None, &asked.stores, user, system),
        Some(roots) => {
            for r in roots {
                let sha = r.sha256.to_string();
                for e in to_undo(Some(&sha), &asked.stores, user, system) {
                    if !entries
                        .iter()
                        .any(|(s, x): &(bool, _)| *s == e.0 && x == &e.1)
                    {
                        entries.push(e);
                    }
                }
            }
        }
    }
    entries
}

/// Lists what is installed where.
pub(crate) fn list(machine: &Machine, out: &Output) -> anyhow::Result<ExitStatus> {
    let (user, system) = load_states(machine, out)?;
    let mut text = String::new();
    let mut roots: Vec<(&str, &str)> = system.journal.roots();
    for r in user.journal.roots() {
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    if roots.is_empty() {
        out.info("no root installed by cabundle trust install");
        return Ok(ExitStatus::Ok);
    }
    let entries = || system.journal.entries.iter().chain(&user.journal.entries);
    for (sha, subject) in &roots {
        text.push_str(&format!("{subject}\n  SHA-256 {sha}\n"));
        for e in entries().filter(|e| e.root == *sha) {
            let state = match e.state {
                EntryState::Done => "",
                EntryState::Pending => " (unfinished: run install again or uninstall)",
                EntryState::Undoing => " (being undone: run uninstall again)",
            };
            text.push_str(&format!(
                "  {:<8} {}{state}\n",
                e.store.name(),
                describe(&e.change, machine)
            ));
        }
    }
    let mut shared = entries().filter(|e| e.root == SHARED).peekable();
    if shared.peek().is_some() {
        text.push_str("For every root above:\n");
        for e in shared {
            text.push_str(&format!(
                "  {:<8} {}\n",
                e.store.name(),
                describe(&e.change, machine)
            ));
        }
    }
    print(&text)?;
    Ok(ExitStatus::Ok)
}

fn render(plan: &Plan, machine: &Machine, text: &mut String) {
    for step in &plan.steps {
        let done = if step.in_place { " (done already)" } else { "" };
        text.push_str(&format!(
            "  {:<8} {}{done}\n",
            step.store.name(),
            describe(&step.change, machine)
        ));
    }
    for (store, reason) in &plan.skipped {
        text.push_str(&format!("  {:<8} skipped: {reason}\n", store.name()));
    }
    for note in &plan.notes {
        text.push_str(&format!("  note     {note}\n"));
    }
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(crate::shared::terminal::lines(text).as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Asks on the terminal; without one, refuses (a script passes `--yes`).
fn confirm(question: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "nothing changed: standard input is not a terminal to ask on\nhint: pass --yes to make the changes, or --dry-run to see them"
        );
    }
    eprint!("{question} [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the answer")?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// The CA certificate at the top of the chain `target` presents, refused when the chain
/// verifies against the system's public roots (the roots cabundle installed left out: nothing
/// to fix) or holds no CA certificate.
pub(crate) fn root_from_host(
    machine: &Machine,
    target: &str,
    timeout: std::time::Duration,
    now: OffsetDateTime,
    out: &Output,
) -> anyhow::Result<Certificate> {
    use crate::shared::tls::{Limits, fetch_chain, read_chain, split_target};
    let (host, port) = split_target(target)?;
    let chain = read_chain(
        &fetch_chain(&host, port, &host, Limits::new(timeout, None))?,
        target,
    )?;
    let (user, system) = load_states(machine, out)?;
    let installed: Vec<String> = user
        .journal
        .roots()
        .into_iter()
        .chain(system.journal.roots())
        .map(|(r, _)| r.to_owned())
        .collect();
    let args = crate::cli::store::StoreArgs {
        bundle: None,
        capath: None,
        system: true,
        manifest: None,
        partial_chain: false,
    };
    let (store, source) = crate::shared::store::load_store(&args, out)?;
    let public: Vec<Certificate> = store
        .into_iter()
        .filter(|c| !installed.contains(&c.sha256.to_string()))
        .collect();
    let opts = cabundle_verify::Options {
        at: now,
        hostname: Some(host.clone()),
        purpose: cabundle_verify::Purpose::Tls,
        manifest: None,
        partial_chain: false,
    };
    if cabundle_verify::verify(&chain, &public, &opts).is_ok_and(|r| r.is_valid()) {
        bail!(
            "the chain {target} sends verifies against the public roots ({source}): there is nothing to fix by trusting another root\nhint: cabundle doctor {target} shows which client fails and why"
        );
    }
    let Some(top) = chain.iter().rev().find(|c| c.is_ca) else {
        bail!(
            "{target} sent no CA certificate (only {} certificate{}), so the root cannot be taken from it\nhint: get the root from whoever runs the proxy or the server, and pass its file",
            chain.len(),
            if chain.len() == 1 { "" } else { "s" }
        );
    };
    out.info(&format!(
        "{target} presents a chain ending at\n  subject {}\n  issuer  {}\n  SHA-256 {}",
        top.subject, top.issuer, top.sha256
    ));
    Ok(top.clone())
}

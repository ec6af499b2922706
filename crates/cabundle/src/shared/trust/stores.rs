//! Each store's change: how it is made through the store's own interface, how cabundle tells it
//! is in place, and how it is undone; and the two runs that go through the journal, install and
//! uninstall.

use super::machine::{Machine, ShellFile};
use super::run::{QUESTION, Ran, TIMEOUT, check, run, run_ok, run_within};
use super::state::{State, file_sha256, read_if_present, remove_if_present, write_keeping_mode};
use super::{Plan, Step};
use crate::output::Output;
use anyhow::Context as _;
use cabundle_cert::Certificate;
use cabundle_clients::shell::set_statements;
use cabundle_trust::block;
use cabundle_trust::journal::{
    Change, Entry, FileRecord, FileState, Journal, SHARED, State as EntryState, StoreKind, Tool,
};
use cabundle_trust::layout::{Distribution, SystemLayout};
use std::path::{Path, PathBuf};

/// The name of a root in every store.
pub(crate) fn label(cert: &Certificate) -> String {
    cabundle_trust::label(&cert.sha256.to_string())
}

/// The system store's change for `cert`.
pub(crate) fn system_change(layout: &SystemLayout, cert: &Certificate) -> Change {
    match layout.anchor_file(&label(cert)) {
        Some(path) => Change::AnchorFile { path },
        None => Change::TrustTool { pem: cert.to_pem() },
    }
}

/// The Java keystore Debian's hook keeps, when it is there: its tool tells the hook only of
/// the links it adds or removes, so a run killed half-way leaves the keystore behind.
fn debian_hook_keystore(layout: &SystemLayout) -> Option<&Path> {
    (layout.distribution == Distribution::Debian)
        .then_some(layout.java_keystore.as_ref())
        .flatten()
        .map(|k| k.path.as_path())
        .filter(|p| p.exists())
}

/// Whether Debian's hook keystore (if there is one) holds `cert`, by the alias the hook gives
/// it.
pub(crate) fn in_hook_keystore(layout: &SystemLayout, cert: &Certificate) -> bool {
    debian_hook_keystore(layout)
        .is_none_or(|k| java_aliases(k).iter().any(|a| a.contains(&label(cert))))
}

/// Whether a file is writable by this process (its directory, for a file that is replaced).
pub(crate) fn writable(path: &Path) -> bool {
    fs_err::OpenOptions::new().append(true).open(path).is_ok()
}

/// Whether a root's change is in place and finished (recorded as done, or made by someone
/// else).
pub(crate) fn in_place(cert: &Certificate, change: &Change, journal: &Journal) -> bool {
    let recorded = journal
        .find(&cert.sha256.to_string(), change)
        .map(|i| journal.entries[i].state);
    if matches!(recorded, Some(EntryState::Pending | EntryState::Undoing)) {
        return false;
    }
    match change {
        Change::AnchorFile { path } => {
            fs_err::read(path).is_ok_and(|b| b == cert.to_pem().as_bytes())
                && recorded == Some(EntryState::Done)
        }
        Change::TrustTool { .. } => recorded == Some(EntryState::Done),
        Change::Nss { database, nickname } => nss_has(database, nickname),
        Change::Java { keystore, alias } => java_has(keystore, alias),
        Change::KeptBundle { path, .. } => {
            recorded == Some(EntryState::Done)
                && fs_err::read(path).is_ok_and(|b| {
                    cabundle_cert::read_certificates(&b)
                        .is_ok_and(|cs| cs.iter().any(|c| c.sha256 == cert.sha256))
                })
        }
        Change::Block { .. } | Change::File { .. } | Change::Setting { .. } => {
            shared_in_place(change)
        }
    }
}

/// Whether a shared change (a block, a file, a setting) is in place.
pub(crate) fn shared_in_place(change: &Change) -> bool {
    match change {
        Change::Block { file, inserted } => fs_err::read(&file.path)
            .is_ok_and(|b| block::has_exact(&b, inserted.trim_start_matches('\n'))),
        Change::File { path, contents } => {
            fs_err::read(path).is_ok_and(|b| b == contents.as_bytes())
        }
        // The tool's value is asked once, by the plan.
        _ => false,
    }
}

/// The change that points `file`'s shell at `bundle`.
pub(crate) fn shell_change(
    file: &ShellFile,
    bundle: &Path,
    user: &State,
) -> anyhow::Result<Change> {
    let statements = set_statements(file.shell, bundle, None)?;
    if file.own {
        let contents = format!(
            "# Written by cabundle trust install; cabundle trust uninstall removes it.\n{statements}"
        );
        return Ok(Change::File {
            path: file.path.clone(),
            contents,
        });
    }
    let record = FileRecord {
        path: file.path.clone(),
        before: FileState::Absent,
        after: None,
    };
    // A block recorded by an earlier run keeps the text it inserted.
    let probe = Change::Block {
        file: record.clone(),
        inserted: String::new(),
    };
    if let Some(i) = user.journal.find(SHARED, &probe) {
        return Ok(user.journal.entries[i].change.clone());
    }
    let current = read_if_present(&file.path)?.unwrap_or_default();
    let text = block::block(&statements);
    let inserted = if block::has_exact(&current, &text) {
        text
    } else {
        block::insertion(&current, &text)
    };
    Ok(Change::Block {
        file: record,
        inserted,
    })
}

/// The files a tool's user configuration lives in (any of them may be rewritten).
fn tool_files(machine: &Machine, tool: Tool) -> Vec<PathBuf> {
    let home = &machine.home;
    let config = &machine.config_home;
    match tool {
        Tool::Pip => vec![config.join("pip/pip.conf"), home.join(".pip/pip.conf")],
        Tool::Npm => vec![home.join(".npmrc")],
        Tool::Git => vec![home.join(".gitconfig"), config.join("git/config")],
        Tool::Conda => vec![home.join(".condarc")],
    }
}

/// The program and the arguments that read, set and unset a tool's setting: each tool's words
/// around its key (`git config --global --get http.sslCAInfo`, `npm config set cafile=V
/// --location=user`, ...).
fn tool_command(tool: Tool, action: Action<'_>) -> (&'static str, Vec<String>) {
    type Words = &'static [&'static str];
    // The program, the words before the action, the action's words (get, set, unset), the
    // words after the key, and whether a value is joined to the key with `=`.
    let (program, before, [get, set, unset], after, joined): (_, Words, [Words; 3], Words, _) =
        match tool {
            Tool::Pip => (
                "python3",
                &["-m", "pip", "config", "--user"],
                [&["get"], &["set"], &["unset"]],
                &[],
                false,
            ),
            Tool::Npm => (
                "npm",
                &["config"],
                [&["get"], &["set"], &["delete"]],
                &["--location=user"],
                true,
            ),
            Tool::Git => (
                "git",
                &["config", "--global"],
                [&["--get"], &[], &["--unset"]],
                &[],
                false,
            ),
            Tool::Conda => (
                "conda",
                &["config"],
                [&["--show"], &["--set"], &["--remove-key"]],
                &[],
                false,
            ),
        };
    let key = tool.key();
    let (words, key_and_value) = match action {
        Action::Get => (get, vec![key.to_owned()]),
        Action::Set(v) if joined => (set, vec![format!("{key}={v}")]),
        Action::Set(v) => (set, vec![key.to_owned(), v.to_owned()]),
        Action::Unset => (unset, vec![key.to_owned()]),
    };
    let args = before
        .iter()
        .chain(words)
        .map(|w| (*w).to_owned())
        .chain(key_and_value)
        .chain(after.iter().map(|w| (*w).to_owned()))
        .collect();
    (program, args)
}

#[derive(Clone, Copy)]
enum Action<'a> {
    Get,
    Set(&'a str),
    Unset,
}

/// The tool's current value of its setting, `None` when unset.
pub(crate) fn tool_value(tool: Tool) -> anyhow::Result<Option<String>> {
    let (program, args) = tool_command(tool, Action::Get);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match run_within(program, &args, &[], QUESTION) {
        Ran::Exited {
            code: 0, stdout, ..
        } => {
            let value = stdout.trim();
            let value = match tool {
                Tool::Conda => value.split_once(':').map_or(value, |(_, v)| v.trim()),
                _ => value,
            };
            Ok(match (tool, value) {
                (_, "") | (Tool::Npm, "null" | "undefined") | (Tool::Conda, "True" | "true") => {
                    None
                }
                _ => Some(value.to_owned()),
            })
        }
        Ran::Exited { .. } => Ok(None),
        Ran::NotFound => anyhow::bail!("{program} is not installed"),
        Ran::TimedOut => anyhow::bail!("{program} did not answer"),
    }
}

fn tool_set(tool: Tool, value: Option<&str>) -> anyhow::Result<()> {
    let (program, args) = match value {
        Some(v) => tool_command(tool, Action::Set(v)),
        None => tool_command(tool, Action::Unset),
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_ok(program, &args, &[]).map(|_| ())
}

/// The change that points a tool's setting at `bundle`.
/// With it, whether it is in place: `now` is the tool's value now (asked once, by the caller).
pub(crate) fn setting_change(
    machine: &Machine,
    tool: Tool,
    bundle: &Path,
    user: &State,
    now: Option<String>,
) -> (Change, bool) {
    let value = bundle.display().to_string();
    let probe = Change::Setting {
        tool,
        value: value.clone(),
        before: None,
        files: Vec::new(),
    };
    let in_place = now.as_deref() == Some(value.as_str());
    // A run killed half-way recorded the value before: keep it.
    if let Some(i) = user.journal.find(SHARED, &probe) {
        return (user.journal.entries[i].change.clone(), in_place);
    }
    let before = now;
    let files = tool_files(machine, tool)
        .into_iter()
        .map(|path| FileRecord {
            path,
            before: FileState::Absent,
            after: None,
        })
        .collect();
    (
        Change::Setting {
            tool,
            value,
            before,
            files,
        },
        in_place,
    )
}

fn nss_has(database: &Path, nickname: &str) -> bool {
    let db = format!("sql:{}", database.display());
    run_within(
        "certutil",
        &["-L", "-d", &db, "-n", nickname],
        &[],
        QUESTION,
    )
    .ok()
}

fn java_has(keystore: &Path, alias: &str) -> bool {
    let ks = keystore.display().to_string();
    keytool(&["-list"], &ks, alias, &[], QUESTION).ok()
}

/// Runs `keytool ACTION` on the keystore `ks` for `alias` (the certificate, when one is read,
/// on standard input).
fn keytool(
    action: &[&str],
    ks: &str,
    alias: &str,
    input: &[u8],
    timeout: std::time::Duration,
) -> Ran {
    let mut args = action.to_vec();
    args.extend(["-keystore", ks, "-storepass", STOREPASS, "-alias", alias]);
    run_within("keytool", &args, input, timeout)
}

/// The aliases of a keystore (none when keytool cannot read it).
fn java_aliases(keystore: &Path) -> Vec<String> {
    let ks = keystore.display().to_string();
    match run(
        "keytool",
        &["-list", "-keystore", &ks, "-storepass", STOREPASS],
        &[],
    ) {
        Ran::Exited {
            code: 0, stdout, ..
        } => stdout
            .lines()
            .filter(|l| l.contains("trustedCertEntry"))
            .filter_map(|l| l.split(", ").next())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Deletes `alias` from the keystore `ks`.
fn java_delete(ks: &str, alias: &str) -> anyhow::Result<()> {
    check(
        keytool(&["-delete"], ks, alias, &[], TIMEOUT),
        "keytool -delete",
    )
}

/// The password of the JDKs' `cacerts` (the same in every JDK).
const STOREPASS: &str = "changeit";

/// Writes `pem` to a temporary file for a tool that reads a file, and runs `f` with its path.
fn with_pem_file<T>(pem: &str, f: impl FnOnce(&str) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let path = dir.path().join("root.pem");
    fs_err::write(&path, pem)?;
    f(&path.display().to_string())
}

/// Whether p11-kit's `trust` holds the certificate as an anchor.
fn trust_has(pem: &str) -> anyhow::Result<bool> {
    let wanted = cabundle_cert::read_certificates(pem.as_bytes())?;
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let out = dir.path().join("anchors.pem");
    let out_arg = out.display().to_string();
    let args = [
        "extract",
        "--format=pem-bundle",
        "--filter=ca-anchors",
        "--overwrite",
        out_arg.as_str(),
    ];
    if !run("trust", &args, &[]).ok() {
        return Ok(false);
    }
    let anchors = cabundle_cert::read_certificates(&fs_err::read(&out)?)?;
    Ok(wanted
        .iter()
        .all(|w| anchors.iter().any(|a| a.sha256 == w.sha256)))
}

/// The kept bundle's bytes: the system's public roots plus every root the journal keeps in it.
fn kept_bundle(machine: &Machine, journal: &Journal) -> anyhow::Result<Option<Vec<u8>>> {
    let pems: Vec<&str> = journal
        .entries
        .iter()
        .filter_map(|e| match &e.change {
            Change::KeptBundle { pem, .. } => Some(pem.as_str()),
            _ => None,
        })
        .collect();
    if pems.is_empty() {
        return Ok(None);
    }
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    if let Some(layout) = &machine.layout
        && let Ok(bytes) = fs_err::read(&layout.bundle)
    {
        for cert in cabundle_cert::read_certificates(&bytes)
            .with_context(|| format!("cannot read {}", layout.bundle.display()))?
        {
            if seen.insert(cert.sha256) {
                out.push_str(&cert.to_pem());
            }
        }
    }
    for pem in pems {
        for cert in cabundle_cert::read_certificates(pem.as_bytes())? {
            if seen.insert(cert.sha256) {
                out.push_str(&cert.to_pem());
            }
        }
    }
    Ok(Some(out.into_bytes()))
}

/// Makes the plan's changes, each recorded before it is made. Returns how many were made.
pub(crate) fn apply_install(
    machine: &Machine,
    plan: &Plan,
    user: &mut State,
    system: &mut State,
    out: &Output,
) -> anyhow::Result<usize> {
    let mut made = 0;
    let mut refresh = false;
    for step in &plan.steps {
        let state = if step.system {
            &mut *system
        } else {
            &mut *user
        };
        let index = match state.journal.find(&step.root, &step.change) {
            Some(i) if state.journal.entries[i].state == EntryState::Done && step.in_place => {
                continue;
            }
            Some(i) => {
                state.journal.entries[i].state = EntryState::Pending;
                i
            }
            None if step.in_place => {
                out.verbose(&format!(
                    "{}: already in place (not made by cabundle; uninstall leaves it)",
                    step.store
                ));
                continue;
            }
            None => {
                let change = record_before(state, &step.change)?;
                state.journal.entries.push(Entry {
                    root: step.root.clone(),
                    subject: step.subject.clone(),
                    store: step.store,
                    change,
                    state: EntryState::Pending,
                });
                state.journal.entries.len() - 1
            }
        };
        state.save()?;
        let change = state.journal.entries[index].change.clone();
        let done = make(machine, &change, step, state).with_context(|| {
            format!(
                "{}: cannot {}",
                step.store,
                super::describe(&change, machine)
            )
        })?;
        state.journal.entries[index].change = done;
        if matches!(change, Change::AnchorFile { .. } | Change::TrustTool { .. }) {
            refresh = true;
        } else {
            state.journal.entries[index].state = EntryState::Done;
        }
        state.save()?;
        made += 1;
        out.info(&format!(
            "{}: {}",
            step.store,
            super::describe(&change, machine)
        ));
    }
    // A system change recorded by a run that was killed before the refresh is finished now.
    refresh |= system
        .journal
        .entries
        .iter()
        .any(|e| e.store == StoreKind::System && e.state == EntryState::Pending);
    if refresh && let Some(layout) = &machine.layout {
        refresh_system(layout, &layout.refresh, out)?;
        // After a run killed half-way the link is there and Debian's hook never hears of the
        // anchor: it is imported with keytool, under the alias the hook gives it.
        for step in plan.steps.iter().filter(|s| s.store == StoreKind::System) {
            if let Some(keystore) = debian_hook_keystore(layout)
                && !java_aliases(keystore)
                    .iter()
                    .any(|a| a.contains(&cabundle_trust::label(&step.root)))
            {
                let ks = keystore.display().to_string();
                let alias = format!("debian:{}.pem", cabundle_trust::label(&step.root));
                let ran = keytool(
                    &["-importcert", "-noprompt"],
                    &ks,
                    &alias,
                    step.pem.as_bytes(),
                    TIMEOUT,
                );
                check(ran, "keytool -importcert")?;
            }
        }
        for e in &mut system.journal.entries {
            if e.store == StoreKind::System && e.state == EntryState::Pending {
                e.state = EntryState::Done;
            }
        }
        system.save()?;
    }
    Ok(made)
}

/// The change with what its files are before it is made (backups kept).
fn record_before(state: &State, change: &Change) -> anyhow::Result<Change> {
    let mut change = change.clone();
    match &mut change {
        Change::Block { file, .. } => file.before = state.back_up(&file.path)?,
        Change::Setting { files, .. } => {
            for f in files {
                f.before = state.back_up(&f.path)?;
            }
        }
        _ => {}
    }
    Ok(change)
}

/// Makes one change (idempotently: a change made already is left as it is) and returns it with
/// what it is after.
fn make(machine: &Machine, change: &Change, step: &Step, state: &State) -> anyhow::Result<Change> {
    let mut change = change.clone();
    match &mut change {
        Change::AnchorFile { path } => {
            let pem = &step.pem;
            if fs_err::read(&*path).map_or(true, |b| b != pem.as_bytes()) {
                write_keeping_mode(path, pem.as_bytes(), Some(0o644))?;
            }
        }
        Change::TrustTool { pem } => {
            if !trust_has(pem)? {
                with_pem_file(pem, |f| run_ok("trust", &["anchor", "--store", f], &[]))?;
            }
        }
        Change::Nss { database, nickname } => {
            if !nss_has(database, nickname) {
                let pem = &step.pem;
                let db = format!("sql:{}", database.display());
                // The certificate on standard input, as PEM (`-a`).
                run_ok(
                    "certutil",
                    &["-A", "-a", "-d", &db, "-n", nickname, "-t", "C,,"],
                    pem.as_bytes(),
                )?;
            }
        }
        Change::Java { keystore, alias } => {
            if !java_has(keystore, alias) {
                let pem = &step.pem;
                let ks = keystore.display().to_string();
                // The certificate on standard input.
                let ran = keytool(
                    &["-importcert", "-noprompt"],
                    &ks,
                    alias,
                    pem.as_bytes(),
                    TIMEOUT,
                );
                check(ran, "keytool -importcert")?;
            }
        }
        Change::KeptBundle { path, .. } => {
            if let Some(bytes) = kept_bundle(machine, &state.journal)?
                && fs_err::read(&*path).map_or(true, |b| b != bytes)
            {
                write_keeping_mode(path, &bytes, Some(0o644))?;
            }
        }
        Change::Block { file, inserted } => {
            let current = read_if_present(&file.path)?.unwrap_or_default();
            if !block::has_exact(&current, inserted.trim_start_matches('\n')) {
                // An older block (another bundle) is replaced.
                let mut bytes = block::without_block(&current).unwrap_or(current);
                bytes.extend_from_slice(inserted.as_bytes());
                write_keeping_mode(&file.path, &bytes, None)?;
            }
            file.after = file_sha256(&file.path)?;
        }
        Change::File { path, contents } => {
            if fs_err::read(&*path).map_or(true, |b| b != contents.as_bytes()) {
                write_keeping_mode(path, contents.as_bytes(), Some(0o644))?;
            }
        }
        Change::Setting {
            tool, value, files, ..
        } => {
            if tool_value(*tool)?.as_deref() != Some(value.as_str()) {
                tool_set(*tool, Some(value))?;
            }
            for f in files {
                f.after = file_sha256(&f.path)?;
            }
        }
    }
    Ok(change)
}

/// Undoes `entries` (from [`super::to_undo`]), each marked as being undone before it is, and
/// removed from its journal once it is. Returns the messages about changes left alone.
pub(crate) fn apply_uninstall(
    machine: &Machine,
    entries: &[(bool, Entry)],
    user: &mut State,
    system: &mut State,
    out: &Output,
) -> anyhow::Result<Vec<String>> {
    let mut left_alone = Vec::new();
    let mut refresh = false;
    // The most recent first.
    for (is_system, entry) in entries.iter().rev() {
        let state = if *is_system { &mut *system } else { &mut *user };
        let Some(index) = state.journal.find(&entry.root, &entry.change) else {
            continue;
        };
        state.journal.entries[index].state = EntryState::Undoing;
        state.save()?;
        let said = undo(&state.journal.entries[index].clone(), state).with_context(|| {
            format!(
                "{}: cannot undo: {}",
                entry.store,
                super::describe(&entry.change, machine)
            )
        })?;
        if let Some(said) = said {
            out.warn(&said);
            left_alone.push(said);
        }
        if matches!(
            entry.change,
            Change::AnchorFile { .. } | Change::TrustTool { .. }
        ) {
            refresh = true;
            continue;
        }
        state.journal.entries.remove(index);
        state.save()?;
        out.info(&format!(
            "{}: undone: {}",
            entry.store,
            super::describe(&entry.change, machine)
        ));
        if let Change::KeptBundle { path, .. } = &entry.change {
            match kept_bundle(machine, &state.journal)? {
                Some(bytes) => write_keeping_mode(path, &bytes, Some(0o644))?,
                None => remove_if_present(path)?,
            }
        }
    }
    let undoing = |e: &Entry| {
        e.store == StoreKind::System
            && e.state == EntryState::Undoing
            && matches!(
                e.change,
                Change::AnchorFile { .. } | Change::TrustTool { .. }
            )
    };
    refresh |= system.journal.entries.iter().any(undoing);
    if refresh && let Some(layout) = &machine.layout {
        refresh_system(layout, &layout.refresh_after_removal, out)?;
        // Debian's tool tells its Java hook only of the certificates its own list removes, so
        // the keystore it rebuilt keeps a removed local anchor: take it out with keytool.
        if let Some(keystore) = debian_hook_keystore(layout) {
            let labels: Vec<String> = system
                .journal
                .entries
                .iter()
                .filter(|e| undoing(e))
                .map(|e| cabundle_trust::label(&e.root))
                .collect();
            for alias in java_aliases(keystore) {
                if labels.iter().any(|l| alias.contains(l.as_str())) {
                    let ks = keystore.display().to_string();
                    java_delete(&ks, &alias)?;
                }
            }
        }
        system.journal.entries.retain(|e| !undoing(e));
        system.save()?;
    }
    user.prune_backups();
    system.prune_backups();
    Ok(left_alone)
}

/// Runs the system store's update tool. Debian's builds its bundle in `<bundle>.new` and
/// appends to one a killed run left behind: that one is removed first.
fn refresh_system(layout: &SystemLayout, command: &[String], out: &Output) -> anyhow::Result<()> {
    if layout.distribution == Distribution::Debian {
        let mut stale = layout.bundle.clone().into_os_string();
        stale.push(".new");
        remove_if_present(Path::new(&stale))?;
    }
    let words: Vec<&str> = command.iter().map(String::as_str).collect();
    out.info(&format!("system: running {}", words.join(" ")));
    run_ok(words[0], &words[1..], &[])?;
    Ok(())
}

/// Removes a file cabundle wrote when `ours` says it still holds what cabundle wrote; a message
/// when it was changed since (it is left as it is).
fn remove_if_ours(path: &Path, ours: impl Fn(&[u8]) -> bool) -> anyhow::Result<Option<String>> {
    match read_if_present(path)? {
        None => Ok(None),
        Some(bytes) if ours(&bytes) => {
            fs_err::remove_file(path)?;
            Ok(None)
        }
        Some(_) => Ok(Some(format!(
            "{} was changed since cabundle wrote it: left as it is",
            path.display()
        ))),
    }
}

/// Undoes one change; a message when something the user changed since was left alone.
fn undo(entry: &Entry, state: &State) -> anyhow::Result<Option<String>> {
    match &entry.change {
        Change::AnchorFile { path } => {
            let ours = |bytes: &[u8]| {
                cabundle_cert::read_certificates(bytes)
                    .is_ok_and(|cs| cs.len() == 1 && cs[0].sha256.to_string() == entry.root)
            };
            remove_if_ours(path, ours)
        }
        Change::TrustTool { pem } => {
            with_pem_file(pem, |f| {
                // Removing an anchor that is gone already is not an error here.
                let _ = run("trust", &["anchor", "--remove", f], &[]);
                Ok(())
            })?;
            Ok(None)
        }
        Change::Nss { database, nickname } => {
            if nss_has(database, nickname) {
                let db = format!("sql:{}", database.display());
                run_ok("certutil", &["-D", "-d", &db, "-n", nickname], &[])?;
            }
            Ok(None)
        }
        Change::Java { keystore, alias } => {
            if java_has(keystore, alias) {
                let ks = keystore.display().to_string();
                java_delete(&ks, alias)?;
            }
            Ok(None)
        }
        Change::KeptBundle { .. } => Ok(None),
        Change::File { path, contents } => remove_if_ours(path, |b| b == contents.as_bytes()),
        Change::Block { file, inserted } => {
            let Some(current) = read_if_present(&file.path)? else {
                return Ok(None);
            };
            let (rest, said) = match block::remove(&current, inserted) {
                block::Removed::Exact(rest) => (rest, None),
                block::Removed::Edited(rest) => (
                    rest,
                    Some(format!(
                        "the block in {} was edited since: removed from its first marker line to its last",
                        file.path.display()
                    )),
                ),
                block::Removed::Absent => return Ok(None),
            };
            let mode = match &file.before {
                FileState::Backup { mode, .. } => Some(*mode),
                FileState::Absent => None,
            };
            if rest.is_empty() && file.before == FileState::Absent {
                fs_err::remove_file(&file.path)?;
            } else {
                write_keeping_mode(&file.path, &rest, mode)?;
            }
            Ok(said)
        }
        Change::Setting {
            tool,
            value,
            before,
            files,
        } => {
            // The hashes after the change are recorded once it was made; without them the run
            // that made it was killed half-way (the entry's state is "undoing" by now).
            let made = files.iter().any(|f| f.after.is_some());
            let unchanged = made
                && files
                    .iter()
                    .all(|f| file_sha256(&f.path).ok().flatten() == f.after);
            let now = tool_value(*tool)?;
            let ours = now.as_deref() == Some(value.as_str());
            if unchanged || (!made && ours) {
                for f in files {
                    state.restore(&f.path, &f.before)?;
                }
                return Ok(None);
            }
            if !made {
                // Killed before the tool set anything: nothing to undo.
                return Ok(None);
            }
            if ours {
                tool_set(*tool, before.as_deref())?;
                Ok(Some(format!(
                    "{}'s configuration was changed since install: {} put back through {} itself, the rest left as it is",
                    tool.store(),
                    tool.key(),
                    tool.store()
                )))
            } else {
                Ok(Some(format!(
                    "{} is now {} (not what cabundle set): left as it is",
                    tool.key(),
                    now.as_deref().unwrap_or("unset")
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(tool: Tool, action: Action<'_>) -> String {
        let (program, args) = tool_command(tool, action);
        format!("{program} {}", args.join(" "))
    }

    #[test]
    fn each_tool_is_asked_and_set_through_its_own_words() {
        let set = Action::Set("/b.pem");
        for (tool, get, set_line, unset) in [
            (
                Tool::Pip,
                "python3 -m pip config --user get global.cert",
                "python3 -m pip config --user set global.cert /b.pem",
                "python3 -m pip config --user unset global.cert",
            ),
            (
                Tool::Npm,
                "npm config get cafile --location=user",
                "npm config set cafile=/b.pem --location=user",
                "npm config delete cafile --location=user",
            ),
            (
                Tool::Git,
                "git config --global --get http.sslCAInfo",
                "git config --global http.sslCAInfo /b.pem",
                "git config --global --unset http.sslCAInfo",
            ),
            (
                Tool::Conda,
                "conda config --show ssl_verify",
                "conda config --set ssl_verify /b.pem",
                "conda config --remove-key ssl_verify",
            ),
        ] {
            assert_eq!(line(tool, Action::Get), get);
            assert_eq!(line(tool, set), set_line);
            assert_eq!(line(tool, Action::Unset), unset);
        }
    }
}

//! The differential rehash check: mutated certificates in a directory, hashed by the real
//! `openssl rehash` and by `cabundle-capath`. A mutant OpenSSL links must be linked under the
//! same hashes here (an error otherwise); one OpenSSL skips should be skipped here, and those
//! that are not are counted and returned.

use crate::mutate::Rng;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// What a differential run compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DifferentialStats {
    /// Mutated files hashed.
    pub mutants: usize,
    /// Links OpenSSL made (and cabundle made the same).
    pub linked: usize,
    /// Files OpenSSL linked nothing for (and cabundle neither).
    pub skipped: usize,
    /// Mutants OpenSSL skips (cannot load) that cabundle links; rehash follows OpenSSL's load
    /// rule, so this stays empty. Kept, as PEM, for the caller to refuse and show.
    pub linked_only_here: Vec<Vec<u8>>,
}

/// The links in `dir`: name to target.
fn links(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_symlink() {
            let target = fs_err::read_link(entry.path())?;
            out.insert(
                entry.file_name().to_string_lossy().into_owned(),
                target.to_string_lossy().into_owned(),
            );
        }
    }
    Ok(out)
}

/// Hashes `batches` directories of `per_batch` mutants of `certificates` (PEM files) with
/// `openssl` and with `cabundle-capath`, and compares, per file, the hashes it is linked under.
/// An error names the first file OpenSSL links differently, with its PEM.
pub fn rehash_differential(
    openssl: &Path,
    certificates: &[Vec<u8>],
    batches: usize,
    per_batch: usize,
    seed: u64,
) -> Result<DifferentialStats, String> {
    let mut rng = Rng::new(seed);
    let mut stats = DifferentialStats::default();
    let certificates: Vec<Vec<u8>> = certificates
        .iter()
        .filter(|c| c.starts_with(b"-----BEGIN CERTIFICATE-----"))
        .cloned()
        .collect();
    if certificates.is_empty() {
        return Ok(stats);
    }
    for batch in 0..batches {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (theirs, ours) = (tmp.path().join("openssl"), tmp.path().join("cabundle"));
        let mut files = BTreeMap::new();
        for dir in [&theirs, &ours] {
            fs_err::create_dir(dir).map_err(|e| e.to_string())?;
        }
        for i in 0..per_batch {
            let mut pem = certificates[rng.below(certificates.len())].clone();
            // Only DER changes: the PEM armour stays valid, so the certificate model decides.
            crate::mutate::mutate_der_only(&mut pem, &mut rng);
            let name = format!("m{i:04}.pem");
            for dir in [&theirs, &ours] {
                fs_err::write(dir.join(&name), &pem).map_err(|e| e.to_string())?;
            }
            files.insert(name, pem);
        }
        stats.mutants += per_batch;
        let out = Command::new(openssl)
            .arg("rehash")
            .arg(&theirs)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", openssl.display()))?;
        // OpenSSL exits 1 when it skipped a file; the links are what counts.
        let _ = out.status;
        let options = cabundle_capath::Options::default();
        let listing = cabundle_capath::scan(&ours, &options).map_err(|e| e.to_string())?;
        let plan = cabundle_capath::plan(&listing, &options);
        let failures = cabundle_capath::apply(&ours, &plan);
        if let Some(f) = failures.first() {
            return Err(f.to_string());
        }
        let (a, b) = (
            links(&theirs).map_err(|e| e.to_string())?,
            links(&ours).map_err(|e| e.to_string())?,
        );
        // Per file, the hashes it is linked under (numbers depend on what else is linked).
        let by_file = |links: &BTreeMap<String, String>| {
            let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (link, target) in links {
                out.entry(target.clone())
                    .or_default()
                    .push(link[..8].to_owned());
            }
            out
        };
        let (theirs_by_file, ours_by_file) = (by_file(&a), by_file(&b));
        for (file, pem) in &files {
            match (theirs_by_file.get(file), ours_by_file.get(file)) {
                (Some(t), Some(o)) if t == o => stats.linked += 1,
                (None, None) => stats.skipped += 1,
                (None, Some(_)) => stats.linked_only_here.push(pem.clone()),
                (t, o) => {
                    return Err(format!(
                        "batch {batch}: {file} is linked as {t:?} by openssl, as {o:?} here:\n{}",
                        String::from_utf8_lossy(pem)
                    ));
                }
            }
        }
    }
    Ok(stats)
}

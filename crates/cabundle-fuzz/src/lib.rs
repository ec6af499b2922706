//! In-process fuzzing on stable Rust: a seeded mutator, one target per parser, and a
//! differential check of `rehash` against the real `openssl rehash`.
//!
//! A run is reproducible: the same seeds, the same `seed` and the same number of inputs give
//! the same inputs. Each input runs under `catch_unwind`; a panic is returned as a
//! [`Failure`] holding the input, and the slowest input's time is kept so a hang shows as a
//! number. Inputs are at most [`MAX_INPUT`] bytes, which bounds what a parser may allocate.
//!
//! Seeds come from two places ([`seeds`]): the project's own generated fixtures (the
//! testkit's corpus, CRLs and a small report made here), and, read at run time, slices of the
//! real CCADB snapshots (roots, intermediates, report rows, certdata objects) when the data
//! folder is there. Nothing from the real data is committed.
//!
//! Mutations are byte-level (flip, set, insert, delete, duplicate, splice, truncate, tokens
//! such as `-----END CERTIFICATE-----`, `"` or `,`) and structure-aware: the DER inside a PEM
//! block is decoded, mutated and encoded again so the base64 layer does not stop it, and in a
//! CCADB report the row's SHA-256 column is fixed up to the mutated certificate so the
//! fingerprint check lets it through to the certificate model.

mod differential;
mod mutate;
mod seeds;

pub use differential::{DifferentialStats, rehash_differential};
pub use mutate::{Rng, mutate};
pub use seeds::{Seeds, seeds};

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// The largest input a target is given.
pub const MAX_INPUT: usize = 1 << 20;

/// One fuzz target: a name and a function that must not panic on any input.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The name, as `cargo xtask fuzz --target` takes it.
    pub name: &'static str,
    /// What the target feeds its input to.
    pub run: fn(&[u8]),
    /// Whether the report fix-up applies (the SHA-256 column follows the mutated PEM).
    pub report_fixup: bool,
}

fn pem_scanner(input: &[u8]) {
    let Ok(blocks) = cabundle_cert::pem_blocks(input) else {
        return;
    };
    // Round trip: a block the scanner found, written again by the one PEM encoder, is read
    // back as the same block (labels PEM can carry: printable ASCII without dashes, no space
    // at either end).
    for block in blocks {
        let label = block.label.as_str();
        let writable = !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'-' || b == b' ')
            && !label.starts_with(' ')
            && !label.ends_with(' ');
        if !writable {
            continue;
        }
        let again = cabundle_cert::encode_pem(label, &block.contents);
        let back = cabundle_cert::pem_blocks(again.as_bytes())
            .unwrap_or_else(|e| panic!("the encoder's own PEM is refused: {e}"));
        assert_eq!(back, [block], "a PEM block changed on its way round");
    }
}

fn certificate_model(input: &[u8]) {
    if let Ok(objects) = cabundle_cert::read_objects(input) {
        // Touch what the rest of the tool reads from each object.
        let _ = format!("{objects:?}");
    }
    let _ = cabundle_cert::read_certificates(input);
}

fn name_canonicaliser(input: &[u8]) {
    let _ = cabundle_cert::canonical_name(input);
    let _ = cabundle_cert::name_hash(input);
    let _ = cabundle_cert::name_hash_old(input);
    let _ = cabundle_cert::display_name(input);
}

fn crl(input: &[u8]) {
    if let Ok(crl) = cabundle_cert::Crl::from_der(input) {
        let _ = format!("{crl:?}");
    }
    let _ = cabundle_cert::hash_only(input, Some(cabundle_cert::ObjectKind::Crl));
    let _ = cabundle_cert::read_objects(input);
}

/// Differential: rehash's hash-only reader (OpenSSL's load rule, no full parse) and the
/// certificate model must give the same hashes and SHA-1 wherever both read the input.
fn hash_agreement(input: &[u8]) {
    let fast = cabundle_cert::hash_only(input, Some(cabundle_cert::ObjectKind::Certificate));
    let full = cabundle_cert::Certificate::from_der(input);
    if let (Ok(fast), Ok(full)) = (fast, full) {
        assert_eq!(
            (fast.hash, fast.hash_old, fast.sha1),
            (full.subject_hash, full.subject_hash_old, full.sha1),
            "the hash-only reader and the model disagree"
        );
    }
}

fn report_csv(input: &[u8]) {
    let _ = cabundle_ccadb::parse_report(input);
}

fn certdata(input: &[u8]) {
    let _ = cabundle_ccadb::parse_certdata(input);
}

fn intermediates(input: &[u8]) {
    let _ = cabundle_ccadb::looks_like_intermediates(input);
    if let Ok(rows) = cabundle_ccadb::parse_intermediates(input) {
        let _ = format!("{rows:?}");
    }
}

fn revoked_intermediates(input: &[u8]) {
    let _ = cabundle_ccadb::looks_like_revoked_intermediates(input);
    if let Ok(rows) = cabundle_ccadb::parse_revoked_intermediates(input) {
        let _ = format!("{rows:?}");
    }
}

/// An OCSP response is read, and judged for a fixed certificate and issuer (which no input
/// is about or signed by: the judgement must end in `unknown`, never in a panic or `good`).
fn ocsp_response(input: &[u8]) {
    use cabundle_verify::revocation::{Answer, Source, check_ocsp, parse_ocsp};
    static PAIR: std::sync::OnceLock<Option<cabundle_cert::Certificate>> =
        std::sync::OnceLock::new();
    let _ = parse_ocsp(input);
    let cert = PAIR.get_or_init(seeds::ocsp_subject);
    if let Some(cert) = cert {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        let finding = check_ocsp(cert, cert, input, at, Source::Stapled);
        assert!(
            matches!(finding.answer, Answer::Unknown(_)),
            "an OCSP response nobody signed answered {:?}",
            finding.answer
        );
    }
}

fn any_report(input: &[u8]) {
    if let Ok(report) = cabundle_ccadb::parse_any(input) {
        let _ = cabundle_ccadb::check_plausible(input, report.roots.len(), 1);
    }
    let _ = cabundle_ccadb::parse_pem_csv(input);
}

fn textproto(input: &[u8]) {
    let _ = cabundle_ccadb::chrome::looks_like_chrome(input);
    let _ = cabundle_ccadb::chrome::parse_chrome(input);
}

fn recipe(input: &[u8]) {
    if let Ok(text) = std::str::from_utf8(input) {
        let _ = cabundle_build::Recipe::parse(text, std::path::Path::new("recipe.toml"));
    }
}

/// A lock that parses is written again by `Lock::to_toml` and parses to the same lock.
fn lock(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let file = std::path::Path::new("lock.toml");
    if let Ok(lock) = cabundle_build::Lock::parse(text, file) {
        let written = lock
            .to_toml()
            .unwrap_or_else(|e| panic!("a parsed lock cannot be written: {e}"));
        let back = cabundle_build::Lock::parse(&written, file)
            .unwrap_or_else(|e| panic!("a written lock is refused: {e}\n{written}"));
        assert_eq!(back, lock, "a lock changed on its way round");
    }
}

/// A manifest that parses is written again and parses to the same manifest.
fn manifest(input: &[u8]) {
    if let Ok(manifest) = cabundle_manifest::Manifest::from_json(input) {
        let back = cabundle_manifest::Manifest::from_json(&manifest.to_json())
            .unwrap_or_else(|e| panic!("a written manifest is refused: {e}"));
        assert_eq!(back, manifest, "a manifest changed on its way round");
    }
}

/// What people type and what the data says, as text: dates and moments parse or not (a date
/// that parses is written and read back the same), and escaped text keeps nothing a terminal
/// would obey.
fn text(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Ok(date) = cabundle_cert::date::parse_date(&text) {
        let written = cabundle_cert::date::format_date(date);
        assert_eq!(
            cabundle_cert::date::parse_date(&written).ok(),
            Some(date),
            "the date {written} is not read back"
        );
    }
    if let Ok(moment) = cabundle_cert::date::parse_moment(&text) {
        let _ = cabundle_cert::date::format_moment(moment);
    }
    let escaped = cabundle_cert::text::escape(&text);
    assert!(
        !escaped.chars().any(cabundle_cert::text::needs_escape),
        "escaped text still holds a character a terminal obeys: {escaped:?}"
    );
}

macro_rules! targets {
    ($($name:literal => $run:ident, $fixup:literal;)*) => {
        /// Every target.
        pub const TARGETS: &[Target] = &[$(Target { name: $name, run: $run, report_fixup: $fixup },)*];
    };
}

targets! {
    "pem" => pem_scanner, false;
    "cert" => certificate_model, false;
    "name" => name_canonicaliser, false;
    "crl" => crl, false;
    "hash" => hash_agreement, false;
    "report" => report_csv, true;
    "certdata" => certdata, false;
    "intermediates" => intermediates, true;
    "textproto" => textproto, false;
    "any" => any_report, true;
    "recipe" => recipe, false;
    "lock" => lock, false;
    "manifest" => manifest, false;
    "text" => text, false;
    "revoked" => revoked_intermediates, true;
    "ocsp" => ocsp_response, false;
}

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The seeds a target starts from.
pub fn seeds_for<'s>(target: &Target, seeds: &'s Seeds) -> &'s [Vec<u8>] {
    match target.name {
        "pem" | "cert" | "crl" | "hash" => &seeds.objects,
        "name" => &seeds.names,
        "report" => &seeds.reports,
        "certdata" => &seeds.certdata,
        "intermediates" => &seeds.intermediates,
        "textproto" => &seeds.textproto,
        "recipe" => &seeds.recipes,
        "lock" => &seeds.locks,
        "manifest" => &seeds.manifests,
        "text" => &seeds.text,
        "revoked" => &seeds.revoked,
        "ocsp" => &seeds.ocsp,
        _ => &seeds.all,
    }
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs tried (seeds included).
    pub inputs: u64,
    /// Seeds it started from.
    pub seeds: usize,
    /// The slowest input.
    pub slowest: Duration,
}

/// An input that made a target panic.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The target.
    pub target: &'static str,
    /// The input, to replay.
    pub input: Vec<u8>,
    /// The panic message.
    pub message: String,
}

/// Runs `target` on its seeds, then on mutants drawn with `seed`, until `budget` is spent or
/// `max_inputs` inputs were tried.
pub fn fuzz(
    target: &Target,
    seeds: &[Vec<u8>],
    budget: Duration,
    max_inputs: u64,
    seed: u64,
) -> Result<Stats, Failure> {
    let mut rng = Rng::new(seed);
    let mut stats = Stats {
        seeds: seeds.len(),
        ..Stats::default()
    };
    let start = Instant::now();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = (|| {
        let mut queue = seeds.iter().cloned();
        while start.elapsed() < budget && stats.inputs < max_inputs {
            let input = match queue.next() {
                Some(seed) => seed,
                None if seeds.is_empty() => rng.bytes(64),
                None => mutate(seeds, &mut rng, target.report_fixup),
            };
            let began = Instant::now();
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
            stats.slowest = stats.slowest.max(began.elapsed());
            stats.inputs += 1;
            if let Err(panic) = outcome {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                return Err(Failure {
                    target: target.name,
                    input,
                    message,
                });
            }
        }
        Ok(stats.clone())
    })();
    std::panic::set_hook(previous);
    result
}

/// Runs the target named `name` on `input` (what each libFuzzer target under `fuzz/` calls).
///
/// # Panics
///
/// When no target has that name, or when the target panics on the input.
pub fn run(name: &str, input: &[u8]) {
    match target(name) {
        Some(target) => (target.run)(input),
        None => panic!("no fuzz target named {name}"),
    }
}

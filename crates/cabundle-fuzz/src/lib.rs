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
    let _ = cabundle_cert::pem_blocks(input);
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

fn report_csv(input: &[u8]) {
    let _ = cabundle_ccadb::parse_report(input);
}

fn certdata(input: &[u8]) {
    let _ = cabundle_ccadb::parse_certdata(input);
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

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "pem",
        run: pem_scanner,
        report_fixup: false,
    },
    Target {
        name: "cert",
        run: certificate_model,
        report_fixup: false,
    },
    Target {
        name: "name",
        run: name_canonicaliser,
        report_fixup: false,
    },
    Target {
        name: "report",
        run: report_csv,
        report_fixup: true,
    },
    Target {
        name: "certdata",
        run: certdata,
        report_fixup: false,
    },
    Target {
        name: "textproto",
        run: textproto,
        report_fixup: false,
    },
    Target {
        name: "any",
        run: any_report,
        report_fixup: true,
    },
];

/// The seeds a target starts from.
pub fn seeds_for<'s>(target: &Target, seeds: &'s Seeds) -> &'s [Vec<u8>] {
    match target.name {
        "pem" | "cert" => &seeds.objects,
        "name" => &seeds.names,
        "report" => &seeds.reports,
        "certdata" => &seeds.certdata,
        "textproto" => &seeds.textproto,
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

//! The fixed-seed fuzz run of the test suite: every target for a few seconds (about 30 s in
//! all) over the generated seeds and, when the shared data folder is there, slices of the real
//! CCADB snapshots; then the differential rehash check against the real `openssl rehash`.
//! `cargo xtask fuzz --time 10m` runs the same targets longer.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

/// The whole fixed-seed run, shared by the targets.
const ALL_TARGETS: Duration = Duration::from_secs(30);

#[test]
fn every_target_survives_a_fixed_seed_run() {
    let data = cabundle_testkit::ccadb_data();
    let seeds = cabundle_fuzz::seeds(data.as_deref());
    let per_target = ALL_TARGETS / cabundle_fuzz::TARGETS.len() as u32;
    for (i, target) in cabundle_fuzz::TARGETS.iter().enumerate() {
        let own = cabundle_fuzz::seeds_for(target, &seeds);
        let stats = cabundle_fuzz::fuzz(target, own, per_target, u64::MAX, 0xf022 + i as u64)
            .unwrap_or_else(|f| {
                panic!(
                    "{} panicked: {}\ninput (lossy): {:?}",
                    f.target,
                    f.message,
                    String::from_utf8_lossy(&f.input)
                )
            });
        assert!(
            stats.inputs > stats.seeds as u64,
            "{}: {stats:?}",
            target.name
        );
        // A hang would show as one input taking seconds.
        assert!(
            stats.slowest < Duration::from_secs(2),
            "{}: {stats:?}",
            target.name
        );
        eprintln!(
            "fuzz {}: {} inputs from {} seeds, slowest {:?}",
            target.name, stats.inputs, stats.seeds, stats.slowest
        );
    }
}

/// Every input a long run found crashing, kept as `tests/regressions/TARGET/NAME`, runs
/// through its target without a panic; and every target of `fuzz/fuzz_targets/` is one of
/// `TARGETS`, and the other way round.
#[test]
fn regressions_stay_fixed_and_the_libfuzzer_targets_are_the_targets() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let regressions = here.join("tests/regressions");
    let mut replayed = 0;
    for target_dir in fs_err::read_dir(&regressions).unwrap() {
        let target_dir = target_dir.unwrap().path();
        if !target_dir.is_dir() {
            continue;
        }
        let name = target_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let target = cabundle_fuzz::target(&name)
            .unwrap_or_else(|| panic!("{}: no target named {name}", target_dir.display()));
        for input in fs_err::read_dir(&target_dir).unwrap() {
            let input = input.unwrap().path();
            (target.run)(&fs_err::read(&input).unwrap());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} regression inputs");
    let libfuzzer = here.join("../../fuzz/fuzz_targets");
    let mut files: Vec<String> = fs_err::read_dir(&libfuzzer)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    files.sort();
    let mut names: Vec<String> = cabundle_fuzz::TARGETS
        .iter()
        .map(|t| t.name.to_owned())
        .collect();
    names.sort();
    assert_eq!(files, names);
    let manifest = fs_err::read_to_string(here.join("../../fuzz/Cargo.toml")).unwrap();
    for name in &names {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] for {name}"
        );
    }
}

#[test]
fn mutants_get_the_links_openssl_gives_them() {
    let Ok(out) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "openssl is required in CI"
        );
        eprintln!("notice: openssl not found; skipping the differential check");
        return;
    };
    assert!(out.status.success());
    let data = cabundle_testkit::ccadb_data();
    let seeds = cabundle_fuzz::seeds(data.as_deref());
    let stats = cabundle_fuzz::rehash_differential(
        std::path::Path::new("openssl"),
        &seeds.objects,
        4,
        100,
        0xd1ff,
    )
    .unwrap();
    assert_eq!(stats.mutants, 400);
    assert!(stats.linked > 0 && stats.skipped > 0, "{stats:?}");
    // Mutants OpenSSL cannot load must be skipped here too (rehash follows OpenSSL's load
    // rule); `CABUNDLE_FUZZ_KEEP=DIR` writes any that are not, to look at.
    let extra = stats.linked_only_here.len();
    if let Some(dir) = std::env::var_os("CABUNDLE_FUZZ_KEEP") {
        for (i, pem) in stats.linked_only_here.iter().enumerate() {
            fs_err::write(
                std::path::Path::new(&dir).join(format!("extra-{i}.pem")),
                pem,
            )
            .unwrap();
        }
    }
    assert_eq!(
        extra,
        0,
        "{extra} mutants OpenSSL skips are linked by cabundle; the first:\n{}",
        stats
            .linked_only_here
            .first()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default()
    );
    eprintln!(
        "differential rehash: {} mutants, {} linked alike, {} skipped alike, {extra} linked only by cabundle",
        stats.mutants, stats.linked, stats.skipped
    );
}

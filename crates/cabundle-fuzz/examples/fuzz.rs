//! The long fuzz run behind `cargo xtask fuzz`: every target (or `--target NAME`) for its
//! share of `--time` (`30s`, `10m`, `1h`), from `--seed N`, then the differential rehash check
//! against `openssl rehash` with `--batches N` directories of 100 mutants. Prints the inputs
//! tried per target; a panicking input is written to `target/fuzz-failures/` and the run
//! exits 1.
//!
//! `--write-seeds DIR` writes each target's seeds to `DIR/TARGET/` instead (the seed corpora
//! of the libFuzzer targets under `fuzz/`), and `--replay TARGET FILE...` runs inputs through a
//! target once (a crash libFuzzer found, replayed on the stable toolchain).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

fn parse_time(text: &str) -> Option<Duration> {
    let (n, scale) = if let Some(n) = text.strip_suffix('h') {
        (n, 3600)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60)
    } else {
        (text.strip_suffix('s').unwrap_or(text), 1)
    };
    n.parse::<u64>()
        .ok()
        .map(|n| Duration::from_secs(n * scale))
}

/// Writes every target's seeds to `dir/TARGET/seed-NNNN`.
fn write_seeds(dir: &Path) -> std::io::Result<()> {
    let data = cabundle_testkit::ccadb_data();
    let seeds = cabundle_fuzz::seeds(data.as_deref());
    for target in cabundle_fuzz::TARGETS {
        let own = dir.join(target.name);
        fs_err::create_dir_all(&own)?;
        for (i, seed) in cabundle_fuzz::seeds_for(target, &seeds).iter().enumerate() {
            fs_err::write(own.join(format!("seed-{i:04}")), seed)?;
        }
        println!(
            "{:<13} {} seeds",
            target.name,
            cabundle_fuzz::seeds_for(target, &seeds).len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = args.as_slice()
        && flag == "--write-seeds"
    {
        return match write_seeds(Path::new(dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        };
    }
    if let [flag, name, files @ ..] = args.as_slice()
        && flag == "--replay"
    {
        let Some(target) = cabundle_fuzz::target(name) else {
            eprintln!("error: no target named {name}");
            return ExitCode::from(2);
        };
        for file in files {
            match fs_err::read(file) {
                Ok(input) => (target.run)(&input),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            }
            println!("{file}: no panic");
        }
        return ExitCode::SUCCESS;
    }
    let mut time = Duration::from_secs(60);
    let mut only: Option<String> = None;
    let mut seed: u64 = 0xf022;
    let mut batches = 20;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next();
        let parsed = match (arg.as_str(), value) {
            ("--time", Some(v)) => parse_time(v).map(|t| time = t),
            ("--target", Some(v)) => {
                only = Some(v.clone());
                Some(())
            }
            ("--seed", Some(v)) => v.parse().ok().map(|s| seed = s),
            ("--batches", Some(v)) => v.parse().ok().map(|b| batches = b),
            _ => None,
        };
        if parsed.is_none() {
            eprintln!(
                "error: bad argument {arg}\nusage: fuzz [--time 10m] [--target NAME] [--seed N] [--batches N]"
            );
            return ExitCode::from(2);
        }
    }
    let data = cabundle_testkit::ccadb_data();
    let seeds = cabundle_fuzz::seeds(data.as_deref());
    println!(
        "seeds: {} ({} from the real data)",
        seeds.all.len(),
        seeds.from_data
    );
    let targets: Vec<_> = cabundle_fuzz::TARGETS
        .iter()
        .filter(|t| only.as_deref().is_none_or(|o| o == t.name))
        .collect();
    if targets.is_empty() {
        eprintln!("error: no target named {}", only.unwrap_or_default());
        return ExitCode::from(2);
    }
    let share = time / targets.len() as u32;
    let mut failed = false;
    for (i, target) in targets.iter().enumerate() {
        let own = cabundle_fuzz::seeds_for(target, &seeds);
        match cabundle_fuzz::fuzz(target, own, share, u64::MAX, seed + i as u64) {
            Ok(stats) => println!(
                "{:<9} {:>10} inputs from {:>4} seeds in {share:?}, slowest {:?}",
                target.name, stats.inputs, stats.seeds, stats.slowest
            ),
            Err(f) => {
                failed = true;
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-failures");
                let path = dir.join(format!("{}-{seed}.bin", f.target));
                let _ = fs_err::create_dir_all(&dir);
                let _ = fs_err::write(&path, &f.input);
                println!(
                    "{:<9} PANIC: {} (input written to {})",
                    f.target,
                    f.message,
                    path.display()
                );
            }
        }
    }
    if only.is_none() {
        match cabundle_fuzz::rehash_differential(
            Path::new("openssl"),
            &seeds.objects,
            batches,
            100,
            seed,
        ) {
            Ok(stats) => println!(
                "rehash differential: {} mutants, {} linked alike, {} skipped alike, {} linked only by cabundle",
                stats.mutants,
                stats.linked,
                stats.skipped,
                stats.linked_only_here.len()
            ),
            Err(e) => {
                failed = true;
                println!("rehash differential: DIFFERENCE: {e}");
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

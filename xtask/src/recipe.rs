//! The files under `bundles/NAME/`: the hand-written recipe, the lock that pins its source,
//! and where the generated expectations (`SHA256SUMS`, `listing.txt`) live.
//!
//! Parsing is pure (text in, values out) so every rule is tested on strings; reading the
//! files happens in [`Bundle::load`].

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The recipe file name inside a bundle folder.
pub const RECIPE: &str = "recipe.toml";
/// The lock file name inside a bundle folder.
pub const LOCK: &str = "lock.toml";
/// The committed digests of the outputs.
pub const SUMS: &str = "SHA256SUMS";
/// The committed readable listing of included and excluded roots.
pub const LISTING: &str = "listing.txt";

pub use cabundle_policy::Purpose;

/// How a [`Purpose`] is written in a recipe: `tls` or `email`. Serde's mirror of the policy's
/// enum (checked against it at compile time), so a recipe names exactly the purposes
/// `cabundle build` knows.
#[derive(Deserialize)]
#[serde(remote = "Purpose", rename_all = "kebab-case")]
enum PurposeDef {
    Tls,
    Email,
}

/// The policy options of a recipe: the knobs `cabundle build` offers.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Which trust bit a root must carry.
    #[serde(with = "PurposeDef")]
    pub purpose: Purpose,
    /// Days after a root's distrust-after date for the purpose before it is left out
    /// (certificates issued before the date stay trusted by Mozilla for their lifetime).
    #[serde(default = "default_grace")]
    pub distrust_grace_days: u32,
    /// Keep roots that have expired at the as-of date.
    #[serde(default)]
    pub include_expired: bool,
}

fn default_grace() -> u32 {
    cabundle_policy::DEFAULT_DISTRUST_GRACE_DAYS
}

fn yes() -> bool {
    true
}

/// A root left out of a bundle by hand, with the reason a reviewer reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// SHA-256 fingerprint of the root, 64 hex digits.
    pub sha256: String,
    /// Why it is left out.
    pub reason: String,
}

/// Which outputs a bundle has besides its PEM bundle, manifest and listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// An OpenSSL hashed `CApath` directory.
    #[serde(default = "yes")]
    pub capath: bool,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs { capath: true }
    }
}

/// A hand-written `recipe.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// One line saying what the bundle is for.
    pub description: String,
    /// How roots are chosen.
    pub policy: Policy,
    /// Roots left out by hand, each with its reason.
    #[serde(default)]
    pub exclude: Vec<Exclusion>,
    /// Which outputs to write.
    #[serde(default)]
    pub outputs: Outputs,
}

impl Recipe {
    /// Parses a recipe and checks its exclusions (fingerprints well formed, unique, reasons
    /// written).
    pub fn parse(text: &str) -> Result<Recipe> {
        let recipe: Recipe = toml::from_str(text)?;
        let mut seen = Vec::new();
        for (i, ex) in recipe.exclude.iter().enumerate() {
            let n = i + 1;
            if !is_sha256_hex(&ex.sha256) {
                bail!(
                    "exclusion {n}: `sha256` must be 64 lower-case hex digits, got `{}`",
                    ex.sha256
                );
            }
            if ex.reason.trim().is_empty() {
                bail!(
                    "exclusion {n} ({}): every exclusion needs a written reason",
                    ex.sha256
                );
            }
            if seen.contains(&ex.sha256) {
                bail!("exclusion {n}: {} is excluded twice", ex.sha256);
            }
            seen.push(ex.sha256.clone());
        }
        Ok(recipe)
    }
}

/// The pinned source of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Where the report is published.
    pub url: String,
    /// SHA-256 of the report's bytes, 64 lower-case hex digits.
    pub sha256: String,
    /// Size of the report in bytes.
    pub size: u64,
    /// The date it was fetched (UTC), which is the as-of date of the build.
    pub fetched: String,
}

/// A `lock.toml`: the source, pinned.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The pinned source.
    pub source: Source,
}

impl Lock {
    /// Parses a lock and checks its fields.
    pub fn parse(text: &str) -> Result<Lock> {
        let lock: Lock = toml::from_str(text)?;
        if !is_sha256_hex(&lock.source.sha256) {
            bail!(
                "`source.sha256` must be 64 lower-case hex digits, got `{}`",
                lock.source.sha256
            );
        }
        parse_date(&lock.source.fetched).context("`source.fetched`")?;
        Ok(lock)
    }

    /// The as-of date of a build from this lock.
    pub fn as_of(&self) -> Result<time::Date> {
        parse_date(&self.source.fetched)
    }

    /// The text of a lock file, as `cargo xtask refresh` writes it.
    pub fn render(&self) -> String {
        let s = &self.source;
        format!(
            "# Generated by `cargo xtask refresh`, do not edit\n\
             # The source of this bundle, pinned. `fetched` (UTC) is the as-of date of the build.\n\
             \n\
             [source]\n\
             url = {url}\n\
             sha256 = \"{sha}\"\n\
             size = {size}\n\
             fetched = \"{fetched}\"\n",
            url = toml_string(&s.url),
            sha = s.sha256,
            size = s.size,
            fetched = s.fetched,
        )
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).with_context(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A bundle folder with its recipe and lock loaded.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The folder name, which is the bundle's name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// The parsed recipe.
    pub recipe: Recipe,
    /// The parsed lock.
    pub lock: Lock,
}

impl Bundle {
    /// Loads `bundles_dir/name`.
    pub fn load(bundles_dir: &Path, name: &str) -> Result<Bundle> {
        let dir = bundles_dir.join(name);
        if !dir.join(RECIPE).is_file() {
            bail!(
                "no bundle named `{name}` (no {} in {})\nhint: the bundles are: {}",
                RECIPE,
                dir.display(),
                names(bundles_dir).unwrap_or_default().join(", ")
            );
        }
        let recipe_path = dir.join(RECIPE);
        let recipe = Recipe::parse(&fs_err::read_to_string(&recipe_path)?)
            .with_context(|| format!("invalid recipe {}", recipe_path.display()))?;
        let lock_path = dir.join(LOCK);
        let lock = Lock::parse(&fs_err::read_to_string(&lock_path)?)
            .with_context(|| format!("invalid lock {}", lock_path.display()))?;
        Ok(Bundle {
            name: name.to_owned(),
            dir,
            recipe,
            lock,
        })
    }

    /// Loads the named bundles, or every bundle when `names` is empty.
    pub fn load_all(bundles_dir: &Path, wanted: &[String]) -> Result<Vec<Bundle>> {
        let wanted = if wanted.is_empty() {
            names(bundles_dir)?
        } else {
            wanted.to_vec()
        };
        if wanted.is_empty() {
            bail!("no bundles found in {}", bundles_dir.display());
        }
        wanted
            .iter()
            .map(|n| Bundle::load(bundles_dir, n))
            .collect()
    }
}

/// The names of the bundle folders (those holding a recipe), sorted.
pub fn names(bundles_dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in fs_err::read_dir(bundles_dir)? {
        let entry = entry?;
        if entry.path().join(RECIPE).is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            out.push(name.to_owned());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "2ed76a78d21c966715c4c450fc9b2fd1bc918a4d7d03d45e75116a9c05f18ae6";

    fn check_recipe(text: &str, expected: std::result::Result<(), &str>) {
        match (Recipe::parse(text), expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(want)) => {
                let got = format!("{e:#}");
                assert!(
                    got.contains(want),
                    "error `{got}` does not contain `{want}`"
                );
            }
            (got, want) => panic!("recipe {text:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn recipes() {
        let base = "description = \"d\"\n[policy]\npurpose = \"tls\"\n";
        check_recipe(base, Ok(()));
        check_recipe(
            &format!("{base}[[exclude]]\nsha256 = \"{SHA}\"\nreason = \"r\"\n"),
            Ok(()),
        );
        check_recipe(
            &format!("{base}[[exclude]]\nsha256 = \"{SHA}\"\nreason = \" \"\n"),
            Err("written reason"),
        );
        check_recipe(
            &format!("{base}[[exclude]]\nsha256 = \"abc\"\nreason = \"r\"\n"),
            Err("64 lower-case hex"),
        );
        check_recipe(
            &format!(
                "{base}[[exclude]]\nsha256 = \"{SHA}\"\nreason = \"r\"\n[[exclude]]\nsha256 = \"{SHA}\"\nreason = \"s\"\n"
            ),
            Err("excluded twice"),
        );
        check_recipe(
            "description = \"d\"\n[policy]\npurpose = \"code\"\n",
            Err("unknown variant"),
        );
        check_recipe(&format!("{base}colour = 1\n"), Err("unknown field"));
        check_recipe(
            "[policy]\npurpose = \"tls\"\n",
            Err("missing field `description`"),
        );
    }

    #[test]
    fn recipe_defaults() {
        let r = Recipe::parse("description = \"d\"\n[policy]\npurpose = \"email\"\n").unwrap();
        assert_eq!(r.policy.purpose, Purpose::Email);
        assert_eq!(r.policy.distrust_grace_days, 398);
        assert!(!r.policy.include_expired && r.outputs.capath);
    }

    #[test]
    fn lock_round_trips() {
        let lock = Lock {
            source: Source {
                url: "https://example.test/report?x=\"1\"".into(),
                sha256: SHA.into(),
                size: 42,
                fetched: "2026-07-01".into(),
            },
        };
        let text = lock.render();
        assert!(text.starts_with("# Generated by `cargo xtask refresh`, do not edit\n"));
        assert_eq!(Lock::parse(&text).unwrap(), lock);
        assert_eq!(lock.as_of().unwrap(), time::macros::date!(2026 - 07 - 01));
    }

    #[test]
    fn bad_locks() {
        let ok = format!(
            "[source]\nurl = \"u\"\nsha256 = \"{SHA}\"\nsize = 1\nfetched = \"2026-07-01\"\n"
        );
        assert!(Lock::parse(&ok).is_ok());
        for (text, want) in [
            (ok.replace("2026-07-01", "2026-13-01"), "not a date"),
            (ok.replace(SHA, &SHA.to_uppercase()), "lower-case hex"),
            (ok.replace("size = 1\n", ""), "missing field `size`"),
        ] {
            let err = format!("{:#}", Lock::parse(&text).unwrap_err());
            assert!(err.contains(want), "`{err}` does not contain `{want}`");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(format_date(parse_date("2026-07-01").unwrap()), "2026-07-01");
        assert!(parse_date("2026-7-1").is_err());
    }
}

//! The files of a release bundle folder (`bundles/NAME/`): the hand-written `recipe.toml`
//! saying how roots (and, with an `[intermediates]` table, intermediates) are chosen, and the
//! `lock.toml` pinning the sources it is built from: the roots report, and the intermediates
//! report beside it when the recipe has intermediates.
//!
//! Parsing is pure (text in, values out), so every rule is tested on strings; reading the
//! files happens in [`Bundle::load`]. Every error names the file and, where it can, the key
//! (`policy.purpose`, `exclude[2].sha256`) or the line and column.
//!
//! A recipe, its lock and the source bytes are all a build needs: see [`crate::release`].

use crate::Error;
use cabundle_cert::Sha256Fingerprint;
use cabundle_cert::date::parse_date;
use cabundle_policy::{PolicyOptions, Purpose};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The recipe's file name inside a bundle folder.
pub const RECIPE_FILE: &str = "recipe.toml";
/// The lock's file name inside a bundle folder.
pub const LOCK_FILE: &str = "lock.toml";

/// Where in a recipe or lock a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A key, dotted, with 1-based indexes into arrays of tables: `exclude[2].reason`.
    Key(String),
    /// A line and column (1-based), where the TOML itself is wrong.
    Line {
        /// The line.
        line: usize,
        /// The column.
        column: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Key(key) => write!(f, "`{key}`"),
            Location::Line { line, column } => write!(f, "line {line}, column {column}"),
        }
    }
}

/// How roots are chosen: the policy options of a recipe.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipePolicy {
    /// Which trust bit a root must carry.
    pub purpose: Purpose,
    /// Days after a root's distrust-after date for the purpose before it is left out
    /// (certificates issued before the date stay trusted by Mozilla for their lifetime).
    pub distrust_grace_days: u32,
    /// Keep roots that have expired at the as-of date.
    pub include_expired: bool,
}

/// A root left out of a bundle by hand, with the reason a reviewer reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipeExclusion {
    /// The root's SHA-256 fingerprint.
    pub sha256: Sha256Fingerprint,
    /// Why it is left out, as written.
    pub reason: String,
}

/// Which outputs a bundle has besides its PEM bundle, manifest and listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipeOutputs {
    /// An OpenSSL hashed `CApath` directory.
    pub capath: bool,
}

/// The intermediates a bundle adds for path building, from the `MozillaIntermediateCertsCSVReport`
/// its lock pins (a recipe's `[intermediates]` table). They are selected as
/// [`crate::select_intermediates`] does, at the as-of date of the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecipeIntermediates {
    /// Write `NAME.intermediates.pem`, the intermediates alone (default true).
    pub pem: bool,
    /// Write `NAME.full.pem`, the roots then the intermediates (default true).
    pub full_pem: bool,
    /// Put the intermediates in the hashed directory too (default false: roots only).
    pub capath: bool,
}

/// A hand-written `recipe.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recipe {
    /// One line saying what the bundle is for.
    pub description: String,
    /// How roots are chosen.
    pub policy: RecipePolicy,
    /// Roots left out by hand, each with its reason, in the recipe's order.
    pub exclude: Vec<RecipeExclusion>,
    /// Which outputs the bundle has.
    pub outputs: RecipeOutputs,
    /// The intermediates, when the recipe has an `[intermediates]` table.
    pub intermediates: Option<RecipeIntermediates>,
}

/// The pinned source of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LockSource {
    /// Where the report is published; the outputs name the source by this URL, wherever the
    /// bytes were found.
    pub url: String,
    /// SHA-256 of the report's bytes.
    pub sha256: Sha256Fingerprint,
    /// Size of the report in bytes.
    pub size: u64,
    /// The date it was fetched (UTC), which is the as-of date of the build.
    #[serde(with = "cabundle_cert::date::iso_date")]
    pub fetched: time::Date,
}

impl LockSource {
    /// A pinned source.
    pub fn new(url: String, sha256: Sha256Fingerprint, size: u64, fetched: time::Date) -> Self {
        LockSource {
            url,
            sha256,
            size,
            fetched,
        }
    }
}

/// A `lock.toml`: the sources, pinned. Read with [`Lock::parse`], written with
/// [`Lock::to_toml`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Lock {
    /// The pinned roots report (`[source]`).
    pub source: LockSource,
    /// The pinned intermediates report (`[intermediates]`), for a recipe with intermediates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intermediates: Option<LockSource>,
}

/// The comment lines a lock file starts with.
const LOCK_HEADER: &str = "\
# Generated by `cargo xtask refresh`, do not edit
# The source of this bundle, pinned. `fetched` (UTC) is the as-of date of the build.

";

/// The comment lines above a lock's `[intermediates]` table.
const LOCK_INTERMEDIATES_COMMENT: &str = "\
# The intermediates report, pinned the same way. With it, the as-of date of the
# build is the later of the two `fetched` dates.
";

impl Lock {
    /// A lock pinning `source`.
    pub fn new(source: LockSource) -> Self {
        Lock {
            source,
            intermediates: None,
        }
    }

    /// This lock, also pinning the intermediates report `intermediates`.
    pub fn with_intermediates(mut self, intermediates: LockSource) -> Self {
        self.intermediates = Some(intermediates);
        self
    }

    /// The as-of date of a build from this lock: the day its newest pinned source was
    /// fetched (the roots report, or the intermediates report when that is newer). A roots
    /// report that has not changed for months keeps its date, and the intermediates issued
    /// since must not be left out as not yet valid.
    pub fn as_of(&self) -> time::Date {
        self.intermediates
            .as_ref()
            .map_or(self.source.fetched, |i| i.fetched.max(self.source.fetched))
    }

    /// The text of the lock file: its comment lines, then the tables as the `toml` crate
    /// writes this type (the one [`Lock::parse`] reads back).
    pub fn to_toml(&self) -> Result<String, Error> {
        let body = toml::to_string(self).map_err(|source| Error::LockToml { source })?;
        let body = body.replacen(
            "\n[intermediates]\n",
            &format!("\n{LOCK_INTERMEDIATES_COMMENT}[intermediates]\n"),
            1,
        );
        Ok(format!("{LOCK_HEADER}{body}"))
    }

    /// Parses a lock; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Lock, Error> {
        let bad = |at: Location, reason: String| Error::InvalidLock {
            file: file.to_owned(),
            at,
            reason,
        };
        let raw: RawLock = toml::from_str(text).map_err(|e| {
            let (at, reason) = toml_problem(text, &e);
            bad(at, reason)
        })?;
        let source = |table: &str, raw: RawSource| -> Result<LockSource, Error> {
            let key = |k: &str| Location::Key(format!("{table}.{k}"));
            let sha256 = parse_sha256(&raw.sha256).map_err(|r| bad(key("sha256"), r))?;
            let fetched =
                parse_date(&raw.fetched).map_err(|r| bad(key("fetched"), r.to_string()))?;
            Ok(LockSource::new(raw.url, sha256, raw.size, fetched))
        };
        Ok(Lock {
            source: source("source", raw.source)?,
            intermediates: raw
                .intermediates
                .map(|raw| source("intermediates", raw))
                .transpose()?,
        })
    }
}

impl Recipe {
    /// Parses a recipe and checks its exclusions (fingerprints well formed and unique,
    /// reasons written); `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Recipe, Error> {
        let bad = |at: Location, reason: String| Error::InvalidRecipe {
            file: file.to_owned(),
            at,
            reason,
        };
        let raw: RawRecipe = toml::from_str(text).map_err(|e| {
            let (at, reason) = toml_problem(text, &e);
            bad(at, reason)
        })?;
        let purpose = raw
            .policy
            .purpose
            .parse::<Purpose>()
            .map_err(|r| bad(Location::Key("policy.purpose".into()), r.to_string()))?;
        let mut exclude: Vec<RecipeExclusion> = Vec::new();
        for (i, ex) in raw.exclude.into_iter().enumerate() {
            let key = |k: &str| Location::Key(format!("exclude[{}].{k}", i + 1));
            let sha256 = parse_sha256(&ex.sha256).map_err(|r| bad(key("sha256"), r))?;
            if ex.reason.trim().is_empty() {
                return Err(bad(
                    key("reason"),
                    format!("every exclusion needs a written reason ({sha256} has none)"),
                ));
            }
            if let Some(first) = exclude.iter().position(|e| e.sha256 == sha256) {
                return Err(bad(
                    key("sha256"),
                    format!("{sha256} is already excluded by exclude[{}]", first + 1),
                ));
            }
            exclude.push(RecipeExclusion {
                sha256,
                reason: ex.reason,
            });
        }
        let intermediates = match raw.intermediates {
            None => None,
            Some(i) => {
                let key = |k: &str| Location::Key(format!("intermediates.{k}"));
                let capath = raw.outputs.as_ref().is_none_or(|o| o.capath);
                if i.capath && !capath {
                    return Err(bad(
                        key("capath"),
                        "the bundle has no hashed directory (`outputs.capath` is false) to put the intermediates in".into(),
                    ));
                }
                if !(i.pem || i.full_pem || i.capath) {
                    return Err(bad(
                        Location::Key("intermediates".into()),
                        "the intermediates go to no output: set `pem`, `full_pem` or `capath`"
                            .into(),
                    ));
                }
                Some(RecipeIntermediates {
                    pem: i.pem,
                    full_pem: i.full_pem,
                    capath: i.capath,
                })
            }
        };
        Ok(Recipe {
            description: raw.description,
            policy: RecipePolicy {
                purpose,
                distrust_grace_days: raw
                    .policy
                    .distrust_grace_days
                    .unwrap_or(cabundle_policy::DEFAULT_DISTRUST_GRACE_DAYS),
                include_expired: raw.policy.include_expired,
            },
            exclude,
            outputs: RecipeOutputs {
                capath: raw.outputs.is_none_or(|o| o.capath),
            },
            intermediates,
        })
    }

    /// The exclusion of `sha256`, if the recipe has one.
    pub fn exclusion(&self, sha256: &Sha256Fingerprint) -> Option<&RecipeExclusion> {
        self.exclude.iter().find(|e| &e.sha256 == sha256)
    }
}

/// A bundle folder with its recipe and lock loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Bundle {
    /// The folder's name, which is the bundle's name and the stem of its output files.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// The parsed recipe.
    pub recipe: Recipe,
    /// The parsed lock.
    pub lock: Lock,
}

impl Bundle {
    /// A bundle from its parts.
    pub fn new(name: String, dir: PathBuf, recipe: Recipe, lock: Lock) -> Self {
        Bundle {
            name,
            dir,
            recipe,
            lock,
        }
    }

    /// Loads the bundle folder `dir`: its [`RECIPE_FILE`] and [`LOCK_FILE`]. The bundle is
    /// named after the folder.
    pub fn load(dir: &Path) -> Result<Bundle, Error> {
        let recipe_path = dir.join(RECIPE_FILE);
        if !recipe_path.is_file() {
            return Err(Error::NoRecipe {
                dir: dir.to_owned(),
            });
        }
        let name = bundle_name(dir).ok_or_else(|| Error::NoRecipe {
            dir: dir.to_owned(),
        })?;
        let recipe = Recipe::parse(&read_text(&recipe_path)?, &recipe_path)?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = Lock::parse(&read_text(&lock_path)?, &lock_path)?;
        check_pins(&recipe, &lock, &lock_path)?;
        Ok(Bundle::new(name, dir.to_owned(), recipe, lock))
    }

    /// The lock file's path.
    pub fn lock_file(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// The policy options of the bundle: its recipe at the as-of date of its lock.
    ///
    /// The recipe's exclusions become [`PolicyOptions::excludes`], each with its written
    /// reason, so the manifest and the explanation carry it.
    pub fn policy_options(&self) -> PolicyOptions {
        let policy = &self.recipe.policy;
        let mut opts = PolicyOptions::new(policy.purpose, self.lock.as_of());
        opts.distrust_grace_days = policy.distrust_grace_days;
        opts.include_expired = policy.include_expired;
        opts.excludes = self
            .recipe
            .exclude
            .iter()
            .map(|e| cabundle_policy::Exclusion {
                sha256: e.sha256,
                reason: e.reason.clone(),
            })
            .collect();
        opts
    }

    /// The pinned intermediates report, for a recipe with intermediates; an error naming the
    /// lock's missing `intermediates` table when the lock does not pin one yet.
    pub fn intermediates_source(&self) -> Result<Option<&LockSource>, Error> {
        match (&self.recipe.intermediates, &self.lock.intermediates) {
            (None, _) => Ok(None),
            (Some(_), Some(source)) => Ok(Some(source)),
            (Some(_), None) => Err(Error::InvalidLock {
                file: self.lock_file(),
                at: Location::Key("intermediates".into()),
                reason: "missing: the recipe has intermediates, so the lock must pin the intermediates report".into(),
            }),
        }
    }

    /// Checks that `report` is the intermediates report the lock pins (its SHA-256);
    /// `source_name` says where the bytes came from in the error.
    pub fn check_intermediates_source(
        &self,
        report: &[u8],
        source_name: &str,
    ) -> Result<(), Error> {
        let Some(pinned) = self.intermediates_source()? else {
            return Err(Error::NoIntermediatesInRecipe {
                bundle: self.name.clone(),
            });
        };
        let actual = Sha256Fingerprint::of(report);
        if actual != pinned.sha256 {
            return Err(Error::IntermediatesMismatch {
                source_name: source_name.to_owned(),
                actual,
                lock_file: self.lock_file(),
                expected: pinned.sha256,
            });
        }
        Ok(())
    }

    /// Checks that `report` is the source the lock pins (its SHA-256); `source_name` (a file
    /// name or URL) says where the bytes came from in the error.
    pub fn check_source(&self, report: &[u8], source_name: &str) -> Result<(), Error> {
        let actual = Sha256Fingerprint::of(report);
        if actual != self.lock.source.sha256 {
            return Err(Error::SourceMismatch {
                source_name: source_name.to_owned(),
                actual,
                lock_file: self.lock_file(),
                expected: self.lock.source.sha256,
            });
        }
        Ok(())
    }
}

/// A lock may pin an intermediates report only for a recipe with intermediates: a pin nothing
/// reads is stale. (A recipe with intermediates and a lock without the pin loads, so that
/// refreshing can pin it; building it is an error, see [`Bundle::intermediates_source`].)
pub fn check_pins(recipe: &Recipe, lock: &Lock, lock_file: &Path) -> Result<(), Error> {
    if recipe.intermediates.is_none() && lock.intermediates.is_some() {
        return Err(Error::InvalidLock {
            file: lock_file.to_owned(),
            at: Location::Key("intermediates".into()),
            reason: "the recipe has no `[intermediates]` table, so nothing reads this pin".into(),
        });
    }
    Ok(())
}

/// The folder name of `dir`, also when given as `.` or `..`.
fn bundle_name(dir: &Path) -> Option<String> {
    match dir.file_name() {
        Some(n) => Some(n.to_string_lossy().into_owned()),
        None => fs_err::canonicalize(dir)
            .ok()?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    }
}

/// 64 lower-case hex digits, the one spelling the committed files use.
fn parse_sha256(text: &str) -> Result<Sha256Fingerprint, String> {
    let ok = text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let mut out = [0u8; 32];
    if ok && hex::decode_to_slice(text, &mut out).is_ok() {
        Ok(Sha256Fingerprint(out))
    } else {
        Err(format!("expected 64 lower-case hex digits, got `{text}`"))
    }
}

/// Where a TOML or shape error is, and what it says, without TOML's multi-line snippet.
fn toml_problem(text: &str, err: &toml::de::Error) -> (Location, String) {
    let offset = err.span().map_or(0, |s| s.start);
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (
        Location::Line { line, column },
        err.message().trim().to_owned(),
    )
}

/// A recipe as written, before its values are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipe {
    description: String,
    policy: RawPolicy,
    #[serde(default)]
    exclude: Vec<RawExclusion>,
    outputs: Option<RawOutputs>,
    intermediates: Option<RawIntermediates>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntermediates {
    #[serde(default = "yes")]
    pem: bool,
    #[serde(default = "yes")]
    full_pem: bool,
    #[serde(default)]
    capath: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    purpose: String,
    distrust_grace_days: Option<u32>,
    #[serde(default)]
    include_expired: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    sha256: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutputs {
    #[serde(default = "yes")]
    capath: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    source: RawSource,
    intermediates: Option<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: String,
    sha256: String,
    size: u64,
    fetched: String,
}

/// A recipe or lock file as text: a regular file within the input cap
/// ([`cabundle_cert::READ_CAP`]), so a FIFO or device in its place is refused, not waited on.
fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = cabundle_cert::read_bounded(path, cabundle_cert::READ_CAP)
        .map_err(std::io::Error::other)?;
    String::from_utf8(bytes).map_err(|_| {
        let why = format!("{} is not UTF-8 text", path.display());
        Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, why))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "2ed76a78d21c966715c4c450fc9b2fd1bc918a4d7d03d45e75116a9c05f18ae6";
    const BASE: &str = "description = \"d\"\n[policy]\npurpose = \"tls\"\n";

    fn check_recipe(text: &str, expected: Result<(), &str>) {
        match (Recipe::parse(text, Path::new("r/recipe.toml")), expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(want)) => {
                let got = e.to_string();
                assert_eq!(got, want, "recipe {text:?}");
            }
            (got, want) => panic!("recipe {text:?}: got {got:?}, want {want:?}"),
        }
    }

    fn exclusion(sha: &str, reason: &str) -> String {
        format!("[[exclude]]\nsha256 = \"{sha}\"\nreason = \"{reason}\"\n")
    }

    #[test]
    fn recipes() {
        check_recipe(BASE, Ok(()));
        check_recipe(&format!("{BASE}{}", exclusion(SHA, "r")), Ok(()));
        check_recipe(
            &format!("{BASE}{}", exclusion(SHA, " ")),
            Err(&format!(
                "invalid recipe r/recipe.toml: `exclude[1].reason`: every exclusion needs a written reason ({SHA} has none)"
            )),
        );
        check_recipe(
            &format!("{BASE}{}", exclusion("abc", "r")),
            Err(
                "invalid recipe r/recipe.toml: `exclude[1].sha256`: expected 64 lower-case hex digits, got `abc`",
            ),
        );
        check_recipe(
            &format!("{BASE}{}", exclusion(&SHA.to_uppercase(), "r")),
            Err(&format!(
                "invalid recipe r/recipe.toml: `exclude[1].sha256`: expected 64 lower-case hex digits, got `{}`",
                SHA.to_uppercase()
            )),
        );
        check_recipe(
            &format!("{BASE}{}{}", exclusion(SHA, "r"), exclusion(SHA, "s")),
            Err(&format!(
                "invalid recipe r/recipe.toml: `exclude[2].sha256`: {SHA} is already excluded by exclude[1]"
            )),
        );
        check_recipe(
            "description = \"d\"\n[policy]\npurpose = \"code\"\n",
            Err(
                "invalid recipe r/recipe.toml: `policy.purpose`: unknown purpose \"code\" (expected tls or email)",
            ),
        );
        check_recipe(
            &format!("{BASE}colour = 1\n"),
            Err(
                "invalid recipe r/recipe.toml: line 4, column 1: unknown field `colour`, expected one of `purpose`, `distrust_grace_days`, `include_expired`",
            ),
        );
        check_recipe(
            "[policy]\npurpose = \"tls\"\n",
            Err("invalid recipe r/recipe.toml: line 1, column 1: missing field `description`"),
        );
        check_recipe(
            "description = \"d\"\n[policy\n",
            Err("invalid recipe r/recipe.toml: line 2, column 8: unclosed table, expected `]`"),
        );
    }

    #[test]
    fn recipe_values_and_defaults() {
        let r = Recipe::parse(
            "description = \"d\"\n[policy]\npurpose = \"email\"\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(r.policy.purpose, Purpose::Email);
        assert_eq!(r.policy.distrust_grace_days, 398);
        assert!(!r.policy.include_expired && r.outputs.capath && r.exclude.is_empty());

        let text = format!(
            "{BASE}distrust_grace_days = 7\ninclude_expired = true\n[outputs]\ncapath = false\n{}",
            exclusion(SHA, "a reason")
        );
        let r = Recipe::parse(&text, Path::new("x")).unwrap();
        assert_eq!(
            (r.policy.distrust_grace_days, r.policy.include_expired),
            (7, true)
        );
        assert!(!r.outputs.capath);
        let sha: Sha256Fingerprint = SHA.parse().unwrap();
        assert_eq!(r.exclude[0].sha256, sha);
        assert_eq!(
            r.exclusion(&sha).map(|e| e.reason.as_str()),
            Some("a reason")
        );
    }

    #[test]
    fn locks() {
        let ok = format!(
            "[source]\nurl = \"u\"\nsha256 = \"{SHA}\"\nsize = 1\nfetched = \"2026-07-01\"\n"
        );
        let lock = Lock::parse(&ok, Path::new("l")).unwrap();
        assert_eq!(lock.as_of(), time::macros::date!(2026 - 07 - 01));
        assert_eq!(lock.source.sha256.to_string(), SHA);
        assert_eq!((lock.source.url.as_str(), lock.source.size), ("u", 1));
        for (text, want) in [
            (
                ok.replace("2026-07-01", "2026-13-01"),
                "invalid lock l: `source.fetched`: invalid date \"2026-13-01\": expected YYYY-MM-DD",
            ),
            (
                ok.replace(SHA, "12"),
                "invalid lock l: `source.sha256`: expected 64 lower-case hex digits, got `12`",
            ),
            (
                ok.replace("size = 1\n", ""),
                "invalid lock l: line 1, column 1: missing field `size`",
            ),
        ] {
            let err = Lock::parse(&text, Path::new("l")).unwrap_err().to_string();
            assert_eq!(err, want);
        }
    }

    #[test]
    fn intermediates_tables() {
        let r = Recipe::parse(BASE, Path::new("x")).unwrap();
        assert_eq!(r.intermediates, None);
        let r = Recipe::parse(&format!("{BASE}[intermediates]\n"), Path::new("x")).unwrap();
        assert_eq!(
            r.intermediates,
            Some(RecipeIntermediates {
                pem: true,
                full_pem: true,
                capath: false
            })
        );
        let r = Recipe::parse(
            &format!("{BASE}[intermediates]\npem = false\ncapath = true\n"),
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(
            r.intermediates,
            Some(RecipeIntermediates {
                pem: false,
                full_pem: true,
                capath: true
            })
        );
        check_recipe(
            &format!("{BASE}[outputs]\ncapath = false\n[intermediates]\ncapath = true\n"),
            Err(
                "invalid recipe r/recipe.toml: `intermediates.capath`: the bundle has no hashed directory (`outputs.capath` is false) to put the intermediates in",
            ),
        );
        check_recipe(
            &format!("{BASE}[intermediates]\npem = false\nfull_pem = false\n"),
            Err(
                "invalid recipe r/recipe.toml: `intermediates`: the intermediates go to no output: set `pem`, `full_pem` or `capath`",
            ),
        );
        check_recipe(
            &format!("{BASE}[intermediates]\nurl = \"u\"\n"),
            Err(
                "invalid recipe r/recipe.toml: line 5, column 1: unknown field `url`, expected one of `pem`, `full_pem`, `capath`",
            ),
        );
        check_recipe(
            &format!("{BASE}[intermediates]\npem = \"yes\"\n"),
            Err(
                "invalid recipe r/recipe.toml: line 5, column 7: invalid type: string \"yes\", expected a boolean",
            ),
        );
    }

    #[test]
    fn intermediates_locks() {
        let roots = format!(
            "[source]\nurl = \"u\"\nsha256 = \"{SHA}\"\nsize = 1\nfetched = \"2026-07-01\"\n"
        );
        let ok = format!(
            "{roots}[intermediates]\nurl = \"i\"\nsha256 = \"{}\"\nsize = 2\nfetched = \"2026-07-25\"\n",
            "b".repeat(64)
        );
        let lock = Lock::parse(&ok, Path::new("l")).unwrap();
        // The newer pin's date: the intermediates report is newer here.
        assert_eq!(lock.as_of(), time::macros::date!(2026 - 07 - 25));
        let older = ok.replace("2026-07-25", "2026-06-01");
        let older = Lock::parse(&older, Path::new("l")).unwrap();
        assert_eq!(older.as_of(), time::macros::date!(2026 - 07 - 01));
        let i = lock.intermediates.as_ref().unwrap();
        assert_eq!((i.url.as_str(), i.size), ("i", 2));
        assert_eq!(i.fetched, time::macros::date!(2026 - 07 - 25));
        assert_eq!(
            Lock::parse(&roots, Path::new("l")).unwrap().intermediates,
            None
        );
        for (text, want) in [
            (
                ok.replace("2026-07-25", "2026-07-32"),
                "invalid lock l: `intermediates.fetched`: invalid date \"2026-07-32\": expected YYYY-MM-DD",
            ),
            (
                ok.replace(&"b".repeat(64), "B"),
                "invalid lock l: `intermediates.sha256`: expected 64 lower-case hex digits, got `B`",
            ),
            (
                ok.replace("size = 2\n", ""),
                "invalid lock l: line 6, column 1: missing field `size`",
            ),
        ] {
            let err = Lock::parse(&text, Path::new("l")).unwrap_err().to_string();
            assert_eq!(err, want);
        }

        // A pin nothing reads is refused; a recipe with intermediates and no pin loads, and
        // its build names the missing table.
        let plain = Recipe::parse(BASE, Path::new("r")).unwrap();
        let with = Recipe::parse(&format!("{BASE}[intermediates]\n"), Path::new("r")).unwrap();
        let pinned = Lock::parse(&ok, Path::new("l")).unwrap();
        let unpinned = Lock::parse(&roots, Path::new("l")).unwrap();
        assert_eq!(
            check_pins(&plain, &pinned, Path::new("b/lock.toml"))
                .unwrap_err()
                .to_string(),
            "invalid lock b/lock.toml: `intermediates`: the recipe has no `[intermediates]` table, so nothing reads this pin"
        );
        assert!(check_pins(&with, &unpinned, Path::new("b/lock.toml")).is_ok());
        let bundle = Bundle::new("b".into(), "b".into(), with.clone(), unpinned);
        assert_eq!(
            bundle.intermediates_source().unwrap_err().to_string(),
            "invalid lock b/lock.toml: `intermediates`: missing: the recipe has intermediates, so the lock must pin the intermediates report"
        );
        let bundle = Bundle::new("b".into(), "b".into(), with, pinned);
        assert_eq!(bundle.intermediates_source().unwrap().unwrap().url, "i");
        let err = bundle
            .check_intermediates_source(b"x", "i.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "i.csv is not the intermediates report b/lock.toml pins: its SHA-256 is {}, the lock's is {}",
                Sha256Fingerprint::of(b"x"),
                "b".repeat(64)
            )
        );
        let plain = Bundle::new(
            "p".into(),
            "p".into(),
            plain,
            Lock::parse(&roots, Path::new("l")).unwrap(),
        );
        assert_eq!(
            plain
                .check_intermediates_source(b"x", "i.csv")
                .unwrap_err()
                .to_string(),
            "the recipe of p has no `[intermediates]` table, so it takes no intermediates report"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            cabundle_cert::date::format_date(parse_date("2026-07-01").unwrap()),
            "2026-07-01"
        );
        assert!(parse_date("2026-7-1").is_err());
    }

    #[test]
    fn bundle_folders() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("my-roots");
        fs_err::create_dir(&b).unwrap();
        let err = Bundle::load(&b).unwrap_err().to_string();
        assert!(err.starts_with("no recipe.toml in "), "{err}");
        fs_err::write(b.join(RECIPE_FILE), BASE).unwrap();
        fs_err::write(
            b.join(LOCK_FILE),
            format!(
                "[source]\nurl = \"u\"\nsha256 = \"{SHA}\"\nsize = 1\nfetched = \"2026-07-01\"\n"
            ),
        )
        .unwrap();
        let bundle = Bundle::load(&b).unwrap();
        assert_eq!(bundle.name, "my-roots");
        assert_eq!(Bundle::load(&b.join(".")).unwrap().name, "my-roots");
        let opts = bundle.policy_options();
        assert_eq!(
            (opts.purpose, opts.as_of),
            (Purpose::Tls, time::macros::date!(2026 - 07 - 01))
        );

        assert!(bundle.check_source(b"x", "x.csv").is_err());
        let err = bundle.check_source(b"other", "report.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "report.csv is not the source {} pins: its SHA-256 is {}, the lock's is {SHA}",
                b.join(LOCK_FILE).display(),
                Sha256Fingerprint::of(b"other")
            )
        );
    }
}

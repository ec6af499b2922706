//! The Chrome Root Store's rules, for roots read from a `root_store.textproto`.
//!
//! [`decide`](crate::decide) applies them to every root that carries a
//! [`ChromeTrust`]; the other rules (exclusions, the purpose, the grace period and expiry) are
//! the same as for Mozilla's roots. Chromium's `root_store.proto` defines the fields:
//!
//! - an anchor with no `constraints` is trusted;
//! - an anchor with constraint sets is trusted when at least one set applies to the latest
//!   Chrome and passes: a set with `max_version_exclusive` is for older versions only and does
//!   not apply; a `min_version` always holds for the latest version;
//! - `sct_not_after_sec` is read as a distrust-after date (the day of that moment, UTC), left
//!   out after the grace period like Mozilla's distrust-after dates; when several applicable
//!   sets pass, the most lenient one counts (a set without a date means no distrust);
//! - a set with `permitted_dns_names` or `sct_all_after_sec` cannot be carried by a bundle, so
//!   it does not count;
//! - `additional_certs` entries (EU trust list certificates and intermediates Chrome accepts as
//!   TLS trust anchors) are not roots: left out with [`Reason::NotAnAnchor`].

use crate::Reason;
use cabundle_ccadb::Date;
use cabundle_ccadb::chrome::{ChromeAnchor, ChromeList, ChromeTrust};

/// Why an entry that is not a root is left out, or `None` for a `trust_anchors` entry.
pub fn not_an_anchor(trust: &ChromeTrust) -> Option<Reason> {
    match trust.list {
        ChromeList::TrustAnchors => None,
        ChromeList::AdditionalCerts => {
            let what = if trust.anchor.tls_trust_anchor {
                "an additional certificate of the Chrome Root Store (an intermediate Chrome accepts as a TLS trust anchor under its root's constraints)"
            } else if trust.anchor.eutl {
                "an additional certificate of the Chrome Root Store (on the EU trust list, for display only)"
            } else {
                "an additional certificate of the Chrome Root Store"
            };
            Some(Reason::NotAnAnchor {
                what: what.to_owned(),
            })
        }
    }
}

/// The distrust-after date the anchor's constraints amount to for the latest Chrome (`None`:
/// trusted without one), or the reason no constraint set lets it be trusted.
pub fn distrust_after(anchor: &ChromeAnchor) -> Result<Option<Date>, Reason> {
    if anchor.constraints.is_empty() {
        return Ok(None);
    }
    let applicable: Vec<_> = anchor
        .constraints
        .iter()
        .filter(|set| set.max_version_exclusive.is_none())
        .collect();
    if applicable.is_empty() {
        let versions: Vec<&str> = anchor
            .constraints
            .iter()
            .filter_map(|set| set.max_version_exclusive.as_deref())
            .collect();
        return Err(Reason::NoConstraintSetApplies {
            why: format!(
                "every constraint set is for Chrome before version {}",
                versions.join(", ")
            ),
        });
    }
    let usable: Vec<_> = applicable
        .iter()
        .filter(|set| set.permitted_dns_names.is_empty() && set.sct_all_after_sec.is_none())
        .collect();
    if usable.is_empty() {
        return Err(Reason::NoConstraintSetApplies {
            why: "its constraint sets limit DNS names or SCT dates, which a bundle cannot carry"
                .to_owned(),
        });
    }
    let mut latest: Option<Date> = None;
    for set in usable {
        let Some(sec) = set.sct_not_after_sec else {
            return Ok(None);
        };
        let date = time::OffsetDateTime::from_unix_timestamp(sec)
            .map_or(Date::MAX, |moment| moment.date());
        latest = Some(latest.map_or(date, |d| d.max(date)));
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cabundle_ccadb::chrome::ConstraintSet;
    use time::macros::date;

    fn set(sct: Option<i64>, min: Option<&str>, max: Option<&str>, dns: &[&str]) -> ConstraintSet {
        ConstraintSet {
            sct_not_after_sec: sct,
            min_version: min.map(str::to_owned),
            max_version_exclusive: max.map(str::to_owned),
            permitted_dns_names: dns.iter().map(|d| (*d).to_owned()).collect(),
            ..ConstraintSet::default()
        }
    }

    #[test]
    fn constraint_sets() {
        type Want = Result<Option<Date>, &'static str>;
        let entrust = 1_731_369_599;
        let cases: Vec<(Vec<ConstraintSet>, Want)> = vec![
            (vec![], Ok(None)),
            (
                vec![
                    set(Some(entrust), Some("131"), None, &[]),
                    set(None, None, Some("131"), &[]),
                ],
                Ok(Some(date!(2024 - 11 - 11))),
            ),
            (
                vec![set(Some(1_719_791_999), None, None, &[])],
                Ok(Some(date!(2024 - 06 - 30))),
            ),
            (
                vec![set(None, None, Some("131"), &[])],
                Err("no-constraint-set-applies"),
            ),
            (
                vec![set(None, None, None, &["example.com"])],
                Err("no-constraint-set-applies"),
            ),
            (
                vec![
                    set(Some(entrust), None, None, &[]),
                    set(None, Some("120"), None, &[]),
                ],
                Ok(None),
            ),
            (
                vec![
                    set(Some(entrust), None, None, &[]),
                    set(Some(1_719_791_999), None, None, &[]),
                ],
                Ok(Some(date!(2024 - 11 - 11))),
            ),
        ];
        for (constraints, want) in cases {
            let anchor = ChromeAnchor {
                constraints: constraints.clone(),
                ..ChromeAnchor::default()
            };
            let got = distrust_after(&anchor).map_err(|r| r.kind());
            assert_eq!(got, want, "{constraints:?}");
        }
    }
}

//! `cabundle expiring`: certificates that expire within a window, soonest first.

use crate::cli::expiring::ExpiringArgs;
use crate::output::Output;
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files::read_certs;
use crate::shared::store;
use crate::shared::terminal::Terminal;
use cabundle_cert::date::format_moment;
use std::io::Write;

/// Runs `cabundle expiring`.
pub fn run(args: ExpiringArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let at = at_or_now(args.at);
    let within = args.within;
    let mut certs = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            certs.extend(store::read_dir(path, out)?);
        } else {
            certs.extend(read_certs(path)?);
        }
    }
    let found = cabundle_verify::expiring(&certs, at, within);
    let mut w = std::io::stdout().lock();
    if args.json {
        let list: Vec<serde_json::Value> = found
            .iter()
            .map(|e| {
                serde_json::json!({
                    "subject": e.cert.subject,
                    "sha256": e.cert.sha256.to_string(),
                    "not_after": e.cert.not_after
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                    "days_left": e.days_left,
                    "expired": e.expired,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut w, &list)?;
        writeln!(w)?;
    } else {
        let mut w = Terminal::new(&mut w);
        for e in &found {
            let when = if e.expired {
                format!("EXPIRED {} days ago", -e.days_left)
            } else {
                format!("in {} days", e.days_left)
            };
            writeln!(
                w,
                "{}  {when}  {}  sha256:{}",
                format_moment(e.cert.not_after),
                e.cert.subject,
                e.cert.sha256
            )?;
        }
    }
    let expired = found.iter().filter(|e| e.expired).count();
    out.info(&format!(
        "{} of {} certificates expire before {} ({expired} already expired)",
        found.len(),
        certs.len(),
        format_moment(at.saturating_add(within))
    ));
    Ok(ExitStatus::ok_if(found.is_empty()))
}

//! `cabundle trust install`, `uninstall` and `list`: every store of the machine made to trust a
//! CA, through the plan, the question and the journal of `shared::trust`.

use crate::cli::trust::{ChangeArgs, InstallArgs, TrustArgs, TrustCommand, UninstallArgs};
use crate::output::Output;
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files::{read_certs, shown};
use crate::shared::trust::flow::{self, Asked};
use anyhow::bail;
use cabundle_cert::Certificate;

/// Runs `cabundle trust`.
pub fn run(args: TrustArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    match args.command {
        TrustCommand::Install(args) => install(args, out),
        TrustCommand::Uninstall(args) => uninstall(args, out),
        TrustCommand::List => flow::list(&flow::machine()?, out),
    }
}

fn asked(change: &ChangeArgs) -> Asked {
    Asked {
        stores: change.stores.clone(),
        dry_run: change.dry_run,
        yes: change.yes,
    }
}

fn install(args: InstallArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let now = at_or_now(None);
    let asked = asked(&args.change);
    // A file's roots are checked before the machine is looked at.
    let (machine, roots) = match (&args.file, &args.from_host) {
        (Some(file), _) => {
            let certs = read_certs(file)?;
            let roots = flow::check_roots(certs, &shown(file), args.allow_intermediate, now)?;
            (flow::machine()?, roots)
        }
        (None, Some(target)) => {
            let machine = flow::machine()?;
            let root = flow::root_from_host(&machine, target, args.timeout, now, out)?;
            let what = format!("the chain {target} sent");
            let roots = flow::check_roots(vec![root], &what, args.allow_intermediate, now)?;
            if args.change.dry_run {
                out.info("dry run: the root above would be trusted after a question");
            }
            (machine, roots)
        }
        (None, None) => bail!("no root given"),
    };
    flow::install(&machine, &roots, &asked, out)
}

fn uninstall(args: UninstallArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let asked = asked(&args.change);
    let roots: Option<Vec<Certificate>> = args.file.as_deref().map(read_certs).transpose()?;
    flow::uninstall(&flow::machine()?, roots.as_deref(), &asked, out)
}

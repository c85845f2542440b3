//! `tidemark push`: applies the plan from the live database to the spec (CLI layer over
//! `declarative::drift` and `apply`), asking before destructive steps.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use crate::apply::{ApplyEvent, ApplyOptions, apply};
use crate::plan::HazardKind;

/// Arguments of `tidemark push`.
#[derive(clap::Args, Debug)]
pub struct PushArgs {
    #[command(flatten)]
    pub target: super::diff::TargetArgs,
    /// Apply steps that destroy data (dropped tables or columns, narrowed types, cleared
    /// embeddings) without asking; required for them when not run interactively.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Seconds a statement may wait for a lock before the push fails (instead of blocking the
    /// application behind it).
    #[arg(long, default_value_t = 10)]
    pub lock_timeout: u64,
}

/// Runs the command: 0 applied (or nothing to do), 1 invalid spec, 3 database failure,
/// 4 refused (destructive steps without `--allow-destructive` or a yes).
pub fn run(args: PushArgs) -> ExitCode {
    let (found, url) = match super::diff::compute(&args.target) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let plan = found.plan;
    let json = args.target.format == super::OutputFormat::Json;
    if plan.is_empty() {
        if json {
            println!("{}", serde_json::json!({ "applied": 0, "steps": [] }));
        } else {
            eprintln!("{} already matches the spec", url.redacted());
        }
        return ExitCode::SUCCESS;
    }
    let destructive: Vec<usize> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.hazards
                .iter()
                .any(|h| matches!(h.kind, HazardKind::DataLoss | HazardKind::VectorDimsChange))
        })
        .map(|(i, _)| i + 1)
        .collect();
    if !json {
        print!("{}", plan.script());
    }
    if !destructive.is_empty() && !args.allow_destructive {
        let steps = destructive
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let interactive = std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none();
        if !interactive || json {
            eprintln!(
                "error: steps {steps} destroy data; nothing was applied\n  = help: review the plan (`tidemark diff`), then pass --allow-destructive"
            );
            return ExitCode::from(4);
        }
        eprint!("\nSteps {steps} destroy data. Apply the whole plan? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("nothing was applied");
            return ExitCode::from(4);
        }
    }
    let options = ApplyOptions {
        lock_timeout: Duration::from_secs(args.lock_timeout),
        ..ApplyOptions::default()
    };
    let progress = !json && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let result = match super::block_on(async {
        let mut conn = crate::connect::connect(&url, &crate::connect::ConnectOptions::default())
            .await
            .map_err(anyhow::Error::new)?;
        let mut on_event = |event: ApplyEvent| {
            if let (true, ApplyEvent::StepStarted { index, total }) = (progress, &event) {
                eprint!("\rapplying step {}/{}", index + 1, total);
            }
        };
        apply(&mut conn, &plan, &options, &mut on_event)
            .await
            .map_err(anyhow::Error::new)
    }) {
        Ok(result) => result,
        Err(code) => return code,
    };
    if progress {
        eprintln!();
    }
    match result {
        Ok(elapsed) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "applied": plan.steps.len(), "ms": elapsed.as_millis() as u64 })
                );
            } else {
                eprintln!(
                    "applied {} step{} to {} in {:.1}s",
                    plan.steps.len(),
                    if plan.steps.len() == 1 { "" } else { "s" },
                    url.redacted(),
                    elapsed.as_secs_f64()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(e, 3),
    }
}

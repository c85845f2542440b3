//! `tidemark push`: applies the plan from the live database to the spec (CLI layer over
//! `compare` and `execute`), asking before destructive steps. Objects the spec does not manage
//! are reported and left as they are.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use super::{Exit, Failure};
use crate::execute::{self, ExecEvent, Session, SessionOptions};

/// Arguments of `tidemark push`.
#[derive(clap::Args, Debug)]
pub struct PushArgs {
    #[command(flatten)]
    pub target: super::diff::TargetArgs,
    /// Apply steps that destroy data (dropped tables or columns, narrowed types, cleared
    /// embeddings) without asking; required for them when not run interactively.
    #[arg(long)]
    pub allow_destructive: bool,
    /// How long a statement may wait for a lock before it gives up (instead of blocking the
    /// application behind it), e.g. `500ms`, `10s` (a bare number is seconds).
    #[arg(long, default_value = "10s", value_parser = super::parse_duration)]
    pub lock_timeout: Duration,
    /// Retries of a step's transaction that hit the lock timeout, with growing waits (0: fail
    /// at once).
    #[arg(long, default_value_t = 7)]
    pub lock_retries: u32,
    /// No retry starts after this long since the first attempt.
    #[arg(long, default_value = "120s", value_parser = super::parse_duration)]
    pub lock_retry_total: Duration,
}

/// Runs the command: 0 applied (or nothing to do), 1 invalid spec, 3 database failure,
/// 4 refused (destructive steps without `--allow-destructive` or a yes).
pub fn run(args: PushArgs) -> ExitCode {
    let (found, url) = match super::diff::compute(&args.target) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let plan = &found.plan;
    let json = args.target.format == super::OutputFormat::Json;
    if !json {
        super::diff::print_notes(&found);
    }
    let unmanaged_note = if found.unmanaged.is_empty() {
        String::new()
    } else {
        format!(
            "; {} object{} in the database {} not managed by the spec and left as {}",
            found.unmanaged.len(),
            if found.unmanaged.len() == 1 { "" } else { "s" },
            if found.unmanaged.len() == 1 {
                "is"
            } else {
                "are"
            },
            if found.unmanaged.len() == 1 {
                "it is"
            } else {
                "they are"
            },
        )
    };
    if plan.is_empty() {
        if json {
            println!(
                "{}",
                serde_json::json!({ "applied": 0, "steps": [], "unmanaged": found.unmanaged })
            );
        } else if found.matches() {
            eprintln!("{} already matches the spec", url.redacted());
        } else {
            print!("{}", super::diff::unmanaged_section(&found.unmanaged));
            eprintln!("nothing to apply to {}{unmanaged_note}", url.redacted());
        }
        return Exit::Success.into();
    }
    let destructive: Vec<usize> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_destructive())
        .map(|(i, _)| i + 1)
        .collect();
    if !json {
        print!("{}", plan.script());
        print!("{}", super::diff::unmanaged_section(&found.unmanaged));
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
            return Exit::Refused.into();
        }
        eprint!("\nSteps {steps} destroy data. Apply the whole plan? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("nothing was applied");
            return Exit::Refused.into();
        }
    }
    let options = SessionOptions {
        application_name: "tidemark push".into(),
        lock_timeout: args.lock_timeout,
        lock_retry: crate::execute::LockRetry {
            attempts: args.lock_retries + 1,
            total: args.lock_retry_total,
            ..crate::execute::LockRetry::default()
        },
        ..SessionOptions::default()
    };
    let progress = !json && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let stop = options.stop.clone();
    let mut signal = None;
    let result = match super::block_on(async {
        let mut session = Session::open(&url, &options).await.map_err(Failure::env)?;
        let mut on_event = |event: ExecEvent| {
            // A lock retry is news even where progress is not shown (CI), except as JSON.
            if let ExecEvent::LockRetry {
                attempt,
                delay,
                blocker,
                ..
            } = &event
                && !json
            {
                eprintln!(
                    "{}lock busy{}; attempt {attempt} in {:.1}s",
                    if progress { "\n" } else { "" },
                    blocker
                        .as_ref()
                        .map(|b| format!(" (held by {b})"))
                        .unwrap_or_default(),
                    delay.as_secs_f64()
                );
                return;
            }
            if !progress {
                return;
            }
            match event {
                ExecEvent::StepStarted { index, total } => {
                    eprint!("\rapplying step {}/{}", index + 1, total);
                }
                ExecEvent::IndexBuild(p) if p.blocks_total > 0 => {
                    eprint!(
                        "\r  building index: {} {}/{} blocks",
                        p.phase, p.blocks_done, p.blocks_total
                    );
                }
                _ => {}
            }
        };
        let (applied, got) =
            super::stoppable(&stop, execute::apply(&mut session, plan, &mut on_event)).await;
        signal = got;
        let _ = session.close().await;
        applied.map_err(Failure::env)
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
                    serde_json::json!({
                        "applied": plan.steps.len(),
                        "ms": elapsed.as_millis() as u64,
                        "unmanaged": found.unmanaged,
                    })
                );
            } else {
                eprintln!(
                    "applied {} step{} to {} in {:.1}s{unmanaged_note}",
                    plan.steps.len(),
                    if plan.steps.len() == 1 { "" } else { "s" },
                    url.redacted(),
                    elapsed.as_secs_f64()
                );
            }
            Exit::Success.into()
        }
        Err(f) => {
            let code = f.report();
            match signal {
                Some(exit) => {
                    if !json {
                        eprintln!(
                            "stopped by a signal: the running step was rolled back (a step outside a transaction may leave an INVALID index behind: drop it, then push again)"
                        );
                    }
                    exit.into()
                }
                None => code,
            }
        }
    }
}

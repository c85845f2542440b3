//! `tidemark dev start|stop|status|url`: the CLI layer over `connect::dev`, printing what the
//! library did and choosing exit codes (0 done, 3 the server could not be started or stopped or
//! is not running for `url`).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::connect::dev::{self, DevOptions, DevStart, DevStatus, DevStop};

/// Arguments of `tidemark dev`.
#[derive(clap::Args, Debug)]
pub struct DevArgs {
    #[command(subcommand)]
    pub action: DevAction,
    /// Project directory; the database lives in `<dir>/.tidemark/dev/`.
    #[arg(long, global = true, default_value = ".")]
    pub project_dir: PathBuf,
}

/// What to do with the dev database.
#[derive(clap::Subcommand, Debug, Clone, Copy)]
pub enum DevAction {
    /// Start it (creating it on first use); does nothing if it already runs.
    Start,
    /// Stop it; the data is kept.
    Stop,
    /// Say whether it runs, and its URL.
    Status,
    /// Print its URL (for DATABASE_URL=$(tidemark dev url)); fails if it is not running.
    Url,
}

/// Runs the command.
pub fn run(args: DevArgs) -> ExitCode {
    let options = DevOptions::new(&args.project_dir);
    match args.action {
        DevAction::Status => {
            match dev::status(&options) {
                DevStatus::Running { url, pid, .. } => {
                    println!("running (pid {pid})\nurl: {url}");
                }
                DevStatus::Stopped { stale_pid, port } => {
                    println!("stopped");
                    if let Some(pid) = stale_pid {
                        println!(
                            "note: the server last started as pid {pid} is gone (killed, or the \
                             machine restarted); `tidemark dev start` starts it again"
                        );
                    }
                    if let Some(port) = port {
                        println!("port: {port} (used again on the next start if free)");
                    }
                }
            }
            super::Exit::Success.into()
        }
        DevAction::Url => match dev::url(&options) {
            Some(url) => {
                println!("{url}");
                super::Exit::Success.into()
            }
            None => {
                eprintln!(
                    "error: the dev database is not running\n  = help: start it with `tidemark dev start`"
                );
                super::Exit::Environment.into()
            }
        },
        DevAction::Start => {
            let runtime = match super::runtime() {
                Ok(rt) => rt,
                Err(code) => return code,
            };
            eprintln!(
                "starting the dev database in {} …",
                options.dev_dir().display()
            );
            match runtime.block_on(dev::start(&options)) {
                Ok(DevStart::AlreadyRunning { url, pid }) => {
                    eprintln!("already running (pid {pid}); nothing to do");
                    println!("{url}");
                    super::Exit::Success.into()
                }
                Ok(DevStart::Started {
                    url,
                    pid,
                    initialized,
                    stale_pid,
                    ..
                }) => {
                    if let Some(stale) = stale_pid {
                        eprintln!("note: the previous server (pid {stale}) was gone");
                    }
                    if initialized {
                        eprintln!(
                            "created a new cluster with database `{}`",
                            dev::DEV_DATABASE
                        );
                    }
                    eprintln!("started (pid {pid})");
                    println!("{url}");
                    super::Exit::Success.into()
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    super::Exit::Environment.into()
                }
            }
        }
        DevAction::Stop => {
            let runtime = match super::runtime() {
                Ok(rt) => rt,
                Err(code) => return code,
            };
            match runtime.block_on(dev::stop(&options)) {
                Ok(DevStop::Stopped { pid }) => {
                    eprintln!("stopped the dev database (pid {pid}); its data is kept");
                    super::Exit::Success.into()
                }
                Ok(DevStop::NotRunning { stale_pid }) => {
                    match stale_pid {
                        Some(pid) => eprintln!(
                            "not running (the server last started as pid {pid} was already gone)"
                        ),
                        None => eprintln!("not running; nothing to do"),
                    }
                    super::Exit::Success.into()
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    super::Exit::Environment.into()
                }
            }
        }
    }
}

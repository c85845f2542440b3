//! Command-line front end: parses arguments, calls one library operation per subcommand, and is
//! the only place that prints or chooses an exit code (through [`exit::Exit`]).

use std::process::ExitCode;

pub mod dev;
pub mod diff;
pub mod exit;
pub mod generate;
pub mod inspect;
pub mod migrate;
pub mod push;
pub mod sql;
pub mod validate;

use clap::{Parser, Subcommand};

pub use exit::{Exit, Failure};

#[derive(Parser, Debug)]
#[command(
    name = "tidemark",
    version,
    about = "Schema-as-code and migrations for PostgreSQL with pgvector"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the YAML spec and report every problem.
    Validate(validate::ValidateArgs),
    /// Print the full CREATE script for the spec, in dependency order.
    Sql(sql::SqlArgs),
    /// Write the SeaORM entity crate from the spec (or check it is current).
    Generate(generate::GenerateArgs),
    /// Read a live database and write it out as spec files.
    Inspect(inspect::InspectArgs),
    /// Manage the local development database used when no database URL is given.
    Dev(dev::DevArgs),
    /// Show the plan that would bring a live database to the spec.
    Diff(diff::DiffArgs),
    /// Apply the plan that brings a live database to the spec.
    Push(push::PushArgs),
    /// Apply, roll back, inspect and hash versioned migrations.
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
}

/// `--format` shared by every command that reports diagnostics.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    Github,
}

impl From<OutputFormat> for crate::diagnostic::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Self::Human,
            OutputFormat::Json => Self::Json,
            OutputFormat::Github => Self::Github,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let exit = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = e.print();
            return exit.into();
        }
    };
    crate::canonical_cache::set_process_default(cache_options());
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Sql(args) => sql::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Dev(args) => dev::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Push(args) => push::run(args),
        Command::Migrate(cmd) => migrate::run(cmd),
    }
}

/// The canonical-form cache: `.tidemark/cache/` under the current directory, or none when
/// `TIDEMARK_CACHE` is `off` (or `0`); another value is the directory to use.
fn cache_options() -> crate::canonical_cache::CacheOptions {
    let dir = match std::env::var("TIDEMARK_CACHE") {
        Ok(v) if v == "off" || v == "0" => None,
        Ok(v) if !v.trim().is_empty() => Some(std::path::PathBuf::from(v)),
        _ => std::env::current_dir()
            .ok()
            .map(|d| d.join(".tidemark").join("cache")),
    };
    crate::canonical_cache::CacheOptions { dir }
}

/// Loads the spec at `path`, or prints why it cannot and returns the exit code to use, so every
/// command that reads a spec reports problems the same way `validate` does.
pub(crate) fn load_spec(
    path: &std::path::Path,
    format: crate::diagnostic::Format,
) -> Result<crate::spec::Loaded, ExitCode> {
    use crate::diagnostic::Format;
    if !path.exists() {
        eprintln!(
            "error: path `{}` does not exist\n  = help: pass the directory holding your schema files (default `schemas/`)",
            path.display()
        );
        return Err(Exit::Usage.into());
    }
    crate::spec::load(path).map_err(|diags| {
        match format {
            Format::Json => print!("{}", diags.render_json()),
            Format::Github => print!("{}", diags.render_github()),
            Format::Human => eprint!("{}", diags.render_human()),
        }
        Exit::Invalid.into()
    })
}

/// The async runtime that commands run library operations on. Failing to build one is an
/// environment error reported like any other, never a panic.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: could not start the async runtime: {e}");
            Exit::Environment.into()
        })
}

/// Runs one async library operation from a synchronous command.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, ExitCode> {
    Ok(runtime()?.block_on(future))
}

/// The shadow server of `--shadow-url`, or a throwaway local one (binaries found relative to
/// the current directory); a URL that does not parse is a usage error.
pub(crate) fn shadow_server(url: Option<&str>) -> Result<crate::shadow::ShadowServer, ExitCode> {
    use crate::shadow::ShadowServer;
    match url {
        Some(text) => crate::connect::DatabaseUrl::parse(text)
            .map(ShadowServer::Url)
            .map_err(|e| {
                eprintln!("error: --shadow-url: {e}");
                Exit::Usage.into()
            }),
        None => Ok(ShadowServer::Local {
            project_dir: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        }),
    }
}

/// Finds the database a command works on (flag, `DATABASE_URL`, `.env.local`, `.env`); with
/// none, the kept local dev database when `use_dev` (started if needed), else a usage error.
pub(crate) async fn database_url(
    flag: Option<String>,
    use_dev: bool,
) -> Result<crate::connect::DatabaseUrl, Failure> {
    use crate::connect::{ConnectionSource, DatabaseUrl, ResolveInputs, resolve};
    let project = std::env::current_dir().unwrap_or_else(|_| ".".into());
    match resolve(&ResolveInputs::from_env(flag, &project)) {
        Ok(ConnectionSource::Url { url, .. }) => {
            // libpq's defaults (PG* variables, service file, password file), said once.
            let completed =
                crate::connect::complete(&url, &crate::connect::LibpqEnvironment::from_process())
                    .map_err(|e| Failure::new(e, Exit::Usage))?;
            for w in &completed.warnings {
                eprintln!("warning: {w}");
            }
            Ok(completed.url)
        }
        Ok(ConnectionSource::DevDatabase) if use_dev => {
            let url = crate::connect::dev::dev_url_or_start(&project)
                .await
                .map_err(|e| {
                    Failure::env(
                        anyhow::Error::new(e).context("could not start the local dev database"),
                    )
                })?;
            DatabaseUrl::parse(&url).map_err(Failure::env)
        }
        Ok(ConnectionSource::DevDatabase) => Err(Failure::new(
            anyhow::anyhow!(
                "no database given\n  = help: pass --database-url, or set DATABASE_URL (in the environment, .env.local or .env)"
            ),
            Exit::Usage,
        )),
        Err(e) => Err(Failure::new(e, Exit::Usage)),
    }
}

/// Connects with the libpq rules of `connect` (sslmode, sslrootcert, timeouts).
pub(crate) async fn connect(url: &crate::connect::DatabaseUrl) -> Result<sqlx::PgPool, Failure> {
    crate::connect::connect_pool(url, &crate::connect::ConnectOptions::default())
        .await
        .map_err(Failure::env)
}

/// A duration as every command writes it: `500ms`, `10s`, `5m`, `2h` (a bare number is seconds).
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; write e.g. 500ms, 10s, 5m, 2h"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000,
        "m" | "min" => n * 60_000,
        "h" => n * 3_600_000,
        _ => return Err(format!("`{s}`: unknown unit `{unit}`; use ms, s, m or h")),
    };
    Ok(std::time::Duration::from_millis(ms))
}

/// Runs `work` (an apply) so that SIGINT or SIGTERM stops it cleanly: the first signal requests
/// `stop` (the running statement is cancelled, its transaction rolled back, nothing else runs)
/// and says so; a second one exits at once. Returns the work's output and the exit the signal
/// asks for, if one came.
pub(crate) async fn stoppable<F: std::future::Future>(
    stop: &crate::execute::StopSignal,
    work: F,
) -> (F::Output, Option<Exit>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return (work.await, None);
    };
    tokio::pin!(work);
    let mut got: Option<Exit> = None;
    loop {
        let exit = tokio::select! {
            out = &mut work => return (out, got),
            _ = int.recv() => Exit::Interrupted,
            _ = term.recv() => Exit::Terminated,
        };
        if got.is_some() {
            eprintln!("stopped at once: a second signal");
            std::process::exit(i32::from(exit.code()));
        }
        got = Some(exit);
        eprintln!(
            "stopping: cancelling the running statement and rolling back its transaction (a second signal exits at once)"
        );
        let stop = stop.clone();
        tokio::spawn(async move { stop.request().await });
    }
}

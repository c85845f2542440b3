//! `tidemark migrate …`: thin commands over [`crate::migrate`]; prints results and progress
//! (stderr, only on a terminal outside CI, never with `--format json`) and picks exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::migrate::{
    self, Event, MigrateError, NewOptions, NewOutcome, RunOptions, Runner, SUM_FILE, SyncMode,
};
use crate::plan::{Plan, PlanOptions};

#[derive(Subcommand, Debug)]
pub enum MigrateCommand {
    /// Apply pending migrations in order, under an advisory lock.
    Apply(ApplyArgs),
    /// Roll back the newest applied migration, or every one after `--to`.
    Down(DownArgs),
    /// Write the next migration(s) from the spec, diffed offline against the newest snapshot.
    New(NewArgs),
    /// Replay every migration on a fresh shadow database and compare the result with the spec.
    Verify(VerifyArgs),
    /// Show applied, pending and dirty migrations and the checksum state.
    Status(StatusArgs),
    /// Rewrite tidemark.sum and the generated crate files after a deliberate edit.
    Hash(HashArgs),
}

#[derive(Args, Debug)]
pub struct ConnArgs {
    /// The migration directory (the sea-orm-migration crate holding `sql/` and `tidemark.sum`).
    #[arg(long, default_value = "migration")]
    dir: PathBuf,
    /// Target database (postgres:// URL); default: DATABASE_URL, then `.env.local`, `.env`.
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Longest wait for another runner's lock, e.g. `300s`, `5m`.
    #[arg(long, default_value = "300s", value_parser = super::parse_duration)]
    lock_wait: Duration,
    /// PostgreSQL `lock_timeout` for migration statements.
    #[arg(long, default_value = "10s", value_parser = super::parse_duration)]
    lock_timeout: Duration,
    /// Retries of a statement (a transactional migration: the whole migration) that hit
    /// `lock_timeout`, with growing waits (0: fail at once).
    #[arg(long, default_value_t = 7)]
    lock_retries: u32,
    /// No retry starts after this long since the first attempt.
    #[arg(long, default_value = "120s", value_parser = super::parse_duration)]
    lock_retry_total: Duration,
    /// PostgreSQL `statement_timeout` for migration statements (`0`: none).
    #[arg(long, default_value = "6h", value_parser = super::parse_duration)]
    statement_timeout: Duration,
    /// `maintenance_work_mem` for index builds (`server`: keep the server's setting).
    #[arg(long, default_value = "512MB")]
    maintenance_work_mem: String,
    /// `max_parallel_maintenance_workers` for index builds.
    #[arg(long, default_value_t = 2)]
    max_parallel_maintenance_workers: u32,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    run: RunArgs,
    /// Print what would run, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Stop after this version.
    #[arg(long)]
    to: Option<String>,
}

#[derive(Args, Debug)]
pub struct DownArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    run: RunArgs,
    /// Roll back every migration after this version (`0`: all of them).
    #[arg(long)]
    to: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Also compare the live schema with the snapshot of the newest applied version (starts a
    /// shadow PostgreSQL unless `--shadow-url`; exit 1 when they differ).
    #[arg(long)]
    check_schema: bool,
    /// Server for the shadow database (the role needs CREATE DATABASE). Default: a throwaway
    /// local PostgreSQL.
    #[arg(long)]
    shadow_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// What the change does, in a few words; becomes the snake_case end of the version.
    name: String,
    /// Directory (searched recursively for *.yaml / *.yml) or single spec file.
    #[arg(default_value = "schemas/")]
    path: PathBuf,
    /// The migration directory.
    #[arg(long, default_value = "migration")]
    dir: PathBuf,
    /// Write the migration even if it destroys data (dropped tables or columns, narrowing
    /// types, changed vector dimensions).
    #[arg(long)]
    allow_destructive: bool,
    /// Build and drop indexes of existing tables CONCURRENTLY (in migrations of their own).
    #[arg(long)]
    concurrent_indexes: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Directory (searched recursively for *.yaml / *.yml) or single spec file.
    #[arg(default_value = "schemas/")]
    path: PathBuf,
    /// The migration directory.
    #[arg(long, default_value = "migration")]
    dir: PathBuf,
    /// Server for the shadow databases (same major version as production; the role needs
    /// CREATE DATABASE). Default: a throwaway local PostgreSQL.
    #[arg(long)]
    shadow_url: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args, Debug)]
pub struct HashArgs {
    #[arg(long, default_value = "migration")]
    dir: PathBuf,
    /// Write nothing; exit 1 if tidemark.sum or a generated file is out of date.
    #[arg(long)]
    check: bool,
}

impl RunArgs {
    fn options(&self) -> RunOptions {
        let defaults = RunOptions::default();
        RunOptions {
            lock_wait: self.lock_wait,
            session: crate::execute::SessionOptions {
                lock_timeout: self.lock_timeout,
                lock_retry: crate::execute::LockRetry {
                    attempts: self.lock_retries + 1,
                    total: self.lock_retry_total,
                    ..crate::execute::LockRetry::default()
                },
                statement_timeout: self.statement_timeout,
                maintenance_work_mem: Some(self.maintenance_work_mem.clone())
                    .filter(|m| m != "server"),
                max_parallel_maintenance_workers: Some(self.max_parallel_maintenance_workers),
                ..defaults.session
            },
        }
    }
}

/// The database to migrate: the flag, then `DATABASE_URL`, `.env.local`, `.env` (never the dev
/// database implicitly: migrating the wrong database is worse than a usage error).
async fn database_url(conn: &ConnArgs) -> Result<String, ExitCode> {
    super::database_url(conn.database_url.clone(), false)
        .await
        .map(|u| u.expose_secret().to_string())
        .map_err(super::Failure::report)
}

/// A missing migration directory is a usage error (exit 2) with the flag that fixes it.
fn require_dir(dir: &std::path::Path) -> Result<(), ExitCode> {
    if dir.is_dir() {
        return Ok(());
    }
    eprintln!(
        "error: migration directory `{}` does not exist\n  = help: pass --dir pointing at the migration crate",
        dir.display()
    );
    Err(super::Exit::Usage.into())
}

pub fn run(cmd: MigrateCommand) -> ExitCode {
    let cmd = match cmd {
        MigrateCommand::Hash(args) => return hash(&args),
        MigrateCommand::New(args) => return new(&args),
        cmd => cmd,
    };
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        match cmd {
            MigrateCommand::Apply(a) => apply(a).await,
            MigrateCommand::Down(a) => down(a).await,
            MigrateCommand::Status(a) => status(a).await,
            MigrateCommand::Verify(a) => verify(a).await,
            MigrateCommand::Hash(_) | MigrateCommand::New(_) => super::Exit::Success.into(),
        }
    })
}

fn fail(format: Format, e: &MigrateError) -> ExitCode {
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({ "error": e.to_string(), "exit_code": e.exit_code() })
        ),
        Format::Human => eprintln!("error: {e}"),
    }
    super::Exit::from_code(e.exit_code()).into()
}

/// Verifies the directory (before anything connects) and opens a session on the database.
async fn open(conn: &ConnArgs, options: RunOptions) -> Result<Runner, ExitCode> {
    require_dir(&conn.dir)?;
    let dir = migrate::verify_sum(&conn.dir).map_err(|e| fail(conn.format, &e))?;
    let url = database_url(conn).await?;
    let show = conn.format == Format::Human
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    Runner::connect(&url, dir, options, move |e| {
        if show {
            progress(e)
        }
    })
    .await
    .map_err(|e| fail(conn.format, &e))
}

fn progress(e: &Event) {
    match e {
        Event::WaitingForLock { holder: Some(h) } => eprintln!(
            "waiting for the migration lock held by pid {} ({})",
            h.pid, h.application_name
        ),
        Event::WaitingForLock { holder: None } => eprintln!("waiting for the migration lock"),
        Event::Adopted { version } => {
            eprintln!("recorded checksum of {version} (applied by sea-orm)")
        }
        Event::Repairing {
            version,
            dropped_invalid_indexes,
        } => eprintln!(
            "repairing {version}: it died midway last time; dropped invalid indexes: {}",
            if dropped_invalid_indexes.is_empty() {
                "none".to_string()
            } else {
                dropped_invalid_indexes.join(", ")
            }
        ),
        Event::Started {
            version, direction, ..
        } => eprintln!(
            "{} {version} …",
            if *direction == migrate::Direction::Up {
                "applying"
            } else {
                "rolling back"
            }
        ),
        Event::LockRetry {
            version,
            line,
            attempt,
            delay_ms,
            blocker,
        } => eprintln!(
            "  {version} line {line}: lock busy{}; attempt {attempt} in {:.1}s",
            blocker
                .as_ref()
                .map(|b| format!(" (held by {b})"))
                .unwrap_or_default(),
            *delay_ms as f64 / 1000.0
        ),
        Event::IndexBuild(p) => eprintln!(
            "  index build: {} — blocks {}/{}, tuples {}/{}",
            p.progress.phase,
            p.progress.blocks_done,
            p.progress.blocks_total,
            p.progress.tuples_done,
            p.progress.tuples_total
        ),
        Event::Finished {
            version,
            execution_ms,
            ..
        } => eprintln!("  done {version} in {execution_ms} ms"),
        Event::LockAcquired { .. } | Event::Statement { .. } => {}
    }
}

async fn apply(args: ApplyArgs) -> ExitCode {
    let format = args.conn.format;
    let options = args.run.options();
    let stop = options.session.stop.clone();
    let mut runner = match open(&args.conn, options).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    if args.dry_run {
        let pending = runner.check_target(args.to.as_deref()).map(|_| ());
        let pending = match pending {
            Ok(()) => runner.pending().await,
            Err(e) => Err(e),
        };
        let pending = match pending {
            Ok(p) => p,
            Err(e) => return fail(format, &e),
        };
        let to = args.to.as_deref();
        let would: Vec<_> = pending
            .iter()
            .filter(|m| to.is_none_or(|to| m.version.as_str() <= to))
            .collect();
        match format {
            Format::Json => {
                let items: Vec<_> = would
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "version": m.version,
                            "transactional": m.up.transactional,
                            "statements": m.up.statements.iter().map(|(_, s)| s).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({ "dry_run": true, "pending": items })
                );
            }
            Format::Human => {
                if would.is_empty() {
                    println!("nothing to apply");
                }
                for m in would {
                    let tx = if m.up.transactional {
                        ""
                    } else {
                        " (no transaction)"
                    };
                    println!("-- {}{tx}", m.version);
                    for (_, s) in &m.up.statements {
                        println!("{s};");
                    }
                }
            }
        }
        let _ = runner.close().await;
        return super::Exit::Success.into();
    }
    let (result, signal) = super::stoppable(&stop, runner.apply(args.to.as_deref())).await;
    let closed = runner.close().await;
    let outcome = Outcome {
        json_key: "applied",
        verb: "applied",
        nothing: "nothing to apply: up to date",
    };
    stopped_or(signal, format, || {
        report(
            format,
            result.and_then(|done| closed.map(|_| done)),
            outcome,
        )
    })
}

/// After a signal: what ran is reported as usual (a rolled-back migration is an error), then
/// the exit says the run was stopped.
fn stopped_or(
    signal: Option<super::Exit>,
    format: Format,
    report: impl FnOnce() -> ExitCode,
) -> ExitCode {
    let code = report();
    match signal {
        Some(exit) => {
            if format == Format::Human {
                eprintln!(
                    "stopped by a signal: the running migration was rolled back (a no-transaction one stays marked dirty, and the next apply repairs it); the migration lock is released"
                );
            }
            exit.into()
        }
        None => code,
    }
}

/// How `apply` and `down` describe what they did.
struct Outcome {
    json_key: &'static str,
    verb: &'static str,
    nothing: &'static str,
}

fn report(
    format: Format,
    result: Result<Vec<migrate::Applied>, migrate::MigrateError>,
    outcome: Outcome,
) -> ExitCode {
    match result {
        Ok(done) => {
            match format {
                Format::Json => println!("{}", serde_json::json!({ outcome.json_key: done })),
                Format::Human if done.is_empty() => println!("{}", outcome.nothing),
                Format::Human => {
                    for a in &done {
                        println!("{} {} ({} ms)", outcome.verb, a.version, a.execution_ms);
                    }
                }
            }
            super::Exit::Success.into()
        }
        Err(e) => fail(format, &e),
    }
}

async fn down(args: DownArgs) -> ExitCode {
    let format = args.conn.format;
    let options = args.run.options();
    let stop = options.session.stop.clone();
    let mut runner = match open(&args.conn, options).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (result, signal) = super::stoppable(&stop, runner.down(args.to.as_deref())).await;
    let closed = runner.close().await;
    let outcome = Outcome {
        json_key: "rolled_back",
        verb: "rolled back",
        nothing: "nothing to roll back",
    };
    stopped_or(signal, format, || {
        report(
            format,
            result.and_then(|done| closed.map(|_| done)),
            outcome,
        )
    })
}

/// `--shadow-url` or the throwaway local server; a bad URL is a usage error.
async fn status(args: StatusArgs) -> ExitCode {
    let format = args.conn.format;
    let shadow = if args.check_schema {
        match super::shadow_server(args.shadow_url.as_deref()) {
            Ok(s) => Some(s),
            Err(code) => return code,
        }
    } else {
        None
    };
    let mut runner = match open(&args.conn, RunOptions::default()).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut result = runner.status().await;
    if let (Ok(s), Some(shadow)) = (&mut result, &shadow) {
        s.live_schema = runner.check_live_schema(shadow).await;
    }
    let _ = runner.close().await;
    let differs = matches!(
        &result,
        Ok(s) if matches!(s.live_schema, migrate::LiveSchemaCheck::Differs { .. })
    );
    match result {
        Ok(s) => {
            match format {
                Format::Json => {
                    println!("{}", serde_json::json!({ "checksums": "ok", "status": s }))
                }
                Format::Human => {
                    println!("{SUM_FILE}: ok");
                    for e in &s.migrations {
                        let state = serde_json::to_value(&e.state)
                            .map(|v| v.to_string().replace('"', ""))
                            .unwrap_or_default();
                        println!("{:<12} {}", state, e.version);
                    }
                    match &s.live_schema {
                        migrate::LiveSchemaCheck::NotChecked { reason } => {
                            println!("live schema: not checked ({reason})")
                        }
                        migrate::LiveSchemaCheck::Matches => {
                            println!("live schema: matches the applied snapshot")
                        }
                        migrate::LiveSchemaCheck::Differs { differences } => {
                            println!("live schema: differs from the applied snapshot:");
                            for d in differences {
                                println!("  {d}");
                            }
                        }
                    }
                }
            }
            if differs {
                super::Exit::Invalid.into()
            } else {
                super::Exit::Success.into()
            }
        }
        Err(e) => fail(format, &e),
    }
}

/// Writes (or with `--check`, compares) `tidemark.sum` and the generated crate files.
fn hash(args: &HashArgs) -> ExitCode {
    let mode = if args.check {
        SyncMode::Check
    } else {
        SyncMode::Write
    };
    match migrate::sync_generated(&args.dir, mode) {
        Ok(stale) if args.check && !stale.is_empty() => {
            for p in stale {
                eprintln!(
                    "error: {} is out of date\n  = help: run `tidemark migrate hash --dir {}`",
                    p.display(),
                    args.dir.display()
                );
            }
            super::Exit::Stale.into()
        }
        Ok(written) => {
            for p in written {
                println!("wrote {}", p.display());
            }
            super::Exit::Success.into()
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::Exit::from_code(e.exit_code()).into()
        }
    }
}

fn diagnostics_format(format: Format) -> crate::diagnostic::Format {
    match format {
        Format::Json => crate::diagnostic::Format::Json,
        Format::Human => crate::diagnostic::Format::Human,
    }
}

/// `migrate new`: 0 written or nothing to do, 1 invalid spec or directory, 2 usage, 4 refused.
fn new(args: &NewArgs) -> ExitCode {
    let loaded = match super::load_spec(&args.path, diagnostics_format(args.format)) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let options = NewOptions {
        name: args.name.clone(),
        allow_destructive: args.allow_destructive,
        plan: PlanOptions {
            concurrent_indexes: args.concurrent_indexes,
        },
        now: std::time::SystemTime::now(),
    };
    let outcome = match migrate::new_migration(&args.dir, &loaded.schema, &options) {
        Ok(o) => o,
        Err(e) => return fail(args.format, &e),
    };
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    }
    match outcome {
        NewOutcome::Unchanged { base } => {
            if args.format == Format::Human {
                println!(
                    "nothing changed: the spec matches {}; no migration written",
                    base.map_or(
                        "the empty schema (no snapshot yet)".to_string(),
                        |b| format!("sql/{b}/{}", migrate::SNAPSHOT_FILE)
                    )
                );
            }
            super::Exit::Success.into()
        }
        NewOutcome::Refused { plan, destructive } => {
            if args.format == Format::Human {
                print_hazards(&plan.plan);
                eprintln!(
                    "error: the change destroys data ({} destructive step{}); nothing was written\n  = help: review the hazards above; if they are intended, run again with --allow-destructive",
                    destructive.len(),
                    if destructive.len() == 1 { "" } else { "s" }
                );
            }
            super::Exit::Refused.into()
        }
        NewOutcome::Written { plan, files } => {
            if args.format == Format::Human {
                for m in &plan.migrations {
                    println!(
                        "new migration {} ({} step{}{})",
                        m.version,
                        m.steps.len(),
                        if m.steps.len() == 1 { "" } else { "s" },
                        if m.transactional {
                            ""
                        } else {
                            ", outside a transaction"
                        }
                    );
                }
                print_hazards(&plan.plan);
                for f in files {
                    println!("wrote {}", f.display());
                }
            }
            super::Exit::Success.into()
        }
    }
}

fn print_hazards(plan: &Plan) {
    for (i, step) in plan.steps.iter().enumerate() {
        for h in &step.hazards {
            let tag = if h.kind.is_destructive() {
                " (destructive)"
            } else {
                ""
            };
            eprintln!(
                "hazard: step {} ({}): {}{tag}: {}",
                i + 1,
                step.from,
                h.kind.label(),
                h.message
            );
        }
    }
}

/// `migrate verify`: 0 when the migrations reproduce the spec, 1 with the difference as a plan
/// script (or a failing migration), 3 when the shadow server fails.
async fn verify(args: VerifyArgs) -> ExitCode {
    let loaded = match super::load_spec(&args.path, diagnostics_format(args.format)) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = require_dir(&args.dir) {
        return code;
    }
    let shadow = match super::shadow_server(args.shadow_url.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let desired = crate::compare::Desired {
        schema: &loaded.schema,
        spans: Some(&loaded.spans),
        ignore: &loaded.ignore,
    };
    let verified = match migrate::verify(&args.dir, desired, &shadow).await {
        Ok(v) => v,
        Err(e) => {
            let exit = super::Exit::from_code(e.exit_code());
            return super::Failure::new(e, exit).report();
        }
    };
    let found = &verified.comparison;
    let equal = found.matches();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "matches": equal,
                "replayed": verified.versions,
                "plan": found.plan,
                "unmanaged": found.unmanaged,
            })
        ),
        Format::Human if equal => println!(
            "{} migration{} replayed on a fresh database reproduce the spec",
            verified.versions.len(),
            if verified.versions.len() == 1 {
                ""
            } else {
                "s"
            }
        ),
        Format::Human => {
            print!("{}", found.plan.script());
            print!("{}", super::diff::unmanaged_section(&found.unmanaged));
            eprintln!(
                "\nerror: the {} migration{} replayed do not reproduce the spec: the script above is what is missing\n  = help: run `tidemark migrate new <name>` to write the missing migration",
                verified.versions.len(),
                if verified.versions.len() == 1 {
                    ""
                } else {
                    "s"
                }
            );
        }
    }
    if equal {
        super::Exit::Success.into()
    } else {
        super::Exit::Invalid.into()
    }
}

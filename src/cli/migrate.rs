//! `tidemark migrate …`: thin commands over [`crate::migrate`]; prints results and progress
//! (stderr, only on a terminal outside CI, never with `--format json`) and picks exit codes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::migrate::{
    self, Event, MigrateError, MigrationDir, RunOptions, Runner, SUM_FILE, generate_crate,
};

#[derive(Subcommand, Debug)]
pub enum MigrateCommand {
    /// Apply pending migrations in order, under an advisory lock.
    Apply(ApplyArgs),
    /// Roll back the newest applied migration, or every one after `--to`.
    Down(DownArgs),
    /// Show applied, pending and dirty migrations and the checksum state.
    Status(ConnArgs),
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
    #[arg(long, default_value = "300s", value_parser = parse_duration)]
    lock_wait: Duration,
    /// PostgreSQL `lock_timeout` for migration statements.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    lock_timeout: Duration,
    /// PostgreSQL `statement_timeout` for migration statements (`0`: none).
    #[arg(long, default_value = "6h", value_parser = parse_duration)]
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
pub struct HashArgs {
    #[arg(long, default_value = "migration")]
    dir: PathBuf,
    /// Write nothing; exit 1 if tidemark.sum or a generated file is out of date.
    #[arg(long)]
    check: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
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
    Ok(Duration::from_millis(ms))
}

impl RunArgs {
    fn options(&self) -> RunOptions {
        RunOptions {
            lock_wait: self.lock_wait,
            lock_timeout: self.lock_timeout,
            statement_timeout: self.statement_timeout,
            maintenance_work_mem: Some(self.maintenance_work_mem.clone()).filter(|m| m != "server"),
            max_parallel_maintenance_workers: Some(self.max_parallel_maintenance_workers),
            ..RunOptions::default()
        }
    }
}

/// The database to migrate: the flag, then `DATABASE_URL`, `.env.local`, `.env` (never the dev
/// database implicitly: migrating the wrong database is worse than a usage error).
async fn database_url(conn: &ConnArgs) -> Result<String, ExitCode> {
    super::database_url(conn.database_url.clone(), false)
        .await
        .map(|u| u.expose_secret().to_string())
        .map_err(|(e, code)| super::fail(e, code))
}

pub fn run(cmd: MigrateCommand) -> ExitCode {
    if let MigrateCommand::Hash(args) = cmd {
        return hash(&args);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    runtime.block_on(async move {
        match cmd {
            MigrateCommand::Apply(a) => apply(a).await,
            MigrateCommand::Down(a) => down(a).await,
            MigrateCommand::Status(a) => status(a).await,
            MigrateCommand::Hash(_) => ExitCode::SUCCESS,
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
    ExitCode::from(e.exit_code())
}

/// Verifies the directory (before anything connects) and opens a session on the database.
async fn open(conn: &ConnArgs, options: RunOptions) -> Result<Runner, ExitCode> {
    if !conn.dir.is_dir() {
        eprintln!(
            "error: migration directory `{}` does not exist\n  = help: pass --dir pointing at the migration crate",
            conn.dir.display()
        );
        return Err(ExitCode::from(2));
    }
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
        Event::IndexBuild(p) => eprintln!(
            "  index build: {} — blocks {}/{}, tuples {}/{}",
            p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total
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
    let mut runner = match open(&args.conn, args.run.options()).await {
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
        return ExitCode::SUCCESS;
    }
    let result = runner.apply(args.to.as_deref()).await;
    let closed = runner.close().await;
    match result.and_then(|done| closed.map(|_| done)) {
        Ok(done) => {
            match format {
                Format::Json => println!("{}", serde_json::json!({ "applied": done })),
                Format::Human if done.is_empty() => println!("nothing to apply: up to date"),
                Format::Human => {
                    for a in &done {
                        println!("applied {} ({} ms)", a.version, a.execution_ms);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format, &e),
    }
}

async fn down(args: DownArgs) -> ExitCode {
    let format = args.conn.format;
    let mut runner = match open(&args.conn, args.run.options()).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let result = runner.down(args.to.as_deref()).await;
    let closed = runner.close().await;
    match result.and_then(|done| closed.map(|_| done)) {
        Ok(done) => {
            match format {
                Format::Json => println!("{}", serde_json::json!({ "rolled_back": done })),
                Format::Human if done.is_empty() => println!("nothing to roll back"),
                Format::Human => {
                    for a in &done {
                        println!("rolled back {} ({} ms)", a.version, a.execution_ms);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format, &e),
    }
}

async fn status(args: ConnArgs) -> ExitCode {
    let format = args.format;
    let mut runner = match open(&args, RunOptions::default()).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    let result = runner.status().await;
    let _ = runner.close().await;
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
                    if let migrate::LiveSchemaCheck::NotChecked { reason } = &s.live_schema {
                        println!("live schema: not checked ({reason})");
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format, &e),
    }
}

/// Writes (or with `--check`, compares) `tidemark.sum` and the generated crate files.
fn hash(args: &HashArgs) -> ExitCode {
    match hash_files(&args.dir, args.check) {
        Ok(stale) if args.check && !stale.is_empty() => {
            for p in stale {
                eprintln!(
                    "error: {} is out of date\n  = help: run `tidemark migrate hash --dir {}`",
                    p.display(),
                    args.dir.display()
                );
            }
            ExitCode::from(1)
        }
        Ok(written) => {
            for p in written {
                println!("wrote {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Returns the files that differ (and writes them unless `check`); stale generated migration
/// modules are removed.
fn hash_files(root: &Path, check: bool) -> Result<Vec<PathBuf>, MigrateError> {
    let dir = MigrationDir::read(root)?;
    let mut files = generate_crate(&dir);
    files.push(crate::codegen::GeneratedFile {
        path: PathBuf::from(SUM_FILE),
        contents: migrate::render_sum(root)?,
    });
    let io_err = |path: &Path, e: std::io::Error| MigrateError::Directory {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
        help: "check the directory's permissions".into(),
    };
    let mut changed = Vec::new();
    for f in &files {
        let path = root.join(&f.path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            if !check {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
                }
                std::fs::write(&path, &f.contents).map_err(|e| io_err(&path, e))?;
            }
            changed.push(path);
        }
    }
    // Modules of migrations that no longer exist: only files we generated.
    if let Ok(entries) = std::fs::read_dir(root.join("src")) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let generated = std::fs::read_to_string(&path)
                .is_ok_and(|t| t.starts_with(migrate::MIGRATION_HEADER));
            let wanted = files.iter().any(|f| root.join(&f.path) == path);
            if generated && !wanted && name.ends_with(".rs") {
                if !check {
                    std::fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
                }
                changed.push(path);
            }
        }
    }
    Ok(changed)
}

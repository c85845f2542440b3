//! The one executor, last step of both paths to a live database: `push` runs a [`Plan`] with
//! [`apply`], the migration runner runs its scripts with [`Session::run`]. Both get the same
//! session ([`Session::open`]: settings, `application_name`, the transaction-pooling check),
//! the same per-step timeouts, and the same progress events for long index builds (read from
//! `pg_stat_progress_create_index` on a second connection while a statement runs longer than
//! the progress interval). Nothing here prints.
//!
//! A plan runs batch by batch ([`Plan::batches`]): consecutive transactional steps in one
//! transaction, so a failure among them leaves the database as it was; a non-transactional
//! step (`CREATE INDEX CONCURRENTLY`, an enum label) alone, and a failure reports exactly which
//! steps had already been committed.

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::connect::{self, ConnectOptions, DatabaseUrl};
use crate::plan::{Plan, Step};

/// Session settings for DDL on a live database; `Default` suits a production deploy.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Shown in `pg_stat_activity`, so a lock holder is recognisable.
    pub application_name: String,
    /// `lock_timeout`: a DDL statement queued behind a long transaction fails instead of
    /// blocking every query queued behind it.
    pub lock_timeout: Duration,
    /// `statement_timeout` (zero disables it); generous because index builds are slow.
    pub statement_timeout: Duration,
    /// `maintenance_work_mem` for index builds (an HNSW build slows down several times once the
    /// graph does not fit); `None` keeps the server's setting.
    pub maintenance_work_mem: Option<String>,
    /// `max_parallel_maintenance_workers` for index builds; `None` keeps the server's setting.
    pub max_parallel_maintenance_workers: Option<u32>,
    /// How often index build progress is read while a statement runs.
    pub progress_interval: Duration,
    /// What to do when a statement gives up waiting for a lock (`lock_timeout`).
    pub lock_retry: LockRetry,
    /// Set by the command on SIGINT/SIGTERM: the running statement is cancelled, no other one
    /// starts, and no retry either.
    pub stop: StopSignal,
}

/// A request to stop a run, shared by the command that receives the signal and the session
/// that runs the statements: requesting it cancels the session's running statement
/// (`pg_cancel_backend` from a connection of its own), so its transaction rolls back at once
/// instead of after the statement.
#[derive(Clone, Default)]
pub struct StopSignal(std::sync::Arc<StopState>);

#[derive(Default)]
struct StopState {
    requested: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
    /// The session to cancel: its URL and backend.
    target: std::sync::Mutex<Option<(DatabaseUrl, i32)>>,
}

impl std::fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StopSignal")
            .field(&self.requested())
            .finish()
    }
}

impl StopSignal {
    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.0.requested.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests the stop and cancels the registered session's running statement.
    pub async fn request(&self) {
        self.0
            .requested
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.notify.notify_waiters();
        let target = self.0.target.lock().ok().and_then(|t| t.clone());
        if let Some((url, pid)) = target {
            let options = ConnectOptions {
                application_name: "tidemark stop".into(),
                ..ConnectOptions::default()
            };
            if let Ok(mut conn) = connect::connect(&url, &options).await {
                let _ = sqlx::query("SELECT pg_cancel_backend($1)")
                    .bind(pid)
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
        }
    }

    fn register(&self, url: DatabaseUrl, pid: i32) {
        if let Ok(mut t) = self.0.target.lock() {
            *t = Some((url, pid));
        }
    }

    /// Resolves once a stop is requested.
    async fn stopped(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}

/// The error a run stopped by a signal fails with (its transaction rolled back).
fn stopped_error() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "stopped by a signal before this statement",
    ))
}

/// Retries of a statement (or, in a transaction, of the whole transaction) that hit
/// `lock_timeout` behind another session: a deploy behind one long transaction succeeds a
/// moment later instead of failing, and the application's queries never queue behind a DDL
/// lock for longer than `lock_timeout` at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRetry {
    /// Attempts in all, the first included (1: no retry).
    pub attempts: u32,
    /// No retry starts once this much time has passed since the first attempt.
    pub total: Duration,
    /// The wait before the first retry; each next one waits twice as long (at most 10 s), give
    /// or take a quarter at random so that runners do not retry in lockstep.
    pub first_delay: Duration,
}

impl Default for LockRetry {
    fn default() -> Self {
        LockRetry {
            attempts: 8,
            total: Duration::from_secs(120),
            first_delay: Duration::from_millis(500),
        }
    }
}

impl LockRetry {
    /// The wait before retry number `retry` (1-based), with its jitter.
    fn delay(&self, retry: u32) -> Duration {
        let base = self
            .first_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(Duration::from_secs(10));
        // 75 % to 125 % of the base.
        let factor = 0.75 + jitter(1000) as f64 / 2000.0;
        base.mul_f64(factor)
    }
}

/// A number below `below` that differs from one process and moment to the next, to spread
/// waiters so that runners do not retry in lockstep; any cheap entropy will do.
pub(crate) fn jitter(below: u32) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos % below.max(1))
}

/// Who held the lock a statement gave up on, as far as the server can still tell: the oldest
/// other transaction holding a lock on a relation the statement names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Blocker {
    pub pid: i32,
    pub application_name: String,
    pub state: Option<String>,
    pub xact_start: Option<String>,
    pub query: Option<String>,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} (application_name `{}`, state {}, transaction started {})",
            self.pid,
            self.application_name,
            self.state.as_deref().unwrap_or("unknown"),
            self.xact_start.as_deref().unwrap_or("unknown"),
        )?;
        if let Some(q) = &self.query {
            let q: String = q.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = q.chars().take(120).collect();
            write!(f, ", last query `{short}`")?;
        }
        Ok(())
    }
}

/// How a statement's lock waits went, for the error when they ran out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockWaits {
    pub attempts: u32,
    pub waited: Duration,
    pub blocker: Option<Blocker>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            application_name: "tidemark".into(),
            lock_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(6 * 3600),
            maintenance_work_mem: Some("512MB".into()),
            max_parallel_maintenance_workers: Some(2),
            progress_interval: Duration::from_millis(500),
            lock_retry: LockRetry::default(),
            stop: StopSignal::default(),
        }
    }
}

/// A progress sample of an index build.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexProgress {
    pub phase: String,
    pub blocks_done: i64,
    pub blocks_total: i64,
    pub tuples_done: i64,
    pub tuples_total: i64,
}

/// Why a session could not be opened or a statement failed outside a plan step.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Connect(#[from] connect::ConnectError),
    /// The connection cannot keep one server session (a transaction-pooling proxy).
    #[error(
        "the connection does not keep one server session: {detail}\n  = help: connect directly to PostgreSQL or through a session-pooling proxy (pgbouncer `pool_mode = session`)"
    )]
    TransactionPooling { detail: String },
    #[error("{what}: {message}")]
    Sql { what: String, message: String },
}

fn sql_error(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> SessionError {
    let what = what.into();
    move |e| SessionError::Sql {
        what,
        message: connect::server_message(&e),
    }
}

/// One server session with tidemark's settings, and a lazily opened second connection that
/// watches index builds.
pub struct Session {
    conn: PgConnection,
    watch: Watcher,
    options: SessionOptions,
    /// The lock waits of the last [`Session::run`] that ran out of retries.
    lock_waits: Option<LockWaits>,
}

/// Reads build progress of the session's backend from a second connection.
struct Watcher {
    url: Option<DatabaseUrl>,
    conn: Option<PgConnection>,
    /// The backend being watched.
    pid: i32,
    interval: Duration,
    /// Opening the second connection failed once: progress is a nicety, do not retry.
    gave_up: bool,
}

impl Session {
    /// Connects with the libpq rules of `connect`, refuses a transaction-pooling connection
    /// (two statements must run on one backend), and applies the settings.
    pub async fn open(
        url: &DatabaseUrl,
        options: &SessionOptions,
    ) -> Result<Session, SessionError> {
        let connect_options = ConnectOptions {
            application_name: options.application_name.clone(),
            ..ConnectOptions::default()
        };
        let conn = connect::connect(url, &connect_options).await?;
        Session::start(conn, Some(url.clone()), options).await
    }

    /// Takes over an open connection (progress is then not watched unless `url` is given).
    pub async fn start(
        mut conn: PgConnection,
        url: Option<DatabaseUrl>,
        options: &SessionOptions,
    ) -> Result<Session, SessionError> {
        let pid1: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut conn)
            .await
            .map_err(sql_error("reading the backend pid"))?;
        let pid2: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut conn)
            .await
            .map_err(sql_error("reading the backend pid"))?;
        if pid1 != pid2 {
            return Err(SessionError::TransactionPooling {
                detail: format!("two statements ran on server backends {pid1} and {pid2}"),
            });
        }
        let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
            .fetch_one(&mut conn)
            .await
            .map_err(sql_error("reading the server version"))?;
        let mut settings: Vec<(&str, String)> = vec![
            ("application_name", options.application_name.clone()),
            // A `timestamptz` literal in the spec (a partition bound, a default) means the same
            // instant on every server, and the same one introspection prints.
            ("TimeZone", "UTC".into()),
            ("lock_timeout", ms(options.lock_timeout)),
            ("statement_timeout", ms(options.statement_timeout)),
        ];
        if version >= 140000 {
            // A client killed mid-statement otherwise leaves its backend building an index (and
            // holding its locks) until it next writes to the dead socket.
            settings.push(("client_connection_check_interval", "1000ms".into()));
        }
        if let Some(m) = &options.maintenance_work_mem {
            settings.push(("maintenance_work_mem", m.clone()));
        }
        if let Some(w) = options.max_parallel_maintenance_workers {
            settings.push(("max_parallel_maintenance_workers", w.to_string()));
        }
        for (name, value) in settings {
            sqlx::query("SELECT set_config($1, $2, false)")
                .bind(name)
                .bind(&value)
                .execute(&mut conn)
                .await
                .map_err(sql_error(format!("setting {name} = {value}")))?;
        }
        if let Some(u) = &url {
            options.stop.register(u.clone(), pid1);
        }
        Ok(Session {
            conn,
            watch: Watcher {
                url,
                conn: None,
                pid: pid1,
                interval: options.progress_interval,
                gave_up: false,
            },
            options: options.clone(),
            lock_waits: None,
        })
    }

    /// The session's connection, for the caller's own bookkeeping statements.
    pub fn connection(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// Runs `statements` in order, in one transaction when `transactional` (rolled back on the
    /// first failure), one by one in autocommit otherwise. `finish` runs last inside the same
    /// transaction (the runner records its history there). A statement that hits
    /// `lock_timeout` is retried as [`SessionOptions::lock_retry`] says (in a transaction, the
    /// whole transaction, from its start), each retry an [`ExecEvent::LockRetry`]; when they run
    /// out, [`Session::lock_waits`] tells how it went. Returns the index of the failed
    /// statement with the error.
    pub async fn run<F>(
        &mut self,
        statements: &[Unit<'_>],
        transactional: bool,
        on_event: &mut (dyn FnMut(ExecEvent) + Send),
        mut finish: F,
    ) -> Result<(), (usize, sqlx::Error)>
    where
        F: Finish,
    {
        let policy = self.options.lock_retry.clone();
        let started = Instant::now();
        self.lock_waits = None;
        // Statements before `from` ran already (autocommit): a retry resumes at the failed one.
        let mut from = 0;
        let mut attempt = 1u32;
        loop {
            let result = self
                .run_attempt(statements, transactional, from, on_event, &mut finish)
                .await;
            let Err((at, e)) = result else {
                return Ok(());
            };
            if !is_lock_timeout(&e) || at >= statements.len() || self.options.stop.requested() {
                return Err((at, e));
            }
            let blocker = self.blocker(statements[at].sql).await;
            let delay = policy.delay(attempt);
            if attempt >= policy.attempts || started.elapsed() + delay > policy.total {
                self.lock_waits = Some(LockWaits {
                    attempts: attempt,
                    waited: started.elapsed(),
                    blocker,
                });
                return Err((at, e));
            }
            on_event(ExecEvent::LockRetry {
                statement: at,
                attempt: attempt + 1,
                delay,
                blocker,
            });
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.options.stop.stopped() => return Err((at, stopped_error())),
            }
            attempt += 1;
            if !transactional {
                from = at;
            }
        }
    }

    /// How the lock waits of the last failed [`Session::run`] went, when it gave up on a lock.
    pub fn lock_waits(&self) -> Option<&LockWaits> {
        self.lock_waits.as_ref()
    }

    async fn run_attempt<F>(
        &mut self,
        statements: &[Unit<'_>],
        transactional: bool,
        from: usize,
        on_event: &mut (dyn FnMut(ExecEvent) + Send),
        finish: &mut F,
    ) -> Result<(), (usize, sqlx::Error)>
    where
        F: Finish,
    {
        let total = statements.len();
        if transactional {
            let mut tx = self.conn.begin().await.map_err(|e| (0, e))?;
            for (i, unit) in statements.iter().enumerate() {
                if self.options.stop.requested() {
                    let _ = tx.rollback().await;
                    return Err((i, stopped_error()));
                }
                on_event(ExecEvent::Statement { index: i, total });
                if let Err(e) = run_one(&mut tx, &mut self.watch, unit, true, on_event).await {
                    let _ = tx.rollback().await;
                    return Err((i, e));
                }
            }
            if let Err(e) = finish(&mut tx).await {
                let _ = tx.rollback().await;
                return Err((total, e));
            }
            tx.commit().await.map_err(|e| (total, e))
        } else {
            for (i, unit) in statements.iter().enumerate().skip(from) {
                if self.options.stop.requested() {
                    return Err((i, stopped_error()));
                }
                on_event(ExecEvent::Statement { index: i, total });
                run_one(&mut self.conn, &mut self.watch, unit, false, on_event)
                    .await
                    .map_err(|e| (i, e))?;
            }
            let mut tx = self.conn.begin().await.map_err(|e| (total, e))?;
            if let Err(e) = finish(&mut tx).await {
                let _ = tx.rollback().await;
                return Err((total, e));
            }
            tx.commit().await.map_err(|e| (total, e))
        }
    }

    /// The oldest other transaction holding a lock on a relation `sql` names, if any.
    async fn blocker(&mut self, sql: &str) -> Option<Blocker> {
        let names: Vec<String> = crate::sql_lex::name_chains(sql)
            .into_iter()
            .map(|chain| {
                chain
                    .iter()
                    .map(|p| crate::sql_ident::quote(p))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect();
        if names.is_empty() {
            return None;
        }
        sqlx::query_as::<_, Blocker>(
            "SELECT a.pid, coalesce(a.application_name, '') AS application_name, a.state, \
                    a.xact_start::text AS xact_start, a.query \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.granted AND l.pid <> pg_backend_pid() AND l.locktype = 'relation' \
               AND l.relation IN (SELECT to_regclass(n) FROM unnest($1::text[]) AS n) \
             ORDER BY a.xact_start NULLS LAST LIMIT 1",
        )
        .bind(&names)
        .fetch_optional(&mut self.conn)
        .await
        .ok()
        .flatten()
    }

    /// Ends the session (and the watcher's connection).
    pub async fn close(self) -> Result<(), sqlx::Error> {
        if let Some(w) = self.watch.conn {
            let _ = w.close().await;
        }
        self.conn.close().await
    }
}

/// What runs last inside a [`Session::run`]'s transaction (the runner writes its history row
/// there); called again when the run is retried after a lock timeout.
pub trait Finish:
    for<'c> FnMut(
    &'c mut PgConnection,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>,
>
{
}

impl<T> Finish for T where
    T: for<'c> FnMut(
        &'c mut PgConnection,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>,
    >
{
}

/// A finishing action that does nothing, for [`Session::run`] callers without bookkeeping.
pub fn no_finish(
    _: &mut PgConnection,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + '_>> {
    Box::pin(async { Ok(()) })
}

/// One statement with the timeouts its step asks for.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'a> {
    pub sql: &'a str,
    pub lock_timeout_ms: Option<u64>,
    pub statement_timeout_ms: Option<u64>,
}

impl<'a> Unit<'a> {
    pub fn plain(sql: &'a str) -> Unit<'a> {
        Unit {
            sql,
            lock_timeout_ms: None,
            statement_timeout_ms: None,
        }
    }
}

/// Progress of a run, for a terminal or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEvent {
    /// Statement `index` (0-based) of a [`Session::run`] is about to run.
    Statement { index: usize, total: usize },
    /// Step `index` (0-based) of a plan is about to run.
    StepStarted { index: usize, total: usize },
    /// A group of plan steps was committed (0-based indices).
    Committed { steps: Vec<usize> },
    /// A sample of a running index build.
    IndexBuild(IndexProgress),
    /// Statement `statement` hit `lock_timeout`; attempt `attempt` starts after `delay`.
    LockRetry {
        statement: usize,
        attempt: u32,
        delay: Duration,
        blocker: Option<Blocker>,
    },
}

/// What a statement that ran out of lock retries adds to its error: how long it tried, and who
/// held the lock.
pub fn lock_waits_text(waits: &LockWaits) -> String {
    format!(
        " (gave up after {} attempt{} in {:.1}s; {})\n  = help: the lock is taken by another transaction; wait for it, end it with `SELECT pg_terminate_backend(pid)`, or allow more time (--lock-timeout, --lock-retries)",
        waits.attempts,
        if waits.attempts == 1 { "" } else { "s" },
        waits.waited.as_secs_f64(),
        match &waits.blocker {
            Some(b) => format!("the lock is held by {b}"),
            None => "its holder has gone by now".to_string(),
        }
    )
}

/// SQLSTATE 55P03 (`lock_not_available`): `lock_timeout` ran out.
fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "55P03")
}

fn ms(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// Runs one statement, with its own timeouts set around it, watching index builds when it
/// takes longer than the progress interval.
async fn run_one(
    conn: &mut PgConnection,
    watch: &mut Watcher,
    unit: &Unit<'_>,
    in_transaction: bool,
    on_event: &mut (dyn FnMut(ExecEvent) + Send),
) -> Result<(), sqlx::Error> {
    let overrides: Vec<(&str, u64)> = [
        ("lock_timeout", unit.lock_timeout_ms),
        ("statement_timeout", unit.statement_timeout_ms),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.map(|v| (n, v)))
    .collect();
    let mut saved = Vec::new();
    for (name, value) in &overrides {
        let old: String = sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
        saved.push((*name, old));
        sqlx::query("SELECT set_config($1, $2, $3)")
            .bind(name)
            .bind(format!("{value}ms"))
            .bind(in_transaction)
            .execute(&mut *conn)
            .await?;
    }
    let result = {
        let fut = sqlx::raw_sql(AssertSqlSafe(unit.sql.to_string())).execute(&mut *conn);
        tokio::pin!(fut);
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + watch.interval, watch.interval);
        loop {
            tokio::select! {
                r = &mut fut => break r,
                _ = tick.tick() => {
                    if let Some(p) = watch.sample().await {
                        on_event(ExecEvent::IndexBuild(p));
                    }
                }
            }
        }
    };
    for (name, old) in saved {
        let restored = sqlx::query("SELECT set_config($1, $2, $3)")
            .bind(name)
            .bind(&old)
            .bind(in_transaction)
            .execute(&mut *conn)
            .await;
        if result.is_ok() {
            restored?;
        }
    }
    result.map(|_| ())
}

impl Watcher {
    /// The watched backend's index build progress, if it is building one.
    async fn sample(&mut self) -> Option<IndexProgress> {
        if self.conn.is_none() && !self.gave_up {
            let url = self.url.as_ref()?;
            let options = ConnectOptions {
                application_name: "tidemark progress".into(),
                ..ConnectOptions::default()
            };
            match connect::connect(url, &options).await {
                Ok(c) => self.conn = Some(c),
                Err(_) => self.gave_up = true,
            }
        }
        let conn = self.conn.as_mut()?;
        let row: Option<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total \
             FROM pg_stat_progress_create_index WHERE pid = $1",
        )
        .bind(self.pid)
        .fetch_optional(conn)
        .await
        .ok()
        .flatten();
        row.map(
            |(phase, blocks_done, blocks_total, tuples_done, tuples_total)| IndexProgress {
                phase,
                blocks_done,
                blocks_total,
                tuples_done,
                tuples_total,
            },
        )
    }
}

/// A plan step that failed, and how much of the plan is in the database.
#[derive(Debug, thiserror::Error)]
#[error(
    "step {} of {total} failed: {message}\n  from: {from}\n  sql: {sql}\n{}",
    index + 1,
    if committed.is_empty() {
        "nothing was changed: the transaction was rolled back".to_string()
    } else {
        format!(
            "steps {} had already been committed; run the command again to finish",
            committed.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ")
        )
    }
)]
pub struct ApplyError {
    /// The failed step (0-based).
    pub index: usize,
    pub total: usize,
    pub from: String,
    /// The failed statement.
    pub sql: String,
    pub message: String,
    /// Where in `sql` the server located the error (0-based character offset), if it did.
    pub position: Option<usize>,
    /// Steps already committed before the failure.
    pub committed: Vec<usize>,
}

/// The 0-based character offset in the statement where the server located an error (its
/// `position` field is 1-based).
fn server_position(e: &sqlx::Error) -> Option<usize> {
    use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
    let pg = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<PgDatabaseError>())?;
    match pg.position()? {
        PgErrorPosition::Original(p) => p.checked_sub(1),
        PgErrorPosition::Internal { .. } => None,
    }
}

/// Runs `plan` in `session` batch by batch (see [`Plan::batches`]); returns the time taken.
pub async fn apply(
    session: &mut Session,
    plan: &Plan,
    on_event: &mut (dyn FnMut(ExecEvent) + Send),
) -> Result<Duration, ApplyError> {
    let started = Instant::now();
    let mut committed: Vec<usize> = Vec::new();
    set_search_path(session, plan).await?;
    for (transactional, group) in plan.batches() {
        run_group(
            session,
            plan,
            transactional,
            group,
            &mut committed,
            on_event,
        )
        .await?;
    }
    Ok(started.elapsed())
}

/// `SET search_path` for the plan's statements, before any of them.
async fn set_search_path(session: &mut Session, plan: &Plan) -> Result<(), ApplyError> {
    let Some(set) = plan.search_path_sql() else {
        return Ok(());
    };
    sqlx::raw_sql(AssertSqlSafe(set.clone()))
        .execute(session.connection())
        .await
        .map(|_| ())
        .map_err(|e| ApplyError {
            index: 0,
            total: plan.steps.len(),
            from: "the plan's search_path".into(),
            sql: set,
            message: connect::server_message(&e),
            position: None,
            committed: Vec::new(),
        })
}

/// Runs one batch of [`Plan::batches`] statement by statement, as [`apply`] does.
async fn run_group(
    session: &mut Session,
    plan: &Plan,
    transactional: bool,
    group: Vec<usize>,
    committed: &mut Vec<usize>,
    on_event: &mut (dyn FnMut(ExecEvent) + Send),
) -> Result<(), ApplyError> {
    let total = plan.steps.len();
    // The group's statements, each remembering its step.
    let mut units = Vec::new();
    let mut owner = Vec::new();
    for &i in &group {
        for s in &plan.steps[i].statements {
            units.push(unit(&plan.steps[i], s));
            owner.push(i);
        }
    }
    let mut last_step = None;
    let mut relay = |e: ExecEvent| match e {
        ExecEvent::Statement { index, .. } => {
            let step = owner[index];
            if last_step != Some(step) {
                last_step = Some(step);
                on_event(ExecEvent::StepStarted { index: step, total });
            }
        }
        other => on_event(other),
    };
    if let Err((at, e)) = session
        .run(&units, transactional, &mut relay, no_finish)
        .await
    {
        let index = owner.get(at).copied().unwrap_or(group[group.len() - 1]);
        let mut message = connect::server_message(&e);
        if let Some(waits) = session.lock_waits() {
            message.push_str(&lock_waits_text(waits));
        }
        return Err(ApplyError {
            index,
            total,
            from: plan.steps[index].from.clone(),
            sql: units
                .get(at)
                .map_or_else(String::new, |u| u.sql.to_string()),
            message,
            position: server_position(&e),
            committed: committed.clone(),
        });
    }
    committed.extend(group.iter().copied());
    on_event(ExecEvent::Committed { steps: group });
    Ok(())
}

/// As [`apply`], for a scratch database that nobody watches (the shadow): a transactional
/// batch whose steps set no timeouts of their own goes to the server as a few multi-statement
/// messages instead of one round trip per statement (250 tables of the compare bench's shape:
/// 0.33 s against 0.49 s through psql), with no progress events. When such a batch fails it is
/// rolled back and run again statement by statement, so the error names its step, statement and
/// position exactly as [`apply`]'s does.
pub async fn apply_unwatched(session: &mut Session, plan: &Plan) -> Result<Duration, ApplyError> {
    let started = Instant::now();
    let mut committed: Vec<usize> = Vec::new();
    let mut quiet = |_: ExecEvent| {};
    set_search_path(session, plan).await?;
    for (transactional, group) in plan.batches() {
        let plain = group.iter().all(|&i| {
            plan.steps[i].lock_timeout_ms.is_none() && plan.steps[i].statement_timeout_ms.is_none()
        });
        if transactional && plain && run_in_messages(session, plan, &group).await.is_ok() {
            committed.extend(group.iter().copied());
            continue;
        }
        run_group(
            session,
            plan,
            transactional,
            group,
            &mut committed,
            &mut quiet,
        )
        .await?;
    }
    Ok(started.elapsed())
}

/// Statements per message in [`apply_unwatched`].
const STATEMENTS_PER_MESSAGE: usize = 500;

/// The steps `group` in one transaction, sent a few hundred statements per message; rolled
/// back on any error.
async fn run_in_messages(
    session: &mut Session,
    plan: &Plan,
    group: &[usize],
) -> Result<(), sqlx::Error> {
    let statements: Vec<&str> = group
        .iter()
        .flat_map(|&i| plan.steps[i].statements.iter().map(String::as_str))
        .collect();
    let mut tx = session.connection().begin().await?;
    for chunk in statements.chunks(STATEMENTS_PER_MESSAGE) {
        // A newline before each `;`: a statement may end in a `--` comment.
        let message = chunk.join("\n;\n");
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(message))
            .execute(&mut *tx)
            .await
        {
            let _ = tx.rollback().await;
            return Err(e);
        }
    }
    tx.commit().await
}

fn unit<'a>(step: &Step, sql: &'a str) -> Unit<'a> {
    Unit {
        sql,
        lock_timeout_ms: step.lock_timeout_ms,
        statement_timeout_ms: step.statement_timeout_ms,
    }
}

//! Applying and rolling back, the online step of `migrate`: one session holds an advisory lock,
//! checks the history against the directory, and runs each migration with its history rows,
//! reporting progress as [`Event`]s (the CLI decides what to print).
//!
//! History lives in two tables. `seaql_migrations(version, applied_at)` is created exactly as
//! sea-orm-migration 2.0.4 creates it and gets a row per applied version, so sea-orm's CLI and
//! tidemark see each other's work. `tidemark_migrations` adds what sea-orm lacks: the checksum
//! of `up.sql`, the run time, and `dirty` (`up`/`down`) while a no-transaction script runs.
//! A version counts as applied when it has a `seaql_migrations` row and no dirty tidemark row.
//!
//! Transaction pooling (pgbouncer `pool_mode = transaction`) is detected twice: the backend pid
//! is read by two separate statements at connect time and must be equal, and after taking the
//! session advisory lock a separate statement must find that lock held by its own backend in
//! `pg_locks` (checked again before every migration). A pooled connection fails one of them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgDatabaseError;
use sqlx::{AssertSqlSafe, PgConnection};

use super::dir::{Direction, Migration, MigrationDir, Script};
use super::error::{LockHolder, MigrateError};
use crate::execute::{ExecEvent, Session, SessionOptions, Unit};

/// The advisory lock key: "tidemark" in ASCII, so `pg_locks` shows a recognisable pair
/// (classid 0x74696465, objid 0x6d61726b).
const LOCK_KEY: i64 = 0x7469_6465_6d61_726b;

/// sea-orm-migration 2.0.4's `install`, as sea-query renders `create_table_from_entity` for its
/// `seaql_migrations` entity on PostgreSQL.
const CREATE_SEAQL: &str = r#"CREATE TABLE IF NOT EXISTS "seaql_migrations" ( "version" varchar NOT NULL PRIMARY KEY, "applied_at" bigint NOT NULL )"#;

const CREATE_TIDEMARK: &str = r#"CREATE TABLE IF NOT EXISTS "tidemark_migrations" (
    "version" varchar NOT NULL PRIMARY KEY,
    "checksum" text NOT NULL,
    "transactional" boolean NOT NULL,
    "dirty" text CHECK ("dirty" IN ('up', 'down')),
    "applied_by" text NOT NULL,
    "applied_at" timestamptz NOT NULL DEFAULT now(),
    "execution_ms" bigint
)"#;

/// Waits and session settings of a run; `Default` suits a production deploy.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How long to wait for another runner's lock before giving up and naming it.
    pub lock_wait: Duration,
    /// The session every migration runs in (timeouts, index build memory, progress), shared
    /// with `push` through the one executor.
    pub session: SessionOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_wait: Duration::from_secs(300),
            session: SessionOptions {
                application_name: "tidemark migrate".into(),
                ..SessionOptions::default()
            },
        }
    }
}

/// A progress sample of an index build of one migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexProgress {
    pub version: String,
    #[serde(flatten)]
    pub progress: crate::execute::IndexProgress,
}

/// What the runner is doing, for a progress display or a log; never printed by the library.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    WaitingForLock {
        holder: Option<LockHolder>,
    },
    LockAcquired {
        waited_ms: u64,
    },
    /// A version sea-orm's CLI applied got its tidemark history row (and checksum).
    Adopted {
        version: String,
    },
    /// A no-transaction migration that died midway is being repaired before it re-runs.
    Repairing {
        version: String,
        dropped_invalid_indexes: Vec<String>,
    },
    Started {
        version: String,
        direction: Direction,
        transactional: bool,
        statements: usize,
    },
    Statement {
        version: String,
        index: usize,
        total: usize,
        line: usize,
    },
    IndexBuild(IndexProgress),
    /// A statement hit `lock_timeout` and is tried again after `delay_ms`.
    LockRetry {
        version: String,
        line: usize,
        attempt: u32,
        delay_ms: u64,
        blocker: Option<crate::execute::Blocker>,
    },
    Finished {
        version: String,
        direction: Direction,
        execution_ms: u64,
    },
}

/// One migration that ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub version: String,
    pub direction: Direction,
    pub execution_ms: u64,
    pub repaired: bool,
}

/// One version's history, merged from both tables.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryRow {
    pub version: String,
    /// Has a `seaql_migrations` row.
    pub recorded: bool,
    pub checksum: Option<String>,
    pub dirty: Option<Direction>,
    pub applied_by: Option<String>,
}

impl HistoryRow {
    fn applied(&self) -> bool {
        self.recorded && self.dirty.is_none()
    }
}

/// Where one version stands, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    Applied,
    /// Applied by sea-orm's CLI; tidemark records its checksum at its next apply.
    AppliedWithoutChecksum,
    /// `up.sql` differs from what was applied.
    AppliedButEdited,
    Pending,
    /// A no-transaction script died midway; the next apply (or down) repairs and finishes it.
    Dirty(Direction),
    /// Applied here, but its folder is gone from the directory.
    MissingFromDirectory,
}

/// One line of `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusEntry {
    pub version: String,
    pub state: MigrationState,
}

/// Whether the live schema equals the snapshot of the newest applied version (see
/// [`Runner::check_live_schema`]); opt-in, because it starts a shadow server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "live_schema", rename_all = "snake_case")]
pub enum LiveSchemaCheck {
    NotChecked { reason: String },
    Matches,
    Differs { differences: Vec<String> },
}

/// The result of `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub migrations: Vec<StatusEntry>,
    pub live_schema: LiveSchemaCheck,
}

type HolderRow = (
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type HistoryTuple = (String, bool, Option<String>, Option<String>, Option<String>);

type EventSink = Arc<dyn Fn(&Event) + Send + Sync>;

/// A session on the target database; [`Runner::pending`] and [`Runner::apply_one`] are the
/// engine, [`Runner::apply`] the one loop over them (used by the CLI, dry-run excepted).
pub struct Runner {
    session: Session,
    dir: MigrationDir,
    options: RunOptions,
    on_event: EventSink,
    locked: bool,
}

impl Runner {
    /// Connects, applies the session settings and refuses a transaction-pooling connection
    /// (through the one executor's [`Session::open`]). Takes no lock and writes nothing, so
    /// `status` and `--dry-run` can use it too.
    pub async fn connect(
        url: &str,
        dir: MigrationDir,
        options: RunOptions,
        on_event: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Result<Runner, MigrateError> {
        let url = crate::connect::DatabaseUrl::parse(url)?;
        let session = Session::open(&url, &options.session).await?;
        Ok(Runner {
            session,
            dir,
            options,
            on_event: Arc::new(on_event),
            locked: false,
        })
    }

    /// The directory this runner works from.
    pub fn dir(&self) -> &MigrationDir {
        &self.dir
    }

    fn emit(&self, e: Event) {
        (self.on_event)(&e)
    }

    /// Takes the migration lock (polling, up to `lock_wait`), then makes sure the history tables
    /// exist and records checksums for versions sea-orm's CLI applied.
    pub async fn lock(&mut self) -> Result<(), MigrateError> {
        if self.locked {
            return Ok(());
        }
        let start = Instant::now();
        let mut announced = false;
        loop {
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LOCK_KEY)
                .fetch_one(self.session.connection())
                .await
                .map_err(MigrateError::sql("taking the migration lock"))?;
            if got {
                break;
            }
            if !announced {
                announced = true;
                let holder = self.lock_holder().await?;
                self.emit(Event::WaitingForLock { holder });
            }
            if start.elapsed() >= self.options.lock_wait {
                return Err(MigrateError::LockTimeout {
                    waited_secs: start.elapsed().as_secs(),
                    holder: self.lock_holder().await?.map(Box::new),
                });
            }
            // Spreads pollers so sixteen runners do not retry in lockstep.
            let jitter = crate::execute::jitter(100);
            tokio::time::sleep(Duration::from_millis(100 + jitter)).await;
        }
        self.locked = true;
        self.check_lock_held().await?;
        self.emit(Event::LockAcquired {
            waited_ms: start.elapsed().as_millis() as u64,
        });
        for ddl in [CREATE_SEAQL, CREATE_TIDEMARK] {
            sqlx::raw_sql(ddl)
                .execute(self.session.connection())
                .await
                .map_err(MigrateError::sql("creating the history tables"))?;
        }
        self.adopt().await
    }

    async fn lock_holder(&mut self) -> Result<Option<LockHolder>, MigrateError> {
        let row: Option<HolderRow> = sqlx::query_as(
            "SELECT a.pid, coalesce(a.application_name, ''), host(a.client_addr), \
                        a.backend_start::text, a.state, a.query_start::text \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
                       (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 \
                 LIMIT 1",
        )
        .bind(LOCK_KEY >> 32)
        .bind(LOCK_KEY & 0xffff_ffff)
        .fetch_optional(self.session.connection())
        .await
        .map_err(MigrateError::sql("looking up who holds the migration lock"))?;
        Ok(row.map(
            |(pid, application_name, client_addr, backend_start, state, query_start)| LockHolder {
                pid,
                application_name,
                client_addr,
                backend_start,
                state,
                query_start,
            },
        ))
    }

    /// A separate statement must see the lock held by its own backend; behind a transaction
    /// pooler it runs on another backend, which holds nothing.
    async fn check_lock_held(&mut self) -> Result<(), MigrateError> {
        let held: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
               AND pid = pg_backend_pid() AND classid::bigint = $1 AND objid::bigint = $2 \
               AND objsubid = 1)",
        )
        .bind(LOCK_KEY >> 32)
        .bind(LOCK_KEY & 0xffff_ffff)
        .fetch_one(self.session.connection())
        .await
        .map_err(MigrateError::sql("checking the migration lock"))?;
        if held {
            Ok(())
        } else {
            Err(MigrateError::TransactionPooling {
                detail: "the advisory lock taken by one statement is not held by the backend running the next one".into(),
            })
        }
    }

    async fn adopt(&mut self) -> Result<(), MigrateError> {
        let history = self.history().await?;
        for row in history {
            if !row.recorded || row.applied_by.is_some() {
                continue;
            }
            let Some(m) = self
                .dir
                .migrations
                .iter()
                .find(|m| m.version == row.version)
            else {
                continue;
            };
            sqlx::query(
                "INSERT INTO \"tidemark_migrations\" (version, checksum, transactional, applied_by) \
                 VALUES ($1, $2, $3, 'sea-orm') ON CONFLICT (version) DO NOTHING",
            )
            .bind(&m.version)
            .bind(&m.checksum)
            .bind(m.up.transactional)
            .execute(self.session.connection())
            .await
            .map_err(MigrateError::sql("recording a version applied by sea-orm"))?;
            self.emit(Event::Adopted {
                version: m.version.clone(),
            });
        }
        Ok(())
    }

    /// Both history tables merged, by version; empty when neither exists yet (read-only).
    pub async fn history(&mut self) -> Result<Vec<HistoryRow>, MigrateError> {
        let (seaql, tidemark): (bool, bool) = sqlx::query_as(
            "SELECT to_regclass('seaql_migrations') IS NOT NULL, \
                    to_regclass('tidemark_migrations') IS NOT NULL",
        )
        .fetch_one(self.session.connection())
        .await
        .map_err(MigrateError::sql("looking for the history tables"))?;
        let seaql_sql = if seaql {
            "SELECT version::text FROM \"seaql_migrations\""
        } else {
            "SELECT NULL::text WHERE false"
        };
        let tm_sql = if tidemark {
            "SELECT version::text, checksum, dirty, applied_by FROM \"tidemark_migrations\""
        } else {
            "SELECT NULL::text, NULL::text, NULL::text, NULL::text WHERE false"
        };
        let sql = format!(
            "SELECT coalesce(s.version, t.version), s.version IS NOT NULL, t.checksum, t.dirty, t.applied_by \
             FROM ({seaql_sql}) s(version) FULL JOIN ({tm_sql}) t(version, checksum, dirty, applied_by) \
               ON s.version = t.version ORDER BY 1"
        );
        let rows: Vec<HistoryTuple> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(self.session.connection())
            .await
            .map_err(MigrateError::sql("reading the migration history"))?;
        Ok(rows
            .into_iter()
            .map(
                |(version, recorded, checksum, dirty, applied_by)| HistoryRow {
                    version,
                    recorded,
                    checksum,
                    dirty: match dirty.as_deref() {
                        Some("up") => Some(Direction::Up),
                        Some("down") => Some(Direction::Down),
                        _ => None,
                    },
                    applied_by,
                },
            )
            .collect())
    }

    /// Migrations to apply, in order (dirty ones included, to be repaired), after checking the
    /// history against the directory: an applied version whose folder is gone or whose
    /// `up.sql` changed, or a pending one sorting before an applied one, stops everything.
    pub async fn pending(&mut self) -> Result<Vec<Migration>, MigrateError> {
        let history = self.history().await?;
        check_history(&self.dir, &history)?;
        Ok(self
            .dir
            .migrations
            .iter()
            .filter(|m| {
                !history
                    .iter()
                    .any(|h| h.version == m.version && h.applied())
            })
            .cloned()
            .collect())
    }

    /// Applies every pending migration in order, up to and including `to`, and returns them.
    pub async fn apply(&mut self, to: Option<&str>) -> Result<Vec<Applied>, MigrateError> {
        self.check_target(to)?;
        self.lock().await?;
        let mut done = Vec::new();
        for m in self.pending().await? {
            if to.is_some_and(|to| m.version.as_str() > to) {
                break;
            }
            done.push(self.apply_one(&m).await?);
        }
        Ok(done)
    }

    /// Says which version a `--to` names, or that the directory has no such version.
    pub fn check_target(&self, to: Option<&str>) -> Result<(), MigrateError> {
        match to {
            Some(v) if v != "0" && !self.dir.migrations.iter().any(|m| m.version == v) => {
                Err(MigrateError::History {
                    message: format!("--to {v}: no migration has that version"),
                    help: "pass a folder name under sql/ (see `tidemark migrate status`), or 0 for none".into(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Applies one migration with its history rows: in one transaction, or (no-transaction
    /// scripts) marked dirty, statement by statement, then recorded. A dirty one is repaired
    /// first. Takes the lock if this runner does not hold it yet.
    pub async fn apply_one(&mut self, m: &Migration) -> Result<Applied, MigrateError> {
        self.run(m, Direction::Up).await
    }

    /// Rolls back one applied migration with its `down.sql` (the reverse of [`Runner::apply_one`]).
    pub async fn rollback_one(&mut self, m: &Migration) -> Result<Applied, MigrateError> {
        self.run(m, Direction::Down).await
    }

    /// Rolls back applied migrations, newest first: only the newest with `to = None`, else every
    /// one after `to` (`"0"`: all of them).
    pub async fn down(&mut self, to: Option<&str>) -> Result<Vec<Applied>, MigrateError> {
        self.check_target(to)?;
        self.lock().await?;
        let history = self.history().await?;
        check_history(&self.dir, &history)?;
        let applied: Vec<Migration> = self
            .dir
            .migrations
            .iter()
            .filter(|m| {
                history
                    .iter()
                    .any(|h| h.version == m.version && (h.recorded || h.dirty.is_some()))
            })
            .cloned()
            .collect();
        let mut done = Vec::new();
        for m in applied.iter().rev() {
            match to {
                None if !done.is_empty() => break,
                Some(to) if m.version.as_str() <= to => break,
                _ => {}
            }
            done.push(self.rollback_one(m).await?);
        }
        Ok(done)
    }

    /// Applied, pending and dirty versions; the checksum file was verified when the directory
    /// was opened, and `up.sql` is compared with the checksum recorded at apply time.
    pub async fn status(&mut self) -> Result<Status, MigrateError> {
        let history = self.history().await?;
        let mut entries = Vec::new();
        for m in &self.dir.migrations {
            let h = history.iter().find(|h| h.version == m.version);
            let state = match h {
                None => MigrationState::Pending,
                Some(h) if h.dirty.is_some() => {
                    MigrationState::Dirty(h.dirty.unwrap_or(Direction::Up))
                }
                Some(h) if !h.recorded => MigrationState::Pending,
                Some(h) => match &h.checksum {
                    None => MigrationState::AppliedWithoutChecksum,
                    Some(c) if *c != m.checksum => MigrationState::AppliedButEdited,
                    Some(_) => MigrationState::Applied,
                },
            };
            entries.push(StatusEntry {
                version: m.version.clone(),
                state,
            });
        }
        for h in &history {
            if h.recorded && !self.dir.migrations.iter().any(|m| m.version == h.version) {
                entries.push(StatusEntry {
                    version: h.version.clone(),
                    state: MigrationState::MissingFromDirectory,
                });
            }
        }
        entries.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(Status {
            migrations: entries,
            live_schema: LiveSchemaCheck::NotChecked {
                reason: "not requested (`status --check-schema` compares it)".into(),
            },
        })
    }

    /// Compares the live schema with the snapshot (`schema.yaml`) of the newest applied
    /// version, canonicalised on `shadow`, so drift made by hand next to the migrations shows
    /// up in `status`. Nothing applied compares with the empty schema; a newest applied version
    /// without a snapshot (a part of a split migration, or written by hand) cannot be checked.
    /// A failure to check is reported as not checked, with the reason.
    pub async fn check_live_schema(
        &mut self,
        shadow: &crate::shadow::ShadowServer,
    ) -> LiveSchemaCheck {
        let history = match self.history().await {
            Ok(h) => h,
            Err(e) => {
                return LiveSchemaCheck::NotChecked {
                    reason: format!("could not read the history: {e}"),
                };
            }
        };
        let newest = self.dir.migrations.iter().rev().find(|m| {
            history
                .iter()
                .any(|h| h.version == m.version && h.applied())
        });
        let snapshot = match newest {
            None => crate::model::Schema::default(),
            Some(m) => match super::read_snapshot(&self.dir.root, &m.version) {
                Ok(Some(s)) => s,
                Ok(None) => {
                    return LiveSchemaCheck::NotChecked {
                        reason: format!(
                            "{} has no {} (a part of a split migration, or written by hand)",
                            m.version,
                            super::SNAPSHOT_FILE
                        ),
                    };
                }
                Err(e) => {
                    return LiveSchemaCheck::NotChecked {
                        reason: e.to_string(),
                    };
                }
            },
        };
        match super::verify::live_differences(self.session.connection(), &snapshot, shadow).await {
            Ok(d) if d.is_empty() => LiveSchemaCheck::Matches,
            Ok(differences) => LiveSchemaCheck::Differs { differences },
            Err(e) => LiveSchemaCheck::NotChecked {
                reason: format!("could not compare: {}", error_chain(&e)),
            },
        }
    }

    /// Releases the lock and closes the session.
    pub async fn close(mut self) -> Result<(), MigrateError> {
        if self.locked {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(LOCK_KEY)
                .execute(self.session.connection())
                .await
                .map_err(MigrateError::sql("releasing the migration lock"))?;
        }
        self.session
            .close()
            .await
            .map_err(MigrateError::sql("closing the connection"))
    }

    async fn run(&mut self, m: &Migration, direction: Direction) -> Result<Applied, MigrateError> {
        self.lock().await?;
        self.check_lock_held().await?;
        let script = match direction {
            Direction::Up => &m.up,
            Direction::Down => m.down.as_ref().ok_or_else(|| MigrateError::History {
                message: format!(
                    "migration {} has no down.sql, so it cannot be rolled back",
                    m.version
                ),
                help: format!(
                    "write sql/{}/down.sql, run `tidemark migrate hash`, and try again",
                    m.version
                ),
            })?,
        };
        let start = Instant::now();
        let dirty: Option<String> = sqlx::query_scalar(
            "SELECT dirty FROM \"tidemark_migrations\" WHERE version = $1 AND dirty IS NOT NULL",
        )
        .bind(&m.version)
        .fetch_optional(self.session.connection())
        .await
        .map_err(MigrateError::sql("reading the migration history"))?;
        let repaired = dirty.is_some();
        if repaired {
            let dropped = self.drop_invalid_indexes(m).await?;
            self.emit(Event::Repairing {
                version: m.version.clone(),
                dropped_invalid_indexes: dropped,
            });
        }
        self.emit(Event::Started {
            version: m.version.clone(),
            direction,
            transactional: script.transactional,
            statements: script.statements.len(),
        });
        if !script.transactional {
            let label = match direction {
                Direction::Up => "up",
                Direction::Down => "down",
            };
            sqlx::query(
                "INSERT INTO \"tidemark_migrations\" (version, checksum, transactional, dirty, applied_by) \
                 VALUES ($1, $2, false, $3, 'tidemark') \
                 ON CONFLICT (version) DO UPDATE SET dirty = EXCLUDED.dirty",
            )
            .bind(&m.version)
            .bind(&m.checksum)
            .bind(label)
            .execute(self.session.connection())
            .await
            .map_err(MigrateError::sql("marking the migration dirty"))?;
        }
        let units: Vec<Unit<'_>> = script
            .statements
            .iter()
            .map(|(_, s)| Unit::plain(s))
            .collect();
        let record = Record {
            version: m.version.clone(),
            checksum: m.checksum.clone(),
            direction,
            start,
            transactional: script.transactional,
        };
        let on_event = self.on_event.clone();
        let version = m.version.clone();
        let lines: Vec<usize> = script.statements.iter().map(|(l, _)| *l).collect();
        let mut relay = move |e: ExecEvent| match e {
            ExecEvent::Statement { index, total } => on_event(&Event::Statement {
                version: version.clone(),
                index,
                total,
                line: lines.get(index).copied().unwrap_or(1),
            }),
            ExecEvent::IndexBuild(progress) => on_event(&Event::IndexBuild(IndexProgress {
                version: version.clone(),
                progress,
            })),
            ExecEvent::LockRetry {
                statement,
                attempt,
                delay,
                blocker,
            } => on_event(&Event::LockRetry {
                version: version.clone(),
                line: lines.get(statement).copied().unwrap_or(1),
                attempt,
                delay_ms: delay.as_millis() as u64,
                blocker,
            }),
            _ => {}
        };
        let result = self
            .session
            .run(&units, script.transactional, &mut relay, move |tx| {
                // A copy per attempt: a transaction retried after a lock timeout records again.
                let record = record.clone();
                Box::pin(async move { record.write(tx).await })
            })
            .await;
        if let Err((at, e)) = result {
            let waits = self
                .session
                .lock_waits()
                .map(crate::execute::lock_waits_text);
            return Err(match script.statements.get(at) {
                Some((line, stmt)) => {
                    let mut err = statement_error(m, script, *line, stmt, e);
                    if let (Some(text), MigrateError::Statement { message, .. }) = (waits, &mut err)
                    {
                        message.push_str(&text);
                    }
                    err
                }
                None => MigrateError::Sql {
                    what: format!("recording migration {} in the history", m.version),
                    source: e,
                },
            });
        }
        let execution_ms = start.elapsed().as_millis() as u64;
        self.emit(Event::Finished {
            version: m.version.clone(),
            direction,
            execution_ms,
        });
        Ok(Applied {
            version: m.version.clone(),
            direction,
            execution_ms,
            repaired,
        })
    }

    /// Drops the INVALID indexes (left by a killed `CREATE INDEX CONCURRENTLY`) whose names
    /// appear in the migration's scripts; other invalid indexes are not ours to touch.
    async fn drop_invalid_indexes(&mut self, m: &Migration) -> Result<Vec<String>, MigrateError> {
        let invalid: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.nspname::text, c.relname::text FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(self.session.connection())
        .await
        .map_err(MigrateError::sql("looking for invalid indexes"))?;
        let text = format!(
            "{}\n{}",
            m.up.sql,
            m.down.as_ref().map_or("", |d| d.sql.as_str())
        );
        let mut dropped = Vec::new();
        for (schema, name) in invalid {
            if !crate::sql_lex::names_identifier(&text, &name) {
                continue;
            }
            let sql = format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}.{}",
                crate::sql_ident::quote(&schema),
                crate::sql_ident::quote(&name)
            );
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(self.session.connection())
                .await
                .map_err(MigrateError::sql(format!(
                    "dropping invalid index {schema}.{name}"
                )))?;
            dropped.push(format!("{schema}.{name}"));
        }
        Ok(dropped)
    }
}

fn check_history(dir: &MigrationDir, history: &[HistoryRow]) -> Result<(), MigrateError> {
    for h in history {
        let Some(m) = dir.migrations.iter().find(|m| m.version == h.version) else {
            if h.recorded || h.dirty.is_some() {
                return Err(MigrateError::History {
                    message: format!(
                        "migration {} is applied to this database, but sql/{}/ is not in the directory",
                        h.version, h.version
                    ),
                    help: "restore the folder from version control (deleting an applied migration does not undo it); roll it back with the old directory before removing it".into(),
                });
            }
            continue;
        };
        if let Some(c) = &h.checksum
            && h.recorded
            && *c != m.checksum
        {
            return Err(MigrateError::History {
                message: format!(
                    "sql/{}/up.sql was edited after it was applied to this database",
                    m.version
                ),
                help: "restore the applied version from version control; to change the schema further, add a new migration".into(),
            });
        }
    }
    let last_applied = history
        .iter()
        .filter(|h| h.applied())
        .map(|h| h.version.as_str())
        .max();
    if let Some(last) = last_applied
        && let Some(m) = dir.migrations.iter().find(|m| {
            m.version.as_str() < last
                && !history
                    .iter()
                    .any(|h| h.version == m.version && (h.recorded || h.dirty.is_some()))
        })
    {
        return Err(MigrateError::History {
            message: format!(
                "migration {} is not applied but sorts before {last}, which is: it was inserted into history",
                m.version
            ),
            help: "give it a later version (rename its folder with a new timestamp) and run `tidemark migrate hash`".into(),
        });
    }
    Ok(())
}

/// The history rows of one run, written in the migration's own transaction (or right after
/// a no-transaction script).
#[derive(Clone)]
struct Record {
    version: String,
    checksum: String,
    direction: Direction,
    start: Instant,
    transactional: bool,
}

impl Record {
    async fn write(&self, tx: &mut PgConnection) -> Result<(), sqlx::Error> {
        let ms = self.start.elapsed().as_millis() as i64;
        match self.direction {
            Direction::Up => {
                sqlx::query(
                    "INSERT INTO \"seaql_migrations\" (version, applied_at) \
                     VALUES ($1, extract(epoch FROM now())::bigint) ON CONFLICT (version) DO NOTHING",
                )
                .bind(&self.version)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO \"tidemark_migrations\" (version, checksum, transactional, dirty, applied_by, execution_ms) \
                     VALUES ($1, $2, $3, NULL, 'tidemark', $4) \
                     ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, dirty = NULL, \
                       applied_by = 'tidemark', applied_at = now(), execution_ms = EXCLUDED.execution_ms, \
                       transactional = EXCLUDED.transactional",
                )
                .bind(&self.version)
                .bind(&self.checksum)
                .bind(self.transactional)
                .bind(ms)
                .execute(&mut *tx)
                .await?;
            }
            Direction::Down => {
                for sql in [
                    "DELETE FROM \"seaql_migrations\" WHERE version = $1",
                    "DELETE FROM \"tidemark_migrations\" WHERE version = $1",
                ] {
                    sqlx::query(sql)
                        .bind(&self.version)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Turns a failed statement into file:line:column, with PostgreSQL's position mapped into the
/// file and its hint (or ours) as the help line.
fn statement_error(
    m: &Migration,
    script: &Script,
    line: usize,
    stmt: &str,
    e: sqlx::Error,
) -> MigrateError {
    let pg = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<PgDatabaseError>());
    let (mut line, mut column) = (line, 1);
    let mut help = if script.transactional {
        "the migration's transaction was rolled back; fix the statement, run `tidemark migrate hash`, and apply again".to_string()
    } else {
        "this migration runs outside a transaction: the statements before this one stay applied; fix it and apply again (it is marked dirty and re-runs from the start, so keep its statements idempotent)".to_string()
    };
    let message = match pg {
        Some(pg) => {
            if let Some(sqlx::postgres::PgErrorPosition::Original(pos)) = pg.position() {
                let before: String = stmt.chars().take(pos.saturating_sub(1)).collect();
                let extra_lines = before.matches('\n').count();
                line += extra_lines;
                column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            }
            if let Some(h) = pg.hint() {
                help = format!("{h}; {help}");
            }
            match pg.detail() {
                Some(d) => format!("{} ({d})", pg.message()),
                None => pg.message().to_string(),
            }
        }
        None => e.to_string(),
    };
    MigrateError::Statement {
        version: m.version.clone(),
        path: script.path.clone(),
        line,
        column,
        message,
        help,
    }
}

/// An error with its sources, on one line, for a reason string.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

//! Test databases: each test gets a fresh, uniquely named database on one server per test
//! process (or on `DATABASE_URL`'s server), dropped when its guard goes.
//!
//! Tests in one binary run on parallel threads, each `#[tokio::test]` with its own runtime, so
//! nothing here keeps a connection across runtimes: the shared state is only the server (a
//! process-wide [`Cluster`], stopped by an `atexit` hook because statics are never dropped) and
//! its admin URL; every `CREATE`/`DROP DATABASE` opens its own short-lived connection.

use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, Connection, PgPool};

use tidemark::connect::redact as redact_url;
use tidemark::localpg::{Cluster, ClusterOptions, DiscoveryOptions, find_binaries};
use tidemark::sql_ident;

use crate::TestDbError as LocalPgError;

/// How test databases are provided; `Default` suits tests of this workspace.
#[derive(Debug, Clone)]
pub struct TestDatabaseOptions {
    /// Where the bootstrap virtualenv lives (`<root>/.tidemark/venv`). Only the first call in a
    /// process matters, since that one starts the shared server.
    pub project_root: PathBuf,
    /// Size of each database's pool; kept small because many tests share one server.
    pub pool_max_connections: u32,
}

impl Default for TestDatabaseOptions {
    fn default() -> Self {
        TestDatabaseOptions {
            project_root: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
            pool_max_connections: 5,
        }
    }
}

/// The server test databases are created on.
struct Server {
    admin_url: String,
    /// The local cluster we started, if any (none with `DATABASE_URL`); taken at exit.
    cluster: Mutex<Option<Cluster>>,
}

/// One server per process, started by the first test that asks. A failure is kept too, so every
/// later test reports the same cause at once instead of retrying a slow bootstrap.
static SERVER: tokio::sync::OnceCell<Result<Server, String>> = tokio::sync::OnceCell::const_new();

async fn server(options: &TestDatabaseOptions) -> Result<&'static Server, LocalPgError> {
    let server = SERVER
        .get_or_init(|| async { start_server(options).await.map_err(|e| e.to_string()) })
        .await;
    server.as_ref().map_err(|e| LocalPgError::Shared(e.clone()))
}

async fn start_server(options: &TestDatabaseOptions) -> Result<Server, LocalPgError> {
    if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        check_url(&url)?;
        return Ok(Server {
            admin_url: url,
            cluster: Mutex::new(None),
        });
    }
    let discovery = DiscoveryOptions::from_env(&options.project_root);
    let install = tokio::task::spawn_blocking(move || find_binaries(&discovery))
        .await
        .map_err(|e| LocalPgError::Internal(format!("PostgreSQL discovery task failed: {e}")))??;
    let cluster = Cluster::start(&install, ClusterOptions::default()).await?;
    // SAFETY: registering a plain `extern "C" fn` with no captured state.
    unsafe { libc::atexit(stop_server_at_exit) };
    Ok(Server {
        admin_url: cluster.url("postgres"),
        cluster: Mutex::new(Some(cluster)),
    })
}

extern "C" fn stop_server_at_exit() {
    // Must not unwind across the C boundary.
    let _ = std::panic::catch_unwind(|| {
        if let Some(Ok(server)) = SERVER.get()
            && let Ok(mut cluster) = server.cluster.lock()
        {
            drop(cluster.take());
        }
    });
}

fn check_url(url: &str) -> Result<url::Url, LocalPgError> {
    let parsed = url::Url::parse(url).map_err(|e| LocalPgError::BadUrl {
        detail: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(LocalPgError::BadUrl {
            detail: format!("scheme is `{}`, expected `postgres`", parsed.scheme()),
        });
    }
    Ok(parsed)
}

fn database_url(admin_url: &str, database: &str) -> Result<String, LocalPgError> {
    let mut url = check_url(admin_url)?;
    url.set_path(&format!("/{database}"));
    Ok(url.to_string())
}

/// `tidemark_test_<pid>_<n>_<random>`: unique within a process by the counter, across processes
/// by the pid, and across machines sharing a `DATABASE_URL` server by the random part.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(n);
    if let Ok(elapsed) = std::time::UNIX_EPOCH.elapsed() {
        hasher.write_u128(elapsed.as_nanos());
    }
    let random = hasher.finish() as u32;
    format!("tidemark_test_{}_{n}_{random:08x}", std::process::id())
}

async fn admin_execute(admin_url: &str, sql: String) -> Result<(), LocalPgError> {
    let sql_error = |what: String| {
        move |source| {
            LocalPgError::LocalPg(tidemark::localpg::LocalPgError::Sql {
                what,
                target: redact_url(admin_url),
                source,
            })
        }
    };
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(sql_error(format!("connecting to run `{sql}`")))?;
    let result = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    result.map(|_| ()).map_err(sql_error(sql))
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), LocalPgError> {
    admin_execute(
        admin_url,
        format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            sql_ident::quote(name)
        ),
    )
    .await
}

/// A fresh database for one test: isolated from every other test, and dropped (with
/// `WITH (FORCE)`, so open connections do not keep it alive) when this guard is dropped.
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
    pool: PgPool,
    dropped: bool,
}

impl TestDatabase {
    /// A new database on the shared server, starting (or bootstrapping) it on first use.
    pub async fn create() -> Result<TestDatabase, LocalPgError> {
        Self::create_with(TestDatabaseOptions::default()).await
    }

    /// As [`TestDatabase::create`], with explicit options.
    pub async fn create_with(options: TestDatabaseOptions) -> Result<TestDatabase, LocalPgError> {
        let server = server(&options).await?;
        let name = unique_name();
        admin_execute(
            &server.admin_url,
            format!("CREATE DATABASE {}", sql_ident::quote(&name)),
        )
        .await?;
        let url = database_url(&server.admin_url, &name)?;
        let pool = PgPoolOptions::new()
            .max_connections(options.pool_max_connections)
            .connect(&url)
            .await;
        match pool {
            Ok(pool) => Ok(TestDatabase {
                name,
                url,
                admin_url: server.admin_url.clone(),
                pool,
                dropped: false,
            }),
            Err(source) => {
                let _ = drop_database(&server.admin_url, &name).await;
                Err(LocalPgError::LocalPg(
                    tidemark::localpg::LocalPgError::Sql {
                        what: "connecting to the new database".into(),
                        target: redact_url(&url),
                        source,
                    },
                ))
            }
        }
    }

    /// The database's name, e.g. to look it up in `pg_database`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL for code under test that connects by itself (migration runner, introspection, CLI).
    /// It carries `DATABASE_URL`'s password if there is one: do not print it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A URL of the server's `postgres` database, for tools that create databases of their own
    /// (a `--shadow-url`). Carries `DATABASE_URL`'s password if there is one: do not print it.
    pub fn server_url(&self) -> &str {
        &self.admin_url
    }

    /// A pool connected to this database, bound to the runtime that created the guard.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Drop the database now and report failure, instead of the silent drop on `Drop`.
    pub async fn drop_now(mut self) -> Result<(), LocalPgError> {
        self.pool.close().await;
        self.dropped = true;
        drop_database(&self.admin_url, &self.name).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        self.dropped = true;
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop cannot await, and the current thread may be inside a runtime that cannot be
        // blocked on: run the DROP on a short-lived thread with its own runtime and wait for it.
        let worker = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                let _ = runtime.block_on(drop_database(&admin_url, &name));
            }
        });
        let _ = worker.join();
    }
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        for name in [&a, &b] {
            assert!(name.len() < 64, "{name} exceeds NAMEDATALEN");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
        }
    }

    /// Unit tests get databases the same way integration tests do (this binary starts its own
    /// shared server).
    #[tokio::test]
    async fn unit_tests_get_a_real_database() {
        let db = TestDatabase::create().await.unwrap();
        let (current, sum): (String, i32) =
            sqlx::query_as("SELECT current_database()::text, 40 + 2")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(current, db.name());
        assert_eq!(sum, 42);
        assert!(format!("{db:?}").contains(db.name()));
    }

    #[test]
    fn database_urls_keep_credentials_and_options() {
        assert_eq!(
            database_url("postgres://u:p@h:5433/postgres?sslmode=disable", "t1").unwrap(),
            "postgres://u:p@h:5433/t1?sslmode=disable"
        );
        let err = database_url("mysql://u:secret@h/x", "t1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected `postgres`"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}

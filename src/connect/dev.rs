//! The kept local development database, what `connect` falls back to when no URL is given
//! anywhere: a PostgreSQL with pgvector in `<project>/.tidemark/dev/`, started detached so it
//! outlives the command that started it, on a port remembered across restarts, with a database
//! named `tidemark`. `tidemark dev start|stop|status|url` is the CLI over these operations.
//!
//! Files: `.tidemark/dev/data/` (the cluster, with `server.log`), `.tidemark/dev/state` (the
//! remembered port and the last pid, `port=N`/`pid=N` lines), `.tidemark/dev/lock` (serialises
//! concurrent start/stop).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection};

use crate::localpg::{
    ClusterOptions, DiscoveryOptions, LocalPgError, Tuning, find_binaries, running_server,
    start_detached, stop_detached,
};
use crate::sql_ident;

/// The database created on first start, so `dev url` names one that exists.
pub const DEV_DATABASE: &str = "tidemark";

/// Where the dev database lives and how to find PostgreSQL; `new` is what the CLI wants, tests
/// point `discovery` at the workspace's installation so a temporary project needs no bootstrap.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// The project directory; everything lives in `<project_dir>/.tidemark/dev/`.
    pub project_dir: PathBuf,
    /// How to find PostgreSQL binaries with pgvector.
    pub discovery: DiscoveryOptions,
    /// How long to wait for the server to start, or to stop before escalating.
    pub timeout: Duration,
}

impl DevOptions {
    /// Defaults for `project_dir`: discovery from the environment, bootstrapping into the
    /// project's own `.tidemark/venv` if needed.
    /// The directory is made absolute: the server runs as another user from another working
    /// directory, so a relative data directory would point somewhere else for it.
    pub fn new(project_dir: impl Into<PathBuf>) -> DevOptions {
        let project_dir = project_dir.into();
        let project_dir = std::path::absolute(&project_dir).unwrap_or(project_dir);
        DevOptions {
            discovery: DiscoveryOptions::from_env(&project_dir),
            project_dir,
            timeout: Duration::from_secs(60),
        }
    }

    /// `<project>/.tidemark/dev`.
    pub fn dev_dir(&self) -> PathBuf {
        self.project_dir.join(".tidemark").join("dev")
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dev_dir().join("data")
    }

    fn state_path(&self) -> PathBuf {
        self.dev_dir().join("state")
    }
}

/// What `dev status` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevStatus {
    /// The server runs; `url` connects to the `tidemark` database.
    Running {
        /// `postgres://postgres@127.0.0.1:PORT/tidemark`.
        url: String,
        /// The postmaster's pid.
        pid: i32,
        /// The TCP port.
        port: u16,
    },
    /// Not running. `stale_pid` is set when the state file names a server that is gone (the
    /// machine rebooted, or the process was killed), so the user learns why it is not there.
    Stopped {
        /// The pid the state file remembered, if that process is gone.
        stale_pid: Option<i32>,
        /// The port a start would try first.
        port: Option<u16>,
    },
}

/// What `dev start` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevStart {
    /// A server was started (`initialized`: the data directory was created first).
    Started {
        /// Connection URL of the `tidemark` database.
        url: String,
        /// The postmaster's pid.
        pid: i32,
        /// The TCP port.
        port: u16,
        /// Whether `initdb` ran because this was the first start.
        initialized: bool,
        /// A pid from a previous run that was found dead, if any.
        stale_pid: Option<i32>,
    },
    /// It was already running; nothing was done.
    AlreadyRunning {
        /// Connection URL of the `tidemark` database.
        url: String,
        /// The postmaster's pid.
        pid: i32,
    },
}

/// What `dev stop` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevStop {
    /// The server with this pid was stopped.
    Stopped {
        /// The pid that was stopped.
        pid: i32,
    },
    /// Nothing was running (`stale_pid`: the state file named a process that was already gone).
    NotRunning {
        /// The pid the state file remembered, if that process is gone.
        stale_pid: Option<i32>,
    },
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct State {
    port: Option<u16>,
    pid: Option<i32>,
}

impl State {
    fn read(path: &Path) -> State {
        let Ok(text) = fs::read_to_string(path) else {
            return State::default();
        };
        let mut state = State::default();
        for line in text.lines() {
            match line.split_once('=') {
                Some(("port", v)) => state.port = v.trim().parse().ok(),
                Some(("pid", v)) => state.pid = v.trim().parse().ok(),
                _ => {}
            }
        }
        state
    }

    fn write(&self, path: &Path) -> Result<(), LocalPgError> {
        let mut text = String::new();
        if let Some(port) = self.port {
            text.push_str(&format!("port={port}\n"));
        }
        if let Some(pid) = self.pid {
            text.push_str(&format!("pid={pid}\n"));
        }
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, text).map_err(io_err("could not write", &tmp))?;
        fs::rename(&tmp, path).map_err(io_err("could not write", path))
    }
}

fn io_err<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> LocalPgError + 'a {
    move |source| LocalPgError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

fn url_for(port: u16) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/{DEV_DATABASE}")
}

/// Whether the dev database runs, read from its files alone (no binaries, no connection).
pub fn status(options: &DevOptions) -> DevStatus {
    let state = State::read(&options.state_path());
    match running_server(&options.data_dir()) {
        Some(server) => DevStatus::Running {
            url: url_for(server.port()),
            pid: server.pid(),
            port: server.port(),
        },
        None => DevStatus::Stopped {
            stale_pid: state.pid,
            port: state.port,
        },
    }
}

/// The URL of the running dev database, or `None` when it is stopped.
pub fn url(options: &DevOptions) -> Option<String> {
    match status(options) {
        DevStatus::Running { url, .. } => Some(url),
        DevStatus::Stopped { .. } => None,
    }
}

/// Hold `.tidemark/dev/lock` so two commands do not start (or stop) the server at once.
async fn lock(options: &DevOptions) -> Result<fs::File, LocalPgError> {
    let dev_dir = options.dev_dir();
    tokio::task::spawn_blocking(move || {
        fs::create_dir_all(&dev_dir).map_err(io_err("could not create", &dev_dir))?;
        // Keep the dev database (and the rest of .tidemark) out of version control.
        let ignore = dev_dir.join("..").join(".gitignore");
        if !ignore.exists() {
            let _ = fs::write(&ignore, "*\n");
        }
        let path = dev_dir.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("could not open", &path))?;
        file.lock().map_err(io_err("could not lock", &path))?;
        Ok(file)
    })
    .await
    .unwrap_or_else(|e| Err(LocalPgError::Internal(format!("lock task failed: {e}"))))
}

/// Start the dev database, or do nothing if it runs. The first start runs `initdb` and creates
/// the `tidemark` database; later starts reuse the remembered port while it is free.
pub async fn start(options: &DevOptions) -> Result<DevStart, LocalPgError> {
    let _lock = lock(options).await?;
    let data_dir = options.data_dir();
    if let Some(server) = running_server(&data_dir) {
        return Ok(DevStart::AlreadyRunning {
            url: url_for(server.port()),
            pid: server.pid(),
        });
    }
    let state_path = options.state_path();
    let state = State::read(&state_path);
    let discovery = options.discovery.clone();
    let install = tokio::task::spawn_blocking(move || find_binaries(&discovery))
        .await
        .map_err(|e| LocalPgError::Internal(format!("PostgreSQL discovery task failed: {e}")))??;
    let port = state
        .port
        .filter(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok());
    let initialized = !data_dir.join("PG_VERSION").is_file();
    let cluster_options = ClusterOptions {
        port,
        tuning: Tuning::Durable,
        max_connections: 100,
        start_timeout: options.timeout,
        ..ClusterOptions::default()
    };
    let server = start_detached(&install, &data_dir, &cluster_options).await?;
    State {
        port: Some(server.port()),
        pid: Some(server.pid()),
    }
    .write(&state_path)?;
    ensure_database(&server.url("postgres")).await?;
    Ok(DevStart::Started {
        url: url_for(server.port()),
        pid: server.pid(),
        port: server.port(),
        initialized,
        stale_pid: state.pid.filter(|p| *p != server.pid()),
    })
}

async fn ensure_database(admin_url: &str) -> Result<(), LocalPgError> {
    let sql_error = |what: String| {
        let target = admin_url.to_string();
        move |source| LocalPgError::Sql {
            what,
            target,
            source,
        }
    };
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(sql_error("connecting to the dev server".into()))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DEV_DATABASE)
            .fetch_one(&mut conn)
            .await
            .map_err(sql_error("looking up the dev database".into()))?;
    if !exists {
        let sql = format!("CREATE DATABASE {}", sql_ident::quote(DEV_DATABASE));
        sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await
            .map_err(sql_error(sql))?;
    }
    let _ = conn.close().await;
    Ok(())
}

/// Stop the dev database if it runs, and forget its pid (the port stays remembered).
pub async fn stop(options: &DevOptions) -> Result<DevStop, LocalPgError> {
    let _lock = lock(options).await?;
    let state_path = options.state_path();
    let state = State::read(&state_path);
    let stopped = stop_detached(&options.data_dir(), options.timeout).await?;
    if state.pid.is_some() {
        State { pid: None, ..state }.write(&state_path)?;
    }
    Ok(match stopped {
        Some(pid) => DevStop::Stopped { pid },
        None => DevStop::NotRunning {
            stale_pid: state.pid,
        },
    })
}

/// The URL `push` and `diff` use when the user gave none: the dev database's, starting it first
/// if needed, so the main job works on a fresh machine with no server set up.
pub async fn dev_url_or_start(project_dir: &Path) -> Result<String, LocalPgError> {
    match start(&DevOptions::new(project_dir)).await? {
        DevStart::Started { url, .. } | DevStart::AlreadyRunning { url, .. } => Ok(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_project_dir_becomes_absolute() {
        // The server runs as another user from another working directory: `tidemark dev start`
        // (default `--project-dir .`) once failed with initdb unable to create `.tidemark`.
        let options = DevOptions::new(".");
        assert!(options.data_dir().is_absolute(), "{:?}", options.data_dir());
        assert!(
            options
                .data_dir()
                .starts_with(std::env::current_dir().unwrap())
        );
    }

    #[test]
    fn state_round_trips_and_tolerates_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        assert_eq!(State::read(&path), State::default());
        let state = State {
            port: Some(54321),
            pid: Some(42),
        };
        state.write(&path).unwrap();
        assert_eq!(State::read(&path), state);
        fs::write(&path, "port=notanumber\npid=7\njunk\n").unwrap();
        assert_eq!(
            State::read(&path),
            State {
                port: None,
                pid: Some(7)
            }
        );
    }

    #[test]
    fn a_stale_state_file_reads_as_stopped_with_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let options = DevOptions::new(dir.path());
        fs::create_dir_all(options.dev_dir()).unwrap();
        // pid 1 is alive but is not a postgres; the data dir has no postmaster.pid.
        State {
            port: Some(5999),
            pid: Some(1),
        }
        .write(&options.state_path())
        .unwrap();
        assert_eq!(
            status(&options),
            DevStatus::Stopped {
                stale_pid: Some(1),
                port: Some(5999)
            }
        );
        assert_eq!(url(&options), None);
    }
}

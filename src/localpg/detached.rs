//! Detached servers, the mode of `localpg` for a kept development database: unlike a
//! [`super::Cluster`], which dies with the process that started it, a detached server is started
//! through `pg_ctl` (which puts `postgres` in its own session) so it outlives the CLI call that
//! started it, and is found again and stopped later from its data directory alone.
//!
//! The data directory's own `postmaster.pid` is the source of truth for "is it running": it holds
//! the postmaster's pid and port while the server runs and is removed on a clean shutdown.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::cluster::{blocking, free_port, initdb, pid_alive, server_settings};
use super::discover::accessible_to;
use super::{ClusterOptions, LocalPgError, PgInstall, RunAs, file_tail, io_err};

const LOG_FILE: &str = "server.log";

/// A server that runs on its own, identified by its data directory. Dropping this value does not
/// stop the server: that is the point of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedServer {
    pid: i32,
    port: u16,
    data_dir: PathBuf,
}

impl DetachedServer {
    /// The postmaster's process id, for status output and stale-state detection.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The TCP port on 127.0.0.1 the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory that identifies the server.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server log, to point users at when something went wrong.
    pub fn log_path(&self) -> PathBuf {
        self.data_dir.join(LOG_FILE)
    }

    /// Connection URL for `database` (user `postgres`, trust authentication, no password).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// Start a detached server on `data_dir` (running `initdb` first if the directory is new), or
/// return the one already running there. `options.data_dir` is ignored: a detached server is
/// always kept. `options.port` of `None` picks a free port.
pub async fn start_detached(
    install: &PgInstall,
    data_dir: &Path,
    options: &ClusterOptions,
) -> Result<DetachedServer, LocalPgError> {
    if let Some(running) = running_server(data_dir) {
        return Ok(running);
    }
    let run_as = options.run_as.or_else(RunAs::for_current_user);
    let install = match run_as {
        Some(user) => {
            let install = install.clone();
            blocking(move || accessible_to(&install, user)).await?
        }
        None => install.clone(),
    };
    if let Some(user) = run_as {
        traversable_by(data_dir, user)?;
    }
    if !data_dir.join("PG_VERSION").is_file() {
        let (install, data_dir) = (install.clone(), data_dir.to_path_buf());
        blocking(move || initdb(&install, &data_dir, run_as)).await?;
    }
    let port = match options.port {
        Some(port) => port,
        None => free_port().map_err(io_err(
            "could not find a free port via",
            Path::new("127.0.0.1:0"),
        ))?,
    };
    let log_path = data_dir.join(LOG_FILE);
    let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let mut postgres_options = vec![format!("-p {port}")];
    for (name, value) in server_settings(data_dir, options) {
        postgres_options.push(format!("-c {}", shell_quote(&format!("{name}={value}"))));
    }
    let mut cmd = Command::new(install.program("pg_ctl"));
    cmd.arg("start")
        .arg("-D")
        .arg(data_dir)
        .arg("-l")
        .arg(&log_path)
        .arg("-w")
        .arg("-s")
        .arg("-t")
        .arg(options.start_timeout.as_secs().max(1).to_string())
        .arg("-o")
        .arg(postgres_options.join(" "))
        .env("LC_ALL", "C")
        .current_dir("/")
        .stdin(Stdio::null());
    if let Some(user) = run_as {
        cmd.uid(user.uid).gid(user.gid);
    }
    let program = install.program("pg_ctl");
    let out = blocking(move || cmd.output().map_err(io_err("could not run", &program))).await?;
    let failed = |detail: String| LocalPgError::Start {
        port,
        detail,
        log: log_path.clone(),
        log_tail: file_tail(&log_path, log_start, 20),
    };
    if !out.status.success() {
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return Err(failed(format!(
            "pg_ctl start exited ({}): {}",
            out.status,
            said.trim()
        )));
    }
    running_server(data_dir)
        .ok_or_else(|| failed("pg_ctl reported success but no postmaster is running".into()))
}

/// The server running on `data_dir`, if any. A `postmaster.pid` whose process is gone (a crash,
/// a reboot) or is no longer a `postgres` is stale and reads as "not running".
pub fn running_server(data_dir: &Path) -> Option<DetachedServer> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let mut lines = text.lines();
    let pid: i32 = lines.next()?.trim().parse().ok()?;
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    is_live_postgres(pid).then(|| DetachedServer {
        pid,
        port,
        data_dir: data_dir.to_path_buf(),
    })
}

/// Whether `pid` is a live (not zombie) process named `postgres`, so a recycled pid is not
/// mistaken for our server.
pub(crate) fn is_live_postgres(pid: i32) -> bool {
    if pid <= 0 || !pid_alive(pid) {
        return false;
    }
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        // No procfs: trust kill(2).
        return true;
    };
    let Some((head, tail)) = stat.rsplit_once(')') else {
        return false;
    };
    let comm = head.split_once('(').map(|(_, c)| c).unwrap_or("");
    let state = tail.trim_start().chars().next().unwrap_or('?');
    comm == "postgres" && state != 'Z' && state != 'X'
}

/// Stop the server running on `data_dir` (fast shutdown, as `pg_ctl stop -m fast`, escalating to
/// immediate after `timeout`) and wait until it is gone. Returns the pid that was stopped, or
/// `None` if nothing was running. Needs no binaries, so it works even if the installation moved.
pub async fn stop_detached(
    data_dir: &Path,
    timeout: Duration,
) -> Result<Option<i32>, LocalPgError> {
    let Some(server) = running_server(data_dir) else {
        return Ok(None);
    };
    let pid_file = data_dir.join("postmaster.pid");
    for (signal, wait) in [
        (libc::SIGINT, timeout),
        (libc::SIGQUIT, Duration::from_secs(10)),
    ] {
        // SAFETY: kill(2) on a pid we just verified is a live postgres process.
        unsafe { libc::kill(server.pid, signal) };
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if !is_live_postgres(server.pid) || !pid_file.exists() {
                return Ok(Some(server.pid));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Err(LocalPgError::Start {
        port: server.port,
        detail: format!("the server (pid {}) did not stop", server.pid),
        log: server.log_path(),
        log_tail: file_tail(&server.log_path(), 0, 10),
    })
}

/// Every existing ancestor of `dir` must be searchable by `user`, or `initdb`/`postgres` running
/// as that user cannot reach the data directory; say which one is not, before initdb fails
/// obscurely.
fn traversable_by(dir: &Path, user: RunAs) -> Result<(), LocalPgError> {
    let absolute = std::path::absolute(dir).map_err(io_err("could not resolve", dir))?;
    for ancestor in absolute.ancestors().skip(1) {
        let Ok(meta) = fs::metadata(ancestor) else {
            continue;
        };
        let mode = meta.mode();
        let bit = if meta.uid() == user.uid {
            0o100
        } else if meta.gid() == user.gid {
            0o010
        } else {
            0o001
        };
        if mode & bit == 0 {
            return Err(LocalPgError::DataDirNotAccessible {
                data_dir: dir.to_path_buf(),
                blocked: ancestor.to_path_buf(),
                uid: user.uid,
            });
        }
    }
    Ok(())
}

/// Quote `s` for `/bin/sh`, which `pg_ctl` hands the `-o` options to.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_spaces_and_quotes() {
        assert_eq!(shell_quote("a=b"), "'a=b'");
        assert_eq!(
            shell_quote("unix_socket_directories=/x/it's here"),
            r"'unix_socket_directories=/x/it'\''s here'"
        );
    }

    #[test]
    fn a_stale_pid_file_is_not_a_running_server() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(running_server(dir.path()), None);
        // Our own pid is alive but is not a postgres.
        let me = std::process::id();
        fs::write(
            dir.path().join("postmaster.pid"),
            format!("{me}\n{}\n0\n5432\n", dir.path().display()),
        )
        .unwrap();
        assert_eq!(running_server(dir.path()), None);
        assert!(!is_live_postgres(me as i32));
        assert!(!is_live_postgres(0));
    }

    #[test]
    fn an_unsearchable_ancestor_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        // A uid that owns nothing here, so only the "other" bits count.
        let stranger = RunAs {
            uid: 65533,
            gid: 65533,
        };
        let err = traversable_by(&locked.join("dev").join("data"), stranger).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&locked.display().to_string()), "{text}");
        assert!(text.contains("help:"), "{text}");
    }
}

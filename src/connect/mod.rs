//! Connecting to a live database, the step in front of everything that reads or changes one
//! (`introspect`, `push`, `diff`, the migration runner): find the URL (`source`), turn its
//! libpq-style parameters into a sqlx connection with the TLS behaviour libpq users expect, and
//! turn every failure into a [`ConnectError`] that says what to do, never showing a password.
//! With no URL anywhere, the kept local development database (`dev`) stands in.

pub mod dev;
mod libpq;
mod params;
mod redact;
mod source;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{Connection, PgConnection, PgPool};

pub use libpq::{Completed, LibpqEnvironment, complete};
pub use params::SslMode;
pub use redact::{redact, server_message};
pub use source::{ConnectionSource, ResolveInputs, UrlOrigin, parse_dotenv, resolve};

/// A `postgres://` URL that may carry a password. It exists so that the password cannot leak by
/// accident: `Display` and `Debug` show `***` in its place, and the raw text is only reachable
/// through [`DatabaseUrl::expose_secret`], whose name makes leaks visible in review.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    parsed: url::Url,
}

impl DatabaseUrl {
    /// Parse and check a URL. The error never repeats the text: it may hold a password.
    pub fn parse(text: &str) -> Result<DatabaseUrl, ConnectError> {
        let text = text.trim();
        let parsed = url::Url::parse(text).map_err(|e| ConnectError::BadUrl {
            detail: format!("{e}"),
        })?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(ConnectError::BadUrl {
                detail: format!("the scheme is `{}`, expected `postgres`", parsed.scheme()),
            });
        }
        Ok(DatabaseUrl {
            raw: text.to_string(),
            parsed,
        })
    }

    /// The full URL including any password, for handing to code that connects by itself (a
    /// child process, another library). Never print or log it.
    pub fn expose_secret(&self) -> &str {
        &self.raw
    }

    /// The URL with any password replaced by `***`, for messages.
    pub fn redacted(&self) -> String {
        redact::redact_url(&self.parsed)
    }

    /// Every spelling of the password (as written and percent-decoded), so error texts from the
    /// driver can be scrubbed of it even where it appears outside a URL.
    fn secrets(&self) -> Vec<String> {
        let mut secrets = Vec::new();
        let mut add = |s: &str| {
            if !s.is_empty() && !secrets.iter().any(|x| x == s) {
                secrets.push(s.to_string());
            }
        };
        if let Some(p) = self.parsed.password() {
            add(p);
            if let Ok(decoded) = percent_decode(p) {
                add(&decoded);
            }
        }
        for (k, v) in self.parsed.query_pairs() {
            if k == "password" {
                add(&v);
            }
        }
        secrets
    }
}

fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out)
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = ConnectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DatabaseUrl::parse(s)
    }
}

/// What the caller decides about connecting that the URL does not say.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Used when the URL has no `connect_timeout`. libpq waits forever, but a CLI run from CI
    /// should fail with a message rather than hang on a firewalled host.
    pub default_connect_timeout: Option<Duration>,
    /// `application_name` when the URL gives none, so DBAs can see tidemark in
    /// `pg_stat_activity`.
    pub application_name: String,
    /// Pool size for [`connect_pool`].
    pub pool_max_connections: u32,
    /// Where libpq's defaults come from (`PG*` variables, service and password files): the
    /// process's by default.
    pub environment: LibpqEnvironment,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            default_connect_timeout: Some(Duration::from_secs(30)),
            application_name: "tidemark".into(),
            pool_max_connections: 5,
            environment: LibpqEnvironment::from_process(),
        }
    }
}

/// Where a connection went, for messages: host, port, database and user, never a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or address, or the unix socket directory.
    pub host: String,
    /// TCP port (also names the socket file).
    pub port: u16,
    /// Database name.
    pub database: String,
    /// Role name.
    pub user: String,
}

impl Target {
    fn of(options: &PgConnectOptions) -> Target {
        let host = match options.get_socket() {
            Some(dir) => dir.display().to_string(),
            None => options.get_host().to_string(),
        };
        Target {
            host,
            port: options.get_port(),
            database: options
                .get_database()
                .unwrap_or(options.get_username())
                .to_string(),
            user: options.get_username().to_string(),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "database `{}` on {}:{} as `{}`",
            self.database, self.host, self.port, self.user
        )
    }
}

/// Why a connection could not be made or used. Each text names the server (never the password)
/// and ends with a `help:` line, because this is what a user sees when a deploy fails.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL does not parse. The text itself is not repeated: it may hold a password.
    #[error(
        "the database URL is not a valid postgres:// URL: {detail}\nhelp: use the form \
         postgres://user:password@host:5432/database?sslmode=verify-full, percent-encoding \
         special characters in the password"
    )]
    BadUrl { detail: String },

    /// A `.env` file could not be parsed; points at the spot.
    #[error("{}:{line}:{column}: {message}\nhelp: {help}", path.display())]
    EnvFile {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        help: String,
    },

    /// A `.env` file exists but could not be read.
    #[error("could not read {}: {source}\nhelp: check the file's permissions", path.display())]
    EnvFileRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A URL parameter that libpq knows but tidemark cannot honour, or that is misspelt; silently
    /// ignoring it could weaken security (`channel_binding=require`) or surprise.
    #[error("connection parameter `{name}`: {problem}\nhelp: {help}")]
    Param {
        name: String,
        problem: String,
        help: String,
    },

    /// A certificate or key file named by a parameter cannot be read.
    #[error(
        "{param}={} cannot be read: {detail}\nhelp: check the path (relative paths are relative \
         to the current directory) and that the file is readable",
        path.display()
    )]
    CertFile {
        param: &'static str,
        path: PathBuf,
        detail: String,
    },

    /// `verify-ca`/`verify-full` without a CA to verify against, which libpq also refuses.
    #[error(
        "sslmode={mode} needs the CA certificate that signed the server's certificate, but no \
         sslrootcert was given and {} does not exist\nhelp: download your provider's CA \
         certificate and add sslrootcert=/path/to/ca.pem to the URL, or sslrootcert=system to \
         trust the well-known public CAs",
        default_path.display()
    )]
    NoRootCert {
        mode: SslMode,
        default_path: PathBuf,
    },

    /// The server rejected the credentials.
    #[error(
        "could not log in to {target}: {detail}\nhelp: check the user name and \
         password in the URL (special characters must be percent-encoded), or PGPASSWORD / \
         ~/.pgpass"
    )]
    Auth { target: Target, detail: String },

    /// `pg_hba.conf` (or the managed service's firewall rules) has no entry for us.
    #[error("the server refused {target}: {detail}\nhelp: {help}")]
    Rejected {
        target: Target,
        detail: String,
        help: &'static str,
    },

    /// The database named in the URL does not exist on the server.
    #[error(
        "database `{}` does not exist on {}:{}\nhelp: create it (CREATE DATABASE {}) or fix the \
         database name in the URL",
        target.database, target.host, target.port, crate::sql_ident::quote(&target.database)
    )]
    DatabaseMissing { target: Target },

    /// Nothing answered at the address.
    #[error(
        "could not reach {target}: {detail}\nhelp: check the host and port, that the server is \
         running and that a firewall (or the managed service's network rules) lets this machine in"
    )]
    Unreachable { target: Target, detail: String },

    /// No answer within the connect timeout.
    #[error(
        "connecting to {target} timed out after {}s\nhelp: check the host, port and firewall \
         rules; raise connect_timeout in the URL if the server is just slow",
        timeout.as_secs()
    )]
    Timeout { target: Target, timeout: Duration },

    /// sslmode=require (or stronger) but the server has TLS switched off.
    #[error(
        "sslmode={mode} but the server at {}:{} does not support TLS\nhelp: enable TLS on the \
         server (ssl = on), or, only on a trusted network, use sslmode=prefer or disable",
        target.host, target.port
    )]
    TlsNotSupported { target: Target, mode: SslMode },

    /// The server's certificate chain does not lead to the CA we were told to trust.
    #[error(
        "the server's certificate is not signed by the CA in {roots} (connecting to {}:{} with \
         sslmode={mode})\nhelp: use the CA certificate of this server's provider as sslrootcert \
         (for a managed service, download it from the provider's documentation), or check that \
         the host is the server you meant",
        target.host, target.port
    )]
    TlsUntrusted {
        target: Target,
        mode: SslMode,
        roots: String,
    },

    /// The certificate is trusted but issued for another host name.
    #[error(
        "the server's certificate is not valid for host `{}`: {detail}\nhelp: connect using a \
         host name the certificate lists (sslmode=verify-full checks it), or use sslmode=verify-ca \
         to check only the CA",
        target.host
    )]
    TlsHostname { target: Target, detail: String },

    /// Any other TLS failure (expired certificate, protocol mismatch, bad client certificate).
    #[error(
        "TLS with {}:{} failed: {detail}\nhelp: check the certificates (sslrootcert, sslcert, \
         sslkey) and the server's TLS settings",
        target.host, target.port
    )]
    Tls { target: Target, detail: String },

    /// The required extension is not installed on the server at all.
    #[error("extension `{name}` is not available on {target}\nhelp: {help}")]
    ExtensionUnavailable {
        name: String,
        target: String,
        help: String,
    },

    /// The managed service has the extension but does not allow it yet.
    #[error(
        "extension `{name}` is not allow-listed on {target} (azure.extensions = '{allowed}')\n\
         help: add {name} to the `azure.extensions` server parameter (Azure portal: Server \
         parameters, or az postgres flexible-server parameter set --name azure.extensions), then \
         run CREATE EXTENSION {name}"
    )]
    ExtensionNotAllowed {
        name: String,
        target: String,
        allowed: String,
    },

    /// A failure that fits none of the above, with the driver's text (password scrubbed).
    #[error("{what} {target} failed: {detail}\nhelp: {help}")]
    Other {
        what: &'static str,
        target: String,
        detail: String,
        help: &'static str,
    },
}

/// The URL parameters turned into sqlx options, with what messages need to know about them.
#[derive(Debug, Clone)]
struct Prepared {
    options: PgConnectOptions,
    mode: SslMode,
    roots: String,
    timeout: Option<Duration>,
    target: Target,
    secrets: Vec<String>,
}

/// Open one connection, honouring the URL's libpq parameters (see [`SslMode`] for the TLS
/// rules). Use it for one-off work (introspection, a migration run).
pub async fn connect(
    url: &DatabaseUrl,
    options: &ConnectOptions,
) -> Result<PgConnection, ConnectError> {
    let prepared = params::prepare(url, options)?;
    connect_prepared(&prepared).await.map(|(conn, _)| conn)
}

/// A pool over the same rules as [`connect`]. One connection is opened first, so that a wrong
/// URL fails here with a clear error instead of as a pool timeout later.
pub async fn connect_pool(
    url: &DatabaseUrl,
    options: &ConnectOptions,
) -> Result<PgPool, ConnectError> {
    let prepared = params::prepare(url, options)?;
    let (conn, working) = connect_prepared(&prepared).await?;
    let _ = conn.close().await;
    let mut pool = PgPoolOptions::new().max_connections(options.pool_max_connections.max(1));
    if let Some(timeout) = prepared.timeout {
        pool = pool.acquire_timeout(timeout);
    }
    Ok(pool.connect_lazy_with(working))
}

/// Try the modes libpq would try for this sslmode: `prefer` falls back to plain text when the
/// TLS handshake fails, `allow` starts in plain text and retries with TLS when refused.
async fn connect_prepared(
    prepared: &Prepared,
) -> Result<(PgConnection, PgConnectOptions), ConnectError> {
    let first = prepared.options.clone();
    let result = attempt(prepared, &first).await;
    let retry = match (&result, prepared.mode) {
        (Err(e), SslMode::Prefer) if is_tls_failure(e) => Some(PgSslMode::Disable),
        (Err(sqlx::Error::Database(db)), SslMode::Allow)
            if db.code().as_deref() == Some("28000") =>
        {
            Some(PgSslMode::Require)
        }
        _ => None,
    };
    match (result, retry) {
        (Ok(conn), _) => Ok((conn, first)),
        (Err(_), Some(mode)) => {
            let second = prepared.options.clone().ssl_mode(mode);
            match attempt(prepared, &second).await {
                Ok(conn) => Ok((conn, second)),
                Err(e) => Err(classify(e, prepared)),
            }
        }
        (Err(e), None) => Err(classify(e, prepared)),
    }
}

async fn attempt(
    prepared: &Prepared,
    options: &PgConnectOptions,
) -> Result<PgConnection, sqlx::Error> {
    let connecting = PgConnection::connect_with(options);
    match prepared.timeout {
        Some(limit) => match tokio::time::timeout(limit, connecting).await {
            Ok(result) => result,
            Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                TimedOut,
            ))),
        },
        None => connecting.await,
    }
}

/// Marker inside the io::Error we make for our own timeout, so `classify` can tell it apart.
#[derive(Debug)]
struct TimedOut;
impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connect timeout")
    }
}
impl std::error::Error for TimedOut {}

/// The rustls error somewhere in `err`'s chain. `io::Error::source` skips the wrapped error, so
/// wrapped errors are looked at through `get_ref`.
fn find_tls_error(err: &sqlx::Error) -> Option<&rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            current = Some(inner);
            continue;
        }
        current = e.source();
    }
    None
}

fn is_tls_failure(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Tls(_)) || find_tls_error(err).is_some()
}

fn classify(err: sqlx::Error, prepared: &Prepared) -> ConnectError {
    use rustls::CertificateError as C;
    let target = prepared.target.clone();
    let scrub = |text: String| redact::scrub(&text, &prepared.secrets);
    if let sqlx::Error::Database(db) = &err {
        let detail = scrub(db.message().to_string());
        return match db.code().as_deref() {
            Some("28P01") => ConnectError::Auth { target, detail },
            Some("28000") if detail.contains("pg_hba.conf") => ConnectError::Rejected {
                help: if detail.contains("no encryption") {
                    "the server accepts this user only over TLS: use sslmode=require or \
                     stronger (verify-full with the provider's CA is best)"
                } else {
                    "ask the server's administrator to allow this user, database and client \
                     address (pg_hba.conf, or the managed service's firewall rules)"
                },
                target,
                detail,
            },
            Some("28000") => ConnectError::Auth { target, detail },
            Some("3D000") => ConnectError::DatabaseMissing { target },
            _ => ConnectError::Other {
                what: "connecting to",
                target: target.to_string(),
                detail,
                help: "the server's message above says why; check the server log",
            },
        };
    }
    if let Some(tls) = find_tls_error(&err) {
        return match tls {
            rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
                ConnectError::TlsUntrusted {
                    target,
                    mode: prepared.mode,
                    roots: prepared.roots.clone(),
                }
            }
            rustls::Error::InvalidCertificate(
                e @ (C::NotValidForName | C::NotValidForNameContext { .. }),
            ) => ConnectError::TlsHostname {
                target,
                detail: scrub(e.to_string()),
            },
            other => ConnectError::Tls {
                target,
                detail: scrub(other.to_string()),
            },
        };
    }
    match &err {
        sqlx::Error::Tls(e) if e.to_string().contains("does not support TLS") => {
            ConnectError::TlsNotSupported {
                target,
                mode: prepared.mode,
            }
        }
        sqlx::Error::Tls(e) => ConnectError::Tls {
            target,
            detail: scrub(e.to_string()),
        },
        sqlx::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<TimedOut>()) => {
            ConnectError::Timeout {
                target,
                timeout: prepared.timeout.unwrap_or_default(),
            }
        }
        sqlx::Error::Io(io) => ConnectError::Unreachable {
            target,
            detail: scrub(match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "connection refused (nothing is listening on that port)".to_string()
                }
                _ => io.to_string(),
            }),
        },
        sqlx::Error::Configuration(e) => ConnectError::BadUrl {
            detail: scrub(e.to_string()),
        },
        other => ConnectError::Other {
            what: "connecting to",
            target: target.to_string(),
            detail: scrub(other.to_string()),
            help: "check the URL and that the server is a PostgreSQL server",
        },
    }
}

/// Where a server's extension stands, so callers can say "installing vector 0.8.0" or skip it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionStatus {
    /// The version `CREATE EXTENSION` would install.
    pub default_version: Option<String>,
    /// The version installed in the current database, if any.
    pub installed_version: Option<String>,
}

/// Check that pgvector can be used on this server before any DDL runs, so a missing or
/// not-allow-listed `vector` is reported with the fix instead of as a raw SQL error halfway
/// through a migration.
pub async fn ensure_vector(conn: &mut PgConnection) -> Result<ExtensionStatus, ConnectError> {
    ensure_extension(conn, "vector").await
}

/// As [`ensure_vector`], for any extension a spec declares (`pg_trgm`, `postgis`, …).
pub async fn ensure_extension(
    conn: &mut PgConnection,
    name: &str,
) -> Result<ExtensionStatus, ConnectError> {
    let query_failed = |e: sqlx::Error| ConnectError::Other {
        what: "checking extensions on",
        target: "the server".into(),
        detail: redact(&e.to_string()),
        help: "the connection may have dropped; try again",
    };
    let target: String = sqlx::query_scalar(
        "SELECT format('database `%s` (PostgreSQL %s)', current_database(), \
         current_setting('server_version'))",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(query_failed)?;
    let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT default_version::text, installed_version::text \
         FROM pg_available_extensions WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await
    .map_err(query_failed)?;
    let Some((default_version, installed_version)) = row else {
        let major: i32 =
            sqlx::query_scalar("SELECT current_setting('server_version_num')::int / 10000")
                .fetch_one(&mut *conn)
                .await
                .map_err(query_failed)?;
        let help = if name == "vector" {
            format!(
                "install pgvector on the server (Debian/Ubuntu: apt install \
                 postgresql-{major}-pgvector; or build it from source), or on Azure Database for \
                 PostgreSQL allow-list it with the `azure.extensions` server parameter, then run \
                 CREATE EXTENSION vector"
            )
        } else {
            format!(
                "install the package that provides `{name}` for PostgreSQL {major} on the server, \
                 or on a managed service allow-list it (Azure: the `azure.extensions` server \
                 parameter), then run CREATE EXTENSION {}",
                crate::sql_ident::quote(name)
            )
        };
        return Err(ConnectError::ExtensionUnavailable {
            name: name.to_string(),
            target,
            help,
        });
    };
    if installed_version.is_none() {
        let allowed: Option<String> =
            sqlx::query_scalar("SELECT current_setting('azure.extensions', true)")
                .fetch_one(&mut *conn)
                .await
                .map_err(query_failed)?;
        if let Some(allowed) = allowed
            && !allowed
                .split(',')
                .any(|e| e.trim().eq_ignore_ascii_case(name))
        {
            return Err(ConnectError::ExtensionNotAllowed {
                name: name.to_string(),
                target,
                allowed,
            });
        }
    }
    Ok(ExtensionStatus {
        default_version,
        installed_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_never_shows_its_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cr%40t@db.example.com:5432/prod").unwrap();
        for shown in [format!("{url}"), format!("{url:?}"), url.redacted()] {
            assert!(!shown.contains("s3cr"), "{shown}");
            assert!(shown.contains("***"), "{shown}");
            assert!(shown.contains("db.example.com"), "{shown}");
        }
        assert!(url.expose_secret().contains("s3cr%40t"));
        assert_eq!(
            url.secrets(),
            vec!["s3cr%40t".to_string(), "s3cr@t".to_string()]
        );

        let url =
            DatabaseUrl::parse("postgres://app@db/prod?password=hunter2&sslmode=require").unwrap();
        assert!(!url.to_string().contains("hunter2"), "{url}");
        assert!(url.to_string().contains("sslmode=require"), "{url}");
    }

    #[test]
    fn a_bad_url_is_not_echoed() {
        let err = DatabaseUrl::parse("mysql://root:topsecret@db/x").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("expected `postgres`"), "{text}");
        assert!(!text.contains("topsecret"), "{text}");
        let err = DatabaseUrl::parse("host=db password=topsecret").unwrap_err();
        assert!(!err.to_string().contains("topsecret"), "{err}");
    }
}

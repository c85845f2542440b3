//! libpq URL parameters → sqlx options, inside `connect`: which parameters are honoured, which
//! are harmless to ignore, which are refused, and the TLS rules libpq users rely on.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::ConnectOptions as _;
use sqlx::postgres::{PgConnectOptions, PgSslMode};

use super::{ConnectError, ConnectOptions, DatabaseUrl, Prepared, Target, redact};

/// libpq's `sslmode`, as users write it. Semantics follow libpq: `prefer` (the default) tries
/// TLS without checking the certificate and falls back to plain text; `require` insists on TLS
/// (and, as in libpq, verifies the CA when `sslrootcert` names a file); `verify-ca` checks the
/// chain against `sslrootcert`; `verify-full` also checks the host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text only.
    Disable,
    /// Plain text first, TLS if the server insists.
    Allow,
    /// TLS if the server offers it, unverified; plain text otherwise.
    Prefer,
    /// TLS, unverified unless `sslrootcert` names a file.
    Require,
    /// TLS, certificate chain verified.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyFull,
}

impl SslMode {
    const ALL: [(&'static str, SslMode); 6] = [
        ("disable", SslMode::Disable),
        ("allow", SslMode::Allow),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];

    fn parse(text: &str) -> Option<SslMode> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
    }

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, mode)| *mode == self)
            .map(|(name, _)| *name)
            .unwrap_or("prefer")
    }

    fn to_sqlx(self) -> PgSslMode {
        match self {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Allow => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            SslMode::Require => PgSslMode::Require,
            SslMode::VerifyCa => PgSslMode::VerifyCa,
            SslMode::VerifyFull => PgSslMode::VerifyFull,
        }
    }

    fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parameters sqlx reads from the URL itself.
const PASSED_TO_SQLX: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
    "sslmode",
    "sslcert",
    "sslkey",
    "statement-cache-capacity",
];

/// Parameters tidemark handles before sqlx sees the URL (`service` and `passfile` are read and
/// removed by `libpq` before this).
const HANDLED_HERE: &[&str] = &[
    "service",
    "passfile",
    "sslrootcert",
    "connect_timeout",
    "fallback_application_name",
];

/// libpq parameters that change nothing that matters here (TCP keepalives, SNI, compression that
/// no server supports), accepted so URLs copied from other tools keep working.
const HARMLESS: &[&str] = &[
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslsni",
    "sslcompression",
];

/// libpq parameters whose harmless values are accepted and whose other values are refused,
/// because ignoring them would weaken what the user asked for.
const HARMLESS_VALUES: &[(&str, &[&str])] = &[
    ("gssencmode", &["disable", "prefer"]),
    ("channel_binding", &["disable", "prefer"]),
    ("target_session_attrs", &["any"]),
    ("client_encoding", &["UTF8", "utf8", "UTF-8", "utf-8"]),
    ("sslnegotiation", &["postgres"]),
    ("ssl_min_protocol_version", &["TLSv1", "TLSv1.1", "TLSv1.2"]),
    ("load_balance_hosts", &["disable"]),
];

/// libpq parameters tidemark does not implement.
const UNSUPPORTED: &[&str] = &[
    "sslpassword",
    "sslcrl",
    "sslcrldir",
    "sslkeylogfile",
    "ssl_max_protocol_version",
    "requirepeer",
    "require_auth",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "min_protocol_version",
    "max_protocol_version",
];

pub(super) fn prepare(
    url: &DatabaseUrl,
    options: &ConnectOptions,
) -> Result<Prepared, ConnectError> {
    // What the URL leaves out, as libpq fills it (its warnings are the CLI's to print: it
    // completes the URL itself first).
    let completed = super::libpq::complete(url, &options.environment)?;
    let url = &completed.url;
    let mut for_sqlx = url.parsed.clone();
    let pairs: Vec<(String, String)> = url
        .parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut kept = Vec::new();
    let mut sslmode = None;
    let mut rootcert = None;
    let mut timeout = options.default_connect_timeout;
    let mut application_name = None;
    let mut fallback_name = None;
    for (key, value) in &pairs {
        let key = key.as_str();
        match key {
            "sslmode" => {
                sslmode = Some(SslMode::parse(value).ok_or_else(|| ConnectError::Param {
                    name: "sslmode".into(),
                    problem: format!("unknown value `{}`", redact(value)),
                    help:
                        "use one of disable, allow, prefer, require, verify-ca, verify-full".into(),
                })?);
            }
            "sslrootcert" => rootcert = Some(value.clone()),
            "connect_timeout" => timeout = parse_timeout(value)?,
            "application_name" => application_name = Some(value.clone()),
            "fallback_application_name" => fallback_name = Some(value.clone()),
            _ => {}
        }
        if PASSED_TO_SQLX.contains(&key) {
            kept.push((key.to_string(), value.clone()));
        } else if HANDLED_HERE.contains(&key) || HARMLESS.contains(&key) {
        } else if let Some((_, ok)) = HARMLESS_VALUES.iter().find(|(name, _)| *name == key) {
            if !ok.contains(&value.as_str()) {
                return Err(ConnectError::Param {
                    name: key.to_string(),
                    problem: format!("the value `{}` is not supported by tidemark", redact(value)),
                    help: format!("remove it or use one of: {}", ok.join(", ")),
                });
            }
        } else if UNSUPPORTED.contains(&key) {
            return Err(ConnectError::Param {
                name: key.to_string(),
                problem: "not supported by tidemark".into(),
                help: "remove it from the URL; tidemark supports host, port, dbname, user, \
                       password, passfile, service, sslmode, sslrootcert, sslcert, sslkey, \
                       application_name, connect_timeout and options"
                    .into(),
            });
        } else {
            let known = PASSED_TO_SQLX
                .iter()
                .chain(HANDLED_HERE)
                .chain(HARMLESS)
                .chain(HARMLESS_VALUES.iter().map(|(n, _)| n))
                .chain(UNSUPPORTED);
            let guess = known
                .map(|k| (strsim::jaro_winkler(k, key), *k))
                .filter(|(score, _)| *score > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            return Err(ConnectError::Param {
                name: key.to_string(),
                problem: "unknown connection parameter".into(),
                help: format!(
                    "{guess}libpq's parameter names are listed in the PostgreSQL docs, \"Parameter Key Words\""
                ),
            });
        }
    }
    if kept.is_empty() {
        for_sqlx.set_query(None);
    } else {
        for_sqlx.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut sqlx_options =
        PgConnectOptions::from_url(&for_sqlx).map_err(|e| ConnectError::BadUrl {
            detail: super::redact::scrub(&e.to_string(), &url.secrets()),
        })?;
    let target = Target::of(&sqlx_options);
    if application_name.is_none() {
        let name = fallback_name.unwrap_or_else(|| options.application_name.clone());
        if sqlx_options.get_application_name().is_none() {
            sqlx_options = sqlx_options.application_name(&name);
        }
    }

    // PGSSLMODE and PGSSLROOTCERT are in the URL by now (`libpq`).
    let mut mode = sslmode.unwrap_or(SslMode::Prefer);
    let roots;
    match rootcert.as_deref() {
        Some("system") => {
            // libpq 16: sslrootcert=system means the public CAs and implies verify-full.
            match sslmode {
                None => mode = SslMode::VerifyFull,
                Some(SslMode::VerifyFull) => {}
                Some(weak) => {
                    return Err(ConnectError::Param {
                        name: "sslrootcert".into(),
                        problem: format!("sslmode={weak} may not be used with sslrootcert=system"),
                        help: "use sslmode=verify-full (as libpq requires), or name a CA file"
                            .into(),
                    });
                }
            }
            roots = "the system's trusted public CAs (sslrootcert=system)".to_string();
        }
        Some(path) => {
            let path = PathBuf::from(path);
            readable("sslrootcert", &path)?;
            // libpq: with a root certificate file, require behaves as verify-ca.
            if mode == SslMode::Require {
                mode = SslMode::VerifyCa;
            }
            sqlx_options = sqlx_options.ssl_root_cert(&path);
            roots = format!("sslrootcert={}", path.display());
        }
        None => {
            let default_path = default_root_cert();
            if mode.verifies() {
                match default_path.as_ref().filter(|p| p.is_file()) {
                    Some(path) => {
                        readable("sslrootcert", path)?;
                        sqlx_options = sqlx_options.ssl_root_cert(path);
                        roots = format!("{} (the default sslrootcert)", path.display());
                    }
                    None => {
                        return Err(ConnectError::NoRootCert {
                            mode,
                            default_path: default_path
                                .unwrap_or_else(|| PathBuf::from("~/.postgresql/root.crt")),
                        });
                    }
                }
            } else {
                roots = "no CA (the certificate is not checked)".to_string();
            }
        }
    }
    sqlx_options = sqlx_options.ssl_mode(mode.to_sqlx());

    let cert = param(&pairs, "sslcert");
    let key = param(&pairs, "sslkey");
    match (&cert, &key) {
        (Some(cert), Some(key)) => {
            readable("sslcert", Path::new(cert))?;
            readable("sslkey", Path::new(key))?;
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(ConnectError::Param {
                name: if cert.is_some() { "sslcert" } else { "sslkey" }.into(),
                problem: "a client certificate needs both sslcert and sslkey".into(),
                help: "give both the certificate and its private key, or neither".into(),
            });
        }
        (None, None) => {}
    }

    Ok(Prepared {
        options: sqlx_options,
        mode,
        roots,
        timeout,
        target,
        secrets: url.secrets(),
    })
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// libpq: seconds; zero or negative waits forever; values below 2 count as 2.
fn parse_timeout(value: &str) -> Result<Option<Duration>, ConnectError> {
    let secs: i64 = value.trim().parse().map_err(|_| ConnectError::Param {
        name: "connect_timeout".into(),
        problem: format!("`{}` is not a whole number of seconds", redact(value)),
        help: "use e.g. connect_timeout=10 (0 waits forever)".into(),
    })?;
    Ok((secs > 0).then(|| Duration::from_secs(secs.max(2) as u64)))
}

/// `~/.postgresql/root.crt`, where libpq looks when no sslrootcert is given.
fn default_root_cert() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".postgresql").join("root.crt"))
}

fn readable(param: &'static str, path: &Path) -> Result<(), ConnectError> {
    std::fs::File::open(path)
        .map(|_| ())
        .map_err(|e| ConnectError::CertFile {
            param,
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(url: &str) -> Result<Prepared, ConnectError> {
        prepare(
            &DatabaseUrl::parse(url).unwrap(),
            &ConnectOptions::default(),
        )
    }

    #[test]
    fn sslmode_names_round_trip_and_unknown_values_are_refused() {
        for (name, mode) in SslMode::ALL {
            assert_eq!(SslMode::parse(name), Some(mode));
            assert_eq!(mode.to_string(), name);
        }
        let err = prepared("postgres://u@h/d?sslmode=verify_full")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown value `verify_full`"), "{err}");
        assert!(err.contains("verify-full"), "{err}");
    }

    #[test]
    fn a_root_cert_file_makes_require_verify_the_ca_as_in_libpq() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "not checked here").unwrap();
        let p = prepared(&format!(
            "postgres://u@h/d?sslmode=require&sslrootcert={}",
            ca.display()
        ))
        .unwrap();
        assert_eq!(p.mode, SslMode::VerifyCa);
        assert!(p.roots.contains("ca.pem"), "{}", p.roots);
        let p = prepared("postgres://u@h/d?sslmode=require").unwrap();
        assert_eq!(p.mode, SslMode::Require);
    }

    #[test]
    fn sslrootcert_system_implies_verify_full_and_refuses_weaker_modes() {
        let p = prepared("postgres://u@h/d?sslrootcert=system").unwrap();
        assert_eq!(p.mode, SslMode::VerifyFull);
        let err = prepared("postgres://u@h/d?sslrootcert=system&sslmode=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sslmode=require may not be used"), "{err}");
    }

    #[test]
    fn a_missing_cert_file_is_named() {
        let err = prepared("postgres://u@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("sslrootcert=/nonexistent/ca.pem cannot be read"),
            "{err}"
        );
        assert!(err.contains("help:"), "{err}");
    }

    #[test]
    fn unknown_and_unsupported_parameters_are_errors_with_a_guess() {
        let err = prepared("postgres://u@h/d?ssl_mode_x=1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown connection parameter"), "{err}");
        let err = prepared("postgres://u@h/d?sslrootcrt=/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `sslrootcert`?"), "{err}");
        let err = prepared("postgres://u@h/d?channel_binding=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not supported"), "{err}");
        let p =
            prepared("postgres://u@h/d?keepalives=1&gssencmode=disable&target_session_attrs=any");
        assert!(p.is_ok());
    }

    #[test]
    fn timeouts_follow_libpq() {
        assert_eq!(parse_timeout("10").unwrap(), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout("1").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert!(parse_timeout("ten").is_err());
        let p = prepared("postgres://u@h/d?connect_timeout=7&application_name=ci").unwrap();
        assert_eq!(p.timeout, Some(Duration::from_secs(7)));
        assert_eq!(p.options.get_application_name(), Some("ci"));
        let p = prepared("postgres://u@h/d").unwrap();
        assert_eq!(p.options.get_application_name(), Some("tidemark"));
    }

    #[test]
    fn the_target_names_host_port_database_and_user_only() {
        let p = prepared("postgres://app:pw@db.internal:6543/prod").unwrap();
        assert_eq!(
            p.target.to_string(),
            "database `prod` on db.internal:6543 as `app`"
        );
        assert_eq!(p.secrets, vec!["pw".to_string()]);
    }
}

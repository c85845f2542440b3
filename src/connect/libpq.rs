//! libpq's defaults, the step of `connect` between finding a URL and handing it to the driver:
//! what the URL leaves out comes, in libpq's order, from the connection service file
//! (`service=` or `PGSERVICE`), then the `PG*` environment variables, and a missing password
//! last from the password file (`passfile=`, `PGPASSFILE`, `~/.pgpass`). The result is a URL
//! with every value written out, so the driver never guesses on its own.
//!
//! Rules kept from libpq: a service that no file defines is an error; a password file readable
//! by group or others is ignored with a warning (as `psql` warns); password-file fields match
//! literally or with `*`, `\` escapes `:` and `\`; the first matching line wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ConnectError, DatabaseUrl};

/// The process environment as libpq reads it, held as values so tests never touch the real
/// one: the variables and the home directory (for `~/.pgpass` and `~/.pg_service.conf`).
#[derive(Debug, Clone, Default)]
pub struct LibpqEnvironment {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

/// The environment variables libpq reads for a connection parameter.
const VARIABLES: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGPORT", "port"),
    ("PGDATABASE", "dbname"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGAPPNAME", "application_name"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGOPTIONS", "options"),
];

/// Every variable this module reads besides [`VARIABLES`].
/// (`USER` is the OS user: libpq's default user, which the password file is matched against.)
const OTHER_VARIABLES: &[&str] = &[
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGSYSCONFDIR",
    "PGPASSFILE",
    "USER",
];

impl LibpqEnvironment {
    /// The real process environment.
    pub fn from_process() -> LibpqEnvironment {
        let vars = VARIABLES
            .iter()
            .map(|(v, _)| *v)
            .chain(OTHER_VARIABLES.iter().copied())
            .filter_map(|v| std::env::var(v).ok().map(|value| (v.to_string(), value)))
            .collect();
        LibpqEnvironment {
            vars,
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    /// An environment of exactly these variables and this home directory.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        home: Option<&Path>,
    ) -> LibpqEnvironment {
        LibpqEnvironment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: home.map(Path::to_path_buf),
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether the environment names a server on its own (`PGSERVICE`, `PGHOST` or
    /// `PGDATABASE`), so that a command given no URL connects where `psql` would.
    pub fn names_a_server(&self) -> bool {
        ["PGSERVICE", "PGHOST", "PGDATABASE"]
            .iter()
            .any(|v| self.var(v).is_some())
    }
}

/// The URL with libpq's defaults written in, and what the user should hear about on the way.
#[derive(Debug, Clone)]
pub struct Completed {
    pub url: DatabaseUrl,
    /// Things libpq warns about (a password file with loose permissions).
    pub warnings: Vec<String>,
}

/// Fills what `url` leaves out from the service file, the environment and the password file.
pub fn complete(url: &DatabaseUrl, env: &LibpqEnvironment) -> Result<Completed, ConnectError> {
    let mut params = Params::of(url);
    let mut warnings = Vec::new();

    // 1. The service file.
    let service = params
        .take("service")
        .or_else(|| env.var("PGSERVICE").map(str::to_string));
    if let Some(name) = service {
        let values = service_values(&name, env)?;
        for (k, v) in values {
            params.default(&k, v);
        }
    }
    // 2. The environment.
    for (var, key) in VARIABLES {
        if let Some(v) = env.var(var) {
            params.default(key, v.to_string());
        }
    }
    // 3. The password file, only for a missing password.
    let passfile = params
        .take("passfile")
        .map(PathBuf::from)
        .or_else(|| env.var("PGPASSFILE").map(PathBuf::from))
        .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")));
    if params.get("password").is_none()
        && let Some(path) = passfile
        && let Some(found) = password_from_file(&path, &params, env, &mut warnings)?
    {
        params.set("password", found);
    }
    Ok(Completed {
        url: params.to_url(url)?,
        warnings,
    })
}

/// A URL's connection parameters, by libpq name: its parts (host, port, user, password,
/// database) and its query string, in one map.
struct Params {
    values: BTreeMap<String, String>,
    /// Query parameters in their order (a repeated one keeps its last value in `values`).
    order: Vec<String>,
}

impl Params {
    fn of(url: &DatabaseUrl) -> Params {
        let u = &url.parsed;
        let mut values = BTreeMap::new();
        let mut order = Vec::new();
        let decode = |s: &str| super::percent_decode(s).unwrap_or_else(|_| s.to_string());
        if let Some(h) = u.host_str().filter(|h| !h.is_empty()) {
            values.insert("host".to_string(), decode(h));
        }
        if let Some(p) = u.port() {
            values.insert("port".to_string(), p.to_string());
        }
        if !u.username().is_empty() {
            values.insert("user".to_string(), decode(u.username()));
        }
        if let Some(p) = u.password() {
            values.insert("password".to_string(), decode(p));
        }
        let db = u.path().trim_start_matches('/');
        if !db.is_empty() {
            values.insert("dbname".to_string(), decode(db));
        }
        for (k, v) in u.query_pairs() {
            let k = k.into_owned();
            if !order.contains(&k) {
                order.push(k.clone());
            }
            values.insert(k, v.into_owned());
        }
        Params { values, order }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    fn take(&mut self, key: &str) -> Option<String> {
        self.order.retain(|k| k != key);
        self.values.remove(key)
    }

    fn set(&mut self, key: &str, value: String) {
        self.values.insert(key.to_string(), value);
    }

    /// Sets `key` unless the URL (or an earlier source) gave it.
    fn default(&mut self, key: &str, value: String) {
        if !self.values.contains_key(key) {
            self.values.insert(key.to_string(), value);
        }
    }

    /// The URL again, every value written out: the parts in the authority and path, the rest
    /// (known to [`super::params`] or not: it checks them) in the query.
    fn to_url(&self, original: &DatabaseUrl) -> Result<DatabaseUrl, ConnectError> {
        const PARTS: &[&str] = &["host", "port", "user", "password", "dbname"];
        let mut out = url::Url::parse("postgresql://").map_err(|e| ConnectError::BadUrl {
            detail: e.to_string(),
        })?;
        out.set_scheme(original.parsed.scheme()).ok();
        let mut query: Vec<(String, String)> = Vec::new();
        // A host that is a socket directory (or a list of hosts) stays a query parameter, as
        // libpq allows.
        match self.get("host") {
            Some(h) if !h.starts_with('/') && !h.contains(',') => {
                out.set_host(Some(h)).map_err(|e| ConnectError::BadUrl {
                    detail: format!("the host `{h}`: {e}"),
                })?;
            }
            Some(h) => query.push(("host".into(), h.to_string())),
            None => {}
        }
        if let Some(p) = self.get("port") {
            let port: u16 = p.parse().map_err(|_| ConnectError::Param {
                name: "port".into(),
                problem: format!("`{p}` is not a port number"),
                help: "give a number from 1 to 65535".into(),
            })?;
            if out.host_str().is_some_and(|h| !h.is_empty()) {
                out.set_port(Some(port)).ok();
            } else {
                query.push(("port".into(), p.to_string()));
            }
        }
        let authority = out.host_str().is_some_and(|h| !h.is_empty());
        for (key, value) in [
            ("user", self.get("user")),
            ("password", self.get("password")),
        ] {
            let Some(value) = value else { continue };
            let ok = authority
                && if key == "user" {
                    out.set_username(value).is_ok()
                } else {
                    out.set_password(Some(value)).is_ok()
                };
            if !ok {
                query.push((key.into(), value.to_string()));
            }
        }
        if let Some(db) = self.get("dbname") {
            out.set_path(&format!("/{}", encode_path(db)));
        }
        let mut rest: Vec<&String> = self.order.iter().collect();
        for k in self.values.keys() {
            if !rest.contains(&k) {
                rest.push(k);
            }
        }
        for k in rest {
            if PARTS.contains(&k.as_str()) {
                continue;
            }
            if let Some(v) = self.values.get(k) {
                query.push((k.clone(), v.clone()));
            }
        }
        if !query.is_empty() {
            out.query_pairs_mut().extend_pairs(query);
        }
        DatabaseUrl::parse(out.as_str())
    }
}

/// A database name as a URL path segment.
fn encode_path(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The values of service `name`: from `PGSERVICEFILE` (or `~/.pg_service.conf`) first, then
/// `PGSYSCONFDIR/pg_service.conf`, as libpq looks.
fn service_values(
    name: &str,
    env: &LibpqEnvironment,
) -> Result<Vec<(String, String)>, ConnectError> {
    let mut files: Vec<PathBuf> = Vec::new();
    match env.var("PGSERVICEFILE") {
        Some(f) => files.push(PathBuf::from(f)),
        None => files.extend(env.home.as_ref().map(|h| h.join(".pg_service.conf"))),
    }
    if let Some(dir) = env.var("PGSYSCONFDIR") {
        files.push(Path::new(dir).join("pg_service.conf"));
    }
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(ConnectError::Param {
                    name: "service".into(),
                    problem: format!("cannot read the service file {}: {e}", file.display()),
                    help: "make the file readable, or set PGSERVICEFILE to another one".into(),
                });
            }
        };
        if let Some(values) = parse_service(&text, name, file)? {
            return Ok(values);
        }
    }
    Err(ConnectError::Param {
        name: "service".into(),
        problem: format!(
            "no service `{name}` in {}",
            if files.is_empty() {
                "any service file (no HOME, PGSERVICEFILE or PGSYSCONFDIR)".to_string()
            } else {
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            }
        ),
        help: format!("add a `[{name}]` section to ~/.pg_service.conf, or fix the name"),
    })
}

/// The `key=value` lines of section `[name]` of a service file, or `None` without one.
fn parse_service(
    text: &str,
    name: &str,
    file: &Path,
) -> Result<Option<Vec<(String, String)>>, ConnectError> {
    let mut current: Option<&str> = None;
    let mut found: Option<Vec<(String, String)>> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found.is_some() {
                break;
            }
            current = Some(section.trim());
            if current == Some(name) {
                found = Some(Vec::new());
            }
            continue;
        }
        if current != Some(name) {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(ConnectError::Param {
                name: "service".into(),
                problem: format!(
                    "{}:{}: expected `key=value` in service `{name}`",
                    file.display(),
                    n + 1
                ),
                help: "each line of a service section is a libpq parameter: `host=db.example.com`"
                    .into(),
            });
        };
        let k = k.trim();
        if k == "service" {
            return Err(ConnectError::Param {
                name: "service".into(),
                problem: format!(
                    "{}:{}: a service cannot name another service",
                    file.display(),
                    n + 1
                ),
                help: "write the parameters out in the section".into(),
            });
        }
        if let Some(values) = found.as_mut() {
            values.push((k.to_string(), v.trim().to_string()));
        }
    }
    Ok(found)
}

/// The password for the connection `params` describe from password file `path`, if a line
/// matches; `None` when the file is missing, unsafe (a warning) or has no match.
fn password_from_file(
    path: &Path,
    params: &Params,
    env: &LibpqEnvironment,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, ConnectError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    if !meta.is_file() {
        warnings.push(format!(
            "password file {} is not a plain file; it is ignored",
            path.display()
        ));
        return Ok(None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            warnings.push(format!(
                "password file {} has group or world access; it is ignored (permissions should be u=rw (0600) or less)",
                path.display()
            ));
            return Ok(None);
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    // What the connection is, as libpq compares it: a socket (or no host) counts as
    // `localhost`, the port defaults to 5432, the user to the OS user, the database to the user.
    let host = match params.get("host") {
        None => "localhost".to_string(),
        Some(h) if h.starts_with('/') => "localhost".to_string(),
        Some(h) => h.to_string(),
    };
    let port = params.get("port").unwrap_or("5432").to_string();
    let user = params
        .get("user")
        .map(str::to_string)
        .or_else(|| env.var("USER").map(str::to_string))
        .unwrap_or_default();
    let db = params.get("dbname").map_or(user.clone(), str::to_string);
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = pgpass_fields(line);
        let [h, p, d, u, password] = fields.as_slice() else {
            continue;
        };
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(h, &host) && matches(p, &port) && matches(d, &db) && matches(u, &user) {
            return Ok(Some(password.clone()));
        }
    }
    Ok(None)
}

/// The five `:`-separated fields of a password-file line, `\:` and `\\` unescaped (the last
/// field takes the rest of the line, as libpq reads it).
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_file_fields_unescape_colons_and_backslashes() {
        assert_eq!(
            pgpass_fields(r"db\:1:5432:*:app:pa\:ss\\word:x"),
            vec!["db:1", "5432", "*", "app", r"pa:ss\word:x"]
        );
    }

    #[test]
    fn service_sections_are_read_until_the_next_one() {
        let text = "# comment\n[a]\nhost=one\n\n[b]\nhost = two\nport=6000\n[c]\nhost=three\n";
        let got = parse_service(text, "b", Path::new("f")).unwrap().unwrap();
        assert_eq!(
            got,
            vec![
                ("host".to_string(), "two".to_string()),
                ("port".to_string(), "6000".to_string())
            ]
        );
        assert!(parse_service(text, "z", Path::new("f")).unwrap().is_none());
        assert!(parse_service("[x]\nnonsense\n", "x", Path::new("f")).is_err());
    }
}

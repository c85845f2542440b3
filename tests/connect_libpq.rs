//! libpq's defaults as `connect` applies them: what a URL leaves out comes from the service file,
//! then the `PG*` variables, and a missing password from the password file, in that order, with
//! libpq's file rules (wildcards, escapes, the permission check). Environments are values here
//! (never the real process environment), files are real ones in temporary directories.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tidemark::connect::{ConnectError, DatabaseUrl, LibpqEnvironment, complete};

fn url(text: &str) -> DatabaseUrl {
    DatabaseUrl::parse(text).unwrap()
}

/// The parts of a completed URL: user, password, host, port, database, and the query.
fn parts(u: &DatabaseUrl) -> (String, Option<String>, String, Option<u16>, String, String) {
    let p = url::Url::parse(u.expose_secret()).unwrap();
    (
        p.username().to_string(),
        p.password().map(str::to_string),
        p.host_str().unwrap_or("").to_string(),
        p.port(),
        p.path().trim_start_matches('/').to_string(),
        p.query().unwrap_or("").to_string(),
    )
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_url_beats_the_service_file_which_beats_the_environment() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join(".pg_service.conf"),
        "[other]\nhost=wrong\n\n[app]\nhost=svc-host\nport=6001\ndbname=svc_db\nsslmode=require\n",
        0o600,
    );
    let env = LibpqEnvironment::from_pairs(
        [
            ("PGSERVICE", "app"),
            ("PGHOST", "env-host"),
            ("PGPORT", "7000"),
            ("PGUSER", "env_user"),
            ("PGDATABASE", "env_db"),
            ("PGAPPNAME", "from-env"),
        ],
        Some(home.path()),
    );
    let done = complete(&url("postgresql:///?user=url_user"), &env).unwrap();
    let (user, password, host, port, db, query) = parts(&done.url);
    assert_eq!(user, "url_user", "the URL's user wins");
    assert_eq!(password, None);
    assert_eq!(
        (host.as_str(), port),
        ("svc-host", Some(6001)),
        "the service beats PGHOST"
    );
    assert_eq!(db, "svc_db", "the service beats PGDATABASE");
    assert!(query.contains("sslmode=require"), "{query}");
    assert!(query.contains("application_name=from-env"), "{query}");
    assert!(
        !query.contains("service"),
        "the service is read, not passed on: {query}"
    );
    assert!(done.warnings.is_empty());

    // `service=` in the URL names the service just as PGSERVICE does, and beats it.
    write(
        &home.path().join(".pg_service.conf"),
        "[a]\nhost=from-a\n[b]\nhost=from-b\n",
        0o600,
    );
    let env = LibpqEnvironment::from_pairs([("PGSERVICE", "a")], Some(home.path()));
    let done = complete(&url("postgresql:///db?service=b"), &env).unwrap();
    assert_eq!(parts(&done.url).2, "from-b");
}

#[test]
fn the_environment_alone_makes_a_whole_url() {
    let env = LibpqEnvironment::from_pairs(
        [
            ("PGHOST", "db.internal"),
            ("PGPORT", "6432"),
            ("PGUSER", "deploy"),
            ("PGPASSWORD", "s3cr:et"),
            ("PGDATABASE", "app"),
            ("PGSSLMODE", "verify-full"),
        ],
        None,
    );
    let done = complete(&url("postgresql://"), &env).unwrap();
    let (user, password, host, port, db, query) = parts(&done.url);
    assert_eq!(
        (user.as_str(), host.as_str(), port, db.as_str()),
        ("deploy", "db.internal", Some(6432), "app")
    );
    assert_eq!(password.as_deref(), Some("s3cr%3Aet"));
    assert!(query.contains("sslmode=verify-full"), "{query}");
    // Shown, the password is redacted.
    for shown in [done.url.to_string(), format!("{:?}", done.url)] {
        assert!(!shown.contains("s3cr"), "{shown}");
    }
    // A password in the URL beats PGPASSWORD.
    let done = complete(&url("postgresql://me:mine@h/d"), &env).unwrap();
    assert_eq!(parts(&done.url).1.as_deref(), Some("mine"));
}

#[test]
fn the_password_file_matches_like_libpq() {
    let home = tempfile::tempdir().unwrap();
    let pgpass = home.path().join(".pgpass");
    write(
        &pgpass,
        "# host:port:database:user:password\n\
         other:*:*:*:not-this\n\
         db\\:1:5432:app:deploy:esc\\:aped\n\
         db.internal:*:*:deploy:first:match\n\
         db.internal:*:*:deploy:second\n\
         *:*:*:*:fallback\n",
        0o600,
    );
    let env = LibpqEnvironment::from_pairs([], Some(home.path()));
    let password = |text: &str| parts(&complete(&url(text), &env).unwrap().url).1;
    assert_eq!(
        password("postgresql://deploy@db.internal:6432/app").as_deref(),
        Some("first%3Amatch"),
        "wildcard port, first match, the password keeps its colons"
    );
    assert_eq!(
        password("postgresql://deploy@h/app?host=db%3A1").as_deref(),
        Some("esc%3Aaped"),
        "an escaped colon in the host field"
    );
    assert_eq!(
        password("postgresql://nobody@elsewhere/x").as_deref(),
        Some("fallback")
    );
    // A password given anywhere else is never replaced.
    assert_eq!(
        password("postgresql://deploy:given@db.internal/app").as_deref(),
        Some("given")
    );

    // passfile= beats PGPASSFILE, which beats ~/.pgpass.
    let a = home.path().join("a.pgpass");
    let b = home.path().join("b.pgpass");
    write(&a, "*:*:*:*:from-a\n", 0o600);
    write(&b, "*:*:*:*:from-b\n", 0o600);
    let env =
        LibpqEnvironment::from_pairs([("PGPASSFILE", a.to_str().unwrap())], Some(home.path()));
    let done = complete(&url("postgresql://u@h/d"), &env).unwrap();
    assert_eq!(parts(&done.url).1.as_deref(), Some("from-a"));
    let with_param = format!("postgresql://u@h/d?passfile={}", b.display());
    let done = complete(&url(&with_param), &env).unwrap();
    assert_eq!(parts(&done.url).1.as_deref(), Some("from-b"));
    assert!(!parts(&done.url).5.contains("passfile"));
}

#[test]
fn a_password_file_others_can_read_is_ignored_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let pgpass = home.path().join(".pgpass");
    write(&pgpass, "*:*:*:*:loose-secret\n", 0o644);
    let env = LibpqEnvironment::from_pairs([], Some(home.path()));
    let done = complete(&url("postgresql://u@h/d"), &env).unwrap();
    assert_eq!(parts(&done.url).1, None);
    assert_eq!(done.warnings.len(), 1, "{:?}", done.warnings);
    assert!(
        done.warnings[0].contains("has group or world access; it is ignored"),
        "{:?}",
        done.warnings
    );
    assert!(!done.warnings[0].contains("loose-secret"));
}

#[test]
fn an_unknown_service_is_an_error_naming_the_files_looked_in() {
    let home = tempfile::tempdir().unwrap();
    let sys = tempfile::tempdir().unwrap();
    write(
        &sys.path().join("pg_service.conf"),
        "[known]\nhost=x\n",
        0o644,
    );
    let env = LibpqEnvironment::from_pairs(
        [("PGSYSCONFDIR", sys.path().to_str().unwrap())],
        Some(home.path()),
    );
    // The system file is read after the user's.
    let done = complete(&url("postgresql:///?service=known"), &env).unwrap();
    assert_eq!(parts(&done.url).2, "x");
    let err = complete(&url("postgresql:///?service=missing"), &env).unwrap_err();
    let ConnectError::Param { name, problem, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(name, "service");
    assert!(problem.contains("no service `missing`"), "{problem}");
    assert!(problem.contains(".pg_service.conf"), "{problem}");
    assert!(problem.contains("pg_service.conf"), "{problem}");
}

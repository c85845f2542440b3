//! The kept development database against a real server: started detached by the CLI (so it
//! outlives that process), usable with pgvector, idempotent to start, stopped cleanly, and
//! started again on the same port with its data. A guard stops it whatever happens.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::Connection;
use tidemark::connect::dev::{self, DevOptions, DevStart, DevStatus, DevStop};
use tidemark::localpg::{DiscoveryOptions, find_binaries};

/// Stops the dev server of a temporary project when the test ends, passed or failed, so no
/// server is left behind.
struct StopOnDrop(DevOptions);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let options = self.0.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(dev::stop(&options));
            }
        })
        .join();
    }
}

fn cli(project: &Path, pg_bin: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(["dev"])
        .args(args)
        .arg("--project-dir")
        .arg(project)
        .env("PG_BIN", pg_bin)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn table_exists(url: &str) -> bool {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('public.docs') IS NOT NULL")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    exists
}

#[tokio::test]
async fn start_use_status_stop_and_start_again() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let discovery = DiscoveryOptions::from_env(&root);
    let found = discovery.clone();
    let install = tokio::task::spawn_blocking(move || find_binaries(&found))
        .await
        .unwrap()
        .unwrap();
    let project = tempfile::tempdir().unwrap();
    // The server runs as `nobody` when we are root; it must be able to enter the project.
    std::fs::set_permissions(project.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let options = DevOptions {
        discovery,
        ..DevOptions::new(project.path())
    };
    let _guard = StopOnDrop(options.clone());
    assert_eq!(
        dev::status(&options),
        DevStatus::Stopped {
            stale_pid: None,
            port: None
        }
    );

    // Started by a CLI process that exits: the server must outlive it.
    let out = cli(project.path(), install.bin_dir(), &["start"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out).trim().to_string();
    assert!(
        url.starts_with("postgres://postgres@127.0.0.1:") && url.ends_with("/tidemark"),
        "{url}"
    );
    assert!(
        stderr(&out).contains("created a new cluster"),
        "{}",
        stderr(&out)
    );
    assert!(options.data_dir().join("PG_VERSION").is_file());

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "CREATE EXTENSION vector; CREATE TABLE docs (id int, embedding vector(3)); \
         INSERT INTO docs VALUES (1, '[1,0,0]'), (2, '[0,1,0]')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let nearest: i32 =
        sqlx::query_scalar("SELECT id FROM docs ORDER BY embedding <-> '[0.9,0.1,0]' LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(nearest, 1);
    conn.close().await.unwrap();

    let DevStatus::Running {
        url: running_url,
        pid,
        port,
    } = dev::status(&options)
    else {
        panic!("not running after start: {:?}", dev::status(&options));
    };
    assert_eq!(running_url, url);
    assert_eq!(dev::url(&options).as_deref(), Some(url.as_str()));
    let out = cli(project.path(), install.bin_dir(), &["status"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with(&format!("running (pid {pid})\nurl: {url}")),
        "{}",
        stdout(&out)
    );
    let out = cli(project.path(), install.bin_dir(), &["url"]);
    assert_eq!(stdout(&out).trim(), url);

    // Starting again is a no-op that says so, from the library and from the CLI.
    assert_eq!(
        dev::start(&options).await.unwrap(),
        DevStart::AlreadyRunning {
            url: url.clone(),
            pid
        }
    );
    let out = cli(project.path(), install.bin_dir(), &["start"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("already running"), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), url);
    assert_eq!(dev_url(project.path()).await, url);

    // Stop: gone, and says so.
    assert_eq!(dev::stop(&options).await.unwrap(), DevStop::Stopped { pid });
    assert_eq!(
        dev::status(&options),
        DevStatus::Stopped {
            stale_pid: None,
            port: Some(port)
        }
    );
    assert!(sqlx::PgConnection::connect(&url).await.is_err());
    let out = cli(project.path(), install.bin_dir(), &["url"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("tidemark dev start"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        dev::stop(&options).await.unwrap(),
        DevStop::NotRunning { stale_pid: None }
    );

    // Start again: same port, same data, no initdb.
    match dev::start(&options).await.unwrap() {
        DevStart::Started {
            url: again,
            initialized,
            ..
        } => {
            assert_eq!(again, url);
            assert!(!initialized);
        }
        other => panic!("expected a fresh start, got {other:?}"),
    }
    assert!(table_exists(&url).await);
    let out = cli(project.path(), install.bin_dir(), &["stop"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stopped the dev database"),
        "{}",
        stderr(&out)
    );
    assert!(matches!(dev::status(&options), DevStatus::Stopped { .. }));
}

/// What `push`/`diff` will call: here the server already runs, so it only returns the URL.
async fn dev_url(project: &Path) -> String {
    dev::dev_url_or_start(project).await.unwrap()
}

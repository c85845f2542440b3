//! SIGTERM and SIGINT stop `migrate apply` cleanly on a real server: the running statement is
//! cancelled at once (not after it would have finished), its transaction rolled back, nothing
//! recorded, the migration lock released, and the exit code says which signal (143, 130).

mod migrate_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use migrate_support::*;
use tidemark_test_support::TestDatabase;

const SLOW: &str = "m20250101_000001_slow";

async fn stop_with(signal: i32, expected_exit: i32) {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    write_migration(
        &root,
        SLOW,
        "CREATE TABLE stopped_t (a int);\nSELECT pg_sleep(60);\n",
        Some("DROP TABLE stopped_t;\n"),
    );
    hash(&root);
    let child = Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(["migrate", "apply", "--dir"])
        .arg(&root)
        .args(["--database-url", db.url()])
        .env_remove("DATABASE_URL")
        .env("CI", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    // Wait until the migration's statement is running on the server.
    let started = Instant::now();
    loop {
        let running: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg\\_sleep(60)%' \
             AND state = 'active' AND pid <> pg_backend_pid())",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if running {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the migration never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let signalled = Instant::now();
    // SAFETY: sends a signal to the child this test spawned.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let took = signalled.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(expected_exit), "{stderr}");
    assert!(
        took < Duration::from_secs(30),
        "the statement was not cancelled: the run ended {took:?} after the signal"
    );
    assert!(
        stderr.contains("stopping: cancelling the running statement"),
        "{stderr}"
    );
    assert!(stderr.contains("stopped by a signal"), "{stderr}");
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('stopped_t') IS NOT NULL")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(!exists, "the migration's transaction was not rolled back");
    assert!(
        seaql_versions(db.pool()).await.is_empty(),
        "recorded anyway"
    );
    let locks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(locks, 0, "the migration lock is still held");
}

#[tokio::test]
async fn sigterm_cancels_the_running_migration_and_rolls_it_back() {
    stop_with(libc::SIGTERM, 143).await;
}

#[tokio::test]
async fn sigint_does_the_same_with_its_own_exit_code() {
    stop_with(libc::SIGINT, 130).await;
}

//! A runner killed with SIGKILL at random points (seeded), a third of the time while a
//! `CREATE INDEX CONCURRENTLY` of an HNSW index is building: no transactional migration is ever
//! half-applied, and the next run repairs and completes to the same schema.

mod migrate_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use migrate_support::*;
use tidemark_test_support::TestDatabase;

const ROWS: i64 = 10_000;
const TRIALS: u64 = 30;
const SEED: u64 = 0x5eed_0005;

fn directory(root: &Path) {
    write_migration(
        root,
        "m20250401_000001_items",
        &format!(
            "CREATE EXTENSION IF NOT EXISTS vector;\n\
             CREATE TABLE items (id int PRIMARY KEY, emb vector(48) NOT NULL);\n\
             INSERT INTO items SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, 48) g WHERE g > -i)::vector\n\
               FROM generate_series(1, {ROWS}) i;\n"
        ),
        None,
    );
    write_migration(
        root,
        "m20250401_000002_items_hnsw",
        "-- tidemark:no-transaction\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS items_emb_hnsw ON items USING hnsw (emb vector_l2_ops) WITH (m = 16, ef_construction = 64);\n",
        None,
    );
    write_migration(
        root,
        "m20250401_000003_audit",
        "CREATE TABLE audit (id int PRIMARY KEY, item_id int REFERENCES items);\n\
         INSERT INTO audit SELECT id, id FROM items;\n\
         ALTER TABLE items ADD COLUMN note text;\n\
         UPDATE items SET note = 'n' || id;\n",
        None,
    );
    write_migration(
        root,
        "m20250401_000004_items_note_idx",
        "-- tidemark:no-transaction\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS items_note_idx ON items (note);\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS items_emb_ivf ON items USING ivfflat (emb vector_cosine_ops) WITH (lists = 20);\n",
        None,
    );
    hash(root);
}

fn spawn(root: &Path, url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(["migrate", "apply", "--format", "json", "--dir"])
        .arg(root)
        .args(["--database-url", url])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

async fn scalar_bool(pool: &sqlx::PgPool, sql: &'static str) -> bool {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The invariant after any kill: each transactional migration is all there or not at all.
async fn check_no_half_applied(pool: &sqlx::PgPool, trial: u64) {
    let history = scalar_bool(pool, "SELECT to_regclass('seaql_migrations') IS NOT NULL").await;
    let recorded: Vec<String> = if history {
        seaql_versions(pool).await
    } else {
        vec![]
    };
    let items = scalar_bool(pool, "SELECT to_regclass('items') IS NOT NULL").await;
    assert_eq!(
        items,
        recorded.iter().any(|v| v == "m20250401_000001_items"),
        "trial {trial}: items vs history"
    );
    if items {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM items")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(n, ROWS, "trial {trial}: all rows or none");
    }
    let audit = scalar_bool(pool, "SELECT to_regclass('audit') IS NOT NULL").await;
    let note = scalar_bool(
        pool,
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('items') AND attname = 'note')",
    )
    .await;
    let m3 = recorded.iter().any(|v| v == "m20250401_000003_audit");
    assert_eq!(
        (audit, note),
        (m3, m3),
        "trial {trial}: audit/note vs history"
    );
}

async fn wait_for_backends_gone(pool: &sqlx::PgPool) {
    let start = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark migrate'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if n == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the killed runner's backend never went away"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sigkill_at_random_points_never_half_applies_and_the_next_run_completes() {
    let (_t, root) = temp_dir();
    directory(&root);

    let reference = TestDatabase::create().await.unwrap();
    let start = Instant::now();
    let out = cli_apply(&root, reference.url(), &[]);
    let clean_run = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let expected = fingerprint(reference.pool()).await;
    assert!(expected.contains("items_emb_hnsw") && expected.contains("valid=true"));
    drop(reference);

    let mut killed_in_build = 0;
    let mut repaired = 0;
    for trial in 0..TRIALS {
        let mut rng = fastrand::Rng::with_seed(SEED + trial);
        let db = TestDatabase::create().await.unwrap();
        let mut child = spawn(&root, db.url());
        if trial % 3 == 0 {
            // Wait for an index build of this database to show progress, then kill inside it.
            let t0 = Instant::now();
            loop {
                let building: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE datname = current_database())",
                )
                .fetch_one(db.pool())
                .await
                .unwrap();
                if building {
                    killed_in_build += 1;
                    tokio::time::sleep(Duration::from_millis(rng.u64(0..150))).await;
                    break;
                }
                if child.try_wait().unwrap().is_some() || t0.elapsed() > Duration::from_secs(60) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        } else {
            let ms = rng.u64(0..clean_run.as_millis() as u64 + 1);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        wait_for_backends_gone(db.pool()).await;
        check_no_half_applied(db.pool(), trial).await;

        let out = cli_apply(&root, db.url(), &["--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "trial {trial}: {}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        repaired += v["applied"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["repaired"] == true)
            .count();
        assert_eq!(fingerprint(db.pool()).await, expected, "trial {trial}");
        db.drop_now().await.unwrap();
    }
    eprintln!(
        "{TRIALS} trials (clean run {clean_run:?}): {killed_in_build} killed during an index build, {repaired} dirty migrations repaired"
    );
    assert!(killed_in_build >= TRIALS / 3 - 1, "{killed_in_build}");
    assert!(repaired >= 1, "no kill left a dirty migration to repair");
}

//! Sixteen `tidemark migrate apply` processes started at once on one database: the advisory
//! lock lets each migration run exactly once, and every process exits cleanly.

mod migrate_support;

use std::process::{Command, Stdio};

use migrate_support::*;
use tidemark_test_support::TestDatabase;

#[tokio::test]
async fn sixteen_runners_apply_each_migration_exactly_once() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    // Each migration appends to a log table: a second run of any of them would add a row (or
    // fail on the CREATE), so the counts prove exactly-once.
    write_migration(
        &root,
        "m20250301_000000_log",
        "CREATE TABLE run_log (version text NOT NULL);\nINSERT INTO run_log VALUES ('m20250301_000000_log');\n",
        None,
    );
    for i in 1..=8 {
        let v = format!("m20250301_00000{i}_t{i}");
        let up = if i % 4 == 0 {
            format!(
                "-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t{}_idx ON t{} (id);\nINSERT INTO run_log VALUES ('{v}');\n",
                i - 1,
                i - 1
            )
        } else {
            format!("CREATE TABLE t{i} (id int);\nINSERT INTO run_log VALUES ('{v}');\n")
        };
        write_migration(&root, &v, &up, None);
    }
    hash(&root);

    let children: Vec<_> = (0..16)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_tidemark"))
                .args(["migrate", "apply", "--format", "json", "--dir"])
                .arg(&root)
                .args(["--database-url", db.url()])
                .env_remove("DATABASE_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_total = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        applied_total += v["applied"].as_array().unwrap().len();
    }
    assert_eq!(
        applied_total, 9,
        "all nine applied, by one process or several in turn"
    );
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT version, count(*) FROM run_log GROUP BY 1 ORDER BY 1")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(counts.len(), 9);
    assert!(counts.iter().all(|(_, n)| *n == 1), "{counts:?}");
    assert_eq!(seaql_versions(db.pool()).await.len(), 9);
    let dirty: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tidemark_migrations WHERE dirty IS NOT NULL")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(dirty, 0);
}

//! Runner overhead per migration: 1,000 small migrations applied by the runner (lock, history
//! check, per-migration transaction with two history rows) against the same SQL run bare, one
//! transaction each. Prints figures; asserts nothing.

use std::time::Instant;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tidemark::migrate::{self, RunOptions, Runner, SUM_FILE};
use tidemark_test_support::TestDatabase;

const N: usize = 1000;

fn sql(i: usize) -> String {
    format!("CREATE TABLE t{i} (id int PRIMARY KEY, v text);\nINSERT INTO t{i} VALUES (1, 'x');\n")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    for i in 0..N {
        let dir = root.join("sql").join(format!("m20250101_{:06}_t{i}", i));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("up.sql"), sql(i)).expect("write");
    }
    let t = Instant::now();
    std::fs::write(root.join(SUM_FILE), migrate::render_sum(root).expect("sum")).expect("write");
    let hash_time = t.elapsed();
    let t = Instant::now();
    let dir = migrate::verify_sum(root).expect("verify");
    let verify_time = t.elapsed();

    // The bare run goes before and after the runner (fresh database each), and the faster one
    // counts, so a cold server after start-up is not charged to either side.
    let first = bare().await;

    let db = TestDatabase::create().await.expect("database");
    let t = Instant::now();
    let mut runner = Runner::connect(db.url(), dir, RunOptions::default(), |_| {})
        .await
        .expect("connect");
    let applied = runner.apply(None).await.expect("apply");
    runner.close().await.expect("close");
    let run = t.elapsed();
    assert_eq!(applied.len(), N);

    let t = Instant::now();
    let dir = migrate::verify_sum(root).expect("verify");
    let mut runner = Runner::connect(db.url(), dir, RunOptions::default(), |_| {})
        .await
        .expect("connect");
    let again = runner.apply(None).await.expect("apply");
    runner.close().await.expect("close");
    let noop = t.elapsed();

    let baseline = first.min(bare().await);
    let per = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / N as f64;
    println!("migrate_runner: {N} small migrations (CREATE TABLE + INSERT each)");
    println!(
        "  tidemark migrate hash (write sum):   {:>8.1} ms",
        hash_time.as_secs_f64() * 1e3
    );
    println!(
        "  verify sum + read directory:         {:>8.1} ms",
        verify_time.as_secs_f64() * 1e3
    );
    println!(
        "  bare SQL, one transaction each:      {:>8.1} ms ({:.3} ms/migration)",
        baseline.as_secs_f64() * 1e3,
        per(baseline)
    );
    println!(
        "  runner apply (lock, history, rows):  {:>8.1} ms ({:.3} ms/migration)",
        run.as_secs_f64() * 1e3,
        per(run)
    );
    println!(
        "  runner overhead per migration:       {:>8.3} ms",
        per(run) - per(baseline)
    );
    println!(
        "  no-op re-run ({} pending):            {:>8.1} ms",
        again.len(),
        noop.as_secs_f64() * 1e3
    );
}

async fn bare() -> std::time::Duration {
    let db = TestDatabase::create().await.expect("database");
    let mut conn = PgConnection::connect(db.url()).await.expect("connect");
    let t = Instant::now();
    for i in 0..N {
        let mut tx = conn.begin().await.expect("begin");
        for stmt in migrate::split_statements(&sql(i)) {
            sqlx::raw_sql(AssertSqlSafe(stmt))
                .execute(&mut *tx)
                .await
                .expect("baseline statement");
        }
        tx.commit().await.expect("commit");
    }
    t.elapsed()
}

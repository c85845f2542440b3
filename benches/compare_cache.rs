//! The whole compare as a user runs it: `tidemark diff` of a database against its own
//! inspected spec, process start to exit, at 100, 1,000 and 5,000 tables. Each table has a
//! bigint key, text/integer columns, a `vector(8)` column with an HNSW index, two btree indexes,
//! a foreign key to the previous table and a comment. The shadow server (the same throwaway
//! local server, already running) is passed with `--shadow-url`. Timed, each the best of three:
//! `cold` (empty cache), `warm` (nothing changed since), `one changed` (one table's comment
//! edited in the spec: a new cache key), and `no cache` (`TIDEMARK_CACHE=off`). Prints a table;
//! asserts nothing. `COMPARE_SIZES=100,1000` overrides the sizes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tidemark::localpg::{Cluster, ClusterOptions, DiscoveryOptions, Tuning, find_binaries};

const RUNS: usize = 3;

fn sizes() -> Vec<usize> {
    std::env::var("COMPARE_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 5_000])
}

fn ddl(n: usize) -> String {
    let mut out = String::from("CREATE EXTENSION IF NOT EXISTS vector;\n");
    for i in 0..n {
        let t = format!("t{i:05}");
        let parent = if i > 0 {
            format!(
                ", parent_id bigint REFERENCES t{:05} (id) ON DELETE CASCADE",
                i - 1
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "CREATE TABLE {t} (id bigint PRIMARY KEY, title text NOT NULL, \
             score integer NOT NULL DEFAULT 0, embedding vector(8){parent});\n\
             CREATE INDEX {t}_embedding_idx ON {t} USING hnsw (embedding vector_cosine_ops);\n\
             CREATE INDEX {t}_title_idx ON {t} (title);\n\
             CREATE INDEX {t}_score_idx ON {t} (score DESC);\n\
             COMMENT ON TABLE {t} IS 'table {i}';\n"
        ));
    }
    out
}

/// Runs `tidemark args…` with `TIDEMARK_CACHE=cache`; returns the wall time.
fn tidemark(args: &[&str], cache: &str) -> Duration {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .env("TIDEMARK_CACHE", cache)
        .env("CI", "1")
        .output()
        .expect("run tidemark");
    let took = t.elapsed();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 2),
        "tidemark {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let install = find_binaries(&DiscoveryOptions::from_env(env!("CARGO_MANIFEST_DIR")))
        .expect("PostgreSQL with pgvector");
    let cluster = Cluster::start(
        &install,
        ClusterOptions {
            tuning: Tuning::Throwaway,
            max_connections: 20,
            settings: vec![("max_locks_per_transaction".into(), "2048".into())],
            ..ClusterOptions::default()
        },
    )
    .await
    .expect("local server");
    let shadow = cluster.url("postgres");
    let mut admin = PgConnection::connect(&shadow).await.expect("connect");
    println!(
        "compare_cache: `tidemark diff` of a database against its inspected spec (s, best of {RUNS})"
    );
    println!(
        "{:>6} | {:>8} | {:>8} | {:>11} | {:>8}",
        "tables", "cold", "warm", "one changed", "no cache"
    );
    for n in sizes() {
        let db = format!("compare_{n}");
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let url = cluster.url(&db);
        let mut conn = PgConnection::connect(&url).await.expect("connect");
        sqlx::raw_sql(AssertSqlSafe(format!("BEGIN;\n{}COMMIT;\n", ddl(n))))
            .execute(&mut conn)
            .await
            .expect("create schema");
        let _ = conn.close().await;
        let work = tempfile::tempdir().expect("tempdir");
        let spec = work.path().join("spec");
        let spec_s = spec.to_str().expect("utf-8").to_string();
        tidemark(
            &["inspect", "--database-url", &url, "--out", &spec_s],
            "off",
        );
        let diff = [
            "diff",
            spec_s.as_str(),
            "--database-url",
            &url,
            "--shadow-url",
            &shadow,
        ];
        let (mut cold, mut warm, mut changed, mut none) =
            (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
        for run in 0..RUNS {
            let cache = work.path().join(format!("cache{run}"));
            let cache = cache.to_str().expect("utf-8");
            cold = cold.min(tidemark(&diff, cache));
            warm = warm.min(tidemark(&diff, cache));
            edit_one(&spec, run);
            changed = changed.min(tidemark(&diff, cache));
            none = none.min(tidemark(&diff, "off"));
        }
        println!(
            "{n:>6} | {:>8.2} | {:>8.2} | {:>11.2} | {:>8.2}",
            secs(cold),
            secs(warm),
            secs(changed),
            secs(none)
        );
    }
}

/// Changes the comment of one table in the inspected spec (a different one each run).
fn edit_one(spec: &Path, run: usize) {
    let file = std::fs::read_dir(spec)
        .expect("spec dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "yaml"))
        .expect("a spec file");
    let text = std::fs::read_to_string(&file).expect("read spec");
    let edited = text.replacen(
        "comment: table 0",
        &format!("comment: table 0, run {run}"),
        1,
    );
    assert_ne!(text, edited, "the spec has table 0's comment");
    std::fs::write(&file, edited).expect("write spec");
}

//! Partitioned embeddings tables on a real PostgreSQL 18 + pgvector: a spec with a range
//! partitioned `chunks` table (HNSW index on the parent, GIN index on one partition, a default
//! partition) and a list partitioned multi-tenant table is pushed, filled and analysed; the
//! query shapes the generated nearest-neighbour methods send (`nearest_by_*` and its
//! partition-key variants, see `codegen::nearest`) are answered from the partitions' HNSW
//! indexes (checked with `EXPLAIN`), the key-filtered ones from only the partitions holding
//! those rows; and a second `diff` finds nothing.

use std::process::{Command, Output};

use tidemark_test_support::TestDatabase;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn tidemark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(ROOT)
        .env_remove("DATABASE_URL")
        .env("CI", "true")
        .output()
        .expect("run tidemark")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const SPEC: &str = r#"
extensions: { vector: }
tables:
  chunks:
    columns:
      id: bigint
      created_at: timestamptz
      body: text
      embedding: vector(3)?
    primary_key: [id, created_at]
    indexes:
      chunks_embedding_idx: { on: embedding, using: hnsw, ops: vector_cosine_ops }
    partition_by: { range: [created_at] }
    partitions:
      chunks_2026_01: { from: "2026-01-01", to: "2026-02-01" }
      chunks_2026_02:
        from: "2026-02-01"
        to: "2026-03-01"
        indexes:
          chunks_2026_02_body_idx: { on: { expr: "to_tsvector('english', body)" }, using: gin }
      chunks_2026_03: { from: "2026-03-01", to: "2026-04-01" }
      chunks_default: { default: true }
  tenant_vectors:
    columns:
      tenant: text
      id: bigint
      embedding: vector(3)
    primary_key: [tenant, id]
    indexes:
      tenant_vectors_embedding_idx: { on: embedding, using: hnsw, ops: vector_l2_ops }
    partition_by: { list: [tenant] }
    partitions:
      tenant_vectors_eu: { in: [eu] }
      tenant_vectors_us: { in: [us] }
"#;

async fn explain(db: &TestDatabase, query: &str) -> String {
    let mut tx = db.pool().begin().await.expect("begin");
    // The question is whether the query's shape can use the index, not what the planner
    // prefers for a few hundred rows (a scan and a sort of one small partition is cheaper).
    for setting in ["enable_seqscan", "enable_bitmapscan", "enable_sort"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL {setting} = off")))
            .execute(&mut *tx)
            .await
            .expect("set");
    }
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {query}")))
        .fetch_all(&mut *tx)
        .await
        .expect("explain");
    rows.join("\n")
}

#[tokio::test]
async fn nearest_queries_use_the_partitions_indexes_and_prune_by_the_key() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("schema.yaml"), SPEC).expect("write");
    let spec = dir.path().to_str().expect("utf-8");
    let shadow = db.server_url().to_string();
    let out = tidemark(&[
        "push",
        spec,
        "--database-url",
        db.url(),
        "--shadow-url",
        &shadow,
    ]);
    assert!(out.status.success(), "{}", text(&out));

    sqlx::raw_sql(
        "INSERT INTO chunks (id, created_at, body, embedding)
         SELECT i, timestamptz '2026-01-01 00:00:00+00' + (i % 120) * interval '1 day',
                'row ' || i, ARRAY[random(), random(), random()]::vector(3)
         FROM generate_series(1, 1200) AS i;
         INSERT INTO tenant_vectors (tenant, id, embedding)
         SELECT CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, i,
                ARRAY[random(), random(), random()]::vector(3)
         FROM generate_series(1, 600) AS i;
         ANALYZE chunks; ANALYZE tenant_vectors;",
    )
    .execute(db.pool())
    .await
    .expect("rows");
    // Every row went where its bound says (the default takes the rest of April).
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tableoid::regclass::text, count(*) FROM chunks GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(db.pool())
    .await
    .expect("counts");
    let names: Vec<&str> = counts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "chunks_2026_01",
            "chunks_2026_02",
            "chunks_2026_03",
            "chunks_default"
        ]
    );

    // `nearest_by_embedding`: every partition's copy of the parent's HNSW index.
    let q = "'[0.1,0.2,0.3]'";
    let all = explain(
        &db,
        &format!(
            "SELECT * FROM chunks WHERE embedding IS NOT NULL ORDER BY embedding <=> {q} LIMIT 5"
        ),
    )
    .await;
    for p in [
        "chunks_2026_01",
        "chunks_2026_02",
        "chunks_2026_03",
        "chunks_default",
    ] {
        assert!(
            all.contains(&format!("Index Scan using {p}_embedding_idx on {p}")),
            "{p} not searched through its HNSW index:\n{all}"
        );
    }
    // `nearest_by_embedding_from_to`: only February's partition.
    let feb = explain(
        &db,
        &format!(
            "SELECT * FROM chunks WHERE embedding IS NOT NULL \
             AND created_at >= '2026-02-01 00:00:00+00' AND created_at < '2026-03-01 00:00:00+00' \
             ORDER BY embedding <=> {q} LIMIT 5"
        ),
    )
    .await;
    assert!(
        feb.contains("Index Scan using chunks_2026_02_embedding_idx on chunks_2026_02"),
        "{feb}"
    );
    for other in ["chunks_2026_01", "chunks_2026_03", "chunks_default"] {
        assert!(!feb.contains(other), "{other} not pruned:\n{feb}");
    }
    // `nearest_by_embedding_where_tenant`: only the tenant's partition.
    let eu = explain(
        &db,
        &format!(
            "SELECT * FROM tenant_vectors WHERE tenant = 'eu' ORDER BY embedding <-> {q} LIMIT 5"
        ),
    )
    .await;
    assert!(
        eu.contains("Index Scan using tenant_vectors_eu_embedding_idx on tenant_vectors_eu"),
        "{eu}"
    );
    assert!(!eu.contains("tenant_vectors_us"), "not pruned:\n{eu}");

    // The database matches the spec it was pushed from.
    let again = tidemark(&[
        "diff",
        spec,
        "--database-url",
        db.url(),
        "--shadow-url",
        &shadow,
        "--exit-code",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

//! The number of statements one introspection sends does not grow with the schema: 10 and
//! 1,000 tables (each with a primary key, a foreign key, a check, an enum column, a vector
//! column, an HNSW index and comments) are read with the same statements.

use std::fmt::Write;

use sqlx::AssertSqlSafe;
use tidemark::introspect::{CATALOG_QUERIES, IntrospectOptions, introspect_with_stats};
use tidemark::model::*;
use tidemark_test_support::TestDatabase;

fn ddl(tables: usize) -> String {
    let mut sql = String::from(
        "CREATE EXTENSION vector;
         CREATE TYPE kind AS ENUM ('a', 'b');
         CREATE TABLE root (id bigint PRIMARY KEY);\n",
    );
    for i in 0..tables {
        writeln!(
            sql,
            "CREATE TABLE t{i} (
               id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
               root_id bigint NOT NULL REFERENCES root (id) ON DELETE CASCADE,
               k kind NOT NULL DEFAULT 'a',
               n integer CHECK (n > {i}),
               e vector(3)
             );
             CREATE INDEX t{i}_e_idx ON t{i} USING hnsw (e vector_cosine_ops) WITH (m = 8);
             COMMENT ON TABLE t{i} IS 'table {i}';
             COMMENT ON COLUMN t{i}.e IS 'embedding {i}';"
        )
        .unwrap();
    }
    sql
}

async fn read(tables: usize) -> (Schema, tidemark::introspect::IntrospectStats) {
    let db = TestDatabase::create().await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(ddl(tables)))
        .execute(db.pool())
        .await
        .unwrap();
    let mut conn = db.pool().acquire().await.unwrap();
    let result =
        tidemark::introspect::introspect_connection(&mut conn, &IntrospectOptions::default())
            .await
            .unwrap();
    // The pool entry point reads the same thing.
    let again = introspect_with_stats(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    assert_eq!(again.schema, result.schema);
    assert_eq!(again.stats, result.stats);
    (result.schema, result.stats)
}

#[tokio::test]
async fn ten_and_a_thousand_tables_take_the_same_queries() {
    let (small, small_stats) = read(10).await;
    let (large, large_stats) = read(1000).await;

    assert_eq!(small.tables.len(), 11);
    assert_eq!(large.tables.len(), 1001);
    assert_eq!(small_stats.catalog_queries, CATALOG_QUERIES);
    assert_eq!(large_stats, small_stats);
    assert_eq!(CATALOG_QUERIES, 15);
    // BEGIN, the pinned settings, the catalog queries, COMMIT.
    assert_eq!(small_stats.statements, CATALOG_QUERIES + 3);

    // Everything of the last table was read, not just its name.
    let last = large.table(&QualifiedName::public("t999")).unwrap();
    assert_eq!(last.comment.as_deref(), Some("table 999"));
    assert_eq!(last.columns.len(), 5);
    assert_eq!(last.column("e").unwrap().ty, ColumnType::Vector(Some(3)));
    assert_eq!(
        last.column("e").unwrap().comment.as_deref(),
        Some("embedding 999")
    );
    assert_eq!(last.checks[0].expr, "n > 999");
    assert_eq!(
        last.foreign_keys[0].ref_table,
        QualifiedName::public("root")
    );
    assert_eq!(
        last.indexes[0].options.get("m").map(String::as_str),
        Some("8")
    );
    assert_eq!(
        last.indexes[0].keys[0].opclass.as_deref(),
        Some("vector_cosine_ops")
    );
}

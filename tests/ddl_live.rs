//! The example spec, rendered by `tidemark sql`, applied to a real PostgreSQL 18 with pgvector
//! 0.8: it must run without a single error, warning or notice, and the catalog it leaves must
//! say what the spec says (tables, columns with their dims, index methods, operator classes and
//! options, constraints, comments).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use sqlx::Row;
use tidemark::model::{ColumnType, IdentityKind, Schema};
use tidemark_test_support::TestDatabase;

mod psql_support;
use psql_support::psql;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `format_type` output with `search_path = ''`: extension and enum types come back
/// schema-qualified (pgvector is installed in `public` by the example).
fn expected_format_type(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Enum(q) => format!("{}.{}", q.schema, q.name),
        ColumnType::Vector(_) | ColumnType::HalfVec(_) | ColumnType::SparseVec(_) => {
            format!("public.{}", tidemark::sql_ident::type_name(ty))
        }
        ColumnType::Array(inner) => format!("{}[]", expected_format_type(inner)),
        other => tidemark::sql_ident::type_name(other),
    }
}

fn tidemark_sql(spec: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .arg("sql")
        .arg(spec)
        .current_dir(ROOT)
        .output()
        .expect("run tidemark");
    assert!(
        out.status.success(),
        "tidemark sql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 script")
}

/// `reloptions` as stored: in the order written, which the DDL must reproduce.
fn parse_reloptions(opts: Option<Vec<String>>) -> Vec<(String, String)> {
    opts.unwrap_or_default()
        .into_iter()
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

async fn check_catalog(pool: &sqlx::PgPool, schema: &Schema) {
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::query("SET search_path = ''")
        .execute(&mut *conn)
        .await
        .expect("pin search_path");

    // Extensions.
    let ext: Vec<(String, String)> = sqlx::query_as(
        "SELECT extname::text, extversion FROM pg_extension WHERE extname <> 'plpgsql'",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("extensions");
    let names: BTreeSet<&str> = ext.iter().map(|(n, _)| n.as_str()).collect();
    let wanted: BTreeSet<&str> = schema.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, wanted);
    let vector = ext.iter().find(|(n, _)| n == "vector").expect("vector");
    assert!(vector.1.starts_with("0.8"), "pgvector {}", vector.1);

    // Enums, with labels in order.
    for e in &schema.enums {
        let labels: Vec<String> = sqlx::query_scalar(
            "SELECT e.enumlabel::text FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = $1 AND t.typname = $2 ORDER BY e.enumsortorder",
        )
        .bind(&e.name.schema)
        .bind(&e.name.name)
        .fetch_all(&mut *conn)
        .await
        .expect("enum labels");
        assert_eq!(labels, e.values, "enum {}", e.name);
    }

    // Exactly the spec's tables.
    let tables: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg_toast%'",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables")
    .into_iter()
    .collect();
    let wanted: BTreeSet<(String, String)> = schema
        .tables
        .iter()
        .map(|t| (t.name.schema.clone(), t.name.name.clone()))
        .collect();
    assert_eq!(tables, wanted);

    for table in &schema.tables {
        let qualified = format!(
            "{}.{}",
            tidemark::sql_ident::quote(&table.name.schema),
            tidemark::sql_ident::quote(&table.name.name)
        );
        let oid: sqlx::postgres::types::Oid = sqlx::query_scalar("SELECT $1::regclass::oid")
            .bind(&qualified)
            .fetch_one(&mut *conn)
            .await
            .expect("table oid");

        // Columns in physical order, with types (dims included), nullability, identity,
        // generation and comments.
        let rows = sqlx::query(
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS ty, \
                    a.attnotnull, a.attidentity::text AS identity, a.attgenerated::text AS generated, \
                    a.atttypmod, pg_get_expr(d.adbin, d.adrelid) AS default_expr, \
                    col_description(a.attrelid, a.attnum) AS comment \
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        )
        .bind(oid)
        .fetch_all(&mut *conn)
        .await
        .expect("columns");
        assert_eq!(rows.len(), table.columns.len(), "columns of {}", table.name);
        for (row, col) in rows.iter().zip(&table.columns) {
            let what = format!("column {}.{}", table.name, col.name);
            assert_eq!(row.get::<String, _>("name"), col.name, "{what}");
            assert_eq!(
                row.get::<String, _>("ty"),
                expected_format_type(&col.ty),
                "{what}"
            );
            if let Some(Some(dims)) = col.ty.vector_dims() {
                assert_eq!(row.get::<i32, _>("atttypmod"), dims as i32, "{what} dims");
            }
            assert_eq!(row.get::<bool, _>("attnotnull"), !col.nullable, "{what}");
            let identity = match col.identity.as_ref().map(|i| i.kind) {
                Some(IdentityKind::Always) => "a",
                Some(IdentityKind::ByDefault) => "d",
                None => "",
            };
            assert_eq!(row.get::<String, _>("identity"), identity, "{what}");
            let generated = if col.generated.is_some() { "s" } else { "" };
            assert_eq!(row.get::<String, _>("generated"), generated, "{what}");
            let has_default = col.default.is_some() || col.generated.is_some();
            assert_eq!(
                row.get::<Option<String>, _>("default_expr").is_some(),
                has_default,
                "{what} default"
            );
            assert_eq!(
                row.get::<Option<String>, _>("comment"),
                col.comment,
                "{what} comment"
            );
        }

        let comment: Option<String> = sqlx::query_scalar("SELECT obj_description($1, 'pg_class')")
            .bind(oid)
            .fetch_one(&mut *conn)
            .await
            .expect("table comment");
        assert_eq!(comment, table.comment, "comment of {}", table.name);

        // Constraints by name and kind.
        let cons: BTreeSet<(String, String)> = sqlx::query_as(
            "SELECT conname::text, contype::text FROM pg_constraint WHERE conrelid = $1 AND contype <> 'n'",
        )
        .bind(oid)
        .fetch_all(&mut *conn)
        .await
        .expect("constraints")
        .into_iter()
        .collect();
        let mut wanted = BTreeSet::new();
        if let Some(pk) = &table.primary_key {
            wanted.insert((pk.name.clone(), "p".to_string()));
        }
        for u in &table.uniques {
            wanted.insert((u.name.clone(), "u".to_string()));
        }
        for c in &table.checks {
            wanted.insert((c.name.clone(), "c".to_string()));
        }
        for f in &table.foreign_keys {
            wanted.insert((f.name.clone(), "f".to_string()));
        }
        assert_eq!(cons, wanted, "constraints of {}", table.name);

        // Indexes that are not constraint-backed: method, opclasses, options, predicate.
        let rows = sqlx::query(
            "SELECT ic.relname::text AS name, am.amname::text AS method, ic.reloptions, \
                    i.indisunique, pg_get_expr(i.indpred, i.indrelid) AS predicate, \
                    i.indnkeyatts::int AS nkeys, \
                    ARRAY(SELECT oc.opcname::text FROM unnest(i.indclass) WITH ORDINALITY k(cls, n) \
                          JOIN pg_opclass oc ON oc.oid = k.cls ORDER BY k.n) AS opclasses, \
                    ARRAY(SELECT oc.opcdefault FROM unnest(i.indclass) WITH ORDINALITY k(cls, n) \
                          JOIN pg_opclass oc ON oc.oid = k.cls ORDER BY k.n) AS defaults \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_am am ON am.oid = ic.relam \
             WHERE i.indrelid = $1 \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
             ORDER BY 1",
        )
        .bind(oid)
        .fetch_all(&mut *conn)
        .await
        .expect("indexes");
        let names: Vec<String> = rows.iter().map(|r| r.get("name")).collect();
        let wanted: Vec<String> = table.indexes.iter().map(|i| i.name.clone()).collect();
        assert_eq!(names, wanted, "indexes of {}", table.name);
        for (row, index) in rows.iter().zip(&table.indexes) {
            let what = format!("index {}", index.name);
            assert_eq!(
                row.get::<String, _>("method"),
                index.method.name(),
                "{what}"
            );
            assert_eq!(row.get::<bool, _>("indisunique"), index.unique, "{what}");
            assert_eq!(
                row.get::<Option<String>, _>("predicate").is_some(),
                index.predicate.is_some(),
                "{what} predicate"
            );
            assert_eq!(
                row.get::<i32, _>("nkeys") as usize,
                index.keys.len(),
                "{what}"
            );
            let opclasses: Vec<String> = row.get("opclasses");
            let defaults: Vec<bool> = row.get("defaults");
            for (k, key) in index.keys.iter().enumerate() {
                match &key.opclass {
                    Some(ops) => assert_eq!(&opclasses[k], ops, "{what} key {k}"),
                    None => assert!(defaults[k], "{what} key {k} uses the default opclass"),
                }
            }
            assert_eq!(
                parse_reloptions(row.get("reloptions")),
                index.options.0,
                "{what} options, in the order written"
            );
        }
    }
}

#[tokio::test]
async fn example_sql_applies_cleanly_and_matches_the_spec() {
    let spec = Path::new(ROOT).join("schemas");
    let schema = tidemark::spec::load(&spec)
        .unwrap_or_else(|d| panic!("example invalid:\n{}", d.render_human()))
        .schema;
    let script = tidemark_sql(&spec);

    let db = TestDatabase::create().await.expect("test database");
    let (ok, stderr) = psql(db.url(), &script);
    assert!(ok, "script failed:\n{stderr}");
    assert_eq!(stderr, "", "the server sent notices or warnings");

    check_catalog(db.pool(), &schema).await;

    // The HNSW options really reached the index (m = 24, ef_construction = 100 in the spec).
    let chunks = schema
        .tables
        .iter()
        .find(|t| t.name.name == "chunks")
        .expect("chunks");
    let idx = chunks
        .indexes
        .iter()
        .find(|i| i.name == "chunks_embedding_idx")
        .expect("index");
    assert_eq!(idx.options.get("m").map(String::as_str), Some("24"));
    assert_eq!(idx.keys[0].opclass.as_deref(), Some("vector_cosine_ops"));
}

#[tokio::test]
async fn a_broken_statement_is_reported_by_the_server() {
    // Guards the harness itself: a script PostgreSQL rejects must not pass as clean.
    let db = TestDatabase::create().await.expect("test database");
    let (ok, stderr) = psql(
        db.url(),
        "CREATE EXTENSION IF NOT EXISTS vector;\nCREATE TABLE \"t\" (\"e\" vector(3));\n\
         CREATE INDEX \"t_e_idx\" ON \"public\".\"t\" USING hnsw (\"e\" \"vector_l1_opz\");\n",
    );
    assert!(!ok);
    assert!(stderr.contains("vector_l1_opz"), "{stderr}");
}

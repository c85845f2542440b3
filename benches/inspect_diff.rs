//! Cost of reading a live database and comparing it, at 100, 1,000 and 5,000 tables: each table
//! has a bigint primary key, a foreign key to the previous table, text/integer columns, a
//! `vector(8)` column with an HNSW index, and a comment. The schema is built as a model,
//! rendered with `ddl::create_all` and sent as one multi-statement batch to a throwaway local
//! server (`fsync` off). Timed: `introspect` (the core of `tidemark inspect`), `spec::emit`
//! (inspect's writer), and `diff` + `plan` of the live schema against a desired one that changes
//! about 10% of the tables (a new column, a different HNSW `m`, a new comment). Each figure is
//! the best of three runs (creation runs once). Prints a table; asserts nothing.

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tidemark::ddl;
use tidemark::diff::diff;
use tidemark::introspect::{IntrospectOptions, introspect_connection};
use tidemark::localpg::{Cluster, ClusterOptions, DiscoveryOptions, Tuning, find_binaries};
use tidemark::model::*;
use tidemark::plan::{PlanOptions, plan};
use tidemark::spec::emit::{Layout, emit};

/// Table counts; `INSPECT_DIFF_SIZES=100,1000` overrides them (e.g. for a quick debug run with
/// `cargo test --bench inspect_diff`).
fn sizes() -> Vec<usize> {
    std::env::var("INSPECT_DIFF_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 5_000])
}
const RUNS: usize = 3;

fn column(name: &str, ty: ColumnType, nullable: bool, default: Option<DefaultValue>) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable,
        default,
        identity: None,
        generated: None,
        comment: None,
        renamed_from: None,
        statistics: None,
        collation: None,
        storage: None,
        compression: None,
        generated_virtual: false,
    }
}

fn table(i: usize) -> Table {
    let name = format!("t{i:05}");
    let mut columns = vec![
        column("id", ColumnType::BigInt, false, None),
        column("title", ColumnType::Text, false, None),
        column(
            "score",
            ColumnType::Integer,
            false,
            Some(DefaultValue::Number("0".into())),
        ),
        column("embedding", ColumnType::Vector(Some(8)), true, None),
    ];
    let mut foreign_keys = Vec::new();
    if i > 0 {
        columns.push(column("parent_id", ColumnType::BigInt, true, None));
        foreign_keys.push(ForeignKey {
            name: format!("{name}_parent_id_fkey"),
            columns: vec!["parent_id".into()],
            ref_table: QualifiedName::public(format!("t{:05}", i - 1)),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            ..Default::default()
        });
    }
    Table {
        name: QualifiedName::public(&name),
        columns,
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
            ..Default::default()
        }),
        uniques: vec![],
        checks: vec![],
        foreign_keys,
        exclusions: vec![],
        indexes: vec![Index {
            name: format!("{name}_embedding_idx"),
            method: IndexMethod::Hnsw,
            keys: vec![IndexKey {
                target: IndexTarget::Column("embedding".into()),
                opclass: Some("vector_cosine_ops".into()),
                order: SortOrder::Asc,
                nulls: None,
                collation: None,
                opclass_params: Default::default(),
            }],
            include: vec![],
            unique: false,
            nulls_not_distinct: false,
            predicate: None,
            options: IndexOptions(vec![("m".to_string(), "8".to_string())]),
            comment: None,
        }],
        comment: Some(format!("table {i}")),
        renamed_from: None,
        partition_by: None,
        partition_of: None,
        unlogged: false,
        storage: IndexOptions::default(),
        replica_identity: Default::default(),
    }
}

fn schema(n: usize) -> Schema {
    let mut s = Schema {
        extensions: vec![Extension {
            name: "vector".into(),
            schema: None,
            version: None,
        }],
        tables: (0..n).map(table).collect(),
        ..Schema::default()
    };
    s.normalize();
    s
}

/// `live` with every tenth table changed: a new nullable column, HNSW `m` 8 → 16 (a rebuild),
/// and a new comment.
fn desired(live: &Schema) -> Schema {
    let mut d = live.clone();
    for t in d.tables.iter_mut().step_by(10) {
        t.columns.push(column("note", ColumnType::Text, true, None));
        for i in &mut t.indexes {
            if i.method == IndexMethod::Hnsw {
                i.options.insert("m", "16");
            }
        }
        t.comment = Some(format!("{} (changed)", t.name.name));
    }
    d
}

/// Best of [`RUNS`] timings of `f`, with the last result.
async fn best<T, F, Fut>(mut f: F) -> (Duration, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = f().await;
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("RUNS > 0"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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
            // One batch creates up to 5,000 tables with their indexes and TOAST tables.
            settings: vec![("max_locks_per_transaction".into(), "2048".into())],
            ..ClusterOptions::default()
        },
    )
    .await
    .expect("local server");
    let mut admin = PgConnection::connect(&cluster.url("postgres"))
        .await
        .expect("connect");

    println!("inspect_diff: N tables, each with a vector(8) column, an HNSW index and an FK");
    println!(
        "{:>6} | {:>5} | {:>10} | {:>10} | {:>10} | {:>8} | {:>10} | {:>10} | {:>8} | {:>6}",
        "tables",
        "read",
        "create ms",
        "inspect ms",
        "emit ms",
        "yaml KiB",
        "diff ms",
        "plan ms",
        "changes",
        "steps"
    );
    for n in sizes() {
        let db = format!("bench_{n}");
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let url = cluster.url(&db);
        let mut conn = PgConnection::connect(&url).await.expect("connect");
        let model = schema(n);
        let batch: String = ddl::create_statements(&model)
            .iter()
            .map(|s| format!("{s};\n"))
            .collect();
        let t = Instant::now();
        sqlx::raw_sql(AssertSqlSafe(batch))
            .execute(&mut conn)
            .await
            .expect("create schema");
        let create = t.elapsed();

        let options = IntrospectOptions::default();
        let mut inspect = Duration::MAX;
        let mut live = Schema::default();
        for _ in 0..RUNS {
            let t = Instant::now();
            live = introspect_connection(&mut conn, &options)
                .await
                .expect("introspect")
                .schema;
            inspect = inspect.min(t.elapsed());
        }
        let (emit_time, files) = best(|| async { emit(&live, Layout::PerSchema) }).await;
        let yaml_kb = files.iter().map(|f| f.contents.len()).sum::<usize>() / 1024;
        let wanted = desired(&live);
        let (diff_time, changes) = best(|| async { diff(&live, &wanted) }).await;
        let (plan_time, steps) = best(|| async {
            plan(&live, &wanted, &changes, &PlanOptions::default())
                .steps
                .len()
        })
        .await;
        println!(
            "{n:>6} | {:>5} | {:>10.1} | {:>10.1} | {:>10.1} | {:>8} | {:>10.1} | {:>10.1} | {:>8} | {:>6}",
            live.tables.len(),
            ms(create),
            ms(inspect),
            ms(emit_time),
            yaml_kb,
            ms(diff_time),
            ms(plan_time),
            changes.len(),
            steps
        );
        let _ = conn.close().await;
        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {db}")))
            .execute(&mut admin)
            .await
            .expect("drop database");
    }
    let _ = admin.close().await;
    drop(cluster);
}

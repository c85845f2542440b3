//! The apply check shared by the corpus and the property test: on a real PostgreSQL, build
//! `current`, run the plan to `desired`, and compare a catalog fingerprint with a database built
//! directly from `desired`; then run the down steps and compare with `current` again.
#![allow(dead_code)]

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tidemark::ddl;
use tidemark::diff::diff;
use tidemark::localpg::TestDatabase;
use tidemark::model::Schema;
use tidemark::plan::{Plan, PlanOptions, Step, batches, plan};

/// Every user-visible object of a database as sorted text lines: namespaces, extensions, enums
/// (labels in sort order), tables, columns (type with typmod, nullability, default, identity,
/// generated expression), constraints (definitions), indexes (definitions, reloptions) and
/// comments. Columns are listed by name: tidemark does not manage column order. PostgreSQL 18's
/// NOT NULL constraints are left out (nullability is listed per column and their derived names
/// keep a table's old name after a rename); so are identity sequences' names.
pub const FINGERPRINT: &str = r#"
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
), rel AS (
  SELECT c.oid, ns.nspname, c.relname FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
)
SELECT line FROM (
  SELECT 'schema ' || nspname || ' comment=' || coalesce(obj_description(oid, 'pg_namespace'), '-') AS line FROM ns
  UNION ALL
  SELECT 'extension ' || e.extname || ' ' || e.extversion || ' in ' || n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  UNION ALL
  SELECT 'enum ' || ns.nspname || '.' || t.typname || ' ' ||
         (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
         || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '-')
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
  UNION ALL
  SELECT 'table ' || nspname || '.' || relname || ' comment=' || coalesce(obj_description(oid, 'pg_class'), '-') FROM rel
  UNION ALL
  SELECT 'column ' || rel.nspname || '.' || rel.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
         || CASE WHEN a.attgenerated = '' THEN coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                 ELSE ' generated ' || pg_get_expr(ad.adbin, ad.adrelid) END
         || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END
         || ' comment=' || coalesce(col_description(rel.oid, a.attnum), '-')
  FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  UNION ALL
  SELECT 'constraint ' || rel.nspname || '.' || rel.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid, true)
  FROM rel JOIN pg_constraint con ON con.conrelid = rel.oid WHERE con.contype <> 'n'
  UNION ALL
  SELECT 'index ' || rel.nspname || '.' || rel.relname || ' ' || i.relname || ' ' || pg_get_indexdef(i.oid)
         || ' options=' || coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest(i.reloptions) o), '-')
         || ' valid=' || x.indisvalid
         || ' comment=' || coalesce(obj_description(i.oid, 'pg_class'), '-')
  FROM rel JOIN pg_index x ON x.indrelid = rel.oid JOIN pg_class i ON i.oid = x.indexrelid
) lines ORDER BY line COLLATE "C"
"#;

pub async fn connect(db: &TestDatabase) -> PgConnection {
    let mut conn = PgConnection::connect(db.url()).await.expect("connect");
    sqlx::raw_sql("SET search_path TO pg_catalog")
        .execute(&mut conn)
        .await
        .expect("pin search_path");
    conn
}

pub async fn fingerprint(conn: &mut PgConnection) -> String {
    let rows: Vec<(String,)> = sqlx::query_as(FINGERPRINT)
        .fetch_all(&mut *conn)
        .await
        .expect("fingerprint query");
    rows.into_iter().map(|(l,)| l + "\n").collect::<String>()
}

async fn exec(conn: &mut PgConnection, sql: String) -> Result<(), String> {
    sqlx::raw_sql(AssertSqlSafe(sql.clone()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| format!("{e}\n--- SQL ---\n{sql}"))
}

/// Builds `schema` from scratch in one transaction.
pub async fn create_all(conn: &mut PgConnection, schema: &Schema) -> Result<(), String> {
    let sql = ddl::create_all(schema)
        .iter()
        .map(|s| format!("{};\n", s.sql))
        .collect::<String>();
    exec(conn, format!("BEGIN;\n{sql}COMMIT;")).await
}

/// Runs SQL texts the way a runner does: each transactional run in one transaction, each
/// non-transactional text alone (so `CONCURRENTLY` really runs outside a transaction).
async fn run(conn: &mut PgConnection, items: &[(String, bool)]) -> Result<(), String> {
    for (tx, group) in batches(items.iter().map(|(_, t)| *t)) {
        if tx {
            let body = group
                .iter()
                .map(|&i| format!("{};\n", items[i].0))
                .collect::<String>();
            exec(conn, format!("BEGIN;\n{body}COMMIT;")).await?;
        } else {
            for i in group {
                exec(conn, items[i].0.clone()).await?;
            }
        }
    }
    Ok(())
}

pub async fn apply_up(conn: &mut PgConnection, plan: &Plan) -> Result<(), String> {
    let items: Vec<(String, bool)> = plan
        .steps
        .iter()
        .map(|s| (s.sql.clone(), s.transactional))
        .collect();
    run(conn, &items).await
}

pub async fn apply_down(conn: &mut PgConnection, plan: &Plan) -> Result<(), String> {
    let mut items = Vec::new();
    for s in plan.steps.iter().rev() {
        let Some(down) = &s.down_sql else {
            return Err(format!("step has no down SQL: {}", s.sql));
        };
        items.push((down.clone(), s.transactional));
    }
    run(conn, &items).await
}

/// Optional data for a pair: `seed` runs after current is built, `check` (a query returning one
/// boolean) must hold after the plan, e.g. that a renamed table kept its rows.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub seed: Option<String>,
    pub check: Option<String>,
}

/// The whole check for one pair and one set of options; `Err` explains what differed.
pub async fn check_pair(
    current: &Schema,
    desired: &Schema,
    options: &PlanOptions,
) -> Result<Plan, String> {
    check_pair_with_data(current, desired, options, &Data::default()).await
}

/// [`check_pair`] with seed rows and a check on them after the plan.
pub async fn check_pair_with_data(
    current: &Schema,
    desired: &Schema,
    options: &PlanOptions,
    data: &Data,
) -> Result<Plan, String> {
    let changes = diff(current, desired);
    let plan = plan(current, desired, &changes, options);
    if !diff(desired, desired).is_empty() {
        return Err("diff(desired, desired) is not empty".into());
    }
    if !diff(current, current).is_empty() {
        return Err("diff(current, current) is not empty".into());
    }
    let expected_db = TestDatabase::create().await.map_err(|e| e.to_string())?;
    let mut expected = connect(&expected_db).await;
    create_all(&mut expected, desired)
        .await
        .map_err(|e| format!("building desired directly failed: {e}"))?;
    let expected_fp = fingerprint(&mut expected).await;

    let db = TestDatabase::create().await.map_err(|e| e.to_string())?;
    let mut conn = connect(&db).await;
    create_all(&mut conn, current)
        .await
        .map_err(|e| format!("building current failed: {e}"))?;
    let current_fp = fingerprint(&mut conn).await;
    if let Some(seed) = &data.seed {
        exec(&mut conn, seed.clone())
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
    }
    let script = plan.script();
    apply_up(&mut conn, &plan)
        .await
        .map_err(|e| format!("applying the plan failed: {e}\n--- plan ---\n{script}"))?;
    if let Some(check) = &data.check {
        let ok: bool = sqlx::query_scalar(AssertSqlSafe(check.clone()))
            .fetch_one(&mut conn)
            .await
            .map_err(|e| format!("data check failed to run: {e}\n{check}"))?;
        if !ok {
            return Err(format!(
                "data check is false after the plan: {check}\n--- plan ---\n{script}"
            ));
        }
    }
    let after_up = fingerprint(&mut conn).await;
    if after_up != expected_fp {
        return Err(format!(
            "after the plan the database differs from desired:\n{}\n--- plan ---\n{script}",
            line_diff(&expected_fp, &after_up)
        ));
    }
    apply_down(&mut conn, &plan)
        .await
        .map_err(|e| format!("applying the down steps failed: {e}\n--- plan ---\n{script}"))?;
    let after_down = fingerprint(&mut conn).await;
    if after_down != current_fp {
        return Err(format!(
            "after the down steps the database differs from current:\n{}\n--- plan ---\n{script}",
            line_diff(&current_fp, &after_down)
        ));
    }
    Ok(plan)
}

/// `-expected` / `+actual` lines, for readable failures.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let e: std::collections::BTreeSet<&str> = expected.lines().collect();
    let a: std::collections::BTreeSet<&str> = actual.lines().collect();
    let mut out = String::new();
    for l in e.difference(&a) {
        out.push_str(&format!("- {l}\n"));
    }
    for l in a.difference(&e) {
        out.push_str(&format!("+ {l}\n"));
    }
    out
}

pub fn step_kinds(steps: &[Step]) -> Vec<String> {
    steps.iter().map(|s| s.from.clone()).collect()
}

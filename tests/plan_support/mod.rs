//! The apply check shared by the corpus and the property test, on a real PostgreSQL with
//! pgvector, compared as models (introspection), the way `tidemark push` sees a database:
//! `desired` is built on its own database and introspected (its canonical form, what the shadow
//! database gives `push`); `current` is built on another and introspected; the plan between the
//! two introspected schemas is run with `apply::apply` (push's executor); the database is
//! introspected again and must equal the canonical desired, and a second diff must be empty.
//! Then the down steps run in reverse and the database must equal current again.
#![allow(dead_code)]

use std::fmt::Write as _;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tidemark::connect::DatabaseUrl;
use tidemark::ddl;
use tidemark::diff::diff;
use tidemark::execute::{self, Session, SessionOptions};
use tidemark::introspect::{IntrospectOptions, introspect_connection};
use tidemark::model::Schema;
use tidemark::plan::{Plan, PlanOptions, Step, batches, plan};
use tidemark_test_support::TestDatabase;

/// A session as `push` gets one: the server's default `search_path`. (Pinning it to
/// `pg_catalog`, as the fingerprint check once did, makes `CREATE EXTENSION vector` install the
/// extension into `pg_catalog`, whose types introspection refuses as unknown.)
pub async fn connect(db: &TestDatabase) -> PgConnection {
    PgConnection::connect(db.url()).await.expect("connect")
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
    // Roles are the server's, shared by every test database: create the ones policies name
    // (and leave them, since other tests may use them too).
    tidemark::shadow::create_missing_roles(conn, schema)
        .await
        .map_err(|e| format!("creating roles: {e}"))?;
    let sql = ddl::create_statements(schema)
        .iter()
        .map(|s| format!("{s};\n"))
        .collect::<String>();
    exec(conn, format!("BEGIN;\n{sql}COMMIT;")).await
}

/// The whole database as the model sees it (every non-system schema).
pub async fn introspect(conn: &mut PgConnection) -> Result<Schema, String> {
    introspect_connection(conn, &IntrospectOptions::default())
        .await
        .map(|i| i.schema)
        .map_err(|e| format!("introspection failed: {e}"))
}

/// `schema` built on a fresh database and read back: PostgreSQL's canonical form of it (what
/// the shadow database gives `push`), with the declared renames of `schema` carried over,
/// since they exist only in the spec.
pub async fn canonical(schema: &Schema) -> Result<Schema, String> {
    let db = TestDatabase::create().await.map_err(|e| e.to_string())?;
    let mut conn = connect(&db).await;
    create_all(&mut conn, schema)
        .await
        .map_err(|e| format!("building desired directly failed: {e}"))?;
    let mut read = introspect(&mut conn).await?;
    tidemark::shadow::carry_managed_grants(schema, &mut read);
    for table in &mut read.tables {
        let Some(spec) = schema.table(&table.name) else {
            continue;
        };
        table.renamed_from = spec.renamed_from.clone();
        for column in &mut table.columns {
            column.renamed_from = spec
                .column(&column.name)
                .and_then(|c| c.renamed_from.clone());
        }
    }
    let _ = conn.close().await;
    Ok(read)
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

/// Runs `plan` on `db` with push's executor (its own session, as `push` opens one), and
/// requires a start event for every step.
pub async fn apply_up(db: &TestDatabase, plan: &Plan) -> Result<(), String> {
    let url = DatabaseUrl::parse(db.url()).map_err(|e| e.to_string())?;
    let mut session = Session::open(&url, &SessionOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut started = 0usize;
    let result = execute::apply(&mut session, plan, &mut |e| {
        if matches!(e, execute::ExecEvent::StepStarted { .. }) {
            started += 1;
        }
    })
    .await
    .map(|_| ())
    .map_err(|e| e.to_string());
    let _ = session.close().await;
    result?;
    if started < plan.steps.len() {
        return Err(format!(
            "apply reported {started} step starts for {} steps",
            plan.steps.len()
        ));
    }
    Ok(())
}

/// Runs the down steps of `plan` in reverse, each as its step says (in a transaction with its
/// neighbours, or alone), as a migration's `down.sql` would.
pub async fn apply_down(conn: &mut PgConnection, plan: &Plan) -> Result<(), String> {
    let mut items = Vec::new();
    for s in plan.steps.iter().rev() {
        let Some(down) = s.down_sql() else {
            return Err(format!("step has no down SQL: {}", s.sql()));
        };
        items.push((down, s.down_transactional));
    }
    run(conn, &items).await
}

/// `schema` with what tidemark does not manage taken out of the comparison: column order
/// (added columns go last; tidemark never reorders) and declared renames (spec-only).
pub fn comparable(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    for t in &mut s.tables {
        t.renamed_from = None;
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        for c in &mut t.columns {
            c.renamed_from = None;
        }
    }
    s
}

/// One line per object of `schema` (each column, constraint and index on its own line), so
/// that a mismatch reads as a short list of the objects that differ.
pub fn describe(schema: &Schema) -> String {
    let s = comparable(schema);
    let mut out = String::new();
    for e in &s.extensions {
        let _ = writeln!(out, "{e:?}");
    }
    for n in &s.namespaces {
        let _ = writeln!(out, "{n:?}");
    }
    for e in &s.enums {
        let _ = writeln!(out, "{e:?}");
    }
    for t in &s.tables {
        let name = &t.name;
        let _ = writeln!(
            out,
            "table {name} comment={:?} pk={:?}",
            t.comment, t.primary_key
        );
        for c in &t.columns {
            let _ = writeln!(out, "table {name} {c:?}");
        }
        for u in &t.uniques {
            let _ = writeln!(out, "table {name} {u:?}");
        }
        for c in &t.checks {
            let _ = writeln!(out, "table {name} {c:?}");
        }
        for f in &t.foreign_keys {
            let _ = writeln!(out, "table {name} {f:?}");
        }
        for i in &t.indexes {
            let _ = writeln!(out, "table {name} {i:?}");
        }
    }
    out
}

/// `Ok` when `actual` (read from a database) is `expected` up to [`comparable`]; otherwise the
/// objects that differ and the changes `diff` still finds.
pub fn same_schema(actual: &Schema, expected: &Schema) -> Result<(), String> {
    if comparable(actual) == comparable(expected) {
        return Ok(());
    }
    Err(format!(
        "{}--- diff(actual, expected) ---\n{:#?}",
        line_diff(&describe(expected), &describe(actual)),
        diff(actual, expected)
    ))
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
    let desired_canonical = canonical(desired).await?;
    check_pair_with_data(current, &desired_canonical, options, &Data::default()).await
}

/// [`check_pair`] with seed rows and a check on them after the plan, against a desired schema
/// already in canonical form (see [`canonical`]), so callers checking one pair with several
/// options build it once. Returns the plan that was applied.
pub async fn check_pair_with_data(
    current: &Schema,
    desired_canonical: &Schema,
    options: &PlanOptions,
    data: &Data,
) -> Result<Plan, String> {
    let db = TestDatabase::create().await.map_err(|e| e.to_string())?;
    let mut conn = connect(&db).await;
    create_all(&mut conn, current)
        .await
        .map_err(|e| format!("building current failed: {e}"))?;
    let current_live = introspect(&mut conn)
        .await
        .map_err(|e| format!("reading current back: {e}"))?;
    if !diff(&current_live, &current_live).is_empty() {
        return Err("diff(current, current) is not empty".into());
    }
    if !diff(desired_canonical, desired_canonical).is_empty() {
        return Err("diff(desired, desired) is not empty".into());
    }
    let changes = diff(&current_live, desired_canonical);
    let plan = plan(&current_live, desired_canonical, &changes, options);
    if plan.broken_cycles > 0 {
        return Err(format!(
            "ordering the plan broke {} dependency cycle(s):\n{}",
            plan.broken_cycles,
            plan.script()
        ));
    }
    if let Some(seed) = &data.seed {
        exec(&mut conn, seed.clone())
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
    }
    let script = plan.script();
    apply_up(&db, &plan)
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
    let read = introspect_connection(&mut conn, &IntrospectOptions::default())
        .await
        .map_err(|e| {
            format!("reading the database back after the plan: {e}\n--- plan ---\n{script}")
        })?;
    // Nothing the plan leaves behind is outside the model (a NOT NULL constraint still named
    // after a renamed table, an invalid index, …).
    if !read.unmanaged.is_empty() {
        return Err(format!(
            "after the plan the database holds what the model cannot represent: {:?}\n--- plan ---\n{script}",
            read.unmanaged
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
        ));
    }
    let mut after_up = read.schema;
    // "No grants, managed" leaves nothing in the catalog to read back (as the shadow knows).
    tidemark::shadow::carry_managed_grants(desired_canonical, &mut after_up);
    same_schema(&after_up, desired_canonical).map_err(|e| {
        format!("after the plan the database differs from desired:\n{e}\n--- plan ---\n{script}")
    })?;
    let again = diff(&after_up, desired_canonical);
    if !again.is_empty() {
        return Err(format!(
            "a second diff after the plan is not empty:\n{again:#?}\n--- plan ---\n{script}"
        ));
    }
    apply_down(&mut conn, &plan)
        .await
        .map_err(|e| format!("applying the down steps failed: {e}\n--- plan ---\n{script}"))?;
    let after_down = introspect(&mut conn).await.map_err(|e| {
        format!("reading the database back after the down steps: {e}\n--- plan ---\n{script}")
    })?;
    same_schema(&after_down, &current_live).map_err(|e| {
        format!(
            "after the down steps the database differs from current:\n{e}\n--- plan ---\n{script}"
        )
    })?;
    let _ = conn.close().await;
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

/// One side (`current` or `desired`) of a pair in `tests/pairs/`: a YAML file or a directory.
pub fn load_pair_side(dir: &std::path::Path, side: &str) -> Schema {
    let file = dir.join(format!("{side}.yaml"));
    let path = if file.is_file() { file } else { dir.join(side) };
    match tidemark::spec::load(&path) {
        Ok(l) => l.schema,
        Err(d) => panic!("{} does not load:\n{d:?}", path.display()),
    }
}

/// Every pair of `tests/pairs/` as (name, current, desired), in name order.
pub fn pairs() -> Vec<(String, Schema, Schema)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pairs");
    let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("tests/pairs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                load_pair_side(&d, "current"),
                load_pair_side(&d, "desired"),
            )
        })
        .collect()
}

//! Step `introspect` of the data flow: live database → [`model::Schema`](crate::model::Schema),
//! the counterpart of `spec` (YAML → schema), so that `diff` compares two values of one IR.
//!
//! # Fixed query count
//!
//! The whole database is read with [`CATALOG_QUERIES`] (= 15) catalog queries, whatever the
//! number of tables: extensions, namespaces, enums, sequences, tables, columns, constraints,
//! indexes, views, functions, triggers, policies, domains and composite types, grants, and the
//! inventory of what the model cannot represent (see [`queries`]). They run in one `REPEATABLE READ READ ONLY` transaction, so all of them see one
//! snapshot; around them go 3 housekeeping statements (`BEGIN`, the settings below, `COMMIT`).
//! [`IntrospectStats`] counts what was actually sent, so tests can check that the count does
//! not grow with the schema.
//!
//! # Pinned settings, and why expression texts compare
//!
//! Expressions (defaults, generated columns, checks, index keys and predicates) are stored as
//! PostgreSQL prints them back (`pg_get_expr` & co. in pretty mode), never re-parsed. Those texts
//! depend on session settings, so the transaction pins them (transaction-local, like `SET LOCAL`):
//! - `search_path = public`: `pg_catalog` is implicitly searched first, then `public`; names in
//!   `public` print unqualified (`e::halfvec(768)`, `'draft'::doc_status`, as users write them),
//!   names in every other schema print schema-qualified. The result does not depend on the
//!   user's, role's or database's `search_path`, so two databases with the same objects give the
//!   same texts — in particular a live database and the shadow database built from the spec,
//!   which is how tidemark compares a spec with a live database (catalog to catalog).
//! - `standard_conforming_strings = on`: string literals print as `'a\b'`, never `E'a\\b'`.
//!
//! # Who canonicalises what
//!
//! Introspection produces the catalog's canonical form (documented in [`convert`]): default
//! operator classes are `None`, pgvector option defaults are dropped, `char`/`bit` without a
//! length read back as length 1, `numeric(p,0)` as `numeric(p)`. Expressions are PostgreSQL's
//! own text. The spec side keeps what the user wrote; a spec equals its introspected database
//! when it is written in that canonical form, and otherwise the shadow database comparison
//! (both sides introspected) is the one that is exact. The tests keep a reviewed list of the
//! rewrites PostgreSQL makes to the example spec's expressions
//! (`tests/snapshots/introspect_roundtrip__*.snap`). Operator classes are stored by bare name
//! (`opcname`), also when the extension lives in another schema.
//!
//! # What is read, refused, or left out
//!
//! Read: everything [`Schema`] holds, from ordinary tables that are neither partitions nor
//! inheriting tables, their sequences (serial ones and standalone ones; identity sequences with
//! their column), views and materialized views (with their indexes).
//!
//! Nothing is left out silently. Whatever the model cannot represent is listed in
//! [`Introspection::unmanaged`] (see [`inventory`]): objects of kinds the model does not have
//! (views, functions, triggers, policies, partitioned tables, domains, …), attributes of modelled
//! objects it would lose (`NOT VALID`, collations, storage parameters, grants, …), and tables it
//! has to leave out whole because a column type or an index method has no place in it (domains,
//! `point`, ranges, `interval` with fields, virtual generated columns, …). Objects that belong
//! to an extension are the extension's, and ignored objects (see
//! [`IntrospectOptions::ignore`]) are the user's choice; neither is listed.

pub mod convert;
pub mod inventory;
pub mod queries;

use std::collections::HashSet;

use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Connection, FromRow, PgConnection, PgPool};

use crate::model::{QualifiedName, Schema};
use convert::CatalogRows;
pub use inventory::Unmanaged;

/// The number of catalog queries one introspection sends, independent of the schema's size;
/// exposed so callers (and tests) can hold the implementation to it.
pub const CATALOG_QUERIES: usize = 15;

/// What to read. `Default` reads every non-system schema and ignores nothing.
#[derive(Debug, Clone, Default)]
pub struct IntrospectOptions {
    /// PostgreSQL schemas to read; `None` reads every schema except the system ones. Enums,
    /// tables and namespaces outside these schemas are not read (extensions are database-wide
    /// and always read).
    pub schemas: Option<Vec<String>>,
    /// Name prefix of tidemark's own bookkeeping tables (migration history, locks): tables whose
    /// name starts with it are filtered out by the server and never read.
    pub bookkeeping_prefix: Option<String>,
    /// Simple globs (`*` any run of characters, `?` one character) on qualified names
    /// `schema.name` of tables and enums to leave out; a pattern without a `.` applies to the
    /// `public` schema. Matching objects are dropped before conversion, so an object the model
    /// cannot represent can be left out instead of failing the whole introspection.
    pub ignore: Vec<String>,
}

/// What one introspection sent to the server: the evidence that the query count is fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntrospectStats {
    /// Catalog queries sent; always [`CATALOG_QUERIES`].
    pub catalog_queries: usize,
    /// Every statement sent, catalog queries and transaction housekeeping included.
    pub statements: usize,
}

/// The schema read from a database together with how it was read, so callers can report (and
/// tests can check) the cost of introspection next to its result.
#[derive(Debug, Clone)]
pub struct Introspection {
    /// The database as the model sees it, normalised.
    pub schema: Schema,
    /// What the database holds that the model cannot represent (not ignored), sorted.
    pub unmanaged: Vec<Unmanaged>,
    pub stats: IntrospectStats,
}

/// Why a database could not be read into the model. Messages name the object and end with a
/// `help:` line, since they reach users through the CLI.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// A statement failed (connection lost, permission denied on a catalog, …).
    #[error(
        "reading {step} from the database failed: {source}\nhelp: check the connection and that \
         the user may read the system catalogs"
    )]
    Database {
        step: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// The connection given to [`introspect_connection`] was already inside a transaction, whose
    /// snapshot and settings introspection cannot pin (and must not commit).
    #[error(
        "cannot introspect on a connection that is already inside a transaction\nhelp: pass a \
         connection with no open transaction (introspection opens its own read-only one)"
    )]
    InTransaction,
    /// The catalog rows contradict each other: a bug in tidemark's queries, not in the database.
    #[error(
        "inconsistent catalog rows: {detail}\nhelp: this is a bug in tidemark; please report it"
    )]
    Inconsistent { detail: String },
}

/// Reads the database behind `pool` (one connection, one snapshot) into a normalised schema.
pub async fn introspect(
    pool: &PgPool,
    opts: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    Ok(introspect_with_stats(pool, opts).await?.schema)
}

/// As [`introspect`], also reporting what was sent (for tests and `--verbose` output).
pub async fn introspect_with_stats(
    pool: &PgPool,
    opts: &IntrospectOptions,
) -> Result<Introspection, IntrospectError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(|source| IntrospectError::Database {
            step: "a connection",
            source,
        })?;
    introspect_connection(&mut conn, opts).await
}

/// As [`introspect_with_stats`] on a connection the caller holds (e.g. inside its own session).
/// The connection must not be inside a transaction: introspection opens its own read-only one.
pub async fn introspect_connection(
    conn: &mut PgConnection,
    opts: &IntrospectOptions,
) -> Result<Introspection, IntrospectError> {
    let mut stats = IntrospectStats::default();
    let db = |step: &'static str| move |source| IntrospectError::Database { step, source };
    stats.statements += 1;
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(|e| match e {
            sqlx::Error::InvalidSavePointStatement => IntrospectError::InTransaction,
            // 25001 active_sql_transaction: a transaction sqlx does not track has run queries.
            sqlx::Error::Database(d) if d.code().as_deref() == Some("25001") => {
                IntrospectError::InTransaction
            }
            source => IntrospectError::Database {
                step: "the transaction start",
                source,
            },
        })?;
    stats.statements += 1;
    let (_, _, _, server_version_num, own_snapshot): (String, String, String, i32, bool) =
        sqlx::query_as(queries::SETTINGS)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("the session settings"))?;
    if !own_snapshot {
        // Dropping `tx` rolls back: never commit a transaction someone else opened.
        return Err(IntrospectError::InTransaction);
    }

    let schemas = opts.schemas.clone();
    let prefix = opts.bookkeeping_prefix.clone().filter(|p| !p.is_empty());
    let mut run = Runner {
        tx: &mut tx,
        stats: &mut stats,
        schemas,
        prefix,
        server_version_num,
    };
    let rows = CatalogRows {
        extensions: run.fetch("extensions", queries::EXTENSIONS).await?,
        namespaces: run.fetch("namespaces", queries::NAMESPACES).await?,
        enums: run.fetch("enums", queries::ENUMS).await?,
        sequences: run.fetch("sequences", queries::SEQUENCES).await?,
        tables: run.fetch("tables", queries::TABLES).await?,
        columns: run.fetch("columns", queries::COLUMNS).await?,
        constraints: run.fetch("constraints", queries::CONSTRAINTS).await?,
        indexes: run.fetch("indexes", queries::INDEXES).await?,
        views: run.fetch("views", queries::VIEWS).await?,
        functions: run.fetch("functions", queries::FUNCTIONS).await?,
        triggers: run.fetch("triggers", queries::TRIGGERS).await?,
        policies: run.fetch("policies", queries::POLICIES).await?,
        types: run.fetch("types", queries::TYPES).await?,
        grants: run.fetch("grants", queries::GRANTS).await?,
        inventory: run.fetch("the inventory", queries::INVENTORY).await?,
    };
    stats.statements += 1;
    tx.commit().await.map_err(db("the transaction end"))?;

    let mut rows = rows;
    drop_ignored(&mut rows, &opts.ignore);
    let converted = convert::to_schema(rows)?;
    let unmanaged = converted
        .unmanaged
        .into_iter()
        .filter(|u| !u.is_ignored(&opts.ignore))
        .collect();
    Ok(Introspection {
        schema: converted.schema,
        unmanaged,
        stats,
    })
}

/// Removes ignored tables (with their columns, constraints and indexes), enums and sequences
/// from the rows before conversion, so an ignored object is never interpreted: a table with a
/// column type the model cannot represent becomes readable by ignoring it.
fn drop_ignored(rows: &mut CatalogRows, patterns: &[String]) {
    if patterns.is_empty() {
        return;
    }
    let ignored = |schema: &str, name: &str| {
        let q = QualifiedName::new(schema, name);
        patterns.iter().any(|p| glob_matches_name(p, &q))
    };
    let dropped: HashSet<i64> = rows
        .tables
        .iter()
        .filter(|t| ignored(&t.schema, &t.name))
        .map(|t| t.oid)
        .chain(
            rows.views
                .iter()
                .filter(|v| ignored(&v.schema, &v.name))
                .map(|v| v.oid),
        )
        .collect();
    rows.tables.retain(|t| !dropped.contains(&t.oid));
    rows.columns.retain(|c| !dropped.contains(&c.table_oid));
    rows.constraints.retain(|c| !dropped.contains(&c.table_oid));
    rows.indexes.retain(|i| !dropped.contains(&i.table_oid));
    rows.views.retain(|v| !dropped.contains(&v.oid));
    rows.functions.retain(|f| {
        let full = format!("{}.{}({})", f.schema, f.name, f.identity);
        !ignored(&f.schema, &f.name) && !patterns.iter().any(|p| glob_matches(p, &full))
    });
    rows.triggers.retain(|t| !ignored(&t.schema, &t.table_name));
    rows.policies.retain(|p| !ignored(&p.schema, &p.table_name));
    rows.enums.retain(|e| !ignored(&e.schema, &e.name));
    rows.types.retain(|t| !ignored(&t.schema, &t.name));
    rows.grants.retain(|g| !ignored(&g.schema, &g.name));
    rows.sequences.retain(|s| !ignored(&s.schema, &s.name));
    rows.inventory
        .retain(|r| !Unmanaged::from(r.clone()).is_ignored(patterns));
}

/// Sends catalog queries with the shared parameters, counting each one.
struct Runner<'a, 'c> {
    tx: &'a mut sqlx::Transaction<'c, sqlx::Postgres>,
    stats: &'a mut IntrospectStats,
    schemas: Option<Vec<String>>,
    prefix: Option<String>,
    /// Fills in the queries' version markers ([`queries::for_server`]).
    server_version_num: i32,
}

impl Runner<'_, '_> {
    async fn fetch<T>(
        &mut self,
        step: &'static str,
        query: &'static str,
    ) -> Result<Vec<T>, IntrospectError>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        self.stats.catalog_queries += 1;
        self.stats.statements += 1;
        let sql = queries::for_server(query, self.server_version_num);
        sqlx::query_as::<_, T>(AssertSqlSafe(sql))
            .bind(self.schemas.clone())
            .bind(self.prefix.clone())
            .fetch_all(&mut **self.tx)
            .await
            .map_err(|source| IntrospectError::Database { step, source })
    }
}

/// Whether an ignore pattern matches a qualified name (see [`IntrospectOptions::ignore`]).
pub fn glob_matches_name(pattern: &str, name: &QualifiedName) -> bool {
    let full = format!("{}.{}", name.schema, name.name);
    if pattern.contains('.') {
        glob_matches(pattern, &full)
    } else {
        name.schema == "public" && glob_matches(pattern, &name.name)
    }
}

/// `*` matches any run of characters (also none), `?` exactly one; everything else itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_qualified_names() {
        let q = QualifiedName::new;
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*c", "abbbc"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("a?c", "ac"));
        assert!(!glob_matches("a*d", "abc"));
        assert!(glob_matches("*_tmp", "x_y_tmp"));
        assert!(glob_matches_name("audit_*", &q("public", "audit_log")));
        assert!(!glob_matches_name("audit_*", &q("other", "audit_log")));
        assert!(glob_matches_name("other.*", &q("other", "audit_log")));
        assert!(glob_matches_name("*.audit_log", &q("x", "audit_log")));
        assert!(!glob_matches_name("other.*", &q("public", "t")));
    }
}

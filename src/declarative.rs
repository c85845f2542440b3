//! The declarative path (`tidemark diff` / `push`), composed from the steps: the spec is
//! canonicalised on a shadow database (`shadow`), the live database is read (`introspect`),
//! the two are compared (`diff`) and the differences ordered into SQL (`plan`); `apply` runs it.

use std::collections::BTreeSet;

use sqlx::PgConnection;

use crate::connect;
use crate::diff::{self, Change};
use crate::introspect::{self, IntrospectOptions};
use crate::model::Schema;
use crate::plan::{self, Plan, PlanOptions};
use crate::shadow::{self, ShadowServer};

/// Name prefix of tidemark's own tables in a managed database; never part of the user's schema.
pub const BOOKKEEPING_PREFIX: &str = "tidemark_";

/// Tables of the tooling rather than the schema (sea-orm-migration's history), as ignore globs.
pub const BOOKKEEPING_TABLES: &[&str] = &["*.seaql_migrations"];

/// What `diff`/`push` compare and how.
#[derive(Debug, Clone)]
pub struct DriftOptions {
    pub shadow: ShadowServer,
    pub plan: PlanOptions,
    /// Globs of `schema.name` to leave out on both sides.
    pub ignore: Vec<String>,
}

/// Both sides of the comparison and what it found.
#[derive(Debug, Clone)]
pub struct Drift {
    pub current: Schema,
    pub desired: Schema,
    pub changes: Vec<Change>,
    pub plan: Plan,
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error("could not read the target database")]
    Introspect(#[source] introspect::IntrospectError),
    #[error(transparent)]
    Shadow(#[from] shadow::ShadowError),
    #[error(transparent)]
    Extension(#[from] connect::ConnectError),
}

/// The PostgreSQL schemas a spec manages: `public` plus every schema it names. Only these are
/// read from the target, so objects in other schemas (another app's, an extension's) are never
/// proposed for dropping.
pub fn managed_schemas(spec: &Schema) -> Vec<String> {
    let mut names: BTreeSet<String> = BTreeSet::from(["public".to_string()]);
    names.extend(spec.namespaces.iter().map(|n| n.name.clone()));
    names.extend(spec.enums.iter().map(|e| e.name.schema.clone()));
    names.extend(spec.tables.iter().map(|t| t.name.schema.clone()));
    names.into_iter().collect()
}

/// Introspection options for both sides of a comparison against `spec`.
pub fn introspect_options(spec: &Schema, ignore: &[String]) -> IntrospectOptions {
    IntrospectOptions {
        schemas: Some(managed_schemas(spec)),
        bookkeeping_prefix: Some(BOOKKEEPING_PREFIX.to_string()),
        ignore: ignore
            .iter()
            .cloned()
            .chain(BOOKKEEPING_TABLES.iter().map(|t| t.to_string()))
            .collect(),
    }
}

/// Compares `spec` with the database behind `conn`: every extension the spec needs is checked
/// to be available first (with a fix in the error), then both sides are introspected and
/// diffed, and the plan that takes the database to the spec is built.
pub async fn drift(
    spec: &Schema,
    conn: &mut PgConnection,
    options: &DriftOptions,
) -> Result<Drift, DriftError> {
    for ext in &spec.extensions {
        connect::ensure_extension(conn, &ext.name).await?;
    }
    let read = introspect_options(spec, &options.ignore);
    let mut current = introspect::introspect_connection(conn, &read)
        .await
        .map_err(DriftError::Introspect)?
        .schema;
    let desired = shadow::canonicalize(spec, &options.shadow, &read).await?;
    // Extensions are database-wide and managed servers install their own: only the ones the
    // spec names are managed, so an unlisted one is never dropped.
    current
        .extensions
        .retain(|e| desired.extensions.iter().any(|d| d.name == e.name));
    let changes = diff::diff(&current, &desired);
    let plan = plan::plan(&current, &desired, &changes, &options.plan);
    Ok(Drift {
        current,
        desired,
        changes,
        plan,
    })
}

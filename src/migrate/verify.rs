//! Checking migrations against the spec on a real server, the online counterpart of
//! `migrate new`: `verify` replays every migration on a fresh shadow database and compares the
//! result with the spec canonicalised on the same shadow server; the live-schema check of
//! `status` compares a target database with the snapshot of its newest applied version.
//! Both compare catalog to catalog (see `shadow`), never SQL text.

use std::path::Path;

use sqlx::{Connection, PgConnection};

use super::{MigrateError, RunOptions, Runner, verify_sum};
use crate::connect::{self, ConnectOptions};
use crate::declarative::introspect_options;
use crate::diff::{self, Change};
use crate::introspect;
use crate::model::Schema;
use crate::plan::{self, Plan, PlanOptions};
use crate::shadow::{ShadowError, ShadowHost, ShadowServer};

/// Why a comparison could not be made (as opposed to finding differences).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The directory is malformed or tampered with, or a migration failed on the fresh
    /// database (the error names the file and line).
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    #[error("could not read the replayed database back")]
    Introspect(#[source] introspect::IntrospectError),
}

impl VerifyError {
    /// 1 when the migration directory must be fixed, 3 when the environment failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            VerifyError::Migrate(e) => e.exit_code(),
            _ => 3,
        }
    }
}

/// What replaying the directory produced, compared with the spec.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The versions replayed, in order.
    pub versions: Vec<String>,
    /// The schema the migrations produce, as introspected.
    pub replayed: Schema,
    /// The spec as PostgreSQL stores it.
    pub desired: Schema,
    pub changes: Vec<Change>,
    /// The SQL that would take the replayed schema to the spec: empty when they agree.
    pub plan: Plan,
}

/// Replays every migration of `root` (checksums verified first) on a fresh database of the
/// shadow server, and diffs the result against `spec` canonicalised on that server.
pub async fn verify(
    root: &Path,
    spec: &Schema,
    shadow: &ShadowServer,
) -> Result<Verified, VerifyError> {
    let dir = verify_sum(root)?;
    let host = ShadowHost::start(shadow).await?;
    let db = host.create_database().await?;
    let replayed = async {
        let mut runner =
            Runner::connect(db.url.expose_secret(), dir, RunOptions::default(), |_| {}).await?;
        let applied = runner.apply(None).await;
        let closed = runner.close().await;
        let versions: Vec<String> = applied?.into_iter().map(|a| a.version).collect();
        closed?;
        let mut conn = connect::connect(&db.url, &ConnectOptions::default())
            .await
            .map_err(MigrateError::from)?;
        let schema = read(&mut conn, spec).await;
        let _ = conn.close().await;
        Ok::<_, VerifyError>((versions, schema?))
    }
    .await;
    let dropped = host.drop_database(&db).await;
    let (versions, replayed) = replayed?;
    dropped?;
    let desired = host
        .canonicalize(spec, &introspect_options(spec, &[]))
        .await?;
    let (changes, plan) = compare(&replayed, &desired);
    Ok(Verified {
        versions,
        replayed,
        desired,
        changes,
        plan,
    })
}

/// Reads the database behind `conn` the way a comparison with `spec` needs it.
async fn read(conn: &mut PgConnection, spec: &Schema) -> Result<Schema, VerifyError> {
    let mut schema = introspect::introspect_connection(conn, &introspect_options(spec, &[]))
        .await
        .map_err(VerifyError::Introspect)?
        .schema;
    // As `declarative::drift` does: only the extensions the spec names are managed.
    schema
        .extensions
        .retain(|e| spec.extensions.iter().any(|d| d.name == e.name));
    Ok(schema)
}

fn compare(current: &Schema, desired: &Schema) -> (Vec<Change>, Plan) {
    let changes = diff::diff(current, desired);
    let plan = plan::plan(current, desired, &changes, &PlanOptions::default());
    (changes, plan)
}

/// The live-schema check of `status`: `conn`'s schema against `snapshot` canonicalised on
/// `shadow`; the differences in words, empty when they agree.
pub(crate) async fn live_differences(
    conn: &mut PgConnection,
    snapshot: &Schema,
    shadow: &ShadowServer,
) -> Result<Vec<String>, VerifyError> {
    let live = read(conn, snapshot).await?;
    let host = ShadowHost::start(shadow).await?;
    let desired = host
        .canonicalize(snapshot, &introspect_options(snapshot, &[]))
        .await?;
    let (changes, _) = compare(&live, &desired);
    Ok(changes.iter().map(ToString::to_string).collect())
}

//! Checking migrations against the spec on a real server, the online counterpart of
//! `migrate new`: `verify` replays every migration on a fresh shadow database and compares the
//! result with the spec canonicalised on the same shadow server; the live-schema check of
//! `status` compares a target database with the snapshot of its newest applied version.
//! Both compare catalog to catalog (see `shadow`), never SQL text.

use std::path::Path;

use sqlx::{Connection, PgConnection};

use super::{MigrateError, RunOptions, Runner, verify_sum};
use crate::compare::{self, CompareError, CompareOptions, Comparison, Desired};
use crate::connect::{self, ConnectOptions};
use crate::model::Schema;
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
    #[error(transparent)]
    Compare(#[from] CompareError),
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
    /// The replayed database (`current`) against the spec (`desired`): its plan is the SQL
    /// that would take the replayed schema to the spec, empty when they agree.
    pub comparison: Comparison,
}

/// Replays every migration of `root` (checksums verified first) on a fresh database of the
/// shadow server, and compares the result with `spec` through the one compare pipeline.
pub async fn verify(
    root: &Path,
    spec: Desired<'_>,
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
        let compared = compare::compare(spec, &mut conn, &host, &CompareOptions::default()).await;
        let _ = conn.close().await;
        Ok::<_, VerifyError>((versions, compared?))
    }
    .await;
    let dropped = host.drop_database(&db).await;
    let (versions, comparison) = replayed?;
    dropped?;
    Ok(Verified {
        versions,
        comparison,
    })
}

/// The live-schema check of `status`: `conn`'s schema against `snapshot` canonicalised on
/// `shadow`; the differences in words (changes, then what the snapshot cannot describe), empty
/// when they agree.
pub(crate) async fn live_differences(
    conn: &mut PgConnection,
    snapshot: &Schema,
    shadow: &ShadowServer,
) -> Result<Vec<String>, VerifyError> {
    let host = ShadowHost::start(shadow).await?;
    let compared = compare::compare(
        Desired::schema(snapshot),
        conn,
        &host,
        &CompareOptions::default(),
    )
    .await?;
    let mut out: Vec<String> = compared.changes.iter().map(ToString::to_string).collect();
    out.extend(
        compared
            .unmanaged
            .iter()
            .map(|u| format!("not managed by the spec: {u}")),
    );
    Ok(out)
}

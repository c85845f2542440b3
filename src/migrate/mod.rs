//! The migration runner, last step of the online flow: reads the versioned migration directory
//! (`migration/`), verifies its checksum file, and applies, rolls back and reports migrations
//! against a live database under an advisory lock.
//!
//! # Directory format
//!
//! The directory is a sea-orm-migration crate, so `cargo run -p migration -- up` works on it,
//! plus the SQL it runs and a checksum file:
//!
//! ```text
//! migration/
//!   Cargo.toml
//!   tidemark.sum                         checksums, chained in version order (see below)
//!   src/main.rs                          sea-orm-migration's CLI (hand-written, not generated)
//!   src/lib.rs                           generated from sql/: `mod` lines + `Migrator`
//!   src/m20250101_120000_init.rs         generated: runs sql/<version>/up.sql / down.sql
//!   sql/m20250101_120000_init/up.sql     the migration; users may edit it (then `migrate hash`)
//!   sql/m20250101_120000_init/down.sql   its reverse (optional: without it, down refuses)
//!   sql/m20250101_120000_init/schema.yaml  the spec after this migration (`spec::emit`), which
//!                                        `migrate new` diffs against (optional; see `snapshot`)
//! ```
//!
//! `migrate new` (`author`) writes new folders from the spec diffed offline against the newest
//! snapshot, splitting a plan that mixes transactional and non-transactional steps into
//! consecutive versions (`…_name`, `…_name_2`), only the last of which carries `schema.yaml`.
//! `migrate verify` (`verify`) replays the directory on a shadow database and compares it with
//! the spec; `status --check-schema` compares a live database with its applied snapshot.
//!
//! The `sql/` folders are the source of truth: tidemark's runner reads the SQL files at run time
//! and `lib.rs` plus the per-migration modules are regenerated from them ([`generate_crate`]),
//! never edited in place. A version is the folder name `mYYYYMMDD_HHMMSS_name`, the same string
//! sea-orm records in `seaql_migrations.version`; versions apply in byte order of that name.
//!
//! A migration runs in one transaction together with its history rows, unless a leading comment
//! line of its `up.sql` (or `down.sql`, for that direction) is `-- tidemark:no-transaction`.
//! Such a script runs one statement at a time outside a transaction (`CREATE INDEX
//! CONCURRENTLY`), marked dirty in the history while it runs; its statements must be safe to
//! re-run (`IF NOT EXISTS`), because a run that died among them is repaired by dropping the
//! INVALID indexes it names and running it again.
//!
//! `tidemark.sum` has a first line `total <hex>` and then one line per file under `sql/`, in
//! version order and by file name within a version: `<version>/<file> <content-sha256>
//! <chain-sha256>`, where each chain hash covers the previous chain hash, the path and the
//! content. Two branches that each add a migration therefore conflict in git on the sum file,
//! and an edited, removed, reordered or inserted file is found before any SQL runs
//! ([`verify_sum`]).

mod author;
mod crate_gen;
mod dir;
mod error;
mod runner;
mod snapshot;
mod split;
mod sum;
mod verify;

pub use author::{
    NewOptions, NewOutcome, NewPlan, PlannedMigration, new_migration, plan_new, sanitize_name,
    write_new,
};
pub use crate_gen::{MIGRATION_HEADER, SyncMode, generate_crate, sync_generated};
pub use dir::{Direction, Migration, MigrationDir, NO_TRANSACTION_MARKER, Script};
pub use error::{LockHolder, MigrateError};
pub use runner::{
    Applied, Event, HistoryRow, IndexProgress, LiveSchemaCheck, MigrationState, RunOptions, Runner,
    Status, StatusEntry,
};
pub use snapshot::{
    SNAPSHOT_FILE, latest_snapshot, parse_snapshot, read_snapshot, render_snapshot, without_renames,
};
pub use split::{split_statements, statement_ranges};
pub use sum::{SUM_FILE, SumFile, render_sum, verify_sum};
pub use verify::{Verified, VerifyError, verify};

//! The repository's own `migration/` is current with `schemas/`: the spec has nothing left to
//! migrate against the newest snapshot, `tidemark.sum` verifies, the generated crate files are
//! what the generator writes today, and the newest snapshot loads back to the spec exactly.
//! Offline: no server, like `migrate new` itself.

use std::path::Path;
use std::time::SystemTime;

use tidemark::migrate::{self, NewOptions, SyncMode};
use tidemark::plan::PlanOptions;

fn repo(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

#[test]
fn migration_directory_is_current_with_the_spec() {
    let spec = tidemark::spec::load(&repo("schemas"))
        .unwrap_or_else(|d| panic!("{}", d.render_human()))
        .schema;
    let root = repo("migration");
    let dir = migrate::verify_sum(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !dir.migrations.is_empty(),
        "migration/ holds the example's migrations"
    );

    let planned = migrate::plan_new(
        &root,
        &spec,
        &NewOptions {
            name: "check".into(),
            allow_destructive: false,
            plan: PlanOptions::default(),
            now: SystemTime::now(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        planned.migrations.is_empty(),
        "schemas/ changed since the last migration; run `tidemark migrate new <name>`:\n{}",
        planned.plan.script()
    );

    let stale = migrate::sync_generated(&root, SyncMode::Check).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stale.is_empty(),
        "out of date (run `tidemark migrate hash`): {stale:?}"
    );

    let (version, snapshot) = migrate::latest_snapshot(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        version.as_deref(),
        dir.migrations.last().map(|m| m.version.as_str())
    );
    assert_eq!(snapshot, migrate::without_renames(&spec));
}

//! Compatibility with sea-orm-migration's own runner: the generated crate (a committed fixture,
//! checked current here) applied in-process by sea-orm and by tidemark, each seeing the other's
//! history.

mod migrate_support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use migrate_support::*;
use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::Database;
use tidemark::migrate::{
    Event, MigrationDir, MigrationState, RunOptions, Runner, generate_crate, verify_sum,
};
use tidemark_test_support::TestDatabase;

#[path = "fixtures/migrate_compat/src/lib.rs"]
#[allow(unused_imports)]
#[rustfmt::skip]
mod compat;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/migrate_compat");

#[test]
fn the_fixture_crate_is_what_the_generator_writes() {
    let root = Path::new(FIXTURE);
    let dir = verify_sum(root).unwrap();
    for f in generate_crate(&dir) {
        let on_disk = std::fs::read_to_string(root.join(&f.path)).unwrap();
        assert_eq!(
            on_disk,
            f.contents,
            "{} is stale: run `cargo run -- migrate hash --dir tests/fixtures/migrate_compat`",
            f.path.display()
        );
    }
    let names: Vec<String> = compat::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let versions: Vec<String> = MigrationDir::read(root)
        .unwrap()
        .migrations
        .into_iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(names, versions);
}

#[test]
fn generated_modules_snapshot() {
    let dir = MigrationDir::read(Path::new(FIXTURE)).unwrap();
    let files = generate_crate(&dir);
    let lib = files.iter().find(|f| f.path.ends_with("lib.rs")).unwrap();
    insta::assert_snapshot!("migration_lib_rs", lib.contents);
    let non_tx = files
        .iter()
        .find(|f| f.path.ends_with("m20250201_000002_notes_idx.rs"))
        .unwrap();
    insta::assert_snapshot!("migration_no_transaction_module", non_tx.contents);
}

async fn tidemark_runner(url: &str) -> (Runner, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let r = Runner::connect(
        url,
        verify_sum(Path::new(FIXTURE)).unwrap(),
        RunOptions::default(),
        move |e| sink.lock().unwrap().push(e.clone()),
    )
    .await
    .unwrap();
    (r, events)
}

#[tokio::test]
async fn sea_orm_and_tidemark_share_one_history() {
    let db = TestDatabase::create().await.unwrap();
    let orm = Database::connect(db.url()).await.unwrap();
    // sea-orm applies the first two (the second runs outside a transaction).
    compat::Migrator::up(&orm, Some(2)).await.unwrap();
    assert_eq!(
        seaql_versions(db.pool()).await,
        ["m20250201_000001_notes", "m20250201_000002_notes_idx"]
    );

    let (mut r, events) = tidemark_runner(db.url()).await;
    let pending: Vec<String> = r
        .pending()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(
        pending,
        ["m20250201_000003_notes_body", "m20250201_000004_tags"]
    );
    let done = r.apply(None).await.unwrap();
    assert_eq!(done.len(), 2);
    let adopted: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::Adopted { version } => Some(version.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        adopted,
        ["m20250201_000001_notes", "m20250201_000002_notes_idx"]
    );
    let status = r.status().await.unwrap();
    assert!(
        status
            .migrations
            .iter()
            .all(|e| e.state == MigrationState::Applied),
        "{status:?}"
    );
    r.close().await.unwrap();

    // sea-orm sees tidemark's versions as applied, and rolls back the newest.
    assert!(
        compat::Migrator::get_pending_migrations(&orm)
            .await
            .unwrap()
            .is_empty()
    );
    compat::Migrator::down(&orm, Some(1)).await.unwrap();
    let (mut r, _) = tidemark_runner(db.url()).await;
    let pending: Vec<String> = r
        .pending()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(pending, ["m20250201_000004_tags"]);
    r.apply(None).await.unwrap();
    let tags: bool = sqlx::query_scalar("SELECT to_regclass('tags') IS NOT NULL")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(tags);
    // tidemark rolls back one sea-orm applied, sea-orm sees it pending.
    r.down(Some("m20250201_000001_notes")).await.unwrap();
    r.close().await.unwrap();
    let pending = compat::Migrator::get_pending_migrations(&orm)
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);
    compat::Migrator::up(&orm, None).await.unwrap();
    let indexes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'notes' AND indexname LIKE 'notes_title%'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(indexes, 2);
}

async fn seaql_table_shape(pool: &sqlx::PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
         FROM pg_attribute a WHERE a.attrelid = 'seaql_migrations'::regclass AND a.attnum > 0
         UNION ALL
         SELECT contype::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = 'seaql_migrations'::regclass AND contype <> 'n'
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_history_table_is_created_exactly_as_sea_orm_creates_it() {
    let by_orm = TestDatabase::create().await.unwrap();
    let orm = Database::connect(by_orm.url()).await.unwrap();
    compat::Migrator::install(&orm).await.unwrap();
    let by_tidemark = TestDatabase::create().await.unwrap();
    let (mut r, _) = tidemark_runner(by_tidemark.url()).await;
    r.lock().await.unwrap();
    r.close().await.unwrap();
    let shape = seaql_table_shape(by_orm.pool()).await;
    assert_eq!(shape.len(), 3, "{shape:?}");
    assert_eq!(shape, seaql_table_shape(by_tidemark.pool()).await);
}

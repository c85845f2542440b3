//! The runner on a real server: apply/down/status, the lock, failures located in the file,
//! and checksum tampering caught before any SQL runs.

mod migrate_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use migrate_support::*;
use tidemark::migrate::{
    Direction, Event, MigrateError, MigrationState, RunOptions, Runner, verify_sum,
};
use tidemark_test_support::TestDatabase;

const V1: &str = "m20250101_000001_items";
const V2: &str = "m20250101_000002_items_label";
const V3: &str = "m20250101_000003_items_label_idx";

fn three_migrations(root: &std::path::Path) {
    write_migration(
        root,
        V1,
        "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\nINSERT INTO items VALUES (1, 'one'), (2, 'two');\n",
        Some("DROP TABLE items;\n"),
    );
    write_migration(
        root,
        V2,
        "ALTER TABLE items ADD COLUMN label text;\nUPDATE items SET label = 'x; y';\n",
        Some("ALTER TABLE items DROP COLUMN label;\n"),
    );
    write_migration(
        root,
        V3,
        "-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_label_idx ON items (label);\n",
        Some("-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS items_label_idx;\n"),
    );
    hash(root);
}

async fn runner(url: &str, root: &std::path::Path) -> (Runner, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let dir = verify_sum(root).unwrap();
    let r = Runner::connect(url, dir, RunOptions::default(), move |e| {
        sink.lock().unwrap().push(e.clone())
    })
    .await
    .unwrap();
    (r, events)
}

async fn exists(pool: &sqlx::PgPool, rel: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
        .bind(rel)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn apply_down_and_status_move_between_versions_exactly() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    three_migrations(&root);
    let (mut r, events) = runner(db.url(), &root).await;

    assert_eq!(r.pending().await.unwrap().len(), 3, "nothing applied yet");
    let done = r.apply(Some(V2)).await.unwrap();
    assert_eq!(
        done.iter().map(|a| a.version.as_str()).collect::<Vec<_>>(),
        [V1, V2]
    );
    assert_eq!(seaql_versions(db.pool()).await, [V1, V2]);
    assert!(!exists(db.pool(), "items_label_idx").await);
    let status = r.status().await.unwrap();
    let states: Vec<_> = status.migrations.iter().map(|e| e.state.clone()).collect();
    assert_eq!(
        states,
        [
            MigrationState::Applied,
            MigrationState::Applied,
            MigrationState::Pending
        ]
    );

    let done = r.apply(None).await.unwrap();
    assert_eq!(done.len(), 1);
    assert!(exists(db.pool(), "items_label_idx").await);
    let valid: bool = sqlx::query_scalar(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_label_idx'::regclass",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(valid);
    assert!(
        r.apply(None).await.unwrap().is_empty(),
        "second apply is a no-op"
    );

    // The no-transaction migration ran its statements one by one and was recorded clean.
    let dirty: Option<String> =
        sqlx::query_scalar("SELECT dirty FROM tidemark_migrations WHERE version = $1")
            .bind(V3)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(dirty, None);
    {
        let ev = events.lock().unwrap();
        assert!(ev.iter().any(
            |e| matches!(e, Event::Started { version, transactional: false, .. } if version == V3)
        ));
        assert!(ev.iter().any(|e| matches!(e, Event::LockAcquired { .. })));
    }

    // down: one step by default, then everything after V1, then all.
    let back = r.down(None).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].direction, Direction::Down);
    assert!(!exists(db.pool(), "items_label_idx").await);
    let back = r.down(Some(V1)).await.unwrap();
    assert_eq!(back[0].version, V2);
    let has_label: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'label')",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(!has_label);
    r.down(Some("0")).await.unwrap();
    assert!(!exists(db.pool(), "items").await);
    assert!(seaql_versions(db.pool()).await.is_empty());
    let tm: i64 = sqlx::query_scalar("SELECT count(*) FROM tidemark_migrations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(tm, 0);

    // And up again reaches the same schema.
    r.apply(None).await.unwrap();
    assert!(exists(db.pool(), "items_label_idx").await);
    r.close().await.unwrap();
}

#[tokio::test]
async fn a_failing_statement_rolls_back_and_names_file_line_and_column() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    write_migration(
        &root,
        V1,
        "CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);\nSELECT nosuchcolumn\n  FROM a;\n",
        None,
    );
    hash(&root);
    let (mut r, _) = runner(db.url(), &root).await;
    let err = r.apply(None).await.unwrap_err();
    match &err {
        MigrateError::Statement {
            path, line, column, ..
        } => {
            assert_eq!(path, &std::path::PathBuf::from(format!("sql/{V1}/up.sql")));
            assert_eq!((*line, *column), (4, 8), "{err}");
        }
        other => panic!("expected a statement error, got {other}"),
    }
    assert!(err.to_string().contains("nosuchcolumn"), "{err}");
    // The whole migration rolled back with its history.
    assert!(!exists(db.pool(), "a").await);
    assert!(seaql_versions(db.pool()).await.is_empty());
    // And down of a migration without down.sql is refused with the file to write.
    std::fs::write(
        root.join("sql").join(V1).join("up.sql"),
        "CREATE TABLE a (id int);\n",
    )
    .unwrap();
    hash(&root);
    r.close().await.unwrap();
    let (mut r, _) = runner(db.url(), &root).await;
    r.apply(None).await.unwrap();
    let err = r.down(None).await.unwrap_err();
    assert!(err.to_string().contains("down.sql"), "{err}");
    assert!(exists(db.pool(), "a").await);
}

#[tokio::test]
async fn a_held_lock_times_out_naming_its_holder() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    three_migrations(&root);
    let mut holder = sqlx::PgConnection::connect(db.url()).await.unwrap();
    use sqlx::Connection;
    sqlx::query("SELECT set_config('application_name', 'deploy-7', false)")
        .execute(&mut holder)
        .await
        .unwrap();
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_lock(x'746964656d61726b'::bigint)")
        .execute(&mut holder)
        .await
        .unwrap();
    let dir = verify_sum(&root).unwrap();
    let options = RunOptions {
        lock_wait: Duration::from_millis(600),
        ..RunOptions::default()
    };
    let mut r = Runner::connect(db.url(), dir, options, |_| {})
        .await
        .unwrap();
    let err = r.apply(None).await.unwrap_err();
    match &err {
        MigrateError::LockTimeout {
            holder: Some(h), ..
        } => {
            assert_eq!(h.pid, holder_pid);
            assert_eq!(h.application_name, "deploy-7");
        }
        other => panic!("expected a lock timeout naming the holder, got {other}"),
    }
    assert!(err.to_string().contains("deploy-7"), "{err}");
    assert_eq!(
        public_relations(db.pool()).await,
        0,
        "nothing ran without the lock"
    );
}

#[tokio::test]
async fn history_is_checked_against_the_directory_before_running() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    three_migrations(&root);
    let (mut r, _) = runner(db.url(), &root).await;
    r.apply(Some(V2)).await.unwrap();
    r.close().await.unwrap();

    // Editing an applied migration and re-hashing passes the sum but not the history.
    std::fs::write(
        root.join("sql").join(V2).join("up.sql"),
        "ALTER TABLE items ADD COLUMN label varchar;\n",
    )
    .unwrap();
    hash(&root);
    let (mut r, _) = runner(db.url(), &root).await;
    let err = r.apply(None).await.unwrap_err();
    assert!(matches!(err, MigrateError::History { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("sql/{V2}/up.sql was edited")),
        "{err}"
    );
    assert!(
        !exists(db.pool(), "items_label_idx").await,
        "V3 did not run"
    );
    r.close().await.unwrap();

    // A migration inserted before an applied one is refused.
    three_migrations(&root);
    write_migration(
        &root,
        "m20250101_000001_aaa_late",
        "CREATE TABLE late (id int);\n",
        None,
    );
    hash(&root);
    let (mut r, _) = runner(db.url(), &root).await;
    let err = r.apply(None).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("m20250101_000001_aaa_late is not applied but sorts before"),
        "{err}"
    );
    assert!(!exists(db.pool(), "late").await);
}

/// The four tamper cases through the CLI: exit 1, the file and the fix named, nothing touched.
#[tokio::test]
async fn tampered_directories_are_refused_before_any_sql_runs() {
    let db = TestDatabase::create().await.unwrap();
    type Tamper = fn(&std::path::Path);
    let cases: [(&str, Tamper, &str); 5] = [
        (
            "edited",
            |root| {
                std::fs::write(
                    root.join("sql").join(V2).join("up.sql"),
                    "ALTER TABLE items ADD COLUMN label int;\n",
                )
                .unwrap();
            },
            "sql/m20250101_000002_items_label/up.sql: was edited after tidemark.sum was written",
        ),
        (
            "removed",
            |root| {
                std::fs::remove_dir_all(root.join("sql").join(V2)).unwrap();
            },
            "sql/m20250101_000002_items_label/down.sql: is listed in tidemark.sum but was removed",
        ),
        (
            "reordered",
            |root| {
                std::fs::rename(
                    root.join("sql").join(V3),
                    root.join("sql").join("m20250101_000000_items_label_idx"),
                )
                .unwrap();
            },
            "sql/m20250101_000000_items_label_idx/down.sql: has the contents tidemark.sum lists for sql/m20250101_000003_items_label_idx/down.sql",
        ),
        (
            "inserted",
            |root| {
                write_migration(
                    root,
                    "m20250101_000002_aaa",
                    "CREATE TABLE sneaky (id int);\n",
                    None,
                );
            },
            "sql/m20250101_000002_aaa/up.sql: is not in tidemark.sum: it was inserted before sql/m20250101_000002_items_label/down.sql",
        ),
        (
            "sum lines swapped",
            |root| {
                let p = root.join("tidemark.sum");
                let t = std::fs::read_to_string(&p).unwrap();
                let mut lines: Vec<&str> = t.lines().collect();
                lines.swap(1, 3);
                std::fs::write(&p, lines.join("\n") + "\n").unwrap();
            },
            "tidemark.sum: line 2: the chain is broken",
        ),
    ];
    for (name, tamper, expected) in cases {
        let (_t, root) = temp_dir();
        three_migrations(&root);
        tamper(&root);
        let out = cli_apply(&root, db.url(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out));
        assert!(stderr.contains(expected), "{name}: {}", text(&out));
        assert!(
            stderr.contains("tidemark migrate hash"),
            "{name}: {}",
            text(&out)
        );
        assert_eq!(
            public_relations(db.pool()).await,
            0,
            "{name}: the database was touched"
        );
        // After a deliberate `migrate hash` the same directory applies (the swapped sum is
        // rewritten too).
        let hashed = tidemark(&["migrate", "hash", "--dir", root.to_str().unwrap()]);
        assert_eq!(hashed.status.code(), Some(0), "{}", text(&hashed));
        let check = tidemark(&[
            "migrate",
            "hash",
            "--check",
            "--dir",
            root.to_str().unwrap(),
        ]);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    }
}

#[tokio::test]
async fn cli_dry_run_status_and_json() {
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    three_migrations(&root);
    let dry = cli_apply(&root, db.url(), &["--dry-run", "--to", V2]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        out.contains(&format!("-- {V1}")) && out.contains(&format!("-- {V2}")),
        "{out}"
    );
    assert!(!out.contains(V3), "--to stops: {out}");
    assert!(out.contains("UPDATE items SET label = 'x; y';"), "{out}");
    assert_eq!(
        public_relations(db.pool()).await,
        0,
        "dry run changed nothing"
    );

    let applied = cli_apply(&root, db.url(), &["--format", "json"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let v: serde_json::Value = serde_json::from_slice(&applied.stdout).unwrap();
    assert_eq!(v["applied"].as_array().unwrap().len(), 3);
    assert!(
        applied.stderr.is_empty(),
        "json is quiet: {}",
        text(&applied)
    );

    let status = tidemark(&[
        "migrate",
        "status",
        "--dir",
        root.to_str().unwrap(),
        "--database-url",
        db.url(),
        "--format",
        "json",
    ]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let states: Vec<_> = v["status"]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, ["applied", "applied", "applied"]);
    assert_eq!(v["status"]["live_schema"]["live_schema"], "not_checked");

    let down = tidemark(&[
        "migrate",
        "down",
        "--dir",
        root.to_str().unwrap(),
        "--database-url",
        db.url(),
        "--to",
        V1,
    ]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert_eq!(seaql_versions(db.pool()).await, [V1]);

    let no_url = tidemark(&["migrate", "apply", "--dir", root.to_str().unwrap()]);
    assert_eq!(no_url.status.code(), Some(2), "{}", text(&no_url));
    assert!(String::from_utf8_lossy(&no_url.stderr).contains("DATABASE_URL"));
}

#[tokio::test]
async fn a_migration_behind_a_long_transaction_is_retried_while_reads_keep_flowing() {
    use sqlx::Connection;
    let db = TestDatabase::create().await.unwrap();
    let (_t, root) = temp_dir();
    three_migrations(&root);
    let (mut r, _) = runner(db.url(), &root).await;
    r.apply(Some(V1)).await.unwrap();
    r.close().await.unwrap();

    // A transaction that holds a lock on `items` for 3 s (enough to block ALTER TABLE).
    let mut holder = sqlx::PgConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql("SET application_name = 'tm-holder'; BEGIN; SELECT count(*) FROM items")
        .execute(&mut holder)
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
        holder
    });
    // The application reads all along; a waiting ALTER TABLE queues them behind itself, for at
    // most its lock_timeout at a time.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let url = db.url().to_string();
        tokio::spawn(async move {
            let mut app = sqlx::PgConnection::connect(&url).await.unwrap();
            let (mut longest, mut reads) = (Duration::ZERO, 0u32);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = std::time::Instant::now();
                sqlx::query("SELECT count(*) FROM items")
                    .execute(&mut app)
                    .await
                    .expect("an application read failed");
                longest = longest.max(t.elapsed());
                reads += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (longest, reads)
        })
    };

    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut options = RunOptions::default();
    options.session.lock_timeout = Duration::from_millis(500);
    let mut r = Runner::connect(db.url(), verify_sum(&root).unwrap(), options, move |e| {
        sink.lock().unwrap().push(e.clone())
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let done = r.apply(Some(V2)).await.unwrap();
    let took = started.elapsed();
    r.close().await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (longest, reads) = reader.await.unwrap();
    drop(release.await.unwrap());

    assert_eq!(done.len(), 1);
    assert_eq!(seaql_versions(db.pool()).await, [V1, V2], "recorded once");
    let retries: Vec<(u32, Option<String>)> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::LockRetry {
                attempt, blocker, ..
            } => Some((
                *attempt,
                blocker.as_ref().map(|b| b.application_name.clone()),
            )),
            _ => None,
        })
        .collect();
    assert!(!retries.is_empty(), "no retry event");
    assert_eq!(retries[0].0, 2);
    assert!(
        retries
            .iter()
            .all(|(_, b)| b.as_deref() == Some("tm-holder")),
        "{retries:?}"
    );
    assert!(
        took >= Duration::from_secs(2),
        "it waited for the holder: {took:?}"
    );
    assert!(reads > 20, "{reads} reads");
    // Queued behind one attempt at a time (500 ms each), never behind the whole 3 s wait: the
    // bound is loose so that a slow machine cannot fail it, tight enough that holding the lock
    // request across retries would.
    assert!(
        longest < Duration::from_secs(2),
        "an application read waited {longest:?}: the migration held its lock request across retries"
    );
    println!(
        "migration behind a 3 s transaction: {} retries, {took:?} in all; {reads} reads, the longest {longest:?}",
        retries.len()
    );
}

//! A statement that hits `lock_timeout` behind another session's transaction is retried with
//! growing waits: `push` behind a 2-second transaction succeeds (saying it retried, naming the
//! holder), and behind one that never ends it fails after its attempts, naming the holder, with
//! nothing applied. Real server, real `tidemark` binary.

mod migrate_support;

use std::time::Duration;

use migrate_support::tidemark;
use sqlx::Connection;
use tidemark_test_support::TestDatabase;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const V1: &str = "tables:\n  docs:\n    columns:\n      id: { type: bigint, primary_key: true }\n";
const V2: &str = "tables:\n  docs:\n    columns:\n      id: { type: bigint, primary_key: true }\n      title: text?\n";

/// A session that holds a lock on `docs` (a read in an open transaction: enough to block
/// `ALTER TABLE`) and shows up as `tm-holder`.
async fn hold(db: &TestDatabase) -> sqlx::PgConnection {
    let mut holder = sqlx::PgConnection::connect(db.url()).await.expect("holder");
    sqlx::raw_sql("SET application_name = 'tm-holder'; BEGIN; SELECT count(*) FROM public.docs")
        .execute(&mut holder)
        .await
        .expect("hold");
    holder
}

async fn columns(db: &TestDatabase) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = 'public.docs'::regclass \
         AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    )
    .fetch_all(db.pool())
    .await
    .expect("columns")
}

#[tokio::test]
async fn push_waits_out_a_short_transaction_and_gives_up_on_an_endless_one() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = dir.path().join("v1.yaml");
    let v2 = dir.path().join("v2.yaml");
    std::fs::write(&v1, V1).unwrap();
    std::fs::write(&v2, V2).unwrap();
    let url = db.url().to_string();
    let out = tidemark(&["push", v1.to_str().unwrap(), "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A transaction that ends after 2 s: the push retries and gets through.
    let mut holder = hold(&db).await;
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        sqlx::raw_sql("COMMIT")
            .execute(&mut holder)
            .await
            .expect("commit");
        holder
    });
    let args = [
        "push".to_string(),
        v2.to_str().unwrap().to_string(),
        "--database-url".into(),
        url.clone(),
        "--lock-timeout".into(),
        "300ms".into(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        tidemark(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("lock busy (held by pid "), "{stderr}");
    assert!(stderr.contains("application_name `tm-holder`"), "{stderr}");
    assert!(stderr.contains("; attempt 2 in "), "{stderr}");
    assert_eq!(columns(&db).await, ["id", "title"]);
    drop(release.await.unwrap());

    // A transaction that never ends: three attempts, then a failure naming the holder.
    let out = tidemark(&[
        "push",
        v1.to_str().unwrap(),
        "--database-url",
        &url,
        "--allow-destructive",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let holder = hold(&db).await;
    let args = [
        "push".to_string(),
        v2.to_str().unwrap().to_string(),
        "--database-url".into(),
        url.clone(),
        "--lock-timeout".into(),
        "200ms".into(),
        "--lock-retries".into(),
        "2".into(),
    ];
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        tidemark(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("lock timeout"), "{stderr}");
    assert!(stderr.contains("gave up after 3 attempts in "), "{stderr}");
    assert!(stderr.contains("the lock is held by pid "), "{stderr}");
    assert!(stderr.contains("`tm-holder`"), "{stderr}");
    assert!(stderr.contains("pg_terminate_backend"), "{stderr}");
    assert_eq!(stderr.matches("lock busy").count(), 2, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(holder);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(columns(&db).await, ["id"], "nothing was applied");
}

//! `ensure_vector`/`ensure_extension` against a real server: a present extension reports its
//! versions, a missing one (asked for by a name no server has) and one a managed service has not
//! allow-listed fail with the fix instead of a raw SQL error.

use tidemark::connect::{
    ConnectError, ConnectOptions, DatabaseUrl, connect, ensure_extension, ensure_vector,
};
use tidemark_test_support::TestDatabase;

#[tokio::test]
async fn vector_is_reported_before_and_after_create_extension() {
    let db = TestDatabase::create().await.unwrap();
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let mut conn = connect(&url, &ConnectOptions::default()).await.unwrap();
    let before = ensure_vector(&mut conn).await.unwrap();
    assert!(
        before
            .default_version
            .as_deref()
            .is_some_and(|v| v.starts_with("0.")),
        "{before:?}"
    );
    assert_eq!(before.installed_version, None);
    sqlx::raw_sql("CREATE EXTENSION vector")
        .execute(&mut conn)
        .await
        .unwrap();
    let after = ensure_vector(&mut conn).await.unwrap();
    assert_eq!(after.installed_version, before.default_version);
}

#[tokio::test]
async fn a_missing_extension_says_how_to_fix_it() {
    let db = TestDatabase::create().await.unwrap();
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let mut conn = connect(&url, &ConnectOptions::default()).await.unwrap();
    let err = ensure_extension(&mut conn, "tidemark_no_such_extension")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::ExtensionUnavailable { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "extension `tidemark_no_such_extension` is not available on database `{}` (PostgreSQL ",
            db.name()
        )),
        "{text}"
    );
    assert!(text.contains("\nhelp: install"), "{text}");
    assert!(text.contains("azure.extensions"), "{text}");
    assert!(
        text.contains("CREATE EXTENSION \"tidemark_no_such_extension\""),
        "{text}"
    );
    // The connection is still usable afterwards: the check is read-only.
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

/// Azure Database for PostgreSQL lists allowed extensions in the `azure.extensions` parameter;
/// a placeholder setting of that name behaves the same on any server.
#[tokio::test]
async fn an_extension_missing_from_azure_extensions_is_named() {
    let db = TestDatabase::create().await.unwrap();
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let mut conn = connect(&url, &ConnectOptions::default()).await.unwrap();
    sqlx::raw_sql("SET azure.extensions = 'pg_trgm,hstore'")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = ensure_vector(&mut conn).await.unwrap_err();
    assert!(
        matches!(err, ConnectError::ExtensionNotAllowed { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("extension `vector` is not allow-listed on database `"),
        "{text}"
    );
    assert!(
        text.contains("(azure.extensions = 'pg_trgm,hstore')"),
        "{text}"
    );
    assert!(text.contains("then run CREATE EXTENSION vector"), "{text}");

    sqlx::raw_sql("SET azure.extensions = 'pg_trgm, VECTOR'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(ensure_vector(&mut conn).await.is_ok());
}

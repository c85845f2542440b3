//! `tidemark diff` and `tidemark push` end to end on real servers: the target is a fresh test
//! database, the shadow a throwaway local server that tidemark starts itself.

use std::path::Path;
use std::process::{Command, Output};

use tidemark_test_support::TestDatabase;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn tidemark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(ROOT)
        .env_remove("DATABASE_URL")
        .env("CI", "true")
        .output()
        .expect("run tidemark")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write_spec(dir: &Path, yaml: &str) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("schema.yaml"), yaml).expect("write");
}

const V1: &str = r#"
extensions: { vector: }
enums:
  status: [draft, live]
tables:
  docs:
    columns:
      id:        { type: bigint, identity: always, primary_key: true }
      title:     text
      status:    { type: status, default: draft }
      legacy:    text?
      embedding: vector(3)?
    indexes:
      docs_embedding_idx: { on: embedding, using: hnsw, ops: vector_l2_ops }
"#;

const V2: &str = r#"
extensions: { vector: }
enums:
  status: [draft, review, live]
tables:
  docs:
    columns:
      id:        { type: bigint, identity: always, primary_key: true }
      headline:  { type: text, renamed_from: title }
      status:    { type: status, default: draft, check: "status <> 'review' OR headline <> ''" }
      embedding: vector(3)?
    indexes:
      docs_embedding_idx: { on: embedding, using: hnsw, ops: vector_cosine_ops, with: { m: 8 } }
      docs_status_idx: { on: status, where: "status <> 'live'" }
"#;

#[tokio::test]
async fn push_brings_a_database_to_the_spec_and_diff_then_finds_nothing() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = dir.path().join("v1");
    let v2 = dir.path().join("v2");
    write_spec(&v1, V1);
    write_spec(&v2, V2);
    let (v1, v2) = (v1.to_str().expect("path"), v2.to_str().expect("path"));

    // Empty database → v1: nothing destructive.
    let out = tidemark(&["diff", v1, "--database-url", db.url(), "--exit-code"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("CREATE TABLE \"public\".\"docs\""));
    let out = tidemark(&["push", v1, "--database-url", db.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    sqlx::query("INSERT INTO docs (title, legacy, embedding) VALUES ('a', 'x', '[1,2,3]')")
        .execute(db.pool())
        .await
        .expect("row");
    let out = tidemark(&["diff", v1, "--database-url", db.url(), "--exit-code"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // v1 → v2 drops a column: refused without --allow-destructive, and nothing changes.
    let out = tidemark(&["push", v2, "--database-url", db.url()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--allow-destructive"));
    let out = tidemark(&["diff", v1, "--database-url", db.url(), "--exit-code"]);
    assert_eq!(out.status.code(), Some(0), "refused push changed something");

    // The plan names its hazards; JSON carries the same steps.
    let out = tidemark(&["diff", v2, "--database-url", db.url()]);
    let script = text(&out.stdout);
    assert!(script.contains("-- hazard: data loss"), "{script}");
    assert!(
        script.contains("-- hazard: vector index rebuild"),
        "{script}"
    );
    assert!(
        script.contains("RENAME COLUMN \"title\" TO \"headline\""),
        "{script}"
    );
    let out = tidemark(&["diff", v2, "--database-url", db.url(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json plan");
    assert!(json["steps"].as_array().is_some_and(|s| !s.is_empty()));

    let out = tidemark(&[
        "push",
        v2,
        "--database-url",
        db.url(),
        "--allow-destructive",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = tidemark(&["diff", v2, "--database-url", db.url(), "--exit-code"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "second diff not empty:\n{}",
        text(&out.stdout)
    );
    // The rename kept the row.
    let headline: String = sqlx::query_scalar("SELECT headline FROM docs")
        .fetch_one(db.pool())
        .await
        .expect("row survived");
    assert_eq!(headline, "a");
}

#[tokio::test]
async fn a_spec_postgresql_rejects_is_reported_with_the_object_and_changes_nothing() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    write_spec(
        dir.path(),
        r#"
tables:
  t:
    columns:
      id: { type: bigint, primary_key: true }
      n:  { type: integer, generated: "id + no_such_column" }
"#,
    );
    let out = tidemark(&[
        "push",
        dir.path().to_str().expect("path"),
        "--database-url",
        db.url(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("table public.t"), "{stderr}");
    assert!(stderr.contains("no_such_column"), "{stderr}");
    // Located in the user's file (the table is declared on line 3, column 3), never a line of
    // an internal script.
    assert!(stderr.contains("schema.yaml:3:3"), "{stderr}");
    assert!(!stderr.contains(" at line "), "{stderr}");
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    )
    .fetch_one(db.pool())
    .await
    .expect("count");
    assert_eq!(tables, 0);
}

#[tokio::test]
async fn a_missing_extension_is_explained() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    write_spec(
        dir.path(),
        "extensions: { postgis: }\ntables:\n  t:\n    columns:\n      id: bigint\n",
    );
    let out = tidemark(&[
        "diff",
        dir.path().to_str().expect("path"),
        "--database-url",
        db.url(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("postgis"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

/// A type tidemark has no model of is the server's to check: one the shadow server lacks is
/// reported at its table in the YAML with the extension that provides it; a misspelt one is
/// caught offline with the name it was probably meant to be.
#[tokio::test]
async fn a_type_the_server_lacks_names_its_extension() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    write_spec(
        &spec,
        "tables:\n  t:\n    columns:\n      id: bigint\n      attrs: hstore\n      during: tstzrange\n",
    );
    let path = spec.to_str().expect("utf-8");
    let out = tidemark(&[
        "validate",
        path,
        "--shadow",
        "--shadow-url",
        db.server_url(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("type \"hstore\" does not exist"), "{err}");
    assert!(err.contains("table public.t"), "{err}");
    assert!(err.contains("schema.yaml:2:"), "{err}");
    // ... and at the column's own line.
    assert!(err.contains("spec/schema.yaml:5:7"), "{err}");
    assert!(
        err.contains("help: `hstore` is a type of the extension `hstore`"),
        "{err}"
    );

    write_spec(
        &spec,
        "tables:\n  t:\n    columns:\n      id: bigint\n      email: citxt\n",
    );
    let out = tidemark(&["validate", path]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown type `citxt`"), "{err}");
    assert!(err.contains("schema.yaml:5:"), "{err}");
    assert!(err.contains("did you mean `citext`?"), "{err}");

    // Built-in types the model has no variant of build as written.
    write_spec(
        &spec,
        "tables:\n  t:\n    columns:\n      id: bigint\n      during: tstzrange\n      at: point\n      slots: int4multirange?\n",
    );
    let out = tidemark(&[
        "validate",
        path,
        "--shadow",
        "--shadow-url",
        db.server_url(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `validate --shadow` builds the spec on a scratch database: SQL PostgreSQL rejects inside a
/// view's query is reported with PostgreSQL's message at its line and column in the YAML, as an
/// invalid spec (exit 1); a spec that builds is valid (exit 0).
#[tokio::test]
async fn validate_on_a_shadow_points_into_the_yaml() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    write_spec(
        &spec,
        "tables:\n  documents:\n    columns:\n      id: bigint\n      title: text\nviews:\n  titles:\n    sql: |\n      SELECT id,\n             titel\n      FROM documents\n",
    );
    let path = spec.to_str().expect("utf-8");
    let out = tidemark(&[
        "validate",
        path,
        "--shadow",
        "--shadow-url",
        db.server_url(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("column \"titel\" does not exist"), "{err}");
    assert!(err.contains("view public.titles"), "{err}");
    // Line 10 of the file, column 14: the `titel` under `SELECT id,`.
    assert!(err.contains("schema.yaml:10:14"), "{err}");

    write_spec(
        &spec,
        "tables:\n  documents:\n    columns:\n      id: bigint\n      title: text\nviews:\n  titles:\n    sql: SELECT id, title FROM documents\n",
    );
    let out = tidemark(&[
        "validate",
        path,
        "--shadow",
        "--shadow-url",
        db.server_url(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ok: 1 table, 1 view"));
}

/// The same for a function body: PostgreSQL checks a `language: sql` body when the function is
/// created, and its error position lands on the body's line in the YAML.
#[tokio::test]
async fn validate_on_a_shadow_points_into_a_function_body() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    write_spec(
        &spec,
        "tables:\n  documents:\n    columns:\n      id: bigint\nfunctions:\n  newest:\n    returns: bigint\n    language: sql\n    body: |\n      SELECT max(id)\n      FROM documentz\n",
    );
    let path = spec.to_str().expect("utf-8");
    let out = tidemark(&[
        "validate",
        path,
        "--shadow",
        "--shadow-url",
        db.server_url(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("relation \"documentz\" does not exist"),
        "{err}"
    );
    assert!(err.contains("function public.newest()"), "{err}");
    assert!(err.contains("schema.yaml:11:12"), "{err}");
}

/// A view with `key:` declares its columns for its entity; the shadow checks them against what
/// the query gives, and a wrong type is an invalid spec naming the view and the column.
#[tokio::test]
async fn validate_on_a_shadow_checks_a_keyed_views_columns() {
    let db = TestDatabase::create().await.expect("db");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let view = |title_type: &str| {
        format!(
            "tables:\n  documents:\n    columns:\n      id: bigint\n      title: text\nviews:\n  titles:\n    sql: SELECT id, title FROM documents\n    key: [id]\n    columns:\n      id: {{ type: bigint }}\n      title: {{ type: {title_type} }}\n"
        )
    };
    write_spec(&spec, &view("varchar(20)?"));
    let path = spec.to_str().expect("utf-8");
    let run = || {
        tidemark(&[
            "validate",
            path,
            "--shadow",
            "--shadow-url",
            db.server_url(),
        ])
    };
    let out = run();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("view public.titles"), "{err}");
    assert!(err.contains("schema.yaml:7:3"), "{err}");
    assert!(
        err.contains(
            "column \"title\" is `text` in the query, `character varying(20)` in `columns`"
        ),
        "{err}"
    );
    assert!(
        err.contains("{ id: { type: bigint }, title: { type: text } }"),
        "{err}"
    );

    write_spec(&spec, &view("text?"));
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

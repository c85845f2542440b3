//! Helpers for migration tests: hand-written migration directories in temp folders, the CLI
//! binary, and a catalog fingerprint to compare schemas.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::PgPool;
use tidemark::migrate::{self, MigrationDir, SUM_FILE};

/// Writes `sql/<version>/up.sql` (and `down.sql` when given).
pub fn write_migration(root: &Path, version: &str, up: &str, down: Option<&str>) {
    let dir = root.join("sql").join(version);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("up.sql"), up).unwrap();
    if let Some(down) = down {
        std::fs::write(dir.join("down.sql"), down).unwrap();
    }
}

/// What `tidemark migrate hash` does, in-process: the sum file and the generated crate files.
pub fn hash(root: &Path) {
    std::fs::write(root.join(SUM_FILE), migrate::render_sum(root).unwrap()).unwrap();
    let dir = MigrationDir::read(root).unwrap();
    for f in migrate::generate_crate(&dir) {
        let p = root.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.contents).unwrap();
    }
}

/// Runs the tidemark binary with `args`; `DATABASE_URL` and `CI` are cleared so only the flags
/// count and progress stays off.
pub fn tidemark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("CI", "1")
        .output()
        .unwrap()
}

pub fn cli_apply(root: &Path, url: &str, extra: &[&str]) -> Output {
    let dir = root.to_str().unwrap();
    let mut args = vec!["migrate", "apply", "--dir", dir, "--database-url", url];
    args.extend_from_slice(extra);
    tidemark(&args)
}

pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A temp migration directory.
pub fn temp_dir() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().to_path_buf();
    (t, p)
}

/// Everything a migration can change in `public`, plus the history, as one sorted text: two
/// databases with equal fingerprints have the same schema and the same recorded migrations.
pub async fn fingerprint(pool: &PgPool) -> String {
    sqlx::query_scalar::<_, Option<String>>(
        r#"SELECT string_agg(x, E'\n' ORDER BY x) FROM (
             SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
               AND a.attnum > 0 AND NOT a.attisdropped
             UNION ALL
             SELECT 'idx ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relnamespace = 'public'::regnamespace
             UNION ALL
             SELECT 'ext ' || extname FROM pg_extension
             UNION ALL
             SELECT 'seaql ' || version FROM seaql_migrations
             UNION ALL
             SELECT 'tidemark ' || version || ' ' || checksum || ' ' || coalesce(dirty, 'clean')
             FROM tidemark_migrations
           ) s(x)"#,
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .unwrap_or_default()
}

/// Number of relations in `public`: zero means no SQL of any migration (nor the history
/// tables) touched the database.
pub async fn public_relations(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn seaql_versions(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT version::text FROM seaql_migrations ORDER BY 1")
        .fetch_all(pool)
        .await
        .unwrap()
}

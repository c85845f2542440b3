//! Runs SQL scripts through `psql`, as users apply `tidemark sql` output, so every NOTICE and
//! WARNING the server sends is visible on stderr (sqlx would swallow them into its log).

// Each test binary uses one of the two runners.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use tidemark::localpg::{DiscoveryOptions, find_binaries};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs `script` against `url` with `ON_ERROR_STOP`; returns whether it succeeded, and stderr.
pub fn psql(url: &str, script: &str) -> (bool, String) {
    let install = find_binaries(&DiscoveryOptions::from_env(ROOT)).expect("PostgreSQL binaries");
    let mut child = Command::new(install.program("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn psql");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write script");
    let out = child.wait_with_output().expect("psql output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `script` against `url` one statement at a time over sqlx, as `psql` runs a file (some
/// statements refuse a transaction), without a process per script: for the many setups where
/// the server's notices do not matter. The error names the statement that failed.
pub async fn execute(url: &str, script: &str) -> Result<(), String> {
    use sqlx::{AssertSqlSafe, Connection};
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    for stmt in tidemark::migrate::split_statements(script) {
        sqlx::raw_sql(AssertSqlSafe(stmt.clone()))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("{e}\n  in: {stmt}"))?;
    }
    let _ = conn.close().await;
    Ok(())
}

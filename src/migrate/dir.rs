//! Reading the migration directory, first step of the runner: folder names become versions,
//! SQL files become scripts split into statements, in the order they apply.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::MigrateError;
use super::split::statement_ranges;

/// A leading comment line with this text makes a script run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- tidemark:no-transaction";

/// Which way a script moves the schema; history and events say which one ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// One SQL file of a migration, read and split once so the runner, dry-run and the code
/// generator all see the same statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Path relative to the directory root (`sql/<version>/up.sql`), for messages.
    pub path: PathBuf,
    pub sql: String,
    pub transactional: bool,
    /// Statements with the 1-based line each starts on in the file.
    pub statements: Vec<(usize, String)>,
}

impl Script {
    /// Parses a script's text; `path` is only used in messages.
    pub fn parse(path: PathBuf, sql: String) -> Script {
        let transactional = !sql
            .lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with("--"))
            .any(|l| l == NO_TRANSACTION_MARKER);
        let statements = statement_ranges(&sql)
            .into_iter()
            .map(|r| {
                let line = sql[..r.start].matches('\n').count() + 1;
                (line, sql[r].to_string())
            })
            .collect();
        Script {
            path,
            sql,
            transactional,
            statements,
        }
    }
}

/// One versioned migration as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// `mYYYYMMDD_HHMMSS_name`: the folder name and sea-orm's version string.
    pub version: String,
    pub up: Script,
    /// Without a `down.sql` the migration cannot be rolled back, and `down` says so.
    pub down: Option<Script>,
    /// Hex SHA-256 of `up.sql`, recorded in `tidemark_migrations` when applied, so an edit after
    /// applying is caught against the database too (not only against `tidemark.sum`).
    pub checksum: String,
}

/// The whole directory, in apply order.
#[derive(Debug, Clone)]
pub struct MigrationDir {
    pub root: PathBuf,
    pub migrations: Vec<Migration>,
}

/// Hex SHA-256 of some bytes; the one hash used for files, chains and history checksums.
pub(crate) fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Whether `name` is a version folder name: `m` + `YYYYMMDD_HHMMSS_` + a lowercase snake name.
pub(crate) fn is_version(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 17
        && b[0] == b'm'
        && b[1..9].iter().all(u8::is_ascii_digit)
        && b[9] == b'_'
        && b[10..16].iter().all(u8::is_ascii_digit)
        && b[16] == b'_'
        && b[17..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn read(root: &Path, rel: &Path) -> Result<String, MigrateError> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| MigrateError::Directory {
        path: rel.to_path_buf(),
        message: format!("cannot read: {e}"),
        help: "migration files must be readable UTF-8 text".into(),
    })
}

impl MigrationDir {
    /// Reads `root/sql/*/` without checking `tidemark.sum` (see [`super::verify_sum`]); a
    /// missing `sql/` folder is an empty directory, so a fresh project has nothing to apply.
    pub fn read(root: &Path) -> Result<MigrationDir, MigrateError> {
        let sql_dir = root.join("sql");
        let mut versions = Vec::new();
        if sql_dir.is_dir() {
            let entries = std::fs::read_dir(&sql_dir).map_err(|e| MigrateError::Directory {
                path: sql_dir.clone(),
                message: format!("cannot list: {e}"),
                help: "check the path given with `--dir`".into(),
            })?;
            for entry in entries {
                let entry = entry.map_err(|e| MigrateError::Directory {
                    path: sql_dir.clone(),
                    message: format!("cannot list: {e}"),
                    help: "check the path given with `--dir`".into(),
                })?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                if !entry.path().is_dir() || !is_version(&name) {
                    return Err(MigrateError::Directory {
                        path: PathBuf::from("sql").join(&name),
                        message: "is not a migration folder".into(),
                        help: "each entry of sql/ is a folder named mYYYYMMDD_HHMMSS_name (lowercase, digits, underscores) holding up.sql".into(),
                    });
                }
                versions.push(name);
            }
        }
        versions.sort();
        let mut migrations = Vec::with_capacity(versions.len());
        for version in versions {
            let base = PathBuf::from("sql").join(&version);
            let up_path = base.join("up.sql");
            if !root.join(&up_path).is_file() {
                return Err(MigrateError::Directory {
                    path: base,
                    message: "has no up.sql".into(),
                    help: "a migration folder holds up.sql (and usually down.sql); remove the folder if it is left over".into(),
                });
            }
            let up_sql = read(root, &up_path)?;
            let checksum = sha256_hex(&[up_sql.as_bytes()]);
            let up = Script::parse(up_path, up_sql);
            let down_path = base.join("down.sql");
            let down = if root.join(&down_path).is_file() {
                Some(Script::parse(down_path.clone(), read(root, &down_path)?))
            } else {
                None
            };
            migrations.push(Migration {
                version,
                up,
                down,
                checksum,
            });
        }
        Ok(MigrationDir {
            root: root.to_path_buf(),
            migrations,
        })
    }

    /// Every file under `sql/`, relative to `sql/`, in the order `tidemark.sum` lists them.
    pub(crate) fn sum_files(root: &Path) -> Result<Vec<(String, Vec<u8>)>, MigrateError> {
        let dir = MigrationDir::read(root)?;
        let mut out = Vec::new();
        for m in &dir.migrations {
            let folder = root.join("sql").join(&m.version);
            let mut names: Vec<String> = std::fs::read_dir(&folder)
                .map_err(|e| MigrateError::Directory {
                    path: PathBuf::from("sql").join(&m.version),
                    message: format!("cannot list: {e}"),
                    help: "check the folder's permissions".into(),
                })?
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            names.sort();
            for name in names {
                let rel = PathBuf::from("sql").join(&m.version).join(&name);
                let bytes =
                    std::fs::read(root.join(&rel)).map_err(|e| MigrateError::Directory {
                        path: rel.clone(),
                        message: format!("cannot read: {e}"),
                        help: "migration files must be readable".into(),
                    })?;
                out.push((format!("{}/{}", m.version, name), bytes));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names() {
        assert!(is_version("m20250101_120000_init"));
        assert!(is_version("m20250101_120000_add_docs_2"));
        assert!(!is_version("m20250101_120000_"));
        assert!(!is_version("m2025010_120000_init"));
        assert!(!is_version("m20250101_120000_Init"));
        assert!(!is_version("20250101_120000_init"));
    }

    #[test]
    fn marker_only_counts_in_the_leading_comments() {
        let s = Script::parse(
            "up.sql".into(),
            "-- add an index\n-- tidemark:no-transaction\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n".into(),
        );
        assert!(!s.transactional);
        assert_eq!(
            s.statements,
            vec![(4, "CREATE INDEX CONCURRENTLY i ON t (a)".into())]
        );
        let s = Script::parse(
            "up.sql".into(),
            "CREATE TABLE t (a int);\n-- tidemark:no-transaction\n".into(),
        );
        assert!(s.transactional);
    }
}

//! Writing new migrations (`tidemark migrate new`), the offline path into the migration
//! directory: the spec is diffed against the directory's newest snapshot (no server), and the
//! plan becomes one or more versioned migrations, each with its up, down and snapshot.
//!
//! Decisions:
//! - **Split by transactionality.** A migration runs either in one transaction or statement by
//!   statement outside one, so a plan is cut at every change of [`Plan::batches`]: each group of
//!   transactional steps is one migration, each non-transactional step (`CREATE INDEX
//!   CONCURRENTLY`, `ALTER TYPE … ADD VALUE`) another. The first is `m<ts>_<name>`, the next
//!   `m<ts>_<name>_2`, … (zero-padded past nine parts, so byte order stays apply order).
//! - **Only the last part carries `schema.yaml`.** The state between parts is not a spec anyone
//!   wrote; `migrate new` diffs against the newest snapshot, `status --check-schema` reports
//!   an intermediate part as not checkable, and `verify` compares the end state.
//! - **Non-transactional statements are re-runnable** (`IF NOT EXISTS` / `IF EXISTS`, as the
//!   planner writes them), because the runner repairs a run that died midway by running the
//!   script again. Whether a part runs in a transaction, in each direction, is read from the
//!   steps (`transactional`, `down_transactional`), never from their SQL.
//! - **Irreversible steps** (no down SQL) make `down.sql` a script that raises an error naming
//!   the step, so both tidemark's runner and sea-orm's CLI refuse to roll it back (and roll
//!   back nothing), while the file says why; a user who knows the way back replaces it and runs
//!   `tidemark migrate hash`.
//! - **Destructive steps** ([`HazardKind::DataLoss`], [`HazardKind::VectorDimsChange`]) are
//!   refused unless [`NewOptions::allow_destructive`]; a refusal writes nothing.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::snapshot::{SNAPSHOT_FILE, latest_snapshot, render_snapshot};
use super::{MigrateError, NO_TRANSACTION_MARKER, SyncMode, sync_generated, verify_sum};
use crate::diff;
use crate::model::Schema;
use crate::plan::{self, Hazard, Plan, PlanOptions, Step};

/// What `migrate new` is asked for; an options struct so callers name each choice.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The user's name for the change; sanitised to snake_case for the version.
    pub name: String,
    /// Write migrations with data-loss or vector-dimension hazards.
    pub allow_destructive: bool,
    pub plan: PlanOptions,
    /// The clock reading the version is made from (tests pass their own).
    pub now: SystemTime,
}

/// One migration about to be written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlannedMigration {
    pub version: String,
    pub transactional: bool,
    pub up_sql: String,
    pub down_sql: String,
    /// `schema.yaml`, on the last part only.
    pub snapshot: Option<String>,
    /// Indices into the plan's steps.
    pub steps: Vec<usize>,
}

/// What `migrate new` found and would write.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewPlan {
    /// The version whose snapshot was the current side (`None`: the empty schema).
    pub base: Option<String>,
    pub plan: Plan,
    pub migrations: Vec<PlannedMigration>,
}

/// The result of [`new_migration`].
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NewOutcome {
    /// The spec equals the newest snapshot; nothing was written.
    Unchanged { base: Option<String> },
    /// Destructive steps without permission; nothing was written.
    Refused {
        plan: NewPlan,
        destructive: Vec<Hazard>,
    },
    /// The migrations were written, with the regenerated crate files and `tidemark.sum`.
    Written { plan: NewPlan, files: Vec<PathBuf> },
}

/// The version-name part of `name`: snake_case, ASCII letters, digits and single underscores.
pub fn sanitize_name(name: &str) -> Result<String, MigrateError> {
    let snake = heck::ToSnakeCase::to_snake_case(name);
    let mut out = String::new();
    for c in snake.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        return Err(MigrateError::InvalidName {
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// Plans the migrations that take the directory's newest snapshot to `spec`, without writing.
/// The checksum file is verified first: a tampered directory is not built upon.
pub fn plan_new(root: &Path, spec: &Schema, options: &NewOptions) -> Result<NewPlan, MigrateError> {
    let name = sanitize_name(&options.name)?;
    let dir = verify_sum(root)?;
    let (base, current) = latest_snapshot(&dir)?;
    let changes = diff::diff(&current, spec);
    let plan = plan::plan(&current, spec, &changes, &options.plan);
    if plan.is_empty() {
        return Ok(NewPlan {
            base,
            plan,
            migrations: Vec::new(),
        });
    }
    let batches = plan.batches();
    let newest = dir.migrations.last().map(|m| m.version.as_str());
    let stamp = timestamp(options.now, newest);
    let width = batches.len().to_string().len();
    let snapshot = render_snapshot(spec);
    let count = batches.len();
    let migrations = batches
        .into_iter()
        .enumerate()
        .map(|(i, (transactional, steps))| {
            let version = if i == 0 {
                format!("m{stamp}_{name}")
            } else {
                format!("m{stamp}_{name}_{:0width$}", i + 1)
            };
            let chosen: Vec<&Step> = steps.iter().map(|&s| &plan.steps[s]).collect();
            PlannedMigration {
                up_sql: up_script(&version, base.as_deref(), transactional, &chosen, &plan),
                down_sql: down_script(&version, &chosen, &plan),
                snapshot: (i + 1 == count).then(|| snapshot.clone()),
                version,
                transactional,
                steps,
            }
        })
        .collect();
    Ok(NewPlan {
        base,
        plan,
        migrations,
    })
}

/// Plans and, unless nothing changed or destructive steps are not allowed, writes the new
/// migrations and regenerates the crate files and `tidemark.sum`.
pub fn new_migration(
    root: &Path,
    spec: &Schema,
    options: &NewOptions,
) -> Result<NewOutcome, MigrateError> {
    let planned = plan_new(root, spec, options)?;
    if planned.migrations.is_empty() {
        return Ok(NewOutcome::Unchanged { base: planned.base });
    }
    let destructive: Vec<Hazard> = planned
        .plan
        .steps
        .iter()
        .flat_map(|s| s.hazards.iter())
        .filter(|h| h.kind.is_destructive())
        .cloned()
        .collect();
    if !destructive.is_empty() && !options.allow_destructive {
        return Ok(NewOutcome::Refused {
            plan: planned,
            destructive,
        });
    }
    let files = write_new(root, &planned)?;
    Ok(NewOutcome::Written {
        plan: planned,
        files,
    })
}

/// Writes the planned folders, then the derived files; returns every path written.
pub fn write_new(root: &Path, planned: &NewPlan) -> Result<Vec<PathBuf>, MigrateError> {
    let mut written = Vec::new();
    for m in &planned.migrations {
        let rel = PathBuf::from("sql").join(&m.version);
        let folder = root.join(&rel);
        if folder.exists() {
            return Err(MigrateError::Directory {
                path: rel,
                message: "already exists".into(),
                help: "run `tidemark migrate new` again; it picks the next free second".into(),
            });
        }
        std::fs::create_dir_all(&folder).map_err(|e| write_error(&rel, e))?;
        let mut files = vec![("up.sql", &m.up_sql), ("down.sql", &m.down_sql)];
        if let Some(s) = &m.snapshot {
            files.push((SNAPSHOT_FILE, s));
        }
        for (name, contents) in files {
            let path = folder.join(name);
            std::fs::write(&path, contents).map_err(|e| write_error(&rel.join(name), e))?;
            written.push(path);
        }
    }
    written.extend(sync_generated(root, SyncMode::Write)?);
    Ok(written)
}

fn write_error(rel: &Path, e: std::io::Error) -> MigrateError {
    MigrateError::Directory {
        path: rel.to_path_buf(),
        message: format!("cannot write: {e}"),
        help: "check the directory's permissions".into(),
    }
}

/// The plan's `search_path` as the script's first statement (transaction-local in a
/// transactional script).
fn search_path_line(plan: &Plan, transactional: bool) -> String {
    plan.search_path_statement(transactional)
        .map_or_else(String::new, |set| format!("\n{set};\n"))
}

fn up_script(
    version: &str,
    base: Option<&str>,
    transactional: bool,
    steps: &[&Step],
    plan: &Plan,
) -> String {
    let mut out = String::new();
    if !transactional {
        out.push_str(NO_TRANSACTION_MARKER);
        out.push('\n');
    }
    out.push_str(&format!(
        "-- {version}: written by `tidemark migrate new` from the spec, diffed against {}.\n\
         -- Review it before applying; after editing, run `tidemark migrate hash`.\n",
        base.map_or("the empty schema".to_string(), |b| format!(
            "sql/{b}/{SNAPSHOT_FILE}"
        ))
    ));
    out.push_str(&search_path_line(plan, transactional));
    for step in steps {
        out.push('\n');
        out.push_str(&plan::step_header(step));
        for s in &step.statements {
            out.push_str(s);
            out.push_str(";\n");
        }
    }
    out
}

fn down_script(version: &str, steps: &[&Step], plan: &Plan) -> String {
    let irreversible: Vec<&Step> = steps.iter().copied().filter(|s| s.down.is_none()).collect();
    if !irreversible.is_empty() {
        let mut out = format!(
            "-- {version} cannot be rolled back: these steps have no reverse SQL.\n\
             -- Replace this file with SQL that undoes it, then run `tidemark migrate hash`.\n"
        );
        for s in &irreversible {
            out.push_str(&format!("-- irreversible: {}\n", one_line(&s.from)));
        }
        let message = format!(
            "migration {version} cannot be rolled back: {}",
            irreversible
                .iter()
                .map(|s| one_line(&s.from))
                .collect::<Vec<_>>()
                .join("; ")
        )
        .replace('\'', "''");
        out.push_str(&format!(
            "DO $tidemark$ BEGIN RAISE EXCEPTION '%', '{message}'; END $tidemark$;\n"
        ));
        return out;
    }
    let downs: Vec<(&Step, &Vec<String>)> = steps
        .iter()
        .rev()
        .filter_map(|s| s.down.as_ref().map(|d| (*s, d)))
        .collect();
    let transactional = downs.iter().all(|(s, _)| s.down_transactional);
    let mut out = String::new();
    if !transactional {
        out.push_str(NO_TRANSACTION_MARKER);
        out.push('\n');
    }
    out.push_str(&format!(
        "-- Rolls back {version}: the reverse of each step of up.sql, last step first.\n"
    ));
    out.push_str(&search_path_line(plan, transactional));
    for (step, down) in downs {
        out.push_str(&format!("\n-- undoes: {}\n", one_line(&step.from)));
        for s in down {
            out.push_str(s);
            out.push_str(";\n");
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// `YYYYMMDD_HHMMSS` (UTC) of `now`, or of the second after `newest`'s when that is not
/// earlier, so a new version always sorts after every existing one.
fn timestamp(now: SystemTime, newest: Option<&str>) -> String {
    let mut secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    if let Some(latest) = newest.and_then(version_seconds)
        && latest >= secs
    {
        secs = latest + 1;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}_{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the epoch of a version's `YYYYMMDD_HHMMSS`.
fn version_seconds(version: &str) -> Option<i64> {
    let b = version.get(1..16)?;
    let num = |r: std::ops::Range<usize>| b.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(9..11)?, num(11..13)?, num(13..15)?);
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

// Howard Hinnant's civil-calendar conversions (proleptic Gregorian, UTC).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn names_become_snake_case_version_parts() {
        assert_eq!(sanitize_name("Add Documents").unwrap(), "add_documents");
        assert_eq!(sanitize_name("addHNSW-index!").unwrap(), "add_hnsw_index");
        assert_eq!(
            sanitize_name("  v2 -- émbeddings ").unwrap(),
            "v2_mbeddings"
        );
        assert!(matches!(
            sanitize_name("—!"),
            Err(MigrateError::InvalidName { .. })
        ));
    }

    #[test]
    fn timestamps_are_utc_and_bump_past_the_newest_version() {
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_599); // 2024-12-31 23:59:59
        assert_eq!(timestamp(t, None), "20241231_235959");
        assert_eq!(
            timestamp(t, Some("m20241231_235959_init")),
            "20250101_000000"
        );
        assert_eq!(
            timestamp(t, Some("m20250301_120000_future")),
            "20250301_120001"
        );
        assert_eq!(
            timestamp(t, Some("m20200101_000000_old")),
            "20241231_235959"
        );
        assert_eq!(version_seconds("m20241231_235959_x"), Some(1_735_689_599));
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_825_600), None),
            "20000229_120000"
        );
    }
}

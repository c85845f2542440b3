//! Last step of the declarative path (`tidemark push`): a [`Plan`] executed against a live
//! database. Consecutive transactional steps run in one transaction, so a failure among them
//! leaves the database as it was; non-transactional steps (`CREATE INDEX CONCURRENTLY`, enum
//! labels) run alone, and a failure reports exactly which steps had already been committed.
//! Progress is returned as [`ApplyEvent`]s through a callback; nothing here prints.

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::connect::redact;
use crate::plan::Plan;

/// How a plan is executed.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `lock_timeout` for every statement: a step that would queue behind a long transaction
    /// fails instead of blocking the application's queries behind it.
    pub lock_timeout: Duration,
    /// `statement_timeout` for every statement; `None` leaves the server's setting (index
    /// builds on large tables can take long).
    pub statement_timeout: Option<Duration>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            lock_timeout: Duration::from_secs(10),
            statement_timeout: None,
        }
    }
}

/// Progress of [`apply`], for a terminal or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyEvent {
    /// Step `index` (0-based) is about to run.
    StepStarted { index: usize, total: usize },
    /// A group of steps was committed (`steps` are 0-based indices).
    Committed { steps: Vec<usize> },
}

/// A step that failed, and how much of the plan is in the database.
#[derive(Debug, thiserror::Error)]
#[error(
    "step {} of {total} failed: {message}\n  from: {from}\n  sql: {sql}\n{}",
    index + 1,
    if committed.is_empty() {
        "nothing was changed: the transaction was rolled back".to_string()
    } else {
        format!(
            "steps {} had already been committed; run the command again to finish",
            committed.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ")
        )
    }
)]
pub struct ApplyError {
    pub index: usize,
    pub total: usize,
    pub from: String,
    pub sql: String,
    pub message: String,
    /// Steps already committed before the failure.
    pub committed: Vec<usize>,
}

/// Runs `plan` on `conn` batch by batch (see [`Plan::batches`]). The callback is `Send` so the
/// returned future is too, and a push can run on a spawned task.
pub async fn apply(
    conn: &mut PgConnection,
    plan: &Plan,
    options: &ApplyOptions,
    on_event: &mut (dyn FnMut(ApplyEvent) + Send),
) -> Result<Duration, ApplyError> {
    let started = Instant::now();
    let total = plan.steps.len();
    let mut committed = Vec::new();
    let fail = |index: usize, e: sqlx::Error, committed: &Vec<usize>| ApplyError {
        index,
        total,
        from: plan.steps[index].from.clone(),
        sql: plan.steps[index].sql.clone(),
        message: redact(&e.to_string()),
        committed: committed.clone(),
    };
    let settings = format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        options.lock_timeout.as_millis(),
        options.statement_timeout.map_or(0, |d| d.as_millis())
    );
    if let Some((_, group)) = plan.batches().first() {
        sqlx::raw_sql(AssertSqlSafe(settings.clone()))
            .execute(&mut *conn)
            .await
            .map_err(|e| fail(group[0], e, &committed))?;
    }
    for (transactional, group) in plan.batches() {
        if transactional {
            let mut tx = conn
                .begin()
                .await
                .map_err(|e| fail(group[0], e, &committed))?;
            for &i in &group {
                on_event(ApplyEvent::StepStarted { index: i, total });
                if let Err(e) = sqlx::raw_sql(AssertSqlSafe(plan.steps[i].sql.clone()))
                    .execute(&mut *tx)
                    .await
                {
                    let error = fail(i, e, &committed);
                    let _ = tx.rollback().await;
                    return Err(error);
                }
            }
            tx.commit()
                .await
                .map_err(|e| fail(group[0], e, &committed))?;
        } else {
            for &i in &group {
                on_event(ApplyEvent::StepStarted { index: i, total });
                sqlx::raw_sql(AssertSqlSafe(plan.steps[i].sql.clone()))
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| fail(i, e, &committed))?;
            }
        }
        committed.extend(group.iter().copied());
        on_event(ApplyEvent::Committed { steps: group });
    }
    Ok(started.elapsed())
}

//! Kind `trigger`: diff, plan and SQL for triggers on tables and views.
//!
//! - Matched by table and name; any other difference drops and creates the trigger in one
//!   transaction (the table is never without it for another transaction to see).
//! - A trigger is rebuilt around a change that takes away what it rests on: its function
//!   dropped or rebuilt, its view rebuilt, a column of `UPDATE OF` or `WHEN` retyped, dropped
//!   or renamed (the current trigger names the old name).
//! - Triggers of a dropped table are dropped first, so the table's down step gets them back.
//! - Whether a trigger fires (`enabled`) is changed in place (`ALTER TABLE … ENABLE | DISABLE
//!   TRIGGER`), never by a rebuild; a rebuilt trigger gets its state back in its own step.
//! - A constraint trigger (`CREATE CONSTRAINT TRIGGER`) is created with its deferrability;
//!   PostgreSQL cannot alter that, so a change rebuilds it.

use std::fmt;

use crate::model::{ObjectRef, QualifiedName, Schema, Trigger};
use crate::plan::{Builder, LockLevel};
use crate::sql_ident::{literal, qualified, quote, quote_list};

use super::{Change, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerChange {
    Add(Trigger),
    Drop(Trigger),
    /// Dropped and created again; `reason` says why.
    Replace {
        from: Trigger,
        to: Trigger,
        reason: String,
    },
    AlterComment {
        from: Trigger,
        to: Trigger,
    },
    /// Enabled, disabled, or set to fire on replicas only or always.
    Enable {
        from: Trigger,
        to: Trigger,
    },
}

impl fmt::Display for TriggerChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TriggerChange::Add(t) => write!(f, "add {}", t.object()),
            TriggerChange::Drop(t) => write!(f, "drop {}", t.object()),
            TriggerChange::Replace { to, reason, .. } => {
                write!(f, "replace {} ({reason})", to.object())
            }
            TriggerChange::AlterComment { to, .. } => {
                write!(f, "change comment on {}", to.object())
            }
            TriggerChange::Enable { to, .. } => {
                write!(f, "{} {}", to.enabled.sql().to_lowercase(), to.object())
            }
        }
    }
}

/// The columns a trigger names (`UPDATE OF`, and any in `WHEN`).
fn columns(t: &Trigger) -> Vec<ObjectRef> {
    let mut out: Vec<ObjectRef> = t
        .update_of
        .iter()
        .map(|c| ObjectRef::column(&t.table, c))
        .collect();
    if let Some(w) = &t.when {
        out.extend(
            crate::sql_lex::names(w)
                .into_iter()
                .map(|c| ObjectRef::column(&t.table, &c)),
        );
    }
    out
}

/// What a trigger needs: its relation, its function, its columns.
fn needs(schema: &Schema, t: &Trigger) -> Vec<ObjectRef> {
    let mut out = vec![relation(schema, &t.table)];
    out.extend(super::function::called(schema, &t.function));
    out.extend(columns(t));
    out
}

/// The relation a trigger is on, as plans name it: a view, or a table.
fn relation(schema: &Schema, table: &QualifiedName) -> ObjectRef {
    match schema.view(table) {
        Some(v) => v.object(),
        None => ObjectRef::Table(table.clone()),
    }
}

/// Trigger changes; `others` are every other kind's changes (functions, views, columns).
pub fn diff(current: &Schema, desired: &Schema, others: &[Change], out: &mut Vec<Change>) {
    let taken = super::taken_away(current, others);
    for c in &current.triggers {
        if desired.trigger(&c.table, &c.name).is_none() {
            out.push(Change::Trigger(TriggerChange::Drop(c.clone())));
        }
    }
    for d in &desired.triggers {
        let Some(c) = current.trigger(&d.table, &d.name) else {
            out.push(Change::Trigger(TriggerChange::Add(d.clone())));
            continue;
        };
        let mut same = c.clone();
        same.comment.clone_from(&d.comment);
        same.enabled = d.enabled;
        let reason = super::replace_reason(same != *d, &needs(current, c), &taken);
        if let Some(reason) = reason {
            out.push(Change::Trigger(TriggerChange::Replace {
                from: c.clone(),
                to: d.clone(),
                reason,
            }));
            continue;
        }
        if c.comment != d.comment {
            out.push(Change::Trigger(TriggerChange::AlterComment {
                from: c.clone(),
                to: d.clone(),
            }));
        }
        if c.enabled != d.enabled {
            out.push(Change::Trigger(TriggerChange::Enable {
                from: c.clone(),
                to: d.clone(),
            }));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

/// `CREATE TRIGGER … EXECUTE FUNCTION …`.
pub fn create_sql(t: &Trigger) -> String {
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| match e {
            crate::model::TriggerEvent::Update if !t.update_of.is_empty() => {
                format!("UPDATE OF {}", quote_list(&t.update_of))
            }
            other => other.sql().to_string(),
        })
        .collect();
    let deferrable = t.constraint.map_or("", super::constraint::deferrable_sql);
    let mut sql = format!(
        "CREATE {}TRIGGER {} {} {} ON {}{deferrable} FOR EACH {}",
        if t.constraint.is_some() {
            "CONSTRAINT "
        } else {
            ""
        },
        quote(&t.name),
        t.timing.sql(),
        events.join(" OR "),
        qualified(&t.table),
        if t.for_each_row { "ROW" } else { "STATEMENT" }
    );
    if let Some(w) = &t.when {
        sql.push_str(&format!(" WHEN ({w})"));
    }
    sql.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified(&t.function),
        t.args
            .iter()
            .map(|a| literal(a))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    sql
}

/// `DROP TRIGGER … ON …`.
pub fn drop_sql(t: &Trigger) -> String {
    format!("DROP TRIGGER {} ON {}", quote(&t.name), qualified(&t.table))
}

/// `COMMENT ON TRIGGER … ON …`; `None` removes the comment.
pub fn comment_sql(t: &Trigger, text: Option<&str>) -> String {
    format!(
        "COMMENT ON TRIGGER {} ON {} IS {}",
        quote(&t.name),
        qualified(&t.table),
        comment_text(text)
    )
}

/// `ALTER TABLE … ENABLE | DISABLE [REPLICA | ALWAYS] TRIGGER …`.
pub fn enable_sql(t: &Trigger, state: crate::model::TriggerEnabled) -> String {
    format!(
        "ALTER TABLE {} {} TRIGGER {}",
        qualified(&t.table),
        state.sql(),
        quote(&t.name)
    )
}

fn structure_sql(t: &Trigger) -> Vec<String> {
    let mut out = vec![create_sql(t)];
    if t.enabled != crate::model::TriggerEnabled::Origin {
        out.push(enable_sql(t, t.enabled));
    }
    if let Some(c) = &t.comment {
        out.push(comment_sql(t, Some(c)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &TriggerChange, b: &mut Builder<'_>) {
    match change {
        TriggerChange::Add(t) => plan_add(b, t, None),
        TriggerChange::Drop(t) => {
            plan_drop(b, t);
        }
        TriggerChange::Replace { from, to, .. } => {
            let dropped = plan_drop(b, from);
            plan_add(b, to, Some(dropped));
        }
        TriggerChange::AlterComment { from, to } => {
            let me = to.object();
            b.step(
                &me,
                vec![comment_sql(to, to.comment.as_deref())],
                Some(vec![comment_sql(from, from.comment.as_deref())]),
            )
            .requires([me.clone()]);
        }
        TriggerChange::Enable { from, to } => {
            let me = to.object();
            let on = relation(b.cx.desired, &to.table);
            b.step(
                &me,
                vec![enable_sql(to, to.enabled)],
                Some(vec![enable_sql(from, from.enabled)]),
            )
            .requires([me.clone()])
            .lock(LockLevel::ShareRowExclusive, &on);
        }
    }
}

fn plan_add(b: &mut Builder<'_>, t: &Trigger, after: Option<usize>) {
    let cx = b.cx;
    let me = t.object();
    let on = relation(cx.desired, &t.table);
    let existing = match &on {
        ObjectRef::Table(q) => cx.existing(q) && cx.current.table(q).is_some(),
        _ => false,
    };
    let d = b
        .step(&me, vec![create_sql(t)], Some(vec![drop_sql(t)]))
        .provides([me.clone()])
        .requires(needs(cx.desired, t));
    if existing {
        d.lock(LockLevel::ShareRowExclusive, &on);
    }
    let create = b.last();
    if let Some(a) = after {
        b.order(a, create);
    }
    if t.enabled != crate::model::TriggerEnabled::Origin {
        b.then(
            &me,
            vec![enable_sql(t, t.enabled)],
            Some(vec![enable_sql(t, crate::model::TriggerEnabled::Origin)]),
        )
        .requires([me.clone()]);
    }
    if let Some(c) = &t.comment {
        b.then(
            &me,
            vec![comment_sql(t, Some(c))],
            Some(vec![comment_sql(t, None)]),
        )
        .requires([me.clone()]);
    }
}

fn plan_drop(b: &mut Builder<'_>, t: &Trigger) -> usize {
    let cx = b.cx;
    let me = t.object();
    let on = relation(cx.current, &t.table);
    b.step(&me, vec![drop_sql(t)], Some(structure_sql(t)))
        .removes([me.clone()])
        .releases(needs(cx.current, t))
        .lock(LockLevel::AccessExclusive, &on);
    b.last()
}

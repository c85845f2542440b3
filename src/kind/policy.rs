//! Kind `policy`: row-level security of tables (`ENABLE` / `FORCE`) and their policies.
//!
//! - Enabling, forcing and disabling are `ALTER TABLE … [NO] FORCE | ENABLE | DISABLE ROW LEVEL
//!   SECURITY`; a table whose security is enabled by the plan gets its policies in the same
//!   transaction, so no other session sees the table locked to everyone or open to everyone.
//! - A policy is matched by table and name; any other difference drops and creates it in one
//!   transaction. So does a change that takes away what its expressions read (a column retyped,
//!   dropped or renamed, a function rebuilt): PostgreSQL refuses those under a policy.
//! - Roles are named, not managed: the roles a policy names must exist on the target (the
//!   shadow database creates the missing ones for the comparison).

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{ObjectRef, Policy, QualifiedName, RowSecurity, Schema};
use crate::plan::{Builder, LockLevel};
use crate::sql_ident::{qualified, quote};

use super::{Change, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    /// Row-level security of a table changes (`None`: disabled).
    Security {
        table: QualifiedName,
        from: Option<RowSecurity>,
        to: Option<RowSecurity>,
    },
    Add(Policy),
    Drop(Policy),
    Replace {
        from: Policy,
        to: Policy,
        reason: String,
    },
    AlterComment {
        from: Policy,
        to: Policy,
    },
}

fn state(r: Option<&RowSecurity>) -> &'static str {
    match r {
        None => "disabled",
        Some(r) if r.forced => "enabled and forced",
        Some(_) => "enabled",
    }
}

impl fmt::Display for PolicyChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyChange::Security { table, from, to } => write!(
                f,
                "row-level security of {}: {} → {}",
                ObjectRef::Table(table.clone()),
                state(from.as_ref()),
                state(to.as_ref())
            ),
            PolicyChange::Add(p) => write!(f, "add {}", p.object()),
            PolicyChange::Drop(p) => write!(f, "drop {}", p.object()),
            PolicyChange::Replace { to, reason, .. } => {
                write!(f, "replace {} ({reason})", to.object())
            }
            PolicyChange::AlterComment { to, .. } => {
                write!(f, "change comment on {}", to.object())
            }
        }
    }
}

/// The table's columns a policy's expressions name, and the spec's functions they call.
fn reads(schema: &Schema, p: &Policy) -> Vec<ObjectRef> {
    let mut out = vec![ObjectRef::Table(p.table.clone())];
    for e in p.using.iter().chain(&p.with_check) {
        if let Some(t) = schema.table(&p.table) {
            out.extend(super::column::expression_columns(t, e));
        }
        out.extend(super::function::calls_in(e, &schema.functions));
    }
    out
}

/// Policy and row-level security changes. `others` are the changes of every other kind.
pub fn diff(current: &Schema, desired: &Schema, others: &[Change], out: &mut Vec<Change>) {
    let tables: BTreeSet<&QualifiedName> = current
        .row_security
        .iter()
        .chain(&desired.row_security)
        .map(|r| &r.table)
        .collect();
    for table in tables {
        let from = current.row_security.iter().find(|r| &r.table == table);
        let to = desired.row_security.iter().find(|r| &r.table == table);
        // A dropped table's security is disabled first, so the way back enables it again.
        if from != to {
            out.push(Change::Policy(PolicyChange::Security {
                table: table.clone(),
                from: from.cloned(),
                to: to.cloned(),
            }));
        }
    }
    let taken = super::taken_away(current, others);
    for c in &current.policies {
        if !desired
            .policies
            .iter()
            .any(|d| d.table == c.table && d.name == c.name)
        {
            out.push(Change::Policy(PolicyChange::Drop(c.clone())));
        }
    }
    for d in &desired.policies {
        let Some(c) = current
            .policies
            .iter()
            .find(|c| c.table == d.table && c.name == d.name)
        else {
            out.push(Change::Policy(PolicyChange::Add(d.clone())));
            continue;
        };
        let mut same = c.clone();
        same.comment.clone_from(&d.comment);
        let reason = super::replace_reason(same != *d, &reads(current, c), &taken);
        if let Some(reason) = reason {
            out.push(Change::Policy(PolicyChange::Replace {
                from: c.clone(),
                to: d.clone(),
                reason,
            }));
        } else if c.comment != d.comment {
            out.push(Change::Policy(PolicyChange::AlterComment {
                from: c.clone(),
                to: d.clone(),
            }));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

/// `CREATE POLICY … ON … AS … FOR … TO … USING (…) WITH CHECK (…)`.
pub fn create_sql(p: &Policy) -> String {
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote(&p.name),
        qualified(&p.table),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command.sql(),
        if p.roles.is_empty() {
            "PUBLIC".to_string()
        } else {
            p.roles
                .iter()
                .map(|r| role(r))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    sql
}

/// A role name in SQL; the special ones are words, not names.
fn role(r: &str) -> String {
    match r {
        "current_user" | "current_role" | "session_user" => r.to_ascii_uppercase(),
        _ => quote(r),
    }
}

pub fn drop_sql(p: &Policy) -> String {
    format!("DROP POLICY {} ON {}", quote(&p.name), qualified(&p.table))
}

pub fn comment_sql(p: &Policy, text: Option<&str>) -> String {
    format!(
        "COMMENT ON POLICY {} ON {} IS {}",
        quote(&p.name),
        qualified(&p.table),
        comment_text(text)
    )
}

/// The statements taking a table's row-level security from `from` to `to`.
pub fn security_sql(
    table: &QualifiedName,
    from: Option<&RowSecurity>,
    to: Option<&RowSecurity>,
) -> Vec<String> {
    let t = qualified(table);
    let mut out = Vec::new();
    match (from, to) {
        (None, Some(_)) => out.push(format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")),
        (Some(_), None) => out.push(format!("ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")),
        _ => {}
    }
    let forced = |r: Option<&RowSecurity>| r.is_some_and(|r| r.forced);
    match (forced(from), forced(to)) {
        (false, true) => out.push(format!("ALTER TABLE {t} FORCE ROW LEVEL SECURITY")),
        (true, false) => out.push(format!("ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")),
        _ => {}
    }
    out
}

fn structure_sql(p: &Policy) -> Vec<String> {
    let mut out = vec![create_sql(p)];
    if let Some(c) = &p.comment {
        out.push(comment_sql(p, Some(c)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &PolicyChange, b: &mut Builder<'_>) {
    match change {
        PolicyChange::Security { table, from, to } => {
            let me = ObjectRef::RowSecurity(table.clone());
            let existing = b.cx.existing(table);
            let d = b
                .step(
                    &me,
                    security_sql(table, from.as_ref(), to.as_ref()),
                    Some(security_sql(table, to.as_ref(), from.as_ref())),
                )
                .requires([ObjectRef::Table(table.clone())])
                .provides([me.clone()]);
            if to.is_none() {
                // Before the table goes, if it goes.
                d.releases([ObjectRef::Table(table.clone())]);
            }
            if existing {
                d.lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
            }
        }
        PolicyChange::Add(p) => plan_add(b, p, None),
        PolicyChange::Drop(p) => {
            plan_drop(b, p);
        }
        PolicyChange::Replace { from, to, .. } => {
            let dropped = plan_drop(b, from);
            plan_add(b, to, Some(dropped));
        }
        PolicyChange::AlterComment { from, to } => {
            let me = to.object();
            b.step(
                &me,
                vec![comment_sql(to, to.comment.as_deref())],
                Some(vec![comment_sql(from, from.comment.as_deref())]),
            )
            .requires([me.clone()]);
        }
    }
}

fn plan_add(b: &mut Builder<'_>, p: &Policy, after: Option<usize>) {
    let cx = b.cx;
    let me = p.object();
    let d = b
        .step(&me, vec![create_sql(p)], Some(vec![drop_sql(p)]))
        .provides([me.clone()])
        .requires(reads(cx.desired, p));
    if cx.existing(&p.table) && cx.current.table(&p.table).is_some() {
        d.lock(
            LockLevel::AccessExclusive,
            &ObjectRef::Table(p.table.clone()),
        );
    }
    let create = b.last();
    if let Some(a) = after {
        b.order(a, create);
    }
    if let Some(c) = &p.comment {
        b.then(
            &me,
            vec![comment_sql(p, Some(c))],
            Some(vec![comment_sql(p, None)]),
        )
        .requires([me.clone()]);
    }
}

fn plan_drop(b: &mut Builder<'_>, p: &Policy) -> usize {
    let cx = b.cx;
    let me = p.object();
    b.step(&me, vec![drop_sql(p)], Some(structure_sql(p)))
        .removes([me.clone()])
        .releases(reads(cx.current, p))
        .lock(
            LockLevel::AccessExclusive,
            &ObjectRef::Table(p.table.clone()),
        );
    b.last()
}

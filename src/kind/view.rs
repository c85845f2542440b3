//! Kind `view`: diff, plan and SQL for views and materialized views.
//!
//! - Views compare by the query PostgreSQL stores (both sides come from the catalog when a
//!   database is compared), their options, comments and column comments.
//! - **`CREATE OR REPLACE VIEW`** keeps a view (and what depends on it) when PostgreSQL allows
//!   it: the current columns stay, with the same names and types, in the same places, and new
//!   ones come at the end. Where the types are not known (a spec diffed with a migration
//!   snapshot, offline) only an unchanged query counts as compatible. Its down step is the
//!   reverse `CREATE OR REPLACE`, or, when columns were added (which no `CREATE OR REPLACE`
//!   can remove), a drop and create; a view that gains columns while other views read it is
//!   therefore rebuilt with them instead.
//! - Otherwise the view is **rebuilt**: dropped and created again, and with it every view that
//!   reads it. A view is also rebuilt when something it reads is taken away from under it: a
//!   column that is retyped, dropped or replaced, a table that is dropped, an enum that is
//!   rebuilt (PostgreSQL refuses those changes while a view depends on them). The drop runs
//!   before that change, the creation after it, in one transaction.
//! - A view reading a table or column that is **renamed** is rebuilt too, although PostgreSQL
//!   would follow the rename: the spec's query names the new names and the current one the
//!   old, and only a drop before the rename (and a creation after it) keeps both directions of
//!   the plan valid.
//! - A materialized view's changed query is a rebuild that recomputes its rows
//!   ([`HazardKind::BlockingLock`]): its indexes are created again. Its indexes are otherwise
//!   ordinary `index` changes whose table is the materialized view.
//! - `with_data` toggles are `REFRESH MATERIALIZED VIEW [WITH NO DATA]`.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{ObjectRef, QualifiedName, Schema, Table, View};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::qualified;

use super::{Change, column, comment_text, index};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewChange {
    Add(View),
    Drop(View),
    /// The query or options changed and PostgreSQL can replace the view in place.
    Replace {
        from: View,
        to: View,
    },
    /// Dropped and created again; `reason` says why, for the plan's `from:` line.
    Rebuild {
        from: View,
        to: View,
        reason: String,
    },
    /// Comments, storage parameters or `with_data` changed.
    Alter {
        from: View,
        to: View,
    },
}

fn kind_word(v: &View) -> &'static str {
    if v.materialized {
        "materialized view"
    } else {
        "view"
    }
}

fn show(v: &View) -> String {
    format!(
        "{} {}.{}",
        kind_word(v),
        crate::sql_ident::display(&v.name.schema),
        crate::sql_ident::display(&v.name.name)
    )
}

impl fmt::Display for ViewChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewChange::Add(v) => write!(f, "add {}", show(v)),
            ViewChange::Drop(v) => write!(f, "drop {}", show(v)),
            ViewChange::Replace { to, .. } => write!(f, "replace {} (query changed)", show(to)),
            ViewChange::Rebuild { to, reason, .. } => {
                write!(f, "rebuild {} ({reason})", show(to))
            }
            ViewChange::Alter { from, to } => {
                let mut what = Vec::new();
                if from.comment != to.comment {
                    what.push("comment");
                }
                if column_comments(from) != column_comments(to) {
                    what.push("column comments");
                }
                if from.storage != to.storage {
                    what.push("storage parameters");
                }
                if from.with_data != to.with_data {
                    what.push("with_data");
                }
                write!(f, "alter {} ({})", show(to), what.join(", "))
            }
        }
    }
}

fn column_comments(v: &View) -> Vec<(&str, &str)> {
    v.columns
        .iter()
        .filter_map(|c| c.comment.as_deref().map(|t| (c.name.as_str(), t)))
        .collect()
}

/// Whether `CREATE OR REPLACE VIEW` can take `from` to `to`: same kind of view, and either
/// the same query, or every current column kept in its place with its name and type (both
/// known).
fn replaceable(from: &View, to: &View) -> bool {
    if from.materialized || to.materialized {
        return false;
    }
    if from.query == to.query {
        return true;
    }
    let known = |v: &View| !v.columns.is_empty() && v.columns.iter().all(|c| c.ty.is_some());
    known(from)
        && known(to)
        && from.columns.len() <= to.columns.len()
        && from
            .columns
            .iter()
            .zip(&to.columns)
            .all(|(a, b)| a.name == b.name && a.ty == b.ty)
}

/// Whether anything but comments, storage and `with_data` differs (what a replace or a rebuild
/// is for).
fn definition_differs(from: &View, to: &View) -> bool {
    let types = |v: &View| {
        v.columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect::<Vec<_>>()
    };
    from.query != to.query
        || from.security_invoker != to.security_invoker
        || from.security_barrier != to.security_barrier
        || from.check_option != to.check_option
        || (from.columns.iter().all(|c| c.ty.is_some())
            && to.columns.iter().all(|c| c.ty.is_some())
            && types(from) != types(to))
}

/// View changes. `current` has the plan's renames applied; `others` are the changes of every
/// other kind, which decide the views that must be rebuilt around them.
pub fn diff(current: &Schema, desired: &Schema, others: &[Change], out: &mut Vec<Change>) {
    let disturbed = super::taken_away(current, others);
    // Views to rebuild, with the reason; grown to a fixed point over views reading views.
    let mut rebuild: Vec<(QualifiedName, String)> = Vec::new();
    for d in &desired.views {
        let Some(c) = current.view(&d.name) else {
            continue;
        };
        if c.materialized != d.materialized {
            rebuild.push((d.name.clone(), "it changes kind".into()));
        } else if c.materialized && definition_differs(c, d) {
            rebuild.push((d.name.clone(), "its query changed".into()));
        } else if let Some((o, verb)) = c
            .depends_on
            .iter()
            .find_map(|o| disturbed.get(o).map(|v| (o, v)))
        {
            rebuild.push((d.name.clone(), format!("it reads {o}, which {verb}")));
        } else if definition_differs(c, d) && !replaceable(c, d) {
            rebuild.push((
                d.name.clone(),
                "its columns change in a way CREATE OR REPLACE cannot make".into(),
            ));
        } else if definition_differs(c, d)
            && d.columns.len() > c.columns.len()
            && desired
                .views
                .iter()
                .any(|o| o.depends_on.contains(&d.object()))
        {
            // The way back drops the new columns, which only a drop and create can do, and
            // the views reading this one would be in the way then.
            rebuild.push((
                d.name.clone(),
                "it gains columns and other views read it".into(),
            ));
        }
    }
    loop {
        let before = rebuild.len();
        for d in &desired.views {
            let Some(c) = current.view(&d.name) else {
                continue;
            };
            if rebuild.iter().any(|(n, _)| n == &d.name) {
                continue;
            }
            let reads = c.depends_on.iter().find_map(|o| match o {
                ObjectRef::View(v) if rebuild.iter().any(|(n, _)| n == v) => Some(v),
                _ => None,
            });
            if let Some(v) = reads {
                rebuild.push((
                    d.name.clone(),
                    format!("it reads {}, which is rebuilt", ObjectRef::View(v.clone())),
                ));
            }
        }
        if rebuild.len() == before {
            break;
        }
    }

    for c in &current.views {
        if desired.view(&c.name).is_none() {
            out.push(Change::View(ViewChange::Drop(c.clone())));
        }
    }
    for d in &desired.views {
        let Some(c) = current.view(&d.name) else {
            out.push(Change::View(ViewChange::Add(d.clone())));
            continue;
        };
        if let Some((_, reason)) = rebuild.iter().find(|(n, _)| n == &d.name) {
            out.push(Change::View(ViewChange::Rebuild {
                from: c.clone(),
                to: d.clone(),
                reason: reason.clone(),
            }));
            continue;
        }
        if definition_differs(c, d) {
            out.push(Change::View(ViewChange::Replace {
                from: c.clone(),
                to: d.clone(),
            }));
        }
        if c.comment != d.comment
            || column_comments(c) != column_comments(d)
            || c.storage != d.storage
            || c.with_data != d.with_data
        {
            out.push(Change::View(ViewChange::Alter {
                from: c.clone(),
                to: d.clone(),
            }));
        }
        if c.materialized {
            index::diff(&as_table(c), &as_table(d), out);
        }
    }
}

/// A materialized view as the table its indexes are on, for the `index` kind.
fn as_table(v: &View) -> Table {
    let mut t = Table::named(v.name.clone());
    t.indexes = v.indexes.clone();
    t
}

// ---------------------------------------------------------------------------------------------
// SQL

fn options_list(v: &View) -> Vec<String> {
    if v.materialized {
        return v
            .storage
            .iter()
            .map(|(k, val)| format!("{k}={val}"))
            .collect();
    }
    let mut out = Vec::new();
    if let Some(c) = v.check_option {
        out.push(format!("check_option={}", c.sql()));
    }
    if v.security_barrier {
        out.push("security_barrier=true".into());
    }
    if v.security_invoker {
        out.push("security_invoker=true".into());
    }
    out
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW … [WITH (…)] AS query [WITH NO DATA]`.
pub fn create_sql(v: &View, or_replace: bool) -> String {
    let options = options_list(v);
    let with = if options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", options.join(", "))
    };
    format!(
        "CREATE {}{} {}{with} AS\n{}{}",
        if or_replace { "OR REPLACE " } else { "" },
        if v.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        qualified(&v.name),
        v.query,
        if v.materialized && !v.with_data {
            "\nWITH NO DATA"
        } else {
            ""
        }
    )
}

/// `DROP [MATERIALIZED] VIEW`.
pub fn drop_sql(v: &View) -> String {
    format!(
        "DROP {} {}",
        if v.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        qualified(&v.name)
    )
}

/// `COMMENT ON [MATERIALIZED] VIEW`; `None` removes the comment.
pub fn comment_sql(v: &View, text: Option<&str>) -> String {
    format!(
        "COMMENT ON {} {} IS {}",
        if v.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        qualified(&v.name),
        comment_text(text)
    )
}

/// `REFRESH MATERIALIZED VIEW [WITH NO DATA]`.
fn refresh_sql(v: &View, with_data: bool) -> String {
    format!(
        "REFRESH MATERIALIZED VIEW {}{}",
        qualified(&v.name),
        if with_data { "" } else { " WITH NO DATA" }
    )
}

/// Everything that creates `v` as it is: the view, its comment and column comments, and (for
/// a materialized view) its indexes with their comments. The down of a drop.
pub fn structure_sql(v: &View) -> Vec<String> {
    let mut out = vec![create_sql(v, false)];
    if let Some(c) = &v.comment {
        out.push(comment_sql(v, Some(c)));
    }
    for (col, text) in column_comments(v) {
        out.push(column::comment_sql(&v.name, col, Some(text)));
    }
    for i in &v.indexes {
        out.push(index::create_sql(&v.name, i, index::Build::Plain));
        if let Some(c) = &i.comment {
            out.push(index::comment_sql(&v.name, &i.name, Some(c)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

/// What a view's steps stand for: the view, and for a materialized view the relation its
/// indexes are on.
fn own_objects(v: &View) -> Vec<ObjectRef> {
    let mut out = vec![v.object()];
    if v.materialized {
        out.push(ObjectRef::Table(v.name.clone()));
    }
    out
}

/// The objects a view reads, as dependencies: its own relation is never one.
fn reads(v: &View) -> Vec<ObjectRef> {
    v.depends_on
        .iter()
        .filter(|o| **o != v.object() && **o != ObjectRef::Table(v.name.clone()))
        .cloned()
        .collect()
}

pub(crate) fn plan(change: &ViewChange, b: &mut Builder<'_>) {
    match change {
        ViewChange::Add(v) => plan_add(b, v, None),
        ViewChange::Drop(v) => {
            let back = super::grant::regrant_sql(b.cx.current, &v.object());
            plan_drop(b, v, back);
        }
        ViewChange::Rebuild { from, to, .. } => {
            let (up, down) = super::grant::rebuild_sql(b, &from.object(), &to.object());
            let dropped = plan_drop(b, from, down);
            plan_add(b, to, Some((dropped, up)));
        }
        ViewChange::Replace { from, to } => {
            let me = to.object();
            // CREATE OR REPLACE cannot remove the columns it added: the way back is a drop
            // and create (the diff made sure no other view reads this one then).
            let down = if to.columns.len() > from.columns.len() {
                let mut back = vec![drop_sql(to)];
                back.extend(structure_sql(from));
                back
            } else {
                vec![create_sql(from, true)]
            };
            b.step(&me, vec![create_sql(to, true)], Some(down))
                .removes([me.clone()])
                .provides([me.clone()])
                .releases(reads(from))
                .requires(reads(to))
                .lock(LockLevel::AccessExclusive, &me);
        }
        ViewChange::Alter { from, to } => plan_alter(b, from, to),
    }
}

/// Creates `v`, then its comments and indexes; a rebuild passes its drop step, to come after,
/// and the grants to give back with the create.
fn plan_add(b: &mut Builder<'_>, v: &View, rebuild: Option<(usize, Vec<String>)>) {
    let me = v.object();
    let (after, grants) = rebuild.map_or((None, Vec::new()), |(a, g)| (Some(a), g));
    let mut up = vec![create_sql(v, false)];
    up.extend(grants);
    let d = b
        .step(&me, up, Some(vec![drop_sql(v)]))
        .provides(own_objects(v))
        .requires(reads(v));
    if v.materialized && after.is_some() {
        d.hazard(
            HazardKind::BlockingLock,
            format!(
                "{} is dropped and created again: its query runs over all its data, and readers of the view wait for the transaction"
                , show(v)
            ),
        );
    }
    let create = b.last();
    if let Some(a) = after {
        b.order(a, create);
    }
    if let Some(c) = &v.comment {
        b.step(
            &me,
            vec![comment_sql(v, Some(c))],
            Some(vec![comment_sql(v, None)]),
        )
        .requires([me.clone()]);
        let at = b.last();
        b.order(create, at);
    }
    for (col, text) in column_comments(v) {
        b.step(
            &me,
            vec![column::comment_sql(&v.name, col, Some(text))],
            Some(vec![column::comment_sql(&v.name, col, None)]),
        )
        .requires([me.clone()]);
        let at = b.last();
        b.order(create, at);
    }
    for i in &v.indexes {
        index::plan_add(b, &v.name, i);
        let at = b.last();
        b.order(create, at);
    }
}

/// Drops `v` (its indexes go with it), and on the way back creates it with `grants`; returns
/// the step's index.
fn plan_drop(b: &mut Builder<'_>, v: &View, grants: Vec<String>) -> usize {
    let me = v.object();
    let mut removed = own_objects(v);
    removed.extend(v.indexes.iter().map(|i| ObjectRef::index(&v.name, &i.name)));
    let mut down = structure_sql(v);
    down.extend(grants);
    b.step(&me, vec![drop_sql(v)], Some(down))
        .removes(removed)
        .releases(reads(v))
        .lock(LockLevel::AccessExclusive, &me);
    b.last()
}

fn plan_alter(b: &mut Builder<'_>, from: &View, to: &View) {
    let me = to.object();
    if from.comment != to.comment {
        b.then(
            &me,
            vec![comment_sql(to, to.comment.as_deref())],
            Some(vec![comment_sql(from, from.comment.as_deref())]),
        )
        .requires([me.clone()]);
    }
    let old = column_comments(from);
    let new = column_comments(to);
    let names: BTreeSet<&str> = old.iter().chain(&new).map(|(n, _)| *n).collect();
    for name in names {
        let was = old.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        let is = new.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        if was != is {
            b.then(
                &me,
                vec![column::comment_sql(&to.name, name, is)],
                Some(vec![column::comment_sql(&to.name, name, was)]),
            )
            .requires([me.clone()]);
        }
    }
    if from.storage != to.storage {
        b.then(
            &me,
            super::storage_change_sql("MATERIALIZED VIEW", &to.name, &from.storage, &to.storage),
            Some(super::storage_change_sql(
                "MATERIALIZED VIEW",
                &to.name,
                &to.storage,
                &from.storage,
            )),
        )
        .requires([me.clone()])
        .lock(LockLevel::AccessExclusive, &me);
    }
    if from.with_data != to.with_data {
        let d = b
            .then(
                &me,
                vec![refresh_sql(to, to.with_data)],
                Some(vec![refresh_sql(to, from.with_data)]),
            )
            .requires([me.clone()])
            .lock(LockLevel::AccessExclusive, &me);
        if to.with_data {
            d.hazard(
                HazardKind::BlockingLock,
                format!(
                    "populating {} runs its query over all its data while readers wait",
                    show(to)
                ),
            );
        }
    }
}

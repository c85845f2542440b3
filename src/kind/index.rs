//! Kind `index` (indexes that do not back a constraint): diff, plan and SQL.
//!
//! - Matched by name; the same definition (comment aside) under another name is a rename.
//! - **Replacement** (same name, other definition) builds the new index under a temporary
//!   name, drops the old one and renames the new one, so the table is never without it; a
//!   vector index rebuilt this way carries [`HazardKind::VectorIndexRebuild`] (`ALTER INDEX …
//!   SET` would only edit the catalog).
//! - With [`PlanOptions::concurrent_indexes`](crate::plan::PlanOptions), indexes of existing
//!   tables are built and dropped `CONCURRENTLY`, as re-runnable non-transactional steps.
//!   Indexes of new tables are always built plainly (the table is empty).
//! - The operator class is written whenever the model names one; for vector indexes the model
//!   always names it (introspection keeps it even when it is the server's default).

use std::fmt;

use crate::model::{
    Index, IndexKey, IndexOptions, IndexTarget, NullsOrder, ObjectRef, QualifiedName, SortOrder,
    Table,
};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::{literal, qualified, quote, quote_list};

use super::{Change, column, comment_text, temporary_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChange {
    Add {
        table: QualifiedName,
        index: Index,
    },
    Drop {
        table: QualifiedName,
        index: Index,
    },
    /// Same name, different definition: built anew, then swapped in.
    Replace {
        table: QualifiedName,
        from: Index,
        to: Index,
    },
    Rename {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AlterComment {
        table: QualifiedName,
        index: String,
        from: Option<String>,
        to: Option<String>,
    },
}

impl fmt::Display for IndexChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ix = ObjectRef::index;
        match self {
            IndexChange::Add { table, index } => write!(f, "add {}", ix(table, &index.name)),
            IndexChange::Drop { table, index } => write!(f, "drop {}", ix(table, &index.name)),
            IndexChange::Replace { table, to, .. } => {
                write!(f, "replace {} (definition changed)", ix(table, &to.name))
            }
            IndexChange::Rename { table, from, to } => write!(
                f,
                "rename {} to {}",
                ix(table, from),
                crate::sql_ident::display(to)
            ),
            IndexChange::AlterComment { table, index, .. } => {
                write!(f, "change comment on {}", ix(table, index))
            }
        }
    }
}

fn same_definition(a: &Index, b: &Index) -> bool {
    let mut a = a.clone();
    a.name = b.name.clone();
    a.comment = b.comment.clone();
    a == *b
}

/// Index changes of a table that exists on both sides (after renames).
pub fn diff(current: &Table, desired: &Table, out: &mut Vec<Change>) {
    let name = &desired.name;
    let mut dropped: Vec<&Index> = current
        .indexes
        .iter()
        .filter(|i| !desired.indexes.iter().any(|d| d.name == i.name))
        .collect();
    let mut added: Vec<&Index> = desired
        .indexes
        .iter()
        .filter(|d| !current.indexes.iter().any(|i| i.name == d.name))
        .collect();
    let mut renamed = Vec::new();
    dropped.retain(|c| {
        if let Some(pos) = added.iter().position(|d| same_definition(c, d)) {
            let d = added.remove(pos);
            renamed.push((*c, d));
            false
        } else {
            true
        }
    });
    for (c, d) in renamed {
        out.push(Change::Index(IndexChange::Rename {
            table: name.clone(),
            from: c.name.clone(),
            to: d.name.clone(),
        }));
        if c.comment != d.comment {
            out.push(Change::Index(IndexChange::AlterComment {
                table: name.clone(),
                index: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            }));
        }
    }
    for c in dropped {
        out.push(Change::Index(IndexChange::Drop {
            table: name.clone(),
            index: c.clone(),
        }));
    }
    for d in added {
        out.push(Change::Index(IndexChange::Add {
            table: name.clone(),
            index: d.clone(),
        }));
    }
    for d in &desired.indexes {
        let Some(c) = current.indexes.iter().find(|c| c.name == d.name) else {
            continue;
        };
        if !same_definition(c, d) {
            out.push(Change::Index(IndexChange::Replace {
                table: name.clone(),
                from: c.clone(),
                to: d.clone(),
            }));
        } else if c.comment != d.comment {
            out.push(Change::Index(IndexChange::AlterComment {
                table: name.clone(),
                index: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            }));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

/// How an index is built or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// In a transaction, under a lock that blocks writes (`CREATE INDEX`).
    Plain,
    /// `CONCURRENTLY`, outside a transaction, written re-runnable (`IF [NOT] EXISTS`).
    Concurrent,
}

/// One index key: `"col"` or `(expr)`, then `"opclass"`, `DESC`, `NULLS FIRST|LAST`, in the
/// order PostgreSQL's grammar requires.
pub fn key_sql(key: &IndexKey) -> String {
    let mut sql = match &key.target {
        IndexTarget::Column(c) => quote(c),
        IndexTarget::Expr(e) => format!("({e})"),
    };
    if let Some(c) = &key.collation {
        sql.push_str(" COLLATE ");
        sql.push_str(&super::column::collation_sql(c));
    }
    if let Some(opclass) = &key.opclass {
        sql.push(' ');
        sql.push_str(&quote(opclass));
        if !key.opclass_params.is_empty() {
            sql.push_str(&format!(" ({})", options_sql(&key.opclass_params)));
        }
    }
    if key.order == SortOrder::Desc {
        sql.push_str(" DESC");
    }
    match key.nulls {
        Some(NullsOrder::First) => sql.push_str(" NULLS FIRST"),
        Some(NullsOrder::Last) => sql.push_str(" NULLS LAST"),
        None => {}
    }
    sql
}

/// A storage parameter value: numbers bare, anything else a quoted literal (PostgreSQL parses
/// `'on'`, `'0.5'` and `'auto'` alike), so no value is ever read as SQL.
pub fn option_value_sql(value: &str) -> String {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let is_number = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()));
    if is_number {
        value.to_string()
    } else {
        literal(value)
    }
}

/// A storage parameter name: bare when it is a plain lower-case word (`m`, `ef_construction`),
/// quoted otherwise.
fn option_name_sql(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain { name.to_string() } else { quote(name) }
}

/// `name = value, …`: the inside of an index's `WITH (…)` or of an operator class's
/// parameters.
pub fn options_sql(options: &IndexOptions) -> String {
    options
        .iter()
        .map(|(k, v)| format!("{} = {}", option_name_sql(k), option_value_sql(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY IF NOT EXISTS] "name" ON "s"."t" USING method (keys)
/// [INCLUDE (…)] [NULLS NOT DISTINCT] [WITH (…)] [WHERE …]`.
pub fn create_sql(table: &QualifiedName, index: &Index, build: Build) -> String {
    let keys = index
        .keys
        .iter()
        .map(key_sql)
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "CREATE {}INDEX {}{} ON {} USING {} ({keys})",
        if index.unique { "UNIQUE " } else { "" },
        if build == Build::Concurrent {
            "CONCURRENTLY IF NOT EXISTS "
        } else {
            ""
        },
        quote(&index.name),
        qualified(table),
        index.method.name()
    );
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", quote_list(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !index.options.is_empty() {
        sql.push_str(&format!(" WITH ({})", options_sql(&index.options)));
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE {predicate}"));
    }
    sql
}

/// `DROP INDEX [CONCURRENTLY IF EXISTS] "s"."name"`: an index is named in its table's schema.
pub fn drop_sql(table: &QualifiedName, name: &str, build: Build) -> String {
    format!(
        "DROP INDEX {}{}",
        if build == Build::Concurrent {
            "CONCURRENTLY IF EXISTS "
        } else {
            ""
        },
        qualified(&QualifiedName::new(&table.schema, name))
    )
}

/// `ALTER INDEX "s"."from" RENAME TO "to"`.
pub fn rename_sql(table: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER INDEX {} RENAME TO {}",
        qualified(&QualifiedName::new(&table.schema, from)),
        quote(to)
    )
}

/// `COMMENT ON INDEX`; `None` removes the comment.
pub fn comment_sql(table: &QualifiedName, index: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON INDEX {} IS {}",
        qualified(&QualifiedName::new(&table.schema, index)),
        comment_text(text)
    )
}

/// A name for the replacement index while the old one still exists: `<name>_tmnew`, cut to
/// PostgreSQL's 63-byte identifier limit on a character boundary.
pub fn temporary_index_name(name: &str) -> String {
    temporary_name(name, "_tmnew")
}

/// The columns of `table` an index reads (keys, expressions, `INCLUDE`, predicate).
pub fn dependencies(table: Option<&Table>, name: &QualifiedName, index: &Index) -> Vec<ObjectRef> {
    let mut out = Vec::new();
    for k in &index.keys {
        match &k.target {
            IndexTarget::Column(c) => out.push(ObjectRef::column(name, c)),
            IndexTarget::Expr(e) => {
                if let Some(t) = table {
                    out.extend(column::expression_columns(t, e));
                }
            }
        }
    }
    out.extend(index.include.iter().map(|c| ObjectRef::column(name, c)));
    if let (Some(p), Some(t)) = (&index.predicate, table) {
        out.extend(column::expression_columns(t, p));
    }
    out
}

/// The spec's functions `index`'s expressions and predicate call: created before the index,
/// and dropped only after it.
pub fn function_calls(schema: &crate::model::Schema, index: &Index) -> Vec<ObjectRef> {
    expressions(index)
        .flat_map(|e| super::function::calls_in(e, &schema.functions))
        .collect()
}

/// The SQL texts of an index: its key expressions and its predicate.
pub fn expressions(index: &Index) -> impl Iterator<Item = &str> {
    index
        .keys
        .iter()
        .filter_map(|k| match &k.target {
            IndexTarget::Expr(e) => Some(e.as_str()),
            IndexTarget::Column(_) => None,
        })
        .chain(index.predicate.as_deref())
}

/// Why an index must be rebuilt, in words, for the vector rebuild hazard.
fn differences(from: &Index, to: &Index) -> Vec<&'static str> {
    let mut out = Vec::new();
    if from.method != to.method {
        out.push("method");
    }
    let opclasses = |i: &Index| i.keys.iter().map(|k| k.opclass.clone()).collect::<Vec<_>>();
    let targets = |i: &Index| i.keys.iter().map(|k| k.target.clone()).collect::<Vec<_>>();
    if opclasses(from) != opclasses(to) {
        out.push("operator class");
    }
    if targets(from) != targets(to) {
        out.push("key or expression");
    }
    for opt in ["m", "ef_construction", "lists"] {
        if from.options.effective(opt) != to.options.effective(opt) {
            out.push(opt);
        }
    }
    if from.predicate != to.predicate {
        out.push("predicate");
    }
    if out.is_empty() {
        out.push("definition");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &IndexChange, b: &mut Builder<'_>) {
    match change {
        IndexChange::Add { table, index } => plan_add(b, table, index),
        IndexChange::Drop { table, index } => plan_drop(b, table, index),
        IndexChange::Replace { table, from, to } => plan_replace(b, table, from, to),
        IndexChange::Rename { table, from, to } => {
            let me = ObjectRef::index(table, to);
            b.step(
                &me,
                vec![rename_sql(table, from, to)],
                Some(vec![rename_sql(table, to, from)]),
            )
            .removes([ObjectRef::index(table, from)])
            .provides([me.clone()])
            .is_rename();
        }
        IndexChange::AlterComment {
            table,
            index,
            from,
            to,
        } => {
            let me = ObjectRef::index(table, index);
            b.step(
                &me,
                vec![comment_sql(table, index, to.as_deref())],
                Some(vec![comment_sql(table, index, from.as_deref())]),
            )
            .requires([me.clone()]);
        }
    }
}

/// Whether `table` is partitioned (on either side): PostgreSQL builds and drops a partitioned
/// table's indexes only in the blocking form.
fn partitioned(b: &Builder<'_>, table: &QualifiedName) -> bool {
    [b.cx.desired, &b.cx.renamed]
        .iter()
        .any(|s| s.table(table).is_some_and(|t| t.partition_by.is_some()))
}

fn build_for(b: &Builder<'_>, table: &QualifiedName) -> Build {
    if b.cx.existing(table) && b.cx.options.concurrent_indexes && !partitioned(b, table) {
        Build::Concurrent
    } else {
        Build::Plain
    }
}

/// Builds one index (its table's creation calls this too), then its comment.
pub(crate) fn plan_add(b: &mut Builder<'_>, table: &QualifiedName, index: &Index) {
    let cx = b.cx;
    let existing = cx.existing(table);
    let build = build_for(b, table);
    let is_partitioned = partitioned(b, table);
    let me = ObjectRef::index(table, &index.name);
    let d = b
        .step(
            &me,
            vec![create_sql(table, index, build)],
            Some(vec![drop_sql(table, &index.name, build)]),
        )
        .provides([me.clone()])
        .requires(dependencies(cx.desired.table(table), table, index))
        .requires(function_calls(cx.desired, index));
    if build == Build::Concurrent {
        d.non_transactional().lock(
            LockLevel::ShareUpdateExclusive,
            &ObjectRef::Table(table.clone()),
        );
    } else if existing {
        let message = if is_partitioned {
            format!(
                "building {me} blocks writes to every partition for the whole build (PostgreSQL builds a partitioned table's index only this way)"
            )
        } else {
            format!(
                "building {me} blocks writes to the table for the whole build; plan with concurrent indexes to avoid it"
            )
        };
        d.lock(LockLevel::Share, &ObjectRef::Table(table.clone()))
            .hazard(HazardKind::BlockingLock, message);
    }
    if let Some(c) = &index.comment {
        b.then(
            &me,
            vec![comment_sql(table, &index.name, Some(c))],
            Some(vec![comment_sql(table, &index.name, None)]),
        )
        .requires([me.clone()]);
    }
}

/// Drops `index`; with a comment and concurrent builds, the comment is cleared in a step of
/// its own first, so each down step stays a single statement that can run outside a
/// transaction.
fn plan_drop(b: &mut Builder<'_>, table: &QualifiedName, index: &Index) {
    let cx = b.cx;
    let build = build_for(b, table);
    let me = ObjectRef::index(table, &index.name);
    let mut releases = dependencies(cx.renamed.table(table), table, index);
    releases.extend(function_calls(&cx.renamed, index));
    if build == Build::Concurrent {
        if let Some(c) = &index.comment {
            // The old index's comment: the step needs the table, not the index's new form.
            b.then(
                &me,
                vec![comment_sql(table, &index.name, None)],
                Some(vec![comment_sql(table, &index.name, Some(c))]),
            )
            .requires([ObjectRef::Table(table.clone())]);
        }
        b.then(
            &me,
            vec![drop_sql(table, &index.name, build)],
            Some(vec![create_sql(table, index, build)]),
        )
        .non_transactional()
        .removes([me.clone()])
        .releases(releases)
        .lock(
            LockLevel::ShareUpdateExclusive,
            &ObjectRef::Table(table.clone()),
        );
    } else {
        let mut down = vec![create_sql(table, index, build)];
        if let Some(c) = &index.comment {
            down.push(comment_sql(table, &index.name, Some(c)));
        }
        b.then(&me, vec![drop_sql(table, &index.name, build)], Some(down))
            .removes([me.clone()])
            .releases(releases)
            .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
    }
}

fn plan_replace(b: &mut Builder<'_>, table: &QualifiedName, from: &Index, to: &Index) {
    let cx = b.cx;
    let build = build_for(b, table);
    let what = ObjectRef::index(table, &to.name);
    // An index over a column this plan retypes cannot be built before the old one is dropped
    // (the type change waits for the drop, the new index for the type change): drop, then
    // build, with the table briefly without the index.
    let retyped = dependencies(cx.desired.table(table), table, to)
        .iter()
        .any(|o| match o {
            ObjectRef::Column { table: t, column } => {
                let old = cx.renamed.table(t).and_then(|x| x.column(column));
                let new = cx.desired.table(t).and_then(|x| x.column(column));
                matches!((old, new), (Some(a), Some(b)) if a.ty != b.ty)
            }
            _ => false,
        });
    if retyped {
        plan_drop(b, table, from);
        let dropped = b.last();
        plan_add(b, table, to);
        let first = dropped + 1;
        b.order(dropped, first);
        if from.method.is_vector() || to.method.is_vector() {
            b.hazard_on(
                first,
                HazardKind::VectorIndexRebuild,
                format!(
                    "{what} is dropped before its column's type change and built again after it ({} changed); vector index builds are slow on large tables",
                    differences(from, to).join(", ")
                ),
            );
        }
        return;
    }
    let tmp_name = temporary_index_name(&to.name);
    let mut tmp = to.clone();
    tmp.name = tmp_name.clone();
    let tmp_ref = ObjectRef::index(table, &tmp_name);
    let d = b
        .step(
            &what,
            vec![create_sql(table, &tmp, build)],
            Some(vec![drop_sql(table, &tmp_name, build)]),
        )
        .provides([tmp_ref.clone()])
        .requires(dependencies(cx.desired.table(table), table, to));
    if from.method.is_vector() || to.method.is_vector() {
        d.hazard(
            HazardKind::VectorIndexRebuild,
            format!(
                "{what} is rebuilt from scratch ({} changed); vector index builds are slow on large tables, and ALTER INDEX … SET would only edit the catalog",
                differences(from, to).join(", ")
            ),
        );
    }
    if build == Build::Concurrent {
        d.non_transactional().lock(
            LockLevel::ShareUpdateExclusive,
            &ObjectRef::Table(table.clone()),
        );
    } else {
        d.lock(LockLevel::Share, &ObjectRef::Table(table.clone()))
            .hazard(
                HazardKind::BlockingLock,
                format!(
                    "building the new {what} blocks writes to the table for the whole build; plan with concurrent indexes to avoid it"
                ),
            );
    }
    let built = b.last();
    plan_drop(b, table, from);
    let dropped = b.last();
    b.step(
        &what,
        vec![rename_sql(table, &tmp_name, &to.name)],
        Some(vec![rename_sql(table, &to.name, &tmp_name)]),
    )
    .removes([tmp_ref.clone()])
    .requires([tmp_ref])
    .provides([what.clone()]);
    let renamed = b.last();
    b.order(built, renamed);
    b.order(dropped, renamed);
    if let Some(c) = &to.comment {
        b.then(
            &what,
            vec![comment_sql(table, &to.name, Some(c))],
            Some(vec![comment_sql(table, &to.name, None)]),
        )
        .requires([what.clone()]);
    }
}

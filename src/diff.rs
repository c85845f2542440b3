//! Step `diff` of the data flow: two [`Schema`]s (`current`, `desired`) → the named
//! [`Change`]s that take one to the other. It drives the kinds (`kind::*::diff`); no SQL here
//! (that is `plan`), no database.
//!
//! Rules that span kinds, and so live here:
//! - **Renames first.** A table or column whose desired side declares `renamed_from` is
//!   matched to the old name when the old name exists in `current` and the new one does not;
//!   a sequence owned by the same column under another name is matched too. The current side
//!   is then compared as if the renames had happened: foreign keys, key lists, index columns,
//!   expressions and `nextval` defaults name the new names. A declared rename that no longer
//!   applies (already done) is ignored.
//! - **Dependents are rebuilt.** A change that removes or converts an object takes along what
//!   PostgreSQL would not carry over by itself, so those dependents are dropped and added
//!   again: foreign keys resting on a replaced key, generated columns reading a retyped
//!   column, checks and expression indexes comparing a column with labels of an enum that is
//!   rebuilt.
//! - The output order is deterministic: by kind, then by name. The planner, not the diff,
//!   decides execution order.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::kind::constraint::{self, Constraint};
use crate::kind::{
    self, Change, ColumnChange, ConstraintChange, EnumChange, IndexChange, SequenceChange,
    TableChange,
};
use crate::model::Table;
use crate::model::{DefaultValue, IndexTarget, ObjectRef, QualifiedName, Schema};

pub use crate::sql_lex::rename_in_expr;

/// The renames a diff found, old name → new name, which the rest of the comparison (and the
/// planner's view of the current side) applies.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    pub tables: BTreeMap<QualifiedName, QualifiedName>,
    pub columns: BTreeMap<QualifiedName, BTreeMap<String, String>>,
    pub sequences: BTreeMap<QualifiedName, QualifiedName>,
}

/// Whether a partition can go from `c` to `d` keeping its rows: its bound changes under the
/// same parent (detach, attach), or it becomes a table of its own (detach).
fn movable(c: &Table, d: &Table) -> bool {
    d.partition_by == c.partition_by
        && match (&c.partition_of, &d.partition_of) {
            (Some(a), Some(b)) => a.parent == b.parent,
            (Some(_), None) => true,
            _ => false,
        }
}

/// Tables on both sides whose partitioning differs (beyond what [`movable`] allows), and every
/// partition under them.
fn rebuilt_tables(current: &Schema, desired: &Schema) -> BTreeSet<QualifiedName> {
    let mut out: BTreeSet<QualifiedName> = current
        .tables
        .iter()
        .filter(|c| {
            desired.table(&c.name).is_some_and(|d| {
                d.partition_by != c.partition_by
                    || (d.partition_of != c.partition_of && !movable(c, d))
            })
        })
        .map(|t| t.name.clone())
        .collect();
    loop {
        let more: Vec<QualifiedName> = current
            .tables
            .iter()
            .filter(|t| {
                !out.contains(&t.name)
                    && t.partition_of
                        .as_ref()
                        .is_some_and(|p| out.contains(&p.parent))
            })
            .map(|t| t.name.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// The changes that take `current` to `desired`, in a deterministic order (kind, then name).
/// `diff(s, s)` is empty for every schema `s`.
pub fn diff(current: &Schema, desired: &Schema) -> Vec<Change> {
    let mut current = normalized(current);
    let desired = normalized(desired);
    let desired = desired.as_ref();
    // Every field of the schema is compared below; a new one must be added here.
    let Schema {
        extensions: _,
        namespaces: _,
        enums: _,
        sequences: _,
        tables: _,
        views: _,
        functions: _,
        triggers: _,
        row_security: _,
        policies: _,
        types: _,
        grants: _,
        public_comment: _,
    } = desired;

    let mut renames = Renames::default();
    for t in &desired.tables {
        if let Some(old) = &t.renamed_from {
            let old = QualifiedName::new(&t.name.schema, old);
            if old != t.name && current.table(&old).is_some() && current.table(&t.name).is_none() {
                renames.tables.insert(old, t.name.clone());
            }
        }
    }
    if !renames.tables.is_empty() {
        rename_tables(current.to_mut(), &renames.tables);
    }
    for t in &desired.tables {
        let Some(cur) = current.table(&t.name) else {
            continue;
        };
        for c in &t.columns {
            if let Some(old) = &c.renamed_from
                && old != &c.name
                && cur.column(old).is_some()
                && cur.column(&c.name).is_none()
            {
                renames
                    .columns
                    .entry(t.name.clone())
                    .or_default()
                    .insert(old.clone(), c.name.clone());
            }
        }
    }
    if !renames.columns.is_empty() {
        rename_columns(current.to_mut(), &renames.columns);
    }
    renames.sequences = kind::sequence::renames(&current, desired);
    if !renames.sequences.is_empty() {
        rename_sequences(current.to_mut(), &renames.sequences);
    }
    // A table whose partitioning changes (partitioned or not, another key, another parent or
    // bound) cannot be altered into the new form: it is dropped (with its partitions) and
    // created again, and the rest of the comparison sees it as new.
    let rebuilt = rebuilt_tables(current.as_ref(), desired);
    let mut out = Vec::new();
    if !rebuilt.is_empty() {
        let cur = current.to_mut();
        for name in &rebuilt {
            if let Some(t) = cur.table(name) {
                out.push(Change::Table(TableChange::Drop(t.clone())));
            }
        }
        cur.tables.retain(|t| !rebuilt.contains(&t.name));
        // The sequences they own go with them (and come back with the new table).
        cur.sequences.retain(|s| {
            !s.owned_by
                .as_ref()
                .is_some_and(|o| rebuilt.contains(&QualifiedName::new(&s.name.schema, &o.table)))
        });
    }
    // Partitions that move keeping their rows: the rest of the comparison starts from where
    // the move leaves them.
    let moves: Vec<(QualifiedName, Table)> = current
        .tables
        .iter()
        .filter_map(|c| {
            let d = desired.table(&c.name)?;
            (c.partition_of != d.partition_of && movable(c, d)).then(|| (c.name.clone(), d.clone()))
        })
        .collect();
    for (name, d) in moves {
        let Some(c) = current.table(&name).cloned() else {
            continue;
        };
        let Some(of) = &c.partition_of else { continue };
        let moved = match &d.partition_of {
            Some(to) => {
                out.push(Change::Table(TableChange::Rebound {
                    table: name.clone(),
                    parent: of.parent.clone(),
                    from: of.bound.clone(),
                    to: to.bound.clone(),
                }));
                let mut m = c.clone();
                m.partition_of = Some(to.clone());
                m
            }
            None => {
                let detached = kind::table::detached(current.as_ref(), &c);
                out.push(Change::Table(TableChange::Detach {
                    partition: c.clone(),
                    detached: Box::new(detached.clone()),
                }));
                detached
            }
        };
        let cur = current.to_mut();
        if let Some(t) = cur.tables.iter_mut().find(|t| t.name == name) {
            *t = moved;
        }
    }
    if let Cow::Owned(s) = &mut current {
        s.normalize();
    }
    let current = current.as_ref();

    kind::namespace::diff(current, desired, &mut out);
    kind::extension::diff(current, desired, &mut out);
    kind::enum_type::diff(current, desired, &mut out);
    kind::custom_type::diff(current, desired, &mut out);

    // Tables on both sides: their columns (which may convert sequences), constraints, indexes.
    let mut columns = Vec::new();
    let mut members = Vec::new();
    let mut converted = Vec::new();
    for d in &desired.tables {
        if let Some(c) = current.table(&d.name) {
            kind::column::diff(current, desired, c, d, &mut converted, &mut columns);
            kind::constraint::diff(c, d, &mut members);
            kind::index::diff(c, d, &mut members);
        }
    }
    let dropped_tables: BTreeSet<&QualifiedName> = current
        .tables
        .iter()
        .map(|t| &t.name)
        .filter(|n| desired.table(n).is_none())
        .collect();
    let dropped_column = |table: &QualifiedName, owner: &crate::model::SequenceOwner| {
        dropped_tables.contains(table)
            || desired
                .table(table)
                .is_some_and(|t| t.column(&owner.column).is_none())
    };
    kind::sequence::diff(
        current,
        desired,
        &renames.sequences,
        &converted,
        &dropped_column,
        &mut out,
    );
    for (from, to) in &renames.tables {
        out.push(Change::Table(TableChange::Rename {
            from: from.clone(),
            to: to.clone(),
        }));
    }
    for (table, map) in &renames.columns {
        for (from, to) in map {
            out.push(Change::Column(ColumnChange::Rename {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            }));
        }
    }
    kind::table::diff(current, desired, &mut out);
    out.extend(columns);
    out.extend(members);
    rebuild_dependents(current, desired, &mut out);
    // Functions, then what calls them and what reads tables: each of these diffs sees the
    // changes before it, to rebuild what they take away.
    kind::function::diff(current, desired, &mut out);
    rebuild_function_users(current, desired, &mut out);
    let mut views = Vec::new();
    kind::view::diff(current, desired, &out, &mut views);
    out.extend(views);
    let mut triggers = Vec::new();
    kind::trigger::diff(current, desired, &out, &mut triggers);
    out.extend(triggers);
    let mut policies = Vec::new();
    kind::policy::diff(current, desired, &out, &mut policies);
    out.extend(policies);
    kind::grant::diff(current, desired, &mut out);
    out
}

/// Defaults, generated columns, checks and indexes that call a function the changes drop (to
/// create it again, or under another signature): PostgreSQL refuses to drop a function that
/// something still calls, so each is taken off before and put back after, in the same plan.
/// Views, triggers and policies do the same in their own kinds (`kind::taken_away`).
fn rebuild_function_users(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let removed: BTreeSet<ObjectRef> = kind::function::removed(out).into_iter().collect();
    if removed.is_empty() {
        return;
    }
    let calls_removed = |text: &str| {
        crate::kind::function::calls_in(text, &current.functions)
            .iter()
            .any(|f| removed.contains(f))
    };
    let mut extra = Vec::new();
    for t in &current.tables {
        // A dropped table's drop step lets go of what its columns call (`kind::table`).
        let Some(d) = desired.table(&t.name) else {
            continue;
        };
        for col in &t.columns {
            let Some(dc) = d.column(&col.name) else {
                continue;
            };
            let gone = |c: &Change| {
                matches!(c, Change::Column(ColumnChange::Drop { table, column })
                    if *table == t.name && column.name == col.name)
            };
            if out.iter().any(gone) {
                continue;
            }
            let alter = out.iter().position(|c| {
                matches!(c, Change::Column(ColumnChange::Alter { table, to, .. })
                    if *table == t.name && to.name == col.name)
            });
            if let Some(g) = &col.generated
                && calls_removed(g)
                && dc.generated.is_some()
            {
                // The expression cannot stay while its function is dropped: the column goes
                // and comes back computed (its values are derived, so nothing is lost).
                if let Some(at) = alter {
                    out.remove(at);
                }
                extra.extend(column_around(&t.name, col, dc));
                continue;
            }
            let Some(DefaultValue::Expr(e)) = &col.default else {
                continue;
            };
            if !calls_removed(e) {
                continue;
            }
            // The default is dropped with the rest of any change to the column, and set
            // again (as the spec has it) once the function exists again.
            let (from, to) = match alter.map(|at| out.remove(at)) {
                Some(Change::Column(ColumnChange::Alter { from, to, .. })) => (from, to),
                _ => (col.clone(), dc.clone()),
            };
            let mut bare = to.clone();
            bare.default = None;
            extra.push(Change::Column(ColumnChange::Alter {
                table: t.name.clone(),
                from,
                to: bare.clone(),
            }));
            if to.default.is_some() {
                extra.push(Change::Column(ColumnChange::Alter {
                    table: t.name.clone(),
                    from: bare,
                    to,
                }));
            }
        }
        for ch in &t.checks {
            let touched = out.iter().any(|c| {
                matches!(c, Change::Constraint(ConstraintChange::Drop { table, constraint })
                    if *table == t.name && constraint.name() == ch.name)
            });
            if !touched
                && calls_removed(&ch.expr)
                && let Some(keep) = d.checks.iter().find(|x| x.name == ch.name)
            {
                extra.extend(constraint_around(
                    &t.name,
                    Constraint::Check(ch.clone()),
                    Constraint::Check(keep.clone()),
                ));
            }
        }
        for i in &t.indexes {
            let touched = out.iter().any(|c| {
                matches!(c, Change::Index(IndexChange::Drop { table, index } | IndexChange::Replace { table, from: index, .. })
                    if *table == t.name && index.name == i.name)
            });
            if !touched
                && kind::index::expressions(i).any(calls_removed)
                && let Some(keep) = d.indexes.iter().find(|x| x.name == i.name)
            {
                extra.extend(index_around(&t.name, i, keep));
            }
        }
    }
    out.extend(extra);
}

/// A column dropped before the changes and added again after them (a generated one, whose
/// values are derived).
fn column_around(
    table: &QualifiedName,
    from: &crate::model::Column,
    to: &crate::model::Column,
) -> [Change; 2] {
    let mut to = to.clone();
    to.renamed_from = None;
    [
        Change::Column(ColumnChange::Drop {
            table: table.clone(),
            column: from.clone(),
        }),
        Change::Column(ColumnChange::Add {
            table: table.clone(),
            column: to,
        }),
    ]
}

/// A constraint dropped before the changes and added again after them.
fn constraint_around(table: &QualifiedName, from: Constraint, to: Constraint) -> [Change; 2] {
    [
        Change::Constraint(ConstraintChange::Drop {
            table: table.clone(),
            constraint: from,
        }),
        Change::Constraint(ConstraintChange::Add {
            table: table.clone(),
            constraint: to,
        }),
    ]
}

/// An index dropped before the changes and built again after them.
fn index_around(
    table: &QualifiedName,
    from: &crate::model::Index,
    to: &crate::model::Index,
) -> [Change; 2] {
    [
        Change::Index(IndexChange::Drop {
            table: table.clone(),
            index: from.clone(),
        }),
        Change::Index(IndexChange::Add {
            table: table.clone(),
            index: to.clone(),
        }),
    ]
}

/// `schema` sorted as [`Schema::normalize`] sorts it, copied only when it is not already.
fn normalized(schema: &Schema) -> Cow<'_, Schema> {
    if schema.is_normalized() {
        Cow::Borrowed(schema)
    } else {
        let mut s = schema.clone();
        s.normalize();
        Cow::Owned(s)
    }
}

/// `current` as it stands once the renames among `changes` have run: the names a plan's later
/// steps use (`current` itself, normalized, when there are none).
pub fn after_renames<'a>(current: &'a Schema, changes: &[Change]) -> Cow<'a, Schema> {
    let mut renames = Renames::default();
    for c in changes {
        match c {
            Change::Table(TableChange::Rename { from, to }) => {
                renames.tables.insert(from.clone(), to.clone());
            }
            Change::Column(ColumnChange::Rename { table, from, to }) => {
                renames
                    .columns
                    .entry(table.clone())
                    .or_default()
                    .insert(from.clone(), to.clone());
            }
            Change::Sequence(SequenceChange::Rename { from, to }) => {
                renames
                    .sequences
                    .insert(from.clone(), QualifiedName::new(&from.schema, to));
            }
            _ => {}
        }
    }
    if renames.tables.is_empty() && renames.columns.is_empty() && renames.sequences.is_empty() {
        return normalized(current);
    }
    let mut s = current.clone();
    rename_tables(&mut s, &renames.tables);
    rename_columns(&mut s, &renames.columns);
    rename_sequences(&mut s, &renames.sequences);
    s.normalize();
    Cow::Owned(s)
}

fn rename_tables(schema: &mut Schema, tables: &BTreeMap<QualifiedName, QualifiedName>) {
    if tables.is_empty() {
        return;
    }
    for t in &mut schema.tables {
        if let Some(new) = tables.get(&t.name) {
            t.name = new.clone();
        }
        for fk in &mut t.foreign_keys {
            if let Some(new) = tables.get(&fk.ref_table) {
                fk.ref_table = new.clone();
            }
        }
    }
    for s in &mut schema.sequences {
        if let Some(o) = &mut s.owned_by
            && let Some(new) = tables.get(&QualifiedName::new(&s.name.schema, &o.table))
        {
            o.table = new.name.clone();
        }
    }
    schema.normalize();
}

/// Rewrites the current side as if the column renames had run (by the tables' new names).
fn rename_columns(
    schema: &mut Schema,
    columns: &BTreeMap<QualifiedName, BTreeMap<String, String>>,
) {
    if columns.is_empty() {
        return;
    }
    let rename = |map: Option<&BTreeMap<String, String>>, c: &mut String| {
        if let Some(new) = map.and_then(|m| m.get(c.as_str())) {
            *c = new.clone();
        }
    };
    for t in &mut schema.tables {
        let map = columns.get(&t.name);
        for c in &mut t.columns {
            rename(map, &mut c.name);
            if let Some(g) = &mut c.generated {
                *g = rename_in_expr(g, map);
            }
        }
        if let Some(pk) = &mut t.primary_key {
            pk.columns.iter_mut().for_each(|c| rename(map, c));
        }
        for u in &mut t.uniques {
            u.columns.iter_mut().for_each(|c| rename(map, c));
        }
        for i in &mut t.indexes {
            i.include.iter_mut().for_each(|c| rename(map, c));
            for k in &mut i.keys {
                match &mut k.target {
                    IndexTarget::Column(c) => rename(map, c),
                    IndexTarget::Expr(e) => *e = rename_in_expr(e, map),
                }
            }
            if let Some(p) = &mut i.predicate {
                *p = rename_in_expr(p, map);
            }
        }
        for c in &mut t.checks {
            c.expr = rename_in_expr(&c.expr, map);
        }
        for x in &mut t.exclusions {
            x.include.iter_mut().for_each(|c| rename(map, c));
            for e in &mut x.elements {
                match &mut e.key.target {
                    IndexTarget::Column(c) => rename(map, c),
                    IndexTarget::Expr(ex) => *ex = rename_in_expr(ex, map),
                }
            }
            if let Some(p) = &mut x.predicate {
                *p = rename_in_expr(p, map);
            }
        }
        for fk in &mut t.foreign_keys {
            fk.columns.iter_mut().for_each(|c| rename(map, c));
            let ref_map = columns.get(&fk.ref_table);
            fk.ref_columns.iter_mut().for_each(|c| rename(ref_map, c));
        }
    }
    for s in &mut schema.sequences {
        if let Some(o) = &mut s.owned_by {
            let table = QualifiedName::new(&s.name.schema, &o.table);
            rename(columns.get(&table), &mut o.column);
        }
    }
}

/// Rewrites the current side as if the sequence renames had run: the sequences' names and the
/// `nextval` defaults that call them.
fn rename_sequences(schema: &mut Schema, sequences: &BTreeMap<QualifiedName, QualifiedName>) {
    if sequences.is_empty() {
        return;
    }
    for s in &mut schema.sequences {
        if let Some(new) = sequences.get(&s.name) {
            s.name = new.clone();
        }
    }
    for t in &mut schema.tables {
        for c in &mut t.columns {
            if let Some(DefaultValue::Expr(e)) = &mut c.default {
                *e = crate::sql_lex::rename_sequences_in_expr(e, sequences);
            }
        }
    }
    schema.normalize();
}

/// Drops and re-adds the objects a change takes along that PostgreSQL would not carry over:
/// foreign keys resting on a dropped or replaced key; generated columns reading a retyped
/// column (PostgreSQL refuses the type change otherwise); checks and expression indexes over a
/// column converted by an enum rebuild (PostgreSQL re-parses them against the old type).
fn rebuild_dependents(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut removed_keys: BTreeSet<ObjectRef> = BTreeSet::new();
    let mut retyped: BTreeSet<(QualifiedName, String)> = BTreeSet::new();
    let mut converted: BTreeSet<(QualifiedName, String)> = BTreeSet::new();
    let mut dropped_constraints: BTreeSet<(QualifiedName, String)> = BTreeSet::new();
    let mut dropped_indexes: BTreeSet<(QualifiedName, String)> = BTreeSet::new();
    for c in out.iter() {
        match c {
            Change::Constraint(ConstraintChange::Drop { table, constraint }) => {
                dropped_constraints.insert((table.clone(), constraint.name().to_string()));
                if matches!(
                    constraint,
                    Constraint::PrimaryKey(_) | Constraint::Unique(_)
                ) {
                    removed_keys.insert(ObjectRef::constraint(
                        table,
                        constraint.kind(),
                        constraint.name(),
                    ));
                }
            }
            Change::Index(IndexChange::Drop { table, index })
            | Change::Index(IndexChange::Replace {
                table, from: index, ..
            }) => {
                if matches!(c, Change::Index(IndexChange::Drop { .. })) {
                    dropped_indexes.insert((table.clone(), index.name.clone()));
                }
                removed_keys.insert(ObjectRef::index(table, &index.name));
            }
            Change::Column(ColumnChange::Alter { table, from, to }) if from.ty != to.ty => {
                retyped.insert((table.clone(), to.name.clone()));
            }
            Change::Enum(EnumChange::Recreate { from, .. }) => {
                for (t, col) in kind::enum_type::converted_users(current, desired, &from.name) {
                    converted.insert((t, col.name));
                }
            }
            _ => {}
        }
    }
    if removed_keys.is_empty() && retyped.is_empty() && converted.is_empty() {
        return;
    }
    let mut extra = Vec::new();
    let mentions_any =
        |set: &BTreeSet<(QualifiedName, String)>, table: &QualifiedName, text: &str| {
            crate::sql_lex::names(text)
                .iter()
                .any(|n| set.contains(&(table.clone(), n.clone())))
        };
    for t in &current.tables {
        let Some(d) = desired.table(&t.name) else {
            continue;
        };
        // Foreign keys kept as they are, resting on a key that goes away.
        for fk in &t.foreign_keys {
            let kept = d.foreign_keys.iter().any(|x| x == fk);
            let rests_on_removed =
                constraint::referenced_key(current, fk).is_some_and(|k| removed_keys.contains(&k));
            if kept && rests_on_removed {
                let c = Constraint::ForeignKey(fk.clone());
                extra.extend(constraint_around(&t.name, c.clone(), c));
            }
        }
        // Generated columns reading a retyped column: dropped and added again.
        for col in &t.columns {
            let (Some(g), Some(dc)) = (&col.generated, d.column(&col.name)) else {
                continue;
            };
            let Some(dg) = &dc.generated else { continue };
            let reads_retyped = crate::sql_lex::names(g)
                .iter()
                .chain(crate::sql_lex::names(dg).iter())
                .any(|n| *n != col.name && retyped.contains(&(t.name.clone(), n.clone())));
            if reads_retyped {
                out.retain(|c| {
                    !matches!(c, Change::Column(ColumnChange::Alter { table, to, .. })
                        if *table == t.name && to.name == col.name)
                });
                extra.extend(column_around(&t.name, col, dc));
            }
        }
        if converted.is_empty() {
            continue;
        }
        for ch in &t.checks {
            let touched = dropped_constraints.contains(&(t.name.clone(), ch.name.clone()));
            if !touched
                && mentions_any(&converted, &t.name, &ch.expr)
                && let Some(keep) = d.checks.iter().find(|x| x.name == ch.name)
            {
                extra.extend(constraint_around(
                    &t.name,
                    Constraint::Check(ch.clone()),
                    Constraint::Check(keep.clone()),
                ));
            }
        }
        let index_text =
            |i: &crate::model::Index| kind::index::expressions(i).collect::<Vec<_>>().join(" ");
        for i in &t.indexes {
            if !mentions_any(&converted, &t.name, &index_text(i)) {
                continue;
            }
            // A replacement is split: the old index must be gone before the rebuild, the new
            // one built after it.
            let replaced = out.iter().position(|c| {
                matches!(c, Change::Index(IndexChange::Replace { table, from, .. })
                    if *table == t.name && from.name == i.name)
            });
            if let Some(pos) = replaced {
                if let Change::Index(IndexChange::Replace { table, from, to }) = out.remove(pos) {
                    extra.push(Change::Index(IndexChange::Drop {
                        table: table.clone(),
                        index: from,
                    }));
                    extra.push(Change::Index(IndexChange::Add { table, index: to }));
                }
                continue;
            }
            let touched = dropped_indexes.contains(&(t.name.clone(), i.name.clone()));
            if !touched && let Some(keep) = d.indexes.iter().find(|x| x.name == i.name) {
                extra.extend(index_around(&t.name, i, keep));
            }
        }
    }
    out.extend(extra);
}

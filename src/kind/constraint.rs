//! Kind `constraint` (primary keys, uniques, checks, foreign keys): diff, plan and SQL.
//!
//! - Matched by name; a modified constraint is a drop plus an add; the same definition under
//!   another name is a rename.
//! - A foreign key depends on the key it rests on (a primary key, unique constraint or unique
//!   index with the same columns on the referenced table): it is added after that key exists
//!   and dropped before it goes, and rebuilt when the key is replaced (`diff`).
//! - A key's index carries the constraint's name, so a key is also the index of that name for
//!   ordering (an index dropped under that name frees it for the key, and back).
//! - `NOT VALID` is the user's choice, kept: such a check or foreign key is added without a
//!   scan (never inside `CREATE TABLE`, which would validate it), and becoming valid is
//!   `VALIDATE CONSTRAINT` (a scan under a lock that lets reads and writes go on), not a
//!   rebuild. Comments on a constraint and on a key's index change in place.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{
    Check, ConstraintKind, Deferrable, Exclusion, FkAction, ForeignKey, IndexTarget, ObjectRef,
    PrimaryKey, QualifiedName, Schema, Table, Unique,
};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::{fk_action, qualified, quote, quote_list};

use super::{Change, column, comment_text};

/// A table constraint of any kind, so that add/drop/rename need one change variant each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(Unique),
    Check(Check),
    ForeignKey(ForeignKey),
    Exclusion(Exclusion),
}

impl Constraint {
    /// The constraint's name, which is its identity within a table.
    pub fn name(&self) -> &str {
        match self {
            Constraint::PrimaryKey(c) => &c.name,
            Constraint::Unique(c) => &c.name,
            Constraint::Check(c) => &c.name,
            Constraint::ForeignKey(c) => &c.name,
            Constraint::Exclusion(c) => &c.name,
        }
    }

    pub fn kind(&self) -> ConstraintKind {
        match self {
            Constraint::PrimaryKey(_) => ConstraintKind::PrimaryKey,
            Constraint::Unique(_) => ConstraintKind::Unique,
            Constraint::Check(_) => ConstraintKind::Check,
            Constraint::ForeignKey(_) => ConstraintKind::ForeignKey,
            Constraint::Exclusion(_) => ConstraintKind::Exclusion,
        }
    }

    /// `COMMENT ON CONSTRAINT`.
    pub fn comment(&self) -> Option<&str> {
        match self {
            Constraint::PrimaryKey(c) => c.comment.as_deref(),
            Constraint::Unique(c) => c.comment.as_deref(),
            Constraint::Check(c) => c.comment.as_deref(),
            Constraint::ForeignKey(c) => c.comment.as_deref(),
            Constraint::Exclusion(c) => c.comment.as_deref(),
        }
    }

    /// `COMMENT ON INDEX` of a key's index.
    pub fn index_comment(&self) -> Option<&str> {
        match self {
            Constraint::PrimaryKey(c) => c.index_comment.as_deref(),
            Constraint::Unique(c) => c.index_comment.as_deref(),
            Constraint::Exclusion(c) => c.index_comment.as_deref(),
            _ => None,
        }
    }

    /// Added `NOT VALID` (a check or foreign key not checked against existing rows).
    pub fn not_valid(&self) -> bool {
        match self {
            Constraint::Check(c) => c.not_valid,
            Constraint::ForeignKey(c) => c.not_valid,
            _ => false,
        }
    }

    /// The constraint without what changes in place (comments), so two versions that differ
    /// only there are the same definition.
    pub(crate) fn definition(&self) -> Constraint {
        let mut c = self.clone();
        match &mut c {
            Constraint::PrimaryKey(x) => (x.comment, x.index_comment) = (None, None),
            Constraint::Unique(x) => (x.comment, x.index_comment) = (None, None),
            Constraint::Check(x) => x.comment = None,
            Constraint::ForeignKey(x) => x.comment = None,
            Constraint::Exclusion(x) => (x.comment, x.index_comment) = (None, None),
        }
        c
    }

    /// The same, validated.
    fn validated(&self) -> Constraint {
        let mut c = self.clone();
        match &mut c {
            Constraint::Check(x) => x.not_valid = false,
            Constraint::ForeignKey(x) => x.not_valid = false,
            _ => {}
        }
        c
    }

    fn with_name(&self, name: &str) -> Constraint {
        let mut c = self.clone();
        match &mut c {
            Constraint::PrimaryKey(x) => x.name = name.into(),
            Constraint::Unique(x) => x.name = name.into(),
            Constraint::Check(x) => x.name = name.into(),
            Constraint::ForeignKey(x) => x.name = name.into(),
            Constraint::Exclusion(x) => x.name = name.into(),
        }
        c
    }
}

/// Every constraint of a table, primary key first, in name order within each kind.
pub fn constraints(table: &Table) -> Vec<Constraint> {
    let mut out = Vec::new();
    out.extend(table.primary_key.clone().map(Constraint::PrimaryKey));
    out.extend(table.uniques.iter().cloned().map(Constraint::Unique));
    out.extend(table.checks.iter().cloned().map(Constraint::Check));
    out.extend(
        table
            .foreign_keys
            .iter()
            .cloned()
            .map(Constraint::ForeignKey),
    );
    out.extend(table.exclusions.iter().cloned().map(Constraint::Exclusion));
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintChange {
    Add {
        table: QualifiedName,
        constraint: Constraint,
    },
    Drop {
        table: QualifiedName,
        constraint: Constraint,
    },
    Rename {
        table: QualifiedName,
        kind: ConstraintKind,
        from: String,
        to: String,
    },
    /// A `NOT VALID` check or foreign key becomes valid: `VALIDATE CONSTRAINT`.
    Validate {
        table: QualifiedName,
        constraint: Constraint,
    },
    /// Only its comments (or its index's) differ.
    Comment {
        table: QualifiedName,
        from: Constraint,
        to: Constraint,
    },
}

impl fmt::Display for ConstraintChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstraintChange::Add { table, constraint } => write!(
                f,
                "add {}",
                ObjectRef::constraint(table, constraint.kind(), constraint.name())
            ),
            ConstraintChange::Drop { table, constraint } => write!(
                f,
                "drop {}",
                ObjectRef::constraint(table, constraint.kind(), constraint.name())
            ),
            ConstraintChange::Rename {
                table,
                kind,
                from,
                to,
            } => write!(
                f,
                "rename {} to {}",
                ObjectRef::constraint(table, *kind, from),
                crate::sql_ident::display(to)
            ),
            ConstraintChange::Validate { table, constraint } => write!(
                f,
                "validate {}",
                ObjectRef::constraint(table, constraint.kind(), constraint.name())
            ),
            ConstraintChange::Comment { table, to, .. } => write!(
                f,
                "comment on {}",
                ObjectRef::constraint(table, to.kind(), to.name())
            ),
        }
    }
}

/// Constraint changes of a table that exists on both sides (after renames).
pub fn diff(current: &Table, desired: &Table, out: &mut Vec<Change>) {
    let name = &desired.name;
    let cur = constraints(current);
    let des = constraints(desired);
    let mut dropped: Vec<&Constraint> = cur
        .iter()
        .filter(|c| !des.iter().any(|d| d.name() == c.name()))
        .collect();
    let mut added: Vec<&Constraint> = des
        .iter()
        .filter(|d| !cur.iter().any(|c| c.name() == d.name()))
        .collect();
    let mut renames = Vec::new();
    // After a rename, the constraint under its new name is compared like any other.
    let mut renamed: Vec<Constraint> = Vec::new();
    dropped.retain(|c| {
        if let Some(pos) = added
            .iter()
            .position(|d| c.with_name(d.name()).definition() == d.definition())
        {
            let d = added.remove(pos);
            renames.push((c.kind(), c.name().to_string(), d.name().to_string()));
            renamed.push(c.with_name(d.name()));
            false
        } else {
            true
        }
    });
    for (kind, from, to) in renames {
        out.push(Change::Constraint(ConstraintChange::Rename {
            table: name.clone(),
            kind,
            from,
            to,
        }));
    }
    let existing = |d: &Constraint| -> Option<Constraint> {
        cur.iter()
            .chain(&renamed)
            .find(|c| c.name() == d.name() && !dropped.iter().any(|x| x.name() == c.name()))
            .cloned()
    };
    // Same definition, or one `VALIDATE` away from it: kept in place.
    let in_place = |c: &Constraint, d: &Constraint| {
        let (c, d) = (c.definition(), d.definition());
        c == d || (c.not_valid() && !d.not_valid() && c.validated() == d)
    };
    for c in &cur {
        let replaced = des.iter().any(|d| d.name() == c.name() && !in_place(c, d));
        if replaced || dropped.iter().any(|x| x.name() == c.name()) {
            out.push(Change::Constraint(ConstraintChange::Drop {
                table: name.clone(),
                constraint: c.clone(),
            }));
        }
    }
    for d in &des {
        let replaced = cur.iter().any(|c| c.name() == d.name() && !in_place(c, d));
        if replaced || added.iter().any(|x| x.name() == d.name()) {
            out.push(Change::Constraint(ConstraintChange::Add {
                table: name.clone(),
                constraint: d.clone(),
            }));
            continue;
        }
        let Some(c) = existing(d) else {
            continue;
        };
        if c.not_valid() && !d.not_valid() {
            out.push(Change::Constraint(ConstraintChange::Validate {
                table: name.clone(),
                constraint: d.clone(),
            }));
        }
        if c.comment() != d.comment() || c.index_comment() != d.index_comment() {
            out.push(Change::Constraint(ConstraintChange::Comment {
                table: name.clone(),
                from: c,
                to: d.clone(),
            }));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

pub(crate) fn deferrable_sql(d: Deferrable) -> &'static str {
    match d {
        Deferrable::NotDeferrable => "",
        Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
        Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

/// A key's column list; `WITHOUT OVERLAPS` (or `PERIOD`) on the last column of a temporal one.
fn key_columns_sql(columns: &[String], temporal: Option<&str>) -> String {
    let (Some(word), Some((last, rest))) = (temporal, columns.split_last()) else {
        return quote_list(columns);
    };
    let mut items: Vec<String> = rest.iter().map(|c| quote(c)).collect();
    items.push(if word == "PERIOD" {
        format!("PERIOD {}", quote(last))
    } else {
        format!("{} {word}", quote(last))
    });
    items.join(", ")
}

/// ` INCLUDE (…)` of a key, or nothing.
fn include_sql(include: &[String]) -> String {
    if include.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", quote_list(include))
    }
}

/// `CONSTRAINT "name" PRIMARY KEY (…) [INCLUDE (…)] [DEFERRABLE …]`: the fragment shared by
/// `CREATE TABLE` and `ADD`.
pub fn primary_key_sql(pk: &PrimaryKey) -> String {
    format!(
        "CONSTRAINT {} PRIMARY KEY ({}){}{}",
        quote(&pk.name),
        key_columns_sql(
            &pk.columns,
            pk.without_overlaps.then_some("WITHOUT OVERLAPS")
        ),
        include_sql(&pk.include),
        deferrable_sql(pk.deferrable)
    )
}

/// `CONSTRAINT "name" UNIQUE [NULLS NOT DISTINCT] (…) [DEFERRABLE …]`.
pub fn unique_sql(u: &Unique) -> String {
    format!(
        "CONSTRAINT {} UNIQUE{} ({}){}{}",
        quote(&u.name),
        if u.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        key_columns_sql(&u.columns, u.without_overlaps.then_some("WITHOUT OVERLAPS")),
        include_sql(&u.include),
        deferrable_sql(u.deferrable)
    )
}

/// `CONSTRAINT "name" CHECK (expr) [NO INHERIT]`, the expression verbatim.
pub fn check_sql(c: &Check) -> String {
    format!(
        "CONSTRAINT {} CHECK ({}){}",
        quote(&c.name),
        c.expr,
        if c.no_inherit { " NO INHERIT" } else { "" }
    )
}

/// `CONSTRAINT "name" FOREIGN KEY (…) REFERENCES "s"."t" (…) [ON DELETE …] [ON UPDATE …]
/// [DEFERRABLE …]`; `NO ACTION`, PostgreSQL's default, is left out.
pub fn foreign_key_sql(fk: &ForeignKey) -> String {
    let mut sql = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote(&fk.name),
        key_columns_sql(&fk.columns, fk.period.then_some("PERIOD")),
        qualified(&fk.ref_table),
        key_columns_sql(&fk.ref_columns, fk.period.then_some("PERIOD"))
    );
    if fk.match_full {
        sql.push_str(" MATCH FULL");
    }
    if fk.on_delete != FkAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", fk_action(fk.on_delete)));
    }
    if fk.on_update != FkAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", fk_action(fk.on_update)));
    }
    sql.push_str(deferrable_sql(fk.deferrable));
    sql
}

/// `CONSTRAINT "name" EXCLUDE USING method (key WITH op, …) [INCLUDE (…)] [WITH (…)]
/// [WHERE (…)] [DEFERRABLE …]`; keys are written as index keys are.
pub fn exclusion_sql(x: &Exclusion) -> String {
    let elements = x
        .elements
        .iter()
        .map(|e| format!("{} WITH {}", super::index::key_sql(&e.key), e.operator))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "CONSTRAINT {} EXCLUDE USING {} ({elements})",
        quote(&x.name),
        x.method.name()
    );
    if !x.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", quote_list(&x.include)));
    }
    if !x.options.is_empty() {
        sql.push_str(&format!(
            " WITH ({})",
            super::index::options_sql(&x.options)
        ));
    }
    if let Some(p) = &x.predicate {
        sql.push_str(&format!(" WHERE ({p})"));
    }
    sql.push_str(deferrable_sql(x.deferrable));
    sql
}

/// The constraint's clause, as in `CREATE TABLE` and `ADD`.
pub fn definition_sql(c: &Constraint) -> String {
    match c {
        Constraint::PrimaryKey(pk) => primary_key_sql(pk),
        Constraint::Unique(u) => unique_sql(u),
        Constraint::Check(ch) => check_sql(ch),
        Constraint::ForeignKey(fk) => foreign_key_sql(fk),
        Constraint::Exclusion(x) => exclusion_sql(x),
    }
}

/// `ALTER TABLE … ADD CONSTRAINT … [NOT VALID]`.
pub fn add_sql(table: &QualifiedName, c: &Constraint) -> String {
    format!(
        "ALTER TABLE {} ADD {}{}",
        qualified(table),
        definition_sql(c),
        if c.not_valid() { " NOT VALID" } else { "" }
    )
}

/// `ALTER TABLE … VALIDATE CONSTRAINT`.
pub fn validate_sql(table: &QualifiedName, name: &str) -> String {
    format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        qualified(table),
        quote(name)
    )
}

/// `COMMENT ON CONSTRAINT … ON …`; `None` removes the comment.
pub fn comment_sql(table: &QualifiedName, name: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON CONSTRAINT {} ON {} IS {}",
        quote(name),
        qualified(table),
        comment_text(text)
    )
}

/// The comments that take a constraint from `from`'s to `to`'s (on the constraint, and on a
/// key's index); `None` for a constraint that has just been created.
pub fn comments_sql(
    table: &QualifiedName,
    from: Option<&Constraint>,
    to: &Constraint,
) -> Vec<String> {
    let mut out = Vec::new();
    if from.and_then(Constraint::comment) != to.comment() {
        out.push(comment_sql(table, to.name(), to.comment()));
    }
    if from.and_then(Constraint::index_comment) != to.index_comment() {
        out.push(super::index::comment_sql(
            table,
            to.name(),
            to.index_comment(),
        ));
    }
    out
}

/// What creates a constraint on a table that exists: `ADD` and its comments.
pub fn create_sql(table: &QualifiedName, c: &Constraint) -> Vec<String> {
    let mut out = vec![add_sql(table, c)];
    out.extend(comments_sql(table, None, c));
    out
}

/// `ALTER TABLE … DROP CONSTRAINT`.
pub fn drop_sql(table: &QualifiedName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        qualified(table),
        quote(name)
    )
}

/// `ALTER TABLE … RENAME CONSTRAINT … TO …` (renames a key's index too).
pub fn rename_sql(table: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
        qualified(table),
        quote(from),
        quote(to)
    )
}

// ---------------------------------------------------------------------------------------------
// Dependencies

/// The key a foreign key rests on in `schema`: the referenced table's primary key, unique
/// constraint or unique (non-partial, column-only) index with the same set of columns.
pub fn referenced_key(schema: &Schema, fk: &ForeignKey) -> Option<ObjectRef> {
    let t = schema.table(&fk.ref_table)?;
    let want: BTreeSet<&String> = fk.ref_columns.iter().collect();
    let same = |cols: &[String]| cols.iter().collect::<BTreeSet<_>>() == want;
    if let Some(pk) = t.primary_key.as_ref().filter(|pk| same(&pk.columns)) {
        return Some(ObjectRef::constraint(
            &t.name,
            ConstraintKind::PrimaryKey,
            &pk.name,
        ));
    }
    if let Some(u) = t.uniques.iter().find(|u| same(&u.columns)) {
        return Some(ObjectRef::constraint(
            &t.name,
            ConstraintKind::Unique,
            &u.name,
        ));
    }
    t.indexes
        .iter()
        .find(|i| {
            let cols: Vec<String> = i
                .keys
                .iter()
                .filter_map(|k| match &k.target {
                    IndexTarget::Column(c) => Some(c.clone()),
                    IndexTarget::Expr(_) => None,
                })
                .collect();
            i.unique && i.predicate.is_none() && cols.len() == i.keys.len() && same(&cols)
        })
        .map(|i| ObjectRef::index(&t.name, &i.name))
}

/// What a constraint of `table` refers to in `schema`: its columns, and for a foreign key the
/// referenced table, columns and key.
pub fn dependencies(schema: &Schema, table: &QualifiedName, c: &Constraint) -> Vec<ObjectRef> {
    let cols = |names: &[String]| -> Vec<ObjectRef> {
        names.iter().map(|n| ObjectRef::column(table, n)).collect()
    };
    match c {
        Constraint::PrimaryKey(pk) => {
            let mut out = cols(&pk.columns);
            out.extend(cols(&pk.include));
            out
        }
        Constraint::Unique(u) => {
            let mut out = cols(&u.columns);
            out.extend(cols(&u.include));
            out
        }
        Constraint::Check(ch) => {
            let mut out = match schema.table(table) {
                Some(t) => column::expression_columns(t, &ch.expr),
                None => Vec::new(),
            };
            out.extend(super::function::calls_in(&ch.expr, &schema.functions));
            out
        }
        Constraint::ForeignKey(fk) => {
            let mut out = cols(&fk.columns);
            out.push(ObjectRef::Table(fk.ref_table.clone()));
            out.extend(
                fk.ref_columns
                    .iter()
                    .map(|n| ObjectRef::column(&fk.ref_table, n)),
            );
            out.extend(referenced_key(schema, fk));
            out
        }
        Constraint::Exclusion(x) => {
            let t = schema.table(table);
            let mut out = Vec::new();
            for e in &x.elements {
                match &e.key.target {
                    IndexTarget::Column(c) => out.push(ObjectRef::column(table, c)),
                    IndexTarget::Expr(expr) => {
                        if let Some(t) = t {
                            out.extend(column::expression_columns(t, expr));
                        }
                        out.extend(super::function::calls_in(expr, &schema.functions));
                    }
                }
            }
            out.extend(cols(&x.include));
            if let Some(p) = &x.predicate {
                if let Some(t) = t {
                    out.extend(column::expression_columns(t, p));
                }
                out.extend(super::function::calls_in(p, &schema.functions));
            }
            out
        }
    }
}

/// The objects a constraint is: itself, and a key's index of the same name.
fn own_objects(table: &QualifiedName, c: &Constraint) -> Vec<ObjectRef> {
    let mut out = vec![ObjectRef::constraint(table, c.kind(), c.name())];
    if matches!(
        c,
        Constraint::PrimaryKey(_) | Constraint::Unique(_) | Constraint::Exclusion(_)
    ) {
        out.push(ObjectRef::index(table, c.name()));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &ConstraintChange, b: &mut Builder<'_>) {
    match change {
        ConstraintChange::Add { table, constraint } => plan_add(b, table, constraint),
        ConstraintChange::Drop { table, constraint } => plan_drop(b, table, constraint),
        ConstraintChange::Validate { table, constraint } => {
            let me = ObjectRef::constraint(table, constraint.kind(), constraint.name());
            let unvalidated = match constraint {
                Constraint::Check(c) => Constraint::Check(Check {
                    not_valid: true,
                    ..c.clone()
                }),
                Constraint::ForeignKey(f) => Constraint::ForeignKey(ForeignKey {
                    not_valid: true,
                    ..f.clone()
                }),
                other => other.clone(),
            };
            // The way back: PostgreSQL cannot mark a constraint not valid again; it is
            // re-added NOT VALID (no scan).
            let mut down = vec![
                drop_sql(table, constraint.name()),
                add_sql(table, &unvalidated),
            ];
            down.extend(comments_sql(table, None, &unvalidated));
            // (A foreign key's referenced table takes only a ROW SHARE lock, which blocks no
            // reads or writes.)
            b.step(
                &me,
                vec![validate_sql(table, constraint.name())],
                Some(down),
            )
            .requires([me.clone()])
            .lock(
                LockLevel::ShareUpdateExclusive,
                &ObjectRef::Table(table.clone()),
            )
            .hazard(
                HazardKind::MayFail,
                format!("validating {me} fails if existing rows violate it"),
            );
        }
        ConstraintChange::Comment { table, from, to } => {
            let me = ObjectRef::constraint(table, to.kind(), to.name());
            b.step(
                &me,
                comments_sql(table, Some(from), to),
                Some(comments_sql(table, Some(to), from)),
            )
            .requires([me.clone()]);
        }
        ConstraintChange::Rename {
            table,
            kind,
            from,
            to,
        } => {
            let me = ObjectRef::constraint(table, *kind, to);
            let keyed = *kind != ConstraintKind::Check && *kind != ConstraintKind::ForeignKey;
            let d = b
                .step(
                    &me,
                    vec![rename_sql(table, from, to)],
                    Some(vec![rename_sql(table, to, from)]),
                )
                .removes([ObjectRef::constraint(table, *kind, from)])
                .provides([me.clone()])
                .is_rename()
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
            if keyed {
                d.removes([ObjectRef::index(table, from)])
                    .provides([ObjectRef::index(table, to)]);
            }
        }
    }
}

/// Adds a constraint as one step (its table's creation calls this for foreign keys too).
pub(crate) fn plan_add(b: &mut Builder<'_>, table: &QualifiedName, c: &Constraint) {
    let cx = b.cx;
    let me = ObjectRef::constraint(table, c.kind(), c.name());
    let existing = cx.existing(table);
    let d = b
        .step(
            &me,
            create_sql(table, c),
            Some(vec![drop_sql(table, c.name())]),
        )
        .provides(own_objects(table, c))
        .requires(dependencies(cx.desired, table, c));
    if existing && c.not_valid() {
        // No scan: the lock is held for a moment.
        let level = match c {
            Constraint::ForeignKey(_) => LockLevel::ShareRowExclusive,
            _ => LockLevel::AccessExclusive,
        };
        d.lock(level, &ObjectRef::Table(table.clone()));
        if let Constraint::ForeignKey(fk) = c
            && cx.existing(&fk.ref_table)
        {
            d.lock(
                LockLevel::ShareRowExclusive,
                &ObjectRef::Table(fk.ref_table.clone()),
            );
        }
    } else if existing {
        let (level, text) = match c {
            Constraint::PrimaryKey(_) | Constraint::Unique(_) => (
                LockLevel::AccessExclusive,
                "builds its index while writes to the table are blocked",
            ),
            Constraint::Check(_) => (
                LockLevel::AccessExclusive,
                "scans every row under an exclusive lock to validate it",
            ),
            Constraint::ForeignKey(_) => (
                LockLevel::ShareRowExclusive,
                "scans every row to validate it, blocking writes to both tables",
            ),
            Constraint::Exclusion(_) => (
                LockLevel::AccessExclusive,
                "builds its index while the table is locked against reads and writes",
            ),
        };
        d.lock(level, &ObjectRef::Table(table.clone()))
            .hazard(HazardKind::BlockingLock, format!("adding {me} {text}"))
            .hazard(
                HazardKind::MayFail,
                format!("adding {me} fails if existing rows violate it"),
            );
        if let Constraint::ForeignKey(fk) = c
            && cx.existing(&fk.ref_table)
        {
            d.lock(
                LockLevel::ShareRowExclusive,
                &ObjectRef::Table(fk.ref_table.clone()),
            );
        }
    }
}

/// Drops a constraint as one step (a dropped table's foreign keys use this too).
pub(crate) fn plan_drop(b: &mut Builder<'_>, table: &QualifiedName, c: &Constraint) {
    let cx = b.cx;
    let me = ObjectRef::constraint(table, c.kind(), c.name());
    b.step(
        &me,
        vec![drop_sql(table, c.name())],
        Some(create_sql(table, c)),
    )
    .removes(own_objects(table, c))
    .releases(dependencies(&cx.renamed, table, c))
    .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
}

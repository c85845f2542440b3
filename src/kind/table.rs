//! Kind `table`: diff, plan and SQL for whole tables (their columns, constraints and indexes
//! are kinds of their own; a new table's are planned here so they come in one piece).
//!
//! - A new table is one `CREATE TABLE` with its columns, primary key, uniques and checks (they
//!   depend only on the table); its foreign keys are separate steps, so tables can reference
//!   each other in any order and in cycles; its indexes and comments follow.
//! - A dropped table's foreign keys are dropped first (as steps of their own), so tables can
//!   be dropped in any order; the sequences its columns own go with it.
//! - A declared rename (`renamed_from`) is `ALTER TABLE … RENAME TO`, keeping the rows.
//! - A partition whose bound changes is detached and attached again with the new bound,
//!   keeping its rows (PostgreSQL checks them against it); a partition the spec declares as a
//!   table of its own is detached, keeping its rows, and then altered like any table from what
//!   PostgreSQL leaves ([`detached`]).

use std::fmt;

use crate::model::{
    ConstraintKind, ObjectRef, PartitionBound, QualifiedName, ReplicaIdentity, Schema, Table,
};
use crate::plan::{Builder, HazardKind, LockLevel};
use crate::sql_ident::{qualified, quote};

use super::constraint::{self, Constraint};
use super::{Change, column, comment_text, index, sequence};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChange {
    Add(Table),
    Drop(Table),
    Rename {
        from: QualifiedName,
        to: QualifiedName,
    },
    AlterComment {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    /// Storage parameters (`with:`) changed.
    AlterStorage {
        table: QualifiedName,
        from: crate::model::IndexOptions,
        to: crate::model::IndexOptions,
    },
    /// `unlogged` changed: the table is rewritten.
    AlterPersistence {
        table: QualifiedName,
        unlogged: bool,
    },
    /// `REPLICA IDENTITY` changed.
    AlterReplicaIdentity {
        table: QualifiedName,
        from: ReplicaIdentity,
        to: ReplicaIdentity,
    },
    /// A partition's bound changed: `DETACH` and `ATTACH … FOR VALUES` the new one.
    Rebound {
        table: QualifiedName,
        parent: QualifiedName,
        from: PartitionBound,
        to: PartitionBound,
    },
    /// A partition becomes a table of its own: `DETACH PARTITION`. `partition` is the current
    /// table; `detached` what PostgreSQL makes of it, which the rest of the diff starts from.
    Detach {
        partition: Table,
        detached: Box<Table>,
    },
}

impl fmt::Display for TableChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |q: &QualifiedName| ObjectRef::Table(q.clone());
        match self {
            TableChange::Add(x) => write!(f, "add {}", t(&x.name)),
            TableChange::Drop(x) => write!(f, "drop {}", t(&x.name)),
            TableChange::Rename { from, to } => write!(
                f,
                "rename {} to {}",
                t(from),
                crate::sql_ident::display(&to.name)
            ),
            TableChange::AlterComment { table, .. } => write!(f, "change comment on {}", t(table)),
            TableChange::AlterStorage { table, .. } => {
                write!(f, "change storage parameters of {}", t(table))
            }
            TableChange::AlterPersistence { table, unlogged } => write!(
                f,
                "make {} {}",
                t(table),
                if *unlogged { "unlogged" } else { "logged" }
            ),
            TableChange::AlterReplicaIdentity { table, .. } => {
                write!(f, "change the replica identity of {}", t(table))
            }
            TableChange::Rebound { table, to, .. } => {
                write!(f, "move {} to {}", t(table), to.sql())
            }
            TableChange::Detach { partition, .. } => {
                write!(f, "detach {} from its parent", t(&partition.name))
            }
        }
    }
}

/// Adds and drops of tables (`current` with renames applied), and comment changes of the
/// tables on both sides.
pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for t in &current.tables {
        if desired.table(&t.name).is_none() {
            out.push(Change::Table(TableChange::Drop(t.clone())));
        }
    }
    for t in &desired.tables {
        match current.table(&t.name) {
            None => {
                let mut t = t.clone();
                t.renamed_from = None;
                for c in &mut t.columns {
                    c.renamed_from = None;
                }
                out.push(Change::Table(TableChange::Add(t)));
            }
            Some(c) => {
                if c.comment != t.comment {
                    out.push(Change::Table(TableChange::AlterComment {
                        table: t.name.clone(),
                        from: c.comment.clone(),
                        to: t.comment.clone(),
                    }))
                }
                if c.storage != t.storage {
                    out.push(Change::Table(TableChange::AlterStorage {
                        table: t.name.clone(),
                        from: c.storage.clone(),
                        to: t.storage.clone(),
                    }))
                }
                if c.unlogged != t.unlogged {
                    out.push(Change::Table(TableChange::AlterPersistence {
                        table: t.name.clone(),
                        unlogged: t.unlogged,
                    }))
                }
                if c.replica_identity != t.replica_identity {
                    out.push(Change::Table(TableChange::AlterReplicaIdentity {
                        table: t.name.clone(),
                        from: c.replica_identity.clone(),
                        to: t.replica_identity.clone(),
                    }))
                }
            }
        }
    }
}

/// `CREATE TABLE` with columns, primary key, uniques and checks inline; for a partition,
/// `PARTITION OF` its parent with its own checks and its bound; for a partitioned table, its
/// `PARTITION BY`.
pub fn create_sql(table: &Table) -> String {
    let by = table
        .partition_by
        .as_ref()
        .map(|k| format!(" PARTITION BY {}", partition_key_sql(k)))
        .unwrap_or_default();
    if let Some(of) = &table.partition_of {
        let own: Vec<String> = table
            .checks
            .iter()
            .map(|c| format!("    {}", constraint::check_sql(c)))
            .collect();
        let own = if own.is_empty() {
            String::new()
        } else {
            format!(" (\n{}\n)", own.join(",\n"))
        };
        return format!(
            "CREATE TABLE {} PARTITION OF {}{own} {}{by}",
            qualified(&table.name),
            qualified(&of.parent),
            of.bound.sql()
        );
    }
    let with = if table.storage.is_empty() {
        String::new()
    } else {
        format!(
            " WITH ({})",
            table
                .storage
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!("{}{by}{with}", plain_create_sql(table))
}

/// `ALTER TABLE … SET UNLOGGED` / `SET LOGGED`.
pub fn persistence_sql(name: &QualifiedName, unlogged: bool) -> String {
    format!(
        "ALTER TABLE {} SET {}",
        qualified(name),
        if unlogged { "UNLOGGED" } else { "LOGGED" }
    )
}

/// `RANGE (created_at)`: a partition key as `PARTITION BY` takes it.
pub fn partition_key_sql(key: &crate::model::PartitionKey) -> String {
    let keys: Vec<String> = key
        .keys
        .iter()
        .map(|k| match k {
            crate::model::IndexTarget::Column(c) => quote(c),
            crate::model::IndexTarget::Expr(e) => format!("({e})"),
        })
        .collect();
    format!("{} ({})", key.strategy.keyword(), keys.join(", "))
}

fn plain_create_sql(table: &Table) -> String {
    let mut items: Vec<String> = table
        .columns
        .iter()
        .map(|c| column::definition_sql(&table.name, c))
        .collect();
    if let Some(pk) = &table.primary_key {
        items.push(constraint::primary_key_sql(pk));
    }
    items.extend(table.uniques.iter().map(constraint::unique_sql));
    // A NOT VALID check is added after the table (inside CREATE TABLE it would be valid).
    items.extend(
        table
            .checks
            .iter()
            .filter(|c| !c.not_valid)
            .map(constraint::check_sql),
    );
    let body = items
        .iter()
        .map(|i| format!("    {i}"))
        .collect::<Vec<_>>()
        .join(",\n");
    if body.is_empty() {
        format!("CREATE TABLE {} ()", qualified(&table.name))
    } else {
        format!(
            "CREATE {}TABLE {} (\n{body}\n)",
            if table.unlogged { "UNLOGGED " } else { "" },
            qualified(&table.name)
        )
    }
}

/// `ALTER TABLE … REPLICA IDENTITY …`.
pub fn replica_identity_sql(table: &QualifiedName, ri: &ReplicaIdentity) -> String {
    let what = match ri {
        ReplicaIdentity::Default => "DEFAULT".to_string(),
        ReplicaIdentity::Full => "FULL".to_string(),
        ReplicaIdentity::Nothing => "NOTHING".to_string(),
        ReplicaIdentity::Index(i) => format!("USING INDEX {}", quote(i)),
    };
    format!("ALTER TABLE {} REPLICA IDENTITY {what}", qualified(table))
}

/// The index a replica identity uses, as an object to order around.
fn replica_index(table: &QualifiedName, ri: &ReplicaIdentity) -> Vec<ObjectRef> {
    match ri {
        ReplicaIdentity::Index(i) => vec![ObjectRef::index(table, i)],
        _ => Vec::new(),
    }
}

/// `ALTER TABLE parent DETACH PARTITION partition` (in a transaction: the parent is locked
/// against reads and writes for the moment it takes).
pub fn detach_sql(parent: &QualifiedName, partition: &QualifiedName) -> String {
    format!(
        "ALTER TABLE {} DETACH PARTITION {}",
        qualified(parent),
        qualified(partition)
    )
}

/// `ALTER TABLE parent ATTACH PARTITION partition FOR VALUES …` (PostgreSQL scans the
/// partition to check its rows fit the bound).
pub fn attach_sql(
    parent: &QualifiedName,
    partition: &QualifiedName,
    bound: &PartitionBound,
) -> String {
    format!(
        "ALTER TABLE {} ATTACH PARTITION {} {}",
        qualified(parent),
        qualified(partition),
        bound.sql()
    )
}

/// What PostgreSQL leaves of partition `part` of `schema` once it is detached: a table with
/// its root's columns (identity dropped: the identity sequence stays with the parent), NOT
/// NULL as they were, the checks and foreign keys of its ancestors under their names, and
/// their keys, exclusion constraints and indexes under the names PostgreSQL gave the
/// partition's copies (`<partition>_pkey`, `<partition>_<columns>_key`, `…_idx`, `…_excl`);
/// its own checks, indexes and comment, and its own partitioning.
pub fn detached(schema: &Schema, part: &Table) -> Table {
    let mut out = part.clone();
    out.partition_of = None;
    out.columns = schema
        .columns_of(part)
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if c.identity.take().is_some() {
                c.default = None;
            }
            c.comment = None;
            c.renamed_from = None;
            c
        })
        .collect();
    let name = part.name.name.as_str();
    let key_part = |keys: &[crate::model::IndexTarget]| -> String {
        let mut seen: Vec<String> = Vec::new();
        for k in keys {
            let base = match k {
                crate::model::IndexTarget::Column(c) => c.clone(),
                crate::model::IndexTarget::Expr(e) => {
                    expression_colname(e).unwrap_or_else(|| "expr".to_string())
                }
            };
            // PostgreSQL numbers a repeated name (`expr`, `expr1`).
            let mut candidate = base.clone();
            let mut n = 0;
            while seen.contains(&candidate) {
                n += 1;
                candidate = format!("{base}{n}");
            }
            seen.push(candidate);
        }
        seen.join("_")
    };
    let mut ancestors = Vec::new();
    let mut at = part
        .partition_of
        .as_ref()
        .and_then(|p| schema.table(&p.parent));
    for _ in 0..64 {
        let Some(t) = at else { break };
        ancestors.push(t);
        at = t
            .partition_of
            .as_ref()
            .and_then(|p| schema.table(&p.parent));
    }
    for a in &ancestors {
        if let Some(pk) = &a.primary_key {
            out.primary_key = Some(crate::model::PrimaryKey {
                name: crate::spec::names::primary_key(name),
                comment: None,
                index_comment: None,
                ..pk.clone()
            });
        }
        for u in &a.uniques {
            let cols: Vec<&str> = u.columns.iter().map(String::as_str).collect();
            out.uniques.push(crate::model::Unique {
                name: crate::spec::names::column_constraint(name, &cols, "key"),
                comment: None,
                index_comment: None,
                ..u.clone()
            });
        }
        for c in a.checks.iter().filter(|c| !c.no_inherit) {
            out.checks.push(crate::model::Check {
                comment: None,
                ..c.clone()
            });
        }
        for f in &a.foreign_keys {
            out.foreign_keys.push(crate::model::ForeignKey {
                comment: None,
                ..f.clone()
            });
        }
        for x in &a.exclusions {
            let targets: Vec<_> = x.elements.iter().map(|e| e.key.target.clone()).collect();
            out.exclusions.push(crate::model::Exclusion {
                name: crate::spec::names::make_object_name(
                    name,
                    Some(&key_part(&targets)),
                    Some("excl"),
                ),
                comment: None,
                index_comment: None,
                ..x.clone()
            });
        }
        for i in &a.indexes {
            // The name is made of every column, INCLUDE ones too.
            let mut targets: Vec<_> = i.keys.iter().map(|k| k.target.clone()).collect();
            targets.extend(
                i.include
                    .iter()
                    .map(|c| crate::model::IndexTarget::Column(c.clone())),
            );
            out.indexes.push(crate::model::Index {
                name: crate::spec::names::make_object_name(
                    name,
                    Some(&key_part(&targets)),
                    Some("idx"),
                ),
                comment: None,
                ..i.clone()
            });
        }
    }
    out
}

/// The name PostgreSQL gives an index expression's column (`FigureIndexColname`), which it
/// uses in the names it derives: a function call's name (`lower(body)` → `lower`), a column's
/// (also through a cast: `embedding::halfvec(3072)` → `embedding`), else a cast's type
/// (`(a + b)::text` → `text`); `None` when it has none (PostgreSQL then says `expr`).
fn expression_colname(expr: &str) -> Option<String> {
    let mut s = expr.trim();
    // Outer parentheses around the whole expression.
    while s.starts_with('(') && closing(s, 0) == Some(s.len() - 1) {
        s = s[1..s.len() - 1].trim();
    }
    if let Some(at) = last_top_level(s, "::") {
        let (inner, ty) = (&s[..at], s[at + 2..].trim());
        return expression_colname(inner).or_else(|| {
            let word: String = ty
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '"')
                .collect();
            let last = word.rsplit('.').next().unwrap_or("").trim_matches('"');
            (!last.is_empty()).then(|| last.to_lowercase())
        });
    }
    let ident_end = s
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '.' || *c == '"'))
        .map_or(s.len(), |(i, _)| i);
    let ident = &s[..ident_end];
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let last = ident.rsplit('.').next().unwrap_or(ident);
    let name = if last.starts_with('"') {
        last.trim_matches('"').to_string()
    } else {
        last.to_lowercase()
    };
    let rest = s[ident_end..].trim_start();
    if rest.is_empty() {
        return Some(name);
    }
    let open = s.len() - rest.len();
    (rest.starts_with('(') && closing(s, open) == Some(s.len() - 1)).then_some(name)
}

/// The index of the `)` closing the `(` at `open`, skipping quoted text.
fn closing(s: &str, open: usize) -> Option<usize> {
    let depth = crate::sql_lex::depths(s).find(|(i, _, _)| *i == open)?.2;
    crate::sql_lex::depths(s)
        .find(|(i, c, d)| *i > open && *c == ')' && *d == depth)
        .map(|(i, _, _)| i)
}

/// The byte index of the last `needle` outside parentheses and quotes.
fn last_top_level(s: &str, needle: &str) -> Option<usize> {
    crate::sql_lex::depths(s)
        .filter(|(i, _, d)| *d == 0 && s[*i..].starts_with(needle))
        .map(|(i, _, _)| i)
        .last()
}

/// `DROP TABLE` (without CASCADE: what references it is dropped explicitly first).
pub fn drop_sql(name: &QualifiedName) -> String {
    format!("DROP TABLE {}", qualified(name))
}

/// `ALTER TABLE … RENAME TO`: keeps the data (a declared rename is never drop + add).
pub fn rename_sql(from: &QualifiedName, to: &str) -> String {
    format!("ALTER TABLE {} RENAME TO {}", qualified(from), quote(to))
}

/// `COMMENT ON TABLE`; `None` removes the comment.
pub fn comment_sql(table: &QualifiedName, text: Option<&str>) -> String {
    format!(
        "COMMENT ON TABLE {} IS {}",
        qualified(table),
        comment_text(text)
    )
}

/// Everything `CREATE TABLE` (as [`create_sql`] writes it) brings into existence; a
/// partition gets its parent's columns (`schema` says which they are).
fn created_objects(schema: &Schema, t: &Table) -> Vec<ObjectRef> {
    let mut out = vec![ObjectRef::Table(t.name.clone())];
    out.extend(
        schema
            .columns_of(t)
            .iter()
            .map(|c| ObjectRef::column(&t.name, &c.name)),
    );
    let mut keyed = |kind: ConstraintKind, name: &str| {
        out.push(ObjectRef::constraint(&t.name, kind, name));
        if kind != ConstraintKind::Check {
            // A key's index has the constraint's name.
            out.push(ObjectRef::index(&t.name, name));
        }
    };
    if let Some(pk) = &t.primary_key {
        keyed(ConstraintKind::PrimaryKey, &pk.name);
    }
    for u in &t.uniques {
        keyed(ConstraintKind::Unique, &u.name);
    }
    for c in t.checks.iter().filter(|c| !c.not_valid) {
        keyed(ConstraintKind::Check, &c.name);
    }
    out
}

/// The constraints `CREATE TABLE` writes inline (keys and valid checks), for their comments.
fn inline_constraints(t: &Table) -> Vec<Constraint> {
    constraint::constraints(t)
        .into_iter()
        .filter(|c| {
            !matches!(c, Constraint::ForeignKey(_) | Constraint::Exclusion(_)) && !c.not_valid()
        })
        .collect()
}

/// The constraints added after `CREATE TABLE` (besides foreign keys): `NOT VALID` checks
/// (inside `CREATE TABLE` they would be valid) and exclusion constraints (steps of their own,
/// ordered after what their expressions call).
fn later_constraints(t: &Table) -> impl Iterator<Item = Constraint> + '_ {
    t.checks
        .iter()
        .filter(|c| c.not_valid)
        .cloned()
        .map(Constraint::Check)
        .chain(t.exclusions.iter().cloned().map(Constraint::Exclusion))
}

/// What `CREATE TABLE` refers to outside the table: column types, sequences of defaults, and a
/// partition's parent.
fn outside_dependencies(schema: &Schema, t: &Table) -> Vec<ObjectRef> {
    let own = created_objects(schema, t);
    let mut out: Vec<ObjectRef> = t
        .columns
        .iter()
        .flat_map(|c| column::dependencies(t, c))
        .filter(|o| !own.contains(o))
        .collect();
    if let Some(of) = &t.partition_of {
        out.push(ObjectRef::Table(of.parent.clone()));
    }
    out
}

/// What recreates a dropped table's structure: the sequences it owns, the table, its indexes,
/// ownership and comments (its foreign keys are separate steps).
fn structure_sql(schema: &Schema, t: &Table) -> Vec<String> {
    let owned: Vec<_> = schema.owned_sequences(&t.name).collect();
    let mut out: Vec<String> = owned.iter().map(|s| sequence::create_sql(s)).collect();
    out.push(create_sql(t));
    for c in inline_constraints(t) {
        out.extend(constraint::comments_sql(&t.name, None, &c));
    }
    for c in later_constraints(t) {
        out.extend(constraint::create_sql(&t.name, &c));
    }
    out.extend(
        t.indexes
            .iter()
            .map(|i| index::create_sql(&t.name, i, index::Build::Plain)),
    );
    for s in &owned {
        out.extend(sequence::restore_sql(s));
    }
    if let Some(c) = &t.comment {
        out.push(comment_sql(&t.name, Some(c)));
    }
    for col in &t.columns {
        if let Some(c) = &col.comment {
            out.push(column::comment_sql(&t.name, &col.name, Some(c)));
        }
        out.extend(column::settings_sql(
            &t.name,
            &column::default_settings(col),
            col,
        ));
    }
    for i in &t.indexes {
        if let Some(c) = &i.comment {
            out.push(index::comment_sql(&t.name, &i.name, Some(c)));
        }
    }
    if !t.replica_identity.is_default() {
        out.push(replica_identity_sql(&t.name, &t.replica_identity));
    }
    out
}

pub(crate) fn plan(change: &TableChange, b: &mut Builder<'_>) {
    match change {
        TableChange::AlterReplicaIdentity { table, from, to } => {
            let me = ObjectRef::Table(table.clone());
            b.step(
                &me,
                vec![replica_identity_sql(table, to)],
                Some(vec![replica_identity_sql(table, from)]),
            )
            .requires([me.clone()])
            .requires(replica_index(table, to))
            .releases(replica_index(table, from))
            .lock(LockLevel::AccessExclusive, &me);
        }
        TableChange::Rebound {
            table,
            parent,
            from,
            to,
        } => {
            let me = ObjectRef::Table(table.clone());
            let up = vec![detach_sql(parent, table), attach_sql(parent, table, to)];
            let down = vec![detach_sql(parent, table), attach_sql(parent, table, from)];
            b.step(&me, up, Some(down))
                .requires([me.clone(), ObjectRef::Table(parent.clone())])
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(parent.clone()))
                .lock(LockLevel::AccessExclusive, &me)
                .hazard(
                    HazardKind::BlockingLock,
                    format!(
                        "moving {me} to {} detaches and attaches it: {} is locked against reads and writes while its rows are checked against the new bound",
                        to.sql(),
                        ObjectRef::Table(parent.clone())
                    ),
                )
                .hazard(
                    HazardKind::MayFail,
                    format!(
                        "attaching {me} {} fails if it holds rows outside that bound (or another partition, the default one included, holds rows inside it)",
                        to.sql()
                    ),
                );
        }
        TableChange::Detach {
            partition,
            detached,
        } => {
            let Some(of) = &partition.partition_of else {
                return;
            };
            let me = ObjectRef::Table(partition.name.clone());
            let parent = &of.parent;
            // Its NOT NULL constraints keep the parent's names; they take the names
            // PostgreSQL derives for a table of its own (and back before re-attaching).
            let mut up = vec![detach_sql(parent, &partition.name)];
            let mut down = Vec::new();
            for c in detached.columns.iter().filter(|c| !c.nullable) {
                let theirs = column::not_null_name(&parent.name, &c.name);
                let mine = column::not_null_name(&partition.name.name, &c.name);
                up.push(column::not_null_rename_sql(&partition.name, &theirs, &mine));
                down.push(column::not_null_rename_sql(&partition.name, &mine, &theirs));
            }
            down.push(attach_sql(parent, &partition.name, &of.bound));
            // Every step on the table (each implies it requires the table) comes after.
            b.step(&me, up, Some(down))
                .requires([ObjectRef::Table(parent.clone())])
                .provides([me.clone()])
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(parent.clone()))
                .lock(LockLevel::AccessExclusive, &me)
                .hazard(
                    HazardKind::BlockingLock,
                    format!(
                        "detaching {me} keeps its rows but locks {} against reads and writes while it runs (no scan); its rows leave the partitioned table",
                        ObjectRef::Table(parent.clone())
                    ),
                );
        }
        TableChange::Add(t) => plan_add(b, t),
        TableChange::Drop(t) => plan_drop(b, t),
        TableChange::Rename { from, to } => {
            let me = ObjectRef::Table(to.clone());
            let mut up = vec![rename_sql(from, &to.name)];
            let mut down = vec![rename_sql(to, &from.name)];
            // The NOT NULL constraints PostgreSQL 18 named after the old table follow it.
            for c in
                b.cx.current
                    .table(from)
                    .into_iter()
                    .flat_map(|t| t.columns.iter().filter(|c| !c.nullable))
            {
                let old = column::not_null_name(&from.name, &c.name);
                let new = column::not_null_name(&to.name, &c.name);
                up.push(column::not_null_rename_sql(to, &old, &new));
                down.insert(0, column::not_null_rename_sql(to, &new, &old));
            }
            b.step(&me, up, Some(down))
                .removes([ObjectRef::Table(from.clone())])
                .provides([me.clone()])
                .is_rename()
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(from.clone()));
        }
        TableChange::AlterStorage { table, from, to } => {
            let me = ObjectRef::Table(table.clone());
            b.step(
                &me,
                super::storage_change_sql("TABLE", table, from, to),
                Some(super::storage_change_sql("TABLE", table, to, from)),
            )
            .requires([me.clone()])
            .lock(LockLevel::ShareUpdateExclusive, &me);
        }
        TableChange::AlterPersistence { table, unlogged } => {
            let me = ObjectRef::Table(table.clone());
            b.step(
                &me,
                vec![persistence_sql(table, *unlogged)],
                Some(vec![persistence_sql(table, !*unlogged)]),
            )
            .requires([me.clone()])
            .lock(LockLevel::AccessExclusive, &me)
            .hazard(
                HazardKind::TableRewrite,
                format!(
                    "making {me} {} rewrites it under an exclusive lock{}",
                    if *unlogged { "unlogged" } else { "logged" },
                    if *unlogged {
                        "; an unlogged table is emptied after a crash and not replicated"
                    } else {
                        " and writes all of it to the WAL"
                    }
                ),
            );
        }
        TableChange::AlterComment { table, from, to } => {
            let me = ObjectRef::Table(table.clone());
            b.step(
                &me,
                vec![comment_sql(table, to.as_deref())],
                Some(vec![comment_sql(table, from.as_deref())]),
            )
            .requires([me.clone()]);
        }
    }
}

/// The spec's functions a table's defaults, generated columns and checks call: created first.
fn function_calls(schema: &Schema, t: &Table) -> Vec<ObjectRef> {
    let mut out: Vec<ObjectRef> = t
        .columns
        .iter()
        .flat_map(|c| column::function_calls(schema, c))
        .collect();
    for c in &t.checks {
        out.extend(super::function::calls_in(&c.expr, &schema.functions));
    }
    out
}

fn plan_add(b: &mut Builder<'_>, t: &Table) {
    let me = ObjectRef::Table(t.name.clone());
    let calls = function_calls(b.cx.desired, t);
    let schema = b.cx.desired;
    b.step(&me, vec![create_sql(t)], Some(vec![drop_sql(&t.name)]))
        .provides(created_objects(schema, t))
        .requires(outside_dependencies(schema, t))
        .requires(calls);
    if let Some(of) = &t.partition_of {
        let has_default = schema.partitions_of(&of.parent).any(|o| {
            o.partition_of
                .as_ref()
                .is_some_and(|p| p.bound == PartitionBound::Default)
        });
        if has_default && of.bound != PartitionBound::Default {
            let at = b.last();
            b.hazard_on(
                at,
                HazardKind::MayFail,
                format!(
                    "{me} takes rows that {}'s default partition may hold: PostgreSQL scans the default partition and fails if any of its rows belong here",
                    ObjectRef::Table(of.parent.clone())
                ),
            );
        }
    }
    let create = b.last();
    for c in inline_constraints(t) {
        let comments = constraint::comments_sql(&t.name, None, &c);
        if !comments.is_empty() {
            let what = ObjectRef::constraint(&t.name, c.kind(), c.name());
            let undo = constraint::comments_sql(&t.name, Some(&c), &c.definition());
            b.step(&what, comments, Some(undo)).requires([what.clone()]);
        }
    }
    for c in later_constraints(t) {
        constraint::plan_add(b, &t.name, &c);
        let at = b.last();
        b.order(create, at);
    }
    for fk in &t.foreign_keys {
        constraint::plan_add(b, &t.name, &Constraint::ForeignKey(fk.clone()));
        let at = b.last();
        b.order(create, at);
    }
    for i in &t.indexes {
        index::plan_add(b, &t.name, i);
        let at = b.last();
        b.order(create, at);
    }
    if let Some(c) = &t.comment {
        b.step(
            &me,
            vec![comment_sql(&t.name, Some(c))],
            Some(vec![comment_sql(&t.name, None)]),
        )
        .requires([me.clone()]);
    }
    for col in &t.columns {
        let what = ObjectRef::column(&t.name, &col.name);
        if let Some(c) = &col.comment {
            b.step(
                &what,
                vec![column::comment_sql(&t.name, &col.name, Some(c))],
                Some(vec![column::comment_sql(&t.name, &col.name, None)]),
            )
            .requires([what.clone()]);
        }
        let plain = column::default_settings(col);
        let settings = column::settings_sql(&t.name, &plain, col);
        if !settings.is_empty() {
            b.step(
                &what,
                settings,
                Some(column::settings_sql(&t.name, col, &plain)),
            )
            .requires([what.clone()]);
        }
    }
    if !t.replica_identity.is_default() {
        b.step(
            &me,
            vec![replica_identity_sql(&t.name, &t.replica_identity)],
            Some(vec![replica_identity_sql(
                &t.name,
                &ReplicaIdentity::Default,
            )]),
        )
        .requires([me.clone()])
        .requires(replica_index(&t.name, &t.replica_identity));
    }
}

fn plan_drop(b: &mut Builder<'_>, t: &Table) {
    let cx = b.cx;
    for fk in &t.foreign_keys {
        constraint::plan_drop(b, &t.name, &Constraint::ForeignKey(fk.clone()));
    }
    let me = ObjectRef::Table(t.name.clone());
    let mut removed = created_objects(&cx.renamed, t);
    removed.extend(t.indexes.iter().map(|i| ObjectRef::index(&t.name, &i.name)));
    for c in later_constraints(t) {
        removed.push(ObjectRef::constraint(&t.name, c.kind(), c.name()));
        if matches!(c, Constraint::Exclusion(_)) {
            removed.push(ObjectRef::index(&t.name, c.name()));
        }
    }
    removed.extend(
        cx.renamed
            .owned_sequences(&t.name)
            .map(|s| ObjectRef::Sequence(s.name.clone())),
    );
    b.step(
        &me,
        vec![drop_sql(&t.name)],
        Some(structure_sql(&cx.renamed, t)),
    )
    .removes(removed)
    .releases(outside_dependencies(&cx.renamed, t))
    .releases(function_calls(&cx.renamed, t))
    .lock(LockLevel::AccessExclusive, &me)
    .hazard(
        HazardKind::DataLoss,
        match &t.partition_of {
            // Dropped to be created again (a diff does this when the partitioning changes).
            _ if cx.desired.table(&t.name).is_some() => format!(
                "{me} is partitioned differently in the spec (another key, bound or parent, or partitioned where it was not): it is dropped and created again, and its rows are not kept; copy them out first if they matter"
            ),
            Some(of) => format!(
                "dropping {me}, the partition of {} {}, destroys the rows it holds; the down step recreates it empty",
                ObjectRef::Table(of.parent.clone()),
                of.bound.sql()
            ),
            None => format!("dropping {me} destroys all its rows; the down step recreates it empty"),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::expression_colname;

    #[test]
    fn index_expression_names_follow_postgres() {
        assert_eq!(expression_colname("lower(body)").as_deref(), Some("lower"));
        assert_eq!(
            expression_colname("(embedding::halfvec(3072))").as_deref(),
            Some("embedding")
        );
        assert_eq!(expression_colname("(a + b)::text").as_deref(), Some("text"));
        assert_eq!(expression_colname("a + b"), None);
        assert_eq!(expression_colname("public.f(x, ')')").as_deref(), Some("f"));
        assert_eq!(expression_colname("\"Mixed\"").as_deref(), Some("Mixed"));
        assert_eq!(expression_colname("lower(a) || b"), None);
    }
}

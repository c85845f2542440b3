//! Step `diff` of the data flow: two [`Schema`]s (`current`, `desired`) → the named [`Change`]s
//! that take one to the other. Pure logic over the model: no SQL here (that is `plan`), no
//! database.
//!
//! Rules:
//! - Objects are matched by name. A table or column whose desired side declares
//!   `renamed_from` is matched to the old name when the old name exists in `current` and the new
//!   one does not, so a rename is a [`Change::RenameTable`]/[`Change::RenameColumn`], never a
//!   drop and an add; a declared rename that no longer applies (already done) is ignored.
//! - After renames, the current side is compared as if the renames had happened: foreign keys,
//!   key lists and index columns that named an old column or table name name the new one.
//! - A modified constraint is a drop plus an add. A modified index is a [`Change::ReplaceIndex`]
//!   (the planner builds the new one before dropping the old). An index or constraint that is
//!   unchanged except for its name is renamed.
//! - Enum labels: appended or inserted labels are [`Change::AddEnumValue`]s with their position;
//!   a removed or reordered label makes a [`Change::RecreateEnum`].
//! - Column order is not managed: a new column is added at the end of its table.
//! - The output order is deterministic: by object kind, then by name. The planner, not the
//!   diff, decides execution order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ddl::{ConstraintKind, EnumValuePosition, ObjectRef};
use crate::model::{
    Check, Column, ColumnType, Enum, Extension, ForeignKey, Index, IndexTarget, Namespace,
    PrimaryKey, QualifiedName, Schema, Table, Unique,
};

/// A table constraint of any kind, so that add/drop/rename need one change variant each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(Unique),
    Check(Check),
    ForeignKey(ForeignKey),
}

impl Constraint {
    /// The constraint's name, which is its identity within a table.
    pub fn name(&self) -> &str {
        match self {
            Constraint::PrimaryKey(c) => &c.name,
            Constraint::Unique(c) => &c.name,
            Constraint::Check(c) => &c.name,
            Constraint::ForeignKey(c) => &c.name,
        }
    }

    /// The kind, as `ddl` names it (sets the phase and the annotation of its SQL).
    pub fn kind(&self) -> ConstraintKind {
        match self {
            Constraint::PrimaryKey(_) => ConstraintKind::PrimaryKey,
            Constraint::Unique(_) => ConstraintKind::Unique,
            Constraint::Check(_) => ConstraintKind::Check,
            Constraint::ForeignKey(_) => ConstraintKind::ForeignKey,
        }
    }

    fn with_name(&self, name: &str) -> Constraint {
        let mut c = self.clone();
        match &mut c {
            Constraint::PrimaryKey(x) => x.name = name.into(),
            Constraint::Unique(x) => x.name = name.into(),
            Constraint::Check(x) => x.name = name.into(),
            Constraint::ForeignKey(x) => x.name = name.into(),
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
    out
}

/// One difference between `current` and `desired`, carrying both sides where there are two, so
/// the planner can write the forward and the reverse SQL and explain each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    AddNamespace(Namespace),
    DropNamespace(Namespace),
    AlterNamespaceComment {
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
    AddExtension(Extension),
    DropExtension(Extension),
    /// Version or schema of an installed extension; `to.version == None` never asks for a change.
    AlterExtension {
        from: Extension,
        to: Extension,
    },
    AddEnum(Enum),
    DropEnum(Enum),
    /// A new label, at a position that keeps the desired sort order.
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumValuePosition,
    },
    /// Labels were removed or reordered: PostgreSQL cannot do that in place, so the type is
    /// rebuilt and every column using it is converted (rows holding a removed label fail).
    RecreateEnum {
        from: Enum,
        to: Enum,
    },
    AlterEnumComment {
        name: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    AddTable(Table),
    DropTable(Table),
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    AlterTableComment {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Any facet of a column changed (type, nullability, default, identity, generated
    /// expression, comment); `from` already carries the column's new name after a rename.
    AlterColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    AddConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    DropConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    RenameConstraint {
        table: QualifiedName,
        kind: ConstraintKind,
        from: String,
        to: String,
    },
    AddIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    /// Same name, different definition: built anew, then swapped in.
    ReplaceIndex {
        table: QualifiedName,
        from: Index,
        to: Index,
    },
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AlterIndexComment {
        table: QualifiedName,
        index: String,
        from: Option<String>,
        to: Option<String>,
    },
}

impl fmt::Display for Change {
    /// One line for `-- from:` annotations and messages; names are escaped by [`ObjectRef`]'s
    /// display, so no name can break out of a comment line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = |t: &QualifiedName| ObjectRef::Table(t.clone());
        let column = |t: &QualifiedName, c: &str| ObjectRef::Column {
            table: t.clone(),
            column: c.to_string(),
        };
        let index = |t: &QualifiedName, i: &str| ObjectRef::Index {
            table: t.clone(),
            name: i.to_string(),
        };
        let constraint = |t: &QualifiedName, k: ConstraintKind, n: &str| ObjectRef::Constraint {
            table: t.clone(),
            kind: k,
            name: n.to_string(),
        };
        match self {
            Change::AddNamespace(n) => write!(f, "add {}", ObjectRef::Schema(n.name.clone())),
            Change::DropNamespace(n) => write!(f, "drop {}", ObjectRef::Schema(n.name.clone())),
            Change::AlterNamespaceComment { name, .. } => {
                write!(f, "change comment on {}", ObjectRef::Schema(name.clone()))
            }
            Change::AddExtension(e) => write!(f, "add {}", ObjectRef::Extension(e.name.clone())),
            Change::DropExtension(e) => {
                write!(f, "drop {}", ObjectRef::Extension(e.name.clone()))
            }
            Change::AlterExtension { to, .. } => {
                write!(f, "alter {}", ObjectRef::Extension(to.name.clone()))
            }
            Change::AddEnum(e) => write!(f, "add {}", ObjectRef::Enum(e.name.clone())),
            Change::DropEnum(e) => write!(f, "drop {}", ObjectRef::Enum(e.name.clone())),
            Change::AddEnumValue { name, value, .. } => write!(
                f,
                "add value {} to {}",
                escape_label(value),
                ObjectRef::Enum(name.clone())
            ),
            Change::RecreateEnum { to, .. } => write!(
                f,
                "recreate {} (labels removed or reordered)",
                ObjectRef::Enum(to.name.clone())
            ),
            Change::AlterEnumComment { name, .. } => {
                write!(f, "change comment on {}", ObjectRef::Enum(name.clone()))
            }
            Change::AddTable(t) => write!(f, "add {}", table(&t.name)),
            Change::DropTable(t) => write!(f, "drop {}", table(&t.name)),
            Change::RenameTable { from, to } => {
                write!(f, "rename {} to {}", table(from), show_name(&to.name))
            }
            Change::AlterTableComment { table: t, .. } => {
                write!(f, "change comment on {}", table(t))
            }
            Change::AddColumn {
                table: t,
                column: c,
            } => write!(f, "add {}", column(t, &c.name)),
            Change::DropColumn {
                table: t,
                column: c,
            } => {
                write!(f, "drop {}", column(t, &c.name))
            }
            Change::RenameColumn { table: t, from, to } => {
                write!(f, "rename {} to {}", column(t, from), show_name(to))
            }
            Change::AlterColumn { table: t, from, to } => {
                write!(
                    f,
                    "alter {} ({})",
                    column(t, &to.name),
                    column_facets(from, to).join(", ")
                )
            }
            Change::AddConstraint {
                table: t,
                constraint: c,
            } => {
                write!(f, "add {}", constraint(t, c.kind(), c.name()))
            }
            Change::DropConstraint {
                table: t,
                constraint: c,
            } => {
                write!(f, "drop {}", constraint(t, c.kind(), c.name()))
            }
            Change::RenameConstraint {
                table: t,
                kind,
                from,
                to,
            } => write!(
                f,
                "rename {} to {}",
                constraint(t, *kind, from),
                show_name(to)
            ),
            Change::AddIndex { table: t, index: i } => write!(f, "add {}", index(t, &i.name)),
            Change::DropIndex { table: t, index: i } => write!(f, "drop {}", index(t, &i.name)),
            Change::ReplaceIndex { table: t, to, .. } => {
                write!(f, "replace {} (definition changed)", index(t, &to.name))
            }
            Change::RenameIndex { table: t, from, to } => {
                write!(f, "rename {} to {}", index(t, from), show_name(to))
            }
            Change::AlterIndexComment {
                table: t, index: i, ..
            } => write!(f, "change comment on {}", index(t, i)),
        }
    }
}

/// A new name for a one-line message, written as [`ObjectRef`] writes names (bare when plain,
/// quoted otherwise, control characters escaped).
fn show_name(name: &str) -> String {
    crate::sql_ident::display(name)
}

/// An enum label for a one-line message: quoted, control characters escaped.
fn escape_label(label: &str) -> String {
    crate::sql_ident::one_line(&crate::sql_ident::literal(label))
}

/// Names of the facets that differ between two versions of a column, for messages.
pub fn column_facets(from: &Column, to: &Column) -> Vec<&'static str> {
    let mut out = Vec::new();
    if from.ty != to.ty {
        out.push("type");
    }
    if from.nullable != to.nullable {
        out.push("nullability");
    }
    if from.default != to.default {
        out.push("default");
    }
    if from.identity != to.identity {
        out.push("identity");
    }
    if from.generated != to.generated {
        out.push("generated");
    }
    if from.comment != to.comment {
        out.push("comment");
    }
    out
}

/// The changes that take `current` to `desired`, in a deterministic order (kind, then name).
/// `diff(s, s)` is empty for every schema `s`.
pub fn diff(current: &Schema, desired: &Schema) -> Vec<Change> {
    let mut current = current.clone();
    current.normalize();
    let mut desired = desired.clone();
    desired.normalize();
    let mut out = Vec::new();

    diff_namespaces(&current, &desired, &mut out);
    diff_extensions(&current, &desired, &mut out);
    diff_enums(&current, &desired, &mut out);

    // Table renames, then column renames; the current side is rewritten as if they had run.
    let mut table_renames: BTreeMap<QualifiedName, QualifiedName> = BTreeMap::new();
    for t in &desired.tables {
        if let Some(old) = &t.renamed_from {
            let old = QualifiedName::new(&t.name.schema, old);
            if old != t.name && current.table(&old).is_some() && current.table(&t.name).is_none() {
                table_renames.insert(old, t.name.clone());
            }
        }
    }
    for (from, to) in &table_renames {
        out.push(Change::RenameTable {
            from: from.clone(),
            to: to.clone(),
        });
    }
    let mut column_renames: BTreeMap<QualifiedName, BTreeMap<String, String>> = BTreeMap::new();
    for t in &mut current.tables {
        if let Some(new) = table_renames.get(&t.name) {
            t.name = new.clone();
        }
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
                column_renames
                    .entry(t.name.clone())
                    .or_default()
                    .insert(old.clone(), c.name.clone());
            }
        }
    }
    for (table, renames) in &column_renames {
        let mut renames: Vec<_> = renames.iter().collect();
        renames.sort();
        for (from, to) in renames {
            out.push(Change::RenameColumn {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
    }
    apply_renames(&mut current, &table_renames, &column_renames);
    current.normalize();

    let current_names: BTreeSet<&QualifiedName> = current.tables.iter().map(|t| &t.name).collect();
    let desired_names: BTreeSet<&QualifiedName> = desired.tables.iter().map(|t| &t.name).collect();
    for t in &current.tables {
        if !desired_names.contains(&t.name) {
            out.push(Change::DropTable(t.clone()));
        }
    }
    for t in &desired.tables {
        if !current_names.contains(&t.name) {
            let mut t = t.clone();
            t.renamed_from = None;
            for c in &mut t.columns {
                c.renamed_from = None;
            }
            out.push(Change::AddTable(t));
        }
    }
    for d in &desired.tables {
        if let Some(c) = current.table(&d.name) {
            diff_table(c, d, &mut out);
        }
    }
    rebuild_dependent_foreign_keys(&current, &desired, &mut out);
    rebuild_enum_dependents(&current, &desired, &mut out);
    out
}

/// `current` as it stands once the renames among `changes` have run: the names a plan's later
/// steps use.
pub fn after_renames(current: &Schema, changes: &[Change]) -> Schema {
    let mut tables = BTreeMap::new();
    let mut columns: BTreeMap<QualifiedName, BTreeMap<String, String>> = BTreeMap::new();
    for c in changes {
        match c {
            Change::RenameTable { from, to } => {
                tables.insert(from.clone(), to.clone());
            }
            Change::RenameColumn { table, from, to } => {
                columns
                    .entry(table.clone())
                    .or_default()
                    .insert(from.clone(), to.clone());
            }
            _ => {}
        }
    }
    let mut s = current.clone();
    for t in &mut s.tables {
        if let Some(new) = tables.get(&t.name) {
            t.name = new.clone();
        }
    }
    apply_renames(&mut s, &tables, &columns);
    s
}

/// Rebuilding an enum converts its columns, and PostgreSQL re-parses every check and index on
/// them against the old type, where `status <> 'archived'` no longer resolves. So checks, and
/// indexes with a predicate or an expression, that mention a converted column are dropped and
/// added again around the rebuild (a replaced index is split into a drop and an add, since the
/// old one must be gone before the rebuild).
fn rebuild_enum_dependents(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let rebuilt: Vec<QualifiedName> = out
        .iter()
        .filter_map(|c| match c {
            Change::RecreateEnum { from, .. } => Some(from.name.clone()),
            _ => None,
        })
        .collect();
    let mut users: Vec<(QualifiedName, String)> = Vec::new();
    for e in &rebuilt {
        users.extend(enum_users(current, e).into_iter().map(|(t, c)| (t, c.name)));
    }
    if users.is_empty() {
        return;
    }
    let mentions = |table: &QualifiedName, text: &str| {
        users
            .iter()
            .any(|(t, c)| t == table && text.contains(c.as_str()))
    };
    let index_text = |i: &Index| {
        let mut text = i.predicate.clone().unwrap_or_default();
        for k in &i.keys {
            if let IndexTarget::Expr(e) = &k.target {
                text.push(' ');
                text.push_str(e);
            }
        }
        text
    };
    let mut extra = Vec::new();
    // Split replacements of affected indexes into drop + add.
    for c in out.iter_mut() {
        if let Change::ReplaceIndex { table, from, to } = c
            && (mentions(table, &index_text(from)) || mentions(table, &index_text(to)))
        {
            let (table, from, to) = (table.clone(), from.clone(), to.clone());
            *c = Change::DropIndex {
                table: table.clone(),
                index: from,
            };
            extra.push(Change::AddIndex { table, index: to });
        }
    }
    for t in &current.tables {
        let Some(d) = desired.table(&t.name) else {
            continue;
        };
        for ch in &t.checks {
            let touched = out.iter().any(|c| matches!(c, Change::DropConstraint { table, constraint } if table == &t.name && constraint.name() == ch.name));
            if !touched
                && mentions(&t.name, &ch.expr)
                && let Some(keep) = d.checks.iter().find(|x| x.name == ch.name)
            {
                extra.push(Change::DropConstraint {
                    table: t.name.clone(),
                    constraint: Constraint::Check(ch.clone()),
                });
                extra.push(Change::AddConstraint {
                    table: t.name.clone(),
                    constraint: Constraint::Check(keep.clone()),
                });
            }
        }
        for i in &t.indexes {
            let touched = out.iter().any(|c| matches!(c, Change::DropIndex { table, index } if table == &t.name && index.name == i.name));
            if !touched
                && mentions(&t.name, &index_text(i))
                && let Some(keep) = d.indexes.iter().find(|x| x.name == i.name)
            {
                extra.push(Change::DropIndex {
                    table: t.name.clone(),
                    index: i.clone(),
                });
                extra.push(Change::AddIndex {
                    table: t.name.clone(),
                    index: keep.clone(),
                });
            }
        }
    }
    out.extend(extra);
}

/// A primary key, unique constraint or unique index that is dropped or replaced takes the
/// foreign keys resting on it along (PostgreSQL refuses to drop it while they exist): each such
/// foreign key that the diff would otherwise keep is dropped and added again.
fn rebuild_dependent_foreign_keys(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let mut keys: Vec<(QualifiedName, Vec<String>)> = Vec::new();
    for c in out.iter() {
        match c {
            Change::DropConstraint {
                table,
                constraint: Constraint::PrimaryKey(PrimaryKey { columns, .. }),
            }
            | Change::DropConstraint {
                table,
                constraint: Constraint::Unique(Unique { columns, .. }),
            } => keys.push((table.clone(), columns.clone())),
            Change::DropIndex { table, index }
            | Change::ReplaceIndex {
                table, from: index, ..
            } if index.unique => {
                let columns = index
                    .keys
                    .iter()
                    .filter_map(|k| match &k.target {
                        IndexTarget::Column(c) => Some(c.clone()),
                        IndexTarget::Expr(_) => None,
                    })
                    .collect();
                keys.push((table.clone(), columns));
            }
            _ => {}
        }
    }
    let same_set = |a: &[String], b: &[String]| {
        let a: BTreeSet<&String> = a.iter().collect();
        let b: BTreeSet<&String> = b.iter().collect();
        a == b
    };
    let mut extra = Vec::new();
    for t in &desired.tables {
        let Some(cur) = current.table(&t.name) else {
            continue;
        };
        for fk in &t.foreign_keys {
            let kept = cur.foreign_keys.iter().any(|c| c == fk);
            let rests_on_changed_key = keys
                .iter()
                .any(|(table, cols)| *table == fk.ref_table && same_set(cols, &fk.ref_columns));
            if kept && rests_on_changed_key {
                extra.push(Change::DropConstraint {
                    table: t.name.clone(),
                    constraint: Constraint::ForeignKey(fk.clone()),
                });
                extra.push(Change::AddConstraint {
                    table: t.name.clone(),
                    constraint: Constraint::ForeignKey(fk.clone()),
                });
            }
        }
    }
    out.extend(extra);
}

fn diff_namespaces(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for n in &current.namespaces {
        if !desired.namespaces.iter().any(|d| d.name == n.name) {
            out.push(Change::DropNamespace(n.clone()));
        }
    }
    for d in &desired.namespaces {
        match current.namespaces.iter().find(|c| c.name == d.name) {
            None => out.push(Change::AddNamespace(d.clone())),
            Some(c) if c.comment != d.comment => out.push(Change::AlterNamespaceComment {
                name: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            }),
            Some(_) => {}
        }
    }
}

fn diff_extensions(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for e in &current.extensions {
        if !desired.extensions.iter().any(|d| d.name == e.name) {
            out.push(Change::DropExtension(e.clone()));
        }
    }
    for d in &desired.extensions {
        match current.extensions.iter().find(|c| c.name == d.name) {
            None => out.push(Change::AddExtension(d.clone())),
            Some(c) => {
                let version_differs = d.version.is_some() && d.version != c.version;
                let schema_differs = d.schema.is_some() && d.schema != c.schema;
                if version_differs || schema_differs {
                    out.push(Change::AlterExtension {
                        from: c.clone(),
                        to: d.clone(),
                    });
                }
            }
        }
    }
}

fn diff_enums(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    for e in &current.enums {
        if desired.enum_type(&e.name).is_none() {
            out.push(Change::DropEnum(e.clone()));
        }
    }
    for d in &desired.enums {
        let Some(c) = current.enum_type(&d.name) else {
            out.push(Change::AddEnum(d.clone()));
            continue;
        };
        if c.values != d.values {
            // Appending or inserting only if the current labels are a subsequence of the
            // desired ones in the same order.
            let kept: Vec<&String> = d.values.iter().filter(|v| c.values.contains(v)).collect();
            let only_added =
                kept.len() == c.values.len() && kept.iter().zip(&c.values).all(|(a, b)| *a == b);
            if only_added {
                // Each new label goes after its predecessor in the desired order (or before the
                // first label when it leads), so adding them in order reproduces that order.
                for (i, v) in d.values.iter().enumerate() {
                    if c.values.contains(v) {
                        continue;
                    }
                    let position = if i == 0 {
                        match c.values.first() {
                            Some(first) => EnumValuePosition::Before(first.clone()),
                            None => EnumValuePosition::End,
                        }
                    } else if i == d.values.len() - 1 {
                        EnumValuePosition::End
                    } else {
                        EnumValuePosition::After(d.values[i - 1].clone())
                    };
                    out.push(Change::AddEnumValue {
                        name: d.name.clone(),
                        value: v.clone(),
                        position,
                    });
                }
            } else {
                out.push(Change::RecreateEnum {
                    from: c.clone(),
                    to: d.clone(),
                });
            }
        }
        if c.comment != d.comment {
            out.push(Change::AlterEnumComment {
                name: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            });
        }
    }
}

/// Rewrites `schema` (the current side) as if the renames had run, so that the rest of the
/// diff compares by the new names.
/// `expr` with every identifier naming a renamed column replaced by the new name, as
/// PostgreSQL's own stored expressions change on `RENAME COLUMN`. String literals are skipped;
/// bare identifiers match case-insensitively (PostgreSQL folds them), quoted ones exactly. The
/// new name is written bare when it is a plain lower-case identifier, quoted otherwise.
pub fn rename_in_expr(expr: &str, renames: Option<&BTreeMap<String, String>>) -> String {
    let Some(renames) = renames.filter(|r| !r.is_empty()) else {
        return expr.to_string();
    };
    let write_name = |name: &str| {
        if crate::sql_ident::is_plain(name) {
            name.to_string()
        } else {
            crate::sql_ident::quote(name)
        }
    };
    let chars: Vec<char> = expr.chars().collect();
    let mut out = String::with_capacity(expr.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A string literal, with '' as an escaped quote.
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            let mut name = String::new();
            let mut j = i + 1;
            while j < chars.len() {
                if chars[j] == '"' {
                    if chars.get(j + 1) == Some(&'"') {
                        name.push('"');
                        j += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[j]);
                j += 1;
            }
            match renames.get(&name) {
                Some(new) => out.push_str(&write_name(new)),
                None => out.extend(&chars[i..(j + 1).min(chars.len())]),
            }
            i = j + 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `word(` is a function call and `::word` a type, never a column.
            let is_call = chars.get(i) == Some(&'(');
            let is_type = start >= 2 && chars[start - 1] == ':' && chars[start - 2] == ':';
            match renames.get(&word.to_lowercase()) {
                Some(new) if !is_call && !is_type => out.push_str(&write_name(new)),
                _ => out.push_str(&word),
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn apply_renames(
    schema: &mut Schema,
    tables: &BTreeMap<QualifiedName, QualifiedName>,
    columns: &BTreeMap<QualifiedName, BTreeMap<String, String>>,
) {
    let rename = |map: Option<&BTreeMap<String, String>>, c: &mut String| {
        if let Some(new) = map.and_then(|m| m.get(c.as_str())) {
            *c = new.clone();
        }
    };
    for t in &mut schema.tables {
        let map = columns.get(&t.name);
        for c in &mut t.columns {
            rename(map, &mut c.name);
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
        for c in &mut t.columns {
            if let Some(g) = &mut c.generated {
                *g = rename_in_expr(g, map);
            }
        }
        for fk in &mut t.foreign_keys {
            fk.columns.iter_mut().for_each(|c| rename(map, c));
            if let Some(new) = tables.get(&fk.ref_table) {
                fk.ref_table = new.clone();
            }
            let ref_map = columns.get(&fk.ref_table);
            fk.ref_columns.iter_mut().for_each(|c| rename(ref_map, c));
        }
    }
}

fn diff_table(current: &Table, desired: &Table, out: &mut Vec<Change>) {
    let name = &desired.name;
    if current.comment != desired.comment {
        out.push(Change::AlterTableComment {
            table: name.clone(),
            from: current.comment.clone(),
            to: desired.comment.clone(),
        });
    }
    // Dropped in reverse physical order, so a generated column goes before what it reads.
    for c in current.columns.iter().rev() {
        if desired.column(&c.name).is_none() {
            out.push(Change::DropColumn {
                table: name.clone(),
                column: c.clone(),
            });
        }
    }
    // PostgreSQL refuses to change the type of a column a generated column reads: such
    // generated columns are dropped and added again (after the type change, see `plan`). A
    // column name appearing in the expression counts as reading it (a cautious match).
    let retyped: Vec<&str> = desired
        .columns
        .iter()
        .filter(|d| current.column(&d.name).is_some_and(|c| c.ty != d.ty))
        .map(|d| d.name.as_str())
        .collect();
    let regenerate = |c: &Column, d: &Column| match (&c.generated, &d.generated) {
        (Some(a), Some(b)) => retyped
            .iter()
            .any(|r| *r != d.name && (a.contains(r) || b.contains(r))),
        _ => false,
    };
    for d in &desired.columns {
        let mut d = d.clone();
        d.renamed_from = None;
        match current.column(&d.name) {
            None => out.push(Change::AddColumn {
                table: name.clone(),
                column: d,
            }),
            Some(c) if regenerate(c, &d) => {
                out.push(Change::DropColumn {
                    table: name.clone(),
                    column: c.clone(),
                });
                out.push(Change::AddColumn {
                    table: name.clone(),
                    column: d,
                });
            }
            Some(c) => {
                let mut c = c.clone();
                c.renamed_from = None;
                if c != d {
                    out.push(Change::AlterColumn {
                        table: name.clone(),
                        from: c,
                        to: d,
                    });
                }
            }
        }
    }

    // Constraints: by name; same definition under another name is a rename.
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
    dropped.retain(|c| {
        if let Some(pos) = added.iter().position(|d| c.with_name(d.name()) == **d) {
            let d = added.remove(pos);
            renames.push((c.kind(), c.name().to_string(), d.name().to_string()));
            false
        } else {
            true
        }
    });
    for (kind, from, to) in renames {
        out.push(Change::RenameConstraint {
            table: name.clone(),
            kind,
            from,
            to,
        });
    }
    for c in &cur {
        let replaced = des.iter().any(|d| d.name() == c.name() && d != c);
        if replaced || dropped.iter().any(|x| x.name() == c.name()) {
            out.push(Change::DropConstraint {
                table: name.clone(),
                constraint: c.clone(),
            });
        }
    }
    for d in &des {
        let replaced = cur.iter().any(|c| c.name() == d.name() && c != d);
        if replaced || added.iter().any(|x| x.name() == d.name()) {
            out.push(Change::AddConstraint {
                table: name.clone(),
                constraint: d.clone(),
            });
        }
    }

    // Indexes: by name; same definition (comment aside) under another name is a rename.
    let same_def = |a: &Index, b: &Index| {
        let mut a = a.clone();
        a.name = b.name.clone();
        a.comment = b.comment.clone();
        a == *b
    };
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
        if let Some(pos) = added.iter().position(|d| same_def(c, d)) {
            let d = added.remove(pos);
            renamed.push((*c, d));
            false
        } else {
            true
        }
    });
    for (c, d) in renamed {
        out.push(Change::RenameIndex {
            table: name.clone(),
            from: c.name.clone(),
            to: d.name.clone(),
        });
        if c.comment != d.comment {
            out.push(Change::AlterIndexComment {
                table: name.clone(),
                index: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            });
        }
    }
    for c in dropped {
        out.push(Change::DropIndex {
            table: name.clone(),
            index: c.clone(),
        });
    }
    for d in added {
        out.push(Change::AddIndex {
            table: name.clone(),
            index: d.clone(),
        });
    }
    // An index over a column this diff drops disappears with the column, before an in-place
    // replacement could drop it: drop it explicitly first and build the new one.
    let reads_dropped_column = |i: &Index| {
        let dropped = |name: &str| desired.column(name).is_none();
        i.include.iter().any(|c| dropped(c))
            || i.keys.iter().any(|k| match &k.target {
                IndexTarget::Column(c) => dropped(c),
                IndexTarget::Expr(_) => false,
            })
    };
    for d in &desired.indexes {
        let Some(c) = current.indexes.iter().find(|c| c.name == d.name) else {
            continue;
        };
        if !same_def(c, d) && reads_dropped_column(c) {
            out.push(Change::DropIndex {
                table: name.clone(),
                index: c.clone(),
            });
            out.push(Change::AddIndex {
                table: name.clone(),
                index: d.clone(),
            });
        } else if !same_def(c, d) {
            out.push(Change::ReplaceIndex {
                table: name.clone(),
                from: c.clone(),
                to: d.clone(),
            });
        } else if c.comment != d.comment {
            out.push(Change::AlterIndexComment {
                table: name.clone(),
                index: d.name.clone(),
                from: c.comment.clone(),
                to: d.comment.clone(),
            });
        }
    }
}

/// Every column of `schema` whose type is the enum `name`, directly or as an array element:
/// what a [`Change::RecreateEnum`] must convert.
pub fn enum_users(schema: &Schema, name: &QualifiedName) -> Vec<(QualifiedName, Column)> {
    fn uses(ty: &ColumnType, name: &QualifiedName) -> bool {
        match ty {
            ColumnType::Enum(q) => q == name,
            ColumnType::Array(inner) => uses(inner, name),
            _ => false,
        }
    }
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            if uses(&c.ty, name) {
                out.push((t.name.clone(), c.clone()));
            }
        }
    }
    out
}

//! Step `plan` of the data flow: the [`Change`]s of `diff` → ordered SQL [`Step`]s, each with
//! its reverse (down) SQL, the change it came from, whether it may run in a transaction, and
//! its [`Hazard`]s. Every statement is rendered by `ddl`.
//!
//! Decisions (documented here because users will meet them in plans):
//! - **Order** is by stage (see `Stage`): renames first (every later step names objects by
//!   their new names), then drops of foreign keys, indexes and constraints, columns and tables,
//!   then creates and alters, constraints, indexes, foreign keys (which may rest on a unique
//!   index built just before), comments, and finally drops of
//!   enums, extensions and schemas, once nothing uses them. Enum types and labels are created
//!   before any table uses them.
//! - **Enum labels** (`ALTER TYPE … ADD VALUE`) are non-transactional steps: PostgreSQL ≥ 12
//!   accepts them in a transaction, but the new label cannot be used until that transaction
//!   commits, and a later step (a default, a check) may use it. Removing or reordering labels
//!   rebuilds the type: rename the old one away, create the new one, convert every column with
//!   `USING col::text::new`, drop the old one.
//! - **Index replacement** builds the new index under a temporary name, drops the old one and
//!   renames the new one, so the table is never without the index. With
//!   [`PlanOptions::concurrent_indexes`], indexes on existing tables are built and dropped
//!   `CONCURRENTLY`, as non-transactional steps. Indexes of new tables are always built plainly
//!   (the table is empty).
//! - **Vector dimension change**: pgvector cannot convert an embedding to other dimensions, so
//!   a nullable column is converted `USING NULL` (every stored embedding is cleared and must be
//!   recomputed: data loss), and a NOT NULL column is converted with a plain cast, which
//!   succeeds only on an empty table. Both are marked [`HazardKind::VectorDimsChange`].
//! - **Type changes** are safe (no rewrite: `varchar(10)`→`varchar(20)`, `varchar`→`text`,
//!   wider `numeric` precision), a rewrite (`integer`→`bigint`, anything else, with an explicit
//!   `USING` cast) or narrowing (a rewrite that may truncate or fail: data loss).
//! - **Generated columns** reading a column whose type changes are dropped before the change
//!   and added again after it (PostgreSQL refuses the type change otherwise); new generated
//!   columns are added after every column has its final type.
//! - **Down SQL** restores the structure; it cannot restore dropped data, which the step's
//!   [`HazardKind::DataLoss`] says. `down_sql` is `None` only where no SQL can undo the step
//!   (an extension update without a pinned previous version).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::ddl::{self, ConstraintKind, EnumValuePosition, Statement};
use crate::diff::{Change, Constraint, enum_users};
use crate::model::{Column, ColumnType, Enum, Index, QualifiedName, Schema, Table};
use crate::sql_ident::{one_line, quote};

/// How a plan is built; an options struct so callers name what they ask for.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Build and drop indexes of existing tables with `CONCURRENTLY` (no write lock, but
    /// outside any transaction and slower).
    pub concurrent_indexes: bool,
}

/// What can go wrong when a step runs, so a reviewer (or CI) can stop a dangerous migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Rows or values are destroyed (drop table/column, narrowing type, cleared embeddings).
    DataLoss,
    /// The whole table is rewritten under an exclusive lock.
    TableRewrite,
    /// Reads or writes are blocked while the step scans or builds (index build, validation).
    BlockingLock,
    /// Embedding dimensions change: every stored embedding becomes invalid.
    VectorDimsChange,
    /// A vector index is rebuilt (opclass, m, ef_construction, lists, expression): slow.
    VectorIndexRebuild,
    /// The step cannot be undone by SQL.
    Irreversible,
    /// The step fails on some existing data (e.g. NULLs under a new NOT NULL).
    MayFail,
}

impl HazardKind {
    /// Words for script comments and messages.
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data loss",
            HazardKind::TableRewrite => "table rewrite",
            HazardKind::BlockingLock => "blocking lock",
            HazardKind::VectorDimsChange => "vector dimension change",
            HazardKind::VectorIndexRebuild => "vector index rebuild",
            HazardKind::Irreversible => "irreversible",
            HazardKind::MayFail => "may fail",
        }
    }
}

/// One hazard of a step, with a sentence naming the object and the consequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

/// One unit of execution: a runner executes `sql` (one or more statements), in a transaction
/// with its neighbours when `transactional`, alone otherwise; `down_sql` undoes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub sql: String,
    /// SQL that undoes this step when steps are undone in reverse order; `None` when
    /// irreversible (then a [`HazardKind::Irreversible`] hazard says why).
    pub down_sql: Option<String>,
    /// Index of the source change in the `changes` given to [`plan`].
    pub change: usize,
    /// The source change in words (the script's `-- from:` line).
    pub from: String,
    pub transactional: bool,
    pub hazards: Vec<Hazard>,
}

/// The ordered steps that take `current` to `desired`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
}

/// Execution order of steps; steps of one stage keep the order of the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    CreateNamespaces,
    Extensions,
    CreateEnums,
    EnumValues,
    Renames,
    DropForeignKeys,
    DropIndexes,
    DropConstraints,
    /// After renames (it names columns by their new names) and after the checks and indexes
    /// that would stop the conversion are gone; before columns are dropped.
    RecreateEnums,
    DropColumns,
    DropTables,
    CreateTables,
    AddColumns,
    AlterColumns,
    /// Generated columns are added once the columns they read have their final types.
    AddGeneratedColumns,
    AddConstraints,
    Indexes,
    /// After indexes: a foreign key may rest on a unique index built (or rebuilt) above.
    AddForeignKeys,
    Comments,
    DropEnums,
    DropExtensions,
    DropNamespaces,
}

struct Builder<'a> {
    current: &'a Schema,
    /// `current` with this plan's renames applied: the names steps after the renames use.
    renamed: Schema,
    desired: &'a Schema,
    /// Tables this plan creates: their indexes and constraints need no lock hazards.
    new_tables: BTreeSet<QualifiedName>,
    options: &'a PlanOptions,
    change: usize,
    from: String,
    steps: Vec<(Stage, Step)>,
}

fn sql_of(statements: &[Statement]) -> String {
    statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect::<Vec<_>>()
        .join(";\n")
}

fn hazard(kind: HazardKind, message: impl Into<String>) -> Hazard {
    Hazard {
        kind,
        message: message.into(),
    }
}

impl Builder<'_> {
    fn push(
        &mut self,
        stage: Stage,
        up: Vec<Statement>,
        down: Option<Vec<Statement>>,
        transactional: bool,
        hazards: Vec<Hazard>,
    ) {
        self.steps.push((
            stage,
            Step {
                sql: sql_of(&up),
                down_sql: down.map(|d| sql_of(&d)),
                change: self.change,
                from: self.from.clone(),
                transactional,
                hazards,
            },
        ));
    }

    fn tx(&mut self, stage: Stage, up: Statement, down: Statement, hazards: Vec<Hazard>) {
        self.push(stage, vec![up], Some(vec![down]), true, hazards);
    }

    fn table_exists_in_current(&self, table: &QualifiedName) -> bool {
        !self.new_tables.contains(table)
    }
}

/// Orders and renders `changes` (from [`diff`](crate::diff::diff)`(current, desired)`) as SQL
/// steps. `current` and `desired` give context the changes do not carry (which columns use an
/// enum being rebuilt; whether a table already existed).
pub fn plan(current: &Schema, desired: &Schema, changes: &[Change], options: &PlanOptions) -> Plan {
    let new_tables = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddTable(t) => Some(t.name.clone()),
            _ => None,
        })
        .collect();
    let mut b = Builder {
        current,
        renamed: crate::diff::after_renames(current, changes),
        desired,
        new_tables,
        options,
        change: 0,
        from: String::new(),
        steps: Vec::new(),
    };
    // Labels of each enum as earlier AddEnumValue steps leave them (for their down SQL).
    let mut enum_states: Vec<Enum> = current.enums.clone();
    for (i, change) in changes.iter().enumerate() {
        b.change = i;
        b.from = change.to_string();
        plan_change(&mut b, change, &mut enum_states);
    }
    let mut steps = b.steps;
    steps.sort_by_key(|(stage, _)| *stage);
    Plan {
        steps: steps.into_iter().map(|(_, s)| s).collect(),
    }
}

fn plan_change(b: &mut Builder<'_>, change: &Change, enum_states: &mut [Enum]) {
    use Stage::*;
    match change {
        Change::AddNamespace(n) => {
            b.tx(
                CreateNamespaces,
                ddl::create_schema(n),
                ddl::drop_schema(&n.name),
                vec![],
            );
            if let Some(c) = &n.comment {
                b.tx(
                    Comments,
                    ddl::comment_on_schema(&n.name, Some(c)),
                    ddl::comment_on_schema(&n.name, None),
                    vec![],
                );
            }
        }
        Change::DropNamespace(n) => {
            let mut down = vec![ddl::create_schema(n)];
            if let Some(c) = &n.comment {
                down.push(ddl::comment_on_schema(&n.name, Some(c)));
            }
            b.push(
                DropNamespaces,
                vec![ddl::drop_schema(&n.name)],
                Some(down),
                true,
                vec![],
            );
        }
        Change::AlterNamespaceComment { name, from, to } => b.tx(
            Comments,
            ddl::comment_on_schema(name, to.as_deref()),
            ddl::comment_on_schema(name, from.as_deref()),
            vec![],
        ),
        Change::AddExtension(e) => b.tx(
            Extensions,
            ddl::create_extension(e),
            ddl::drop_extension(&e.name),
            vec![],
        ),
        Change::DropExtension(e) => b.tx(
            DropExtensions,
            ddl::drop_extension(&e.name),
            ddl::create_extension(e),
            vec![],
        ),
        Change::AlterExtension { from, to } => {
            if let Some(v) = &to.version
                && to.version != from.version
            {
                let down = from
                    .version
                    .as_ref()
                    .map(|old| vec![ddl::update_extension(&from.name, old)]);
                let hazards = if down.is_none() {
                    vec![hazard(
                        HazardKind::Irreversible,
                        format!(
                            "the installed version of {} is unknown, so the update cannot be undone",
                            ddl::ObjectRef::Extension(from.name.clone())
                        ),
                    )]
                } else {
                    vec![]
                };
                b.push(
                    Extensions,
                    vec![ddl::update_extension(&to.name, v)],
                    down,
                    true,
                    hazards,
                );
            }
            if let Some(s) = &to.schema
                && to.schema != from.schema
            {
                let back = from.schema.clone().unwrap_or_else(|| "public".into());
                b.tx(
                    Extensions,
                    ddl::set_extension_schema(&to.name, s),
                    ddl::set_extension_schema(&to.name, &back),
                    vec![],
                );
            }
        }
        Change::AddEnum(e) => {
            b.tx(
                CreateEnums,
                ddl::create_enum(e),
                ddl::drop_enum(&e.name),
                vec![],
            );
            if let Some(c) = &e.comment {
                b.tx(
                    Comments,
                    ddl::comment_on_enum(&e.name, Some(c)),
                    ddl::comment_on_enum(&e.name, None),
                    vec![],
                );
            }
        }
        Change::DropEnum(e) => {
            let mut down = vec![ddl::create_enum(e)];
            if let Some(c) = &e.comment {
                down.push(ddl::comment_on_enum(&e.name, Some(c)));
            }
            b.push(
                DropEnums,
                vec![ddl::drop_enum(&e.name)],
                Some(down),
                true,
                vec![],
            );
        }
        Change::AddEnumValue {
            name,
            value,
            position,
        } => {
            let Some(state) = enum_states.iter_mut().find(|e| &e.name == name) else {
                return;
            };
            let before = state.clone();
            let at = match position {
                EnumValuePosition::End => state.values.len(),
                EnumValuePosition::Before(v) => {
                    state.values.iter().position(|x| x == v).unwrap_or(0)
                }
                EnumValuePosition::After(v) => state
                    .values
                    .iter()
                    .position(|x| x == v)
                    .map_or(state.values.len(), |p| p + 1),
            };
            state.values.insert(at, value.clone());
            let after = state.clone();
            // PostgreSQL cannot remove a label: the way back is rebuilding the type.
            let down = recreate_enum(b.current, &after, &before);
            b.push(
                EnumValues,
                vec![ddl::add_enum_value(name, value, position)],
                Some(down),
                false,
                vec![],
            );
        }
        Change::RecreateEnum { from, to } => {
            let removed: Vec<&String> = from
                .values
                .iter()
                .filter(|v| !to.values.contains(v))
                .collect();
            let mut hazards = Vec::new();
            let users = enum_users(&b.renamed, &from.name);
            for (t, c) in &users {
                hazards.push(hazard(
                    HazardKind::TableRewrite,
                    format!(
                        "{} is converted to the rebuilt type, rewriting {}",
                        ddl::ObjectRef::Column {
                            table: t.clone(),
                            column: c.name.clone()
                        },
                        ddl::ObjectRef::Table(t.clone())
                    ),
                ));
            }
            if !removed.is_empty() {
                hazards.push(hazard(
                    HazardKind::MayFail,
                    format!(
                        "labels removed from {} ({}): the conversion fails on rows that still hold them; update those rows first",
                        ddl::ObjectRef::Enum(from.name.clone()),
                        removed.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ").escape_default()
                    ),
                ));
            }
            let up = recreate_enum(&b.renamed, from, to);
            let down = recreate_enum(&b.renamed, to, from);
            b.push(RecreateEnums, up, Some(down), true, hazards);
            if from.comment.is_some() || to.comment.is_some() {
                // The rebuilt type has no comment; restore the desired one.
                b.tx(
                    Comments,
                    ddl::comment_on_enum(&to.name, to.comment.as_deref()),
                    ddl::comment_on_enum(&to.name, from.comment.as_deref()),
                    vec![],
                );
            }
        }
        Change::AlterEnumComment { name, from, to } => b.tx(
            Comments,
            ddl::comment_on_enum(name, to.as_deref()),
            ddl::comment_on_enum(name, from.as_deref()),
            vec![],
        ),
        Change::AddTable(t) => plan_add_table(b, t),
        Change::DropTable(t) => plan_drop_table(b, t),
        Change::RenameTable { from, to } => b.tx(
            Renames,
            ddl::rename_table(from, &to.name),
            ddl::rename_table(to, &from.name),
            vec![],
        ),
        Change::AlterTableComment { table, from, to } => b.tx(
            Comments,
            ddl::comment_on_table(table, to.as_deref()),
            ddl::comment_on_table(table, from.as_deref()),
            vec![],
        ),
        Change::AddColumn { table, column } => {
            let mut hazards = Vec::new();
            let what = column_ref(table, &column.name);
            if !column.nullable
                && column.default.is_none()
                && column.identity.is_none()
                && column.generated.is_none()
            {
                hazards.push(hazard(
                    HazardKind::MayFail,
                    format!("{what} is NOT NULL without a default: adding it fails if the table has rows"),
                ));
            }
            if column.identity.is_some() || column.generated.is_some() {
                hazards.push(hazard(
                    HazardKind::TableRewrite,
                    format!("{what} is computed for every existing row, rewriting the table"),
                ));
            }
            let stage = if column.generated.is_some() {
                AddGeneratedColumns
            } else {
                AddColumns
            };
            b.tx(
                stage,
                ddl::add_column(table, column),
                ddl::drop_column(table, &column.name),
                hazards,
            );
            if let Some(c) = &column.comment {
                b.tx(
                    Comments,
                    ddl::comment_on_column(table, &column.name, Some(c)),
                    ddl::comment_on_column(table, &column.name, None),
                    vec![],
                );
            }
        }
        Change::DropColumn { table, column } => {
            let mut down = vec![ddl::add_column(table, column)];
            if let Some(c) = &column.comment {
                down.push(ddl::comment_on_column(table, &column.name, Some(c)));
            }
            // A generated column's values are derived: dropping it loses nothing.
            let hazards = if column.generated.is_some() {
                vec![]
            } else {
                vec![hazard(
                    HazardKind::DataLoss,
                    format!(
                        "dropping {} destroys its values; the down step recreates the column empty",
                        column_ref(table, &column.name)
                    ),
                )]
            };
            b.push(
                DropColumns,
                vec![ddl::drop_column(table, &column.name)],
                Some(down),
                true,
                hazards,
            );
        }
        Change::RenameColumn { table, from, to } => b.tx(
            Renames,
            ddl::rename_column(table, from, to),
            ddl::rename_column(table, to, from),
            vec![],
        ),
        Change::AlterColumn { table, from, to } => plan_alter_column(b, table, from, to),
        Change::AddConstraint { table, constraint } => {
            let existing = b.table_exists_in_current(table);
            plan_add_constraint(b, table, constraint, existing);
        }
        Change::DropConstraint { table, constraint } => {
            let stage = if constraint.kind() == ConstraintKind::ForeignKey {
                DropForeignKeys
            } else {
                DropConstraints
            };
            b.tx(
                stage,
                ddl::drop_constraint(table, constraint.kind(), constraint.name()),
                add_constraint_sql(table, constraint),
                vec![],
            );
        }
        Change::RenameConstraint {
            table,
            kind,
            from,
            to,
        } => b.tx(
            Renames,
            ddl::rename_constraint(table, *kind, from, to),
            ddl::rename_constraint(table, *kind, to, from),
            vec![],
        ),
        Change::AddIndex { table, index } => plan_add_index(b, table, index, true),
        Change::DropIndex { table, index } => plan_drop_index(b, table, index),
        Change::ReplaceIndex { table, from, to } => plan_replace_index(b, table, from, to),
        Change::RenameIndex { table, from, to } => b.tx(
            Renames,
            ddl::rename_index(table, from, to),
            ddl::rename_index(table, to, from),
            vec![],
        ),
        Change::AlterIndexComment {
            table,
            index,
            from,
            to,
        } => b.tx(
            Comments,
            ddl::comment_on_index(table, index, to.as_deref()),
            ddl::comment_on_index(table, index, from.as_deref()),
            vec![],
        ),
    }
}

fn column_ref(table: &QualifiedName, column: &str) -> ddl::ObjectRef {
    ddl::ObjectRef::Column {
        table: table.clone(),
        column: column.to_string(),
    }
}

fn add_constraint_sql(table: &QualifiedName, c: &Constraint) -> Statement {
    match c {
        Constraint::PrimaryKey(pk) => ddl::add_primary_key(table, pk),
        Constraint::Unique(u) => ddl::add_unique(table, u),
        Constraint::Check(ch) => ddl::add_check(table, ch),
        Constraint::ForeignKey(fk) => ddl::add_foreign_key(table, fk),
    }
}

fn plan_add_constraint(
    b: &mut Builder<'_>,
    table: &QualifiedName,
    c: &Constraint,
    existing_table: bool,
) {
    let mut hazards = Vec::new();
    if existing_table {
        let what = ddl::ObjectRef::Constraint {
            table: table.clone(),
            kind: c.kind(),
            name: c.name().to_string(),
        };
        let (kind, text) = match c {
            Constraint::PrimaryKey(_) | Constraint::Unique(_) => (
                HazardKind::BlockingLock,
                "builds its index while writes to the table are blocked",
            ),
            Constraint::Check(_) => (
                HazardKind::BlockingLock,
                "scans every row under an exclusive lock to validate it",
            ),
            Constraint::ForeignKey(_) => (
                HazardKind::BlockingLock,
                "scans every row to validate it, blocking writes to both tables",
            ),
        };
        hazards.push(hazard(kind, format!("adding {what} {text}")));
        hazards.push(hazard(
            HazardKind::MayFail,
            format!("adding {what} fails if existing rows violate it"),
        ));
    }
    let stage = if c.kind() == ConstraintKind::ForeignKey {
        Stage::AddForeignKeys
    } else {
        Stage::AddConstraints
    };
    b.tx(
        stage,
        add_constraint_sql(table, c),
        ddl::drop_constraint(table, c.kind(), c.name()),
        hazards,
    );
}

fn plan_add_table(b: &mut Builder<'_>, t: &Table) {
    b.tx(
        Stage::CreateTables,
        ddl::create_table(t),
        ddl::drop_table(&t.name),
        vec![],
    );
    for fk in &t.foreign_keys {
        b.tx(
            Stage::AddForeignKeys,
            ddl::add_foreign_key(&t.name, fk),
            ddl::drop_constraint(&t.name, ConstraintKind::ForeignKey, &fk.name),
            vec![],
        );
    }
    for i in &t.indexes {
        plan_add_index(b, &t.name, i, false);
    }
    if let Some(c) = &t.comment {
        b.tx(
            Stage::Comments,
            ddl::comment_on_table(&t.name, Some(c)),
            ddl::comment_on_table(&t.name, None),
            vec![],
        );
    }
    for col in &t.columns {
        if let Some(c) = &col.comment {
            b.tx(
                Stage::Comments,
                ddl::comment_on_column(&t.name, &col.name, Some(c)),
                ddl::comment_on_column(&t.name, &col.name, None),
                vec![],
            );
        }
    }
}

/// What recreates a dropped table's structure: the table, its indexes and comments (its
/// foreign keys are separate steps).
fn table_structure(t: &Table) -> Vec<Statement> {
    let mut out = vec![ddl::create_table(t)];
    out.extend(t.indexes.iter().map(|i| ddl::create_index(&t.name, i)));
    if let Some(c) = &t.comment {
        out.push(ddl::comment_on_table(&t.name, Some(c)));
    }
    for col in &t.columns {
        if let Some(c) = &col.comment {
            out.push(ddl::comment_on_column(&t.name, &col.name, Some(c)));
        }
    }
    for i in &t.indexes {
        if let Some(c) = &i.comment {
            out.push(ddl::comment_on_index(&t.name, &i.name, Some(c)));
        }
    }
    out
}

fn plan_drop_table(b: &mut Builder<'_>, t: &Table) {
    // Its foreign keys go first, with every other dropped foreign key, so tables can be
    // dropped in any order.
    for fk in &t.foreign_keys {
        b.tx(
            Stage::DropForeignKeys,
            ddl::drop_constraint(&t.name, ConstraintKind::ForeignKey, &fk.name),
            ddl::add_foreign_key(&t.name, fk),
            vec![],
        );
    }
    b.push(
        Stage::DropTables,
        vec![ddl::drop_table(&t.name)],
        Some(table_structure(t)),
        true,
        vec![hazard(
            HazardKind::DataLoss,
            format!(
                "dropping {} destroys all its rows; the down step recreates it empty",
                ddl::ObjectRef::Table(t.name.clone())
            ),
        )],
    );
}

fn index_ref(table: &QualifiedName, name: &str) -> ddl::ObjectRef {
    ddl::ObjectRef::Index {
        table: table.clone(),
        name: name.to_string(),
    }
}

fn plan_add_index(b: &mut Builder<'_>, table: &QualifiedName, index: &Index, existing: bool) {
    let existing = existing && b.table_exists_in_current(table);
    let concurrent = existing && b.options.concurrent_indexes;
    let mut hazards = Vec::new();
    if existing && !concurrent {
        hazards.push(hazard(
            HazardKind::BlockingLock,
            format!(
                "building {} blocks writes to the table for the whole build; plan with concurrent indexes to avoid it",
                index_ref(table, &index.name)
            ),
        ));
    }
    let (up, down) = if concurrent {
        (
            ddl::create_index_concurrently(table, index),
            ddl::drop_index_concurrently(table, &index.name),
        )
    } else {
        (
            ddl::create_index(table, index),
            ddl::drop_index(table, &index.name),
        )
    };
    b.push(
        Stage::Indexes,
        vec![up],
        Some(vec![down]),
        !concurrent,
        hazards,
    );
    if let Some(c) = &index.comment {
        b.tx(
            Stage::Comments,
            ddl::comment_on_index(table, &index.name, Some(c)),
            ddl::comment_on_index(table, &index.name, None),
            vec![],
        );
    }
}

/// Drops `index` at `stage`; with a comment and concurrent builds, the comment is cleared in a
/// step of its own first, so each down step stays a single statement that can run outside a
/// transaction.
fn drop_index_steps(b: &mut Builder<'_>, stage: Stage, table: &QualifiedName, index: &Index) {
    let concurrent = b.options.concurrent_indexes;
    if concurrent {
        if let Some(c) = &index.comment {
            b.tx(
                stage,
                ddl::comment_on_index(table, &index.name, None),
                ddl::comment_on_index(table, &index.name, Some(c)),
                vec![],
            );
        }
        b.push(
            stage,
            vec![ddl::drop_index_concurrently(table, &index.name)],
            Some(vec![ddl::create_index_concurrently(table, index)]),
            false,
            vec![],
        );
    } else {
        let mut down = vec![ddl::create_index(table, index)];
        if let Some(c) = &index.comment {
            down.push(ddl::comment_on_index(table, &index.name, Some(c)));
        }
        b.push(
            stage,
            vec![ddl::drop_index(table, &index.name)],
            Some(down),
            true,
            vec![],
        );
    }
}

fn plan_drop_index(b: &mut Builder<'_>, table: &QualifiedName, index: &Index) {
    drop_index_steps(b, Stage::DropIndexes, table, index);
}

/// A name for the replacement index while the old one still exists: `<name>_tmnew`, cut to
/// PostgreSQL's 63-byte identifier limit on a character boundary.
pub fn temporary_index_name(name: &str) -> String {
    temporary_name(name, "_tmnew")
}

/// `name` + `suffix`, with `name` cut so the result fits PostgreSQL's 63-byte identifiers.
fn temporary_name(name: &str, suffix: &str) -> String {
    let mut base = name.to_string();
    while base.len() + suffix.len() > 63 {
        base.pop();
    }
    format!("{base}{suffix}")
}

/// Why an index must be rebuilt, in words, for the vector rebuild hazard.
fn index_differences(from: &Index, to: &Index) -> Vec<&'static str> {
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
        if from.options.get(opt) != to.options.get(opt) {
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

fn plan_replace_index(b: &mut Builder<'_>, table: &QualifiedName, from: &Index, to: &Index) {
    let concurrent = b.options.concurrent_indexes;
    let what = index_ref(table, &to.name);
    let mut hazards = Vec::new();
    if from.method.is_vector() || to.method.is_vector() {
        hazards.push(hazard(
            HazardKind::VectorIndexRebuild,
            format!(
                "{what} is rebuilt from scratch ({} changed); vector index builds are slow on large tables, and ALTER INDEX … SET would only edit the catalog",
                index_differences(from, to).join(", ")
            ),
        ));
    }
    if !concurrent {
        hazards.push(hazard(
            HazardKind::BlockingLock,
            format!(
                "building the new {what} blocks writes to the table for the whole build; plan with concurrent indexes to avoid it"
            ),
        ));
    }
    let tmp_name = temporary_index_name(&to.name);
    let mut tmp = to.clone();
    tmp.name = tmp_name.clone();
    let (up, down) = if concurrent {
        (
            ddl::create_index_concurrently(table, &tmp),
            ddl::drop_index_concurrently(table, &tmp_name),
        )
    } else {
        (
            ddl::create_index(table, &tmp),
            ddl::drop_index(table, &tmp_name),
        )
    };
    b.push(
        Stage::Indexes,
        vec![up],
        Some(vec![down]),
        !concurrent,
        hazards,
    );
    drop_index_steps(b, Stage::Indexes, table, from);
    b.tx(
        Stage::Indexes,
        ddl::rename_index(table, &tmp_name, &to.name),
        ddl::rename_index(table, &to.name, &tmp_name),
        vec![],
    );
    if let Some(c) = &to.comment {
        b.tx(
            Stage::Comments,
            ddl::comment_on_index(table, &to.name, Some(c)),
            ddl::comment_on_index(table, &to.name, None),
            vec![],
        );
    }
}

/// The statements that rebuild enum `from` as `to` (same name), converting every column of
/// `schema` that uses it. Defaults are dropped around the conversion (PostgreSQL cannot cast
/// them) and restored when their label survives.
fn recreate_enum(schema: &Schema, from: &Enum, to: &Enum) -> Vec<Statement> {
    let old_name = temporary_name(&from.name.name, "_tmold");
    let old = QualifiedName::new(&from.name.schema, &old_name);
    let mut out = vec![
        ddl::rename_enum(&from.name, &old_name),
        ddl::create_enum(to),
    ];
    for (table, column) in enum_users(schema, &from.name) {
        if column.default.is_some() {
            out.push(ddl::drop_column_default(&table, &column.name));
        }
        let using = format!(
            "{}::text{}::{}",
            quote(&column.name),
            if matches!(column.ty, ColumnType::Array(_)) {
                "[]"
            } else {
                ""
            },
            column.ty.sql()
        );
        out.push(ddl::alter_column_type(
            &table,
            &column.name,
            &column.ty,
            Some(&using),
        ));
        if let Some(d) = &column.default {
            let survives = match d {
                crate::model::DefaultValue::Text(label) => {
                    to.values.contains(label) || matches!(column.ty, ColumnType::Array(_))
                }
                _ => true,
            };
            if survives {
                out.push(ddl::set_column_default(&table, &column.name, d));
            }
        }
    }
    out.push(ddl::drop_enum(&old));
    out
}

/// How a column type change behaves on existing data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    /// Binary-compatible or a wider limit: no rewrite, no loss.
    Safe,
    /// Converted row by row (rewrite); no loss expected for values that convert.
    Rewrite,
    /// Converted with possible truncation, rounding or failure: data loss.
    Narrowing,
    /// pgvector dimensions change: every stored embedding is invalid.
    VectorDims,
}

/// Classifies `from` → `to` so the planner can choose a cast and name the hazards.
pub fn classify_type_change(from: &ColumnType, to: &ColumnType) -> TypeChange {
    use ColumnType as T;
    use TypeChange::*;
    let limit = |a: &Option<u32>, b: &Option<u32>| match (a, b) {
        (_, None) => Safe,
        (Some(a), Some(b)) if b >= a => Safe,
        _ => Narrowing,
    };
    let rank = |t: &T| match t {
        T::SmallInt => Some(1),
        T::Integer => Some(2),
        T::BigInt => Some(3),
        _ => None,
    };
    match (from, to) {
        _ if from == to => Safe,
        (T::Varchar(a), T::Varchar(b)) | (T::VarBit(a), T::VarBit(b)) => limit(a, b),
        (T::Varchar(_), T::Text) | (T::Text, T::Varchar(None)) => Safe,
        (T::Text, T::Varchar(Some(_))) | (T::Char(_), _) | (_, T::Char(_)) => Narrowing,
        (
            T::Numeric {
                precision: p1,
                scale: s1,
            },
            T::Numeric {
                precision: p2,
                scale: s2,
            },
        ) => match (p2, s2) {
            (None, None) => Safe,
            _ if p1.is_none() => Narrowing,
            _ if s1.unwrap_or(0) == s2.unwrap_or(0) && p2 >= p1 => Safe,
            _ if p2 < p1 || s2.unwrap_or(0) < s1.unwrap_or(0) => Narrowing,
            _ => Rewrite,
        },
        (
            T::Timestamp {
                precision: a,
                with_time_zone: z1,
            },
            T::Timestamp {
                precision: b,
                with_time_zone: z2,
            },
        )
        | (
            T::Time {
                precision: a,
                with_time_zone: z1,
            },
            T::Time {
                precision: b,
                with_time_zone: z2,
            },
        ) => {
            if z1 != z2 {
                Rewrite
            } else {
                limit(a, b)
            }
        }
        (T::Vector(a), T::Vector(b))
        | (T::HalfVec(a), T::HalfVec(b))
        | (T::SparseVec(a), T::SparseVec(b)) => match b {
            None => Safe,
            Some(_) if a != b => VectorDims,
            _ => Safe,
        },
        (T::Vector(a), T::HalfVec(b)) if a == b => Narrowing,
        (T::HalfVec(a), T::Vector(b)) if a == b => Rewrite,
        _ if from.vector_dims().is_some() && to.vector_dims().is_some() => VectorDims,
        (a, b) if rank(a).is_some() && rank(b).is_some() => {
            if rank(b) > rank(a) {
                Rewrite
            } else {
                Narrowing
            }
        }
        (T::Real, T::DoublePrecision) => Rewrite,
        (T::DoublePrecision, T::Real) => Narrowing,
        (T::Text, _) | (T::Varchar(_), _) => Narrowing,
        _ => Rewrite,
    }
}

fn plan_alter_column(b: &mut Builder<'_>, table: &QualifiedName, from: &Column, to: &Column) {
    use Stage::AlterColumns;
    let what = column_ref(table, &to.name);
    let name = &to.name;

    // A plain column cannot become generated in place: replace it.
    if from.generated.is_none() && to.generated.is_some() {
        b.push(
            AlterColumns,
            vec![ddl::drop_column(table, name), ddl::add_column(table, to)],
            Some(vec![
                ddl::drop_column(table, name),
                ddl::add_column(table, from),
            ]),
            true,
            vec![
                hazard(
                    HazardKind::DataLoss,
                    format!("{what} becomes generated: it is dropped and re-added, its stored values replaced by the expression"),
                ),
                hazard(
                    HazardKind::TableRewrite,
                    format!("the generated {what} is computed for every row"),
                ),
            ],
        );
        if from.comment != to.comment || to.comment.is_some() {
            b.tx(
                Stage::Comments,
                ddl::comment_on_column(table, name, to.comment.as_deref()),
                ddl::comment_on_column(table, name, from.comment.as_deref()),
                vec![],
            );
        }
        return;
    }

    if from.identity.is_some() && to.identity.is_none() {
        b.tx(
            AlterColumns,
            ddl::drop_column_identity(table, name),
            ddl::add_column_identity(
                table,
                name,
                from.identity.unwrap_or(crate::model::Identity::ByDefault),
            ),
            vec![],
        );
    }
    match (&from.generated, &to.generated) {
        (Some(a), Some(bx)) if a != bx => b.tx(
            AlterColumns,
            ddl::set_column_expression(table, name, bx),
            ddl::set_column_expression(table, name, a),
            vec![hazard(
                HazardKind::TableRewrite,
                format!("{what} is recomputed for every row"),
            )],
        ),
        (Some(_), None) => {
            // DROP EXPRESSION keeps the values; the way back is replacing the column.
            b.push(
                AlterColumns,
                vec![ddl::drop_column_expression(table, name)],
                Some(vec![
                    ddl::drop_column(table, name),
                    ddl::add_column(table, from),
                ]),
                true,
                vec![],
            );
        }
        _ => {}
    }
    let type_changes = from.ty != to.ty;
    let default_changes = from.default != to.default;
    if from.default.is_some() && (type_changes || (default_changes && to.default.is_none())) {
        let restore = from
            .default
            .as_ref()
            .map(|d| ddl::set_column_default(table, name, d));
        b.push(
            AlterColumns,
            vec![ddl::drop_column_default(table, name)],
            restore.map(|r| vec![r]),
            true,
            vec![],
        );
    }
    if type_changes {
        let change = classify_type_change(&from.ty, &to.ty);
        let (up_using, mut hazards) = type_change_sql(&what, from, to, change);
        if change != TypeChange::Safe {
            for index in indexes_on(b.desired, table, name) {
                if index.method.is_vector() {
                    hazards.push(hazard(
                        HazardKind::VectorIndexRebuild,
                        format!(
                            "{} is rebuilt by the type change of {what}",
                            index_ref(table, &index.name)
                        ),
                    ));
                }
            }
        }
        let back = classify_type_change(&to.ty, &from.ty);
        let (down_using, _) = type_change_sql(&what, to, from, back);
        b.tx(
            AlterColumns,
            ddl::alter_column_type(table, name, &to.ty, up_using.as_deref()),
            ddl::alter_column_type(table, name, &from.ty, down_using.as_deref()),
            hazards,
        );
    }
    if from.nullable && !to.nullable {
        b.tx(
            AlterColumns,
            ddl::set_column_nullable(table, name, false),
            ddl::set_column_nullable(table, name, true),
            vec![
                hazard(
                    HazardKind::BlockingLock,
                    format!("making {what} NOT NULL scans every row under an exclusive lock"),
                ),
                hazard(
                    HazardKind::MayFail,
                    format!("making {what} NOT NULL fails if any row holds NULL"),
                ),
            ],
        );
    }
    match (from.identity, to.identity) {
        (None, Some(i)) => b.tx(
            AlterColumns,
            ddl::add_column_identity(table, name, i),
            ddl::drop_column_identity(table, name),
            vec![],
        ),
        (Some(a), Some(c)) if a != c => b.tx(
            AlterColumns,
            ddl::set_column_identity(table, name, c),
            ddl::set_column_identity(table, name, a),
            vec![],
        ),
        _ => {}
    }
    if let Some(d) = &to.default
        && (default_changes || type_changes)
    {
        // Undo: with a type change, the old default comes back after the old type (above).
        let down = match (&from.default, type_changes) {
            (Some(old), false) => ddl::set_column_default(table, name, old),
            _ => ddl::drop_column_default(table, name),
        };
        b.tx(
            AlterColumns,
            ddl::set_column_default(table, name, d),
            down,
            vec![],
        );
    }
    if !from.nullable && to.nullable {
        b.tx(
            AlterColumns,
            ddl::set_column_nullable(table, name, true),
            ddl::set_column_nullable(table, name, false),
            vec![],
        );
    }
    if from.comment != to.comment {
        b.tx(
            Stage::Comments,
            ddl::comment_on_column(table, name, to.comment.as_deref()),
            ddl::comment_on_column(table, name, from.comment.as_deref()),
            vec![],
        );
    }
}

/// Indexes of `table` in `schema` whose keys or expressions mention `column` (an expression
/// is matched by the column's name appearing in it: a cautious over-approximation).
fn indexes_on<'s>(schema: &'s Schema, table: &QualifiedName, column: &str) -> Vec<&'s Index> {
    let Some(t) = schema.table(table) else {
        return Vec::new();
    };
    t.indexes
        .iter()
        .filter(|i| {
            i.keys.iter().any(|k| match &k.target {
                crate::model::IndexTarget::Column(c) => c == column,
                crate::model::IndexTarget::Expr(e) => e.contains(column),
            })
        })
        .collect()
}

/// The `USING` expression and hazards of one type conversion.
fn type_change_sql(
    what: &ddl::ObjectRef,
    from: &Column,
    to: &Column,
    change: TypeChange,
) -> (Option<String>, Vec<Hazard>) {
    let (a, bty) = (from.ty.sql(), to.ty.sql());
    let cast = || {
        let via_text =
            matches!(from.ty, ColumnType::Enum(_)) && matches!(to.ty, ColumnType::Enum(_));
        Some(format!(
            "{}{}::{}",
            quote(&from.name),
            if via_text { "::text" } else { "" },
            to.ty.sql()
        ))
    };
    match change {
        TypeChange::Safe => (None, vec![]),
        TypeChange::Rewrite => (
            cast(),
            vec![hazard(
                HazardKind::TableRewrite,
                format!(
                    "changing {what} from {a} to {bty} rewrites the table under an exclusive lock"
                ),
            )],
        ),
        TypeChange::Narrowing => (
            cast(),
            vec![
                hazard(
                    HazardKind::DataLoss,
                    format!(
                        "changing {what} from {a} to {bty} narrows it: values may be truncated or rounded, or the conversion fails"
                    ),
                ),
                hazard(
                    HazardKind::TableRewrite,
                    format!(
                        "changing {what} from {a} to {bty} rewrites the table under an exclusive lock"
                    ),
                ),
            ],
        ),
        TypeChange::VectorDims => {
            let mut hazards = vec![hazard(
                HazardKind::VectorDimsChange,
                format!(
                    "changing {what} from {a} to {bty} invalidates every stored embedding: recompute them with the new model"
                ),
            )];
            if to.nullable {
                hazards.push(hazard(
                    HazardKind::DataLoss,
                    format!("{what} is converted USING NULL: every stored embedding is cleared"),
                ));
                (Some("NULL".into()), hazards)
            } else {
                hazards.push(hazard(
                    HazardKind::MayFail,
                    format!("{what} is NOT NULL, so embeddings cannot be cleared: the conversion fails unless the table is empty"),
                ));
                (None, hazards)
            }
        }
    }
}

impl Plan {
    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every hazard kind in the plan, sorted, for a one-line summary or a CI gate.
    pub fn hazard_kinds(&self) -> Vec<HazardKind> {
        let mut kinds: Vec<HazardKind> = self
            .steps
            .iter()
            .flat_map(|s| s.hazards.iter().map(|h| h.kind))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Consecutive steps grouped as a runner executes them: each group of transactional steps
    /// in one transaction, each non-transactional step alone. Indices into `steps`.
    pub fn batches(&self) -> Vec<(bool, Vec<usize>)> {
        batches(self.steps.iter().map(|s| s.transactional))
    }

    /// The plan as a script for review or `psql`: transactional runs wrapped in
    /// `BEGIN`/`COMMIT`, each step preceded by its `-- from:` change and `-- hazard:` lines.
    pub fn script(&self) -> String {
        let mut out = String::new();
        for (transactional, group) in self.batches() {
            if transactional {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str("BEGIN;\n");
            }
            for i in group {
                let step = &self.steps[i];
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("-- step {}", i + 1));
                if !step.transactional {
                    out.push_str(" (outside a transaction)");
                }
                out.push_str(&format!("\n-- from: {}\n", step.from));
                for h in &step.hazards {
                    out.push_str(&format!(
                        "-- hazard: {}: {}\n",
                        h.kind.label(),
                        one_line(&h.message)
                    ));
                }
                if step.down_sql.is_none() {
                    out.push_str("-- down: none (irreversible)\n");
                }
                out.push_str(&step.sql);
                out.push_str(";\n");
            }
            if transactional {
                out.push_str("\nCOMMIT;\n");
            }
        }
        out
    }

    /// The plan as pretty JSON, for `--format json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// Groups a sequence of "transactional?" flags into runner batches (see [`Plan::batches`]).
pub fn batches(flags: impl Iterator<Item = bool>) -> Vec<(bool, Vec<usize>)> {
    let mut out: Vec<(bool, Vec<usize>)> = Vec::new();
    for (i, tx) in flags.enumerate() {
        match out.last_mut() {
            Some((true, group)) if tx => group.push(i),
            _ => out.push((tx, vec![i])),
        }
    }
    out
}

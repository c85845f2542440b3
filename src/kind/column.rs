//! Kind `column`: diff, plan and SQL for the columns of tables that exist on both sides.
//!
//! - **Column order** is not managed: a new column is added at the end of its table.
//! - **Type changes** are safe (no rewrite: `varchar(10)`→`varchar(20)`, `varchar`→`text`,
//!   wider `numeric` precision), a rewrite (`integer`→`bigint`, anything else, with an explicit
//!   `USING` cast) or narrowing (a rewrite that may truncate or fail: data loss).
//! - **Vector dimension change**: pgvector cannot convert an embedding to other dimensions, so
//!   a nullable column is converted `USING NULL` (every stored embedding is cleared: data
//!   loss), and a NOT NULL column with a plain cast, which succeeds only on an empty table. Both
//!   are marked [`HazardKind::VectorDimsChange`].
//! - **Generated columns** reading a column whose type changes are dropped before the change
//!   and added again after it (PostgreSQL refuses the type change otherwise; `diff`'s
//!   dependents pass asks for it, the dependency graph places it).
//! - **Serial ↔ identity** is a change of its own that keeps the numbering: the old counter's
//!   position is copied into the new one (`setval(…, last_value, is_called)`), so no id is
//!   issued twice. A plain diff would drop one counter and start the other from scratch.
//! - **Identity options** change in place (`ALTER COLUMN … SET INCREMENT BY …`), and a renamed
//!   identity sequence (a table rename leaves PostgreSQL's derived name behind) is renamed.

use std::fmt;

use crate::model::{
    Column, ColumnStorage, ColumnType, DefaultValue, Identity, IdentityKind, ObjectRef,
    QualifiedName, Schema, Sequence, SequenceOptions, Table,
};
use crate::plan::{Builder, HazardKind, LockLevel, hazard};
use crate::sql_ident::{literal, qualified, quote, type_name};

use super::{Change, comment_text, sequence, temporary_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChange {
    Add {
        table: QualifiedName,
        column: Column,
    },
    Drop {
        table: QualifiedName,
        column: Column,
    },
    Rename {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Any facet of a column changed (type, nullability, default, identity, generated
    /// expression, comment); `from` already carries the column's new name after a rename.
    Alter {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    /// A `serial` column (a default calling its owned `sequence`) becomes an identity column,
    /// keeping its numbering.
    SerialToIdentity {
        table: QualifiedName,
        from: Column,
        to: Column,
        sequence: Sequence,
    },
    /// The reverse: an identity column becomes a column with an owned `sequence`.
    IdentityToSerial {
        table: QualifiedName,
        from: Column,
        to: Column,
        sequence: Sequence,
    },
}

impl fmt::Display for ColumnChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = ObjectRef::column;
        match self {
            ColumnChange::Add { table, column } => write!(f, "add {}", col(table, &column.name)),
            ColumnChange::Drop { table, column } => write!(f, "drop {}", col(table, &column.name)),
            ColumnChange::Rename { table, from, to } => write!(
                f,
                "rename {} to {}",
                col(table, from),
                crate::sql_ident::display(to)
            ),
            ColumnChange::Alter { table, from, to } => write!(
                f,
                "alter {} ({})",
                col(table, &to.name),
                facets(from, to).join(", ")
            ),
            ColumnChange::SerialToIdentity { table, to, .. } => write!(
                f,
                "convert {} from a serial column to an identity column",
                col(table, &to.name)
            ),
            ColumnChange::IdentityToSerial { table, to, .. } => write!(
                f,
                "convert {} from an identity column to a serial column",
                col(table, &to.name)
            ),
        }
    }
}

/// Names of the facets that differ between two versions of a column, for messages.
pub fn facets(from: &Column, to: &Column) -> Vec<&'static str> {
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
    if from.generated != to.generated || from.generated_virtual != to.generated_virtual {
        out.push("generated");
    }
    if from.comment != to.comment {
        out.push("comment");
    }
    if from.statistics != to.statistics {
        out.push("statistics");
    }
    if from.collation != to.collation {
        out.push("collation");
    }
    if from.storage != to.storage {
        out.push("storage");
    }
    if from.compression != to.compression {
        out.push("compression");
    }
    out
}

/// The sequence a `serial`-style column owns: its default is exactly
/// `nextval('<seq>'::regclass)` and the sequence is `OWNED BY` the column.
pub fn serial_sequence<'s>(
    schema: &'s Schema,
    table: &QualifiedName,
    column: &Column,
) -> Option<&'s Sequence> {
    let Some(DefaultValue::Expr(expr)) = &column.default else {
        return None;
    };
    let name = crate::sql_lex::sequence_calls(expr, "public")
        .into_iter()
        .next()?;
    let seq = schema.sequence(&name)?;
    let owned = seq.owned_by.as_ref().is_some_and(|o| {
        seq.name.schema == table.schema && o.table == table.name && o.column == column.name
    });
    (owned && *expr == nextval_default(&seq.name)).then_some(seq)
}

/// The default of a column that draws from `sequence`, exactly as PostgreSQL prints it.
pub fn nextval_default(sequence: &QualifiedName) -> String {
    format!(
        "nextval({}::regclass)",
        literal(&crate::sql_lex::regclass_text(sequence))
    )
}

/// Column changes of a table that exists on both sides (after renames). Conversions between
/// serial and identity columns come out as their own change; their sequences are reported in
/// `converted` so the sequence diff leaves them alone.
pub fn diff(
    current_schema: &Schema,
    desired_schema: &Schema,
    current: &Table,
    desired: &Table,
    converted: &mut Vec<QualifiedName>,
    out: &mut Vec<Change>,
) {
    let name = &desired.name;
    // Dropped in reverse physical order, so a generated column goes before what it reads.
    for c in current.columns.iter().rev() {
        if desired.column(&c.name).is_none() {
            out.push(Change::Column(ColumnChange::Drop {
                table: name.clone(),
                column: c.clone(),
            }));
        }
    }
    for d in &desired.columns {
        let mut d = d.clone();
        d.renamed_from = None;
        let Some(c) = current.column(&d.name) else {
            out.push(Change::Column(ColumnChange::Add {
                table: name.clone(),
                column: d,
            }));
            continue;
        };
        let mut c = c.clone();
        c.renamed_from = None;
        if c == d {
            continue;
        }
        let serial_now = serial_sequence(current_schema, name, &c);
        let serial_then = serial_sequence(desired_schema, name, &d);
        match (serial_now, &c.identity, serial_then, &d.identity) {
            (Some(seq), None, None, Some(_)) => {
                converted.push(seq.name.clone());
                out.push(Change::Column(ColumnChange::SerialToIdentity {
                    table: name.clone(),
                    from: c,
                    to: d,
                    sequence: seq.clone(),
                }));
            }
            (None, Some(_), Some(seq), None) => {
                converted.push(seq.name.clone());
                out.push(Change::Column(ColumnChange::IdentityToSerial {
                    table: name.clone(),
                    from: c,
                    to: d,
                    sequence: seq.clone(),
                }));
            }
            _ => out.push(Change::Column(ColumnChange::Alter {
                table: name.clone(),
                from: c,
                to: d,
            })),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SQL

/// A column default as SQL: literals are quoted or bare by kind, expressions are verbatim.
pub fn default_sql(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Text(t) => literal(t),
        DefaultValue::Number(n) => n.clone(),
        DefaultValue::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        DefaultValue::Expr(e) => e.clone(),
    }
}

fn identity_words(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// `GENERATED … AS IDENTITY (SEQUENCE NAME … [options])`: the sequence name is always written
/// (PostgreSQL would derive it, and pick another when the name is taken), options only where
/// they differ from PostgreSQL's defaults for the column's type.
pub fn identity_sql(table: &QualifiedName, identity: &Identity) -> String {
    let mut parts = vec![format!(
        "SEQUENCE NAME {}",
        qualified(&QualifiedName::new(&table.schema, &identity.sequence))
    )];
    parts.extend(sequence::create_clauses(&identity.options));
    format!(
        "GENERATED {} AS IDENTITY ({})",
        identity_words(identity.kind),
        parts.join(" ")
    )
}

/// The column definition shared by `CREATE TABLE` and `ADD COLUMN`, so both always agree:
/// `"name" type [DEFAULT …] [GENERATED …] [NOT NULL]`.
pub fn definition_sql(table: &QualifiedName, column: &Column) -> String {
    let mut sql = format!("{} {}", quote(&column.name), type_name(&column.ty));
    if let Some(c) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", collation_sql(c)));
    }
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(&default_sql(default));
    }
    if let Some(identity) = &column.identity {
        sql.push(' ');
        sql.push_str(&identity_sql(table, identity));
    }
    if let Some(expr) = &column.generated {
        let kind = if column.generated_virtual {
            "VIRTUAL"
        } else {
            "STORED"
        };
        sql.push_str(&format!(" GENERATED ALWAYS AS ({expr}) {kind}"));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// `ALTER TABLE … ADD COLUMN`, with the same definition `CREATE TABLE` would write.
pub fn add_sql(table: &QualifiedName, column: &Column) -> String {
    format!(
        "ALTER TABLE {} ADD COLUMN {}",
        qualified(table),
        definition_sql(table, column)
    )
}

/// `ALTER TABLE … DROP COLUMN` (without CASCADE: dependents are dropped explicitly first).
pub fn drop_sql(table: &QualifiedName, column: &str) -> String {
    format!(
        "ALTER TABLE {} DROP COLUMN {}",
        qualified(table),
        quote(column)
    )
}

/// Renames the NOT NULL constraint PostgreSQL 18 keeps for a column from the name derived for
/// its old table or column to the one derived for the new (`<table>_<column>_not_null`), so a
/// renamed table dumps like a freshly created one; a no-op on servers without such
/// constraints, or when the constraint has another name.
pub fn not_null_rename_sql(table: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "DO $tidemark$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = {}::regclass AND conname = {} AND contype = 'n') THEN ALTER TABLE {} RENAME CONSTRAINT {} TO {}; END IF; END $tidemark$",
        literal(&qualified(table)),
        literal(from),
        qualified(table),
        quote(from),
        quote(to)
    )
}

/// The NOT NULL constraint name PostgreSQL 18 derives for a column.
pub fn not_null_name(table: &str, column: &str) -> String {
    crate::spec::names::make_object_name(table, Some(column), Some("not_null"))
}

/// `ALTER TABLE … RENAME COLUMN … TO …`.
pub fn rename_sql(table: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        qualified(table),
        quote(from),
        quote(to)
    )
}

fn alter(table: &QualifiedName, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {action}",
        qualified(table),
        quote(column)
    )
}

/// A collation of `pg_catalog`, qualified so a same-named one elsewhere on the search path is
/// never picked.
pub fn collation_sql(name: &str) -> String {
    format!("pg_catalog.{}", quote(name))
}

/// `ALTER COLUMN … TYPE t [COLLATE c] [USING expr]`: `using` is SQL the planner builds (a cast
/// of the quoted column, or `NULL` for a vector dimension change), never user text. Without
/// `COLLATE` the column takes its new type's default collation, so a column's own is always
/// written again.
pub fn alter_type_sql(
    table: &QualifiedName,
    column: &str,
    ty: &ColumnType,
    collation: Option<&str>,
    using: Option<&str>,
) -> String {
    let mut action = format!("TYPE {}", type_name(ty));
    if let Some(c) = collation {
        action.push_str(&format!(" COLLATE {}", collation_sql(c)));
    }
    if let Some(using) = using {
        action.push_str(&format!(" USING {using}"));
    }
    alter(table, column, &action)
}

/// `ALTER COLUMN … SET DEFAULT …`, the default rendered as in a column definition.
pub fn set_default_sql(table: &QualifiedName, column: &str, default: &DefaultValue) -> String {
    alter(
        table,
        column,
        &format!("SET DEFAULT {}", default_sql(default)),
    )
}

/// `ALTER COLUMN … DROP DEFAULT` (a no-op when there is none).
pub fn drop_default_sql(table: &QualifiedName, column: &str) -> String {
    alter(table, column, "DROP DEFAULT")
}

/// `ALTER COLUMN … SET NOT NULL` / `DROP NOT NULL`.
pub fn set_nullable_sql(table: &QualifiedName, column: &str, nullable: bool) -> String {
    alter(
        table,
        column,
        if nullable {
            "DROP NOT NULL"
        } else {
            "SET NOT NULL"
        },
    )
}

/// `ALTER COLUMN … ADD GENERATED … AS IDENTITY (…)` on an existing NOT NULL column.
pub fn add_identity_sql(table: &QualifiedName, column: &str, identity: &Identity) -> String {
    alter(
        table,
        column,
        &format!("ADD {}", identity_sql(table, identity)),
    )
}

/// `ALTER COLUMN … DROP IDENTITY` (the sequence goes with it).
pub fn drop_identity_sql(table: &QualifiedName, column: &str) -> String {
    alter(table, column, "DROP IDENTITY")
}

/// `ALTER COLUMN … SET GENERATED …` and `SET <option>` for the options that differ: changes an
/// identity in place, keeping its sequence and its position.
fn set_identity_sql(
    table: &QualifiedName,
    column: &str,
    from: &Identity,
    to: &Identity,
) -> Option<String> {
    let mut actions = Vec::new();
    if from.kind != to.kind {
        actions.push(format!("SET GENERATED {}", identity_words(to.kind)));
    }
    // An identity sequence's type is the column's: PostgreSQL retypes it with the column.
    let same_type = SequenceOptions {
        data_type: from.options.data_type,
        ..to.options
    };
    actions.extend(
        sequence::alter_clauses(&same_type, &from.options)
            .into_iter()
            .map(|c| format!("SET {c}")),
    );
    (!actions.is_empty()).then(|| alter(table, column, &actions.join(" ")))
}

/// `ALTER COLUMN … SET EXPRESSION AS (expr)` (PostgreSQL 17+): recomputes a stored generated
/// column in place, expression verbatim.
pub fn set_expression_sql(table: &QualifiedName, column: &str, expr: &str) -> String {
    alter(table, column, &format!("SET EXPRESSION AS ({expr})"))
}

/// `ALTER COLUMN … DROP EXPRESSION`: keeps the stored values, makes the column a plain one.
pub fn drop_expression_sql(table: &QualifiedName, column: &str) -> String {
    alter(table, column, "DROP EXPRESSION")
}

/// `ALTER COLUMN … SET STATISTICS`; `None` goes back to the server's default (`-1`, which
/// every supported version takes).
pub fn statistics_sql(table: &QualifiedName, column: &str, target: Option<i32>) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET STATISTICS {}",
        qualified(table),
        quote(column),
        target.unwrap_or(-1)
    )
}

/// `ALTER COLUMN … SET STORAGE`; `None` goes back to the type's strategy (`DEFAULT`,
/// PostgreSQL 16 and later).
pub fn storage_sql(table: &QualifiedName, column: &str, storage: Option<ColumnStorage>) -> String {
    let word = storage.map_or("DEFAULT".to_string(), |s| s.name().to_uppercase());
    alter(table, column, &format!("SET STORAGE {word}"))
}

/// `ALTER COLUMN … SET COMPRESSION`; `None` goes back to `default_toast_compression`.
pub fn compression_sql(table: &QualifiedName, column: &str, method: Option<&str>) -> String {
    let word = method.map_or("DEFAULT".to_string(), quote);
    alter(table, column, &format!("SET COMPRESSION {word}"))
}

/// The column's settings kept outside its definition (`SET STATISTICS`, `SET STORAGE`, `SET
/// COMPRESSION`): the statements that take a column with `from`'s settings to `to`'s, so a
/// new, dropped or changed column and `CREATE TABLE` all write them alike.
pub fn settings_sql(table: &QualifiedName, from: &Column, to: &Column) -> Vec<String> {
    let name = &to.name;
    let mut out = Vec::new();
    if from.statistics != to.statistics {
        out.push(statistics_sql(table, name, to.statistics));
    }
    if from.storage != to.storage {
        out.push(storage_sql(table, name, to.storage));
    }
    if from.compression != to.compression {
        out.push(compression_sql(table, name, to.compression.as_deref()));
    }
    out
}

/// The column with the server's default settings: where a new column starts.
pub fn default_settings(column: &Column) -> Column {
    Column {
        statistics: None,
        storage: None,
        compression: None,
        ..column.clone()
    }
}

/// `COMMENT ON COLUMN`; `None` removes the comment.
pub fn comment_sql(table: &QualifiedName, column: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        qualified(table),
        quote(column),
        comment_text(text)
    )
}

// ---------------------------------------------------------------------------------------------
// Dependencies

/// What a column's type refers to (an enum, also as an array element).
pub fn type_dependencies(ty: &ColumnType) -> Vec<ObjectRef> {
    match ty {
        ColumnType::Enum(q) => vec![ObjectRef::Enum(q.clone())],
        ColumnType::Custom(q) => vec![ObjectRef::Type(q.clone())],
        // A range type of the spec, if it is one (nothing provides the server's own).
        ColumnType::Other(crate::model::OtherType {
            schema: Some(s),
            name,
            ..
        }) => vec![ObjectRef::Type(QualifiedName::new(s, name))],
        ColumnType::Array(inner) => type_dependencies(inner),
        _ => Vec::new(),
    }
}

/// The columns of `table` an expression mentions, as objects.
pub fn expression_columns(table: &Table, expr: &str) -> Vec<ObjectRef> {
    crate::sql_lex::names(expr)
        .into_iter()
        .filter(|n| table.column(n).is_some())
        .map(|n| ObjectRef::column(&table.name, &n))
        .collect()
}

/// The sequences a default calls.
pub fn default_dependencies(default: Option<&DefaultValue>) -> Vec<ObjectRef> {
    match default {
        Some(DefaultValue::Expr(e)) => crate::sql_lex::sequence_calls(e, "public")
            .into_iter()
            .map(ObjectRef::Sequence)
            .collect(),
        _ => Vec::new(),
    }
}

/// The spec's functions a default calls.
fn default_calls(schema: &Schema, default: Option<&DefaultValue>) -> Vec<ObjectRef> {
    match default {
        Some(DefaultValue::Expr(e)) => super::function::calls_in(e, &schema.functions),
        _ => Vec::new(),
    }
}

/// The spec's functions a column's default and generation expression call: created before the
/// column needs them, and dropped only after it lets go (PostgreSQL refuses otherwise).
pub fn function_calls(schema: &Schema, column: &Column) -> Vec<ObjectRef> {
    let mut out = default_calls(schema, column.default.as_ref());
    if let Some(g) = &column.generated {
        out.extend(super::function::calls_in(g, &schema.functions));
    }
    out
}

/// [`dependencies`] and [`function_calls`].
fn needs(schema: &Schema, table: &Table, column: &Column) -> Vec<ObjectRef> {
    let mut out = dependencies(table, column);
    out.extend(function_calls(schema, column));
    out
}

/// Everything a column definition refers to: its type, the sequences its default calls, the
/// columns its generation expression reads.
pub fn dependencies(table: &Table, column: &Column) -> Vec<ObjectRef> {
    let mut out = type_dependencies(&column.ty);
    out.extend(default_dependencies(column.default.as_ref()));
    if let Some(g) = &column.generated {
        out.extend(
            expression_columns(table, g)
                .into_iter()
                .filter(|o| *o != ObjectRef::column(&table.name, &column.name)),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

fn table_of<'s>(schema: &'s Schema, name: &QualifiedName) -> Option<&'s Table> {
    schema.table(name)
}

pub(crate) fn plan(change: &ColumnChange, b: &mut Builder<'_>) {
    match change {
        ColumnChange::Add { table, column } => plan_add(b, table, column),
        ColumnChange::Drop { table, column } => plan_drop(b, table, column),
        ColumnChange::Rename { table, from, to } => {
            let me = ObjectRef::column(table, to);
            let mut up = vec![rename_sql(table, from, to)];
            let mut down = vec![rename_sql(table, to, from)];
            let not_null =
                b.cx.desired
                    .table(table)
                    .and_then(|t| t.column(to))
                    .is_some_and(|c| !c.nullable);
            if not_null {
                let (old, new) = (
                    not_null_name(&table.name, from),
                    not_null_name(&table.name, to),
                );
                up.push(not_null_rename_sql(table, &old, &new));
                down.insert(0, not_null_rename_sql(table, &new, &old));
            }
            b.step(&me, up, Some(down))
                .removes([ObjectRef::column(table, from)])
                .provides([me.clone()])
                .is_rename()
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
        }
        ColumnChange::Alter { table, from, to } => plan_alter(b, table, from, to),
        ColumnChange::SerialToIdentity {
            table,
            from,
            to,
            sequence,
        } => {
            let Some(identity) = &to.identity else {
                return;
            };
            let me = ObjectRef::column(table, &to.name);
            let up = serial_to_identity_sql(table, &to.name, sequence, identity);
            let down = identity_to_serial_sql(table, from, identity, sequence);
            b.step(&me, up, Some(down))
                .requires([ObjectRef::Table(table.clone())])
                .removes([ObjectRef::Sequence(sequence.name.clone())])
                .releases([ObjectRef::Sequence(sequence.name.clone())])
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
            let mut rest = from.clone();
            rest.default = None;
            rest.identity = to.identity.clone();
            plan_alter(b, table, &rest, to);
        }
        ColumnChange::IdentityToSerial {
            table,
            from,
            to,
            sequence,
        } => {
            let Some(identity) = &from.identity else {
                return;
            };
            let me = ObjectRef::column(table, &to.name);
            let up = identity_to_serial_sql(table, to, identity, sequence);
            let down = serial_to_identity_sql(table, &to.name, sequence, identity);
            b.step(&me, up, Some(down))
                .requires([ObjectRef::Table(table.clone())])
                .provides([ObjectRef::Sequence(sequence.name.clone())])
                .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
            let mut rest = from.clone();
            rest.default = to.default.clone();
            rest.identity = None;
            plan_alter(b, table, &rest, to);
        }
    }
}

/// `serial` → identity: the old sequence steps aside, the identity takes its name and its
/// position, the old sequence goes.
fn serial_to_identity_sql(
    table: &QualifiedName,
    column: &str,
    serial: &Sequence,
    identity: &Identity,
) -> Vec<String> {
    let old = QualifiedName::new(
        &serial.name.schema,
        temporary_name(&serial.name.name, "_tmold"),
    );
    let id_seq = QualifiedName::new(&table.schema, &identity.sequence);
    vec![
        sequence::rename_sql(&serial.name, &old.name),
        drop_default_sql(table, column),
        add_identity_sql(table, column, identity),
        copy_position_sql(&old, &id_seq, &identity.options),
        sequence::drop_sql(&old),
    ]
}

/// identity → `serial`: a new sequence takes the identity's position, the identity goes, the
/// new sequence takes its name, becomes the default and is owned by the column.
fn identity_to_serial_sql(
    table: &QualifiedName,
    column: &Column,
    identity: &Identity,
    serial: &Sequence,
) -> Vec<String> {
    let tmp = QualifiedName::new(
        &serial.name.schema,
        temporary_name(&serial.name.name, "_tmnew"),
    );
    let id_seq = QualifiedName::new(&table.schema, &identity.sequence);
    let mut staged = serial.clone();
    staged.name = tmp.clone();
    let mut out = vec![
        sequence::create_sql(&staged),
        copy_position_sql(&id_seq, &tmp, &serial.options),
        drop_identity_sql(table, &column.name),
        sequence::rename_sql(&tmp, &serial.name.name),
    ];
    if let Some(d) = &column.default {
        out.push(set_default_sql(table, &column.name, d));
    }
    out.push(sequence::owned_by_sql(
        &serial.name,
        serial.owned_by.as_ref(),
    ));
    out
}

/// Moves sequence `to` to where `from` stands (within `to`'s bounds), so the next value is the
/// one `from` would have given.
fn copy_position_sql(
    from: &QualifiedName,
    to: &QualifiedName,
    options: &SequenceOptions,
) -> String {
    format!(
        "SELECT setval({}::regclass, LEAST(GREATEST(last_value, {}), {}), is_called) FROM {}",
        literal(&crate::sql_lex::regclass_text(to)),
        options.min,
        options.max,
        qualified(from)
    )
}

fn plan_add(b: &mut Builder<'_>, table: &QualifiedName, column: &Column) {
    let cx = b.cx;
    let what = ObjectRef::column(table, &column.name);
    let desired_table = table_of(cx.desired, table)
        .cloned()
        .unwrap_or_else(|| Table::named(table.clone()));
    let existing = cx.existing(table);
    let deps = needs(cx.desired, &desired_table, column);
    let d = b
        .step(
            &what,
            vec![add_sql(table, column)],
            Some(vec![drop_sql(table, &column.name)]),
        )
        .provides([what.clone()])
        .requires(deps);
    if existing {
        d.lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
        if !column.nullable
            && column.default.is_none()
            && column.identity.is_none()
            && column.generated.is_none()
        {
            d.hazard(
                HazardKind::MayFail,
                format!(
                    "{what} is NOT NULL without a default: adding it fails if the table has rows"
                ),
            );
        }
        let volatile_default = !default_dependencies(column.default.as_ref()).is_empty();
        if column.identity.is_some() || column.generated.is_some() || volatile_default {
            d.hazard(
                HazardKind::TableRewrite,
                format!("{what} is computed for every existing row, rewriting the table"),
            );
        }
    }
    if let Some(c) = &column.comment {
        b.then(
            &what,
            vec![comment_sql(table, &column.name, Some(c))],
            Some(vec![comment_sql(table, &column.name, None)]),
        )
        .requires([what.clone()]);
    }
    let plain = default_settings(column);
    let settings = settings_sql(table, &plain, column);
    if !settings.is_empty() {
        b.then(&what, settings, Some(settings_sql(table, column, &plain)))
            .requires([what.clone()]);
    }
}

fn plan_drop(b: &mut Builder<'_>, table: &QualifiedName, column: &Column) {
    let cx = b.cx;
    let what = ObjectRef::column(table, &column.name);
    let current_table = table_of(&cx.renamed, table)
        .cloned()
        .unwrap_or_else(|| Table::named(table.clone()));
    // Sequences the column owns go with it; the way back recreates them first.
    let owned: Vec<&Sequence> = cx
        .renamed
        .owned_sequences(table)
        .filter(|s| s.owned_by.as_ref().is_some_and(|o| o.column == column.name))
        .collect();
    let mut down: Vec<String> = owned.iter().map(|s| sequence::create_sql(s)).collect();
    down.push(add_sql(table, column));
    if let Some(c) = &column.comment {
        down.push(comment_sql(table, &column.name, Some(c)));
    }
    down.extend(settings_sql(table, &default_settings(column), column));
    for s in &owned {
        down.extend(sequence::restore_sql(s));
    }
    let d = b
        .step(&what, vec![drop_sql(table, &column.name)], Some(down))
        .removes([what.clone()])
        .removes(owned.iter().map(|s| ObjectRef::Sequence(s.name.clone())))
        .releases(needs(&cx.renamed, &current_table, column))
        .lock(LockLevel::AccessExclusive, &ObjectRef::Table(table.clone()));
    // A generated column's values are derived: dropping it loses nothing.
    if column.generated.is_none() {
        d.hazard(
            HazardKind::DataLoss,
            format!(
                "dropping {what} destroys its values; the down step recreates the column empty"
            ),
        );
    }
}

/// The steps of one column's change, in a chain (`then`): the steps before the type change
/// depend on the table only (the column they touch is still the old one), the type change
/// removes and provides the column (so what depends on the column is ordered around it), and
/// the steps after it follow the chain.
fn plan_alter(b: &mut Builder<'_>, table: &QualifiedName, from: &Column, to: &Column) {
    let cx = b.cx;
    let what = ObjectRef::column(table, &to.name);
    let name = &to.name;
    let table_ref = ObjectRef::Table(table.clone());
    let current_table = table_of(&cx.renamed, table)
        .cloned()
        .unwrap_or_else(|| Table::named(table.clone()));
    let desired_table = table_of(cx.desired, table)
        .cloned()
        .unwrap_or_else(|| Table::named(table.clone()));

    // A plain column cannot become generated in place, nor a stored one virtual (or back),
    // nor a virtual one plain: replace it.
    if replaced(from, to) {
        let d = b
            .then(
                &what,
                vec![drop_sql(table, name), add_sql(table, to)],
                Some(vec![drop_sql(table, name), add_sql(table, from)]),
            )
            .removes([what.clone()])
            .provides([what.clone()])
            .releases(needs(&cx.renamed, &current_table, from))
            .requires(needs(cx.desired, &desired_table, to))
            .lock(LockLevel::AccessExclusive, &table_ref);
        if from.generated.is_none() {
            d.hazard(
                HazardKind::DataLoss,
                format!("{what} becomes generated: it is dropped and re-added, its stored values replaced by the expression"),
            );
        } else if to.generated.is_none() {
            d.hazard(
                HazardKind::DataLoss,
                format!("the virtual {what} becomes a plain column: it is dropped and re-added empty (a virtual column's values are never stored)"),
            );
        }
        if to.generated.is_some() && !to.generated_virtual {
            d.hazard(
                HazardKind::TableRewrite,
                format!("the generated {what} is computed for every row"),
            );
        }
        if from.comment != to.comment || to.comment.is_some() {
            b.then(
                &what,
                vec![comment_sql(table, name, to.comment.as_deref())],
                Some(vec![comment_sql(table, name, from.comment.as_deref())]),
            )
            .requires([table_ref.clone()]);
        }
        // The column is new: its settings start from the server's defaults.
        let up = settings_sql(table, &default_settings(to), to);
        if !up.is_empty() {
            b.then(
                &what,
                up,
                Some(settings_sql(table, &default_settings(from), from)),
            )
            .requires([table_ref.clone()]);
        }
        return;
    }

    if let (Some(old), None) = (&from.identity, &to.identity) {
        b.then(
            &what,
            vec![drop_identity_sql(table, name)],
            Some(vec![add_identity_sql(table, name, old)]),
        )
        .requires([table_ref.clone()])
        .lock(LockLevel::AccessExclusive, &table_ref);
    }
    match (&from.generated, &to.generated) {
        (Some(a), Some(bx)) if a != bx => {
            let d = b
                .then(
                    &what,
                    vec![set_expression_sql(table, name, bx)],
                    Some(vec![set_expression_sql(table, name, a)]),
                )
                .requires([table_ref.clone()])
                .requires(needs(cx.desired, &desired_table, to))
                .releases(needs(&cx.renamed, &current_table, from))
                .lock(LockLevel::AccessExclusive, &table_ref);
            // A virtual column is computed when read: nothing is rewritten.
            if !to.generated_virtual {
                d.hazard(
                    HazardKind::TableRewrite,
                    format!("{what} is recomputed for every row"),
                );
            }
        }
        (Some(_), None) => {
            // DROP EXPRESSION keeps the values; the way back is replacing the column.
            b.then(
                &what,
                vec![drop_expression_sql(table, name)],
                Some(vec![drop_sql(table, name), add_sql(table, from)]),
            )
            .requires([table_ref.clone()])
            .releases(needs(&cx.renamed, &current_table, from))
            .lock(LockLevel::AccessExclusive, &table_ref);
        }
        _ => {}
    }
    let collation_changes = from.collation != to.collation;
    let type_changes = from.ty != to.ty || collation_changes;
    let default_changes = from.default != to.default;
    if from.default.is_some() && (type_changes || (default_changes && to.default.is_none())) {
        let restore = from
            .default
            .as_ref()
            .map(|d| vec![set_default_sql(table, name, d)]);
        b.then(&what, vec![drop_default_sql(table, name)], restore)
            .requires([table_ref.clone()])
            .releases(default_dependencies(from.default.as_ref()))
            .releases(default_calls(&cx.renamed, from.default.as_ref()))
            .lock(LockLevel::AccessExclusive, &table_ref);
    }
    if type_changes {
        let change = classify_type_change(&from.ty, &to.ty);
        let (up_using, mut hazards) = type_change_sql(&what, from, to, change);
        if collation_changes {
            let indexed = desired_table.indexes.iter().any(|index| {
                index.keys.iter().any(|k| match &k.target {
                    crate::model::IndexTarget::Column(c) => c == name,
                    crate::model::IndexTarget::Expr(e) => crate::sql_lex::mentions(e, name),
                })
            }) || desired_table
                .uniques
                .iter()
                .any(|u| u.columns.contains(name))
                || desired_table
                    .primary_key
                    .as_ref()
                    .is_some_and(|p| p.columns.contains(name));
            if indexed {
                hazards.push(hazard(
                    HazardKind::BlockingLock,
                    format!(
                        "changing the collation of {what} rebuilds its indexes under an exclusive lock (a unique one fails if the new collation finds duplicates)"
                    ),
                ));
            }
        }
        if change != TypeChange::Safe {
            for index in &desired_table.indexes {
                let on_column = index.keys.iter().any(|k| match &k.target {
                    crate::model::IndexTarget::Column(c) => c == name,
                    crate::model::IndexTarget::Expr(e) => crate::sql_lex::mentions(e, name),
                });
                if on_column && index.method.is_vector() {
                    hazards.push(hazard(
                        HazardKind::VectorIndexRebuild,
                        format!(
                            "{} is rebuilt by the type change of {what}",
                            ObjectRef::index(table, &index.name)
                        ),
                    ));
                }
            }
        }
        let back = classify_type_change(&to.ty, &from.ty);
        let (down_using, _) = type_change_sql(&what, to, from, back);
        b.then(
            &what,
            vec![alter_type_sql(
                table,
                name,
                &to.ty,
                to.collation.as_deref(),
                up_using.as_deref(),
            )],
            Some(vec![alter_type_sql(
                table,
                name,
                &from.ty,
                from.collation.as_deref(),
                down_using.as_deref(),
            )]),
        )
        .removes([what.clone()])
        .provides([what.clone()])
        .releases(type_dependencies(&from.ty))
        .requires(type_dependencies(&to.ty))
        .lock(LockLevel::AccessExclusive, &table_ref)
        .hazards(hazards);
    }
    if from.nullable && !to.nullable {
        b.then(
            &what,
            vec![set_nullable_sql(table, name, false)],
            Some(vec![set_nullable_sql(table, name, true)]),
        )
        .requires([what.clone()])
        .lock(LockLevel::AccessExclusive, &table_ref)
        .hazard(
            HazardKind::BlockingLock,
            format!("making {what} NOT NULL scans every row under an exclusive lock"),
        )
        .hazard(
            HazardKind::MayFail,
            format!("making {what} NOT NULL fails if any row holds NULL"),
        );
    }
    match (&from.identity, &to.identity) {
        (None, Some(i)) => {
            b.then(
                &what,
                vec![add_identity_sql(table, name, i)],
                Some(vec![drop_identity_sql(table, name)]),
            )
            .requires([what.clone()])
            .lock(LockLevel::AccessExclusive, &table_ref);
        }
        (Some(a), Some(c)) if a != c => {
            // Types follow the column (PostgreSQL retypes the identity sequence with it).
            let mut a_same_type = a.clone();
            a_same_type.options.data_type = c.options.data_type;
            if a.sequence != c.sequence {
                let old = QualifiedName::new(&table.schema, &a.sequence);
                let new = QualifiedName::new(&table.schema, &c.sequence);
                b.then(
                    &what,
                    vec![sequence::rename_sql(&old, &c.sequence)],
                    Some(vec![sequence::rename_sql(&new, &a.sequence)]),
                )
                .requires([what.clone()]);
            }
            if let Some(set) = set_identity_sql(table, name, &a_same_type, c) {
                let seq = QualifiedName::new(&table.schema, &c.sequence);
                let with_position = |from: &Identity, to: &Identity, set: String| {
                    let mut out: Vec<String> =
                        sequence::position_into_bounds_sql(&seq, &from.options, &to.options)
                            .into_iter()
                            .collect();
                    out.push(set);
                    out
                };
                let up = with_position(&a_same_type, c, set);
                let down = set_identity_sql(table, name, c, &a_same_type)
                    .map(|d| with_position(c, &a_same_type, d));
                b.then(&what, up, down)
                    .requires([what.clone()])
                    .lock(LockLevel::AccessExclusive, &table_ref);
            }
        }
        _ => {}
    }
    if let Some(d) = &to.default
        && (default_changes || type_changes)
    {
        // Undo: with a type change, the old default comes back after the old type (above).
        let down = match (&from.default, type_changes) {
            (Some(old), false) => set_default_sql(table, name, old),
            _ => drop_default_sql(table, name),
        };
        b.then(
            &what,
            vec![set_default_sql(table, name, d)],
            Some(vec![down]),
        )
        .requires([what.clone()])
        .requires(default_dependencies(Some(d)))
        .requires(default_calls(cx.desired, Some(d)))
        .releases(if type_changes {
            Vec::new()
        } else {
            let mut old = default_dependencies(from.default.as_ref());
            old.extend(default_calls(&cx.renamed, from.default.as_ref()));
            old
        })
        .lock(LockLevel::AccessExclusive, &table_ref);
    }
    if !from.nullable && to.nullable {
        b.then(
            &what,
            vec![set_nullable_sql(table, name, true)],
            Some(vec![set_nullable_sql(table, name, false)]),
        )
        .requires([what.clone()])
        .lock(LockLevel::AccessExclusive, &table_ref);
    }
    if from.comment != to.comment {
        b.then(
            &what,
            vec![comment_sql(table, name, to.comment.as_deref())],
            Some(vec![comment_sql(table, name, from.comment.as_deref())]),
        )
        .requires([what.clone()]);
    }
    let settings = settings_sql(table, from, to);
    if !settings.is_empty() {
        // SET STORAGE and SET COMPRESSION take the table's exclusive lock (briefly: no rewrite,
        // only values written from now on follow them); SET STATISTICS a lighter one.
        let level = if from.storage != to.storage || from.compression != to.compression {
            LockLevel::AccessExclusive
        } else {
            LockLevel::ShareUpdateExclusive
        };
        b.then(&what, settings, Some(settings_sql(table, to, from)))
            .requires([what.clone()])
            .lock(level, &table_ref);
    }
}

/// Whether the change from `from` to `to` drops the column and adds it again: PostgreSQL
/// cannot make a plain column generated, switch a generated one between `STORED` and
/// `VIRTUAL`, or drop a virtual one's expression.
pub fn replaced(from: &Column, to: &Column) -> bool {
    match (&from.generated, &to.generated) {
        (None, Some(_)) => true,
        (Some(_), Some(_)) => from.generated_virtual != to.generated_virtual,
        (Some(_), None) => from.generated_virtual,
        (None, None) => false,
    }
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
        // Converted through text (see `type_change_sql`): any value may not fit the new type.
        (T::Other(_), _) | (_, T::Other(_)) => Narrowing,
        _ => Rewrite,
    }
}

/// The `USING` expression and hazards of one type conversion.
fn type_change_sql(
    what: &ObjectRef,
    from: &Column,
    to: &Column,
    change: TypeChange,
) -> (Option<String>, Vec<crate::plan::Hazard>) {
    let (a, bty) = (type_name(&from.ty), type_name(&to.ty));
    let cast = || {
        // Between enums, and to or from a type the model has no variant of (`int4range` to
        // `int8range` has no cast), the values go through their text form, which every type has.
        let via_text = (matches!(from.ty, ColumnType::Enum(_))
            && matches!(to.ty, ColumnType::Enum(_)))
            || matches!(from.ty, ColumnType::Other(_))
            || matches!(to.ty, ColumnType::Other(_));
        Some(format!(
            "{}{}::{}",
            quote(&from.name),
            if via_text { "::text" } else { "" },
            type_name(&to.ty)
        ))
    };
    let rewrite = || {
        hazard(
            HazardKind::TableRewrite,
            format!("changing {what} from {a} to {bty} rewrites the table under an exclusive lock"),
        )
    };
    match change {
        TypeChange::Safe => (None, vec![]),
        TypeChange::Rewrite => (cast(), vec![rewrite()]),
        TypeChange::Narrowing => (
            cast(),
            vec![
                hazard(
                    HazardKind::DataLoss,
                    format!(
                        "changing {what} from {a} to {bty} narrows it: values may be truncated or rounded, or the conversion fails"
                    ),
                ),
                rewrite(),
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

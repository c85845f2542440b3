//! Step `ddl` of the data flow: [`model::Schema`](crate::model::Schema) → SQL statements. It
//! renders a whole schema as a CREATE script ([`create_all`] + [`script`]), and exposes one small
//! renderer per object kind and action so that `plan` (diff → ALTERs) builds its steps from the
//! same SQL.
//!
//! Every statement is a [`Statement`] value naming the object it touches ([`ObjectRef`]) and its
//! dependency tier ([`Phase`]), so a later step can point each line of SQL back to its change.
//! Identifiers are always quoted with [`sql_ident`](crate::sql_ident) and object names are always
//! schema-qualified; expressions (defaults, checks, generated columns, index keys and
//! predicates) are written verbatim, as the model carries them.
//!
//! # sea-query or raw SQL, per statement kind
//!
//! The rule is "sea-query's builders where they express the statement correctly, raw SQL built
//! with `sql_ident` where they don't". sea-query 1.0.2 was checked statement by statement
//! (source of its Postgres backend, and the `sea_query_*` unit tests below pin its output):
//!
//! | statement | built with | why |
//! |---|---|---|
//! | `CREATE TYPE … AS ENUM`, `ALTER TYPE … ADD VALUE`, `DROP TYPE` | sea-query `Type` | quotes and qualifies the type name, escapes labels |
//! | `DROP TABLE` | sea-query `Table::drop` | quotes and qualifies |
//! | `ALTER TABLE … DROP COLUMN` | sea-query `Table::alter` | quotes and qualifies |
//! | `CREATE EXTENSION`, `DROP EXTENSION` | raw | sea-query writes name, schema and version unquoted |
//! | `CREATE SCHEMA`, `DROP SCHEMA` | raw | no builder |
//! | `CREATE TABLE`, `ADD COLUMN` | raw | sea-query has no `GENERATED ALWAYS AS IDENTITY`, wraps every expression default in parentheses, and writes constraint names without doubling embedded `"` |
//! | primary key / unique / check / foreign key | raw | no `DEFERRABLE`, constraint names not escaped, no generic `ADD CONSTRAINT` for PK/UNIQUE/CHECK |
//! | `CREATE INDEX` | raw | no `WITH (…)`, no `NULLS FIRST/LAST`, operator class written unquoted *after* `DESC` (a syntax error), index name not escaped |
//! | `DROP INDEX`, `DROP CONSTRAINT` | raw | name not escaped |
//! | `COMMENT ON …` | raw | no builder for PostgreSQL |
//!
//! Known limit: sea-query reads a type name ending in `[]` as an array, so an enum literally
//! named `x[]` would be mis-rendered; the spec validator is expected to reject such names.

use std::fmt;

use sea_query::extension::postgres::Type;
use sea_query::{Alias, IntoIden, PostgresQueryBuilder, SchemaName, Table as SqTable, TypeRef};

use crate::model::{
    Check, Column, DefaultValue, Deferrable, Enum, Extension, FkAction, ForeignKey, Identity,
    Index, IndexKey, IndexTarget, Namespace, NullsOrder, PrimaryKey, QualifiedName, Schema,
    SortOrder, Table, Unique,
};
use crate::sql_ident::{literal, qualified, quote, quote_list};

/// One SQL statement (without the terminating `;`) and what it is about, so that scripts can be
/// annotated and a migration plan can trace every step back to the object and change it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub object: ObjectRef,
    pub phase: Phase,
}

/// The database object a statement creates, alters, drops or comments on: the stable key that
/// links a line of SQL back to the spec (and, in `plan`, to the change that produced it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectRef {
    Extension(String),
    /// A PostgreSQL schema (namespace).
    Schema(String),
    Enum(QualifiedName),
    Table(QualifiedName),
    Column {
        table: QualifiedName,
        column: String,
    },
    Constraint {
        table: QualifiedName,
        kind: ConstraintKind,
        name: String,
    },
    /// An index lives in its table's schema; the table is kept so plans can group by table.
    Index {
        table: QualifiedName,
        name: String,
    },
}

/// Which kind of table constraint, because PostgreSQL and readers treat them differently
/// (foreign keys wait for every table; primary keys back the identity of rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

impl ConstraintKind {
    /// Words used in script annotations and messages.
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign key",
        }
    }
}

/// Dependency tier of a statement: a script runs tiers in this order (`Ord`), and a plan drops
/// in the reverse order. Drop renderers carry the tier of the object they drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// `CREATE SCHEMA` comes first: extensions and objects may be placed in those schemas.
    Schemas,
    Extensions,
    /// Enum types, which table columns use.
    Types,
    /// Tables with their columns, primary keys, uniques and checks.
    Tables,
    /// Indexes, before foreign keys: a foreign key may rest on a unique index.
    Indexes,
    /// Foreign keys, added once every table and index exists, so cycles, any table order and
    /// keys on unique indexes work.
    ForeignKeys,
    Comments,
}

impl fmt::Display for ObjectRef {
    /// Annotation form (`table public.documents`): control characters are escaped so that a
    /// name can never end a `--` comment line and smuggle SQL into a script.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectRef::Extension(n) => write!(f, "extension {}", show(n)),
            ObjectRef::Schema(n) => write!(f, "schema {}", show(n)),
            ObjectRef::Enum(q) => write!(f, "enum {}", show_q(q)),
            ObjectRef::Table(q) => write!(f, "table {}", show_q(q)),
            ObjectRef::Column { table, column } => {
                write!(f, "column {}.{}", show_q(table), show(column))
            }
            ObjectRef::Constraint { table, kind, name } => {
                write!(f, "{} {} on {}", kind.label(), show(name), show_q(table))
            }
            ObjectRef::Index { table, name } => {
                write!(f, "index {} on {}", show(name), show_q(table))
            }
        }
    }
}

fn show(name: &str) -> String {
    crate::sql_ident::display(name)
}

fn show_q(q: &QualifiedName) -> String {
    format!("{}.{}", show(&q.schema), show(&q.name))
}

fn stmt(sql: String, object: ObjectRef, phase: Phase) -> Statement {
    Statement { sql, object, phase }
}

fn table_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Table(name.clone())
}

fn sq_table(name: &QualifiedName) -> (Alias, Alias) {
    (Alias::new(&name.schema), Alias::new(&name.name))
}

fn sq_type(name: &QualifiedName) -> TypeRef {
    TypeRef(
        Some(SchemaName(None, Alias::new(&name.schema).into_iden())),
        Alias::new(&name.name).into_iden(),
    )
}

// ---------------------------------------------------------------------------------------------
// Schemas and extensions

/// `CREATE SCHEMA`: the namespaces the spec owns must exist before anything is put in them.
pub fn create_schema(namespace: &Namespace) -> Statement {
    stmt(
        format!("CREATE SCHEMA {}", quote(&namespace.name)),
        ObjectRef::Schema(namespace.name.clone()),
        Phase::Schemas,
    )
}

/// `DROP SCHEMA` (without CASCADE: a plan drops the contents first, explicitly).
pub fn drop_schema(name: &str) -> Statement {
    stmt(
        format!("DROP SCHEMA {}", quote(name)),
        ObjectRef::Schema(name.to_string()),
        Phase::Schemas,
    )
}

/// `CREATE EXTENSION IF NOT EXISTS`: extensions are shared per database and often pre-installed
/// by the provider, so creating one that exists must not fail.
pub fn create_extension(extension: &Extension) -> Statement {
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote(&extension.name));
    if let Some(schema) = &extension.schema {
        sql.push_str(&format!(" SCHEMA {}", quote(schema)));
    }
    if let Some(version) = &extension.version {
        sql.push_str(&format!(" VERSION {}", literal(version)));
    }
    stmt(
        sql,
        ObjectRef::Extension(extension.name.clone()),
        Phase::Extensions,
    )
}

/// `DROP EXTENSION` (without CASCADE, so objects still using it make the drop fail loudly).
pub fn drop_extension(name: &str) -> Statement {
    stmt(
        format!("DROP EXTENSION {}", quote(name)),
        ObjectRef::Extension(name.to_string()),
        Phase::Extensions,
    )
}

// ---------------------------------------------------------------------------------------------
// Enums

/// `CREATE TYPE … AS ENUM`, built with sea-query (it quotes, qualifies and escapes correctly).
pub fn create_enum(e: &Enum) -> Statement {
    let sql = Type::create()
        .as_enum(sq_type(&e.name))
        .values(e.values.iter().map(Alias::new))
        .to_string(PostgresQueryBuilder);
    stmt(sql, ObjectRef::Enum(e.name.clone()), Phase::Types)
}

/// Where `ALTER TYPE … ADD VALUE` puts a new label: label order is the enum's sort order, so a
/// plan must be able to insert in the middle, not only append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValuePosition {
    End,
    Before(String),
    After(String),
}

/// `ALTER TYPE … ADD VALUE`: the only cheap enum change PostgreSQL offers (no rewrite).
pub fn add_enum_value(
    name: &QualifiedName,
    value: &str,
    position: &EnumValuePosition,
) -> Statement {
    let alter = Type::alter()
        .name(sq_type(name))
        .add_value(Alias::new(value));
    let alter = match position {
        EnumValuePosition::End => alter,
        EnumValuePosition::Before(v) => alter.before(Alias::new(v)),
        EnumValuePosition::After(v) => alter.after(Alias::new(v)),
    };
    stmt(
        alter.to_string(PostgresQueryBuilder),
        ObjectRef::Enum(name.clone()),
        Phase::Types,
    )
}

/// `DROP TYPE` for an enum no column uses any more.
pub fn drop_enum(name: &QualifiedName) -> Statement {
    let sql = Type::drop()
        .name(sq_type(name))
        .to_string(PostgresQueryBuilder);
    stmt(sql, ObjectRef::Enum(name.clone()), Phase::Types)
}

// ---------------------------------------------------------------------------------------------
// Tables and columns

/// A column default as SQL: literals are quoted or bare by kind, expressions are verbatim.
pub fn default_sql(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Text(t) => literal(t),
        DefaultValue::Number(n) => n.clone(),
        DefaultValue::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        DefaultValue::Expr(e) => e.clone(),
    }
}

/// The column definition shared by `CREATE TABLE` and `ADD COLUMN`, so both always agree:
/// `"name" type [DEFAULT …] [GENERATED …] [NOT NULL]`.
pub fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", quote(&column.name), column.ty.sql());
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(&default_sql(default));
    }
    match column.identity {
        Some(Identity::Always) => sql.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault) => sql.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if let Some(expr) = &column.generated {
        sql.push_str(&format!(" GENERATED ALWAYS AS ({expr}) STORED"));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// `CREATE TABLE` with columns, primary key, uniques and checks inline (they only depend on the
/// table itself); foreign keys are left to [`add_foreign_key`] so tables can be created in any
/// order and reference each other in cycles.
pub fn create_table(table: &Table) -> Statement {
    let mut items: Vec<String> = table.columns.iter().map(column_definition).collect();
    if let Some(pk) = &table.primary_key {
        items.push(primary_key_constraint(pk));
    }
    items.extend(table.uniques.iter().map(unique_constraint));
    items.extend(table.checks.iter().map(check_constraint));
    let body = items
        .iter()
        .map(|i| format!("    {i}"))
        .collect::<Vec<_>>()
        .join(",\n");
    let sql = if body.is_empty() {
        format!("CREATE TABLE {} ()", qualified(&table.name))
    } else {
        format!("CREATE TABLE {} (\n{body}\n)", qualified(&table.name))
    };
    stmt(sql, table_ref(&table.name), Phase::Tables)
}

/// `DROP TABLE`, built with sea-query (it quotes and qualifies correctly).
pub fn drop_table(name: &QualifiedName) -> Statement {
    let sql = SqTable::drop()
        .table(sq_table(name))
        .to_string(PostgresQueryBuilder);
    stmt(sql, table_ref(name), Phase::Tables)
}

/// `ALTER TABLE … ADD COLUMN`, with the same definition `CREATE TABLE` would write.
pub fn add_column(table: &QualifiedName, column: &Column) -> Statement {
    stmt(
        format!(
            "ALTER TABLE {} ADD COLUMN {}",
            qualified(table),
            column_definition(column)
        ),
        ObjectRef::Column {
            table: table.clone(),
            column: column.name.clone(),
        },
        Phase::Tables,
    )
}

/// `ALTER TABLE … DROP COLUMN`, built with sea-query.
pub fn drop_column(table: &QualifiedName, column: &str) -> Statement {
    let sql = SqTable::alter()
        .table(sq_table(table))
        .drop_column(Alias::new(column))
        .to_string(PostgresQueryBuilder);
    stmt(
        sql,
        ObjectRef::Column {
            table: table.clone(),
            column: column.to_string(),
        },
        Phase::Tables,
    )
}

// ---------------------------------------------------------------------------------------------
// Constraints

fn deferrable_sql(d: Deferrable) -> &'static str {
    match d {
        Deferrable::NotDeferrable => "",
        Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
        Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

/// `CONSTRAINT "name" PRIMARY KEY (…)`: the fragment shared by `CREATE TABLE` and `ADD`.
pub fn primary_key_constraint(pk: &PrimaryKey) -> String {
    format!(
        "CONSTRAINT {} PRIMARY KEY ({})",
        quote(&pk.name),
        quote_list(&pk.columns)
    )
}

/// `CONSTRAINT "name" UNIQUE [NULLS NOT DISTINCT] (…) [DEFERRABLE …]`.
pub fn unique_constraint(u: &Unique) -> String {
    format!(
        "CONSTRAINT {} UNIQUE{} ({}){}",
        quote(&u.name),
        if u.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        quote_list(&u.columns),
        deferrable_sql(u.deferrable)
    )
}

/// `CONSTRAINT "name" CHECK (expr)`, the expression verbatim.
pub fn check_constraint(c: &Check) -> String {
    format!("CONSTRAINT {} CHECK ({})", quote(&c.name), c.expr)
}

/// `CONSTRAINT "name" FOREIGN KEY (…) REFERENCES "s"."t" (…) [ON DELETE …] [ON UPDATE …]
/// [DEFERRABLE …]`; `NO ACTION`, PostgreSQL's default, is left out.
pub fn foreign_key_constraint(fk: &ForeignKey) -> String {
    let mut sql = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote(&fk.name),
        quote_list(&fk.columns),
        qualified(&fk.ref_table),
        quote_list(&fk.ref_columns)
    );
    if fk.on_delete != FkAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != FkAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    sql.push_str(deferrable_sql(fk.deferrable));
    sql
}

fn add_constraint(
    table: &QualifiedName,
    kind: ConstraintKind,
    name: &str,
    body: String,
    phase: Phase,
) -> Statement {
    stmt(
        format!("ALTER TABLE {} ADD {body}", qualified(table)),
        ObjectRef::Constraint {
            table: table.clone(),
            kind,
            name: name.to_string(),
        },
        phase,
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY`.
pub fn add_primary_key(table: &QualifiedName, pk: &PrimaryKey) -> Statement {
    add_constraint(
        table,
        ConstraintKind::PrimaryKey,
        &pk.name,
        primary_key_constraint(pk),
        Phase::Tables,
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … UNIQUE`.
pub fn add_unique(table: &QualifiedName, u: &Unique) -> Statement {
    add_constraint(
        table,
        ConstraintKind::Unique,
        &u.name,
        unique_constraint(u),
        Phase::Tables,
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … CHECK`.
pub fn add_check(table: &QualifiedName, c: &Check) -> Statement {
    add_constraint(
        table,
        ConstraintKind::Check,
        &c.name,
        check_constraint(c),
        Phase::Tables,
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY`, in its own phase after every table exists.
pub fn add_foreign_key(table: &QualifiedName, fk: &ForeignKey) -> Statement {
    add_constraint(
        table,
        ConstraintKind::ForeignKey,
        &fk.name,
        foreign_key_constraint(fk),
        Phase::ForeignKeys,
    )
}

/// `ALTER TABLE … DROP CONSTRAINT`, for any constraint kind (the kind only sets the phase and
/// the annotation).
pub fn drop_constraint(table: &QualifiedName, kind: ConstraintKind, name: &str) -> Statement {
    let phase = if kind == ConstraintKind::ForeignKey {
        Phase::ForeignKeys
    } else {
        Phase::Tables
    };
    stmt(
        format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            qualified(table),
            quote(name)
        ),
        ObjectRef::Constraint {
            table: table.clone(),
            kind,
            name: name.to_string(),
        },
        phase,
    )
}

// ---------------------------------------------------------------------------------------------
// Indexes

/// One index key: `"col"` or `(expr)`, then `"opclass"`, `DESC`, `NULLS FIRST|LAST`, in the
/// order PostgreSQL's grammar requires.
pub fn index_key_sql(key: &IndexKey) -> String {
    let mut sql = match &key.target {
        IndexTarget::Column(c) => quote(c),
        IndexTarget::Expr(e) => format!("({e})"),
    };
    if let Some(opclass) = &key.opclass {
        sql.push(' ');
        sql.push_str(&quote(opclass));
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

/// `CREATE [UNIQUE] INDEX "name" ON "s"."t" USING method (keys) [INCLUDE (…)]
/// [NULLS NOT DISTINCT] [WITH (…)] [WHERE …]`.
pub fn create_index(table: &QualifiedName, index: &Index) -> Statement {
    let keys = index
        .keys
        .iter()
        .map(index_key_sql)
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} USING {} ({keys})",
        if index.unique { "UNIQUE " } else { "" },
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
        let opts = index
            .options
            .iter()
            .map(|(k, v)| format!("{} = {}", option_name_sql(k), option_value_sql(v)))
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(&format!(" WITH ({opts})"));
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE {predicate}"));
    }
    stmt(
        sql,
        ObjectRef::Index {
            table: table.clone(),
            name: index.name.clone(),
        },
        Phase::Indexes,
    )
}

/// `DROP INDEX "s"."name"`: an index is named in its table's schema.
pub fn drop_index(table: &QualifiedName, name: &str) -> Statement {
    stmt(
        format!(
            "DROP INDEX {}",
            qualified(&QualifiedName::new(&table.schema, name))
        ),
        ObjectRef::Index {
            table: table.clone(),
            name: name.to_string(),
        },
        Phase::Indexes,
    )
}

// ---------------------------------------------------------------------------------------------
// Comments

fn comment_text(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_string(), literal)
}

/// `COMMENT ON TABLE`; `None` removes the comment (`IS NULL`), which a plan needs.
pub fn comment_on_table(table: &QualifiedName, text: Option<&str>) -> Statement {
    stmt(
        format!(
            "COMMENT ON TABLE {} IS {}",
            qualified(table),
            comment_text(text)
        ),
        table_ref(table),
        Phase::Comments,
    )
}

/// `COMMENT ON COLUMN`; `None` removes the comment.
pub fn comment_on_column(table: &QualifiedName, column: &str, text: Option<&str>) -> Statement {
    stmt(
        format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            qualified(table),
            quote(column),
            comment_text(text)
        ),
        ObjectRef::Column {
            table: table.clone(),
            column: column.to_string(),
        },
        Phase::Comments,
    )
}

/// `COMMENT ON INDEX` (the index is named in its table's schema); `None` removes the comment.
pub fn comment_on_index(table: &QualifiedName, index: &str, text: Option<&str>) -> Statement {
    stmt(
        format!(
            "COMMENT ON INDEX {} IS {}",
            qualified(&QualifiedName::new(&table.schema, index)),
            comment_text(text)
        ),
        ObjectRef::Index {
            table: table.clone(),
            name: index.to_string(),
        },
        Phase::Comments,
    )
}

/// `COMMENT ON TYPE` for an enum; `None` removes the comment.
pub fn comment_on_enum(name: &QualifiedName, text: Option<&str>) -> Statement {
    stmt(
        format!(
            "COMMENT ON TYPE {} IS {}",
            qualified(name),
            comment_text(text)
        ),
        ObjectRef::Enum(name.clone()),
        Phase::Comments,
    )
}

/// `COMMENT ON SCHEMA`; `None` removes the comment.
pub fn comment_on_schema(name: &str, text: Option<&str>) -> Statement {
    stmt(
        format!(
            "COMMENT ON SCHEMA {} IS {}",
            quote(name),
            comment_text(text)
        ),
        ObjectRef::Schema(name.to_string()),
        Phase::Comments,
    )
}

// ---------------------------------------------------------------------------------------------
// Alterations and renames (used by `plan` to turn a diff into SQL)

fn column_ref(table: &QualifiedName, column: &str) -> ObjectRef {
    ObjectRef::Column {
        table: table.clone(),
        column: column.to_string(),
    }
}

fn alter_column(table: &QualifiedName, column: &str, action: String) -> Statement {
    stmt(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} {action}",
            qualified(table),
            quote(column)
        ),
        column_ref(table, column),
        Phase::Tables,
    )
}

/// `ALTER COLUMN … TYPE t [USING expr]`: `using` is raw SQL the planner builds (a cast of the
/// quoted column, or `NULL` for a vector dimension change), never user text.
pub fn alter_column_type(
    table: &QualifiedName,
    column: &str,
    ty: &crate::model::ColumnType,
    using: Option<&str>,
) -> Statement {
    let mut action = format!("TYPE {}", ty.sql());
    if let Some(using) = using {
        action.push_str(&format!(" USING {using}"));
    }
    alter_column(table, column, action)
}

/// `ALTER COLUMN … SET DEFAULT …`, the default rendered as in a column definition.
pub fn set_column_default(
    table: &QualifiedName,
    column: &str,
    default: &DefaultValue,
) -> Statement {
    alter_column(
        table,
        column,
        format!("SET DEFAULT {}", default_sql(default)),
    )
}

/// `ALTER COLUMN … DROP DEFAULT` (a no-op when there is none, so plans may emit it freely).
pub fn drop_column_default(table: &QualifiedName, column: &str) -> Statement {
    alter_column(table, column, "DROP DEFAULT".into())
}

/// `ALTER COLUMN … SET NOT NULL` / `DROP NOT NULL`.
pub fn set_column_nullable(table: &QualifiedName, column: &str, nullable: bool) -> Statement {
    let action = if nullable {
        "DROP NOT NULL"
    } else {
        "SET NOT NULL"
    };
    alter_column(table, column, action.into())
}

fn identity_words(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}

/// `ALTER COLUMN … ADD GENERATED … AS IDENTITY` on an existing NOT NULL column.
pub fn add_column_identity(table: &QualifiedName, column: &str, identity: Identity) -> Statement {
    alter_column(
        table,
        column,
        format!("ADD GENERATED {} AS IDENTITY", identity_words(identity)),
    )
}

/// `ALTER COLUMN … SET GENERATED ALWAYS|BY DEFAULT`: switches the identity kind in place.
pub fn set_column_identity(table: &QualifiedName, column: &str, identity: Identity) -> Statement {
    alter_column(
        table,
        column,
        format!("SET GENERATED {}", identity_words(identity)),
    )
}

/// `ALTER COLUMN … DROP IDENTITY` (the sequence goes with it).
pub fn drop_column_identity(table: &QualifiedName, column: &str) -> Statement {
    alter_column(table, column, "DROP IDENTITY".into())
}

/// `ALTER COLUMN … SET EXPRESSION AS (expr)` (PostgreSQL 17+): recomputes a stored generated
/// column in place, expression verbatim.
pub fn set_column_expression(table: &QualifiedName, column: &str, expr: &str) -> Statement {
    alter_column(table, column, format!("SET EXPRESSION AS ({expr})"))
}

/// `ALTER COLUMN … DROP EXPRESSION`: keeps the stored values, makes the column a plain one.
pub fn drop_column_expression(table: &QualifiedName, column: &str) -> Statement {
    alter_column(table, column, "DROP EXPRESSION".into())
}

/// `ALTER TABLE … RENAME TO`: keeps the data (a declared rename is never drop + add).
pub fn rename_table(from: &QualifiedName, to: &str) -> Statement {
    stmt(
        format!("ALTER TABLE {} RENAME TO {}", qualified(from), quote(to)),
        table_ref(&QualifiedName::new(&from.schema, to)),
        Phase::Tables,
    )
}

/// `ALTER TABLE … RENAME COLUMN … TO …`.
pub fn rename_column(table: &QualifiedName, from: &str, to: &str) -> Statement {
    stmt(
        format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            qualified(table),
            quote(from),
            quote(to)
        ),
        column_ref(table, to),
        Phase::Tables,
    )
}

/// `ALTER TABLE … RENAME CONSTRAINT … TO …` (renames a primary key's or unique's index too).
pub fn rename_constraint(
    table: &QualifiedName,
    kind: ConstraintKind,
    from: &str,
    to: &str,
) -> Statement {
    let phase = if kind == ConstraintKind::ForeignKey {
        Phase::ForeignKeys
    } else {
        Phase::Tables
    };
    stmt(
        format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            qualified(table),
            quote(from),
            quote(to)
        ),
        ObjectRef::Constraint {
            table: table.clone(),
            kind,
            name: to.to_string(),
        },
        phase,
    )
}

/// `ALTER INDEX "s"."from" RENAME TO "to"`: the last step of an index replacement.
pub fn rename_index(table: &QualifiedName, from: &str, to: &str) -> Statement {
    stmt(
        format!(
            "ALTER INDEX {} RENAME TO {}",
            qualified(&QualifiedName::new(&table.schema, from)),
            quote(to)
        ),
        ObjectRef::Index {
            table: table.clone(),
            name: to.to_string(),
        },
        Phase::Indexes,
    )
}

/// `CREATE INDEX CONCURRENTLY`: builds without blocking writes; cannot run in a transaction.
pub fn create_index_concurrently(table: &QualifiedName, index: &Index) -> Statement {
    let mut st = create_index(table, index);
    st.sql = st.sql.replacen("INDEX ", "INDEX CONCURRENTLY ", 1);
    st
}

/// `DROP INDEX CONCURRENTLY`: waits for readers instead of blocking them.
pub fn drop_index_concurrently(table: &QualifiedName, name: &str) -> Statement {
    let mut st = drop_index(table, name);
    st.sql = st
        .sql
        .replacen("DROP INDEX ", "DROP INDEX CONCURRENTLY ", 1);
    st
}

/// `ALTER EXTENSION … UPDATE TO 'v'`: moves an installed extension to a pinned version.
pub fn update_extension(name: &str, version: &str) -> Statement {
    stmt(
        format!(
            "ALTER EXTENSION {} UPDATE TO {}",
            quote(name),
            literal(version)
        ),
        ObjectRef::Extension(name.to_string()),
        Phase::Extensions,
    )
}

/// `ALTER EXTENSION … SET SCHEMA`: moves a relocatable extension's objects.
pub fn set_extension_schema(name: &str, schema: &str) -> Statement {
    stmt(
        format!(
            "ALTER EXTENSION {} SET SCHEMA {}",
            quote(name),
            quote(schema)
        ),
        ObjectRef::Extension(name.to_string()),
        Phase::Extensions,
    )
}

/// `ALTER TYPE … RENAME TO`: lets an enum be rebuilt under its own name (labels cannot be
/// removed or reordered in place).
pub fn rename_enum(from: &QualifiedName, to: &str) -> Statement {
    stmt(
        format!("ALTER TYPE {} RENAME TO {}", qualified(from), quote(to)),
        ObjectRef::Enum(QualifiedName::new(&from.schema, to)),
        Phase::Types,
    )
}

// ---------------------------------------------------------------------------------------------
// Whole schema

/// Every statement that builds `schema` from an empty database, in dependency order (see
/// [`Phase`]). Collections are ordered by name first, so the output depends only on the
/// schema's content, never on the order its sources listed objects in.
pub fn create_all(schema: &Schema) -> Vec<Statement> {
    let mut s = schema.clone();
    s.normalize();
    let mut out = Vec::new();
    out.extend(s.namespaces.iter().map(create_schema));
    out.extend(s.extensions.iter().map(create_extension));
    out.extend(s.enums.iter().map(create_enum));
    out.extend(s.tables.iter().map(create_table));
    for t in &s.tables {
        out.extend(t.indexes.iter().map(|i| create_index(&t.name, i)));
    }
    for t in &s.tables {
        out.extend(t.foreign_keys.iter().map(|fk| add_foreign_key(&t.name, fk)));
    }
    for n in &s.namespaces {
        if let Some(c) = &n.comment {
            out.push(comment_on_schema(&n.name, Some(c)));
        }
    }
    for e in &s.enums {
        if let Some(c) = &e.comment {
            out.push(comment_on_enum(&e.name, Some(c)));
        }
    }
    for t in &s.tables {
        if let Some(c) = &t.comment {
            out.push(comment_on_table(&t.name, Some(c)));
        }
        for col in &t.columns {
            if let Some(c) = &col.comment {
                out.push(comment_on_column(&t.name, &col.name, Some(c)));
            }
        }
        for i in &t.indexes {
            if let Some(c) = &i.comment {
                out.push(comment_on_index(&t.name, &i.name, Some(c)));
            }
        }
    }
    out
}

/// The statements as one readable script: a `-- <kind> <name>` line above each statement, each
/// terminated by `;`, and a blank line between phases (plus one between statements that span
/// several lines), so a reader can follow what each part builds.
pub fn script(statements: &[Statement]) -> String {
    let mut out = String::new();
    let mut previous: Option<&Statement> = None;
    for st in statements {
        if let Some(p) = previous
            && (p.phase != st.phase || p.sql.contains('\n') || st.sql.contains('\n'))
        {
            out.push('\n');
        }
        let what = if st.phase == Phase::Comments {
            "comment on "
        } else {
            ""
        };
        out.push_str(&format!("-- {what}{}\n{};\n", st.object, st.sql));
        previous = Some(st);
    }
    out
}

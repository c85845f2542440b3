//! The one schema IR: the spec (via `spec::lower`) and a live database (via `introspect`) both
//! become a [`Schema`], and only this IR is diffed, rendered as DDL, or turned into entities.
//!
//! Conventions that every producer of a `Schema` must keep, so that two schemas describing the
//! same database compare equal with `==`:
//! - every collection is sorted by name (see [`Schema::normalize`]);
//! - every constraint and index has its final name (derived names are resolved by the producer,
//!   the way PostgreSQL derives them);
//! - absent index options are not stored (an option equal to its default is removed);
//! - identifiers are stored unquoted, exactly as PostgreSQL stores them (case preserved).

use std::collections::BTreeMap;
use std::fmt;

/// The whole desired or current state of a database, as far as tidemark manages it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub extensions: Vec<Extension>,
    /// PostgreSQL schemas (namespaces) the spec owns, other than `public`.
    pub namespaces: Vec<Namespace>,
    pub enums: Vec<Enum>,
    /// Sequences other than identity sequences (those belong to their column's [`Identity`]):
    /// standalone ones and the ones `serial` columns own.
    pub sequences: Vec<Sequence>,
    pub tables: Vec<Table>,
    /// Views and materialized views.
    pub views: Vec<View>,
    /// Functions and procedures.
    pub functions: Vec<Function>,
    /// Triggers of tables and views.
    pub triggers: Vec<Trigger>,
    /// The tables with row-level security enabled.
    pub row_security: Vec<RowSecurity>,
    /// Row-level security policies.
    pub policies: Vec<Policy>,
    /// Domains and composite types.
    pub types: Vec<CustomType>,
    /// Privileges on the relations whose grants the spec manages (declares).
    pub grants: Vec<Grants>,
    /// `COMMENT ON SCHEMA public` when it is not PostgreSQL's own (`standard public schema`,
    /// or none): `public` is not one of the [`namespaces`](Self::namespaces) (it is never
    /// created or dropped), but its comment is the spec's to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_comment: Option<String>,
}

/// The privileges granted on one table, view, materialized view, sequence, routine or schema to
/// roles other than its owner, where they differ from a new object's (see
/// `kind::grant::default_privileges`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    /// `Table`, `View`, `Sequence`, `Function` or `Schema`.
    pub object: ObjectRef,
    /// Role (`PUBLIC` for everyone) → privileges in upper case, both sorted.
    pub privileges: Vec<(String, Vec<String>)>,
}

impl Grants {
    /// Sorted roles with sorted, distinct privileges, and no role without any.
    pub fn normalize(&mut self) {
        self.privileges.retain(|(_, p)| !p.is_empty());
        for (_, p) in &mut self.privileges {
            p.sort();
            p.dedup();
        }
        self.privileges.sort();
    }
}

/// A domain or a composite type, usable as a column type.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CustomType {
    pub name: QualifiedName,
    pub kind: CustomTypeKind,
    pub comment: Option<String>,
}

impl CustomType {
    pub fn object(&self) -> ObjectRef {
        ObjectRef::Type(self.name.clone())
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum CustomTypeKind {
    /// A base type with constraints: `CREATE DOMAIN email AS text CHECK (…)`.
    Domain {
        base: ColumnType,
        not_null: bool,
        /// A default SQL expression.
        default: Option<String>,
        /// Named checks over `VALUE`, sorted by name.
        checks: Vec<Check>,
    },
    /// A row type: `CREATE TYPE money_amount AS (amount numeric, currency char(3))`.
    Composite {
        attributes: Vec<(String, ColumnType)>,
    },
    /// A range type: `CREATE TYPE floatrange AS RANGE (subtype = float8)`. Columns of it are
    /// [`ColumnType::Other`] with its schema and name, as the server's own ranges are.
    Range {
        subtype: ColumnType,
        /// `subtype_opclass`, when not the subtype's default btree class.
        subtype_opclass: Option<String>,
        /// `collation`, when not the subtype's default.
        collation: Option<String>,
        /// `subtype_diff`: the function (`float8mi`, `schema.f`) GiST indexes use.
        subtype_diff: Option<String>,
        /// `multirange_type_name`, when not the name PostgreSQL derives.
        multirange: Option<String>,
    },
}

/// The multirange type name PostgreSQL derives for range type `name` (PostgreSQL 14+): the
/// first `range` in it becomes `multirange`, else `_multirange` is appended.
pub fn multirange_name(name: &str) -> String {
    match name.find("range") {
        Some(at) => format!("{}multi{}", &name[..at], &name[at..]),
        None => format!("{name}_multirange"),
    }
}

/// Row-level security of one table (present only when enabled).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RowSecurity {
    pub table: QualifiedName,
    /// `FORCE ROW LEVEL SECURITY`: the table's owner is subject to the policies too.
    pub forced: bool,
}

/// A row-level security policy.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub table: QualifiedName,
    pub name: String,
    /// Permissive policies are OR-ed, restrictive ones AND-ed.
    pub permissive: bool,
    pub command: PolicyCommand,
    /// The roles it applies to, sorted; empty means `PUBLIC`.
    pub roles: Vec<String>,
    /// `USING (…)`: which existing rows are visible.
    pub using: Option<String>,
    /// `WITH CHECK (…)`: which new rows may be written.
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

impl Policy {
    pub fn object(&self) -> ObjectRef {
        ObjectRef::Policy {
            table: self.table.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// A schema-qualified object name; `schema` is `public` unless the spec says otherwise.
#[derive(
    serde::Serialize,
    serde::Deserialize,
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }

    pub fn public(name: impl Into<String>) -> Self {
        Self::new("public", name)
    }
}

impl fmt::Display for QualifiedName {
    /// Human form for messages: `public` is left out, so users see the name they wrote.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    /// Schema the extension's objects live in; `None` lets PostgreSQL choose (usually `public`).
    pub schema: Option<String>,
    /// Pinned version; `None` means "whatever the server installs by default".
    pub version: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: QualifiedName,
    /// Labels in their sort order (PostgreSQL orders enum values by declaration).
    pub values: Vec<String>,
    pub comment: Option<String>,
}

/// A view or a materialized view. Two views compare by the query PostgreSQL stores
/// (`pg_get_viewdef`), which the shadow database gives the spec's side too, so the way a query
/// is formatted in the spec never shows up as a difference.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: QualifiedName,
    /// A materialized view stores its rows (and may have indexes).
    pub materialized: bool,
    /// The `SELECT` (or `VALUES`, `WITH …`) without a trailing `;`: as the spec writes it, or
    /// as the catalog prints it back.
    pub query: String,
    /// The output columns, in order. The spec lists only the ones it comments (with no type);
    /// the catalog lists all of them with their types, which decide whether `CREATE OR REPLACE
    /// VIEW` can keep the view.
    pub columns: Vec<ViewColumn>,
    /// `security_invoker` (PostgreSQL 15+): the view checks the caller's privileges and
    /// row-level security, not its owner's.
    pub security_invoker: bool,
    /// `security_barrier`: conditions of the caller never run before the view's own.
    pub security_barrier: bool,
    pub check_option: Option<CheckOption>,
    /// Materialized views only: populated at creation (`WITH DATA`, the default).
    pub with_data: bool,
    /// Materialized views only: storage parameters (`fillfactor`, `autovacuum_*`), as written.
    pub storage: IndexOptions,
    /// Materialized views only: their indexes (a unique one allows `REFRESH … CONCURRENTLY`).
    pub indexes: Vec<Index>,
    pub comment: Option<String>,
    /// What the query reads: tables, their columns, other views. From `pg_depend` on a live
    /// database, from the names in the query on the spec's side (a superset is harmless: it only
    /// orders steps). Not part of what a view *is*: [`View::same_as`] leaves it out.
    pub depends_on: Vec<ObjectRef>,
    /// The spec's `key:` and typed `columns:`, from which a read-only entity is generated. The
    /// catalog has no key for a view, so only the spec side has it, and the shadow checks the
    /// columns against the query; [`View::same_as`] leaves it out.
    pub entity: Option<ViewEntity>,
}

/// A view's columns as its entity sees them: every output column in order, with a type and
/// whether it can be NULL (which PostgreSQL never records for a view), and the key columns.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ViewEntity {
    pub key: Vec<String>,
    pub columns: Vec<Column>,
}

impl View {
    /// A view with a name and a query and everything else at PostgreSQL's defaults.
    pub fn new(name: QualifiedName, materialized: bool, query: impl Into<String>) -> View {
        View {
            name,
            materialized,
            query: query.into(),
            columns: Vec::new(),
            security_invoker: false,
            security_barrier: false,
            check_option: None,
            with_data: true,
            storage: IndexOptions::default(),
            indexes: Vec::new(),
            comment: None,
            depends_on: Vec::new(),
            entity: None,
        }
    }

    /// Equal as database objects: everything but the derived [`View::depends_on`] and the
    /// spec-only [`View::entity`].
    pub fn same_as(&self, other: &View) -> bool {
        let View {
            name,
            materialized,
            query,
            columns,
            security_invoker,
            security_barrier,
            check_option,
            with_data,
            storage,
            indexes,
            comment,
            depends_on: _,
            entity: _,
        } = self;
        *name == other.name
            && *materialized == other.materialized
            && *query == other.query
            && *columns == other.columns
            && *security_invoker == other.security_invoker
            && *security_barrier == other.security_barrier
            && *check_option == other.check_option
            && *with_data == other.with_data
            && *storage == other.storage
            && *indexes == other.indexes
            && *comment == other.comment
    }

    /// The object this view is in plans: views and materialized views share one kind.
    pub fn object(&self) -> ObjectRef {
        ObjectRef::View(self.name.clone())
    }
}

/// A function or procedure. Its identity is its name and argument list: overloads are
/// distinct objects. Compared field by field, every field as the catalog prints it on both
/// sides (`pg_get_function_arguments`, `pg_get_function_result`), the body without the blank
/// space around it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: QualifiedName,
    pub procedure: bool,
    /// The argument list as between the parentheses of `CREATE FUNCTION f(…)`, defaults
    /// included (`query vector, k integer DEFAULT 10`).
    pub args: String,
    /// The identity part of `args` (no defaults), which with the name is the key; the spec
    /// side uses `args` itself.
    pub identity: String,
    /// What follows `RETURNS` (`trigger`, `SETOF documents`, `TABLE(id bigint, …)`); `None`
    /// for a procedure.
    pub returns: Option<String>,
    pub language: String,
    /// Exactly as written (PostgreSQL keeps it so, and dumps it so); compared without the
    /// blank space around it.
    pub body: String,
    pub volatility: Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: Parallel,
    /// `SET name = value` options, in order (`search_path`, `statement_timeout`).
    pub config: Vec<(String, String)>,
    pub comment: Option<String>,
    /// Tables, views and types its arguments, result and body name (the spec's side; the
    /// catalog records none for a body). Only orders steps.
    pub depends_on: Vec<ObjectRef>,
}

impl Function {
    pub fn object(&self) -> ObjectRef {
        ObjectRef::Function {
            name: self.name.clone(),
            args: self.identity.clone(),
        }
    }

    /// Equal as database objects: everything but the derived [`Function::depends_on`], and the
    /// body up to the blank space around it (which SQL and PL/pgSQL ignore).
    pub fn same_as(&self, other: &Function) -> bool {
        let mut a = self.clone();
        a.depends_on.clone_from(&other.depends_on);
        if a.body.trim() == other.body.trim() {
            a.body.clone_from(&other.body);
        }
        a == *other
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    #[default]
    Volatile,
    Stable,
    Immutable,
}

impl Volatility {
    pub fn sql(self) -> &'static str {
        match self {
            Volatility::Volatile => "VOLATILE",
            Volatility::Stable => "STABLE",
            Volatility::Immutable => "IMMUTABLE",
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parallel {
    #[default]
    Unsafe,
    Restricted,
    Safe,
}

impl Parallel {
    pub fn sql(self) -> &'static str {
        match self {
            Parallel::Unsafe => "UNSAFE",
            Parallel::Restricted => "RESTRICTED",
            Parallel::Safe => "SAFE",
        }
    }
}

/// A trigger on a table or view. Compared by its parts as PostgreSQL prints them back.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub table: QualifiedName,
    pub name: String,
    pub timing: TriggerTiming,
    /// `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, in that order.
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF` these columns (empty: any column).
    pub update_of: Vec<String>,
    pub for_each_row: bool,
    /// The `WHEN (…)` condition, without the parentheses.
    pub when: Option<String>,
    pub function: QualifiedName,
    /// Literal arguments passed to the function (`TG_ARGV`).
    pub args: Vec<String>,
    /// When it fires with respect to `session_replication_role` (`ALTER TABLE … ENABLE |
    /// DISABLE TRIGGER`): changed in place, never by a rebuild.
    pub enabled: TriggerEnabled,
    /// A `CREATE CONSTRAINT TRIGGER`, and whether it can wait until commit: such a trigger is
    /// `AFTER … FOR EACH ROW` and fires as a constraint check does (`SET CONSTRAINTS`).
    pub constraint: Option<Deferrable>,
    pub comment: Option<String>,
}

/// `pg_trigger.tgenabled`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TriggerEnabled {
    /// Fires in origin and local sessions (`ENABLE`, the default).
    #[default]
    Origin,
    /// Never fires (`DISABLE`).
    Disabled,
    /// Fires only in replica sessions (`ENABLE REPLICA`), as logical replication applies rows.
    Replica,
    /// Fires in every session (`ENABLE ALWAYS`).
    Always,
}

impl TriggerEnabled {
    /// The words of `ALTER TABLE … <words> TRIGGER name`.
    pub fn sql(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE",
            TriggerEnabled::Disabled => "DISABLE",
            TriggerEnabled::Replica => "ENABLE REPLICA",
            TriggerEnabled::Always => "ENABLE ALWAYS",
        }
    }
}

impl Trigger {
    pub fn object(&self) -> ObjectRef {
        ObjectRef::Trigger {
            table: self.table.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

impl TriggerTiming {
    pub fn sql(self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord,
)]
pub enum TriggerEvent {
    Insert,
    Update,
    Delete,
    Truncate,
}

impl TriggerEvent {
    pub fn sql(self) -> &'static str {
        match self {
            TriggerEvent::Insert => "INSERT",
            TriggerEvent::Update => "UPDATE",
            TriggerEvent::Delete => "DELETE",
            TriggerEvent::Truncate => "TRUNCATE",
        }
    }
}

/// One output column of a view.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ViewColumn {
    pub name: String,
    /// `format_type` text (`integer`, `vector(3)`); `None` where the spec does not know it.
    pub ty: Option<String>,
    pub comment: Option<String>,
}

/// `WITH [LOCAL | CASCADED] CHECK OPTION` of an updatable view.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOption {
    Local,
    Cascaded,
}

impl CheckOption {
    pub fn sql(self) -> &'static str {
        match self {
            CheckOption::Local => "local",
            CheckOption::Cascaded => "cascaded",
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: QualifiedName,
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ForeignKey>,
    /// `EXCLUDE` constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
    pub indexes: Vec<Index>,
    pub comment: Option<String>,
    /// Declared rename: the table's previous name, so the diff renames instead of drop + add.
    /// Only meaningful on the desired side; introspection never sets it.
    pub renamed_from: Option<String>,
    /// `PARTITION BY`: the table holds no rows itself, its partitions do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<PartitionKey>,
    /// `PARTITION OF`: this table is a partition. Its columns, and the keys, constraints and
    /// indexes declared on its parent, are the parent's (PostgreSQL copies them onto every
    /// partition), so a partition holds only what is its own: its indexes, checks, comment and
    /// (for a sub-partitioned one) its partition key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// `CREATE UNLOGGED TABLE`: not written to the WAL (lost on a crash, not replicated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// Storage parameters (`fillfactor`, `autovacuum_*`; `toast.*` for its TOAST table), as
    /// written, compared as a set.
    #[serde(default, skip_serializing_if = "IndexOptions::is_empty")]
    pub storage: IndexOptions,
    /// `REPLICA IDENTITY`.
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
}

/// How a partitioned table spreads its rows.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PartitionKey {
    pub strategy: PartitionStrategy,
    /// Columns or expressions, in order.
    pub keys: Vec<IndexTarget>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn keyword(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// Which table a partition belongs to and which rows it holds.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: PartitionBound,
}

/// `FOR VALUES …` of a partition. Values are SQL as PostgreSQL prints them back
/// (`'2026-01-01'`, `10`, `MINVALUE`), so both sides of a diff spell them alike.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum PartitionBound {
    /// Rows no other partition takes.
    Default,
    /// `FROM (…) TO (…)`: one value per key column, the upper bound excluded.
    Range { from: Vec<String>, to: Vec<String> },
    /// `IN (…)`.
    List(Vec<String>),
    /// `WITH (modulus m, remainder r)`.
    Hash { modulus: u32, remainder: u32 },
}

impl PartitionBound {
    /// As written after `PARTITION OF parent`.
    pub fn sql(&self) -> String {
        match self {
            PartitionBound::Default => "DEFAULT".into(),
            PartitionBound::Range { from, to } => format!(
                "FOR VALUES FROM ({}) TO ({})",
                from.join(", "),
                to.join(", ")
            ),
            PartitionBound::List(values) => format!("FOR VALUES IN ({})", values.join(", ")),
            PartitionBound::Hash { modulus, remainder } => {
                format!("FOR VALUES WITH (modulus {modulus}, remainder {remainder})")
            }
        }
    }
}

impl Table {
    /// A table with a name and nothing else yet: where readers start before filling it in,
    /// and the stand-in for a table a lookup does not find.
    pub fn named(name: QualifiedName) -> Table {
        Table {
            name,
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            exclusions: Vec::new(),
            indexes: Vec::new(),
            comment: None,
            renamed_from: None,
            partition_by: None,
            partition_of: None,
            unlogged: false,
            storage: IndexOptions::default(),
            replica_identity: ReplicaIdentity::Default,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    pub default: Option<DefaultValue>,
    pub identity: Option<Identity>,
    /// Expression of a `GENERATED ALWAYS AS (...) STORED` (or `VIRTUAL`) column.
    pub generated: Option<String>,
    /// The generated column is `VIRTUAL` (PostgreSQL 18): computed when read, never stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated_virtual: bool,
    pub comment: Option<String>,
    /// Declared rename, as for [`Table::renamed_from`].
    pub renamed_from: Option<String>,
    /// `SET STATISTICS`: how many values `ANALYZE` samples for the planner (0–10000); `None`
    /// is the server's `default_statistics_target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `COLLATE`: a collation of `pg_catalog` (`C`, `und-x-icu`, `en_US.utf8`) other than the
    /// type's; `None` is the type's (the database's for text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `SET STORAGE`: how long values are kept (inline or out of line, compressed or not);
    /// `None` is the type's own strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<ColumnStorage>,
    /// `SET COMPRESSION` (`pglz`, `lz4`): how out-of-line values are compressed; `None` is the
    /// server's `default_toast_compression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
}

/// A column's TOAST strategy (`attstorage`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnStorage {
    /// Inline, uncompressed (`p`).
    Plain,
    /// Out of line, uncompressed (`e`): fast substring access to long values.
    External,
    /// Out of line and compressed (`x`).
    Extended,
    /// Inline and compressed, out of line only as a last resort (`m`).
    Main,
}

impl ColumnStorage {
    pub const ALL: [ColumnStorage; 4] = [
        ColumnStorage::Plain,
        ColumnStorage::External,
        ColumnStorage::Extended,
        ColumnStorage::Main,
    ];

    /// The word in `SET STORAGE` and in the spec.
    pub fn name(self) -> &'static str {
        match self {
            ColumnStorage::Plain => "plain",
            ColumnStorage::External => "external",
            ColumnStorage::Extended => "extended",
            ColumnStorage::Main => "main",
        }
    }

    /// From `pg_attribute.attstorage`.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "p" => ColumnStorage::Plain,
            "e" => ColumnStorage::External,
            "x" => ColumnStorage::Extended,
            "m" => ColumnStorage::Main,
            _ => return None,
        })
    }
}

/// A column default. Literals and SQL expressions are kept apart because they are written
/// differently in the spec (`default:` vs `default_sql:`) and quoted differently in DDL.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// A string literal, rendered quoted (`'draft'`) and cast by PostgreSQL to the column type.
    Text(String),
    /// A numeric literal as written (`0`, `-1.5`), rendered bare.
    Number(String),
    Bool(bool),
    /// Raw SQL, rendered as written (`now()`, `gen_random_uuid()`).
    Expr(String),
}

/// An identity column's generation rule and its sequence, which PostgreSQL creates and drops
/// with the column (`pg_depend` deptype `i`) but which has a name and options of its own.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityKind,
    /// The identity sequence's name, in the table's schema (PostgreSQL derives
    /// `<table>_<column>_seq`, and keeps it when the table is renamed).
    pub sequence: String,
    /// Its options; `data_type` is always the column's type.
    pub options: SequenceOptions,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    Always,
    ByDefault,
}

/// A sequence: the counter behind `serial` columns and `nextval` defaults.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: QualifiedName,
    pub options: SequenceOptions,
    /// The column that owns it (`OWNED BY`), in the sequence's own schema (PostgreSQL requires
    /// that): dropping the column or its table drops the sequence.
    pub owned_by: Option<SequenceOwner>,
    pub comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SequenceOwner {
    pub table: String,
    pub column: String,
}

/// Every option of a sequence, resolved: PostgreSQL stores all of them (`pg_sequence`), so
/// the model does too, and an omitted option in the spec becomes PostgreSQL's default.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceOptions {
    pub data_type: SequenceType,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// The integer type a sequence counts in (`AS smallint|integer|bigint`).
#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord,
)]
pub enum SequenceType {
    SmallInt,
    Integer,
    BigInt,
}

impl SequenceType {
    pub fn sql(self) -> &'static str {
        match self {
            SequenceType::SmallInt => "smallint",
            SequenceType::Integer => "integer",
            SequenceType::BigInt => "bigint",
        }
    }

    /// The type's range: a sequence's default bounds.
    pub fn range(self) -> (i64, i64) {
        match self {
            SequenceType::SmallInt => (i16::MIN as i64, i16::MAX as i64),
            SequenceType::Integer => (i32::MIN as i64, i32::MAX as i64),
            SequenceType::BigInt => (i64::MIN, i64::MAX),
        }
    }

    /// The sequence type of an integer column type (what `serial` and identity use).
    pub fn of_column(ty: &ColumnType) -> Option<SequenceType> {
        match ty {
            ColumnType::SmallInt => Some(SequenceType::SmallInt),
            ColumnType::Integer => Some(SequenceType::Integer),
            ColumnType::BigInt => Some(SequenceType::BigInt),
            _ => None,
        }
    }
}

impl SequenceOptions {
    /// PostgreSQL's defaults for a sequence of `data_type` counting by `increment`: ascending
    /// from 1 to the type's maximum, descending from -1 to its minimum, cache 1, no cycle.
    pub fn defaults(data_type: SequenceType, increment: i64) -> SequenceOptions {
        let (lo, hi) = data_type.range();
        let (min, max) = if increment > 0 { (1, hi) } else { (lo, -1) };
        SequenceOptions {
            data_type,
            start: if increment > 0 { min } else { max },
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
        }
    }
}

/// Column types. Built-in types are named so that the spec, the DDL and the introspector agree
/// on one spelling; anything else is carried verbatim in [`ColumnType::Other`].
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    SmallInt,
    Integer,
    BigInt,
    Real,
    DoublePrecision,
    /// `numeric(precision, scale)`; both `None` for unconstrained numeric.
    Numeric {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Boolean,
    Text,
    Varchar(Option<u32>),
    Char(Option<u32>),
    Bytea,
    Date,
    /// `time(p)` / `timetz(p)`.
    Time {
        precision: Option<u32>,
        with_time_zone: bool,
    },
    /// `timestamp(p)` / `timestamptz(p)`.
    Timestamp {
        precision: Option<u32>,
        with_time_zone: bool,
    },
    Interval,
    Uuid,
    Json,
    Jsonb,
    Inet,
    Cidr,
    MacAddr,
    Money,
    Xml,
    Tsvector,
    Tsquery,
    Oid,
    /// `bit(n)`: fixed-length bit string; pgvector indexes it for hamming/jaccard distance.
    Bit(Option<u32>),
    /// `bit varying(n)`.
    VarBit(Option<u32>),
    /// pgvector `vector(n)`; `None` is an undimensioned column (cannot be indexed).
    Vector(Option<u32>),
    /// pgvector `halfvec(n)`.
    HalfVec(Option<u32>),
    /// pgvector `sparsevec(n)`.
    SparseVec(Option<u32>),
    /// A user enum declared in the spec.
    Enum(QualifiedName),
    /// A domain or composite type declared in the spec.
    Custom(QualifiedName),
    /// `elem[]`; PostgreSQL ignores declared array bounds, so none are kept.
    Array(Box<ColumnType>),
    /// Any other type on the server: built-in ranges, multiranges and geometric types, and
    /// types of extensions (`citext`, PostGIS's `geometry(Point,4326)`). Whether it exists is
    /// the server's to say (the shadow database checks the spec's); it is compared by name.
    Other(OtherType),
}

/// A type the model has no variant of, by name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct OtherType {
    /// The schema the type lives in: always known when read from a database (`pg_catalog` for
    /// built-in types); `None` when the spec leaves it to the search path.
    pub schema: Option<String>,
    pub name: String,
    /// The type modifier as the type prints it, without parentheses (`Point,4326`).
    pub modifiers: Option<String>,
}

impl ColumnType {
    /// Dimensions of a pgvector-indexable type (`vector`, `halfvec`, `sparsevec`, `bit`).
    pub fn vector_dims(&self) -> Option<Option<u32>> {
        match self {
            ColumnType::Vector(d)
            | ColumnType::HalfVec(d)
            | ColumnType::SparseVec(d)
            | ColumnType::Bit(d) => Some(*d),
            _ => None,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    /// `WITHOUT OVERLAPS` on the last column (PostgreSQL 18 temporal key): rows with equal
    /// other columns must not overlap in it (a range), enforced by a GiST index.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_overlaps: bool,
    /// `DEFERRABLE [INITIALLY …]`: uniqueness checked at commit (or when set immediate),
    /// which lets a transaction swap keys.
    #[serde(default, skip_serializing_if = "Deferrable::is_not")]
    pub deferrable: Deferrable,
    /// `INCLUDE (…)`: columns stored in the key's index, not part of the key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// `COMMENT ON CONSTRAINT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `COMMENT ON INDEX` of the key's index (same name, a comment of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferrable: Deferrable,
    /// `WITHOUT OVERLAPS` on the last column, as for [`PrimaryKey::without_overlaps`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_overlaps: bool,
    /// `INCLUDE (…)`, as for [`PrimaryKey::include`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Check {
    pub name: String,
    /// The boolean expression, without the surrounding `CHECK (...)`.
    pub expr: String,
    /// `NOT VALID`: enforced for new rows, not yet checked against the old ones. Kept as the
    /// user's choice (a copy of the data may violate it); valid again through `VALIDATE`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `NO INHERIT`: not copied to inheriting tables.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: QualifiedName,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: Deferrable,
    /// `PERIOD` on the last column of both sides (PostgreSQL 18 temporal foreign key): the
    /// referencing row's range must be covered by referenced rows' ranges.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub period: bool,
    /// `MATCH FULL`: a row with some referencing columns NULL must have all of them NULL
    /// (the default, `MATCH SIMPLE`, skips the check when any is NULL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub match_full: bool,
    /// `NOT VALID`, as for [`Check::not_valid`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `EXCLUDE USING method (element WITH operator, …)`: no two rows whose elements all compare
/// true under their operators (`room WITH =, during WITH &&`: no overlapping bookings of a
/// room). PostgreSQL enforces it with an index of the constraint's name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub name: String,
    /// The index method (`gist` mostly; `spgist`, `btree`, `hash`).
    pub method: IndexMethod,
    /// Keys as an index has them, each with its operator.
    pub elements: Vec<ExclusionElement>,
    /// `INCLUDE (…)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// `WHERE (…)`: only the rows it holds for are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `WITH (…)` of its index.
    #[serde(default, skip_serializing_if = "IndexOptions::is_empty")]
    pub options: IndexOptions,
    #[serde(default)]
    pub deferrable: Deferrable,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `COMMENT ON INDEX` of its index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ExclusionElement {
    pub key: IndexKey,
    /// The operator after `WITH`: a `pg_catalog` operator's name (`=`, `&&`), any other as
    /// `OPERATOR(schema.name)`.
    pub operator: String,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl Deferrable {
    /// Not deferrable: what a spec that says nothing means.
    pub fn is_not(&self) -> bool {
        *self == Deferrable::NotDeferrable
    }
}

/// `REPLICA IDENTITY`: what logical replication and decoding write of an updated or deleted
/// row's old version.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplicaIdentity {
    /// The primary key's columns.
    #[default]
    Default,
    /// Every column.
    Full,
    /// Nothing (updates and deletes cannot be published).
    Nothing,
    /// The columns of this unique index.
    Index(String),
}

impl ReplicaIdentity {
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub method: IndexMethod,
    pub keys: Vec<IndexKey>,
    /// Non-key columns of a covering index (`INCLUDE (...)`).
    pub include: Vec<String>,
    pub unique: bool,
    pub nulls_not_distinct: bool,
    /// Partial index predicate, without `WHERE`.
    pub predicate: Option<String>,
    /// `WITH (...)` storage parameters as written (see [`IndexOptions`]).
    pub options: IndexOptions,
    pub comment: Option<String>,
}

/// An index's storage parameters in the order they were written, which is the order
/// PostgreSQL keeps (`reloptions`) and `pg_dump` prints, so a database built from an inspected
/// spec dumps the same. Compared as a set, with an option equal to its documented default
/// (pgvector's `m` 16, `ef_construction` 64, `lists` 100) the same as an absent one: writing
/// `m: 16` never rebuilds an index.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub struct IndexOptions(pub Vec<(String, String)>);

/// Options whose documented default is the same as leaving them out.
pub const INDEX_OPTION_DEFAULTS: &[(&str, &str)] =
    &[("m", "16"), ("ef_construction", "64"), ("lists", "100")];

impl IndexOptions {
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The value in effect: the written one, else the documented default.
    pub fn effective(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str).or_else(|| {
            INDEX_OPTION_DEFAULTS
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| *v)
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Whether any option is written (a `WITH` clause is needed).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` (replacing a written value in place, else appending).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(entry) => entry.1 = value,
            None => self.0.push((name, value)),
        }
    }

    fn comparable(&self) -> BTreeMap<&str, &str> {
        self.0
            .iter()
            .filter(|(k, v)| !INDEX_OPTION_DEFAULTS.contains(&(k.as_str(), v.as_str())))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

impl PartialEq for IndexOptions {
    fn eq(&self, other: &Self) -> bool {
        self.comparable() == other.comparable()
    }
}

impl Eq for IndexOptions {}

impl std::ops::Index<&str> for IndexOptions {
    type Output = String;
    fn index(&self, name: &str) -> &String {
        self.get(name).expect("no such index option")
    }
}

impl FromIterator<(String, String)> for IndexOptions {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        IndexOptions(iter.into_iter().collect())
    }
}

#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum IndexMethod {
    Btree,
    Hash,
    Gin,
    Gist,
    Brin,
    SpGist,
    Hnsw,
    IvfFlat,
}

impl IndexMethod {
    pub const ALL: [IndexMethod; 8] = [
        IndexMethod::Btree,
        IndexMethod::Hash,
        IndexMethod::Gin,
        IndexMethod::Gist,
        IndexMethod::Brin,
        IndexMethod::SpGist,
        IndexMethod::Hnsw,
        IndexMethod::IvfFlat,
    ];

    /// The access method name in `pg_am` and in `CREATE INDEX ... USING`.
    pub fn name(self) -> &'static str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
            IndexMethod::Gist => "gist",
            IndexMethod::Brin => "brin",
            IndexMethod::SpGist => "spgist",
            IndexMethod::Hnsw => "hnsw",
            IndexMethod::IvfFlat => "ivfflat",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// pgvector's approximate nearest-neighbour methods, which follow their own rules.
    pub fn is_vector(self) -> bool {
        matches!(self, IndexMethod::Hnsw | IndexMethod::IvfFlat)
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub target: IndexTarget,
    /// Operator class; `None` means the type's default class for the method.
    pub opclass: Option<String>,
    pub order: SortOrder,
    /// `NULLS FIRST/LAST` when it differs from the order's default.
    pub nulls: Option<NullsOrder>,
    /// `COLLATE`: a collation of `pg_catalog` for this key (`name COLLATE "C"` makes a text
    /// index serve `LIKE 'abc%'` and byte-order sorts). On a column key, `None` is the column's
    /// collation; on an expression, the expression's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Operator class parameters (`gist_trgm_ops (siglen = 32)`), as written, compared as a set.
    #[serde(default, skip_serializing_if = "IndexOptions::is_empty")]
    pub opclass_params: IndexOptions,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    Column(String),
    /// An expression, without the surrounding parentheses.
    Expr(String),
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

impl Schema {
    /// Sorts every collection by name so equal schemas compare equal regardless of the order
    /// their sources listed them in. Column order is physical and is kept.
    pub fn normalize(&mut self) {
        // Every collection is sorted; a new field must be added here.
        let Schema {
            extensions,
            namespaces,
            enums,
            sequences,
            tables,
            views,
            functions,
            triggers,
            row_security,
            policies,
            types,
            grants,
            public_comment: _,
        } = self;
        extensions.sort_by(|a, b| a.name.cmp(&b.name));
        grants.sort_by(|a, b| a.object.cmp(&b.object));
        for g in grants {
            g.normalize();
        }
        types.sort_by(|a, b| a.name.cmp(&b.name));
        for t in types {
            if let CustomTypeKind::Domain { checks, .. } = &mut t.kind {
                checks.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
        row_security.sort_by(|a, b| a.table.cmp(&b.table));
        policies.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        for p in policies {
            p.roles.sort();
        }
        functions.sort_by(|a, b| (&a.name, &a.identity).cmp(&(&b.name, &b.identity)));
        for f in functions {
            f.depends_on.sort();
            f.depends_on.dedup();
        }
        triggers.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in views {
            v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            v.depends_on.sort();
            v.depends_on.dedup();
        }
        namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        sequences.sort_by(|a, b| a.name.cmp(&b.name));
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in tables {
            t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
            t.checks.sort_by(|a, b| a.name.cmp(&b.name));
            t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            t.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }

    /// Whether [`normalize`](Self::normalize) would leave the schema as it is: a check over
    /// the names, much cheaper than the copy a caller would otherwise normalize.
    pub fn is_normalized(&self) -> bool {
        let Schema {
            extensions,
            namespaces,
            enums,
            sequences,
            tables,
            views,
            functions,
            triggers,
            row_security,
            policies,
            types,
            grants,
            public_comment: _,
        } = self;
        fn sorted<T, K: Ord + ?Sized>(items: &[T], key: impl Fn(&T) -> &K) -> bool {
            items.windows(2).all(|w| key(&w[0]) <= key(&w[1]))
        }
        sorted(extensions, |e| e.name.as_str())
            && sorted(namespaces, |n| n.name.as_str())
            && sorted(enums, |e| &e.name)
            && sorted(sequences, |s| &s.name)
            && sorted(tables, |t| &t.name)
            && sorted(views, |v| &v.name)
            && functions
                .windows(2)
                .all(|w| (&w[0].name, &w[0].identity) <= (&w[1].name, &w[1].identity))
            && functions
                .iter()
                .all(|f| f.depends_on.windows(2).all(|w| w[0] < w[1]))
            && triggers
                .windows(2)
                .all(|w| (&w[0].table, &w[0].name) <= (&w[1].table, &w[1].name))
            && sorted(row_security, |r| &r.table)
            && sorted(types, |t| &t.name)
            && sorted(grants, |g| &g.object)
            && grants.iter().all(|g| {
                g.privileges.windows(2).all(|w| w[0] <= w[1])
                    && g.privileges
                        .iter()
                        .all(|(_, p)| !p.is_empty() && p.windows(2).all(|w| w[0] < w[1]))
            })
            && types.iter().all(|t| match &t.kind {
                CustomTypeKind::Domain { checks, .. } => sorted(checks, |c| c.name.as_str()),
                CustomTypeKind::Composite { .. } | CustomTypeKind::Range { .. } => true,
            })
            && policies
                .windows(2)
                .all(|w| (&w[0].table, &w[0].name) <= (&w[1].table, &w[1].name))
            && policies
                .iter()
                .all(|p| p.roles.windows(2).all(|w| w[0] <= w[1]))
            && views.iter().all(|v| {
                sorted(&v.indexes, |i| i.name.as_str())
                    && v.depends_on.windows(2).all(|w| w[0] < w[1])
            })
            && tables.iter().all(|t| {
                sorted(&t.uniques, |u| u.name.as_str())
                    && sorted(&t.checks, |c| c.name.as_str())
                    && sorted(&t.foreign_keys, |f| f.name.as_str())
                    && sorted(&t.exclusions, |x| x.name.as_str())
                    && sorted(&t.indexes, |i| i.name.as_str())
            })
    }

    /// Looks a table up by name: a binary search when the schema is normalized (sorted), which
    /// keeps diffing thousands of tables from going quadratic; a scan otherwise. A binary
    /// search only ever reports an element that compares equal, so on an unsorted list it can
    /// miss but never mismatch.
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        match self.tables.binary_search_by(|t| t.name.cmp(name)) {
            Ok(i) => Some(&self.tables[i]),
            Err(_) => self.tables.iter().find(|t| &t.name == name),
        }
    }

    /// The columns rows of `t` have: its own, or for a partition (which holds none in the
    /// model) those of the table at the top of its partition tree.
    pub fn columns_of<'s>(&'s self, t: &'s Table) -> &'s [Column] {
        let mut at = t;
        for _ in 0..64 {
            match at.partition_of.as_ref().and_then(|p| self.table(&p.parent)) {
                Some(parent) => at = parent,
                None => break,
            }
        }
        &at.columns
    }

    /// The partitions of `parent` (direct ones).
    pub fn partitions_of<'s>(
        &'s self,
        parent: &'s QualifiedName,
    ) -> impl Iterator<Item = &'s Table> + 's {
        self.tables
            .iter()
            .filter(move |t| t.partition_of.as_ref().is_some_and(|p| &p.parent == parent))
    }

    pub fn view(&self, name: &QualifiedName) -> Option<&View> {
        self.views.iter().find(|v| &v.name == name)
    }

    pub fn function(&self, name: &QualifiedName, identity: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|f| &f.name == name && f.identity == identity)
    }

    pub fn trigger(&self, table: &QualifiedName, name: &str) -> Option<&Trigger> {
        self.triggers
            .iter()
            .find(|t| &t.table == table && t.name == name)
    }

    pub fn custom_type(&self, name: &QualifiedName) -> Option<&CustomType> {
        self.types.iter().find(|t| &t.name == name)
    }

    pub fn enum_type(&self, name: &QualifiedName) -> Option<&Enum> {
        self.enums.iter().find(|e| &e.name == name)
    }

    pub fn sequence(&self, name: &QualifiedName) -> Option<&Sequence> {
        self.sequences.iter().find(|s| &s.name == name)
    }

    /// The sequences `owned_by` a column of `table`.
    pub fn owned_sequences<'s>(
        &'s self,
        table: &'s QualifiedName,
    ) -> impl Iterator<Item = &'s Sequence> + 's {
        self.sequences.iter().filter(move |s| {
            s.name.schema == table.schema
                && s.owned_by.as_ref().is_some_and(|o| o.table == table.name)
        })
    }
}

/// A database object by identity: what a plan step creates, alters, drops or depends on, and
/// the stable key that links a line of SQL back to the spec.
#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum ObjectRef {
    Extension(String),
    /// A PostgreSQL schema (namespace).
    Schema(String),
    /// An enum type.
    Enum(QualifiedName),
    /// A domain or composite type.
    Type(QualifiedName),
    Sequence(QualifiedName),
    Table(QualifiedName),
    /// A view or materialized view. The indexes of a materialized view are
    /// [`ObjectRef::Index`]es whose `table` is the view: its steps provide the
    /// `Table` of the same name too, as the relation they live on.
    View(QualifiedName),
    /// A function or procedure: its name and identity arguments.
    Function {
        name: QualifiedName,
        args: String,
    },
    /// A trigger of a table or view.
    Trigger {
        table: QualifiedName,
        name: String,
    },
    /// A row-level security policy of a table.
    Policy {
        table: QualifiedName,
        name: String,
    },
    /// Whether a table has row-level security enabled (and forced).
    RowSecurity(QualifiedName),
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

impl ObjectRef {
    pub fn column(table: &QualifiedName, column: &str) -> ObjectRef {
        ObjectRef::Column {
            table: table.clone(),
            column: column.to_string(),
        }
    }

    pub fn index(table: &QualifiedName, name: &str) -> ObjectRef {
        ObjectRef::Index {
            table: table.clone(),
            name: name.to_string(),
        }
    }

    pub fn constraint(table: &QualifiedName, kind: ConstraintKind, name: &str) -> ObjectRef {
        ObjectRef::Constraint {
            table: table.clone(),
            kind,
            name: name.to_string(),
        }
    }

    /// The object this one lives in: a table's column, constraint or index belongs to the
    /// table, a table, type or sequence to its schema. Steps on an object depend on its parent.
    pub fn parent(&self) -> Option<ObjectRef> {
        match self {
            ObjectRef::Extension(_) | ObjectRef::Schema(_) => None,
            ObjectRef::Enum(q)
            | ObjectRef::Sequence(q)
            | ObjectRef::Table(q)
            | ObjectRef::View(q)
            | ObjectRef::Type(q) => Some(ObjectRef::Schema(q.schema.clone())),
            ObjectRef::Function { name, .. } => Some(ObjectRef::Schema(name.schema.clone())),
            // A trigger's relation may be a table or a view: its steps name it themselves.
            ObjectRef::Trigger { .. } => None,
            ObjectRef::Policy { table, .. } | ObjectRef::RowSecurity(table) => {
                Some(ObjectRef::Table(table.clone()))
            }
            ObjectRef::Column { table, .. }
            | ObjectRef::Constraint { table, .. }
            | ObjectRef::Index { table, .. } => Some(ObjectRef::Table(table.clone())),
        }
    }
}

/// Which kind of table constraint, because PostgreSQL and readers treat them differently
/// (foreign keys wait for every table; primary keys back the identity of rows).
#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclusion,
}

impl ConstraintKind {
    /// Words used in script annotations and messages.
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Exclusion => "exclusion constraint",
        }
    }
}

impl fmt::Display for ObjectRef {
    /// Annotation form (`table public.documents`): control characters are escaped so that a
    /// name can never end a `--` comment line and smuggle SQL into a script.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = crate::sql_ident::display;
        let show_q = |q: &QualifiedName| format!("{}.{}", show(&q.schema), show(&q.name));
        match self {
            ObjectRef::Extension(n) => write!(f, "extension {}", show(n)),
            ObjectRef::Schema(n) => write!(f, "schema {}", show(n)),
            ObjectRef::Enum(q) => write!(f, "enum {}", show_q(q)),
            ObjectRef::Type(q) => write!(f, "type {}", show_q(q)),
            ObjectRef::Sequence(q) => write!(f, "sequence {}", show_q(q)),
            ObjectRef::Table(q) => write!(f, "table {}", show_q(q)),
            ObjectRef::View(q) => write!(f, "view {}", show_q(q)),
            ObjectRef::Function { name, args } => {
                write!(
                    f,
                    "function {}({})",
                    show_q(name),
                    crate::sql_ident::one_line(args)
                )
            }
            ObjectRef::Trigger { table, name } => {
                write!(f, "trigger {} on {}", show(name), show_q(table))
            }
            ObjectRef::Policy { table, name } => {
                write!(f, "policy {} on {}", show(name), show_q(table))
            }
            ObjectRef::RowSecurity(table) => {
                write!(f, "row-level security of {}", show_q(table))
            }
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

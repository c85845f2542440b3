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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub extensions: Vec<Extension>,
    /// PostgreSQL schemas (namespaces) the spec owns, other than `public`.
    pub namespaces: Vec<Namespace>,
    pub enums: Vec<Enum>,
    pub tables: Vec<Table>,
}

/// A schema-qualified object name; `schema` is `public` unless the spec says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    /// Schema the extension's objects live in; `None` lets PostgreSQL choose (usually `public`).
    pub schema: Option<String>,
    /// Pinned version; `None` means "whatever the server installs by default".
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: QualifiedName,
    /// Labels in their sort order (PostgreSQL orders enum values by declaration).
    pub values: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: QualifiedName,
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
    pub comment: Option<String>,
    /// Declared rename: the table's previous name, so the diff renames instead of drop + add.
    /// Only meaningful on the desired side; introspection never sets it.
    pub renamed_from: Option<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    pub default: Option<DefaultValue>,
    pub identity: Option<Identity>,
    /// Expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<String>,
    pub comment: Option<String>,
    /// Declared rename, as for [`Table::renamed_from`].
    pub renamed_from: Option<String>,
}

/// A column default. Literals and SQL expressions are kept apart because they are written
/// differently in the spec (`default:` vs `default_sql:`) and quoted differently in DDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// A string literal, rendered quoted (`'draft'`) and cast by PostgreSQL to the column type.
    Text(String),
    /// A numeric literal as written (`0`, `-1.5`), rendered bare.
    Number(String),
    Bool(bool),
    /// Raw SQL, rendered as written (`now()`, `gen_random_uuid()`).
    Expr(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Always,
    ByDefault,
}

/// Column types. Built-in types are named so that the spec, the DDL and the introspector agree
/// on one spelling; anything else is carried verbatim in [`ColumnType::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `elem[]`; PostgreSQL ignores declared array bounds, so none are kept.
    Array(Box<ColumnType>),
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

    /// SQL spelling as PostgreSQL's `format_type` prints it (used in DDL and messages).
    pub fn sql(&self) -> String {
        fn with_mod(base: &str, n: &Option<u32>) -> String {
            match n {
                Some(n) => format!("{base}({n})"),
                None => base.to_string(),
            }
        }
        match self {
            ColumnType::SmallInt => "smallint".into(),
            ColumnType::Integer => "integer".into(),
            ColumnType::BigInt => "bigint".into(),
            ColumnType::Real => "real".into(),
            ColumnType::DoublePrecision => "double precision".into(),
            ColumnType::Numeric { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => format!("numeric({p},{s})"),
                (Some(p), None) => format!("numeric({p})"),
                _ => "numeric".into(),
            },
            ColumnType::Boolean => "boolean".into(),
            ColumnType::Text => "text".into(),
            ColumnType::Varchar(n) => with_mod("character varying", n),
            ColumnType::Char(n) => with_mod("character", n),
            ColumnType::Bytea => "bytea".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Time {
                precision,
                with_time_zone,
            } => {
                let base = with_mod("time", precision);
                if *with_time_zone {
                    format!("{base} with time zone")
                } else {
                    format!("{base} without time zone")
                }
            }
            ColumnType::Timestamp {
                precision,
                with_time_zone,
            } => {
                let base = with_mod("timestamp", precision);
                if *with_time_zone {
                    format!("{base} with time zone")
                } else {
                    format!("{base} without time zone")
                }
            }
            ColumnType::Interval => "interval".into(),
            ColumnType::Uuid => "uuid".into(),
            ColumnType::Json => "json".into(),
            ColumnType::Jsonb => "jsonb".into(),
            ColumnType::Inet => "inet".into(),
            ColumnType::Cidr => "cidr".into(),
            ColumnType::MacAddr => "macaddr".into(),
            ColumnType::Money => "money".into(),
            ColumnType::Xml => "xml".into(),
            ColumnType::Tsvector => "tsvector".into(),
            ColumnType::Tsquery => "tsquery".into(),
            ColumnType::Oid => "oid".into(),
            ColumnType::Bit(n) => with_mod("bit", n),
            ColumnType::VarBit(n) => with_mod("bit varying", n),
            ColumnType::Vector(n) => with_mod("vector", n),
            ColumnType::HalfVec(n) => with_mod("halfvec", n),
            ColumnType::SparseVec(n) => with_mod("sparsevec", n),
            ColumnType::Enum(q) => crate::sql_ident::qualified(q),
            ColumnType::Array(inner) => format!("{}[]", inner.sql()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferrable: Deferrable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    /// The boolean expression, without the surrounding `CHECK (...)`.
    pub expr: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: QualifiedName,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: Deferrable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `WITH (...)` storage parameters, keyed by name; values as PostgreSQL prints them.
    /// Options equal to their documented default are not stored.
    pub options: BTreeMap<String, String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub target: IndexTarget,
    /// Operator class; `None` means the type's default class for the method.
    pub opclass: Option<String>,
    pub order: SortOrder,
    /// `NULLS FIRST/LAST` when it differs from the order's default.
    pub nulls: Option<NullsOrder>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    Column(String),
    /// An expression, without the surrounding parentheses.
    Expr(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

impl Schema {
    /// Sorts every collection by name so equal schemas compare equal regardless of the order
    /// their sources listed them in. Column order is physical and is kept.
    pub fn normalize(&mut self) {
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
            t.checks.sort_by(|a, b| a.name.cmp(&b.name));
            t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
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

    pub fn enum_type(&self, name: &QualifiedName) -> Option<&Enum> {
        self.enums.iter().find(|e| &e.name == name)
    }
}

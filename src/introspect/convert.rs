//! Pure row → model conversion for `introspect`: the catalog rows of [`super::queries`] become a
//! [`Schema`]. Nothing here touches a database, so unit tests feed rows directly.
//!
//! Canonical forms chosen here (the spec side must produce the same to compare equal):
//! - `character` / `bit` without a length are stored by PostgreSQL as length 1 and read back as
//!   `Char(Some(1))` / `Bit(Some(1))`; `numeric(p, 0)` reads back as `numeric(p)` (scale `None`).
//! - An array column nests [`ColumnType::Array`] once per declared dimension (`attndims`, at
//!   least one), so `integer[][]` survives a round trip.
//! - Defaults: `'text'::type` → [`DefaultValue::Text`], except that a numeric literal cast to a
//!   numeric type (`'-1'::integer`, `'-1.5'::numeric`) and bare numbers → [`DefaultValue::Number`];
//!   `true`/`false` → [`DefaultValue::Bool`]; anything else → [`DefaultValue::Expr`] as printed.
//! - Index keys: an operator class that is the default for its method and type is `None`;
//!   expressions lose the outer parentheses `pg_get_indexdef` adds; `NULLS` is kept only when it
//!   differs from the order's default; options equal to pgvector's defaults are dropped.
//! - Extensions: schema `public` and the server's default version are `None` (the spec's
//!   "let PostgreSQL choose").

use std::collections::{BTreeMap, HashMap};

use crate::model::{
    Check, Column, ColumnType, DefaultValue, Deferrable, Enum, Extension, FkAction, ForeignKey,
    Identity, Index, IndexKey, IndexMethod, IndexTarget, Namespace, NullsOrder, PrimaryKey,
    QualifiedName, Schema, SortOrder, Table, Unique,
};

use super::IntrospectError;

/// A row of [`super::queries::EXTENSIONS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExtensionRow {
    pub name: String,
    pub schema: String,
    pub version: String,
    pub default_version: Option<String>,
}

/// A row of [`super::queries::NAMESPACES`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamespaceRow {
    pub name: String,
    pub comment: Option<String>,
}

/// A row of [`super::queries::ENUMS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

/// A row of [`super::queries::TABLES`]; `oid` links the per-table rows below to their table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TableRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    pub comment: Option<String>,
}

/// A row of [`super::queries::COLUMNS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ColumnRow {
    pub table_oid: i64,
    pub name: String,
    pub type_name: String,
    pub type_schema: String,
    /// `pg_type.typtype`: `b` base, `e` enum, `d` domain, …
    pub type_kind: String,
    pub elem_name: Option<String>,
    pub elem_schema: Option<String>,
    pub elem_kind: Option<String>,
    pub typmod: i32,
    pub ndims: i32,
    pub not_null: bool,
    pub default_expr: Option<String>,
    /// `pg_attribute.attidentity`: empty, `a` (always) or `d` (by default).
    pub identity: String,
    /// `pg_attribute.attgenerated`: empty, `s` (stored) or `v` (virtual).
    pub generated: String,
    pub comment: Option<String>,
}

/// A row of [`super::queries::CONSTRAINTS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConstraintRow {
    pub table_oid: i64,
    pub name: String,
    /// `pg_constraint.contype`: `p`, `u`, `c` or `f`.
    pub kind: String,
    pub columns: Vec<String>,
    pub ref_schema: Option<String>,
    pub ref_name: Option<String>,
    pub ref_columns: Vec<String>,
    /// `confdeltype` / `confupdtype`: `a` no action, `r` restrict, `c` cascade, `n` set null,
    /// `d` set default (a blank for non-foreign keys).
    pub on_delete: String,
    pub on_update: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub nulls_not_distinct: bool,
    pub definition: String,
}

/// A row of [`super::queries::INDEXES`]; the `key_*` arrays have one entry per key column.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexRow {
    pub table_oid: i64,
    pub name: String,
    pub method: String,
    pub is_unique: bool,
    pub nulls_not_distinct: bool,
    /// Column name per key, empty for an expression key.
    pub key_columns: Vec<String>,
    /// `pg_get_indexdef(index, k, true)` per key: the column or the parenthesised expression.
    pub key_defs: Vec<String>,
    pub opclasses: Vec<String>,
    pub opclass_defaults: Vec<bool>,
    pub key_options: Vec<i16>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub reloptions: Option<Vec<String>>,
    pub comment: Option<String>,
}

/// Every row the catalog queries returned, grouped by query: the input of [`to_schema`].
#[derive(Debug, Clone, Default)]
pub struct CatalogRows {
    pub extensions: Vec<ExtensionRow>,
    pub namespaces: Vec<NamespaceRow>,
    pub enums: Vec<EnumRow>,
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
}

/// pgvector's documented option defaults, removed from introspected options (model convention:
/// an option equal to its default is not stored).
pub const OPTION_DEFAULTS: &[(IndexMethod, &str, &str)] = &[
    (IndexMethod::Hnsw, "m", "16"),
    (IndexMethod::Hnsw, "ef_construction", "64"),
    (IndexMethod::IvfFlat, "lists", "100"),
];

/// Builds the model from catalog rows, then normalises it. Rows of tables that are not in
/// `rows.tables` are an inconsistency (the queries share one snapshot and one table filter).
pub fn to_schema(rows: CatalogRows) -> Result<Schema, IntrospectError> {
    let mut schema = Schema {
        extensions: rows.extensions.into_iter().map(extension).collect(),
        namespaces: rows
            .namespaces
            .into_iter()
            .filter(|n| n.name != "public")
            .map(|n| Namespace {
                name: n.name,
                comment: n.comment,
            })
            .collect(),
        enums: rows
            .enums
            .into_iter()
            .map(|e| Enum {
                name: QualifiedName::new(e.schema, e.name),
                values: e.labels,
                comment: e.comment,
            })
            .collect(),
        tables: Vec::new(),
    };

    let mut tables: Vec<Table> = Vec::with_capacity(rows.tables.len());
    let mut by_oid: HashMap<i64, usize> = HashMap::with_capacity(rows.tables.len());
    for t in rows.tables {
        by_oid.insert(t.oid, tables.len());
        tables.push(Table {
            name: QualifiedName::new(t.schema, t.name),
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            comment: t.comment,
            renamed_from: None,
        });
    }
    let table_of = |oid: i64, what: &str, name: &str| -> Result<usize, IntrospectError> {
        by_oid
            .get(&oid)
            .copied()
            .ok_or_else(|| IntrospectError::Inconsistent {
                detail: format!("{what} `{name}` belongs to table oid {oid}, which was not read"),
            })
    };

    for c in rows.columns {
        let i = table_of(c.table_oid, "column", &c.name)?;
        let column = column(&tables[i].name, c)?;
        tables[i].columns.push(column);
    }
    for c in rows.constraints {
        let i = table_of(c.table_oid, "constraint", &c.name)?;
        constraint(&mut tables[i], c)?;
    }
    for ix in rows.indexes {
        let i = table_of(ix.table_oid, "index", &ix.name)?;
        let index = index(&tables[i].name, ix)?;
        tables[i].indexes.push(index);
    }
    schema.tables = tables;
    schema.normalize();
    Ok(schema)
}

fn extension(e: ExtensionRow) -> Extension {
    Extension {
        schema: (e.schema != "public").then_some(e.schema),
        version: (e.default_version.as_deref() != Some(e.version.as_str())).then_some(e.version),
        name: e.name,
    }
}

fn unsupported(object: String, detail: String, help: &str) -> IntrospectError {
    IntrospectError::Unsupported {
        object,
        detail,
        help: help.to_string(),
    }
}

const IGNORE_HELP: &str = "tidemark's model cannot represent this; add the table to the \
                           introspection ignore patterns to leave it unmanaged";

fn column(table: &QualifiedName, c: ColumnRow) -> Result<Column, IntrospectError> {
    let object = || format!("column {}.{}.{}", table.schema, table.name, c.name);
    let ty = match (&c.elem_name, &c.elem_schema, &c.elem_kind) {
        (Some(en), Some(es), Some(ek)) => {
            let elem = column_type(es, en, ek, c.typmod)
                .map_err(|d| unsupported(object(), d, IGNORE_HELP))?;
            let mut ty = ColumnType::Array(Box::new(elem));
            for _ in 1..c.ndims.max(1) {
                ty = ColumnType::Array(Box::new(ty));
            }
            ty
        }
        _ => column_type(&c.type_schema, &c.type_name, &c.type_kind, c.typmod)
            .map_err(|d| unsupported(object(), d, IGNORE_HELP))?,
    };
    let identity = match c.identity.as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    };
    let (default, generated) = match c.generated.as_str() {
        "s" => (None, c.default_expr.clone()),
        "" => (c.default_expr.as_deref().map(default_value), None),
        _ => {
            return Err(unsupported(
                object(),
                "is a virtual generated column".into(),
                "tidemark models stored generated columns only: declare it \
                 `GENERATED ALWAYS AS (…) STORED`, or ignore the table",
            ));
        }
    };
    Ok(Column {
        name: c.name,
        ty,
        nullable: !c.not_null,
        default,
        identity,
        generated,
        comment: c.comment,
        renamed_from: None,
    })
}

/// The model type of a (non-array) catalog type and its `atttypmod`; `Err` says why it has none.
pub fn column_type(
    schema: &str,
    name: &str,
    kind: &str,
    typmod: i32,
) -> Result<ColumnType, String> {
    use ColumnType as T;
    let len = |offset: i32| (typmod >= offset).then(|| (typmod - offset) as u32);
    let plain = |ty: ColumnType| {
        if typmod == -1 {
            Ok(ty)
        } else {
            Err(format!(
                "has type {name} with modifier {typmod}, which the model has no field for"
            ))
        }
    };
    if kind == "e" {
        return Ok(T::Enum(QualifiedName::new(schema, name)));
    }
    if schema != "pg_catalog" {
        return match (kind, name) {
            ("b", "vector") => Ok(T::Vector(len(0))),
            ("b", "halfvec") => Ok(T::HalfVec(len(0))),
            ("b", "sparsevec") => Ok(T::SparseVec(len(0))),
            ("d", _) => Err(format!("has domain type {schema}.{name}")),
            _ => Err(format!("has type {schema}.{name}")),
        };
    }
    match name {
        "int2" => plain(T::SmallInt),
        "int4" => plain(T::Integer),
        "int8" => plain(T::BigInt),
        "float4" => plain(T::Real),
        "float8" => plain(T::DoublePrecision),
        "numeric" => {
            if typmod < 4 {
                return Ok(T::Numeric {
                    precision: None,
                    scale: None,
                });
            }
            let m = typmod - 4;
            let precision = ((m >> 16) & 0xffff) as u32;
            // PostgreSQL 15+ stores the scale as a signed 11-bit number.
            let scale = ((m & 0x7ff) ^ 1024) - 1024;
            if scale < 0 {
                return Err(format!(
                    "has type numeric({precision},{scale}) with a negative scale"
                ));
            }
            Ok(T::Numeric {
                precision: Some(precision),
                scale: (scale != 0).then_some(scale as u32),
            })
        }
        "bool" => plain(T::Boolean),
        "text" => plain(T::Text),
        "varchar" => Ok(T::Varchar(len(4))),
        "bpchar" => Ok(T::Char(len(4))),
        "bytea" => plain(T::Bytea),
        "date" => plain(T::Date),
        "time" | "timetz" => Ok(T::Time {
            precision: len(0),
            with_time_zone: name == "timetz",
        }),
        "timestamp" | "timestamptz" => Ok(T::Timestamp {
            precision: len(0),
            with_time_zone: name == "timestamptz",
        }),
        "interval" => plain(T::Interval),
        "uuid" => plain(T::Uuid),
        "json" => plain(T::Json),
        "jsonb" => plain(T::Jsonb),
        "inet" => plain(T::Inet),
        "cidr" => plain(T::Cidr),
        "macaddr" => plain(T::MacAddr),
        "money" => plain(T::Money),
        "xml" => plain(T::Xml),
        "tsvector" => plain(T::Tsvector),
        "tsquery" => plain(T::Tsquery),
        "oid" => plain(T::Oid),
        "bit" => Ok(T::Bit(len(0))),
        "varbit" => Ok(T::VarBit(len(0))),
        other => Err(format!("has type {other}")),
    }
}

/// Maps a default expression as `pg_get_expr` prints it back to the model's kinds.
pub fn default_value(expr: &str) -> DefaultValue {
    let e = expr.trim();
    match e {
        "true" => return DefaultValue::Bool(true),
        "false" => return DefaultValue::Bool(false),
        _ => {}
    }
    let unparen = e
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(e);
    if is_number(unparen) {
        return DefaultValue::Number(unparen.to_string());
    }
    if let Some((text, cast)) = string_literal(e) {
        let numeric_cast = matches!(
            cast.trim_start_matches("::"),
            "smallint" | "integer" | "bigint" | "real" | "double precision" | "numeric"
        );
        if numeric_cast && is_number(&text) {
            return DefaultValue::Number(text);
        }
        return DefaultValue::Text(text);
    }
    DefaultValue::Expr(e.to_string())
}

/// `-12`, `3.14`: a plain decimal number as PostgreSQL prints numeric constants.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `'it''s'::type` → (`it's`, `::type`): a single string literal followed by nothing but one
/// cast to a type name. Anything with an operator or a second value after it is not a literal.
fn string_literal(e: &str) -> Option<(String, &str)> {
    let rest = e.strip_prefix('\'')?;
    let mut text = String::new();
    let mut chars = rest.char_indices().peekable();
    let end = loop {
        let (i, ch) = chars.next()?;
        if ch == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                chars.next();
                text.push('\'');
            } else {
                break i + 1;
            }
        } else {
            text.push(ch);
        }
    };
    let cast = &rest[end..];
    if cast.is_empty() {
        return Some((text, cast));
    }
    let ty = cast.strip_prefix("::")?;
    is_type_name(ty).then_some((text, cast))
}

/// A type name as `format_type` prints it: words, quoted identifiers, dots, a typmod in
/// parentheses and `[]`, but no operators, literals or further casts.
fn is_type_name(ty: &str) -> bool {
    let mut in_quotes = false;
    let mut seen = false;
    for ch in ty.chars() {
        if in_quotes {
            if ch == '"' {
                in_quotes = false;
            }
            continue;
        }
        match ch {
            '"' => in_quotes = true,
            c if c.is_alphanumeric() || c == '_' => {}
            ' ' | '.' | '(' | ')' | ',' | '[' | ']' => {}
            _ => return false,
        }
        seen = true;
    }
    seen && !in_quotes
}

fn constraint(table: &mut Table, c: ConstraintRow) -> Result<(), IntrospectError> {
    let deferrable = match (c.deferrable, c.deferred) {
        (false, _) => Deferrable::NotDeferrable,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    };
    let object = || format!("constraint {} on {}", c.name, table.name);
    match c.kind.as_str() {
        "p" => {
            table.primary_key = Some(PrimaryKey {
                name: c.name,
                columns: c.columns,
            })
        }
        "u" => table.uniques.push(Unique {
            name: c.name,
            columns: c.columns,
            nulls_not_distinct: c.nulls_not_distinct,
            deferrable,
        }),
        "c" => {
            let expr = check_expr(&c.definition).ok_or_else(|| IntrospectError::Inconsistent {
                detail: format!("{}: unexpected definition `{}`", object(), c.definition),
            })?;
            table.checks.push(Check { name: c.name, expr });
        }
        "f" => {
            let (Some(schema), Some(name)) = (c.ref_schema.clone(), c.ref_name.clone()) else {
                return Err(IntrospectError::Inconsistent {
                    detail: format!("{}: foreign key without a referenced table", object()),
                });
            };
            table.foreign_keys.push(ForeignKey {
                on_delete: fk_action(&c.on_delete),
                on_update: fk_action(&c.on_update),
                name: c.name,
                columns: c.columns,
                ref_table: QualifiedName::new(schema, name),
                ref_columns: c.ref_columns,
                deferrable,
            });
        }
        _ => {}
    }
    Ok(())
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// `CHECK (expr)` (with any trailing `NOT VALID`/`NO INHERIT`/`NOT ENFORCED`) → `expr`, exactly
/// as PostgreSQL printed it.
pub fn check_expr(definition: &str) -> Option<String> {
    let mut d = definition.trim();
    loop {
        let before = d;
        for suffix in [" NOT VALID", " NO INHERIT", " NOT ENFORCED"] {
            d = d.strip_suffix(suffix).unwrap_or(d);
        }
        if d == before {
            break;
        }
    }
    let inner = d.strip_prefix("CHECK (")?.strip_suffix(')')?;
    Some(inner.to_string())
}

/// Removes one pair of parentheses that wraps the whole text (and only then): `(a::halfvec(3))`
/// → `a::halfvec(3)`, but `(a) + (b)` stays. Quoted identifiers and literals are skipped.
pub fn strip_outer_parens(e: &str) -> &str {
    let t = e.trim();
    let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) else {
        return t;
    };
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for ch in inner.chars() {
        match quote {
            Some(q) => {
                if ch == q {
                    quote = None;
                }
            }
            None => match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return t;
                    }
                }
                _ => {}
            },
        }
    }
    if depth == 0 { inner.trim() } else { t }
}

fn index(table: &QualifiedName, ix: IndexRow) -> Result<Index, IntrospectError> {
    let object = format!("index {} on {}", ix.name, table);
    let Some(method) = IndexMethod::from_name(&ix.method) else {
        return Err(unsupported(
            object,
            format!("uses access method {}", ix.method),
            IGNORE_HELP,
        ));
    };
    let n = ix.key_defs.len();
    if [
        ix.key_columns.len(),
        ix.opclasses.len(),
        ix.opclass_defaults.len(),
        ix.key_options.len(),
    ]
    .iter()
    .any(|&len| len != n)
    {
        return Err(IntrospectError::Inconsistent {
            detail: format!("{object}: per-key arrays of different lengths"),
        });
    }
    let mut keys = Vec::with_capacity(n);
    for k in 0..n {
        let target = if ix.key_columns[k].is_empty() {
            IndexTarget::Expr(strip_outer_parens(&ix.key_defs[k]).to_string())
        } else {
            IndexTarget::Column(ix.key_columns[k].clone())
        };
        let option = ix.key_options[k];
        let desc = option & 1 != 0;
        let nulls_first = option & 2 != 0;
        keys.push(IndexKey {
            target,
            opclass: (!ix.opclass_defaults[k]).then(|| ix.opclasses[k].clone()),
            order: if desc {
                SortOrder::Desc
            } else {
                SortOrder::Asc
            },
            nulls: match (desc, nulls_first) {
                (false, true) => Some(NullsOrder::First),
                (true, false) => Some(NullsOrder::Last),
                _ => None,
            },
        });
    }
    let options = ix
        .reloptions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|opt| {
            let (k, v) = opt.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .filter(|(k, v)| {
            !OPTION_DEFAULTS
                .iter()
                .any(|(m, name, default)| *m == method && name == k && default == v)
        })
        .collect::<BTreeMap<_, _>>();
    Ok(Index {
        name: ix.name,
        method,
        keys,
        include: ix.include,
        unique: ix.is_unique,
        nulls_not_distinct: ix.nulls_not_distinct,
        predicate: ix.predicate,
        options,
        comment: ix.comment,
    })
}

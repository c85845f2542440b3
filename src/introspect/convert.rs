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
//!   differs from the order's default; options are kept as written, in catalog order.
//! - Extensions: schema `public` and the server's default version are `None` (the spec's
//!   "let PostgreSQL choose").

use std::collections::HashMap;

use crate::model::{
    Check, Column, ColumnStorage, ColumnType, DefaultValue, Deferrable, Enum, Exclusion,
    ExclusionElement, Extension, FkAction, ForeignKey, Identity, IdentityKind, Index, IndexKey,
    IndexMethod, IndexOptions, IndexTarget, Namespace, NullsOrder, PartitionBound, PartitionKey,
    PartitionOf, PartitionStrategy, PrimaryKey, QualifiedName, ReplicaIdentity, Schema, Sequence,
    SequenceOptions, SequenceOwner, SequenceType, SortOrder, Table, Unique,
};
use crate::model::{
    CheckOption, Function, ObjectRef, Parallel, Trigger, TriggerEnabled, TriggerEvent,
    TriggerTiming, View, ViewColumn, Volatility,
};
use crate::model::{CustomType, CustomTypeKind};

use super::IntrospectError;
use super::inventory::{InventoryRow, Unmanaged};

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
    pub row_security: bool,
    pub row_security_forced: bool,
    /// `pg_get_partkeydef`: `RANGE (created_at)` for a partitioned table.
    pub partition_key: Option<String>,
    /// A partition's parent and `pg_get_expr(relpartbound)`.
    pub parent_schema: Option<String>,
    pub parent_name: Option<String>,
    pub partition_bound: Option<String>,
    pub unlogged: bool,
    /// `reloptions` of the table and of its TOAST table (`name=value`).
    pub reloptions: Option<Vec<String>>,
    pub toast_options: Option<Vec<String>>,
    /// `relreplident` (`d`, `f`, `n`, `i`) and, for `i`, the index.
    pub replica_identity: String,
    pub replica_index: Option<String>,
}

/// A row of [`super::queries::GRANTS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub schema: String,
    pub name: String,
    pub kind: String,
    pub args: Option<String>,
    pub role: String,
    pub privileges: Vec<String>,
    pub grantable: bool,
}

/// A row of [`super::queries::TYPES`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TypeRow {
    pub schema: String,
    pub name: String,
    pub kind: String,
    pub base: Option<String>,
    pub not_null: bool,
    pub default_expr: Option<String>,
    pub check_names: Vec<String>,
    pub check_defs: Vec<String>,
    pub attributes: Vec<String>,
    /// A range type's `subtype_opclass` (not the default), collation (not the subtype's),
    /// `subtype_diff` and multirange type.
    pub range_opclass: Option<String>,
    pub range_collation: Option<String>,
    pub range_diff: Option<String>,
    pub range_multirange: Option<String>,
    pub comment: Option<String>,
    pub unsupported: Vec<String>,
}

/// A row of [`super::queries::POLICIES`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub schema: String,
    pub table_name: String,
    pub name: String,
    pub permissive: bool,
    pub command: String,
    pub roles: Vec<String>,
    pub using_expr: Option<String>,
    pub check_expr: Option<String>,
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
    /// `attstattarget` (`SET STATISTICS`).
    pub stattarget: Option<i32>,
    /// `COLLATE` of `pg_catalog` differing from the type's.
    pub collation: Option<String>,
    /// `attstorage` when it differs from the type's `typstorage`.
    pub storage: Option<String>,
    /// `attcompression` when set (PostgreSQL 14 and later).
    pub compression: Option<String>,
    /// `format_type` of the column's type and modifier (`geometry(Point,4326)[]`): the
    /// modifier's text for a type the model has no variant of.
    pub type_text: String,
    pub ndims: i32,
    pub not_null: bool,
    pub default_expr: Option<String>,
    /// `pg_attribute.attidentity`: empty, `a` (always) or `d` (by default).
    pub identity: String,
    /// `pg_attribute.attgenerated`: empty, `s` (stored) or `v` (virtual).
    pub generated: String,
    pub comment: Option<String>,
    /// The identity sequence and its options (identity columns only).
    pub identity_sequence: Option<String>,
    pub seq_type: Option<String>,
    pub seq_start: Option<i64>,
    pub seq_increment: Option<i64>,
    pub seq_min: Option<i64>,
    pub seq_max: Option<i64>,
    pub seq_cache: Option<i64>,
    pub seq_cycle: Option<bool>,
    /// What the model would lose of the column (a collation, `STORAGE`, …), one text each.
    pub unsupported: Vec<String>,
}

/// A row of [`super::queries::SEQUENCES`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SequenceRow {
    pub schema: String,
    pub name: String,
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    pub owner_table: Option<String>,
    pub owner_column: Option<String>,
    pub owner_schema: Option<String>,
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
    /// `NOT convalidated`.
    pub not_valid: bool,
    /// `connoinherit`.
    pub no_inherit: bool,
    /// `conperiod`: `WITHOUT OVERLAPS` on a key, `PERIOD` on a foreign key (PostgreSQL 18).
    pub period: bool,
    /// `confmatchtype = 'f'`.
    pub match_full: bool,
    /// A key's `INCLUDE` columns.
    pub include: Vec<String>,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
    /// `COMMENT ON INDEX` of a key's index.
    pub index_comment: Option<String>,
    /// What the model would lose of the constraint (`NOT VALID`, a comment, …), one text each.
    pub unsupported: Vec<String>,
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
    /// Per key: its collation when not the one it would get anyway.
    pub key_collations: Vec<Option<String>>,
    /// Per key: its operator class parameters (`siglen=32`), separated by U+001F.
    pub key_params: Vec<String>,
    /// The exclusion constraint this index is, if any, and its per-key operators, deferral
    /// and comment.
    pub exclusion: Option<String>,
    pub exclusion_operators: Vec<String>,
    pub exclusion_deferrable: bool,
    pub exclusion_deferred: bool,
    pub exclusion_comment: Option<String>,
    pub opclasses: Vec<String>,
    pub opclass_defaults: Vec<bool>,
    pub key_options: Vec<i16>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub reloptions: Option<Vec<String>>,
    pub comment: Option<String>,
    /// What the model would lose of the index (a tablespace, `CLUSTER`, …), one text each.
    pub unsupported: Vec<String>,
}

/// Every row the catalog queries returned, grouped by query: the input of [`to_schema`].
#[derive(Debug, Clone, Default)]
pub struct CatalogRows {
    pub extensions: Vec<ExtensionRow>,
    pub namespaces: Vec<NamespaceRow>,
    pub enums: Vec<EnumRow>,
    pub sequences: Vec<SequenceRow>,
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub views: Vec<ViewRow>,
    pub functions: Vec<FunctionRow>,
    pub triggers: Vec<TriggerRow>,
    pub policies: Vec<PolicyRow>,
    pub types: Vec<TypeRow>,
    pub grants: Vec<GrantRow>,
    pub inventory: Vec<InventoryRow>,
}

/// A row of [`super::queries::FUNCTIONS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FunctionRow {
    pub schema: String,
    pub name: String,
    pub procedure: bool,
    pub args: String,
    pub identity: String,
    pub returns: Option<String>,
    pub language: String,
    pub body: String,
    pub volatility: String,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: String,
    pub config: Option<Vec<String>>,
    pub comment: Option<String>,
    pub unsupported: Vec<String>,
}

/// A row of [`super::queries::TRIGGERS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TriggerRow {
    pub schema: String,
    pub table_name: String,
    pub name: String,
    pub tgtype: i32,
    pub update_of: Vec<String>,
    pub function_schema: String,
    pub function_name: String,
    pub definition: String,
    /// `tgenabled`: `O`, `D`, `R` or `A`.
    pub enabled: String,
    pub is_constraint: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub comment: Option<String>,
    pub unsupported: Vec<String>,
}

/// A row of [`super::queries::VIEWS`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ViewRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
    pub materialized: bool,
    pub definition: Option<String>,
    pub reloptions: Option<Vec<String>>,
    pub populated: bool,
    pub comment: Option<String>,
    pub column_names: Vec<String>,
    pub column_types: Vec<String>,
    pub column_comments: Vec<Option<String>>,
    /// `[relkind, schema, relation, column or null]` as JSON texts.
    pub reads: Vec<String>,
    pub unsupported: Vec<String>,
}

/// The model of a database and what it holds that the model cannot represent.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    pub schema: Schema,
    pub unmanaged: Vec<Unmanaged>,
}

/// What the model would lose of the columns, constraints and indexes the rows describe (their
/// `unsupported` texts), one entry per text.
fn lost_attributes(
    tables: &[TableRow],
    columns: &[ColumnRow],
    constraints: &[ConstraintRow],
    indexes: &[IndexRow],
) -> Vec<Unmanaged> {
    let names: HashMap<i64, (&str, &str)> = tables
        .iter()
        .map(|t| (t.oid, (t.schema.as_str(), t.name.as_str())))
        .collect();
    let mut out = Vec::new();
    let mut report = |table_oid: i64, kind: &str, name: &str, details: &[String]| {
        let Some((schema, table)) = names.get(&table_oid) else {
            return;
        };
        for detail in details {
            out.push(Unmanaged {
                kind: kind.to_string(),
                schema: schema.to_string(),
                table: Some(table.to_string()),
                name: name.to_string(),
                detail: detail.clone(),
            });
        }
    };
    for c in columns.iter().filter(|c| !c.unsupported.is_empty()) {
        report(c.table_oid, "column", &c.name, &c.unsupported);
    }
    for c in constraints.iter().filter(|c| !c.unsupported.is_empty()) {
        let kind = match c.kind.as_str() {
            "p" => "primary key",
            "u" => "unique constraint",
            "c" => "check constraint",
            _ => "foreign key",
        };
        report(c.table_oid, kind, &c.name, &c.unsupported);
    }
    for i in indexes.iter().filter(|i| !i.unsupported.is_empty()) {
        report(i.table_oid, "index", &i.name, &i.unsupported);
    }
    out
}

/// Builds the model from catalog rows, then normalises it. A table holding something the
/// model has no place for (a column type, a virtual generated column, an index access method)
/// is left out whole and reported in [`Converted::unmanaged`], with the inventory's rows. Rows
/// of tables that are not in `rows.tables` are an inconsistency (the queries share one snapshot
/// and one table filter).
pub fn to_schema(rows: CatalogRows) -> Result<Converted, IntrospectError> {
    let mut unmanaged: Vec<Unmanaged> = rows.inventory.into_iter().map(Unmanaged::from).collect();
    unmanaged.extend(lost_attributes(
        &rows.tables,
        &rows.columns,
        &rows.constraints,
        &rows.indexes,
    ));
    let public_comment = rows
        .namespaces
        .iter()
        .find(|n| n.name == "public")
        .and_then(|n| n.comment.clone())
        .filter(|c| c != crate::kind::namespace::PUBLIC_COMMENT);
    let mut schema = Schema {
        public_comment,
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
        sequences: rows
            .sequences
            .into_iter()
            .map(sequence)
            .collect::<Result<_, _>>()?,
        tables: Vec::new(),
        views: Vec::new(),
        functions: Vec::new(),
        triggers: Vec::new(),
        row_security: Vec::new(),
        policies: Vec::new(),
        types: Vec::new(),
        grants: Vec::new(),
    };

    let mut tables: Vec<Table> = Vec::with_capacity(rows.tables.len());
    let mut unreadable: std::collections::BTreeSet<QualifiedName> = Default::default();
    let mut by_oid: HashMap<i64, usize> = HashMap::with_capacity(rows.tables.len());
    let mut row_security = Vec::new();
    for t in rows.tables {
        if t.row_security {
            row_security.push(crate::model::RowSecurity {
                table: QualifiedName::new(&t.schema, &t.name),
                forced: t.row_security_forced,
            });
        } else if t.row_security_forced {
            unmanaged.push(Unmanaged {
                kind: "table".into(),
                schema: t.schema.clone(),
                table: None,
                name: t.name.clone(),
                detail: "forces row-level security that is not enabled".into(),
            });
        }
        let name = QualifiedName::new(&t.schema, &t.name);
        let mut lost = None;
        let partition_by = match t.partition_key.as_deref().map(partition_key) {
            Some(Ok(k)) => Some(k),
            Some(Err(why)) => {
                lost = Some(why);
                None
            }
            None => None,
        };
        let partition_of = match (&t.parent_schema, &t.parent_name, &t.partition_bound) {
            (Some(s), Some(n), Some(b)) => match partition_bound(b) {
                Ok(bound) => Some(PartitionOf {
                    parent: QualifiedName::new(s, n),
                    bound,
                }),
                Err(why) => {
                    lost = Some(why);
                    None
                }
            },
            _ => None,
        };
        if let Some(why) = lost {
            unmanaged.push(Unmanaged {
                kind: "table".into(),
                schema: t.schema.clone(),
                table: None,
                name: t.name.clone(),
                detail: format!("{why}, which the spec cannot declare yet (the table is left out)"),
            });
            unreadable.insert(name.clone());
        }
        // A partition's are reported by the inventory (the spec has no place for them yet).
        let own_storage = partition_of.is_none() && partition_by.is_none();
        let storage = if own_storage {
            let heap = t.reloptions.iter().flatten().map(|o| o.to_string());
            let toast = t
                .toast_options
                .iter()
                .flatten()
                .map(|o| format!("toast.{o}"));
            heap.chain(toast)
                .map(|o| match o.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (o, String::new()),
                })
                .collect()
        } else {
            crate::model::IndexOptions::default()
        };
        // A partition's is reported by the inventory.
        let replica_identity = match (t.replica_identity.as_str(), t.replica_index) {
            _ if partition_of.is_some() => ReplicaIdentity::Default,
            ("f", _) => ReplicaIdentity::Full,
            ("n", _) => ReplicaIdentity::Nothing,
            ("i", Some(index)) => ReplicaIdentity::Index(index),
            _ => ReplicaIdentity::Default,
        };
        by_oid.insert(t.oid, tables.len());
        tables.push(Table {
            comment: t.comment,
            unlogged: t.unlogged && own_storage,
            storage,
            replica_identity,
            partition_by,
            partition_of,
            ..Table::named(name)
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
    // Tables left out because the model cannot hold one of their parts.
    let mut left_out: Vec<bool> = tables
        .iter()
        .map(|t| unreadable.contains(&t.name))
        .collect();
    for c in rows.columns {
        let i = table_of(c.table_oid, "column", &c.name)?;
        let partition = tables[i].partition_of.is_some();
        match column(&tables[i].name, partition, c)? {
            Ok(column) => tables[i].columns.push(column),
            Err(u) => {
                left_out[i] = true;
                unmanaged.push(u);
            }
        }
    }
    for c in rows.constraints {
        let i = table_of(c.table_oid, "constraint", &c.name)?;
        constraint(&mut tables[i], c)?;
    }
    let mut views: Vec<View> = Vec::with_capacity(rows.views.len());
    let mut view_of: HashMap<i64, usize> = HashMap::new();
    for v in rows.views {
        view_of.insert(v.oid, views.len());
        let (view, lost) = view(v)?;
        unmanaged.extend(lost);
        views.push(view);
    }
    for ix in rows.indexes {
        if let Some(&i) = view_of.get(&ix.table_oid) {
            let name = views[i].name.clone();
            match index(&name, ix)? {
                Ok(index) => views[i].indexes.push(index),
                Err(u) => unmanaged.push(u),
            }
            continue;
        }
        let i = table_of(ix.table_oid, "index", &ix.name)?;
        let exclusion = ix.exclusion.clone().map(|name| {
            (
                name,
                ix.exclusion_operators.clone(),
                match (ix.exclusion_deferrable, ix.exclusion_deferred) {
                    (false, _) => Deferrable::NotDeferrable,
                    (true, false) => Deferrable::InitiallyImmediate,
                    (true, true) => Deferrable::InitiallyDeferred,
                },
                ix.exclusion_comment.clone(),
            )
        });
        match (index(&tables[i].name, ix)?, exclusion) {
            (Ok(index), None) => tables[i].indexes.push(index),
            (Ok(index), Some((name, operators, deferrable, comment))) => {
                if operators.len() != index.keys.len() {
                    return Err(IntrospectError::Inconsistent {
                        detail: format!(
                            "exclusion constraint {name} on {}: {} operators for {} keys",
                            tables[i].name,
                            operators.len(),
                            index.keys.len()
                        ),
                    });
                }
                tables[i].exclusions.push(Exclusion {
                    name,
                    method: index.method,
                    elements: index
                        .keys
                        .into_iter()
                        .zip(operators)
                        .map(|(key, operator)| ExclusionElement { key, operator })
                        .collect(),
                    include: index.include,
                    predicate: index.predicate,
                    options: index.options,
                    deferrable,
                    comment,
                    index_comment: index.comment,
                });
            }
            (Err(u), _) => {
                left_out[i] = true;
                unmanaged.push(u);
            }
        }
    }
    // Domains and composite types; a column of another row type (a table's) leaves its
    // table out.
    for t in rows.types {
        let name = QualifiedName::new(&t.schema, &t.name);
        let kind_word = match t.kind.as_str() {
            "d" => "domain",
            "r" => "range type",
            _ => "composite type",
        };
        for detail in &t.unsupported {
            unmanaged.push(Unmanaged {
                kind: kind_word.into(),
                schema: t.schema.clone(),
                table: None,
                name: t.name.clone(),
                detail: detail.clone(),
            });
        }
        match custom_type(name, t) {
            Ok(ct) => schema.types.push(ct),
            Err(u) => unmanaged.push(u),
        }
    }
    for (i, t) in tables.iter().enumerate() {
        for c in &t.columns {
            if let Some(q) = unknown_custom(&c.ty, &schema.types) {
                left_out[i] = true;
                unmanaged.push(Unmanaged::column(
                    &t.name,
                    &c.name,
                    format!(
                        "has type {}.{} (a table's row type), which the spec cannot declare yet (the table is left out)",
                        q.schema, q.name
                    ),
                ));
            }
        }
    }
    partition_columns(&mut tables, &mut left_out, &mut unmanaged);
    schema.tables = tables
        .into_iter()
        .zip(left_out)
        .filter_map(|(t, out)| (!out).then_some(t))
        .collect();
    schema.views = views;
    for f in rows.functions {
        let name = QualifiedName::new(&f.schema, &f.name);
        let what = if f.procedure { "procedure" } else { "function" };
        for detail in &f.unsupported {
            unmanaged.push(Unmanaged {
                kind: what.into(),
                schema: f.schema.clone(),
                table: None,
                name: format!("{}({})", f.name, f.identity),
                detail: detail.clone(),
            });
        }
        schema.functions.push(function(name, f));
    }
    for t in rows.triggers {
        let table = QualifiedName::new(&t.schema, &t.table_name);
        for detail in &t.unsupported {
            unmanaged.push(Unmanaged {
                kind: "trigger".into(),
                schema: t.schema.clone(),
                table: Some(t.table_name.clone()),
                name: t.name.clone(),
                detail: detail.clone(),
            });
        }
        if schema.table(&table).is_none() && schema.view(&table).is_none() {
            // Its relation is not in the model (left out, or a kind it cannot hold), which
            // is reported already; the trigger goes with it.
            unmanaged.push(Unmanaged {
                kind: "trigger".into(),
                schema: t.schema.clone(),
                table: Some(t.table_name.clone()),
                name: t.name.clone(),
                detail: String::new(),
            });
            continue;
        }
        schema.triggers.push(trigger(table, t));
    }
    for g in rows.grants {
        let q = QualifiedName::new(&g.schema, &g.name);
        let (object, word) = match g.kind.as_str() {
            "S" => (ObjectRef::Sequence(q.clone()), "sequence"),
            "r" => (ObjectRef::Table(q.clone()), "table"),
            "m" => (ObjectRef::View(q.clone()), "materialized view"),
            "f" | "p" => (
                ObjectRef::Function {
                    name: q.clone(),
                    args: g.args.clone().unwrap_or_default(),
                },
                if g.kind == "p" {
                    "procedure"
                } else {
                    "function"
                },
            ),
            "n" => (ObjectRef::Schema(g.schema.clone()), "schema"),
            _ => (ObjectRef::View(q.clone()), "view"),
        };
        if g.role.is_empty() {
            // A routine's ACL is set: its entry exists even if nothing is granted.
            if !schema.grants.iter().any(|x| x.object == object) {
                schema.grants.push(crate::model::Grants {
                    object,
                    privileges: Vec::new(),
                });
            }
            continue;
        }
        if g.grantable {
            unmanaged.push(Unmanaged::object(
                word,
                &object,
                format!("grants WITH GRANT OPTION to {}", g.role),
            ));
        }
        match schema.grants.iter_mut().find(|x| x.object == object) {
            Some(x) => x.privileges.push((g.role, g.privileges)),
            None => schema.grants.push(crate::model::Grants {
                object,
                privileges: vec![(g.role, g.privileges)],
            }),
        }
    }
    // Grants of objects the model does not hold go with them (those are reported already), and
    // an ACL set back to the default is the default: the model keeps only the others.
    let grants = std::mem::take(&mut schema.grants);
    schema.grants = grants
        .into_iter()
        .filter(|g| crate::kind::grant::exists(&schema, &g.object))
        .map(|mut g| {
            g.normalize();
            g
        })
        .filter(|g| g.privileges != crate::kind::grant::default_privileges(&g.object))
        .collect();
    schema.row_security = row_security
        .into_iter()
        .filter(|r| schema.table(&r.table).is_some())
        .collect();
    for p in rows.policies {
        let table = QualifiedName::new(&p.schema, &p.table_name);
        if schema.table(&table).is_none() {
            unmanaged.push(Unmanaged {
                kind: "policy".into(),
                schema: p.schema.clone(),
                table: Some(p.table_name.clone()),
                name: p.name.clone(),
                detail: String::new(),
            });
            continue;
        }
        schema.policies.push(crate::model::Policy {
            table,
            name: p.name,
            permissive: p.permissive,
            command: match p.command.as_str() {
                "r" => crate::model::PolicyCommand::Select,
                "a" => crate::model::PolicyCommand::Insert,
                "w" => crate::model::PolicyCommand::Update,
                "d" => crate::model::PolicyCommand::Delete,
                _ => crate::model::PolicyCommand::All,
            },
            roles: p.roles.into_iter().filter(|r| r != "public").collect(),
            using: p.using_expr,
            with_check: p.check_expr,
            comment: p.comment,
        });
    }
    partition_extras(&mut schema, &mut unmanaged);
    schema.normalize();
    unmanaged.sort();
    unmanaged.dedup();
    Ok(Converted { schema, unmanaged })
}

/// A view row → the model, and what the model would lose of it (unknown options, grants…).
fn view(v: ViewRow) -> Result<(View, Vec<Unmanaged>), IntrospectError> {
    let name = QualifiedName::new(&v.schema, &v.name);
    let kind = if v.materialized {
        "materialized view"
    } else {
        "view"
    };
    let definition = v.definition.ok_or_else(|| IntrospectError::Inconsistent {
        detail: format!("{kind} {name} has no definition"),
    })?;
    let mut out = View::new(
        name.clone(),
        v.materialized,
        crate::spec::lower::view_query(&definition),
    );
    let mut lost: Vec<String> = v.unsupported;
    // PostgreSQL keeps a boolean option as written (`on`, `yes`, `1`, …).
    let truthy = |value: &str| {
        matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "on" | "yes" | "1" | "t" | "y"
        )
    };
    for opt in v.reloptions.unwrap_or_default() {
        let (key, value) = opt.split_once('=').unwrap_or((opt.as_str(), ""));
        match (v.materialized, key) {
            (true, _) => out.storage.insert(key, value),
            (false, "security_barrier") => out.security_barrier = truthy(value),
            (false, "security_invoker") => out.security_invoker = truthy(value),
            (false, "check_option") if value == "local" => {
                out.check_option = Some(CheckOption::Local)
            }
            (false, "check_option") if value == "cascaded" => {
                out.check_option = Some(CheckOption::Cascaded)
            }
            _ => lost.push(format!("has option {opt}")),
        }
    }
    out.with_data = v.populated;
    out.comment = v.comment;
    out.columns = v
        .column_names
        .into_iter()
        .zip(v.column_types)
        .zip(v.column_comments)
        .map(|((name, ty), comment)| ViewColumn {
            name,
            ty: Some(ty),
            comment,
        })
        .collect();
    for read in &v.reads {
        let parts: Vec<Option<String>> =
            serde_json::from_str(read).map_err(|e| IntrospectError::Inconsistent {
                detail: format!("{kind} {name}: unreadable dependency {read}: {e}"),
            })?;
        let (Some(Some(relkind)), Some(Some(schema)), Some(Some(rel))) =
            (parts.first(), parts.get(1), parts.get(2))
        else {
            continue;
        };
        let target = QualifiedName::new(schema, rel);
        let column = parts.get(3).cloned().flatten();
        match (relkind.as_str(), column) {
            ("f", args) => out.depends_on.push(ObjectRef::Function {
                name: target,
                args: args.unwrap_or_default(),
            }),
            ("v" | "m", _) => out.depends_on.push(ObjectRef::View(target)),
            (_, Some(c)) => {
                out.depends_on.push(ObjectRef::column(&target, &c));
                out.depends_on.push(ObjectRef::Table(target));
            }
            (_, None) => out.depends_on.push(ObjectRef::Table(target)),
        }
    }
    let unmanaged = lost
        .into_iter()
        .map(|detail| Unmanaged {
            kind: kind.to_string(),
            schema: name.schema.clone(),
            table: None,
            name: name.name.clone(),
            detail,
        })
        .collect();
    Ok((out, unmanaged))
}

/// A partition's columns are its parent's: they are checked to be the same (a partition whose
/// column has a default or NOT NULL of its own is something the spec cannot say, and is left
/// out) and then left out of the model. A partition whose parent is left out goes with it;
/// one whose parent was not read at all (ignored, or in a schema not read) is not read either.
fn partition_columns(tables: &mut [Table], left_out: &mut [bool], unmanaged: &mut Vec<Unmanaged>) {
    let index: HashMap<QualifiedName, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // Parents before their partitions: a partition's depth is one more than its parent's.
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = tables[i]
            .partition_of
            .as_ref()
            .and_then(|p| index.get(&p.parent))
        {
            i = *p;
            d += 1;
            if d > 64 {
                break;
            }
        }
        d
    };
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| depth(i));
    for i in order {
        let Some(of) = tables[i].partition_of.clone() else {
            continue;
        };
        let Some(&p) = index.get(&of.parent) else {
            left_out[i] = true;
            continue;
        };
        // A partition in another schema than its parent is reported by the inventory.
        if tables[i].name.schema != of.parent.schema {
            left_out[i] = true;
            continue;
        }
        if left_out[p] {
            left_out[i] = true;
            continue;
        }
        // The parent's columns (a parent that is itself a partition has had its columns
        // moved to `theirs` already).
        let theirs = root_columns(tables, &index, p);
        let mine = std::mem::take(&mut tables[i].columns);
        let same = mine.len() == theirs.len()
            && mine.iter().zip(&theirs).all(|(a, b)| {
                a.name == b.name
                    && a.ty == b.ty
                    && a.nullable == b.nullable
                    && a.default == b.default
                    && a.generated == b.generated
                    && a.generated_virtual == b.generated_virtual
                    && a.statistics == b.statistics
                    && a.collation == b.collation
                    && a.storage == b.storage
                    && a.compression == b.compression
                    && a.identity.is_some() == b.identity.is_some()
            });
        let detail = if !same {
            format!(
                "of {}.{}: its columns differ from its parent's (a default, NOT NULL, statistics, storage or compression of its own), which the spec cannot declare yet (the table is left out)",
                of.parent.schema, of.parent.name
            )
        } else if mine.iter().any(|c| c.comment.is_some()) {
            "has column comments of its own, which the spec cannot declare yet (the table is left out)".into()
        } else if let Some(what) = own_keys(&tables[i]) {
            format!(
                "has {what} of its own (not its parent's), which the spec cannot declare on a partition yet (the table is left out)"
            )
        } else {
            continue;
        };
        left_out[i] = true;
        unmanaged.push(Unmanaged {
            kind: "partition".into(),
            schema: tables[i].name.schema.clone(),
            table: None,
            name: tables[i].name.name.clone(),
            detail,
        });
    }
}

/// What a partition has of its own that `partitions:` cannot declare: keys, foreign keys and
/// exclusion constraints (its checks and indexes it can).
fn own_keys(t: &Table) -> Option<&'static str> {
    if t.primary_key.is_some() {
        Some("a primary key")
    } else if !t.uniques.is_empty() {
        Some("a unique constraint")
    } else if !t.foreign_keys.is_empty() {
        Some("a foreign key")
    } else if !t.exclusions.is_empty() {
        Some("an exclusion constraint")
    } else {
        None
    }
}

/// The columns of the table at the top of `i`'s partition tree.
fn root_columns(
    tables: &[Table],
    index: &HashMap<QualifiedName, usize>,
    mut i: usize,
) -> Vec<Column> {
    for _ in 0..64 {
        match tables[i]
            .partition_of
            .as_ref()
            .and_then(|p| index.get(&p.parent))
        {
            Some(&p) => i = p,
            None => break,
        }
    }
    tables[i].columns.clone()
}

/// Triggers, policies, row-level security and grants of a partition itself (not copies of its
/// parent's): the spec declares none on a partition yet, so they are reported, not read.
fn partition_extras(schema: &mut Schema, unmanaged: &mut Vec<Unmanaged>) {
    let partitions: std::collections::BTreeSet<QualifiedName> = schema
        .tables
        .iter()
        .filter(|t| t.partition_of.is_some())
        .map(|t| t.name.clone())
        .collect();
    if partitions.is_empty() {
        return;
    }
    let mut report = |kind: &str, table: &QualifiedName, name: &str| {
        unmanaged.push(Unmanaged {
            kind: kind.into(),
            schema: table.schema.clone(),
            table: Some(table.name.clone()),
            name: name.to_string(),
            detail: "is on a partition, where the spec cannot declare one yet".into(),
        });
    };
    schema.triggers.retain(|t| {
        let keep = !partitions.contains(&t.table);
        if !keep {
            report("trigger", &t.table, &t.name);
        }
        keep
    });
    schema.policies.retain(|p| {
        let keep = !partitions.contains(&p.table);
        if !keep {
            report("policy", &p.table, &p.name);
        }
        keep
    });
    schema.row_security.retain(|r| {
        let keep = !partitions.contains(&r.table);
        if !keep {
            report("row-level security", &r.table, "enabled");
        }
        keep
    });
    schema.grants.retain(|g| {
        let keep = !matches!(&g.object, ObjectRef::Table(q) if partitions.contains(q));
        if !keep && let ObjectRef::Table(q) = &g.object {
            report("grants", q, "privileges");
        }
        keep
    });
}

/// `RANGE (a, ((b + 1)))` → the model's key: a column, or an expression in parentheses.
pub fn partition_key(text: &str) -> Result<PartitionKey, String> {
    let (word, rest) = text
        .split_once(' ')
        .ok_or_else(|| format!("has partition key `{text}`"))?;
    let strategy = match word {
        "RANGE" => PartitionStrategy::Range,
        "LIST" => PartitionStrategy::List,
        "HASH" => PartitionStrategy::Hash,
        _ => return Err(format!("has partition key `{text}`")),
    };
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("has partition key `{text}`"))?;
    let mut keys = Vec::new();
    for item in split_top_level(inner) {
        let item = item.trim();
        if let Some(e) = item.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            keys.push(IndexTarget::Expr(e.to_string()));
        } else if function_call(item) {
            // A function call is printed without parentheses of its own.
            keys.push(IndexTarget::Expr(item.to_string()));
        } else if let Some(c) = plain_identifier(item) {
            keys.push(IndexTarget::Column(c));
        } else {
            return Err(format!(
                "has partition key `{text}` (a key with an operator class or collation)"
            ));
        }
    }
    Ok(PartitionKey { strategy, keys })
}

/// `FOR VALUES FROM ('2026-01-01') TO (MAXVALUE)`, `… IN (…)`, `… WITH (modulus 4, remainder
/// 0)` or `DEFAULT` → the model's bound; a value that is not a plain constant cannot be written
/// in the spec.
pub fn partition_bound(text: &str) -> Result<PartitionBound, String> {
    let bad = || format!("is bounded `{text}`");
    if text == "DEFAULT" {
        return Ok(PartitionBound::Default);
    }
    let rest = text.strip_prefix("FOR VALUES ").ok_or_else(bad)?;
    let list = |s: &str| -> Result<Vec<String>, String> {
        let inner = s
            .trim()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(bad)?;
        split_top_level(inner)
            .into_iter()
            .map(|v| {
                let v = v.trim();
                bound_constant(v).then(|| v.to_string()).ok_or_else(bad)
            })
            .collect()
    };
    if let Some(r) = rest.strip_prefix("FROM ") {
        let (from, to) = r.split_once(") TO (").ok_or_else(bad)?;
        return Ok(PartitionBound::Range {
            from: list(&format!("{from})"))?,
            to: list(&format!("({to}"))?,
        });
    }
    if let Some(r) = rest.strip_prefix("IN ") {
        return Ok(PartitionBound::List(list(r)?));
    }
    if let Some(r) = rest.strip_prefix("WITH (modulus ") {
        let (m, r) = r.split_once(", remainder ").ok_or_else(bad)?;
        let r = r.strip_suffix(')').ok_or_else(bad)?;
        return Ok(PartitionBound::Hash {
            modulus: m.parse().map_err(|_| bad())?,
            remainder: r.parse().map_err(|_| bad())?,
        });
    }
    Err(bad())
}

/// A bound value the spec can write: a quoted literal without a cast, a plain number,
/// `MINVALUE`, `MAXVALUE`, `NULL`, `true`, `false`.
fn bound_constant(v: &str) -> bool {
    if matches!(v, "MINVALUE" | "MAXVALUE" | "NULL" | "true" | "false") {
        return true;
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        // Doubled quotes only; a lone one would end the literal early.
        return !inner.replace("''", "").contains('\'');
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.')
}

/// Splits at commas outside quotes and parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _, _) in crate::sql_lex::depths(s).filter(|(_, c, d)| *c == ',' && *d == 0) {
        out.push(&s[start..i]);
        start = i + 1;
    }
    out.push(&s[start..]);
    out
}

/// `date_trunc('day'::text, at)`: a (possibly qualified) name directly followed by one
/// parenthesised argument list that ends the text.
fn function_call(s: &str) -> bool {
    let Some(open) = s.find('(') else {
        return false;
    };
    let name = &s[..open];
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '"')
        && s.ends_with(')')
        && split_top_level(&s[open..]).len() == 1
        && {
            // The parenthesis opened after the name closes at the very end.
            let mut depth = 0i32;
            let mut quote = false;
            let mut closes_at_end = true;
            for (i, c) in s[open..].char_indices() {
                match c {
                    '\'' => quote = !quote,
                    '(' if !quote => depth += 1,
                    ')' if !quote => {
                        depth -= 1;
                        if depth == 0 && open + i != s.len() - 1 {
                            closes_at_end = false;
                        }
                    }
                    _ => {}
                }
            }
            closes_at_end
        }
}

/// `created_at` or `"Created At"` → the column name; `None` for anything else.
fn plain_identifier(s: &str) -> Option<String> {
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return (!inner.replace("\"\"", "").contains('"')).then(|| inner.replace("\"\"", "\""));
    }
    (!s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !s.starts_with(|c: char| c.is_ascii_digit()))
    .then(|| s.to_string())
}

/// A custom type a column type names that the model does not hold (a table's row type).
fn unknown_custom(ty: &ColumnType, types: &[CustomType]) -> Option<QualifiedName> {
    match ty {
        ColumnType::Custom(q) if !types.iter().any(|t| &t.name == q) => Some(q.clone()),
        ColumnType::Array(inner) => unknown_custom(inner, types),
        _ => None,
    }
}

/// `[name, schema, type, kind, typmod, element, element schema, element kind, dimensions]`
/// (see [`super::queries::TYPES`]) → a name and a column type.
fn typed(json: &str) -> Result<(String, ColumnType), String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let s = |i: usize| v.get(i).and_then(|x| x.as_str()).map(str::to_string);
    let n = |i: usize| v.get(i).and_then(|x| x.as_i64());
    let name = s(0).unwrap_or_default();
    let typmod = n(4).unwrap_or(-1) as i32;
    let ty = match (s(5), s(6), s(7)) {
        (Some(en), Some(es), Some(ek)) => {
            let mut ty = ColumnType::Array(Box::new(column_type(&es, &en, &ek, typmod, None)?));
            for _ in 1..n(8).unwrap_or(1).max(1) {
                ty = ColumnType::Array(Box::new(ty));
            }
            ty
        }
        _ => column_type(
            &s(1).unwrap_or_default(),
            &s(2).unwrap_or_default(),
            &s(3).unwrap_or_default(),
            typmod,
            None,
        )?,
    };
    Ok((name, ty))
}

/// A type row → the model, or why it cannot hold it.
fn custom_type(name: QualifiedName, t: TypeRow) -> Result<CustomType, Unmanaged> {
    let word = match t.kind.as_str() {
        "d" => "domain",
        "r" => "range type",
        _ => "composite type",
    };
    let lost = |detail: String| Unmanaged {
        kind: word.into(),
        schema: name.schema.clone(),
        table: None,
        name: name.name.clone(),
        detail,
    };
    let kind = if t.kind == "r" {
        let (_, subtype) = typed(t.base.as_deref().unwrap_or("[]"))
            .map_err(|d| lost(format!("its subtype {d}")))?;
        CustomTypeKind::Range {
            subtype,
            subtype_opclass: t.range_opclass,
            collation: t.range_collation,
            subtype_diff: t.range_diff,
            multirange: t
                .range_multirange
                .filter(|m| *m != crate::model::multirange_name(&name.name)),
        }
    } else if t.kind == "d" {
        let (_, base) = typed(t.base.as_deref().unwrap_or("[]"))
            .map_err(|d| lost(format!("its base type {d}")))?;
        let checks = t
            .check_names
            .into_iter()
            .zip(t.check_defs)
            .map(|(n, def)| {
                let inner = def
                    .trim()
                    .strip_prefix("CHECK (")
                    .and_then(|r| r.strip_suffix(')'))
                    .unwrap_or(&def)
                    .to_string();
                Check {
                    name: n,
                    expr: inner,
                    ..Default::default()
                }
            })
            .collect();
        CustomTypeKind::Domain {
            base,
            not_null: t.not_null,
            default: t.default_expr,
            checks,
        }
    } else {
        let mut attributes = Vec::new();
        for a in &t.attributes {
            let (n, ty) = typed(a).map_err(|d| lost(format!("an attribute {d}")))?;
            attributes.push((n, ty));
        }
        CustomTypeKind::Composite { attributes }
    };
    Ok(CustomType {
        name,
        kind,
        comment: t.comment,
    })
}

/// A function row → the model.
fn function(name: QualifiedName, f: FunctionRow) -> Function {
    Function {
        name,
        procedure: f.procedure,
        args: f.args,
        identity: f.identity,
        returns: f.returns,
        language: f.language,
        body: f.body,
        volatility: match f.volatility.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        },
        strict: f.strict,
        security_definer: f.security_definer,
        parallel: match f.parallel.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            _ => Parallel::Unsafe,
        },
        config: f
            .config
            .unwrap_or_default()
            .into_iter()
            .map(|c| match c.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (c, String::new()),
            })
            .collect(),
        comment: f.comment,
        depends_on: Vec::new(),
    }
}

/// A trigger row → the model: events and timing from `tgtype`, the `WHEN` condition and the
/// arguments from `pg_get_triggerdef`.
fn trigger(table: QualifiedName, t: TriggerRow) -> Trigger {
    let ty = t.tgtype;
    let mut events = Vec::new();
    if ty & 4 != 0 {
        events.push(TriggerEvent::Insert);
    }
    if ty & 16 != 0 {
        events.push(TriggerEvent::Update);
    }
    if ty & 8 != 0 {
        events.push(TriggerEvent::Delete);
    }
    if ty & 32 != 0 {
        events.push(TriggerEvent::Truncate);
    }
    let timing = if ty & 64 != 0 {
        TriggerTiming::InsteadOf
    } else if ty & 2 != 0 {
        TriggerTiming::Before
    } else {
        TriggerTiming::After
    };
    let def = &t.definition;
    let execute = def.rfind(" EXECUTE FUNCTION ").unwrap_or(def.len());
    let when = def[..execute]
        .find(" WHEN (")
        .map(|at| {
            let inner = def[at + " WHEN (".len()..execute].trim_end();
            inner.strip_suffix(')').unwrap_or(inner).to_string()
        })
        .filter(|w| !w.is_empty());
    let call = &def[execute..];
    let args_text = call
        .find('(')
        .map(|open| &call[open + 1..call.rfind(')').unwrap_or(call.len())])
        .unwrap_or("");
    let args = crate::sql_lex::tokens(args_text)
        .into_iter()
        .filter_map(|tok| match tok.kind {
            crate::sql_lex::TokenKind::String(s) => Some(s),
            crate::sql_lex::TokenKind::Number | crate::sql_lex::TokenKind::Ident { .. } => {
                Some(args_text[tok.span.clone()].to_string())
            }
            _ => None,
        })
        .collect();
    Trigger {
        table,
        name: t.name,
        timing,
        events,
        update_of: t.update_of,
        for_each_row: ty & 1 != 0,
        when,
        function: QualifiedName::new(t.function_schema, t.function_name),
        args,
        enabled: match t.enabled.as_str() {
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => TriggerEnabled::Origin,
        },
        constraint: t
            .is_constraint
            .then_some(match (t.deferrable, t.initially_deferred) {
                (false, _) => Deferrable::NotDeferrable,
                (true, false) => Deferrable::InitiallyImmediate,
                (true, true) => Deferrable::InitiallyDeferred,
            }),
        comment: t.comment,
    }
}

fn sequence_type(name: &str) -> Option<SequenceType> {
    match name {
        "smallint" => Some(SequenceType::SmallInt),
        "integer" => Some(SequenceType::Integer),
        "bigint" => Some(SequenceType::BigInt),
        _ => None,
    }
}

fn sequence(s: SequenceRow) -> Result<Sequence, IntrospectError> {
    let data_type = sequence_type(&s.data_type).ok_or_else(|| IntrospectError::Inconsistent {
        detail: format!("sequence {}.{} has type {}", s.schema, s.name, s.data_type),
    })?;
    let owned_by = match (s.owner_table, s.owner_column) {
        (Some(table), Some(column)) if s.owner_schema.as_deref() == Some(s.schema.as_str()) => {
            Some(SequenceOwner { table, column })
        }
        _ => None,
    };
    Ok(Sequence {
        name: QualifiedName::new(s.schema, s.name),
        options: SequenceOptions {
            data_type,
            start: s.start,
            increment: s.increment,
            min: s.min,
            max: s.max,
            cache: s.cache,
            cycle: s.cycle,
        },
        owned_by,
        comment: s.comment,
    })
}

fn extension(e: ExtensionRow) -> Extension {
    Extension {
        schema: (e.schema != "public").then_some(e.schema),
        version: (e.default_version.as_deref() != Some(e.version.as_str())).then_some(e.version),
        name: e.name,
    }
}

/// A column, or (inner `Err`) why the model cannot hold it, which leaves its table out.
fn column(
    table: &QualifiedName,
    partition: bool,
    c: ColumnRow,
) -> Result<Result<Column, Unmanaged>, IntrospectError> {
    let left_out = |detail: String| {
        Unmanaged::column(
            table,
            &c.name,
            format!("{detail}, which the spec cannot declare yet (the table is left out)"),
        )
    };
    let ty = match (&c.elem_name, &c.elem_schema, &c.elem_kind) {
        (Some(en), Some(es), Some(ek)) => {
            match column_type(es, en, ek, c.typmod, Some(&c.type_text)) {
                Ok(elem) => {
                    let mut ty = ColumnType::Array(Box::new(elem));
                    for _ in 1..c.ndims.max(1) {
                        ty = ColumnType::Array(Box::new(ty));
                    }
                    ty
                }
                Err(d) => return Ok(Err(left_out(d))),
            }
        }
        _ => match column_type(
            &c.type_schema,
            &c.type_name,
            &c.type_kind,
            c.typmod,
            Some(&c.type_text),
        ) {
            Ok(ty) => ty,
            Err(d) => return Ok(Err(left_out(d))),
        },
    };
    let identity = match c.identity.as_str() {
        // A partition's identity column draws from its parent's sequence, which the parent's
        // column names; the partition's columns are only compared with the parent's (see
        // `partition_columns`), so its kind is all that is kept.
        "a" | "d" if partition && c.identity_sequence.is_none() => Some(Identity {
            kind: if c.identity == "a" {
                IdentityKind::Always
            } else {
                IdentityKind::ByDefault
            },
            sequence: String::new(),
            options: SequenceOptions::defaults(SequenceType::BigInt, 1),
        }),
        "a" | "d" => {
            let kind = if c.identity == "a" {
                IdentityKind::Always
            } else {
                IdentityKind::ByDefault
            };
            let inconsistent = || IntrospectError::Inconsistent {
                detail: format!(
                    "identity column {}.{}.{} has no identity sequence",
                    table.schema, table.name, c.name
                ),
            };
            let data_type = c
                .seq_type
                .as_deref()
                .and_then(sequence_type)
                .ok_or_else(inconsistent)?;
            let options = match (
                c.seq_start,
                c.seq_increment,
                c.seq_min,
                c.seq_max,
                c.seq_cache,
                c.seq_cycle,
            ) {
                (Some(start), Some(increment), Some(min), Some(max), Some(cache), Some(cycle)) => {
                    SequenceOptions {
                        data_type,
                        start,
                        increment,
                        min,
                        max,
                        cache,
                        cycle,
                    }
                }
                _ => return Err(inconsistent()),
            };
            Some(Identity {
                kind,
                sequence: c.identity_sequence.clone().ok_or_else(inconsistent)?,
                options,
            })
        }
        _ => None,
    };
    let (default, generated) = match c.generated.as_str() {
        "s" | "v" => (None, c.default_expr.clone()),
        "" => (c.default_expr.as_deref().map(default_value), None),
        other => {
            return Ok(Err(left_out(format!(
                "is a generated column of a kind tidemark does not know (`{other}`)"
            ))));
        }
    };
    let generated_virtual = c.generated == "v";
    Ok(Ok(Column {
        name: c.name,
        ty,
        nullable: !c.not_null,
        default,
        identity,
        generated,
        generated_virtual,
        comment: c.comment,
        renamed_from: None,
        // -1 meant the default until PostgreSQL 17, NULL does since.
        statistics: c.stattarget.filter(|n| *n >= 0),
        collation: c.collation,
        storage: c.storage.as_deref().and_then(ColumnStorage::from_code),
        compression: c.compression,
    }))
}

/// The model type of a (non-array) catalog type and its `atttypmod`; `Err` says why it has none.
/// `text` is `format_type` of the type with its modifier, which gives the modifier's text for a
/// type the model has no variant of.
pub fn column_type(
    schema: &str,
    name: &str,
    kind: &str,
    typmod: i32,
    text: Option<&str>,
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
            // Domains and composite types; whether the model holds this one is checked once
            // the types are read.
            ("d" | "c", _) if typmod == -1 => Ok(T::Custom(QualifiedName::new(schema, name))),
            ("b" | "r" | "m", _) => other(schema, name, typmod, text),
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
        _ if matches!(kind, "b" | "r" | "m") => other(schema, name, typmod, text),
        _ => Err(format!("has type {name}")),
    }
}

/// A type the model has no variant of ([`ColumnType::Other`]), with its modifier's text.
fn other(schema: &str, name: &str, typmod: i32, text: Option<&str>) -> Result<ColumnType, String> {
    let modifiers = match (typmod, text.and_then(modifier_text)) {
        (-1, _) => None,
        (_, Some(m)) => Some(m.to_string()),
        (_, None) => {
            return Err(format!(
                "has type {schema}.{name} with modifier {typmod}, which could not be read"
            ));
        }
    };
    Ok(ColumnType::Other(crate::model::OtherType {
        schema: Some(schema.to_string()),
        name: name.to_string(),
        modifiers,
    }))
}

/// `Point,4326` of `public.geometry(Point,4326)[]`: inside the parentheses that follow the
/// (possibly quoted) type name.
fn modifier_text(text: &str) -> Option<&str> {
    let mut t = text.trim();
    while let Some(r) = t.strip_suffix("[]") {
        t = r;
    }
    let t = t.strip_suffix(')')?;
    let mut quoted = false;
    for (i, ch) in t.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '(' if !quoted => return Some(&t[i + 1..]),
            _ => {}
        }
    }
    None
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
                without_overlaps: c.period,
                deferrable,
                include: c.include,
                comment: c.comment,
                index_comment: c.index_comment,
            })
        }
        "u" => table.uniques.push(Unique {
            name: c.name,
            columns: c.columns,
            nulls_not_distinct: c.nulls_not_distinct,
            deferrable,
            without_overlaps: c.period,
            include: c.include,
            comment: c.comment,
            index_comment: c.index_comment,
        }),
        "c" => {
            let expr = check_expr(&c.definition).ok_or_else(|| IntrospectError::Inconsistent {
                detail: format!("{}: unexpected definition `{}`", object(), c.definition),
            })?;
            table.checks.push(Check {
                name: c.name,
                expr,
                not_valid: c.not_valid,
                no_inherit: c.no_inherit,
                comment: c.comment,
            });
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
                period: c.period,
                match_full: c.match_full,
                not_valid: c.not_valid,
                comment: c.comment,
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

/// An index, or (inner `Err`) why the model cannot hold it, which leaves its table out.
fn index(table: &QualifiedName, ix: IndexRow) -> Result<Result<Index, Unmanaged>, IntrospectError> {
    let object = format!("index {} on {}", ix.name, table);
    let Some(method) = IndexMethod::from_name(&ix.method) else {
        return Ok(Err(Unmanaged::index(
            table,
            &ix.name,
            format!(
                "uses access method {}, which the spec cannot declare yet (the table is left out)",
                ix.method
            ),
        )));
    };
    let n = ix.key_defs.len();
    if [
        ix.key_columns.len(),
        ix.opclasses.len(),
        ix.opclass_defaults.len(),
        ix.key_options.len(),
        ix.key_collations.len(),
        ix.key_params.len(),
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
        let opclass_params: IndexOptions = ix.key_params[k]
            .split('\u{1f}')
            .filter_map(|opt| {
                let (k, v) = opt.split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
        keys.push(IndexKey {
            target,
            // Vector indexes always name their class (HNSW has no default, IVFFlat's default
            // depends on the type), so the spec and the DDL never rely on a default; parameters
            // can only be given to a named class.
            opclass: (!ix.opclass_defaults[k] || method.is_vector() || !opclass_params.is_empty())
                .then(|| ix.opclasses[k].clone()),
            collation: ix.key_collations[k].clone(),
            opclass_params,
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
        .collect::<IndexOptions>();
    Ok(Ok(Index {
        name: ix.name,
        method,
        keys,
        include: ix.include,
        unique: ix.is_unique,
        nulls_not_distinct: ix.nulls_not_distinct,
        predicate: ix.predicate,
        options,
        comment: ix.comment,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType as T;

    #[test]
    fn typmods_decode_exactly() {
        let pg =
            |name: &str, typmod: i32| column_type("pg_catalog", name, "b", typmod, None).unwrap();
        assert_eq!(pg("varchar", -1), T::Varchar(None));
        assert_eq!(pg("varchar", 44), T::Varchar(Some(40)));
        assert_eq!(pg("bpchar", 5), T::Char(Some(1)));
        assert_eq!(
            pg("numeric", (12 << 16 | 2) + 4),
            T::Numeric {
                precision: Some(12),
                scale: Some(2)
            }
        );
        assert_eq!(
            pg("numeric", (12 << 16) + 4),
            T::Numeric {
                precision: Some(12),
                scale: None
            }
        );
        assert_eq!(
            pg("timestamptz", 3),
            T::Timestamp {
                precision: Some(3),
                with_time_zone: true
            }
        );
        assert_eq!(
            pg("time", 0),
            T::Time {
                precision: Some(0),
                with_time_zone: false
            }
        );
        assert_eq!(pg("bit", 768), T::Bit(Some(768)));
        assert_eq!(pg("varbit", -1), T::VarBit(None));
        let ext =
            |name: &str, typmod: i32| column_type("extensions", name, "b", typmod, None).unwrap();
        assert_eq!(ext("vector", 1536), T::Vector(Some(1536)));
        assert_eq!(ext("vector", -1), T::Vector(None));
        assert_eq!(ext("halfvec", 4000), T::HalfVec(Some(4000)));
        assert_eq!(ext("sparsevec", -1), T::SparseVec(None));
        assert_eq!(
            column_type("Audit Trail", "mood", "e", -1, None).unwrap(),
            T::Enum(QualifiedName::new("Audit Trail", "mood"))
        );
    }

    #[test]
    fn types_the_model_cannot_hold_are_refused() {
        // PostgreSQL 15+ allows a negative numeric scale: numeric(5,-2).
        let negative = ((5 << 16) | (-2i32 & 0x7ff)) + 4;
        assert!(column_type("pg_catalog", "numeric", "b", negative, None).is_err());
        assert_eq!(
            column_type("pg_catalog", "point", "b", -1, None),
            Ok(ColumnType::Other(crate::model::OtherType {
                schema: Some("pg_catalog".into()),
                name: "point".into(),
                modifiers: None,
            }))
        );
        assert_eq!(
            column_type(
                "public",
                "geometry",
                "b",
                1107460,
                Some("geometry(Point,4326)[]")
            ),
            Ok(ColumnType::Other(crate::model::OtherType {
                schema: Some("public".into()),
                name: "geometry".into(),
                modifiers: Some("Point,4326".into()),
            }))
        );
        assert!(column_type("public", "geometry", "b", 1107460, None).is_err());
        assert!(column_type("pg_catalog", "anyelement", "p", -1, None).is_err());
        assert!(column_type("pg_catalog", "interval", "b", 3, None).is_err());
        // A domain with a modifier on top (`email(3)` cannot be written) has no place either.
        assert!(column_type("public", "email", "d", 3, None).is_err());
    }

    #[test]
    fn domains_and_composite_types_are_custom_types() {
        assert_eq!(
            column_type("public", "email", "d", -1, None),
            Ok(ColumnType::Custom(QualifiedName::public("email")))
        );
        assert_eq!(
            column_type("billing", "money_amount", "c", -1, None),
            Ok(ColumnType::Custom(QualifiedName::new(
                "billing",
                "money_amount"
            )))
        );
        // A table's row type reads as a custom type too; the converter leaves the column's
        // table out when the model has no such type (tests/unmanaged_objects.rs).
        let types = vec![];
        assert_eq!(
            unknown_custom(&ColumnType::Custom(QualifiedName::public("t")), &types),
            Some(QualifiedName::public("t"))
        );
    }

    #[test]
    fn defaults_map_to_literals_or_expressions() {
        use DefaultValue as D;
        let cases = [
            ("true", D::Bool(true)),
            ("false", D::Bool(false)),
            ("0", D::Number("0".into())),
            ("3.14", D::Number("3.14".into())),
            ("(-1)", D::Number("-1".into())),
            ("'-1'::integer", D::Number("-1".into())),
            ("'-1.5'::numeric", D::Number("-1.5".into())),
            ("'10000000000'::numeric", D::Number("10000000000".into())),
            ("'42'::text", D::Text("42".into())),
            ("'draft'::doc_status", D::Text("draft".into())),
            (
                "'it''s'::\"Weird \"\"S\"\"\".\"Mood\"",
                D::Text("it's".into()),
            ),
            ("'x'::character varying", D::Text("x".into())),
            ("'{}'::integer[]", D::Text("{}".into())),
            ("'a\\b'::text", D::Text("a\\b".into())),
            (
                "'a'::text || 'b'::text",
                D::Expr("'a'::text || 'b'::text".into()),
            ),
            (
                "'2024-01-01'::date + 1",
                D::Expr("'2024-01-01'::date + 1".into()),
            ),
            ("'x'::text::varchar", D::Expr("'x'::text::varchar".into())),
            ("now()", D::Expr("now()".into())),
            ("2 + 3", D::Expr("2 + 3".into())),
            (
                "nextval('t_id_seq'::regclass)",
                D::Expr("nextval('t_id_seq'::regclass)".into()),
            ),
            ("'unterminated", D::Expr("'unterminated".into())),
        ];
        for (expr, expected) in cases {
            assert_eq!(default_value(expr), expected, "{expr}");
        }
    }

    #[test]
    fn check_and_parenthesis_stripping_keep_postgres_text() {
        assert_eq!(check_expr("CHECK (a > 0)").as_deref(), Some("a > 0"));
        assert_eq!(
            check_expr("CHECK ((a > 0) OR (b < 1)) NOT VALID").as_deref(),
            Some("(a > 0) OR (b < 1)")
        );
        assert_eq!(check_expr("UNIQUE (a)"), None);
        assert_eq!(strip_outer_parens("(e::halfvec(3))"), "e::halfvec(3)");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("lower(x)"), "lower(x)");
        assert_eq!(strip_outer_parens("(\")\" || ')')"), "\")\" || ')'");
        assert_eq!(strip_outer_parens("((a) + (b))"), "(a) + (b)");
    }

    #[test]
    fn triggers_read_their_condition_and_arguments_from_the_definition() {
        let row = TriggerRow {
            schema: "public".into(),
            table_name: "t".into(),
            name: "tg".into(),
            tgtype: 1 | 2 | 4 | 16,
            update_of: vec!["a".into()],
            function_schema: "public".into(),
            function_name: "f".into(),
            definition: "CREATE TRIGGER tg BEFORE INSERT OR UPDATE OF a ON public.t FOR EACH ROW WHEN ((new.a > 0) AND (old.a IS DISTINCT FROM new.a)) EXECUTE FUNCTION f('it''s', '2', ')')".into(),
            enabled: "O".into(),
            is_constraint: false,
            deferrable: false,
            initially_deferred: false,
            comment: None,
            unsupported: vec![],
        };
        let t = trigger(QualifiedName::public("t"), row);
        assert_eq!(t.timing, TriggerTiming::Before);
        assert_eq!(t.events, vec![TriggerEvent::Insert, TriggerEvent::Update]);
        assert!(t.for_each_row);
        assert_eq!(
            t.when.as_deref(),
            Some("(new.a > 0) AND (old.a IS DISTINCT FROM new.a)")
        );
        assert_eq!(t.args, vec!["it's".to_string(), "2".into(), ")".into()]);
    }

    fn table(oid: i64, name: &str) -> TableRow {
        TableRow {
            oid,
            schema: "public".into(),
            name: name.into(),
            comment: None,
            row_security: false,
            row_security_forced: false,
            partition_key: None,
            parent_schema: None,
            parent_name: None,
            partition_bound: None,
            unlogged: false,
            reloptions: None,
            toast_options: None,
            replica_identity: "d".into(),
            replica_index: None,
        }
    }

    #[test]
    fn partition_keys_and_bounds_read_back() {
        let key = partition_key("RANGE (a, ((b + 1)), \"Weird Col\")").unwrap();
        assert_eq!(key.strategy, PartitionStrategy::Range);
        assert_eq!(
            key.keys,
            vec![
                IndexTarget::Column("a".into()),
                IndexTarget::Expr("(b + 1)".into()),
                IndexTarget::Column("Weird Col".into()),
            ]
        );
        assert!(partition_key("RANGE (a text_pattern_ops)").is_err());
        assert!(partition_key("RANGE (a COLLATE \"C\")").is_err());
        assert_eq!(
            partition_key("RANGE (date_trunc('day'::text, at))")
                .unwrap()
                .keys,
            vec![IndexTarget::Expr("date_trunc('day'::text, at)".into())]
        );
        assert_eq!(
            partition_bound(
                "FOR VALUES FROM (MINVALUE, 'it''s') TO ('2026-01-01 00:00:00+00', 10)"
            ),
            Ok(PartitionBound::Range {
                from: vec!["MINVALUE".into(), "'it''s'".into()],
                to: vec!["'2026-01-01 00:00:00+00'".into(), "10".into()],
            })
        );
        assert_eq!(
            partition_bound("FOR VALUES IN ('a, b', NULL, -1.5)"),
            Ok(PartitionBound::List(vec![
                "'a, b'".into(),
                "NULL".into(),
                "-1.5".into()
            ]))
        );
        assert_eq!(
            partition_bound("FOR VALUES WITH (modulus 4, remainder 3)"),
            Ok(PartitionBound::Hash {
                modulus: 4,
                remainder: 3
            })
        );
        assert_eq!(partition_bound("DEFAULT"), Ok(PartitionBound::Default));
        assert!(partition_bound("FOR VALUES IN ('a'::text)").is_err());
    }

    fn index_row(name: &str, method: &str) -> IndexRow {
        IndexRow {
            table_oid: 1,
            name: name.into(),
            method: method.into(),
            is_unique: false,
            nulls_not_distinct: false,
            key_columns: vec!["e".into()],
            key_defs: vec!["e".into()],
            opclasses: vec!["vector_l2_ops".into()],
            opclass_defaults: vec![false],
            key_options: vec![0],
            key_collations: vec![None],
            key_params: vec![String::new()],
            exclusion: None,
            exclusion_operators: vec![],
            exclusion_deferrable: false,
            exclusion_deferred: false,
            exclusion_comment: None,
            include: vec![],
            predicate: None,
            reloptions: None,
            comment: None,
            unsupported: vec![],
        }
    }

    #[test]
    fn index_rows_become_canonical_index_keys() {
        let mut hnsw = index_row("b_hnsw", "hnsw");
        hnsw.reloptions = Some(vec![
            "ef_construction=64".into(),
            "m=24".into(),
            "odd=a=b".into(),
        ]);
        let mut ivf = index_row("a_ivf", "ivfflat");
        ivf.opclass_defaults = vec![true];
        ivf.reloptions = Some(vec!["lists=100".into()]);
        let mut btree = index_row("c_btree", "btree");
        btree.key_columns = vec!["".into(), "a".into(), "b".into(), "c".into()];
        btree.key_defs = vec!["(a + 1)".into(), "a".into(), "b".into(), "c".into()];
        btree.opclasses = vec!["int4_ops".into(); 4];
        btree.opclass_defaults = vec![true; 4];
        btree.key_options = vec![0, 1, 2, 3];
        btree.key_collations = vec![None; 4];
        btree.key_params = vec![String::new(); 4];
        let rows = CatalogRows {
            tables: vec![table(1, "t")],
            indexes: vec![hnsw, ivf, btree],
            ..Default::default()
        };
        let schema = to_schema(rows).unwrap().schema;
        let ix = &schema.tables[0].indexes;
        assert_eq!(
            ix.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
            ["a_ivf", "b_hnsw", "c_btree"]
        );
        assert_eq!(
            ix[0].keys[0].opclass.as_deref(),
            Some("vector_l2_ops"),
            "a vector index keeps its class even when it is the default"
        );
        // Options are kept in catalog order, defaults included (they compare as absent).
        assert_eq!(ix[0].options, IndexOptions::default());
        assert_eq!(ix[0].options.0, [("lists".to_string(), "100".to_string())]);
        assert_eq!(ix[1].keys[0].opclass.as_deref(), Some("vector_l2_ops"));
        assert_eq!(
            ix[1].options.iter().collect::<Vec<_>>(),
            [
                (&"ef_construction".to_string(), &"64".to_string()),
                (&"m".to_string(), &"24".to_string()),
                (&"odd".to_string(), &"a=b".to_string())
            ]
        );
        let keys = &ix[2].keys;
        assert_eq!(keys[0].target, IndexTarget::Expr("a + 1".into()));
        let order: Vec<_> = keys.iter().map(|k| (k.order, k.nulls)).collect();
        assert_eq!(
            order,
            [
                (SortOrder::Asc, None),
                (SortOrder::Desc, Some(NullsOrder::Last)),
                (SortOrder::Asc, Some(NullsOrder::First)),
                (SortOrder::Desc, None),
            ]
        );
    }

    #[test]
    fn extensions_keep_only_what_differs_from_the_default() {
        let row = |schema: &str, version: &str| ExtensionRow {
            name: "vector".into(),
            schema: schema.into(),
            version: version.into(),
            default_version: Some("0.8.0".into()),
        };
        let schema = to_schema(CatalogRows {
            extensions: vec![row("public", "0.8.0"), row("ext", "0.7.4")],
            namespaces: vec![
                NamespaceRow {
                    name: "public".into(),
                    comment: Some("standard public schema".into()),
                },
                NamespaceRow {
                    name: "ext".into(),
                    comment: None,
                },
            ],
            ..Default::default()
        })
        .unwrap()
        .schema;
        assert_eq!(schema.extensions[0].schema, None);
        assert_eq!(schema.extensions[0].version, None);
        assert_eq!(schema.extensions[1].schema.as_deref(), Some("ext"));
        assert_eq!(schema.extensions[1].version.as_deref(), Some("0.7.4"));
        assert_eq!(
            schema.namespaces.len(),
            1,
            "public is not a namespace of the model"
        );
    }

    fn column_row(name: &str) -> ColumnRow {
        ColumnRow {
            table_oid: 1,
            name: name.into(),
            type_name: "_int4".into(),
            type_schema: "pg_catalog".into(),
            type_kind: "b".into(),
            elem_name: Some("int4".into()),
            elem_schema: Some("pg_catalog".into()),
            elem_kind: Some("b".into()),
            typmod: -1,
            stattarget: None,
            collation: None,
            storage: None,
            compression: None,
            type_text: "integer[]".into(),
            ndims: 0,
            not_null: true,
            default_expr: Some("'{}'::integer[]".into()),
            identity: String::new(),
            generated: String::new(),
            comment: None,
            identity_sequence: None,
            seq_type: None,
            seq_start: None,
            seq_increment: None,
            seq_min: None,
            seq_max: None,
            seq_cache: None,
            seq_cycle: None,
            unsupported: vec![],
        }
    }

    #[test]
    fn columns_arrays_and_errors() {
        let mut matrix = column_row("m");
        matrix.ndims = 2;
        let mut generated = column_row("g");
        generated.generated = "s".into();
        generated.default_expr = Some("ARRAY[1]".into());
        let schema = to_schema(CatalogRows {
            tables: vec![table(1, "t")],
            columns: vec![column_row("a"), matrix, generated],
            ..Default::default()
        })
        .unwrap()
        .schema;
        let cols = &schema.tables[0].columns;
        assert_eq!(
            cols[0].ty,
            T::Array(Box::new(T::Integer)),
            "attndims 0 is one level"
        );
        assert_eq!(cols[0].default, Some(DefaultValue::Text("{}".into())));
        assert!(!cols[0].nullable);
        assert_eq!(
            cols[1].ty,
            T::Array(Box::new(T::Array(Box::new(T::Integer))))
        );
        assert_eq!(cols[2].generated.as_deref(), Some("ARRAY[1]"));
        assert_eq!(cols[2].default, None);

        // A pseudo-type (a column of one exists only in a catalog made by hand) has no model.
        let mut pseudo = column_row("p");
        pseudo.elem_name = None;
        pseudo.type_name = "anyelement".into();
        pseudo.type_kind = "p".into();
        let unsupported = to_schema(CatalogRows {
            tables: vec![table(1, "t")],
            columns: vec![pseudo],
            ..Default::default()
        })
        .unwrap();
        assert!(
            unsupported.schema.tables.is_empty(),
            "the table is left out"
        );
        insta::assert_snapshot!(
            "unsupported_column_type",
            unsupported.unmanaged[0].to_string()
        );

        let orphan = to_schema(CatalogRows {
            tables: vec![table(1, "t")],
            columns: vec![ColumnRow {
                table_oid: 2,
                ..column_row("x")
            }],
            ..Default::default()
        })
        .unwrap_err();
        insta::assert_snapshot!("row_of_an_unread_table", orphan.to_string());
    }

    #[test]
    fn lost_attributes_are_reported_under_their_object() {
        let mut collated = column_row("title");
        collated.unsupported = vec!["has collation \"C\"".into()];
        let mut clustered = index_row("t_e_idx", "hnsw");
        clustered.unsupported = vec![
            "is the table's CLUSTER index".into(),
            "is in another tablespace".into(),
        ];
        let converted = to_schema(CatalogRows {
            tables: vec![table(1, "t")],
            columns: vec![collated, column_row("e")],
            indexes: vec![clustered],
            ..Default::default()
        })
        .unwrap();
        let lines: Vec<String> = converted.unmanaged.iter().map(|u| u.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("t.title") && l.contains("collation"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("t_e_idx") && l.contains("CLUSTER"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("t_e_idx") && l.contains("tablespace"))
        );
        // The objects themselves are still read: only the attribute is the model's blind spot.
        assert_eq!(converted.schema.tables[0].columns.len(), 2);
        assert_eq!(converted.schema.tables[0].indexes.len(), 1);
    }

    #[test]
    fn constraint_rows_become_keys_checks_and_foreign_keys() {
        let row = |name: &str, kind: &str| ConstraintRow {
            table_oid: 1,
            name: name.into(),
            kind: kind.into(),
            columns: vec!["a".into(), "b".into()],
            ref_schema: None,
            ref_name: None,
            ref_columns: vec![],
            on_delete: " ".into(),
            on_update: " ".into(),
            deferrable: false,
            deferred: false,
            nulls_not_distinct: false,
            definition: String::new(),
            not_valid: false,
            no_inherit: false,
            period: false,
            match_full: false,
            include: vec![],
            comment: None,
            index_comment: None,
            unsupported: vec![],
        };
        let mut fk = row("t_fk", "f");
        fk.ref_schema = Some("s".into());
        fk.ref_name = Some("r".into());
        fk.ref_columns = vec!["x".into(), "y".into()];
        fk.on_delete = "n".into();
        fk.on_update = "d".into();
        fk.deferrable = true;
        let mut check = row("t_check", "c");
        check.definition = "CHECK (a > b) NO INHERIT".into();
        let mut unique = row("t_key", "u");
        unique.nulls_not_distinct = true;
        unique.deferrable = true;
        unique.deferred = true;
        let schema = to_schema(CatalogRows {
            tables: vec![table(1, "t")],
            constraints: vec![row("t_pkey", "p"), fk, check, unique, row("t_excl", "x")],
            ..Default::default()
        })
        .unwrap()
        .schema;
        let t = &schema.tables[0];
        assert_eq!(t.primary_key.as_ref().unwrap().columns, ["a", "b"]);
        assert_eq!(t.checks[0].expr, "a > b");
        assert_eq!(
            t.foreign_keys[0],
            ForeignKey {
                name: "t_fk".into(),
                columns: vec!["a".into(), "b".into()],
                ref_table: QualifiedName::new("s", "r"),
                ref_columns: vec!["x".into(), "y".into()],
                on_delete: FkAction::SetNull,
                on_update: FkAction::SetDefault,
                deferrable: Deferrable::InitiallyImmediate,
                ..Default::default()
            }
        );
        assert!(t.uniques[0].nulls_not_distinct);
        assert_eq!(t.uniques[0].deferrable, Deferrable::InitiallyDeferred);
    }
}

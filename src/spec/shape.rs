//! Step 2 of `spec`: the node tree of one file → raw declarations (`Raw*`), checking shapes and
//! key names. Nothing is resolved across files here; every problem becomes a diagnostic and
//! the walk continues with what it could read, so one run reports every shape error.

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::model::{Deferrable, FkAction, IdentityKind, IndexMethod, NullsOrder, SortOrder};

use super::ast::{Kind, Node, Pos};

/// Keys accepted at the top of a file (also checked against the published JSON Schema).
pub const FILE_KEYS: &[&str] = &[
    "schema",
    "comment",
    "extensions",
    "enums",
    "sequences",
    "tables",
    "views",
    "materialized_views",
    "functions",
    "procedures",
    "domains",
    "composite_types",
    "range_types",
    "grants",
    "ignore",
];
/// Keys of a domain.
pub const DOMAIN_KEYS: &[&str] = &[
    "type",
    "not_null",
    "default_sql",
    "check",
    "checks",
    "comment",
];
/// Keys of a composite type.
pub const COMPOSITE_TYPE_KEYS: &[&str] = &["fields", "comment"];
/// Keys of a range type.
pub const RANGE_TYPE_KEYS: &[&str] = &[
    "subtype",
    "subtype_opclass",
    "collation",
    "subtype_diff",
    "multirange",
    "comment",
];
/// Keys of a function.
pub const FUNCTION_KEYS: &[&str] = &[
    "args",
    "returns",
    "language",
    "body",
    "volatility",
    "strict",
    "security_definer",
    "parallel",
    "set",
    "grants",
    "comment",
];
/// Keys of a procedure.
pub const PROCEDURE_KEYS: &[&str] = &[
    "args",
    "language",
    "body",
    "security_definer",
    "set",
    "grants",
    "comment",
];
/// Keys of a trigger.
pub const TRIGGER_KEYS: &[&str] = &[
    "before",
    "after",
    "instead_of",
    "update_of",
    "for_each",
    "when",
    "execute",
    "args",
    "enabled",
    "constraint",
    "deferrable",
    "comment",
];
/// Keys of a view.
pub const VIEW_KEYS: &[&str] = &[
    "sql",
    "security_invoker",
    "security_barrier",
    "check_option",
    "comment",
    "key",
    "columns",
    "triggers",
    "grants",
];
/// Keys of a materialized view.
pub const MATERIALIZED_VIEW_KEYS: &[&str] = &[
    "sql",
    "with_data",
    "with",
    "comment",
    "key",
    "columns",
    "indexes",
    "grants",
];
/// Keys of a view column's mapping form.
pub const VIEW_COLUMN_KEYS: &[&str] = &["type", "comment"];
/// Keys of a sequence.
pub const SEQUENCE_KEYS: &[&str] = &[
    "as",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
    "owned_by",
    "comment",
    "grants",
];
/// Keys of an identity column's mapping form (`identity: { generated: always, … }`).
pub const IDENTITY_KEYS: &[&str] = &[
    "generated",
    "sequence",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
];
/// Keys of an extension's mapping form.
pub const EXTENSION_KEYS: &[&str] = &["schema", "version"];
/// Keys of an enum's mapping form.
pub const ENUM_KEYS: &[&str] = &["values", "comment"];
/// Keys of a table.
pub const TABLE_KEYS: &[&str] = &[
    "comment",
    "columns",
    "primary_key",
    "unique",
    "checks",
    "foreign_keys",
    "exclusions",
    "indexes",
    "triggers",
    "row_level_security",
    "policies",
    "grants",
    "renamed_from",
    "partition_by",
    "partitions",
    "unlogged",
    "with",
    "replica_identity",
];
/// Keys of an exclusion constraint.
pub const EXCLUSION_KEYS: &[&str] = &[
    "using",
    "elements",
    "include",
    "where",
    "with",
    "deferrable",
    "comment",
    "index_comment",
];
/// Keys of an exclusion constraint's element: an index key's, and its operator.
pub const EXCLUSION_ELEMENT_KEYS: &[&str] = &[
    "column",
    "expr",
    "ops",
    "ops_params",
    "order",
    "nulls",
    "collation",
    "with",
];
/// Keys of a partition (`partitions:` of a partitioned table).
pub const PARTITION_KEYS: &[&str] = &[
    "from",
    "to",
    "in",
    "default",
    "modulus",
    "remainder",
    "comment",
    "checks",
    "indexes",
    "partition_by",
    "partitions",
];
/// Keys of `partition_by:` (exactly one).
pub const PARTITION_BY_KEYS: &[&str] = &["range", "list", "hash"];
/// Keys of a row-level security policy.
pub const POLICY_KEYS: &[&str] = &["for", "as", "to", "using", "with_check", "comment"];
/// Keys of a column's mapping form.
pub const COLUMN_KEYS: &[&str] = &[
    "type",
    "nullable",
    "default",
    "default_sql",
    "identity",
    "generated",
    "primary_key",
    "unique",
    "references",
    "on_delete",
    "on_update",
    "deferrable",
    "check",
    "comment",
    "renamed_from",
    "statistics",
    "collation",
    "storage",
    "compression",
    "virtual",
];
/// Keys of an index.
pub const INDEX_KEYS: &[&str] = &[
    "on",
    "using",
    "ops",
    "with",
    "where",
    "include",
    "unique",
    "nulls_not_distinct",
    "comment",
];
/// Keys of an index key's mapping form.
pub const INDEX_KEY_KEYS: &[&str] = &[
    "column",
    "expr",
    "ops",
    "ops_params",
    "order",
    "nulls",
    "collation",
];
/// Keys of a table-level primary key's mapping form.
pub const PRIMARY_KEY_KEYS: &[&str] = &[
    "name",
    "columns",
    "include",
    "deferrable",
    "without_overlaps",
    "comment",
    "index_comment",
];
/// Keys of a unique constraint's mapping form.
pub const UNIQUE_KEYS: &[&str] = &[
    "columns",
    "include",
    "nulls_not_distinct",
    "deferrable",
    "without_overlaps",
    "comment",
    "index_comment",
];
/// Keys of a check's mapping form.
pub const CHECK_KEYS: &[&str] = &["expr", "not_valid", "no_inherit", "comment"];
/// Keys of a table-level foreign key.
pub const FOREIGN_KEY_KEYS: &[&str] = &[
    "columns",
    "references",
    "on_delete",
    "on_update",
    "deferrable",
    "period",
    "match",
    "not_valid",
    "comment",
];

/// A column type as written, split from its trailing `?` (the column can be NULL).
fn split_nullable(s: &str) -> (String, bool) {
    let t = s.trim_end();
    match t.strip_suffix('?') {
        Some(base) => (base.trim_end().to_string(), true),
        None => (t.to_string(), false),
    }
}

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub v: T,
    pub at: Span,
}

/// One file's declarations before cross-file resolution (the unit `lower` consumes).
#[derive(Debug, Clone)]
pub struct RawFile {
    pub file: String,
    /// The file's `schema:` (default `public`), and where it was written.
    pub schema: Sp<String>,
    pub schema_declared: bool,
    /// `comment:` of the file's schema (only meaningful with `schema:`).
    pub comment: Option<Sp<String>>,
    /// `grants:` of the file's schema (only meaningful with `schema:`), and where it was written.
    pub grants: Option<Sp<RawGrants>>,
    pub extensions: Vec<RawExtension>,
    pub enums: Vec<RawEnum>,
    pub sequences: Vec<RawSequence>,
    pub tables: Vec<RawTable>,
    /// `views:` and `materialized_views:`.
    pub views: Vec<RawView>,
    /// `functions:` and `procedures:`.
    pub functions: Vec<RawFunction>,
    /// `domains:` and `composite_types:`.
    pub types: Vec<RawType>,
    /// `ignore:` globs, as written.
    pub ignore: Vec<Sp<String>>,
}

/// A `views:` or `materialized_views:` entry.
#[derive(Debug, Clone)]
pub struct RawView {
    pub name: Sp<String>,
    pub materialized: bool,
    /// `sql:`, the query; where it was written points errors into it.
    pub sql: Option<Sp<String>>,
    /// Where each line of `sql` starts in the file (empty when that is not known, as for a
    /// folded block).
    pub sql_lines: Vec<(u32, u32)>,
    pub security_invoker: bool,
    pub security_barrier: bool,
    pub check_option: Option<crate::model::CheckOption>,
    pub with_data: bool,
    /// Storage parameters: name and value as PostgreSQL prints it.
    pub with: Vec<(Sp<String>, Sp<String>)>,
    /// Column comments: column name → comment.
    pub columns: Vec<(Sp<String>, String)>,
    /// `key:`, the columns that identify a row for the view's entity.
    pub key: Option<Sp<Vec<Sp<String>>>>,
    /// Columns written with a `type:` (for the entity): name, type without its `?`, and
    /// whether the `?` said it can be NULL.
    pub typed: Vec<(Sp<String>, Sp<String>, bool)>,
    pub indexes: Vec<RawIndex>,
    pub triggers: Vec<RawTrigger>,
    pub grants: Option<RawGrants>,
    pub comment: Option<String>,
}

/// A `domains:` or `composite_types:` entry.
#[derive(Debug, Clone)]
pub struct RawType {
    pub name: Sp<String>,
    pub composite: bool,
    /// A `range_types:` entry (its subtype is `base`).
    pub range: bool,
    pub subtype_opclass: Option<String>,
    pub collation: Option<String>,
    pub subtype_diff: Option<String>,
    pub multirange: Option<String>,
    /// A domain's base type.
    pub base: Option<Sp<String>>,
    pub not_null: bool,
    pub default: Option<String>,
    /// `check:` (named `<domain>_check`, as PostgreSQL names it).
    pub check: Option<String>,
    /// `checks:`, by name.
    pub checks: Vec<(String, String)>,
    /// A composite type's fields, in order.
    pub fields: Vec<(Sp<String>, Sp<String>)>,
    pub comment: Option<String>,
}

impl RawType {
    /// A domain (or composite type) with a name and nothing else yet.
    fn named(name: Sp<String>, composite: bool) -> RawType {
        RawType {
            name,
            composite,
            range: false,
            subtype_opclass: None,
            collation: None,
            subtype_diff: None,
            multirange: None,
            base: None,
            not_null: false,
            default: None,
            check: None,
            checks: Vec::new(),
            fields: Vec::new(),
            comment: None,
        }
    }
}

/// A `functions:` or `procedures:` entry.
#[derive(Debug, Clone)]
pub struct RawFunction {
    /// The map key: the name, or `name(…)` to tell overloads apart.
    pub key: Sp<String>,
    pub procedure: bool,
    pub args: Option<Sp<String>>,
    pub returns: Option<Sp<String>>,
    pub language: Option<Sp<String>>,
    pub body: Option<Sp<String>>,
    pub body_lines: Vec<(u32, u32)>,
    pub volatility: crate::model::Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: crate::model::Parallel,
    pub config: Vec<(String, String)>,
    pub grants: Option<RawGrants>,
    pub comment: Option<String>,
}

/// A `policies:` entry of a table.
#[derive(Debug, Clone)]
pub struct RawPolicy {
    pub name: Sp<String>,
    pub command: crate::model::PolicyCommand,
    pub permissive: bool,
    pub roles: Vec<Sp<String>>,
    pub using: Option<Sp<String>>,
    pub with_check: Option<Sp<String>>,
    pub comment: Option<String>,
}

/// A `triggers:` entry of a table or view.
#[derive(Debug, Clone)]
pub struct RawTrigger {
    pub name: Sp<String>,
    /// The timing, the events as written, and where.
    pub timing: Option<(
        crate::model::TriggerTiming,
        Vec<crate::model::TriggerEvent>,
        Span,
    )>,
    pub update_of: Vec<Sp<String>>,
    /// An event was not one (reported already).
    pub bad_event: bool,
    pub for_each_row: bool,
    pub when: Option<String>,
    pub execute: Option<Sp<String>>,
    pub args: Vec<String>,
    /// `enabled:` (`true`, `false`, `replica`, `always`) and where it was written.
    pub enabled: Option<(crate::model::TriggerEnabled, Span)>,
    /// `constraint: true`, where it was written.
    pub constraint: Option<Span>,
    /// `deferrable:` of a constraint trigger, and where it was written.
    pub deferrable: Option<(Deferrable, Span)>,
    pub comment: Option<String>,
}

/// Sequence options as written; what is left out takes PostgreSQL's default.
#[derive(Debug, Clone, Default)]
pub struct RawSequenceOptions {
    /// `as:` (smallint, integer, bigint).
    pub data_type: Option<Sp<String>>,
    pub start: Option<Sp<i64>>,
    pub increment: Option<Sp<i64>>,
    pub min: Option<Sp<i64>>,
    pub max: Option<Sp<i64>>,
    pub cache: Option<Sp<i64>>,
    pub cycle: Option<bool>,
}

/// A `sequences:` entry; the name may still be schema-qualified text.
#[derive(Debug, Clone)]
pub struct RawSequence {
    pub name: Sp<String>,
    pub options: RawSequenceOptions,
    /// `owned_by: table.column`.
    pub owned_by: Option<Sp<String>>,
    pub comment: Option<String>,
    /// `grants:`, when declared (an empty map manages "no grants").
    pub grants: Option<RawGrants>,
}

/// A `grants:` mapping: role → privileges, as written.
pub type RawGrants = Vec<(Sp<String>, Vec<Sp<String>>)>;

/// An identity column's rule and its sequence's options.
#[derive(Debug, Clone)]
pub struct RawIdentity {
    pub kind: IdentityKind,
    /// `sequence:` — the identity sequence's name (default `<table>_<column>_seq`).
    pub sequence: Option<Sp<String>>,
    pub options: RawSequenceOptions,
}

/// An `extensions:` entry, positions kept for duplicate reports.
#[derive(Debug, Clone)]
pub struct RawExtension {
    pub name: Sp<String>,
    pub schema: Option<String>,
    pub version: Option<String>,
}

/// An `enums:` entry; the name may still be schema-qualified text.
#[derive(Debug, Clone)]
pub struct RawEnum {
    /// Name as written, possibly `schema.name`.
    pub name: Sp<String>,
    pub values: Vec<Sp<String>>,
    pub comment: Option<String>,
}

/// A `tables:` entry with everything needed to resolve it against the other files.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub triggers: Vec<RawTrigger>,
    pub grants: Option<RawGrants>,
    /// `row_level_security:` — `Some(forced)` when enabled.
    pub row_security: Option<bool>,
    pub policies: Vec<RawPolicy>,
    pub name: Sp<String>,
    pub comment: Option<String>,
    pub columns: Vec<RawColumn>,
    pub primary_key: Option<RawPrimaryKey>,
    pub uniques: Vec<RawUnique>,
    pub checks: Vec<(Sp<String>, RawCheck)>,
    pub foreign_keys: Vec<RawForeignKey>,
    pub exclusions: Vec<RawExclusion>,
    pub indexes: Vec<RawIndex>,
    pub renamed_from: Option<String>,
    pub partition_by: Option<RawPartitionBy>,
    pub partitions: Vec<RawPartition>,
    /// `unlogged: true`, with where it is written.
    pub unlogged: Option<Span>,
    /// Storage parameters (`with:`), `toast.`-prefixed ones for the TOAST table.
    pub with: Vec<(Sp<String>, Sp<String>)>,
    /// `replica_identity:`, with where it is written.
    pub replica_identity: Option<Sp<crate::model::ReplicaIdentity>>,
}

/// An `exclusions:` entry: read as the index it is (its elements are the index's keys), plus
/// an operator per element.
#[derive(Debug, Clone)]
pub struct RawExclusion {
    pub index: RawIndex,
    pub operators: Vec<Sp<String>>,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

/// `partition_by: { range: [created_at] }`.
#[derive(Debug, Clone)]
pub struct RawPartitionBy {
    pub strategy: Sp<crate::model::PartitionStrategy>,
    pub keys: Vec<RawIndexKey>,
}

/// One entry of `partitions:`: its bound and what is its own.
#[derive(Debug, Clone)]
pub struct RawPartition {
    pub name: Sp<String>,
    pub bound: Option<Sp<crate::model::PartitionBound>>,
    pub comment: Option<String>,
    pub checks: Vec<(Sp<String>, RawCheck)>,
    pub indexes: Vec<RawIndex>,
    pub partition_by: Option<RawPartitionBy>,
    pub partitions: Vec<RawPartition>,
}

/// A column after shape checks; its type text is parsed later, once every enum is known.
#[derive(Debug, Clone)]
pub struct RawColumn {
    pub name: Sp<String>,
    /// Type text without a trailing `?`.
    pub ty: Sp<String>,
    pub nullable: bool,
    pub default: Option<Sp<crate::model::DefaultValue>>,
    pub identity: Option<Sp<RawIdentity>>,
    pub generated: Option<Sp<String>>,
    pub primary_key: Option<Span>,
    pub unique: bool,
    pub references: Option<Sp<String>>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: Deferrable,
    pub check: Option<String>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    /// `SET STATISTICS` target.
    pub statistics: Option<Sp<i32>>,
    /// `COLLATE` name, as in `pg_collation`.
    pub collation: Option<Sp<String>>,
    /// `SET STORAGE`.
    pub storage: Option<crate::model::ColumnStorage>,
    /// `SET COMPRESSION` method.
    pub compression: Option<String>,
    /// `virtual: true`: the generated column is `VIRTUAL`.
    pub generated_virtual: Option<Span>,
}

/// A table-level `primary_key`, kept apart from column flags so conflicts can be reported.
#[derive(Debug, Clone)]
pub struct RawPrimaryKey {
    pub name: Option<Sp<String>>,
    pub columns: Vec<Sp<String>>,
    pub at: Span,
    pub without_overlaps: Option<Span>,
    pub include: Vec<Sp<String>>,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
    pub index_comment: Option<String>,
}

/// A `checks:` entry: an expression, or a mapping with its attributes.
#[derive(Debug, Clone, Default)]
pub struct RawCheck {
    pub expr: String,
    pub not_valid: bool,
    pub no_inherit: bool,
    pub comment: Option<String>,
}

/// A table-level `unique:` entry.
#[derive(Debug, Clone)]
pub struct RawUnique {
    pub name: Sp<String>,
    pub columns: Vec<Sp<String>>,
    pub nulls_not_distinct: bool,
    pub deferrable: Deferrable,
    pub without_overlaps: Option<Span>,
    pub include: Vec<Sp<String>>,
    pub comment: Option<String>,
    pub index_comment: Option<String>,
}

/// A table-level `foreign_keys:` entry; its target is resolved after all tables are read.
#[derive(Debug, Clone)]
pub struct RawForeignKey {
    pub name: Sp<String>,
    pub columns: Vec<Sp<String>>,
    pub references: Sp<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: Deferrable,
    pub period: Option<Span>,
    pub match_full: bool,
    pub not_valid: bool,
    pub comment: Option<String>,
}

/// What an index key indexes: a column (checked to exist) or an expression (passed through).
#[derive(Debug, Clone)]
pub enum RawTarget {
    Column(String),
    Expr(String),
}

/// One key of an index, with the positions its checks point at.
#[derive(Debug, Clone)]
pub struct RawIndexKey {
    pub target: RawTarget,
    pub at: Span,
    pub ops: Option<Sp<String>>,
    pub order: Option<Sp<SortOrder>>,
    pub nulls: Option<Sp<NullsOrder>>,
    /// `COLLATE` of the key.
    pub collation: Option<Sp<String>>,
    /// The operator class's parameters (`siglen: 32`).
    pub ops_params: Vec<(Sp<String>, Sp<String>)>,
}

/// An `indexes:` entry, checked by `lower` and `pgvector` once column types are known.
#[derive(Debug, Clone)]
pub struct RawIndex {
    pub name: Sp<String>,
    pub keys: Vec<RawIndexKey>,
    pub on_at: Span,
    pub method: Sp<IndexMethod>,
    pub ops: Option<Sp<String>>,
    /// Storage parameters: name, value as PostgreSQL prints it, and whether it was an integer.
    pub with: Vec<(Sp<String>, Sp<String>, bool)>,
    pub predicate: Option<String>,
    pub include: Vec<Sp<String>>,
    pub unique: Option<Span>,
    pub nulls_not_distinct: Option<Span>,
    pub comment: Option<String>,
    /// What it is, for messages: `index`, or `exclusion constraint` for the index one is.
    pub noun: &'static str,
}

/// Reads one file's tree, pushing every shape problem to `diags`.
pub struct Reader<'a> {
    pub file: &'a str,
    /// The file's text, to find where the lines of a multi-line string start.
    pub source: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Whether the last [`Self::fields`] call found unknown keys: a misspelt required key is
    /// then reported once (as unknown, with did-you-mean), not also as missing.
    pub had_unknown: bool,
}

type Entries<'n> = Vec<(Sp<String>, &'n Node)>;

impl<'a> Reader<'a> {
    pub fn span(&self, pos: Pos) -> Span {
        Span {
            file: self.file.to_string(),
            line: pos.line,
            column: pos.column,
            len: pos.len,
        }
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_shape(&mut self, node: &Node, expected: &str, what: &str) {
        let d = Diagnostic::error(format!(
            "expected {expected} for {what}, found {}",
            node.kind.describe()
        ))
        .at(self.span(node.pos))
        .label(format!("expected {expected}"));
        self.err(d);
    }

    /// A mapping's entries with scalar keys; `None` (and a diagnostic) if `node` is no mapping.
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<Entries<'n>> {
        let Kind::Map(entries) = &node.kind else {
            self.wrong_shape(node, "a mapping", what);
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            match k.scalar_text() {
                Some(text) => out.push((
                    Sp {
                        v: text,
                        at: self.span(k.pos),
                    },
                    v,
                )),
                None => {
                    let d = Diagnostic::error(format!("{what} has a key that is not a name"))
                        .at(self.span(k.pos))
                        .label("expected a plain name here");
                    self.err(d);
                }
            }
        }
        Some(out)
    }

    /// The entries of a section (`tables:`, `views:`, `grants:`, …): none when it is empty
    /// (written with nothing under it), none and a diagnostic when it is not a mapping.
    fn section<'n>(&mut self, node: &'n Node, what: &str) -> Entries<'n> {
        if node.kind == Kind::Null {
            return Vec::new();
        }
        self.map(node, what).unwrap_or_default()
    }

    /// Like [`Self::map`] but reports keys outside `allowed`, with a did-you-mean.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Entries<'n>> {
        let entries = self.map(node, what)?;
        let mut out = Vec::new();
        self.had_unknown = false;
        for (k, v) in entries {
            if allowed.contains(&k.v.as_str()) {
                out.push((k, v));
            } else {
                let d = Diagnostic::error(format!("unknown key `{}` in {what}", k.v))
                    .at(k.at.clone())
                    .label("unknown key")
                    .help(
                        did_you_mean(&k.v, allowed.iter().copied())
                            .unwrap_or_else(|| format!("expected one of: {}", allowed.join(", "))),
                    );
                self.err(d);
                self.had_unknown = true;
            }
        }
        Some(out)
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        match &node.kind {
            Kind::Str(s) => Some(Sp {
                v: s.clone(),
                at: self.span(node.pos),
            }),
            _ => {
                self.wrong_shape(node, "a string", what);
                None
            }
        }
    }

    /// A non-empty identifier-like string.
    fn name_string(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        let s = self.string(node, what)?;
        if s.v.trim().is_empty() {
            let d = Diagnostic::error(format!("{what} is empty"))
                .at(s.at.clone())
                .label("expected a name");
            self.err(d);
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.kind {
            Kind::Bool(b) => Some(*b),
            _ => {
                self.wrong_shape(node, "`true` or `false`", what);
                None
            }
        }
    }

    fn string_list(&mut self, node: &Node, what: &str) -> Option<Vec<Sp<String>>> {
        let Kind::Seq(items) = &node.kind else {
            self.wrong_shape(node, "a list of names", what);
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(s) = self.name_string(item, what) {
                out.push(s);
            }
        }
        Some(out)
    }

    fn choice<T: Copy>(&mut self, node: &Node, what: &str, choices: &[(&str, T)]) -> Option<T> {
        let text = match &node.kind {
            Kind::Str(s) => s.clone(),
            Kind::Bool(b) => b.to_string(),
            _ => {
                self.wrong_shape(node, "a string", what);
                return None;
            }
        };
        if let Some((_, v)) = choices.iter().find(|(n, _)| *n == text) {
            return Some(*v);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let d = Diagnostic::error(format!("invalid value `{text}` for {what}"))
            .at(self.span(node.pos))
            .label("not a valid choice")
            .help(match did_you_mean(&text, names.iter().copied()) {
                Some(h) => format!("{h} (one of: {})", names.join(", ")),
                None => format!("expected one of: {}", names.join(", ")),
            });
        self.err(d);
        None
    }

    fn fk_action(&mut self, node: &Node, what: &str) -> FkAction {
        self.choice(
            node,
            what,
            &[
                ("no_action", FkAction::NoAction),
                ("restrict", FkAction::Restrict),
                ("cascade", FkAction::Cascade),
                ("set_null", FkAction::SetNull),
                ("set_default", FkAction::SetDefault),
            ],
        )
        .unwrap_or_default()
    }

    fn deferrable(&mut self, node: &Node, what: &str) -> Deferrable {
        self.choice(
            node,
            what,
            &[
                ("false", Deferrable::NotDeferrable),
                ("true", Deferrable::InitiallyImmediate),
                ("initially_immediate", Deferrable::InitiallyImmediate),
                ("initially_deferred", Deferrable::InitiallyDeferred),
            ],
        )
        .unwrap_or_default()
    }

    /// Reads a whole file; `root` is the document (Null for an empty file).
    pub fn file(&mut self, root: &Node) -> RawFile {
        let mut raw = RawFile {
            file: self.file.to_string(),
            schema: Sp {
                v: "public".into(),
                at: self.span(root.pos),
            },
            schema_declared: false,
            comment: None,
            grants: None,
            extensions: Vec::new(),
            enums: Vec::new(),
            sequences: Vec::new(),
            tables: Vec::new(),
            views: Vec::new(),
            functions: Vec::new(),
            types: Vec::new(),
            ignore: Vec::new(),
        };
        if root.kind == Kind::Null {
            return raw;
        }
        let Some(fields) = self.fields(root, "the file", FILE_KEYS) else {
            return raw;
        };
        for (k, v) in fields {
            match k.v.as_str() {
                "schema" => {
                    if let Some(s) = self.name_string(v, "`schema`") {
                        raw.schema = s;
                        raw.schema_declared = true;
                    }
                }
                "comment" => raw.comment = self.string(v, "`comment`"),
                "grants" => {
                    raw.grants = Some(Sp {
                        v: self.grants(v, "the file's schema"),
                        at: k.at.clone(),
                    })
                }
                "extensions" => raw.extensions = self.extensions(v),
                "enums" => raw.enums = self.enums(v),
                "sequences" => raw.sequences = self.sequences(v),
                "tables" => raw.tables = self.tables(v),
                "views" => {
                    let mut views = self.views(v, false);
                    raw.views.append(&mut views)
                }
                "materialized_views" => {
                    let mut views = self.views(v, true);
                    raw.views.append(&mut views)
                }
                "functions" => {
                    let mut functions = self.functions(v, false);
                    raw.functions.append(&mut functions)
                }
                "procedures" => {
                    let mut functions = self.functions(v, true);
                    raw.functions.append(&mut functions)
                }
                "domains" => {
                    let mut types = self.custom_types(v, false);
                    raw.types.append(&mut types)
                }
                "composite_types" => {
                    let mut types = self.custom_types(v, true);
                    raw.types.append(&mut types)
                }
                "range_types" => {
                    let mut types = self.range_types(v);
                    raw.types.append(&mut types)
                }
                "ignore" if v.kind != Kind::Null => {
                    raw.ignore = self.string_list(v, "`ignore`").unwrap_or_default()
                }
                _ => {}
            }
        }
        raw
    }

    fn integer(&mut self, node: &Node, what: &str) -> Option<Sp<i64>> {
        let at = self.span(node.pos);
        match &node.kind {
            Kind::Int(text) => match text.parse::<i64>() {
                Ok(v) => Some(Sp { v, at }),
                Err(_) => {
                    let d = Diagnostic::error(format!("{what} is out of range: {text}"))
                        .at(at)
                        .label("not a 64-bit integer")
                        .help("sequence values are bigint: between -9223372036854775808 and 9223372036854775807");
                    self.err(d);
                    None
                }
            },
            _ => {
                self.wrong_shape(node, "an integer", what);
                None
            }
        }
    }

    /// One sequence option key of a `sequences:` entry or an identity mapping; false if `key`
    /// is not a sequence option.
    fn sequence_option(
        &mut self,
        key: &str,
        node: &Node,
        what: &str,
        o: &mut RawSequenceOptions,
    ) -> bool {
        let fw = format!("`{key}` of {what}");
        match key {
            "as" => o.data_type = self.name_string(node, &fw),
            "start" => o.start = self.integer(node, &fw),
            "increment" => o.increment = self.integer(node, &fw),
            "min" => o.min = self.integer(node, &fw),
            "max" => o.max = self.integer(node, &fw),
            "cache" => o.cache = self.integer(node, &fw),
            "cycle" => o.cycle = self.boolean(node, &fw),
            _ => return false,
        }
        true
    }

    fn sequences(&mut self, node: &Node) -> Vec<RawSequence> {
        let mut out = Vec::new();
        let entries = self.section(node, "`sequences`");
        for (name, v) in entries {
            let what = format!("sequence \"{}\"", name.v);
            let mut seq = RawSequence {
                name,
                options: RawSequenceOptions::default(),
                owned_by: None,
                comment: None,
                grants: None,
            };
            if v.kind != Kind::Null
                && let Some(fields) = self.fields(v, &what, SEQUENCE_KEYS)
            {
                for (k, fv) in fields {
                    if self.sequence_option(&k.v, fv, &what, &mut seq.options) {
                        continue;
                    }
                    match k.v.as_str() {
                        "owned_by" => {
                            seq.owned_by = self.name_string(fv, &format!("`owned_by` of {what}"))
                        }
                        "grants" => seq.grants = Some(self.grants(fv, &what)),
                        "comment" => {
                            seq.comment = self
                                .string(fv, &format!("`comment` of {what}"))
                                .map(|s| s.v)
                        }
                        _ => {}
                    }
                }
            }
            out.push(seq);
        }
        out
    }

    fn identity(&mut self, node: &Node, what: &str) -> Option<RawIdentity> {
        let kinds = [
            ("always", IdentityKind::Always),
            ("by_default", IdentityKind::ByDefault),
        ];
        if !matches!(node.kind, Kind::Map(_)) {
            return self.choice(node, what, &kinds).map(|kind| RawIdentity {
                kind,
                sequence: None,
                options: RawSequenceOptions::default(),
            });
        }
        let fields = self.fields(node, what, IDENTITY_KEYS)?;
        let mut identity = RawIdentity {
            kind: IdentityKind::ByDefault,
            sequence: None,
            options: RawSequenceOptions::default(),
        };
        let mut saw_generated = false;
        for (k, fv) in fields {
            if self.sequence_option(&k.v, fv, what, &mut identity.options) {
                continue;
            }
            match k.v.as_str() {
                "generated" => {
                    saw_generated = true;
                    if let Some(kind) = self.choice(fv, &format!("`generated` of {what}"), &kinds) {
                        identity.kind = kind;
                    }
                }
                "sequence" => {
                    identity.sequence = self.name_string(fv, &format!("`sequence` of {what}"))
                }
                _ => {}
            }
        }
        if !saw_generated {
            let d = Diagnostic::error(format!("{what} has no `generated`"))
                .at(self.span(node.pos))
                .label("missing `generated`")
                .help("say when PostgreSQL generates the value: `generated: always` or `generated: by_default`");
            self.err(d);
            return None;
        }
        Some(identity)
    }

    fn extensions(&mut self, node: &Node) -> Vec<RawExtension> {
        let mut out = Vec::new();
        let entries = self.section(node, "`extensions`");
        for (name, v) in entries {
            let what = format!("extension \"{}\"", name.v);
            let mut ext = RawExtension {
                name,
                schema: None,
                version: None,
            };
            if v.kind != Kind::Null
                && let Some(fields) = self.fields(v, &what, EXTENSION_KEYS)
            {
                for (k, fv) in fields {
                    match k.v.as_str() {
                        "schema" => {
                            ext.schema = self
                                .name_string(fv, &format!("`schema` of {what}"))
                                .map(|s| s.v)
                        }
                        "version" => match fv.scalar_text() {
                            Some(t) if !matches!(fv.kind, Kind::Bool(_)) => ext.version = Some(t),
                            _ => self.wrong_shape(
                                fv,
                                "a version string",
                                &format!("`version` of {what}"),
                            ),
                        },
                        _ => {}
                    }
                }
            }
            out.push(ext);
        }
        out
    }

    fn enums(&mut self, node: &Node) -> Vec<RawEnum> {
        let mut out = Vec::new();
        let entries = self.section(node, "`enums`");
        for (name, v) in entries {
            let what = format!("enum \"{}\"", name.v);
            let mut e = RawEnum {
                name,
                values: Vec::new(),
                comment: None,
            };
            let mut values_node = None;
            match &v.kind {
                Kind::Seq(_) => values_node = Some(v),
                Kind::Map(_) => {
                    if let Some(fields) = self.fields(v, &what, ENUM_KEYS) {
                        for (k, fv) in fields {
                            match k.v.as_str() {
                                "values" => values_node = Some(fv),
                                "comment" => {
                                    e.comment = self
                                        .string(fv, &format!("`comment` of {what}"))
                                        .map(|s| s.v)
                                }
                                _ => {}
                            }
                        }
                        if values_node.is_none() {
                            let d = Diagnostic::error(format!("{what} has no `values`"))
                                .at(e.name.at.clone())
                                .label("missing `values`")
                                .help("list the labels: `values: [a, b, c]`");
                            self.err(d);
                        }
                    }
                }
                _ => self.wrong_shape(v, "a list of labels or a mapping with `values`", &what),
            }
            if let Some(vn) = values_node {
                match &vn.kind {
                    Kind::Seq(items) => {
                        for item in items {
                            match item.scalar_text() {
                                Some(t) => e.values.push(Sp {
                                    v: t,
                                    at: self.span(item.pos),
                                }),
                                None => {
                                    self.wrong_shape(item, "a label", &format!("a value of {what}"))
                                }
                            }
                        }
                        if items.is_empty() {
                            let d = Diagnostic::error(format!("{what} has no labels"))
                                .at(self.span(vn.pos))
                                .help("an enum needs at least one label");
                            self.err(d);
                        }
                    }
                    _ => self.wrong_shape(vn, "a list of labels", &format!("`values` of {what}")),
                }
            }
            out.push(e);
        }
        out
    }

    /// Where each line of the string `text`, a scalar at `pos`, starts in the file: for a
    /// literal block (`|`) the lines below the indicator at their indentation, for a one-line
    /// scalar its own place (inside the quotes). Empty where lines do not map one to one (a
    /// folded block, a multi-line flow scalar).
    fn text_lines(&self, pos: Pos, text: &str) -> Vec<(u32, u32)> {
        let lines: Vec<&str> = self.source.lines().collect();
        let Some(first) = lines.get(pos.line.saturating_sub(1) as usize) else {
            return Vec::new();
        };
        let at: String = first
            .chars()
            .skip(pos.column.saturating_sub(1) as usize)
            .collect();
        let count = text.split('\n').count();
        if at.starts_with('|') {
            let body = &lines[(pos.line as usize).min(lines.len())..];
            let indent = body
                .iter()
                .find(|l| !l.trim().is_empty())
                .map_or(0, |l| l.chars().take_while(|c| *c == ' ').count());
            return (0..count)
                .map(|k| (pos.line + 1 + k as u32, indent as u32 + 1))
                .collect();
        }
        // The position may be the block's first content line rather than its indicator.
        let literal_above = pos.line >= 2
            && lines
                .get(pos.line as usize - 2)
                .is_some_and(|l| l.trim_end().trim_end_matches(['-', '+']).ends_with('|'));
        let first_line = text.split('\n').next().unwrap_or_default();
        if literal_above && !first_line.is_empty() && at.starts_with(first_line) {
            return (0..count)
                .map(|k| (pos.line + k as u32, pos.column))
                .collect();
        }
        if count > 1 || at.starts_with('>') {
            return Vec::new();
        }
        let quote = u32::from(at.starts_with(['"', '\'']));
        vec![(pos.line, pos.column + quote)]
    }

    fn custom_types(&mut self, node: &Node, composite: bool) -> Vec<RawType> {
        let mut out = Vec::new();
        let section = if composite {
            "`composite_types`"
        } else {
            "`domains`"
        };
        let entries = self.section(node, section);
        for (name, v) in entries {
            let what = format!(
                "{} \"{}\"",
                if composite {
                    "composite type"
                } else {
                    "domain"
                },
                name.v
            );
            let mut t = RawType::named(name, composite);
            // `email: text` — a domain with nothing but a base type.
            if !composite && matches!(v.kind, Kind::Str(_)) {
                t.base = self.name_string(v, &format!("the type of {what}"));
                out.push(t);
                continue;
            }
            let keys = if composite {
                COMPOSITE_TYPE_KEYS
            } else {
                DOMAIN_KEYS
            };
            let Some(fields) = self.fields(v, &what, keys) else {
                continue;
            };
            let had_unknown = self.had_unknown;
            for (k, fv) in fields {
                let fw = format!("`{}` of {what}", k.v);
                match k.v.as_str() {
                    "type" => t.base = self.name_string(fv, &fw),
                    "not_null" => t.not_null = self.boolean(fv, &fw) == Some(true),
                    "default_sql" => t.default = self.name_string(fv, &fw).map(|s| s.v),
                    "check" => t.check = self.name_string(fv, &fw).map(|s| s.v),
                    "checks" => {
                        if let Some(entries) = self.map(fv, &fw) {
                            for (cn, cv) in entries {
                                if let Some(e) =
                                    self.name_string(cv, &format!("check \"{}\" of {what}", cn.v))
                                {
                                    t.checks.push((cn.v, e.v));
                                }
                            }
                        }
                    }
                    "fields" => {
                        if let Some(entries) = self.map(fv, &fw) {
                            for (fname, ftype) in entries {
                                if let Some(ty) = self
                                    .name_string(ftype, &format!("field \"{}\" of {what}", fname.v))
                                {
                                    t.fields.push((fname, ty));
                                }
                            }
                        }
                    }
                    "comment" => t.comment = self.string(fv, &fw).map(|s| s.v),
                    _ => {}
                }
            }
            if !composite && t.base.is_none() {
                if !had_unknown {
                    let d = Diagnostic::error(format!("{what} has no `type`"))
                        .at(t.name.at.clone())
                        .label("missing `type`")
                        .help(
                            "name the base type: `email: { type: text, check: \"VALUE ~ '@'\" }`",
                        );
                    self.err(d);
                }
                continue;
            }
            out.push(t);
        }
        out
    }

    /// `range_types:`: `name: subtype`, or a mapping with `subtype` and the options.
    fn range_types(&mut self, node: &Node) -> Vec<RawType> {
        let mut out = Vec::new();
        for (name, v) in self.section(node, "`range_types`") {
            let what = format!("range type \"{}\"", name.v);
            let mut t = RawType {
                range: true,
                ..RawType::named(name, false)
            };
            if matches!(v.kind, Kind::Str(_)) {
                t.base = self.name_string(v, &format!("the subtype of {what}"));
                out.push(t);
                continue;
            }
            let Some(fields) = self.fields(v, &what, RANGE_TYPE_KEYS) else {
                continue;
            };
            let had_unknown = self.had_unknown;
            for (k, fv) in fields {
                let fw = format!("`{}` of {what}", k.v);
                let text = |this: &mut Self| this.name_string(fv, &fw).map(|s| s.v);
                match k.v.as_str() {
                    "subtype" => t.base = self.name_string(fv, &fw),
                    "subtype_opclass" => t.subtype_opclass = text(self),
                    "collation" => t.collation = text(self),
                    "subtype_diff" => t.subtype_diff = text(self),
                    "multirange" => t.multirange = text(self),
                    "comment" => t.comment = self.string(fv, &fw).map(|s| s.v),
                    _ => {}
                }
            }
            if t.base.is_none() {
                if !had_unknown {
                    let d = Diagnostic::error(format!("{what} has no `subtype`"))
                        .at(t.name.at.clone())
                        .label("missing `subtype`")
                        .help("name the type its bounds have: `floatrange: { subtype: float8, subtype_diff: float8mi }`");
                    self.err(d);
                }
                continue;
            }
            out.push(t);
        }
        out
    }

    fn functions(&mut self, node: &Node, procedure: bool) -> Vec<RawFunction> {
        let mut out = Vec::new();
        let section = if procedure {
            "`procedures`"
        } else {
            "`functions`"
        };
        let entries = self.section(node, section);
        for (key, v) in entries {
            let what = format!(
                "{} \"{}\"",
                if procedure { "procedure" } else { "function" },
                key.v
            );
            let keys = if procedure {
                PROCEDURE_KEYS
            } else {
                FUNCTION_KEYS
            };
            let Some(fields) = self.fields(v, &what, keys) else {
                continue;
            };
            let had_unknown = self.had_unknown;
            let mut f = RawFunction {
                key,
                procedure,
                args: None,
                returns: None,
                language: None,
                body: None,
                body_lines: Vec::new(),
                volatility: crate::model::Volatility::Volatile,
                strict: false,
                security_definer: false,
                parallel: crate::model::Parallel::Unsafe,
                config: Vec::new(),
                grants: None,
                comment: None,
            };
            for (k, fv) in fields {
                let fw = format!("`{}` of {what}", k.v);
                match k.v.as_str() {
                    "args" => f.args = self.string(fv, &fw),
                    "returns" => f.returns = self.name_string(fv, &fw),
                    "language" => f.language = self.name_string(fv, &fw),
                    "body" => {
                        f.body = self.name_string(fv, &fw);
                        if let Some(b) = &f.body {
                            f.body_lines = self.text_lines(fv.pos, &b.v);
                        }
                    }
                    "volatility" => {
                        use crate::model::Volatility as V;
                        f.volatility = self
                            .choice(
                                fv,
                                &fw,
                                &[
                                    ("volatile", V::Volatile),
                                    ("stable", V::Stable),
                                    ("immutable", V::Immutable),
                                ],
                            )
                            .unwrap_or_default()
                    }
                    "parallel" => {
                        use crate::model::Parallel as P;
                        f.parallel = self
                            .choice(
                                fv,
                                &fw,
                                &[
                                    ("unsafe", P::Unsafe),
                                    ("restricted", P::Restricted),
                                    ("safe", P::Safe),
                                ],
                            )
                            .unwrap_or_default()
                    }
                    "strict" => f.strict = self.boolean(fv, &fw) == Some(true),
                    "security_definer" => f.security_definer = self.boolean(fv, &fw) == Some(true),
                    "comment" => f.comment = self.string(fv, &fw).map(|s| s.v),
                    "grants" => f.grants = Some(self.grants(fv, &what)),
                    "set" => {
                        if let Some(entries) = self.map(fv, &fw) {
                            for (sk, sv) in entries {
                                let text = match &sv.kind {
                                    Kind::Int(s) | Kind::Float(s) | Kind::Str(s) => s.clone(),
                                    Kind::Bool(b) => b.to_string(),
                                    _ => {
                                        self.wrong_shape(
                                            sv,
                                            "a value",
                                            &format!("`{}` in {fw}", sk.v),
                                        );
                                        continue;
                                    }
                                };
                                f.config.push((sk.v, text));
                            }
                        }
                    }
                    _ => {}
                }
            }
            let mut missing = Vec::new();
            if f.body.is_none() {
                missing.push("body");
            }
            if f.language.is_none() {
                missing.push("language");
            }
            if f.returns.is_none() && !procedure {
                missing.push("returns");
            }
            if !missing.is_empty() {
                if !had_unknown {
                    let d = Diagnostic::error(format!(
                        "{what} has no `{}`",
                        missing.join("`, `")
                    ))
                    .at(f.key.at.clone())
                    .label(format!("missing `{}`", missing.join("`, `")))
                    .help(if procedure {
                        "a procedure needs `language` and `body`: `{ language: plpgsql, body: \"BEGIN … END\" }`"
                    } else {
                        "a function needs `returns`, `language` and `body`: `{ returns: trigger, language: plpgsql, body: \"BEGIN … END\" }`"
                    });
                    self.err(d);
                }
                continue;
            }
            out.push(f);
        }
        out
    }

    /// A `grants:` mapping of `on`: role → a privilege or a list of them.
    fn grants(&mut self, node: &Node, on: &str) -> RawGrants {
        let mut out = Vec::new();
        let entries = self.section(node, &format!("`grants` of {on}"));
        for (role, v) in entries {
            let what = format!("the privileges of role \"{}\" on {on}", role.v);
            let privileges = match &v.kind {
                Kind::Seq(_) => self.string_list(v, &what).unwrap_or_default(),
                _ => self.name_string(v, &what).into_iter().collect(),
            };
            out.push((role, privileges));
        }
        out
    }

    /// The `policies:` of a table.
    fn policies(&mut self, node: &Node, on: &str) -> Vec<RawPolicy> {
        use crate::model::PolicyCommand as C;
        let mut out = Vec::new();
        let Some(entries) = self.map(node, &format!("`policies` of {on}")) else {
            return out;
        };
        for (name, v) in entries {
            let what = format!("policy \"{}\" on {on}", name.v);
            let mut p = RawPolicy {
                name,
                command: C::All,
                permissive: true,
                roles: Vec::new(),
                using: None,
                with_check: None,
                comment: None,
            };
            if v.kind != Kind::Null
                && let Some(fields) = self.fields(v, &what, POLICY_KEYS)
            {
                for (k, fv) in fields {
                    let fw = format!("`{}` of {what}", k.v);
                    match k.v.as_str() {
                        "for" => {
                            p.command = self
                                .choice(
                                    fv,
                                    &fw,
                                    &[
                                        ("all", C::All),
                                        ("select", C::Select),
                                        ("insert", C::Insert),
                                        ("update", C::Update),
                                        ("delete", C::Delete),
                                    ],
                                )
                                .unwrap_or(C::All)
                        }
                        "as" => {
                            p.permissive = self
                                .choice(fv, &fw, &[("permissive", true), ("restrictive", false)])
                                .unwrap_or(true)
                        }
                        "to" => {
                            p.roles = match &fv.kind {
                                Kind::Seq(_) => self.string_list(fv, &fw).unwrap_or_default(),
                                _ => self.name_string(fv, &fw).into_iter().collect(),
                            }
                        }
                        "using" => p.using = self.name_string(fv, &fw),
                        "with_check" => p.with_check = self.name_string(fv, &fw),
                        "comment" => p.comment = self.string(fv, &fw).map(|s| s.v),
                        _ => {}
                    }
                }
            }
            out.push(p);
        }
        out
    }

    /// The `triggers:` of a table or view.
    fn triggers(&mut self, node: &Node, on: &str) -> Vec<RawTrigger> {
        use crate::model::{TriggerEvent as E, TriggerTiming as T};
        let mut out = Vec::new();
        let Some(entries) = self.map(node, &format!("`triggers` of {on}")) else {
            return out;
        };
        for (name, v) in entries {
            let what = format!("trigger \"{}\" on {on}", name.v);
            let Some(fields) = self.fields(v, &what, TRIGGER_KEYS) else {
                continue;
            };
            let had_unknown = self.had_unknown;
            let mut t = RawTrigger {
                name,
                timing: None,
                update_of: Vec::new(),
                bad_event: false,
                for_each_row: true,
                when: None,
                execute: None,
                args: Vec::new(),
                enabled: None,
                constraint: None,
                deferrable: None,
                comment: None,
            };
            for (k, fv) in fields {
                let fw = format!("`{}` of {what}", k.v);
                let timing = match k.v.as_str() {
                    "before" => Some(T::Before),
                    "after" => Some(T::After),
                    "instead_of" => Some(T::InsteadOf),
                    _ => None,
                };
                if let Some(timing) = timing {
                    if let Some((_, _, first)) = &t.timing {
                        let d = Diagnostic::error(format!("{what} has two timings"))
                            .at(k.at.clone())
                            .label("second timing")
                            .help(format!(
                                "a trigger fires either before, after or instead of its events; the first was given at {}:{}",
                                first.line, first.column
                            ));
                        self.err(d);
                        continue;
                    }
                    let names = match &fv.kind {
                        Kind::Seq(_) => self.string_list(fv, &fw).unwrap_or_default(),
                        _ => self.name_string(fv, &fw).into_iter().collect(),
                    };
                    let mut events = Vec::new();
                    for n in names {
                        let event = match n.v.to_ascii_lowercase().as_str() {
                            "insert" => E::Insert,
                            "update" => E::Update,
                            "delete" => E::Delete,
                            "truncate" => E::Truncate,
                            _ => {
                                let d = Diagnostic::error(format!(
                                    "{what}: `{}` is not a trigger event",
                                    n.v
                                ))
                                .at(n.at.clone())
                                .label("not an event")
                                .help("events are insert, update, delete and truncate");
                                self.err(d);
                                t.bad_event = true;
                                continue;
                            }
                        };
                        if !events.contains(&event) {
                            events.push(event);
                        }
                    }
                    events.sort();
                    t.timing = Some((timing, events, k.at.clone()));
                    continue;
                }
                match k.v.as_str() {
                    "update_of" => t.update_of = self.string_list(fv, &fw).unwrap_or_default(),
                    "for_each" => {
                        t.for_each_row = self
                            .choice(fv, &fw, &[("row", true), ("statement", false)])
                            .unwrap_or(true)
                    }
                    "when" => t.when = self.name_string(fv, &fw).map(|s| s.v),
                    "execute" => t.execute = self.name_string(fv, &fw),
                    "args" => {
                        t.args = self
                            .string_list(fv, &fw)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|s| s.v)
                            .collect()
                    }
                    "comment" => t.comment = self.string(fv, &fw).map(|s| s.v),
                    "enabled" => {
                        use crate::model::TriggerEnabled as E;
                        t.enabled = self
                            .choice(
                                fv,
                                &fw,
                                &[
                                    ("true", E::Origin),
                                    ("false", E::Disabled),
                                    ("replica", E::Replica),
                                    ("always", E::Always),
                                ],
                            )
                            .map(|e| (e, k.at.clone()))
                    }
                    "constraint" if self.boolean(fv, &fw) == Some(true) => {
                        t.constraint = Some(k.at.clone());
                    }
                    "deferrable" => t.deferrable = Some((self.deferrable(fv, &fw), k.at.clone())),
                    _ => {}
                }
            }
            if (t.timing.is_none() || t.execute.is_none()) && !had_unknown {
                let d = Diagnostic::error(format!(
                    "{what} needs {}",
                    match (t.timing.is_none(), t.execute.is_none()) {
                        (true, true) => "its events and its function",
                        (true, false) => "its events (`before`, `after` or `instead_of`)",
                        _ => "its function (`execute`)",
                    }
                ))
                .at(t.name.at.clone())
                .label("incomplete trigger")
                .help("for example `{ before: [update], execute: set_updated_at }`");
                self.err(d);
                continue;
            }
            if t.timing.is_some() && t.execute.is_some() {
                out.push(t);
            }
        }
        out
    }

    fn views(&mut self, node: &Node, materialized: bool) -> Vec<RawView> {
        let mut out = Vec::new();
        let section = if materialized {
            "`materialized_views`"
        } else {
            "`views`"
        };
        let entries = self.section(node, section);
        for (name, v) in entries {
            if let Some(view) = self.view(name, v, materialized) {
                out.push(view);
            }
        }
        out
    }

    fn view(&mut self, name: Sp<String>, node: &Node, materialized: bool) -> Option<RawView> {
        let word = if materialized {
            "materialized view"
        } else {
            "view"
        };
        let what = format!("{word} \"{}\"", name.v);
        let keys = if materialized {
            MATERIALIZED_VIEW_KEYS
        } else {
            VIEW_KEYS
        };
        let fields = self.fields(node, &what, keys)?;
        let had_unknown = self.had_unknown;
        let mut view = RawView {
            name,
            materialized,
            sql: None,
            sql_lines: Vec::new(),
            security_invoker: false,
            security_barrier: false,
            check_option: None,
            with_data: true,
            with: Vec::new(),
            columns: Vec::new(),
            key: None,
            typed: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            grants: None,
            comment: None,
        };
        for (k, v) in fields {
            let fw = format!("`{}` of {what}", k.v);
            match k.v.as_str() {
                "sql" => {
                    view.sql = self.name_string(v, &fw);
                    if let Some(s) = &view.sql {
                        view.sql_lines = self.text_lines(v.pos, &s.v);
                    }
                }
                "security_invoker" => view.security_invoker = self.boolean(v, &fw) == Some(true),
                "security_barrier" => view.security_barrier = self.boolean(v, &fw) == Some(true),
                "check_option" => {
                    view.check_option = self.choice(
                        v,
                        &fw,
                        &[
                            ("local", crate::model::CheckOption::Local),
                            ("cascaded", crate::model::CheckOption::Cascaded),
                        ],
                    )
                }
                "with_data" => view.with_data = self.boolean(v, &fw) != Some(false),
                "comment" => view.comment = self.string(v, &fw).map(|s| s.v),
                "with" => view.with = self.storage_options(v, &fw, &what),
                "key" => {
                    let list = match &v.kind {
                        Kind::Seq(_) => self.string_list(v, &fw),
                        _ => self.name_string(v, &fw).map(|one| vec![one]),
                    };
                    if let Some(list) = list {
                        view.key = Some(Sp {
                            v: list,
                            at: k.at.clone(),
                        });
                    }
                }
                "columns" => {
                    if let Some(entries) = self.map(v, &fw) {
                        for (cname, cv) in entries {
                            let cw = format!("column \"{}\" of {what}", cname.v);
                            if matches!(cv.kind, Kind::Map(_)) {
                                let Some(cf) = self.fields(cv, &cw, VIEW_COLUMN_KEYS) else {
                                    continue;
                                };
                                for (ck, cvv) in cf {
                                    let ckw = format!("`{}` of {cw}", ck.v);
                                    match ck.v.as_str() {
                                        "type" => {
                                            if let Some(t) = self.name_string(cvv, &ckw) {
                                                let (base, nullable) = split_nullable(&t.v);
                                                let t = Sp { v: base, at: t.at };
                                                view.typed.push((cname.clone(), t, nullable));
                                            }
                                        }
                                        "comment" => {
                                            if let Some(c) = self.string(cvv, &ckw) {
                                                view.columns.push((cname.clone(), c.v));
                                            }
                                        }
                                        _ => {}
                                    }
                                }
                                continue;
                            }
                            let cw = format!("the comment of {cw}");
                            if let Some(c) = self.string(cv, &cw) {
                                view.columns.push((cname, c.v));
                            }
                        }
                    }
                }
                "indexes" => view.indexes = self.indexes(v, &what),
                "triggers" => view.triggers = self.triggers(v, &what),
                "grants" => view.grants = Some(self.grants(v, &what)),
                _ => {}
            }
        }
        if view.sql.is_none() {
            if !had_unknown {
                let d = Diagnostic::error(format!("{what} has no `sql`"))
                    .at(view.name.at.clone())
                    .label("missing `sql`")
                    .help("write the view's query: `sql: SELECT id, title FROM documents`");
                self.err(d);
            }
            return None;
        }
        Some(view)
    }

    fn tables(&mut self, node: &Node) -> Vec<RawTable> {
        let mut out = Vec::new();
        let entries = self.section(node, "`tables`");
        for (name, v) in entries {
            if let Some(t) = self.table(name, v) {
                out.push(t);
            }
        }
        out
    }

    fn table(&mut self, name: Sp<String>, node: &Node) -> Option<RawTable> {
        let what = format!("table \"{}\"", name.v);
        let fields = self.fields(node, &what, TABLE_KEYS)?;
        let had_unknown = self.had_unknown;
        let mut t = RawTable {
            triggers: Vec::new(),
            grants: None,
            row_security: None,
            policies: Vec::new(),
            name,
            comment: None,
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            exclusions: Vec::new(),
            indexes: Vec::new(),
            renamed_from: None,
            partition_by: None,
            partitions: Vec::new(),
            unlogged: None,
            with: Vec::new(),
            replica_identity: None,
        };
        let mut saw_columns = false;
        for (k, v) in fields {
            match k.v.as_str() {
                "comment" => {
                    t.comment = self.string(v, &format!("`comment` of {what}")).map(|s| s.v)
                }
                "renamed_from" => {
                    t.renamed_from = self
                        .name_string(v, &format!("`renamed_from` of {what}"))
                        .map(|s| s.v)
                }
                "columns" => {
                    saw_columns = true;
                    // `columns: {}` is a table without columns, which PostgreSQL allows.
                    if let Some(entries) = self.map(v, &format!("`columns` of {what}")) {
                        for (cname, cv) in entries {
                            if let Some(c) = self.column(&t.name.v, cname, cv) {
                                t.columns.push(c);
                            }
                        }
                    }
                }
                "primary_key" => t.primary_key = self.primary_key(&what, &k, v),
                "unique" => {
                    if let Some(entries) = self.map(v, &format!("`unique` of {what}")) {
                        for (uname, uv) in entries {
                            if let Some(u) = self.unique(&what, uname, uv) {
                                t.uniques.push(u);
                            }
                        }
                    }
                }
                "checks" => t.checks = self.checks(v, &what),
                "foreign_keys" => {
                    if let Some(entries) = self.map(v, &format!("`foreign_keys` of {what}")) {
                        for (fname, fv) in entries {
                            if let Some(fk) = self.foreign_key(&what, fname, fv) {
                                t.foreign_keys.push(fk);
                            }
                        }
                    }
                }
                "indexes" => t.indexes = self.indexes(v, &what),
                "replica_identity" => {
                    let fw = format!("`replica_identity` of {what}");
                    let at = self.span(v.pos);
                    let value = match &v.kind {
                        Kind::Map(_) => self.fields(v, &fw, &["index"]).and_then(|f| {
                            let (_, iv) = f.into_iter().next()?;
                            self.name_string(iv, &fw)
                                .map(|s| crate::model::ReplicaIdentity::Index(s.v))
                        }),
                        _ => {
                            use crate::model::ReplicaIdentity as R;
                            self.choice(v, &fw, &[("default", 0u8), ("full", 1), ("nothing", 2)])
                                .map(|n| match n {
                                    1 => R::Full,
                                    2 => R::Nothing,
                                    _ => R::Default,
                                })
                        }
                    };
                    t.replica_identity = value.map(|v| Sp { v, at });
                }
                "exclusions" => {
                    if let Some(entries) = self.map(v, &format!("`exclusions` of {what}")) {
                        for (xname, xv) in entries {
                            if let Some(x) = self.exclusion(&what, xname, xv) {
                                t.exclusions.push(x);
                            }
                        }
                    }
                }
                "triggers" => t.triggers = self.triggers(v, &what),
                "row_level_security" => {
                    t.row_security = self
                        .choice(
                            v,
                            &format!("`row_level_security` of {what}"),
                            &[
                                ("true", Some(false)),
                                ("forced", Some(true)),
                                ("false", None),
                            ],
                        )
                        .flatten()
                }
                "policies" => t.policies = self.policies(v, &what),
                "grants" => t.grants = Some(self.grants(v, &what)),
                "partition_by" => t.partition_by = self.partition_by(v, &what),
                "partitions" => t.partitions = self.partitions(v, &what),
                "unlogged" if self.boolean(v, &format!("`unlogged` of {what}")) == Some(true) => {
                    t.unlogged = Some(k.at.clone());
                }
                "with" => t.with = self.storage_options(v, &format!("`with` of {what}"), &what),
                _ => {}
            }
        }
        if !saw_columns && !had_unknown {
            let d = Diagnostic::error(format!("{what} has no `columns`"))
                .at(t.name.at.clone())
                .label("missing `columns`")
                .help("every table lists its columns: `columns: { id: bigint }`");
            self.err(d);
        }
        Some(t)
    }

    /// `indexes:` of a table, partition or materialized view (`what`).
    fn indexes(&mut self, v: &Node, what: &str) -> Vec<RawIndex> {
        let mut out = Vec::new();
        if let Some(entries) = self.map(v, &format!("`indexes` of {what}")) {
            for (iname, iv) in entries {
                if let Some(ix) = self.index(what, iname, iv) {
                    out.push(ix);
                }
            }
        }
        out
    }

    /// `checks:` of a table or partition (`what`): name and expression.
    fn checks(&mut self, v: &Node, what: &str) -> Vec<(Sp<String>, RawCheck)> {
        let mut out = Vec::new();
        if let Some(entries) = self.map(v, &format!("`checks` of {what}")) {
            for (cname, cv) in entries {
                let w = format!("check \"{}\" on {what}", cname.v);
                if let Kind::Map(_) = &cv.kind {
                    let Some(fields) = self.fields(cv, &w, CHECK_KEYS) else {
                        continue;
                    };
                    let mut check = RawCheck::default();
                    let mut saw = false;
                    for (k, fv) in fields {
                        let fw = format!("`{}` of {w}", k.v);
                        match k.v.as_str() {
                            "expr" => {
                                if let Some(e) = self.name_string(fv, &fw) {
                                    saw = true;
                                    check.expr = e.v;
                                }
                            }
                            "not_valid" => check.not_valid = self.boolean(fv, &fw).unwrap_or(false),
                            "no_inherit" => {
                                check.no_inherit = self.boolean(fv, &fw).unwrap_or(false)
                            }
                            "comment" => check.comment = self.string(fv, &fw).map(|s| s.v),
                            _ => {}
                        }
                    }
                    if saw {
                        out.push((cname, check));
                    } else if !self.had_unknown {
                        let d = Diagnostic::error(format!("{w} has no `expr`"))
                            .at(cname.at.clone())
                            .help("write `name: \"a > 0\"` or `name: { expr: \"a > 0\", not_valid: true }`");
                        self.err(d);
                    }
                } else if let Some(expr) = self.name_string(cv, &w) {
                    out.push((
                        cname,
                        RawCheck {
                            expr: expr.v,
                            ..RawCheck::default()
                        },
                    ));
                }
            }
        }
        out
    }

    /// Storage parameters (`with: { fillfactor: 70 }`): names lower-cased, values as text.
    fn storage_options(&mut self, v: &Node, fw: &str, what: &str) -> Vec<(Sp<String>, Sp<String>)> {
        let mut out = Vec::new();
        if let Some(entries) = self.map(v, fw) {
            for (ok, ov) in entries {
                let text = match &ov.kind {
                    Kind::Int(s) | Kind::Float(s) | Kind::Str(s) => s.clone(),
                    Kind::Bool(b) => (if *b { "true" } else { "false" }).to_string(),
                    _ => {
                        self.wrong_shape(
                            ov,
                            "a number, boolean or string",
                            &format!("option `{}` of {what}", ok.v),
                        );
                        continue;
                    }
                };
                let at = self.span(ov.pos);
                out.push((
                    Sp {
                        v: ok.v.to_lowercase(),
                        at: ok.at,
                    },
                    Sp { v: text, at },
                ));
            }
        }
        out
    }

    /// `partition_by: { range: [key, …] }` (or `list:`, `hash:`); keys as index keys are written.
    fn partition_by(&mut self, node: &Node, what: &str) -> Option<RawPartitionBy> {
        use crate::model::PartitionStrategy;
        let pw = format!("`partition_by` of {what}");
        let fields = self.fields(node, &pw, PARTITION_BY_KEYS)?;
        let mut out: Option<RawPartitionBy> = None;
        for (k, v) in fields {
            let strategy = match k.v.as_str() {
                "range" => PartitionStrategy::Range,
                "list" => PartitionStrategy::List,
                _ => PartitionStrategy::Hash,
            };
            if out.is_some() {
                let d = Diagnostic::error(format!("{pw} names more than one strategy"))
                    .at(k.at.clone())
                    .label("second strategy")
                    .help("a table is partitioned one way: `range`, `list` or `hash`");
                self.err(d);
                continue;
            }
            let kw = format!("`{}` of {pw}", k.v);
            let items: Vec<&Node> = match &v.kind {
                Kind::Seq(items) => items.iter().collect(),
                Kind::Str(_) | Kind::Map(_) => vec![v],
                _ => {
                    self.wrong_shape(v, "a list of columns or `{ expr: … }`", &kw);
                    continue;
                }
            };
            let mut keys = Vec::new();
            for item in items {
                if let Some(key) = self.index_key(&kw, item) {
                    keys.push(key);
                }
            }
            if keys.is_empty() {
                let d = Diagnostic::error(format!("{kw} has no key"))
                    .at(self.span(v.pos))
                    .label("no key")
                    .help("name the columns rows are spread by, e.g. `range: [created_at]`");
                self.err(d);
                continue;
            }
            out = Some(RawPartitionBy {
                strategy: Sp {
                    v: strategy,
                    at: k.at.clone(),
                },
                keys,
            });
        }
        if out.is_none() && !self.had_unknown {
            let d = Diagnostic::error(format!("{pw} names no strategy"))
                .at(self.span(node.pos))
                .label("empty")
                .help("write `partition_by: { range: [created_at] }` (or `list:`, `hash:`)");
            self.err(d);
        }
        out
    }

    fn partitions(&mut self, node: &Node, what: &str) -> Vec<RawPartition> {
        let mut out = Vec::new();
        let Some(entries) = self.map(node, &format!("`partitions` of {what}")) else {
            return out;
        };
        for (name, v) in entries {
            if let Some(p) = self.partition(name, v) {
                out.push(p);
            }
        }
        out
    }

    fn partition(&mut self, name: Sp<String>, node: &Node) -> Option<RawPartition> {
        use crate::model::PartitionBound;
        let what = format!("partition \"{}\"", name.v);
        let fields = self.fields(node, &what, PARTITION_KEYS)?;
        let mut p = RawPartition {
            name,
            bound: None,
            comment: None,
            checks: Vec::new(),
            indexes: Vec::new(),
            partition_by: None,
            partitions: Vec::new(),
        };
        let (mut from, mut to, mut list, mut default) = (None, None, None, None);
        let (mut modulus, mut remainder) = (None, None);
        let mut first_at: Option<Span> = None;
        for (k, v) in fields {
            let fw = format!("`{}` of {what}", k.v);
            let at = k.at.clone();
            match k.v.as_str() {
                "from" => from = self.bound_values(v, &fw, true),
                "to" => to = self.bound_values(v, &fw, true),
                "in" => list = self.bound_values(v, &fw, false),
                "default" => default = self.boolean(v, &fw),
                "modulus" | "remainder" => {
                    let n = match &v.kind {
                        Kind::Int(n) => n.parse::<u32>().ok(),
                        _ => None,
                    };
                    if n.is_none() {
                        self.wrong_shape(v, "a non-negative whole number", &fw);
                    }
                    if k.v == "modulus" {
                        modulus = n;
                    } else {
                        remainder = n;
                    }
                }
                "comment" => p.comment = self.string(v, &fw).map(|s| s.v),
                "checks" => p.checks = self.checks(v, &what),
                "indexes" => p.indexes = self.indexes(v, &what),
                "partition_by" => p.partition_by = self.partition_by(v, &what),
                "partitions" => p.partitions = self.partitions(v, &what),
                _ => {}
            }
            if matches!(
                k.v.as_str(),
                "from" | "to" | "in" | "default" | "modulus" | "remainder"
            ) && first_at.is_none()
            {
                first_at = Some(at);
            }
        }
        let at = first_at.unwrap_or_else(|| p.name.at.clone());
        let kinds = [
            from.is_some() || to.is_some(),
            list.is_some(),
            default == Some(true),
            modulus.is_some() || remainder.is_some(),
        ];
        let bound = match kinds {
            [true, false, false, false] => match (from, to) {
                (Some(from), Some(to)) => Some(PartitionBound::Range { from, to }),
                _ => {
                    self.err(
                        Diagnostic::error(format!("{what} has only one of `from` and `to`"))
                            .at(at.clone())
                            .label("incomplete range")
                            .help("a range partition takes `from` (included) and `to` (excluded); use `MINVALUE` or `MAXVALUE` for an open end"),
                    );
                    None
                }
            },
            [false, true, false, false] => list.map(PartitionBound::List),
            [false, false, true, false] => Some(PartitionBound::Default),
            [false, false, false, true] => match (modulus, remainder) {
                (Some(modulus), Some(remainder)) => {
                    Some(PartitionBound::Hash { modulus, remainder })
                }
                _ => {
                    self.err(
                        Diagnostic::error(format!("{what} needs both `modulus` and `remainder`"))
                            .at(at.clone())
                            .label("incomplete hash bound"),
                    );
                    None
                }
            },
            [false, false, false, false] if default.is_none() => {
                self.err(
                    Diagnostic::error(format!("{what} says which rows it holds nowhere"))
                        .at(at.clone())
                        .label("no bound")
                        .help("write `from:` and `to:` (range), `in:` (list), `modulus:` and `remainder:` (hash), or `default: true`"),
                );
                None
            }
            [false, false, false, false] => {
                self.err(
                    Diagnostic::error(format!("{what}: `default: false` is no bound"))
                        .at(at.clone())
                        .label("no bound")
                        .help("leave `default` out and write the partition's values"),
                );
                None
            }
            _ => {
                self.err(
                    Diagnostic::error(format!("{what} mixes kinds of bound"))
                        .at(at.clone())
                        .label("more than one kind of bound")
                        .help("a partition is bounded one way: `from`/`to`, `in`, `modulus`/`remainder`, or `default: true`"),
                );
                None
            }
        };
        p.bound = bound.map(|v| Sp { v, at });
        Some(p)
    }

    /// Values of a bound as SQL: strings quoted, numbers as written, `null` as `NULL`, and
    /// (in a range bound, `range`) `MINVALUE` / `MAXVALUE`. One value may be written bare.
    fn bound_values(&mut self, node: &Node, what: &str, range: bool) -> Option<Vec<String>> {
        let items: Vec<&Node> = match &node.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            let sql = match &item.kind {
                Kind::Str(s)
                    if range
                        && (s.eq_ignore_ascii_case("minvalue")
                            || s.eq_ignore_ascii_case("maxvalue")) =>
                {
                    s.to_uppercase()
                }
                Kind::Str(s) => crate::sql_ident::literal(s),
                Kind::Int(n) | Kind::Float(n) => n.clone(),
                Kind::Bool(b) => b.to_string(),
                Kind::Null if !range => "NULL".into(),
                _ => {
                    self.wrong_shape(item, "a value (a string or a number)", what);
                    return None;
                }
            };
            out.push(sql);
        }
        if out.is_empty() {
            self.wrong_shape(node, "one or more values", what);
            return None;
        }
        Some(out)
    }

    fn column(&mut self, table: &str, name: Sp<String>, node: &Node) -> Option<RawColumn> {
        let what = format!("column \"{}\" of table \"{table}\"", name.v);
        let mut c = RawColumn {
            name,
            ty: Sp {
                v: String::new(),
                at: self.span(node.pos),
            },
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            primary_key: None,
            unique: false,
            references: None,
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            check: None,
            comment: None,
            renamed_from: None,
            statistics: None,
            collation: None,
            storage: None,
            compression: None,
            generated_virtual: None,
        };
        match &node.kind {
            Kind::Str(s) => {
                let (base, q) = split_nullable(s);
                c.ty.v = base;
                c.nullable = q;
                return Some(c);
            }
            Kind::Map(_) => {}
            _ => {
                self.wrong_shape(
                    node,
                    "a type (`text`, `bigint?`) or a mapping with `type`",
                    &what,
                );
                return None;
            }
        }
        let fields = self.fields(node, &what, COLUMN_KEYS)?;
        let had_unknown = self.had_unknown;
        let mut saw_type = false;
        let mut question: Option<Span> = None;
        let mut nullable_flag: Option<(bool, Span)> = None;
        let mut default_at: Option<Span> = None;
        let mut default_sql_at: Option<Span> = None;
        let mut fk_options: Vec<Span> = Vec::new();
        for (k, v) in fields {
            let fw = format!("`{}` of {what}", k.v);
            match k.v.as_str() {
                "type" => {
                    if let Some(s) = self.name_string(v, &fw) {
                        saw_type = true;
                        let (base, q) = split_nullable(&s.v);
                        c.ty = Sp {
                            v: base,
                            at: s.at.clone(),
                        };
                        if q {
                            c.nullable = true;
                            question = Some(s.at);
                        }
                    }
                }
                "nullable" => {
                    if let Some(b) = self.boolean(v, &fw) {
                        nullable_flag = Some((b, self.span(v.pos)));
                    }
                }
                "default" => {
                    use crate::model::DefaultValue;
                    let dv = match &v.kind {
                        Kind::Str(s) => Some(DefaultValue::Text(s.clone())),
                        Kind::Int(s) | Kind::Float(s) => Some(DefaultValue::Number(s.clone())),
                        Kind::Bool(b) => Some(DefaultValue::Bool(*b)),
                        _ => {
                            let d = Diagnostic::error(format!(
                                "{fw} must be a literal (string, number or boolean), found {}",
                                v.kind.describe()
                            ))
                            .at(self.span(v.pos))
                            .label("not a literal")
                            .help("for an SQL expression use `default_sql: \"...\"`; for no default leave `default` out");
                            self.err(d);
                            None
                        }
                    };
                    default_at = Some(k.at.clone());
                    if let Some(dv) = dv {
                        c.default = Some(Sp {
                            v: dv,
                            at: k.at.clone(),
                        });
                    }
                }
                "default_sql" => {
                    default_sql_at = Some(k.at.clone());
                    if let Some(s) = self.name_string(v, &fw) {
                        c.default = Some(Sp {
                            v: crate::model::DefaultValue::Expr(s.v),
                            at: k.at.clone(),
                        });
                    }
                }
                "identity" => {
                    c.identity = self.identity(v, &fw).map(|i| Sp {
                        v: i,
                        at: k.at.clone(),
                    })
                }
                "generated" => {
                    c.generated = self.name_string(v, &fw).map(|s| Sp {
                        v: s.v,
                        at: k.at.clone(),
                    })
                }
                "primary_key" => {
                    c.primary_key = (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone())
                }
                "unique" => c.unique = self.boolean(v, &fw).unwrap_or(false),
                "references" => c.references = self.name_string(v, &fw),
                "on_delete" => {
                    fk_options.push(k.at.clone());
                    c.on_delete = self.fk_action(v, &fw)
                }
                "on_update" => {
                    fk_options.push(k.at.clone());
                    c.on_update = self.fk_action(v, &fw)
                }
                "deferrable" => {
                    fk_options.push(k.at.clone());
                    c.deferrable = self.deferrable(v, &fw)
                }
                "check" => c.check = self.name_string(v, &fw).map(|s| s.v),
                "comment" => c.comment = self.string(v, &fw).map(|s| s.v),
                "renamed_from" => c.renamed_from = self.name_string(v, &fw).map(|s| s.v),
                "statistics" => {
                    let n = match &v.kind {
                        Kind::Int(n) => n.parse::<i32>().ok().filter(|n| (0..=10000).contains(n)),
                        _ => None,
                    };
                    match n {
                        Some(n) => {
                            c.statistics = Some(Sp {
                                v: n,
                                at: self.span(v.pos),
                            })
                        }
                        None => {
                            let d = Diagnostic::error(format!(
                                "`statistics` of {what} must be a whole number from 0 to 10000"
                            ))
                            .at(self.span(v.pos))
                            .label("not a statistics target")
                            .help("the number of values ANALYZE samples for this column (PostgreSQL's default_statistics_target is 100); leave it out for the default");
                            self.err(d);
                        }
                    }
                }
                "collation" => c.collation = self.name_string(v, &fw),
                "virtual" => {
                    c.generated_virtual = (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone())
                }
                "storage" => {
                    let choices: Vec<(&str, crate::model::ColumnStorage)> =
                        crate::model::ColumnStorage::ALL
                            .iter()
                            .map(|s| (s.name(), *s))
                            .collect();
                    c.storage = self.choice(v, &fw, &choices);
                }
                "compression" => {
                    c.compression = self
                        .choice(v, &fw, &[("pglz", "pglz"), ("lz4", "lz4")])
                        .map(str::to_string)
                }
                _ => {}
            }
        }
        if !saw_type && had_unknown {
            return None;
        }
        if !saw_type {
            let d = Diagnostic::error(format!("{what} has no `type`"))
                .at(c.name.at.clone())
                .label("missing `type`")
                .help("add e.g. `type: text`");
            self.err(d);
            return None;
        }
        if let Some((flag, at)) = nullable_flag {
            if question.is_some() && !flag {
                let d = Diagnostic::error(format!(
                    "{what} is marked nullable with `?` but says `nullable: false`"
                ))
                .at(at)
                .label("conflicts with the `?` on the type")
                .help("keep one: drop the `?` or drop `nullable: false`");
                self.err(d);
            } else {
                c.nullable = flag;
            }
        }
        if let (Some(_), Some(at)) = (default_at, default_sql_at) {
            let d = Diagnostic::error(format!("{what} has both `default` and `default_sql`"))
                .at(at)
                .label("second default")
                .help("`default` is a literal value, `default_sql` an SQL expression: keep one");
            self.err(d);
        }
        if c.references.is_none() {
            for at in fk_options {
                let d = Diagnostic::error(format!(
                    "{what} sets a foreign-key option without `references`"
                ))
                .at(at)
                .label("no foreign key to apply this to")
                .help("add `references: table.column`, or remove this option");
                self.err(d);
            }
        }
        Some(c)
    }

    fn primary_key(&mut self, what: &str, key: &Sp<String>, node: &Node) -> Option<RawPrimaryKey> {
        let fw = format!("`primary_key` of {what}");
        match &node.kind {
            Kind::Seq(_) => {
                let columns = self.string_list(node, &fw)?;
                Some(RawPrimaryKey {
                    name: None,
                    columns,
                    at: key.at.clone(),
                    without_overlaps: None,
                    include: Vec::new(),
                    deferrable: Deferrable::NotDeferrable,
                    comment: None,
                    index_comment: None,
                })
            }
            Kind::Map(_) => {
                let fields = self.fields(node, &fw, PRIMARY_KEY_KEYS)?;
                let mut pk = RawPrimaryKey {
                    name: None,
                    columns: Vec::new(),
                    at: key.at.clone(),
                    without_overlaps: None,
                    include: Vec::new(),
                    deferrable: Deferrable::NotDeferrable,
                    comment: None,
                    index_comment: None,
                };
                let mut saw = false;
                for (k, v) in fields {
                    match k.v.as_str() {
                        "name" => pk.name = self.name_string(v, &fw),
                        "comment" => pk.comment = self.string(v, &fw).map(|s| s.v),
                        "include" => pk.include = self.string_list(v, &fw).unwrap_or_default(),
                        "deferrable" => pk.deferrable = self.deferrable(v, &fw),
                        "without_overlaps" => {
                            pk.without_overlaps =
                                (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone())
                        }
                        "index_comment" => pk.index_comment = self.string(v, &fw).map(|s| s.v),
                        "columns" => {
                            saw = true;
                            pk.columns = self.string_list(v, &fw).unwrap_or_default()
                        }
                        _ => {}
                    }
                }
                if !saw {
                    let d = Diagnostic::error(format!("{fw} has no `columns`"))
                        .at(key.at.clone())
                        .help(
                            "write `primary_key: [col1, col2]` or `{ name: ..., columns: [...] }`",
                        );
                    self.err(d);
                    return None;
                }
                Some(pk)
            }
            _ => {
                self.wrong_shape(node, "a list of columns", &fw);
                None
            }
        }
    }

    fn unique(&mut self, what: &str, name: Sp<String>, node: &Node) -> Option<RawUnique> {
        let uw = format!("unique constraint \"{}\" on {what}", name.v);
        let mut u = RawUnique {
            name,
            columns: Vec::new(),
            nulls_not_distinct: false,
            deferrable: Deferrable::NotDeferrable,
            without_overlaps: None,
            include: Vec::new(),
            comment: None,
            index_comment: None,
        };
        match &node.kind {
            Kind::Seq(_) => u.columns = self.string_list(node, &uw)?,
            _ => {
                let fields = self.fields(node, &uw, UNIQUE_KEYS)?;
                let mut saw = false;
                for (k, v) in fields {
                    let fw = format!("`{}` of {uw}", k.v);
                    match k.v.as_str() {
                        "columns" => {
                            saw = true;
                            u.columns = self.string_list(v, &fw).unwrap_or_default()
                        }
                        "nulls_not_distinct" => {
                            u.nulls_not_distinct = self.boolean(v, &fw).unwrap_or(false)
                        }
                        "deferrable" => u.deferrable = self.deferrable(v, &fw),
                        "comment" => u.comment = self.string(v, &fw).map(|s| s.v),
                        "include" => u.include = self.string_list(v, &fw).unwrap_or_default(),
                        "without_overlaps" => {
                            u.without_overlaps =
                                (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone())
                        }
                        "index_comment" => u.index_comment = self.string(v, &fw).map(|s| s.v),
                        _ => {}
                    }
                }
                if !saw {
                    let d = Diagnostic::error(format!("{uw} has no `columns`"))
                        .at(u.name.at.clone())
                        .help("write `name: [col1, col2]` or `name: { columns: [col1, col2] }`");
                    self.err(d);
                    return None;
                }
            }
        }
        if u.columns.is_empty() {
            let d = Diagnostic::error(format!("{uw} lists no columns")).at(u.name.at.clone());
            self.err(d);
            return None;
        }
        Some(u)
    }

    fn foreign_key(&mut self, what: &str, name: Sp<String>, node: &Node) -> Option<RawForeignKey> {
        let fkw = format!("foreign key \"{}\" on {what}", name.v);
        let fields = self.fields(node, &fkw, FOREIGN_KEY_KEYS)?;
        let mut columns = None;
        let mut references = None;
        let mut on_delete = FkAction::NoAction;
        let mut on_update = FkAction::NoAction;
        let mut deferrable = Deferrable::NotDeferrable;
        let mut not_valid = false;
        let mut period = None;
        let mut match_full = false;
        let mut comment = None;
        for (k, v) in fields {
            let fw = format!("`{}` of {fkw}", k.v);
            match k.v.as_str() {
                "columns" => columns = self.string_list(v, &fw),
                "references" => references = self.name_string(v, &fw),
                "on_delete" => on_delete = self.fk_action(v, &fw),
                "on_update" => on_update = self.fk_action(v, &fw),
                "deferrable" => deferrable = self.deferrable(v, &fw),
                "not_valid" => not_valid = self.boolean(v, &fw).unwrap_or(false),
                "period" => period = (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone()),
                "match" => {
                    match_full = self
                        .choice(v, &fw, &[("simple", false), ("full", true)])
                        .unwrap_or(false)
                }
                "comment" => comment = self.string(v, &fw).map(|s| s.v),
                _ => {}
            }
        }
        let (Some(columns), Some(references)) = (columns, references) else {
            let d = Diagnostic::error(format!("{fkw} needs `columns` and `references`"))
                .at(name.at.clone())
                .help("write `{ columns: [a, b], references: \"other(x, y)\" }`");
            self.err(d);
            return None;
        };
        Some(RawForeignKey {
            name,
            columns,
            references,
            on_delete,
            on_update,
            deferrable,
            period,
            match_full,
            not_valid,
            comment,
        })
    }

    fn index_key(&mut self, iw: &str, node: &Node) -> Option<RawIndexKey> {
        let at = self.span(node.pos);
        match &node.kind {
            Kind::Str(s) if !s.trim().is_empty() => Some(RawIndexKey {
                target: RawTarget::Column(s.clone()),
                at,
                ops: None,
                order: None,
                nulls: None,
                collation: None,
                ops_params: Vec::new(),
            }),
            Kind::Map(_) => {
                let kw = format!("a key of {iw}");
                let fields = self.fields(node, &kw, INDEX_KEY_KEYS)?;
                let had_unknown = self.had_unknown;
                let mut target: Option<(RawTarget, Span)> = None;
                let mut key = RawIndexKey {
                    target: RawTarget::Column(String::new()),
                    at,
                    ops: None,
                    order: None,
                    nulls: None,
                    collation: None,
                    ops_params: Vec::new(),
                };
                for (k, v) in fields {
                    let fw = format!("`{}` of {kw}", k.v);
                    match k.v.as_str() {
                        "column" | "expr" => {
                            if let Some(s) = self.name_string(v, &fw) {
                                if target.is_some() {
                                    let d = Diagnostic::error(format!("{kw} has both `column` and `expr`"))
                                        .at(k.at.clone())
                                        .help("an index key is either a column or an expression: split it into two keys");
                                    self.err(d);
                                }
                                let t = if k.v == "column" {
                                    RawTarget::Column(s.v)
                                } else {
                                    RawTarget::Expr(s.v)
                                };
                                target = Some((t, s.at));
                            }
                        }
                        "ops" => key.ops = self.name_string(v, &fw),
                        "ops_params" => key.ops_params = self.storage_options(v, &fw, &kw),
                        "collation" => key.collation = self.name_string(v, &fw),
                        "order" => {
                            key.order = self
                                .choice(
                                    v,
                                    &fw,
                                    &[("asc", SortOrder::Asc), ("desc", SortOrder::Desc)],
                                )
                                .map(|o| Sp {
                                    v: o,
                                    at: k.at.clone(),
                                })
                        }
                        "nulls" => {
                            key.nulls = self
                                .choice(
                                    v,
                                    &fw,
                                    &[("first", NullsOrder::First), ("last", NullsOrder::Last)],
                                )
                                .map(|o| Sp {
                                    v: o,
                                    at: k.at.clone(),
                                })
                        }
                        _ => {}
                    }
                }
                match target {
                    Some((t, tat)) => {
                        key.target = t;
                        key.at = tat;
                        Some(key)
                    }
                    None if had_unknown => None,
                    None => {
                        let d = Diagnostic::error(format!("{kw} has neither `column` nor `expr`"))
                            .at(key.at.clone())
                            .help("write `{ column: name }` or `{ expr: \"lower(name)\" }`");
                        self.err(d);
                        None
                    }
                }
            }
            _ => {
                self.wrong_shape(
                    node,
                    "a column name or a mapping with `column`/`expr`",
                    &format!("a key of {iw}"),
                );
                None
            }
        }
    }

    /// An exclusion constraint: its elements become the keys of an index read as any index is
    /// (so keys, method, `include`, `where` and `with` follow the same rules), each element's
    /// `with` its operator.
    fn exclusion(&mut self, what: &str, name: Sp<String>, node: &Node) -> Option<RawExclusion> {
        let xw = format!("exclusion constraint \"{}\" on {what}", name.v);
        let fields = self.fields(node, &xw, EXCLUSION_KEYS)?;
        let had_unknown = self.had_unknown;
        let key = |text: &str, pos: crate::spec::ast::Pos| Node {
            kind: Kind::Str(text.to_string()),
            pos,
        };
        let mut index_fields: Vec<(Node, Node)> = Vec::new();
        let mut operators = Vec::new();
        let mut deferrable = Deferrable::NotDeferrable;
        let mut comment = None;
        let mut saw_elements = false;
        for (k, v) in fields {
            let fw = format!("`{}` of {xw}", k.v);
            match k.v.as_str() {
                "elements" => {
                    saw_elements = true;
                    let Kind::Seq(items) = &v.kind else {
                        self.wrong_shape(v, "a list of elements", &fw);
                        continue;
                    };
                    if items.is_empty() {
                        let d = Diagnostic::error(format!("{fw} is an empty list"))
                            .at(k.at.clone())
                            .help("list at least one element: `{ column: room_id, with: \"=\" }`");
                        self.err(d);
                    }
                    let mut keys = Vec::new();
                    for item in items {
                        let ew = format!("an element of {xw}");
                        let Some(entries) = self.fields(item, &ew, EXCLUSION_ELEMENT_KEYS) else {
                            continue;
                        };
                        let mut operator = None;
                        let mut rest = Vec::new();
                        for (ek, ev) in entries {
                            if ek.v == "with" {
                                operator = self.name_string(ev, &format!("`with` of {ew}"));
                            } else {
                                rest.push((key(&ek.v, item.pos), ev.clone()));
                            }
                        }
                        match operator {
                            Some(op) => operators.push(op),
                            None => {
                                let d = Diagnostic::error(format!("{ew} has no `with`"))
                                    .at(self.span(item.pos))
                                    .label("no operator")
                                    .help("name the operator its values are compared with: `{ column: room_id, with: \"=\" }`, `{ expr: \"tstzrange(starts_at, ends_at)\", with: \"&&\" }`");
                                self.err(d);
                                continue;
                            }
                        }
                        keys.push(Node {
                            kind: Kind::Map(rest),
                            pos: item.pos,
                        });
                    }
                    index_fields.push((
                        key("on", v.pos),
                        Node {
                            kind: Kind::Seq(keys),
                            pos: v.pos,
                        },
                    ));
                }
                "using" | "include" | "where" | "with" => {
                    index_fields.push((key(&k.v, v.pos), v.clone()));
                }
                "index_comment" => index_fields.push((key("comment", v.pos), v.clone())),
                "deferrable" => deferrable = self.deferrable(v, &fw),
                "comment" => comment = self.string(v, &fw).map(|s| s.v),
                _ => {}
            }
        }
        if !saw_elements {
            if !had_unknown {
                let d = Diagnostic::error(format!("{xw} has no `elements`"))
                    .at(name.at.clone())
                    .help("write `{ using: gist, elements: [{ column: room_id, with: \"=\" }, { expr: \"tstzrange(starts_at, ends_at)\", with: \"&&\" }] }`");
                self.err(d);
            }
            return None;
        }
        let synthetic = Node {
            kind: Kind::Map(index_fields),
            pos: node.pos,
        };
        let mut index = self.index(what, name, &synthetic)?;
        index.noun = "exclusion constraint";
        if index.keys.len() != operators.len() {
            return None;
        }
        Some(RawExclusion {
            index,
            operators,
            deferrable,
            comment,
        })
    }

    fn index(&mut self, what: &str, name: Sp<String>, node: &Node) -> Option<RawIndex> {
        let iw = format!("index \"{}\" on {what}", name.v);
        let fields = self.fields(node, &iw, INDEX_KEYS)?;
        let had_unknown = self.had_unknown;
        let mut ix = RawIndex {
            on_at: name.at.clone(),
            name,
            keys: Vec::new(),
            method: Sp {
                v: IndexMethod::Btree,
                at: Span {
                    file: self.file.into(),
                    line: 0,
                    column: 0,
                    len: 1,
                },
            },
            ops: None,
            with: Vec::new(),
            predicate: None,
            include: Vec::new(),
            unique: None,
            nulls_not_distinct: None,
            comment: None,
            noun: "index",
        };
        ix.method.at = ix.name.at.clone();
        let mut saw_on = false;
        for (k, v) in fields {
            let fw = format!("`{}` of {iw}", k.v);
            match k.v.as_str() {
                "on" => {
                    saw_on = true;
                    ix.on_at = self.span(v.pos);
                    match &v.kind {
                        Kind::Seq(items) => {
                            if items.is_empty() {
                                let d = Diagnostic::error(format!("{fw} is an empty list"))
                                    .at(k.at.clone())
                                    .help("name at least one column");
                                self.err(d);
                            }
                            for item in items {
                                if let Some(key) = self.index_key(&iw, item) {
                                    ix.keys.push(key);
                                }
                            }
                        }
                        _ => {
                            if let Some(key) = self.index_key(&iw, v) {
                                ix.keys.push(key);
                            }
                        }
                    }
                }
                "using" => {
                    let choices: Vec<(&str, IndexMethod)> =
                        IndexMethod::ALL.iter().map(|m| (m.name(), *m)).collect();
                    if let Some(m) = self.choice(v, &fw, &choices) {
                        ix.method = Sp {
                            v: m,
                            at: self.span(v.pos),
                        };
                    }
                }
                "ops" => ix.ops = self.name_string(v, &fw),
                "with" => {
                    if let Some(entries) = self.map(v, &fw) {
                        for (ok, ov) in entries {
                            let (text, is_int) = match &ov.kind {
                                Kind::Int(s) => (s.clone(), true),
                                Kind::Float(s) | Kind::Str(s) => (s.clone(), false),
                                Kind::Bool(b) => {
                                    ((if *b { "true" } else { "false" }).to_string(), false)
                                }
                                _ => {
                                    self.wrong_shape(
                                        ov,
                                        "a number, boolean or string",
                                        &format!("option `{}` of {iw}", ok.v),
                                    );
                                    continue;
                                }
                            };
                            let at = self.span(ov.pos);
                            ix.with.push((
                                Sp {
                                    v: ok.v.to_lowercase(),
                                    at: ok.at,
                                },
                                Sp { v: text, at },
                                is_int,
                            ));
                        }
                    }
                }
                "where" => ix.predicate = self.name_string(v, &fw).map(|s| s.v),
                "include" => ix.include = self.string_list(v, &fw).unwrap_or_default(),
                "unique" => ix.unique = (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone()),
                "nulls_not_distinct" => {
                    ix.nulls_not_distinct =
                        (self.boolean(v, &fw) == Some(true)).then(|| k.at.clone())
                }
                "comment" => ix.comment = self.string(v, &fw).map(|s| s.v),
                _ => {}
            }
        }
        if !saw_on && had_unknown {
            return None;
        }
        if !saw_on {
            let d = Diagnostic::error(format!("{iw} has no `on`"))
                .at(ix.name.at.clone())
                .label("missing `on`")
                .help("name the indexed column(s): `on: column` or `on: [a, b]`");
            self.err(d);
            return None;
        }
        if ix.keys.is_empty() {
            return None;
        }
        Some(ix)
    }
}

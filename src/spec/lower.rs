//! Step 3 of `spec`: raw declarations of every file → one resolved, validated [`Schema`].
//! Names are qualified, types parsed, references resolved across files, derived constraint
//! names computed the way PostgreSQL computes them, and every rule checked; all problems are
//! collected, never just the first.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::model::{
    Check, Column, ColumnType, ConstraintKind, DefaultValue, Deferrable, Enum, Exclusion,
    ExclusionElement, Extension, FkAction, ForeignKey, Identity, Index, IndexKey, IndexMethod,
    IndexTarget, Namespace, ObjectRef, PartitionBound, PartitionKey, PartitionOf, PrimaryKey,
    QualifiedName, Schema, Sequence, SequenceOptions, SequenceOwner, SequenceType, SortOrder,
    Table, Trigger, Unique, View,
};

use super::names::{self, MAX_IDENT_BYTES};
use super::pgvector;
use super::shape::{
    RawFile, RawIndex, RawPartition, RawPartitionBy, RawSequenceOptions, RawTable, RawTarget, Sp,
};
use super::types::{self, EnumLookup};

struct Enums<'a> {
    file_schema: &'a str,
    all: &'a BTreeMap<QualifiedName, Span>,
    /// Domains, composite types and range types (`true`: a range type, whose columns are
    /// [`ColumnType::Other`] as the server's own ranges are).
    custom: &'a BTreeMap<QualifiedName, bool>,
}

impl Enums<'_> {
    /// The names a type written as `schema.name` (or `name`: in the file's schema, then
    /// `public`) may mean.
    fn candidates(&self, schema: Option<&str>, name: &str) -> Vec<QualifiedName> {
        match schema {
            Some(s) => vec![QualifiedName::new(s, name)],
            None => vec![
                QualifiedName::new(self.file_schema, name),
                QualifiedName::public(name),
            ],
        }
    }
}

impl EnumLookup for Enums<'_> {
    fn find(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.candidates(schema, name)
            .into_iter()
            .find(|q| self.all.contains_key(q))
    }
    fn names(&self) -> Vec<String> {
        self.all
            .keys()
            .chain(self.custom.keys())
            .map(|q| q.to_string())
            .collect()
    }
    fn find_custom(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.candidates(schema, name)
            .into_iter()
            .find(|q| self.custom.get(q) == Some(&false))
    }
    fn find_range(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.candidates(schema, name)
            .into_iter()
            .find(|q| self.custom.get(q) == Some(&true))
    }
}

/// A foreign key waiting for every table to exist before it is resolved.
struct PendingFk {
    name: Sp<String>,
    columns: Vec<Sp<String>>,
    /// Written target: optional schema, table, columns.
    target: (Option<String>, String, Vec<String>),
    target_at: Span,
    on_delete: FkAction,
    on_update: FkAction,
    deferrable: Deferrable,
    period: bool,
    match_full: bool,
    not_valid: bool,
    comment: Option<String>,
}

struct Built {
    table: Table,
    file_schema: String,
    /// Objects in PostgreSQL's relation namespace: name, description, position.
    relations: Vec<(String, String, Span)>,
    fks: Vec<PendingFk>,
    /// The sequences `serial` columns own.
    serials: Vec<Sequence>,
    /// Sequences the columns' defaults call, with where each default is written.
    calls: Vec<(QualifiedName, String, Span)>,
}

/// Collects diagnostics, and where each object is declared, while lowering.
#[derive(Default)]
pub struct Lowerer {
    pub diags: Vec<Diagnostic>,
    /// Where each object of the schema is declared (for errors found later, on a server).
    pub spans: crate::compare::SpanIndex,
    /// The files' `ignore:` globs, qualified with the file's schema.
    pub ignore: Vec<String>,
}

/// The schema a [`ColumnType::Other`] (or an array of one) is qualified with.
fn other_type_schema(ty: &ColumnType) -> Option<&str> {
    match ty {
        ColumnType::Other(o) => o.schema.as_deref(),
        ColumnType::Array(inner) => other_type_schema(inner),
        _ => None,
    }
}

/// The integer type a `serial` spelling stands for.
fn serial_type(text: &str) -> Option<ColumnType> {
    match text.trim().to_ascii_lowercase().as_str() {
        "serial" | "serial4" => Some(ColumnType::Integer),
        "bigserial" | "serial8" => Some(ColumnType::BigInt),
        "smallserial" | "serial2" => Some(ColumnType::SmallInt),
        _ => None,
    }
}

/// The sequence type a sequence's `as:` names.
fn sequence_type(text: &str) -> Option<SequenceType> {
    match text.trim().to_ascii_lowercase().as_str() {
        "smallint" | "int2" => Some(SequenceType::SmallInt),
        "integer" | "int" | "int4" => Some(SequenceType::Integer),
        "bigint" | "int8" => Some(SequenceType::BigInt),
        _ => None,
    }
}

fn qualify(file_schema: &str, written: &str) -> QualifiedName {
    match written.split_once('.') {
        Some((s, n)) => QualifiedName::new(s.trim(), n.trim()),
        None => QualifiedName::new(file_schema, written),
    }
}

fn is_integer(t: &ColumnType) -> bool {
    matches!(
        t,
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
    )
}

impl Lowerer {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn declared(&mut self, object: ObjectRef, at: &Span) {
        self.spans
            .objects
            .entry(object)
            .or_insert_with(|| at.clone());
    }

    /// Resolves written sequence options against PostgreSQL's defaults for `data_type`, and
    /// checks them as `CREATE SEQUENCE` would (bounds within the type, min below max, start
    /// within the bounds, a non-zero increment, a positive cache).
    fn sequence_options(
        &mut self,
        data_type: SequenceType,
        raw: &RawSequenceOptions,
        what: &str,
        at: &Span,
    ) -> SequenceOptions {
        let increment = match &raw.increment {
            Some(i) if i.v == 0 => {
                self.push(
                    Diagnostic::error(format!("{what}: `increment` cannot be 0"))
                        .at(i.at.clone())
                        .label("zero increment")
                        .help("count up with a positive increment, down with a negative one"),
                );
                1
            }
            Some(i) => i.v,
            None => 1,
        };
        let defaults = SequenceOptions::defaults(data_type, increment);
        let (lo, hi) = data_type.range();
        let min = raw.min.as_ref().map_or(defaults.min, |m| m.v);
        let max = raw.max.as_ref().map_or(defaults.max, |m| m.v);
        let start = raw
            .start
            .as_ref()
            .map_or(if increment > 0 { min } else { max }, |s| s.v);
        let cache = raw.cache.as_ref().map_or(1, |c| c.v);
        let ty = data_type.sql();
        for (key, value) in [("min", &raw.min), ("max", &raw.max)] {
            if let Some(v) = value
                && (v.v < lo || v.v > hi)
            {
                self.push(
                    Diagnostic::error(format!(
                        "{what}: `{key}` {} is outside the range of {ty}",
                        v.v
                    ))
                    .at(v.at.clone())
                    .label(format!("{ty} holds {lo} to {hi}"))
                    .help("choose a value in range, or a larger type with `as:`"),
                );
            }
        }
        if min >= max {
            let at = raw
                .max
                .as_ref()
                .or(raw.min.as_ref())
                .map_or_else(|| at.clone(), |v| v.at.clone());
            self.push(
                Diagnostic::error(format!(
                    "{what}: `min` ({min}) must be less than `max` ({max})"
                ))
                .at(at)
                .label("empty range")
                .help("swap the bounds, or leave one out for the type's default"),
            );
        } else if start < min || start > max {
            let at = raw
                .start
                .as_ref()
                .map_or_else(|| at.clone(), |v| v.at.clone());
            self.push(
                Diagnostic::error(format!(
                    "{what}: `start` ({start}) is outside `min`..`max` ({min}..{max})"
                ))
                .at(at)
                .label("start out of bounds")
                .help("start within the bounds, or move the bound"),
            );
        }
        if let Some(c) = raw.cache.as_ref().filter(|c| c.v < 1) {
            self.push(
                Diagnostic::error(format!("{what}: `cache` must be at least 1"))
                    .at(c.at.clone())
                    .label("cache below 1")
                    .help("1 is the default: no values are preallocated"),
            );
        }
        SequenceOptions {
            data_type,
            start,
            increment,
            min,
            max,
            cache: cache.max(1),
            cycle: raw.cycle.unwrap_or(false),
        }
    }

    fn check_ident(&mut self, name: &str, at: &Span, what: &str) {
        if name.len() > MAX_IDENT_BYTES {
            let mut cut = MAX_IDENT_BYTES;
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            self.push(
                Diagnostic::error(format!(
                    "the name of {what} is {} bytes long; PostgreSQL allows at most {MAX_IDENT_BYTES}",
                    name.len()
                ))
                .at(at.clone())
                .label("name too long")
                .help(format!(
                    "PostgreSQL would silently truncate it to `{}`; choose a shorter name",
                    &name[..cut]
                )),
            );
        }
    }

    /// Lowers every file into one schema.
    pub fn lower(&mut self, files: &[RawFile]) -> Schema {
        let mut schema = Schema::default();

        // Schemas (namespaces).
        let mut known_schemas: BTreeSet<String> = BTreeSet::from(["public".to_string()]);
        let mut namespaces: BTreeMap<String, ()> = BTreeMap::new();
        let mut schema_comments: BTreeMap<String, Sp<String>> = BTreeMap::new();
        for f in files {
            if f.schema_declared {
                self.check_ident(
                    &f.schema.v,
                    &f.schema.at,
                    &format!("schema \"{}\"", f.schema.v),
                );
                known_schemas.insert(f.schema.v.clone());
                if f.schema.v != "public" {
                    namespaces.insert(f.schema.v.clone(), ());
                    self.declared(ObjectRef::Schema(f.schema.v.clone()), &f.schema.at);
                }
            }
            if let Some(c) = &f.comment {
                if !f.schema_declared {
                    self.push(
                        Diagnostic::error("`comment` describes the file's schema, but this file does not name one".to_string())
                            .at(c.at.clone())
                            .label("no schema to comment on")
                            .help("put `schema: <name>` at the top of the file (`schema: public` for the public schema)"),
                    );
                } else if let Some(first) = schema_comments.get(&f.schema.v) {
                    if first.v != c.v {
                        self.push(
                            Diagnostic::error(format!(
                                "schema \"{}\" has two different comments",
                                f.schema.v
                            ))
                            .at(c.at.clone())
                            .label("second comment")
                            .help(format!("first written at {}; keep one", &first.at)),
                        );
                    }
                } else {
                    schema_comments.insert(f.schema.v.clone(), c.clone());
                }
            }
            for g in &f.ignore {
                self.ignore.push(if g.v.contains('.') {
                    g.v.clone()
                } else {
                    format!("{}.{}", f.schema.v, g.v)
                });
            }
            for sq in &f.sequences {
                if let Some((s, _)) = sq.name.v.split_once('.') {
                    known_schemas.insert(s.to_string());
                    if s != "public" {
                        namespaces.insert(s.to_string(), ());
                    }
                }
            }
            for t in &f.tables {
                if let Some((s, _)) = t.name.v.split_once('.') {
                    known_schemas.insert(s.to_string());
                    if s != "public" {
                        namespaces.insert(s.to_string(), ());
                    }
                }
            }
            for v in &f.views {
                if let Some((s, _)) = v.name.v.split_once('.') {
                    known_schemas.insert(s.to_string());
                    if s != "public" {
                        namespaces.insert(s.to_string(), ());
                    }
                }
            }
            for e in &f.enums {
                if let Some((s, _)) = e.name.v.split_once('.') {
                    known_schemas.insert(s.to_string());
                    if s != "public" {
                        namespaces.insert(s.to_string(), ());
                    }
                }
            }
        }
        schema.public_comment = schema_comments.get("public").map(|c| c.v.clone());
        schema.namespaces = namespaces
            .into_keys()
            .map(|name| Namespace {
                comment: schema_comments.get(&name).map(|c| c.v.clone()),
                name,
            })
            .collect();

        // Extensions.
        let mut ext_seen: BTreeMap<String, Span> = BTreeMap::new();
        for f in files {
            for e in &f.extensions {
                if let Some(first) = ext_seen.get(&e.name.v) {
                    self.push(
                        Diagnostic::error(format!("extension \"{}\" is declared twice", e.name.v))
                            .at(e.name.at.clone())
                            .label("second declaration")
                            .help(format!("first declared at {}; keep one", first)),
                    );
                    continue;
                }
                ext_seen.insert(e.name.v.clone(), e.name.at.clone());
                self.declared(ObjectRef::Extension(e.name.v.clone()), &e.name.at);
                schema.extensions.push(Extension {
                    name: e.name.v.clone(),
                    schema: e.schema.clone(),
                    version: e.version.clone(),
                });
            }
        }

        // Enums.
        let mut enum_at: BTreeMap<QualifiedName, Span> = BTreeMap::new();
        let custom_names: BTreeMap<QualifiedName, bool> = files
            .iter()
            .flat_map(|f| {
                f.types
                    .iter()
                    .map(|t| (qualify(&f.schema.v, &t.name.v), t.range))
            })
            .collect();
        for f in files {
            for e in &f.enums {
                let q = qualify(&f.schema.v, &e.name.v);
                let what = format!("enum \"{q}\"");
                self.check_ident(&q.name, &e.name.at, &what);
                if let Some(first) = enum_at.get(&q) {
                    self.push(
                        Diagnostic::error(format!("{what} is declared twice"))
                            .at(e.name.at.clone())
                            .label("second declaration")
                            .help(format!("first declared at {}; keep one", first)),
                    );
                    continue;
                }
                let mut seen = BTreeSet::new();
                for v in &e.values {
                    if !seen.insert(v.v.clone()) {
                        self.push(
                            Diagnostic::error(format!("{what} lists the label \"{}\" twice", v.v))
                                .at(v.at.clone())
                                .label("duplicate label")
                                .help("each enum label must be unique"),
                        );
                    }
                    self.check_ident(&v.v, &v.at, &format!("label \"{}\" of {what}", v.v));
                }
                enum_at.insert(q.clone(), e.name.at.clone());
                self.declared(ObjectRef::Enum(q.clone()), &e.name.at);
                schema.enums.push(Enum {
                    name: q,
                    values: e.values.iter().map(|v| v.v.clone()).collect(),
                    comment: e.comment.clone(),
                });
            }
        }

        // Tables: columns and per-table constraints.
        let mut table_at: BTreeMap<QualifiedName, Span> = BTreeMap::new();
        let mut built: Vec<Built> = Vec::new();
        for f in files {
            for t in &f.tables {
                let q = qualify(&f.schema.v, &t.name.v);
                if let Some(first) = table_at.get(&q) {
                    self.push(
                        Diagnostic::error(format!("table \"{q}\" is declared twice"))
                            .at(t.name.at.clone())
                            .label("second declaration")
                            .help(format!("first declared at {}; rename or merge them", first)),
                    );
                    continue;
                }
                if let Some(eat) = enum_at.get(&q) {
                    self.push(
                        Diagnostic::error(format!("table \"{q}\" has the same name as an enum"))
                            .at(t.name.at.clone())
                            .label("name already used by a type")
                            .help(format!(
                                "a table also defines a type of its name; rename the table or the enum declared at {}",
                                eat
                            )),
                    );
                }
                table_at.insert(q.clone(), t.name.at.clone());
                let enums = Enums {
                    file_schema: &f.schema.v,
                    all: &enum_at,
                    custom: &custom_names,
                };
                let b = self.table(t, q, &f.schema.v, &enums, &known_schemas);
                let partitions = self.partitions(&b.table, &t.partitions, &t.name, &f.schema.v);
                built.push(b);
                built.extend(partitions);
            }
        }

        // Foreign keys need every table.
        let snapshot: Vec<(QualifiedName, Table)> = built
            .iter()
            .map(|b| (b.table.name.clone(), b.table.clone()))
            .collect();
        for b in &mut built {
            let fks = std::mem::take(&mut b.fks);
            for fk in fks {
                if let Some(m) =
                    self.foreign_key(&b.table, &b.file_schema, fk, &snapshot, &known_schemas)
                {
                    b.table.foreign_keys.push(m);
                }
            }
        }

        // Sequences: declared ones, then the ones serial columns own.
        let mut sequence_relations: Vec<(String, String, String, Span)> = Vec::new();
        for f in files {
            for sq in &f.sequences {
                let q = qualify(&f.schema.v, &sq.name.v);
                let what = format!("sequence \"{q}\"");
                self.check_ident(&q.name, &sq.name.at, &what);
                let data_type = match &sq.options.data_type {
                    None => SequenceType::BigInt,
                    Some(t) => match sequence_type(&t.v) {
                        Some(ty) => ty,
                        None => {
                            self.push(
                                Diagnostic::error(format!(
                                    "{what}: `as` must be smallint, integer or bigint, not `{}`",
                                    t.v
                                ))
                                .at(t.at.clone())
                                .label("not a sequence type")
                                .maybe_help(did_you_mean(&t.v, ["smallint", "integer", "bigint"])),
                            );
                            SequenceType::BigInt
                        }
                    },
                };
                let options = self.sequence_options(data_type, &sq.options, &what, &sq.name.at);
                let owned_by = sq
                    .owned_by
                    .as_ref()
                    .and_then(|o| self.sequence_owner(&q, o, &what, &built));
                self.declared(ObjectRef::Sequence(q.clone()), &sq.name.at);
                sequence_relations.push((
                    q.schema.clone(),
                    q.name.clone(),
                    what.clone(),
                    sq.name.at.clone(),
                ));
                if let Some(raw) = &sq.grants
                    && let Some(g) = self.grants(
                        ObjectRef::Sequence(q.clone()),
                        raw,
                        SEQUENCE_PRIVILEGES,
                        &what,
                    )
                {
                    schema.grants.push(g);
                }
                schema.sequences.push(Sequence {
                    name: q,
                    options,
                    owned_by,
                    comment: sq.comment.clone(),
                });
            }
        }
        for b in &built {
            schema.sequences.extend(b.serials.iter().cloned());
        }
        // Every sequence a default calls must be in the spec.
        let identity_sequences: BTreeSet<QualifiedName> = built
            .iter()
            .flat_map(|b| {
                b.table.columns.iter().filter_map(|c| {
                    c.identity
                        .as_ref()
                        .map(|i| QualifiedName::new(&b.table.name.schema, &i.sequence))
                })
            })
            .collect();
        for b in &built {
            for (called, what, at) in &b.calls {
                if schema.sequence(called).is_some() || identity_sequences.contains(called) {
                    continue;
                }
                let elsewhere: Vec<String> = schema
                    .sequences
                    .iter()
                    .filter(|s| s.name.name == called.name)
                    .map(|s| s.name.to_string())
                    .collect();
                let help = match elsewhere.first() {
                    Some(other) => format!(
                        "the spec declares `{other}`; an unqualified name means `public`: write `nextval('{other}')`"
                    ),
                    None => format!(
                        "declare it under `sequences:` (with `owned_by: {}.<column>` if a column owns it), or use `type: bigserial` or `identity:` instead",
                        b.table.name.name
                    ),
                };
                self.push(
                    Diagnostic::error(format!(
                        "{what}: the default calls sequence \"{}.{}\", which the spec does not declare",
                        called.schema, called.name
                    ))
                    .at(at.clone())
                    .label("unknown sequence")
                    .help(help),
                );
            }
        }

        // Domains and composite types.
        schema.types = self.custom_types(files, &enum_at, &custom_names);

        // Views and materialized views, once every table is known.
        let tables: Vec<&Table> = built.iter().map(|b| &b.table).collect();
        schema.views = self.views(
            files,
            &tables,
            (&enum_at, &custom_names),
            &mut sequence_relations,
        );
        schema.functions = self.functions(files, &tables, &schema.views, &schema.enums);
        for v in &mut schema.views {
            v.depends_on
                .extend(crate::kind::function::calls_in(&v.query, &schema.functions));
        }
        schema.triggers = self.triggers(files, &tables, &schema.functions);
        self.policies(files, &tables, &mut schema);
        for f in files {
            for t in &f.tables {
                let q = qualify(&f.schema.v, &t.name.v);
                if let Some(raw) = &t.grants
                    && tables.iter().any(|x| x.name == q)
                    && let Some(g) = self.grants(
                        ObjectRef::Table(q.clone()),
                        raw,
                        TABLE_PRIVILEGES,
                        &format!("table \"{q}\""),
                    )
                {
                    schema.grants.push(g);
                }
            }
            for v in &f.views {
                let q = qualify(&f.schema.v, &v.name.v);
                if let Some(raw) = &v.grants
                    && let Some(g) = self.grants(
                        ObjectRef::View(q.clone()),
                        raw,
                        TABLE_PRIVILEGES,
                        &format!("view \"{q}\""),
                    )
                {
                    schema.grants.push(g);
                }
            }
            for raw in &f.functions {
                let Some(grants) = &raw.grants else {
                    continue;
                };
                let (q, args, identity) = routine_key(&f.schema.v, raw);
                let object = ObjectRef::Function {
                    name: q.clone(),
                    args: identity,
                };
                let word = if raw.procedure {
                    "procedure"
                } else {
                    "function"
                };
                if schema.functions.iter().any(|x| x.object() == object)
                    && !schema.grants.iter().any(|g| g.object == object)
                    && let Some(g) = self.grants(
                        object,
                        grants,
                        ROUTINE_PRIVILEGES,
                        &format!("{word} \"{q}({args})\""),
                    )
                {
                    schema.grants.push(g);
                }
            }
        }
        self.schema_grants(files, &mut schema);

        // Names that share PostgreSQL's relation namespace, per schema.
        self.relation_names(&built, sequence_relations);

        schema.tables = built.into_iter().map(|b| b.table).collect();
        schema.normalize();
        schema
    }

    /// The domains and composite types of every file.
    fn custom_types(
        &mut self,
        files: &[RawFile],
        enum_at: &BTreeMap<QualifiedName, Span>,
        custom_names: &BTreeMap<QualifiedName, bool>,
    ) -> Vec<crate::model::CustomType> {
        use crate::model::{CustomType, CustomTypeKind};
        let mut seen: BTreeMap<QualifiedName, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for f in files {
            let lookup = Enums {
                file_schema: &f.schema.v,
                all: enum_at,
                custom: custom_names,
            };
            for raw in &f.types {
                let q = qualify(&f.schema.v, &raw.name.v);
                let word = if raw.range {
                    "range type"
                } else if raw.composite {
                    "composite type"
                } else {
                    "domain"
                };
                let what = format!("{word} \"{q}\"");
                self.check_ident(&q.name, &raw.name.at, &what);
                if let Some(first) = seen.get(&q).or_else(|| enum_at.get(&q)) {
                    self.push(
                        Diagnostic::error(format!("{what} is declared twice"))
                            .at(raw.name.at.clone())
                            .label("second declaration")
                            .help(format!(
                                "first declared at {} (enums, domains and composite types share one namespace); keep one",
                                first
                            )),
                    );
                    continue;
                }
                seen.insert(q.clone(), raw.name.at.clone());
                let parse = |this: &mut Self, ty: &Sp<String>, place: &str| match types::parse(
                    &ty.v, &lookup,
                ) {
                    Ok(ColumnType::Custom(inner)) if inner == q => {
                        this.push(
                            Diagnostic::error(format!("{what} is built on itself"))
                                .at(ty.at.clone())
                                .label("the type being declared")
                                .help("use a built-in type, an enum or another domain"),
                        );
                        None
                    }
                    Ok(t) => Some(t),
                    Err(e) => {
                        this.push(
                            Diagnostic::error(format!("{place} of {what}: {}", e.message))
                                .at(ty.at.clone())
                                .label("unknown type")
                                .maybe_help(e.help),
                        );
                        None
                    }
                };
                let kind = if raw.range {
                    let Some(subtype) = raw
                        .base
                        .as_ref()
                        .and_then(|b| parse(self, b, "the subtype"))
                    else {
                        continue;
                    };
                    CustomTypeKind::Range {
                        subtype,
                        subtype_opclass: raw.subtype_opclass.clone(),
                        collation: raw.collation.clone(),
                        subtype_diff: raw.subtype_diff.clone(),
                        multirange: raw
                            .multirange
                            .clone()
                            .filter(|m| *m != crate::model::multirange_name(&q.name)),
                    }
                } else if raw.composite {
                    let mut attributes = Vec::new();
                    for (n, ty) in &raw.fields {
                        if let Some(t) = parse(self, ty, &format!("field \"{}\"", n.v)) {
                            attributes.push((n.v.clone(), t));
                        }
                    }
                    CustomTypeKind::Composite { attributes }
                } else {
                    let Some(base) = raw
                        .base
                        .as_ref()
                        .and_then(|b| parse(self, b, "the base type"))
                    else {
                        continue;
                    };
                    let mut checks: Vec<Check> = raw
                        .checks
                        .iter()
                        .map(|(n, e)| Check {
                            name: n.clone(),
                            expr: strip_parens(e),
                            ..Default::default()
                        })
                        .collect();
                    if let Some(c) = &raw.check {
                        checks.push(Check {
                            name: names::make_object_name(&q.name, None, Some("check")),
                            expr: strip_parens(c),
                            ..Default::default()
                        });
                    }
                    CustomTypeKind::Domain {
                        base,
                        not_null: raw.not_null,
                        default: raw.default.clone(),
                        checks,
                    }
                };
                let t = CustomType {
                    name: q,
                    kind,
                    comment: raw.comment.clone(),
                };
                self.declared(t.object(), &raw.name.at);
                out.push(t);
            }
        }
        out
    }

    /// The views of every file, with what their queries read. `relations` collects their
    /// names (and their indexes') for the relation-namespace check.
    fn views(
        &mut self,
        files: &[RawFile],
        tables: &[&Table],
        (enum_at, custom_names): (
            &BTreeMap<QualifiedName, Span>,
            &BTreeMap<QualifiedName, bool>,
        ),
        relations: &mut Vec<(String, String, String, Span)>,
    ) -> Vec<View> {
        let mut names: BTreeSet<QualifiedName> = BTreeSet::new();
        let mut seen: BTreeMap<QualifiedName, Span> = BTreeMap::new();
        for f in files {
            for v in &f.views {
                names.insert(qualify(&f.schema.v, &v.name.v));
            }
        }
        let mut out = Vec::new();
        for f in files {
            for raw in &f.views {
                let q = qualify(&f.schema.v, &raw.name.v);
                let word = if raw.materialized {
                    "materialized view"
                } else {
                    "view"
                };
                let what = format!("{word} \"{q}\"");
                self.check_ident(&q.name, &raw.name.at, &what);
                if let Some(first) = seen.get(&q) {
                    self.push(
                        Diagnostic::error(format!("{what} is declared twice"))
                            .at(raw.name.at.clone())
                            .label("second declaration")
                            .help(format!("first declared at {}; keep one", first)),
                    );
                    continue;
                }
                seen.insert(q.clone(), raw.name.at.clone());
                self.declared(ObjectRef::View(q.clone()), &raw.name.at);
                relations.push((
                    q.schema.clone(),
                    q.name.clone(),
                    what.clone(),
                    raw.name.at.clone(),
                ));
                let Some(sql) = &raw.sql else { continue };
                if !raw.sql_lines.is_empty() {
                    self.spans.queries.insert(
                        ObjectRef::View(q.clone()),
                        crate::compare::SqlOrigin {
                            file: sql.at.file.clone(),
                            text: sql.v.clone(),
                            lines: raw.sql_lines.clone(),
                            sent_trimmed: true,
                        },
                    );
                }
                let query = view_query(&sql.v);
                if query.is_empty() {
                    self.push(
                        Diagnostic::error(format!("{what} has an empty `sql`"))
                            .at(sql.at.clone())
                            .label("no query")
                            .help("write the view's query: `sql: SELECT id, title FROM documents`"),
                    );
                    continue;
                }
                let mut view = View::new(q.clone(), raw.materialized, query);
                view.security_invoker = raw.security_invoker;
                view.security_barrier = raw.security_barrier;
                view.check_option = raw.check_option;
                view.with_data = raw.with_data;
                view.comment = raw.comment.clone();
                view.storage = raw
                    .with
                    .iter()
                    .map(|(k, v)| (k.v.clone(), v.v.clone()))
                    .collect();
                view.columns = raw
                    .columns
                    .iter()
                    .map(|(c, text)| crate::model::ViewColumn {
                        name: c.v.clone(),
                        ty: None,
                        comment: Some(text.clone()),
                    })
                    .collect();
                view.depends_on = query_dependencies(&view.query, tables, &names);
                let enums = Enums {
                    file_schema: &f.schema.v,
                    all: enum_at,
                    custom: custom_names,
                };
                view.entity = self.view_entity(raw, &what, &enums);
                let mut relation = Table::named(q.clone());
                if let Some(e) = &view.entity {
                    relation.columns = e.columns.clone();
                }
                for ix in &raw.indexes {
                    relations.push((
                        q.schema.clone(),
                        ix.name.v.clone(),
                        format!("index \"{}\" on {what}", ix.name.v),
                        ix.name.at.clone(),
                    ));
                    if let Some(m) = self.index(&relation, ix, &what, false) {
                        self.declared(ObjectRef::index(&q, &m.name), &ix.name.at);
                        view.indexes.push(m);
                    }
                }
                out.push(view);
            }
        }
        out
    }

    /// A view's `key:` and typed `columns:`: every column listed with a type, the key among
    /// them and never NULL. Types without a key are refused (they only serve the entity).
    fn view_entity(
        &mut self,
        raw: &super::shape::RawView,
        what: &str,
        enums: &Enums<'_>,
    ) -> Option<crate::model::ViewEntity> {
        let Some(key) = &raw.key else {
            if let Some((c, t, _)) = raw.typed.first() {
                self.push(
                    Diagnostic::error(format!(
                        "{what}: column \"{}\" has a `type`, but the view has no `key`",
                        c.v
                    ))
                    .at(t.at.clone())
                    .label("type without a key")
                    .help("column types of a view are for its entity, which needs the columns that identify a row: add `key: [id]`, or drop the types"),
                );
            }
            return None;
        };
        let before = self.diags.len();
        if raw.typed.is_empty() {
            self.push(
                Diagnostic::error(format!("{what} has a `key` but no typed `columns`"))
                    .at(key.at.clone())
                    .label("no column types")
                    .help("list every column of the query in order with its type: `columns: { id: { type: bigint }, title: { type: text? } }` (`?`: can be NULL)"),
            );
            return None;
        }
        let mut columns = Vec::new();
        for (name, ty, nullable) in &raw.typed {
            match types::parse(ty.v.trim(), enums) {
                Ok(parsed) => columns.push(Column {
                    name: name.v.clone(),
                    ty: parsed,
                    nullable: *nullable,
                    default: None,
                    identity: None,
                    generated: None,
                    comment: raw
                        .columns
                        .iter()
                        .find(|(c, _)| c.v == name.v)
                        .map(|(_, t)| t.clone()),
                    renamed_from: None,
                    statistics: None,
                    collation: None,
                    storage: None,
                    compression: None,
                    generated_virtual: false,
                }),
                Err(e) => self.push(
                    Diagnostic::error(format!("column \"{}\" of {what}: {}", name.v, e.message))
                        .at(ty.at.clone())
                        .label("invalid type")
                        .maybe_help(e.help),
                ),
            }
        }
        for (name, _) in &raw.columns {
            if !raw.typed.iter().any(|(t, _, _)| t.v == name.v) {
                self.push(
                    Diagnostic::error(format!(
                        "column \"{}\" of {what} has no `type`, but the view has a `key`",
                        name.v
                    ))
                    .at(name.at.clone())
                    .label("untyped column")
                    .help("with `key:`, every column of the query is listed with its type: `{ type: text, comment: ... }`"),
                );
            }
        }
        for k in &key.v {
            match columns.iter().find(|c| c.name == k.v) {
                None if raw.typed.iter().all(|(t, _, _)| t.v != k.v) => self.push(
                    Diagnostic::error(format!(
                        "`key` of {what} names column \"{}\", which its `columns` do not list",
                        k.v
                    ))
                    .at(k.at.clone())
                    .label("unknown column")
                    .help(
                        did_you_mean(&k.v, raw.typed.iter().map(|(t, _, _)| t.v.as_str()))
                            .unwrap_or_else(|| "list it under `columns:` with its type".into()),
                    ),
                ),
                Some(c) if c.nullable => self.push(
                    Diagnostic::error(format!(
                        "key column \"{}\" of {what} is marked as possibly NULL",
                        k.v
                    ))
                    .at(k.at.clone())
                    .label("nullable key")
                    .help("a key identifies a row, so it is never NULL: drop the `?` from its type, or choose other key columns"),
                ),
                _ => {}
            }
        }
        (self.diags.len() == before).then(|| crate::model::ViewEntity {
            key: key.v.iter().map(|k| k.v.clone()).collect(),
            columns,
        })
    }

    /// The functions and procedures of every file, with what their texts name.
    fn functions(
        &mut self,
        files: &[RawFile],
        tables: &[&Table],
        views: &[View],
        enums: &[crate::model::Enum],
    ) -> Vec<crate::model::Function> {
        let view_names: BTreeSet<QualifiedName> = views.iter().map(|v| v.name.clone()).collect();
        let mut seen: BTreeMap<(QualifiedName, String), Span> = BTreeMap::new();
        let mut out: Vec<crate::model::Function> = Vec::new();
        for f in files {
            for raw in &f.functions {
                let (q, args, identity) = routine_key(&f.schema.v, raw);
                let word = if raw.procedure {
                    "procedure"
                } else {
                    "function"
                };
                let what = format!("{word} \"{q}\"");
                self.check_ident(&q.name, &raw.key.at, &what);
                let key = (q.clone(), identity.clone());
                if let Some(first) = seen.get(&key) {
                    self.push(
                        Diagnostic::error(format!("{word} \"{q}({args})\" is declared twice"))
                            .at(raw.key.at.clone())
                            .label("second declaration")
                            .help(format!(
                                "first declared at {}; overloads differ in their `args`",
                                first
                            )),
                    );
                    continue;
                }
                seen.insert(key, raw.key.at.clone());
                let (Some(body), Some(language)) = (&raw.body, &raw.language) else {
                    continue;
                };
                let function = crate::model::Function {
                    name: q.clone(),
                    procedure: raw.procedure,
                    identity,
                    args,
                    returns: raw.returns.as_ref().map(|r| r.v.trim().to_string()),
                    language: language.v.trim().to_lowercase(),
                    body: body.v.clone(),
                    volatility: raw.volatility,
                    strict: raw.strict,
                    security_definer: raw.security_definer,
                    parallel: raw.parallel,
                    config: raw.config.clone(),
                    comment: raw.comment.clone(),
                    depends_on: Vec::new(),
                };
                let me = function.object();
                self.declared(me.clone(), &raw.key.at);
                if !raw.body_lines.is_empty() {
                    self.spans.queries.insert(
                        me,
                        crate::compare::SqlOrigin {
                            file: body.at.file.clone(),
                            text: body.v.clone(),
                            lines: raw.body_lines.clone(),
                            sent_trimmed: false,
                        },
                    );
                }
                out.push(function);
            }
        }
        // What each one names: tables, views, enums, and the other functions it calls.
        let snapshot = out.clone();
        for f in &mut out {
            let text = format!(
                "{} {} {}",
                f.args,
                f.returns.as_deref().unwrap_or_default(),
                f.body
            );
            let mut deps = query_dependencies(&text, tables, &view_names);
            for chain in crate::sql_lex::name_chains(&text) {
                let candidates = match chain.as_slice() {
                    [s, n, ..] => vec![QualifiedName::new(s, n), QualifiedName::public(&chain[0])],
                    [n] => vec![QualifiedName::public(n)],
                    [] => vec![],
                };
                for c in candidates {
                    if enums.iter().any(|e| e.name == c) {
                        deps.push(ObjectRef::Enum(c));
                        break;
                    }
                }
            }
            deps.extend(
                crate::kind::function::calls_in(&text, &snapshot)
                    .into_iter()
                    .filter(|o| *o != f.object()),
            );
            f.depends_on = deps;
        }
        out
    }

    /// A `grants:` mapping of `object`: roles (`public` is PUBLIC) and privileges among
    /// `allowed` (`all` stands for every one of them).
    fn grants(
        &mut self,
        object: ObjectRef,
        raw: &super::shape::RawGrants,
        allowed: &[&str],
        what: &str,
    ) -> Option<crate::model::Grants> {
        let before = self.diags.len();
        let mut privileges = Vec::new();
        for (role, privs) in raw {
            self.check_ident(
                &role.v,
                &role.at,
                &format!("role \"{}\" in `grants` of {what}", role.v),
            );
            let mut set: Vec<String> = Vec::new();
            for p in privs {
                let word = p.v.trim().to_lowercase();
                if word == "all" {
                    set.extend(allowed.iter().map(|a| a.to_uppercase()));
                } else if allowed.contains(&word.as_str()) {
                    set.push(word.to_uppercase());
                } else {
                    self.push(
                        Diagnostic::error(format!(
                            "`grants` of {what}: `{}` is not a privilege of this object",
                            p.v
                        ))
                        .at(p.at.clone())
                        .label("unknown privilege")
                        .help(
                            did_you_mean(&word, allowed.iter().copied()).unwrap_or_else(|| {
                                format!("privileges here: {}, or all", allowed.join(", "))
                            }),
                        ),
                    );
                }
            }
            let name = if role.v.eq_ignore_ascii_case("public") {
                "PUBLIC".to_string()
            } else {
                role.v.clone()
            };
            privileges.push((name, set));
        }
        (self.diags.len() == before).then_some(crate::model::Grants { object, privileges })
    }

    /// The `grants:` of each file's schema: one declaration per schema (files that share a
    /// schema may repeat it only word for word), never on `public`, which tidemark leaves alone.
    fn schema_grants(&mut self, files: &[RawFile], schema: &mut Schema) {
        let mut first: BTreeMap<String, (Span, crate::model::Grants)> = BTreeMap::new();
        for f in files {
            let Some(raw) = &f.grants else {
                continue;
            };
            if !f.schema_declared || f.schema.v == "public" {
                self.push(
                    Diagnostic::error(
                        "`grants` at the top of a file are its schema's privileges, but this file is in `public`".to_string(),
                    )
                    .at(raw.at.clone())
                    .label("no schema to grant on")
                    .help("put `schema: <name>` at the top of the file; tidemark does not manage the `public` schema itself"),
                );
                continue;
            }
            let what = format!("schema \"{}\"", f.schema.v);
            let Some(mut g) = self.grants(
                ObjectRef::Schema(f.schema.v.clone()),
                &raw.v,
                SCHEMA_PRIVILEGES,
                &what,
            ) else {
                continue;
            };
            g.normalize();
            match first.get(&f.schema.v) {
                Some((at, other)) if other.privileges != g.privileges => self.push(
                    Diagnostic::error(format!("{what} has two different `grants`"))
                        .at(raw.at.clone())
                        .label("second declaration")
                        .help(format!("first declared at {}; keep one", at)),
                ),
                Some(_) => {}
                None => {
                    first.insert(f.schema.v.clone(), (raw.at.clone(), g.clone()));
                    schema.grants.push(g);
                }
            }
        }
    }

    /// Row-level security and the policies of every table.
    fn policies(&mut self, files: &[RawFile], tables: &[&Table], schema: &mut Schema) {
        use crate::model::{Policy, PolicyCommand, RowSecurity};
        for f in files {
            for t in &f.tables {
                let table = qualify(&f.schema.v, &t.name.v);
                if let Some(forced) = t.row_security {
                    schema.row_security.push(RowSecurity {
                        table: table.clone(),
                        forced,
                    });
                }
                // A table that failed to lower has no policies to check.
                if !tables.iter().any(|x| x.name == table) {
                    continue;
                }
                for raw in &t.policies {
                    let what = format!("policy \"{}\" on table \"{table}\"", raw.name.v);
                    self.check_ident(&raw.name.v, &raw.name.at, &what);
                    if t.row_security.is_none() {
                        // PostgreSQL allows it (policies are often created before security
                        // is switched on), but the policy does nothing yet.
                        self.push(
                            Diagnostic::warning(format!(
                                "{what}: the table does not enable row-level security, so the policy does not apply yet"
                            ))
                            .at(raw.name.at.clone())
                            .label("not applied")
                            .help("add `row_level_security: true` (or `forced`, to hold the table's owner to it too) to the table"),
                        );
                    }
                    if raw.with_check.is_some()
                        && matches!(raw.command, PolicyCommand::Select | PolicyCommand::Delete)
                    {
                        let at = raw.with_check.as_ref().map(|w| w.at.clone());
                        self.push(
                            Diagnostic::error(format!(
                                "{what}: a {} policy takes no `with_check`",
                                raw.command.sql()
                            ))
                            .maybe_at(at)
                            .label("only for rows written")
                            .help("`with_check` applies to inserted and updated rows; use `using` to filter the rows read or deleted"),
                        );
                        continue;
                    }
                    if raw.using.is_some() && raw.command == PolicyCommand::Insert {
                        let at = raw.using.as_ref().map(|w| w.at.clone());
                        self.push(
                            Diagnostic::error(format!("{what}: an INSERT policy takes no `using`"))
                                .maybe_at(at)
                                .label("no existing rows to filter")
                                .help("use `with_check` for the rows an insert may write"),
                        );
                        continue;
                    }
                    let policy = Policy {
                        table: table.clone(),
                        name: raw.name.v.clone(),
                        permissive: raw.permissive,
                        command: raw.command,
                        roles: raw
                            .roles
                            .iter()
                            .map(|r| r.v.clone())
                            .filter(|r| !r.eq_ignore_ascii_case("public"))
                            .collect(),
                        using: raw.using.as_ref().map(|u| u.v.clone()),
                        with_check: raw.with_check.as_ref().map(|u| u.v.clone()),
                        comment: raw.comment.clone(),
                    };
                    self.declared(policy.object(), &raw.name.at);
                    schema.policies.push(policy);
                }
            }
        }
    }

    /// The triggers of every table and view.
    fn triggers(
        &mut self,
        files: &[RawFile],
        tables: &[&Table],
        functions: &[crate::model::Function],
    ) -> Vec<Trigger> {
        use crate::model::{TriggerEvent, TriggerTiming};
        let mut out = Vec::new();
        for f in files {
            let mut on: Vec<(QualifiedName, &[super::shape::RawTrigger], bool)> = Vec::new();
            for t in &f.tables {
                on.push((qualify(&f.schema.v, &t.name.v), &t.triggers, false));
            }
            for v in &f.views {
                on.push((qualify(&f.schema.v, &v.name.v), &v.triggers, true));
            }
            for (relation, raws, is_view) in on {
                let table = tables.iter().find(|t| t.name == relation);
                for raw in raws {
                    let what = format!(
                        "trigger \"{}\" on {} \"{relation}\"",
                        raw.name.v,
                        if is_view { "view" } else { "table" }
                    );
                    self.check_ident(&raw.name.v, &raw.name.at, &what);
                    let Some((timing, events, timing_at)) = &raw.timing else {
                        continue;
                    };
                    let Some(execute) = &raw.execute else {
                        continue;
                    };
                    let before = self.diags.len();
                    if events.is_empty() && !raw.bad_event {
                        self.push(
                            Diagnostic::error(format!("{what} has no events"))
                                .at(timing_at.clone())
                                .label("no events")
                                .help("list insert, update, delete or truncate"),
                        );
                    }
                    let wrong_timing = if is_view {
                        raw.for_each_row && *timing != TriggerTiming::InsteadOf
                    } else {
                        *timing == TriggerTiming::InsteadOf
                    };
                    if wrong_timing {
                        self.push(
                            Diagnostic::error(if is_view {
                                format!("{what}: a row trigger on a view fires `instead_of` its events")
                            } else {
                                format!("{what}: `instead_of` triggers are for views")
                            })
                            .at(timing_at.clone())
                            .label("not possible here")
                            .help(if is_view {
                                "write `instead_of: [insert]` (or `for_each: statement` with before/after)"
                            } else {
                                "use `before` or `after` on a table"
                            }),
                        );
                    }
                    if *timing == TriggerTiming::InsteadOf && !raw.for_each_row {
                        self.push(
                            Diagnostic::error(format!(
                                "{what}: `instead_of` triggers fire for each row"
                            ))
                            .at(timing_at.clone())
                            .label("needs `for_each: row`")
                            .help("remove `for_each: statement`"),
                        );
                    }
                    if events.contains(&TriggerEvent::Truncate) && raw.for_each_row {
                        self.push(
                            Diagnostic::error(format!(
                                "{what}: `truncate` fires once per statement"
                            ))
                            .at(timing_at.clone())
                            .label("truncate with for_each: row")
                            .help("add `for_each: statement`, or drop `truncate`"),
                        );
                    }
                    if !raw.update_of.is_empty() && !events.contains(&TriggerEvent::Update) {
                        self.push(
                            Diagnostic::error(format!(
                                "{what} lists `update_of` without an update event"
                            ))
                            .at(raw.update_of[0].at.clone())
                            .label("not an update trigger")
                            .help("add `update` to its events, or remove `update_of`"),
                        );
                    }
                    if let Some(t) = table {
                        for c in &raw.update_of {
                            if t.column(&c.v).is_none() {
                                let t = (*t).clone();
                                self.missing_column(&t, c, &format!("`update_of` of {what}"));
                            }
                        }
                    }
                    let function = resolve_trigger_function(&execute.v, &f.schema.v, functions);
                    if let Some(spec_fn) = functions
                        .iter()
                        .find(|x| x.name == function && x.identity.is_empty())
                        && spec_fn.returns.as_deref() != Some("trigger")
                    {
                        self.push(
                            Diagnostic::error(format!(
                                "{what} executes function \"{function}\", which does not return `trigger`"
                            ))
                            .at(execute.at.clone())
                            .label("not a trigger function")
                            .help("a trigger's function is declared with `returns: trigger` and no `args`"),
                        );
                    }
                    if let Some((_, at)) = &raw.enabled
                        && is_view
                    {
                        self.push(
                            Diagnostic::error(format!(
                                "{what}: a view's triggers cannot be disabled"
                            ))
                            .at(at.clone())
                            .label("not possible on a view")
                            .help("PostgreSQL has no ALTER … DISABLE TRIGGER for views; drop the trigger instead, or remove `enabled`"),
                        );
                    }
                    if let Some((_, at)) = &raw.deferrable
                        && raw.constraint.is_none()
                    {
                        self.push(
                            Diagnostic::error(format!(
                                "{what} is `deferrable`, but only a constraint trigger can wait"
                            ))
                            .at(at.clone())
                            .label("not a constraint trigger")
                            .help("add `constraint: true` (an `after`, `for_each: row` trigger), or remove `deferrable`"),
                        );
                    }
                    if let Some(at) = &raw.constraint
                        && (*timing != TriggerTiming::After || !raw.for_each_row)
                    {
                        self.push(
                            Diagnostic::error(format!(
                                "{what}: a constraint trigger fires `after` its events, for each row"
                            ))
                            .at(at.clone())
                            .label("constraint trigger")
                            .help("write `after: [...]` and leave `for_each` at `row`, or remove `constraint`"),
                        );
                    }
                    if self.diags.len() > before {
                        continue;
                    }
                    let trigger = Trigger {
                        table: relation.clone(),
                        name: raw.name.v.clone(),
                        timing: *timing,
                        events: events.clone(),
                        update_of: raw.update_of.iter().map(|c| c.v.clone()).collect(),
                        for_each_row: raw.for_each_row,
                        when: raw.when.clone(),
                        function,
                        args: raw.args.clone(),
                        enabled: raw.enabled.as_ref().map(|(e, _)| *e).unwrap_or_default(),
                        constraint: raw
                            .constraint
                            .as_ref()
                            .map(|_| raw.deferrable.as_ref().map(|(d, _)| *d).unwrap_or_default()),
                        comment: raw.comment.clone(),
                    };
                    self.declared(trigger.object(), &raw.name.at);
                    out.push(trigger);
                }
            }
        }
        out
    }

    /// Resolves a sequence's `owned_by: table.column` (or `schema.table.column`, in the
    /// sequence's own schema, as PostgreSQL requires).
    fn sequence_owner(
        &mut self,
        seq: &QualifiedName,
        owner: &Sp<String>,
        what: &str,
        built: &[Built],
    ) -> Option<SequenceOwner> {
        let parts: Vec<&str> = owner.v.split('.').map(str::trim).collect();
        let (schema, table, column) = match parts.as_slice() {
            [t, c] => (seq.schema.as_str(), *t, *c),
            [s, t, c] => (*s, *t, *c),
            _ => {
                self.push(
                    Diagnostic::error(format!("{what}: cannot read `owned_by: {}`", owner.v))
                        .at(owner.at.clone())
                        .label("malformed owner")
                        .help("write `owned_by: table.column`"),
                );
                return None;
            }
        };
        if schema != seq.schema {
            self.push(
                Diagnostic::error(format!(
                    "{what} is in schema \"{}\" but `owned_by` names a table in schema \"{schema}\"",
                    seq.schema
                ))
                .at(owner.at.clone())
                .label("other schema")
                .help("PostgreSQL requires a sequence and its owning table to share a schema; move one of them"),
            );
            return None;
        }
        let q = QualifiedName::new(schema, table);
        let Some(t) = built.iter().find(|b| b.table.name == q).map(|b| &b.table) else {
            self.push(
                Diagnostic::error(format!(
                    "{what} is `owned_by` table \"{q}\", which the spec does not declare"
                ))
                .at(owner.at.clone())
                .label("unknown table")
                .maybe_help(did_you_mean(
                    table,
                    built
                        .iter()
                        .filter(|b| b.table.name.schema == schema)
                        .map(|b| b.table.name.name.as_str()),
                )),
            );
            return None;
        };
        if t.column(column).is_none() {
            let t = t.clone();
            self.missing_column(
                &t,
                &Sp {
                    v: column.to_string(),
                    at: owner.at.clone(),
                },
                &format!("`owned_by` of {what}"),
            );
            return None;
        }
        Some(SequenceOwner {
            table: table.to_string(),
            column: column.to_string(),
        })
    }

    fn relation_names(&mut self, built: &[Built], sequences: Vec<(String, String, String, Span)>) {
        let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut entries: Vec<(String, String, String, Span)> = Vec::new();
        for b in built {
            for (name, what, at) in &b.relations {
                entries.push((
                    b.table.name.schema.clone(),
                    name.clone(),
                    what.clone(),
                    at.clone(),
                ));
            }
        }
        entries.extend(sequences);
        for (schema, name, what, at) in entries {
            let key = (schema.clone(), name.clone());
            if let Some(first) = seen.get(&key) {
                self.push(
                    Diagnostic::error(format!(
                        "{what} uses the name \"{name}\", already taken by {first} in schema \"{schema}\""
                    ))
                    .at(at)
                    .label("name already used in this schema")
                    .help("tables, views, sequences, indexes, primary keys and unique constraints share one namespace per PostgreSQL schema (PostgreSQL would append a number to a derived name); give one of them another name"),
                );
            } else {
                seen.insert(key, what);
            }
        }
    }

    fn missing_column(&mut self, table: &Table, col: &Sp<String>, what: &str) {
        let help = did_you_mean(&col.v, table.columns.iter().map(|c| c.name.as_str()))
            .unwrap_or_else(|| {
                format!(
                    "table \"{}\" has columns: {}",
                    table.name,
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        self.push(
            Diagnostic::error(format!(
                "{what} names column \"{}\", which table \"{}\" does not have",
                col.v, table.name
            ))
            .at(col.at.clone())
            .label("no such column")
            .help(help),
        );
    }

    fn table(
        &mut self,
        t: &RawTable,
        q: QualifiedName,
        file_schema: &str,
        enums: &Enums<'_>,
        known_schemas: &BTreeSet<String>,
    ) -> Built {
        let tw = format!("table \"{q}\"");
        self.check_ident(&q.name, &t.name.at, &tw);
        if q.schema != file_schema && !known_schemas.contains(&q.schema) {
            // Unreachable in practice (qualified keys register their schema) but kept for safety.
            self.push(
                Diagnostic::error(format!("{tw} is in unknown schema \"{}\"", q.schema))
                    .at(t.name.at.clone()),
            );
        }
        let mut table = Table {
            comment: t.comment.clone(),
            renamed_from: t.renamed_from.clone(),
            ..Table::named(q.clone())
        };
        let mut fks = Vec::new();
        let mut pk_cols: Vec<&Sp<String>> = Vec::new();
        // Constraint names within this table.
        let mut cons_names: BTreeMap<String, String> = BTreeMap::new();
        let mut cons: Vec<(String, String, Span, bool)> = Vec::new();

        let mut serials: Vec<Sequence> = Vec::new();
        let mut calls: Vec<(QualifiedName, String, Span)> = Vec::new();
        let mut sequence_names: Vec<(String, String, Span)> = Vec::new();
        self.declared(ObjectRef::Table(q.clone()), &t.name.at);
        for c in &t.columns {
            let cw = format!("column \"{}\" of {tw}", c.name.v);
            self.check_ident(&c.name.v, &c.name.at, &cw);
            self.declared(ObjectRef::column(&q, &c.name.v), &c.name.at);
            let serial = serial_type(&c.ty.v);
            if let Some(ty) = &serial {
                let conflict = if c.identity.is_some() {
                    Some(("identity", c.identity.as_ref().map(|i| i.at.clone())))
                } else if c.generated.is_some() {
                    Some(("generated", c.generated.as_ref().map(|g| g.at.clone())))
                } else if c.default.is_some() {
                    Some(("a default", c.default.as_ref().map(|d| d.at.clone())))
                } else {
                    None
                };
                if let Some((what, at)) = conflict {
                    self.push(
                        Diagnostic::error(format!("{cw} is `{}` and also has {what}", c.ty.v))
                            .at(at.unwrap_or_else(|| c.ty.at.clone()))
                            .label(format!("conflicts with `{}`", c.ty.v))
                            .help("a serial column draws its values from its own sequence: remove this, or use the plain integer type"),
                    );
                }
                if c.nullable && c.primary_key.is_none() {
                    self.push(
                        Diagnostic::error(format!("{cw} is `{}` but nullable", c.ty.v))
                            .at(c.ty.at.clone())
                            .label("serial columns are NOT NULL")
                            .help("remove the `?` (or `nullable: true`); PostgreSQL makes serial columns NOT NULL"),
                    );
                }
                let seq_name = names::make_object_name(&q.name, Some(&c.name.v), Some("seq"));
                let seq = QualifiedName::new(&q.schema, &seq_name);
                let data_type = SequenceType::of_column(ty).unwrap_or(SequenceType::Integer);
                sequence_names.push((
                    seq_name.clone(),
                    format!("sequence \"{seq_name}\" (derived for serial {cw})"),
                    c.ty.at.clone(),
                ));
                self.declared(ObjectRef::Sequence(seq.clone()), &c.ty.at);
                serials.push(Sequence {
                    name: seq,
                    options: SequenceOptions::defaults(data_type, 1),
                    owned_by: Some(SequenceOwner {
                        table: q.name.clone(),
                        column: c.name.v.clone(),
                    }),
                    comment: None,
                });
            }
            if let Some(d) = &c.default
                && let DefaultValue::Expr(e) = &d.v
            {
                for called in crate::sql_lex::sequence_calls(e, "public") {
                    calls.push((called, cw.clone(), d.at.clone()));
                }
            }
            let parsed = match &serial {
                Some(ty) => Ok(ty.clone()),
                None => types::parse(&c.ty.v, enums),
            };
            // A type the model has no variant of, qualified with a schema the spec does not
            // know: the same mistake as an enum's.
            let parsed = match parsed {
                Ok(ty)
                    if other_type_schema(&ty)
                        .is_some_and(|sch| sch != "pg_catalog" && !known_schemas.contains(sch)) =>
                {
                    Err(types::TypeError {
                        message: String::new(),
                        help: None,
                    })
                }
                other => other,
            };
            let ty = match parsed {
                Ok(ty) => Some(ty),
                Err(e) => {
                    let base = c.ty.v.trim_end_matches("[]").trim();
                    let unknown_schema = base
                        .split_once('.')
                        .map(|(sch, _)| sch.trim())
                        .filter(|sch| !known_schemas.contains(*sch));
                    let d = match unknown_schema {
                        Some(sch) => Diagnostic::error(format!(
                            "{cw}: type `{}` names schema \"{sch}\", which no file declares",
                            c.ty.v
                        ))
                        .at(c.ty.at.clone())
                        .label("unknown schema")
                        .help(
                            did_you_mean(sch, known_schemas.iter().map(String::as_str))
                                .unwrap_or_else(|| {
                                    "declare the schema in a file with `schema: <name>` (the enum's, or the one an extension's type is installed in), or drop the qualifier".into()
                                }),
                        ),
                        None => Diagnostic::error(format!("{cw}: {}", e.message))
                            .at(c.ty.at.clone())
                            .label("invalid type")
                            .maybe_help(e.help),
                    };
                    self.push(d);
                    None
                }
            };
            if let Some(pk_at) = &c.primary_key {
                pk_cols.push(&c.name);
                if c.nullable {
                    self.push(
                        Diagnostic::error(format!(
                            "{cw} is a primary key column but is marked nullable"
                        ))
                        .at(pk_at.clone())
                        .label("primary key columns are always NOT NULL")
                        .help("remove the `?` (or `nullable: true`) from this column"),
                    );
                }
            }
            if let Some(id) = &c.identity {
                if let Some(ty) = &ty
                    && !is_integer(ty)
                {
                    self.push(
                        Diagnostic::error(format!("{cw} is an identity column of type `{}`", crate::sql_ident::type_name(ty)))
                            .at(id.at.clone())
                            .label("identity needs an integer type")
                            .help("use `type: bigint` (or integer/smallint) for identity columns; for uuids use `default_sql: gen_random_uuid()`"),
                    );
                }
                if let Some(d) = &c.default {
                    self.push(
                        Diagnostic::error(format!("{cw} has both `identity` and a default"))
                            .at(d.at.clone())
                            .label("identity columns generate their own values")
                            .help("remove the default"),
                    );
                }
                if c.nullable {
                    self.push(
                        Diagnostic::error(format!("{cw} is an identity column but is nullable"))
                            .at(id.at.clone())
                            .label("identity columns are always NOT NULL")
                            .help("remove the `?` (or `nullable: true`)"),
                    );
                }
            }
            if let (Some(at), None) = (&c.generated_virtual, &c.generated) {
                self.push(
                    Diagnostic::error(format!("{cw} is `virtual` but not generated"))
                        .at(at.clone())
                        .label("virtual what?")
                        .help("`virtual: true` makes a generated column computed when read (PostgreSQL 18): add `generated: \"<expression>\"`, or remove `virtual`"),
                );
            }
            if let Some(g) = &c.generated {
                if let Some(d) = &c.default {
                    self.push(
                        Diagnostic::error(format!("{cw} is generated and also has a default"))
                            .at(d.at.clone())
                            .label("conflicts with `generated`")
                            .help(
                                "a generated column's value is its expression: remove the default",
                            ),
                    );
                }
                if c.identity.is_some() {
                    self.push(
                        Diagnostic::error(format!("{cw} is both generated and an identity column"))
                            .at(g.at.clone())
                            .label("conflicts with `identity`")
                            .help("keep either `generated` or `identity`"),
                    );
                }
            }
            if c.unique {
                let n = names::column_constraint(&q.name, &[&c.name.v], "key");
                cons.push((
                    n.clone(),
                    format!(
                        "unique constraint \"{n}\" (derived from `unique: true` on column \"{}\")",
                        c.name.v
                    ),
                    c.name.at.clone(),
                    true,
                ));
                table.uniques.push(Unique {
                    name: n,
                    columns: vec![c.name.v.clone()],
                    nulls_not_distinct: false,
                    deferrable: Deferrable::NotDeferrable,
                    ..Default::default()
                });
            }
            if let Some(expr) = &c.check {
                let n = names::column_constraint(&q.name, &[&c.name.v], "check");
                cons.push((
                    n.clone(),
                    format!(
                        "check \"{n}\" (derived from `check` on column \"{}\")",
                        c.name.v
                    ),
                    c.name.at.clone(),
                    false,
                ));
                table.checks.push(Check {
                    name: n,
                    expr: expr.clone(),
                    ..Default::default()
                });
            }
            if let Some(r) = &c.references {
                let n = names::column_constraint(&q.name, &[&c.name.v], "fkey");
                match parse_column_ref(&r.v) {
                    Some(target) => fks.push(PendingFk {
                        name: Sp {
                            v: n,
                            at: c.name.at.clone(),
                        },
                        columns: vec![c.name.clone()],
                        target,
                        target_at: r.at.clone(),
                        on_delete: c.on_delete,
                        on_update: c.on_update,
                        deferrable: c.deferrable,
                        period: false,
                        match_full: false,
                        not_valid: false,
                        comment: None,
                    }),
                    None => self.push(
                        Diagnostic::error(format!("{cw}: cannot read reference `{}`", r.v))
                            .at(r.at.clone())
                            .label("malformed reference")
                            .help("write `table.column`, `schema.table.column` or `table(column)`"),
                    ),
                }
            }
            let identity = match (&c.identity, &ty) {
                (Some(raw), Some(ty)) => {
                    let data_type = SequenceType::of_column(ty).unwrap_or(SequenceType::BigInt);
                    let sequence = match &raw.v.sequence {
                        Some(n) => {
                            self.check_ident(
                                &n.v,
                                &n.at,
                                &format!("the identity sequence of {cw}"),
                            );
                            n.v.clone()
                        }
                        None => names::make_object_name(&q.name, Some(&c.name.v), Some("seq")),
                    };
                    let at = raw.v.sequence.as_ref().map_or(&raw.at, |n| &n.at).clone();
                    sequence_names.push((
                        sequence.clone(),
                        format!("identity sequence \"{sequence}\" of {cw}"),
                        at,
                    ));
                    let options = self.sequence_options(
                        data_type,
                        &raw.v.options,
                        &format!("the identity of {cw}"),
                        &raw.at,
                    );
                    Some(Identity {
                        kind: raw.v.kind,
                        sequence,
                        options,
                    })
                }
                _ => None,
            };
            let default = match (&serial, serials.last()) {
                (Some(_), Some(seq)) => Some(DefaultValue::Expr(
                    crate::kind::column::nextval_default(&seq.name),
                )),
                _ => c.default.as_ref().map(|d| d.v.clone()),
            };
            if let (Some(ty), Some(coll)) = (&ty, &c.collation)
                && !collatable(ty)
            {
                self.push(
                    Diagnostic::error(format!(
                        "{cw}: type `{}` has no collation",
                        crate::sql_ident::type_name(ty)
                    ))
                    .at(coll.at.clone())
                    .label("not a collatable type")
                    .help("only text types (text, varchar, char, citext, domains over them) and arrays of them take a collation; remove `collation`"),
                );
            }
            if let Some(ty) = ty {
                table.columns.push(Column {
                    name: c.name.v.clone(),
                    ty,
                    nullable: c.nullable && c.primary_key.is_none() && serial.is_none(),
                    default,
                    identity,
                    generated: c.generated.as_ref().map(|g| g.v.clone()),
                    generated_virtual: c.generated.is_some() && c.generated_virtual.is_some(),
                    comment: c.comment.clone(),
                    renamed_from: c.renamed_from.clone(),
                    statistics: c.statistics.as_ref().map(|s| s.v),
                    collation: c.collation.as_ref().map(|s| s.v.clone()),
                    storage: c.storage,
                    compression: c.compression.clone(),
                });
            } else {
                // Keep the column so references to it do not cascade into more errors.
                table.columns.push(Column {
                    name: c.name.v.clone(),
                    ty: ColumnType::Text,
                    nullable: c.nullable,
                    default: None,
                    identity: None,
                    generated: None,
                    comment: None,
                    renamed_from: None,
                    statistics: None,
                    collation: None,
                    storage: None,
                    compression: None,
                    generated_virtual: false,
                });
            }
        }

        // Primary key.
        if pk_cols.len() > 1 {
            self.push(
                Diagnostic::error(format!(
                    "{tw} marks {} columns with `primary_key: true`",
                    pk_cols.len()
                ))
                .at(pk_cols[1].at.clone())
                .label("second primary key column")
                .help(format!(
                    "for a composite key write `primary_key: [{}]` on the table",
                    pk_cols
                        .iter()
                        .map(|c| c.v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
        match (&t.primary_key, pk_cols.first()) {
            (Some(pk), Some(col)) => self.push(
                Diagnostic::error(format!("{tw} declares its primary key twice"))
                    .at(pk.at.clone())
                    .label("table-level primary key")
                    .help(format!(
                        "remove `primary_key: true` from column \"{}\" or the table's `primary_key`",
                        col.v
                    )),
            ),
            (Some(pk), None) => {
                let name = match &pk.name {
                    Some(n) => {
                        self.check_ident(&n.v, &n.at, &format!("primary key of {tw}"));
                        n.v.clone()
                    }
                    None => names::primary_key(&q.name),
                };
                if pk.columns.is_empty() {
                    self.push(Diagnostic::error(format!("the primary key of {tw} lists no columns")).at(pk.at.clone()));
                }
                let mut ok = true;
                for col in &pk.columns {
                    match table.columns.iter_mut().find(|c| c.name == col.v) {
                        None => {
                            ok = false;
                            let tbl = table.clone();
                            self.missing_column(&tbl, col, &format!("the primary key of {tw}"));
                        }
                        Some(c) if c.nullable => {
                            self.push(
                                Diagnostic::error(format!(
                                    "column \"{}\" of {tw} is in the primary key but is marked nullable",
                                    col.v
                                ))
                                .at(col.at.clone())
                                .label("primary key columns are always NOT NULL")
                                .help(format!("remove the `?` from column \"{}\"", col.v)),
                            );
                            c.nullable = false;
                        }
                        Some(_) => {}
                    }
                }
                if let Some(at) = &pk.without_overlaps
                    && pk.columns.len() < 2
                {
                    self.push(temporal_needs_two(&format!("the primary key of {tw}"), at));
                }
                for col in &pk.include {
                    if table.column(&col.v).is_none() {
                        ok = false;
                        let tbl = table.clone();
                        self.missing_column(&tbl, col, &format!("the primary key of {tw}"));
                    }
                }
                if ok && !pk.columns.is_empty() {
                    cons.push((
                        name.clone(),
                        format!("primary key \"{name}\""),
                        pk.name.as_ref().map_or_else(|| pk.at.clone(), |n| n.at.clone()),
                        true,
                    ));
                    table.primary_key = Some(PrimaryKey {
                        name,
                        columns: pk.columns.iter().map(|c| c.v.clone()).collect(),
                        without_overlaps: pk.without_overlaps.is_some(),
                        deferrable: pk.deferrable,
                        include: pk.include.iter().map(|c| c.v.clone()).collect(),
                        comment: pk.comment.clone(),
                        index_comment: pk.index_comment.clone(),
                    });
                }
            }
            (None, Some(col)) => {
                let name = names::primary_key(&q.name);
                cons.push((
                    name.clone(),
                    format!("primary key \"{name}\" (derived from `primary_key: true`)"),
                    col.at.clone(),
                    true,
                ));
                table.primary_key = Some(PrimaryKey { name, columns: vec![col.v.clone()], ..Default::default() });
            }
            (None, None) => {}
        }

        // Table-level unique constraints.
        for u in &t.uniques {
            if let Some(at) = &u.without_overlaps
                && u.columns.len() < 2
            {
                self.push(temporal_needs_two(
                    &format!("unique constraint \"{}\" on {tw}", u.name.v),
                    at,
                ));
            }
            let uw = format!("unique constraint \"{}\" on {tw}", u.name.v);
            self.check_ident(&u.name.v, &u.name.at, &uw);
            let mut ok = true;
            for col in u.columns.iter().chain(&u.include) {
                if table.column(&col.v).is_none() {
                    ok = false;
                    let tbl = table.clone();
                    self.missing_column(&tbl, col, &uw);
                }
            }
            cons.push((
                u.name.v.clone(),
                format!("unique constraint \"{}\"", u.name.v),
                u.name.at.clone(),
                true,
            ));
            if ok {
                table.uniques.push(Unique {
                    name: u.name.v.clone(),
                    columns: u.columns.iter().map(|c| c.v.clone()).collect(),
                    nulls_not_distinct: u.nulls_not_distinct,
                    deferrable: u.deferrable,
                    without_overlaps: u.without_overlaps.is_some(),
                    include: u.include.iter().map(|c| c.v.clone()).collect(),
                    comment: u.comment.clone(),
                    index_comment: u.index_comment.clone(),
                });
            }
        }
        for (name, check) in &t.checks {
            let w = format!("check \"{}\" on {tw}", name.v);
            self.check_ident(&name.v, &name.at, &w);
            cons.push((
                name.v.clone(),
                format!("check \"{}\"", name.v),
                name.at.clone(),
                false,
            ));
            table.checks.push(lowered_check(&name.v, check));
        }
        for fk in &t.foreign_keys {
            let w = format!("foreign key \"{}\" on {tw}", fk.name.v);
            self.check_ident(&fk.name.v, &fk.name.at, &w);
            match parse_table_ref(&fk.references.v) {
                Some(target) => fks.push(PendingFk {
                    name: fk.name.clone(),
                    columns: fk.columns.clone(),
                    target,
                    target_at: fk.references.at.clone(),
                    on_delete: fk.on_delete,
                    on_update: fk.on_update,
                    deferrable: fk.deferrable,
                    period: {
                        if let Some(at) = &fk.period
                            && fk.columns.len() < 2
                        {
                            self.push(temporal_needs_two(
                                &format!("foreign key \"{}\" on {tw}", fk.name.v),
                                at,
                            ));
                        }
                        fk.period.is_some()
                    },
                    match_full: fk.match_full,
                    not_valid: fk.not_valid,
                    comment: fk.comment.clone(),
                }),
                None => self.push(
                    Diagnostic::error(format!("{w}: cannot read reference `{}`", fk.references.v))
                        .at(fk.references.at.clone())
                        .label("malformed reference")
                        .help("write `table(col1, col2)` or `schema.table(col1, col2)`"),
                ),
            }
        }
        for fk in &fks {
            cons.push((
                fk.name.v.clone(),
                format!("foreign key \"{}\"", fk.name.v),
                fk.name.at.clone(),
                false,
            ));
        }
        for x in &t.exclusions {
            let name = &x.index.name;
            self.check_ident(
                &name.v,
                &name.at,
                &format!("exclusion constraint \"{}\" on {tw}", name.v),
            );
            // Its index has its name, in the schema's relation namespace.
            cons.push((
                name.v.clone(),
                format!("exclusion constraint \"{}\"", name.v),
                name.at.clone(),
                true,
            ));
        }
        let constraint_at: BTreeMap<String, Span> = cons
            .iter()
            .map(|(name, _, at, _)| (name.clone(), at.clone()))
            .collect();
        let mut relations = vec![(q.name.clone(), tw.clone(), t.name.at.clone())];
        relations.extend(sequence_names);
        for (name, what, at, is_relation) in cons {
            if let Some(first) = cons_names.get(&name) {
                self.push(
                    Diagnostic::error(format!("{what} on {tw} has the same name as {first}"))
                        .at(at)
                        .label("duplicate constraint name")
                        .help("constraint names must be unique per table (PostgreSQL would append a number to a derived name); name one of them explicitly"),
                );
            } else {
                if is_relation {
                    relations.push((name.clone(), format!("{what} of {tw}"), at));
                }
                cons_names.insert(name, what);
            }
        }
        for ix in &t.indexes {
            relations.push((
                ix.name.v.clone(),
                format!("index \"{}\" on {tw}", ix.name.v),
                ix.name.at.clone(),
            ));
        }

        // Indexes.
        for ix in &t.indexes {
            self.declared(ObjectRef::index(&q, &ix.name.v), &ix.name.at);
            if let Some(m) = self.index(&table, ix, &tw, true) {
                table.indexes.push(m);
            }
        }
        let constraints: Vec<(ObjectRef, Span)> = table
            .primary_key
            .iter()
            .map(|pk| (ConstraintKind::PrimaryKey, pk.name.clone()))
            .chain(
                table
                    .uniques
                    .iter()
                    .map(|u| (ConstraintKind::Unique, u.name.clone())),
            )
            .chain(
                table
                    .checks
                    .iter()
                    .map(|c| (ConstraintKind::Check, c.name.clone())),
            )
            .filter_map(|(kind, name)| {
                constraint_at
                    .get(&name)
                    .map(|at| (ObjectRef::constraint(&q, kind, &name), at.clone()))
            })
            .collect();
        for (object, at) in constraints {
            self.declared(object, &at);
        }
        for fk in &fks {
            self.declared(
                ObjectRef::constraint(&q, ConstraintKind::ForeignKey, &fk.name.v),
                &fk.name.at,
            );
        }
        for x in &t.exclusions {
            let name = &x.index.name;
            self.declared(
                ObjectRef::constraint(&q, ConstraintKind::Exclusion, &name.v),
                &name.at,
            );
            if let Some(index) = self.index(&table, &x.index, &tw, true) {
                table.exclusions.push(Exclusion {
                    name: index.name,
                    method: index.method,
                    elements: index
                        .keys
                        .into_iter()
                        .zip(&x.operators)
                        .map(|(key, op)| ExclusionElement {
                            key,
                            operator: op.v.clone(),
                        })
                        .collect(),
                    include: index.include,
                    predicate: index.predicate,
                    options: index.options,
                    deferrable: x.deferrable,
                    comment: x.comment.clone(),
                    index_comment: index.comment,
                });
            }
        }
        if let Some(pb) = &t.partition_by {
            table.partition_by = self.partition_key(&table, pb, &tw);
        }
        table.unlogged = t.unlogged.is_some();
        if let Some(ri) = &t.replica_identity {
            if let crate::model::ReplicaIdentity::Index(index) = &ri.v {
                let keys: Vec<&str> = table
                    .primary_key
                    .iter()
                    .map(|k| k.name.as_str())
                    .chain(table.uniques.iter().map(|u| u.name.as_str()))
                    .chain(
                        table
                            .indexes
                            .iter()
                            .filter(|i| i.unique && i.predicate.is_none())
                            .map(|i| i.name.as_str()),
                    )
                    .collect();
                // PostgreSQL takes only a non-deferrable key over NOT NULL columns.
                let key_columns: Option<Vec<String>> = table
                    .primary_key
                    .iter()
                    .filter(|k| k.name == *index)
                    .map(|k| (k.columns.clone(), k.deferrable))
                    .chain(
                        table
                            .uniques
                            .iter()
                            .filter(|u| u.name == *index)
                            .map(|u| (u.columns.clone(), u.deferrable)),
                    )
                    .chain(table.indexes.iter().filter(|i| i.name == *index).map(|i| {
                        (
                            i.keys
                                .iter()
                                .map(|k| match &k.target {
                                    IndexTarget::Column(c) => c.clone(),
                                    IndexTarget::Expr(e) => format!("({e})"),
                                })
                                .collect(),
                            Deferrable::NotDeferrable,
                        )
                    }))
                    .next()
                    .map(|(cols, deferrable)| {
                        if deferrable != Deferrable::NotDeferrable {
                            vec!["(deferrable)".to_string()]
                        } else {
                            cols.into_iter()
                                .filter(|c| table.column(c).is_none_or(|col| col.nullable))
                                .collect()
                        }
                    });
                if let Some(bad) = key_columns.filter(|b| !b.is_empty()) {
                    self.push(
                        Diagnostic::error(format!(
                            "`replica_identity` of {tw} names \"{index}\", which PostgreSQL cannot use: {}",
                            if bad == ["(deferrable)"] {
                                "it is deferrable".to_string()
                            } else {
                                format!("{} may be NULL (or is an expression)", bad.join(", "))
                            }
                        ))
                        .at(ri.at.clone())
                        .label("not usable as replica identity")
                        .help("a replica identity index is unique, not partial, not deferrable, over NOT NULL columns only; or write `full`"),
                    );
                }
                if !keys.contains(&index.as_str()) {
                    self.push(
                        Diagnostic::error(format!(
                            "`replica_identity` of {tw} names index \"{index}\", which is not a key or unique index of the table"
                        ))
                        .at(ri.at.clone())
                        .label("no such unique index")
                        .help(if keys.is_empty() {
                            "give the table a primary key or a unique index to use, or write `full`".to_string()
                        } else {
                            format!("one of: {}; or `full`, `nothing`, `default`", keys.join(", "))
                        }),
                    );
                }
            }
            table.replica_identity = ri.v.clone();
        }
        table.storage = t
            .with
            .iter()
            .map(|(k, v)| (k.v.clone(), v.v.clone()))
            .collect();
        if t.partition_by.is_some() {
            // PostgreSQL keeps neither on a partitioned table, which holds no rows.
            if let Some(at) = &t.unlogged {
                self.push(
                    Diagnostic::error(format!("{tw} is partitioned, so it cannot be unlogged"))
                        .at(at.clone())
                        .label("unlogged partitioned table")
                        .help("PostgreSQL refuses UNLOGGED on a partitioned table; leave `unlogged` out"),
                );
            }
            if let Some((k, _)) = t.with.first() {
                self.push(
                    Diagnostic::error(format!(
                        "{tw} is partitioned, so it takes no storage parameters"
                    ))
                    .at(k.at.clone())
                    .label("storage parameter of a partitioned table")
                    .help("a partitioned table holds no rows: PostgreSQL refuses `with:` on it"),
                );
            }
        }

        Built {
            table,
            file_schema: file_schema.to_string(),
            relations,
            fks,
            serials,
            calls,
        }
    }

    /// `partition_by` of `table`, checked against its columns and PostgreSQL's rule that a
    /// partitioned table's primary key and unique constraints include every partition key
    /// column (and that there are none when a key is an expression).
    fn partition_key(
        &mut self,
        table: &Table,
        raw: &RawPartitionBy,
        what: &str,
    ) -> Option<PartitionKey> {
        let mut keys = Vec::new();
        let mut ok = true;
        for k in &raw.keys {
            if let Some(extra) = k
                .ops
                .as_ref()
                .map(|o| o.at.clone())
                .or_else(|| k.order.as_ref().map(|o| o.at.clone()))
                .or_else(|| k.nulls.as_ref().map(|o| o.at.clone()))
            {
                self.push(
                    Diagnostic::error(format!(
                        "a partition key of {what} takes no `ops`, `order` or `nulls`"
                    ))
                    .at(extra)
                    .label("not supported on a partition key")
                    .help("write the column, or `{ expr: … }`; tidemark does not manage partition key operator classes yet"),
                );
                ok = false;
            }
            match &k.target {
                RawTarget::Column(c) => {
                    if table.column(c).is_none() {
                        self.missing_column(
                            table,
                            &Sp {
                                v: c.clone(),
                                at: k.at.clone(),
                            },
                            &format!("the partition key of {what}"),
                        );
                        ok = false;
                    }
                    keys.push(IndexTarget::Column(c.clone()));
                }
                RawTarget::Expr(e) => keys.push(IndexTarget::Expr(e.clone())),
            }
        }
        let mut constrained: Vec<(String, &[String])> = Vec::new();
        if let Some(pk) = &table.primary_key {
            constrained.push((format!("primary key \"{}\"", pk.name), &pk.columns));
        }
        for u in &table.uniques {
            constrained.push((format!("unique constraint \"{}\"", u.name), &u.columns));
        }
        for (cw, columns) in constrained {
            let missing: Vec<String> = keys
                .iter()
                .filter_map(|k| match k {
                    IndexTarget::Column(c) if !columns.contains(c) => Some(c.clone()),
                    IndexTarget::Column(_) => None,
                    IndexTarget::Expr(e) => Some(format!("({e})")),
                })
                .collect();
            if !missing.is_empty() {
                self.push(
                    Diagnostic::error(format!(
                        "{cw} of {what} does not include its partition key {}",
                        missing.join(", ")
                    ))
                    .at(raw.strategy.at.clone())
                    .label("partition key")
                    .help("PostgreSQL enforces a key of a partitioned table per partition: add the partition key's columns to the key (an expression key allows no primary key or unique constraint)"),
                );
                ok = false;
            }
        }
        ok.then_some(PartitionKey {
            strategy: raw.strategy.v,
            keys,
        })
    }

    /// The partitions of `parent` (and theirs, recursively) as tables of their own: each
    /// holds its bound, its own checks, indexes, comment and partition key; its columns are
    /// the parent's, so they are checked against those and then left out.
    fn partitions(
        &mut self,
        parent: &Table,
        raws: &[RawPartition],
        parent_at: &Sp<String>,
        file_schema: &str,
    ) -> Vec<Built> {
        let mut out = Vec::new();
        let Some(first) = raws.first() else {
            return out;
        };
        let Some(key) = parent.partition_by.clone() else {
            self.push(
                Diagnostic::error(format!(
                    "table \"{}\" has partitions but no `partition_by`",
                    parent.name
                ))
                .at(first.name.at.clone())
                .label("partition of an unpartitioned table")
                .help(format!(
                    "say how \"{}\" spreads its rows, e.g. `partition_by: {{ range: [created_at] }}`",
                    parent_at.v
                )),
            );
            return out;
        };
        for p in raws {
            let q = QualifiedName::new(&parent.name.schema, &p.name.v);
            let pw = format!("partition \"{q}\"");
            self.check_ident(&q.name, &p.name.at, &pw);
            self.declared(ObjectRef::Table(q.clone()), &p.name.at);
            let Some(bound) = &p.bound else {
                continue;
            };
            self.check_bound(&key, &bound.v, &bound.at, &pw);
            let mut table = Table {
                comment: p.comment.clone(),
                partition_of: Some(PartitionOf {
                    parent: parent.name.clone(),
                    bound: bound.v.clone(),
                }),
                columns: parent.columns.clone(),
                ..Table::named(q.clone())
            };
            let mut relations = vec![(q.name.clone(), pw.clone(), p.name.at.clone())];
            for (name, check) in &p.checks {
                let w = format!("check \"{}\" on {pw}", name.v);
                self.check_ident(&name.v, &name.at, &w);
                self.declared(
                    ObjectRef::constraint(&q, ConstraintKind::Check, &name.v),
                    &name.at,
                );
                table.checks.push(lowered_check(&name.v, check));
            }
            for ix in &p.indexes {
                relations.push((
                    ix.name.v.clone(),
                    format!("index \"{}\" on {pw}", ix.name.v),
                    ix.name.at.clone(),
                ));
                self.declared(ObjectRef::index(&q, &ix.name.v), &ix.name.at);
                if let Some(m) = self.index(&table, ix, &pw, true) {
                    table.indexes.push(m);
                }
            }
            if let Some(pb) = &p.partition_by {
                table.partition_by = self.partition_key(&table, pb, &pw);
            }
            let children = self.partitions(&table, &p.partitions, &p.name, file_schema);
            table.columns.clear();
            out.push(Built {
                table,
                file_schema: file_schema.to_string(),
                relations,
                fks: Vec::new(),
                serials: Vec::new(),
                calls: Vec::new(),
            });
            out.extend(children);
        }
        out
    }

    /// A bound that fits the parent's partition key: its kind matches the strategy, a range
    /// bound has one value per key, and a hash bound's remainder is below its modulus.
    fn check_bound(&mut self, key: &PartitionKey, bound: &PartitionBound, at: &Span, what: &str) {
        use crate::model::PartitionStrategy as S;
        let problem = match (key.strategy, bound) {
            (S::Range, PartitionBound::Range { from, to })
                if from.len() != key.keys.len() || to.len() != key.keys.len() =>
            {
                Some(format!(
                    "{what} bounds {} and {} values, but its parent's key has {} column(s)",
                    from.len(),
                    to.len(),
                    key.keys.len()
                ))
            }
            (S::Range, PartitionBound::Range { .. })
            | (S::List, PartitionBound::List(_))
            | (S::Range | S::List, PartitionBound::Default) => None,
            (S::Hash, PartitionBound::Hash { modulus, remainder })
                if *modulus == 0 || remainder >= modulus =>
            {
                Some(format!(
                    "{what}: the remainder ({remainder}) must be below the modulus ({modulus}), which must be positive"
                ))
            }
            (S::Hash, PartitionBound::Hash { .. }) => None,
            (strategy, _) => Some(format!(
                "{what} is bounded in a way a {} partitioned table does not take",
                strategy.keyword().to_lowercase()
            )),
        };
        if let Some(message) = problem {
            self.push(
                Diagnostic::error(message)
                    .at(at.clone())
                    .label("bound")
                    .help("a range partition takes `from`/`to` (one value per key column), a list partition `in`, a hash partition `modulus`/`remainder`; range and list tables may have one `default: true`"),
            );
        }
    }

    /// Lowers one index of `table`; `columns_known` is false for a materialized view, whose
    /// columns only the server knows (it reports a wrong one on the shadow database).
    fn index(
        &mut self,
        table: &Table,
        ix: &RawIndex,
        tw: &str,
        columns_known: bool,
    ) -> Option<Index> {
        let iw = format!("{} \"{}\" on {tw}", ix.noun, ix.name.v);
        let method = ix.method.v;
        self.check_ident(&ix.name.v, &ix.name.at, &iw);
        let before = self.diags.len();
        for k in ix.keys.iter().filter(|_| columns_known) {
            if let RawTarget::Column(c) = &k.target
                && table.column(c).is_none()
            {
                let tbl = table.clone();
                self.missing_column(
                    &tbl,
                    &Sp {
                        v: c.clone(),
                        at: k.at.clone(),
                    },
                    &iw,
                );
            }
        }
        for c in ix.include.iter().filter(|_| columns_known) {
            if table.column(&c.v).is_none() {
                let tbl = table.clone();
                self.missing_column(&tbl, c, &format!("`include` of {iw}"));
            }
        }
        if let Some(ops) = &ix.ops {
            if ix.keys.len() > 1 && !method.is_vector() {
                self.push(
                    Diagnostic::error(format!(
                        "{iw} has {} keys but one index-wide `ops`",
                        ix.keys.len()
                    ))
                    .at(ops.at.clone())
                    .label("which key does this apply to?")
                    .help(
                        "move `ops` into the key it belongs to: `on: [{ column: a, ops: ... }, b]`",
                    ),
                );
            } else if let Some(kops) = ix.keys.first().and_then(|k| k.ops.as_ref()) {
                self.push(
                    Diagnostic::error(format!("{iw} sets `ops` both on the index and on its key"))
                        .at(kops.at.clone())
                        .label("second operator class")
                        .help("keep one `ops`"),
                );
            }
        }
        if let Some(at) = &ix.nulls_not_distinct
            && ix.unique.is_none()
        {
            self.push(
                Diagnostic::error(format!("{iw} sets `nulls_not_distinct` but is not unique"))
                    .at(at.clone())
                    .label("needs `unique: true`")
                    .help("add `unique: true` or remove `nulls_not_distinct`"),
            );
        }
        if method.is_vector() {
            let key = ix.keys.first().map(|k| match &k.target {
                RawTarget::Column(c) => pgvector::KeyType {
                    ty: table.column(c).map(|col| col.ty.clone()),
                    column: Some(c.clone()),
                },
                RawTarget::Expr(e) => pgvector::KeyType {
                    ty: pgvector::cast_type(e),
                    column: pgvector::cast_operand(e),
                },
            });
            // A missing key column was reported above; no further type checks on it.
            let key = key.filter(|k| {
                k.ty.is_some()
                    || !matches!(
                        ix.keys.first().map(|k| &k.target),
                        Some(RawTarget::Column(_))
                    )
            });
            pgvector::check_index(ix, &iw, key, &mut self.diags);
        } else {
            if let Some(at) = &ix.unique
                && method != IndexMethod::Btree
            {
                self.push(
                    Diagnostic::error(format!("{iw}: {} indexes cannot be unique", method.name()))
                        .at(at.clone())
                        .label("only btree supports unique indexes")
                        .help("remove `using:` (btree is the default) or `unique: true`"),
                );
            }
            if method != IndexMethod::Btree {
                for k in &ix.keys {
                    if let Some(o) = k
                        .order
                        .as_ref()
                        .map(|o| &o.at)
                        .or(k.nulls.as_ref().map(|n| &n.at))
                    {
                        self.push(
                            Diagnostic::error(format!(
                                "{iw}: {} indexes take no `order` or `nulls`",
                                method.name()
                            ))
                            .at(o.clone())
                            .label("only btree keys are ordered")
                            .help("remove `order`/`nulls`, or use btree"),
                        );
                    }
                }
            }
        }
        if self.diags.len() > before {
            return None;
        }
        // IVFFlat's default class for `vector` is written into the model (pgvector's check
        // allowed the omission only for such a key), so the DDL always names a class.
        let single_ops = ix.ops.as_ref().map(|o| o.v.clone()).or_else(|| {
            (method == IndexMethod::IvfFlat && ix.keys.iter().all(|k| k.ops.is_none()))
                .then(|| pgvector::IVFFLAT_DEFAULT_OPS.to_string())
        });
        let keys = ix
            .keys
            .iter()
            .map(|k| IndexKey {
                target: match &k.target {
                    RawTarget::Column(c) => IndexTarget::Column(c.clone()),
                    RawTarget::Expr(e) => IndexTarget::Expr(strip_parens(e)),
                },
                opclass: k
                    .ops
                    .as_ref()
                    .map(|o| o.v.clone())
                    .or_else(|| single_ops.clone()),
                order: k.order.as_ref().map(|o| o.v).unwrap_or(SortOrder::Asc),
                nulls: k.nulls.as_ref().map(|n| n.v).filter(|n| {
                    // Only keep NULLS when it differs from the order's default.
                    let desc = k.order.as_ref().map(|o| o.v) == Some(SortOrder::Desc);
                    (*n == crate::model::NullsOrder::First) != desc
                }),
                collation: k.collation.as_ref().map(|c| c.v.clone()),
                opclass_params: k
                    .ops_params
                    .iter()
                    .map(|(n, v)| (n.v.clone(), v.v.clone()))
                    .collect(),
            })
            .collect();
        for k in &ix.keys {
            if let Some((first, _)) = k.ops_params.first()
                && k.ops.is_none()
                && single_ops.is_none()
            {
                self.push(
                    Diagnostic::error(format!(
                        "a key of {iw} has `ops_params` but no operator class"
                    ))
                    .at(first.at.clone())
                    .label("parameters of which class?")
                    .help("name the class they belong to, e.g. `ops: gist_trgm_ops` with `ops_params: { siglen: 32 }`"),
                );
            }
        }
        // As written, defaults included (they compare equal to absent ones), so the DDL
        // repeats what the user, or the inspected database, said.
        let options = ix
            .with
            .iter()
            .map(|(k, v, _)| (k.v.clone(), v.v.clone()))
            .collect();
        Some(Index {
            name: ix.name.v.clone(),
            method,
            keys,
            include: ix.include.iter().map(|c| c.v.clone()).collect(),
            unique: ix.unique.is_some(),
            nulls_not_distinct: ix.nulls_not_distinct.is_some(),
            predicate: ix.predicate.clone(),
            options,
            comment: ix.comment.clone(),
        })
    }

    fn foreign_key(
        &mut self,
        table: &Table,
        file_schema: &str,
        fk: PendingFk,
        tables: &[(QualifiedName, Table)],
        known_schemas: &BTreeSet<String>,
    ) -> Option<ForeignKey> {
        let fw = format!("foreign key \"{}\" on table \"{}\"", fk.name.v, table.name);
        let (schema, tname, ref_cols) = &fk.target;
        let candidates: Vec<QualifiedName> = match schema {
            Some(s) => {
                if !known_schemas.contains(s) {
                    let help = did_you_mean(s, known_schemas.iter().map(String::as_str))
                        .unwrap_or_else(|| {
                            "declare the schema with `schema:` at the top of a file".into()
                        });
                    self.push(
                        Diagnostic::error(format!(
                            "{fw} references schema \"{s}\", which no file declares"
                        ))
                        .at(fk.target_at.clone())
                        .label("unknown schema")
                        .help(help),
                    );
                    return None;
                }
                vec![QualifiedName::new(s.clone(), tname.clone())]
            }
            None => vec![
                QualifiedName::new(file_schema, tname.clone()),
                QualifiedName::public(tname.clone()),
            ],
        };
        let target = candidates
            .iter()
            .find_map(|q| tables.iter().find(|(n, _)| n == q).map(|(_, t)| t));
        let Some(target) = target else {
            let names: Vec<String> = tables.iter().map(|(q, _)| q.to_string()).collect();
            let wanted = match schema {
                Some(s) => format!("{s}.{tname}"),
                None => tname.clone(),
            };
            let help = did_you_mean(&wanted, names.iter().map(String::as_str))
                .or_else(|| did_you_mean(tname, tables.iter().map(|(q, _)| q.name.as_str())))
                .unwrap_or_else(|| {
                    "declare the table, or qualify it with its schema: `schema.table`".into()
                });
            self.push(
                Diagnostic::error(format!(
                    "{fw} references table \"{wanted}\", which does not exist"
                ))
                .at(fk.target_at.clone())
                .label("unknown table")
                .help(help),
            );
            return None;
        };
        let mut ok = true;
        for c in &fk.columns {
            if table.column(&c.v).is_none() {
                ok = false;
                self.missing_column(table, c, &fw);
            }
        }
        for rc in ref_cols {
            if target.column(rc).is_none() {
                ok = false;
                self.missing_column(
                    target,
                    &Sp {
                        v: rc.clone(),
                        at: fk.target_at.clone(),
                    },
                    &fw,
                );
            }
        }
        if !ok {
            return None;
        }
        if fk.columns.len() != ref_cols.len() {
            self.push(
                Diagnostic::error(format!(
                    "{fw} has {} column(s) but references {} column(s)",
                    fk.columns.len(),
                    ref_cols.len()
                ))
                .at(fk.target_at.clone())
                .label("column count mismatch")
                .help("list as many referenced columns as referencing columns, in the same order"),
            );
            return None;
        }
        for (c, rc) in fk.columns.iter().zip(ref_cols) {
            let (Some(a), Some(b)) = (table.column(&c.v), target.column(rc)) else {
                continue;
            };
            if a.ty != b.ty {
                self.push(
                    Diagnostic::error(format!(
                        "{fw}: column \"{}\" is `{}` but references \"{}\".\"{rc}\" of type `{}`",
                        c.v,
                        crate::sql_ident::type_name(&a.ty),
                        target.name,
                        crate::sql_ident::type_name(&b.ty)
                    ))
                    .at(c.at.clone())
                    .label("type mismatch")
                    .help(format!(
                        "declare column \"{}\" as `{}`",
                        c.v,
                        crate::sql_ident::type_name(&b.ty)
                    )),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let wanted: BTreeSet<&str> = ref_cols.iter().map(String::as_str).collect();
        fn as_set(cols: &[String]) -> BTreeSet<&str> {
            cols.iter().map(String::as_str).collect()
        }
        let unique_ok = target.primary_key.as_ref().is_some_and(|pk| as_set(&pk.columns) == wanted)
            || target.uniques.iter().any(|u| as_set(&u.columns) == wanted)
            || target.indexes.iter().any(|ix| {
                ix.unique
                    && ix.predicate.is_none()
                    && ix.keys.len() == wanted.len()
                    && ix.keys.iter().all(|k| matches!(&k.target, IndexTarget::Column(c) if wanted.contains(c.as_str())))
            });
        if !unique_ok {
            self.push(
                Diagnostic::error(format!(
                    "{fw} references ({}) of table \"{}\", which is neither its primary key nor unique",
                    ref_cols.join(", "),
                    target.name
                ))
                .at(fk.target_at.clone())
                .label("not a key of the referenced table")
                .help(match &target.primary_key {
                    Some(pk) => format!(
                        "reference the primary key ({}), or add a unique constraint on ({})",
                        pk.columns.join(", "),
                        ref_cols.join(", ")
                    ),
                    None => format!("add a unique constraint on ({})", ref_cols.join(", ")),
                }),
            );
            return None;
        }
        Some(ForeignKey {
            name: fk.name.v,
            columns: fk.columns.into_iter().map(|c| c.v).collect(),
            ref_table: target.name.clone(),
            ref_columns: ref_cols.clone(),
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            deferrable: fk.deferrable,
            period: fk.period,
            match_full: fk.match_full,
            not_valid: fk.not_valid,
            comment: fk.comment,
        })
    }
}

/// The privileges `GRANT … ON TABLE` takes (tables, views, materialized views).
const TABLE_PRIVILEGES: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "truncate",
    "references",
    "trigger",
    "maintain",
];

/// The privileges `GRANT … ON SEQUENCE` takes.
const SEQUENCE_PRIVILEGES: &[&str] = &["usage", "select", "update"];
const ROUTINE_PRIVILEGES: &[&str] = &["execute"];
const SCHEMA_PRIVILEGES: &[&str] = &["usage", "create"];

/// Trigger functions PostgreSQL ships (in `pg_catalog`).
const BUILTIN_TRIGGER_FUNCTIONS: &[&str] = &[
    "tsvector_update_trigger",
    "tsvector_update_trigger_column",
    "suppress_redundant_updates_trigger",
];

/// The function a trigger's `execute:` names: one of the spec's (in the file's schema, then
/// `public`), one of PostgreSQL's own trigger functions, or else an extension's in `public`
/// (such as `moddatetime`), which the spec does not declare.
fn resolve_trigger_function(
    written: &str,
    file_schema: &str,
    functions: &[crate::model::Function],
) -> QualifiedName {
    let written = written.trim().trim_end_matches("()");
    if let Some(q) = crate::sql_lex::parse_qualified(written, "public")
        && written.contains('.')
    {
        return q;
    }
    let name = crate::sql_lex::parse_qualified(written, "public")
        .map(|q| q.name)
        .unwrap_or_else(|| written.to_string());
    for schema in [file_schema, "public"] {
        let q = QualifiedName::new(schema, &name);
        if functions.iter().any(|f| f.name == q) {
            return q;
        }
    }
    if BUILTIN_TRIGGER_FUNCTIONS.contains(&name.as_str()) {
        return QualifiedName::new("pg_catalog", &name);
    }
    QualifiedName::public(&name)
}

/// A routine's name (qualified in its file's schema), its `args` as written with blank space
/// folded, and its identity arguments: what tells overloads apart.
fn routine_key(
    file_schema: &str,
    raw: &super::shape::RawFunction,
) -> (QualifiedName, String, String) {
    let written = raw.key.v.split('(').next().unwrap_or_default().trim();
    let args = raw
        .args
        .as_ref()
        .map(|a| a.v.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let identity = crate::sql_lex::function_identity(&args);
    (qualify(file_schema, written), args, identity)
}

/// A view's query as stored: without surrounding blank space and trailing `;`.
pub fn view_query(sql: &str) -> String {
    let mut q = sql.trim();
    while let Some(rest) = q.strip_suffix(';') {
        q = rest.trim_end();
    }
    q.to_string()
}

/// What a query reads, from the names in it: the tables and views of the spec it names
/// (unqualified names resolve in `public`, the `search_path` tidemark applies a spec with),
/// and the columns of those tables that it names anywhere. A superset of what PostgreSQL
/// records, which only orders steps.
pub fn query_dependencies(
    query: &str,
    tables: &[&Table],
    views: &BTreeSet<QualifiedName>,
) -> Vec<ObjectRef> {
    let chains = crate::sql_lex::name_chains(query);
    let find = |q: &QualifiedName| -> Option<ObjectRef> {
        if views.contains(q) {
            Some(ObjectRef::View(q.clone()))
        } else if tables.iter().any(|t| &t.name == q) {
            Some(ObjectRef::Table(q.clone()))
        } else {
            None
        }
    };
    let mut out: BTreeSet<ObjectRef> = BTreeSet::new();
    for chain in &chains {
        let mut candidates = Vec::new();
        if chain.len() >= 2 {
            candidates.push(QualifiedName::new(&chain[0], &chain[1]));
        }
        candidates.push(QualifiedName::public(&chain[0]));
        if let Some(found) = candidates.iter().find_map(find) {
            out.insert(found);
        }
    }
    let read: Vec<&Table> = tables
        .iter()
        .copied()
        .filter(|t| out.contains(&ObjectRef::Table(t.name.clone())))
        .collect();
    for chain in &chains {
        for part in chain {
            for t in &read {
                if t.column(part).is_some() {
                    out.insert(ObjectRef::column(&t.name, part));
                }
            }
        }
    }
    out.into_iter().collect()
}

fn strip_parens(e: &str) -> String {
    let t = e.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        // Only strip when the outer pair matches each other.
        let mut depth = 0i32;
        for (i, ch) in inner.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        let _ = i;
                        return t.to_string();
                    }
                }
                _ => {}
            }
        }
        return inner.trim().to_string();
    }
    t.to_string()
}

/// `table.col`, `schema.table.col`, `table(col)`, `schema.table(col)`.
fn parse_column_ref(s: &str) -> Option<(Option<String>, String, Vec<String>)> {
    if s.contains('(') {
        let r = parse_table_ref(s)?;
        return (r.2.len() == 1).then_some(r);
    }
    let parts: Vec<&str> = s.split('.').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    match parts.as_slice() {
        [t, c] => Some((None, t.to_string(), vec![c.to_string()])),
        [sch, t, c] => Some((Some(sch.to_string()), t.to_string(), vec![c.to_string()])),
        _ => None,
    }
}

/// `table(c1, c2)` or `schema.table(c1, c2)`.
fn parse_table_ref(s: &str) -> Option<(Option<String>, String, Vec<String>)> {
    let (head, rest) = s.split_once('(')?;
    let inner = rest.trim().strip_suffix(')')?;
    let cols: Vec<String> = inner.split(',').map(|c| c.trim().to_string()).collect();
    if cols.iter().any(|c| c.is_empty() || c.contains(['(', ')'])) {
        return None;
    }
    let parts: Vec<&str> = head.trim().split('.').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    match parts.as_slice() {
        [t] => Some((None, t.to_string(), cols)),
        [sch, t] => Some((Some(sch.to_string()), t.to_string(), cols)),
        _ => None,
    }
}

/// Whether a column of this type can take a `COLLATE`; types the model does not know (and
/// domains) are the server's to judge.
fn collatable(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Char(_) => true,
        ColumnType::Other(_) | ColumnType::Custom(_) => true,
        ColumnType::Array(inner) => collatable(inner),
        _ => false,
    }
}

/// A `checks:` entry as the model holds it.
fn lowered_check(name: &str, raw: &super::shape::RawCheck) -> Check {
    Check {
        name: name.to_string(),
        expr: raw.expr.clone(),
        not_valid: raw.not_valid,
        no_inherit: raw.no_inherit,
        comment: raw.comment.clone(),
    }
}

/// A temporal key or foreign key with fewer than two columns: PostgreSQL needs the columns
/// that identify a row besides the range that must not overlap (or be covered).
fn temporal_needs_two(what: &str, at: &Span) -> Diagnostic {
    Diagnostic::error(format!("{what} is temporal but has only one column"))
        .at(at.clone())
        .label("a temporal key needs two or more columns")
        .help("list the columns that identify a row, then the range column last: `columns: [id, valid_at]`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(
            parse_column_ref("tenants.id"),
            Some((None, "tenants".into(), vec!["id".into()]))
        );
        assert_eq!(
            parse_column_ref("public.tenants.id"),
            Some((Some("public".into()), "tenants".into(), vec!["id".into()]))
        );
        assert_eq!(
            parse_column_ref("tenants(id)"),
            Some((None, "tenants".into(), vec!["id".into()]))
        );
        assert_eq!(parse_column_ref("tenants(a, b)"), None);
        assert_eq!(parse_column_ref("tenants"), None);
        assert_eq!(
            parse_table_ref("a.b( x , y )"),
            Some((Some("a".into()), "b".into(), vec!["x".into(), "y".into()]))
        );
        assert_eq!(parse_table_ref("b(x,"), None);
    }

    #[test]
    fn outer_parens_only_when_they_match() {
        assert_eq!(strip_parens("(a::halfvec(3))"), "a::halfvec(3)");
        assert_eq!(strip_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_parens("lower(x)"), "lower(x)");
    }
}

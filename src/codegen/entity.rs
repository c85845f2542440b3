//! Entity generation (`model::Schema` → the SeaORM 2 `entity/` crate's sources): one module per
//! table, `prelude.rs`, `sea_orm_active_enums.rs` and the root module, as token streams
//! formatted in-process so the same schema always gives the same bytes.
//!
//! Naming (stable for a given schema; every choice is deterministic and clash-free):
//! - a table in `public` becomes module `snake(table)`; a table in another PostgreSQL schema
//!   becomes `snake(schema)_snake(table)` (flat, so `super::x` paths stay simple). Clashes get
//!   `_2`, `_3` in the order of the tables' qualified names;
//! - fields are `snake(column)`, raw identifiers for keywords (`r#type`), with
//!   `column_name = "..."` whenever the field name is not the SQL name;
//! - enums are `Camel(name)` in `public` and `Camel(schema_name)` elsewhere; variants are
//!   `Camel(label)` with `string_value` carrying the label;
//! - relations: `belongs_to` per foreign key, named after the target (`SelfRef` for a
//!   self-reference, the FK columns when one target is referenced twice); the reverse
//!   `has_many` on the target (`has_many_via` the FK, so several FKs never make it ambiguous);
//!   `Related` impls only where the path is unique, including many-to-many through link tables
//!   (a table whose primary key is exactly the columns of its two foreign keys).
//!
//! Columns PostgreSQL writes itself (generated columns always, `identity always` on insert)
//! are reset to `NotSet` in `ActiveModelBehavior::before_save`, so `ActiveModel::insert`/`update`
//! never send them, even for a model turned back into an active model. `Entity::insert(..)`
//! bypasses `before_save` (SeaORM's design): such statements must leave those fields `NotSet`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::names::{self, Allocator};
use super::types::{self, RustType};
use super::{GeneratedFile, nearest, render};
use crate::model::{
    Column, DefaultValue, FkAction, ForeignKey, IdentityKind, QualifiedName, Schema, Table,
};

/// Choices about the generated crate that are not in the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityOptions {
    /// Where the root module goes (`src/lib.rs` for a dedicated crate, or e.g.
    /// `src/entities/mod.rs` inside an application); table modules go next to it.
    pub root_file: PathBuf,
    /// Rust path of the support crate that provides `HalfVector`, `SparseVector`, `Bit` and
    /// `Neighbor` (a dependency of the generated crate).
    pub support_crate: String,
}

impl Default for EntityOptions {
    fn default() -> Self {
        Self {
            root_file: PathBuf::from("src/lib.rs"),
            support_crate: "tidemark_pgvector".into(),
        }
    }
}

/// Module holding the generated enums (SeaORM's own codegen uses the same name).
const ENUMS_MODULE: &str = "sea_orm_active_enums";

/// Everything later stages need to know about one column of a generated model.
pub(crate) struct Field<'a> {
    pub column: &'a Column,
    /// Field name as allocated (before keyword escaping).
    pub name: String,
    /// The `Column` enum variant SeaORM derives for the field.
    pub variant: String,
    pub rust: RustType,
}

pub(crate) struct TableInfo<'a> {
    pub table: &'a Table,
    pub module: String,
    pub fields: Vec<Field<'a>>,
    /// The view this entity reads, for a view with `key:` (its entity writes nothing).
    pub view: Option<&'a crate::model::View>,
}

impl TableInfo<'_> {
    pub fn field(&self, column: &str) -> Option<&Field<'_>> {
        self.fields.iter().find(|f| f.column.name == column)
    }
}

struct BelongsTo<'a> {
    variant: String,
    fk: &'a ForeignKey,
    target: usize,
}

enum RelKind {
    BelongsTo {
        rel: usize,
    },
    /// The reverse of `source`'s belongs_to number `rel`.
    HasMany {
        source: usize,
        rel: usize,
    },
}

struct Relation {
    variant: String,
    kind: RelKind,
    /// The table at the other end.
    other: usize,
}

/// Generates the sources of the entity crate for `schema`; writes nothing.
pub fn generate(schema: &Schema, opts: &EntityOptions) -> Vec<GeneratedFile> {
    // What entities are made of; a new kind of the schema must be considered here (sequences
    // and extensions need no code: a sequence's column is generated from its table; views get
    // a read-only entity where the spec gives them a key and typed columns; functions, even
    // those returning a table, get none).
    let Schema {
        extensions: _,
        namespaces: _,
        enums: all_enums,
        sequences: _,
        tables: all_tables,
        views: all_views,
        functions: _,
        triggers: _,
        row_security: _,
        policies: _,
        types: all_types,
        grants: _,
        public_comment: _,
    } = schema;
    let support: TokenStream = opts
        .support_crate
        .split("::")
        .map(|seg| names::ident(&names::snake(seg)))
        .fold(TokenStream::new(), |mut acc, seg| {
            if !acc.is_empty() {
                acc.extend(quote!(::));
            }
            acc.extend(quote!(#seg));
            acc
        });

    // Enums, sorted by qualified name, with stable Rust names.
    let mut enums: Vec<&crate::model::Enum> = all_enums.iter().collect();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    let mut enum_alloc = Allocator::default();
    let enum_names: BTreeMap<&QualifiedName, String> = enums
        .iter()
        .map(|e| (&e.name, enum_alloc.camel(&qualified_base(&e.name))))
        .collect();
    let enum_mod = format_ident!("{ENUMS_MODULE}");
    let enum_path = |q: &QualifiedName| -> Option<TokenStream> {
        enum_names.get(q).map(|n| {
            let id = format_ident!("{n}");
            quote!(super::#enum_mod::#id)
        })
    };

    // Tables, views with a key (as the table their entity reads), and modules.
    let view_tables: Vec<(Table, &crate::model::View)> = all_views
        .iter()
        .filter_map(|v| {
            let e = v.entity.as_ref()?;
            let mut t = Table::named(v.name.clone());
            t.columns = e.columns.clone();
            t.primary_key = Some(crate::model::PrimaryKey {
                name: String::new(),
                columns: e.key.clone(),
                ..Default::default()
            });
            t.indexes = v.indexes.clone();
            t.comment = v.comment.clone();
            Some((t, v))
        })
        .collect();
    // A partition's rows are its parent's: one entity, the parent's, reads them all.
    let mut tables: Vec<(&Table, Option<&crate::model::View>)> = all_tables
        .iter()
        .filter(|t| t.partition_of.is_none())
        .map(|t| (t, None))
        .chain(view_tables.iter().map(|(t, v)| (t, Some(*v))))
        .collect();
    tables.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let mut module_alloc = Allocator::default();
    for reserved in ["prelude", ENUMS_MODULE, "lib", "mod", "main"] {
        module_alloc.reserve(reserved);
    }
    let infos: Vec<TableInfo> = tables
        .iter()
        .map(|&(t, view)| {
            let module = module_alloc.snake(&qualified_base(&t.name));
            let mut field_alloc = Allocator::default();
            let fields = t
                .columns
                .iter()
                .map(|c| {
                    let name = field_alloc.snake(&c.name);
                    let variant = sea_orm_variant(&name);
                    Field {
                        column: c,
                        name,
                        variant,
                        rust: types::map(
                            &types::through_domains(&c.ty, all_types),
                            &enum_path,
                            &support,
                        ),
                    }
                })
                .collect();
            TableInfo {
                table: t,
                module,
                fields,
                view,
            }
        })
        .collect();
    let index_of: BTreeMap<&QualifiedName, usize> = infos
        .iter()
        .enumerate()
        .map(|(i, t)| (&t.table.name, i))
        .collect();

    let belongs = belongs_to(&infos, &index_of);
    let relations = relations(&infos, &belongs);
    let link_tables: Vec<(usize, usize, usize)> = (0..infos.len())
        .filter_map(|l| link_ends(l, &belongs, &infos).map(|(a, b)| (l, a, b)))
        .collect();

    let dir = opts
        .root_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut files = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        let tokens = table_module(i, &infos, &belongs, &relations, &link_tables, &support);
        files.push(GeneratedFile {
            path: dir.join(format!("{}.rs", info.module)),
            contents: render(tokens),
        });
    }
    if !enums.is_empty() {
        files.push(GeneratedFile {
            path: dir.join(format!("{ENUMS_MODULE}.rs")),
            contents: render(enums_module(&enums, &enum_names)),
        });
    }
    files.push(GeneratedFile {
        path: dir.join("prelude.rs"),
        contents: render(prelude(&infos)),
    });
    files.push(GeneratedFile {
        path: opts.root_file.clone(),
        contents: render(root_module(&infos, !enums.is_empty(), all_views)),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `name` in `public`, `schema_name` elsewhere: the base of module and enum names.
fn qualified_base(q: &QualifiedName) -> String {
    if q.schema == "public" {
        q.name.clone()
    } else {
        format!("{}_{}", q.schema, q.name)
    }
}

/// The `Column` variant SeaORM's `DeriveEntityModel` derives from a field name.
fn sea_orm_variant(field: &str) -> String {
    use heck::ToUpperCamelCase;
    let ident = names::ident_text(field);
    let trimmed = ident.trim_start_matches("r#");
    let camel = trimmed.to_upper_camel_case();
    if camel == "Self" {
        "Self_".into()
    } else {
        camel
    }
}

fn belongs_to<'a>(
    infos: &[TableInfo<'a>],
    index_of: &BTreeMap<&QualifiedName, usize>,
) -> Vec<Vec<BelongsTo<'a>>> {
    infos
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let mut fks: Vec<&ForeignKey> = info.table.foreign_keys.iter().collect();
            fks.sort_by(|a, b| a.name.cmp(&b.name));
            let mut alloc = Allocator::default();
            let resolvable: Vec<(&ForeignKey, usize)> = fks
                .into_iter()
                .filter_map(|fk| {
                    let target = *index_of.get(&fk.ref_table)?;
                    let ok = fk.columns.len() == fk.ref_columns.len()
                        && fk.columns.iter().all(|c| info.field(c).is_some())
                        && fk
                            .ref_columns
                            .iter()
                            .all(|c| infos[target].field(c).is_some());
                    ok.then_some((fk, target))
                })
                .collect();
            resolvable
                .iter()
                .map(|&(fk, target)| {
                    let same_target = resolvable.iter().filter(|(_, t)| *t == target).count();
                    let base = if same_target > 1 {
                        fk.columns.join("_")
                    } else if target == i {
                        "self_ref".into()
                    } else {
                        infos[target].module.clone()
                    };
                    BelongsTo {
                        variant: alloc.camel(&base),
                        fk,
                        target,
                    }
                })
                .collect()
        })
        .collect()
}

fn relations(infos: &[TableInfo], belongs: &[Vec<BelongsTo>]) -> Vec<Vec<Relation>> {
    (0..infos.len())
        .map(|i| {
            let mut alloc = Allocator::default();
            let mut rels: Vec<Relation> = belongs[i]
                .iter()
                .enumerate()
                .map(|(n, b)| {
                    alloc.reserve(&b.variant);
                    Relation {
                        variant: b.variant.clone(),
                        kind: RelKind::BelongsTo { rel: n },
                        other: b.target,
                    }
                })
                .collect();
            for (source, source_rels) in belongs.iter().enumerate() {
                let to_me: Vec<usize> = source_rels
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.target == i)
                    .map(|(n, _)| n)
                    .collect();
                for &n in &to_me {
                    let base = if source == i {
                        format!("{}_reverse", names::snake(&source_rels[n].variant))
                    } else if to_me.len() > 1 {
                        format!(
                            "{}_{}",
                            infos[source].module,
                            source_rels[n].fk.columns.join("_")
                        )
                    } else {
                        infos[source].module.clone()
                    };
                    rels.push(Relation {
                        variant: alloc.camel(&base),
                        kind: RelKind::HasMany { source, rel: n },
                        other: source,
                    });
                }
            }
            rels
        })
        .collect()
}

/// `(A, B)` when table `l` is a pure link table between two distinct other tables.
fn link_ends(l: usize, belongs: &[Vec<BelongsTo>], infos: &[TableInfo]) -> Option<(usize, usize)> {
    let rels = &belongs[l];
    if rels.len() != 2 || infos[l].table.foreign_keys.len() != 2 {
        return None;
    }
    let (a, b) = (rels[0].target, rels[1].target);
    if a == b || a == l || b == l {
        return None;
    }
    let pk = infos[l].table.primary_key.as_ref()?;
    let mut pk_cols: Vec<&String> = pk.columns.iter().collect();
    let mut fk_cols: Vec<&String> = rels.iter().flat_map(|r| r.fk.columns.iter()).collect();
    pk_cols.sort();
    fk_cols.sort();
    fk_cols.dedup();
    (pk_cols == fk_cols).then_some((a, b))
}

fn entity_path(from: usize, to: usize, infos: &[TableInfo]) -> TokenStream {
    if from == to {
        quote!(Entity)
    } else {
        let m = names::ident(&infos[to].module);
        quote!(super::#m::Entity)
    }
}

fn column_path(from: usize, to: usize, column: &str, infos: &[TableInfo]) -> String {
    let variant = infos[to]
        .field(column)
        .map(|f| f.variant.clone())
        .unwrap_or_default();
    if from == to {
        format!("Column::{variant}")
    } else {
        format!(
            "super::{}::Column::{variant}",
            names::ident_text(&infos[to].module)
        )
    }
}

fn columns_attr(from: usize, to: usize, columns: &[String], infos: &[TableInfo]) -> String {
    let paths: Vec<String> = columns
        .iter()
        .map(|c| column_path(from, to, c, infos))
        .collect();
    if paths.len() == 1 {
        paths[0].clone()
    } else {
        format!("({})", paths.join(", "))
    }
}

fn fk_action(a: FkAction) -> Option<&'static str> {
    match a {
        FkAction::NoAction => None,
        FkAction::Restrict => Some("Restrict"),
        FkAction::Cascade => Some("Cascade"),
        FkAction::SetNull => Some("SetNull"),
        FkAction::SetDefault => Some("SetDefault"),
    }
}

/// The type of a column (or of its array's elements) that the model has no variant of.
fn other_type(ty: &crate::model::ColumnType) -> Option<&crate::model::OtherType> {
    use crate::model::ColumnType;
    match ty {
        ColumnType::Other(o) => Some(o),
        ColumnType::Array(inner) => other_type(inner),
        _ => None,
    }
}

/// A value of the type in PostgreSQL's text form, for the generated docs.
fn example_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "tstzrange" | "tsrange" => "[2026-01-01 00:00:00+00,2026-02-01 00:00:00+00)",
        "daterange" => "[2026-01-01,2026-02-01)",
        "int4range" | "int8range" | "numrange" => "[1,10)",
        n if n.ends_with("multirange") => "{[1,3),[5,8)}",
        "point" => "(1.5,2)",
        "geometry" | "geography" => "0101000020E6100000000000000000F03F0000000000000040",
        "citext" => "Alice@Example.com",
        "hstore" => "\"a\"=>\"1\"",
        _ => return None,
    })
}

fn doc_lines(text: &str) -> TokenStream {
    text.lines()
        .map(|line| {
            let line = format!(" {}", line.trim_end());
            quote!(#[doc = #line])
        })
        .collect()
}

fn table_module(
    i: usize,
    infos: &[TableInfo],
    belongs: &[Vec<BelongsTo>],
    relations: &[Vec<Relation>],
    link_tables: &[(usize, usize, usize)],
    support: &TokenStream,
) -> TokenStream {
    let info = &infos[i];
    let table = info.table;
    let what = match info.view {
        Some(v) if v.materialized => "Read-only entity for materialized view",
        Some(_) => "Read-only entity for view",
        None => "Entity for table",
    };
    let module_doc = format!(
        " {what} `{}`{}",
        table.name,
        table
            .comment
            .as_deref()
            .map(|c| format!(": {}", c.lines().next().unwrap_or_default()))
            .unwrap_or_else(|| ".".into())
    );

    // Model.
    let table_name = &table.name.name;
    let mut entity_attrs = vec![quote!(table_name = #table_name)];
    if table.name.schema != "public" {
        let schema = &table.name.schema;
        entity_attrs.push(quote!(schema_name = #schema));
    }
    if let Some(comment) = &table.comment {
        entity_attrs.push(quote!(comment = #comment));
    }
    let model_doc = table.comment.as_deref().map(doc_lines).unwrap_or_default();

    let pk_cols: Vec<&String> = table
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.iter().collect())
        .unwrap_or_default();
    let auto_increment = pk_cols.len() == 1
        && info.field(pk_cols[0]).is_some_and(|f| {
            let c = f.column;
            matches!(
                c.ty,
                crate::model::ColumnType::SmallInt
                    | crate::model::ColumnType::Integer
                    | crate::model::ColumnType::BigInt
            ) && (c.identity.is_some()
                || matches!(&c.default, Some(DefaultValue::Expr(e))
                    if !crate::sql_lex::sequence_calls(e, "public").is_empty()))
        });

    let mut all_eq = true;
    let fields: Vec<TokenStream> = info
        .fields
        .iter()
        .map(|f| {
            let c = f.column;
            all_eq &= f.rust.eq;
            let mut attrs: Vec<TokenStream> = Vec::new();
            if pk_cols.contains(&&c.name) {
                attrs.push(quote!(primary_key));
                if !auto_increment {
                    attrs.push(quote!(auto_increment = false));
                }
            }
            let written = names::ident_text(&f.name);
            if written.trim_start_matches("r#") != c.name {
                let name = &c.name;
                attrs.push(quote!(column_name = #name));
            }
            if let Some(ct) = &f.rust.column_type {
                attrs.push(quote!(column_type = #ct));
            }
            if let Some(s) = &f.rust.select_as {
                attrs.push(quote!(select_as = #s));
            }
            if let Some(s) = &f.rust.save_as {
                attrs.push(quote!(save_as = #s));
            }
            let sea_attr = if attrs.is_empty() {
                quote!()
            } else {
                quote!(#[sea_orm(#(#attrs),*)])
            };
            let mut doc = c.comment.clone().unwrap_or_default();
            let mut note = |line: String| {
                if !doc.is_empty() {
                    doc.push('\n');
                }
                doc.push_str(&line);
            };
            if let Some(g) = &c.generated {
                note(format!(
                    "Generated by PostgreSQL from `{g}`; never written by `ActiveModel::insert`/`update`."
                ));
            }
            if c.identity.as_ref().is_some_and(|i| i.kind == IdentityKind::Always) {
                note("`GENERATED ALWAYS AS IDENTITY`: PostgreSQL assigns it; never written on insert.".into());
            }
            if let Some(o) = other_type(&c.ty) {
                note(format!(
                    "PostgreSQL type `{}`, which SeaORM has no value for: carried in its text form \
                     (read as `text`, cast back on write){}.",
                    crate::sql_ident::type_name(&c.ty).replace('"', ""),
                    example_text(&o.name)
                        .map(|e| format!(", e.g. `{e}`"))
                        .unwrap_or_default()
                ));
            }
            let doc = doc_lines(&doc);
            let ident = names::ident(&f.name);
            let ty = &f.rust.ty;
            let ty = if c.nullable {
                quote!(Option<#ty>)
            } else {
                quote!(#ty)
            };
            quote! {
                #doc
                #sea_attr
                pub #ident: #ty,
            }
        })
        .collect();
    let derives = if all_eq {
        quote!(#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)])
    } else {
        quote!(#[derive(Clone, Debug, PartialEq, DeriveEntityModel)])
    };

    // Relation enum.
    let rel_variants: Vec<TokenStream> = relations[i]
        .iter()
        .map(|r| {
            let variant = format_ident!("{}", r.variant);
            match r.kind {
                RelKind::BelongsTo { rel } => {
                    let b = &belongs[i][rel];
                    let target = entity_path(i, b.target, infos).to_string().replace(' ', "");
                    let from = columns_attr(i, i, &b.fk.columns, infos);
                    let to = columns_attr(i, b.target, &b.fk.ref_columns, infos);
                    let fk_name = &b.fk.name;
                    let mut attrs = vec![
                        quote!(belongs_to = #target),
                        quote!(from = #from),
                        quote!(to = #to),
                    ];
                    if let Some(a) = fk_action(b.fk.on_update) {
                        attrs.push(quote!(on_update = #a));
                    }
                    if let Some(a) = fk_action(b.fk.on_delete) {
                        attrs.push(quote!(on_delete = #a));
                    }
                    attrs.push(quote!(fk_name = #fk_name));
                    quote!(#[sea_orm(#(#attrs),*)] #variant,)
                }
                RelKind::HasMany { source, rel } => {
                    let target = entity_path(i, source, infos).to_string().replace(' ', "");
                    let via = format!("Relation::{}", belongs[source][rel].variant);
                    quote!(#[sea_orm(has_many = #target, via_rel = #via)] #variant,)
                }
            }
        })
        .collect();

    // Related impls: unique direct paths, then many-to-many through link tables.
    let mut related = Vec::new();
    let mut direct_count: BTreeMap<usize, usize> = BTreeMap::new();
    for r in &relations[i] {
        *direct_count.entry(r.other).or_default() += 1;
    }
    for r in &relations[i] {
        if r.other != i && direct_count[&r.other] == 1 {
            let target = entity_path(i, r.other, infos);
            let variant = format_ident!("{}", r.variant);
            related.push(quote! {
                impl Related<#target> for Entity {
                    fn to() -> RelationDef {
                        Relation::#variant.def()
                    }
                }
            });
        }
    }
    let mut links: BTreeMap<usize, Vec<(usize, usize, usize)>> = BTreeMap::new(); // other -> (link, rel to other, rel to me)
    for &(l, a, b) in link_tables {
        {
            let rel_to = |t: usize| belongs[l].iter().position(|r| r.target == t);
            if let (Some(ra), Some(rb)) = (rel_to(a), rel_to(b)) {
                if a == i {
                    links.entry(b).or_default().push((l, rb, ra));
                } else if b == i {
                    links.entry(a).or_default().push((l, ra, rb));
                }
            }
        }
    }
    for (other, via) in &links {
        if via.len() != 1 || direct_count.contains_key(other) {
            continue;
        }
        let (l, to_other, to_me) = via[0];
        let target = entity_path(i, *other, infos);
        let link = names::ident(&infos[l].module);
        let to_other = format_ident!("{}", belongs[l][to_other].variant);
        let to_me = format_ident!("{}", belongs[l][to_me].variant);
        related.push(quote! {
            impl Related<#target> for Entity {
                fn to() -> RelationDef {
                    super::#link::Relation::#to_other.def()
                }
                fn via() -> Option<RelationDef> {
                    Some(super::#link::Relation::#to_me.def().rev())
                }
            }
        });
    }

    // ActiveModelBehavior.
    let mut always_unset = Vec::new();
    let mut insert_unset = Vec::new();
    for f in &info.fields {
        let ident = names::ident(&f.name);
        if f.column.generated.is_some() {
            always_unset.push(quote!(self.#ident = sea_orm::ActiveValue::NotSet;));
        } else if f
            .column
            .identity
            .as_ref()
            .is_some_and(|i| i.kind == IdentityKind::Always)
        {
            if pk_cols.contains(&&f.column.name) {
                insert_unset.push(quote!(self.#ident = sea_orm::ActiveValue::NotSet;));
            } else {
                always_unset.push(quote!(self.#ident = sea_orm::ActiveValue::NotSet;));
            }
        }
    }
    let behavior = if let Some(v) = info.view {
        let refusal = format!(
            "{} {} is read-only: its entity never writes",
            if v.materialized {
                "materialized view"
            } else {
                "view"
            },
            v.name
        );
        quote! {
            /// A view's rows are read, never written: `ActiveModel` saves and deletes fail.
            #[async_trait::async_trait]
            impl ActiveModelBehavior for ActiveModel {
                async fn before_save<C>(self, _db: &C, _insert: bool) -> Result<Self, DbErr>
                where
                    C: ConnectionTrait,
                {
                    Err(DbErr::Custom(#refusal.to_owned()))
                }

                async fn before_delete<C>(self, _db: &C) -> Result<Self, DbErr>
                where
                    C: ConnectionTrait,
                {
                    Err(DbErr::Custom(#refusal.to_owned()))
                }
            }
        }
    } else if always_unset.is_empty() && insert_unset.is_empty() {
        quote!(impl ActiveModelBehavior for ActiveModel {})
    } else {
        let insert_block = if insert_unset.is_empty() {
            quote!()
        } else {
            quote!(if insert { #(#insert_unset)* })
        };
        let insert_param = if insert_unset.is_empty() {
            format_ident!("_insert")
        } else {
            format_ident!("insert")
        };
        quote! {
            /// Leaves the columns PostgreSQL computes itself out of every INSERT/UPDATE.
            #[async_trait::async_trait]
            impl ActiveModelBehavior for ActiveModel {
                async fn before_save<C>(mut self, _db: &C, #insert_param: bool) -> Result<Self, DbErr>
                where
                    C: ConnectionTrait,
                {
                    #(#always_unset)*
                    #insert_block
                    Ok(self)
                }
            }
        }
    };

    let nearest = nearest::methods(info, support);

    quote! {
        #![doc = #module_doc]

        use sea_orm::entity::prelude::*;

        #model_doc
        #derives
        #[sea_orm(#(#entity_attrs),*)]
        pub struct Model {
            #(#fields)*
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #(#rel_variants)*
        }

        #(#related)*

        #behavior

        #nearest
    }
}

fn enums_module(
    enums: &[&crate::model::Enum],
    names_of: &BTreeMap<&QualifiedName, String>,
) -> TokenStream {
    let items = enums.iter().map(|e| {
        let ident = format_ident!("{}", names_of[&e.name]);
        let enum_name = &e.name.name;
        let mut doc = format!("PostgreSQL enum `{}`.", e.name);
        if let Some(c) = &e.comment {
            doc = format!("{c}\n\n{doc}");
        }
        if e.name.schema != "public" {
            doc.push_str(
                "\nColumns of this type cast values to the schema-qualified type with `save_as`.",
            );
        }
        let doc = doc_lines(&doc);
        let mut alloc = Allocator::default();
        let variants = e.values.iter().map(|label| {
            let v = format_ident!("{}", alloc.camel(label));
            quote!(#[sea_orm(string_value = #label)] #v,)
        });
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
            #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = #enum_name)]
            pub enum #ident {
                #(#variants)*
            }
        }
    });
    quote! {
        #![doc = " Enums of the schema, as SeaORM active enums."]

        use sea_orm::entity::prelude::*;

        #(#items)*
    }
}

fn prelude(infos: &[TableInfo]) -> TokenStream {
    let items = infos.iter().map(|t| {
        let m = names::ident(&t.module);
        let alias = format_ident!("{}", names::camel(&t.module));
        quote!(pub use super::#m::Entity as #alias;)
    });
    quote! {
        #![doc = " Every entity under its table's CamelCase name: `use entity::prelude::*;`."]

        #(#items)*
    }
}

fn root_module(infos: &[TableInfo], has_enums: bool, views: &[crate::model::View]) -> TokenStream {
    let mut modules: Vec<Ident> = infos.iter().map(|t| names::ident(&t.module)).collect();
    // Views are named in the crate's docs, so a reader looking for one learns why it is not
    // here rather than assuming it was forgotten.
    let keyless: Vec<String> = views
        .iter()
        .filter(|v| v.entity.is_none())
        .map(|v| format!("`{}.{}`", v.name.schema, v.name.name))
        .collect();
    let note: Vec<String> = if keyless.is_empty() {
        Vec::new()
    } else {
        vec![
            String::new(),
            format!(
                " No entities for the views without a `key:` in the spec ({}): an entity needs the columns that identify a row, and their types.",
                keyless.join(", ")
            ),
        ]
    };
    modules.push(format_ident!("prelude"));
    if has_enums {
        modules.push(format_ident!("{ENUMS_MODULE}"));
    }
    modules.sort_by_key(|m| m.to_string());
    // `rustfmt::skip`: the files are already formatted (by prettyplease); `cargo fmt` must not
    // reflow them, or the generated crate would never be current.
    quote! {
        #![doc = " SeaORM 2 entities generated by tidemark from the schema spec (`schemas/`)."]
        #(#![doc = #note])*

        #(#[rustfmt::skip] pub mod #modules;)*
    }
}

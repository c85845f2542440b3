//! The spec step run backwards: [`model::Schema`] → YAML spec files, for `tidemark inspect`.
//!
//! The output is what a person would write: the shortest form of every object (a bare type for a
//! plain column, `?` for nullable, `primary_key: true` / `unique: true` / `references:` on the
//! column when the constraint has PostgreSQL's derived name), defaults omitted, btree omitted,
//! and unqualified references wherever the loader resolves them to the same object. Loading the
//! emitted files gives back an equal model (tested on the example and on generated schemas).

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::model::{
    Check, Column, ColumnType, DefaultValue, Deferrable, Enum, FkAction, ForeignKey, IdentityKind,
    Index, IndexKey, IndexMethod, IndexTarget, NullsOrder, QualifiedName, Schema, Sequence,
    SequenceOptions, SequenceType, SortOrder, Table, View,
};
use crate::model::{Function, ObjectRef, Parallel, Trigger, TriggerTiming, Volatility};
use crate::spec::names;

/// How `inspect` splits the spec into files; users pick what suits their repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One file per PostgreSQL schema (`public.yaml`, `analytics.yaml`).
    #[default]
    PerSchema,
    /// One file per table (`tenants.yaml`, `analytics.search_events.yaml`), plus one file of
    /// enums per schema and `extensions.yaml`.
    PerTable,
}

/// A spec file to write, relative to the spec directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmittedFile {
    pub path: String,
    pub contents: String,
}

/// Renders `schema` as spec files in the given layout, sorted by path. An empty schema gives
/// one file that loads as an empty spec, so "nothing" round-trips too.
pub fn emit(schema: &Schema, layout: Layout) -> Vec<EmittedFile> {
    // Every kind of the schema is written below; a new one must be added here.
    let Schema {
        extensions: _,
        namespaces,
        enums: all_enums,
        sequences: all_sequences,
        tables: all_tables,
        views: all_views,
        functions: all_functions,
        triggers: _,
        row_security: _,
        policies: _,
        types: all_types,
        grants: _,
        public_comment: _,
    } = schema;
    let mut schemas: BTreeSet<&str> = BTreeSet::new();
    schemas.insert("public");
    schemas.extend(namespaces.iter().map(|n| n.name.as_str()));
    schemas.extend(all_enums.iter().map(|e| e.name.schema.as_str()));
    schemas.extend(all_sequences.iter().map(|s| s.name.schema.as_str()));
    schemas.extend(all_tables.iter().map(|t| t.name.schema.as_str()));
    schemas.extend(all_views.iter().map(|v| v.name.schema.as_str()));
    schemas.extend(all_functions.iter().map(|f| f.name.schema.as_str()));
    schemas.extend(all_types.iter().map(|t| t.name.schema.as_str()));

    let mut files = Vec::new();
    match layout {
        Layout::PerSchema => {
            for ns in schemas {
                let mut out = header(schema, ns);
                if ns == "public" {
                    extensions(schema, &mut out);
                }
                enums(schema, ns, &mut out);
                custom_types(schema, ns, &mut out);
                sequences(schema, ns, &mut out);
                functions(schema, ns, &mut out);
                // Partitions are written under their parent.
                let tables: Vec<&Table> = schema
                    .tables
                    .iter()
                    .filter(|t| t.name.schema == ns && t.partition_of.is_none())
                    .collect();
                if !tables.is_empty() {
                    out.push_str("\ntables:\n");
                    for t in tables {
                        table(schema, t, &mut out);
                    }
                }
                views(schema, ns, &mut out);
                if out != header(schema, ns) || ns != "public" {
                    files.push(EmittedFile {
                        path: format!("{}.yaml", file_stem(ns)),
                        contents: tidy(out),
                    });
                }
            }
        }
        Layout::PerTable => {
            let mut out = String::new();
            extensions(schema, &mut out);
            if !out.is_empty() {
                files.push(EmittedFile {
                    path: "extensions.yaml".into(),
                    contents: tidy(out),
                });
            }
            for ns in schemas {
                let mut out = header(schema, ns);
                enums(schema, ns, &mut out);
                custom_types(schema, ns, &mut out);
                let has_enums = schema.enums.iter().any(|e| e.name.schema == ns)
                    || schema.types.iter().any(|t| t.name.schema == ns);
                let has_tables = schema.tables.iter().any(|t| t.name.schema == ns);
                if has_enums || (!has_tables && ns != "public") {
                    files.push(EmittedFile {
                        path: prefixed(ns, "enums"),
                        contents: tidy(out),
                    });
                }
                let mut out = header(schema, ns);
                sequences(schema, ns, &mut out);
                if out != header(schema, ns) {
                    files.push(EmittedFile {
                        path: prefixed(ns, "sequences"),
                        contents: tidy(out),
                    });
                }
                for t in schema
                    .tables
                    .iter()
                    .filter(|t| t.name.schema == ns && t.partition_of.is_none())
                {
                    let mut out = header(schema, ns);
                    out.push_str("\ntables:\n");
                    table(schema, t, &mut out);
                    files.push(EmittedFile {
                        path: prefixed(ns, &t.name.name),
                        contents: tidy(out),
                    });
                }
                let mut out = header(schema, ns);
                functions(schema, ns, &mut out);
                if out != header(schema, ns) {
                    files.push(EmittedFile {
                        path: prefixed(ns, "functions"),
                        contents: tidy(out),
                    });
                }
                let mut out = header(schema, ns);
                views(schema, ns, &mut out);
                if out != header(schema, ns) {
                    files.push(EmittedFile {
                        path: prefixed(ns, "views"),
                        contents: tidy(out),
                    });
                }
            }
        }
    }
    if files.is_empty() {
        files.push(EmittedFile {
            path: "public.yaml".into(),
            contents: "# The database held no tables, enums, sequences or extensions when it was inspected.\ntables: {}\n".into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Whether a sequence is the one a `serial` spelling of its owning column stands for: owned
/// by the column, named as PostgreSQL derives it, with the default options of the column's
/// type, no comment, no managed grants (a `serial` column has no place for them), and the
/// column's default exactly `nextval` of it.
fn serial_of<'s>(schema: &'s Schema, t: &Table, c: &Column) -> Option<&'s Sequence> {
    let seq = crate::kind::column::serial_sequence(schema, &t.name, c)?;
    let data_type = SequenceType::of_column(&c.ty)?;
    let standard = seq.name.name
        == names::make_object_name(&t.name.name, Some(&c.name), Some("seq"))
        && seq.options == SequenceOptions::defaults(data_type, 1)
        && seq.comment.is_none()
        && !schema
            .grants
            .iter()
            .any(|g| g.object == ObjectRef::Sequence(seq.name.clone()))
        && !c.nullable
        && c.identity.is_none()
        && c.generated.is_none();
    standard.then_some(seq)
}

/// The spec's keys for the options that differ from PostgreSQL's defaults for `data_type`
/// (`as` is the caller's).
fn sequence_fields(o: &SequenceOptions) -> Vec<String> {
    let implied = SequenceOptions::defaults(o.data_type, o.increment);
    let mut fields = Vec::new();
    if o.increment != 1 {
        fields.push(format!("increment: {}", o.increment));
    }
    if o.min != implied.min {
        fields.push(format!("min: {}", o.min));
    }
    if o.max != implied.max {
        fields.push(format!("max: {}", o.max));
    }
    if o.start != if o.increment > 0 { o.min } else { o.max } {
        fields.push(format!("start: {}", o.start));
    }
    if o.cache != 1 {
        fields.push(format!("cache: {}", o.cache));
    }
    if o.cycle {
        fields.push("cycle: true".into());
    }
    fields
}

fn sequences(schema: &Schema, ns: &str, out: &mut String) {
    let serials: BTreeSet<&QualifiedName> = schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().filter_map(|c| serial_of(schema, t, c)))
        .map(|s| &s.name)
        .collect();
    let list: Vec<&Sequence> = schema
        .sequences
        .iter()
        .filter(|s| s.name.schema == ns && !serials.contains(&s.name))
        .collect();
    if list.is_empty() {
        return;
    }
    out.push_str("\nsequences:\n");
    for s in list {
        let mut fields = Vec::new();
        if s.options.data_type != SequenceType::BigInt {
            fields.push(format!("as: {}", s.options.data_type.sql()));
        }
        fields.extend(sequence_fields(&s.options));
        if let Some(o) = &s.owned_by {
            fields.push(format!(
                "owned_by: {}",
                string(&format!("{}.{}", o.table, o.column))
            ));
        }
        if let Some(c) = &s.comment {
            fields.push(format!("comment: {}", string(c)));
        }
        if let Some(g) = grants_value(schema, &ObjectRef::Sequence(s.name.clone())) {
            fields.push(format!("grants: {g}"));
        }
        let _ = writeln!(out, "  {}: {{ {} }}", key(&s.name.name), fields.join(", "));
    }
    *out = out.replace("{  }", "{}");
}

fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn prefixed(ns: &str, name: &str) -> String {
    if ns == "public" {
        format!("{}.yaml", file_stem(name))
    } else {
        format!("{}.{}.yaml", file_stem(ns), file_stem(name))
    }
}

fn header(schema: &Schema, ns: &str) -> String {
    if ns == "public" {
        return match &schema.public_comment {
            Some(c) => format!("schema: public\ncomment: {}\n", string(c)),
            None => String::new(),
        };
    }
    let mut out = format!("schema: {}\n", scalar(ns));
    if let Some(c) = schema
        .namespaces
        .iter()
        .find(|n| n.name == ns)
        .and_then(|n| n.comment.as_ref())
    {
        out.push_str(&format!("comment: {}\n", string(c)));
    }
    if let Some(g) = grants_value(schema, &ObjectRef::Schema(ns.to_string())) {
        out.push_str(&format!("grants: {g}\n"));
    }
    out
}

/// Removes the blank line a section would leave at the top of a file.
fn tidy(out: String) -> String {
    let trimmed = out.trim_start_matches('\n');
    format!("{}\n", trimmed.trim_end())
}

fn extensions(schema: &Schema, out: &mut String) {
    if schema.extensions.is_empty() {
        return;
    }
    out.push_str("\nextensions:\n");
    for e in &schema.extensions {
        let mut fields = Vec::new();
        if let Some(s) = &e.schema {
            fields.push(format!("schema: {}", scalar(s)));
        }
        if let Some(v) = &e.version {
            fields.push(format!("version: {}", string(v)));
        }
        let _ = writeln!(out, "  {}: {{ {} }}", key(&e.name), fields.join(", "));
    }
    // `{  }` for an extension with no options reads oddly; the loader accepts `{}`.
    *out = out.replace("{  }", "{}");
}

fn enums(schema: &Schema, ns: &str, out: &mut String) {
    let list: Vec<&Enum> = schema
        .enums
        .iter()
        .filter(|e| e.name.schema == ns)
        .collect();
    if list.is_empty() {
        return;
    }
    out.push_str("\nenums:\n");
    for e in list {
        let values = e.values.iter().map(|v| scalar(v)).collect::<Vec<_>>();
        match &e.comment {
            None => {
                let _ = writeln!(out, "  {}: [{}]", key(&e.name.name), values.join(", "));
            }
            Some(c) => {
                let _ = writeln!(out, "  {}:", key(&e.name.name));
                let _ = writeln!(out, "    values: [{}]", values.join(", "));
                let _ = writeln!(out, "    comment: {}", block_string(c));
            }
        }
    }
}

/// The `views:` and `materialized_views:` sections of schema `ns`.
fn views(schema: &Schema, ns: &str, out: &mut String) {
    for materialized in [false, true] {
        let list: Vec<&View> = schema
            .views
            .iter()
            .filter(|v| v.name.schema == ns && v.materialized == materialized)
            .collect();
        if list.is_empty() {
            continue;
        }
        out.push_str(if materialized {
            "\nmaterialized_views:\n"
        } else {
            "\nviews:\n"
        });
        for v in list {
            let _ = writeln!(out, "  {}:", key(&v.name.name));
            let _ = writeln!(out, "    sql: {}", query_text(&v.query, "      "));
            if v.security_invoker {
                let _ = writeln!(out, "    security_invoker: true");
            }
            if v.security_barrier {
                let _ = writeln!(out, "    security_barrier: true");
            }
            if let Some(c) = v.check_option {
                let _ = writeln!(out, "    check_option: {}", c.sql());
            }
            if !v.with_data {
                let _ = writeln!(out, "    with_data: false");
            }
            storage(&v.storage, out);
            if let Some(c) = &v.comment {
                let _ = writeln!(out, "    comment: {}", block_string(c));
            }
            let commented: Vec<_> = v.columns.iter().filter(|c| c.comment.is_some()).collect();
            if let Some(e) = &v.entity {
                let keys: Vec<String> = e.key.iter().map(|k| key(k)).collect();
                let _ = writeln!(out, "    key: {}", list_of(&keys));
                let _ = writeln!(out, "    columns:");
                for c in &e.columns {
                    let mut ty = type_name(&v.name.schema, &c.ty);
                    if c.nullable {
                        ty.push('?');
                    }
                    let comment = c
                        .comment
                        .as_deref()
                        .map(|t| format!(", comment: {}", string(t)))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "      {}: {{ type: {}{comment} }}",
                        key(&c.name),
                        string(&ty)
                    );
                }
            } else if !commented.is_empty() {
                let _ = writeln!(out, "    columns:");
                for c in commented {
                    let _ = writeln!(
                        out,
                        "      {}: {}",
                        key(&c.name),
                        block_string(c.comment.as_deref().unwrap_or_default())
                    );
                }
            }
            triggers(schema, &v.name, out);
            grants(schema, &v.object(), "    ", out);
            indexes(&v.indexes, out);
        }
    }
}

/// A query as a YAML value: a literal block (`|-`, lines indented by `indent`) that keeps the
/// text exactly, or a quoted string when a block could not (control characters, a line
/// starting with blank space, which a block would read as indentation).
fn query_text(query: &str, indent: &str) -> String {
    let blockable = !query.is_empty()
        && !query.starts_with([' ', '\t'])
        && query
            .chars()
            .all(|c| c == '\n' || c == '\t' || !c.is_control())
        && !query
            .lines()
            .any(|l| l.ends_with([' ', '\t']) && l.trim().is_empty());
    if !blockable {
        return quoted(query);
    }
    let mut out = String::from("|-");
    for line in query.lines() {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
    }
    out
}

/// A function body as a YAML value that reads back byte for byte: a literal block whose
/// chomping indicator keeps its trailing line breaks (`|-` none, `|` one, `|+` more) and
/// whose leading blank lines stay, or a quoted string when no block could (control
/// characters, blank space at the start of the first line or at the very end).
fn body_text(body: &str, indent: &str) -> String {
    let content = body.trim_start_matches('\n');
    let blockable = !content.trim().is_empty()
        && !content.starts_with([' ', '\t'])
        && !body.ends_with([' ', '\t'])
        && !body.contains('\r')
        && body
            .chars()
            .all(|c| c == '\n' || c == '\t' || !c.is_control());
    if !blockable {
        return quoted(body);
    }
    let trailing = body.len() - body.trim_end_matches('\n').len();
    let mut out = String::from(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    let leading = body.len() - content.len();
    for _ in 0..leading {
        out.push('\n');
    }
    for line in body.trim_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

/// What can be said on a column instead of at table level.
#[derive(Default)]
struct Inline<'a> {
    primary_key: bool,
    unique: bool,
    check: Option<&'a Check>,
    fk: Option<&'a ForeignKey>,
}

fn table(schema: &Schema, t: &Table, out: &mut String) {
    let table_name = &t.name.name;
    let mut inline: Vec<Inline> = t.columns.iter().map(|_| Inline::default()).collect();
    let col_index = |name: &str| t.columns.iter().position(|c| c.name == name);

    let mut pk_table = None;
    if let Some(pk) = &t.primary_key {
        match (
            pk.columns.as_slice(),
            pk.name == names::primary_key(table_name),
        ) {
            ([one], true)
                if col_index(one).is_some()
                    && !pk.without_overlaps
                    && pk.include.is_empty()
                    && pk.deferrable == Deferrable::NotDeferrable
                    && pk.comment.is_none()
                    && pk.index_comment.is_none() =>
            {
                inline[col_index(one).unwrap_or_default()].primary_key = true
            }
            _ => pk_table = Some(pk),
        }
    }
    let mut uniques = Vec::new();
    for u in &t.uniques {
        let simple = !u.nulls_not_distinct
            && !u.without_overlaps
            && u.include.is_empty()
            && u.deferrable == Deferrable::NotDeferrable
            && u.comment.is_none()
            && u.index_comment.is_none();
        match u.columns.as_slice() {
            [one]
                if simple
                    && u.name == names::column_constraint(table_name, &[one], "key")
                    && col_index(one).is_some_and(|i| !inline[i].unique) =>
            {
                inline[col_index(one).unwrap_or_default()].unique = true
            }
            _ => uniques.push(u),
        }
    }
    let mut checks = Vec::new();
    for c in &t.checks {
        let owner = t
            .columns
            .iter()
            .position(|col| c.name == names::column_constraint(table_name, &[&col.name], "check"));
        let plain = !c.not_valid && !c.no_inherit && c.comment.is_none();
        match owner {
            Some(i) if plain && inline[i].check.is_none() => inline[i].check = Some(c),
            _ => checks.push(c),
        }
    }
    let mut fks = Vec::new();
    for f in &t.foreign_keys {
        match (f.columns.as_slice(), f.ref_columns.as_slice()) {
            ([one], [_])
                if f.name == names::column_constraint(table_name, &[one], "fkey")
                    && !f.not_valid
                    && !f.match_full
                    && f.comment.is_none()
                    && col_index(one).is_some_and(|i| inline[i].fk.is_none()) =>
            {
                inline[col_index(one).unwrap_or_default()].fk = Some(f)
            }
            _ => fks.push(f),
        }
    }

    let _ = writeln!(out, "  {}:", key(table_name));
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "    comment: {}", block_string(c));
    }
    if let Some(r) = &t.renamed_from {
        let _ = writeln!(out, "    renamed_from: {}", scalar(r));
    }
    if t.unlogged {
        out.push_str("    unlogged: true\n");
    }
    storage(&t.storage, out);
    match &t.replica_identity {
        crate::model::ReplicaIdentity::Default => {}
        crate::model::ReplicaIdentity::Full => out.push_str("    replica_identity: full\n"),
        crate::model::ReplicaIdentity::Nothing => out.push_str("    replica_identity: nothing\n"),
        crate::model::ReplicaIdentity::Index(i) => {
            let _ = writeln!(out, "    replica_identity: {{ index: {} }}", scalar(i));
        }
    }
    if t.columns.is_empty() {
        out.push_str("    columns: {}\n");
    } else {
        out.push_str("    columns:\n");
    }
    let width = t
        .columns
        .iter()
        .map(|c| key(&c.name).chars().count())
        .max()
        .unwrap_or(0);
    for (c, inl) in t.columns.iter().zip(&inline) {
        let k = format!("{}:", key(&c.name));
        let fields = column(schema, t, c, inl);
        let value = match fields.as_slice() {
            [only] => only.trim_start_matches("type: ").to_string(),
            _ => format!("{{ {} }}", fields.join(", ")),
        };
        let line = format!("      {k:<w$} {value}", w = width + 1);
        if line.chars().count() <= 100 {
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "      {k}");
            for f in fields {
                let _ = writeln!(out, "        {f}");
            }
        }
    }
    if let Some(pk) = pk_table {
        let comments = constraint_comments(pk.comment.as_deref(), pk.index_comment.as_deref());
        if pk.name == names::primary_key(table_name)
            && comments.is_empty()
            && !pk.without_overlaps
            && pk.include.is_empty()
            && pk.deferrable == Deferrable::NotDeferrable
        {
            let _ = writeln!(out, "    primary_key: {}", list(&pk.columns));
        } else {
            let mut fields = vec![
                format!("name: {}", scalar(&pk.name)),
                format!("columns: {}", list(&pk.columns)),
            ];
            if pk.without_overlaps {
                fields.push("without_overlaps: true".into());
            }
            if !pk.include.is_empty() {
                fields.push(format!("include: {}", list(&pk.include)));
            }
            if let Some(d) = deferrable(pk.deferrable) {
                fields.push(format!("deferrable: {d}"));
            }
            fields.extend(comments);
            let _ = writeln!(out, "    primary_key: {{ {} }}", fields.join(", "));
        }
    }
    if !uniques.is_empty() {
        out.push_str("    unique:\n");
        for u in uniques {
            let mut fields = Vec::new();
            if u.nulls_not_distinct {
                fields.push("nulls_not_distinct: true".to_string());
            }
            if let Some(d) = deferrable(u.deferrable) {
                fields.push(format!("deferrable: {d}"));
            }
            if u.without_overlaps {
                fields.push("without_overlaps: true".into());
            }
            if !u.include.is_empty() {
                fields.push(format!("include: {}", list(&u.include)));
            }
            fields.extend(constraint_comments(
                u.comment.as_deref(),
                u.index_comment.as_deref(),
            ));
            if fields.is_empty() {
                let _ = writeln!(out, "      {}: {}", key(&u.name), list(&u.columns));
            } else {
                let _ = writeln!(
                    out,
                    "      {}: {{ columns: {}, {} }}",
                    key(&u.name),
                    list(&u.columns),
                    fields.join(", ")
                );
            }
        }
    }
    if !checks.is_empty() {
        out.push_str("    checks:\n");
        for c in checks {
            let _ = writeln!(out, "      {}: {}", key(&c.name), check_value(c));
        }
    }
    if !fks.is_empty() {
        out.push_str("    foreign_keys:\n");
        for f in fks {
            let _ = writeln!(out, "      {}:", key(&f.name));
            let _ = writeln!(out, "        columns: {}", list(&f.columns));
            let target = format!(
                "{}({})",
                table_ref(&t.name.schema, &f.ref_table),
                f.ref_columns.join(", ")
            );
            let _ = writeln!(out, "        references: {}", string(&target));
            for (name, action) in [("on_delete", f.on_delete), ("on_update", f.on_update)] {
                if let Some(a) = fk_action(action) {
                    let _ = writeln!(out, "        {name}: {a}");
                }
            }
            if let Some(d) = deferrable(f.deferrable) {
                let _ = writeln!(out, "        deferrable: {d}");
            }
            if f.period {
                out.push_str("        period: true\n");
            }
            if f.match_full {
                out.push_str("        match: full\n");
            }
            if f.not_valid {
                out.push_str("        not_valid: true\n");
            }
            if let Some(c) = &f.comment {
                let _ = writeln!(out, "        comment: {}", string(c));
            }
        }
    }
    exclusions(&t.exclusions, out);
    indexes(&t.indexes, out);
    triggers(schema, &t.name, out);
    policies(schema, &t.name, out);
    grants(schema, &ObjectRef::Table(t.name.clone()), "    ", out);
    if let Some(key) = &t.partition_by {
        let _ = writeln!(out, "    partition_by: {}", partition_key(key));
    }
    partitions(schema, &t.name, "    ", out);
}

/// `exclusions:`, one constraint per entry, its elements as index keys with their operator.
fn exclusions(all: &[crate::model::Exclusion], out: &mut String) {
    if all.is_empty() {
        return;
    }
    out.push_str("    exclusions:\n");
    for x in all {
        let _ = writeln!(out, "      {}:", key(&x.name));
        if x.method != IndexMethod::Btree {
            let _ = writeln!(out, "        using: {}", x.method.name());
        }
        out.push_str("        elements:\n");
        for e in &x.elements {
            let text = key_text(&e.key, true);
            let body = match text.strip_prefix("{ ").and_then(|t| t.strip_suffix(" }")) {
                Some(inner) => inner.to_string(),
                None => format!("column: {text}"),
            };
            let _ = writeln!(
                out,
                "          - {{ {body}, with: {} }}",
                string(&e.operator)
            );
        }
        if !x.include.is_empty() {
            let _ = writeln!(out, "        include: {}", list(&x.include));
        }
        if let Some(p) = &x.predicate {
            let _ = writeln!(out, "        where: {}", string(p));
        }
        if !x.options.is_empty() {
            let opts: Vec<String> = x
                .options
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), option_value(v)))
                .collect();
            let _ = writeln!(out, "        with: {{ {} }}", opts.join(", "));
        }
        if let Some(d) = deferrable(x.deferrable) {
            let _ = writeln!(out, "        deferrable: {d}");
        }
        if let Some(c) = &x.comment {
            let _ = writeln!(out, "        comment: {}", string(c));
        }
        if let Some(c) = &x.index_comment {
            let _ = writeln!(out, "        index_comment: {}", string(c));
        }
    }
}

/// A `checks:` value: the expression, or a mapping when the check has attributes.
fn check_value(c: &crate::model::Check) -> String {
    if !c.not_valid && !c.no_inherit && c.comment.is_none() {
        return string(&c.expr);
    }
    let mut fields = vec![format!("expr: {}", string(&c.expr))];
    if c.not_valid {
        fields.push("not_valid: true".into());
    }
    if c.no_inherit {
        fields.push("no_inherit: true".into());
    }
    if let Some(text) = &c.comment {
        fields.push(format!("comment: {}", string(text)));
    }
    format!("{{ {} }}", fields.join(", "))
}

/// `comment:` / `index_comment:` fields of a key.
fn constraint_comments(comment: Option<&str>, index_comment: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = comment {
        out.push(format!("comment: {}", string(c)));
    }
    if let Some(c) = index_comment {
        out.push(format!("index_comment: {}", string(c)));
    }
    out
}

/// The `with:` line of a table or materialized view, when it has storage parameters.
fn storage(options: &crate::model::IndexOptions, out: &mut String) {
    if options.is_empty() {
        return;
    }
    let opts: Vec<String> = options
        .iter()
        .map(|(k, val)| format!("{}: {}", key(k), option_value(val)))
        .collect();
    let _ = writeln!(out, "    with: {{ {} }}", opts.join(", "));
}

/// `{ range: [created_at] }`.
fn partition_key(key: &crate::model::PartitionKey) -> String {
    let keys: Vec<String> = key
        .keys
        .iter()
        .map(|k| match k {
            IndexTarget::Column(c) => scalar(c),
            IndexTarget::Expr(e) => format!("{{ expr: {} }}", string(e)),
        })
        .collect();
    format!(
        "{{ {}: [{}] }}",
        key.strategy.keyword().to_lowercase(),
        keys.join(", ")
    )
}

/// The `partitions:` of `parent`, at `indent` (the parent's keys' indentation), each with
/// what is its own, and theirs below them.
fn partitions(schema: &Schema, parent: &QualifiedName, indent: &str, out: &mut String) {
    let children: Vec<&Table> = schema.partitions_of(parent).collect();
    if children.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}partitions:");
    for p in children {
        let Some(of) = &p.partition_of else {
            continue;
        };
        let bound = bound_fields(&of.bound);
        let mut body = String::new();
        if let Some(c) = &p.comment {
            let _ = writeln!(body, "    comment: {}", block_string(c));
        }
        if !p.checks.is_empty() {
            body.push_str("    checks:\n");
            for c in &p.checks {
                let _ = writeln!(body, "      {}: {}", key(&c.name), check_value(c));
            }
        }
        indexes(&p.indexes, &mut body);
        if let Some(k) = &p.partition_by {
            let _ = writeln!(body, "    partition_by: {}", partition_key(k));
        }
        partitions(schema, &p.name, "    ", &mut body);
        if body.is_empty() {
            let _ = writeln!(
                out,
                "{indent}  {}: {{ {} }}",
                key(&p.name.name),
                bound.join(", ")
            );
            continue;
        }
        let _ = writeln!(out, "{indent}  {}:", key(&p.name.name));
        for f in bound {
            let _ = writeln!(out, "{indent}    {f}");
        }
        // `body` is written at a table's indentation (4); a partition's keys sit 4 deeper
        // than the parent's.
        for line in body.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
}

/// A bound as `partitions:` entries spell it.
fn bound_fields(bound: &crate::model::PartitionBound) -> Vec<String> {
    use crate::model::PartitionBound as B;
    let values = |v: &[String]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| bound_value(x))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    match bound {
        B::Default => vec!["default: true".into()],
        B::Range { from, to } => vec![
            format!("from: {}", values(from)),
            format!("to: {}", values(to)),
        ],
        B::List(v) => vec![format!("in: {}", values(v))],
        B::Hash { modulus, remainder } => {
            vec![
                format!("modulus: {modulus}"),
                format!("remainder: {remainder}"),
            ]
        }
    }
}

/// One bound value (SQL as PostgreSQL prints it) as the YAML value that reads back to it: a
/// quoted literal as a string, a number as a number, `MINVALUE`, `MAXVALUE`, `null`.
fn bound_value(sql: &str) -> String {
    match sql {
        "MINVALUE" | "MAXVALUE" => return sql.to_string(),
        "NULL" => return "null".into(),
        "true" | "false" => return sql.to_string(),
        _ => {}
    }
    if let Some(text) = sql.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return quoted(&text.replace("''", "'"));
    }
    sql.to_string()
}

/// The `indexes:` of a table or materialized view: one line per index while it fits in 100
/// characters, its fields on lines of their own otherwise.
fn indexes(list: &[Index], out: &mut String) {
    if list.is_empty() {
        return;
    }
    out.push_str("    indexes:\n");
    for ix in list {
        let fields = index(ix);
        let line = format!("      {}: {{ {} }}", key(&ix.name), fields.join(", "));
        if line.chars().count() <= 100 {
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "      {}:", key(&ix.name));
            for f in fields {
                let _ = writeln!(out, "        {f}");
            }
        }
    }
}

/// The `grants:` of an object whose grants are managed, as a flow mapping on one line.
fn grants_value(schema: &Schema, object: &ObjectRef) -> Option<String> {
    let g = schema.grants.iter().find(|g| &g.object == object)?;
    let roles: Vec<String> = g
        .privileges
        .iter()
        .map(|(r, p)| {
            let privs: Vec<String> = p.iter().map(|x| x.to_lowercase()).collect();
            format!("{}: {}", key(r), list_of(&privs))
        })
        .collect();
    Some(if roles.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", roles.join(", "))
    })
}

fn grants(schema: &Schema, object: &ObjectRef, indent: &str, out: &mut String) {
    if let Some(v) = grants_value(schema, object) {
        let _ = writeln!(out, "{indent}grants: {v}");
    }
}

/// A table's `row_level_security:` and `policies:`.
fn policies(schema: &Schema, table: &QualifiedName, out: &mut String) {
    if let Some(r) = schema.row_security.iter().find(|r| &r.table == table) {
        let _ = writeln!(
            out,
            "    row_level_security: {}",
            if r.forced { "forced" } else { "true" }
        );
    }
    let of_table: Vec<&crate::model::Policy> = schema
        .policies
        .iter()
        .filter(|p| &p.table == table)
        .collect();
    if of_table.is_empty() {
        return;
    }
    out.push_str("    policies:\n");
    for p in of_table {
        let mut fields = Vec::new();
        if p.command != crate::model::PolicyCommand::All {
            fields.push(format!("for: {}", p.command.sql().to_ascii_lowercase()));
        }
        if !p.permissive {
            fields.push("as: restrictive".into());
        }
        if !p.roles.is_empty() {
            fields.push(format!("to: {}", list(&p.roles)));
        }
        if let Some(u) = &p.using {
            fields.push(format!("using: {}", string(u)));
        }
        if let Some(c) = &p.with_check {
            fields.push(format!("with_check: {}", string(c)));
        }
        if let Some(c) = &p.comment {
            fields.push(format!("comment: {}", string(c)));
        }
        if fields.is_empty() {
            let _ = writeln!(out, "      {}: {{}}", key(&p.name));
        } else {
            let _ = writeln!(out, "      {}: {{ {} }}", key(&p.name), fields.join(", "));
        }
    }
}

/// The `triggers:` of a table or view, at the indentation of its keys.
fn triggers(schema: &Schema, on: &QualifiedName, out: &mut String) {
    let on_it: Vec<&Trigger> = schema.triggers.iter().filter(|t| &t.table == on).collect();
    if on_it.is_empty() {
        return;
    }
    out.push_str("    triggers:\n");
    for t in on_it {
        let mut fields = Vec::new();
        let timing = match t.timing {
            TriggerTiming::Before => "before",
            TriggerTiming::After => "after",
            TriggerTiming::InsteadOf => "instead_of",
        };
        let events: Vec<String> = t
            .events
            .iter()
            .map(|e| e.sql().to_ascii_lowercase())
            .collect();
        fields.push(format!("{timing}: {}", list_of(&events)));
        if !t.update_of.is_empty() {
            fields.push(format!("update_of: {}", list(&t.update_of)));
        }
        if !t.for_each_row {
            fields.push("for_each: statement".into());
        }
        if let Some(w) = &t.when {
            fields.push(format!("when: {}", string(w)));
        }
        let function =
            if ["public", "pg_catalog", on.schema.as_str()].contains(&t.function.schema.as_str()) {
                t.function.name.clone()
            } else {
                format!("{}.{}", t.function.schema, t.function.name)
            };
        fields.push(format!("execute: {}", string(&function)));
        if !t.args.is_empty() {
            let args: Vec<String> = t.args.iter().map(|a| quoted(a)).collect();
            fields.push(format!("args: [{}]", args.join(", ")));
        }
        if let Some(d) = t.constraint {
            fields.push("constraint: true".into());
            if let Some(word) = deferrable(d) {
                fields.push(format!("deferrable: {word}"));
            }
        }
        match t.enabled {
            crate::model::TriggerEnabled::Origin => {}
            crate::model::TriggerEnabled::Disabled => fields.push("enabled: false".into()),
            crate::model::TriggerEnabled::Replica => fields.push("enabled: replica".into()),
            crate::model::TriggerEnabled::Always => fields.push("enabled: always".into()),
        }
        if let Some(c) = &t.comment {
            fields.push(format!("comment: {}", string(c)));
        }
        let _ = writeln!(out, "      {}: {{ {} }}", key(&t.name), fields.join(", "));
    }
}

fn list_of(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The `domains:`, `composite_types:` and `range_types:` sections of schema `ns`.
fn custom_types(schema: &Schema, ns: &str, out: &mut String) {
    use crate::model::CustomTypeKind;
    let domains: Vec<_> = schema
        .types
        .iter()
        .filter(|t| t.name.schema == ns && matches!(t.kind, CustomTypeKind::Domain { .. }))
        .collect();
    if !domains.is_empty() {
        out.push_str("\ndomains:\n");
        for t in domains {
            let CustomTypeKind::Domain {
                base,
                not_null,
                default,
                checks,
            } = &t.kind
            else {
                continue;
            };
            let mut fields = vec![format!("type: {}", string(&type_name(ns, base)))];
            if *not_null {
                fields.push("not_null: true".into());
            }
            if let Some(d) = default {
                fields.push(format!("default_sql: {}", string(d)));
            }
            let derived = crate::spec::names::make_object_name(&t.name.name, None, Some("check"));
            match checks.as_slice() {
                [one] if one.name == derived => {
                    fields.push(format!("check: {}", string(&one.expr)))
                }
                [] => {}
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|c| format!("{}: {}", key(&c.name), string(&c.expr)))
                        .collect();
                    fields.push(format!("checks: {{ {} }}", list.join(", ")));
                }
            }
            if let Some(c) = &t.comment {
                fields.push(format!("comment: {}", string(c)));
            }
            let _ = writeln!(out, "  {}: {{ {} }}", key(&t.name.name), fields.join(", "));
        }
    }
    let composites: Vec<_> = schema
        .types
        .iter()
        .filter(|t| t.name.schema == ns && matches!(t.kind, CustomTypeKind::Composite { .. }))
        .collect();
    if !composites.is_empty() {
        out.push_str("\ncomposite_types:\n");
        for t in composites {
            let CustomTypeKind::Composite { attributes } = &t.kind else {
                continue;
            };
            let _ = writeln!(out, "  {}:", key(&t.name.name));
            let list: Vec<String> = attributes
                .iter()
                .map(|(n, ty)| format!("{}: {}", key(n), string(&type_name(ns, ty))))
                .collect();
            let _ = writeln!(out, "    fields: {{ {} }}", list.join(", "));
            if let Some(c) = &t.comment {
                let _ = writeln!(out, "    comment: {}", block_string(c));
            }
        }
    }
    let ranges: Vec<_> = schema
        .types
        .iter()
        .filter(|t| t.name.schema == ns && matches!(t.kind, CustomTypeKind::Range { .. }))
        .collect();
    if !ranges.is_empty() {
        out.push_str("\nrange_types:\n");
        for t in ranges {
            let CustomTypeKind::Range {
                subtype,
                subtype_opclass,
                collation,
                subtype_diff,
                multirange,
            } = &t.kind
            else {
                continue;
            };
            let mut fields = vec![format!("subtype: {}", string(&type_name(ns, subtype)))];
            for (k, v) in [
                ("subtype_opclass", subtype_opclass),
                ("collation", collation),
                ("subtype_diff", subtype_diff),
                ("multirange", multirange),
            ] {
                if let Some(v) = v {
                    fields.push(format!("{k}: {}", scalar(v)));
                }
            }
            if let Some(c) = &t.comment {
                fields.push(format!("comment: {}", string(c)));
            }
            let _ = writeln!(out, "  {}: {{ {} }}", key(&t.name.name), fields.join(", "));
        }
    }
}

/// The `functions:` and `procedures:` sections of schema `ns`.
fn functions(schema: &Schema, ns: &str, out: &mut String) {
    for procedure in [false, true] {
        let list: Vec<&Function> = schema
            .functions
            .iter()
            .filter(|f| f.name.schema == ns && f.procedure == procedure)
            .collect();
        if list.is_empty() {
            continue;
        }
        out.push_str(if procedure {
            "\nprocedures:\n"
        } else {
            "\nfunctions:\n"
        });
        for f in &list {
            let overloaded = list.iter().filter(|o| o.name == f.name).count() > 1;
            let name = if overloaded {
                format!("{}({})", f.name.name, f.identity)
            } else {
                f.name.name.clone()
            };
            let _ = writeln!(out, "  {}:", key(&name));
            if !f.args.is_empty() {
                let _ = writeln!(out, "    args: {}", string(&f.args));
            }
            if let Some(r) = &f.returns {
                let _ = writeln!(out, "    returns: {}", string(r));
            }
            let _ = writeln!(out, "    language: {}", scalar(&f.language));
            if f.volatility != Volatility::Volatile {
                let _ = writeln!(
                    out,
                    "    volatility: {}",
                    f.volatility.sql().to_ascii_lowercase()
                );
            }
            if f.strict {
                let _ = writeln!(out, "    strict: true");
            }
            if f.security_definer {
                let _ = writeln!(out, "    security_definer: true");
            }
            if f.parallel != Parallel::Unsafe {
                let _ = writeln!(
                    out,
                    "    parallel: {}",
                    f.parallel.sql().to_ascii_lowercase()
                );
            }
            if !f.config.is_empty() {
                let set: Vec<String> = f
                    .config
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), string(v)))
                    .collect();
                let _ = writeln!(out, "    set: {{ {} }}", set.join(", "));
            }
            grants(schema, &f.object(), "    ", out);
            if let Some(c) = &f.comment {
                let _ = writeln!(out, "    comment: {}", block_string(c));
            }
            let _ = writeln!(out, "    body: {}", body_text(&f.body, "      "));
        }
    }
}

/// The column's fields, `type` first; a lone `type` is written as the bare type.
fn column(schema: &Schema, t: &Table, c: &Column, inl: &Inline) -> Vec<String> {
    let serial = serial_of(schema, t, c).is_some();
    let mut ty = if serial {
        match c.ty {
            ColumnType::SmallInt => "smallserial".to_string(),
            ColumnType::Integer => "serial".to_string(),
            _ => "bigserial".to_string(),
        }
    } else {
        type_name(&t.name.schema, &c.ty)
    };
    if c.nullable {
        ty.push('?');
    }
    let mut fields = Vec::new();
    match &c.default {
        None => {}
        Some(_) if serial => {}
        Some(DefaultValue::Text(s)) => fields.push(format!("default: {}", string(s))),
        // A number the loader would read back differently (YAML reads `1.50` as the float
        // 1.5) is written as SQL, so the default's text survives the round trip.
        Some(DefaultValue::Number(n)) if reads_back_as_written(n) => {
            fields.push(format!("default: {n}"))
        }
        Some(DefaultValue::Number(n)) => fields.push(format!("default_sql: {}", string(n))),
        Some(DefaultValue::Bool(b)) => fields.push(format!("default: {b}")),
        Some(DefaultValue::Expr(e)) => fields.push(format!("default_sql: {}", string(e))),
    }
    if let Some(i) = &c.identity {
        let kind = match i.kind {
            IdentityKind::Always => "always",
            IdentityKind::ByDefault => "by_default",
        };
        let mut options = sequence_fields(&i.options);
        if i.sequence != names::make_object_name(&t.name.name, Some(&c.name), Some("seq")) {
            options.insert(0, format!("sequence: {}", scalar(&i.sequence)));
        }
        if options.is_empty() {
            fields.push(format!("identity: {kind}"));
        } else {
            fields.push(format!(
                "identity: {{ generated: {kind}, {} }}",
                options.join(", ")
            ));
        }
    }
    if let Some(g) = &c.generated {
        fields.push(format!("generated: {}", string(g)));
        if c.generated_virtual {
            fields.push("virtual: true".into());
        }
    }
    if inl.primary_key {
        fields.push("primary_key: true".into());
    }
    if inl.unique {
        fields.push("unique: true".into());
    }
    if let Some(f) = inl.fk {
        let target = format!(
            "{}.{}",
            table_ref(&t.name.schema, &f.ref_table),
            f.ref_columns
                .first()
                .map(String::as_str)
                .unwrap_or_default()
        );
        fields.push(format!("references: {}", string(&target)));
        if let Some(a) = fk_action(f.on_delete) {
            fields.push(format!("on_delete: {a}"));
        }
        if let Some(a) = fk_action(f.on_update) {
            fields.push(format!("on_update: {a}"));
        }
        if let Some(d) = deferrable(f.deferrable) {
            fields.push(format!("deferrable: {d}"));
        }
    }
    if let Some(ch) = inl.check {
        fields.push(format!("check: {}", string(&ch.expr)));
    }
    if let Some(cm) = &c.comment {
        fields.push(format!("comment: {}", string(cm)));
    }
    if let Some(r) = &c.renamed_from {
        fields.push(format!("renamed_from: {}", scalar(r)));
    }
    if let Some(n) = c.statistics {
        fields.push(format!("statistics: {n}"));
    }
    if let Some(coll) = &c.collation {
        fields.push(format!("collation: {}", scalar(coll)));
    }
    if let Some(st) = c.storage {
        fields.push(format!("storage: {}", st.name()));
    }
    if let Some(m) = &c.compression {
        fields.push(format!("compression: {}", scalar(m)));
    }
    let mut all = vec![format!("type: {}", string(&ty))];
    all.extend(fields);
    all
}

/// Whether the loader reads the number `n` back as the same text: integers that fit in 64
/// bits, and decimals that a float prints the same way.
fn reads_back_as_written(n: &str) -> bool {
    if n.contains(['.', 'e', 'E']) {
        n.parse::<f64>().is_ok_and(|f| f.to_string() == n)
    } else {
        n.parse::<i64>().is_ok() || n.parse::<u64>().is_ok()
    }
}

fn index(ix: &Index) -> Vec<String> {
    let mut fields = Vec::new();
    let single_ops = match ix.keys.as_slice() {
        [k] if k.order == SortOrder::Asc && k.nulls.is_none() && k.opclass_params.is_empty() => {
            k.opclass.as_deref()
        }
        _ => None,
    };
    let on = match ix.keys.as_slice() {
        [k] => key_text(k, single_ops.is_none()),
        keys => format!(
            "[{}]",
            keys.iter()
                .map(|k| key_text(k, true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    fields.push(format!("on: {on}"));
    if ix.method != IndexMethod::Btree {
        fields.push(format!("using: {}", ix.method.name()));
    }
    if let Some(ops) = single_ops {
        fields.push(format!("ops: {}", scalar(ops)));
    }
    if !ix.options.is_empty() {
        let opts = ix
            .options
            .iter()
            .map(|(k, v)| format!("{}: {}", key(k), option_value(v)))
            .collect::<Vec<_>>();
        fields.push(format!("with: {{ {} }}", opts.join(", ")));
    }
    if let Some(p) = &ix.predicate {
        fields.push(format!("where: {}", string(p)));
    }
    if !ix.include.is_empty() {
        fields.push(format!("include: {}", list(&ix.include)));
    }
    if ix.unique {
        fields.push("unique: true".into());
    }
    if ix.nulls_not_distinct {
        fields.push("nulls_not_distinct: true".into());
    }
    if let Some(c) = &ix.comment {
        fields.push(format!("comment: {}", string(c)));
    }
    fields
}

/// A key that is just a column name (its operator class, if any, said elsewhere).
fn plain_key(k: &IndexKey, with_ops: bool) -> bool {
    matches!(k.target, IndexTarget::Column(_))
        && (k.opclass.is_none() || !with_ops)
        && k.order == SortOrder::Asc
        && k.nulls.is_none()
        && k.collation.is_none()
        && k.opclass_params.is_empty()
}

/// One index key. `with_ops` puts a key's operator class on the key itself (multi-key form);
/// a lone key's class goes in the index's `ops:` instead.
fn key_text(k: &IndexKey, with_ops: bool) -> String {
    if let (true, IndexTarget::Column(c)) = (plain_key(k, with_ops), &k.target) {
        return scalar(c);
    }
    let mut fields = vec![match &k.target {
        IndexTarget::Column(c) => format!("column: {}", scalar(c)),
        IndexTarget::Expr(e) => format!("expr: {}", string(e)),
    }];
    if let (true, Some(o)) = (with_ops, &k.opclass) {
        fields.push(format!("ops: {}", scalar(o)));
    }
    if !k.opclass_params.is_empty() {
        let opts: Vec<String> = k
            .opclass_params
            .iter()
            .map(|(n, v)| format!("{}: {}", key(n), option_value(v)))
            .collect();
        fields.push(format!("ops_params: {{ {} }}", opts.join(", ")));
    }
    if let Some(c) = &k.collation {
        fields.push(format!("collation: {}", scalar(c)));
    }
    if k.order == SortOrder::Desc {
        fields.push("order: desc".into());
    }
    match k.nulls {
        Some(NullsOrder::First) => fields.push("nulls: first".into()),
        Some(NullsOrder::Last) => fields.push("nulls: last".into()),
        None => {}
    }
    format!("{{ {} }}", fields.join(", "))
}

fn option_value(v: &str) -> String {
    let numeric = !v.is_empty()
        && v.parse::<f64>().is_ok()
        && v.chars().all(|c| c.is_ascii_digit() || ".-+eE".contains(c));
    if numeric || v == "true" || v == "false" {
        v.to_string()
    } else {
        string(v)
    }
}

fn fk_action(a: FkAction) -> Option<&'static str> {
    match a {
        FkAction::NoAction => None,
        FkAction::Restrict => Some("restrict"),
        FkAction::Cascade => Some("cascade"),
        FkAction::SetNull => Some("set_null"),
        FkAction::SetDefault => Some("set_default"),
    }
}

fn deferrable(d: Deferrable) -> Option<&'static str> {
    match d {
        Deferrable::NotDeferrable => None,
        Deferrable::InitiallyImmediate => Some("true"),
        Deferrable::InitiallyDeferred => Some("initially_deferred"),
    }
}

/// How a file in schema `here` names `target`: unqualified within the same schema, qualified
/// across schemas (the loader would also find `public` objects unqualified, but a reader should
/// not have to know that rule).
fn table_ref(here: &str, target: &QualifiedName) -> String {
    if target.schema == here {
        target.name.clone()
    } else {
        format!("{}.{}", target.schema, target.name)
    }
}

/// The spec's spelling of a type (the loader's short forms); enums of other schemas qualified.
pub fn type_name(here: &str, ty: &ColumnType) -> String {
    fn m(base: &str, n: &Option<u32>) -> String {
        match n {
            Some(n) => format!("{base}({n})"),
            None => base.into(),
        }
    }
    match ty {
        ColumnType::Time {
            precision,
            with_time_zone,
        } => m(if *with_time_zone { "timetz" } else { "time" }, precision),
        ColumnType::Timestamp {
            precision,
            with_time_zone,
        } => m(
            if *with_time_zone {
                "timestamptz"
            } else {
                "timestamp"
            },
            precision,
        ),
        ColumnType::Varchar(n) => m("varchar", n),
        ColumnType::Char(n) => m("char", n),
        ColumnType::VarBit(n) => m("varbit", n),
        ColumnType::Numeric {
            precision: Some(p),
            scale: Some(s),
        } => format!("numeric({p},{s})"),
        ColumnType::Enum(q) | ColumnType::Custom(q) => table_ref(here, q),
        ColumnType::Array(inner) => format!("{}[]", type_name(here, inner)),
        // As the spec spells it: a name the loader knows unqualified (when it is the one the
        // search path finds), any other qualified, so that reading it back never takes it for
        // a misspelt built-in type.
        ColumnType::Other(o) => {
            let bare = crate::spec::types::OTHER_TYPES.contains(&o.name.as_str())
                && o.schema
                    .as_deref()
                    .is_none_or(|s| s == "pg_catalog" || s == here);
            let name = match o.schema.as_deref() {
                Some(s) if !bare => format!("{s}.{}", o.name),
                _ => o.name.clone(),
            };
            match &o.modifiers {
                Some(m) => format!("{name}({m})"),
                None => name,
            }
        }
        other => crate::sql_ident::type_name(other),
    }
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| scalar(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn key(name: &str) -> String {
    scalar(name)
}

/// A scalar inside flow collections (`[a, b]`, `{ k: v }`): plain when that is unambiguous.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !s.starts_with('-')
        && !s.starts_with('.')
        && !looks_special(s);
    if plain { s.to_string() } else { quoted(s) }
}

/// A free-text value on a line of its own (block context), where commas and brackets inside
/// the text are fine: plain when YAML reads it back unchanged.
fn block_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| " -?:,[]{}#&*!|>'\"%@`.".contains(c))
        && !s.ends_with(' ')
        && s.chars().all(|c| !c.is_control() && c != '#')
        && !s.contains(": ")
        && !s.ends_with(':')
        && !looks_special(s);
    if plain { s.to_string() } else { quoted(s) }
}

/// A free-text value inside a flow collection (types, expressions, comments): plain only for
/// single words, so expressions read as one quoted unit.
fn string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| " -?:,[]{}#&*!|>'\"%@`.".contains(c))
        && !s.ends_with(' ')
        && s.chars().all(|c| {
            !c.is_control()
                && !c.is_whitespace()
                && !",[]{}#\"'".contains(c)
                && (c.is_ascii() || c.is_alphanumeric())
        })
        && !s.contains(':')
        && !looks_special(s);
    if plain { s.to_string() } else { quoted(s) }
}

/// Plain scalars YAML would read as something other than a string.
fn looks_special(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || s.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower == ".inf"
        || lower == ".nan"
}

/// A double-quoted YAML scalar (JSON's escapes are valid YAML escapes).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "\\\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every body shape PostgreSQL may hold reads back from the emitted YAML byte for byte,
    /// and so does a view query.
    #[test]
    fn function_bodies_and_queries_read_back_exactly() {
        let bodies = [
            "SELECT 1",
            " SELECT 1",
            "\nBEGIN\n  RETURN NEW;\nEND;\n",
            "BEGIN\n  RETURN NEW;\nEND\n",
            "\n\n  select 1;\n\n",
            "SELECT 'a\tb'",
            "BEGIN\n  -- # not a YAML comment\n  RETURN 'x: y';\nEND",
            "SELECT 1 ",
            "\r\nSELECT 1",
        ];
        for body in bodies {
            let yaml = format!(
                "functions:\n  f:\n    returns: integer\n    language: sql\n    body: {}\n  g:\n    returns: integer\n    language: sql\n    body: \"SELECT 2\"\n",
                body_text(body, "      ")
            );
            let loaded = crate::spec::load_str("t.yaml", &yaml)
                .unwrap_or_else(|d| panic!("{yaml}\n{}", d.render_human()));
            let f = loaded
                .schema
                .functions
                .iter()
                .find(|f| f.name.name == "f")
                .expect("f");
            assert_eq!(f.body, body, "{yaml}");
        }
        for query in ["SELECT a,\n    b\n   FROM t", "SELECT 'x: y' AS \"#\""] {
            let yaml = format!("views:\n  v:\n    sql: {}\n", query_text(query, "      "));
            let loaded = crate::spec::load_str("t.yaml", &yaml)
                .unwrap_or_else(|d| panic!("{yaml}\n{}", d.render_human()));
            assert_eq!(loaded.schema.views[0].query, query, "{yaml}");
        }
    }
}

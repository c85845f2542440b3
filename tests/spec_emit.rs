//! `spec::emit` is the loader run backwards: emitted files must load back to an equal model,
//! in both layouts, and read like a spec a person wrote.

use std::path::Path;

use tidemark::spec::emit::{Layout, emit};

fn example() -> tidemark::model::Schema {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    tidemark::spec::load(&root)
        .unwrap_or_else(|d| panic!("{}", d.render_human()))
        .schema
}

fn reload(files: &[tidemark::spec::emit::EmittedFile]) -> tidemark::model::Schema {
    let sources = files
        .iter()
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect();
    tidemark::spec::load_sources(sources)
        .unwrap_or_else(|d| panic!("emitted spec does not load:\n{}", d.render_human()))
        .schema
}

#[test]
fn example_round_trips_per_schema() {
    let schema = example();
    let files = emit(&schema, Layout::PerSchema);
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names, ["analytics.yaml", "public.yaml"]);
    assert_eq!(reload(&files), schema);
    for f in &files {
        insta::assert_snapshot!(format!("per_schema_{}", f.path), f.contents);
    }
}

#[test]
fn example_round_trips_per_table() {
    let schema = example();
    let files = emit(&schema, Layout::PerTable);
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "analytics.enums.yaml",
            "analytics.search_events.yaml",
            "chunks.yaml",
            "collections.yaml",
            "documents.yaml",
            "enums.yaml",
            "extensions.yaml",
            "functions.yaml",
            "tenants.yaml",
            "views.yaml"
        ]
    );
    assert_eq!(reload(&files), schema);
}

#[test]
fn awkward_names_and_values_round_trip() {
    let text = r#"
extensions:
  vector: { version: "0.8.0" }
enums:
  "Mood": ["happy", "not: sure", "true", "123", "with, comma"]
tables:
  "user":
    comment: "It's a \"user\": #1"
    columns:
      "select":     { type: bigint, identity: by_default, primary_key: true }
      "Mixed Case": { type: text?, default: "yes" }
      num:          { type: "numeric(10,2)", default: -1.5 }
      flag:         { type: boolean, default: false }
      mood:         { type: Mood, default: "not: sure" }
      tags:         { type: "text[]", default: "{}" }
      e:            { type: halfvec(3)?, comment: "- dash first" }
    unique:
      user_pair_key: { columns: [num, flag], nulls_not_distinct: true, deferrable: initially_deferred }
    checks:
      user_num_check: "num > -100"
      positive: "num <> 0"
    indexes:
      user_e_idx: { on: e, using: hnsw, ops: halfvec_l2_ops, with: { m: 8, ef_construction: 32 }, where: "flag" }
      user_multi_idx: { on: [{ column: num, order: desc, nulls: last }, { expr: "lower(\"Mixed Case\")" }], include: [flag] }
  child:
    columns:
      parent: { type: bigint, references: user.select, on_delete: set_null, deferrable: true }
      other:  bigint?
    foreign_keys:
      child_two_fk: { columns: [other], references: "user(select)", on_update: cascade }
"#;
    let schema = tidemark::spec::load_str("t.yaml", text)
        .unwrap_or_else(|d| panic!("{}", d.render_human()))
        .schema;
    for layout in [Layout::PerSchema, Layout::PerTable] {
        assert_eq!(reload(&emit(&schema, layout)), schema, "{layout:?}");
    }
}

/// `inspect` writes one file per schema: a 10,000-table schema (more than the compare benchmark
/// inspects) must load back, so the parser's node budget is sized for real schemas, not only
/// for hostile input.
#[test]
fn a_ten_thousand_table_schema_in_one_file_loads_back() {
    use tidemark::model::*;
    let mut schema = Schema::default();
    for i in 0..10_000 {
        let mut t = Table::named(QualifiedName::public(format!("t{i:05}")));
        for (name, ty) in [
            ("id", ColumnType::BigInt),
            ("title", ColumnType::Text),
            ("score", ColumnType::Integer),
        ] {
            t.columns.push(Column {
                name: name.into(),
                ty,
                nullable: false,
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
        t.primary_key = Some(PrimaryKey {
            name: format!("t{i:05}_pkey"),
            columns: vec!["id".into()],
            ..Default::default()
        });
        for (suffix, column) in [("title", "title"), ("score", "score")] {
            t.indexes.push(Index {
                name: format!("t{i:05}_{suffix}_idx"),
                method: IndexMethod::Btree,
                keys: vec![IndexKey {
                    target: IndexTarget::Column(column.into()),
                    opclass: None,
                    order: SortOrder::Asc,
                    nulls: None,
                    collation: None,
                    opclass_params: Default::default(),
                }],
                include: vec![],
                unique: false,
                nulls_not_distinct: false,
                predicate: None,
                options: IndexOptions::default(),
                comment: None,
            });
        }
        t.comment = Some(format!("table {i}"));
        schema.tables.push(t);
    }
    schema.normalize();
    let files = emit(&schema, Layout::PerSchema);
    assert_eq!(files.len(), 1);
    assert_eq!(reload(&files).tables.len(), 10_000);
}

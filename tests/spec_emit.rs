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

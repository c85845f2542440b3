//! Snapshot tests of the generated SeaORM entity sources for the example schema and the golden
//! edge cases, plus determinism.

mod codegen_fixtures;

use tidemark::codegen::GeneratedFile;
use tidemark::codegen::entity::{EntityOptions, generate};

fn snapshot_all(prefix: &str, files: &[GeneratedFile]) {
    for f in files {
        let name = format!(
            "{prefix}__{}",
            f.path.to_string_lossy().replace(['/', '\\'], "__")
        );
        insta::assert_snapshot!(name, &f.contents);
    }
}

fn paths(files: &[GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.path.to_string_lossy().into_owned())
        .collect()
}

#[test]
fn example_schema_entities() {
    let files = generate(&codegen_fixtures::example(), &EntityOptions::default());
    assert_eq!(
        paths(&files),
        [
            "src/analytics_search_events.rs",
            "src/chunks.rs",
            "src/collection_stats.rs",
            "src/collections.rs",
            "src/documents.rs",
            "src/lib.rs",
            "src/prelude.rs",
            "src/published_documents.rs",
            "src/sea_orm_active_enums.rs",
            "src/tenants.rs",
        ]
    );
    snapshot_all("example", &files);
}

#[test]
fn golden_edge_case_entities() {
    let files = generate(&codegen_fixtures::golden(), &EntityOptions::default());
    snapshot_all("golden", &files);
}

#[test]
fn generation_is_deterministic_and_independent_of_input_order() {
    let schema = codegen_fixtures::golden();
    let a = generate(&schema, &EntityOptions::default());
    let mut shuffled = schema.clone();
    shuffled.tables.reverse();
    shuffled.enums.reverse();
    for t in &mut shuffled.tables {
        t.foreign_keys.reverse();
        t.indexes.reverse();
    }
    let b = generate(&shuffled, &EntityOptions::default());
    assert_eq!(a, b);
}

#[test]
fn every_file_starts_with_the_generated_header() {
    for f in generate(&codegen_fixtures::example(), &EntityOptions::default()) {
        assert!(
            f.contents.starts_with(tidemark::codegen::GENERATED_HEADER),
            "{}",
            f.path.display()
        );
    }
}

#[test]
fn root_file_option_places_modules_next_to_it() {
    let opts = EntityOptions {
        root_file: "src/entities/mod.rs".into(),
        ..EntityOptions::default()
    };
    let files = generate(&codegen_fixtures::example(), &opts);
    assert!(files.iter().all(|f| f.path.starts_with("src/entities")));
    assert!(paths(&files).contains(&"src/entities/mod.rs".to_string()));
}

//! Benchmark of `codegen::entity::generate` on a 1,000-table spec, each table with a vector
//! column, an HNSW index and a foreign key: prints the time, asserts nothing about it.
//! Run with `cargo bench --bench entity_codegen`.

use std::time::Instant;

use tidemark::codegen::entity::{EntityOptions, generate};
use tidemark::model::*;

fn column(name: &str, ty: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable,
        default: None,
        identity: None,
        generated: None,
        comment: Some(format!("The {name} column.")),
        renamed_from: None,
        statistics: None,
        collation: None,
        storage: None,
        compression: None,
        generated_virtual: false,
    }
}

fn schema(tables: usize) -> Schema {
    let tables = (0..tables)
        .map(|i| {
            let name = format!("table_{i:04}");
            let mut foreign_keys = Vec::new();
            if i > 0 {
                foreign_keys.push(ForeignKey {
                    name: format!("{name}_parent_fkey"),
                    columns: vec!["parent_id".into()],
                    ref_table: QualifiedName::public(format!("table_{:04}", i - 1)),
                    ref_columns: vec!["id".into()],
                    on_delete: FkAction::Cascade,
                    on_update: FkAction::NoAction,
                    deferrable: Deferrable::NotDeferrable,
                    ..Default::default()
                });
            }
            Table {
                name: QualifiedName::public(&name),
                columns: vec![
                    Column {
                        identity: Some(Identity {
                            kind: IdentityKind::Always,
                            sequence: format!("{name}_id_seq"),
                            options: SequenceOptions::defaults(SequenceType::BigInt, 1),
                        }),
                        ..column("id", ColumnType::BigInt, false)
                    },
                    column("parent_id", ColumnType::BigInt, true),
                    column("title", ColumnType::Text, false),
                    column("embedding", ColumnType::Vector(Some(1536)), true),
                    column(
                        "created_at",
                        ColumnType::Timestamp {
                            precision: None,
                            with_time_zone: true,
                        },
                        false,
                    ),
                ],
                primary_key: Some(PrimaryKey {
                    name: format!("{name}_pkey"),
                    columns: vec!["id".into()],
                    ..Default::default()
                }),
                uniques: vec![],
                checks: vec![],
                foreign_keys,
                exclusions: vec![],
                indexes: vec![Index {
                    name: format!("{name}_embedding_idx"),
                    method: IndexMethod::Hnsw,
                    keys: vec![IndexKey {
                        target: IndexTarget::Column("embedding".into()),
                        opclass: Some("vector_cosine_ops".into()),
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
                }],
                comment: Some(format!("Table number {i}.")),
                renamed_from: None,
                partition_by: None,
                partition_of: None,
                unlogged: false,
                storage: IndexOptions::default(),
                replica_identity: Default::default(),
            }
        })
        .collect();
    Schema {
        tables,
        ..Schema::default()
    }
}

fn main() {
    let schema = schema(1000);
    let opts = EntityOptions::default();
    let mut best = f64::MAX;
    let mut bytes = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let files = generate(&schema, &opts);
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        bytes = files.iter().map(|f| f.contents.len()).sum();
    }
    println!(
        "entity codegen: 1000 tables ({} KiB of Rust) in {:.3} s (best of 5)",
        bytes / 1024,
        best
    );
}

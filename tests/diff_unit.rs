//! Unit tests of `diff` over small hand-built models: matching, renames, enum positions,
//! constraint and index rules, determinism.

#[path = "ddl_support/mod.rs"]
mod ddl_support;

use ddl_support::*;
use tidemark::diff::diff;
use tidemark::kind::*;
use tidemark::model::*;

fn p(n: &str) -> QualifiedName {
    q("public", n)
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema {
        tables,
        ..Schema::default()
    }
}

fn items(cols: Vec<Column>) -> Table {
    table(p("items"), cols).pk("items_pkey", &["id"])
}

#[test]
fn a_schema_diffed_with_itself_is_empty() {
    let s = example_schema();
    assert_eq!(diff(&s, &s), vec![]);
    assert_eq!(diff(&Schema::default(), &Schema::default()), vec![]);
}

#[test]
fn order_of_the_inputs_does_not_change_the_output() {
    let empty = Schema::default();
    let s = example_schema();
    let mut shuffled = s.clone();
    shuffled.tables.reverse();
    shuffled.enums.reverse();
    for t in &mut shuffled.tables {
        t.indexes.reverse();
    }
    assert_eq!(diff(&empty, &s), diff(&empty, &shuffled));
    assert_eq!(diff(&s, &empty), diff(&shuffled, &empty));
    assert_eq!(diff(&shuffled, &s), vec![]);
}

#[test]
fn a_declared_table_rename_is_a_rename_and_constraints_follow() {
    let current = schema(vec![items(vec![col("id", ColumnType::BigInt)])]);
    let mut products =
        table(p("products"), vec![col("id", ColumnType::BigInt)]).pk("products_pkey", &["id"]);
    products.renamed_from = Some("items".into());
    let desired = schema(vec![products.clone()]);
    assert_eq!(
        diff(&current, &desired),
        vec![
            Change::Table(TableChange::Rename {
                from: p("items"),
                to: p("products")
            }),
            Change::Constraint(ConstraintChange::Rename {
                table: p("products"),
                kind: ConstraintKind::PrimaryKey,
                from: "items_pkey".into(),
                to: "products_pkey".into()
            })
        ]
    );
    // Once applied, the declaration no longer matches anything: no change.
    let mut applied = desired.clone();
    applied.tables[0].renamed_from = None;
    assert_eq!(diff(&applied, &desired), vec![]);
    // When both names exist, the rename is not applied: the old table is dropped.
    let both = schema(vec![
        items(vec![col("id", ColumnType::BigInt)]),
        table(p("products"), vec![col("id", ColumnType::BigInt)]).pk("products_pkey", &["id"]),
    ]);
    let changes = diff(&both, &desired);
    assert!(
        matches!(&changes[..], [Change::Table(TableChange::Drop(t))] if t.name == p("items")),
        "{changes:?}"
    );
}

#[test]
fn a_column_rename_carries_keys_indexes_and_foreign_keys() {
    let current = schema(vec![
        items(vec![
            col("id", ColumnType::BigInt),
            col("title", ColumnType::Text),
        ])
        .unique(unique("items_title_key", &["title"]))
        .index(index(
            "items_title_idx",
            IndexMethod::Btree,
            vec![key("title")],
        )),
        table(p("refs"), vec![col("t", ColumnType::Text)]).fk(fk(
            "refs_t_fkey",
            &["t"],
            p("items"),
            &["title"],
        )),
    ]);
    let mut name = col("name", ColumnType::Text);
    name.renamed_from = Some("title".into());
    let desired = schema(vec![
        items(vec![col("id", ColumnType::BigInt), name])
            .unique(unique("items_title_key", &["name"]))
            .index(index(
                "items_title_idx",
                IndexMethod::Btree,
                vec![key("name")],
            )),
        table(p("refs"), vec![col("t", ColumnType::Text)]).fk(fk(
            "refs_t_fkey",
            &["t"],
            p("items"),
            &["name"],
        )),
    ]);
    assert_eq!(
        diff(&current, &desired),
        vec![Change::Column(ColumnChange::Rename {
            table: p("items"),
            from: "title".into(),
            to: "name".into()
        })]
    );
}

#[test]
fn new_enum_labels_get_positions_that_reproduce_the_desired_order() {
    let cur = Schema {
        enums: vec![enum_(p("s"), &["a", "b"])],
        ..Schema::default()
    };
    let des = Schema {
        enums: vec![enum_(p("s"), &["x", "a", "y", "b", "z"])],
        ..Schema::default()
    };
    let positions: Vec<(String, EnumValuePosition)> = diff(&cur, &des)
        .into_iter()
        .map(|c| match c {
            Change::Enum(EnumChange::AddValue {
                value, position, ..
            }) => (value, position),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        positions,
        vec![
            ("x".into(), EnumValuePosition::Before("a".into())),
            ("y".into(), EnumValuePosition::After("a".into())),
            ("z".into(), EnumValuePosition::End),
        ]
    );
}

#[test]
fn removed_or_reordered_enum_labels_need_a_rebuild() {
    let cur = Schema {
        enums: vec![enum_(p("s"), &["a", "b", "c"])],
        ..Schema::default()
    };
    for labels in [&["a", "b"][..], &["b", "a", "c"][..], &["a", "c", "x"][..]] {
        let des = Schema {
            enums: vec![enum_(p("s"), labels)],
            ..Schema::default()
        };
        let changes = diff(&cur, &des);
        assert!(
            matches!(&changes[..], [Change::Enum(EnumChange::Recreate { .. })]),
            "{labels:?}: {changes:?}"
        );
    }
}

#[test]
fn a_modified_constraint_is_dropped_and_added_and_an_identical_one_is_renamed() {
    let base = || {
        items(vec![
            col("id", ColumnType::BigInt),
            col("n", ColumnType::Integer),
        ])
    };
    let cur = schema(vec![base().check("items_n_check", "n >= 0")]);
    let modified = schema(vec![base().check("items_n_check", "n > 0")]);
    let changes = diff(&cur, &modified);
    assert!(
        matches!(&changes[..], [
            Change::Constraint(ConstraintChange::Drop { constraint: Constraint::Check(a), .. }),
            Change::Constraint(ConstraintChange::Add { constraint: Constraint::Check(b), .. }),
        ] if a.expr == "n >= 0" && b.expr == "n > 0"),
        "{changes:?}"
    );
    let renamed = schema(vec![base().check("items_n_nonnegative", "n >= 0")]);
    assert_eq!(
        diff(&cur, &renamed),
        vec![Change::Constraint(ConstraintChange::Rename {
            table: p("items"),
            kind: ConstraintKind::Check,
            from: "items_n_check".into(),
            to: "items_n_nonnegative".into()
        })]
    );
}

#[test]
fn index_changes_are_replace_rename_or_comment() {
    let base = || {
        items(vec![
            col("id", ColumnType::BigInt),
            col("e", ColumnType::Vector(Some(3))),
        ])
    };
    let hnsw = |name: &str, m: &str| {
        with(
            index(
                name,
                IndexMethod::Hnsw,
                vec![ops(key("e"), "vector_cosine_ops")],
            ),
            &[("m", m)],
        )
    };
    let cur = schema(vec![base().index(hnsw("e_idx", "16"))]);
    let replaced = schema(vec![base().index(hnsw("e_idx", "32"))]);
    assert!(matches!(
        &diff(&cur, &replaced)[..],
        [Change::Index(IndexChange::Replace { from, to, .. })] if from.options["m"] == "16" && to.options["m"] == "32"
    ));
    let renamed = schema(vec![base().index(hnsw("e_hnsw", "16"))]);
    assert_eq!(
        diff(&cur, &renamed),
        vec![Change::Index(IndexChange::Rename {
            table: p("items"),
            from: "e_idx".into(),
            to: "e_hnsw".into()
        })]
    );
    let mut commented = hnsw("e_idx", "16");
    commented.comment = Some("ANN".into());
    let commented = schema(vec![base().index(commented)]);
    assert_eq!(
        diff(&cur, &commented),
        vec![Change::Index(IndexChange::AlterComment {
            table: p("items"),
            index: "e_idx".into(),
            from: None,
            to: Some("ANN".into())
        })]
    );
}

#[test]
fn column_facets_are_one_alter_carrying_both_sides() {
    let cur = schema(vec![items(vec![
        col("id", ColumnType::BigInt),
        col("v", ColumnType::Varchar(Some(10))).null(),
    ])]);
    let des = schema(vec![items(vec![
        col("id", ColumnType::BigInt),
        col("v", ColumnType::Text).default(text("x")).comment("c"),
    ])]);
    let changes = diff(&cur, &des);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let Change::Column(ColumnChange::Alter { from, to, .. }) = &changes[0] else {
        panic!("{changes:?}")
    };
    assert_eq!(from.ty, ColumnType::Varchar(Some(10)));
    assert_eq!(to.ty, ColumnType::Text);
    assert_eq!(
        changes[0].to_string(),
        "alter column public.items.v (type, nullability, default, comment)"
    );
}

#[test]
fn extensions_change_only_when_the_desired_side_pins_something() {
    let mut installed = extension("vector");
    installed.version = Some("0.8.2".into());
    let cur = Schema {
        extensions: vec![installed],
        ..Schema::default()
    };
    let unpinned = Schema {
        extensions: vec![extension("vector")],
        ..Schema::default()
    };
    assert_eq!(diff(&cur, &unpinned), vec![]);
    let mut pinned = extension("vector");
    pinned.version = Some("0.9.0".into());
    let pinned = Schema {
        extensions: vec![pinned],
        ..Schema::default()
    };
    assert!(matches!(
        &diff(&cur, &pinned)[..],
        [Change::Extension(ExtensionChange::Alter { .. })]
    ));
}

#[test]
fn names_in_change_descriptions_cannot_break_a_comment_line() {
    let cur = schema(vec![]);
    let des = schema(vec![table(p("evil\nDROP TABLE x; --"), vec![])]);
    let text = diff(&cur, &des)[0].to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("\\n"), "{text}");
}

#[test]
fn renamed_columns_are_renamed_inside_expressions_but_not_in_literals_calls_or_types() {
    use std::collections::BTreeMap;
    use tidemark::diff::rename_in_expr;
    let renames: BTreeMap<String, String> = [
        ("status".to_string(), "state".to_string()),
        ("Old Name".to_string(), "New Name".to_string()),
    ]
    .into_iter()
    .collect();
    let r = |e: &str| rename_in_expr(e, Some(&renames));
    assert_eq!(r("status <> 'archived'"), "state <> 'archived'");
    assert_eq!(r("STATUS = 'status'"), "state = 'status'");
    assert_eq!(r("\"status\" IS NOT NULL"), "state IS NOT NULL");
    assert_eq!(r("\"Old Name\" > 0"), "\"New Name\" > 0");
    assert_eq!(r("status(x) + y::status"), "status(x) + y::status");
    assert_eq!(r("statuses = 'it''s status'"), "statuses = 'it''s status'");
    assert_eq!(rename_in_expr("status", None), "status");
}

#[test]
fn a_check_over_a_renamed_column_is_unchanged_by_the_rename() {
    let cur = schema(vec![
        items(vec![
            col("id", ColumnType::BigInt),
            col("qty", ColumnType::Integer),
        ])
        .check("items_qty_check", "qty >= 0"),
    ]);
    let mut amount = col("amount", ColumnType::Integer);
    amount.renamed_from = Some("qty".into());
    let des = schema(vec![
        items(vec![col("id", ColumnType::BigInt), amount]).check("items_qty_check", "amount >= 0"),
    ]);
    assert_eq!(
        diff(&cur, &des),
        vec![Change::Column(ColumnChange::Rename {
            table: p("items"),
            from: "qty".into(),
            to: "amount".into()
        })]
    );
}

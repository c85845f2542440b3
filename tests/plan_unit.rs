//! Unit tests of the planner's pure rules: type-change classes, ordering, transaction flags,
//! temporary names, and batching.

#[path = "ddl_support/mod.rs"]
mod ddl_support;

use ddl_support::*;
use tidemark::diff::diff;
use tidemark::kind::column::{TypeChange, classify_type_change};
use tidemark::kind::index::temporary_index_name;
use tidemark::model::*;
use tidemark::plan::{HazardKind, PlanOptions, batches, plan};

#[test]
fn type_changes_are_classified() {
    use ColumnType as T;
    use TypeChange::*;
    let num = |p, s| T::Numeric {
        precision: p,
        scale: s,
    };
    let cases = [
        (T::Varchar(Some(10)), T::Varchar(Some(20)), Safe),
        (T::Varchar(Some(10)), T::Varchar(None), Safe),
        (T::Varchar(Some(10)), T::Text, Safe),
        (T::Varchar(Some(20)), T::Varchar(Some(10)), Narrowing),
        (T::Text, T::Varchar(Some(10)), Narrowing),
        (T::Integer, T::BigInt, Rewrite),
        (T::BigInt, T::SmallInt, Narrowing),
        (T::Real, T::DoublePrecision, Rewrite),
        (T::DoublePrecision, T::Real, Narrowing),
        (num(Some(8), Some(2)), num(Some(12), Some(2)), Safe),
        (num(Some(8), Some(2)), num(None, None), Safe),
        (num(Some(12), Some(4)), num(Some(12), Some(2)), Narrowing),
        (T::Vector(Some(3)), T::Vector(Some(4)), VectorDims),
        (T::Vector(None), T::Vector(Some(4)), VectorDims),
        (T::Vector(Some(3)), T::Vector(None), Safe),
        (T::Vector(Some(3)), T::HalfVec(Some(3)), Narrowing),
        (T::HalfVec(Some(3)), T::Vector(Some(3)), Rewrite),
        (T::Text, T::Integer, Narrowing),
        (T::Integer, T::Text, Rewrite),
    ];
    for (from, to, expected) in cases {
        assert_eq!(
            classify_type_change(&from, &to),
            expected,
            "{} -> {}",
            tidemark::sql_ident::type_name(&from),
            tidemark::sql_ident::type_name(&to)
        );
    }
}

#[test]
fn temporary_names_fit_postgres_identifiers_on_char_boundaries() {
    assert_eq!(temporary_index_name("a_idx"), "a_idx_tmnew");
    let long = "é".repeat(40); // 80 bytes
    let tmp = temporary_index_name(&long);
    assert!(tmp.len() <= 63, "{}", tmp.len());
    assert!(tmp.ends_with("_tmnew"));
}

#[test]
fn batches_group_transactional_runs_and_isolate_the_rest() {
    let groups = batches([true, true, false, false, true].into_iter());
    assert_eq!(
        groups,
        vec![
            (true, vec![0, 1]),
            (false, vec![2]),
            (false, vec![3]),
            (true, vec![4])
        ]
    );
}

fn s(tables: Vec<Table>, enums: Vec<Enum>) -> Schema {
    Schema {
        tables,
        enums,
        ..Schema::default()
    }
}

#[test]
fn drops_of_foreign_keys_come_before_drops_of_tables_and_enums_go_last() {
    let parent = table(q("public", "parent"), vec![col("id", ColumnType::BigInt)])
        .pk("parent_pkey", &["id"]);
    let child = table(
        q("public", "child"),
        vec![
            col("p", ColumnType::BigInt),
            col("m", ColumnType::Enum(q("public", "mood"))),
        ],
    )
    .fk(fk("child_p_fkey", &["p"], q("public", "parent"), &["id"]));
    let current = s(
        vec![child, parent],
        vec![enum_(q("public", "mood"), &["ok"])],
    );
    let desired = Schema::default();
    let changes = diff(&current, &desired);
    let p = plan(&current, &desired, &changes, &PlanOptions::default());
    let sql: Vec<String> = p.steps.iter().map(|s| s.sql()).collect();
    let pos = |needle: &str| {
        sql.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in {sql:#?}"))
    };
    assert!(pos("DROP CONSTRAINT \"child_p_fkey\"") < pos("DROP TABLE \"public\".\"parent\""));
    assert!(pos("DROP TABLE \"public\".\"child\"") < pos("DROP TYPE"));
    assert!(p.hazard_kinds().contains(&HazardKind::DataLoss));
    assert!(p.steps.iter().all(|s| s.down.is_some()));
}

#[test]
fn enum_labels_are_added_outside_transactions_before_tables_use_them() {
    let cur = s(vec![], vec![enum_(q("public", "e"), &["a"])]);
    let t = table(
        q("public", "t"),
        vec![col("v", ColumnType::Enum(q("public", "e"))).default(text("b"))],
    );
    let des = s(vec![t], vec![enum_(q("public", "e"), &["a", "b"])]);
    let changes = diff(&cur, &des);
    let p = plan(&cur, &des, &changes, &PlanOptions::default());
    assert!(
        p.steps[0].sql().contains("ADD VALUE IF NOT EXISTS 'b'"),
        "{:#?}",
        p.steps
    );
    assert!(!p.steps[0].transactional);
    assert!(p.steps[1].sql().starts_with("CREATE TABLE"));
    assert!(p.steps[1].transactional);
}

#[test]
fn concurrent_indexes_only_on_existing_tables() {
    let t = |indexes: bool| {
        let mut t = table(q("public", "t"), vec![col("a", ColumnType::Integer)]);
        if indexes {
            t = t.index(index("t_a_idx", IndexMethod::Btree, vec![key("a")]));
        }
        t
    };
    let options = PlanOptions {
        concurrent_indexes: true,
    };
    // Existing table: concurrent, outside a transaction, no blocking-lock hazard.
    let (cur, des) = (s(vec![t(false)], vec![]), s(vec![t(true)], vec![]));
    let p = plan(&cur, &des, &diff(&cur, &des), &options);
    assert_eq!(p.steps.len(), 1);
    assert!(
        p.steps[0]
            .sql()
            .starts_with("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
    );
    assert!(!p.steps[0].transactional);
    assert!(p.steps[0].hazards.is_empty());
    // Without the option: plain, in a transaction, marked as blocking.
    let p = plan(&cur, &des, &diff(&cur, &des), &PlanOptions::default());
    assert!(p.steps[0].sql().starts_with("CREATE INDEX \"t_a_idx\""));
    assert_eq!(p.hazard_kinds(), vec![HazardKind::BlockingLock]);
    // New table: plain (the table is empty), even with the option.
    let (cur, des) = (Schema::default(), s(vec![t(true)], vec![]));
    let p = plan(&cur, &des, &diff(&cur, &des), &options);
    assert!(
        p.steps
            .iter()
            .all(|s| s.transactional && !s.sql().contains("CONCURRENTLY"))
    );
}

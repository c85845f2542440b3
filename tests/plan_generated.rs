//! The generated version of the corpus check: random small (current, desired) pairs drawn from
//! a shared pool of names (so tables and columns overlap, change type, get renamed, gain and lose
//! indexes, and enums gain, lose and reorder labels), each planned and applied up and down on a
//! real PostgreSQL and compared as models read back by introspection (see `plan_support`).
//! Plus model-built pairs for what the YAML spec cannot say (schema comments, awkward
//! identifiers), and a check that the check can fail.

mod plan_support;

use std::collections::BTreeMap;

use proptest::prelude::*;
use tidemark::diff::diff;
use tidemark::model::*;
use tidemark::plan::{Plan, PlanOptions, plan};

fn column(name: &str, ty: ColumnType, nullable: bool, default: Option<DefaultValue>) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable,
        default,
        identity: None,
        generated: None,
        comment: None,
        renamed_from: None,
        statistics: None,
        collation: None,
        storage: None,
        compression: None,
        generated_virtual: false,
    }
}

/// A scalar column `c*`: types between which PostgreSQL has casts, and a default that fits.
fn scalar(name: &'static str) -> impl Strategy<Value = Column> {
    (0..6usize, any::<bool>(), any::<bool>()).prop_map(move |(t, nullable, with_default)| {
        let (ty, default) = match t {
            0 => (ColumnType::Integer, DefaultValue::Number("0".into())),
            1 => (ColumnType::BigInt, DefaultValue::Number("7".into())),
            2 => (ColumnType::Text, DefaultValue::Text("x".into())),
            3 => (
                ColumnType::Varchar(Some(10)),
                DefaultValue::Text("y".into()),
            ),
            4 => (
                ColumnType::Varchar(Some(40)),
                DefaultValue::Text("z".into()),
            ),
            _ => (
                ColumnType::Numeric {
                    precision: Some(12),
                    scale: Some(2),
                },
                DefaultValue::Number("1.5".into()),
            ),
        };
        column(name, ty, nullable, with_default.then_some(default))
    })
}

fn vector_col() -> impl Strategy<Value = Column> {
    (prop::sample::select(vec![3u32, 4, 8]), any::<bool>())
        .prop_map(|(d, nullable)| column("e0", ColumnType::Vector(Some(d)), nullable, None))
}

fn enum_or_text_col(enum_exists: bool) -> impl Strategy<Value = Column> {
    any::<bool>().prop_map(move |use_enum| {
        let ty = if use_enum && enum_exists {
            ColumnType::Enum(QualifiedName::public("e0"))
        } else {
            ColumnType::Text
        };
        column("s0", ty, true, None)
    })
}

#[derive(Debug, Clone)]
struct TableSpec {
    name: usize,
    renamed_from: Option<usize>,
    cols: Vec<Column>,
    pk: bool,
    btree: Option<usize>,
    hnsw_m: Option<Option<u32>>,
    comment: Option<String>,
}

fn table_spec(enum_exists: bool) -> impl Strategy<Value = TableSpec> {
    (
        0..3usize,
        prop::option::weighted(0.3, 0..3usize),
        scalar("c0"),
        prop::option::of(scalar("c1")),
        prop::option::of(vector_col()),
        prop::option::of(enum_or_text_col(enum_exists)),
        any::<bool>(),
        prop::option::of(0..2usize),
        prop::option::of(prop::option::of(prop::sample::select(vec![8u32, 24]))),
        prop::option::of(prop::sample::select(vec!["one".to_string(), "two".into()])),
    )
        .prop_map(
            |(name, renamed_from, c0, c1, e0, s0, pk, btree, hnsw_m, comment)| {
                let mut cols = vec![c0];
                cols.extend(c1);
                cols.extend(e0);
                cols.extend(s0);
                TableSpec {
                    name,
                    renamed_from,
                    cols,
                    pk,
                    btree,
                    hnsw_m,
                    comment,
                }
            },
        )
}

fn build(tables: Vec<TableSpec>, labels: Option<Vec<&'static str>>) -> Schema {
    let mut by_name: BTreeMap<usize, TableSpec> = BTreeMap::new();
    for t in tables {
        by_name.entry(t.name).or_insert(t);
    }
    let mut out = Schema {
        extensions: vec![Extension {
            name: "vector".into(),
            schema: None,
            version: None,
        }],
        enums: labels
            .map(|l| Enum {
                name: QualifiedName::public("e0"),
                values: l.into_iter().map(String::from).collect(),
                comment: None,
            })
            .into_iter()
            .collect(),
        ..Schema::default()
    };
    for (n, spec) in by_name {
        let tname = format!("t{n}");
        let mut cols = spec.cols.clone();
        if spec.pk {
            cols[0].nullable = false;
        }
        let mut indexes = Vec::new();
        if let Some(b) = spec.btree
            && let Some(c) = cols.get(b)
            && !matches!(c.ty, ColumnType::Vector(_))
        {
            indexes.push(index(
                &format!("{tname}_{}_idx", c.name),
                IndexMethod::Btree,
                &c.name,
                None,
                IndexOptions::default(),
            ));
        }
        if let Some(m) = spec.hnsw_m
            && cols.iter().any(|c| c.name == "e0")
        {
            let options = m
                .map(|m| ("m".to_string(), m.to_string()))
                .into_iter()
                .collect();
            indexes.push(index(
                &format!("{tname}_e0_idx"),
                IndexMethod::Hnsw,
                "e0",
                Some("vector_l2_ops"),
                options,
            ));
        }
        out.tables.push(Table {
            name: QualifiedName::public(&tname),
            primary_key: spec.pk.then(|| PrimaryKey {
                name: format!("{tname}_pkey"),
                columns: vec!["c0".into()],
                ..Default::default()
            }),
            columns: cols,
            uniques: vec![],
            checks: vec![],
            foreign_keys: vec![],
            exclusions: vec![],
            indexes,
            comment: spec.comment.clone(),
            renamed_from: spec
                .renamed_from
                .filter(|r| *r != n)
                .map(|r| format!("t{r}")),
            partition_by: None,
            partition_of: None,
            unlogged: false,
            storage: IndexOptions::default(),
            replica_identity: Default::default(),
        });
    }
    out.normalize();
    out
}

fn index(
    name: &str,
    method: IndexMethod,
    column: &str,
    opclass: Option<&str>,
    options: IndexOptions,
) -> Index {
    Index {
        name: name.into(),
        method,
        keys: vec![IndexKey {
            target: IndexTarget::Column(column.into()),
            opclass: opclass.map(String::from),
            order: SortOrder::Asc,
            nulls: None,
            collation: None,
            opclass_params: Default::default(),
        }],
        include: vec![],
        unique: false,
        nulls_not_distinct: false,
        predicate: None,
        options,
        comment: None,
    }
}

fn labels() -> impl Strategy<Value = Option<Vec<&'static str>>> {
    prop::option::weighted(
        0.7,
        prop::sample::subsequence(vec!["a", "b", "c", "d"], 1..=4).prop_shuffle(),
    )
}

fn schema() -> impl Strategy<Value = Schema> {
    labels().prop_flat_map(|labels| {
        let exists = labels.is_some();
        prop::collection::vec(table_spec(exists), 0..3)
            .prop_map(move |tables| build(tables, labels.clone()))
    })
}

/// The current side never declares renames (it is what the database holds).
fn without_renames(mut s: Schema) -> Schema {
    for t in &mut s.tables {
        t.renamed_from = None;
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_pairs_apply_to_desired_and_revert_to_current(
        current in schema().prop_map(without_renames),
        desired in schema(),
        concurrent in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let options = PlanOptions { concurrent_indexes: concurrent };
        let result = runtime.block_on(plan_support::check_pair(&current, &desired, &options));
        prop_assert!(result.is_ok(), "{}", result.err().unwrap_or_default());
    }
}

/// Awkward identifiers (quotes, spaces, upper case), a schema comment and a table rename in
/// a non-public schema: things the YAML corpus cannot all express.
fn awkward(renamed: bool, comment: Option<&str>) -> Schema {
    let ns = "Odd \"Schema\"";
    let name = if renamed { "New Table" } else { "old\"table" };
    let mut col = column("Mixed Case", ColumnType::Varchar(Some(5)), true, None);
    if renamed {
        col.name = "renamed \"col\"".into();
        col.renamed_from = Some("Mixed Case".into());
        col.ty = ColumnType::Text;
    }
    let mut s = Schema {
        namespaces: vec![Namespace {
            name: ns.into(),
            comment: comment.map(String::from),
        }],
        enums: vec![Enum {
            name: QualifiedName::new(ns, "it's"),
            values: if renamed {
                vec!["a'b".into(), "new".into()]
            } else {
                vec!["a'b".into()]
            },
            comment: None,
        }],
        tables: vec![Table {
            name: QualifiedName::new(ns, name),
            columns: vec![col],
            primary_key: None,
            uniques: vec![],
            checks: vec![],
            foreign_keys: vec![],
            exclusions: vec![],
            indexes: vec![],
            comment: None,
            renamed_from: renamed.then(|| "old\"table".to_string()),
            partition_by: None,
            partition_of: None,
            unlogged: false,
            storage: IndexOptions::default(),
            replica_identity: Default::default(),
        }],
        ..Schema::default()
    };
    s.normalize();
    s
}

#[tokio::test]
async fn awkward_identifiers_and_schema_comments_round_trip() {
    let current = awkward(false, None);
    let desired = awkward(true, Some("Owned by \"us\"; it's fine."));
    let changes = diff(&current, &desired);
    let kinds: Vec<&str> = changes.iter().map(|c| c.label()).collect();
    assert!(kinds.contains(&"namespace.comment"), "{kinds:#?}");
    assert!(kinds.contains(&"table.rename"), "{kinds:#?}");
    assert!(kinds.contains(&"column.rename"), "{kinds:#?}");
    for concurrent in [false, true] {
        let options = PlanOptions {
            concurrent_indexes: concurrent,
        };
        if let Err(e) = plan_support::check_pair(&current, &desired, &options).await {
            panic!("{e}");
        }
    }
}

#[tokio::test]
async fn the_check_fails_when_a_plan_misses_a_step() {
    // The model comparison must be able to fail: drop the last step of a real plan (the schema
    // comment) and the database read back no longer matches desired, and diff says why.
    let current = awkward(false, None);
    let desired = plan_support::canonical(&awkward(true, Some("c")))
        .await
        .expect("desired");
    let db = tidemark_test_support::TestDatabase::create()
        .await
        .expect("db");
    let mut conn = plan_support::connect(&db).await;
    plan_support::create_all(&mut conn, &current)
        .await
        .expect("current");
    let live = plan_support::introspect(&mut conn).await.expect("read");
    let changes = diff(&live, &desired);
    let full = plan(&live, &desired, &changes, &PlanOptions::default());
    let mut partial: Plan = full.clone();
    let at = partial
        .steps
        .iter()
        .position(|s| s.from.contains("comment on schema"))
        .expect("a schema comment step");
    let last = partial.steps.remove(at);
    plan_support::apply_up(&db, &partial)
        .await
        .expect("partial plan");
    let got = plan_support::introspect(&mut conn).await.expect("read");
    let err = plan_support::same_schema(&got, &desired).expect_err("a missing step went unnoticed");
    assert!(err.contains("Namespace"), "{err}");
    assert!(err.contains("AlterComment"), "{err}");
    // The full plan passes the same comparison.
    plan_support::apply_up(
        &db,
        &Plan {
            steps: vec![last],
            ..Plan::default()
        },
    )
    .await
    .expect("last step");
    let got = plan_support::introspect(&mut conn).await.expect("read");
    plan_support::same_schema(&got, &desired).expect("full plan");
}

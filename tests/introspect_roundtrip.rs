//! Round trips between introspection, the spec and the DDL renderer:
//! - an introspected schema is a fixpoint: rendering it with `ddl::create_all`, applying that to
//!   a fresh database and introspecting again gives the same schema, exactly;
//! - the repository's example spec, applied with `ddl::create_all`, introspects to the spec's own
//!   model except for expression texts, which PostgreSQL rewrites into its canonical form (the
//!   reason tidemark compares spec and database through a shadow database). Those rewrites are
//!   listed in a reviewed snapshot.

mod introspect_support;

use std::path::Path;

use introspect_support::{KITCHEN_SINK, VECTORS, db_with};
use sqlx::AssertSqlSafe;
use tidemark::ddl;
use tidemark::introspect::{IntrospectOptions, introspect};
use tidemark::model::*;
use tidemark_test_support::TestDatabase;

async fn apply(schema: &Schema) -> TestDatabase {
    let sql = ddl::script(&ddl::create_all(schema));
    let db = TestDatabase::create().await.unwrap();
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
        .execute(db.pool())
        .await
    {
        panic!("applying the rendered DDL failed: {e}\n{sql}");
    }
    db
}

async fn assert_fixpoint(handwritten: &str) {
    let first_db = db_with(handwritten).await;
    let first = introspect(first_db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    let second_db = apply(&first).await;
    let second = introspect(second_db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    assert_eq!(first, second);
}

#[tokio::test]
async fn kitchen_sink_is_a_fixpoint_of_ddl() {
    assert_fixpoint(KITCHEN_SINK).await;
}

#[tokio::test]
async fn vector_schema_is_a_fixpoint_of_ddl() {
    assert_fixpoint(VECTORS).await;
}

/// Replaces every expression text with a marker and returns `(where, spec text)` pairs, so the
/// rest of two schemas can be compared exactly and the expressions side by side.
fn take_expressions(schema: &mut Schema) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut take = |place: String, text: &mut String| {
        out.push((place, std::mem::replace(text, "<expr>".into())));
    };
    for t in &mut schema.tables {
        for c in &mut t.columns {
            if let Some(DefaultValue::Expr(e)) = &mut c.default {
                take(format!("{}.{} default", t.name, c.name), e);
            }
            if let Some(g) = &mut c.generated {
                take(format!("{}.{} generated", t.name, c.name), g);
            }
        }
        for ch in &mut t.checks {
            take(format!("{} check {}", t.name, ch.name), &mut ch.expr);
        }
    }
    // A view's query is PostgreSQL's own text; the catalog lists every output column with its
    // type where the spec lists the commented ones; what a view reads is derived differently
    // on each side (names in the query, pg_depend) and only orders steps. A view's entity (key
    // and typed columns) exists only in the spec; the shadow checks it against the query.
    for v in &mut schema.views {
        v.entity = None;
        take(format!("{} query", v.name), &mut v.query);
        v.columns.retain(|c| c.comment.is_some());
        for c in &mut v.columns {
            c.ty = None;
        }
        v.depends_on.clear();
    }
    for f in &mut schema.functions {
        take(format!("{} args", f.name), &mut f.args);
        if let Some(r) = &mut f.returns {
            take(format!("{} returns", f.name), r);
        }
        f.identity = "<expr>".into();
        f.depends_on.clear();
    }
    for tg in &mut schema.triggers {
        if let Some(w) = &mut tg.when {
            take(format!("{} trigger {} when", tg.table, tg.name), w);
        }
    }
    for t in &mut schema.tables {
        for ix in &mut t.indexes {
            for (k, key) in ix.keys.iter_mut().enumerate() {
                if let IndexTarget::Expr(e) = &mut key.target {
                    take(format!("{} index {} key {k}", t.name, ix.name), e);
                }
            }
            if let Some(p) = &mut ix.predicate {
                take(format!("{} index {} where", t.name, ix.name), p);
            }
        }
    }
    out
}

#[tokio::test]
async fn example_spec_introspects_to_its_model_up_to_expression_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let loaded = tidemark::spec::load(&root).unwrap_or_else(|d| panic!("{d:?}"));
    let mut desired = loaded.schema;
    desired.normalize();
    let db = apply(&desired).await;
    let mut current = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();

    let spec_exprs = take_expressions(&mut desired);
    let catalog_exprs = take_expressions(&mut current);
    assert_eq!(current, desired);

    let places: Vec<_> = spec_exprs.iter().map(|(p, _)| p).collect();
    let catalog_places: Vec<_> = catalog_exprs.iter().map(|(p, _)| p).collect();
    assert_eq!(catalog_places, places);
    let mut report = String::new();
    for ((place, spec), (_, catalog)) in spec_exprs.iter().zip(&catalog_exprs) {
        let mark = if spec == catalog { "same" } else { "rewritten" };
        report.push_str(&format!(
            "{place} [{mark}]\n  spec:    {spec}\n  catalog: {catalog}\n"
        ));
    }
    insta::assert_snapshot!(report);
}

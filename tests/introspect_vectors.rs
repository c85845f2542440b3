//! Introspection of pgvector objects written by hand (a catalog someone else built): every
//! vector type with and without dims, every operator class on HNSW and IVFFlat, expression and
//! partial indexes, and options changed after creation.

use sqlx::AssertSqlSafe;
use tidemark::introspect::{IntrospectOptions, introspect};
use tidemark::model::*;
use tidemark_test_support::TestDatabase;

async fn db_with(sql: &str) -> TestDatabase {
    let db = TestDatabase::create().await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(db.pool())
        .await
        .unwrap();
    db
}

fn index<'a>(t: &'a Table, name: &str) -> &'a Index {
    t.indexes
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("index {name} not read; have {:?}", t.indexes))
}

fn opts(pairs: &[(&str, &str)]) -> IndexOptions {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn vector_types_keep_their_dims() {
    let db = db_with(
        "CREATE EXTENSION vector;
         CREATE TABLE v (
           a vector(3), b vector, c halfvec(4000), d halfvec, e sparsevec(30522), f sparsevec,
           g bit(768), h bit varying(16), i bit varying, j vector(16000)[] NOT NULL
         );",
    )
    .await;
    let schema = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    let t = schema.table(&QualifiedName::public("v")).unwrap();
    let ty = |n: &str| t.column(n).unwrap().ty.clone();
    use ColumnType as T;
    assert_eq!(ty("a"), T::Vector(Some(3)));
    assert_eq!(ty("b"), T::Vector(None));
    assert_eq!(ty("c"), T::HalfVec(Some(4000)));
    assert_eq!(ty("d"), T::HalfVec(None));
    assert_eq!(ty("e"), T::SparseVec(Some(30522)));
    assert_eq!(ty("f"), T::SparseVec(None));
    assert_eq!(ty("g"), T::Bit(Some(768)));
    assert_eq!(ty("h"), T::VarBit(Some(16)));
    assert_eq!(ty("i"), T::VarBit(None));
    assert_eq!(ty("j"), T::Array(Box::new(T::Vector(Some(16000)))));
    assert!(!t.column("j").unwrap().nullable);
    assert!(t.column("a").unwrap().nullable);
    assert_eq!(
        schema.extensions,
        vec![Extension {
            name: "vector".into(),
            schema: None,
            version: None
        }]
    );
}

#[tokio::test]
async fn every_pgvector_operator_class_is_read_explicitly() {
    let db = db_with(
        "CREATE EXTENSION vector;
         CREATE TABLE v (id bigint PRIMARY KEY, v vector(3), h halfvec(3), s sparsevec(3),
                         b bit(3));
         CREATE INDEX hnsw_vector_l2 ON v USING hnsw (v vector_l2_ops);
         CREATE INDEX hnsw_vector_ip ON v USING hnsw (v vector_ip_ops);
         CREATE INDEX hnsw_vector_cosine ON v USING hnsw (v vector_cosine_ops);
         CREATE INDEX hnsw_vector_l1 ON v USING hnsw (v vector_l1_ops);
         CREATE INDEX hnsw_halfvec_l2 ON v USING hnsw (h halfvec_l2_ops);
         CREATE INDEX hnsw_halfvec_ip ON v USING hnsw (h halfvec_ip_ops);
         CREATE INDEX hnsw_halfvec_cosine ON v USING hnsw (h halfvec_cosine_ops);
         CREATE INDEX hnsw_halfvec_l1 ON v USING hnsw (h halfvec_l1_ops);
         CREATE INDEX hnsw_sparsevec_l2 ON v USING hnsw (s sparsevec_l2_ops);
         CREATE INDEX hnsw_sparsevec_ip ON v USING hnsw (s sparsevec_ip_ops);
         CREATE INDEX hnsw_sparsevec_cosine ON v USING hnsw (s sparsevec_cosine_ops);
         CREATE INDEX hnsw_sparsevec_l1 ON v USING hnsw (s sparsevec_l1_ops);
         CREATE INDEX hnsw_bit_hamming ON v USING hnsw (b bit_hamming_ops);
         CREATE INDEX hnsw_bit_jaccard ON v USING hnsw (b bit_jaccard_ops);
         CREATE INDEX ivf_vector_l2 ON v USING ivfflat (v vector_l2_ops);
         CREATE INDEX ivf_vector_ip ON v USING ivfflat (v vector_ip_ops);
         CREATE INDEX ivf_vector_cosine ON v USING ivfflat (v vector_cosine_ops);
         CREATE INDEX ivf_halfvec_l2 ON v USING ivfflat (h halfvec_l2_ops);
         CREATE INDEX ivf_halfvec_ip ON v USING ivfflat (h halfvec_ip_ops);
         CREATE INDEX ivf_halfvec_cosine ON v USING ivfflat (h halfvec_cosine_ops);
         CREATE INDEX ivf_bit_hamming ON v USING ivfflat (b bit_hamming_ops);",
    )
    .await;
    let schema = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    let t = schema.table(&QualifiedName::public("v")).unwrap();
    // The primary key's own index is the constraint's, not an index of the table.
    assert_eq!(t.indexes.len(), 21);
    assert_eq!(t.primary_key.as_ref().unwrap().name, "v_pkey");
    for ix in &t.indexes {
        let (method, class) = ix.name.split_once('_').unwrap();
        let expected_method = if method == "hnsw" {
            IndexMethod::Hnsw
        } else {
            IndexMethod::IvfFlat
        };
        assert_eq!(ix.method, expected_method, "{}", ix.name);
        assert_eq!(ix.keys.len(), 1);
        let key = &ix.keys[0];
        assert_eq!(key.order, SortOrder::Asc);
        assert_eq!(key.nulls, None);
        assert!(ix.options.is_empty(), "{}: {:?}", ix.name, ix.options);
        assert!(!ix.unique && ix.include.is_empty() && ix.predicate.is_none());
        // Every vector index names its class, also IVFFlat's default (vector_l2_ops), so a
        // spec written from it always says which distance it serves.
        assert_eq!(
            key.opclass.as_deref(),
            Some(format!("{class}_ops").as_str())
        );
    }
}

#[tokio::test]
async fn expression_partial_and_altered_vector_indexes() {
    let db = db_with(
        "CREATE EXTENSION vector;
         CREATE TABLE docs (id bigint, embedding vector(3072), e vector(768), kind text,
                            \"Odd Col\" vector(3));
         CREATE INDEX docs_half_idx ON docs USING hnsw ((embedding::halfvec(3072)) halfvec_ip_ops)
           WITH (m = 16, ef_construction = 64);
         CREATE INDEX docs_binary_idx ON docs USING hnsw
           ((binary_quantize(e)::bit(768)) bit_hamming_ops) WITH (m = 32);
         CREATE INDEX docs_partial_idx ON docs USING ivfflat (e vector_cosine_ops)
           WITH (lists = 50) WHERE kind = 'faq';
         CREATE INDEX docs_lists_default_idx ON docs USING ivfflat (e) WITH (lists = 100);
         CREATE INDEX docs_altered_idx ON docs USING hnsw (\"Odd Col\" vector_l2_ops);
         ALTER INDEX docs_altered_idx SET (ef_construction = 80);
         ALTER INDEX docs_binary_idx SET (m = 16);",
    )
    .await;
    let schema = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    let t = schema.table(&QualifiedName::public("docs")).unwrap();

    let half = index(t, "docs_half_idx");
    assert_eq!(
        half.keys[0].target,
        IndexTarget::Expr("embedding::halfvec(3072)".into())
    );
    assert_eq!(half.keys[0].opclass.as_deref(), Some("halfvec_ip_ops"));
    assert_eq!(
        half.options,
        IndexOptions::default(),
        "defaults compare equal to no options: {:?}",
        half.options
    );
    assert_eq!(
        half.options.get("m").map(String::as_str),
        Some("16"),
        "but they are kept as written, so the DDL repeats them"
    );

    let binary = index(t, "docs_binary_idx");
    assert_eq!(
        binary.keys[0].target,
        IndexTarget::Expr("binary_quantize(e)::bit(768)".into())
    );
    assert_eq!(binary.keys[0].opclass.as_deref(), Some("bit_hamming_ops"));
    assert_eq!(
        binary.options,
        IndexOptions::default(),
        "m set back to its default"
    );

    let partial = index(t, "docs_partial_idx");
    assert_eq!(partial.method, IndexMethod::IvfFlat);
    assert_eq!(partial.keys[0].target, IndexTarget::Column("e".into()));
    assert_eq!(
        partial.keys[0].opclass.as_deref(),
        Some("vector_cosine_ops")
    );
    assert_eq!(partial.options, opts(&[("lists", "50")]));
    assert_eq!(partial.predicate.as_deref(), Some("kind = 'faq'::text"));

    let lists_default = index(t, "docs_lists_default_idx");
    assert_eq!(lists_default.options, IndexOptions::default());
    assert_eq!(
        lists_default.options.get("lists").map(String::as_str),
        Some("100")
    );
    assert_eq!(
        lists_default.keys[0].opclass.as_deref(),
        Some("vector_l2_ops"),
        "built without a class, read back with the default one named"
    );

    let altered = index(t, "docs_altered_idx");
    assert_eq!(
        altered.keys[0].target,
        IndexTarget::Column("Odd Col".into())
    );
    assert_eq!(altered.options, opts(&[("ef_construction", "80")]));
}

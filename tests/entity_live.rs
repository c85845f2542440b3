//! The generated `entity/` crate against a real PostgreSQL 18 + pgvector 0.8: the example schema
//! is created from the spec, rows with all four vector types (vector, halfvec, sparsevec, bit)
//! go in through the generated entities and come back equal, and every generated
//! nearest-neighbour query is answered from its intended index (checked with `EXPLAIN`) with the
//! same neighbours and distances as a brute-force search in Rust.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::path::Path;

use entity::analytics_search_events as events;
use entity::sea_orm_active_enums::{AnalyticsFeedback, DocStatus, PlanTier};
use entity::{chunks, collection_stats, collections, documents, published_documents, tenants};
use sea_orm::prelude::{Decimal, PgVector, Uuid};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    Database, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryTrait, Statement, TransactionTrait,
};
use tidemark_pgvector::{Bit, HalfVector, Neighbor, SparseVector};
use tidemark_test_support::TestDatabase;

/// Deterministic pseudo-random numbers (splitmix64), so a failure reproduces exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1), with 24 bits so every value is exact in f32.
    fn unit(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn dense(&mut self, dims: usize) -> Vec<f32> {
        (0..dims).map(|_| self.unit()).collect()
    }

    /// `nnz` distinct non-zero positions among the first `range` of `dims`: a small range makes
    /// rows overlap, so inner products are mostly non-zero.
    fn sparse(&mut self, dims: usize, range: usize, nnz: usize) -> SparseVector {
        let mut v = vec![0.0f32; dims];
        let mut set = 0;
        while set < nnz {
            let i = self.below(range as u64) as usize;
            if v[i] == 0.0 {
                v[i] = self.unit().abs() + 0.01;
                set += 1;
            }
        }
        SparseVector::from_dense(&v)
    }

    /// About 30% ones, never all zeros (Jaccard distance is undefined between empty sets).
    fn bits(&mut self, n: usize) -> Bit {
        let mut b: Vec<bool> = (0..n).map(|_| self.below(10) < 3).collect();
        b[self.below(n as u64) as usize] = true;
        Bit::new(&b)
    }
}

fn pg(v: &[f32]) -> PgVector {
    PgVector::from(v.to_vec())
}

async fn setup() -> (TestDatabase, DatabaseConnection) {
    let test_db = TestDatabase::create().await.expect("a local PostgreSQL");
    let schema = match tidemark::spec::load(Path::new("schemas")) {
        Ok(l) => l.schema,
        Err(d) => panic!("schemas/ must load:\n{}", d.render_human()),
    };
    let script = tidemark::ddl::script(&tidemark::ddl::create_all(&schema));
    let db = Database::connect(test_db.url()).await.unwrap();
    db.execute_unprepared(&script)
        .await
        .unwrap_or_else(|e| panic!("the example schema must apply: {e}\n{script}"));
    (test_db, db)
}

async fn tenant_and_collection(db: &DatabaseConnection) -> (tenants::Model, collections::Model) {
    let tenant = tenants::ActiveModel {
        slug: Set("acme".into()),
        name: Set("Acme Corp".into()),
        tier: Set(PlanTier::Team),
        settings: Set(serde_json::json!({ "region": "eu", "seats": 12 })),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let collection = collections::ActiveModel {
        tenant_id: Set(tenant.id),
        name: Set("Manuals".into()),
        description: Set(Some("Product manuals".into())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    (tenant, collection)
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_with_every_vector_type_round_trip_through_the_generated_entities() {
    let (_test_db, db) = setup().await;
    let mut rng = Rng(7);
    let (tenant, collection) = tenant_and_collection(&db).await;
    assert_eq!(tenant.tier, PlanTier::Team);
    assert_eq!(tenant.settings["seats"], 12);
    assert_eq!(collection.embedding_model, "text-embedding-3-small");
    assert_eq!(
        tenants::Entity::find_by_id(tenant.id)
            .one(&db)
            .await
            .unwrap(),
        Some(tenant.clone())
    );
    assert_eq!(
        collections::Entity::find_by_id((tenant.id, collection.id))
            .one(&db)
            .await
            .unwrap(),
        Some(collection.clone())
    );

    let large = rng.dense(3072);
    let doc = documents::ActiveModel {
        id: Set(Uuid::from_u128(1)),
        tenant_id: Set(tenant.id),
        collection_id: Set(collection.id),
        status: Set(DocStatus::Published),
        title: Set("Pumps".into()),
        body: Set("How to service the pump".into()),
        source_url: Set(None),
        embedding_large: Set(Some(pg(&large))),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(doc.embedding_large, Some(pg(&large)));
    assert_eq!(doc.metadata, serde_json::json!({}));
    assert!(doc.body_tsv.contains("'pump':"), "{}", doc.body_tsv);
    let read = documents::Entity::find_by_id(doc.id)
        .one(&db)
        .await
        .unwrap();
    assert_eq!(read, Some(doc.clone()));

    let embedding = rng.dense(1536);
    let sparse = rng.sparse(30522, 30522, 12);
    let signature = rng.bits(256);
    let chunk = chunks::ActiveModel {
        document_id: Set(doc.id),
        ordinal: Set(0),
        content: Set("Turn the valve".into()),
        token_count: Set(3),
        embedding: Set(Some(pg(&embedding))),
        sparse_embedding: Set(Some(sparse.clone())),
        shingle_signature: Set(Some(signature.clone())),
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(chunk.embedding, Some(pg(&embedding)));
    assert_eq!(chunk.sparse_embedding, Some(sparse.clone()));
    assert_eq!(chunk.shingle_signature, Some(signature.clone()));
    let read = chunks::Entity::find_by_id((doc.id, 0))
        .one(&db)
        .await
        .unwrap();
    assert_eq!(read.as_ref(), Some(&chunk));

    // Update every vector column, and filter on them (the casts apply to WHERE too).
    let embedding2 = rng.dense(1536);
    let sparse2 = rng.sparse(30522, 100, 5);
    let signature2 = rng.bits(256);
    let mut active: chunks::ActiveModel = chunk.clone().into();
    active.embedding = Set(Some(pg(&embedding2)));
    active.sparse_embedding = Set(Some(sparse2.clone()));
    active.shingle_signature = Set(Some(signature2.clone()));
    let updated = active.update(&db).await.unwrap();
    assert_eq!(updated.sparse_embedding, Some(sparse2.clone()));
    use sea_orm::{ColumnTrait, QueryFilter};
    let found = chunks::Entity::find()
        .filter(chunks::Column::ShingleSignature.eq(signature2.clone()))
        .filter(chunks::Column::SparseEmbedding.eq(sparse2.clone()))
        .filter(chunks::Column::Embedding.eq(pg(&embedding2)))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(found, vec![updated.clone()]);
    let not_found = chunks::Entity::find()
        .filter(chunks::Column::ShingleSignature.eq(signature.clone()))
        .all(&db)
        .await
        .unwrap();
    assert!(not_found.is_empty());

    let query_embedding = HalfVector::from_f32_slice(&rng.dense(1536));
    let event = events::ActiveModel {
        tenant_id: Set(tenant.id),
        query: Set("pump valve".into()),
        query_embedding: Set(Some(query_embedding.clone())),
        top_chunk_ids: Set(vec![3, 1, 2]),
        latency_ms: Set(Decimal::new(12_345, 3)),
        feedback: Set(Some(AnalyticsFeedback::NotHelpful)),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(event.query_embedding, Some(query_embedding.clone()));
    assert_eq!(event.feedback, Some(AnalyticsFeedback::NotHelpful));
    assert_eq!(event.top_chunk_ids, vec![3, 1, 2]);
    assert_eq!(event.latency_ms, Decimal::new(12_345, 3));
    let read = events::Entity::find()
        .filter(events::Column::Feedback.eq(AnalyticsFeedback::NotHelpful))
        .filter(events::Column::QueryEmbedding.eq(query_embedding.clone()))
        .one(&db)
        .await
        .unwrap();
    assert_eq!(read, Some(event));
    // The model SeaORM reads is the model it wrote: NULLs too.
    let empty = chunks::ActiveModel {
        document_id: Set(doc.id),
        ordinal: Set(1),
        content: Set("".into()),
        token_count: Set(1),
        embedding: Set(None),
        sparse_embedding: Set(None),
        shingle_signature: Set(None),
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(
        (
            empty.embedding,
            empty.sparse_embedding,
            empty.shingle_signature
        ),
        (None, None, None)
    );
}

// ---------------------------------------------------------------------------------------------
// Nearest-neighbour queries.

const K: u64 = 10;
/// Distances computed in Rust (f64) and by pgvector (f32 accumulation) agree to about 1e-6.
const TOLERANCE: f64 = 1e-4;

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (*x as f64, *y as f64);
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    1.0 - dot / (na.sqrt() * nb.sqrt())
}

fn l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn neg_inner_product(a: &[f32], b: &[f32]) -> f64 {
    -a.iter()
        .zip(b)
        .map(|(x, y)| *x as f64 * *y as f64)
        .sum::<f64>()
}

/// pgvector's `binary_quantize`: one bit per dimension, set when the value is positive.
fn binary_quantize(v: &[f32]) -> Vec<bool> {
    v.iter().map(|x| *x > 0.0).collect()
}

fn hamming(a: &[bool], b: &[bool]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x != y).count() as f64
}

fn jaccard(a: &[bool], b: &[bool]) -> f64 {
    let and = a.iter().zip(b).filter(|(x, y)| **x && **y).count() as f64;
    let or = a.iter().zip(b).filter(|(x, y)| **x || **y).count() as f64;
    1.0 - and / or
}

/// Asserts a nearest-neighbour result is a correct top-k: its distances are the k smallest of
/// the brute-force distances (in order), and each row's reported distance is its own. Rows tied
/// at the k-th distance may legitimately differ from a brute-force sort, so ids are compared
/// through their distances; ids strictly closer than the k-th must all be present.
fn assert_top_k<Id: Eq + Hash + Clone + Debug>(
    what: &str,
    got: &[(Id, f64)],
    brute: &HashMap<Id, f64>,
) {
    let mut expected: Vec<(Id, f64)> = brute.iter().map(|(i, d)| (i.clone(), *d)).collect();
    expected.sort_by(|a, b| a.1.total_cmp(&b.1));
    expected.truncate(K as usize);
    assert_eq!(got.len(), expected.len(), "{what}: number of rows");
    for (n, ((id, d), (_, e))) in got.iter().zip(&expected).enumerate() {
        assert!(
            (d - e).abs() <= TOLERANCE,
            "{what}: rank {n} has distance {d}, brute force {e}\n got {got:?}\n expected {expected:?}"
        );
        let own = brute[id];
        assert!(
            (d - own).abs() <= TOLERANCE,
            "{what}: row {id:?} reported at distance {d}, brute force computes {own}"
        );
    }
    let kth = expected.last().map(|e| e.1).unwrap_or(0.0);
    for (id, d) in &expected {
        if *d < kth - TOLERANCE {
            assert!(
                got.iter().any(|(g, _)| g == id),
                "{what}: row {id:?} at {d} is nearer than the k-th ({kth}) but missing"
            );
        }
    }
    let mut ids: Vec<String> = got.iter().map(|(i, _)| format!("{i:?}")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "{what}: duplicate rows");
}

/// The plan of `stmt` (as sent, parameters bound) must scan `index`.
async fn assert_uses_index(txn: &DatabaseTransaction, stmt: Statement, index: &str) {
    let explain = Statement {
        sql: format!("EXPLAIN {}", stmt.sql),
        ..stmt.clone()
    };
    let rows = txn.query_all_raw(explain).await.unwrap();
    let plan: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains(&format!("Index Scan using {index} ")),
        "expected an index scan using {index} for\n{}\nplan:\n{plan}",
        stmt.sql
    );
}

/// A transaction where the planner must use an index if it can, and HNSW searches are exact
/// (ef_search ≥ rows visits the whole graph).
async fn exact_index_txn(db: &DatabaseConnection) -> DatabaseTransaction {
    let txn = db.begin().await.unwrap();
    for set in [
        "SET LOCAL enable_seqscan = off",
        "SET LOCAL hnsw.ef_search = 1000",
    ] {
        txn.execute_unprepared(set).await.unwrap();
    }
    txn
}

/// Runs both forms of a generated query: checks the plan of each, that both return the same
/// rows, and hands back `(row, distance)` pairs.
macro_rules! run_nearest {
    ($txn:expr, $entity:ty, $nearest:ident, $with_distance:ident, $query:expr, $index:expr) => {{
        let q = $query;
        let plain = <$entity>::$nearest(q.clone(), K);
        assert_uses_index($txn, plain.build(DbBackend::Postgres), $index).await;
        let with = <$entity>::$with_distance(q.clone(), K);
        assert_uses_index($txn, with.into_statement(DbBackend::Postgres), $index).await;
        let rows = plain.all($txn).await.unwrap();
        let neighbors: Vec<Neighbor<_>> = <$entity>::$with_distance(q, K).all($txn).await.unwrap();
        assert_eq!(
            neighbors
                .iter()
                .map(|n| n.model.clone())
                .collect::<Vec<_>>(),
            rows,
            "{}: with_distance returns other rows",
            $index
        );
        neighbors
    }};
}

#[tokio::test(flavor = "multi_thread")]
async fn every_nearest_query_uses_its_index_and_matches_brute_force() {
    const DOCS: u128 = 120;
    const CHUNKS: i32 = 300;
    const EVENTS: usize = 300;
    let (_test_db, db) = setup().await;
    let mut rng = Rng(42);
    let (tenant, collection) = tenant_and_collection(&db).await;

    // Documents: a 3072-dim vector searched through the halfvec expression index; every tenth
    // has none.
    let mut large: HashMap<Uuid, Vec<f32>> = HashMap::new();
    for n in 0..DOCS {
        let id = Uuid::from_u128(n + 1);
        let v = (n % 10 != 9).then(|| rng.dense(3072));
        if let Some(v) = &v {
            large.insert(id, v.clone());
        }
        documents::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.id),
            collection_id: Set(collection.id),
            status: Set(DocStatus::Draft),
            title: Set(format!("Document {n}")),
            body: Set("text".into()),
            embedding_large: Set(v.as_deref().map(pg)),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }

    // Chunks: dense, sparse and bit columns, with some NULLs in each.
    type ChunkKey = (Uuid, i32);
    let mut dense: HashMap<ChunkKey, Vec<f32>> = HashMap::new();
    let mut sparse: HashMap<ChunkKey, Vec<f32>> = HashMap::new();
    let mut sigs: HashMap<ChunkKey, Vec<bool>> = HashMap::new();
    for n in 0..CHUNKS {
        let key = (Uuid::from_u128(n as u128 % DOCS + 1), n);
        let e = (n % 11 != 0).then(|| rng.dense(1536));
        let s = (n % 13 != 0).then(|| rng.sparse(30522, 64, 8));
        let b = (n % 17 != 0).then(|| rng.bits(256));
        if let Some(e) = &e {
            dense.insert(key, e.clone());
        }
        if let Some(s) = &s {
            sparse.insert(key, s.to_dense());
        }
        if let Some(b) = &b {
            sigs.insert(key, b.to_bools());
        }
        chunks::ActiveModel {
            document_id: Set(key.0),
            ordinal: Set(key.1),
            content: Set(format!("chunk {n}")),
            token_count: Set(1 + n),
            embedding: Set(e.as_deref().map(pg)),
            sparse_embedding: Set(s),
            shingle_signature: Set(b),
        }
        .insert(&db)
        .await
        .unwrap();
    }

    // Search events: halfvec, searched through a partial index (only rows with feedback).
    let mut halves: HashMap<i64, Vec<f32>> = HashMap::new();
    for n in 0..EVENTS {
        let h = HalfVector::from_f32_slice(&rng.dense(1536));
        let feedback = match n % 3 {
            0 => None,
            1 => Some(AnalyticsFeedback::Helpful),
            _ => Some(AnalyticsFeedback::NotHelpful),
        };
        let has_feedback = feedback.is_some();
        let model = events::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant.id),
            query: Set(format!("query {n}")),
            query_embedding: Set(Some(h.clone())),
            top_chunk_ids: Set(vec![]),
            latency_ms: Set(Decimal::new(n as i64, 1)),
            feedback: Set(feedback),
            occurred_at: NotSet,
        }
        .insert(&db)
        .await
        .unwrap();
        if has_feedback {
            halves.insert(model.id, h.to_f32_vec());
        }
    }
    db.execute_unprepared("ANALYZE").await.unwrap();
    let txn = exact_index_txn(&db).await;

    // chunks_embedding_idx: vector, cosine.
    let q = rng.dense(1536);
    let got = run_nearest!(
        &txn,
        chunks::Entity,
        nearest_by_embedding,
        nearest_by_embedding_with_distance,
        pg(&q),
        "chunks_embedding_idx"
    );
    let brute = dense.iter().map(|(k, v)| (*k, cosine(v, &q))).collect();
    let got: Vec<(ChunkKey, f64)> = got
        .iter()
        .map(|n| ((n.model.document_id, n.model.ordinal), n.distance))
        .collect();
    assert_top_k("chunks_embedding_idx", &got, &brute);

    // chunks_embedding_bq_idx: binary quantisation of the vector, Hamming.
    let got = run_nearest!(
        &txn,
        chunks::Entity,
        nearest_by_embedding_bq,
        nearest_by_embedding_bq_with_distance,
        pg(&q),
        "chunks_embedding_bq_idx"
    );
    let qb = binary_quantize(&q);
    let brute = dense
        .iter()
        .map(|(k, v)| (*k, hamming(&binary_quantize(v), &qb)))
        .collect();
    let got: Vec<(ChunkKey, f64)> = got
        .iter()
        .map(|n| ((n.model.document_id, n.model.ordinal), n.distance))
        .collect();
    assert_top_k("chunks_embedding_bq_idx", &got, &brute);

    // chunks_sparse_idx: sparsevec, negative inner product.
    let qs = rng.sparse(30522, 64, 8);
    let qd = qs.to_dense();
    let got = run_nearest!(
        &txn,
        chunks::Entity,
        nearest_by_sparse,
        nearest_by_sparse_with_distance,
        qs,
        "chunks_sparse_idx"
    );
    let brute = sparse
        .iter()
        .map(|(k, v)| (*k, neg_inner_product(v, &qd)))
        .collect();
    let got: Vec<(ChunkKey, f64)> = got
        .iter()
        .map(|n| ((n.model.document_id, n.model.ordinal), n.distance))
        .collect();
    assert_top_k("chunks_sparse_idx", &got, &brute);

    // chunks_shingle_signature_idx: bit, Jaccard.
    let qbits = rng.bits(256);
    let qv = qbits.to_bools();
    let got = run_nearest!(
        &txn,
        chunks::Entity,
        nearest_by_shingle_signature,
        nearest_by_shingle_signature_with_distance,
        qbits,
        "chunks_shingle_signature_idx"
    );
    let brute = sigs.iter().map(|(k, v)| (*k, jaccard(v, &qv))).collect();
    let got: Vec<(ChunkKey, f64)> = got
        .iter()
        .map(|n| ((n.model.document_id, n.model.ordinal), n.distance))
        .collect();
    assert_top_k("chunks_shingle_signature_idx", &got, &brute);

    // documents_embedding_large_idx: expression index on a halfvec cast, cosine.
    let ql = rng.dense(3072);
    let got = run_nearest!(
        &txn,
        documents::Entity,
        nearest_by_embedding_large,
        nearest_by_embedding_large_with_distance,
        pg(&ql),
        "documents_embedding_large_idx"
    );
    let half = |v: &[f32]| HalfVector::from_f32_slice(v).to_f32_vec();
    let qh = half(&ql);
    let brute = large
        .iter()
        .map(|(k, v)| (*k, cosine(&half(v), &qh)))
        .collect();
    let got: Vec<(Uuid, f64)> = got.iter().map(|n| (n.model.id, n.distance)).collect();
    assert_top_k("documents_embedding_large_idx", &got, &brute);

    // search_events_embedding_idx: halfvec, L2, partial (feedback IS NOT NULL).
    let qe = HalfVector::from_f32_slice(&rng.dense(1536));
    let qef = qe.to_f32_vec();
    let got = run_nearest!(
        &txn,
        events::Entity,
        nearest_by_embedding,
        nearest_by_embedding_with_distance,
        qe,
        "search_events_embedding_idx"
    );
    assert!(got.iter().all(|n| n.model.feedback.is_some()));
    let brute = halves.iter().map(|(k, v)| (*k, l2(v, &qef))).collect();
    let got: Vec<(i64, f64)> = got.iter().map(|n| (n.model.id, n.distance)).collect();
    assert_top_k("search_events_embedding_idx", &got, &brute);

    txn.rollback().await.unwrap();
}

#[test]
fn the_live_test_covers_every_generated_nearest_query() {
    // Six vector indexes in schemas/ → six `nearest_by_*` and six `*_with_distance` methods, all
    // called above; a new vector index in the example must get its own check there.
    let mut methods = Vec::new();
    for entry in std::fs::read_dir("entity/src").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.trim().strip_prefix("pub fn nearest_by_") {
                methods.push(rest.split('(').next().unwrap_or_default().to_string());
            }
        }
    }
    methods.sort();
    assert_eq!(
        methods,
        [
            "embedding",
            "embedding",
            "embedding_bq",
            "embedding_bq_with_distance",
            "embedding_large",
            "embedding_large_with_distance",
            "embedding_with_distance",
            "embedding_with_distance",
            "shingle_signature",
            "shingle_signature_with_distance",
            "sparse",
            "sparse_with_distance",
        ]
    );
}

/// Views with `key:` get read-only entities: rows come back through them with the declared
/// types (a NULL where the spec says `?`), lookups by the key work, and saving or deleting
/// through them fails before any SQL is sent.
#[tokio::test(flavor = "multi_thread")]
async fn views_with_a_key_read_through_their_entities_and_refuse_writes() {
    let (_test_db, db) = setup().await;
    let (tenant, collection) = tenant_and_collection(&db).await;
    for (n, status) in [(1u128, DocStatus::Published), (2, DocStatus::Draft)] {
        documents::ActiveModel {
            id: Set(Uuid::from_u128(n)),
            tenant_id: Set(tenant.id),
            collection_id: Set(collection.id),
            status: Set(status),
            title: Set(format!("Document {n}")),
            body: Set("text".into()),
            source_url: Set(None),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }
    let published = published_documents::Entity::find().all(&db).await.unwrap();
    assert_eq!(published.len(), 1, "{published:?}");
    let row = &published[0];
    assert_eq!(row.id, Uuid::from_u128(1));
    assert_eq!(row.title, "Document 1");
    assert_eq!(row.source_url, None);
    assert_eq!(
        published_documents::Entity::find_by_id(Uuid::from_u128(2))
            .one(&db)
            .await
            .unwrap(),
        None,
        "a draft is not published"
    );

    db.execute_unprepared("REFRESH MATERIALIZED VIEW collection_stats")
        .await
        .unwrap();
    let stats = collection_stats::Entity::find_by_id((tenant.id, collection.id))
        .one(&db)
        .await
        .unwrap()
        .expect("a row per collection");
    assert_eq!((stats.documents, stats.embedded_chunks), (2, 0));
    let filtered = collection_stats::Entity::find()
        .filter(collection_stats::Column::Documents.gt(1))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(filtered, vec![stats.clone()]);

    let mut edit = row.clone().into_active_model();
    edit.title = Set("Renamed".into());
    let err = edit
        .update(&db)
        .await
        .expect_err("a view entity never writes");
    assert!(err.to_string().contains("read-only"), "{err}");
    let err = stats
        .into_active_model()
        .delete(&db)
        .await
        .expect_err("a view entity never deletes");
    assert!(
        err.to_string()
            .contains("materialized view collection_stats is read-only"),
        "{err}"
    );
    // Nothing reached the database.
    let title: String = published_documents::Entity::find_by_id(Uuid::from_u128(1))
        .one(&db)
        .await
        .unwrap()
        .expect("still there")
        .title;
    assert_eq!(title, "Document 1");
}

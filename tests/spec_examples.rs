//! The example `schemas/` must load with no diagnostics, into exactly the model it describes.

use std::path::Path;

use tidemark::model::*;

fn load() -> Schema {
    match tidemark::spec::load(Path::new("schemas")) {
        Ok(l) => {
            assert_eq!(l.files.len(), 7, "{:?}", l.files);
            assert!(l.files.iter().all(|f| f.starts_with("schemas/")));
            l.schema
        }
        Err(d) => panic!("schemas/ must load:\n{}", d.render_human()),
    }
}

fn table<'a>(s: &'a Schema, schema: &str, name: &str) -> &'a Table {
    s.table(&QualifiedName::new(schema, name))
        .unwrap_or_else(|| panic!("table {schema}.{name}"))
}

fn index<'a>(t: &'a Table, name: &str) -> &'a Index {
    t.indexes
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("index {name}"))
}

#[test]
fn objects_and_namespaces() {
    let s = load();
    let names: Vec<String> = s.tables.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(
        names,
        [
            "analytics.search_events",
            "chunks",
            "collections",
            "documents",
            "tenants"
        ]
    );
    let enums: Vec<String> = s.enums.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(enums, ["analytics.feedback", "doc_status", "plan_tier"]);
    let exts: Vec<&str> = s.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(exts, ["vector"]);
    assert!(
        s.extensions
            .iter()
            .all(|e| e.schema.is_none() && e.version.is_none())
    );
    assert_eq!(
        s.namespaces,
        [Namespace {
            name: "analytics".into(),
            comment: None
        }]
    );
    let status = s
        .enum_type(&QualifiedName::public("doc_status"))
        .expect("doc_status");
    assert_eq!(status.values, ["draft", "published", "archived"]);
    assert!(
        status
            .comment
            .as_deref()
            .unwrap_or("")
            .starts_with("Lifecycle")
    );
}

#[test]
fn tenants_columns_and_derived_names() {
    let s = load();
    let t = table(&s, "public", "tenants");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        ["id", "slug", "name", "tier", "settings", "created_at"]
    );
    let id = t.column("id").expect("id");
    assert_eq!(id.ty, ColumnType::BigInt);
    assert_eq!(
        id.identity.as_ref().map(|i| (i.kind, i.sequence.as_str())),
        Some((IdentityKind::Always, "tenants_id_seq")),
        "an identity sequence gets PostgreSQL's derived name"
    );
    assert!(!id.nullable);
    assert_eq!(
        t.primary_key,
        Some(PrimaryKey {
            name: "tenants_pkey".into(),
            columns: vec!["id".into()],
            ..Default::default()
        })
    );
    assert_eq!(t.uniques.len(), 1);
    assert_eq!(t.uniques[0].name, "tenants_slug_key");
    assert_eq!(t.checks[0].name, "tenants_slug_check");
    assert_eq!(t.checks[0].expr, "slug ~ '^[a-z0-9-]+$'");
    let tier = t.column("tier").expect("tier");
    assert_eq!(
        tier.ty,
        ColumnType::Enum(QualifiedName::public("plan_tier"))
    );
    assert_eq!(tier.default, Some(DefaultValue::Text("free".into())));
    assert_eq!(
        t.column("created_at").and_then(|c| c.default.clone()),
        Some(DefaultValue::Expr("now()".into()))
    );
    assert_eq!(
        t.column("created_at").map(|c| c.ty.clone()),
        Some(ColumnType::Timestamp {
            precision: None,
            with_time_zone: true
        })
    );
}

#[test]
fn chunks_vector_indexes() {
    let s = load();
    let t = table(&s, "public", "chunks");
    let emb = t.column("embedding").expect("embedding");
    assert_eq!(emb.ty, ColumnType::Vector(Some(1536)));
    assert!(emb.nullable);
    assert_eq!(emb.comment.as_deref(), Some("Dense embedding of content."));
    assert_eq!(
        t.column("sparse_embedding").map(|c| &c.ty),
        Some(&ColumnType::SparseVec(Some(30522)))
    );
    assert_eq!(
        t.primary_key
            .as_ref()
            .map(|p| (p.name.as_str(), p.columns.clone())),
        Some(("chunks_pkey", vec!["document_id".into(), "ordinal".into()]))
    );
    let hnsw = index(t, "chunks_embedding_idx");
    assert_eq!(hnsw.method, IndexMethod::Hnsw);
    assert_eq!(hnsw.keys.len(), 1);
    assert_eq!(hnsw.keys[0].target, IndexTarget::Column("embedding".into()));
    assert_eq!(hnsw.keys[0].opclass.as_deref(), Some("vector_cosine_ops"));
    assert_eq!(
        hnsw.options,
        IndexOptions(vec![
            ("m".to_string(), "24".to_string()),
            ("ef_construction".to_string(), "100".to_string()),
        ])
    );
    let bq = index(t, "chunks_embedding_bq_idx");
    assert_eq!(
        bq.keys[0].target,
        IndexTarget::Expr("binary_quantize(embedding)::bit(1536)".into())
    );
    assert_eq!(bq.keys[0].opclass.as_deref(), Some("bit_hamming_ops"));
    assert!(bq.options.is_empty());
    let sp = index(t, "chunks_sparse_idx");
    assert_eq!(sp.keys[0].opclass.as_deref(), Some("sparsevec_ip_ops"));
    let fk = &t.foreign_keys[0];
    assert_eq!(fk.name, "chunks_document_id_fkey");
    assert_eq!(fk.ref_table, QualifiedName::public("documents"));
    assert_eq!(fk.ref_columns, ["id"]);
    assert_eq!(fk.on_delete, FkAction::Cascade);
    let checks: Vec<&str> = t.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        checks,
        ["chunks_ordinal_check", "chunks_token_count_positive"]
    );
}

#[test]
fn documents_and_collections() {
    let s = load();
    let d = table(&s, "public", "documents");
    assert_eq!(
        d.column("status").map(|c| (&c.ty, &c.default)),
        Some((
            &ColumnType::Enum(QualifiedName::public("doc_status")),
            &Some(DefaultValue::Text("draft".into()))
        ))
    );
    assert_eq!(
        d.column("metadata").and_then(|c| c.default.clone()),
        Some(DefaultValue::Text("{}".into()))
    );
    assert_eq!(
        d.column("body_tsv")
            .and_then(|c| c.generated.clone())
            .as_deref(),
        Some("to_tsvector('english', title || ' ' || body)")
    );
    let fk = d
        .foreign_keys
        .iter()
        .find(|f| f.name == "documents_collection_fkey")
        .expect("composite fk");
    assert_eq!(fk.columns, ["tenant_id", "collection_id"]);
    assert_eq!(fk.ref_table, QualifiedName::public("collections"));
    assert_eq!(fk.ref_columns, ["tenant_id", "id"]);
    let large = index(d, "documents_embedding_large_idx");
    assert_eq!(
        large.keys[0].target,
        IndexTarget::Expr("embedding_large::halfvec(3072)".into())
    );
    assert_eq!(large.keys[0].opclass.as_deref(), Some("halfvec_cosine_ops"));
    let open = index(d, "documents_open_idx");
    assert_eq!(open.method, IndexMethod::Btree);
    assert_eq!(open.predicate.as_deref(), Some("status <> 'archived'"));
    let recent = index(d, "documents_recent_idx");
    assert_eq!(recent.keys[1].order, SortOrder::Desc);
    assert_eq!(recent.keys[1].nulls, None);
    assert_eq!(index(d, "documents_body_tsv_idx").method, IndexMethod::Gin);

    let c = table(&s, "public", "collections");
    assert_eq!(
        c.column("id")
            .and_then(|c| c.identity.as_ref().map(|i| i.kind)),
        Some(IdentityKind::ByDefault)
    );
    assert_eq!(
        c.column("name").map(|c| &c.ty),
        Some(&ColumnType::Varchar(Some(200)))
    );
    assert_eq!(c.uniques[0].name, "collections_tenant_name_key");
    assert_eq!(c.foreign_keys[0].name, "collections_tenant_id_fkey");
}

#[test]
fn analytics_resolves_enums_and_tables_across_schemas() {
    let s = load();
    let e = table(&s, "analytics", "search_events");
    assert_eq!(
        e.column("feedback").map(|c| (&c.ty, c.nullable)),
        Some((
            &ColumnType::Enum(QualifiedName::new("analytics", "feedback")),
            true
        ))
    );
    assert_eq!(
        e.column("top_chunk_ids").map(|c| &c.ty),
        Some(&ColumnType::Array(Box::new(ColumnType::Integer)))
    );
    assert_eq!(
        e.column("latency_ms").map(|c| &c.ty),
        Some(&ColumnType::Numeric {
            precision: Some(10),
            scale: Some(3)
        })
    );
    assert_eq!(
        e.foreign_keys[0].ref_table,
        QualifiedName::public("tenants")
    );
    assert_eq!(e.foreign_keys[0].name, "search_events_tenant_id_fkey");
    assert_eq!(e.checks[0].name, "search_events_latency_ms_check");
    let ix = index(e, "search_events_embedding_idx");
    assert_eq!(ix.predicate.as_deref(), Some("feedback IS NOT NULL"));
    assert_eq!(ix.keys[0].opclass.as_deref(), Some("halfvec_l2_ops"));
    let tt = index(e, "search_events_tenant_time_idx");
    assert_eq!(tt.include, ["feedback"]);
    assert_eq!(tt.keys[1].order, SortOrder::Desc);
}

#[test]
fn views_functions_and_triggers() {
    let s = load();
    let view = s
        .view(&QualifiedName::public("published_documents"))
        .expect("view");
    assert!(!view.materialized && view.security_invoker);
    assert!(view.query.starts_with("SELECT id, tenant_id"));
    assert!(view.depends_on.contains(&ObjectRef::column(
        &QualifiedName::public("documents"),
        "status"
    )));
    let stats = s
        .view(&QualifiedName::public("collection_stats"))
        .expect("materialized view");
    assert!(stats.materialized && stats.with_data);
    assert_eq!(stats.indexes.len(), 1);
    assert!(stats.indexes[0].unique);

    let matcher = s
        .function(
            &QualifiedName::public("match_chunks"),
            "query_embedding vector(1536), match_count integer",
        )
        .expect("match_chunks, keyed by its arguments without defaults");
    assert_eq!(matcher.volatility, Volatility::Stable);
    assert_eq!(matcher.parallel, Parallel::Safe);
    assert!(matcher.args.ends_with("DEFAULT 10"));
    assert!(
        matcher
            .depends_on
            .contains(&ObjectRef::Table(QualifiedName::public("chunks")))
    );
    let trigger = s
        .trigger(
            &QualifiedName::public("documents"),
            "documents_set_updated_at",
        )
        .expect("trigger");
    assert_eq!(trigger.timing, TriggerTiming::Before);
    assert_eq!(trigger.events, vec![TriggerEvent::Update]);
    assert_eq!(trigger.function, QualifiedName::public("set_updated_at"));
    assert_eq!(trigger.update_of.len(), 5);
}

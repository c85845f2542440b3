//! Compact builders for `model::Schema` values, so DDL tests read like the YAML they mirror.
#![allow(dead_code)]

use tidemark::model::*;

pub fn q(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

pub fn col(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable: false,
        default: None,
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

pub trait ColumnExt {
    fn null(self) -> Self;
    fn default(self, d: DefaultValue) -> Self;
    /// An identity column of `kind` with PostgreSQL's default options; the sequence is named
    /// `<column>_seq` (tests that need PostgreSQL's derived name set it themselves).
    fn identity(self, kind: IdentityKind) -> Self;
    fn generated(self, expr: &str) -> Self;
    fn comment(self, c: &str) -> Self;
}

impl ColumnExt for Column {
    fn null(mut self) -> Self {
        self.nullable = true;
        self
    }
    fn default(mut self, d: DefaultValue) -> Self {
        self.default = Some(d);
        self
    }
    fn identity(mut self, kind: IdentityKind) -> Self {
        let data_type = SequenceType::of_column(&self.ty).unwrap_or(SequenceType::BigInt);
        self.identity = Some(Identity {
            kind,
            sequence: format!("{}_seq", self.name),
            options: SequenceOptions::defaults(data_type, 1),
        });
        self
    }
    fn generated(mut self, expr: &str) -> Self {
        self.generated = Some(expr.into());
        self
    }
    fn comment(mut self, c: &str) -> Self {
        self.comment = Some(c.into());
        self
    }
}

pub fn text(s: &str) -> DefaultValue {
    DefaultValue::Text(s.into())
}

pub fn expr(s: &str) -> DefaultValue {
    DefaultValue::Expr(s.into())
}

pub fn timestamptz() -> ColumnType {
    ColumnType::Timestamp {
        precision: None,
        with_time_zone: true,
    }
}

fn names(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| c.to_string()).collect()
}

pub fn table(name: QualifiedName, columns: Vec<Column>) -> Table {
    Table {
        columns,
        ..Table::named(name)
    }
}

pub trait TableExt {
    fn pk(self, name: &str, cols: &[&str]) -> Self;
    fn unique(self, u: Unique) -> Self;
    fn check(self, name: &str, expr: &str) -> Self;
    fn fk(self, fk: ForeignKey) -> Self;
    fn index(self, i: Index) -> Self;
    fn comment(self, c: &str) -> Self;
}

impl TableExt for Table {
    fn pk(mut self, name: &str, cols: &[&str]) -> Self {
        self.primary_key = Some(PrimaryKey {
            name: name.into(),
            columns: names(cols),
            ..Default::default()
        });
        self
    }
    fn unique(mut self, u: Unique) -> Self {
        self.uniques.push(u);
        self
    }
    fn check(mut self, name: &str, expr: &str) -> Self {
        self.checks.push(Check {
            name: name.into(),
            expr: expr.into(),
            ..Default::default()
        });
        self
    }
    fn fk(mut self, fk: ForeignKey) -> Self {
        self.foreign_keys.push(fk);
        self
    }
    fn index(mut self, i: Index) -> Self {
        self.indexes.push(i);
        self
    }
    fn comment(mut self, c: &str) -> Self {
        self.comment = Some(c.into());
        self
    }
}

pub fn unique(name: &str, cols: &[&str]) -> Unique {
    Unique {
        name: name.into(),
        columns: names(cols),
        nulls_not_distinct: false,
        deferrable: Deferrable::NotDeferrable,
        ..Default::default()
    }
}

pub fn fk(name: &str, cols: &[&str], ref_table: QualifiedName, ref_cols: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: names(cols),
        ref_table,
        ref_columns: names(ref_cols),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: Deferrable::NotDeferrable,
        ..Default::default()
    }
}

pub fn on_delete(mut f: ForeignKey, a: FkAction) -> ForeignKey {
    f.on_delete = a;
    f
}

pub fn key(column: &str) -> IndexKey {
    IndexKey {
        target: IndexTarget::Column(column.into()),
        opclass: None,
        order: SortOrder::Asc,
        nulls: None,
        collation: None,
        opclass_params: Default::default(),
    }
}

pub fn expr_key(e: &str) -> IndexKey {
    IndexKey {
        target: IndexTarget::Expr(e.into()),
        ..key("")
    }
}

pub fn ops(mut k: IndexKey, opclass: &str) -> IndexKey {
    k.opclass = Some(opclass.into());
    k
}

pub fn desc(mut k: IndexKey) -> IndexKey {
    k.order = SortOrder::Desc;
    k
}

pub fn index(name: &str, method: IndexMethod, keys: Vec<IndexKey>) -> Index {
    Index {
        name: name.into(),
        method,
        keys,
        include: vec![],
        unique: false,
        nulls_not_distinct: false,
        predicate: None,
        options: IndexOptions::default(),
        comment: None,
    }
}

pub fn with(mut i: Index, opts: &[(&str, &str)]) -> Index {
    i.options = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    i
}

pub fn where_(mut i: Index, predicate: &str) -> Index {
    i.predicate = Some(predicate.into());
    i
}

pub fn enum_(name: QualifiedName, values: &[&str]) -> Enum {
    Enum {
        name,
        values: names(values),
        comment: None,
    }
}

pub fn extension(name: &str) -> Extension {
    Extension {
        name: name.into(),
        schema: None,
        version: None,
    }
}

/// The repository's example (`schemas/*.yaml`), as `spec::lower` is specified to produce it:
/// derived names resolved the way PostgreSQL derives them, expressions without the outer
/// parentheses of an index key.
pub fn example_schema() -> Schema {
    use ColumnType as T;
    use IndexMethod::*;
    let public = |n: &str| q("public", n);
    let tenants = table(
        public("tenants"),
        vec![
            col("id", T::BigInt).identity(IdentityKind::Always),
            col("slug", T::Text),
            col("name", T::Text),
            col("tier", T::Enum(public("plan_tier"))).default(text("free")),
            col("settings", T::Jsonb).default(text("{}")),
            col("created_at", timestamptz()).default(expr("now()")),
        ],
    )
    .pk("tenants_pkey", &["id"])
    .unique(unique("tenants_slug_key", &["slug"]))
    .check("tenants_slug_check", "slug ~ '^[a-z0-9-]+$'")
    .comment("One row per customer organisation; every other row belongs to a tenant.");

    let collections = table(
        public("collections"),
        vec![
            col("tenant_id", T::BigInt),
            col("id", T::BigInt).identity(IdentityKind::ByDefault),
            col("name", T::Varchar(Some(200))),
            col("description", T::Text).null(),
            col("embedding_model", T::Text).default(text("text-embedding-3-small")),
        ],
    )
    .pk("collections_pkey", &["tenant_id", "id"])
    .unique(unique(
        "collections_tenant_name_key",
        &["tenant_id", "name"],
    ))
    .fk(on_delete(
        fk(
            "collections_tenant_id_fkey",
            &["tenant_id"],
            public("tenants"),
            &["id"],
        ),
        FkAction::Cascade,
    ))
    .comment("A named set of documents searched together, such as one product's manuals.");

    let documents = table(
        public("documents"),
        vec![
            col("id", T::Uuid).default(expr("gen_random_uuid()")),
            col("tenant_id", T::BigInt),
            col("collection_id", T::BigInt),
            col("status", T::Enum(public("doc_status"))).default(text("draft")),
            col("title", T::Text),
            col("body", T::Text),
            col("source_url", T::Text).null(),
            col("metadata", T::Jsonb).default(text("{}")),
            col("body_tsv", T::Tsvector)
                .generated("to_tsvector('english', title || ' ' || body)")
                .comment("Full-text search vector over title and body."),
            col("embedding_large", T::Vector(Some(3072))).null(),
            col("created_at", timestamptz()).default(expr("now()")),
        ],
    )
    .pk("documents_pkey", &["id"])
    .fk(on_delete(
        fk(
            "documents_collection_fkey",
            &["tenant_id", "collection_id"],
            public("collections"),
            &["tenant_id", "id"],
        ),
        FkAction::Cascade,
    ))
    .index(index("documents_body_tsv_idx", Gin, vec![key("body_tsv")]))
    .index(where_(
        index(
            "documents_open_idx",
            Btree,
            vec![key("tenant_id"), key("status")],
        ),
        "status <> 'archived'",
    ))
    .index(index(
        "documents_recent_idx",
        Btree,
        vec![key("tenant_id"), desc(key("created_at"))],
    ))
    .index(index(
        "documents_embedding_large_idx",
        Hnsw,
        vec![ops(
            expr_key("embedding_large::halfvec(3072)"),
            "halfvec_cosine_ops",
        )],
    ))
    .comment("One row per uploaded file.");

    let chunks = table(
        public("chunks"),
        vec![
            col("document_id", T::Uuid),
            col("ordinal", T::Integer),
            col("content", T::Text),
            col("token_count", T::Integer),
            col("embedding", T::Vector(Some(1536)))
                .null()
                .comment("Dense embedding of content."),
            col("sparse_embedding", T::SparseVec(Some(30522))).null(),
        ],
    )
    .pk("chunks_pkey", &["document_id", "ordinal"])
    .check("chunks_ordinal_check", "ordinal >= 0")
    .check("chunks_token_count_positive", "token_count > 0")
    .fk(on_delete(
        fk(
            "chunks_document_id_fkey",
            &["document_id"],
            public("documents"),
            &["id"],
        ),
        FkAction::Cascade,
    ))
    .index(with(
        index(
            "chunks_embedding_idx",
            Hnsw,
            vec![ops(key("embedding"), "vector_cosine_ops")],
        ),
        &[("m", "24"), ("ef_construction", "100")],
    ))
    .index(index(
        "chunks_embedding_bq_idx",
        Hnsw,
        vec![ops(
            expr_key("binary_quantize(embedding)::bit(1536)"),
            "bit_hamming_ops",
        )],
    ))
    .index(index(
        "chunks_sparse_idx",
        Hnsw,
        vec![ops(key("sparse_embedding"), "sparsevec_ip_ops")],
    ))
    .comment("Retrieval units cut from a document, each with its embeddings.");

    let analytics = |n: &str| q("analytics", n);
    let mut tenant_time = index(
        "search_events_tenant_time_idx",
        Btree,
        vec![key("tenant_id"), desc(key("occurred_at"))],
    );
    tenant_time.include = vec!["feedback".into()];
    let search_events = table(
        analytics("search_events"),
        vec![
            col("id", T::BigInt).identity(IdentityKind::Always),
            col("tenant_id", T::BigInt),
            col("query", T::Text),
            col("query_embedding", T::HalfVec(Some(1536))).null(),
            col("top_chunk_ids", T::Array(Box::new(T::Integer))).default(text("{}")),
            col(
                "latency_ms",
                T::Numeric {
                    precision: Some(10),
                    scale: Some(3),
                },
            ),
            col("feedback", T::Enum(analytics("feedback"))).null(),
            col("occurred_at", timestamptz()).default(expr("now()")),
        ],
    )
    .pk("search_events_pkey", &["id"])
    .check("search_events_latency_ms_check", "latency_ms >= 0")
    .fk(on_delete(
        fk(
            "search_events_tenant_id_fkey",
            &["tenant_id"],
            public("tenants"),
            &["id"],
        ),
        FkAction::Cascade,
    ))
    .index(tenant_time)
    .index(where_(
        index(
            "search_events_embedding_idx",
            Hnsw,
            vec![ops(key("query_embedding"), "halfvec_l2_ops")],
        ),
        "feedback IS NOT NULL",
    ))
    .comment("One row per retrieval query, for offline evaluation of search quality.");

    let mut doc_status = enum_(public("doc_status"), &["draft", "published", "archived"]);
    doc_status.comment =
        Some("Lifecycle of a document; archived documents are kept but never retrieved.".into());

    let mut schema = Schema {
        extensions: vec![extension("vector")],
        namespaces: vec![Namespace {
            name: "analytics".into(),
            comment: None,
        }],
        enums: vec![
            enum_(analytics("feedback"), &["helpful", "not_helpful"]),
            doc_status,
            enum_(public("plan_tier"), &["free", "team", "enterprise"]),
        ],
        sequences: vec![],
        tables: vec![tenants, collections, documents, chunks, search_events],
        views: vec![],
        functions: vec![],
        triggers: vec![],
        row_security: vec![],
        policies: vec![],
        types: vec![],
        grants: vec![],
        public_comment: None,
    };
    derive_identity_names(&mut schema);
    schema.normalize();
    schema
}

/// Names every identity sequence as PostgreSQL derives it (`<table>_<column>_seq`).
pub fn derive_identity_names(schema: &mut Schema) {
    for t in &mut schema.tables {
        for c in &mut t.columns {
            if let Some(i) = &mut c.identity {
                i.sequence = tidemark::spec::names::make_object_name(
                    &t.name.name,
                    Some(&c.name),
                    Some("seq"),
                );
            }
        }
    }
}

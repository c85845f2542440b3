//! Introspection of hand-written DDL for everything the model holds besides pgvector: every
//! built-in type, defaults, identity, generated columns, constraints of every kind, btree keys,
//! enums and comments across schemas, and the filters of `IntrospectOptions`.

mod introspect_support;

use introspect_support::{KITCHEN_SINK, db_with};
use sqlx::AssertSqlSafe;
use tidemark::introspect::{CATALOG_QUERIES, IntrospectOptions, introspect, introspect_with_stats};
use tidemark::model::*;
use tidemark_test_support::TestDatabase;

async fn kitchen_sink() -> (TestDatabase, Schema) {
    let db = db_with(KITCHEN_SINK).await;
    let schema = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    (db, schema)
}

#[tokio::test]
async fn kitchen_sink_snapshot() {
    let (_db, schema) = kitchen_sink().await;
    insta::assert_debug_snapshot!(schema);
}

#[tokio::test]
async fn built_in_types_and_defaults_map_exactly() {
    use ColumnType as T;
    use DefaultValue as D;
    let (_db, schema) = kitchen_sink().await;
    let t = schema.table(&QualifiedName::public("every_type")).unwrap();
    let col = |n: &str| t.column(n).unwrap_or_else(|| panic!("no column {n}"));
    let ty = |n: &str| col(n).ty.clone();
    let default = |n: &str| col(n).default.clone();

    assert_eq!(t.columns.len(), 40, "physical order, all columns");
    assert_eq!(t.columns[0].name, "c_smallint");
    assert_eq!(
        ty("c_numeric_p"),
        T::Numeric {
            precision: Some(12),
            scale: None
        }
    );
    assert_eq!(
        ty("c_numeric_ps"),
        T::Numeric {
            precision: Some(12),
            scale: Some(2)
        }
    );
    assert_eq!(
        ty("c_numeric"),
        T::Numeric {
            precision: None,
            scale: None
        }
    );
    assert_eq!(ty("c_varchar"), T::Varchar(None));
    assert_eq!(ty("c_varchar_n"), T::Varchar(Some(40)));
    assert_eq!(
        ty("c_char"),
        T::Char(Some(1)),
        "char without length is char(1)"
    );
    assert_eq!(ty("c_char_n"), T::Char(Some(2)));
    assert_eq!(
        ty("c_time"),
        T::Time {
            precision: None,
            with_time_zone: false
        }
    );
    assert_eq!(
        ty("c_timetz_3"),
        T::Time {
            precision: Some(3),
            with_time_zone: true
        }
    );
    assert_eq!(
        ty("c_timestamp_6"),
        T::Timestamp {
            precision: Some(6),
            with_time_zone: false
        }
    );
    assert_eq!(
        ty("c_timestamptz"),
        T::Timestamp {
            precision: None,
            with_time_zone: true
        }
    );
    assert_eq!(ty("c_bit"), T::Bit(Some(64)));
    assert_eq!(ty("c_varbit"), T::VarBit(Some(16)));
    assert_eq!(ty("c_status"), T::Enum(QualifiedName::public("doc_status")));
    let action = QualifiedName::new("Audit Trail", "action");
    assert_eq!(ty("c_action"), T::Enum(action.clone()));
    assert_eq!(ty("c_actions"), T::Array(Box::new(T::Enum(action))));
    assert_eq!(
        ty("c_matrix"),
        T::Array(Box::new(T::Array(Box::new(T::Integer))))
    );
    assert_eq!(ty("c_tags"), T::Array(Box::new(T::Text)));

    assert_eq!(default("c_smallint"), Some(D::Number("-1".into())));
    assert_eq!(default("c_integer"), Some(D::Number("42".into())));
    assert_eq!(default("c_real"), Some(D::Number("-1.5".into())));
    assert_eq!(default("c_numeric"), Some(D::Number("0".into())));
    assert_eq!(default("c_numeric_ps"), Some(D::Number("3.14".into())));
    assert_eq!(default("c_boolean"), Some(D::Bool(false)));
    assert_eq!(
        default("c_text"),
        Some(D::Text("it's a 'quote' and a \\ backslash".into()))
    );
    assert_eq!(default("c_varchar_n"), Some(D::Text("x".into())));
    assert_eq!(default("c_jsonb"), Some(D::Text("{\"a\": 1}".into())));
    assert_eq!(default("c_status"), Some(D::Text("draft".into())));
    assert_eq!(default("c_actions"), Some(D::Text("{}".into())));
    assert_eq!(default("c_date"), Some(D::Expr("CURRENT_DATE".into())));
    assert_eq!(default("c_timestamptz"), Some(D::Expr("now()".into())));
    assert_eq!(default("c_uuid"), Some(D::Expr("gen_random_uuid()".into())));
    assert_eq!(
        default("c_tags"),
        Some(D::Expr("ARRAY['a'::text, 'b'::text]".into()))
    );
    assert_eq!(default("c_sum"), Some(D::Expr("2 + 3".into())));

    let identity = col("c_bigint").identity.clone().expect("identity");
    assert_eq!(identity.kind, IdentityKind::ByDefault);
    assert_eq!(
        identity.options,
        SequenceOptions::defaults(SequenceType::BigInt, 1)
    );
    assert_eq!(col("c_bigint").default, None);
    assert!(!col("c_bigint").nullable, "identity implies NOT NULL");
    assert_eq!(
        col("c_tsvector").generated.as_deref(),
        Some("to_tsvector('simple'::regconfig, c_text)")
    );
    assert_eq!(col("c_tsvector").default, None);
    assert!(!col("c_boolean").nullable && col("c_double").nullable);
}

#[tokio::test]
async fn constraints_keys_and_comments() {
    let (_db, schema) = kitchen_sink().await;
    let tenants = schema.table(&QualifiedName::public("tenants")).unwrap();
    assert_eq!(
        tenants
            .column("id")
            .unwrap()
            .identity
            .as_ref()
            .map(|i| i.kind),
        Some(IdentityKind::Always)
    );
    assert_eq!(
        tenants.uniques,
        vec![Unique {
            name: "tenants_slug_key".into(),
            columns: vec!["slug".into()],
            nulls_not_distinct: true,
            deferrable: Deferrable::NotDeferrable,
            ..Default::default()
        }]
    );
    assert!(
        tenants.indexes.is_empty(),
        "constraint indexes are not indexes"
    );

    let collections = schema.table(&QualifiedName::public("collections")).unwrap();
    assert_eq!(
        collections.primary_key,
        Some(PrimaryKey {
            name: "collections_pk".into(),
            columns: vec!["tenant_id".into(), "id".into()],
            ..Default::default()
        })
    );
    assert_eq!(
        collections.uniques[0].deferrable,
        Deferrable::InitiallyDeferred
    );
    assert!(!collections.uniques[0].nulls_not_distinct);
    assert_eq!(
        collections.checks,
        vec![Check {
            name: "collections_name_nonempty".into(),
            expr: "length(name) > 0 AND name <> 'x'::text".into(),
            ..Default::default()
        }]
    );
    assert_eq!(
        collections.comment.as_deref(),
        Some("Named sets of \"documents\"; it's quoted")
    );
    assert_eq!(
        collections.column("name").unwrap().comment.as_deref(),
        Some("Shown in the UI")
    );
    assert_eq!(
        collections.foreign_keys,
        vec![ForeignKey {
            name: "collections_tenant_id_fkey".into(),
            columns: vec!["tenant_id".into()],
            ref_table: QualifiedName::public("tenants"),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            ..Default::default()
        }]
    );

    let documents = schema.table(&QualifiedName::public("documents")).unwrap();
    let fk = &documents.foreign_keys[0];
    assert_eq!(fk.columns, ["tenant_id", "collection_id"]);
    assert_eq!(fk.ref_columns, ["tenant_id", "id"]);
    assert_eq!(
        (fk.on_delete, fk.on_update, fk.deferrable),
        (
            FkAction::SetNull,
            FkAction::Restrict,
            Deferrable::InitiallyImmediate
        )
    );
    let names: Vec<&str> = documents.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "documents_fill_idx",
            "documents_lower_title_idx",
            "documents_nulls_idx",
            "documents_open_idx",
            "documents_recent_idx",
            "documents_title_hash_idx"
        ],
        "sorted by name, without documents_pkey and documents_title_key"
    );
    let ix = |n: &str| documents.indexes.iter().find(|i| i.name == n).unwrap();
    let open = ix("documents_open_idx");
    assert_eq!(
        open.predicate.as_deref(),
        Some("status <> 'archived'::doc_status")
    );
    assert_eq!(open.method, IndexMethod::Btree);
    let recent = ix("documents_recent_idx");
    assert_eq!(recent.keys[1].order, SortOrder::Desc);
    assert_eq!(recent.keys[1].nulls, None, "NULLS FIRST is DESC's default");
    assert_eq!(recent.comment.as_deref(), Some("Newest first"));
    let nulls = ix("documents_nulls_idx");
    assert_eq!(
        (nulls.keys[0].order, nulls.keys[0].nulls),
        (SortOrder::Asc, Some(NullsOrder::First))
    );
    assert_eq!(
        (nulls.keys[1].order, nulls.keys[1].nulls),
        (SortOrder::Desc, Some(NullsOrder::Last))
    );
    let lower = ix("documents_lower_title_idx");
    assert!(lower.unique && lower.nulls_not_distinct);
    assert_eq!(
        lower.keys[0].target,
        IndexTarget::Expr("lower(title)".into())
    );
    assert_eq!(lower.keys[0].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(lower.include, ["created_at"]);
    assert_eq!(ix("documents_title_hash_idx").method, IndexMethod::Hash);
    assert_eq!(ix("documents_title_hash_idx").keys[0].opclass, None);
    assert_eq!(
        ix("documents_fill_idx")
            .options
            .get("fillfactor")
            .map(String::as_str),
        Some("70")
    );

    let events = schema
        .table(&QualifiedName::new("Audit Trail", "events"))
        .unwrap();
    assert_eq!(events.primary_key, None);
    assert_eq!(events.foreign_keys[0].on_delete, FkAction::SetDefault);
    assert_eq!(events.foreign_keys[0].ref_columns, ["id"]);

    assert_eq!(
        schema.namespaces,
        vec![Namespace {
            name: "Audit Trail".into(),
            comment: Some("Where 'history' lives".into()),
        }]
    );
    assert_eq!(
        schema.enums,
        vec![
            Enum {
                name: QualifiedName::new("Audit Trail", "action"),
                values: vec!["insert".into(), "update".into(), "it's".into()],
                comment: Some("What happened".into()),
            },
            Enum {
                name: QualifiedName::public("doc_status"),
                values: vec!["draft".into(), "published".into(), "archived".into()],
                comment: None,
            },
        ]
    );
}

#[tokio::test]
async fn filters_leave_out_schemas_bookkeeping_ignored_and_extension_objects() {
    let db = db_with(
        "CREATE SCHEMA other;
         CREATE TABLE public.kept (id int);
         CREATE TABLE public.tidemark_history (id int PRIMARY KEY);
         CREATE INDEX tidemark_history_idx ON public.tidemark_history (id DESC);
         CREATE TABLE public.scratch_1 (id int);
         CREATE TABLE other.audit (id int);
         CREATE TYPE other.mood AS ENUM ('a');
         CREATE VIEW public.kept_view AS SELECT * FROM public.kept;
         CREATE EXTENSION pg_trgm;
         CREATE EXTENSION vector SCHEMA other;
         CREATE TABLE public.trgm_owned (id int);
         CREATE TYPE other.trgm_mood AS ENUM ('x');
         ALTER EXTENSION pg_trgm ADD TABLE public.trgm_owned;
         ALTER EXTENSION pg_trgm ADD TYPE other.trgm_mood;
         CREATE TABLE other.embeddings (e other.vector(3));",
    )
    .await;
    let names = |s: &Schema| {
        s.tables
            .iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };

    let all = introspect(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    assert_eq!(
        names(&all),
        [
            "other.audit",
            "other.embeddings",
            "kept",
            "scratch_1",
            "tidemark_history"
        ]
    );
    let embeddings = all
        .table(&QualifiedName::new("other", "embeddings"))
        .unwrap();
    assert_eq!(embeddings.columns[0].ty, ColumnType::Vector(Some(3)));
    let ext: Vec<_> = all
        .extensions
        .iter()
        .map(|e| (e.name.as_str(), e.schema.as_deref()))
        .collect();
    assert_eq!(ext, [("pg_trgm", None), ("vector", Some("other"))]);
    // Objects added to an extension belong to it, not to the schema.
    assert_eq!(all.enums.len(), 1);
    assert!(all.table(&QualifiedName::public("trgm_owned")).is_none());

    let filtered = introspect(
        db.pool(),
        &IntrospectOptions {
            schemas: Some(vec!["public".into()]),
            bookkeeping_prefix: Some("tidemark_".into()),
            ignore: vec!["scratch_*".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(names(&filtered), ["kept"]);
    assert!(filtered.enums.is_empty() && filtered.namespaces.is_empty());

    let only_other = introspect(
        db.pool(),
        &IntrospectOptions {
            schemas: Some(vec!["other".into()]),
            ignore: vec!["other.aud?t".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(&only_other), ["other.embeddings"]);
    assert_eq!(only_other.namespaces[0].name, "other");
    assert_eq!(
        only_other.enums[0].name,
        QualifiedName::new("other", "mood")
    );
}

#[tokio::test]
async fn unsupported_types_leave_the_table_out_and_are_reported_by_column() {
    // A column of a table's row type has no spec (a `point`, once reported the same way, is
    // now a type the model carries by name).
    let db = db_with(
        "CREATE TABLE ok (id int); CREATE TABLE shapes (id int, p ok); \
         CREATE TABLE places (id int, at point, during tstzrange[])",
    )
    .await;
    let read = introspect_with_stats(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    let names = |s: &Schema| {
        s.tables
            .iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&read.schema),
        ["ok", "places"],
        "the table is left out whole"
    );
    let places = &read.schema.tables[1];
    assert_eq!(
        tidemark::sql_ident::type_name(&places.columns[1].ty),
        "\"point\""
    );
    assert_eq!(
        tidemark::sql_ident::type_name(&places.columns[2].ty),
        "\"tstzrange\"[]"
    );
    let reported: Vec<String> = read.unmanaged.iter().map(|u| u.to_string()).collect();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].starts_with("column public.shapes.p: has type public.ok"),
        "{reported:?}"
    );
    assert!(
        read.unmanaged[0]
            .hint()
            .contains("--ignore 'public.shapes'")
    );
    // Ignoring the table makes the database fully readable.
    let ok = introspect_with_stats(
        db.pool(),
        &IntrospectOptions {
            ignore: vec!["sha?es".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(names(&ok.schema), ["ok", "places"]);
    assert!(ok.unmanaged.is_empty(), "{:?}", ok.unmanaged);
    assert_eq!(ok.stats.catalog_queries, CATALOG_QUERIES);
}

#[tokio::test]
async fn virtual_generated_columns_are_read_as_virtual() {
    let db = db_with(
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL, \
         c int GENERATED ALWAYS AS (a + 1) STORED);",
    )
    .await;
    let read = introspect_with_stats(db.pool(), &IntrospectOptions::default())
        .await
        .unwrap();
    assert!(read.unmanaged.is_empty(), "{:?}", read.unmanaged);
    let t = read.schema.table(&QualifiedName::public("t")).unwrap();
    let b = t.column("b").unwrap();
    assert_eq!(b.generated.as_deref(), Some("a * 2"));
    assert!(b.generated_virtual);
    let c = t.column("c").unwrap();
    assert_eq!(c.generated.as_deref(), Some("a + 1"));
    assert!(!c.generated_virtual);
}

#[tokio::test]
async fn expression_texts_do_not_depend_on_the_session_search_path() {
    let db = db_with(
        "CREATE SCHEMA other;
         CREATE TYPE other.mood AS ENUM ('a', 'b');
         CREATE TABLE public.t (m other.mood, n int);
         CREATE INDEX t_m_idx ON public.t (n) WHERE m <> 'a';",
    )
    .await;
    let mut conn = db.pool().acquire().await.unwrap();
    let mut predicates = Vec::new();
    for path in ["other, public", "public", "pg_catalog"] {
        sqlx::raw_sql(AssertSqlSafe(format!("SET search_path = {path}")))
            .execute(&mut *conn)
            .await
            .unwrap();
        let read =
            tidemark::introspect::introspect_connection(&mut conn, &IntrospectOptions::default())
                .await
                .unwrap();
        let t = read.schema.table(&QualifiedName::public("t")).unwrap();
        predicates.push(t.indexes[0].predicate.clone().unwrap());
        // The pinned setting was transaction-local: the session's own is back.
        let (now,): (String,) = sqlx::query_as("SHOW search_path")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(now, path);
    }
    assert_eq!(predicates, vec!["m <> 'a'::other.mood"; 3]);
}

#[tokio::test]
async fn a_connection_inside_a_transaction_is_refused_and_not_committed() {
    let db = db_with("CREATE TABLE t (id int);").await;
    let mut conn = db.pool().acquire().await.unwrap();
    // A transaction sqlx does not know about (raw BEGIN), with an uncommitted change.
    sqlx::raw_sql("BEGIN; INSERT INTO t VALUES (1)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let err = tidemark::introspect::introspect_connection(&mut conn, &IntrospectOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, tidemark::introspect::IntrospectError::InTransaction),
        "{err}"
    );
    assert!(err.to_string().contains("help:"));
    // The caller's insert was not committed by introspection.
    let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM t")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // A transaction sqlx started itself is refused before anything is sent.
    let mut conn = db.pool().acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    let err = tidemark::introspect::introspect_connection(&mut tx, &IntrospectOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, tidemark::introspect::IntrospectError::InTransaction),
        "{err}"
    );
}

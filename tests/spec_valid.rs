//! Valid edge cases: spellings, qualified names, defaults, options and derived names.

use tidemark::model::*;
use tidemark::spec::load_str;

fn ok(yaml: &str) -> Schema {
    match load_str("t.yaml", yaml) {
        Ok(l) => l.schema,
        Err(d) => panic!("should load:\n{}", d.render_human()),
    }
}

fn col(s: &Schema, t: &str, c: &str) -> Column {
    s.tables
        .iter()
        .find(|x| x.name.name == t)
        .and_then(|x| x.column(c))
        .cloned()
        .unwrap_or_else(|| panic!("{t}.{c}"))
}

#[test]
fn every_type_spelling_in_a_spec() {
    let cases: &[(&str, ColumnType)] = &[
        ("int2", ColumnType::SmallInt),
        ("INT", ColumnType::Integer),
        ("int8", ColumnType::BigInt),
        ("float4", ColumnType::Real),
        ("double  precision", ColumnType::DoublePrecision),
        (
            "decimal(12, 2)",
            ColumnType::Numeric {
                precision: Some(12),
                scale: Some(2),
            },
        ),
        ("bool", ColumnType::Boolean),
        ("character varying(20)", ColumnType::Varchar(Some(20))),
        ("character(2)", ColumnType::Char(Some(2))),
        (
            "time(3) without time zone",
            ColumnType::Time {
                precision: Some(3),
                with_time_zone: false,
            },
        ),
        (
            "timestamp with time zone",
            ColumnType::Timestamp {
                precision: None,
                with_time_zone: true,
            },
        ),
        ("bit varying(64)", ColumnType::VarBit(Some(64))),
        ("halfvec(16000)", ColumnType::HalfVec(Some(16000))),
        ("vector(16000)", ColumnType::Vector(Some(16000))),
        ("uuid[]", ColumnType::Array(Box::new(ColumnType::Uuid))),
        (
            "vector(3)[]",
            ColumnType::Array(Box::new(ColumnType::Vector(Some(3)))),
        ),
    ];
    for (spelling, want) in cases {
        let yaml = format!("tables:\n  t:\n    columns:\n      c: \"{spelling}\"\n");
        let s = ok(&yaml);
        assert_eq!(&col(&s, "t", "c").ty, want, "{spelling}");
        // A trailing `?` (even after spaces) only changes nullability.
        let yaml = format!("tables:\n  t:\n    columns:\n      c: \"{spelling} ?\"\n");
        let c = col(&ok(&yaml), "t", "c");
        assert_eq!(&c.ty, want);
        assert!(c.nullable);
    }
}

#[test]
fn enums_resolve_in_file_schema_then_public_or_qualified() {
    let files = vec![
        (
            "a.yaml".to_string(),
            "enums:\n  mood: [up, down]\n  color: [red]\n".to_string(),
        ),
        (
            "b.yaml".to_string(),
            "schema: other\nenums:\n  mood: [happy]\ntables:\n  t:\n    columns:\n      m: mood\n      c: color\n      pm: public.mood\n      arr: \"mood[]\"\n"
                .to_string(),
        ),
    ];
    let s = tidemark::spec::load_sources(files)
        .unwrap_or_else(|d| panic!("{}", d.render_human()))
        .schema;
    let t = s.table(&QualifiedName::new("other", "t")).expect("other.t");
    let ty = |c: &str| t.column(c).map(|c| c.ty.clone());
    assert_eq!(
        ty("m"),
        Some(ColumnType::Enum(QualifiedName::new("other", "mood")))
    );
    assert_eq!(
        ty("c"),
        Some(ColumnType::Enum(QualifiedName::public("color")))
    );
    assert_eq!(
        ty("pm"),
        Some(ColumnType::Enum(QualifiedName::public("mood")))
    );
    assert_eq!(
        ty("arr"),
        Some(ColumnType::Array(Box::new(ColumnType::Enum(
            QualifiedName::new("other", "mood")
        ))))
    );
}

#[test]
fn qualified_table_keys_and_references() {
    let s = ok(r#"
tables:
  audit.events:
    columns:
      id: { type: bigint, primary_key: true }
  logs:
    columns:
      event_id: { type: bigint, references: audit.events.id }
      event2: { type: bigint, references: "audit.events(id)", deferrable: initially_deferred, on_update: restrict }
"#);
    assert_eq!(s.namespaces.len(), 1);
    assert_eq!(s.namespaces[0].name, "audit");
    let logs = s.table(&QualifiedName::public("logs")).expect("logs");
    let fks: Vec<(&str, &QualifiedName)> = logs
        .foreign_keys
        .iter()
        .map(|f| (f.name.as_str(), &f.ref_table))
        .collect();
    let audit = QualifiedName::new("audit", "events");
    assert_eq!(
        fks,
        [("logs_event2_fkey", &audit), ("logs_event_id_fkey", &audit)]
    );
    assert_eq!(
        logs.foreign_keys[0].deferrable,
        Deferrable::InitiallyDeferred
    );
    assert_eq!(logs.foreign_keys[0].on_update, FkAction::Restrict);
    let events = s.table(&audit).expect("audit.events");
    assert_eq!(
        events.primary_key.as_ref().map(|p| p.name.as_str()),
        Some("events_pkey")
    );
}

#[test]
fn literal_and_sql_defaults_are_told_apart() {
    let s = ok(r#"
tables:
  t:
    columns:
      a: { type: integer, default: 0 }
      b: { type: numeric, default: -1.5 }
      c: { type: boolean, default: true }
      d: { type: text, default: "" }
      e: { type: text, default: "now()" }
      f: { type: timestamptz, default_sql: now() }
      g: { type: text, nullable: true }
"#);
    let d = |c: &str| col(&s, "t", c).default;
    assert_eq!(d("a"), Some(DefaultValue::Number("0".into())));
    assert_eq!(d("b"), Some(DefaultValue::Number("-1.5".into())));
    assert_eq!(d("c"), Some(DefaultValue::Bool(true)));
    assert_eq!(d("d"), Some(DefaultValue::Text(String::new())));
    assert_eq!(d("e"), Some(DefaultValue::Text("now()".into())));
    assert_eq!(d("f"), Some(DefaultValue::Expr("now()".into())));
    assert!(col(&s, "t", "g").nullable);
    assert!(!col(&s, "t", "a").nullable);
}

#[test]
fn index_options_drop_defaults_and_print_like_postgres() {
    let s = ok(r#"
tables:
  t:
    columns: { id: bigint, e: vector(3), n: integer?, tags: "text[]" }
    indexes:
      t_hnsw_default_idx: { on: e, using: hnsw, ops: vector_l2_ops, with: { m: 16, ef_construction: 64 } }
      t_ivf_default_idx: { on: e, using: ivfflat, ops: vector_ip_ops, with: { lists: 100 } }
      t_ivf_idx: { on: e, using: ivfflat, ops: vector_cosine_ops, with: { lists: 50 } }
      t_btree_idx: { on: { column: n, order: desc, nulls: last }, with: { fillfactor: 70, deduplicate_items: false } }
      t_nulls_default_idx: { on: { column: n, order: desc, nulls: first } }
      t_gin_idx: { on: tags, using: gin, with: { fastupdate: true } }
      t_unique_idx: { on: n, unique: true, nulls_not_distinct: true }
"#);
    let t = &s.tables[0];
    let ix = |n: &str| t.indexes.iter().find(|i| i.name == n).expect(n).clone();
    // Defaults compare equal to absent options, but are kept as written for the DDL.
    assert_eq!(ix("t_hnsw_default_idx").options, IndexOptions::default());
    assert_eq!(ix("t_ivf_default_idx").options, IndexOptions::default());
    assert_eq!(
        ix("t_ivf_default_idx")
            .options
            .get("lists")
            .map(String::as_str),
        Some("100")
    );
    assert_eq!(
        ix("t_ivf_idx").options,
        IndexOptions(vec![("lists".to_string(), "50".to_string())])
    );
    let b = ix("t_btree_idx");
    assert_eq!(
        b.options.0,
        vec![
            ("fillfactor".to_string(), "70".to_string()),
            ("deduplicate_items".to_string(), "false".to_string()),
        ],
        "in the order written"
    );
    assert_eq!(b.keys[0].nulls, Some(NullsOrder::Last));
    assert_eq!(ix("t_nulls_default_idx").keys[0].nulls, None);
    assert_eq!(
        ix("t_gin_idx")
            .options
            .get("fastupdate")
            .map(String::as_str),
        Some("true")
    );
    let u = ix("t_unique_idx");
    assert!(u.unique && u.nulls_not_distinct);
}

#[test]
fn foreign_key_onto_a_unique_index_is_accepted() {
    let s = ok(r#"
tables:
  a:
    columns: { code: text }
    indexes:
      a_code_idx: { on: code, unique: true }
  b:
    columns: { code: { type: text, references: a.code } }
"#);
    assert_eq!(s.tables[1].foreign_keys[0].ref_columns, ["code"]);
}

#[test]
fn derived_names_are_truncated_like_postgres() {
    // Checked against PostgreSQL 15: CREATE TABLE <60 x 'a'> (<30 x 'b'> int UNIQUE
    // CHECK (...) REFERENCES p(id)) names the constraints <29 a>_<29 b>_key,
    // <29 a>_<28 b>_fkey and <28 a>_<28 b>_check
    // (makeObjectName trims the longer part first to fit 63 bytes).
    let t = "a".repeat(60);
    let c = "b".repeat(30);
    let yaml = format!(
        "tables:\n  p:\n    columns: {{ id: {{ type: integer, primary_key: true }} }}\n  {t}:\n    columns:\n      {c}: {{ type: integer, unique: true, check: \"{c} > 0\", references: p.id }}\n"
    );
    let s = ok(&yaml);
    let tb = s
        .tables
        .iter()
        .find(|x| x.name.name == t)
        .expect("long table");
    assert_eq!(
        tb.uniques[0].name,
        format!("{}_{}_key", "a".repeat(29), "b".repeat(29))
    );
    assert_eq!(
        tb.foreign_keys[0].name,
        format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28))
    );
    assert_eq!(
        tb.checks[0].name,
        format!("{}_{}_check", "a".repeat(28), "b".repeat(28))
    );
    for n in [
        &tb.uniques[0].name,
        &tb.foreign_keys[0].name,
        &tb.checks[0].name,
    ] {
        assert_eq!(n.len(), 63, "{n}");
    }
}

#[test]
fn empty_files_and_comment_only_files_are_fine() {
    let s = tidemark::spec::load_sources(vec![
        ("a.yaml".into(), "".into()),
        ("b.yaml".into(), "# nothing yet\n".into()),
        (
            "c.yaml".into(),
            "tables:\n  t:\n    columns: { id: bigint }\n".into(),
        ),
    ])
    .unwrap_or_else(|d| panic!("{}", d.render_human()));
    assert_eq!(s.schema.tables.len(), 1);
    assert_eq!(s.files, ["a.yaml", "b.yaml", "c.yaml"]);
}

#[test]
fn unqualified_references_fall_back_to_public() {
    let s = tidemark::spec::load_sources(vec![
        (
            "a.yaml".into(),
            "tables:\n  tenants:\n    columns: { id: { type: bigint, primary_key: true } }\n".into(),
        ),
        (
            "b.yaml".into(),
            "schema: analytics\ntables:\n  events:\n    columns:\n      tenant_id: { type: bigint, references: tenants.id }\n".into(),
        ),
    ])
    .unwrap_or_else(|d| panic!("{}", d.render_human()))
    .schema;
    let ev = s
        .table(&QualifiedName::new("analytics", "events"))
        .expect("analytics.events");
    assert_eq!(
        ev.foreign_keys[0].ref_table,
        QualifiedName::public("tenants")
    );
}

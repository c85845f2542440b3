//! Schemas the codegen tests generate from: the example spec loaded from `schemas/`, and golden
//! edge cases built in Rust with a compact builder.
#![allow(dead_code)]

use tidemark::model::*;

pub fn q(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

pub fn p(name: &str) -> QualifiedName {
    QualifiedName::public(name)
}

/// Builds a table; column modifiers apply to the last column added.
pub struct T(Table);

pub fn table(name: QualifiedName) -> T {
    T(Table::named(name))
}

impl T {
    pub fn col(mut self, name: &str, ty: ColumnType) -> Self {
        self.0.columns.push(Column {
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
        });
        self
    }
    fn last(&mut self) -> &mut Column {
        self.0.columns.last_mut().expect("a column first")
    }
    pub fn null(mut self) -> Self {
        self.last().nullable = true;
        self
    }
    pub fn default(mut self, d: DefaultValue) -> Self {
        self.last().default = Some(d);
        self
    }
    pub fn identity(mut self, kind: IdentityKind) -> Self {
        let c = self.last();
        let data_type = SequenceType::of_column(&c.ty).unwrap_or(SequenceType::BigInt);
        c.identity = Some(Identity {
            kind,
            sequence: format!("{}_seq", c.name),
            options: SequenceOptions::defaults(data_type, 1),
        });
        self
    }
    pub fn generated(mut self, expr: &str) -> Self {
        self.last().generated = Some(expr.into());
        self
    }
    pub fn col_comment(mut self, c: &str) -> Self {
        self.last().comment = Some(c.into());
        self
    }
    pub fn comment(mut self, c: &str) -> Self {
        self.0.comment = Some(c.into());
        self
    }
    pub fn pk(mut self, cols: &[&str]) -> Self {
        self.0.primary_key = Some(PrimaryKey {
            name: format!("{}_pkey", self.0.name.name),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        });
        self
    }
    pub fn unique(mut self, name: &str, cols: &[&str]) -> Self {
        self.0.uniques.push(Unique {
            name: name.into(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            nulls_not_distinct: false,
            deferrable: Deferrable::NotDeferrable,
            ..Default::default()
        });
        self
    }
    pub fn fk(
        mut self,
        name: &str,
        cols: &[&str],
        target: QualifiedName,
        ref_cols: &[&str],
        on_delete: FkAction,
    ) -> Self {
        self.0.foreign_keys.push(ForeignKey {
            name: name.into(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            ref_table: target,
            ref_columns: ref_cols.iter().map(|c| c.to_string()).collect(),
            on_delete,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            ..Default::default()
        });
        self
    }
    pub fn index(mut self, i: Index) -> Self {
        self.0.indexes.push(i);
        self
    }
    pub fn build(self) -> Table {
        self.0
    }
}

fn key(target: IndexTarget, opclass: Option<&str>) -> IndexKey {
    IndexKey {
        target,
        opclass: opclass.map(str::to_string),
        order: SortOrder::Asc,
        nulls: None,
        collation: None,
        opclass_params: Default::default(),
    }
}

pub fn btree(name: &str, cols: &[&str], predicate: Option<&str>) -> Index {
    Index {
        name: name.into(),
        method: IndexMethod::Btree,
        keys: cols
            .iter()
            .map(|c| key(IndexTarget::Column(c.to_string()), None))
            .collect(),
        include: vec![],
        unique: false,
        nulls_not_distinct: false,
        predicate: predicate.map(str::to_string),
        options: IndexOptions::default(),
        comment: None,
    }
}

pub fn vector_index(
    name: &str,
    method: IndexMethod,
    target: IndexTarget,
    opclass: Option<&str>,
    predicate: Option<&str>,
    options: &[(&str, &str)],
) -> Index {
    Index {
        name: name.into(),
        method,
        keys: vec![key(target, opclass)],
        include: vec![],
        unique: false,
        nulls_not_distinct: false,
        predicate: predicate.map(str::to_string),
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        comment: None,
    }
}

pub fn col(name: &str) -> IndexTarget {
    IndexTarget::Column(name.into())
}

pub fn expr(e: &str) -> IndexTarget {
    IndexTarget::Expr(e.into())
}

fn tstz() -> ColumnType {
    ColumnType::Timestamp {
        precision: None,
        with_time_zone: true,
    }
}

fn now() -> DefaultValue {
    DefaultValue::Expr("now()".into())
}

fn en(schema: &str, name: &str, values: &[&str], comment: Option<&str>) -> Enum {
    Enum {
        name: q(schema, name),
        values: values.iter().map(|v| v.to_string()).collect(),
        comment: comment.map(str::to_string),
    }
}

/// The example spec, loaded from `schemas/` by the real loader (the entity crate is generated
/// from exactly this).
pub fn example() -> Schema {
    match tidemark::spec::load(std::path::Path::new("schemas")) {
        Ok(loaded) => loaded.schema,
        Err(d) => panic!("schemas/ must load:\n{}", d.render_human()),
    }
}

/// Edge cases: keywords as names, composite keys, self-references, link tables, enums in other
/// schemas, every column type.
fn other(schema: Option<&str>, name: &str, modifiers: Option<&str>) -> ColumnType {
    ColumnType::Other(tidemark::model::OtherType {
        schema: schema.map(str::to_string),
        name: name.into(),
        modifiers: modifiers.map(str::to_string),
    })
}

pub fn golden() -> Schema {
    use ColumnType::*;
    let every_type = table(p("every_type"))
        .col("id", Integer)
        .identity(IdentityKind::ByDefault)
        .col("small", SmallInt)
        .col("big", BigInt)
        .null()
        .col("real_", Real)
        .col("double", DoublePrecision)
        .col(
            "num",
            Numeric {
                precision: None,
                scale: None,
            },
        )
        .col(
            "num_p",
            Numeric {
                precision: Some(12),
                scale: Some(2),
            },
        )
        .col("flag", Boolean)
        .col("txt", Text)
        .col("vc", Varchar(Some(50)))
        .col("vc_any", Varchar(None))
        .col("ch", Char(Some(3)))
        .col("bytes", Bytea)
        .col("day", Date)
        .col(
            "clock",
            Time {
                precision: None,
                with_time_zone: false,
            },
        )
        .col(
            "clock_tz",
            Time {
                precision: Some(3),
                with_time_zone: true,
            },
        )
        .col(
            "ts",
            Timestamp {
                precision: None,
                with_time_zone: false,
            },
        )
        .col("tstz", tstz())
        .col("span", Interval)
        .col("uid", Uuid)
        .col("doc", Json)
        .col("docb", Jsonb)
        .col("addr", Inet)
        .col("net", Cidr)
        .col("mac", MacAddr)
        .col("price", Money)
        .col("markup", Xml)
        .col("tsv", Tsvector)
        .col("tsq", Tsquery)
        .col("obj", Oid)
        .col("bits", Bit(Some(8)))
        .col("vbits", VarBit(Some(64)))
        .col("vec", Vector(Some(3)))
        .col("vec_any", Vector(None))
        .null()
        .col("half", HalfVec(Some(3)))
        .col("sparse", SparseVec(Some(10)))
        .col("mood", Enum(q("Extra Schema", "mood")))
        .col("ints", Array(Box::new(Integer)))
        .col("texts", Array(Box::new(Text)))
        .col("moods", Array(Box::new(Enum(q("Extra Schema", "mood")))))
        .null()
        .col("addrs", Array(Box::new(Inet)))
        .col("stamps", Array(Box::new(tstz())))
        // Types the model has no variant of: a built-in range, an extension's type with a
        // modifier in another schema, an array of ranges.
        .col("during", other(Some("pg_catalog"), "tstzrange", None))
        .col(
            "place",
            other(Some("extensions"), "geometry", Some("Point,4326")),
        )
        .null()
        .col(
            "slots",
            Array(Box::new(other(Some("pg_catalog"), "int4range", None))),
        )
        .pk(&["id"])
        .index(vector_index(
            "every_type_half_idx",
            IndexMethod::IvfFlat,
            col("half"),
            None,
            None,
            &[("lists", "10")],
        ))
        .index(vector_index(
            "every_type_bits_idx",
            IndexMethod::Hnsw,
            col("bits"),
            Some("bit_jaccard_ops"),
            None,
            &[],
        ))
        .index(vector_index(
            "every_type_vec_idx",
            IndexMethod::Hnsw,
            col("vec"),
            Some("vector_l1_ops"),
            Some("flag"),
            &[],
        ))
        .index(vector_index(
            "every_type_vec_ip_idx",
            IndexMethod::Hnsw,
            col("vec"),
            Some("vector_ip_ops"),
            None,
            &[],
        ))
        .index(vector_index(
            "every_type_no_class_idx",
            IndexMethod::Hnsw,
            col("vec"),
            None,
            None,
            &[],
        ))
        .build();
    // Keywords and odd spellings as table and column names.
    let keywords = table(p("type"))
        .comment("A table named with a Rust keyword.")
        .col("type", Text)
        .col("self", Integer)
        .col("match", Boolean)
        .col("CamelCase", Text)
        .col("camel_case", Text)
        .col("has space", Text)
        .col("1st", Integer)
        .col("r#raw", Text)
        .null()
        .pk(&["self"])
        .build();
    // A self-reference (tree) plus a second table pointing twice at the same target.
    let categories = table(p("categories"))
        .col("id", BigInt)
        .identity(IdentityKind::Always)
        .col("parent_id", BigInt)
        .null()
        .col("name", Text)
        .pk(&["id"])
        .fk(
            "categories_parent_id_fkey",
            &["parent_id"],
            p("categories"),
            &["id"],
            FkAction::SetNull,
        )
        .build();
    let moves = table(p("moves"))
        .col("id", BigInt)
        .col("from_category", BigInt)
        .col("to_category", BigInt)
        .pk(&["id"])
        .fk(
            "moves_from_fkey",
            &["from_category"],
            p("categories"),
            &["id"],
            FkAction::Restrict,
        )
        .fk(
            "moves_to_fkey",
            &["to_category"],
            p("categories"),
            &["id"],
            FkAction::Restrict,
        )
        .build();
    // Many-to-many through a link table with a composite key.
    let posts = table(p("posts"))
        .col("id", BigInt)
        .col("title", Text)
        .pk(&["id"])
        .build();
    let tags = table(q("Extra Schema", "tags"))
        .col("tenant", Integer)
        .col("label", Text)
        .col("mood", Enum(q("Extra Schema", "mood")))
        .null()
        .pk(&["tenant", "label"])
        .build();
    let post_tags = table(p("post_tags"))
        .col("post_id", BigInt)
        .col("tag_tenant", Integer)
        .col("tag_label", Text)
        .pk(&["post_id", "tag_tenant", "tag_label"])
        .fk(
            "post_tags_post_fkey",
            &["post_id"],
            p("posts"),
            &["id"],
            FkAction::Cascade,
        )
        .fk(
            "post_tags_tag_fkey",
            &["tag_tenant", "tag_label"],
            q("Extra Schema", "tags"),
            &["tenant", "label"],
            FkAction::Cascade,
        )
        .build();
    // Partitioned tables: one entity each, with nearest-neighbour variants that prune by the
    // partition key; their partitions get none.
    let readings = {
        let mut t = table(p("readings"))
            .col("id", ColumnType::BigInt)
            .col("taken_at", tstz())
            .col("vec", ColumnType::Vector(Some(3)))
            .null()
            .pk(&["id", "taken_at"])
            .index(vector_index(
                "readings_vec_idx",
                IndexMethod::Hnsw,
                col("vec"),
                Some("vector_l2_ops"),
                None,
                &[],
            ))
            .build();
        t.partition_by = Some(tidemark::model::PartitionKey {
            strategy: tidemark::model::PartitionStrategy::Range,
            keys: vec![IndexTarget::Column("taken_at".into())],
        });
        t
    };
    let readings_2026 = Table {
        partition_of: Some(tidemark::model::PartitionOf {
            parent: p("readings"),
            bound: tidemark::model::PartitionBound::Default,
        }),
        ..Table::named(p("readings_2026"))
    };
    let tenant_vectors = {
        let mut t = table(p("tenant_vectors"))
            .col("tenant", ColumnType::Text)
            .col("id", ColumnType::BigInt)
            .col("vec", ColumnType::Vector(Some(3)))
            .pk(&["tenant", "id"])
            .index(vector_index(
                "tenant_vectors_vec_idx",
                IndexMethod::Hnsw,
                col("vec"),
                Some("vector_cosine_ops"),
                None,
                &[],
            ))
            .build();
        t.partition_by = Some(tidemark::model::PartitionKey {
            strategy: tidemark::model::PartitionStrategy::List,
            keys: vec![IndexTarget::Column("tenant".into())],
        });
        t
    };
    let mut s = Schema {
        views: vec![],
        functions: vec![],
        triggers: vec![],
        row_security: vec![],
        policies: vec![],
        types: vec![],
        grants: vec![],
        public_comment: None,
        extensions: vec![],
        sequences: vec![],
        namespaces: vec![Namespace {
            name: "Extra Schema".into(),
            comment: None,
        }],
        enums: vec![
            en(
                "Extra Schema",
                "mood",
                &["happy", "not happy", "2nd"],
                Some("An enum in a schema with a space and upper case."),
            ),
            en("public", "mood", &["ok"], None),
        ],
        tables: vec![
            every_type,
            keywords,
            categories,
            moves,
            posts,
            tags,
            post_tags,
            readings,
            readings_2026,
            tenant_vectors,
        ],
    };
    s.normalize();
    s
}

//! The SQL text of `introspect`'s catalog queries: one query per object kind for the whole
//! database, each returning rows shaped like a struct in [`super::convert`].
//!
//! Every query takes the same two parameters, so the filters are applied by the server and rows
//! of filtered-out objects are never read:
//! - `$1 text[]`: the PostgreSQL schemas to read, or NULL for every non-system schema;
//! - `$2 text`: the name prefix of tidemark's bookkeeping tables, or NULL.
//!
//! Objects that belong to an extension (`pg_depend.deptype = 'e'`) are never read: they are the
//! extension's, created by `CREATE EXTENSION`, not by the schema.
//!
//! Expression texts (`pg_get_expr`, `pg_get_indexdef`, `pg_get_constraintdef`) are requested in
//! their *pretty* form (`… , true)`), which drops redundant parentheses, so `CHECK (a > 0)` reads
//! back as `a > 0` rather than `(a > 0)`.

/// Pins, for the introspection transaction only, the settings that expression texts depend on
/// (see the module docs of `introspect`): one statement, whatever the schema. `own_snapshot`
/// is false when the `BEGIN` was ignored because the session was already inside a transaction
/// that sqlx did not start (PostgreSQL only warns then), so the caller's transaction is never
/// committed by us.
pub const SETTINGS: &str = "SELECT set_config('search_path', 'public', true) AS search_path,
       set_config('standard_conforming_strings', 'on', true) AS standard_conforming_strings,
       current_setting('transaction_isolation') = 'repeatable read'
         AND current_setting('transaction_read_only') = 'on' AS own_snapshot";

/// The schema filter shared by every query (`n` is the object's namespace).
macro_rules! namespace_filter {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
         AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))"
    };
}

/// The tables in scope, as a CTE `rel(oid, nspname, relname)` that the per-table queries start
/// from: ordinary and partitioned tables (not partitions, not views), filtered by schema,
/// bookkeeping prefix and extension membership.
macro_rules! relations {
    () => {
        concat!(
            "WITH rel AS (
  SELECT c.oid, n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND ",
            namespace_filter!(),
            "
    AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
)
"
        )
    };
}

/// Installed extensions (all of them: an extension is database-wide), except `plpgsql`, which
/// every database has. The default version tells a pinned version from "whatever is default".
/// The parameters are accepted (and ignored) so every query binds the same way.
pub const EXTENSIONS: &str = "
SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version,
       a.default_version AS default_version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_available_extensions a ON a.name = e.extname
WHERE e.extname <> 'plpgsql' AND ($1::text[] IS NULL OR TRUE) AND ($2::text IS NULL OR TRUE)
ORDER BY e.extname";

/// Non-system namespaces in scope, `public` included (the converter leaves it out of the model).
pub const NAMESPACES: &str = concat!(
    "
SELECT n.nspname::text AS name, obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n
WHERE ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR TRUE)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY n.nspname"
);

/// Enum types in scope with their labels in sort order.
pub const ENUMS: &str = concat!(
    "
SELECT n.nspname::text AS schema, t.typname::text AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
             ORDER BY e.enumsortorder) AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR TRUE)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname, t.typname"
);

/// Tables in scope with their comments.
pub const TABLES: &str = concat!(
    relations!(),
    "SELECT rel.oid::int8 AS oid, rel.nspname::text AS schema, rel.relname::text AS name,
       obj_description(rel.oid, 'pg_class') AS comment
FROM rel
ORDER BY rel.nspname, rel.relname"
);

/// Every column of every table in scope, in physical order. The type comes as its name, schema
/// and kind, plus the element type for arrays (an array type is one whose element type points
/// back at it through `typarray`), and the raw `atttypmod` (−1: no modifier).
pub const COLUMNS: &str = concat!(
    relations!(),
    "SELECT rel.oid::int8 AS table_oid, a.attname::text AS name,
       t.typname::text AS type_name, tn.nspname::text AS type_schema, t.typtype::text AS type_kind,
       et.typname::text AS elem_name, etn.nspname::text AS elem_schema,
       et.typtype::text AS elem_kind,
       a.atttypmod AS typmod, a.attndims::int4 AS ndims, a.attnotnull AS not_null,
       pg_get_expr(ad.adbin, ad.adrelid, true) AS default_expr,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       col_description(a.attrelid, a.attnum) AS comment
FROM rel
JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND et.typarray = t.oid
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
ORDER BY rel.oid, a.attnum"
);

/// Primary keys, uniques, checks and foreign keys of every table in scope (NOT NULL constraints,
/// which PostgreSQL 18 also lists here, are read from `attnotnull` instead). Column lists keep
/// the constraint's key order.
pub const CONSTRAINTS: &str = concat!(
    relations!(),
    "SELECT rel.oid::int8 AS table_oid, co.conname::text AS name, co.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(co.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_name,
       ARRAY(SELECT a.attname::text FROM unnest(co.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS ref_columns,
       co.confdeltype::text AS on_delete, co.confupdtype::text AS on_update,
       co.condeferrable AS deferrable, co.condeferred AS deferred,
       COALESCE((SELECT i.indnullsnotdistinct FROM pg_index i
                 WHERE i.indexrelid = co.conindid AND co.contype = 'u'), false)
         AS nulls_not_distinct,
       pg_get_constraintdef(co.oid, true) AS definition
FROM rel
JOIN pg_constraint co ON co.conrelid = rel.oid AND co.contype IN ('p', 'u', 'c', 'f')
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
ORDER BY rel.oid, co.conname"
);

/// Indexes of every table in scope that do not back a primary key, unique or exclusion
/// constraint (those are the constraint's own index). Per key column: the column name (empty for
/// an expression), the key's text, its operator class and whether that class is the default,
/// and `indoption` (bit 0: DESC, bit 1: NULLS FIRST). `indclass`/`indoption`/`indkey` are
/// 0-based vectors; `pg_get_indexdef` numbers keys from 1.
pub const INDEXES: &str = concat!(
    relations!(),
    "SELECT rel.oid::int8 AS table_oid, ic.relname::text AS name, am.amname::text AS method,
       i.indisunique AS is_unique, i.indnullsnotdistinct AS nulls_not_distinct,
       ARRAY(SELECT COALESCE(a.attname::text, '') FROM generate_series(1, i.indnkeyatts) AS k
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
                                     AND i.indkey[k - 1] <> 0
             ORDER BY k) AS key_columns,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS key_defs,
       ARRAY(SELECT opc.opcname::text FROM generate_series(1, i.indnkeyatts) AS k
             JOIN pg_opclass opc ON opc.oid = i.indclass[k - 1] ORDER BY k) AS opclasses,
       ARRAY(SELECT opc.opcdefault FROM generate_series(1, i.indnkeyatts) AS k
             JOIN pg_opclass opc ON opc.oid = i.indclass[k - 1] ORDER BY k) AS opclass_defaults,
       ARRAY(SELECT i.indoption[k - 1] FROM generate_series(1, i.indnkeyatts) AS k
             ORDER BY k)::int2[] AS key_options,
       ARRAY(SELECT a.attname::text FROM generate_series(i.indnkeyatts + 1, i.indnatts) AS k
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
             ORDER BY k) AS include,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       ic.reloptions::text[] AS reloptions,
       obj_description(i.indexrelid, 'pg_class') AS comment
FROM rel
JOIN pg_index i ON i.indrelid = rel.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint co
                  WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))
ORDER BY rel.oid, ic.relname"
);

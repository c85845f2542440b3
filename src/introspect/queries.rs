//! The SQL text of `introspect`'s catalog queries: one query per object kind for the whole
//! database, each returning rows shaped like a struct in [`super::convert`].
//!
//! Every query takes the same two parameters, so the filters are applied by the server and rows
//! of filtered-out objects are never read:
//! - `$1 text[]`: the PostgreSQL schemas to read, or NULL for every non-system schema;
//! - `$2 text`: the name prefix of tidemark's bookkeeping tables, or NULL.
//!
//! A query's `unsupported text[]` lists what the model would lose of that row's object (a
//! column collation, `NOT VALID`, …), one text per attribute, each computed only when it applies
//! (`CASE WHEN … THEN … END`). Catalog columns that only newer servers have stand as `@name@`
//! markers that [`for_server`] fills in.
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
       set_config('TimeZone', 'UTC', true) AS time_zone,
       current_setting('server_version_num')::int AS server_version_num,
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
/// from: ordinary and partitioned tables and partitions, but no table that inherits from
/// another without being its partition (those and views are reported by [`INVENTORY`]
/// instead), filtered by schema, bookkeeping prefix and extension membership.
macro_rules! relations {
    () => {
        relations!("'r', 'p'")
    };
    ($kinds:literal) => {
        concat!(
            "WITH rel AS (
  SELECT c.oid, n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN (",
            $kinds,
            ")
    AND (c.relispartition OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid))
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
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = rel.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment,
       rc.relrowsecurity AS row_security, rc.relforcerowsecurity AS row_security_forced,
       pg_get_partkeydef(rel.oid) AS partition_key,
       pn.nspname::text AS parent_schema, pc.relname::text AS parent_name,
       CASE WHEN rc.relispartition THEN pg_get_expr(rc.relpartbound, rc.oid) END AS partition_bound,
       rc.relpersistence = 'u' AS unlogged,
       rc.reloptions::text[] AS reloptions,
       (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = rc.reltoastrelid)::text[] AS toast_options,
       rc.relreplident::text AS replica_identity,
       (SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = rel.oid AND i.indisreplident) AS replica_index
FROM rel
JOIN pg_class rc ON rc.oid = rel.oid
LEFT JOIN pg_inherits pi ON rc.relispartition AND pi.inhrelid = rel.oid
LEFT JOIN pg_class pc ON pc.oid = pi.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
ORDER BY rel.nspname, rel.relname"
);

/// Every column of every table in scope, in physical order. The type comes as its name, schema
/// and kind, plus the element type for arrays (an array type is one whose element type points
/// back at it through `typarray`), and the raw `atttypmod` (−1: no modifier). An identity
/// column also brings its sequence (`pg_depend` deptype `i`) with every option.
pub const COLUMNS: &str = concat!(
    relations!(),
    "SELECT rel.oid::int8 AS table_oid, a.attname::text AS name,
       t.typname::text AS type_name, tn.nspname::text AS type_schema, t.typtype::text AS type_kind,
       et.typname::text AS elem_name, etn.nspname::text AS elem_schema,
       et.typtype::text AS elem_kind,
       a.atttypmod AS typmod, a.attstattarget::int4 AS stattarget,
       CASE WHEN a.attcollation <> t.typcollation
            THEN (SELECT collname::text FROM pg_collation
                  WHERE oid = a.attcollation AND collnamespace = 'pg_catalog'::regnamespace)
       END AS collation,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       @attcompression@ AS compression,
       format_type(a.atttypid, a.atttypmod) AS type_text,
       a.attndims::int4 AS ndims, a.attnotnull AS not_null,
       pg_get_expr(ad.adbin, ad.adrelid, true) AS default_expr,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       (SELECT dc.description FROM pg_description dc
        WHERE dc.objoid = a.attrelid AND dc.classoid = 'pg_class'::regclass
          AND dc.objsubid = a.attnum) AS comment,
       idn.relname::text AS identity_sequence, idn.seqtypid::regtype::text AS seq_type,
       idn.seqstart AS seq_start, idn.seqincrement AS seq_increment, idn.seqmin AS seq_min,
       idn.seqmax AS seq_max, idn.seqcache AS seq_cache, idn.seqcycle AS seq_cycle,
       array_remove(ARRAY[
         CASE WHEN a.attcollation <> t.typcollation
                   AND NOT EXISTS (SELECT 1 FROM pg_collation
                                   WHERE oid = a.attcollation
                                     AND collnamespace = 'pg_catalog'::regnamespace)
              THEN 'has collation ' || coalesce((SELECT quote_ident(n.nspname) || '.' || quote_ident(collname)
                                                 FROM pg_collation
                                                 JOIN pg_namespace n ON n.oid = collnamespace
                                                 WHERE pg_collation.oid = a.attcollation), '?')
                   || ' (only collations of pg_catalog are managed)' END,
         CASE WHEN a.attoptions IS NOT NULL
              THEN 'has options (' || array_to_string(a.attoptions, ', ') || ')' END,
         CASE WHEN a.attacl IS NOT NULL THEN 'has column privileges granted (GRANT … (column))' END
       ], NULL) AS unsupported
FROM rel
JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND et.typarray = t.oid
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
-- Looked up only for identity columns (the condition on `a` is checked before any scan).
LEFT JOIN LATERAL (
  SELECT ids.relname, sq.seqtypid, sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax,
         sq.seqcache, sq.seqcycle
  FROM pg_depend idd
  JOIN pg_class ids ON ids.oid = idd.objid AND ids.relkind = 'S'
  JOIN pg_sequence sq ON sq.seqrelid = ids.oid
  WHERE a.attidentity <> '' AND idd.refclassid = 'pg_class'::regclass AND idd.refobjid = rel.oid
    AND idd.refobjsubid = a.attnum AND idd.classid = 'pg_class'::regclass AND idd.deptype = 'i'
) idn ON true
ORDER BY rel.oid, a.attnum"
);

/// Sequences in scope other than identity sequences (those come with their column), with every
/// option and the column that owns them (`pg_depend` deptype `a`, what `OWNED BY` and `serial`
/// record).
pub const SEQUENCES: &str = concat!(
    "
SELECT n.nspname::text AS schema, c.relname::text AS name,
       s.seqtypid::regtype::text AS data_type, s.seqstart AS start, s.seqincrement AS increment,
       s.seqmin AS min, s.seqmax AS max, s.seqcache AS cache, s.seqcycle AS cycle,
       ot.relname::text AS owner_table, oa.attname::text AS owner_column,
       otn.nspname::text AS owner_schema,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = c.oid
     AND od.refclassid = 'pg_class'::regclass AND od.deptype = 'a' AND od.refobjsubid > 0
LEFT JOIN pg_class ot ON ot.oid = od.refobjid
LEFT JOIN pg_namespace otn ON otn.oid = ot.relnamespace
LEFT JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid
WHERE c.relkind = 'S' AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('e', 'i'))
ORDER BY n.nspname, c.relname"
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
       COALESCE(co.contype = 'u' AND ci.indnullsnotdistinct, false) AS nulls_not_distinct,
       pg_get_constraintdef(co.oid, true) AS definition,
       NOT co.convalidated AS not_valid, co.connoinherit AS no_inherit,
       @conperiod@ AS period, co.confmatchtype = 'f' AS match_full,
       ARRAY(SELECT a.attname::text FROM generate_series(ci.indnkeyatts + 1, ci.indnatts) AS k
             JOIN pg_attribute a ON a.attrelid = ci.indrelid AND a.attnum = ci.indkey[k - 1]
             ORDER BY k) AS include,
       (SELECT dco.description FROM pg_description dco
        WHERE dco.objoid = co.oid AND dco.classoid = 'pg_constraint'::regclass
          AND dco.objsubid = 0) AS comment,
       (SELECT dci.description FROM pg_description dci
        WHERE dci.objoid = ci.indexrelid AND dci.classoid = 'pg_class'::regclass
          AND dci.objsubid = 0) AS index_comment,
       array_remove(ARRAY[
         CASE WHEN @conenforced@ THEN 'is NOT ENFORCED' END,
         CASE WHEN co.contype = 'f' AND co.confmatchtype NOT IN ('s', 'f') THEN 'uses MATCH PARTIAL' END,
         CASE WHEN co.contype = 'f' AND @confdelsetcols@ THEN 'sets only some columns ON DELETE' END,
         CASE WHEN cic.reloptions IS NOT NULL THEN 'its index has storage parameters' END,
         CASE WHEN cic.reltablespace <> 0 THEN 'its index is in another tablespace' END,
         CASE WHEN ci.indexrelid IS NOT NULL
                   AND EXISTS (SELECT 1 FROM pg_opclass o
                               WHERE o.oid = ANY (ci.indclass::oid[]) AND NOT o.opcdefault)
              THEN 'its index uses a non-default operator class' END,
         CASE WHEN NOT co.convalidated AND co.contype NOT IN ('c', 'f')
              THEN 'is NOT VALID' END
       ], NULL) AS unsupported
FROM rel
JOIN pg_constraint co ON co.conrelid = rel.oid AND co.contype IN ('p', 'u', 'c', 'f')
                     -- A partition's copies of its parent's constraints are the parent's.
                     AND co.conislocal
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index ci ON co.contype IN ('p', 'u') AND ci.indexrelid = co.conindid
LEFT JOIN pg_class cic ON cic.oid = ci.indexrelid
ORDER BY rel.oid, co.conname"
);

/// Indexes of every table in scope that do not back a primary key or unique constraint (those
/// are the constraint's own index), and the exclusion constraints, which are read as the index
/// they are plus their operators. Per key column: the column name (empty for
/// an expression), the key's text, its operator class and whether that class is the default,
/// and `indoption` (bit 0: DESC, bit 1: NULLS FIRST). `indclass`/`indoption`/`indkey` are
/// 0-based vectors; `pg_get_indexdef` numbers keys from 1.
pub const INDEXES: &str = concat!(
    relations!("'r', 'p', 'm'"),
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
       -- A key's collation when it is not the one it would get anyway: its column's, or
       -- (for an expression) the database default (an expression of a column with another
       -- collation records that one, which is then written out; pg_dump is unaffected).
       ARRAY(SELECT CASE WHEN i.indcollation[k - 1] = 0
                           OR i.indcollation[k - 1] = coalesce(a.attcollation, 100) THEN NULL
                         ELSE (SELECT collname::text FROM pg_collation
                               WHERE oid = i.indcollation[k - 1]
                                 AND collnamespace = 'pg_catalog'::regnamespace) END
             FROM generate_series(1, i.indnkeyatts) AS k
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
                                     AND i.indkey[k - 1] <> 0
             ORDER BY k) AS key_collations,
       ARRAY(SELECT coalesce(array_to_string(x.attoptions, chr(31)), '')
             FROM generate_series(1, i.indnkeyatts) AS k
             LEFT JOIN pg_attribute x ON x.attrelid = i.indexrelid AND x.attnum = k
             ORDER BY k) AS key_params,
       ARRAY(SELECT a.attname::text FROM generate_series(i.indnkeyatts + 1, i.indnatts) AS k
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
             ORDER BY k) AS include,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       ic.reloptions::text[] AS reloptions,
       -- The exclusion constraint the index is, if any: its name, operators (pg_catalog's by
       -- name, others as OPERATOR(schema.name)), deferral and comment.
       xc.conname::text AS exclusion,
       ARRAY(SELECT CASE WHEN o.oprnamespace = 'pg_catalog'::regnamespace THEN o.oprname::text
                         ELSE 'OPERATOR(' || quote_ident(on_.nspname) || '.' || o.oprname || ')' END
             FROM unnest(xc.conexclop) WITH ORDINALITY AS x(op, ord)
             JOIN pg_operator o ON o.oid = x.op
             JOIN pg_namespace on_ ON on_.oid = o.oprnamespace
             ORDER BY x.ord) AS exclusion_operators,
       coalesce(xc.condeferrable, false) AS exclusion_deferrable,
       coalesce(xc.condeferred, false) AS exclusion_deferred,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = xc.oid AND d.classoid = 'pg_constraint'::regclass
          AND d.objsubid = 0) AS exclusion_comment,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass
          AND d.objsubid = 0) AS comment,
       array_remove(ARRAY[
         CASE WHEN NOT i.indisvalid THEN 'is INVALID (a concurrent build failed); drop it or rebuild it' END,
         CASE WHEN ic.reltablespace <> 0 THEN 'is in another tablespace' END,
         CASE WHEN i.indisclustered THEN 'is the table''s CLUSTER index' END,
         CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indcollation::oid[]) k
                           JOIN pg_collation c ON c.oid = k
                           WHERE c.collnamespace <> 'pg_catalog'::regnamespace)
              THEN 'has a key with a collation outside pg_catalog (only those are managed)' END,
         -- An expression of a column with its own collation, put back to the default one.
         CASE WHEN EXISTS (SELECT 1 FROM unnest(i.indcollation::oid[]) k WHERE k <> 0)
                   AND pg_get_indexdef(i.indexrelid) LIKE '% COLLATE \"default\"%'
              THEN 'has a key with COLLATE \"default\" over a value of another collation' END
       ], NULL) AS unsupported
FROM rel
JOIN pg_index i ON i.indrelid = rel.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint xc ON xc.conindid = i.indexrelid AND xc.contype = 'x'
                          AND xc.conrelid = i.indrelid
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint co
                  WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u')
                    AND co.conrelid = i.indrelid)
  -- A partition's copy of an index of its parent is the parent's.
  AND NOT ic.relispartition
ORDER BY rel.oid, ic.relname"
);

/// Views and materialized views in scope: the query as PostgreSQL prints it back (pretty, under
/// the pinned `search_path`), options, whether a materialized view is populated, comments, the
/// output columns with their types and comments, and what the query reads according to
/// `pg_depend` (through the view's `_RETURN` rule): one JSON array `[relkind, schema, relation,
/// column or null]` per relation or column.
pub const VIEWS: &str = concat!(
    "
SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition,
       c.reloptions::text[] AS reloptions,
       c.relispopulated AS populated,
       d.description AS comment,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS column_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS column_types,
       ARRAY(SELECT col_description(c.oid, a.attnum) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS column_comments,
       ARRAY(SELECT DISTINCT json_build_array(rc.relkind, rn.nspname, rc.relname, ra.attname)::text
             FROM pg_rewrite rw
             JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = rw.oid
                               AND dep.refclassid = 'pg_class'::regclass
             JOIN pg_class rc ON rc.oid = dep.refobjid
             JOIN pg_namespace rn ON rn.oid = rc.relnamespace
             LEFT JOIN pg_attribute ra ON dep.refobjsubid > 0 AND ra.attrelid = rc.oid
                                      AND ra.attnum = dep.refobjsubid
             WHERE rw.ev_class = c.oid AND rc.oid <> c.oid)
       || ARRAY(SELECT DISTINCT json_build_array('f', pn.nspname, pr.proname,
                                                 pg_get_function_identity_arguments(pr.oid))::text
             FROM pg_rewrite rw
             JOIN pg_depend dep ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = rw.oid
                               AND dep.refclassid = 'pg_proc'::regclass
             JOIN pg_proc pr ON pr.oid = dep.refobjid
             JOIN pg_namespace pn ON pn.oid = pr.pronamespace
             WHERE rw.ev_class = c.oid AND pn.nspname <> 'pg_catalog') AS reads,
       array_remove(ARRAY[
         CASE WHEN c.reltablespace <> 0 THEN 'is in another tablespace' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_attrdef ad WHERE ad.adrelid = c.oid)
              THEN 'has column defaults (ALTER VIEW … SET DEFAULT)' END,
         CASE WHEN c.relkind = 'm' AND c.relam <> 0
                   AND c.relam <> (SELECT oid FROM pg_am WHERE amname = 'heap')
              THEN 'uses another table access method' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                             AND (a.attacl IS NOT NULL OR a.attoptions IS NOT NULL))
              THEN 'has column privileges or options' END
       ], NULL) AS unsupported
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
                          AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm') AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname"
);

/// Functions and procedures in scope (not aggregates or window functions, which the inventory
/// lists), with every part as the catalog prints it back.
pub const FUNCTIONS: &str = concat!(
    "
SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind = 'p' AS procedure,
       pg_get_function_arguments(p.oid) AS args,
       pg_get_function_identity_arguments(p.oid) AS identity,
       CASE WHEN p.prokind = 'p' THEN NULL ELSE pg_get_function_result(p.oid) END AS returns,
       l.lanname::text AS language, p.prosrc AS body,
       p.provolatile::text AS volatility, p.proisstrict AS strict,
       p.prosecdef AS security_definer, p.proparallel::text AS parallel,
       p.proconfig::text[] AS config,
       d.description AS comment,
       array_remove(ARRAY[
         CASE WHEN l.lanname IN ('c', 'internal') THEN 'is written in ' || l.lanname END,
         CASE WHEN @prosqlbody@ THEN 'has a SQL-standard body (BEGIN ATOMIC or RETURN)' END,
         CASE WHEN p.proleakproof THEN 'is LEAKPROOF' END,
         CASE WHEN p.procost <> 100 AND l.lanname NOT IN ('c', 'internal') THEN 'has a COST' END,
         CASE WHEN (p.proretset AND p.prorows <> 1000) OR (NOT p.proretset AND p.prorows <> 0)
              THEN 'has a ROWS estimate' END,
         CASE WHEN p.prosupport <> 0 THEN 'has a SUPPORT function' END
       ], NULL) AS unsupported
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
                          AND d.objsubid = 0
WHERE p.prokind IN ('f', 'p') AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR TRUE)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)"
);

/// Triggers (not internal ones, which back foreign keys) of the tables and views in scope:
/// `tgtype` bits (1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead),
/// the `UPDATE OF` columns, the function, and `pg_get_triggerdef` for the `WHEN` condition and
/// the arguments.
pub const TRIGGERS: &str = concat!(
    "
SELECT n.nspname::text AS schema, c.relname::text AS table_name, t.tgname::text AS name,
       t.tgtype::int4 AS tgtype,
       ARRAY(SELECT a.attname::text FROM unnest(t.tgattr::int2[]) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum
             ORDER BY k.i) AS update_of,
       fn.nspname::text AS function_schema, f.proname::text AS function_name,
       pg_get_triggerdef(t.oid, true) AS definition,
       t.tgenabled::text AS enabled,
       t.tgconstraint <> 0 AS is_constraint, t.tgdeferrable AS deferrable,
       t.tginitdeferred AS initially_deferred,
       d.description AS comment,
       array_remove(ARRAY[
         CASE WHEN t.tgconstrrelid <> 0 THEN 'names the table its constraint refers to (FROM)' END,
         CASE WHEN t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL
              THEN 'has transition tables (REFERENCING)' END,
         NULL
       ], NULL) AS unsupported
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc f ON f.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_trigger'::regclass AND d.objoid = t.oid
                          AND d.objsubid = 0
WHERE NOT t.tgisinternal
  -- A partition's copy of its parent's trigger is the parent's.
  AND t.tgparentid = 0 AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname, t.tgname"
);

/// Domains and composite types (not the row types of tables) in scope. The base type of a
/// domain and each attribute of a composite type come as one JSON array `[name, type schema,
/// type name, type kind, typmod, element name, element schema, element kind, dimensions]`; a
/// domain's checks as names and `pg_get_constraintdef` texts.
pub const TYPES: &str = concat!(
    "
SELECT n.nspname::text AS schema, t.typname::text AS name, t.typtype::text AS kind,
       CASE WHEN t.typtype = 'd' THEN
         json_build_array('', bn.nspname, b.typname, b.typtype, t.typtypmod,
                          be.typname, ben.nspname, be.typtype, t.typndims)::text
            WHEN t.typtype = 'r' THEN
         (SELECT json_build_array('', sn.nspname, st.typname, st.typtype, -1,
                                  se.typname, sen.nspname, se.typtype, 0)::text
          FROM pg_range r JOIN pg_type st ON st.oid = r.rngsubtype
          JOIN pg_namespace sn ON sn.oid = st.typnamespace
          LEFT JOIN pg_type se ON se.oid = st.typelem AND se.typarray = st.oid
          LEFT JOIN pg_namespace sen ON sen.oid = se.typnamespace
          WHERE r.rngtypid = t.oid) END AS base,
       -- A range type's options, each only when not what PostgreSQL picks by itself.
       (SELECT opc.opcname::text FROM pg_range r JOIN pg_opclass opc ON opc.oid = r.rngsubopc
        WHERE r.rngtypid = t.oid AND NOT opc.opcdefault) AS range_opclass,
       (SELECT c.collname::text FROM pg_range r JOIN pg_type st ON st.oid = r.rngsubtype
        JOIN pg_collation c ON c.oid = r.rngcollation
        WHERE r.rngtypid = t.oid AND r.rngcollation <> st.typcollation) AS range_collation,
       (SELECT CASE WHEN p.pronamespace = 'pg_catalog'::regnamespace THEN p.proname::text
                    ELSE pn.nspname || '.' || p.proname END
        FROM pg_range r JOIN pg_proc p ON p.oid = r.rngsubdiff
        JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE r.rngtypid = t.oid) AS range_diff,
       @rngmultitypid@ AS range_multirange,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0, true) AS default_expr,
       ARRAY(SELECT c.conname::text FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS check_names,
       ARRAY(SELECT pg_get_constraintdef(c.oid, true) FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS check_defs,
       ARRAY(SELECT json_build_array(a.attname, atn.nspname, at.typname, at.typtype, a.atttypmod,
                                     ae.typname, aen.nspname, ae.typtype, a.attndims)::text
             FROM pg_attribute a
             JOIN pg_type at ON at.oid = a.atttypid
             JOIN pg_namespace atn ON atn.oid = at.typnamespace
             LEFT JOIN pg_type ae ON ae.oid = at.typelem AND ae.typarray = at.oid
             LEFT JOIN pg_namespace aen ON aen.oid = ae.typnamespace
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attributes,
       obj_description(t.oid, 'pg_type') AS comment,
       array_remove(ARRAY[
         CASE WHEN t.typcollation <> 0 AND t.typtype = 'd'
                   AND t.typcollation <> coalesce(b.typcollation, 0)
              THEN 'has a collation' END,
         CASE WHEN t.typacl IS NOT NULL THEN 'has privileges granted or revoked (GRANT/REVOKE)' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contypid = t.oid
                             AND c.contype = 'c' AND NOT c.convalidated)
              THEN 'has a NOT VALID check' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_range r WHERE r.rngtypid = t.oid
                             AND r.rngcanonical <> 0)
              THEN 'has a CANONICAL function' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_range r JOIN pg_collation c ON c.oid = r.rngcollation
                           WHERE r.rngtypid = t.oid
                             AND c.collnamespace <> 'pg_catalog'::regnamespace)
              THEN 'has a collation outside pg_catalog' END
       ], NULL) AS unsupported
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type b ON b.oid = t.typbasetype AND t.typtype = 'd'
LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace
LEFT JOIN pg_type be ON be.oid = b.typelem AND be.typarray = b.oid
LEFT JOIN pg_namespace ben ON ben.oid = be.typnamespace
WHERE (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR TRUE)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = t.typrelid AND e.deptype = 'e')
ORDER BY n.nspname, t.typname"
);

/// Privileges on the tables, views, materialized views, sequences, functions, procedures and
/// schemas in scope granted to roles other than the owner, one row per object and grantee
/// (`PUBLIC` for everyone), privileges sorted; whether any is grantable (`WITH GRANT OPTION`,
/// which the model cannot hold). A routine's ACL is read only where it is set (else it is the
/// default, `PUBLIC` `EXECUTE`), with one extra row of role `''` and no privileges, so that an
/// ACL revoked down to nothing still says it is set; `args` is a routine's identity arguments. The `public` schema is not managed, so its ACL is not read.
pub const GRANTS: &str = concat!(
    "
SELECT n.nspname::text AS schema, c.relname::text AS name,
       -- A partitioned table's privileges are a table's.
       CASE c.relkind WHEN 'p' THEN 'r' ELSE c.relkind::text END AS kind,
       NULL::text AS args,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END AS role,
       array_agg(x.privilege_type::text ORDER BY x.privilege_type::text) AS privileges,
       bool_or(x.is_grantable) AS grantable
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) AS x
WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND x.grantee <> c.relowner
  AND ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
GROUP BY n.nspname, c.relname, c.relkind, x.grantee
UNION ALL
SELECT n.nspname::text, p.proname::text, p.prokind::text,
       pg_get_function_identity_arguments(p.oid)::text,
       CASE WHEN x.grantee IS NULL THEN '' WHEN x.grantee = 0 THEN 'PUBLIC'
            ELSE pg_get_userbyid(x.grantee)::text END,
       coalesce(array_agg(x.privilege_type::text ORDER BY x.privilege_type::text)
                  FILTER (WHERE x.grantee IS NOT NULL), '{}'),
       coalesce(bool_or(x.is_grantable), false)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL (SELECT a.grantee, a.privilege_type, a.is_grantable FROM aclexplode(p.proacl) a
                    UNION ALL SELECT NULL::oid, NULL::text, false) AS x
WHERE p.proacl IS NOT NULL AND p.prokind IN ('f', 'p') AND x.grantee IS DISTINCT FROM p.proowner
  AND ",
    namespace_filter!(),
    "
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
GROUP BY n.nspname, p.proname, p.prokind, p.oid, x.grantee
UNION ALL
SELECT n.nspname::text, n.nspname::text, 'n', NULL,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END,
       array_agg(x.privilege_type::text ORDER BY x.privilege_type::text),
       bool_or(x.is_grantable)
FROM pg_namespace n
CROSS JOIN LATERAL aclexplode(n.nspacl) AS x
WHERE n.nspacl IS NOT NULL AND n.nspname <> 'public' AND x.grantee <> n.nspowner
  AND ",
    namespace_filter!(),
    "
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
GROUP BY n.nspname, x.grantee
ORDER BY 1, 2, 3, 4, 5"
);

/// Row-level security policies of the tables in scope, their roles by name (`public` for
/// PUBLIC) and their expressions as PostgreSQL prints them back.
pub const POLICIES: &str = concat!(
    "
SELECT n.nspname::text AS schema, c.relname::text AS table_name, p.polname::text AS name,
       p.polpermissive AS permissive, p.polcmd::text AS command,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
             FROM unnest(p.polroles) AS r ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid, true) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid, true) AS check_expr,
       d.description AS comment
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid
                          AND d.objsubid = 0
WHERE ",
    namespace_filter!(),
    "
  AND ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
ORDER BY n.nspname, c.relname, p.polname"
);

/// Every user object in scope that the model cannot represent (yet), and every attribute of a
/// represented object that it would lose, one row each: `kind`, `schema`, the `table` it belongs
/// to (if any), `name`, and `detail`. Objects of extensions are left out, as everywhere. What a
/// column, key, check, foreign key or index would lose comes with its own row instead (the
/// `unsupported` column of [`COLUMNS`], [`CONSTRAINTS`], [`INDEXES`]), so those catalogs are
/// scanned once.
pub const INVENTORY: &str = concat!(
    "
WITH ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n WHERE ",
    namespace_filter!(),
    "
), ext AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), tbl AS (
  SELECT c.oid, c.relname, c.relkind, ns.nspname FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE ($2::text IS NULL OR left(c.relname, length($2::text)) <> $2::text)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
)
SELECT kind::text, schema::text, table_name::text, name::text, detail::text FROM (
  SELECT 'foreign table' AS kind,
         c.nspname AS schema, NULL AS table_name, c.relname AS name, '' AS detail
  FROM tbl c WHERE c.relkind = 'f'
    AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
  UNION ALL
  SELECT CASE WHEN pc.relispartition THEN 'partition' ELSE 'inheriting table' END,
         c.nspname, NULL, c.relname,
         CASE WHEN pc.relispartition THEN 'of ' || pn.nspname || '.' || p.relname
                || ' in another schema (a partition is declared under its parent, in its schema)'
              ELSE 'of ' || pn.nspname || '.' || p.relname END
  FROM pg_inherits i JOIN tbl c ON c.oid = i.inhrelid
  JOIN pg_class pc ON pc.oid = c.oid
  JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f')
    -- Partitions in their parent's schema are read as tables.
    AND (NOT pc.relispartition OR pc.relkind = 'f' OR pn.nspname <> c.nspname)
  UNION ALL
  SELECT q.kind, q.schema, q.table_name, q.name, d.detail
  FROM (SELECT 'table' AS kind,
        c.nspname AS schema,
        NULL AS table_name,
        c.relname AS name,
        array_remove(ARRAY[
          -- An ordinary table's are read; a partition's the spec cannot declare yet.
          CASE WHEN r.relpersistence = 'u' AND r.relispartition THEN 'is UNLOGGED' END,
          CASE WHEN r.reloptions IS NOT NULL AND (r.relispartition OR r.relkind = 'p')
                THEN 'has storage parameters (' || array_to_string(r.reloptions, ', ') || ')' END,
          CASE WHEN r.relispartition AND (SELECT t.reloptions FROM pg_class t WHERE t.oid = r.reltoastrelid) IS NOT NULL
                THEN 'has TOAST storage parameters' END,
          CASE WHEN r.relam <> 0 AND r.relam <> (SELECT oid FROM pg_am WHERE amname = 'heap')
                THEN 'uses table access method ' || (SELECT amname FROM pg_am WHERE oid = r.relam) END,
          CASE WHEN r.reltablespace <> 0
                THEN 'is in tablespace ' || (SELECT spcname FROM pg_tablespace WHERE oid = r.reltablespace) END,
          -- An ordinary table's is read; a partition's the spec cannot declare yet.
          CASE WHEN r.relreplident <> 'd' AND r.relispartition
               THEN 'has a non-default REPLICA IDENTITY' END,
          NULL
        ], NULL) AS details
    FROM tbl c JOIN pg_class r ON r.oid = c.oid
    WHERE c.relkind IN ('r', 'p')
  ) AS q CROSS JOIN LATERAL unnest(q.details) AS d(detail)
  WHERE q.details <> '{}'
  UNION ALL
  SELECT q.kind, q.schema, q.table_name, q.name, d.detail
  FROM (SELECT 'not-null constraint' AS kind,
        c.nspname AS schema,
        c.relname AS table_name,
        co.conname AS name,
        array_remove(ARRAY[
          CASE WHEN NOT co.convalidated AND co.contype = 'n' THEN 'is NOT VALID' END,
          CASE WHEN co.connoinherit AND co.contype = 'n' THEN 'is NO INHERIT' END,
          -- PostgreSQL 18 names NOT NULL constraints `<table>_<column>_not_null`; another name
          -- (one given, or left behind by a rename) is something the spec cannot say yet.
          CASE WHEN co.contype = 'n'
                     AND co.conname <> (c.relname || '_' || na.attname || '_not_null')
                     AND octet_length(c.relname || '_' || na.attname || '_not_null') <= 63
                THEN 'has a name other than PostgreSQL''s derived one' END,
          CASE WHEN dco.objoid IS NOT NULL THEN 'has a comment' END
        ], NULL) AS details
    FROM pg_constraint co JOIN tbl c ON c.oid = co.conrelid
    LEFT JOIN pg_attribute na ON co.contype = 'n' AND na.attrelid = co.conrelid AND na.attnum = co.conkey[1]
    LEFT JOIN pg_description dco ON dco.classoid = 'pg_constraint'::regclass AND dco.objoid = co.oid
                                AND dco.objsubid = 0
    WHERE co.contype = 'n' AND c.relkind IN ('r', 'p')
      -- A partition's copies of its parent's constraints (and their names) are the parent's.
      AND co.conislocal
  ) AS q CROSS JOIN LATERAL unnest(q.details) AS d(detail)
  WHERE q.details <> '{}'
  UNION ALL
  SELECT q.kind, q.schema, q.table_name, q.name, d.detail
  FROM (SELECT 'sequence' AS kind,
        c.nspname AS schema,
        NULL AS table_name,
        c.relname AS name,
        array_remove(ARRAY[
          CASE WHEN r.relpersistence = 'u' THEN 'is UNLOGGED' END
        ], NULL) AS details
    FROM tbl c JOIN pg_class r ON r.oid = c.oid
    WHERE c.relkind = 'S'
  ) AS q CROSS JOIN LATERAL unnest(q.details) AS d(detail)
  WHERE q.details <> '{}'
  UNION ALL
  SELECT 'type', ns.nspname, NULL, t.typname, 'has privileges granted or revoked (GRANT/REVOKE)'
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype = 'e' AND t.typacl IS NOT NULL
  UNION ALL
  SELECT 'default privileges', coalesce(ns.nspname, ''), NULL,
         pg_get_userbyid(d.defaclrole) || ' on ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables'
           WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' ELSE 'schemas' END,
         'ALTER DEFAULT PRIVILEGES'
  FROM pg_default_acl d LEFT JOIN ns ON ns.oid = d.defaclnamespace
  WHERE d.defaclnamespace = 0 OR ns.oid IS NOT NULL
  UNION ALL
  SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END,
         ns.nspname, NULL, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', ''
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.prokind IN ('a', 'w') AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
    -- A range type's constructors belong to the type (deptype 'i'), not to the user.
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'i')
  UNION ALL
  SELECT 'rule', c.nspname, c.relname, r.rulename, ''
  FROM pg_rewrite r JOIN tbl c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN'
  UNION ALL
  SELECT 'base type', ns.nspname, NULL, t.typname, ''
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype = 'b' AND t.typcategory <> 'A'
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = t.typrelid)
  UNION ALL
  SELECT 'collation', ns.nspname, NULL, co.collname, ''
  FROM pg_collation co JOIN ns ON ns.oid = co.collnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_collation'::regclass AND ext.objid = co.oid)
  UNION ALL
  SELECT 'text search configuration', ns.nspname, NULL, x.cfgname, ''
  FROM pg_ts_config x JOIN ns ON ns.oid = x.cfgnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = x.oid)
  UNION ALL
  SELECT 'text search dictionary', ns.nspname, NULL, x.dictname, ''
  FROM pg_ts_dict x JOIN ns ON ns.oid = x.dictnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_dict'::regclass AND ext.objid = x.oid)
  UNION ALL
  SELECT 'operator', ns.nspname, NULL, o.oprname || '(' || coalesce(format_type(o.oprleft, NULL), 'NONE')
         || ', ' || coalesce(format_type(o.oprright, NULL), 'NONE') || ')', ''
  FROM pg_operator o JOIN ns ON ns.oid = o.oprnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid)
  UNION ALL
  SELECT 'operator class', ns.nspname, NULL, o.opcname, ''
  FROM pg_opclass o JOIN ns ON ns.oid = o.opcnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opclass'::regclass AND ext.objid = o.oid)
  UNION ALL
  SELECT 'operator family', ns.nspname, NULL, o.opfname, ''
  FROM pg_opfamily o JOIN ns ON ns.oid = o.opfnamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opfamily'::regclass AND ext.objid = o.oid)
    AND NOT EXISTS (SELECT 1 FROM pg_opclass oc WHERE oc.opcfamily = o.oid AND oc.opcname = o.opfname
                      AND oc.opcnamespace = o.opfnamespace)
  UNION ALL
  SELECT 'conversion', ns.nspname, NULL, x.conname, ''
  FROM pg_conversion x JOIN ns ON ns.oid = x.connamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_conversion'::regclass AND ext.objid = x.oid)
  UNION ALL
  SELECT 'statistics object', ns.nspname, NULL, x.stxname, ''
  FROM pg_statistic_ext x JOIN ns ON ns.oid = x.stxnamespace
  UNION ALL
  SELECT 'event trigger', '', NULL, x.evtname, ''
  FROM pg_event_trigger x
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_event_trigger'::regclass AND ext.objid = x.oid)
  UNION ALL
  SELECT 'publication', '', NULL, x.pubname, ''
  FROM pg_publication x
  UNION ALL
  SELECT 'schema', '', NULL, n.nspname,
         'is not named by the spec, which reads only the schemas it names; it holds objects'
  FROM pg_namespace n
  WHERE $1::text[] IS NOT NULL AND NOT (n.nspname = ANY($1::text[]))
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_namespace'::regclass AND ext.objid = n.oid)
    AND (EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid
                   AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                     AND d.objid = c.oid AND d.deptype = 'e'))
         OR EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd', 'r', 'c', 'b')
                      AND t.typcategory <> 'A' AND t.typrelid = 0
                      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid))
         OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid
                      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)))
) AS inventory
ORDER BY schema, table_name NULLS FIRST, name, kind, detail"
);

/// `query` for a server of `server_version_num` (`current_setting`'s number, 180000 for 18.0):
/// each `@name@` marker becomes its condition on a server that has the catalog column, and
/// `false` on one that does not (the column came with the feature it records).
pub fn for_server(query: &str, server_version_num: i32) -> String {
    let since_or = |version: i32, condition: &str, otherwise: &str| {
        if server_version_num >= version {
            condition.to_string()
        } else {
            otherwise.to_string()
        }
    };
    let since = |version: i32, condition: &str| since_or(version, condition, "false");
    query
        .replace(
            "@attcompression@",
            &since_or(
                140000,
                "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END",
                "NULL::text",
            ),
        )
        .replace(
            "@confdelsetcols@",
            &since(150000, "co.confdelsetcols IS NOT NULL"),
        )
        .replace("@conperiod@", &since(180000, "co.conperiod"))
        .replace(
            "@rngmultitypid@",
            &since_or(
                140000,
                "(SELECT mt.typname::text FROM pg_range r JOIN pg_type mt ON mt.oid = r.rngmultitypid WHERE r.rngtypid = t.oid)",
                "NULL::text",
            ),
        )
        .replace("@conenforced@", &since(180000, "NOT co.conenforced"))
        .replace("@prosqlbody@", &since(140000, "p.prosqlbody IS NOT NULL"))
}

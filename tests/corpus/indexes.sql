-- Schema-change cases (indexes), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_btree_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a);

-- case: add_btree_two_keys
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_ab_idx ON t (a, b);

-- case: add_desc_nulls_first
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_c_idx ON t (c DESC NULLS LAST, a NULLS FIRST);

-- case: add_unique_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE UNIQUE INDEX t_b_key2 ON t (b);

-- case: add_unique_nulls_not_distinct_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE UNIQUE INDEX t_b_u ON t (b) NULLS NOT DISTINCT;

-- case: add_partial_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_open ON t (a) WHERE b <> 'closed';

-- case: add_expression_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_lower ON t (lower(b));

-- case: add_include_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_cover ON t (a) INCLUDE (b);

-- case: add_text_pattern_ops
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_b_like ON t (b text_pattern_ops);

-- case: add_varchar_pattern
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_b_like2 ON t (b varchar_pattern_ops);

-- case: add_gin_jsonb
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_j ON t USING gin (j);

-- case: add_gin_jsonb_path_ops
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_jp ON t USING gin (j jsonb_path_ops);

-- case: add_brin
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_c_brin ON t USING brin (c) WITH (pages_per_range = 64);

-- case: add_hash
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_b_hash ON t USING hash (b);

-- case: add_gist_tsvector
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_fts_gist ON t USING gist (to_tsvector('simple', b));

-- case: add_spgist_text
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_b_sp ON t USING spgist (b);

-- case: add_fillfactor
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_ff ON t (a) WITH (fillfactor = 70);

-- case: add_index_comment
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a); COMMENT ON INDEX t_a_idx IS 'hot path';

-- case: add_tsvector_gin
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_fts ON t USING gin (to_tsvector('english', b));

-- case: drop_index
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying);

-- case: rename_index_same_definition
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_index ON t (a);

-- case: change_index_keys
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a, b);

-- case: change_partial_predicate
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a) WHERE a > 0;
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a) WHERE a > 10;

-- case: unique_to_plain
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE UNIQUE INDEX t_a_idx ON t (a);
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c timestamptz, j jsonb, bits bit varying); CREATE INDEX t_a_idx ON t (a);

-- case: index_collation
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (name text, code varchar(10) COLLATE "C"); CREATE INDEX t_name_c ON t (name COLLATE "C" text_pattern_ops); CREATE INDEX t_code_posix ON t (code COLLATE "POSIX", lower(name) COLLATE "C" DESC);

-- case: index_collation_changed
-- expect: converge
-- current:
CREATE TABLE t (name text); CREATE INDEX t_name ON t (name COLLATE "C");
-- desired:
CREATE TABLE t (name text); CREATE INDEX t_name ON t (name COLLATE "POSIX");

-- case: index_expression_of_collated_column
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (name text COLLATE "C"); CREATE INDEX t_lower ON t (lower(name));

-- case: opclass_parameters
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION pg_trgm; CREATE TABLE t (s text, doc tsvector); CREATE INDEX t_s_trgm ON t USING gist (s gist_trgm_ops(siglen = 32)); CREATE INDEX t_doc ON t USING gist (doc tsvector_ops (siglen = 100));

-- case: opclass_parameters_changed
-- expect: converge
-- current:
CREATE EXTENSION pg_trgm; CREATE TABLE t (s text); CREATE INDEX t_s_trgm ON t USING gist (s gist_trgm_ops(siglen = 32));
-- desired:
CREATE EXTENSION pg_trgm; CREATE TABLE t (s text); CREATE INDEX t_s_trgm ON t USING gist (s gist_trgm_ops(siglen = 64));

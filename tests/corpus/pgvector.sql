-- Schema-change cases (pgvector), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_hnsw_cosine
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);

-- case: add_hnsw_l2
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_l2_ops);

-- case: add_hnsw_ip_options
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_ip_ops) WITH (m = 24, ef_construction = 100);

-- case: add_hnsw_l1
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_l1_ops);

-- case: add_ivfflat_default_class
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e) WITH (lists = 10);

-- case: add_ivfflat_explicit_l2
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e vector_l2_ops);

-- case: add_ivfflat_cosine
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e vector_cosine_ops) WITH (lists = 50);

-- case: add_hnsw_halfvec
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_h ON d USING hnsw (h halfvec_cosine_ops);

-- case: add_hnsw_bit_hamming
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_b ON d USING hnsw (b bit_hamming_ops);

-- case: add_hnsw_bit_jaccard
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_b ON d USING hnsw (b bit_jaccard_ops);

-- case: add_hnsw_sparsevec
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_s ON d USING hnsw (s sparsevec_ip_ops);

-- case: add_halfvec_expression
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_big ON d USING hnsw ((big::halfvec(3072)) halfvec_cosine_ops);

-- case: add_binary_quantize
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_bq ON d USING hnsw ((binary_quantize(big)::bit(3072)) bit_hamming_ops);

-- case: add_hnsw_partial
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops) WHERE e IS NOT NULL;

-- case: add_ivfflat_halfvec
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_h ON d USING ivfflat (h halfvec_l2_ops) WITH (lists = 5);

-- case: add_ivfflat_bit
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072));
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_b ON d USING ivfflat (b bit_hamming_ops);

-- case: hnsw_change_m
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops) WITH (m = 32);

-- case: hnsw_change_class
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_l2_ops);

-- case: hnsw_to_ivfflat
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e vector_cosine_ops);

-- case: ivfflat_change_lists
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e) WITH (lists = 10);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING ivfflat (e) WITH (lists = 20);

-- case: embedding_dims_change_with_index
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(3), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id bigint PRIMARY KEY, e vector(5), h halfvec(4), b bit(64), s sparsevec(100), big vector(3072)); CREATE INDEX d_e ON d USING hnsw (e vector_cosine_ops);

-- case: add_extension
-- expect: converge
-- current:
CREATE TABLE d (id int);
-- desired:
CREATE EXTENSION vector; CREATE TABLE d (id int, e vector(3));

-- case: vector_in_extension_schema
-- expect: converge
-- current:
CREATE SCHEMA extensions;
-- desired:
CREATE SCHEMA extensions; CREATE EXTENSION vector SCHEMA extensions; CREATE TABLE d (id int, e extensions.vector(3)); CREATE INDEX d_e ON d USING hnsw (e extensions.vector_cosine_ops);

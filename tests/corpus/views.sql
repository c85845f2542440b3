-- Schema-change cases (views), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: view_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;

-- case: materialized_view_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;

-- case: view_on_view_with_comments
-- expect: converge
-- current:
CREATE TABLE documents (id bigserial PRIMARY KEY, title text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
-- desired:
CREATE TABLE documents (id bigserial PRIMARY KEY, title text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE VIEW recent_documents AS SELECT id, title, created_at FROM documents WHERE created_at > now() - interval '7 days';
CREATE VIEW recent_titles AS SELECT title FROM recent_documents ORDER BY created_at DESC;
COMMENT ON VIEW recent_documents IS 'Documents of the last week';
COMMENT ON COLUMN recent_documents.title IS 'As uploaded';

-- case: view_query_changes_in_place
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL, body text);
CREATE VIEW titles AS SELECT id, title FROM documents;
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL, body text);
CREATE VIEW titles AS SELECT id, title, length(body) AS body_length FROM documents WHERE body IS NOT NULL;

-- case: view_columns_reordered
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL);
CREATE VIEW titles AS SELECT id, title FROM documents;
CREATE VIEW counts AS SELECT count(*) AS n FROM titles;
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL);
CREATE VIEW titles AS SELECT title, id FROM documents;
CREATE VIEW counts AS SELECT count(*) AS n FROM titles;

-- case: column_type_change_under_a_view
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, title varchar(100) NOT NULL);
CREATE VIEW titles AS SELECT id, upper(title) AS loud FROM documents;
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL);
CREATE VIEW titles AS SELECT id, upper(title) AS loud FROM documents;

-- case: dropped_column_and_its_view
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL, legacy text);
CREATE VIEW legacy_view AS SELECT id, legacy FROM documents;
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL);

-- case: security_invoker_and_barrier_views
-- expect: converge
-- current:
CREATE TABLE accounts (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, email text NOT NULL);
-- desired:
CREATE TABLE accounts (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, email text NOT NULL);
CREATE VIEW my_accounts WITH (security_invoker = true) AS SELECT id, email FROM accounts WHERE tenant_id = 1;
CREATE VIEW hidden_accounts WITH (security_barrier) AS SELECT id FROM accounts WHERE email NOT LIKE '%@internal';
CREATE VIEW writable_accounts AS SELECT id, tenant_id, email FROM accounts WHERE tenant_id = 2 WITH CASCADED CHECK OPTION;

-- case: materialized_view_with_unique_and_hnsw_indexes
-- expect: converge
-- current:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE chunks (id bigserial PRIMARY KEY, tenant_id bigint NOT NULL, embedding vector(3) NOT NULL);
-- desired:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE chunks (id bigserial PRIMARY KEY, tenant_id bigint NOT NULL, embedding vector(3) NOT NULL);
CREATE MATERIALIZED VIEW tenant_centroids AS SELECT tenant_id, avg(embedding)::vector(3) AS centroid, count(*) AS n FROM chunks GROUP BY tenant_id;
CREATE UNIQUE INDEX tenant_centroids_tenant_id_key ON tenant_centroids (tenant_id);
CREATE INDEX tenant_centroids_centroid_idx ON tenant_centroids USING hnsw (centroid vector_cosine_ops);
COMMENT ON MATERIALIZED VIEW tenant_centroids IS 'Refreshed nightly';

-- case: materialized_view_query_changes
-- expect: converge
-- current:
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric(10,2) NOT NULL);
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX customer_totals_key ON customer_totals (customer_id);
-- desired:
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric(10,2) NOT NULL);
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, sum(total) AS total, count(*) AS orders FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX customer_totals_key ON customer_totals (customer_id);

-- case: materialized_view_without_data_and_storage
-- expect: converge
-- current:
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);
-- desired:
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);
CREATE MATERIALIZED VIEW event_kinds WITH (fillfactor = 70) AS SELECT kind, count(*) AS n FROM events GROUP BY kind WITH NO DATA;

-- case: views_in_another_schema
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE SCHEMA reporting;
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE SCHEMA reporting;
CREATE VIEW reporting.per_tenant AS SELECT tenant_id, count(*) AS n FROM public.documents GROUP BY tenant_id;
CREATE VIEW reporting.busy_tenants AS SELECT tenant_id FROM reporting.per_tenant WHERE n > 100;

-- (PostgreSQL keeps `security_invoker = on` spelled as written, and tidemark writes `true`: the
-- two mean the same and compare equal, but only `true` dumps identically after a rebuild.)
-- case: supabase_profiles_view
-- expect: converge
-- current:
CREATE TABLE profiles (id uuid PRIMARY KEY, username text UNIQUE, avatar_url text, updated_at timestamptz);
-- desired:
CREATE TABLE profiles (id uuid PRIMARY KEY, username text UNIQUE, avatar_url text, updated_at timestamptz);
CREATE VIEW public_profiles WITH (security_invoker = true) AS SELECT id, username, avatar_url FROM profiles WHERE username IS NOT NULL;

-- case: langchain_documents_view_over_embeddings
-- expect: converge
-- current:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE langchain_pg_collection (uuid uuid PRIMARY KEY, name varchar NOT NULL UNIQUE, cmetadata json);
CREATE TABLE langchain_pg_embedding (id varchar PRIMARY KEY, collection_id uuid REFERENCES langchain_pg_collection (uuid) ON DELETE CASCADE, embedding vector(3), document varchar, cmetadata jsonb);
-- desired:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE langchain_pg_collection (uuid uuid PRIMARY KEY, name varchar NOT NULL UNIQUE, cmetadata json);
CREATE TABLE langchain_pg_embedding (id varchar PRIMARY KEY, collection_id uuid REFERENCES langchain_pg_collection (uuid) ON DELETE CASCADE, embedding vector(3), document varchar, cmetadata jsonb);
CREATE VIEW collection_documents AS SELECT c.name AS collection, e.id, e.document, e.embedding FROM langchain_pg_embedding e JOIN langchain_pg_collection c ON c.uuid = e.collection_id;

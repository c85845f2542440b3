-- Schema-change cases (functions), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: function_from_empty
-- expect: converge
-- current:

-- desired:
CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';

-- case: procedure_from_empty
-- expect: converge
-- current:

-- desired:
CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';

-- case: trigger_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();

-- case: function_options
-- expect: converge
-- current:

-- desired:
CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT lower(regexp_replace(t, '[^a-zA-Z0-9]+', '-', 'g')) $$;
CREATE FUNCTION whoami() RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN current_user;
END;
$$;
COMMENT ON FUNCTION whoami() IS 'Runs as its owner';

-- case: overloaded_functions
-- expect: converge
-- current:
CREATE FUNCTION area(r double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT pi() * r * r';
-- desired:
CREATE FUNCTION area(r double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT pi() * r * r';
CREATE FUNCTION area(w double precision, h double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT w * h';

-- case: function_body_changes
-- expect: converge
-- current:
CREATE FUNCTION greeting(name text DEFAULT 'world') RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || name $$;
-- desired:
CREATE FUNCTION greeting(name text DEFAULT 'world') RETURNS text LANGUAGE sql AS $$ SELECT 'hi ' || name $$;

-- case: function_result_changes
-- expect: converge
-- current:
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
-- desired:
CREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';

-- case: supabase_match_documents
-- expect: converge
-- current:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE documents (id bigserial PRIMARY KEY, content text, embedding vector(3));
-- desired:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE documents (id bigserial PRIMARY KEY, content text, embedding vector(3));
CREATE INDEX ON documents USING hnsw (embedding vector_cosine_ops);
CREATE OR REPLACE FUNCTION match_documents (
  query_embedding vector(3),
  match_threshold float,
  match_count int
)
RETURNS TABLE (
  id bigint,
  content text,
  similarity float
)
LANGUAGE sql STABLE
AS $$
  SELECT
    documents.id,
    documents.content,
    1 - (documents.embedding <=> query_embedding) AS similarity
  FROM documents
  WHERE 1 - (documents.embedding <=> query_embedding) > match_threshold
  ORDER BY documents.embedding <=> query_embedding
  LIMIT match_count;
$$;

-- case: langchain_hybrid_search_function_and_tsvector_trigger
-- expect: converge
-- current:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE chunks (id bigserial PRIMARY KEY, content text NOT NULL, content_tsv tsvector, embedding vector(3));
-- desired:
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE chunks (id bigserial PRIMARY KEY, content text NOT NULL, content_tsv tsvector, embedding vector(3));
CREATE INDEX chunks_tsv_idx ON chunks USING gin (content_tsv);
CREATE TRIGGER chunks_tsv_update BEFORE INSERT OR UPDATE ON chunks FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(content_tsv, 'pg_catalog.english', content);

-- case: updated_at_triggers_on_every_table
-- expect: converge
-- current:
CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE posts (id bigint PRIMARY KEY, title text, updated_at timestamptz NOT NULL DEFAULT now());
-- desired:
CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE posts (id bigint PRIMARY KEY, title text, updated_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER posts_updated_at BEFORE UPDATE ON posts FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION set_updated_at();
COMMENT ON TRIGGER posts_updated_at ON posts IS 'Only when something changed';

-- case: trigger_changes_events_and_columns
-- expect: converge
-- current:
CREATE TABLE posts (id bigint PRIMARY KEY, title text, body text, touched int NOT NULL DEFAULT 0);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.touched = NEW.touched + 1; RETURN NEW; END$$;
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();
-- desired:
CREATE TABLE posts (id bigint PRIMARY KEY, title text, body text, touched int NOT NULL DEFAULT 0);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.touched = NEW.touched + 1; RETURN NEW; END$$;
CREATE TRIGGER posts_touch BEFORE INSERT OR UPDATE OF title, body ON posts FOR EACH ROW EXECUTE FUNCTION touch();

-- case: statement_trigger_with_arguments
-- expect: converge
-- current:

-- desired:
CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), what text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY);
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO audit_log (what) VALUES (TG_ARGV[0] || ' ' || TG_OP); RETURN NULL; END$$;
CREATE TRIGGER orders_audit AFTER INSERT OR DELETE OR TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION log_change('orders', 'it''s');

-- case: instead_of_trigger_on_view
-- expect: converge
-- current:

-- desired:
CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE VIEW item_names AS SELECT id, name FROM items;
CREATE FUNCTION insert_item() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO items (name) VALUES (NEW.name); RETURN NEW; END$$;
CREATE TRIGGER item_names_insert INSTEAD OF INSERT ON item_names FOR EACH ROW EXECUTE FUNCTION insert_item();

-- case: view_calling_a_function
-- expect: converge
-- current:

-- desired:
CREATE TABLE prices (id bigint PRIMARY KEY, cents bigint NOT NULL);
CREATE FUNCTION euros(cents bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT cents / 100.0 $$;
CREATE VIEW price_list AS SELECT id, euros(cents) AS euros FROM prices;

-- case: function_in_another_schema
-- expect: converge
-- current:
CREATE SCHEMA util;
-- desired:
CREATE SCHEMA util;
CREATE FUNCTION util.clamp(v int, lo int, hi int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT greatest(lo, least(hi, v)) $$;

-- Schema-change cases (grants), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only (privileges
-- included) must be equal.

-- case: view_with_grant
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; GRANT SELECT ON v TO PUBLIC;

-- case: table_and_sequence_grants_change
-- expect: converge
-- current:
CREATE SEQUENCE ticket;
CREATE TABLE orders (id bigint PRIMARY KEY, note text);
GRANT SELECT, INSERT ON orders TO PUBLIC;
-- desired:
CREATE SEQUENCE ticket;
CREATE TABLE orders (id bigint PRIMARY KEY, note text);
GRANT SELECT, UPDATE ON orders TO PUBLIC;
GRANT USAGE ON SEQUENCE ticket TO PUBLIC;

-- case: function_revoked_from_public
-- expect: converge
-- current:

-- desired:
CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'; REVOKE EXECUTE ON FUNCTION one() FROM PUBLIC;

-- case: function_procedure_and_schema_grants_from_defaults
-- expect: converge
-- current:
DO $$ BEGIN CREATE ROLE tm_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE tm_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA app;
CREATE TABLE app.notes (id bigint PRIMARY KEY, body text);
CREATE FUNCTION app.note_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM app.notes';
CREATE PROCEDURE app.purge(keep bigint) LANGUAGE sql AS 'DELETE FROM app.notes WHERE id > keep';
CREATE FUNCTION app.open_to_all() RETURNS int LANGUAGE sql AS 'SELECT 1';
-- desired:
DO $$ BEGIN CREATE ROLE tm_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE tm_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO tm_app, tm_reader;
GRANT CREATE ON SCHEMA app TO tm_app;
CREATE TABLE app.notes (id bigint PRIMARY KEY, body text);
CREATE FUNCTION app.note_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM app.notes';
REVOKE EXECUTE ON FUNCTION app.note_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.note_count() TO tm_reader;
CREATE PROCEDURE app.purge(keep bigint) LANGUAGE sql AS 'DELETE FROM app.notes WHERE id > keep';
REVOKE EXECUTE ON PROCEDURE app.purge(bigint) FROM PUBLIC;
-- Revoked and granted back: the default again, which pg_dump does not print either.
CREATE FUNCTION app.open_to_all() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION app.open_to_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.open_to_all() TO PUBLIC;

-- A spec without `grants:` on the function does not manage them: the live ones are reported,
-- not revoked (`grants: { public: execute }` would bring back the default).
-- case: function_grants_back_to_the_default_need_declaring
-- expect: refuse
-- current:
DO $$ BEGIN CREATE ROLE tm_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
REVOKE EXECUTE ON FUNCTION add_one(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add_one(int) TO tm_app;
-- desired:
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';

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

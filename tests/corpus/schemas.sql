-- Schema-change cases (schemas), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: new_schema_with_table
-- expect: converge
-- current:

-- desired:
CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY);

-- case: drop_schema
-- expect: refuse
-- current:
CREATE SCHEMA app; CREATE TABLE app.items (id int);
-- desired:


-- case: table_moves_schema
-- expect: converge
-- current:
CREATE TABLE items (id int);
-- desired:
CREATE SCHEMA app; CREATE TABLE app.items (id int);

-- case: two_schemas_same_table_name
-- expect: converge
-- current:

-- desired:
CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id int); CREATE TABLE b.t (id int);

-- case: empty_schema
-- expect: converge
-- current:

-- desired:
CREATE SCHEMA empty;

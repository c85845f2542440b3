-- Schema-change cases (changes), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: drop_table
-- expect: converge
-- current:
CREATE TABLE a (id int); CREATE TABLE b (id int);
-- desired:
CREATE TABLE a (id int);

-- case: drop_column
-- expect: converge
-- current:
CREATE TABLE t (a int, b int);
-- desired:
CREATE TABLE t (a int);

-- case: drop_column_with_index
-- expect: converge
-- current:
CREATE TABLE t (a int, b int); CREATE INDEX t_b ON t (b);
-- desired:
CREATE TABLE t (a int);

-- case: drop_everything
-- expect: converge
-- current:
CREATE TYPE m AS ENUM ('x'); CREATE TABLE t (id serial PRIMARY KEY, m m); CREATE INDEX t_m ON t (m);
-- desired:


-- case: empty_to_empty
-- expect: converge
-- current:

-- desired:


-- case: many_changes
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a text, b int); CREATE INDEX t_a ON t (a);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, a varchar(100) NOT NULL DEFAULT '', c jsonb); CREATE INDEX t_a ON t (a, c); COMMENT ON TABLE t IS 'changed';

-- case: table_with_no_columns
-- expect: converge
-- current:

-- desired:
CREATE TABLE nothing ();

-- case: generated_over_retyped_column
-- expect: converge
-- current:
CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a + 1) STORED);
-- desired:
CREATE TABLE t (a bigint, g bigint GENERATED ALWAYS AS (a + 1) STORED);

-- case: column_added_in_the_middle
-- expect: note
-- current:
CREATE TABLE t (a int, c int);
-- desired:
CREATE TABLE t (a int, b int, c int);

-- case: columns_reordered
-- expect: note
-- current:
CREATE TABLE t (a int, b int);
-- desired:
CREATE TABLE t (b int, a int);

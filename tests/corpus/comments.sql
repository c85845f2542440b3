-- Schema-change cases (comments), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_table_comment
-- expect: converge
-- current:
CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int); COMMENT ON TABLE t IS 'rows';

-- case: add_column_comment
-- expect: converge
-- current:
CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'the a';

-- case: add_comment_with_quotes
-- expect: converge
-- current:
CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int); COMMENT ON TABLE t IS 'it''s "quoted"';

-- case: add_multiline_comment
-- expect: converge
-- current:
CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int); COMMENT ON TABLE t IS E'line one\nline two';

-- case: add_unicode_comment
-- expect: converge
-- current:
CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'naïve 東京';

-- case: drop_table_comment
-- expect: converge
-- current:
CREATE TABLE t (a int); COMMENT ON TABLE t IS 'x';
-- desired:
CREATE TABLE t (a int);

-- case: change_column_comment
-- expect: converge
-- current:
CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'x';
-- desired:
CREATE TABLE t (a int); COMMENT ON COLUMN t.a IS 'y';

-- case: enum_comment
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('ok');
-- desired:
CREATE TYPE mood AS ENUM ('ok'); COMMENT ON TYPE mood IS 'feelings';

-- case: schema_comment
-- expect: converge
-- current:
CREATE SCHEMA app;
-- desired:
CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'the app';

-- case: public_schema_comment
-- expect: converge
-- current:

-- desired:
COMMENT ON SCHEMA public IS 'the application''s tables'; CREATE TABLE t (a int);

-- case: public_schema_comment_removed
-- expect: converge
-- current:
COMMENT ON SCHEMA public IS 'old'; CREATE TABLE t (a int);
-- desired:
CREATE TABLE t (a int);

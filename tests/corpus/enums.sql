-- Schema-change cases (enums), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_enum_and_column
-- expect: converge
-- current:
CREATE TABLE t (id int);
-- desired:
CREATE TYPE mood AS ENUM ('happy','sad'); CREATE TABLE t (id int, m mood);

-- case: append_label
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a','b');
-- desired:
CREATE TYPE mood AS ENUM ('a','b','c');

-- case: insert_label
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a','c');
-- desired:
CREATE TYPE mood AS ENUM ('a','b','c');

-- case: prepend_label
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('b');
-- desired:
CREATE TYPE mood AS ENUM ('a','b');

-- case: remove_label
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a','b','c'); CREATE TABLE t (m mood);
-- desired:
CREATE TYPE mood AS ENUM ('a','c'); CREATE TABLE t (m mood);

-- case: reorder_labels
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a','b'); CREATE TABLE t (m mood DEFAULT 'a');
-- desired:
CREATE TYPE mood AS ENUM ('b','a'); CREATE TABLE t (m mood DEFAULT 'a');

-- case: drop_enum
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (id int, m mood);
-- desired:
CREATE TABLE t (id int);

-- case: text_to_enum
-- expect: converge
-- current:
CREATE TABLE t (s text);
-- desired:
CREATE TYPE st AS ENUM ('new','done'); CREATE TABLE t (s st);

-- case: enum_array_column
-- expect: converge
-- current:
CREATE TYPE mood AS ENUM ('a','b');
-- desired:
CREATE TYPE mood AS ENUM ('a','b'); CREATE TABLE t (ms mood[] DEFAULT '{}');

-- case: enum_in_schema
-- expect: converge
-- current:
CREATE SCHEMA app;
-- desired:
CREATE SCHEMA app; CREATE TYPE app.status AS ENUM ('on','off'); CREATE TABLE app.t (s app.status DEFAULT 'on');

-- case: enum_label_with_quote
-- expect: converge
-- current:

-- desired:
CREATE TYPE q AS ENUM ('it''s', 'Upper Case', 'naïve');

-- case: enum_with_check_rebuild
-- expect: converge
-- current:
CREATE TYPE st AS ENUM ('a','b','c'); CREATE TABLE t (s st, CHECK (s <> 'b'));
-- desired:
CREATE TYPE st AS ENUM ('a','c','b'); CREATE TABLE t (s st, CHECK (s <> 'b'));

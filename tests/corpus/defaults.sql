-- Schema-change cases (defaults), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: set_not_null
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text NOT NULL);

-- case: drop_not_null
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text NOT NULL);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text);

-- case: add_text_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'x');

-- case: add_number_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer DEFAULT 0);

-- case: add_negative_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer DEFAULT -1);

-- case: add_bool_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c boolean);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c boolean DEFAULT false);

-- case: add_now_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz DEFAULT now());

-- case: add_expr_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'a' || 'b');

-- case: add_uuid_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c uuid);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c uuid DEFAULT gen_random_uuid());

-- case: change_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'a');
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'b');

-- case: drop_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'a');
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text);

-- case: add_array_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text[]);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text[] DEFAULT '{}');

-- case: add_jsonb_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb DEFAULT '{}'::jsonb);

-- case: add_current_date
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c date);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c date DEFAULT CURRENT_DATE);

-- case: add_interval_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c interval);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c interval DEFAULT '1 day');

-- case: add_numeric_default
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(6,2));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(6,2) DEFAULT 1.50);

-- case: default_with_quote
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text DEFAULT 'it''s');

-- case: add_generated
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer GENERATED ALWAYS AS (c * 2) STORED);

-- case: change_generated
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer GENERATED ALWAYS AS (c * 2) STORED);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer GENERATED ALWAYS AS (c * 3) STORED);

-- case: drop_generated_expression
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer GENERATED ALWAYS AS (c * 2) STORED);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer, d integer);

-- case: add_tsvector_generated
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, title text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, title text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, ''))) STORED);

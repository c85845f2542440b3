-- Schema-change cases (type_changes), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: integer_to_bigint
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bigint);

-- case: smallint_to_integer
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c smallint);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);

-- case: bigint_to_integer
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c bigint);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);

-- case: varchar10_to_varchar20
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(10));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(20));

-- case: varchar20_to_varchar10
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(20));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(10));

-- case: varchar10_to_text
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(10));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text);

-- case: text_to_varchar50
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(50));

-- case: numeric8_2_to_numeric12_2
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(8,2));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(12,2));

-- case: numeric12_4_to_numeric12_2
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(12,4));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(12,2));

-- case: timestamp_to_timestamptz
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamp);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz);

-- case: timestamptz_to_timestamp
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamp);

-- case: real_to_double_precision
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c real);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c double precision);

-- case: integer_to_text
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text);

-- case: text_to_jsonb
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb);

-- case: json_to_jsonb
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c json);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb);

-- case: char2_to_varchar2
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c char(2));
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(2));

-- case: time_to_timetz
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c time);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timetz);

-- case: date_to_timestamp
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c date);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamp);

-- case: integer_arr_to_bigint_arr
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c integer[]);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bigint[]);

-- case: varchar5_arr_to_text_arr
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(5)[]);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text[]);

-- case: vector3_to_vector5
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(3));
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(5));

-- case: vector3_to_halfvec3
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(3));
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c halfvec(3));

-- case: halfvec3_to_vector3
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c halfvec(3));
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(3));

-- case: vector8_to_vector
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(8));
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector);

-- Schema-change cases (types), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_smallint_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c smallint);

-- case: add_integer_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer);

-- case: add_bigint_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bigint);

-- case: add_real_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c real);

-- case: add_double_precision_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c double precision);

-- case: add_numeric_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric);

-- case: add_numeric_12_2_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(12,2));

-- case: add_numeric_10_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c numeric(10));

-- case: add_boolean_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c boolean);

-- case: add_text_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text);

-- case: add_varchar_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar);

-- case: add_varchar_40_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(40));

-- case: add_char_3_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c char(3));

-- case: add_bytea_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bytea);

-- case: add_date_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c date);

-- case: add_time_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c time);

-- case: add_time_3_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c time(3));

-- case: add_timetz_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timetz);

-- case: add_timestamp_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamp);

-- case: add_timestamp_0_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamp(0));

-- case: add_timestamptz_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz);

-- case: add_timestamptz_3_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c timestamptz(3));

-- case: add_interval_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c interval);

-- case: add_uuid_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c uuid);

-- case: add_json_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c json);

-- case: add_jsonb_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb);

-- case: add_inet_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c inet);

-- case: add_cidr_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c cidr);

-- case: add_macaddr_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c macaddr);

-- case: add_money_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c money);

-- case: add_xml_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c xml);

-- case: add_tsvector_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c tsvector);

-- case: add_tsquery_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c tsquery);

-- case: add_oid_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c oid);

-- case: add_bit_8_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bit(8));

-- case: add_varbit_16_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varbit(16));

-- case: add_bit_varying_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c bit varying);

-- case: add_text_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c text[]);

-- case: add_integer_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer[]);

-- case: add_jsonb_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c jsonb[]);

-- case: add_uuid_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c uuid[]);

-- case: add_varchar_10_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c varchar(10)[]);

-- case: add_integer_array_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, c integer[][]);

-- case: add_vector_3_column
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(3));

-- case: add_halfvec_4_column
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c halfvec(4));

-- case: add_sparsevec_10_column
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c sparsevec(10));

-- case: add_vector_column
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector);

-- case: add_vector_3_array_column
-- expect: converge
-- current:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION vector; CREATE TABLE t (id bigint PRIMARY KEY, c vector(3)[]);

-- case: add_point_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, p point);

-- case: add_geometric_columns
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, l line, s lseg, b box, pa path, pg polygon, c circle);

-- case: add_tstzrange_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange NOT NULL DEFAULT 'empty');

-- case: add_range_columns
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, a int4range, b int8range, c numrange, d tsrange, e daterange);

-- case: add_multirange_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, r int4multirange, d datemultirange);

-- case: add_range_array_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, slots tstzrange[] NOT NULL DEFAULT '{}');

-- case: add_other_builtin_columns
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, m macaddr8, l pg_lsn, j jsonpath, r regclass);

-- case: gist_index_on_range
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange); CREATE INDEX t_during_idx ON t USING gist (during);

-- case: check_on_range
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange CHECK (NOT isempty(during)));

-- case: change_int4range_to_int8range
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, r int4range);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, r int8range);

-- case: change_text_to_point
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, p text);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY, p point);

-- case: drop_range_column
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY, during tstzrange);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY);

-- case: range_in_other_schema_table
-- expect: converge
-- current:
CREATE SCHEMA app;
-- desired:
CREATE SCHEMA app; CREATE TABLE app.booking (id bigint PRIMARY KEY, during tstzrange NOT NULL, at point);

-- case: add_citext_column
-- expect: converge
-- requires: citext
-- current:
CREATE EXTENSION citext; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION citext; CREATE TABLE t (id bigint PRIMARY KEY, email citext NOT NULL UNIQUE);

-- case: add_hstore_column
-- expect: converge
-- requires: hstore
-- current:
CREATE EXTENSION hstore; CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE EXTENSION hstore; CREATE TABLE t (id bigint PRIMARY KEY, attrs hstore);

-- case: reservations_with_ranges_points_and_exclusion
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE reservations (id bigint PRIMARY KEY, room_id int NOT NULL, during tstzrange NOT NULL, seats int4range, location point, area box, CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)); CREATE INDEX reservations_location_idx ON reservations USING gist (location);

-- case: reservations_with_citext_ranges_points_and_exclusion
-- expect: converge
-- requires: citext
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE EXTENSION citext; CREATE TABLE reservations (id bigint PRIMARY KEY, guest citext NOT NULL UNIQUE, room_id int NOT NULL, during tstzrange NOT NULL, location point, CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&));

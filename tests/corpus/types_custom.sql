-- Schema-change cases (domains and composite types), run by tests/corpus.rs: the desired database
-- is inspected, the spec pushed onto the current one, and both databases' pg_dump --schema-only
-- must be equal.

-- case: domain_from_empty
-- expect: converge
-- current:

-- desired:
CREATE DOMAIN email AS text CHECK (VALUE ~ '@');

-- case: domain_column_from_empty
-- expect: converge
-- current:

-- desired:
CREATE DOMAIN email AS text; CREATE TABLE t (e email);

-- case: composite_type_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TYPE pair AS (a int, b int);

-- case: domain_options_change
-- expect: converge
-- current:
CREATE DOMAIN quantity AS integer CHECK (VALUE >= 0);
CREATE TABLE items (id bigint PRIMARY KEY, qty quantity);
-- desired:
CREATE DOMAIN quantity AS integer DEFAULT 1 NOT NULL CONSTRAINT quantity_max CHECK (VALUE < 1000);
COMMENT ON DOMAIN quantity IS 'How many';
CREATE TABLE items (id bigint PRIMARY KEY, qty quantity);

-- case: domain_base_type_change_with_a_column
-- expect: converge
-- current:
CREATE DOMAIN code AS varchar(10);
CREATE TABLE products (id bigint PRIMARY KEY, sku code NOT NULL);
-- desired:
CREATE DOMAIN code AS text CHECK (VALUE <> '');
CREATE TABLE products (id bigint PRIMARY KEY, sku code NOT NULL);

-- case: composite_type_gains_and_loses_fields
-- expect: converge
-- current:
CREATE TYPE address AS (street text, city text, zip int);
CREATE TABLE customers (id bigint PRIMARY KEY, home address);
-- desired:
CREATE TYPE address AS (street text, city text, country char(2));
CREATE TABLE customers (id bigint PRIMARY KEY, home address);

-- case: domain_array_and_enum_base
-- expect: converge
-- current:

-- desired:
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN moods AS mood[];
CREATE TYPE reading AS (taken_at timestamptz, values_ double precision[], feeling mood);
CREATE TABLE log (id bigint PRIMARY KEY, feelings moods, last reading);

-- case: domain_in_another_schema
-- expect: converge
-- current:
CREATE SCHEMA billing;
-- desired:
CREATE SCHEMA billing;
CREATE DOMAIN billing.cents AS bigint CHECK (VALUE >= 0);
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, total billing.cents NOT NULL);

-- case: range_type
-- expect: converge
-- current:

-- desired:
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi); CREATE TABLE t (id int PRIMARY KEY, r floatrange, rs floatmultirange); COMMENT ON TYPE floatrange IS 'ranges of doubles';

-- case: range_type_with_options
-- expect: converge
-- current:

-- desired:
CREATE TYPE textspan AS RANGE (subtype = text, collation = "C", multirange_type_name = textspans); CREATE TYPE intspan AS RANGE (subtype = int4, subtype_opclass = int4_ops); CREATE TABLE t (a textspan, b intspan[]);

-- case: range_type_changed
-- expect: converge
-- current:
CREATE TYPE floatrange AS RANGE (subtype = float8); CREATE TABLE t (r floatrange);
-- desired:
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi); CREATE TABLE t (r floatrange);

-- case: range_type_in_exclusion
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi); CREATE TABLE slots (room int, span floatrange, EXCLUDE USING gist (room WITH =, span WITH &&));

-- Schema-change cases (unmanaged), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: function_with_a_grant_option
-- expect: refuse
-- current:

-- desired:
DO $$ BEGIN CREATE ROLE tm_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'; GRANT EXECUTE ON FUNCTION one() TO tm_app WITH GRANT OPTION;

-- case: c_language_function
-- expect: refuse
-- current:

-- desired:
CREATE FUNCTION my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs';

-- case: sql_standard_function_body
-- expect: refuse
-- current:

-- desired:
CREATE FUNCTION two() RETURNS int LANGUAGE sql RETURN 2;

-- case: rule
-- expect: refuse
-- current:

-- desired:
CREATE TABLE t (a int); CREATE TABLE log (a int); CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.a);

-- case: collation
-- expect: refuse
-- current:

-- desired:
CREATE COLLATION my_c FROM "C";

-- case: inheritance
-- expect: refuse
-- current:

-- desired:
CREATE TABLE base (a int); CREATE TABLE child (b int) INHERITS (base);

-- case: statistics_object
-- expect: refuse
-- current:

-- desired:
CREATE TABLE t (a int, b int); CREATE STATISTICS t_ab ON a, b FROM t;

-- case: text_search_configuration
-- expect: refuse
-- current:

-- desired:
CREATE TEXT SEARCH CONFIGURATION my_english (COPY = english);

-- case: aggregate
-- expect: refuse
-- current:

-- desired:
CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);

-- case: operator
-- expect: refuse
-- current:

-- desired:
CREATE FUNCTION tm_eq(int, int) RETURNS bool LANGUAGE sql AS 'SELECT $1 = $2'; CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = tm_eq);

-- case: event_trigger
-- expect: refuse
-- current:

-- desired:
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$; CREATE EVENT TRIGGER tm_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl();

-- Table attributes (persistence, storage parameters), run by tests/corpus.rs.

-- case: unlogged_table
-- expect: converge
-- current:

-- desired:
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);

-- case: table_storage_parameters
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);

-- case: toast_storage_parameters
-- expect: converge
-- current:
-- desired:
CREATE TABLE docs (id bigint PRIMARY KEY, body text) WITH (toast_tuple_target = 256, toast.autovacuum_enabled = false, autovacuum_vacuum_scale_factor = 0.05);

-- case: storage_parameters_changed
-- expect: converge
-- current:
CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);
-- desired:
CREATE TABLE t (a int) WITH (fillfactor = 80, toast.autovacuum_enabled = false);

-- case: table_made_unlogged
-- expect: converge
-- current:
CREATE TABLE cache (k text PRIMARY KEY, v text);
-- desired:
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);

-- case: table_made_logged
-- expect: converge
-- current:
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);
-- desired:
CREATE TABLE cache (k text PRIMARY KEY, v text);

-- case: column_statistics
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;

-- case: column_statistics_changed
-- expect: converge
-- current:
CREATE TABLE t (tenant int, body text); ALTER TABLE t ALTER COLUMN tenant SET STATISTICS 500;
-- desired:
CREATE TABLE t (tenant int, body text); ALTER TABLE t ALTER COLUMN body SET STATISTICS 1000;

-- case: column_collation
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (name text COLLATE "C", tags varchar(20)[] COLLATE "POSIX");

-- case: column_collation_changed
-- expect: converge
-- current:
CREATE TABLE t (name text COLLATE "C" UNIQUE, title varchar(40), body text COLLATE "POSIX");
-- desired:
CREATE TABLE t (name text COLLATE "POSIX" UNIQUE, title varchar(80) COLLATE "C", body text);

-- case: column_storage
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (doc text, embedding bytea); ALTER TABLE t ALTER COLUMN doc SET STORAGE EXTERNAL; ALTER TABLE t ALTER COLUMN embedding SET STORAGE MAIN;

-- case: column_storage_changed
-- expect: converge
-- current:
CREATE TABLE t (doc text, meta jsonb); ALTER TABLE t ALTER COLUMN doc SET STORAGE EXTERNAL;
-- desired:
CREATE TABLE t (doc text, meta jsonb); ALTER TABLE t ALTER COLUMN meta SET STORAGE MAIN;

-- case: column_compression
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (doc text COMPRESSION pglz);

-- case: column_compression_changed
-- expect: converge
-- current:
CREATE TABLE t (doc text COMPRESSION pglz, body text);
-- desired:
CREATE TABLE t (doc text, body text COMPRESSION pglz);

-- case: virtual_generated
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL, c text GENERATED ALWAYS AS ('#' || a) STORED);

-- case: virtual_generated_changes
-- expect: converge
-- current:
CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL, c int GENERATED ALWAYS AS (a + 1) STORED, d int GENERATED ALWAYS AS (a - 1) VIRTUAL, e int);
-- desired:
CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) VIRTUAL, c int GENERATED ALWAYS AS (a + 1) VIRTUAL, d int, e int GENERATED ALWAYS AS (a) VIRTUAL);

-- case: replica_identity_full
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); ALTER TABLE t REPLICA IDENTITY FULL;

-- case: replica_identity_using_index_and_nothing
-- expect: converge
-- current:
CREATE TABLE t (a int NOT NULL, b int); CREATE TABLE u (a int); ALTER TABLE u REPLICA IDENTITY FULL;
-- desired:
CREATE TABLE t (a int NOT NULL, b int); CREATE UNIQUE INDEX t_a_idx ON t (a); ALTER TABLE t REPLICA IDENTITY USING INDEX t_a_idx; CREATE TABLE u (a int); ALTER TABLE u REPLICA IDENTITY NOTHING;

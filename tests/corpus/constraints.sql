-- Schema-change cases (constraints), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: add_primary_key
-- expect: converge
-- current:
CREATE TABLE t (id bigint NOT NULL);
-- desired:
CREATE TABLE t (id bigint PRIMARY KEY);

-- case: drop_primary_key
-- expect: converge
-- current:
CREATE TABLE t (id bigint PRIMARY KEY);
-- desired:
CREATE TABLE t (id bigint NOT NULL);

-- case: composite_primary_key
-- expect: converge
-- current:
CREATE TABLE t (a int NOT NULL, b int NOT NULL);
-- desired:
CREATE TABLE t (a int, b int, PRIMARY KEY (a, b));

-- case: named_primary_key
-- expect: converge
-- current:
CREATE TABLE t (id int NOT NULL);
-- desired:
CREATE TABLE t (id int, CONSTRAINT t_key_custom PRIMARY KEY (id));

-- case: add_unique
-- expect: converge
-- current:
CREATE TABLE t (id int, e text);
-- desired:
CREATE TABLE t (id int, e text UNIQUE);

-- case: unique_nulls_not_distinct
-- expect: converge
-- current:
CREATE TABLE t (e text);
-- desired:
CREATE TABLE t (e text, CONSTRAINT t_e_key UNIQUE NULLS NOT DISTINCT (e));

-- case: unique_deferrable
-- expect: converge
-- current:
CREATE TABLE t (e text);
-- desired:
CREATE TABLE t (e text, CONSTRAINT t_e_key UNIQUE (e) DEFERRABLE INITIALLY DEFERRED);

-- case: unique_composite
-- expect: converge
-- current:
CREATE TABLE t (a int, b int);
-- desired:
CREATE TABLE t (a int, b int, CONSTRAINT t_ab UNIQUE (a, b));

-- case: drop_unique
-- expect: converge
-- current:
CREATE TABLE t (e text UNIQUE);
-- desired:
CREATE TABLE t (e text);

-- case: add_check
-- expect: converge
-- current:
CREATE TABLE t (n int);
-- desired:
CREATE TABLE t (n int CHECK (n > 0));

-- case: named_check
-- expect: converge
-- current:
CREATE TABLE t (n int);
-- desired:
CREATE TABLE t (n int, CONSTRAINT positive CHECK (n > 0));

-- case: change_check
-- expect: converge
-- current:
CREATE TABLE t (n int CHECK (n > 0));
-- desired:
CREATE TABLE t (n int CHECK (n >= 0));

-- case: check_with_in
-- expect: converge
-- current:
CREATE TABLE t (s text);
-- desired:
CREATE TABLE t (s text CHECK (s IN ('a', 'b', 'c')));

-- case: check_regex
-- expect: converge
-- current:
CREATE TABLE t (slug text);
-- desired:
CREATE TABLE t (slug text CHECK (slug ~ '^[a-z0-9-]+$'));

-- case: multi_column_check
-- expect: converge
-- current:
CREATE TABLE t (a int, b int);
-- desired:
CREATE TABLE t (a int, b int, CHECK (a < b));

-- case: drop_check
-- expect: converge
-- current:
CREATE TABLE t (n int CHECK (n > 0));
-- desired:
CREATE TABLE t (n int);

-- case: add_foreign_key
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p(id));

-- case: fk_cascade
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p ON DELETE CASCADE);

-- case: fk_set_null_update_cascade
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p ON DELETE SET NULL ON UPDATE CASCADE);

-- case: fk_restrict
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p ON DELETE RESTRICT);

-- case: fk_deferred
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);

-- case: fk_composite
-- expect: converge
-- current:
CREATE TABLE p (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE c (a int, b int);
-- desired:
CREATE TABLE p (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p (a, b));

-- case: fk_self_reference
-- expect: converge
-- current:
CREATE TABLE n (id int PRIMARY KEY, parent int);
-- desired:
CREATE TABLE n (id int PRIMARY KEY, parent int REFERENCES n(id));

-- case: fk_to_unique
-- expect: converge
-- current:
CREATE TABLE p (id int, code text UNIQUE); CREATE TABLE c (code text);
-- desired:
CREATE TABLE p (id int, code text UNIQUE); CREATE TABLE c (code text REFERENCES p(code));

-- case: fk_cycle_new_tables
-- expect: converge
-- current:

-- desired:
CREATE TABLE a (id int PRIMARY KEY, b_id int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a); ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;

-- case: drop_foreign_key
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);

-- case: drop_referenced_table
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);
-- desired:
CREATE TABLE c (p int);

-- case: replace_pk_with_fk_resting_on_it
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY, k int NOT NULL); CREATE TABLE c (p int REFERENCES p(id));
-- desired:
CREATE TABLE p (id int UNIQUE, k int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p(id));

-- case: fk_cross_schema
-- expect: converge
-- current:
CREATE SCHEMA a; CREATE TABLE a.p (id int PRIMARY KEY); CREATE TABLE c (p int);
-- desired:
CREATE SCHEMA a; CREATE TABLE a.p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES a.p);

-- case: not_valid_check
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;

-- case: not_valid_fk
-- expect: converge
-- current:

-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int); ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p NOT VALID;

-- case: not_valid_becomes_valid
-- expect: converge
-- current:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int, a int); ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p NOT VALID; ALTER TABLE c ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;
-- desired:
CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int, a int, CONSTRAINT a_pos CHECK (a > 0)); ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p;

-- case: valid_becomes_not_valid
-- expect: converge
-- current:
CREATE TABLE c (a int, CONSTRAINT a_pos CHECK (a > 0));
-- desired:
CREATE TABLE c (a int); ALTER TABLE c ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;

-- case: no_inherit_check
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int, CONSTRAINT a_pos CHECK (a > 0) NO INHERIT);

-- case: no_inherit_check_changed
-- expect: converge
-- current:
CREATE TABLE t (a int, CONSTRAINT a_pos CHECK (a > 0) NO INHERIT);
-- desired:
CREATE TABLE t (a int, CONSTRAINT a_pos CHECK (a > 0));

-- case: constraint_comment
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int CONSTRAINT a_pos CHECK (a > 0), code text CONSTRAINT t_code_key UNIQUE, p int CONSTRAINT t_p_fkey REFERENCES t (id)); COMMENT ON CONSTRAINT a_pos ON t IS 'positive'; COMMENT ON CONSTRAINT t_pkey ON t IS 'the key'; COMMENT ON INDEX t_pkey IS 'its index'; COMMENT ON INDEX t_code_key IS 'codes are unique'; COMMENT ON CONSTRAINT t_p_fkey ON t IS 'parent row';

-- case: constraint_comment_changed
-- expect: converge
-- current:
CREATE TABLE t (id int PRIMARY KEY, a int CONSTRAINT a_pos CHECK (a > 0)); COMMENT ON CONSTRAINT a_pos ON t IS 'positive'; COMMENT ON INDEX t_pkey IS 'old';
-- desired:
CREATE TABLE t (id int PRIMARY KEY, a int CONSTRAINT a_pos CHECK (a > 0)); COMMENT ON CONSTRAINT a_pos ON t IS 'strictly positive'; COMMENT ON CONSTRAINT t_pkey ON t IS 'new';

-- case: not_valid_check_on_new_table_with_comment
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int, b int CHECK (b < 10)); ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID; COMMENT ON CONSTRAINT a_pos ON t IS 'not yet checked';

-- case: exclusion_constraint
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE booking (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));

-- case: exclusion_constraint_full
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE booking (id bigint PRIMARY KEY, room_id int NOT NULL, starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL, cancelled boolean NOT NULL DEFAULT false, note text, CONSTRAINT booking_no_overlap EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&) INCLUDE (note) WITH (fillfactor = 80) WHERE (NOT cancelled) DEFERRABLE INITIALLY DEFERRED); COMMENT ON CONSTRAINT booking_no_overlap ON booking IS 'one booking per room at a time'; COMMENT ON INDEX booking_no_overlap IS 'its index';

-- case: exclusion_constraint_changed
-- expect: converge
-- current:
CREATE EXTENSION btree_gist; CREATE TABLE booking (room int, during tstzrange, CONSTRAINT booking_excl EXCLUDE USING gist (room WITH =, during WITH &&));
-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE booking (room int, during tstzrange, CONSTRAINT booking_excl EXCLUDE USING gist (during WITH &&));

-- case: exclusion_constraint_renamed_column_and_btree
-- expect: converge
-- current:
CREATE TABLE t (a int, b int);
-- desired:
CREATE TABLE t (a int, b int, CONSTRAINT t_a_excl EXCLUDE USING btree (a WITH =), CONSTRAINT t_b_excl EXCLUDE USING hash (b WITH =));

-- case: temporal_primary_key
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE t (id int, valid tstzrange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));

-- case: temporal_keys_and_foreign_key
-- expect: converge
-- current:

-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE rooms (id int, valid_at daterange, name text, CONSTRAINT rooms_pkey PRIMARY KEY (id, valid_at WITHOUT OVERLAPS), CONSTRAINT rooms_name_key UNIQUE (name, valid_at WITHOUT OVERLAPS)); CREATE TABLE bookings (id int PRIMARY KEY, room_id int, valid_at daterange, CONSTRAINT bookings_room_fkey FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));

-- case: key_becomes_temporal
-- expect: converge
-- current:
CREATE EXTENSION btree_gist; CREATE TABLE t (id int, valid tstzrange, PRIMARY KEY (id, valid));
-- desired:
CREATE EXTENSION btree_gist; CREATE TABLE t (id int, valid tstzrange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));

-- case: fk_match_full
-- expect: converge
-- current:

-- desired:
CREATE TABLE p (a int, b int, PRIMARY KEY (a,b)); CREATE TABLE c (a int, b int, FOREIGN KEY (a,b) REFERENCES p MATCH FULL ON DELETE CASCADE);

-- case: fk_match_full_changed
-- expect: converge
-- current:
CREATE TABLE p (a int, b int, PRIMARY KEY (a,b)); CREATE TABLE c (a int, b int, CONSTRAINT c_fk FOREIGN KEY (a,b) REFERENCES p);
-- desired:
CREATE TABLE p (a int, b int, PRIMARY KEY (a,b)); CREATE TABLE c (a int, b int, CONSTRAINT c_fk FOREIGN KEY (a,b) REFERENCES p MATCH FULL);

-- case: deferrable_primary_key
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (id int PRIMARY KEY DEFERRABLE); CREATE TABLE u (id int, CONSTRAINT u_pk PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED);

-- case: unique_with_include
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int, b int, c text, UNIQUE (a) INCLUDE (b), CONSTRAINT t_pkey PRIMARY KEY (b) INCLUDE (c));

-- case: unique_include_changed
-- expect: converge
-- current:
CREATE TABLE t (a int, b int, c int, CONSTRAINT t_a_key UNIQUE (a) INCLUDE (b));
-- desired:
CREATE TABLE t (a int, b int, c int, CONSTRAINT t_a_key UNIQUE (a) INCLUDE (b, c));

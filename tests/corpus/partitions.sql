-- Partitioned tables, run by tests/corpus.rs: the desired database is inspected, the spec pushed
-- onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: range_partitioned_chunks_with_vector_index
-- expect: converge
-- current:
CREATE EXTENSION vector;
-- desired:
CREATE EXTENSION vector;
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE chunks (
  id bigint NOT NULL,
  document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL,
  embedding vector(3),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE TABLE chunks_2026_01 PARTITION OF chunks FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE chunks_2026_02 PARTITION OF chunks FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
CREATE TABLE chunks_2026_03 PARTITION OF chunks FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE TABLE chunks_default PARTITION OF chunks DEFAULT;
CREATE INDEX chunks_2026_01_body_idx ON chunks_2026_01 USING gin (to_tsvector('english', body));
COMMENT ON TABLE chunks_2026_01 IS 'January';

-- case: list_partitioned_tenants_with_hash_subpartitions
-- expect: converge
-- current:
-- desired:
CREATE TABLE tenant_docs (tenant text NOT NULL, id bigint NOT NULL, body text, PRIMARY KEY (tenant, id)) PARTITION BY LIST (tenant);
CREATE TABLE tenant_docs_eu PARTITION OF tenant_docs FOR VALUES IN ('eu', 'uk');
CREATE TABLE tenant_docs_us PARTITION OF tenant_docs FOR VALUES IN ('us') PARTITION BY HASH (id);
CREATE TABLE tenant_docs_us_0 PARTITION OF tenant_docs_us FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE tenant_docs_us_1 PARTITION OF tenant_docs_us FOR VALUES WITH (modulus 2, remainder 1);
CREATE TABLE tenant_docs_other PARTITION OF tenant_docs DEFAULT;
CREATE INDEX tenant_docs_body_idx ON tenant_docs (body);

-- case: add_partition
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');

-- case: drop_partition
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- case: partition_bounds_changed
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2027-01-01');

-- case: table_becomes_partitioned
-- expect: converge
-- current:
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));
CREATE INDEX events_at_idx ON events (at);
-- desired:
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON events (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- case: partition_key_changed
-- expect: converge
-- current:
CREATE TABLE m (tenant int NOT NULL, at date NOT NULL) PARTITION BY LIST (tenant);
CREATE TABLE m_1 PARTITION OF m FOR VALUES IN (1);
-- desired:
CREATE TABLE m (tenant int NOT NULL, at date NOT NULL) PARTITION BY HASH (tenant);
CREATE TABLE m_0 PARTITION OF m FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE m_1 PARTITION OF m FOR VALUES WITH (modulus 2, remainder 1);

-- case: index_added_on_parent
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind_idx ON events (kind);

-- case: index_added_on_one_partition
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_2026_kind_idx ON events_2026 (kind) WHERE kind IS NOT NULL;

-- case: partition_comment_and_check
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, n int) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- desired:
CREATE TABLE events (at date NOT NULL, n int) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events_2026 ADD CONSTRAINT events_2026_n_small CHECK (n < 1000);
COMMENT ON TABLE events_2026 IS 'This year';

-- case: expression_partition_key_and_unique
-- expect: converge
-- current:
-- desired:
CREATE TABLE logs (id bigint NOT NULL, at timestamptz NOT NULL, line text) PARTITION BY RANGE (date_trunc('day', at AT TIME ZONE 'UTC'));
CREATE TABLE logs_d1 PARTITION OF logs FOR VALUES FROM ('2026-01-01') TO ('2026-01-02');
CREATE TABLE keyed (id bigint NOT NULL, region text NOT NULL, UNIQUE (region, id)) PARTITION BY LIST (region);
CREATE TABLE keyed_eu PARTITION OF keyed FOR VALUES IN ('eu', NULL);

-- case: grants_on_partitioned_table
-- expect: converge
-- current:
DO $$ BEGIN CREATE ROLE tm_part_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);
-- desired:
DO $$ BEGIN CREATE ROLE tm_part_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);
GRANT SELECT ON events TO tm_part_reader;

-- case: partition_with_its_own_default
-- expect: refuse
-- current:
-- desired:
CREATE TABLE events (at date NOT NULL, n int) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events_2026 ALTER COLUMN n SET DEFAULT 7;

-- case: partition_key_with_operator_class
-- expect: refuse
-- current:
-- desired:
CREATE TABLE t (s text NOT NULL) PARTITION BY RANGE (s text_pattern_ops);

-- case: partitioned_table_from_the_unmanaged_list
-- expect: converge
-- current:

-- desired:
CREATE TABLE events (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at); CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- case: list_partitions_from_the_unmanaged_list
-- expect: converge
-- current:

-- desired:
CREATE TABLE m (tenant int NOT NULL) PARTITION BY LIST (tenant); CREATE TABLE m_1 PARTITION OF m FOR VALUES IN (1);

-- case: partitioned_table_with_identity_view_and_updated_at_trigger
-- expect: converge
-- current:
-- desired:
CREATE TABLE messages (
  id bigint GENERATED BY DEFAULT AS IDENTITY,
  tenant_id bigint NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  body text NOT NULL,
  PRIMARY KEY (id, sent_at)
) PARTITION BY RANGE (sent_at);
CREATE TABLE messages_2026 PARTITION OF messages FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE messages_old PARTITION OF messages DEFAULT;
CREATE INDEX messages_tenant_idx ON messages (tenant_id, sent_at DESC);
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER messages_touch BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE VIEW recent_messages AS SELECT id, tenant_id, body FROM messages WHERE sent_at > now() - interval '7 days';

-- case: partition_detached_into_a_table_of_its_own
-- expect: converge
-- current:
CREATE TABLE tenants (id int PRIMARY KEY);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, tenant int NOT NULL REFERENCES tenants, at date NOT NULL DEFAULT current_date, body text CHECK (body <> ''), PRIMARY KEY (id, at), UNIQUE (tenant, id, at)) PARTITION BY RANGE (at);
CREATE INDEX events_tenant_idx ON events (tenant);
CREATE INDEX events_lower_idx ON events (lower(body)) INCLUDE (tenant);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_2025_body_idx ON events_2025 (body);
-- desired:
CREATE TABLE tenants (id int PRIMARY KEY);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, tenant int NOT NULL REFERENCES tenants, at date NOT NULL DEFAULT current_date, body text CHECK (body <> ''), PRIMARY KEY (id, at), UNIQUE (tenant, id, at)) PARTITION BY RANGE (at);
CREATE INDEX events_tenant_idx ON events (tenant);
CREATE INDEX events_lower_idx ON events (lower(body)) INCLUDE (tenant);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_2025_body_idx ON events_2025 (body);
ALTER TABLE events DETACH PARTITION events_2025;
ALTER TABLE events_2025 RENAME CONSTRAINT events_id_not_null TO events_2025_id_not_null;
ALTER TABLE events_2025 RENAME CONSTRAINT events_tenant_not_null TO events_2025_tenant_not_null;
ALTER TABLE events_2025 RENAME CONSTRAINT events_at_not_null TO events_2025_at_not_null;

-- case: partition_detached_and_changed
-- expect: converge
-- current:
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, body text) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON events (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- desired:
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, body text) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON events (at);
CREATE TABLE events_2025 (id bigint NOT NULL, at date NOT NULL, body text, archived_at timestamptz);
COMMENT ON TABLE events_2025 IS 'archive';

-- case: partition_bound_moved_keeping_rows
-- expect: converge
-- current:
CREATE TABLE events (at date NOT NULL, n int CHECK (n > 0)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_rest PARTITION OF events DEFAULT;
CREATE INDEX events_2026_n_idx ON events_2026 (n);
-- desired:
CREATE TABLE events (at date NOT NULL, n int CHECK (n > 0)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2028-01-01');
CREATE TABLE events_rest PARTITION OF events DEFAULT;
CREATE INDEX events_2026_n_idx ON events_2026 (n);

-- Schema-change cases (policies), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: policy_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (a > 0);

-- case: row_level_security_from_empty
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;

-- case: policy_before_security_is_enabled
-- expect: converge
-- current:

-- desired:
CREATE TABLE t (a int); CREATE POLICY p ON t USING (a > 0);

-- case: tenant_isolation_forced
-- expect: converge
-- current:
CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, body text);
-- desired:
CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, body text);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents USING (tenant_id = current_setting('app.tenant_id')::bigint) WITH CHECK (tenant_id = current_setting('app.tenant_id')::bigint);
COMMENT ON POLICY tenant_isolation ON documents IS 'One tenant never sees another''s rows';

-- case: policies_per_command_and_restrictive
-- expect: converge
-- current:
CREATE TABLE posts (id bigint PRIMARY KEY, author text NOT NULL, published boolean NOT NULL DEFAULT false);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_published ON posts FOR SELECT USING (published);
-- desired:
CREATE TABLE posts (id bigint PRIMARY KEY, author text NOT NULL, published boolean NOT NULL DEFAULT false);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_published ON posts FOR SELECT USING (published OR author = current_user);
CREATE POLICY write_own ON posts FOR INSERT WITH CHECK (author = current_user);
CREATE POLICY edit_own ON posts FOR UPDATE USING (author = current_user) WITH CHECK (author = current_user);
CREATE POLICY delete_own ON posts FOR DELETE USING (author = current_user);
CREATE POLICY not_banned ON posts AS RESTRICTIVE FOR ALL TO CURRENT_USER USING (author <> 'banned');

-- case: security_disabled_and_policies_dropped
-- expect: converge
-- current:
CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (a > 0);
-- desired:
CREATE TABLE t (a int);

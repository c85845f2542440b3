//! Never silent: for every kind of object (or attribute) that the model cannot represent yet,
//! on a real server, `inspect` refuses and names it; a spec that describes everything else
//! (inspected with the object ignored) makes `diff --exit-code` exit 2 naming it; and ignoring
//! it (`--ignore`) makes the same diff exit 0.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use tidemark_test_support::TestDatabase;

mod psql_support;

/// (what inspect and diff must print, the SQL that creates it, the glob that ignores it, a glob
/// for what the setup needs besides it and the spec cannot describe either, or "").
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "view public.v: grants WITH GRANT OPTION to tm_grantee",
        "DO $$ BEGIN CREATE ROLE tm_grantee NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; \
         CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; \
         GRANT SELECT ON v TO tm_grantee WITH GRANT OPTION",
        "public.v",
        "",
    ),
    (
        "view public.v: has column defaults",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; \
         ALTER VIEW v ALTER COLUMN a SET DEFAULT 1",
        "public.v",
        "",
    ),
    (
        "materialized view public.mv: grants WITH GRANT OPTION to tm_grantee",
        "DO $$ BEGIN CREATE ROLE tm_grantee NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; \
         CREATE TABLE t (a int); CREATE MATERIALIZED VIEW mv AS SELECT a FROM t; \
         GRANT SELECT ON mv TO tm_grantee WITH GRANT OPTION",
        "public.mv",
        "",
    ),
    (
        "foreign table public.ft",
        "CREATE FOREIGN DATA WRAPPER tm_fdw; CREATE SERVER tm_srv FOREIGN DATA WRAPPER tm_fdw; \
         CREATE FOREIGN TABLE ft (a int) SERVER tm_srv",
        "public.ft",
        "",
    ),
    (
        "partition other.events_2026: of public.events in another schema",
        "CREATE SCHEMA other; CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE TABLE other.events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
        "other.events_2026",
        "",
    ),
    (
        "partition public.events_2026: of public.events: its columns differ from its parent's",
        "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
         ALTER TABLE events_2026 ALTER COLUMN at SET DEFAULT '2026-06-01'",
        "public.events_2026",
        "",
    ),
    (
        "trigger public.events_2026.events_touch: is on a partition",
        "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
         CREATE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
         CREATE TRIGGER events_touch BEFORE INSERT ON events_2026 FOR EACH ROW EXECUTE FUNCTION events_touch()",
        "public.events_2026.events_touch",
        "",
    ),
    (
        "inheriting table public.child: of public.base",
        "CREATE TABLE base (a int); CREATE TABLE child (b int) INHERITS (base)",
        "public.child",
        "",
    ),
    (
        "table public.events_2026: is UNLOGGED",
        "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE UNLOGGED TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
        "public.events_2026",
        "",
    ),
    (
        "table public.events_2026: has storage parameters (fillfactor=70)",
        "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') WITH (fillfactor = 70)",
        "public.events_2026",
        "",
    ),
    (
        "table public.events_2026: has a non-default REPLICA IDENTITY",
        "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
         ALTER TABLE events_2026 REPLICA IDENTITY FULL",
        "public.events_2026",
        "",
    ),
    (
        "column public.t.name: has collation public.my_c (only collations of pg_catalog are managed)",
        "CREATE COLLATION my_c FROM \"C\"; CREATE TABLE t (name text COLLATE my_c)",
        "public.t",
        "public.my_c",
    ),
    (
        "partition public.events_2026: of public.events: its columns differ from its parent's (a default, NOT NULL, statistics, storage or compression of its own)",
        "CREATE TABLE events (at date NOT NULL, n int) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
         ALTER TABLE events_2026 ALTER COLUMN n SET STATISTICS 500",
        "public.events_2026",
        "",
    ),
    (
        "partition public.events_2026: has a unique constraint of its own (not its parent's), which the spec cannot declare on a partition yet (the table is left out)",
        "CREATE TABLE events (at date NOT NULL, n int) PARTITION BY RANGE (at); \
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
         ALTER TABLE events_2026 ADD UNIQUE (n)",
        "public.events_2026",
        "",
    ),
    (
        "check constraint public.t.a_pos: is NOT ENFORCED",
        "CREATE TABLE t (a int, CONSTRAINT a_pos CHECK (a > 0) NOT ENFORCED)",
        "public.t",
        "",
    ),
    (
        "primary key public.t.t_pkey: its index has storage parameters",
        "CREATE TABLE t (id int PRIMARY KEY WITH (fillfactor = 70))",
        "public.t",
        "",
    ),
    (
        "index public.t.t_name_c: has a key with a collation outside pg_catalog (only those are managed)",
        "CREATE COLLATION my_c FROM \"C\"; CREATE TABLE t (name text); CREATE INDEX t_name_c ON t (name COLLATE my_c)",
        "public.t",
        "public.my_c",
    ),
    (
        "sequence public.s: is UNLOGGED",
        "CREATE UNLOGGED SEQUENCE s",
        "public.s",
        "",
    ),
    (
        "function public.one(integer): is written in internal",
        "CREATE FUNCTION one(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs'",
        "public.one(*",
        "",
    ),
    (
        "function public.two(): has a SQL-standard body",
        "CREATE FUNCTION two() RETURNS int LANGUAGE sql RETURN 2",
        "public.two(*",
        "",
    ),
    (
        "procedure public.p(): grants WITH GRANT OPTION to tm_grantee",
        "DO $$ BEGIN CREATE ROLE tm_grantee NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; \
         CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'; \
         GRANT EXECUTE ON PROCEDURE p() TO tm_grantee WITH GRANT OPTION",
        "public.p(*",
        "",
    ),
    (
        "schema tm_s: grants WITH GRANT OPTION to tm_grantee",
        "DO $$ BEGIN CREATE ROLE tm_grantee NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; \
         CREATE SCHEMA tm_s; GRANT USAGE ON SCHEMA tm_s TO tm_grantee WITH GRANT OPTION",
        "tm_s.*",
        "",
    ),
    (
        "aggregate public.my_sum(integer)",
        "CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int)",
        "public.my_sum(*",
        "",
    ),
    (
        "trigger public.t.tg: names the table its constraint refers to (FROM)",
        "CREATE TABLE t (a int); CREATE TABLE other (b int); \
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; \
         CREATE CONSTRAINT TRIGGER tg AFTER INSERT ON t FROM other DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f()",
        "public.t",
        "public.other",
    ),
    (
        "rule public.t.r",
        "CREATE TABLE t (a int); CREATE TABLE log (a int); \
         CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.a)",
        "public.t",
        "",
    ),
    (
        "domain public.email: has privileges granted or revoked",
        "CREATE DOMAIN email AS text CHECK (VALUE ~ '@'); REVOKE USAGE ON DOMAIN email FROM PUBLIC",
        "public.email",
        "",
    ),
    (
        "column public.u.r: has type public.t (a table's row type)",
        "CREATE TABLE t (a int); CREATE TABLE u (r t)",
        "public.u",
        "",
    ),
    (
        "domain public.short: has a NOT VALID check",
        "CREATE DOMAIN short AS text; ALTER DOMAIN short ADD CONSTRAINT short_len CHECK (length(VALUE) < 10) NOT VALID",
        "public.short",
        "",
    ),
    (
        "range type public.textspan: has a collation outside pg_catalog",
        "CREATE COLLATION my_c FROM \"C\"; CREATE TYPE textspan AS RANGE (subtype = text, collation = my_c)",
        "public.textspan",
        "public.my_c",
    ),
    (
        "collation public.my_c",
        "CREATE COLLATION my_c FROM \"C\"",
        "public.my_c",
        "",
    ),
    (
        "text search configuration public.my_english",
        "CREATE TEXT SEARCH CONFIGURATION my_english (COPY = english)",
        "public.my_english",
        "",
    ),
    (
        "text search dictionary public.my_simple",
        "CREATE TEXT SEARCH DICTIONARY my_simple (TEMPLATE = simple)",
        "public.my_simple",
        "",
    ),
    (
        "operator public.===(integer, integer)",
        "CREATE FUNCTION tm_eq(int, int) RETURNS bool LANGUAGE sql AS 'SELECT $1 = $2'; \
         CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = tm_eq)",
        "public.===(*",
        "public.tm_eq(*",
    ),
    (
        "operator class public.tm_int_ops",
        "CREATE OPERATOR CLASS tm_int_ops FOR TYPE int4 USING btree AS \
         OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, \
         FUNCTION 1 btint4cmp(int4, int4)",
        "public.tm_int_ops",
        "",
    ),
    (
        "operator family public.tm_family",
        "CREATE OPERATOR FAMILY tm_family USING btree",
        "public.tm_family",
        "",
    ),
    (
        "conversion public.tm_conv",
        "CREATE CONVERSION tm_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8",
        "public.tm_conv",
        "",
    ),
    (
        "statistics object public.t_ab",
        "CREATE TABLE t (a int, b int); CREATE STATISTICS t_ab ON a, b FROM t",
        "public.t_ab",
        "",
    ),
    (
        "event trigger tm_ddl",
        "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$; \
         CREATE EVENT TRIGGER tm_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl()",
        "tm_ddl",
        "public.on_ddl(*",
    ),
    (
        "publication tm_pub",
        "CREATE TABLE t (a int PRIMARY KEY); CREATE PUBLICATION tm_pub FOR TABLE t",
        "tm_pub",
        "",
    ),
];

async fn tidemark(cwd: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "1")
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run tidemark")
}

fn both(o: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn check(named: &str, sql: &str, glob: &str, helper: &str) -> Result<(), String> {
    let db = TestDatabase::create().await.map_err(|e| e.to_string())?;
    psql_support::execute(db.url(), sql)
        .await
        .map_err(|e| format!("setup failed: {e}"))?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let spec = work.path().join("spec");
    let spec_arg = spec.to_string_lossy().into_owned();

    let refused = tidemark(work.path(), &["inspect", "--database-url", db.url()]).await;
    let text = both(&refused);
    if refused.status.code() != Some(4) || !text.contains(named) || !text.contains("help:") {
        return Err(format!("inspect did not refuse naming `{named}`:\n{text}"));
    }
    if !refused.stdout.is_empty() {
        return Err(format!("inspect refused but printed a spec:\n{text}"));
    }
    let helper: Vec<String> = if helper.is_empty() {
        vec![]
    } else {
        vec!["--ignore".into(), helper.into()]
    };
    let mut ignores = helper.clone();
    ignores.extend(["--ignore".to_string(), glob.to_string()]);
    let mut args: Vec<&str> = vec!["inspect", "--database-url", db.url(), "--out", &spec_arg];
    args.extend(ignores.iter().map(String::as_str));
    let ignored = tidemark(work.path(), &args).await;
    if !ignored.status.success() {
        return Err(format!(
            "inspect with --ignore {glob} failed:\n{}",
            both(&ignored)
        ));
    }
    let shadow = db.server_url().to_string();
    let diff = |extra: Vec<String>| {
        let mut args: Vec<String> = [
            "diff",
            spec_arg.as_str(),
            "--database-url",
            db.url(),
            "--shadow-url",
            shadow.as_str(),
            "--exit-code",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra);
        let dir = work.path().to_path_buf();
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            tidemark(&dir, &refs).await
        }
    };
    // The spec describes everything but the object; without its --ignore it is reported.
    let reported = diff(helper).await;
    let text = both(&reported);
    if reported.status.code() != Some(2)
        || !text.contains("not managed by the spec")
        || !text.contains(named)
        || text.contains("matches the spec")
    {
        return Err(format!(
            "diff --exit-code did not report `{named}`:\n{text}"
        ));
    }
    let quiet = diff(ignores.clone()).await;
    if quiet.status.code() != Some(0) {
        return Err(format!(
            "diff --ignore {glob} is not clean:\n{}",
            both(&quiet)
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unmanaged_kind_is_refused_by_inspect_and_reported_by_diff() {
    let limit = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for &(named, sql, glob, helper) in CASES {
        let limit = limit.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            (named, check(named, sql, glob, helper).await)
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        let (named, result) = t.await.expect("task");
        if let Err(e) = result {
            failures.push(format!("=== {named}\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

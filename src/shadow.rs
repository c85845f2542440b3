//! Step between `spec` and `diff` when the other side is a live database: the desired schema is
//! applied to a scratch ("shadow") database and introspected, so both sides of the diff come
//! from the same introspector. PostgreSQL's own rewriting of what users write (`int` →
//! `integer`, `status <> 'archived'` → `status <> 'archived'::doc_status`) then never shows
//! up as a difference.
//!
//! The shadow is an ephemeral local server that tidemark starts itself (found or installed
//! like the test bed, see `localpg`), or a server the user names with `--shadow-url`, on which
//! tidemark creates a uniquely named database and always drops it again.

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection, Executor};

use std::collections::{BTreeMap, BTreeSet};

use crate::canonical_cache::{self, CacheOptions, ServerFacts};
use crate::canonical_units::{self, Split, Unit};
use crate::compare::SpanIndex;
use crate::connect::{self, ConnectOptions, DatabaseUrl};
use crate::ddl;
use crate::execute::{self, Session, SessionOptions};
use crate::introspect::{self, IntrospectOptions};
use crate::localpg::{self, Cluster, ClusterOptions, DiscoveryOptions};
use crate::model::{QualifiedName, Schema};
use crate::sql_ident::quote;

/// Where the shadow database lives.
#[derive(Debug, Clone)]
pub enum ShadowServer {
    /// A throwaway local PostgreSQL with pgvector, started for this run and removed after it;
    /// binaries are found (or installed) relative to `project_dir`.
    Local { project_dir: PathBuf },
    /// An existing server (same major version as the target) where the role may
    /// `CREATE DATABASE`; the URL's database is only used to connect.
    Url(DatabaseUrl),
}

/// Why the desired schema could not be canonicalised.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    #[error("could not start a local shadow PostgreSQL")]
    Local(#[source] localpg::LocalPgError),
    #[error("could not use the shadow server")]
    Connect(#[source] connect::ConnectError),
    #[error(
        "PostgreSQL rejected {object}{} on the shadow database: {message}\n  statement: {sql}\n  = help: \
         the spec is valid YAML but this fails on a real server; fix the expression, type or \
         name it names (`tidemark sql` prints every statement)",
        at.as_ref().map(|s| format!(" (declared at {s})")).unwrap_or_default()
    )]
    Apply {
        /// The spec's object whose statement failed.
        object: String,
        /// Where the spec declares it (`file:line:column`), when the spec came from files.
        at: Option<String>,
        sql: String,
        /// PostgreSQL's message, and where in the spec's own SQL text (a view's query) it
        /// found the error (`--> file:line:column`) when it says.
        message: String,
    },
    #[error(
        "{object}{}: its `columns` do not match its query on the shadow database: {problem}\n  = help: \
         with `key:`, list every column of the query in order with its type; the query gives: {actual}",
        at.as_ref().map(|s| format!(" (declared at {s})")).unwrap_or_default()
    )]
    ViewColumns {
        /// The view whose declared columns differ.
        object: String,
        at: Option<String>,
        /// The first difference.
        problem: String,
        /// The query's columns as `columns:` would spell them.
        actual: String,
    },
    #[error("shadow database: {0}\nhelp: check that the shadow role may CREATE DATABASE")]
    Database(String),
    #[error("could not read the shadow database back")]
    Introspect(#[source] introspect::IntrospectError),
}

/// A shadow server held for several scratch databases, so a command that needs more than one
/// (`migrate verify` replays the migrations in one and canonicalises the spec in another)
/// starts a local server once. The local server stops when this is dropped.
pub struct ShadowHost {
    _cluster: Option<Cluster>,
    admin: DatabaseUrl,
    cache: CacheOptions,
    /// How many canonical forms came from the cache (for reports and tests).
    hits: std::sync::atomic::AtomicUsize,
    /// How many parts (tables, or the globals) of a schema came from the cache.
    part_hits: std::sync::atomic::AtomicUsize,
    /// Scratch databases built at once; 0: the schema is always built whole, in one.
    parallel: usize,
    /// Missing tables built per scratch database ([`TABLES_PER_DATABASE`] unless a test asks
    /// for smaller databases).
    tables_per_database: usize,
}

/// A scratch database created on a [`ShadowHost`]; dropped again by [`ShadowHost::drop_database`].
#[derive(Debug, Clone)]
pub struct ShadowDatabase {
    pub name: String,
    pub url: DatabaseUrl,
}

fn connect_options() -> ConnectOptions {
    ConnectOptions {
        application_name: "tidemark shadow".into(),
        ..ConnectOptions::default()
    }
}

impl ShadowHost {
    /// Starts the local throwaway server, or only remembers the given server's URL.
    pub async fn start(server: &ShadowServer) -> Result<ShadowHost, ShadowError> {
        match server {
            ShadowServer::Local { project_dir } => {
                let install = localpg::find_binaries(&DiscoveryOptions::from_env(project_dir))
                    .map_err(ShadowError::Local)?;
                let cluster = Cluster::start(
                    &install,
                    ClusterOptions {
                        max_connections: 20,
                        ..ClusterOptions::default()
                    },
                )
                .await
                .map_err(ShadowError::Local)?;
                let admin =
                    DatabaseUrl::parse(&cluster.url("postgres")).map_err(ShadowError::Connect)?;
                Ok(ShadowHost {
                    _cluster: Some(cluster),
                    admin,
                    cache: canonical_cache::process_default(),
                    hits: Default::default(),
                    part_hits: Default::default(),
                    parallel: default_parallel(),
                    tables_per_database: TABLES_PER_DATABASE,
                })
            }
            ShadowServer::Url(url) => Ok(ShadowHost {
                _cluster: None,
                admin: url.clone(),
                cache: canonical_cache::process_default(),
                hits: Default::default(),
                part_hits: Default::default(),
                parallel: default_parallel(),
                tables_per_database: TABLES_PER_DATABASE,
            }),
        }
    }

    /// Remembers canonical forms as `options` says (see [`crate::canonical_cache`]).
    pub fn with_cache(mut self, options: CacheOptions) -> Self {
        self.cache = options;
        self
    }

    /// Builds the missing parts of a schema in up to `n` scratch databases at once (the
    /// default: 4); 0 builds every schema whole in one database, with
    /// the cache used only for whole schemas (the reference the cut is tested against).
    pub fn with_parallel(mut self, n: usize) -> Self {
        self.parallel = n;
        self
    }

    /// Builds at most `n` missing tables per scratch database (so a small schema can be built
    /// in several, as a large one is).
    pub fn with_tables_per_database(mut self, n: usize) -> Self {
        self.tables_per_database = n.max(1);
        self
    }

    /// How many parts of schemas (tables with what belongs to them, or a schema's globals)
    /// were taken from the cache rather than built.
    pub fn part_hits(&self) -> usize {
        self.part_hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many [`ShadowHost::canonicalize`] calls were answered whole from the cache.
    pub fn cache_hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Creates a uniquely named empty database on the shadow server.
    pub async fn create_database(&self) -> Result<ShadowDatabase, ShadowError> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut admin = connect::connect(&self.admin, &connect_options())
            .await
            .map_err(ShadowError::Connect)?;
        let name = format!(
            "tidemark_shadow_{}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let created = admin
            .execute(sqlx::raw_sql(AssertSqlSafe(format!(
                "CREATE DATABASE {}",
                quote(&name)
            ))))
            .await
            .map_err(|e| ShadowError::Database(connect::server_message(&e)));
        let _ = admin.close().await;
        created?;
        let url = with_database(&self.admin, &name)?;
        Ok(ShadowDatabase { name, url })
    }

    /// Drops a database made by [`ShadowHost::create_database`], ending its sessions.
    pub async fn drop_database(&self, db: &ShadowDatabase) -> Result<(), ShadowError> {
        let mut admin = connect::connect(&self.admin, &connect_options())
            .await
            .map_err(ShadowError::Connect)?;
        let dropped = admin
            .execute(sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote(&db.name)
            ))))
            .await
            .map_err(|e| ShadowError::Database(connect::server_message(&e)));
        let _ = admin.close().await;
        dropped.map(|_| ())
    }

    /// The desired schema as PostgreSQL stores it: `desired` built on a fresh database of this
    /// server by the same steps and executor as `push`, and introspected with `options`. A
    /// statement the server rejects is reported with the spec object it came from (and where
    /// `spans` says the spec declares it). Declared renames (`renamed_from`) exist only in the
    /// spec, so they are carried over onto the result.
    pub async fn canonicalize(
        &self,
        desired: &Schema,
        spans: Option<&SpanIndex>,
        options: &IntrospectOptions,
    ) -> Result<Schema, ShadowError> {
        let facts = match &self.cache.dir {
            Some(_) => {
                let mut admin = connect::connect(&self.admin, &connect_options())
                    .await
                    .map_err(ShadowError::Connect)?;
                let facts = server_facts(&mut admin, desired).await;
                let _ = admin.close().await;
                Some(facts.map_err(|e| ShadowError::Database(connect::server_message(&e)))?)
            }
            None => None,
        };
        let key = facts
            .as_ref()
            .map(|f| canonical_cache::key(desired, options, f));
        if let Some(hit) = key
            .as_deref()
            .and_then(|k| canonical_cache::get(&self.cache, k))
        {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return finish(desired, hit, spans);
        }
        let split = (self.parallel > 0)
            .then(|| canonical_units::split(desired))
            .flatten();
        let canonical = match split {
            Some(split) => {
                self.build_parts(&split, facts.as_ref(), spans, options)
                    .await?
            }
            None => self.build(desired, spans, options).await?,
        };
        if let Some(k) = &key {
            canonical_cache::put(&self.cache, k, &canonical);
        }
        finish(desired, canonical, spans)
    }

    /// The canonical form of a cut schema: the parts the cache has are taken from it, the
    /// others are built in scratch databases of [`ShadowHost::with_tables_per_database`] missing tables each (up
    /// to [`ShadowHost::with_parallel`] at once), each also holding the globals and stripped
    /// copies of the tables those name.
    async fn build_parts(
        &self,
        split: &Split,
        facts: Option<&ServerFacts>,
        spans: Option<&SpanIndex>,
        options: &IntrospectOptions,
    ) -> Result<Schema, ShadowError> {
        let deps = split.dependencies();
        let (globals_text, texts, refs, globals_refs) = (
            &deps.globals_text,
            &deps.texts,
            &deps.refs,
            &deps.globals_refs,
        );
        let part_key = |own: (&str, &str), with_globals: bool, named: &BTreeSet<QualifiedName>| {
            facts.map(|f| {
                let labels: Vec<String> = named.iter().map(ToString::to_string).collect();
                let mut parts: Vec<(&str, &str)> = vec![own];
                if with_globals {
                    parts.push(("globals", globals_text.as_str()));
                }
                for (label, q) in labels.iter().zip(named) {
                    parts.push((label.as_str(), texts[q].as_str()));
                }
                canonical_cache::part_key(options, f, &parts)
            })
        };
        let globals_key = part_key(("globals", globals_text), false, globals_refs);
        let unit_keys: BTreeMap<&QualifiedName, Option<String>> = texts
            .iter()
            .map(|(q, t)| {
                // A table depends on the globals, and so on what they depend on: the tables
                // they name (a policy comparing with a view's column, whose type is its table's).
                let named: BTreeSet<QualifiedName> = refs[q].union(globals_refs).cloned().collect();
                (q, part_key(("unit", t.as_str()), true, &named))
            })
            .collect();
        let mut stored = canonical_cache::Parts::open(&self.cache);
        let mut globals: Option<Schema> = globals_key.as_deref().and_then(|k| stored.get(k));
        let mut done: BTreeMap<QualifiedName, Unit> = BTreeMap::new();
        for (q, k) in &unit_keys {
            if let Some(u) = k.as_deref().and_then(|k| stored.get::<Unit>(k)) {
                done.insert((*q).clone(), u);
            }
        }
        self.part_hits.fetch_add(
            done.len() + usize::from(globals.is_some()),
            std::sync::atomic::Ordering::Relaxed,
        );
        let missing: Vec<&QualifiedName> = split
            .units
            .keys()
            .filter(|q| !done.contains_key(*q))
            .collect();
        if globals.is_none() || !missing.is_empty() {
            let want_globals = globals.is_none();
            let groups = missing.len().div_ceil(self.tables_per_database).max(1);
            let per = missing.len().div_ceil(groups).max(1);
            let mut members: Vec<BTreeSet<QualifiedName>> = missing
                .chunks(per)
                .map(|c| c.iter().map(|q| (*q).clone()).collect())
                .collect();
            if members.is_empty() {
                members.push(BTreeSet::new());
            }
            if want_globals {
                // The globals are read from the first database, where the tables they name
                // are whole.
                members[0].extend(globals_refs.iter().cloned());
            }
            let schemas: Vec<Schema> = members.iter().map(|m| split.build_set(&deps, m)).collect();
            // In rounds of `parallel` databases (a stream's `buffered` would keep more busy,
            // but its future is not `Send` for callers that spawn this one).
            let mut built: Vec<Result<Schema, ShadowError>> = Vec::new();
            for round in schemas.chunks(self.parallel.max(1)) {
                built.extend(
                    futures_util::future::join_all(
                        round.iter().map(|s| self.build(s, spans, options)),
                    )
                    .await,
                );
            }
            let mut fresh = canonical_cache::Pack::default();
            for (i, (result, m)) in built.into_iter().zip(&members).enumerate() {
                let Some(parts) = canonical_units::split(&result?) else {
                    // Read back, the parts clash after all: only a whole build is right.
                    return self
                        .build(
                            &canonical_units::assemble(&split.globals, split.units.values()),
                            spans,
                            options,
                        )
                        .await;
                };
                if i == 0 && want_globals {
                    if let Some(k) = &globals_key {
                        fresh.add(k, &parts.globals);
                    }
                    globals = Some(parts.globals);
                }
                for (q, u) in parts.units {
                    if m.contains(&q) && !done.contains_key(&q) {
                        if let Some(Some(k)) = unit_keys.get(&q) {
                            fresh.add(k, &u);
                        }
                        done.insert(q, u);
                    }
                }
            }
            canonical_cache::put_pack(&self.cache, fresh);
        }
        let globals = globals.unwrap_or_default();
        Ok(canonical_units::assemble(&globals, done.values()))
    }

    /// `desired` built on a fresh scratch database and read back, as it is (no cache).
    async fn build(
        &self,
        desired: &Schema,
        spans: Option<&SpanIndex>,
        options: &IntrospectOptions,
    ) -> Result<Schema, ShadowError> {
        let mut admin = connect::connect(&self.admin, &connect_options())
            .await
            .map_err(ShadowError::Connect)?;
        // Roles are server-wide: every canonicalisation that names roles holds a shared lock
        // while it uses them, and drops the ones it created only once it holds the lock alone,
        // so a run in parallel on the same server never loses a role under its feet.
        let names_roles = !named_roles(desired).is_empty();
        let created_roles = if names_roles {
            match hold_roles(&mut admin, desired).await {
                Ok(c) => c,
                Err(e) => {
                    let _ = admin.close().await;
                    return Err(ShadowError::Database(connect::server_message(&e)));
                }
            }
        } else {
            Vec::new()
        };
        let db = self.create_database().await?;
        let result = apply_and_read(&db.url, desired, spans, options).await;
        let dropped = self.drop_database(&db).await;
        if names_roles {
            // Best effort: a role that cannot be dropped only stays behind.
            let _ = release_roles(&mut admin, &created_roles).await;
        }
        let _ = admin.close().await;
        match (result, dropped) {
            (Ok(_), Err(e)) => Err(e),
            (result, _) => result,
        }
    }
}

/// Tables built per scratch database: a large schema is built in several databases at once, so
/// that both cores work (the compare bench's 1,000 tables: four databases of 250 in 1.0 s
/// through psql, against 2.1 s in one), but each `CREATE DATABASE` costs a checkpoint, and 125
/// or 500 per database measured no better than 250.
const TABLES_PER_DATABASE: usize = 250;

/// Four scratch databases at once (`TIDEMARK_SHADOW_PARALLEL` overrides): the server's work
/// waits on the disk and on the client as well as on its CPUs, so even 2 cores gain from 4.
fn default_parallel() -> usize {
    std::env::var("TIDEMARK_SHADOW_PARALLEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// Takes the shared roles lock and creates the roles `desired` names that the server lacks;
/// returns the ones it created.
async fn hold_roles(
    admin: &mut sqlx::PgConnection,
    desired: &Schema,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT pg_advisory_lock_shared($1)")
        .bind(ROLES_LOCK)
        .execute(&mut *admin)
        .await?;
    create_missing_roles(admin, desired).await
}

/// Lets go of the shared roles lock, then, holding it alone (no other run uses them any more),
/// drops the roles this run created.
async fn release_roles(
    admin: &mut sqlx::PgConnection,
    created: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_unlock_shared($1)")
        .bind(ROLES_LOCK)
        .execute(&mut *admin)
        .await?;
    if created.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(ROLES_LOCK)
        .execute(&mut *admin)
        .await?;
    for role in created {
        let _ = admin
            .execute(sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP ROLE IF EXISTS {}",
                quote(role)
            ))))
            .await;
    }
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(ROLES_LOCK)
        .execute(&mut *admin)
        .await?;
    Ok(())
}

/// The advisory lock key under which shadow runs share the NOLOGIN roles they create.
const ROLES_LOCK: i64 = 0x7469_6465_726f_6c65; // "tideroel"

/// What the catalog cannot say, carried from the spec onto its canonical form, and checked.
fn finish(
    desired: &Schema,
    mut canonical: Schema,
    spans: Option<&SpanIndex>,
) -> Result<Schema, ShadowError> {
    carry_renames(desired, &mut canonical);
    carry_managed_grants(desired, &mut canonical);
    check_view_columns(desired, &canonical, spans)?;
    Ok(canonical)
}

/// The server's side of a cache key: its version and encoding, and the default versions of the
/// extensions the spec names (what `CREATE EXTENSION` without a version installs).
async fn server_facts(
    admin: &mut sqlx::PgConnection,
    desired: &Schema,
) -> Result<ServerFacts, sqlx::Error> {
    let names: Vec<String> = desired.extensions.iter().map(|e| e.name.clone()).collect();
    let text: String = sqlx::query_scalar(
        "SELECT current_setting('server_version_num') || ' ' || current_setting('server_encoding') \
         || ' ' || coalesce((SELECT string_agg(name || '=' || coalesce(default_version, ''), ',' \
         ORDER BY name) FROM pg_available_extensions WHERE name = ANY($1)), '')",
    )
    .bind(&names)
    .fetch_one(&mut *admin)
    .await?;
    Ok(ServerFacts { text })
}

/// The types the spec declares, for reading the shadow's `format_type` texts with the spec's
/// own type parser.
struct SpecTypes<'a>(&'a Schema);

impl crate::spec::types::EnumLookup for SpecTypes<'_> {
    fn find(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        let q = QualifiedName::new(schema.unwrap_or("public"), name);
        self.0.enums.iter().any(|e| e.name == q).then_some(q)
    }
    fn names(&self) -> Vec<String> {
        self.0.enums.iter().map(|e| e.name.name.clone()).collect()
    }
    fn find_custom(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        let q = QualifiedName::new(schema.unwrap_or("public"), name);
        self.0.types.iter().any(|t| t.name == q).then_some(q)
    }
}

/// A view with `key:` promises its entity the columns it lists: the query must give exactly
/// those, in order, with those types (PostgreSQL records no NULL-ness for view columns, so that
/// part stays the spec's word).
pub fn check_view_columns(
    desired: &Schema,
    canonical: &Schema,
    spans: Option<&SpanIndex>,
) -> Result<(), ShadowError> {
    let lookup = SpecTypes(desired);
    for v in &desired.views {
        let (Some(e), Some(built)) = (&v.entity, canonical.view(&v.name)) else {
            continue;
        };
        let actual: Vec<(String, Option<crate::model::ColumnType>, String)> = built
            .columns
            .iter()
            .map(|c| {
                let text = c.ty.clone().unwrap_or_default();
                let parsed = crate::spec::types::parse(&text, &lookup).ok();
                (c.name.clone(), parsed, text)
            })
            .collect();
        let problem = if actual.len() != e.columns.len() {
            Some(format!(
                "the query gives {} columns, `columns` lists {}",
                actual.len(),
                e.columns.len()
            ))
        } else {
            e.columns.iter().zip(&actual).enumerate().find_map(
                |(i, (want, (name, parsed, text)))| {
                    if want.name != *name {
                        Some(format!(
                            "column {} is \"{name}\" in the query, \"{}\" in `columns`",
                            i + 1,
                            want.name
                        ))
                    } else if parsed.as_ref() != Some(&want.ty) {
                        Some(format!(
                            "column \"{name}\" is `{text}` in the query, `{}` in `columns`",
                            crate::sql_ident::type_name(&want.ty)
                        ))
                    } else {
                        None
                    }
                },
            )
        };
        if let Some(problem) = problem {
            let object = v.object();
            return Err(ShadowError::ViewColumns {
                object: object.to_string(),
                at: spans.and_then(|s| s.get(&object)).map(ToString::to_string),
                problem,
                actual: format!(
                    "{{ {} }}",
                    actual
                        .iter()
                        .map(|(n, _, t)| format!("{n}: {{ type: {t} }}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// The roles `schema`'s policies and grants name, other than PUBLIC and the `CURRENT_USER`
/// words.
pub fn named_roles(schema: &Schema) -> std::collections::BTreeSet<String> {
    schema
        .policies
        .iter()
        .flat_map(|p| p.roles.iter())
        .chain(crate::kind::grant::roles(&schema.grants))
        .filter(|r| !matches!(r.as_str(), "current_user" | "current_role" | "session_user"))
        .cloned()
        .collect()
}

/// Creates, as `NOLOGIN`, the roles `schema` names that the server does not have (roles are
/// not part of a database, so a scratch database only has the ones its server has); returns
/// the ones it created. A role another session creates at the same moment counts as there.
pub async fn create_missing_roles(
    conn: &mut sqlx::PgConnection,
    schema: &Schema,
) -> Result<Vec<String>, sqlx::Error> {
    let mut created = Vec::new();
    for role in named_roles(schema) {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)",
        )
        .bind(&role)
        .fetch_one(&mut *conn)
        .await?;
        if exists {
            continue;
        }
        let created_now = conn
            .execute(sqlx::raw_sql(AssertSqlSafe(format!(
                "CREATE ROLE {} NOLOGIN",
                quote(&role)
            ))))
            .await;
        match created_now {
            Ok(_) => {}
            // Another session created it meanwhile: 42710 duplicate_object, or 23505
            // unique_violation when both inserted into pg_authid at the same moment.
            Err(e)
                if matches!(
                    e.as_database_error().and_then(|d| d.code()).as_deref(),
                    Some("42710" | "23505")
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        }
        created.push(role);
    }
    Ok(created)
}

async fn apply_and_read(
    url: &DatabaseUrl,
    desired: &Schema,
    spans: Option<&SpanIndex>,
    options: &IntrospectOptions,
) -> Result<Schema, ShadowError> {
    let conn = connect::connect(url, &connect_options())
        .await
        .map_err(ShadowError::Connect)?;
    let session_options = SessionOptions {
        application_name: "tidemark shadow".into(),
        ..SessionOptions::default()
    };
    let mut session = Session::start(conn, None, &session_options)
        .await
        .map_err(|e| ShadowError::Database(e.to_string()))?;
    let plan = ddl::create_all(desired);
    if let Err(e) = execute::apply_unwatched(&mut session, &plan).await {
        let _ = session.close().await;
        let object = &plan.steps[e.index].object;
        let inside = spans.and_then(|s| {
            let position = e.position?;
            if let crate::model::ObjectRef::Table(table) = object {
                // A column's line of `CREATE TABLE` (a type the server lacks): the column's
                // place in the YAML.
                let column = column_at(&e.sql, position)?;
                return s
                    .get(&crate::model::ObjectRef::column(table, &column))
                    .cloned();
            }
            let query = match object {
                crate::model::ObjectRef::View(q) => &desired.view(q)?.query,
                crate::model::ObjectRef::Function { name, args } => {
                    &desired.function(name, args)?.body
                }
                _ => return None,
            };
            let start = e.sql.find(query.as_str())?;
            let start = e.sql[..start].chars().count();
            s.locate(object, position.checked_sub(start)?)
        });
        return Err(ShadowError::Apply {
            object: object.to_string(),
            at: spans.and_then(|s| s.get(object)).map(ToString::to_string),
            sql: e.sql,
            message: {
                let hint = missing_type_hint(&e.message);
                let message = match &inside {
                    Some(s) => format!("{}\n  --> {s}", e.message),
                    None => e.message,
                };
                match hint {
                    Some(h) => format!("{message}\n  = help: {h}"),
                    None => message,
                }
            },
        });
    }
    let schema = introspect::introspect_connection(session.connection(), options)
        .await
        .map(|i| i.schema)
        .map_err(ShadowError::Introspect);
    let _ = session.close().await;
    schema
}

/// The column whose line of a `CREATE TABLE` statement (as [`ddl`] writes it: one quoted
/// column name at the start of each line) holds character `position`.
fn column_at(sql: &str, position: usize) -> Option<String> {
    let before: String = sql.chars().take(position).collect();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = sql[start..].lines().next()?.trim_start();
    let rest = line.strip_prefix('"')?;
    let mut name = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                name.push('"');
            } else {
                return Some(name);
            }
        } else {
            name.push(c);
        }
    }
    None
}

/// For the server's `type "x" does not exist`: the extension that provides `x` when tidemark
/// knows it, or where to look.
fn missing_type_hint(message: &str) -> Option<String> {
    let rest = message.split("type \"").nth(1)?;
    let (name, tail) = rest.split_once('"')?;
    if !tail.trim_start().starts_with("does not exist") {
        return None;
    }
    let bare = name.rsplit('.').next().unwrap_or(name);
    Some(match crate::spec::types::extension_of(bare) {
        Some(ext) => format!(
            "`{bare}` is a type of the extension `{ext}`: list `{ext}` under `extensions:` \
             (and check that the server has it: `SELECT * FROM pg_available_extensions WHERE name = '{ext}'`)"
        ),
        None => format!(
            "no type `{name}` exists on the shadow server: check the spelling, or list the \
             extension that provides it under `extensions:`"
        ),
    })
}

/// `server` with its database replaced by `database`.
fn with_database(server: &DatabaseUrl, database: &str) -> Result<DatabaseUrl, ShadowError> {
    let mut url = url::Url::parse(server.expose_secret())
        .map_err(|e| ShadowError::Database(format!("shadow URL does not parse: {e}")))?;
    url.set_path(&format!("/{database}"));
    DatabaseUrl::parse(url.as_str()).map_err(ShadowError::Connect)
}

/// Marks on the introspected schema the objects whose grants the spec manages (and only those):
/// a declared ACL that is the default leaves nothing in the catalog to read back.
pub fn carry_managed_grants(desired: &Schema, canonical: &mut Schema) {
    canonical
        .grants
        .retain(|c| desired.grants.iter().any(|g| g.object == c.object));
    for g in &desired.grants {
        if !canonical.grants.iter().any(|c| c.object == g.object) {
            canonical.grants.push(crate::model::Grants {
                object: g.object.clone(),
                privileges: crate::kind::grant::default_privileges(&g.object),
            });
        }
    }
    canonical.normalize();
}

/// Copies the spec's declared renames onto the introspected schema, matched by name.
fn carry_renames(desired: &Schema, canonical: &mut Schema) {
    for table in &mut canonical.tables {
        let Some(spec) = desired.table(&table.name) else {
            continue;
        };
        table.renamed_from = spec.renamed_from.clone();
        for column in &mut table.columns {
            column.renamed_from = spec
                .column(&column.name)
                .and_then(|c| c.renamed_from.clone());
        }
    }
}

//! tidemark: schema-as-code and migrations for PostgreSQL with first-class pgvector.
//!
//! Data flow, one module per step (see the README's "Architecture"):
//! `spec` (YAML → [`model::Schema`]) and `introspect` (live database → [`model::Schema`] plus
//! an inventory of what the model cannot represent) → `diff` (current, desired → changes) →
//! `plan` (changes → steps ordered by their dependencies) → `execute` (a plan or a migration
//! script run on a live database) or `migrate` (versioned migrations and their runner).
//! Each object kind's diff, planning and SQL live in one module under `kind`. `compare` is the
//! one pipeline from a spec and a database to a plan (through `shadow`, which canonicalises a
//! spec on a scratch database); `ddl` is the plan from an empty database; `sql_lex` is the one
//! tokenizer for expression texts; `codegen` writes SeaORM entities; `connect` turns a URL (or
//! the kept dev database) into a connection with libpq's TLS rules; `localpg` provides a
//! throwaway PostgreSQL with pgvector. `cli` is the only module that prints or exits.

pub mod canonical_cache;
pub mod canonical_units;
pub mod cli;
pub mod codegen;
pub mod compare;
pub mod connect;
pub mod ddl;
pub mod diagnostic;
pub mod diff;
pub mod execute;
pub mod introspect;
pub mod kind;
pub mod localpg;
pub mod migrate;
pub mod model;
pub mod plan;
pub mod shadow;
pub mod spec;
pub mod sql_ident;
pub mod sql_lex;

//! tidemark: schema-as-code and migrations for PostgreSQL with first-class pgvector.
//!
//! Data flow, one module per step (see `DESIGN.md`):
//! `spec` (YAML → [`model::Schema`]) and `introspect` (live database → [`model::Schema`]) →
//! `diff` (current, desired → changes) → `plan` (changes → ordered SQL steps with hazards) →
//! `apply` (a plan run on a live database) or `migrate` (versioned migrations and their runner).
//! `ddl` renders every statement; `shadow` canonicalises a spec on a scratch database;
//! `declarative` composes the steps for `diff`/`push`; `codegen` writes SeaORM entities;
//! `connect` turns a URL (or the kept dev database) into a connection with libpq's TLS rules;
//! `localpg` provides a throwaway PostgreSQL with pgvector. `cli` is the only module that
//! prints or exits.

pub mod apply;
pub mod cli;
pub mod codegen;
pub mod connect;
pub mod ddl;
pub mod declarative;
pub mod diagnostic;
pub mod diff;
pub mod introspect;
pub mod localpg;
pub mod migrate;
pub mod model;
pub mod plan;
pub mod shadow;
pub mod spec;
pub mod sql_ident;

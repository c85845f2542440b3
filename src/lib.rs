//! tidemark: schema-as-code and migrations for PostgreSQL with first-class pgvector.
//!
//! Data flow, one module per step:
//! `spec` (YAML → [`model::Schema`]) → `ddl` (schema → CREATE statements) →
//! `localpg` (a throwaway PostgreSQL with pgvector), `introspect` (live database →
//! [`model::Schema`]) … `cli` is the only module that prints.
//! `localpg` (a throwaway PostgreSQL with pgvector) … `connect` (a URL, or the kept dev database,
//! → a connection with libpq's TLS rules) … `cli` is the only module that prints.

pub mod apply;
pub mod cli;
pub mod codegen;
pub mod connect;
pub mod ddl;
pub mod declarative;
pub mod diagnostic;
pub mod introspect;
pub mod localpg;
pub mod model;
pub mod shadow;
pub mod spec;
pub mod sql_ident;

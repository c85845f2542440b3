//! tidemark: schema-as-code and migrations for PostgreSQL with first-class pgvector.
//!
//! Data flow, one module per step:
//! `spec` (YAML → [`model::Schema`]) → `ddl` (schema → CREATE statements) →
//! `localpg` (a throwaway PostgreSQL with pgvector) … `cli` is the only module that prints.

pub mod cli;
pub mod codegen;
pub mod ddl;
pub mod diagnostic;
pub mod localpg;
pub mod migrate;
pub mod model;
pub mod spec;
pub mod sql_ident;

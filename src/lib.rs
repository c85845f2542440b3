//! tidemark: schema-as-code and migrations for PostgreSQL with first-class pgvector.
//!
//! Data flow, one module per step:
//! `spec` (YAML → [`model::Schema`]) → `ddl` (schema → CREATE statements) →
//! `diff` (current, desired → changes) → `plan` (changes → ordered SQL steps
//! with hazards) … `localpg` (a throwaway PostgreSQL with pgvector) … `cli` is the only module that prints.

pub mod cli;
pub mod codegen;
pub mod ddl;
pub mod diagnostic;
pub mod diff;
pub mod localpg;
pub mod model;
pub mod plan;
pub mod spec;
pub mod sql_ident;

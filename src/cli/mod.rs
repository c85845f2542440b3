//! Command-line front end: parses arguments, calls one library operation per subcommand, and is
//! the only place that prints or chooses an exit code.
//!
//! Exit codes: 0 success, 1 invalid input (the spec or a migration is wrong), 2 usage error
//! (bad flags, missing paths), 3 a database or environment failure.

use std::process::ExitCode;

pub mod migrate;
pub mod sql;
pub mod validate;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "tidemark",
    version,
    about = "Schema-as-code and migrations for PostgreSQL with pgvector"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the YAML spec and report every problem.
    Validate(validate::ValidateArgs),
    /// Print the full CREATE script for the spec, in dependency order.
    Sql(sql::SqlArgs),
    /// Apply, roll back, inspect and hash versioned migrations.
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
}

/// `--format` shared by every command that reports diagnostics.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    Github,
}

impl From<OutputFormat> for crate::diagnostic::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Self::Human,
            OutputFormat::Json => Self::Json,
            OutputFormat::Github => Self::Github,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Sql(args) => sql::run(args),
        Command::Migrate(cmd) => migrate::run(cmd),
    }
}

/// Loads the spec at `path`, or prints why it cannot and returns the exit code to use, so every
/// command that reads a spec reports problems the same way `validate` does.
pub(crate) fn load_spec(
    path: &std::path::Path,
    format: crate::diagnostic::Format,
) -> Result<crate::spec::Loaded, ExitCode> {
    use crate::diagnostic::Format;
    if !path.exists() {
        eprintln!(
            "error: path `{}` does not exist\n  = help: pass the directory holding your schema files (default `schemas/`)",
            path.display()
        );
        return Err(ExitCode::from(2));
    }
    crate::spec::load(path).map_err(|diags| {
        match format {
            Format::Json => print!("{}", diags.render_json()),
            Format::Github => print!("{}", diags.render_github()),
            Format::Human => eprint!("{}", diags.render_human()),
        }
        ExitCode::from(1)
    })
}

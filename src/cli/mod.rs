//! Command-line front end: parses arguments, calls one library operation per subcommand, and is
//! the only place that prints or chooses an exit code.
//!
//! Exit codes: 0 success, 1 invalid input (the spec or a migration is wrong), 2 usage error
//! (bad flags, missing paths), 3 a database or environment failure.

use std::process::ExitCode;

pub mod generate;
pub mod inspect;
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
    /// Write the SeaORM entity crate from the spec (or check it is current).
    Generate(generate::GenerateArgs),
    /// Read a live database and write it out as spec files.
    Inspect(inspect::InspectArgs),
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
        Command::Generate(args) => generate::run(args),
        Command::Inspect(args) => inspect::run(args),
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

/// Name prefix of tidemark's own tables in a managed database; never part of the user's schema.
pub(crate) const BOOKKEEPING_PREFIX: &str = "tidemark_";

/// Other tables that belong to the tooling rather than the schema (sea-orm-migration's history).
pub(crate) const BOOKKEEPING_TABLES: &[&str] = &["*.seaql_migrations"];

/// Runs one async library operation from a synchronous command.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime can be built")
        .block_on(future)
}

/// Connects to `url`; the error never contains the URL's password.
pub(crate) async fn connect(url: &str) -> anyhow::Result<sqlx::PgPool> {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!(redact(&e.to_string())))
        .map_err(|e| e.context(format!("could not connect to {}", redact(url))))
}

/// Replaces the password of any `scheme://user:password@host` in `text` with `***`.
pub(crate) fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Prints an error with its `Caused by:` chain (cargo's style), passwords redacted, and
/// returns `code`.
pub(crate) fn fail(error: anyhow::Error, code: u8) -> ExitCode {
    eprintln!("error: {}", redact(&error.to_string()));
    let causes: Vec<String> = error
        .chain()
        .skip(1)
        .map(|c| redact(&c.to_string()))
        .collect();
    if !causes.is_empty() {
        eprintln!("\nCaused by:");
        for line in causes.iter().flat_map(|c| c.lines()) {
            eprintln!("    {line}");
        }
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted_wherever_a_url_appears() {
        assert_eq!(
            redact("connect postgres://app:s3cr3t@db.example.com:5432/prod failed"),
            "connect postgres://app:***@db.example.com:5432/prod failed"
        );
        assert_eq!(
            redact("postgresql://app@localhost/x and postgres://u:p%40ss@h/y"),
            "postgresql://app@localhost/x and postgres://u:***@h/y"
        );
        assert_eq!(redact("no url here"), "no url here");
    }
}

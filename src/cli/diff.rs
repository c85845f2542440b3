//! `tidemark diff`: the plan that would take a live database to the spec (CLI layer over
//! `declarative::drift`); changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::declarative::{DriftOptions, drift};
use crate::diagnostic::Format;
use crate::plan::PlanOptions;

/// Arguments shared by `diff` and `push`.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Directory (searched recursively for *.yaml / *.yml) or single spec file.
    #[arg(default_value = "schemas/")]
    pub path: PathBuf,
    /// Database to compare (postgres:// URL); default: DATABASE_URL, `.env.local`, `.env`, then
    /// the local dev database (`tidemark dev`).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Server for the shadow database (same major version as the target; the role needs
    /// CREATE DATABASE). Default: a throwaway local PostgreSQL.
    #[arg(long)]
    pub shadow_url: Option<String>,
    /// Build and drop indexes of existing tables CONCURRENTLY (outside a transaction).
    #[arg(long)]
    pub concurrent_indexes: bool,
    /// Leave out tables and enums whose `schema.name` matches this glob (repeatable).
    #[arg(long)]
    pub ignore: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::OutputFormat::Human)]
    pub format: super::OutputFormat,
}

/// Arguments of `tidemark diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Exit with 2 when the database differs from the spec (for CI drift checks).
    #[arg(long)]
    pub exit_code: bool,
}

/// Loads the spec, connects, and computes the drift; errors are printed, with the exit code
/// returned.
pub(crate) fn compute(
    args: &TargetArgs,
) -> Result<(crate::declarative::Drift, crate::connect::DatabaseUrl), ExitCode> {
    let format: Format = args.format.into();
    let loaded = super::load_spec(&args.path, format)?;
    let shadow = super::shadow_server(args.shadow_url.as_deref())?;
    super::block_on(async {
        let url = super::database_url(args.database_url.clone(), true).await?;
        let options = DriftOptions {
            shadow,
            plan: PlanOptions {
                concurrent_indexes: args.concurrent_indexes,
            },
            ignore: args.ignore.clone(),
        };
        let mut conn = crate::connect::connect(&url, &crate::connect::ConnectOptions::default())
            .await
            .map_err(|e| (anyhow::Error::new(e), 3))?;
        let found = drift(&loaded.schema, &mut conn, &options)
            .await
            .map_err(|e| (anyhow::Error::new(e), 3))?;
        Ok((found, url))
    })?
    .map_err(|(e, code)| super::fail(e, code))
}

/// Runs the command: 0 (or 2 with `--exit-code` when there are differences), 1 invalid spec,
/// 3 database failure.
pub fn run(args: DiffArgs) -> ExitCode {
    let (found, url) = match compute(&args.target) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let plan = &found.plan;
    match args.target.format {
        super::OutputFormat::Json => println!("{}", plan.to_json()),
        _ if plan.is_empty() => {
            eprintln!("{} matches the spec", url.redacted());
        }
        _ => {
            print!("{}", plan.script());
            let hazards: Vec<&str> = plan.hazard_kinds().iter().map(|h| h.label()).collect();
            eprintln!(
                "\n{} step{} to bring {} to the spec{}",
                plan.steps.len(),
                if plan.steps.len() == 1 { "" } else { "s" },
                url.redacted(),
                if hazards.is_empty() {
                    String::new()
                } else {
                    format!("; hazards: {}", hazards.join(", "))
                }
            );
        }
    }
    if args.exit_code && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

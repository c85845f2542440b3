//! `tidemark diff`: the plan that would take a live database to the spec, and what the
//! database holds that the spec does not manage (CLI layer over `compare`); changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Exit, Failure};
use crate::compare::{self, CompareOptions, Comparison, Desired};
use crate::diagnostic::Format;
use crate::introspect::Unmanaged;
use crate::plan::PlanOptions;
use crate::shadow::ShadowHost;

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
    /// Leave out objects whose `schema.name` (or `schema.table.name`) matches this glob
    /// (repeatable); spec files can list more under `ignore:`.
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
    /// Exit with 2 when the database differs from the spec, or holds objects the spec does not
    /// manage (for CI drift checks).
    #[arg(long)]
    pub exit_code: bool,
}

/// Loads the spec, connects, and compares; errors are printed, with the exit code returned.
pub(crate) fn compute(
    args: &TargetArgs,
) -> Result<(Comparison, crate::connect::DatabaseUrl), ExitCode> {
    let format: Format = args.format.into();
    let loaded = super::load_spec(&args.path, format)?;
    let shadow = super::shadow_server(args.shadow_url.as_deref())?;
    super::block_on(async {
        let url = super::database_url(args.database_url.clone(), true).await?;
        let options = CompareOptions {
            plan: PlanOptions {
                concurrent_indexes: args.concurrent_indexes,
            },
            ignore: args.ignore.clone(),
        };
        let mut conn = crate::connect::connect(&url, &crate::connect::ConnectOptions::default())
            .await
            .map_err(Failure::env)?;
        let host = ShadowHost::start(&shadow).await.map_err(Failure::env)?;
        let desired = Desired {
            schema: &loaded.schema,
            spans: Some(&loaded.spans),
            ignore: &loaded.ignore,
        };
        let found = compare::compare(desired, &mut conn, &host, &options)
            .await
            .map_err(Failure::env)?;
        Ok((found, url))
    })?
    .map_err(Failure::report)
}

/// The "not managed by the spec" section, as SQL comments so the output stays a script.
pub(crate) fn unmanaged_section(unmanaged: &[Unmanaged]) -> String {
    if unmanaged.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n-- in the database but not managed by the spec ({}):\n",
        unmanaged.len()
    );
    for u in unmanaged {
        out.push_str(&format!("--   {u}\n"));
    }
    out.push_str(&format!(
        "--   = help: {}\n",
        crate::sql_ident::one_line(&unmanaged[0].hint())
    ));
    out
}

/// The comparison's notes, one `note:` line each, on stderr.
pub(crate) fn print_notes(found: &Comparison) {
    for n in &found.notes {
        eprintln!("note: {}", crate::sql_ident::one_line(n));
    }
}

/// `{"steps": [...], "unmanaged": [...], "notes": [...]}`.
pub(crate) fn json(found: &Comparison) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "steps": found.plan.steps,
        "unmanaged": found.unmanaged,
        "notes": found.notes,
    }))
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Runs the command: 0 (or 2 with `--exit-code` when there are differences or unmanaged
/// objects), 1 invalid spec, 3 database failure.
pub fn run(args: DiffArgs) -> ExitCode {
    let (found, url) = match compute(&args.target) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let plan = &found.plan;
    if args.target.format != super::OutputFormat::Json {
        print_notes(&found);
    }
    match args.target.format {
        super::OutputFormat::Json => println!("{}", json(&found)),
        _ if found.matches() => eprintln!("{} matches the spec", url.redacted()),
        _ => {
            print!("{}", plan.script());
            print!("{}", unmanaged_section(&found.unmanaged));
            let hazards: Vec<&str> = plan.hazard_kinds().iter().map(|h| h.label()).collect();
            let mut summary = format!(
                "\n{} step{} to bring {} to the spec",
                plan.steps.len(),
                if plan.steps.len() == 1 { "" } else { "s" },
                url.redacted()
            );
            if !hazards.is_empty() {
                summary.push_str(&format!("; hazards: {}", hazards.join(", ")));
            }
            if !found.unmanaged.is_empty() {
                summary.push_str(&format!(
                    "; {} object{} in the database not managed by the spec",
                    found.unmanaged.len(),
                    if found.unmanaged.len() == 1 { "" } else { "s" }
                ));
            }
            eprintln!("{summary}");
        }
    }
    if args.exit_code && !found.matches() {
        Exit::Differs.into()
    } else {
        Exit::Success.into()
    }
}

//! `tidemark inspect`: live database → spec files (CLI layer over `introspect` and
//! `spec::emit`): the way an existing database starts being managed as code.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Exit, Failure};
use crate::introspect::{IntrospectOptions, introspect_with_stats};
use crate::spec::emit::{Layout, emit};

/// Arguments of `tidemark inspect`.
#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// Database to read (a postgres:// URL); default: DATABASE_URL, then `.env.local`, `.env`.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Directory to write the spec files into; without it they are printed.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One file per PostgreSQL schema, or one file per table.
    #[arg(long, value_enum, default_value_t = LayoutArg::PerSchema)]
    pub layout: LayoutArg,
    /// Read only these PostgreSQL schemas (repeatable); default: all non-system schemas.
    #[arg(long = "schema")]
    pub schemas: Vec<String>,
    /// Leave out objects whose `schema.name` (or `schema.table.name`) matches this glob
    /// (repeatable).
    #[arg(long)]
    pub ignore: Vec<String>,
    /// Overwrite files that already exist in `--out`.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LayoutArg {
    PerSchema,
    PerTable,
}

/// Runs the command: 0 written or printed, 2 refusing to overwrite, 3 database failure,
/// 4 refused because the database holds objects the spec cannot describe (all are listed;
/// nothing is written).
pub fn run(args: InspectArgs) -> ExitCode {
    let options = IntrospectOptions {
        schemas: (!args.schemas.is_empty()).then(|| args.schemas.clone()),
        ..crate::compare::introspect_options(&Default::default(), &args.ignore)
    };
    let result = match super::block_on(async {
        let url = super::database_url(args.database_url.clone(), false).await?;
        let pool = super::connect(&url).await?;
        introspect_with_stats(&pool, &options).await.map_err(|e| {
            Failure::env(
                anyhow::Error::new(e).context(format!("could not read {}", url.redacted())),
            )
        })
    }) {
        Ok(result) => result,
        Err(code) => return code,
    };
    let read = match result {
        Ok(read) => read,
        Err(f) => return f.report(),
    };
    if !read.unmanaged.is_empty() {
        eprintln!(
            "error: the database holds {} object{} the spec cannot describe; nothing was written",
            read.unmanaged.len(),
            if read.unmanaged.len() == 1 { "" } else { "s" }
        );
        for u in &read.unmanaged {
            eprintln!("  - {u}");
        }
        let globs: std::collections::BTreeSet<String> =
            read.unmanaged.iter().map(|u| u.ignore_glob()).collect();
        eprintln!(
            "  = help: {}\n  = help: to manage the rest now, leave these out: {}",
            read.unmanaged[0].hint(),
            globs
                .iter()
                .map(|g| format!("--ignore '{g}'"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        return Exit::Refused.into();
    }
    let schema = read.schema;
    let layout = match args.layout {
        LayoutArg::PerSchema => Layout::PerSchema,
        LayoutArg::PerTable => Layout::PerTable,
    };
    let files = emit(&schema, layout);
    let Some(out) = args.out else {
        for (i, f) in files.iter().enumerate() {
            if i > 0 {
                println!();
            }
            println!("# ---- {} ----", f.path);
            print!("{}", f.contents);
        }
        return Exit::Success.into();
    };
    if !args.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|f| out.join(&f.path).exists())
            .map(|f| out.join(&f.path).display().to_string())
            .collect();
        if !existing.is_empty() {
            eprintln!(
                "error: refusing to overwrite {}\n  = help: pass --force to replace them, or choose another --out",
                existing.join(", ")
            );
            return Exit::Usage.into();
        }
    }
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&out)?;
        for f in &files {
            std::fs::write(out.join(&f.path), &f.contents)?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        return Failure::env(
            anyhow::Error::new(e).context(format!("could not write to {}", out.display())),
        )
        .report();
    }
    println!(
        "wrote {} file{} to {} ({})",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        out.display(),
        crate::spec::summary(&schema)
    );
    Exit::Success.into()
}

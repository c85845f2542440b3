//! `tidemark validate`: loads the spec and reports its diagnostics (CLI layer: prints, exits).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::diagnostic::Format;

/// Arguments of `tidemark validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Directory (searched recursively for *.yaml / *.yml) or single spec file.
    #[arg(default_value = "schemas/")]
    pub path: PathBuf,
    /// Output format of diagnostics.
    #[arg(long, value_enum, default_value_t = super::OutputFormat::Human)]
    pub format: super::OutputFormat,
}

/// Runs the command: 0 valid, 1 invalid spec, 2 missing path.
pub fn run(args: ValidateArgs) -> ExitCode {
    if !args.path.exists() {
        eprintln!(
            "error: path `{}` does not exist\n  = help: pass the directory holding your schema files (default `schemas/`)",
            args.path.display()
        );
        return ExitCode::from(2);
    }
    let format: Format = args.format.into();
    match crate::spec::load(&args.path) {
        Ok(loaded) => {
            let s = &loaded.schema;
            let summary = format!(
                "ok: {} tables, {} enums, {} extensions in {} files",
                s.tables.len(),
                s.enums.len(),
                s.extensions.len(),
                loaded.files.len()
            );
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({
                        "ok": true,
                        "tables": s.tables.len(),
                        "enums": s.enums.len(),
                        "extensions": s.extensions.len(),
                        "files": loaded.files.len(),
                        "diagnostics": [],
                    })
                ),
                _ => println!("{summary}"),
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            match format {
                Format::Json => print!("{}", diags.render_json()),
                Format::Github => print!("{}", diags.render_github()),
                Format::Human => eprint!("{}", diags.render_human()),
            }
            ExitCode::from(1)
        }
    }
}

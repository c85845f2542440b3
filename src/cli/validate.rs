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
    let format: Format = args.format.into();
    let loaded = match super::load_spec(&args.path, format) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let s = &loaded.schema;
    match format {
        Format::Json => {
            let mut out = serde_json::json!({
                "ok": true,
                "files": loaded.files.len(),
                "diagnostics": [],
            });
            for (key, n) in crate::spec::counts(s) {
                out[key] = n.into();
            }
            println!("{out}");
        }
        _ => println!(
            "ok: {} in {} file{}",
            crate::spec::summary(s),
            loaded.files.len(),
            if loaded.files.len() == 1 { "" } else { "s" }
        ),
    }
    super::Exit::Success.into()
}

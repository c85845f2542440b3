//! `tidemark sql`: loads the spec and prints its full CREATE script (CLI layer over `ddl`).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::diagnostic::Format;

/// Arguments of `tidemark sql`.
#[derive(clap::Args, Debug)]
pub struct SqlArgs {
    /// Directory (searched recursively for *.yaml / *.yml) or single spec file.
    #[arg(default_value = "schemas/")]
    pub path: PathBuf,
    /// Output format of diagnostics, should the spec be invalid.
    #[arg(long, value_enum, default_value_t = super::OutputFormat::Human)]
    pub format: super::OutputFormat,
}

/// Runs the command: 0 with the script on stdout, 1 invalid spec, 2 missing path.
pub fn run(args: SqlArgs) -> ExitCode {
    let format: Format = args.format.into();
    let loaded = match super::load_spec(&args.path, format) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let plan = crate::ddl::create_all(&loaded.schema);
    print!("{}", crate::ddl::script(&plan));
    super::Exit::Success.into()
}

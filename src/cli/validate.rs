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
    /// Also build the spec on a scratch (shadow) database, so a view, function, trigger, policy
    /// or default whose SQL PostgreSQL rejects is reported at its place in the spec.
    #[arg(long)]
    pub shadow: bool,
    /// Server for the shadow database (the role needs CREATE DATABASE). Default: a throwaway
    /// local PostgreSQL.
    #[arg(long, requires = "shadow")]
    pub shadow_url: Option<String>,
}

/// Runs the command: 0 valid, 1 invalid spec (or rejected by the shadow database), 2 missing
/// path, 3 the shadow server failed.
pub fn run(args: ValidateArgs) -> ExitCode {
    let format: Format = args.format.into();
    let loaded = match super::load_spec(&args.path, format) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if args.shadow
        && let Err(code) = on_shadow(&loaded, args.shadow_url.as_deref())
    {
        return code;
    }
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

/// Builds the spec on a shadow database and reads it back: a statement the server rejects, or
/// a view whose declared columns its query does not give, is an invalid spec (exit 1),
/// pointing at the object's place in the spec.
fn on_shadow(loaded: &crate::spec::Loaded, url: Option<&str>) -> Result<(), ExitCode> {
    use super::exit::{Exit, Failure};
    use crate::shadow::{ShadowError, ShadowHost};
    let server = super::shadow_server(url)?;
    super::block_on(async {
        let host = ShadowHost::start(&server).await.map_err(Failure::env)?;
        let options = crate::compare::introspect_options(&loaded.schema, &loaded.ignore);
        host.canonicalize(&loaded.schema, Some(&loaded.spans), &options)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                ShadowError::Apply { .. } | ShadowError::ViewColumns { .. } => {
                    Failure::new(e, Exit::Invalid)
                }
                other => Failure::env(other),
            })
    })?
    .map_err(Failure::report)
}

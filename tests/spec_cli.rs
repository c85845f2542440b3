//! `tidemark validate` as users run it: exit codes, output streams and formats.

use std::process::{Command, Output};

fn tidemark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn valid_schemas_exit_0_with_a_summary() {
    let out = tidemark(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ok: 5 tables, 1 view, 1 materialized view, 2 functions, 1 trigger, 3 enums, 1 extension in 7 files\n"
    );
    let out = tidemark(&["validate", "schemas/chunks.yaml"]);
    // chunks.yaml alone references documents, which is in another file.
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("references table \"documents\", which does not exist"));
}

#[test]
fn invalid_spec_exits_1_with_human_diagnostics_on_stderr() {
    let out = tidemark(&["validate", "tests/invalid/18_unknown_table_key.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("error: unknown key `colums` in table \"documents\""),
        "{err}"
    );
    assert!(
        err.contains(" --> tests/invalid/18_unknown_table_key.yaml:3:5"),
        "{err}"
    );
    assert!(err.contains("= help: did you mean `columns`?"), "{err}");
}

#[test]
fn json_format_parses() {
    let out = tidemark(&[
        "validate",
        "tests/invalid/113_several_errors_in_one_file.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid json");
    let diags = v["diagnostics"].as_array().expect("array");
    assert!(diags.len() >= 5, "{v}");
    assert!(
        diags
            .iter()
            .all(|d| d["severity"] == "error" && d["line"].is_u64())
    );
    let ok = tidemark(&["validate", "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("valid json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["tables"], 5);
}

#[test]
fn github_format_emits_annotations() {
    let out = tidemark(&[
        "validate",
        "tests/invalid/30_unknown_type_did_you_mean.yaml",
        "--format",
        "github",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "::error file=tests/invalid/30_unknown_type_did_you_mean.yaml,line=4,col=11::column \"id\" of table \"documents\": unknown type `integr`%0Ahelp: did you mean `integer`? (another type is written with its schema: `public.integr`)\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = tidemark(&["validate", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = tidemark(&["validate", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = tidemark(&["validate", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no/such/dir") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

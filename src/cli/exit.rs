//! The CLI's exit codes, in one type: every command ends in an [`Exit`], and a failure is a
//! [`Failure`] (an error with its `Caused by:` chain and the exit it leads to). No command
//! spells a number.

use std::process::ExitCode;

/// Why a command ends, which decides its exit code (see the README's "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Success,
    /// 1: the input is wrong (the spec has errors, a migration failed or the directory is
    /// tampered with, `verify` or `status --check-schema` found differences).
    Invalid,
    /// 1: `generate --check` found stale files.
    Stale,
    /// 2: bad flags, a missing path, refusing to overwrite.
    Usage,
    /// 2: `diff --exit-code` found the database differing from the spec (or holding objects
    /// the spec does not manage).
    Differs,
    /// 3: the environment or the database failed.
    Environment,
    /// 4: refused (destructive steps without `--allow-destructive`, or `inspect` finding
    /// objects the spec cannot describe).
    Refused,
    /// 130: stopped by SIGINT (Ctrl-C), the running step rolled back.
    Interrupted,
    /// 143: stopped by SIGTERM, the running step rolled back.
    Terminated,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Invalid | Exit::Stale => 1,
            Exit::Usage | Exit::Differs => 2,
            Exit::Environment => 3,
            Exit::Refused => 4,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        }
    }

    /// The exit of a library error that carries its own code (the migration runner's).
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Success,
            1 => Exit::Invalid,
            2 => Exit::Usage,
            4 => Exit::Refused,
            _ => Exit::Environment,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// An error and the exit it leads to.
#[derive(Debug)]
pub struct Failure {
    pub error: anyhow::Error,
    pub exit: Exit,
}

impl Failure {
    pub fn new(error: impl Into<anyhow::Error>, exit: Exit) -> Failure {
        Failure {
            error: error.into(),
            exit,
        }
    }

    /// A database or environment failure.
    pub fn env(error: impl Into<anyhow::Error>) -> Failure {
        Failure::new(error, Exit::Environment)
    }

    /// Prints the error with its `Caused by:` chain (cargo's style), passwords redacted, and
    /// returns the exit code.
    pub fn report(self) -> ExitCode {
        use crate::connect::redact;
        eprintln!("error: {}", redact(&self.error.to_string()));
        let causes: Vec<String> = self
            .error
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
        self.exit.into()
    }
}

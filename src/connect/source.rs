//! Finding the database URL, first step of `connect`: the `--database-url` flag, then the
//! `DATABASE_URL` environment variable, then `.env.local`, then `.env` in the project directory,
//! then libpq's own environment when it names a server (`PGSERVICE`, `PGHOST`, `PGDATABASE`:
//! an empty URL that `libpq` completes); nothing anywhere means the local development database. The answer says where the URL came
//! from, so messages can say "from .env.local".
//!
//! The dotenv files are read with a small parser of our own (comments, `export `, single and
//! double quotes) that looks only at what it is asked for and never changes the process
//! environment; `${VAR}` expansion is not supported, and `$` is kept literally.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{ConnectError, DatabaseUrl};

/// Where a URL was found, for messages ("the URL from .env.local is not valid").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlOrigin {
    /// The `--database-url` command-line flag.
    Flag,
    /// The `DATABASE_URL` environment variable.
    Env,
    /// No URL, but libpq's environment (`PGSERVICE`, `PGHOST`, `PGDATABASE`) names a server.
    Libpq,
    /// A dotenv file (`.env.local` or `.env`) in the project directory.
    EnvFile(PathBuf),
}

impl fmt::Display for UrlOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlOrigin::Flag => f.write_str("--database-url"),
            UrlOrigin::Env => f.write_str("the DATABASE_URL environment variable"),
            UrlOrigin::Libpq => f.write_str("the PG* environment variables"),
            UrlOrigin::EnvFile(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The database a command should use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionSource {
    /// A URL given by the user, and where.
    Url {
        /// The URL (prints redacted).
        url: DatabaseUrl,
        /// Where it was found.
        origin: UrlOrigin,
    },
    /// No URL anywhere: use the kept local development database (`tidemark dev`).
    DevDatabase,
}

/// The inputs of resolution as values, so precedence is testable without touching the process
/// environment.
#[derive(Debug, Clone)]
pub struct ResolveInputs {
    /// The `--database-url` flag, if given.
    pub flag: Option<String>,
    /// The value of `DATABASE_URL`, if set.
    pub env: Option<String>,
    /// Where `.env.local` and `.env` are looked for.
    pub project_dir: PathBuf,
    /// libpq's environment names a server (`PGSERVICE`, `PGHOST` or `PGDATABASE`): with no URL
    /// anywhere, connect where `psql` would rather than to the dev database.
    pub libpq_server: bool,
}

impl ResolveInputs {
    /// Inputs from the flag and the real process environment.
    pub fn from_env(flag: Option<String>, project_dir: impl Into<PathBuf>) -> ResolveInputs {
        ResolveInputs {
            flag,
            env: std::env::var("DATABASE_URL").ok(),
            project_dir: project_dir.into(),
            libpq_server: super::LibpqEnvironment::from_process().names_a_server(),
        }
    }
}

/// Pick the URL by precedence (flag, `DATABASE_URL`, `.env.local`, `.env`); an empty value
/// counts as unset. A URL that does not parse is an error naming where it came from, not a
/// reason to fall through to the next source.
pub fn resolve(inputs: &ResolveInputs) -> Result<ConnectionSource, ConnectError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut found = given(&inputs.flag)
        .map(|v| (v, UrlOrigin::Flag))
        .or_else(|| given(&inputs.env).map(|v| (v, UrlOrigin::Env)));
    if found.is_none() {
        for name in [".env.local", ".env"] {
            let path = inputs.project_dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(ConnectError::EnvFileRead { path, source }),
            };
            let vars = parse_dotenv(&path, &text)?;
            if let Some((_, value)) = vars.into_iter().rev().find(|(k, _)| k == "DATABASE_URL")
                && !value.trim().is_empty()
            {
                found = Some((value, UrlOrigin::EnvFile(path)));
                break;
            }
        }
    }
    match found {
        None if inputs.libpq_server => Ok(ConnectionSource::Url {
            url: DatabaseUrl::parse("postgresql://")?,
            origin: UrlOrigin::Libpq,
        }),
        None => Ok(ConnectionSource::DevDatabase),
        Some((text, origin)) => match DatabaseUrl::parse(&text) {
            Ok(url) => Ok(ConnectionSource::Url { url, origin }),
            Err(ConnectError::BadUrl { detail }) => Err(ConnectError::BadUrl {
                detail: format!("{detail} (the URL from {origin})"),
            }),
            Err(other) => Err(other),
        },
    }
}

struct Cursor<'a> {
    path: &'a Path,
    chars: Vec<char>,
    pos: usize,
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn error(&self, line: usize, column: usize, message: String, help: &str) -> ConnectError {
        ConnectError::EnvFile {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
            help: help.to_string(),
        }
    }

    fn starts_with(&self, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }
}

/// Parse a dotenv file into `(name, value)` pairs in file order. Errors point at the line and
/// column; values are never quoted back in them, since they may be secrets.
pub fn parse_dotenv(path: &Path, text: &str) -> Result<Vec<(String, String)>, ConnectError> {
    let mut c = Cursor {
        path,
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
        column: 1,
    };
    let mut vars = Vec::new();
    loop {
        c.skip_blanks();
        match c.peek() {
            None => break,
            Some('\n') => {
                c.bump();
                continue;
            }
            Some('#') => {
                c.skip_line();
                continue;
            }
            _ => {}
        }
        if c.starts_with("export") && matches!(c.chars.get(c.pos + 6), Some(' ' | '\t')) {
            for _ in 0..6 {
                c.bump();
            }
            c.skip_blanks();
        }
        let (line, column) = (c.line, c.column);
        let mut name = String::new();
        while let Some(ch) = c.peek() {
            let ok = if name.is_empty() {
                ch.is_ascii_alphabetic() || ch == '_'
            } else {
                ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-')
            };
            if !ok {
                break;
            }
            name.push(ch);
            c.bump();
        }
        if name.is_empty() {
            return Err(c.error(
                line,
                column,
                "expected a variable name".into(),
                "each line is NAME=value, a blank line, or a # comment",
            ));
        }
        c.skip_blanks();
        if c.peek() != Some('=') {
            return Err(c.error(
                c.line,
                c.column,
                format!("expected `=` after `{name}`"),
                "write NAME=value (no spaces in the name)",
            ));
        }
        c.bump();
        c.skip_blanks();
        let value = match c.peek() {
            Some(q @ ('\'' | '"')) => {
                let (qline, qcolumn) = (c.line, c.column);
                c.bump();
                let mut value = String::new();
                loop {
                    match c.bump() {
                        None => {
                            return Err(c.error(
                                qline,
                                qcolumn,
                                format!("the value of `{name}` has no closing {q}"),
                                "close the quote; a quoted value may span lines",
                            ));
                        }
                        Some(ch) if ch == q => break,
                        Some('\\') if q == '"' => match c.bump() {
                            Some('n') => value.push('\n'),
                            Some('r') => value.push('\r'),
                            Some('t') => value.push('\t'),
                            Some(e @ ('"' | '\\' | '$')) => value.push(e),
                            Some(other) => {
                                value.push('\\');
                                value.push(other);
                            }
                            None => {}
                        },
                        Some(ch) => value.push(ch),
                    }
                }
                c.skip_blanks();
                match c.peek() {
                    None | Some('\n') => {}
                    Some('#') => c.skip_line(),
                    Some(_) => {
                        return Err(c.error(
                            c.line,
                            c.column,
                            format!("unexpected text after the closing quote of `{name}`"),
                            "put the whole value inside the quotes, or add a # before a comment",
                        ));
                    }
                }
                value
            }
            _ => {
                let mut value = String::new();
                while let Some(ch) = c.peek() {
                    if ch == '\n' {
                        break;
                    }
                    if ch == '#' && (value.is_empty() || value.ends_with([' ', '\t'])) {
                        c.skip_line();
                        break;
                    }
                    value.push(ch);
                    c.bump();
                }
                value.trim_end().to_string()
            }
        };
        vars.push((name, value));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_dotenv(Path::new(".env"), text).unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn dotenv_syntax() {
        let text = "# a comment\n\
                    \n\
                    A=plain value  # trailing comment\n\
                    export B = 'single #not a comment $HOME'\n\
                    C=\"dq \\\"esc\\\" \\n $x\"   # after\n\
                    D=\n\
                    E=url#fragment\r\n\
                    F=\"multi\nline\"\n\
                    \texport\tG=1\n";
        assert_eq!(
            parse(text),
            pairs(&[
                ("A", "plain value"),
                ("B", "single #not a comment $HOME"),
                ("C", "dq \"esc\" \n $x"),
                ("D", ""),
                ("E", "url#fragment"),
                ("F", "multi\nline"),
                ("G", "1"),
            ])
        );
        // `export` alone is a variable name, not the keyword.
        assert_eq!(parse("exported=1"), pairs(&[("exported", "1")]));
    }

    #[test]
    fn dotenv_errors_point_at_line_and_column_without_the_value() {
        let path = Path::new("/p/.env.local");
        let err = parse_dotenv(path, "A=1\nB='secret\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/p/.env.local:2:3: the value of `B` has no closing '"),
            "{err}"
        );
        assert!(!err.contains("secret"), "{err}");
        assert!(err.contains("help:"), "{err}");
        let err = parse_dotenv(path, "\n  1A=x\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/p/.env.local:2:3: expected a variable name"),
            "{err}"
        );
        let err = parse_dotenv(path, "DATABASE URL=x\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/p/.env.local:1:10: expected `=` after `DATABASE`"),
            "{err}"
        );
        let err = parse_dotenv(path, "A=\"x\" y\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/p/.env.local:1:7: unexpected text after"),
            "{err}"
        );
    }
}

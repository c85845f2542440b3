//! Diagnostics shared by every step that reads user input (first the spec loader): a message
//! naming the object, a source position, a label and a help line, rendered for humans (like
//! rustc), for machines (JSON) and for GitHub Actions (workflow annotations).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// How bad a diagnostic is; only errors make a spec invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where in which file a diagnostic points, so users can jump to it; 1-based, in characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// The file as the user named it (relative to the current directory when given so).
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Characters to underline (at least 1).
    pub len: u32,
}

/// `file:line:column`, the form editors and terminals turn into a link.
impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem found in the input, with enough context to fix it without reading the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Names the object, e.g. `index "chunks_embedding_idx" on table "chunks"`.
    pub message: String,
    pub span: Option<Span>,
    /// Short text printed next to the underline.
    pub label: Option<String>,
    /// How to fix it (did-you-mean, the valid choices, the expression to write instead).
    pub help: Option<String>,
}

impl Diagnostic {
    /// Starts an error; positions and hints are added with the builder methods.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            help: None,
        }
    }

    /// Starts a warning (does not make the input invalid).
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// Points the diagnostic at a place in a file.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Points the diagnostic at a place, when there is one.
    pub fn maybe_at(mut self, span: Option<Span>) -> Self {
        if span.is_some() {
            self.span = span;
        }
        self
    }

    /// Text shown under the source line, next to the carets.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The `= help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help only when there is one (e.g. a did-you-mean that found a candidate).
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }
}

/// Output formats a front end can ask for; one enum so every command offers the same three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// Every diagnostic of one run plus the source texts they point into, so they can be rendered
/// with the offending line long after loading.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    /// File name (as in [`Span::file`]) → its text.
    pub sources: Arc<BTreeMap<String, String>>,
}

impl Diagnostics {
    /// Wraps a list with the sources needed to show source lines.
    pub fn new(items: Vec<Diagnostic>, sources: Arc<BTreeMap<String, String>>) -> Self {
        Self { items, sources }
    }

    /// Whether the input is invalid (warnings alone do not make it so).
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors, for summaries.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Renders in the requested format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human => self.render_human(),
            Format::Json => self.render_json(),
            Format::Github => self.render_github(),
        }
    }

    /// rustc-style text: message, `-->` position, the source line with carets, `= help:`.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            render_one_human(&mut out, d, &self.sources);
            out.push('\n');
        }
        let errors = self.error_count();
        if errors > 0 {
            let _ = writeln!(
                out,
                "error: found {errors} problem{} in the spec",
                if errors == 1 { "" } else { "s" }
            );
        }
        out
    }

    /// A JSON document `{ "diagnostics": [...] }` for tools.
    pub fn render_json(&self) -> String {
        let list: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|d| {
                serde_json::json!({
                    "severity": d.severity.as_str(),
                    "message": d.message,
                    "file": d.span.as_ref().map(|s| s.file.clone()),
                    "line": d.span.as_ref().map(|s| s.line),
                    "column": d.span.as_ref().map(|s| s.column),
                    "label": d.label,
                    "help": d.help,
                })
            })
            .collect();
        let doc = serde_json::json!({ "diagnostics": list });
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`.
    pub fn render_github(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let mut msg = d.message.clone();
            if let Some(h) = &d.help {
                msg.push_str("\nhelp: ");
                msg.push_str(h);
            }
            let _ = write!(out, "::{}", d.severity.as_str());
            if let Some(s) = &d.span {
                let _ = write!(
                    out,
                    " file={},line={},col={}",
                    gh_property(&s.file),
                    s.line,
                    s.column
                );
            }
            let _ = writeln!(out, "::{}", gh_data(&msg));
        }
        out
    }
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn render_one_human(out: &mut String, d: &Diagnostic, sources: &BTreeMap<String, String>) {
    let _ = writeln!(out, "{}: {}", d.severity.as_str(), d.message);
    let Some(span) = &d.span else {
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        return;
    };
    let line_no = span.line.max(1);
    let width = line_no.to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}--> {}:{}:{}",
        span.file,
        line_no,
        span.column.max(1)
    );
    let line_text = sources.get(&span.file).and_then(|src| {
        src.lines()
            .nth((line_no - 1) as usize)
            .map(|l| l.replace('\t', " ").trim_end_matches('\r').to_string())
    });
    if let Some(text) = line_text {
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line_no} | {text}");
        let col = span.column.max(1) as usize;
        let avail = text.chars().count().saturating_sub(col - 1).max(1);
        let len = (span.len.max(1) as usize).min(avail);
        let mut caret = format!("{pad} | {}{}", " ".repeat(col - 1), "^".repeat(len));
        if let Some(l) = &d.label {
            caret.push(' ');
            caret.push_str(l);
        }
        let _ = writeln!(out, "{}", caret.trim_end());
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{pad} = help: {h}");
    }
}

/// The closest known name to `word`, for "did you mean" hints; `None` when nothing is close.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostics {
        let mut src = BTreeMap::new();
        src.insert(
            "s.yaml".to_string(),
            "tables:\n  t:\n    colums: {}\n".to_string(),
        );
        Diagnostics::new(
            vec![
                Diagnostic::error("unknown key `colums` in table \"t\"")
                    .at(Span {
                        file: "s.yaml".into(),
                        line: 3,
                        column: 5,
                        len: 6,
                    })
                    .label("unknown key")
                    .help("did you mean `columns`?"),
            ],
            Arc::new(src),
        )
    }

    #[test]
    fn human_form_points_at_the_source() {
        let out = sample().render_human();
        assert!(out.contains(" --> s.yaml:3:5\n"), "{out}");
        assert!(out.contains("3 |     colums: {}\n"), "{out}");
        assert!(out.contains("  |     ^^^^^^ unknown key\n"), "{out}");
        assert!(out.contains("  = help: did you mean `columns`?"), "{out}");
    }

    #[test]
    fn github_form_escapes_newlines_and_commas() {
        let out = sample().render_github();
        assert_eq!(
            out,
            "::error file=s.yaml,line=3,col=5::unknown key `colums` in table \"t\"%0Ahelp: did you mean `columns`?\n"
        );
    }

    #[test]
    fn did_you_mean_only_when_close() {
        assert_eq!(
            did_you_mean("colums", ["columns", "comment"]).as_deref(),
            Some("did you mean `columns`?")
        );
        assert_eq!(did_you_mean("zzz", ["columns", "comment"]), None);
    }
}

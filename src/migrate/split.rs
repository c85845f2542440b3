//! Statement splitting, used when a migration is read: a non-transactional migration runs one
//! statement at a time (PostgreSQL runs a multi-statement string in one implicit transaction,
//! where `CREATE INDEX CONCURRENTLY` is refused), so its text is cut at top-level semicolons.

/// Splits SQL text into statements at semicolons outside quotes, dollar quotes and comments.
/// Comment-only and empty pieces are dropped; each statement keeps its own text (comments
/// included) without the trailing semicolon. Unterminated quotes keep the rest as one statement,
/// so PostgreSQL reports the syntax error with its own position.
pub fn split_statements(sql: &str) -> Vec<String> {
    statement_ranges(sql)
        .into_iter()
        .map(|r| sql[r].to_string())
        .collect()
}

/// Byte ranges of the statements [`split_statements`] returns, so errors can name the line in
/// the file a failing statement starts on.
pub fn statement_ranges(sql: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut has_code = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = find_from(bytes, i, b"\n").map_or(bytes.len(), |e| e + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // PostgreSQL block comments nest.
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\'' | b'"' => {
                has_code = true;
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == c {
                        // A doubled quote is an escaped quote.
                        if bytes.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    // E'' strings escape with backslash; skipping the next byte is harmless in
                    // standard strings too, except for a trailing backslash before the quote,
                    // which standard_conforming_strings makes literal.
                    if c == b'\'' && bytes[i] == b'\\' && is_escape_string(bytes, start, i) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'$' => {
                if let Some(tag_end) = dollar_tag_end(bytes, i) {
                    has_code = true;
                    let tag = &bytes[i..=tag_end];
                    i = find_from(bytes, tag_end + 1, tag).map_or(bytes.len(), |e| e + tag.len());
                    continue;
                }
                has_code = true;
            }
            b';' => {
                if has_code {
                    out.push(trimmed(sql, start..i));
                }
                start = i + 1;
                has_code = false;
            }
            c if !c.is_ascii_whitespace() => has_code = true,
            _ => {}
        }
        i += 1;
    }
    if has_code {
        out.push(trimmed(sql, start..sql.len()));
    }
    out
}

/// The range without surrounding whitespace and leading line comments, so a statement's line is
/// where its code starts.
fn trimmed(sql: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let piece = &sql[r.clone()];
    let mut rest = piece.trim_start();
    while let Some(after) = rest.strip_prefix("--") {
        rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    let lead = piece.len() - rest.len();
    let trail = piece.len() - piece.trim_end().len();
    r.start + lead..r.end - trail
}

fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `$tag$` starts at `i`: returns the index of the closing `$` of the opening tag.
fn dollar_tag_end(bytes: &[u8], i: usize) -> Option<usize> {
    // `$1` is a parameter, and an identifier may contain `$` (`a$b`): neither opens a quote.
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let mut j = i + 1;
    while j < bytes.len() {
        let b = bytes[j];
        if b == b'$' {
            return Some(j);
        }
        let ok = b == b'_' || b.is_ascii_alphabetic() || (j > i + 1 && b.is_ascii_digit());
        if !ok {
            return None;
        }
        j += 1;
    }
    None
}

/// Whether the quote that the backslash at `pos` sits in was opened as `E'…'`.
fn is_escape_string(bytes: &[u8], stmt_start: usize, pos: usize) -> bool {
    let mut q = pos;
    while q > stmt_start && bytes[q] != b'\'' {
        q -= 1;
    }
    q > 0 && matches!(bytes[q - 1], b'E' | b'e')
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text DEFAULT ';');\n-- a; comment\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n/* x; /* nested; */ y; */ SELECT \"a;b\" FROM t;\nSELECT E'it\\'s; ok';";
        assert_eq!(
            split_statements(sql),
            vec![
                "CREATE TABLE a (x text DEFAULT ';')",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "/* x; /* nested; */ y; */ SELECT \"a;b\" FROM t",
                "SELECT E'it\\'s; ok'",
            ]
        );
    }

    #[test]
    fn comment_only_pieces_and_missing_final_semicolon() {
        let sql = "-- tidemark:no-transaction\n;;\nCREATE INDEX CONCURRENTLY i ON t (a)\n-- trailing comment\n";
        assert_eq!(
            split_statements(sql),
            vec!["CREATE INDEX CONCURRENTLY i ON t (a)\n-- trailing comment"]
        );
        assert!(split_statements("-- nothing\n/* here */").is_empty());
    }

    #[test]
    fn parameters_and_dollar_identifiers_are_not_quotes() {
        assert_eq!(
            split_statements("SELECT $1; SELECT a$b FROM t; SELECT 'x''; y'"),
            vec!["SELECT $1", "SELECT a$b FROM t", "SELECT 'x''; y'"]
        );
    }
}

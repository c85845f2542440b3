//! Password redaction, used by every message `connect` builds: URLs lose their password, and
//! `password=` parameters their value, wherever they appear in a text.

/// `text` with every URL password and `password=…` value replaced by `***`, for error texts
/// from drivers or servers that may echo a connection string back.
pub fn redact(text: &str) -> String {
    redact_password_params(&redact_url_userinfo(text))
}

/// What the server said about a failed statement, as a user reads it: PostgreSQL's message
/// with its detail and hint, without the driver's wrapping ("error returned from database:")
/// or the server's C source line (sqlx's "at line 911" points into PostgreSQL, not into any
/// script of the user's); passwords redacted. Other errors as the driver prints them.
pub fn server_message(e: &sqlx::Error) -> String {
    use sqlx::postgres::PgDatabaseError;
    let Some(pg) = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
    else {
        return redact(&e.to_string());
    };
    let mut out = pg.message().to_string();
    if let Some(d) = pg.detail() {
        out.push_str(&format!(" ({d})"));
    }
    if let Some(h) = pg.hint() {
        out.push_str(&format!("; hint: {h}"));
    }
    redact(&out)
}

/// `text` redacted as by [`redact`], and with each known secret removed wherever it appears
/// (a driver may quote a password outside any URL).
pub(super) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = redact(text);
    for secret in secrets {
        // Very short secrets would turn ordinary words into stars; they are also caught by the
        // URL and parameter rules above.
        if secret.len() >= 3 {
            out = out.replace(secret.as_str(), "***");
        }
    }
    out
}

/// A parsed URL with its password (in the userinfo or a `password` parameter) replaced.
pub(super) fn redact_url(url: &url::Url) -> String {
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

fn ends_authority(c: char) -> bool {
    matches!(
        c,
        '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>' | ')' | ']'
    ) || c.is_whitespace()
}

fn redact_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        let end = after.find(ends_authority).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..=colon]);
                        out.push_str("***");
                        out.push_str(&authority[at..]);
                    }
                    None => out.push_str(authority),
                }
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn redact_password_params(text: &str) -> String {
    const KEY: &str = "password=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(KEY) {
        let start = search + found;
        let value_start = start + KEY.len();
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '?' | '&' | ';') || c.is_whitespace());
        if !boundary {
            search = value_start;
            continue;
        }
        let value = &text[value_start..];
        let len = match value.chars().next() {
            Some(q @ ('\'' | '"')) => value[1..]
                .find(q)
                .map(|close| close + 2)
                .unwrap_or(value.len()),
            _ => value
                .find(|c: char| c == '&' || c == ';' || c.is_whitespace())
                .unwrap_or(value.len()),
        };
        out.push_str(&text[copied..value_start]);
        out.push_str("***");
        copied = value_start + len;
        search = copied;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_password_parameters_lose_their_secrets() {
        let cases = [
            (
                "error connecting to postgres://app:s3cret@db:5432/x: refused",
                "error connecting to postgres://app:***@db:5432/x: refused",
            ),
            ("(postgresql://a:b@h)", "(postgresql://a:***@h)"),
            ("postgres://app@db/x", "postgres://app@db/x"),
            (
                "postgres://u@h/d?sslmode=require&password=hunter2&x=1",
                "postgres://u@h/d?sslmode=require&password=***&x=1",
            ),
            (
                "host=db user=app password='a b c' dbname=x",
                "host=db user=app password=*** dbname=x",
            ),
            ("PASSWORD=xyz", "PASSWORD=***"),
            ("no_password=visible", "no_password=visible"),
            (
                "two: x://u:p@h and y://v:q@i/",
                "two: x://u:***@h and y://v:***@i/",
            ),
            (
                "ünïcode://ü:ß@h password=ß",
                "ünïcode://ü:***@h password=***",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "input: {input}");
        }
    }

    #[test]
    fn known_secrets_are_scrubbed_anywhere() {
        let text = "server said: password \"hunter22\" is wrong";
        assert_eq!(
            scrub(text, &["hunter22".to_string()]),
            "server said: password \"***\" is wrong"
        );
    }
}

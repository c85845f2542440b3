//! Rust names for SQL names, used by the entity generator: valid identifiers (keywords escaped,
//! odd characters replaced), Rust casing, and stable de-duplication.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords of Rust 2024 (strict, reserved and weak-but-problematic) that cannot be plain
/// identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `snake_case` with only `[a-z0-9_]`, never empty, never starting with a digit.
pub fn snake(sql: &str) -> String {
    let cleaned: String = sql
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut s = cleaned.to_snake_case();
    if s.is_empty() {
        s = "x".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    s
}

/// `UpperCamelCase` with only `[A-Za-z0-9]`, never empty, never a keyword.
pub fn camel(sql: &str) -> String {
    let mut s = snake(sql).to_upper_camel_case();
    if s.is_empty() {
        s = "X".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("N{s}");
    }
    if s == "Self" {
        s = "SelfValue".into();
    }
    s
}

/// An identifier token for a name made by [`snake`]/[`camel`]: raw (`r#type`) for keywords,
/// suffixed (`self_`) where Rust allows no raw form.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The name as written in Rust source (`r#type`, `self_`), for comparisons with SeaORM's own
/// derivations.
pub fn ident_text(name: &str) -> String {
    ident(name).to_string()
}

/// Hands out names that are unique both as written and in CamelCase (SeaORM derives Column
/// variants and prelude aliases from them), in the order asked, so the same inputs always get
/// the same names: the first keeps the plain name, later clashes get `_2`, `_3`, …
#[derive(Default)]
pub struct Allocator {
    taken: BTreeSet<String>,
}

impl Allocator {
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_upper_camel_case());
    }

    pub fn snake(&mut self, base: &str) -> String {
        let base = snake(base);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.taken.insert(camel(&candidate)) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    }

    pub fn camel(&mut self, base: &str) -> String {
        let base = camel(base);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_identifiers() {
        assert_eq!(snake("CreatedAt"), "created_at");
        assert_eq!(snake("has space"), "has_space");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake("é"), "x");
        assert_eq!(camel("not_helpful"), "NotHelpful");
        assert_eq!(camel("self"), "SelfValue");
        assert_eq!(ident_text("type"), "r#type");
        assert_eq!(ident_text("self"), "self_");
        assert_eq!(ident_text("name"), "name");
    }

    #[test]
    fn allocator_is_stable_and_case_aware() {
        let mut a = Allocator::default();
        assert_eq!(a.snake("FooBar"), "foo_bar");
        assert_eq!(a.snake("foo_bar"), "foo_bar_2");
        assert_eq!(a.snake("foo bar"), "foo_bar_3");
        assert_eq!(a.camel("foo_bar"), "FooBar4");
    }
}

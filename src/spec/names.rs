//! Part of `spec` lowering: names PostgreSQL would derive for unnamed constraints, so that a
//! spec and the database it created agree on every name (and introspection round-trips).

/// PostgreSQL's `NAMEDATALEN - 1`: the longest identifier, in bytes.
pub const MAX_IDENT_BYTES: usize = 63;

/// PostgreSQL's `makeObjectName(name1, name2, label)`: joins the parts with `_`, trimming
/// `name1`/`name2` (the longer one first) so the result fits 63 bytes, on character boundaries.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: Option<&str>) -> String {
    let mut name1chars = name1.len();
    let mut name2chars = name2.map_or(0, str::len);
    let mut overhead = 0;
    if name2.is_some() {
        overhead += 1;
    }
    if let Some(l) = label {
        overhead += l.len() + 1;
    }
    let avail = MAX_IDENT_BYTES.saturating_sub(overhead);
    while name1chars + name2chars > avail {
        if name1chars > name2chars {
            name1chars -= 1;
        } else {
            name2chars -= 1;
        }
    }
    let mut out = String::new();
    out.push_str(clip(name1, name1chars));
    if let Some(n2) = name2 {
        out.push('_');
        out.push_str(clip(n2, name2chars));
    }
    if let Some(l) = label {
        out.push('_');
        out.push_str(l);
    }
    out
}

/// `pg_mbcliplen`: the longest prefix of at most `len` bytes that ends on a char boundary.
fn clip(s: &str, len: usize) -> &str {
    let mut end = len.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `{table}_pkey`.
pub fn primary_key(table: &str) -> String {
    make_object_name(table, None, Some("pkey"))
}

/// `{table}_{cols}_{label}` for unique (`key`), foreign key (`fkey`) and check (`check`).
pub fn column_constraint(table: &str, columns: &[&str], label: &str) -> String {
    make_object_name(table, Some(&columns.join("_")), Some(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(primary_key("tenants"), "tenants_pkey");
        assert_eq!(
            column_constraint("tenants", &["slug"], "key"),
            "tenants_slug_key"
        );
        assert_eq!(
            column_constraint("chunks", &["ordinal"], "check"),
            "chunks_ordinal_check"
        );
    }

    #[test]
    fn long_names_are_trimmed_like_postgres() {
        // Checked against PostgreSQL 15:
        //   CREATE TABLE aaaa…(60) (bbbb…(30) int UNIQUE) → constraint name below.
        let t = "a".repeat(60);
        let c = "b".repeat(30);
        let n = column_constraint(&t, &[&c], "key");
        // avail = 63 - 1 - 4 = 58; 60+30 → trim the longer first until 29/29.
        assert_eq!(n, format!("{}_{}_key", "a".repeat(29), "b".repeat(29)));
        assert_eq!(n.len(), 63);
        let pk = primary_key(&"t".repeat(63));
        assert_eq!(pk, format!("{}_pkey", "t".repeat(58)));
        // A short table keeps its full name while a long column is trimmed.
        let n = column_constraint("docs", &[&"x".repeat(70)], "fkey");
        assert_eq!(n, format!("docs_{}_fkey", "x".repeat(53)));
        assert_eq!(n.len(), 63);
    }

    #[test]
    fn trimming_respects_utf8() {
        // 'é' is two bytes; a cut in the middle of it backs off to the boundary.
        let t = "é".repeat(40); // 80 bytes
        let n = primary_key(&t);
        assert!(n.len() <= 63);
        assert_eq!(n, format!("{}_pkey", "é".repeat(29)));
        // Checked against PostgreSQL 15: CREATE TABLE docs (<31 x 'é'> int UNIQUE)
        // → docs_<27 x 'é'>_key (54 of the 62 bytes fit, cut back to a char boundary).
        let n = column_constraint("docs", &["é".repeat(31).as_str()], "key");
        assert_eq!(n, format!("docs_{}_key", "é".repeat(27)));
    }
}

//! Step 1 of `spec`: YAML text → a generic tree of nodes that each know their line and column.
//!
//! The loader reads YAML into this tree instead of into typed structs so that shape errors
//! (a string where a map belongs, an unknown key) are reported all together, each with its
//! own position, rather than stopping at the first one as a derived `Deserialize` would.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A 1-based position and the width (in characters) to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

/// One YAML node with its position; the loader's only view of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

/// The shapes YAML can produce after scalar resolution (YAML 1.2 core schema).
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// An integer, as its decimal text.
    Int(String),
    /// A float, as Rust prints it.
    Float(String),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order (duplicates are rejected by the parser).
    Map(Vec<(Node, Node)>),
}

impl Kind {
    /// Shape name for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The text of a scalar key or value, as the user would recognise it.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) | Kind::Int(s) | Kind::Float(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Null => None,
            _ => None,
        }
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        d.deserialize_any(KindVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Kind, E> {
        Ok(Kind::Int(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Kind, E> {
        Ok(Kind::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Kind::Map(entries))
    }
}

/// Wrapper so `Spanned` can carry our `Kind`.
struct AnyKind(Kind);

impl<'de> Deserialize<'de> for AnyKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor).map(AnyKind)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sp = Spanned::<AnyKind>::deserialize(d)?;
        let loc = sp.referenced;
        let len = match &sp.value.0 {
            Kind::Str(s) | Kind::Int(s) | Kind::Float(s) => {
                let l = loc.span().len();
                if l > 0 { l } else { s.chars().count() as u64 }
            }
            Kind::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            _ => 1,
        };
        Ok(Node {
            kind: sp.value.0,
            pos: Pos {
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
                len: u32::try_from(len.max(1)).unwrap_or(1),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_positions_and_scalar_kinds() {
        let src = "a: 1\nb:\n  c: \"x y\"\n  d: [1, 2.5, true, ~]\n";
        let n: Node = serde_saphyr::from_str(src).expect("parses");
        let Kind::Map(entries) = &n.kind else {
            panic!("root is a map")
        };
        assert_eq!(entries[0].1.kind, Kind::Int("1".into()));
        let Kind::Map(b) = &entries[1].1.kind else {
            panic!("b is a map")
        };
        assert_eq!(b[0].1.kind, Kind::Str("x y".into()));
        assert_eq!(
            (b[0].1.pos.line, b[0].1.pos.column, b[0].1.pos.len),
            (3, 6, 5)
        );
        let Kind::Seq(d) = &b[1].1.kind else {
            panic!("d is a list")
        };
        assert_eq!(d[1].kind, Kind::Float("2.5".into()));
        assert_eq!(d[2].kind, Kind::Bool(true));
        assert_eq!(d[3].kind, Kind::Null);
    }
}

//! Kind `function`: diff, plan and SQL for functions and procedures.
//!
//! - A function is its name and argument list: an overload is another object, and a changed
//!   argument type is a new function (the old one is dropped).
//! - **`CREATE OR REPLACE`** when the arguments (names and defaults too) and the result stay;
//!   PostgreSQL refuses anything else in place, so the function is otherwise dropped and
//!   created again, and the triggers and views that call it are rebuilt around it.
//! - The body is compared without the blank space around it (PL/pgSQL and SQL ignore it) and
//!   written exactly as the spec has it between `$function$` quotes (another tag when the
//!   body contains that one), so the server keeps, and `pg_dump` prints, the same text.

use std::fmt;

use crate::model::{Function, ObjectRef, QualifiedName, Schema};
use crate::plan::Builder;
use crate::sql_ident::{literal, qualified};

use super::{Change, comment_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionChange {
    Add(Function),
    Drop(Function),
    /// Same arguments and result: `CREATE OR REPLACE`.
    Replace {
        from: Function,
        to: Function,
    },
    /// Dropped and created again (the result or the arguments' names or defaults change).
    Rebuild {
        from: Function,
        to: Function,
    },
    AlterComment {
        from: Function,
        to: Function,
    },
}

fn word(f: &Function) -> &'static str {
    if f.procedure { "procedure" } else { "function" }
}

fn show(f: &Function) -> String {
    format!(
        "{} {}.{}({})",
        word(f),
        crate::sql_ident::display(&f.name.schema),
        crate::sql_ident::display(&f.name.name),
        crate::sql_ident::one_line(&f.identity)
    )
}

impl fmt::Display for FunctionChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FunctionChange::Add(x) => write!(f, "add {}", show(x)),
            FunctionChange::Drop(x) => write!(f, "drop {}", show(x)),
            FunctionChange::Replace { to, .. } => write!(f, "replace {}", show(to)),
            FunctionChange::Rebuild { to, .. } => write!(
                f,
                "rebuild {} (its result or arguments change, which CREATE OR REPLACE cannot do)",
                show(to)
            ),
            FunctionChange::AlterComment { to, .. } => write!(f, "change comment on {}", show(to)),
        }
    }
}

/// Function changes (the functions of `current` and `desired`, by name and arguments).
pub fn diff(current: &Schema, desired: &Schema, out: &mut Vec<Change>) {
    let dropped: Vec<&Function> = current
        .functions
        .iter()
        .filter(|c| desired.function(&c.name, &c.identity).is_none())
        .collect();
    let added: Vec<&Function> = desired
        .functions
        .iter()
        .filter(|d| current.function(&d.name, &d.identity).is_none())
        .collect();
    // One routine of a name goes and one of the same name comes: its arguments changed (names
    // included, which PostgreSQL's identity leaves out, so the new one may clash with the old
    // until it is gone). A rebuild drops first and rebuilds what calls it.
    let same_name = |a: &Function, b: &Function| a.name == b.name && a.procedure == b.procedure;
    let alone =
        |list: &[&Function], f: &Function| list.iter().filter(|x| same_name(x, f)).count() == 1;
    let replaced = |f: &Function| alone(&dropped, f) && alone(&added, f);
    for c in &dropped {
        match added.iter().find(|d| same_name(d, c)) {
            Some(d) if replaced(c) => out.push(Change::Function(FunctionChange::Rebuild {
                from: (*c).clone(),
                to: (*d).clone(),
            })),
            _ => out.push(Change::Function(FunctionChange::Drop((*c).clone()))),
        }
    }
    for d in &desired.functions {
        let Some(c) = current.function(&d.name, &d.identity) else {
            if !replaced(d) {
                out.push(Change::Function(FunctionChange::Add(d.clone())));
            }
            continue;
        };
        let mut c_def = c.clone();
        c_def.comment.clone_from(&d.comment);
        if !c_def.same_as(d) {
            if c.args == d.args && c.returns == d.returns && c.procedure == d.procedure {
                out.push(Change::Function(FunctionChange::Replace {
                    from: c.clone(),
                    to: d.clone(),
                }));
            } else {
                out.push(Change::Function(FunctionChange::Rebuild {
                    from: c.clone(),
                    to: d.clone(),
                }));
                continue;
            }
        }
        if c.comment != d.comment {
            out.push(Change::Function(FunctionChange::AlterComment {
                from: c.clone(),
                to: d.clone(),
            }));
        }
    }
}

/// The functions `changes` take away (dropped, or dropped to be created again): what calls
/// them must be rebuilt around the change.
pub fn removed(changes: &[Change]) -> Vec<ObjectRef> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Function(FunctionChange::Drop(f) | FunctionChange::Rebuild { from: f, .. }) => {
                Some(f.object())
            }
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// SQL

/// A dollar-quote tag that does not occur in `body`.
fn dollar_tag(body: &str) -> String {
    let mut tag = "$function$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$function{n}$");
    }
    tag
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE … AS $function$ body $function$`.
pub fn create_sql(f: &Function, or_replace: bool) -> String {
    let mut sql = format!(
        "CREATE {}{} {}({})",
        if or_replace { "OR REPLACE " } else { "" },
        if f.procedure { "PROCEDURE" } else { "FUNCTION" },
        qualified(&f.name),
        f.args
    );
    if let Some(r) = &f.returns {
        sql.push_str(&format!("\n RETURNS {r}"));
    }
    sql.push_str(&format!(
        "\n LANGUAGE {}",
        crate::sql_ident::quote(&f.language)
    ));
    if !f.procedure {
        sql.push_str(&format!(" {}", f.volatility.sql()));
        if f.strict {
            sql.push_str(" STRICT");
        }
    }
    if f.security_definer {
        sql.push_str(" SECURITY DEFINER");
    }
    if !f.procedure && f.parallel != crate::model::Parallel::Unsafe {
        sql.push_str(&format!(" PARALLEL {}", f.parallel.sql()));
    }
    for (k, v) in &f.config {
        sql.push_str(&format!(
            "\n SET {} TO {}",
            crate::sql_ident::quote(k),
            config_value(v)
        ));
    }
    let tag = dollar_tag(&f.body);
    sql.push_str(&format!("\nAS {tag}{}{tag}", f.body));
    sql
}

/// A `SET` value as PostgreSQL stores it in `proconfig` (`public, extensions`): a list of
/// names stays a list, anything else is a literal.
fn config_value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.split(',').all(|part| {
            let p = part.trim();
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '"' || c == '$')
        });
    if plain { v.to_string() } else { literal(v) }
}

/// `DROP FUNCTION|PROCEDURE name(identity)`.
pub fn drop_sql(f: &Function) -> String {
    format!(
        "DROP {} {}({})",
        if f.procedure { "PROCEDURE" } else { "FUNCTION" },
        qualified(&f.name),
        f.identity
    )
}

/// `COMMENT ON FUNCTION|PROCEDURE`; `None` removes the comment.
pub fn comment_sql(f: &Function, text: Option<&str>) -> String {
    format!(
        "COMMENT ON {} {}({}) IS {}",
        if f.procedure { "PROCEDURE" } else { "FUNCTION" },
        qualified(&f.name),
        f.identity,
        comment_text(text)
    )
}

fn structure_sql(f: &Function) -> Vec<String> {
    let mut out = vec![create_sql(f, false)];
    if let Some(c) = &f.comment {
        out.push(comment_sql(f, Some(c)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Planning

pub(crate) fn plan(change: &FunctionChange, b: &mut Builder<'_>) {
    match change {
        FunctionChange::Add(f) => plan_add(b, f, None),
        FunctionChange::Drop(f) => {
            let back = super::grant::regrant_sql(b.cx.current, &f.object());
            plan_drop(b, f, back);
        }
        FunctionChange::Rebuild { from, to } => {
            let (up, down) = super::grant::rebuild_sql(b, &from.object(), &to.object());
            let dropped = plan_drop(b, from, down);
            plan_add(b, to, Some((dropped, up)));
        }
        FunctionChange::Replace { from, to } => {
            let me = to.object();
            b.step(
                &me,
                vec![create_sql(to, true)],
                Some(vec![create_sql(from, true)]),
            )
            .requires([me.clone()])
            .requires(to.depends_on.clone());
        }
        FunctionChange::AlterComment { from, to } => {
            let me = to.object();
            b.step(
                &me,
                vec![comment_sql(to, to.comment.as_deref())],
                Some(vec![comment_sql(from, from.comment.as_deref())]),
            )
            .requires([me.clone()]);
        }
    }
}

/// Creates `f`; a rebuild passes its drop step, to come after, and the grants to give back.
fn plan_add(b: &mut Builder<'_>, f: &Function, rebuild: Option<(usize, Vec<String>)>) {
    let me = f.object();
    let (after, grants) = rebuild.map_or((None, Vec::new()), |(a, g)| (Some(a), g));
    let mut up = vec![create_sql(f, false)];
    up.extend(grants);
    b.step(&me, up, Some(vec![drop_sql(f)]))
        .provides([me.clone()])
        .requires(f.depends_on.clone());
    let create = b.last();
    if let Some(a) = after {
        b.order(a, create);
    }
    if let Some(c) = &f.comment {
        b.then(
            &me,
            vec![comment_sql(f, Some(c))],
            Some(vec![comment_sql(f, None)]),
        )
        .requires([me.clone()]);
    }
}

/// Drops `f`, and on the way back creates it with `grants`.
fn plan_drop(b: &mut Builder<'_>, f: &Function, grants: Vec<String>) -> usize {
    let me = f.object();
    let mut down = structure_sql(f);
    down.extend(grants);
    b.step(&me, vec![drop_sql(f)], Some(down))
        .removes([me.clone()])
        .releases(f.depends_on.clone());
    b.last()
}

/// The functions of `functions` that a SQL text calls (`name(` or `schema.name(`), every overload of a name.
pub fn calls_in(text: &str, functions: &[Function]) -> Vec<ObjectRef> {
    if functions.is_empty() {
        return Vec::new();
    }
    let toks = crate::sql_lex::tokens(text);
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let crate::sql_lex::TokenKind::Ident { name, .. } = &t.kind else {
            continue;
        };
        if !matches!(
            toks.get(k + 1).map(|t| &t.kind),
            Some(crate::sql_lex::TokenKind::Punct('('))
        ) {
            continue;
        }
        let qualifier = (k >= 2 && toks[k - 1].kind == crate::sql_lex::TokenKind::Punct('.'))
            .then(|| match &toks[k - 2].kind {
                crate::sql_lex::TokenKind::Ident { name, .. } => Some(name.clone()),
                _ => None,
            })
            .flatten();
        let q = QualifiedName::new(qualifier.as_deref().unwrap_or("public"), name);
        out.extend(
            functions
                .iter()
                .filter(|f| f.name == q)
                .map(Function::object),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// The functions of `schema` that `name` calls could be (every overload of the name).
pub fn called(schema: &Schema, name: &QualifiedName) -> Vec<ObjectRef> {
    schema
        .functions
        .iter()
        .filter(|f| &f.name == name)
        .map(Function::object)
        .collect()
}

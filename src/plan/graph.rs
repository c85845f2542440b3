//! The order of a plan's steps, from what each step does to objects (its `Deps`), never from
//! a fixed list of stages. Edges, for steps `a` and `b`:
//!
//! 1. `b` requires an object `a` provides → `a` first (a table before its index, a sequence
//!    before the default that calls it, a unique key before the foreign key resting on it);
//! 2. `b` removes an object that `a` releases (`a` drops or alters something that used it) →
//!    `a` first (a foreign key dropped before its referenced key, a view before the column it
//!    reads is retyped, a column before its enum type);
//! 3. `a` removes an object that `b` provides again without removing it itself, and `a` does not
//!    need it to exist → `a` first (a constraint dropped before one of the same name is added;
//!    but a rename, which needs its old name, follows the step that created it);
//! 4. a kind's own order between the steps of one change (`Draft::after`).
//!
//! Among the steps that are free to run, the first is a declared rename (every other step, and
//! every step's reverse, is written with the new names, so a reverse must not outlive the
//! rename's reverse), then one that only removes things, then the one whose change comes first,
//! then the earlier step of that change: plans read as "renames, drops, then creates in the
//! diff's order", and the same input always gives the same plan. A cycle
//! (which the kinds avoid by construction: foreign keys are separate steps after both tables
//! exist) is broken at the step that would come first, so planning always finishes.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use super::Draft;
use crate::model::ObjectRef;

/// Step indices (into `drafts`) in execution order, and how many times a cycle had to be
/// broken (0 for every plan the kinds produce; the tests hold them to it).
pub(crate) fn order(drafts: &[Draft]) -> (Vec<usize>, usize) {
    let n = drafts.len();
    let mut providers: HashMap<&ObjectRef, Vec<usize>> = HashMap::new();
    let mut releasers: HashMap<&ObjectRef, Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for o in &d.deps.provides {
            providers.entry(o).or_default().push(i);
        }
        for o in &d.deps.releases {
            releasers.entry(o).or_default().push(i);
        }
    }
    let mut successors: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let mut edge = |a: usize, b: usize| {
        if a != b {
            successors[a].insert(b);
        }
    };
    for (b, d) in drafts.iter().enumerate() {
        for o in &d.deps.requires {
            for &a in providers.get(o).into_iter().flatten() {
                edge(a, b);
            }
        }
        for o in &d.deps.removes {
            for &a in releasers.get(o).into_iter().flatten() {
                edge(a, b);
            }
            if !d.deps.provides.contains(o) && !d.deps.requires.contains(o) {
                for &later in providers.get(o).into_iter().flatten() {
                    if !drafts[later].deps.removes.contains(o) {
                        edge(b, later);
                    }
                }
            }
        }
        for &a in &d.after {
            edge(a, b);
        }
    }
    let mut indegree = vec![0usize; n];
    for s in &successors {
        for &b in s {
            indegree[b] += 1;
        }
    }
    let key = |i: usize| {
        let d = &drafts[i];
        let removal_only = d.deps.provides.is_empty() && !d.deps.removes.is_empty();
        let class = if d.rename {
            0
        } else if removal_only {
            1
        } else {
            2
        };
        (class, d.step.change, d.local, i)
    };
    let mut ready: BinaryHeap<Reverse<(u8, usize, usize, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse(key(i)))
        .collect();
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    let mut broken = 0;
    while out.len() < n {
        let next = match ready.pop() {
            Some(Reverse((.., i))) => i,
            // A cycle: take the step that would come first among those left.
            None => match (0..n).filter(|&i| !done[i]).min_by_key(|&i| key(i)) {
                Some(i) => {
                    broken += 1;
                    i
                }
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        out.push(next);
        for &b in &successors[next] {
            indegree[b] = indegree[b].saturating_sub(1);
            if indegree[b] == 0 && !done[b] {
                ready.push(Reverse(key(b)));
            }
        }
    }
    (out, broken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;
    use crate::plan::{Deps, Step};

    fn draft(change: usize, deps: Deps) -> Draft {
        Draft {
            step: Step {
                statements: vec![],
                down: None,
                transactional: true,
                down_transactional: true,
                object: ObjectRef::Schema(String::new()),
                locks: vec![],
                lock_timeout_ms: None,
                statement_timeout_ms: None,
                hazards: vec![],
                change,
                from: String::new(),
            },
            deps,
            after: vec![],
            local: 0,
            rename: false,
        }
    }

    fn t(name: &str) -> ObjectRef {
        ObjectRef::Table(QualifiedName::public(name))
    }

    #[test]
    fn requirements_removals_and_recreations_order_steps() {
        // 0 creates a, 1 needs a and b, 2 creates b, 3 drops c, 4 drops d which used c,
        // 5 re-creates c (after 3 removed it).
        let drafts = vec![
            draft(
                0,
                Deps {
                    provides: vec![t("a")],
                    ..Deps::default()
                },
            ),
            draft(
                1,
                Deps {
                    requires: vec![t("a"), t("b")],
                    provides: vec![t("x")],
                    ..Deps::default()
                },
            ),
            draft(
                2,
                Deps {
                    provides: vec![t("b")],
                    ..Deps::default()
                },
            ),
            draft(
                3,
                Deps {
                    removes: vec![t("c")],
                    ..Deps::default()
                },
            ),
            draft(
                4,
                Deps {
                    removes: vec![t("d")],
                    releases: vec![t("c")],
                    ..Deps::default()
                },
            ),
            draft(
                5,
                Deps {
                    provides: vec![t("c")],
                    ..Deps::default()
                },
            ),
        ];
        assert_eq!(order(&drafts), (vec![4, 3, 0, 2, 1, 5], 0));
    }

    #[test]
    fn a_rename_follows_the_step_that_created_its_old_name() {
        // 0 builds tmp, 1 drops old x, 2 renames tmp to x (needs tmp, frees it, makes x).
        let drafts = vec![
            draft(
                0,
                Deps {
                    provides: vec![t("tmp")],
                    ..Deps::default()
                },
            ),
            draft(
                0,
                Deps {
                    removes: vec![t("x")],
                    ..Deps::default()
                },
            ),
            draft(
                0,
                Deps {
                    removes: vec![t("tmp")],
                    requires: vec![t("tmp")],
                    provides: vec![t("x")],
                    ..Deps::default()
                },
            ),
        ];
        let (order, broken) = order(&drafts);
        assert_eq!(broken, 0);
        let at = |i: usize| order.iter().position(|&x| x == i).unwrap();
        assert!(at(0) < at(2) && at(1) < at(2), "{order:?}");
    }

    #[test]
    fn a_cycle_is_broken_and_every_step_is_kept() {
        let drafts = vec![
            draft(
                0,
                Deps {
                    provides: vec![t("a")],
                    requires: vec![t("b")],
                    ..Deps::default()
                },
            ),
            draft(
                1,
                Deps {
                    provides: vec![t("b")],
                    requires: vec![t("a")],
                    ..Deps::default()
                },
            ),
        ];
        assert_eq!(order(&drafts), (vec![0, 1], 1));
    }
}

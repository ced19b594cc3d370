"""The checks of v2 constructs: routers with `when:` conditions, and parallel splits.

Its own module beside `harness.graph` so that each stays readable; both are called while an
architecture compiles, and every error names the architecture and the node or edge at
fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.errors import ValidationError
from harness.spec import NodeSpec

Fail = Callable[[str], ValidationError]


@dataclass(frozen=True)
class Split:
    """A node whose outgoing edges run concurrently: each branch is a path of agents, and
    all of them meet at one aggregate node (the join)."""

    node: str
    branches: tuple[tuple[str, ...], ...]
    join: str


def router_edges(n: NodeSpec, edges: list[tuple[str, str | None, str | None]], fail: Fail) -> None:
    """Refuse a router whose edges could never be taken, or that could find none to take.

    `edges` are (target, label, when) in the order written; a label defaults to `when`."""
    where = f"router '{n.name}'"
    if n.rule == "escalate_when_stuck":
        raise fail(
            f"{where}: rule escalate_when_stuck picks the model for an agent's steps: name "
            "it in that agent's step_router (it takes no flow edges)"
        )
    if not edges:
        raise fail(f"{where} needs labelled outgoing edges")
    conditional = [w for _, _, w in edges if w is not None]
    labels = [lb if lb is not None else w for _, lb, w in edges]
    if n.rule is not None and conditional:
        raise fail(f"{where}: use rule or when: on its edges, not both")
    if n.rule is None and not conditional:
        raise fail(f"{where} has no rule: set rule, or when: on each outgoing edge")
    if conditional and len(conditional) != len(edges):
        target = next(t for t, _, w in edges if w is None)
        raise fail(f"edge {n.name} -> {target}: a router's edges all need when: (or none do)")
    if any(lb is None for lb in labels):
        raise fail(f"router '{n.name}' needs labelled outgoing edges")
    dup = next((lb for i, lb in enumerate(labels) if lb in labels[:i]), None)
    if dup is not None:
        raise fail(f"{where}: label '{dup}' is used by two edges")
    if n.default is not None and n.default not in labels:
        raise fail(f"{where}: default '{n.default}' is not one of its edge labels")
    if n.rule == "any_failed":
        default = n.default or labels[-1]
        for (target, _, _), lb in zip(edges, labels, strict=True):
            if lb not in ("replan", default):
                raise fail(
                    f"edge {n.name} -> {target}: label '{lb}' can never be taken: rule "
                    f"any_failed takes 'replan' when a report failed, else '{default}'"
                )
    if not conditional:
        return
    whens = [w for _, _, w in edges]
    if "otherwise" in whens:
        cut = whens.index("otherwise")
        if cut < len(edges) - 1:
            target = edges[cut + 1][0]
            raise fail(
                f"edge {n.name} -> {target} can never be taken: it comes after the "
                "'otherwise' edge (conditions are checked in the order written)"
            )
    if "choice" in whens:
        first = whens.index("choice")
        late = next((i for i in range(first, len(whens)) if whens[i] != "choice"), None)
        if late is not None:
            raise fail(
                f"edge {n.name} -> {edges[late][0]} can never be taken: the 'choice' edges "
                "before it always decide (put conditions before the choice edges)"
            )
    if "choice" in whens and n.role is None:
        raise fail(f"{where}: edges with when: choice need the router's role (who chooses)")
    if whens[-1] not in ("otherwise", "choice") and n.default is None:
        raise fail(
            f"{where} may find no edge to take: end its edges with when: otherwise, or set default"
        )


def find_splits(g: Any, nodes: dict[str, NodeSpec], fail: Fail) -> dict[str, Split]:
    """Every non-router node with several outgoing flow edges, with its branches checked:
    straight paths of agents that all end at the same aggregate."""
    splits: dict[str, Split] = {}
    for n in nodes.values():
        outs = [t for t, d in g.succ[n.name].items() if d.get("kind") == "flow"]
        if n.kind == "router" or len(outs) < 2:
            continue
        branches: list[tuple[str, ...]] = []
        joins: set[str] = set()
        for first in outs:
            path: list[str] = []
            cur = first
            while cur in nodes and nodes[cur].kind == "agent":
                preds = [p for p, d in g.pred[cur].items() if d.get("kind") == "flow"]
                if len(preds) != 1:
                    raise fail(
                        f"node '{cur}' is in a parallel branch of '{n.name}' and must have "
                        f"exactly one incoming edge, has {len(preds)}"
                    )
                path.append(cur)
                nxt = [t for t, d in g.succ[cur].items() if d.get("kind") == "flow"]
                if len(nxt) != 1:
                    raise fail(
                        f"node '{cur}' is in a parallel branch of '{n.name}' and must have "
                        f"exactly one outgoing edge, has {len(nxt)}"
                    )
                cur = nxt[0]
            if cur not in nodes or nodes[cur].kind != "aggregate" or not path:
                raise fail(
                    f"edge {n.name} -> {first}: a parallel branch must be a path of agent "
                    f"nodes that ends at an aggregate node (it reached '{cur}')"
                )
            branches.append(tuple(path))
            joins.add(cur)
        if len(joins) > 1:
            raise fail(
                f"the parallel branches of '{n.name}' end at different aggregates "
                f"({', '.join(sorted(joins))}): join them at one"
            )
        splits[n.name] = Split(n.name, tuple(branches), joins.pop())
    return splits

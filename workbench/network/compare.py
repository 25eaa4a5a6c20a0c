"""Compare two networks, typically cycle 1 with cycle 2 of the same project.

Ties are compared per pair of nodes: a pair tied only in the second network is *gained*, one
tied only in the first is *lost*, and a pair tied in both whose set of tie types differs
(co-mention -> conflict, conflict -> trust) has *changed type*. Pairs with the same types are
*kept*, with their weights before and after. Participants appear in the cycle they were
interviewed in, so their speaker ties are gained or lost with them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.core.cases import get_cycle
from workbench.core.store import Project
from workbench.network.build import build_network
from workbench.network.model import Network, NetworkOptions


def _pairs(network: Network) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], dict[str, int]] = {}
    for tie in network.ties:
        out.setdefault((tie.a, tie.b), {})[tie.type] = tie.weight
    return out


def _label(before: Network, after: Network, key: str) -> tuple[str, str]:
    node = after.nodes.get(key) or before.nodes[key]
    return node.label, node.sector


def compare_networks(before: Network, after: Network, *, before_label: str = "before",
                     after_label: str = "after") -> dict[str, Any]:
    """Ties gained, lost, changed in type, and kept between two networks.

    Returns:
        ``{"before", "after", "gained", "lost", "changed", "kept", "nodes_gained",
        "nodes_lost", "summary"}``; each tie entry has a, b, their labels and sectors, and the
        weights by type before and after.
    """
    old, new = _pairs(before), _pairs(after)
    groups: dict[str, list[dict[str, Any]]] = {"gained": [], "lost": [], "changed": [],
                                               "kept": []}
    for pair in sorted(set(old) | set(new)):
        was, now = old.get(pair, {}), new.get(pair, {})
        if not was:
            group = "gained"
        elif not now:
            group = "lost"
        elif set(was) != set(now):
            group = "changed"
        else:
            group = "kept"
        (a_label, a_sector), (b_label, b_sector) = (_label(before, after, k) for k in pair)
        groups[group].append({"a": pair[0], "b": pair[1], "a_label": a_label,
                              "b_label": b_label, "a_sector": a_sector, "b_sector": b_sector,
                              "before": was, "after": now})
    for entries in groups.values():
        entries.sort(key=lambda e: (-sum(e["after"].values()) - sum(e["before"].values()),
                                    e["a_label"].casefold(), e["b_label"].casefold()))
    nodes_gained = sorted(after.nodes[k].label for k in set(after.nodes) - set(before.nodes))
    nodes_lost = sorted(before.nodes[k].label for k in set(before.nodes) - set(after.nodes))
    return {"before": before_label, "after": after_label, **groups,
            "nodes_gained": nodes_gained, "nodes_lost": nodes_lost,
            "summary": {k: len(v) for k, v in groups.items()}}


def compare_cycles(project: Project, first: Any, second: Any,
                   options: NetworkOptions | None = None) -> dict[str, Any]:
    """Build the network of two cycles with the same options and compare them.

    Raises:
        NotFoundError: a cycle does not exist.
    """
    base = options or NetworkOptions()
    one, two = get_cycle(project, first), get_cycle(project, second)
    before = build_network(project, dataclasses.replace(base, cycle=one.number))
    after = build_network(project, dataclasses.replace(base, cycle=two.number))
    return compare_networks(before, after, before_label=f"cycle {one.number}",
                            after_label=f"cycle {two.number}")

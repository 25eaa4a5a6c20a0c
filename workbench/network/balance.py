"""Structural balance of signed triads.

Each pair of nodes gets one net sign: the sum over its ties of sign x passages (trust and
collaboration +1, conflict -1 by default). Pairs whose signed passages cancel out are
*ambivalent* and left out, as are pairs with only unsigned ties (co-mentions). A triangle of
three signed pairs is balanced when the product of its signs is positive: +++ (friends of
friends) and +-- (the enemy of my enemy), unbalanced when it is ++- or ---.
"""

from __future__ import annotations

from typing import Any

from workbench.network.graph import simple_graph
from workbench.network.model import Network

PATTERNS = ("+++", "+--", "++-", "---")
BALANCED = {"+++", "+--"}


def signed_pairs(network: Network) -> tuple[dict[frozenset[str], int], int]:
    """Net sign per node pair (only non-zero), and the number of ambivalent pairs."""
    graph = simple_graph(network)
    signs: dict[frozenset[str], int] = {}
    ambivalent = 0
    for a, b, data in graph.edges(data=True):
        has_signed = any(network.options.sign_of(t) for t in data["types"])
        if data["sign"]:
            signs[frozenset((a, b))] = data["sign"]
        elif has_signed:
            ambivalent += 1
    return signs, ambivalent


def structural_balance(network: Network, *, examples: int = 10) -> dict[str, Any]:
    """Count balanced and unbalanced signed triangles.

    Returns:
        ``{"signed_pairs", "ambivalent_pairs", "triangles", "balanced", "unbalanced",
        "share_balanced" (None without triangles), "by_pattern": {"+++": n, ...},
        "unbalanced_examples": [[label, label, label, pattern], ...]}``.
    """
    signs, ambivalent = signed_pairs(network)
    neighbours: dict[str, set[str]] = {}
    for pair in signs:
        a, b = tuple(pair)
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    counts = dict.fromkeys(PATTERNS, 0)
    unbalanced_examples: list[list[str]] = []
    for u in sorted(neighbours):
        for v in sorted(n for n in neighbours[u] if n > u):
            for w in sorted(n for n in neighbours[u] & neighbours[v] if n > v):
                values = [signs[frozenset(p)] for p in ((u, v), (v, w), (u, w))]
                pattern = "".join(sorted("+" if s > 0 else "-" for s in values))
                counts[pattern] += 1
                if pattern not in BALANCED and len(unbalanced_examples) < examples:
                    labels = [network.nodes[k].label for k in (u, v, w)]
                    unbalanced_examples.append([*labels, pattern])
    balanced = sum(counts[p] for p in BALANCED)
    total = sum(counts.values())
    return {
        "signed_pairs": len(signs), "ambivalent_pairs": ambivalent, "triangles": total,
        "balanced": balanced, "unbalanced": total - balanced,
        "share_balanced": round(balanced / total, 4) if total else None,
        "by_pattern": counts, "unbalanced_examples": unbalanced_examples,
    }

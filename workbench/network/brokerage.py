"""Brokerage across sectors: who connects stakeholders of sectors that are not tied directly.

Two measures per node, both with the node's sector as its group:

**Sector brokerage** (undirected). Among the node's neighbours, take every pair that is not tied
directly and whose sectors are known and differ; ``sector_pairs`` is the number of distinct
sector pairs among them (a hospital consultant tied to the municipality, general practice and a
private company, none of which are tied to each other, connects 3 sector pairs),
``open_pairs`` the number of such neighbour pairs.

**Gould-Fernandez roles** (directed). For each path a -> v -> b where a and b are different
nodes and a has no tie to b, v is a broker of one role, by the groups (sectors) of a, v, b:

============== ==========================================================
coordinator    all three in the same sector
gatekeeper     a in another sector; v and b share one (v lets a in)
representative a and v share a sector; b is in another (v speaks for a)
consultant     a and b share a sector; v is in another
liaison        all three in different sectors
============== ==========================================================

Direction comes from the evidence: a participant speaking about a stakeholder (speaker ->
mentioned) and explicit relations (source -> target) are arcs one way; a co-mention is
undirected and counts as arcs both ways (the documented equivalent for undirected ties). With
only undirected ties every open path is counted in both directions, so gatekeeper and
representative counts are equal. Triads with a node of unknown sector are left out.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from workbench.network.graph import directed_graph, simple_graph
from workbench.network.model import UNKNOWN_SECTOR, Network

ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")


def gould_fernandez_role(sector_a: str, sector_v: str, sector_b: str) -> str:
    """The brokerage role of v on the path a -> v -> b, by the three sectors."""
    if sector_a == sector_v == sector_b:
        return "coordinator"
    if sector_v == sector_b:
        return "gatekeeper"
    if sector_a == sector_v:
        return "representative"
    if sector_a == sector_b:
        return "consultant"
    return "liaison"


def sector_brokerage(network: Network) -> dict[str, dict[str, Any]]:
    """Per node: the distinct sector pairs it connects among its untied neighbours.

    Returns:
        ``{key: {"sector_pairs": n, "open_pairs": n, "neighbour_sectors": n,
        "pairs": [[sector, sector], ...]}}``.
    """
    graph = simple_graph(network)
    sector = {k: n.sector or UNKNOWN_SECTOR for k, n in network.nodes.items()}
    out = {}
    for key in graph.nodes:
        neighbours = sorted(graph.neighbors(key))
        pairs: set[tuple[str, str]] = set()
        open_pairs = 0
        for a, b in combinations(neighbours, 2):
            sa, sb = sector[a], sector[b]
            if UNKNOWN_SECTOR in (sa, sb) or sa == sb or graph.has_edge(a, b):
                continue
            open_pairs += 1
            pairs.add((sa, sb) if sa < sb else (sb, sa))
        known = {sector[n] for n in neighbours} - {UNKNOWN_SECTOR}
        out[key] = {"sector_pairs": len(pairs), "open_pairs": open_pairs,
                    "neighbour_sectors": len(known), "pairs": [list(p) for p in sorted(pairs)]}
    return out


def gould_fernandez(network: Network) -> dict[str, dict[str, int]]:
    """Per node: how many open directed paths it brokers in each Gould-Fernandez role."""
    graph = directed_graph(network)
    sector = {k: n.sector or UNKNOWN_SECTOR for k, n in network.nodes.items()}
    out = {}
    for v in graph.nodes:
        counts = dict.fromkeys(ROLES, 0)
        sv = sector[v]
        if sv != UNKNOWN_SECTOR:
            for a in graph.predecessors(v):
                sa = sector[a]
                if sa == UNKNOWN_SECTOR:
                    continue
                for b in graph.successors(v):
                    if b == a or sector[b] == UNKNOWN_SECTOR or graph.has_edge(a, b):
                        continue
                    counts[gould_fernandez_role(sa, sv, sector[b])] += 1
        counts["total"] = sum(counts[r] for r in ROLES)
        out[v] = counts
    return out

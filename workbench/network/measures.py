"""Centrality, communities and the sector-by-sector tie matrix.

All measures use the undirected simple graph of :func:`workbench.network.graph.simple_graph`
(one edge per node pair, ``weight`` = passages over all tie types):

- degree: how many other nodes a node is tied to; weighted degree: the passages on its ties;
- betweenness: the share of shortest paths between other nodes that pass through it
  (unweighted, normalised to 0..1);
- eigenvector centrality (weighted), computed within each connected component: a graph of
  stakeholders is seldom connected, and a single power iteration over a disconnected graph
  gives the small components zeros or does not settle. Compare values within a component.
  When the iteration does not converge the numpy solver is tried, and when that fails too the
  value is None with a note;
- communities: Louvain with a fixed seed (the same result every run) or greedy modularity.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from workbench.errors import InvalidInput
from workbench.network.graph import simple_graph
from workbench.network.model import Network

COMMUNITY_METHODS = ("louvain", "greedy")
DEFAULT_SEED = 42


def eigenvector_by_component(graph: nx.Graph, notes: list[str] | None = None
                             ) -> tuple[dict[str, float | None], dict[str, int]]:
    """Eigenvector centrality within each connected component, and each node's component.

    Components are numbered from 0 by size (largest first). Single nodes get 0.0.
    """
    values: dict[str, float | None] = {}
    component_of: dict[str, int] = {}
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    for index, nodes in enumerate(components):
        for key in nodes:
            component_of[key] = index
        if len(nodes) == 1:
            values.update(dict.fromkeys(nodes, 0.0))
            continue
        sub = graph.subgraph(nodes)
        try:
            found = nx.eigenvector_centrality(sub, weight="weight", max_iter=1000, tol=1e-8)
        except nx.PowerIterationFailedConvergence:
            try:
                found = nx.eigenvector_centrality_numpy(sub, weight="weight")
            except Exception:  # scipy's ARPACK errors vary by version
                found = dict.fromkeys(nodes, None)
                if notes is not None:
                    notes.append(f"Eigenvector centrality did not converge for component "
                                 f"{index} ({len(nodes)} nodes); it is left empty there.")
        values.update(found)
    return values, component_of


def centrality(network: Network, notes: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per node: degree, weighted degree, betweenness, eigenvector centrality, component."""
    graph = simple_graph(network)
    betweenness = nx.betweenness_centrality(graph, normalized=True) if len(graph) > 2 \
        else dict.fromkeys(graph, 0.0)
    eigen, component = eigenvector_by_component(graph, notes)
    out = {}
    for key in graph.nodes:
        out[key] = {
            "degree": graph.degree(key),
            "weighted_degree": graph.degree(key, weight="weight"),
            "betweenness": round(betweenness[key], 6),
            "eigenvector": None if eigen[key] is None else round(float(eigen[key]), 6),
            "component": component[key],
        }
    return out


def communities(network: Network, method: str = "louvain", seed: int = DEFAULT_SEED
                ) -> dict[str, Any]:
    """Communities of the weighted simple graph.

    Returns:
        ``{"method", "seed", "modularity", "communities": [[key, ...], ...],
        "community_of": {key: index}}``, communities largest first.

    Raises:
        InvalidInput: an unknown method.
    """
    if method not in COMMUNITY_METHODS:
        raise InvalidInput(f"'{method}' is not a community method; use one of: "
                           f"{', '.join(COMMUNITY_METHODS)}.")
    graph = simple_graph(network)
    if graph.number_of_edges() == 0:
        groups = [{key} for key in graph.nodes]
    elif method == "louvain":
        groups = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    else:
        groups = list(nx.community.greedy_modularity_communities(graph, weight="weight"))
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    modularity = (nx.community.modularity(graph, [set(g) for g in ordered], weight="weight")
                  if graph.number_of_edges() else 0.0)
    return {
        "method": method, "seed": seed if method == "louvain" else None,
        "modularity": round(modularity, 6), "communities": ordered,
        "community_of": {key: i for i, group in enumerate(ordered) for key in group},
    }


def sector_matrix(network: Network) -> dict[str, Any]:
    """The sector-by-sector tie matrix for each tie type and for all types together.

    A tie between a municipality and a hospital adds to both [municipality][hospital] and
    [hospital][municipality]; a tie within one sector adds once to the diagonal.

    Returns:
        ``{"sectors": [...], "types": {type: {"ties": {s: {t: n}}, "passages": {...}}}}``
        with type "all" for every tie.
    """
    sectors = sorted({n.sector or "unknown" for n in network.nodes.values()})
    types: dict[str, dict[str, dict[str, dict[str, int]]]] = {}

    def cell(tie_type: str, what: str, s: str, t: str, value: int) -> None:
        table = types.setdefault(tie_type, {"ties": {}, "passages": {}})[what]
        row = table.setdefault(s, {})
        row[t] = row.get(t, 0) + value

    for tie in network.ties:
        sa = network.nodes[tie.a].sector or "unknown"
        sb = network.nodes[tie.b].sector or "unknown"
        for tie_type in (tie.type, "all"):
            pairs = [(sa, sb)] if sa == sb else [(sa, sb), (sb, sa)]
            for s, t in pairs:
                cell(tie_type, "ties", s, t, 1)
                cell(tie_type, "passages", s, t, tie.weight)
    order = [t for t in network.tie_types if t in types] + (["all"] if "all" in types else [])
    return {"sectors": sectors, "types": {t: types[t] for t in order}}

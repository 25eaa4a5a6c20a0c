"""Turn a :class:`~workbench.network.model.Network` into networkx graphs.

Three views of the same evidence:

- :func:`simple_graph`: undirected, one edge per pair of nodes; ``weight`` is the number of
  passages over all tie types, ``types`` the weights by type, ``sign`` the net sign. Degree,
  betweenness, eigenvector centrality, communities and brokerage use it.
- :func:`directed_graph`: one arc per direction that has evidence; speaker and relation
  passages give their own direction, co-mentions give both (an undirected tie is read as
  reciprocal). The Gould-Fernandez roles use it.
- :func:`multigraph`: one edge per tie (pair and type) with every attribute; the exports use it.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from workbench.network.model import Network, Node, Tie


def node_attributes(node: Node) -> dict[str, Any]:
    """Scalar node attributes (lists joined with '; ') that every file format can hold."""
    return {
        "label": node.label, "kind": node.kind, "sector": node.sector or "unknown",
        "mentions": node.mentions, "turns": node.turns, "documents": len(node.documents),
        "cases": "; ".join(sorted(node.cases)),
        "members": "; ".join(sorted(node.members)),
        "role": node.role, "organisation": node.organisation,
    }


def tie_attributes(tie: Tie) -> dict[str, Any]:
    """Scalar tie attributes; the evidence is a JSON string (a list of passages)."""
    vias = tie.vias
    return {
        "type": tie.type, "weight": tie.weight, "sign": tie.sign,
        "forward": tie.forward, "backward": tie.backward,
        "co_mentions": vias.get("co-mention", 0), "speaker_passages": vias.get("speaker", 0),
        "relations": vias.get("relation", 0),
        "evidence": json.dumps([p.as_dict() for p in tie.passages], ensure_ascii=False),
    }


def simple_graph(network: Network) -> nx.Graph:
    """Undirected graph: one edge per node pair, weights summed over tie types."""
    graph = nx.Graph()
    for key, node in network.nodes.items():
        graph.add_node(key, **node_attributes(node))
    for tie in network.ties:
        if graph.has_edge(tie.a, tie.b):
            data = graph.edges[tie.a, tie.b]
        else:
            graph.add_edge(tie.a, tie.b, weight=0, types={}, signed=0)
            data = graph.edges[tie.a, tie.b]
        data["weight"] += tie.weight
        data["types"][tie.type] = data["types"].get(tie.type, 0) + tie.weight
        data["signed"] += tie.sign * tie.weight
    for _, _, data in graph.edges(data=True):
        data["sign"] = (data["signed"] > 0) - (data["signed"] < 0)
    return graph


def directed_graph(network: Network) -> nx.DiGraph:
    """Directed graph for brokerage roles: speaker/relation arcs, co-mentions both ways."""
    graph = nx.DiGraph()
    for key, node in network.nodes.items():
        graph.add_node(key, sector=node.sector or "unknown")
    for tie in network.ties:
        undirected = tie.weight - tie.forward - tie.backward
        if tie.forward or undirected:
            graph.add_edge(tie.a, tie.b)
        if tie.backward or undirected:
            graph.add_edge(tie.b, tie.a)
    return graph


def multigraph(network: Network) -> nx.MultiGraph:
    """One edge per tie (keyed by type), with node and tie attributes for the exports."""
    graph = nx.MultiGraph()
    for key, node in network.nodes.items():
        graph.add_node(key, **node_attributes(node))
    for tie in network.ties:
        graph.add_edge(tie.a, tie.b, key=tie.type, **tie_attributes(tie))
    return graph

"""Measures: centrality, communities, brokerage, Gould-Fernandez roles, balance, sector matrix.

Values on the sample project of test_network_build are worked out by hand in the comments;
brokerage and balance are also checked on tiny graphs built directly.
"""

from __future__ import annotations

import networkx as nx
import pytest

from tests.test_network_build import build_sample
from workbench.errors import InvalidInput
from workbench.network import measures
from workbench.network.balance import structural_balance
from workbench.network.brokerage import gould_fernandez, gould_fernandez_role, sector_brokerage
from workbench.network.build import build_network
from workbench.network.model import Network, NetworkOptions, Node, Passage, Tie
from workbench.network.stats import network_stats


@pytest.fixture
def sample_net(project, add_doc):
    build_sample(project, add_doc)
    net = build_network(project)
    return net, {n.label: n.key for n in net.nodes.values()}


def hand_network(sectors: dict[str, str], ties: list[tuple]) -> Network:
    """Nodes named by their keys with a sector each; ties (x, y, type, weight, directed)."""
    nodes = {k: Node(k, k, "organisation", s) for k, s in sectors.items()}
    options = NetworkOptions()
    out = []
    for x, y, tie_type, weight, directed in ties:
        a, b = sorted((x, y))
        tie = Tie(a, b, tie_type, options.sign_of(tie_type))
        for i in range(weight):
            source = x if directed else None
            tie.passages.append(Passage("speaker" if directed else "co-mention", 1, "doc", i,
                                        i + 1, "…", (), None, None, None, None, source))
        out.append(tie)
    types = list(dict.fromkeys(t.type for t in out))
    return Network(nodes=nodes, ties=out, options=options, tie_types=types)


def test_degree_weighted_degree_and_betweenness_of_the_sample(sample_net):
    net, key = sample_net
    cent = measures.centrality(net)
    by_label = {label: cent[k] for label, k in key.items()}
    assert {k: v["degree"] for k, v in by_label.items()} == {
        "P01": 5, "Herning Kommune": 3, "almen praksis": 2, "akutteamet": 2,
        "Hospitalsenheden Vest": 2, "Region Midtjylland": 2}
    assert {k: v["weighted_degree"] for k, v in by_label.items()} == {
        "P01": 7, "Herning Kommune": 5, "almen praksis": 2, "akutteamet": 3,
        "Hospitalsenheden Vest": 3, "Region Midtjylland": 4}
    # Seven non-adjacent pairs; P01 lies on all their shortest paths but shares
    # almen praksis - Region Midtjylland with Herning Kommune: 6.5 and 0.5, over 10 pairs.
    assert by_label["P01"]["betweenness"] == pytest.approx(0.65)
    assert by_label["Herning Kommune"]["betweenness"] == pytest.approx(0.05)
    assert by_label["akutteamet"]["betweenness"] == 0
    eigen = {k: v["eigenvector"] for k, v in by_label.items()}
    assert max(eigen, key=eigen.get) == "P01"
    assert all(0 < value <= 1 for value in eigen.values())


def test_eigenvector_centrality_per_component_on_a_disconnected_graph():
    net = hand_network({"a": "region", "b": "region", "c": "hospital", "d": "hospital",
                        "e": "hospital", "f": "citizen"},
                       [("a", "b", "trust", 1, False), ("c", "d", "trust", 1, False),
                        ("d", "e", "trust", 1, False)])
    net.nodes["f"] = Node("f", "f", "group", "citizen")
    cent = measures.centrality(net)
    assert cent["a"]["eigenvector"] == pytest.approx(2 ** -0.5, abs=1e-4)
    assert cent["d"]["eigenvector"] > cent["c"]["eigenvector"] > 0
    assert cent["f"]["eigenvector"] == 0
    assert {cent[k]["component"] for k in "cde"} == {0}
    assert cent["a"]["component"] != cent["c"]["component"]


def test_eigenvector_failures_fall_back_and_then_say_so(monkeypatch):
    net = hand_network({"a": "region", "b": "region", "c": "hospital"},
                       [("a", "b", "trust", 2, False), ("b", "c", "trust", 1, False)])

    def no_convergence(*args, **kwargs):
        raise nx.PowerIterationFailedConvergence(1000)

    monkeypatch.setattr(nx, "eigenvector_centrality", no_convergence)
    cent = measures.centrality(net)
    assert cent["b"]["eigenvector"] > cent["c"]["eigenvector"] > 0

    def broken(*args, **kwargs):
        raise ArithmeticError("ARPACK gave up")

    monkeypatch.setattr(nx, "eigenvector_centrality_numpy", broken)
    notes: list[str] = []
    cent = measures.centrality(net, notes)
    assert cent["b"]["eigenvector"] is None
    assert "did not converge" in notes[0]


def test_communities_are_reproducible_and_cover_every_node(sample_net):
    net, _ = sample_net
    first = measures.communities(net, "louvain", seed=3)
    assert first == measures.communities(net, "louvain", seed=3)
    assert sorted(k for group in first["communities"] for k in group) == sorted(net.nodes)
    greedy = measures.communities(net, "greedy")
    assert sorted(k for group in greedy["communities"] for k in group) == sorted(net.nodes)
    with pytest.raises(InvalidInput, match="community method"):
        measures.communities(net, "leiden")


def test_two_cliques_joined_by_one_tie_are_two_communities():
    sectors = {k: "municipality" for k in "abcdef"}
    ties = [(x, y, "trust", 3, False) for x, y in ("ab", "bc", "ac", "de", "ef", "df")]
    ties.append(("c", "d", "co-mention", 1, False))
    result = measures.communities(hand_network(sectors, ties), "louvain", seed=42)
    assert result["communities"] == [["a", "b", "c"], ["d", "e", "f"]]
    assert result["modularity"] > 0.3


def test_sector_brokerage_counts_distinct_sector_pairs_among_untied_neighbours():
    sectors = {"v": "hospital", "m": "municipality", "m2": "municipality", "r": "region",
               "gp": "general_practice", "x": ""}
    ties = [("v", n, "co-mention", 1, False) for n in ("m", "m2", "r", "gp", "x")]
    result = sector_brokerage(hand_network(sectors, ties))["v"]
    # Pairs m-r, m-gp, m2-r, m2-gp, r-gp (m-m2 share a sector; x has none): 3 sector pairs.
    assert (result["open_pairs"], result["sector_pairs"]) == (5, 3)
    assert result["pairs"] == [["general_practice", "municipality"],
                               ["general_practice", "region"], ["municipality", "region"]]
    ties.append(("m", "r", "trust", 1, False))
    result = sector_brokerage(hand_network(sectors, ties))["v"]
    assert (result["open_pairs"], result["sector_pairs"]) == (4, 3)


def test_sector_brokerage_of_the_sample(sample_net):
    net, key = sample_net
    result = sector_brokerage(net)
    assert result[key["P01"]]["sector_pairs"] == 6
    assert result[key["Herning Kommune"]]["pairs"] == [["general_practice", "region"]]


def test_gould_fernandez_roles_by_hand():
    assert gould_fernandez_role("m", "m", "m") == "coordinator"
    assert gould_fernandez_role("m", "h", "h") == "gatekeeper"
    assert gould_fernandez_role("h", "h", "m") == "representative"
    assert gould_fernandez_role("m", "h", "m") == "consultant"
    assert gould_fernandez_role("m", "h", "r") == "liaison"
    sectors = {"V": "hospital", "A1": "municipality", "A2": "hospital", "B1": "hospital",
               "B2": "municipality", "B3": "region"}
    arcs = [("A1", "V"), ("A2", "V"), ("V", "B1"), ("V", "B2"), ("V", "B3")]
    net = hand_network(sectors, [(x, y, "speaks-about", 1, True) for x, y in arcs])
    roles = gould_fernandez(net)["V"]
    assert roles == {"coordinator": 1, "gatekeeper": 1, "representative": 2, "consultant": 1,
                     "liaison": 1, "total": 6}
    # A direct tie from A1 to B3 closes that path: no liaison left.
    arcs.append(("A1", "B3"))
    net = hand_network(sectors, [(x, y, "speaks-about", 1, True) for x, y in arcs])
    assert gould_fernandez(net)["V"]["liaison"] == 0


def test_undirected_ties_count_as_reciprocal_for_the_roles():
    net = hand_network({"a": "municipality", "v": "hospital", "b": "region"},
                       [("a", "v", "co-mention", 1, False), ("v", "b", "co-mention", 1, False)])
    roles = gould_fernandez(net)["v"]
    assert roles["liaison"] == 2 and roles["total"] == 2
    net = hand_network({"a": "hospital", "v": "hospital", "b": "region"},
                       [("a", "v", "co-mention", 1, False), ("v", "b", "co-mention", 1, False)])
    roles = gould_fernandez(net)["v"]
    assert roles["gatekeeper"] == roles["representative"] == 1


def test_gould_fernandez_on_the_sample(sample_net):
    net, key = sample_net
    roles = gould_fernandez(net)
    # almen praksis -> Herning Kommune -> Region Midtjylland and back: three sectors.
    assert roles[key["Herning Kommune"]]["liaison"] == 2
    assert roles[key["P01"]]["total"] == 0


def test_structural_balance_by_hand():
    sectors = dict.fromkeys("abcde", "municipality")
    ties = [("a", "b", "trust", 1, False), ("b", "c", "trust", 1, False),
            ("a", "c", "conflict", 1, False),                       # ++- unbalanced
            ("c", "d", "conflict", 1, False), ("a", "d", "conflict", 1, False),  # a-c-d ---
            ("d", "e", "co-mention", 4, False)]                     # unsigned: left out
    result = structural_balance(hand_network(sectors, ties))
    assert result["triangles"] == 2
    assert result["by_pattern"] == {"+++": 0, "+--": 0, "++-": 1, "---": 1}
    assert (result["balanced"], result["unbalanced"], result["share_balanced"]) == (0, 2, 0.0)
    ties.append(("b", "d", "conflict", 1, False))          # a-b-d: + - - balanced
    result = structural_balance(hand_network(sectors, ties))
    assert result["by_pattern"]["+--"] == 2               # a-b-d and b-c-d
    assert result["balanced"] == 2 and result["share_balanced"] == 0.5


def test_trust_and_conflict_that_cancel_out_are_ambivalent():
    ties = [("a", "b", "trust", 2, False), ("a", "b", "conflict", 2, False),
            ("b", "c", "trust", 1, False), ("a", "c", "trust", 1, False)]
    result = structural_balance(hand_network(dict.fromkeys("abc", "region"), ties))
    assert result["ambivalent_pairs"] == 1 and result["triangles"] == 0


def test_balance_of_the_sample(sample_net):
    net, _ = sample_net
    result = structural_balance(net)
    # P01-Herning-almen praksis all conflict (---); P01-akutteamet-hospital all trust (+++).
    assert result["by_pattern"] == {"+++": 1, "+--": 0, "++-": 0, "---": 1}
    assert result["share_balanced"] == 0.5
    assert sorted(result["unbalanced_examples"][0][:3]) == ["Herning Kommune", "P01",
                                                            "almen praksis"]


def test_sector_matrix_by_tie_type(sample_net):
    net, _ = sample_net
    matrix = measures.sector_matrix(net)
    assert matrix["sectors"] == ["general_practice", "hospital", "municipality", "region"]
    trust = matrix["types"]["trust"]
    assert trust["passages"]["hospital"]["municipality"] == 3
    assert trust["passages"]["municipality"]["hospital"] == 3
    assert trust["ties"]["hospital"]["municipality"] == 2
    conflict = matrix["types"]["conflict"]["passages"]
    assert conflict["municipality"]["general_practice"] == 2
    assert conflict["municipality"]["municipality"] == 1
    assert conflict["municipality"]["region"] == 1
    assert list(matrix["types"]) == ["trust", "conflict", "co-mention", "speaks-about", "all"]


def test_network_stats_brings_everything_together(sample_net):
    net, _ = sample_net
    stats = network_stats(net, seed=1)
    assert stats["summary"]["nodes"] == 6
    assert stats["nodes"][0]["label"] == "P01"
    assert set(stats["nodes"][0]["roles"]) == {"coordinator", "gatekeeper", "representative",
                                               "consultant", "liaison", "total"}
    assert stats["balance"]["triangles"] == 2
    assert stats["options"]["signs"] == {"trust": 1, "conflict": -1}

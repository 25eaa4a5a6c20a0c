"""Exports read back with networkx and keep their attributes; figures are written."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from tests.test_network_build import S2, S6, build_sample
from workbench.errors import InvalidInput, WorkbenchError
from workbench.network.build import build_network
from workbench.network.exports import FORMATS, export_network, format_for


@pytest.fixture
def sample_net(project, add_doc):
    build_sample(project, add_doc)
    return build_network(project)


def _trust_edge(graph):
    for u, v, data in graph.edges(data=True):
        labels = {graph.nodes[u]["label"], graph.nodes[v]["label"]}
        if labels == {"akutteamet", "Hospitalsenheden Vest"} and data["tie_type"] == "trust":
            return data
    raise AssertionError("no trust edge between akutteamet and Hospitalsenheden Vest")


def test_gexf_reads_back_with_colours_and_attributes(sample_net, tmp_path):
    path = tmp_path / "netværk.gexf"
    export_network(sample_net, path)
    graph = nx.read_gexf(path)
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 10
    herning = next(d for _, d in graph.nodes(data=True) if d["label"] == "Herning Kommune")
    assert herning["sector"] == "municipality" and herning["mentions"] == 3
    assert herning["viz"]["color"] == {"r": 107, "g": 174, "b": 214, "a": 1.0}
    edge = _trust_edge(graph)
    assert edge["weight"] == 2 and edge["sign"] == 1
    assert sorted(p["quote"] for p in json.loads(edge["evidence"])) == sorted([S2, S6])
    text = path.read_text(encoding="utf-8")
    assert 'type="trust"' not in text  # GEXF's edge type is directed/undirected only
    assert 'shape value="dashed"' in text  # conflict ties


def test_graphml_keeps_every_attribute(sample_net, tmp_path):
    path = tmp_path / "net.graphml"
    export_network(sample_net, path)
    graph = nx.read_graphml(path)
    assert graph.number_of_edges() == 10
    edge = _trust_edge(graph)
    assert (edge["weight"], edge["co_mentions"], edge["speaker_passages"]) == (2, 2, 0)
    evidence = json.loads(edge["evidence"])
    assert {p["document"] for p in evidence} == {"P01_interview", "feltnote_c2"}
    p01 = next(d for _, d in graph.nodes(data=True) if d["label"] == "P01")
    assert (p01["kind"], p01["role"], p01["cases"]) == ("participant", "sundhedschef",
                                                         "Ældreforløb Vest")


def test_json_node_link_reads_back(sample_net, tmp_path):
    path = tmp_path / "net.json"
    export_network(sample_net, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["graph"]["tie_types"] == ["trust", "conflict", "co-mention", "speaks-about"]
    graph = nx.node_link_graph(data, edges="links")
    assert graph.is_multigraph() and graph.number_of_edges() == 10
    edge = _trust_edge(graph)
    assert sorted(p["quote"] for p in edge["evidence"]) == sorted([S2, S6])
    assert "æ" in path.read_text(encoding="utf-8")  # Danish letters as they are


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_is_graphviz_text_with_styles(sample_net, tmp_path):
    path = tmp_path / "net.dot"
    export_network(sample_net, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("graph stakeholders {")
    assert len(re.findall(r'^  "[^"]+" -- "[^"]+" \[', text, flags=re.M)) == 10
    assert 'style="dashed"' in text and 'color="#c62828"' in text
    pytest.importorskip("pydot")
    graph = nx.nx_pydot.read_dot(path)
    assert graph.number_of_edges() == 10
    labels = {d["label"].strip('"') for _, d in graph.nodes(data=True)}
    assert "Hospitalsenheden Vest" in labels


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                           (".pdf", b"%PDF")])
def test_figures_are_written(sample_net, tmp_path, suffix, magic):
    path = tmp_path / f"figur{suffix}"
    export_network(sample_net, path, title="Ældreforløb Vest", dpi=60)
    assert path.read_bytes().startswith(magic)


def test_svg_has_labels_legend_and_title(sample_net, tmp_path):
    path = tmp_path / "figur.svg"
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text to search it
    try:
        export_network(sample_net, path, title="Ældreforløb Vest")
    finally:
        matplotlib.rcParams["svg.fonttype"] = "path"
    text = path.read_text(encoding="utf-8")
    for expected in ("Ældreforløb Vest", "Hospitalsenheden Vest", "municipality", "conflict",
                     "trust", "co-mention", "participant (speaker)"):
        assert expected in text


def test_unknown_formats_and_missing_folders_are_refused(sample_net, tmp_path):
    with pytest.raises(InvalidInput, match="extension"):
        export_network(sample_net, tmp_path / "net.xyz")
    with pytest.raises(InvalidInput, match="not a network format"):
        format_for(tmp_path / "net", "pajek")
    assert format_for(tmp_path / "net", "gv").name == "dot"
    with pytest.raises(WorkbenchError, match="does not exist"):
        export_network(sample_net, tmp_path / "mangler" / "net.gexf")
    assert set(FORMATS) == {"gexf", "graphml", "json", "dot", "png", "svg", "pdf"}


def test_an_empty_network_exports_and_draws(project, tmp_path):
    net = build_network(project)
    assert net.ties == [] and net.notes
    for suffix in (".gexf", ".graphml", ".json", ".dot", ".png"):
        export_network(net, tmp_path / f"tom{suffix}")
    assert nx.read_graphml(tmp_path / "tom.graphml").number_of_nodes() == 0

"""Write a network to a file: GEXF (Gephi), GraphML (Cytoscape, yEd), JSON node-link, DOT
(Graphviz), and PNG/SVG/PDF figures.

Every format has one edge per tie (a pair of stakeholders and a tie type) with the attributes
``tie_type`` (not ``type``, which GEXF reserves for directed/undirected), ``weight`` (passages),
``sign``, ``forward``/``backward`` (directed passages), passage counts by kind of evidence,
and ``evidence``: the passages as a JSON string in GEXF, GraphML and DOT, as a list in JSON.
Nodes carry label, kind, sector, mentions, turns, documents, cases and members. GEXF adds
Gephi's viz colours (nodes by sector, edges by tie type), sizes, line shapes and positions.

Formats are looked up by name or file extension in :data:`FORMATS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput, WorkbenchError
from workbench.network.model import Network, Tie


@dataclass(frozen=True)
class GraphFormat:
    """A file format a network can be written to."""

    name: str
    extensions: tuple[str, ...]
    description: str
    writer: Callable[..., None]


FORMATS: dict[str, GraphFormat] = {}


def register(name: str, extensions: tuple[str, ...], description: str
             ) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorator: register a writer ``writer(network, path, **options)`` under ``name``."""
    def decorate(writer: Callable[..., None]) -> Callable[..., None]:
        FORMATS[name] = GraphFormat(name, extensions, description, writer)
        return writer
    return decorate


def format_for(path: str | Path, name: str | None = None) -> GraphFormat:
    """The format named ``name``, else the one for the file's extension.

    Raises:
        InvalidInput: the format is unknown or cannot be told from the file name.
    """
    if name:
        found = FORMATS.get(name.lower().lstrip("."))
        if found is None:
            found = next((f for f in FORMATS.values() if f".{name.lower()}" in f.extensions),
                         None)
        if found is None:
            raise InvalidInput(f"'{name}' is not a network format; use one of: "
                               f"{', '.join(FORMATS)}.")
        return found
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(e for f in FORMATS.values() for e in f.extensions)
    raise InvalidInput(f"Cannot tell the network format of '{Path(path).name}' from its "
                       f"extension; name the file with one of {known}, or give --format.")


def export_network(network: Network, path: str | Path, *, fmt: str | None = None,
                   **options: Any) -> GraphFormat:
    """Write ``network`` to ``path`` in the format named or implied by the extension.

    Raises:
        InvalidInput: unknown format.
        WorkbenchError: the file cannot be written.
    """
    target = Path(path)
    chosen = format_for(target, fmt)
    if not target.parent.exists():
        raise WorkbenchError(f"The folder {target.parent} does not exist; create it first or "
                             "write the network somewhere else.")
    try:
        chosen.writer(network, target, **options)
    except OSError as exc:
        raise WorkbenchError(f"Could not write {target}: {exc.strerror or exc}.") from exc
    return chosen


def relation_kinds(network: Network) -> set[str]:
    """Tie types that come only from relations added by hand."""
    return {t.type for t in network.ties if t.passages
            and all(p.via == "relation" for p in t.passages)}


def export_graph(network: Network):
    """The multigraph every export writes (one edge per tie), with ``tie_type`` attributes."""
    from workbench.network.graph import multigraph

    graph = multigraph(network)
    for _, _, data in graph.edges(data=True):
        data["tie_type"] = data.pop("type")
        data["label"] = data["tie_type"]
    graph.graph["name"] = "workbench stakeholder network"
    return graph


# ------------------------------------------------------------------------------ GEXF
@register("gexf", (".gexf",), "GEXF for Gephi, with colours by sector and tie type")
def write_gexf(network: Network, path: Path, **_: Any) -> None:
    """GEXF 1.2 with viz colours, sizes, edge shapes and the figure's layout as positions."""
    import networkx as nx

    from workbench.network.draw import layout
    from workbench.network.style import hex_rgb, sector_colour, tie_styles

    graph = export_graph(network)
    positions = layout(network)
    styles = tie_styles(network.tie_types, relation_kinds(network))
    for key, data in graph.nodes(data=True):
        r, g, b = hex_rgb(sector_colour(network.nodes[key].sector))
        x, y = positions.get(key, (0.0, 0.0))
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                       "size": round(6 + 4 * math.sqrt(network.nodes[key].mentions), 2),
                       "position": {"x": round(float(x) * 500, 2),
                                    "y": round(float(y) * 500, 2), "z": 0.0}}
    for _, _, data in graph.edges(data=True):
        style = styles[data["tie_type"]]
        r, g, b = hex_rgb(style.colour)
        shape = {"dashed": "dashed", "dotted": "dotted"}.get(style.dot, "solid")
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                       "thickness": float(min(10, 1 + data["weight"])), "shape": shape}
    nx.write_gexf(graph, path)


# ------------------------------------------------------------------------------ GraphML
@register("graphml", (".graphml",), "GraphML for Cytoscape and yEd; evidence as JSON text")
def write_graphml(network: Network, path: Path, **_: Any) -> None:
    """GraphML with every attribute kept (evidence as a JSON string attribute)."""
    import networkx as nx

    nx.write_graphml(export_graph(network), path, encoding="utf-8")


# ------------------------------------------------------------------------------ JSON
def node_link(network: Network) -> dict[str, Any]:
    """The network as node-link JSON data (networkx's layout, evidence as lists)."""
    import networkx as nx

    graph = export_graph(network)
    for _, _, data in graph.edges(data=True):
        data["evidence"] = json.loads(data["evidence"])
    data = nx.node_link_data(graph, edges="links")
    options = network.options
    data["graph"] = {"name": "workbench stakeholder network", "tie_types": network.tie_types,
                     "unit": options.unit, "collapse": options.collapse,
                     "case": options.case, "cycle": options.cycle, "code": options.code,
                     "min_weight": options.min_weight}
    return data


@register("json", (".json",), "JSON node-link data (networkx, d3)")
def write_json(network: Network, path: Path, **_: Any) -> None:
    """Node-link JSON, UTF-8, Danish letters as they are."""
    path.write_text(json.dumps(node_link(network), ensure_ascii=False, indent=1),
                    encoding="utf-8")


# ------------------------------------------------------------------------------ DOT
def _dot_quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot_attrs(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_dot_quote(v)}" for k, v in values.items())


def dot_text(network: Network) -> str:
    """The network as a Graphviz DOT graph (undirected; one edge per tie)."""
    from workbench.network.graph import node_attributes, tie_attributes
    from workbench.network.style import sector_colour, tie_styles

    styles = tie_styles(network.tie_types, relation_kinds(network))
    lines = ["graph stakeholders {",
             '  graph [overlap="false", splines="true", fontname="Helvetica"];',
             '  node [shape="box", style="rounded,filled", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize="9"];']
    for key, node in network.nodes.items():
        attrs = node_attributes(node) | {"fillcolor": sector_colour(node.sector)}
        lines.append(f"  {_dot_quote(key)} [{_dot_attrs(attrs)}];")
    for tie in network.ties:
        attrs = _tie_dot(tie, tie_attributes(tie))
        style = styles[tie.type]
        attrs |= {"color": style.colour, "style": style.dot,
                  "penwidth": round(min(6.0, 0.8 + 0.6 * tie.weight), 2)}
        lines.append(f"  {_dot_quote(tie.a)} -- {_dot_quote(tie.b)} [{_dot_attrs(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _tie_dot(tie: Tie, attrs: dict[str, Any]) -> dict[str, Any]:
    attrs = dict(attrs)
    attrs["tie_type"] = attrs.pop("type")
    attrs["label"] = tie.type
    return attrs


@register("dot", (".dot", ".gv"), "Graphviz DOT")
def write_dot(network: Network, path: Path, **_: Any) -> None:
    """DOT text, UTF-8 (Graphviz reads it as it is)."""
    path.write_text(dot_text(network), encoding="utf-8")


# ------------------------------------------------------------------------------ figures
@register("png", (".png",), "PNG figure (matplotlib)")
def write_png(network: Network, path: Path, **options: Any) -> None:
    """A PNG figure, 200 dpi by default."""
    from workbench.network.draw import draw_network

    draw_network(network, path, **options)


@register("svg", (".svg",), "SVG figure (matplotlib)")
def write_svg(network: Network, path: Path, **options: Any) -> None:
    """An SVG figure (text stays text)."""
    from workbench.network.draw import draw_network

    draw_network(network, path, **options)


@register("pdf", (".pdf",), "PDF figure (matplotlib)")
def write_pdf(network: Network, path: Path, **options: Any) -> None:
    """A PDF figure for a paper."""
    from workbench.network.draw import draw_network

    draw_network(network, path, **options)

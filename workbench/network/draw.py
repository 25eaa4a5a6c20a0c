"""Draw the network as a figure for a paper (PNG, SVG or PDF), with matplotlib.

Each node is its label in a rounded box filled with its sector's colour (participants get a
darker frame and their role on a second line), the label size growing with the mentions. Ties
are drawn under the boxes: colour and line style by tie type (trust solid green, conflict
dashed red, co-mention thin grey ...), width by the number of passages; a pair with several
tie types gets one gently curved line per type. After the layout, boxes that overlap are pushed
apart until none do (or 300 rounds pass), so labels stay readable. A legend lists the sectors
and tie types present, and the title says what was drawn.

matplotlib is imported inside the functions, with the Agg backend, so nothing opens a window.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from workbench.network.model import CO_MENTION, SPEAKS_ABOUT, Network
from workbench.network.style import sector_colour, tie_styles

DEFAULT_MAX_NODES = 60
LAYOUT_SEED = 7


# ------------------------------------------------------------------------------ layout
def stress_layout(graph: nx.Graph, iterations: int = 300) -> dict[str, np.ndarray]:
    """Stress majorization (SMACOF) on shortest-path distances, started from classical MDS.

    Deterministic, and for a few hundred nodes quick: the distances come from numpy's
    Floyd-Warshall and every round is a few n x n array operations. Graph distances become
    drawing distances as far as possible, which spreads hubs and their neighbours more evenly
    than a spring layout.
    """
    nodes = sorted(graph.nodes)
    n = len(nodes)
    dist = np.asarray(nx.floyd_warshall_numpy(graph, nodelist=nodes, weight=None))
    # Classical MDS: the two leading eigenvectors of the double-centred squared distances.
    centring = np.eye(n) - 1.0 / n
    inner = -0.5 * centring @ (dist ** 2) @ centring
    values, vectors = np.linalg.eigh(inner)
    top = np.argsort(values)[::-1][:2]
    x = vectors[:, top] * np.sqrt(np.maximum(values[top], 1e-9))
    x += np.random.default_rng(LAYOUT_SEED).normal(scale=1e-3, size=x.shape)
    off = dist > 0
    weights = np.zeros_like(dist)
    weights[off] = dist[off] ** -2.0
    weighted_dist = weights * dist
    v = -weights
    np.fill_diagonal(v, weights.sum(axis=1))
    v_pinv = np.linalg.pinv(v)
    for _ in range(iterations):
        squares = (x ** 2).sum(axis=1)
        span = np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2 * x @ x.T, 0.0))
        b = np.zeros_like(span)
        close = span > 1e-12
        b[close] = -weighted_dist[close] / span[close]
        np.fill_diagonal(b, 0.0)
        np.fill_diagonal(b, -b.sum(axis=1))
        moved = v_pinv @ (b @ x)
        done = np.abs(moved - x).max() < 1e-5
        x = moved
        if done:
            break
    return {k: x[i] for i, k in enumerate(nodes)}


def _component_layout(graph: nx.Graph) -> dict[str, np.ndarray]:
    """Positions of one connected component, centred, spread to about unit radius."""
    nodes = list(graph.nodes)
    if len(nodes) == 1:
        return {nodes[0]: np.zeros(2)}
    if len(nodes) == 2:
        return {nodes[0]: np.array([-0.5, 0.0]), nodes[1]: np.array([0.5, 0.0])}
    if len(nodes) <= 700:
        # Fewer rounds for big components: each round costs n x n, and the MDS start is good.
        pos = stress_layout(graph, iterations=300 if len(nodes) <= 120 else 80)
    else:
        pos = nx.spring_layout(graph, seed=LAYOUT_SEED, k=2.2 / math.sqrt(len(nodes)),
                               iterations=100, weight=None)
    array = np.array([pos[n] for n in nodes], dtype=float)
    array -= array.mean(axis=0)
    radius = np.abs(array).max() or 1.0
    array /= radius
    return {n: array[i] for i, n in enumerate(nodes)}


def layout(network: Network) -> dict[str, tuple[float, float]]:
    """Positions for every node: each component laid out on its own, then packed in rows.

    The largest component comes first; a component of n nodes gets a square of side
    proportional to sqrt(n), so small groups do not crowd the big one.
    """
    graph = nx.Graph()
    graph.add_nodes_from(network.nodes)
    graph.add_edges_from((t.a, t.b) for t in network.ties)
    components = sorted((sorted(c) for c in nx.connected_components(graph)),
                        key=lambda c: (-len(c), c[0]))
    if not components:
        return {}
    sizes = [math.sqrt(len(c)) for c in components]
    row_width = max(sizes[0], sum(sizes) / max(1.0, math.sqrt(len(components)))) * 1.05
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes, side in zip(components, sizes, strict=True):
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        sub = _component_layout(graph.subgraph(nodes))
        centre = np.array([x + side / 2, y - side / 2])
        for key, value in sub.items():
            point = centre + value * side * 0.42
            positions[key] = (float(point[0]), float(point[1]))
        x += side
        row_height = max(row_height, side)
    return positions


# ------------------------------------------------------------------------------ selection
def top_nodes(network: Network, max_nodes: int) -> Network:
    """The network restricted to the ``max_nodes`` nodes with the most passages on their ties."""
    if len(network.nodes) <= max_nodes:
        return network
    strength: dict[str, int] = dict.fromkeys(network.nodes, 0)
    for tie in network.ties:
        strength[tie.a] += tie.weight
        strength[tie.b] += tie.weight
    keep = set(sorted(strength, key=lambda k: (-strength[k], network.nodes[k].label))[
        :max_nodes])
    ties = [t for t in network.ties if t.a in keep and t.b in keep]
    linked = {k for t in ties for k in (t.a, t.b)}
    nodes = {k: n for k, n in network.nodes.items() if k in linked}
    return Network(nodes=nodes, ties=ties, options=network.options,
                   tie_types=[t for t in network.tie_types if any(x.type == t for x in ties)],
                   notes=network.notes)


def node_text(network: Network, key: str) -> str:
    """The label drawn for a node: name wrapped at 22 characters; participants with role."""
    node = network.nodes[key]
    label = node.label.replace(" (generic)", "")
    lines = textwrap.wrap(label, 22, break_long_words=False) or [label]
    if node.kind == "participant" and node.role:
        lines += textwrap.wrap(node.role, 24, break_long_words=False)[:2]
    return "\n".join(lines)


def default_title(network: Network) -> str:
    """What was drawn: filters and counts."""
    opts = network.options
    parts = []
    if opts.case:
        parts.append(opts.case)
    if opts.cycle is not None:
        parts.append(f"cycle {opts.cycle}")
    if opts.code:
        parts.append(f"passages coded {opts.code}")
    if opts.collapse != "none":
        parts.append(f"collapsed to {opts.collapse}")
    where = ", ".join(parts) or "all documents"
    return f"Stakeholder network: {where}"


# ------------------------------------------------------------------------------ drawing
def _separate(ax: Any, texts: dict[str, Any], positions: dict[str, np.ndarray],
              rounds: int = 300) -> None:
    """Push overlapping label boxes apart (in display space) until none overlap."""
    fig = ax.figure
    keys = list(texts)
    if len(keys) < 2:
        return
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    (x0, y0), (x1, y1) = ax.transData.transform([(ax.get_xlim()[0], ax.get_ylim()[0]),
                                                 (ax.get_xlim()[1], ax.get_ylim()[1])])
    sizes = np.array([[b.width, b.height] for b in
                      (texts[k].get_window_extent(renderer) for k in keys)]) + [14.0, 8.0]
    centres = ax.transData.transform(np.array([positions[k] for k in keys]))
    half = sizes / 2
    for _ in range(rounds):
        delta = centres[:, None, :] - centres[None, :, :]
        reach = half[:, None, :] + half[None, :, :]
        overlap = reach - np.abs(delta)
        hit = (overlap[..., 0] > 0) & (overlap[..., 1] > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        push = np.zeros_like(centres)
        i_idx, j_idx = np.nonzero(hit)
        for i, j in zip(i_idx, j_idx, strict=True):
            ox, oy = overlap[i, j]
            dx, dy = delta[i, j]
            # Move along the axis that needs less movement; ties break by index.
            if ox / sizes[i, 0] < oy / sizes[i, 1]:
                push[i, 0] += (ox / 2 + 1) * (1 if dx > 0 or (dx == 0 and i > j) else -1)
            else:
                push[i, 1] += (oy / 2 + 1) * (1 if dy > 0 or (dy == 0 and i > j) else -1)
        centres += push * 0.6
        centres[:, 0] = np.clip(centres[:, 0], x0 + half[:, 0], x1 - half[:, 0])
        centres[:, 1] = np.clip(centres[:, 1], y0 + half[:, 1], y1 - half[:, 1])
    data = to_data.transform(centres)
    for i, key in enumerate(keys):
        positions[key] = data[i]
        texts[key].set_position(data[i])


def curve(p: np.ndarray, q: np.ndarray, rad: float, points: int = 24) -> np.ndarray:
    """A quadratic curve from p to q bulging sideways by ``rad`` times the distance."""
    if rad == 0:
        return np.array([p, q])
    mid = (p + q) / 2
    d = q - p
    control = mid + rad * np.array([d[1], -d[0]])
    t = np.linspace(0.0, 1.0, points)[:, None]
    return (1 - t) ** 2 * p + 2 * (1 - t) * t * control + t ** 2 * q


def _draw_ties(ax: Any, network: Network, ties: list, styles: dict, positions: dict) -> None:
    """Ties as one line collection per tie type: untyped ones light and below, typed on top."""
    from matplotlib.collections import LineCollection

    by_pair: dict[tuple[str, str], list] = {}
    for tie in ties:
        by_pair.setdefault((tie.a, tie.b), []).append(tie)
    order = {t: i for i, t in enumerate(network.tie_types)}
    heaviest = max((t.weight for t in ties), default=1)
    lines: dict[str, tuple[list, list]] = {}
    for (a, b), pair_ties in by_pair.items():
        pair_ties.sort(key=lambda t: order.get(t.type, 99))
        count = len(pair_ties)
        for i, tie in enumerate(pair_ties):
            rad = 0.0 if count == 1 else 0.15 * (i - (count - 1) / 2)
            segs, widths = lines.setdefault(tie.type, ([], []))
            segs.append(curve(positions[a], positions[b], rad))
            widths.append(0.6 + 4.4 * math.sqrt(tie.weight / heaviest))
    for tie_type, (segs, widths) in lines.items():
        style = styles[tie_type]
        untyped = tie_type in (CO_MENTION, SPEAKS_ABOUT)
        ax.add_collection(LineCollection(
            segs, colors=style.colour, linestyles=[style.linestyle],
            linewidths=[w * (0.6 if untyped else 1.0) for w in widths],
            alpha=0.35 if untyped else 0.9, zorder=1 if untyped else 2,
            capstyle="round"))


def draw_network(network: Network, path: str | Path | None = None, *,
                 title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES,
                 dpi: int = 200, show_untyped: bool = True) -> Any:
    """Draw the network and save it to ``path`` (format from the extension).

    Args:
        title: the figure title (default: what was drawn).
        max_nodes: draw at most this many nodes (those with the most passages).
        dpi: resolution of PNG output.
        show_untyped: draw co-mention and speaks-about ties (grey) as well as typed ones.

    Returns:
        The matplotlib figure (closed after saving when ``path`` is given).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from workbench.network.exports import relation_kinds

    if not show_untyped:
        # Only the typed ties, and only the stakeholders they connect, laid out by them.
        typed = [t for t in network.ties if t.type not in (CO_MENTION, SPEAKS_ABOUT)]
        linked = {k for t in typed for k in (t.a, t.b)}
        network = Network(nodes={k: n for k, n in network.nodes.items() if k in linked},
                          ties=typed, options=network.options,
                          tie_types=[t for t in network.tie_types
                                     if t not in (CO_MENTION, SPEAKS_ABOUT)],
                          notes=network.notes)
    shown = top_nodes(network, max_nodes)
    ties = shown.ties
    styles = tie_styles(shown.tie_types, relation_kinds(shown))
    n = max(1, len(shown.nodes))
    width = min(26.0, max(11.0, 5.0 + 1.9 * math.sqrt(n) * 1.6))
    height = width * 0.72
    fig, ax = plt.subplots(figsize=(width, height))
    # Fixed margins before the labels are placed: a later tight_layout would rescale the axes
    # and bring back overlaps the separation removed.
    fig.subplots_adjust(left=0.01, right=0.82, top=0.92, bottom=0.01)
    ax.set_axis_off()
    positions = {k: np.array(v) for k, v in layout(shown).items()}
    if positions:
        points = np.array(list(positions.values()))
        span = np.maximum(points.max(axis=0) - points.min(axis=0), 1.0)
        lo, hi = points.min(axis=0) - span * 0.1, points.max(axis=0) + span * 0.1
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
    biggest = max((node.mentions for node in shown.nodes.values()), default=1) or 1
    texts = {}
    for key, node in shown.nodes.items():
        size = 7.5 + 4.0 * math.sqrt(node.mentions / biggest)
        participant = node.kind == "participant"
        texts[key] = ax.text(
            *positions[key], node_text(shown, key), ha="center", va="center",
            fontsize=size, zorder=3, fontweight="bold" if participant else "normal",
            bbox={"boxstyle": "round,pad=0.3", "facecolor": sector_colour(node.sector),
                  "edgecolor": "#333333" if participant else "#777777",
                  "linewidth": 1.6 if participant else 0.6})
    fig.canvas.draw()
    _separate(ax, texts, positions)
    _draw_ties(ax, shown, ties, styles, positions)
    sectors = sorted({node.sector or "unknown" for node in shown.nodes.values()})
    handles = [Patch(facecolor=sector_colour(s), edgecolor="#777777",
                     label=s.replace("_", " ")) for s in sectors]
    present = [t for t in shown.tie_types if any(x.type == t for x in ties)]
    handles += [Line2D([0], [0], color=styles[t].colour, linestyle=styles[t].linestyle,
                       linewidth=2.2, label=styles[t].label) for t in present]
    if any(node.kind == "participant" for node in shown.nodes.values()):
        handles.append(Patch(facecolor="white", edgecolor="#333333", linewidth=1.6,
                             label="participant (speaker)"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, fontsize=9, title="Sectors and ties", title_fontsize=10)
    counts = f"{len(shown.nodes)} stakeholders, {len(ties)} ties"
    if len(shown.nodes) < len(network.nodes):
        counts += f" (the {len(shown.nodes)} most connected of {len(network.nodes)})"
    ax.set_title(f"{title or default_title(network)}\n{counts}; line width = passages",
                 fontsize=13, loc="left")
    if path is not None:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        plt.close(fig)
    return fig

"""Charts for supervisors: frequencies by group (bars) and code co-occurrence (heatmap).

matplotlib is imported inside the functions and used through ``Figure`` objects, never pyplot,
so no global backend is switched and nothing opens a window. Labels use DejaVu Sans, which has
every Danish letter; bars take the code colours from the codebook.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from workbench.errors import InvalidInput

FORMATS = (".png", ".svg")
MAX_GROUPS = 40  # more groups than this make a bar chart unreadable: keep the largest
_RC = {"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none",
       "svg.hashsalt": "workbench", "axes.spines.top": False, "axes.spines.right": False}


def _check_target(target: str | Path) -> Path:
    path = Path(target)
    if path.suffix.lower() not in FORMATS:
        raise InvalidInput(f"Cannot draw a chart as '{path.name}'; give a file name ending in "
                           ".png or .svg.")
    if not path.parent.exists():
        raise InvalidInput(f"The folder {path.parent} does not exist; create it first.")
    return path


def _save(fig: Any, target: str | Path | None) -> str | None:
    """Write the figure to a .png/.svg file, or return it as SVG text when target is None."""
    if target is None:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        # Inline SVG in HTML needs neither the XML prolog, the DOCTYPE nor the RDF metadata.
        svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.S)
        return svg.strip()
    path = _check_target(target)
    if path.suffix.lower() == ".svg":
        fig.savefig(path, format="svg", metadata={"Date": None})
    else:
        fig.savefig(path, format="png", dpi=150)
    return None


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _group_label(row: dict[str, Any], by: tuple[str, ...]) -> str:
    parts = []
    for dim in by:
        value = row.get(dim)
        if value is None:
            parts.append(f"(no {dim})")
        elif dim == "cycle":
            parts.append(f"cycle {value}")
        else:
            parts.append(str(value))
    return " · ".join(parts)


def _value(row: dict[str, Any], measure: str) -> float:
    return row["coverage"] * 100 if measure == "coverage" else float(row[measure])


MEASURE_LABELS = {"codings": "codings", "documents": "documents with the code",
                  "participants": "participants with the code",
                  "coverage": "coverage (% of the group's characters)"}


def frequency_chart(table: Any, target: str | Path | None = None, *,
                    measure: str = "codings", title: str | None = None) -> str | None:
    """Bar chart of a :class:`~workbench.analysis.frequencies.FrequencyTable`.

    Without a breakdown one bar per code; with one, a block of bars (one per code, in the code's
    colour) per group, the groups with the most codings first (at most ``MAX_GROUPS``).

    Args:
        target: a .png or .svg path; None returns the chart as SVG text.
        measure: codings, documents, participants or coverage.
        title: a title above the chart.

    Raises:
        InvalidInput: an unknown measure or file type.
    """
    import matplotlib

    if measure not in MEASURE_LABELS:
        raise InvalidInput(f"'{measure}' cannot be plotted; use one of "
                           f"{', '.join(MEASURE_LABELS)}.")
    if target is not None:
        _check_target(target)
    by = tuple(table.by)
    used = [c for c in table.codes if any(r["code_id"] == c.id and _value(r, measure) > 0
                                          for r in table.rows)] or list(table.codes)
    colour = {c.id: c.colour for c in table.codes}
    with matplotlib.rc_context(_RC):
        if not by:
            values = {r["code_id"]: _value(r, measure) for r in table.rows}
            codes = list(reversed(used))  # barh draws bottom-up; keep codebook order top-down
            fig = _figure(7.5, max(1.6, 0.32 * len(codes) + 1.0))
            ax = fig.add_subplot()
            bars = ax.barh([c.name for c in codes], [values.get(c.id, 0) for c in codes],
                           color=[colour[c.id] for c in codes])
            ax.bar_label(bars, fmt="%.1f" if measure == "coverage" else "%d", padding=3)
        else:
            groups: dict[str, float] = {}
            cells: dict[tuple[str, int], float] = {}
            for row in table.rows:
                label = _group_label(row, by)
                groups[label] = groups.get(label, 0) + row["codings"]
                cells[(label, row["code_id"])] = _value(row, measure)
            ranked = sorted(groups, key=lambda g: -groups[g])[:MAX_GROUPS]
            shown = [g for g in groups if g in ranked]  # keep the table's order
            n = len(used)
            height = 0.8 / max(n, 1)
            fig = _figure(8.5, max(2.0, len(shown) * (0.17 * n + 0.3) + 1.2))
            ax = fig.add_subplot()
            for i, code in enumerate(used):
                ys = [len(shown) - 1 - g + 0.4 - (i + 0.5) * height for g in range(len(shown))]
                ax.barh(ys, [cells.get((g, code.id), 0) for g in shown], height=height * 0.92,
                        color=code.colour, label=code.name)
            ax.set_yticks(range(len(shown)), list(reversed(shown)))
            ax.set_ylim(-0.6, len(shown) - 0.4)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
            if len(groups) > len(shown):
                title = (title or "") + f"  (the {len(shown)} of {len(groups)} groups with " \
                                        "most codings)"
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=measure != "coverage"))
        ax.set_xlabel(MEASURE_LABELS[measure])
        if title:
            ax.set_title(title, loc="left", fontsize=10)
        ax.margins(x=0.12)
        return _save(fig, target)


def cooccurrence_heatmap(table: Any, target: str | Path | None = None, *,
                         title: str | None = None) -> str | None:
    """Heatmap of a :class:`~workbench.analysis.cooccurrence.CooccurrenceTable`.

    Cell colour is the Jaccard coefficient (white 0 to dark blue at the strongest pair, rounded
    up to 0.05, 0.1, 0.2, 0.5 or 1; the colour bar shows the scale); the number in each cell is
    the count of units holding both codes (on the diagonal: units holding the code). A square
    in the code's colour marks each row and column.
    """
    import matplotlib
    from matplotlib.patches import Rectangle

    if target is not None:
        _check_target(target)
    names = [c.name for c in table.codes]
    k = len(names)
    with matplotlib.rc_context(_RC):
        size = max(3.0, 0.55 * k + 2.2)
        fig = _figure(size + 1.2, size)
        ax = fig.add_subplot()
        import numpy as np

        # The diagonal (a code with itself) is always 1: grey it out so pairs stand out.
        shown = np.ma.masked_array(table.jaccard if k else np.zeros((1, 1)),
                                   mask=np.eye(max(k, 1), dtype=bool) if k else None)
        cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#e8e8e8")
        # Scale to the strongest pair (to a round step), so weak patterns still show.
        strongest = float(shown.max()) if k > 1 and shown.count() else 1.0
        top = next((step for step in (0.05, 0.1, 0.2, 0.5) if strongest <= step), 1.0)
        image = ax.imshow(shown, cmap=cmap, vmin=0, vmax=top)
        fig.colorbar(image, ax=ax, shrink=0.7, label="Jaccard (units with both / with either)")
        ax.set_xticks(range(k), names, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(k), names)
        ax.tick_params(axis="both", length=0, pad=2)
        for i in range(k):
            for j in range(k):
                count = int(table.counts[i, j])
                if not count:
                    continue
                dark = i != j and table.jaccard[i, j] > 0.55 * top
                ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black",
                        fontweight="bold" if i == j else "normal")
        # A strip left of the rows and below the columns shows each code's colour.
        for i, code in enumerate(table.codes):
            ax.add_patch(Rectangle((-0.8, i - 0.35), 0.18, 0.7, color=code.colour))
            ax.add_patch(Rectangle((i - 0.35, k - 0.42), 0.7, 0.18, color=code.colour))
        ax.set_xlim(-0.85, k - 0.5)
        ax.set_ylim(k - 0.2, -0.5)
        for spine in ax.spines.values():
            spine.set_visible(False)
        within = "same segment" if table.within == "segment" else "overlapping codings"
        ax.set_title(title or f"Code co-occurrence ({within})", loc="left", fontsize=10)
        return _save(fig, target)


def agreement_chart(report: Any, target: str | Path | None = None) -> str | None:
    """Bars of Cohen's kappa (two coders) and Krippendorff's alpha per code.

    Codes whose figures are both undefined are left out; an undefined one shows as no bar.
    """
    import matplotlib

    rows = [c for c in report.codes if c.alpha is not None or c.kappa is not None]
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, max(1.8, 0.45 * len(rows) + 1.2))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        kappa = [c.kappa if c.kappa is not None else 0 for c in rows]
        alpha = [c.alpha if c.alpha is not None else 0 for c in rows]
        series = [("Krippendorff's α", "#ef6c00", -0.2, [c.alpha for c in rows])]
        if len(report.coders) == 2:
            series.insert(0, ("Cohen's κ", "#1565c0", 0.2, [c.kappa for c in rows]))
        for label, colour, shift, values in series:
            bars = ax.barh([y + shift for y in ys], [v or 0 for v in values], height=0.38,
                           color=colour, label=label)
            ax.bar_label(bars, [("undefined" if v is None else f"{v:.2f}") for v in values],
                         padding=3, fontsize=8)
        ax.set_yticks(ys, [c.code for c in rows])
        ax.axvline(0, color="#555555", linewidth=0.8)
        ax.set_xlim(min(-0.2, *kappa, *alpha) - 0.05, 1.05)
        ax.set_xlabel(f"agreement at {report.unit} level ({', '.join(report.coders)})")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        return _save(fig, target)


def svg_size(svg: str) -> tuple[str, str]:
    """Width and height attributes of an SVG root (for tests and the report)."""
    match = re.search(r'<svg[^>]*width="([^"]+)"[^>]*height="([^"]+)"', svg)
    return (match.group(1), match.group(2)) if match else ("", "")

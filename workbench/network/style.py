"""Colours and line styles shared by the figure, the GEXF and the DOT export.

Sectors get fill colours (light enough for a black label on top); tie types get line colours
and styles that read in print and in grey scale: trust solid green, collaboration solid blue,
conflict dashed red, co-mention thin grey, speaks-about dotted grey, hand-added relations
dash-dot purple. Other codes take colours from a spare list, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.network.model import CO_MENTION, SPEAKS_ABOUT

SECTOR_COLOURS = {
    "municipality": "#6baed6", "region": "#66c2a5", "hospital": "#fdae61",
    "general_practice": "#b3de69", "state": "#bebada", "political": "#ffed6f",
    "interest_organisation": "#bc80bd", "public_innovation_body": "#ccebc5",
    "knowledge_institution": "#e5c494", "private_company": "#fb8072", "foundation": "#dbdb8d",
    "civil_society": "#e78ac3", "citizen": "#fccde5", "partnership_project": "#c49c94",
    "international": "#9edae5", "unknown": "#d9d9d9",
}
SPARE_COLOURS = ("#ef6c00", "#00838f", "#ad1457", "#558b2f", "#4527a0", "#795548")


@dataclass(frozen=True)
class TieStyle:
    """How a tie type is drawn: colour, matplotlib line style, DOT style."""

    colour: str
    linestyle: str | tuple
    dot: str
    label: str


_KNOWN = {
    "trust": TieStyle("#2e7d32", "solid", "solid", "trust"),
    "tillid": TieStyle("#2e7d32", "solid", "solid", "tillid"),
    "collaboration": TieStyle("#1565c0", "solid", "solid", "collaboration"),
    "samarbejde": TieStyle("#1565c0", "solid", "solid", "samarbejde"),
    "conflict": TieStyle("#c62828", (0, (5, 3)), "dashed", "conflict"),
    "konflikt": TieStyle("#c62828", (0, (5, 3)), "dashed", "konflikt"),
    CO_MENTION: TieStyle("#a0a0a0", "solid", "solid", "co-mention"),
    SPEAKS_ABOUT: TieStyle("#a0a0a0", (0, (1, 2)), "dotted", "speaks about"),
}
_RELATION = ("#6a1b9a", (0, (6, 2, 1, 2)), "dashdotted")


def sector_colour(sector: str) -> str:
    """The fill colour of a sector ('' is unknown)."""
    return SECTOR_COLOURS.get(sector or "unknown", SECTOR_COLOURS["unknown"])


def tie_styles(tie_types: list[str], relation_kinds: set[str] | None = None
               ) -> dict[str, TieStyle]:
    """A style for each tie type, stable for a given list of types."""
    styles: dict[str, TieStyle] = {}
    spare = iter(SPARE_COLOURS * 4)
    for tie_type in tie_types:
        known = _KNOWN.get(tie_type.casefold())
        if known:
            styles[tie_type] = TieStyle(known.colour, known.linestyle, known.dot, tie_type)
        elif relation_kinds and tie_type in relation_kinds:
            colour, line, dot = _RELATION
            styles[tie_type] = TieStyle(colour, line, dot, tie_type.replace("_", " "))
        else:
            styles[tie_type] = TieStyle(next(spare), "solid", "solid", tie_type)
    return styles


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#2e7d32' -> (46, 125, 50)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)

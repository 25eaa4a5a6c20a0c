"""Quote sets as JSON: what was asked (query, filters, template) and every quote's fields."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.exporters.quotes import Layout, QuoteSet
from workbench.exporters.registry import QUOTE_FORMATS


@QUOTE_FORMATS.register("json", extensions=(".json",),
                        description="JSON: the query, its filters and every quote")
def write_json(quote_set: QuoteSet, path: Path, layout: Layout) -> None:
    """Write the set as UTF-8 JSON with Danish letters as they are."""
    data = {
        "title": quote_set.title,
        "project": quote_set.project,
        "created_at": quote_set.created_at,
        "query": quote_set.query,
        "within": quote_set.within,
        "filters": quote_set.filters,
        "citation_template": quote_set.template,
        "pseudonymised": quote_set.pseudonymised,
        "count": len(quote_set.quotes),
        "groups": [{"group": name, "quotes": [q.number for q in quotes]}
                   for name, quotes in quote_set.groups(layout.group_by)],
        "quotes": [q.to_dict() for q in quote_set.quotes],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

"""Quote sets for papers: retrieval hits with citations, codes, position and context.

:func:`build_quote_set` runs a boolean query (see :mod:`workbench.core.retrieval`), cites each
hit with the project's citation template (see :mod:`workbench.exporters.citations`), and
pseudonymises every text of it when asked. :func:`write_quote_set` hands the set to a writer
from :data:`workbench.exporters.registry.QUOTE_FORMATS` (md, tex, docx, csv, xlsx, json).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import retrieval
from workbench.core.store import Project, now
from workbench.errors import InvalidInput
from workbench.exporters import citations
from workbench.exporters.pseudonymise import Pseudonymiser
from workbench.exporters.registry import QUOTE_FORMATS

GROUPINGS = ("code", "document")

# The columns of the tabular formats (CSV, XLSX), in order.
COLUMNS = ("number", "quote", "citation", "codes", "group", "document", "start", "end",
           "label", "role", "organisation", "sector", "case", "cycle", "date", "speaker",
           "document_kind", "context_before", "context_after")


@dataclass(frozen=True)
class Quote:
    """One quote of a set, ready to print.

    Attributes:
        number: 1-based, in document order.
        text: the quote.
        citation: the rendered citation template.
        codes: every code on the quote's span.
        group: the codes of the query on the quote ("trust + conflict"), the heading it
            goes under when grouped by code.
        document, document_id, document_kind, start, end: where it is (code points).
        label, role, organisation, sector: the participant quoted (the speaker's, else the
            document's).
        case, cycle, date: the document's.
        speaker: the speaker label of the turn the quote starts in.
        before, after: context (empty unless asked for); ``more_before``/``more_after``
            tell whether the text goes on beyond it.
    """

    number: int
    text: str
    citation: str
    codes: tuple[str, ...]
    group: str
    document: str
    document_id: int
    document_kind: str
    start: int
    end: int
    label: str | None = None
    role: str | None = None
    organisation: str | None = None
    sector: str | None = None
    case: str | None = None
    cycle: int | None = None
    date: str | None = None
    speaker: str | None = None
    before: str = ""
    after: str = ""
    more_before: bool = False
    more_after: bool = False

    def row(self) -> dict[str, Any]:
        """The quote as one row of :data:`COLUMNS`."""
        data = dataclasses.asdict(self)
        data["quote"] = self.text
        data["codes"] = "; ".join(self.codes)
        data["context_before"] = self.before
        data["context_after"] = self.after
        return {c: data[c] for c in COLUMNS}

    def to_dict(self) -> dict[str, Any]:
        """The quote as plain data for JSON."""
        data = dataclasses.asdict(self)
        data["codes"] = list(self.codes)
        return data


@dataclass
class QuoteSet:
    """The quotes of one query, with what was asked, for the writers."""

    query: str
    within: str
    template: str
    quotes: list[Quote]
    filters: dict[str, Any] = field(default_factory=dict)
    pseudonymised: bool = False
    replaced: dict[str, int] = field(default_factory=dict)
    project: str = ""
    created_at: str = ""
    title: str = ""

    def groups(self, by: str = "code") -> list[tuple[str, list[Quote]]]:
        """The quotes under headings: per code combination ("code") or per document.

        Each quote appears once. Single codes come before combinations, each in the order
        its first quote has in the document order.
        """
        if by not in GROUPINGS:
            raise InvalidInput(f"'{by}' is not a way to group quotes; use code or document.")
        order: dict[str, list[Quote]] = {}
        for quote in self.quotes:
            key = quote.group if by == "code" else quote.document
            order.setdefault(key, []).append(quote)
        if by == "document":
            return list(order.items())
        return sorted(order.items(), key=lambda kv: (kv[0].count(" + "), kv[1][0].number))

    def describe_filters(self) -> str:
        """The filters as one line ("sector: municipality · cycle: 2")."""
        parts = []
        for key, value in self.filters.items():
            if value in (None, "", (), []):
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
            parts.append(f"{key}: {shown}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Layout:
    """How a writer lays the set out.

    Attributes:
        group_by: "code" (a heading per code combination) or "document" (document order).
        standalone: LaTeX only: a whole document with preamble, not a fragment to \\input.
    """

    group_by: str = "code"
    standalone: bool = False


def _participants(project: Project) -> dict[str, dict[str, Any]]:
    return {r["label"]: r for r in project.rows(
        "SELECT label, role, organisation, sector FROM participants")}


def build_quote_set(project: Project, query: str, *, within: str = "overlap",
                    context: int = 0, template: str | None = None,
                    pseudonymiser: Pseudonymiser | None = None, **filters: Any) -> QuoteSet:
    """Retrieve the passages matching ``query`` and turn them into cited quotes.

    Args:
        project: the open project.
        query: a boolean query over codes ("trust AND conflict").
        within: "overlap" or "segment", as for :func:`workbench.core.retrieval.retrieve`.
        context: characters of context on each side (0: none).
        template: the citation template; default: the project's setting
            ``citation_template``, else :data:`citations.DEFAULT_TEMPLATE`.
        pseudonymiser: when given, applied to every text of the set (quote, context,
            citation, document name, speaker).
        **filters: case, cycle, kind, sector, role, participant, coder, document (as for
            ``retrieve``).

    Raises:
        InvalidInput, NotFoundError: from the query, the filters or the template.
    """
    template = citations.template_for(project.setting(citations.SETTING), template)
    parts = citations.parse_template(template)
    hits = retrieval.retrieve(project, query, within=within, context=context,
                              all_codes=True, **filters)
    named = retrieval.retrieve(project, query, within=within, context=0, **filters)
    # Both calls find the same spans; the second tells which of the query's codes each has.
    query_codes = {(h.document_id, h.start, h.end): h.codes for h in named}
    people = _participants(project)
    quotes = []
    pseudo = pseudonymiser.apply if pseudonymiser else (lambda text: text)
    for number, hit in enumerate(hits, start=1):
        person = people.get(hit.participant or "", {})
        values = {"label": hit.participant, "role": hit.role,
                  "organisation": person.get("organisation"), "sector": hit.sector,
                  "case": hit.case, "cycle": hit.cycle, "document": hit.document,
                  "date": hit.date, "speaker": hit.speaker}
        group = " + ".join(query_codes.get((hit.document_id, hit.start, hit.end), hit.codes))
        quotes.append(Quote(
            number=number, text=pseudo(hit.text), citation=pseudo(
                citations.render(parts, values)),
            codes=hit.codes, group=group, document=pseudo(hit.document),
            document_id=hit.document_id, document_kind=hit.document_kind, start=hit.start,
            end=hit.end, label=hit.participant, role=pseudo(hit.role),
            organisation=pseudo(person.get("organisation")), sector=hit.sector,
            case=pseudo(hit.case), cycle=hit.cycle, date=hit.date,
            speaker=pseudo(hit.speaker), before=pseudo(hit.before) or "",
            after=pseudo(hit.after) or "", more_before=hit.more_before,
            more_after=hit.more_after))
    shown_filters = {k: list(v) if isinstance(v, (list, tuple)) else v
                     for k, v in filters.items() if v not in (None, "", (), [])}
    return QuoteSet(
        query=query, within=within, template=template, quotes=quotes, filters=shown_filters,
        pseudonymised=pseudonymiser is not None,
        replaced=dict(pseudonymiser.replaced) if pseudonymiser else {},
        project=project.setting("project_name") or project.path.stem, created_at=now(),
        title=f"Quotes: {query}")


def write_quote_set(quote_set: QuoteSet, path: str | Path, *, format_name: str | None = None,
                    layout: Layout | None = None) -> str:
    """Write a quote set with the format named (or the one the extension says).

    Returns:
        The name of the format written.

    Raises:
        InvalidInput: unknown format, or a folder that does not exist.
    """
    path = Path(path)
    fmt = QUOTE_FORMATS.for_path(path, format_name)
    if not path.parent.exists():
        raise InvalidInput(f"The folder {path.parent} does not exist; create it first or "
                           "write the quotes elsewhere.")
    fmt.writer(quote_set, path, layout or Layout())
    return fmt.name


def quote_texts(quote_set: QuoteSet) -> Iterable[str]:
    """Every text of the set a reader sees (for checks that no original is left)."""
    for quote in quote_set.quotes:
        for value in dataclasses.asdict(quote).values():
            if isinstance(value, str):
                yield value

"""Read-side adapters: the few queries the screens need that the core does not offer as such.

They only read. Every change goes through a core function. When the core grows a function
for one of these (the stakeholder and analysis layers are being written alongside), the
adapter switches over and the screens stay as they are.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from workbench.core import codings as codings_core
from workbench.core import documents as documents_core
from workbench.core import suggestions as suggestions_core
from workbench.core.store import Project
from workbench.tui.widgets.transcript import CodingMark, SuggestionMark


def coding_marks(project: Project, document_id: int) -> list[CodingMark]:
    """The codings of one document, as the transcript view draws them."""
    return [CodingMark(r["id"], r["start"], r["end"], r["code_id"], r["coder"], r["memo"],
                       r["origin"])
            for r in codings_core.list_codings(project, document=document_id, with_text=False)]


def segment_rows(project: Project, document_id: int) -> list[dict[str, Any]]:
    """The segments of a document with just what the transcript view lays out."""
    return project.rows(
        'SELECT id, start, "end", kind, speaker, start_time FROM segments '
        "WHERE document_id = ? ORDER BY ordinal", (document_id,))


def suggestion_marks(project: Project, document_id: int) -> list[SuggestionMark]:
    """The open suggestions of one document (the view finds the evidence words when drawn)."""
    return [SuggestionMark(row["id"], row["start"], row["end"], row["code_id"],
                           float(row["score"] or 0), tuple(row["evidence"]),
                           tuple(suggestions_core.evidence_words(row["evidence"])))
            for row in suggestions_core.list_suggestions(project, document=document_id,
                                                         with_text=False)]


def code_counts(project: Project, document_id: int | None) -> tuple[dict[int, int],
                                                                     dict[int, int]]:
    """Codings per code in the whole project, and in one document."""
    totals = {r[0]: r[1] for r in project.conn.execute(
        "SELECT code_id, COUNT(*) FROM codings GROUP BY code_id")}
    here: dict[int, int] = {}
    if document_id is not None:
        here = {r[0]: r[1] for r in project.conn.execute(
            "SELECT code_id, COUNT(*) FROM codings WHERE document_id = ? GROUP BY code_id",
            (document_id,))}
    return totals, here


def documents_overview(project: Project) -> list[dict[str, Any]]:
    """Documents with kind, case, cycle, participant, words and the share coded (percent)."""
    rows = documents_core.list_documents(project)
    for row in rows:
        row["coded_pct"] = round(100 * documents_core.coded_share(project, row["id"]), 1)
    return rows


def project_summary(project: Project) -> dict[str, int]:
    """Counts for the project screen's summary line."""
    one = project.conn.execute
    return {
        "documents": one("SELECT COUNT(*) FROM documents").fetchone()[0],
        "words": one("SELECT COALESCE(SUM(word_count), 0) FROM documents").fetchone()[0],
        "codes": one("SELECT COUNT(*) FROM codes").fetchone()[0],
        "codings": one("SELECT COUNT(*) FROM codings").fetchone()[0],
        "memos": one("SELECT COUNT(*) FROM memos").fetchone()[0],
        "suggestions": one("SELECT COUNT(*) FROM suggestions WHERE status = 'open'"
                           ).fetchone()[0],
    }


def optional_module(name: str) -> Any | None:
    """Import a module another part of the project provides, or None while it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


NONE_LABEL = "(none)"
REVIEW_DIMENSIONS = ("document", "participant", "role", "sector", "case", "cycle", "coder")
REVIEW_MEASURES = ("codings", "documents", "participants", "coverage")


@dataclass
class FrequencyMatrix:
    """Codes (rows, in codebook order) by the values of one dimension (columns).

    Each row has id, name, colour, depth, ``total`` and ``counts`` (column label -> number);
    coverage is a share (0..1), the other measures are counts.
    """

    by: str
    measure: str
    values: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def column(self, value: str | None) -> list[tuple[dict[str, Any], float]]:
        """Each code with its number in one column (None: the totals)."""
        if value is None:
            return [(row, row["total"]) for row in self.rows]
        return [(row, row["counts"].get(value, 0)) for row in self.rows]


def _value_label(by: str, value: Any) -> str:
    if value is None or value == "":
        return NONE_LABEL
    if by == "cycle":
        return f"cycle {value}"
    return str(value).replace("_", " ") if by == "sector" else str(value)


def frequency_matrix(project: Project, by: str, measure: str = "codings") -> FrequencyMatrix:
    """Code frequencies from the analysis layer, shaped as a table of codes by values."""
    from workbench.analysis.frequencies import frequencies

    overall = frequencies(project)
    broken = frequencies(project, by=by)
    depth = {info.id: info.depth for info in overall.codes}
    matrix = FrequencyMatrix(by=by, measure=measure)
    seen: dict[str, tuple] = {}
    counts: dict[int, dict[str, Any]] = {}
    for row in broken.rows:
        label = _value_label(by, row.get(by))
        raw = row.get(by)
        seen.setdefault(label, (raw is None, raw if isinstance(raw, int) else 0,
                                label.casefold()))
        counts.setdefault(row["code_id"], {})[label] = row[measure]
    matrix.values = sorted(seen, key=lambda v: seen[v])
    for row in overall.rows:
        matrix.rows.append({"id": row["code_id"], "name": row["code"], "colour": row["colour"],
                            "depth": depth.get(row["code_id"], 0), "total": row[measure],
                            "counts": counts.get(row["code_id"], {})})
    return matrix

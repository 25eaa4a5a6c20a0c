"""Reviewing code suggestions: list them, accept one (it becomes a coding) or reject it.

Suggestions are written by the tagging and assisted-coding layers into the ``suggestions``
table; this module is where a researcher's decision about one is recorded. Accepting stores a
coding with origin "suggestion" and marks the suggestion accepted in one undoable step, so a
single undo takes both back.
"""

from __future__ import annotations

import json
import re
from typing import Any

from workbench.core import codings
from workbench.core.documents import get_document
from workbench.core.store import Project, now
from workbench.errors import DuplicateError, InvalidInput, NotFoundError

STATUSES = ("open", "accepted", "rejected")

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def _decode(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def evidence_spans(text: str, start: int, end: int, evidence: Any) -> list[tuple[int, int]]:
    """Where the evidence of a suggestion lies in the document text.

    Evidence may be given as offsets (``[start, end]`` pairs or dicts with ``start``/``end``)
    or as words and lemmas; words are found inside the suggested span, a lemma matching the
    start of a longer word ("tillid" in "tilliden"), letter case ignored.

    Returns:
        Sorted, non-overlapping (start, end) spans inside the document.
    """
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for item in _decode(evidence):
        if isinstance(item, dict):
            if isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
                spans.append((item["start"], item["end"]))
                continue
            for key in ("surface", "text", "word", "lemma", "indicator"):
                if isinstance(item.get(key), str):
                    words.append(item[key])
                    break
        elif isinstance(item, (list, tuple)) and len(item) == 2 \
                and all(isinstance(v, int) for v in item):
            spans.append((int(item[0]), int(item[1])))
        elif isinstance(item, str):
            words.append(item)
    if words:
        wanted = [w.casefold().rstrip("*").split() for w in words if w.strip()]
        tokens = [(m.start(), m.end(), m.group().casefold())
                  for m in _WORD.finditer(text, start, end)]
        for parts in wanted:
            n = len(parts)
            for i in range(len(tokens) - n + 1):
                if all(tokens[i + k][2].startswith(parts[k]) for k in range(n)):
                    spans.append((tokens[i][0], tokens[i + n - 1][1]))
    spans = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def evidence_words(evidence: Any) -> list[str]:
    """The evidence as words a reader can see (offset-only evidence gives no words)."""
    out: list[str] = []
    for item in _decode(evidence):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for key in ("surface", "text", "word", "lemma", "indicator"):
                if isinstance(item.get(key), str):
                    out.append(item[key])
                    break
    return list(dict.fromkeys(out))


def list_suggestions(project: Project, *, document: str | int | None = None,
                     status: str | None = "open", code: str | int | None = None,
                     with_text: bool = True, include_coded: bool = False
                     ) -> list[dict[str, Any]]:
    """Suggestions with their code, in document order.

    Args:
        document: only this document (name or id).
        status: open, accepted or rejected; None for all.
        code: only suggestions of this code (name or id).
        with_text: include ``text``, the suggested passage (slower for long documents).
        include_coded: also list open suggestions whose passage already carries the code
            (left out by default: the researcher has made that decision already).

    Each row has the table's columns plus ``code``, ``colour``, ``document``, ``text`` (unless
    left out) and ``evidence`` decoded to a list.
    """
    where, params = [], []
    if document is not None:
        where.append("s.document_id = ?")
        params.append(get_document(project, document).id)
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(f"'{status}' is not a suggestion status; use "
                               f"{', '.join(STATUSES)}.")
        where.append("s.status = ?")
        params.append(status)
        if status == "open" and not include_coded:
            where.append('NOT EXISTS (SELECT 1 FROM codings k WHERE k.code_id = s.code_id '
                         'AND k.document_id = s.document_id AND k.start < s."end" '
                         'AND k."end" > s.start)')
    if code is not None:
        from workbench.core.codebook import get_code

        where.append("s.code_id = ?")
        params.append(get_code(project, code).id)
    text_column = ', SUBSTR(d.text, s.start + 1, s."end" - s.start) AS text' if with_text \
        else ""
    rows = project.rows(
        f"""SELECT s.*, c.name AS code, c.colour, d.name AS document {text_column}
            FROM suggestions s JOIN codes c ON c.id = s.code_id
            JOIN documents d ON d.id = s.document_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY d.name, s.start, s."end", c.name""", params)
    for row in rows:
        row["evidence"] = _decode(row["evidence"])
    return rows


def _open_suggestion(project: Project, suggestion_id: int) -> dict[str, Any]:
    row = project.conn.execute(
        "SELECT s.*, c.name AS code FROM suggestions s JOIN codes c ON c.id = s.code_id "
        "WHERE s.id = ?", (suggestion_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No suggestion {suggestion_id} in {project.path.name}; it may "
                            "have been removed by a new tagging run.")
    if row["status"] != "open":
        raise InvalidInput(f"Suggestion {suggestion_id} ({row['code']}) was already "
                           f"{row['status']}; undo that decision to change it.")
    return dict(row)


def accept_suggestion(project: Project, suggestion_id: int, *, coder: str | None = None) -> int:
    """Turn a suggestion into a coding (origin "suggestion") and mark it accepted.

    Both happen in one undoable step. If the coder already coded exactly this passage with
    this code, that coding is kept and the suggestion is only marked accepted.

    Returns:
        The id of the coding that now holds the suggestion.
    """
    row = _open_suggestion(project, suggestion_id)
    coder = coder or project.coder
    with project.step("suggestion.accept",
                      f"accept suggestion {suggestion_id} ({row['code']})", who=coder):
        try:
            coding_id = codings.add_coding(project, row["document_id"], row["start"],
                                           row["end"], row["code_id"], coder=coder,
                                           origin="suggestion")
        except DuplicateError:
            coding_id = project.conn.execute(
                'SELECT id FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                "AND code_id = ? AND coder = ?",
                (row["document_id"], row["start"], row["end"], row["code_id"], coder)
            ).fetchone()[0]
        project.update("suggestions", suggestion_id,
                       {"status": "accepted", "decided_by": coder, "decided_at": now()})
    return coding_id


def reject_suggestion(project: Project, suggestion_id: int, *, coder: str | None = None) -> None:
    """Mark a suggestion rejected (one undoable step); no coding is made."""
    row = _open_suggestion(project, suggestion_id)
    coder = coder or project.coder
    with project.step("suggestion.reject",
                      f"reject suggestion {suggestion_id} ({row['code']})", who=coder):
        project.update("suggestions", suggestion_id,
                       {"status": "rejected", "decided_by": coder, "decided_at": now()})

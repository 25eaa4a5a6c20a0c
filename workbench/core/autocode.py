"""Autocoding: find passages by keyword, regular expression or speaker and code them in one step.

Finding is separate from applying so a dry run can show the hits first. Keyword matching is by
word form here; the CLI passes a lemmatiser from the NLP layer when it is available, so that
"konflikt" also finds "konflikterne".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workbench.core import codebook
from workbench.core.codings import _ensure_coder
from workbench.core.documents import get_document
from workbench.core.spans import project_sentences, snap_word
from workbench.core.store import Project, now
from workbench.errors import InvalidInput

# A lemmatiser maps a text to (start, end, lemma) for each token.
Lemmatiser = Callable[[str], Iterable[tuple[int, int, str]]]
SCOPES = ("match", "segment", "sentence", "window")


@dataclass
class Hit:
    """A passage found for autocoding."""

    document_id: int
    document: str
    start: int
    end: int
    matched: str


def _documents(project: Project, document: str | int | None) -> list[tuple[int, str, str]]:
    if document is not None:
        doc = get_document(project, document)
        return [(doc.id, doc.name, doc.text)]
    return [(r["id"], r["name"], r["text"])
            for r in project.rows("SELECT id, name, text FROM documents ORDER BY name")]


def _keyword_regex(keywords: list[str]) -> re.Pattern[str]:
    parts = []
    for word in keywords:
        word = word.strip()
        if not word:
            continue
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word))
    if not parts:
        raise InvalidInput("Give at least one keyword.")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def keyword_hits(project: Project, keywords: list[str], *, document: str | int | None = None,
                 lemmatiser: Lemmatiser | None = None) -> list[Hit]:
    """Hits for keywords: by lemma when a lemmatiser is given, else by word form.

    A keyword ending in * matches any word beginning with it (compounds: "tillid*").
    """
    hits = []
    if lemmatiser is None:
        pattern = _keyword_regex(keywords)
        for doc_id, name, text in _documents(project, document):
            hits.extend(Hit(doc_id, name, m.start(), m.end(), m.group())
                        for m in pattern.finditer(text))
        return hits
    exact = {k.lower() for k in keywords if not k.endswith("*")}
    prefixes = tuple(k[:-1].lower() for k in keywords if k.endswith("*"))
    for doc_id, name, text in _documents(project, document):
        for start, end, lemma in lemmatiser(text):
            form = text[start:end].lower()
            lemma = lemma.lower()
            if lemma in exact or form in exact or (prefixes and (
                    lemma.startswith(prefixes) or form.startswith(prefixes))):
                hits.append(Hit(doc_id, name, start, end, text[start:end]))
    return hits


def regex_hits(project: Project, pattern: str, *, document: str | int | None = None,
               ignore_case: bool = True) -> list[Hit]:
    """Hits for a regular expression (Python syntax)."""
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise InvalidInput(f"'{pattern}' is not a valid regular expression ({exc}).") from exc
    hits = []
    for doc_id, name, text in _documents(project, document):
        hits.extend(Hit(doc_id, name, m.start(), m.end(), m.group())
                    for m in regex.finditer(text) if m.end() > m.start())
    return hits


def speaker_hits(project: Project, *, speaker: str | None = None, role: str | None = None,
                 document: str | int | None = None) -> list[Hit]:
    """Every turn spoken by a speaker label, or by participants with a role."""
    if not speaker and not role:
        raise InvalidInput("Give --speaker LABEL or --role ROLE.")
    where, params = ["1 = 1"], []
    if speaker:
        where.append("(s.speaker = ? COLLATE NOCASE OR p.label = ? COLLATE NOCASE)")
        params += [speaker, speaker]
    if role:
        where.append("p.role LIKE ?")
        params.append(f"%{role}%")
    if document is not None:
        where.append("s.document_id = ?")
        params.append(get_document(project, document).id)
    rows = project.rows(
        f"""SELECT s.document_id, d.name, s.start, s."end", COALESCE(p.label, s.speaker) AS who
            FROM segments s JOIN documents d ON d.id = s.document_id
            LEFT JOIN participants p ON p.id = s.participant_id
            WHERE s.kind = 'turn' AND {" AND ".join(where)} ORDER BY d.name, s.start""", params)
    return [Hit(r["document_id"], r["name"], r["start"], r["end"], r["who"]) for r in rows
            if r["end"] > r["start"]]


def expand(project: Project, hits: list[Hit], scope: str = "match", window: int = 0
           ) -> list[Hit]:
    """Widen hits to their segment, sentence or a character window, merging duplicates."""
    if scope not in SCOPES:
        raise InvalidInput(f"'{scope}' is not a scope; use {', '.join(SCOPES)}.")
    texts: dict[int, str] = {}
    sentences: dict[int, list[tuple[int, int]]] = {}
    out: dict[tuple[int, int, int], Hit] = {}
    for hit in hits:
        start, end = hit.start, hit.end
        if scope == "segment":
            row = project.conn.execute(
                'SELECT start, "end" FROM segments WHERE document_id = ? AND start <= ? '
                'AND "end" >= ? ORDER BY "end" - start LIMIT 1',
                (hit.document_id, hit.start, hit.end)).fetchone()
            if row:
                start, end = row
        elif scope == "sentence":
            if hit.document_id not in sentences:
                text = texts.setdefault(hit.document_id, project.conn.execute(
                    "SELECT text FROM documents WHERE id = ?", (hit.document_id,)).fetchone()[0])
                sentences[hit.document_id] = project_sentences(project, hit.document_id, text)
            for s, e in sentences[hit.document_id]:
                if s <= hit.start < e:
                    start, end = s, max(e, hit.end)
                    break
        elif scope == "window":
            text = texts.setdefault(hit.document_id, project.conn.execute(
                "SELECT text FROM documents WHERE id = ?", (hit.document_id,)).fetchone()[0])
            start, end = snap_word(text, max(0, hit.start - window),
                                   min(len(text), hit.end + window))
        key = (hit.document_id, start, end)
        if key not in out:
            out[key] = Hit(hit.document_id, hit.document, start, end, hit.matched)
    return sorted(out.values(), key=lambda h: (h.document, h.start))


def apply(project: Project, hits: list[Hit], code: str | int, *, coder: str | None = None,
          description: str = "") -> tuple[int, int]:
    """Code every hit in one undoable step; hits this coder already coded are skipped.

    Returns:
        (codings added, hits skipped as already coded).
    """
    code_row = codebook.get_code(project, code)
    coder = coder or project.coder
    added = skipped = 0
    with project.step("coding.autocode", f"autocode {len(hits)} passage(s) as {code_row.name}"
                      + (f" ({description})" if description else ""), who=coder):
        _ensure_coder(project, coder)
        created = now()
        for hit in hits:
            exists = project.conn.execute(
                'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
                "AND code_id = ? AND coder = ?",
                (hit.document_id, hit.start, hit.end, code_row.id, coder)).fetchone()
            if exists:
                skipped += 1
                continue
            project.insert("codings", {
                "document_id": hit.document_id, "start": hit.start, "end": hit.end,
                "code_id": code_row.id, "coder": coder, "created_at": created, "memo": "",
                "origin": "autocode"})
            added += 1
    return added, skipped

"""Tag a project: run the Danish pipeline over its documents and store what it finds.

Tagging is incremental: ``tagged_documents`` remembers the sha256 of each document's text and
the id of the pipeline that tagged it, so a second run tags only new documents, documents whose
text changed, and everything when the pipeline changed (another model, gazetteer or codes).
Each document's results replace its old ones in one transaction, so an interrupted run leaves
every document either fully tagged or as it was.

Progress is a generator of :class:`TagEvent` values for the CLI's bar and the TUI's worker.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.core.documents import INFORMANT_LABELS, INTERVIEWER_LABELS
from workbench.core.store import Project, new_guid, now
from workbench.nlp.analysis import DocAnalysis, LemmaWords, Resolver, analyse, sentences
from workbench.nlp.gazetteer import Entry, default_gazetteer
from workbench.nlp.indicators import CodeSpec, code_specs_from_rows
from workbench.nlp.pipeline import MODEL_SETTING, PipelineSpec, get_pipeline, resolve_model_name

HOME_SETTING = "home_stakeholders"


@dataclass
class TagEvent:
    """One step of a tagging run.

    ``status`` is "start" (``total`` documents to tag), "tagged" (one document done) or "done"
    (``counts`` holds the summary).
    """

    status: str
    index: int
    total: int
    document: str | None = None
    words: int = 0
    counts: dict[str, Any] = field(default_factory=dict)


def text_sha(text: str) -> str:
    """The sha256 of a document's stored text (what tagged_documents compares)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def project_codes(project: Project) -> list[CodeSpec]:
    """The project's codes that have indicators, in codebook order."""
    rows = project.rows("SELECT id, name, indicators, exclusions FROM codes "
                        "ORDER BY parent_id IS NOT NULL, ordinal, id")
    return code_specs_from_rows(rows)


def project_entries(project: Project) -> list[Entry]:
    """The researcher's own gazetteer: stakeholders she added, renamed or merged (with aliases)."""
    out = []
    for row in project.rows("SELECT name, kind, sector, aliases, source FROM stakeholders "
                            "WHERE source IN ('user', 'manual') OR aliases != '[]'"):
        aliases = tuple(json.loads(row["aliases"] or "[]"))
        out.append(Entry(name=row["name"], sector=row["sector"], kind=row["kind"],
                         aliases=aliases, source="user"))
    return out


def known_names(project: Project) -> list[str]:
    """Real names the project knows: participants' real names and named transcript speakers."""
    names = {r["real_name"] for r in project.rows(
        "SELECT real_name FROM participants WHERE real_name IS NOT NULL AND real_name != ''")}
    labels = {r["label"] for r in project.rows("SELECT label FROM participants")}
    for row in project.rows("SELECT DISTINCT speaker FROM segments WHERE speaker IS NOT NULL"):
        speaker = row["speaker"].strip()
        if (speaker.lower() not in INTERVIEWER_LABELS | INFORMANT_LABELS
                and speaker not in labels and " " in speaker
                and all(w[:1].isupper() for w in speaker.split())):
            names.add(speaker)
    return sorted(names)


def home_stakeholders(project: Project) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The project's home stakeholders by sector, and each case's own (which win)."""
    project_home = project.setting(HOME_SETTING, {}) or {}
    per_case = {}
    for row in project.rows("SELECT id, attributes FROM cases"):
        attrs = json.loads(row["attributes"] or "{}")
        if isinstance(attrs.get(HOME_SETTING), dict):
            per_case[row["id"]] = attrs[HOME_SETTING]
    return dict(project_home), per_case


def project_spec(project: Project, model: str | None = None) -> PipelineSpec:
    """The pipeline a project is tagged with: its codes, gazetteer entries and model setting."""
    project_home, case_home = home_stakeholders(project)
    return PipelineSpec(
        home={"project": project_home, "cases": {str(k): v for k, v in case_home.items()}},
        gazetteer=default_gazetteer(project_entries(project)),
        codes=tuple(project_codes(project)),
        model=resolve_model_name(project.setting(MODEL_SETTING), model),
        known_names=tuple(known_names(project)),
    )


def _documents_to_tag(project: Project, pipeline_id: str, force: bool) -> list[dict[str, Any]]:
    done = {r["document_id"]: r for r in project.rows("SELECT * FROM tagged_documents")}
    todo = []
    for row in project.rows("SELECT id, name, text, case_id, word_count FROM documents "
                            "ORDER BY id"):
        sha = text_sha(row["text"])
        old = done.get(row["id"])
        if force or old is None or old["text_sha256"] != sha or old["pipeline"] != pipeline_id:
            todo.append({"id": row["id"], "name": row["name"], "case_id": row["case_id"],
                         "words": row["word_count"], "sha": sha,
                         "text_changed": old is not None and old["text_sha256"] != sha})
    return todo


class _StakeholderIndex:
    """Canonical name -> stakeholder row id, creating suggested rows for new ones."""

    def __init__(self, project: Project):
        self.project = project
        self.ids: dict[str, int] = {}
        self.rejected: set[int] = set()
        for row in project.rows("SELECT id, name, aliases, status FROM stakeholders"):
            self.ids.setdefault(row["name"], row["id"])
            self.ids.setdefault(row["name"].casefold(), row["id"])
            for alias in json.loads(row["aliases"] or "[]"):
                self.ids.setdefault(alias, row["id"])
                self.ids.setdefault(alias.casefold(), row["id"])
            if row["status"] == "rejected":
                self.rejected.add(row["id"])
        self.created = 0

    def id_for(self, canonical: str, sector: str, kind: str, how: str) -> int | None:
        sid = self.ids.get(canonical) or self.ids.get(canonical.casefold())
        if sid is None:
            source = {"pattern": "pattern", "model": "model"}.get(how, "gazetteer")
            sid = self.project.insert("stakeholders", {
                "name": canonical, "kind": kind, "sector": sector, "aliases": "[]",
                "status": "suggested", "source": source})
            self.ids[canonical] = self.ids[canonical.casefold()] = sid
            self.created += 1
        return None if sid in self.rejected else sid


def _store(project: Project, item: dict[str, Any], result: DocAnalysis,
           segment_lemmas: list[tuple[int, str]], index: _StakeholderIndex,
           code_ids: dict[str, int], pipeline_id: str) -> dict:
    """Replace one document's tagging results, in one transaction."""
    doc_id = item["id"]
    stamp = now()
    counts = {"mentions": 0, "suggestions": 0, "personal_data": 0, "sentences": 0}
    with project.atomic():
        conn = project.conn
        for table in ("sentences", "mentions", "personal_data"):
            conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
        if item["text_changed"]:
            conn.execute("DELETE FROM suggestions WHERE document_id = ? AND origin = 'indicator'",
                         (doc_id,))
        else:
            conn.execute("DELETE FROM suggestions WHERE document_id = ? AND origin = 'indicator' "
                         "AND status = 'open'", (doc_id,))
        decided = {(r[0], r[1], r[2]) for r in conn.execute(
            'SELECT start, "end", code_id FROM suggestions WHERE document_id = ? '
            "AND origin = 'indicator'", (doc_id,))}
        conn.executemany('INSERT INTO sentences (document_id, start, "end") VALUES (?, ?, ?)',
                         [(doc_id, s, e) for s, e in result.sentences])
        counts["sentences"] = len(result.sentences)
        mention_rows = []
        for m in result.mentions:
            sid = index.id_for(m.canonical, m.sector, m.kind, m.how)
            if sid is not None:
                mention_rows.append((new_guid(), doc_id, sid, m.start, m.end, m.surface))
        conn.executemany('INSERT INTO mentions (guid, document_id, stakeholder_id, start, "end", '
                         "surface) VALUES (?, ?, ?, ?, ?, ?)", mention_rows)
        counts["mentions"] = len(mention_rows)
        suggestion_rows = []
        for s in result.suggestions:
            code_id = code_ids.get(s.code)
            if code_id is None or (s.start, s.end, code_id) in decided:
                continue
            suggestion_rows.append((new_guid(), doc_id, s.start, s.end, code_id, "indicator",
                                    s.score, json.dumps(s.evidence, ensure_ascii=False), stamp))
        conn.executemany(
            'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, score, '
            "evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", suggestion_rows)
        counts["suggestions"] = len(suggestion_rows)
        conn.executemany('INSERT INTO personal_data (guid, document_id, start, "end", kind, '
                         "surface) VALUES (?, ?, ?, ?, ?, ?)",
                         [(new_guid(), doc_id, p["start"], p["end"], p["kind"], p["text"])
                          for p in result.personal_data])
        counts["personal_data"] = len(result.personal_data)
        # Delete (a trigger takes the rows out of the search index), insert, index.
        conn.execute("DELETE FROM segment_lemmas WHERE segment_id IN "
                     "(SELECT id FROM segments WHERE document_id = ?)", (doc_id,))
        conn.executemany("INSERT INTO segment_lemmas (segment_id, lemmas) VALUES (?, ?)",
                         segment_lemmas)
        conn.execute("INSERT INTO segment_lemma_search (rowid, lemmas) SELECT segment_id, lemmas "
                     "FROM segment_lemmas WHERE segment_id IN "
                     "(SELECT id FROM segments WHERE document_id = ?)", (doc_id,))
        conn.execute(
            "INSERT INTO tagged_documents (document_id, text_sha256, pipeline, tagged_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET "
            "text_sha256 = excluded.text_sha256, pipeline = excluded.pipeline, "
            "tagged_at = excluded.tagged_at", (doc_id, item["sha"], pipeline_id, stamp))
    return counts


def _with_texts(project: Project, items: list[dict[str, Any]]):
    """Each item with its text and segment bounds, read when needed (not all at once)."""
    for item in items:
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (item["id"],)).fetchone()[0]
        segments = project.conn.execute(
            'SELECT id, start, "end" FROM segments WHERE document_id = ? ORDER BY start',
            (item["id"],)).fetchall()
        yield text, {**item, "segments": [tuple(s) for s in segments]}


def _results(texts, nlp, resolver: Resolver, batch_size: int):
    """Run the pipeline and turn each doc into plain results (item, analysis, lemma text)."""
    for doc, item in nlp.pipe(texts, as_tuples=True, batch_size=batch_size):
        result = analyse(doc, resolver, home=item["case_home"], sents=sentences(doc))
        words = LemmaWords(doc)
        segment_lemmas = [(sid, words.between(start, end))
                          for sid, start, end in item["segments"]]
        yield item, result, segment_lemmas


# The pipeline a forked worker uses: set in the parent just before the pool forks, so the
# children share it (and the lemma table) without pickling it.
_WORKER: dict[str, Any] = {}


def _work(batch: list[tuple[str, dict[str, Any]]]) -> list:
    return list(_results(batch, _WORKER["nlp"], _WORKER["resolver"], len(batch)))


def _pooled_results(project: Project, todo: list[dict[str, Any]], nlp, resolver: Resolver,
                    batch_size: int, n_process: int):
    """Results from ``n_process`` forked workers, in document order; this process stores."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: one process it is
        yield from _results(_with_texts(project, todo), nlp, resolver, batch_size)
        return
    # Read every text first: the pool feeds tasks from a thread, and this connection must
    # only be used by the thread that stores the results.
    pairs = list(_with_texts(project, todo))
    chunk = max(1, min(batch_size, len(pairs) // (n_process * 4) or 1))
    batches = [pairs[i:i + chunk] for i in range(0, len(pairs), chunk)]
    _WORKER.update(nlp=nlp, resolver=resolver)
    try:
        with context.Pool(n_process) as pool:
            for results in pool.imap(_work, batches):
                yield from results
    finally:
        _WORKER.clear()


def tag_project(project: Project, *, model: str | None = None, batch_size: int = 16,
                force: bool = False, n_process: int = 1) -> Iterator[TagEvent]:
    """Tag every new or changed document of ``project``, yielding progress events.

    Args:
        project: the open project.
        model: a trained spaCy pipeline to use instead of the project setting or environment.
        batch_size: documents per ``nlp.pipe`` batch.
        force: tag every document again, even unchanged ones.
        n_process: worker processes (forked, sharing the built pipeline); 1 runs the
            pipeline in this process. Use more than 1 only from a single-threaded program.

    Raises:
        WorkbenchError: the named model is not installed.
    """
    started = time.perf_counter()
    spec = project_spec(project, model)
    pipeline_id = spec.pipeline_id()
    todo = _documents_to_tag(project, pipeline_id, force)
    total_docs = project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    yield TagEvent("start", 0, len(todo), counts={"pipeline": pipeline_id,
                                                  "unchanged": total_docs - len(todo)})
    totals = {"documents": 0, "words": 0, "mentions": 0, "suggestions": 0, "personal_data": 0,
              "sentences": 0, "unchanged": total_docs - len(todo), "pipeline": pipeline_id}
    if todo:
        nlp = get_pipeline(spec)
        resolver = Resolver(spec.gazetteer)
        project_home, case_home = home_stakeholders(project)
        resolver.home = project_home
        index = _StakeholderIndex(project)
        code_ids = {c.name: c.code_id for c in spec.codes if c.code_id is not None}

        for item in todo:
            item["case_home"] = case_home.get(item["case_id"])
        if n_process > 1 and len(todo) > 1:
            results = _pooled_results(project, todo, nlp, resolver, batch_size, n_process)
        else:
            results = _results(_with_texts(project, todo), nlp, resolver, batch_size)
        for i, (item, result, segment_lemmas) in enumerate(results, 1):
            counts = _store(project, item, result, segment_lemmas, index, code_ids, pipeline_id)
            totals["documents"] += 1
            totals["words"] += item["words"]
            for key in ("mentions", "suggestions", "personal_data", "sentences"):
                totals[key] += counts[key]
            yield TagEvent("tagged", i, len(todo), item["name"], item["words"], counts)
        totals["new_stakeholders"] = index.created
    totals["seconds"] = round(time.perf_counter() - started, 3)
    totals["words_per_second"] = (round(totals["words"] / totals["seconds"])
                                  if totals["seconds"] and totals["words"] else 0)
    yield TagEvent("done", len(todo), len(todo), counts=totals)


def run(project: Project, **kwargs: Any) -> dict[str, Any]:
    """Tag a project to the end and return the summary counts (for scripts and tests)."""
    summary: dict[str, Any] = {}
    for event in tag_project(project, **kwargs):
        if event.status == "done":
            summary = event.counts
    return summary

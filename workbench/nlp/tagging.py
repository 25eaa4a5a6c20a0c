"""Tag a project: run the Danish pipeline over its documents and store what it finds.

Tagging is incremental: ``tagged_documents`` remembers the sha256 of each document's text and
the id of the pipeline that tagged it, so a second run tags only new documents, documents whose
text changed, and everything when the pipeline changed (another model, gazetteer or codes).
Each document's results replace its old ones inside a transaction that holds whole documents
(a few at a time, so that committing does not dominate), so an interrupted run leaves every
document either fully tagged or as it was.

Progress is a generator of :class:`TagEvent` values for the CLI's bar and the TUI's worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.core.collector import collector_paused
from workbench.core.documents import INFORMANT_LABELS, INTERVIEWER_LABELS
from workbench.core.store import Project, new_guids, now
from workbench.errors import WorkbenchError
from workbench.nlp.analysis import Findings, LemmaWords, Resolver, findings, sentences
from workbench.nlp.gazetteer import Entry, default_gazetteer
from workbench.nlp.indicators import CodeSpec, code_specs_from_rows
from workbench.nlp.pipeline import MODEL_SETTING, PipelineSpec, get_pipeline, resolve_model_name

HOME_SETTING = "home_stakeholders"
# Tagging reads results, not spaCy spans: the components skip making them.
_SPAN_MAKERS = ("wb_stakeholders", "wb_indicators", "wb_personal_data")


def no_spans() -> dict[str, dict[str, bool]]:
    """``component_cfg`` that tells our components to skip making spans: a new dict each time,
    since ``nlp.pipe`` writes its batch size into the one it is given."""
    return {name: {"spans": False} for name in _SPAN_MAKERS}
# Results are stored this many documents (or this many seconds of work) per transaction.
STORE_DOCUMENTS, STORE_SECONDS = 32, 1.0
# Left to choose (``n_process=None``), tagging uses worker processes for jobs of at least this
# many words: below it, starting the workers and each worker learning the word forms again
# cost about as much as they save. At most this many workers.
AUTO_PROCESSES_FROM_WORDS, AUTO_PROCESSES_MAX = 200_000, 4


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


# Project setting: false leaves the lemma model shipped for the default codes out of tagging.
CODE_MODEL_SETTING = "code_model"


def project_spec(project: Project, model: str | None = None) -> PipelineSpec:
    """The pipeline a project is tagged with: its codes, gazetteer entries and model setting."""
    project_home, case_home = home_stakeholders(project)
    return PipelineSpec(
        home={"project": project_home, "cases": {str(k): v for k, v in case_home.items()}},
        gazetteer=default_gazetteer(project_entries(project)),
        codes=tuple(project_codes(project)),
        model=resolve_model_name(project.setting(MODEL_SETTING), model),
        known_names=tuple(known_names(project)),
        code_model=project.setting(CODE_MODEL_SETTING, True) is not False,
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
                         "words": row["word_count"], "sha": sha, "tagged": old is not None,
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

    def accepted(self) -> dict[str, int]:
        """Canonical name (as written) -> id, for the stakeholders mentions may point at."""
        return {name: sid for name, sid in self.ids.items() if sid not in self.rejected}


def _store(project: Project, batch: list[tuple[dict[str, Any], Findings, list]],
           index: _StakeholderIndex, code_ids: dict[str, int], pipeline_id: str) -> list[dict]:
    """Replace the tagging results of a few documents, in one transaction; their counts."""
    # Documents tagged before have rows to delete, and deletes must run SQLite's foreign-key
    # actions; a batch of new documents only inserts, and its parents are checked below.
    fresh = not any(item["tagged"] for item, _, _ in batch)
    with _row_checks_off(project) if fresh else contextlib.nullcontext():
        return _store_rows(project, batch, index, code_ids, pipeline_id)


@contextlib.contextmanager
def _row_checks_off(project: Project):
    """Turn SQLite's per-row foreign-key checks off for one batch of inserts.

    SQLite checks every inserted row's parents with an index look-up, a sixth of the time
    spent storing; :func:`_check_parents` checks the batch's few parents at once instead,
    inside the transaction (whose write lock keeps anyone from deleting them meanwhile). The
    pragma only takes effect outside a transaction: inside one the checks stay on.
    """
    conn = project.conn
    if conn.in_transaction or not conn.execute("PRAGMA foreign_keys").fetchone()[0]:
        yield
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _check_parents(conn, parents: dict[str, set[int]]) -> None:
    """Make sure the rows about to be inserted point at rows that exist.

    Raises:
        WorkbenchError: one was deleted while the documents were being tagged.
    """
    for table, ids in parents.items():
        if ids and conn.execute(f"SELECT COUNT(*) FROM {table} WHERE id IN "
                                "(SELECT value FROM json_each(?))",
                                (json.dumps(sorted(ids)),)).fetchone()[0] != len(ids):
            raise WorkbenchError(
                f"Some {table} were deleted while the project was being tagged; run "
                "'workbench tag' again to tag what is there now.")


def _store_rows(project: Project, batch: list[tuple[dict[str, Any], Findings, list]],
                index: _StakeholderIndex, code_ids: dict[str, int], pipeline_id: str
                ) -> list[dict]:
    stamp = now()
    all_counts = []
    evidence_json: dict[tuple[str, ...], str] = {}
    sentence_rows, mention_rows, suggestion_rows, personal_rows = [], [], [], []
    lemma_rows, tagged_rows = [], []
    known = index.accepted()
    with project.atomic():
        conn = project.conn
        for item, found, segment_lemmas in batch:
            doc_id = item["id"]
            decided: set[tuple[int, int, int]] = set()
            # Only tagging writes these rows, together with the tagged_documents row: a
            # document never tagged has none to replace.
            if item["tagged"]:
                decided = _clear(conn, doc_id, item["text_changed"])
            counts = {"sentences": len(found.sentences), "mentions": 0, "suggestions": 0,
                      "personal_data": len(found.personal_data)}
            sentence_rows.extend([(doc_id, s, e) for s, e in found.sentences])
            before = len(mention_rows)
            for start, end, surface, canonical, sector, kind, how in found.mentions:
                sid = known.get(canonical)
                if sid is None:
                    sid = index.id_for(canonical, sector, kind, how)
                if sid is not None:
                    mention_rows.append((doc_id, sid, start, end, surface))
            counts["mentions"] = len(mention_rows) - before
            for code, start, end, words, _indicators, score in found.suggestions:
                code_id = code_ids.get(code)
                if code_id is None or (start, end, code_id) in decided:
                    continue
                key = tuple(words)
                evidence = evidence_json.get(key)
                if evidence is None:
                    evidence = evidence_json[key] = json.dumps(words, ensure_ascii=False)
                suggestion_rows.append((doc_id, start, end, code_id, "indicator", score,
                                        evidence, stamp))
                counts["suggestions"] += 1
            personal_rows.extend([(doc_id, start, end, kind, surface)
                                  for kind, start, end, surface in found.personal_data])
            lemma_rows.extend(segment_lemmas)
            tagged_rows.append((doc_id, item["sha"], pipeline_id, stamp))
            all_counts.append(counts)
        _check_parents(conn, {
            "documents": {doc_id for doc_id, *_ in tagged_rows},
            "segments": {segment_id for segment_id, _ in lemma_rows},
            "stakeholders": {row[1] for row in mention_rows},
            "codes": {row[3] for row in suggestion_rows}})
        guids = iter(new_guids(len(mention_rows) + len(suggestion_rows) + len(personal_rows)))
        conn.executemany('INSERT INTO sentences (document_id, start, "end") VALUES (?, ?, ?)',
                         sentence_rows)
        conn.executemany('INSERT INTO mentions (guid, document_id, stakeholder_id, start, "end", '
                         "surface) VALUES (?, ?, ?, ?, ?, ?)", _with_guids(guids, mention_rows))
        conn.executemany(
            'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, score, '
            "evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _with_guids(guids, suggestion_rows))
        conn.executemany('INSERT INTO personal_data (guid, document_id, start, "end", kind, '
                         "surface) VALUES (?, ?, ?, ?, ?, ?)", _with_guids(guids, personal_rows))
        conn.executemany("INSERT INTO segment_lemmas (segment_id, lemmas) VALUES (?, ?)",
                         lemma_rows)
        # The search index has external content: index the same rows directly.
        conn.executemany("INSERT INTO segment_lemma_search (rowid, lemmas) VALUES (?, ?)",
                         lemma_rows)
        conn.executemany(
            "INSERT INTO tagged_documents (document_id, text_sha256, pipeline, tagged_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET "
            "text_sha256 = excluded.text_sha256, pipeline = excluded.pipeline, "
            "tagged_at = excluded.tagged_at", tagged_rows)
    return all_counts


def _with_guids(guids: Iterator[str], rows: list[tuple]) -> list[tuple]:
    """Each row with the next guid in front (rows first: zip must not take a guid too many)."""
    return [(guid, *row) for row, guid in zip(rows, guids)]  # noqa: B905 (guids run on)


def _clear(conn, doc_id: int, text_changed: bool) -> set[tuple[int, int, int]]:
    """Delete a document's tagging results; the (start, end, code) of the indicator
    suggestions the researcher has decided on, which are kept (unless the text changed)."""
    for table in ("sentences", "mentions", "personal_data"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
    if text_changed:
        conn.execute("DELETE FROM suggestions WHERE document_id = ? AND origin = 'indicator'",
                     (doc_id,))
    else:
        conn.execute("DELETE FROM suggestions WHERE document_id = ? AND origin = 'indicator' "
                     "AND status = 'open'", (doc_id,))
    # A trigger takes the deleted rows out of the search index.
    conn.execute("DELETE FROM segment_lemmas WHERE segment_id IN "
                 "(SELECT id FROM segments WHERE document_id = ?)", (doc_id,))
    return {(r[0], r[1], r[2]) for r in conn.execute(
        'SELECT start, "end", code_id FROM suggestions WHERE document_id = ? '
        "AND origin = 'indicator'", (doc_id,))}


def _with_texts(project: Project, items: list[dict[str, Any]]):
    """Each item with its text and segment bounds; texts are read when needed (not all at
    once), segment bounds in one query."""
    segments: dict[int, list[tuple[int, int, int]]] = {}
    wanted = {item["id"] for item in items}
    for doc_id, seg_id, start, end in project.conn.execute(
            'SELECT document_id, id, start, "end" FROM segments ORDER BY document_id, start'):
        if doc_id in wanted:
            segments.setdefault(doc_id, []).append((seg_id, start, end))
    for item in items:
        text = project.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (item["id"],)).fetchone()[0]
        yield text, {**item, "segments": segments.get(item["id"], [])}


def _results(texts, nlp, resolver: Resolver, batch_size: int):
    """Run the pipeline and turn each doc into plain results (item, findings, lemma text)."""
    for doc, item in nlp.pipe(texts, as_tuples=True, batch_size=batch_size,
                              component_cfg=no_spans()):
        found = findings(doc, resolver, home=item["case_home"], sents=sentences(doc))
        segments = item["segments"]
        lemma_texts = LemmaWords(doc).texts([(start, end) for _, start, end in segments])
        segment_lemmas = [(sid, lemmas) for (sid, _, _), lemmas
                          in zip(segments, lemma_texts, strict=True)]
        yield item, found, segment_lemmas


# The pipeline a forked worker uses: set in the parent just before the pool forks, so the
# children share it (and the lemma table) without pickling it.
_WORKER: dict[str, Any] = {}


def _work(batch: list[tuple[str, dict[str, Any]]]) -> list:
    with collector_paused():
        return list(_results(batch, _WORKER["nlp"], _WORKER["resolver"], len(batch)))


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops them (no trace from each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_processes(words: int) -> int:
    """How many processes to tag ``words`` words with when the caller leaves it open.

    One per core (at most ``AUTO_PROCESSES_MAX``) for a job of at least
    ``AUTO_PROCESSES_FROM_WORDS`` words, when this platform forks by default, this program has
    no other threads (forking a threaded program is unsafe) and the cores are not busy with
    other work (over the last minute); otherwise 1.
    """
    import multiprocessing
    import threading

    if (words < AUTO_PROCESSES_FROM_WORDS or threading.active_count() > 1
            or multiprocessing.get_all_start_methods()[0] != "fork"):
        return 1
    cores = _usable_cores()
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    # Other work on the machine takes cores away: more workers than idle cores (plus ours)
    # only compete with it, and cost more than they bring.
    idle = int(cores - busy + 1)
    return max(1, min(cores, AUTO_PROCESSES_MAX, idle))


def _pooled_results(project: Project, todo: list[dict[str, Any]], nlp, resolver: Resolver,
                    batch_size: int, n_process: int):
    """Results from ``n_process`` forked workers, in document order; this process stores."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    # Read every text first: the pool feeds tasks from a thread, and this connection must
    # only be used by the thread that stores the results.
    pairs = list(_with_texts(project, todo))
    chunk = max(1, min(batch_size, len(pairs) // (n_process * 4) or 1))
    batches = [pairs[i:i + chunk] for i in range(0, len(pairs), chunk)]
    _WORKER.update(nlp=nlp, resolver=resolver)
    try:
        with context.Pool(n_process, initializer=_ignore_interrupts) as pool:
            for results in pool.imap(_work, batches):
                yield from results
    finally:
        _WORKER.clear()


def _batches(results):
    """Group results for storing: up to STORE_DOCUMENTS documents or STORE_SECONDS of work."""
    batch: list = []
    started = time.perf_counter()
    for result in results:
        batch.append(result)
        if len(batch) >= STORE_DOCUMENTS or time.perf_counter() - started >= STORE_SECONDS:
            yield batch
            batch = []
            started = time.perf_counter()
    if batch:
        yield batch


def tag_project(project: Project, *, model: str | None = None, batch_size: int = 16,
                force: bool = False, n_process: int | None = 1) -> Iterator[TagEvent]:
    """Tag every new or changed document of ``project``, yielding progress events.

    Args:
        project: the open project.
        model: a trained spaCy pipeline to use instead of the project setting or environment.
        batch_size: documents per ``nlp.pipe`` batch.
        force: tag every document again, even unchanged ones.
        n_process: worker processes (forked, sharing the built pipeline); 1 runs the
            pipeline in this process; None chooses by the size of the job and the machine
            (:func:`auto_processes`). Use more than 1 only from a single-threaded program.

    Raises:
        WorkbenchError: the named model is not installed.
    """
    started = time.perf_counter()
    spec = project_spec(project, model)
    pipeline_id = spec.pipeline_id()
    todo = _documents_to_tag(project, pipeline_id, force)
    total_docs = project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    if n_process is None:
        n_process = auto_processes(sum(item["words"] or 0 for item in todo))
    processes = n_process if len(todo) > 1 and _can_fork() else 1
    yield TagEvent("start", 0, len(todo), counts={"pipeline": pipeline_id,
                                                  "unchanged": total_docs - len(todo),
                                                  "processes": processes})
    totals = {"documents": 0, "words": 0, "mentions": 0, "suggestions": 0, "personal_data": 0,
              "sentences": 0, "unchanged": total_docs - len(todo), "pipeline": pipeline_id,
              "processes": processes}
    if todo:
        nlp = get_pipeline(spec)
        resolver = Resolver(spec.gazetteer)
        project_home, case_home = home_stakeholders(project)
        resolver.home = project_home
        index = _StakeholderIndex(project)
        code_ids = {c.name: c.code_id for c in spec.codes if c.code_id is not None}

        for item in todo:
            item["case_home"] = case_home.get(item["case_id"])
        if processes > 1:
            results = _pooled_results(project, todo, nlp, resolver, batch_size, processes)
        else:
            results = _results(_with_texts(project, todo), nlp, resolver, batch_size)
        done = 0
        batches = _batches(results)
        while True:
            with collector_paused():
                batch = next(batches, None)
                if batch is None:
                    break
                stored = _store(project, batch, index, code_ids, pipeline_id)
            for (item, _found, _lemmas), counts in zip(batch, stored, strict=True):
                done += 1
                totals["documents"] += 1
                totals["words"] += item["words"]
                for key in ("mentions", "suggestions", "personal_data", "sentences"):
                    totals[key] += counts[key]
                yield TagEvent("tagged", done, len(todo), item["name"], item["words"], counts)
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

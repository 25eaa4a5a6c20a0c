"""The fast paths of tagging give what the plain ones give: guids in bulk, inserts without
SQLite's per-row checks, worker processes only for large jobs (and the same rows from them)."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
from click.testing import CliRunner

from tests.conftest import make_paragraphs, make_transcript
from workbench.cli import main
from workbench.core import store
from workbench.core.store import Project, new_guids, now
from workbench.errors import WorkbenchError
from workbench.nlp import tagging

CODES = [("tillid", ["tillid", "stole", "tro på"]), ("konflikt", ["konflikt*", "uenig"])]

TEXTS = [
    "Herning Kommune og Region Midtjylland var uenige om økonomien, men vi har tillid til "
    "hinanden. Skriv til anne.kjaer@herning.dk eller ring på 22 33 44 55.",
    "»Vi stoler på sundhedschefen,« sagde Bo Hansen. Konflikterne med KL er løst.\r\n"
    "Praksislægerne og kommunen tro på det fælles mål.",
    "Sygehuset i Lemvig og CareLink ApS har en konflikt om data; CareLink svarer ikke.",
]


def _fill(project: Project, add_doc) -> None:
    with project.atomic():
        for ordinal, (name, indicators) in enumerate(CODES):
            project.insert("codes", {"name": name, "ordinal": ordinal, "created_at": now(),
                                     "indicators": json.dumps(indicators, ensure_ascii=False),
                                     "exclusions": "[]"})
    add_doc(project, make_transcript([("I", "Hvordan går samarbejdet?"), ("R", TEXTS[0])]),
            "interview")
    for i, text in enumerate(TEXTS[1:]):
        add_doc(project, make_paragraphs(text.split(". ")), f"notat {i}")


def _stored(path) -> dict[str, list]:
    """Every tagging result of a project file, without guids and times."""
    conn = sqlite3.connect(path)
    queries = {
        "sentences": 'SELECT document_id, start, "end" FROM sentences ORDER BY 1, 2',
        "mentions": 'SELECT document_id, stakeholder_id, start, "end", surface FROM mentions '
                    "ORDER BY 1, 3, 4, 2",
        "suggestions": 'SELECT document_id, start, "end", code_id, score, evidence, status '
                       "FROM suggestions ORDER BY 1, 2, 4",
        "personal_data": 'SELECT document_id, start, "end", kind, surface FROM personal_data '
                         "ORDER BY 1, 2",
        "lemmas": "SELECT segment_id, lemmas FROM segment_lemmas ORDER BY 1",
        "stakeholders": "SELECT id, name, sector, status FROM stakeholders ORDER BY 1",
    }
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        conn.close()


# ------------------------------------------------------------------------------ guids
def test_guids_minted_many_at_once_are_time_ordered_uuid7_like_single_ones():
    guids = (new_guids(3) + new_guids(5000) + [store.new_guid()] + new_guids(600)
             + new_guids(2) + new_guids(9000))
    assert len(set(guids)) == len(guids)
    assert guids == sorted(guids)  # later guids sort after earlier ones, across both paths
    for guid in guids[:5] + guids[3:3 + 5] + guids[-5:]:
        parsed = uuid.UUID(guid)
        assert str(parsed) == guid
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert new_guids(0) == []


# ------------------------------------------------------------------ foreign-key checks
def test_tagging_leaves_foreign_key_checks_on(project, add_doc):
    _fill(project, add_doc)
    assert tagging.run(project)["documents"] == 3
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project.conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize("deleted", ["documents", "stakeholders"])
def test_a_row_deleted_while_tagging_stops_the_run_with_a_clear_error(project, add_doc,
                                                                      monkeypatch, deleted):
    _fill(project, add_doc)
    if deleted == "stakeholders":
        # Known before the run, so the tagger holds their ids; the first one is deleted.
        for name, sector in (("Herning Kommune", "municipality"),
                             ("Region Midtjylland", "region")):
            project.insert("stakeholders", {"name": name, "kind": "organisation",
                                            "sector": sector, "aliases": "[]",
                                            "status": "confirmed", "source": "user"})
    real_store = tagging._store

    def store_after_someone_deletes(project_, batch, *args):
        other = sqlite3.connect(project_.path)
        other.execute("PRAGMA foreign_keys = ON")
        other.execute(f"DELETE FROM {deleted} WHERE id = (SELECT MIN(id) FROM {deleted})")
        other.commit()
        other.close()
        return real_store(project_, batch, *args)

    monkeypatch.setattr(tagging, "_store", store_after_someone_deletes)
    with pytest.raises(WorkbenchError, match=f"Some {deleted} were deleted while the project "
                                             "was being tagged; run 'workbench tag' again"):
        tagging.run(project)
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for table in ("tagged_documents", "mentions", "sentences", "segment_lemmas"):
        assert project.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    monkeypatch.setattr(tagging, "_store", real_store)
    assert tagging.run(project)["documents"] == (2 if deleted == "documents" else 3)
    assert project.conn.execute("PRAGMA foreign_key_check").fetchall() == []


# ---------------------------------------------------------------------------- processes
def test_small_jobs_and_threaded_programs_tag_in_one_process(monkeypatch):
    monkeypatch.setattr(tagging, "_usable_cores", lambda: 8)
    monkeypatch.setattr(tagging.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    words = tagging.AUTO_PROCESSES_FROM_WORDS
    assert tagging.auto_processes(words - 1) == 1
    assert tagging.auto_processes(words) == tagging.AUTO_PROCESSES_MAX
    monkeypatch.setattr(tagging, "_usable_cores", lambda: 2)
    assert tagging.auto_processes(words) == 2
    # Both cores busy with other work: more processes would only compete with it.
    monkeypatch.setattr(tagging.os, "getloadavg", lambda: (2.5, 2.0, 2.0))
    assert tagging.auto_processes(words) == 1
    monkeypatch.setattr(tagging.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert tagging.auto_processes(words) == 1


def test_cli_tag_of_a_small_project_starts_no_worker_processes(project, add_doc, monkeypatch):
    _fill(project, add_doc)

    def no_pool(*args, **kwargs):
        raise AssertionError("a small job must not start worker processes")

    monkeypatch.setattr(tagging, "_pooled_results", no_pool)
    result = CliRunner().invoke(main, ["tag", str(project.path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["documents"] == 3 and summary["processes"] == 1


def test_worker_processes_store_the_same_results(tmp_path, add_doc):
    """Explicitly about the pool: two workers on three small documents."""
    paths = []
    for processes in (1, 2):
        path = tmp_path / f"p{processes}.wbp"
        Project.create(path).close()
        with Project.open(path, coder="anna") as project:
            _fill(project, add_doc)
            summary = tagging.run(project, n_process=processes, batch_size=1)
            assert summary["processes"] == processes and summary["documents"] == 3
        paths.append(path)
    one, two = (_stored(path) for path in paths)
    assert one == two
    assert one["mentions"] and one["suggestions"] and one["personal_data"] and one["lemmas"]

"""The project file: creation, recognition, migrations with backup, transactions."""

from __future__ import annotations

import sqlite3

import pytest

from workbench.core import schema
from workbench.core.store import Project
from workbench.errors import NotAProjectError, SchemaTooNewError, WorkbenchError


def test_new_project_has_every_table_and_pragmas(tmp_path):
    with Project.create(tmp_path / "p.wbp") as proj:
        tables = set(proj.db.table_names())
        assert {"cases", "cycles", "participants", "documents", "segments", "codes", "codings",
                "memos", "stakeholders", "mentions", "history"} <= tables
        assert proj.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert proj.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert proj.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert proj.version == schema.LATEST_VERSION


def test_every_entity_gets_a_stable_guid(project):
    case_id = project.insert("cases", {"name": "Ældreforløb Vest"})
    guid = project.get_row("cases", case_id)["guid"]
    assert len(guid) == 36
    project.update("cases", case_id, {"description": "ny beskrivelse"})
    assert project.get_row("cases", case_id)["guid"] == guid


def test_refuses_to_overwrite_existing_file(tmp_path):
    path = tmp_path / "p.wbp"
    path.write_text("noter")
    with pytest.raises(WorkbenchError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "noter"


def test_text_file_is_not_a_project_and_is_left_unchanged(tmp_path):
    path = tmp_path / "noter.wbp"
    path.write_bytes(b"Det er ikke en database\n")
    with pytest.raises(NotAProjectError, match="not a workbench project"):
        Project.open(path)
    assert path.read_bytes() == b"Det er ikke en database\n"


def test_other_sqlite_file_is_not_a_project_and_is_left_unchanged(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotAProjectError, match="SQLite file but not a workbench project"):
        Project.open(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "other.db-wal").exists()


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(NotAProjectError, match="workbench init"):
        Project.open(tmp_path / "nope.wbp")


def test_newer_schema_is_refused_and_file_unchanged(tmp_path):
    path = tmp_path / "p.wbp"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="upgrade workbench"):
        Project.open(path)
    assert path.read_bytes() == before


def test_older_project_is_backed_up_then_migrated(tmp_path):
    path = tmp_path / "old.wbp"
    with Project.create(path, version=1) as old:
        old.insert("cases", {"name": "Ung Trivsel"})
    with Project.open(path) as proj:
        assert proj.version == schema.LATEST_VERSION
        assert proj.backup_path is not None and proj.backup_path.exists()
        assert proj.rows("SELECT name FROM cases") == [{"name": "Ung Trivsel"}]
    backup = sqlite3.connect(proj.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT name FROM cases").fetchall() == [("Ung Trivsel",)]


def test_current_project_opens_without_backup(tmp_path):
    Project.create(tmp_path / "p.wbp").close()
    with Project.open(tmp_path / "p.wbp") as proj:
        assert proj.backup_path is None
    assert not list(tmp_path.glob("*.bak"))


def test_atomic_rolls_back_every_row_on_error(project):
    with pytest.raises(RuntimeError):
        with project.atomic():
            project.insert("cases", {"name": "A"})
            project.insert("cases", {"name": "B"})
            raise RuntimeError("boom")
    assert project.rows("SELECT * FROM cases") == []


def test_nested_atomic_inner_failure_keeps_outer(project):
    with project.atomic():
        project.insert("cases", {"name": "A"})
        with pytest.raises(RuntimeError):
            with project.atomic():
                project.insert("cases", {"name": "B"})
                raise RuntimeError("inner")
    assert [r["name"] for r in project.rows("SELECT name FROM cases")] == ["A"]


def test_settings_round_trip_danish(project):
    project.set_setting("citation_template", "({label}, {role}, cyklus {cycle})")
    project.set_setting("home", {"region": "Region Midtjylland", "by": "Århus"})
    assert project.setting("home") == {"region": "Region Midtjylland", "by": "Århus"}
    assert project.setting("missing", 3) == 3


def test_current_coder_order(tmp_path, monkeypatch):
    Project.create(tmp_path / "p.wbp").close()
    monkeypatch.setattr("getpass.getuser", lambda: "osuser")
    with Project.open(tmp_path / "p.wbp") as proj:
        assert proj.coder == "osuser"
        proj.set_setting("default_coder", "søren")
        assert proj.coder == "søren"
    with Project.open(tmp_path / "p.wbp", coder="åse") as proj:
        assert proj.coder == "åse"


def test_guids_are_unique_time_ordered_uuids():
    import uuid

    from workbench.core.store import new_guid, new_guids

    guids = new_guids(6000) + [new_guid()] + new_guids(2)
    assert len(set(guids)) == len(guids) and guids == sorted(guids)
    parsed = uuid.UUID(guids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_unrepaired_text_is_stored_once_and_shown_as_original(project, add_doc):
    from tests.conftest import make_paragraphs
    from workbench.core.documents import get_document

    add_doc(project, make_paragraphs(["Første afsnit.", "Andet afsnit."]), "d")
    doc = get_document(project, "d")
    assert doc.original_text == "" and doc.text.startswith("Første")

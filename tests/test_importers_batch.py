"""A folder of mixed files imported into a project through the readers: what the user gets."""

from __future__ import annotations

from pathlib import Path

from workbench.core.documents import list_documents, segments_of
from workbench.importers.batch import import_paths

INTERVIEW = ("Interview med sundhedschefen, Herning Kommune\n\n"
             "I: Hvordan går samarbejdet med regionen?\n\n"
             "R: Vi har fået tillid til hinanden – men økonomien er svær.\n\n"
             "I: Hvad med lægerne?\n\nR: Der er stadig uenighed om, hvem der betaler.\n")
MEETING_VTT = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Forsker>Velkommen.</v>\n\n"
               "00:00:03.500 --> 00:00:06.000\n<v Anne Kjær>Tak. Regionen er klar.</v>\n")


def test_mixed_folder_is_imported_with_segments_speakers_and_failures_named(project, tmp_path):
    folder = Path(tmp_path) / "materiale"
    folder.mkdir()
    (folder / "P01_sundhedschef.txt").write_bytes(INTERVIEW.replace("\n", "\r\n").encode("cp1252"))
    (folder / "P04_moede.vtt").write_text(MEETING_VTT, encoding="utf-8")
    (folder / "ødelagt.docx").write_bytes(b"PK\x03\x04 not a zip")
    (folder / "tom.txt").write_bytes(b"")
    events = list(import_paths(project, [folder]))
    status = {e.path.name: (e.status, e.message) for e in events}
    assert status["P01_sundhedschef.txt"][0] == "imported"
    assert status["P04_moede.vtt"][0] == "imported"
    assert status["ødelagt.docx"][0] == "failed"
    assert status["ødelagt.docx"][1].startswith("ødelagt.docx: ")
    assert status["tom.txt"] == ("failed", "tom.txt: the file is empty; check that it was saved "
                                           "or exported.")
    docs = {d["name"]: d for d in list_documents(project)}
    assert docs["P01_sundhedschef"]["kind"] == "interview"
    interview = segments_of(project, docs["P01_sundhedschef"]["id"])
    assert [s.speaker for s in interview if s.kind == "turn"] == ["I", "R", "I", "R"]
    meeting = segments_of(project, docs["P04_moede"]["id"])
    assert [(s.speaker, s.start_time, s.end_time) for s in meeting] == [
        ("Forsker", 1.0, 3.0), ("Anne Kjær", 3.5, 6.0)]
    named = [s for s in meeting if s.speaker == "Anne Kjær"]
    assert named[0].participant_id is not None
    stored = project.conn.execute("SELECT encoding, text FROM documents WHERE name = ?",
                                  ("P01_sundhedschef",)).fetchone()
    assert stored[0] == "cp1252" and "\r" not in stored[1] and "økonomien" in stored[1]


def test_importing_the_projects_own_folder_skips_the_project_file(tmp_path):
    from workbench.core.store import Project

    Project.create(tmp_path / "projekt.wbp").close()
    project = Project.open(tmp_path / "projekt.wbp", coder="anna")
    try:
        (tmp_path / "note.txt").write_text("Kort feltnote om mødet i styregruppen.\n",
                                           encoding="utf-8")
        events = list(import_paths(project, [tmp_path]))
    finally:
        project.close()
    assert [(e.path.name, e.status) for e in events] == [("note.txt", "imported")]

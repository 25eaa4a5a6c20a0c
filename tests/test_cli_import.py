"""The import command as a user runs it: good files in, bad files named, exit code, kills."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main

TRANSCRIPT = ("Interview med sundhedschefen\n\nI: Hvordan går samarbejdet med regionen?\n\n"
              "R: Vi har fået tillid til hinanden, men økonomien er svær.\n\n"
              "I: Hvad med lægerne?\n\nR: Der er stadig uenighed om, hvem der betaler.\n")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def proj(tmp_path: Path) -> str:
    path = str(tmp_path / "p.wbp")
    assert run("init", path).exit_code == 0
    return path


def test_init_twice_is_refused_with_one_sentence(proj):
    result = CliRunner().invoke(main, ["init", proj])
    assert result.exit_code == 1
    assert "already exists" in result.output and "Traceback" not in result.output


def test_bad_files_are_named_good_files_imported_exit_code_one(proj, tmp_path):
    folder = tmp_path / "indsamlet"
    folder.mkdir()
    (folder / "P01_god.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "P02_ogsaa_god.txt").write_bytes(TRANSCRIPT.replace("\n", "\r\n").encode("cp1252"))
    (folder / "ødelagt.docx").write_bytes(b"PK\x03\x04 this is not really a zip file")
    (folder / "billede.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "tom.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["import", proj, str(folder)])
    assert result.exit_code == 1
    for bad in ("ødelagt.docx", "billede.bin", "tom.txt"):
        assert bad in result.output
    assert "2 imported, 0 skipped, 3 failed." in result.output
    docs = json.loads(run("documents", proj, "--json").output)
    assert sorted(d["name"] for d in docs) == ["P01_god", "P02_ogsaa_god"]
    shown = run("show", proj, "P02_ogsaa_god").output
    assert "økonomien" in shown and "R: Vi har fået tillid" in shown


def test_reimport_is_reported_and_skipped(proj, tmp_path):
    path = tmp_path / "P01.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    assert run("import", proj, str(path)).exit_code == 0
    again = run("import", proj, str(path))
    assert again.exit_code == 0
    assert "already imported as 'P01'" in again.output
    assert len(json.loads(run("documents", proj, "--json").output)) == 1


def test_metadata_file_sets_participant_case_cycle_and_links_speakers(proj, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "P03.txt").write_text(TRANSCRIPT, encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("file;participant;role;organisation;sector;case;cycle;date;kind\n"
                    "P03.txt;P03;ledende overlæge;Hospitalsenheden Vest;hospital;"
                    "Ældreforløb Vest;2;2025-09-01;interview\n", encoding="utf-8")
    assert run("import", proj, str(folder), "--meta", str(meta)).exit_code == 0
    docs = json.loads(run("documents", proj, "--json").output)
    assert docs[0]["participant"] == "P03" and docs[0]["cycle"] == 2
    assert docs[0]["case"] == "Ældreforløb Vest"
    parts = json.loads(run("participants", proj, "--json").output)
    assert parts == [{**parts[0], "label": "P03", "role": "ledende overlæge", "sector": "hospital",
                      "case": "Ældreforløb Vest", "documents": 1, "turns": 2}]
    cases = json.loads(run("cases", proj, "--json").output)
    assert cases[0]["name"] == "Ældreforløb Vest" and cases[0]["documents"] == 1
    shown = json.loads(run("show", proj, "P03", "--json").output)
    speakers = {(s["speaker"], s["participant"]) for s in shown["segments"] if s["kind"] == "turn"}
    assert speakers == {("I", None), ("R", "P03")}


def test_bad_sector_in_metadata_fails_that_file_only(proj, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "b.txt").write_text(TRANSCRIPT + "\nR: Ekstra.\n", encoding="utf-8")
    meta = tmp_path / "meta.yaml"
    meta.write_text("a.txt: {participant: P01, sector: kommune}\nb.txt: {participant: P02}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["import", proj, str(folder), "--meta", str(meta)])
    assert result.exit_code == 1
    assert "'kommune' is not a known sector" in result.output
    assert [d["name"] for d in json.loads(run("documents", proj, "--json").output)] == ["b"]


def test_not_a_project_gives_one_sentence(tmp_path):
    other = tmp_path / "noter.txt"
    other.write_text("hej")
    result = CliRunner().invoke(main, ["documents", str(other)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "not a workbench project" in result.output


def test_show_unknown_document(proj):
    result = CliRunner().invoke(main, ["show", proj, "P99"])
    assert result.exit_code == 1 and "No document 'P99'" in result.output


@pytest.mark.slow
def test_killed_import_leaves_a_sound_project_without_partial_documents(tmp_path):
    folder = tmp_path / "mange"
    folder.mkdir()
    body = TRANSCRIPT * 20
    for i in range(200):
        (folder / f"interview_{i:03d}.txt").write_text(f"{body}\nR: Nummer {i}.\n",
                                                       encoding="utf-8")
    proj = tmp_path / "p.wbp"
    run("init", str(proj))
    child = subprocess.Popen([sys.executable, "-m", "workbench.cli", "import", str(proj),
                              str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    seen = 0
    while time.monotonic() < deadline and child.poll() is None:
        conn = sqlite3.connect(proj, timeout=10)
        seen = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        conn.close()
        if seen >= 5:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert seen >= 5, "the import finished or stalled before it could be killed"
    conn = sqlite3.connect(proj)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert 5 <= docs < 200
    partial = conn.execute(
        "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
        "(SELECT 1 FROM segments s WHERE s.document_id = d.id)").fetchone()[0]
    assert partial == 0
    conn.close()
    # The interrupted import can simply be run again: what is in is skipped, the rest comes in.
    result = CliRunner().invoke(main, ["import", str(proj), str(folder)])
    assert result.exit_code == 0
    assert f"{200 - docs} imported, {docs} skipped" in result.output


def test_corrupt_zip_variants(proj, tmp_path):
    folder = tmp_path / "zip"
    folder.mkdir()
    with zipfile.ZipFile(folder / "tom.docx", "w") as z:
        z.writestr("hello.txt", "ingen word-dokument her")
    (folder / "tekst.odt").write_bytes(b"not a zip at all")
    result = CliRunner().invoke(main, ["import", proj, str(folder)])
    assert result.exit_code == 1
    assert "tom.docx" in result.output and "tekst.odt" in result.output


def test_readme_in_a_folder_is_passed_over_but_taken_when_named(proj, tmp_path):
    folder = tmp_path / "materiale"
    folder.mkdir()
    (folder / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "README.md").write_text("# Om materialet\n\nBeskrivelse af mappen.\n",
                                      encoding="utf-8")
    assert "1 imported" in run("import", proj, str(folder)).output
    assert "1 imported" in run("import", proj, str(folder / "README.md")).output


def test_settings_files_in_a_folder_are_passed_over_with_a_note(proj, tmp_path):
    folder = tmp_path / "materiale"
    folder.mkdir()
    (folder / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "gazetteer.yaml").write_text("- name: Borgerpanelet Vest\n", encoding="utf-8")
    result = run("import", proj, str(folder))
    assert result.exit_code == 0
    assert "gazetteer.yaml: passed over" in result.output
    assert "1 imported, 1 skipped, 0 failed." in result.output


def test_unwritable_output_gives_one_sentence(proj, tmp_path):
    result = CliRunner().invoke(main, ["codebook", "export", proj,
                                       str(tmp_path / "mangler" / "bog.yaml")])
    assert result.exit_code == 1
    assert "No such file or directory; check the path" in result.output
    assert "Traceback" not in result.output

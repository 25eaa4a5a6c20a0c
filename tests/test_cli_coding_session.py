"""A scripted coding session on corpora/: ten codings, merge, undo, reopen, redo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main

REPO = Path(__file__).resolve().parents[1]

PASSAGES = [  # (document, text to find, code)
    ("P01_sundhedschef_c1", "stoler på", "trust"),
    ("P01_sundhedschef_c1", "konflikt", "conflict"),
    ("P02_overlaege_c1", "tillid", "trust"),
    ("P03_praksislaege_c2", "gidsel", "conflict"),
    ("P04_carelink_c1", "risiko", "risk"),
    ("P05_borgerpanel_c2", "tillid", "trust"),
    ("P06_region_c2", "vision", "vision"),
    ("P07_frederiksberg_c1", "uenige", "conflict"),
    ("P09_praksislaege_c2", "tillid", "trust"),
    ("P11_foraeldrenetvaerk_c1", "risiko", "risk"),
]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(project: str) -> list[tuple[str, int, int, str]]:
    rows = json.loads(cli("codings", project, "--json"))
    return sorted((r["document"], r["start"], r["end"], r["code"]) for r in rows)


@pytest.mark.slow
def test_scripted_session_on_corpora(tmp_path):
    project = str(tmp_path / "session.wbp")
    cli("init", project, "--codebook", str(REPO / "codebooks" / "default.yaml"), "--coder", "anna")
    cli("import", project, str(REPO / "corpora"), "--meta", str(REPO / "corpora" / "metadata.yaml"))
    for document, text, code in PASSAGES:
        out = cli("code", project, document, "--code", code, "--find", text)
        assert f"as {code}" in out
    coded = snapshot(project)
    assert len(coded) == 10
    assert sum(1 for c in coded if c[3] == "conflict") == 3
    # Each coding covers exactly the text that was asked for.
    for row in json.loads(cli("codings", project, "--json")):
        wanted = next(t for d, t, c in PASSAGES if d == row["document"] and c == row["code"])
        assert row["text"].lower() == wanted.lower()

    cli("codebook", "merge", project, "risk", "conflict")
    merged = snapshot(project)
    assert [c for c in merged if c[3] == "risk"] == []
    assert sum(1 for c in merged if c[3] == "conflict") == 5
    assert "risk" not in cli("codebook", project)

    assert "merge code 'risk' into 'conflict'" in cli("undo", project)
    assert snapshot(project) == coded
    assert "risk" in cli("codebook", project)

    # Reopen (a new process would do the same: every command opens the file afresh).
    assert "merge code 'risk' into 'conflict'" in cli("redo", project)
    assert snapshot(project) == merged
    history = json.loads(cli("history", project, "--json"))
    assert history[0]["action"] == "code.merge" and history[0]["state"] == "done"
    assert history[0]["who"] == "anna"

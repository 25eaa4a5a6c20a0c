"""Shared fixtures: temporary projects, hand-built documents, and the optional ../shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.documents import DocumentMeta, add_document
from workbench.core.models import ParsedDocument, ParsedSegment
from workbench.core.store import Project

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO / "corpora"
CODEBOOKS = REPO / "codebooks"


@pytest.fixture
def project(tmp_path: Path):
    """A new, empty project file opened with coder 'anna'."""
    Project.create(tmp_path / "test.wbp").close()
    proj = Project.open(tmp_path / "test.wbp", coder="anna")
    yield proj
    proj.close()


def make_transcript(turns: list[tuple[str, str]]) -> ParsedDocument:
    """A parsed transcript from (speaker, speech) pairs, one turn per paragraph."""
    text, segments = "", []
    for speaker, speech in turns:
        if text:
            text += "\n\n"
        segments.append(ParsedSegment("turn", len(text), len(text) + len(speech), speaker))
        text += speech
    return ParsedDocument(text=text, original_text=text, segments=segments,
                          source_format="txt", is_transcript=True)


def make_paragraphs(paragraphs: list[str]) -> ParsedDocument:
    """A parsed document from paragraphs."""
    text, segments = "", []
    for para in paragraphs:
        if text:
            text += "\n\n"
        segments.append(ParsedSegment("paragraph", len(text), len(text) + len(para)))
        text += para
    return ParsedDocument(text=text, original_text=text, segments=segments, source_format="txt")


@pytest.fixture
def add_doc():
    """Store a parsed document in a project: add_doc(project, parsed, name, **meta) -> id."""
    counter = iter(range(10_000))

    def _add(project: Project, parsed: ParsedDocument, name: str, **meta) -> int:
        return add_document(project, parsed, source_name=f"{name}.txt", source_path="",
                            sha256=f"sha-{name}-{next(counter)}",
                            meta=DocumentMeta(name=name, **meta))

    return _add


@pytest.fixture
def shared_dir() -> Path:
    """The ../shared reference folder (REFI-QDA XSDs); skips when it is not there."""
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (candidate / "refi").is_dir():
            return candidate
    pytest.skip("../shared/refi is not present on this machine (it is in CI)")


async def settle(app, pilot) -> None:
    """Wait for an app's thread workers (a newer one may cancel an older one), then redraw."""
    from textual.worker import WorkerCancelled

    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return

"""Benchmark the coding screen: open a 20,000-word transcript, and code with a hotkey.

Builds a project with one synthetic 20,000-word interview (bench/generate_corpus.py), the
default codebook, 300 codings and 150 open suggestions, then drives the app headless with
Textual's pilot and prints:

* open-to-ready: from asking for the document until the coding screen has laid it out and
  drawn every visible line (first open, which also builds the screen, and the median of
  re-opens);
* hotkey-to-shown: from the key press (a turn selected) until the coding is stored, the view
  reloaded and the visible lines drawn again (median and worst of several).

Usage: python bench/bench_tui.py [--size 120x40] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core import codebook  # noqa: E402
from workbench.core.store import Project, now  # noqa: E402
from workbench.importers.batch import import_paths  # noqa: E402

WORDS = 20_000


def _generator():
    spec = importlib.util.spec_from_file_location("generate_corpus",
                                                  REPO / "bench" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def build(folder: Path) -> tuple[Path, int]:
    """A project with one 20,000-word transcript, codings and suggestions."""
    rng = random.Random(7)
    text = _generator().transcript(rng, WORDS, 1)
    source = folder / "interview_20k.txt"
    source.write_text(text, encoding="utf-8")
    path = folder / "bench_tui.wbp"
    with Project.create(path) as project:
        default = REPO / "codebooks" / "default.yaml"
        if default.exists():
            codebook.load_codebook(project, codebook.read_yaml(default))
        else:
            for n, name in enumerate(("trust", "vision", "conflict", "risk"), 1):
                codebook.add_code(project, name, hotkey=str(n))
        events = list(import_paths(project, [source]))
        doc_id = next(e.document_id for e in events if e.document_id)
        codes = [c.id for c in codebook.list_codes(project)]
        turns = project.rows('SELECT start, "end" FROM segments WHERE document_id = ?',
                             (doc_id,))
        with project.atomic():
            for i in range(300):
                turn = rng.choice(turns)
                span = turn["end"] - turn["start"]
                start = turn["start"] + rng.randrange(max(1, span // 2))
                end = min(turn["end"], start + rng.randint(20, 400))
                if end <= start:
                    continue
                project.conn.execute(
                    'INSERT OR IGNORE INTO codings (guid, document_id, start, "end", code_id, '
                    "coder, created_at, origin) VALUES (?, ?, ?, ?, ?, 'bench', ?, 'manual')",
                    (f"bench-{i}", doc_id, start, end, rng.choice(codes), now()))
            for i in range(150):
                turn = rng.choice(turns)
                project.conn.execute(
                    'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, '
                    "score, evidence, created_at) VALUES (?, ?, ?, ?, ?, 'indicator', 0.7, "
                    "'[\"tillid\"]', ?)",
                    (f"bench-s{i}", doc_id, turn["start"], turn["end"], rng.choice(codes),
                     now()))
        words = project.conn.execute("SELECT word_count FROM documents WHERE id = ?",
                                     (doc_id,)).fetchone()[0]
    print(f"Built {path.name}: one transcript of {words:,} words, "
          f"{len(turns)} turns, 300 codings, 150 suggestions.")
    return path, doc_id


def _draw_visible(view) -> None:
    """Draw every visible line of the transcript, as a screen update would."""
    view._cache.clear()
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)


async def measure(path: Path, doc_id: int, size: tuple[int, int], runs: int) -> None:
    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(path, coder="bench", poll=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        coding = app.get_screen("coding")
        start = time.perf_counter()
        app.open_document(doc_id)
        await pilot.pause()
        _draw_visible(coding.view)
        first = time.perf_counter() - start
        assert coding.view.layout_ is not None and len(coding.view.layout_.lines) > 1000
        reopen = []
        for i in range(runs):
            start = time.perf_counter()
            coding.open_document(doc_id, offset=(i * 7919) % len(coding.text))
            await pilot.pause()
            _draw_visible(coding.view)
            reopen.append(time.perf_counter() - start)
        press = []
        hotkey = next(r["hotkey"] for r in coding.code_rows if r["hotkey"])
        blocks = [b for b in coding.view.blocks if b.kind == "turn"]
        for i in range(runs):
            block = blocks[(i * 37 + 11) % len(blocks)]
            coding.view.move_to(block.start, scroll="center")
            await pilot.press("space")
            await pilot.pause()
            before = app.project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
            start = time.perf_counter()
            await pilot.press(hotkey)
            await pilot.pause()
            _draw_visible(coding.view)
            press.append(time.perf_counter() - start)
            after = app.project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
            assert after == before + 1, "the hotkey did not store a coding"
            assert any(m.start == block.start for m in coding.view.codings_at(block.start))
    width, height = size
    print(f"terminal {width}x{height}:")
    print(f"  open-to-ready, first open (builds the screen): {first * 1000:7.1f} ms")
    print(f"  open-to-ready, re-open, median of {runs}:       "
          f"{statistics.median(reopen) * 1000:7.1f} ms (max {max(reopen) * 1000:.1f})")
    print(f"  hotkey-to-shown, median of {runs}:              "
          f"{statistics.median(press) * 1000:7.1f} ms (max {max(press) * 1000:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        path, doc_id = build(Path(tmp))
        asyncio.run(measure(path, doc_id, (width, height), args.runs))


if __name__ == "__main__":
    main()

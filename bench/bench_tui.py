"""Benchmark the coding screen: open a 20,000-word transcript, and code with a hotkey.

Builds a project with one synthetic 20,000-word interview (bench/generate_corpus.py), the
default codebook, 300 codings and 150 open suggestions, then drives the app headless with
Textual's pilot and prints:

* open-to-ready: from asking for the document until the first frame showing it has been
  rendered (first open, which also builds the screen, and the median of re-opens);
* hotkey-to-shown: from the moment the key event reaches the app (a turn selected) until the
  first frame rendered after the coding was stored (median and worst of several).

Frames are timed where Textual hands them to the terminal (headless, so the terminal's own
drawing is not included); Textual batches screen updates at up to 60 per second, so a frame
can wait up to ~16 ms for its turn.

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


def _app_class():
    """The app, instrumented: when keys arrive and when frames are handed to the terminal."""
    from textual import events

    from workbench.tui.app import WorkbenchApp

    class TimedApp(WorkbenchApp):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.key_times: list[tuple[float, float]] = []
            self.frame_times: list[tuple[float, float]] = []

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.key_times.append(_now())
            await super().on_event(event)

        def _display(self, screen, renderable) -> None:
            if renderable is not None:
                # The frame is rendered (composited) before it gets here.
                self.frame_times.append(_now())
            super()._display(screen, renderable)

    return TimedApp


def _now() -> tuple[float, float]:
    """Wall-clock time and the CPU time of this thread (where Textual does all its work)."""
    return time.perf_counter(), time.thread_time()


def _first_frame_after(app, moment: tuple[float, float]) -> tuple[float, float]:
    return min(t for t in app.frame_times if t[0] >= moment[0])


def _since(end: tuple[float, float], start: tuple[float, float]) -> tuple[float, float]:
    """(wall, cpu) milliseconds between two moments."""
    return (end[0] - start[0]) * 1000, (end[1] - start[1]) * 1000


async def measure(path: Path, doc_id: int, size: tuple[int, int], runs: int) -> dict:
    """Time opening and coding; returns the numbers in milliseconds."""
    app = _app_class()(path, coder=f"bench-{size[0]}x{size[1]}", poll=False, warm_up=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(100):  # the app builds the coding screen after start, as a user reads
            if app.warmed_up:
                break
            await pilot.pause(0.05)
        coding = app.get_screen("coding")
        start = _now()
        app.open_document(doc_id)
        await pilot.pause()
        first = _since(_first_frame_after(app, start), start)
        assert coding.view.layout_ is not None and len(coding.view.layout_.lines) > 1000
        reopen = []
        for i in range(runs):
            start = _now()
            coding.open_document(doc_id, offset=(i * 7919) % len(coding.text))
            done = _now()
            await pilot.pause()
            reopen.append(_since(_first_frame_after(app, done), start))
        press = []
        hotkey = next(r["hotkey"] for r in coding.code_rows if r["hotkey"])
        blocks = [b for b in coding.view.blocks if b.kind == "turn"]
        for i in range(runs):
            block = blocks[(i * 37 + 11) % len(blocks)]
            coding.view.move_to(block.start, scroll="center")
            await pilot.press("space")
            await pilot.pause()
            before = app.project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
            stored_at = []
            original = coding.reload_marks

            def reload_marks(*args, _original=original, _stored=stored_at, **kwargs):
                _stored.append(_now())  # the coding is in the file by now
                _original(*args, **kwargs)

            coding.reload_marks = reload_marks
            await pilot.press(hotkey)
            await pilot.pause()
            del coding.reload_marks
            key_time = app.key_times[-1]
            press.append(_since(_first_frame_after(app, stored_at[0]), key_time))
            after = app.project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
            assert after == before + 1, "the hotkey did not store a coding"
            assert any(m.start == block.start for m in coding.view.codings_at(block.start))
    return {"first": first, "reopen": reopen, "press": press}


def report(size: tuple[int, int], numbers: dict) -> None:
    """Print the numbers for one terminal size: wall clock, and CPU time of the UI thread."""
    runs = len(numbers["press"])

    def line(label: str, values: list[tuple[float, float]]) -> str:
        wall = [v[0] for v in values]
        cpu = [v[1] for v in values]
        return (f"  {label:<34} wall {statistics.median(wall):6.1f} ms (max {max(wall):6.1f})"
                f"   cpu {statistics.median(cpu):6.1f} ms (max {max(cpu):6.1f})")

    print(f"terminal {size[0]}x{size[1]} (medians of {runs}):")
    print(line("open-to-ready, first document", [numbers["first"]]))
    print(line("open-to-ready, re-open", numbers["reopen"]))
    print(line("hotkey-to-shown", numbers["press"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append",
                        help="terminal size, e.g. 80x24 (repeat for several; default 80x24, "
                             "120x40 and 200x60)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in text.lower().split("x"))
             for text in (args.size or ["80x24", "120x40", "200x60"])]
    with tempfile.TemporaryDirectory() as tmp:
        path, doc_id = build(Path(tmp))
        for size in sizes:
            report(size, asyncio.run(measure(path, doc_id, size, args.runs)))


if __name__ == "__main__":
    main()

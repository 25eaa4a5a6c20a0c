"""Coding one passage in a project that already holds 100,000 codings.

Builds (once, cached in bench/out/) a project of 300 synthetic transcripts with 100,000
codings by two coders, then times ``core.codings.add_coding`` (the same call the CLI's
``workbench code`` and the app's hotkey make), and ``undo`` of it, median of 50 runs.

Usage: python bench/bench_coding.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import Vocabulary, transcript  # noqa: E402

from workbench.core import codebook, codings, history  # noqa: E402
from workbench.core.store import Project, new_guid, now  # noqa: E402
from workbench.importers.batch import import_paths  # noqa: E402

N_DOCS, N_CODINGS = 300, 100_000


def build(path: Path) -> None:
    """A project with N_DOCS transcripts and N_CODINGS codings spread over them."""
    rng = random.Random(7)
    vocab = Vocabulary(rng)
    folder = path.parent / "coding_corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_DOCS):
        (folder / f"doc_{i:04d}.txt").write_text(transcript(rng, 2500, i, vocab), encoding="utf-8")
    with Project.create(path) as proj:
        for event in import_paths(proj, [folder]):
            assert event.status == "imported", event.message
        for name in ("trust", "vision", "conflict", "risk", "samarbejde", "ledelse"):
            codebook.add_code(proj, name)
        codes = [r["id"] for r in proj.rows("SELECT id FROM codes")]
        docs = proj.rows("SELECT id, LENGTH(text) AS n FROM documents")
        rows, created = [], now()
        while len(rows) < N_CODINGS:
            doc = rng.choice(docs)
            start = rng.randrange(0, doc["n"] - 400)
            rows.append((new_guid(), doc["id"], start, start + rng.randint(20, 400),
                         rng.choice(codes), rng.choice(["anna", "bo"]), created))
        with proj.atomic():
            proj.conn.executemany(
                'INSERT OR IGNORE INTO codings (guid, document_id, start, "end", code_id, coder,'
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def main() -> None:
    path = HERE / "out" / "coding_100k.wbp"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path)
    with Project.open(path, coder="bench") as proj:
        total = proj.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        doc = proj.rows("SELECT id, LENGTH(text) AS n FROM documents LIMIT 1")[0]
        add_times, undo_times = [], []
        for i in range(50):
            start = 100 + i * 37
            t0 = time.perf_counter()
            codings.add_coding(proj, doc["id"], start, start + 60, "trust", snap_to="word")
            add_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            history.undo(proj)
            undo_times.append(time.perf_counter() - t0)
    print(f"project: {total:,} codings")
    print(f"code one passage (add_coding, snapped to words): median "
          f"{statistics.median(add_times) * 1000:.1f} ms, max {max(add_times) * 1000:.1f} ms")
    print(f"undo it: median {statistics.median(undo_times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

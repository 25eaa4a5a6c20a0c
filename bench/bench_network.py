"""Building the stakeholder network from a project with 100,000 mentions.

Builds (once, cached in bench/out/) a project of 300 synthetic transcripts in two cases and two
cycles, each with its informant, 400 stakeholders over the sectors, the sentences tagging
would store, 100,000 mentions (one to three in a sentence, so sentences share stakeholders)
and 20,000 trust and conflict codings on sentences, all by bulk inserts. Then times
``network.build.build_network`` with the default options and a few others (best of 3, with
the CPU time of that run), then the measures and three exports of a filtered network once.

Usage: python bench/bench_network.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import Vocabulary, transcript  # noqa: E402

from workbench.core import codebook  # noqa: E402
from workbench.core.models import SECTORS  # noqa: E402
from workbench.core.spans import sentence_bounds  # noqa: E402
from workbench.core.store import Project, new_guid, now  # noqa: E402
from workbench.importers.batch import import_paths  # noqa: E402
from workbench.network.build import build_network  # noqa: E402
from workbench.network.model import NetworkOptions  # noqa: E402

N_DOCS, N_STAKEHOLDERS, N_MENTIONS, N_CODINGS = 300, 400, 100_000, 20_000


def build(path: Path) -> None:
    """The benchmark project (see the module docstring)."""
    rng = random.Random(11)
    vocab = Vocabulary(rng)
    folder = path.parent / "network_corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_DOCS):
        (folder / f"doc_{i:04d}.txt").write_text(transcript(rng, 2500, i, vocab),
                                                 encoding="utf-8")
    with Project.create(path) as proj:
        for event in import_paths(proj, [folder]):
            assert event.status == "imported", event.message
        for name in ("trust", "conflict", "vision"):
            codebook.add_code(proj, name)
        codes = [r["id"] for r in proj.rows("SELECT id FROM codes WHERE name != 'vision'")]
        with proj.atomic():
            cases = [proj.insert("cases", {"name": name}) for name in ("Vest", "Øst")]
            cycles = [proj.insert("cycles", {"number": n, "name": f"Cycle {n}"})
                      for n in (1, 2)]
            stakeholder_ids = [proj.insert("stakeholders", {
                "name": f"Aktør {i:03d}", "sector": SECTORS[i % len(SECTORS)],
                "kind": ("organisation", "group", "role")[i % 3],
                "status": "rejected" if i % 50 == 49 else "suggested"})
                for i in range(N_STAKEHOLDERS)]
            docs = proj.rows("SELECT id, text FROM documents ORDER BY id")
            sentences = []
            for i, doc in enumerate(docs):
                pid = proj.insert("participants", {
                    "label": f"P{i:03d}", "role": "informant",
                    "sector": SECTORS[(i * 7) % len(SECTORS)], "case_id": cases[i % 2]})
                proj.conn.execute(
                    "UPDATE documents SET participant_id = ?, case_id = ?, cycle_id = ? "
                    "WHERE id = ?", (pid, cases[i % 2], cycles[(i // 2) % 2], doc["id"]))
                proj.conn.execute("UPDATE segments SET participant_id = ? WHERE document_id = ? "
                                  "AND speaker = 'R'", (pid, doc["id"]))
                spans = sentence_bounds(doc["text"])
                sentences.append((doc["id"], spans))
                proj.conn.executemany(
                    'INSERT INTO sentences (document_id, start, "end") VALUES (?, ?, ?)',
                    [(doc["id"], s, e) for s, e in spans])
            mentions = []
            while len(mentions) < N_MENTIONS:
                doc_id, spans = rng.choice(sentences)
                start, end = rng.choice(spans)
                for _ in range(rng.choice((1, 1, 2, 2, 3))):
                    at = rng.randrange(start, max(start + 1, end - 12))
                    mentions.append((new_guid(), doc_id, rng.choice(stakeholder_ids), at,
                                     at + rng.randint(5, 12), "aktør"))
            # Tagging stores each document's mentions together, in reading order.
            mentions = sorted(mentions[:N_MENTIONS], key=lambda m: (m[1], m[3]))
            proj.conn.executemany(
                'INSERT INTO mentions (guid, document_id, stakeholder_id, start, "end", '
                "surface) VALUES (?, ?, ?, ?, ?, ?)", mentions)
            created = now()
            codings = set()
            while len(codings) < N_CODINGS:
                doc_id, spans = rng.choice(sentences)
                start, end = rng.choice(spans)
                codings.add((doc_id, start, end, rng.choice(codes)))
            proj.conn.executemany(
                'INSERT INTO codings (guid, document_id, start, "end", code_id, coder, '
                "created_at) VALUES (?, ?, ?, ?, ?, 'bench', ?)",
                [(new_guid(), *c, created) for c in codings])


def best_of(runs: int, fn) -> tuple[float, float, object]:
    """The fastest of ``runs`` calls (wall seconds), its CPU seconds, and the last result."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return best, cpu, result


def main() -> None:
    path = HERE / "out" / "network_100k.wbp"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build(path)
        print(f"built {path.name} in {time.perf_counter() - t0:.1f} s (cached from now on)")
    with Project.open(path) as proj:
        count = proj.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        codings = proj.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        print(f"project: {count:,} mentions, {codings:,} codings, {N_DOCS} documents, "
              f"{N_STAKEHOLDERS} stakeholders; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs")
        variants = {
            "default (sentence, speakers, trust/conflict)": NetworkOptions(),
            "unit segment": NetworkOptions(unit="segment"),
            "unit window 150": NetworkOptions(unit="window"),
            "collapse sectors": NetworkOptions(collapse="sectors"),
            "cycle 2, min weight 3": NetworkOptions(cycle=2, min_weight=3),
        }
        network = None
        for label, options in variants.items():
            seconds, cpu, net = best_of(3, lambda o=options: build_network(proj, o))
            network = net
            info = net.summary()
            print(f"build_network, {label}: {seconds:.3f} s (CPU {cpu:.3f} s; "
                  f"{info['nodes']} nodes, {info['ties']:,} ties, "
                  f"{info['passages']:,} passages)")
    from workbench.network.exports import export_network
    from workbench.network.stats import network_stats

    # Measures and exports of the last variant (cycle 2, min weight 3): the full random
    # network is a near-complete graph of 692 nodes that no reader would draw.
    size = f"{len(network.nodes)} nodes, {len(network.ties):,} ties"
    seconds, _, _ = best_of(1, lambda: network_stats(network))
    print(f"network_stats (centrality, communities, brokerage, balance), {size}: "
          f"{seconds:.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in ("gexf", "graphml", "png"):
            seconds, _, _ = best_of(1, lambda s=suffix: export_network(
                network, Path(folder) / f"n.{s}"))
            print(f"export {suffix.upper()}, {size}: {seconds:.2f} s")


if __name__ == "__main__":
    main()

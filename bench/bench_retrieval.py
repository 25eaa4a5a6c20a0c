"""Boolean retrieval in a project with 100,000 codings.

Builds (once, cached in bench/out/) a project of 400 synthetic Danish transcripts (two cases,
two cycles, twenty participants in several sectors, speaker turns) with 100,000 codings by
three coders over a codebook of 24 codes with sub-codes, inserted in bulk. Then times
``core.retrieval.find_passages`` (the matching alone) and ``core.retrieval.retrieve`` (what
``workbench retrieve`` calls: hits with quotes, speakers and context) for a few queries, as the
median of 10 runs after one warm-up run, in wall-clock and CPU time.

A long-running process keeps what it read between queries (codings per code, the segment
index, document texts; see ``core.coding_index`` and ``core.retrieval_sources``) until the
file changes, so three retrieval times are given: ``kept`` (the same query again, nothing
changed), ``after coding`` (a passage was just coded with one of the query's codes, so that
code's codings are read again; the coding is undone afterwards, untimed) and ``first`` (the
first query of a process that has kept nothing).

numpy is loaded up front (``load_arrays``), as in a long-running process such as the TUI,
so queries reading 3,000 codings or more take the array path. With ``--cold`` it is not: then
only queries reading 40,000 or more do, as in a one-shot ``workbench retrieve``, which would
otherwise pay 0.1-0.2 s for the import.

Usage: python bench/bench_retrieval.py [--rebuild] [--cold]
"""

from __future__ import annotations

import hashlib
import random
import statistics
import sys
import time
from pathlib import Path

from workbench.core import codings, history
from workbench.core.retrieval import compile_query, find_passages, load_arrays, retrieve
from workbench.core.store import Project, new_guid, now

HERE = Path(__file__).resolve().parent
PATH = HERE / "out" / "retrieval_100k.wbp"
N_DOCS, N_CODINGS, RUNS = 400, 100_000, 10

WORDS = (
    "altså vi har jo et samarbejde med kommunen og hospitalet om de ældre borgere ikke "
    "sygeplejerskerne ringer til lægen når patienten bliver udskrevet og så er der "
    "økonomien hvem betaler for tabletterne det er en konflikt vi stoler på hinanden men "
    "data deles ikke det er en risiko for borgeren visionen er ét samlet forløb på tværs af "
    "sektorerne praksislægerne siger at de ikke får besked i tide ledelsen skal tage ansvar "
    "prøvehandlingen med videosamtaler gik godt synes jeg"
).split()

# (name, Danish label, parent, weight): the weight is the code's share of the codings.
CODES = [
    ("trust", "tillid", None, 6), ("trust-leaders", "tillid mellem ledere", "trust", 3),
    ("trust-frontline", "tillid i frontlinjen", "trust", 3),
    ("mistrust", "mistillid", "trust", 2),
    ("conflict", "konflikt", None, 5), ("conflict-money", "konflikt om økonomi", "conflict", 3),
    ("conflict-roles", "rollekonflikt", "conflict", 2),
    ("risk", "risiko", None, 7), ("vision", "vision", None, 5),
    ("ledelse på tværs", "ledelse på tværs", None, 4),
    ("samarbejde", "samarbejde", None, 6), ("kommunikation", "kommunikation", None, 5),
    ("økonomi", "økonomi", None, 5), ("data", "datadeling", None, 4),
    ("borgerinddragelse", "borgerinddragelse", None, 4), ("ressourcer", "ressourcer", None, 4),
    ("kultur", "kultur", None, 4), ("ansvar", "ansvar", None, 4),
    ("prøvehandling", "prøvehandling", None, 3), ("læring", "læring", None, 3),
    ("teknologi", "teknologi", None, 3), ("tid", "tid", None, 3),
    ("magt", "magt", None, 2), ("overgange", "overgange", None, 2),
]
SECTORS = ["municipality", "region", "hospital", "general_practice", "private_company",
           "citizen"]
ROLES = ["sundhedschef", "ledende overlæge", "praktiserende læge", "direktør", "formand",
         "sygeplejerske", "visitator", "konsulent"]

QUERIES = [
    ("magt AND (tid OR overgange)", {}),
    ("trust AND conflict", {}),
    ("trust AND (conflict OR risk) AND NOT vision", {}),
    ('"ledelse på tværs" AND NOT tillid', {"sector": "municipality", "cycle": 2}),
    ("trust AND (conflict OR risk) AND NOT vision", {"within": "segment"}),
]


def _turns(rng: random.Random, participant: str) -> tuple[str, list[tuple]]:
    """A transcript of about 4,000 words in turns: interviewer and one informant."""
    text, segments = "", []
    while len(text) < 24_000:
        speaker = "I" if len(segments) % 2 == 0 else participant
        n = rng.randint(8, 30) if speaker == "I" else rng.randint(40, 180)
        speech = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."
        if text:
            text += "\n\n"
        segments.append((len(text), len(text) + len(speech), speaker))
        text += speech
    return text, segments


def build(path: Path) -> None:
    """Write the benchmark project in a few bulk inserts."""
    rng = random.Random(2025)
    stamp = now()
    with Project.create(path) as proj, proj.atomic():
        conn = proj.conn
        conn.executemany("INSERT INTO cases (guid, name) VALUES (?, ?)",
                         [(new_guid(), "Ældreforløb Vest"), (new_guid(), "Ung Trivsel")])
        conn.executemany("INSERT INTO cycles (guid, number, name, phase) VALUES (?, ?, ?, ?)",
                         [(new_guid(), 1, "Forår", "reflect"), (new_guid(), 2, "Efterår", "act")])
        conn.executemany(
            "INSERT INTO participants (guid, label, role, sector, case_id) VALUES (?,?,?,?,?)",
            [(new_guid(), f"P{i:02d}", ROLES[i % len(ROLES)], SECTORS[i % len(SECTORS)],
              1 + i % 2) for i in range(1, 21)])
        code_ids: dict[str, int] = {}
        for ordinal, (name, label, parent, _) in enumerate(CODES):
            code_ids[name] = conn.execute(
                "INSERT INTO codes (guid, name, label_da, parent_id, ordinal, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (new_guid(), name, label, code_ids.get(parent), ordinal, stamp)).lastrowid
        documents, segments = [], []
        for i in range(N_DOCS):
            participant = 1 + i % 20
            text, turns = _turns(rng, f"P{participant:02d}")
            documents.append((new_guid(), f"Interview {i:03d}", "interview", 1 + i % 2,
                              1 + (i // 2) % 2, participant, f"interview_{i:03d}.txt", "txt",
                              hashlib.sha256(text.encode()).hexdigest(), text, text,
                              len(text.split()), stamp))
            for ordinal, (start, end, speaker) in enumerate(turns):
                segments.append((new_guid(), i + 1, ordinal, "turn", start, end, speaker,
                                 None if speaker == "I" else participant))
        conn.executemany(
            "INSERT INTO documents (guid, name, kind, case_id, cycle_id, participant_id, "
            "source_name, source_format, sha256, text, original_text, word_count, imported_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", documents)
        conn.executemany(
            'INSERT INTO segments (guid, document_id, ordinal, kind, start, "end", speaker, '
            "participant_id) VALUES (?,?,?,?,?,?,?,?)", segments)
        lengths = [len(d[9]) for d in documents]
        names = [c[0] for c in CODES]
        weights = [c[3] for c in CODES]
        seen, codings = set(), []
        while len(codings) < N_CODINGS:
            doc = rng.randrange(N_DOCS)
            start = rng.randrange(lengths[doc] - 400)
            end = start + rng.randint(30, 300)
            code = code_ids[rng.choices(names, weights)[0]]
            coder = rng.choice(("anna", "bo", "carl"))
            key = (doc, start, end, code, coder)
            if key not in seen:
                seen.add(key)
                codings.append((new_guid(), doc + 1, start, end, code, coder, stamp))
        conn.executemany(
            'INSERT INTO codings (guid, document_id, start, "end", code_id, coder, created_at) '
            "VALUES (?,?,?,?,?,?,?)", codings)


def main() -> None:
    if "--rebuild" in sys.argv and PATH.exists():
        PATH.unlink()
    if not PATH.exists():
        PATH.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build(PATH)
        print(f"built {PATH.relative_to(HERE.parent)} in {time.perf_counter() - t0:.1f} s")
    cold = "--cold" in sys.argv
    if not cold:
        load_arrays()
    with Project.open(PATH) as proj:
        total = proj.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        docs = proj.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        print(f"project: {total:,} codings over {docs} documents, {len(CODES)} codes")
        print(f"median of {RUNS} runs after one warm-up; wall clock and CPU time of this "
              "process (CPU time is steadier on a busy machine)")
        print("  read = codings of the query's codes (what one query loads); find = "
              "find_passages (matching spans only);\n  retrieve = hits with quotes, speakers "
              "and context")
        print("  numpy not loaded (--cold): the array path only from 40,000 codings read" if cold
              else "  numpy loaded up front (long-running process): the array path from 3,000 "
                   "codings read")
        print(f"  yardstick for comparing machines: making 1,000,000 small tuples takes "
              f"{_yardstick():.0f} ms of CPU here\n")
        print("  retrieve: wall/cpu ms, kept | after coding | first\n")
        print(f"{'read':>6} {'hits':>6} {'find':>12} {'retrieve kept':>14} "
              f"{'after coding':>13} {'first':>13}  query")
        for query, options in QUERIES:
            find = _time(lambda q=query, o=options: find_passages(
                proj, q, **{k: v for k, v in o.items() if k in ("within", "cycle")}))
            hits = retrieve(proj, query, **options)
            full = _time(lambda q=query, o=options: retrieve(proj, q, **o))
            fresh = _time(lambda q=query, o=options: retrieve(proj, q, **o),
                          before=lambda: proj.__dict__.pop("_file_cache", None))
            coded = _time(lambda q=query, o=options: retrieve(proj, q, **o),
                          before=lambda q=query: _code_one(proj, q),
                          after=lambda: history.undo(proj))
            label = query + "".join(f"  --{k} {v}" for k, v in options.items())
            code_ids = compile_query(proj, query).code_ids
            read = proj.conn.execute(
                f"SELECT COUNT(*) FROM codings WHERE code_id IN ({','.join('?' * len(code_ids))})",
                code_ids).fetchone()[0]
            print(f"{read:6d} {len(hits):6d} {_ms(find)} {_ms(full):>14} {_ms(coded):>13} "
                  f"{_ms(fresh):>13}  {label}")


def _ms(times: tuple[float, float]) -> str:
    return f"{times[0]:5.1f}/{times[1]:5.1f}"


def _code_one(proj: Project, query: str) -> None:
    """Code one passage with the query's first code, as a researcher would between queries."""
    code = compile_query(proj, query).code_ids[0]
    doc = random.randrange(1, N_DOCS + 1)
    start = random.randrange(0, 20_000)
    codings.add_coding(proj, doc, start, start + 120, code, coder="dora")


def _yardstick() -> float:
    """CPU milliseconds for a fixed pure-Python workload, to compare machines."""
    best = float("inf")
    for _ in range(3):
        c0 = time.process_time()
        [(i, i, i, i) for i in range(1_000_000)]
        best = min(best, time.process_time() - c0)
    return best * 1000


def _time(call, before=None, after=None) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of RUNS calls, after one warm-up call;
    ``before`` and ``after`` run untimed around each call."""
    call()
    wall, cpu = [], []
    for _ in range(RUNS):
        if before:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if after:
            after()
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000

if __name__ == "__main__":
    main()

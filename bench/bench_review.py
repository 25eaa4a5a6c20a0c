"""Supervisor review on a project with 100,000 codings by two coders.

Builds (once, cached in bench/out/) a project of synthetic Danish interview transcripts: 250
documents of about 3,000 words in speaker turns of one to eight sentences, three cases, three
cycles, participants in six sectors, a codebook of twelve codes (two with sub-codes) and
100,000 codings, half by coder A and half by coder B. A codes runs of one to three sentences;
B recodes about two thirds of A's passages (sometimes shifted by a word, sometimes with
another code) and codes others of its own, and a few of each coder's codings overlap another
of theirs with the same code. Everything is inserted in bulk inside one transaction.

Then it times, as Python calls and as CLI commands run in a subprocess (which adds the
interpreter's start-up and imports):

* ``frequencies(by="sector,cycle")``  /  ``workbench stats PROJECT --by sector,cycle``
* ``agreement(["A", "B"], unit="sentence")``  /
  ``workbench agreement PROJECT --coders A,B --unit sentence``

and, for information, co-occurrence and agreement at the other units. Each line gives the median
and the slowest wall-clock time of several runs after a warm-up, and the median CPU time (on
a busy machine the wall clock also counts waiting for other programs).

Usage: python bench/bench_review.py [--rebuild] [--runs N]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from workbench.core.store import Project, new_guid, now

HERE = Path(__file__).resolve().parent
PATH = HERE / "out" / "review_100k.wbp"
N_DOCS, N_CODINGS = 250, 100_000
WORKBENCH = Path(sys.executable).with_name("workbench")

VOCABULARY = (
    "altså vi har jo haft et godt samarbejde med kommunen om de ældre borgere men "
    "hospitalet ringer ikke altid når patienten bliver udskrevet og så står hjemmeplejen "
    "med opgaven økonomien er det store spørgsmål hvem betaler for tabletterne det er en "
    "konflikt vi ikke har løst jeg stoler på min kollega i regionen men der mangler tillid "
    "til data der bliver ikke delt det er en risiko for borgeren visionen er ét sammenhængende "
    "forløb på tværs af sektorerne praksislægerne får ikke besked i tide og ledelsen må tage "
    "ansvar prøvehandlingen med videosamtaler gik over al forventning synes jeg selv"
).split()
CODES = [("tillid", None), ("tillid mellem ledere", "tillid"), ("mistillid", "tillid"),
         ("konflikt", None), ("konflikt om økonomi", "konflikt"), ("risiko", None),
         ("vision", None), ("samarbejde", None), ("datadeling", None), ("ledelse", None),
         ("prøvehandling", None), ("borgerinddragelse", None)]
SECTORS = ["municipality", "region", "hospital", "general_practice", "private_company",
           "citizen"]
ROLES = ["sundhedschef", "ledende overlæge", "praktiserende læge", "direktør",
         "sygeplejerske", "konsulent"]
CASES = ["Ældreforløb Vest", "Ung Trivsel København", "Sammenhængende Akutforløb"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(6, 24))]
    return " ".join(words).capitalize() + rng.choice(".....?!")


def _transcript(rng: random.Random, informant: str) -> tuple[str, list[tuple[int, int, str]],
                                                             list[tuple[int, int]]]:
    """Text, turns (start, end, speaker) and sentences (start, end) of about 3,000 words."""
    text, turns, sentences = "", [], []
    while len(text) < 20_000:
        speaker = "I" if len(turns) % 2 == 0 else informant
        if text:
            text += "\n\n"
        label = f"{speaker}: "
        turn_start = len(text)
        text += label
        for i in range(rng.randint(1, 2) if speaker == "I" else rng.randint(2, 8)):
            if i:
                text += " "
            sentence = _sentence(rng)
            sentences.append((len(text), len(text) + len(sentence)))
            text += sentence
        turns.append((turn_start, len(text), speaker))
    return text, turns, sentences


def build(path: Path) -> None:
    """Create the benchmark project at ``path`` in one bulk transaction."""
    rng = random.Random(20240611)
    path.parent.mkdir(parents=True, exist_ok=True)
    project = Project.create(path)
    stamp = now()
    with project.atomic():
        conn = project.conn
        code_ids: dict[str, int] = {}
        for ordinal, (name, parent) in enumerate(CODES):
            code_ids[name] = conn.execute(
                "INSERT INTO codes (guid, name, parent_id, ordinal, label_da, colour, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (new_guid(), name, code_ids.get(parent) if parent else None, ordinal, name,
                 ["#2e7d32", "#1565c0", "#c62828", "#ef6c00", "#6a1b9a", "#00838f"][
                     ordinal % 6], stamp)).lastrowid
        for coder in ("A", "B"):
            conn.execute("INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
                         (new_guid(), coder, stamp))
        case_ids = [conn.execute("INSERT INTO cases (guid, name) VALUES (?, ?)",
                                 (new_guid(), name)).lastrowid for name in CASES]
        cycle_ids = [conn.execute("INSERT INTO cycles (guid, number, name) VALUES (?, ?, ?)",
                                  (new_guid(), n, f"Cycle {n}")).lastrowid for n in (1, 2, 3)]
        people = []
        for n in range(60):
            label = f"P{n + 1:02d}"
            pid = conn.execute(
                "INSERT INTO participants (guid, label, role, sector, case_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (new_guid(), label, ROLES[n % len(ROLES)], SECTORS[n % len(SECTORS)],
                 case_ids[n % len(case_ids)])).lastrowid
            people.append((pid, label))
        documents = []
        segment_rows = []
        for d in range(N_DOCS):
            pid, label = people[d % len(people)]
            text, turns, sentences = _transcript(rng, label)
            name = f"{label}_interview_{d:03d}"
            doc_id = conn.execute(
                "INSERT INTO documents (guid, name, kind, case_id, cycle_id, participant_id, "
                "source_name, source_format, sha256, text, original_text, word_count, "
                "imported_at) VALUES (?, ?, 'interview', ?, ?, ?, ?, 'txt', ?, ?, ?, ?, ?)",
                (new_guid(), name, case_ids[d % len(case_ids)], cycle_ids[d % 3], pid,
                 f"{name}.txt", hashlib.sha256(text.encode()).hexdigest(), text, text,
                 len(text.split()), stamp)).lastrowid
            for ordinal, (start, end, speaker) in enumerate(turns):
                segment_rows.append((new_guid(), doc_id, ordinal, "turn", start, end, speaker,
                                     None if speaker == "I" else pid))
            documents.append((doc_id, sentences))
        conn.executemany(
            'INSERT INTO segments (guid, document_id, ordinal, kind, start, "end", speaker, '
            "participant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", segment_rows)
        conn.executemany("INSERT INTO codings (guid, document_id, start, \"end\", code_id, "
                         "coder, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, 'manual')",
                         _codings(rng, documents, list(code_ids.values()), stamp))
    project.close()


def _codings(rng: random.Random, documents: list, code_ids: list[int], stamp: str):
    per_doc = N_CODINGS // len(documents) // 2
    seen: set[tuple] = set()
    rows = []
    weights = [6, 2, 2, 5, 3, 6, 4, 6, 3, 4, 2, 3]

    def add(doc_id: int, start: int, end: int, code: int, coder: str) -> bool:
        key = (doc_id, start, end, code, coder)
        if end <= start or key in seen:
            return False
        seen.add(key)
        rows.append((new_guid(), doc_id, start, end, code, coder, stamp))
        return True

    for doc_id, sentences in documents:
        a_passages = []
        while len(a_passages) < per_doc:
            i = rng.randrange(len(sentences))
            j = min(len(sentences) - 1, i + rng.choice((0, 0, 0, 1, 2)))
            code = rng.choices(code_ids, weights)[0]
            start, end = sentences[i][0], sentences[j][1]
            if rng.random() < 0.03:  # an overlapping second coding of the same code
                end = sentences[j][1] - rng.randint(1, 5)
            if add(doc_id, start, end, code, "A"):
                a_passages.append((start, end, code))
        b_count = 0
        for start, end, code in a_passages:
            if rng.random() < 0.65:
                shift = rng.choice((0, 0, 0, 3, 7))
                other = code if rng.random() < 0.85 else rng.choices(code_ids, weights)[0]
                b_count += add(doc_id, start + shift, end, other, "B")
        while b_count < per_doc:
            i = rng.randrange(len(sentences))
            j = min(len(sentences) - 1, i + rng.choice((0, 0, 1)))
            b_count += add(doc_id, sentences[i][0], sentences[j][1],
                           rng.choices(code_ids, weights)[0], "B")
    return rows


def _cpu() -> float:
    """CPU seconds of this process and its finished children (a shared machine's wall clock
    also counts time spent waiting for other programs)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _time(call: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median and slowest wall-clock time, and median CPU time, after a warm-up run."""
    call()  # warm-up: file cache, imports
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = _cpu(), time.perf_counter()
        call()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def _cli(*args: str) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run([str(WORKBENCH), *args], check=True, capture_output=True)
    return run


def main() -> None:
    """Build the project if needed and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="Build the project afresh.")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per measurement.")
    args = parser.parse_args()
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{PATH}{suffix}").unlink(missing_ok=True)
    if not PATH.exists():
        t0 = time.perf_counter()
        build(PATH)
        print(f"built {PATH} in {time.perf_counter() - t0:.1f} s")

    from workbench.analysis.agreement import agreement
    from workbench.analysis.cooccurrence import cooccurrence
    from workbench.analysis.frequencies import frequencies

    with Project.open(PATH) as project:
        codings, chars = project.conn.execute(
            "SELECT (SELECT COUNT(*) FROM codings), (SELECT SUM(LENGTH(text)) "
            "FROM documents)").fetchone()
        docs = project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        print(f"project: {docs} documents, {chars:,} characters, {codings:,} codings "
              "(coders A and B)")
        calls = [
            ("frequencies(by='sector,cycle')", lambda: frequencies(project, by="sector,cycle")),
            ("frequencies()", lambda: frequencies(project)),
            ("frequencies(by='document,coder')",
             lambda: frequencies(project, by="document,coder")),
            ("agreement(A,B, unit='sentence')",
             lambda: agreement(project, ["A", "B"], unit="sentence")),
            ("agreement(A,B, unit='segment')",
             lambda: agreement(project, ["A", "B"], unit="segment")),
            ("agreement(A,B, unit='character')",
             lambda: agreement(project, ["A", "B"], unit="character")),
            ("agreement(A,B, unit='document')",
             lambda: agreement(project, ["A", "B"], unit="document")),
            ("agreement(sentence, disagreements)",
             lambda: agreement(project, ["A", "B"], unit="sentence", disagreements=True)),
            ("cooccurrence(within='overlap')", lambda: cooccurrence(project)),
            ("cooccurrence(within='segment')",
             lambda: cooccurrence(project, within="segment")),
        ]
        result = agreement(project, ["A", "B"], unit="sentence")
        print(f"sentence units: {result.pooled.units // max(len(result.codes), 1):,}; "
              f"pooled kappa {result.pooled.kappa:.3f}, alpha {result.pooled.alpha:.3f}")
        print(f"\n{'Python call':44} {'median':>9} {'slowest':>9} {'cpu':>9}")
        for label, call in calls:
            print(_row(label, *_time(call, args.runs)))

    print(f"\n{'CLI (subprocess, includes start-up)':44} {'median':>9} {'slowest':>9} {'cpu':>9}")
    for label, call in [
        ("workbench --help (start-up only)", _cli("--help")),
        ("workbench stats --by sector,cycle", _cli("stats", str(PATH), "--by", "sector,cycle")),
        ("workbench agreement --unit sentence",
         _cli("agreement", str(PATH), "--coders", "A,B", "--unit", "sentence")),
    ]:
        print(_row(label, *_time(call, args.runs)))


def _row(label: str, median: float, worst: float, cpu: float) -> str:
    return f"{label:44} {median * 1000:7.0f}ms {worst * 1000:7.0f}ms {cpu * 1000:7.0f}ms"


if __name__ == "__main__":
    main()

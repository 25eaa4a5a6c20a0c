"""Tagging throughput against the raw spaCy Danish tokenizer, and search latency, in one run.

Generates (or reuses) a synthetic corpus of about 1M words and a project with it imported
(bench/out/, reused between runs). Each repeat tokenizes the texts with a fresh
``spacy.blank("da")``'s tokenizer (the reference), then, on fresh copies of the project and with
a freshly built pipeline (cold caches, like a new ``workbench tag`` process), tags them with
``workbench.nlp.tagging`` (the code behind ``workbench tag``) and a small codebook, once per
process count. Both are timed in wall time and in CPU time (this process, plus the forked
workers' CPU time when there are any), so a busy machine disturbs the CPU ratio less; the
report gives each repeat and the medians. With ``--cli`` each repeat also runs the command
itself, ``workbench tag COPY --json`` with its default process count, in a new process, and
times all of it (starting Python, imports, loading the lemma table). Every tagging pass's
stored rows (sentences, mentions, suggestions, personal data, lemma text, stakeholders; not
guids and times) are hashed, and the report says whether all passes stored the same. The last
repeat also runs the tagger again (incremental: nothing to do) and times a few searches.

Usage: python bench/bench_tagging.py [--files 400] [--words 2500] [--processes 1 2] [--repeat 3]
       [--cli] [--spacy-tokenizer-cache] [--all-lexical-attributes]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import generate  # noqa: E402

CODES = [
    ("trust", ["tillid", "tillids*", "stole", "tro på", "tryg", "tryghed"],
     [{"indicator": "tryghed", "near": ["patient", "borger", "forælder", "forældre"],
       "window": 6}]),
    ("conflict", ["konflikt*", "uenig", "uenighed", "modstand", "kamp", "gnidning*"],
     [{"pattern": "konfliktsky"}]),
    ("risk", ["risiko", "risikabel", "fare", "usikkerhed", "sårbar"],
     [{"pattern": "chancen for"}]),
    ("vision", ["vision", "fælles mål", "drøm", "retning"], []),
]
SEARCHES = [("sundhed", {"prefix": True}), ("konflikt", {"lemma": True}),
            ("tillid", {}), ("de praktiserende læger", {}), ("kommune", {"lemma": True})]


def _imported(corpus: Path, out: Path) -> Path:
    """A project with the corpus imported and the codebook loaded (made once, then reused)."""
    from workbench.core.store import Project, now
    from workbench.importers.batch import import_paths

    if out.exists():
        return out
    tmp = out.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    project = Project.create(tmp)
    for _ in import_paths(project, [corpus]):
        pass
    with project.atomic():
        for i, (name, indicators, exclusions) in enumerate(CODES):
            project.insert("codes", {"name": name, "ordinal": i, "created_at": now(),
                                     "indicators": json.dumps(indicators),
                                     "exclusions": json.dumps(exclusions)})
    project.close()
    tmp.rename(out)
    return out


class Clock:
    """Wall time and CPU time (this process and its finished children) since it was made."""

    def __init__(self):
        self.wall = time.perf_counter()
        self.cpu = _cpu()

    def read(self) -> tuple[float, float]:
        """(wall seconds, CPU seconds) since the clock was made."""
        return time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


# What tagging stores, without guids and times (which differ between runs).
STORED = (
    'SELECT document_id, start, "end" FROM sentences ORDER BY 1, 2, 3',
    'SELECT document_id, stakeholder_id, start, "end", surface FROM mentions ORDER BY 1, 3, 4, 2',
    'SELECT document_id, start, "end", code_id, origin, score, evidence, status FROM suggestions '
    "ORDER BY 1, 2, 3, 4",
    'SELECT document_id, start, "end", kind, surface FROM personal_data ORDER BY 1, 2, 3, 4',
    "SELECT segment_id, lemmas FROM segment_lemmas ORDER BY 1",
    "SELECT id, name, kind, sector, aliases, status, source FROM stakeholders ORDER BY 1",
    "SELECT document_id, text_sha256, pipeline FROM tagged_documents ORDER BY 1",
)


def stored_results_sha(path: Path) -> str:
    """A hash of every tagging result stored in a project file."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(path)
    try:
        for sql in STORED:
            for row in conn.execute(sql):
                digest.update(repr(tuple(row)).encode("utf-8"))
            digest.update(b"|")
    finally:
        conn.close()
    return digest.hexdigest()[:16]


def _time_cli(path: Path, words: int, tok_wall: float, tok_cpu: float) -> dict:
    """Run ``workbench tag PATH --json`` (default processes) in a new process and time it."""
    clock = Clock()
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "tag", str(path), "--json"],
                          cwd=HERE.parent, capture_output=True, text=True, check=True)
    wall, cpu = clock.read()
    summary = json.loads(done.stdout)
    return {"words_per_second": round(words / wall), "vs_tokenizer_wall": round(tok_wall / wall, 3),
            "vs_tokenizer_cpu": round(tok_cpu / cpu, 3), "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "processes": summary["processes"],
            "results": stored_results_sha(path)}


def _fresh_pipeline_caches() -> None:
    """Forget pipelines built earlier in this process, so each repeat starts cold."""
    from workbench.nlp import pipeline

    pipeline._CACHE.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--words", type=int, default=2500)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                        help="Run the tagger once with each of these process counts.")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3,
                        help="Measure this many times (tokenizer and tagger alternating).")
    parser.add_argument("--all-lexical-attributes", action="store_true",
                        help="Let the tagging pipeline compute every spaCy lexical attribute "
                             "(as the reference tokenizer does), to see what skipping the "
                             "unused ones saves.")
    parser.add_argument("--spacy-tokenizer-cache", action="store_true",
                        help="Leave the tagging pipeline's tokenizer cache at spaCy's 10,000 "
                             "chunks (as the reference tokenizer has it), to see what the "
                             "larger cache saves.")
    parser.add_argument("--cli", action="store_true",
                        help="Also time the whole 'workbench tag --json' command (default "
                             "processes) in a new process, once per repeat.")
    args = parser.parse_args()
    corpus = HERE / "out" / f"corpus_{args.files}x{args.words}"
    if not corpus.exists():
        generate(corpus, args.files, args.words)
    template = _imported(corpus, HERE / "out" / f"tagging_{args.files}x{args.words}.wbp")

    import spacy

    from workbench.core.search import search
    from workbench.core.store import Project
    from workbench.nlp.lemmas import lemma_table, lemmatise_word
    from workbench.nlp.tagging import run

    lemma_table()  # loaded once per process; not part of either measurement
    from workbench.nlp import pipeline

    if args.all_lexical_attributes:
        pipeline.UNUSED_LEXICAL_ATTRIBUTES = frozenset()
    if args.spacy_tokenizer_cache:
        pipeline.TOKENIZER_CACHE_CHUNKS = 0
    report: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Project.open(template)
        texts = [r[0] for r in source.conn.execute("SELECT text FROM documents ORDER BY id")]
        words = source.conn.execute("SELECT SUM(word_count) FROM documents").fetchone()[0]
        source.close()
        report.update(documents=len(texts), words=words,
                      all_lexical_attributes=args.all_lexical_attributes,
                      spacy_tokenizer_cache=args.spacy_tokenizer_cache)

        runs: list[dict] = []
        for repeat in range(1, args.repeat + 1):
            run_report: dict = {}
            nlp = spacy.blank("da")
            clock = Clock()
            for _ in nlp.tokenizer.pipe(texts, batch_size=64):
                pass
            tok_wall, tok_cpu = clock.read()
            run_report["tokenizer"] = {"words_per_second": round(words / tok_wall),
                                       "wall_s": round(tok_wall, 2), "cpu_s": round(tok_cpu, 2)}
            for processes in args.processes:
                _fresh_pipeline_caches()
                path = Path(tmp) / f"tag_{repeat}_{processes}.wbp"
                shutil.copy(template, path)
                project = Project.open(path)
                clock = Clock()
                summary = run(project, batch_size=args.batch_size, n_process=processes)
                wall, cpu = clock.read()
                row = {"words_per_second": round(words / wall),
                       "vs_tokenizer_wall": round(tok_wall / wall, 3),
                       "vs_tokenizer_cpu": round(tok_cpu / cpu, 3),
                       "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                       "results": stored_results_sha(path)}
                if repeat == args.repeat:
                    start = time.perf_counter()
                    again = run(project)
                    row.update(
                        mentions=summary["mentions"], suggestions=summary["suggestions"],
                        personal_data=summary["personal_data"], sentences=summary["sentences"],
                        second_run_documents=again["documents"],
                        second_run_seconds=round(time.perf_counter() - start, 2))
                    if processes == args.processes[-1]:
                        report["search"] = _time_searches(project, search, lemmatise_word)
                run_report[f"tag_{processes}_process"] = row
                project.close()
                path.unlink()
            if args.cli:
                path = Path(tmp) / f"cli_{repeat}.wbp"
                shutil.copy(template, path)
                run_report["workbench_tag_command"] = _time_cli(path, words, tok_wall, tok_cpu)
                path.unlink()
            runs.append(run_report)
            print(f"repeat {repeat}: " + json.dumps(run_report, ensure_ascii=False),
                  file=sys.stderr)
        report["median"] = _medians(runs)
        shas = {row["results"] for run_report in runs for row in run_report.values()
                if "results" in row}
        report["same_results_in_every_pass"] = len(shas) == 1
        report["repeats"] = runs
    print(json.dumps(report, indent=2, ensure_ascii=False))


def _medians(runs: list[dict]) -> dict:
    """The median of every number over the repeats, per measured pass."""
    out: dict = {}
    for key in runs[0]:
        fields = [k for k, v in runs[0][key].items() if isinstance(v, int | float)
                  and k in ("words_per_second", "vs_tokenizer_wall", "vs_tokenizer_cpu",
                            "wall_s", "cpu_s")]
        out[key] = {f: statistics.median(r[key][f] for r in runs) for f in fields}
    return out


def _time_searches(project, search, lemmatise_word) -> dict:
    timings = {}
    for query, options in SEARCHES:
        lemma_query = ([lemmatise_word(w) for w in query.split()]
                       if options.get("lemma") else None)
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            hits = search(project, query, lemma_query=lemma_query, limit=50, **options)
            runs.append(time.perf_counter() - start)
        timings[f"{query} {options}"] = {"ms_median": round(statistics.median(runs) * 1000, 1),
                                         "hits": len(hits)}
    return timings


if __name__ == "__main__":
    main()

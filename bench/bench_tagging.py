"""Tagging throughput against the raw spaCy Danish tokenizer, and search latency, in one run.

Generates (or reuses) a synthetic corpus of about 1M words and a project with it imported
(bench/out/, reused between runs), tokenizes the texts with ``spacy.blank("da")``'s tokenizer
(the reference), then, on fresh copies of the project, tags them with ``workbench.nlp.tagging``
(the code behind ``workbench tag``) and a small codebook, once per process count, runs the
tagger again (incremental: nothing to do), and times a few searches.

Usage: python bench/bench_tagging.py [--files 400] [--words 2500] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--words", type=int, default=2500)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                        help="Run the tagger once with each of these process counts.")
    parser.add_argument("--batch-size", type=int, default=16)
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
    report: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Project.open(template)
        texts = [r[0] for r in source.conn.execute("SELECT text FROM documents ORDER BY id")]
        words = source.conn.execute("SELECT SUM(word_count) FROM documents").fetchone()[0]
        source.close()
        report.update(documents=len(texts), words=words)

        nlp = spacy.blank("da")
        start = time.perf_counter()
        for _ in nlp.tokenizer.pipe(texts, batch_size=64):
            pass
        tokenizer_wps = words / (time.perf_counter() - start)
        report["tokenizer_words_per_second"] = round(tokenizer_wps)

        for processes in args.processes:
            path = Path(tmp) / f"tag_{processes}.wbp"
            shutil.copy(template, path)
            project = Project.open(path)
            start = time.perf_counter()
            summary = run(project, batch_size=args.batch_size, n_process=processes)
            seconds = time.perf_counter() - start
            start = time.perf_counter()
            again = run(project)
            report[f"tag_{processes}_process"] = {
                "words_per_second": round(words / seconds),
                "vs_tokenizer": round(words / seconds / tokenizer_wps, 3),
                "seconds": round(seconds, 2),
                "mentions": summary["mentions"], "suggestions": summary["suggestions"],
                "personal_data": summary["personal_data"], "sentences": summary["sentences"],
                "second_run_documents": again["documents"],
                "second_run_seconds": round(time.perf_counter() - start, 2)}
            if processes == args.processes[-1]:
                timings = {}
                for query, options in SEARCHES:
                    lemma_query = ([lemmatise_word(w) for w in query.split()]
                                   if options.get("lemma") else None)
                    runs = []
                    for _ in range(5):
                        start = time.perf_counter()
                        hits = search(project, query, lemma_query=lemma_query, limit=50,
                                      **options)
                        runs.append(time.perf_counter() - start)
                    timings[f"{query} {options}"] = {
                        "ms_median": round(statistics.median(runs) * 1000, 1),
                        "hits": len(hits)}
                report["search"] = timings
            project.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

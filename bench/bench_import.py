"""Import throughput against the raw spaCy Danish tokenizer, in one run.

Generates (or reuses) a synthetic corpus of about 1M words, tokenizes all of it with
``spacy.blank("da")``'s tokenizer (the reference), then imports it into a fresh project in a
child process (without NLP tagging) and reads that child's peak memory.

Usage: python bench/bench_import.py [--files 400] [--words 2500]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import generate  # noqa: E402

CHILD = """
import json, sys, time
from workbench.core.store import Project
from workbench.importers.batch import import_paths
project = Project.create(sys.argv[1])
start = time.perf_counter()
events = list(import_paths(project, [sys.argv[2]]))
elapsed = time.perf_counter() - start
project.close()
print(json.dumps({"seconds": elapsed, "imported": sum(e.status == "imported" for e in events),
                  "failed": [e.message for e in events if e.status == "failed"]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--words", type=int, default=2500)
    args = parser.parse_args()
    corpus = HERE / "out" / f"corpus_{args.files}x{args.words}"
    if not corpus.exists():
        generate(corpus, args.files, args.words)
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    words = sum(len(t.split()) for t in texts)

    import spacy

    nlp = spacy.blank("da")
    start, cpu_start = time.perf_counter(), time.process_time()
    tokens = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=64))
    tokenizer_seconds = time.perf_counter() - start
    tokenizer_cpu = time.process_time() - cpu_start

    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-c", CHILD, str(Path(tmp) / "bench.wbp"),
                                 str(corpus)], capture_output=True, text=True, check=True)
    child = json.loads(result.stdout)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024

    import_wps = words / child["seconds"]
    tokenizer_wps = words / tokenizer_seconds
    print(f"corpus: {len(texts)} files, {words:,} words ({tokens:,} spaCy tokens)")
    print(f"spacy.blank('da') tokenizer: {tokenizer_seconds:.2f} s = {tokenizer_wps:,.0f} words/s")
    print(f"workbench import:            {child['seconds']:.2f} s = {import_wps:,.0f} words/s "
          f"({child['imported']} imported, {len(child['failed'])} failed)")
    print(f"ratio import/tokenizer: {import_wps / tokenizer_wps:.1f}x in wall time "
          "(target: 3x or better)")
    # CPU time is steadier on a shared machine; the child's CPU includes its start-up
    # (interpreter, imports), so this ratio is, if anything, unfavourable to the import.
    child_cpu = usage.ru_utime + usage.ru_stime
    print(f"in CPU time: tokenizer {tokenizer_cpu:.2f} s, import process {child_cpu:.2f} s "
          f"(with start-up) = {tokenizer_cpu / child_cpu:.1f}x")
    print(f"peak memory of the import process: {peak_mb:.0f} MB (target: under 1024 MB)")


if __name__ == "__main__":
    main()

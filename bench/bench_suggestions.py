"""Assisted coding: quality on a coded Danish set, and speed of training and suggesting.

**quality** scores the model of workbench.analysis.suggestions on bench/data/coded_passages.jsonl
(Danish interview passages about cross-sector health partnerships, written for this
measurement, coded trust / vision / conflict / risk, several or none per passage) against the
indicator-only baseline: the NLP layer's indicator matching with the codes, indicators and
exclusions of codebooks/default.yaml (a passage is suggested a code when any of its sentences
is, as in bench/eval_tagging.py).

Learning curve: each repeat shuffles the set, holds out 30 % as a test set, and walks through the
rest in order (as a researcher codes passage after passage) until every code has N coded
passages; the passages walked are the training set (those without a code are its negatives).
The feature space is fitted on all passages, coded or not, as in a project, and its indicator
columns hold the baseline's hits, as tagging stores them in a project (``--lemmas-only`` leaves
them out). Each code is learnt with learn_code, the function training uses: its threshold is
chosen by cross-validation inside the training set, never on the test set. Figures are the
mean over the repeats, on the held-out passages; the baseline is scored on the same ones.
The whole set is also cross-validated as 'workbench suggest-eval' computes it.

**speed** builds projects from the synthetic corpus generator (bench/generate_corpus.py),
codes 2,000 segments (several codes, planted words so there is something to learn) and times
training, and suggesting for 20,000 segments, through the same functions 'workbench suggest'
uses.

**project** runs the set through a real, tagged project (see :func:`project_check`).

Usage: python bench/bench_suggestions.py [quality|project|speed|all] [--repeats 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
DATA = HERE / "data" / "coded_passages.jsonl"
CODEBOOK = HERE.parent / "codebooks" / "default.yaml"
CODES = ("trust", "vision", "conflict", "risk")
CURVE = (10, 20, 40, "all")


# ------------------------------------------------------------------------------ quality
def load_set() -> list[dict]:
    """The coded passages."""
    with DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def indicator_predictions(passages: list[dict]) -> np.ndarray:
    """passages x codes: does the indicator baseline suggest the code anywhere in the passage."""
    from workbench.nlp.analysis import Resolver, analyse
    from workbench.nlp.gazetteer import default_gazetteer
    from workbench.nlp.indicators import code_specs_from_codebook
    from workbench.nlp.pipeline import PipelineSpec, get_pipeline

    codes = [c for c in code_specs_from_codebook(CODEBOOK) if c.name in CODES]
    # The indicators alone: the lemma model shipped for the default codes was trained on this
    # very set (bench/train_code_model.py), so it would flatter the baseline.
    spec = PipelineSpec(gazetteer=default_gazetteer(), codes=tuple(codes), code_model=False)
    nlp = get_pipeline(spec)
    resolver = Resolver(spec.gazetteer)
    out = np.zeros((len(passages), len(CODES)), dtype=bool)
    for i, doc in enumerate(nlp.pipe(p["text"] for p in passages)):
        found = {s.code for s in analyse(doc, resolver).suggestions}
        out[i] = [c in found for c in CODES]
    return out


def f1(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall, F1 of boolean arrays."""
    tp = int((predicted & gold).sum())
    fp = int((predicted & ~gold).sum())
    fn = int((~predicted & gold).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def training_walk(order: list[int], gold: np.ndarray, n: int | str) -> list[int]:
    """The passages walked, in order, until every code has ``n`` positives."""
    if n == "all":
        return list(order)
    counts = np.zeros(gold.shape[1], dtype=int)
    taken = []
    for i in order:
        taken.append(i)
        counts += gold[i]
        if (counts >= n).all():
            break
    return taken


def quality(repeats: int = 20, char_ngrams: bool = False, c: float | None = None,
            lemmas_only: bool = False, verbose: bool = True) -> dict:
    """The learning curve of the model against the indicator baseline."""
    from workbench.analysis.features import FeatureSpace, Lemmatiser
    from workbench.analysis.suggestions import SETTINGS, learn_code, probabilities

    c = SETTINGS["suggestion_c"] if c is None else c
    passages = load_set()
    gold = np.array([[code in p["codes"] for code in CODES] for p in passages])
    baseline = indicator_predictions(passages)
    lemmatise = Lemmatiser()
    lemmas = [lemmatise(p["text"]) for p in passages]
    columns = [] if lemmas_only else list(CODES)
    hits = {code: baseline[:, k] for k, code in enumerate(CODES)}
    space = FeatureSpace.fit(lemmas, char_ngrams=char_ngrams, indicator_codes=columns)
    X = space.transform(lemmas, hits)
    n_test = int(round(0.3 * len(passages)))
    curve: dict = {}
    for n in CURVE:
        model_scores = np.zeros((repeats, len(CODES), 3))
        base_scores = np.zeros((repeats, len(CODES), 3))
        sizes, thresholds = [], []
        for r in range(repeats):
            order = list(range(len(passages)))
            random.Random(r).shuffle(order)
            test, pool = np.array(order[:n_test]), order[n_test:]
            train = np.array(training_walk(pool, gold, n))
            sizes.append(len(train))
            for k in range(len(CODES)):
                fit = learn_code(X[train], gold[train, k].astype(np.int8), c)
                weights = np.zeros((X.shape[1], 1), dtype=np.float32)
                weights[fit.index, 0] = fit.values
                predicted = probabilities(X[test], weights, np.array([fit.intercept]))[:, 0] \
                    >= fit.threshold
                thresholds.append(fit.threshold)
                model_scores[r, k] = f1(predicted, gold[test, k])
                base_scores[r, k] = f1(baseline[test, k], gold[test, k])
        mean_model, mean_base = model_scores.mean(axis=0), base_scores.mean(axis=0)
        curve[str(n)] = {
            "training_passages": round(float(np.mean(sizes)), 1),
            "mean_threshold": round(float(np.mean(thresholds)), 2),
            "codes": {code: {"model": dict(zip(("precision", "recall", "f1"),
                                               np.round(mean_model[k], 3).tolist(),
                                               strict=True)),
                             "indicators": dict(zip(("precision", "recall", "f1"),
                                                    np.round(mean_base[k], 3).tolist(),
                                                    strict=True))}
                      for k, code in enumerate(CODES)},
            "macro_f1": {"model": round(float(model_scores[:, :, 2].mean()), 3),
                         "indicators": round(float(base_scores[:, :, 2].mean()), 3)},
        }
        if verbose:
            print(f"  N={n}: {curve[str(n)]['macro_f1']}", file=sys.stderr)
    cv = {code: learn_code(X, gold[:, k].astype(np.int8), c).metrics
          for k, code in enumerate(CODES)}
    full_base = {code: dict(zip(("precision", "recall", "f1"),
                                np.round(f1(baseline[:, k], gold[:, k]), 3).tolist(),
                                strict=True)) for k, code in enumerate(CODES)}
    return {"passages": len(passages), "test_passages": n_test, "repeats": repeats,
            "settings": {"char_ngrams": char_ngrams, "C": c,
                         "indicator_features": not lemmas_only},
            "positives": {code: int(gold[:, k].sum()) for k, code in enumerate(CODES)},
            "curve": curve, "cross_validated_all": cv, "indicators_all": full_base,
            "macro_f1_cross_validated": round(float(np.mean([v["f1"] for v in cv.values()])),
                                              3),
            "macro_f1_indicators_all": round(float(np.mean([v["f1"]
                                                            for v in full_base.values()])), 3)}


def print_quality(report: dict) -> None:
    """The learning curve as Markdown tables."""
    print(f"Coded set: {report['passages']} passages "
          f"({', '.join(f'{k} {v}' for k, v in report['positives'].items())}); "
          f"{report['repeats']} repeats, {report['test_passages']} held out each; "
          f"settings {report['settings']}.\n")
    print("| coded passages per code | training passages | " +
          " | ".join(f"{c} F1 model / indicators" for c in CODES) +
          " | macro-F1 model | macro-F1 indicators | difference |")
    print("|---" * (len(CODES) + 5) + "|")
    for n, row in report["curve"].items():
        cells = [f"{row['codes'][c]['model']['f1']:.2f} / {row['codes'][c]['indicators']['f1']:.2f}"
                 for c in CODES]
        m, b = row["macro_f1"]["model"], row["macro_f1"]["indicators"]
        print(f"| {n} | {row['training_passages']:.0f} | " + " | ".join(cells) +
              f" | {m:.2f} | {b:.2f} | {m - b:+.2f} |")
    print("\nAt 40 coded passages per code, precision / recall:\n")
    print("| code | model P | model R | model F1 | indicators P | indicators R | indicators F1 |")
    print("|---|---|---|---|---|---|---|")
    row = report["curve"]["40"]["codes"]
    for c in CODES:
        m, b = row[c]["model"], row[c]["indicators"]
        print(f"| {c} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | "
              f"{b['precision']:.2f} | {b['recall']:.2f} | {b['f1']:.2f} |")
    print("\n5-fold cross-validation on the whole set (as 'workbench suggest-eval'):\n")
    print("| code | model P | model R | model F1 | indicators F1 (whole set) |")
    print("|---|---|---|---|---|")
    for c in CODES:
        m = report["cross_validated_all"][c]
        print(f"| {c} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | "
              f"{report['indicators_all'][c]['f1']:.2f} |")
    print(f"| macro | | | {report['macro_f1_cross_validated']:.2f} | "
          f"{report['macro_f1_indicators_all']:.2f} |")


def project_check(seed: int = 0, coded_share: float = 0.7) -> dict:
    """The same set through a real project: documents of ten passages (paragraphs), tagged
    with the default codebook, the first 70 % of documents coded by their gold codes, then
    'workbench suggest': the stored model and indicator suggestions on the documents left
    uncoded are scored against the gold codes."""
    from workbench.analysis import suggestions as sg
    from workbench.core import codebook, codings
    from workbench.core.documents import DocumentMeta, add_document
    from workbench.core.models import ParsedDocument, ParsedSegment
    from workbench.core.store import Project
    from workbench.nlp import tagging

    passages = load_set()
    order = list(range(len(passages)))
    random.Random(seed).shuffle(order)
    with tempfile.TemporaryDirectory() as tmp:
        Project.create(Path(tmp) / "check.wbp").close()
        project = Project.open(Path(tmp) / "check.wbp", coder="bench")
        codebook.load_codebook(project, codebook.read_yaml(CODEBOOK))
        docs = [order[i:i + 10] for i in range(0, len(order), 10)]
        n_coded = int(round(coded_share * len(docs)))
        where: dict[tuple[int, int], int] = {}
        for d, members in enumerate(docs):
            text, segments = "", []
            for i in members:
                if text:
                    text += "\n\n"
                segments.append(ParsedSegment("paragraph", len(text),
                                              len(text) + len(passages[i]["text"])))
                text += passages[i]["text"]
            parsed = ParsedDocument(text=text, original_text=text, segments=segments,
                                    source_format="txt")
            doc_id = add_document(project, parsed, source_name=f"check{d}.txt",
                                  source_path="", sha256=f"check-{d}",
                                  meta=DocumentMeta(name=f"check{d:02d}"))
            for i, seg in zip(members, segments, strict=True):
                where[(doc_id, seg.start)] = i
                if d < n_coded:
                    for code in passages[i]["codes"]:
                        codings.add_coding(project, doc_id, seg.start, seg.end, code)
        project.set_setting("code_model", False)  # indicators alone, as above
        tagging.run(project)
        sg.suggest(project, top=None)
        unread = [i for members in docs[n_coded:] for i in members]
        predicted = {origin: {code: set() for code in CODES} for origin in ("model", "indicator")}
        for row in project.rows('SELECT s.document_id, s.start, s."end", s.origin, c.name '
                                "FROM suggestions s JOIN codes c ON c.id = s.code_id"):
            for (doc_id, start), i in where.items():
                end = start + len(passages[i]["text"])
                if doc_id == row["document_id"] and start < row["end"] and row["start"] < end:
                    predicted[row["origin"]][row["name"]].add(i)
        report = {"documents": len(docs), "coded_documents": n_coded,
                  "unread_passages": len(unread), "codes": {}}
        for code in CODES:
            gold = np.array([code in passages[i]["codes"] for i in unread])
            row = {}
            for origin in ("model", "indicator"):
                hits = np.array([i in predicted[origin][code] for i in unread])
                row[origin] = dict(zip(("precision", "recall", "f1"),
                                       np.round(f1(hits, gold), 3).tolist(), strict=True))
            report["codes"][code] = row
        report["macro_f1"] = {origin: round(float(np.mean(
            [report["codes"][c][origin]["f1"] for c in CODES])), 3)
            for origin in ("model", "indicator")}
        evaluation = sg.evaluate(project)
        report["suggest_eval_macro"] = evaluation["macro"]
        project.close()
    return report


def print_project_check(report: dict) -> None:
    """The project check as a Markdown table."""
    print(f"\nThrough a tagged project ({report['documents']} documents of ten passages, "
          f"{report['coded_documents']} coded, {report['unread_passages']} passages left "
          f"uncoded):\n")
    print("| code | model P | model R | model F1 | indicators P | indicators R | indicators F1 |")
    print("|---|---|---|---|---|---|---|")
    for code, row in report["codes"].items():
        m, b = row["model"], row["indicator"]
        print(f"| {code} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | "
              f"{b['precision']:.2f} | {b['recall']:.2f} | {b['f1']:.2f} |")
    print(f"| macro | | | {report['macro_f1']['model']:.2f} | | | "
          f"{report['macro_f1']['indicator']:.2f} |")
    print(f"\n'workbench suggest-eval' on the coded documents: {report['suggest_eval_macro']}")


# -------------------------------------------------------------------------------- speed
PLANTS = {"trust": ["tillid", "stoler på hinanden", "kender hinanden"],
          "vision": ["vores vision", "fælles mål", "drømmen er"],
          "conflict": ["uenighed", "konflikten", "kampen om pengene"],
          "risk": ["risikoen", "det kan gå galt", "bekymring"]}


def _vocabulary(rng: random.Random):
    """The generator's vocabulary, drawing with precomputed cumulative weights.

    ``random.choices`` with ``weights`` sums all 40,000 weights again on every call, which made
    generating 20,000 segments take minutes; ``cum_weights`` gives the same distribution.
    """
    from itertools import accumulate

    from bench.generate_corpus import Vocabulary

    class Fast(Vocabulary):
        def __init__(self, rng: random.Random):
            super().__init__(rng)
            self.cumulative = list(accumulate(self.weights))

        def content(self, n: int) -> list[str]:
            return self.rng.choices(self.words, cum_weights=self.cumulative, k=n)

    return Fast(rng)


def build_project(path: Path, files: int, words: int, coded_segments: int, seed: int = 1):
    """A project of synthetic transcripts; the first documents coded until
    ``coded_segments`` segments are read, with planted words marking each code."""
    from bench.generate_corpus import transcript
    from workbench.core import codebook
    from workbench.core.documents import DocumentMeta, add_document
    from workbench.core.models import ParsedDocument, ParsedSegment
    from workbench.core.store import Project, new_guid, now

    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    Project.create(path).close()
    project = Project.open(path, coder="bench")
    codebook.load_codebook(project, codebook.read_yaml(CODEBOOK))
    code_ids = {name: codebook.get_code(project, name).id for name in PLANTS}
    read = 0
    codings = []
    for i in range(files):
        turns = []
        for block in transcript(rng, words, i, vocab).split("\n\n"):
            if block.startswith(("I: ", "R: ")):
                turns.append(block)
        labels = []
        for t, turn in enumerate(turns):
            code = rng.choice(list(PLANTS) + [None] * 4) if turn.startswith("R: ") else None
            if code:
                turns[t] = turn + " " + rng.choice(PLANTS[code]).capitalize() + "."
            labels.append(code)
        text, segments = "", []
        for turn in turns:
            if text:
                text += "\n\n"
            segments.append(ParsedSegment("turn", len(text), len(text) + len(turn),
                                          speaker=turn[0]))
            text += turn
        parsed = ParsedDocument(text=text, original_text=text, segments=segments,
                                source_format="txt", is_transcript=True)
        doc_id = add_document(project, parsed, source_name=f"syn{i}.txt", source_path="",
                              sha256=f"bench-{i}", meta=DocumentMeta(name=f"syn{i:04d}"))
        if read < coded_segments:
            for seg, code in zip(segments, labels, strict=True):
                read += 1
                if code:
                    codings.append((new_guid(), doc_id, seg.start, seg.end, code_ids[code],
                                    "bench", now(), "manual"))
    with project.atomic():
        project.conn.execute("INSERT OR IGNORE INTO coders (guid, name, created_at) "
                             "VALUES (?, 'bench', ?)", (new_guid(), now()))
        project.conn.executemany(
            'INSERT INTO codings (guid, document_id, start, "end", code_id, coder, created_at, '
            "origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", codings)
    return project, read


class Clock:
    """Wall-clock and CPU seconds of a block (the CPU time shows what the work costs when
    other programs share the machine)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = round(time.perf_counter() - self.wall, 3)
        self.cpu = round(time.process_time() - self.cpu, 3)

    def as_dict(self) -> dict:
        """Both figures."""
        return {"seconds": self.wall, "cpu_seconds": self.cpu}


def speed(words_per_file: int = 1000, verbose: bool = True) -> dict:
    """Time training on 2,000 coded segments and suggesting for 20,000 segments.

    Times are for the work itself in a running process (the TUI's case); the one-off start-up
    of a fresh process (importing scikit-learn and spaCy, loading the lemma table) is timed
    separately.
    """
    import subprocess

    from workbench.analysis import suggestions as sg
    from workbench.analysis.passages import load_passages
    from workbench.core import suggestions as core

    # What a fresh process pays once, measured in one: the CLI pays it on every call.
    code = ("import time; t = time.perf_counter(); c = time.process_time(); "
            "import sklearn.feature_extraction.text, sklearn.linear_model, "
            "sklearn.model_selection; "
            "from workbench.analysis.features import Lemmatiser, stop_words; "
            "stop_words(); Lemmatiser(); "
            "print(round(time.perf_counter() - t, 3), round(time.process_time() - c, 3))")
    wall, cpu = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True, cwd=HERE.parent).stdout.split()
    results: dict = {"start_up": {"seconds": float(wall), "cpu_seconds": float(cpu)}}
    from workbench.analysis.features import Lemmatiser, stop_words

    stop_words()
    Lemmatiser()
    with tempfile.TemporaryDirectory() as tmp:
        # About 28 turns per 1,000-word transcript: 73 files give ~2,000 segments.
        project, read = build_project(Path(tmp) / "train.wbp", 73, words_per_file, 10**9)
        n_segments = project.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        with Clock() as clock:
            training = sg.train(project, force=True)
        project.set_setting("suggestion_unit", "sentence")
        n_sentences = len(load_passages(project))
        with Clock() as sentence_clock:
            by_sentence = sg.train(project, force=True)
        results["train"] = {"segments": n_segments, "coded_segments": read,
                            "codings": project.conn.execute(
                                "SELECT COUNT(*) FROM codings").fetchone()[0],
                            **clock.as_dict(),
                            "codes_trained": training.retrained,
                            "cross_validated_f1": {c.name: c.metrics.get("f1")
                                                   for c in training.model.trained()},
                            "sentence_unit": {"sentences": n_sentences,
                                              **sentence_clock.as_dict(),
                                              "codes_trained": by_sentence.retrained}}
        project.close()

        project, read = build_project(Path(tmp) / "big.wbp", 725, words_per_file, 2000,
                                      seed=2)
        n_segments = project.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        with Clock() as train_clock:
            sg.train(project)
        with Clock() as suggest_clock:
            run = sg.suggest(project, top=20)
        # The same again without a change: the stored suggestions are still right.
        with Clock() as again_clock:
            sg.suggest(project, top=20)
        # Accepting one suggestion changes one code's examples: only that code is retrained.
        risk = next(r for r in run.rows if r["code"] == "risk") if any(
            r["code"] == "risk" for r in run.rows) else sg.merged_suggestions(
            project, code="risk", origin="model")[0]
        core.accept_suggestion(project, risk["id"])
        with Clock() as after_clock:
            after = sg.suggest(project, top=20)
        with Clock() as uncertain_clock:
            sg.suggest(project, top=20, order="uncertainty")
        results["suggest"] = {
            "segments": n_segments, "coded_segments": read,
            "train": train_clock.as_dict(),
            "suggest": suggest_clock.as_dict(),
            "open_model_suggestions": run.stored["open"],
            "unchanged_again": again_clock.as_dict(),
            "after_accepting_one": after_clock.as_dict(),
            "after_accepting_one_retrained": after.training.retrained,
            "after_accepting_one_reused": after.training.reused,
            "uncertainty_order": uncertain_clock.as_dict()}
        project.close()
    if verbose:
        print(json.dumps(results, indent=2), file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["quality", "project", "speed", "all"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--char-ngrams", action="store_true")
    parser.add_argument("--c", type=float, default=None)
    parser.add_argument("--lemmas-only", action="store_true",
                        help="Leave the indicator columns out of the features.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = {}
    if args.what in ("quality", "all"):
        out["quality"] = quality(args.repeats, args.char_ngrams, args.c, args.lemmas_only,
                                 verbose=not args.json)
        if not args.json:
            print_quality(out["quality"])
    if args.what in ("project", "all"):
        out["project"] = project_check()
        if not args.json:
            print_project_check(out["project"])
    if args.what in ("speed", "all"):
        out["speed"] = speed(verbose=False)
        if not args.json:
            s = out["speed"]
            t, g = s["train"], s["suggest"]

            def both(d: dict) -> str:
                return f"{d['seconds']} s (CPU {d['cpu_seconds']} s)"

            print(f"\nStart-up of a fresh process (scikit-learn, spaCy stop words, lemma "
                  f"table): {both(s['start_up'])}")
            print(f"Training on {t['coded_segments']} coded segments ({t['codings']} codings, "
                  f"4 codes, 5-fold cross-validation each): {both(t)}; as "
                  f"{t['sentence_unit']['sentences']} sentences: {both(t['sentence_unit'])}")
            print(f"Suggesting for {g['segments']} segments ({g['coded_segments']} coded): "
                  f"{both(g['suggest'])}, {g['open_model_suggestions']} open model "
                  f"suggestions stored (training before it: {both(g['train'])})")
            print(f"Again without a change: {both(g['unchanged_again'])}; after accepting one "
                  f"suggestion: {both(g['after_accepting_one'])} (retrained "
                  f"{', '.join(g['after_accepting_one_retrained'])}; reused "
                  f"{', '.join(g['after_accepting_one_reused'])}); uncertainty order: "
                  f"{both(g['uncertainty_order'])}")
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

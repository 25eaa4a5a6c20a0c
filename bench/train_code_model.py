"""Train the lemma model that tagging ships for the default codes (workbench.nlp.code_model).

Reads the labelled Danish passages in ``bench/data`` (each with the codes of
``codebooks/default.yaml`` a careful reader gives it), describes each passage by the lemma
words and word pairs of its sentences as the pipeline computes them, and fits one logistic
regression per code (liblinear, balanced class weights, C = 10) on TF-IDF weights (sublinear
term frequency, features in at least two passages). Tagging scores each *sentence* with it and
suggests a code from the threshold below, for sentences no indicator of the code matched.

The thresholds (0.6; 0.5 for risk) were chosen on ``tagging_eval_dev2.yaml``, tagged with a
model trained without that set (``--without bench/data/tagging_eval_dev2.yaml``, then
``bench/eval_tagging.py`` on it), before the final model was trained on every set.
``tagging_eval_final.yaml`` and ``tagging_eval_final2.yaml`` are never read here: they are the
independent measures.

Usage:
    python bench/train_code_model.py        # writes workbench/data/code_model/default.json
    python bench/train_code_model.py --without F --holdout F   # train without F, score on F
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TRAINING = [DATA / "coded_passages.jsonl", DATA / "tagging_eval.yaml",
            DATA / "tagging_eval_holdout.yaml", DATA / "tagging_eval_test.yaml",
            DATA / "tagging_eval_dev2.yaml", DATA / "tagging_eval_dev3.yaml"]
FORBIDDEN = (DATA / "tagging_eval_final.yaml", DATA / "tagging_eval_final2.yaml")
OUT = HERE.parent / "workbench" / "data" / "code_model" / "default.json"
CODES = ("trust", "vision", "conflict", "risk")
THRESHOLDS = {"trust": 0.6, "vision": 0.6, "conflict": 0.6, "risk": 0.5}
C = 10.0


def load(path: Path) -> list[tuple[str, set[str]]]:
    """(text, codes) of every passage of a labelled set (YAML ``passages`` or JSON lines)."""
    if path.resolve() in {p.resolve() for p in FORBIDDEN}:
        raise SystemExit(f"{path} is the independent test set; it must not be trained on.")
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    else:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))["passages"]
    return [(row["text"], set(row.get("codes") or [])) for row in rows]


def passage_features(texts: list[str]) -> list[list[str]]:
    """Each passage's model features, computed by the pipeline as tagging computes them."""
    from workbench.nlp.code_model import features, sentence_words
    from workbench.nlp.pipeline import PipelineSpec, get_pipeline

    nlp = get_pipeline(PipelineSpec(code_model=False))
    return [features(sentence_words(doc)) for doc in nlp.pipe(texts)]


def fit(passages: list[tuple[str, set[str]]]) -> dict:
    """The model as the JSON that workbench.nlp.code_model reads."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    docs = passage_features([text for text, _ in passages])
    vectorizer = TfidfVectorizer(analyzer=lambda feats: feats, min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    labels = vectorizer.get_feature_names_out().tolist()
    weights, intercepts = [], {}
    for code in CODES:
        y = np.array([code in codes for _, codes in passages])
        model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear")
        model.fit(matrix, y)
        weights.append(model.coef_[0])
        intercepts[code] = round(float(model.intercept_[0]), 5)
    weights = np.vstack(weights).T
    rows = [[label, round(float(idf), 5), *(round(float(w), 5) for w in ws)]
            for label, idf, ws in zip(labels, vectorizer.idf_, weights, strict=True)]
    return {"codes": list(CODES), "intercepts": intercepts,
            "thresholds": dict(THRESHOLDS),
            "trained_on": {path.name: len(load(path)) for path in TRAINING if path.exists()},
            "features": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--without", type=Path, action="append", default=[],
                        help="Leave this set out of training (repeatable).")
    parser.add_argument("--holdout", type=Path,
                        help="Score passages of this set with the model (needs --without it).")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    left_out = {p.resolve() for p in args.without}
    if args.holdout and args.holdout.resolve() in {p.resolve() for p in TRAINING} - left_out:
        raise SystemExit(f"{args.holdout} is in the training data; add --without {args.holdout} "
                         "to score the model on it.")
    passages = [p for path in TRAINING if path.resolve() not in left_out
                for p in load(path)]
    data = fit(passages)
    data["trained_on"] = {k: v for k, v in data["trained_on"].items()
                          if (DATA / k).resolve() not in left_out}
    if args.holdout:
        from workbench.nlp.code_model import CodeModel

        model = CodeModel.from_json(json.dumps(data).encode())
        docs = passage_features([t for t, _ in load(args.holdout)])
        print(f"model alone on {args.holdout.name}, passage level, "
              f"thresholds {THRESHOLDS} ({len(passages)} training passages):")
        _report_holdout(model, docs, load(args.holdout))
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out} ({len(data['features'])} features, {len(passages)} passages)")


def _report_holdout(model, docs: list[list[str]], gold: list[tuple[str, set[str]]]) -> None:
    index = {label: f for f, label in enumerate(model.labels)}
    for k, code in enumerate(model.codes):
        tp = fp = fn = 0
        for feats, (_, codes) in zip(docs, gold, strict=True):
            counts: dict[int, int] = {}
            for feat in feats:
                if feat in index:
                    counts[index[feat]] = counts.get(index[feat], 0) + 1
            if counts:
                f = np.array(list(counts))
                v = (1 + np.log(np.array(list(counts.values()), dtype=float))) * model.idf[f]
                score = float(v @ model.weights[f, k] / np.linalg.norm(v))
            else:
                score = 0.0
            hit = 1 / (1 + np.exp(-(score + model.intercepts[k]))) >= model.thresholds[k]
            tp += hit and code in codes
            fp += hit and code not in codes
            fn += (not hit) and code in codes
        print(f"  {code:9} P {tp / max(tp + fp, 1):.3f}  R {tp / max(tp + fn, 1):.3f}")


if __name__ == "__main__":
    main()

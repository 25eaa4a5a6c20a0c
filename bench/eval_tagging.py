"""Precision and recall of stakeholder mentions and code suggestions on a labelled set.

The set (bench/data/tagging_eval.yaml) holds Danish passages written for the measurement, with
the stakeholder mentions and codes a researcher would mark. Suggestions come from the default
codebook (codebooks/default.yaml); a passage counts as suggested for a code when any of its
sentences is.

A predicted mention is right when its surface is a gold surface of the passage and it resolves
to the gold label (the canonical name of a named body, or the sector of a generic actor or role).

Usage: python bench/eval_tagging.py [--errors] [--codebook FILE]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "tagging_eval.yaml"
CODEBOOK = HERE.parent / "codebooks" / "default.yaml"


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "tp": tp, "fp": fp,
            "fn": fn}


def evaluate(show_errors: bool = False, codebook: Path = CODEBOOK) -> dict:
    """Run the tagger over the labelled set and score it."""
    from workbench.nlp.analysis import Resolver, analyse
    from workbench.nlp.gazetteer import default_gazetteer
    from workbench.nlp.indicators import code_specs_from_codebook
    from workbench.nlp.pipeline import PipelineSpec, get_pipeline

    passages = yaml.safe_load(DATA.read_text(encoding="utf-8"))["passages"]
    codes = code_specs_from_codebook(codebook)
    top = {c.name for c in codes}
    spec = PipelineSpec(gazetteer=default_gazetteer(), codes=tuple(codes))
    nlp = get_pipeline(spec)
    resolver = Resolver(spec.gazetteer)
    m_tp = m_fp = m_fn = 0
    per_code = {name: Counter() for name in sorted(top)}
    errors = []
    for passage in passages:
        doc = nlp(passage["text"])
        result = analyse(doc, resolver)
        gold = Counter((s, label) for s, label in passage.get("mentions") or [])
        remaining = gold.copy()
        for m in result.mentions:
            key_canonical, key_sector = (m.surface, m.canonical), (m.surface, m.sector)
            if remaining[key_canonical] > 0:
                remaining[key_canonical] -= 1
                m_tp += 1
            elif remaining[key_sector] > 0:
                remaining[key_sector] -= 1
                m_tp += 1
            else:
                m_fp += 1
                errors.append(("mention FP", m.surface, m.canonical, m.sector, passage["text"]))
        for key, left in remaining.items():
            if left > 0:
                m_fn += left
                errors.append(("mention FN", *key, "", passage["text"]))
        predicted = {s.code for s in result.suggestions if s.code in top}
        wanted = set(passage.get("codes") or [])
        for name in top:
            if name in predicted and name in wanted:
                per_code[name]["tp"] += 1
            elif name in predicted:
                per_code[name]["fp"] += 1
                errors.append(("code FP", name, "", "", passage["text"]))
            elif name in wanted:
                per_code[name]["fn"] += 1
                errors.append(("code FN", name, "", "", passage["text"]))
    report = {
        "passages": len(passages),
        "gold_mentions": m_tp + m_fn,
        "mentions": _prf(m_tp, m_fp, m_fn),
        "suggestions": {name: _prf(c["tp"], c["fp"], c["fn"]) for name, c in per_code.items()},
    }
    if show_errors:
        report["errors"] = [" | ".join(str(x) for x in e) for e in errors]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="List every miss and false hit.")
    parser.add_argument("--codebook", type=Path, default=CODEBOOK,
                        help="Codebook whose indicators make the suggestions.")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.errors, args.codebook), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

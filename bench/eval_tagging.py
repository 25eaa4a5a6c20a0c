"""Precision and recall of stakeholder mentions and code suggestions on a labelled set.

A set is a YAML file with ``passages``: Danish passages written for the measurement, each with
the stakeholder mentions and the codes a researcher would mark (see the header of
``bench/data/tagging_eval_test.yaml`` for the labelling rules). The sets under ``data/``:

* ``tagging_eval_final2.yaml`` (the default) and ``tagging_eval_final.yaml``: the independent
  measures; written and labelled blind to the tagger and run through it only after tuning
  ended. Their misses must not be used to tune the tagger, and ``train_code_model.py`` refuses
  to read them.
* ``tagging_eval_dev2.yaml`` (codes only) and ``tagging_eval_dev3.yaml`` (mention-dense): written
  blind the same way, then used for tuning: development sets.
* ``tagging_eval_test.yaml``, ``tagging_eval_holdout.yaml`` and ``tagging_eval.yaml``: the
  independent measures of earlier rounds, development sets now (and, with the two above and
  ``coded_passages.jsonl``, the training data of the lemma model for the default codes).

Mentions are labelled ``[surface, canonical, sector]`` (held-out set; canonical ``~`` for a
generic actor or a role, where only the sector is judged) or ``[surface, label]`` (first set;
label is a sector slug or a canonical name). A predicted mention is right when it resolves to
the labelled actor (canonical name where one is given, and sector) and

* strict: covers the same words as the label (a leading article "de", "den", "det", "en", "et"
  is ignored on both sides), or
* overlap: shares at least one character with the labelled words.

Each label is matched at most once. Suggestions come from a codebook (default
``codebooks/default.yaml``); a passage counts as suggested for a code when any of its sentences
is, and is scored per passage and code.

Usage: python bench/eval_tagging.py [FILE] [--codebook FILE] [--json] [--no-misses]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "tagging_eval_final2.yaml"
CODEBOOK = HERE.parent / "codebooks" / "default.yaml"
_ARTICLE = re.compile(r"(?i)(?:de|den|det|en|et)\s+")


@dataclass
class Labelled:
    """One mention: where it is, and the actor it names (None: not judged)."""

    start: int
    end: int
    surface: str
    canonical: str | None
    sector: str | None


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "tp": tp, "fp": fp,
            "fn": fn}


def _strip_article(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without a leading article (when something is left after it)."""
    m = _ARTICLE.match(text, start, end)
    return (m.end(), end) if m and m.end() < end else (start, end)


def _norm(name: str | None) -> str | None:
    return " ".join(name.casefold().split()) if name else None


def gold_mentions(passage: dict, sectors: frozenset[str], where: str) -> list[Labelled]:
    """The passage's labelled mentions with their offsets (the k-th label of a surface is its
    k-th occurrence as a whole word).

    Raises:
        ValueError: a labelled surface does not occur in the text often enough.
    """
    text = passage["text"]
    seen: Counter = Counter()
    out = []
    for label in passage.get("mentions") or []:
        surface = str(label[0])
        if len(label) == 3:
            canonical, sector = label[1], label[2]
        elif label[1] in sectors:
            canonical, sector = None, label[1]
        else:
            canonical, sector = label[1], None
        hits = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text)]
        if seen[surface] >= len(hits):
            raise ValueError(f"{where}: passage {passage.get('id', text[:40])!r} labels "
                             f"{surface!r} more often than the text has it; fix the label.")
        start, end = _strip_article(text, *hits[seen[surface]])
        seen[surface] += 1
        out.append(Labelled(start, end, text[start:end], canonical, sector))
    return out


def _same_actor(gold: Labelled, pred: Labelled) -> bool:
    if gold.sector is not None and gold.sector != pred.sector:
        return False
    return gold.canonical is None or _norm(gold.canonical) == _norm(pred.canonical)


def match_mentions(gold: list[Labelled], predicted: list[Labelled], *, strict: bool
                   ) -> tuple[list[tuple[Labelled, Labelled]], list[Labelled], list[Labelled]]:
    """One-to-one matching: (pairs, false positives, misses)."""
    free = list(range(len(gold)))
    pairs, false_pos = [], []
    for pred in predicted:
        best, best_overlap = None, 0
        for i in free:
            g = gold[i]
            overlap = min(g.end, pred.end) - max(g.start, pred.start)
            if strict and (g.start, g.end) != (pred.start, pred.end):
                continue
            if overlap > best_overlap and _same_actor(g, pred):
                best, best_overlap = i, overlap
        if best is None:
            false_pos.append(pred)
        else:
            free.remove(best)
            pairs.append((gold[best], pred))
    return pairs, false_pos, [gold[i] for i in free]


def _describe(m: Labelled) -> str:
    who = m.canonical if m.canonical else "(generic)"
    return f"{m.surface!r} -> {who} / {m.sector}"


def evaluate(data: Path = DATA, codebook: Path = CODEBOOK) -> dict:
    """Run the tagger over the labelled set in ``data`` and score it."""
    from workbench.core.models import SECTORS
    from workbench.nlp.analysis import Resolver, analyse
    from workbench.nlp.gazetteer import default_gazetteer
    from workbench.nlp.indicators import code_specs_from_codebook
    from workbench.nlp.pipeline import PipelineSpec, get_pipeline

    passages = yaml.safe_load(data.read_text(encoding="utf-8"))["passages"]
    sectors = frozenset(SECTORS)
    codes = code_specs_from_codebook(codebook)
    top = sorted({c.name for c in codes})
    spec = PipelineSpec(gazetteer=default_gazetteer(), codes=tuple(codes))
    nlp = get_pipeline(spec)
    resolver = Resolver(spec.gazetteer)
    counts = {"strict": Counter(), "overlap": Counter()}
    per_code = {name: Counter() for name in top}
    misses: list[str] = []
    gold_total = 0
    for n, passage in enumerate(passages, 1):
        pid = passage.get("id", f"#{n}")
        text = passage["text"]
        result = analyse(nlp(text), resolver)
        gold = gold_mentions(passage, sectors, str(data))
        gold_total += len(gold)
        predicted = []
        for m in result.mentions:
            start, end = _strip_article(text, m.start, m.end)
            predicted.append(Labelled(start, end, text[start:end], m.canonical, m.sector))
        for mode in ("strict", "overlap"):
            pairs, false_pos, missed = match_mentions(gold, predicted, strict=mode == "strict")
            counts[mode].update(tp=len(pairs), fp=len(false_pos), fn=len(missed))
            if mode == "strict":
                misses += [f"{pid} mention FP {_describe(p)}" for p in false_pos]
                misses += [f"{pid} mention FN {_describe(g)}" for g in missed]
        predicted_codes = {s.code for s in result.suggestions if s.code in per_code}
        wanted = set(passage.get("codes") or [])
        for name in top:
            if name in predicted_codes and name in wanted:
                per_code[name]["tp"] += 1
            elif name in predicted_codes:
                per_code[name]["fp"] += 1
                evidence = [e for s in result.suggestions if s.code == name for e in s.evidence]
                misses.append(f"{pid} code FP {name} (evidence: {', '.join(evidence)}) "
                              f"| {text}")
            elif name in wanted:
                per_code[name]["fn"] += 1
                misses.append(f"{pid} code FN {name} | {text}")
    return {
        "file": str(data.relative_to(HERE.parent) if data.is_relative_to(HERE.parent) else data),
        "codebook": codebook.name,
        "passages": len(passages),
        "gold_mentions": gold_total,
        "mentions": {mode: _prf(c["tp"], c["fp"], c["fn"]) for mode, c in counts.items()},
        "suggestions": {name: {**_prf(c["tp"], c["fp"], c["fn"]),
                               "passages": c["tp"] + c["fn"]}
                        for name, c in per_code.items()},
        "misses": misses,
    }


def format_report(report: dict, show_misses: bool = True) -> str:
    """The report as plain-text tables (and the list of misses)."""
    lines = [f"{report['file']}: {report['passages']} passages, {report['gold_mentions']} "
             f"labelled mentions; codebook {report['codebook']}", "",
             f"{'measure':<34}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    names = {"strict": "mentions (same words)", "overlap": "mentions (overlapping words)"}
    for mode, row in report["mentions"].items():
        lines.append(f"{names[mode]:<34}{row['precision']:>10.3f}{row['recall']:>8.3f}"
                     f"{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}")
    for name, row in report["suggestions"].items():
        label = f"suggestions: {name} ({row['passages']} passages)"
        lines.append(f"{label:<34}{row['precision']:>10.3f}{row['recall']:>8.3f}"
                     f"{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}")
    if show_misses:
        lines += ["", f"misses ({len(report['misses'])}):", *report["misses"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, nargs="?", default=DATA,
                        help="Labelled set (YAML); default: the held-out set.")
    parser.add_argument("--codebook", type=Path, default=CODEBOOK,
                        help="Codebook whose indicators make the suggestions.")
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    parser.add_argument("--no-misses", action="store_true",
                        help="Leave out the list of misses and false hits.")
    args = parser.parse_args()
    report = evaluate(args.data.resolve(), args.codebook)
    if args.no_misses:
        report.pop("misses")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report, not args.no_misses))


if __name__ == "__main__":
    main()

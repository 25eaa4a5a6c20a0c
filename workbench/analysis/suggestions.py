"""Assisted coding: learn each code from the researcher's codings and suggest it elsewhere.

One binary classifier per code (one-vs-rest): logistic regression with balanced class weights
(rare codes are not drowned by the passages without them) over the features of
:mod:`workbench.analysis.features` (TF-IDF lemma words and word pairs, plus the indicator hits
of a tagged project), trained on the examples of :mod:`workbench.analysis.passages`.

Before a code is used its quality is measured by stratified cross-validation on its own
examples. The same out-of-fold probabilities choose the code's threshold (the probability from
which it is suggested: the one with the best F1 on a grid from 0.2 to 0.7; with few examples the
probabilities of a rare code rarely reach 0.5). The precision, recall and F1 reported are
honest about that choice: each fold is judged at the threshold the *other* folds chose. A code
with fewer than ``MIN_POSITIVES`` coded passages (or ``MIN_NEGATIVES`` read passages without it)
is not learnt, and the note says how many more it needs.

Training is incremental: the model remembers a fingerprint of every code's examples, and a new
run retrains only the codes whose examples changed (all of them when the passages changed, i.e.
a document was added, changed or re-tagged, or a setting changed); ``force=True`` retrains
everything. Every run that changes something is saved as a new model row (see
:mod:`workbench.analysis.model_store`).

Suggestions go into the ``suggestions`` table with origin "model", the probability as score,
the model id, and as evidence the lemma features with the largest weight x value in the passage.
Open model suggestions are refreshed in place on each run (ids stay stable), never those the
researcher has accepted or rejected; accepting and rejecting live in
:mod:`workbench.core.suggestions` and feed the next training run.

Project settings (``workbench`` stores them as JSON): ``suggestion_unit`` (segment | sentence),
``suggestion_char_ngrams`` (bool), ``suggestion_threshold`` (null: chosen per code; a number
fixes it for all codes), ``suggestion_c`` (the inverse regularisation strength of the logistic
regression).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.analysis import active_learning
from workbench.analysis.features import FeatureSpace
from workbench.analysis.model_store import (
    CodeModel,
    Model,
    codebook_version,
    load_latest,
    save_model,
)
from workbench.analysis.passages import Examples, Passages, load_passages, training_examples
from workbench.core import suggestions as suggestions_core
from workbench.core.codebook import get_code, list_codes
from workbench.core.store import Project, new_guid, now
from workbench.errors import InvalidInput

MIN_POSITIVES = 10
MIN_NEGATIVES = 10
DEPENDABLE = 40  # examples per code from which the estimates (and suggestions) settle down
FOLDS = 5
EVIDENCE_TERMS = 5
THRESHOLDS = np.round(np.arange(0.2, 0.701, 0.05), 2)
# An open model suggestion the researcher asked to see (uncertainty order) is kept while its
# probability stays within this distance below the code's threshold.
KEEP_MARGIN = 0.2

# Which model and passages the stored model suggestions come from (skips predicting again).
STATE_SETTING = "suggestion_state"
SETTINGS = {"suggestion_unit": "segment", "suggestion_char_ngrams": False,
            "suggestion_threshold": None, "suggestion_c": 10.0}


def model_settings(project: Project, unit: str | None = None) -> dict[str, Any]:
    """The settings that shape a model: the project's, with defaults."""
    from workbench.analysis.passages import project_unit

    settings = {key: project.setting(key, default) for key, default in SETTINGS.items()}
    settings["suggestion_unit"] = project_unit(project, unit)
    return settings


# ------------------------------------------------------------------------------ learning
def fit_weights(X, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Fit one code's logistic regression; returns (feature indices, weights, intercept).

    Only the features present in the examples are given to the solver: the others would get
    weight 0 anyway, and a project's vocabulary is many times larger than what a few thousand
    coded passages use. With far more features than examples liblinear's dual solver reaches
    the same optimum many times faster than the primal one.
    """
    from sklearn.linear_model import LogisticRegression

    active = np.unique(X.indices)
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", dual=True,
                             max_iter=1000)
    clf.fit(X[:, active], y)
    coef = clf.coef_[0].astype(np.float32)
    keep = np.flatnonzero(coef)
    return active[keep], coef[keep], float(clf.intercept_[0])


def probabilities(X, weights: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
    """Logistic probabilities of a (passages x features) matrix for (features x codes)."""
    scores = np.asarray(X @ weights, dtype=np.float64) + intercepts
    return 1.0 / (1.0 + np.exp(-scores))


def out_of_fold(X, y: np.ndarray, c: float, folds: int = FOLDS
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """Stratified k-fold out-of-fold probabilities and the fold of each example (None when
    there are fewer than two examples of a class)."""
    from sklearn.model_selection import StratifiedKFold

    positives = int(y.sum())
    k = min(folds, positives, len(y) - positives)
    if k < 2:
        return None
    probability = np.zeros(len(y))
    fold = np.zeros(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    for i, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
        index, values, intercept = fit_weights(X[train], y[train], c)
        weights = np.zeros((X.shape[1], 1), dtype=np.float32)
        weights[index, 0] = values
        probability[test] = probabilities(X[test], weights, np.array([intercept]))[:, 0]
        fold[test] = i
    return probability, fold


def best_threshold(probability: np.ndarray, gold: np.ndarray) -> float:
    """The threshold on ``THRESHOLDS`` with the best F1 (ties: the one nearest 0.5)."""
    f1s = [scores(probability >= t, gold)["f1"] for t in THRESHOLDS]
    best = max(f1s)
    return float(min((t for t, f in zip(THRESHOLDS, f1s, strict=True) if f == best),
                     key=lambda t: abs(t - 0.5)))


@dataclass
class CodeFit:
    """One code's learnt weights, threshold and cross-validated quality."""

    index: np.ndarray
    values: np.ndarray
    intercept: float
    threshold: float
    metrics: dict[str, Any]


def learn_code(X, y: np.ndarray, c: float, threshold: float | None = None) -> CodeFit:
    """Cross-validate, choose the threshold (unless given) and fit the code on all examples.

    The reported figures judge each fold at the threshold chosen on the other folds'
    out-of-fold probabilities, so choosing the threshold does not flatter them.
    """
    metrics: dict[str, Any] = {}
    chosen = 0.5 if threshold is None else float(threshold)
    oof = out_of_fold(X, y, c)
    if oof is not None:
        probability, fold = oof
        gold = y.astype(bool)
        if threshold is None:
            chosen = best_threshold(probability, gold)
            predicted = np.zeros(len(y), dtype=bool)
            for f in np.unique(fold):
                inside = fold == f
                t = best_threshold(probability[~inside], gold[~inside])
                predicted[inside] = probability[inside] >= t
        else:
            predicted = probability >= chosen
        metrics = scores(predicted, gold, folds=int(fold.max()) + 1, threshold=chosen)
    index, values, intercept = fit_weights(X, y, c)
    return CodeFit(index, values, intercept, chosen, metrics)


def scores(predicted: np.ndarray, gold: np.ndarray, **extra: Any) -> dict[str, Any]:
    """Precision, recall and F1 of boolean predictions against boolean gold labels."""
    tp = int((predicted & gold).sum())
    fp = int((predicted & ~gold).sum())
    fn = int((~predicted & gold).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "tp": tp, "fp": fp, "fn": fn, **extra}


def needed(examples: Examples) -> dict[str, int]:
    """How many more coded passages (positives) and read passages without the code
    (negatives) the code needs before it can be learnt."""
    return {"positives": max(0, MIN_POSITIVES - len(examples.positive)),
            "negatives": max(0, MIN_NEGATIVES - len(examples.negative))}


def note(code: CodeModel) -> str:
    """One sentence about a code's state, for the researcher."""
    if code.status != "trained":
        parts = []
        if code.needed.get("positives"):
            parts.append(f"{code.needed['positives']} more coded passage(s)")
        if code.needed.get("negatives"):
            parts.append(f"{code.needed['negatives']} more read passage(s) without it")
        return (f"{code.name}: cannot learn yet from {code.positives} coded and "
                f"{code.negatives} uncoded example(s); it needs {' and '.join(parts)} "
                f"(at least {MIN_POSITIVES} of each).")
    if code.positives < DEPENDABLE:
        return (f"{code.name}: learnt from only {code.positives} coded passage(s); estimates "
                f"are rough below {DEPENDABLE}, so check its suggestions closely.")
    return f"{code.name}: learnt from {code.positives} coded and {code.negatives} other passages."


@dataclass
class TrainEvent:
    """One step of training: "start" (``total`` codes), "code" (one code done), "done"."""

    status: str
    index: int
    total: int
    code: str | None = None
    action: str | None = None  # trained, reused, too_few


@dataclass
class Training:
    """The outcome of a training run: the model and what happened to each code."""

    model: Model
    passages: Passages
    examples: dict[int, Examples]
    retrained: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    too_few: list[str] = field(default_factory=list)
    saved: bool = False
    seconds: float = 0.0
    X: Any = None  # the passages' features, when training computed them

    def notes(self) -> list[str]:
        """One note per code (see :func:`note`)."""
        return [note(c) for c in self.model.codes.values()]


def _training_fingerprint(settings: dict, version: str, passages: Passages,
                          examples: dict[int, Examples]) -> str:
    blob = json.dumps({"settings": settings, "codebook": version,
                       "passages": passages.fingerprint,
                       "codes": sorted((e.guid, e.fingerprint) for e in examples.values())},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def training_steps(project: Project, *, force: bool = False, unit: str | None = None,
                   result: list | None = None) -> Iterator[TrainEvent]:
    """Train (incrementally) and save the model, yielding progress; the :class:`Training`
    is appended to ``result`` when given.

    Raises:
        InvalidInput: the project has no documents or no codes.
    """
    started = time.perf_counter()
    settings = model_settings(project, unit)
    codes = list_codes(project)
    if not codes:
        raise InvalidInput(f"{project.path.name} has no codes to learn; load a codebook with "
                           "'workbench codebook import PROJECT FILE' first.")
    passages = load_passages(project, settings["suggestion_unit"])
    if not len(passages):
        raise InvalidInput(f"{project.path.name} has no text to learn from; import documents "
                           "first.")
    examples = training_examples(project, passages, [(c.id, c.guid, c.name) for c in codes])
    version = codebook_version(project)
    fingerprint = _training_fingerprint(settings, version, passages, examples)
    latest = load_latest(project)
    if latest is not None and not force and latest.training_fingerprint == fingerprint:
        yield TrainEvent("start", 0, 0)
        training = Training(latest, passages, examples,
                            seconds=round(time.perf_counter() - started, 3))
        training.reused = [c.name for c in latest.codes.values() if c.status == "trained"]
        training.too_few = [c.name for c in latest.codes.values() if c.status != "trained"]
        if result is not None:
            result.append(training)
        yield TrainEvent("done", 0, 0)
        return

    if not any(not any(needed(examples[code.id]).values()) for code in codes):
        # Nothing can be learnt yet: say what each code needs, without building features.
        model = Model(settings["suggestion_unit"], version, passages.fingerprint, fingerprint,
                      settings, None, {})
        yield TrainEvent("start", 0, len(codes))
        for i, code in enumerate(codes, 1):
            ex = examples[code.id]
            model.codes[code.guid] = CodeModel(code.guid, code.id, code.name,
                                               len(ex.positive), len(ex.negative),
                                               ex.fingerprint, "too_few", needed=needed(ex))
            yield TrainEvent("code", i, len(codes), code.name, "too_few")
        training = Training(model, passages, examples, too_few=[c.name for c in codes],
                            seconds=round(time.perf_counter() - started, 3))
        if result is not None:
            result.append(training)
        yield TrainEvent("done", len(codes), len(codes))
        return

    # The old weights can be reused only in the same feature space with the same settings.
    reusable = (latest is not None and not force
                and latest.passages_fingerprint == passages.fingerprint
                and latest.settings.get("suggestion_char_ngrams")
                == settings["suggestion_char_ngrams"]
                and latest.settings.get("suggestion_c") == settings["suggestion_c"]
                and latest.settings.get("suggestion_threshold")
                == settings["suggestion_threshold"])
    if reusable:
        space = latest.space
        X = space.transform(passages.lemmas, passages.indicator_hits)
    else:
        # The stop words of an earlier model spare loading spaCy just to list them again.
        space, X = FeatureSpace.fit_transform(
            passages.lemmas, char_ngrams=bool(settings["suggestion_char_ngrams"]),
            indicator_codes=passages.indicator_codes, indicator_hits=passages.indicator_hits,
            stop=latest.space.stop if latest is not None else None)
    model = Model(settings["suggestion_unit"], version, passages.fingerprint, fingerprint,
                  settings, space, {})
    training = Training(model, passages, examples, X=X)
    yield TrainEvent("start", 0, len(codes))
    c, threshold = float(settings["suggestion_c"]), settings["suggestion_threshold"]
    for i, code in enumerate(codes, 1):
        ex = examples[code.id]
        old = latest.codes.get(code.guid) if reusable else None
        entry = CodeModel(code.guid, code.id, code.name, len(ex.positive), len(ex.negative),
                          ex.fingerprint, "too_few", needed=needed(ex))
        if any(entry.needed.values()):
            action = "too_few"
            training.too_few.append(code.name)
        elif old is not None and old.status == "trained" and old.examples == ex.fingerprint:
            entry.status, entry.metrics, entry.trained_in = "trained", old.metrics, old.trained_in
            entry.index, entry.values, entry.intercept = old.index, old.values, old.intercept
            entry.threshold = old.threshold
            action = "reused"
            training.reused.append(code.name)
        else:
            rows = ex.indices
            fit = learn_code(X[rows], ex.labels(rows), c, threshold)
            entry.index, entry.values, entry.intercept = fit.index, fit.values, fit.intercept
            entry.threshold, entry.metrics = fit.threshold, fit.metrics
            entry.status = "trained"
            action = "trained"
            training.retrained.append(code.name)
        model.codes[code.guid] = entry
        yield TrainEvent("code", i, len(codes), code.name, action)
    save_model(project, model)
    training.saved = True
    training.seconds = round(time.perf_counter() - started, 3)
    if result is not None:
        result.append(training)
    yield TrainEvent("done", len(codes), len(codes))


def train(project: Project, *, force: bool = False, unit: str | None = None) -> Training:
    """Train to the end (see :func:`training_steps`) and return the outcome."""
    result: list[Training] = []
    for _ in training_steps(project, force=force, unit=unit, result=result):
        pass
    return result[0]


# ---------------------------------------------------------------------------- predicting
@dataclass
class Predictions:
    """Probabilities for every unread (passage, code) pair, as parallel arrays."""

    passage: np.ndarray
    code: np.ndarray  # index into ``codes``
    probability: np.ndarray
    codes: list[CodeModel]
    X: Any = None  # features of all passages (for evidence)
    weights: np.ndarray | None = None  # features x codes

    def __len__(self) -> int:
        return len(self.passage)

    @property
    def threshold(self) -> np.ndarray:
        """The decision threshold of each pair's code."""
        thresholds = np.array([c.threshold for c in self.codes], dtype=np.float64)
        return thresholds[self.code] if len(self.code) else np.zeros(0)


def predict(training: Training) -> Predictions:
    """Probability of each trained code for each passage that is not an example of it."""
    model, passages = training.model, training.passages
    codes = model.trained()
    if not codes or not len(passages):
        empty = np.zeros(0, dtype=np.int64)
        return Predictions(empty, empty, np.zeros(0), codes)
    X = training.X if training.X is not None else \
        model.space.transform(passages.lemmas, passages.indicator_hits)
    weights = np.stack([c.dense(model.space.n_features) for c in codes], axis=1)
    intercepts = np.array([c.intercept for c in codes])
    unread = np.ones((len(passages), len(codes)), dtype=bool)
    for k, code in enumerate(codes):
        unread[training.examples[code.code_id].indices, k] = False
    # Passages without a single known feature carry no evidence either way.
    unread &= (np.diff(X.indptr) > 0)[:, None]
    passage, code = np.nonzero(unread)
    probs = np.empty(len(passage))
    for k in range(len(codes)):
        mask = code == k
        if mask.any():
            probs[mask] = probabilities(X[passage[mask]], weights[:, k:k + 1],
                                        intercepts[k:k + 1])[:, 0]
    return Predictions(passage, code, probs, codes, X, weights)


def evidence(space: FeatureSpace, X, passage: int, weights: np.ndarray,
             n: int = EVIDENCE_TERMS) -> list[dict[str, Any]]:
    """The lemma features with the largest positive weight x value in the passage.

    Args:
        X: the passages' feature matrix (CSR); weights: the code's dense weight vector.
    """
    start, stop = X.indptr[passage], X.indptr[passage + 1]
    cols, vals = X.indices[start:stop], X.data[start:stop]
    keep = cols < space.n_word_features  # character n-grams mean nothing to a reader
    cols, vals = cols[keep], vals[keep]
    if not len(cols):
        return []
    contribution = weights[cols] * vals
    best = np.argsort(-contribution)[:n]
    names = space.word_names()
    return [{"lemma": str(names[cols[j]]), "weight": round(float(contribution[j]), 3)}
            for j in best if contribution[j] > 0]


def refresh_suggestions(project: Project, training: Training, predictions: Predictions, *,
                        extra: Sequence[int] = ()) -> dict[str, int]:
    """Bring the open model suggestions in line with the predictions.

    A (passage, code) pair is stored when its probability reaches the code's threshold, when
    it is in ``extra`` (indices of pairs the researcher asked to see, e.g. the uncertainty
    queue), or when it was stored before and its probability is still less than
    ``KEEP_MARGIN`` below the threshold. Existing
    rows keep their ids (score, evidence and model are updated); rows no longer wanted are
    removed. Accepted and rejected suggestions are never touched.

    Returns:
        Counts: added, updated, removed, open.
    """
    model, passages = training.model, training.passages
    threshold = predictions.threshold
    doc_ids = passages.doc_ids
    code_ids = np.array([c.code_id for c in predictions.codes], dtype=np.int64)
    keys = {}
    if len(predictions):
        pd = doc_ids[predictions.passage].tolist()
        ps = passages.start[predictions.passage].tolist()
        pe = passages.end[predictions.passage].tolist()
        pc = code_ids[predictions.code].tolist()
        keys = {(d, s, e, c): i for i, (d, s, e, c) in enumerate(zip(pd, ps, pe, pc,
                                                                      strict=True))}
    wanted = set(np.flatnonzero(predictions.probability >= threshold).tolist()) | set(extra)
    existing = project.conn.execute(
        "SELECT id, document_id, start, \"end\", code_id FROM suggestions "
        "WHERE origin = 'model' AND status = 'open'").fetchall()
    counts = {"added": 0, "updated": 0, "removed": 0}
    stamp = now()
    with project.atomic():
        conn = project.conn
        for row in existing:
            i = keys.get((row[1], row[2], row[3], row[4]))
            if i is not None and (i in wanted or predictions.probability[i]
                                  >= threshold[i] - KEEP_MARGIN):
                wanted.discard(i)
                conn.execute("UPDATE suggestions SET score = ?, evidence = ?, model_id = ? "
                             "WHERE id = ?", (*_score_and_evidence(training, predictions, i),
                                              model.id, row[0]))
                counts["updated"] += 1
            else:
                conn.execute("DELETE FROM suggestions WHERE id = ?", (row[0],))
                counts["removed"] += 1
        inserts = []
        for i in sorted(wanted):
            p = int(predictions.passage[i])
            score, ev = _score_and_evidence(training, predictions, i)
            inserts.append((new_guid(), int(doc_ids[p]), int(passages.start[p]),
                            int(passages.end[p]), int(code_ids[predictions.code[i]]), "model",
                            score, ev, "open", stamp, model.id))
        conn.executemany(
            'INSERT INTO suggestions (guid, document_id, start, "end", code_id, origin, score, '
            "evidence, status, created_at, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts)
        counts["added"] = len(inserts)
    counts["open"] = project.conn.execute(
        "SELECT COUNT(*) FROM suggestions WHERE origin = 'model' AND status = 'open'"
    ).fetchone()[0]
    return counts


def _score_and_evidence(training: Training, predictions: Predictions, i: int
                        ) -> tuple[float, str]:
    k = int(predictions.code[i])
    ev = evidence(training.model.space, predictions.X, int(predictions.passage[i]),
                  predictions.weights[:, k])
    return round(float(predictions.probability[i]), 4), json.dumps(ev, ensure_ascii=False)


# ------------------------------------------------------------------------------ listing
def merged_suggestions(project: Project, *, code: str | int | None = None,
                       origin: str | None = None, with_text: bool = True
                       ) -> list[dict[str, Any]]:
    """Open suggestions of both origins, each labelled by origin, with ``agrees``: the ids of
    open suggestions of the other origin for the same code on overlapping text.

    Args:
        code: only this code's suggestions; origin: only "model" or "indicator" ones.
        with_text: include each passage's ``text`` (see :func:`add_text` to add it later).
    """
    rows = suggestions_core.list_suggestions(project, status="open", code=code,
                                             with_text=False)
    by_key: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        by_key.setdefault((row["document_id"], row["code_id"]), []).append(row)
    for group in by_key.values():
        for row in group:
            row["agrees"] = [o["id"] for o in group if o["origin"] != row["origin"]
                             and o["start"] < row["end"] and row["start"] < o["end"]]
            row["evidence_words"] = suggestions_core.evidence_words(row["evidence"])
    if origin:
        rows = [r for r in rows if r["origin"] == origin]
    if with_text:
        add_text(project, rows)
    return rows


def _finish(project: Project, training: Training, rows: list[dict[str, Any]]) -> None:
    """Add the passage text, and each model suggestion's code threshold."""
    add_text(project, rows)
    thresholds = {c.code_id: c.threshold for c in training.model.trained()}
    for row in rows:
        row["threshold"] = thresholds.get(row["code_id"]) if row["origin"] == "model" else None


def add_text(project: Project, rows: list[dict[str, Any]]) -> None:
    """Set ``text``, the suggested passage, on suggestion rows (by their ``id``)."""
    ids = [r["id"] for r in rows]
    texts: dict[int, str] = {}
    for at in range(0, len(ids), 900):
        chunk = ids[at:at + 900]
        texts.update(project.conn.execute(
            f'SELECT s.id, SUBSTR(d.text, s.start + 1, s."end" - s.start) FROM suggestions s '
            f"JOIN documents d ON d.id = s.document_id "
            f"WHERE s.id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    for row in rows:
        row["text"] = texts.get(row["id"], "")


@dataclass
class SuggestRun:
    """What ``workbench suggest`` shows: the model, notes per code, and the ranked rows."""

    training: Training
    stored: dict[str, int]
    rows: list[dict[str, Any]]
    order: str

    def as_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"model": self.training.model.summary(), "notes": self.training.notes(),
                "retrained": self.training.retrained, "reused": self.training.reused,
                "too_few": self.training.too_few, "stored": self.stored,
                "order": self.order, "suggestions": self.rows}


def suggest(project: Project, *, code: str | int | None = None, force: bool = False,
            top: int | None = 20, order: str = "confidence", unit: str | None = None,
            origin: str | None = None) -> SuggestRun:
    """Train if the codings changed, store fresh model suggestions and list them ranked.

    Args:
        code: only this code's suggestions.
        force: retrain every code.
        top: how many rows to return (None: all).
        order: confidence (highest score first) or uncertainty (the unread passages the model
            is least sure about first; model suggestions only).
        unit: segment or sentence (default: the project setting).
        origin: only "model" or only "indicator" suggestions.
    """
    if order not in active_learning.ORDERS:
        raise InvalidInput(f"'{order}' is not an order; use confidence or uncertainty.")
    wanted_code = get_code(project, code) if code is not None else None
    training = train(project, force=force, unit=unit)
    state = {"model": training.model.id, "passages": training.passages.fingerprint}
    if order == "confidence" and not force and project.setting(STATE_SETTING) == state:
        # Same model, same passages: the stored suggestions are what predicting would give.
        stored = {"added": 0, "updated": 0, "removed": 0, "open": project.conn.execute(
            "SELECT COUNT(*) FROM suggestions WHERE origin = 'model' AND status = 'open'"
        ).fetchone()[0]}
        rows = merged_suggestions(project, code=wanted_code.id if wanted_code else None,
                                  origin=origin, with_text=False)
        rows.sort(key=lambda r: (-r["score"], r["document"], r["start"]))
        rows = rows[:top] if top is not None else rows
        _finish(project, training, rows)
        return SuggestRun(training, stored, rows, order)
    predictions = predict(training)
    extra: list[int] = []
    if order == "uncertainty" and len(predictions):
        pool = np.arange(len(predictions))
        if wanted_code is not None:
            code_ids = np.array([c.code_id for c in predictions.codes])
            pool = pool[code_ids[predictions.code] == wanted_code.id]
        chosen = active_learning.uncertainty_queue(predictions.passage[pool],
                                                   predictions.probability[pool], top,
                                                   predictions.threshold[pool])
        extra = pool[chosen].tolist()
    stored = refresh_suggestions(project, training, predictions, extra=extra)
    project.set_setting(STATE_SETTING, state)
    rows = merged_suggestions(project, code=wanted_code.id if wanted_code else None,
                              origin=origin if order == "confidence" else "model",
                              with_text=False)
    if order == "uncertainty":
        ranked = []
        doc_ids = training.passages.doc_ids
        index = {(r["document_id"], r["start"], r["end"], r["code_id"]): r for r in rows}
        for i in extra:
            p = int(predictions.passage[i])
            key = (int(doc_ids[p]), int(training.passages.start[p]),
                   int(training.passages.end[p]),
                   predictions.codes[int(predictions.code[i])].code_id)
            if key in index:
                ranked.append(index[key])
        rows = ranked
    else:
        rows.sort(key=lambda r: (-r["score"], r["document"], r["start"]))
    rows = rows[:top] if top is not None else rows
    _finish(project, training, rows)
    return SuggestRun(training, stored, rows, order)


# ---------------------------------------------------------------------------- evaluating
def indicator_baseline(project: Project, training: Training, code: CodeModel
                       ) -> dict[str, Any] | None:
    """The indicators' precision, recall and F1 on the code's own examples, from the
    suggestions tagging stored (any status); None when the project is not tagged."""
    if not project.conn.execute("SELECT 1 FROM tagged_documents LIMIT 1").fetchone():
        return None
    ex = training.examples.get(code.code_id)
    if ex is None or not len(ex.indices):
        return None
    rows = project.conn.execute(
        'SELECT document_id, start, "end" FROM suggestions WHERE origin = \'indicator\' '
        "AND code_id = ?", (code.code_id,)).fetchall()
    hit = np.zeros(len(training.passages), dtype=bool)
    if rows:
        cols = [np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True)]
        _, passage = training.passages.locate(*cols)
        hit[passage] = True
    rows_idx = ex.indices
    return scores(hit[rows_idx], ex.labels(rows_idx).astype(bool))


def evaluate(project: Project, *, unit: str | None = None, force: bool = False
             ) -> dict[str, Any]:
    """Train if needed and report each code's cross-validated quality next to the indicator
    baseline, with notes for the codes that cannot be learnt yet.

    Returns:
        ``{"model": summary, "codes": [per-code rows], "macro": {...}, "notes": [...]}``.
    """
    training = train(project, force=force, unit=unit)
    rows = []
    for code in training.model.codes.values():
        row = {"code": code.name, "positives": code.positives, "negatives": code.negatives,
               "status": code.status, "needed": code.needed, "model": code.metrics or None,
               "indicators": indicator_baseline(project, training, code), "note": note(code)}
        rows.append(row)
    learnt = [r for r in rows if r["model"]]
    macro: dict[str, Any] = {}
    if learnt:
        macro["model_f1"] = round(float(np.mean([r["model"]["f1"] for r in learnt])), 3)
        with_base = [r for r in learnt if r["indicators"]]
        if with_base:
            macro["indicator_f1"] = round(float(np.mean([r["indicators"]["f1"]
                                                         for r in with_base])), 3)
        macro["codes"] = len(learnt)
    return {"model": training.model.summary(), "codes": rows, "macro": macro,
            "notes": training.notes()}

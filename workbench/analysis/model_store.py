"""Suggestion models saved in the project: table ``models`` (migration 4).

A model row records what it was trained on, so any suggestion (``suggestions.model_id``) can be
traced: the unit, the codebook version, a fingerprint of the passages and one of the training
examples, and per code the example counts, the fingerprint of its examples, its cross-validated
quality and the model row in which its weights were last trained. The weights themselves are a
compressed numpy archive in ``data``, read with ``allow_pickle=False``: a project file from
someone else can carry no code. Only the newest row keeps its weights.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from workbench.analysis.features import FeatureSpace
from workbench.core.store import Project, new_guid, now


def codebook_version(project: Project) -> str:
    """A short hash of the codes' guids, names, parents, indicators and exclusions."""
    rows = project.rows("SELECT c.guid, c.name, p.guid AS parent, c.indicators, c.exclusions "
                        "FROM codes c LEFT JOIN codes p ON p.id = c.parent_id ORDER BY c.guid")
    blob = json.dumps(rows, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


@dataclass
class CodeModel:
    """One code's classifier and what it was trained on.

    Attributes:
        status: "trained", or "too_few" when there are not enough examples to learn.
        needed: how many more positive (coded) and negative (read, not coded) passages the
            code needs before it can be learnt.
        threshold: the probability from which the code is suggested (chosen by
            cross-validation to give the best F1, unless the project fixes one).
        metrics: cross-validated precision, recall, F1 at the threshold (and tp, fp, fn,
            folds).
        index, values, intercept: the non-zero weights by feature index, and the bias.
        trained_in: id of the model row whose training run fitted these weights.
    """

    guid: str
    code_id: int
    name: str
    positives: int
    negatives: int
    examples: str
    status: str
    needed: dict[str, int] = field(default_factory=dict)
    threshold: float = 0.5
    metrics: dict[str, Any] = field(default_factory=dict)
    trained_in: int | None = None
    index: np.ndarray | None = None
    values: np.ndarray | None = None
    intercept: float = 0.0

    def info(self) -> dict[str, Any]:
        """Everything but the weights, for the ``codes`` column and JSON output."""
        data = asdict(self)
        for key in ("index", "values", "intercept"):
            data.pop(key)
        return data

    def dense(self, n_features: int) -> np.ndarray:
        """The weights as a dense vector."""
        weights = np.zeros(n_features, dtype=np.float32)
        if self.index is not None:
            weights[self.index] = self.values
        return weights


@dataclass
class Model:
    """A trained set of per-code classifiers over one feature space."""

    unit: str
    codebook_version: str
    passages_fingerprint: str
    training_fingerprint: str
    settings: dict[str, Any]
    space: FeatureSpace | None  # None while no code can be learnt (nothing is saved then)
    codes: dict[str, CodeModel]
    id: int | None = None
    guid: str | None = None
    created_at: str | None = None
    created_by: str | None = None

    def trained(self) -> list[CodeModel]:
        """The codes that have weights."""
        return [c for c in self.codes.values() if c.status == "trained"]

    def summary(self) -> dict[str, Any]:
        """What the model is, without weights (for the CLI and JSON)."""
        return {"id": self.id, "guid": self.guid, "created_at": self.created_at,
                "unit": self.unit, "codebook_version": self.codebook_version,
                "passages_fingerprint": self.passages_fingerprint,
                "training_fingerprint": self.training_fingerprint,
                "settings": self.settings,
                "features": self.space.n_features if self.space is not None else 0,
                "codes": [c.info() for c in self.codes.values()]}


def _pack(model: Model) -> bytes:
    arrays = dict(model.space.to_arrays())
    intercepts = []
    for i, code in enumerate(model.codes.values()):
        if code.status == "trained":
            arrays[f"code{i}_index"] = code.index.astype(np.int32)
            arrays[f"code{i}_values"] = code.values.astype(np.float32)
        intercepts.append(code.intercept)
    arrays["intercepts"] = np.asarray(intercepts, dtype=np.float64)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def save_model(project: Project, model: Model) -> int:
    """Store a new model row (the newest keeps its weights; older rows keep only their
    description); returns its id. Code models trained in this run get ``trained_in``."""
    model.guid = new_guid()
    model.created_at = now()
    model.created_by = project.coder
    with project.atomic():
        cur = project.conn.execute(
            "INSERT INTO models (guid, created_at, created_by, unit, codebook_version, "
            "passages_fingerprint, training_fingerprint, settings, codes, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', NULL)",
            (model.guid, model.created_at, model.created_by, model.unit,
             model.codebook_version, model.passages_fingerprint, model.training_fingerprint,
             json.dumps(model.settings)))
        model.id = cur.lastrowid
        for code in model.codes.values():
            if code.status == "trained" and code.trained_in is None:
                code.trained_in = model.id
        project.conn.execute(
            "UPDATE models SET codes = ?, data = ? WHERE id = ?",
            (json.dumps([c.info() for c in model.codes.values()], ensure_ascii=False),
             _pack(model), model.id))
        project.conn.execute("UPDATE models SET data = NULL WHERE id != ? AND data IS NOT NULL",
                             (model.id,))
    return model.id


def update_metrics(project: Project, model: Model) -> None:
    """Store the model's per-code information again (after an evaluation added to it)."""
    project.conn.execute("UPDATE models SET codes = ? WHERE id = ?",
                         (json.dumps([c.info() for c in model.codes.values()],
                                     ensure_ascii=False), model.id))


def load_latest(project: Project) -> Model | None:
    """The newest model with weights, or None when the project has none."""
    row = project.conn.execute(
        "SELECT * FROM models WHERE data IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    with np.load(io.BytesIO(row["data"]), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    space = FeatureSpace.from_arrays(arrays)
    codes: dict[str, CodeModel] = {}
    for i, info in enumerate(json.loads(row["codes"])):
        code = CodeModel(**info)
        if code.status == "trained":
            code.index = arrays[f"code{i}_index"].astype(np.int64)
            code.values = arrays[f"code{i}_values"]
            code.intercept = float(arrays["intercepts"][i])
        codes[code.guid] = code
    return Model(row["unit"], row["codebook_version"], row["passages_fingerprint"],
                 row["training_fingerprint"], json.loads(row["settings"]), space, codes,
                 id=row["id"], guid=row["guid"], created_at=row["created_at"],
                 created_by=row["created_by"])


def list_models(project: Project) -> list[dict[str, Any]]:
    """Every model row, newest first, without weights (for tracing suggestions)."""
    rows = project.rows("SELECT id, guid, created_at, created_by, unit, codebook_version, "
                        "passages_fingerprint, training_fingerprint, settings, codes, "
                        "data IS NOT NULL AS has_weights FROM models ORDER BY id DESC")
    for row in rows:
        row["settings"] = json.loads(row["settings"])
        row["codes"] = json.loads(row["codes"])
    return rows

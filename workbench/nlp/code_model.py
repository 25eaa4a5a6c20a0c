"""Code suggestions from a lemma model shipped with the default codebook.

Informants mostly say trust, vision, conflict and risk without the codebook's indicator words
("de ville ikke flytte sig en millimeter", "hvem skal køre ud om natten, når pengene er
væk?"). Besides the indicator matchers, the pipeline therefore scores every sentence with a
linear model (logistic regression over TF-IDF weighted lemma words and word pairs) trained on
the labelled Danish passages in ``bench/data`` by ``bench/train_code_model.py``. The model
ships as package data (``workbench/data/code_model/default.json``: the features with their IDF
and one weight per code, an intercept and a threshold per code), so scoring needs neither
scikit-learn nor a download.

It knows the four codes of ``codebooks/default.yaml`` (``trust``, ``vision``, ``conflict``,
``risk``) and is used only for codes of those names; the codes of one's own keep to their
indicators. A sentence whose probability for a code reaches the code's threshold, and that no
indicator of the code matched, gets a suggestion whose evidence is the words whose features
raised the score most, as written. ``PipelineSpec(code_model=False)`` (``workbench tag
--no-code-model``, ``tag-text --no-code-model``) leaves it out.

Features: the lower-case lemmas of a sentence's word tokens (tokens with a letter or a digit)
and the pairs of neighbouring ones, the same in training (:func:`sentence_words`) and in
scoring (:meth:`CodeModelScorer.__call__`, vectorised over a whole doc with the form table).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from workbench.nlp.forms import SENT_STARTS_KEY, forms_for

RESULTS_KEY = "wb_code_model"
EVIDENCE_KEY = "wb_code_model_evidence"
FEATURE = "code_model_lemma"
PAIR = " "  # a word pair's feature is its two lemmas joined by a space
EVIDENCE = 3  # lemma features shown as a suggestion's evidence
MIN_WORDS = 6  # a sentence with fewer words gets no model suggestion (chosen on dev2)
SHORT_WORDS, SHORT_MARGIN = 12, 0.2  # under 12 words the threshold is 0.2 higher (dev2)


@dataclass(frozen=True)
class CodeModel:
    """The shipped model in arrays: feature ``f`` has IDF ``idf[f]`` and the weights
    ``weights[f]`` (one column per code)."""

    codes: tuple[str, ...]
    labels: tuple[str, ...]  # feature strings ("tillid", "stole på")
    lemma_ids: dict[str, int]  # every lemma that occurs in a feature -> its lemma id
    unigram: numpy.ndarray  # lemma id -> feature index of the lemma alone, -1 if none
    pair_keys: numpy.ndarray  # sorted keys (first lemma id * number of lemmas + second)
    pair_features: numpy.ndarray  # feature index of each key
    idf: numpy.ndarray
    weights: numpy.ndarray  # (features, codes)
    intercepts: numpy.ndarray
    thresholds: numpy.ndarray
    fingerprint: str

    @classmethod
    def from_json(cls, blob: bytes) -> CodeModel:
        """Read the model from the JSON that ``bench/train_code_model.py`` writes."""
        data = json.loads(blob)
        codes = tuple(data["codes"])
        rows = data["features"]
        labels = tuple(row[0] for row in rows)
        lemma_ids: dict[str, int] = {}
        for label in labels:
            for word in label.split(PAIR):
                lemma_ids.setdefault(word, len(lemma_ids))
        n = len(lemma_ids)
        unigram = numpy.full(n, -1, dtype=numpy.int64)
        keys, pair_features = [], []
        for f, label in enumerate(labels):
            words = label.split(PAIR)
            if len(words) == 1:
                unigram[lemma_ids[words[0]]] = f
            else:
                keys.append(lemma_ids[words[0]] * n + lemma_ids[words[1]])
                pair_features.append(f)
        order = numpy.argsort(numpy.array(keys, dtype=numpy.int64), kind="stable")
        return cls(
            codes=codes, labels=labels, lemma_ids=lemma_ids, unigram=unigram,
            pair_keys=numpy.array(keys, dtype=numpy.int64)[order],
            pair_features=numpy.array(pair_features, dtype=numpy.int64)[order],
            idf=numpy.array([row[1] for row in rows], dtype=numpy.float64),
            weights=numpy.array([row[2:] for row in rows], dtype=numpy.float64).reshape(
                len(rows), len(codes)),
            intercepts=numpy.array([data["intercepts"][c] for c in codes], dtype=numpy.float64),
            thresholds=numpy.array([data["thresholds"][c] for c in codes], dtype=numpy.float64),
            fingerprint=hashlib.sha256(blob).hexdigest()[:12])


@lru_cache(maxsize=1)
def shipped_model() -> CodeModel:
    """The model shipped as package data (read once per process)."""
    blob = resources.files("workbench.data").joinpath("code_model/default.json").read_bytes()
    return CodeModel.from_json(blob)


def sentence_words(doc: Doc) -> list[list[str]]:
    """The lower-case lemmas of each sentence's word tokens: what the model's features are
    made of (training reads passages through this)."""
    forms = forms_for(doc.vocab)
    ids = forms.ids(doc)
    word = forms["word"][ids]
    out: list[list[str]] = []
    for sent in doc.sents:
        out.append([forms.lemmas[ids[i]] for i in range(sent.start, sent.end) if word[i]])
    return out


def features(sentences: list[list[str]]) -> list[str]:
    """The model's features of a passage: its lemmas, and the pairs of neighbouring lemmas
    within a sentence."""
    out: list[str] = []
    for words in sentences:
        out.extend(words)
        out.extend(f"{a}{PAIR}{b}" for a, b in zip(words, words[1:], strict=False))
    return out


class CodeModelScorer:
    """Pipeline component: scores each sentence for the model's codes among the configured
    ones. Results go to ``doc.user_data[RESULTS_KEY]`` as ``(code, first token, probability,
    *where)`` for every sentence at or above the code's threshold; ``evidence(doc, *where)``
    gives the words whose features raised its score most."""

    def __init__(self, nlp: Language):
        self.vocab = nlp.vocab
        self.model: CodeModel | None = None
        self.columns: numpy.ndarray = numpy.zeros(0, dtype=numpy.int64)
        self.weights = self.intercepts = self.thresholds = numpy.zeros(0)
        stop = nlp.Defaults.stop_words
        self._is_stop = lambda word: word in stop
        self.content = numpy.zeros(0, dtype=bool)

    def configure(self, codes: list[str], enabled: bool = True) -> None:
        """Score the codes named in ``codes`` that the model knows (none when not enabled)."""
        model = shipped_model() if enabled else None
        if model is None or not set(codes) & set(model.codes):
            self.model, self.columns = None, numpy.zeros(0, dtype=numpy.int64)
            return
        self.model = model
        self.columns = numpy.array([k for k, c in enumerate(model.codes) if c in codes],
                                   dtype=numpy.int64)
        # The configured codes' columns, contiguous, so a doc gathers only rows.
        self.weights = numpy.ascontiguousarray(model.weights[:, self.columns])
        self.intercepts = model.intercepts[self.columns]
        self.thresholds = model.thresholds[self.columns]
        # Evidence shows features with a content word first ("betale for", not "det have").
        self.content = numpy.array([not all(self._is_stop(w) for w in label.split(PAIR))
                                    for label in model.labels], dtype=bool)
        lemma_ids = model.lemma_ids
        forms_for(self.vocab).add_feature(FEATURE, numpy.int64,
                                          lambda _text, lemma: lemma_ids.get(lemma, -1))

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[RESULTS_KEY] = found = []
        model = self.model
        if model is None or not len(doc):
            return doc
        forms = forms_for(doc.vocab)
        ids = forms.ids(doc)
        words = numpy.nonzero(forms["word"][ids])[0]
        if not len(words):
            return doc
        starts = doc.user_data.get(SENT_STARTS_KEY)
        if starts is None:
            starts = numpy.nonzero(doc.to_array("SENT_START") == 1)[0]
        sentence = numpy.zeros(len(doc), dtype=numpy.int64)
        sentence[starts[starts > 0]] = 1
        sentence = numpy.cumsum(sentence)[words]
        lemma = forms[FEATURE][ids[words]]
        n = len(model.lemma_ids)
        # Unigrams, then the pairs of neighbouring words of one sentence.
        known = lemma >= 0
        feat_uni = numpy.where(known, model.unigram[numpy.maximum(lemma, 0)], -1)
        # Pairs: only those of two known lemmas in one sentence are looked up.
        cand = numpy.nonzero(known[:-1] & known[1:] & (sentence[:-1] == sentence[1:]))[0]
        feat_pair = numpy.zeros(0, dtype=numpy.int64)
        if len(cand) and len(model.pair_keys):
            keys = lemma[cand] * n + lemma[cand + 1]
            slot = numpy.minimum(numpy.searchsorted(model.pair_keys, keys),
                                 len(model.pair_keys) - 1)
            hit = model.pair_keys[slot] == keys
            cand, feat_pair = cand[hit], model.pair_features[slot[hit]]
        uni = numpy.nonzero(feat_uni >= 0)[0]
        feat = numpy.concatenate([feat_uni[uni], feat_pair])
        if not len(feat):
            return doc
        sent = numpy.concatenate([sentence[uni], sentence[cand]])
        first = numpy.concatenate([words[uni], words[cand]])
        last = numpy.concatenate([words[uni], words[cand + 1]])
        # Term frequency per (sentence, feature), sublinear, times IDF, normalised per sentence.
        _, where, tf = numpy.unique(sent * len(model.labels) + feat, return_index=True,
                                    return_counts=True)
        feat, sent, first, last = feat[where], sent[where], first[where], last[where]
        value = (1.0 + numpy.log(tf)) * model.idf[feat]
        # The unique keys are sorted by sentence first, so each sentence's features are one
        # run of rows.
        new_sentence = numpy.ones(len(sent), dtype=bool)
        new_sentence[1:] = sent[1:] != sent[:-1]
        inverse = numpy.cumsum(new_sentence) - 1
        sentences = sent[new_sentence]
        norm = numpy.sqrt(numpy.bincount(inverse, weights=value * value))
        contribution = (value / norm[inverse])[:, None] * self.weights[feat]
        run_starts = numpy.append(numpy.nonzero(new_sentence)[0], len(sent))
        totals = numpy.add.reduceat(contribution, run_starts[:-1], axis=0)
        prob = 1.0 / (1.0 + numpy.exp(-(totals + self.intercepts)))
        # The model's weights were fitted on passages of a few sentences: a very short
        # sentence ("At vi skulle kontakte kommunen.") is left out, and a short one's
        # probability is less sure (few words, each weighing much), so it must clear a higher
        # bar; transcripts are full of them ("Det har de lovet at prøve.").
        words_in = numpy.bincount(sentence, minlength=sentences[-1] + 1)[sentences]
        need = self.thresholds + SHORT_MARGIN * (words_in < SHORT_WORDS)[:, None]
        hit_rows, hit_cols = numpy.nonzero((prob >= need) & (words_in >= MIN_WORDS)[:, None])
        if not len(hit_rows):
            return doc
        first_token = numpy.minimum.reduceat(first, run_starts[:-1])
        # Evidence is picked later, by evidence(), for the suggestions that are kept: most
        # sentences the model flags also have an indicator of the code, which goes first.
        doc.user_data[EVIDENCE_KEY] = (feat, contribution, self.content, first, last)
        codes = [model.codes[c] for c in self.columns.tolist()]
        found.extend(zip([codes[c] for c in hit_cols.tolist()],
                         first_token[hit_rows].tolist(),
                         numpy.round(prob[hit_rows, hit_cols], 3).tolist(),
                         run_starts[hit_rows].tolist(), run_starts[hit_rows + 1].tolist(),
                         hit_cols.tolist(), strict=True))
        return doc


def evidence(doc: Doc, lo: int, hi: int, column: int) -> list[str]:
    """The words of one scored sentence (rows ``lo:hi`` of the doc's feature table) whose
    features raised the code's score most, content words first, as they stand in the text
    ("tør ikke", not the lemmas "tø ikke"); empty when no content word raised it (a sentence
    of small words, "men jeg har også nogle", is no evidence of a code)."""
    feat, contribution, content, first, last = doc.user_data[EVIDENCE_KEY]
    gain = contribution[lo:hi, column]
    is_content = content[feat[lo:hi]]
    if not (is_content & (gain > 0)).any():
        return []
    best = numpy.lexsort((-gain, ~is_content))[:EVIDENCE]
    return [doc[a:b + 1].text for a, b, g in zip(first[lo + best].tolist(),
                                                 last[lo + best].tolist(),
                                                 gain[best].tolist(), strict=True) if g > 0]

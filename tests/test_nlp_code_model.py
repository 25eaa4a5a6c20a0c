"""The lemma model shipped for the default codes: it suggests trust, vision, conflict and risk
where informants say them without an indicator word, never for codes of other names, scores a
sentence as the training features describe it, and can be switched off."""

from __future__ import annotations

import json

import numpy
import pytest
from click.testing import CliRunner

from tests.conftest import CODEBOOKS
from workbench.cli import main
from workbench.nlp.analysis import MODEL_EVIDENCE, Resolver, analyse
from workbench.nlp.code_model import features, sentence_words, shipped_model
from workbench.nlp.gazetteer import default_gazetteer
from workbench.nlp.indicators import CodeSpec, code_specs_from_codebook
from workbench.nlp.pipeline import PipelineSpec, get_pipeline

DEFAULT_CODES = tuple(code_specs_from_codebook(CODEBOOKS / "default.yaml"))
# Conflict said without any of the codebook's indicator words.
DIGGING_IN = "Hver gang vi foreslår noget nyt, siger overlægerne nej, og så går møderne i stå."
LOGISTICS = "Mødet flyttes til lokale 3 på rådhuset, og der bliver serveret kaffe."


@pytest.fixture(scope="module")
def nlp():
    return get_pipeline(PipelineSpec(gazetteer=default_gazetteer(), codes=DEFAULT_CODES))


def suggestions(nlp, text: str):
    return analyse(nlp(text), Resolver(default_gazetteer())).suggestions


def model_probability(code: str, text: str, nlp) -> float:
    """The probability computed by hand from the training features (sentence by sentence)."""
    model = shipped_model()
    k = model.codes.index(code)
    index = {label: f for f, label in enumerate(model.labels)}
    counts: dict[int, int] = {}
    for feat in features(sentence_words(nlp(text))):
        if feat in index:
            counts[index[feat]] = counts.get(index[feat], 0) + 1
    f = numpy.array(list(counts))
    value = (1 + numpy.log(numpy.array(list(counts.values()), dtype=float))) * model.idf[f]
    score = value @ model.weights[f, k] / numpy.linalg.norm(value) + model.intercepts[k]
    return float(1 / (1 + numpy.exp(-score)))


def test_the_shipped_model_knows_the_four_default_codes():
    model = shipped_model()
    assert model.codes == ("trust", "vision", "conflict", "risk")
    assert len(model.labels) > 1000
    assert all(0 < t < 1 for t in model.thresholds)
    assert "stole på" in model.labels  # word pairs are features too


def test_an_implicit_sentence_gets_a_model_suggestion_with_lemma_evidence(nlp):
    found = [s for s in suggestions(nlp, DIGGING_IN) if s.indicators == [MODEL_EVIDENCE]]
    assert [s.code for s in found] == ["conflict"]
    assert found[0].start == 0 and found[0].end == len(DIGGING_IN)
    assert "foreslår" in found[0].evidence  # content words first, as written
    assert found[0].score >= shipped_model().thresholds[2]


def test_logistics_get_no_suggestion(nlp):
    assert suggestions(nlp, LOGISTICS) == []


def test_the_scorer_matches_the_training_features(nlp):
    """What the pipeline computes vectorised equals the features training reads."""
    for text in (DIGGING_IN, "Vi stoler på hinanden nu, og vi ringer bare direkte til dem."):
        found = {s.code: s.score for s in suggestions(nlp, text)
                 if s.indicators == [MODEL_EVIDENCE]}
        for code, score in found.items():
            assert score == pytest.approx(model_probability(code, text, nlp), abs=1e-3)


def test_an_indicator_hit_is_not_repeated_by_the_model(nlp):
    text = "Der er en konflikt mellem kommunen og regionen om, hvem der skal betale."
    conflict = [s for s in suggestions(nlp, text) if s.code == "conflict"]
    assert len(conflict) == 1 and MODEL_EVIDENCE not in conflict[0].indicators


def test_each_sentence_is_scored_on_its_own(nlp):
    text = f"{LOGISTICS} {DIGGING_IN}"
    found = [s for s in suggestions(nlp, text) if s.code == "conflict"]
    assert [(s.start, s.end) for s in found] == [(len(LOGISTICS) + 1, len(text))]


def test_codes_of_other_names_keep_to_their_indicators():
    spec = PipelineSpec(codes=(CodeSpec("samarbejde", ("samarbejde",)),))
    assert spec.pipeline_id() == PipelineSpec(codes=spec.codes, code_model=False).pipeline_id()
    assert suggestions(get_pipeline(spec), DIGGING_IN) == []


def test_switching_the_model_off_changes_the_pipeline_and_the_suggestions(nlp):
    off = PipelineSpec(gazetteer=default_gazetteer(), codes=DEFAULT_CODES, code_model=False)
    assert off.pipeline_id() != PipelineSpec(gazetteer=default_gazetteer(),
                                             codes=DEFAULT_CODES).pipeline_id()
    assert suggestions(get_pipeline(off), DIGGING_IN) == []


def test_tag_text_shows_model_suggestions_and_leaves_them_out_on_request():
    runner = CliRunner()
    codebook = str(CODEBOOKS / "default.yaml")
    on = json.loads(runner.invoke(main, ["tag-text", "--codebook", codebook, "--compact"],
                                  input=DIGGING_IN).output)
    assert [(s["code"], s["indicators"]) for s in on["suggestions"]] == [
        ("conflict", [MODEL_EVIDENCE])]
    off = json.loads(runner.invoke(main, ["tag-text", "--codebook", codebook, "--compact",
                                          "--no-code-model"], input=DIGGING_IN).output)
    assert off["suggestions"] == []


def test_the_project_setting_is_kept_and_retags(tmp_path):
    runner = CliRunner()
    project = str(tmp_path / "p.wbp")
    source = tmp_path / "interview.txt"
    source.write_text(f"I: Hvordan går det?\nR: {DIGGING_IN}\n", encoding="utf-8")
    assert runner.invoke(main, ["init", project, "--codebook",
                                str(CODEBOOKS / "default.yaml")]).exit_code == 0
    assert runner.invoke(main, ["import", project, str(source)]).exit_code == 0
    first = json.loads(runner.invoke(main, ["tag", project, "--json"]).output)
    assert first["suggestions"] >= 1
    second = json.loads(runner.invoke(main, ["tag", project, "--no-code-model",
                                             "--json"]).output)
    assert second["documents"] == 1 and second["suggestions"] == 0
    again = json.loads(runner.invoke(main, ["tag", project, "--json"]).output)
    assert again["documents"] == 0  # the setting stays off until --code-model


def test_model_evidence_always_has_a_content_word(nlp):
    """A sentence whose score comes from small words only ("men jeg har også nogle") gets no
    model suggestion; whatever is suggested shows a content word as evidence."""
    stop = nlp.Defaults.stop_words
    text = ("Men jeg har også nogle forbehold. Det har de lovet at prøve. Hver gang vi foreslår "
            "noget nyt, siger overlægerne nej, og så går møderne i stå. Jeg ved ikke, om vi når "
            "det. Det er egentlig det, samtalen kan gøre for os alle sammen i kommunen.")
    for s in suggestions(nlp, text):
        if s.indicators == [MODEL_EVIDENCE]:
            assert any(any(w.lower() not in stop for w in e.split(" ")) for e in s.evidence)


def test_short_sentences_need_a_higher_probability(nlp):
    from workbench.nlp import code_model

    assert code_model.MIN_WORDS <= 6 < code_model.SHORT_WORDS
    # Five words: never scored; the conflict sentence above has more than twelve.
    assert suggestions(nlp, "Overlægerne siger altid nej.") == []

"""Code indicators: affixes, word classes, wide gaps, negated exclusions, and what the shipped
codebook suggests for the ways Danish informants talk about trust, vision, conflict and risk."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import CODEBOOKS
from workbench.nlp.analysis import Resolver, analyse
from workbench.nlp.gazetteer import default_gazetteer
from workbench.nlp.indicators import CodeSpec, code_specs_from_codebook
from workbench.nlp.pipeline import PipelineSpec, get_pipeline

CAPABILITY_CODES = (
    CodeSpec("risk", ("*risiko", "om <tal> år", "i <årstal:2030-2099>", "frem mod <årstal>")),
    CodeSpec("conflict", ("*konflikt*", "tone ... skarp", "kritik", "uenig", "ikke enig",
                          "være imod", "pege fingre"), (
        {"negated": True, "reason": "nægtet"},
    )),
    CodeSpec("trust", ("kende hinanden", "tillid", "uenig"), (
        {"indicator": ["kende hinanden", "tillid"], "near": ["system"], "window": 3,
         "reason": "et system"},
    )),
)


@pytest.fixture(scope="module")
def capability_nlp():
    # The indicators alone: the lemma model shipped for codes of these names is tested in
    # test_nlp_code_model.py.
    return get_pipeline(PipelineSpec(codes=CAPABILITY_CODES, code_model=False))


@pytest.fixture(scope="module")
def default_nlp():
    """The pipeline with the shipped default codebook."""
    codes = tuple(code_specs_from_codebook(CODEBOOKS / "default.yaml"))
    return get_pipeline(PipelineSpec(gazetteer=default_gazetteer(), codes=codes,
                                     code_model=False))


def evidence(nlp, text: str) -> list[tuple[str, list[str]]]:
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    return [(s.code, s.evidence) for s in result.suggestions]


def codes(nlp, text: str) -> set[str]:
    return {code for code, _ in evidence(nlp, text)}


# ----------------------------------------------------------------------------- capabilities
def test_a_leading_star_matches_compounds_ending_in_the_word_but_not_the_word(capability_nlp):
    assert evidence(capability_nlp, "Infektionsrisikoen stiger om vinteren.") == [
        ("risk", ["Infektionsrisikoen"])]
    assert evidence(capability_nlp, "Risikoen er lille.") == []


def test_stars_on_both_sides_match_the_letters_anywhere(capability_nlp):
    assert evidence(capability_nlp, "Interessekonflikterne fylder.") == [
        ("conflict", ["Interessekonflikterne"])]


@pytest.mark.parametrize("text", ["Hvor er vi om fem år?", "Hvor er vi om 10 år?",
                                  "Hvor er vi om tyve år?"])
def test_a_number_class_matches_digits_and_danish_number_words(capability_nlp, text):
    assert codes(capability_nlp, text) == {"risk"}


def test_a_number_class_does_not_match_other_words(capability_nlp):
    assert evidence(capability_nlp, "Vi mødes to gange om året.") == []


def test_a_year_class_matches_years_and_a_range_limits_them(capability_nlp):
    assert evidence(capability_nlp, "Frem mod 2027 skal vi spare.") == [
        ("risk", ["Frem mod 2027"])]
    assert evidence(capability_nlp, "Sådan ser forløbet ud i 2035.") == [("risk", ["i 2035"])]
    assert evidence(capability_nlp, "Sådan så forløbet ud i 2016.") == []
    assert evidence(capability_nlp, "Der kom 2035 borgere i 2016.") == []


def test_dots_let_two_phrase_words_stand_further_apart_in_a_clause(capability_nlp):
    assert evidence(capability_nlp, "Tonen på vores fælles møder er blevet skarpere.") == [
        ("conflict", ["Tonen på vores fælles møder er blevet skarpere"])]


@pytest.mark.parametrize("text", [
    "Tonen på møderne er ikke blevet skarpere.",  # a negation in the gap
    "Tonen var god, men diskussionen blev skarpere.",  # punctuation in the gap
    "Tonen på de mange fælles møder i styregruppen er blevet skarpere.",  # too far
])
def test_a_wide_gap_still_stops_at_negation_punctuation_and_its_length(capability_nlp, text):
    assert evidence(capability_nlp, text) == []


def test_a_comma_before_a_relative_does_not_end_the_clause_of_a_phrase():
    nlp = get_pipeline(PipelineSpec(codes=(CodeSpec("risk", ("ingen vide hvem",)),),
                                    code_model=False))
    assert evidence(nlp, "Der er ingen, der ved, hvem der har ansvaret.") == [
        ("risk", ["ingen, der ved, hvem"])]
    assert evidence(nlp, "Der er ingen, men de ved, hvem der har ansvaret.") == []


def test_a_negation_may_be_a_word_of_the_phrase(capability_nlp):
    assert evidence(capability_nlp, "Regionen og kommunen er ikke blevet enige.") == [
        ("conflict", ["ikke blevet enige"])]


@pytest.mark.parametrize("text", [
    "Der er ingen uenige i gruppen.",
    "Det er ikke en kritik af sygeplejerskerne.",
    "Han sagde det uden at pege fingre ad nogen.",
    "Der var ingen, der var imod forslaget.",
    "Vi har aldrig været uenige om det.",
])
def test_a_negated_exclusion_cancels_denied_hits(capability_nlp, text):
    assert "conflict" not in codes(capability_nlp, text)


@pytest.mark.parametrize(("text", "words"), [
    ("Vi har ikke løst kritikken endnu.", ["kritikken"]),  # the negation is the verb's
    ("Jeg er ikke sikker, men de er uenige.", ["uenige"]),  # another clause
    ("Det var ikke meget, men der var kritik.", ["kritik"]),
])
def test_a_negated_exclusion_leaves_hits_the_negation_does_not_reach(capability_nlp, text,
                                                                       words):
    assert ("conflict", words) in evidence(capability_nlp, text)


def test_a_negated_exclusion_applies_only_to_its_code(capability_nlp):
    assert evidence(capability_nlp, "Vi er ikke uenige.") == [("trust", ["uenige"])]


def test_an_exclusion_may_name_several_indicators(capability_nlp):
    assert evidence(capability_nlp, "Vi har tillid til systemet. Vi har tillid til dem.") == [
        ("trust", ["tillid"])]
    text = "Nu kender vi hinanden og systemet."
    assert evidence(capability_nlp, text) == []


def test_a_later_word_of_a_phrase_alone_suggests_nothing(capability_nlp):
    assert evidence(capability_nlp, "Hinanden. Enige. Fingre. År.") == []


# ----------------------------------------------------------------------------- codebooks
def test_the_extended_codebook_repeats_the_default_codes():
    default = yaml.safe_load((CODEBOOKS / "default.yaml").read_text(encoding="utf-8"))
    extended = yaml.safe_load((CODEBOOKS / "extended.yaml").read_text(encoding="utf-8"))
    shared = {code["name"]: code for code in extended["codes"]}
    for code in default["codes"]:
        mine = {k: v for k, v in shared[code["name"]].items() if k != "children"}
        assert mine == code


@pytest.mark.parametrize("path", ["default.yaml", "extended.yaml"])
def test_every_indicator_and_exclusion_of_the_shipped_codebooks_compiles(path):
    specs = code_specs_from_codebook(CODEBOOKS / path)
    nlp = get_pipeline(PipelineSpec(codes=tuple(specs), code_model=False))
    matcher = nlp.get_pipe("wb_indicators")
    indicators = sum(len(spec.indicators) for spec in specs)
    assert len(matcher.indicator_patterns) == indicators
    assert len(matcher.exclusions) == sum(len(spec.exclusions) for spec in specs)


# ----------------------------------------------------------------------------- default codebook
@pytest.mark.parametrize(("code", "text"), [
    # trust: openness, honesty, knowing and relying on each other, and distrust
    ("trust", "Overlægen har været meget åben om, hvad der gik skævt på afdelingen."),
    ("trust", "Hjemmeplejen er blevet mere åbne over for at dele deres observationer."),
    ("trust", "Vi kan sige tingene, som de er, uden at nogen bliver sure."),
    ("trust", "Der er ingen af parterne, der prøver at skjule noget for de andre."),
    ("trust", "Vi lærte hinanden at kende på kurset i Vejle."),
    ("trust", "Siden vi mødtes ansigt til ansigt, er det blevet nemmere."),
    ("trust", "Nu kan jeg ringe direkte til koordinatoren i kommunen."),
    ("trust", "Regionen holder, hvad de lover, og det betyder alt."),
    ("trust", "Vi føler os svigtet af forvaltningen."),
    ("trust", "De aftalte det bag om ryggen på os."),
    ("trust", "Lægerne har fået et godt forhold til sygeplejerskerne i akutteamet."),
    ("trust", "Der er stor respekt for hinandens faglighed."),
    ("trust", "Forvaltningen har været meget åbne og har delt alle tal med os."),
    ("trust", "Vi kan sige til hinanden, når noget ikke virker."),
    # vision: the future, goals, dreams, strategy, target years
    ("vision", "Hvor står vi om ti år, hvis det her lykkes?"),
    ("vision", "Målet er, at ingen borger bliver udskrevet uden en aftale med egen læge."),
    ("vision", "Kommunens nye sundhedsstrategi sætter borgerens hjem i centrum."),
    ("vision", "Jeg drømmer om, at vi deler én plan."),
    ("vision", "Jeg tror på, at vi om et par år har løst det."),
    ("vision", "Vi tegnede et fælles billede af, hvordan forløbet skal se ud."),
    ("vision", "Sådan skal genoptræningen foregå i 2035."),
    ("vision", "Hvor ser vi os selv, når projektet slutter?"),
    ("vision", "Jeg kan godt se for mig, at vi har fælles nattevagter."),
    # conflict: disagreement, blame, money and power, refusal, a sharper tone
    ("conflict", "Kommunen og sygehuset peger stadig på hinanden."),
    ("conflict", "Jeg tror, lægerne er trætte af os."),
    ("conflict", "Modellen blev trukket ned over hovedet på os."),
    ("conflict", "Vi går som katten om den varme grød."),
    ("conflict", "Afdelingen nægtede at modtage borgeren."),
    ("conflict", "Foreningen har kritiseret planen."),
    ("conflict", "Parterne er endnu ikke blevet enige om fordelingen."),
    ("conflict", "De har meget forskellige interesser i projektet."),
    ("conflict", "Tonen i styregruppen er blevet langt hårdere."),
    ("conflict", "Diskussionen handler om, hvem der skal betale for sengene."),
    ("conflict", "Det er et spørgsmål om, hvem der har magten."),
    ("conflict", "Det endte i en regulær magtkamp mellem forvaltningerne."),
    ("conflict", "Regionen beskylder kommunerne for at trække tiden ud."),
    # risk: what can go wrong, who falls through, money and people that may not be there
    ("risk", "Hvis ingen følger op, kan det ende galt for borgeren."),
    ("risk", "De unge falder mellem to stole, når ingen tager over."),
    ("risk", "Han sad en hel weekend uden medicin."),
    ("risk", "Ingen ved, hvem der har ansvaret om natten."),
    ("risk", "Aftalen udløber til sommer, og der er ingen plan for, hvad der så sker."),
    ("risk", "Vi ved endnu ikke, hvad det betyder for nattevagten."),
    ("risk", "Borgerne bliver dårligere, mens de står på venteliste."),
    ("risk", "Plejehjemmet gav hende forkert medicin i tre dage."),
    ("risk", "Hele satsningen falder til jorden uden den bevilling."),
    ("risk", "Ordningen er sårbar, fordi den bygger på én person."),
    ("risk", "Der er sket flere medicineringsfejl i overgangen."),
    ("risk", "Opgaverne flyttes, men pengene følger ikke med."),
    ("risk", "Kommunen mangler læger i yderområderne."),
    ("risk", "Der er ikke nogen, der ved, om aftalen bliver forlænget."),
])
def test_the_default_codebook_suggests_indirect_expressions(default_nlp, code, text):
    assert code in codes(default_nlp, text)


@pytest.mark.parametrize(("code", "text"), [
    ("trust", "I relation til budgettet er der ingen ændringer."),
    ("trust", "Klinikken er åben om aftenen og i weekenden."),
    ("trust", "Personalet har mistet tilliden til it-systemet."),
    ("trust", "Vi må tale ærligt om, at der mangler penge."),
    ("trust", "Klinikken er åben alle hverdage fra 8 til 16."),
    ("trust", "Der var en åben konflikt mellem visitationen og afdelingen."),
    ("trust", "Borgerne kan ringe direkte til akutteamet døgnet rundt."),
    ("vision", "Hun gik i retning af parkeringspladsen."),
    ("vision", "Han sagde noget i retning af, at det var svært."),
    ("vision", "Fremtiden for klinikken afhænger af næste budget."),
    ("vision", "På kort sigt skal vi ansætte en koordinator."),
    ("vision", "Tallene for de sidste fem år viser et fald."),
    ("vision", "Jeg kan ikke forestille mig, at lægerne siger ja."),
    ("vision", "Hvor skal jeg ringe hen, hvis jeg har spørgsmål?"),
    ("conflict", "Kampen mod ensomhed er kommunens største opgave."),
    ("conflict", "Der har ikke været nogen konflikter i projektet."),
    ("conflict", "Det er ikke en kritik af personalet."),
    ("conflict", "Vi er uenige, men vi har stor respekt for hinanden."),
    ("conflict", "Lægerne talte hen over hovedet på patienten."),
    ("conflict", "Beslutningen er i strid med loven."),
    ("conflict", "Så sagde lægen fra Sunds, at det var en god idé."),
    ("conflict", "Patienterne er utilfredse med ventetiden."),
    ("risk", "Sårbare ældre har mest gavn af en fast kontaktperson."),
    ("risk", "Jeg er usikker på, hvad hun mente med det."),
    ("risk", "Vi var ikke bange for at prøve noget nyt."),
    ("risk", "Gentofte står uden for samarbejdet."),
    ("risk", "Chancen for genindlæggelse falder med opfølgningen."),
    ("risk", "Det går ud over rammen for projektet."),
    ("risk", "Der har ikke været nedbrud i systemet."),
    ("risk", "Det har jeg ikke styr på detaljerne i."),
])
def test_the_default_codebook_does_not_fall_into_its_traps(default_nlp, code, text):
    assert code not in codes(default_nlp, text)

"""The Danish pipeline: lemmas, gazetteer, stakeholder patterns, indicator traps, personal data."""

from __future__ import annotations

import pytest

from workbench.errors import WorkbenchError
from workbench.nlp.analysis import Resolver, analyse
from workbench.nlp.gazetteer import default_gazetteer, package_entries
from workbench.nlp.indicators import CodeSpec
from workbench.nlp.personal_data import find_pattern_hits, valid_cpr_date
from workbench.nlp.pipeline import PipelineSpec, build_pipeline, get_pipeline

TRAP_CODES = (
    CodeSpec("trust", ("tillid", "tillids*", "stole", "tro på", "tryg", "tryghed"), (
        {"indicator": "tryghed", "near": ["patient", "forælder", "borger", "pårørende"],
         "window": 6, "reason": "tryghed om patienter er ikke tillid mellem aktører"},
        {"indicator": "tryg", "near": ["patient", "forælder", "forældre", "borger", "pårørende"],
         "window": 6, "reason": "tryg om patienter"},
    )),
    CodeSpec("conflict", ("konflikt*", "uenig", "uenighed", "modstand"), (
        {"pattern": "konfliktsky", "reason": "konfliktsky beskriver kultur"},
    )),
    CodeSpec("risk", ("risiko", "risikabel", "fare", "chance"), (
        {"pattern": "chancen for", "reason": "chancen for i statistisk betydning"},
    )),
    CodeSpec("courage", ("mod", "modig"), ()),
)


@pytest.fixture(scope="module")
def nlp():
    """One pipeline for the whole module (building it takes about a second)."""
    return get_pipeline(PipelineSpec(codes=TRAP_CODES, known_names=("Anne Kjær",),
                                     code_model=False))  # indicators alone


def mentions(nlp, text: str, home: dict | None = None):
    doc = nlp(text)
    result = analyse(doc, Resolver(default_gazetteer(), home))
    return [(m.surface, m.canonical, m.sector) for m in result.mentions]


def suggestions(nlp, text: str):
    doc = nlp(text)
    result = analyse(doc, Resolver(default_gazetteer()))
    return [(s.code, text[s.start:s.end], s.evidence) for s in result.suggestions]


# ----------------------------------------------------------------------------- lemmas
def test_capitalised_words_lemmatise_like_lower_case(nlp):
    doc = nlp("Kommunerne mødtes. kommunerne mødtes. Konflikterne voksede, og Praksislægerne "
              "stolede på Regionerne.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["Kommunerne"] == lemmas["kommunerne"] == "kommune"
    assert lemmas["Konflikterne"] == "konflikt"
    assert lemmas["Praksislægerne"] == "praksislæge"
    assert lemmas["stolede"] == "stole"
    assert lemmas["Regionerne"] == "region"


def test_unknown_words_are_their_own_lower_case_lemma(nlp):
    doc = nlp("CareLink og SÆV")
    assert [t.lemma_ for t in doc] == ["carelink", "og", "sæv"]


def test_line_breaks_end_sentences(nlp):
    doc = nlp("I: Hvordan gik det\nR: Det gik godt, synes jeg")
    assert [s.text.strip() for s in doc.sents] == ["I: Hvordan gik det",
                                                   "R: Det gik godt, synes jeg"]


# ---------------------------------------------------------------------------- gazetteer
def test_gazetteer_has_all_98_municipalities_and_5_regions():
    entries = package_entries()
    municipalities = [e for e in entries if e.sector == "municipality" and e.group == "named"]
    regions = [e for e in entries if e.sector == "region" and e.group == "named"]
    assert len(municipalities) == 98
    assert {e.name for e in regions} == {"Region Hovedstaden", "Region Midtjylland",
                                         "Region Nordjylland", "Region Sjælland",
                                         "Region Syddanmark"}
    assert len({e.name for e in entries}) == len(entries), "canonical names are unique"


def test_every_alias_points_to_one_entry():
    seen: dict[str, str] = {}
    for entry in package_entries():
        for alias in entry.aliases:
            assert seen.setdefault(alias, entry.name) == entry.name, alias


def test_ambiguous_town_names_are_not_aliases():
    gazetteer = default_gazetteer()
    assert gazetteer.get("Herning").name == "Herning Kommune"
    for word in ("København", "Vejen", "Skive", "Odder", "Lolland"):
        assert gazetteer.get(word) is None, word


@pytest.mark.parametrize(("text", "surface", "canonical", "sector"), [
    ("Vi talte med DR om det.", "DR", "Danske Regioner", "interest_organisation"),
    ("RM har betalt.", "RM", "Region Midtjylland", "region"),
    ("Region Midt var med.", "Region Midt", "Region Midtjylland", "region"),
    ("KL's udspil kom i går.", "KL's", "KL", "interest_organisation"),
    ("Herning Kommunes akutteam", "Herning Kommunes", "Herning Kommune", "municipality"),
    ("Herning kommune sagde ja.", "Herning kommune", "Herning Kommune", "municipality"),
    ("Både AUH og OUH deltog.", "AUH", "Aarhus Universitetshospital", "hospital"),
    ("Praktiserende Lægers Organisation", "Praktiserende Lægers Organisation", "PLO",
     "interest_organisation"),
    ("Penge fra TrygFonden.", "TrygFonden", "TrygFonden", "foundation"),
    ("Forskere fra VIA University College.", "VIA University College",
     "VIA University College", "knowledge_institution"),
    ("Center for Offentlig Innovation", "Center for Offentlig Innovation",
     "Center for Offentlig Innovation", "public_innovation_body"),
])
def test_names_and_aliases_resolve_to_one_canonical_stakeholder(nlp, text, surface, canonical,
                                                                sector):
    assert (surface, canonical, sector) in mentions(nlp, text)


@pytest.mark.parametrize(("text", "surface", "canonical", "sector"), [
    ("Vi mødte Nordby Kommune i går.", "Nordby Kommune", "Nordby Kommune", "municipality"),
    ("Region Skåne er også med.", "Region Skåne", "Region Skåne", "region"),
    ("Hospitalet i Lemvig lukker.", "Hospitalet i Lemvig", "Hospitalet i Lemvig", "hospital"),
    ("Forskere fra Nordby Universitet.", "Nordby Universitet", "Nordby Universitet",
     "knowledge_institution"),
    ("Så CareLink ApS leverer tablets.", "CareLink ApS", "CareLink ApS", "private_company"),
    ("Det var MindBridge A/S.", "MindBridge A/S", "MindBridge A/S", "private_company"),
])
def test_patterns_find_names_the_gazetteer_does_not_know(nlp, text, surface, canonical, sector):
    assert (surface, canonical, sector) in mentions(nlp, text)


@pytest.mark.parametrize(("text", "surface", "sector"), [
    ("Kommunens folk kom.", "Kommunens", "municipality"),
    ("Regionerne betaler.", "Regionerne", "region"),
    ("Hospitalsledelsen sagde nej.", "Hospitalsledelsen", "hospital"),
    ("Praksislægerne var sure.", "Praksislægerne", "general_practice"),
    ("De praktiserende læger var sure.", "praktiserende læger", "general_practice"),
    ("Det handler om almen praksis.", "almen praksis", "general_practice"),
    ("Borgerne og de pårørende", "Borgerne", "citizen"),
    ("Borgerne og de pårørende", "pårørende", "citizen"),
    ("Politikerne i byrådet", "byrådet", "political"),
    ("Borgmesteren var glad.", "Borgmesteren", "political"),
    ("Leverandøren kom for sent.", "Leverandøren", "private_company"),
    ("Kommunaldirektøren skrev.", "Kommunaldirektøren", "municipality"),
    ("Den ledende overlæge ringede.", "ledende overlæge", "hospital"),
    ("Praksiskonsulenten hjalp.", "Praksiskonsulenten", "general_practice"),
])
def test_generic_terms_and_role_nouns_have_their_sector(nlp, text, surface, sector):
    found = {(s, sec) for s, _, sec in mentions(nlp, text)}
    assert any(s.endswith(surface) and sec == sector for s, sec in found), found


def test_generic_term_resolves_to_home_region_only_when_set(nlp):
    text = "Regionen betaler, men regionerne er uenige."
    plain = mentions(nlp, text)
    assert [c for _, c, _ in plain] == ["regionen (generic)", "regionen (generic)"]
    home = mentions(nlp, text, home={"region": "Region Midtjylland"})
    assert [c for _, c, _ in home] == ["Region Midtjylland", "regionen (generic)"]


def test_a_model_that_is_not_installed_says_how_to_install_it():
    with pytest.raises(WorkbenchError, match="not installed.*da_core_news_sm"):
        build_pipeline(PipelineSpec(model="da_core_news_sm"))


# ----------------------------------------------------------------------------- indicators
def test_tryghed_about_patients_is_not_trust_but_trust_nearby_is(nlp):
    found = suggestions(nlp, "Patienterne skal føle tryghed ved udskrivelsen. "
                             "Mellem sygeplejerskerne er der kommet tillid.")
    assert [(c, e) for c, _, e in found] == [("trust", ["tillid"])]


def test_tryg_about_parents_is_excluded(nlp):
    found = suggestions(nlp, "Forældrene skal være trygge. Vi er trygge ved hinanden nu.")
    assert [t for c, t, _ in found if c == "trust"] == ["Vi er trygge ved hinanden nu."]


def test_konfliktsky_is_culture_not_conflict(nlp):
    found = suggestions(nlp, "Vi er en konfliktsky kultur. Der var en konflikt om tabletterne.")
    assert [(c, t) for c, t, _ in found] == [
        ("conflict", "Der var en konflikt om tabletterne.")]


def test_chancen_for_in_statistics_is_not_risk(nlp):
    found = suggestions(nlp, "Chancen for genindlæggelse falder. Der er en risiko for fejl.")
    assert [(c, e) for c, _, e in found] == [("risk", ["risiko"])]


def test_imod_and_derimod_are_not_courage(nlp):
    found = suggestions(nlp, "Vi var imod forslaget. Derimod var lægerne glade. "
                             "Det kræver mod at sige fra.")
    assert [(c, t) for c, t, _ in found] == [("courage", "Det kræver mod at sige fra.")]


def test_prefix_and_phrase_indicators_and_evidence(nlp):
    found = suggestions(nlp, "Vi tror på hinanden og har en tillidsfuld relation.")
    assert found == [("trust", "Vi tror på hinanden og har en tillidsfuld relation.",
                      ["tror på", "tillidsfuld"])]


def test_evidence_lists_the_matched_words_in_text_order():
    """Words found at one place by several indicators come shortest first, however the
    matcher ordered them, so tagging the same text again stores the same evidence."""
    nlp = get_pipeline(PipelineSpec(codes=(
        CodeSpec("trust", ("tro på", "tillid*", "tro", "tillid")),), code_model=False))
    text = "Vi tro på hinanden og har tillid til kommunen."
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    assert [(s.evidence, s.indicators) for s in result.suggestions] == [
        (["tro", "tro på", "tillid"], ["tro", "tro på", "tillid", "tillid*"])]


def test_indicator_lemmas_match_every_inflection(nlp):
    found = suggestions(nlp, "Vi stolede på dem. Uenighederne voksede. Tilliden er der.")
    assert [(c, e) for c, _, e in found] == [("trust", ["stolede"]), ("conflict",
                                             ["Uenighederne"]), ("trust", ["Tilliden"])]


# -------------------------------------------------------------------------- personal data
@pytest.mark.parametrize("phone", ["22 33 44 55", "22334455", "+45 22 33 44 55",
                                   "+4522334455", "2233 4455"])
def test_phone_numbers(phone):
    text = f"Ring på {phone} i morgen."
    assert [(h.kind, h.surface) for h in find_pattern_hits(text)] == [("phone", phone)]


@pytest.mark.parametrize("text", ["Det kostede 1.223.344 kr.", "Årene 2024 2025 var hårde.",
                                  "Sag nr. 123456789 blev lukket.", "ID 12345678"])
def test_numbers_that_are_not_phones(text):
    assert find_pattern_hits(text) == []


def test_email():
    hits = find_pattern_hits("Skriv til anne.kjaer@example.dk, tak.")
    assert [(h.kind, h.surface) for h in hits] == [("email", "anne.kjaer@example.dk")]


def test_cpr_needs_a_real_date():
    text = "Eksempel: 010203-1234, men 320103-1234 og 011303-1234 er ikke datoer."
    assert [(h.kind, h.surface) for h in find_pattern_hits(text)] == [("cpr", "010203-1234")]
    assert valid_cpr_date(29, 2, 0, 4)  # 2000 was a leap year (7th digit 4 -> 2000)
    assert not valid_cpr_date(29, 2, 1, 0)


def test_person_names(nlp):
    doc = nlp("Anne Kjær talte med Mette Hansen. Hans mor kom også. Vi ringede til Karen.\n"
              "Henrik Dahl 00:01:02")
    names = [s.text for s in doc.spans["personal_data"] if s.label_ == "name"]
    assert names == ["Anne Kjær", "Mette Hansen", "Karen", "Henrik Dahl"]


def test_stakeholder_names_are_not_person_names(nlp):
    doc = nlp("Novo Nordisk Fonden og A.P. Møller Fonden gav penge.")
    assert [s for s in doc.spans["personal_data"] if s.label_ == "name"] == []


def test_a_surname_after_a_title_is_a_name_and_the_person_a_citizen(nlp):
    text = "Vi var hos fru Mikkelsen i går, og Hr. Poul Sørensen ringede bagefter."
    doc = nlp(text)
    assert [s.text for s in doc.spans["personal_data"] if s.label_ == "name"] == [
        "Mikkelsen", "Poul Sørensen"]
    assert [(s, sector) for s, _, sector in mentions(nlp, text)] == [
        ("fru Mikkelsen", "citizen"), ("Hr. Poul Sørensen", "citizen")]
    # The name is personal data, not a stakeholder: every such mention is of citizens.
    assert {c for _, c, _ in mentions(nlp, text)} == {"borgerne (generic)"}

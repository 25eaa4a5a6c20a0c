"""Actors without a name of their own: units, professions, citizen groups, and the context that
gives a profession its sector ("sygeplejerskerne på afdelingen" are hospital nurses)."""

from __future__ import annotations

import pytest

from workbench.errors import InvalidInput
from workbench.nlp.analysis import Resolver, analyse
from workbench.nlp.gazetteer import (
    Gazetteer,
    context_rules_from_yaml,
    default_gazetteer,
    entries_from_yaml,
    expand_choices,
    package_context,
    package_entries,
)
from workbench.nlp.pipeline import PipelineSpec, get_pipeline


@pytest.fixture(scope="module")
def nlp():
    """One pipeline for the whole module (building it takes about a second)."""
    return get_pipeline(PipelineSpec())


def found(nlp, text: str) -> list[tuple[str, str]]:
    """(surface, sector) of every mention in ``text``."""
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    return [(m.surface, m.sector) for m in result.mentions]


def canonicals(nlp, text: str) -> dict[str, str]:
    """surface -> canonical name of every mention in ``text``."""
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    return {m.surface: m.canonical for m in result.mentions}


# ------------------------------------------------------------------------------ families
@pytest.mark.parametrize(("text", "surface", "sector"), [
    # hospital units and staff
    ("Hun ringede til afdelingen i går.", "afdelingen", "hospital"),
    ("Overlægen på hjerteafdelingen svarede.", "hjerteafdelingen", "hospital"),
    ("Lægerne på medicinsk afdeling er glade.", "medicinsk afdeling", "hospital"),
    ("Patienten kom fra geriatrien.", "geriatrien", "hospital"),
    ("Akutmodtagelsen var fyldt.", "Akutmodtagelsen", "hospital"),
    ("Hun blev sendt til ambulatoriet og senere til skadestuen.", "ambulatoriet", "hospital"),
    ("Jordemødrene på fødegangen har travlt.", "Jordemødrene", "hospital"),
    ("Jordemødrene på fødegangen har travlt.", "fødegangen", "hospital"),
    ("Portøren kom med sengen.", "Portøren", "hospital"),
    ("Han lå på intensiv i tre dage.", "intensiv", "hospital"),
    ("Distriktspsykiatrien har lange ventetider.", "Distriktspsykiatrien", "hospital"),
    # municipal units and staff
    ("Overlægen kom ud på plejecentret.", "plejecentret", "municipality"),
    ("Smitten spredte sig på plejehjemmene.", "plejehjemmene", "municipality"),
    ("Der er gnidninger med visitationen.", "visitationen", "municipality"),
    ("Mistilliden mellem de to forvaltninger er gammel.", "forvaltninger", "municipality"),
    ("Sundheds- og Omsorgsforvaltningen sagde ja.", "Sundheds- og Omsorgsforvaltningen",
     "municipality"),
    ("Han bor på et botilbud.", "botilbud", "municipality"),
    # the lemma table reads some "-centret" as "-centrum"
    ("Rehabiliteringscentret tager imod borgere.", "Rehabiliteringscentret", "municipality"),
    ("Terapeuterne i kommunens træningsenhed hjælper.", "træningsenhed",
     "municipality"),
    ("De henvender sig til skolen eller børnehaven.", "skolen", "municipality"),
    ("De henvender sig til skolen eller børnehaven.", "børnehaven", "municipality"),
    ("Hjemmehjælperen kom for sent.", "Hjemmehjælperen", "municipality"),
    # region
    ("Vi har aldrig haft problemer med Lægevagten.", "Lægevagten", "region"),
    ("Hun ringede til 1813 om natten.", "1813", "region"),
    ("Præhospitalet sendte en ambulance.", "Præhospitalet", "region"),
    # general practice
    ("Vi har en aftale med Lægehuset i Ry.", "Lægehuset i Ry", "general_practice"),
    ("Tre praksisser er med i forsøget.", "praksisser", "general_practice"),
    # citizens
    ("Tilfredsheden blandt brugerne er steget.", "brugerne", "citizen"),
    ("Beboerne på plejehjemmet var glade.", "Beboerne", "citizen"),
    ("Sagsbehandleren sagde til moren, at hun skulle ringe.", "moren", "citizen"),
    ("Familien stod alene med det.", "Familien", "citizen"),
    ("Patientrepræsentanterne har ændret forløbet.", "Patientrepræsentanterne", "citizen"),
    ("Et tilbud til børn og unge med angst.", "børn og unge", "citizen"),
    # civil society, private firms, partnerships, politics
    ("Pårørendeforeningen og de frivillige, der hjælper.", "Pårørendeforeningen",
     "civil_society"),
    ("Pårørendeforeningen og de frivillige, der hjælper.", "frivillige", "civil_society"),
    ("Vi har en aftale med apoteket om doseringen.", "apoteket", "private_company"),
    ("Jeg kom fra det private, fra Medtronic.", "Medtronic", "private_company"),
    ("KMD og Netcompany byder begge.", "KMD", "private_company"),
    ("Ry Apotek leverer medicinen.", "Ry Apotek", "private_company"),
    ("Kommunerne i klyngen har skrevet under.", "klyngen", "partnership_project"),
    ("Det skabte irritation i klyngestyregruppen.", "klyngestyregruppen",
     "partnership_project"),
    ("Vi mødes i sundhedsklyngen.", "sundhedsklyngen", "partnership_project"),
    ("Partnerskabet blev etableret i efteråret.", "Partnerskabet", "partnership_project"),
    ("Udvalgsformanden var kritisk.", "Udvalgsformanden", "political"),
    ("Socialudvalget har bedt om en status.", "Socialudvalget", "political"),
])
def test_actor_families_have_their_sector(nlp, text, surface, sector):
    assert (surface, sector) in found(nlp, text)


@pytest.mark.parametrize(("text", "surface", "sector"), [
    ("Ergoterapeutforeningen har kritiseret det.", "Ergoterapeutforeningen",
     "interest_organisation"),
    # A profession's association the gazetteer does not know is a union too ...
    ("Kiropraktorforeningen har kritiseret det.", "Kiropraktorforeningen",
     "interest_organisation"),
    # ... and any other association a voluntary one.
    ("Nyreforeningen har kritiseret det.", "Nyreforeningen", "civil_society"),
])
def test_associations_are_unions_or_voluntary_by_their_first_half(nlp, text, surface, sector):
    assert (surface, sector) in found(nlp, text)


def test_coordinated_names_before_plural_kommuner_are_each_a_municipality(nlp):
    names = canonicals(nlp, "Demensindsatsen i Syddjurs og Norddjurs Kommuner hænger sammen.")
    assert names == {"Syddjurs": "Syddjurs Kommune", "Norddjurs Kommuner": "Norddjurs Kommune"}
    names = canonicals(nlp, "Både Favrskov, Skanderborg og Odder kommuner deltager.")
    assert names == {"Favrskov": "Favrskov Kommune", "Skanderborg": "Skanderborg Kommune",
                     "Odder kommuner": "Odder Kommune"}


# ------------------------------------------------------------------- what a mention covers
@pytest.mark.parametrize(("text", "surface", "sector"), [
    ("Aftalen mellem regionen og de elleve nordjyske kommuner udløber.",
     "nordjyske kommuner", "municipality"),
    ("Rapporten viser, at sårbare ældre har størst gavn.", "sårbare ældre", "citizen"),
    ("En hensigtserklæring om ældre medicinske patienter.", "ældre medicinske patienter",
     "citizen"),
    ("Kronisk syge borgere får en fast kontakt.", "Kronisk syge borgere", "citizen"),
    ("Frustrationen i børne- og ungdomspsykiatrien er stor.", "børne- og ungdomspsykiatrien",
     "hospital"),
    ("Flere af de kommunale ledere har meldt afbud.", "kommunale ledere", "municipality"),
    ("Vi har fået mere tillid til den kommunale hjemmepleje.", "kommunale hjemmepleje",
     "municipality"),
])
def test_adjectives_that_say_which_actor_stay_with_it(nlp, text, surface, sector):
    assert (surface, sector) in found(nlp, text)


def test_after_a_degree_word_the_adjective_is_an_assessment(nlp):
    assert found(nlp, "Det gælder de mest syge borgere.") == [("borgere", "citizen")]
    assert found(nlp, "Det gælder de mest sårbare ældre.") == [("ældre", "citizen")]


def test_a_genitive_owner_is_its_own_mention_and_gives_its_sector(nlp):
    """As researchers mark them: the owner is named as an actor too, and the group or unit it
    owns takes the owner's sector."""
    assert found(nlp, "Vores drøm er, at kommunens sygeplejersker og regionens specialister "
                      "sidder sammen.") == [
        ("kommunens", "municipality"), ("sygeplejersker", "municipality"),
        ("regionens", "region"), ("specialister", "region")]
    assert found(nlp, "Det går godt med kommunernes socialpsykiatri.") == [
        ("kommunernes", "municipality"), ("socialpsykiatri", "municipality")]
    assert found(nlp, "Aarhus Kommunes sygeplejersker kom.") == [
        ("Aarhus Kommunes", "municipality"), ("sygeplejersker", "municipality")]
    # A genitive of another sector stays apart: the mayor is political, the town municipal.
    assert found(nlp, "Hjørrings borgmester har sagt nej.") == [
        ("Hjørrings", "municipality"), ("borgmester", "political")]


# -------------------------------------------------------------- context-dependent sectors
@pytest.mark.parametrize(("text", "surface", "sector"), [
    # an adjective
    ("De kommunale sygeplejersker sidder på afdelingen.", "kommunale sygeplejersker",
     "municipality"),
    ("Private fysioterapeuter byder ind.", "Private fysioterapeuter", "private_company"),
    # an attached actor
    ("Det er ikke en kritik af sygeplejerskerne på afdelingen.", "sygeplejerskerne",
     "hospital"),
    ("Det er sygeplejerskerne i hjemmeplejen, der kender borgerne.", "sygeplejerskerne",
     "municipality"),
    ("Psykologerne i Psykiatrien Region Sjælland holder møder.", "Psykologerne", "hospital"),
    ("Socialrådgiverne og psykologerne fra PPR holder møder.", "psykologerne", "municipality"),
    ("Lægerne i akutmodtagelsen er glade for ordningen.", "Lægerne", "hospital"),
    ("Hun kender både hospitalet og lægerne ude i byen.", "lægerne", "general_practice"),
    ("Lægerne på Hvidovre Hospital og lægerne i praksis er uenige.", "lægerne",
     "general_practice"),
    ("»Vi skal være fælles om opgaven«, sagde formanden for sundhedsudvalget.", "formanden",
     "political"),
    # the subject of a reflexive possessive
    ("Aarhus Kommune har altid haft sine egne sygeplejersker i akutmodtagelsen på AUH.",
     "sygeplejersker", "municipality"),
    # the one sector of the actors before it in the sentence
    ("Rigshospitalet uddanner sygeplejersker til akutfunktionerne.", "sygeplejersker",
     "hospital"),
    ("Region Sjælland skal ansætte tre nye forløbskoordinatorer.", "forløbskoordinatorer",
     "region"),
    ("Systemet sender en besked til egen læge, så lægen kan følge op.", "lægen",
     "general_practice"),
    # the default: "lægerne" in talk about the health services are the GPs
    ("Det er klart, at lægerne siger nej.", "lægerne", "general_practice"),
    ("Hvis hospitalet, kommunen, lægen og de pårørende kigger på det.", "lægen",
     "general_practice"),
    ("Det har afdelingerne ikke tid til.", "afdelingerne", "hospital"),
])
def test_the_context_gives_a_profession_or_unit_its_sector(nlp, text, surface, sector):
    assert (surface, sector) in found(nlp, text)


def test_contextual_actors_are_named_by_sector(nlp):
    names = canonicals(nlp, "Sygeplejerskerne i hjemmeplejen og sygeplejerskerne på afdelingen.")
    assert set(names.values()) == {"sygeplejersker (kommune)", "hjemmeplejen (generic)",
                                   "sygeplejersker (hospital)", "afdelingen (hospital)"}


@pytest.mark.parametrize("text", [
    # two sectors before it: the passage does not say which
    "Silkeborg Kommune og Regionshospitalet Silkeborg har aftalt, at sygeplejerskerne ringer.",
    # shared by several actors
    "Vi forestiller os en fremtid med fælles sygeplejersker i nattevagten.",
    # no workplace at all
    "Forsøget med opgaveglidning til social- og sundhedsassistenterne er en trussel.",
    # staff words need an adjective or an owner
    "Kulturen er konfliktsky, og medarbejderne stiller ikke spørgsmål.",
    "Ledelsen var først skeptisk.",
    # an indefinite profession without context is the profession in general
    "Der mangler læger overalt.",
    # a chair of something that is no actor
    "Formanden for styregruppen åbnede mødet.",
    # what someone is, not who acts
    "Hospitalet lytter ikke til dem, der ikke er læger.",
    "Hun arbejdede på hospitalet som sygeplejerske.",
])
def test_professions_whose_sector_the_passage_does_not_tell_are_not_mentions(nlp, text):
    surfaces = [s for s, _ in found(nlp, text)]
    assert not any(word in s.lower() for s in surfaces
                   for word in ("sygeplejersk", "assistent", "medarbejder", "ledelse", "læger",
                                "formand")), surfaces


# ------------------------------------------------------------------------------------ traps
@pytest.mark.parametrize(("text", "expected"), [
    # adjectives, not the citizen groups
    ("Hun er ældre end mig.", []),
    ("Det er en ældre bygning.", []),
    ("De unge læger på afdelingen er dygtige.", [("læger", "hospital"),
                                                 ("afdelingen", "hospital")]),
    ("Han er blevet lidt ældre.", []),
    # a department that is no ward; a procedure, not the unit
    ("Vi fik besked fra afdelingen for økonomi.", []),
    ("Region Hovedstadens it-afdeling vedligeholder den.", [("Region Hovedstadens", "region")]),
    ("Kommunen og psykiatrien er uenige om visitationen.", [("Kommunen", "municipality"),
                                                            ("psykiatrien", "hospital")]),
    ("Falck står for visitationen af hjælpemidler.", [("Falck", "private_company")]),
    ("Intensiv træning efter genoptræningen hjælper.", []),
    # verbs and other words that look like actor nouns
    ("Nye medarbejdere lærer hurtigt, og vi bruger systemet.", []),
    ("Funktionen er indbygget i appen.", []),
    # a dentist is not a general practitioner; "Foreningen" alone is no name
    ("Tandlægen og Foreningen holdt møde.", []),
    # a town after a locative preposition is a place
    ("Et sundhedshus i Brande med borgere i Favrskov.", [("borgere", "citizen")]),
])
def test_traps_are_not_mentions(nlp, text, expected):
    assert found(nlp, text) == expected


def test_a_profession_capitalised_inside_a_sentence_is_part_of_a_name(nlp):
    assert "Sygeplejersker" not in [s for s, _ in found(nlp, "Hun gik på Skolen for "
                                                         "Sygeplejersker i Aarhus.")]
    assert ("Sygeplejerskerne", "hospital") in found(nlp, "»Sygeplejerskerne på afdelingen "
                                                          "er glade«, sagde hun.")


def test_de_aeldre_and_unge_as_nouns_are_citizens(nlp):
    assert found(nlp, "Den største kamp er ensomhed blandt de ældre i landdistrikterne.") == [
        ("ældre", "citizen")]
    assert found(nlp, "De unge skal opleve én indgang.") == [("unge", "citizen")]
    assert found(nlp, "Hospitalsledelsen undrer sig over, hvorfor så mange ældre bliver "
                      "genindlagt.") == [("Hospitalsledelsen", "hospital"), ("ældre", "citizen")]


def test_line_breaks_and_danish_quotes_do_not_confuse_the_context(nlp):
    text = "I: Hvem ringer du til?\nP: »Sygeplejerskerne på afdelingen« – og så moren."
    assert found(nlp, text) == [("Sygeplejerskerne", "hospital"), ("afdelingen", "hospital"),
                                ("moren", "citizen")]


# ------------------------------------------------------------------------------- the data
def test_choices_in_terms_stand_for_each_choice():
    assert expand_choices("{medicinsk|kirurgisk} {afdeling|afsnit}") == [
        "medicinsk afdeling", "medicinsk afsnit", "kirurgisk afdeling", "kirurgisk afsnit"]
    assert expand_choices("plejehjem") == ["plejehjem"]


def test_exact_forms_match_only_those_forms(nlp):
    # "visitationen" is the unit; "visitation" is the procedure.
    assert found(nlp, "Visitation til plejebolig tager tid.") == []
    entry = entries_from_yaml({"generic": [{"name": "X", "sector": "municipality",
                                            "forms": ["visitationen"]}]}, "test")[0]
    assert entry.aliases == ("visitationen", "Visitationen")


def test_every_contextual_noun_has_known_sectors_and_a_default_among_them():
    nouns = package_context().nouns
    assert {"sygeplejersker", "læger", "afdelingen"} <= {n.name for n in nouns}
    for noun in nouns:
        assert noun.sectors, noun.name
        assert noun.default is None or noun.default in noun.sectors, noun.name


def test_every_new_alias_still_points_to_one_entry():
    seen: dict[str, str] = {}
    for entry in package_entries():
        for alias in entry.aliases:
            assert seen.setdefault(alias, entry.name) == entry.name, alias


def test_a_bad_contextual_noun_is_one_clear_error():
    with pytest.raises(InvalidInput, match="sector 'sygehus'"):
        context_rules_from_yaml({"contextual": [{"name": "læger", "terms": ["læge"],
                                                 "sectors": ["sygehus"]}]}, "my.yaml")
    with pytest.raises(InvalidInput, match="is decided by 'gæt'"):
        context_rules_from_yaml({"contextual": [{"name": "læger", "terms": ["læge"],
                                                 "sectors": ["hospital"],
                                                 "decided_by": ["gæt"]}]}, "my.yaml")
    with pytest.raises(InvalidInput, match="has no 'terms'"):
        context_rules_from_yaml({"contextual": [{"name": "læger", "sectors": ["hospital"]}]},
                                "my.yaml")


def test_changing_the_context_rules_changes_the_pipeline_id():
    plain = Gazetteer(package_entries(), (), package_context())
    fewer = Gazetteer(package_entries(), (), context_rules_from_yaml({}, "empty"))
    assert plain.fingerprint() != fewer.fingerprint()
    assert plain.fingerprint() == default_gazetteer().fingerprint()


# --------------------------------------------------------------- names, parties and places
@pytest.mark.parametrize(("text", "expected"), [
    ("Vi har hyret Lysholm Consult til evalueringen.",
     [("Lysholm Consult", "Lysholm Consult", "private_company")]),
    ("Hjem & Hjerte ApS leverer maden.", [("Hjem & Hjerte ApS", "Hjem & Hjerte ApS",
                                            "private_company")]),
    ("Socialdemokratiet og Venstre stemte for, DF imod.",
     [("Socialdemokratiet", "Socialdemokratiet", "political"), ("Venstre", "Venstre", "political"),
      ("DF", "Dansk Folkeparti", "political")]),
    ("Akutteam Amager og Hjemmesygeplejen Nord mødes.",
     [("Akutteam Amager", "Akutteam Amager", "municipality"),
      ("Hjemmesygeplejen Nord", "Hjemmesygeplejen Nord", "municipality")]),
    ("Frivilligcenter Hillerød hjælper.",
     [("Frivilligcenter Hillerød", "Frivilligcenter Hillerød", "civil_society")]),
])
def test_names_by_trade_word_party_and_named_unit(nlp, text, expected):
    result = analyse(nlp(text), Resolver(default_gazetteer()))
    assert [(m.surface, m.canonical, m.sector) for m in result.mentions] == expected


@pytest.mark.parametrize("text", [
    "Venstre side af kroppen er lammet.",
    "Drej til venstre ved rådhuset.",
    "Vi har talt med hjemmeplejen Anne og Bo i dag.",
])
def test_words_that_only_look_like_those_names(nlp, text):
    assert all(m[0] not in ("Venstre", "venstre") and "Anne" not in m[0]
               for m in found(nlp, text))


def test_a_town_coordinated_with_a_place_is_a_place(nlp):
    assert found(nlp, "Vi besøgte plejecentre i Furesø og Egedal.") == [
        ("plejecentre", "municipality")]
    assert found(nlp, "Sundhedsplejersker i Ishøj, Vallensbæk eller Brøndby henviser.") == [
        ("Sundhedsplejersker", "municipality")]
    # Coordinated actors stay actors.
    assert found(nlp, "Aarhus og Randers har sagt ja.") == [
        ("Aarhus", "municipality"), ("Randers", "municipality")]


@pytest.mark.parametrize(("text", "surface", "sector"), [
    ("Socialrådgiveren på hospitalet ringede.", "Socialrådgiveren", "hospital"),
    ("Socialrådgiveren ringede til moren.", "Socialrådgiveren", "municipality"),
    ("Juristerne i Region Hovedstaden vurderer det.", "Juristerne", "region"),
    ("Forskere fra Aalborg Universitet deltog.", "Forskere", "knowledge_institution"),
    ("Tillidsrepræsentanten i hjemmeplejen bad om et møde.", "Tillidsrepræsentanten",
     "municipality"),
    ("Projektlederen i kommunen har travlt.", "Projektlederen", "municipality"),
    ("Klinikchefen sagde nej.", "Klinikchefen", "hospital"),
    ("Sygehusdirektøren var enig.", "Sygehusdirektøren", "hospital"),
    ("Farmaceuter fra sygehusapoteket hjalp.", "sygehusapoteket", "hospital"),
    ("Hendes datter ringede til os.", "datter", "citizen"),
    ("Endokrinologerne tog stilling.", "Endokrinologerne", "hospital"),
    ("Sundhedssamarbejdsudvalget mødes i maj.", "Sundhedssamarbejdsudvalget",
     "partnership_project"),
    ("De syddanske kommuner er enige.", "syddanske kommuner", "municipality"),
    ("Udskrivningsklare patienter venter.", "Udskrivningsklare patienter", "citizen"),
])
def test_more_roles_units_and_groups(nlp, text, surface, sector):
    assert (surface, sector) in found(nlp, text)


def test_a_hospital_called_by_its_town_after_paa(nlp):
    assert canonicals(nlp, "Hun blev indlagt på Herlev, og så kom hun på Gødstrup.") == {
        "Herlev": "Herlev Hospital", "Gødstrup": "Regionshospitalet Gødstrup"}
    assert found(nlp, "Hun bor i Herlev.") == []  # the town
    assert found(nlp, "Han bor på Amager.") == []  # where one lives
    assert found(nlp, "Mødet er på Viborg Rådhus.") == []  # a building in the town

"""The stakeholder gazetteer: named bodies, generic actor terms and role nouns.

The package ships the gazetteer as YAML under ``workbench/data/gazetteer/``. A researcher adds
entries of her own (partnerships, local units) with ``workbench stakeholders add-gazetteer``;
those live in the project's stakeholders table and are passed in as ``extra`` entries here.

Three groups of entries are matched in different ways by the pipeline:

* ``named``: proper names and their aliases, matched case-sensitively as written, in the
  genitive ("Herning Kommunes", "KL's") and with later words in lower case ("Herning kommune").
* ``generic``: actor terms such as "kommunen" or "de praktiserende læger", matched on lemmas so
  every inflection counts.
* ``role``: role nouns ("kommunaldirektøren", "den ledende overlæge"), matched on lemmas.

An entry's ``forms`` are exact word forms (matched as written and capitalised), for words whose
other inflections mean something else ("visitationen" is the unit, "visitation" the procedure).
Three more keys tell the stakeholder ruler when a match is not the actor: ``noun_use`` (an
adjective that names a group only standing as a noun: "de ældre", not "ældre end"),
``not_after`` and ``not_before`` (words around it that make it something else: "enige om
visitationen", "visitationen af hjælpemidler").

Besides the entries, the package data holds the context rules (:class:`ContextRules`): actor
nouns whose sector the surrounding words decide ("sygeplejerskerne på afdelingen" are hospital
nurses, "kommunens sygeplejersker" municipal ones), and the word lists those decisions read.

This module does not import spaCy; it only reads and checks the data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from workbench.core.models import SECTORS
from workbench.errors import InvalidInput

KINDS = ("organisation", "group", "role", "person", "partnership")
GROUPS = ("named", "generic", "role")
_ENTRY_KEYS = {"name", "sector", "kind", "aliases", "terms", "home", "home_forms", "group",
               "forms"}
# How a contextual noun's sector may be decided, in the order the rules are tried.
DECIDERS = ("adjective", "genitive", "possessive", "attachment", "sentence")


@dataclass(frozen=True)
class Entry:
    """One canonical stakeholder and the ways the text names it."""

    name: str
    sector: str
    kind: str = "organisation"
    group: str = "named"
    aliases: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    home: str | None = None
    home_forms: tuple[str, ...] = ()
    source: str = "gazetteer"
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain data (for fingerprints and JSON output)."""
        return {"name": self.name, "sector": self.sector, "kind": self.kind,
                "group": self.group, "aliases": list(self.aliases), "terms": list(self.terms),
                "home": self.home, "home_forms": list(self.home_forms), "source": self.source}


def _as_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InvalidInput(f"{where}: '{key}' must be a list of words or names.")
    return tuple(str(v) for v in value)


_CHOICE = re.compile(r"\{([^{}]*)\}")


def expand_choices(term: str) -> list[str]:
    """Every term a term with choices stands for: "{medicinsk|kirurgisk} afdeling" is
    "medicinsk afdeling" and "kirurgisk afdeling"."""
    match = _CHOICE.search(term)
    if match is None:
        return [term]
    head, tail = term[:match.start()], term[match.end():]
    return [e for choice in match.group(1).split("|")
            for e in expand_choices(f"{head}{choice.strip()}{tail}")]


def _terms(value: Any, where: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e for t in _as_list(value, where, "terms")
                               for e in expand_choices(t)))


def entry_from_mapping(data: Any, where: str, *, defaults: dict[str, Any] | None = None,
                       group: str = "named", source: str = "gazetteer") -> Entry:
    """Build and check one entry from YAML data.

    Raises:
        InvalidInput: the entry lacks a name, or names an unknown sector or kind.
    """
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: each entry must be a mapping with at least 'name' and "
                           "'sector'.")
    values = {**(defaults or {}), **data}
    name = str(values.get("name") or "").strip()
    if not name:
        raise InvalidInput(f"{where}: an entry has no 'name'; give each entry a name.")
    sector = str(values.get("sector") or "").strip()
    if sector not in SECTORS:
        raise InvalidInput(f"{where}: entry '{name}' has sector '{sector}'; use one of: "
                           f"{', '.join(SECTORS)}.")
    kind = str(values.get("kind") or ("role" if group == "role" else "organisation"))
    if kind not in KINDS:
        raise InvalidInput(f"{where}: entry '{name}' has kind '{kind}'; use one of: "
                           f"{', '.join(KINDS)}.")
    group = str(values.get("group") or group)
    if group not in GROUPS:
        raise InvalidInput(f"{where}: entry '{name}' has group '{group}'; use one of: "
                           f"{', '.join(GROUPS)}.")
    terms = _terms(values.get("terms"), where)
    if group == "role" and not terms:
        terms = (name,)
    attributes = {k: v for k, v in data.items() if k not in _ENTRY_KEYS}
    # Exact forms match as written and, at the start of a sentence, capitalised.
    forms = [v for f in _as_list(values.get("forms"), where, "forms")
             for v in (f, f[:1].upper() + f[1:])]
    aliases = _as_list(values.get("aliases"), where, "aliases")
    return Entry(name=name, sector=sector, kind=kind, group=group,
                 aliases=tuple(a for a in dict.fromkeys((*aliases, *forms)) if a != name),
                 terms=terms, home=values.get("home"),
                 home_forms=_as_list(values.get("home_forms"), where, "home_forms"),
                 source=source, attributes=attributes)


def entries_from_yaml(data: Any, where: str, *, source: str = "gazetteer") -> list[Entry]:
    """Read entries from one parsed YAML document.

    Accepts a list of entries, or a mapping with ``entries`` (named), ``generic`` and ``roles``
    lists and optional file-wide defaults ``sector`` and ``kind``.
    """
    if data is None:
        return []
    if isinstance(data, list):
        data = {"entries": data}
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: a gazetteer file must hold a list of entries or a mapping "
                           "with 'entries'.")
    defaults = {k: data[k] for k in ("sector", "kind") if k in data}
    out: list[Entry] = []
    for key, group in (("entries", "named"), ("generic", "generic"), ("roles", "role")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise InvalidInput(f"{where}: '{key}' must be a list of entries.")
        for i, item in enumerate(items, 1):
            out.append(entry_from_mapping(item, f"{where}, {key} #{i}", defaults=defaults,
                                          group=group, source=source))
    return out


# How a contextual noun's canonical name says the sector it was given ("læger (hospital)").
SECTOR_LABELS = {
    "municipality": "kommune", "region": "region", "hospital": "hospital",
    "general_practice": "almen praksis", "state": "stat", "political": "politisk",
    "interest_organisation": "interesseorganisation", "public_innovation_body": "offentlig "
    "innovation", "knowledge_institution": "vidensinstitution", "private_company": "privat",
    "foundation": "fond", "civil_society": "civilsamfund", "citizen": "borger",
    "partnership_project": "partnerskab", "international": "international"}


@dataclass(frozen=True)
class ContextualNoun:
    """An actor noun whose sector the words around it decide ("sygeplejerskerne").

    ``sectors``: the sectors the noun can have; ``decided_by``: the rules that may decide it
    (see :data:`DECIDERS`); ``default``: the sector when no rule decides (None: the noun is then
    not a mention). ``compounds``: whether a compound with the term as its head counts
    ("hjemmesygeplejerske" yes, "tandlæge" no). ``not_before``: words that, right after the
    noun, make it something else ("afdelingen for økonomi"). ``prepositions``: extra
    prepositions that attach it to the actor after it ("formanden for sundhedsudvalget").
    """

    name: str
    terms: tuple[str, ...]
    sectors: tuple[str, ...]
    decided_by: tuple[str, ...] = DECIDERS
    default: str | None = None
    kind: str = "group"
    compounds: bool = True
    not_before: tuple[str, ...] = ()
    prepositions: tuple[str, ...] = ()

    def canonical(self, sector: str) -> str:
        """The stakeholder name of this noun in ``sector`` ("sygeplejersker (kommune)")."""
        return f"{self.name} ({SECTOR_LABELS[sector]})"


@dataclass(frozen=True)
class ContextRules:
    """Contextual nouns and the word lists the context rules read (all lower case)."""

    nouns: tuple[ContextualNoun, ...] = ()
    sector_adjectives: dict[str, str] = field(default_factory=dict)  # "kommunale" -> sector
    place_adjectives: frozenset[str] = frozenset()  # "nordjyske": kept with "kommuner"
    group_adjectives: frozenset[str] = frozenset()  # "sårbare": kept with "ældre", "borgere"
    group_adverbs: dict[str, frozenset[str]] = field(default_factory=dict)  # "kronisk": syge
    degree_words: frozenset[str] = frozenset()  # "mest": the adjective after it is not kept
    prepositions: frozenset[str] = frozenset()  # "på", "i": attach a noun to an actor
    attachment_phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    noun_use_not_after: frozenset[str] = frozenset()  # "er ældre": an adjective
    noun_use_not_before: frozenset[str] = frozenset()  # "ældre end": an adjective
    professions: frozenset[str] = frozenset()  # "ergoterapeut": "Ergoterapeutforeningen" is a union

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain data (for fingerprints)."""
        return {
            "nouns": [{**n.__dict__} for n in self.nouns],
            "sector_adjectives": dict(sorted(self.sector_adjectives.items())),
            "place_adjectives": sorted(self.place_adjectives),
            "group_adjectives": sorted(self.group_adjectives),
            "group_adverbs": {k: sorted(v) for k, v in sorted(self.group_adverbs.items())},
            "degree_words": sorted(self.degree_words),
            "prepositions": sorted(self.prepositions),
            "attachment_phrases": sorted([" ".join(k), v]
                                         for k, v in self.attachment_phrases.items()),
            "noun_use_not_after": sorted(self.noun_use_not_after),
            "noun_use_not_before": sorted(self.noun_use_not_before),
            "professions": sorted(self.professions)}


def _sector(value: Any, where: str, what: str) -> str:
    sector = str(value or "").strip()
    if sector not in SECTORS:
        raise InvalidInput(f"{where}: {what} has sector '{sector}'; use one of: "
                           f"{', '.join(SECTORS)}.")
    return sector


def contextual_noun(data: Any, where: str) -> ContextualNoun:
    """Build and check one contextual noun from YAML data.

    Raises:
        InvalidInput: the noun lacks a name or terms, or names an unknown sector or rule.
    """
    if not isinstance(data, dict) or not str(data.get("name") or "").strip():
        raise InvalidInput(f"{where}: each contextual noun must be a mapping with a 'name'.")
    name = str(data["name"]).strip()
    terms = _terms(data.get("terms"), where)
    if not terms:
        raise InvalidInput(f"{where}: contextual noun '{name}' has no 'terms'; list its words.")
    sectors = tuple(_sector(s, where, f"contextual noun '{name}'")
                    for s in _as_list(data.get("sectors"), where, "sectors"))
    decided_by = _as_list(data.get("decided_by"), where, "decided_by") or DECIDERS
    unknown = [d for d in decided_by if d not in DECIDERS]
    if unknown:
        raise InvalidInput(f"{where}: contextual noun '{name}' is decided by '{unknown[0]}'; "
                           f"use some of: {', '.join(DECIDERS)}.")
    default = data.get("default")
    kind = str(data.get("kind") or "group")
    if kind not in KINDS:
        raise InvalidInput(f"{where}: contextual noun '{name}' has kind '{kind}'; use one of: "
                           f"{', '.join(KINDS)}.")
    return ContextualNoun(
        name=name, terms=terms, sectors=sectors, decided_by=decided_by,
        default=None if default is None else _sector(default, where, f"the default of '{name}'"),
        kind=kind, compounds=bool(data.get("compounds", True)),
        not_before=tuple(w.lower() for w in _as_list(data.get("not_before"), where,
                                                     "not_before")),
        prepositions=tuple(w.lower() for w in _as_list(data.get("prepositions"), where,
                                                       "prepositions")))


def _words(data: dict, key: str, where: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _as_list(data.get(key), where, key))


def context_rules_from_yaml(data: Any, where: str) -> ContextRules:
    """Read the context rules of one parsed YAML document (empty when it has none).

    Raises:
        InvalidInput: a list or mapping is malformed, or a sector is unknown.
    """
    if not isinstance(data, dict):
        return ContextRules()
    nouns = data.get("contextual") or []
    if not isinstance(nouns, list):
        raise InvalidInput(f"{where}: 'contextual' must be a list of nouns.")
    adjectives: dict[str, str] = {}
    for sector, words in (data.get("sector_adjectives") or {}).items():
        sector = _sector(sector, where, "'sector_adjectives'")
        adjectives.update((w.lower(), sector) for w in _as_list(words, where, sector))
    phrases: dict[tuple[str, ...], str] = {}
    for sector, words in (data.get("attachment_phrases") or {}).items():
        sector = _sector(sector, where, "'attachment_phrases'")
        phrases.update((tuple(p.lower().split()), sector)
                       for p in _as_list(words, where, sector))
    adverbs = {k.lower(): frozenset(w.lower() for w in _as_list(v, where, k))
               for k, v in (data.get("group_adverbs") or {}).items()}
    return ContextRules(
        nouns=tuple(contextual_noun(n, f"{where}, contextual #{i}")
                    for i, n in enumerate(nouns, 1)),
        sector_adjectives=adjectives, place_adjectives=_words(data, "place_adjectives", where),
        group_adjectives=_words(data, "group_adjectives", where), group_adverbs=adverbs,
        degree_words=_words(data, "degree_words", where),
        prepositions=_words(data, "prepositions", where), attachment_phrases=phrases,
        noun_use_not_after=_words(data, "noun_use_not_after", where),
        noun_use_not_before=_words(data, "noun_use_not_before", where),
        professions=_words(data, "professions", where))


def _merge_rules(parts: Iterable[ContextRules]) -> ContextRules:
    out = ContextRules()
    for part in parts:
        out = ContextRules(
            nouns=out.nouns + part.nouns,
            sector_adjectives={**out.sector_adjectives, **part.sector_adjectives},
            place_adjectives=out.place_adjectives | part.place_adjectives,
            group_adjectives=out.group_adjectives | part.group_adjectives,
            group_adverbs={**out.group_adverbs, **part.group_adverbs},
            degree_words=out.degree_words | part.degree_words,
            prepositions=out.prepositions | part.prepositions,
            attachment_phrases={**out.attachment_phrases, **part.attachment_phrases},
            noun_use_not_after=out.noun_use_not_after | part.noun_use_not_after,
            noun_use_not_before=out.noun_use_not_before | part.noun_use_not_before,
            professions=out.professions | part.professions)
    return out


def load_yaml_file(path: str | Path, *, source: str = "user") -> list[Entry]:
    """Read a researcher's gazetteer YAML file.

    Raises:
        InvalidInput: the file is missing, is not YAML, or has a bad entry.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist; give the path of a gazetteer YAML file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not readable YAML ({exc}); fix the file and retry.") from exc
    return entries_from_yaml(data, str(path), source=source)


@lru_cache(maxsize=1)
def _package_data() -> tuple[tuple[str, Any], ...]:
    folder = resources.files("workbench").joinpath("data/gazetteer")
    # libyaml's safe loader when PyYAML has it: the same data, read eight times faster (every
    # tagging command reads these files).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return tuple((f"gazetteer/{item.name}", yaml.load(item.read_text(encoding="utf-8"),
                                                       Loader=loader))
                 for item in sorted(folder.iterdir(), key=lambda p: p.name)
                 if item.name.endswith(".yaml"))


@lru_cache(maxsize=1)
def package_entries() -> tuple[Entry, ...]:
    """Every entry shipped with workbench (read once per process)."""
    out: list[Entry] = []
    for where, data in _package_data():
        out.extend(entries_from_yaml(data, where))
    return tuple(out)


@lru_cache(maxsize=1)
def package_context() -> ContextRules:
    """The context rules shipped with workbench (read once per process)."""
    return _merge_rules(context_rules_from_yaml(data, where) for where, data in _package_data())


class Gazetteer:
    """Entries by canonical name, with the alias index that resolves a surface to its entry.

    Project entries (``extra``) win over package entries: a project entry whose name or alias
    equals a package entry's name absorbs that entry (its aliases, terms and home settings), so
    a stakeholder the researcher renamed or merged keeps matching what it matched before.
    """

    def __init__(self, entries: Iterable[Entry], extra: Iterable[Entry] = (),
                 context: ContextRules | None = None):
        self.context = context or ContextRules()
        base = {e.name: e for e in entries}
        merged: dict[str, Entry] = {}
        for entry in extra:
            for claimed in (entry.name, *entry.aliases):
                absorbed = base.pop(claimed, None)
                if absorbed is not None:
                    entry = _absorb(entry, absorbed)
            if entry.name in merged:
                entry = _absorb(merged[entry.name], entry)
            merged[entry.name] = entry
        self.entries: dict[str, Entry] = {**base, **merged}
        self._alias: dict[str, str] = {}
        for entry in self.entries.values():
            for surface in (entry.name, *entry.aliases):
                self._alias.setdefault(surface, entry.name)
                self._alias.setdefault(surface.casefold(), entry.name)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries.values())

    def get(self, name: str) -> Entry | None:
        """The entry for a canonical name or an alias (exact, then case-insensitive)."""
        key = self._alias.get(name) or self._alias.get(name.casefold())
        return self.entries.get(key) if key else None

    def by_sector(self, sector: str) -> list[Entry]:
        """Entries of one sector, sorted by name."""
        return sorted((e for e in self if e.sector == sector), key=lambda e: e.name)

    def fingerprint(self) -> str:
        """A short hash of everything that changes what the pipeline matches."""
        blob = json.dumps({"entries": sorted((e.as_dict() for e in self),
                                             key=lambda d: d["name"]),
                           # noun_use, not_after: they change what the ruler keeps
                           "attributes": {e.name: e.attributes for e in self if e.attributes},
                           "context": self.context.as_dict()},
                          ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _absorb(keeper: Entry, other: Entry) -> Entry:
    """Fold ``other`` into ``keeper``: its names become aliases, its matching rules carry over."""
    aliases = list(keeper.aliases)
    for surface in (other.name, *other.aliases):
        if surface != keeper.name and surface not in aliases:
            aliases.append(surface)
    group = keeper.group if keeper.group != "named" or other.group == "named" else other.group
    return replace(
        keeper, aliases=tuple(aliases), group=group,
        terms=tuple(dict.fromkeys((*keeper.terms, *other.terms))),
        home=keeper.home or other.home,
        home_forms=tuple(dict.fromkeys((*keeper.home_forms, *other.home_forms))),
        sector=keeper.sector or other.sector)


def default_gazetteer(extra: Iterable[Entry] = ()) -> Gazetteer:
    """The package gazetteer plus the project's own entries, with the package context rules."""
    return Gazetteer(package_entries(), extra, package_context())

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

This module does not import spaCy; it only reads and checks the data.
"""

from __future__ import annotations

import hashlib
import json
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
_ENTRY_KEYS = {"name", "sector", "kind", "aliases", "terms", "home", "home_forms", "group"}


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
    terms = _as_list(values.get("terms"), where, "terms")
    if group == "role" and not terms:
        terms = (name,)
    attributes = {k: v for k, v in data.items() if k not in _ENTRY_KEYS}
    return Entry(name=name, sector=sector, kind=kind, group=group,
                 aliases=tuple(a for a in _as_list(values.get("aliases"), where, "aliases")
                               if a != name),
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
def package_entries() -> tuple[Entry, ...]:
    """Every entry shipped with workbench (read once per process)."""
    folder = resources.files("workbench").joinpath("data/gazetteer")
    out: list[Entry] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            data = yaml.safe_load(item.read_text(encoding="utf-8"))
            out.extend(entries_from_yaml(data, f"gazetteer/{item.name}"))
    return tuple(out)


class Gazetteer:
    """Entries by canonical name, with the alias index that resolves a surface to its entry.

    Project entries (``extra``) win over package entries: a project entry whose name or alias
    equals a package entry's name absorbs that entry (its aliases, terms and home settings), so
    a stakeholder the researcher renamed or merged keeps matching what it matched before.
    """

    def __init__(self, entries: Iterable[Entry], extra: Iterable[Entry] = ()):
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
        blob = json.dumps(sorted((e.as_dict() for e in self), key=lambda d: d["name"]),
                          ensure_ascii=False, sort_keys=True)
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
    """The package gazetteer plus the project's own entries."""
    return Gazetteer(package_entries(), extra)

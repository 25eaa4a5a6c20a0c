"""Stable pseudonyms for quote exports: real names, speaker names, e-mail, phone and CPR numbers.

What is replaced, and by what:

* a participant's real name (``participants.real_name``) and a speaker name linked to a
  participant ("Henrik Dahl" speaking as P04), and each word of such a name ("Henrik"), by the
  participant's label (P04); a word shared by two participants' names gets a ``[navn N]``;
* personal data found by tagging (table ``personal_data``): e-mail addresses by
  ``[e-mail N]``, phone numbers by ``[telefon N]``, CPR numbers by ``[cpr-nummer]``, person
  names by the participant's label when it is one of theirs, else ``[navn N]``;
* names the user lists (``--name``, ``--names FILE``), the same way as names from tagging.

The same original always gets the same pseudonym within a project: the numbered pseudonyms are
stored in the project setting ``pseudonyms`` and reused by every later export. Names match as
whole words, with a Danish genitive s ("Mettes") included; a phone number matches however its
digits are grouped; e-mail addresses match in any letter case.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.documents import INFORMANT_LABELS, INTERVIEWER_LABELS
from workbench.core.store import Project
from workbench.errors import InvalidInput

SETTING = "pseudonyms"
CPR_PSEUDONYM = "[cpr-nummer]"
_NUMBERED = {"name": "navn", "email": "e-mail", "phone": "telefon"}
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_key(text: str) -> str:
    """A phone number by its eight national digits (+45 and 0045 dropped)."""
    digits = _digits(text)
    return digits[-8:] if len(digits) > 8 else digits


def _name_key(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Pseudonymiser:
    """Replaces originals by pseudonyms in any text; build it with :func:`for_project`.

    Attributes:
        names: original name (white space collapsed) -> pseudonym.
        emails: lower-case address -> pseudonym.
        phones: eight digits -> pseudonym.
        cprs: ten digits (CPR numbers found by tagging).
        replaced: how many replacements of each kind :meth:`apply` made.
    """

    names: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    cprs: set[str] = field(default_factory=set)
    replaced: Counter = field(default_factory=Counter)
    _pattern: re.Pattern[str] | None = None

    def originals(self) -> list[str]:
        """Every original this pseudonymiser replaces (names, addresses, numbers as found)."""
        return [*self.names, *self.emails, *self.phones, *self.cprs]

    def _compile(self) -> re.Pattern[str] | None:
        alternatives: list[str] = []
        for email in sorted(self.emails, key=len, reverse=True):
            alternatives.append(rf"(?i:(?<![\w.+-]){re.escape(email)}(?![\w-]))")
        for digits in sorted(self.cprs):
            alternatives.append(rf"(?<!\d){re.escape(digits[:6])}[ -]?{re.escape(digits[6:])}"
                                r"(?!\d)")
        for digits in sorted(self.phones):
            spaced = r"[ .-]?".join(re.escape(d) for d in digits)
            alternatives.append(rf"(?<![\d+])(?:(?:\+|00)45[ ]?)?{spaced}(?!\d)")
        for name in sorted(self.names, key=len, reverse=True):
            words = r"\s+".join(re.escape(w) for w in name.split())
            alternatives.append(rf"(?<!\w){words}(?=(?:s|'s|’s|'|’)?(?!\w))")
        if not alternatives:
            return None
        return re.compile("|".join(alternatives))

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group()
        if "@" in found:
            self.replaced["email"] += 1
            return self.emails[found.lower()]
        if not re.search(r"[^\W\d_]", found):
            digits = _digits(found)
            if len(digits) == 10 and digits in self.cprs:
                self.replaced["cpr"] += 1
                return CPR_PSEUDONYM
            self.replaced["phone"] += 1
            return self.phones[_phone_key(found)]
        self.replaced["name"] += 1
        return self.names[_name_key(found)]

    def apply(self, text: str | None) -> str | None:
        """``text`` with every original replaced by its pseudonym (None stays None)."""
        if not text:
            return text
        if self._pattern is None:
            self._pattern = self._compile()
            if self._pattern is None:
                return text
        return self._pattern.sub(self._replace, text)


def read_names_file(path: str | Path) -> list[str]:
    """Names to pseudonymise from a UTF-8 file: one a line, '#' starts a comment.

    Raises:
        InvalidInput: the file cannot be read.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the list of names ({exc}); give a UTF-8 "
                           "text file with one name a line.") from exc
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def _name_words(name: str) -> list[str]:
    """The words of a name that could stand alone in speech (capitalised, two letters+)."""
    return [w for w in _WORD.findall(name) if len(w) >= 2 and w[0].isupper()]


def _participant_names(project: Project) -> dict[str, str]:
    """Full names of participants (real names, linked speaker names) -> their label."""
    full: dict[str, str] = {}
    for row in project.rows("SELECT label, real_name FROM participants "
                            "WHERE real_name IS NOT NULL AND TRIM(real_name) != ''"):
        full[_name_key(row["real_name"])] = row["label"]
    generic = INTERVIEWER_LABELS | INFORMANT_LABELS
    for row in project.rows(
            "SELECT DISTINCT s.speaker, p.label FROM segments s "
            "JOIN participants p ON p.id = s.participant_id WHERE s.speaker IS NOT NULL"):
        speaker = _name_key(row["speaker"])
        if speaker and speaker != row["label"] and speaker.lower() not in generic \
                and _name_words(speaker):
            full.setdefault(speaker, row["label"])
    return full


def for_project(project: Project, names: Iterable[str] = (), *,
                persist: bool = True) -> Pseudonymiser:
    """Build the pseudonymiser for a project, numbering new originals after the stored ones.

    Args:
        project: the open project.
        names: extra names given by the user.
        persist: store new numbered pseudonyms in the project setting, so the next export
            uses the same ones.
    """
    stored = project.setting(SETTING, {}) or {}
    numbered: dict[str, dict[str, str]] = {k: dict(stored.get(k, {})) for k in _NUMBERED}
    counters = {k: len(v) for k, v in numbered.items()}
    changed = False

    def numbered_pseudonym(kind: str, key: str) -> str:
        nonlocal changed
        table = numbered[kind]
        if key not in table:
            counters[kind] += 1
            table[key] = f"[{_NUMBERED[kind]} {counters[kind]}]"
            changed = True
        return table[key]

    result = Pseudonymiser()
    full = _participant_names(project)
    for name, label in full.items():
        result.names[name] = label
    # Single words of participants' names: the label when only one participant has the word.
    owners: dict[str, set[str]] = {}
    for name, label in full.items():
        for word in _name_words(name):
            owners.setdefault(word, set()).add(label)
    labels = {r[0] for r in project.conn.execute("SELECT label FROM participants")}
    for word, who in sorted(owners.items()):
        if word in labels or word in result.names:
            continue
        result.names[word] = next(iter(who)) if len(who) == 1 else \
            numbered_pseudonym("name", word)

    def add_name(raw: str) -> None:
        name = _name_key(raw)
        if not name or name in labels or name in result.names:
            return
        result.names[name] = numbered_pseudonym("name", name)

    for row in project.rows(
            'SELECT p.kind, p.surface FROM personal_data p JOIN documents d '
            'ON d.id = p.document_id ORDER BY d.name, p.start'):
        surface = row["surface"].strip()
        if row["kind"] == "email":
            result.emails[surface.lower()] = numbered_pseudonym("email", surface.lower())
        elif row["kind"] == "phone":
            key = _phone_key(surface)
            if len(key) == 8:
                result.phones[key] = numbered_pseudonym("phone", key)
        elif row["kind"] == "cpr":
            digits = _digits(surface)
            if len(digits) == 10:
                result.cprs.add(digits)
        else:
            add_name(surface)
    for name in names:
        add_name(name)
    if changed and persist:
        project.set_setting(SETTING, numbered)
    return result
